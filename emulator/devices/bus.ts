// The I/O port bus and the MMIO region map.
//
// Ports: a 65536-entry table gives the owning device of each port in O(1). Reads of ports no
// device owns return all ones (0xFF, 0xFFFF, 0xFFFFFFFF), writes to them are ignored: what QEMU
// and a PC do. A device may accept only some access sizes: a wider access is then split into byte
// accesses at port, port+1, ... (each byte dispatched to whoever owns that port), as QEMU does for
// byte-wide devices, and combined little-endian.
//
// MMIO: a short list of physical ranges (I/O APIC, local APIC). The CPU's memory layer calls
// findMmio(physAddr) only for physical addresses outside RAM or inside a registered hole (see
// README.md); the result's `device` gets offsets relative to the region base.

export type AccessSize = 1 | 2 | 4;

export interface PortDevice {
  portRead(port: number, size: AccessSize): number;
  portWrite(port: number, size: AccessSize, value: number): void;
}

export interface MmioDevice {
  mmioRead(offset: number, size: AccessSize): number;
  mmioWrite(offset: number, size: AccessSize, value: number): void;
}

export interface MmioRegion {
  readonly name: string;
  base: number;
  readonly size: number;
  readonly device: MmioDevice;
  /** A disabled region is not found by findMmio (e.g. the local APIC globally disabled). */
  enabled: boolean;
}

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

/** Bit mask of access sizes: bit 1 = byte, bit 2 = word, bit 4 = dword. */
export const SIZES_BYTE = 1 << 1;
export const SIZES_ALL = (1 << 1) | (1 << 2) | (1 << 4);

export class IoBus {
  /** owner[port] = index into devices (0 = none). */
  private readonly owner = new Uint16Array(0x10000);
  private readonly devices: (PortDevice | undefined)[] = [undefined];
  private readonly sizes: number[] = [0];
  private readonly names: string[] = [''];
  private readonly regions: MmioRegion[] = [];
  private lastRegion: MmioRegion | undefined;
  /** Called whenever the MMIO map changes (a region added, moved, enabled or disabled). */
  onMmioMapChange: (() => void) | undefined;

  /**
   * Give ports [first, first+count) to `device`. `sizes` says which access sizes the device
   * handles itself (SIZES_ALL by default); other sizes are split into byte accesses.
   * Overlapping registration is a programming error and throws.
   */
  registerPorts(first: number, count: number, device: PortDevice, name = 'device', sizes = SIZES_ALL): void {
    if (first < 0 || count <= 0 || first + count > 0x10000) throw new RangeError(`bad port range ${first}+${count}`);
    for (let p = first; p < first + count; p++) {
      if (this.owner[p] !== 0)
        throw new Error(`port 0x${p.toString(16)} of ${name} is already owned by ${this.names[this.owner[p]!]}`);
    }
    const idx = this.devices.length;
    if (idx > 0xffff) throw new Error('too many port devices');
    this.devices.push(device);
    this.sizes.push(sizes | SIZES_BYTE);
    this.names.push(name);
    this.owner.fill(idx, first, first + count);
  }

  /** Name of the device owning `port`, or undefined. */
  portOwner(port: number): string | undefined {
    const i = this.owner[port & 0xffff]!;
    return i ? this.names[i] : undefined;
  }

  /** IN: returns the value zero-extended to `size` bytes; all ones for unowned ports. */
  in(port: number, size: AccessSize): number {
    port &= 0xffff;
    const i = this.owner[port]!;
    if (i === 0) {
      if (size === 1) return 0xff;
      return this.splitIn(port, size);
    }
    if ((this.sizes[i]! & (1 << size)) === 0) return this.splitIn(port, size);
    const v = this.devices[i]!.portRead(port, size);
    return size === 4 ? v >>> 0 : v & ALL_ONES[size];
  }

  /** OUT: `value` is truncated to `size` bytes. Writes to unowned ports are ignored. */
  out(port: number, size: AccessSize, value: number): void {
    port &= 0xffff;
    const i = this.owner[port]!;
    if (i === 0) {
      if (size !== 1) this.splitOut(port, size, value);
      return;
    }
    if ((this.sizes[i]! & (1 << size)) === 0) {
      this.splitOut(port, size, value);
      return;
    }
    this.devices[i]!.portWrite(port, size, size === 4 ? value >>> 0 : value & ALL_ONES[size]);
  }

  private splitIn(port: number, size: AccessSize): number {
    let v = 0;
    for (let b = 0; b < size; b++) {
      const p = (port + b) & 0xffff;
      const i = this.owner[p]!;
      const byte = i === 0 ? 0xff : this.devices[i]!.portRead(p, 1) & 0xff;
      v += byte * 2 ** (8 * b);
    }
    return v;
  }

  private splitOut(port: number, size: AccessSize, value: number): void {
    value >>>= 0;
    for (let b = 0; b < size; b++) {
      const p = (port + b) & 0xffff;
      const i = this.owner[p]!;
      if (i !== 0) this.devices[i]!.portWrite(p, 1, (value >>> (8 * b)) & 0xff);
    }
  }

  /** Map [base, base+size) to `device`. Overlap with an existing region throws. */
  registerMmio(base: number, size: number, device: MmioDevice, name = 'mmio'): MmioRegion {
    const region: MmioRegion = { name, base, size, device, enabled: true };
    this.checkOverlap(region, base);
    this.regions.push(region);
    this.regions.sort((a, b) => a.base - b.base);
    this.mmioChanged();
    return region;
  }

  /** Move a region (the local APIC after a write to IA32_APIC_BASE). */
  moveMmio(region: MmioRegion, newBase: number): void {
    if (newBase === region.base) return;
    this.checkOverlap(region, newBase);
    region.base = newBase;
    this.regions.sort((a, b) => a.base - b.base);
    this.mmioChanged();
  }

  setMmioEnabled(region: MmioRegion, enabled: boolean): void {
    if (region.enabled === enabled) return;
    region.enabled = enabled;
    this.mmioChanged();
  }

  private checkOverlap(region: MmioRegion, base: number): void {
    for (const r of this.regions) {
      if (r === region) continue;
      if (base < r.base + r.size && r.base < base + region.size)
        throw new Error(`MMIO range of ${region.name} at 0x${base.toString(16)} overlaps ${r.name}`);
    }
  }

  private mmioChanged(): void {
    this.lastRegion = undefined;
    this.onMmioMapChange?.();
  }

  /** All regions, sorted by base (for the memory layer to punch holes, and for the debugger). */
  mmioRegions(): readonly MmioRegion[] {
    return this.regions;
  }

  /** The enabled region containing physical address `addr`, or undefined. */
  findMmio(addr: number): MmioRegion | undefined {
    const last = this.lastRegion;
    if (last !== undefined && addr >= last.base && addr < last.base + last.size) return last;
    for (const r of this.regions) {
      if (r.enabled && addr >= r.base && addr < r.base + r.size) {
        this.lastRegion = r;
        return r;
      }
    }
    return undefined;
  }

  /**
   * Convenience for the memory layer: read `size` bytes at physical `addr` from a device region,
   * or undefined if no region holds it (the caller decides; QEMU reads unassigned memory as 0).
   * Wider accesses (8, 16 bytes) must be split by the caller into 4-byte accesses, low first.
   */
  readMmio(addr: number, size: AccessSize): number | undefined {
    const r = this.findMmio(addr);
    if (r === undefined) return undefined;
    const v = r.device.mmioRead(addr - r.base, size);
    return size === 4 ? v >>> 0 : v & ALL_ONES[size];
  }

  /** Write to a device region; returns false if no region holds `addr`. */
  writeMmio(addr: number, size: AccessSize, value: number): boolean {
    const r = this.findMmio(addr);
    if (r === undefined) return false;
    r.device.mmioWrite(addr - r.base, size, size === 4 ? value >>> 0 : value & ALL_ONES[size]);
    return true;
  }
}
