// The stack tracker: which stacks a kernel has (named by the TSS, by the caller, by symbols), which
// one RSP is on, every switch between them (by the hardware: delivery through IST/RSPn, IRETQ; by
// software: MOV/XCHG/POP/LEAVE... into RSP), and three detectors: an event delivered through IST n
// while an earlier frame on IST n is live, RSP leaving a stack through its bottom (overflow), and
// an IRETQ whose frame was overwritten since delivery.
//
// It listens to the CPU through cpu.onDeliver (chained with whoever else listens), cpu.onStackSwitch
// (called after an instruction that sets RSP explicitly) and data watches on the page below each
// stack. The per-instruction cost is zero when no tracker is attached; attached, only instructions
// that load RSP, deliveries and accesses to the pages below the stacks pay. Pure TypeScript.

import type { Cpu } from '../cpu/cpu';
import { StopReason } from '../cpu/cpu';

/** A stack the caller names (the launch configuration's `stacks`). Addresses are canonical numbers. */
export interface StackSpec {
  name: string;
  /** Lowest address. */
  base: number;
  size: number;
}

/** A symbol the tracker may infer stacks from (`*_stack`, `*_stack_top`, `*_stack_end`...). */
export interface StackSymbol {
  name: string;
  address: number;
  /** Size in bytes when the symbol table gives one, else 0. */
  size: number;
}

export type StackOrigin = 'launch' | 'symbol' | 'tss';

export interface KnownStack {
  name: string;
  /** Lowest address; RSP is on the stack when base <= RSP <= top. */
  base: number;
  size: number;
  top: number;
  origin: StackOrigin;
  /** TSS slots whose value is this stack's top ('RSP0', 'IST1', ...). */
  slots: string[];
}

/** One change of RSP from one known stack to another or off them all. */
export interface StackSwitch {
  /** Guest time: the instruction count when it happened. */
  count: number;
  /** The instruction that switched (software, IRETQ), or the interrupted one (delivery). */
  rip: number;
  /** Stack names; null = on no known stack. */
  from: string | null;
  to: string | null;
  /** 'IST1'..'IST7', 'RSP0'..'RSP2', 'interrupt' (a delivery on the same stack), or the
   * instruction's mnemonic in lower case ('mov', 'xchg', 'pop', 'leave', 'iretq', 'cmovz'...),
   * or of the PUSH/CALL/POP/RET that moved RSP across the bottom of a stack (seen through the
   * watch on the page below it). */
  cause: string;
  /** The vector, for deliveries. */
  vector?: number;
  rspBefore: number;
  rspAfter: number;
}

export type AlertKind = 'ist-reentry' | 'overflow' | 'iret-overwritten';

export interface StackAlert {
  kind: AlertKind;
  count: number;
  rip: number;
  stack: string | null;
  vector?: number;
  message: string;
}

export interface StackStatus extends KnownStack {
  /** RSP is on this stack. */
  current: boolean;
  /** top - RSP while RSP is on it, else 0. */
  used: number;
  /** The deepest use seen since the tracker started: RSP samples and the lowest byte written. */
  deepest: number;
  /** The page below the stack was read or written while RSP was on the stack (or below it). */
  belowTouched: boolean;
}

/** What the tracker stopped the CPU for (stopOnSwitch / stopOnAlert). */
export type TrackerStop = { kind: 'switch'; switch: StackSwitch } | { kind: 'alert'; alert: StackAlert };

export interface TrackerOptions {
  stacks?: StackSpec[];
  symbols?: StackSymbol[];
  /** Size given to a TSS stack no other source sizes (default 16 KiB, less when another stack is closer). */
  defaultSize?: number;
  /** Watch the page below each stack (overflow, belowTouched); default true. */
  guard?: boolean;
  /** How many switches the history keeps (oldest dropped first); default 100,000. */
  historyLimit?: number;
}

type StackHook = (cpu: Cpu, oldRsp: number) => void;
type DeliverHook = NonNullable<Cpu['onDeliver']>;

/** A frame the CPU pushed, live until an IRETQ pops it. */
interface LiveFrame {
  slot: string;
  vector: number;
  count: number;
  /** Lowest address of the frame (error code included) and the address of its RIP slot. */
  low: number;
  ripSlot: number;
  /** Highest address + 1 (the aligned RSP the frame was pushed below). */
  high: number;
  rip: number;
  cs: number;
  rsp: number;
  ss: number;
}

const TWO32 = 4294967296;
const PAGE = 4096;
const MAX_LIVE = 64;
/** Instructions that move RSP by arithmetic (an overflow when they cross a stack's bottom). */
const ARITH = new Set(['sub', 'add', 'lea', 'and', 'enter', 'dec', 'inc', 'adc', 'sbb', 'xadd']);
const SLOT_NAMES = ['RSP0', 'RSP1', 'RSP2', 'IST1', 'IST2', 'IST3', 'IST4', 'IST5', 'IST6', 'IST7'];
const SLOT_OFFSETS = [4, 12, 20, 36, 44, 52, 60, 68, 76, 84];
/** `nmi_stack_top` -> stem 'nmi_stack', edge 'top'. */
const STACK_SYMBOL = /^((?:[A-Za-z_$][\w$]*?)?stack)(?:_(top|end|bottom|base))?$/i;
/** Smallest symbol size taken as a stack's size. */
const MIN_SIZED = 64;
/** Largest `X_bottom`..`X_top` pair taken for a stack. */
const MAX_PAIR_SPAN = 1 << 24;

export const hexAddr = (n: number): string => '0x' + (n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n)).toString(16);

/**
 * Stacks from symbols: `X_stack`/`Xstack` (base; top at `X_stack_top`/`_end`, at `X_top`/`X_end`,
 * by the symbol's size, or at the next symbol), `..._top`/`_end` (top), `_bottom`/`_base`, and
 * `X_bottom`/`X_base` .. `X_top`/`X_end` pairs.
 */
export function stacksFromSymbols(symbols: readonly StackSymbol[]): StackSpec[] {
  const sorted = symbols.filter((s) => !s.name.includes('.')).slice().sort((a, b) => a.address - b.address);
  const next = (addr: number): number | undefined => sorted.find((s) => s.address > addr)?.address;
  const prev = (addr: number): number | undefined => {
    let p: number | undefined;
    for (const s of sorted) if (s.address < addr) p = s.address;
    return p;
  };
  const groups = new Map<string, { base?: number; top?: number; size?: number }>();
  for (const s of sorted) {
    const m = STACK_SYMBOL.exec(s.name);
    if (!m) continue;
    const stem = m[1]!;
    const g = groups.get(stem) ?? {};
    groups.set(stem, g);
    const edge = (m[2] ?? '').toLowerCase();
    if (edge === 'top' || edge === 'end') g.top = s.address;
    else {
      g.base = s.address;
      if (s.size > 0) g.size = s.size;
    }
  }
  const out: StackSpec[] = [];
  for (const [stem, g] of groups) {
    let base = g.base;
    let top = g.top;
    if (base !== undefined && top === undefined) {
      // `ist2_stack` .. `ist2_top`/`ist2_end`, else the symbol's size (a few bytes is an
      // assembler's `resb` record, not the stack's), else the next symbol.
      const short = stem.replace(/_?stack$/i, '');
      const pair = short ? sorted.find((x) => x.address > base! && (x.name === `${short}_top` || x.name === `${short}_end`)) : undefined;
      const end = pair ? pair.address : g.size !== undefined && g.size >= MIN_SIZED ? base + g.size : next(base);
      if (end === undefined) continue;
      top = end;
    } else if (top !== undefined && (base === undefined || base >= top)) {
      base = prev(top);
      if (base === undefined) continue;
    }
    if (base === undefined || top === undefined || top <= base) continue;
    out.push({ name: stem, base, size: top - base });
  }
  // `X_bottom`/`X_base` .. `X_top`/`X_end` pairs whose X does not end in "stack" (`ist1_bottom`).
  const at = new Map<string, number>();
  for (const s of sorted) at.set(s.name, s.address);
  for (const s of sorted) {
    const m = /^(.+?)_(bottom|base)$/.exec(s.name);
    if (!m || STACK_SYMBOL.test(s.name)) continue;
    const top = at.get(`${m[1]}_top`) ?? at.get(`${m[1]}_end`);
    if (top === undefined || top <= s.address || top - s.address > MAX_PAIR_SPAN || out.some((o) => o.name === m[1])) continue;
    out.push({ name: m[1]!, base: s.address, size: top - s.address });
  }
  return out;
}

/** The name a symbol at a TSS slot's top gives the stack (`ist1_top` -> `ist1`); linker symbols (`_end`, `__bss_end`) give none. */
export function topSymbolName(symbols: readonly StackSymbol[], top: number): string | undefined {
  for (const s of symbols) {
    if (s.address !== top || s.name.startsWith('_') || s.name.includes('.')) continue;
    const m = /^(.+?)_top$/.exec(s.name);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The stack list from the fixed stacks (launch configuration, symbols) and the TSS's RSP0-2/IST1-7
 * values (0 = unset): a slot whose value is a fixed stack's top adds the slot to it; one inside a
 * fixed stack names no new stack (an IST moved down for nesting); any other slot is a stack of its
 * own, named by the `X_top` symbol at its top or by the slot, `defaultSize` big or up to the next
 * stack below. The tracker and the debug adapter's system tables both name stacks this way.
 */
export function layoutStacks(fixed: readonly KnownStack[], tssValues: readonly number[], defaultSize: number, symbols: readonly StackSymbol[] = []): KnownStack[] {
  const list: KnownStack[] = fixed.map((s) => ({ ...s, slots: [] }));
  const tss: { slot: string; top: number }[] = [];
  tssValues.forEach((top, i) => {
    if (top !== 0 && i < SLOT_NAMES.length) tss.push({ slot: SLOT_NAMES[i]!, top });
  });
  for (const { slot, top } of tss) {
    const same = list.find((s) => s.top === top);
    if (same) {
      same.slots.push(slot);
      continue;
    }
    if (list.some((s) => s.origin !== 'tss' && top > s.base && top < s.top)) continue;
    let base = top - defaultSize;
    for (const s of list) if (s.top <= top && s.top > base) base = s.top;
    for (const t of tss) if (t.top < top && t.top > base) base = t.top;
    const named = topSymbolName(symbols, top);
    const name = named !== undefined && !list.some((s) => s.name === named) ? named : slot;
    list.push({ name, base, size: top - base, top, origin: 'tss', slots: [slot] });
  }
  return list;
}

export class StackTracker {
  readonly switches: StackSwitch[] = [];
  readonly alerts: StackAlert[] = [];
  /** Called for every switch and every alert as it happens (traces, the Debug Console). */
  onSwitch: ((s: StackSwitch) => void) | null = null;
  onAlert: ((a: StackAlert) => void) | null = null;
  /** Stop the CPU on the first instruction on a new stack / after a detector fires. */
  stopOnSwitch = false;
  stopOnAlert = false;
  /** Which detectors are on. */
  readonly detect: Record<AlertKind, boolean> = { 'ist-reentry': true, overflow: true, 'iret-overwritten': true };

  private fixed: KnownStack[] = [];
  private list: KnownStack[] = [];
  /** Per stack of `list`: deepest RSP use seen, page below touched, the content when first seen. */
  private deepestRsp = new Map<string, number>();
  private touched = new Set<string>();
  private initial = new Map<string, Uint8Array | null>();
  private cur: KnownStack | null = null;
  private live: LiveFrame[] = [];
  private guards: { id: number; stack: KnownStack; low: number }[] = [];
  /** Every watch id the tracker has used (hits of replaced guards are still its own). */
  private ownIds = new Set<number>();
  private tssKey = '';
  private tssValues: number[] = [];
  private trSeen = NaN;
  private pending: TrackerStop | null = null;
  private deliveredAt = -1;
  /** The latest guest time an event was seen at: earlier ones are a replay of recorded history
   * (time travel restores a snapshot and runs forward again) and are not recorded twice. */
  private frontier = -1;
  private deliveredFrame = NaN;
  private tempBreak = NaN;
  private causes = new Map<number, string>();
  /** The last record() call met the switch already recorded last. */
  private replayed = false;
  private prevDeliver: Cpu['onDeliver'] = null;
  private attached = false;
  private readonly defaultSize: number;
  private readonly guard: boolean;
  private readonly historyLimit: number;
  private readonly symbols: readonly StackSymbol[];

  constructor(
    readonly cpu: Cpu,
    opts: TrackerOptions = {},
  ) {
    this.defaultSize = opts.defaultSize ?? 16 * 1024;
    this.guard = opts.guard ?? true;
    this.historyLimit = opts.historyLimit ?? 100_000;
    this.symbols = opts.symbols ?? [];
    const seen = new Set<string>();
    for (const s of opts.stacks ?? []) {
      if (!(s.size > 0) || seen.has(s.name)) continue;
      seen.add(s.name);
      this.fixed.push({ name: s.name, base: s.base, size: s.size, top: s.base + s.size, origin: 'launch', slots: [] });
    }
    for (const s of stacksFromSymbols(opts.symbols ?? [])) {
      if (seen.has(s.name)) continue;
      // A stack the launch configuration names at the same place wins.
      if (this.fixed.some((f) => f.base === s.base && f.size === s.size)) continue;
      seen.add(s.name);
      this.fixed.push({ name: s.name, base: s.base, size: s.size, top: s.base + s.size, origin: 'symbol', slots: [] });
    }
  }

  // ---- attaching ------------------------------------------------------------------------------------

  /** Starts listening to the CPU (after the machine has set its own onDeliver). */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    const cpu = this.cpu;
    this.prevDeliver = cpu.onDeliver;
    const prev = this.prevDeliver;
    const own: DeliverHook = (v, code, kind, slot, newCpl, newRsp) => {
      if (prev !== null) prev(v, code, kind, slot, newCpl, newRsp);
      this.delivered(v, code, slot, newRsp);
    };
    cpu.onDeliver = own;
    setStackHook(cpu, (_c, oldRsp) => this.rspWritten(oldRsp));
    this.rebuild();
    this.cur = this.stackAt(cpu.rsp());
    this.sample();
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.cpu.onDeliver = this.prevDeliver;
    setStackHook(this.cpu, null);
    this.dropGuards();
    this.clearTempBreak();
  }

  // ---- the stacks -----------------------------------------------------------------------------------

  /** The known stacks (re-reads the TSS first). */
  stacks(): readonly KnownStack[] {
    this.refreshTss();
    return this.list;
  }

  /** The stack `rsp` is on (base <= rsp <= top; at a shared boundary, the stack whose top it is). */
  stackAt(rsp: number): KnownStack | null {
    let hit: KnownStack | null = null;
    for (const s of this.list) {
      if (rsp < s.base || rsp > s.top) continue;
      if (rsp === s.top) return s;
      if (hit === null) hit = s;
    }
    return hit;
  }

  /** A stack by name, or by its name without a `_stack`/`stack` ending, or by a TSS slot. */
  find(name: string): KnownStack | undefined {
    const stacks = this.stacks();
    const n = name.toLowerCase();
    return (
      stacks.find((s) => s.name.toLowerCase() === n) ??
      stacks.find((s) => s.name.toLowerCase().replace(/_?stack$/, '') === n) ??
      stacks.find((s) => s.slots.some((x) => x.toLowerCase() === n))
    );
  }

  /** Each stack with RSP, use, deepest use, and the page below. */
  status(): StackStatus[] {
    const stacks = this.stacks();
    const rsp = this.cpu.rsp();
    this.sample();
    const on = this.stackAt(rsp);
    return stacks.map((s) => {
      const current = s === on;
      return { ...s, slots: s.slots.slice(), current, used: current ? s.top - rsp : 0, deepest: this.deepest(s), belowTouched: this.touched.has(s.name) };
    });
  }

  /** Bytes in use on `s` now (0 when RSP is elsewhere). */
  used(s: KnownStack): number {
    const rsp = this.cpu.rsp();
    return this.stackAt(rsp) === s ? s.top - rsp : 0;
  }

  /** The deepest use of `s` since the tracker started: the lowest RSP seen there, or the lowest byte
   * that differs from the stack's content when the tracker first saw it (pushes between samples). */
  deepest(s: KnownStack): number {
    let d = 0;
    const low = this.deepestRsp.get(s.name);
    if (low !== undefined) d = s.top - low;
    const init = this.initial.get(s.name);
    if (init) {
      const now = this.readBytes(s.base, s.size);
      if (now) {
        let i = 0;
        while (i < now.length && now[i] === init[i]) i++;
        if (i < now.length) d = Math.max(d, s.size - (i & ~7));
      }
    }
    return Math.min(d, s.size);
  }

  private sample(): void {
    const rsp = this.cpu.rsp();
    const s = this.stackAt(rsp);
    if (s === null) return;
    const low = this.deepestRsp.get(s.name);
    if (low === undefined || rsp < low) this.deepestRsp.set(s.name, rsp);
  }

  /** The TSS's RSP0-2/IST1-7 when TR or the TSS's values changed: the stack list is rebuilt. */
  private refreshTss(): void {
    const cpu = this.cpu;
    const key = `${cpu.trSel}:${cpu.trBase}:${cpu.trLimit}`;
    const vals: number[] = [];
    if (cpu.trLimit >= 0x67 && (cpu.efer & 0x400) !== 0) {
      for (const off of SLOT_OFFSETS) vals.push(this.read64(cpu.trBase + off) ?? 0);
    }
    if (key === this.tssKey && vals.length === this.tssValues.length && vals.every((v, i) => v === this.tssValues[i])) return;
    this.tssKey = key;
    this.trSeen = cpu.trBase;
    this.tssValues = vals;
    this.rebuild();
  }

  private rebuild(): void {
    const list = layoutStacks(this.fixed, this.tssValues, this.defaultSize, this.symbols);
    // Keep the state of stacks that stay.
    const cur = this.cur?.name;
    this.list = list;
    this.cur = cur === undefined ? null : (list.find((s) => s.name === cur) ?? null);
    for (const s of list) if (!this.initial.has(s.name)) this.initial.set(s.name, this.readBytes(s.base, s.size));
    if (this.attached) this.placeGuards();
  }

  private placeGuards(): void {
    this.dropGuards();
    if (!this.guard) return;
    for (const s of this.list) {
      const low = s.base - PAGE;
      if (low < -140737488355328) continue;
      const id = this.cpu.addWatch(low, PAGE, true, true);
      this.ownIds.add(id);
      this.guards.push({ id, stack: s, low });
    }
  }

  private dropGuards(): void {
    for (const g of this.guards) this.cpu.removeWatch(g.id);
    this.guards = [];
  }

  // ---- events ---------------------------------------------------------------------------------------

  /** A delivery through the IDT: the frame is written at `frame`, nothing is committed yet. */
  private delivered(vector: number, code: number, slot: string, frame: number): void {
    const cpu = this.cpu;
    if (cpu.instructionCount < this.frontier) return;
    this.frontier = cpu.instructionCount;
    this.refreshTss();
    const before = cpu.rsp();
    const from = this.stackAt(before);
    const hasCode = code >= 0;
    const high = frame + (hasCode ? 48 : 40);
    const to = this.stackAt(frame);
    const rip = cpu.ip;
    let stop: TrackerStop | null = null;
    const cause = slot === '' ? 'interrupt' : slot;
    // Detector: the same IST while an earlier frame pushed through it is live and would be overwritten.
    if (slot.startsWith('IST') && this.detect['ist-reentry']) {
      for (let i = this.live.length - 1; i >= 0; i--) {
        const f = this.live[i]!;
        if (f.slot !== slot || !(frame < f.high && high > f.low)) continue;
        const where = to?.name ?? hexAddr(frame);
        stop ??= this.alert({
          kind: 'ist-reentry',
          count: cpu.instructionCount,
          rip,
          stack: to?.name ?? null,
          vector,
          message: `vector ${vector} delivered through ${slot} while the frame of vector ${f.vector} (delivered at instruction ${f.count}) is live on ${where}: the new frame at ${hexAddr(frame)} overwrites it`,
        });
        break;
      }
    }
    // A push below a stack's bottom that faulted (the page below unmapped): #PF, or the #DF it
    // became, with CR2 in the page below the stack RSP is at the bottom of.
    if ((vector === 14 || vector === 8) && this.detect.overflow) {
      const cr2 = cpu.cr2;
      for (const s of this.list) {
        if (!(cr2 >= s.base - PAGE && cr2 < s.base && before >= s.base - PAGE && before <= s.base + 64)) continue;
        this.touched.add(s.name);
        stop = this.alert({
          kind: 'overflow',
          count: cpu.instructionCount,
          rip,
          stack: s.name,
          vector,
          message: `stack overflow: a push below the bottom of ${s.name} (${hexAddr(s.base)}-${hexAddr(s.top)}) faulted: rsp ${hexAddr(before)}, ${vector === 8 ? '#DF after a #PF' : '#PF'} at cr2 ${hexAddr(cr2)}`,
        }) ?? stop;
        break;
      }
    }
    if (this.live.length >= MAX_LIVE) this.live.shift();
    this.live.push({ slot, vector, count: cpu.instructionCount, low: frame, ripSlot: hasCode ? frame + 8 : frame, high, rip, cs: cpu.segSel[1]!, rsp: before, ss: cpu.segSel[2]! });
    if (from !== to) {
      const sw = this.record({ count: cpu.instructionCount, rip, from: from?.name ?? null, to: to?.name ?? null, cause, vector, rspBefore: before, rspAfter: frame });
      // A frame pushed on the current stack below its bottom: overflow (a TSS stack is a switch).
      if (slot === '' && from !== null && frame < from.base && before >= from.base) stop = this.overflow(from, to, frame, rip, vector) ?? stop;
      if (this.stopOnSwitch && !this.replayed) stop ??= { kind: 'switch', switch: sw };
    }
    this.cur = to;
    this.deliveredAt = cpu.instructionCount;
    this.deliveredFrame = frame;
    if (to !== null) {
      const low = this.deepestRsp.get(to.name);
      if (low === undefined || frame < low) this.deepestRsp.set(to.name, frame);
    }
    if (stop !== null) this.stopAtHandler(vector, stop);
  }

  /** After an instruction that set RSP explicitly (cpu.onStackSwitch). */
  private rspWritten(before: number): void {
    const cpu = this.cpu;
    const after = cpu.rsp();
    const ip = cpu.opIp;
    if (cpu.instructionCount < this.frontier) return;
    this.frontier = cpu.instructionCount;
    if (cpu.trBase !== this.trSeen) this.refreshTss();
    // INT n and faults: the delivery was seen (onDeliver) during this instruction.
    if (this.deliveredAt === cpu.instructionCount && after === this.deliveredFrame) return;
    const cause = this.mnemonicAt(ip);
    let stop: TrackerStop | null = null;
    if (cause === 'iretq' || cause === 'iret' || cause === 'iretd') stop = this.iret(before, after, ip);
    // Frames RSP has moved above (on their stack) are gone.
    for (let i = this.live.length - 1; i >= 0; i--) {
      const f = this.live[i]!;
      if (after > f.ripSlot && after <= f.high + PAGE * 4 && before <= f.ripSlot && this.stackAt(after) === this.stackAt(f.ripSlot)) this.live.splice(i, 1);
    }
    const from = this.stackAt(before);
    const to = this.stackAt(after);
    if (from !== to) {
      const sw = this.record({ count: cpu.instructionCount, rip: ip, from: from?.name ?? null, to: to?.name ?? null, cause, rspBefore: before, rspAfter: after });
      // Below the bottom: arithmetic on RSP (a large frame) by any amount; a load of RSP only into
      // the page below (a load elsewhere is a switch, even to a stack further down).
      const arith = ARITH.has(cause);
      if (from !== null && after < from.base && before >= from.base && (arith || (after >= from.base - PAGE && (to === null || to.top === from.base))))
        stop = this.overflow(from, to, after, ip, undefined) ?? stop;
      if (this.stopOnSwitch && !this.replayed) stop ??= { kind: 'switch', switch: sw };
    }
    this.cur = to;
    if (from !== null) {
      const low = this.deepestRsp.get(from.name);
      if (low === undefined || before < low) this.deepestRsp.set(from.name, before);
    }
    this.sample();
    if (stop !== null) this.requestStop(stop);
  }

  /** IRETQ popped the frame at `before`: was it the frame the CPU pushed there, unchanged? */
  private iret(before: number, after: number, ip: number): TrackerStop | null {
    const cpu = this.cpu;
    for (let i = this.live.length - 1; i >= 0; i--) {
      const f = this.live[i]!;
      if (f.ripSlot !== before) continue;
      this.live.length = i;
      const got = { rip: cpu.ip, cs: cpu.segSel[1]!, rsp: after, ss: cpu.segSel[2]! };
      const bad: string[] = [];
      if (got.rip !== f.rip) bad.push(`rip ${hexAddr(f.rip)} -> ${hexAddr(got.rip)}`);
      if (got.cs !== f.cs) bad.push(`cs ${hexAddr(f.cs)} -> ${hexAddr(got.cs)}`);
      if (got.rsp !== f.rsp) bad.push(`rsp ${hexAddr(f.rsp)} -> ${hexAddr(got.rsp)}`);
      if ((got.ss & 0xfffc) !== (f.ss & 0xfffc)) bad.push(`ss ${hexAddr(f.ss)} -> ${hexAddr(got.ss)}`);
      if (bad.length === 0 || !this.detect['iret-overwritten']) return null;
      const on = this.stackAt(before);
      return this.alert({
        kind: 'iret-overwritten',
        count: cpu.instructionCount,
        rip: ip,
        stack: on?.name ?? null,
        vector: f.vector,
        message: `IRETQ at ${hexAddr(ip)} popped the frame of vector ${f.vector} (delivered at instruction ${f.count}${f.slot ? ` through ${f.slot}` : ''}) at ${hexAddr(before)}${on ? ` on ${on.name}` : ''}, overwritten since delivery: ${bad.join(', ')}`,
      });
    }
    // Not a frame the CPU pushed there: a copy (an entry path that moves the frame to another
    // stack, as Linux's paranoid entries do) returning where a live frame would is that frame's
    // return; a frame built by software is nobody's.
    for (let i = this.live.length - 1; i >= 0; i--) {
      const f = this.live[i]!;
      if (f.rip === cpu.ip && f.rsp === after && f.cs === cpu.segSel[1] && (f.ss & 0xfffc) === (cpu.segSel[2]! & 0xfffc)) {
        this.live.length = i;
        break;
      }
    }
    return null;
  }

  private overflow(from: KnownStack, to: KnownStack | null, rsp: number, rip: number, vector: number | undefined): TrackerStop | null {
    this.touched.add(from.name);
    if (!this.detect.overflow) return null;
    return this.alert({
      kind: 'overflow',
      count: this.cpu.instructionCount,
      rip,
      stack: from.name,
      vector,
      message: `stack overflow: RSP left ${from.name} (${hexAddr(from.base)}-${hexAddr(from.top)}) through its bottom: rsp ${hexAddr(rsp)}${to ? ` is on ${to.name}` : ''}, ${from.base - rsp} bytes below`,
    });
  }

  /**
   * After a run stopped with StopReason.Watchpoint: takes the tracker's own hits out of
   * cpu.watchHits (the page below a stack: belowTouched, overflow). Returns true when hits of
   * others remain (the stop is theirs too).
   */
  handleWatchHits(): boolean {
    const cpu = this.cpu;
    const hits = cpu.watchHits;
    if (this.ownIds.size === 0) return hits.length > 0;
    const rsp = cpu.rsp();
    let stop: TrackerStop | null = null;
    const replay = cpu.instructionCount - 1 < this.frontier;
    if (!replay) this.frontier = cpu.instructionCount - 1;
    for (let i = hits.length - 1; i >= 0; i--) {
      const h = hits[i]!;
      if (!this.ownIds.has(h.id)) continue;
      hits.splice(i, 1);
      const g = this.guards.find((x) => x.id === h.id);
      if (!g || replay) continue;
      const s = g.stack;
      const was = this.cur;
      const now = this.stackAt(rsp);
      if (was === s && rsp >= g.low && rsp <= s.top) this.touched.add(s.name);
      if (was === s && rsp < s.base) {
        // A push or call (or a frame) went below the bottom.
        const sw = this.record({ count: cpu.instructionCount - 1, rip: cpu.opIp, from: s.name, to: now?.name ?? null, cause: this.mnemonicAt(cpu.opIp), rspBefore: s.base, rspAfter: rsp });
        this.cur = now;
        stop = this.overflow(s, now, rsp, sw.rip, undefined) ?? stop;
        if (this.stopOnSwitch) stop ??= { kind: 'switch', switch: sw };
      } else if (was === null && now === s) {
        // A pop or return from below the bottom brought RSP back onto the stack.
        const sw = this.record({ count: cpu.instructionCount - 1, rip: cpu.opIp, from: null, to: s.name, cause: this.mnemonicAt(cpu.opIp), rspBefore: s.base - 8, rspAfter: rsp });
        this.cur = s;
        if (this.stopOnSwitch) stop ??= { kind: 'switch', switch: sw };
      }
    }
    if (stop !== null) this.pending ??= stop;
    return hits.length > 0;
  }

  /** The switches that have happened at the current guest time (after time travel back, the
   * recorded ones past it are left out). */
  switchesSoFar(): StackSwitch[] {
    const now = this.cpu.instructionCount;
    return this.switches.filter((s) => s.count < now || (s.count === now && s.vector !== undefined));
  }

  /** The alerts that have happened at the current guest time. */
  alertsSoFar(): StackAlert[] {
    const now = this.cpu.instructionCount;
    return this.alerts.filter((a) => a.count < now || (a.count === now && a.vector !== undefined && a.kind !== 'iret-overwritten'));
  }

  /** The stop the tracker asked for, once (the caller shows it); clears the temporary breakpoint. */
  takeStop(): TrackerStop | null {
    const p = this.pending;
    this.pending = null;
    this.clearTempBreak();
    return p;
  }

  /** A stop is waiting (the run returned Breakpoint or Watchpoint because of the tracker). */
  get stopPending(): boolean {
    return this.pending !== null;
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private record(s: StackSwitch): StackSwitch {
    // The same switch again at the same guest time: a replay reaching the latest event.
    const last = this.switches[this.switches.length - 1];
    if (last && last.count === s.count && last.rip === s.rip && last.cause === s.cause && last.from === s.from && last.to === s.to) {
      this.replayed = true;
      return last;
    }
    this.replayed = false;
    if (this.switches.length >= this.historyLimit) this.switches.splice(0, this.switches.length - this.historyLimit + 1);
    this.switches.push(s);
    if (this.onSwitch !== null) this.onSwitch(s);
    return s;
  }

  private alert(a: StackAlert): TrackerStop | null {
    const last = this.alerts[this.alerts.length - 1];
    if (last && last.count === a.count && last.rip === a.rip && last.kind === a.kind) return null;
    this.alerts.push(a);
    if (this.onAlert !== null) this.onAlert(a);
    return this.stopOnAlert ? { kind: 'alert', alert: a } : null;
  }

  /** Inside an instruction: stop at the next boundary (the first instruction on the new stack). */
  private requestStop(stop: TrackerStop): void {
    if (this.pending === null || (this.pending.kind === 'switch' && stop.kind === 'alert')) this.pending = stop;
    this.cpu.requestStop(StopReason.Breakpoint);
  }

  /** During a delivery (which may run at a boundary, after the stop checks): also break at the handler. */
  private stopAtHandler(vector: number, stop: TrackerStop): void {
    this.requestStop(stop);
    const cpu = this.cpu;
    const g = cpu.idtBase + vector * 16;
    const w0 = this.read32(g), w1 = this.read32(g + 4), w2 = this.read32(g + 8);
    if (w0 === null || w1 === null || w2 === null) return;
    const t = (w2 | 0) * TWO32 + (((w1 & 0xffff0000) | (w0 & 0xffff)) >>> 0);
    if (!cpu.breakpoints.has(t)) {
      this.clearTempBreak();
      this.tempBreak = t;
      cpu.breakpoints.add(t);
    }
  }

  private clearTempBreak(): void {
    if (!Number.isNaN(this.tempBreak)) this.cpu.breakpoints.delete(this.tempBreak);
    this.tempBreak = NaN;
  }

  /** The mnemonic of the instruction at `ip` in lower case (cached by address). */
  private mnemonicAt(ip: number): string {
    let m = this.causes.get(ip);
    if (m === undefined) {
      m = this.cpu.decodeAt(ip)?.form?.mnemonic.toLowerCase() ?? 'rsp';
      if (this.causes.size > 4096) this.causes.clear();
      this.causes.set(ip, m);
    }
    return m;
  }

  private read32(lin: number): number | null {
    const p = this.cpu.peekTranslate(lin);
    if (p === null || p + 4 > this.cpu.ramSize || (lin & 0xfff) > 0xffc) return null;
    return this.cpu.dv.getUint32(p, true);
  }

  /** A canonical 64-bit value at `lin` (null when unmapped). */
  private read64(lin: number): number | null {
    const lo = this.read32(lin), hi = this.read32(lin + 4);
    if (lo === null || hi === null) return null;
    return (hi | 0) * TWO32 + lo;
  }

  private readBytes(lin: number, n: number): Uint8Array | null {
    if (n > 1 << 20) return null;
    const out = new Uint8Array(n);
    for (let off = 0; off < n; ) {
      const p = this.cpu.peekTranslate(lin + off);
      const chunk = Math.min(n - off, PAGE - ((lin + off) & 0xfff));
      if (p === null || p + chunk > this.cpu.ramSize) return null;
      out.set(new Uint8Array(this.cpu.dv.buffer, this.cpu.dv.byteOffset + p, chunk), off);
      off += chunk;
    }
    return out;
  }
}

/** cpu.onStackSwitch (called after instructions that load RSP and after deliveries). */
function setStackHook(cpu: Cpu, h: StackHook | null): void {
  cpu.onStackSwitch = h;
}
