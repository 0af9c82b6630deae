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
  /**
   * Length in bytes, prefixes included (for invalid input: bytes consumed so far, 1..15; 15 for
   * 'too long'; for 'truncated' the bytes available, so the caller can fetch more and retry).
   */
  length: number;
  /**
   * Effective operand size in bytes: 1, 2, 4 or 8. The form's own size when its row fixes one
   * (o16/o32/o64; 8 for d64/f64 forms in 64-bit mode; 1 for 8-bit forms such as ADD r/m8, r8 or
   * MOVSB); else the size the prefixes select (66, REX.W), a mandatory 66 not counting.
   */
  opSize: number;
  /** Effective address size in bytes: 2, 4 or 8 (67 toggles the mode's default). */
  addrSize: number;
  /**
   * Prefix bits (see Prefix): the prefixes present, a mandatory prefix included (POPCNT's F3 sets
   * REP). Of F2 and F3 only the last one counts and only its bit is set. REX is set only when
   * the REX byte immediately precedes the opcode (a REX followed by a legacy prefix is ignored).
   */
  prefixes: number;
  /**
   * Segment for the memory operand: the override if any (the last one), else SS when the base
   * is RSP/RBP (register 4 or 5: ESP/EBP, or BP in 16-bit addressing; not R12/R13), else DS.
   * In 64-bit mode an ES/CS/SS/DS override is still reported (its base is 0 there anyway).
   * For string instructions and XLAT it is the segment of the DS:rSI / DS:[rBX] operand (the
   * override, else DS); their ES:rDI operand is implied by the form and cannot be overridden.
   */
  segment: number;
  /** The REX byte (0 when absent). */
  rex: number;
  /** The ModRM byte, or -1. */
  modrm: number;
  /**
   * Register operand from ModRM.reg (REX.R applied; for Sreg 0-5 and no REX.R; CRn/DRn number),
   * or from the opcode's low bits for +r forms (REX.B applied), numbered per the operand's size
   * (see REG8_AH); -1 when the form has no such operand (`/digit` forms).
   */
  reg: number;
  /**
   * ModRM.rm register (REX.B applied, REG8_AH numbering for 8-bit operands) when mod == 3, else
   * -1. For MOV to/from CRn/DRn mod is ignored and rm is always the register.
   */
  rm: number;
  /** True when the instruction has a memory operand (ModRM memory or moffs). */
  hasMem: boolean;
  /**
   * Memory operand: base register 0-15, REG_RIP, or REG_NONE. REG_RIP means "relative to the
   * next instruction": the consumer adds the address of the next instruction (RIP + length),
   * truncated to 32 bits when addrSize is 4 (EIP-relative, 67 prefix in 64-bit mode).
   * 16-bit addressing (addrSize 2) uses the same fields: [bx+si] is base 3 (BX), index 6 (SI),
   * scale 0; [bp+di] base 5 index 7; [si] base 6; [di] base 7; [bp+disp] base 5; [bx] base 3;
   * the disp16-only form has base and index REG_NONE. The effective address wraps to addrSize.
   */
  base: number;
  /** Memory operand: index register 0-15 (index 4 without REX.X means none), or REG_NONE. */
  index: number;
  /** Memory operand: log2 of the scale (0..3). */
  scale: number;
  /**
   * Memory operand: displacement, low 32 bits as a signed int32 (sign-extended from disp8 and
   * disp16). For moffs: the low 32 bits of the absolute offset (a 16-bit moffs is zero-extended).
   */
  disp: number;
  /** Memory operand: high 32 bits of the displacement (moffs64 only; else the sign of disp). */
  dispHi: number;
  /**
   * First immediate or relative offset as an int32 bit pattern (imm | 0); (immHi, imm) together
   * are the 64-bit value:
   * - sign-extended immediates (Form.immSigned: arithmetic, MOV, PUSH, IMUL, TEST...): imm is
   *   the immediate sign-extended to 32 bits (83 /0 ib with 0xFF: imm = -1) and immHi its sign
   *   (0 or -1), so `imm32` of an o64 form is already the sign-extended 64-bit value;
   * - `io` (MOV r64, imm64): imm is the low 32 bits, immHi the high 32 bits;
   * - zero-extended immediates (shifts and BT* counts, IN/OUT ports, INT vector, ENTER's size,
   *   RET imm16, AAM/AAD base): imm is the unsigned value (0..65535), immHi 0;
   * - relative offsets (rel8/16/32): sign-extended like the first case; the target is the next
   *   instruction's address plus (immHi, imm), wrapped to the operand size;
   * - far pointers (ptr16:16, ptr16:32): imm is the offset (int32 bit pattern of the 32-bit
   *   offset, or the unsigned 16-bit offset) and immHi 0; imm2 the selector.
   * Consumers should mask to the operand size (imm & 0xFF for an 8-bit operand, and so on).
   */
  imm: number;
  /** High 32 bits of the first immediate's 64-bit value (see imm). */
  immHi: number;
  /** Second immediate, unsigned: ENTER's nesting level (imm8), a far pointer's selector. */
  imm2: number;
  /**
   * Why the bytes do not form a valid instruction in this mode, or '' when valid. The decoder's
   * reasons: 'undefined opcode' (no form, or no form with these prefixes / ModRM.reg digit),
   * 'not valid in 64-bit mode' / 'not valid in 32-bit mode', 'memory operand required' (mod = 3
   * on a memory-only form), 'register operand required', 'invalid operand size or address size',
   * 'LOCK prefix not allowed' (form not lockable, or no memory destination), 'invalid segment
   * register', 'MOV to CS', 'invalid control register', 'invalid debug register' (all #UD);
   * 'too long' (more than 15 bytes: #GP on hardware); 'truncated' (`avail` ran out: fetch more
   * bytes and decode again).
   */
  invalid: string;

  // Added by the decoder (documented here; the fields above keep their meaning).
  /** The SIB byte, or -1 (the formatter shows `riz` for a SIB with no index the way objdump does). */
  sib: number;
  /**
   * Bytes of displacement actually encoded: 0, 1, 2 or 4 for ModRM memory (a `[rax+0x0]` disp8 of
   * zero still counts), the address size (2, 4, 8) for moffs.
   */
  dispSize: number;
  /** The mode the bytes were decoded in: 64, 32 or 16 (the `bits` argument of decode). */
  bits: number;
}
