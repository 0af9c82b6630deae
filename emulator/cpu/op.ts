// A cached decoded instruction: the fields of the Instr the handlers read, copied into one
// fixed-shape class, plus the handler itself so dispatch is `op.exec(cpu, op)`.

import type { Instr } from '../../isa/instr';
import type { Cpu } from './cpu';

/** An instruction's semantics. Runs with cpu.ip already advanced past the instruction. */
export type Handler = (cpu: Cpu, op: Op) => void;

export class Op {
  /** The handler (resolved when the instruction is cached). */
  exec: Handler;
  /** Length in bytes. */
  len = 0;
  /** ModRM.reg or +r register (Instr.reg); 8-bit operands use REG8_AH numbering. */
  reg = 0;
  /** ModRM.rm register when mod == 3, else -1. */
  rm = -1;
  hasMem = false;
  /** Memory operand (see Instr). */
  base = -1;
  index = -1;
  scale = 0;
  /** The displacement as a number (disp sign-extended, or the full 64-bit moffs). */
  disp = 0;
  /** The displacement's 64-bit value as int32 halves (Instr.disp, Instr.dispHi). */
  dispLo = 0;
  dispHi = 0;
  /** First immediate: low int32 and high int32 (see Instr.imm). */
  imm = 0;
  immHi = 0;
  imm2 = 0;
  /** The memory operand is [base + disp] with 64-bit addressing and no FS/GS base. */
  eaSimple = false;
  /** Operand and address size in bytes. */
  opSize = 4;
  addrSize = 8;
  /** Segment of the memory operand (Seg). */
  segment = 3;
  prefixes = 0;
  formIndex = -1;
  /** Free for handlers: a per-form constant set at registration (condition code, ALU op...). */
  arg = 0;
  /** Index of the handler in the run loop's list of directly called handlers (0: none). */
  hot = 0;
  /** Bytes of code this cache entry depends on (len, or more for a fused pair). */
  span = 0;
  /** Fused pair (an ALU instruction followed by a Jcc): the ALU handler and the Jcc. */
  first: Handler | null = null;
  /** Index of `first` among the handlers fusedExec calls directly (0: none). */
  firstHot = 0;
  fused: Op | null = null;
  /** A wrapper (breakpoint stop, stack-switch hook): the instruction it wraps. */
  inner: Op | null = null;
  /** The decoded instruction (for tools; handlers read the fields above). */
  instr: Instr;

  constructor(exec: Handler, instr: Instr) {
    this.exec = exec;
    this.instr = instr;
  }
}
