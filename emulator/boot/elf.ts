// ELF32 / ELF64 parsing (little-endian): the header, program headers, section headers and the
// symbol tables (.symtab / .dynsym, with names). Robust against malformed and truncated files:
// a bad field in the ELF header or the program header table is an error naming the field and its
// file offset; a bad section header table or symbol table is a warning (a loader needs only the
// program headers), and the symbols that could be read are kept. Nothing here throws on bad input.

import { hex, type BootSymbol, type SymbolBind, type SymbolType } from './plan';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;
export const EM_386 = 3;
export const EM_X86_64 = 62;
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const PN_XNUM = 0xffff;

export interface ElfHeader {
  class: 32 | 64;
  osabi: number;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: bigint;
  shoff: bigint;
  flags: number;
  ehsize: number;
  phentsize: number;
  /** Number of program headers (PN_XNUM resolved through section 0). */
  phnum: number;
  shentsize: number;
  /** Number of section headers (0 with e_shoff set: resolved through section 0). */
  shnum: number;
  shstrndx: number;
}

export interface ElfProgramHeader {
  index: number;
  /** File offset of this program header (for messages). */
  at: number;
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface ElfSection {
  index: number;
  /** File offset of this section header. */
  at: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** st_info & 0xf / >> 4. */
  type: number;
  bind: number;
  other: number;
  shndx: number;
  /** The symbol table it came from. */
  table: '.symtab' | '.dynsym';
}

export interface ElfFile {
  header: ElfHeader;
  programHeaders: ElfProgramHeader[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Non-fatal problems (section headers, symbol tables), each naming the field and offset. */
  warnings: string[];
}

/** True if the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** A parse failure; caught inside this module and returned as { error }. */
class ElfError extends Error {}

/** Bounds-checked little-endian reads; an out-of-range read throws ElfError naming the field. */
class Reader {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get size(): number {
    return this.bytes.length;
  }
  private check(off: number, n: number, field: string): void {
    if (!(off >= 0 && off + n <= this.bytes.length))
      throw new ElfError(`${field} at offset ${hex(off)}: beyond the end of the file (${hex(this.bytes.length)} bytes)`);
  }
  u8(off: number, field: string): number {
    this.check(off, 1, field);
    return this.bytes[off]!;
  }
  u16(off: number, field: string): number {
    this.check(off, 2, field);
    return this.dv.getUint16(off, true);
  }
  u32(off: number, field: string): number {
    this.check(off, 4, field);
    return this.dv.getUint32(off, true);
  }
  u64(off: number, field: string): bigint {
    this.check(off, 8, field);
    return this.dv.getBigUint64(off, true);
  }
  /** A 32-bit or 64-bit word as bigint. */
  word(off: number, is64: boolean, field: string): bigint {
    return is64 ? this.u64(off, field) : BigInt(this.u32(off, field));
  }
}

const ET_NAMES: Record<number, string> = { 0: 'ET_NONE', 1: 'ET_REL', 2: 'ET_EXEC', 3: 'ET_DYN', 4: 'ET_CORE' };
export function elfTypeName(t: number): string {
  return ET_NAMES[t] ?? `type ${hex(t)}`;
}

/** Does [off, off + len) lie inside a file of `size` bytes? (bigint: fields may be 64-bit) */
export function inFile(off: bigint, len: bigint, size: number): boolean {
  return off >= 0n && len >= 0n && off + len <= BigInt(size);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Parse an ELF file. Returns { error } for a bad ELF header or program header table. */
export function parseElf(bytes: Uint8Array): ElfFile | { error: string } {
  try {
    return parse(new Reader(bytes));
  } catch (e) {
    if (e instanceof ElfError) return { error: e.message };
    throw e;
  }
}

function parse(r: Reader): ElfFile {
  const bytes = r.bytes;
  if (!isElf(bytes)) throw new ElfError('e_ident[EI_MAG0..3] at offset 0x0: not the ELF magic 7f 45 4c 46');
  if (bytes.length < 16)
    throw new ElfError(`e_ident at offset 0x0: the file ends after ${bytes.length} bytes, the identification needs 16`);
  const cls = bytes[4]!;
  if (cls !== 1 && cls !== 2)
    throw new ElfError(`EI_CLASS at offset 0x4 is ${cls}: expected 1 (ELF32) or 2 (ELF64)`);
  const is64 = cls === 2;
  const data = bytes[5]!;
  if (data !== 1)
    throw new ElfError(
      data === 2
        ? 'EI_DATA at offset 0x5 is 2 (big-endian): x86 ELF files are little-endian (1)'
        : `EI_DATA at offset 0x5 is ${data}: expected 1 (little-endian)`,
    );
  if (bytes[6] !== 1) throw new ElfError(`EI_VERSION at offset 0x6 is ${bytes[6]}: expected 1`);
  const ehMin = is64 ? 64 : 52;
  if (bytes.length < ehMin)
    throw new ElfError(
      `ELF header at offset 0x0: the file ends after ${bytes.length} bytes, an ELF${is64 ? 64 : 32} header needs ${ehMin}`,
    );
  const w = is64 ? 8 : 4;
  const o = (off32: number, off64: number) => (is64 ? off64 : off32);
  const header: ElfHeader = {
    class: is64 ? 64 : 32,
    osabi: bytes[7]!,
    type: r.u16(16, 'e_type'),
    machine: r.u16(18, 'e_machine'),
    version: r.u32(20, 'e_version'),
    entry: r.word(24, is64, 'e_entry'),
    phoff: r.word(24 + w, is64, 'e_phoff'),
    shoff: r.word(24 + 2 * w, is64, 'e_shoff'),
    flags: r.u32(o(36, 48), 'e_flags'),
    ehsize: r.u16(o(40, 52), 'e_ehsize'),
    phentsize: r.u16(o(42, 54), 'e_phentsize'),
    phnum: r.u16(o(44, 56), 'e_phnum'),
    shentsize: r.u16(o(46, 58), 'e_shentsize'),
    shnum: r.u16(o(48, 60), 'e_shnum'),
    shstrndx: r.u16(o(50, 62), 'e_shstrndx'),
  };
  if (header.version !== 1) throw new ElfError(`e_version at offset 0x14 is ${header.version}: expected 1`);
  if (header.ehsize < ehMin)
    throw new ElfError(`e_ehsize at offset ${hex(o(40, 52))} is ${header.ehsize}: an ELF${header.class} header is ${ehMin} bytes`);

  const warnings: string[] = [];
  const shMin = is64 ? 64 : 40;
  // Section 0 holds the real counts when they do not fit the header (extended numbering).
  let sec0: { size: bigint; link: number; info: number } | null = null;
  const sectionsUsable =
    header.shoff !== 0n &&
    header.shentsize >= shMin &&
    inFile(header.shoff, BigInt(shMin), r.size);
  if (sectionsUsable) {
    const at = Number(header.shoff);
    sec0 = {
      size: r.word(at + o(20, 32), is64, 'sh_size of section 0'),
      link: r.u32(at + o(24, 40), 'sh_link of section 0'),
      info: r.u32(at + o(28, 44), 'sh_info of section 0'),
    };
  }
  if (header.phnum === PN_XNUM && sec0) header.phnum = sec0.info;
  if (header.shnum === 0 && sec0 && sec0.size > 0n && sec0.size < 0x100000000n) header.shnum = Number(sec0.size);
  if (header.shstrndx === SHN_XINDEX && sec0) header.shstrndx = sec0.link;

  // ---- program headers (fatal when wrong: a loader needs them)
  const programHeaders: ElfProgramHeader[] = [];
  if (header.phnum > 0) {
    const phMin = is64 ? 56 : 32;
    if (header.phentsize < phMin)
      throw new ElfError(
        `e_phentsize at offset ${hex(o(42, 54))} is ${header.phentsize}: an ELF${header.class} program header is ${phMin} bytes`,
      );
    const tableSize = BigInt(header.phnum) * BigInt(header.phentsize);
    if (!inFile(header.phoff, tableSize, r.size))
      throw new ElfError(
        `e_phoff at offset ${hex(24 + w)} is ${hex(header.phoff)}: the program header table (${header.phnum} x ${header.phentsize} bytes) ends beyond the end of the file (${hex(r.size)} bytes)`,
      );
    for (let i = 0; i < header.phnum; i++) {
      const at = Number(header.phoff) + i * header.phentsize;
      const f = (name: string) => `${name} of program header ${i}`;
      programHeaders.push(
        is64
          ? {
              index: i,
              at,
              type: r.u32(at, f('p_type')),
              flags: r.u32(at + 4, f('p_flags')),
              offset: r.u64(at + 8, f('p_offset')),
              vaddr: r.u64(at + 16, f('p_vaddr')),
              paddr: r.u64(at + 24, f('p_paddr')),
              filesz: r.u64(at + 32, f('p_filesz')),
              memsz: r.u64(at + 40, f('p_memsz')),
              align: r.u64(at + 48, f('p_align')),
            }
          : {
              index: i,
              at,
              type: r.u32(at, f('p_type')),
              offset: BigInt(r.u32(at + 4, f('p_offset'))),
              vaddr: BigInt(r.u32(at + 8, f('p_vaddr'))),
              paddr: BigInt(r.u32(at + 12, f('p_paddr'))),
              filesz: BigInt(r.u32(at + 16, f('p_filesz'))),
              memsz: BigInt(r.u32(at + 20, f('p_memsz'))),
              flags: r.u32(at + 24, f('p_flags')),
              align: BigInt(r.u32(at + 28, f('p_align'))),
            },
      );
    }
  }

  // ---- section headers (warnings when wrong)
  const sections: ElfSection[] = [];
  if (header.shoff !== 0n || header.shnum !== 0) {
    if (header.shnum === 0) {
      warnings.push(`e_shnum at offset ${hex(o(48, 60))} is 0 but e_shoff is ${hex(header.shoff)}: no section headers read`);
    } else if (header.shentsize < shMin) {
      warnings.push(
        `e_shentsize at offset ${hex(o(46, 58))} is ${header.shentsize}: an ELF${header.class} section header is ${shMin} bytes; sections and symbols ignored`,
      );
    } else if (!inFile(header.shoff, BigInt(header.shnum) * BigInt(header.shentsize), r.size)) {
      warnings.push(
        `e_shoff at offset ${hex(24 + 2 * w)} is ${hex(header.shoff)}: the section header table (${header.shnum} x ${header.shentsize} bytes) ends beyond the end of the file (${hex(r.size)} bytes); sections and symbols ignored`,
      );
    } else {
      for (let i = 0; i < header.shnum; i++) {
        const at = Number(header.shoff) + i * header.shentsize;
        const f = (name: string) => `${name} of section header ${i}`;
        sections.push({
          index: i,
          at,
          name: '',
          type: r.u32(at + 4, f('sh_type')),
          flags: r.word(at + 8, is64, f('sh_flags')),
          addr: r.word(at + o(12, 16), is64, f('sh_addr')),
          offset: r.word(at + o(16, 24), is64, f('sh_offset')),
          size: r.word(at + o(20, 32), is64, f('sh_size')),
          link: r.u32(at + o(24, 40), f('sh_link')),
          info: r.u32(at + o(28, 44), f('sh_info')),
          addralign: r.word(at + o(32, 48), is64, f('sh_addralign')),
          entsize: r.word(at + o(36, 56), is64, f('sh_entsize')),
        });
      }
      nameSections(r, header, sections, warnings);
    }
  }

  const symbols: ElfSymbol[] = [];
  for (const s of sections) {
    if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) readSymbols(r, is64, s, sections, symbols, warnings);
  }
  return { header, programHeaders, sections, symbols, warnings };
}

/** Read a NUL-terminated string at `off` inside [start, end); null if it runs past `end`. */
function cString(bytes: Uint8Array, start: number, end: number, off: number): string | null {
  if (off < start || off >= end) return null;
  let e = off;
  while (e < end && bytes[e] !== 0) e++;
  if (e >= end) return null;
  return decoder.decode(bytes.subarray(off, e));
}

/** Usable [start, end) of a string table section, or a reason it is not. */
function stringTable(s: ElfSection, size: number): [number, number] | string {
  if (s.type !== SHT_STRTAB) return `section ${s.index} is not a string table (sh_type ${s.type})`;
  if (!inFile(s.offset, s.size, size))
    return `sh_offset/sh_size of section ${s.index} (header at ${hex(s.at)}): ${hex(s.offset)} + ${hex(s.size)} is beyond the end of the file (${hex(size)} bytes)`;
  return [Number(s.offset), Number(s.offset + s.size)];
}

function nameSections(r: Reader, h: ElfHeader, sections: ElfSection[], warnings: string[]): void {
  if (h.shstrndx === SHN_UNDEF) return;
  const o = h.class === 64 ? 62 : 50;
  const strSec = sections[h.shstrndx];
  if (!strSec) {
    warnings.push(`e_shstrndx at offset ${hex(o)} is ${h.shstrndx}, but there are ${sections.length} sections: section names unknown`);
    return;
  }
  const t = stringTable(strSec, r.size);
  if (typeof t === 'string') {
    warnings.push(`e_shstrndx at offset ${hex(o)}: ${t}; section names unknown`);
    return;
  }
  for (const s of sections) {
    const nameOff = r.u32(s.at, `sh_name of section header ${s.index}`);
    const name = cString(r.bytes, t[0], t[1], t[0] + nameOff);
    if (name === null) {
      if (s.index !== 0)
        warnings.push(`sh_name of section header ${s.index} (at ${hex(s.at)}) is ${hex(nameOff)}: outside the section name table`);
    } else s.name = name;
  }
}

function readSymbols(
  r: Reader,
  is64: boolean,
  s: ElfSection,
  sections: ElfSection[],
  out: ElfSymbol[],
  warnings: string[],
): void {
  const table = s.type === SHT_SYMTAB ? '.symtab' : '.dynsym';
  const where = `${s.name || table} (section ${s.index}, header at ${hex(s.at)})`;
  const entMin = is64 ? 24 : 16;
  const ent = s.entsize === 0n ? BigInt(entMin) : s.entsize;
  if (ent < BigInt(entMin) || ent > 0x10000n) {
    warnings.push(`sh_entsize of ${where} is ${hex(s.entsize)}: a symbol is ${entMin} bytes; symbols ignored`);
    return;
  }
  if (!inFile(s.offset, s.size, r.size)) {
    warnings.push(`sh_offset/sh_size of ${where}: ${hex(s.offset)} + ${hex(s.size)} is beyond the end of the file (${hex(r.size)} bytes); symbols ignored`);
    return;
  }
  const strSec = sections[s.link];
  const t = strSec ? stringTable(strSec, r.size) : `there is no section ${s.link}`;
  if (typeof t === 'string') {
    warnings.push(`sh_link of ${where} is ${s.link}: ${t}; symbols ignored`);
    return;
  }
  const count = Number(s.size / ent);
  let badNames = 0;
  for (let i = 1; i < count; i++) {
    const at = Number(s.offset) + i * Number(ent);
    const nameOff = r.u32(at, 'st_name');
    let value: bigint, size: bigint, info: number, other: number, shndx: number;
    if (is64) {
      info = r.u8(at + 4, 'st_info');
      other = r.u8(at + 5, 'st_other');
      shndx = r.u16(at + 6, 'st_shndx');
      value = r.u64(at + 8, 'st_value');
      size = r.u64(at + 16, 'st_size');
    } else {
      value = BigInt(r.u32(at + 4, 'st_value'));
      size = BigInt(r.u32(at + 8, 'st_size'));
      info = r.u8(at + 12, 'st_info');
      other = r.u8(at + 13, 'st_other');
      shndx = r.u16(at + 14, 'st_shndx');
    }
    let name = nameOff === 0 ? '' : cString(r.bytes, t[0], t[1], t[0] + nameOff);
    if (name === null) {
      if (badNames++ === 0)
        warnings.push(`st_name of symbol ${i} in ${where} (at ${hex(at)}) is ${hex(nameOff)}: outside its string table`);
      name = '';
    }
    out.push({ name, value, size, type: info & 0xf, bind: info >> 4, other, shndx, table });
  }
  if (badNames > 1) warnings.push(`${badNames} symbols in ${where} have names outside their string table`);
}

const SYM_TYPES: SymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYM_BINDS: SymbolBind[] = ['local', 'global', 'weak'];

/**
 * The symbols a debugger wants: from .symtab (or .dynsym when there is no .symtab), named,
 * defined (not SHN_UNDEF), not section or file symbols; sorted by value, then name.
 */
export function bootSymbols(elf: ElfFile): BootSymbol[] {
  const hasSymtab = elf.symbols.some((s) => s.table === '.symtab');
  const out: BootSymbol[] = [];
  for (const s of elf.symbols) {
    if (s.table !== (hasSymtab ? '.symtab' : '.dynsym')) continue;
    if (s.name === '' || s.shndx === SHN_UNDEF || s.type === 3 || s.type === 4) continue;
    let section = '';
    if (s.shndx === SHN_ABS) section = '*ABS*';
    else if (s.shndx === SHN_COMMON) section = '*COM*';
    else if (s.shndx < SHN_LORESERVE) section = elf.sections[s.shndx]?.name ?? '';
    out.push({
      name: s.name,
      value: s.value,
      size: s.size,
      type: SYM_TYPES[s.type] ?? 'other',
      bind: SYM_BINDS[s.bind] ?? 'other',
      section,
    });
  }
  out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** Value of the first defined symbol with this name (.symtab first), or null. */
export function findSymbol(elf: ElfFile, name: string): bigint | null {
  for (const table of ['.symtab', '.dynsym'] as const) {
    const s = elf.symbols.find((x) => x.table === table && x.name === name && x.shndx !== SHN_UNDEF);
    if (s) return s.value;
  }
  return null;
}
