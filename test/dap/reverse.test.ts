// Time travel over DAP: supportsStepBack, stepBack (instruction, line), reverseContinue to an
// earlier breakpoint hit, kstack/goto, kstack/previousEvent, kstack/history (serial so far), and
// the `reverse` launch attribute.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, launchWithBreakpoints, markerLine, program, startClient, stopAfter, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

const CALLS = program('calls.asm');

async function regs(): Promise<string> {
  return [await evaluate(dc, 'rip'), await evaluate(dc, 'rcx'), await evaluate(dc, 'rbx'), await evaluate(dc, 'rsp')].join(' ');
}

describe('time travel', () => {
  it('declares supportsStepBack', async () => {
    const init = await dc.initializeRequest();
    expect(init.body?.supportsStepBack).toBe(true);
  });

  it('steps back by instruction to the state a forward step showed', async () => {
    await launchToEntry(dc, { program: CALLS });
    const seen: string[] = [await regs()];
    for (let i = 0; i < 12; i++) {
      await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      seen.push(await regs());
    }
    for (let i = seen.length - 2; i >= 0; i--) {
      const ev = await stopAfter(dc, () => dc.customRequest('stepBack', { threadId: 1, granularity: 'instruction' }));
      expect(ev.body.reason).toBe('step');
      expect(await regs()).toBe(seen[i]);
    }
    // At the start of the history a step back stays there.
    await stopAfter(dc, () => dc.customRequest('stepBack', { threadId: 1, granularity: 'instruction' }));
    expect(await regs()).toBe(seen[0]);
  });

  it('reverse-continues to the previous hit of a breakpoint, and forward again', async () => {
    const line = markerLine(CALLS, 'add-one');
    const { stopped } = await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line }]);
    expect(stopped.body.reason).toBe('breakpoint');
    expect(await evaluate(dc, 'rcx')).toMatch(/^0x0+$|^0$/);
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    const third = await regs();
    expect(await evaluate(dc, 'rcx')).toMatch(/2$/);
    const ev = await stopAfter(dc, () => dc.customRequest('reverseContinue', { threadId: 1 }));
    expect(ev.body.reason).toBe('breakpoint');
    expect((await topFrame(dc)).line).toBe(line);
    expect(await evaluate(dc, 'rcx')).toMatch(/1$/);
    // Once more: the first hit; then once more: the start of the history.
    await stopAfter(dc, () => dc.customRequest('reverseContinue', { threadId: 1 }));
    expect(await evaluate(dc, 'rcx')).toMatch(/^0x0+$|^0$/);
    const start = await stopAfter(dc, () => dc.customRequest('reverseContinue', { threadId: 1 }));
    expect(start.body.reason).toBe('step');
    expect(start.body.description).toMatch(/start of the recorded history/);
    // Forward again replays the same history.
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(await regs()).toBe(third);
  });

  it('steps back by line', async () => {
    const line = markerLine(CALLS, 'store');
    await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line }]);
    await stopAfter(dc, () => dc.customRequest('stepBack', { threadId: 1, granularity: 'line' }));
    // The line before the store is the loop's `jnz again`.
    expect((await topFrame(dc)).line).toBe(line - 2);
  });

  it('kstack/goto, kstack/history and kstack/previousEvent', async () => {
    const SERIAL = program('serial.asm');
    const line = markerLine(SERIAL, 's-exit');
    await launchWithBreakpoints(dc, { program: SERIAL }, SERIAL, [{ line }]);
    const all = (await dc.customRequest('kstack/history', {})).body;
    expect(all.serial).toBe('Hello from COM1\n');
    const ev = await stopAfter(dc, () => dc.customRequest('kstack/goto', { count: 20 }));
    expect(ev.body.reason).toBe('goto');
    const h = (await dc.customRequest('kstack/history', {})).body;
    expect(h.count).toBe(20);
    // Each character takes 6 instructions (lodsb, test, jz, mov, out, jmp) after the lea.
    expect(h.serial).toBe('Hel');
    expect(await failure(dc.customRequest('kstack/goto', { count: -1 }))).toMatch(/'count' must be an instruction count/);
    expect(await failure(dc.customRequest('kstack/goto', { count: 5_000_000_000 }))).toMatch(/past the recorded history; run there with Continue/);
    const p = await stopAfter(dc, () => dc.customRequest('kstack/previousEvent', {}));
    expect(p.body.description).toMatch(/No earlier interrupt delivery/);
  });

  it('the reverse launch attribute', async () => {
    expect(await failure(launchToEntry(dc, { program: CALLS, reverse: { maxMemoryMiB: 1 } }))).toMatch(/'reverse.maxMemoryMiB' must be a whole number/);
  });

  it('is off with reverse: false', async () => {
    await launchToEntry(dc, { program: CALLS, reverse: { enabled: false } });
    expect(await failure(dc.customRequest('stepBack', { threadId: 1 }))).toMatch(/time travel is off/);
  });
});

describe('time travel through interrupt deliveries', () => {
  const INTS = program('interrupts.asm');

  it('kstack/previousEvent and kstack/nextEvent move between deliveries; reverse-continue to a data breakpoint', async () => {
    const done = markerLine(INTS, 'i-done');
    await launchWithBreakpoints(dc, { program: INTS }, INTS, [{ line: done }]);
    const h = (await dc.customRequest('kstack/history', {})).body;
    const vectors = h.events.map((e: { vector: number }) => e.vector);
    expect(vectors).toEqual(expect.arrayContaining([0x80, 0x40, 2, 14]));
    // Back through every delivery, newest first: each lands on the handler's first instruction.
    const seen: number[] = [];
    for (let i = 0; i < h.events.length; i++) {
      const r = await Promise.all([dc.waitForEvent('stopped'), dc.customRequest('kstack/previousEvent', {})]);
      expect(r[1].body.found).toBe(true);
      seen.unshift(r[1].body.vector);
      if (r[1].body.vector === 2) {
        // An NMI's delivery and its handler's first instruction are one step (docs/time-travel.md).
        expect((await topFrame(dc)).line).toBe(markerLine(INTS, 'i-nmi-first') + 1);
        expect(r[1].body.tssSlot).toMatch(/^IST\d$/);
      }
    }
    expect(seen).toEqual(vectors);
    const none = await Promise.all([dc.waitForEvent('stopped'), dc.customRequest('kstack/previousEvent', {})]);
    expect(none[1].body.found).toBe(false);
    // At the first delivery now; forward to the second.
    const next = await Promise.all([dc.waitForEvent('stopped'), dc.customRequest('kstack/nextEvent', {})]);
    expect(next[1].body.vector).toBe(vectors[1]);
    // A data breakpoint on nmi_count: going back from the end stops before the NMI handler's write.
    await stopAfter(dc, () => dc.customRequest('kstack/goto', { count: h.count }));
    const info = await dc.dataBreakpointInfoRequest({ name: 'nmi_count' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const ev = await stopAfter(dc, () => dc.customRequest('reverseContinue', { threadId: 1 }));
    expect(ev.body.reason).toBe('data breakpoint');
    const line = (await topFrame(dc)).line;
    expect(line).toBeGreaterThan(markerLine(INTS, 'i-nmi-first'));
    expect(line).toBeLessThan(markerLine(INTS, 'i-nmi-iretq'));
    expect(await evaluate(dc, 'qword [nmi_count]')).toMatch(/^(0x0+|0)$/);
  });
});
