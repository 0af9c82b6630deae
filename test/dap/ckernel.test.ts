// The example kernel in C (examples/c-kernel), booted as QEMU boots it (multiboot, 32-bit entry,
// its own switch to long mode): a breakpoint in a C interrupt handler shows the handler's frames,
// the interrupt's label frame, and the interrupted C function below it, with locals in both.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchWithBreakpoints, program, startClient, stopAfter } from './harness';

const KDIR = program('../../../examples/c-kernel');
const KERNEL = `${KDIR}/kernel.elf`;
const INTERRUPTS = `${KDIR}/interrupts.c`;
const KMAIN = `${KDIR}/kmain.c`;
const lineOf = (file: string, text: string): number => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function vars(ref: number): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
}

describe('examples/c-kernel under the debugger', () => {
  it('a breakpoint in the C INT3 handler: its frames, the label frame, kmain below it, locals in both', async () => {
    const line = lineOf(INTERRUPTS, 'last_fault.vector = VEC_BREAKPOINT;');
    const { stopped, breakpoints } = await launchWithBreakpoints(dc, { program: KERNEL, stopOnEntry: false }, INTERRUPTS, [{ line }]);
    expect(breakpoints[0]).toMatchObject({ verified: true, line });
    expect(stopped.body.reason).toBe('breakpoint');
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const names = frames.map((f) => f.name);
    // breakpoint_handler (maybe inlined into interrupt_dispatch), the dispatcher, the asm stub, the
    // label frame of the INT3 delivery, then kmain where the int3 is.
    const label = frames.findIndex((f) => f.presentationHint === 'label');
    expect(label, names.join(' | ')).toBeGreaterThan(0);
    expect(frames[label]!.name).toMatch(/#BP|INT3|vector 3/);
    expect(frames[label]!.name).toMatch(/IST2/);
    expect(names.slice(0, label).some((n) => /breakpoint_handler|interrupt_dispatch/.test(n)), names.join(' | ')).toBe(true);
    const below = frames[label + 1]!;
    expect(below.name, names.join(' | ')).toMatch(/kmain/);
    expect(below.source?.path).toBe(KMAIN);
    // INT3 is a trap: the saved RIP is the instruction after it, the first of the next statement
    // (gdb shows the same line for a frame interrupted by a trap).
    expect(below.line).toBe(lineOf(KMAIN, 'result = touch_unmapped('));
    // Frames named by their DWARF function as gdb names them (test/fixtures/dwarf/c-kernel.gdb.json,
    // the stop at this line): breakpoint_handler inlined into interrupt_dispatch is a frame of its
    // own at the breakpoint's line, interrupt_dispatch's line is the call site. long_entry (NASM,
    // no DWARF) keeps its symbol name.
    const gdb = JSON.parse(readFileSync(program('../../fixtures/dwarf/c-kernel.gdb.json'), 'utf8')) as { stops: { where: string; frames: { function: string | null }[] }[] };
    const gdbStop = gdb.stops.find((s) => s.frames.some((f) => f.function === 'breakpoint_handler'))!;
    const gdbNames = gdbStop.frames.map((f) => f.function);
    const plain = names.slice(0, label).map((n) => n.replace(/ \[.*\]$/, '').replace(/\+0x[0-9a-f]+$/, ''));
    expect(plain).toEqual(gdbNames.slice(0, gdbNames.indexOf('kmain')));
    expect(names[0]).toMatch(/^breakpoint_handler \[/);
    expect(frames[0]!.line).toBe(line);
    expect(names[1]).toMatch(/^interrupt_dispatch \[/);
    expect(frames[1]).toMatchObject({ line: lineOf(INTERRUPTS, '\tbreakpoint_handler(f);'), source: { path: INTERRUPTS } });
    expect(names[2]).toMatch(/^isr_common \[/);
    // The outer frame of the inlined call has the dispatcher's locals (f, its own parameter).
    const dscopes = (await dc.scopesRequest({ frameId: frames[1]!.id })).body.scopes;
    expect((await vars(dscopes.find((s) => s.name === 'Locals')!.variablesReference)).map((v) => v.name)).toContain('f');
    // Stack names as the stack tracker infers them: the handler is on ist2_stack (TSS IST2 =
    // ist2_top, where the linker's __bss_end also lies), kmain on boot_stack.
    for (const f of frames.slice(0, label)) expect(f.name, names.join(' | ')).toMatch(/\[ist2_stack\]$/);
    for (const f of frames.slice(label + 1)) expect(f.name, names.join(' | ')).toMatch(/\[boot_stack\]$/);
    expect(names.join(' | ')).not.toMatch(/__bss/);
    // The frames end at the entry code's halt loop: nothing is read above boot_stack's top (the
    // ist1_stack above it holds stale return addresses).
    expect(frames[frames.length - 1]!.name, names.join(' | ')).toMatch(/^long_entry\.halt\b/);
    expect(frames.length).toBe(label + 3);
    // kstack/stacks names the TSS's stacks the same way.
    const st = (await dc.customRequest('kstack/stacks', {})).body.stacks as { name: string; slot?: string; base: string; size: number; current?: boolean }[];
    expect(st.find((s) => s.slot === 'IST2')).toMatchObject({ name: 'ist2_stack', base: '0x000000000010b000', size: 0x1000, current: true });
    // Locals of the handler's frame: its parameter f, the interrupt frame the stub built.
    const top = frames[0]!;
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
    const locals = scopes.find((s) => s.name === 'Locals')!;
    const fvar = (await vars(locals.variablesReference)).find((v) => v.name === 'f')!;
    expect(fvar.value).toMatch(/^0x[0-9a-f]+/);
    const fields = await vars(fvar.variablesReference);
    // Through the pointer: the struct interrupt_frame with the vector and the rbx the int3 set.
    const flat = fields.length === 1 && fields[0]!.variablesReference ? await vars(fields[0]!.variablesReference) : fields;
    expect(flat.find((v) => v.name === 'vector')?.value).toMatch(/^3\b/);
    expect(flat.find((v) => v.name === 'rbx')?.value).toMatch(/4660|0x1234/);
    // Locals of the interrupted kmain, read through the registers the CFI recovered.
    const kscopes = (await dc.scopesRequest({ frameId: below.id })).body.scopes;
    const klocals = await vars(kscopes.find((s) => s.name === 'Locals')!.variablesReference);
    expect(klocals.map((v) => v.name)).toContain('result');
    // Watch expressions evaluate in the interrupted frame too.
    expect((await dc.evaluateRequest({ expression: 'ticks', context: 'watch', frameId: below.id })).body.result).toMatch(/^3\b/);
  });

  it('steps out of the handler, back through IRETQ to the interrupted line in kmain', async () => {
    const line = lineOf(INTERRUPTS, 'put_hex(f->rbx);');
    await launchWithBreakpoints(dc, { program: KERNEL, stopOnEntry: false }, INTERRUPTS, [{ line }]);
    await dc.setBreakpointsRequest({ source: { path: INTERRUPTS }, breakpoints: [] });
    // Out of breakpoint_handler, interrupt_dispatch and the stub: each Step Out goes up one frame;
    // from the outermost frame of the handler it runs to the IRETQ and stops in kmain.
    for (let i = 0; i < 6; i++) {
      const f = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
      if (/kmain/.test(f.name)) break;
      await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    }
    const f = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
    expect(f.name).toMatch(/kmain/);
    expect(f.source?.path).toBe(KMAIN);
  });
});
