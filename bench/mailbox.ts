// The benchmark workload's interface (mirrors bench/guest/workload.h): addresses, the mailbox the
// host and the guest share, the kernels and their iteration counts. No Node APIs, no emulator.

import expected from './guest/expected.json';

export const LOAD_ADDR = 0x100000;
export const MAILBOX_ADDR = 0x80000;
/** The stack grows down from just below the mailbox. */
export const STACK_TOP = MAILBOX_ADDR;
export const MEMORY_BYTES = 16 << 20;

export const MAGIC_IN = 0x4e49584f424c494dn;
export const MAGIC_DONE = 0x454e4f44484e4542n;

export const K_SIEVE = 0;
export const K_CRC = 1;
export const K_SORT = 2;
export const K_MEM = 3;
export const K_HASH = 4;
export const K_COUNT = 5;
export const KERNEL_NAMES = ['sieve', 'crc32', 'sort', 'memcpy', 'hash'] as const;

/** Mailbox byte offsets. */
const OFF_MAGIC = 0;
const OFF_ITERS = 8;
const OFF_VALUE = 40;
const OFF_CHECKSUM = 72;
const OFF_ERRORS = 104;
export const MAILBOX_BYTES = 112;

export interface Recorded {
  iters: readonly number[];
  value: readonly number[];
  checksum: readonly number[];
}

/**
 * Iteration counts (set in scripts/bench/build-guest.sh) with the values and checksums the native
 * build of the same C computed for them. bench: about 60 million instructions per kernel, 300
 * million in all; test: a few million; demo: sieve and CRC-32, about 50 million.
 */
export const RECORDED: { bench: Recorded; test: Recorded; demo: Recorded } = expected;
export const BENCH_ITERS = RECORDED.bench.iters;
export const TEST_ITERS = RECORDED.test.iters;

export type Layout = 'separate' | 'samepage';
export const LAYOUTS: readonly Layout[] = ['separate', 'samepage'];

export interface WorkloadResult {
  /** The guest reached the end of workload_main (it wrote the done magic). */
  done: boolean;
  /** Failed self-checks inside the guest. */
  errors: number;
  value: number[];
  checksum: number[];
}

export function mailboxBytes(iters: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(MAILBOX_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(OFF_MAGIC, MAGIC_IN, true);
  for (let k = 0; k < K_COUNT; k++) view.setUint32(OFF_ITERS + 4 * k, iters[k] ?? 0, true);
  return bytes;
}

export function parseMailbox(bytes: Uint8Array): WorkloadResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value: number[] = [];
  const checksum: number[] = [];
  for (let k = 0; k < K_COUNT; k++) {
    value.push(view.getUint32(OFF_VALUE + 4 * k, true));
    checksum.push(view.getUint32(OFF_CHECKSUM + 4 * k, true));
  }
  return {
    done: view.getBigUint64(OFF_MAGIC, true) === MAGIC_DONE,
    errors: view.getUint32(OFF_ERRORS, true),
    value,
    checksum,
  };
}

/** Differences between two results for the kernels that ran, as readable lines (empty = equal). */
export function compareResults(
  what: string,
  got: WorkloadResult,
  want: { value: readonly number[]; checksum: readonly number[] },
  iters: readonly number[],
): string[] {
  const out: string[] = [];
  if (!got.done) out.push(`${what}: the workload did not finish`);
  if (got.errors !== 0) out.push(`${what}: ${got.errors} failed self-check(s) inside the guest`);
  for (let k = 0; k < K_COUNT; k++) {
    if (!((iters[k] ?? 0) > 0)) continue;
    if (got.value[k] !== want.value[k] || got.checksum[k] !== want.checksum[k]) {
      out.push(
        `${what}: ${KERNEL_NAMES[k]}: value ${got.value[k]} checksum ${got.checksum[k]}, ` +
          `expected value ${want.value[k]} checksum ${want.checksum[k]}`,
      );
    }
  }
  return out;
}

/** The iteration counts with only kernel k running. */
export function only(k: number, iters: readonly number[]): number[] {
  return iters.map((n, i) => (i === k ? n : 0));
}
