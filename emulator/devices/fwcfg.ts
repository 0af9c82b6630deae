// QEMU's firmware configuration device (fw_cfg), x86 I/O-port interface (docs/specs/fw_cfg in QEMU):
//   0x510 selector (16-bit write; a byte write there is a data write, as in QEMU's combined region)
//   0x511 data (byte reads; 0x510 byte reads also return data, as in QEMU)
//   0x514-0x51B DMA address register (big-endian), present when the host gives a physical-memory
//   accessor; FW_CFG_ID then has bit 1 set, as in QEMU's PC machine.
// Selecting a key sets the data offset to 0; each byte read advances it; past the item's end (or
// for a key with no item) reads return 0. Writes through the data port are ignored (QEMU >= 2.4).
//
// Items, with QEMU's key numbers and byte order (integers little-endian, file directory big-endian):
//   0x0000 FW_CFG_SIGNATURE "QEMU"          0x0001 FW_CFG_ID (u32: 1 | 2 if DMA)
//   0x0002 FW_CFG_UUID (16 zero bytes)      0x0003 FW_CFG_RAM_SIZE (u64)
//   0x0004 FW_CFG_NOGRAPHIC (u16 0)         0x0005 FW_CFG_NB_CPUS (u16)
//   0x000e FW_CFG_BOOT_MENU (u16 0)         0x000f FW_CFG_MAX_CPUS (u16)
//   0x0019 FW_CFG_FILE_DIR                  0x8002 FW_CFG_IRQ0_OVERRIDE (u32 1)
//   file "etc/e820" (key 0x0020): the RAM map, 20-byte entries {u64 addr, u64 len, u32 type}.
// Further files can be added with addFile().

import type { AccessSize, PortDevice } from './bus';

export const FW_CFG_SIGNATURE = 0x00;
export const FW_CFG_ID = 0x01;
export const FW_CFG_UUID = 0x02;
export const FW_CFG_RAM_SIZE = 0x03;
export const FW_CFG_NOGRAPHIC = 0x04;
export const FW_CFG_NB_CPUS = 0x05;
export const FW_CFG_BOOT_MENU = 0x0e;
export const FW_CFG_MAX_CPUS = 0x0f;
export const FW_CFG_FILE_DIR = 0x19;
export const FW_CFG_FILE_FIRST = 0x20;
export const FW_CFG_ARCH_LOCAL = 0x8000;
export const FW_CFG_IRQ0_OVERRIDE = FW_CFG_ARCH_LOCAL + 2;
export const FW_CFG_IO_BASE = 0x510;
export const FW_CFG_DMA_IO_BASE = 0x514;
/** "QEMU CFG" as the DMA register reads (big-endian). */
export const FW_CFG_DMA_SIGNATURE = 0x51454d5520434647n;

const DMA_CTL_ERROR = 0x01;
const DMA_CTL_READ = 0x02;
const DMA_CTL_SKIP = 0x04;
const DMA_CTL_SELECT = 0x08;
const DMA_CTL_WRITE = 0x10;

/** Guest physical memory as the DMA interface needs it. Addresses are plain numbers (< 2^53). */
export interface PhysicalMemory {
  read(addr: number, length: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

export interface FwCfgOptions {
  memoryBytes: number;
  cpus?: number;
  /** Enables the DMA interface (FW_CFG_ID bit 1, port 0x514). */
  memory?: PhysicalMemory;
}

function le(value: number | bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function beWrite(buf: Uint8Array, off: number, value: number, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) {
    buf[off + i] = value & 0xff;
    value = Math.floor(value / 256);
  }
}

function beRead(buf: Uint8Array, off: number, bytes: number): number {
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + buf[off + i]!;
  return v;
}

export class FwCfg implements PortDevice {
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: { name: string; key: number }[] = [];
  selector = 0;
  offset = 0;
  private dmaHigh = 0;
  readonly dmaEnabled: boolean;
  private readonly memory: PhysicalMemory | undefined;
  /** DMA operations performed (for tests and the debugger). */
  dmaOps = 0;

  constructor(opts: FwCfgOptions) {
    this.memory = opts.memory;
    this.dmaEnabled = opts.memory !== undefined;
    const cpus = opts.cpus ?? 1;
    this.items.set(FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU'));
    this.items.set(FW_CFG_ID, le(this.dmaEnabled ? 3 : 1, 4));
    this.items.set(FW_CFG_UUID, new Uint8Array(16));
    this.items.set(FW_CFG_RAM_SIZE, le(opts.memoryBytes, 8));
    this.items.set(FW_CFG_NOGRAPHIC, le(0, 2));
    this.items.set(FW_CFG_NB_CPUS, le(cpus, 2));
    this.items.set(FW_CFG_BOOT_MENU, le(0, 2));
    this.items.set(FW_CFG_MAX_CPUS, le(cpus, 2));
    this.items.set(FW_CFG_IRQ0_OVERRIDE, le(1, 4));
    this.addFile('etc/e820', FwCfg.e820(opts.memoryBytes));
    this.reset();
  }

  /** QEMU's e820 table for a RAM size: below-4G RAM from 0, and above 4G if any (type 1 = RAM). */
  static e820(memoryBytes: number): Uint8Array {
    const below4g = memoryBytes >= 0xe0000000 ? 0xc0000000 : memoryBytes;
    const entries: [number, number][] = [[0, below4g]];
    if (memoryBytes > below4g) entries.push([2 ** 32, memoryBytes - below4g]);
    const out = new Uint8Array(20 * entries.length);
    entries.forEach(([addr, len], i) => {
      out.set(le(addr, 8), i * 20);
      out.set(le(len, 8), i * 20 + 8);
      out.set(le(1, 4), i * 20 + 16);
    });
    return out;
  }

  /** Add a named file item (next free key from 0x20) and update the file directory. */
  addFile(name: string, data: Uint8Array): number {
    if (name.length > 55) throw new Error(`fw_cfg file name too long: ${name}`);
    if (this.files.some((f) => f.name === name)) throw new Error(`fw_cfg file exists: ${name}`);
    const key = FW_CFG_FILE_FIRST + this.files.length;
    this.items.set(key, data);
    this.files.push({ name, key });
    // QEMU keeps the directory sorted by name.
    const sorted = [...this.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dir = new Uint8Array(4 + 64 * sorted.length);
    beWrite(dir, 0, sorted.length, 4);
    sorted.forEach((f, i) => {
      const o = 4 + 64 * i;
      beWrite(dir, o, this.items.get(f.key)!.length, 4);
      beWrite(dir, o + 4, f.key, 2);
      dir.set(new TextEncoder().encode(f.name), o + 8);
    });
    this.items.set(FW_CFG_FILE_DIR, dir);
    return key;
  }

  /** The item behind `key` (without the write/arch bits folded), or undefined. */
  item(key: number): Uint8Array | undefined {
    return this.items.get(key & ~0x4000 & 0xffff);
  }

  reset(): void {
    this.select(FW_CFG_SIGNATURE);
    this.dmaHigh = 0;
  }

  select(key: number): void {
    this.selector = key & 0xffff;
    this.offset = 0;
  }

  private readByte(): number {
    const data = this.item(this.selector);
    if (data === undefined || this.offset >= data.length) return 0;
    return data[this.offset++]!;
  }

  portRead(port: number, size: AccessSize): number {
    if (port >= FW_CFG_DMA_IO_BASE) {
      // Big-endian signature; the guest's little-endian read of byte i gets signature byte i.
      let v = 0;
      for (let i = size - 1; i >= 0; i--) {
        const k = port - FW_CFG_DMA_IO_BASE + i;
        const byte = Number((FW_CFG_DMA_SIGNATURE >> BigInt(8 * (7 - k))) & 0xffn);
        v = v * 256 + byte;
      }
      return v;
    }
    if (size !== 1) return 0; // not an access QEMU accepts: it reads 0
    return this.readByte();
  }

  portWrite(port: number, size: AccessSize, value: number): void {
    if (port >= FW_CFG_DMA_IO_BASE) {
      if (size !== 4) return;
      // The register is big-endian: the guest writes bswap32(half) with a little-endian OUT.
      const half = (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
      if (port === FW_CFG_DMA_IO_BASE) this.dmaHigh = half;
      else if (port === FW_CFG_DMA_IO_BASE + 4) {
        const addr = this.dmaHigh * 2 ** 32 + half;
        this.dmaHigh = 0;
        this.dmaTransfer(addr);
      }
      return;
    }
    if (size === 2 && port === FW_CFG_IO_BASE) this.select(value);
    // Byte writes are data writes: ignored.
  }

  /** Run one FWCfgDmaAccess {be32 control, be32 length, be64 address} at physical `addr`. */
  private dmaTransfer(addr: number): void {
    const mem = this.memory;
    if (mem === undefined) return;
    this.dmaOps++;
    const desc = mem.read(addr, 16);
    let control = beRead(desc, 0, 4);
    let length = beRead(desc, 4, 4);
    let target = beRead(desc, 8, 8);
    if (control & DMA_CTL_SELECT) this.select(control >>> 16);
    let read = false;
    let write = false;
    if (control & DMA_CTL_READ) read = true;
    else if (control & DMA_CTL_WRITE) write = true;
    else if (!(control & DMA_CTL_SKIP)) length = 0;
    control = 0;
    const data = this.item(this.selector);
    while (length > 0 && !(control & DMA_CTL_ERROR)) {
      let len: number;
      if (data === undefined || this.offset >= data.length) {
        len = length;
        if (read) mem.write(target, new Uint8Array(len));
        if (write) control |= DMA_CTL_ERROR;
      } else {
        len = Math.min(length, data.length - this.offset);
        if (read) mem.write(target, data.subarray(this.offset, this.offset + len));
        if (write) control |= DMA_CTL_ERROR; // every item is read-only here
        this.offset += len;
      }
      target += len;
      length -= len;
    }
    const status = new Uint8Array(4);
    beWrite(status, 0, control, 4);
    mem.write(addr, status);
  }
}
