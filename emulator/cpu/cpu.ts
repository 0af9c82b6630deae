// The x86-64 CPU: architectural state, the run loop, exceptions, and the public API.
// See emulator/README.md for the API and for how to write an instruction handler.

import { decode } from '../../isa/decoder';
import { FORMS } from '../../isa/table';
import { REG_NONE, REG_RIP, type Instr } from '../../isa/instr';
import { OpKind, type Operand } from '../../isa/form';
import { Mmu, FAULT, Vec, Acc, CR0_PG, CR0_PE, CR0_WP, CR4_PAE, CR4_PGE, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE } from '../memory/mmu';
import { Op, type Handler } from './op';
import { lookup } from './registry';
import * as F from './flags';
import { deliverEvent, EXCEPTION, SOFTWARE, EXTERNAL } from './interrupt';
import './exec/index';
import { rr32, ri32, mr32, rmRev32, rr64, ri64, rmRev64, mr64, inc32r, dec32r } from './exec/alu';
import { take } from './exec/control';
import { writeCr, writeMsr, readMsrValue } from './exec/system';
import { movRR64, movRRRev64, movStore64, movLoad64, movStore32, movLoad32, movRR32, movRRRev32, movzx32_8r, movzx32_8m, movStore8, lea64 } from './exec/datamov';

export enum StopReason {
  /** Still runnable. */
  None = 0,
  /** HLT with nothing that could wake the CPU. */
  Hlt = 1,
  /** The instruction count given to run() was reached. */
  Limit = 2,
  /** An exception whose bit is set in interceptExceptions (see lastException). */
  Exception = 3,
  TripleFault = 4,
  /** About to execute an instruction at a debugger breakpoint address. */
  Breakpoint = 5,
  /** A device asked to stop the machine (cpu.requestStop). */
  IoExit = 6,
  /** An instruction accessed a watched range (addWatch); it has completed; see watchHits. */
  Watchpoint = 7,
}

export interface ExceptionInfo {
  vector: number;
  /** Error code, or -1 when the vector pushes none. */
  errorCode: number;
  /** The faulting linear address for #PF (what CR2 receives on delivery), else CR2. */
  cr2: bigint;
  /** RIP of the instruction (faults: the faulting instruction; INT3/INT n: the next one). */
  rip: bigint;
}

const TWO32 = 4294967296;
const CANON = 140737488355328; // 2^47
/** |high half| below this: a register's value as a double is exact and sums stay exact. */
const HUGE = 0x100000;

const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const REG8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
const REG8H = ['ah', 'ch', 'dh', 'bh'];
/** name -> [number (REG8_AH numbering for 8-bit), size] */
const REG_NAMES = new Map<string, [number, number]>();
for (let i = 0; i < 16; i++) {
  REG_NAMES.set(REG64[i]!, [i, 8]);
  REG_NAMES.set(i < 8 ? REG32[i]! : `r${i}d`, [i, 4]);
  REG_NAMES.set(i < 8 ? REG16[i]! : `r${i}w`, [i, 2]);
  REG_NAMES.set(i < 8 ? REG8[i]! : `r${i}b`, [i, 1]);
  if (i >= 8) REG_NAMES.set(`r${i}l`, [i, 1]);
}
for (let i = 0; i < 4; i++) REG_NAMES.set(REG8H[i]!, [16 + i, 1]);

/** Arithmetic flags plus the bits POPF may change in 64-bit mode at CPL 0. */
const FLAGS_FIXED1 = 0x2;

function unimplemented(cpu: Cpu): void {
  cpu.ud();
}
function invalidOp(cpu: Cpu): void {
  cpu.ud();
}

/** First halves of fusable pairs (instructions that never branch nor change translations). */
const FUSE_FIRST = new Set(['CMP', 'TEST', 'ADD', 'SUB', 'AND', 'OR', 'XOR', 'INC', 'DEC', 'ADC', 'SBB', 'NEG', 'BT', 'MOV', 'MOVZX', 'LEA']);
/** Second halves: conditional near branches of 64-bit mode. */
const FUSE_SECOND = /^J(o|no|b|ae|e|ne|be|a|s|ns|p|np|l|ge|le|g)_rel(8|32)_64$/;

/**
 * The debugger's code breakpoints (linear addresses). A Set<number>; adding an address makes the
 * CPU re-check the cached code of the page it is on, so the instruction there is fetched as a
 * breakpoint stop (see breakExec). Removing leaves the stop in place: it checks the set and runs
 * the instruction when its address is no longer in it.
 */
export class BreakpointSet extends Set<number> {
  /** Linear page -> the breakpoint addresses on it. */
  readonly pages = new Map<number, number[]>();
  /** Called when an address is added (the CPU drops its cached code-page translation). */
  onAdd: (() => void) | null = null;
  override add(a: number): this {
    if (super.has(a)) return this;
    super.add(a);
    const page = a - (a & 0xfff);
    const list = this.pages.get(page);
    if (list) list.push(a);
    else this.pages.set(page, [a]);
    if (this.onAdd !== null) this.onAdd();
    return this;
  }
  override delete(a: number): boolean {
    if (!super.delete(a)) return false;
    const page = a - (a & 0xfff);
    const list = this.pages.get(page)!;
    list.splice(list.indexOf(a), 1);
    if (list.length === 0) this.pages.delete(page);
    return true;
  }
  override clear(): void {
    super.clear();
    this.pages.clear();
  }
}

/**
 * An instruction at a breakpoint address: stops the run before it (RIP at it, instructionCount
 * unchanged) unless it is the first instruction of run() (resuming from a breakpoint) or the
 * address is no longer a breakpoint (or this is another linear alias of the physical page).
 */
function breakExec(cpu: Cpu, op: Op): void {
  const ip = cpu.opIp;
  if (cpu.instructionCount !== cpu.breakSkip && cpu.breakpoints.has(cpu.bits === 64 ? ip : (ip + cpu.segBase[1]!) >>> 0)) {
    cpu.ip = ip;
    cpu.instructionCount--; // the run loop counts it back
    cpu.requestStop(StopReason.Breakpoint);
    return;
  }
  const inner = op.inner!;
  inner.exec(cpu, inner);
}

/** An instruction that sets rSP explicitly while cpu.onStackSwitch is set: calls it afterwards. */
function stackExec(cpu: Cpu, op: Op): void {
  const old = cpu.rsp();
  const inner = op.inner!;
  inner.exec(cpu, inner);
  const h = cpu.stackHook;
  if (h !== null) h(cpu, old);
}

/** Instructions that load rSP beyond their implicit push/pop (see Cpu.onStackSwitch). */
const STACK_LOADERS = new Set(['LEAVE', 'ENTER', 'IRET', 'IRETD', 'IRETQ', 'RETF', 'SYSRET', 'SYSEXIT', 'LSS']);
/** Mnemonics whose first operand is not written. */
const NO_DEST = new Set(['CMP', 'TEST', 'PUSH', 'BT', 'JMP', 'CALL', 'VERR', 'VERW', 'LLDT', 'LTR', 'LMSW', 'OUT', 'OUTS', 'MUL', 'DIV', 'IDIV', 'INVLPG', 'CLFLUSH', 'PREFETCH', 'NOP']);

function operandReg(ins: Instr, o: Operand | undefined): number {
  if (o === undefined) return -1;
  switch (o.kind) {
    case OpKind.Reg:
    case OpKind.OpReg:
      return ins.reg;
    case OpKind.RegMem:
      return ins.hasMem ? -1 : ins.rm;
    case OpKind.Fixed:
      return o.reg;
    default:
      return -1;
  }
}

/** The instruction sets rSP other than by an implicit push/pop/call/ret adjustment. */
export function setsStackPointer(ins: Instr): boolean {
  const f = ins.form;
  if (f === null) return false;
  const m = f.mnemonic;
  if (STACK_LOADERS.has(m)) return true;
  if (NO_DEST.has(m) || (m === 'IMUL' && f.operands.length === 1)) return false;
  if (operandReg(ins, f.operands[0]) === 4) return true;
  return (m === 'XCHG' || m === 'XADD') && operandReg(ins, f.operands[1]) === 4;
}

/** A copy of `op` with its own identity (same shape). */
function cloneOp(op: Op): Op {
  return Object.assign(new Op(op.exec, op.instr), op);
}
/** `op` run through `exec` (a wrapper that calls op.inner). Keeps span for the code cache. */
function wrapOp(op: Op, exec: Handler): Op {
  const w = cloneOp(op);
  w.exec = exec;
  w.hot = 0;
  w.first = null;
  w.firstHot = 0;
  w.fused = null;
  w.inner = op;
  return w;
}

/** Runs a fused pair: the first instruction, then (unless the run must stop between them) the Jcc. */
function fusedExec(cpu: Cpu, op: Op): void {
  const gen = cpu.code.generation;
  switch (op.firstHot) {
    case 1: rr32(cpu, op); break;
    case 2: ri32(cpu, op); break;
    case 3: rr64(cpu, op); break;
    case 4: ri64(cpu, op); break;
    case 5: rmRev32(cpu, op); break;
    case 6: rmRev64(cpu, op); break;
    case 7: mr32(cpu, op); break;
    case 8: mr64(cpu, op); break;
    case 9: dec32r(cpu, op); break;
    case 10: inc32r(cpu, op); break;
    default: op.first!(cpu, op);
  }
  // Stop between the two when the run must (count, events, breakpoints), or when the first one
  // wrote to cached code (it may have changed the Jcc).
  if (cpu.instructionCount + 1 >= cpu.stopAt || cpu.code.generation !== gen) return;
  const j = op.fused!;
  const ip = cpu.ip;
  cpu.instructionCount++;
  cpu.opIp = ip;
  cpu.ip = ip + j.len;
  const lf = cpu.lf, f = cpu.flagsReg;
  let t: boolean;
  switch (j.arg) {
    case 0: t = F.condO(lf, f); break;
    case 1: t = F.condNO(lf, f); break;
    case 2: t = F.condB(lf, f); break;
    case 3: t = F.condAE(lf, f); break;
    case 4: t = F.condE(lf, f); break;
    case 5: t = F.condNE(lf, f); break;
    case 6: t = F.condBE(lf, f); break;
    case 7: t = F.condA(lf, f); break;
    case 8: t = F.condS(lf, f); break;
    case 9: t = F.condNS(lf, f); break;
    case 10: t = F.condP(lf, f); break;
    case 11: t = F.condNP(lf, f); break;
    case 12: t = F.condL(lf, f); break;
    case 13: t = F.condGE(lf, f); break;
    case 14: t = F.condLE(lf, f); break;
    default: t = F.condG(lf, f); break;
  }
  if (t) take(cpu, j);
}
/** First halves fusedExec calls directly: op.firstHot. */
const FIRST_HOT: Handler[] = [rr32, ri32, rr64, ri64, rmRev32, rmRev64, mr32, mr64, dec32r, inc32r];

/** Handlers the run loop calls directly (a monomorphic call TurboFan can inline): op.hot. */
const HOT: Handler[] = [fusedExec, rr32, ri32, mr32, rmRev32, rr64, ri64, rmRev64, mr64,
  movRR64, movRRRev64, movStore64, movLoad64, movStore32, movLoad32, movRR32, movRRRev32, movzx32_8r, movzx32_8m, movStore8, lea64, inc32r, dec32r];
function hotIndex(h: Handler): number {
  return HOT.indexOf(h) + 1;
}

/** Segment registers by name (setSegment/getSegment); 'ldtr' and 'tr' are the system ones. */
export type SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs' | 'ldtr' | 'tr';
/** A segment register: selector and hidden part (attributes in the segAttr format). */
export interface SegmentValue {
  selector: number;
  base: number;
  limit: number;
  attributes: number;
}
const SEG_INDEX: Record<string, number> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };
const VEC_NAMES = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', '', '#TS', '#NP', '#SS', '#GP', '#PF'];

export interface CpuOptions {
  /** RAM size in bytes (multiple of 4 KiB). */
  memoryBytes: number;
}

export class Cpu extends Mmu<Op> {
  // ---- architectural state -------------------------------------------------------------------
  /** General registers: regs[2*i] low half, regs[2*i+1] high half (int32 bit patterns). */
  readonly regs = new Int32Array(32);
  /** RIP as a canonical number. During a handler it is the address of the next instruction. */
  ip = 0;
  /** RFLAGS; the six arithmetic flags are valid only when lf[K] === 0 (see flags.ts). */
  flagsReg = FLAGS_FIXED1;
  /** The lazy-flags record (see flags.ts). */
  readonly lf = new Int32Array(8);

  /** Segment registers (Seg order ES CS SS DS FS GS): selector, base, limit, attributes. */
  readonly segSel = new Int32Array(6);
  readonly segBase = new Float64Array(6);
  readonly segLimit = new Float64Array(6);
  /** Descriptor bits 40..55 of the high dword >> 8: type(4) S DPL(2) P, limit 19:16, AVL L D/B G. */
  readonly segAttr = new Int32Array(6);
  gdtBase = 0;
  gdtLimit = 0;
  idtBase = 0;
  idtLimit = 0;
  ldtSel = 0;
  ldtBase = 0;
  ldtLimit = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  trAttr = 0;
  cr8 = 0;
  /** Debug registers DR0-DR7 (DR0-3 as numbers). */
  readonly dr = new Float64Array(8);
  /** MSRs without a dedicated field, by number (as bigint: only the system instructions use them). */
  readonly msrs = new Map<number, bigint>();
  kernelGsBase = 0;
  /** SYSCALL MSRs as numbers (exec/system.ts): STAR low and high dwords, LSTAR, CSTAR, FMASK. */
  readonly sysMsr = new Float64Array(5);
  /** Code size of the current mode: 64, 32 or 16 (decoding follows it). */
  bits: 64 | 32 | 16 = 64;

  // ---- run state -----------------------------------------------------------------------------
  /** Guest time: instructions retired since reset. */
  instructionCount = 0;
  /** Bit v set: exception vector v (< 32) stops the run before delivery. */
  interceptExceptions = 0;
  lastException: ExceptionInfo | null = null;
  /** Set when a handler threw a JavaScript error (an emulator bug); the guest saw #UD. */
  internalError: unknown = null;
  /** HLT executed; waiting for an interrupt. */
  halted = false;
  /** Guest time of the next device event (the run loop calls onEvent when it is reached). */
  eventAt = Infinity;
  /** Called at an instruction boundary once instructionCount >= eventAt. */
  onEvent: ((cpu: Cpu) => void) | null = null;
  /**
   * An external interrupt may be pending: at the next boundary with IF=1 (and no STI/MOV SS
   * shadow) the CPU calls acknowledgeInterrupt() and delivers the vector it returns (-1: none).
   */
  interruptPending = false;
  acknowledgeInterrupt: (() => number) | null = null;
  /** Port I/O for IN/OUT/INS/OUTS (exec/io.ts); null: reads all ones, writes dropped. */
  io: { in(port: number, size: number): number; out(port: number, size: number, value: number): void } | null = null;
  /** Called in deliverEvent before it commits (old CPL/RSP still in the Cpu); tssSlot 'IST1'.., 'RSP0'.., or ''. */
  onDeliver: ((vector: number, errorCode: number, kind: number, tssSlot: string, newCpl: number, newRsp: number) => void) | null = null;
  /** An NMI handler is running (set by whoever delivers the NMI; IRET must clear it). */
  nmiBlocked = false;
  /** Interrupts are inhibited at the boundary where instructionCount <= this (STI, MOV SS). */
  interruptShadow = -1;
  /**
   * Linear addresses where run() stops with StopReason.Breakpoint (before the instruction there;
   * the first instruction of a run is never stopped at, so resuming executes it). Zero cost for
   * the instructions elsewhere: the one at the address is cached as a stop (breakExec).
   */
  readonly breakpoints = new BreakpointSet();
  /** instructionCount at the start of run() (breakExec lets that instruction run); -1 after a fault. */
  breakSkip = -1;
  /** See onStackSwitch. */
  stackHook: ((cpu: Cpu, oldRsp: number) => void) | null = null;
  /**
   * Called after an instruction completes that set rSP other than by its implicit push/pop/call/ret
   * adjustment (explicit rSP destination: MOV, XCHG, LEA, ALU ops, POP rSP, CMOVcc...; LEAVE,
   * ENTER, LSS, IRET*, far RET, SYSRET, SYSEXIT) and after each event delivery; `oldRsp` is rSP
   * before it, cpu.opIp the instruction's address. Setting or clearing it flushes the code cache:
   * instructions are wrapped when cached, so it costs nothing while null.
   */
  get onStackSwitch(): ((cpu: Cpu, oldRsp: number) => void) | null {
    return this.stackHook;
  }
  set onStackSwitch(h: ((cpu: Cpu, oldRsp: number) => void) | null) {
    if ((h === null) !== (this.stackHook === null)) {
      this.code.flush();
      this.fetchLin = NaN;
    }
    this.stackHook = h;
  }

  /** Address of the instruction being executed (for precise faults and REP restarts). */
  opIp = 0;

  /** Instruction count at which an instruction started with TF=1 (-1: none pending). */
  private tfArmedAt = -1;
  /** RF was set for the instruction now executing: clear it at the next boundary. */
  private rfClear = false;
  /** The run loop leaves its fast path when instructionCount >= stopAt (internal). */
  stopAt = 0;
  private limitAt = 0;
  private stopRequest = StopReason.None;
  /** Cached translation of the current code page. */
  private fetchLin = NaN;
  private fetchOps: (Op | null)[] = [];
  private readonly scratch = new Uint8Array(32);
  private readonly handlersReg: Handler[] = [];
  private readonly handlersMem: Handler[] = [];
  private readonly handlerArgs: number[] = [];
  /** Pending software interrupt (INT n / INT3 / INTO) raised by a handler. */
  softVector = -1;
  /** The pending software interrupt is INT1 (ICEBP): no gate DPL check. */
  softIcebp = false;

  constructor(opts: CpuOptions) {
    super(opts.memoryBytes);
    for (const f of FORMS) {
      const e = lookup(f.id) ?? (f.aliasOf ? lookup(f.aliasOf) : undefined);
      this.handlersReg.push(e ? e.reg : unimplemented);
      this.handlersMem.push(e ? e.mem : unimplemented);
      this.handlerArgs.push(e ? e.arg : 0);
    }
    this.breakpoints.onAdd = () => {
      this.fetchLin = NaN;
    };
  }

  // ---- registers (for handlers) ----------------------------------------------------------------

  get8(r: number): number {
    return r < 16 ? this.regs[r << 1]! & 0xff : (this.regs[(r - 16) << 1]! >> 8) & 0xff;
  }
  set8(r: number, v: number): void {
    if (r < 16) this.regs[r << 1] = (this.regs[r << 1]! & ~0xff) | (v & 0xff);
    else {
      const i = (r - 16) << 1;
      this.regs[i] = (this.regs[i]! & ~0xff00) | ((v & 0xff) << 8);
    }
  }
  get16(r: number): number {
    return this.regs[r << 1]! & 0xffff;
  }
  set16(r: number, v: number): void {
    this.regs[r << 1] = (this.regs[r << 1]! & ~0xffff) | (v & 0xffff);
  }
  get32(r: number): number {
    return this.regs[r << 1]!;
  }
  /** Writes a 32-bit register (zero-extends into the high half, as the hardware does). */
  set32(r: number, v: number): void {
    this.regs[r << 1] = v;
    this.regs[(r << 1) + 1] = 0;
  }
  set64(r: number, lo: number, hi: number): void {
    this.regs[r << 1] = lo;
    this.regs[(r << 1) + 1] = hi;
  }
  /** A register's value as a number (exact only when |value| < 2^53). */
  getNum(r: number): number {
    return this.regs[(r << 1) + 1]! * TWO32 + (this.regs[r << 1]! >>> 0);
  }
  /** Writes a register from a number in [-2^63, 2^64) holding an integer (exact below 2^53). */
  setNum(r: number, v: number): void {
    const lo = v >>> 0; // ToUint32 is exact modular arithmetic on the integer value
    this.regs[r << 1] = lo | 0;
    this.regs[(r << 1) + 1] = ((v - lo) / TWO32) | 0;
  }
  /** Reads a register of `size` bytes (8: low half, high half in this.hi). */
  getReg8to64(r: number, size: number): number {
    if (size === 4) return this.regs[r << 1]!;
    if (size === 8) {
      this.hi = this.regs[(r << 1) + 1]!;
      return this.regs[r << 1]!;
    }
    return size === 2 ? this.regs[r << 1]! & 0xffff : this.get8(r);
  }
  /** Writes a register of `size` bytes (hi used for 8; 4 zero-extends; 1 and 2 merge). */
  setRegSized(r: number, size: number, lo: number, hi: number): void {
    if (size === 4) this.set32(r, lo);
    else if (size === 8) this.set64(r, lo, hi);
    else if (size === 2) this.set16(r, lo);
    else this.set8(r, lo);
  }

  // ---- memory operand ----------------------------------------------------------------------

  /** Linear address of the instruction's memory operand. */
  ea(op: Op): number {
    const r = this.regs;
    if (op.eaSimple) {
      // [base + disp] with 64-bit addressing and no FS/GS: the common case.
      const b = op.base << 1;
      const h = r[b + 1]!;
      if (h < HUGE && h >= -HUGE) return h * TWO32 + (r[b]! >>> 0) + op.disp;
      return this.eaExact(op);
    }
    if (op.addrSize !== 8) return this.eaNarrow(op);
    let a = op.disp;
    const b = op.base;
    if (b >= 0) {
      if (b === REG_RIP) a += this.ip;
      else {
        const h = r[(b << 1) + 1]!;
        if (h >= HUGE || h < -HUGE) return this.eaExact(op);
        a += h * TWO32 + (r[b << 1]! >>> 0);
      }
    }
    const x = op.index;
    if (x >= 0) {
      const h = r[(x << 1) + 1]!;
      if (h >= HUGE || h < -HUGE) return this.eaExact(op);
      a += (h * TWO32 + (r[x << 1]! >>> 0)) * (1 << op.scale);
    }
    if (op.segment >= 4) a = this.addSegBase(a, op.segment);
    return a;
  }

  private addSegBase(a: number, seg: number): number {
    const s = a + this.segBase[seg]!;
    if (s >= 2 ** 63 || s < -(2 ** 63)) return this.wrap64(s);
    return s;
  }
  /** Reduces an (exact) integer to the signed 64-bit range (mod 2^64). */
  private wrap64(v: number): number {
    const m = 2 ** 64;
    v = v % m;
    if (v >= 2 ** 63) v -= m;
    else if (v < -(2 ** 63)) v += m;
    return v;
  }

  /** 32- and 16-bit address sizes: only the low halves of registers take part. */
  private eaNarrow(op: Op): number {
    const r = this.regs;
    let a = op.disp;
    const b = op.base;
    if (b >= 0) a += b === REG_RIP ? this.ip : r[b << 1]! >>> 0;
    if (op.index >= 0) a += (r[op.index << 1]! >>> 0) * (1 << op.scale);
    a = op.addrSize === 4 ? a >>> 0 : a & 0xffff;
    if (this.bits === 64) {
      if (op.segment >= 4) a = this.addSegBase(a, op.segment);
      return a;
    }
    const seg = op.segment;
    this.checkLimit(seg, a);
    return (a + this.segBase[seg]!) >>> 0;
  }

  /**
   * Outside 64-bit mode: offset `a` of segment `seg` must be inside the limit (expand-down: above
   * it) and the segment usable, else #SS(0) for SS, #GP(0) for the others. Checks the first byte.
   */
  checkLimit(seg: number, a: number): void {
    const attr = this.segAttr[seg]!;
    const limit = this.segLimit[seg]!;
    if ((attr & 0x1c) === 0x14) {
      // expand-down data: offsets limit+1 .. 0xFFFF (B=0) or 0xFFFFFFFF
      if (a > limit && (a <= 0xffff || (attr & 0x4000) !== 0) && (attr & 0x80) !== 0) return;
    } else if (a <= limit && (attr & 0x80) !== 0) return;
    this.fault(seg === 2 ? Vec.SS : Vec.GP, 0);
  }

  /** 64-bit effective address computed in int32 halves (registers with huge values). */
  private eaExact(op: Op): number {
    const r = this.regs;
    let lo = op.dispLo >>> 0;
    let hi = op.dispHi;
    const b = op.base;
    if (b >= 0) {
      lo += r[b << 1]! >>> 0;
      hi += r[(b << 1) + 1]!;
    }
    const x = op.index;
    if (x >= 0) {
      const s = op.scale;
      const xl = r[x << 1]! >>> 0;
      const xh = r[(x << 1) + 1]!;
      lo += xl * (1 << s);
      hi += xh * (1 << s);
    }
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    hi = (hi + carry) | 0;
    let a = hi * TWO32 + lo;
    if (op.segment >= 4) a = this.addSegBase(a, op.segment);
    return a;
  }

  /** Vector for a non-canonical data access: #SS when the operand's segment is SS. */
  override nonCanonicalVector(): number {
    const op = this.curOp;
    return op !== null && op.segment === 2 && op.hasMem ? Vec.SS : Vec.GP;
  }

  /** The cached instruction at opIp (the one executing), if it is still cached. Slow paths only. */
  get curOp(): Op | null {
    const off = this.opIp - this.fetchLin;
    if (off >= 0 && off < 4096) return this.fetchOps[off] ?? null;
    return this.crossOp;
  }

  // ---- flags -----------------------------------------------------------------------------------

  /** Full RFLAGS (materializes the lazy arithmetic flags). */
  getFlags(): number {
    if (this.lf[F.K] !== 0) {
      this.flagsReg = (this.flagsReg & ~F.ARITH) | F.lazyFlags(this.lf);
      this.lf[F.K] = 0;
    }
    return this.flagsReg;
  }
  /** Sets RFLAGS bits (all of them: callers mask what the instruction may change). */
  setFlags(v: number): void {
    const old = this.flagsReg;
    this.flagsReg = (v & 0x3f7fd5) | FLAGS_FIXED1;
    this.lf[F.K] = 0;
    if (((old ^ this.flagsReg) & 0x200) !== 0 || (this.flagsReg & 0x100) !== 0) this.attention();
  }
  /** Replaces only the six arithmetic flags. */
  setArith(v: number): void {
    this.flagsReg = (this.flagsReg & ~F.ARITH) | (v & F.ARITH);
    this.lf[F.K] = 0;
  }
  /** CF as 0/1. */
  getCF(): number {
    return this.lf[F.K] === 0 ? this.flagsReg & 1 : F.lazyCF(this.lf);
  }
  /** Condition code cc (0..15, Jcc encoding order: O NO B AE E NE BE A S NS P NP L GE LE G). */
  cond(cc: number): boolean {
    return F.CONDS[cc]!(this.lf, this.flagsReg);
  }
  /** Records a lazy result for sizes 1, 2, 4 (kind from flags.kind()). */
  lazy(k: number, a: number, b: number, r: number): void {
    const lf = this.lf;
    lf[F.K] = k;
    lf[F.A] = a;
    lf[F.B] = b;
    lf[F.R] = r;
  }
  /** Records a lazy 64-bit result. */
  lazy64(k: number, al: number, ah: number, bl: number, bh: number, rl: number, rh: number): void {
    const lf = this.lf;
    lf[F.K] = k;
    lf[F.A] = al;
    lf[F.B] = bl;
    lf[F.R] = rl;
    lf[F.AH] = ah;
    lf[F.BH] = bh;
    lf[F.RH] = rh;
  }

  // ---- stack -------------------------------------------------------------------------------

  /** RSP as a number (exact). */
  rsp(): number {
    return this.regs[9]! * TWO32 + (this.regs[8]! >>> 0);
  }
  setRsp(v: number): void {
    this.setNum(4, v);
  }
  private stackAddr(a: number, n: number): number {
    if (!(a >= -CANON && a <= CANON - n)) {
      if (a >= 2 ** 63 || a < -(2 ** 63)) a = this.wrap64(a);
      if (!(a >= -CANON && a <= CANON - n)) this.fault(Vec.SS, 0);
    }
    return a;
  }
  /** Pushes a 64-bit value. Faults leave RSP unchanged. */
  push64(lo: number, hi: number): void {
    const r = this.regs;
    const rh = r[9]!;
    if (rh < HUGE && rh >= -HUGE) {
      const a = rh * TWO32 + (r[8]! >>> 0) - 8;
      if (a >= -CANON && a <= CANON - 8) {
        this.wr64(a, lo, hi);
        this.setNum(4, a);
        return;
      }
    }
    const a = this.stackAddr(this.rsp() - 8, 8);
    this.wr64(a, lo, hi);
    this.setNum(4, a);
  }
  /** Pops a 64-bit value: returns the low half, the high half in this.hi. */
  pop64(): number {
    const r = this.regs;
    const rh = r[9]!;
    let a = rh * TWO32 + (r[8]! >>> 0);
    if (!(rh < HUGE && rh >= -HUGE && a >= -CANON && a <= CANON - 8)) a = this.stackAddr(this.rsp(), 8);
    const lo = this.rd64(a);
    this.setNum(4, a + 8 === 2 ** 63 ? -(2 ** 63) : a + 8);
    return lo;
  }
  push16(v: number): void {
    const sp = this.sp() - 2;
    this.wr16(this.stackLin(sp, 2), v);
    this.setSpSized(sp);
  }
  pop16(): number {
    const sp = this.sp();
    const v = this.rd16(this.stackLin(sp, 2));
    this.setSpSized(sp + 2);
    return v;
  }
  /** Stack width in bytes: 8 in 64-bit mode, else 4 or 2 by SS.B. */
  stackSize(): number {
    return this.bits === 64 ? 8 : (this.segAttr[2]! & 0x4000) !== 0 ? 4 : 2;
  }
  /** The linear address of stack offset `a` for an n-byte access (#SS checks). */
  stackLin(a: number, n: number): number {
    if (this.bits === 64) return this.stackAddr(a, n);
    const w = this.stackSize();
    const off = w === 4 ? a >>> 0 : a & 0xffff;
    this.checkLimit(2, off);
    if (n > 1) this.checkLimit(2, off + n - 1);
    return (off + this.segBase[2]!) >>> 0;
  }
  /** Stack pointer value by stack width. */
  sp(): number {
    const w = this.stackSize();
    return w === 8 ? this.rsp() : w === 4 ? this.regs[8]! >>> 0 : this.regs[8]! & 0xffff;
  }
  /** Sets the stack pointer by stack width (wraps). */
  setSpSized(v: number): void {
    const w = this.stackSize();
    if (w === 8) this.setRsp(v);
    else if (w === 4) this.set32(4, v >>> 0);
    else this.set16(4, v & 0xffff);
  }
  adjustSp(n: number): void {
    this.setSpSized(this.sp() + n);
  }
  push32(v: number): void {
    const sp = this.sp() - 4;
    this.wr32(this.stackLin(sp, 4), v);
    this.setSpSized(sp);
  }
  pop32(): number {
    const sp = this.sp();
    const v = this.rd32(this.stackLin(sp, 4));
    this.setSpSized(sp + 4);
    return v;
  }

  /** Reads the stack at RSP + off without popping (n bytes; 8: low half, high in this.hi). */
  peekStack(off: number, n: number): number {
    const a = this.stackLin(this.sp() + off, n);
    return n === 8 ? this.rd64(a) : n === 4 ? this.rd32(a) : this.rd16(a);
  }

  // ---- control transfer ----------------------------------------------------------------------

  /** Jumps to a linear address (64-bit mode: #GP(0) when non-canonical, RIP unchanged). */
  jump(target: number): void {
    if (this.bits === 64) {
      if (!(target >= -CANON && target < CANON)) {
        if (target >= 2 ** 63 || target < -(2 ** 63)) target = this.wrap64(target);
        if (!(target >= -CANON && target < CANON)) this.gp(0);
      }
      this.ip = target;
    } else {
      target >>>= 0;
      if (target > this.segLimit[1]!) this.gp(0);
      this.ip = target;
    }
  }
  /** Jumps to (hi, lo). */
  jump64(lo: number, hi: number): void {
    this.jump(hi * TWO32 + (lo >>> 0));
  }

  /** Raises a software interrupt (INT n, INT3, INTO) after the current instruction. */
  softInt(vector: number, icebp = false): never {
    this.softVector = vector;
    this.softIcebp = icebp;
    this.excVector = vector;
    this.excCode = -1;
    throw FAULT;
  }

  /** Stop the run at the next instruction boundary (devices: StopReason.IoExit). */
  requestStop(reason: StopReason = StopReason.IoExit): void {
    this.stopRequest = reason;
    this.attention();
  }
  /** Make the run loop look at interrupts, events and stop requests at the next boundary. */
  attention(): void {
    this.stopAt = 0;
  }
  /** Signal that an external interrupt may be pending (see acknowledgeInterrupt). */
  raiseInterrupt(): void {
    this.interruptPending = true;
    this.attention();
  }

  // ---- TLB / mode hooks ------------------------------------------------------------------------

  protected override onTlbFlush(): void {
    this.fetchLin = NaN;
  }
  protected override onWatchHit(): void {
    const hits = this.watchHits;
    const id = hits[hits.length - 1]!.id;
    const i = this.drWatchIds.indexOf(id);
    if (i >= 0) {
      // A DR0-DR3 data breakpoint: a #DB trap after the instruction (not a debugger stop).
      hits.pop();
      this.drHit |= 1 << i;
      this.attention();
      return;
    }
    if (this.stopRequest === StopReason.None) this.requestStop(StopReason.Watchpoint);
  }

  /** Watch ids (addWatch) of the DR0-DR3 data breakpoints enabled in DR7 (0: none). */
  private readonly drWatchIds = [0, 0, 0, 0];
  /** DR0-DR3 data breakpoints hit by the instruction now executing (DR6.B0-B3 bits). */
  private drHit = 0;
  /**
   * Re-reads DR0-DR3 and DR7 for data breakpoints (R/W = 01 write, 11 read or write; LEN 1, 2, 8,
   * 4 bytes, the address aligned down); call after writing them (MOV DRn does).
   */
  syncDebugWatches(): void {
    const dr7 = this.dr[7]!;
    for (let i = 0; i < 4; i++) {
      if (this.drWatchIds[i] !== 0) {
        this.removeWatch(this.drWatchIds[i]!);
        this.drWatchIds[i] = 0;
      }
      const enabled = ((dr7 >>> (2 * i)) & 3) !== 0;
      const rw = (dr7 >>> (16 + 4 * i)) & 3;
      if (!enabled || (rw !== 1 && rw !== 3)) continue;
      const len = [1, 2, 8, 4][(dr7 >>> (18 + 4 * i)) & 3]!;
      const a = this.dr[i]!;
      const lo = a - (a % len);
      this.drWatchIds[i] = this.addWatch(lo, len, rw === 3, true);
    }
    this.flushTlb(false);
  }

  /** Recomputes the code size from CS and EFER.LMA; flushes decoded code when it changes. */
  updateMode(): void {
    const attr = this.segAttr[1]!;
    let bits: 64 | 32 | 16;
    if ((this.efer & EFER_LMA) !== 0 && (attr & 0x2000) !== 0) bits = 64;
    else bits = (attr & 0x4000) !== 0 ? 32 : 16;
    if (bits !== this.bits) {
      this.bits = bits;
      this.code.flush();
      this.fetchLin = NaN;
    }
  }

  // ---- fetch and decode ----------------------------------------------------------------------

  /** The cached instruction at linear `ip`, decoding (and caching) it on a miss. */
  private fetchSlow(eip: number): Op {
    // Outside 64-bit mode RIP is the offset in CS: fetch at CS.base + EIP, within CS.limit. The
    // fast path indexes the page by ip - fetchLin, so fetchLin is the EIP of the page's start; it
    // is set only when the whole page lies inside the limit (else every fetch comes here).
    let ip = eip;
    let csBase = 0;
    let inLimit = true;
    if (this.bits !== 64) {
      const limit = this.segLimit[1]!;
      if (eip > limit) this.gp(0);
      csBase = this.segBase[1]!;
      ip = (eip + csBase) >>> 0;
      const page = ip - (ip & 0xfff) - csBase;
      inLimit = page >= 0 && page + 0xfff <= limit;
    }
    const op = this.fetchLinear(ip);
    if (!inLimit) {
      this.fetchLin = NaN;
      if (eip + op.len - 1 > this.segLimit[1]!) this.gp(0);
    } else if (csBase !== 0 && this.fetchLin === this.fetchLin) this.fetchLin -= csBase;
    return op;
  }

  private fetchLinear(ip: number): Op {
    const off = ip & 0xfff;
    const linPage = ip - off;
    const user = this.cpl === 3;
    const phys = this.translate(ip, Acc.X, user);
    const inRam = phys >= 0 && phys + (4096 - off) <= this.ramSize;
    if (inRam) {
      const ppn = Math.floor(phys / 4096);
      const ops = this.code.page(ppn);
      this.fetchLin = linPage;
      this.fetchOps = ops;
      if (this.breakpoints.size !== 0) this.armBreakpoints(linPage, phys - off, ops);
      const hit = ops[off];
      if (hit !== null && hit !== undefined) return hit;
      // Decode within the page first; an instruction running past the page end is retried
      // with bytes from both pages (and not cached).
      const avail = Math.min(15, 4096 - off);
      const ins = decode(this.u8, phys, avail, this.bits);
      if (ins.invalid !== 'truncated' || avail === 15) {
        let op = this.makeOp(ins);
        this.tryFuse(op, ins, phys, off, ip);
        if (this.breakpoints.size !== 0 && this.breakpoints.has(ip)) op = wrapOp(op, breakExec);
        this.code.insert(phys, op);
        // insert may have replaced the page array reference (first code on the page)
        this.fetchOps = this.code.pages[ppn]!;
        return op;
      }
    }
    // Slow: gather up to 15 bytes, translating the next page only if needed.
    const buf = this.scratch;
    const first = Math.min(15, 4096 - off);
    for (let i = 0; i < first; i++) buf[i] = this.physRead8(phys + i);
    let ins = decode(buf, 0, first, this.bits);
    if (ins.invalid === 'truncated' && first < 15) {
      const p2 = this.translate(linPage + 4096, Acc.X, user);
      for (let i = first; i < 15; i++) buf[i] = this.physRead8(p2 + (i - first));
      ins = decode(buf, 0, 15, this.bits);
    }
    this.fetchLin = NaN;
    let op = this.makeOp(ins);
    if (this.breakpoints.size !== 0 && this.breakpoints.has(ip)) op = wrapOp(op, breakExec);
    this.crossOp = op;
    return op;
  }
  /** The last page-crossing (uncached) instruction fetched. */
  private crossOp: Op | null = null;

  /** Macro-op fusion: an ALU instruction followed on the same page by a Jcc runs as one entry. */
  private tryFuse(op: Op, ins: Instr, phys: number, off: number, ip: number): void {
    const f = ins.form;
    if (f === null || !FUSE_FIRST.has(f.mnemonic) || /cr|dr|sreg/.test(f.id) || op.exec === invalidOp || op.inner !== null) return;
    const off2 = off + ins.length;
    if (off2 >= 4096) return;
    if (this.breakpoints.size !== 0 && this.breakpoints.has(ip + ins.length)) return;
    const ins2 = decode(this.u8, phys + ins.length, Math.min(15, 4096 - off2), this.bits);
    if (ins2.form === null || ins2.invalid !== '' || !FUSE_SECOND.test(ins2.form.id)) return;
    const j = this.makeOp(ins2);
    if (j.exec === invalidOp) return;
    op.first = op.exec;
    op.firstHot = FIRST_HOT.indexOf(op.exec) + 1;
    op.fused = j;
    op.exec = fusedExec;
    op.hot = hotIndex(fusedExec);
    op.span = ins.length + ins2.length;
  }

  /**
   * Entering linear page `linPage` (physical `physPage`, cached ops `ops`) with breakpoints set:
   * the instructions at its breakpoint addresses become stops, and a fused pair whose second half
   * is at one is split.
   */
  private armBreakpoints(linPage: number, physPage: number, ops: (Op | null)[]): void {
    const list = this.breakpoints.pages.get(linPage);
    if (list === undefined) return;
    for (const a of list) {
      const off = a - linPage;
      for (let o = Math.max(0, off - 15); o < off; o++) {
        const p = ops[o];
        if (p === null || p === undefined) continue;
        const q = p.exec === breakExec ? p.inner! : p;
        if (q.fused !== null && o + q.len === off) {
          const u = cloneOp(q);
          u.exec = q.first!;
          u.hot = hotIndex(q.first!);
          u.first = null;
          u.firstHot = 0;
          u.fused = null;
          u.span = q.len;
          this.code.insert(physPage + o, p !== q ? wrapOp(u, breakExec) : u);
        }
      }
      const op = ops[off];
      if (op !== null && op !== undefined && op.exec !== breakExec) ops[off] = wrapOp(op, breakExec);
    }
  }

  private makeOp(ins: Instr): Op {
    let exec: Handler;
    let arg = 0;
    if (ins.invalid !== '' || ins.form === null) {
      exec = invalidOp;
    } else {
      const fi = ins.formIndex;
      exec = ins.hasMem ? this.handlersMem[fi]! : this.handlersReg[fi]!;
      arg = this.handlerArgs[fi]!;
      if ((ins.prefixes & 1) !== 0 && (!ins.form.lock || !ins.hasMem)) exec = invalidOp; // LOCK
      else if (ins.form.cpl0 && exec !== unimplemented) exec = this.cpl0Handler(fi, ins.hasMem, exec);
    }
    const op = new Op(exec, ins);
    op.len = ins.length;
    op.span = ins.length;
    op.reg = ins.reg;
    op.rm = ins.rm;
    op.hasMem = ins.hasMem;
    op.base = ins.base;
    op.index = ins.index;
    op.scale = ins.scale;
    op.disp = ins.dispHi * TWO32 + (ins.disp >>> 0);
    op.dispLo = ins.disp | 0;
    op.dispHi = ins.dispHi | 0;
    op.imm = ins.imm;
    op.immHi = ins.immHi;
    op.imm2 = ins.imm2;
    op.opSize = ins.opSize;
    op.addrSize = ins.addrSize;
    op.segment = ins.segment;
    op.prefixes = ins.prefixes;
    op.eaSimple = ins.addrSize === 8 && ins.base >= 0 && ins.base < 16 && ins.index < 0 && ins.segment < 4;
    op.formIndex = ins.formIndex;
    op.arg = arg;
    op.hot = hotIndex(exec);
    if (this.stackHook !== null && exec !== invalidOp && exec !== unimplemented && setsStackPointer(ins)) return wrapOp(op, stackExec);
    return op;
  }

  private readonly cpl0Handlers = new Map<number, Handler>();
  /** The handler of a privileged form wrapped in the CPL 0 check (#GP(0) otherwise). */
  private cpl0Handler(fi: number, mem: boolean, inner: Handler): Handler {
    const key = fi * 2 + (mem ? 1 : 0);
    let h = this.cpl0Handlers.get(key);
    if (h === undefined) {
      h = (cpu: Cpu, op: Op) => {
        if (cpu.cpl !== 0) cpu.gp(0);
        inner(cpu, op);
      };
      this.cpl0Handlers.set(key, h);
    }
    return h;
  }

  /** Decodes the instruction at a linear address without executing it (for tools); null if unmapped. */
  decodeAt(lin: number): Instr | null {
    const buf = new Uint8Array(15);
    for (let i = 0; i < 15; i++) {
      const p = this.peekTranslate(lin + i, this.cpl === 3);
      if (p === null) {
        if (i === 0) return null;
        return decode(buf, 0, i, this.bits);
      }
      buf[i] = this.physRead8(p);
    }
    return decode(buf, 0, 15, this.bits);
  }

  // ---- the run loop --------------------------------------------------------------------------

  /** Executes up to `maxInstructions` instructions (exception deliveries count too). */
  run(maxInstructions: number): StopReason {
    this.limitAt = this.instructionCount + Math.max(0, maxInstructions);
    this.stopAt = 0;
    this.breakSkip = this.instructionCount;
    for (;;) {
      try {
        return this.loop();
      } catch (e) {
        const r = this.onThrow(e);
        if (r !== StopReason.None) return r;
      }
    }
  }

  /** One instruction, or one exception delivery. */
  step(): StopReason {
    const r = this.run(1);
    return r === StopReason.Limit ? StopReason.None : r;
  }

  private loop(): StopReason {
    for (;;) {
      if (this.instructionCount >= this.stopAt) {
        const r = this.boundary();
        if (r !== StopReason.None) return r;
      }
      const ip = this.ip;
      this.opIp = ip;
      const off = ip - this.fetchLin;
      let op: Op | null = null;
      if (off >= 0 && off < 4096) op = this.fetchOps[off | 0]!;
      if (op === null) op = this.fetchSlow(ip);
      this.ip = ip + op.len;
      switch (op.hot) {
        case 1: fusedExec(this, op); break;
        case 2: rr32(this, op); break;
        case 3: ri32(this, op); break;
        case 4: mr32(this, op); break;
        case 5: rmRev32(this, op); break;
        case 6: rr64(this, op); break;
        case 7: ri64(this, op); break;
        case 8: rmRev64(this, op); break;
        case 9: mr64(this, op); break;
        case 10: movRR64(this, op); break;
        case 11: movRRRev64(this, op); break;
        case 12: movStore64(this, op); break;
        case 13: movLoad64(this, op); break;
        case 14: movStore32(this, op); break;
        case 15: movLoad32(this, op); break;
        case 16: movRR32(this, op); break;
        case 17: movRRRev32(this, op); break;
        case 18: movzx32_8r(this, op); break;
        case 19: movzx32_8m(this, op); break;
        case 20: movStore8(this, op); break;
        case 21: lea64(this, op); break;
        case 22: inc32r(this, op); break;
        case 23: dec32r(this, op); break;
        default: op.exec(this, op);
      }
      this.instructionCount++;
    }
  }

  /** Slow checks at an instruction boundary; sets stopAt for the fast path. */
  private boundary(): StopReason {
    const now = this.instructionCount;
    if (this.stopRequest !== StopReason.None) {
      const r = this.stopRequest;
      this.stopRequest = StopReason.None;
      return r;
    }
    if (now >= this.limitAt) return StopReason.Limit;
    // Single-step trap for the instruction that started with TF=1, and data breakpoints (DR7)
    // the last instruction hit (before interrupts).
    const step = this.tfArmedAt >= 0 && now > this.tfArmedAt;
    if (step || this.drHit !== 0) {
      let dr6 = this.dr[6]!;
      if (step) {
        this.tfArmedAt = -1;
        dr6 |= 0x4000;
      }
      if (this.drHit !== 0) {
        dr6 = (dr6 & ~0xf) | this.drHit;
        this.drHit = 0;
      }
      this.dr[6] = dr6 >>> 0;
      const r = this.exception(Vec.DB, -1);
      if (r !== StopReason.None) return r;
    }
    if (this.rfClear) {
      // RF suppressed instruction breakpoints for one instruction, which has now completed.
      this.rfClear = false;
      this.flagsReg &= ~0x10000;
    }
    if (now >= this.eventAt && this.onEvent !== null) this.onEvent(this);
    if (this.interruptPending && (this.flagsReg & 0x200) !== 0 && now > this.interruptShadow) {
      const ack = this.acknowledgeInterrupt;
      const v = ack === null ? -1 : ack();
      if (v < 0) this.interruptPending = false;
      else {
        this.halted = false;
        this.deliverExternal(v);
        this.limitAt--;
      }
    }
    if (this.halted) {
      if (this.eventAt !== Infinity && this.eventAt > now && this.eventAt < Infinity) {
        // Skip guest time to the next event.
        this.instructionCount = Math.min(this.eventAt, this.limitAt);
        if (this.instructionCount >= this.limitAt) return StopReason.Limit;
        this.stopAt = 0;
        return this.boundary();
      }
      return StopReason.Hlt;
    }
    let s = Math.min(this.limitAt, this.eventAt);
    // DR0-DR3 instruction breakpoints (a fault: RIP is the instruction), unless RF=1.
    const dr7 = this.dr[7]!;
    if ((dr7 & 0xff) !== 0) {
      s = now + 1;
      if ((this.flagsReg & 0x10000) !== 0) this.rfClear = true;
      else {
        for (let i = 0; i < 4; i++) {
          if (((dr7 >>> (2 * i)) & 3) !== 0 && ((dr7 >>> (16 + 4 * i)) & 3) === 0 && this.dr[i] === this.ip) {
            this.dr[6] = ((this.dr[6]! & ~0xf) | (1 << i)) >>> 0;
            const r = this.exception(Vec.DB, -1);
            if (r !== StopReason.None) return r;
            this.stopAt = 0;
            return this.boundary();
          }
        }
      }
    } else if ((this.flagsReg & 0x10000) !== 0) this.flagsReg &= ~0x10000;
    if ((this.flagsReg & 0x100) !== 0) {
      this.tfArmedAt = now;
      s = now + 1;
    }
    if (this.interruptShadow >= now || this.stopRequest !== StopReason.None) s = now + 1;
    else if (this.interruptPending && (this.flagsReg & 0x200) !== 0) s = now + 1;
    this.stopAt = s;
    return StopReason.None;
  }

  /** Handles a throw out of an instruction; returns a stop reason or None to go on. */
  private onThrow(e: unknown): StopReason {
    this.stopAt = 0;
    this.breakSkip = -1;
    // A faulting instruction did not complete: its watch hits do not count.
    if (this.stopRequest === StopReason.Watchpoint) {
      this.stopRequest = StopReason.None;
      this.watchHits.length = 0;
    }
    this.tfArmedAt = -1;
    this.drHit = 0;
    if (e !== FAULT) {
      this.internalError = e;
      this.ip = this.opIp;
      this.softVector = -1;
      return this.exception(Vec.UD, -1);
    }
    const v = this.excVector;
    if (this.softVector >= 0) {
      // INT n / INT3 / INTO: a trap, RIP already after the instruction.
      this.softVector = -1;
      this.instructionCount++;
      if (v < 32 && ((this.interceptExceptions >>> v) & 1) !== 0) {
        this.lastException = { vector: v, errorCode: -1, cr2: BigInt(this.cr2), rip: BigInt(this.ip) };
        return StopReason.Exception;
      }
      try {
        deliverEvent(this, v, -1, this.softIcebp ? EXTERNAL : SOFTWARE, 0);
        this.limitAt--;
        return StopReason.None;
      } catch (e2) {
        if (e2 !== FAULT) {
          this.internalError = e2;
          return StopReason.TripleFault;
        }
        this.ip = this.opIp;
        this.instructionCount--;
        return this.exception(this.excVector, this.excCode);
      }
    }
    this.ip = this.opIp;
    return this.exception(v, this.excCode);
  }

  /** Raises exception `vector` at the current instruction: intercept, or deliver (with #DF rules). */
  exception(vector: number, code: number): StopReason {
    let v = vector;
    let c = code;
    let addr = this.excAddr;
    for (;;) {
      if (v < 32 && ((this.interceptExceptions >>> v) & 1) !== 0) {
        this.lastException = { vector: v, errorCode: c, cr2: BigInt(v === Vec.PF ? addr : this.cr2), rip: BigInt(this.ip) };
        return StopReason.Exception;
      }
      try {
        if (v === Vec.PF) this.cr2 = addr;
        deliverEvent(this, v, c, EXCEPTION, 1);
        this.limitAt--;
        return StopReason.None;
      } catch (e) {
        if (e !== FAULT) {
          this.internalError = e;
          return StopReason.TripleFault;
        }
        const v2 = this.excVector;
        const c2 = this.excCode;
        if (v === Vec.DF) return this.tripleFault();
        const k1 = faultClass(v);
        const k2 = faultClass(v2);
        if ((k1 === 1 && k2 === 1) || (k1 === 2 && k2 !== 0)) {
          v = Vec.DF;
          c = 0;
        } else {
          v = v2;
          c = c2;
          addr = this.excAddr;
        }
      }
    }
  }

  private tripleFault(): StopReason {
    this.lastException = { vector: Vec.DF, errorCode: 0, cr2: BigInt(this.cr2), rip: BigInt(this.ip) };
    return StopReason.TripleFault;
  }

  private deliverExternal(v: number): void {
    try {
      deliverEvent(this, v, -1, EXTERNAL, 1);
    } catch (e) {
      if (e !== FAULT) throw e;
      const r = this.exception(this.excVector, this.excCode);
      if (r !== StopReason.None) this.requestStop(r);
    }
  }

  // ---- public API (BigInt at the boundary) ---------------------------------------------------

  get rip(): bigint {
    return BigInt(this.ip);
  }
  /** Setting RIP also ends a HLT (execution resumes there). */
  set rip(v: bigint) {
    this.ip = Number(BigInt.asIntN(64, v));
    this.halted = false;
  }
  get rflags(): bigint {
    return BigInt(this.getFlags());
  }
  set rflags(v: bigint) {
    this.setFlags(Number(v & 0xffffffffn));
  }

  getReg(name: string): bigint {
    const n = name.toLowerCase();
    if (n === 'rip') return this.rip;
    if (n === 'rflags' || n === 'eflags') return this.rflags;
    const e = REG_NAMES.get(n);
    if (!e) throw new Error(`unknown register '${name}'`);
    const [r, size] = e;
    if (size === 8) return BigInt.asUintN(64, (BigInt(this.regs[(r << 1) + 1]!) << 32n) | BigInt(this.regs[r << 1]! >>> 0));
    if (size === 4) return BigInt(this.regs[r << 1]! >>> 0);
    if (size === 2) return BigInt(this.get16(r));
    return BigInt(this.get8(r));
  }

  setReg(name: string, value: bigint): void {
    const n = name.toLowerCase();
    if (n === 'rip') return void (this.rip = value);
    if (n === 'rflags' || n === 'eflags') return void (this.rflags = value);
    const e = REG_NAMES.get(n);
    if (!e) throw new Error(`unknown register '${name}'`);
    const [r, size] = e;
    const v = BigInt.asUintN(64, value);
    const lo = Number(v & 0xffffffffn) | 0;
    if (size === 8) this.set64(r, lo, Number(v >> 32n) | 0);
    else if (size === 4) this.set32(r, lo);
    else if (size === 2) this.set16(r, lo);
    else this.set8(r, lo);
  }

  writePhys(addr: bigint, bytes: Uint8Array): void {
    this.physWrite(Number(addr), bytes);
  }
  readPhys(addr: bigint, n: number): Uint8Array {
    const out = new Uint8Array(n);
    const a = Number(addr);
    for (let i = 0; i < n; i++) out[i] = this.physRead8(a + i);
    return out;
  }
  /** Writes through the current page tables (no A/D updates, no faults); false if unmapped. */
  writeLinear(addr: bigint, bytes: Uint8Array): boolean {
    const a = Number(BigInt.asIntN(64, addr));
    for (let i = 0; i < bytes.length; i++) {
      const p = this.peekTranslate(a + i);
      if (p === null) return false;
    }
    for (let i = 0; i < bytes.length; i++) this.physWrite8(this.peekTranslate(a + i)!, bytes[i]!);
    return true;
  }
  readLinear(addr: bigint, n: number): Uint8Array | null {
    const a = Number(BigInt.asIntN(64, addr));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.peekTranslate(a + i);
      if (p === null) return null;
      out[i] = this.physRead8(p);
    }
    return out;
  }

  // ---- segments --------------------------------------------------------------------------------

  /** Loads a segment register's hidden part from descriptor dwords (no checks). */
  loadSegFromDesc(seg: number, sel: number, lo: number, hi: number): void {
    this.segSel[seg] = sel & 0xffff;
    const base = ((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0;
    let limit = ((hi & 0xf0000) | (lo & 0xffff)) >>> 0;
    if (hi & 0x800000) limit = limit * 4096 + 0xfff;
    this.segAttr[seg] = (hi >>> 8) & 0xf0ff;
    if (this.bits === 64 && seg !== 4 && seg !== 5) this.segBase[seg] = seg === 1 ? 0 : base;
    else if (seg !== 4 && seg !== 5) this.segBase[seg] = base;
    else this.segBase[seg] = base;
    this.segLimit[seg] = limit;
    if (seg === 1) this.updateMode();
  }

  /** Reads the 8-byte descriptor of `sel` (GDT or LDT): low dword returned, high in this.hi. */
  readDescriptor(sel: number, ext: number): number {
    const idx = sel & ~7;
    const ldt = (sel & 4) !== 0;
    const base = ldt ? this.ldtBase : this.gdtBase;
    const limit = ldt ? this.ldtLimit : this.gdtLimit;
    if (idx + 7 > limit) this.gp((sel & 0xfffc) | ext);
    const lo = this.rdSys(base + idx, 4);
    this.hi = this.rdSys(base + idx + 4, 4);
    return lo;
  }

  // ---- system state for loaders and debuggers (numbers and bigint; Errors for refused values) ----

  /**
   * Loads a segment register's selector and hidden part without reading a descriptor (attributes
   * in the segAttr format). For CS it also sets CPL = the selector's RPL and the code size (64-bit
   * with EFER.LMA and L=1, else 32/16 by D). 'ldtr' and 'tr' set LDTR / TR (attributes: type etc.).
   */
  setSegment(seg: SegmentName, v: SegmentValue): void {
    const sel = v.selector & 0xffff;
    if (seg === 'ldtr') {
      this.ldtSel = sel;
      this.ldtBase = v.base;
      this.ldtLimit = v.limit;
      return;
    }
    if (seg === 'tr') {
      this.trSel = sel;
      this.trBase = v.base;
      this.trLimit = v.limit;
      this.trAttr = v.attributes & 0xf0ff;
      return;
    }
    const i = SEG_INDEX[seg];
    if (i === undefined) throw new Error(`setSegment: unknown segment register '${String(seg)}' (es cs ss ds fs gs ldtr tr)`);
    this.segSel[i] = sel;
    this.segBase[i] = v.base;
    this.segLimit[i] = v.limit;
    this.segAttr[i] = v.attributes & 0xf0ff;
    if (i === 1) {
      this.setCpl(sel & 3);
      this.updateMode();
      this.fetchLin = NaN;
    }
  }
  /** A segment register as setSegment takes it. */
  getSegment(seg: SegmentName): SegmentValue {
    if (seg === 'ldtr') return { selector: this.ldtSel, base: this.ldtBase, limit: this.ldtLimit, attributes: 0x82 };
    if (seg === 'tr') return { selector: this.trSel, base: this.trBase, limit: this.trLimit, attributes: this.trAttr };
    const i = SEG_INDEX[seg];
    if (i === undefined) throw new Error(`getSegment: unknown segment register '${String(seg)}'`);
    return { selector: this.segSel[i]!, base: this.segBase[i]!, limit: this.segLimit[i]!, attributes: this.segAttr[i]! };
  }
  setGdtr(base: number, limit: number): void {
    this.gdtBase = base;
    this.gdtLimit = limit & 0xffff;
  }
  setIdtr(base: number, limit: number): void {
    this.idtBase = base;
    this.idtLimit = limit & 0xffff;
  }
  /**
   * Writes CR0, CR2, CR3, CR4 or CR8 as MOV CRn does (same checks and effects: TLB flushes, IA-32e
   * mode activation when CR0.PG is set with EFER.LME, the code size). Throws an Error naming the
   * fault when the instruction would fault.
   */
  setCr(n: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.asInstruction(`setCr(${n}, 0x${v.toString(16)})`, () => writeCr(this, n, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0));
  }
  /** Writes an MSR as WRMSR does (EFER: LMA is read-only). Throws an Error where WRMSR faults. */
  setMsr(msr: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.asInstruction(`setMsr(0x${msr.toString(16)}, 0x${v.toString(16)})`, () => writeMsr(this, msr >>> 0, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0));
  }
  /** Reads an MSR as RDMSR does. Throws an Error for an MSR the machine does not have. */
  getMsr(msr: number): bigint {
    let r = 0n;
    this.asInstruction(`getMsr(0x${msr.toString(16)})`, () => (r = readMsrValue(this, msr >>> 0)));
    return r;
  }
  private asInstruction(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e !== FAULT) throw e;
      const v = this.excVector;
      throw new Error(`${what}: refused, as the instruction would raise ${VEC_NAMES[v] || `vector ${v}`}${this.excCode >= 0 ? `(${this.excCode})` : ''}`);
    }
  }

  // ---- reset ---------------------------------------------------------------------------------

  /**
   * Direct 64-bit state: CPL 0, flat GDT (CS 0x08, DS/SS 0x10, TSS 0x18), paging on with the first
   * 4 GiB identity-mapped by 2 MiB pages (tables at the top of RAM), IF=0, RSP at the top of the
   * free RAM below the tables.
   */
  reset64(): void {
    this.regs.fill(0);
    this.lf.fill(0);
    this.flagsReg = FLAGS_FIXED1;
    this.instructionCount = 0;
    this.halted = false;
    this.lastException = null;
    this.internalError = null;
    this.interruptPending = false;
    this.interruptShadow = -1;
    this.stopRequest = StopReason.None;
    this.softVector = -1;
    this.tfArmedAt = -1;
    this.rfClear = false;
    this.msrs.clear();
    this.kernelGsBase = 0;
    this.sysMsr.fill(0);
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0;
    this.dr[7] = 0x400;
    this.drHit = 0;
    this.syncDebugWatches();
    const top = this.ramSize;
    const tables = top - 7 * 4096;
    const gdt = tables;
    const tss = tables + 0x800;
    const pml4 = tables + 0x1000;
    const pdpt = tables + 0x2000;
    const pd0 = tables + 0x3000;
    const zero = new Uint8Array(7 * 4096);
    this.physWrite(tables, zero);
    const dv = this.dv;
    // GDT: null, code64 (0x08), data (0x10), TSS (0x18, 16 bytes)
    dv.setUint32(gdt + 8, 0x0000ffff, true);
    dv.setUint32(gdt + 12, 0x00af9b00, true);
    dv.setUint32(gdt + 16, 0x0000ffff, true);
    dv.setUint32(gdt + 20, 0x00cf9300, true);
    const tssLimit = 0x67;
    dv.setUint32(gdt + 24, ((tss & 0xffff) << 16) | tssLimit, true);
    dv.setUint32(gdt + 28, (tss & 0xff000000) | 0x8b00 | ((tss >>> 16) & 0xff), true);
    dv.setUint32(gdt + 32, 0, true);
    // Paging: PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, each PD: 512 x 2 MiB.
    dv.setUint32(pml4, pdpt | 0x7, true);
    for (let i = 0; i < 4; i++) {
      const pd = pd0 + i * 4096;
      dv.setUint32(pdpt + i * 8, pd | 0x7, true);
      for (let j = 0; j < 512; j++) {
        const addr = i * 2 ** 30 + j * 2 ** 21;
        dv.setUint32(pd + j * 8, (addr % TWO32) + 0xe7, true);
        dv.setUint32(pd + j * 8 + 4, Math.floor(addr / TWO32), true);
      }
    }
    this.cr0 = (CR0_PE | 0x2 | 0x10 | 0x20 | CR0_WP | CR0_PG) | 0;
    this.cr2 = 0;
    this.cr3 = pml4;
    this.cr4 = CR4_PAE | CR4_PGE | 0x200 | 0x400;
    this.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    this.cr8 = 0;
    this.gdtBase = gdt;
    this.gdtLimit = 0x27;
    this.idtBase = 0;
    this.idtLimit = 0;
    this.ldtSel = 0;
    this.ldtBase = 0;
    this.ldtLimit = 0;
    this.trSel = 0x18;
    this.trBase = tss;
    this.trLimit = tssLimit;
    this.trAttr = 0x8b;
    this.bits = 64;
    for (let s = 0; s < 6; s++) {
      const code = s === 1;
      this.segSel[s] = code ? 0x08 : 0x10;
      this.segBase[s] = 0;
      this.segLimit[s] = 0xffffffff;
      this.segAttr[s] = code ? 0xa09b : 0xc093;
    }
    this.segSel[4] = this.segSel[5] = 0;
    this.code.flush();
    this.setCpl(0);
    this.flushTlb(false);
    this.ip = 0;
    this.setNum(4, tables);
  }
}

/** Exception classes for the double-fault rules: 0 benign, 1 contributory, 2 page fault. */
function faultClass(v: number): number {
  if (v === Vec.PF) return 2;
  if (v === Vec.DE || v === Vec.TS || v === Vec.NP || v === Vec.SS || v === Vec.GP) return 1;
  return 0;
}

export { Vec } from '../memory/mmu';
void REG_NONE;
void EFER_NXE;
