// Programs the boot loaders (emulator/boot) bring up: an ELF64 kernel entered directly in 64-bit
// mode at _start, a multiboot kernel written in assembly, refusals with the loader's reason.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, failure, launchToEntry, launchWithBreakpoints, markerLine, program, scratchFile, startClient, stopAfter, topFrame } from './harness';

const KERNEL64 = program('kernel64.elf');
const MULTIBOOT = program('multiboot.asm');
const KSRC = program('kernel64.asm');
const K = (m: string) => markerLine(KSRC, m);
/** The line of `file` that contains `text`. */
function markerLineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`no '${text}' in ${file}`);
  return i + 1;
}

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
    // Lines from DWARF (.debug_line, nasm -g -F dwarf); the file found next to the ELF.
    expect([f.source?.path, f.line]).toEqual([KSRC, K('k-entry')]);
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

  it('an ELF64 kernel with DWARF lines: line breakpoints and stepping by line', async () => {
    const { stopped, breakpoints } = await launchWithBreakpoints(dc, { program: KERNEL64 }, KSRC, [{ line: K('k-load') }]);
    expect(breakpoints[0]).toMatchObject({ verified: true, line: K('k-load') });
    expect(stopped.body.reason).toBe('breakpoint');
    expect((await topFrame(dc)).name).toBe('main+0x4');
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect((await topFrame(dc)).line).toBe(K('k-store'));
    expect(await evaluate(dc, 'rax')).toBe('0x2a (42)');
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    expect((await topFrame(dc)).line).toBe(K('k-halt'));
    const src = await dc.customRequest('loadedSources', {});
    expect(src.body.sources.map((x: { path: string }) => x.path)).toEqual([KSRC]);
  });

  it('a C kernel without frame pointers: the call stack from its CFI (.eh_frame), lines from DWARF', async () => {
    // examples/c-kernel boots through multiboot; entered here directly in 64-bit mode at fib(6).
    const kernel = program('../../../examples/c-kernel/kernel.elf');
    const kmain = program('../../../examples/c-kernel/kmain.c');
    await launchToEntry(dc, { program: kernel, boot: 'elf64' });
    const regs = (await dc.scopesRequest({ frameId: 1 })).body.scopes.find((x) => x.name === 'Registers')!.variablesReference;
    await dc.setVariableRequest({ variablesReference: regs, name: 'rdi', value: '6' });
    await dc.setVariableRequest({ variablesReference: regs, name: 'rip', value: 'fib' });
    const line = markerLineOf(kmain, 'stats.calls++;');
    const set = await dc.setBreakpointsRequest({ source: { path: kmain }, breakpoints: [{ line }] });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true, line });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(ev.body.reason).toBe('breakpoint');
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    // record() is inlined into fib(2): a frame of its own, as gdb shows it, then fib(2) at the
    // call site; fib(2) <- fib(3) <- ... <- fib(6), then [rsp] = 0 ends it.
    expect(st.map((f) => f.name.replace(/\+0x[0-9a-f]+$/, ''))).toEqual(['record', 'fib', 'fib', 'fib', 'fib', 'fib']);
    expect(st.map((f) => f.source?.path)).toEqual([kmain, kmain, kmain, kmain, kmain, kmain]);
    expect(st[0]!.line).toBe(line);
    expect(st[1]!.line).toBe(markerLineOf(kmain, 'record((u32)r);'));
    expect(st[1]!.instructionPointerReference).toBe(st[0]!.instructionPointerReference);
    expect(st[2]!.line).toBe(markerLineOf(kmain, 'r = fib(n - 1) + fib(n - 2);'));

    // C variables from DWARF: the inlined record()'s parameter and fib's locals; a caller's
    // locals through the registers CFI recovered for its frame.
    const vars = async (ref: number) => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
    const scopes0 = (await dc.scopesRequest({ frameId: st[0]!.id })).body.scopes;
    expect(scopes0.map((x) => x.name)).toEqual(['Locals', 'Globals', 'Registers', 'Segments', 'System', 'MSRs', 'Interrupts', 'TSS', 'IDT', 'GDT', 'Paging', 'APIC', 'Stacks']);
    expect((await vars(scopes0[0]!.variablesReference)).map((v) => `${v.name}=${v.value}`)).toEqual(['value=1']);
    const scopesIn = (await dc.scopesRequest({ frameId: st[1]!.id })).body.scopes;
    expect((await vars(scopesIn[0]!.variablesReference)).map((v) => `${v.name}=${v.value}`)).toEqual(['n=2', 'r=1']);
    const scopes1 = (await dc.scopesRequest({ frameId: st[2]!.id })).body.scopes;
    expect((await vars(scopes1[0]!.variablesReference)).map((v) => `${v.name}=${v.value}`)).toEqual(['n=3', 'r=<optimized out>']);
    const globals = await vars(scopes0[1]!.variablesReference);
    expect(globals.find((v) => v.name === 'banner')!.value).toBe('"KStack example C kernel"');
    const stats = globals.find((v) => v.name === 'stats')!;
    expect(stats.value).toBe('{calls = 0, histogram = {0, 0, 0, 0, 0, 0, 0, 0}, range = {min = 65535, max = 0}}');
    const members = await vars(stats.variablesReference);
    expect(members.map((m) => m.name)).toEqual(['calls', 'histogram', 'range']);
    // Watch and hover name C variables: the frame's locals, else globals.
    const ev2 = await dc.evaluateRequest({ expression: 'n', context: 'hover', frameId: st[2]!.id });
    expect(ev2.body.result).toBe('3');
    const ev3 = await dc.evaluateRequest({ expression: 'stats', context: 'watch', frameId: st[0]!.id });
    expect(ev3.body.result).toBe(stats.value);
    expect(ev3.body.variablesReference).toBeGreaterThan(0);
    expect(await evaluate(dc, 'rdi')).toMatch(/^0x[0-9a-f]+/); // a register stays a register
    // A data breakpoint on a C variable watches its own bytes (sizeof from its type).
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: stats.variablesReference, name: 'calls' });
    expect(info.body.dataId).toBe(`${BigInt(members[0]!.memoryReference!).toString(16).replace(/^/, '0x')}/8`);
    await dc.setBreakpointsRequest({ source: { path: kmain }, breakpoints: [] });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const dev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(dev.body.description).toMatch(/: 0x0 -> 0x1$/);
  });

  it('a multiboot kernel in assembly boots as QEMU boots it: stopped in its 32-bit entry', async () => {
    await dc.initializeRequest();
    await dc.launchRequest({ program: MULTIBOOT, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await Promise.all([dc.waitForEvent('stopped'), dc.configurationDoneRequest()]);
    expect((await topFrame(dc)).name).toBe('_start');
    expect(await evaluate(dc, 'eax')).toBe('0x2badb002 (732803074)');
    expect((await dc.customRequest('kstack/cpuState')).body).toMatchObject({ mode: 'protected', cpl: 0 });
  });

  it('refusals carry the loader\'s reason', async () => {
    await dc.initializeRequest();
    const elf32 = scratchFile('k32.elf', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array(60).fill(0)]));
    expect(await failure(dc.launchRequest({ program: elf32 } as DebugProtocol.LaunchRequestArguments))).toMatch(/^launch: cannot boot '.*k32.elf': /);
    expect(await failure(dc.launchRequest({ program: KERNEL64, boot: 'multiboot' } as DebugProtocol.LaunchRequestArguments))).toMatch(/no valid multiboot header/);
  });
});
