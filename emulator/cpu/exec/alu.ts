// Binary arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC NEG NOT.
// One handler per (operand shape, size); the ALU operation is op.arg (x86 encoding order).

import type { Cpu } from '../cpu';
import type { Op, Handler } from '../op';
import { def } from '../registry';
import * as F from '../flags';

export const ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7, TEST = 8;
const NAMES = ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor', 'Cmp', 'Test'];

const K_ADD = [F.kind(F.LazyOp.Add, 1), F.kind(F.LazyOp.Add, 2), F.kind(F.LazyOp.Add, 4), F.kind(F.LazyOp.Add, 8)];
const K_ADC = [F.kind(F.LazyOp.Adc, 1), F.kind(F.LazyOp.Adc, 2), F.kind(F.LazyOp.Adc, 4), F.kind(F.LazyOp.Adc, 8)];
const K_SUB = [F.kind(F.LazyOp.Sub, 1), F.kind(F.LazyOp.Sub, 2), F.kind(F.LazyOp.Sub, 4), F.kind(F.LazyOp.Sub, 8)];
const K_SBB = [F.kind(F.LazyOp.Sbb, 1), F.kind(F.LazyOp.Sbb, 2), F.kind(F.LazyOp.Sbb, 4), F.kind(F.LazyOp.Sbb, 8)];
const K_LOGIC = [F.kind(F.LazyOp.Logic, 1), F.kind(F.LazyOp.Logic, 2), F.kind(F.LazyOp.Logic, 4), F.kind(F.LazyOp.Logic, 8)];
const K_INC = [F.kind(F.LazyOp.Inc, 1), F.kind(F.LazyOp.Inc, 2), F.kind(F.LazyOp.Inc, 4), F.kind(F.LazyOp.Inc, 8)];
const K_DEC = [F.kind(F.LazyOp.Dec, 1), F.kind(F.LazyOp.Dec, 2), F.kind(F.LazyOp.Dec, 4), F.kind(F.LazyOp.Dec, 8)];

const KADD32 = F.kind(F.LazyOp.Add, 4);
const KSUB32 = F.kind(F.LazyOp.Sub, 4);
const KLOGIC32 = F.kind(F.LazyOp.Logic, 4);
const KADD64 = F.kind(F.LazyOp.Add, 8);
const KSUB64 = F.kind(F.LazyOp.Sub, 8);
const KLOGIC64 = F.kind(F.LazyOp.Logic, 8);

/** 8- or 16-bit ALU operation (s = 0 for 8, 1 for 16); a and b masked; returns the masked result. */
export function aluSmall(cpu: Cpu, k: number, s: number, a: number, b: number): number {
  const mask = s === 0 ? 0xff : 0xffff;
  const lf = cpu.lf;
  let r: number;
  switch (k) {
    case ADD:
      r = (a + b) & mask;
      lf[F.K] = K_ADD[s]!;
      break;
    case ADC: {
      const c = cpu.getCF();
      r = (a + b + c) & mask;
      lf[F.K] = c ? K_ADC[s]! : K_ADD[s]!;
      break;
    }
    case SBB: {
      const c = cpu.getCF();
      r = (a - b - c) & mask;
      lf[F.K] = c ? K_SBB[s]! : K_SUB[s]!;
      break;
    }
    case SUB:
    case CMP:
      r = (a - b) & mask;
      lf[F.K] = K_SUB[s]!;
      break;
    case OR:
      r = a | b;
      lf[F.K] = K_LOGIC[s]!;
      break;
    case XOR:
      r = a ^ b;
      lf[F.K] = K_LOGIC[s]!;
      break;
    default: // AND, TEST
      r = a & b;
      lf[F.K] = K_LOGIC[s]!;
      break;
  }
  lf[F.A] = a;
  lf[F.B] = b;
  lf[F.R] = r;
  return r;
}

/** 32-bit ALU operation on int32 values; returns the int32 result. */
export function alu32(cpu: Cpu, k: number, a: number, b: number): number {
  const lf = cpu.lf;
  let r: number;
  switch (k) {
    case ADD:
      r = (a + b) | 0;
      lf[F.K] = KADD32;
      break;
    case SUB:
    case CMP:
      r = (a - b) | 0;
      lf[F.K] = KSUB32;
      break;
    case AND:
    case TEST:
      r = a & b;
      lf[F.K] = KLOGIC32;
      break;
    case OR:
      r = a | b;
      lf[F.K] = KLOGIC32;
      break;
    case XOR:
      r = a ^ b;
      lf[F.K] = KLOGIC32;
      break;
    case ADC: {
      const c = cpu.getCF();
      r = (a + b + c) | 0;
      lf[F.K] = c ? K_ADC[2]! : KADD32;
      break;
    }
    default: {
      const c = cpu.getCF();
      r = (a - b - c) | 0;
      lf[F.K] = c ? K_SBB[2]! : KSUB32;
      break;
    }
  }
  lf[F.A] = a;
  lf[F.B] = b;
  lf[F.R] = r;
  return r;
}

/** 64-bit ALU operation on (hi, lo) int32 halves; returns the low half, the high half in cpu.hi. */
export function alu64(cpu: Cpu, k: number, al: number, ah: number, bl: number, bh: number): number {
  const lf = cpu.lf;
  let rl: number, rh: number;
  switch (k) {
    case ADD: {
      const lo = (al >>> 0) + (bl >>> 0);
      rl = lo | 0;
      rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
      lf[F.K] = KADD64;
      break;
    }
    case SUB:
    case CMP: {
      const lo = (al >>> 0) - (bl >>> 0);
      rl = lo | 0;
      rh = (ah - bh - (lo < 0 ? 1 : 0)) | 0;
      lf[F.K] = KSUB64;
      break;
    }
    case AND:
    case TEST:
      rl = al & bl;
      rh = ah & bh;
      lf[F.K] = KLOGIC64;
      break;
    case OR:
      rl = al | bl;
      rh = ah | bh;
      lf[F.K] = KLOGIC64;
      break;
    case XOR:
      rl = al ^ bl;
      rh = ah ^ bh;
      lf[F.K] = KLOGIC64;
      break;
    case ADC: {
      const c = cpu.getCF();
      const lo = (al >>> 0) + (bl >>> 0) + c;
      rl = lo | 0;
      rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
      lf[F.K] = c ? K_ADC[3]! : KADD64;
      break;
    }
    default: {
      const c = cpu.getCF();
      const lo = (al >>> 0) - (bl >>> 0) - c;
      rl = lo | 0;
      rh = (ah - bh - (lo < 0 ? 1 : 0)) | 0;
      lf[F.K] = c ? K_SBB[3]! : KSUB64;
      break;
    }
  }
  lf[F.A] = al;
  lf[F.B] = bl;
  lf[F.R] = rl;
  lf[F.AH] = ah;
  lf[F.BH] = bh;
  lf[F.RH] = rh;
  cpu.hi = rh;
  return rl;
}

const writes = (k: number): boolean => k !== CMP && k !== TEST;

// ---- 64-bit ----------------------------------------------------------------------------------

/** dst register (rm or reg per `dstRm`), src register. */
export const rr64 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = op.rm << 1, s = op.reg << 1;
  const lo = alu64(cpu, op.arg, r[d]!, r[d + 1]!, r[s]!, r[s + 1]!);
  if (writes(op.arg)) {
    r[d] = lo;
    r[d + 1] = cpu.hi;
  }
};
export const mr64 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const r = cpu.regs;
  const s = op.reg << 1;
  const k = op.arg;
  if (writes(k)) {
    const ml = cpu.rd64w(a);
    const lo = alu64(cpu, k, ml, cpu.hi, r[s]!, r[s + 1]!);
    cpu.wr64(a, lo, cpu.hi);
  } else {
    const ml = cpu.rd64(a);
    alu64(cpu, k, ml, cpu.hi, r[s]!, r[s + 1]!);
  }
};
/** reg <- reg op r/m (register form: rm register). */
export const rrRev64 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = op.reg << 1, s = op.rm << 1;
  const lo = alu64(cpu, op.arg, r[d]!, r[d + 1]!, r[s]!, r[s + 1]!);
  if (writes(op.arg)) {
    r[d] = lo;
    r[d + 1] = cpu.hi;
  }
};
export const rmRev64 = (cpu: Cpu, op: Op): void => {
  const ml = cpu.rd64(cpu.ea(op));
  const mh = cpu.hi;
  const r = cpu.regs;
  const d = op.reg << 1;
  const lo = alu64(cpu, op.arg, r[d]!, r[d + 1]!, ml, mh);
  if (writes(op.arg)) {
    r[d] = lo;
    r[d + 1] = cpu.hi;
  }
};
export const ri64 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = (op.rm >= 0 ? op.rm : 0) << 1;
  const lo = alu64(cpu, op.arg, r[d]!, r[d + 1]!, op.imm, op.immHi);
  if (writes(op.arg)) {
    r[d] = lo;
    r[d + 1] = cpu.hi;
  }
};
export const mi64 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) {
    const ml = cpu.rd64w(a);
    const lo = alu64(cpu, k, ml, cpu.hi, op.imm, op.immHi);
    cpu.wr64(a, lo, cpu.hi);
  } else {
    const ml = cpu.rd64(a);
    alu64(cpu, k, ml, cpu.hi, op.imm, op.immHi);
  }
};

// ---- 32-bit ----------------------------------------------------------------------------------

export const rr32 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = op.rm << 1;
  const v = alu32(cpu, op.arg, r[d]!, r[op.reg << 1]!);
  if (writes(op.arg)) {
    r[d] = v;
    r[d + 1] = 0;
  }
};
export const mr32 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr32(a, alu32(cpu, k, cpu.rd32w(a), cpu.regs[op.reg << 1]!));
  else alu32(cpu, k, cpu.rd32(a), cpu.regs[op.reg << 1]!);
};
export const rrRev32 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = op.reg << 1;
  const v = alu32(cpu, op.arg, r[d]!, r[op.rm << 1]!);
  if (writes(op.arg)) {
    r[d] = v;
    r[d + 1] = 0;
  }
};
export const rmRev32 = (cpu: Cpu, op: Op): void => {
  const m = cpu.rd32(cpu.ea(op));
  const r = cpu.regs;
  const d = op.reg << 1;
  const v = alu32(cpu, op.arg, r[d]!, m);
  if (writes(op.arg)) {
    r[d] = v;
    r[d + 1] = 0;
  }
};
export const ri32 = (cpu: Cpu, op: Op): void => {
  const r = cpu.regs;
  const d = (op.rm >= 0 ? op.rm : 0) << 1;
  const v = alu32(cpu, op.arg, r[d]!, op.imm);
  if (writes(op.arg)) {
    r[d] = v;
    r[d + 1] = 0;
  }
};
export const mi32 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr32(a, alu32(cpu, k, cpu.rd32w(a), op.imm));
  else alu32(cpu, k, cpu.rd32(a), op.imm);
};

// ---- 16-bit ----------------------------------------------------------------------------------

const rr16 = (cpu: Cpu, op: Op): void => {
  const v = aluSmall(cpu, op.arg, 1, cpu.get16(op.rm), cpu.get16(op.reg));
  if (writes(op.arg)) cpu.set16(op.rm, v);
};
const mr16 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr16(a, aluSmall(cpu, k, 1, cpu.rd16w(a), cpu.get16(op.reg)));
  else aluSmall(cpu, k, 1, cpu.rd16(a), cpu.get16(op.reg));
};
const rrRev16 = (cpu: Cpu, op: Op): void => {
  const v = aluSmall(cpu, op.arg, 1, cpu.get16(op.reg), cpu.get16(op.rm));
  if (writes(op.arg)) cpu.set16(op.reg, v);
};
const rmRev16 = (cpu: Cpu, op: Op): void => {
  const m = cpu.rd16(cpu.ea(op));
  const v = aluSmall(cpu, op.arg, 1, cpu.get16(op.reg), m);
  if (writes(op.arg)) cpu.set16(op.reg, v);
};
const ri16 = (cpu: Cpu, op: Op): void => {
  const d = op.rm >= 0 ? op.rm : 0;
  const v = aluSmall(cpu, op.arg, 1, cpu.get16(d), op.imm & 0xffff);
  if (writes(op.arg)) cpu.set16(d, v);
};
const mi16 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr16(a, aluSmall(cpu, k, 1, cpu.rd16w(a), op.imm & 0xffff));
  else aluSmall(cpu, k, 1, cpu.rd16(a), op.imm & 0xffff);
};

// ---- 8-bit -----------------------------------------------------------------------------------

const rr8 = (cpu: Cpu, op: Op): void => {
  const v = aluSmall(cpu, op.arg, 0, cpu.get8(op.rm), cpu.get8(op.reg));
  if (writes(op.arg)) cpu.set8(op.rm, v);
};
const mr8 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr8(a, aluSmall(cpu, k, 0, cpu.rd8w(a), cpu.get8(op.reg)));
  else aluSmall(cpu, k, 0, cpu.rd8(a), cpu.get8(op.reg));
};
const rrRev8 = (cpu: Cpu, op: Op): void => {
  const v = aluSmall(cpu, op.arg, 0, cpu.get8(op.reg), cpu.get8(op.rm));
  if (writes(op.arg)) cpu.set8(op.reg, v);
};
const rmRev8 = (cpu: Cpu, op: Op): void => {
  const m = cpu.rd8(cpu.ea(op));
  const v = aluSmall(cpu, op.arg, 0, cpu.get8(op.reg), m);
  if (writes(op.arg)) cpu.set8(op.reg, v);
};
const ri8 = (cpu: Cpu, op: Op): void => {
  const d = op.rm >= 0 ? op.rm : 0;
  const v = aluSmall(cpu, op.arg, 0, cpu.get8(d), op.imm & 0xff);
  if (writes(op.arg)) cpu.set8(d, v);
};
const mi8 = (cpu: Cpu, op: Op): void => {
  const a = cpu.ea(op);
  const k = op.arg;
  if (writes(k)) cpu.wr8(a, aluSmall(cpu, k, 0, cpu.rd8w(a), op.imm & 0xff));
  else aluSmall(cpu, k, 0, cpu.rd8(a), op.imm & 0xff);
};

interface Shapes {
  rr: Handler;
  mr: Handler;
  rrRev: Handler;
  rmRev: Handler;
  ri: Handler;
  mi: Handler;
}
const SHAPES: Record<number, Shapes> = {
  8: { rr: rr8, mr: mr8, rrRev: rrRev8, rmRev: rmRev8, ri: ri8, mi: mi8 },
  16: { rr: rr16, mr: mr16, rrRev: rrRev16, rmRev: rmRev16, ri: ri16, mi: mi16 },
  32: { rr: rr32, mr: mr32, rrRev: rrRev32, rmRev: rmRev32, ri: ri32, mi: mi32 },
  64: { rr: rr64, mr: mr64, rrRev: rrRev64, rmRev: rmRev64, ri: ri64, mi: mi64 },
};
const ACC: Record<number, string> = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' };

for (let k = 0; k <= TEST; k++) {
  const n = NAMES[k]!;
  for (const bits of [8, 16, 32, 64]) {
    const s = SHAPES[bits]!;
    def(`${n}_rm${bits}_r${bits}`, s.rr, s.mr, k);
    if (k !== TEST) def(`${n}_r${bits}_rm${bits}`, s.rrRev, s.rmRev, k);
    const immBits = bits === 64 ? 32 : bits;
    def(`${n}_${ACC[bits]}_imm${immBits}`, s.ri, k);
    def(`${n}_rm${bits}_imm${immBits}`, s.ri, s.mi, k);
    if (bits !== 8 && k !== TEST) def(`${n}_rm${bits}_imm8`, s.ri, s.mi, k);
  }
  if (k !== TEST) def(`${n}_rm8_imm8_82`, ri8, mi8, k);
}
// TEST's alternate encoding F6 /1, F7 /1
def('Test_rm8_imm8_f6_1', ri8, mi8, TEST);
def('Test_rm16_imm16_f7_1', ri16, mi16, TEST);
def('Test_rm32_imm32_f7_1', ri32, mi32, TEST);
def('Test_rm64_imm32_f7_1', ri64, mi64, TEST);

// ---- ADCX / ADOX: add with carry through CF (ADCX) or OF (ADOX) only ---------------------

function adx(size: number, useOF: boolean): Handler {
  return (cpu, op) => {
    let sl: number, sh = 0;
    if (op.rm >= 0) {
      sl = cpu.regs[op.rm << 1]!;
      sh = cpu.regs[(op.rm << 1) + 1]!;
    } else if (size === 8) {
      sl = cpu.rd64(cpu.ea(op));
      sh = cpu.hi;
    } else sl = cpu.rd32(cpu.ea(op));
    const f = cpu.getFlags();
    const bit = useOF ? F.OF : F.CF;
    const cin = (f & bit) !== 0 ? 1 : 0;
    const r = cpu.regs, d = op.reg << 1;
    const lo = (r[d]! >>> 0) + (sl >>> 0) + cin;
    let carry = lo > 0xffffffff ? 1 : 0;
    if (size === 8) {
      const hi = (r[d + 1]! >>> 0) + (sh >>> 0) + carry;
      carry = hi > 0xffffffff ? 1 : 0;
      r[d + 1] = hi | 0;
    } else r[d + 1] = 0;
    r[d] = lo | 0;
    cpu.setArith(carry ? f | bit : f & ~bit);
  };
}
def('Adcx_r32_rm32', adx(4, false));
def('Adcx_r64_rm64', adx(8, false));
def('Adox_r32_rm32', adx(4, true));
def('Adox_r64_rm64', adx(8, true));

// ---- INC DEC NEG NOT -------------------------------------------------------------------------

const SIZE_IDX: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** INC (d = 1) / DEC (d = -1) on a value of `size` bytes; CF preserved. */
function incdec(cpu: Cpu, size: number, d: number, lo: number, hi: number): number {
  const cf = cpu.getCF();
  const s = SIZE_IDX[size]!;
  const lf = cpu.lf;
  lf[F.K] = d > 0 ? K_INC[s]! : K_DEC[s]!;
  lf[F.X] = cf;
  lf[F.A] = lo;
  lf[F.B] = 1;
  let r: number, rh = 0;
  if (size === 8) {
    const x = (lo >>> 0) + d;
    r = x | 0;
    rh = (hi + (x > 0xffffffff ? 1 : x < 0 ? -1 : 0)) | 0;
    lf[F.AH] = hi;
    lf[F.BH] = 0;
    lf[F.RH] = rh;
  } else if (size === 4) r = (lo + d) | 0;
  else r = (lo + d) & (size === 2 ? 0xffff : 0xff);
  lf[F.R] = r;
  cpu.hi = rh;
  return r;
}

function negv(cpu: Cpu, size: number, lo: number, hi: number): number {
  const s = SIZE_IDX[size]!;
  if (size === 8) return alu64(cpu, SUB, 0, 0, lo, hi);
  if (size === 4) return alu32(cpu, SUB, 0, lo);
  void s;
  return aluSmall(cpu, SUB, size === 2 ? 1 : 0, 0, lo);
}

type Unary = (cpu: Cpu, size: number, lo: number, hi: number) => number;
const INC: Unary = (cpu, size, lo, hi) => incdec(cpu, size, 1, lo, hi);
const DEC: Unary = (cpu, size, lo, hi) => incdec(cpu, size, -1, lo, hi);
const NEG: Unary = negv;
const NOT: Unary = (cpu, size, lo, hi) => {
  cpu.hi = ~hi;
  return size === 4 || size === 8 ? ~lo : ~lo & (size === 2 ? 0xffff : 0xff);
};

/** Register and memory handlers for a unary read-modify-write operation of `size` bytes. */
function unary(size: number, f: Unary, useReg: boolean): [Handler, Handler] {
  const reg: Handler = (cpu, op) => {
    const r = useReg ? op.reg : op.rm;
    const lo = cpu.getReg8to64(r, size);
    const v = f(cpu, size, lo, size === 8 ? cpu.regs[(r << 1) + 1]! : 0);
    cpu.setRegSized(r, size, v, cpu.hi);
  };
  const mem: Handler = (cpu, op) => {
    const a = cpu.ea(op);
    if (size === 8) {
      const lo = cpu.rd64w(a);
      const v = f(cpu, 8, lo, cpu.hi);
      cpu.wr64(a, v, cpu.hi);
    } else if (size === 4) cpu.wr32(a, f(cpu, 4, cpu.rd32w(a), 0));
    else if (size === 2) cpu.wr16(a, f(cpu, 2, cpu.rd16w(a), 0));
    else cpu.wr8(a, f(cpu, 1, cpu.rd8w(a), 0));
  };
  return [reg, mem];
}

// Fast paths for the common 32/64-bit register INC/DEC.
export const inc32r: Handler = (cpu, op) => {
  const r = cpu.regs;
  const d = op.rm << 1;
  const cf = cpu.getCF();
  const a = r[d]!;
  const v = (a + 1) | 0;
  r[d] = v;
  r[d + 1] = 0;
  const lf = cpu.lf;
  lf[F.K] = K_INC[2]!;
  lf[F.X] = cf;
  lf[F.A] = a;
  lf[F.B] = 1;
  lf[F.R] = v;
};
export const dec32r: Handler = (cpu, op) => {
  const r = cpu.regs;
  const d = op.rm << 1;
  const cf = cpu.getCF();
  const a = r[d]!;
  const v = (a - 1) | 0;
  r[d] = v;
  r[d + 1] = 0;
  const lf = cpu.lf;
  lf[F.K] = K_DEC[2]!;
  lf[F.X] = cf;
  lf[F.A] = a;
  lf[F.B] = 1;
  lf[F.R] = v;
};

const neg32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  r[d] = alu32(cpu, SUB, 0, r[d]!);
  r[d + 1] = 0;
};
const not32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  r[d] = ~r[d]!;
  r[d + 1] = 0;
};
const neg64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  r[d] = alu64(cpu, SUB, 0, 0, r[d]!, r[d + 1]!);
  r[d + 1] = cpu.hi;
};
const not64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  r[d] = ~r[d]!;
  r[d + 1] = ~r[d + 1]!;
};

for (const bits of [8, 16, 32, 64]) {
  const size = bits / 8;
  for (const [name, f] of [['Inc', INC], ['Dec', DEC], ['Neg', NEG], ['Not', NOT]] as const) {
    const [reg, mem] = unary(size, f, false);
    let rh = reg;
    if (bits === 32 && name === 'Inc') rh = inc32r;
    if (bits === 32 && name === 'Dec') rh = dec32r;
    if (bits === 32 && name === 'Neg') rh = neg32r;
    if (bits === 32 && name === 'Not') rh = not32r;
    if (bits === 64 && name === 'Neg') rh = neg64r;
    if (bits === 64 && name === 'Not') rh = not64r;
    def(`${name}_rm${bits}`, rh, mem);
    if ((name === 'Inc' || name === 'Dec') && (bits === 16 || bits === 32)) {
      // 40+r / 48+r (not in 64-bit mode): the register is op.reg
      def(`${name}_r${bits}`, unary(size, f, true)[0]);
    }
  }
}
