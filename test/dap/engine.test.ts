// The engine without DAP, over a stand-in machine: serial output reaches the console as it is
// written, a device's exit request ends the session with its status, long runs report progress.

import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../debug-adapter/engine';
import { memoryHost } from '../../debug-adapter/host';
import { bareMachine, StopReason, type MachineFactory } from '../../debug-adapter/machine';

const SPIN = `bits 64
org 0x100000
_start:
    inc rax
    jmp _start
`;

/** A CPU whose "serial port" prints a line every million instructions and exits after three. */
const chatty: MachineFactory = (opts) => {
  const m = bareMachine(opts);
  let lines = 0;
  let exit: number | undefined;
  return {
    ...m,
    hasSerial: true,
    exitCode: () => exit,
    run(n) {
      const r = m.cpu.run(Math.min(n, 1_000_000));
      if (r === StopReason.Limit || r === StopReason.None) {
        opts.serialOutput(new TextEncoder().encode(`line ${++lines}\n`));
        if (lines === 3) {
          exit = 7;
          return StopReason.IoExit;
        }
      }
      return r;
    },
  };
};

function collect(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return events;
}

const until = (events: EngineEvent[], type: EngineEvent['type'], ms = 10_000) =>
  new Promise<EngineEvent>((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      const e = events.find((x) => x.type === type);
      if (e) resolve(e);
      else if (Date.now() - t0 > ms) reject(new Error(`no ${type} event`));
      else setTimeout(poll, 5);
    };
    poll();
  });

describe('engine', () => {
  it('prints serial output as the guest writes it and ends with the exit status a device asked for', async () => {
    const engine = new Engine(memoryHost({ '/spin.asm': SPIN }), chatty);
    const events = collect(engine);
    engine.launch({ program: '/spin.asm' });
    engine.start();
    const exited = await until(events, 'exited');
    expect(exited).toEqual({ type: 'exited', exitCode: 7 });
    await until(events, 'terminated');
    const out = events.filter((e) => e.type === 'output' && e.category === 'stdout').map((e) => (e as { text: string }).text);
    expect(out.join('')).toBe('line 1\nline 2\nline 3\n');
    expect(engine.state).toBe('terminated');
  });

  it('reports progress during a long run and ends it at the stop', async () => {
    const engine = new Engine(memoryHost({ '/spin.asm': SPIN }));
    const events = collect(engine);
    engine.launch({ program: '/spin.asm', stopOnEntry: true });
    engine.start();
    events.length = 0;
    engine.continue();
    await until(events, 'progressStart', 5000);
    engine.pause();
    const stopped = await until(events, 'stopped');
    expect(stopped).toMatchObject({ reason: 'pause' });
    const end = events.find((e) => e.type === 'progressEnd');
    expect(end).toBeDefined();
    const start = events.find((e) => e.type === 'progressStart') as { message: string };
    expect(start.message).toMatch(/M instructions, [\d.]+ MIPS/);
  });

  it('pauses within 50 ms of the request (in-process)', async () => {
    const engine = new Engine(memoryHost({ '/spin.asm': SPIN }));
    const events = collect(engine);
    engine.launch({ program: '/spin.asm', stopOnEntry: true });
    engine.start();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      engine.continue();
      await new Promise((r) => setTimeout(r, 30));
      events.length = 0;
      const t0 = performance.now();
      engine.pause();
      await until(events, 'stopped');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[5]!).toBeLessThan(50);
  });
});
