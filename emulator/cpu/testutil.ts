// Helpers for the emulator's unit tests: a machine with code loaded at CODE.

import { Cpu, StopReason } from './cpu';

export const CODE = 0x100000n;
export const DATA = 0x200000n;

export function hex(s: string): Uint8Array {
  const t = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A reset64 machine with `code` (hex) at CODE and RIP there. */
export function machine(code: string, memoryBytes = 16 << 20): Cpu {
  const cpu = new Cpu({ memoryBytes });
  cpu.reset64();
  cpu.writePhys(CODE, hex(code));
  cpu.rip = CODE;
  return cpu;
}

/** Runs until HLT (or a limit); fails on anything else. */
export function runToHlt(cpu: Cpu, max = 1_000_000): StopReason {
  const r = cpu.run(max);
  if (cpu.internalError) throw cpu.internalError;
  return r;
}

// ---- hardware-checked single-instruction cases ---------------------------------------------
// Generated at development time by running each instruction on this machine's CPU (the
// scripts/vectors harness): the data region 0x100000..0x101000 holds mulberry32(seed 1) words,
// RSP = 0x100c00, RSI = 0x100600 unless given; the instruction sits at 0x200000.

export const REG_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
export type Regs = Record<string, bigint>;
export interface Expect {
  exc?: number;
  flags?: number;
  rip?: number;
  mem?: [number, string][];
  [reg: string]: bigint | number | [number, string][] | undefined;
}
export type Case = [asm: string, hex: string, regs: Regs, flags: number, expect: Expect];

export function mulberryFill(seed: number, out: Uint8Array): void {
  let s = seed >>> 0;
  const dv = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < out.length; i += 4) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    dv.setUint32(i, (t ^ (t >>> 14)) >>> 0, true);
  }
}

/** Runs one case; returns a list of differences (empty when it matches). */
export function runCase(cpu: Cpu, c: Case, flagMask = 0x8d5): string[] {
  const [, code, regs, flags, exp] = c;
  cpu.reset64();
  const data = new Uint8Array(0x1000);
  mulberryFill(1, data);
  cpu.writePhys(0x100000n, data);
  const bytes = hex(code);
  cpu.writePhys(0x200000n, bytes);
  cpu.writePhys(0x200000n + BigInt(bytes.length), new Uint8Array(16).fill(0xcc));
  const input: bigint[] = REG_NAMES.map((n) => regs[n] ?? (n === 'rsp' ? 0x100c00n : n === 'rsi' ? 0x100600n : 0n));
  REG_NAMES.forEach((n, i) => cpu.setReg(n, input[i]!));
  cpu.rflags = BigInt(flags);
  cpu.rip = 0x200000n;
  cpu.interceptExceptions = -1;
  const r = cpu.step();
  const d: string[] = [];
  if (cpu.internalError) d.push(`internal error: ${String(cpu.internalError)}`);
  if (exp.exc !== undefined) {
    if (r !== StopReason.Exception || cpu.lastException?.vector !== exp.exc)
      d.push(`expected exception ${exp.exc}, got stop ${r} ${JSON.stringify(cpu.lastException?.vector)}`);
    if (cpu.rip !== 0x200000n) d.push(`RIP moved on a fault: ${cpu.rip.toString(16)}`);
    REG_NAMES.forEach((n, i) => {
      if (cpu.getReg(n) !== input[i]) d.push(`${n} changed on a fault`);
    });
    return d;
  }
  if (r !== StopReason.None) d.push(`stop ${r} ${JSON.stringify(cpu.lastException)}`);
  REG_NAMES.forEach((n, i) => {
    const want = (exp[n] as bigint | undefined) ?? input[i]!;
    const got = cpu.getReg(n);
    if (got !== want) d.push(`${n}: want ${want.toString(16)} got ${got.toString(16)}`);
  });
  if (exp.flags !== undefined && (Number(cpu.rflags) & flagMask) !== (exp.flags & flagMask))
    d.push(`flags: want ${(exp.flags & flagMask).toString(16)} got ${(Number(cpu.rflags) & flagMask).toString(16)}`);
  const wantRip = 0x200000n + BigInt(exp.rip ?? bytes.length);
  if (cpu.rip !== wantRip) d.push(`rip: want ${wantRip.toString(16)} got ${cpu.rip.toString(16)}`);
  const after = cpu.readPhys(0x100000n, 0x1000);
  const want = data.slice();
  for (const [off, h] of exp.mem ?? []) want.set(hex(h), off);
  for (let i = 0; i < 0x1000; i++) {
    if (after[i] !== want[i]) {
      d.push(`memory at +0x${i.toString(16)}: want ${want[i]!.toString(16)} got ${after[i]!.toString(16)}`);
      break;
    }
  }
  return d;
}
