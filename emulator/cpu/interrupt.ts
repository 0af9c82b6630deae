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
  if (cpu.bits !== 64 && (cpu.efer & 0x400) === 0) {
    // Legacy protected/real-mode delivery is not implemented: treat as a triple fault path.
    cpu.fault(Vec.DF, 0);
  }
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
