import { describe, expect, it } from 'vitest';
import { PIT_HZ } from './clock';
import { createDevices } from './index';
import { GuestSim } from './testkit';

describe('createDevices', () => {
  it('puts every device on its ports and MMIO ranges', () => {
    const d = createDevices({ memoryBytes: 16 << 20 });
    const owners: [number, string][] = [
      [0x20, '8259 master'], [0xa1, '8259 slave'], [0x4d0, '8259 ELCR'], [0x40, '8254 PIT'], [0x43, '8254 PIT'],
      [0x61, 'port 0x61'], [0x70, 'CMOS RTC'], [0x71, 'CMOS RTC'], [0x80, 'port 0x80'], [0xf4, 'isa-debug-exit'],
      [0xf7, 'isa-debug-exit'], [0x3f8, 'COM1'], [0x3ff, 'COM1'], [0x510, 'fw_cfg'], [0x511, 'fw_cfg'],
    ];
    for (const [port, name] of owners) expect(d.bus.portOwner(port)).toBe(name);
    for (const port of [0x60, 0x64, 0x92, 0x2f8, 0xcf8, 0x514]) expect(d.bus.portOwner(port)).toBeUndefined();
    expect(d.bus.in(0x2f8, 1)).toBe(0xff);
    expect(d.bus.in(0xcf8, 4)).toBe(0xffffffff);
    expect(d.bus.mmioRegions().map((r) => [r.name, r.base, r.size])).toEqual([
      ['I/O APIC', 0xfec00000, 0x1000],
      ['local APIC', 0xfee00000, 0x1000],
    ]);
    expect(d.clock.nextEvent).toBeLessThan(Infinity); // the power-on PIT and the RTC are running
  });

  it('a kernel-like boot sequence gives the same event times twice', () => {
    const boot = () => {
      const s = new GuestSim({ serialInput: 'x' });
      const log: string[] = [];
      s.onInterrupt = (v, sim) => {
        log.push(`${sim.time}:${v.toString(16)}`);
        if (v === 0x24) while (sim.inb(0x3fd) & 1) sim.outb(0x3f8, sim.inb(0x3f8));
        if (v >= 0x20 && v < 0x30) GuestSim.picEoi(v, sim);
        else sim.writel(0xfee000b0, 0);
      };
      s.remapPic(0xee, 0xff); // IRQ0 and IRQ4
      s.outb(0x43, 0x34);
      s.outb(0x40, 0x9c);
      s.outb(0x40, 0x2e); // 100 Hz
      s.outb(0x3f9, 0x01);
      s.writel(0xfee000f0, 0x1ff);
      s.writel(0xfee003e0, 0x3);
      s.writel(0xfee00320, 0x20030);
      s.writel(0xfee00380, 100_000);
      s.devices.clock.schedule(5_000_000, () => s.devices.ic.injectNmi());
      s.runUntil(50_000_000);
      return { log, nmis: s.nmis, out: String.fromCharCode(...s.output) };
    };
    const a = boot();
    expect(a.out).toBe('x');
    expect(a.nmis).toEqual([5_000_000]);
    expect(a.log.filter((e) => e.endsWith(':20')).length).toBe(4);
    expect(a.log.filter((e) => e.endsWith(':30')).length).toBe(31);
    expect(boot()).toEqual(a);
  });

  it('reset returns the devices to power-on state', () => {
    const s = new GuestSim();
    s.remapPic(0x00, 0x00);
    s.outb(0x80, 1);
    s.outb(0xf4, 1);
    s.devices.ic.injectNmi();
    s.devices.reset();
    expect(s.devices.pic.snapshot().master.vectorBase).toBe(0);
    expect(s.devices.port80.lastCode).toBe(-1);
    expect(s.devices.debugExit.requested).toBe(false);
    expect(s.devices.ic.pending).toBe(0);
  });

  it("firmware: 'seabios' reproduces the state QEMU's BIOS hands a kernel", () => {
    const s = new GuestSim({ firmware: 'seabios' });
    expect(s.inb(0x21)).toBe(0xb8);
    expect(s.inb(0xa1)).toBe(0x8e);
    expect(s.inb(0x4d1)).toBe(0x0c);
    expect(s.readl(0xfee000f0)).toBe(0x1ff);
    expect(s.readl(0xfee00350)).toBe(0x8700);
    expect(s.readl(0xfee00360)).toBe(0x8400);
    s.outb(0x43, 0xe2);
    expect(s.inb(0x40) & 0x3f).toBe(0x34);
    // The classic bug: STI before remapping the 8259 -> the timer arrives as vector 8.
    s.onInterrupt = (_v, sim) => sim.outb(0x20, 0x20);
    s.runUntil(120_000_000);
    expect(s.taken.map((t) => t.vector)).toEqual([8, 8]);
    expect(s.taken[0]!.time).toBe(Math.ceil((65536 * 1e9) / PIT_HZ));
    s.devices.reset();
    expect(s.inb(0x21)).toBe(0xb8);
  });
});
