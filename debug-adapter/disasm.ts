// Disassembly for the Disassembly view, stack unwinding and stepping: decode at linear addresses,
// walk backwards to a known instruction boundary, format with symbols and source lines.

import { decode } from '../isa/decoder';
import { formatInstr } from '../isa/format';
import type { Instr } from '../isa/instr';
import type { Cpu } from '../emulator/cpu/cpu';
import type { DebugInfo, LineRow } from './debuginfo';
import { readBytes } from './memory';

export interface DisasmLine {
  address: bigint;
  bytes: Uint8Array;
  /** Intel syntax, or '??' / '(bad)' for unmapped or undecodable bytes. */
  text: string;
  /** False for unmapped memory or bytes that are no instruction. */
  valid: boolean;
  /** The symbol when the line is its first instruction. */
  symbol?: string;
  line?: LineRow;
}

const MAX_LEN = 15;

function codeBits(cpu: Cpu): 64 | 32 | 16 {
  return cpu.bits;
}

/** Decodes the instruction at `addr` (null when its first byte is not mapped). */
export function decodeAt(cpu: Cpu, addr: bigint): Instr | null {
  const { data, readable } = readBytes(cpu, addr, MAX_LEN);
  if (readable === 0) return null;
  return decode(data, 0, readable, codeBits(cpu));
}

function lineOf(cpu: Cpu, debug: DebugInfo, addr: bigint): DisasmLine {
  const { data, readable } = readBytes(cpu, addr, MAX_LEN);
  if (readable === 0) return { address: addr, bytes: new Uint8Array(0), text: '??', valid: false };
  const ins = decode(data, 0, readable, codeBits(cpu));
  const len = Math.max(1, Math.min(ins.length, readable));
  const valid = !ins.invalid;
  const text = valid ? formatInstr(ins, addr, { symbolize: (a) => debug.describe(a) }) : '(bad)';
  const at = debug.symbolAt(addr);
  const row = debug.lineAt(addr);
  return {
    address: addr,
    bytes: data.slice(0, valid ? len : 1),
    text: text.replace(/\s+/, ' '),
    valid,
    symbol: at && at.offset === 0n ? at.symbol.name : undefined,
    line: row && row.address === addr ? row : row,
  };
}

/** Length of the instruction at `addr` (1 for unmapped or invalid bytes). */
function stepLen(cpu: Cpu, addr: bigint): number {
  const ins = decodeAt(cpu, addr);
  if (!ins || ins.invalid) return 1;
  return ins.length;
}

/** Decodes forward from `start` until reaching or passing `target`: the instruction starts, and whether it landed on target. */
function walk(cpu: Cpu, start: bigint, target: bigint): { starts: bigint[]; landed: boolean } {
  const starts: bigint[] = [];
  let a = start;
  while (a < target) {
    starts.push(a);
    a += BigInt(stepLen(cpu, a));
  }
  return { starts, landed: a === target };
}

/** `n` instruction starts that end exactly at `target` (fewer if no decoding reaches it). */
function before(cpu: Cpu, debug: DebugInfo, target: bigint, n: number): bigint[] {
  if (n <= 0) return [];
  // Known boundaries first: line-table rows and symbols just before the target.
  const anchors: bigint[] = [];
  const lo = target - BigInt(n * MAX_LEN);
  for (const r of debug.lines) if (r.address >= lo && r.address < target) anchors.push(r.address);
  for (const s of debug.symbols) if (s.kind === 'code' && s.address >= lo && s.address < target) anchors.push(s.address);
  anchors.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let best: bigint[] = [];
  for (const a of anchors) {
    const w = walk(cpu, a, target);
    if (w.landed) {
      best = w.starts;
      break;
    }
  }
  if (best.length < n) {
    // Unknown code: try starting points further back and keep the first that lands on target.
    for (let back = n * 4; back <= n * MAX_LEN && back <= n * 4 + 64; back++) {
      const s = target - BigInt(back);
      if (s < 0n) break;
      const w = walk(cpu, s, target);
      if (w.landed && w.starts.length >= n) {
        best = w.starts;
        break;
      }
    }
  }
  return best.slice(Math.max(0, best.length - n));
}

/**
 * `count` lines starting `instructionOffset` instructions from `addr` (negative: before it).
 * Always returns exactly `count` lines (invalid ones where nothing can be decoded).
 */
export function disassemble(cpu: Cpu, debug: DebugInfo, addr: bigint, instructionOffset: number, count: number): DisasmLine[] {
  const out: DisasmLine[] = [];
  let start = addr;
  if (instructionOffset < 0) {
    const want = -instructionOffset;
    const starts = before(cpu, debug, addr, want);
    const missing = want - starts.length;
    const first = starts[0] ?? addr;
    for (let i = missing; i > 0; i--) {
      const a = first - BigInt(i);
      out.push({ address: a < 0n ? 0n : a, bytes: new Uint8Array(0), text: '??', valid: false });
    }
    for (const s of starts) out.push(lineOf(cpu, debug, s));
  } else {
    for (let i = 0; i < instructionOffset; i++) start += BigInt(stepLen(cpu, start));
  }
  let a = start;
  while (out.length < count) {
    const l = lineOf(cpu, debug, a);
    out.push(l);
    a += BigInt(l.valid ? l.bytes.length : 1);
  }
  return out.slice(0, count);
}

/** True when the bytes just before `ra` are a CALL that ends at `ra` (so `ra` is a return address). */
export function followsCall(cpu: Cpu, ra: bigint): boolean {
  for (const len of [5, 2, 3, 6, 7, 4, 8, 9]) {
    const at = ra - BigInt(len);
    const { data, readable } = readBytes(cpu, at, len);
    if (readable < len) continue;
    const ins = decode(data, 0, len, codeBits(cpu));
    if (!ins.invalid && ins.length === len && ins.form?.mnemonic === 'CALL') return true;
  }
  return false;
}
