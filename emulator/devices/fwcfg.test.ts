import { describe, expect, it } from 'vitest';
import { FW_CFG_FILE_DIR, FW_CFG_ID, FW_CFG_MAX_CPUS, FW_CFG_NB_CPUS, FW_CFG_RAM_SIZE, FW_CFG_SIGNATURE, type PhysicalMemory } from './fwcfg';
import { GuestSim } from './testkit';

function readItem(s: GuestSim, key: number, n: number): number[] {
  s.outw(0x510, key);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.inb(0x511));
  return out;
}

const leNum = (b: number[]) => b.reduce((acc, x, i) => acc + x * 2 ** (8 * i), 0);
const beNum = (b: number[]) => b.reduce((acc, x) => acc * 256 + x, 0);

class Mem implements PhysicalMemory {
  bytes = new Uint8Array(0x10000);
  read(addr: number, length: number): Uint8Array {
    return this.bytes.slice(addr, addr + length);
  }
  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, addr);
  }
}

const bswap32 = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

describe('fw_cfg', () => {
  it('signature "QEMU" at key 0 (selected at reset too)', () => {
    const s = new GuestSim();
    expect(String.fromCharCode(s.inb(0x511), s.inb(0x511))).toBe('QE');
    expect(String.fromCharCode(...readItem(s, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
    expect(readItem(s, FW_CFG_SIGNATURE, 6).slice(4)).toEqual([0, 0]); // past the end: 0
    // As QEMU's combined port region, a byte read at 0x510 also reads data.
    s.outw(0x510, 0);
    expect(s.inb(0x510)).toBe(0x51);
  });

  it('ID, RAM size (u64 LE), CPU counts (u16 LE)', () => {
    const s = new GuestSim({ memoryBytes: 64 << 20 });
    expect(leNum(readItem(s, FW_CFG_ID, 4))).toBe(1);
    expect(leNum(readItem(s, FW_CFG_RAM_SIZE, 8))).toBe(64 << 20);
    expect(leNum(readItem(s, FW_CFG_NB_CPUS, 2))).toBe(1);
    expect(leNum(readItem(s, FW_CFG_MAX_CPUS, 2))).toBe(1);
    expect(readItem(s, 0x1234, 4)).toEqual([0, 0, 0, 0]); // no such item
    expect(leNum(readItem(s, 0x8002, 4))).toBe(1); // FW_CFG_IRQ0_OVERRIDE
  });

  it('file directory (big-endian) lists etc/e820, which maps the RAM', () => {
    const s = new GuestSim({ memoryBytes: 32 << 20 });
    const dir = readItem(s, FW_CFG_FILE_DIR, 4 + 64);
    expect(beNum(dir.slice(0, 4))).toBe(1);
    expect(beNum(dir.slice(4, 8))).toBe(20);
    const select = beNum(dir.slice(8, 10));
    expect(select).toBe(0x20);
    expect(String.fromCharCode(...dir.slice(12, 20))).toBe('etc/e820');
    expect(dir[20]).toBe(0);
    const e820 = readItem(s, select, 20);
    expect(leNum(e820.slice(0, 8))).toBe(0);
    expect(leNum(e820.slice(8, 16))).toBe(32 << 20);
    expect(leNum(e820.slice(16, 20))).toBe(1);
  });

  it('ignores data writes and wide reads of the data port', () => {
    const s = new GuestSim();
    s.outw(0x510, FW_CFG_SIGNATURE);
    s.outb(0x511, 0x00);
    expect(s.inb(0x511)).toBe(0x51);
    expect(s.in(0x511, 2)).toBe(0); // QEMU 7.2 reads 0 for this invalid access
  });

  it('DMA interface when the host gives memory: ID bit 1, signature register, read and skip', () => {
    const mem = new Mem();
    const s = new GuestSim({ memoryBytes: 16 << 20, physicalMemory: mem });
    expect(leNum(readItem(s, FW_CFG_ID, 4))).toBe(3);
    const sig = [0, 4].map((o) => s.in(0x514 + o, 4));
    expect(sig.map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24)).join('')).toBe('QEMU CFG');
    // FWCfgDmaAccess at 0x1000: select RAM size + read 8 bytes to 0x2000.
    const desc = new DataView(mem.bytes.buffer, 0x1000, 16);
    desc.setUint32(0, (FW_CFG_RAM_SIZE << 16) | 0x08 | 0x02);
    desc.setUint32(4, 8);
    desc.setBigUint64(8, 0x2000n);
    s.outl(0x514, bswap32(0));
    s.outl(0x518, bswap32(0x1000));
    expect(desc.getUint32(0)).toBe(0); // done, no error
    expect(new DataView(mem.bytes.buffer).getBigUint64(0x2000, true)).toBe(BigInt(16 << 20));
    // Skip 2 bytes of the signature, then read the rest through the port.
    desc.setUint32(0, (FW_CFG_SIGNATURE << 16) | 0x08 | 0x04);
    desc.setUint32(4, 2);
    s.outl(0x518, bswap32(0x1000));
    expect(String.fromCharCode(s.inb(0x511), s.inb(0x511))).toBe('MU');
    // A write is an error (every item is read-only).
    desc.setUint32(0, 0x10);
    desc.setUint32(4, 1);
    s.outl(0x518, bswap32(0x1000));
    expect(desc.getUint32(0)).toBe(1);
  });

  it('has no DMA ports without host memory', () => {
    const s = new GuestSim();
    expect(s.in(0x514, 4)).toBe(0xffffffff);
  });
});
