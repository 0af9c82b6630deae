// Flag control (STC CLC CMC STD CLD STI CLI LAHF SAHF), SETcc, NOP/PAUSE/fences/prefetch,
// UD0/UD1/UD2, CPUID, RDTSC/RDTSCP, HLT, XLATB.

import type { Handler, Op } from '../op';
import type { Cpu } from '../cpu';
import { def } from '../registry';
import { CC_NAMES } from './datamov';
import { cpuid } from './cpuid';
import * as F from '../flags';

// ---- flag control ----------------------------------------------------------------------------

def('Stc', (cpu) => cpu.setArith(cpu.getFlags() | F.CF));
def('Clc', (cpu) => cpu.setArith(cpu.getFlags() & ~F.CF));
def('Cmc', (cpu) => cpu.setArith(cpu.getFlags() ^ F.CF));
def('Std', (cpu) => {
  cpu.flagsReg |= 0x400;
});
def('Cld', (cpu) => {
  cpu.flagsReg &= ~0x400;
});
def('Cli', (cpu) => {
  if (cpu.cpl > ((cpu.flagsReg >> 12) & 3)) cpu.gp(0);
  cpu.flagsReg &= ~0x200;
});
def('Sti', (cpu) => {
  if (cpu.cpl > ((cpu.flagsReg >> 12) & 3)) cpu.gp(0);
  if ((cpu.flagsReg & 0x200) === 0) {
    // Interrupts stay inhibited until after the next instruction.
    cpu.interruptShadow = cpu.instructionCount + 1;
    cpu.flagsReg |= 0x200;
    cpu.attention();
  }
});
def('Lahf', (cpu) => cpu.set8(16, (cpu.getFlags() & 0xd5) | 2));
def('Sahf', (cpu) => {
  const f = cpu.getFlags();
  cpu.setArith((f & ~0xd5) | (cpu.get8(16) & 0xd5));
});

// ---- SETcc -----------------------------------------------------------------------------------

function put(cpu: Cpu, op: Op, v: boolean): void {
  if (op.rm >= 0) cpu.set8(op.rm, v ? 1 : 0);
  else cpu.wr8(cpu.ea(op), v ? 1 : 0);
}
// One function per condition (its test inlines).
const SETCC: Handler[] = [
  (cpu, op) => put(cpu, op, F.condO(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condNO(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condB(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condAE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condNE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condBE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condA(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condS(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condNS(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condP(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condNP(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condL(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condGE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condLE(cpu.lf, cpu.flagsReg)),
  (cpu, op) => put(cpu, op, F.condG(cpu.lf, cpu.flagsReg)),
];
for (let cc = 0; cc < 16; cc++) def(`Set${CC_NAMES[cc]}_rm8`, SETCC[cc]!, cc);

// ---- no-ops ----------------------------------------------------------------------------------

const nop: Handler = () => {};
for (const id of ['Nop', 'Nop_rm16', 'Nop_rm32', 'Nop_rm64', 'Pause', 'Lfence', 'Mfence', 'Sfence',
  'Prefetchnta_m8', 'Prefetcht0_m8', 'Prefetcht1_m8', 'Prefetcht2_m8', 'Prefetchw_m8', 'Endbr64', 'Endbr32']) def(id, nop);
// CLFLUSH checks the address like a read.
def('Clflush_m8', (cpu, op) => void cpu.rd8(cpu.ea(op)));

const ud: Handler = (cpu) => cpu.ud();
for (const id of ['Ud0_r32_rm32', 'Ud1_r32_rm32', 'Ud2']) def(id, ud);

// ---- CPUID / RDTSC / HLT ---------------------------------------------------------------------

const out = new Int32Array(4);
/** IA32_APIC_BASE at reset: the local APIC at 0xFEE00000, enabled, this CPU the BSP (exec/system.ts). */
const APIC_BASE_RESET = 0xfee00900n;
def('Cpuid', (cpu) => {
  const r = cpu.regs;
  cpuid(r[0]!, r[2]!, cpu.physBits, out);
  // Leaf 1 EDX.APIC (bit 9) follows IA32_APIC_BASE.EN (bit 11), as on hardware.
  if (r[0] === 1 && ((cpu.msrs.get(0x1b) ?? APIC_BASE_RESET) & 0x800n) !== 0n) out[3] = out[3]! | (1 << 9);
  cpu.set32(0, out[0]!);
  cpu.set32(3, out[1]!);
  cpu.set32(1, out[2]!);
  cpu.set32(2, out[3]!);
});

const TWO32 = 4294967296;
/** TSC: the guest time (one tick per retired instruction). */
function tsc(count: number): [number, number] {
  return [count % TWO32 | 0, Math.floor(count / TWO32) | 0];
}
def('Rdtsc', (cpu) => {
  if ((cpu.cr4 & 4) !== 0 && cpu.cpl > 0) cpu.gp(0);
  const [lo, hi] = tsc(cpu.instructionCount);
  cpu.set32(0, lo);
  cpu.set32(2, hi);
});
def('Rdtscp', (cpu) => {
  if ((cpu.cr4 & 4) !== 0 && cpu.cpl > 0) cpu.gp(0);
  const [lo, hi] = tsc(cpu.instructionCount);
  cpu.set32(0, lo);
  cpu.set32(2, hi);
  cpu.set32(1, Number((cpu.msrs.get(0xc0000103) ?? 0n) & 0xffffffffn) | 0);
});

def('Hlt', (cpu) => {
  cpu.halted = true;
  cpu.attention();
});

// ---- XLATB -----------------------------------------------------------------------------------

def('Xlatb', (cpu, op) => {
  const r = cpu.regs;
  const al = r[0]! & 0xff;
  let a: number;
  if (op.addrSize === 8) a = r[7]! * TWO32 + (r[6]! >>> 0) + al;
  else if (op.addrSize === 4) a = ((r[6]! >>> 0) + al) >>> 0;
  else a = (r[6]! + al) & 0xffff;
  if (op.segment >= 4 || cpu.bits !== 64) a += cpu.segBase[op.segment]!;
  cpu.set8(0, cpu.rd8(a));
});
