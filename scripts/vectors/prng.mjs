// The per-case background state of a test vector, derived from the case's 32-bit seed.
// harness.c (the data region) and test/vectors.test.ts (data region and registers) implement the
// same generator; a fixture's `P` line records check values so a divergence is caught.

export const DATA_BASE = 0x100000;
export const DATA_SIZE = 0x1000;
export const CODE_BASE = 0x200000;
/** The native harness maps code from here to CODE_END; landing pads must fit inside. */
export const CODE_MAP = 0x1ff000;
export const CODE_END = 0x202000;
/** Bytes of one landing pad (see put_pad in harness.c). */
export const PAD_SIZE = 30;

export const REGS = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
];

/** mulberry32: a 32-bit generator that is easy to write identically in C, JS and TS. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * The background of a case: the data region (1024 little-endian words) and then the 16 registers
 * (low word, high word), all from one mulberry32 stream seeded with the case's seed.
 */
export function background(seed) {
  const next = mulberry32(seed);
  const data = new Uint8Array(DATA_SIZE);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < DATA_SIZE; i += 4) dv.setUint32(i, next(), true);
  const regs = [];
  for (let i = 0; i < 16; i++) {
    const lo = BigInt(next());
    const hi = BigInt(next());
    regs.push((hi << 32n) | lo);
  }
  return { data, regs };
}

/** FNV-1a, 32 bits. */
export function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h >>> 0;
}
