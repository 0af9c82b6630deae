// MUL, IMUL (one, two and three operands), DIV, IDIV (#DE on a zero divisor or a quotient
// that does not fit). Flags as this machine's CPU (AMD Zen) leaves them: MUL/IMUL set CF=OF and
// keep SF ZF AF PF; DIV/IDIV keep CF OF, set AF and clear SF ZF PF (all "undefined" in the SDM).

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import { Vec } from '../../memory/mmu';
import * as F from '../flags';
import { readRm } from './datamov';

const TWO32 = 4294967296;

/** Scratch results: r[0..3] little-endian 32-bit limbs (as uint32 numbers). */
const r = new Float64Array(4);

/** Unsigned 32x32 -> 64: low in r[0], high in r[1]. */
function mulu32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0;
  const mid = a0 * b1 + a1 * b0 + (p00 >>> 16);
  r[0] = ((((mid % 65536) << 16) | (p00 & 0xffff)) >>> 0);
  r[1] = a1 * b1 + Math.floor(mid / 65536);
}

/** Unsigned 64x64 -> 128 into r[0..3]. a = (ah, al), b = (bh, bl) as uint32 numbers. */
function mulu64(al: number, ah: number, bl: number, bh: number): void {
  mulu32(al, bl);
  const p0l = r[0]!, p0h = r[1]!;
  mulu32(al, bh);
  const p1l = r[0]!, p1h = r[1]!;
  mulu32(ah, bl);
  const p2l = r[0]!, p2h = r[1]!;
  mulu32(ah, bh);
  const p3l = r[0]!, p3h = r[1]!;
  const s1 = p0h + p1l + p2l;
  const c1 = Math.floor(s1 / TWO32);
  const s2 = p1h + p2h + p3l + c1;
  const c2 = Math.floor(s2 / TWO32);
  r[0] = p0l;
  r[1] = s1 - c1 * TWO32;
  r[2] = s2 - c2 * TWO32;
  r[3] = p3h + c2;
}

/** Sets CF=OF=`of`, keeping SF ZF AF PF. */
function mulFlags(cpu: Cpu, of: boolean): void {
  const f = cpu.getFlags() & ~(F.CF | F.OF);
  cpu.setArith(of ? f | F.CF | F.OF : f);
}

// ---- MUL / IMUL one operand --------------------------------------------------------------------

function mul1(size: number, signed: boolean): Handler {
  return (cpu, op) => {
    const src = readRm(cpu, op, size);
    const srcHi = cpu.hi;
    const g = cpu.regs;
    if (size === 1) {
      const a = g[0]! & 0xff;
      const p = signed ? ((a << 24) >> 24) * ((src << 24) >> 24) : a * (src & 0xff);
      cpu.set16(0, p);
      const of = signed ? p !== (p << 24) >> 24 : p > 0xff;
      mulFlags(cpu, of);
    } else if (size === 2) {
      const a = g[0]! & 0xffff;
      const p = signed ? ((a << 16) >> 16) * ((src << 16) >> 16) : a * (src & 0xffff);
      cpu.set16(0, p);
      cpu.set16(2, p >> 16);
      const of = signed ? p !== (p << 16) >> 16 : p > 0xffff;
      mulFlags(cpu, of);
    } else if (size === 4) {
      const a = g[0]!;
      mulu32(a >>> 0, src >>> 0);
      let lo = r[0]! | 0, hi = r[1]!;
      if (signed) {
        if (a < 0) hi -= src >>> 0;
        if (src < 0) hi -= a >>> 0;
      }
      hi |= 0;
      cpu.set32(0, lo);
      cpu.set32(2, hi);
      mulFlags(cpu, signed ? hi !== lo >> 31 : hi !== 0);
    } else {
      const al = g[0]!, ah = g[1]!;
      mulu64(al >>> 0, ah >>> 0, src >>> 0, srcHi >>> 0);
      let h0 = r[2]!, h1 = r[3]!;
      if (signed) {
        // Signed product: subtract the other operand from the high half for each negative one.
        if (ah < 0) {
          sub64(h0, h1, src >>> 0, srcHi >>> 0);
          h0 = t0;
          h1 = t1;
        }
        if (srcHi < 0) {
          sub64(h0, h1, al >>> 0, ah >>> 0);
          h0 = t0;
          h1 = t1;
        }
      }
      const l0 = r[0]! | 0, l1 = r[1]! | 0;
      cpu.set64(0, l0, l1);
      cpu.set64(2, h0 | 0, h1 | 0);
      const of = signed ? (h0 | 0) !== l1 >> 31 || (h1 | 0) !== l1 >> 31 : (h0 !== 0 || h1 !== 0);
      mulFlags(cpu, of);
    }
  };
}
/** Scratch pair written by sub64/neg64 (no allocation). */
let t0 = 0, t1 = 0;
function sub64(xl: number, xh: number, yl: number, yh: number): void {
  let lo = xl - yl;
  let borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  let hi = xh - yh - borrow;
  if (hi < 0) hi += TWO32;
  t0 = lo;
  t1 = hi;
}

for (const bits of [8, 16, 32, 64]) {
  def(`Mul_rm${bits}`, mul1(bits / 8, false));
  def(`Imul_rm${bits}`, mul1(bits / 8, true));
}

// ---- IMUL two and three operands ---------------------------------------------------------------

/** dst = a * b truncated to size; CF=OF when the signed result does not fit. */
function imulTrunc(cpu: Cpu, op: Op, size: number, al: number, ah: number, bl: number, bh: number): void {
  if (size === 2) {
    const p = ((al << 16) >> 16) * ((bl << 16) >> 16);
    cpu.set16(op.reg, p);
    mulFlags(cpu, p !== (p << 16) >> 16);
  } else if (size === 4) {
    const lo = Math.imul(al, bl);
    cpu.set32(op.reg, lo);
    // The double product is exact whenever it fits in 32 bits, and far from lo otherwise.
    mulFlags(cpu, (al | 0) * (bl | 0) !== lo);
  } else {
    mulu64(al >>> 0, ah >>> 0, bl >>> 0, bh >>> 0);
    let h0 = r[2]!, h1 = r[3]!;
    const l0 = r[0]! | 0, l1 = r[1]! | 0;
    if (ah < 0) {
      sub64(h0, h1, bl >>> 0, bh >>> 0);
      h0 = t0;
      h1 = t1;
    }
    if (bh < 0) {
      sub64(h0, h1, al >>> 0, ah >>> 0);
      h0 = t0;
      h1 = t1;
    }
    cpu.set64(op.reg, l0, l1);
    mulFlags(cpu, (h0 | 0) !== l1 >> 31 || (h1 | 0) !== l1 >> 31);
  }
}

for (const bits of [16, 32, 64]) {
  const size = bits / 8;
  def(`Imul_r${bits}_rm${bits}`, (cpu, op) => {
    const bl = readRm(cpu, op, size), bh = cpu.hi;
    const al = cpu.getReg8to64(op.reg, size), ah = size === 8 ? cpu.regs[(op.reg << 1) + 1]! : 0;
    imulTrunc(cpu, op, size, al, ah, bl, bh);
  });
  const immBits = bits === 64 ? 32 : bits;
  const three: Handler = (cpu, op) => {
    const al = readRm(cpu, op, size), ah = cpu.hi;
    imulTrunc(cpu, op, size, al, ah, op.imm, op.immHi);
  };
  def(`Imul_r${bits}_rm${bits}_imm8`, three);
  def(`Imul_r${bits}_rm${bits}_imm${immBits}`, three);
}

// ---- DIV / IDIV ------------------------------------------------------------------------------

function divFlags(cpu: Cpu): void {
  const f = cpu.getFlags();
  cpu.setArith((f & (F.CF | F.OF)) | F.AF);
}

/** Unsigned (n3 n2 n1 n0) / (dh dl), all uint32 numbers, requiring (n3 n2) < (dh dl).
 * Quotient in r[0], r[1]; remainder in r[2], r[3]. */
function divu128(n3: number, n2: number, n1: number, n0: number, dh: number, dl: number): void {
  if (n3 === 0 && dh === 0 && n2 < 0x100000) {
    // Dividend < 2^84 with a 32-bit divisor: long division in base 2^16 on exact doubles.
    let rem = n2;
    let q = 0;
    const chunks = [n1 >>> 16, n1 & 0xffff, n0 >>> 16, n0 & 0xffff];
    let qh = 0;
    for (let i = 0; i < 4; i++) {
      const cur = rem * 65536 + chunks[i]!;
      const qd = Math.floor(cur / dl);
      rem = cur - qd * dl;
      if (i < 2) qh = qh * 65536 + qd;
      else q = q * 65536 + qd;
    }
    r[0] = q;
    r[1] = qh;
    r[2] = rem;
    r[3] = 0;
    return;
  }
  // Restoring division, one bit at a time, remainder (rh rl) < divisor.
  let rh = n3, rl = n2;
  let qh = 0, ql = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (n1 >>> (i - 32)) & 1 : (n0 >>> i) & 1;
    const top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | bit) >>> 0;
    const ge = top === 1 || rh > dh || (rh === dh && rl >= dl);
    if (ge) {
      let lo = rl - dl;
      let b = 0;
      if (lo < 0) {
        lo += TWO32;
        b = 1;
      }
      rh = (rh - dh - b) >>> 0;
      rl = lo;
      if (i >= 32) qh = (qh | (1 << (i - 32))) >>> 0;
      else ql = (ql | (1 << i)) >>> 0;
    }
  }
  r[0] = ql;
  r[1] = qh;
  r[2] = rl;
  r[3] = rh;
}

function div(size: number, signed: boolean): Handler {
  return (cpu, op) => {
    const sl = readRm(cpu, op, size), sh = cpu.hi;
    const g = cpu.regs;
    if (size === 1 || size === 2) {
      const bits = size * 8;
      const n = size === 1 ? g[0]! & 0xffff : ((g[4]! & 0xffff) << 16 | (g[0]! & 0xffff)) >>> 0;
      let d = size === 1 ? sl & 0xff : sl & 0xffff;
      if (d === 0) cpu.fault(Vec.DE);
      let nn = n;
      if (signed) {
        nn = size === 1 ? (n << 16) >> 16 : n | 0;
        d = size === 1 ? (d << 24) >> 24 : (d << 16) >> 16;
      }
      const q = Math.trunc(nn / d);
      const rem = nn - q * d;
      const lim = 1 << (bits - 1);
      if (signed ? q < -lim || q >= lim : q >= 2 * lim) cpu.fault(Vec.DE);
      if (size === 1) cpu.set16(0, (q & 0xff) | ((rem & 0xff) << 8));
      else {
        cpu.set16(0, q);
        cpu.set16(2, rem);
      }
      divFlags(cpu);
      return;
    }
    if (size === 4) {
      let nh = g[4]! >>> 0, nl = g[0]! >>> 0, d = sl >>> 0;
      if (d === 0) cpu.fault(Vec.DE);
      let negN = false, negD = false;
      if (signed) {
        negN = (nh | 0) < 0;
        negD = sl < 0;
        if (negN) {
          neg64(nl, nh);
          nl = t0;
          nh = t1;
        }
        if (negD) d = (-sl) >>> 0;
      }
      if (nh >= d) cpu.fault(Vec.DE);
      const qd = divSmall(nh, nl, d);
      let q = qd, rem = divRem;
      if (signed) {
        const neg = negN !== negD;
        if (neg ? q > 0x80000000 : q > 0x7fffffff) cpu.fault(Vec.DE);
        if (neg) q = -q;
        if (negN) rem = -rem;
      }
      cpu.set32(0, q | 0);
      cpu.set32(2, rem | 0);
      divFlags(cpu);
      return;
    }
    // 64-bit: RDX:RAX / src
    let n3 = g[5]! >>> 0, n2 = g[4]! >>> 0, n1 = g[1]! >>> 0, n0 = g[0]! >>> 0;
    let dh = sh >>> 0, dl = sl >>> 0;
    if ((dh | dl) === 0) cpu.fault(Vec.DE);
    let negN = false, negD = false;
    if (signed) {
      negN = (n3 | 0) < 0;
      negD = (dh | 0) < 0;
      if (negN) {
        neg64(n0, n1);
        const borrow = n0 === 0 && n1 === 0 ? 0 : 1;
        n0 = t0;
        n1 = t1;
        neg64(n2, n3);
        n2 = t0;
        n3 = t1;
        if (borrow === 0) {
          // -(x * 2^64) only: high part negates exactly (no borrow from the low part)
        } else {
          // subtract the borrow: high = ~high_orig (i.e. neg - 1)
          n2 = n2 === 0 ? TWO32 - 1 : n2 - 1;
          if (n2 === TWO32 - 1) n3 = n3 === 0 ? TWO32 - 1 : n3 - 1;
        }
      }
      if (negD) {
        neg64(dl, dh);
        dl = t0;
        dh = t1;
      }
    }
    if (n3 > dh || (n3 === dh && n2 >= dl)) cpu.fault(Vec.DE);
    divu128(n3, n2, n1, n0, dh, dl);
    let ql = r[0]!, qh = r[1]!, rl = r[2]!, rh = r[3]!;
    if (signed) {
      const neg = negN !== negD;
      if (neg ? qh > 0x80000000 || (qh === 0x80000000 && ql !== 0) : qh > 0x7fffffff) cpu.fault(Vec.DE);
      if (neg) {
        neg64(ql, qh);
        ql = t0;
        qh = t1;
      }
      if (negN) {
        neg64(rl, rh);
        rl = t0;
        rh = t1;
      }
    }
    cpu.set64(0, ql | 0, qh | 0);
    cpu.set64(2, rl | 0, rh | 0);
    divFlags(cpu);
  };
}

let divRem = 0;
/** (nh * 2^32 + nl) / d for nh < d < 2^32: quotient returned, remainder in divRem. */
function divSmall(nh: number, nl: number, d: number): number {
  let rem = nh;
  let q = 0;
  for (let i = 0; i < 2; i++) {
    const cur = rem * 65536 + (i === 0 ? nl >>> 16 : nl & 0xffff);
    const qd = Math.floor(cur / d);
    rem = cur - qd * d;
    q = q * 65536 + qd;
  }
  divRem = rem;
  return q;
}

/** Two's complement negation of a 64-bit value (uint32 halves) into t0, t1. */
function neg64(lo: number, hi: number): void {
  t0 = (TWO32 - lo) % TWO32;
  t1 = (TWO32 - hi - (lo === 0 ? 0 : 1)) % TWO32;
}

for (const bits of [8, 16, 32, 64]) {
  def(`Div_rm${bits}`, div(bits / 8, false));
  def(`Idiv_rm${bits}`, div(bits / 8, true));
}
