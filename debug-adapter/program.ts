// Loading a program: `.asm` sources (assembled on the fly into the debugger's image: sections,
// symbols, line table), flat binaries, and (through emulator/boot) ELF and multiboot kernels.
// The result says how to put the program into a fresh machine and what the debugger knows
// about its addresses.

import { assemble } from '../asm/assembler';
import { createHost } from '../asm/host';
import type { Diagnostic } from '../asm/diagnostics';
import type { Image } from '../asm/image';
import type { Cpu } from '../emulator/cpu/cpu';
import { applyBootPlan, isBootError, parseElf, planBoot, type BootPlan, type BootSymbol } from '../emulator/boot/index';
import { DwarfDebugInfo, elfDwarfSource } from './dwarf/index';
import type { LaunchConfig } from './config';
import { DebugInfo, type LineRow, type SymbolInfo } from './debuginfo';
import type { FrameUnwinder } from './stack';
import { Errors } from './errors';
import type { DebugHost } from './host';
import { sourceResolver } from './sourcemap';

export type ProgramKind = 'asm' | 'flat' | 'elf64' | 'multiboot';

export interface Program {
  /** Absolute path. */
  path: string;
  kind: ProgramKind;
  debug: DebugInfo;
  /** First instruction. */
  entry: bigint;
  /** Lowest and highest (exclusive) address of what was loaded (the module's range). */
  start: bigint;
  end: bigint;
  /** Things the user should know (printed to the Debug Console at launch). */
  warnings: string[];
  /** Call-frame information (ELF programs with .eh_frame / .debug_frame). */
  unwinder?: FrameUnwinder;
  /** The program's DWARF (ELF programs built with -g): source variables. */
  dwarf?: DwarfDebugInfo;
  /** Puts the program into `cpu` (RAM contents, registers, RIP), resetting the CPU first; an error text if it cannot. */
  install(cpu: Cpu): string | undefined;
}

/** Where a flat binary is loaded and entered (as QEMU's loaders put a kernel: 1 MiB). */
export const FLAT_LOAD = 0x100000n;
/** Bytes at the top of RAM that Cpu.reset64 uses for its GDT, TSS and page tables. */
const RESET64_RESERVED = 7 * 4096;
/** Name of the generated file that sets the default mode before including the user's source. */
const PRELUDE = '<kstack-prelude>.asm';

export interface LoadResult {
  program: Program;
  /** Assembler warnings (errors make loadProgram throw). */
  diagnostics: Diagnostic[];
}

/** Thrown when a source does not assemble: the error plus every diagnostic, for the console. */
export class AssemblyFailure extends Error {
  constructor(
    readonly error: ReturnType<typeof Errors.assemblyFailed>,
    readonly diagnostics: Diagnostic[],
  ) {
    super(error.message);
  }
}

export function loadProgram(host: DebugHost, config: LaunchConfig): LoadResult {
  const cwd = config.cwd ? host.resolvePath(undefined, config.cwd) : host.cwd();
  const path = host.resolvePath(cwd, config.program);
  const bytes = host.readFile(path);
  if (!bytes) throw Errors.programNotFound(path);
  if (/\.(asm|s|nasm|inc)$/i.test(path) && config.boot !== 'flat') return loadAsm(host, path, bytes, config);
  return { program: loadBinary(host, path, bytes, config), diagnostics: [] };
}

function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** ELF, multiboot kernels and flat binaries, through emulator/boot's loaders. */
function loadBinary(host: DebugHost, path: string, bytes: Uint8Array, config: LaunchConfig): Program {
  const notes: string[] = [];
  let format = config.boot;
  // A raw binary (no ELF header, no multiboot header) runs flat rather than being refused.
  if (format === 'auto' && !isElf(bytes) && !hasMultibootHeader(bytes)) {
    format = 'flat';
    notes.push(`not ELF and no multiboot header: running it as a flat binary at 0x${FLAT_LOAD.toString(16)} in the direct 64-bit state`);
  }
  const plan = planBoot(bytes, {
    memoryBytes: config.memoryBytes,
    kernelName: config.program,
    append: config.cmdline,
    format,
    flatLoadAddress: Number(FLAT_LOAD),
  });
  if (isBootError(plan)) throw Errors.bootFailed(path, plan.error);
  const dwarf = isElf(bytes) ? dwarfInfo(host, path, bytes, config) : undefined;
  if (dwarf) notes.push(...dwarf.warnings);
  const debug = debugInfoOfBoot(plan.symbols, dwarf?.lines ?? [], dwarf?.files ?? []);
  let entry = plan.entry;
  // Entered directly in 64-bit mode: at _start when it is a loaded address (else the entry point).
  const start = debug.lookup('_start');
  const loaded = plan.writes.filter((w) => !/multiboot|module|command line|memory map|gdt/i.test(w.what));
  const inImage = (a: bigint) => loaded.some((w) => a >= BigInt(w.addr) && a < BigInt(w.addr + w.bytes.length));
  if (plan.mode === 'long64' && start && start.address !== entry && inImage(start.address)) {
    notes.push(`entering at _start (0x${start.address.toString(16)}) rather than the ELF entry point 0x${entry.toString(16)}`);
    entry = start.address;
  }
  const ranges = [...loaded.map((w) => [w.addr, w.addr + w.bytes.length]), ...plan.zero.map((z) => [z.addr, z.addr + z.size])];
  const lo = ranges.length ? Math.min(...ranges.map((r) => r[0]!)) : Number(entry);
  const hi = ranges.length ? Math.max(...ranges.map((r) => r[1]!)) : Number(entry);
  const kind = plan.kind;
  return {
    path,
    kind,
    debug,
    entry,
    start: BigInt(lo),
    end: BigInt(hi),
    warnings: [...notes, ...plan.warnings],
    unwinder: dwarf?.unwinder,
    dwarf: dwarf?.dwarf,
    install(cpu) {
      const err = applyBootPlan(cpu, plan as BootPlan);
      if (err) return err.error;
      cpu.rip = entry;
      return undefined;
    },
  };
}

/**
 * Source lines from an ELF file's DWARF line programs (.debug_line). A file the line table names
 * that does not exist where it says (built on another machine) is found through `sourceFileMap`,
 * under the working directory, or next to the program (sourcemap.ts).
 */
function dwarfInfo(
  host: DebugHost,
  path: string,
  bytes: Uint8Array,
  config: LaunchConfig,
): { lines: LineRow[]; files: string[]; warnings: string[]; unwinder?: FrameUnwinder; dwarf?: DwarfDebugInfo } | undefined {
  const elf = parseElf(bytes);
  if ('error' in elf) return undefined;
  const warnings: string[] = [];
  let dwarf: DwarfDebugInfo;
  try {
    const src = elfDwarfSource(bytes, elf, warnings);
    if (!src.section('.debug_line') && !src.section('.eh_frame') && !src.section('.debug_frame')) return undefined;
    dwarf = DwarfDebugInfo.load(src);
  } catch (e) {
    return { lines: [], files: [], warnings: [`DWARF: ${e instanceof Error ? e.message : String(e)}: no source lines`] };
  }
  warnings.push(...dwarf.warnings.map((w) => `DWARF: ${w}`));
  const dir = path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const cwd = config.cwd ? host.resolvePath(undefined, config.cwd) : host.cwd();
  const resolve = sourceResolver(config.sourceFileMap, (p) => host.readFile(p) !== undefined, cwd, dir);
  const lines: LineRow[] = [];
  for (const prog of dwarf.linePrograms)
    for (const seq of prog.sequences) {
      // A line-0 row continues the line before it in its sequence (as gdb reads line tables).
      let last: { file: string; line: number } | undefined;
      for (let k = seq.from; k < seq.to; k++) {
        const row = prog.rows[k]!;
        const next = prog.rows[k + 1]!;
        const f = prog.files[row.file];
        const size = Number(next.address - row.address);
        if (row.endSequence) continue;
        const at = row.line === 0 ? last : f ? { file: resolve(f.path), line: row.line } : undefined;
        if (row.line !== 0) last = at;
        if (!at || size <= 0) continue;
        lines.push({ address: row.address, size, file: at.file, line: at.line });
      }
    }
  const files = [...new Set(lines.map((l) => l.file))];
  const unwinder: FrameUnwinder = {
    step(regs, readMemory, isCaller) {
      try {
        const r = dwarf.unwind(regs, readMemory, { isCaller });
        return r ? { caller: r.caller, signalFrame: r.signalFrame, cfa: r.cfa } : undefined;
      } catch {
        return undefined;
      }
    },
  };
  return { lines, files, warnings, unwinder, dwarf };
}

function debugInfoOfBoot(symbols: BootSymbol[], lines: LineRow[] = [], files: string[] = []): DebugInfo {
  const syms: SymbolInfo[] = symbols
    .filter((s) => s.name && s.type !== 'file' && s.type !== 'section')
    .map((s) => ({
      name: s.name,
      address: s.value,
      size: s.size,
      kind: s.section === '' ? 'equ' : s.type === 'object' || (s.type !== 'func' && !/^\.(text|init|fini)/.test(s.section)) ? 'data' : 'code',
      global: s.bind !== 'local',
    }));
  return new DebugInfo(syms, lines, files);
}

function checkFits(path: string, what: string, addr: bigint, size: number, memoryBytes: number): void {
  const limit = BigInt(memoryBytes - RESET64_RESERVED);
  if (addr < 0n || addr + BigInt(size) > limit) throw Errors.outsideRam(path, what, addr, size, memoryBytes);
}

function loadAsm(host: DebugHost, path: string, bytes: Uint8Array, config: LaunchConfig): LoadResult {
  const text = new TextDecoder().decode(bytes);
  // The prelude sets 64-bit mode (NASM's flat default is 16-bit) and includes the user's file, so
  // every line keeps its own file and number; a `bits` line in the source still wins.
  const dir = path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const prelude = `bits 64\n%include "${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
  // NASM's include search with the launch's cwd as the current directory: the name relative to
  // it, next to the including file, then the include directories (the program's own directory).
  // Every path the assembler records is absolute, so breakpoints in included files match.
  const cwd = config.cwd ? host.resolvePath(undefined, config.cwd) : host.cwd();
  const read = (p: string) => (p === PRELUDE ? new TextEncoder().encode(prelude) : p === path ? bytes : host.readFile(p));
  const fileHost = {
    readFile: read,
    resolveInclude(from: string, name: string, dirs: readonly string[]) {
      const fromDir = from === PRELUDE ? dir : from.slice(0, Math.max(from.lastIndexOf('/'), from.lastIndexOf('\\')) + 1);
      for (const d of [cwd, fromDir, ...dirs]) {
        const p = host.resolvePath(d || cwd, name);
        if (read(p)) return p;
      }
      return undefined;
    },
  };
  const r = assemble({ path: PRELUDE, text: prelude }, { format: 'image', host: fileHost, includeDirs: dir ? [dir] : [] });
  const diagnostics = r.diagnostics.map((d) => (d.file === PRELUDE ? { ...d, file: path } : d));
  const errors = diagnostics
    .filter((d) => d.severity === 'error')
    .sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file === path ? -1 : b.file === path ? 1 : 0));
  if (!r.ok || !r.image || errors.length > 0) {
    const first = errors[0] ?? diagnostics[0];
    const where = first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : `${path}: the assembler gave no output`;
    throw new AssemblyFailure(Errors.assemblyFailed(where, Math.max(errors.length, 1)), diagnostics);
  }
  const img = r.image;
  const debug = debugInfoOfImage(img, (file) => {
    if (file === path) return text;
    const b = host.readFile(file);
    return b && new TextDecoder().decode(b);
  });
  const warnings: string[] = [];
  const loaded = img.sections.filter((s) => s.size > 0);
  for (const s of loaded) checkFits(path, `section ${s.name}`, s.address, s.size, config.memoryBytes);
  const start = loaded.length ? loaded.reduce((m, s) => (s.address < m ? s.address : m), loaded[0]!.address) : img.origin;
  const end = loaded.reduce((m, s) => (s.address + BigInt(s.size) > m ? s.address + BigInt(s.size) : m), start);
  const startSym = debug.lookup('_start');
  const firstCode = img.sections.find((s) => s.exec && s.data.length > 0) ?? img.sections.find((s) => s.data.length > 0);
  const entry = startSym?.address ?? firstCode?.address ?? img.origin;
  if (!startSym) warnings.push(`no _start label: execution starts at the first byte of section ${firstCode?.name ?? '.text'} (0x${entry.toString(16)})`);
  let plan: BootPlan | undefined;
  if (config.boot !== 'elf64' && hasMultibootHeader(img.flat)) {
    // A multiboot kernel written in assembly: boot its flat image the way QEMU's -kernel would.
    const r = planBoot(img.flat, { memoryBytes: config.memoryBytes, kernelName: config.program, append: config.cmdline, format: 'multiboot' });
    if (isBootError(r)) throw Errors.bootFailed(path, r.error);
    plan = r;
    warnings.length = 0;
    warnings.push(...r.warnings);
  } else if (config.boot === 'multiboot') throw Errors.bootFailed(path, 'no multiboot header in the first 8 KiB of the assembled image ("boot": "multiboot")');
  return {
    diagnostics,
    program: {
      path,
      kind: plan ? 'multiboot' : 'asm',
      debug,
      entry: plan ? plan.entry : entry,
      start,
      end,
      warnings,
      install(cpu) {
        if (plan) return applyBootPlan(cpu, plan)?.error;
        cpu.reset64();
        for (const s of img.sections) {
          if (s.nobits) cpu.writePhys(s.address, new Uint8Array(s.size));
          else if (s.data.length) cpu.writePhys(s.address, s.data);
        }
        cpu.rip = entry;
        return undefined;
      },
    },
  };
}

/** A multiboot 1 header (magic, flags, checksum summing to 0) 4-aligned in the first 8 KiB. */
export function hasMultibootHeader(b: Uint8Array): boolean {
  const n = Math.min(b.length, 8192) - 12;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i <= n; i += 4) {
    if (dv.getUint32(i, true) !== 0x1badb002) continue;
    const flags = dv.getUint32(i + 4, true);
    if (((0x1badb002 + flags + dv.getUint32(i + 8, true)) >>> 0) === 0) return true;
  }
  return false;
}

/** A source line that emits data, not instructions (`buf: db 1, 2`, `times 4 dq 0`, `align 8`). */
const DATA_LINE = /^\s*(?:[\w.$@?#~]+:?\s+)?(?:d[bwdqtoyz]|res[bwdqtoyz]|times|incbin|istruc|at|iend|align|alignb)\b/i;
const LABEL_ONLY = /^\s*[\w.$@?#~]+:\s*(?:;.*)?$/;

/**
 * The debugger's view of an assembled image. Rows from data directives and from sections that
 * are not executable are left out of the line table (no breakpoints or steps there); a label is
 * data when the first line after it that emits bytes is a data directive. `sourceOf` gives a
 * file's text (undefined when unreadable: every row then counts as code).
 */
export function debugInfoOfImage(img: Image, sourceOf: (file: string) => string | undefined = () => undefined): DebugInfo {
  const texts = new Map<string, string[] | undefined>();
  const lineText = (file: string, line: number): string | undefined => {
    if (!texts.has(file)) texts.set(file, sourceOf(file)?.split(/\r?\n/));
    return texts.get(file)?.[line - 1];
  };
  const execRanges = img.sections.filter((s) => s.exec && !s.nobits).map((s) => [s.address, s.address + BigInt(s.size)] as const);
  const inCode = (a: bigint) => execRanges.some(([lo, hi]) => a >= lo && a < hi);
  const isData = (l: { file: string; line: number; expansion?: unknown }) => {
    const t = lineText(l.file, l.line);
    return t !== undefined && !l.expansion && DATA_LINE.test(t) && !LABEL_ONLY.test(t);
  };
  const rows = img.lines.filter((l) => l.file !== PRELUDE && l.size > 0);
  const code: LineRow[] = [];
  const dataAt = new Set<bigint>();
  for (const l of rows) {
    if (!inCode(l.address) || isData(l)) dataAt.add(l.address);
    else code.push({ address: l.address, size: l.size, file: l.file, line: l.line });
  }
  const symbols: SymbolInfo[] = img.symbols.map((s) => ({
    name: s.name,
    address: s.address,
    size: 0n,
    kind: s.kind === 'equ' ? 'equ' : inCode(s.address) && !dataAt.has(s.address) ? 'code' : 'data',
    global: s.global,
  }));
  return new DebugInfo(symbols, code, img.files.filter((f) => f !== PRELUDE));
}
