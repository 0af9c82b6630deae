import { describe, expect, it } from 'vitest';
import { type AccessSize, IoBus, type MmioDevice, type PortDevice, SIZES_BYTE } from './bus';

class Recorder implements PortDevice {
  reads: [number, number][] = [];
  writes: [number, number, number][] = [];
  constructor(private readonly value = 0x5a) {}
  portRead(port: number, size: AccessSize): number {
    this.reads.push([port, size]);
    return size === 1 ? this.value : size === 2 ? 0xbeef : 0xdeadbeef;
  }
  portWrite(port: number, size: AccessSize, value: number): void {
    this.writes.push([port, size, value]);
  }
}

class Ram implements MmioDevice {
  mem = new Uint32Array(1024);
  mmioRead(offset: number, _size: AccessSize): number {
    return this.mem[offset >> 2]!;
  }
  mmioWrite(offset: number, _size: AccessSize, value: number): void {
    this.mem[offset >> 2] = value;
  }
}

describe('IoBus ports', () => {
  it('reads all ones from unowned ports, at every size, and ignores writes', () => {
    const bus = new IoBus();
    expect(bus.in(0x1234, 1)).toBe(0xff);
    expect(bus.in(0x1234, 2)).toBe(0xffff);
    expect(bus.in(0x1234, 4)).toBe(0xffffffff);
    expect(() => bus.out(0x1234, 4, 0x12345678)).not.toThrow();
    expect(bus.in(0xffff, 2)).toBe(0xffff); // wraps to port 0
  });

  it('dispatches to the owner with the access size and truncates values', () => {
    const bus = new IoBus();
    const d = new Recorder();
    bus.registerPorts(0x3f8, 8, d, 'uart');
    expect(bus.in(0x3fd, 1)).toBe(0x5a);
    expect(bus.in(0x3f8, 4)).toBe(0xdeadbeef);
    bus.out(0x3f9, 1, 0x1ff);
    bus.out(0x3f8, 2, -1);
    expect(d.writes).toEqual([
      [0x3f9, 1, 0xff],
      [0x3f8, 2, 0xffff],
    ]);
    expect(bus.portOwner(0x3ff)).toBe('uart');
    expect(bus.portOwner(0x400)).toBeUndefined();
  });

  it('throws on overlapping registration (a setup error)', () => {
    const bus = new IoBus();
    bus.registerPorts(0x40, 4, new Recorder(), 'pit');
    expect(() => bus.registerPorts(0x43, 2, new Recorder(), 'x')).toThrow(/already owned by pit/);
    expect(() => bus.registerPorts(0xffff, 2, new Recorder(), 'x')).toThrow(RangeError);
  });

  it('splits wide accesses to byte-only devices, little-endian, all ones for unowned bytes', () => {
    const bus = new IoBus();
    const a = new Recorder(0x11);
    const b = new Recorder(0x22);
    bus.registerPorts(0x70, 1, a, 'a', SIZES_BYTE);
    bus.registerPorts(0x71, 1, b, 'b', SIZES_BYTE);
    expect(bus.in(0x70, 2)).toBe(0x2211);
    expect(bus.in(0x71, 2)).toBe(0xff22);
    expect(bus.in(0x70, 4)).toBe(0xffff2211);
    bus.out(0x70, 2, 0xabcd);
    expect(a.writes).toEqual([[0x70, 1, 0xcd]]);
    expect(b.writes).toEqual([[0x71, 1, 0xab]]);
    expect(a.reads.every(([, s]) => s === 1)).toBe(true);
    // A word access starting at an unowned port reaches the owned port next to it.
    expect(bus.in(0x6f, 2)).toBe(0x11ff);
  });
});

describe('IoBus MMIO', () => {
  it('finds regions, relocates and disables them, and rejects overlaps', () => {
    const bus = new IoBus();
    let changes = 0;
    bus.onMmioMapChange = () => changes++;
    const ram = new Ram();
    const r = bus.registerMmio(0xfee00000, 0x1000, ram, 'lapic');
    bus.registerMmio(0xfec00000, 0x1000, new Ram(), 'ioapic');
    expect(bus.findMmio(0xfee00ff0)).toBe(r);
    expect(bus.findMmio(0xfee01000)).toBeUndefined();
    expect(bus.writeMmio(0xfee00080, 4, 0x12345678)).toBe(true);
    expect(bus.readMmio(0xfee00080, 4)).toBe(0x12345678);
    expect(bus.readMmio(0x1000, 4)).toBeUndefined();
    expect(() => bus.registerMmio(0xfec00800, 0x1000, new Ram(), 'x')).toThrow(/overlaps ioapic/);
    bus.moveMmio(r, 0xfed00000);
    expect(bus.findMmio(0xfee00080)).toBeUndefined();
    expect(bus.readMmio(0xfed00080, 4)).toBe(0x12345678);
    bus.setMmioEnabled(r, false);
    expect(bus.findMmio(0xfed00080)).toBeUndefined();
    expect(bus.mmioRegions().map((x) => x.name)).toEqual(['ioapic', 'lapic']);
    expect(changes).toBe(4);
  });
});
