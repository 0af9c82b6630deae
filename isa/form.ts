// The shape of one row of the instruction table, after parsing: one encoding form.

/** Kinds of operand, one per notation of the manual's operand column. */
export const enum OpKind {
  /** A general register from ModRM.reg (r8/r16/r32/r64). */
  Reg = 1,
  /**
   * ModRM.rm: a register when mod == 3, else memory (r/m8..r/m64, and `r32/m16` mixes). Also the
   * general register of a `/digit` form (`RDFSBASE r64`, register only) and of MOV to/from
   * CRn/DRn, where the manual writes `r64` but the register is in ModRM.rm (mod is ignored there:
   * the decoder always reads a register).
   */
  RegMem,
  /**
   * ModRM.rm, memory only (m, m8.., m16&64, m16:64). In a form without ModRM (string
   * instructions, XLAT) the memory operand is implicit: DS:rSI / ES:rDI / DS:[rBX+AL].
   */
  Mem,
  /** Register in the low three bits of the opcode (+rb/+rw/+rd/+ro). */
  OpReg,
  /** Immediate (imm8/16/32/64). */
  Imm,
  /** Relative branch offset (rel8/16/32). */
  Rel,
  /** Absolute memory offset (moffs). */
  Moffs,
  /** Far pointer immediate (ptr16:16, ptr16:32). */
  FarPtr,
  /** A fixed register named in the notation (AL, AX, EAX, RAX, CL, DX, segment registers). */
  Fixed,
  /** Segment register from ModRM.reg (Sreg). */
  Sreg,
  /** Control register from ModRM.reg (CRn). */
  Cr,
  /** Debug register from ModRM.reg (DRn). */
  Dr,
  /** The constant 1 (shift-by-one forms). */
  One,
  /** A second immediate (ENTER's imm8 nesting level). */
  Imm2,
}

export interface Operand {
  kind: OpKind;
  /** Size in bytes of the operand as used (0 when not meaningful, as for `m` in LEA or INVLPG). */
  size: number;
  /** For memory operands of mixed notation (`r32/m16`): the size of a memory access. */
  memSize: number;
  /** For Fixed: the register number (0-15 GPR, or segment 0-5 with `seg: true`). */
  reg: number;
  /** For Fixed: true when it names a segment register. */
  seg: boolean;
  /** The notation as written in the manual: `r/m64`, `imm8`, `AL`. */
  text: string;
}

/** One encoding form: one row of the table. */
export interface Form {
  /** Index in FORMS. */
  index: number;
  /** Identifier, e.g. `Add_rm64_r64`. */
  id: string;
  /** Upper-case mnemonic as the manual writes it, e.g. `ADD`. */
  mnemonic: string;
  operands: Operand[];
  /** The encoding as written (`o64 01 /r`). */
  encoding: string;
  /** The instruction column as written (`ADD r/m64, r64`). */
  instruction: string;
  /** Operand size the form requires: 0 = none, 16, 32, 64. */
  opSize: 0 | 16 | 32 | 64;
  /** Operand-size rule in 64-bit mode: 'd64' default-64, 'f64' forced-64, '' otherwise. */
  size64: '' | 'd64' | 'f64';
  /** Address size the form requires: 0 = free, 16, 32, 64. */
  addrSize: 0 | 16 | 32 | 64;
  /** Mandatory prefix: 0 = none allowed checks off, 0x66, 0xF2, 0xF3, or -1 for NP. */
  mandatory: number;
  /** Opcode bytes, without prefixes (the ModRM byte included when the row spells it out). */
  opcode: number[];
  /** ModRM: -1 none, 8 = /r, 0..7 = /digit, 9 = /x (a ModRM byte whose reg field is ignored). */
  modrm: number;
  /** ModRM.mod restriction: 0 none, 1 memory only, 2 register only. */
  modRestrict: 0 | 1 | 2;
  /** Register in the opcode's low bits (+r forms). */
  opReg: boolean;
  /** Immediate bytes that follow, in order (e.g. [2, 1] for ENTER iw ib). */
  immSizes: number[];
  /** Valid in 64-bit mode / in 32-bit (compatibility and protected) mode. */
  mode64: boolean;
  mode32: boolean;
  /** Flag masks (RFLAGS bit positions): read, written (defined), undefined, cleared, set. */
  flagsRead: number;
  flagsWritten: number;
  flagsUndefined: number;
  flagsCleared: number;
  flagsSet: number;
  lock: boolean;
  rep: boolean;
  repe: boolean;
  cpl0: boolean;
  ioCheck: boolean;
  description: string;
  /** Identifier of the form this one is an encoding alias of (same operation), or ''. */
  aliasOf: string;

  // Added by the table parser (isa/table.ts); derived from the row, never written in it.
  /** The family (rows/<family>.ts) and the line of the row in that family's text. */
  family: string;
  line: number;
  /** The form has a moffs (`mo`): an address of the address size follows the opcode. */
  moffs: boolean;
  /**
   * The first immediate is sign-extended to the operand size (`ADD r/m64, imm8`, `PUSH imm8`,
   * `MOV r/m64, imm32`); false when it is an unsigned count, port, vector or size (shifts, BT*,
   * IN/OUT, INT, ENTER, RET imm16, AAM/AAD). False when the form has no Imm operand.
   */
  immSigned: boolean;
  /** A full ModRM byte (or fixed second byte, as D5 0A) written in the opcode, else -1. */
  fixedModrm: number;
  /** Opcode map: 0 one-byte, 1 = 0F, 2 = 0F 38, 3 = 0F 3A. */
  map: number;
  /**
   * Width in bytes of the data the form operates on, from its first data operand (1 for
   * `ADD r/m8, r8`, 4 for `ADD r/m32, r32`, from the suffix for MOVSB..MOVSQ-style mnemonics);
   * 0 when the notation does not fix it (`r16/r32/m16`, no operands).
   */
  dataSize: number;
}

/** RFLAGS bits. */
export const enum Flag {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  IOPL = 3 << 12,
  NT = 1 << 14,
  RF = 1 << 16,
  VM = 1 << 17,
  AC = 1 << 18,
  VIF = 1 << 19,
  VIP = 1 << 20,
  ID = 1 << 21,
}
