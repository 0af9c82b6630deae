// The Variables view: scopes (Registers, Segments, System, MSRs) and their trees, with flags and
// control-register bits by name, segment registers with their hidden base/limit/attributes, and
// memory references on every value that is a mapped address. References live until the CPU runs.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../emulator/cpu/cpu';
import { exceptionName, type Engine } from './engine';
import { sizeOf, type DwarfVariable, type ValueNode } from './dwarf/index';
import { readBytes } from './memory';
import type { Frame } from './stack';
import { Errors } from './errors';
import { decodeErrorCode, readFrame, type Delivery } from './interrupts';
import { apicLines, gdtJson, idtJson, mappedRegions, regionText, tssJson, walkPageTables, walkText, type DescriptorJson, type GateJson, type TssSlotJson } from './systables';
import { evaluate } from './expressions';
import { hex, hex64 } from './memory';
import {
  CR0_BITS, CR4_BITS, EFER_BITS, FLAG_BITS, GENERAL_REGISTERS, MSRS, SEGMENTS, describeAttributes, isWritableRegister, msrValue, readRegister, segmentInfo, writeRegister,
} from './registers';

type Var = DebugProtocol.Variable;

interface Container {
  children(): Var[];
  /** Assigns the child `name` from the text the user typed; returns the new child. */
  set?(name: string, text: string): Var;
}

const pad = (v: bigint, digits: number) => '0x' + v.toString(16).padStart(digits, '0');

function bitsText(v: bigint, bits: readonly [string, number, number][]): string {
  const on = bits.filter(([, b, w]) => w === 1 && ((v >> BigInt(b)) & 1n) === 1n).map(([n]) => n);
  return on.length ? `[${on.join(' ')}]` : '[]';
}

export class Variables {
  private containers = new Map<number, Container>();
  private next = 1;

  constructor(private readonly engine: Engine) {}

  /** Forget every reference (the CPU ran). */
  reset(): void {
    this.containers.clear();
    this.sizes.clear();
    this.next = 1;
  }

  private add(c: Container): number {
    const id = this.next++;
    this.containers.set(id, c);
    return id;
  }

  private get cpu(): Cpu {
    return this.engine.cpu;
  }

  /** Byte size of a variable that has a memory reference (C variables: their type's size). */
  private readonly sizes = new Map<string, number>();

  /** The size of `name` in container `ref`, when its type says. */
  sizeOf(ref: number, name: string): number | undefined {
    return this.sizes.get(`${ref}/${name}`);
  }

  scopes(frame?: Frame, index = 0): DebugProtocol.Scope[] {
    return [
      ...this.sourceScopes(frame, index),
      { name: 'Registers', presentationHint: 'registers', variablesReference: this.add(this.generalScope()), expensive: false },
      { name: 'Segments', variablesReference: this.add(this.segmentScope()), expensive: false },
      { name: 'System', variablesReference: this.add(this.systemScope()), expensive: false },
      { name: 'MSRs', variablesReference: this.add(this.msrScope()), expensive: false },
      ...(this.engine.machine?.events ? [{ name: 'Interrupts', variablesReference: this.add(this.eventScope()), expensive: false }] : []),
      ...(frame?.label ? [{ name: 'Interrupt frame', variablesReference: this.add(this.frameScope(frame.label)), expensive: false }] : []),
      { name: 'TSS', variablesReference: this.add(this.tssScope()), expensive: false },
      { name: 'IDT', variablesReference: this.add(this.idtScope()), expensive: false },
      { name: 'GDT', variablesReference: this.add(this.gdtScope()), expensive: false },
      { name: 'Paging', variablesReference: this.add(this.pagingScope()), expensive: true },
      ...(this.engine.machine?.apic ? [{ name: 'APIC', variablesReference: this.add(this.apicScope()), expensive: false }] : []),
    ];
  }

  // ---- system tables -----------------------------------------------------------------------------

  /** A TSS slot: `0x... <nmi_stack_top> (nmi_stack)`. */
  private slotVar(sl: TssSlotJson, evaluateName: string): Var {
    const v = BigInt(sl.value);
    return {
      name: sl.slot.toLowerCase(),
      value: v === 0n ? '0x0' : `${sl.value}${sl.symbol ? ` <${sl.symbol}>` : ''}${sl.stack ? ` (${sl.stack})` : ''}`,
      evaluateName,
      variablesReference: 0,
      memoryReference: this.memRef(v),
    };
  }

  private tssScope(): Container {
    return {
      children: () => {
        const t = tssJson(this.cpu, this.engine.debug, this.engine.knownStacks());
        if ('error' in t) return [{ name: 'TSS', value: t.error, variablesReference: 0 }];
        return [
          { name: 'base', value: t.base, variablesReference: 0, memoryReference: this.memRef(BigInt(t.base)) },
          { name: 'selector', value: `0x${t.selector.toString(16).padStart(4, '0')}`, variablesReference: 0 },
          ...t.rsp.map((sl, i) => this.slotVar(sl, `tss.rsp${i}`)),
          ...t.ist.map((sl, i) => this.slotVar(sl, `tss.ist[${i + 1}]`)),
          { name: 'I/O map base', value: `0x${t.ioMapBase.toString(16)}${t.ioMapBase > t.limit ? ' (beyond the limit: no I/O permission map)' : ''}`, evaluateName: 'tss.iomap', variablesReference: 0 },
        ];
      },
    };
  }

  gateVar(g: GateJson): Var {
    const handler = BigInt(g.handler);
    return {
      name: `[${g.vector}]${g.name ? ` ${g.name}` : ''}`,
      value: `${g.type} gate, DPL ${g.dpl}${g.ist ? `, IST${g.ist}` : ''}, 0x${g.selector.toString(16)}:${g.handler}${g.symbol ? ` <${g.symbol}>` : ''}`,
      evaluateName: `idt[${g.vector}]`,
      memoryReference: this.memRef(handler),
      variablesReference: this.add({
        children: () => [
          { name: 'type', value: g.type, variablesReference: 0 },
          { name: 'dpl', value: String(g.dpl), variablesReference: 0 },
          { name: 'ist', value: g.ist ? `IST${g.ist}` : 'none (0)', variablesReference: 0 },
          { name: 'selector', value: `0x${g.selector.toString(16).padStart(4, '0')}`, variablesReference: 0 },
          { name: 'handler', value: `${g.handler}${g.symbol ? ` <${g.symbol}>` : ''}`, evaluateName: `idt[${g.vector}].handler`, variablesReference: 0, memoryReference: this.memRef(handler) },
        ],
      }),
    };
  }

  private idtScope(): Container {
    return {
      children: () => {
        const gates = idtJson(this.cpu, this.engine.debug);
        if (gates.length === 0) return [{ name: 'IDT', value: `no present gate (IDTR base ${hex(BigInt.asUintN(64, BigInt(this.cpu.idtBase)))}, limit ${hex(this.cpu.idtLimit)})`, variablesReference: 0 }];
        return gates.map((g) => this.gateVar(g));
      },
    };
  }

  descriptorVar(d: DescriptorJson): Var {
    return {
      name: `[${d.index}] 0x${d.selector.toString(16).padStart(2, '0')}`,
      value: d.text,
      evaluateName: `gdt[${d.index}]`,
      variablesReference: this.add({
        children: () => [
          { name: 'raw', value: d.raw + (d.rawHigh ? ` ${d.rawHigh}` : ''), variablesReference: 0 },
          { name: 'base', value: d.base, variablesReference: 0 },
          { name: 'limit', value: `0x${d.limit.toString(16)}`, variablesReference: 0 },
          { name: 'type', value: `0x${d.type.toString(16)}${d.system ? ' (system)' : ''}`, variablesReference: 0 },
          { name: 'dpl', value: String(d.dpl), variablesReference: 0 },
          { name: 'present', value: String(d.present), variablesReference: 0 },
          ...(d.busy !== undefined ? [{ name: 'busy', value: String(d.busy), variablesReference: 0 }] : []),
        ],
      }),
    };
  }

  private gdtScope(): Container {
    return { children: () => gdtJson(this.cpu).map((d) => this.descriptorVar(d)) };
  }

  /** The walk of one address as a tree: one child per level, then the result. */
  walkVar(address: bigint, name: string): Var {
    const w = walkPageTables(this.cpu, address);
    return {
      name,
      value: walkText(w),
      evaluateName: `pte(${hex(address)})`,
      variablesReference: this.add({
        children: () => [
          ...w.levels.map((l) => ({ name: `${l.name}[${l.index}]`, value: `${hex64(l.value)} [${l.flags.join(' ')}] at ${hex64(l.entryAddress)}`, variablesReference: 0, memoryReference: hex64(l.entryAddress) })),
          w.physicalAddress !== undefined ? { name: 'physical', value: hex64(w.physicalAddress), variablesReference: 0 } : { name: 'fault', value: w.fault ?? '', variablesReference: 0 },
        ],
      }),
    };
  }

  private pagingScope(): Container {
    return {
      children: () => {
        const cpu = this.cpu;
        const addr = this.engine.pagingAddress ?? cpu.rip;
        const regions = mappedRegions(cpu);
        return [
          { name: 'cr3', value: hex64(BigInt(cpu.cr3)), variablesReference: 0 },
          this.walkVar(addr, `walk of ${hex(addr)}${this.engine.pagingAddress === undefined ? ' (RIP; pte(addr) in Watch picks another)' : ''}`),
          typeof regions === 'string'
            ? { name: 'regions', value: regions, variablesReference: 0 }
            : {
                name: 'regions',
                value: `${regions.length} mapped region${regions.length === 1 ? '' : 's'}`,
                variablesReference: this.add({ children: () => regions.map((r, i) => ({ name: `[${i}]`, value: regionText(r), variablesReference: 0, memoryReference: this.memRef(r.start) })) }),
              },
        ];
      },
    };
  }

  private apicScope(): Container {
    return { children: () => apicLines(this.engine.machine!.apic!()).map(([name, value]) => ({ name, value, variablesReference: 0 })) };
  }

  /** A label frame's scope: the frame the CPU pushed, as it is in memory now. */
  private frameScope(d: Delivery): Container {
    return {
      children: () => {
        const fr = readFrame(this.cpu, d);
        const q = (name: string, v: bigint | undefined, mem = false): Var => ({
          name,
          value: v === undefined ? '<unreadable>' : pad(v, 16) + (name === 'rip' && this.engine.debug.describe(v) ? ` <${this.engine.debug.describe(v)}>` : ''),
          variablesReference: 0,
          memoryReference: mem && v !== undefined ? this.memRef(v) : undefined,
        });
        return [
          { name: 'vector', value: `${d.vector} (${d.kind})`, variablesReference: 0 },
          { name: 'error code', value: decodeErrorCode(d.vector, d.errorCode), variablesReference: 0 },
          { name: 'frame', value: hex64(d.frame), variablesReference: 0, memoryReference: this.memRef(d.frame) },
          q('rip', fr.rip, true),
          q('cs', fr.cs),
          q('rflags', fr.rflags),
          q('rsp', fr.rsp, true),
          q('ss', fr.ss),
          { name: 'stack from TSS', value: d.slot || 'none (same stack)', variablesReference: 0 },
          { name: 'cpl', value: `${d.cplBefore} -> ${d.cplAfter}`, variablesReference: 0 },
          { name: 'instruction count', value: d.count.toLocaleString('en-US'), variablesReference: 0 },
        ];
      },
    };
  }

  variables(ref: number): Var[] {
    const c = this.containers.get(ref);
    if (!c) throw Errors.unknownVariables(ref);
    this.pendingSizes = [];
    const vs = c.children();
    for (const [v, size] of this.pendingSizes) if (vs.includes(v)) this.sizes.set(`${ref}/${v.name}`, size);
    this.pendingSizes = [];
    return vs;
  }

  setVariable(ref: number, name: string, text: string): Var {
    const c = this.containers.get(ref);
    if (!c) throw Errors.unknownVariables(ref);
    if (!c.set) throw Errors.readOnly(name);
    return c.set(name, text);
  }

  private parseValue(text: string): bigint {
    return evaluate(text, this.engine.evalContext()).value;
  }

  private memRef(v: bigint): string | undefined {
    // Small numbers are counts and flags far more often than pointers into page 0.
    return v >= 0x1000n && this.engine.isMapped(v) ? hex64(v) : undefined;
  }

  // ---- C variables (DWARF) -----------------------------------------------------------------------

  /** Locals of the frame (when its registers are known) and the program's globals. */
  private sourceScopes(frame: Frame | undefined, index: number): DebugProtocol.Scope[] {
    const dwarf = this.engine.program?.dwarf;
    if (!dwarf) return [];
    const cpu = this.cpu;
    const readMemory = (a: bigint, n: number) => {
      const { data, readable } = readBytes(cpu, a, n);
      return readable === n ? data : undefined;
    };
    const symbolize = (a: bigint) => this.engine.debug.describe(a);
    const out: DebugProtocol.Scope[] = [];
    if (frame?.regs) {
      // A caller's pc is its return address: its line and scopes are those of the CALL before it.
      const isCaller = index > 0 && frame.how !== 'rip' && !frame.interrupted;
      const pc = isCaller ? frame.pc - 1n : frame.pc;
      const seen = new Set<string>();
      const vars: DwarfVariable[] = [];
      try {
        // An inlined call's frame (stack.ts withInlined): the variables of its own scopes.
        const scopes = frame.inlineDepth !== undefined ? [{ variables: dwarf.variablesAt(pc, { inlineDepth: frame.inlineDepth }) }] : dwarf.scopesAt(pc);
        for (const sc of scopes)
          for (const v of sc.variables)
            if (!seen.has(v.name)) {
              seen.add(v.name);
              vars.push(v);
            }
      } catch {
        // unreadable DWARF for this pc: no locals
      }
      if (vars.length) {
        const ctx = { regs: frame.regs, readMemory, cfa: frame.cfa, pc, isCaller, symbolize, maxElements: 100 };
        out.push({
          name: 'Locals',
          presentationHint: 'locals',
          expensive: false,
          variablesReference: this.add({ children: () => vars.map((v) => this.valueVariable(this.read(() => dwarf.readValue(v, ctx), v), readMemory)) }),
        });
      }
    }
    let globals: DwarfVariable[] = [];
    try {
      globals = dwarf.globals();
    } catch {
      globals = [];
    }
    if (globals.length) {
      const ctx = { regs: {}, readMemory, symbolize, maxElements: 100 };
      out.push({
        name: 'Globals',
        expensive: globals.length > 200,
        variablesReference: this.add({ children: () => globals.map((v) => this.valueVariable(this.read(() => dwarf.readValue(v, ctx), v), readMemory)) }),
      });
    }
    return out;
  }

  /**
   * A C variable by name as the Watch view and hovers show it: a local of the frame (when its
   * registers are known), else a global. Undefined when DWARF has no such variable.
   */
  sourceVariable(name: string, frame: Frame | undefined, index: number): Var | undefined {
    const dwarf = this.engine.program?.dwarf;
    if (!dwarf) return undefined;
    const cpu = this.cpu;
    const readMemory = (a: bigint, n: number) => {
      const { data, readable } = readBytes(cpu, a, n);
      return readable === n ? data : undefined;
    };
    const symbolize = (a: bigint) => this.engine.debug.describe(a);
    try {
      if (frame?.regs) {
        const isCaller = index > 0 && frame.how !== 'rip' && !frame.interrupted;
        const pc = isCaller ? frame.pc - 1n : frame.pc;
        for (const sc of frame.inlineDepth !== undefined ? [{ variables: dwarf.variablesAt(pc, { inlineDepth: frame.inlineDepth }) }] : dwarf.scopesAt(pc))
          for (const v of sc.variables)
            if (v.name === name) return this.valueVariable(this.read(() => dwarf.readValue(v, { regs: frame.regs!, readMemory, cfa: frame.cfa, pc, isCaller, symbolize, maxElements: 100 }), v), readMemory);
      }
      const g = dwarf.globals().find((v) => v.name === name);
      if (g) return this.valueVariable(this.read(() => dwarf.readValue(g, { regs: {}, readMemory, symbolize, maxElements: 100 }), g), readMemory);
    } catch {
      return undefined;
    }
    return undefined;
  }

  private read(fn: () => ValueNode, v: DwarfVariable): ValueNode {
    try {
      return fn();
    } catch (e) {
      return { name: v.name, type: '?', display: `<${e instanceof Error ? e.message : String(e)}>`, valueType: v.type, error: String(e) };
    }
  }

  /** A DWARF value as a DAP variable: members, elements, and what a pointer points to as children. */
  private valueVariable(node: ValueNode, readMemory: (a: bigint, n: number) => Uint8Array | undefined): Var {
    const dwarf = this.engine.program!.dwarf!;
    const kids = node.children;
    let ref = 0;
    if (kids && kids.length) {
      ref = this.add({
        children: () => {
          const vs = kids.map((c) => this.valueVariable(c, readMemory));
          if (node.omitted) vs.push({ name: '...', value: `${node.omitted} more elements`, variablesReference: 0 });
          return vs;
        },
      });
    } else if (node.pointer && node.pointer.address !== 0n) {
      ref = this.add({
        children: () => {
          const target = dwarf.dereference(node, { readMemory, symbolize: (a) => this.engine.debug.describe(a), maxElements: 100 });
          return target ? [this.valueVariable(target, readMemory)] : [];
        },
      });
    }
    const mem = node.address ?? node.pointer?.address;
    const v: Var = {
      name: node.name,
      value: node.display,
      type: node.type,
      variablesReference: ref,
      memoryReference: mem !== undefined && mem !== 0n ? hex64(mem) : undefined,
    };
    if (node.address !== undefined) {
      let size: number | undefined;
      try {
        size = sizeOf(node.valueType);
      } catch {
        size = undefined;
      }
      if (size && size > 0) this.pendingSizes.push([v, size]);
    }
    return v;
  }

  /** Sizes of the variables just built, recorded under their container once it is known. */
  private pendingSizes: [Var, number][] = [];

  // ---- Registers ---------------------------------------------------------------------------------

  private register(name: string): Var {
    const cpu = this.cpu;
    if (name === 'rflags') {
      const v = cpu.rflags;
      return {
        name,
        value: `${pad(v, 8)} ${bitsText(v, FLAG_BITS)}`,
        type: 'rflags',
        evaluateName: 'rflags',
        variablesReference: this.add(this.flagsContainer()),
      };
    }
    const v = readRegister(cpu, name)!.value;
    const sym = name === 'rip' ? this.engine.debug.describe(v) : undefined;
    return {
      name,
      value: pad(v, 16) + (sym ? ` <${sym}>` : ''),
      type: 'u64',
      evaluateName: name,
      variablesReference: 0,
      memoryReference: this.memRef(v),
    };
  }

  private generalScope(): Container {
    const names = [...GENERAL_REGISTERS, 'rip', 'rflags'];
    return {
      children: () => names.map((n) => this.register(n)),
      set: (name, text) => {
        if (!names.includes(name)) throw Errors.unknownVariable(name);
        if (!writeRegister(this.cpu, name, this.parseValue(text))) throw Errors.readOnly(name);
        return this.register(name);
      },
    };
  }

  private flagsContainer(): Container {
    const child = (n: string, b: number, w: number): Var => {
      const v = (this.cpu.rflags >> BigInt(b)) & ((1n << BigInt(w)) - 1n);
      return { name: n, value: v.toString(), type: w === 1 ? 'bit' : `bits ${b + w - 1}:${b}`, evaluateName: n.toLowerCase(), variablesReference: 0 };
    };
    return {
      children: () => FLAG_BITS.map(([n, b, w]) => child(n, b, w)),
      set: (name, text) => {
        const f = FLAG_BITS.find((x) => x[0] === name.toUpperCase());
        if (!f) throw Errors.unknownVariable(name);
        const low = f[0].toLowerCase();
        if (!isWritableRegister(low)) throw Errors.readOnly(name);
        writeRegister(this.cpu, low, this.parseValue(text));
        return child(f[0], f[1], f[2]);
      },
    };
  }

  // ---- Segments ------------------------------------------------------------------------------------

  private segmentScope(): Container {
    return {
      children: () => {
        const cpu = this.cpu;
        const out: Var[] = SEGMENTS.map((name, i) => {
          const s = segmentInfo(cpu, i);
          return {
            name,
            value: `${pad(BigInt(s.selector), 4)} (base ${hex(s.base)}, limit ${hex(s.limit)})`,
            type: 'segment',
            evaluateName: name,
            variablesReference: this.add(this.descriptorContainer(s.selector, s.base, s.limit, s.attributes, false)),
          };
        });
        out.push(this.tableRegister('gdtr', BigInt(cpu.gdtBase), cpu.gdtLimit));
        out.push(this.tableRegister('idtr', BigInt.asUintN(64, BigInt(cpu.idtBase)), cpu.idtLimit));
        out.push({
          name: 'ldtr',
          value: cpu.ldtSel === 0 ? '0x0000 (null: no LDT)' : `${pad(BigInt(cpu.ldtSel), 4)} (base ${hex(BigInt(cpu.ldtBase))}, limit ${hex(BigInt(cpu.ldtLimit))})`,
          type: 'segment',
          evaluateName: 'ldtr',
          variablesReference: this.add(this.descriptorContainer(cpu.ldtSel, BigInt.asUintN(64, BigInt(cpu.ldtBase)), BigInt(cpu.ldtLimit), 0x82, true)),
        });
        out.push({
          name: 'tr',
          value: `${pad(BigInt(cpu.trSel), 4)} (base ${hex(BigInt.asUintN(64, BigInt(cpu.trBase)))}, limit ${hex(BigInt(cpu.trLimit))})`,
          type: 'segment',
          evaluateName: 'tr',
          variablesReference: this.add(this.descriptorContainer(cpu.trSel, BigInt.asUintN(64, BigInt(cpu.trBase)), BigInt(cpu.trLimit), cpu.trAttr, true)),
        });
        return out;
      },
    };
  }

  private tableRegister(name: string, base: bigint, limit: number): Var {
    return {
      name,
      value: `base ${hex(base)}, limit ${hex(limit)}`,
      type: 'table register',
      evaluateName: name,
      memoryReference: this.memRef(base),
      variablesReference: this.add({
        children: () => [
          { name: 'base', value: pad(base, 16), variablesReference: 0, memoryReference: this.memRef(base) },
          { name: 'limit', value: pad(BigInt(limit), 4), variablesReference: 0 },
          { name: 'entries', value: String(Math.floor((limit + 1) / (name === 'idtr' ? 16 : 8))), variablesReference: 0 },
        ],
      }),
    };
  }

  private descriptorContainer(selector: number, base: bigint, limit: bigint, attr: number, system: boolean): Container {
    return {
      children: () => [
        { name: 'selector', value: `${pad(BigInt(selector), 4)} (index ${selector >> 3}, ${selector & 4 ? 'LDT' : 'GDT'}, RPL ${selector & 3})`, variablesReference: 0 },
        { name: 'base', value: pad(base, 16), variablesReference: 0, memoryReference: this.memRef(base) },
        { name: 'limit', value: pad(limit, 8), variablesReference: 0 },
        { name: 'attributes', value: `${pad(BigInt(attr), 4)} (${describeAttributes(attr, system)})`, variablesReference: 0 },
      ],
    };
  }

  // ---- System --------------------------------------------------------------------------------------

  private bitsRegister(name: string, v: bigint, bits: readonly [string, number, number][], digits: number): Var {
    return {
      name,
      value: `${pad(v, digits)} ${bitsText(v, bits)}`,
      type: 'control register',
      evaluateName: name,
      variablesReference: this.add({
        children: () => bits.map(([n, b, w]) => ({ name: n, value: ((v >> BigInt(b)) & ((1n << BigInt(w)) - 1n)).toString(), variablesReference: 0 })),
      }),
    };
  }

  private systemScope(): Container {
    return {
      children: () => {
        const cpu = this.cpu;
        const r = (n: string) => readRegister(cpu, n)!.value;
        const plain = (n: string, v: bigint, mem = false): Var => ({ name: n, value: pad(v, 16), evaluateName: n, variablesReference: 0, memoryReference: mem ? this.memRef(v) : undefined });
        return [
          this.bitsRegister('cr0', r('cr0'), CR0_BITS, 8),
          plain('cr2', r('cr2'), true),
          { ...plain('cr3', r('cr3'), false), value: `${pad(r('cr3'), 16)} (PML4 at ${hex(r('cr3') & ~0xfffn)})` },
          this.bitsRegister('cr4', r('cr4'), CR4_BITS, 8),
          plain('cr8', r('cr8')),
          this.bitsRegister('efer', r('efer'), EFER_BITS, 8),
          plain('dr0', r('dr0'), true),
          plain('dr1', r('dr1'), true),
          plain('dr2', r('dr2'), true),
          plain('dr3', r('dr3'), true),
          plain('dr6', r('dr6')),
          plain('dr7', r('dr7')),
          { name: 'cpl', value: String(cpu.cpl), variablesReference: 0 },
          { name: 'mode', value: cpu.bits === 64 ? '64-bit (long mode)' : cpu.bits === 32 ? '32-bit' : '16-bit', variablesReference: 0 },
          { name: 'instructions', value: cpu.instructionCount.toLocaleString('en-US'), variablesReference: 0 },
        ];
      },
    };
  }

  /** The last deliveries through the IDT, newest first, with the stack switch each made. */
  private eventScope(): Container {
    return {
      children: () => {
        const events = this.engine.machine?.events?.() ?? [];
        return events.reverse().map((e, i) => {
          const what = e.vector >= 0 ? `${e.kind} ${e.vector}${e.vector < 32 && e.kind === 'exception' ? ` (${exceptionName(e.vector).split(' ')[0]})` : ''}` : e.kind;
          const where = this.engine.debug.describe(e.rip);
          const stack = e.rspBefore === e.rspAfter ? 'same stack' : `RSP ${hex(e.rspBefore)} -> ${hex(e.rspAfter)}${e.tssSlot ? ` (${e.tssSlot})` : ''}`;
          const cpl = e.cplBefore === e.cplAfter ? `CPL ${e.cplAfter}` : `CPL ${e.cplBefore} -> ${e.cplAfter}`;
          return {
            name: `[${i}] ${what}`,
            value: `at ${hex(e.rip)}${where ? ` <${where}>` : ''}, ${stack}, ${cpl}${e.errorCode >= 0 ? `, error ${hex(e.errorCode)}` : ''}`,
            variablesReference: this.add({
              children: () => [
                { name: 'instruction count', value: e.count.toLocaleString('en-US'), variablesReference: 0 },
                { name: 'kind', value: e.kind, variablesReference: 0 },
                { name: 'vector', value: String(e.vector), variablesReference: 0 },
                { name: 'error code', value: e.errorCode >= 0 ? hex(e.errorCode) : 'none', variablesReference: 0 },
                { name: 'rip', value: pad(e.rip, 16), variablesReference: 0, memoryReference: this.memRef(e.rip) },
                { name: 'rsp before', value: pad(e.rspBefore, 16), variablesReference: 0, memoryReference: this.memRef(e.rspBefore) },
                { name: 'rsp after', value: pad(e.rspAfter, 16), variablesReference: 0, memoryReference: this.memRef(e.rspAfter) },
                { name: 'stack from TSS', value: e.tssSlot || 'none (same stack)', variablesReference: 0 },
                { name: 'cpl', value: `${e.cplBefore} -> ${e.cplAfter}`, variablesReference: 0 },
              ],
            }),
          };
        });
      },
    };
  }

  private msrScope(): Container {
    return {
      children: () =>
        MSRS.map(([name, num]) => {
          const v = msrValue(this.cpu, num);
          const mem = name.endsWith('BASE') || name === 'LSTAR' || name === 'CSTAR';
          return { name, value: pad(v, 16), type: `MSR ${hex(num)}`, variablesReference: 0, memoryReference: mem ? this.memRef(v) : undefined };
        }),
    };
  }
}
