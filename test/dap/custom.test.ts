// The extension's custom requests (extension/README.md): kstack/cpuState, kstack/stacks,
// kstack/walkPageTables, kstack/inject.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure, launchToEntry, program, startClient, stopAfter } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
  await launchToEntry(dc, { program: program('calls.asm') });
});
afterEach(async () => {
  await dc.stop();
});

describe('custom requests', () => {
  it('kstack/cpuState: mode, CPL, the stack RSP is on', async () => {
    await stopAfter(dc, () => dc.stepInRequest({ threadId: 1 })); // mov rsp, stack_top
    const r = await dc.customRequest('kstack/cpuState', { threadId: 1 });
    expect(r.body).toEqual({ mode: 'long', cpl: 0, stack: 'thread', rsp: '0x0000000000102080' });
  });

  it('kstack/stacks: the thread stack (no TSS stacks set up by this program)', async () => {
    await stopAfter(dc, () => dc.stepInRequest({ threadId: 1 }));
    const r = await dc.customRequest('kstack/stacks', {});
    expect(r.body.stacks).toEqual([{ name: 'thread', base: '0x0000000000100000', size: 16384, current: true, rsp: '0x0000000000102080' }]);
  });

  it('kstack/walkPageTables: every level, the physical address, faults', async () => {
    const r = await dc.customRequest('kstack/walkPageTables', { address: 'inner' });
    expect(r.body).toMatchObject({ address: '0x000000000010004d', physicalAddress: '0x000000000010004d', pageSize: 2 << 20 });
    expect(r.body.levels.map((l: { name: string; index: number; flags: string[] }) => [l.name, l.index, l.flags.join(' ')])).toEqual([
      ['PML4', 0, 'P RW US'],
      ['PDPT', 0, 'P RW US'],
      ['PD', 0, 'P RW US A D PS'],
    ]);
    const high = await dc.customRequest('kstack/walkPageTables', { address: '0xffff800000000000' });
    expect(high.body.fault).toBe('not present at PML4 (#PF)');
    const bad = await dc.customRequest('kstack/walkPageTables', { address: '0x0000800000000000' });
    expect(bad.body.fault).toMatch(/not canonical/);
    expect(await failure(dc.customRequest('kstack/walkPageTables', { address: 'nosuch' }))).toMatch(/'nosuch' is not a register or a symbol/);
  });

  it('kstack/inject: checks its arguments', async () => {
    expect(await failure(dc.customRequest('kstack/inject', { kind: 'irq', vector: 7 }))).toMatch(/an IRQ needs a vector from 32 to 255/);
    expect(await failure(dc.customRequest('kstack/inject', { kind: 'smi' }))).toMatch(/kind must be nmi, irq or mc/);
    expect((await dc.customRequest('kstack/inject', { kind: 'irq', vector: 0x40 })).success).toBe(true);
  });
});
