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
