// A small NASM-syntax line parser for the encoder's fixtures (test/fixtures/asm/encode*.txt):
// one instruction per line, numbers, `$`, + - * and parentheses, and (with `symbols`) one external
// symbol `sym` worth 0 whose values are not known; no macros. The real front end lives in asm/;
// this exists so the encoder can be tested on its own. It follows the encoder's contract: `$` is
// the instruction's address, known (branches and `rel` resolve it); `sym` makes a value unknown.

import { isPrefix } from '../../asm/mnemonics';
import type { AsmInstruction, MemOperand, Operand, Size } from '../../asm/operands';
import { isRegister } from '../../asm/registers';

const SIZES: Record<string, Size> = { byte: 1, word: 2, dword: 4, qword: 8, tword: 10, oword: 16 };

class ParseError extends Error {}

interface Env {
  address: bigint;
  symbols: boolean;
}

/** Evaluates an expression of numbers, `$` and `sym`; reports whether `$` / a symbol appeared. */
function evalExpr(text: string, env: Env): { value: bigint; usesDollar: boolean; usesSymbol: boolean } {
  const toks = text.match(/0x[0-9a-f_]+|[0-9][0-9a-f_]*[hbqo]?|[a-z_.][a-z0-9_.]*|\$|[-+*()~]|\S/gi) ?? [];
  let i = 0;
  let usesDollar = false;
  let usesSymbol = false;
  const peek = () => toks[i];
  const primary = (): bigint => {
    const t = toks[i++];
    if (t === undefined) throw new ParseError('expression expected');
    if (t === '(') {
      const v = sum();
      if (toks[i++] !== ')') throw new ParseError("')' expected");
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '~') return ~primary();
    if (t === '$') {
      usesDollar = true;
      return env.address;
    }
    if (t === 'sym' && env.symbols) {
      usesSymbol = true;
      return 0n;
    }
    const c = t.replace(/_/g, '').toLowerCase();
    if (/^0x[0-9a-f]+$/.test(c)) return BigInt(c);
    if (/^[0-9][0-9a-f]*h$/.test(c)) return BigInt('0x' + c.slice(0, -1));
    if (/^[01]+b$/.test(c)) return BigInt('0b' + c.slice(0, -1));
    if (/^[0-7]+[qo]$/.test(c)) return BigInt('0o' + c.slice(0, -1));
    if (/^[0-9]+$/.test(c)) return BigInt(c);
    throw new ParseError(`symbol '${t}' not defined`);
  };
  const product = (): bigint => {
    let v = primary();
    while (peek() === '*') {
      i++;
      v *= primary();
    }
    return v;
  };
  const sum = (): bigint => {
    let v = product();
    for (;;) {
      if (peek() === '+') (i++, (v += product()));
      else if (peek() === '-') (i++, (v -= product()));
      else return v;
    }
  };
  const value = sum();
  if (i !== toks.length) throw new ParseError(`unexpected '${toks[i]}'`);
  return { value, usesDollar, usesSymbol };
}

/** Splits at top-level commas. */
function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseMem(inner: string, size: Size, env: Env): MemOperand {
  let s = inner.trim();
  let dispSize: Size = 0;
  let rel = false;
  let abs = false;
  let nosplit = false;
  let seg: string | null = null;
  for (;;) {
    const m = s.match(/^(\w+)\s*(:)?\s*/);
    if (!m) break;
    const w = m[1]!.toLowerCase();
    if (m[2] && ['cs', 'ds', 'es', 'fs', 'gs', 'ss'].includes(w)) seg = w;
    else if (!m[2] && SIZES[w] !== undefined) dispSize = SIZES[w]!;
    else if (!m[2] && w === 'rel') rel = true;
    else if (!m[2] && w === 'abs') abs = true;
    else if (!m[2] && w === 'nosplit') nosplit = true;
    else break;
    s = s.slice(m[0].length);
  }
  // Terms: [+-] (reg | reg*n | n*reg | expr)
  const terms = s.match(/[+-]?[^+-]+/g) ?? [];
  let base: string | null = null;
  let index: string | null = null;
  let scale = 1;
  const regs: { name: string; scale: number; explicit: boolean }[] = [];
  let dispText = '';
  for (const t0 of terms) {
    const t = t0.trim();
    const sign = t[0] === '-' ? '-' : '+';
    const body = t.replace(/^[+-]\s*/, '').trim();
    let m: RegExpMatchArray | null;
    if (isRegister(body)) {
      if (sign === '-') throw new ParseError('invalid effective address');
      regs.push({ name: body.toLowerCase(), scale: 1, explicit: false });
    } else if ((m = body.match(/^(\w+)\s*\*\s*(\w+)$/)) && (isRegister(m[1]!) || isRegister(m[2]!))) {
      const [r, n] = isRegister(m[1]!) ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
      if (sign === '-') throw new ParseError('invalid effective address');
      regs.push({ name: r.toLowerCase(), scale: Number(evalExpr(n, env).value), explicit: true });
    } else dispText += ` ${sign} (${body})`;
  }
  if (regs.length > 2) throw new ParseError('invalid effective address');
  // NASM: the register with a written scale is the index; otherwise the first is the base.
  const scaled = regs.filter((r) => r.explicit);
  const plain = regs.filter((r) => !r.explicit);
  if (scaled.length > 1) throw new ParseError('invalid effective address');
  if (scaled.length) {
    index = scaled[0]!.name;
    scale = scaled[0]!.scale;
    if (plain.length) base = plain[0]!.name;
  } else if (plain.length) {
    base = plain[0]!.name;
    if (plain[1]) index = plain[1]!.name;
  }
  // reg*3, *5, *9 with no base: [reg + reg*2/4/8]
  if (index && !base && [3, 5, 9].includes(scale)) {
    base = index;
    scale -= 1;
  }
  if (![1, 2, 4, 8].includes(scale)) throw new ParseError('invalid effective address');
  const disp = dispText ? evalExpr(dispText, env) : { value: 0n, usesDollar: false, usesSymbol: false };
  // `rel` only applies to a relocatable address (a label, `$`): NASM makes [rel 0x10] absolute.
  const relocatable = disp.usesDollar || disp.usesSymbol;
  return {
    kind: 'mem', size, seg, base, index, scale: scale as 1 | 2 | 4 | 8,
    disp: disp.value, dispKnown: !disp.usesSymbol, dispSize, rel: rel && !abs && !base && !index && relocatable, absAddr: abs || (!base && !index), nosplit,
  };
}

function parseOperand(text: string, env: Env): Operand {
  let s = text.trim();
  let size: Size = 0;
  let strict = false;
  for (;;) {
    const m = s.match(/^(strict|byte|word|dword|qword|tword|oword)\b\s*/i);
    if (!m) break;
    const w = m[1]!.toLowerCase();
    if (w === 'strict') strict = true;
    else size = SIZES[w]!;
    s = s.slice(m[0].length);
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new ParseError("expected ']'");
    return parseMem(s.slice(1, -1), size, env);
  }
  if (isRegister(s)) {
    if (size || strict) throw new ParseError('invalid size on a register');
    return { kind: 'reg', name: s.toLowerCase() };
  }
  const colon = s.indexOf(':');
  if (colon > 0) {
    const seg = evalExpr(s.slice(0, colon), env);
    const off = evalExpr(s.slice(colon + 1), env);
    const far: Operand = { kind: 'far', segment: seg.value, offset: off.value, known: !off.usesSymbol };
    if (seg.usesSymbol) far.segmentKnown = false;
    if (size) far.size = size;
    return far;
  }
  const v = evalExpr(s, env);
  return { kind: 'imm', value: v.value, size, strict, known: !v.usesSymbol };
}

export type ParsedLine = { ok: true; ins: AsmInstruction } | { ok: false; error: string };

/** Parses one instruction line written at `address` (`$`); `symbols`: `sym` is an external symbol. */
export function parseLine(text: string, address: bigint, symbols = false): ParsedLine {
  const env: Env = { address, symbols };
  try {
    let s = text.replace(/;.*$/, '').trim();
    const prefixes: string[] = [];
    let m: RegExpMatchArray | null;
    while ((m = s.match(/^(\w+)\s*/)) && isPrefix(m[1]!)) {
      prefixes.push(m[1]!.toLowerCase());
      s = s.slice(m[0].length);
    }
    m = s.match(/^(\w+)\s*/);
    if (!m) throw new ParseError('instruction expected');
    const mnemonic = m[1]!.toLowerCase();
    s = s.slice(m[0].length);
    let strictJump: AsmInstruction['strictJump'] = null;
    const j = s.match(/^(short|near|far)\b\s*/i);
    if (j) {
      strictJump = j[1]!.toLowerCase() as 'short' | 'near' | 'far';
      s = s.slice(j[0].length);
    }
    const operands = splitOperands(s).map((o) => parseOperand(o, env));
    return { ok: true, ins: { prefixes, mnemonic, operands, strictJump } };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}
