// Bad requests get error responses (with the catalogue's messages) and the session stays usable:
// unknown commands, wrong arguments, missing files, bad configurations, programs that do not
// assemble, memory outside RAM.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, program, scratchFile, startClient } from './harness';

const CALLS = program('calls.asm');
const BROKEN = program('broken.asm');

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('launch failures', () => {
  it('a missing program names the file', async () => {
    await dc.initializeRequest();
    const msg = await failure(dc.launchRequest({ program: '/nonexistent/kernel.elf' } as DebugProtocol.LaunchRequestArguments));
    expect(msg).toBe("launch: cannot read the program '/nonexistent/kernel.elf': no such file");
  });

  it('bad configuration attributes are named', async () => {
    await dc.initializeRequest();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /'program' is missing/],
      [{ program: 42 }, /'program' must be a string/],
      [{ program: CALLS, memory: 'lots' }, /'memory' must be a size such as 64M/],
      [{ program: CALLS, memory: '1M' }, /'memory' must be between 2M and 2047M/],
      [{ program: CALLS, boot: 'uefi' }, /'boot' must be one of auto, multiboot, elf64, flat/],
      [{ program: CALLS, stopOnEntry: 'yes' }, /'stopOnEntry' must be true or false/],
      [{ program: CALLS, serialInput: '/nonexistent/input' }, /'serialInput' names a file that cannot be read/],
    ];
    for (const [args, re] of cases) expect(await failure(dc.launchRequest(args as DebugProtocol.LaunchRequestArguments)), JSON.stringify(args)).toMatch(re);
  });

  it('a program that does not assemble fails with file, line and cause; every error arrives as output', async () => {
    const outputs: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e));
    await dc.initializeRequest();
    const msg = await failure(dc.launchRequest({ program: BROKEN } as DebugProtocol.LaunchRequestArguments));
    expect(msg).toBe(`launch: the program does not assemble: ${BROKEN}:4:14: symbol 'nowhere' is not defined (and 1 more error, see the Debug Console)`);
    const errs = outputs.filter((o) => o.body.category === 'stderr');
    expect(errs.map((o) => [o.body.source?.path, o.body.line, o.body.column]).sort()).toEqual([
      [BROKEN, 4, 14],
      [BROKEN, 5, 5],
    ]);
    expect(errs.map((o) => o.body.output).join('')).toContain("'frobnicate' is not an instruction");
  });

  it('a program too large for the RAM given is refused', async () => {
    const big = scratchFile('big.bin', new Uint8Array(3 << 20));
    await dc.initializeRequest();
    const msg = await failure(dc.launchRequest({ program: big, memory: '4M' } as DebugProtocol.LaunchRequestArguments));
    expect(msg).toMatch(/^launch: cannot boot '.*big.bin': the flat binary \(0x100000-0x400000\) ends beyond the usable RAM .*give the machine more memory/);
  });

  it('attach is refused', async () => {
    await dc.initializeRequest();
    expect(await failure(dc.attachRequest({} as DebugProtocol.AttachRequestArguments))).toMatch(/attach is not supported/);
  });
});

describe('bad requests in a live session', () => {
  it('each gets an error response and the session goes on', async () => {
    await launchToEntry(dc, { program: CALLS });
    const bad: [() => Promise<unknown>, RegExp][] = [
      [() => dc.customRequest('frobnicate', {}), /unknown request 'frobnicate'/],
      [() => dc.stackTraceRequest({ threadId: 7 }), /no thread 7/],
      [() => dc.scopesRequest({ frameId: 99 }), /no stack frame 99/],
      [() => dc.variablesRequest({ variablesReference: 9999 }), /no variables with reference 9999/],
      [() => dc.customRequest('readMemory', { memoryReference: 'main', count: 4 }), /'main' is not a memory reference/],
      [() => dc.customRequest('readMemory', { memoryReference: '0x100000', count: -1 }), /count must be a non-negative integer/],
      [() => dc.customRequest('readMemory', { memoryReference: '0x10000000', count: 16 }), /memory at 0x10000000 is not mapped/],
      [() => dc.customRequest('readMemory', { memoryReference: '0xffff800000000000', count: 16 }), /is not mapped/],
      [() => dc.customRequest('writeMemory', { memoryReference: '0x3fffffe', data: 'AAAAAAAA' }), /not mapped/],
      [() => dc.customRequest('writeMemory', { memoryReference: '0x1000', data: '%%%' }), /data must be base64/],
      [() => dc.disassembleRequest({ memoryReference: '0x100000', instructionCount: -3 }), /instructionCount must be/],
      [() => dc.evaluateRequest({ expression: 'qword [0x10000000]', context: 'watch' }), /cannot read 8 bytes at 0x10000000: not mapped/],
      [() => dc.evaluateRequest({ expression: '1 +* 2', context: 'watch' }), /unexpected '\*'/],
      [() => dc.evaluateRequest({ expression: 'rax = 1', context: 'watch' }), /'=' assigns only in the Debug Console/],
      [() => dc.evaluateRequest({ expression: '5 / 0', context: 'repl' }), /division by zero/],
      [() => dc.setBreakpointsRequest({ source: {}, breakpoints: [{ line: 3 }] }), /source.path is missing/],
      [() => dc.gotoRequest({ threadId: 1, targetId: 42 }), /no goto target 42/],
      [() => dc.nextRequest({ threadId: 3 }), /no thread 3/],
      [() => dc.setVariableRequest({ variablesReference: 1, name: 'cs', value: '0' }), /no variables with reference 1|no variable 'cs' here/],
      [() => dc.sourceRequest({ sourceReference: 5 }), /no source with reference 5/],
    ];
    for (const [p, re] of bad) expect(await failure(p()).catch((e) => `${e} (${re})`)).toMatch(re);
    // Still alive and correct.
    expect(await evaluate(dc, 'rip')).toBe('0x100000 <_start>');
  });

  it('a second launch in the same session is refused', async () => {
    await launchToEntry(dc, { program: CALLS });
    expect(await failure(dc.launchRequest({ program: CALLS } as DebugProtocol.LaunchRequestArguments))).toMatch(/already running/);
    expect(await evaluate(dc, 'rcx')).toBe('0x0');
  });
});
