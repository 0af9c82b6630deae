// What the debugger knows about a program's addresses: symbols (for names, `sym+0x12` and the
// evaluate language) and the line table (address <-> file:line, for breakpoints, stepping and
// stack frames). Built from the assembler's image, from ELF symbols, or empty for a raw binary.

export interface LineRow {
  address: bigint;
  size: number;
  file: string;
  line: number;
}

export interface SymbolInfo {
  name: string;
  address: bigint;
  /** Size in bytes when known (ELF st_size), else 0. */
  size: bigint;
  /** 'code' labels and functions name instructions; 'data' and 'equ' do not name frames. */
  kind: 'code' | 'data' | 'equ';
  global: boolean;
}

/** Where a source breakpoint lands. */
export interface LineResolution {
  /** The line that has code (the requested one, or the next one with code). */
  line: number;
  /** First byte of each separate run of code the line produced. */
  addresses: bigint[];
}

export class DebugInfo {
  /** Sorted by address. */
  readonly lines: readonly LineRow[];
  readonly symbols: readonly SymbolInfo[];
  /** Source files of the program (for loadedSources). */
  readonly files: readonly string[];
  private readonly byName = new Map<string, SymbolInfo>();
  private readonly byNameLower = new Map<string, SymbolInfo>();
  /** Code/data symbols sorted by address (equ excluded), for symbolAt. */
  private readonly sorted: SymbolInfo[];
  private readonly fileLines = new Map<string, Map<number, LineRow[]>>();

  constructor(symbols: SymbolInfo[], lines: LineRow[], files: string[]) {
    this.lines = [...lines].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    this.symbols = symbols;
    this.files = files;
    for (const s of symbols) {
      const prev = this.byName.get(s.name);
      if (!prev || (s.global && !prev.global)) this.byName.set(s.name, s);
      const low = s.name.toLowerCase();
      if (!this.byNameLower.has(low)) this.byNameLower.set(low, s);
    }
    this.sorted = symbols
      .filter((s) => s.kind !== 'equ')
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.global === b.global ? 0 : a.global ? 1 : -1));
    for (const row of this.lines) {
      if (row.size <= 0) continue;
      let m = this.fileLines.get(row.file);
      if (!m) this.fileLines.set(row.file, (m = new Map()));
      let l = m.get(row.line);
      if (!l) m.set(row.line, (l = []));
      l.push(row);
    }
  }

  static empty(): DebugInfo {
    return new DebugInfo([], [], []);
  }

  /** The line-table row whose bytes cover `address`. */
  lineAt(address: bigint): LineRow | undefined {
    const ls = this.lines;
    let lo = 0;
    let hi = ls.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ls[mid]!.address <= address) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Rows of size 0 (labels) share an address with the row that follows: take the last covering one.
    for (let i = best; i >= 0 && i > best - 4; i--) {
      const r = ls[i]!;
      if (address >= r.address && address < r.address + BigInt(Math.max(r.size, 0)) && r.size > 0) return r;
    }
    return undefined;
  }

  /** The symbol at or before `address` that names it (`sym+0x12`), preferring code labels. */
  symbolAt(address: bigint): { symbol: SymbolInfo; offset: bigint } | undefined {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.address <= address) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const sym = s[best]!;
    // A sized symbol (ELF) names only its own bytes.
    if (sym.size > 0n && address >= sym.address + sym.size) return undefined;
    return { symbol: sym, offset: address - sym.address };
  }

  /** `name` or `name+0x12` for an address, or undefined when no symbol covers it. */
  describe(address: bigint): string | undefined {
    const at = this.symbolAt(address);
    if (!at) return undefined;
    return at.offset === 0n ? at.symbol.name : `${at.symbol.name}+0x${at.offset.toString(16)}`;
  }

  /**
   * A symbol by name. A name starting with '.' is a NASM local label: it is looked up under the
   * non-local label that precedes `near` (the current RIP), then anywhere.
   */
  lookup(name: string, near?: bigint): SymbolInfo | undefined {
    if (name.startsWith('.') && !name.startsWith('..')) {
      if (near !== undefined) {
        let owner: SymbolInfo | undefined;
        for (const s of this.sorted) {
          if (s.address > near) break;
          if (!s.name.includes('.') || s.name.startsWith('..')) owner = s;
        }
        if (owner) {
          const hit = this.byName.get(owner.name + name);
          if (hit) return hit;
        }
      }
      for (const s of this.symbols) if (s.name.endsWith(name)) return s;
      return undefined;
    }
    return this.byName.get(name) ?? this.byNameLower.get(name.toLowerCase());
  }

  /** Every symbol name (for completions). */
  names(): string[] {
    return [...this.byName.keys()];
  }

  hasFile(file: string): boolean {
    return this.fileLines.has(file);
  }

  /** Lines of `file` that produced code, ascending. */
  linesWithCode(file: string): number[] {
    const m = this.fileLines.get(file);
    return m ? [...m.keys()].sort((a, b) => a - b) : [];
  }

  /** Addresses for `file:line`, moving to the next line with code when the line has none. */
  resolveLine(file: string, line: number): LineResolution | undefined {
    const m = this.fileLines.get(file);
    if (!m) return undefined;
    let at = line;
    if (!m.has(at)) {
      let next = Infinity;
      for (const l of m.keys()) if (l > line && l < next) next = l;
      if (next === Infinity) return undefined;
      at = next;
    }
    return { line: at, addresses: this.runStarts(m.get(at)!) };
  }

  /** Addresses of exactly `file:line` (no moving), for goto targets. */
  addressesOf(file: string, line: number): bigint[] {
    const rows = this.fileLines.get(file)?.get(line);
    return rows ? this.runStarts(rows) : [];
  }

  /** The first address of each contiguous run of rows (a macro call line is one run of several rows). */
  private runStarts(rows: LineRow[]): bigint[] {
    const sorted = [...rows].sort((a, b) => (a.address < b.address ? -1 : 1));
    const out: bigint[] = [];
    let end = -1n;
    for (const r of sorted) {
      if (r.address !== end) out.push(r.address);
      end = r.address + BigInt(r.size);
    }
    return out;
  }
}
