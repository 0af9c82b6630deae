// A decoded instruction: what the decoder produces from bytes and the emulator, formatter and
// debugger read. Decoded once and cached by the emulator, so its fields favour fast reading.

import type { Form } from './form';

/** Prefix bits in Instr.prefixes. */
export const enum Prefix {
  LOCK = 1 << 0,
  REP = 1 << 1, // F3
  REPNE = 1 << 2, // F2
  OPSIZE = 1 << 3, // 66
  ADDRSIZE = 1 << 4, // 67
  REX = 1 << 5, // a REX prefix was present (changes r8 registers 4-7 to SPL..DIL)
  SEG = 1 << 6, // a segment override was present (Instr.segment says which)
}

/** Segment register numbers (the order of the Sreg encoding). */
export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

/** Register numbers for Instr.base when the base is RIP, and for "none". */
export const REG_NONE = -1;
export const REG_RIP = 16;

/**
 * 8-bit register numbering in Instr.reg / Instr.rm for r8 and r/m8 operands:
 * 0-15 are AL, CL, DL, BL, SPL, BPL, SIL, DIL, R8B..R15B; 16-19 are AH, CH, DH, BH (only
 * without REX). Other sizes use 0-15.
 */
export const REG8_AH = 16;

export interface Instr {
  /** The form (row of the table), or null when `invalid` is set. */
  form: Form | null;
  /** Index of the form in FORMS, or -1 when invalid. */
  formIndex: number;
  /** Length in bytes, prefixes included (for invalid input: bytes consumed so far, at least 1). */
  length: number;
  /** Effective operand size in bytes: 1, 2, 4 or 8. */
  opSize: number;
  /** Effective address size in bytes: 2, 4 or 8. */
  addrSize: number;
  /** Prefix bits (see Prefix). */
  prefixes: number;
  /** Segment for the memory operand: the override if any, else SS for RSP/RBP-based, else DS. */
  segment: number;
  /** The REX byte (0 when absent). */
  rex: number;
  /** The ModRM byte, or -1. */
  modrm: number;
  /** Register operand from ModRM.reg, or from the opcode's low bits for +r forms (see REG8_AH). */
  reg: number;
  /** ModRM.rm register when mod == 3, else -1. */
  rm: number;
  /** True when the instruction has a memory operand (ModRM memory or moffs). */
  hasMem: boolean;
  /** Memory operand: base register 0-15, REG_RIP, or REG_NONE. */
  base: number;
  /** Memory operand: index register 0-15, or REG_NONE. */
  index: number;
  /** Memory operand: log2 of the scale (0..3). */
  scale: number;
  /** Memory operand: displacement, low 32 bits as a signed int32 (sign-extended from disp8). */
  disp: number;
  /** Memory operand: high 32 bits of the displacement (moffs64 only; else the sign of disp). */
  dispHi: number;
  /** First immediate or relative offset, low 32 bits, sign-extended to int32 where the form says so. */
  imm: number;
  /** High 32 bits of the first immediate (imm64), else the sign extension of imm. */
  immHi: number;
  /** Second immediate (ENTER's level, far pointer's selector). */
  imm2: number;
  /** Why the bytes do not form a valid instruction in this mode, or '' when valid. */
  invalid: string;
}
