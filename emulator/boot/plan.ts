// The boot plan: what a boot loader would do to a fresh machine, as data. The loaders
// (multiboot.ts, flat.ts, chosen by detect.ts) are pure functions from a file's bytes to a plan;
// apply.ts carries a plan out on a Cpu. See README.md.

export type BootKind = 'multiboot' | 'elf64' | 'flat';
export type BootMode = 'protected32' | 'long64';

/** Bytes to copy into guest physical memory. */
export interface MemWrite {
  addr: number;
  bytes: Uint8Array;
  /** What the bytes are, for messages and the debugger ("segment 0", "multiboot info", ...). */
  what: string;
}

/** A physical range to fill with zeros (.bss). */
export interface MemZero {
  addr: number;
  size: number;
  what: string;
}

/**
 * A segment register as the CPU caches it. `attributes` is in the Cpu's `segAttr` format: bits
 * 40..55 of the descriptor >> 8, masked with 0xF0FF: type(4) S DPL(2) P in bits 0..7, then AVL L
 * D/B G in bits 12..15 (0xC09B: 32-bit code, accessed; 0xA09B: 64-bit code; 0xC093: data).
 */
export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  attributes: number;
}

export interface SegmentRegisters {
  cs: SegmentState;
  ds: SegmentState;
  es: SegmentState;
  fs: SegmentState;
  gs: SegmentState;
  ss: SegmentState;
}

/** GDTR / IDTR. */
export interface TableRegister {
  base: number;
  limit: number;
}

export interface ControlRegisters {
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
}

/** One entry of the e820 / multiboot memory map (type 1 = RAM, 2 = reserved). */
export interface MemoryRange {
  base: bigint;
  length: bigint;
  type: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type SymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface BootSymbol {
  name: string;
  /** st_value: the address the program was linked at (virtual for a higher-half kernel). */
  value: bigint;
  size: bigint;
  type: SymbolType;
  bind: SymbolBind;
  /** Name of the section the symbol is defined in ('' when absolute or unknown). */
  section: string;
}

/** Where the multiboot loader put things (also written into `writes`). */
export interface MultibootLayout {
  /** Address of the multiboot information structure (EBX). */
  infoAddr: number;
  mmapAddr: number;
  /** Start of the area after the kernel: the module list, then the strings. */
  bufferAddr: number;
  cmdlineAddr: number;
  bootLoaderNameAddr: number;
  modules: { name: string; start: number; end: number; stringAddr: number }[];
  /** The kernel image as loaded: lowest and highest (exclusive) physical address. */
  kernelStart: number;
  kernelEnd: number;
  /** mem_lower / mem_upper in KiB. */
  memLower: number;
  memUpper: number;
  /** Header found at this file offset, with these flags. */
  headerOffset: number;
  headerFlags: number;
  /** 'elf' (program headers) or 'aout' (the header's address fields, flag bit 16). */
  loadedBy: 'elf' | 'aout';
}

export interface BootPlan {
  kind: BootKind;
  mode: BootMode;
  /** Copy these into physical memory (in order; later writes win where they overlap, they never do). */
  writes: MemWrite[];
  /** Zero these physical ranges. */
  zero: MemZero[];
  /** The first instruction (a physical address = the linear address in the entry state). */
  entry: bigint;
  /** General registers and RFLAGS ('eflags' in protected32, 'rflags' in long64); the rest are 0. */
  regs: Record<string, bigint>;
  segments: SegmentRegisters;
  gdt: TableRegister;
  idt: TableRegister;
  control: ControlRegisters;
  /**
   * long64 only: the state comes from `Cpu.reset64()`, which builds the GDT, TSS and page tables
   * in the top `reservedTop` bytes of RAM; the loader keeps the image out of them.
   */
  reset?: 'reset64';
  reservedTop?: number;
  /** RAM size the plan was made for (the memory map and the reset64 tables depend on it). */
  memoryBytes: number;
  /** The memory map a kernel is told about (multiboot) or that describes the machine (others). */
  memoryMap: MemoryRange[];
  multiboot?: MultibootLayout;
  symbols: BootSymbol[];
  warnings: string[];
}

export interface BootError {
  error: string;
}

export type BootResult = BootPlan | BootError;

export function isBootError(r: BootResult): r is BootError {
  return 'error' in r;
}

export interface BootModule {
  /** The module's string as the kernel sees it (QEMU: the -initrd entry, "FILE ARGS"). */
  name: string;
  bytes: Uint8Array;
}

export type BootFormat = 'auto' | 'multiboot' | 'elf64' | 'flat';

export interface BootOptions {
  /** RAM size in bytes. */
  memoryBytes: number;
  /**
   * The command line the kernel sees (multiboot). QEMU passes "FILE APPEND": see
   * `qemuCommandLine`.
   */
  cmdline?: string;
  modules?: BootModule[];
  format?: BootFormat;
  /** Flat binaries: load (and entry) address; default FLAT_DEFAULT_LOAD (0x100000). */
  flatLoadAddress?: number;
}

/** Hex for messages: 0x1f. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
