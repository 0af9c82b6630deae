// System instructions of 64-bit mode: descriptor-table registers, control and debug registers,
// CLTS, INVLPG, INVD/WBINVD, LMSW/SMSW. Privileged forms are marked cpl0 in the table, so the
// CPU has already raised #GP(0) at CPL > 0 when these handlers run.

import type { Cpu } from '../cpu';
import type { Op } from '../op';
import { def } from '../registry';
import { cpuidFeatures } from './cpuid';
import { Vec, CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_SMEP, EFER_LMA, EFER_LME } from '../../memory/mmu';

const TWO32 = 4294967296;
const CANON = 140737488355328;

function canonical(v: number): boolean {
  return v >= -CANON && v < CANON;
}
/** lo/hi int32 halves as a (sign-extended) number. */
function num(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

// ---- descriptor-table registers ----------------------------------------------------------------

function loadTable(cpu: Cpu, op: Op, idt: boolean): void {
  if (cpu.bits !== 64) return loadTable32(cpu, op, idt);
  const a = cpu.ea(op);
  const limit = cpu.rd16(a);
  const lo = cpu.rd64(a + 2);
  const base = num(lo, cpu.hi);
  if (!canonical(base)) cpu.gp(0);
  setTable(cpu, idt, base, limit);
}
/** IDTR or GDTR := base, limit. */
function setTable(cpu: Cpu, idt: boolean, base: number, limit: number): void {
  if (idt) {
    cpu.idtBase = base;
    cpu.idtLimit = limit;
  } else {
    cpu.gdtBase = base;
    cpu.gdtLimit = limit;
  }
}
function storeTable(cpu: Cpu, op: Op, idt: boolean): void {
  if (cpu.bits !== 64) return storeTable32(cpu, op, idt);
  const a = cpu.ea(op);
  cpu.rd16w(a);
  cpu.rd64w(a + 2);
  const base = idt ? cpu.idtBase : cpu.gdtBase;
  const lo = base >>> 0;
  cpu.wr16(a, idt ? cpu.idtLimit : cpu.gdtLimit);
  cpu.wr64(a + 2, lo | 0, ((base - lo) / TWO32) | 0);
}
/** LGDT/LIDT outside 64-bit mode: a 16-bit limit and a 32-bit base (24 bits with a 16-bit operand). */
function loadTable32(cpu: Cpu, op: Op, idt: boolean): void {
  const a = cpu.ea(op);
  const limit = cpu.rd16(a);
  let base = cpu.rd32(a + 2) >>> 0;
  if (op.opSize === 2) base &= 0xffffff;
  setTable(cpu, idt, base, limit);
}
function storeTable32(cpu: Cpu, op: Op, idt: boolean): void {
  const a = cpu.ea(op);
  cpu.rd16w(a);
  cpu.rd32w(a + 2);
  cpu.wr16(a, idt ? cpu.idtLimit : cpu.gdtLimit);
  cpu.wr32(a + 2, (idt ? cpu.idtBase : cpu.gdtBase) | 0);
}
def('Lgdt_m1632', (cpu, op) => loadTable(cpu, op, false));
def('Lidt_m1632', (cpu, op) => loadTable(cpu, op, true));
def('Sgdt_m1632', (cpu, op) => storeTable(cpu, op, false));
def('Sidt_m1632', (cpu, op) => storeTable(cpu, op, true));
def('Lgdt_m1664', (cpu, op) => loadTable(cpu, op, false));
def('Lidt_m1664', (cpu, op) => loadTable(cpu, op, true));
def('Sgdt_m1664', (cpu, op) => storeTable(cpu, op, false));
def('Sidt_m1664', (cpu, op) => storeTable(cpu, op, true));

// ---- control registers -------------------------------------------------------------------------

/** CR0 bits that can be written: PE MP EM TS ET NE WP AM NW CD PG. */
const CR0_BITS = 0x3f | (1 << 16) | (1 << 18) | (1 << 29) | (1 << 30) | (1 << 31);
/** CR4 bits this CPU supports: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT, FSGSBASE, SMEP. */
const CR4_FSGSBASE = 1 << 16;
const CR4_BITS = 0x7ff | CR4_FSGSBASE | CR4_SMEP;

export function readCr(cpu: Cpu, n: number): number {
  switch (n) {
    case 0: return cpu.cr0 >>> 0;
    case 2: return cpu.cr2;
    case 3: return cpu.cr3;
    case 4: return cpu.cr4 >>> 0;
    case 8: return cpu.cr8;
  }
  return cpu.ud();
}

/** MOV CRn, r64 with value lo/hi (exported for tests and LMSW/CLTS-like callers). */
export function writeCr(cpu: Cpu, n: number, lo: number, hi: number): void {
  switch (n) {
    case 0: {
      if (hi !== 0) cpu.gp(0); // bits 63:32 reserved (the low reserved bits are ignored)
      const v = ((lo & CR0_BITS) | 0x10) | 0;
      if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) cpu.gp(0);
      if ((v & (1 << 29)) !== 0 && (v & (1 << 30)) === 0) cpu.gp(0);
      const old = cpu.cr0;
      const lma = (cpu.efer & EFER_LMA) !== 0;
      let efer = cpu.efer;
      if ((v & CR0_PG) !== 0 && (old & CR0_PG) === 0) {
        // Turning paging on: with EFER.LME this activates IA-32e mode (PAE required, and CS must
        // not be a 64-bit segment). Without LME it would be legacy 32-bit or PAE paging, which
        // this machine does not implement: #GP(0) (documented in emulator/README.md).
        if ((cpu.efer & EFER_LME) === 0) cpu.gp(0);
        if ((cpu.cr4 & CR4_PAE) === 0 || (cpu.segAttr[1]! & 0x2000) !== 0) cpu.gp(0);
        efer |= EFER_LMA;
      } else if ((v & CR0_PG) === 0 && lma) {
        // Paging cannot be turned off from 64-bit code; from compatibility mode it leaves IA-32e mode.
        if (cpu.bits === 64) cpu.gp(0);
        efer &= ~EFER_LMA;
      }
      cpu.cr0 = v;
      cpu.efer = efer;
      if (((old ^ v) & (CR0_PG | CR0_WP)) !== 0) cpu.flushTlb(false);
      if (((old ^ v) & CR0_PE) !== 0 || lma !== ((efer & EFER_LMA) !== 0)) cpu.updateMode();
      return;
    }
    case 2:
      cpu.cr2 = num(lo, hi);
      return;
    case 3: {
      // Bits 63:52 reserved (no PCID support, bit 63 included).
      if ((hi & 0xfff00000) !== 0) cpu.gp(0);
      cpu.cr3 = num(lo, hi);
      cpu.flushTlb(true);
      return;
    }
    case 4: {
      if (hi !== 0 || (lo & ~CR4_BITS) !== 0) cpu.gp(0);
      if ((cpu.efer & EFER_LMA) !== 0 && (lo & CR4_PAE) === 0) cpu.gp(0);
      const old = cpu.cr4;
      cpu.cr4 = lo;
      if (((old ^ lo) & (CR4_PGE | CR4_PAE | CR4_SMEP)) !== 0) cpu.flushTlb(false);
      return;
    }
    case 8:
      if (hi !== 0 || (lo & ~0xf) !== 0) cpu.gp(0);
      cpu.cr8 = lo;
      return;
  }
  cpu.ud();
}

def('Mov_r64_cr', (cpu, op) => {
  cpu.setNum(op.rm, readCr(cpu, op.reg));
});
def('Mov_cr_r64', (cpu, op) => {
  writeCr(cpu, op.reg, cpu.regs[op.rm << 1]!, cpu.regs[(op.rm << 1) + 1]!);
});
def('Mov_r32_cr', (cpu, op) => {
  cpu.set32(op.rm, readCr(cpu, op.reg) | 0);
});
def('Mov_cr_r32', (cpu, op) => {
  writeCr(cpu, op.reg, cpu.regs[op.rm << 1]!, 0);
});

// ---- debug registers ---------------------------------------------------------------------------

/** The debug register number after the DR4/DR5 aliasing (#UD with CR4.DE); #DB when DR7.GD. */
export function drIndex(cpu: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if ((cpu.cr4 & 8) !== 0) cpu.ud();
    n += 2;
  }
  if (n > 7) cpu.ud();
  const dr7 = cpu.dr[7]!;
  if ((dr7 & 0x2000) !== 0) {
    // General detect: #DB (a fault) with DR6.BD; GD is cleared so the handler can use the DRs.
    cpu.dr[7] = (dr7 & ~0x2000) >>> 0;
    cpu.dr[6] = (cpu.dr[6]! | 0x2000) >>> 0;
    cpu.fault(Vec.DB);
  }
  return n;
}
def('Mov_r64_dr', (cpu, op) => {
  const n = drIndex(cpu, op.reg);
  cpu.setNum(op.rm, cpu.dr[n]!);
});
def('Mov_r32_dr', (cpu, op) => {
  const n = drIndex(cpu, op.reg);
  cpu.set32(op.rm, cpu.dr[n]! | 0);
});
def('Mov_dr_r64', (cpu, op) => movDr(cpu, op.reg, cpu.regs[op.rm << 1]!, cpu.regs[(op.rm << 1) + 1]!));
def('Mov_dr_r32', (cpu, op) => movDr(cpu, op.reg, cpu.regs[op.rm << 1]!, 0));
function movDr(cpu: Cpu, reg: number, lo: number, hi: number): void {
  const n = drIndex(cpu, reg);
  if (n < 4) {
    cpu.dr[n] = num(lo, hi);
    cpu.syncDebugWatches();
    return;
  }
  if (hi !== 0) cpu.gp(0);
  if (n === 6) cpu.dr[6] = ((lo & 0x0001e00f) | 0xfffe0ff0) >>> 0;
  else {
    cpu.dr[7] = ((lo & 0xffff2bff) | 0x400) >>> 0;
    cpu.syncDebugWatches();
    cpu.attention();
  }
}

// ---- CR0.TS, MSW, TLB and caches ---------------------------------------------------------------

def('Clts', (cpu) => {
  cpu.cr0 &= ~8;
});
def('Invlpg_m', (cpu, op) => {
  cpu.invlpg(cpu.ea(op));
});
def('Invd', () => {});
def('Wbinvd', () => {});
def('Lmsw_rm16',
  (cpu, op) => lmsw(cpu, cpu.get16(op.rm)),
  (cpu, op) => lmsw(cpu, cpu.rd16(cpu.ea(op))));
function lmsw(cpu: Cpu, v: number): void {
  // PE can be set but not cleared; only PE MP EM TS change.
  cpu.cr0 = (cpu.cr0 & ~0xe) | (v & 0xf);
}
def('Smsw_rm16',
  (cpu, op) => cpu.set16(op.rm, cpu.cr0),
  (cpu, op) => cpu.wr16(cpu.ea(op), cpu.cr0 & 0xffff));
def('Smsw_r32m16',
  (cpu, op) => cpu.set32(op.rm, cpu.cr0),
  (cpu, op) => cpu.wr16(cpu.ea(op), cpu.cr0 & 0xffff));
def('Smsw_r64m16',
  (cpu, op) => cpu.set64(op.rm, cpu.cr0, 0),
  (cpu, op) => cpu.wr16(cpu.ea(op), cpu.cr0 & 0xffff));

// ---- MSRs --------------------------------------------------------------------------------------

const EFER_WRITABLE = 0x1 | 0x100 | 0x800; // SCE LME NXE
/** PAT memory types a PAT entry may hold (UC WC WT WP WB UC-). */
function patValid(v: number): boolean {
  for (let i = 0; i < 4; i++) {
    const t = (v >>> (8 * i)) & 0xff;
    if (t === 2 || t === 3 || t > 7) return false;
  }
  return true;
}
/** MSRs kept in cpu.msrs (as bigint) with their reset values. */
function mapDefault(n: number): bigint {
  switch (n) {
    case 0x1b: return 0xfee00900n; // APIC_BASE: BSP, enabled, at 0xFEE00000
    case 0x277: return 0x0007040600070406n; // PAT
    case 0x1a0: return 1n; // MISC_ENABLE: fast strings
    case 0x179: return 0x10an; // MCG_CAP: MCG_CTL_P, 10 banks (as QEMU's qemu64)
    case 0x17b: return 0xffffffffffffffffn; // MCG_CTL: all enabled
  }
  return 0n;
}
/** MSRs stored in cpu.msrs: SYSENTER_CS/ESP/EIP, MCG_CAP/STATUS, MC banks, APIC_BASE, MISC_ENABLE, PAT, TSC_AUX. */
function isMapped(n: number): boolean {
  return n === 0x1b || n === 0x174 || n === 0x175 || n === 0x176 || n === 0x179 || n === 0x17a ||
    n === 0x17b || n === 0x1a0 || n === 0x277 || n === 0xc0000103 || (n >= 0x400 && n < 0x400 + 4 * 10);
}

let outLo = 0, outHi = 0;
function split(v: number): void {
  const lo = v >>> 0;
  outLo = lo | 0;
  outHi = ((v - lo) / TWO32) | 0;
}

/** RDMSR's value of MSR n as a bigint (API boundary); #GP(0) for an unknown MSR. */
export function readMsrValue(cpu: Cpu, n: number): bigint {
  readMsr(cpu, n);
  return (BigInt(outHi >>> 0) << 32n) | BigInt(outLo >>> 0);
}

/** Reads MSR n into outLo/outHi; #GP(0) for an unknown MSR. */
function readMsr(cpu: Cpu, n: number): void {
  switch (n) {
    case 0x10: split(cpu.instructionCount); return;
    case 0xc0000080: outLo = cpu.efer; outHi = 0; return;
    case 0xc0000081: outLo = cpu.sysMsr[0]! | 0; outHi = cpu.sysMsr[1]! | 0; return;
    case 0xc0000082: split(cpu.sysMsr[2]!); return;
    case 0xc0000083: split(cpu.sysMsr[3]!); return;
    case 0xc0000084: outLo = cpu.sysMsr[4]! | 0; outHi = 0; return;
    case 0xc0000100: split(cpu.segBase[4]!); return;
    case 0xc0000101: split(cpu.segBase[5]!); return;
    case 0xc0000102: split(cpu.kernelGsBase); return;
  }
  if (!isMapped(n)) cpu.gp(0);
  const v = cpu.msrs.get(n) ?? mapDefault(n);
  outLo = Number(v & 0xffffffffn) | 0;
  outHi = Number((v >> 32n) & 0xffffffffn) | 0;
}

/** WRMSR of lo/hi to MSR n, with its checks (#GP(0)). */
export function writeMsr(cpu: Cpu, n: number, lo: number, hi: number): void {
  const v = num(lo, hi);
  switch (n) {
    case 0x10:
      // The TSC is the guest time (instructions retired): writes are accepted and ignored.
      return;
    case 0xc0000080: {
      if (hi !== 0 || (lo & ~(EFER_WRITABLE | EFER_LMA)) !== 0) cpu.gp(0);
      const old = cpu.efer;
      // LME cannot change while paging is on; LMA is read-only.
      if (((old ^ lo) & 0x100) !== 0 && (cpu.cr0 & CR0_PG) !== 0) cpu.gp(0);
      cpu.efer = (lo & EFER_WRITABLE) | (old & EFER_LMA);
      if (((old ^ cpu.efer) & 0x800) !== 0) cpu.flushTlb(false);
      return;
    }
    case 0xc0000081: cpu.sysMsr[0] = lo >>> 0; cpu.sysMsr[1] = hi >>> 0; return;
    case 0xc0000082:
    case 0xc0000083:
      if (!canonical(v)) cpu.gp(0);
      cpu.sysMsr[n - 0xc0000080] = v;
      return;
    case 0xc0000084: cpu.sysMsr[4] = lo >>> 0; return;
    case 0xc0000100:
    case 0xc0000101:
    case 0xc0000102:
      if (!canonical(v)) cpu.gp(0);
      if (n === 0xc0000102) cpu.kernelGsBase = v;
      else cpu.segBase[n === 0xc0000100 ? 4 : 5] = v;
      return;
  }
  if (!isMapped(n)) cpu.gp(0);
  if (n === 0x179) cpu.gp(0); // MCG_CAP is read-only
  if (n === 0x277 && !(patValid(lo) && patValid(hi))) cpu.gp(0);
  if ((n === 0x175 || n === 0x176) && !canonical(v)) cpu.gp(0);
  if (n === 0xc0000103 && hi !== 0) cpu.gp(0);
  let b = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  if (n === 0x1b) b = (b & ~0x1ffn) | 0x100n; // APIC_BASE: BSP is read-only
  cpu.msrs.set(n, b);
}

def('Rdmsr', (cpu) => {
  readMsr(cpu, cpu.regs[2]! >>> 0);
  cpu.set32(0, outLo);
  cpu.set32(2, outHi);
});
def('Wrmsr', (cpu) => {
  writeMsr(cpu, cpu.regs[2]! >>> 0, cpu.regs[0]!, cpu.regs[4]!);
});
def('Swapgs', (cpu) => {
  const t = cpu.segBase[5]!;
  cpu.segBase[5] = cpu.kernelGsBase;
  cpu.kernelGsBase = t;
});

// ---- SYSCALL / SYSRET --------------------------------------------------------------------------

/** Loads CS and SS as the flat segments SYSCALL/SYSRET define (no descriptor read). */
/** CS and SS as the flat segments SYSCALL/SYSRET and SYSENTER/SYSEXIT load (no descriptor read). */
export function flatCsSs(cpu: Cpu, cs: number, ss: number, csAttr: number, dpl: number): void {
  cpu.segSel[1] = cs;
  cpu.segBase[1] = 0;
  cpu.segLimit[1] = 0xffffffff;
  cpu.segAttr[1] = csAttr;
  cpu.segSel[2] = ss;
  cpu.segBase[2] = 0;
  cpu.segLimit[2] = 0xffffffff;
  cpu.segAttr[2] = 0xc093 | (dpl << 5);
  cpu.setCpl(dpl);
  cpu.updateMode();
}

def('Syscall', (cpu) => {
  if ((cpu.efer & 1) === 0 || (cpu.efer & EFER_LMA) === 0) cpu.ud();
  const flags = cpu.getFlags();
  const sel = cpu.sysMsr[1]! & 0xffff;
  cpu.setNum(1, cpu.ip);
  cpu.set32(11, flags);
  flatCsSs(cpu, sel & 0xfffc, (sel + 8) & 0xfffc, 0xa09b, 0);
  cpu.setFlags(flags & ~cpu.sysMsr[4]! & ~0x10000);
  cpu.ip = cpu.sysMsr[2]!;
});

function sysret(cpu: Cpu, to64: boolean): void {
  if ((cpu.efer & 1) === 0) cpu.ud();
  const base = (cpu.sysMsr[1]! >>> 16) & 0xffff;
  let target: number;
  if (to64) {
    target = cpu.getNum(1);
    if (!canonical(target)) cpu.gp(0);
  } else target = cpu.regs[2]! >>> 0;
  const r11 = cpu.regs[22]!;
  flatCsSs(cpu, ((to64 ? base + 16 : base) & 0xffff) | 3, ((base + 8) & 0xffff) | 3, to64 ? 0xa0fb : 0xc0fb, 3);
  cpu.setFlags(r11 & ~0x30000);
  cpu.ip = target;
}
def('Sysretq', (cpu) => sysret(cpu, true));
def('Sysretd', (cpu) => sysret(cpu, false));

// ---- IRET in 64-bit mode -----------------------------------------------------------------------

/**
 * IRET (n = 2), IRETD (4), IRETQ (8). In 64-bit mode it pops RIP, CS, RFLAGS, RSP, SS always;
 * in compatibility and protected mode SS:ESP only on a return to an outer level. A set NT
 * (a task return) and a return to virtual-8086 mode are not implemented: #GP(0).
 */
function iret(cpu: Cpu, n: number): void {
  const flags0 = cpu.getFlags();
  if ((flags0 & 0x4000) !== 0) cpu.gp(0); // NT: IA-32e mode has no task return; tasks are not implemented
  const in64 = cpu.bits === 64;
  const sp = cpu.sp();
  const ipLo = rdStack(cpu, sp, n), ipHi = cpu.hi;
  const cs = rdStack(cpu, sp + n, n) & 0xffff;
  const fl = rdStack(cpu, sp + 2 * n, n);
  const cpl = cpu.cpl;
  const rpl = cs & 3;
  if (!in64 && (fl & 0x20000) !== 0 && n !== 2 && cpl === 0 && (cpu.efer & EFER_LMA) === 0) cpu.gp(0); // virtual-8086 return
  const outer = in64 || rpl > cpl;
  let spLo = 0, spHi = 0, ss = 0;
  if (outer) {
    spLo = rdStack(cpu, sp + 3 * n, n);
    spHi = cpu.hi;
    ss = rdStack(cpu, sp + 4 * n, n) & 0xffff;
  }
  // Code segment.
  const clo = returnCodeDescriptor(cpu, cs);
  const chi = cpu.hi;
  const to64 = (chi & 0x200000) !== 0 && (cpu.efer & EFER_LMA) !== 0;
  const target = to64 ? num(ipLo, n === 8 ? ipHi : 0) : n === 2 ? ipLo & 0xffff : ipLo >>> 0;
  if (to64 ? !canonical(target) : target > codeLimit(clo, chi)) cpu.gp(0);
  // Stack segment.
  let slo = 0, shi = 0;
  if (outer) {
    slo = returnStackDescriptor(cpu, ss, rpl, to64);
    shi = cpu.hi;
  }
  // RFLAGS: what the old CPL may change.
  const iopl = (flags0 >> 12) & 3;
  let mask = 0x8d5 | 0x100 | 0x400 | 0x4000 | 0x10000 | 0x40000 | 0x200000;
  if (cpl <= iopl) mask |= 0x200;
  if (cpl === 0) mask |= 0x3000 | 0x180000;
  if (n === 2) mask &= 0xffff;
  const newFlags = (flags0 & ~mask) | (fl & mask);
  // Commit.
  cpu.loadSegFromDesc(1, cs, clo, chi);
  if (outer) loadReturnStack(cpu, ss, slo, shi);
  if (rpl > cpl) nullOuterSegs(cpu, rpl);
  if (rpl !== cpl) cpu.setCpl(rpl);
  cpu.setFlags(newFlags);
  if (!outer) cpu.setSpSized(sp + 3 * n);
  else if (n === 8 || cpu.bits === 64) cpu.set64(4, spLo, n === 8 ? spHi : 0);
  else cpu.setSpSized(n === 2 ? spLo & 0xffff : spLo >>> 0);
  cpu.ip = target;
  cpu.nmiBlocked = false;
  cpu.attention();
}
/** A code descriptor's limit in bytes. */
function codeLimit(lo: number, hi: number): number {
  let limit = ((hi & 0xf0000) | (lo & 0xffff)) >>> 0;
  if (hi & 0x800000) limit = limit * 4096 + 0xfff;
  return limit;
}
/** Returning to an outer level: data segments the new CPL may not use become null. */
function nullOuterSegs(cpu: Cpu, rpl: number): void {
  for (let i = 0; i < 4; i++) {
    const s = OUTER_SEGS[i]!;
    const a = cpu.segAttr[s]!;
    const usable = (a & 0x18) === 0x10 || ((a & 0x18) === 0x18 && (a & 4) === 0);
    if (usable && ((a >> 5) & 3) < rpl) {
      cpu.segSel[s] = 0;
      cpu.segAttr[s] = 0;
    }
  }
}
const OUTER_SEGS = [0, 3, 4, 5];
def('Iretq', (cpu) => iret(cpu, 8));
def('Iretd', (cpu) => iret(cpu, 4));
def('Iret', (cpu) => iret(cpu, 2));

// ---- segment registers, LDTR and TR ------------------------------------------------------------

/** Loads data segment register `seg` (ES SS DS FS GS) with the checks of 64-bit mode; faults first. */
export function loadDataSeg(cpu: Cpu, seg: number, sel: number): void {
  const cpl = cpu.cpl;
  if ((sel & 0xfffc) === 0) {
    // Null SS: only in 64-bit mode, below CPL 3, with RPL = CPL.
    if (seg === 2 && (cpu.bits !== 64 || cpl === 3 || (sel & 3) !== cpl)) cpu.gp(0);
    cpu.segSel[seg] = sel;
    cpu.segAttr[seg] = 0;
    if (seg < 4) cpu.segBase[seg] = 0;
    return;
  }
  const lo = cpu.readDescriptor(sel, 0);
  const hi = cpu.hi;
  const dpl = (hi >> 13) & 3;
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (seg === 2) {
    if (rpl !== cpl || dpl !== cpl || (hi & 0x1a00) !== 0x1200) cpu.gp(err);
    if ((hi & 0x8000) === 0) cpu.fault(Vec.SS, err);
  } else {
    const s = hi & 0x1800;
    // Data, or readable code (not system descriptors nor execute-only code).
    if (!(s === 0x1000 || (s === 0x1800 && (hi & 0x200) !== 0))) cpu.gp(err);
    const conformingCode = (hi & 0x1c00) === 0x1c00;
    if (!conformingCode && (rpl > dpl || cpl > dpl)) cpu.gp(err);
    if ((hi & 0x8000) === 0) cpu.fault(Vec.NP, err);
  }
  markAccessed(cpu, sel, hi);
  cpu.loadSegFromDesc(seg, sel, lo, hi | 0x100);
}

/** Sets the accessed bit of a code/data descriptor in memory (as the CPU does when it loads one). */
export function markAccessed(cpu: Cpu, sel: number, hi: number): void {
  if ((hi & 0x100) !== 0) return;
  const base = (sel & 4) !== 0 ? cpu.ldtBase : cpu.gdtBase;
  cpu.wrSys(base + (sel & ~7) + 4, 4, hi | 0x100, 0);
}
export function movSreg(cpu: Cpu, seg: number, sel: number): void {
  if (seg === 1 || seg > 5) cpu.ud();
  loadDataSeg(cpu, seg, sel);
  if (seg === 2) {
    cpu.interruptShadow = cpu.instructionCount + 1;
    cpu.attention();
  }
}
def('Mov_sreg_rm16',
  (cpu, op) => movSreg(cpu, op.reg, cpu.get16(op.rm)),
  (cpu, op) => movSreg(cpu, op.reg, cpu.rd16(cpu.ea(op))));

def('Pushq_fs', (cpu) => cpu.push64(cpu.segSel[4]!, 0));
def('Pushq_gs', (cpu) => cpu.push64(cpu.segSel[5]!, 0));
def('Pushw_fs', (cpu) => cpu.push16(cpu.segSel[4]!));
def('Pushw_gs', (cpu) => cpu.push16(cpu.segSel[5]!));
function popSeg(cpu: Cpu, seg: number, n: number): void {
  const sp = cpu.rsp();
  const sel = (n === 8 ? cpu.rd64(cpu.stackLin(sp, 8)) : cpu.rd16(cpu.stackLin(sp, 2))) & 0xffff;
  loadDataSeg(cpu, seg, sel);
  cpu.setNum(4, sp + n);
}
def('Popq_fs', (cpu) => popSeg(cpu, 4, 8));
def('Popq_gs', (cpu) => popSeg(cpu, 5, 8));
def('Popw_fs', (cpu) => popSeg(cpu, 4, 2));
def('Popw_gs', (cpu) => popSeg(cpu, 5, 2));

/** Reads a 16-byte system descriptor of the GDT (low dwords returned in d[0..2]); checks type. */
function sysDesc(cpu: Cpu, sel: number, type: number, d: Int32Array): void {
  const err = sel & 0xfffc;
  if ((sel & 4) !== 0) cpu.gp(err);
  const idx = sel & ~7;
  // 16 bytes in IA-32e mode, 8 outside it (base bits 63:32 then 0).
  const long = (cpu.efer & EFER_LMA) !== 0;
  if (idx + (long ? 15 : 7) > cpu.gdtLimit) cpu.gp(err);
  const a = cpu.gdtBase + idx;
  d[0] = cpu.rdSys(a, 4);
  d[1] = cpu.rdSys(a + 4, 4);
  d[2] = long ? cpu.rdSys(a + 8, 4) : 0;
  const t = (d[1]! >> 8) & 0x1f;
  // LTR outside IA-32e mode also takes an available 16-bit TSS (type 1).
  if (t !== type && !(type === 9 && t === 1 && !long)) cpu.gp(err);
  if ((d[1]! & 0x8000) === 0) cpu.fault(Vec.NP, err);
}
const desc = new Int32Array(3);
function descBase(d: Int32Array): number {
  return num(((d[1]! & 0xff000000) | ((d[1]! & 0xff) << 16) | (d[0]! >>> 16)), d[2]!);
}
function descLimit(d: Int32Array): number {
  let limit = ((d[1]! & 0xf0000) | (d[0]! & 0xffff)) >>> 0;
  if (d[1]! & 0x800000) limit = limit * 4096 + 0xfff;
  return limit;
}
function ltr(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  sysDesc(cpu, sel, 9, desc);
  // Mark the descriptor busy (type 11, or 3 for a 16-bit TSS).
  cpu.wrSys(cpu.gdtBase + (sel & ~7) + 4, 4, desc[1]! | 0x200, 0);
  cpu.trSel = sel;
  cpu.trBase = descBase(desc);
  cpu.trLimit = descLimit(desc);
  cpu.trAttr = ((desc[1]! >>> 8) & 0xf0ff) | 2;
}
function lldt(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    cpu.ldtSel = sel;
    cpu.ldtBase = 0;
    cpu.ldtLimit = 0;
    return;
  }
  sysDesc(cpu, sel, 2, desc);
  cpu.ldtSel = sel;
  cpu.ldtBase = descBase(desc);
  cpu.ldtLimit = descLimit(desc);
}
def('Ltr_rm16', (cpu, op) => ltr(cpu, cpu.get16(op.rm)), (cpu, op) => ltr(cpu, cpu.rd16(cpu.ea(op))));
def('Lldt_rm16', (cpu, op) => lldt(cpu, cpu.get16(op.rm)), (cpu, op) => lldt(cpu, cpu.rd16(cpu.ea(op))));
def('Str_rm16', (cpu, op) => cpu.set16(op.rm, cpu.trSel), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.trSel));
def('Str_r32m16', (cpu, op) => cpu.set32(op.rm, cpu.trSel), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.trSel));
def('Str_r64m16', (cpu, op) => cpu.set64(op.rm, cpu.trSel, 0), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.trSel));
def('Sldt_rm16', (cpu, op) => cpu.set16(op.rm, cpu.ldtSel), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.ldtSel));
def('Sldt_r32m16', (cpu, op) => cpu.set32(op.rm, cpu.ldtSel), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.ldtSel));
def('Sldt_r64m16', (cpu, op) => cpu.set64(op.rm, cpu.ldtSel, 0), (cpu, op) => cpu.wr16(cpu.ea(op), cpu.ldtSel));

// ---- far RET -----------------------------------------------------------------------------------

/**
 * The stack segment an IRET or far RET to an outer level loads: a null selector only when
 * returning to 64-bit mode below CPL 3 (#GP(0) otherwise), else a present writable data segment
 * with RPL = DPL = the new CPL. Returns the descriptor's low half (0 for null), the high in cpu.hi.
 */
/** SS := the selector returnStackDescriptor checked (a null one: flat, unusable attributes). */
function loadReturnStack(cpu: Cpu, ss: number, lo: number, hi: number): void {
  if ((ss & 0xfffc) !== 0) return cpu.loadSegFromDesc(2, ss, lo, hi);
  cpu.segSel[2] = ss;
  cpu.segBase[2] = 0;
  cpu.segLimit[2] = 0xffffffff;
  cpu.segAttr[2] = 0;
}
function returnStackDescriptor(cpu: Cpu, ss: number, rpl: number, to64: boolean): number {
  if ((ss & 0xfffc) === 0) {
    if (!to64 || rpl === 3 || (ss & 3) !== rpl) cpu.gp(0);
    cpu.hi = 0;
    return 0;
  }
  if ((ss & 3) !== rpl) cpu.gp(ss & 0xfffc);
  const lo = cpu.readDescriptor(ss, 0);
  const hi = cpu.hi;
  if ((hi & 0x1a00) !== 0x1200 || ((hi >> 13) & 3) !== rpl) cpu.gp(ss & 0xfffc);
  if ((hi & 0x8000) === 0) cpu.fault(Vec.SS, ss & 0xfffc);
  cpu.hi = hi;
  return lo;
}
/**
 * The checks of a far return (IRET, RETF) on the code selector it pops: not null, RPL not below
 * CPL, a present code segment whose DPL fits the RPL (conforming: DPL <= RPL; else DPL == RPL).
 * Returns the descriptor's low half; the high half is left in cpu.hi.
 */
export function returnCodeDescriptor(cpu: Cpu, cs: number): number {
  if ((cs & 0xfffc) === 0) cpu.gp(0);
  const rpl = cs & 3;
  if (rpl < cpu.cpl) cpu.gp(cs & 0xfffc);
  const clo = cpu.readDescriptor(cs, 0);
  const chi = cpu.hi;
  if ((chi & 0x1800) !== 0x1800) cpu.gp(cs & 0xfffc);
  const cdpl = (chi >> 13) & 3;
  if ((chi & 0x400) !== 0 ? cdpl > rpl : cdpl !== rpl) cpu.gp(cs & 0xfffc);
  if ((chi & 0x8000) === 0) cpu.fault(Vec.NP, cs & 0xfffc);
  cpu.hi = chi;
  return clo;
}

function rdStack(cpu: Cpu, a: number, n: number): number {
  if (n === 8) return cpu.rd64(cpu.stackLin(a, 8));
  cpu.hi = 0;
  return n === 4 ? cpu.rd32(cpu.stackLin(a, 4)) : cpu.rd16(cpu.stackLin(a, 2));
}
/** RETF (n = operand size) with imm bytes released: same privilege, or to an outer level with SS:RSP. */
function retf(cpu: Cpu, n: number, imm: number): void {
  const sp = cpu.sp();
  const ipLo = rdStack(cpu, sp, n), ipHi = cpu.hi;
  const cs = rdStack(cpu, sp + n, n) & 0xffff;
  const cpl = cpu.cpl;
  const rpl = cs & 3;
  const clo = returnCodeDescriptor(cpu, cs);
  const chi = cpu.hi;
  const to64 = (chi & 0x200000) !== 0 && (cpu.efer & EFER_LMA) !== 0;
  const target = to64 ? num(ipLo, n === 8 ? ipHi : 0) : n === 2 ? ipLo & 0xffff : ipLo >>> 0;
  if (to64 ? !canonical(target) : target > codeLimit(clo, chi)) cpu.gp(0);
  if (rpl === cpl) {
    cpu.loadSegFromDesc(1, cs, clo, chi);
    cpu.setSpSized(sp + 2 * n + imm);
    cpu.ip = target;
    return;
  }
  const p = sp + 2 * n + imm;
  const spLo = rdStack(cpu, p, n), spHi = cpu.hi;
  const ss = rdStack(cpu, p + n, n) & 0xffff;
  const slo = returnStackDescriptor(cpu, ss, rpl, to64);
  const shi = cpu.hi;
  cpu.loadSegFromDesc(1, cs, clo, chi);
  loadReturnStack(cpu, ss, slo, shi);
  nullOuterSegs(cpu, rpl);
  cpu.setCpl(rpl);
  if (cpu.bits === 64) cpu.setNum(4, num(spLo, n === 8 ? spHi : 0) + imm);
  else cpu.setSpSized((n === 2 ? spLo & 0xffff : spLo >>> 0) + imm);
  cpu.ip = target;
}
def('Retfq', (cpu) => retf(cpu, 8, 0));
def('Retfd', (cpu) => retf(cpu, 4, 0));
def('Retfw', (cpu) => retf(cpu, 2, 0));
def('Retfq_imm16', (cpu, op) => retf(cpu, 8, op.imm & 0xffff));
def('Retfd_imm16', (cpu, op) => retf(cpu, 4, op.imm & 0xffff));
def('Retfw_imm16', (cpu, op) => retf(cpu, 2, op.imm & 0xffff));

// CPUID: DE (CR4.DE: DR4/DR5), MSR (RDMSR/WRMSR), MCE and MCA (MCG_CAP, the banks, #MC), SYSCALL/SYSRET.
cpuidFeatures.l1edx |= (1 << 2) | (1 << 5) | (1 << 7) | (1 << 14);
cpuidFeatures.e1edx |= 1 << 11;

// ---- RDFSBASE / RDGSBASE / WRFSBASE / WRGSBASE (64-bit mode, CR4.FSGSBASE) ---------------------

function fsgs(cpu: Cpu): void {
  if ((cpu.cr4 & CR4_FSGSBASE) === 0) cpu.ud();
}
def('Rdfsbase_r64', (cpu, op) => { fsgs(cpu); cpu.setNum(op.rm, cpu.segBase[4]!); });
def('Rdgsbase_r64', (cpu, op) => { fsgs(cpu); cpu.setNum(op.rm, cpu.segBase[5]!); });
def('Rdfsbase_r32', (cpu, op) => { fsgs(cpu); cpu.set32(op.rm, cpu.segBase[4]! % TWO32 | 0); });
def('Rdgsbase_r32', (cpu, op) => { fsgs(cpu); cpu.set32(op.rm, cpu.segBase[5]! % TWO32 | 0); });
function wrBase(cpu: Cpu, seg: number, v: number): void {
  fsgs(cpu);
  if (!canonical(v)) cpu.gp(0);
  cpu.segBase[seg] = v;
}
def('Wrfsbase_r64', (cpu, op) => wrBase(cpu, 4, cpu.getNum(op.rm)));
def('Wrgsbase_r64', (cpu, op) => wrBase(cpu, 5, cpu.getNum(op.rm)));
def('Wrfsbase_r32', (cpu, op) => wrBase(cpu, 4, cpu.regs[op.rm << 1]! >>> 0));
def('Wrgsbase_r32', (cpu, op) => wrBase(cpu, 5, cpu.regs[op.rm << 1]! >>> 0));
cpuidFeatures.l7ebx |= 1 << 0;

// ---- RDPMC, RDRAND, RDSEED ---------------------------------------------------------------------

// No performance counters (CPUID leaf 0xA reports none): RDPMC raises #GP(0) for every counter.
def('Rdpmc', (cpu) => cpu.gp(0));
// RDRAND and RDSEED are not reported by CPUID (a deterministic machine has no entropy source): #UD,
// as on a processor without them.
for (const id of ['Rdrand_r16', 'Rdrand_r32', 'Rdrand_r64', 'Rdseed_r16', 'Rdseed_r32', 'Rdseed_r64']) def(id, (cpu) => cpu.ud());
