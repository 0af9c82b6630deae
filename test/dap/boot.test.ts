// Programs the boot loaders (emulator/boot) bring up: an ELF64 kernel entered directly in 64-bit
// mode at _start, a multiboot kernel written in assembly, refusals with the loader's reason.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, program, scratchFile, startClient, stopAfter, topFrame } from './harness';

const KERNEL64 = program('kernel64.elf');
const MULTIBOOT = program('multiboot.asm');

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('boot', () => {
  it('an ELF64 kernel starts at _start in the direct 64-bit state, with its symbols', async () => {
    await launchToEntry(dc, { program: KERNEL64 });
    const f = await topFrame(dc);
    expect([f.name, f.instructionPointerReference]).toEqual(['_start', '0x0000000000200000']);
    expect(await evaluate(dc, 'qword [value]')).toBe('0x29 (41)');
    const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('function breakpoint');
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    expect(st.map((x) => x.name)).toEqual(['main', '_start.halt']); // the CALL is the last instruction before .halt
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1, granularity: 'instruction' }));
    expect((await topFrame(dc)).name).toBe('_start.halt');
    expect(await evaluate(dc, 'qword [value]')).toBe('0x2a (42)');
    const mods = await dc.modulesRequest({});
    expect(mods.body.modules[0]).toMatchObject({ name: 'kernel64.elf', symbolStatus: 'Symbols loaded' });
  });

  it('a multiboot kernel in assembly boots as QEMU boots it (or says why the CPU cannot yet)', async () => {
    await dc.initializeRequest();
    const r = await dc.launchRequest({ program: MULTIBOOT, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments).then(
      () => null,
      (e: Error) => e.message,
    );
    if (r !== null) {
      expect(r).toMatch(/^launch: cannot boot '.*multiboot.asm': protected-mode entry needs Cpu.setSegment/);
      return;
    }
    await Promise.all([dc.waitForEvent('stopped'), dc.configurationDoneRequest()]);
    expect((await topFrame(dc)).name).toBe('_start');
    expect(await evaluate(dc, 'eax')).toBe('0x2badb002 (732803074)');
  });

  it('refusals carry the loader\'s reason', async () => {
    await dc.initializeRequest();
    const elf32 = scratchFile('k32.elf', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array(60).fill(0)]));
    expect(await failure(dc.launchRequest({ program: elf32 } as DebugProtocol.LaunchRequestArguments))).toMatch(/^launch: cannot boot '.*k32.elf': /);
    expect(await failure(dc.launchRequest({ program: KERNEL64, boot: 'multiboot' } as DebugProtocol.LaunchRequestArguments))).toMatch(/no valid multiboot header/);
  });
});
