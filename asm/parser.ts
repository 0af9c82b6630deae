// The parser: one preprocessed line (assembler-mode tokens) to a statement. Expressions stay
// unevaluated (the assembler evaluates them in each pass).

import { type Token, idName } from './lexer';
import { type Expr, ExprParser, utfEncode, canonicalSpecial } from './expr';
import { isRegister } from './registers';
import { isMnemonic } from './mnemonics';

export type SizeKw = 1 | 2 | 4 | 8 | 10 | 16 | 32 | 64;

export const SIZE_WORDS: Record<string, SizeKw> = {
  byte: 1, word: 2, dword: 4, qword: 8, tword: 10, oword: 16, yword: 32, zword: 64,
};

export interface RegAst { k: 'reg'; name: string; c: number; e: number }
export interface ImmAst {
  k: 'imm';
  expr: Expr;
  size: SizeKw | 0;
  strict: boolean;
  jump: 'short' | 'near' | 'far' | null;
  c: number;
  e: number;
}
export interface MemAst {
  k: 'mem';
  expr: Expr | null;
  size: SizeKw | 0;
  dispSize: SizeKw | 0;
  seg: string | null;
  mode: 'rel' | 'abs' | null;
  nosplit: boolean;
  jump: 'far' | 'near' | null;
  strict: boolean;
  c: number;
  e: number;
}
export interface FarAst { k: 'far'; seg: Expr; off: Expr; size: SizeKw | 0; c: number; e: number }
export type OperandAst = RegAst | ImmAst | MemAst | FarAst;

export type DataItem =
  | { k: 'expr'; expr: Expr; c: number; e: number }
  | { k: 'str'; bytes: Uint8Array; c: number; e: number }
  | { k: 'float'; text: string; neg: boolean; c: number; e: number }
  | { k: 'undef'; c: number; e: number };

export type Statement =
  | { kind: 'none' }
  | { kind: 'insn'; prefixes: { name: string; c: number; e: number }[]; mnemonic: string; mc: number; me: number; operands: OperandAst[] }
  | { kind: 'data'; unit: number; items: DataItem[]; name: string }
  | { kind: 'res'; unit: number; count: Expr; name: string }
  | { kind: 'equ'; expr: Expr }
  | { kind: 'incbin'; file: string; skip: Expr | null; len: Expr | null }
  | { kind: 'dir'; name: string; args: Token[]; bracket: boolean };

export interface ParsedLine {
  label: { name: string; c: number; e: number; colon: boolean } | null;
  times: Expr | null;
  stmt: Statement;
  errors: { msg: string; c: number; e: number }[];
  warnings: { msg: string; c: number; e: number }[];
}

const DATA: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10, do: 16, dy: 32, dz: 64 };
const RES: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10, reso: 16, resy: 32, resz: 64 };
export const PREFIXES = new Set([
  'lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64', 'cs', 'ds', 'es', 'fs', 'gs', 'ss',
  'xacquire', 'xrelease', 'bnd', 'nobnd', 'wait',
]);
export const DIRECTIVES = new Set([
  'section', 'segment', 'bits', 'use16', 'use32', 'use64', 'org', 'global', 'extern', 'common', 'static', 'required', 'default',
  'absolute', 'cpu', 'float', 'align', 'alignb', 'sectalign', 'struc', 'endstruc', 'istruc', 'at', 'iend', 'group', 'uppercase',
  '__sect__', '__?sect?__', 'warning', 'list', 'map', 'debug', 'osabi', 'gprefix', 'gpostfix', 'lprefix', 'lpostfix',
]);

export function isKeywordStart(name: string): boolean {
  const l = name.toLowerCase();
  return l in DATA || l in RES || l === 'times' || l === 'equ' || l === 'incbin' || DIRECTIVES.has(l) || PREFIXES.has(l) || isMnemonic(l);
}

const isReg = (n: string): boolean => isRegister(n);

export function parseLine(toks: Token[]): ParsedLine {
  const out: ParsedLine = { label: null, times: null, stmt: { kind: 'none' }, errors: [], warnings: [] };
  const err = (msg: string, t: Token | undefined, end?: Token): void => {
    const tt = t ?? toks[toks.length - 1];
    out.errors.push({ msg, c: tt?.c ?? 0, e: (end ?? tt)?.e ?? 0 });
  };
  for (const t of toks) {
    if (t.k === 'err') {
      err(t.err ?? `cannot read '${t.s}'`, t);
      return out;
    }
    if (t.k === 'str' && t.err) err(t.err, t);
  }
  if (toks.length === 0) return out;
  let i = 0;

  // bracketed primitive directive: [section .text]
  if (toks[0]!.k === 'op' && toks[0]!.s === '[' && toks[1]?.k === 'id' && DIRECTIVES.has(toks[1].s.toLowerCase())) {
    let end = toks.length;
    if (toks[end - 1]!.s === ']') end--;
    else err("missing ']' at the end of the directive", toks[toks.length - 1]);
    out.stmt = { kind: 'dir', name: toks[1].s.toLowerCase(), args: toks.slice(2, end), bracket: true };
    return out;
  }

  // label
  const t0 = toks[0]!;
  if (t0.k === 'id') {
    const name = idName(t0);
    const next = toks[1];
    if (!t0.s.startsWith('$') && next?.k === 'op' && next.s === ':' && isRegister(name)) {
      err(`'${name}' is a register, not a label name (write $${name} to use it as a name)`, t0);
      return out;
    }
    if (next && next.k === 'op' && next.s === ':') {
      out.label = { name, c: t0.c, e: t0.e, colon: true };
      i = 2;
    } else if (t0.s.startsWith('$') || !isKeywordStart(name) || (next && next.k === 'id' && next.s.toLowerCase() === 'equ')) {
      out.label = { name, c: t0.c, e: t0.e, colon: false };
      i = 1;
      if (!next) out.warnings.push({ msg: `label '${name}' alone on a line without a colon might be in error (a misspelled instruction?)`, c: t0.c, e: t0.e });
    }
  }
  if (i >= toks.length) return out;

  // times
  if (toks[i]!.k === 'id' && toks[i]!.s.toLowerCase() === 'times') {
    const p = new ExprParser(toks, isReg);
    p.pos = i + 1;
    out.times = p.parse();
    if (p.error) {
      err(`times: ${p.error.msg}`, { ...toks[i]!, c: p.error.c, e: p.error.e });
      return out;
    }
    i = p.pos;
    if (i >= toks.length) {
      err('times needs something to repeat', toks[i - 1]);
      return out;
    }
  }

  const kw = toks[i]!;
  if (kw.k !== 'id') {
    err(kw.k === 'op' && kw.s === '[' ? 'a memory operand cannot start a line (missing instruction?)' : `expected an instruction, directive or label, not '${kw.s}'`, kw);
    return out;
  }
  const word = kw.s.toLowerCase();

  if (word === 'equ') {
    if (!out.label) {
      err('equ needs a label before it', kw);
      return out;
    }
    const p = new ExprParser(toks, isReg);
    p.pos = i + 1;
    const expr = p.parse();
    if (p.error) err(p.error.msg, { ...kw, c: p.error.c, e: p.error.e });
    else if (p.pos < toks.length) err(`unexpected '${toks[p.pos]!.s}' after the expression`, toks[p.pos]);
    out.stmt = { kind: 'equ', expr };
    return out;
  }

  if (word in DATA) {
    out.stmt = { kind: 'data', unit: DATA[word]!, items: parseDataItems(toks, i + 1, err), name: word };
    return out;
  }
  if (word in RES) {
    const p = new ExprParser(toks, isReg);
    p.pos = i + 1;
    if (p.pos >= toks.length) {
      err(`${word} needs a count`, kw);
      return out;
    }
    const count = p.parse();
    if (p.error) err(p.error.msg, { ...kw, c: p.error.c, e: p.error.e });
    else if (p.pos < toks.length) err(`unexpected '${toks[p.pos]!.s}' after the count`, toks[p.pos]);
    out.stmt = { kind: 'res', unit: RES[word]!, count, name: word };
    return out;
  }
  if (word === 'incbin') {
    const f = toks[i + 1];
    if (!f || f.k !== 'str') {
      err('incbin needs a file name in quotes', f ?? kw);
      return out;
    }
    let skip: Expr | null = null;
    let len: Expr | null = null;
    let j = i + 2;
    const parseOne = (): Expr | null => {
      const p = new ExprParser(toks, isReg);
      p.pos = j;
      const x = p.parse();
      if (p.error) {
        err(p.error.msg, { ...kw, c: p.error.c, e: p.error.e });
        return null;
      }
      j = p.pos;
      return x;
    };
    if (toks[j]?.s === ',') {
      j++;
      skip = parseOne();
      if (toks[j]?.s === ',') {
        j++;
        len = parseOne();
      }
    }
    if (j < toks.length && out.errors.length === 0) err(`unexpected '${toks[j]!.s}'`, toks[j]);
    out.stmt = { kind: 'incbin', file: new TextDecoder().decode(f.b!), skip, len };
    return out;
  }
  if (DIRECTIVES.has(word)) {
    out.stmt = { kind: 'dir', name: word, args: toks.slice(i + 1), bracket: false };
    return out;
  }

  // instruction: prefixes then mnemonic
  const prefixes: { name: string; c: number; e: number }[] = [];
  while (i < toks.length && toks[i]!.k === 'id' && PREFIXES.has(toks[i]!.s.toLowerCase()) && !(toks[i]!.s.toLowerCase() === 'wait' && i + 1 >= toks.length)) {
    // `wait` alone is the instruction; `cs` alone too
    const nx = toks[i + 1];
    if (!nx) break;
    if (nx.k === 'op' && nx.s === ':') break;
    prefixes.push({ name: toks[i]!.s.toLowerCase(), c: toks[i]!.c, e: toks[i]!.e });
    i++;
  }
  if (i >= toks.length) {
    // a lone prefix: NASM emits just the prefix byte
    const last = prefixes.pop()!;
    out.stmt = { kind: 'insn', prefixes, mnemonic: last.name, mc: last.c, me: last.e, operands: [] };
    return out;
  }
  const mt = toks[i]!;
  if (mt.k !== 'id') {
    err(`expected an instruction, not '${mt.s}'`, mt);
    return out;
  }
  const mn = mt.s.toLowerCase();
  if (!isMnemonic(mn) && !PREFIXES.has(mn)) {
    if (out.label && !out.label.colon && i === 1) {
      // `foo bar`: foo taken as label, bar is not an instruction either
      err(`'${t0.s}' is not an instruction, directive or macro`, t0);
      return out;
    }
    err(`'${mt.s}' is not an instruction, directive or macro`, mt);
    return out;
  }
  const operands: OperandAst[] = [];
  i++;
  if (i < toks.length) {
    const groups = splitOperands(toks, i);
    for (const g of groups) {
      if (g.length === 0) {
        err('an operand is missing (two commas, or a comma at the end)', toks[i] ?? mt);
        continue;
      }
      const op = parseOperand(g, err);
      if (op) operands.push(op);
    }
  }
  out.stmt = { kind: 'insn', prefixes, mnemonic: mn, mc: mt.c, me: mt.e, operands };
  return out;
}

function splitOperands(toks: Token[], from: number): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k === 'op' && (t.s === '[' || t.s === '(')) depth++;
    else if (t.k === 'op' && (t.s === ']' || t.s === ')')) depth--;
    if (t.k === 'op' && t.s === ',' && depth <= 0) {
      out.push(cur);
      cur = [];
      continue;
    }
    cur.push(t);
  }
  out.push(cur);
  return out;
}

function parseDataItems(toks: Token[], from: number, err: (m: string, t: Token | undefined) => void): DataItem[] {
  const items: DataItem[] = [];
  let i = from;
  if (i >= toks.length) return items; // NASM: a warning (no operand for data declaration)
  for (;;) {
    const t = toks[i];
    if (!t) {
      err('a value is missing after the comma', toks[i - 1]);
      break;
    }
    const next = toks[i + 1];
    const endsItem = (x: Token | undefined): boolean => !x || (x.k === 'op' && x.s === ',');
    if (t.k === 'str' && endsItem(next)) {
      items.push({ k: 'str', bytes: t.b!, c: t.c, e: t.e });
      i++;
    } else if (t.k === 'float' && endsItem(next)) {
      items.push({ k: 'float', text: t.s, neg: false, c: t.c, e: t.e });
      i++;
    } else if (t.k === 'op' && (t.s === '-' || t.s === '+') && next?.k === 'float' && endsItem(toks[i + 2])) {
      items.push({ k: 'float', text: next.s, neg: t.s === '-', c: t.c, e: next.e });
      i += 2;
    } else if (t.k === 'id' && /^__\??(infinity|qnan|snan|nan)\??__$/i.test(t.s) && endsItem(next)) {
      items.push({ k: 'float', text: t.s.replace(/\?/g, '').toLowerCase(), neg: false, c: t.c, e: t.e });
      i++;
    } else if (t.k === 'op' && t.s === '-' && next?.k === 'id' && /^__\??(infinity|qnan|snan|nan)\??__$/i.test(next.s) && endsItem(toks[i + 2])) {
      items.push({ k: 'float', text: next.s.replace(/\?/g, '').toLowerCase(), neg: true, c: t.c, e: next.e });
      i += 2;
    } else if (
      t.k === 'id' &&
      /^__\??utf(16|32)(le|be)?\??__$/i.test(t.s) &&
      next?.s === '(' &&
      toks[i + 2]?.k === 'str' &&
      toks[i + 3]?.s === ')' &&
      endsItem(toks[i + 4])
    ) {
      items.push({ k: 'str', bytes: utfEncode(toks[i + 2]!.b!, canonicalSpecial(t.s)), c: t.c, e: toks[i + 3]!.e });
      i += 4;
    } else if (t.k === 'op' && t.s === '?' && endsItem(next)) {
      items.push({ k: 'undef', c: t.c, e: t.e });
      i++;
    } else {
      const p = new ExprParser(toks, isReg);
      p.pos = i;
      const expr = p.parse();
      if (p.error) {
        err(p.error.msg, { ...t, c: p.error.c, e: p.error.e });
        return items;
      }
      items.push({ k: 'expr', expr, c: t.c, e: toks[p.pos - 1]?.e ?? t.e });
      i = p.pos;
    }
    if (i >= toks.length) break;
    const sep = toks[i]!;
    if (!(sep.k === 'op' && sep.s === ',')) {
      err(`expected ',' between values, not '${sep.s}'`, sep);
      return items;
    }
    i++;
  }
  return items;
}

function parseOperand(g: Token[], err: (m: string, t: Token | undefined, end?: Token) => void): OperandAst | null {
  let i = 0;
  let size: SizeKw | 0 = 0;
  let strict = false;
  let jump: 'short' | 'near' | 'far' | null = null;
  const first = g[0]!;
  const last = g[g.length - 1]!;
  for (; i < g.length; i++) {
    const t = g[i]!;
    if (t.k !== 'id') break;
    const l = t.s.toLowerCase();
    if (l in SIZE_WORDS) {
      size = SIZE_WORDS[l]!;
      continue;
    }
    if (l === 'strict') {
      strict = true;
      continue;
    }
    if (l === 'short' || l === 'near' || l === 'far') {
      jump = l;
      continue;
    }
    if (l === 'ptr') {
      err("'ptr' is MASM syntax, not NASM: write the size alone, as in 'dword [ebx]'", t);
      continue;
    }
    if (l === 'to') continue; // `fadd to st1`
    break;
  }
  if (i >= g.length) {
    err('an operand is missing after the size or jump keyword', last);
    return null;
  }
  const t = g[i]!;
  // segment override before a bracket: fs:[rax]
  let seg: string | null = null;
  if (t.k === 'id' && ['cs', 'ds', 'es', 'fs', 'gs', 'ss'].includes(t.s.toLowerCase()) && g[i + 1]?.s === ':' && g[i + 2]?.s === '[') {
    seg = t.s.toLowerCase();
    i += 2;
  }
  const t2 = g[i]!;
  if (t2.k === 'op' && t2.s === '[') {
    if (last.s !== ']') {
      err("missing ']' at the end of the memory operand", last);
      return null;
    }
    const inner = g.slice(i + 1, g.length - 1);
    let j = 0;
    let dispSize: SizeKw | 0 = 0;
    let mode: 'rel' | 'abs' | null = null;
    let nosplit = false;
    for (; j < inner.length; j++) {
      const x = inner[j]!;
      if (x.k !== 'id') break;
      const l = x.s.toLowerCase();
      if (l in SIZE_WORDS && inner[j + 1]) {
        dispSize = SIZE_WORDS[l]!;
        continue;
      }
      if (l === 'rel' || l === 'abs') {
        mode = l;
        continue;
      }
      if (l === 'nosplit') {
        nosplit = true;
        continue;
      }
      if (['cs', 'ds', 'es', 'fs', 'gs', 'ss'].includes(l) && inner[j + 1]?.s === ':') {
        if (seg) err('two segment overrides', x);
        seg = l;
        j++;
        continue;
      }
      break;
    }
    const rest = inner.slice(j);
    let expr: Expr | null = null;
    if (rest.length) {
      const p = new ExprParser(rest, isReg);
      expr = p.parse();
      if (p.error) {
        err(p.error.msg, { ...t2, c: p.error.c, e: p.error.e });
        return null;
      }
      if (p.pos < rest.length) {
        const bad = rest[p.pos]!;
        err(bad.s === ':' ? 'a segment override must name a segment register (cs ds es fs gs ss)' : `unexpected '${bad.s}' in the memory operand`, bad);
        return null;
      }
    } else if (!seg) {
      err('empty memory operand', t2, last);
      return null;
    }
    return {
      k: 'mem', expr, size, dispSize, seg, mode, nosplit, jump: jump === 'short' ? null : jump, strict, c: first.c, e: last.e,
    };
  }
  // register
  if (t2.k === 'id' && isRegister(t2.s) && i === g.length - 1) {
    return { k: 'reg', name: t2.s.toLowerCase(), c: t2.c, e: t2.e };
  }
  // immediate or far pointer seg:off
  const rest = g.slice(i);
  const p = new ExprParser(rest, isReg);
  const expr = p.parse();
  if (p.error) {
    err(p.error.msg, { ...t2, c: p.error.c, e: p.error.e });
    return null;
  }
  if (p.pos < rest.length && rest[p.pos]!.s === ':') {
    const p2 = new ExprParser(rest, isReg);
    p2.pos = p.pos + 1;
    const off = p2.parse();
    if (p2.error) {
      err(p2.error.msg, { ...t2, c: p2.error.c, e: p2.error.e });
      return null;
    }
    if (p2.pos < rest.length) {
      err(`unexpected '${rest[p2.pos]!.s}' after the operand`, rest[p2.pos]);
      return null;
    }
    return { k: 'far', seg: expr, off, size, c: first.c, e: last.e };
  }
  if (p.pos < rest.length) {
    const bad = rest[p.pos]!;
    if (bad.k === 'op' && bad.s === '[') err(`unexpected '[': is a comma missing before the memory operand?`, bad);
    else err(`unexpected '${bad.s}' after the operand (a missing comma?)`, bad);
    return null;
  }
  return { k: 'imm', expr, size, strict, jump, c: first.c, e: last.e };
}
