// Bit test and scan: BT BTS BTR BTC (register and imm8 bit offsets), BSF BSR, POPCNT, LZCNT,
// TZCNT. (SETcc is in misc.ts.)
//
// BT*: only CF changes (this machine's CPU leaves OF SF AF PF, undefined in the manual, as they
// were). With a memory operand and a register bit offset, the offset is a signed operand-size
// integer: the operand-size word at ea + size * (offset >> log2(8 * size)) (arithmetic shift) is
// accessed, bit offset & (8 * size - 1) of it. An imm8 offset is taken modulo the operand width.
//
// BSF/BSR: a zero source sets ZF and leaves the destination unchanged (a 32-bit destination keeps
// its upper half too: nothing is written), as this CPU does. Undefined flags as measured on it:
// CF OF SF AF = 0, PF = parity of the result (of 0 for a zero source).
// LZCNT/TZCNT: CF = (source == 0), ZF = (result == 0); OF unchanged, SF AF PF = 0 (measured).
// POPCNT: ZF = (source == 0), the other five cleared.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import * as F from '../flags';
import { cpuidFeatures } from './cpuid';

export const BT = 0, BTS = 1, BTR = 2, BTC = 3;
const BT_NAMES = ['Bt', 'Bts', 'Btr', 'Btc'];

/** Sets CF to bit b (0/1), leaving the other flags. */
function setCF(cpu: Cpu, b: number): void {
  cpu.setArith((cpu.getFlags() & ~F.CF) | b);
}

/** Applies BT* operation k to bit n of the 32-bit pattern v; sets CF; returns the new pattern. */
function btOp(cpu: Cpu, k: number, v: number, n: number): number {
  const m = 1 << n;
  setCF(cpu, (v >>> n) & 1);
  return k === BT ? v : k === BTS ? v | m : k === BTR ? v & ~m : v ^ m;
}

/**
 * Linear address of the operand-size word holding the bit: ea + delta bytes, wrapped to the
 * address size (the segment base is added after the wrap, as for any effective address).
 */
function bitAddr(cpu: Cpu, op: Op, delta: number): number {
  const a = cpu.ea(op);
  if (delta === 0) return a;
  if (op.addrSize === 8) return a + delta;
  const seg = cpu.bits === 64 && op.segment < 4 ? 0 : cpu.segBase[op.segment]!;
  let off = a - seg + delta;
  off = op.addrSize === 4 ? off >>> 0 : off & 0xffff;
  return cpu.bits === 64 ? off + seg : (off + seg) >>> 0;
}

/** Handlers for BT* (k) at `size` bytes with a register (useReg) or imm8 bit offset. */
function btHandlers(k: number, size: number, useReg: boolean): [Handler, Handler] {
  const bits = size * 8;
  const reg: Handler = (cpu, op) => {
    const n = (useReg ? cpu.regs[op.reg << 1]! : op.imm) & (bits - 1);
    const r = cpu.regs;
    const d = op.rm << 1;
    if (size === 8) {
      const hiHalf = n >= 32;
      const i = hiHalf ? d + 1 : d;
      const v = btOp(cpu, k, r[i]!, n & 31);
      if (k !== BT) r[i] = v;
    } else if (size === 4) {
      const v = btOp(cpu, k, r[d]!, n);
      if (k !== BT) cpu.set32(op.rm, v);
    } else {
      const v = btOp(cpu, k, cpu.get16(op.rm), n);
      if (k !== BT) cpu.set16(op.rm, v);
    }
  };
  const mem: Handler = (cpu, op) => {
    let n: number;
    let delta = 0;
    if (useReg) {
      const r = cpu.regs;
      const s = op.reg << 1;
      if (size === 8) {
        const lo = r[s]!, hi = r[s + 1]!;
        n = lo & 63;
        // (hi:lo) >> 6, as a number (exact while the address can be canonical), times 8.
        delta = (hi * 67108864 + (lo >>> 6)) * 8;
      } else if (size === 4) {
        const v = r[s]!;
        n = v & 31;
        delta = (v >> 5) * 4;
      } else {
        const v = (r[s]! << 16) >> 16;
        n = v & 15;
        delta = (v >> 4) * 2;
      }
    } else {
      n = op.imm & (bits - 1);
    }
    const a = bitAddr(cpu, op, delta);
    if (size === 8) {
      // Only the dword holding the bit changes, but the access is 8 bytes wide.
      const w = k !== BT;
      const lo = w ? cpu.rd64w(a) : cpu.rd64(a);
      const hi = cpu.hi;
      if (n >= 32) {
        const v = btOp(cpu, k, hi, n - 32);
        if (w) cpu.wr64(a, lo, v);
      } else {
        const v = btOp(cpu, k, lo, n);
        if (w) cpu.wr64(a, v, hi);
      }
    } else if (size === 4) {
      if (k === BT) btOp(cpu, k, cpu.rd32(a), n);
      else cpu.wr32(a, btOp(cpu, k, cpu.rd32w(a), n));
    } else {
      if (k === BT) btOp(cpu, k, cpu.rd16(a), n);
      else cpu.wr16(a, btOp(cpu, k, cpu.rd16w(a), n));
    }
  };
  return [reg, mem];
}

for (let k = BT; k <= BTC; k++) {
  for (const size of [2, 4, 8]) {
    const bits = size * 8;
    const r = btHandlers(k, size, true);
    const i = btHandlers(k, size, false);
    def(`${BT_NAMES[k]}_rm${bits}_r${bits}`, r[0], r[1]);
    def(`${BT_NAMES[k]}_rm${bits}_imm8`, i[0], i[1]);
  }
}

// ---- source operand ----------------------------------------------------------------------------

/** Reads the r/m source of `size` bytes (8: low half returned, high half in cpu.hi). */
function src(cpu: Cpu, op: Op, size: number): number {
  if (op.rm >= 0) {
    const r = cpu.regs, i = op.rm << 1;
    if (size === 8) {
      cpu.hi = r[i + 1]!;
      return r[i]!;
    }
    return size === 4 ? r[i]! : r[i]! & 0xffff;
  }
  const a = cpu.ea(op);
  return size === 8 ? cpu.rd64(a) : size === 4 ? cpu.rd32(a) : cpu.rd16(a);
}

/** Writes a 16/32/64-bit destination register. */
function dst(cpu: Cpu, r: number, size: number, v: number): void {
  if (size === 8) cpu.set64(r, v, 0);
  else if (size === 4) cpu.set32(r, v);
  else cpu.set16(r, v);
}

/** Index of the lowest set bit of hi:lo (nonzero). */
function lowest(lo: number, hi: number): number {
  return lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
}
/** Index of the highest set bit of hi:lo (nonzero). */
function highest(lo: number, hi: number): number {
  return hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
}

// ---- BSF / BSR -----------------------------------------------------------------------------------

function bsx(size: number, reverse: boolean): Handler {
  return (cpu, op) => {
    const lo = src(cpu, op, size);
    const hi = size === 8 ? cpu.hi : 0;
    if (lo === 0 && hi === 0) {
      cpu.setArith(F.ZF | F.PF);
      return;
    }
    const n = reverse ? highest(lo, hi) : lowest(lo, hi);
    dst(cpu, op.reg, size, n);
    cpu.setArith(F.PARITY[n]!);
  };
}

// ---- POPCNT / LZCNT / TZCNT ----------------------------------------------------------------------

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function popcnt(size: number): Handler {
  return (cpu, op) => {
    const lo = src(cpu, op, size);
    const hi = size === 8 ? cpu.hi : 0;
    const n = popcount32(lo) + popcount32(hi);
    dst(cpu, op.reg, size, n);
    cpu.setArith(n === 0 ? F.ZF : 0);
  };
}

function lzcnt(size: number): Handler {
  return (cpu, op) => {
    const lo = src(cpu, op, size);
    let n: number;
    if (size === 8) {
      const hi = cpu.hi;
      n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    } else n = Math.clz32(lo) - (32 - size * 8);
    dst(cpu, op.reg, size, n);
    const full = n === size * 8;
    cpu.setArith((cpu.getFlags() & F.OF) | (full ? F.CF : 0) | (n === 0 ? F.ZF : 0));
  };
}

function tzcnt(size: number): Handler {
  return (cpu, op) => {
    const lo = src(cpu, op, size);
    const hi = size === 8 ? cpu.hi : 0;
    const bits = size * 8;
    const n = lo === 0 && hi === 0 ? bits : lowest(lo, hi);
    dst(cpu, op.reg, size, n);
    cpu.setArith((cpu.getFlags() & F.OF) | (n === bits ? F.CF : 0) | (n === 0 ? F.ZF : 0));
  };
}

for (const size of [2, 4, 8]) {
  const b = size * 8;
  def(`Bsf_r${b}_rm${b}`, bsx(size, false));
  def(`Bsr_r${b}_rm${b}`, bsx(size, true));
  def(`Popcnt_r${b}_rm${b}`, popcnt(size));
  def(`Lzcnt_r${b}_rm${b}`, lzcnt(size));
  def(`Tzcnt_r${b}_rm${b}`, tzcnt(size));
}

// CPUID: POPCNT (leaf 1 ECX bit 23), LZCNT/ABM (leaf 0x80000001 ECX bit 5). TZCNT belongs to BMI1
// (leaf 7 EBX bit 3), which also promises the VEX-encoded ANDN/BEXTR/BLS*: not advertised here.
cpuidFeatures.l1ecx |= 1 << 23;
cpuidFeatures.e1ecx |= 1 << 5;
