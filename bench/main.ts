// `npm run bench` (node dist/bench.js): runs the integer workload of bench/guest/workload.c in the
// emulator, kernel by kernel, in both layouts (buffers on their own pages, buffers on the code's
// page), and natively; prints instructions, seconds and MIPS, the native time and the ratio, and
// the same-page vs separate-page comparison. Every emulated result is checked against the native
// run and the TypeScript reference: a wrong emulator gets no speed figure, and the exit code is 1.

import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

import {
  BENCH_ITERS, K_COUNT, KERNEL_NAMES, LAYOUTS, RECORDED, TEST_ITERS, compareResults, only,
  type Layout, type WorkloadResult,
} from './mailbox';
import { buildNative, runNative, type NativeBuild } from './native';
import { referenceResult } from './reference';
import { guestDir, loadImage, runInEmulator } from './workload';
import { runToolBench } from './tools';
import { formatTimerBench, runTimerBench } from './timer';
import { formatKernelBench, repoRootOf, runKernelBench } from './kernels';
import { formatDapBench, runDapBench } from '../debug-adapter/bench';
import { formatTimeTravelBench, runTimeTravelBench } from './timetravel';
import { join } from 'node:path';

const GOAL_MIPS = 50;
const GOAL_SAME_PAGE_PERCENT = 20;

const USAGE = `usage: node dist/bench.js [options]   (npm run bench)

Runs bench/guest/workload.c (sieve, CRC-32, sort, memcpy-like loops, hash table; about 300
million instructions) in the emulator with its buffers on separate pages and on the code's page,
and natively (built with gcc when present), and prints the figures.

options:
  --scale F         multiply every kernel's iteration count by F (e.g. 0.1 for a quick run)
  --kernel NAME     run only this kernel (repeatable; ${KERNEL_NAMES.join(', ')})
  --repeat N        run each kernel N times in each layout and keep the fastest (default 3)
  --no-native       skip the native build and run
  -h, --help        this text`;

interface Options {
  scale: number;
  repeat: number;
  kernels: number[];
  native: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { scale: 1, repeat: 3, kernels: [], native: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--scale') {
      o.scale = Number(argv[++i]);
      if (!(o.scale > 0)) fail(`--scale needs a positive number`);
    } else if (a === '--repeat') {
      o.repeat = Number(argv[++i]);
      if (!(Number.isInteger(o.repeat) && o.repeat > 0)) fail('--repeat needs a positive whole number');
    } else if (a === '--kernel') {
      const name = argv[++i] ?? '';
      const k = (KERNEL_NAMES as readonly string[]).indexOf(name);
      if (k < 0) fail(`unknown kernel '${name}' (kernels: ${KERNEL_NAMES.join(', ')})`);
      o.kernels.push(k);
    } else if (a === '--no-native') {
      o.native = false;
    } else {
      fail(`unknown option '${a}'\n\n${USAGE}`);
    }
  }
  if (o.kernels.length === 0) for (let k = 0; k < K_COUNT; k++) o.kernels.push(k);
  return o;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const num = (n: number) => n.toLocaleString('en-US');
const fixed = (n: number, d: number) => n.toFixed(d);
const hex32 = (n: number | undefined) => `0x${(n ?? 0).toString(16).padStart(8, '0')}`;
const pad = (s: string, w: number) => s.padStart(w);
const padEnd = (s: string, w: number) => s.padEnd(w);

function gccVersion(): string {
  try {
    return execFileSync('gcc', ['-dumpfullversion'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

interface Row {
  instructions: number;
  instructionsSamePage: number;
  seconds: Record<Layout, number>;
  cpuSeconds: Record<Layout, number>;
  native: number | null;
  ok: boolean;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const iters = BENCH_ITERS.map((n) => Math.max(1, Math.round(n * opts.scale)));
  let dir: string;
  try {
    dir = guestDir();
  } catch (e) {
    fail((e as Error).message);
  }
  const images: Record<Layout, Uint8Array> = { separate: loadImage('separate', dir), samepage: loadImage('samepage', dir) };

  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log('KStack benchmark: bench/guest/workload.c in the emulator and natively');
  console.log(`host: ${model}, ${cpus().length} cores, Node ${process.version}`);
  const load = loadavg()[0]!;
  if (load > 0.5) {
    console.log(`note: the machine is busy (load average ${load.toFixed(2)}): the figures may be low; ` +
      'each is the fastest of several runs');
  }

  let native: NativeBuild | null = null;
  if (opts.native) {
    const built = buildNative(dir);
    if (typeof built === 'string') console.log(`native: figure unavailable (${built})`);
    else {
      native = built;
      console.log(`native: gcc ${gccVersion()}, the same C with the same code-generation flags (bench/native/host.c)`);
    }
  } else console.log('native: skipped (--no-native)');

  try {
    const ok = run(opts, iters, images, native);
    const toolsOk = runToolBench();
    console.log('');
    const timer = runTimerBench(images.separate, RECORDED.demo.iters.map((n) => Math.max(1, Math.round(n * opts.scale))), opts.repeat);
    for (const line of formatTimerBench(timer)) console.log(line);
    const timerOk = timer.rows.every((r) => r.run.failure === null);
    console.log('');
    for (const line of formatKernelBench(runKernelBench(repoRootOf(dir), join(__dirname, 'cli.js'), opts.repeat), opts.repeat)) console.log(line);
    console.log('');
    console.log(formatDapBench(await runDapBench({ adapter: join(__dirname, 'debug-adapter.js') })));
    console.log('');
    const travel = runTimeTravelBench();
    for (const line of formatTimeTravelBench(travel)) console.log(line);
    process.exitCode = ok && toolsOk && timerOk && travel.ok ? 0 : 1;
  } finally {
    native?.dispose();
  }
}

/** Returns whether every result was right. */
function run(opts: Options, iters: number[], images: Record<Layout, Uint8Array>, native: NativeBuild | null): boolean {
  // 1. A short check run (it also warms up the emulator's code): every layout, every kernel, against
  //    the values recorded from the native build and the TypeScript reference.
  const testRef = referenceResult(TEST_ITERS);
  const problems: string[] = [...compareResults('TypeScript reference', testRef, RECORDED.test, TEST_ITERS)];
  for (const layout of LAYOUTS) {
    const r = runInEmulator(images[layout], TEST_ITERS);
    if (r.failure) problems.push(`emulator (${layout}): ${r.failure}`);
    else problems.push(...compareResults(`emulator (${layout})`, r.result, testRef, TEST_ITERS));
  }
  console.log(`check: a short run (${num(sum(TEST_ITERS))} iterations) agrees with the native build's results: ` +
    (problems.length === 0 ? 'yes' : 'NO'));
  for (const p of problems) console.log(`  ${p}`);
  if (problems.length > 0) {
    console.log('FAILED: the emulator did not run the workload correctly: no speed figures.');
    return false;
  }

  // 2. The timed runs, one kernel at a time.
  const reference = referenceResult(iters);
  const scaled = iters.some((n, k) => n !== BENCH_ITERS[k]);
  if (!scaled) problems.push(...compareResults('TypeScript reference', reference, RECORDED.bench, iters));
  console.log(`iterations: ${opts.kernels.map((k) => `${KERNEL_NAMES[k]} ${num(iters[k]!)}`).join(', ')}` +
    (scaled ? ` (scaled by ${opts.scale})` : '') + `; the fastest of ${opts.repeat} run(s) per layout`);
  console.log('');
  const head1 = `${padEnd('', 8)} ${padEnd('  emulator, buffers on separate pages', 37)}   ${padEnd('   native', 18)}   buffers on the code's page`;
  const head2 = `${padEnd('kernel', 8)} ${pad('instructions', 14)} ${pad('seconds', 9)} ${pad('MIPS', 9)}   ${pad('seconds', 9)} ${pad('ratio', 8)}   ${pad('seconds', 9)} ${pad('MIPS', 9)} ${pad('vs separate', 12)}`;
  console.log(head1);
  console.log(head2);
  console.log('-'.repeat(head2.length));

  const rows: Row[] = [];
  const results: { k: number; emu: Record<Layout, WorkloadResult | null>; native: WorkloadResult | null }[] = [];
  for (const k of opts.kernels) {
    const kIters = only(k, iters);
    const row: Row = { instructions: 0, instructionsSamePage: 0, seconds: { separate: 0, samepage: 0 }, cpuSeconds: { separate: 0, samepage: 0 }, native: null, ok: true };
    const emu: Record<Layout, WorkloadResult | null> = { separate: null, samepage: null };
    const notes: string[] = [];
    row.seconds = { separate: Infinity, samepage: Infinity };
    row.cpuSeconds = { separate: Infinity, samepage: Infinity };
    for (let rep = 0; rep < opts.repeat; rep++) {
      for (const layout of LAYOUTS) {
        const r = runInEmulator(images[layout], kIters);
        row.seconds[layout] = Math.min(row.seconds[layout], r.seconds);
        row.cpuSeconds[layout] = Math.min(row.cpuSeconds[layout], r.cpuSeconds);
        if (layout === 'separate') row.instructions = r.instructions;
        else row.instructionsSamePage = r.instructions;
        if (r.failure) notes.push(`emulator (${layout}): ${r.failure}`);
        else {
          emu[layout] = r.result;
          notes.push(...compareResults(`emulator (${layout})`, r.result, reference, kIters));
        }
      }
      if (notes.length > 0) break;
    }
    let nativeResult: WorkloadResult | null = null;
    if (native) {
      const n = runNative(native, kIters);
      row.native = n.seconds;
      nativeResult = n.result;
      notes.push(...compareResults('native', n.result, reference, kIters));
    }
    row.ok = notes.length === 0;
    rows.push(row);
    results.push({ k, emu, native: nativeResult });
    printRow(KERNEL_NAMES[k]!, row);
    for (const n of notes) console.log(`  ${n}`);
    problems.push(...notes);
  }

  const good = rows.filter((r) => r.ok);
  const total: Row = {
    instructions: sum(good.map((r) => r.instructions)),
    instructionsSamePage: sum(good.map((r) => r.instructionsSamePage)),
    seconds: { separate: sum(good.map((r) => r.seconds.separate)), samepage: sum(good.map((r) => r.seconds.samepage)) },
    cpuSeconds: {
      separate: sum(good.map((r) => r.cpuSeconds.separate)),
      samepage: sum(good.map((r) => r.cpuSeconds.samepage)),
    },
    native: native ? sum(good.map((r) => r.native ?? 0)) : null,
    ok: good.length > 0,
  };
  const noGood = good.length === 0;
  console.log('-'.repeat(head2.length));
  if (noGood) console.log('total: no kernel computed the right results');
  else printRow(good.length === rows.length ? 'total' : 'total*', total);
  if (good.length !== rows.length) console.log('  * only the kernels that computed the right results');
  console.log("ratio: emulator seconds / native seconds. vs separate: time per instruction with the buffers on");
  console.log("the code's page relative to separate pages (+ = slower).");

  // 3. Checksums: what each kernel computed, and where it agrees.
  console.log('');
  console.log('results (last iteration\'s value, checksum of all iterations):');
  for (const { k, emu, native: n } of results) {
    const want = { value: reference.value[k], checksum: reference.checksum[k] };
    const same = (r: WorkloadResult | null) => r !== null && r.value[k] === want.value && r.checksum[k] === want.checksum;
    const runs: [string, boolean][] = [
      ['emulator (separate pages)', same(emu.separate)],
      ["emulator (code's page)", same(emu.samepage)],
      ...(native ? [['native', same(n)] as [string, boolean]] : []),
    ];
    const agree = runs.filter(([, ok]) => ok).map(([what]) => what);
    const differ = runs.filter(([, ok]) => !ok).map(([what]) => what);
    const text = differ.length === 0
      ? `${agree.join(', ')} and the TypeScript reference agree`
      : `WRONG: ${differ.join(', ')} (${[...agree, 'the TypeScript reference'].join(', ')} agree)`;
    console.log(`  ${padEnd(KERNEL_NAMES[k]!, 7)} ${pad(String(want.value), 10)}  ${hex32(want.checksum)}   ${text}`);
  }
  console.log('');

  // 4. The goals, only when every result was right.
  if (problems.length === 0) {
    const mips = total.instructions / total.seconds.separate / 1e6;
    const mipsSame = total.instructionsSamePage / total.seconds.samepage / 1e6;
    const pct = (mips / mipsSame - 1) * 100;
    console.log(`goal: at least ${GOAL_MIPS} MIPS (buffers on separate pages): ${fixed(mips, 1)} MIPS, ${mips >= GOAL_MIPS ? 'met' : 'NOT met'}`);
    console.log(`goal: buffers on the code's page within ${GOAL_SAME_PAGE_PERCENT}% of separate pages: ` +
      `${fixed(mipsSame, 1)} MIPS, ${signed(pct)}% time, ${pct <= GOAL_SAME_PAGE_PERCENT ? 'met' : 'NOT met'}`);
    const cpuMips = total.instructions / total.cpuSeconds.separate / 1e6;
    const cpuMipsSame = total.instructionsSamePage / total.cpuSeconds.samepage / 1e6;
    console.log(`per CPU-second of this process (less sensitive to a busy machine): ${fixed(cpuMips, 1)} MIPS ` +
      `separate pages, ${fixed(cpuMipsSame, 1)} MIPS code's page (${signed((cpuMips / cpuMipsSame - 1) * 100)}%)`);
    if (total.native) console.log(`native: ${fixed(total.seconds.separate / total.native, 0)}x faster than the emulator`);
    else console.log('native: figure unavailable');
  }
  if (problems.length > 0) {
    console.log(`FAILED: ${problems.length} wrong result(s): the goals are not evaluated, and the`);
    console.log('figures of the kernels that went wrong are not shown or counted');
    return false;
  }
  return true;
}

function printRow(name: string, r: Row): void {
  const cols = [padEnd(name, 8), pad(num(r.instructions), 14)];
  const sep = r.seconds.separate;
  const same = r.seconds.samepage;
  if (!r.ok) {
    console.log(`${cols.join(' ')} ${pad('WRONG: no figures', 19)}`);
    return;
  }
  cols.push(pad(fixed(sep, 3), 9), pad(fixed(r.instructions / sep / 1e6, 1), 9));
  const nat = r.native === null ? ['', pad('n/a', 9), pad('', 8)] : ['', pad(fixed(r.native, 4), 9), pad(`${fixed(sep / r.native, 0)}x`, 8)];
  cols.push(...nat);
  cols.push('', pad(fixed(same, 3), 9), pad(fixed(r.instructionsSamePage / same / 1e6, 1), 9), pad(`${signed(((r.instructions / sep) / (r.instructionsSamePage / same) - 1) * 100)}%`, 12));
  console.log(cols.join(' '));
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

void main();
