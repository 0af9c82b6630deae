// The debugger's view of a program's DWARF: functions and their pc ranges, the scopes (function,
// lexical blocks, inlined calls) and variables at a pc, globals, types, line tables and CFI, and
// reading a variable's value in a stopped frame. Everything is read once, up front, from a
// DwarfSource; problems become warnings that name the section and offset.

import { DW_AT, DW_FORM, DW_TAG, regName } from './constants';
import { evaluateExpr, formatExpr, type ExprContext, type ExprResult, type SimpleLocation } from './expr';
import { Unwinder, type ReadMemory, type Registers, type UnwindOptions, type UnwindResult } from './frame';
import { parseInfo, Tables, type AddressRange, type Die, type LocList, type Unit } from './info';
import { LineIndex, parseAllLinePrograms, type LineContext, type LineProgram, type SourceFile, type SourceLocation } from './line';
import { errorText, hex } from './reader';
import { elfDwarfSource, type DwarfSource } from './source';
import { parseElf } from '../../emulator/boot/elf';
import { sizeOf, TypeBuilder, typeDefinition, typeName, VOID, type DwarfType } from './types';
import { readTypedValue, type Storage, type ValueNode, type ValueOptions } from './values';

/** Where a variable lives, as DWARF describes it (before evaluation against a frame). */
export type LocationDescription =
  | { kind: 'expr'; expr: Uint8Array }
  | { kind: 'list'; list: LocList }
  | { kind: 'const'; value: bigint | Uint8Array }
  | { kind: 'none' }
  | { kind: 'error'; message: string };

export interface DwarfFunction {
  name: string;
  linkageName?: string;
  lowPc: bigint;
  highPc: bigint;
  ranges: AddressRange[];
  type: DwarfType;
  external: boolean;
  declFile?: string;
  declLine?: number;
  frameBase?: LocationDescription;
  die: Die;
  unit: Unit;
}

export type VariableKind = 'parameter' | 'local' | 'static' | 'global';

export interface DwarfVariable {
  name: string;
  type: DwarfType;
  kind: VariableKind;
  location: LocationDescription;
  declFile?: string;
  declLine?: number;
  external: boolean;
  /** The function whose frame holds the variable (frame base), for parameters and locals. */
  function?: DwarfFunction;
  die: Die;
  unit: Unit;
}

export interface Scope {
  kind: 'function' | 'block' | 'inlined';
  ranges: AddressRange[];
  /** The inlined function's name, or the function's. */
  name?: string;
  /** Where an inlined call was made. */
  callFile?: string;
  callLine?: number;
  variables: DwarfVariable[];
  die: Die;
}

export interface FrameContext {
  regs: Registers;
  readMemory: ReadMemory;
  /** The frame's CFA (from the unwinder); needed by DW_OP_call_frame_cfa frame bases. */
  cfa?: bigint;
  /** Address used to pick location-list entries; default regs.rip (rip - 1 for a caller frame). */
  pc?: bigint;
  /** The frame is a caller's (its rip is a return address). */
  isCaller?: boolean;
  symbolize?: (addr: bigint) => string | undefined;
  maxElements?: number;
}

/** One physical frame of a backtrace (inlined calls are listed in `inlined`, innermost first). */
export interface StackFrame {
  /** The frame's registers (unknown ones absent). */
  regs: Registers;
  /** The address used for lookups: rip, or rip - 1 for a frame whose rip is a return address. */
  pc: bigint;
  /** The frame's CFA (undefined without CFI for pc). */
  cfa?: bigint;
  function?: DwarfFunction;
  /** Inlined calls at pc, innermost first (each a virtual frame in a call stack view). */
  inlined: Scope[];
  location?: SourceLocation;
  /** rip is a return address (this frame made a call), not an interrupted or current instruction. */
  isCaller: boolean;
}

export interface Backtrace {
  frames: StackFrame[];
  /** Why the walk stopped: no CFI for the last pc, its return address is undefined, a limit, or a loop. */
  stop: 'no-cfi' | 'outermost' | 'max-frames' | 'no-progress';
}

export class DwarfDebugInfo {
  readonly warnings: string[] = [];
  readonly units: Unit[];
  readonly lines: LineIndex;
  readonly linePrograms: LineProgram[];
  readonly unwinder: Unwinder;
  readonly tables: Tables;
  private readonly types: TypeBuilder;
  private readonly dies = new Map<number, Die>();
  private readonly programByUnit = new Map<Unit, LineProgram>();
  private fnIndex?: { fn: DwarfFunction; start: bigint; end: bigint }[];
  private fnByDie = new Map<Die, DwarfFunction>();
  private globalList?: DwarfVariable[];

  constructor(readonly src: DwarfSource) {
    this.tables = new Tables(src);
    const info = parseInfo(src);
    this.units = info.units;
    this.warnings.push(...info.warnings);
    for (const u of this.units) if (u.root) this.index(u.root);
    const contexts = new Map<number, LineContext>();
    for (const u of this.units)
      if (u.lineOffset !== undefined)
        contexts.set(u.lineOffset, {
          compDir: u.compDir,
          unitName: u.name,
          addressSize: u.addressSize,
          strx: (i) => this.tables.strx(u, i),
        });
    const lp = parseAllLinePrograms(src, contexts);
    this.linePrograms = lp.programs;
    this.warnings.push(...lp.warnings);
    for (const u of this.units) {
      const p = lp.programs.find((x) => x.offset === u.lineOffset);
      if (p) this.programByUnit.set(u, p);
    }
    this.lines = new LineIndex(lp.programs);
    this.unwinder = Unwinder.fromSource(src);
    this.warnings.push(...this.unwinder.warnings);
    this.types = new TypeBuilder(this.tables, (o) => this.dies.get(o));
  }

  static load(src: DwarfSource): DwarfDebugInfo {
    return new DwarfDebugInfo(src);
  }

  /** Parse an ELF file (emulator/boot/elf.ts) and read its DWARF. */
  static fromElf(bytes: Uint8Array): DwarfDebugInfo | { error: string } {
    const elf = parseElf(bytes);
    if ('error' in elf) return { error: elf.error };
    const warnings: string[] = [];
    const info = new DwarfDebugInfo(elfDwarfSource(bytes, elf, warnings));
    info.warnings.unshift(...warnings, ...elf.warnings);
    return info;
  }

  private index(root: Die): void {
    const stack = [root];
    while (stack.length) {
      const d = stack.pop()!;
      this.dies.set(d.offset, d);
      for (let i = d.children.length - 1; i >= 0; i--) stack.push(d.children[i]!);
    }
  }

  dieAt(offset: number): Die | undefined {
    return this.dies.get(offset);
  }

  // ---- lines ----------------------------------------------------------------------------------

  lineForAddress(addr: bigint): SourceLocation | undefined {
    return this.lines.lineForAddress(addr);
  }
  addressesForLine(file: string, line: number): bigint[] {
    return this.lines.addressesForLine(file, line);
  }
  resolveBreakpoint(file: string, line: number): { line: number; addresses: bigint[] } | undefined {
    return this.lines.resolveBreakpoint(file, line);
  }
  sourceFiles(): SourceFile[] {
    return this.lines.sourceFiles();
  }

  // ---- frames ---------------------------------------------------------------------------------

  unwindStep(regs: Registers, readMemory: ReadMemory, opts?: UnwindOptions): Registers | undefined {
    return this.unwinder.unwindStep(regs, readMemory, opts);
  }
  unwind(regs: Registers, readMemory: ReadMemory, opts?: UnwindOptions): UnwindResult | undefined {
    return this.unwinder.step(regs, readMemory, opts);
  }
  cfa(regs: Registers, readMemory: ReadMemory, opts?: UnwindOptions): bigint | undefined {
    return this.unwinder.cfa(regs, readMemory, opts);
  }

  /**
   * Walk the stack from the registers of the innermost frame with the CFI alone (no frame
   * pointers needed), through interrupt and exception frames whose entry stubs carry CFI.
   */
  backtrace(regs: Registers, readMemory: ReadMemory, opts: { maxFrames?: number } = {}): Backtrace {
    const frames: StackFrame[] = [];
    let cur: Registers | undefined = regs;
    let isCaller = false;
    const max = opts.maxFrames ?? 256;
    for (;;) {
      const rip = cur.rip!;
      const pc = isCaller ? rip - 1n : rip;
      frames.push({
        regs: cur,
        pc,
        cfa: this.unwinder.cfa(cur, readMemory, { isCaller }),
        function: this.functionAt(pc),
        inlined: this.scopesAt(pc).filter((x) => x.kind === 'inlined'),
        location: this.lineForAddress(pc),
        isCaller,
      });
      if (frames.length >= max) return { frames, stop: 'max-frames' };
      if (!this.unwinder.fdeFor(pc)) return { frames, stop: 'no-cfi' };
      const step = this.unwinder.step(cur, readMemory, { isCaller });
      if (!step || step.caller.rip === undefined) return { frames, stop: 'outermost' };
      // The stack grows down: a caller's frame is above (a stack switch to an interrupt stack is the
      // exception, and happens only across a signal frame).
      const prev = frames[frames.length - 1]!;
      if (!step.signalFrame && prev.cfa !== undefined && step.caller.rsp !== undefined && step.caller.rsp < (cur.rsp ?? 0n))
        return { frames, stop: 'no-progress' };
      if (step.caller.rip === rip && step.caller.rsp === cur.rsp) return { frames, stop: 'no-progress' };
      cur = step.caller;
      isCaller = !step.signalFrame;
    }
  }

  // ---- attributes through abstract_origin / specification -------------------------------------

  /** The DIE itself or the DIE its abstract_origin / specification chain leads to that has `at`. */
  private withAttr(die: Die, at: number): Die | undefined {
    let d: Die | undefined = die;
    for (let i = 0; d && i < 8; i++) {
      if (this.tables.has(d, at)) return d;
      const next: number | undefined = this.tables.attrRef(d, DW_AT.abstract_origin) ?? this.tables.attrRef(d, DW_AT.specification);
      d = next === undefined ? undefined : this.dies.get(next);
    }
    return undefined;
  }

  private name(die: Die): string | undefined {
    const d = this.withAttr(die, DW_AT.name);
    if (!d) return undefined;
    try {
      return this.tables.attrString(d, DW_AT.name);
    } catch (e) {
      this.warnings.push(`${errorText(e)} (name of the DIE at .debug_info offset ${hex(die.offset)})`);
      return undefined;
    }
  }

  private typeOfDie(die: Die): DwarfType {
    const d = this.withAttr(die, DW_AT.type);
    return d ? this.types.typeOf(d) : VOID;
  }

  private declPlace(die: Die): { declFile?: string; declLine?: number } {
    const d = this.withAttr(die, DW_AT.decl_file);
    const out: { declFile?: string; declLine?: number } = {};
    if (d) {
      const f = this.tables.attrUnsigned(d, DW_AT.decl_file);
      const p = this.programByUnit.get(d.unit);
      if (f !== undefined && p) out.declFile = p.files[Number(f)]?.path;
      const l = this.tables.attrUnsigned(d, DW_AT.decl_line);
      if (l !== undefined) out.declLine = Number(l);
    }
    return out;
  }

  private ranges(die: Die): AddressRange[] {
    try {
      return this.tables.pcRanges(die);
    } catch (e) {
      this.warnings.push(`${errorText(e)} (ranges of the DIE at .debug_info offset ${hex(die.offset)})`);
      return [];
    }
  }

  private location(die: Die, at: number): LocationDescription {
    const a = die.attrs.find((x) => x.at === at);
    if (!a) {
      if (at === DW_AT.location) {
        const cv = die.attrs.find((x) => x.at === DW_AT.const_value);
        if (cv) {
          const v = cv.value;
          if (v.kind === 'block' || v.kind === 'exprloc') return { kind: 'const', value: v.value };
          if (v.kind === 'udata' || v.kind === 'sdata') return { kind: 'const', value: this.tables.attrSigned(die, DW_AT.const_value) ?? v.value };
          if (v.kind === 'string') return { kind: 'const', value: new TextEncoder().encode(`${v.value}\0`) };
        }
      }
      return { kind: 'none' };
    }
    const v = a.value;
    try {
      if (v.kind === 'exprloc' || v.kind === 'block') return { kind: 'expr', expr: v.value };
      // loclistptr: sec_offset (v4+), data4/data8 (v2-3), loclistx (v5)
      if (v.kind === 'secoffset' || v.kind === 'loclistx' || (v.kind === 'udata' && (a.form === DW_FORM.data4 || a.form === DW_FORM.data8)))
        return { kind: 'list', list: this.tables.locList(die.unit, v) };
    } catch (e) {
      const message = errorText(e);
      this.warnings.push(`${message} (location of the DIE at .debug_info offset ${hex(die.offset)})`);
      return { kind: 'error', message };
    }
    return { kind: 'error', message: `unsupported location form 0x${a.form.toString(16)}` };
  }

  // ---- functions ------------------------------------------------------------------------------

  private functionOf(die: Die): DwarfFunction {
    let fn = this.fnByDie.get(die);
    if (fn) return fn;
    const ranges = this.ranges(die);
    const lowPc = ranges.reduce((m, r) => (r.start < m ? r.start : m), ranges[0]?.start ?? 0n);
    const highPc = ranges.reduce((m, r) => (r.end > m ? r.end : m), 0n);
    const linkDie = this.withAttr(die, DW_AT.linkage_name);
    fn = {
      name: this.name(die) ?? `<function at ${hex(lowPc)}>`,
      linkageName: linkDie ? this.tables.attrString(linkDie, DW_AT.linkage_name) : undefined,
      lowPc,
      highPc,
      ranges,
      type: this.types.typeAt(die.offset),
      external: this.tables.attrFlag(this.withAttr(die, DW_AT.external) ?? die, DW_AT.external),
      ...this.declPlace(die),
      frameBase: this.tables.has(die, DW_AT.frame_base) ? this.location(die, DW_AT.frame_base) : undefined,
      die,
      unit: die.unit,
    };
    this.fnByDie.set(die, fn);
    return fn;
  }

  /** Every function with code (concrete subprograms), sorted by address. */
  functions(): DwarfFunction[] {
    if (!this.fnIndex) {
      const idx: { fn: DwarfFunction; start: bigint; end: bigint }[] = [];
      for (const d of this.dies.values()) {
        if (d.tag !== DW_TAG.subprogram) continue;
        const fn = this.functionOf(d);
        for (const r of fn.ranges) if (r.start !== 0n || fn.ranges.length > 0) idx.push({ fn, start: r.start, end: r.end });
      }
      idx.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      this.fnIndex = idx.filter((x) => x.end > x.start);
    }
    const seen = new Set<DwarfFunction>();
    return this.fnIndex.map((x) => x.fn).filter((f) => !seen.has(f) && (seen.add(f), true));
  }

  /** The function whose code contains `pc`. */
  functionAt(pc: bigint): DwarfFunction | undefined {
    this.functions();
    const idx = this.fnIndex!;
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid]!.start <= pc) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
      const x = idx[i]!;
      if (pc >= x.start && pc < x.end) return x.fn;
    }
    return undefined;
  }

  /** Functions by name (several static functions may share one). */
  functionsNamed(name: string): DwarfFunction[] {
    return this.functions().filter((f) => f.name === name || f.linkageName === name);
  }

  // ---- scopes and variables -------------------------------------------------------------------

  private variablesOf(scopeDie: Die, fn: DwarfFunction | undefined, params: boolean): DwarfVariable[] {
    const out: DwarfVariable[] = [];
    const visit = (parent: Die, depth: number): void => {
      for (const c of parent.children) {
        if (c.tag === DW_TAG.lexical_block && depth < 32 && !this.hasPc(c)) {
          visit(c, depth + 1); // a block without code: its variables belong to the enclosing scope
          continue;
        }
        const isParam = c.tag === DW_TAG.formal_parameter;
        if (!(isParam && params) && c.tag !== DW_TAG.variable) continue;
        const v = this.variableOf(c, isParam ? 'parameter' : 'local', fn);
        if (v) out.push(v);
      }
    };
    visit(scopeDie, 0);
    return out;
  }

  private hasPc(d: Die): boolean {
    return this.tables.has(d, DW_AT.low_pc) || this.tables.has(d, DW_AT.ranges);
  }

  private variableOf(die: Die, kind: VariableKind, fn: DwarfFunction | undefined): DwarfVariable | undefined {
    const name = this.name(die);
    if (name === undefined) return undefined;
    const hasLoc = die.attrs.some((a) => a.at === DW_AT.location || a.at === DW_AT.const_value);
    let location: LocationDescription;
    if (!hasLoc && this.tables.attrFlag(die, DW_AT.declaration)) {
      // Declared here, defined where DWARF does not say (assembly): the symbol table knows where.
      const addr = kind === 'global' ? this.src.symbolAddress?.(name) : undefined;
      if (addr === undefined) return undefined;
      const expr = new Uint8Array(1 + die.unit.addressSize);
      expr[0] = 0x03; // DW_OP_addr
      for (let i = 0; i < die.unit.addressSize; i++) expr[1 + i] = Number((addr >> BigInt(8 * i)) & 0xffn);
      location = { kind: 'expr', expr };
    } else location = this.location(die, DW_AT.location);
    let k = kind;
    if (kind === 'local' && location.kind === 'expr' && location.expr[0] === 0x03 /* DW_OP_addr */) k = 'static';
    return {
      name,
      type: this.typeOfDie(die),
      kind: k,
      location,
      ...this.declPlace(die),
      external: this.tables.attrFlag(this.withAttr(die, DW_AT.external) ?? die, DW_AT.external),
      function: k === 'static' ? undefined : fn,
      die,
      unit: die.unit,
    };
  }

  /**
   * The scopes that contain `pc`, innermost first: lexical blocks, inlined calls and, last, the
   * function. For a caller frame pass its return address minus one.
   */
  scopesAt(pc: bigint): Scope[] {
    const fn = this.functionAt(pc);
    if (!fn) return [];
    // The innermost block or inlined call containing pc. Its lexical ancestors are in scope even
    // when their own ranges leave pc out (DWARF 2 cannot express a block's holes; gdb does the same).
    let best: Die | undefined;
    let bestDepth = -1;
    const stack: [Die, number][] = fn.die.children.map((c) => [c, 1]);
    for (let n = 0; stack.length && n < 200_000; n++) {
      const [d, depth] = stack.pop()!;
      if (d.tag !== DW_TAG.lexical_block && d.tag !== DW_TAG.inlined_subroutine) continue;
      if (depth > 64) continue;
      if (depth > bestDepth && this.hasPc(d) && this.ranges(d).some((r) => pc >= r.start && pc < r.end)) {
        best = d;
        bestDepth = depth;
      }
      for (const c of d.children) stack.push([c, depth + 1]);
    }
    const chain: Die[] = [];
    for (let d: Die | undefined = best; d && d !== fn.die; d = d.parent) if (this.hasPc(d)) chain.unshift(d);
    chain.unshift(fn.die);
    const scopes: Scope[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i]!;
      if (d.tag === DW_TAG.subprogram) {
        scopes.push({ kind: 'function', ranges: fn.ranges, name: fn.name, variables: this.variablesOf(d, fn, true), die: d });
      } else if (d.tag === DW_TAG.inlined_subroutine) {
        const callFile = this.tables.attrUnsigned(d, DW_AT.call_file);
        const p = this.programByUnit.get(d.unit);
        const callLine = this.tables.attrUnsigned(d, DW_AT.call_line);
        scopes.push({
          kind: 'inlined',
          ranges: this.ranges(d),
          name: this.name(d),
          callFile: callFile !== undefined && p ? p.files[Number(callFile)]?.path : undefined,
          callLine: callLine === undefined ? undefined : Number(callLine),
          variables: this.variablesOf(d, fn, true),
          die: d,
        });
      } else scopes.push({ kind: 'block', ranges: this.ranges(d), variables: this.variablesOf(d, fn, false), die: d });
    }
    return scopes;
  }

  /**
   * Parameters and locals in scope at `pc`, innermost block first, up to the innermost function
   * (an inlined call counts as one: its caller's variables are at `inlineDepth` 1).
   */
  variablesAt(pc: bigint, opts: { inlineDepth?: number } = {}): DwarfVariable[] {
    const out: DwarfVariable[] = [];
    let skip = opts.inlineDepth ?? 0;
    for (const s of this.scopesAt(pc)) {
      if (skip === 0) out.push(...s.variables);
      if (s.kind === 'function' || s.kind === 'inlined') {
        if (skip === 0) break;
        skip--;
      }
    }
    return out;
  }

  /** Variables at file scope (external and static), with a definition. */
  globals(): DwarfVariable[] {
    if (!this.globalList) {
      const out: DwarfVariable[] = [];
      const declared: DwarfVariable[] = [];
      for (const u of this.units) {
        if (!u.root) continue;
        for (const c of u.root.children) {
          if (c.tag !== DW_TAG.variable) continue;
          const v = this.variableOf(c, 'global', undefined);
          if (!v || v.location.kind === 'none') continue;
          (this.tables.attrFlag(c, DW_AT.declaration) && !c.attrs.some((a) => a.at === DW_AT.location) ? declared : out).push(v);
        }
      }
      // A declaration placed by the symbol table, unless some unit defines the variable.
      for (const v of declared) if (!out.some((x) => x.name === v.name) && !out.includes(v)) out.push(v);
      this.globalList = out;
    }
    return this.globalList;
  }

  // ---- types ----------------------------------------------------------------------------------

  typeName(t: DwarfType): string {
    return typeName(t);
  }
  typeDefinition(t: DwarfType): string {
    return typeDefinition(t);
  }
  /** A named struct/union/enum/typedef/base type (the first definition found). */
  typeNamed(name: string): DwarfType | undefined {
    const m = /^(struct|union|enum)\s+(.+)$/.exec(name);
    const tag = m ? { struct: DW_TAG.structure_type, union: DW_TAG.union_type, enum: DW_TAG.enumeration_type }[m[1] as 'struct'] : undefined;
    const bare = m ? m[2]! : name;
    for (const d of this.dies.values()) {
      if (tag !== undefined ? d.tag !== tag : d.tag !== DW_TAG.typedef && d.tag !== DW_TAG.base_type) continue;
      if (this.tables.attrFlag(d, DW_AT.declaration)) continue;
      if (this.name(d) === bare) return this.types.typeAt(d.offset);
    }
    return undefined;
  }

  // ---- values ---------------------------------------------------------------------------------

  /** Location description text for a variable (readelf notation), e.g. "DW_OP_fbreg: -20". */
  describeLocation(v: DwarfVariable): string {
    const loc = v.location;
    const fmt = { addressSize: v.unit.addressSize, dwarf64: v.unit.dwarf64, version: v.unit.version };
    switch (loc.kind) {
      case 'expr':
        return formatExpr(loc.expr, fmt);
      case 'list':
        return loc.list.entries.map((e) => `[${hex(e.start)}, ${hex(e.end)}): ${formatExpr(e.expr, fmt)}`).join('\n');
      case 'const':
        return `constant ${typeof loc.value === 'bigint' ? loc.value : `${loc.value.length}-byte block`}`;
      case 'none':
        return 'optimized out';
      case 'error':
        return `error: ${loc.message}`;
    }
  }

  /** Where the variable is at this frame's pc: memory, register, bytes, or why not. */
  locate(v: DwarfVariable, ctx: FrameContext): Storage {
    const pc = ctx.pc ?? (ctx.regs.rip === undefined ? undefined : ctx.isCaller ? ctx.regs.rip - 1n : ctx.regs.rip);
    const size = sizeOf(v.type);
    const expr = this.exprAt(v.location, pc);
    if (expr === undefined) return { kind: 'unavailable', reason: '<optimized out>' };
    if (typeof expr === 'string') return { kind: 'unavailable', reason: expr };
    if (!(expr instanceof Uint8Array)) return expr;
    const res = evaluateExpr(expr, this.exprContext(v, ctx, pc));
    return this.storageOf(res, size, ctx);
  }

  /** The expression in effect at `pc`, a constant storage, undefined (optimized out) or an error text. */
  private exprAt(loc: LocationDescription, pc: bigint | undefined): Uint8Array | Storage | string | undefined {
    switch (loc.kind) {
      case 'none':
        return undefined;
      case 'error':
        return `<error: ${loc.message}>`;
      case 'const': {
        if (loc.value instanceof Uint8Array) return { kind: 'bytes', bytes: loc.value };
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, loc.value), true);
        return { kind: 'bytes', bytes: b };
      }
      case 'expr':
        return loc.expr;
      case 'list': {
        if (pc === undefined) return '<error: no pc to choose a location list entry>';
        const e = loc.list.entries.find((x) => pc >= x.start && pc < x.end);
        return e ? e.expr : loc.list.defaultExpr;
      }
    }
  }

  private exprContext(v: DwarfVariable, ctx: FrameContext, pc: bigint | undefined, depth = 0): ExprContext {
    const u = v.unit;
    return {
      entryValue: (expr) => this.entryValue(expr, ctx, depth),
      addressSize: u.addressSize,
      dwarf64: u.dwarf64,
      version: u.version,
      littleEndian: this.src.littleEndian,
      readRegister: (n) => ctx.regs[regName(n)],
      readMemory: ctx.readMemory,
      cfa: ctx.cfa,
      addrx: (i) => {
        try {
          return this.tables.addrx(u, i);
        } catch {
          return undefined;
        }
      },
      frameBase: () => this.frameBase(v.function, ctx, pc),
    };
  }

  /**
   * DW_OP_entry_value(DW_OP_regN): the register's value at the call, from the caller's
   * DW_TAG_call_site_parameter (DW_AT_call_value) at the call whose return address is ours.
   */
  private entryValue(expr: Uint8Array, ctx: FrameContext, depth: number): bigint | undefined {
    if (depth > 4 || expr.length === 0) return undefined;
    const op = expr[0]!;
    let reg: number | undefined;
    if (op >= 0x50 && op <= 0x6f && expr.length === 1) reg = op - 0x50;
    else if (op === 0x90) reg = expr[1]! < 0x80 && expr.length === 2 ? expr[1] : undefined;
    if (reg === undefined) return undefined;
    const step = this.unwinder.step(ctx.regs, ctx.readMemory, { isCaller: ctx.isCaller });
    const ret = step?.caller.rip;
    if (!step || ret === undefined) return undefined;
    const callerPc = step.signalFrame ? ret : ret - 1n;
    const callerFn = this.functionAt(callerPc);
    if (!callerFn) return undefined;
    const site = this.callSite(callerFn.die, ret);
    if (!site) return undefined;
    for (const p of site.children) {
      if (p.tag !== DW_TAG.call_site_parameter && p.tag !== DW_TAG.GNU_call_site_parameter) continue;
      const loc = p.attrs.find((a) => a.at === DW_AT.location)?.value;
      if (!loc || (loc.kind !== 'exprloc' && loc.kind !== 'block') || loc.value.length !== 1 || loc.value[0] !== 0x50 + reg) continue;
      const val = p.attrs.find((a) => a.at === DW_AT.call_value || a.at === DW_AT.GNU_call_site_value)?.value;
      if (!val || (val.kind !== 'exprloc' && val.kind !== 'block')) return undefined;
      const callerCtx: FrameContext = {
        regs: step.caller,
        readMemory: ctx.readMemory,
        cfa: this.unwinder.cfa(step.caller, ctx.readMemory, { isCaller: !step.signalFrame }),
        isCaller: !step.signalFrame,
        pc: callerPc,
      };
      const pseudo = { unit: p.unit, function: callerFn } as DwarfVariable;
      const res = evaluateExpr(val.value, this.exprContext(pseudo, callerCtx, callerPc, depth + 1));
      if (res.kind === 'memory') return res.address;
      if (res.kind === 'value') return res.value;
      if (res.kind === 'register') return step.caller[regName(res.reg)];
      return undefined;
    }
    return undefined;
  }

  /** The DW_TAG_call_site (or GNU_call_site) in a function whose return address is `ret`. */
  private callSite(fnDie: Die, ret: bigint): Die | undefined {
    const stack = [...fnDie.children];
    for (let n = 0; stack.length && n < 100_000; n++) {
      const d = stack.pop()!;
      if (d.tag === DW_TAG.call_site || d.tag === DW_TAG.GNU_call_site) {
        const pc = this.tables.attrAddress(d, DW_AT.call_return_pc) ?? this.tables.attrAddress(d, DW_AT.low_pc);
        if (pc === ret) return d;
      } else if (d.tag === DW_TAG.lexical_block || d.tag === DW_TAG.inlined_subroutine) stack.push(...d.children);
    }
    return undefined;
  }

  private frameBase(fn: DwarfFunction | undefined, ctx: FrameContext, pc: bigint | undefined): bigint | undefined {
    if (!fn?.frameBase) return undefined;
    const expr = this.exprAt(fn.frameBase, pc);
    if (!(expr instanceof Uint8Array)) return undefined;
    const res = evaluateExpr(expr, {
      addressSize: fn.unit.addressSize,
      littleEndian: this.src.littleEndian,
      readRegister: (n) => ctx.regs[regName(n)],
      readMemory: ctx.readMemory,
      cfa: ctx.cfa,
    });
    if (res.kind === 'memory') return res.address;
    if (res.kind === 'register') return ctx.regs[regName(res.reg)];
    if (res.kind === 'value') return res.value;
    return undefined;
  }

  private storageOf(res: ExprResult, size: number, ctx: FrameContext): Storage {
    const regBytes = (reg: number): Uint8Array | undefined => {
      const val = ctx.regs[regName(reg)];
      if (val === undefined) return undefined;
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, val), true);
      return b;
    };
    const simple = (l: SimpleLocation): Storage => {
      switch (l.kind) {
        case 'memory':
          return { kind: 'memory', address: l.address };
        case 'register': {
          const b = regBytes(l.reg);
          return b ? { kind: 'bytes', bytes: b } : { kind: 'unavailable', reason: '<not available>' };
        }
        case 'value': {
          const b = new Uint8Array(8);
          new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, l.value), true);
          return { kind: 'bytes', bytes: b };
        }
        case 'implicit':
          return { kind: 'bytes', bytes: l.bytes };
        case 'optimized':
          return { kind: 'unavailable', reason: '<optimized out>' };
      }
    };
    if (res.kind === 'error')
      return { kind: 'unavailable', reason: /entry|synthetic/.test(res.message) ? '<optimized out>' : `<error: ${res.message}>` };
    if (res.kind !== 'pieces') return simple(res);
    // Pieces: assemble the bytes; parts that are optimized out stay unknown.
    const total = Math.max(size, Math.ceil(res.pieces.reduce((n, p) => n + p.bits, 0) / 8));
    const bytes = new Uint8Array(total);
    const known = new Uint8Array(total);
    let bit = 0;
    for (const p of res.pieces) {
      const start = bit / 8;
      const n = Math.ceil(p.bits / 8);
      let src: Uint8Array | undefined;
      if (p.location.kind === 'memory') src = ctx.readMemory(p.location.address, n);
      else {
        const s = simple(p.location);
        if (s.kind === 'bytes') src = s.bytes.subarray(p.offsetBits / 8);
      }
      if (src && bit % 8 === 0)
        for (let i = 0; i < n && start + i < total && i < src.length; i++) {
          bytes[start + i] = src[i]!;
          known[start + i] = 1;
        }
      bit += p.bits;
    }
    return { kind: 'bytes', bytes, known };
  }

  /** A variable's value in a stopped frame, as a tree (never throws). */
  readValue(v: DwarfVariable, ctx: FrameContext): ValueNode {
    const storage = this.locate(v, ctx);
    return readTypedValue(v.name, v.type, storage, this.valueOptions(ctx));
  }

  /** The object a pointer node points to (expand on demand). */
  dereference(pointer: ValueNode, ctx: Pick<FrameContext, 'readMemory' | 'symbolize' | 'maxElements'>): ValueNode | undefined {
    if (!pointer.pointer) return undefined;
    const name = `*${pointer.name}`;
    return readTypedValue(name, pointer.pointer.target, { kind: 'memory', address: pointer.pointer.address }, this.valueOptions(ctx));
  }

  private valueOptions(ctx: Pick<FrameContext, 'readMemory' | 'symbolize' | 'maxElements'>): ValueOptions {
    return { readMemory: ctx.readMemory, symbolize: ctx.symbolize, maxElements: ctx.maxElements, littleEndian: this.src.littleEndian };
  }
}
