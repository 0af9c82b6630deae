// Data transfer: MOV (all general forms), MOVZX/MOVSX/MOVSXD, CMOVcc, XCHG, BSWAP, XADD,
// CMPXCHG, CMPXCHG8B/16B, LEA, CBW/CWDE/CDQE, CWD/CDQ/CQO, MOVBE, MOV from Sreg.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import { REG_RIP } from '../../../isa/instr';
import { alu32, alu64, aluSmall, SUB, ADD } from './alu';
import * as F from '../flags';


const TWO32 = 4294967296;

export const CC_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

// ---- generic operand access by size ----------------------------------------------------------

/** Reads the r/m operand of `size` bytes (8: low half returned, high half in cpu.hi). */
export function readRm(cpu: Cpu, op: Op, size: number): number {
  if (op.rm >= 0) return cpu.getReg8to64(op.rm, size);
  const a = cpu.ea(op);
  return size === 8 ? cpu.rd64(a) : size === 4 ? cpu.rd32(a) : size === 2 ? cpu.rd16(a) : cpu.rd8(a);
}
/** Writes the r/m operand of `size` bytes (hi used for 8). */
export function writeRm(cpu: Cpu, op: Op, size: number, lo: number, hi: number): void {
  if (op.rm >= 0) return cpu.setRegSized(op.rm, size, lo, hi);
  const a = cpu.ea(op);
  if (size === 8) cpu.wr64(a, lo, hi);
  else if (size === 4) cpu.wr32(a, lo);
  else if (size === 2) cpu.wr16(a, lo);
  else cpu.wr8(a, lo);
}
/** Memory read of `size` bytes at a (8: high half in cpu.hi). */
export function readMem(cpu: Cpu, a: number, size: number): number {
  return size === 8 ? cpu.rd64(a) : size === 4 ? cpu.rd32(a) : size === 2 ? cpu.rd16(a) : cpu.rd8(a);
}
export function readMemW(cpu: Cpu, a: number, size: number): number {
  return size === 8 ? cpu.rd64w(a) : size === 4 ? cpu.rd32w(a) : size === 2 ? cpu.rd16w(a) : cpu.rd8w(a);
}
export function writeMem(cpu: Cpu, a: number, size: number, lo: number, hi: number): void {
  if (size === 8) cpu.wr64(a, lo, hi);
  else if (size === 4) cpu.wr32(a, lo);
  else if (size === 2) cpu.wr16(a, lo);
  else cpu.wr8(a, lo);
}

// ---- MOV -------------------------------------------------------------------------------------

// 64-bit (exported: the run loop calls the hottest handlers directly)
export const movRR64: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1, s = op.reg << 1;
  r[d] = r[s]!;
  r[d + 1] = r[s + 1]!;
};
export const movRRRev64: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.reg << 1, s = op.rm << 1;
  r[d] = r[s]!;
  r[d + 1] = r[s + 1]!;
};
export const movStore64: Handler = (cpu, op) => {
  const r = cpu.regs, s = op.reg << 1;
  cpu.wr64(cpu.ea(op), r[s]!, r[s + 1]!);
};
export const movLoad64: Handler = (cpu, op) => {
  const lo = cpu.rd64(cpu.ea(op));
  const r = cpu.regs, d = op.reg << 1;
  r[d] = lo;
  r[d + 1] = cpu.hi;
};
export const movStore32: Handler = (cpu, op) => cpu.wr32(cpu.ea(op), cpu.regs[op.reg << 1]!);
export const movLoad32: Handler = (cpu, op) => {
  const v = cpu.rd32(cpu.ea(op));
  const r = cpu.regs, d = op.reg << 1;
  r[d] = v;
  r[d + 1] = 0;
};
export const movRR32: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.rm << 1;
  r[d] = r[op.reg << 1]!;
  r[d + 1] = 0;
};
export const movRRRev32: Handler = (cpu, op) => {
  const r = cpu.regs, d = op.reg << 1;
  r[d] = r[op.rm << 1]!;
  r[d + 1] = 0;
};
def('Mov_rm64_r64', movRR64, movStore64);
def('Mov_r64_rm64', movRRRev64, movLoad64);
def('Mov_r64_imm64', (cpu, op) => cpu.set64(op.reg, op.imm, op.immHi));
def('Mov_rm64_imm32', (cpu, op) => cpu.set64(op.rm, op.imm, op.immHi), (cpu, op) => cpu.wr64(cpu.ea(op), op.imm, op.immHi));
// 32-bit
def('Mov_rm32_r32', movRR32, movStore32);
def('Mov_r32_rm32', movRRRev32, movLoad32);
def('Mov_r32_imm32', (cpu, op) => cpu.set32(op.reg, op.imm));
def('Mov_rm32_imm32', (cpu, op) => cpu.set32(op.rm, op.imm), (cpu, op) => cpu.wr32(cpu.ea(op), op.imm));
// 16-bit
def('Mov_rm16_r16', (cpu, op) => cpu.set16(op.rm, cpu.get16(op.reg)), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.get16(op.reg)));
def('Mov_r16_rm16', (cpu, op) => cpu.set16(op.reg, cpu.get16(op.rm)), (cpu, op) => cpu.set16(op.reg, cpu.rd16(cpu.ea(op))));
def('Mov_r16_imm16', (cpu, op) => cpu.set16(op.reg, op.imm));
def('Mov_rm16_imm16', (cpu, op) => cpu.set16(op.rm, op.imm), (cpu, op) => cpu.wr16(cpu.ea(op), op.imm));
// 8-bit
export const movStore8: Handler = (cpu, op) => cpu.wr8(cpu.ea(op), cpu.get8(op.reg));
def('Mov_rm8_r8', (cpu, op) => cpu.set8(op.rm, cpu.get8(op.reg)), movStore8);
def('Mov_r8_rm8', (cpu, op) => cpu.set8(op.reg, cpu.get8(op.rm)), (cpu, op) => cpu.set8(op.reg, cpu.rd8(cpu.ea(op))));
def('Mov_r8_imm8', (cpu, op) => cpu.set8(op.reg, op.imm));
def('Mov_rm8_imm8', (cpu, op) => cpu.set8(op.rm, op.imm), (cpu, op) => cpu.wr8(cpu.ea(op), op.imm));
// moffs
def('Mov_al_moffs8', (cpu, op) => cpu.set8(0, cpu.rd8(cpu.ea(op))));
def('Mov_ax_moffs16', (cpu, op) => cpu.set16(0, cpu.rd16(cpu.ea(op))));
def('Mov_eax_moffs32', (cpu, op) => cpu.set32(0, cpu.rd32(cpu.ea(op))));
def('Mov_rax_moffs64', (cpu, op) => {
  const lo = cpu.rd64(cpu.ea(op));
  cpu.set64(0, lo, cpu.hi);
});
def('Mov_moffs8_al', (cpu, op) => cpu.wr8(cpu.ea(op), cpu.get8(0)));
def('Mov_moffs16_ax', (cpu, op) => cpu.wr16(cpu.ea(op), cpu.get16(0)));
def('Mov_moffs32_eax', (cpu, op) => cpu.wr32(cpu.ea(op), cpu.regs[0]!));
def('Mov_moffs64_rax', (cpu, op) => cpu.wr64(cpu.ea(op), cpu.regs[0]!, cpu.regs[1]!));

// MOV from a segment register: a register destination gets the zero-extended selector.
def('Mov_rm16_sreg', (cpu, op) => cpu.set16(op.rm, cpu.segSel[op.reg]!), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.segSel[op.reg]!));
def('Mov_r32m16_sreg', (cpu, op) => cpu.set32(op.rm, cpu.segSel[op.reg]!), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.segSel[op.reg]!));
def('Mov_r64m16_sreg', (cpu, op) => cpu.set64(op.rm, cpu.segSel[op.reg]!, 0), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.segSel[op.reg]!));

// ---- MOVZX / MOVSX / MOVSXD -----------------------------------------------------------------

function extend(dst: number, src: number, signed: boolean): Handler {
  const ds = dst / 8, ss = src / 8;
  return (cpu, op) => {
    let v = readRm(cpu, op, ss);
    if (signed) v = ss === 1 ? (v << 24) >> 24 : ss === 2 ? (v << 16) >> 16 : v;
    else v = ss === 1 ? v & 0xff : ss === 2 ? v & 0xffff : v;
    if (ds === 8) cpu.set64(op.reg, v, signed ? v >> 31 : 0);
    else if (ds === 4) cpu.set32(op.reg, v);
    else cpu.set16(op.reg, v);
  };
}
// The common ones without the generic paths.
export const movzx32_8r: Handler = (cpu, op) => cpu.set32(op.reg, cpu.get8(op.rm));
export const movzx32_8m: Handler = (cpu, op) => cpu.set32(op.reg, cpu.rd8(cpu.ea(op)));
const movzx32_16r: Handler = (cpu, op) => cpu.set32(op.reg, cpu.regs[op.rm << 1]! & 0xffff);
const movzx32_16m: Handler = (cpu, op) => cpu.set32(op.reg, cpu.rd16(cpu.ea(op)));
const movsx32_8m: Handler = (cpu, op) => cpu.set32(op.reg, (cpu.rd8(cpu.ea(op)) << 24) >> 24);
const movsxd64r: Handler = (cpu, op) => {
  const v = cpu.regs[op.rm << 1]!;
  cpu.set64(op.reg, v, v >> 31);
};
const movsxd64m: Handler = (cpu, op) => {
  const v = cpu.rd32(cpu.ea(op));
  cpu.set64(op.reg, v, v >> 31);
};
for (const d of [16, 32, 64]) {
  def(`Movzx_r${d}_rm8`, extend(d, 8, false));
  def(`Movsx_r${d}_rm8`, extend(d, 8, true));
  def(`Movzx_r${d}_rm16`, extend(d, 16, false));
  def(`Movsx_r${d}_rm16`, extend(d, 16, true));
}
def('Movsxd_r64_rm32', movsxd64r, movsxd64m);
def('Movzx_r32_rm8', movzx32_8r, movzx32_8m);
def('Movzx_r32_rm16', movzx32_16r, movzx32_16m);
def('Movsx_r32_rm8', extend(32, 8, true), movsx32_8m);
def('Movsxd_r32_rm32', extend(32, 32, false));
def('Movsxd_r16_rm16', extend(16, 16, false));

// ---- CMOVcc ----------------------------------------------------------------------------------
// The source is read (and may fault) whatever the condition; a 32-bit destination is
// zero-extended even when the condition is false.

const cmov64: Handler = (cpu, op) => {
  const lo = readRm(cpu, op, 8);
  const hi = cpu.hi;
  if (cpu.cond(op.arg)) cpu.set64(op.reg, lo, hi);
};
const cmov32: Handler = (cpu, op) => {
  const v = readRm(cpu, op, 4);
  cpu.set32(op.reg, cpu.cond(op.arg) ? v : cpu.regs[op.reg << 1]!);
};
const cmov16: Handler = (cpu, op) => {
  const v = readRm(cpu, op, 2);
  if (cpu.cond(op.arg)) cpu.set16(op.reg, v);
};
for (let cc = 0; cc < 16; cc++) {
  const n = CC_NAMES[cc]!;
  def(`Cmov${n}_r64_rm64`, cmov64, cc);
  def(`Cmov${n}_r32_rm32`, cmov32, cc);
  def(`Cmov${n}_r16_rm16`, cmov16, cc);
}

// ---- XCHG ------------------------------------------------------------------------------------

function xchg(size: number, acc: boolean): Handler {
  return (cpu, op) => {
    if (acc || op.rm >= 0) {
      const x = acc ? 0 : op.rm;
      const y = op.reg;
      const xl = cpu.getReg8to64(x, size), xh = cpu.hi;
      const yl = cpu.getReg8to64(y, size), yh = cpu.hi;
      cpu.setRegSized(x, size, yl, yh);
      cpu.setRegSized(y, size, xl, xh);
      return;
    }
    const a = cpu.ea(op);
    const ml = readMemW(cpu, a, size), mh = cpu.hi;
    const rl = cpu.getReg8to64(op.reg, size), rh = cpu.hi;
    writeMem(cpu, a, size, rl, rh);
    cpu.setRegSized(op.reg, size, ml, mh);
  };
}
def('Xchg_ax_r16', xchg(2, true));
def('Xchg_eax_r32', xchg(4, true));
def('Xchg_rax_r64', xchg(8, true));
def('Xchg_rm8_r8', xchg(1, false));
def('Xchg_rm16_r16', xchg(2, false));
def('Xchg_rm32_r32', xchg(4, false));
def('Xchg_rm64_r64', xchg(8, false));

// ---- BSWAP -----------------------------------------------------------------------------------

export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}
// BSWAP r16 is undefined in the SDM; this machine's CPU (like others) clears the 16 bits.
def('Bswap_r16', (cpu, op) => cpu.set16(op.reg, 0));
def('Bswap_r32', (cpu, op) => cpu.set32(op.reg, bswap32(cpu.regs[op.reg << 1]!)));
def('Bswap_r64', (cpu, op) => {
  const r = cpu.regs, d = op.reg << 1;
  const lo = r[d]!, hi = r[d + 1]!;
  r[d] = bswap32(hi);
  r[d + 1] = bswap32(lo);
});

// ---- MOVBE -----------------------------------------------------------------------------------

const swap16 = (v: number): number => ((v >> 8) & 0xff) | ((v & 0xff) << 8);
def('Movbe_r16_m16', (cpu, op) => cpu.set16(op.reg, swap16(cpu.rd16(cpu.ea(op)))));
def('Movbe_r32_m32', (cpu, op) => cpu.set32(op.reg, bswap32(cpu.rd32(cpu.ea(op)))));
def('Movbe_r64_m64', (cpu, op) => {
  const lo = cpu.rd64(cpu.ea(op));
  cpu.set64(op.reg, bswap32(cpu.hi), bswap32(lo));
});
def('Movbe_m16_r16', (cpu, op) => cpu.wr16(cpu.ea(op), swap16(cpu.get16(op.reg))));
def('Movbe_m32_r32', (cpu, op) => cpu.wr32(cpu.ea(op), bswap32(cpu.regs[op.reg << 1]!)));
def('Movbe_m64_r64', (cpu, op) => {
  const r = cpu.regs, s = op.reg << 1;
  cpu.wr64(cpu.ea(op), bswap32(r[s + 1]!), bswap32(r[s]!));
});

// ---- XADD ------------------------------------------------------------------------------------

function add(cpu: Cpu, size: number, al: number, ah: number, bl: number, bh: number): number {
  if (size === 8) return alu64(cpu, ADD, al, ah, bl, bh);
  if (size === 4) return alu32(cpu, ADD, al, bl);
  return aluSmall(cpu, ADD, size === 2 ? 1 : 0, al, bl);
}
function xadd(size: number): Handler {
  return (cpu, op) => {
    const sl = cpu.getReg8to64(op.reg, size), sh = cpu.hi;
    if (op.rm >= 0) {
      const dl = cpu.getReg8to64(op.rm, size), dh = cpu.hi;
      const rl = add(cpu, size, dl, dh, sl, sh), rh = cpu.hi;
      cpu.setRegSized(op.reg, size, dl, dh);
      cpu.setRegSized(op.rm, size, rl, rh);
      return;
    }
    const a = cpu.ea(op);
    const dl = readMemW(cpu, a, size), dh = cpu.hi;
    const rl = add(cpu, size, dl, dh, sl, sh), rh = cpu.hi;
    writeMem(cpu, a, size, rl, rh); // cannot fault: read with write intent
    cpu.setRegSized(op.reg, size, dl, dh);
  };
}
def('Xadd_rm8_r8', xadd(1));
def('Xadd_rm16_r16', xadd(2));
def('Xadd_rm32_r32', xadd(4));
def('Xadd_rm64_r64', xadd(8));

// ---- CMPXCHG ---------------------------------------------------------------------------------

function cmpxchg(size: number): Handler {
  return (cpu, op) => {
    const al = cpu.getReg8to64(0, size), ah = cpu.hi;
    const mem = op.rm < 0;
    const a = mem ? cpu.ea(op) : 0;
    const dl = mem ? readMemW(cpu, a, size) : cpu.getReg8to64(op.rm, size);
    const dh = cpu.hi;
    const sl = cpu.getReg8to64(op.reg, size), sh = cpu.hi;
    // Compare first (without recording) so a faulting write leaves the flags alone.
    const eq = size === 8 ? al === dl && ah === dh : al === dl;
    if (mem) writeMem(cpu, a, size, eq ? sl : dl, eq ? sh : dh);
    if (size === 8) alu64(cpu, SUB, al, ah, dl, dh);
    else if (size === 4) alu32(cpu, SUB, al, dl);
    else aluSmall(cpu, SUB, size === 2 ? 1 : 0, al, dl);
    if (eq) {
      if (!mem) cpu.setRegSized(op.rm, size, sl, sh);
    } else {
      cpu.setRegSized(0, size, dl, dh);
    }
  };
}
def('Cmpxchg_rm8_r8', cmpxchg(1));
def('Cmpxchg_rm16_r16', cmpxchg(2));
def('Cmpxchg_rm32_r32', cmpxchg(4));
def('Cmpxchg_rm64_r64', cmpxchg(8));

/** Sets ZF only (the other flags are unchanged). */
function setZF(cpu: Cpu, z: boolean): void {
  const f = cpu.getFlags();
  cpu.setArith(z ? f | F.ZF : f & ~F.ZF);
}

def('Cmpxchg8b_m64', (cpu, op) => {
  const a = cpu.ea(op);
  const lo = cpu.rd64w(a), hi = cpu.hi;
  const r = cpu.regs;
  const eq = lo === r[0] && hi === r[4];
  if (eq) cpu.wr64(a, r[6]!, r[2]!);
  else cpu.wr64(a, lo, hi);
  setZF(cpu, eq);
  if (!eq) {
    cpu.set32(0, lo);
    cpu.set32(2, hi);
  }
});
def('Cmpxchg16b_m128', (cpu, op) => {
  const a = cpu.ea(op);
  if (a % 16 !== 0) cpu.gp(0);
  const l0 = cpu.rd64w(a), l1 = cpu.hi;
  const h0 = cpu.rd64w(a + 8), h1 = cpu.hi;
  const r = cpu.regs;
  const eq = l0 === r[0] && l1 === r[1] && h0 === r[4] && h1 === r[5];
  if (eq) {
    cpu.wr64(a, r[6]!, r[7]!);
    cpu.wr64(a + 8, r[2]!, r[3]!);
  } else {
    cpu.wr64(a, l0, l1);
    cpu.wr64(a + 8, h0, h1);
  }
  setZF(cpu, eq);
  if (!eq) {
    cpu.set64(0, l0, l1);
    cpu.set64(2, h0, h1);
  }
});

// ---- LEA -------------------------------------------------------------------------------------

/** The effective address (no segment base) as int32 halves: low returned, high in cpu.hi. */
export function leaHalves(cpu: Cpu, op: Op): number {
  const r = cpu.regs;
  let lo = op.dispLo >>> 0;
  let hi = op.dispHi;
  const b = op.base;
  if (b >= 0) {
    if (b === REG_RIP) {
      const ip = cpu.ip;
      const il = ip >>> 0;
      lo += il;
      hi += (ip - il) / TWO32;
    } else {
      lo += r[b << 1]! >>> 0;
      hi += r[(b << 1) + 1]!;
    }
  }
  const x = op.index;
  if (x >= 0) {
    const m = 1 << op.scale;
    lo += (r[x << 1]! >>> 0) * m;
    hi += r[(x << 1) + 1]! * m;
  }
  // lo < 2^36 and non-negative: the carry is its integer part over 2^32.
  const carry = Math.floor(lo / TWO32);
  lo -= carry * TWO32;
  hi = (hi + carry) | 0;
  if (op.addrSize === 4) hi = 0;
  else if (op.addrSize === 2) {
    lo &= 0xffff;
    hi = 0;
  }
  cpu.hi = hi;
  return lo | 0;
}
/** LEA r64: [base + disp] and [base + index*scale + disp] on 64-bit registers in halves. */
export const lea64: Handler = (cpu, op) => {
  const lo = leaHalves(cpu, op);
  cpu.set64(op.reg, lo, cpu.hi);
};
def('Lea_r64_m', lea64);
def('Lea_r32_m', (cpu, op) => cpu.set32(op.reg, leaHalves(cpu, op)));
def('Lea_r16_m', (cpu, op) => cpu.set16(op.reg, leaHalves(cpu, op)));

// ---- CBW CWDE CDQE CWD CDQ CQO -------------------------------------------------------------

def('Cbw', (cpu) => cpu.set16(0, (cpu.regs[0]! << 24) >> 24));
def('Cwde', (cpu) => cpu.set32(0, (cpu.regs[0]! << 16) >> 16));
def('Cdqe', (cpu) => cpu.set64(0, cpu.regs[0]!, cpu.regs[0]! >> 31));
def('Cwd', (cpu) => cpu.set16(2, (cpu.regs[0]! << 16) >> 31));
def('Cdq', (cpu) => cpu.set32(2, cpu.regs[0]! >> 31));
def('Cqo', (cpu) => cpu.set64(2, cpu.regs[1]! >> 31, cpu.regs[1]! >> 31));


