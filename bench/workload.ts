// The benchmark workload (bench/guest/workload.c) in the emulator: where its binaries are, and a
// run from a fresh machine to the guest's hlt.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { Cpu, StopReason } from '../emulator/cpu/cpu';
import {
  LOAD_ADDR, MAILBOX_ADDR, MAILBOX_BYTES, MEMORY_BYTES, STACK_TOP, mailboxBytes, parseMailbox,
  type Layout, type WorkloadResult,
} from './mailbox';

export interface EmulatedRun {
  result: WorkloadResult;
  instructions: number;
  /** Wall-clock seconds in cpu.run. */
  seconds: number;
  /** CPU seconds of this process (all its threads) in cpu.run: less sensitive to a busy machine. */
  cpuSeconds: number;
  stop: StopReason;
  /** Why the run did not end well (null when the guest halted with its work done). */
  failure: string | null;
}

/** The folder holding the guest binaries and sources, found from the running script or the cwd. */
export function guestDir(): string {
  const starts: string[] = [];
  if (typeof __dirname !== 'undefined') starts.push(__dirname);
  if (process.argv[1]) starts.push(dirname(resolve(process.argv[1])));
  starts.push(process.cwd());
  for (const start of starts) {
    for (let dir = start, i = 0; i < 6; i++, dir = dirname(dir)) {
      const candidate = join(dir, 'bench', 'guest');
      if (existsSync(join(candidate, 'workload-separate.bin'))) return candidate;
      if (existsSync(join(dir, 'workload-separate.bin'))) return dir;
    }
  }
  throw new Error('cannot find bench/guest/workload-separate.bin (run from the KStack repository)');
}

export function loadImage(layout: Layout, dir = guestDir()): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, `workload-${layout}.bin`)));
}

export function stopName(stop: StopReason): string {
  for (const [name, v] of Object.entries(StopReason)) if (v === stop) return name;
  return String(stop);
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** The instruction bytes at RIP, for a report (an unimplemented instruction shows up here). */
export function bytesAt(cpu: Cpu): string {
  const b = cpu.readLinear(cpu.rip, 15);
  return b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ') : 'unmapped';
}

/**
 * Loads `image` at 0x100000 in a fresh machine in the direct 64-bit state, writes the mailbox, and
 * runs until the guest halts (or faults, or runs past `maxInstructions`). Only cpu.run is timed.
 */
export function runInEmulator(
  image: Uint8Array,
  iters: readonly number[],
  maxInstructions = 20_000_000_000,
): EmulatedRun {
  const cpu = new Cpu({ memoryBytes: MEMORY_BYTES });
  cpu.reset64();
  cpu.writePhys(BigInt(LOAD_ADDR), image);
  cpu.writePhys(BigInt(MAILBOX_ADDR), mailboxBytes(iters));
  cpu.rip = BigInt(LOAD_ADDR);
  cpu.setReg('rsp', BigInt(STACK_TOP));
  cpu.interceptExceptions = 0xffffffff; // any exception stops the run, precisely, before delivery
  const start = cpu.instructionCount;
  const chunk = 1_000_000_000;
  let stop: StopReason = StopReason.Limit;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  while (stop === StopReason.Limit && cpu.instructionCount - start < maxInstructions) {
    stop = cpu.run(Math.min(chunk, maxInstructions - (cpu.instructionCount - start)));
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  const instructions = cpu.instructionCount - start;
  const result = parseMailbox(cpu.readPhys(BigInt(MAILBOX_ADDR), MAILBOX_BYTES));
  let failure: string | null = null;
  if (stop !== StopReason.Hlt) {
    failure = `the guest stopped (${stopName(stop)}) at rip ${hex(cpu.rip)} after ${instructions} instructions`;
    if (stop === StopReason.Exception && cpu.lastException) {
      const e = cpu.lastException;
      failure += ` on exception ${e.vector} (error code ${e.errorCode}, cr2 ${hex(e.cr2)})`;
    }
    failure += `; bytes at rip: ${bytesAt(cpu)}`;
  } else if (!result.done) {
    failure = `the guest halted at rip ${hex(cpu.rip)} before finishing its work`;
  }
  return { result, instructions, seconds, cpuSeconds, stop, failure };
}
