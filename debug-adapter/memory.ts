// Guest memory as the debugger sees it: linear addresses (bigint, through the current page tables,
// without faults or accessed/dirty updates), one translation per page, RAM only (the debugger
// never touches device memory: MMIO reads have side effects).

import type { Cpu } from '../emulator/cpu/cpu';

const CANON = 2 ** 47;

/** The canonical number for a 64-bit linear address, or null when it is not canonical. */
export function linearNumber(addr: bigint): number | null {
  const a = Number(BigInt.asIntN(64, addr));
  return a >= -CANON && a < CANON ? a : null;
}

/** The physical address of a linear one when it is mapped to RAM, else null. */
export function translate(cpu: Cpu, addr: bigint): number | null {
  const a = linearNumber(addr);
  if (a === null) return null;
  const p = cpu.peekTranslate(a);
  return p !== null && p >= 0 && p < cpu.ramSize ? p : null;
}

/** Reads up to `n` bytes; `readable` is how many from the start could be read (the rest are 0). */
export function readBytes(cpu: Cpu, addr: bigint, n: number): { data: Uint8Array; readable: number } {
  const data = new Uint8Array(n);
  let done = 0;
  while (done < n) {
    const a = BigInt.asUintN(64, addr + BigInt(done));
    const p = translate(cpu, a);
    if (p === null) break;
    const inPage = 4096 - Number(a & 0xfffn);
    const k = Math.min(inPage, n - done, cpu.ramSize - p);
    data.set(cpu.u8.subarray(p, p + k), done);
    done += k;
  }
  return { data, readable: done };
}

/** Writes bytes while they are mapped to RAM; returns how many were written. */
export function writeBytes(cpu: Cpu, addr: bigint, bytes: Uint8Array): number {
  let done = 0;
  while (done < bytes.length) {
    const a = BigInt.asUintN(64, addr + BigInt(done));
    const p = translate(cpu, a);
    if (p === null) break;
    const inPage = 4096 - Number(a & 0xfffn);
    const k = Math.min(inPage, bytes.length - done, cpu.ramSize - p);
    // physWrite drops cached decoded instructions the bytes overlap.
    cpu.writePhys(BigInt(p), bytes.subarray(done, done + k));
    done += k;
  }
  return done;
}

/** Little-endian integer of `size` bytes, or undefined when not all are readable. */
export function readInt(cpu: Cpu, addr: bigint, size: number): bigint | undefined {
  const { data, readable } = readBytes(cpu, addr, size);
  if (readable < size) return undefined;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[i]!);
  return v;
}

export function writeInt(cpu: Cpu, addr: bigint, size: number, value: bigint): boolean {
  const b = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (readBytes(cpu, addr, size).readable < size) return false;
  return writeBytes(cpu, addr, b) === size;
}

/** `0x` + 16 hex digits (64-bit addresses in DAP). */
export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** `0x` + minimal hex. */
export function hex(v: bigint | number): string {
  return '0x' + (typeof v === 'number' ? v : BigInt.asUintN(64, v)).toString(16);
}

/** A memory reference or address text (`0x...`, decimal) -> address, or undefined. */
export function parseAddress(ref: unknown): bigint | undefined {
  if (typeof ref !== 'string') return undefined;
  const s = ref.trim();
  if (!/^(0x[0-9a-f]{1,16}|\d{1,20})$/i.test(s)) return undefined;
  const v = BigInt(s);
  return v > (1n << 64n) - 1n ? undefined : v;
}
