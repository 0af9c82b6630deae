// Shifts and rotates: ROL ROR RCL RCR SHL(SAL) SHR SAR by 1, CL and imm8 at 8/16/32/64 bits;
// SHLD and SHRD by imm8 and CL at 16/32/64 bits.
//
// The count is masked to 5 bits (6 for 64-bit operands). A masked count of 0 changes no flag and
// leaves the destination as it was, except that a 32-bit register destination is still written
// (its upper half cleared), as the hardware does. RCL/RCR at 8/16 bits rotate by the masked count
// mod 9/17. ROL/ROR at 8/16 bits rotate by the masked count mod 8/16 but still set CF and OF when
// the masked count is nonzero.
//
// Flags the manual leaves undefined take the values this machine's CPU (AMD EPYC, family 1Ah)
// produces, measured natively:
// - SHL/SHR/SAR, SHLD/SHRD: AF = 1 for any nonzero count. OF for counts > 1 follows the count-1
//   formula (SHL: MSB(result) XOR CF; SHR: MSB of the value before the last step XOR MSB(result),
//   i.e. 0; SAR: 0). SHL/SHR of 8/16-bit operands by counts >= the width: CF is the bit the
//   shift would move out of a wide register (0 once the count exceeds the width; SAR: the sign).
// - ROL/RCL: OF = MSB(result) XOR CF; ROR/RCR: OF = bit w-1 XOR bit w-2 of the result, for every
//   nonzero count. SF ZF AF PF are never changed by rotates.
// - SHLD/SHRD: OF = MSB(result) XOR CF (SHLD) / bit w-1 XOR bit w-2 (SHRD) for every count.
//   16-bit operands with counts 17..31 (undefined result): AMD shifts through dest:src:src, so
//   the result is src rotated by count-16 (left for SHLD, right for SHRD), CF = 0, and OF = 0
//   for SHLD, bit 15 XOR bit 14 for SHRD; a 16-bit SHLD by exactly 16 sets OF = CF.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import * as F from '../flags';

export const ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAR = 7;
const NAMES: Record<number, string> = { 0: 'Rol', 1: 'Ror', 2: 'Rcl', 3: 'Rcr', 4: 'Shl', 5: 'Shr', 7: 'Sar' };

const K_RES = [F.kind(F.LazyOp.Res, 1), F.kind(F.LazyOp.Res, 2), F.kind(F.LazyOp.Res, 4), F.kind(F.LazyOp.Res, 8)];

/** Records SF ZF PF from the result and CF/OF (AF set) for a shift of size index s (0..2). */
function resFlags(cpu: Cpu, s: number, r: number, cf: number, of: number): void {
  const lf = cpu.lf;
  lf[F.K] = K_RES[s]!;
  lf[F.R] = r;
  lf[F.X] = cf | (of << 11) | F.AF;
}
function resFlags64(cpu: Cpu, rl: number, rh: number, cf: number, of: number): void {
  const lf = cpu.lf;
  lf[F.K] = K_RES[3]!;
  lf[F.R] = rl;
  lf[F.RH] = rh;
  lf[F.X] = cf | (of << 11) | F.AF;
}
/** Rotates: only CF and OF change. */
function rotFlags(cpu: Cpu, cf: number, of: number): void {
  cpu.setArith((cpu.getFlags() & ~(F.CF | F.OF)) | cf | (of << 11));
}

// ---- 8/16/32-bit -----------------------------------------------------------------------------

/**
 * Shift or rotate `x` (masked to the size for 8/16, an int32 for 32) by the masked count c
 * (nonzero); sets the flags and returns the result (masked, or an int32 for 32 bits).
 */
export function shiftSmall(cpu: Cpu, k: number, size: number, x: number, c: number): number {
  const bits = size << 3;
  const s = size === 1 ? 0 : size === 2 ? 1 : 2;
  const mask = size === 4 ? -1 : (1 << bits) - 1;
  const top = bits - 1;
  let r: number, cf: number;
  switch (k) {
    case SHL:
      r = (x << c) & mask;
      cf = c <= bits ? (x >>> (bits - c)) & 1 : 0;
      resFlags(cpu, s, r, cf, ((r >>> top) & 1) ^ cf);
      return r;
    case SHR:
      r = x >>> c;
      if (size === 4) r |= 0;
      cf = (x >>> (c - 1)) & 1;
      resFlags(cpu, s, r, cf, c === 1 ? (x >>> top) & 1 : 0);
      return r;
    case SAR: {
      const sx = size === 4 ? x : size === 2 ? (x << 16) >> 16 : (x << 24) >> 24;
      r = (sx >> c) & mask;
      cf = (sx >> (c - 1)) & 1;
      resFlags(cpu, s, r, cf, 0);
      return r;
    }
    case ROL: {
      const n = c & top;
      r = n === 0 ? x : ((x << n) | (x >>> (bits - n))) & mask;
      cf = r & 1;
      rotFlags(cpu, cf, ((r >>> top) & 1) ^ cf);
      return r;
    }
    case ROR: {
      const n = c & top;
      r = n === 0 ? x : ((x >>> n) | (x << (bits - n))) & mask;
      rotFlags(cpu, (r >>> top) & 1, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case RCL: {
      const ci = cpu.getCF();
      if (size === 4) {
        if (c === 1) r = (x << 1) | ci;
        else r = (x << c) | (ci << (c - 1)) | (x >>> (33 - c));
        cf = (x >>> (32 - c)) & 1;
      } else {
        const n = c % (bits + 1);
        const w = (ci << bits) | x;
        const wm = (1 << (bits + 1)) - 1;
        const v = n === 0 ? w : ((w << n) | (w >>> (bits + 1 - n))) & wm;
        r = v & mask;
        cf = v >>> bits;
      }
      rotFlags(cpu, cf, ((r >>> top) & 1) ^ cf);
      return r;
    }
    default: {
      // RCR
      const ci = cpu.getCF();
      if (size === 4) {
        if (c === 1) r = (x >>> 1) | (ci << 31);
        else r = (x >>> c) | (ci << (32 - c)) | (x << (33 - c));
        cf = (x >>> (c - 1)) & 1;
      } else {
        const n = c % (bits + 1);
        const w = (ci << bits) | x;
        const wm = (1 << (bits + 1)) - 1;
        const v = n === 0 ? w : ((w >>> n) | (w << (bits + 1 - n))) & wm;
        r = v & mask;
        cf = v >>> bits;
      }
      rotFlags(cpu, cf, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
  }
}

// ---- 64-bit ----------------------------------------------------------------------------------

let oh = 0; // high half out of the helpers below

/** (hi:lo) << n for n in 0..64: low half returned, high half in oh. */
function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    oh = hi;
    return lo;
  }
  if (n < 32) {
    oh = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  oh = n < 64 ? lo << (n - 32) : 0;
  return 0;
}
/** (hi:lo) >>> n for n in 0..64. */
function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    oh = hi;
    return lo;
  }
  if (n < 32) {
    oh = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  oh = 0;
  return n < 64 ? hi >>> (n - 32) : 0;
}
/** Bit i (0..63) of hi:lo. */
function bit64(lo: number, hi: number, i: number): number {
  return i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
}

/** 64-bit shift or rotate by the masked count c (1..63): low half returned, high in cpu.hi. */
export function shift64(cpu: Cpu, k: number, lo: number, hi: number, c: number): number {
  let rl: number, rh: number, cf: number;
  switch (k) {
    case SHL:
      rl = shl64(lo, hi, c);
      rh = oh;
      cf = bit64(lo, hi, 64 - c);
      resFlags64(cpu, rl, rh, cf, (rh >>> 31) ^ cf);
      break;
    case SHR:
      rl = shr64(lo, hi, c) | 0;
      rh = oh | 0;
      cf = bit64(lo, hi, c - 1);
      resFlags64(cpu, rl, rh, cf, c === 1 ? hi >>> 31 : 0);
      break;
    case SAR:
      if (c < 32) {
        rl = (lo >>> c) | (hi << (32 - c));
        rh = hi >> c;
      } else {
        rl = hi >> (c - 32);
        rh = hi >> 31;
      }
      cf = bit64(lo, hi, c - 1);
      resFlags64(cpu, rl, rh, cf, 0);
      break;
    case ROL: {
      const al = shl64(lo, hi, c), ah = oh;
      rl = al | shr64(lo, hi, 64 - c);
      rh = ah | oh;
      cf = rl & 1;
      rotFlags(cpu, cf, (rh >>> 31) ^ cf);
      break;
    }
    case ROR: {
      const al = shr64(lo, hi, c), ah = oh;
      rl = al | shl64(lo, hi, 64 - c);
      rh = ah | oh;
      rotFlags(cpu, rh >>> 31, ((rh >>> 31) ^ (rh >>> 30)) & 1);
      break;
    }
    case RCL: {
      const ci = cpu.getCF();
      // (x << c) | (ci << (c-1)) | (x >>> (65-c))
      const al = shl64(lo, hi, c), ah = oh;
      const bl = shr64(lo, hi, 65 - c), bh = oh;
      const cl = shl64(ci, 0, c - 1), ch = oh;
      rl = al | bl | cl;
      rh = ah | bh | ch;
      cf = bit64(lo, hi, 64 - c);
      rotFlags(cpu, cf, (rh >>> 31) ^ cf);
      break;
    }
    default: {
      // RCR: (x >>> c) | (ci << (64-c)) | (x << (65-c))
      const ci = cpu.getCF();
      const al = shr64(lo, hi, c), ah = oh;
      const bl = c === 1 ? 0 : shl64(lo, hi, 65 - c), bh = c === 1 ? 0 : oh;
      const cl = shl64(ci, 0, 64 - c), ch = oh;
      rl = al | bl | cl;
      rh = ah | bh | ch;
      cf = bit64(lo, hi, c - 1);
      rotFlags(cpu, cf, ((rh >>> 31) ^ (rh >>> 30)) & 1);
      break;
    }
  }
  cpu.hi = rh | 0;
  return rl | 0;
}

// ---- handlers ------------------------------------------------------------------------------

const BY1 = 0, BYCL = 1, BYIMM = 2;

function count(cpu: Cpu, op: Op, src: number, cmask: number): number {
  if (src === BY1) return 1;
  return (src === BYCL ? cpu.regs[2]! : op.imm) & cmask;
}

/** Register and memory handlers; the operation is kindOf(op), or `kind` when given. */
function shiftHandlers(size: number, src: number, kind = -1): [Handler, Handler] {
  const cmask = size === 8 ? 63 : 31;
  const kindOf = (op: Op): number => (kind >= 0 ? kind : op.arg);
  if (size === 8) {
    return [
      (cpu, op) => {
        const c = count(cpu, op, src, cmask);
        if (c === 0) return;
        const r = cpu.regs, d = op.rm << 1;
        const lo = shift64(cpu, kindOf(op), r[d]!, r[d + 1]!, c);
        r[d] = lo;
        r[d + 1] = cpu.hi;
      },
      (cpu, op) => {
        const a = cpu.ea(op);
        const c = count(cpu, op, src, cmask);
        const lo = cpu.rd64w(a);
        if (c === 0) return;
        const v = shift64(cpu, kindOf(op), lo, cpu.hi, c);
        cpu.wr64(a, v, cpu.hi);
      },
    ];
  }
  if (size === 4) {
    return [
      (cpu, op) => {
        const c = count(cpu, op, src, cmask);
        const r = cpu.regs, d = op.rm << 1;
        // A 32-bit register destination is written (upper half cleared) even for a count of 0.
        if (c !== 0) r[d] = shiftSmall(cpu, kindOf(op), 4, r[d]!, c);
        r[d + 1] = 0;
      },
      (cpu, op) => {
        const a = cpu.ea(op);
        const c = count(cpu, op, src, cmask);
        const x = cpu.rd32w(a);
        if (c !== 0) cpu.wr32(a, shiftSmall(cpu, kindOf(op), 4, x, c));
      },
    ];
  }
  if (size === 2) {
    return [
      (cpu, op) => {
        const c = count(cpu, op, src, cmask);
        if (c !== 0) cpu.set16(op.rm, shiftSmall(cpu, kindOf(op), 2, cpu.get16(op.rm), c));
      },
      (cpu, op) => {
        const a = cpu.ea(op);
        const c = count(cpu, op, src, cmask);
        const x = cpu.rd16w(a);
        if (c !== 0) cpu.wr16(a, shiftSmall(cpu, kindOf(op), 2, x, c));
      },
    ];
  }
  return [
    (cpu, op) => {
      const c = count(cpu, op, src, cmask);
      if (c !== 0) cpu.set8(op.rm, shiftSmall(cpu, kindOf(op), 1, cpu.get8(op.rm), c));
    },
    (cpu, op) => {
      const a = cpu.ea(op);
      const c = count(cpu, op, src, cmask);
      const x = cpu.rd8w(a);
      if (c !== 0) cpu.wr8(a, shiftSmall(cpu, kindOf(op), 1, x, c));
    },
  ];
}

for (const size of [1, 2, 4, 8]) {
  const bits = size * 8;
  const h1 = shiftHandlers(size, BY1);
  const hc = shiftHandlers(size, BYCL);
  const hi = shiftHandlers(size, BYIMM);
  for (const k of [ROL, ROR, RCL, RCR, SHL, SHR, SAR]) {
    const n = NAMES[k]!;
    def(`${n}_rm${bits}_1`, h1[0], h1[1], k);
    def(`${n}_rm${bits}_cl`, hc[0], hc[1], k);
    def(`${n}_rm${bits}_imm8`, hi[0], hi[1], k);
  }
}

// ---- fast paths: SHL SHR SAR ROL ROR on a 32/64-bit register ---------------------------------
// The same results as shiftSmall/shift64, one function per operation so each stays monomorphic;
// op.arg is the count source here (BY1, BYCL, BYIMM).

const KRES32 = K_RES[2]!, KRES64 = K_RES[3]!;

const shl32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 31;
  r[d + 1] = 0;
  if (c === 0) return;
  const x = r[d]!;
  const v = x << c;
  const cf = (x >>> (32 - c)) & 1;
  r[d] = v;
  const lf = cpu.lf;
  lf[F.K] = KRES32;
  lf[F.R] = v;
  lf[F.X] = cf | (((v >>> 31) ^ cf) << 11) | F.AF;
};
const shr32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 31;
  r[d + 1] = 0;
  if (c === 0) return;
  const x = r[d]!;
  const v = (x >>> c) | 0;
  r[d] = v;
  const lf = cpu.lf;
  lf[F.K] = KRES32;
  lf[F.R] = v;
  lf[F.X] = ((x >>> (c - 1)) & 1) | (c === 1 ? (x >>> 31) << 11 : 0) | F.AF;
};
const sar32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 31;
  r[d + 1] = 0;
  if (c === 0) return;
  const x = r[d]!;
  const v = x >> c;
  r[d] = v;
  const lf = cpu.lf;
  lf[F.K] = KRES32;
  lf[F.R] = v;
  lf[F.X] = ((x >> (c - 1)) & 1) | F.AF;
};
const rol32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 31;
  r[d + 1] = 0;
  if (c === 0) return;
  const x = r[d]!;
  const v = (x << c) | (x >>> (32 - c));
  r[d] = v;
  const cf = v & 1;
  rotFlags(cpu, cf, (v >>> 31) ^ cf);
};
const ror32r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 31;
  r[d + 1] = 0;
  if (c === 0) return;
  const x = r[d]!;
  const v = (x >>> c) | (x << (32 - c));
  r[d] = v;
  rotFlags(cpu, v >>> 31, ((v >>> 31) ^ (v >>> 30)) & 1);
};
const shl64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 63;
  if (c === 0) return;
  const lo = r[d]!, hi = r[d + 1]!;
  let rl: number, rh: number, cf: number;
  if (c < 32) {
    rl = lo << c;
    rh = (hi << c) | (lo >>> (32 - c));
    cf = (hi >>> (32 - c)) & 1;
  } else {
    rl = 0;
    rh = lo << (c - 32);
    cf = c === 32 ? hi & 1 : (lo >>> (64 - c)) & 1;
  }
  r[d] = rl;
  r[d + 1] = rh;
  const lf = cpu.lf;
  lf[F.K] = KRES64;
  lf[F.R] = rl;
  lf[F.RH] = rh;
  lf[F.X] = cf | (((rh >>> 31) ^ cf) << 11) | F.AF;
};
const shr64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 63;
  if (c === 0) return;
  const lo = r[d]!, hi = r[d + 1]!;
  let rl: number, rh: number, cf: number;
  if (c < 32) {
    rl = (lo >>> c) | (hi << (32 - c));
    rh = (hi >>> c) | 0;
    cf = (lo >>> (c - 1)) & 1;
  } else {
    rl = (hi >>> (c - 32)) | 0;
    rh = 0;
    cf = c === 32 ? lo >>> 31 : (hi >>> (c - 33)) & 1;
  }
  r[d] = rl;
  r[d + 1] = rh;
  const lf = cpu.lf;
  lf[F.K] = KRES64;
  lf[F.R] = rl;
  lf[F.RH] = rh;
  lf[F.X] = cf | (c === 1 ? (hi >>> 31) << 11 : 0) | F.AF;
};
const sar64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 63;
  if (c === 0) return;
  const lo = r[d]!, hi = r[d + 1]!;
  let rl: number, rh: number, cf: number;
  if (c < 32) {
    rl = (lo >>> c) | (hi << (32 - c));
    rh = hi >> c;
    cf = (lo >>> (c - 1)) & 1;
  } else {
    rl = hi >> (c - 32);
    rh = hi >> 31;
    cf = c === 32 ? lo >>> 31 : (hi >> (c - 33)) & 1;
  }
  r[d] = rl;
  r[d + 1] = rh;
  const lf = cpu.lf;
  lf[F.K] = KRES64;
  lf[F.R] = rl;
  lf[F.RH] = rh;
  lf[F.X] = cf | F.AF;
};
const rol64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 63;
  if (c === 0) return;
  let lo = r[d]!, hi = r[d + 1]!;
  if (c >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
  }
  const n = c & 31;
  const rl = n === 0 ? lo : (lo << n) | (hi >>> (32 - n));
  const rh = n === 0 ? hi : (hi << n) | (lo >>> (32 - n));
  r[d] = rl;
  r[d + 1] = rh;
  const cf = rl & 1;
  rotFlags(cpu, cf, (rh >>> 31) ^ cf);
};
const ror64r: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  const c = (op.arg === BY1 ? 1 : op.arg === BYCL ? r[2]! : op.imm) & 63;
  if (c === 0) return;
  let lo = r[d]!, hi = r[d + 1]!;
  if (c >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
  }
  const n = c & 31;
  const rl = n === 0 ? lo : (lo >>> n) | (hi << (32 - n));
  const rh = n === 0 ? hi : (hi >>> n) | (lo << (32 - n));
  r[d] = rl;
  r[d + 1] = rh;
  rotFlags(cpu, rh >>> 31, ((rh >>> 31) ^ (rh >>> 30)) & 1);
};

const FAST: [number, number, Handler][] = [
  [SHL, 4, shl32r], [SHR, 4, shr32r], [SAR, 4, sar32r], [ROL, 4, rol32r], [ROR, 4, ror32r],
  [SHL, 8, shl64r], [SHR, 8, shr64r], [SAR, 8, sar64r], [ROL, 8, rol64r], [ROR, 8, ror64r],
];
for (const [k, size, fast] of FAST) {
  const bits = size * 8;
  const n = NAMES[k]!;
  for (const [suffix, src] of [['1', BY1], ['cl', BYCL], ['imm8', BYIMM]] as const) {
    def(`${n}_rm${bits}_${suffix}`, fast, shiftHandlers(size, src, k)[1], src);
  }
}

// ---- SHLD / SHRD -----------------------------------------------------------------------------

const LEFT = 0, RIGHT = 1;

/** 16/32-bit double shift of d by c (1..31) with bits from s; sets flags; returns the result. */
export function dshiftSmall(cpu: Cpu, dir: number, size: number, d: number, s: number, c: number): number {
  let r: number, cf: number, of: number;
  if (size === 4) {
    if (dir === LEFT) {
      r = (d << c) | (s >>> (32 - c));
      cf = (d >>> (32 - c)) & 1;
      of = (r >>> 31) ^ cf;
    } else {
      r = (d >>> c) | (s << (32 - c));
      cf = (d >>> (c - 1)) & 1;
      of = ((r >>> 31) ^ (r >>> 30)) & 1;
    }
    resFlags(cpu, 2, r, cf, of);
    return r;
  }
  if (dir === LEFT) {
    if (c <= 16) {
      r = ((d << c) | (s >>> (16 - c))) & 0xffff;
      cf = (d >>> (16 - c)) & 1;
      of = c === 16 ? cf : ((r >>> 15) & 1) ^ cf;
    } else {
      const n = c - 16;
      r = ((s << n) | (s >>> (16 - n))) & 0xffff;
      cf = 0;
      of = 0;
    }
  } else {
    if (c <= 16) {
      r = ((d >>> c) | (s << (16 - c))) & 0xffff;
      cf = (d >>> (c - 1)) & 1;
    } else {
      const n = c - 16;
      r = ((s >>> n) | (s << (16 - n))) & 0xffff;
      cf = 0;
    }
    of = ((r >>> 15) ^ (r >>> 14)) & 1;
  }
  resFlags(cpu, 1, r, cf, of);
  return r;
}

/** 64-bit double shift by c (1..63): low half returned, high half in cpu.hi. */
export function dshift64(cpu: Cpu, dir: number, dl: number, dh: number, sl: number, sh: number, c: number): number {
  let rl: number, rh: number, cf: number, of: number;
  if (dir === LEFT) {
    const al = shl64(dl, dh, c), ah = oh;
    rl = al | shr64(sl, sh, 64 - c);
    rh = ah | oh;
    cf = bit64(dl, dh, 64 - c);
    of = (rh >>> 31) ^ cf;
  } else {
    const al = shr64(dl, dh, c), ah = oh;
    rl = al | shl64(sl, sh, 64 - c);
    rh = ah | oh;
    cf = bit64(dl, dh, c - 1);
    of = ((rh >>> 31) ^ (rh >>> 30)) & 1;
  }
  rl |= 0;
  rh |= 0;
  resFlags64(cpu, rl, rh, cf, of);
  cpu.hi = rh;
  return rl;
}

function dshiftHandlers(dir: number, size: number, byCl: boolean): [Handler, Handler] {
  const cmask = size === 8 ? 63 : 31;
  const cnt = (cpu: Cpu, op: Op): number => (byCl ? cpu.regs[2]! : op.imm) & cmask;
  if (size === 8) {
    return [
      (cpu, op) => {
        const c = cnt(cpu, op);
        if (c === 0) return;
        const r = cpu.regs, d = op.rm << 1, s = op.reg << 1;
        const lo = dshift64(cpu, dir, r[d]!, r[d + 1]!, r[s]!, r[s + 1]!, c);
        r[d] = lo;
        r[d + 1] = cpu.hi;
      },
      (cpu, op) => {
        const a = cpu.ea(op);
        const c = cnt(cpu, op);
        const lo = cpu.rd64w(a);
        if (c === 0) return;
        const r = cpu.regs, s = op.reg << 1;
        const v = dshift64(cpu, dir, lo, cpu.hi, r[s]!, r[s + 1]!, c);
        cpu.wr64(a, v, cpu.hi);
      },
    ];
  }
  if (size === 4) {
    return [
      (cpu, op) => {
        const c = cnt(cpu, op);
        const r = cpu.regs, d = op.rm << 1;
        if (c !== 0) r[d] = dshiftSmall(cpu, dir, 4, r[d]!, r[op.reg << 1]!, c);
        r[d + 1] = 0;
      },
      (cpu, op) => {
        const a = cpu.ea(op);
        const c = cnt(cpu, op);
        const x = cpu.rd32w(a);
        if (c !== 0) cpu.wr32(a, dshiftSmall(cpu, dir, 4, x, cpu.regs[op.reg << 1]!, c));
      },
    ];
  }
  return [
    (cpu, op) => {
      const c = cnt(cpu, op);
      if (c !== 0) cpu.set16(op.rm, dshiftSmall(cpu, dir, 2, cpu.get16(op.rm), cpu.get16(op.reg), c));
    },
    (cpu, op) => {
      const a = cpu.ea(op);
      const c = cnt(cpu, op);
      const x = cpu.rd16w(a);
      if (c !== 0) cpu.wr16(a, dshiftSmall(cpu, dir, 2, x, cpu.get16(op.reg), c));
    },
  ];
}

for (const size of [2, 4, 8]) {
  const bits = size * 8;
  for (const [name, dir] of [['Shld', LEFT], ['Shrd', RIGHT]] as const) {
    const hi = dshiftHandlers(dir, size, false);
    const hc = dshiftHandlers(dir, size, true);
    def(`${name}_rm${bits}_r${bits}_imm8`, hi[0], hi[1]);
    def(`${name}_rm${bits}_r${bits}_cl`, hc[0], hc[1]);
  }
}
