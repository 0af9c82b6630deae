// Interrupt and exception entry (issue 6): the exception filters stop after delivery at the
// handler's first instruction, with the stack switch described; exceptionInfo decodes the error
// code; the call stack crosses interrupt frames with label frames; Step Out of a handler runs to
// its IRETQ; filter conditions.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, launchToEntry, launchWithBreakpoints, markerLine, program, startClient, stopAfter, topFrame } from './harness';

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

  it('system tables: TSS, IDT, GDT, Paging and APIC scopes, watch expressions, kstack/systemTables', async () => {
    await launchToEntry(dc, { program: PROG });
    await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
    await cont();
    const scopes = (await dc.scopesRequest({ frameId: 1 })).body.scopes;
    const vars = async (name: string) =>
      (await dc.variablesRequest({ variablesReference: scopes.find((x) => x.name === name)!.variablesReference })).body.variables;
    const top = (sym: string) => evaluate(dc, sym).then((v) => v.split(' ')[0]!);
    const nmiTop = await top('nmi_stack_top');
    const kTop = await top('kernel_stack_top');
    const hex16 = (h: string) => '0x' + h.slice(2).padStart(16, '0');
    const handler = (await evaluate(dc, 'nmi_handler')).split(' ')[0]!;

    const tss = await vars('TSS');
    expect(tss.find((v) => v.name === 'rsp0')!.value).toBe(`${hex16(kTop)} <kernel_stack_top> (kernel_stack)`);
    expect(tss.find((v) => v.name === 'ist1')!.value).toBe(`${hex16(nmiTop)} <nmi_stack_top> (nmi_stack)`);
    expect(tss.find((v) => v.name === 'ist2')!.value).toBe('0x0');
    expect(tss.find((v) => v.name === 'I/O map base')!.value).toBe('0x68 (beyond the limit: no I/O permission map)');

    const idt = await vars('IDT');
    expect(idt.map((v) => v.name)).toEqual(['[2] NMI', '[14] #PF', '[64]', '[128]']);
    expect(idt[0]!.value).toBe(`interrupt gate, DPL 0, IST1, 0x8:${hex16(handler)} <nmi_handler>`);

    const gdt = await vars('GDT');
    expect(gdt.map((v) => `${v.name}: ${v.value}`)).toEqual([
      '[0] 0x00: null',
      '[1] 0x08: 64-bit code readable, DPL 0',
      '[2] 0x10: data writable, DPL 0, base 0x0, limit 0x0',
      expect.stringMatching(/^\[3\] 0x18: 64-bit TSS \(busy\), base 0x[0-9a-f]+, limit 0x67, DPL 0$/),
    ]);

    const paging = await vars('Paging');
    // The walk of RIP (at nmi_handler), reset64's identity map by 2 MiB pages.
    expect(paging[1]!.value).toMatch(new RegExp(`^PML4\\[0\\] -> PDPT\\[0\\] -> PD\\[0\\]: 2 MiB page, phys ${hex16(handler)}, P RW `));
    const regions = paging.find((v) => v.name === 'regions')!;
    const rs = (await dc.variablesRequest({ variablesReference: regions.variablesReference })).body.variables;
    expect(rs[0]!.value).toBe('0x0000000000000000-0x00000000ffffffff rwx user, 4 GiB, identity');

    const apic = await vars('APIC');
    expect(apic.find((v) => v.name === 'enabled')!.value).toBe('hardware, software (SVR bit 8)');
    expect(apic.find((v) => v.name === 'SVR')!.value).toBe('0x1ff');

    // Watch expressions.
    expect(await evaluate(dc, 'tss.rsp0')).toBe(`${hex16(kTop)} <kernel_stack_top> (kernel_stack)`);
    expect(await evaluate(dc, 'tss.ist[1]')).toBe(`${hex16(nmiTop)} <nmi_stack_top> (nmi_stack)`);
    expect(await evaluate(dc, 'idt[2]')).toBe(idt[0]!.value);
    expect(await evaluate(dc, 'idt[2].handler')).toBe(`${hex16(handler)} <nmi_handler>`);
    expect(await evaluate(dc, 'idt[1 + 1].ist')).toBe('1');
    expect(await evaluate(dc, 'idt[3]')).toMatch(/^not present/);
    expect(await evaluate(dc, 'gdt[3].busy')).toBe('true');
    expect(await evaluate(dc, 'gdt[1]')).toBe('64-bit code readable, DPL 0');
    expect(await evaluate(dc, 'pte(0x100000000)')).toBe('PML4[0] -> PDPT[4]: not present at PDPT (#PF)');
    expect(await evaluate(dc, 'pte(nmi_handler)')).toMatch(/^PML4\[0\] -> PDPT\[0\] -> PD\[0\]: 2 MiB page, phys 0x0+1[0-9a-f]{5}, P RW /);
    await expect(dc.evaluateRequest({ expression: 'gdt[1].busy', context: 'watch' })).rejects.toThrow(/not a TSS descriptor/);
    await expect(dc.evaluateRequest({ expression: 'idt[300]', context: 'watch' })).rejects.toThrow(/beyond IDTR.limit/);

    // The extension's request.
    const t = (await dc.customRequest('kstack/systemTables')).body;
    expect(t.tss).toMatchObject({ selector: 0x18, limit: 0x67, ioMapBase: 0x68 });
    expect(t.tss.ist[0]).toEqual({ slot: 'IST1', value: hex16(nmiTop), symbol: 'nmi_stack_top', stack: 'nmi_stack' });
    expect(t.tss.rsp).toHaveLength(3);
    expect(t.tss.ist).toHaveLength(7);
    expect(t.idt[0]).toEqual({ vector: 2, name: 'NMI', type: 'interrupt', dpl: 0, ist: 1, selector: 8, handler: hex16(handler), symbol: 'nmi_handler' });
    expect(t.gdt[3]).toMatchObject({ index: 3, selector: 0x18, system: true, type: 0xb, busy: true, limit: 0x67 });
  });

  it('injection when RIP reaches an address (launch inject): the NMI is taken before that instruction', async () => {
    await dc.initializeRequest();
    const [ev] = await Promise.all([
      dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
      dc.waitForEvent('initialized').then(async () => {
        await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: PROG, inject: [{ kind: 'nmi', at: 'main' }] }),
    ]);
    expect(ev.body.description).toMatch(/^NMI \(vector 2\) via IST1: stack switched from kernel_stack/);
    const frames = await stack();
    expect(frames[0]!.line).toBe(L('i-nmi-first'));
    expect(frames[2]!.name).toBe('main [kernel_stack]');
    // The program's own NMI comes later, once: two in all.
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    expect((await cont()).body.reason).toBe('halt');
    expect(await evaluate(dc, 'rax')).toBe('0x2');
  });

  it('injection at an instruction count is deterministic: the same count, the same interrupted instruction', async () => {
    const run = async (): Promise<string[]> => {
      const c = await startClient();
      try {
        await c.initializeRequest();
        await Promise.all([
          c.waitForEvent('initialized').then(async () => {
            await c.setExceptionBreakpointsRequest({ filters: ['nmi'] });
            await c.configurationDoneRequest();
          }),
          c.launch({ program: PROG, stopOnEntry: true, inject: [{ kind: 'nmi', afterInstructions: 80 }] }),
          c.waitForEvent('stopped'),
        ]);
        const [ev] = await Promise.all([c.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, c.continueRequest({ threadId: 1 })]);
        const frames = (await c.stackTraceRequest({ threadId: 1 })).body.stackFrames;
        const label = frames.find((f) => f.presentationHint === 'label')!;
        const scope = (await c.scopesRequest({ frameId: label.id })).body.scopes.find((x) => x.name === 'Interrupt frame')!;
        const v = (await c.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
        return [ev.body.description!, frames[frames.indexOf(label) + 1]!.name, v.find((x) => x.name === 'instruction count')!.value, v.find((x) => x.name === 'rip')!.value];
      } finally {
        await c.stop();
      }
    };
    const a = await run();
    expect(a[2]).toBe('80');
    expect(a[0]).toMatch(/^NMI \(vector 2\) via IST1/);
    expect(await run()).toEqual(a);
  });

  it('kstack/inject later: at an address, checked', async () => {
    await launchToEntry(dc, { program: PROG });
    await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
    await dc.customRequest('kstack/inject', { kind: 'nmi', at: 'work' });
    const ev = await cont();
    expect(ev.body.description).toMatch(/^NMI \(vector 2\) via IST1/);
    expect((await stack())[2]!.name).toBe('work [kernel_stack]');
    await expect(dc.customRequest('kstack/inject', { kind: 'nmi', at: 'nosuch' })).rejects.toThrow(/at: 'nosuch' is not an address or a symbol/);
    await expect(dc.customRequest('kstack/inject', { kind: 'nmi', afterInstructions: 1 })).rejects.toThrow(/afterInstructions 1 is in the past/);
    await expect(dc.customRequest('kstack/inject', { kind: 'irq', vector: 3, afterInstructions: 1e6 })).rejects.toThrow(/vector from 32 to 255/);
  });

  it("an NMI injected while stopped is stopped at its handler's first instruction when the run resumes", async () => {
    await launchWithBreakpoints(dc, { program: PROG }, PROG, [{ line: L('i-call-work') }]);
    await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
    await dc.customRequest('kstack/inject', { kind: 'nmi' });
    const ev = await cont();
    expect(ev.body.description).toMatch(/^NMI \(vector 2\) via IST1: stack switched from kernel_stack \(rsp 0x[0-9a-f]+\) to nmi_stack \(rsp 0x[0-9a-f]+\)$/);
    const frames = await stack();
    expect(frames[0]!.line).toBe(L('i-nmi-first'));
    expect(frames[2]).toMatchObject({ line: L('i-call-work') });
  });

  it('32-bit protected mode: a 32-bit frame, its label frame, Step Out to the instruction after INT', async () => {
    const P = program('protected.asm');
    await launchToEntry(dc, { program: P });
    await dc.setExceptionBreakpointsRequest({ filters: ['software'] });
    const ev = await cont();
    expect(ev.body.description).toMatch(/^INT 0x30: same stack, stack \(rsp 0x[0-9a-f]+ -> rsp 0x[0-9a-f]+\)$/);
    const frames = await stack();
    expect(frames[0]).toMatchObject({ line: markerLine(P, 'p-handler') });
    expect(frames[1]).toMatchObject({ name: 'INT 0x30 · same stack · from CPL 0', presentationHint: 'label' });
    expect(frames[2]).toMatchObject({ line: markerLine(P, 'p-after') });
    expect(frames[3]).toMatchObject({ line: markerLine(P, 'p-done') - 1 });
    const scopes = (await dc.scopesRequest({ frameId: frames[1]!.id })).body.scopes;
    const fv = (await dc.variablesRequest({ variablesReference: scopes.find((x) => x.name === 'Interrupt frame')!.variablesReference })).body.variables;
    expect(fv.find((v) => v.name === 'cs')!.value).toBe('0x0000000000000008');
    const flags = BigInt(fv.find((v) => v.name === 'rflags')!.value);
    expect(flags & 0xffff0002n).toBe(2n); // a dword EFLAGS (bit 1 set), not a qword that ran into the stack above
    const out = await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect(out.body.description).toMatch(/^Stepped out of the INT 0x30 handler: IRET returned to work/);
    expect((await topFrame(dc)).line).toBe(markerLine(P, 'p-after'));
  });
});
