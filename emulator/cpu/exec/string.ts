// String instructions: MOVS CMPS SCAS LODS STOS at 8/16/32/64 bits, with REP / REPE / REPNE.
//
// Operands: the source is seg:rSI (DS unless overridden; in 64-bit mode only an FS/GS override
// has a base), the destination ES:rDI (no override). The address size (67 prefix) picks RSI/RDI/
// RCX, ESI/EDI/ECX (written zero-extended, as the hardware does) or SI/DI/CX (16-bit, merged).
// DF selects the direction. With F3 or F2, MOVS/LODS/STOS repeat rCX times (F2 acts as REP, as on
// the hardware); CMPS/SCAS repeat while rCX != 0 and ZF = 1 (F3, REPE) / ZF = 0 (F2, REPNE).
// rCX = 0 does nothing.
//
// Faults are precise per iteration: a fault in iteration k leaves rSI, rDI, rCX, the flags (CMPS/
// SCAS: those of iteration k-1's comparison) and rAX (LODS) as they were after iteration k-1, and
// RIP at the instruction, so it restarts where it stopped (the run loop restores RIP; registers
// are written back here before the fault goes on). A fault in the first iteration changes
// nothing (with a 67 prefix, rSI/rDI/rCX keep their upper halves then).
//
// Long REPs and the instruction count: one execution of a REP instruction performs at most
// REP_CHUNK iterations (1 while TF is set, so a single-step trap can follow each iteration). If
// rCX is not exhausted by then (and a REPE/REPNE condition did not end it), RIP is left at the
// instruction and the run loop counts one retired instruction; the next execution continues. So a
// REP instruction counts as ceil(iterations / REP_CHUNK) instructions (at least 1): deterministic,
// it depends only on the guest's state, and the run loop regains control (events, interrupts,
// breakpoints, run(n) limits) at least every REP_CHUNK iterations. A REP of fewer than REP_CHUNK
// iterations (any ordinary memcpy/memset/strlen) completes within one step().
//
// Fast paths: REP MOVS and REP STOS copy or fill whole runs of elements with typed-array
// operations while neither address crosses a page boundary and both are in RAM (one translation
// per page, so faults stay precise at the page where they happen). Overlapping MOVS keeps the
// element-by-element semantics: a forward byte copy onto an overlapping higher destination
// replicates the pattern as the hardware does; other overlapping cases that memmove would get
// wrong go element by element.
//
// INS/OUTS (and IN/OUT) are not here: the Cpu has no I/O bus yet.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import { Acc } from '../../memory/mmu';
import { alu32, alu64, aluSmall, CMP } from './alu';

/** Maximum iterations of a REP string instruction per execution (see the header). */
export const REP_CHUNK = 1 << 18;

const TWO32 = 4294967296;
const P_REP = 1 << 1; // F3
const P_REPNE = 1 << 2; // F2
const DF = 0x400;
const TF = 0x100;

const RSI = 6, RDI = 7;

// ---- registers by address size (also used by INS/OUTS in io.ts) ---------------------------------------------------------------

/** rSI/rDI by address size: 8 -> signed 64-bit value as a number, 4 -> u32, 2 -> u16. */
export function getIdx(cpu: Cpu, reg: number, as: number): number {
  const r = cpu.regs;
  if (as === 8) return r[(reg << 1) + 1]! * TWO32 + (r[reg << 1]! >>> 0);
  return as === 4 ? r[reg << 1]! >>> 0 : r[reg << 1]! & 0xffff;
}
/** Writes rSI/rDI by address size (4: zero-extended; 2: merged). */
export function setIdx(cpu: Cpu, reg: number, as: number, v: number): void {
  const r = cpu.regs;
  if (as === 8) {
    const hi = Math.floor(v / TWO32);
    r[reg << 1] = (v - hi * TWO32) | 0;
    r[(reg << 1) + 1] = hi | 0;
  } else if (as === 4) {
    r[reg << 1] = v | 0;
    r[(reg << 1) + 1] = 0;
  } else {
    r[reg << 1] = (r[reg << 1]! & ~0xffff) | (v & 0xffff);
  }
}
/** Advances an index by `step` bytes, wrapping to the address size. */
export function adv(x: number, step: number, as: number): number {
  return as === 8 ? x + step : as === 4 ? (x + step) >>> 0 : (x + step) & 0xffff;
}
/** rCX by address size, as a number (values >= 2^53 are capped: only the iterations done matter). */
export function getCount(cpu: Cpu, as: number): number {
  const r = cpu.regs;
  if (as === 8) return Math.min((r[3]! >>> 0) * TWO32 + (r[2]! >>> 0), 2 ** 53);
  return as === 4 ? r[2]! >>> 0 : r[2]! & 0xffff;
}
/** rCX -= n (exact, n <= REP_CHUNK), by address size. */
export function subCount(cpu: Cpu, as: number, n: number): void {
  if (n === 0) return;
  const r = cpu.regs;
  if (as === 8) {
    let lo = (r[2]! >>> 0) - n;
    let hi = r[3]!;
    if (lo < 0) {
      lo += TWO32;
      hi = (hi - 1) | 0;
    }
    r[2] = lo | 0;
    r[3] = hi;
  } else if (as === 4) {
    r[2] = ((r[2]! >>> 0) - n) | 0;
    r[3] = 0;
  } else {
    r[2] = (r[2]! & ~0xffff) | (((r[2]! & 0xffff) - n) & 0xffff);
  }
}

/** Linear address of the source seg:rSI for index value x. */
export function srcLin(cpu: Cpu, op: Op, x: number): number {
  const seg = op.segment;
  if (cpu.bits === 64) return seg >= 4 ? x + cpu.segBase[seg]! : x;
  return (x + cpu.segBase[seg]!) >>> 0;
}
/** Linear address of the destination ES:rDI. */
export function dstLin(cpu: Cpu, x: number): number {
  return cpu.bits === 64 ? x : (x + cpu.segBase[0]!) >>> 0;
}

function rd(cpu: Cpu, a: number, size: number): number {
  return size === 1 ? cpu.rd8(a) : size === 2 ? cpu.rd16(a) : size === 4 ? cpu.rd32(a) : cpu.rd64(a);
}
function wr(cpu: Cpu, a: number, size: number, lo: number, hi: number): void {
  if (size === 1) cpu.wr8(a, lo);
  else if (size === 2) cpu.wr16(a, lo);
  else if (size === 4) cpu.wr32(a, lo);
  else cpu.wr64(a, lo, hi);
}

/** Iterations allowed in this execution. */
function budget(cpu: Cpu): number {
  return (cpu.flagsReg & TF) !== 0 ? 1 : REP_CHUNK;
}

/**
 * How many whole elements from linear address `lin` on, moving by `step` (+-size), stay inside
 * its page (0 when the first element crosses the page boundary).
 */
function inPage(lin: number, size: number, step: number): number {
  const o = lin & 0xfff;
  if (o + size > 4096) return 0;
  return step > 0 ? Math.floor((4096 - o) / size) : Math.floor(o / size) + 1;
}
/** Elements before an index of address size `as` wraps (Infinity for 64-bit addressing). */
function noWrap(x: number, size: number, step: number, as: number): number {
  if (as === 8) return Infinity;
  const lim = as === 4 ? TWO32 : 65536;
  return step > 0 ? Math.floor((lim - x) / size) : Math.floor(x / size) + 1;
}

// ---- MOVS ----------------------------------------------------------------------------------

function movs(size: number): Handler {
  return (cpu, op) => {
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    let si = getIdx(cpu, RSI, as);
    let di = getIdx(cpu, RDI, as);
    if ((op.prefixes & (P_REP | P_REPNE)) === 0) {
      const lo = rd(cpu, srcLin(cpu, op, si), size);
      wr(cpu, dstLin(cpu, di), size, lo, cpu.hi);
      setIdx(cpu, RSI, as, adv(si, step, as));
      setIdx(cpu, RDI, as, adv(di, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, budget(cpu));
    let done = 0;
    try {
      while (done < max) {
        const sl = srcLin(cpu, op, si);
        const dl = dstLin(cpu, di);
        let n = Math.min(max - done, inPage(sl, size, step), inPage(dl, size, step));
        if (as !== 8) n = Math.min(n, noWrap(si, size, step, as), noWrap(di, size, step, as));
        if (n > 1 && bulkMove(cpu, sl, dl, n, size, step)) {
          si = adv(si, n * step, as);
          di = adv(di, n * step, as);
          done += n;
          continue;
        }
        const lo = rd(cpu, sl, size);
        wr(cpu, dl, size, lo, cpu.hi);
        si = adv(si, step, as);
        di = adv(di, step, as);
        done++;
      }
    } finally {
      if (done > 0) {
        setIdx(cpu, RSI, as, si);
        setIdx(cpu, RDI, as, di);
        subCount(cpu, as, done);
      }
    }
    if (done < total) cpu.ip = cpu.opIp;
  };
}

/**
 * Copies n elements (n >= 2) within one source page and one destination page, if both are RAM
 * and the copy can be done with the element-by-element semantics; false to go element by element.
 * Translates the source first, then the destination (the order of the element's accesses).
 */
function bulkMove(cpu: Cpu, sl: number, dl: number, n: number, size: number, step: number): boolean {
  const user = cpu.cpl === 3;
  const ps = cpu.translate(sl, Acc.R, user);
  const pd = cpu.translate(dl, Acc.W, user);
  const len = n * size;
  const ram = cpu.ramSize;
  // Lowest byte of each run.
  const s0 = step > 0 ? ps : ps - (len - size);
  const d0 = step > 0 ? pd : pd - (len - size);
  if (s0 < 0 || s0 + len > ram || d0 < 0 || d0 + len > ram) return false;
  const u8 = cpu.u8;
  const overlap = d0 < s0 + len && s0 < d0 + len && d0 !== s0;
  if (!overlap || (step > 0 && d0 < s0) || (step < 0 && d0 > s0)) {
    // Disjoint, or a direction in which memmove gives the element-by-element result.
    u8.copyWithin(d0, s0, s0 + len);
  } else if (step > 0 && size === 1) {
    // Forward byte copy onto a higher overlapping destination: the pattern repeats every dist.
    const dist = d0 - s0;
    if (dist < 32) for (let i = 0; i < len; i++) u8[d0 + i] = u8[s0 + i]!;
    else for (let i = 0; i < len; i += dist) u8.copyWithin(d0 + i, s0 + i, s0 + i + Math.min(dist, len - i));
  } else {
    return false;
  }
  if (cpu.codeMap[d0 >>> 12] !== 0) cpu.code.written(d0, len);
  return true;
}

// ---- STOS ----------------------------------------------------------------------------------

function stos(size: number): Handler {
  return (cpu, op) => {
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    const r = cpu.regs;
    const lo = size === 1 ? r[0]! & 0xff : size === 2 ? r[0]! & 0xffff : r[0]!;
    const hi = r[1]!;
    let di = getIdx(cpu, RDI, as);
    if ((op.prefixes & (P_REP | P_REPNE)) === 0) {
      wr(cpu, dstLin(cpu, di), size, lo, hi);
      setIdx(cpu, RDI, as, adv(di, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, budget(cpu));
    let done = 0;
    try {
      while (done < max) {
        const dl = dstLin(cpu, di);
        let n = Math.min(max - done, inPage(dl, size, step));
        if (as !== 8) n = Math.min(n, noWrap(di, size, step, as));
        if (n > 1 && bulkFill(cpu, dl, n, size, step, lo, hi)) {
          di = adv(di, n * step, as);
          done += n;
          continue;
        }
        wr(cpu, dl, size, lo, hi);
        di = adv(di, step, as);
        done++;
      }
    } finally {
      if (done > 0) {
        setIdx(cpu, RDI, as, di);
        subCount(cpu, as, done);
      }
    }
    if (done < total) cpu.ip = cpu.opIp;
  };
}

/** Fills n elements (n >= 2) within one destination page if it is RAM; false otherwise. */
function bulkFill(cpu: Cpu, dl: number, n: number, size: number, step: number, lo: number, hi: number): boolean {
  const pd = cpu.translate(dl, Acc.W, cpu.cpl === 3);
  const len = n * size;
  const d0 = step > 0 ? pd : pd - (len - size);
  if (d0 < 0 || d0 + len > cpu.ramSize) return false;
  const b = lo & 0xff;
  let same: boolean;
  if (size === 1) same = true;
  else if (size === 2) same = (lo & 0xffff) === b * 0x101;
  else {
    same = lo === ((b * 0x01010101) | 0);
    if (size === 8) same = same && hi === lo;
  }
  if (same) cpu.u8.fill(b, d0, d0 + len);
  else {
    const dv = cpu.dv;
    if (size === 2) for (let i = 0; i < len; i += 2) dv.setUint16(d0 + i, lo, true);
    else if (size === 4) for (let i = 0; i < len; i += 4) dv.setInt32(d0 + i, lo, true);
    else
      for (let i = 0; i < len; i += 8) {
        dv.setInt32(d0 + i, lo, true);
        dv.setInt32(d0 + i + 4, hi, true);
      }
  }
  if (cpu.codeMap[d0 >>> 12] !== 0) cpu.code.written(d0, len);
  return true;
}

// ---- LODS ----------------------------------------------------------------------------------

function setAcc(cpu: Cpu, size: number, lo: number, hi: number): void {
  const r = cpu.regs;
  if (size === 1) r[0] = (r[0]! & ~0xff) | lo;
  else if (size === 2) r[0] = (r[0]! & ~0xffff) | lo;
  else {
    r[0] = lo;
    r[1] = size === 8 ? hi : 0;
  }
}

function lods(size: number): Handler {
  return (cpu, op) => {
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    let si = getIdx(cpu, RSI, as);
    if ((op.prefixes & (P_REP | P_REPNE)) === 0) {
      const lo = rd(cpu, srcLin(cpu, op, si), size);
      setAcc(cpu, size, lo, cpu.hi);
      setIdx(cpu, RSI, as, adv(si, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, budget(cpu));
    let done = 0;
    try {
      while (done < max) {
        const lo = rd(cpu, srcLin(cpu, op, si), size);
        setAcc(cpu, size, lo, cpu.hi);
        si = adv(si, step, as);
        done++;
      }
    } finally {
      if (done > 0) {
        setIdx(cpu, RSI, as, si);
        subCount(cpu, as, done);
      }
    }
    if (done < total) cpu.ip = cpu.opIp;
  };
}

// ---- CMPS / SCAS ---------------------------------------------------------------------------

/** Records the flags of CMP a, b (a and b masked to the size; 64-bit: with high halves). */
function cmpFlags(cpu: Cpu, size: number, a: number, ah: number, b: number, bh: number): void {
  if (size === 8) alu64(cpu, CMP, a, ah, b, bh);
  else if (size === 4) alu32(cpu, CMP, a, b);
  else aluSmall(cpu, CMP, size === 2 ? 1 : 0, a, b);
}

/** CMPS (scas = false: compares seg:rSI with ES:rDI) or SCAS (rAX with ES:rDI). */
function cmpString(size: number, scas: boolean): Handler {
  return (cpu, op) => {
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    const r = cpu.regs;
    const accLo = size === 1 ? r[0]! & 0xff : size === 2 ? r[0]! & 0xffff : r[0]!;
    const accHi = r[1]!;
    let si = scas ? 0 : getIdx(cpu, RSI, as);
    let di = getIdx(cpu, RDI, as);
    const rep = op.prefixes & (P_REP | P_REPNE);
    if (rep === 0) {
      let a: number, ah = 0;
      if (scas) {
        a = accLo;
        ah = accHi;
      } else {
        a = rd(cpu, srcLin(cpu, op, si), size);
        ah = cpu.hi;
      }
      const b = rd(cpu, dstLin(cpu, di), size);
      cmpFlags(cpu, size, a, ah, b, cpu.hi);
      if (!scas) setIdx(cpu, RSI, as, adv(si, step, as));
      setIdx(cpu, RDI, as, adv(di, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, budget(cpu));
    const whileEqual = rep === P_REP;
    let done = 0;
    // a, b: the last pair compared by a completed iteration (the flags come from it, also when
    // a later iteration faults: each iteration updates the flags).
    let a = accLo, ah = accHi, b = 0, bh = 0;
    let x = accLo, xh = accHi;
    let ended = false;
    try {
      while (done < max) {
        if (!scas) {
          x = rd(cpu, srcLin(cpu, op, si), size);
          xh = cpu.hi;
        }
        const y = rd(cpu, dstLin(cpu, di), size);
        a = x;
        ah = xh;
        b = y;
        bh = cpu.hi;
        if (!scas) si = adv(si, step, as);
        di = adv(di, step, as);
        done++;
        const eq = a === b && (size !== 8 || ah === bh);
        if (eq !== whileEqual) {
          ended = true;
          break;
        }
      }
    } finally {
      if (done > 0) {
        if (!scas) setIdx(cpu, RSI, as, si);
        setIdx(cpu, RDI, as, di);
        subCount(cpu, as, done);
        cmpFlags(cpu, size, a, ah, b, bh);
      }
    }
    if (!ended && done < total) cpu.ip = cpu.opIp;
  };
}

// ---- registration ----------------------------------------------------------------------------

const SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' };
for (const size of [1, 2, 4, 8]) {
  const x = SUFFIX[size]!;
  def(`Movs${x}`, movs(size));
  def(`Stos${x}`, stos(size));
  def(`Lods${x}`, lods(size));
  def(`Cmps${x}`, cmpString(size, false));
  def(`Scas${x}`, cmpString(size, true));
}
