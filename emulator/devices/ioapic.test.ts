import { describe, expect, it } from 'vitest';
import { GuestSim } from './testkit';

const IOAPIC = 0xfec00000;
const APIC = 0xfee00000;

function ioRead(s: GuestSim, reg: number): number {
  s.writel(IOAPIC, reg);
  return s.readl(IOAPIC + 0x10);
}
function ioWrite(s: GuestSim, reg: number, value: number): void {
  s.writel(IOAPIC, reg);
  s.writel(IOAPIC + 0x10, value);
}
function route(s: GuestSim, pin: number, low: number, dest = 0): void {
  ioWrite(s, 0x11 + 2 * pin, dest << 24);
  ioWrite(s, 0x10 + 2 * pin, low);
}

function apicMode(): GuestSim {
  const s = new GuestSim();
  s.writel(APIC + 0xf0, 0x1ff);
  s.remapPic(0xff, 0xff); // PIC fully masked: the I/O APIC does the routing
  return s;
}

describe('I/O APIC', () => {
  it('identification registers and reset state (QEMU: version 0x20, 24 pins, all masked)', () => {
    const s = new GuestSim();
    expect(ioRead(s, 0x01)).toBe(0x00170020);
    expect(ioRead(s, 0x00)).toBe(0);
    ioWrite(s, 0x00, 0x0f000000 | 0xffffff);
    expect(ioRead(s, 0x00)).toBe(0x0f000000);
    expect(ioRead(s, 0x02)).toBe(0x0f000000);
    for (let pin = 0; pin < 24; pin++) expect(ioRead(s, 0x10 + 2 * pin)).toBe(0x10000);
    expect(s.readl(IOAPIC)).toBe(0x3e); // IOREGSEL reads back
  });

  it('routes ISA IRQ4 (COM1) as a fixed edge interrupt to the local APIC', () => {
    const s = apicMode();
    s.onInterrupt = (_v, sim) => sim.writel(APIC + 0xb0, 0);
    route(s, 4, 0x24);
    expect(ioRead(s, 0x18)).toBe(0x24);
    s.devices.irqs.set(4, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x24]);
    s.devices.irqs.set(4, true); // no new edge
    s.service();
    expect(s.taken.length).toBe(1);
    expect(s.devices.ioapic.snapshot().entries[4]).toMatchObject({ vector: 0x24, masked: false, asserted: true });
  });

  it('IRQ0 (the PIT) arrives on pin 2', () => {
    const s = apicMode();
    s.onInterrupt = (_v, sim) => sim.writel(APIC + 0xb0, 0);
    route(s, 2, 0x30);
    s.runUntil(60_000_000); // the power-on PIT: mode 3, 18.2 Hz
    expect(s.taken.map((t) => t.vector)).toEqual([0x30]);
    expect(s.devices.ioapic.deliveries[2]).toBe(1);
  });

  it('level-triggered: remote IRR until EOI, re-delivery while still asserted', () => {
    const s = apicMode();
    route(s, 10, 0x8000 | 0x45); // level, active high
    s.devices.irqs.set(10, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x45]);
    expect(ioRead(s, 0x10 + 20) & 0x4000).toBe(0x4000); // remote IRR
    expect(s.devices.lapic.snapshot().tmr).toEqual([0x45]);
    s.writel(APIC + 0xb0, 0); // EOI: broadcast clears remote IRR; line still high -> again
    s.service();
    expect(s.taken.length).toBe(2);
    s.devices.irqs.set(10, false);
    s.writel(APIC + 0xb0, 0);
    s.service();
    expect(s.taken.length).toBe(2);
    expect(ioRead(s, 0x10 + 20) & 0x4000).toBe(0);
    // The explicit EOI register (version 0x20) clears remote IRR too.
    s.devices.irqs.set(10, true);
    s.service();
    expect(ioRead(s, 0x10 + 20) & 0x4000).toBe(0x4000);
    s.devices.irqs.set(10, false);
    s.writel(IOAPIC + 0x40, 0x45);
    expect(ioRead(s, 0x10 + 20) & 0x4000).toBe(0);
  });

  it('ignores edges on masked pins; read-only bits stay', () => {
    const s = apicMode();
    route(s, 1, 0x10000 | 0x31);
    s.devices.irqs.set(1, true);
    s.devices.irqs.set(1, false);
    route(s, 1, 0x31 | 0x4000 | 0x1000); // remote IRR / delivery status are read-only
    expect(ioRead(s, 0x12)).toBe(0x31);
    s.service();
    expect(s.taken).toEqual([]);
  });

  it('destinations: physical ID mismatch drops it; logical flat matches LDR; NMI and ExtINT modes', () => {
    const s = apicMode();
    route(s, 3, 0x33, 1); // physical APIC 1: nobody
    s.devices.irqs.set(3, true);
    s.service();
    expect(s.taken).toEqual([]);
    s.writel(APIC + 0xd0, 0x01000000); // LDR = 1
    route(s, 5, 0x800 | 0x35, 0x01); // logical
    s.devices.irqs.set(5, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x35]);
    route(s, 6, 0x400, 0); // NMI
    s.devices.irqs.set(6, true);
    expect(s.devices.ic.hasNmi).toBe(true);
    // ExtINT: the vector comes from the 8259 (the local APIC's LINT0 masked here).
    s.writel(APIC + 0x350, 0x10700);
    s.outb(0x21, 0xfe);
    route(s, 0, 0x700, 0);
    s.devices.pic.setIrq(0, true);
    expect(s.devices.ic.hasInterrupt()).toBe(false);
    s.devices.ioapic.setIrq(0, true);
    s.devices.ic.acknowledgeNmi();
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x35, 0x20]);
  });
});
