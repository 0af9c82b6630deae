import { describe, expect, it } from 'vitest';
import { StopReason, type Machine } from '../machine';
import { Cpu } from '../cpu/cpu';
import { TimeTravel } from './history';
import { captureMachine, restoreMachine, CPU_EXCLUDED } from './snapshot';
import { capture } from './fields';
import { guestMachine, NMIS, TICKS } from './testguest';

/** FNV-1a over all of RAM. */
function ramHash(m: Machine): number {
  const w = new Int32Array(m.cpu.ram.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 16777619);
  return h >>> 0;
}

/** What a debugger shows: every register, flags by value, system state, the APIC, RAM. */
function view(m: Machine): Record<string, unknown> {
  const c = m.cpu;
  return {
    count: c.instructionCount,
    rip: c.rip,
    rflags: c.rflags,
    regs: Array.from(c.regs),
    seg: [Array.from(c.segSel), Array.from(c.segBase), Array.from(c.segAttr)],
    cr: [c.cr0, c.cr2, c.cr3, c.cr4, c.efer, c.cpl],
    halted: c.halted,
    nmiBlocked: c.nmiBlocked,
    lapic: JSON.stringify(m.devices.lapic.snapshot(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    ram: ramHash(m),
  };
}

const text = (b: Uint8Array | number[]) => Buffer.from(b).toString('latin1');

/** Deterministic pseudo-random numbers for the test's targets. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NMI_AT = 412_345;

describe('time travel', () => {
  it('the guest runs: timer interrupts, serial output, an NMI', () => {
    const out: number[] = [];
    const m = guestMachine({ serial: (b) => out.push(...b) });
    m.run(NMI_AT);
    m.inject('nmi');
    m.run(1_000_000);
    expect(m.cpu.internalError).toBeNull();
    const ticks = m.cpu.readPhys(BigInt(TICKS), 8);
    expect(ticks[0]! + ticks[1]! * 256).toBeGreaterThan(50);
    expect(m.cpu.readPhys(BigInt(NMIS), 1)[0]).toBe(1);
    expect(out.length).toBeGreaterThan(10);
  });

  it('snapshots every Cpu field that is not excluded, and can copy every one of them', () => {
    const m = guestMachine();
    m.run(50_000);
    const keys = Object.keys(m.cpu);
    // Every field is either excluded or copied (capture throws on a value it cannot copy).
    const c = capture(m.cpu, { exclude: CPU_EXCLUDED, shared: new Set([m.cpu, ...Object.values(m.devices)]) }, 'cpu');
    const notSaved = keys.filter((k) => !c.fields.has(k) && !CPU_EXCLUDED.has(k) && typeof (m.cpu as unknown as Record<string, unknown>)[k] !== 'function');
    expect(notSaved).toEqual([]);
    // The exclusion list names real fields (a renamed field would silently be saved otherwise).
    const fresh = new Cpu({ memoryBytes: 1 << 20 });
    const all = new Set(Object.keys(fresh));
    expect([...CPU_EXCLUDED].filter((k) => !all.has(k))).toEqual([]);
    // Fields a new Cpu member would typically hold: a class instance must be excluded or shared.
    for (const k of keys) {
      const v = (m.cpu as unknown as Record<string, unknown>)[k];
      if (CPU_EXCLUDED.has(k) || v === null || typeof v !== 'object') continue;
      expect(c.fields.has(k), k).toBe(true);
    }
    // The architectural state is in it.
    for (const k of ['regs', 'ip', 'flagsReg', 'lf', 'segSel', 'segBase', 'cr0', 'cr3', 'efer', 'dr', 'msrs', 'instructionCount', 'eventAt', 'interruptShadow', 'nmiBlocked', 'halted', 'tfArmedAt', 'rfClear', 'interruptPending'])
      expect(c.fields.has(k), k).toBe(true);
  });

  it('restores the Cpu and the devices in place', () => {
    const m = guestMachine();
    m.run(100_000);
    const s = captureMachine(m);
    const before = view(m);
    const regs = m.cpu.regs;
    const chan = m.devices.pit.channels[0];
    m.run(300_000);
    expect(view(m).count).not.toBe(before.count);
    restoreMachine(m, s);
    const after = view(m);
    expect({ ...after, ram: 0 }).toEqual({ ...before, ram: 0 });
    expect(m.cpu.regs).toBe(regs);
    expect(m.devices.pit.channels[0]).toBe(chan);
  });

  it('going back reaches the state a forward run recorded, for random targets (APIC timer, NMI, serial, REP MOVSB)', () => {
    const END = 3_000_000;
    // The forward run: stop at the targets (in increasing order), with an NMI injected on the way.
    const r = rng(11);
    const targets = Array.from({ length: 14 }, () => Math.floor(r() * END)).concat([NMI_AT, NMI_AT + 1, 0, END]);
    targets.sort((a, b) => a - b);
    const out: number[] = [];
    const ref = guestMachine({ serial: (b) => out.push(...b) });
    const recorded = new Map<number, { view: Record<string, unknown>; serial: string }>();
    let injected = false;
    for (const t of targets) {
      if (!injected && t > NMI_AT) {
        ref.run(NMI_AT - ref.cpu.instructionCount);
        ref.inject('nmi');
        injected = true;
      }
      while (ref.cpu.instructionCount < t) ref.run(t - ref.cpu.instructionCount);
      recorded.set(t, { view: view(ref), serial: text(out) });
    }

    // The same run recorded, in different slices, then visited in random order.
    let tt!: TimeTravel;
    const m = guestMachine({ serial: (b) => tt.serial(b) });
    tt = new TimeTravel(m, { interval: 250_000, verify: true });
    while (m.cpu.instructionCount < NMI_AT) tt.run(Math.min(77_777, NMI_AT - m.cpu.instructionCount));
    m.inject('nmi');
    tt.changed();
    while (m.cpu.instructionCount < END) tt.run(Math.min(123_457, END - m.cpu.instructionCount));
    expect(m.cpu.internalError).toBeNull();
    expect(m.cpu.readPhys(BigInt(NMIS), 1)[0]).toBe(1);

    const order = [...targets].sort(() => r() - 0.5);
    for (const t of order) {
      expect(tt.goToCount(t)).toBe(StopReason.None);
      expect(m.cpu.instructionCount).toBe(t);
      const want = recorded.get(t)!;
      expect(view(m), `at ${t}`).toEqual(want.view);
      expect(text(tt.serialOutput()), `serial at ${t}`).toBe(want.serial);
    }
    // And forward again to the end: the same state as the forward run there.
    tt.goToCount(END);
    expect(view(m)).toEqual(recorded.get(END)!.view);
  });

  it('steps back one position at a time through interrupt deliveries', () => {
    let tt!: TimeTravel;
    const m = guestMachine({ serial: (b) => tt.serial(b), timerCount: 101, memoryBytes: 4 << 20 });
    tt = new TimeTravel(m, { interval: 2_000 });
    const views: Record<string, unknown>[] = [];
    const positions: number[] = [];
    for (let i = 0; i < 700; i++) {
      positions.push(tt.position);
      views.push(view(m));
      tt.step();
    }
    expect(tt.events().length).toBeGreaterThan(2);
    for (let i = positions.length - 1; i >= 0; i--) {
      expect(tt.stepBack()).toBe(true);
      expect(tt.position).toBe(positions[i]);
      expect(view(m)).toEqual(views[i]);
    }
    expect(tt.stepBack()).toBe(false);
  });

  it('a change in the past starts a new history from there', () => {
    let tt!: TimeTravel;
    const out: number[] = [];
    const m = guestMachine({ serial: (b) => out.push(...b.filter(() => tt.serial(b))) });
    tt = new TimeTravel(m, { interval: 100_000 });
    tt.run(1_000_000);
    const end = tt.end;
    tt.goToCount(400_000);
    tt.stopped();
    m.cpu.setReg('r13', 0n); // the debugger writes a register
    const r13 = m.cpu.getReg('r13');
    tt.run(10);
    expect(r13).toBe(0n);
    expect(tt.end).toBeLessThan(end);
    // Going back before the change and forward again replays the new history.
    tt.run(200_000);
    const v = view(m);
    const pos = tt.position;
    tt.goToCount(300_000);
    tt.goTo(pos);
    expect(view(m)).toEqual(v);
  });

  it('stays within its memory budget by dropping the oldest history', () => {
    let tt!: TimeTravel;
    const trims: number[] = [];
    const m = guestMachine({ serial: (b) => tt.serial(b), memoryBytes: 16 << 20 });
    tt = new TimeTravel(m, { interval: 20_000, maxMemoryMiB: 3, onTrim: (t) => trims.push(t.startCount) });
    tt.run(3_000_000);
    expect(tt.memoryBytes).toBeLessThanOrEqual(3 << 20);
    expect(trims.length).toBeGreaterThan(0);
    expect(tt.startCount).toBeGreaterThan(0);
    // The oldest reachable point still gives the recorded state.
    const ref = guestMachine();
    const start = tt.startCount;
    while (ref.cpu.instructionCount < start + 1234) ref.run(start + 1234 - ref.cpu.instructionCount);
    tt.goToCount(start + 1234);
    expect(view(m)).toEqual(view(ref));
    // Going before the start lands on the start.
    tt.goToCount(0);
    expect(m.cpu.instructionCount).toBe(start);
  });
});
