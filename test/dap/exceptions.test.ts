// Exception filters: stop before the CPU delivers an exception (state as before the faulting
// instruction), exceptionInfo, delivery on continue, the #DF default, a triple fault ending the
// machine's run.

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
  it('advertises the filters, #DF on by default', async () => {
    const init = await dc.initializeRequest();
    const filters = init.body!.exceptionBreakpointFilters!;
    expect(filters.map((f) => f.filter)).toEqual(['faults', 'pf', 'gp', 'ud', 'df', 'bp']);
    expect(filters.filter((f) => f.default).map((f) => f.filter)).toEqual(['df']);
  });

  it('stops on INT3 and #UD before delivery, then on the #DF their delivery causes, then on the triple fault', async () => {
    await launchToEntry(dc, { program: FAULTS });
    await dc.setExceptionBreakpointsRequest({ filters: ['bp', 'ud', 'df'] });
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

    await dc.setExceptionBreakpointsRequest({ filters: [] });
    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Triple fault at/);
    expect((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId).toBe('triple fault');
    expect(await failure(dc.continueRequest({ threadId: 1 }))).toMatch(/the machine cannot run any more: the CPU triple-faulted/);
    // Still inspectable.
    expect(await evaluate(dc, 'rax')).toBe('0x1');
  });
});
