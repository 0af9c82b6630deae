// Stacks in the debugger: the switch history (kstack/stackSwitches) of a program that moves to an
// IRQ stack in software with a nest counter, the "Stack switch" filter stopping on the first
// instruction on each new stack, the Stacks scope and `stack.<name>.used`, and the detectors: a
// same-IST reentry (and the IRETQ of the frame it overwrote) and an overflow, each stopping where
// it happens and nowhere else.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluate, launchToEntry, markerLine, program, ROOT, startClient, stopAfter, topFrame } from './harness';

const STACKS = program('stacks.asm');
const REENTRY = program('stacks-reentry.asm');
const OVERFLOW = program('stacks-overflow.asm');

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

interface History {
  switches: { count: number; rip: string; from: string | null; to: string | null; cause: string; vector?: number; rspBefore: string; rspAfter: string }[];
  stacks: { name: string; base: string; top: string; size: number; origin: string; slots: string[]; current: boolean; used: number; deepest: number; belowTouched: boolean }[];
  alerts: { kind: string; message: string }[];
}

async function history(): Promise<History> {
  return (await dc.customRequest('kstack/stackSwitches', {})).body as History;
}

async function cont(): Promise<DebugProtocol.StoppedEvent> {
  return stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
}

/** Output events with `text` in them, collected from now on. */
function collectOutput(): string[] {
  const out: string[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
  return out;
}

async function addressOf(expr: string): Promise<string> {
  return (await evaluate(dc, expr)).replace(/ .*/, '');
}

describe('stacks', () => {
  it('advertises the Stack switch filter (off) and the three detectors (on)', async () => {
    const init = await dc.initializeRequest();
    const filters = init.body!.exceptionBreakpointFilters!.filter((f) => f.filter.startsWith('stack-'));
    expect(filters.map((f) => [f.filter, f.label, f.default])).toEqual([
      ['stack-switch', 'Stack switch', false],
      ['stack-ist-reentry', 'IST reentry', true],
      ['stack-overflow', 'Stack overflow', true],
      ['stack-iret-frame', 'IRETQ frame overwritten', true],
    ]);
  });

  it('gives the switch history of a software switch to the IRQ stack with a nest counter', async () => {
    await launchToEntry(dc, { program: STACKS });
    const ev = await cont();
    expect(ev.body.reason).toBe('halt');
    const h = await history();
    expect(h.switches.map((s) => [s.from, s.to, s.cause, s.vector])).toEqual([
      [null, 'thread_stack', 'mov', undefined],
      ['thread_stack', 'irq_stack', 'cmove', undefined],
      ['irq_stack', 'thread_stack', 'pop', undefined],
      ['thread_stack', 'nmi_stack', 'IST1', 0x42],
      ['nmi_stack', 'thread_stack', 'iretq', undefined],
    ]);
    const counts = h.switches.map((s) => s.count);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(h.switches[1]!.rspAfter).toBe(await addressOf('irq_stack_top'));
    expect(h.switches[1]!.rip).toBe(await addressOf('irq_entry + 12'));
    expect(h.stacks.map((s) => [s.name, s.origin, s.slots, s.current, s.belowTouched])).toEqual([
      ['nmi_stack', 'symbol', ['IST1'], false, false],
      ['irq_stack', 'symbol', [], false, false],
      ['thread_stack', 'symbol', ['RSP0'], true, false],
    ]);
    expect(h.stacks.find((s) => s.name === 'irq_stack')!.deepest).toBe(72);
    expect(h.alerts).toEqual([]);
    // `since` gives the tail.
    const tail = (await dc.customRequest('kstack/stackSwitches', { since: 3 })).body as History;
    expect(tail.switches).toEqual(h.switches.slice(3));
  });

  it('the IRQ-stack example kernel: thread stack to irq_stack in software and back, the nested IRQ staying there', async () => {
    await launchToEntry(dc, { program: join(ROOT, 'examples', '02-irq-stack.asm') });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'after_hlt' }] });
    const ev = await cont();
    expect(ev.body.reason).toBe('function breakpoint');
    const h = await history();
    expect(h.switches.map((s) => [s.from, s.to, s.cause])).toEqual([
      [null, 'thread_stack', 'mov'],
      ['thread_stack', 'irq_stack', 'mov'],
      ['irq_stack', 'thread_stack', 'pop'],
    ]);
    expect(h.alerts).toEqual([]);
    const names = h.stacks.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['thread_stack', 'irq_stack', 'nmi_stack', 'doublefault_stack', 'debug_stack']));
    expect(h.stacks.find((s) => s.name === 'nmi_stack')!.slots).toEqual(['IST3']);
    expect(h.stacks.find((s) => s.name === 'irq_stack')!.deepest).toBeGreaterThan(0);
  });

  it('Stack switch on an NMI from the local APIC (delivered between instructions): stops on the handler, on its IST stack', async () => {
    await launchToEntry(dc, { program: join(ROOT, 'examples', '04-nmi.asm') });
    await dc.setExceptionBreakpointsRequest({ filters: ['stack-switch'] });
    let ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: mov .* to thread_stack/);
    ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: vector 2 \(0x2\) delivered through IST3: from thread_stack \(rsp 0x[0-9a-f]+\) to nmi_stack \(rsp 0x[0-9a-f]+\)$/);
    expect(await evaluate(dc, 'rip')).toBe(await evaluate(dc, 'nmi_handler'));
    expect(await evaluate(dc, 'stack.nmi.used')).toBe('40');
  });

  it('takes the stacks the launch configuration names', async () => {
    await launchToEntry(dc, { program: STACKS, stacks: [{ name: 'spare', base: 'spare_page', size: 4096 }, { name: 'scratch', top: '0x300000', size: 0x1000 }] });
    const h = await history();
    expect(h.stacks.filter((s) => s.origin === 'launch').map((s) => [s.name, s.base, s.size])).toEqual([
      ['spare', await addressOf('spare_page'), 4096],
      ['scratch', '0x2ff000', 4096],
    ]);
  });

  it('time travel: after stepping back over a switch the history leaves it out; running on records it once', async () => {
    await launchToEntry(dc, { program: STACKS });
    await dc.setExceptionBreakpointsRequest({ filters: ['stack-switch'] });
    await cont(); // null -> thread_stack
    await cont(); // thread_stack -> irq_stack (cmove)
    expect((await history()).switches.map((s) => s.cause)).toEqual(['mov', 'cmove']);
    await stopAfter(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
    expect((await history()).switches.map((s) => s.cause)).toEqual(['mov']);
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const ev = await cont();
    expect(ev.body.reason).toBe('halt');
    expect((await history()).switches.map((s) => s.cause)).toEqual(['mov', 'cmove', 'pop', 'IST1', 'iretq']);
  });

  it('two sessions give the same history', async () => {
    await launchToEntry(dc, { program: STACKS });
    await cont();
    const a = await history();
    await dc.stop();
    dc = await startClient();
    await launchToEntry(dc, { program: STACKS });
    await cont();
    expect(await history()).toEqual(a);
  });

  it('the Stack switch filter stops on the first instruction on each new stack; Stacks scope and stack.<name>.used', async () => {
    await launchToEntry(dc, { program: STACKS });
    await dc.setExceptionBreakpointsRequest({ filters: ['stack-switch'] });
    let ev = await cont();
    expect(ev.body.reason).toBe('exception');
    expect(ev.body.description).toMatch(/^Stack switch: mov at .*: from no known stack \(rsp 0x[0-9a-f]+\) to thread_stack \(rsp 0x[0-9a-f]+\)$/);
    ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: cmove at irq_entry\+0xc \(stacks\.asm:\d+\): from thread_stack \(rsp 0x[0-9a-f]+\) to irq_stack/);
    expect((await topFrame(dc)).line).toBe(markerLine(STACKS, 's-on-irq'));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    expect(info.body).toMatchObject({ exceptionId: 'stack switch', breakMode: 'always' });

    const frame = await topFrame(dc);
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    const scope = scopes.find((s) => s.name === 'Stacks')!;
    const vars = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
    expect(vars.map((v) => v.name)).toEqual(['nmi_stack', 'irq_stack', 'thread_stack']);
    expect(vars[1]!.value).toMatch(/^0x[0-9a-f]+-0x[0-9a-f]+ · RSP here · used 0 · deepest 0\/4096$/);
    expect(vars[2]!.value).toMatch(/^0x[0-9a-f]+-0x[0-9a-f]+ · used 0 · deepest 64\/8192$/);
    const fields = (await dc.variablesRequest({ variablesReference: vars[2]!.variablesReference })).body.variables;
    expect(Object.fromEntries(fields.map((f) => [f.name, f.value]))).toMatchObject({ size: '8192', rspOnIt: 'false', deepest: '64', belowTouched: 'false', origin: 'symbol (RSP0)' });

    expect(await evaluate(dc, 'stack.irq.used')).toBe('0');
    await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    expect(await evaluate(dc, 'stack.irq.used')).toBe('8');
    expect(await evaluate(dc, 'stack.irq_stack.deepest')).toBe('8');
    expect(await evaluate(dc, 'stack.IST1.size')).toBe('4096');
    await expect(dc.evaluateRequest({ expression: 'stack.nosuch.used', context: 'watch' })).rejects.toThrow(/stack\.nosuch .*known stacks: nmi_stack, irq_stack, thread_stack/);

    ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: pop at .*: from irq_stack .* to thread_stack/);
    ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: vector 66 \(0x42\) delivered through IST1: from thread_stack .* to nmi_stack/);
    expect((await topFrame(dc)).line).toBe(markerLine(STACKS, 's-nmi-first'));
    ev = await cont();
    expect(ev.body.description).toMatch(/^Stack switch: iretq at .*: from nmi_stack .* to thread_stack/);
    ev = await cont();
    expect(ev.body.reason).toBe('halt');
  });

  it('detects the same-IST reentry at the nested delivery and the overwritten frame at its IRETQ, nowhere else', async () => {
    await launchToEntry(dc, { program: REENTRY });
    const out = collectOutput();
    let ev = await cont();
    expect(ev.body.reason).toBe('exception');
    expect(ev.body.text).toBe('IST reentry');
    expect(ev.body.description).toMatch(/^IST reentry at nmi_entry\+0x[0-9a-f]+ \(stacks-reentry\.asm:\d+\) \(instruction \d+\): vector 66 delivered through IST1 while the frame of vector 66 \(delivered at instruction \d+\) is live on nmi_stack/);
    // Stopped on the nested handler's first instruction.
    expect((await topFrame(dc)).line).toBe(markerLine(REENTRY, 'r-entry'));
    expect((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId).toBe('ist-reentry');
    ev = await cont();
    expect(ev.body.text).toBe('IRETQ frame overwritten');
    expect(ev.body.description).toMatch(/IRETQ at 0x[0-9a-f]+ popped the frame of vector 66 .* through IST1\) at 0x[0-9a-f]+ on nmi_stack, overwritten since delivery: rip /);
    // The IRETQ went back into the handler (the corrupted frame), not to main.
    expect((await topFrame(dc)).line).toBe(markerLine(REENTRY, 'r-after-nested'));
    ev = await cont();
    expect(ev.body.reason).toBe('halt');
    expect(ev.body.description).toContain(`by the HLT at nmi_entry.corrupt (stacks-reentry.asm:${markerLine(REENTRY, 'r-corrupt')})`);
    expect(out.filter((o) => o.startsWith('kstack: ')).map((o) => o.replace(/ at .*/s, ''))).toEqual(['kstack: IST reentry', 'kstack: IRETQ frame overwritten']);
    expect((await history()).alerts.map((a) => a.kind)).toEqual(['ist-reentry', 'iret-overwritten']);
  });

  it('detects the overflow at the call that leaves the stack, once', async () => {
    await launchToEntry(dc, { program: OVERFLOW });
    let ev = await cont();
    expect(ev.body.text).toBe('Stack overflow');
    expect(ev.body.description).toMatch(/^Stack overflow at recurse\+0x[0-9a-f]+ \(stacks-overflow\.asm:\d+\) \(instruction \d+\): stack overflow: RSP left irq_stack \(0x[0-9a-f]+-0x[0-9a-f]+\) through its bottom: rsp 0x[0-9a-f]+, 8 bytes below$/);
    expect(ev.body.description).toContain(`stacks-overflow.asm:${markerLine(OVERFLOW, 'o-call')}`);
    expect((await topFrame(dc)).line).toBe(markerLine(OVERFLOW, 'o-recurse'));
    expect(await evaluate(dc, 'stack.irq.belowTouched')).toBe('true');
    ev = await cont();
    expect(ev.body.reason).toBe('halt');
    const h = await history();
    expect(h.alerts.map((a) => a.kind)).toEqual(['overflow']);
  });

  it('detectors off: the same programs run to the end without stopping', async () => {
    await launchToEntry(dc, { program: OVERFLOW });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const ev = await cont();
    expect(ev.body.reason).toBe('halt');
    expect((await history()).alerts).toEqual([]);
  });
});
