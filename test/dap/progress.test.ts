// Progress events: a big source reports progress while it assembles (before the launch answers);
// a small one does not.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { program, scratchFile, startClient } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function launchCollecting(path: string): Promise<string[]> {
  const seen: string[] = [];
  dc.on('progressStart', (e: DebugProtocol.ProgressStartEvent) => seen.push(`start ${e.body.title}: ${e.body.message}`));
  dc.on('progressEnd', (e: DebugProtocol.ProgressEndEvent) => seen.push(`end ${e.body.message}`));
  await dc.initializeRequest({ adapterID: 'kstack', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true });
  await dc.launchRequest({ program: path, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  return seen;
}

describe('progress', () => {
  it('a big source reports progress while it assembles', async () => {
    const body = Array.from({ length: 9000 }, (_, i) => `    add rax, ${i}            ; line ${i} of a big generated program`).join('\n');
    const path = scratchFile('big.asm', `_start:\n${body}\n    hlt\n`);
    const seen = await launchCollecting(path);
    expect(seen).toEqual([expect.stringMatching(/^start Assembling: .*big\.asm \(\d+ KiB\)$/), 'end 9001 lines of code']);
  });

  it('a small one does not', async () => {
    expect(await launchCollecting(program('calls.asm'))).toEqual([]);
  });
});
