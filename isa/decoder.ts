// The decoder: bytes -> Instr, driven by the forms of the table (no second opcode table).
//
// Lookup: one slot per (opcode map, opcode byte); a slot lists the candidate forms for that byte
// (a +r form sits in the eight slots it covers), most specific first. A candidate is accepted
// when the prefixes, ModRM byte, operand size, address size and mode all fit; the first that does
// wins. Nothing here allocates except the returned Instr (and nothing when `out` is given).

import { OpKind, type Form } from './form';
import { Prefix, REG8_AH, REG_NONE, REG_RIP, Seg, type Instr } from './instr';
import { FORMS } from './table';

/** One form as the decoder matches it: the checks pre-digested into small integers. */
class Cand {
  readonly form: Form;
  readonly index: number;
  /** The form reads a ModRM byte (or a fixed byte after the opcode). */
  readonly needModrm: boolean;
  /** ModRM.reg must equal this (0..7), or -1. */
  readonly digit: number;
  /** The byte after the opcode must equal this, or -1. */
  readonly fixed: number;
  /** 0 any, 1 memory only, 2 register only. */
  readonly modRestrict: number;
  /** Mandatory prefix: 0 free, 0x66, 0xF2, 0xF3, -1 none of them. */
  readonly mand: number;
  /** Allowed effective operand sizes (bit 0: 16, bit 1: 32, bit 2: 64), per mode. */
  readonly size64: number;
  readonly size32: number;
  /** Allowed effective address sizes (bit 0: 16, bit 1: 32, bit 2: 64), per mode. */
  readonly addr64: number;
  readonly addr32: number;
  /** Reported operand size in bytes when the form fixes it (0: from prefixes). */
  readonly fixedOpSize64: number;
  readonly fixedOpSize32: number;
  /** Not when REX.B is set (90 NOP versus 41 90 XCHG r8d, eax). */
  noRexB: boolean;
  /** The register operand is 8-bit (REG8_AH numbering applies). */
  readonly reg8: boolean;
  readonly rm8: boolean;
  /** What ModRM.reg holds: 0 nothing, 1 GPR, 2 Sreg, 3 CR, 4 DR. */
  readonly regKind: number;
  /** mod is ignored and rm is always a register (MOV CR/DR). */
  readonly modIgnored: boolean;
  /** MOV Sreg, r/m: loading CS is #UD. */
  readonly loadsSreg: boolean;
  /** Immediates: 0 none, else bytes; kinds: see decodeImm. */
  readonly imm1: number;
  readonly imm2: number;
  readonly immSigned: boolean;
  readonly farPtr: boolean;
  readonly moffs: boolean;
  score: number;

  constructor(form: Form) {
    this.form = form;
    this.index = form.index;
    this.fixed = form.fixedModrm;
    this.digit = form.modrm >= 0 && form.modrm < 8 ? form.modrm : -1;
    this.needModrm = form.modrm >= 0 || form.fixedModrm >= 0;
    this.modRestrict = form.modRestrict;
    this.mand = form.mandatory;
    const S16 = 1, S32 = 2, S64 = 4;
    if (form.opSize === 16) (this.size64 = S16), (this.size32 = S16);
    else if (form.opSize === 32) (this.size64 = S32), (this.size32 = S32);
    else if (form.opSize === 64) (this.size64 = S64), (this.size32 = 0);
    else if (form.size64 === 'd64') (this.size64 = S32 | S64), (this.size32 = S32);
    else if (form.size64 === 'f64') (this.size64 = S16 | S32 | S64), (this.size32 = S32);
    else (this.size64 = S16 | S32 | S64), (this.size32 = S16 | S32);
    this.addr64 = form.addrSize === 16 ? 0 : form.addrSize === 32 ? S32 : form.addrSize === 64 ? S64 : S32 | S64;
    this.addr32 = form.addrSize === 16 ? S16 : form.addrSize === 32 ? S32 : form.addrSize === 64 ? 0 : S16 | S32;
    const fixedSize = form.opSize ? form.opSize / 8 : 0;
    this.fixedOpSize64 = fixedSize || (form.size64 ? 8 : 0) || form.dataSize;
    this.fixedOpSize32 = fixedSize || (form.size64 ? 4 : 0) || form.dataSize;
    this.noRexB = false;
    let reg8 = false, rm8 = false, regKind = 0, modIgnored = false;
    for (const o of form.operands) {
      if (o.kind === OpKind.Reg || o.kind === OpKind.OpReg) (regKind = regKind || 1), (reg8 = o.size === 1);
      else if (o.kind === OpKind.RegMem) rm8 = o.size === 1;
      else if (o.kind === OpKind.Sreg) regKind = 2;
      else if (o.kind === OpKind.Cr) (regKind = 3), (modIgnored = true);
      else if (o.kind === OpKind.Dr) (regKind = 4), (modIgnored = true);
    }
    this.reg8 = reg8;
    this.rm8 = rm8;
    this.regKind = regKind;
    this.modIgnored = modIgnored;
    this.loadsSreg = form.operands[0]?.kind === OpKind.Sreg;
    this.farPtr = form.operands.some((o) => o.kind === OpKind.FarPtr);
    this.imm1 = form.immSizes[0] ?? 0;
    this.imm2 = form.immSizes[1] ?? 0;
    this.immSigned = form.immSigned || form.operands.some((o) => o.kind === OpKind.Rel);
    this.moffs = form.moffs;
    this.score =
      (form.fixedModrm >= 0 ? 1000 : 0) +
      (form.mandatory > 0 ? 200 : form.mandatory < 0 ? 100 : 0) +
      (this.digit >= 0 ? 40 : 0) +
      (form.opSize ? 20 : form.size64 ? 10 : 0) +
      (form.addrSize ? 20 : 0) +
      (form.modRestrict ? 5 : 0) +
      (form.opReg ? 0 : 1);
  }
}

class Slot {
  readonly cands: Cand[] = [];
  needModrm = false;
}

/** The lookup structures for one set of forms. */
export interface DecodeTable {
  readonly forms: readonly Form[];
  /** 4 maps x 256 opcode bytes. */
  readonly slots: (Slot | undefined)[];
}

export function buildDecodeTable(forms: readonly Form[]): DecodeTable {
  const slots: (Slot | undefined)[] = new Array(4 * 256).fill(undefined);
  const mapLen = [1, 2, 3, 3];
  for (const form of forms) {
    const c = new Cand(form);
    const op = form.opcode[mapLen[form.map]! - 1]!;
    const n = form.opReg ? 8 : 1;
    for (let i = 0; i < n; i++) {
      const k = form.map * 256 + (op + i);
      const slot = (slots[k] ??= new Slot());
      slot.cands.push(c);
      if (c.needModrm) slot.needModrm = true;
    }
  }
  for (const slot of slots) {
    if (!slot) continue;
    // A fixed form sharing its byte with a +r form (90 NOP, 90+rd XCHG) yields to it under REX.B.
    const hasOpReg = slot.cands.some((c) => c.form.opReg);
    // It wins over them without REX.B, whatever 66/REX.W say (the SDM: 66 90 and 48 90 are NOP).
    if (hasOpReg) for (const c of slot.cands) if (!c.form.opReg && !c.needModrm && !c.noRexB) (c.noRexB = true), (c.score += 500);
    slot.cands.sort((a, b) => b.score - a.score || a.index - b.index);
  }
  return { forms, slots };
}

/** A fresh Instr with every field present (one object shape for all instructions). */
export function newInstr(): Instr {
  return {
    form: null,
    formIndex: -1,
    length: 0,
    opSize: 4,
    addrSize: 8,
    prefixes: 0,
    segment: Seg.DS,
    rex: 0,
    modrm: -1,
    reg: REG_NONE,
    rm: REG_NONE,
    hasMem: false,
    base: REG_NONE,
    index: REG_NONE,
    scale: 0,
    disp: 0,
    dispHi: 0,
    imm: 0,
    immHi: 0,
    imm2: 0,
    invalid: '',
    sib: -1,
    dispSize: 0,
    bits: 64,
  };
}

// Failure stages (the candidate that got furthest names the reason).
const REASONS = [
  'undefined opcode',
  'undefined opcode',
  'invalid operand size or address size',
  'memory operand required',
  'register operand required',
  '', // mode: filled in by bits
];

const BX = 3, BP = 5, SI = 6, DI = 7;
/** 16-bit ModRM.rm -> base, index. */
const RM16_BASE = [BX, BX, BP, BP, SI, DI, BP, BX];
const RM16_INDEX = [SI, DI, SI, DI, REG_NONE, REG_NONE, REG_NONE, REG_NONE];

function fail(d: Instr, reason: string, length: number): Instr {
  d.form = null;
  d.formIndex = -1;
  d.invalid = reason;
  d.length = length < 1 ? 1 : length > 15 ? 15 : length;
  return d;
}

/**
 * Decodes one instruction of `bits`-bit code at bytes[pos], reading at most `avail` bytes.
 * Never throws: anything the CPU rejects, or input that ends too early ('truncated'), gives an
 * Instr with `invalid` set.
 */
export function decodeWith(t: DecodeTable, bytes: Uint8Array, pos: number, avail: number, bits: 64 | 32 | 16, out?: Instr): Instr {
  const d = out ?? newInstr();
  d.form = null;
  d.formIndex = -1;
  d.length = 0;
  d.prefixes = 0;
  d.segment = Seg.DS;
  d.rex = 0;
  d.modrm = -1;
  d.reg = REG_NONE;
  d.rm = REG_NONE;
  d.hasMem = false;
  d.base = REG_NONE;
  d.index = REG_NONE;
  d.scale = 0;
  d.disp = 0;
  d.dispHi = 0;
  d.imm = 0;
  d.immHi = 0;
  d.imm2 = 0;
  d.invalid = '';
  d.sib = -1;
  d.dispSize = 0;
  d.bits = bits;

  const is64 = bits === 64;
  const is16 = bits === 16;
  let end = bytes.length;
  if (pos < 0 || pos >= end || avail < 1) {
    d.opSize = 4;
    d.addrSize = is64 ? 8 : 4;
    return fail(d, 'truncated', 1);
  }
  if (pos + avail < end) end = pos + avail;
  const lim = pos + 15;
  let p = pos;
  let prefixes = 0;
  let seg = -1;
  let rex = 0;
  let lastRep = 0;
  let b = 0;

  // Legacy prefixes and REX (REX counts only right before the opcode).
  for (;;) {
    if (p >= lim) return fail(d, 'too long', 15);
    if (p >= end) return fail(d, 'truncated', p - pos);
    b = bytes[p]!;
    switch (b) {
      case 0xf0: prefixes |= Prefix.LOCK; break;
      case 0xf2: prefixes = (prefixes & ~Prefix.REP) | Prefix.REPNE; lastRep = 0xf2; break;
      case 0xf3: prefixes = (prefixes & ~Prefix.REPNE) | Prefix.REP; lastRep = 0xf3; break;
      case 0x66: prefixes |= Prefix.OPSIZE; break;
      case 0x67: prefixes |= Prefix.ADDRSIZE; break;
      case 0x26: seg = Seg.ES; break;
      case 0x2e: seg = Seg.CS; break;
      case 0x36: seg = Seg.SS; break;
      case 0x3e: seg = Seg.DS; break;
      case 0x64: seg = Seg.FS; break;
      case 0x65: seg = Seg.GS; break;
      default:
        if (is64 && (b & 0xf0) === 0x40) {
          rex = b;
          p++;
          continue;
        }
        b = -1;
    }
    if (b < 0) break;
    rex = 0;
    p++;
  }
  if (seg >= 0) (prefixes |= Prefix.SEG), (d.segment = seg);
  if (rex) prefixes |= Prefix.REX;
  d.prefixes = prefixes;
  d.rex = rex;

  const os66 = (prefixes & Prefix.OPSIZE) !== 0;
  const as67 = (prefixes & Prefix.ADDRSIZE) !== 0;
  const rexW = (rex & 8) !== 0;
  const rexR = (rex & 4) << 1;
  const rexX = (rex & 2) << 2;
  const rexB = (rex & 1) << 3;
  const addrBit = is64 ? (as67 ? 2 : 4) : as67 !== is16 ? 1 : 2;
  const addrSize = is64 ? (as67 ? 4 : 8) : as67 !== is16 ? 2 : 4;
  d.addrSize = addrSize;
  d.opSize = is64 && rexW ? 8 : os66 !== is16 ? 2 : 4;

  // Opcode.
  let map = 0;
  const op0 = bytes[p++]!;
  b = op0;
  if (op0 === 0x0f) {
    if (p >= lim) return fail(d, 'too long', 15);
    if (p >= end) return fail(d, 'truncated', p - pos);
    b = bytes[p++]!;
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      if (p >= lim) return fail(d, 'too long', 15);
      if (p >= end) return fail(d, 'truncated', p - pos);
      b = bytes[p++]!;
    }
  }
  const slot = t.slots[map * 256 + b];
  if (slot === undefined) return fail(d, 'undefined opcode', p - pos);

  let peek = -1;
  let peekWhy = '';
  if (slot.needModrm) {
    if (p >= lim) peekWhy = 'too long';
    else if (p >= end) peekWhy = 'truncated';
    else peek = bytes[p]!;
  }
  const mod = peek >> 6;
  const regField = (peek >> 3) & 7;

  // Choose the form.
  const cands = slot.cands;
  let chosen: Cand | null = null;
  let best = -1;
  let bestWhy = '';
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    // Stage 1: prefixes and opcode extension.
    const m = c.mand;
    if (m !== 0) {
      if (m === 0x66 ? !os66 || lastRep !== 0 : m < 0 ? os66 || lastRep !== 0 : lastRep !== m) {
        if (best < 0) (best = 0), (bestWhy = REASONS[0]!);
        continue;
      }
    }
    if (c.noRexB && rexB) continue;
    if (c.needModrm && peek < 0) {
      if (best < 1) (best = 1), (bestWhy = peekWhy);
      continue;
    }
    if (c.fixed >= 0 ? peek !== c.fixed : c.digit >= 0 && regField !== c.digit) {
      if (best < 0) (best = 0), (bestWhy = REASONS[0]!);
      continue;
    }
    // Stage 2: operand and address size.
    const sizeBit = is64 && rexW ? 4 : (os66 && m !== 0x66) !== is16 ? 1 : 2;
    if (((is64 ? c.size64 : c.size32) & sizeBit) === 0 || ((is64 ? c.addr64 : c.addr32) & addrBit) === 0) {
      if (best < 2) (best = 2), (bestWhy = REASONS[2]!);
      continue;
    }
    // Stage 3: mod.
    if (c.modRestrict !== 0 && c.fixed < 0) {
      if (c.modRestrict === 1 ? mod === 3 : mod !== 3) {
        if (best < 3) (best = 3), (bestWhy = REASONS[c.modRestrict === 1 ? 3 : 4]!);
        continue;
      }
    }
    // Stage 4: mode.
    if (!(is64 ? c.form.mode64 : c.form.mode32)) {
      if (best < 4) (best = 4), (bestWhy = is64 ? 'not valid in 64-bit mode' : 'not valid in 32-bit mode');
      continue;
    }
    chosen = c;
    break;
  }
  if (chosen === null) return fail(d, bestWhy || 'undefined opcode', p - pos);

  const c = chosen;
  const form = c.form;
  // Effective operand size, in bytes.
  const fixedOp = is64 ? c.fixedOpSize64 : c.fixedOpSize32;
  if (fixedOp !== 0) d.opSize = fixedOp;
  else if (c.mand === 0x66) d.opSize = is64 && rexW ? 8 : is16 ? 2 : 4;

  // ModRM, SIB, displacement.
  if (c.needModrm) {
    p++;
    d.modrm = peek;
    if (c.fixed < 0) {
      const rmField = peek & 7;
      switch (c.regKind) {
        case 1: {
          let r = regField | rexR;
          if (c.reg8 && rex === 0 && r >= 4) r += REG8_AH - 4;
          d.reg = r;
          break;
        }
        case 2:
          d.reg = regField;
          if (regField > 5) return fail(d, 'invalid segment register', p - pos);
          if (c.loadsSreg && regField === Seg.CS) return fail(d, 'MOV to CS', p - pos);
          break;
        case 3: {
          const r = regField | rexR;
          d.reg = r;
          if (r !== 0 && r !== 2 && r !== 3 && r !== 4 && r !== 8) return fail(d, 'invalid control register', p - pos);
          break;
        }
        case 4: {
          const r = regField | rexR;
          d.reg = r;
          if (r > 7) return fail(d, 'invalid debug register', p - pos);
          break;
        }
      }
      if (mod === 3 || c.modIgnored) {
        let r = rmField | rexB;
        if (c.rm8 && rex === 0 && r >= 4) r += REG8_AH - 4;
        d.rm = r;
      } else {
        d.hasMem = true;
        let dispSize = mod === 1 ? 1 : 0;
        if (addrSize === 2) {
          if (mod === 0 && rmField === 6) dispSize = 2;
          else {
            d.base = RM16_BASE[rmField]!;
            d.index = RM16_INDEX[rmField]!;
            if (mod === 2) dispSize = 2;
          }
        } else {
          if (mod === 2) dispSize = 4;
          if (rmField === 4) {
            if (p >= lim) return fail(d, 'too long', 15);
            if (p >= end) return fail(d, 'truncated', p - pos);
            const sib = bytes[p++]!;
            d.sib = sib;
            const idx = ((sib >> 3) & 7) | rexX;
            if (idx !== 4) d.index = idx;
            d.scale = sib >> 6;
            if ((sib & 7) === 5 && mod === 0) dispSize = 4;
            else d.base = (sib & 7) | rexB;
          } else if (rmField === 5 && mod === 0) {
            dispSize = 4;
            if (is64) d.base = REG_RIP;
          } else {
            d.base = rmField | rexB;
          }
        }
        if (dispSize !== 0) {
          if (p + dispSize > lim) return fail(d, 'too long', 15);
          if (p + dispSize > end) return fail(d, 'truncated', end - pos);
          let v: number;
          if (dispSize === 1) v = (bytes[p]! << 24) >> 24;
          else if (dispSize === 2) v = ((bytes[p]! | (bytes[p + 1]! << 8)) << 16) >> 16;
          else v = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
          p += dispSize;
          d.disp = v;
          d.dispHi = v >> 31;
          d.dispSize = dispSize;
        }
        const base = d.base;
        d.segment = seg >= 0 ? seg : base === 4 || base === 5 ? Seg.SS : Seg.DS;
      }
    }
  } else if (form.opReg) {
    let r = (b & 7) | rexB;
    if (c.reg8 && rex === 0 && r >= 4) r += REG8_AH - 4;
    d.reg = r;
  }

  // moffs and immediates.
  if (c.moffs) {
    const n = addrSize;
    if (p + n > lim) return fail(d, 'too long', 15);
    if (p + n > end) return fail(d, 'truncated', end - pos);
    let lo: number;
    if (n === 2) (lo = bytes[p]! | (bytes[p + 1]! << 8)), (d.dispHi = 0);
    else {
      lo = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
      d.dispHi = n === 8 ? bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24) : lo >> 31;
    }
    d.disp = lo;
    d.dispSize = n;
    p += n;
    d.hasMem = true;
    d.segment = seg >= 0 ? seg : Seg.DS;
  }
  const n1 = c.imm1;
  if (n1 !== 0) {
    const n = n1 + c.imm2;
    if (p + n > lim) return fail(d, 'too long', 15);
    if (p + n > end) return fail(d, 'truncated', end - pos);
    let v: number;
    let hi = 0;
    if (n1 === 1) v = c.immSigned ? (bytes[p]! << 24) >> 24 : bytes[p]!;
    else if (n1 === 2) {
      v = bytes[p]! | (bytes[p + 1]! << 8);
      if (c.immSigned) v = (v << 16) >> 16;
    } else {
      v = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
      if (n1 === 8) hi = bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24);
    }
    if (n1 < 8) hi = c.immSigned ? v >> 31 : 0;
    if (n1 === 4 && !c.immSigned) hi = 0;
    d.imm = v;
    d.immHi = hi;
    p += n1;
    const n2 = c.imm2;
    if (n2 !== 0) {
      d.imm2 = n2 === 1 ? bytes[p]! : bytes[p]! | (bytes[p + 1]! << 8);
      p += n2;
    }
  }

  // LOCK: only on a lockable form with a memory destination.
  if ((prefixes & Prefix.LOCK) !== 0 && !(form.lock && d.hasMem)) return fail(d, 'LOCK prefix not allowed', p - pos);

  d.form = form;
  d.formIndex = c.index;
  d.length = p - pos;
  return d;
}

let defaultTable: DecodeTable | null = null;

/** The lookup structures for FORMS (built on first use). */
export function decodeTable(): DecodeTable {
  return (defaultTable ??= buildDecodeTable(FORMS));
}

/**
 * Decodes one instruction from bytes[pos], reading at most `avail` bytes, as code of the given
 * mode: 64 (64-bit mode), 32 (32-bit code segment: protected or compatibility mode), 16 (16-bit
 * code segment: operand and address size default to 16 and 66/67 select 32; the forms valid in
 * 32-bit mode apply). Reuses `out` when given. Never throws.
 */
export function decode(bytes: Uint8Array, pos: number, avail: number, bits: 64 | 32 | 16, out?: Instr): Instr {
  return decodeWith(defaultTable ?? decodeTable(), bytes, pos, avail, bits, out);
}
