// The stack tracker over the stacks*.asm programs (test/dap/programs), assembled with KStack's
// assembler and run in the direct 64-bit state.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';
import { memoryHost } from '../../asm/host';
import { Cpu, StopReason } from '../cpu/cpu';
import { createMachine } from '../machine';
import { TimeTravel } from '../timetravel/history';
import { StackTracker, layoutStacks, stacksFromSymbols, type StackSymbol, type TrackerOptions } from './stacks';

const DIR = join(__dirname, '../../test/dap/programs');

interface Loaded {
  cpu: Cpu;
  symbols: StackSymbol[];
  sym(name: string): number;
  /** Address of the line marked `; @marker`. */
  at(marker: string): number;
}

function load(name: string): Loaded {
  const files: Record<string, string> = {};
  for (const f of [name, 'stacks-setup.inc']) files[f] = readFileSync(join(DIR, f), 'utf8');
  const r = assemble({ path: name, text: files[name]! }, { format: 'image', host: memoryHost(files) });
  if (!r.ok || !r.image) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('\n'));
  const img = r.image;
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  cpu.reset64();
  for (const s of img.sections) if (!s.nobits && s.data.length) cpu.writeLinear(s.address, s.data);
  const symbols = img.symbols.filter((s) => s.kind === 'label').map((s) => ({ name: s.name, address: Number(s.address), size: 0 }));
  const sym = (n: string) => {
    const s = symbols.find((x) => x.name === n);
    if (!s) throw new Error(`no symbol ${n}`);
    return s.address;
  };
  const lines = files[name]!.split('\n');
  const at = (marker: string) => {
    const line = lines.findIndex((l) => l.includes(`@${marker}`)) + 1;
    const e = img.lines.find((l) => l.file === name && l.line === line);
    if (!e) throw new Error(`no code for @${marker}`);
    return Number(e.address);
  };
  cpu.rip = BigInt(sym('_start'));
  return { cpu, symbols, sym, at };
}

function tracked(name: string, opts: TrackerOptions = {}) {
  const p = load(name);
  const t = new StackTracker(p.cpu, { symbols: p.symbols, ...opts });
  t.attach();
  return { ...p, t };
}

/** Runs to HLT, letting the tracker's own watch stops through. */
function runToHlt(cpu: Cpu, t: StackTracker, max = 1_000_000): StopReason {
  for (;;) {
    const r = cpu.run(max);
    if (cpu.internalError) throw cpu.internalError;
    if (r === StopReason.Watchpoint && !t.handleWatchHits()) continue;
    if (r === StopReason.Breakpoint && t.stopPending) return r;
    return r;
  }
}

describe('stacks from symbols', () => {
  it('pairs X_stack with X_stack_top, sizes a lone X_stack by the next symbol, a lone top by the previous one', () => {
    const s = stacksFromSymbols([
      { name: 'nmi_stack', address: 0x1000, size: 0 },
      { name: 'nmi_stack_top', address: 0x2000, size: 0 },
      { name: 'df_stack', address: 0x2000, size: 0 },
      { name: 'other', address: 0x2800, size: 0 },
      { name: 'mc_stack_end', address: 0x3800, size: 0 },
      { name: 'sized_stack', address: 0x4000, size: 0x200 },
      { name: 'stack_top', address: 0x6000, size: 0 },
      { name: 'stack.local', address: 0x5000, size: 0 },
      { name: 'kstack_guard', address: 0x5800, size: 0 },
    ]);
    expect(s).toEqual([
      { name: 'nmi_stack', base: 0x1000, size: 0x1000 },
      { name: 'df_stack', base: 0x2000, size: 0x800 },
      { name: 'mc_stack', base: 0x2800, size: 0x1000 },
      { name: 'sized_stack', base: 0x4000, size: 0x200 },
      { name: 'stack', base: 0x5800, size: 0x800 },
    ]);
  });

  it('pairs X_stack with X_top (a 1-byte assembler size is no stack size), and X_bottom with X_top', () => {
    // The layout of examples/c-kernel's entry.asm: `ist2_stack: resb 4096` (size 1 in NASM's ELF
    // symbol table), `ist2_top:` where the linker's __bss_end also lies.
    const syms: StackSymbol[] = [
      { name: 'ist1_stack', address: 0x10a000, size: 1 },
      { name: 'ist1_top', address: 0x10b000, size: 0 },
      { name: 'ist2_stack', address: 0x10b000, size: 1 },
      { name: '__bss_end', address: 0x10c000, size: 0 },
      { name: 'ist2_top', address: 0x10c000, size: 0 },
      { name: 'df_bottom', address: 0x20000, size: 0 },
      { name: 'df_top', address: 0x21000, size: 0 },
    ];
    expect(stacksFromSymbols(syms)).toEqual([
      { name: 'ist1_stack', base: 0x10a000, size: 0x1000 },
      { name: 'ist2_stack', base: 0x10b000, size: 0x1000 },
      { name: 'df', base: 0x20000, size: 0x1000 },
    ]);
  });
});

describe('layoutStacks', () => {
  const fixed = (name: string, base: number, top: number) => ({ name, base, size: top - base, top, origin: 'symbol' as const, slots: [] });
  it('puts a TSS slot on the stack whose top it is; names another by an X_top symbol at its top, never a linker symbol', () => {
    const tss = [0, 0, 0, 0x10c000, 0x30000, 0x40000, 0, 0, 0, 0];
    const syms: StackSymbol[] = [
      { name: '__bss_end', address: 0x30000, size: 0 },
      { name: 'nmi_top', address: 0x30000, size: 0 },
      { name: '_end', address: 0x40000, size: 0 },
    ];
    const list = layoutStacks([fixed('ist2_stack', 0x10b000, 0x10c000)], tss, 0x4000, syms);
    expect(list.map((s) => [s.name, s.base, s.top, s.slots])).toEqual([
      ['ist2_stack', 0x10b000, 0x10c000, ['IST1']],
      ['nmi', 0x2c000, 0x30000, ['IST2']],
      ['IST3', 0x3c000, 0x40000, ['IST3']],
    ]);
  });
});

describe('StackTracker', () => {
  it('knows the stacks the symbols and the TSS name, with the TSS slots on them', () => {
    const { cpu, t, sym } = tracked('stacks.asm');
    expect(t.stacks().map((s) => s.name)).toEqual(['nmi_stack', 'irq_stack', 'thread_stack']);
    runToHlt(cpu, t);
    const byName = Object.fromEntries(t.stacks().map((s) => [s.name, s]));
    expect(byName['nmi_stack']).toMatchObject({ base: sym('nmi_stack'), top: sym('nmi_stack_top'), size: 4096, slots: ['IST1'] });
    expect(byName['thread_stack']).toMatchObject({ base: sym('thread_stack'), size: 8192, slots: ['RSP0'] });
    expect(t.find('nmi')?.name).toBe('nmi_stack');
    expect(t.find('IST1')?.name).toBe('nmi_stack');
  });

  it('records the software switch to the IRQ stack (nest counter), the nested interrupt staying there, IST1 and IRETQ', () => {
    const { cpu, t, at, sym } = tracked('stacks.asm');
    expect(runToHlt(cpu, t)).toBe(StopReason.Hlt);
    const sw = t.switches.map((s) => ({ from: s.from, to: s.to, cause: s.cause, vector: s.vector, rip: s.rip }));
    expect(sw).toEqual([
      { from: null, to: 'thread_stack', cause: 'mov', vector: undefined, rip: sym('_start') },
      { from: 'thread_stack', to: 'irq_stack', cause: 'cmove', vector: undefined, rip: at('s-cmovz') },
      { from: 'irq_stack', to: 'thread_stack', cause: 'pop', vector: undefined, rip: at('s-pop-rsp') },
      { from: 'thread_stack', to: 'nmi_stack', cause: 'IST1', vector: 0x42, rip: at('s-int42') + 2 },
      { from: 'nmi_stack', to: 'thread_stack', cause: 'iretq', vector: undefined, rip: at('s-iretq') },
    ]);
    // Counts increase; the IRQ stack's switch has its RSP at the top.
    const counts = t.switches.map((s) => s.count);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(t.switches[1]!.rspAfter).toBe(t.find('irq_stack')!.top);
    expect(t.alerts).toEqual([]);
  });

  it('gives the same history on two runs', () => {
    const a = tracked('stacks.asm');
    runToHlt(a.cpu, a.t);
    const b = tracked('stacks.asm');
    runToHlt(b.cpu, b.t);
    expect(b.t.switches).toEqual(a.t.switches);
    expect(a.t.switches.length).toBe(5);
  });

  it('reports per stack: RSP on it, bytes in use, the deepest use, the page below untouched', () => {
    const { cpu, t, at } = tracked('stacks.asm');
    cpu.breakpoints.add(at('s-on-irq'));
    expect(cpu.run(1000)).toBe(StopReason.Breakpoint);
    const st = Object.fromEntries(t.status().map((s) => [s.name, s]));
    expect(st['irq_stack']).toMatchObject({ current: true, used: 0, belowTouched: false });
    expect(st['thread_stack']!.current).toBe(false);
    // main's return address, 8 bytes of alignment, the frame (5 qwords), rbp: 64 bytes so far.
    expect(st['thread_stack']!.deepest).toBe(64);
    cpu.breakpoints.clear();
    runToHlt(cpu, t);
    const end = Object.fromEntries(t.status().map((s) => [s.name, s]));
    expect(end['thread_stack']).toMatchObject({ current: true, used: 0, deepest: 64, belowTouched: false });
    // The outer interrupt's saved rbp; the nested one: alignment, its frame (5 qwords), two rbp.
    expect(end['irq_stack']).toMatchObject({ current: false, used: 0, deepest: 9 * 8 });
    expect(end['nmi_stack']).toMatchObject({ deepest: 6 * 8, belowTouched: false });
  });

  it('stops on the first instruction on the new stack when asked', () => {
    const { cpu, t, at, sym } = tracked('stacks.asm');
    t.stopOnSwitch = true;
    const stops: [number, string][] = [];
    for (let i = 0; i < 10; i++) {
      const r = runToHlt(cpu, t);
      if (r === StopReason.Hlt) break;
      const s = t.takeStop();
      expect(s?.kind).toBe('switch');
      stops.push([Number(cpu.rip), s!.kind === 'switch' ? s!.switch.to ?? '' : '']);
    }
    expect(stops.slice(0, 4)).toEqual([
      [sym('_start') + cpu.decodeAt(sym('_start'))!.length, 'thread_stack'],
      [at('s-on-irq'), 'irq_stack'],
      [at('s-pop-rsp') + 1, 'thread_stack'],
      [at('s-nmi-first'), 'nmi_stack'],
    ]);
    expect(stops.length).toBe(5);
  });

  it('detects an event through IST1 while its frame is live, and the IRETQ of the overwritten frame, there only', () => {
    const { cpu, t, at } = tracked('stacks-reentry.asm');
    runToHlt(cpu, t);
    expect(Number(cpu.rip)).toBe(at('r-corrupt') + 1);
    expect(t.alerts.map((a) => [a.kind, a.rip, a.stack, a.vector])).toEqual([
      ['ist-reentry', at('r-nested') + 2, 'nmi_stack', 0x42],
      ['iret-overwritten', at('r-iretq'), 'nmi_stack', 0x42],
    ]);
    // The first, harmless event through IST1 raised nothing; neither did the nested event's IRETQ.
    expect(t.alerts[0]!.count).toBeGreaterThan(t.switches.find((s) => s.cause === 'iretq')!.count);
    expect(t.alerts[0]!.message).toMatch(/vector 66 delivered through IST1 while the frame of vector 66 .* is live on nmi_stack/);
    expect(t.alerts[1]!.message).toMatch(/IRETQ .* overwritten since delivery: rip 0x[0-9a-f]+ -> 0x/);
  });

  it('stops after the delivery that re-enters IST1, on the handler', () => {
    const { cpu, t, at, sym } = tracked('stacks-reentry.asm');
    t.stopOnAlert = true;
    expect(runToHlt(cpu, t)).toBe(StopReason.Breakpoint);
    expect(t.takeStop()).toMatchObject({ kind: 'alert', alert: { kind: 'ist-reentry' } });
    expect(Number(cpu.rip)).toBe(sym('nmi_entry'));
    expect(cpu.breakpoints.size).toBe(0);
    expect(runToHlt(cpu, t)).toBe(StopReason.Breakpoint);
    expect(t.takeStop()).toMatchObject({ kind: 'alert', alert: { kind: 'iret-overwritten' } });
    expect(Number(cpu.rip)).toBe(at('r-after-nested'));
    expect(runToHlt(cpu, t)).toBe(StopReason.Hlt);
  });

  it('SUB RSP below the bottom by more than a page is an overflow; MOV RSP to a stack below is a switch', () => {
    const { cpu, t, at } = tracked('stacks-alloca.asm');
    expect(runToHlt(cpu, t)).toBe(StopReason.Hlt);
    expect(t.alerts.map((a) => [a.kind, a.rip, a.stack])).toEqual([['overflow', at('a-sub'), 'irq_stack']]);
    expect(t.switches.map((s) => [s.from, s.to, s.cause])).toEqual([
      [null, 'thread_stack', 'mov'],
      ['thread_stack', 'irq_stack', 'mov'],
      ['irq_stack', 'nmi_stack', 'mov'],
      ['nmi_stack', 'irq_stack', 'mov'],
      ['irq_stack', null, 'sub'],
      [null, 'thread_stack', 'mov'],
    ]);
  });

  it('an IST frame copied to another stack and popped there is gone: the next event through the IST is no reentry', () => {
    const { cpu, t, at } = tracked('stacks-copy.asm');
    expect(runToHlt(cpu, t)).toBe(StopReason.Hlt);
    expect(t.alerts).toEqual([]);
    expect(t.switches.map((s) => [s.from, s.to, s.cause, s.rip])).toEqual([
      [null, 'thread_stack', 'mov', t.switches[0]!.rip],
      ['thread_stack', 'nmi_stack', 'IST1', at('c-first') + 2],
      ['nmi_stack', 'thread_stack', 'mov', at('c-move')],
      ['thread_stack', 'nmi_stack', 'IST1', at('c-second') + 2],
      ['nmi_stack', 'thread_stack', 'mov', at('c-move')],
    ]);
  });

  it('detects the overflow at the call that leaves the stack through its bottom, and only there', () => {
    const { cpu, t, at, sym } = tracked('stacks-overflow.asm');
    runToHlt(cpu, t);
    expect(t.alerts.map((a) => [a.kind, a.rip, a.stack])).toEqual([['overflow', at('o-call'), 'irq_stack']]);
    expect(t.alerts[0]!.message).toContain('RSP left irq_stack');
    const irq = t.status().find((s) => s.name === 'irq_stack')!;
    expect(irq).toMatchObject({ belowTouched: true, deepest: 4096 });
    expect(t.status().find((s) => s.name === 'thread_stack')!.belowTouched).toBe(false);
    // thread -> irq (mov), irq -> off (the call), back (a ret), irq -> thread (mov rsp, rbx).
    expect(t.switches.map((s) => [s.from, s.to, s.cause])).toEqual([
      [null, 'thread_stack', 'mov'],
      ['thread_stack', 'irq_stack', 'mov'],
      ['irq_stack', null, 'call'],
      [null, 'irq_stack', 'ret'],
      ['irq_stack', 'thread_stack', 'mov'],
    ]);
    expect(t.switches[2]!.rip).toBe(at('o-call'));
    expect(t.switches[2]!.rspAfter).toBe(sym('irq_stack') - 8);
  });

  it('time travel: going back and running forward again records nothing twice; the history so far follows the clock', () => {
    const files: Record<string, string> = {};
    for (const f of ['stacks.asm', 'stacks-setup.inc']) files[f] = readFileSync(join(DIR, f), 'utf8');
    const img = assemble({ path: 'stacks.asm', text: files['stacks.asm']! }, { format: 'image', host: memoryHost(files) }).image!;
    const m = createMachine({ memoryBytes: 16 << 20, serialOutput: () => {} });
    m.cpu.reset64();
    for (const s of img.sections) if (!s.nobits && s.data.length) m.cpu.writeLinear(s.address, s.data);
    m.cpu.rip = 0x100000n;
    const symbols = img.symbols.filter((s) => s.kind === 'label').map((s) => ({ name: s.name, address: Number(s.address), size: 0 }));
    const t = new StackTracker(m.cpu, { symbols });
    t.attach();
    const tt = new TimeTravel(m, { interval: 1000 });
    const runAll = () => {
      for (;;) {
        const r = tt.run(100_000);
        if (r === StopReason.Watchpoint && !t.handleWatchHits()) continue;
        return r;
      }
    };
    expect(runAll()).toBe(StopReason.Hlt);
    const all = t.switches.map((s) => ({ ...s }));
    expect(all.length).toBe(5);
    const mid = all[2]!.count; // the POP RSP back to the thread stack
    tt.goToCount(mid);
    expect(t.switchesSoFar()).toEqual(all.slice(0, 2));
    expect(runAll()).toBe(StopReason.Hlt);
    expect(t.switches).toEqual(all);
    expect(t.switchesSoFar()).toEqual(all);
    expect(t.alerts).toEqual([]);
  });

  it('costs nothing detached: the CPU runs without hooks', () => {
    const { cpu, t } = tracked('stacks.asm');
    t.detach();
    expect(cpu.onDeliver).toBeNull();
    runToHlt(cpu, t);
    expect(t.switches).toEqual([]);
  });
});
