// ELF relocatable objects: elf64 (x86-64, RELA) and elf32 (i386, REL), as GNU ld expects them,
// with .symtab/.strtab, one relocation section per section that needs it, and DWARF line
// information (.debug_line, with a compile unit in .debug_info/.debug_abbrev) so readelf, objdump
// and gdb map bytes back to source lines.

import type { Assembler, Section, Sym, Reloc } from '../assembler';
import { outermost } from '../diagnostics';
import { isSimple } from '../expr';

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHF_TLS = 0x400;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;

class Out {
  buf = new Uint8Array(1024);
  len = 0;
  private dv = new DataView(this.buf.buffer);
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.len, v, true);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
  }
  i64(v: bigint): void {
    this.u64(v);
  }
  bytes(b: ArrayLike<number>): void {
    this.ensure(b.length);
    this.buf.set(b as ArrayLike<number>, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    this.bytes(new TextEncoder().encode(s));
    this.u8(0);
  }
  uleb(v: number | bigint): void {
    let x = BigInt(v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.u8(b);
    } while (x !== 0n);
  }
  sleb(v: number | bigint): void {
    let x = BigInt(v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.u8(done ? b : b | 0x80);
      if (done) break;
    }
  }
  align(a: number): void {
    while (this.len % a) this.u8(0);
  }
  setU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  data(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

class StrTab {
  out = new Out();
  private map = new Map<string, number>();
  constructor() {
    this.out.u8(0);
    this.map.set('', 0);
  }
  add(s: string): number {
    const got = this.map.get(s);
    if (got !== undefined) return got;
    const at = this.out.len;
    this.out.str(s);
    this.map.set(s, at);
    return at;
  }
}

interface OutSection {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number; // for NOBITS
  align: number;
  link: number;
  info: number;
  entsize: number;
}

interface DebugReloc {
  offset: number;
  size: 4 | 8;
  /** Section index (in `secs` of the assembler) or a debug section name. */
  target: { sec: number } | { debug: string };
  addend: bigint;
}

export function writeElf(asm: Assembler, cls: 64 | 32, debug: boolean): Uint8Array {
  const is64 = cls === 64;
  const secs = asm.sections.filter((s) => s.declared || s.size > 0 || s.order !== Infinity).sort((a, b) => a.order - b.order || a.index - b.index);
  const shstr = new StrTab();
  const str = new StrTab();
  const out: OutSection[] = [{ name: '', type: 0, flags: 0, data: new Uint8Array(0), size: 0, align: 0, link: 0, info: 0, entsize: 0 }];
  const outIndexOf = new Map<number, number>(); // assembler section index -> ELF section index
  for (const s of secs) {
    const a = s.attrs;
    let flags = 0;
    if (a.alloc) flags |= SHF_ALLOC;
    if (a.write) flags |= SHF_WRITE;
    if (a.exec) flags |= SHF_EXECINSTR;
    if (a.tls) flags |= SHF_TLS;
    outIndexOf.set(s.index, out.length);
    out.push({
      name: s.name,
      type: a.nobits ? SHT_NOBITS : SHT_PROGBITS,
      flags,
      data: a.nobits ? new Uint8Array(0) : s.data.buf.slice(0, s.size),
      size: s.size,
      align: Math.max(a.align || 1, s.sectAlign || 1),
      link: 0,
      info: 0,
      entsize: 0,
    });
  }

  // debug sections
  const dbg = debug ? buildDwarf(asm, secs, is64) : null;
  const debugIndex = new Map<string, number>();
  if (dbg) {
    for (const [name, data] of [
      ['.debug_abbrev', dbg.abbrev],
      ['.debug_info', dbg.info],
      ['.debug_line', dbg.line],
    ] as const) {
      debugIndex.set(name, out.length);
      out.push({ name, type: SHT_PROGBITS, flags: 0, data, size: data.length, align: 1, link: 0, info: 0, entsize: 0 });
    }
  }

  // symbols
  interface ElfSym {
    name: number;
    value: bigint;
    size: bigint;
    info: number;
    shndx: number;
  }
  const locals: ElfSym[] = [];
  const globals: ElfSym[] = [];
  locals.push({ name: 0, value: 0n, size: 0n, info: 0, shndx: 0 });
  locals.push({ name: str.add(asm.source.path.replace(/^.*[\\/]/, '')), value: 0n, size: 0n, info: (STB_LOCAL << 4) | STT_FILE, shndx: SHN_ABS });
  const sectionSym = new Map<number, number>(); // ELF section index -> symbol index
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.type === SHT_PROGBITS || out[i]!.type === SHT_NOBITS) {
      sectionSym.set(i, locals.length);
      locals.push({ name: 0, value: 0n, size: 0n, info: (STB_LOCAL << 4) | STT_SECTION, shndx: i });
    }
  }
  const symIndexByName = new Map<string, { list: 'l' | 'g'; i: number }>();
  const ordered = [...asm.symbols.values()].filter((s) => s.pass === asm.pass || s.kind === 'extern' || s.kind === 'common');
  for (const s of ordered) {
    const e = elfSymbol(asm, s, outIndexOf, str);
    if (!e) continue;
    const isGlobal = s.global || s.kind === 'extern' || s.kind === 'common';
    if (s.kind === 'extern' && !asm.referencedExterns.has(s.name) && !s.global) continue; // unused extern: NASM omits it
    if (isGlobal) {
      symIndexByName.set(s.name, { list: 'g', i: globals.length });
      globals.push(e);
    } else {
      symIndexByName.set(s.name, { list: 'l', i: locals.length });
      locals.push(e);
    }
  }
  const symIndex = (name: string): number => {
    const r = symIndexByName.get(name);
    if (!r) return 0;
    return r.list === 'l' ? r.i : locals.length + r.i;
  };

  // relocation sections
  const relSections: OutSection[] = [];
  const symtabIndexPlaceholder = -1;
  for (const s of secs) {
    if (!s.relocs.length) continue;
    const target = outIndexOf.get(s.index)!;
    const o = new Out();
    for (const r of s.relocs) {
      let sym: number;
      if (r.target.startsWith('s:')) {
        const ei = outIndexOf.get(Number(r.target.slice(2)));
        sym = ei !== undefined ? sectionSym.get(ei) ?? 0 : 0;
      } else sym = symIndex(r.target.slice(2));
      const type = relocType(is64, r);
      if (type < 0) {
        asm.diag.error(`cannot express this reference as an ${is64 ? 'elf64' : 'elf32'} relocation`, r.loc);
        continue;
      }
      writeRel(o, is64, r.offset, sym, type, r.addend);
    }
    relSections.push({
      name: (is64 ? '.rela' : '.rel') + s.name,
      type: is64 ? SHT_RELA : SHT_REL,
      flags: 0,
      data: o.data(),
      size: o.len,
      align: is64 ? 8 : 4,
      link: symtabIndexPlaceholder,
      info: target,
      entsize: is64 ? 24 : 8,
    });
  }
  if (dbg) {
    for (const [name, relocs] of [
      ['.debug_info', dbg.infoRelocs],
      ['.debug_line', dbg.lineRelocs],
    ] as const) {
      if (!relocs.length) continue;
      const o = new Out();
      for (const r of relocs) {
        let sym: number;
        if ('sec' in r.target) sym = sectionSym.get(outIndexOf.get(r.target.sec)!) ?? 0;
        else sym = sectionSym.get(debugIndex.get(r.target.debug)!) ?? 0;
        const type = is64 ? (r.size === 8 ? 1 : 10) : 1;
        writeRel(o, is64, r.offset, sym, type, r.addend);
      }
      relSections.push({
        name: (is64 ? '.rela' : '.rel') + name,
        type: is64 ? SHT_RELA : SHT_REL,
        flags: 0,
        data: o.data(),
        size: o.len,
        align: is64 ? 8 : 4,
        link: symtabIndexPlaceholder,
        info: debugIndex.get(name)!,
        entsize: is64 ? 24 : 8,
      });
    }
    // REL (elf32) keeps addends in the data: patch them in
    if (!is64) {
      for (const [name, relocs] of [
        ['.debug_info', dbg.infoRelocs],
        ['.debug_line', dbg.lineRelocs],
      ] as const) {
        const sec = out[debugIndex.get(name)!]!;
        const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.length);
        for (const r of relocs) dv.setUint32(r.offset, Number(BigInt.asUintN(32, r.addend)), true);
      }
    }
  }
  for (const r of relSections) out.push(r);

  // symtab, strtab, shstrtab
  const symtabIndex = out.length;
  const strtabIndex = symtabIndex + 1;
  const shstrtabIndex = symtabIndex + 2;
  for (const r of relSections) r.link = symtabIndex;
  const so = new Out();
  for (const e of [...locals, ...globals]) {
    if (is64) {
      so.u32(e.name);
      so.u8(e.info);
      so.u8(0);
      so.u16(e.shndx);
      so.u64(e.value);
      so.u64(e.size);
    } else {
      so.u32(e.name);
      so.u32(Number(BigInt.asUintN(32, e.value)));
      so.u32(Number(BigInt.asUintN(32, e.size)));
      so.u8(e.info);
      so.u8(0);
      so.u16(e.shndx);
    }
  }
  out.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: so.data(), size: so.len, align: is64 ? 8 : 4, link: strtabIndex, info: locals.length, entsize: is64 ? 24 : 16 });
  out.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: str.out.data(), size: str.out.len, align: 1, link: 0, info: 0, entsize: 0 });
  const names = out.map((s) => shstr.add(s.name));
  const shstrName = shstr.add('.shstrtab');
  out.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, data: shstr.out.data(), size: shstr.out.len, align: 1, link: 0, info: 0, entsize: 0 });
  names.push(shstrName);

  // file layout: header, section data, section headers
  const f = new Out();
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  f.bytes(new Uint8Array(ehsize));
  const offsets: number[] = [];
  for (const s of out) {
    if (s.type === 0 || s.type === SHT_NOBITS) {
      offsets.push(s.type === 0 ? 0 : f.len);
      continue;
    }
    f.align(Math.max(1, Math.min(s.align, 16)));
    offsets.push(f.len);
    f.bytes(s.data);
  }
  f.align(is64 ? 8 : 4);
  const shoff = f.len;
  out.forEach((s, i) => {
    const size = s.type === SHT_NOBITS ? s.size : s.data.length;
    if (is64) {
      f.u32(names[i]!);
      f.u32(s.type);
      f.u64(BigInt(s.flags));
      f.u64(0n);
      f.u64(BigInt(offsets[i]!));
      f.u64(BigInt(size));
      f.u32(s.link);
      f.u32(s.info);
      f.u64(BigInt(s.align));
      f.u64(BigInt(s.entsize));
    } else {
      f.u32(names[i]!);
      f.u32(s.type);
      f.u32(s.flags);
      f.u32(0);
      f.u32(offsets[i]!);
      f.u32(size);
      f.u32(s.link);
      f.u32(s.info);
      f.u32(s.align);
      f.u32(s.entsize);
    }
  });
  const file = f.data();
  // ELF header
  const h = new Out();
  h.bytes([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  h.u16(1); // ET_REL
  h.u16(is64 ? 62 : 3);
  h.u32(1);
  if (is64) {
    h.u64(0n);
    h.u64(0n);
    h.u64(BigInt(shoff));
  } else {
    h.u32(0);
    h.u32(0);
    h.u32(shoff);
  }
  h.u32(0); // flags
  h.u16(ehsize);
  h.u16(0);
  h.u16(0);
  h.u16(shentsize);
  h.u16(out.length);
  h.u16(shstrtabIndex);
  file.set(h.data(), 0);
  return file;
}

function writeRel(o: Out, is64: boolean, offset: number, sym: number, type: number, addend: bigint): void {
  if (is64) {
    o.u64(BigInt(offset));
    o.u64((BigInt(sym) << 32n) | BigInt(type));
    o.i64(addend);
  } else {
    o.u32(offset);
    o.u32(((sym << 8) | type) >>> 0);
  }
}

function relocType(is64: boolean, r: Reloc): number {
  const wrt = r.wrt?.toLowerCase();
  if (is64) {
    switch (r.size) {
      case 8:
        return r.pcRel ? 24 : 1;
      case 4:
        if (wrt === '..plt') return 4;
        if (wrt === '..gotpcrel') return 9;
        if (r.pcRel) return 2;
        return r.signed ? 11 : 10;
      case 2:
        return r.pcRel ? 13 : 12;
      case 1:
        return r.pcRel ? 15 : 14;
    }
    return -1;
  }
  switch (r.size) {
    case 4:
      if (wrt === '..plt') return 4;
      if (wrt === '..got') return 3;
      if (wrt === '..gotoff') return 9;
      return r.pcRel ? 2 : 1;
    case 2:
      return r.pcRel ? 21 : 20;
    case 1:
      return r.pcRel ? 23 : 22;
  }
  return -1;
}

function elfSymbol(
  asm: Assembler,
  s: Sym,
  outIndexOf: Map<number, number>,
  str: StrTab,
): { name: number; value: bigint; size: bigint; info: number; shndx: number } | undefined {
  const bind = s.global || s.kind === 'extern' || s.kind === 'common' ? STB_GLOBAL : STB_LOCAL;
  let type = STT_NOTYPE;
  if (s.globalType === 'function') type = STT_FUNC;
  else if (s.globalType === 'data' || s.globalType === 'object') type = STT_OBJECT;
  let size = 0n;
  if (s.globalSize) {
    const v = asm.evalSizeExpr(s.globalSize);
    if (v !== undefined) size = v;
  }
  if (s.kind === 'extern') return { name: str.add(s.name), value: 0n, size: 0n, info: (STB_GLOBAL << 4) | STT_NOTYPE, shndx: 0 };
  if (s.kind === 'common')
    return { name: str.add(s.name), value: s.commonAlign ?? 4n, size: s.commonSize ?? 0n, info: (STB_GLOBAL << 4) | STT_OBJECT, shndx: SHN_COMMON };
  if (s.val) {
    if (isSimple(s.val)) return { name: str.add(s.name), value: s.val.n, size, info: (bind << 4) | type, shndx: SHN_ABS };
    return undefined; // an equ of an expression over other symbols: not representable
  }
  if (s.sec < 0) return { name: str.add(s.name), value: s.off, size, info: (bind << 4) | type, shndx: SHN_ABS };
  const idx = outIndexOf.get(s.sec);
  if (idx === undefined) return undefined;
  return { name: str.add(s.name), value: s.off, size, info: (bind << 4) | type, shndx: idx };
}

// ---------------------------------------------------------------------------------------------
// DWARF (version 3): one compile unit, a line table with one sequence per code section.

function buildDwarf(
  asm: Assembler,
  secs: Section[],
  is64: boolean,
): { abbrev: Uint8Array; info: Uint8Array; line: Uint8Array; infoRelocs: DebugReloc[]; lineRelocs: DebugReloc[] } {
  const addrSize = is64 ? 8 : 4;
  const files: string[] = [];
  const fileIndex = (f: string): number => {
    let i = files.indexOf(f);
    if (i < 0) {
      files.push(f);
      i = files.length - 1;
    }
    return i + 1;
  };
  fileIndex(asm.source.path);
  const seqs: { sec: Section; rows: { off: number; file: number; line: number }[] }[] = [];
  for (const s of secs) {
    if (s.attrs.nobits || !s.lines.length) continue;
    const rows = s.lines
      .slice()
      .sort((a, b) => a.off - b.off)
      .map((l) => {
        const o = outermost(l.loc);
        return { off: l.off, file: fileIndex(o.loc.file), line: o.loc.line };
      });
    seqs.push({ sec: s, rows });
  }

  // .debug_line
  const L = new Out();
  const lineRelocs: DebugReloc[] = [];
  L.u32(0); // unit_length, patched
  L.u16(3);
  L.u32(0); // header_length, patched
  const hdrStart = L.len;
  L.u8(1); // minimum_instruction_length
  L.u8(1); // default_is_stmt
  L.u8(0xfb); // line_base -5
  L.u8(14); // line_range
  L.u8(13); // opcode_base
  L.bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
  L.u8(0); // no include directories
  for (const f of files) {
    L.str(f);
    L.uleb(0);
    L.uleb(0);
    L.uleb(0);
  }
  L.u8(0);
  L.setU32(6, L.len - hdrStart);
  for (const seq of seqs) {
    // DW_LNE_set_address
    L.u8(0);
    L.uleb(1 + addrSize);
    L.u8(2);
    lineRelocs.push({ offset: L.len, size: addrSize as 4 | 8, target: { sec: seq.sec.index }, addend: 0n });
    if (is64) L.u64(0n);
    else L.u32(0);
    let addr = 0;
    let line = 1;
    let file = 1;
    for (const r of seq.rows) {
      if (r.file !== file) {
        L.u8(4); // DW_LNS_set_file
        L.uleb(r.file);
        file = r.file;
      }
      if (r.off !== addr) {
        L.u8(2); // DW_LNS_advance_pc
        L.uleb(r.off - addr);
        addr = r.off;
      }
      if (r.line !== line) {
        L.u8(3); // DW_LNS_advance_line
        L.sleb(r.line - line);
        line = r.line;
      }
      L.u8(1); // DW_LNS_copy
    }
    if (seq.sec.size > addr) {
      L.u8(2);
      L.uleb(seq.sec.size - addr);
    }
    L.u8(0);
    L.uleb(1);
    L.u8(1); // DW_LNE_end_sequence
  }
  L.setU32(0, L.len - 4);

  // .debug_abbrev: 1 = compile_unit (no children)
  const A = new Out();
  const text = seqs.find((s) => s.sec.attrs.exec) ?? seqs[0];
  A.uleb(1);
  A.uleb(0x11); // DW_TAG_compile_unit
  A.u8(0); // no children
  A.uleb(0x03); // DW_AT_name
  A.uleb(0x08); // DW_FORM_string
  A.uleb(0x25); // DW_AT_producer
  A.uleb(0x08);
  A.uleb(0x13); // DW_AT_language
  A.uleb(0x05); // DW_FORM_data2
  A.uleb(0x10); // DW_AT_stmt_list
  A.uleb(0x06); // DW_FORM_data4
  if (text) {
    A.uleb(0x11); // DW_AT_low_pc
    A.uleb(0x01); // DW_FORM_addr
    A.uleb(0x12); // DW_AT_high_pc
    A.uleb(0x01);
  }
  A.u8(0);
  A.u8(0);
  A.u8(0);

  // .debug_info
  const I = new Out();
  const infoRelocs: DebugReloc[] = [];
  I.u32(0);
  I.u16(3);
  infoRelocs.push({ offset: I.len, size: 4, target: { debug: '.debug_abbrev' }, addend: 0n });
  I.u32(0);
  I.u8(addrSize);
  I.uleb(1);
  I.str(asm.source.path);
  I.str('KStack assembler');
  I.u16(0x8001); // DW_LANG_Mips_Assembler
  infoRelocs.push({ offset: I.len, size: 4, target: { debug: '.debug_line' }, addend: 0n });
  I.u32(0);
  if (text) {
    infoRelocs.push({ offset: I.len, size: addrSize as 4 | 8, target: { sec: text.sec.index }, addend: 0n });
    if (is64) I.u64(0n);
    else I.u32(0);
    infoRelocs.push({ offset: I.len, size: addrSize as 4 | 8, target: { sec: text.sec.index }, addend: BigInt(text.sec.size) });
    if (is64) I.u64(0n);
    else I.u32(0);
  }
  I.setU32(0, I.len - 4);
  return { abbrev: A.data(), info: I.data(), line: L.data(), infoRelocs, lineRelocs };
}
