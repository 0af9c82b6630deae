// Time-travel figures (issue 11), part of `npm run bench`: over a recorded run of the time-travel
// guest (emulator/timetravel/testguest.ts: an LCG scrambling 256 KiB, REP MOVSB copies, COM1
// output, a periodic APIC timer) of at least 100 million instructions:
//   - forward speed with and without recording (the slowdown; goal < 10 %),
//   - history memory per million instructions,
//   - Step Back latency at random points (median and p99; goal: median < 50 ms),
//   - Reverse Continue to a breakpoint hit 10 million instructions back (goal < 500 ms).
// Times are CPU time of this process (process.cpuUsage), the machine being shared.
// `node dist/bench.js --timetravel-only` runs only this part; --tt-instructions N sets the length.

import { StopReason } from '../emulator/cpu/cpu';
import { TimeTravel } from '../emulator/timetravel/history';
import { guestMachine, GUEST_CODE, IRQ_VECTOR } from '../emulator/timetravel/testguest';
import { Reverse, type EngineSide } from '../debug-adapter/reverse';
import { DebugInfo } from '../debug-adapter/debuginfo';

const GOAL_STEP_BACK_MS = 50;
const GOAL_REVERSE_CONTINUE_MS = 500;
const GOAL_SLOWDOWN = 10;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Deterministic random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SLICE = 20_000_000;

export interface TimeTravelBench {
  instructions: number;
  plainMips: number;
  recordingMips: number;
  slowdownPercent: number;
  snapshots: number;
  memoryMiB: number;
  bytesPerMillion: number;
  stepBackMedianMs: number;
  stepBackP99Ms: number;
  stepBackSamples: number;
  reverseContinueMs: number;
  reverseContinueBack: number;
  ok: boolean;
}

export function runTimeTravelBench(instructions = 120_000_000): TimeTravelBench {
  // An interrupt injected 10 M instructions before the end gives a breakpoint (its handler's
  // second instruction) hit exactly once, 10 M back.
  const injectAt = instructions - 10_000_000;
  const side: EngineSide = {
    debug: DebugInfo.empty(),
    breakpointsAt: (a) => (a === BigInt(GUEST_CODE + 0x301) ? [{ id: 1, kind: 'instruction', verified: true, address: a, hits: 0 } as never] : undefined),
    codeBreakpointAddresses: () => [BigInt(GUEST_CODE + 0x301)],
    dataBreakpoints: () => [],
    filterOn: () => false,
    conditionHolds: () => true,
    where: (a) => `0x${a.toString(16)}`,
    output: () => {},
  };
  // Forward without and with recording, alternated, the best of three each (the machine is shared).
  let plainMs = Infinity;
  let recMs = Infinity;
  let tt!: TimeTravel;
  let rev!: Reverse;
  let m = guestMachine();
  for (let k = 0; k < 6; k++) {
    const record = k % 2 === 1;
    const mm = guestMachine({ serial: (b) => tt?.serial(b) });
    if (record) {
      rev = Reverse.start(side, mm, { enabled: true, maxMemoryMiB: 512 }, false)!;
      tt = rev.travel;
      m = mm;
    }
    const t0 = cpuMs();
    let injected = false;
    while (mm.cpu.instructionCount < instructions) {
      if (!injected && mm.cpu.instructionCount >= injectAt) {
        mm.inject('irq', IRQ_VECTOR);
        if (record) tt.changed();
        injected = true;
      }
      const stopAt = injected ? instructions : injectAt;
      mm.run(Math.min(SLICE, stopAt - mm.cpu.instructionCount));
    }
    const ms = cpuMs() - t0;
    if (record) recMs = Math.min(recMs, ms);
    else plainMs = Math.min(plainMs, ms);
  }
  const end = tt.position;

  // Step back at random points of the history.
  const r = rng(7);
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = tt.start + 1 + Math.floor(r() * (end - tt.start - 1));
    tt.goTo(p);
    const t0 = cpuMs();
    tt.stepBack();
    samples.push(cpuMs() - t0);
  }

  // Reverse Continue from the end to the NMI handler, 10 M instructions back.
  tt.goTo(end);
  const t0 = cpuMs();
  const stop = rev.reverseContinue();
  const rcMs = cpuMs() - t0;
  const back = m.cpu.instructionCount;
  const ok = stop.reason === 'instruction breakpoint' && m.cpu.ip === GUEST_CODE + 0x301 && m.cpu.internalError === null;
  void StopReason;

  const plainMips = instructions / 1000 / plainMs;
  const recordingMips = instructions / 1000 / recMs;
  return {
    instructions,
    plainMips,
    recordingMips,
    slowdownPercent: (recMs / plainMs - 1) * 100,
    snapshots: tt.snapshotCount,
    memoryMiB: tt.memoryBytes / (1 << 20),
    bytesPerMillion: tt.memoryBytes / ((end - tt.start) / 1e6),
    stepBackMedianMs: percentile(samples, 50),
    stepBackP99Ms: percentile(samples, 99),
    stepBackSamples: samples.length,
    reverseContinueMs: rcMs,
    reverseContinueBack: instructions - back,
    ok,
  };
}

export function formatTimeTravelBench(b: TimeTravelBench): string[] {
  const f = (x: number, d = 1) => x.toFixed(d);
  return [
    `time travel (issue 11): ${(b.instructions / 1e6).toFixed(0)}M instructions of the time-travel guest (APIC timer, REP MOVSB, COM1), CPU time`,
    `  forward: ${f(b.plainMips)} MIPS plain, ${f(b.recordingMips)} MIPS recording: slowdown ${f(b.slowdownPercent)} % (goal < ${GOAL_SLOWDOWN} %)`,
    `  history: ${b.snapshots} snapshots, ${f(b.memoryMiB)} MiB, ${f(b.bytesPerMillion / 1024)} KiB per million instructions`,
    `  step back at ${b.stepBackSamples} random points: median ${f(b.stepBackMedianMs)} ms, p99 ${f(b.stepBackP99Ms)} ms (goal: median < ${GOAL_STEP_BACK_MS} ms)`,
    `  reverse continue to a breakpoint ${(b.reverseContinueBack / 1e6).toFixed(1)}M instructions back: ${f(b.reverseContinueMs)} ms (goal < ${GOAL_REVERSE_CONTINUE_MS} ms)${b.ok ? '' : '  WRONG STOP'}`,
  ];
}
