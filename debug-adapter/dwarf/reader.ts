// Bounds-checked reading of DWARF section bytes: fixed-size integers, LEB128, strings, offsets and
// addresses. A read past the end throws DwarfError naming the section and the offset; the parsers
// catch it at a unit (or CIE/FDE) boundary and keep it as a warning, so bad input never escapes.

export class DwarfError extends Error {
  constructor(
    readonly section: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${section} at offset 0x${offset.toString(16)}: ${reason}`);
  }
}

/** The message of any error thrown while parsing (DwarfError or an unexpected one). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

export class Reader {
  private readonly dv: DataView;
  /** Current position, an offset into `bytes` (the whole section). */
  pos: number;
  /** Reads stop here (exclusive): a sub-range of the section, e.g. one unit. */
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    readonly le = true,
    start = 0,
    end = bytes.length,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = Math.min(end, bytes.length);
  }

  /** A reader over [start, end) of the same section. */
  slice(start: number, end: number): Reader {
    if (start < 0 || end > this.end || start > end)
      this.fail(`range ${hex(start)}..${hex(end)} is outside ${hex(0)}..${hex(this.end)}`, start);
    return new Reader(this.bytes, this.section, this.le, start, end);
  }

  get remaining(): number {
    return this.end - this.pos;
  }
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(reason: string, at = this.pos): never {
    throw new DwarfError(this.section, at, reason);
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end)
      this.fail(`${what}: needs ${n} byte(s), ${Math.max(0, this.end - this.pos)} left before ${hex(this.end)}`);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }
  i8(what = 'i8'): number {
    this.need(1, what);
    return this.dv.getInt8(this.pos++);
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.dv.getUint16(this.pos, this.le);
    this.pos += 2;
    return v;
  }
  i16(what = 'i16'): number {
    this.need(2, what);
    const v = this.dv.getInt16(this.pos, this.le);
    this.pos += 2;
    return v;
  }
  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return this.le ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) : (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }
  i32(what = 'i32'): number {
    this.need(4, what);
    const v = this.dv.getInt32(this.pos, this.le);
    this.pos += 4;
    return v;
  }
  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.dv.getBigUint64(this.pos, this.le);
    this.pos += 8;
    return v;
  }
  i64(what = 'i64'): bigint {
    this.need(8, what);
    const v = this.dv.getBigInt64(this.pos, this.le);
    this.pos += 8;
    return v;
  }

  /** An unsigned integer of `size` bytes (1, 2, 3, 4 or 8) as bigint. */
  uN(size: number, what = 'value'): bigint {
    switch (size) {
      case 1:
        return BigInt(this.u8(what));
      case 2:
        return BigInt(this.u16(what));
      case 3:
        return BigInt(this.u24(what));
      case 4:
        return BigInt(this.u32(what));
      case 8:
        return this.u64(what);
      default:
        return this.fail(`${what}: unsupported size ${size}`);
    }
  }
  /** A signed integer of `size` bytes as bigint. */
  sN(size: number, what = 'value'): bigint {
    return BigInt.asIntN(size * 8, this.uN(size, what));
  }

  /** An address of `size` bytes (2, 4 or 8). */
  addr(size: number, what = 'address'): bigint {
    if (size !== 2 && size !== 4 && size !== 8) this.fail(`${what}: address size ${size} is not 2, 4 or 8`);
    return this.uN(size, what);
  }

  /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF (as a number). */
  offset(dwarf64: boolean, what = 'offset'): number {
    if (!dwarf64) return this.u32(what);
    const at = this.pos;
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what}: ${hex(v)} is too large`, at);
    return Number(v);
  }

  /** unit_length: 0xffffffff introduces 64-bit DWARF; 0xfffffff0-0xfffffffe are reserved. */
  initialLength(what = 'unit_length'): { length: number; dwarf64: boolean } {
    const at = this.pos;
    const v = this.u32(what);
    if (v === 0xffffffff) return { length: this.offset(true, what), dwarf64: true };
    if (v >= 0xfffffff0) this.fail(`${what} ${hex(v)} is a reserved value`, at);
    return { length: v, dwarf64: false };
  }

  /** ULEB128 as bigint (any length). */
  ulebBig(what = 'ULEB128'): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8(what);
      if (shift < 128n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
    }
  }
  /** SLEB128 as bigint. */
  slebBig(what = 'SLEB128'): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.u8(what);
      if (shift < 128n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return result;
  }
  /** ULEB128 as a number; values above 2^53 are an error. */
  uleb(what = 'ULEB128'): number {
    const at = this.pos;
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8(what);
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    if (result > Number.MAX_SAFE_INTEGER) this.fail(`${what} is too large`, at);
    return result;
  }
  /** SLEB128 as a number (values outside +-2^53 are an error). */
  sleb(what = 'SLEB128'): number {
    const at = this.pos;
    const v = this.slebBig(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is too large`, at);
    return Number(v);
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(what = 'string'): string {
    const start = this.pos;
    let i = start;
    while (i < this.end && this.bytes[i] !== 0) i++;
    if (i >= this.end) this.fail(`${what}: no terminating NUL before ${hex(this.end)}`, start);
    this.pos = i + 1;
    return utf8.decode(this.bytes.subarray(start, i));
  }

  /** `n` raw bytes (a view, not a copy). */
  block(n: number, what = 'block'): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }
}

/** The NUL-terminated string at `offset` of a string section, or an error naming the section. */
export function stringAt(bytes: Uint8Array | undefined, section: string, offset: number): string {
  if (!bytes) throw new DwarfError(section, offset, 'the section is missing');
  if (!(offset >= 0 && offset < bytes.length))
    throw new DwarfError(section, offset, `string offset beyond the end of the section (${hex(bytes.length)} bytes)`);
  return new Reader(bytes, section, true, offset).cstr();
}
