// Expressions: NASM's grammar and operators over 64-bit values that may be relative to sections,
// external symbols or registers (inside [ ]). Evaluation never throws.

import { type Token, idName } from './lexer';

export type Expr =
  | { t: 'num'; v: bigint; c: number; e: number }
  | { t: 'float'; s: string; c: number; e: number }
  | { t: 'str'; b: Uint8Array; c: number; e: number }
  | { t: 'sym'; name: string; c: number; e: number }
  | { t: 'here'; c: number; e: number }
  | { t: 'base'; c: number; e: number }
  | { t: 'un'; op: string; a: Expr; c: number; e: number }
  | { t: 'bin'; op: string; a: Expr; b: Expr; c: number; e: number }
  | { t: 'cond'; q: Expr; a: Expr; b: Expr; c: number; e: number }
  | { t: 'wrt'; a: Expr; seg: string; c: number; e: number }
  | { t: 'fn'; name: string; args: Expr[]; c: number; e: number };

/** A term of a value: a section base, an external symbol, or a register (in an address). */
export interface Term {
  key: string; // 's:<section index>' | 'x:<symbol name>' | 'r:<register>'
  coef: bigint;
  /** A register written with an explicit `*` (NASM makes it the index: `[ebx*1+ecx]`). */
  scaled?: boolean;
}

export interface Val {
  n: bigint;
  terms: Term[];
  /** Depends on a symbol not (yet) defined. */
  unknown: boolean;
  /** `wrt ..plt` and friends. */
  wrt?: string;
  /** `seg x`. */
  seg?: boolean;
}

export const num = (n: bigint): Val => ({ n: BigInt.asIntN(64, n), terms: [], unknown: false });
export const unknownVal = (): Val => ({ n: 0n, terms: [], unknown: true });
export function isSimple(v: Val): boolean {
  return v.terms.length === 0 && !v.wrt && !v.seg;
}

function addTerms(a: Term[], b: Term[], mul: bigint): Term[] {
  const out = a.map((t) => ({ ...t }));
  for (const t of b) {
    const o = out.find((x) => x.key === t.key);
    if (o) {
      o.coef += t.coef * mul;
      if (t.scaled) o.scaled = true;
    } else out.push({ key: t.key, coef: t.coef * mul, scaled: t.scaled });
  }
  return out.filter((t) => t.coef !== 0n);
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ExprParseError {
  msg: string;
  c: number;
  e: number;
}

const FUNCS = new Set([
  '__float8__', '__float16__', '__float32__', '__float64__', '__float80m__', '__float80e__', '__float128l__', '__float128h__',
  '__bfloat16__', '__utf16__', '__utf16le__', '__utf16be__', '__utf32__', '__utf32le__', '__utf32be__', '__ilog2e__', '__ilog2w__',
  '__ilog2f__', '__ilog2c__',
]);

/** `__?float32?__` → `__float32__`. */
export function canonicalSpecial(name: string): string {
  const m = /^__\?(.*)\?__$/.exec(name);
  return m ? `__${m[1]!.toLowerCase()}__` : name.toLowerCase();
}

export class ExprParser {
  pos = 0;
  nodes = 0;
  error: ExprParseError | null = null;
  constructor(
    readonly toks: Token[],
    /** Called for identifiers that are registers (allowed in addresses). */
    readonly isReg: (name: string) => boolean = () => false,
  ) {}

  peek(off = 0): Token | undefined {
    return this.toks[this.pos + off];
  }
  atOp(s: string): boolean {
    const t = this.toks[this.pos];
    return !!t && t.k === 'op' && t.s === s;
  }
  atWord(s: string): boolean {
    const t = this.toks[this.pos];
    return !!t && t.k === 'id' && t.s.toLowerCase() === s;
  }
  fail(msg: string, t?: Token): Expr {
    const tok = t ?? this.toks[this.pos] ?? this.toks[this.toks.length - 1];
    if (!this.error) this.error = { msg, c: tok?.c ?? 0, e: tok?.e ?? 0 };
    return { t: 'num', v: 0n, c: tok?.c ?? 0, e: tok?.e ?? 0 };
  }

  parse(): Expr {
    const x = this.cond();
    if (this.atWord('wrt')) {
      this.pos++;
      const t = this.peek();
      if (!t || t.k !== 'id') return this.fail("expected a segment or '..plt'/'..got'/'..sym'/'..gotpcrel' after WRT");
      this.pos++;
      return { t: 'wrt', a: x, seg: idName(t), c: x.c, e: t.e };
    }
    return x;
  }

  private cond(): Expr {
    const q = this.binary(0);
    if (this.atOp('?')) {
      this.pos++;
      const a = this.cond();
      if (!this.atOp(':')) return this.fail("expected ':' in a ?: expression");
      this.pos++;
      const b = this.cond();
      return { t: 'cond', q, a, b, c: q.c, e: b.e };
    }
    return q;
  }

  // precedence levels, lowest first
  private static LEVELS: string[][] = [
    ['||'],
    ['^^'],
    ['&&'],
    ['=', '==', '!=', '<>', '<', '<=', '>', '>=', '<=>'],
    ['|'],
    ['^'],
    ['&'],
    ['<<', '>>', '<<<', '>>>'],
    ['+', '-'],
    ['*', '/', '//', '%', '%%'],
  ];

  private binary(level: number): Expr {
    if (level >= ExprParser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    const ops = ExprParser.LEVELS[level]!;
    for (;;) {
      const t = this.peek();
      if (!t || t.k !== 'op' || !ops.includes(t.s)) break;
      // `a:b` is never an operator here; `%` / `%%` arrive as ops only in asm mode
      this.pos++;
      const b = this.binary(level + 1);
      a = { t: 'bin', op: t.s, a, b, c: a.c, e: b.e };
      if (++this.nodes > 4000) {
        this.pos = this.toks.length;
        return this.fail('expression too long (more than 4000 operators)');
      }
    }
    return a;
  }

  private depth = 0;

  private unary(): Expr {
    if (++this.depth > 400) {
      this.depth = 0;
      this.pos = this.toks.length;
      return this.fail('expression nested too deeply');
    }
    try {
      return this.unaryInner();
    } finally {
      if (this.depth > 0) this.depth--;
    }
  }

  private unaryInner(): Expr {
    const t = this.peek();
    if (!t) return this.fail('expression expected');
    if (t.k === 'op' && (t.s === '-' || t.s === '+' || t.s === '~' || t.s === '!')) {
      this.pos++;
      const a = this.unary();
      return { t: 'un', op: t.s, a, c: t.c, e: a.e };
    }
    if (t.k === 'id' && t.s.toLowerCase() === 'seg') {
      this.pos++;
      const a = this.unary();
      return { t: 'un', op: 'seg', a, c: t.c, e: a.e };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) return this.fail('expression expected');
    this.pos++;
    switch (t.k) {
      case 'num':
        return { t: 'num', v: t.n!, c: t.c, e: t.e };
      case 'float':
        return { t: 'float', s: t.s, c: t.c, e: t.e };
      case 'str':
        return { t: 'str', b: t.b!, c: t.c, e: t.e };
      case 'here':
        return { t: 'here', c: t.c, e: t.e };
      case 'base':
        return { t: 'base', c: t.c, e: t.e };
      case 'id': {
        const lower = t.s.toLowerCase();
        const canon = canonicalSpecial(t.s);
        if (FUNCS.has(canon) && this.atOp('(')) {
          this.pos++;
          const args: Expr[] = [];
          if (!this.atOp(')')) {
            for (;;) {
              args.push(this.parse());
              if (this.atOp(',')) {
                this.pos++;
                continue;
              }
              break;
            }
          }
          if (!this.atOp(')')) return this.fail(`expected ')' to close ${t.s}(`);
          const end = this.peek()!;
          this.pos++;
          return { t: 'fn', name: canon, args, c: t.c, e: end.e };
        }
        if (canon === '__infinity__' || canon === '__qnan__' || canon === '__snan__' || canon === '__nan__')
          return { t: 'float', s: canon, c: t.c, e: t.e };
        void lower;
        return { t: 'sym', name: t.s.startsWith('$') ? t.s.slice(1) : t.s, c: t.c, e: t.e };
      }
      case 'op':
        if (t.s === '(') {
          const x = this.parse();
          if (!this.atOp(')')) return this.fail("missing ')'", this.peek() ?? t);
          this.pos++;
          return x;
        }
        this.pos--;
        return this.fail(`unexpected '${t.s}' in an expression`);
      case 'err':
        this.pos--;
        return this.fail(t.err ?? `cannot read '${t.s}'`);
      default:
        this.pos--;
        return this.fail(`unexpected '${t.s}' in an expression`);
    }
  }
}

/** Parse a whole token list as one expression. */
export function parseExpr(toks: Token[], isReg?: (name: string) => boolean): { expr: Expr; error: ExprParseError | null } {
  const p = new ExprParser(toks, isReg);
  const expr = p.parse();
  if (!p.error && p.pos < toks.length) {
    const t = toks[p.pos]!;
    p.error = { msg: `unexpected '${t.s}' after the expression`, c: t.c, e: t.e };
  }
  return { expr, error: p.error };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface EvalEnv {
  /** A symbol's value; `unknownVal()` if not defined (yet). */
  lookup(name: string, c: number, e: number): Val;
  here(): Val;
  base(): Val;
  isReg(name: string): boolean;
  /** Report an error at a column range of the line. */
  error(msg: string, c: number, e: number): void;
}

export function strToNum(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return BigInt.asIntN(64, v);
}

const U64 = (1n << 64n) - 1n;
const u = (x: bigint): bigint => x & U64;
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export function evaluate(x: Expr, env: EvalEnv): Val {
  switch (x.t) {
    case 'num':
      return num(x.v);
    case 'str':
      if (x.b.length > 8) env.error('character constant too long (more than 8 bytes)', x.c, x.e);
      return num(strToNum(x.b));
    case 'float':
      env.error('floating-point constant not allowed here (use __float32__() or a data directive)', x.c, x.e);
      return num(0n);
    case 'here':
      return env.here();
    case 'base':
      return env.base();
    case 'sym': {
      if (env.isReg(x.name)) return { n: 0n, terms: [{ key: 'r:' + x.name.toLowerCase(), coef: 1n }], unknown: false };
      return env.lookup(x.name, x.c, x.e);
    }
    case 'fn':
      return evalFn(x, env);
    case 'wrt': {
      const a = evaluate(x.a, env);
      return { ...a, wrt: x.seg };
    }
    case 'cond': {
      const q = evaluate(x.q, env);
      const a = evaluate(x.a, env);
      const b = evaluate(x.b, env);
      if (q.unknown) return unknownVal();
      if (!isSimple(q)) {
        env.error('the condition of ?: must be a constant', x.q.c, x.q.e);
        return num(0n);
      }
      return q.n !== 0n ? a : b;
    }
    case 'un': {
      const a = evaluate(x.a, env);
      if (x.op === 'seg') return { ...a, seg: true };
      if (x.op === '+') return a;
      if (x.op === '-') return { n: s64(-a.n), terms: a.terms.map((t) => ({ key: t.key, coef: -t.coef })), unknown: a.unknown };
      if (!isSimple(a)) {
        if (a.unknown) return unknownVal();
        env.error(`'${x.op}' may only be applied to a constant (this value depends on a label's address)`, x.c, x.e);
        return unknownVal();
      }
      if (a.unknown) return unknownVal();
      return num(x.op === '~' ? ~a.n : a.n === 0n ? 1n : 0n);
    }
    case 'bin': {
      const a = evaluate(x.a, env);
      const b = evaluate(x.b, env);
      const op = x.op;
      if (op === '+' || op === '-') {
        const m = op === '+' ? 1n : -1n;
        return {
          n: s64(a.n + m * b.n),
          terms: addTerms(a.terms, b.terms, m),
          unknown: a.unknown || b.unknown,
          wrt: a.wrt ?? b.wrt,
        };
      }
      if (op === '*') {
        if (a.terms.length && b.terms.length) {
          if (a.unknown || b.unknown) return unknownVal();
          env.error('cannot multiply two addresses (one side of * must be a constant)', x.c, x.e);
          return unknownVal();
        }
        const [k, v] = a.terms.length ? [b.n, a] : [a.n, b];
        return {
          n: s64(v.n * k),
          terms: v.terms.map((t) => ({ key: t.key, coef: t.coef * k, scaled: true })).filter((t) => t.coef !== 0n),
          unknown: a.unknown || b.unknown,
        };
      }
      if (!isSimple(a) || !isSimple(b)) {
        if (a.unknown || b.unknown) return unknownVal();
        const what =
          op === '<<' || op === '>>' || op === '<<<' || op === '>>>' ? 'shift operator' : op === '/' || op === '//' || op === '%' || op === '%%' ? 'division operator' : `'${op}' operator`;
        env.error(`${what} may only be applied to constants (this value depends on a label's address: subtract $$ or another label first)`, x.c, x.e);
        return unknownVal();
      }
      const unk = a.unknown || b.unknown;
      const A = a.n;
      const B = b.n;
      let r: bigint;
      switch (op) {
        case '/':
        case '//':
        case '%':
        case '%%':
          if (B === 0n) {
            if (!unk) env.error('division by zero', x.c, x.e);
            return unk ? unknownVal() : num(0n);
          }
          if (op === '/') r = u(A) / u(B);
          else if (op === '%') r = u(A) % u(B);
          else if (op === '//') r = A / B;
          else r = A % B;
          break;
        case '<<':
        case '<<<':
          r = A << (u(B) & 63n);
          break;
        case '>>':
          r = u(A) >> (u(B) & 63n);
          break;
        case '>>>':
          r = A >> (u(B) & 63n);
          break;
        case '&':
          r = A & B;
          break;
        case '|':
          r = A | B;
          break;
        case '^':
          r = A ^ B;
          break;
        case '==':
        case '=':
          r = A === B ? 1n : 0n;
          break;
        case '!=':
        case '<>':
          r = A !== B ? 1n : 0n;
          break;
        case '<':
          r = A < B ? 1n : 0n;
          break;
        case '<=':
          r = A <= B ? 1n : 0n;
          break;
        case '>':
          r = A > B ? 1n : 0n;
          break;
        case '>=':
          r = A >= B ? 1n : 0n;
          break;
        case '<=>':
          r = A < B ? -1n : A > B ? 1n : 0n;
          break;
        case '&&':
          r = A !== 0n && B !== 0n ? 1n : 0n;
          break;
        case '||':
          r = A !== 0n || B !== 0n ? 1n : 0n;
          break;
        case '^^':
          r = (A !== 0n) !== (B !== 0n) ? 1n : 0n;
          break;
        default:
          r = 0n;
      }
      const v = num(r);
      v.unknown = unk;
      return v;
    }
  }
}

function evalFn(x: Extract<Expr, { t: 'fn' }>, env: EvalEnv): Val {
  const name = x.name;
  const arg = x.args[0];
  if (!arg) {
    env.error(`${name} needs an argument`, x.c, x.e);
    return num(0n);
  }
  if (name.startsWith('__utf')) {
    if (arg.t !== 'str') {
      env.error(`${name} needs a string`, arg.c, arg.e);
      return num(0n);
    }
    const b = utfEncode(arg.b, name);
    return num(strToNum(b));
  }
  if (name.startsWith('__ilog2')) {
    const v = evaluate(arg, env);
    if (v.unknown || !isSimple(v)) return v.unknown ? unknownVal() : num(0n);
    const n = u(v.n);
    if (n === 0n) return num(0n);
    const fl = BigInt(n.toString(2).length - 1);
    const exact = 1n << fl === n;
    if (name === '__ilog2e__' && !exact) env.error(`${name}: ${n} is not a power of 2`, x.c, x.e);
    if (name === '__ilog2c__' && !exact) return num(fl + 1n);
    return num(fl);
  }
  // __floatNN__
  const neg = arg.t === 'un' && arg.a.t === 'float' && arg.op === '-';
  const inner = arg.t === 'un' && (arg.op === '-' || arg.op === '+') ? arg.a : arg;
  let text: string;
  if (inner.t === 'float') text = inner.s;
  else if (inner.t === 'num') text = inner.v.toString();
  else {
    env.error(`${name} needs a floating-point constant`, arg.c, arg.e);
    return num(0n);
  }
  const fmt: Record<string, [number, number]> = {
    __float8__: [1, 0], __float16__: [2, 0], __float32__: [4, 0], __float64__: [8, 0], __bfloat16__: [2, 1],
    __float80m__: [10, 0], __float80e__: [10, 2], __float128l__: [16, 0], __float128h__: [16, 3],
  };
  const f = fmt[name] ?? [4, 0];
  const r = floatBytes(text, f[0] === 2 && f[1] === 1 ? 'bf16' : f[0] === 1 ? 'f8' : f[0], neg || (arg.t === 'un' && arg.op === '-'));
  if (r.error) env.error(r.error, arg.c, arg.e);
  let bytes = r.bytes;
  if (f[1] === 2) bytes = bytes.slice(8, 10);
  else if (f[1] === 3) bytes = bytes.slice(8, 16);
  else if (f[0] > 8) bytes = bytes.slice(0, 8);
  return num(strToNum(bytes));
}

export function utfEncode(b: Uint8Array, fn: string): Uint8Array {
  const s = new TextDecoder().decode(b);
  const out: number[] = [];
  const be = fn.endsWith('be__');
  const is32 = fn.startsWith('__utf32');
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (is32) {
      const bytes = [cp & 0xff, (cp >> 8) & 0xff, (cp >> 16) & 0xff, (cp >>> 24) & 0xff];
      out.push(...(be ? bytes.reverse() : bytes));
    } else {
      const units = cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
      for (const w of units) out.push(...(be ? [w >> 8, w & 0xff] : [w & 0xff, w >> 8]));
    }
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Floating point: exact conversion of a decimal or hexadecimal constant to IEEE formats.

interface FloatFmt {
  bytes: number;
  expBits: number;
  mantBits: number; // stored fraction bits
  explicitInt: boolean; // x87 80-bit: the integer bit is stored
}
const FORMATS: Record<string, FloatFmt> = {
  f8: { bytes: 1, expBits: 4, mantBits: 3, explicitInt: false },
  bf16: { bytes: 2, expBits: 8, mantBits: 7, explicitInt: false },
  2: { bytes: 2, expBits: 5, mantBits: 10, explicitInt: false },
  4: { bytes: 4, expBits: 8, mantBits: 23, explicitInt: false },
  8: { bytes: 8, expBits: 11, mantBits: 52, explicitInt: false },
  10: { bytes: 10, expBits: 15, mantBits: 63, explicitInt: true },
  16: { bytes: 16, expBits: 15, mantBits: 112, explicitInt: false },
};

function bitLen(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Parse a float constant into an exact rational num/den (den a power of 2 or 10). */
function parseFloatText(text: string): { num: bigint; den: bigint } | undefined {
  let t = text.replace(/_/g, '').toLowerCase();
  let radix = 10;
  if (/^0[xh]/.test(t)) {
    radix = 16;
    t = t.slice(2);
  } else if (/^0[dt]/.test(t)) t = t.slice(2);
  else if (/^0[oq]/.test(t)) {
    radix = 8;
    t = t.slice(2);
  } else if (/^0[by]/.test(t)) {
    radix = 2;
    t = t.slice(2);
  }
  const expChar = radix === 10 ? 'e' : 'p';
  let exp = 0;
  const ei = t.indexOf(expChar);
  if (ei >= 0) {
    const es = t.slice(ei + 1);
    if (!/^[+-]?[0-9]+$/.test(es)) return undefined;
    exp = parseInt(es, 10);
    if (!Number.isFinite(exp) || Math.abs(exp) > 100000) exp = Math.sign(exp) * 100000;
    t = t.slice(0, ei);
  }
  const dot = t.indexOf('.');
  let intPart = t;
  let frac = '';
  if (dot >= 0) {
    intPart = t.slice(0, dot);
    frac = t.slice(dot + 1);
  }
  const digits = intPart + frac;
  if (digits.length === 0) return undefined;
  const re = radix === 16 ? /^[0-9a-f]+$/ : radix === 10 ? /^[0-9]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!re.test(digits)) return undefined;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  let n = BigInt(prefix + digits);
  let den = 1n;
  const R = BigInt(radix);
  // value = n * R^-frac.length * base^exp, base = 10 for decimal, 2 for the others
  if (frac.length) den = R ** BigInt(frac.length);
  if (radix === 10) {
    if (exp >= 0) n *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  } else {
    if (exp >= 0) n <<= BigInt(exp);
    else den <<= BigInt(-exp);
  }
  return { num: n, den };
}

/** Encode a floating-point constant (text as written) in a format of `size` bytes, little-endian. */
export function floatBytes(text: string, size: number | 'bf16' | 'f8', negate: boolean): { bytes: Uint8Array; error?: string; overflow?: boolean } {
  const fmt = FORMATS[String(size)];
  if (!fmt) return { bytes: new Uint8Array(typeof size === 'number' ? size : 2), error: `no floating-point format of ${String(size)} bytes` };
  const { bytes: nb, expBits, mantBits, explicitInt } = fmt;
  const bias = (1 << (expBits - 1)) - 1;
  const maxExp = (1 << expBits) - 1;
  let sign = negate ? 1n : 0n;
  let expField = 0n;
  let mant = 0n; // stored mantissa field (with integer bit if explicit)
  let error: string | undefined;
  let overflow = false;
  const lower = text.toLowerCase();
  if (lower === '__infinity__' || lower === '__qnan__' || lower === '__snan__' || lower === '__nan__') {
    expField = BigInt(maxExp);
    const intBit = explicitInt ? 1n << BigInt(mantBits) : 0n;
    if (lower === '__infinity__') mant = intBit;
    else if (lower === '__snan__') mant = intBit | 1n;
    else mant = intBit | (1n << BigInt(mantBits - 1));
  } else {
    const r = parseFloatText(text);
    if (!r) return { bytes: new Uint8Array(nb), error: `invalid floating-point constant '${text}'` };
    if (r.num === 0n) {
      expField = 0n;
      mant = 0n;
    } else {
      const p = mantBits + 1; // precision in bits including the integer bit
      // find e with 2^(p-1) <= num/den * 2^-e < 2^p
      let e = bitLen(r.num) - bitLen(r.den) - p;
      const scaled = (ee: number): [bigint, bigint] => (ee >= 0 ? [r.num, r.den << BigInt(ee)] : [r.num << BigInt(-ee), r.den]);
      for (let guard = 0; guard < 4; guard++) {
        const [a, b] = scaled(e);
        const q = a / b;
        if (q >= 1n << BigInt(p)) e++;
        else if (q < 1n << BigInt(p - 1)) e--;
        else break;
      }
      // unbiased exponent of the leading bit is e + p - 1
      let unb = e + p - 1;
      const minUnb = 1 - bias;
      if (unb < minUnb) {
        // denormal: fix the scale at the smallest exponent
        e = minUnb - (p - 1);
        unb = minUnb - 1;
      }
      const [a, b] = scaled(e);
      let q = a / b;
      const rem = a - q * b;
      // round half to even
      if (rem * 2n > b || (rem * 2n === b && (q & 1n) === 1n)) q++;
      if (q >= 1n << BigInt(p)) {
        q >>= 1n;
        e++;
        unb = e + p - 1;
      } else if (unb < minUnb && q >= 1n << BigInt(p - 1)) {
        unb = minUnb; // rounded up into the normal range
      }
      if (q === 0n) {
        expField = 0n;
        mant = 0n;
      } else if (unb > bias) {
        overflow = true;
        error = 'overflow in floating-point constant';
        expField = BigInt(maxExp);
        mant = explicitInt ? 1n << BigInt(mantBits) : 0n;
      } else if (q < 1n << BigInt(p - 1)) {
        expField = 0n; // denormal
        mant = q;
      } else {
        expField = BigInt(unb + bias);
        mant = explicitInt ? q : q - (1n << BigInt(p - 1));
      }
    }
  }
  const totalMantBits = mantBits + (explicitInt ? 1 : 0);
  let bits = (sign << BigInt(expBits + totalMantBits)) | (expField << BigInt(totalMantBits)) | mant;
  const out = new Uint8Array(nb);
  for (let i = 0; i < nb; i++) {
    out[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  sign = 0n;
  return { bytes: out, error, overflow };
}
