// Port I/O: IN, OUT (imm8 and DX forms, 8/16/32 bits) and INS/OUTS (with REP, DF, address size).
//
// The bus is `cpu.io` (the machine wires it to the devices' IoBus; null: reads return all ones and
// writes are dropped, as for a port nobody owns).
//
// Permission (SDM vol. 1 18.3): with CPL <= IOPL every port is allowed. Otherwise the I/O
// permission bitmap of the current TSS decides: its offset is the word at TSS+0x66; every bit for
// the ports port..port+size-1 must be clear and lie within TR's limit, else #GP(0). (TR is assumed
// to hold a 64-bit TSS: the Cpu loads TR only from reset64 or LTR.)
//
// INS/OUTS: the destination of INS is ES:rDI (no override), the source of OUTS seg:rSI (DS unless
// overridden; in 64-bit mode only FS/GS have a base). The 67 prefix picks rSI/rDI/rCX, ESI/EDI/ECX
// (zero-extended) or SI/DI/CX. With REP (F3 or F2) the instruction repeats rCX times, at most
// REP_CHUNK iterations per execution (1 with TF set), as MOVS does in string.ts. Faults are precise
// per iteration: INS checks that the destination is writable before it reads the port, so a
// #PF loses no input byte; the registers reflect the iterations done.

import type { Cpu } from '../cpu';
import type { Handler, Op } from '../op';
import { def } from '../registry';
import { REP_CHUNK, adv, dstLin, getCount, getIdx, setIdx, srcLin, subCount } from './string';

const P_REP = 1 << 1; // F3
const P_REPNE = 1 << 2; // F2
const DF = 0x400;
const TF = 0x100;
const RSI = 6, RDI = 7;
const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];

/** #GP(0) unless the current privilege may access ports port..port+size-1. */
export function checkIo(cpu: Cpu, port: number, size: number): void {
  if (cpu.cpl <= ((cpu.flagsReg >> 12) & 3)) return;
  const limit = cpu.trLimit;
  if (cpu.trSel === 0 || limit < 0x67) cpu.gp(0);
  const base = cpu.rdSys(cpu.trBase + 0x66, 2) & 0xffff;
  const byte = base + (port >>> 3);
  if (byte + 1 > limit) cpu.gp(0);
  const bits = cpu.rdSys(cpu.trBase + byte, 2) & 0xffff;
  const mask = ((1 << size) - 1) << (port & 7);
  if ((bits & mask) !== 0) cpu.gp(0);
}

function portIn(cpu: Cpu, port: number, size: number): number {
  const io = cpu.io;
  return io === null ? ONES[size]! : io.in(port, size);
}
function portOut(cpu: Cpu, port: number, size: number, value: number): void {
  const io = cpu.io;
  if (io !== null) io.out(port, size, size === 4 ? value >>> 0 : value & ONES[size]!);
}

function setAcc(cpu: Cpu, size: number, v: number): void {
  if (size === 1) cpu.set8(0, v);
  else if (size === 2) cpu.set16(0, v);
  else cpu.set32(0, v | 0);
}
function getAcc(cpu: Cpu, size: number): number {
  const v = cpu.regs[0]!;
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
}

// ---- IN / OUT --------------------------------------------------------------------------------

function inImm(size: number): Handler {
  return (cpu, op) => {
    const port = op.imm & 0xff;
    checkIo(cpu, port, size);
    setAcc(cpu, size, portIn(cpu, port, size));
  };
}
function inDx(size: number): Handler {
  return (cpu) => {
    const port = cpu.regs[4]! & 0xffff;
    checkIo(cpu, port, size);
    setAcc(cpu, size, portIn(cpu, port, size));
  };
}
function outImm(size: number): Handler {
  return (cpu, op) => {
    const port = op.imm & 0xff;
    checkIo(cpu, port, size);
    portOut(cpu, port, size, getAcc(cpu, size));
  };
}
function outDx(size: number): Handler {
  return (cpu) => {
    const port = cpu.regs[4]! & 0xffff;
    checkIo(cpu, port, size);
    portOut(cpu, port, size, getAcc(cpu, size));
  };
}

def('In_al_imm8', inImm(1));
def('In_ax_imm8', inImm(2));
def('In_eax_imm8', inImm(4));
def('In_al_dx', inDx(1));
def('In_ax_dx', inDx(2));
def('In_eax_dx', inDx(4));
def('Out_imm8_al', outImm(1));
def('Out_imm8_ax', outImm(2));
def('Out_imm8_eax', outImm(4));
def('Out_dx_al', outDx(1));
def('Out_dx_ax', outDx(2));
def('Out_dx_eax', outDx(4));

// ---- INS / OUTS --------------------------------------------------------------------------------

/** One INS element: destination checked writable, then the port read, then the store. */
function insOne(cpu: Cpu, port: number, size: number, di: number): void {
  const a = dstLin(cpu, di);
  if (size === 1) {
    cpu.rd8w(a);
    cpu.wr8(a, portIn(cpu, port, 1));
  } else if (size === 2) {
    cpu.rd16w(a);
    cpu.wr16(a, portIn(cpu, port, 2));
  } else {
    cpu.rd32w(a);
    cpu.wr32(a, portIn(cpu, port, 4) | 0);
  }
}
function outsOne(cpu: Cpu, op: Op, port: number, size: number, si: number): void {
  const a = srcLin(cpu, op, si);
  const v = size === 1 ? cpu.rd8(a) : size === 2 ? cpu.rd16(a) : cpu.rd32(a) >>> 0;
  portOut(cpu, port, size, v);
}

function ins(size: number): Handler {
  return (cpu, op) => {
    const port = cpu.regs[4]! & 0xffff;
    checkIo(cpu, port, size);
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    let di = getIdx(cpu, RDI, as);
    if ((op.prefixes & (P_REP | P_REPNE)) === 0) {
      insOne(cpu, port, size, di);
      setIdx(cpu, RDI, as, adv(di, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, (cpu.flagsReg & TF) !== 0 ? 1 : REP_CHUNK);
    let done = 0;
    try {
      while (done < max) {
        insOne(cpu, port, size, di);
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

function outs(size: number): Handler {
  return (cpu, op) => {
    const port = cpu.regs[4]! & 0xffff;
    checkIo(cpu, port, size);
    const as = op.addrSize;
    const step = (cpu.flagsReg & DF) !== 0 ? -size : size;
    let si = getIdx(cpu, RSI, as);
    if ((op.prefixes & (P_REP | P_REPNE)) === 0) {
      outsOne(cpu, op, port, size, si);
      setIdx(cpu, RSI, as, adv(si, step, as));
      return;
    }
    const total = getCount(cpu, as);
    if (total === 0) return;
    const max = Math.min(total, (cpu.flagsReg & TF) !== 0 ? 1 : REP_CHUNK);
    let done = 0;
    try {
      while (done < max) {
        outsOne(cpu, op, port, size, si);
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

def('Insb', ins(1));
def('Insw', ins(2));
def('Insd', ins(4));
def('Outsb', outs(1));
def('Outsw', outs(2));
def('Outsd', outs(4));
