// Multiboot 1, as QEMU 7.2's `-kernel` does it (measured with scripts/boot/probe/, transcript in
// test/fixtures/boot/qemu-mbinfo.txt): find the header, load the kernel (ELF32 by physical
// addresses, ELF64 the same way as GRUB 2 does, or any file through the a.out kludge), place the
// command line and modules after the kernel, build the information structure and memory map, and
// describe the 32-bit protected-mode entry state. See README.md.

import {
  bootSymbols,
  elfTypeName,
  EM_386,
  EM_X86_64,
  ET_DYN,
  ET_EXEC,
  inFile,
  isElf,
  parseElf,
  PT_LOAD,
  type ElfFile,
} from './elf';
import {
  hex,
  type BootModule,
  type BootPlan,
  type BootResult,
  type MemoryRange,
  type MemWrite,
  type MemZero,
  type SegmentState,
} from './plan';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
/** EAX at entry. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie in the first 8 KiB of the file. */
export const MULTIBOOT_SEARCH = 8192;
/** QEMU looks for the magic only below this offset (it reads 8 KiB and stops 48 bytes short). */
export const QEMU_MULTIBOOT_SEARCH = 8192 - 48;

export const MB_FLAG_PAGE_ALIGN = 1 << 0;
export const MB_FLAG_MEMORY_INFO = 1 << 1;
export const MB_FLAG_VIDEO = 1 << 2;
export const MB_FLAG_AOUT_KLUDGE = 1 << 16;
/** Bits 3-15: requirements Multiboot 1 does not define (GRUB refuses them, QEMU ignores them). */
const MB_FLAGS_UNDEFINED_REQUIRED = 0xfff8;

// ---- where QEMU 7.2 puts things (probe: every variant) ----------------------------------------
/** The e820 map is written here, the information structure 0x500 bytes higher. */
export const QEMU_MMAP_ADDR = 0x9000;
export const QEMU_MBI_ADDR = 0x9500;
/** Bytes of the information structure written (up to the VBE fields). */
export const MBI_SIZE = 88;
/** The option ROM's GDT, in the ROM at 0xC0000+: null, 0x08 code32, 0x10 data32, 0x18 code16, 0x20 data16. */
export const QEMU_GDT_ADDR = 0xcb2b8;
export const QEMU_GDT: readonly bigint[] = [
  0n,
  0x00cf9a000000ffffn,
  0x00cf93000000ffffn,
  0x00009e000000ffffn,
  0x000092000000ffffn,
];
/** ESP and EFLAGS the option ROM leaves. */
export const QEMU_ENTRY_ESP = 0x6f08;
export const QEMU_ENTRY_EFLAGS = 0x6;
export const QEMU_BOOT_DEVICE = 0x8000ffff;
export const QEMU_BOOT_LOADER_NAME = 'qemu';
/** mbi.flags: MEMORY, BOOTDEV, CMDLINE, MODS, MMAP, LOADER_NAME (set even with no modules). */
export const QEMU_MBI_FLAGS = 0x24f;
/** The ISA "hole": VGA memory and BIOS ROMs, not RAM on a PC. */
const LEGACY_START = 0xa0000;
const LEGACY_END = 0x100000;
const PAGE = 4096;

export interface AoutKludge {
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

export interface VideoRequest {
  modeType: number;
  width: number;
  height: number;
  depth: number;
}

export interface MultibootHeader {
  /** File offset of the magic. */
  offset: number;
  flags: number;
  checksum: number;
  /** The address fields (flag bit 16). */
  aout?: AoutKludge;
  /** The video fields (flag bit 2), when the file holds them. */
  video?: VideoRequest;
}

export interface HeaderSearch {
  header: MultibootHeader | null;
  /** Why magic values that were found are not a header (bad checksum, truncated). */
  rejected: string[];
}

function u32(bytes: Uint8Array, off: number): number {
  return (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
}

/** Find the multiboot 1 header: the magic at a 4-byte aligned offset in the first 8 KiB, checksum 0. */
export function findMultibootHeader(bytes: Uint8Array): HeaderSearch {
  const rejected: string[] = [];
  const limit = Math.min(bytes.length, MULTIBOOT_SEARCH);
  for (let off = 0; off + 12 <= limit; off += 4) {
    if (u32(bytes, off) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = u32(bytes, off + 4);
    const checksum = u32(bytes, off + 8);
    const sum = (MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0;
    if (sum !== 0) {
      rejected.push(
        `multiboot magic at offset ${hex(off)} has a bad checksum: magic + flags ${hex(flags)} + checksum ${hex(checksum)} = ${hex(sum)}, not 0`,
      );
      continue;
    }
    const header: MultibootHeader = { offset: off, flags, checksum };
    if (flags & MB_FLAG_AOUT_KLUDGE) {
      if (off + 32 > limit) {
        rejected.push(
          `multiboot header at offset ${hex(off)} sets flag bit 16 (a.out kludge) but its address fields (offsets 12-31 of the header) are beyond ${bytes.length < MULTIBOOT_SEARCH ? 'the end of the file' : 'the first 8 KiB'}`,
        );
        continue;
      }
      header.aout = {
        headerAddr: u32(bytes, off + 12),
        loadAddr: u32(bytes, off + 16),
        loadEndAddr: u32(bytes, off + 20),
        bssEndAddr: u32(bytes, off + 24),
        entryAddr: u32(bytes, off + 28),
      };
    }
    if (flags & MB_FLAG_VIDEO && off + 48 <= bytes.length) {
      header.video = {
        modeType: u32(bytes, off + 32),
        width: u32(bytes, off + 36),
        height: u32(bytes, off + 40),
        depth: u32(bytes, off + 44),
      };
    }
    return { header, rejected };
  }
  return { header: null, rejected };
}

/** The command line QEMU gives a multiboot kernel: the -kernel argument as typed, a space, -append. */
export function qemuCommandLine(kernelPath: string, append = ''): string {
  return `${kernelPath} ${append}`;
}

/** RAM below 4 GiB on QEMU's `pc` machine: all of it, or 3 GiB when there are 3.5 GiB or more. */
export function qemuLowRam(memoryBytes: number): number {
  return memoryBytes >= 0xe0000000 ? 0xc0000000 : memoryBytes;
}

/**
 * The e820 map SeaBIOS reports on QEMU 7.2 (`pc`, default CPU) for a RAM size, which QEMU's
 * multiboot loader passes on: conventional RAM up to the EBDA, the EBDA and BIOS reserved, RAM from
 * 1 MiB to 128 KiB below the top of low RAM (SeaBIOS keeps the rest), the BIOS flash, RAM above
 * 4 GiB if any, and the AMD HyperTransport hole QEMU reserves for AMD CPUs (qemu64 is one).
 * Checked against the probe for 2 MiB to 4 GiB.
 */
export function qemuMemoryMap(memoryBytes: number): MemoryRange[] {
  const low = qemuLowRam(memoryBytes);
  const above = memoryBytes - low;
  const map: MemoryRange[] = [
    { base: 0n, length: 0x9fc00n, type: 1 },
    { base: 0x9fc00n, length: 0x400n, type: 2 },
    { base: 0xf0000n, length: 0x10000n, type: 2 },
    { base: 0x100000n, length: BigInt(low - 0x20000 - 0x100000), type: 1 },
    { base: BigInt(low - 0x20000), length: 0x20000n, type: 2 },
    { base: 0xfffc0000n, length: 0x40000n, type: 2 },
  ];
  if (above > 0) map.push({ base: 0x100000000n, length: BigInt(above), type: 1 });
  map.push({ base: 0xfd00000000n, length: 0x300000000n, type: 2 });
  return map;
}

/** mem_lower / mem_upper (KiB): the RAM below the EBDA, and the e820 RAM range at 1 MiB. */
export function qemuMemInfo(memoryBytes: number): { lower: number; upper: number } {
  return { lower: 0x9fc00 / 1024, upper: (qemuLowRam(memoryBytes) - 0x20000 - 0x100000) / 1024 };
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const bswap32 = (v: number) =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0;

function le32(view: DataView, off: number, v: number): void {
  view.setUint32(off, v >>> 0, true);
}

/** The 32-bit protected-mode segment state QEMU's option ROM hands over (cached parts). */
export function qemuProtectedSegments(): BootPlan['segments'] {
  const data = (): SegmentState => ({ selector: 0x10, base: 0, limit: 0xffffffff, attributes: 0xc093 });
  return {
    cs: { selector: 0x08, base: 0, limit: 0xffffffff, attributes: 0xc09b },
    ds: data(),
    es: data(),
    fs: data(),
    gs: data(),
    ss: data(),
  };
}

interface Piece {
  /** Physical address and size in memory. */
  addr: number;
  memsz: number;
  /** Bytes from the file (filesz <= memsz); the rest is zeroed. */
  fileOffset: number;
  filesz: number;
  what: string;
}

interface Loaded {
  pieces: Piece[];
  entry: number;
  /** Lowest load address and the image size QEMU uses to place what follows the kernel. */
  low: number;
  size: number;
  loadedBy: 'elf' | 'aout';
}

type Fail = { error: string };
const fail = (error: string): Fail => ({ error });

/** Load by the a.out kludge fields (header flag bit 16). */
function loadAout(bytes: Uint8Array, h: MultibootHeader, k: AoutKludge): Loaded | Fail {
  const f = (field: string, delta: number) => `${field} (header offset ${hex(h.offset + delta)})`;
  if (k.headerAddr < k.loadAddr)
    return fail(`a.out kludge: ${f('header_addr', 12)} ${hex(k.headerAddr)} is below ${f('load_addr', 16)} ${hex(k.loadAddr)}`);
  const loadOffset = h.offset - (k.headerAddr - k.loadAddr);
  if (loadOffset < 0)
    return fail(
      `a.out kludge: ${f('header_addr', 12)} ${hex(k.headerAddr)} - ${f('load_addr', 16)} ${hex(k.loadAddr)} = ${hex(k.headerAddr - k.loadAddr)} is more than the header's file offset ${hex(h.offset)}: the image would start before the file`,
    );
  let loadSize: number;
  if (k.loadEndAddr === 0) loadSize = bytes.length - loadOffset;
  else {
    if (k.loadEndAddr < k.loadAddr)
      return fail(`a.out kludge: ${f('load_end_addr', 20)} ${hex(k.loadEndAddr)} is below load_addr ${hex(k.loadAddr)}`);
    loadSize = k.loadEndAddr - k.loadAddr;
    if (loadOffset + loadSize > bytes.length)
      return fail(
        `a.out kludge: ${f('load_end_addr', 20)} ${hex(k.loadEndAddr)} asks for ${hex(loadSize)} bytes from file offset ${hex(loadOffset)}, but the file has ${hex(bytes.length)} bytes`,
      );
  }
  const loadEnd = k.loadAddr + loadSize;
  let memEnd = loadEnd;
  if (k.bssEndAddr !== 0) {
    if (k.bssEndAddr < loadEnd)
      return fail(`a.out kludge: ${f('bss_end_addr', 24)} ${hex(k.bssEndAddr)} is below the end of the loaded image ${hex(loadEnd)}`);
    memEnd = k.bssEndAddr;
  }
  if (memEnd > 0x100000000) return fail(`a.out kludge: the image ${hex(k.loadAddr)}-${hex(memEnd)} goes beyond 4 GiB`);
  if (k.entryAddr < k.loadAddr || k.entryAddr >= loadEnd)
    return fail(`a.out kludge: ${f('entry_addr', 28)} ${hex(k.entryAddr)} is outside the loaded image ${hex(k.loadAddr)}-${hex(loadEnd)}`);
  return {
    pieces: [{ addr: k.loadAddr, memsz: memEnd - k.loadAddr, fileOffset: loadOffset, filesz: loadSize, what: 'kernel image (a.out kludge)' }],
    entry: k.entryAddr,
    low: k.loadAddr,
    size: memEnd - k.loadAddr,
    loadedBy: 'aout',
  };
}

/**
 * PT_LOAD segments at their physical addresses (p_paddr). The entry point: e_entry, translated to
 * a physical address through the segment whose virtual range holds it (QEMU and GRUB do this for
 * a higher-half kernel); else e_entry itself if a segment's physical range holds it.
 */
export function loadElfSegments(
  elf: ElfFile,
  fileSize: number,
  limit: bigint,
  limitWhat: string,
): { pieces: Piece[]; entry: bigint; entryTranslated: boolean; entryInBss: boolean } | Fail {
  const pieces: Piece[] = [];
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n);
  if (loads.length === 0) return fail('the ELF file has no PT_LOAD segment with a size: nothing to load');
  for (const p of loads) {
    const where = `program header ${p.index} (at file offset ${hex(p.at)})`;
    if (p.filesz > p.memsz) return fail(`${where}: p_filesz ${hex(p.filesz)} is larger than p_memsz ${hex(p.memsz)}`);
    if (!inFile(p.offset, p.filesz, fileSize))
      return fail(`${where}: p_offset ${hex(p.offset)} + p_filesz ${hex(p.filesz)} is beyond the end of the file (${hex(fileSize)} bytes)`);
    if (p.paddr + p.memsz > limit)
      return fail(`${where}: p_paddr ${hex(p.paddr)} + p_memsz ${hex(p.memsz)} ends beyond ${limitWhat}`);
    pieces.push({
      addr: Number(p.paddr),
      memsz: Number(p.memsz),
      fileOffset: Number(p.offset),
      filesz: Number(p.filesz),
      what: `segment ${p.index}`,
    });
  }
  const sorted = [...pieces].sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    if (b.addr < a.addr + a.memsz)
      return fail(`${a.what} (${hex(a.addr)}-${hex(a.addr + a.memsz)}) and ${b.what} (${hex(b.addr)}-${hex(b.addr + b.memsz)}) overlap in physical memory`);
  }
  const e = elf.header.entry;
  let entry: bigint | null = null;
  let translated = false;
  let seg = loads.find((p) => e >= p.vaddr && e < p.vaddr + p.memsz);
  if (seg) {
    entry = e - seg.vaddr + seg.paddr;
    translated = seg.vaddr !== seg.paddr;
  } else {
    seg = loads.find((p) => e >= p.paddr && e < p.paddr + p.memsz);
    if (seg) entry = e;
  }
  if (entry === null || !seg)
    return fail(`e_entry (offset 0x18) ${hex(e)} is not inside any PT_LOAD segment (by virtual or physical address)`);
  return { pieces, entry, entryTranslated: translated, entryInBss: entry - seg.paddr >= seg.filesz };
}

function overlaps(a: number, aEnd: number, b: number, bEnd: number): boolean {
  return a < bEnd && b < aEnd;
}

const encoder = new TextEncoder();
function cstr(s: string): Uint8Array {
  const b = encoder.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export interface MultibootOptions {
  memoryBytes: number;
  cmdline: string;
  modules: BootModule[];
}

/** Plan a multiboot boot of `bytes`, whose header `h` was found by findMultibootHeader. */
export function planMultiboot(bytes: Uint8Array, h: MultibootHeader, opts: MultibootOptions): BootResult {
  const warnings: string[] = [];
  const { memoryBytes } = opts;
  if (memoryBytes < 2 * 1024 * 1024)
    return fail(`a multiboot kernel needs at least 2 MiB of RAM (the machine has ${hex(memoryBytes)} bytes)`);

  // ---- the header's flags
  if (h.offset >= QEMU_MULTIBOOT_SEARCH)
    warnings.push(
      `the multiboot header is at offset ${hex(h.offset)}: inside the 8 KiB the specification allows, but QEMU only searches below ${hex(QEMU_MULTIBOOT_SEARCH)} and would not find it`,
    );
  if (h.flags & MB_FLAG_VIDEO) {
    const v = h.video;
    warnings.push(
      `the kernel asks for a video mode (flag bit 2${v ? `: mode_type ${v.modeType}, ${v.width}x${v.height}x${v.depth}` : ''}); ignored: no framebuffer information is passed (QEMU: "multiboot knows VBE. we don't")`,
    );
  }
  if (h.flags & MB_FLAGS_UNDEFINED_REQUIRED)
    warnings.push(
      `header flags ${hex(h.flags & MB_FLAGS_UNDEFINED_REQUIRED)} are requirements Multiboot 1 does not define: ignored, as QEMU does (GRUB refuses such a kernel)`,
    );

  // ---- the kernel image
  let elf: ElfFile | null = null;
  if (isElf(bytes)) {
    const parsed = parseElf(bytes);
    if ('error' in parsed) {
      if (!h.aout) return fail(`multiboot kernel: bad ELF file: ${parsed.error}`);
      warnings.push(`the file looks like ELF but is not readable as one (${parsed.error}); loaded by the a.out kludge fields, no symbols`);
    } else {
      elf = parsed;
      for (const w of parsed.warnings) warnings.push(`ELF: ${w}`);
    }
  }
  let loaded: Loaded;
  if (h.aout) {
    const r = loadAout(bytes, h, h.aout);
    if ('error' in r) return r;
    loaded = r;
  } else {
    if (!elf)
      return fail(
        `multiboot header at offset ${hex(h.offset)} without the a.out kludge (flag bit 16) in a file that is not ELF: nothing says where to load it (QEMU: "Error while loading elf kernel")`,
      );
    const eh = elf.header;
    const want = eh.class === 32 ? EM_386 : EM_X86_64;
    if (eh.machine !== want)
      return fail(`e_machine (offset 0x12) is ${eh.machine}: an ELF${eh.class} x86 kernel has ${want} (${eh.class === 32 ? 'EM_386' : 'EM_X86_64'})`);
    if (eh.type !== ET_EXEC && eh.type !== ET_DYN)
      return fail(
        `e_type (offset 0x10) is ${elfTypeName(eh.type)}: ${eh.type === 1 ? 'a relocatable object file; link it into an executable first' : 'not an executable'}`,
      );
    if (eh.type === ET_DYN) warnings.push('the kernel is position-independent (ET_DYN): loaded at its link addresses, not relocated');
    if (eh.class === 64)
      warnings.push(
        'ELF64 multiboot kernel: loaded by physical addresses and entered in 32-bit protected mode, as GRUB 2 does (QEMU 7.2 refuses it: "Cannot load x86-64 image, give a 32bit one.")',
      );
    const r = loadElfSegments(elf, bytes.length, 0x100000000n, '4 GiB (a multiboot kernel is loaded in 32-bit physical memory)');
    if ('error' in r) return r;
    if (r.entryInBss) warnings.push(`the entry point ${hex(r.entry)} is in a segment's zero-filled part (.bss)`);
    const low = Math.min(...r.pieces.map((p) => p.addr));
    const high = Math.max(...r.pieces.map((p) => p.addr + p.memsz));
    loaded = { pieces: r.pieces, entry: Number(r.entry), low, size: high - low, loadedBy: 'elf' };
  }

  // ---- what follows the kernel (QEMU: at load address + the image size rounded up to a page,
  // relative to the load address, so not page-aligned when the load address is not)
  const modules = opts.modules;
  const bufferAddr = loaded.low + alignUp(loaded.size, PAGE);
  const modList = bufferAddr;
  let strAddr = modList + 16 * modules.length;
  const strings: { addr: number; bytes: Uint8Array }[] = [];
  const addString = (s: string): number => {
    const b = cstr(s);
    const at = strAddr;
    strings.push({ addr: at, bytes: b });
    strAddr += b.length;
    return at;
  };
  const modStrings = modules.map((m) => addString(m.name));
  if (opts.cmdline.includes('\0')) warnings.push('the command line contains a NUL character: the kernel sees it end there');
  const cmdlineAddr = addString(opts.cmdline);
  const nameAddr = addString(QEMU_BOOT_LOADER_NAME);
  let offset = strAddr - loaded.low;
  const placed = modules.map((m, i) => {
    const start = loaded.low + alignUp(offset, PAGE);
    offset = start - loaded.low + m.bytes.length;
    return { name: m.name, start, end: start + m.bytes.length, stringAddr: modStrings[i]!, bytes: m.bytes };
  });
  if (modules.length > 0 && h.flags & MB_FLAG_PAGE_ALIGN && loaded.low % PAGE !== 0)
    warnings.push(
      `the kernel asks for page-aligned modules (flag bit 0), but its load address ${hex(loaded.low)} is not page-aligned and QEMU aligns modules relative to it: they start at ${placed.map((p) => hex(p.start)).join(', ')}`,
    );
  const areaEnd = placed.length ? placed[placed.length - 1]!.end : strAddr;

  // ---- everything must be in RAM, and the kernel clear of the loader's own structures
  const ramTop = Math.min(memoryBytes, qemuLowRam(memoryBytes));
  const mmap = qemuMemoryMap(memoryBytes);
  const mmapBytes = 24 * mmap.length;
  const own = [
    { addr: QEMU_MMAP_ADDR, end: QEMU_MBI_ADDR + MBI_SIZE, what: `the multiboot information (memory map and structure, ${hex(QEMU_MMAP_ADDR)}-${hex(QEMU_MBI_ADDR + MBI_SIZE)})` },
    { addr: QEMU_GDT_ADDR, end: QEMU_GDT_ADDR + 8 * QEMU_GDT.length, what: `the loader's GDT (${hex(QEMU_GDT_ADDR)}-${hex(QEMU_GDT_ADDR + 8 * QEMU_GDT.length)})` },
  ];
  for (const p of loaded.pieces) {
    const end = p.addr + p.memsz;
    const range = `${p.what} (${hex(p.addr)}-${hex(end)})`;
    if (end > ramTop)
      return fail(`${range} ends beyond RAM (${memoryBytes / 1048576} MiB, RAM ends at ${hex(ramTop)}): give the machine more memory`);
    for (const o of own) if (overlaps(p.addr, end, o.addr, o.end)) return fail(`${range} overlaps ${o.what}`);
    if (overlaps(p.addr, end, LEGACY_START, LEGACY_END))
      warnings.push(`${range} lies in part in ${hex(LEGACY_START)}-${hex(LEGACY_END)}, VGA memory and BIOS ROM on a PC; KStack loads it into RAM there`);
    else
      for (const m of mmap)
        if (m.type !== 1 && overlaps(p.addr, end, Number(m.base), Number(m.base + m.length)))
          warnings.push(`${range} overlaps memory the memory map reserves (${hex(m.base)}-${hex(m.base + m.length)})`);
  }
  if (areaEnd > ramTop)
    return fail(
      `the command line${modules.length ? ' and modules' : ''} placed after the kernel (${hex(bufferAddr)}-${hex(areaEnd)}) end beyond RAM (${memoryBytes / 1048576} MiB): give the machine more memory`,
    );

  // ---- the writes
  const writes: MemWrite[] = [];
  const zero: MemZero[] = [];
  for (const p of loaded.pieces) {
    if (p.filesz > 0) writes.push({ addr: p.addr, bytes: bytes.subarray(p.fileOffset, p.fileOffset + p.filesz), what: p.what });
    if (p.memsz > p.filesz) zero.push({ addr: p.addr + p.filesz, size: p.memsz - p.filesz, what: `${p.what} (zero-filled)` });
  }
  const area = new Uint8Array(strAddr - modList);
  const av = new DataView(area.buffer);
  placed.forEach((m, i) => {
    le32(av, 16 * i, m.start);
    le32(av, 16 * i + 4, m.end);
    le32(av, 16 * i + 8, m.stringAddr);
  });
  for (const s of strings) area.set(s.bytes, s.addr - modList);
  writes.push({ addr: modList, bytes: area, what: 'multiboot module list and strings' });
  for (const m of placed) writes.push({ addr: m.start, bytes: m.bytes, what: `module ${JSON.stringify(m.name)}` });

  const mem = qemuMemInfo(memoryBytes);
  const mm = new Uint8Array(mmapBytes);
  const mv = new DataView(mm.buffer);
  mmap.forEach((e, i) => {
    le32(mv, 24 * i, 20);
    mv.setBigUint64(24 * i + 4, e.base, true);
    mv.setBigUint64(24 * i + 12, e.length, true);
    le32(mv, 24 * i + 20, e.type);
  });
  writes.push({ addr: QEMU_MMAP_ADDR, bytes: mm, what: 'multiboot memory map' });
  const mbi = new Uint8Array(MBI_SIZE);
  const iv = new DataView(mbi.buffer);
  le32(iv, 0, QEMU_MBI_FLAGS);
  le32(iv, 4, mem.lower);
  le32(iv, 8, mem.upper);
  le32(iv, 12, QEMU_BOOT_DEVICE);
  le32(iv, 16, cmdlineAddr);
  le32(iv, 20, modules.length);
  le32(iv, 24, modList);
  le32(iv, 44, mmapBytes);
  le32(iv, 48, QEMU_MMAP_ADDR);
  le32(iv, 64, nameAddr);
  writes.push({ addr: QEMU_MBI_ADDR, bytes: mbi, what: 'multiboot information' });
  const gdt = new Uint8Array(8 * QEMU_GDT.length);
  const gv = new DataView(gdt.buffer);
  QEMU_GDT.forEach((d, i) => gv.setBigUint64(8 * i, d, true));
  writes.push({ addr: QEMU_GDT_ADDR, bytes: gdt, what: "the loader's GDT" });

  return {
    kind: 'multiboot',
    mode: 'protected32',
    writes,
    zero,
    entry: BigInt(loaded.entry),
    regs: {
      eax: BigInt(MULTIBOOT_BOOTLOADER_MAGIC),
      ebx: BigInt(QEMU_MBI_ADDR),
      // what QEMU's option ROM leaves in the others (the probe; not part of Multiboot)
      ecx: BigInt(loaded.entry),
      edx: BigInt(((mem.upper & 0xffff0000) | 0x511) >>> 0),
      esi: 0n,
      edi: BigInt(bswap32(loaded.low)),
      ebp: 0n,
      esp: BigInt(QEMU_ENTRY_ESP),
      eflags: BigInt(QEMU_ENTRY_EFLAGS),
    },
    segments: qemuProtectedSegments(),
    gdt: { base: QEMU_GDT_ADDR, limit: 8 * QEMU_GDT.length - 1 },
    idt: { base: 0, limit: 0x3ff },
    control: { cr0: 0x11n, cr3: 0n, cr4: 0n, efer: 0n },
    memoryBytes,
    memoryMap: mmap,
    multiboot: {
      infoAddr: QEMU_MBI_ADDR,
      mmapAddr: QEMU_MMAP_ADDR,
      bufferAddr,
      cmdlineAddr,
      bootLoaderNameAddr: nameAddr,
      modules: placed.map(({ name, start, end, stringAddr }) => ({ name, start, end, stringAddr })),
      kernelStart: loaded.low,
      kernelEnd: loaded.low + loaded.size,
      memLower: mem.lower,
      memUpper: mem.upper,
      headerOffset: h.offset,
      headerFlags: h.flags,
      loadedBy: loaded.loadedBy,
    },
    symbols: elf ? bootSymbols(elf) : [],
    warnings,
  };
}
