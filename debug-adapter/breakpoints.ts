// Breakpoints of every kind the debugger offers, independent of DAP: source lines (resolved
// through the line table, moved to the next line with code), functions (by symbol), instructions
// (by address), and data (read / write / read-write on a memory range); conditions, hit counts
// and logpoints for the code kinds. The engine asks `at(rip)` when the CPU stops at an address.

import type { DebugInfo } from './debuginfo';
import { Errors } from './errors';
import { hex } from './memory';

export interface HitOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface CodeBreakpoint extends HitOptions {
  id: number;
  kind: 'source' | 'function' | 'instruction';
  verified: boolean;
  /** Why it is not verified, or where it moved. */
  message?: string;
  addresses: bigint[];
  hits: number;
  /** source: the file and the line asked for; `line` is where it landed. */
  path?: string;
  requestedLine?: number;
  line?: number;
  column?: number;
  /** function: the symbol name. */
  name?: string;
  /** instruction: the reference and offset as given. */
  instructionReference?: string;
  offset?: number;
}

export type DataAccess = 'read' | 'write' | 'readWrite';

export interface DataBreakpoint extends HitOptions {
  id: number;
  kind: 'data';
  verified: boolean;
  message?: string;
  address: bigint;
  size: number;
  access: DataAccess;
  dataId: string;
  hits: number;
}

export interface SourceSpec extends HitOptions {
  line: number;
  column?: number;
}
export interface FunctionSpec extends HitOptions {
  name: string;
}
export interface InstructionSpec extends HitOptions {
  address: bigint | undefined;
  instructionReference: string;
  offset?: number;
}
export interface DataSpec extends HitOptions {
  dataId: string;
  accessType?: DataAccess;
}

/** dataId <-> range: `0x1000/8`. */
export function dataId(address: bigint, size: number): string {
  return `${hex(address)}/${size}`;
}
export function parseDataId(id: string): { address: bigint; size: number } | undefined {
  const m = /^(0x[0-9a-f]+)\/(\d+)$/i.exec(id);
  if (!m) return undefined;
  const size = Number(m[2]);
  if (size < 1 || size > 4096) return undefined;
  return { address: BigInt(m[1]!), size };
}

export class Breakpoints {
  private nextId = 1;
  private readonly sources = new Map<string, CodeBreakpoint[]>();
  private functions: CodeBreakpoint[] = [];
  private instructions: CodeBreakpoint[] = [];
  data: DataBreakpoint[] = [];
  /** Linear address -> code breakpoints there (rebuilt on every change). */
  private byAddress = new Map<bigint, CodeBreakpoint[]>();
  private debug: DebugInfo;

  constructor(debug: DebugInfo, private readonly onChange: () => void) {
    this.debug = debug;
  }

  private id(): number {
    return this.nextId++;
  }

  setSource(path: string, specs: SourceSpec[]): CodeBreakpoint[] {
    const old = this.sources.get(path) ?? [];
    const bps = specs.map((s) => {
      // Keep ids (and hit counts) of breakpoints that stay on the same line.
      const prev = old.find((o) => o.requestedLine === s.line);
      const bp: CodeBreakpoint = {
        id: prev?.id ?? this.id(),
        kind: 'source',
        verified: false,
        addresses: [],
        hits: prev?.hits ?? 0,
        path,
        requestedLine: s.line,
        column: s.column,
        condition: s.condition || undefined,
        hitCondition: s.hitCondition || undefined,
        logMessage: s.logMessage || undefined,
      };
      this.resolveSource(bp);
      return bp;
    });
    this.sources.set(path, bps);
    this.rebuild();
    return bps;
  }

  setFunctions(specs: FunctionSpec[]): CodeBreakpoint[] {
    this.functions = specs.map((s) => {
      const bp: CodeBreakpoint = {
        id: this.id(),
        kind: 'function',
        verified: false,
        addresses: [],
        hits: 0,
        name: s.name,
        condition: s.condition || undefined,
        hitCondition: s.hitCondition || undefined,
        logMessage: s.logMessage || undefined,
      };
      this.resolveFunction(bp);
      return bp;
    });
    this.rebuild();
    return this.functions;
  }

  setInstructions(specs: InstructionSpec[]): CodeBreakpoint[] {
    this.instructions = specs.map((s) => {
      const bp: CodeBreakpoint = {
        id: this.id(),
        kind: 'instruction',
        verified: s.address !== undefined,
        message: s.address === undefined ? `'${s.instructionReference}' is not an address` : undefined,
        addresses: s.address !== undefined ? [s.address] : [],
        hits: 0,
        instructionReference: s.instructionReference,
        offset: s.offset,
        condition: s.condition || undefined,
        hitCondition: s.hitCondition || undefined,
      };
      if (bp.verified) {
        const row = this.debug.lineAt(s.address!);
        if (row) {
          bp.path = row.file;
          bp.line = row.line;
        }
      }
      return bp;
    });
    this.rebuild();
    return this.instructions;
  }

  setData(specs: DataSpec[]): DataBreakpoint[] {
    this.data = specs.map((s) => {
      const r = parseDataId(s.dataId);
      const bp: DataBreakpoint = {
        id: this.id(),
        kind: 'data',
        verified: r !== undefined,
        message: r ? undefined : `'${s.dataId}' is not a data breakpoint id`,
        address: r?.address ?? 0n,
        size: r?.size ?? 0,
        access: s.accessType ?? 'write',
        dataId: s.dataId,
        hits: 0,
        condition: s.condition || undefined,
        hitCondition: s.hitCondition || undefined,
      };
      return bp;
    });
    this.onChange();
    return this.data;
  }

  /** A new program (restart): resolve every source and function breakpoint again. */
  reresolve(debug: DebugInfo): CodeBreakpoint[] {
    this.debug = debug;
    const changed: CodeBreakpoint[] = [];
    for (const list of this.sources.values())
      for (const bp of list) {
        this.resolveSource(bp);
        bp.hits = 0;
        changed.push(bp);
      }
    for (const bp of this.functions) {
      this.resolveFunction(bp);
      bp.hits = 0;
      changed.push(bp);
    }
    for (const bp of this.instructions) bp.hits = 0;
    for (const bp of this.data) bp.hits = 0;
    this.rebuild();
    return changed;
  }

  private resolveSource(bp: CodeBreakpoint): void {
    const path = bp.path!;
    const line = bp.requestedLine!;
    bp.addresses = [];
    bp.line = line;
    if (!this.debug.hasFile(path)) {
      bp.verified = false;
      bp.message = this.debug.files.length === 0 ? 'the program has no line information' : 'this file is not part of the program';
      return;
    }
    const r = this.debug.resolveLine(path, line);
    if (!r) {
      bp.verified = false;
      bp.message = `no code at or after line ${line}`;
      return;
    }
    bp.verified = true;
    bp.addresses = r.addresses;
    bp.line = r.line;
    bp.message = r.line !== line ? `moved from line ${line} (no code there) to line ${r.line}` : undefined;
  }

  private resolveFunction(bp: CodeBreakpoint): void {
    const sym = this.debug.lookup(bp.name!);
    if (!sym) {
      bp.verified = false;
      bp.addresses = [];
      bp.message = `no symbol '${bp.name}'`;
      return;
    }
    bp.verified = true;
    bp.addresses = [sym.address];
    bp.message = undefined;
    const row = this.debug.lineAt(sym.address);
    if (row) {
      bp.path = row.file;
      bp.line = row.line;
    }
  }

  private rebuild(): void {
    const m = new Map<bigint, CodeBreakpoint[]>();
    const add = (bp: CodeBreakpoint) => {
      if (!bp.verified) return;
      for (const a of bp.addresses) {
        const l = m.get(a);
        if (l) l.push(bp);
        else m.set(a, [bp]);
      }
    };
    for (const list of this.sources.values()) list.forEach(add);
    this.functions.forEach(add);
    this.instructions.forEach(add);
    this.byAddress = m;
    this.onChange();
  }

  /** Code breakpoints at `address`. */
  at(address: bigint): CodeBreakpoint[] | undefined {
    return this.byAddress.get(address);
  }

  addresses(): IterableIterator<bigint> {
    return this.byAddress.keys();
  }

  get codeCount(): number {
    return this.byAddress.size;
  }

  activeData(): DataBreakpoint[] {
    return this.data.filter((d) => d.verified);
  }
}

/** Does the `hits`-th hit (1-based) satisfy a hit condition: `5` (from the 5th on), `==5`, `>=5`, `>5`, `<5`, `<=5`, `%5`? */
export function hitConditionMet(cond: string, hits: number): boolean {
  const m = /^\s*(==|=|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) throw Errors.syntax(`hit count condition '${cond}' is not N, ==N, >=N, >N, <N, <=N or %N`, 0);
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return hits > n;
    case '>=':
      return hits >= n;
    case '<':
      return hits < n;
    case '<=':
      return hits <= n;
    case '%':
      return n > 0 && hits % n === 0;
    case '==':
    case '=':
      return hits === n;
    default:
      // A bare count: from the N-th hit on (as js-debug reads it).
      return hits >= n;
  }
}
