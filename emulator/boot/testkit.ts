// Helpers for the boot-loader tests (pure: the tests read the fixture files themselves).

import { MULTIBOOT_HEADER_MAGIC } from './multiboot';
import type { BootPlan } from './plan';

/** The guest memory a plan describes: read bytes as the kernel would find them (0 elsewhere). */
export class PlanMemory {
  constructor(readonly plan: BootPlan) {}
  byte(addr: number): number {
    let v = 0;
    for (const z of this.plan.zero) if (addr >= z.addr && addr < z.addr + z.size) v = 0;
    for (const w of this.plan.writes) if (addr >= w.addr && addr < w.addr + w.bytes.length) v = w.bytes[addr - w.addr]!;
    return v;
  }
  bytes(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.byte(addr + i);
    return out;
  }
  u32(addr: number): number {
    return (this.byte(addr) | (this.byte(addr + 1) << 8) | (this.byte(addr + 2) << 16) | (this.byte(addr + 3) << 24)) >>> 0;
  }
  u64(addr: number): bigint {
    return (BigInt(this.u32(addr + 4)) << 32n) | BigInt(this.u32(addr));
  }
  cstring(addr: number, max = 4096): string {
    let s = '';
    for (let i = 0; i < max; i++) {
      const b = this.byte(addr + i);
      if (b === 0) break;
      s += String.fromCharCode(b);
    }
    return s;
  }
}

/** Deterministic PRNG (mulberry32): a function returning integers in [0, n). */
export function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export function getU32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}
export function setU32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}
export function setU64(b: Uint8Array, off: number, v: bigint): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(off, BigInt.asUintN(64, v), true);
}
export function setU16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(off, v, true);
}

/** Set a multiboot header's flags and fix its checksum. */
export function setMultibootFlags(b: Uint8Array, headerOffset: number, flags: number): void {
  setU32(b, headerOffset + 4, flags);
  setU32(b, headerOffset + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

/**
 * One random mutation of a file, biased toward its headers: flip bytes, overwrite a 16/32/64-bit
 * field with an edge value, or truncate.
 */
export function mutate(src: Uint8Array, next: (n: number) => number, hot: number[]): Uint8Array {
  const kind = next(10);
  if (kind === 0) return src.slice(0, next(src.length + 1));
  const b = src.slice();
  const pos = () => {
    if (hot.length && next(4) !== 0) {
      const h = hot[next(hot.length)]!;
      return Math.max(0, Math.min(b.length - 1, h + next(64)));
    }
    return next(b.length);
  };
  const edges = [0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, b.length, b.length - 1, 0x1000, 0x100000];
  const n = 1 + next(4);
  for (let i = 0; i < n; i++) {
    const p = pos();
    if (kind < 5) b[p] = next(256);
    else if (kind < 8) {
      if (p + 4 <= b.length) setU32(b, p, edges[next(edges.length)]!);
    } else if (kind === 8) {
      if (p + 2 <= b.length) setU16(b, p, [0, 1, 0xffff, 0xff00, 0xfff1, next(65536)][next(6)]!);
    } else if (p + 8 <= b.length) setU64(b, p, [0n, -1n, 1n << 63n, BigInt(b.length), 0xffffffff80000000n][next(5)]!);
  }
  return b;
}
