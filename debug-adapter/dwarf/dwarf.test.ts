// The DWARF model against gdb on the same programs: functions and pc ranges, the source line of
// every instruction, `info scope` (symbols, sizes, locations) of every function and block,
// whatis/ptype, and, with the programs stopped at breakpoints under gdb, the backtrace (pc, CFA,
// callee-saved registers), the variables in scope in every frame, their types and their values.
import { describe, expect, it } from 'vitest';
import { DW_OP, regName } from './constants';
import { decodeExpr, type ExprOp } from './expr';
import { DwarfDebugInfo, type DwarfFunction, type DwarfVariable, type LocationDescription } from './dwarf';
import type { Registers } from './frame';
import { sizeOf } from './types';
import type { ValueNode } from './values';
import {
  C_FIXTURES,
  gdbOracle,
  loadFixture,
  memoryFrom,
  parseInfoScope,
  symbolizer,
  type GdbScopeSymbol,
  type GdbValueTree,
} from './test-support';

// ---- location signatures: what `info scope` says, and the same from our side ---------------------

type Sig =
  | { kind: 'reg'; reg: string }
  | { kind: 'addr'; addr: string }
  | { kind: 'fbreg'; reg: string; offset: number }
  | { kind: 'none' }
  | { kind: 'const'; value: string }
  | { kind: 'ops'; ops: string[] }
  | { kind: 'pieces'; parts: { kind: string; size: number; reg?: string; ops?: string[] }[] };

function gdbOps(text: string): string[] {
  return [...text.matchAll(/^\s*\d+: (DW_OP_\w+)/gm)].map((m) => m[1]!);
}

function gdbSig(desc: string): Sig {
  let m: RegExpExecArray | null;
  if (desc === 'optimized out') return { kind: 'none' };
  if ((m = /^a variable in \$(\w+)$/.exec(desc))) return { kind: 'reg', reg: m[1]! };
  if ((m = /^(?:in )?static storage at address (0x[0-9a-f]+)$/.exec(desc))) return { kind: 'addr', addr: m[1]! };
  if ((m = /^a variable at frame base reg \$(\w+) offset (-?\d+)\+(-?\d+)$/.exec(desc)))
    return { kind: 'fbreg', reg: m[1]!, offset: Number(m[2]) + Number(m[3]) };
  if ((m = /^the constant (-?\d+)$/.exec(desc))) return { kind: 'const', value: m[1]! };
  // DW_AT_const_value (clang gives an inlined parameter whose argument is known its value).
  if ((m = /^a constant with value (-?\d+) \(0x[0-9a-f]+\)$/.exec(desc))) return { kind: 'const', value: m[1]! };
  if (desc.startsWith('a complex DWARF expression:')) return { kind: 'ops', ops: gdbOps(desc) };
  if (/byte piece/.test(desc)) {
    const parts: { kind: string; size: number; reg?: string; ops?: string[] }[] = [];
    const re = /an empty (\d+)-byte piece|a variable in \$(\w+) \[(\d+)-byte piece\]|a complex DWARF expression:([\s\S]*?)\[(\d+)-byte piece\]/g;
    for (const p of desc.matchAll(re)) {
      if (p[1]) parts.push({ kind: 'empty', size: Number(p[1]) });
      else if (p[2]) parts.push({ kind: 'reg', reg: p[2], size: Number(p[3]) });
      else parts.push({ kind: 'ops', ops: gdbOps(p[4]!), size: Number(p[5]) });
    }
    return { kind: 'pieces', parts };
  }
  throw new Error(`unknown info scope description: ${desc}`);
}

function flatOps(ops: ExprOp[], v: DwarfVariable): string[] {
  const out: string[] = [];
  for (const o of ops) {
    out.push(o.name);
    if ((o.op === DW_OP.entry_value || o.op === DW_OP.GNU_entry_value) && o.block)
      out.push(...flatOps(decodeExpr(o.block, { addressSize: v.unit.addressSize }), v));
  }
  return out;
}

function ourSig(expr: Uint8Array, v: DwarfVariable, inList = false, d?: DwarfDebugInfo): Sig {
  const ops = decodeExpr(expr, { addressSize: v.unit.addressSize, dwarf64: v.unit.dwarf64, version: v.unit.version });
  const isReg = (o: ExprOp): boolean => (o.op >= DW_OP.reg0 && o.op <= DW_OP.reg31) || o.op === DW_OP.regx;
  const regOf = (o: ExprOp): string => regName(o.op === DW_OP.regx ? Number(o.args[0]) : o.op - DW_OP.reg0);
  if (ops.some((o) => o.op === DW_OP.piece)) {
    const parts: { kind: string; size: number; reg?: string; ops?: string[] }[] = [];
    let cur: ExprOp[] = [];
    for (const o of ops) {
      if (o.op !== DW_OP.piece) {
        cur.push(o);
        continue;
      }
      const size = Number(o.args[0]);
      if (cur.length === 0) parts.push({ kind: 'empty', size });
      else if (cur.length === 1 && isReg(cur[0]!)) parts.push({ kind: 'reg', reg: regOf(cur[0]!), size });
      else parts.push({ kind: 'ops', ops: flatOps(cur, v), size });
      cur = [];
    }
    return { kind: 'pieces', parts };
  }
  if (ops.length === 1 && isReg(ops[0]!)) return { kind: 'reg', reg: regOf(ops[0]!) };
  // gdb: "static storage" for a DW_OP_addr location, but an expression inside a location list
  if (ops.length === 1 && ops[0]!.op === DW_OP.addr && !inList) return { kind: 'addr', addr: `0x${ops[0]!.args[0]!.toString(16)}` };
  // ... and for DW_OP_addrx (clang's DWARF 5), the address from .debug_addr.
  if (ops.length === 1 && ops[0]!.op === DW_OP.addrx && !inList && d) return { kind: 'addr', addr: `0x${d.tables.addrx(v.unit, Number(ops[0]!.args[0]!)).toString(16)}` };
  const fbl = v.function?.frameBase;
  // gdb describes DW_OP_fbreg by the frame base at the function's entry.
  const fbExpr = fbl?.kind === 'expr' ? fbl.expr : fbl?.kind === 'list' ? fbl.list.entries.find((e) => e.start <= v.function!.lowPc && v.function!.lowPc < e.end)?.expr : undefined;
  if (ops.length === 1 && ops[0]!.op === DW_OP.fbreg && fbExpr) {
    const fb = decodeExpr(fbExpr, { addressSize: 8 });
    if (fb.length === 1 && fb[0]!.op >= DW_OP.breg0 && fb[0]!.op <= DW_OP.breg31)
      return { kind: 'fbreg', reg: regName(fb[0]!.op - DW_OP.breg0), offset: Number(fb[0]!.args[0]! + ops[0]!.args[0]!) };
    // clang's frame base without a frame pointer: DW_OP_reg7 (the register's value is the base).
    if (fb.length === 1 && fb[0]!.op >= DW_OP.reg0 && fb[0]!.op <= DW_OP.reg31)
      return { kind: 'fbreg', reg: regName(fb[0]!.op - DW_OP.reg0), offset: Number(ops[0]!.args[0]!) };
  }
  // gdb says "the constant N" for DW_OP_litN; DW_OP_stack_value (other constants: an expression)
  if (ops.length === 2 && ops[0]!.op >= DW_OP.lit0 && ops[0]!.op <= DW_OP.lit31 && ops[1]!.op === DW_OP.stack_value)
    return { kind: 'const', value: String(ops[0]!.op - DW_OP.lit0) };
  return { kind: 'ops', ops: flatOps(ops, v) };
}

function ourLocations(v: DwarfVariable, d?: DwarfDebugInfo): { range?: [bigint, bigint]; sig: Sig }[] {
  const loc: LocationDescription = v.location;
  switch (loc.kind) {
    case 'none':
      return [{ sig: { kind: 'none' } }];
    case 'expr':
      return [{ sig: loc.expr.length === 0 ? { kind: 'none' } : ourSig(loc.expr, v, false, d) }];
    case 'list':
      return loc.list.entries.map((e) => ({ range: [e.start, e.end], sig: ourSig(e.expr, v, true) }));
    case 'const':
      return [{ sig: { kind: 'const', value: String(loc.value) } }];
    case 'error':
      return [{ sig: { kind: 'ops', ops: [`error: ${loc.message}`] } }];
  }
}

/**
 * Variables of scopes whose ranges stick out of their parent's (DWARF 2 cannot describe a block
 * with holes): gdb clips such a block to its parent's range and so loses them; we keep them.
 */
function misnestedVariables(d: DwarfDebugInfo, pc: bigint): Set<string> {
  const scopes = d.scopesAt(pc);
  const out = new Set<string>();
  for (let i = 0; i + 1 < scopes.length; i++) {
    const inner = scopes[i]!;
    const outer = scopes[i + 1]!;
    const inside = inner.ranges.every((r) => outer.ranges.some((o) => o.start <= r.start && r.end <= o.end));
    if (!inside) for (let j = 0; j + 1 < scopes.length; j++) for (const v of scopes[j]!.variables) out.add(v.name);
  }
  return out;
}

/** Compare `info scope` output with the variables of our scopes at `pc` (up to the function). */
function compareScope(d: DwarfDebugInfo, pc: bigint, text: string, what: string): number {
  const want = parseInfoScope(text).filter((s) => !/^a function/.test(s.locations[0]?.desc ?? ''));
  const extra = misnestedVariables(d, pc);
  if (extra.size > 0 && want.some((w) => !d.variablesAt(pc).some((v) => v.name === w.name))) return 0; // gdb saw a clipped block
  // Where an inlined call starts at pc, gdb's listing mixes the inlined function's and its caller's
  // blocks: there, each symbol gdb lists must match one of ours, but not the other way round.
  const inlined = d.scopesAt(pc).some((s) => s.kind === 'inlined');
  const ours = (inlined ? d.scopesAt(pc).flatMap((s) => s.variables) : d.variablesAt(pc)).filter(
    (v) => !extra.has(v.name) || want.some((w) => w.name === v.name),
  );
  const unused = [...ours];
  for (const w of want) {
    const exp = w.locations.map((l) => ({ ...(l.range ? { range: l.range } : {}), sig: gdbSig(l.desc) }));
    const candidates = unused.filter((v) => v.name === w.name);
    // gdb copies the abstract instance's variables into an inlined block it cannot match them to,
    // as "optimized out" duplicates: not a symbol of the program.
    if (inlined && candidates.length === 0 && w.locations[0]?.desc === 'optimized out' && ours.some((v) => v.name === w.name)) continue;
    expect(candidates.length, `${what}: gdb lists ${w.name}, we do not (we have ${ours.map((v) => v.name).join(', ')})`).toBeGreaterThan(0);
    const v = candidates.find((c) => JSON.stringify(ourLocations(c, d), bigints) === JSON.stringify(exp, bigints)) ?? candidates[0]!;
    unused.splice(unused.indexOf(v), 1);
    if (w.length !== undefined) expect(sizeOf(v.type), `${what}: length of ${w.name}`).toBe(w.length);
    expect(ourLocations(v, d), `${what}: location of ${w.name}`).toEqual(exp);
  }
  if (!inlined) expect(unused.map((v) => v.name), `${what}: symbols gdb does not list`).toEqual([]);
  return want.length;
}

const bigints = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

// ---- value trees ----------------------------------------------------------------------------------

/** gdb's leaf text with our conventions: no "{type} " prefix before function pointers. */
function normalizeGdb(s: string): string {
  return s.replace(/^\{[^}]*\} /, '');
}

function compareTree(got: ValueNode, want: GdbValueTree, path: string, counter: { leaves: number }): void {
  expect(got.type, `${path}: type`).toBe(want.type);
  if (want.address !== undefined && got.address !== undefined) expect(`0x${got.address.toString(16)}`, `${path}: address`).toBe(want.address);
  if (want.children) {
    // The oracle stops after 16 elements.
    expect(got.children?.slice(0, want.children.length === 16 ? 16 : undefined).map((c) => c.name), `${path}: children`).toEqual(
      want.children.map((c) => c.name),
    );
    want.children.forEach((c, i) => compareTree(got.children![i]!, c, `${path}.${c.name}`, counter));
    return;
  }
  expect(got.display, `${path}: value`).toBe(normalizeGdb(want.value ?? ''));
  counter.leaves++;
}

// ---- the tests ------------------------------------------------------------------------------------

const figures: Record<string, Record<string, number>> = {};

/** Compile units and breakpoint stops each program has. */
const SHAPE: Record<string, { units: number; stops: number }> = {
  ...Object.fromEntries(C_FIXTURES.map((n) => [n, { units: 2, stops: 8 }])),
  // entry.asm (nasm), isr.S (gas), kmain.c, interrupts.c, serial.c; run by QEMU under gdb
  'c-kernel': { units: 5, stops: 5 },
};

describe.each([...C_FIXTURES, 'c-kernel'])('%s against gdb', (name) => {
  const loaded = loadFixture(name);
  const d = DwarfDebugInfo.load(loaded.src);
  const oracle = gdbOracle(name);
  const fig = (figures[name] ??= {});

  it('reads without warnings', () => {
    expect(d.warnings).toEqual([]);
    expect(d.units.length).toBe(SHAPE[name]!.units);
  });

  it('finds every function and its pc range', () => {
    for (const f of oracle.functions) {
      if (!f.low) continue;
      const fn = d.functionAt(BigInt(f.low));
      expect(fn?.name, f.name).toBe(f.name);
      expect(fn!.lowPc).toBe(BigInt(f.low));
      expect(fn!.highPc).toBe(BigInt(f.high!));
      if (f.whatis) expect(d.typeName(fn!.type), `${f.name}: whatis`).toBe(f.whatis);
    }
  });

  it('gives every instruction the source line gdb gives it', () => {
    let n = 0;
    for (const f of oracle.functions)
      for (const [pc, file, line] of f.lines ?? []) {
        expect(d.lineForAddress(BigInt(pc)), pc).toMatchObject({ file, line });
        n++;
      }
    expect(n).toBeGreaterThan(100);
    fig.lines = n;
  });

  it('lists the symbols of every function and block as info scope does (sizes, locations)', () => {
    let n = 0;
    for (const f of oracle.functions) {
      if (!f.low || !f.scope) continue;
      n += compareScope(d, BigInt(f.low), f.scope, f.name);
      for (const b of f.blocks ?? []) {
        n += compareScope(d, BigInt(b.start), b.scope, `${f.name} block ${b.start}`);
        const inner = d.scopesAt(BigInt(b.start))[0]!;
        expect(inner.kind).not.toBe('function');
        expect(inner.ranges.some((r) => r.start <= BigInt(b.start) && BigInt(b.end) <= r.end || r.start === BigInt(b.start))).toBe(true);
      }
    }
    fig.scopeSymbols = n;
  });

  it('names every global variable type as whatis and ptype do', () => {
    const globals = new Map(d.globals().map((g) => [g.name, g]));
    for (const g of oracle.globals) {
      const v = globals.get(g.name);
      expect(v, g.name).toBeDefined();
      expect(d.typeName(v!.type), `${g.name}: whatis`).toBe(g.whatis);
      expect(`type = ${d.typeDefinition(v!.type)}`, `${g.name}: ptype`).toBe(g.ptype);
    }
    fig.globals = oracle.globals.length;
  });

  it('at every breakpoint: unwinds the stack and reads every variable as gdb does', () => {
    const counter = { leaves: 0 };
    let frames = 0;
    let vars = 0;
    expect(oracle.stops.length).toBe(SHAPE[name]!.stops);
    for (const stop of oracle.stops) {
      const mem = memoryFrom(loaded, stop.memory);
      const symbolize = symbolizer(loaded);
      const regs: Registers = {};
      for (const [k, v] of Object.entries(stop.registers)) regs[k === 'eflags' ? 'rflags' : k] = BigInt(v);
      // Physical frames from our unwinder; gdb adds one frame per inlined call.
      let cur: Registers | undefined = regs;
      let isCaller = false;
      let inlineDepth = 0;
      let cfa: bigint | undefined;
      for (const gf of stop.frames) {
        const where = `${stop.where} frame #${gf.level} (${gf.function})`;
        if (!cur) {
          // Our unwinder stops where there is no CFI (entry.asm); gdb guesses on from there.
          expect(d.unwinder.fdeFor(BigInt(stop.frames[gf.level - 1]!.pc) - 1n), `${where}: our unwinder stopped early`).toBeUndefined();
          break;
        }
        expect(`0x${cur.rip!.toString(16)}`, `${where}: pc`).toBe(gf.pc);
        const pc = isCaller ? cur.rip! - 1n : cur.rip!;
        if (!gf.inline) {
          cfa = d.cfa(cur, mem, { isCaller });
          if (d.unwinder.fdeFor(pc)) expect(cfa === undefined ? null : `0x${cfa.toString(16)}`, `${where}: CFA`).toBe(gf.cfa);
          for (const [r, v] of Object.entries(gf.registers)) if (cur[r] !== undefined) expect(`0x${cur[r]!.toString(16)}`, `${where}: ${r}`).toBe(v);
        }
        // Variables: gdb's scopes of this (possibly inlined) frame against ours. gdb may hide inlined
        // frames at a breakpoint's address and still report the innermost block: follow the name of
        // the function gdb's scopes end in.
        const gdbSyms = gf.scopes.flatMap((s) => s.symbols);
        const gdbFn = gf.scopes[gf.scopes.length - 1]?.function ?? gf.function;
        const chain = d.scopesAt(pc).filter((s) => s.kind !== 'block').map((s) => s.name);
        const depth = chain.indexOf(gdbFn ?? '', inlineDepth) >= 0 ? chain.indexOf(gdbFn ?? '', inlineDepth) : inlineDepth;
        const extra = misnestedVariables(d, pc);
        const ours = d.variablesAt(pc, { inlineDepth: depth }).filter((v) => !extra.has(v.name) || gdbSyms.some((g) => g.name === v.name));
        expect(ours.map((v) => v.name).sort(), `${where}: variables`).toEqual(gdbSyms.map((s) => s.name).sort());
        const used = new Set<DwarfVariable>();
        for (const s of gdbSyms) {
          const v = ours.find((x) => x.name === s.name && !used.has(x));
          if (!v) throw new Error(`${where}: no variable ${s.name} (we have ${ours.map((x) => x.name).join(', ')})`);
          used.add(v);
          expect(v.kind === 'parameter', `${where}: ${s.name} is a parameter`).toBe(s.argument);
          expect(d.typeName(v.type), `${where}: whatis ${s.name}`).toBe(s.whatis);
          expect(`type = ${d.typeDefinition(v.type)}`, `${where}: ptype ${s.name}`).toBe(s.ptype);
          const value = d.readValue(v, { regs: cur, readMemory: mem, cfa, isCaller, symbolize });
          compareTree(value, s.tree, `${where}: ${s.name}`, counter);
          vars++;
        }
        frames++;
        if (gf.inline) inlineDepth++;
        else {
          // The next physical frame; after an interrupt (signal) frame its rip is not a return address.
          inlineDepth = 0;
          const step = d.unwind(cur, mem, { isCaller });
          cur = step?.caller;
          isCaller = step ? !step.signalFrame : true;
        }
      }
      // Globals at the first stop (those in memory the oracle dumped, or in the file).
      const dumped = (a: bigint): boolean =>
        stop.memory.some((m) => BigInt(m.address) <= a && a < BigInt(m.address) + BigInt(m.bytes.length / 2)) ||
        loaded.elf.programHeaders.some((ph) => ph.type === 1 && ph.vaddr <= a && a < ph.vaddr + ph.filesz);
      for (const g of stop.globals) {
        if (g.tree.address !== undefined && !dumped(BigInt(g.tree.address))) continue;
        const v = d.globals().find((x) => x.name === g.name)!;
        compareTree(d.readValue(v, { regs, readMemory: mem, symbolize }), g.tree, `global ${g.name}`, counter);
      }
    }
    fig.frames = frames;
    fig.variables = vars;
    fig.valueLeaves = counter.leaves;
  });
});

describe('figures', () => {
  it('prints what was compared with gdb', () => {
    // Shown with --reporter=verbose; kept as a test so the numbers are part of the run.
    for (const [k, v] of Object.entries(figures)) expect(Object.keys(v).length, k).toBeGreaterThan(0);
    console.log(JSON.stringify(figures));
  });
});

export type { DwarfFunction, GdbScopeSymbol };
