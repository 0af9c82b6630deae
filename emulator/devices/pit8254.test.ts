import { describe, expect, it } from 'vitest';
import { GUEST_HZ, PIT_HZ, pitTicksToTime } from './clock';
import { GuestSim } from './testkit';

/** Expected guest time of PIT tick k after a load at `load`, computed independently with BigInt. */
function tickTime(load: number, k: number): number {
  const num = BigInt(k) * BigInt(GUEST_HZ);
  const den = BigInt(PIT_HZ);
  return load + Number((num + den - 1n) / den);
}

function programHz(s: GuestSim, hz: number, mode = 2): number {
  const divisor = Math.round(PIT_HZ / hz);
  s.outb(0x43, 0x30 | (mode << 1)); // channel 0, lobyte/hibyte
  s.outb(0x40, divisor & 0xff);
  s.outb(0x40, divisor >> 8);
  return divisor;
}

function latch(s: GuestSim, ch = 0): number {
  s.outb(0x43, ch << 6);
  const lo = s.inb(0x40 + ch);
  return lo | (s.inb(0x40 + ch) << 8);
}

describe('8254 PIT', () => {
  it('power-on: channel 0 in mode 3 with count 65536 (IRQ0 at ~18.2 Hz, as QEMU)', () => {
    const s = new GuestSim();
    s.remapPic(0xfe, 0xff);
    s.onInterrupt = GuestSim.picEoi;
    // Channels 1 and 2 read back 0x86 (OUT high, access 0, mode 3), as QEMU 7.2 shows them.
    s.outb(0x43, 0xec);
    expect(s.inb(0x41)).toBe(0x86);
    expect(s.inb(0x42)).toBe(0x86);
    s.runUntil(200_000_000);
    expect(s.taken.map((t) => t.time)).toEqual([1, 2, 3].map((k) => tickTime(0, 65536 * k)));
  });

  it('mode 2 at 100 Hz: IRQ0 every 11932 ticks through the PIC as vector 0x20', () => {
    const s = new GuestSim();
    s.remapPic(0xfe, 0xff);
    s.onInterrupt = GuestSim.picEoi;
    s.time = 5000;
    const n = programHz(s, 100);
    expect(n).toBe(11932);
    s.runUntil(5000 + GUEST_HZ);
    expect(s.taken.every((t) => t.vector === 0x20)).toBe(true);
    expect(s.taken.length).toBe(99); // period 10.000153 ms
    expect(s.taken.slice(0, 3).map((t) => t.time)).toEqual([1, 2, 3].map((k) => tickTime(5000, k * n)));
    expect(s.taken[98]!.time).toBe(tickTime(5000, 99 * n));
    expect(s.devices.pit.irq0Count).toBe(99 + 0); // the reset-time schedule was replaced by the new count
  });

  it('counter latch reads the count down (mode 2 reloads, never shows 0)', () => {
    const s = new GuestSim();
    programHz(s, 100);
    expect(latch(s)).toBe(11932);
    s.time = pitTicksToTime(100);
    expect(latch(s)).toBe(11832);
    s.time = pitTicksToTime(11931);
    expect(latch(s)).toBe(1);
    s.time = pitTicksToTime(11932);
    expect(latch(s)).toBe(11932);
    // A latched value is held until read, even as time moves on.
    s.outb(0x43, 0x00);
    s.time = pitTicksToTime(11932 + 500);
    expect(s.inb(0x40) | (s.inb(0x40) << 8)).toBe(11932);
    expect(latch(s)).toBe(11432);
  });

  it('mode 0: one IRQ at terminal count, OUT visible in the read-back status', () => {
    const s = new GuestSim();
    s.remapPic(0xfe, 0xff);
    s.onInterrupt = GuestSim.picEoi;
    s.outb(0x43, 0x30); // ch0 lo/hi mode 0
    s.outb(0x40, 0xe8);
    s.outb(0x40, 0x03); // 1000 ticks
    s.outb(0x43, 0xe2); // read-back: status only, channel 0
    expect(s.inb(0x40)).toBe(0x30); // OUT low, lo/hi, mode 0, binary
    s.runUntil(pitTicksToTime(5000));
    expect(s.taken.map((t) => t.time)).toEqual([pitTicksToTime(1000)]);
    s.outb(0x43, 0xe2);
    expect(s.inb(0x40)).toBe(0xb0); // OUT high
    // The counter keeps counting down past zero (wraps).
    expect(latch(s)).toBe((1000 - 5000) & 0xffff);
  });

  it('mode 3 counts down by two; LSB-only and MSB-only access modes', () => {
    const s = new GuestSim();
    s.outb(0x43, 0x16); // ch0, LSB only, mode 3
    s.outb(0x40, 100);
    s.time = pitTicksToTime(10);
    expect(s.inb(0x40)).toBe(80);
    s.outb(0x43, 0x26); // ch0, MSB only, mode 3
    s.outb(0x40, 0x02); // count 0x200
    s.time += pitTicksToTime(64);
    expect(s.inb(0x40)).toBe(0x01); // 0x200 - 128 = 0x180 -> MSB 1
    s.outb(0x43, 0xc2 | 0x10); // read-back count only (bit 4 set: no status)
    expect(s.inb(0x40)).toBe(0x01);
  });

  it('channel 2 through port 0x61 (Linux PIT calibration loop)', () => {
    const s = new GuestSim();
    expect(s.inb(0x61) & 0x01).toBe(0); // gate 2 low at reset
    s.outb(0x61, (s.inb(0x61) & ~0x02) | 0x01);
    s.outb(0x43, 0xb0); // ch2, lo/hi, mode 0
    s.outb(0x42, 1193 & 0xff);
    s.outb(0x42, 1193 >> 8);
    const start = s.time;
    let polls = 0;
    while ((s.inb(0x61) & 0x20) === 0) {
      s.time += 1000;
      polls++;
    }
    expect(s.time - start).toBe(Math.ceil(pitTicksToTime(1193) / 1000) * 1000);
    expect(polls).toBe(1000);
    // The refresh bit (4) toggles on each read, as QEMU's pcspk does.
    expect((s.inb(0x61) ^ s.inb(0x61)) & 0x10).toBe(0x10);
  });

  it('is deterministic: the same programming gives the same IRQ times', () => {
    const runOnce = () => {
      const s = new GuestSim();
      s.remapPic(0xfe, 0xff);
      s.onInterrupt = GuestSim.picEoi;
      s.time = 12345;
      programHz(s, 1000);
      s.runUntil(50_000_000);
      programHz(s, 250, 3);
      s.runUntil(100_000_000);
      return s.taken.map((t) => t.time);
    };
    const a = runOnce();
    expect(a.length).toBeGreaterThan(50);
    expect(runOnce()).toEqual(a);
  });
});
