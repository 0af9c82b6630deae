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
