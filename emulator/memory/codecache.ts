// Decoded instructions, cached by physical address and dropped precisely when their bytes are
// written. A write checks one byte of `codeMap` (nonzero: the physical page holds cached code);
// only then does it look at 8-byte granules of that page and drop the instructions it overlaps.

/** What the cache needs of a cached instruction. */
export interface Cached {
  /** Bytes of code the entry was decoded from (from its address). */
  span: number;
}

export const GRANULE_SHIFT = 3;
const GRANULES = 4096 >> GRANULE_SHIFT;

export class CodeCache<T extends Cached> {
  readonly numPages: number;
  /** Per physical page: 1 when it holds at least one cached instruction. */
  readonly codeMap: Uint8Array;
  /** One bit per 8-byte granule of RAM: set while a cached instruction touches the granule. */
  readonly granBits: Uint8Array;
  /** Per physical page: the instruction starting at each offset, or null. */
  readonly pages: (T | null)[][];
  /** Per physical page: how many cached instructions touch each 8-byte granule. */
  private readonly cover: Uint8Array[];
  private readonly counts: Int32Array;
  /** Incremented whenever instructions are dropped (lets holders of references revalidate). */
  generation = 0;
  /** Number of instructions dropped because their bytes were written (statistics). */
  dropped = 0;

  private static readonly EMPTY_PAGE: never[] = [];
  private static readonly EMPTY_COVER = new Uint8Array(0);

  constructor(ramBytes: number) {
    this.numPages = Math.ceil(ramBytes / 4096);
    this.codeMap = new Uint8Array(this.numPages);
    this.granBits = new Uint8Array(this.numPages * (GRANULES >> 3));
    this.pages = new Array(this.numPages).fill(CodeCache.EMPTY_PAGE);
    this.cover = new Array(this.numPages).fill(CodeCache.EMPTY_COVER);
    this.counts = new Int32Array(this.numPages);
  }

  /** The instruction array of a physical page (created on first use). */
  page(ppn: number): (T | null)[] {
    let p = this.pages[ppn]!;
    if (p.length === 0) {
      p = new Array<T | null>(4096).fill(null);
      this.pages[ppn] = p;
      this.cover[ppn] = new Uint8Array(GRANULES);
    }
    return p;
  }

  /** Caches `op` at physical address `phys`; its bytes (span) must lie within one page. */
  insert(phys: number, op: T): void {
    const ppn = Math.floor(phys / 4096);
    const off = phys & 0xfff;
    const ops = this.page(ppn);
    if (ops[off] !== null) this.remove(ppn, off);
    ops[off] = op;
    const cov = this.cover[ppn]!;
    const g1 = (off + op.span - 1) >> GRANULE_SHIFT;
    const base = ppn * GRANULES;
    for (let g = off >> GRANULE_SHIFT; g <= g1; g++) {
      if (cov[g]!++ === 0) this.granBits[(base + g) >> 3] |= 1 << ((base + g) & 7);
    }
    this.counts[ppn]!++;
    this.codeMap[ppn] = 1;
  }

  private remove(ppn: number, off: number): void {
    const ops = this.pages[ppn]!;
    const op = ops[off]!;
    ops[off] = null;
    const cov = this.cover[ppn]!;
    const g1 = (off + op.span - 1) >> GRANULE_SHIFT;
    const base = ppn * GRANULES;
    for (let g = off >> GRANULE_SHIFT; g <= g1; g++) {
      if (--cov[g]! === 0) this.granBits[(base + g) >> 3] &= ~(1 << ((base + g) & 7));
    }
    if (--this.counts[ppn]! === 0) this.codeMap[ppn] = 0;
    this.dropped++;
  }

  /** True when a write of n <= 8 bytes at phys touches a granule holding cached code. */
  touches(phys: number, n: number): boolean {
    const g0 = phys >>> 3, g1 = (phys + n - 1) >>> 3;
    const b = this.granBits;
    return (((b[g0 >>> 3]! >> (g0 & 7)) | (b[g1 >>> 3]! >> (g1 & 7))) & 1) !== 0;
  }

  /**
   * Bytes [phys, phys+n) of one page were (or are about to be) written: drop the instructions
   * that overlap them. Call only when codeMap[page] is nonzero.
   */
  written(phys: number, n: number): void {
    const ppn = Math.floor(phys / 4096);
    const off = phys & 0xfff;
    const end = Math.min(off + n, 4096);
    const cov = this.cover[ppn]!;
    if (cov.length === 0) return;
    let g = off >> GRANULE_SHIFT;
    const g1 = (end - 1) >> GRANULE_SHIFT;
    while (g <= g1 && cov[g] === 0) g++;
    if (g > g1) return;
    const ops = this.pages[ppn]!;
    for (let s = Math.max(0, off - 31); s < end; s++) {
      const op = ops[s];
      if (op !== null && op !== undefined && s + op.span > off) this.remove(ppn, s);
    }
    this.generation++;
  }

  /** Drops everything (mode change, reset). */
  flush(): void {
    for (let i = 0; i < this.numPages; i++) {
      if (this.pages[i]!.length !== 0) {
        this.pages[i]!.fill(null);
        this.cover[i]!.fill(0);
      }
    }
    this.counts.fill(0);
    this.codeMap.fill(0);
    this.granBits.fill(0);
    this.generation++;
  }
}
