// Event delivery through the 64-bit IDT: interrupt and trap gates, IST stacks from the 64-bit
// TSS, RSP0-2 on a privilege change, 16-byte stack alignment, the five- or six-qword frame.
// Everything that can fault is read or written before any register changes, so a fault during
// delivery leaves the CPU as it was (the caller applies the double-fault rules).

import { Vec } from '../memory/mmu';
import type { Cpu } from './cpu';

const TWO32 = 4294967296;
const CANON = 140737488355328;

/** Vectors that push an error code when raised as exceptions. */
export function hasErrorCode(v: number): boolean {
  return v === 8 || (v >= 10 && v <= 14) || v === 17 || v === 21 || v === 29 || v === 30;
}

/** Fault-class exceptions push RF=1 in the saved RFLAGS. */
function isFaultClass(v: number): boolean {
  return v === 0 || v === 5 || v === 6 || v === 7 || (v >= 10 && v <= 14) || v === 16 || v === 17 || v === 19 || v === 20 || v === 21;
}

/** Event kinds for deliverEvent. */
export const EXCEPTION = 0, SOFTWARE = 1, EXTERNAL = 2;

/**
 * Delivers vector `v`: `code` is the error code (-1: none); `kind` EXCEPTION, SOFTWARE (INT n,
 * INT3, INTO: gate DPL checked against CPL) or EXTERNAL; `ext` is the EXT bit for error codes of
 * faults raised during delivery.
 * The saved RIP is cpu.ip (the caller has set it to the faulting or the next instruction).
 */
export function deliverEvent(cpu: Cpu, v: number, code: number, kind: number, ext: number): void {
  const soft = kind === SOFTWARE;
  if ((cpu.efer & 0x400) === 0) return deliverProtected(cpu, v, code, kind, ext);
  const idtErr = (v << 3) | 2 | ext;
  const off = v * 16;
  if (off + 15 > cpu.idtLimit) cpu.gp(idtErr);
  const g = cpu.idtBase + off;
  const w0 = cpu.rdSys(g, 4);
  const w1 = cpu.rdSys(g + 4, 4);
  const w2 = cpu.rdSys(g + 8, 4);
  const type = (w1 >> 8) & 0x1f;
  if (type !== 0x0e && type !== 0x0f) cpu.gp(idtErr);
  const gateDpl = (w1 >> 13) & 3;
  if (soft && gateDpl < cpu.cpl) cpu.gp(idtErr);
  if ((w1 & 0x8000) === 0) cpu.fault(Vec.NP, idtErr);
  const sel = w0 >>> 16;
  const ist = w1 & 7;
  const target = w2 * TWO32 + (((w1 & 0xffff0000) | (w0 & 0xffff)) >>> 0);
  // Target code segment.
  if ((sel & 0xfffc) === 0) cpu.gp(ext);
  const dlo = cpu.readDescriptor(sel, ext);
  const dhi = cpu.hi;
  const isCode = (dhi & 0x1800) === 0x1800;
  const L = (dhi & 0x200000) !== 0;
  const D = (dhi & 0x400000) !== 0;
  const dpl = (dhi >> 13) & 3;
  const conforming = (dhi & 0x400) !== 0;
  if (!isCode || !L || D || dpl > cpu.cpl) cpu.gp((sel & 0xfffc) | ext);
  if ((dhi & 0x8000) === 0) cpu.fault(Vec.NP, (sel & 0xfffc) | ext);
  const newCpl = conforming ? cpu.cpl : dpl;
  if (!(target >= -CANON && target < CANON)) cpu.gp(ext);
  // Stack.
  let rsp: number;
  const privChange = newCpl < cpu.cpl;
  if (ist !== 0 || privChange) {
    const toff = ist !== 0 ? 36 + (ist - 1) * 8 : 4 + newCpl * 8;
    if (toff + 7 > cpu.trLimit) cpu.fault(Vec.TS, (cpu.trSel & 0xfffc) | ext);
    const lo = cpu.rdSys(cpu.trBase + toff, 4);
    const hi = cpu.rdSys(cpu.trBase + toff + 4, 4);
    rsp = hi * TWO32 + (lo >>> 0);
    if (!(rsp >= -CANON && rsp < CANON)) cpu.fault(Vec.SS, ext);
  } else {
    rsp = cpu.rsp();
  }
  rsp = Math.floor(rsp / 16) * 16;
  const oldRsp = cpu.rsp();
  const oldSs = cpu.segSel[2]!;
  let flags = cpu.getFlags();
  if (kind === EXCEPTION && isFaultClass(v)) flags |= 0x10000;
  const push = kind === EXCEPTION && code >= 0;
  const n = push ? 6 : 5;
  const frame = rsp - n * 8;
  if (!(frame >= -CANON && rsp <= CANON)) cpu.fault(Vec.SS, ext);
  // Write the frame as the new privilege level (supervisor unless the handler runs at CPL 3).
  const w = (a: number, lo: number, hi: number): void => {
    if (newCpl === 3) cpu.wrSlow(a, 8, lo, hi, true);
    else cpu.wrSys(a, 8, lo, hi);
  };
  const split = (x: number): void => {
    const lo = x % TWO32;
    splitLo = lo | 0;
    splitHi = ((x - lo) / TWO32) | 0;
  };
  let splitLo = 0,
    splitHi = 0;
  let a = rsp - 8;
  w(a, oldSs, 0);
  a -= 8;
  split(oldRsp);
  w(a, splitLo, splitHi);
  a -= 8;
  w(a, flags, 0);
  a -= 8;
  w(a, cpu.segSel[1]!, 0);
  a -= 8;
  split(cpu.ip);
  w(a, splitLo, splitHi);
  if (push) {
    a -= 8;
    w(a, code, 0);
  }
  if (cpu.onDeliver !== null) cpu.onDeliver(v, push ? code : -1, kind, ist !== 0 ? `IST${ist}` : privChange ? `RSP${newCpl}` : '', newCpl, a);
  // Commit.
  cpu.loadSegFromDesc(1, (sel & 0xfffc) | newCpl, dlo, dhi);
  if (privChange) {
    cpu.segSel[2] = newCpl;
    cpu.segBase[2] = 0;
    cpu.segLimit[2] = 0xffffffff;
    cpu.segAttr[2] = 0;
  }
  if (newCpl !== cpu.cpl) cpu.setCpl(newCpl);
  cpu.setRsp(a);
  let nf = flags & ~(0x100 | 0x4000 | 0x10000 | 0x20000);
  if (type === 0x0e) nf &= ~0x200;
  cpu.setFlags(nf);
  cpu.ip = target;
  cpu.halted = false;
  if (cpu.stackHook !== null) cpu.stackHook(cpu, oldRsp);
}

/** Limit in bytes of a descriptor (lo/hi dwords), with granularity. */
function limitOf(lo: number, hi: number): number {
  let limit = ((hi & 0xf0000) | (lo & 0xffff)) >>> 0;
  if (hi & 0x800000) limit = limit * 4096 + 0xfff;
  return limit;
}
function baseOf(lo: number, hi: number): number {
  return ((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0;
}

/**
 * Delivery through the protected-mode IDT (8-byte gates): 16- and 32-bit interrupt and trap gates;
 * a privilege change takes SS:ESP for the new CPL from the TSS (32- or 16-bit by TR's type). Task
 * gates (task switching) are not implemented: #GP(vector selector). Real and virtual-8086 mode are
 * not implemented either (the machine enters protected mode through its boot loaders).
 */
function deliverProtected(cpu: Cpu, v: number, code: number, kind: number, ext: number): void {
  const soft = kind === SOFTWARE;
  const idtErr = (v << 3) | 2 | ext;
  if (v * 8 + 7 > cpu.idtLimit) cpu.gp(idtErr);
  const g = cpu.idtBase + v * 8;
  const w0 = cpu.rdSys(g, 4);
  const w1 = cpu.rdSys(g + 4, 4);
  const type = (w1 >> 8) & 0x1f;
  if (type !== 0x06 && type !== 0x07 && type !== 0x0e && type !== 0x0f) cpu.gp(idtErr); // task gate (5) included
  const cpl = cpu.cpl;
  if (soft && ((w1 >> 13) & 3) < cpl) cpu.gp(idtErr);
  if ((w1 & 0x8000) === 0) cpu.fault(Vec.NP, idtErr);
  const n = (type & 8) !== 0 ? 4 : 2;
  const sel = w0 >>> 16;
  const target = n === 4 ? ((w1 & 0xffff0000) | (w0 & 0xffff)) >>> 0 : w0 & 0xffff;
  if ((sel & 0xfffc) === 0) cpu.gp(ext);
  const serr = (sel & 0xfffc) | ext;
  const dlo = cpu.readDescriptor(sel, ext);
  const dhi = cpu.hi;
  const dpl = (dhi >> 13) & 3;
  if ((dhi & 0x1800) !== 0x1800 || dpl > cpl) cpu.gp(serr);
  if ((dhi & 0x8000) === 0) cpu.fault(Vec.NP, serr);
  const conforming = (dhi & 0x400) !== 0;
  const newCpl = conforming ? cpl : dpl;
  const privChange = newCpl < cpl;
  if (target > limitOf(dlo, dhi)) cpu.gp(ext);
  // The stack: the TSS's for the new CPL, or the current one.
  let ssSel = cpu.segSel[2]!, ssBase = cpu.segBase[2]!, ssLimit = cpu.segLimit[2]!, ssAttr = cpu.segAttr[2]!;
  let slo = 0, shi = 0;
  let sp: number;
  let ssErr = ext;
  if (privChange) {
    const tss32 = (cpu.trAttr & 8) !== 0;
    const off = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
    if (off + (tss32 ? 5 : 3) > cpu.trLimit) cpu.fault(Vec.TS, (cpu.trSel & 0xfffc) | ext);
    sp = tss32 ? cpu.rdSys(cpu.trBase + off, 4) >>> 0 : cpu.rdSys(cpu.trBase + off, 2);
    ssSel = cpu.rdSys(cpu.trBase + off + (tss32 ? 4 : 2), 2);
    const e = (ssSel & 0xfffc) | ext;
    if ((ssSel & 0xfffc) === 0) cpu.fault(Vec.TS, ext);
    if ((ssSel & 3) !== newCpl) cpu.fault(Vec.TS, e);
    const ldt = (ssSel & 4) !== 0;
    if ((ssSel & ~7) + 7 > (ldt ? cpu.ldtLimit : cpu.gdtLimit)) cpu.fault(Vec.TS, e);
    const t = (ldt ? cpu.ldtBase : cpu.gdtBase) + (ssSel & ~7);
    slo = cpu.rdSys(t, 4);
    shi = cpu.rdSys(t + 4, 4);
    if ((shi & 0x1a00) !== 0x1200 || ((shi >> 13) & 3) !== newCpl) cpu.fault(Vec.TS, e);
    if ((shi & 0x8000) === 0) cpu.fault(Vec.SS, e);
    ssBase = baseOf(slo, shi);
    ssLimit = limitOf(slo, shi);
    ssAttr = (shi >>> 8) & 0xf0ff;
    ssErr = e;
  } else {
    sp = cpu.regs[8]! >>> 0;
  }
  const big = (ssAttr & 0x4000) !== 0;
  if (!big) sp &= 0xffff;
  const push = kind === EXCEPTION && code >= 0;
  const count = (privChange ? 5 : 3) + (push ? 1 : 0);
  const bottom = sp - count * n;
  // The frame must fit the stack segment (expand-down: above the limit).
  const expandDown = (ssAttr & 0x1c) === 0x14;
  const top = big ? 0xffffffff : 0xffff;
  const inside = (o: number): boolean => (expandDown ? o > ssLimit && o <= top : o >= 0 && o <= ssLimit);
  if (bottom < 0 || !inside(bottom) || !inside(sp - 1)) cpu.fault(Vec.SS, ssErr);
  let flags = cpu.getFlags();
  if (kind === EXCEPTION && isFaultClass(v)) flags |= 0x10000;
  const oldEsp = cpu.regs[8]! >>> 0;
  const user = newCpl === 3;
  let a = sp;
  const put = (x: number): void => {
    a -= n;
    const lin = (ssBase + a) >>> 0;
    if (user) cpu.wrSlow(lin, n, x, 0, true);
    else cpu.wrSys(lin, n, x, 0);
  };
  if (privChange) {
    put(cpu.segSel[2]!);
    put(n === 2 ? oldEsp & 0xffff : oldEsp);
  }
  put(n === 2 ? flags & 0xffff : flags);
  put(cpu.segSel[1]!);
  put(n === 2 ? cpu.ip & 0xffff : cpu.ip);
  if (push) put(code);
  if (cpu.onDeliver !== null) cpu.onDeliver(v, push ? code : -1, kind, privChange ? `ESP${newCpl}` : '', newCpl, (ssBase + a) >>> 0);
  // Commit.
  const oldRsp = cpu.rsp();
  if (privChange) cpu.loadSegFromDesc(2, ssSel, slo, shi);
  cpu.loadSegFromDesc(1, (sel & 0xfffc) | newCpl, dlo, dhi);
  if (newCpl !== cpu.cpl) cpu.setCpl(newCpl);
  if (big) cpu.set32(4, a);
  else cpu.set16(4, a);
  let nf = flags & ~(0x100 | 0x4000 | 0x10000 | 0x20000);
  if ((type & 1) === 0) nf &= ~0x200;
  cpu.setFlags(nf);
  cpu.ip = target;
  cpu.halted = false;
  if (cpu.stackHook !== null) cpu.stackHook(cpu, oldRsp);
}
