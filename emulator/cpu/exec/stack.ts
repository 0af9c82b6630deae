// PUSH / POP (registers, memory, immediates), PUSHF / POPF.

import type { Cpu } from '../cpu';
import type { Handler } from '../op';
import { def } from '../registry';

// ---- PUSH ------------------------------------------------------------------------------------

def('Push_r64', (cpu, op) => {
  const r = cpu.regs, s = op.reg << 1;
  cpu.push64(r[s]!, r[s + 1]!);
});
def('Push_r16', (cpu, op) => cpu.push16(cpu.get16(op.reg)));
def('Push_r32', (cpu, op) => cpu.push32(cpu.regs[op.reg << 1]!));
def('Push_rm64',
  (cpu, op) => {
    const r = cpu.regs, s = op.rm << 1;
    cpu.push64(r[s]!, r[s + 1]!);
  },
  (cpu, op) => {
    const lo = cpu.rd64(cpu.ea(op));
    cpu.push64(lo, cpu.hi);
  });
def('Push_rm32', (cpu, op) => cpu.push32(op.rm >= 0 ? cpu.regs[op.rm << 1]! : cpu.rd32(cpu.ea(op))));
def('Push_rm16', (cpu, op) => cpu.push16(op.rm >= 0 ? cpu.get16(op.rm) : cpu.rd16(cpu.ea(op))));
const pushImm64: Handler = (cpu, op) => cpu.push64(op.imm, op.immHi);
def('Pushq_imm8', pushImm64);
def('Pushq_imm32', pushImm64);
def('Pushd_imm8', (cpu, op) => cpu.push32(op.imm));
def('Pushd_imm32', (cpu, op) => cpu.push32(op.imm));
def('Pushw_imm8', (cpu, op) => cpu.push16(op.imm & 0xffff));
def('Push_imm16', (cpu, op) => cpu.push16(op.imm & 0xffff));

// ---- POP -------------------------------------------------------------------------------------

def('Pop_r64', (cpu, op) => {
  const lo = cpu.pop64();
  cpu.set64(op.reg, lo, cpu.hi);
});
def('Pop_r16', (cpu, op) => cpu.set16(op.reg, cpu.pop16()));
def('Pop_r32', (cpu, op) => cpu.set32(op.reg, cpu.pop32()));

/** POP r/m to memory: the address is computed with RSP already incremented; faults restore RSP. */
function popMem(size: number): Handler {
  return (cpu, op) => {
    if (op.rm >= 0) {
      if (size === 8) {
        const lo = cpu.pop64();
        cpu.set64(op.rm, lo, cpu.hi);
      } else if (size === 4) cpu.set32(op.rm, cpu.pop32());
      else cpu.set16(op.rm, cpu.pop16());
      return;
    }
    const r = cpu.regs;
    const s0 = r[8]!, s1 = r[9]!;
    let lo: number, hi = 0;
    if (size === 8) {
      lo = cpu.pop64();
      hi = cpu.hi;
    } else lo = size === 4 ? cpu.pop32() : cpu.pop16();
    try {
      const a = cpu.ea(op);
      if (size === 8) cpu.wr64(a, lo, hi);
      else if (size === 4) cpu.wr32(a, lo);
      else cpu.wr16(a, lo);
    } catch (e) {
      r[8] = s0;
      r[9] = s1;
      throw e;
    }
  };
}
def('Pop_rm64', popMem(8));
def('Pop_rm32', popMem(4));
def('Pop_rm16', popMem(2));

// ---- PUSHF / POPF ----------------------------------------------------------------------------

/** The RFLAGS image PUSHF stores: VM and RF cleared. */
function pushfImage(cpu: Cpu): number {
  return cpu.getFlags() & ~0x30000;
}
def('Pushfq', (cpu) => cpu.push64(pushfImage(cpu), 0));
def('Pushfd', (cpu) => cpu.push32(pushfImage(cpu)));
def('Pushf', (cpu) => cpu.push16(pushfImage(cpu) & 0xffff));

/**
 * The flags POPF loads from `v`: CPL 0 may change IOPL and IF; CPL <= IOPL may change IF;
 * VM, VIF, VIP are kept; RF is cleared. `width` 2 keeps the upper 16 bits.
 */
export function popfValue(cpu: Cpu, v: number, width: number): number {
  const old = cpu.getFlags();
  let mask = 0x257fd5; // ID AC NT IOPL OF DF IF TF SF ZF AF PF CF
  const iopl = (old >> 12) & 3;
  if (cpu.cpl > 0) mask &= ~0x3000;
  if (cpu.cpl > iopl) mask &= ~0x200;
  if (width === 2) mask &= 0xffff;
  return ((old & ~mask & ~0x10000) | (v & mask)) >>> 0;
}
def('Popfq', (cpu) => {
  const v = cpu.peekStack(0, 8);
  const f = popfValue(cpu, v, 8);
  cpu.adjustSp(8);
  cpu.setFlags(f);
});
def('Popfd', (cpu) => {
  const v = cpu.peekStack(0, 4);
  const f = popfValue(cpu, v, 4);
  cpu.adjustSp(4);
  cpu.setFlags(f);
});
def('Popf', (cpu) => {
  const v = cpu.peekStack(0, 2);
  const f = popfValue(cpu, v, 2);
  cpu.adjustSp(2);
  cpu.setFlags(f);
});
