// The call stack from return addresses: the program's CFI (.eh_frame / .debug_frame, through
// DWARF) while it covers the frames; then the frame-pointer chain (RBP -> saved RBP, return
// address) when every link checks out, else a scan of the stack for values that follow a CALL.
// The heuristics stay on the known stack RSP is on (they never read past its top into the next
// stack in memory) and stop after a frame in the program's entry function.
// Each frame carries the address of its instruction; callers' source lines are looked up at
// return address - 1 (inside the CALL).

import type { Cpu } from '../emulator/cpu/cpu';
import { followsCall } from './disasm';
import { readBytes, readInt } from './memory';

export interface Frame {
  /** The frame's instruction: RIP for the top frame, the return address for callers. */
  pc: bigint;
  /** Where the return address was found (callers only). */
  slot?: bigint;
  /** How the frame was found ('label': the line between a handler and the context it interrupted). */
  how: 'rip' | 'cfi' | 'frame pointer' | 'stack scan' | 'label';
  /** Label frames: the delivery whose frame separates the handler from the interrupted context. */
  label?: import('./interrupts').Delivery;
  /** The name of the stack the frame lives on (set when the call stack crosses interrupt frames). */
  stack?: string;
  /** The frame was interrupted (an interrupt or exception frame below it): pc is the interrupted instruction, not a return address. */
  interrupted?: boolean;
  /** The frame's registers, where they are known (the top frame; callers CFI recovered). */
  regs?: RegisterSet;
  /** The frame's canonical frame address (CFI), for DW_OP_call_frame_cfa frame bases. */
  cfa?: bigint;
  /** Frames from DWARF (withInlined): the function's name (an inlined call's callee, or the function). */
  name?: string;
  /** Frames from DWARF: 0 for the innermost inlined call (or the function) at pc, 1 for its caller... */
  inlineDepth?: number;
  /** Outer frames of an inlined call: the call site (DW_AT_call_file/DW_AT_call_line), not pc's line. */
  callSite?: { file: string; line: number };
}

export type RegisterSet = { [name: string]: bigint | undefined };

/** Call-frame information: the caller's registers from a frame's (undefined where it has none). */
export interface FrameUnwinder {
  /** `signalFrame`: the unwound frame is an interrupt/exception entry, so the caller was interrupted (not calling). */
  step(regs: RegisterSet, readMemory: (addr: bigint, size: number) => Uint8Array | undefined, isCaller: boolean): { caller: RegisterSet; signalFrame: boolean; cfa: bigint } | undefined;
}

/** What bounds the heuristics (both optional). */
export interface UnwindLimits {
  /** The known stack holding a stack pointer (base < sp <= top), or undefined when none does. */
  stackAt?: (sp: bigint) => { base: bigint; top: bigint } | undefined;
  /** The pc is in the program's entry function (`_start`, the ELF entry point...): nothing calls it. */
  isEntry?: (pc: bigint) => boolean;
}

const CFI_REGS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip'];

const MAX_SCAN_QWORDS = 4096;
const MAX_STACK_SPAN = 1n << 20n;
const NO_LIMIT = 1n << 65n;

/**
 * The frames from the CPU's registers, or from `start` (an interrupted context: its RIP, RSP and
 * whatever registers are known).
 */
export function unwind(cpu: Cpu, maxFrames = 64, cfi?: FrameUnwinder, start?: RegisterSet, limits: UnwindLimits = {}): Frame[] {
  const top: RegisterSet = {};
  if (start) Object.assign(top, start);
  else for (const r of CFI_REGS) top[r] = cpu.getReg(r);
  const frames: Frame[] = [{ pc: top['rip'] ?? cpu.rip, how: 'rip', regs: top }];
  if (maxFrames <= 1) return frames;
  let rsp = top['rsp'] ?? cpu.getReg('rsp');
  let rbp = top['rbp'] ?? 0n;
  if (cfi) {
    const read = (a: bigint, n: number) => {
      const { data, readable } = readBytes(cpu, a, n);
      return readable === n ? data : undefined;
    };
    let regs: RegisterSet = top;
    let isCaller = false;
    while (frames.length < maxFrames) {
      const r = cfi.step(regs, read, isCaller);
      if (!r) break; // no CFI here: the heuristics below take over from these registers
      const caller = r.caller;
      const pc = caller['rip'];
      const sp = caller['rsp'];
      if (pc === undefined || pc === 0n || sp === undefined || (sp <= (regs['rsp'] ?? 0n) && !r.signalFrame)) return frames;
      frames[frames.length - 1]!.cfa = r.cfa;
      frames.push({ pc, slot: sp - 8n, how: 'cfi', interrupted: r.signalFrame || undefined, regs: caller });
      isCaller = !r.signalFrame;
      regs = caller;
      rsp = sp;
      rbp = caller['rbp'] ?? rbp;
    }
    if (frames.length > 1) {
      // Continue below the last frame CFI described, from its registers.
      const rest = heuristic(cpu, frames[frames.length - 1]!.pc, rsp, rbp, maxFrames - frames.length, true, limits);
      return frames.concat(rest);
    }
  }
  return frames.concat(heuristic(cpu, frames[0]!.pc, rsp, rbp, maxFrames - 1, false, limits));
}

/**
 * Callers of the frame at `pc` with stack pointer `rsp`: frame-pointer chain, else stack scan,
 * both within the known stack RSP is on (up to its top), none after a frame in the entry function.
 */
function heuristic(cpu: Cpu, pc: bigint, rsp: bigint, rbp: bigint, max: number, callerFrame: boolean, limits: UnwindLimits): Frame[] {
  const frames: Frame[] = [];
  if (max <= 0 || limits.isEntry?.(pc)) return frames;
  // The highest address a frame may read: the top of the stack RSP is on (no bound on no known stack).
  const limit = limits.stackAt?.(rsp)?.top ?? NO_LIMIT;
  const push = (f: Frame): boolean => {
    frames.push(f);
    return frames.length < max && !limits.isEntry?.(f.pc);
  };
  const chain = framePointerChain(cpu, rsp, rbp, max, limit);
  if (chain) {
    // At a function's entry (before `push rbp; mov rbp, rsp`) the caller is at [rsp].
    const top = rsp + 4n <= limit ? readInt(cpu, rsp, 8) : undefined;
    if (!callerFrame && top !== undefined && chain[0]?.pc !== top && followsCall(cpu, top) && !push({ pc: top, slot: rsp, how: 'stack scan' })) return frames;
    for (const f of chain) if (!push(f)) break;
    return frames;
  }
  for (let i = 0; i < MAX_SCAN_QWORDS; i++) {
    const slot = rsp + BigInt(i * 8);
    if (slot + 4n > limit) break; // (a 32-bit frame's return address may be the last dword)
    const v = readInt(cpu, slot, 8);
    if (v === undefined) break;
    if (v !== 0n && followsCall(cpu, v) && !push({ pc: v, slot, how: 'stack scan' })) break;
  }
  return frames;
}

/** The RBP chain when it is plausible all the way (each link above the last and below `limit`, each return address after a CALL). */
function framePointerChain(cpu: Cpu, rsp: bigint, rbp0: bigint, max: number, limit: bigint): Frame[] | null {
  let rbp = rbp0;
  if (rbp < rsp || rbp + 16n > limit || rbp - rsp > MAX_STACK_SPAN || (rbp & 7n) !== 0n) return null;
  const out: Frame[] = [];
  while (out.length < max) {
    const ra = readInt(cpu, rbp + 8n, 8);
    const next = readInt(cpu, rbp, 8);
    if (ra === undefined || next === undefined || !followsCall(cpu, ra)) return out.length ? out : null;
    out.push({ pc: ra, slot: rbp + 8n, how: 'frame pointer' });
    if (next === 0n || next <= rbp || next - rbp > MAX_STACK_SPAN || next + 16n > limit) break;
    rbp = next;
  }
  return out;
}

/** The part of the DWARF API withInlined reads (debug-adapter/dwarf). */
export interface InlineScopes {
  scopesAt(pc: bigint): { kind: 'function' | 'block' | 'inlined'; name?: string; callFile?: string; callLine?: number }[];
}

/**
 * The frames as gdb shows them for code with DWARF: each frame named by its function, and an inlined
 * call shown as a frame of its own above the function it was inlined into (same pc and registers;
 * the outer frame's line is the call site). Frames without DWARF (and label frames) stay as they are.
 */
export function withInlined(frames: Frame[], dwarf: InlineScopes | undefined, files: readonly string[] = []): Frame[] {
  if (!dwarf) return frames;
  const out: Frame[] = [];
  for (const f of frames) {
    if (f.label) {
      out.push(f);
      continue;
    }
    const isCaller = f.how !== 'rip' && !f.interrupted;
    let scopes: ReturnType<InlineScopes['scopesAt']> = [];
    try {
      scopes = dwarf.scopesAt(isCaller ? f.pc - 1n : f.pc).filter((s) => s.kind !== 'block');
    } catch {
      // unreadable DWARF here: the frame keeps its symbol name
    }
    if (scopes.length === 0) {
      out.push(f);
      continue;
    }
    let site: { file: string; line: number } | undefined;
    scopes.forEach((s, depth) => {
      out.push({ ...f, name: s.name ?? f.name, inlineDepth: depth, callSite: site });
      site = s.kind === 'inlined' && s.callFile && s.callLine ? { file: sourceFile(s.callFile, files), line: s.callLine } : undefined;
    });
  }
  return out;
}

/**
 * A DWARF file name (as compiled: `/kstack/examples/c-kernel/interrupts.c` under a prefix map) as
 * the line table's resolved files name it: the one sharing the longest tail of path components.
 */
function sourceFile(name: string, files: readonly string[]): string {
  const parts = name.split(/[\\/]/);
  let best = name;
  let bestN = 0;
  for (const f of files) {
    const fp = f.split(/[\\/]/);
    let n = 0;
    while (n < parts.length && n < fp.length && parts[parts.length - 1 - n] === fp[fp.length - 1 - n]) n++;
    if (n > bestN) {
      best = f;
      bestN = n;
    }
  }
  return best;
}
