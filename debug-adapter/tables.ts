// The system tables as the debugger shows them: the TSS (RSP0-2, IST1-7, the I/O map base), the
// IDT (gates decoded), the GDT (descriptors decoded, 16-byte system descriptors in long mode),
// and the stacks the debugger knows by name (TSS slots, the launch configuration's `stacks`,
// symbols such as `nmi_stack_top` or `ist1_bottom`/`ist1_top`, named as the stack tracker names them). Reads go through the current page
// tables (memory.ts), never fault and never set accessed/dirty bits.

import type { Cpu } from '../emulator/cpu/cpu';
import type { DebugInfo } from './debuginfo';
import { layoutStacks, stacksFromSymbols, type KnownStack as TrackedStack, type StackSymbol } from '../emulator/inspect/stacks';
import { readInt } from './memory';

const u64 = (n: number) => BigInt.asUintN(64, BigInt(Math.trunc(n)));

/** Default size of a stack the debugger knows only the top of. */
export const ASSUMED_STACK_SIZE = 16 * 1024;

export interface TssInfo {
  base: bigint;
  limit: number;
  selector: number;
  /** RSP0..RSP2. */
  rsp: bigint[];
  /** IST1..IST7 at [1..7] ([0] unused, 0n). */
  ist: bigint[];
  ioMapBase: number;
}

function longMode(cpu: Cpu): boolean {
  return (cpu.efer & (1 << 10)) !== 0;
}

/** The 64-bit TSS TR names, or why there is none. */
export function readTss(cpu: Cpu): TssInfo | string {
  if (!longMode(cpu)) return 'the CPU is not in long mode (the 64-bit TSS is read in long mode only)';
  if ((cpu.trSel & 0xfffc) === 0 && cpu.trLimit < 0x67) return 'TR is null: no TSS loaded (LTR)';
  if (cpu.trLimit < 0x67) return `TR's limit 0x${cpu.trLimit.toString(16)} is below 0x67: not a 64-bit TSS`;
  const base = u64(cpu.trBase);
  const q = (off: number) => readInt(cpu, base + BigInt(off), 8);
  const rsp: bigint[] = [];
  for (let i = 0; i < 3; i++) rsp.push(q(4 + 8 * i) ?? 0n);
  const ist: bigint[] = [0n];
  for (let i = 1; i <= 7; i++) ist.push(q(36 + 8 * (i - 1)) ?? 0n);
  if (q(4) === undefined) return `the TSS at 0x${base.toString(16)} is not mapped`;
  const io = readInt(cpu, base + 0x66n, 2) ?? 0n;
  return { base, limit: cpu.trLimit, selector: cpu.trSel, rsp, ist, ioMapBase: Number(io) };
}

export interface Gate {
  vector: number;
  present: boolean;
  /** 'interrupt', 'trap', 'call', 'task' or 'reserved'. */
  type: string;
  typeCode: number;
  dpl: number;
  ist: number;
  selector: number;
  handler: bigint;
}

const GATE_TYPES: Record<number, string> = { 0x5: 'task', 0x6: 'interrupt', 0x7: 'trap', 0xc: 'call', 0xe: 'interrupt', 0xf: 'trap' };

/** Every IDT entry within IDTR.limit (16-byte gates in long mode, 8-byte otherwise); null if unreadable. */
export function readIdt(cpu: Cpu): Gate[] {
  const long = longMode(cpu);
  const size = long ? 16 : 8;
  const base = u64(cpu.idtBase);
  const n = Math.min(256, Math.floor((cpu.idtLimit + 1) / size));
  const out: Gate[] = [];
  for (let v = 0; v < n; v++) {
    const lo = readInt(cpu, base + BigInt(v * size), 8);
    if (lo === undefined) break;
    const hi = long ? readInt(cpu, base + BigInt(v * size + 8), 8) ?? 0n : 0n;
    out.push(decodeGate(v, lo, hi, long));
  }
  return out;
}

export function decodeGate(vector: number, lo: bigint, hi: bigint, long: boolean): Gate {
  const w1 = Number((lo >> 32n) & 0xffffffffn);
  const typeCode = (w1 >> 8) & 0xf;
  let handler = (lo & 0xffffn) | ((lo >> 32n) & 0xffff0000n);
  if (long) handler |= (hi & 0xffffffffn) << 32n;
  return {
    vector,
    present: (w1 & 0x8000) !== 0,
    type: GATE_TYPES[typeCode] ?? 'reserved',
    typeCode,
    dpl: (w1 >> 13) & 3,
    ist: long ? w1 & 7 : 0,
    selector: Number((lo >> 16n) & 0xffffn),
    handler,
  };
}

export interface Descriptor {
  index: number;
  selector: number;
  /** The descriptor's (first) 8 bytes, and the next 8 for a 16-byte system descriptor. */
  raw: bigint;
  rawHigh?: bigint;
  present: boolean;
  /** S = 0: a system descriptor (LDT, TSS, gates). */
  system: boolean;
  type: number;
  dpl: number;
  base: bigint;
  /** Limit in bytes - 1 (scaled by G). */
  limit: number;
  /** One line: `64-bit code, DPL 0, present`, `TSS (busy), base 0x..., limit 0x67`. */
  text: string;
  /** TSS descriptors: the busy bit. */
  busy?: boolean;
}

const SYSTEM_TYPES: Record<number, string> = { 0x2: 'LDT', 0x9: 'TSS (available)', 0xb: 'TSS (busy)', 0xc: 'call gate', 0xe: 'interrupt gate', 0xf: 'trap gate', 0x1: '16-bit TSS (available)', 0x3: '16-bit TSS (busy)', 0x5: 'task gate' };

export function decodeDescriptor(index: number, raw: bigint, rawHigh: bigint | undefined, long: boolean): Descriptor {
  const lo = Number(raw & 0xffffffffn);
  const hi = Number((raw >> 32n) & 0xffffffffn);
  const type = (hi >> 8) & 0xf;
  const system = (hi & 0x1000) === 0;
  const dpl = (hi >> 13) & 3;
  const present = (hi & 0x8000) !== 0;
  const g = (hi & 0x800000) !== 0;
  const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
  const limit = g ? rawLimit * 4096 + 0xfff : rawLimit;
  let base = BigInt(((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0);
  if (system && long && rawHigh !== undefined) base |= (rawHigh & 0xffffffffn) << 32n;
  const d: Descriptor = { index, selector: index << 3, raw, rawHigh, present, system, type, dpl, base, limit, text: '' };
  if (raw === 0n) d.text = 'null';
  else if (system) {
    const name = SYSTEM_TYPES[type] ?? `reserved system type 0x${type.toString(16)}`;
    if (type === 0x9 || type === 0xb) d.busy = type === 0xb;
    d.text = `${long && (type === 0x9 || type === 0xb) ? '64-bit ' : ''}${name}, base 0x${base.toString(16)}, limit 0x${limit.toString(16)}, DPL ${dpl}${present ? '' : ', not present'}`;
  } else if ((type & 8) !== 0) {
    const L = (hi & 0x200000) !== 0;
    const D = (hi & 0x400000) !== 0;
    const size = L ? '64-bit' : D ? '32-bit' : '16-bit';
    d.text = `${size} code${type & 4 ? ' conforming' : ''}${type & 2 ? ' readable' : ' execute-only'}, DPL ${dpl}${L ? '' : `, base 0x${base.toString(16)}, limit 0x${limit.toString(16)}`}${present ? '' : ', not present'}`;
  } else {
    d.text = `data${type & 2 ? ' writable' : ' read-only'}${type & 4 ? ' expand-down' : ''}, DPL ${dpl}, base 0x${base.toString(16)}, limit 0x${limit.toString(16)}${present ? '' : ', not present'}`;
  }
  return d;
}

/** Every GDT entry within GDTR.limit (a long-mode system descriptor takes two slots: one entry). */
export function readGdt(cpu: Cpu): Descriptor[] {
  const long = longMode(cpu);
  const base = u64(cpu.gdtBase);
  const n = Math.min(8192, Math.floor((cpu.gdtLimit + 1) / 8));
  const out: Descriptor[] = [];
  for (let i = 0; i < n; i++) {
    const raw = readInt(cpu, base + BigInt(i * 8), 8);
    if (raw === undefined) break;
    const system = raw !== 0n && ((raw >> 44n) & 1n) === 0n;
    const wide = long && system && i + 1 < n;
    const rawHigh = wide ? readInt(cpu, base + BigInt((i + 1) * 8), 8) : undefined;
    out.push(decodeDescriptor(i, raw, rawHigh, long));
    if (wide) i++;
  }
  return out;
}

// ---- stacks ------------------------------------------------------------------------------------

export interface KnownStack {
  name: string;
  /** Lowest address. */
  base: bigint;
  /** Address just above the stack (the initial RSP). */
  top: bigint;
  /** Where the debugger learned of it: 'TSS RSP0'..'TSS IST7', 'launch configuration', 'symbols'. */
  source: string;
  /** TSS slots that name this stack's top ('RSP0', 'IST1'...). */
  slots: string[];
}

export interface ConfiguredStack {
  name: string;
  base: bigint;
  top: bigint;
}

/** The symbols the stack inference reads (equ constants excluded), as the tracker takes them. */
function stackSymbols(debug: DebugInfo): StackSymbol[] {
  return debug.symbols.filter((s) => s.kind !== 'equ').map((s) => ({ name: s.name, address: Number(BigInt.asIntN(64, s.address)), size: Number(s.size) }));
}

const big = (n: number): bigint => BigInt.asUintN(64, BigInt(n));
const num = (n: bigint): number => Number(BigInt.asIntN(64, n));

/**
 * Stacks named by symbols, inferred as the stack tracker (emulator/inspect/stacks.ts) infers them:
 * `X_stack` (base) with `X_stack_top`/`_end` or the next symbol (top), and `X_bottom`..`X_top` pairs.
 */
export function symbolStacks(debug: DebugInfo): KnownStack[] {
  return stacksFromSymbols(stackSymbols(debug)).map((s) => ({ name: s.name, base: big(s.base), top: big(s.base + s.size), source: 'symbols', slots: [] }));
}

/**
 * Every stack the debugger knows: the launch configuration's, those symbols name, and the TSS's
 * RSP0-2 and IST1-7, laid out and named as the stack tracker does (layoutStacks): a slot on a known
 * stack's top adds the slot to it; another is named by an `X_top` symbol at its top or by the slot.
 */
export function knownStacks(cpu: Cpu, debug: DebugInfo, configured: ConfiguredStack[], bySymbols: KnownStack[] = symbolStacks(debug)): KnownStack[] {
  const fixed: TrackedStack[] = [];
  const add = (name: string, base: bigint, top: bigint, origin: 'launch' | 'symbol') => {
    if (top <= base || fixed.some((f) => f.name === name || (f.base === num(base) && f.top === num(top)))) return;
    fixed.push({ name, base: num(base), size: num(top) - num(base), top: num(top), origin, slots: [] });
  };
  for (const c of configured) add(c.name, c.base, c.top, 'launch');
  for (const s of bySymbols) add(s.name, s.base, s.top, 'symbol');
  const tss = readTss(cpu);
  const values: number[] = [];
  if (typeof tss !== 'string') {
    for (const v of tss.rsp) values.push(num(v));
    for (let i = 1; i <= 7; i++) values.push(num(tss.ist[i]!));
  }
  const source = (s: TrackedStack): string => (s.origin === 'launch' ? 'launch configuration' : s.origin === 'symbol' ? 'symbols' : `TSS ${s.slots[0]}`);
  return layoutStacks(fixed, values, ASSUMED_STACK_SIZE, stackSymbols(debug)).map((s) => ({ name: s.name, base: big(s.base), top: big(s.top), source: source(s), slots: s.slots }));
}

/** The known stack holding `rsp` (a full stack's RSP is its top; an empty one's is too). */
export function stackOf(stacks: KnownStack[], rsp: bigint): KnownStack | undefined {
  let best: KnownStack | undefined;
  for (const s of stacks) if (rsp > s.base && rsp <= s.top && (!best || s.top - s.base < best.top - best.base)) best = s;
  return best;
}

/** `nmi_stack`, or `0x...` for an address on no known stack. */
export function stackName(stacks: KnownStack[], rsp: bigint): string {
  return stackOf(stacks, rsp)?.name ?? 'no known stack';
}

/**
 * What bounds the call stack's heuristics (stack.ts): the known stack holding a stack pointer, and
 * the program's entry function (`_start`, or the function the entry point is in), which nothing calls.
 */
export function unwindLimits(stacks: KnownStack[], debug: DebugInfo, entry: bigint | undefined): { stackAt: (sp: bigint) => KnownStack | undefined; isEntry: (pc: bigint) => boolean } {
  const owner = (pc: bigint): string | undefined => {
    const at = debug.symbolAt(pc);
    if (!at || at.symbol.kind !== 'code') return undefined;
    const n = at.symbol.name;
    return n.startsWith('.') ? n : n.split('.')[0];
  };
  const entryName = entry !== undefined ? owner(entry) : undefined;
  return {
    stackAt: (sp) => stackOf(stacks, sp),
    isEntry: (pc) => {
      const o = owner(pc);
      return o !== undefined && (o === '_start' || o === entryName);
    },
  };
}
