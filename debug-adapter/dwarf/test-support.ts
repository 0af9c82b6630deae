// Test support for the DWARF readers: load a fixture ELF from test/fixtures/dwarf (or the example
// kernel) as a DwarfSource, and parse the text the reference tools wrote next to it.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf, type ElfFile } from '../../emulator/boot/elf';
import { elfDwarfSource, type DwarfSource } from './source';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtureDir = join(repoRoot, 'test/fixtures/dwarf');

/** Fixtures built by scripts/dwarf/build-fixtures.sh (C programs have .info.txt and .gdb.json). */
export const C_FIXTURES = [
  'c-dwarf2-O1',
  'c-dwarf3-O0',
  'c-dwarf4-O0',
  'c-dwarf4-O2-debugframe',
  'c-dwarf5-O1',
  'c-dwarf5-O2',
  'c-dwarf5-O1-dwarf64',
  'clang-dwarf5-O1',
] as const;
export const ASM_FIXTURES = ['nasm', 'gas-cfi', 'gas-cfi-debugframe'] as const;

export interface LoadedElf {
  bytes: Uint8Array;
  elf: ElfFile;
  src: DwarfSource;
  warnings: string[];
}

export function loadElf(path: string): LoadedElf {
  const bytes = new Uint8Array(readFileSync(path));
  const elf = parseElf(bytes);
  if ('error' in elf) throw new Error(`${path}: ${elf.error}`);
  const warnings: string[] = [];
  return { bytes, elf, src: elfDwarfSource(bytes, elf, warnings), warnings };
}

/** A fixture by name: test/fixtures/dwarf/NAME.elf, or 'c-kernel' for examples/c-kernel/kernel.elf. */
export function loadFixture(name: string): LoadedElf {
  return loadElf(name === 'c-kernel' ? join(repoRoot, 'examples/c-kernel/kernel.elf') : join(fixtureDir, `${name}.elf`));
}

export function fixtureText(name: string, kind: string): string {
  return readFileSync(join(fixtureDir, `${name}.${kind}`), 'utf8');
}

// ---- gdb's answers ------------------------------------------------------------------------------

export interface GdbValueTree {
  name: string;
  type: string;
  value?: string;
  address?: string;
  children?: GdbValueTree[];
}

export interface GdbSymbol {
  name: string;
  argument: boolean;
  whatis: string;
  ptype: string;
  tree: GdbValueTree;
  print?: string;
}

export interface GdbFrame {
  level: number;
  pc: string;
  function: string | null;
  cfa: string | null;
  inline: boolean;
  registers: Record<string, string>;
  scopes: { start: string; end: string; function: string | null; symbols: GdbSymbol[] }[];
}

export interface GdbOracle {
  functions: {
    name: string;
    scope?: string;
    whatis?: string;
    low?: string;
    high?: string;
    lines?: [string, string, number][];
    blocks?: { start: string; end: string; symbols: string[]; scope: string }[];
  }[];
  globals: { name: string; whatis: string; ptype: string }[];
  stops: {
    where: string;
    pc: string;
    registers: Record<string, string>;
    frames: GdbFrame[];
    memory: { address: string; bytes: string }[];
    globals: { name: string; tree: GdbValueTree; print: string }[];
  }[];
}

export function gdbOracle(name: string): GdbOracle {
  return JSON.parse(fixtureText(name, 'gdb.json')) as GdbOracle;
}

/** What `info scope` says about one symbol. */
export interface GdbScopeSymbol {
  name: string;
  length?: number;
  /** One description, or one per range of a location list. */
  locations: { range?: [bigint, bigint]; desc: string }[];
}

export function parseInfoScope(text: string): GdbScopeSymbol[] {
  const out: GdbScopeSymbol[] = [];
  const body = text.replace(/^Scope for [^\n]*:\n/, '');
  for (const chunk of body.split(/^Symbol /m).slice(1)) {
    const m = /^(\S+) is ([\s\S]*?)(?:, length (\d+))?\.\s*$/.exec(chunk);
    if (!m) throw new Error(`info scope: cannot parse ${JSON.stringify(chunk)}`);
    const sym: GdbScopeSymbol = { name: m[1]!, locations: [], ...(m[3] ? { length: Number(m[3]) } : {}) };
    const desc = m[2]!;
    if (desc.startsWith('multi-location:')) {
      for (const r of desc.split(/^\s+Range /m).slice(1)) {
        const rm = /^(0x[0-9a-f]+)-(0x[0-9a-f]+): ([\s\S]*)$/.exec(r)!;
        sym.locations.push({ range: [BigInt(rm[1]!), BigInt(rm[2]!)], desc: rm[3]!.trim() });
      }
    } else sym.locations.push({ desc: desc.trim() });
    out.push(sym);
  }
  return out;
}

/** A memory reader over an ELF's loaded segments and byte dumps (later dumps win). */
export function memoryFrom(loaded: LoadedElf, dumps: { address: string; bytes: string }[] = []): (addr: bigint, size: number) => Uint8Array | undefined {
  const regions: { start: bigint; bytes: Uint8Array }[] = [];
  for (const ph of loaded.elf.programHeaders) {
    if (ph.type !== 1) continue;
    const b = new Uint8Array(Number(ph.memsz));
    b.set(loaded.bytes.subarray(Number(ph.offset), Number(ph.offset + ph.filesz)));
    regions.push({ start: ph.vaddr, bytes: b });
  }
  for (const d of dumps) regions.push({ start: BigInt(d.address), bytes: Uint8Array.from(Buffer.from(d.bytes, 'hex')) });
  return (addr, size) => {
    for (let i = regions.length - 1; i >= 0; i--) {
      const r = regions[i]!;
      if (addr >= r.start && addr + BigInt(size) <= r.start + BigInt(r.bytes.length)) {
        const o = Number(addr - r.start);
        return r.bytes.subarray(o, o + size);
      }
    }
    return undefined;
  };
}

/** "name" or "name+off" for an address inside an ELF data or function symbol (gdb's <...>). */
export function symbolizer(loaded: LoadedElf): (addr: bigint) => string | undefined {
  const syms = loaded.elf.symbols.filter((s) => (s.type === 1 || s.type === 2) && s.name).sort((a, b) => (a.value < b.value ? -1 : 1));
  return (addr) => {
    let best: (typeof syms)[number] | undefined;
    for (const s of syms) if (s.value <= addr && (addr < s.value + s.size || addr === s.value)) best = s;
    if (!best) return undefined;
    return addr === best.value ? best.name : `${best.name}+${addr - best.value}`;
  };
}
