import { describe, expect, it } from 'vitest';
import { PicPair } from './pic8259';
import { GuestSim } from './testkit';

function readIsr(sim: GuestSim, cmd: number): number {
  sim.outb(cmd, 0x0b);
  const v = sim.inb(cmd);
  sim.outb(cmd, 0x0a);
  return v;
}

describe('8259 PIC pair', () => {
  it('power-on state: uninitialised, unmasked, vector base 0', () => {
    const s = new GuestSim();
    const snap = s.devices.pic.snapshot();
    expect(snap.master).toMatchObject({ imr: 0, isr: 0, vectorBase: 0, initialized: false });
    expect(s.inb(0x21)).toBe(0);
  });

  it('Linux remap to 0x20/0x28: IRQ1 -> vector 0x21, ISR until EOI', () => {
    const s = new GuestSim();
    s.remapPic(0xfd, 0xff);
    expect(s.devices.pic.snapshot().master).toMatchObject({ vectorBase: 0x20, imr: 0xfd, initialized: true });
    s.devices.irqs.set(1, true);
    expect(s.devices.ic.hasInterrupt()).toBe(true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x21]);
    expect(readIsr(s, 0x20)).toBe(0x02);
    expect(s.inb(0x20)).toBe(0); // IRR (edge consumed by INTA)
    s.outb(0x20, 0x20); // non-specific EOI
    expect(readIsr(s, 0x20)).toBe(0);
  });

  it('cascade: IRQ12 on the slave -> vector 0x2C, both ISRs set, EOI to both', () => {
    const s = new GuestSim();
    s.remapPic(0xfb, 0xef);
    s.devices.irqs.set(12, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x2c]);
    expect(readIsr(s, 0x20)).toBe(0x04);
    expect(readIsr(s, 0xa0)).toBe(0x10);
    s.outb(0xa0, 0x20);
    s.outb(0x20, 0x20);
    expect(readIsr(s, 0x20) | readIsr(s, 0xa0)).toBe(0);
  });

  it('fully nested priority: higher IRQs preempt, lower wait for EOI', () => {
    const s = new GuestSim();
    s.remapPic(0x00, 0xff);
    s.devices.irqs.set(3, true);
    s.devices.irqs.set(1, true);
    s.service();
    // IRQ1 first; IRQ3 is blocked while IRQ1 is in service.
    expect(s.taken.map((t) => t.vector)).toEqual([0x21]);
    s.devices.irqs.set(0, true); // IRQ0 has higher priority than IRQ1: nests
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x21, 0x20]);
    s.outb(0x20, 0x20); // EOI IRQ0
    s.service();
    expect(s.taken.length).toBe(2);
    s.outb(0x20, 0x20); // EOI IRQ1
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x21, 0x20, 0x23]);
  });

  it('latches edges while masked; edges need the line to drop first', () => {
    const s = new GuestSim();
    s.onInterrupt = GuestSim.picEoi;
    s.remapPic(0xff, 0xff);
    s.devices.irqs.set(4, true);
    s.service();
    expect(s.taken).toEqual([]);
    s.outb(0x20, 0x0a);
    expect(s.inb(0x20)).toBe(0x10); // IRR holds the edge
    s.outb(0x21, 0xef);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x24]);
    s.devices.irqs.set(4, true); // still high: no new edge
    s.service();
    expect(s.taken.length).toBe(1);
    s.devices.irqs.set(4, false);
    s.devices.irqs.set(4, true);
    s.service();
    expect(s.taken.length).toBe(2);
  });

  it('spurious IRQ7 and IRQ15: base+7, no ISR bit', () => {
    const pic = new PicPair();
    for (const [port, v] of [
      [0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1],
      [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1],
    ] as const)
      pic.portWrite(port, 1, v);
    expect(pic.acknowledge()).toBe(0x27);
    expect(pic.master.isr).toBe(0);
    // A slave request withdrawn (masked) after the master saw it: spurious IRQ15.
    pic.setIrq(10, true);
    expect(pic.output).toBe(true);
    pic.slave.imr = 0xff;
    expect(pic.acknowledge()).toBe(0x2f);
    expect(pic.slave.isr).toBe(0);
    expect(pic.master.isr).toBe(0x04); // the master did acknowledge its cascade input
  });

  it('auto-EOI mode sets no ISR bit', () => {
    const s = new GuestSim();
    s.outb(0x20, 0x11);
    s.outb(0x21, 0x40);
    s.outb(0x21, 0x04);
    s.outb(0x21, 0x03); // ICW4: 8086, auto-EOI
    s.outb(0x21, 0xfe);
    s.devices.irqs.set(0, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x40]);
    expect(readIsr(s, 0x20)).toBe(0);
  });

  it('specific EOI, poll mode, and set-priority rotation', () => {
    const s = new GuestSim();
    s.remapPic(0x00, 0xff);
    s.devices.irqs.set(5, true);
    s.devices.irqs.set(1, true);
    // Poll: acknowledges the highest request without an INTA cycle.
    s.outb(0x20, 0x0c);
    expect(s.inb(0x20)).toBe(0x81);
    expect(readIsr(s, 0x20)).toBe(0x02);
    s.outb(0x20, 0x61); // specific EOI for IRQ1
    expect(readIsr(s, 0x20)).toBe(0);
    // Make IRQ3 the lowest priority: IRQ4 becomes the highest, so IRQ5 comes before IRQ1.
    s.devices.irqs.set(1, false);
    s.devices.irqs.set(1, true);
    s.outb(0x20, 0xc3);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x25]);
    s.outb(0x20, 0x65);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x25, 0x21]);
  });

  it('ELCR level mode: IRR follows the line', () => {
    const s = new GuestSim();
    s.remapPic(0xfb, 0x00);
    s.outb(0x4d1, 0x02); // IRQ9 level-triggered
    expect(s.inb(0x4d1)).toBe(0x02);
    s.outb(0x4d0, 0xff);
    expect(s.inb(0x4d0)).toBe(0xf8); // IRQ0-2 cannot be level-triggered
    s.devices.irqs.set(9, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x29]);
    s.outb(0xa0, 0x20);
    s.outb(0x20, 0x20);
    s.service(); // still asserted: delivered again
    expect(s.taken.length).toBe(2);
    s.devices.irqs.set(9, false);
    s.outb(0xa0, 0x20);
    s.outb(0x20, 0x20);
    s.service();
    expect(s.taken.length).toBe(2);
  });

  it('reaches the CPU only through LINT0 ExtINT, or directly with the APIC globally disabled', () => {
    const s = new GuestSim();
    s.remapPic(0xfd, 0xff);
    s.writel(0xfee00350, 0x10700); // mask LINT0
    s.devices.irqs.set(1, true);
    expect(s.devices.ic.hasInterrupt()).toBe(false);
    s.writel(0xfee00350, 0x00700);
    expect(s.devices.ic.hasInterrupt()).toBe(true);
    s.writel(0xfee00350, 0x10700);
    s.devices.lapic.apicBase = 0xfee00000; // EN cleared: the PIC is wired straight to INTR
    expect(s.devices.ic.hasInterrupt()).toBe(true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x21]);
  });
});
