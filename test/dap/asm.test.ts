// `.asm` programs assembled at launch: line breakpoints (moved, unverified), stepping by line
// (over, into, out of calls), function breakpoints, conditions, hit counts, logpoints, set next
// statement, restart, setVariable / setExpression, completions, loaded sources and modules.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, launchWithBreakpoints, markerLine, program, startClient, stopAfter, topFrame } from './harness';

const CALLS = program('calls.asm');
const L = (m: string) => markerLine(CALLS, m);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function where(): Promise<[string, number]> {
  const f = await topFrame(dc);
  return [f.name, f.line];
}

describe('.asm programs', () => {
  it('stops at entry on _start, with the source line', async () => {
    await launchToEntry(dc, { program: CALLS });
    const f = await topFrame(dc);
    expect(f.source?.path).toBe(CALLS);
    expect([f.name, f.line]).toEqual(['_start', L('entry')]);
  });

  it('hits a line breakpoint; moves one on a line without code; refuses one after the code', async () => {
    const { stopped, breakpoints } = await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [
      { line: L('add-one') },
      { line: L('add-one') - 1 }, // the `add_one:` label line: moves to `inc rcx`
      { line: 500 },
    ]);
    expect(breakpoints[0]).toMatchObject({ verified: true, line: L('add-one') });
    expect(breakpoints[1]).toMatchObject({ verified: true, line: L('add-one') });
    expect(breakpoints[1]!.message).toMatch(/moved from line/);
    expect(breakpoints[2]).toMatchObject({ verified: false });
    expect(breakpoints[2]!.message).toMatch(/no code at or after line 500/);
    expect(stopped.body.reason).toBe('breakpoint');
    expect(stopped.body.hitBreakpointIds).toEqual([breakpoints[0]!.id, breakpoints[1]!.id]);
    expect(await where()).toEqual(['add_one', L('add-one')]);
    expect(await evaluate(dc, 'rcx')).toBe('0x0');
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(await evaluate(dc, 'rcx')).toBe('0x1');
  });

  it('steps over, into and out of calls by line', async () => {
    await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line: L('call-add-one') }]);
    expect(await where()).toEqual(['again', L('call-add-one')]);
    let ev = await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('step');
    expect(await where()).toEqual(['again+0x5', L('after-call')]);
    expect(await evaluate(dc, 'rcx')).toBe('0x1');
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect(await where()).toEqual(['again', L('call-add-one')]); // jnz went back
    ev = await stopAfter(dc, () => dc.stepInRequest({ threadId: 1 }));
    expect(await where()).toEqual(['add_one', L('add-one')]);
    ev = await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('step');
    expect(await where()).toEqual(['again+0x5', L('after-call')]);
    expect(await evaluate(dc, 'rcx')).toBe('0x2');
  });

  it('steps over a call three levels deep and out of nested frames', async () => {
    await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line: L('call-outer') }]);
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect(await where()).toEqual(['again+0x17', L('after-outer')]);
    expect(await evaluate(dc, 'rax')).toBe('0x1234 (4660)');
    expect(await evaluate(dc, 'qword [counter]')).toBe('0x1');
  });

  it('stops at a function breakpoint and steps out to the caller line by line', async () => {
    await launchToEntry(dc, { program: CALLS });
    const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'inner' }, { name: 'nosuch' }] });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true, line: L('inner') });
    expect(set.body.breakpoints[1]).toMatchObject({ verified: false, message: "no symbol 'nosuch'" });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('function breakpoint');
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    expect(st.map((f) => [f.name, f.line])).toEqual([
      ['inner', L('inner')],
      ['middle+0x9', L('call-inner')],
      ['outer+0x9', L('call-middle')],
      ['again+0x17', L('call-outer')],
    ]);
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect(await where()).toEqual(['middle+0x9', L('call-inner') + 1]);
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1, granularity: 'instruction' }));
    expect((await topFrame(dc)).name).toBe('outer+0x9');
  });

  it('honours conditions, hit counts and logpoints', async () => {
    const line = L('add-one');
    const { stopped } = await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line, condition: 'rcx == 3' }]);
    expect(stopped.body.reason).toBe('breakpoint');
    expect(await evaluate(dc, 'rcx')).toBe('0x3');

    await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [{ line: L('after-call'), hitCondition: '==2' }, { line, logMessage: 'rcx={rcx} rbx={rbx}' }] });
    const out: string[] = [];
    dc.on('output', (e) => {
      if (e.body.category === 'console') out.push(e.body.output);
    });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(await where()).toEqual(['again+0x5', L('after-call')]);
    // Hit 2 of the `dec` line; the logpoint on the line where the CPU stood did not fire for that
    // line (continuing executes it), only on the next call.
    expect(await evaluate(dc, 'rcx')).toBe('0x5');
    expect(out.join('')).toBe('rcx=0x4 rbx=0x1\n');
  });

  it('reports a bad condition and stops there', async () => {
    const { stopped } = await launchWithBreakpoints(dc, { program: CALLS }, CALLS, [{ line: L('add-one'), condition: 'rcx ==' }]);
    expect(stopped.body.reason).toBe('breakpoint');
  });

  it('sets the next statement (goto) and restarts', async () => {
    await launchToEntry(dc, { program: CALLS });
    const targets = (await dc.gotoTargetsRequest({ source: { path: CALLS }, line: L('call-outer') })).body.targets;
    expect(targets).toHaveLength(1);
    const ev = await stopAfter(dc, () => dc.gotoRequest({ threadId: 1, targetId: targets[0]!.id }));
    expect(ev.body.reason).toBe('goto');
    expect(await where()).toEqual(['again+0x12', L('call-outer')]);
    // restart: back to the entry point, fresh machine
    await dc.setVariableRequest({ variablesReference: (await dc.scopesRequest({ frameId: 1 })).body.scopes[0]!.variablesReference, name: 'rcx', value: '77' });
    expect(await evaluate(dc, 'rcx')).toBe('0x4d (77)');
    const ev2 = await stopAfter(dc, () => dc.restartRequest({}));
    expect(ev2.body.reason).toBe('entry');
    expect(await where()).toEqual(['_start', L('entry')]);
    expect(await evaluate(dc, 'rcx')).toBe('0x0');
  });

  it('writes registers and memory through setVariable and setExpression', async () => {
    await launchToEntry(dc, { program: CALLS });
    const regs = (await dc.scopesRequest({ frameId: 1 })).body.scopes[0]!.variablesReference;
    const r = await dc.setVariableRequest({ variablesReference: regs, name: 'rax', value: '0x10 + 2' });
    expect(r.body.value).toBe('0x0000000000000012');
    const flags = (await dc.variablesRequest({ variablesReference: regs })).body.variables.find((v) => v.name === 'rflags')!;
    await dc.setVariableRequest({ variablesReference: flags.variablesReference, name: 'ZF', value: '1' });
    expect(await evaluate(dc, 'zf')).toBe('0x1');
    const e = await dc.customRequest('setExpression', { expression: 'qword [result]', value: 'rax * 2' });
    expect(e.body.value).toBe('0x24 (36)');
    expect(await evaluate(dc, 'qword [result]')).toBe('0x24 (36)');
    expect(await evaluate(dc, 'al = 5', 'repl')).toBe('0x5');
    expect(await evaluate(dc, 'rax')).toBe('0x5');
    expect(await failure(dc.customRequest('setExpression', { expression: 'rax + 1', value: '2' }))).toMatch(/cannot be assigned/);
    expect(await failure(dc.setVariableRequest({ variablesReference: regs, name: 'nosuch', value: '1' }))).toMatch(/no variable 'nosuch'/);
  });

  it('evaluates symbols, local labels and memory at symbols', async () => {
    await launchToEntry(dc, { program: CALLS });
    expect(await evaluate(dc, 'inner')).toBe('0x10004d <inner>');
    expect(await evaluate(dc, 'byte [message]')).toBe('0x68 (104)');
    expect(await evaluate(dc, 'qword [result] == 0')).toBe('true');
    const e = await dc.evaluateRequest({ expression: 'message', context: 'hover' });
    expect(e.body.memoryReference).toBe('0x0000000000100078');
    expect(e.body.result).toBe('0x100078 <message> [qword 0x6f6c6c6568]');
    expect(await failure(dc.evaluateRequest({ expression: 'nosuch + 1', context: 'watch' }))).toBe("'nosuch' is not a register or a symbol");
    expect(await failure(dc.evaluateRequest({ expression: 'rax +', context: 'watch' }))).toMatch(/expression ends too early/);
  });

  it('completes registers and symbols in the console', async () => {
    await launchToEntry(dc, { program: CALLS });
    const c = await dc.completionsRequest({ text: 'rax + inn', column: 10 });
    expect(c.body.targets.map((t) => t.label)).toEqual(['inner']);
    expect(c.body.targets[0]).toMatchObject({ start: 7, length: 3 });
    const r = await dc.completionsRequest({ text: 'r1', column: 3 });
    expect(r.body.targets.map((t) => t.label)).toContain('r10');
  });

  it('lists loaded sources and the module', async () => {
    await launchToEntry(dc, { program: CALLS });
    const s = await dc.customRequest('loadedSources', {});
    expect(s.body.sources.map((x: { path: string }) => x.path)).toEqual([CALLS]);
    const m = await dc.modulesRequest({});
    expect(m.body.modules[0]).toMatchObject({ id: 1, name: 'calls.asm', path: CALLS, addressRange: '0x0000000000100000-0x0000000000102080' });
    const locs = await dc.customRequest('breakpointLocations', { source: { path: CALLS }, line: L('add-one') - 2, endLine: L('add-one') + 1 });
    expect(locs.body.breakpoints).toEqual([{ line: L('add-one') }, { line: L('add-one-ret') }]);
  });

  it('runs without debugging: breakpoints and stopOnEntry ignored', async () => {
    const { stopped } = await launchWithBreakpoints(dc, { program: CALLS, noDebug: true, stopOnEntry: true }, CALLS, [{ line: L('add-one') }]);
    expect(stopped.body.reason).toBe('halt');
    expect(await evaluate(dc, 'rcx')).toBe('0x5');
  });

  it('halts at hlt with a reason', async () => {
    const { stopped } = await launchWithBreakpoints(dc, { program: CALLS }, CALLS, []);
    expect(stopped.body.reason).toBe('halt');
    expect(stopped.body.description).toMatch(/^CPU halted by the HLT at done \(calls.asm:\d+\)/);
    // RIP is after the HLT, as the hardware leaves it.
    expect(await where()).toEqual(['done+0x1', L('done') + 1]);
  });
});

describe('included files and macros', () => {
  const INC = program('include.asm');
  const LIB = program('lib/util.inc');
  it('breaks in an included file, steps over a macro call line as one line', async () => {
    const { stopped, breakpoints } = await launchWithBreakpoints(dc, { program: INC, cwd: '/' }, LIB, [{ line: markerLine(LIB, 'inc-double') }]);
    expect(breakpoints[0]).toMatchObject({ verified: true, line: markerLine(LIB, 'inc-double') });
    expect(stopped.body.reason).toBe('breakpoint');
    const f = await topFrame(dc);
    expect([f.source?.path, f.name]).toEqual([LIB, 'double_it']);
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect((await topFrame(dc)).line).toBe(markerLine(INC, 'i-macro'));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect((await topFrame(dc)).line).toBe(markerLine(INC, 'i-after'));
    expect(await evaluate(dc, 'rax')).toBe('0x18 (24)');
    const s = await dc.customRequest('loadedSources', {});
    expect(s.body.sources.map((x: { path: string }) => x.path).sort()).toEqual([INC, LIB].sort());
  });
});
