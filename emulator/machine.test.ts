import { describe, expect, it } from 'vitest';
import { createMachine, StopReason, type Machine } from './machine';
import { hex } from './cpu/testutil';

const CODE = 0x100000;
const IDT = 0x3000;

function boot(code: string, extra: [number, string][] = []): { m: Machine; out: number[] } {
  const out: number[] = [];
  const m = createMachine({ memoryBytes: 16 << 20, serialOutput: (b) => out.push(...b) });
  m.cpu.reset64();
  m.cpu.writePhys(BigInt(CODE), hex(code));
  for (const [a, h] of extra) m.cpu.writePhys(BigInt(a), hex(h));
  m.cpu.rip = BigInt(CODE);
  return { m, out };
}

/** A 64-bit interrupt gate (CS 0x08, DPL 0, IST `ist`) for `vector` to `target`, IDT at IDT. */
function gate(m: Machine, vector: number, target: number, ist = 0): void {
  const g = new Uint8Array(16);
  const dv = new DataView(g.buffer);
  dv.setUint16(0, target & 0xffff, true);
  dv.setUint16(2, 0x08, true);
  dv.setUint16(4, 0x8e00 | ist, true);
  dv.setUint16(6, (target >>> 16) & 0xffff, true);
  m.cpu.writePhys(BigInt(IDT + vector * 16), g);
  m.cpu.idtBase = IDT;
  m.cpu.idtLimit = 0xfff;
}

// mov dx, 0x3f8 / mov al, 'h' / out dx, al / mov al, 'i' / out dx, al / mov al, 10 / out dx, al
const HI = '66 BA F8 03  B0 68 EE  B0 69 EE  B0 0A EE';
// handler: mov dx, 0x3f8 / mov al, CH / out dx, al / mov al, V / out 0xf4, al / hlt
const report = (ch: string, v: number) =>
  `66 BA F8 03 B0 ${ch.charCodeAt(0).toString(16)} EE B0 ${v.toString(16).padStart(2, '0')} E6 F4 F4`;

describe('machine', () => {
  it('writes to COM1 with OUT and exits through isa-debug-exit', () => {
    const { m, out } = boot(`${HI} B0 2A E6 F4 F4`);
    expect(m.run(1000)).toBe(StopReason.IoExit);
    expect(Buffer.from(out).toString()).toBe('hi\n');
    expect(m.exitCode()).toBe(42);
    expect(m.cpu.internalError).toBeNull();
  });

  it('delivers the local APIC timer through the IDT (MMIO at 0xFEE00000)', () => {
    // SVR = 0x1FF, divide /1, LVT timer one-shot vector 0x40, initial count 1000, sti, hlt loop
    const code =
      'B8 F0 00 E0 FE C7 00 FF 01 00 00' +
      'B8 E0 03 E0 FE C7 00 0B 00 00 00' +
      'B8 20 03 E0 FE C7 00 40 00 00 00' +
      'B8 80 03 E0 FE C7 00 E8 03 00 00' +
      'FB F4 EB FD';
    const { m, out } = boot(code, [[0x100100, report('T', 7)]]);
    gate(m, 0x40, 0x100100);
    expect(m.run(100_000)).toBe(StopReason.IoExit);
    expect(Buffer.from(out).toString()).toBe('T');
    expect(m.exitCode()).toBe(7);
    const ev = m.events().filter((e) => e.vector === 0x40);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.kind).toBe('external');
    // loaded at instruction 7 (the 8th), expires (1000 + 1) * 1 later; HLT skipped the time
    expect(ev[0]!.count).toBeGreaterThanOrEqual(1000);
    expect(ev[0]!.count).toBeLessThan(1020);
    expect(m.cpu.internalError).toBeNull();
  });

  it('reads the local APIC version register', () => {
    // mov eax, [0xFEE00030] via rax / mov ebx, eax / out 0xf4, al
    const { m } = boot('B8 30 00 E0 FE 8B 00 B0 00 E6 F4');
    expect(m.run(100)).toBe(StopReason.IoExit);
    expect(m.cpu.getReg('rax') & 0xffn).toBe(0n);
    const { m: m2 } = boot('B8 30 00 E0 FE 8B 18 E6 F4');
    m2.run(100);
    expect(m2.cpu.getReg('rbx')).toBe(0x00050014n);
  });

  it('injects an NMI through IDT vector 2 and holds the next one until NMIs are unblocked', () => {
    const { m, out } = boot('EB FE', [[0x100100, '66 BA F8 03 B0 4E EE EB FE']]);
    gate(m, 2, 0x100100);
    expect(m.run(1000)).toBe(StopReason.Limit);
    expect(m.inject('nmi')).toBeUndefined();
    expect(m.run(1000)).toBe(StopReason.Limit);
    expect(Buffer.from(out).toString()).toBe('N');
    const nmis = () => m.events().filter((e) => e.kind === 'nmi');
    expect(nmis()).toHaveLength(1);
    expect(nmis()[0]!.vector).toBe(2);
    expect(nmis()[0]!.rip).toBe(BigInt(CODE));
    expect(m.cpu.nmiBlocked).toBe(true);
    // A second NMI while the handler runs is held...
    m.inject('nmi');
    expect(m.run(1000)).toBe(StopReason.Limit);
    expect(nmis()).toHaveLength(1);
    // ...until IRET unblocks NMIs.
    m.cpu.nmiBlocked = false;
    expect(m.run(1000)).toBe(StopReason.Limit);
    expect(nmis()).toHaveLength(2);
    expect(Buffer.from(out).toString()).toBe('NN');
  });

  it('injects an external interrupt through the local APIC', () => {
    const { m, out } = boot('FB EB FE', [[0x100100, report('I', 3)]]);
    gate(m, 0x50, 0x100100);
    expect(m.inject('irq', 5)).toMatch(/16 to 255/);
    m.run(10);
    // The APIC is software-disabled at power-on (SVR 0xFF): the vector stays in IRR.
    m.inject('irq', 0x50);
    expect(m.run(100)).toBe(StopReason.Limit);
    m.devices.bus.writeMmio(0xfee000f0, 4, 0x1ff);
    expect(m.run(100)).toBe(StopReason.IoExit);
    expect(Buffer.from(out).toString()).toBe('I');
  });

  it('machine check: #MC with CR4.MCE, shutdown without', () => {
    const { m } = boot('EB FE', [[0x100100, report('M', 18)]]);
    gate(m, 18, 0x100100);
    m.run(10);
    m.inject('mc');
    expect(m.run(100)).toBe(StopReason.TripleFault);
    expect(m.stopCause).toMatch(/MCE = 0/);

    const { m: m2, out } = boot('EB FE', [[0x100100, report('M', 18)]]);
    gate(m2, 18, 0x100100);
    m2.cpu.cr4 |= 0x40;
    m2.run(10);
    m2.inject('mc');
    expect(m2.run(100)).toBe(StopReason.IoExit);
    expect(Buffer.from(out).toString()).toBe('M');
    expect(m2.cpu.msrs.get(0x401)).toBe((1n << 63n) | (1n << 61n) | (1n << 57n));
  });

  it('cli; hlt stops with Hlt although the PIT keeps running', () => {
    const { m } = boot('FA F4');
    expect(m.run(10_000_000_000)).toBe(StopReason.Hlt);
  });

  it('sleeps through many device events in HLT without deep recursion (PIT masked at the 8259)', () => {
    // mov al, 0xff / out 0x21, al / sti / hlt / jmp $-1
    const { m } = boot('B0 FF E6 21 FB F4 EB FD');
    expect(m.run(100_000_000_000)).toBe(StopReason.Limit);
    expect(m.cpu.instructionCount).toBe(100_000_000_000);
    expect(m.cpu.internalError).toBeNull();
  });

  it('sti; hlt wakes on the PIT through the 8259 (vector 8 unprogrammed = base 0 + IRQ0)', () => {
    // Power-on 8259: vector base 0, so IRQ0 arrives as vector 0.
    const { m, out } = boot('FB F4 EB FD', [[0x100100, report('P', 1)]]);
    gate(m, 0, 0x100100);
    expect(m.run(200_000_000)).toBe(StopReason.IoExit);
    expect(Buffer.from(out).toString()).toBe('P');
  });

  it('traces the stack a delivery switches to (IST slot)', () => {
    const { m } = boot('EB FE', [[0x100100, report('N', 2)]]);
    gate(m, 2, 0x100100, 1);
    // IST1 in the TSS reset64 built (TSS + 0x24)
    const tss = m.cpu.trBase;
    m.cpu.writePhys(BigInt(tss + 0x24), hex('00 00 08 00 00 00 00 00'));
    m.run(5);
    m.inject('nmi');
    expect(m.run(100)).toBe(StopReason.IoExit);
    const e = m.events().find((x) => x.kind === 'nmi')!;
    expect(e.tssSlot).toBe('IST1');
    expect(e.rspAfter).toBe(0x80000n - 40n);
    expect(e.cplBefore).toBe(0);
    expect(e.cplAfter).toBe(0);
  });
});
