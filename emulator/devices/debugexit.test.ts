import { describe, expect, it } from 'vitest';
import type { DebugExit } from './debugexit';
import { GuestSim } from './testkit';

describe('isa-debug-exit (iobase 0xf4, iosize 4)', () => {
  it('a byte write requests exit with QEMU status (v << 1) | 1', () => {
    const seen: number[] = [];
    const s = new GuestSim({ onDebugExit: (d: DebugExit) => seen.push(d.value) });
    const dev = s.devices.debugExit;
    expect(dev.requested).toBe(false);
    s.outb(0xf4, 0x10);
    expect(dev.requested).toBe(true);
    expect(dev.value).toBe(0x10);
    expect(dev.status).toBe(0x21);
    expect(dev.exitCode).toBe(0x21);
    expect(seen).toEqual([0x10]);
  });

  it('accepts any size at any of its four ports; the shell sees the low 8 bits', () => {
    const s = new GuestSim();
    const dev = s.devices.debugExit;
    s.outl(0xf4, 0x31);
    expect(dev.status).toBe(0x63);
    s.outw(0xf6, 0x80);
    expect(dev.status).toBe(0x101);
    expect(dev.exitCode).toBe(0x01);
    s.outl(0xf4, 0xffffffff);
    expect(dev.status).toBe(2 ** 33 - 1);
    expect(dev.exitCode).toBe(0xff);
  });

  it('reads 0; the ports after it are unowned', () => {
    const s = new GuestSim();
    expect(s.inb(0xf4)).toBe(0);
    expect(s.in(0xf7, 1)).toBe(0);
    expect(s.inb(0xf8)).toBe(0xff);
    expect(s.devices.debugExit.requested).toBe(false);
  });
});
