// The example C kernel (examples/c-kernel/kernel.elf): it is an ELF64 that QEMU and KStack's boot
// planner both load through the multiboot a.out kludge, and its DWARF lets a debugger walk from a
// C interrupt handler on an IST stack, through the asm stub's CFI, into the interrupted code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBoot } from '../../emulator/boot';
import { DwarfDebugInfo } from './dwarf';
import type { Registers } from './frame';
import { gdbOracle, loadFixture, memoryFrom, repoRoot, symbolizer } from './test-support';

const kernel = loadFixture('c-kernel');
const d = DwarfDebugInfo.load(kernel.src);

describe('examples/c-kernel/kernel.elf', () => {
  it('is an ELF64 x86-64 kernel with 64-bit DWARF from nasm, gas and gcc', () => {
    expect(kernel.elf.header.class).toBe(64);
    expect(kernel.elf.header.machine).toBe(62);
    expect(d.warnings).toEqual([]);
    expect(d.units.map((u) => u.producer?.replace(/^(NASM|GNU AS|GNU C)\S*.*$/, '$1'))).toEqual(['NASM', 'GNU AS', 'GNU C', 'GNU C', 'GNU C']);
    expect(d.sourceFiles().filter((f) => f.hasCode).map((f) => f.path.replace(/^.*c-kernel\//, '')).sort()).toEqual([
      'entry.asm',
      'interrupts.c',
      'isr.S',
      'kernel.h',
      'kmain.c',
      'serial.c',
    ]);
  });

  it('loads from the ELF bytes alone; a file that is not ELF is an error, not a throw', () => {
    const info = DwarfDebugInfo.fromElf(kernel.bytes);
    expect('error' in info).toBe(false);
    if (!('error' in info)) expect(info.functions().map((f) => f.name)).toContain('kmain');
    expect(DwarfDebugInfo.fromElf(new Uint8Array([1, 2, 3]))).toEqual({ error: expect.stringMatching(/ELF magic/) });
  });

  it("boots through the multiboot a.out kludge in KStack's boot planner (as in QEMU)", () => {
    const plan = planBoot(kernel.bytes, { memoryBytes: 128 << 20 });
    expect('error' in plan ? plan.error : '').toBe('');
    if ('error' in plan) return;
    expect(plan.kind).toBe('multiboot');
    expect(plan.entry).toBe(kernel.elf.symbols.find((s) => s.name === '_start')!.value);
  });

  it('has the QEMU transcript committed', () => {
    const serial = readFileSync(join(repoRoot, 'examples/c-kernel/expected-serial.txt'), 'utf8');
    expect(serial).toMatch(/^KSTACK-TEST-BEGIN c-kernel\n/);
    expect(serial).toContain('int3: breakpoint handler on the IST2 stack, rbx=0x1234\n');
    expect(serial).toContain('#PF at 0x800000 error code 0x2: mapped\n');
    expect(serial).toMatch(/KSTACK-TEST-END code=0x0\n$/);
  });

  it('unwinds from the INT3 handler on the IST2 stack through isr_common into kmain on the boot stack', () => {
    const stop = gdbOracle('c-kernel').stops.find((s) => s.frames[0]!.function === 'breakpoint_handler')!;
    const mem = memoryFrom(kernel, stop.memory);
    const regs: Registers = {};
    for (const [k, v] of Object.entries(stop.registers)) regs[k] = BigInt(v);
    const sym = (n: string): bigint => kernel.elf.symbols.find((s) => s.name === n)!.value;
    const inStack = (a: bigint, top: string, size: bigint): boolean => a <= sym(top) && a > sym(top) - size;

    // frame 0: breakpoint_handler inlined into interrupt_dispatch, on IST2
    expect(d.functionAt(regs.rip!)?.name).toBe('interrupt_dispatch');
    expect(d.scopesAt(regs.rip!).find((s) => s.kind === 'inlined')?.name).toBe('breakpoint_handler');
    expect(inStack(regs.rsp!, 'ist2_top', 4096n)).toBe(true);
    // frame 1: the stub (a signal frame: the next rip was interrupted, not called)
    const stub = d.unwind(regs, mem)!;
    expect(symbolizer(kernel)(stub.caller.rip!)).toMatch(/^isr_common\+/);
    const intoKmain = d.unwind(stub.caller, mem, { isCaller: true })!;
    expect(intoKmain.signalFrame).toBe(true);
    // frame 2: kmain, right after the int3 (the next statement), with the registers the stub saved
    const k = intoKmain.caller;
    expect(d.functionAt(k.rip!)?.name).toBe('kmain');
    expect(inStack(k.rsp!, 'boot_stack_top', 16384n)).toBe(true);
    expect(k.rbx).toBe(0x1234n);
    expect(k.cs).toBe(0x08n);
    expect(d.lineForAddress(k.rip!)?.line).toBe(
      readFileSync(join(repoRoot, 'examples/c-kernel/kmain.c'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('result = touch_unmapped')) + 1,
    );
    // and the handler's argument is the frame the stub built, as C sees it
    const f = d.variablesAt(regs.rip!).find((v) => v.name === 'f')!;
    const frame = d.dereference(d.readValue(f, { regs, readMemory: mem, cfa: d.cfa(regs, mem) }), { readMemory: mem })!;
    const field = (n: string): string => frame.children!.find((c) => c.name === n)!.display;
    expect(field('vector')).toBe('3');
    expect(field('rbx')).toBe(String(0x1234));
    expect(BigInt(field('rip'))).toBe(k.rip);
    expect(BigInt(field('rsp'))).toBe(k.rsp);
  });

  it('backtrace: the same frames as gdb at every stop, up to the asm entry (no CFI)', () => {
    for (const stop of gdbOracle('c-kernel').stops) {
      const regs: Registers = {};
      for (const [k, v] of Object.entries(stop.registers)) regs[k] = BigInt(v);
      const bt = d.backtrace(regs, memoryFrom(kernel, stop.memory));
      const physical = stop.frames.filter((f) => !f.inline);
      // gdb goes on past long_entry by guessing; we stop there: it has no CFI.
      expect(bt.stop, stop.where).toBe('no-cfi');
      expect(bt.frames.map((f) => `0x${f.regs.rip!.toString(16)}`), stop.where).toEqual(physical.slice(0, bt.frames.length).map((f) => f.pc));
      const last = bt.frames[bt.frames.length - 1]!.regs.rip!;
      const label = kernel.elf.symbols.filter((x) => x.name && x.value <= last).sort((a, b) => (a.value < b.value ? 1 : -1))[0];
      expect(label?.name).toMatch(/^long_entry/);
      expect(bt.frames.map((f) => f.function?.name ?? null)).toContain('kmain');
      // Inlined calls: gdb's, plus at frame 0 the ones gdb hides when it stops at a breakpoint set
      // on a function whose first instruction is inlined code (read_cr2 in page_fault_handler).
      const gdbInlined = stop.frames.filter((f) => f.inline).map((f) => f.function);
      const ours = bt.frames.flatMap((f, i) => f.inlined.map((x) => ({ name: x.name, frame: i })));
      expect(ours.filter((x) => gdbInlined.includes(x.name!)).map((x) => x.name)).toEqual(gdbInlined);
      for (const x of ours) if (!gdbInlined.includes(x.name!)) expect(x.frame, `${stop.where}: ${x.name}`).toBe(0);
    }
  });
});

