// Segment machinery outside the 64-bit-only paths: far JMP/CALL (direct and indirect, call gates),
// LDS/LES/LSS/LFS/LGS, PUSH/POP of segment registers in 16/32-bit code, LAR/LSL/VERR/VERW,
// SYSENTER/SYSEXIT. Per the SDM's pseudo-code; error codes are selector error codes (#GP(sel)).
// Task gates and TSS descriptors as far-transfer targets (task switching) are not implemented:
// they raise #GP(selector) (emulator/README.md).

import type { Cpu } from '../cpu';
import type { Op } from '../op';
import { def } from '../registry';
import { Vec, EFER_LMA } from '../../memory/mmu';
import { flatCsSs, loadDataSeg, markAccessed, movSreg } from './system';
import { cpuidFeatures } from './cpuid';

const TWO32 = 4294967296;
const CANON = 140737488355328;

/** Limit in bytes of a descriptor (lo/hi dwords), with granularity. */
export function descLimitOf(lo: number, hi: number): number {
  let limit = ((hi & 0xf0000) | (lo & 0xffff)) >>> 0;
  if (hi & 0x800000) limit = limit * 4096 + 0xfff;
  return limit;
}


/** Writes an n-byte value at a linear address as a supervisor access. */
function wrN(cpu: Cpu, a: number, n: number, v: number, user: boolean): void {
  if (user) cpu.wrSlow(a, n, n === 8 ? v % TWO32 | 0 : v, n === 8 ? Math.floor(v / TWO32) | 0 : 0, true);
  else cpu.wrSys(a, n, n === 8 ? v % TWO32 | 0 : v, n === 8 ? Math.floor(v / TWO32) | 0 : 0);
}

/** Pushes CS and the return IP (n bytes each) on the current stack; faults leave RSP unchanged. */
function pushReturn(cpu: Cpu, n: number, cs: number, ip: number): void {
  const sp = cpu.sp();
  const a1 = cpu.stackLin(sp - n, n);
  const a2 = cpu.stackLin(sp - 2 * n, n);
  const user = cpu.cpl === 3;
  wrN(cpu, a1, n, cs, user);
  wrN(cpu, a2, n, n === 2 ? ip & 0xffff : ip, user);
  cpu.setSpSized(sp - 2 * n);
}

/**
 * Far JMP or CALL to sel:offset (n = operand size in bytes: 2, 4, 8), through a code segment
 * descriptor or a call gate, with the checks of the SDM's JMP/CALL pseudo-code.
 */
export function farTransfer(cpu: Cpu, sel: number, offset: number, n: number, call: boolean): void {
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  const err = sel & 0xfffc;
  const lo = cpu.readDescriptor(sel, 0);
  const hi = cpu.hi;
  const cpl = cpu.cpl;
  const dpl = (hi >> 13) & 3;
  const rpl = sel & 3;
  const lma = (cpu.efer & EFER_LMA) !== 0;
  if ((hi & 0x1000) !== 0) {
    if ((hi & 0x800) === 0) cpu.gp(err); // a data segment
    if ((hi & 0x400) !== 0 ? dpl > cpl : rpl > cpl || dpl !== cpl) cpu.gp(err);
    if ((hi & 0x8000) === 0) cpu.fault(Vec.NP, err);
    const to64 = lma && (hi & 0x200000) !== 0;
    let target: number;
    if (to64) {
      target = offset;
      if (!(target >= -CANON && target < CANON)) cpu.gp(0);
    } else {
      target = n === 2 ? offset & 0xffff : offset >>> 0;
      if (target > descLimitOf(lo, hi)) cpu.gp(0);
    }
    if (call) pushReturn(cpu, n, cpu.segSel[1]!, cpu.ip);
    markAccessed(cpu, sel, hi);
    cpu.loadSegFromDesc(1, (sel & 0xfffc) | cpl, lo, hi | 0x100);
    cpu.ip = target;
    return;
  }
  // System descriptor: call gates (16-bit type 4 outside IA-32e mode; type 12: 32-bit, or 64-bit in IA-32e mode).
  const type = (hi >> 8) & 0xf;
  if (!(type === 0xc || (type === 4 && !lma))) cpu.gp(err); // task gates and TSSs: no task switching
  if (dpl < cpl || rpl > dpl) cpu.gp(err);
  if ((hi & 0x8000) === 0) cpu.fault(Vec.NP, err);
  const gateSize = lma ? 8 : type === 0xc ? 4 : 2;
  let gateOff: number;
  if (lma) {
    // 16-byte gate: the upper half must have type 0 in its second dword.
    const idx = sel & ~7;
    const tbl = (sel & 4) !== 0 ? cpu.ldtBase : cpu.gdtBase;
    const tlim = (sel & 4) !== 0 ? cpu.ldtLimit : cpu.gdtLimit;
    if (idx + 15 > tlim) cpu.gp(err);
    const up0 = cpu.rdSys(tbl + idx + 8, 4);
    const up1 = cpu.rdSys(tbl + idx + 12, 4);
    if ((up1 & 0x1f00) !== 0) cpu.gp(err);
    gateOff = up0 * TWO32 + (((hi & 0xffff0000) | (lo & 0xffff)) >>> 0);
  } else gateOff = gateSize === 4 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
  const csSel = lo >>> 16;
  if ((csSel & 0xfffc) === 0) cpu.gp(0);
  const cerr = csSel & 0xfffc;
  const clo = cpu.readDescriptor(csSel, 0);
  const chi = cpu.hi;
  const cdpl = (chi >> 13) & 3;
  const conforming = (chi & 0x400) !== 0;
  if ((chi & 0x1800) !== 0x1800) cpu.gp(cerr);
  if (call ? cdpl > cpl : conforming ? cdpl > cpl : cdpl !== cpl) cpu.gp(cerr);
  if ((chi & 0x8000) === 0) cpu.fault(Vec.NP, cerr);
  if (lma && ((chi & 0x200000) === 0 || (chi & 0x400000) !== 0)) cpu.gp(cerr);
  let target = gateOff;
  if (lma) {
    if (!(target >= -CANON && target < CANON)) cpu.gp(0);
  } else if (target > descLimitOf(clo, chi)) cpu.gp(0);
  if (!call || conforming || cdpl === cpl) {
    if (call) pushReturn(cpu, gateSize, cpu.segSel[1]!, cpu.ip);
    markAccessed(cpu, csSel, chi);
    cpu.loadSegFromDesc(1, (csSel & 0xfffc) | cpl, clo, chi | 0x100);
    cpu.ip = target;
    return;
  }
  // CALL to a more privileged level: a new stack from the TSS.
  const newCpl = cdpl;
  const oldSs = cpu.segSel[2]!;
  const oldSp = lma ? cpu.rsp() : cpu.sp();
  const oldCs = cpu.segSel[1]!;
  const retIp = cpu.ip;
  let newSs: number, newSp: number, slo = 0, shi = 0;
  if (lma) {
    const off = 4 + newCpl * 8;
    if (off + 7 > cpu.trLimit) cpu.fault(Vec.TS, cpu.trSel & 0xfffc);
    const l = cpu.rdSys(cpu.trBase + off, 4);
    const h = cpu.rdSys(cpu.trBase + off + 4, 4);
    newSp = h * TWO32 + (l >>> 0);
    if (!(newSp >= -CANON && newSp < CANON)) cpu.fault(Vec.SS, 0);
    newSs = newCpl;
    const frame = newSp - 32;
    const w = (a: number, v: number): void => wrN(cpu, a, 8, v, false);
    w(newSp - 8, oldSs);
    w(newSp - 16, oldSp);
    w(newSp - 24, oldCs);
    w(frame, retIp);
    markAccessed(cpu, csSel, chi);
    cpu.loadSegFromDesc(1, (csSel & 0xfffc) | newCpl, clo, chi | 0x100);
    cpu.segSel[2] = newCpl;
    cpu.segBase[2] = 0;
    cpu.segLimit[2] = 0xffffffff;
    cpu.segAttr[2] = 0;
    cpu.setCpl(newCpl);
    cpu.setRsp(frame);
    cpu.ip = target;
    return;
  }
  const tss32 = (cpu.trAttr & 0x8) !== 0;
  const off = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
  if (off + (tss32 ? 5 : 3) > cpu.trLimit) cpu.fault(Vec.TS, cpu.trSel & 0xfffc);
  newSp = tss32 ? cpu.rdSys(cpu.trBase + off, 4) >>> 0 : cpu.rdSys(cpu.trBase + off, 2);
  newSs = cpu.rdSys(cpu.trBase + off + (tss32 ? 4 : 2), 2);
  const serr = newSs & 0xfffc;
  if (serr === 0) cpu.fault(Vec.TS, 0);
  if ((newSs & 3) !== newCpl) cpu.fault(Vec.TS, serr);
  const tbl = (newSs & 4) !== 0 ? cpu.ldtBase : cpu.gdtBase;
  const tlim = (newSs & 4) !== 0 ? cpu.ldtLimit : cpu.gdtLimit;
  if ((newSs & ~7) + 7 > tlim) cpu.fault(Vec.TS, serr);
  slo = cpu.rdSys(tbl + (newSs & ~7), 4);
  shi = cpu.rdSys(tbl + (newSs & ~7) + 4, 4);
  if ((shi & 0x1a00) !== 0x1200 || ((shi >> 13) & 3) !== newCpl) cpu.fault(Vec.TS, serr);
  if ((shi & 0x8000) === 0) cpu.fault(Vec.SS, serr);
  // Parameters copied from the old stack (gate's count, in gate-size units).
  const count = hi & 0x1f;
  const n2 = gateSize;
  const sBase = ((shi & 0xff000000) | ((shi & 0xff) << 16) | (slo >>> 16)) >>> 0;
  const sLimit = descLimitOf(slo, shi);
  const big = (shi & 0x400000) !== 0;
  const total = (4 + count) * n2;
  const top = big ? newSp : newSp & 0xffff;
  const bottom = top - total;
  if (bottom < 0 || top - 1 > sLimit) cpu.fault(Vec.SS, serr);
  const params: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = cpu.stackLin(cpu.sp() + i * n2, n2);
    params.push(n2 === 4 ? cpu.rdSys(a, 4) : cpu.rdSys(a, 2));
  }
  let a = top;
  const put = (v: number): void => {
    a -= n2;
    cpu.wrSys((sBase + a) >>> 0, n2, v, 0);
  };
  put(oldSs);
  put(oldSp);
  for (let i = count - 1; i >= 0; i--) put(params[i]!);
  put(oldCs);
  put(retIp);
  markAccessed(cpu, csSel, chi);
  markAccessed(cpu, newSs, shi);
  cpu.loadSegFromDesc(2, newSs, slo, shi | 0x100);
  cpu.loadSegFromDesc(1, (csSel & 0xfffc) | newCpl, clo, chi | 0x100);
  cpu.setCpl(newCpl);
  cpu.setSpSized(a);
  cpu.ip = target;
}

// ---- far JMP / CALL forms ----------------------------------------------------------------------

// ptr16:16 / ptr16:32 (not in 64-bit mode): the immediate holds the offset, imm2 the selector.
def('Jmp_ptr1616', (cpu, op) => farTransfer(cpu, op.imm2 & 0xffff, op.imm & 0xffff, 2, false));
def('Jmp_ptr1632', (cpu, op) => farTransfer(cpu, op.imm2 & 0xffff, op.imm >>> 0, 4, false));
def('Call_ptr1616', (cpu, op) => farTransfer(cpu, op.imm2 & 0xffff, op.imm & 0xffff, 2, true));
def('Call_ptr1632', (cpu, op) => farTransfer(cpu, op.imm2 & 0xffff, op.imm >>> 0, 4, true));

/** m16:16 / m16:32 / m16:64: offset first, then the selector. */
function farIndirect(cpu: Cpu, op: Op, n: number, call: boolean): void {
  const a = cpu.ea(op);
  let off: number;
  if (n === 8) {
    const lo = cpu.rd64(a);
    off = cpu.hi * TWO32 + (lo >>> 0);
  } else off = n === 4 ? cpu.rd32(a) >>> 0 : cpu.rd16(a);
  const sel = cpu.rd16(a + n);
  farTransfer(cpu, sel, off, n, call);
}
def('Jmp_m1616', (cpu, op) => farIndirect(cpu, op, 2, false));
def('Jmp_m1632', (cpu, op) => farIndirect(cpu, op, 4, false));
def('Jmp_m1664', (cpu, op) => farIndirect(cpu, op, 8, false));
def('Call_m1616', (cpu, op) => farIndirect(cpu, op, 2, true));
def('Call_m1632', (cpu, op) => farIndirect(cpu, op, 4, true));
def('Call_m1664', (cpu, op) => farIndirect(cpu, op, 8, true));

// ---- LDS/LES/LSS/LFS/LGS -----------------------------------------------------------------------

function loadFar(cpu: Cpu, op: Op, seg: number, n: number): void {
  const a = cpu.ea(op);
  let lo: number, hi = 0;
  if (n === 8) {
    lo = cpu.rd64(a);
    hi = cpu.hi;
  } else lo = n === 4 ? cpu.rd32(a) : cpu.rd16(a);
  const sel = cpu.rd16(a + n);
  loadDataSeg(cpu, seg, sel);
  cpu.setRegSized(op.reg, n, lo, hi);
}
for (const [name, seg] of [['Lds', 3], ['Les', 0], ['Lss', 2], ['Lfs', 4], ['Lgs', 5]] as const) {
  def(`${name}_r16_m1616`, (cpu, op) => loadFar(cpu, op, seg, 2));
  def(`${name}_r32_m1632`, (cpu, op) => loadFar(cpu, op, seg, 4));
  if (name !== 'Lds' && name !== 'Les') def(`${name}_r64_m1664`, (cpu, op) => loadFar(cpu, op, seg, 8)); // no LDS/LES in 64-bit mode
}

// ---- PUSH/POP segment registers in 16/32-bit code ---------------------------------------------

for (const [name, seg] of [['es', 0], ['cs', 1], ['ss', 2], ['ds', 3], ['fs', 4], ['gs', 5]] as const) {
  def(`Pushw_${name}`, (cpu) => cpu.push16(cpu.segSel[seg]!));
  // A 32-bit push of a segment register writes the selector's 16 bits (as recent processors do).
  def(`Pushd_${name}`, (cpu) => {
    const sp = cpu.sp() - 4;
    cpu.wr16(cpu.stackLin(sp, 4), cpu.segSel[seg]!);
    cpu.setSpSized(sp);
  });
  if (seg === 1) continue;
  const pop = (n: number) => (cpu: Cpu): void => {
    const sp = cpu.sp();
    const sel = cpu.rd16(cpu.stackLin(sp, n));
    movSreg(cpu, seg, sel);
    cpu.setSpSized(sp + n);
  };
  def(`Popw_${name}`, pop(2));
  def(`Popd_${name}`, pop(4));
}

// ---- LAR / LSL / VERR / VERW -------------------------------------------------------------------

/**
 * The descriptor of `sel` if LAR/LSL/VERR/VERW may see it (in the table, visible at CPL and RPL,
 * of a type the instruction accepts: `ok(type, s)`), else null; sets or clears ZF accordingly.
 */
function visible(cpu: Cpu, sel: number, ok: (type: number, s: boolean) => boolean): number | null {
  const flags = cpu.getFlags();
  const fail = (): null => {
    cpu.setFlags(flags & ~0x40);
    return null;
  };
  if ((sel & 0xfffc) === 0) return fail();
  const ldt = (sel & 4) !== 0;
  const base = ldt ? cpu.ldtBase : cpu.gdtBase;
  const limit = ldt ? cpu.ldtLimit : cpu.gdtLimit;
  if ((sel & ~7) + 7 > limit) return fail();
  const lo = cpu.rdSys(base + (sel & ~7), 4);
  const hi = cpu.rdSys(base + (sel & ~7) + 4, 4);
  const s = (hi & 0x1000) !== 0;
  const type = (hi >> 8) & 0xf;
  if (!ok(type, s)) return fail();
  const conformingCode = s && (type & 0xc) === 0xc;
  const dpl = (hi >> 13) & 3;
  if (!conformingCode && (dpl < cpu.cpl || dpl < (sel & 3))) return fail();
  cpu.setFlags(flags | 0x40);
  cpu.hi = hi;
  return lo;
}
/** System types LAR accepts (IA-32e mode: LDT, TSS available/busy, call gate). */
function larType(cpu: Cpu, t: number, s: boolean): boolean {
  if (s) return true;
  if ((cpu.efer & EFER_LMA) !== 0) return t === 2 || t === 9 || t === 11 || t === 12;
  return t === 1 || t === 2 || t === 3 || t === 4 || t === 5 || t === 9 || t === 11 || t === 12;
}
function lslType(cpu: Cpu, t: number, s: boolean): boolean {
  if (s) return true;
  if ((cpu.efer & EFER_LMA) !== 0) return t === 2 || t === 9 || t === 11;
  return t === 1 || t === 2 || t === 3 || t === 9 || t === 11;
}
function selOf(cpu: Cpu, op: Op): number {
  return op.rm >= 0 ? cpu.get16(op.rm) : cpu.rd16(cpu.ea(op));
}
function lar(cpu: Cpu, op: Op, n: number): void {
  const lo = visible(cpu, selOf(cpu, op), (t, s) => larType(cpu, t, s));
  if (lo === null) return;
  const v = cpu.hi & 0xf0ff00;
  cpu.setRegSized(op.reg, n, n === 2 ? v & 0xffff : v, 0);
}
function lsl(cpu: Cpu, op: Op, n: number): void {
  const lo = visible(cpu, selOf(cpu, op), (t, s) => lslType(cpu, t, s));
  if (lo === null) return;
  const v = descLimitOf(lo, cpu.hi);
  cpu.setRegSized(op.reg, n, n === 2 ? v & 0xffff : v | 0, 0);
}
def('Lar_r16_r16m16', (cpu, op) => lar(cpu, op, 2));
def('Lar_r32_r32m16', (cpu, op) => lar(cpu, op, 4));
def('Lar_r64_r32m16', (cpu, op) => lar(cpu, op, 8));
def('Lsl_r16_r16m16', (cpu, op) => lsl(cpu, op, 2));
def('Lsl_r32_r32m16', (cpu, op) => lsl(cpu, op, 4));
def('Lsl_r64_r32m16', (cpu, op) => lsl(cpu, op, 8));
// VERR: readable code or data; VERW: writable data.
def('Verr_rm16', (cpu, op) => void visible(cpu, selOf(cpu, op), (t, s) => s && ((t & 8) === 0 || (t & 2) !== 0)));
def('Verw_rm16', (cpu, op) => void visible(cpu, selOf(cpu, op), (t, s) => s && (t & 8) === 0 && (t & 2) !== 0));

// ---- SYSENTER / SYSEXIT ------------------------------------------------------------------------

function msr(cpu: Cpu, n: number): number {
  const v = cpu.msrs.get(n) ?? 0n;
  return Number(BigInt.asIntN(64, v));
}
/** Loads CS and SS as the flat segments SYSENTER/SYSEXIT define. */
function flat(cpu: Cpu, cs: number, ss: number, long: boolean, dpl: number): void {
  flatCsSs(cpu, cs, ss, (long ? 0xa09b : 0xc09b) | (dpl << 5), dpl);
}
def('Sysenter', (cpu) => {
  // #GP(0) outside protected mode or with IA32_SYSENTER_CS = 0 (not in real mode here).
  const cs = msr(cpu, 0x174) & 0xfffc;
  if (cs === 0) cpu.gp(0);
  const lma = (cpu.efer & EFER_LMA) !== 0;
  const flags = cpu.getFlags();
  cpu.setFlags(flags & ~(0x200 | 0x20000 | 0x10000));
  flat(cpu, cs, (cs + 8) & 0xfffc, lma, 0);
  const esp = msr(cpu, 0x175);
  const eip = msr(cpu, 0x176);
  if (lma) {
    cpu.setRsp(esp);
    cpu.ip = eip;
  } else {
    cpu.set32(4, esp >>> 0);
    cpu.ip = eip >>> 0;
  }
});
function sysexit(cpu: Cpu, to64: boolean): void {
  const base = msr(cpu, 0x174) & 0xffff;
  if ((base & 0xfffc) === 0 || cpu.cpl !== 0) cpu.gp(0);
  let ip: number, sp: number;
  if (to64) {
    ip = cpu.getNum(2);
    sp = cpu.getNum(1);
    if (!(ip >= -CANON && ip < CANON) || !(sp >= -CANON && sp < CANON)) cpu.gp(0);
  } else {
    ip = cpu.regs[4]! >>> 0;
    sp = cpu.regs[2]! >>> 0;
  }
  flat(cpu, ((to64 ? base + 32 : base + 16) & 0xfffc) | 3, ((to64 ? base + 40 : base + 24) & 0xfffc) | 3, to64, 3);
  if (to64) cpu.setRsp(sp);
  else cpu.set32(4, sp);
  cpu.ip = ip;
}
// SYSEXIT: EDX is the return EIP, ECX the return ESP (RDX/RCX with REX.W).
def('Sysexitd', (cpu) => sysexit(cpu, false));
def('Sysexitq', (cpu) => sysexit(cpu, true));

// ---- PUSHA/POPA, ENTER (32-bit), BOUND, ARPL: the forms of 16/32-bit code only ----------------

/** PUSHA(D): AX CX DX BX, SP as it was, BP SI DI; faults leave ESP unchanged. */
function pusha(cpu: Cpu, n: number): void {
  const sp = cpu.sp();
  const orig = cpu.regs[8]!;
  // Both ends first: a limit fault leaves the stack and ESP untouched.
  cpu.stackLin(sp - 8 * n, n);
  cpu.stackLin(sp - 1, 1);
  let s = sp;
  for (let r = 0; r < 8; r++) {
    s -= n;
    const v = r === 4 ? orig : cpu.regs[r << 1]!;
    const a = cpu.stackLin(s, n);
    if (n === 4) cpu.wr32(a, v);
    else cpu.wr16(a, v & 0xffff);
  }
  cpu.setSpSized(s);
}
/** POPA(D): DI SI BP, (SP skipped), BX DX CX AX. */
function popa(cpu: Cpu, n: number): void {
  const sp = cpu.sp();
  const vals = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) {
    const a = cpu.stackLin(sp + i * n, n);
    vals[7 - i] = n === 4 ? cpu.rd32(a) : cpu.rd16(a);
  }
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue;
    if (n === 4) cpu.set32(r, vals[r]!);
    else cpu.set16(r, vals[r]!);
  }
  cpu.setSpSized(sp + 8 * n);
}
def('Pusha', (cpu) => pusha(cpu, 2));
def('Pushad', (cpu) => pusha(cpu, 4));
def('Popa', (cpu) => popa(cpu, 2));
def('Popad', (cpu) => popa(cpu, 4));

def('Enterd_imm16_imm8', (cpu, op) => {
  const size = op.imm & 0xffff;
  const level = op.imm2 & 31;
  const w = cpu.stackSize();
  const wrap = (v: number): number => (w === 4 ? v >>> 0 : v & 0xffff);
  let sp = cpu.sp();
  const write = (v: number): void => {
    sp = wrap(sp - 4);
    cpu.wr32(cpu.stackLin(sp, 4), v);
  };
  write(cpu.regs[10]!);
  const frame = sp;
  if (level > 0) {
    let bp = w === 4 ? cpu.regs[10]! >>> 0 : cpu.regs[10]! & 0xffff;
    for (let i = 1; i < level; i++) {
      bp = wrap(bp - 4);
      write(cpu.rd32(cpu.stackLin(bp, 4)));
    }
    write(frame);
  }
  const newSp = wrap(sp - size);
  cpu.rd8w(cpu.stackLin(newSp, 1));
  if (w === 4) cpu.set32(5, frame);
  else cpu.set16(5, frame);
  cpu.setSpSized(newSp);
});

/** BOUND: #BR (a fault) when the signed index is outside [lower, upper] read from memory. */
function bound(cpu: Cpu, op: Op, n: number): void {
  const a = cpu.ea(op);
  const lo = n === 4 ? cpu.rd32(a) : (cpu.rd16(a) << 16) >> 16;
  const hi = n === 4 ? cpu.rd32(a + 4) : (cpu.rd16(a + 2) << 16) >> 16;
  const v = n === 4 ? cpu.regs[op.reg << 1]! : (cpu.regs[op.reg << 1]! << 16) >> 16;
  if (v < lo || v > hi) cpu.fault(Vec.BR);
}
def('Bound_r16_m1616', (cpu, op) => bound(cpu, op, 2));
def('Bound_r32_m3232', (cpu, op) => bound(cpu, op, 4));

/** ARPL: raises the destination selector's RPL to the source's; ZF says whether it did. */
def('Arpl_rm16_r16', (cpu, op) => {
  const a = op.rm >= 0 ? -1 : cpu.ea(op);
  const dst = a < 0 ? cpu.get16(op.rm) : cpu.rd16w(a);
  const src = cpu.get16(op.reg);
  const flags = cpu.getFlags();
  if ((dst & 3) < (src & 3)) {
    const v = (dst & ~3) | (src & 3);
    if (a < 0) cpu.set16(op.rm, v);
    else cpu.wr16(a, v);
    cpu.setFlags(flags | 0x40);
  } else cpu.setFlags(flags & ~0x40);
});

// SYSENTER/SYSEXIT (SEP).
cpuidFeatures.l1edx |= 1 << 11;
