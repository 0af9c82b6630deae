// Direct 64-bit boots: an ELF64 without a multiboot header, and a flat binary. Both are entered in
// the state Cpu.reset64() builds (see README.md "The direct 64-bit entry state"): the loader only
// keeps the image out of the top of RAM, where reset64 puts its GDT, TSS and page tables.

import { bootSymbols, EM_X86_64, elfTypeName, ET_DYN, ET_EXEC, findSymbol, type ElfFile } from './elf';
import { loadElfSegments } from './multiboot';
import { hex, type BootPlan, type BootResult, type MemWrite, type MemZero } from './plan';

/** Where a flat binary is loaded (and entered) unless told otherwise. */
export const FLAT_DEFAULT_LOAD = 0x100000;
/** Cpu.reset64() uses the top 7 pages of RAM: GDT + TSS, PML4, PDPT, 4 page directories. */
export const RESET64_RESERVED = 7 * 4096;
/** Warn when the image ends closer than this below the initial RSP. */
const STACK_HEADROOM = 64 * 1024;

// The state Cpu.reset64() sets (emulator/cpu/cpu.ts; checked by apply.test.ts).
const CR0_64 = 0x80010033n; // PG WP NE ET MP PE
const CR4_64 = 0x6a0n; // OSXMMEXCPT OSFXSR PGE PAE
const EFER_64 = 0xd01n; // NXE LMA LME SCE

/** The plan fields every direct 64-bit boot shares, for a RAM size. */
export function long64State(memoryBytes: number): Pick<
  BootPlan,
  'mode' | 'regs' | 'segments' | 'gdt' | 'idt' | 'control' | 'reset' | 'reservedTop' | 'memoryBytes' | 'memoryMap'
> {
  const tables = memoryBytes - RESET64_RESERVED;
  const data = (selector: number) => ({ selector, base: 0, limit: 0xffffffff, attributes: 0xc093 });
  return {
    mode: 'long64',
    regs: { rsp: BigInt(tables), rflags: 0x2n },
    segments: {
      cs: { selector: 0x08, base: 0, limit: 0xffffffff, attributes: 0xa09b },
      ds: data(0x10),
      es: data(0x10),
      ss: data(0x10),
      fs: data(0),
      gs: data(0),
    },
    gdt: { base: tables, limit: 0x27 },
    idt: { base: 0, limit: 0 },
    control: { cr0: CR0_64, cr3: BigInt(tables + 0x1000), cr4: CR4_64, efer: EFER_64 },
    reset: 'reset64',
    reservedTop: RESET64_RESERVED,
    memoryBytes,
    memoryMap: [
      { base: 0n, length: BigInt(tables), type: 1 },
      { base: BigInt(tables), length: BigInt(RESET64_RESERVED), type: 2 },
    ],
  };
}

function usable(memoryBytes: number): string {
  return `the usable RAM (${hex(memoryBytes - RESET64_RESERVED)}: ${memoryBytes / 1048576} MiB less the ${RESET64_RESERVED / 1024} KiB at the top that hold the GDT, TSS and page tables of the 64-bit entry state); give the machine more memory`;
}

function headroom(end: number, memoryBytes: number, warnings: string[]): void {
  const rsp = memoryBytes - RESET64_RESERVED;
  if (rsp - end < STACK_HEADROOM)
    warnings.push(`the image ends at ${hex(end)}, less than 64 KiB below the initial stack pointer ${hex(rsp)}: the stack will grow into it`);
}

/** Plan a direct 64-bit boot of a parsed ELF64 file. */
export function planElf64(bytes: Uint8Array, elf: ElfFile, memoryBytes: number): BootResult {
  const warnings = elf.warnings.map((w) => `ELF: ${w}`);
  const eh = elf.header;
  if (eh.class !== 64) return { error: 'not an ELF64 file' };
  if (eh.machine !== EM_X86_64)
    return { error: `e_machine (offset 0x12) is ${eh.machine}: an x86-64 kernel has ${EM_X86_64} (EM_X86_64)` };
  if (eh.type !== ET_EXEC && eh.type !== ET_DYN)
    return {
      error: `e_type (offset 0x10) is ${elfTypeName(eh.type)}: ${eh.type === 1 ? 'a relocatable object file; link it into an executable first' : 'not an executable'}`,
    };
  if (eh.type === ET_DYN) warnings.push('the kernel is position-independent (ET_DYN): loaded at its link addresses, not relocated');
  let view = elf;
  if (eh.entry === 0n) {
    const start = findSymbol(elf, '_start');
    if (start !== null) {
      warnings.push(`e_entry is 0: entering at the symbol _start (${hex(start)})`);
      view = { ...elf, header: { ...eh, entry: start } };
    }
  }
  const r = loadElfSegments(view, bytes.length, BigInt(memoryBytes - RESET64_RESERVED), usable(memoryBytes));
  if ('error' in r) return r;
  const virt = elf.programHeaders.filter((p) => p.type === 1 && p.memsz > 0n && p.vaddr !== p.paddr);
  if (virt.length > 0)
    warnings.push(
      `segment${virt.length > 1 ? 's' : ''} ${virt.map((p) => `${p.index} (linked at ${hex(p.vaddr)}, loaded at ${hex(p.paddr)})`).join(', ')}: the initial page tables map only linear = physical below 4 GiB, so the kernel must map ${virt.length > 1 ? 'them' : 'it'} itself before using those addresses`,
    );
  if (r.entryTranslated)
    warnings.push(`the entry point ${hex(view.header.entry)} is a virtual address: entered at its physical address ${hex(r.entry)}`);
  if (r.entryInBss) warnings.push(`the entry point ${hex(r.entry)} is in a segment's zero-filled part (.bss)`);
  const writes: MemWrite[] = [];
  const zero: MemZero[] = [];
  for (const p of r.pieces) {
    if (p.filesz > 0) writes.push({ addr: p.addr, bytes: bytes.subarray(p.fileOffset, p.fileOffset + p.filesz), what: p.what });
    if (p.memsz > p.filesz) zero.push({ addr: p.addr + p.filesz, size: p.memsz - p.filesz, what: `${p.what} (zero-filled)` });
  }
  headroom(Math.max(...r.pieces.map((p) => p.addr + p.memsz)), memoryBytes, warnings);
  const state = long64State(memoryBytes);
  return { kind: 'elf64', ...state, writes, zero, entry: r.entry, regs: { ...state.regs }, symbols: bootSymbols(elf), warnings };
}

/** Plan a direct 64-bit boot of a flat binary loaded (and entered) at `loadAddress`. */
export function planFlat(bytes: Uint8Array, memoryBytes: number, loadAddress = FLAT_DEFAULT_LOAD): BootResult {
  if (bytes.length === 0) return { error: 'the file is empty' };
  if (!Number.isSafeInteger(loadAddress) || loadAddress < 0)
    return { error: `flat load address ${loadAddress} is not a non-negative integer` };
  const end = loadAddress + bytes.length;
  if (end > memoryBytes - RESET64_RESERVED)
    return { error: `the flat binary (${hex(loadAddress)}-${hex(end)}) ends beyond ${usable(memoryBytes)}` };
  const warnings: string[] = [];
  headroom(end, memoryBytes, warnings);
  const state = long64State(memoryBytes);
  return {
    kind: 'flat',
    ...state,
    writes: [{ addr: loadAddress, bytes, what: 'flat binary' }],
    zero: [],
    entry: BigInt(loadAddress),
    regs: { ...state.regs },
    symbols: [],
    warnings,
  };
}
