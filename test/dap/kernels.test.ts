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
});
