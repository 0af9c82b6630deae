// Typed values read from a target: a storage (memory at an address, or bytes from registers and
// DWARF expressions) plus a DwarfType become a tree of named nodes with display strings the way
// gdb prints them ("65 'A'", "0x402007 \"hello\"", "(F_A | F_C)", "{x = 1, y = 2}").

import { DW_ATE } from './constants';
import { isUnsignedType, sizeOf, stripType, typeName, type DwarfType, type Enumerator } from './types';

export type ReadMemory = (addr: bigint, size: number) => Uint8Array | undefined;

/** Where a value's bytes are. */
export type Storage =
  | { kind: 'memory'; address: bigint }
  /** Bytes known up front (registers, stack values, implicit values); `known[i] = 0` marks a missing byte. */
  | { kind: 'bytes'; bytes: Uint8Array; known?: Uint8Array }
  | { kind: 'unavailable'; reason: string };

export interface ValueNode {
  name: string;
  /** The declared type's name (typedefs kept), e.g. "u32", "struct point *". */
  type: string;
  /** One line: scalars as gdb prints them, aggregates as "{a = 1, b = {...}}". */
  display: string;
  /** Address in target memory when the value lives there. */
  address?: bigint;
  /** Members of a struct/union, elements of an array (the first `maxElements`). */
  children?: ValueNode[];
  /** Elements not in `children` (an array longer than the limit). */
  omitted?: number;
  /** For pointers: where they point and the pointed-to type, to expand on demand. */
  pointer?: { address: bigint; target: DwarfType };
  /** The value's type (for readTypedValue on a pointer target, hovers). */
  valueType: DwarfType;
  /** Why the value could not be read (the display says "<...>" then). */
  error?: string;
}

export interface ValueOptions {
  readMemory: ReadMemory;
  /** Symbol for an address, shown after pointers as gdb does ("0x403200 <origin>"). */
  symbolize?: (addr: bigint) => string | undefined;
  /** Array elements to read per array (default 100). */
  maxElements?: number;
  /** Characters of a string to show behind a char pointer (default 200). */
  maxString?: number;
  littleEndian?: boolean;
}

const MAX_DEPTH = 12;

/** Read the value of type `type` from `storage` as a tree. Never throws. */
export function readTypedValue(name: string, type: DwarfType, storage: Storage, opts: ValueOptions): ValueNode {
  try {
    return node(name, type, storage, 0, opts, 0);
  } catch (e) {
    return { name, type: safeTypeName(type), display: `<error: ${e instanceof Error ? e.message : String(e)}>`, valueType: type, error: String(e) };
  }
}

function safeTypeName(t: DwarfType): string {
  try {
    return typeName(t);
  } catch {
    return '<type>';
  }
}

/** `size` bytes at `offset` into the storage, or a reason they are not available. */
function bytesAt(storage: Storage, offset: number, size: number, opts: ValueOptions): Uint8Array | string {
  switch (storage.kind) {
    case 'unavailable':
      return storage.reason;
    case 'memory': {
      const addr = BigInt.asUintN(64, storage.address + BigInt(offset));
      const b = size === 0 ? new Uint8Array() : opts.readMemory(addr, size);
      if (!b || b.length < size) return `Cannot access memory at address 0x${addr.toString(16)}`;
      return b;
    }
    case 'bytes': {
      if (offset + size > storage.bytes.length) return '<optimized out>';
      if (storage.known) for (let i = offset; i < offset + size; i++) if (!storage.known[i]) return '<optimized out>';
      return storage.bytes.subarray(offset, offset + size);
    }
  }
}

function sub(storage: Storage, offset: number): Storage {
  if (storage.kind === 'memory') return { kind: 'memory', address: BigInt.asUintN(64, storage.address + BigInt(offset)) };
  if (storage.kind === 'bytes') {
    const end = storage.bytes.length;
    const o = Math.min(offset, end);
    return { kind: 'bytes', bytes: storage.bytes.subarray(o), known: storage.known?.subarray(o) };
  }
  return storage;
}

function toBig(b: Uint8Array, le: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v |= BigInt(b[le ? i : b.length - 1 - i]!) << BigInt(8 * i);
  return v;
}

const OPTIMIZED_OUT = '<optimized out>';

function node(name: string, type: DwarfType, storage: Storage, bitOffset: number, opts: ValueOptions, depth: number, bitSize?: number): ValueNode {
  const tn = safeTypeName(type);
  const address = storage.kind === 'memory' ? storage.address : undefined;
  const base: ValueNode = { name, type: tn, display: '', valueType: type, ...(address !== undefined ? { address } : {}) };
  if (depth > MAX_DEPTH) return { ...base, display: '{...}' };
  const t = stripType(type);
  const le = opts.littleEndian ?? true;
  const fail = (why: string): ValueNode => ({ ...base, display: why.startsWith('<') ? why : `<error: ${why}>`, error: why });

  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    if (t.declaration && t.members.length === 0) return { ...base, display: '<incomplete type>' };
    // An optimized-out aggregate still shows its members, each optimized out (as gdb does).
    if (storage.kind === 'unavailable' && storage.reason !== OPTIMIZED_OUT) return fail(storage.reason);
    const children = t.members.map((m) => {
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        const byte = Math.floor(m.bitOffset / 8);
        return node(m.name ?? '<anonymous>', m.type, sub(storage, byte), m.bitOffset - byte * 8, opts, depth + 1, m.bitSize);
      }
      return node(m.name ?? '<anonymous>', m.type, sub(storage, m.offset), 0, opts, depth + 1);
    });
    return { ...base, children, display: summary(children, true) };
  }

  if (t.kind === 'array') {
    if (storage.kind === 'unavailable' && storage.reason !== OPTIMIZED_OUT) return fail(storage.reason);
    const count = t.count ?? 0;
    const esize = sizeOf(t.element);
    const max = Math.min(count, opts.maxElements ?? 100);
    const children: ValueNode[] = [];
    for (let i = 0; i < max; i++) children.push(node(`[${i}]`, t.element, sub(storage, i * esize), 0, opts, depth + 1));
    const out: ValueNode = { ...base, children };
    if (count > max) out.omitted = count - max;
    const el = stripType(t.element);
    out.display = el.kind === 'base' && isCharType(el) && esize === 1 ? charArrayText(children, count > max) : summary(children, false, count > max);
    return out;
  }

  // Scalars.
  const size = t.kind === 'void' ? 0 : sizeOf(t);
  if (t.kind === 'void') return { ...base, display: 'void' };
  if (t.kind === 'function') return { ...base, display: address !== undefined ? `{${tn}} 0x${address.toString(16)}` : `{${tn}}` };
  if (size > 64 || (bitSize !== undefined && bitOffset + bitSize > 512)) return fail(`a ${size}-byte scalar (bad DWARF?)`);
  const needBits = bitSize !== undefined ? bitOffset + bitSize : size * 8;
  const raw = bytesAt(storage, 0, Math.ceil(needBits / 8), opts);
  if (typeof raw === 'string') return fail(raw);
  let v = toBig(raw, le);
  if (bitSize !== undefined) {
    v = (v >> BigInt(bitOffset)) & ((1n << BigInt(bitSize)) - 1n);
    const bits = bitSize;
    if (!isUnsignedType(t)) v = BigInt.asIntN(bits, v);
    const out = { ...base, display: scalarText(t, v, raw, opts, true) };
    delete out.address;
    return out;
  }
  if (!isUnsignedType(t) && size > 0 && size <= 8) v = BigInt.asIntN(size * 8, v);
  const out: ValueNode = { ...base, display: scalarText(t, v, raw, opts, false) };
  if (t.kind === 'pointer') out.pointer = { address: v, target: t.target };
  return out;
}

function isCharType(t: Extract<DwarfType, { kind: 'base' }>): boolean {
  return t.size === 1 && (t.encoding === DW_ATE.signed_char || t.encoding === DW_ATE.unsigned_char || t.encoding === DW_ATE.UTF);
}

function scalarText(t: DwarfType, v: bigint, raw: Uint8Array, opts: ValueOptions, isBitField: boolean): string {
  switch (t.kind) {
    case 'base':
      switch (t.encoding) {
        case DW_ATE.boolean:
          return v === 0n ? 'false' : v === 1n ? 'true' : String(v);
        case DW_ATE.float:
          return floatText(raw, t.size, opts.littleEndian ?? true);
        case DW_ATE.signed_char:
        case DW_ATE.unsigned_char:
          return t.size === 1 && !isBitField ? `${v} ${charLiteral(Number(v) & 0xff)}` : String(v);
        case DW_ATE.address:
          return `0x${BigInt.asUintN(64, v).toString(16)}`;
        default:
          return String(v);
      }
    case 'enum':
      return enumText(t.enumerators, v);
    case 'pointer':
    case 'reference':
    case 'rvalue_reference': {
      const a = BigInt.asUintN(64, v);
      let s = `0x${a.toString(16)}`;
      const sym = a !== 0n ? opts.symbolize?.(a) : undefined;
      if (sym) s += ` <${sym}>`;
      const target = stripType(t.target);
      if (target.kind === 'base' && isCharType(target) && a !== 0n) {
        const str = readCString(a, opts);
        if (str !== undefined) s += ` ${str}`;
      }
      return s;
    }
    default:
      return `0x${toHex(raw)}`;
  }
}

function toHex(raw: Uint8Array): string {
  return [...raw]
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/** gdb's enum display: the name, "(A | B)" for flag enums, else the number. */
export function enumText(es: Enumerator[], v: bigint): string {
  const exact = es.find((e) => e.value === v);
  if (exact) return exact.name;
  let mask = 0n;
  let flag = true;
  for (const e of es) {
    if (e.value < 0n || (mask & e.value) !== 0n) {
      flag = false;
      break;
    }
    mask |= e.value;
  }
  if (!flag || v < 0n) return String(v);
  const parts: string[] = [];
  let rest = v;
  for (const e of es)
    if (e.value !== 0n && (rest & e.value) === e.value) {
      parts.push(e.name);
      rest &= ~e.value;
    }
  if (rest !== 0n) parts.push(`unknown: 0x${rest.toString(16)}`);
  return parts.length ? `(${parts.join(' | ')})` : '0';
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' };

function charBody(c: number, quote: string): string {
  if (ESCAPES[c]) return ESCAPES[c]!;
  if (c === 92) return '\\\\';
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

export function charLiteral(c: number): string {
  return `'${charBody(c, "'")}'`;
}

function readCString(addr: bigint, opts: ValueOptions): string | undefined {
  const max = opts.maxString ?? 200;
  const chars: number[] = [];
  let truncated = true;
  // Read in small chunks so a string near the end of mapped memory still shows.
  for (let off = 0; off < max; off += 16) {
    const n = Math.min(16, max - off);
    let chunk = opts.readMemory(addr + BigInt(off), n);
    if (!chunk) {
      chunk = new Uint8Array(0);
      for (let i = 0; i < n; i++) {
        const b = opts.readMemory(addr + BigInt(off + i), 1);
        if (!b) break;
        chunk = new Uint8Array([...chunk, b[0]!]);
      }
      if (chunk.length === 0) {
        if (chars.length === 0) return off === 0 ? `<error: Cannot access memory at address 0x${addr.toString(16)}>` : undefined;
        truncated = false;
        break;
      }
    }
    let done = false;
    for (const b of chunk) {
      if (b === 0) {
        done = true;
        break;
      }
      chars.push(b);
    }
    if (done || chunk.length < n) {
      truncated = false;
      break;
    }
  }
  return `"${chars.map((c) => charBody(c, '"')).join('')}"${truncated ? '...' : ''}`;
}

function charArrayText(children: ValueNode[], truncated: boolean): string {
  const codes: number[] = [];
  for (const c of children) {
    const m = /^(-?\d+) /.exec(c.display);
    if (!m) return summary(children, false, truncated);
    codes.push(Number(m[1]) & 0xff);
  }
  // gdb drops one terminating NUL of a char array; runs of more than 10 equal characters collapse.
  if (!truncated && codes.length > 0 && codes[codes.length - 1] === 0) codes.pop();
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < codes.length; ) {
    let j = i;
    while (j < codes.length && codes[j] === codes[i]) j++;
    if (j - i > 10) {
      if (cur) parts.push(`"${cur}"`);
      cur = '';
      parts.push(`${charLiteral(codes[i]!)} <repeats ${j - i} times>`);
    } else for (let k = i; k < j; k++) cur += charBody(codes[k]!, '"');
    i = j;
  }
  if (cur || parts.length === 0) parts.push(`"${cur}"`);
  return parts.join(', ') + (truncated ? '...' : '');
}

function summary(children: ValueNode[], named: boolean, truncated = false): string {
  const parts: string[] = [];
  let len = 0;
  for (const c of children) {
    const s = named ? `${c.name} = ${c.display}` : c.display;
    parts.push(s);
    len += s.length + 2;
    if (len > 400) {
      parts.push('...');
      return `{${parts.join(', ')}}`;
    }
  }
  return `{${parts.join(', ')}${truncated ? '...' : ''}}`;
}

/** C's "%.{p}g" (gdb prints float with 9 significant digits, double with 17). */
export function formatG(x: number, p: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const e = x.toExponential(p - 1);
  const [mant, expText] = e.split('e') as [string, string];
  const exp = Number(expText);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) return `${trim(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, p - 1 - exp)));
}

function floatText(raw: Uint8Array, size: number, le: boolean): string {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (size === 4) return formatG(dv.getFloat32(0, le), 9);
  if (size === 8) return formatG(dv.getFloat64(0, le), 17);
  if ((size === 10 || size === 12 || size === 16) && raw.length >= 10) {
    // x87 extended precision: 64-bit mantissa with explicit integer bit, 15-bit exponent.
    const mant = dv.getBigUint64(0, true);
    const se = dv.getUint16(8, true);
    const sign = se & 0x8000 ? -1 : 1;
    const exp = se & 0x7fff;
    if (exp === 0x7fff) return mant << 1n === 0n ? (sign > 0 ? 'inf' : '-inf') : 'nan';
    const value = sign * Number(mant) * Math.pow(2, exp - 16383 - 63);
    return formatG(value, 18);
  }
  return `0x${toHex(raw)}`;
}
