// Boot-to-exit time of the test kernels (test/kernels/*.asm, multiboot ELF32 images built with
// nasm and ld): each run as a user runs it, `kstack run KERNEL` (a new Node process: start-up,
// loading, the 32-bit entry, the kernel's own switch to long mode, its test, the exit through
// isa-debug-exit) and `qemu-system-x86_64 -kernel KERNEL` with the same devices (firmware, loader
// and all), wall-clock medians of a few runs each.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const QEMU_ARGS = ['-nographic', '-no-reboot', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
  '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-m', '128', '-kernel'];
/** kstack run options a kernel needs (QEMU gets its #MC from the monitor: not timed here). */
const KSTACK_OPTIONS: Record<string, string[]> = { mc_injected: ['--inject', 'mc@rip=mc_wait'] };
const NO_QEMU = new Set(['mc_injected']);

export interface KernelRow {
  name: string;
  /** Median milliseconds, or null with a reason. */
  kstack: number | string;
  qemu: number | string;
  exit: number | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRun(cmd: string, args: string[], repeat: number): { ms: number; status: number | null } | string {
  const times: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) return (r.error as Error).message;
    status = r.status;
    times.push(ms);
  }
  return { ms: median(times), status };
}

/** Builds the kernels and times them; `root` is the repository, `cli` the built dist/cli.js. */
export function runKernelBench(root: string, cli: string, repeat = 3): KernelRow[] | string {
  const kernels = join(root, 'test', 'kernels');
  const out = mkdtempSync(join(tmpdir(), 'kstack-bench-kernels-'));
  try {
    const b = spawnSync('bash', [join(kernels, 'build.sh'), out], { encoding: 'utf8' });
    if (b.status !== 0) return `cannot build the test kernels (nasm and ld needed): ${(b.stderr || b.error?.message || '').trim().split('\n')[0]}`;
    const names = readdirSync(out).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();
    const qemu = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).status === 0;
    return names.map((name) => {
      const elf = join(out, `${name}.elf`);
      const k = timeRun(process.execPath, [cli, 'run', ...(KSTACK_OPTIONS[name] ?? []), elf], repeat);
      const q = !qemu ? 'qemu not installed' : NO_QEMU.has(name) ? 'needs the monitor' : timeRun('qemu-system-x86_64', [...QEMU_ARGS, elf], repeat);
      return {
        name,
        kstack: typeof k === 'string' ? k : k.ms,
        qemu: typeof q === 'string' ? q : q.ms,
        exit: typeof k === 'string' ? null : k.status,
      };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function formatKernelBench(rows: KernelRow[] | string, repeat: number): string[] {
  const out = ['boot to exit of the test kernels (test/kernels, multiboot), wall clock, median of ' + `${repeat} runs:`];
  if (typeof rows === 'string') return [...out, `  unavailable: ${rows}`];
  out.push(`  ${'kernel'.padEnd(18)} ${'kstack run'.padStart(11)} ${'exit'.padStart(5)} ${'qemu -kernel'.padStart(13)} ${'ratio'.padStart(7)}`);
  const cell = (v: number | string) => (typeof v === 'number' ? `${v.toFixed(0)} ms` : v);
  for (const r of rows) {
    const ratio = typeof r.kstack === 'number' && typeof r.qemu === 'number' ? `${(r.qemu / r.kstack).toFixed(1)}x` : '';
    out.push(`  ${r.name.padEnd(18)} ${cell(r.kstack).padStart(11)} ${String(r.exit ?? '?').padStart(5)} ${cell(r.qemu).padStart(13)} ${ratio.padStart(7)}`);
  }
  out.push('  ratio: QEMU time / KStack time (QEMU includes its firmware, SeaBIOS, before the kernel runs)');
  return out;
}

/** The repository root from a file under bench/guest (see workload.ts guestDir). */
export function repoRootOf(guestDir: string): string {
  return dirname(dirname(guestDir));
}
