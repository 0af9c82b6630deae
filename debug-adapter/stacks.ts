// The stacks as the debugger shows them, over the emulator's StackTracker (emulator/inspect):
// the "Stack switch" exception filter and the three detector filters (stops and Debug Console
// lines), the Stacks scope in Variables, the `kstack/stackSwitches` custom request (the switch
// history for the extension's timeline) and the watch expressions `stack.<name>.used` etc.
// The engine owns one StackView and calls it after every run; the session routes to it.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { StopReason } from '../emulator/cpu/cpu';
import { StackTracker, hexAddr, type AlertKind, type StackAlert, type StackSpec, type StackStatus, type StackSwitch, type TrackerStop } from '../emulator/inspect/stacks';
import type { DebugInfo } from './debuginfo';
import { Errors } from './errors';
import type { Machine } from './machine';

/** Exception breakpoint filters for stacks: id, label, default, what they do. */
export const STACK_FILTERS: { id: string; label: string; default: boolean; description: string; detector?: AlertKind }[] = [
  { id: 'stack-switch', label: 'Stack switch', default: false, description: 'Stop on the first instruction on a new stack: IST/RSP0 delivery, IRETQ back, MOV/XCHG/POP/LEAVE into RSP' },
  { id: 'stack-ist-reentry', label: 'IST reentry', default: true, detector: 'ist-reentry', description: 'Stop when an event is delivered through IST n while an earlier frame on IST n is still live (the new frame overwrites it)' },
  { id: 'stack-overflow', label: 'Stack overflow', default: true, detector: 'overflow', description: 'Stop when RSP leaves a known stack through its bottom' },
  { id: 'stack-iret-frame', label: 'IRETQ frame overwritten', default: true, detector: 'iret-overwritten', description: 'Stop at an IRETQ whose interrupt frame was overwritten since the CPU pushed it' },
];

/** Variables references of the Stacks scope (far above the ones variables.ts hands out). */
const SCOPE_REF = 0x7ff00000;

export type Output = (text: string, category: 'console' | 'stderr' | 'important') => void;

export interface StackStopInfo {
  reason: string;
  description: string;
  text: string;
}

export interface SwitchJson {
  count: number;
  rip: string;
  from: string | null;
  to: string | null;
  cause: string;
  vector?: number;
  rspBefore: string;
  rspAfter: string;
}

export interface StackJson {
  name: string;
  base: string;
  top: string;
  size: number;
  origin: string;
  slots: string[];
  current: boolean;
  used: number;
  deepest: number;
  belowTouched: boolean;
}

export function switchJson(s: StackSwitch): SwitchJson {
  return { count: s.count, rip: hexAddr(s.rip), from: s.from, to: s.to, cause: s.cause, ...(s.vector !== undefined ? { vector: s.vector } : {}), rspBefore: hexAddr(s.rspBefore), rspAfter: hexAddr(s.rspAfter) };
}

export function stackJson(s: StackStatus): StackJson {
  return { name: s.name, base: hexAddr(s.base), top: hexAddr(s.top), size: s.size, origin: s.origin, slots: s.slots, current: s.current, used: s.used, deepest: s.deepest, belowTouched: s.belowTouched };
}

/** The launch configuration's `stacks` ({ name, base, top, size }: two of the three; addresses or symbols). */
export function resolveStacks(raw: unknown, debug: DebugInfo): StackSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw Errors.badConfig('stacks', 'must be an array of { name, base, top, size }');
  const out: StackSpec[] = [];
  raw.forEach((s, i) => {
    const at = `stacks[${i}]`;
    if (!s || typeof s !== 'object') throw Errors.badConfig(at, 'must be an object { name, base, top, size }');
    const o = s as Record<string, unknown>;
    const name = o['name'];
    if (typeof name !== 'string' || !name) throw Errors.badConfig(`${at}.name`, 'must be a non-empty string');
    const addr = (k: 'base' | 'top'): number | undefined => {
      const v = o[k];
      if (v === undefined) return undefined;
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
      if (typeof v === 'string') {
        const t = v.trim();
        if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return Number(BigInt.asIntN(64, BigInt(t)));
        const sym = debug.lookup(t);
        if (sym) return Number(BigInt.asIntN(64, sym.address));
        throw Errors.badConfig(`${at}.${k}`, `names no symbol of the program: '${t}'`);
      }
      throw Errors.badConfig(`${at}.${k}`, `must be an address or a symbol (got ${JSON.stringify(v)})`);
    };
    const base = addr('base');
    const top = addr('top');
    const size = o['size'];
    if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size > 0))
      throw Errors.badConfig(`${at}.size`, `must be a positive number of bytes (got ${JSON.stringify(size)})`);
    const b = base ?? (top !== undefined && size !== undefined ? top - size : undefined);
    const n = size ?? (base !== undefined && top !== undefined ? top - base : undefined);
    if (b === undefined || n === undefined) throw Errors.badConfig(at, `needs two of base, top and size (stack '${name}')`);
    if (!(n > 0)) throw Errors.badConfig(at, `top must be above base (stack '${name}')`);
    out.push({ name, base: b, size: n });
  });
  return out;
}

export class StackView {
  tracker?: StackTracker;
  private filters = new Set(STACK_FILTERS.filter((f) => f.default).map((f) => f.id));
  private lastStop: { stop: TrackerStop; info: StackStopInfo } | null = null;

  constructor(
    private readonly output: Output,
    private readonly where: (addr: bigint) => string,
  ) {}

  /** A new machine with its program: a tracker over it (none when running without debugging). */
  attach(machine: Machine, debug: DebugInfo, config: { noDebug: boolean }): void {
    this.tracker?.detach();
    this.tracker = undefined;
    this.lastStop = null;
    if (config.noDebug) return;
    const symbols = debug.symbols
      .filter((s) => s.kind !== 'equ')
      .map((s) => ({ name: s.name, address: Number(BigInt.asIntN(64, s.address)), size: Number(s.size) }));
    const stacks = resolveStacks((config as unknown as { stacks?: unknown }).stacks, debug);
    const t = new StackTracker(machine.cpu, { stacks, symbols });
    t.onAlert = (a) => this.output(`kstack: ${this.alertText(a)}\n`, 'important');
    t.attach();
    this.tracker = t;
    this.apply();
  }

  /** The exception filters the client enabled (ids of every filter; the stack ones are taken). */
  setFilters(ids: readonly string[]): void {
    this.filters = new Set(ids.filter((id) => STACK_FILTERS.some((f) => f.id === id)));
    this.apply();
  }

  private apply(): void {
    const t = this.tracker;
    if (!t) return;
    t.stopOnSwitch = this.filters.has('stack-switch');
    let any = false;
    for (const f of STACK_FILTERS) {
      if (!f.detector) continue;
      t.detect[f.detector] = this.filters.has(f.id);
      any ||= this.filters.has(f.id);
    }
    t.stopOnAlert = any;
  }

  /**
   * After Machine.run/step returned `stop`: the stop the tracker asked for, 'again' when the run
   * stopped only for the tracker's own watches (go on), or null (not the tracker's business).
   */
  afterRun(stop: StopReason): StackStopInfo | 'again' | null {
    const t = this.tracker;
    if (!t) return null;
    let othersHit = false;
    if (stop === StopReason.Watchpoint) othersHit = t.handleWatchHits();
    if ((stop === StopReason.Watchpoint || stop === StopReason.Breakpoint) && t.stopPending) {
      const s = t.takeStop()!;
      const info = this.describe(s);
      this.lastStop = { stop: s, info };
      return info;
    }
    if (stop === StopReason.Watchpoint && !othersHit) return 'again';
    return null;
  }

  /** The last stop was the tracker's: exceptionInfo's body. */
  exceptionInfo(description: string): DebugProtocol.ExceptionInfoResponse['body'] | undefined {
    const l = this.lastStop;
    if (!l || l.info.description !== description) return undefined;
    const s = l.stop;
    const id = s.kind === 'switch' ? 'stack switch' : s.alert.kind;
    const details = s.kind === 'switch' ? JSON.stringify(switchJson(s.switch)) : s.alert.message;
    return { exceptionId: id, description, breakMode: 'always', details: { message: description, typeName: l.info.text, stackTrace: details } };
  }

  private describe(s: TrackerStop): StackStopInfo {
    if (s.kind === 'switch') {
      const w = s.switch;
      const from = w.from ?? 'no known stack';
      const to = w.to ?? 'no known stack';
      const how = w.vector !== undefined ? `vector ${w.vector} (0x${w.vector.toString(16)}) delivered through ${w.cause}` : `${w.cause} at ${this.where(BigInt.asUintN(64, BigInt(w.rip)))}`;
      return {
        reason: 'exception',
        text: 'Stack switch',
        description: `Stack switch: ${how}: from ${from} (rsp ${hexAddr(w.rspBefore)}) to ${to} (rsp ${hexAddr(w.rspAfter)})`,
      };
    }
    const a = s.alert;
    const label = STACK_FILTERS.find((f) => f.detector === a.kind)!.label;
    return { reason: 'exception', text: label, description: this.alertText(a) };
  }

  private alertText(a: StackAlert): string {
    const label = STACK_FILTERS.find((f) => f.detector === a.kind)!.label;
    return `${label} at ${this.where(BigInt.asUintN(64, BigInt(a.rip)))} (instruction ${a.count}): ${a.message}`;
  }

  // ---- requests ----------------------------------------------------------------------------------

  /** kstack/stackSwitches: the history (from index `since`), the stacks and the detectors' findings. */
  history(args: Record<string, unknown>): { switches: SwitchJson[]; stacks: StackJson[]; alerts: { kind: string; count: number; rip: string; stack: string | null; vector?: number; message: string }[] } {
    const t = this.tracker;
    if (!t) return { switches: [], stacks: [], alerts: [] };
    const since = args['since'];
    if (since !== undefined && !(typeof since === 'number' && Number.isSafeInteger(since) && since >= 0))
      throw Errors.badArguments('kstack/stackSwitches', `since must be a switch index >= 0 (got ${JSON.stringify(since)})`);
    return {
      switches: t.switchesSoFar().slice((since as number | undefined) ?? 0).map(switchJson),
      stacks: t.status().map(stackJson),
      alerts: t.alertsSoFar().map((a) => ({ kind: a.kind, count: a.count, rip: hexAddr(a.rip), stack: a.stack, vector: a.vector, message: a.message })),
    };
  }

  /** The Stacks scope (for scopesRequest), or undefined when no tracker runs. */
  scope(): DebugProtocol.Scope | undefined {
    if (!this.tracker) return undefined;
    return { name: 'Stacks', presentationHint: 'registers', variablesReference: SCOPE_REF, expensive: false };
  }

  owns(ref: number): boolean {
    return this.tracker !== undefined && ref >= SCOPE_REF && ref < SCOPE_REF + 0x10000;
  }

  variables(ref: number): DebugProtocol.Variable[] {
    const st = this.tracker!.status();
    if (ref === SCOPE_REF) {
      return st.map((s, i) => ({
        name: s.name,
        value: `${hexAddr(s.base)}-${hexAddr(s.top)}${s.current ? ' · RSP here' : ''} · used ${s.used} · deepest ${s.deepest}/${s.size}${s.belowTouched ? ' · page below touched' : ''}`,
        variablesReference: SCOPE_REF + 1 + i,
        memoryReference: hexAddr(s.base),
      }));
    }
    const s = st[ref - SCOPE_REF - 1];
    if (!s) throw Errors.unknownVariables(ref);
    const v = (name: string, value: string, memoryReference?: string): DebugProtocol.Variable => ({ name, value, variablesReference: 0, memoryReference });
    return [
      v('base', hexAddr(s.base), hexAddr(s.base)),
      v('top', hexAddr(s.top)),
      v('size', String(s.size)),
      v('rspOnIt', String(s.current)),
      v('used', String(s.used)),
      v('deepest', String(s.deepest)),
      v('belowTouched', String(s.belowTouched)),
      v('origin', s.origin + (s.slots.length ? ` (${s.slots.join(', ')})` : '')),
    ];
  }

  /** `stack.<name>.used` (and .deepest .size .base .top .current .belowTouched); undefined if not that form. */
  evaluate(expression: string): DebugProtocol.EvaluateResponse['body'] | undefined {
    const m = /^\s*stack\.([\w$.]+?)\.(used|deepest|size|base|top|current|belowTouched)\s*$/.exec(expression);
    if (!m) return undefined;
    const t = this.tracker;
    if (!t) throw Errors.unknownName(`stack.${m[1]}`);
    const s = t.find(m[1]!);
    if (!s) throw Errors.unknownName(`stack.${m[1]} (known stacks: ${t.stacks().map((x) => x.name).join(', ') || 'none'})`);
    const st = t.status().find((x) => x.name === s.name)!;
    const f = m[2]!;
    if (f === 'base' || f === 'top') return { result: hexAddr(st[f]), type: 'u64', variablesReference: 0, memoryReference: hexAddr(st[f]) };
    if (f === 'current' || f === 'belowTouched') return { result: String(st[f]), type: 'bool', variablesReference: 0 };
    return { result: String(st[f as 'used' | 'deepest' | 'size']), type: 'u64', variablesReference: 0 };
  }
}
