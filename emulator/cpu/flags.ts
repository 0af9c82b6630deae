// Lazy arithmetic flags. An ALU instruction records what it did in `lf` (an Int32Array owned by
// the Cpu) instead of computing CF PF AF ZF SF OF; they are computed only when read.
//
//   lf[K]  kind = (LazyOp << 2) | log2(size in bytes); 0 means "no record: the six arithmetic
//          flags are in cpu.flagsReg"
//   lf[A], lf[B], lf[R]   operands and result: 8/16-bit values masked to their size (unsigned),
//          32-bit values as int32, and for 64-bit the low halves (as int32)
//   lf[AH], lf[BH], lf[RH]  high halves for 64-bit
//   lf[X]  auxiliary: the preserved CF for INC/DEC; for MUL-like and SHIFT-like kinds the
//          eagerly computed CF|OF bits (see LazyOp)
//
// ADC/SBB with carry-in 0 are recorded as ADD/SUB; with carry-in 1 as ADC/SBB.

export const K = 0, A = 1, B = 2, R = 3, AH = 4, BH = 5, RH = 6, X = 7;

export const enum LazyOp {
  None = 0,
  Add = 1,
  Adc = 2, // carry-in was 1
  Sub = 3,
  Sbb = 4, // carry-in was 1
  Logic = 5, // AND OR XOR TEST: CF=OF=AF=0
  Inc = 6, // A + 1, CF in X
  Dec = 7, // A - 1, CF in X
  /** SF ZF PF from R; CF and OF given in X (bits 0 and 11); AF=0. (MUL, IMUL, shifts...) */
  Res = 8,
}

export const CF = 1, PF = 4, AF = 16, ZF = 64, SF = 128, OF = 2048;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** PARITY[b] = PF when the byte has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = 0;
  for (let b = i; b; b >>= 1) n += b & 1;
  PARITY[i] = n & 1 ? 0 : PF;
}

/** Kind number for an op and an operand size in bytes. */
export function kind(op: LazyOp, size: number): number {
  return (op << 2) | (size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3);
}

/** Unsigned a < b for 64-bit values given as int32 halves. */
function ltu64(ah: number, al: number, bh: number, bl: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah >>> 0 < bh >>> 0;
}

/** Carry flag (0/1) of a record (kind != 0). */
export function lazyCF(lf: Int32Array): number {
  const k = lf[K]!;
  const op = k >> 2;
  const s = k & 3;
  switch (op) {
    case LazyOp.Add:
      if (s === 3) return ltu64(lf[RH]!, lf[R]!, lf[AH]!, lf[A]!) ? 1 : 0;
      return lf[R]! >>> 0 < lf[A]! >>> 0 ? 1 : 0;
    case LazyOp.Adc:
      if (s === 3) return ltu64(lf[AH]!, lf[A]!, lf[RH]!, lf[R]!) ? 0 : 1; // res <= a
      return lf[R]! >>> 0 <= lf[A]! >>> 0 ? 1 : 0;
    case LazyOp.Sub:
      if (s === 3) return ltu64(lf[AH]!, lf[A]!, lf[BH]!, lf[B]!) ? 1 : 0;
      return lf[A]! >>> 0 < lf[B]! >>> 0 ? 1 : 0;
    case LazyOp.Sbb:
      if (s === 3) return ltu64(lf[BH]!, lf[B]!, lf[AH]!, lf[A]!) ? 0 : 1; // a <= b
      return lf[A]! >>> 0 <= lf[B]! >>> 0 ? 1 : 0;
    case LazyOp.Logic:
      return 0;
    case LazyOp.Inc:
    case LazyOp.Dec:
      return lf[X]! & 1;
    default:
      return lf[X]! & 1;
  }
}

/** Sign bit (0/1) of the recorded result. */
function sign(lf: Int32Array, s: number): number {
  switch (s) {
    case 0:
      return (lf[R]! >> 7) & 1;
    case 1:
      return (lf[R]! >> 15) & 1;
    case 2:
      return lf[R]! >>> 31;
    default:
      return lf[RH]! >>> 31;
  }
}

function zero(lf: Int32Array, s: number): boolean {
  return s === 3 ? (lf[R]! | lf[RH]!) === 0 : lf[R]! === 0;
}

/** Overflow flag (0/1). */
export function lazyOF(lf: Int32Array): number {
  const k = lf[K]!;
  const op = k >> 2;
  const s = k & 3;
  const sh = s === 0 ? 7 : s === 1 ? 15 : 31;
  const a = s === 3 ? lf[AH]! : lf[A]!;
  const b = s === 3 ? lf[BH]! : lf[B]!;
  const r = s === 3 ? lf[RH]! : lf[R]!;
  switch (op) {
    case LazyOp.Add:
    case LazyOp.Adc:
      return (((a ^ r) & (b ^ r)) >>> sh) & 1;
    case LazyOp.Sub:
    case LazyOp.Sbb:
      return (((a ^ b) & (a ^ r)) >>> sh) & 1;
    case LazyOp.Inc:
      // overflow when the result is the most negative value
      return (((~a & r) >>> sh) & 1);
    case LazyOp.Dec:
      return (((a & ~r) >>> sh) & 1);
    case LazyOp.Logic:
      return 0;
    default:
      return (lf[X]! >> 11) & 1;
  }
}

/** The six arithmetic flags of a record (kind != 0), as RFLAGS bits. */
export function lazyFlags(lf: Int32Array): number {
  const k = lf[K]!;
  const op = k >> 2;
  const s = k & 3;
  let f = PARITY[lf[R]! & 0xff]!;
  if (zero(lf, s)) f |= ZF;
  if (sign(lf, s)) f |= SF;
  if (op === LazyOp.Logic) return f;
  if (op === LazyOp.Res) return f | (lf[X]! & (CF | OF | AF));
  f |= lazyCF(lf) | (lazyOF(lf) << 11);
  f |= (lf[A]! ^ lf[B]! ^ lf[R]!) & AF;
  return f;
}

/** Evaluates condition code `cc` (0..15, the Jcc encoding) from flags `f`. */
export function condFromFlags(f: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = (f & OF) !== 0;
      break;
    case 1:
      r = (f & CF) !== 0;
      break;
    case 2:
      r = (f & ZF) !== 0;
      break;
    case 3:
      r = (f & (CF | ZF)) !== 0;
      break;
    case 4:
      r = (f & SF) !== 0;
      break;
    case 5:
      r = (f & PF) !== 0;
      break;
    case 6:
      r = ((f >> 7) & 1) !== ((f >> 11) & 1);
      break;
    default:
      r = (f & ZF) !== 0 || ((f >> 7) & 1) !== ((f >> 11) & 1);
      break;
  }
  return (cc & 1) === 0 ? r : !r;
}

/**
 * Condition `cc` from the lazy record, with fast paths for SUB (CMP) and LOGIC (TEST) records.
 * `flagsReg` supplies the flags when there is no record.
 */
export function cond(lf: Int32Array, flagsReg: number, cc: number): boolean {
  const k = lf[K]!;
  if (k === ((LazyOp.Sub << 2) | 2)) {
    const a = lf[A]!,
      b = lf[B]!;
    switch (cc) {
      case 2: return a >>> 0 < b >>> 0;
      case 3: return a >>> 0 >= b >>> 0;
      case 4: return a === b;
      case 5: return a !== b;
      case 6: return a >>> 0 <= b >>> 0;
      case 7: return a >>> 0 > b >>> 0;
      case 12: return a < b;
      case 13: return a >= b;
      case 14: return a <= b;
      case 15: return a > b;
    }
  } else if (k === ((LazyOp.Sub << 2) | 3)) {
    const ah = lf[AH]!, bh = lf[BH]!;
    const al = lf[A]! >>> 0, bl = lf[B]! >>> 0;
    switch (cc) {
      case 2: return ah === bh ? al < bl : ah >>> 0 < bh >>> 0;
      case 3: return ah === bh ? al >= bl : ah >>> 0 > bh >>> 0;
      case 4: return ah === bh && al === bl;
      case 5: return ah !== bh || al !== bl;
      case 6: return ah === bh ? al <= bl : ah >>> 0 < bh >>> 0;
      case 7: return ah === bh ? al > bl : ah >>> 0 > bh >>> 0;
      case 12: return ah === bh ? al < bl : ah < bh;
      case 13: return ah === bh ? al >= bl : ah > bh;
      case 14: return ah === bh ? al <= bl : ah < bh;
      case 15: return ah === bh ? al > bl : ah > bh;
    }
  } else if (k === 0) {
    return condFromFlags(flagsReg, cc);
  }
  // Any record: ZF and SF come from the result alone.
  const s = k & 3;
  switch (cc) {
    case 4: return zero(lf, s);
    case 5: return !zero(lf, s);
    case 8: return sign(lf, s) !== 0;
    case 9: return sign(lf, s) === 0;
  }
  if (k >> 2 === LazyOp.Logic) {
    switch (cc) {
      case 2: return false; // CF=0
      case 3: return true;
      case 0: return false; // OF=0
      case 1: return true;
      case 6: return zero(lf, s);
      case 7: return !zero(lf, s);
      case 12: return sign(lf, s) !== 0; // SF != OF with OF=0
      case 13: return sign(lf, s) === 0;
      case 14: return zero(lf, s) || sign(lf, s) !== 0;
      case 15: return !zero(lf, s) && sign(lf, s) === 0;
    }
  }
  return condFromFlags(lazyFlags(lf), cc);
}

// ---- per-condition evaluators (each its own function so the hot checks inline) -------------

const SUB32 = (LazyOp.Sub << 2) | 2;
const SUB64 = (LazyOp.Sub << 2) | 3;
const isLogic = (k: number): boolean => k >> 2 === LazyOp.Logic;
const cfOf = (lf: Int32Array, f: number): number => (lf[K] === 0 ? f & CF : lazyCF(lf));
const ofOf = (lf: Int32Array, f: number): number => (lf[K] === 0 ? (f >> 11) & 1 : lazyOF(lf));
const zfOf = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  return k === 0 ? (f & ZF) !== 0 : zero(lf, k & 3);
};
const sfOf = (lf: Int32Array, f: number): number => {
  const k = lf[K]!;
  return k === 0 ? (f >> 7) & 1 : sign(lf, k & 3);
};
function ltu64h(lf: Int32Array): boolean {
  const ah = lf[AH]!, bh = lf[BH]!;
  return ah === bh ? lf[A]! >>> 0 < lf[B]! >>> 0 : ah >>> 0 < bh >>> 0;
}
function lts64h(lf: Int32Array): boolean {
  const ah = lf[AH]!, bh = lf[BH]!;
  return ah === bh ? lf[A]! >>> 0 < lf[B]! >>> 0 : ah < bh;
}
function eq64h(lf: Int32Array): boolean {
  return lf[AH] === lf[BH] && lf[A] === lf[B];
}

export const condO = (lf: Int32Array, f: number): boolean => ofOf(lf, f) !== 0;
export const condNO = (lf: Int32Array, f: number): boolean => ofOf(lf, f) === 0;
export const condB = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  if (k === SUB32) return lf[A]! >>> 0 < lf[B]! >>> 0;
  if (k === SUB64) return ltu64h(lf);
  return cfOf(lf, f) !== 0;
};
export const condAE = (lf: Int32Array, f: number): boolean => !condB(lf, f);
export const condE = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  if (k === SUB32) return lf[A] === lf[B];
  return zfOf(lf, f);
};
export const condNE = (lf: Int32Array, f: number): boolean => !condE(lf, f);
export const condBE = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  if (k === SUB32) return lf[A]! >>> 0 <= lf[B]! >>> 0;
  if (k === SUB64) return ltu64h(lf) || eq64h(lf);
  return zfOf(lf, f) || cfOf(lf, f) !== 0;
};
export const condA = (lf: Int32Array, f: number): boolean => !condBE(lf, f);
export const condS = (lf: Int32Array, f: number): boolean => sfOf(lf, f) !== 0;
export const condNS = (lf: Int32Array, f: number): boolean => sfOf(lf, f) === 0;
export const condP = (lf: Int32Array, f: number): boolean =>
  lf[K] === 0 ? (f & PF) !== 0 : PARITY[lf[R]! & 0xff] !== 0;
export const condNP = (lf: Int32Array, f: number): boolean => !condP(lf, f);
export const condL = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  if (k === SUB32) return lf[A]! < lf[B]!;
  if (k === SUB64) return lts64h(lf);
  if (isLogic(k)) return sign(lf, k & 3) !== 0;
  return sfOf(lf, f) !== ofOf(lf, f);
};
export const condGE = (lf: Int32Array, f: number): boolean => !condL(lf, f);
export const condLE = (lf: Int32Array, f: number): boolean => {
  const k = lf[K]!;
  if (k === SUB32) return lf[A]! <= lf[B]!;
  if (k === SUB64) return lts64h(lf) || eq64h(lf);
  if (isLogic(k)) return sign(lf, k & 3) !== 0 || zero(lf, k & 3);
  return zfOf(lf, f) || sfOf(lf, f) !== ofOf(lf, f);
};
export const condG = (lf: Int32Array, f: number): boolean => !condLE(lf, f);

/** The evaluators in Jcc encoding order. */
export const CONDS = [condO, condNO, condB, condAE, condE, condNE, condBE, condA, condS, condNS, condP, condNP, condL, condGE, condLE, condG];
