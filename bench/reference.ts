// A straightforward TypeScript reimplementation of the benchmark kernels in bench/guest/workload.c.
// It computes the same values and checksums as the guest (and the native build of it), so the
// emulator's results can be checked without a C compiler. Written for clarity, not speed: it does
// not mirror the guest's instruction path, only its results (the sort, for instance, uses
// Array.prototype.sort: a sorted array is a sorted array).

import { K_COUNT, K_CRC, K_HASH, K_MEM, K_SIEVE, K_SORT, type WorkloadResult } from './mailbox';

const FNV_BASIS = 0x811c9dc5;

function mix(h: number, v: number): number {
  return Math.imul((h ^ v) >>> 0, 0x01000193) >>> 0;
}

function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Primes below `limit` (even, <= 32768), by a plain sieve. */
function primesBelow(limit: number): number {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let n = 2; n < limit; n++) {
    if (composite[n]) continue;
    count++;
    for (let m = n * n; m < limit; m += n) composite[m] = 1;
  }
  return count;
}

function sieve(iters: number): [value: number, checksum: number] {
  let h = FNV_BASIS;
  let count = 0;
  const cache = new Map<number, number>();
  for (let it = 0; it < iters; it++) {
    const limit = 32768 - 2 * (it & 255);
    let c = cache.get(limit);
    if (c === undefined) cache.set(limit, (c = primesBelow(limit)));
    count = c;
    h = mix(h, count);
  }
  return [count, h];
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3) of bytes[0..n). */
export function crc32(bytes: Uint8Array, n = bytes.length): number {
  let c = 0xffffffff;
  for (let i = 0; i < n; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function crc(iters: number): [value: number, checksum: number] {
  const buf = new Uint8Array(1024);
  let h = FNV_BASIS;
  let x = 0x2545f491;
  let c1 = 0;
  for (let it = 0; it < iters; it++) {
    for (let i = 0; i < 1024; i += 4) {
      x = xorshift32(x);
      buf[i] = x;
      buf[i + 1] = x >>> 8;
      buf[i + 2] = x >>> 16;
      buf[i + 3] = x >>> 24;
    }
    c1 = crc32(buf, 1024 - (it & 15));
    h = mix(h, c1);
  }
  return [c1, h];
}

function sort(iters: number): [value: number, checksum: number] {
  const a = new Uint32Array(512);
  let h = FNV_BASIS;
  let x = 0x6c078965;
  for (let it = 0; it < iters; it++) {
    const mask = it & 1 ? 0x3ff : 0xffffffff;
    for (let i = 0; i < 512; i++) {
      x = xorshift32(x);
      a[i] = x & mask;
    }
    a.sort(); // typed-array sort is numeric
    let s = 0;
    for (let i = 0; i < 512; i++) s = (s + Math.imul(a[i]!, i + 1)) >>> 0;
    h = mix(h, s);
  }
  return [iters > 0 ? a[256]! : 0, h];
}

function mem(iters: number): [value: number, checksum: number] {
  const sb = new Uint8Array(1024);
  const db = new Uint8Array(1024);
  const src = new Uint32Array(sb.buffer); // qword i = src[2i] (low) | src[2i+1] (high): little-endian
  const dst = new Uint32Array(db.buffer);
  let h = FNV_BASIS;
  let x = 0x1b873593;
  let diff = 0;
  for (let it = 0; it < iters; it++) {
    for (let i = 0; i < 1024; i++) sb[i] = i * 7 + it;
    for (let i = 0; i < 128; i++) {
      x = xorshift32(x);
      src[2 * i] = (src[2 * i]! ^ x ^ 0x5bd1e995) >>> 0;
      src[2 * i + 1] = (src[2 * i + 1]! ^ x) >>> 0;
    }
    db.fill(it & 0xff);
    const n = 1000 - (it & 63);
    const so = it & 7;
    const d = it & 3;
    for (let i = 0; i < n; i++) db[i + d] = sb[i + so]!;
    db.set(sb.subarray(0, 512), 512);
    for (let i = 1023; i >= 5; i--) db[i] = db[i - 5]!;
    diff = 0;
    for (let i = 0; i < 1024; i++) if (sb[i] !== db[i]) diff++;
    const q = it & 127;
    for (let i = 96; i < 128; i++) {
      dst[2 * i] = src[2 * q]!;
      dst[2 * i + 1] = src[2 * q + 1]!;
    }
    for (let i = 0; i < 200; i++) db[301 + i] = sb[13 + i]!;
    h = mix(h, diff);
    for (let i = 0; i < 256; i++) h = mix(h, dst[i]!);
  }
  return [diff, h];
}

function hash(iters: number): [value: number, checksum: number] {
  const table = new Uint32Array(512);
  const slot = (key: number) => Math.imul(key, 0x9e3779b1) >>> 23;
  let h = FNV_BASIS;
  let x = 0x27d4eb2f;
  let hits = 0;
  for (let it = 0; it < iters; it++) {
    table.fill(0);
    const x0 = x;
    let inserted = 0;
    let probes = 0;
    for (let n = 0; n < 320; n++) {
      x = xorshift32(x);
      const key = (x | 1) >>> 0;
      let s = slot(key);
      while (table[s] !== 0 && table[s] !== key) {
        s = (s + 1) & 511;
        probes++;
      }
      if (table[s] === 0) {
        table[s] = key;
        inserted++;
      }
    }
    hits = 0;
    let y = x0;
    for (let n = 0; n < 320; n++) {
      y = xorshift32(y);
      for (const key of [(y | 1) >>> 0, (Math.imul(y, 0x85ebca6b) | 1) >>> 0]) {
        let s = slot(key);
        while (table[s] !== 0) {
          if (table[s] === key) {
            hits++;
            break;
          }
          s = (s + 1) & 511;
          probes++;
        }
      }
    }
    h = mix(h, inserted);
    h = mix(h, hits);
    h = mix(h, probes >>> 0);
  }
  return [hits, h];
}

const KERNELS: Record<number, (iters: number) => [number, number]> = {
  [K_SIEVE]: sieve,
  [K_CRC]: crc,
  [K_SORT]: sort,
  [K_MEM]: mem,
  [K_HASH]: hash,
};

/** What the guest leaves in its mailbox for these iteration counts (0 = kernel not run). */
export function referenceResult(iters: readonly number[]): WorkloadResult {
  const value: number[] = [];
  const checksum: number[] = [];
  for (let k = 0; k < K_COUNT; k++) {
    const n = iters[k] ?? 0;
    const [v, c] = n > 0 ? KERNELS[k]!(n) : [0, 0];
    value.push(v);
    checksum.push(c);
  }
  return { done: true, errors: 0, value, checksum };
}
