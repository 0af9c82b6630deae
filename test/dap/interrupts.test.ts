// Interrupt and exception entry (issue 6): the exception filters stop after delivery at the
// handler's first instruction, with the stack switch described; exceptionInfo decodes the error
// code; the call stack crosses interrupt frames with label frames; Step Out of a handler runs to
// its IRETQ; filter conditions.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, launchToEntry, markerLine, program, startClient, stopAfter, topFrame } from './harness';

const PROG = program('interrupts.asm');
const L = (m: string) => markerLine(PROG, m);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function stack(): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
}

async function cont(): Promise<DebugProtocol.StoppedEvent> {
  return stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
}

describe('interrupt and exception entry', () => {
  it('advertises one filter per exception, external and software interrupts, triple fault; #DF and triple fault on', async () => {
    const init = await dc.initializeRequest();
    expect(init.body!.supportsExceptionFilterOptions).toBe(true);
    const filters = init.body!.exceptionBreakpointFilters!;
    const labels = filters.map((f) => f.label);
    for (const n of ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', '#TS', '#NP', '#SS', '#GP', '#PF', '#MF', '#AC', '#MC', '#XM'])
      expect(labels.some((l) => l.split(' ')[0] === n), n).toBe(true);
    expect(labels).toContain('External interrupt');
    expect(labels).toContain('Software interrupt (INT n)');
    expect(labels).toContain('Triple fault');
    const mine = filters.filter((f) => ['df', 'triple', 'nmi', 'pf'].includes(f.filter));
    expect(mine.filter((f) => f.default).map((f) => f.filter).sort()).toEqual(['df', 'triple']);
    expect(mine.find((f) => f.filter === 'pf')!.supportsCondition).toBe(true);
  });

  it('stops on NMI entry after delivery, on the IST stack, with the label frame and the interrupted frames', async () => {
    await launchToEntry(dc, { program: PROG });
    await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
    const ev = await cont();
    expect(ev.body.reason).toBe('exception');
    expect(ev.body.description).toMatch(
      /^NMI \(vector 2\) via IST1: stack switched from kernel_stack \(rsp 0x[0-9a-f]+\) to nmi_stack \(rsp 0x[0-9a-f]+\)$/,
    );
    expect(ev.body.text).toBe('NMI');
    // At the handler's first instruction, nothing of it run yet.
    const frames = await stack();
    expect(frames[0]!.line).toBe(L('i-nmi-first'));
    expect(frames[0]!.name).toBe('nmi_handler [nmi_stack]');
    expect(frames[1]).toMatchObject({ name: 'NMI (vector 2) · IST1 · from CPL 0', presentationHint: 'label' });
    // The interrupted context: work (at the instruction after the ICR write or in the wait loop), main, _start.
    expect(frames[2]!.name).toMatch(/^(work|nmi_wait)(\+0x[0-9a-f]+)? \[kernel_stack\]$/);
    expect([L('i-nmi-wait'), L('i-nmi-wait') + 1]).toContain(frames[2]!.line);
    expect(frames[3]).toMatchObject({ line: L('i-call-work') });
    expect(frames[3]!.name).toMatch(/^main\+0x[0-9a-f]+ \[kernel_stack\]$/);
    // The RSP the handler starts with is on nmi_stack, 16-byte aligned, 5 qwords below the top.
    expect(await evaluate(dc, 'rsp == nmi_stack_top - 40')).toBe('true');

    const info = (await dc.exceptionInfoRequest({ threadId: 1 })).body;
    expect(info.exceptionId).toBe('NMI');
    const text = info.details!.stackTrace!;
    expect(text).toMatch(/error code: none/);
    expect(text).toMatch(/interrupted at CS:RIP 0x8:0x[0-9a-f]+ (work|nmi_wait)/);
    expect(text).toMatch(/RSP after: 0x[0-9a-f]+ \(nmi_stack, from the TSS's IST1\)/);

    // Step Out of the handler: runs to its IRETQ, stops on the interrupted instruction.
    const out = await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect(out.body.description).toMatch(/^Stepped out of the NMI \(vector 2\) handler: IRETQ returned to (work|nmi_wait)/);
    expect(frames[2]!.line).toBe((await topFrame(dc)).line);
    const after = await stack();
    expect(after.some((f) => f.presentationHint === 'label')).toBe(false);
    expect(await evaluate(dc, 'qword [nmi_count]')).toBe('0x1');
  });

  it("decodes a #PF's error code and CR2; Step Out resumes where the handler sends it", async () => {
    await launchToEntry(dc, { program: PROG });
    await dc.setExceptionBreakpointsRequest({ filters: ['pf'] });
    const ev = await cont();
    expect(ev.body.description).toMatch(/^#PF \(vector 14\): same stack, kernel_stack \(rsp 0x([0-9a-f]+) -> rsp 0x([0-9a-f]+)\), error code 0x2, CR2 0x100000000$/);
    const [, before, afterRsp] = /rsp 0x([0-9a-f]+) -> rsp 0x([0-9a-f]+)/.exec(ev.body.description!)!;
    // Six qwords pushed (the error code too), below RSP rounded down to 16.
    expect(BigInt('0x' + afterRsp) + 48n).toBe(BigInt('0x' + before) & ~15n);
    expect(await evaluate(dc, 'rsp')).toBe('0x' + afterRsp + ` (${BigInt('0x' + afterRsp)})`);
    const frames = await stack();
    expect(frames[0]!.line).toBe(L('i-pf-first'));
    expect(frames[1]).toMatchObject({ name: '#PF (vector 14) · same stack · from CPL 0', presentationHint: 'label' });
    expect(frames[2]).toMatchObject({ line: L('i-pf') });
    expect(frames[3]).toMatchObject({ line: L('i-call-work') });

    const info = (await dc.exceptionInfoRequest({ threadId: 1 })).body;
    expect(info.exceptionId).toBe('#PF');
    const text = info.details!.stackTrace!;
    expect(text).toContain('error code: 0x2: P=0 page not present, W=1 write, U=0 supervisor mode, I=0 not an instruction fetch');
    expect(text).toContain('CR2: 0x100000000');
    expect(text).toMatch(new RegExp(`interrupted at CS:RIP 0x8:0x[0-9a-f]+ nmi_wait\\+0x[0-9a-f]+ \\(interrupts\\.asm:${L('i-pf')}\\), CPL 0`));
    expect(text).toMatch(/stack after \(at 0x[0-9a-f]+\): 0x2 0x[0-9a-f]+ 0x8 /); // error code, RIP, CS

    const out = await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect(out.body.description).toMatch(/^Stepped out of the #PF \(vector 14\) handler: IRETQ returned to nmi_wait/);
    expect((await topFrame(dc)).line).toBe(L('i-after-pf'));
    expect(await evaluate(dc, 'rsp')).toBe(`0x${before} (${BigInt('0x' + before)})`);
  });

  it('filter conditions: vector, errorCode; nested deliveries give a label frame each', async () => {
    await launchToEntry(dc, { program: PROG });
    await dc.setExceptionBreakpointsRequest({
      filters: [],
      filterOptions: [
        { filterId: 'software', condition: 'vector == 0x40' },
        { filterId: 'pf', condition: 'errorCode & 4' },
      ],
    });
    const ev = await cont();
    expect(ev.body.description).toMatch(/^INT 0x40: same stack, kernel_stack/);
    const names = (await stack()).map((f) => f.name);
    expect(names.slice(0, 6)).toEqual([
      'irq_handler [kernel_stack]',
      'INT 0x40 · same stack · from CPL 0',
      'syscall_handler.out [kernel_stack]', // the instruction after the INT 0x40
      'INT 0x80 · same stack · from CPL 0',
      expect.stringMatching(/^work\+0x[0-9a-f]+ \[kernel_stack\]$/),
      expect.stringMatching(/^main\+0x[0-9a-f]+ \[kernel_stack\]$/),
    ]);
    // The #PF has errorCode 2 (no U bit): no stop; the run ends at the HLT.
    const end = await cont();
    expect(end.body.reason).toBe('halt');
    expect((await stack()).some((f) => f.presentationHint === 'label')).toBe(false);
  });

  it('a condition that does not parse is refused', async () => {
    await launchToEntry(dc, { program: PROG });
    await expect(dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'pf', condition: 'errorCode &' }] })).rejects.toThrow(/the condition of 'pf' does not parse/);
  });
});
