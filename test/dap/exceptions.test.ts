// Stops before delivery (launch `stopOnExceptions`: the state as before the faulting instruction,
// delivery on continue), exceptionInfo, the triple fault (its filter on: a stop the machine cannot
// run after; off: the session ends). Stops after delivery: interrupts.test.ts.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, markerLine, program, startClient, stopAfter, topFrame } from './harness';

const FAULTS = program('faults.asm');
const L = (m: string) => markerLine(FAULTS, m);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('exceptions', () => {
  it('stopOnExceptions: INT3 and #UD before delivery, then the #DF their delivery causes, then the triple fault', async () => {
    await launchToEntry(dc, { program: FAULTS, stopOnExceptions: ['#BP', 6, '#df'] });
    let ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('exception');
    expect(ev.body.description).toMatch(/^Exception #BP breakpoint at/);
    // A trap: RIP after the INT3.
    expect((await topFrame(dc)).line).toBe(L('f-after-int3'));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    expect(info.body).toMatchObject({ exceptionId: '#BP', breakMode: 'always' });

    // Resuming delivers #BP through the (absent) IDT: #GP, then #GP again: a double fault.
    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Exception #DF double fault \(error code 0x0\)/);

    // Set RIP past the INT3 instead: the pending #DF is dropped, and ud2 faults next.
    const targets = (await dc.gotoTargetsRequest({ source: { path: FAULTS }, line: L('f-after-int3') })).body.targets;
    await stopAfter(dc, () => dc.gotoRequest({ threadId: 1, targetId: targets[0]!.id }));
    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Exception #UD invalid opcode at/);
    expect((await topFrame(dc)).line).toBe(L('f-ud2')); // a fault: RIP at the instruction
    expect(await evaluate(dc, 'rbx')).toBe('0x2');

    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Exception #DF double fault/);
    // The 'Triple fault' filter is on by default.
    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Triple fault at/);
    expect((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId).toBe('triple fault');
    expect(await failure(dc.continueRequest({ threadId: 1 }))).toMatch(/the machine cannot run any more: the CPU triple-faulted/);
    // Still inspectable.
    expect(await evaluate(dc, 'rax')).toBe('0x1');
  });

  it('with the triple fault filter off, a triple fault ends the session', async () => {
    await launchToEntry(dc, { program: FAULTS });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const [exited, output] = await Promise.all([
      dc.waitForEvent('exited'),
      dc.waitForEvent('output'),
      dc.waitForEvent('terminated'),
      dc.continueRequest({ threadId: 1 }),
    ]);
    expect(exited.body.exitCode).toBe(0);
    expect(output.body.output).toMatch(/the CPU triple-faulted at .*'Triple fault' filter is off/);
  });

  it("rejects stopOnExceptions entries that are not exceptions, naming the entry", async () => {
    await dc.initializeRequest();
    expect(await failure(dc.launch({ program: FAULTS, stopOnExceptions: ['#PF', 'page fault'] }))).toMatch(/stopOnExceptions\[1\]' must be an exception vector 0-31 or a name/);
  });
});
