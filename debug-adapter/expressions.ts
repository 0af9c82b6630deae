// The evaluate language of the Watch view, hovers, conditions, logpoints and the Debug Console:
// registers (`rax`, `$rax`, `eax`, `al`, `rip`, flags such as `zf`), symbols (a label is its
// address, as in NASM), numbers (`42`, `0x2a`, `2ah`, `0b101010`, `'A'`), arithmetic, bitwise and
// comparison operators with C precedence, and memory operands in NASM/Intel form (`[rsp+8]`,
// `qword [sym]`, `byte ptr [rax]`, `fs:[0x10]`). Values are unsigned 64-bit (arithmetic wraps);
// registers and memory operands are assignable (setExpression, `rax = 5` in the console).

import { Errors } from './errors';

export const MASK64 = (1n << 64n) - 1n;

export type Node =
  | { k: 'num'; v: bigint; col: number }
  | { k: 'name'; name: string; forceReg: boolean; col: number }
  | { k: 'here'; col: number }
  | { k: 'mem'; size: number; seg: string | null; addr: Node; col: number; sized: boolean }
  | { k: 'un'; op: string; e: Node; col: number }
  | { k: 'bin'; op: string; a: Node; b: Node; col: number };

export type LValue = { kind: 'register'; name: string; size: number } | { kind: 'memory'; address: bigint; size: number };

export interface Value {
  value: bigint;
  /** Size in bytes (8 for computed values). */
  size: number;
  /** What the text names, when it can be assigned. */
  lvalue?: LValue;
  /** 'bool' for comparisons and logical operators (shown as true/false). */
  type: 'int' | 'bool';
  /** The expression is a bare symbol: value is its address. */
  symbol?: string;
}

export interface EvalContext {
  /** A register's value, or undefined if `name` is not a register. */
  readRegister(name: string): { value: bigint; size: number } | undefined;
  writeRegister(name: string, value: bigint): void;
  /** Little-endian read of `size` bytes at a linear address; undefined when unmapped. */
  readMemory(address: bigint, size: number): bigint | undefined;
  writeMemory(address: bigint, size: number, value: bigint): boolean;
  /** A symbol's value (its address), or undefined. */
  lookupSymbol(name: string): bigint | undefined;
  /** Base of a segment register (fs/gs in 64-bit mode). */
  segmentBase(seg: string): bigint;
  /** Current RIP (`$`). */
  rip(): bigint;
}

const SIZES: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8, tword: 10, oword: 16 };
const SEGS = new Set(['cs', 'ds', 'es', 'fs', 'gs', 'ss']);
export const KEYWORDS = Object.keys(SIZES).concat(['ptr']);

// ---- lexer -------------------------------------------------------------------------------------

type Tok = { t: 'num'; v: bigint; c: number } | { t: 'id'; s: string; c: number; dollar: boolean } | { t: 'op'; s: string; c: number } | { t: 'end'; c: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', ':', '='];

export function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const c = i;
    if (/[0-9]/.test(ch)) {
      const m = /^(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9][0-9a-f_]*h(?![\w.])|[0-9][0-9_]*)/i.exec(text.slice(i));
      if (!m || /^[\w.]/.test(text.slice(i + m[0].length))) throw Errors.syntax(`bad number '${/^[\w.]+/.exec(text.slice(i))![0]}'`, c);
      const s = m[1]!.replace(/_/g, '').toLowerCase();
      let v: bigint;
      if (s.endsWith('h') && !s.startsWith('0x')) v = BigInt('0x' + s.slice(0, -1));
      else if (s.startsWith('0o')) v = BigInt('0o' + s.slice(2));
      else v = BigInt(s);
      out.push({ t: 'num', v: v & MASK64, c });
      i += m[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw Errors.syntax('unterminated character constant', c);
      const s = text.slice(i + 1, end);
      if (s.length === 0 || s.length > 8) throw Errors.syntax('a character constant holds 1 to 8 characters', c);
      let v = 0n;
      for (let k = s.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(s.charCodeAt(k) & 0xff);
      out.push({ t: 'num', v, c });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_.$@?]/.test(ch)) {
      const m = /^\$?[A-Za-z_.@?][\w.@?$#]*/.exec(text.slice(i));
      if (!m) {
        // `$` alone: the current instruction.
        out.push({ t: 'id', s: '$', c, dollar: false });
        i++;
        continue;
      }
      const dollar = m[0].startsWith('$');
      out.push({ t: 'id', s: dollar ? m[0].slice(1) : m[0], c, dollar });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw Errors.syntax(`unexpected character '${ch}'`, c);
    out.push({ t: 'op', s: op, c });
    i += op.length;
  }
  out.push({ t: 'end', c: text.length });
  return out;
}

// ---- parser ------------------------------------------------------------------------------------

const BINARY: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok {
    return this.toks[this.p]!;
  }
  private isOp(s: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.s === s;
  }
  private expect(s: string): void {
    const t = this.peek();
    if (!(t.t === 'op' && t.s === s)) throw Errors.syntax(`expected '${s}'`, t.c);
    this.p++;
  }
  parseTop(): { target?: Node; value: Node } {
    if (this.peek().t === 'end') throw Errors.emptyExpression();
    const e = this.binary(0);
    if (this.isOp('=')) {
      this.p++;
      const v = this.binary(0);
      this.end();
      return { target: e, value: v };
    }
    this.end();
    return { value: e };
  }
  private end(): void {
    const t = this.peek();
    if (t.t !== 'end') throw Errors.syntax(`unexpected '${t.t === 'num' ? t.v.toString() : t.t === 'id' ? t.s : t.t === 'op' ? t.s : ''}'`, t.c);
  }
  private binary(level: number): Node {
    if (level >= BINARY.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && BINARY[level]!.includes(t.s)) {
        this.p++;
        const b = this.binary(level + 1);
        a = { k: 'bin', op: t.s, a, b, col: t.c };
      } else return a;
    }
  }
  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && ['-', '~', '!', '+'].includes(t.s)) {
      this.p++;
      return { k: 'un', op: t.s, e: this.unary(), col: t.c };
    }
    return this.primary();
  }
  private primary(): Node {
    const t = this.peek();
    if (t.t === 'num') {
      this.p++;
      return { k: 'num', v: t.v, col: t.c };
    }
    if (t.t === 'op' && t.s === '(') {
      this.p++;
      const e = this.binary(0);
      this.expect(')');
      return e;
    }
    if (t.t === 'op' && t.s === '[') return this.memory(8, false, t.c);
    if (t.t === 'id') {
      const low = t.s.toLowerCase();
      if (!t.dollar && low in SIZES) {
        this.p++;
        const n = this.peek();
        if (n.t === 'id' && n.s.toLowerCase() === 'ptr') this.p++;
        return this.memory(SIZES[low]!, true, t.c);
      }
      if (!t.dollar && SEGS.has(low) && this.toks[this.p + 1]?.t === 'op' && (this.toks[this.p + 1] as { s: string }).s === ':') return this.memory(8, false, t.c);
      this.p++;
      if (t.s === '$' && !t.dollar) return { k: 'here', col: t.c };
      return { k: 'name', name: t.s, forceReg: t.dollar, col: t.c };
    }
    if (t.t === 'end') throw Errors.syntax('expression ends too early', t.c);
    throw Errors.syntax(`unexpected '${t.s}'`, t.c);
  }
  private memory(size: number, sized: boolean, col: number): Node {
    let seg: string | null = null;
    const t = this.peek();
    if (t.t === 'id' && SEGS.has(t.s.toLowerCase()) && this.toks[this.p + 1]?.t === 'op' && (this.toks[this.p + 1] as { s: string }).s === ':') {
      seg = t.s.toLowerCase();
      this.p += 2;
    }
    this.expect('[');
    // NASM also accepts the segment inside: [fs:0x10]
    const u = this.peek();
    if (!seg && u.t === 'id' && SEGS.has(u.s.toLowerCase()) && this.toks[this.p + 1]?.t === 'op' && (this.toks[this.p + 1] as { s: string }).s === ':') {
      seg = u.s.toLowerCase();
      this.p += 2;
    }
    const addr = this.binary(0);
    this.expect(']');
    if (size > 8) throw Errors.syntax('only byte, word, dword and qword operands can be read', col);
    return { k: 'mem', size, seg, addr, col, sized };
  }
}

export function parse(text: string): { target?: Node; value: Node } {
  return new Parser(lex(text)).parseTop();
}

// ---- evaluation --------------------------------------------------------------------------------

const mask = (v: bigint, size: number) => (size >= 8 ? v & MASK64 : v & ((1n << BigInt(size * 8)) - 1n));

export function evalNode(n: Node, ctx: EvalContext): Value {
  switch (n.k) {
    case 'num':
      return { value: n.v, size: 8, type: 'int' };
    case 'here':
      return { value: ctx.rip(), size: 8, type: 'int' };
    case 'name': {
      const r = ctx.readRegister(n.name.toLowerCase());
      if (r) return { value: r.value, size: r.size, type: 'int', lvalue: { kind: 'register', name: n.name.toLowerCase(), size: r.size } };
      if (n.forceReg) throw Errors.unknownName('$' + n.name);
      const s = ctx.lookupSymbol(n.name);
      if (s !== undefined) return { value: s & MASK64, size: 8, type: 'int', symbol: n.name };
      throw Errors.unknownName(n.name);
    }
    case 'mem': {
      let a = evalNode(n.addr, ctx).value;
      if (n.seg === 'fs' || n.seg === 'gs') a = (a + ctx.segmentBase(n.seg)) & MASK64;
      const v = ctx.readMemory(a, n.size);
      if (v === undefined) throw Errors.memoryRead(a, n.size);
      return { value: v, size: n.size, type: 'int', lvalue: { kind: 'memory', address: a, size: n.size } };
    }
    case 'un': {
      const v = evalNode(n.e, ctx).value;
      switch (n.op) {
        case '-':
          return { value: -v & MASK64, size: 8, type: 'int' };
        case '~':
          return { value: ~v & MASK64, size: 8, type: 'int' };
        case '!':
          return { value: v === 0n ? 1n : 0n, size: 8, type: 'bool' };
        default:
          return { value: v, size: 8, type: 'int' };
      }
    }
    case 'bin': {
      if (n.op === '&&' || n.op === '||') {
        const a = evalNode(n.a, ctx).value !== 0n;
        if (n.op === '&&' && !a) return { value: 0n, size: 8, type: 'bool' };
        if (n.op === '||' && a) return { value: 1n, size: 8, type: 'bool' };
        return { value: evalNode(n.b, ctx).value !== 0n ? 1n : 0n, size: 8, type: 'bool' };
      }
      const a = evalNode(n.a, ctx).value;
      const b = evalNode(n.b, ctx).value;
      const int = (v: bigint): Value => ({ value: v & MASK64, size: 8, type: 'int' });
      const bool = (v: boolean): Value => ({ value: v ? 1n : 0n, size: 8, type: 'bool' });
      switch (n.op) {
        case '+': return int(a + b);
        case '-': return int(a - b);
        case '*': return int(a * b);
        case '/':
          if (b === 0n) throw Errors.divideByZero();
          return int(a / b);
        case '%':
          if (b === 0n) throw Errors.divideByZero();
          return int(a % b);
        case '<<': return int(b >= 64n ? 0n : a << b);
        case '>>': return int(b >= 64n ? 0n : a >> b);
        case '&': return int(a & b);
        case '|': return int(a | b);
        case '^': return int(a ^ b);
        case '==': return bool(a === b);
        case '!=': return bool(a !== b);
        case '<': return bool(a < b);
        case '<=': return bool(a <= b);
        case '>': return bool(a > b);
        case '>=': return bool(a >= b);
      }
      throw Errors.syntax(`unknown operator '${n.op}'`, n.col);
    }
  }
}

/** Evaluates `text`; with `allowAssign`, `target = value` assigns and returns the new value. */
export function evaluate(text: string, ctx: EvalContext, allowAssign = false): Value {
  const { target, value } = parse(text);
  if (target) {
    if (!allowAssign) throw Errors.syntax("'=' assigns only in the Debug Console (use '==' to compare)", text.indexOf('='));
    return assign(target, text, evalNode(value, ctx).value, ctx);
  }
  return evalNode(value, ctx);
}

/** Assigns `value` to what `text` names (a register or a memory operand). */
export function assignTo(text: string, value: bigint, ctx: EvalContext): Value {
  const { target, value: node } = parse(text);
  if (target) throw Errors.notAssignable(text);
  return assign(node, text, value, ctx);
}

function assign(target: Node, text: string, value: bigint, ctx: EvalContext): Value {
  const cur = evalNode(target, ctx);
  const lv = cur.lvalue;
  if (!lv) throw Errors.notAssignable(text.split('=')[0]!.trim());
  const v = mask(value, lv.size);
  if (lv.kind === 'register') ctx.writeRegister(lv.name, v);
  else if (!ctx.writeMemory(lv.address, lv.size, v)) throw Errors.memoryWrite(lv.address, lv.size);
  return evalNode(target, ctx);
}

// ---- presentation ------------------------------------------------------------------------------

/** `0x2a`, or with decimal: `0x2a (42)`; booleans as true/false. */
export function formatValue(v: Value, opts: { hex?: boolean; decimal?: boolean } = {}): string {
  if (v.type === 'bool') return v.value !== 0n ? 'true' : 'false';
  if (opts.hex === false) return v.value.toString();
  const h = `0x${v.value.toString(16)}`;
  if (opts.decimal === false || v.value < 10n) return h;
  return `${h} (${v.value.toString()})`;
}

/** Logpoint text: `{expr}` parts evaluated (hex), `{{` and `}}` for literal braces. */
export function interpolate(message: string, ctx: EvalContext): string {
  let out = '';
  let i = 0;
  while (i < message.length) {
    const ch = message[i]!;
    if (ch === '{' && message[i + 1] === '{') {
      out += '{';
      i += 2;
    } else if (ch === '}' && message[i + 1] === '}') {
      out += '}';
      i += 2;
    } else if (ch === '{') {
      const end = message.indexOf('}', i + 1);
      if (end < 0) {
        out += message.slice(i);
        break;
      }
      const expr = message.slice(i + 1, end);
      try {
        out += formatValue(evaluate(expr, ctx), { decimal: false });
      } catch (e) {
        out += `<${expr}: ${e instanceof Error ? e.message : String(e)}>`;
      }
      i = end + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The identifier being typed at `column` (0-based) of `text`: start column and prefix. */
export function wordAt(text: string, column: number): { start: number; prefix: string } {
  let s = Math.min(column, text.length);
  while (s > 0 && /[\w.@?$]/.test(text[s - 1]!)) s--;
  return { start: s, prefix: text.slice(s, column) };
}
