// Data breakpoints: write, read and read/write watches on memory ranges, named by expression,
// by address, or by a variable that holds an address.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, launchToEntry, markerLine, program, startClient, stopAfter, topFrame } from './harness';

const CALLS = program('calls.asm');
const L = (m: string) => markerLine(CALLS, m);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('data breakpoints', () => {
  it('stops after a write to a watched qword, with old and new values', async () => {
    await launchToEntry(dc, { program: CALLS });
    const info = await dc.dataBreakpointInfoRequest({ name: 'qword [result]' });
    expect(info.body).toMatchObject({ dataId: '0x100068/8', accessTypes: ['read', 'write', 'readWrite'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('data breakpoint');
    expect(ev.body.description).toBe('Paused on data breakpoint: write to 0x100068 (8 bytes): 0x0 -> 0x5');
    expect(ev.body.hitBreakpointIds).toEqual([set.body.breakpoints[0]!.id]);
    const f = await topFrame(dc);
    expect(f.line).toBe(L('call-outer')); // stopped after the store, as a hardware watchpoint traps
    // A read of the same qword does not stop a write watch: runs to the HLT.
    const ev2 = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev2.body.reason).toBe('halt');
    expect(await evaluate(dc, 'rdx')).toBe('0x5');
  });

  it('read watches see reads (also read-modify-write) and not pure writes', async () => {
    await launchToEntry(dc, { program: CALLS });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: '0x100068/8', accessType: 'read' }, { dataId: '0x100070/4', accessType: 'read' }] });
    let ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/read of 0x100070 \(4 bytes\)/); // add qword [counter], 1
    expect((await topFrame(dc)).line).toBe(L('inner-count') + 1);
    ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Paused on data breakpoint: read of 0x100068 \(8 bytes\): 0x5/); // mov rdx, [result]
    expect((await topFrame(dc)).line).toBe(L('done'));
  });

  it('watches by address, by size, and through a register that holds an address', async () => {
    await launchToEntry(dc, { program: CALLS });
    const byAddr = await dc.dataBreakpointInfoRequest({ name: '0x100070', asAddress: true, bytes: 2 });
    expect(byAddr.body.dataId).toBe('0x100070/2');
    const regs = (await dc.scopesRequest({ frameId: 1 })).body.scopes[0]!.variablesReference;
    // rsp at entry is the top of free RAM: watch [rsp].
    const viaVar = await dc.dataBreakpointInfoRequest({ variablesReference: regs, name: 'rsp' });
    expect(viaVar.body.dataId).toMatch(/^0x[0-9a-f]+\/8$/);
    const noAddr = await dc.dataBreakpointInfoRequest({ variablesReference: regs, name: 'rax' });
    expect(noAddr.body.dataId).toBeNull();
    const sym = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    expect(sym.body.dataId).toBe('0x100070/8');
    // The stack: the first push into the watched slot below stack_top is the CALL's return address.
    await stopAfter(dc, () => dc.stepInRequest({ threadId: 1 })); // mov rsp, stack_top
    const top = BigInt((await dc.evaluateRequest({ expression: 'rsp - 8', context: 'watch' })).body.result.split(' ')[0]!);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: `0x${top.toString(16)}/8`, accessType: 'readWrite' }] });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/write to .*: 0x0 -> 0x100016/);
    expect((await topFrame(dc)).name).toBe('add_one');
    const ev2 = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev2.body.description).toMatch(/read of .*: 0x100016/); // ret
  });

  it('a data breakpoint with a hit condition', async () => {
    await launchToEntry(dc, { program: CALLS });
    // The return-address slot under stack_top: written by each `call add_one`, read by each `ret`.
    const slot = `0x${(BigInt((await dc.evaluateRequest({ expression: 'stack_top', context: 'watch' })).body.result.split(' ')[0]!) - 8n).toString(16)}/8`;
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: slot, accessType: 'readWrite', hitCondition: '==3' }] });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('data breakpoint');
    expect((await topFrame(dc)).name).toBe('add_one'); // write 1, read 1, write 2: the second call
    expect(await evaluate(dc, 'rcx')).toBe('0x1');
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    const ev2 = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev2.body.reason).toBe('halt');
  });
});
