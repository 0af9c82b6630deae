// Time travel: a recorded history of one machine that can be revisited at any point.
//
// Positions: guest time counts instructions *and* the time HLT skips (cpu.instructionCount); an
// interrupt or exception delivery does not advance it but is a step of its own for a debugger.
// A position is therefore instructionCount + deliveries (deliveries counted through cpu.onDeliver):
// it grows by one per step and names every state a forward run stops at.
//
// Recording: run() executes through machine.run in chunks that end exactly at snapshot positions
// (every `interval` positions at the frontier). A snapshot holds the Cpu and device state
// (snapshot.ts) and the RAM pages written since the previous one (the MMU's dirty-page tracking;
// a page that did not change is not stored). The first snapshot holds every non-zero page.
// Going to position p = restoring the nearest snapshot at or before p (only the pages that differ
// between the current state and that snapshot are copied) + replaying forward to p. The machine is
// deterministic, so the replay reaches the same states.
//
// Inputs from outside (the debugger writing a register or memory, setting RIP, injecting an
// NMI/IRQ/#MC) are detected at the next run after a stop and start a new history from there: the
// recorded future is dropped and a snapshot is taken right after the change, so replaying meets
// the change exactly where it happened. Events scheduled for later (clock.schedule) are part of
// the device state.
//
// Memory: snapshots and page copies are counted against maxMemoryMiB; when it is passed the oldest
// snapshots are dropped (their pages handed to the next one when still needed) and onTrim says how
// far back one can still go. Pure TypeScript, no Node APIs.

import { StopReason } from '../cpu/cpu';
import type { Machine, MachineEvent } from '../machine';
import { captureMachine, restoreMachine, type MachineState } from './snapshot';

export interface TimeTravelOptions {
  /** Memory budget for the history in MiB (default 512). */
  maxMemoryMiB?: number;
  /** Positions between two snapshots (default 1,000,000: a step back replays half of that on average). */
  interval?: number;
  /** Called when the oldest history was dropped to stay within the budget. */
  onTrim?: (info: { startCount: number; droppedSnapshots: number }) => void;
  /** Check at every existing snapshot that a replay reached the recorded state (tests). */
  verify?: boolean;
}

/** An interrupt or exception delivery in the history (also a stack switch when tssSlot is set). */
export interface TravelEvent {
  /** Position right after the delivery (the handler's first instruction is next). */
  position: number;
  count: number;
  vector: number;
  /** 0 exception, 1 software interrupt, 2 external (or NMI). */
  kind: number;
  errorCode: number;
  tssSlot: string;
  cplBefore: number;
  cplAfter: number;
  rspBefore: number;
  rspAfter: number;
  /** RIP of the interrupted (or faulting) instruction. */
  rip: number;
}

interface Snapshot {
  pos: number;
  deliveries: number;
  state: MachineState;
  /** RAM pages whose copy this snapshot holds (changed since the previous snapshot). */
  pages: number[];
  /** Taken right after a change from outside: a replay that reaches it loads it. */
  input: boolean;
}

interface PageVersion {
  pos: number;
  data: Uint8Array;
}

const PAGE = 4096;
const PAGE_OVERHEAD = 64;
const SNAPSHOT_OVERHEAD = 256;

export class TimeTravel {
  readonly machine: Machine;
  /** Interrupt/exception deliveries so far (part of the position). */
  private deliveries = 0;
  private readonly snaps: Snapshot[] = [];
  private readonly versions = new Map<number, PageVersion[]>();
  /** Index of the snapshot the dirty-page bitmap is relative to. */
  private base = 0;
  /** The furthest position of this history. */
  private frontier = 0;
  private readonly interval: number;
  private readonly budget: number;
  private bytes = 0;
  private readonly serialLog: { pos: number; bytes: Uint8Array }[] = [];
  private readonly eventLog: TravelEvent[] = [];
  /** State fingerprint at the last stop (to detect the debugger's changes before the next run). */
  private stopPrint: string | null = null;
  private readonly opts: TimeTravelOptions;
  /** Replay in progress (serial output and events are not new). */
  private depth = 0;
  /** Snapshots dropped for the budget so far. */
  dropped = 0;

  /** machine.run as it was when recording began (whoever wraps machine.run may call this.run). */
  private readonly rawRun: (n: number) => StopReason;

  constructor(machine: Machine, opts: TimeTravelOptions = {}) {
    this.machine = machine;
    const run = machine.run;
    this.rawRun = (n) => run.call(machine, n);
    this.opts = opts;
    this.interval = Math.max(1000, Math.floor(opts.interval ?? 1_000_000));
    this.budget = Math.max(1, opts.maxMemoryMiB ?? 512) * 1024 * 1024;
    const cpu = machine.cpu;
    const inner = cpu.onDeliver;
    cpu.onDeliver = (vector, errorCode, kind, tssSlot, newCpl, newRsp) => {
      this.deliveries++;
      const pos = this.position;
      if (pos > this.frontier) {
        this.eventLog.push({ position: pos, count: cpu.instructionCount, vector, kind, errorCode, tssSlot, cplBefore: cpu.cpl, cplAfter: newCpl, rspBefore: cpu.rsp(), rspAfter: newRsp, rip: cpu.ip });
      }
      // Hooks installed before (the debugger's bookkeeping) see deliveries of the present only.
      if (inner !== null && this.depth === 0) inner(vector, errorCode, kind, tssSlot, newCpl, newRsp);
    };
    cpu.trackDirty(true);
    this.frontier = this.position;
    this.snapshot(true);
  }

  // ---- where we are ----------------------------------------------------------------------------

  /** The current position (instructionCount + deliveries). */
  get position(): number {
    return this.machine.cpu.instructionCount + this.deliveries;
  }
  /** The earliest position one can go back to. */
  get start(): number {
    return this.snaps[0]!.pos;
  }
  /** The guest time (instruction count) of the earliest reachable position. */
  get startCount(): number {
    return this.snaps[0]!.state.count;
  }
  /** The furthest position recorded in this history. */
  get end(): number {
    return Math.max(this.frontier, this.position);
  }
  /** Bytes held by the history (snapshots and page copies). */
  get memoryBytes(): number {
    return this.bytes;
  }
  get snapshotCount(): number {
    return this.snaps.length;
  }

  /** Deliveries recorded in this history, oldest first. */
  events(): readonly TravelEvent[] {
    return this.eventLog;
  }

  /** The serial output the guest has written before the current position. */
  serialOutput(): Uint8Array {
    const pos = this.position;
    let n = 0;
    for (const s of this.serialLog) if (s.pos < pos) n += s.bytes.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const s of this.serialLog) {
      if (s.pos >= pos) break;
      out.set(s.bytes, o);
      o += s.bytes.length;
    }
    return out;
  }

  /**
   * The machine's serial sink calls this with what the guest wrote: returns true when the bytes
   * are new (show them), false when a replay wrote them again.
   */
  serial(bytes: Uint8Array): boolean {
    const pos = this.position;
    if (pos < this.frontier) return false;
    this.serialLog.push({ pos, bytes: bytes.slice() });
    return true;
  }

  // ---- running forward -------------------------------------------------------------------------

  /** As machine.run, recording (and replaying through recorded history at full speed). */
  run(max: number): StopReason {
    this.noticeChanges();
    const target = this.position + Math.max(0, max);
    const cpu = this.machine.cpu;
    let first = true;
    for (;;) {
      const pos = this.position;
      if (pos >= target) return StopReason.Limit;
      // A run that is split here would have stopped at a breakpoint on this instruction.
      if (!first && !cpu.halted && cpu.breakpoints.size !== 0 && cpu.breakpoints.has(cpu.ip)) return StopReason.Breakpoint;
      first = false;
      const next = this.nextSnapshotPos();
      const r = this.rawRun(Math.min(target, next) - pos);
      const now = this.position;
      if (now >= next) this.atSnapshot();
      if (now > this.frontier) this.frontier = now;
      if (r !== StopReason.Limit) return r;
    }
  }

  /** As machine.step. */
  step(): StopReason {
    const r = this.run(1);
    return r === StopReason.Limit ? StopReason.None : r;
  }

  /** The debugger stopped here: remember the state to see whether it changes it before resuming. */
  stopped(): void {
    this.stopPrint = this.fingerprint();
  }

  /**
   * The state was changed from outside at the current position (a register, memory, RIP, an
   * injection): the recorded future is dropped and the history goes on from this state.
   */
  changed(): void {
    const pos = this.position;
    while (this.snaps.length > 1 && this.snaps[this.snaps.length - 1]!.pos > pos) this.dropLast();
    while (this.serialLog.length && this.serialLog[this.serialLog.length - 1]!.pos >= pos) this.serialLog.pop();
    while (this.eventLog.length && this.eventLog[this.eventLog.length - 1]!.position > pos) this.eventLog.pop();
    this.frontier = pos;
    this.snapshot(false);
    this.snaps[this.snaps.length - 1]!.input = true;
    this.stopPrint = null;
  }

  private noticeChanges(): void {
    if (this.stopPrint === null) return;
    const before = this.stopPrint;
    this.stopPrint = null;
    if (this.fingerprint() !== before || this.anyDirtySince()) this.changed();
  }

  /** Pages written since the last stop mark: the dirty bitmap is cleared at stops we fingerprint. */
  private dirtyAtStop: Uint8Array | null = null;
  private anyDirtySince(): boolean {
    const d = this.machine.cpu.dirtyPages!;
    const was = this.dirtyAtStop;
    this.dirtyAtStop = null;
    if (was === null) return false;
    for (let i = 0; i < d.length; i++) if (d[i] !== was[i]) return true;
    return false;
  }

  private fingerprint(): string {
    const m = this.machine;
    const cpu = m.cpu;
    this.dirtyAtStop = cpu.dirtyPages!.slice();
    // Compare RFLAGS by value: reading it (the UI does) materializes the lazy flags.
    const lf = cpu.lf.slice();
    const f = cpu.flagsReg;
    cpu.getFlags();
    const s = captureMachine(m);
    cpu.lf.set(lf);
    cpu.flagsReg = f;
    return stateKey(s);
  }

  // ---- going anywhere ----------------------------------------------------------------------------

  /**
   * Goes to position `target` (clamped to the recorded history; beyond it the machine runs
   * forward, recording). Lands on the first position >= target a step can stop at. Returns the
   * StopReason of a run that could not get there (Hlt, TripleFault, IoExit...), else None.
   */
  goTo(target: number): StopReason {
    this.noticeChanges();
    target = Math.max(this.start, Math.floor(target));
    const k = this.snapshotAtOrBefore(target);
    if (target < this.position || this.snaps[k]!.pos > this.position) this.restoreTo(k);
    return this.replayTo(target);
  }

  /** Goes to the first position whose instruction count is `count` (the state before that instruction). */
  goToCount(count: number): StopReason {
    this.noticeChanges();
    count = Math.max(this.startCount, Math.floor(count));
    const cpu = this.machine.cpu;
    let k = this.snaps.length - 1;
    while (k > 0 && this.snaps[k]!.state.count >= count) k--;
    if (cpu.instructionCount > count || this.snaps[k]!.pos > this.position) this.restoreTo(k);
    return this.quiet(() => {
      while (cpu.instructionCount < count) {
        const r = this.run(count - cpu.instructionCount);
        if (r !== StopReason.Limit && r !== StopReason.Breakpoint && r !== StopReason.Watchpoint && r !== StopReason.Exception) return r;
      }
      return StopReason.None;
    });
  }

  /** Back one step (an instruction or a delivery); false at the start of the history. */
  stepBack(): boolean {
    this.noticeChanges();
    const pos = this.position;
    if (pos <= this.start) return false;
    for (let d = 1; d <= 4 && pos - d >= this.start; d++) {
      this.goTo(pos - d);
      if (this.position < pos) return true;
    }
    return this.position < pos;
  }

  /** The snapshot positions (search windows for reverse-continue), oldest first. */
  snapshotPositions(): number[] {
    return this.snaps.map((s) => s.pos);
  }

  /** Runs fn as a replay: the deliveries it makes are not passed on to hooks installed before. */
  replaying<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** A replay with the debugger's breakpoints and intercepted exceptions out of the way. */
  private quiet<T>(fn: () => T): T {
    const cpu = this.machine.cpu;
    const bps = [...cpu.breakpoints];
    const intercept = cpu.interceptExceptions;
    cpu.breakpoints.clear();
    cpu.interceptExceptions = 0;
    try {
      return this.replaying(fn);
    } finally {
      for (const b of bps) cpu.breakpoints.add(b);
      cpu.interceptExceptions = intercept;
      cpu.watchHits.length = 0;
    }
  }

  private replayTo(target: number): StopReason {
    return this.quiet(() => {
      for (;;) {
        const left = target - this.position;
        if (left <= 0) return StopReason.None;
        // Big runs, then single steps: an NMI delivery (not counted against a run's limit) could
        // otherwise carry a run past the target.
        const r = this.run(left > 64 ? left - 32 : 1);
        if (r === StopReason.Hlt || r === StopReason.TripleFault || r === StopReason.IoExit) return r;
      }
    });
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  private nextSnapshotPos(): number {
    const pos = this.position;
    const after = this.nearestSnapshotAfter(pos);
    if (after !== Infinity) return after;
    return this.snaps[this.snaps.length - 1]!.pos + this.interval;
  }

  /** The first snapshot position > pos, or Infinity. */
  private nearestSnapshotAfter(pos: number): number {
    const i = this.firstSnapshotAfter(pos);
    return i < this.snaps.length ? this.snaps[i]!.pos : Infinity;
  }

  /** Index of the last snapshot at or before pos (0 if none). */
  private snapshotAtOrBefore(pos: number): number {
    return Math.max(0, this.firstSnapshotAfter(pos) - 1);
  }

  /** Index of the first snapshot whose position is > pos (snaps.length if none). */
  private firstSnapshotAfter(pos: number): number {
    const s = this.snaps;
    let lo = 0, hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Reached a snapshot position while running: rebase on an existing snapshot or take a new one. */
  private atSnapshot(): void {
    const pos = this.position;
    const k = this.snapshotAtOrBefore(pos);
    const s = this.snaps[k]!;
    if (s.pos === pos && pos <= this.frontier) {
      if (s.input) {
        // The debugger changed the state here: the history goes on from the changed state.
        this.restoreTo(k);
        return;
      }
      if (this.opts.verify) {
        const now = stateKey(captureMachine(this.machine));
        if (now !== stateKey(s.state)) throw new Error(`time travel: the replay diverged from the recording at position ${pos}`);
      }
      if (k !== this.base) {
        // RAM now equals snapshot k's: the dirty pages are relative to it from here on.
        this.machine.cpu.dirtyPages!.fill(0);
        this.machine.cpu.dropWriteTags();
        this.base = k;
      }
      return;
    }
    if (k === this.snaps.length - 1 && pos > s.pos) this.snapshot(false);
  }

  private snapshot(initial: boolean): void {
    const cpu = this.machine.cpu;
    const pos = this.position;
    const u8 = cpu.u8;
    const dirty = cpu.dirtyPages!;
    const last = this.snaps[this.snaps.length - 1];
    const replace = last !== undefined && last.pos === pos;
    const pages: number[] = replace ? last.pages : [];
    const words = new Int32Array(cpu.ram.buffer);
    for (let p = 0; p < dirty.length; p++) {
      if (initial) {
        let any = false;
        for (let i = p * 1024, e = i + 1024; i < e; i++) {
          if (words[i] !== 0) {
            any = true;
            break;
          }
        }
        if (!any) continue;
      } else if (dirty[p] === 0) continue;
      const off = p * PAGE;
      const vs = this.versions.get(p);
      const latest = vs?.[vs.length - 1];
      if (latest !== undefined && equalPage(latest.data, u8, off)) continue;
      const data = u8.slice(off, off + PAGE);
      if (latest !== undefined && latest.pos === pos) {
        latest.data = data;
        continue;
      }
      if (vs) vs.push({ pos, data });
      else this.versions.set(p, [{ pos, data }]);
      if (!replace || !pages.includes(p)) pages.push(p);
      this.bytes += PAGE + PAGE_OVERHEAD;
    }
    dirty.fill(0);
    cpu.dropWriteTags();
    const state = captureMachine(this.machine);
    if (replace) {
      this.bytes -= last.state.bytes;
      last.state = state;
      last.deliveries = this.deliveries;
    } else {
      this.snaps.push({ pos, deliveries: this.deliveries, state, pages, input: false });
      this.bytes += SNAPSHOT_OVERHEAD;
    }
    this.bytes += state.bytes;
    this.base = this.snaps.length - 1;
    if (pos > this.frontier) this.frontier = pos;
    this.trim();
  }

  /** Restores snapshot k: its Cpu and device state, and the RAM pages that differ from it now. */
  private restoreTo(k: number): void {
    const cpu = this.machine.cpu;
    const s = this.snaps[k]!;
    const dirty = cpu.dirtyPages!;
    const lo = Math.min(k, this.base), hi = Math.max(k, this.base);
    for (let i = lo + 1; i <= hi; i++) for (const p of this.snaps[i]!.pages) dirty[p] = 1;
    const u8 = cpu.u8;
    for (let p = 0; p < dirty.length; p++) {
      if (dirty[p] === 0) continue;
      const off = p * PAGE;
      const v = this.versionAt(p, s.pos);
      if (v) u8.set(v, off);
      else u8.fill(0, off, off + PAGE);
      if (cpu.codeMap[p] !== 0) cpu.code.written(off, PAGE);
    }
    dirty.fill(0);
    // The machine's own run bookkeeping (a pending stop, the exit value) belongs to the present.
    this.machine.reset();
    restoreMachine(this.machine, s.state);
    this.deliveries = s.deliveries;
    cpu.dropWriteTags();
    this.base = k;
  }

  /** The content of page p at position pos (undefined: all zero). */
  private versionAt(p: number, pos: number): Uint8Array | undefined {
    const vs = this.versions.get(p);
    if (!vs) return undefined;
    let lo = 0, hi = vs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vs[mid]!.pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? vs[lo - 1]!.data : undefined;
  }

  /** Drops the newest snapshot (a new history starts before it). */
  private dropLast(): void {
    const s = this.snaps.pop()!;
    for (const p of s.pages) {
      const vs = this.versions.get(p)!;
      if (vs[vs.length - 1]?.pos === s.pos) {
        vs.pop();
        this.bytes -= PAGE + PAGE_OVERHEAD;
        if (vs.length === 0) this.versions.delete(p);
      }
      // Its changes are now part of what differs from the base.
      this.machine.cpu.dirtyPages![p] = 1;
    }
    this.bytes -= s.state.bytes + SNAPSHOT_OVERHEAD;
    if (this.base >= this.snaps.length) this.base = this.snaps.length - 1;
  }

  /** Drops the oldest snapshots while over budget (always keeps the newest). */
  private trim(): void {
    let n = 0;
    while (this.bytes > this.budget && this.snaps.length > 1) {
      const s0 = this.snaps.shift()!;
      const s1 = this.snaps[0]!;
      for (const p of s0.pages) {
        const vs = this.versions.get(p)!;
        if (vs.length > 1 && vs[1]!.pos <= s1.pos) {
          vs.shift();
          this.bytes -= PAGE + PAGE_OVERHEAD;
        } else {
          vs[0]!.pos = s1.pos;
          if (!s1.pages.includes(p)) s1.pages.push(p);
        }
      }
      this.bytes -= s0.state.bytes + SNAPSHOT_OVERHEAD;
      if (this.base === 0) {
        // The dirty pages were relative to s0: add what changed from s0 to s1.
        const d = this.machine.cpu.dirtyPages!;
        for (const p of s1.pages) d[p] = 1;
      } else this.base--;
      n++;
    }
    if (n > 0) {
      const start = this.snaps[0]!.pos;
      let i = 0;
      while (i < this.eventLog.length && this.eventLog[i]!.position < start) i++;
      this.eventLog.splice(0, i);
      this.dropped += n;
      this.opts.onTrim?.({ startCount: this.startCount, droppedSnapshots: n });
    }
  }
}

function equalPage(a: Uint8Array, u8: Uint8Array, off: number): boolean {
  const x = new Int32Array(a.buffer, a.byteOffset, PAGE / 4);
  const y = new Int32Array(u8.buffer, u8.byteOffset + off, PAGE / 4);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A comparable text of a machine state (tests, verification, change detection). */
export function stateKey(s: MachineState): string {
  return JSON.stringify([...s.devices.entries(), ['cpu', s.cpu]], (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return undefined;
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof Set) return [...v.values()];
    if (ArrayBuffer.isView(v)) return Array.from(v as Uint8Array);
    if (v === Infinity) return 'Inf';
    if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
    if (v === null || typeof v !== 'object') return v;
    if ('fields' in v && (v as { fields: unknown }).fields instanceof Map) return [...(v as { fields: Map<string, unknown> }).fields.entries()];
    const proto = Object.getPrototypeOf(v) as unknown;
    // Shared parts (the Cpu, the devices) and errors appear by reference: name them only.
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return `<${(v as object).constructor?.name ?? 'object'}>`;
    return v;
  });
}

export type { MachineEvent };
