// The executable image the debugger loads: the `bin` layout (sections at their addresses, as
// `nasm -f bin` would place them), the symbol table, and a line table from every emitted byte back
// to the file and line that produced it (through macros and includes).

export interface ImageSection {
  name: string;
  /** Address of the first byte (the section's vstart: what labels in it are relative to). */
  address: bigint;
  /** Position in the flat `bin` file (start=), or -1 for a nobits section. */
  fileOffset: number;
  /** Bytes (empty for nobits). */
  data: Uint8Array;
  /** Size in memory (data.length for progbits; the reserved size for nobits). */
  size: number;
  nobits: boolean;
  exec: boolean;
  write: boolean;
  align: number;
}

export interface ImageSymbol {
  name: string;
  address: bigint;
  /** Section name, or null for an absolute (equ) value. */
  section: string | null;
  global: boolean;
  kind: 'label' | 'equ';
}

/** One run of bytes produced by one source line. */
export interface LineEntry {
  address: bigint;
  size: number;
  /** The file and line the user wrote: for a line produced by a macro, the macro's call site. */
  file: string;
  line: number;
  /**
   * For bytes produced inside macro or %rep expansions: the body lines, innermost first
   * (`{file, line}` of the macro definition's line that produced the bytes, then enclosing ones).
   */
  expansion?: { file: string; line: number; macro: string }[];
}

export interface Image {
  format: 'image';
  /** Mode at the start of the source (`bits` of the first line): 16, 32 or 64. */
  bits: 16 | 32 | 64;
  /** Address of the first byte of the flat file (the lowest progbits section start). */
  origin: bigint;
  /** The flat binary, exactly what `-f bin` writes. */
  flat: Uint8Array;
  sections: ImageSection[];
  symbols: ImageSymbol[];
  /** Sorted by address. */
  lines: LineEntry[];
  /** Files that went into the image (the main source and every %include / incbin). */
  files: string[];
}

/** The line entry that covers `address`, or undefined. */
export function lineAt(img: Image, address: bigint): LineEntry | undefined {
  const ls = img.lines;
  let lo = 0;
  let hi = ls.length - 1;
  let best: LineEntry | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = ls[mid]!;
    if (e.address <= address) {
      best = e;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best && address < best.address + BigInt(Math.max(best.size, 1))) return best;
  return undefined;
}

/** Addresses of the first byte emitted for a file and line (for setting breakpoints). */
export function addressesOf(img: Image, file: string, line: number): bigint[] {
  const out: bigint[] = [];
  for (const e of img.lines) if (e.line === line && e.file === file && e.size > 0) out.push(e.address);
  return out;
}

/** The symbol at or before `address` (for `label+offset` display). */
export function symbolAt(img: Image, address: bigint): { symbol: ImageSymbol; offset: bigint } | undefined {
  let best: ImageSymbol | undefined;
  for (const s of img.symbols) {
    if (s.kind !== 'label' || s.address > address) continue;
    if (!best || s.address > best.address || (s.address === best.address && s.global && !best.global)) best = s;
  }
  return best ? { symbol: best, offset: address - best.address } : undefined;
}
