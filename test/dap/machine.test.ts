// The PC machine under the debugger: COM1 output in the Debug Console as the guest writes it,
// isa-debug-exit ending the session with the value written, events injected from the debugger.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchToEntry, markerLine, program, startClient, stopAfter, topFrame } from './harness';

const SERIAL = program('serial.asm');

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('the PC machine', () => {
  it('shows COM1 output as it is written and ends with the isa-debug-exit value', async () => {
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') out.push(e.body.output);
    });
    // Stop at the first OUT: nothing printed yet; after it, 'H' arrives with the next stop.
    await launchToEntry(dc, { program: SERIAL });
    await dc.setBreakpointsRequest({ source: { path: SERIAL }, breakpoints: [{ line: markerLine(SERIAL, 's-out'), hitCondition: '==2' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(out.join('')).toBe('H');
    await dc.setBreakpointsRequest({ source: { path: SERIAL }, breakpoints: [] });
    const [exited] = await Promise.all([dc.waitForEvent('exited'), dc.waitForEvent('terminated'), dc.continueRequest({ threadId: 1 })]);
    expect(exited.body.exitCode).toBe(0x2a);
    expect(out.join('')).toBe('Hello from COM1\n');
  });

  it('injects an NMI: delivered at the next boundary (here through no IDT: #GP with error code (2 << 3) | IDT | EXT)', async () => {
    await launchToEntry(dc, { program: program('calls.asm'), stopOnExceptions: ['#GP'] });
    await dc.customRequest('kstack/inject', { kind: 'nmi' });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.description).toMatch(/^Exception #GP general protection \(error code 0x13\)/);
    expect((await topFrame(dc)).name).toBe('_start');
    // Nothing was delivered through an IDT (there is none), so the Interrupts scope is empty.
    const scopes = (await dc.scopesRequest({ frameId: 1 })).body.scopes;
    const ints = scopes.find((s) => s.name === 'Interrupts')!;
    expect((await dc.variablesRequest({ variablesReference: ints.variablesReference })).body.variables).toEqual([]);
  });
});
