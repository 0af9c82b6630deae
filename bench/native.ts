// The native side of the benchmark: compiles bench/guest/workload.c into a host program
// (bench/native/host.c) with gcc, with the same code-generation flags as the guest build
// (scripts/bench/build-guest.sh), so both run the same machine code; then runs and times it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { K_COUNT, type WorkloadResult } from './mailbox';

/** Keep in step with CFLAGS in scripts/bench/build-guest.sh. */
export const GUEST_CFLAGS = [
  '-O2', '-ffreestanding', '-fno-builtin', '-fno-tree-loop-distribute-patterns', '-fno-pic',
  '-mno-red-zone', '-fno-stack-protector', '-mgeneral-regs-only', '-fno-asynchronous-unwind-tables',
  '-fcf-protection=none',
];

export interface NativeBuild {
  exe: string;
  dispose(): void;
}

export interface NativeRun {
  result: WorkloadResult;
  seconds: number;
}

export function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Builds the native program, or returns why it cannot (no gcc, compile error). */
export function buildNative(guestDir: string): NativeBuild | string {
  if (!hasGcc()) return 'gcc was not found';
  const dir = mkdtempSync(join(tmpdir(), 'kstack-bench-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const obj = join(dir, 'workload.o');
    const exe = join(dir, 'workload-native');
    execFileSync('gcc', [...GUEST_CFLAGS, '-c', join(guestDir, 'workload.c'), '-o', obj], { stdio: 'pipe' });
    const host = resolve(guestDir, '..', 'native', 'host.c');
    execFileSync('gcc', ['-O2', '-no-pie', host, obj, '-o', exe], { stdio: 'pipe' });
    return { exe, dispose };
  } catch (e) {
    dispose();
    const err = e as { stderr?: Buffer; message: string };
    return `gcc failed: ${err.stderr?.toString().trim() || err.message}`;
  }
}

/** Runs the workload natively `repeats` times; the fastest run's time. */
export function runNative(build: NativeBuild, iters: readonly number[], repeats = 5): NativeRun {
  const args = [String(repeats)];
  for (let k = 0; k < K_COUNT; k++) args.push(String(iters[k] ?? 0));
  const out = execFileSync(build.exe, args, { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { seconds: number } & WorkloadResult;
  return {
    seconds: parsed.seconds,
    result: { done: parsed.done, errors: parsed.errors, value: parsed.value, checksum: parsed.checksum },
  };
}
