// Whole-machine state without RAM: the Cpu's architectural and run state and every device's state,
// captured field by field (fields.ts) with explicit lists of what is *not* state. RAM is kept by
// pages in history.ts. A new Cpu or device field is saved automatically; a new field that holds an
// object the generic copy cannot handle fails the snapshot test until it is excluded here.

import type { Cpu } from '../cpu/cpu';
import type { Machine } from '../machine';
import { capture, restore, sizeOf, type Captured, type FieldPolicy } from './fields';

/**
 * Cpu fields that are not machine state: caches (TLB, decoded code, the fetch page), wiring to the
 * devices, scratch values only valid inside one instruction, and the debugger's own settings
 * (breakpoints, watchpoints, intercepted exceptions), which time travel must not rewind.
 */
export const CPU_EXCLUDED: ReadonlySet<string> = new Set([
  // memory and its caches
  'ram', 'u8', 'dv', 'ramSize', 'physBits', 'code', 'codeMap', 'sets', 'tlbR', 'tlbW', 'tlbX', 'tlbP', 'tlbLarge',
  'fetchLin', 'fetchOps', 'crossOp', 'dirtyPages',
  // decoding tables built by the constructor
  'scratch', 'handlersReg', 'handlersMem', 'handlerArgs', 'cpl0Handlers',
  // wiring
  'mmio', 'io', 'onEvent', 'onDeliver', 'acknowledgeInterrupt',
  // the debugger's settings and reports
  'breakpoints', 'watches', 'nextWatchId', 'watchHits', 'interceptExceptions',
  // the run loop's per-call limits (set by run(); attention() after a restore)
  'stopAt', 'limitAt',
]);

/** Device fields that are wiring or constant after setup (kept out of every snapshot). */
const DEVICE_EXCLUDED: ReadonlySet<string> = new Set([
  // IoBus: the port table and device lists (fixed at setup); MMIO regions are saved
  'owner', 'devices', 'sizes', 'names',
  // Uart16550: the host input only grows (hostHead, saved, says how far the guest has read)
  'hostInput',
  // FwCfg: the items are fixed at setup
  'items',
]);

export interface MachineState {
  /** Guest time when taken. */
  readonly count: number;
  readonly cpu: Captured;
  readonly devices: ReadonlyMap<string, Captured>;
  /** Approximate bytes held. */
  readonly bytes: number;
}

function policies(m: Machine): { cpu: FieldPolicy; dev: FieldPolicy; roots: [string, object][] } {
  const roots = Object.entries(m.devices).filter(([, d]) => typeof d === 'object' && d !== null) as [string, object][];
  const shared = new Set<object>([m.cpu, m.cpu.ram, ...roots.map(([, d]) => d)]);
  return { cpu: { exclude: CPU_EXCLUDED, shared }, dev: { exclude: DEVICE_EXCLUDED, shared }, roots };
}

const cache = new WeakMap<Machine, ReturnType<typeof policies>>();
function policyOf(m: Machine): ReturnType<typeof policies> {
  let p = cache.get(m);
  if (!p) cache.set(m, (p = policies(m)));
  return p;
}

/** Captures the Cpu and the devices (not RAM). */
export function captureMachine(m: Machine): MachineState {
  const p = policyOf(m);
  const cpu = capture(m.cpu, p.cpu, 'cpu');
  const devices = new Map<string, Captured>();
  let bytes = sizeOf(cpu);
  for (const [name, d] of p.roots) {
    const c = capture(d, p.dev, name);
    devices.set(name, c);
    bytes += sizeOf(c);
  }
  return { count: m.cpu.instructionCount, cpu, devices, bytes };
}

/**
 * Restores the Cpu and the devices from `s` (RAM is the caller's). Drops the TLBs, the fetch
 * page and, when the code size changed, the decoded code; makes the next boundary look at
 * everything (attention).
 */
export function restoreMachine(m: Machine, s: MachineState): void {
  const p = policyOf(m);
  const cpu: Cpu = m.cpu;
  const bits = cpu.bits;
  restore(cpu, s.cpu);
  for (const [name, d] of p.roots) {
    const c = s.devices.get(name);
    if (c) restore(d, c);
  }
  if (cpu.bits !== bits) cpu.code.flush();
  cpu.setCpl(cpu.cpl);
  cpu.flushTlb(false);
  cpu.attention();
}
