// The debug adapter's figures, measured the way a user feels them: the built adapter as a child
// process over stdio, driven by a minimal DAP client. Step latency (request to stopped event,
// median and p99) by instruction and by line, launch to first stop, pause latency in `jmp $`,
// and guest MIPS while continuing with no breakpoints, 10 breakpoints, and 10 + 2 data
// breakpoints (after a warm-up, three rounds of the three, the best of each). `npm run bench`
// prints these through bench/main.ts (formatDapBench).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Message {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

/** Just enough of a DAP client: requests, responses, events with their arrival times. */
class Client {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private pending = new Map<number, (m: Message) => void>();
  private waiters: { event: string; resolve: (m: Message & { at: number }) => void }[] = [];

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => this.data(d));
  }

  private data(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const head = this.buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString())?.[1]);
      if (this.buf.length < head + 4 + len) return;
      const m = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString()) as Message;
      this.buf = this.buf.subarray(head + 4 + len);
      const at = performance.now();
      if (m.type === 'response') this.pending.get(m.request_seq!)?.(m);
      else if (m.type === 'event') {
        const i = this.waiters.findIndex((w) => w.event === m.event);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve({ ...m, at });
      }
    }
  }

  request(command: string, args?: unknown): Promise<Message> {
    const seq = this.seq++;
    const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise((resolve, reject) => {
      this.pending.set(seq, (m) => (m.success ? resolve(m) : reject(new Error(`${command}: ${m.message}`))));
      this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    });
  }

  event(name: string, timeoutMs = 600_000): Promise<Message & { at: number }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no '${name}' event after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ event: name, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }
}

const LOOP = `bits 64
org 0x100000
_start:
    mov rcx, 0x7fffffffffffffff
    xor eax, eax
.spin:                          ; line 6
    add rax, rcx
    xor rax, 0x55
    dec rcx
    jnz .spin
    hlt
never:
    times 10 nop                ; breakpoints that are never hit
    jmp $                       ; line 14
align 8
watched: dq 0, 0                ; data breakpoints that are never hit
`;

const STEPS = `bits 64
org 0x100000
_start:
    mov rsp, 0x200000
again:
    call leaf
    add rbx, 1
    jmp again
leaf:
    inc rax
    ret
`;

export interface Latency {
  median: number;
  p99: number;
  n: number;
}

export interface DapBenchReport {
  launchToFirstStopMs: number;
  stepInstruction: Latency;
  stepLine: Latency;
  pauseMs: Latency;
  mips: { none: number; breakpoints10: number; breakpoints10data2: number };
}

function latency(xs: number[]): Latency {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p99: s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!, n: s.length };
}

async function session<T>(adapter: string, program: string, fn: (c: Client, launchMs: number) => Promise<T>): Promise<T> {
  const proc = spawn(process.execPath, [adapter], { stdio: 'pipe' });
  const c = new Client(proc);
  try {
    const t0 = performance.now();
    await c.request('initialize', { adapterID: 'kstack', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const stopped = c.event('stopped');
    const inited = c.event('initialized');
    await c.request('launch', { program, stopOnEntry: true });
    await inited;
    await c.request('configurationDone');
    const first = await stopped;
    return await fn(c, first.at - t0);
  } finally {
    await c.request('disconnect', {}).catch(() => {});
    proc.kill();
  }
}

async function timedStop(c: Client, command: string, args: unknown): Promise<number> {
  const ev = c.event('stopped');
  const t0 = performance.now();
  await c.request(command, args);
  return (await ev).at - t0;
}

async function instructions(c: Client): Promise<number> {
  const scopes = (await c.request('scopes', { frameId: 1 })).body!.scopes as { name: string; variablesReference: number }[];
  const sys = scopes.find((s) => s.name === 'System')!;
  const vars = (await c.request('variables', { variablesReference: sys.variablesReference })).body!.variables as { name: string; value: string }[];
  return Number(vars.find((v) => v.name === 'instructions')!.value.replace(/,/g, ''));
}

async function mips(c: Client, seconds: number): Promise<number> {
  await c.request('stackTrace', { threadId: 1 });
  const i0 = await instructions(c);
  const t0 = performance.now();
  await c.request('continue', { threadId: 1 });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const ev = c.event('stopped');
  await c.request('pause', { threadId: 1 });
  const t1 = (await ev).at;
  await c.request('stackTrace', { threadId: 1 });
  return (await instructions(c)) - i0 === 0 ? 0 : ((await instructions(c)) - i0) / ((t1 - t0) * 1000);
}

export async function runDapBench(opts: { adapter: string; steps?: number; seconds?: number }): Promise<DapBenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'kstack-dap-bench-'));
  const loop = join(dir, 'loop.asm');
  const steps = join(dir, 'steps.asm');
  writeFileSync(loop, LOOP);
  writeFileSync(steps, STEPS);
  const n = opts.steps ?? 300;
  const seconds = opts.seconds ?? 2;

  const launches: number[] = [];
  const [stepInstruction, stepLine] = await session(opts.adapter, steps, async (c, launchMs) => {
    launches.push(launchMs);
    const ins: number[] = [];
    for (let i = 0; i < n; i++) ins.push(await timedStop(c, 'stepIn', { threadId: 1, granularity: 'instruction' }));
    const lines: number[] = [];
    for (let i = 0; i < n; i++) lines.push(await timedStop(c, 'next', { threadId: 1 }));
    return [latency(ins), latency(lines)];
  });

  const result = await session(opts.adapter, loop, async (c, launchMs) => {
    launches.push(launchMs);
    // Warm-up (the JIT compiles the hot paths), then each configuration in turn, three rounds, the
    // best of each: the machine is shared, and one run of each in a row favours the later ones.
    await mips(c, seconds / 2);
    // Pause latency: the CPU spinning at full speed.
    const pauses: number[] = [];
    for (let i = 0; i < 20; i++) {
      await c.request('continue', { threadId: 1 });
      await new Promise((r) => setTimeout(r, 20 + (i % 5) * 7));
      pauses.push(await timedStop(c, 'pause', { threadId: 1 }));
    }
    const lines = [13, 13, 13, 13, 13, 14, 14, 14, 14, 14];
    const never = BigInt(((await c.request('evaluate', { expression: 'never', context: 'watch' })).body!.result as string).split(' ')[0]!);
    const instr = Array.from({ length: 10 }, (_, i) => ({ instructionReference: `0x${(never + BigInt(i)).toString(16)}` }));
    const watched = BigInt(((await c.request('evaluate', { expression: 'watched', context: 'watch' })).body!.result as string).split(' ')[0]!);
    const data = [
      { dataId: `0x${watched.toString(16)}/8`, accessType: 'write' },
      { dataId: `0x${(watched + 8n).toString(16)}/8`, accessType: 'readWrite' },
    ];
    const set = async (bps: boolean, watches: boolean) => {
      await c.request('setBreakpoints', { source: { path: loop }, breakpoints: bps ? lines.map((line) => ({ line })) : [] });
      await c.request('setInstructionBreakpoints', { breakpoints: bps ? instr : [] });
      await c.request('setDataBreakpoints', { breakpoints: watches ? data : [] });
    };
    let none = 0;
    let bp10 = 0;
    let data2 = 0;
    for (let round = 0; round < 3; round++) {
      await set(false, false);
      none = Math.max(none, await mips(c, seconds));
      await set(true, false);
      bp10 = Math.max(bp10, await mips(c, seconds));
      await set(true, true);
      data2 = Math.max(data2, await mips(c, seconds));
    }
    return { pauseMs: latency(pauses), mips: { none, breakpoints10: bp10, breakpoints10data2: data2 } };
  });
  return { launchToFirstStopMs: Math.min(...launches), stepInstruction, stepLine, ...result };
}

export function formatDapBench(r: DapBenchReport): string {
  const lat = (name: string, l: Latency, goal: string) => `  ${name.padEnd(34)} median ${l.median.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms (n=${l.n}; goal ${goal})`;
  const pct = (x: number) => `${((x / r.mips.none) * 100).toFixed(1)}% of none`;
  return [
    'debug adapter (dist/debug-adapter.js over stdio):',
    `  ${'launch to first stop'.padEnd(34)} ${r.launchToFirstStopMs.toFixed(0)} ms (process start, assemble, boot, stop on entry)`,
    lat('step (instruction)', r.stepInstruction, '< 5 ms median, < 20 ms p99'),
    lat('step over (line, calls)', r.stepLine, '< 5 ms median, < 20 ms p99'),
    lat('pause in a spinning loop', r.pauseMs, '< 50 ms'),
    `  ${'MIPS while continuing'.padEnd(34)} no breakpoints ${r.mips.none.toFixed(1)}; 10 breakpoints ${r.mips.breakpoints10.toFixed(1)} (${pct(r.mips.breakpoints10)}); 10 + 2 data breakpoints ${r.mips.breakpoints10data2.toFixed(2)} (${pct(r.mips.breakpoints10data2)}) (goal: within 5% of none)`,
  ].join('\n');
}
