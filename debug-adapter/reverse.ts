// Time travel in the debugger: Step Back (by instruction, by line), Reverse Continue, go to an
// instruction count, to the previous/next interrupt delivery or stack switch. The history is
// emulator/timetravel (snapshots + deterministic replay); this file turns the DAP's requests into
// moves through it and reports each arrival as a stop. The engine holds one Reverse per machine.

import { StopReason } from '../emulator/cpu/cpu';
import type { Machine as PcMachine, MachineEvent } from '../emulator/machine';
import { TimeTravel, type TravelEvent } from '../emulator/timetravel/history';
import type { CodeBreakpoint, DataBreakpoint } from './breakpoints';
import type { DebugInfo } from './debuginfo';
import { Errors, messageOf } from './errors';
import { filterOf, type DeliveryKind } from './interrupts';
import type { Machine } from './machine';
import { hex } from './memory';

export interface ReverseConfig {
  enabled: boolean;
  /** Memory the history may hold, in MiB. */
  maxMemoryMiB: number;
}

export const REVERSE_DEFAULT: ReverseConfig = { enabled: true, maxMemoryMiB: 512 };

/** The `reverse` launch attribute: `{ enabled, maxMemoryMiB }`, or true/false. */
export function parseReverse(v: unknown): ReverseConfig {
  if (v === undefined || v === null) return { ...REVERSE_DEFAULT };
  if (typeof v === 'boolean') return { ...REVERSE_DEFAULT, enabled: v };
  if (typeof v !== 'object' || Array.isArray(v))
    throw Errors.badConfig('reverse', `must be an object { "enabled": true, "maxMemoryMiB": 512 } or true/false (got ${JSON.stringify(v)})`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'enabled' && k !== 'maxMemoryMiB') throw Errors.badConfig('reverse', `has an unknown attribute '${k}' (known: enabled, maxMemoryMiB)`);
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') throw Errors.badConfig('reverse.enabled', `must be true or false (got ${JSON.stringify(o.enabled)})`);
  const mib = o.maxMemoryMiB ?? REVERSE_DEFAULT.maxMemoryMiB;
  if (typeof mib !== 'number' || !Number.isInteger(mib) || mib < 16 || mib > 65536)
    throw Errors.badConfig('reverse.maxMemoryMiB', `must be a whole number of MiB from 16 to 65536 (got ${JSON.stringify(o.maxMemoryMiB)})`);
  return { enabled: o.enabled ?? true, maxMemoryMiB: mib };
}

/** A stop to report (the engine's StopInfo). */
export interface TravelStop {
  reason: string;
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
}

/** What time travel needs from the engine. */
export interface EngineSide {
  readonly debug: DebugInfo;
  /** The user's code breakpoints at an address. */
  breakpointsAt(address: bigint): CodeBreakpoint[] | undefined;
  codeBreakpointAddresses(): Iterable<bigint>;
  dataBreakpoints(): DataBreakpoint[];
  /** Whether the exception filter `id` is on. */
  filterOn(id: string): boolean;
  /** Evaluates a breakpoint condition here (true: stop). */
  conditionHolds(condition: string): boolean;
  where(address: bigint): string;
  output(text: string): void;
}

/** kstack/goto runs forward synchronously: at most this far past the recorded history. */
const MAX_AHEAD = 200_000_000;

const STOP_RUN = new Set([StopReason.Hlt, StopReason.TripleFault, StopReason.IoExit]);

function kindName(e: TravelEvent): DeliveryKind {
  return e.kind === 0 ? 'exception' : e.kind === 1 ? 'software' : e.vector === 2 ? 'nmi' : 'external';
}

function u64(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

/** Time travel for one machine. */
export class Reverse {
  readonly travel: TimeTravel;

  private constructor(
    private readonly side: EngineSide,
    private readonly machine: PcMachine,
    config: ReverseConfig,
  ) {
    this.travel = new TimeTravel(machine, {
      maxMemoryMiB: config.maxMemoryMiB,
      onTrim: (t) =>
        side.output(`kstack: time travel: the history passed its budget of ${config.maxMemoryMiB} MiB; the oldest part was dropped, one can go back to instruction ${t.startCount}\n`),
    });
    const tt = this.travel;
    // The engine runs the machine through the history from now on.
    machine.run = (n: number) => tt.run(n);
    // An injection (kstack/inject, or the `inject` launch attribute firing during a run) is a
    // change from outside: the history records the state right after it.
    const inject = machine.inject.bind(machine);
    machine.inject = (kind, vector) => {
      const why = inject(kind, vector);
      if (why === undefined) tt.changed();
      return why;
    };
    const events = machine.events.bind(machine);
    machine.events = () => (tt.position >= tt.end ? events() : this.pastEvents(64));
  }

  /** Starts recording `machine` (undefined: no devices, or turned off). */
  static start(side: EngineSide, machine: Machine, config: ReverseConfig, noDebug: boolean): Reverse | undefined {
    if (!config.enabled || noDebug || !('devices' in machine)) return undefined;
    return new Reverse(side, machine as unknown as PcMachine, config);
  }

  /** The deliveries up to the current position as the machine reports them (newest last). */
  private pastEvents(max: number): MachineEvent[] {
    const pos = this.travel.position;
    const out: MachineEvent[] = [];
    for (const e of this.travel.events()) {
      if (e.position > pos) break;
      out.push({
        count: e.count,
        vector: e.vector,
        kind: kindName(e),
        errorCode: e.errorCode,
        cplBefore: e.cplBefore,
        cplAfter: e.cplAfter,
        rspBefore: u64(e.rspBefore),
        rspAfter: u64(e.rspAfter),
        tssSlot: e.tssSlot,
        rip: u64(e.rip),
      });
    }
    return out.slice(-max);
  }

  private get cpu() {
    return this.machine.cpu;
  }

  private here(): string {
    return `${this.side.where(this.cpu.rip)}, instruction ${this.cpu.instructionCount}`;
  }

  /** A note in the Debug Console after a move: where, how far back one can go, the serial output so far. */
  private arrived(): void {
    const tt = this.travel;
    const serial = tt.serialOutput();
    const text = new TextDecoder().decode(serial);
    const last = text.slice(Math.max(0, text.lastIndexOf('\n', text.length - 2) + 1));
    const behind = tt.end - tt.position;
    this.side.output(
      `kstack: time travel: at instruction ${this.cpu.instructionCount}${behind > 0 ? ` (${behind} steps before the newest point)` : ''}; history from instruction ${tt.startCount}; serial output so far: ${serial.length} bytes${last ? `, ending ${JSON.stringify(last.slice(-80))}` : ''}\n`,
    );
  }

  // ---- the requests ------------------------------------------------------------------------------

  /** Step Back by instruction, or by line (to the start of the previous line in this frame or an outer one). */
  stepBack(granularity: 'line' | 'instruction'): TravelStop {
    const tt = this.travel;
    if (tt.position <= tt.start) return this.atStart();
    const row = granularity === 'line' ? this.side.debug.lineAt(this.cpu.rip) : undefined;
    if (!row) {
      tt.stepBack();
      this.arrived();
      return { reason: 'step', description: `Stepped back to ${this.here()}` };
    }
    const rsp = this.cpu.rsp();
    const starts = new Set<number>();
    for (const r of this.side.debug.lines) starts.add(Number(BigInt.asIntN(64, r.address)));
    const found = this.searchBack(
      () => {
        for (const a of starts) this.cpu.breakpoints.add(a);
      },
      () => {
        const cpu = this.cpu;
        if (cpu.rsp() < rsp) return false; // inside a call made from this line
        const r = this.side.debug.lineAt(cpu.rip);
        return r !== undefined && r.address === cpu.rip && (r.line !== row.line || r.file !== row.file);
      },
    );
    if (found === undefined) return this.atStart();
    tt.goTo(found.position);
    this.arrived();
    return { reason: 'step', description: `Stepped back to ${this.here()}` };
  }

  /**
   * Reverse Continue: the most recent earlier point where a breakpoint, a data breakpoint (the
   * instruction that made the access) or an exception filter (the handler's first instruction)
   * would have stopped the forward run; else the start of the history.
   */
  reverseContinue(): TravelStop {
    const side = this.side;
    const cpu = this.cpu;
    const data = side.dataBreakpoints();
    const filtered = this.travel.events().filter((e) => side.filterOn(filterOf(e.vector, kindName(e))));
    let hit: { position: number; stop: TravelStop } | undefined;
    const found = this.searchBack(
      () => {
        // The data breakpoints' watches are the engine's, installed in the CPU already.
        for (const a of side.codeBreakpointAddresses()) cpu.breakpoints.add(Number(BigInt.asIntN(64, a)));
      },
      (r, pos) => {
        if (r === StopReason.Watchpoint) {
          const h = cpu.watchHits[0];
          cpu.watchHits.length = 0;
          if (!h) return false;
          const bp = data.find((d) => Number(BigInt.asIntN(64, d.address)) < h.address + h.size && Number(BigInt.asIntN(64, d.address)) + d.size > h.address);
          if (bp && (!bp.condition || side.conditionHolds(bp.condition))) {
            const text = `${h.write ? 'write to' : 'read of'} ${hex(u64(h.address))} (${h.size} bytes)`;
            // The forward run stops after the access; going back stops at the instruction that made it.
            hit = { position: pos - 1, stop: { reason: 'data breakpoint', description: `Paused before the ${text}`, text, hitBreakpointIds: [bp.id] } };
            return pos - 1;
          }
          return false;
        }
        const bps = side.breakpointsAt(cpu.rip);
        if (!bps) return false;
        const ok = bps.filter((b) => !b.logMessage && (!b.condition || side.conditionHolds(b.condition)));
        if (ok.length === 0) return false;
        hit = { position: pos, stop: { reason: ok[0]!.kind === 'source' ? 'breakpoint' : ok[0]!.kind === 'function' ? 'function breakpoint' : 'instruction breakpoint', description: `Paused on breakpoint at ${side.where(cpu.rip)} (going back)`, hitBreakpointIds: ok.map((b) => b.id) } };
        return true;
      },
      () => {
        cpu.watchHits.length = 0;
      },
      (from, to) => {
        // Exception filters: deliveries recorded in the window.
        let best: TravelEvent | undefined;
        for (const e of filtered) if (e.position > from && e.position < to) best = e;
        return best?.position;
      },
    );
    if (found === undefined) return this.atStart();
    const ev = filtered.find((e) => e.position === found.position);
    this.travel.goTo(found.position);
    this.arrived();
    if (hit && hit.position === found.position) return hit.stop;
    if (ev) {
      const name = filterOf(ev.vector, kindName(ev));
      return { reason: 'exception', description: `Paused at the handler of vector ${ev.vector} (${name}) delivered at instruction ${ev.count} (going back)`, text: name };
    }
    return { reason: 'step', description: `Went back to ${this.here()}` };
  }

  /** kstack/goto: the state before instruction `count`. */
  goToCount(count: number): TravelStop {
    const r = this.travel.goToCount(count);
    this.arrived();
    const why = STOP_RUN.has(r) ? ` (the run stopped there: ${StopReason[r]})` : '';
    return { reason: 'goto', description: `Travelled to ${this.here()}${why}` };
  }

  /** kstack/previousEvent, kstack/nextEvent: the handler's first instruction of the previous/next delivery. */
  toEvent(dir: -1 | 1, maxForward = 200_000_000): { stop: TravelStop; event?: TravelEvent } {
    const tt = this.travel;
    const pos = tt.position;
    let ev: TravelEvent | undefined;
    const evs = tt.events();
    // Where going to a delivery lands: an NMI's delivery and its handler's first instruction are
    // one step (the machine delivers NMIs outside the CPU's run budget).
    const landing = (e: TravelEvent) => e.position + (kindName(e) === 'nmi' ? 1 : 0);
    if (dir < 0) {
      for (const e of evs) if (landing(e) < pos) ev = e;
    } else {
      ev = evs.find((e) => landing(e) > pos);
      if (!ev) {
        // Beyond the recorded history: run forward until the next delivery.
        const n = evs.length;
        const until = tt.end + maxForward;
        tt.replaying(() => {
          const cpu = this.cpu;
          const bps = [...cpu.breakpoints];
          cpu.breakpoints.clear();
          try {
            while (tt.events().length === n && tt.position < until) {
              const r = tt.run(Math.min(1_000_000, until - tt.position));
              if (STOP_RUN.has(r) || r === StopReason.Exception) break;
            }
          } finally {
            for (const b of bps) cpu.breakpoints.add(b);
          }
        });
        ev = tt.events().find((e) => landing(e) > pos);
      }
    }
    if (!ev) {
      this.arrived();
      return { stop: { reason: 'goto', description: dir < 0 ? `No earlier interrupt delivery in the history (it starts at instruction ${tt.startCount})` : `No interrupt delivery ahead (at ${this.here()})` } };
    }
    tt.goTo(ev.position);
    this.arrived();
    const sw = ev.tssSlot ? `, stack switch to ${ev.tssSlot}` : ev.cplBefore !== ev.cplAfter ? `, CPL ${ev.cplBefore} -> ${ev.cplAfter}` : '';
    return { stop: { reason: 'goto', description: `At the delivery of vector ${ev.vector} (${kindName(ev)}) at instruction ${ev.count}${sw}: ${this.here()}` }, event: ev };
  }

  /** kstack/history: what is recorded. */
  info(): Record<string, unknown> {
    const tt = this.travel;
    return {
      count: this.cpu.instructionCount,
      position: tt.position,
      startCount: tt.startCount,
      endPosition: tt.end,
      snapshots: tt.snapshotCount,
      memoryBytes: tt.memoryBytes,
      serial: new TextDecoder().decode(tt.serialOutput()),
      events: tt.events().map((e) => ({ position: e.position, count: e.count, vector: e.vector, kind: kindName(e), errorCode: e.errorCode, tssSlot: e.tssSlot, cplBefore: e.cplBefore, cplAfter: e.cplAfter, rsp: hex(u64(e.rspAfter)), rip: hex(u64(e.rip)) })),
    };
  }

  private atStart(): TravelStop {
    this.travel.goTo(this.travel.start);
    this.arrived();
    return { reason: 'step', description: `At the start of the recorded history (instruction ${this.travel.startCount}): ${this.here()}` };
  }

  /**
   * Searches the history backwards from the current position, one snapshot window at a time:
   * replays each window with `arm()`'s breakpoints/watches and returns the last position where
   * `match` (called at each machine stop with its reason and position) said yes; `window` may
   * offer a position found without running (recorded deliveries).
   */
  private searchBack(
    arm: () => void,
    match: (r: StopReason, pos: number) => boolean | number,
    after: () => void = () => {},
    window: (from: number, to: number) => number | undefined = () => undefined,
  ): { position: number } | undefined {
    const tt = this.travel;
    const cpu = this.cpu;
    const end = tt.position;
    const marks = tt.snapshotPositions().filter((p) => p < end);
    const savedBps = [...cpu.breakpoints];
    const savedIntercept = cpu.interceptExceptions;
    try {
      let to = end;
      for (let i = marks.length - 1; i >= 0; i--) {
        const from = marks[i]!;
        if (from >= to) continue;
        let best = window(from, to);
        tt.goTo(from);
        cpu.breakpoints.clear();
        cpu.interceptExceptions = 0;
        arm();
        try {
          tt.replaying(() => {
            const check = (r: StopReason) => {
              const m = match(r, tt.position);
              const p = m === true ? tt.position : m === false ? undefined : m;
              if (p !== undefined && p < to && (best === undefined || p > best)) best = p;
            };
            // A run does not stop at a breakpoint on its first instruction (nor on the handler of
            // an interrupt delivered at its first boundary): look there whenever a run returns.
            const atBreak = () => !cpu.halted && cpu.breakpoints.has(cpu.ip);
            if (atBreak()) check(StopReason.Breakpoint);
            let first = true;
            while (tt.position < to) {
              let r: StopReason;
              if (first) {
                // One step without breakpoints: with them the CPU goes on past a delivery made
                // at the first boundary into the handler's first instruction.
                const bps = [...cpu.breakpoints];
                cpu.breakpoints.clear();
                try {
                  r = tt.run(1);
                } finally {
                  for (const b of bps) cpu.breakpoints.add(b);
                }
              } else r = tt.run(to - tt.position);
              first = false;
              if (r === StopReason.Breakpoint || r === StopReason.Watchpoint) check(r);
              if (STOP_RUN.has(r) || r === StopReason.Exception) break;
              if (r !== StopReason.Breakpoint && tt.position < to && atBreak()) check(StopReason.Breakpoint);
            }
          });
        } finally {
          after();
          cpu.breakpoints.clear();
        }
        if (best !== undefined) return { position: best };
        to = from;
      }
      return undefined;
    } catch (e) {
      this.side.output(`kstack: time travel: the search stopped: ${messageOf(e)}\n`);
      return undefined;
    } finally {
      cpu.breakpoints.clear();
      for (const b of savedBps) cpu.breakpoints.add(b);
      cpu.interceptExceptions = savedIntercept;
    }
  }
}

/** The engine as time travel sees it (only its public members). */
interface EngineLike {
  state: string;
  machine?: Machine;
  travel?: Reverse;
  readonly debug: DebugInfo;
  readonly breakpoints: { at(a: bigint): CodeBreakpoint[] | undefined; addresses(): Iterable<bigint>; activeData(): DataBreakpoint[] };
  config?: { noDebug: boolean };
  filterOn(id: string): boolean;
  evaluate(text: string): { value: bigint };
  where(address: bigint): string;
  note(text: string): void;
  travelStop(info: TravelStop): void;
}

export function engineSide(e: EngineLike): EngineSide {
  return {
    get debug() {
      return e.debug;
    },
    breakpointsAt: (a) => e.breakpoints.at(a),
    codeBreakpointAddresses: () => e.breakpoints.addresses(),
    dataBreakpoints: () => (e.config?.noDebug ? [] : e.breakpoints.activeData()),
    filterOn: (id) => e.filterOn(id),
    conditionHolds: (c) => {
      try {
        return e.evaluate(c).value !== 0n;
      } catch {
        return true;
      }
    },
    where: (a) => e.where(a),
    output: (t) => e.note(t),
  };
}

function ready(e: EngineLike, command: string): Reverse {
  if (!e.machine) throw Errors.notLaunched();
  if (e.state === 'terminated') throw Errors.terminated();
  if (e.state === 'running') throw Errors.notStopped();
  if (!e.travel) throw Errors.badArguments(command, "time travel is off for this session (launch attribute 'reverse': { \"enabled\": true }; it needs the PC machine and is off with noDebug)");
  return e.travel;
}

/** DAP stepBack. */
export function stepBack(e: EngineLike, granularity: 'line' | 'instruction'): void {
  e.travelStop(ready(e, 'stepBack').stepBack(granularity));
}

/** DAP reverseContinue. */
export function reverseContinue(e: EngineLike): void {
  e.travelStop(ready(e, 'reverseContinue').reverseContinue());
}

/** kstack/goto { count }. */
export function travelTo(e: EngineLike, args: unknown): { count: number } {
  const r = ready(e, 'kstack/goto');
  const count = (args as { count?: unknown } | undefined)?.count;
  const n = typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : count;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw Errors.badArguments('kstack/goto', `'count' must be an instruction count, a whole number >= 0 (got ${JSON.stringify(count)})`);
  const ahead = n - Math.max(e.machine!.cpu.instructionCount, r.travel.end);
  if (ahead > MAX_AHEAD) throw Errors.badArguments('kstack/goto', `instruction ${n} is ${ahead} instructions past the recorded history; run there with Continue (goto runs at most ${MAX_AHEAD} ahead)`);
  e.travelStop(r.goToCount(n));
  return { count: e.machine!.cpu.instructionCount };
}

/** kstack/previousEvent, kstack/nextEvent. */
export function travelToEvent(e: EngineLike, dir: -1 | 1): { found: boolean; count: number; vector?: number; kind?: string; tssSlot?: string } {
  const r = ready(e, dir < 0 ? 'kstack/previousEvent' : 'kstack/nextEvent');
  const { stop, event } = r.toEvent(dir);
  e.travelStop(stop);
  const cpu = e.machine!.cpu;
  if (!event) return { found: false, count: cpu.instructionCount };
  return { found: true, count: cpu.instructionCount, vector: event.vector, kind: kindName(event), tssSlot: event.tssSlot };
}

/** kstack/history. */
export function travelInfo(e: EngineLike): Record<string, unknown> {
  return ready(e, 'kstack/history').info();
}
