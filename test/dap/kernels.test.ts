// The test kernels (test/kernels: ELF32 multiboot images built with nasm and ld) in whole
// sessions: the 32-bit entry, an NMI through IST1 stopped at its handler with the stack switch
// described, the label frame, the TSS scope; the second NMI held until the IRETQ.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { needTools } from '../tools';
import { ROOT, evaluate, startClient, stopAfter } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

let out: string | undefined;
/** Builds test/kernels/NAME.asm into a scratch directory; returns the ELF's path. */
function kernel(name: string): string {
  out ??= mkdtempSync(join(tmpdir(), 'kstack-kernels-'));
  const r = spawnSync('bash', [join(ROOT, 'test/kernels/build.sh'), out, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building ${name}: ${r.stderr}`);
  return join(out, `${name}.elf`);
}

async function stack(): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
}

describe('test kernels', () => {
  const tools = needTools('nasm', 'ld');

  it.skipIf(!tools)('nmi_ist: stops in the 32-bit entry, then on each NMI entry on IST1', async () => {
    const elf = kernel('nmi_ist');
    await dc.initializeRequest();
    const [entry] = await Promise.all([
      dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
      dc.waitForEvent('initialized').then(async () => {
        await dc.setExceptionBreakpointsRequest({ filters: ['nmi'] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: elf, stopOnEntry: true }),
    ]);
    expect(entry.body.reason).toBe('entry');
    expect((await stack())[0]!.name).toBe('_start');
    expect((await dc.customRequest('kstack/cpuState')).body).toMatchObject({ mode: 'protected', cpl: 0 });
    expect(await evaluate(dc, 'eax')).toBe('0x2badb002 (732803074)');

    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^NMI \(vector 2\) via IST1: stack switched from kstack \(rsp 0x[0-9a-f]+\) to ist1 \(rsp 0x[0-9a-f]+\)$/);
    let frames = await stack();
    expect(frames[0]!.name).toBe('nmi_entry [ist1]');
    expect(frames[1]).toMatchObject({ name: 'NMI (vector 2) · IST1 · from CPL 0', presentationHint: 'label' });
    expect(frames[2]!.name).toBe('nmi_wait [kstack]');
    expect(await evaluate(dc, 'tss.ist[1]')).toMatch(/^0x[0-9a-f]{16} <ist1_top> \(ist1\)$/);
    const scopes = (await dc.scopesRequest({ frameId: frames[0]!.id })).body.scopes;
    const tss = (await dc.variablesRequest({ variablesReference: scopes.find((s) => s.name === 'TSS')!.variablesReference })).body.variables;
    expect(tss.find((v) => v.name === 'rsp0')!.value).toMatch(/<rsp0_top> \(rsp0\)$/);
    expect(tss.find((v) => v.name === 'ist7')!.value).toMatch(/<ist7_top> \(ist7\)$/);

    // The handler sends a second NMI, held until its IRETQ; delivered at after_nmi.
    const ev2 = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev2.body.description).toMatch(/^NMI \(vector 2\) via IST1/);
    frames = await stack();
    expect(frames[2]!.name).toBe('after_nmi [kstack]');
    expect(frames.filter((f) => f.presentationHint === 'label')).toHaveLength(1);
    const [exited] = await Promise.all([dc.waitForEvent('exited'), dc.setExceptionBreakpointsRequest({ filters: [] }).then(() => dc.continueRequest({ threadId: 1 }))]);
    expect(exited.body.exitCode).toBe(0); // EXIT_OK: the kernel counted both NMIs
  });

  it.skipIf(!tools)('mc_injected: a #MC injected when RIP reaches mc_wait is stopped at its handler on IST5', async () => {
    const elf = kernel('mc_injected');
    await dc.initializeRequest();
    const [ev] = await Promise.all([
      dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
      dc.waitForEvent('initialized').then(async () => {
        await dc.setExceptionBreakpointsRequest({ filters: ['mc'] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: elf, inject: [{ kind: 'mc', at: 'mc_wait' }] }),
    ]);
    expect(ev.body.description).toMatch(/^#MC \(vector 18\) via IST5: stack switched from kstack \(rsp 0x[0-9a-f]+\) to ist5 \(rsp 0x[0-9a-f]+\)$/);
    const frames = await stack();
    expect(frames[0]!.name).toBe('mc_entry [ist5]');
    expect(frames[1]!.name).toBe('#MC (vector 18) · IST5 · from CPL 0');
    expect(frames[2]!.name).toBe('mc_wait [kstack]');
    const [exited] = await Promise.all([dc.waitForEvent('exited'), dc.setExceptionBreakpointsRequest({ filters: [] }).then(() => dc.continueRequest({ threadId: 1 }))]);
    expect(exited.body.exitCode).toBe(0);
  });

  it.skipIf(!tools)('pf_gp_codes: #PF from CPL 3 through RSP0 and a #GP selector error code, decoded; conditions on cpl', async () => {
    const elf = kernel('pf_gp_codes');
    await dc.initializeRequest();
    const [ev] = await Promise.all([
      dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
      dc.waitForEvent('initialized').then(async () => {
        await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'pf', condition: 'cpl == 3' }, { filterId: 'gp', condition: 'cpl == 0' }] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: elf }),
    ]);
    expect(ev.body.description).toMatch(/^#PF \(vector 14\) via RSP0: stack switched from ustack \(rsp 0x[0-9a-f]+\) to rsp0 \(rsp 0x[0-9a-f]+\), CPL 3 -> 0, error code 0x5, CR2 0x[0-9a-f]+$/);
    expect((await stack())[1]!.name).toBe('#PF (vector 14) · RSP0 · from CPL 3');
    let info = (await dc.exceptionInfoRequest({ threadId: 1 })).body.details!.stackTrace!;
    expect(info).toContain('error code: 0x5: P=1 protection violation, W=0 read, U=1 user mode (CPL 3), I=0 not an instruction fetch');
    expect(info).toMatch(/interrupted at CS:RIP 0x2b:0x[0-9a-f]+ .*, CPL 3/);

    // Only kernel-mode #GPs stop: the first is mov ds, 0x1fb (GDT index 63, beyond the limit).
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'gp', condition: 'cpl == 0' }] });
    const gp = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(gp.body.description).toMatch(/^#GP \(vector 13\): same stack, kstack .*error code 0x1f8$/);
    info = (await dc.exceptionInfoRequest({ threadId: 1 })).body.details!.stackTrace!;
    expect(info).toContain('error code: 0x1f8: GDT index 63 (selector 0x1f8), EXT=0');
    expect(info).toMatch(/interrupted at CS:RIP 0x8:0x[0-9a-f]+ gp_ds_gdt_limit, CPL 0/);
  });
});
