import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, UIP_HOLD_NS } from './cmos';
import { GUEST_HZ } from './clock';
import { GuestSim } from './testkit';

function cmos(s: GuestSim, index: number): number {
  s.outb(0x70, index);
  return s.inb(0x71);
}
function setCmos(s: GuestSim, index: number, value: number): void {
  s.outb(0x70, index);
  s.outb(0x71, value);
}
function clock(s: GuestSim): number[] {
  return [0x32, 0x09, 0x08, 0x07, 0x04, 0x02, 0x00, 0x06].map((i) => cmos(s, i));
}

describe('CMOS RTC', () => {
  it('civil date conversion round-trips', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
    for (let d = -800000; d < 800000; d += 997) {
      const c = civilFromDays(d);
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
    }
  });

  it('reads the fixed start time in BCD, 24-hour (register B 0x02), and advances with guest time', () => {
    const s = new GuestSim();
    expect(cmos(s, 0x0a)).toBe(0x26);
    expect(cmos(s, 0x0b)).toBe(0x02);
    expect(cmos(s, 0x0d)).toBe(0x80);
    // 2025-01-01 00:00:00, a Wednesday (day of week 4, Sunday = 1).
    expect(clock(s)).toEqual([0x20, 0x25, 0x01, 0x01, 0x00, 0x00, 0x00, 0x04]);
    s.time = (86400 + 13 * 3600 + 59 * 60 + 7) * GUEST_HZ + 500_000_000;
    expect(clock(s)).toEqual([0x20, 0x25, 0x01, 0x02, 0x13, 0x59, 0x07, 0x05]);
    setCmos(s, 0x0b, 0x04); // binary, 12-hour
    expect(clock(s)).toEqual([20, 25, 1, 2, 0x81, 59, 7, 5]);
    setCmos(s, 0x0b, 0x00); // BCD, 12-hour
    expect(cmos(s, 0x04)).toBe(0x81);
    expect(s.devices.cmos.snapshot().iso).toBe('2025-01-02T13:59:07Z');
  });

  it('honours a configured epoch', () => {
    const s = new GuestSim({ rtcEpochSeconds: 946684799 }); // 1999-12-31 23:59:59
    expect(clock(s)).toEqual([0x19, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59, 0x06]);
    s.time = GUEST_HZ;
    expect(clock(s)).toEqual([0x20, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x07]);
  });

  it('UIP is set for the last 244 us before each update', () => {
    const s = new GuestSim();
    expect(UIP_HOLD_NS).toBe(244140);
    s.time = GUEST_HZ - UIP_HOLD_NS - 1;
    expect(cmos(s, 0x0a) & 0x80).toBe(0);
    s.time = GUEST_HZ - UIP_HOLD_NS;
    expect(cmos(s, 0x0a) & 0x80).toBe(0x80);
    s.time = GUEST_HZ;
    expect(cmos(s, 0x0a) & 0x80).toBe(0);
  });

  it('setting the time with SET, as a kernel does', () => {
    const s = new GuestSim();
    s.time = 5 * GUEST_HZ;
    setCmos(s, 0x0b, 0x82);
    setCmos(s, 0x04, 0x08);
    setCmos(s, 0x02, 0x30);
    setCmos(s, 0x00, 0x00);
    setCmos(s, 0x07, 0x15);
    setCmos(s, 0x08, 0x06);
    setCmos(s, 0x09, 0x24);
    s.time = 9 * GUEST_HZ; // stopped while SET
    expect(cmos(s, 0x00)).toBe(0x00);
    setCmos(s, 0x0b, 0x02);
    s.time = 12 * GUEST_HZ;
    expect(clock(s).slice(0, 7)).toEqual([0x20, 0x24, 0x06, 0x15, 0x08, 0x30, 0x03]);
  });

  it('periodic interrupt at 1024 Hz on IRQ8 (slave, vector 0x28); register C read acknowledges', () => {
    const s = new GuestSim();
    s.remapPic(0xfb, 0xfe);
    s.onInterrupt = (_v, sim) => {
      expect(cmos(sim, 0x0c) & 0xc0).toBe(0xc0);
      sim.outb(0xa0, 0x20);
      sim.outb(0x20, 0x20);
    };
    setCmos(s, 0x0b, 0x42); // PIE
    s.runUntil(10_000_000);
    expect(s.taken.length).toBe(10);
    expect(s.taken.every((t) => t.vector === 0x28)).toBe(true);
    expect(s.taken.slice(0, 3).map((t) => t.time)).toEqual([976563, 1953125, 2929688]);
    // Without reading register C, IRQ8 stays high and no further edge reaches the PIC.
    s.onInterrupt = (_v, sim) => {
      sim.outb(0xa0, 0x20);
      sim.outb(0x20, 0x20);
    };
    s.runUntil(20_000_000);
    expect(s.taken.length).toBe(11);
  });

  it('update-ended and alarm interrupts', () => {
    const s = new GuestSim();
    setCmos(s, 0x01, 0x05); // alarm at hh:mm:05 for any hour and minute
    setCmos(s, 0x03, 0xc0);
    setCmos(s, 0x05, 0xff);
    setCmos(s, 0x0b, 0x22); // AIE
    s.runUntil(4 * GUEST_HZ + 10);
    expect(s.devices.cmos.snapshot().regC & 0x20).toBe(0);
    expect(cmos(s, 0x0c)).toBe(0x50); // PF and UF set (flags are set whatever the enables), no IRQF
    s.runUntil(5 * GUEST_HZ);
    expect(cmos(s, 0x0c)).toBe(0xf0); // IRQF | PF | AF | UF
    setCmos(s, 0x0b, 0x12); // UIE
    s.runUntil(6 * GUEST_HZ);
    expect(cmos(s, 0x0c)).toBe(0xd0);
  });

  it('stores the NMI-disable bit of port 0x70; index port reads 0xFF', () => {
    const s = new GuestSim();
    s.outb(0x70, 0x8f);
    expect(s.devices.cmos.nmiDisabled).toBe(true);
    expect(s.devices.cmos.index).toBe(0x0f);
    expect(s.inb(0x70)).toBe(0xff);
    setCmos(s, 0x7f, 0x12);
    expect(cmos(s, 0x7f)).toBe(0x12);
    s.outb(0x70, 0x0f);
    expect(s.devices.cmos.nmiDisabled).toBe(false);
  });

  it('memory-size bytes as QEMU fills them', () => {
    const small = new GuestSim({ memoryBytes: 16 << 20 });
    expect(cmos(small, 0x15) | (cmos(small, 0x16) << 8)).toBe(640);
    expect(cmos(small, 0x17) | (cmos(small, 0x18) << 8)).toBe(15360);
    expect(cmos(small, 0x30) | (cmos(small, 0x31) << 8)).toBe(15360);
    expect(cmos(small, 0x34) | (cmos(small, 0x35) << 8)).toBe(0);
    const big = new GuestSim({ memoryBytes: 128 << 20 });
    expect(cmos(big, 0x17) | (cmos(big, 0x18) << 8)).toBe(65535);
    expect(cmos(big, 0x34) | (cmos(big, 0x35) << 8)).toBe(1792);
    expect(cmos(big, 0x5f)).toBe(0);
    expect(cmos(big, 0x14)).toBe(0x06);
  });
});
