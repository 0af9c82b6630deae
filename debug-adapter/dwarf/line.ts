// .debug_line, versions 2-5 (DWARF 5 section 6.2): the program header (v5 directory and file
// entry formats, DW_FORM_line_strp, MD5), the line-number state machine (standard, extended and
// special opcodes), and an index over all programs: address -> source line, source line ->
// addresses, the list of source files. A bad program is a warning and the rest is still read.

import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS } from './constants';
import { baseName, isAbsolutePath, joinPath, normalizePath } from './paths';
import { DwarfError, errorText, hex, Reader, stringAt } from './reader';
import type { DwarfSource } from './source';

export interface LineFileEntry {
  /** The name as recorded (DW_LNCT_path). */
  name: string;
  /** Directory index (DW_LNCT_directory_index). */
  dir: number;
  /** The resolved path: absolute names as recorded, relative ones joined with their directory and comp_dir. */
  path: string;
  mtime?: bigint;
  size?: bigint;
  /** 16 bytes, DWARF 5 DW_LNCT_MD5. */
  md5?: Uint8Array;
}

export interface LineRow {
  address: bigint;
  /** Index into LineProgram.files (the DWARF file number). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  isa: number;
  discriminator: number;
  opIndex: number;
}

export interface LineSequence {
  start: bigint;
  /** Address of the end_sequence row (first address after the sequence). */
  end: bigint;
  /** rows[from..to] (to inclusive: the end_sequence row) in LineProgram.rows. */
  from: number;
  to: number;
}

export interface LineProgram {
  /** Offset of the program in .debug_line. */
  offset: number;
  version: number;
  dwarf64: boolean;
  addressSize: number;
  minInstLength: number;
  maxOpsPerInst: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  standardOpcodeLengths: number[];
  /** Include directories as resolved paths; index 0 is the compilation directory. */
  directories: string[];
  /** Files by DWARF file number (v2-4 count from 1: slot 0 is undefined; v5 from 0). */
  files: (LineFileEntry | undefined)[];
  /** Rows in program order (sequences one after another, as readelf prints them). */
  rows: LineRow[];
  /** Sequences sorted by start address. */
  sequences: LineSequence[];
  /** The compilation directory used to resolve relative paths. */
  compDir: string;
}

export interface LineContext {
  /** DW_AT_comp_dir of the unit that owns the program (v2-4 directory 0). */
  compDir?: string;
  /** DW_AT_name of the unit (v2-4 has no file 0; used for messages). */
  unitName?: string;
  /** Address size when the header does not give one (v2-4): from the unit or the ELF class. */
  addressSize?: number;
  /** Resolves DW_FORM_strx* in v5 entry formats (needs the unit's str_offsets_base). */
  strx?: (index: number) => string;
}

/** Rows beyond this in one program are an error (guards against runaway input). */
const MAX_ROWS = 5_000_000;

/** Parse the line program at `offset` of .debug_line. Throws DwarfError on malformed input. */
export function parseLineProgram(src: DwarfSource, offset: number, ctx: LineContext = {}): LineProgram {
  const bytes = src.section('.debug_line');
  if (!bytes) throw new DwarfError('.debug_line', offset, 'the section is missing');
  const top = new Reader(bytes, '.debug_line', src.littleEndian);
  top.pos = offset;
  return parseProgramAt(src, top, ctx);
}

function parseProgramAt(src: DwarfSource, top: Reader, ctx: LineContext): LineProgram {
  const offset = top.pos;
  const { length, dwarf64 } = top.initialLength();
  const endOfUnit = top.pos + length;
  if (endOfUnit > top.end) top.fail(`unit_length ${hex(length)} runs past the end of the section (${hex(top.end)})`, offset);
  const r = top.slice(top.pos, endOfUnit);
  top.pos = endOfUnit;
  const version = r.u16('version');
  if (version < 2 || version > 5) r.fail(`line table version ${version} is not 2-5`, r.pos - 2);
  let addressSize = ctx.addressSize ?? (src.is64 ? 8 : 4);
  if (version >= 5) {
    addressSize = r.u8('address_size');
    const segSel = r.u8('segment_selector_size');
    if (segSel !== 0) r.fail(`segment_selector_size ${segSel} is not supported`, r.pos - 1);
  }
  const headerLength = r.offset(dwarf64, 'header_length');
  const programStart = r.pos + headerLength;
  if (programStart > r.end) r.fail(`header_length ${hex(headerLength)} runs past the end of the unit`, r.pos);
  const minInstLength = r.u8('minimum_instruction_length');
  const maxOpsPerInst = version >= 4 ? r.u8('maximum_operations_per_instruction') : 1;
  const defaultIsStmt = r.u8('default_is_stmt') !== 0;
  const lineBase = r.i8('line_base');
  const lineRange = r.u8('line_range');
  const opcodeBase = r.u8('opcode_base');
  if (lineRange === 0) r.fail('line_range is 0', r.pos - 2);
  if (maxOpsPerInst === 0) r.fail('maximum_operations_per_instruction is 0');
  const standardOpcodeLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(r.u8('standard_opcode_lengths'));

  const compDir = ctx.compDir ?? '';
  let directories: string[] = [];
  const files: (LineFileEntry | undefined)[] = [];
  const resolveFile = (name: string, dir: number): string => {
    if (isAbsolutePath(name)) return normalizePath(name);
    const d = directories[dir] ?? '';
    return joinPath(compDir, d, name);
  };

  if (version >= 5) {
    const dirEntries = readEntryTable(src, r, dwarf64, ctx, 'directory');
    directories = dirEntries.map((e) => joinPath(compDir, e.name));
    for (const e of readEntryTable(src, r, dwarf64, ctx, 'file name'))
      files.push({ name: e.name, dir: e.dir, path: resolveFile(e.name, e.dir), mtime: e.mtime, size: e.size, md5: e.md5 });
  } else {
    directories = [compDir];
    r.end = programStart;
    for (;;) {
      const d = r.cstr('include_directories');
      if (d === '') break;
      directories.push(joinPath(compDir, d));
    }
    files.push(undefined);
    for (;;) {
      const name = r.cstr('file_names');
      if (name === '') break;
      const dir = r.uleb('directory index');
      const mtime = r.ulebBig('modification time');
      const size = r.ulebBig('file length');
      files.push({ name, dir, path: resolveFile(name, dir), mtime, size });
    }
    r.end = endOfUnit;
  }
  r.pos = programStart;

  const program: LineProgram = {
    offset,
    version,
    dwarf64,
    addressSize,
    minInstLength,
    maxOpsPerInst,
    defaultIsStmt,
    lineBase,
    lineRange,
    opcodeBase,
    standardOpcodeLengths,
    directories,
    files,
    rows: [],
    sequences: [],
    compDir,
  };
  runProgram(r, program, resolveFile);
  program.sequences.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.from - b.from));
  return program;
}

interface RawEntry {
  name: string;
  dir: number;
  mtime?: bigint;
  size?: bigint;
  md5?: Uint8Array;
}

/** A v5 directory or file-name table: format count, (content type, form) pairs, count, entries. */
function readEntryTable(src: DwarfSource, r: Reader, dwarf64: boolean, ctx: LineContext, what: string): RawEntry[] {
  const formatCount = r.u8(`${what} entry format count`);
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([r.uleb(`${what} content type`), r.uleb(`${what} form`)]);
  const countAt = r.pos;
  const count = r.uleb(`${what} count`);
  if (count > r.remaining) r.fail(`${what} count ${count} exceeds the bytes left in the header`, countAt);
  const out: RawEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e: RawEntry = { name: '', dir: 0 };
    for (const [lnct, form] of format) {
      const v = readLineForm(src, r, form, dwarf64, ctx);
      switch (lnct) {
        case DW_LNCT.path:
          e.name = typeof v === 'string' ? v : String(v);
          break;
        case DW_LNCT.directory_index:
          e.dir = typeof v === 'bigint' ? Number(v) : 0;
          break;
        case DW_LNCT.timestamp:
          if (typeof v === 'bigint') e.mtime = v;
          break;
        case DW_LNCT.size:
          if (typeof v === 'bigint') e.size = v;
          break;
        case DW_LNCT.MD5:
          if (v instanceof Uint8Array) e.md5 = v;
          break;
        default:
          break; // vendor content types: read and ignored
      }
    }
    out.push(e);
  }
  return out;
}

function readLineForm(src: DwarfSource, r: Reader, form: number, dwarf64: boolean, ctx: LineContext): string | bigint | Uint8Array {
  const at = r.pos;
  switch (form) {
    case DW_FORM.string:
      return r.cstr();
    case DW_FORM.line_strp:
      return stringAt(src.section('.debug_line_str'), '.debug_line_str', r.offset(dwarf64, 'DW_FORM_line_strp'));
    case DW_FORM.strp:
      return stringAt(src.section('.debug_str'), '.debug_str', r.offset(dwarf64, 'DW_FORM_strp'));
    case DW_FORM.strx:
    case DW_FORM.strx1:
    case DW_FORM.strx2:
    case DW_FORM.strx3:
    case DW_FORM.strx4: {
      const n =
        form === DW_FORM.strx ? r.uleb() : form === DW_FORM.strx1 ? r.u8() : form === DW_FORM.strx2 ? r.u16() : form === DW_FORM.strx3 ? r.u24() : r.u32();
      return ctx.strx ? ctx.strx(n) : `<strx ${n}>`;
    }
    case DW_FORM.udata:
      return r.ulebBig();
    case DW_FORM.sdata:
      return r.slebBig();
    case DW_FORM.data1:
      return BigInt(r.u8());
    case DW_FORM.data2:
      return BigInt(r.u16());
    case DW_FORM.data4:
      return BigInt(r.u32());
    case DW_FORM.data8:
      return r.u64();
    case DW_FORM.data16:
      return r.block(16).slice();
    case DW_FORM.block:
      return r.block(r.uleb()).slice();
    case DW_FORM.block1:
      return r.block(r.u8()).slice();
    case DW_FORM.block2:
      return r.block(r.u16()).slice();
    case DW_FORM.block4:
      return r.block(r.u32()).slice();
    default:
      return r.fail(`form 0x${form.toString(16)} is not allowed in a line table entry format`, at);
  }
}

function runProgram(r: Reader, p: LineProgram, resolveFile: (name: string, dir: number) => string): void {
  const { minInstLength, maxOpsPerInst, lineBase, lineRange, opcodeBase } = p;
  const mask = p.addressSize >= 8 ? 0xffffffffffffffffn : (1n << BigInt(p.addressSize * 8)) - 1n;
  let address = 0n;
  let opIndex = 0;
  let file = 1;
  let line = 1;
  let column = 0;
  let isStmt = p.defaultIsStmt;
  let basicBlock = false;
  let endSequence = false;
  let prologueEnd = false;
  let epilogueBegin = false;
  let isa = 0;
  let discriminator = 0;
  let seqFrom = p.rows.length;

  const reset = (): void => {
    address = 0n;
    opIndex = 0;
    file = 1;
    line = 1;
    column = 0;
    isStmt = p.defaultIsStmt;
    basicBlock = false;
    endSequence = false;
    prologueEnd = false;
    epilogueBegin = false;
    isa = 0;
    discriminator = 0;
  };
  const emit = (): void => {
    if (p.rows.length >= MAX_ROWS) r.fail(`more than ${MAX_ROWS} rows in one line program`);
    p.rows.push({ address, file, line, column, isStmt, basicBlock, endSequence, prologueEnd, epilogueBegin, isa, discriminator, opIndex });
    basicBlock = false;
    prologueEnd = false;
    epilogueBegin = false;
    discriminator = 0;
  };
  const advance = (operationAdvance: number): void => {
    if (maxOpsPerInst === 1) {
      address = (address + BigInt(minInstLength) * BigInt(operationAdvance)) & mask;
    } else {
      const total = opIndex + operationAdvance;
      address = (address + BigInt(minInstLength) * BigInt(Math.floor(total / maxOpsPerInst))) & mask;
      opIndex = total % maxOpsPerInst;
    }
  };

  while (!r.atEnd) {
    const opAt = r.pos;
    const op = r.u8('opcode');
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line = (line + lineBase + (adjusted % lineRange)) >>> 0;
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb('extended opcode length');
        if (len === 0) break; // an empty extended opcode: nothing to do
        const bodyEnd = r.pos + len;
        if (bodyEnd > r.end) r.fail(`extended opcode length ${len} runs past the end of the program`, opAt);
        const sub = r.u8('extended opcode');
        switch (sub) {
          case DW_LNE.end_sequence:
            endSequence = true;
            emit();
            p.sequences.push({ start: p.rows[seqFrom]!.address, end: address, from: seqFrom, to: p.rows.length - 1 });
            seqFrom = p.rows.length;
            reset();
            break;
          case DW_LNE.set_address: {
            const size = len - 1;
            if (size !== 1 && size !== 2 && size !== 4 && size !== 8) r.fail(`DW_LNE_set_address with a ${size}-byte operand`, opAt);
            address = r.uN(size, 'DW_LNE_set_address operand');
            opIndex = 0;
            break;
          }
          case DW_LNE.define_file: {
            const name = r.cstr('DW_LNE_define_file name');
            const dir = r.uleb();
            const mtime = r.ulebBig();
            const size = r.ulebBig();
            p.files.push({ name, dir, path: resolveFile(name, dir), mtime, size });
            break;
          }
          case DW_LNE.set_discriminator:
            discriminator = r.uleb('discriminator');
            break;
          default:
            break; // unknown extended opcode: skipped by its length
        }
        r.pos = bodyEnd;
        break;
      }
      case DW_LNS.copy:
        emit();
        break;
      case DW_LNS.advance_pc:
        advance(r.uleb('DW_LNS_advance_pc operand'));
        break;
      case DW_LNS.advance_line:
        line = (line + r.sleb('DW_LNS_advance_line operand')) >>> 0;
        break;
      case DW_LNS.set_file:
        file = r.uleb('DW_LNS_set_file operand');
        break;
      case DW_LNS.set_column:
        column = r.uleb('DW_LNS_set_column operand');
        break;
      case DW_LNS.negate_stmt:
        isStmt = !isStmt;
        break;
      case DW_LNS.set_basic_block:
        basicBlock = true;
        break;
      case DW_LNS.const_add_pc:
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case DW_LNS.fixed_advance_pc:
        address = (address + BigInt(r.u16('DW_LNS_fixed_advance_pc operand'))) & mask;
        opIndex = 0;
        break;
      case DW_LNS.set_prologue_end:
        prologueEnd = true;
        break;
      case DW_LNS.set_epilogue_begin:
        epilogueBegin = true;
        break;
      case DW_LNS.set_isa:
        isa = r.uleb('DW_LNS_set_isa operand');
        break;
      default: {
        // An opcode this reader does not know: skip its ULEB128 operands as the header declares.
        const n = p.standardOpcodeLengths[op] ?? 0;
        for (let i = 0; i < n; i++) r.uleb('operand of an unknown standard opcode');
      }
    }
  }
  if (seqFrom < p.rows.length) {
    // Rows after the last end_sequence: keep them as a sequence that ends at its last address.
    const last = p.rows[p.rows.length - 1]!;
    p.sequences.push({ start: p.rows[seqFrom]!.address, end: last.address, from: seqFrom, to: p.rows.length - 1 });
  }
}

/**
 * A program's rows sorted by address (sequence by sequence, each ending with its end_sequence
 * row); rows at one address keep their program order.
 */
export function sortedRows(p: LineProgram): LineRow[] {
  return p.sequences.flatMap((s) => p.rows.slice(s.from, s.to + 1));
}

// ---------------------------------------------------------------------------------------------

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface SourceFile {
  /** The resolved path (absolute when the producer recorded enough to make it so). */
  path: string;
  /** The name as recorded in the line table. */
  name: string;
  md5?: Uint8Array;
  /** Some row of some line table points at this file. */
  hasCode: boolean;
}

interface IndexedSequence {
  start: bigint;
  end: bigint;
  program: LineProgram;
  from: number;
  to: number;
}

/** All line programs of a file, indexed for the debugger's questions. */
export class LineIndex {
  private readonly seqs: IndexedSequence[] = [];
  private byPath = new Map<string, { program: LineProgram; row: number }[]>();

  constructor(readonly programs: LineProgram[]) {
    for (const program of programs)
      for (const s of program.sequences) if (s.to > s.from) this.seqs.push({ ...s, program });
    this.seqs.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (const program of programs) {
      for (let i = 0; i < program.rows.length; i++) {
        const row = program.rows[i]!;
        if (row.endSequence) continue;
        const f = program.files[row.file];
        if (!f) continue;
        let list = this.byPath.get(f.path);
        if (!list) this.byPath.set(f.path, (list = []));
        list.push({ program, row: i });
      }
    }
  }

  /** The row in effect at `addr`: the last row at or below it in a sequence that covers it. */
  rowForAddress(addr: bigint): { program: LineProgram; row: LineRow } | undefined {
    const seqs = this.seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]!.start <= addr) lo = mid + 1;
      else hi = mid;
    }
    // Sequences may overlap (code the linker discarded keeps its old addresses): the closest start wins.
    for (let i = lo - 1, steps = 0; i >= 0 && steps < 256; i--, steps++) {
      const s = seqs[i]!;
      if (addr >= s.end) continue;
      const rows = s.program.rows;
      let a = s.from;
      let b = s.to; // the end_sequence row
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (rows[mid]!.address <= addr) a = mid + 1;
        else b = mid;
      }
      // Several rows at one address: the last is_stmt one describes the instruction there (as in
      // gdb), else the last one.
      let k = Math.max(s.from, a - 1);
      const at = rows[k]!.address;
      for (let j = k; j >= s.from && rows[j]!.address === at; j--)
        if (rows[j]!.isStmt) {
          k = j;
          break;
        }
      // A line-0 row (code the compiler attributes to no line, as clang writes) continues the row
      // before it, as gdb reads line tables (it records no line-0 rows).
      while (rows[k]!.line === 0 && k > s.from) k--;
      return { program: s.program, row: rows[k]! };
    }
    return undefined;
  }

  /** Source position of the instruction at `addr`; undefined outside all sequences or on line 0. */
  lineForAddress(addr: bigint): SourceLocation | undefined {
    const hit = this.rowForAddress(addr);
    if (!hit || hit.row.line === 0) return undefined;
    const f = hit.program.files[hit.row.file];
    if (!f) return undefined;
    return { file: f.path, line: hit.row.line, column: hit.row.column };
  }

  /** The resolved paths known for `file`: exact path, else by path suffix, else by base name. */
  matchFile(file: string): string[] {
    const norm = normalizePath(file.replace(/\\/g, '/'));
    if (this.byPath.has(norm)) return [norm];
    const all = [...this.byPath.keys()];
    const bySuffix = all.filter((p) => p.endsWith(`/${norm}`));
    if (bySuffix.length > 0) return bySuffix;
    const base = baseName(norm);
    return all.filter((p) => baseName(p) === base);
  }

  /**
   * Addresses where `line` of `file` begins: is_stmt rows that enter the line (the previous row of
   * the sequence is another line or file), sorted and unique. Empty if the line has no code.
   */
  addressesForLine(file: string, line: number): bigint[] {
    const out = new Set<bigint>();
    for (const path of this.matchFile(file)) {
      for (const { program, row: i } of this.byPath.get(path) ?? []) {
        const row = program.rows[i]!;
        if (row.line !== line || !row.isStmt) continue;
        const prev = i > 0 ? program.rows[i - 1] : undefined;
        const samePlace =
          prev && !prev.endSequence && prev.line === line && program.files[prev.file]?.path === path && prev.address !== row.address;
        if (samePlace && prev.isStmt) continue;
        out.add(row.address);
      }
    }
    return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The first line at or after `line` in `file` that has code (a breakpoint's "next line with code"). */
  nextLineWithCode(file: string, line: number): number | undefined {
    let best: number | undefined;
    for (const path of this.matchFile(file))
      for (const { program, row: i } of this.byPath.get(path) ?? []) {
        const row = program.rows[i]!;
        if (row.isStmt && row.line >= line && (best === undefined || row.line < best)) best = row.line;
      }
    return best;
  }

  /** A breakpoint request resolved: the line that has code at or after `line`, and its addresses. */
  resolveBreakpoint(file: string, line: number): { line: number; addresses: bigint[] } | undefined {
    const at = this.nextLineWithCode(file, line);
    return at === undefined ? undefined : { line: at, addresses: this.addressesForLine(file, at) };
  }

  /** Every file named by a line table, once per resolved path. */
  sourceFiles(): SourceFile[] {
    const seen = new Map<string, SourceFile>();
    for (const program of this.programs)
      for (const f of program.files) {
        if (!f) continue;
        const known = seen.get(f.path);
        if (known) {
          if (!known.md5 && f.md5) known.md5 = f.md5;
          continue;
        }
        seen.set(f.path, { path: f.path, name: f.name, md5: f.md5, hasCode: this.byPath.has(f.path) });
      }
    return [...seen.values()];
  }
}

export interface LineProgramsResult {
  programs: LineProgram[];
  warnings: string[];
}

/**
 * Read every line program in .debug_line, one after another. `contexts` maps a program's offset to
 * its unit's comp_dir etc. (from DW_AT_stmt_list). A bad program ends the walk (its length cannot be
 * trusted) unless its unit_length itself was readable; either way a warning names the offset.
 */
export function parseAllLinePrograms(src: DwarfSource, contexts: Map<number, LineContext> = new Map()): LineProgramsResult {
  const programs: LineProgram[] = [];
  const warnings: string[] = [];
  const bytes = src.section('.debug_line');
  if (!bytes) return { programs, warnings };
  const top = new Reader(bytes, '.debug_line', src.littleEndian);
  let guard = 0;
  while (!top.atEnd && guard++ < 1_000_000) {
    const start = top.pos;
    let next: number | undefined;
    try {
      const probe = new Reader(bytes, '.debug_line', src.littleEndian, start);
      const { length } = probe.initialLength();
      next = probe.pos + length;
      if (length === 0) {
        top.pos = probe.pos;
        continue;
      }
    } catch (e) {
      warnings.push(`${errorText(e)}; the rest of .debug_line is skipped`);
      break;
    }
    try {
      top.pos = start;
      programs.push(parseProgramAt(src, top, contexts.get(start) ?? {}));
    } catch (e) {
      warnings.push(`line program at .debug_line offset ${hex(start)} skipped: ${errorText(e)}`);
      if (next === undefined || next <= start || next > bytes.length) break;
    }
    top.pos = next;
  }
  return { programs, warnings };
}
