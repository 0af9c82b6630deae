// Guest physical memory: one ArrayBuffer, with byte and little-endian views over it.

export class Ram {
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly dv: DataView;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0x10000 || size > 0x7fff0000 || (size & 0xfff) !== 0)
      throw new RangeError(`RAM size must be a multiple of 4 KiB between 64 KiB and 2 GiB: ${size}`);
    this.size = size;
    this.buffer = new ArrayBuffer(size);
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
  }
}
