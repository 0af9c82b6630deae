// Canonical forms of Intel-syntax disassembly text, so that our formatter, objdump and llvm-mc can
// be compared on what they say rather than how they spell it. Used by scripts/isa/corpus-main.ts
// (when writing the fixtures) and isa/decoder.test.ts (when checking against them).
//
// What is removed or unified:
// - whitespace; letter case; objdump's `# 0x...` comments;
// - prefix words that only echo ignored or redundant prefixes (objdump's `data16`, `addr32`,
//   `rex.WB`, `ds`, `cs`, ..., `bnd`, `notrack`; `repz`/`repnz`/`rep` in front of anything but a
//   string instruction), and llvm-mc's separate `lock`/`rep` lines;
// - mnemonic spellings: llvm-mc's `stosd`/`movsq` become `stos`/`movs`, `jz` forms `je`, ...;
// - memory operands become `seg:[base+index*scale+disp]` with the displacement reduced modulo
//   2^64 (sign-extended where it is negative), `+0` and `riz`/`eiz` dropped, the scale always
//   written, and segments that are only the default (or null in 64-bit mode) dropped;
// - numbers become hexadecimal, reduced modulo 2^(operand width) as our instruction says;
// - for llvm-mc: size keywords (`dword ptr`) are dropped (llvm-mc omits some that objdump prints)
//   and branch operands, printed as the raw displacement, become absolute targets.

export interface CanonContext {
  /** 64 or 32: the mode the bytes were decoded in. */
  bits: number;
  /** Width in bits of immediates (our operand size), for reducing -1 and 0xffffffff alike. */
  immBits: number;
  /** Per operand position, a width overriding immBits (ENTER's imm8, RET's imm16). */
  opWidths?: number[];
  /** For llvm-mc's relative branch operands: the address after the instruction (case at 0). */
  branchBase?: bigint;
  /** Drop size keywords (comparison with llvm-mc). */
  noSizes?: boolean;
}

const NOISE_PREFIXES = new Set([
  'data16', 'data32', 'addr16', 'addr32', 'ds', 'cs', 'es', 'ss', 'fs', 'gs', 'bnd', 'notrack',
  'rex', 'rex64', 'xacquire', 'xrelease', 'hint-not-taken', 'hint-taken',
]);
const REP_WORDS = new Set(['rep', 'repe', 'repz', 'repne', 'repnz']);
const STRING_OPS = new Set(['movs', 'cmps', 'scas', 'lods', 'stos', 'ins', 'outs']);

const CC_ALIAS: Record<string, string> = {
  z: 'e', nz: 'ne', c: 'b', nae: 'b', nc: 'ae', nb: 'ae', na: 'be', nbe: 'a', pe: 'p', po: 'np',
  nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};

/** Unify mnemonic spellings. */
export function canonMnemonic(m: string): string {
  m = m.toLowerCase();
  // String instructions with a size suffix (llvm-mc: stosd, movsq; Intel: MOVSB).
  const s = m.match(/^(movs|cmps|scas|lods|stos|ins|outs)[bwdq]$/);
  if (s) return s[1]!;
  if (m === 'xlatb') return 'xlat';
  if (m === 'lcall') return 'call';
  if (m === 'ljmp') return 'jmp';
  if (m === 'sal') return 'shl';
  if (m === 'loopz') return 'loope';
  if (m === 'loopnz') return 'loopne';
  const cc = m.match(/^(j|set|cmov)(.+)$/);
  if (cc && CC_ALIAS[cc[2]!]) return cc[1]! + CC_ALIAS[cc[2]!]!;
  return m;
}

function parseNumber(t: string): bigint | null {
  const m = t.match(/^([-+]?)(0x[0-9a-f]+|[0-9]+)$/);
  if (!m) return null;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

function reduce(v: bigint, bits: number): bigint {
  return v & ((1n << BigInt(bits)) - 1n);
}

const SIZE_WORDS = /^(byte|word|dword|fword|qword|tbyte|oword|xmmword|ymmword|zmmword)\s*ptr\s*/;
const REG_RE = /^(r[a-z0-9]+|e[a-z]{2}|[a-d][xlh]|[sd]il?|[sb]pl?|[c-gs]s|riz|eiz|rip|eip)$/;

function canonMemory(expr: string, seg: string, ctx: CanonContext): string {
  // expr: the text inside [...] (or a bare absolute address, with no brackets).
  const terms = expr.replace(/\s+/g, '').replace(/-/g, '+-').split('+').filter(Boolean);
  let base = '';
  let index = '';
  let scale = 1;
  let disp = 0n;
  for (const t of terms) {
    if (t === 'riz' || t === 'eiz') continue;
    const n = parseNumber(t);
    if (n !== null) {
      disp += n;
      continue;
    }
    let m = t.match(/^([a-z0-9]+)\*(\d)$/) ?? null;
    let reg = '';
    let sc = 0;
    if (m) (reg = m[1]!), (sc = +m[2]!);
    else if ((m = t.match(/^(\d)\*([a-z0-9]+)$/))) (reg = m[2]!), (sc = +m[1]!);
    if (reg) {
      if (reg === 'riz' || reg === 'eiz') continue;
      index = reg;
      scale = sc;
      continue;
    }
    if (!base) base = t;
    else if (!index) (index = t), (scale = 1);
    else return `?[${expr}]`;
  }
  // A lone index of scale 1 is a base ([rax*1] is [rax]).
  if (!base && index && scale === 1) (base = index), (index = '');
  // Displacements are reduced to the address width, then read as signed.
  const a32 = ctx.bits === 32 || /^(e[a-z]{2}|r\d+d)$/.test(base) || /^(e[a-z]{2}|r\d+d)$/.test(index);
  const w = a32 ? 32n : 64n;
  disp = disp & ((1n << w) - 1n);
  if (disp >= 1n << (w - 1n)) disp -= 1n << w;
  // Segment: keep FS/GS; in 32-bit mode keep an override that is not the default.
  let s = seg;
  if (ctx.bits === 64 && s !== 'fs' && s !== 'gs') s = '';
  if (s === 'ds') s = '';
  if (s === 'ss' && /^(e|r)?(sp|bp)$/.test(base)) s = '';
  let text = base;
  if (index) text += (text ? '+' : '') + index + '*' + scale;
  if (disp !== 0n || !text) text += (disp < 0n ? '-0x' + (-disp).toString(16) : (text ? '+' : '') + '0x' + disp.toString(16));
  return (s ? s + ':' : '') + '[' + text + ']';
}

function canonOperand(op: string, ctx: CanonContext, isBranch: boolean, pos: number): string {
  let o = op.trim().toLowerCase();
  let size = '';
  const sm = o.match(SIZE_WORDS);
  if (sm) {
    size = sm[1]!;
    o = o.slice(sm[0].length);
  }
  if (ctx.noSizes) size = '';
  const prefix = size ? size + ' ' : '';
  // seg:[...] / [...] / seg:number
  let m = o.match(/^(?:([c-gs]s):)?\[(.*)\]$/);
  if (m) return prefix + canonMemory(m[2]!, m[1] ?? '', ctx);
  m = o.match(/^([c-gs]s):\s*([-+]?(?:0x[0-9a-f]+|[0-9]+))$/);
  if (m) return prefix + canonMemory(m[2]!, m[1]!, ctx);
  // Far pointer sel:off.
  m = o.match(/^(0x[0-9a-f]+|[0-9]+):(0x[0-9a-f]+|[0-9]+)$/);
  if (m) return `0x${BigInt(m[1]!).toString(16)}:0x${BigInt(m[2]!).toString(16)}`;
  const n = parseNumber(o.replace(/\s+/g, ''));
  if (n !== null) {
    if (isBranch) {
      const target = ctx.branchBase !== undefined ? ctx.branchBase + n : n;
      return '0x' + reduce(target, ctx.bits).toString(16);
    }
    return '0x' + reduce(n, ctx.opWidths?.[pos] ?? ctx.immBits).toString(16);
  }
  // Registers and anything else: as is, without spaces; objdump's `<sym>` suffix dropped.
  if (REG_RE.test(o)) return prefix + o;
  return prefix + o.replace(/\s*<[^>]*>$/, '').replace(/\s+/g, '');
}

/** Splits operands at top-level commas. */
function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

const SHIFTS = new Set(['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar']);
/** Size-suffixed spellings (compared without the suffix against llvm-mc). */
const SIZE_SUFFIXED = /^(push|pop|ret|retf|enter|leave|iret|pushf|popf|pusha|popa|lgdt|lidt|sgdt|sidt|sysret|sysexit|call|jmp)[wdlq]$/;

const BRANCHES = /^(j[a-z]+|call[wq]?|loop[a-z]*|jmp[wq]?|jrcxz|jecxz|jcxz|xbegin)$/;

/** Canonical text of one instruction in objdump's or llvm-mc's Intel syntax (or ours). */
export function canon(text: string, ctx: CanonContext): string {
  let t = text.replace(/#.*$/, '').replace(/\s+/g, ' ').trim().toLowerCase();
  if (t === '(bad)' || t === '' || t.includes('(bad)') || t.includes('?')) return '(bad)';
  if (t.startsWith('.byte')) return '(bad)';
  let words = t.split(' ');
  const keep: string[] = [];
  // Prefix words.
  while (words.length > 1) {
    const w = words[0]!.replace(/;$/, '');
    if (w === 'lock') keep.push('lock');
    else if (REP_WORDS.has(w)) keep.push(w === 'rep' ? 'rep' : w.startsWith('repn') ? 'repne' : 'repe');
    else if (NOISE_PREFIXES.has(w) || /^rex(\.[wrxb]+)?$/.test(w)) {
      // dropped
    } else break;
    words = words.slice(1);
  }
  if (words.length === 1 && (keep.length || NOISE_PREFIXES.has(words[0]!) || /^rex/.test(words[0]!))) return '(bad)'; // a lone prefix
  let mnemonic = canonMnemonic(words[0]!);
  if (ctx.noSizes) mnemonic = mnemonic.replace(SIZE_SUFFIXED, '$1');
  // rep words only mean something on string instructions; F3 is REPE on CMPS/SCAS.
  const prefixes = [...new Set(keep
    .filter((k) => k === 'lock' || STRING_OPS.has(mnemonic))
    .map((k) => (k === 'rep' && (mnemonic === 'cmps' || mnemonic === 'scas') ? 'repe' : k)))];
  const rest = words.slice(1).join(' ');
  // llvm-mc writes a far pointer as two numbers: `ljmp sel, off`.
  const far = rest.match(/^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/);
  if (far && (mnemonic === 'jmp' || mnemonic === 'call')) {
    const sel = reduce(BigInt(far[1]!), 16);
    const off = reduce(BigInt(far[2]!), 32);
    return mnemonic + ' 0x' + sel.toString(16) + ':0x' + off.toString(16);
  }
  const isBranch = BRANCHES.test(mnemonic);
  let ops = rest ? splitOperands(rest).map((o, i) => canonOperand(o, ctx, isBranch && !o.includes('['), i)) : [];
  // llvm-mc leaves out the count of shift-by-one forms.
  if (SHIFTS.has(mnemonic) && ops.length === 1) ops.push('0x1');
  // XCHG is symmetric (objdump writes `xchg dx,ax` for XCHG AX, r16).
  if (mnemonic === 'xchg') ops = ops.slice().sort();
  // AAM/AAD without an operand divide by 10; llvm-mc writes XLAT without its implicit operand.
  if ((mnemonic === 'aam' || mnemonic === 'aad') && ops.length === 0) ops.push('0xa');
  if (mnemonic === 'xlat' && ctx.noSizes) ops = [];
  return [...prefixes, mnemonic].join(' ') + (ops.length ? ' ' + ops.join(',') : '');
}

/** Joins llvm-mc's output lines for one case: a lone prefix line belongs to the next. */
export function joinLlvmLines(lines: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of lines) {
    const l = raw.replace(/\s+/g, ' ').trim();
    if (!l) continue;
    if (/^(lock|rep|repne|repe|data16|data32|addr32|addr16|rex64|rex\.?[wrxb]*)$/i.test(l)) {
      pending += l + ' ';
      continue;
    }
    out.push(pending + l);
    pending = '';
  }
  if (pending) out.push(pending.trim());
  return out;
}
