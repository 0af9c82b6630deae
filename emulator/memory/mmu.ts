// Linear-to-physical translation: 4-level paging (4 KiB, 2 MiB and 1 GiB pages), a direct-mapped
// TLB in typed arrays, accessed/dirty bits, #PF error codes, and the non-paging (flat) mode.
// `Mmu` is the base class of `Cpu`: the fast paths of the memory accessors below are small
// enough to be inlined into instruction handlers.
//
// Linear addresses are JS numbers holding the canonical (sign-extended 48-bit) value.
// A TLB entry covers one 4 KiB page; there are two sets (supervisor, user) of tags per access
// kind (read, write, execute) and the set of the current CPL is the active one. A write tag is
// filled only once the page's dirty bit is set, so a write that hits never needs a walk.

import { Ram } from './ram';
import { CodeCache, type Cached } from './codecache';

export const TLB_SIZE = 2048;
export const TLB_MASK = TLB_SIZE - 1;
/** A value no page base can equal. */
const NOTAG = 1;

const TWO32 = 4294967296;
const CANON = 140737488355328; // 2^47

/** Exception vectors. */
export const enum Vec {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
  SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21,
}

/** Access kinds. */
export const enum Acc {
  R = 0,
  W = 1,
  X = 2,
}

/** CR0/CR4/EFER bits used here. */
export const CR0_PE = 1, CR0_WP = 1 << 16, CR0_PG = 1 << 31;
export const CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_SMEP = 1 << 20;
export const EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

/** Thrown (one preallocated instance) to abandon an instruction that faulted. */
export class GuestFault {
  readonly kind = 'GuestFault';
}
export const FAULT = new GuestFault();

export interface Watch {
  id: number;
  lo: number;
  hi: number;
  read: boolean;
  write: boolean;
}
export interface WatchHit {
  id: number;
  /** Linear address and size of the access. */
  address: number;
  size: number;
  write: boolean;
}

class TlbSet {
  readonly r = new Float64Array(TLB_SIZE).fill(NOTAG);
  readonly w = new Float64Array(TLB_SIZE).fill(NOTAG);
  readonly x = new Float64Array(TLB_SIZE).fill(NOTAG);
  readonly p = new Int32Array(TLB_SIZE);
  readonly g = new Uint8Array(TLB_SIZE);
  clear(keepGlobal: boolean): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (keepGlobal && this.g[i] !== 0) continue;
      this.r[i] = NOTAG;
      this.w[i] = NOTAG;
      this.x[i] = NOTAG;
      this.g[i] = 0;
    }
  }
}

export class Mmu<T extends Cached = Cached> {
  readonly ram: Ram;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly ramSize: number;
  readonly code: CodeCache<T>;
  readonly codeMap: Uint8Array;

  cr0 = 0;
  /** CR2 as a canonical number. */
  cr2 = 0;
  /** CR3 as a number (physical). */
  cr3 = 0;
  cr4 = 0;
  efer = 0;
  /** Current privilege level (the active TLB set follows it: see setCpl). */
  cpl = 0;
  /** MAXPHYADDR reported by CPUID. */
  readonly physBits = 40;

  private readonly sets = [new TlbSet(), new TlbSet()];
  tlbR: Float64Array;
  tlbW: Float64Array;
  tlbX: Float64Array;
  tlbP: Int32Array;
  /** Large pages were entered into the TLB since the last full flush (INVLPG then flushes all). */
  private tlbLarge = false;

  /** The pending exception (valid while FAULT is in flight). */
  excVector = 0;
  /** Error code, or -1 when the vector has none. */
  excCode = -1;
  /** Faulting linear address (#PF). */
  excAddr = 0;
  /** Scratch: high half of the last 64-bit read. */
  hi = 0;
  /**
   * Device MMIO: linear accesses whose physical address lies outside RAM go here whole (the slow
   * paths only: such pages never enter the TLB). read returns what rd* returns (8 bytes: low half,
   * high half stored in mmu.hi). null: reads all ones, writes dropped.
   */
  mmio: { read(mmu: Mmu<T>, phys: number, size: number): number; write(phys: number, size: number, lo: number, hi: number): void } | null = null;

  /**
   * Data watchpoints (linear ranges). Pages they touch get no read/write TLB tags, so only the
   * slow paths see accesses there and check the ranges; other pages pay nothing.
   */
  private readonly watches: Watch[] = [];
  private nextWatchId = 1;
  /** Hits since the last clear (the CPU stops after the instruction that made them). */
  readonly watchHits: WatchHit[] = [];
  /**
   * Dirty-page tracking for snapshots (emulator/timetravel), null while off. A page is marked when
   * a writable TLB entry is made for it and by every slow-path or physical write; with
   * dropWriteTags() at each snapshot the fast write path costs nothing.
   */
  dirtyPages: Uint8Array | null = null;

  constructor(memoryBytes: number) {
    this.ram = new Ram(memoryBytes);
    this.u8 = this.ram.u8;
    this.dv = this.ram.dv;
    this.ramSize = memoryBytes;
    this.code = new CodeCache<T>(memoryBytes);
    this.codeMap = this.code.codeMap;
    const s = this.sets[0]!;
    this.tlbR = s.r;
    this.tlbW = s.w;
    this.tlbX = s.x;
    this.tlbP = s.p;
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Raises exception `vector` (error code `code`, -1 for none): abandons the instruction. */
  fault(vector: number, code = -1): never {
    this.excVector = vector;
    this.excCode = code;
    throw FAULT;
  }
  gp(code = 0): never {
    return this.fault(Vec.GP, code);
  }
  ud(): never {
    return this.fault(Vec.UD);
  }

  // ---- TLB management ------------------------------------------------------------------------

  /** Sets CPL and activates the matching TLB set. */
  setCpl(cpl: number): void {
    this.cpl = cpl;
    const s = this.sets[cpl === 3 ? 1 : 0]!;
    this.tlbR = s.r;
    this.tlbW = s.w;
    this.tlbX = s.x;
    this.tlbP = s.p;
    this.onTlbFlush();
  }

  /** Flushes the TLB (keepGlobal: as a MOV to CR3 does). */
  flushTlb(keepGlobal = false): void {
    this.sets[0]!.clear(keepGlobal);
    this.sets[1]!.clear(keepGlobal);
    if (!keepGlobal) this.tlbLarge = false;
    this.onTlbFlush();
  }

  /** INVLPG: drops the translation of the page holding `lin` (globals included). */
  invlpg(lin: number): void {
    if (this.tlbLarge) {
      this.flushTlb(false);
      return;
    }
    const i = (lin >>> 12) & TLB_MASK;
    for (const s of this.sets) {
      s.r[i] = NOTAG;
      s.w[i] = NOTAG;
      s.x[i] = NOTAG;
      s.g[i] = 0;
    }
    this.onTlbFlush();
  }

  /** Turns dirty-page tracking on (all pages clean, writable TLB entries dropped) or off. */
  trackDirty(on: boolean): void {
    this.dirtyPages = on ? new Uint8Array(Math.ceil(this.ramSize / 4096)) : null;
    this.dropWriteTags();
  }

  /** Drops every writable TLB entry: the next write to each page takes the walk (and marks it). */
  dropWriteTags(): void {
    this.sets[0]!.w.fill(NOTAG);
    this.sets[1]!.w.fill(NOTAG);
  }

  // ---- data watchpoints ----------------------------------------------------------------------

  /** Watches [lin, lin+len) for reads and/or writes; returns an id for removeWatch. */
  addWatch(lin: number, len: number, read: boolean, write: boolean): number {
    const id = this.nextWatchId++;
    this.watches.push({ id, lo: lin, hi: lin + Math.max(1, len), read, write });
    this.flushTlb(false);
    return id;
  }
  removeWatch(id: number): void {
    const i = this.watches.findIndex((w) => w.id === id);
    if (i >= 0) this.watches.splice(i, 1);
    this.flushTlb(false);
  }
  private pageWatched(base: number): boolean {
    for (const w of this.watches) if (w.lo < base + 4096 && w.hi > base) return true;
    return false;
  }
  private checkWatch(lin: number, n: number, write: boolean): void {
    for (const w of this.watches) {
      if (w.lo < lin + n && w.hi > lin && (write ? w.write : w.read)) {
        this.watchHits.push({ id: w.id, address: lin, size: n, write });
        this.onWatchHit();
      }
    }
  }
  /** Hook: a watchpoint was hit (the CPU stops after the instruction). */
  protected onWatchHit(): void {}

  /** Hook: the vector for a non-canonical access (#SS for stack-segment operands). */
  nonCanonicalVector(): number {
    return Vec.GP;
  }

  /** Hook: translations changed (the CPU drops its cached code-page translation). */
  protected onTlbFlush(): void {}

  // ---- translation ---------------------------------------------------------------------------

  /** True when `lin` is canonical. */
  static canonical(lin: number): boolean {
    return lin >= -CANON && lin < CANON;
  }

  /**
   * Translates `lin` for an access of kind `acc`, as CPL 3 when `user`; fills the TLB.
   * Returns the physical address (may lie outside RAM). Raises #PF, or #GP/#SS when non-canonical.
   */
  translate(lin: number, acc: Acc, user: boolean): number {
    if (!(lin >= -CANON && lin < CANON)) this.fault(this.nonCanonicalVector(), 0);
    const off = lin & 0xfff;
    const base = lin - off;
    const set = this.sets[user ? 1 : 0]!;
    const i = (lin >>> 12) & TLB_MASK;
    const tag = acc === Acc.R ? set.r : acc === Acc.W ? set.w : set.x;
    if (tag[i] === base) return set.p[i]! + off;
    return this.walk(lin, acc, user, set, i) + off;
  }

  private walk(lin: number, acc: Acc, user: boolean, set: TlbSet, i: number): number {
    const base = lin - (lin & 0xfff);
    if ((this.cr0 & CR0_PG) === 0) {
      // Flat: linear = physical (32-bit addresses outside long mode are already truncated).
      if (base >= 0 && base + 4096 <= this.ramSize) {
        const watched = this.watches.length !== 0 && this.pageWatched(base);
        set.r[i] = watched ? NOTAG : base;
        set.w[i] = watched ? NOTAG : base;
        if (this.dirtyPages !== null) this.dirtyPages[base >>> 12] = 1;
        set.x[i] = base;
        set.p[i] = base;
        set.g[i] = 0;
      }
      return base;
    }
    const nxe = (this.efer & EFER_NXE) !== 0;
    // Reserved bits of the high dword: 51:physBits, and bit 63 without NXE.
    const rsvdHi = ((0xfffff >>> 0) & ~((1 << (this.physBits - 32)) - 1)) | (nxe ? 0 : 0x80000000);
    const addrHiMask = (1 << (this.physBits - 32)) - 1;
    const u8 = this.u8;
    let table = Math.floor(this.cr3 / 4096) * 4096;
    table = table % 2 ** 52;
    let rw = 1,
      us = 1,
      nx = 0;
    // Entries visited (physical addresses) for the accessed-bit update on success.
    let e4 = 0,
      e3 = -1,
      e2 = -1,
      e1 = -1;
    let pageBase = 0;
    let pageSize = 4096;
    let leafLo = 0,
      leafHi = 0,
      leafAddr = 0;
    const errBase = (acc === Acc.W ? 2 : 0) | (user ? 4 : 0) |
      (acc === Acc.X && (nxe || (this.cr4 & CR4_SMEP) !== 0) ? 16 : 0);
    for (let level = 4; level >= 1; level--) {
      const shift = 12 + 9 * (level - 1);
      const idx = level === 1 ? (lin >>> 12) & 511 : Math.floor(lin / 2 ** shift) & 511;
      const ea = table + idx * 8;
      const lo = this.physRead32(ea);
      const hi = this.physRead32(ea + 4);
      if (level === 4) e4 = ea;
      else if (level === 3) e3 = ea;
      else if (level === 2) e2 = ea;
      else e1 = ea;
      if ((lo & 1) === 0) this.pageFault(lin, errBase);
      const ps = level > 1 && (lo & 0x80) !== 0;
      let bad = (hi & rsvdHi) !== 0;
      if (level === 4 && (lo & 0x80) !== 0) bad = true;
      if (ps && level === 3 && (lo & 0x3fffe000) !== 0) bad = true;
      if (ps && level === 2 && (lo & 0x1fe000) !== 0) bad = true;
      if (bad) this.pageFault(lin, errBase | 1 | 8);
      rw &= (lo >> 1) & 1;
      us &= (lo >> 2) & 1;
      if (nxe) nx |= hi >>> 31;
      const addr = (hi & addrHiMask) * TWO32 + ((lo & 0xfffff000) >>> 0);
      if (level === 1 || ps) {
        leafLo = lo;
        leafHi = hi;
        leafAddr = ea;
        if (level === 3) {
          pageSize = 1 << 30;
          pageBase = addr - (addr % pageSize) + (lin - Math.floor(lin / pageSize) * pageSize - (lin & 0xfff));
        } else if (level === 2) {
          pageSize = 1 << 21;
          pageBase = addr - (addr % pageSize) + (lin & 0x1ff000);
        } else {
          pageBase = addr;
        }
        break;
      }
      table = addr;
    }
    void leafHi;
    // Permissions.
    const wp = (this.cr0 & CR0_WP) !== 0;
    const canR = !user || us === 1;
    const canW = canR && (rw === 1 || (!user && !wp));
    const canX = canR && nx === 0 && !(!user && us === 1 && (this.cr4 & CR4_SMEP) !== 0);
    const ok = acc === Acc.R ? canR : acc === Acc.W ? canW : canX;
    if (!ok) this.pageFault(lin, errBase | 1);
    // Accessed bits on every entry used, dirty on the leaf for a write.
    this.setBit(e4, 0x20);
    if (e3 >= 0) this.setBit(e3, 0x20);
    if (e2 >= 0) this.setBit(e2, 0x20);
    if (e1 >= 0) this.setBit(e1, 0x20);
    let dirty = (leafLo & 0x40) !== 0;
    if (acc === Acc.W && !dirty) {
      this.setBit(leafAddr, 0x40);
      dirty = true;
    }
    // Fill the TLB (RAM pages only).
    if (pageBase >= 0 && pageBase + 4096 <= this.ramSize) {
      const watched = this.watches.length !== 0 && this.pageWatched(base);
      set.r[i] = canR && !watched ? base : NOTAG;
      set.w[i] = canW && dirty && !watched ? base : NOTAG;
      set.x[i] = canX ? base : NOTAG;
      set.p[i] = pageBase;
      set.g[i] = (leafLo & 0x100) !== 0 && (this.cr4 & CR4_PGE) !== 0 ? 1 : 0;
      if (pageSize !== 4096) this.tlbLarge = true;
      if (this.dirtyPages !== null && (acc === Acc.W || set.w[i] !== NOTAG)) this.dirtyPages[Math.floor(pageBase / 4096)] = 1;
    }
    return pageBase;
  }

  private setBit(ea: number, bit: number): void {
    if (ea < 0 || ea + 4 > this.ramSize) return;
    const v = this.dv.getInt32(ea, true);
    if ((v & bit) === 0) {
      this.dv.setInt32(ea, v | bit, true);
      if (this.dirtyPages !== null) this.dirtyPages[Math.floor(ea / 4096)] = 1;
      if (this.codeMap[Math.floor(ea / 4096)] !== 0) this.code.written(ea, 4);
    }
  }

  private pageFault(lin: number, code: number): never {
    this.excAddr = lin;
    return this.fault(Vec.PF, code);
  }

  // ---- physical access -----------------------------------------------------------------------

  physRead8(p: number): number {
    return p >= 0 && p < this.ramSize ? this.u8[p]! : 0xff;
  }
  physRead32(p: number): number {
    return p >= 0 && p + 4 <= this.ramSize ? this.dv.getInt32(p, true) : -1;
  }
  physWrite8(p: number, v: number): void {
    if (p >= 0 && p < this.ramSize) {
      this.u8[p] = v;
      if (this.dirtyPages !== null) this.dirtyPages[p >>> 12] = 1;
      if (this.codeMap[p >>> 12] !== 0) this.code.written(p, 1);
    }
  }
  /** Writes bytes to physical memory (dropping cached code they overlap). */
  physWrite(p: number, bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      const a = p + i;
      if (a < 0 || a >= this.ramSize) return;
      const n = Math.min(bytes.length - i, 4096 - (a & 0xfff));
      this.u8.set(bytes.subarray(i, i + n), a);
      if (this.dirtyPages !== null) this.dirtyPages[a >>> 12] = 1;
      if (this.codeMap[a >>> 12] !== 0) this.code.written(a, n);
      i += n;
    }
  }

  // ---- linear access: fast paths ---------------------------------------------------------------
  // Reads return: rd8/rd16 unsigned, rd32 a signed int32, rd64 the low int32 with the high int32
  // in `this.hi`. The *w variants read with write intent (for read-modify-write: they fault as a
  // write would, so the write that follows cannot fault).

  rd8(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbR[i] === lin - o) return this.u8[this.tlbP[i]! + o]!;
    return this.rdSlow(lin, 1, Acc.R);
  }
  rd16(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbR[i] === lin - o && o <= 0xffe) return this.dv.getUint16(this.tlbP[i]! + o, true);
    return this.rdSlow(lin, 2, Acc.R);
  }
  rd32(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbR[i] === lin - o && o <= 0xffc) return this.dv.getInt32(this.tlbP[i]! + o, true);
    return this.rdSlow(lin, 4, Acc.R);
  }
  rd64(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbR[i] === lin - o && o <= 0xff8) {
      const p = this.tlbP[i]! + o;
      this.hi = this.dv.getInt32(p + 4, true);
      return this.dv.getInt32(p, true);
    }
    return this.rdSlow(lin, 8, Acc.R);
  }
  rd8w(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o) return this.u8[this.tlbP[i]! + o]!;
    return this.rdSlow(lin, 1, Acc.W);
  }
  rd16w(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xffe) return this.dv.getUint16(this.tlbP[i]! + o, true);
    return this.rdSlow(lin, 2, Acc.W);
  }
  rd32w(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xffc) return this.dv.getInt32(this.tlbP[i]! + o, true);
    return this.rdSlow(lin, 4, Acc.W);
  }
  rd64w(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xff8) {
      const p = this.tlbP[i]! + o;
      this.hi = this.dv.getInt32(p + 4, true);
      return this.dv.getInt32(p, true);
    }
    return this.rdSlow(lin, 8, Acc.W);
  }

  wr8(lin: number, v: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o) {
      const p = this.tlbP[i]! + o;
      this.u8[p] = v;
      if (this.codeMap[p >>> 12] !== 0 && this.code.touches(p, 1)) this.code.written(p, 1);
      return;
    }
    this.wrSlow(lin, 1, v, 0);
  }
  wr16(lin: number, v: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xffe) {
      const p = this.tlbP[i]! + o;
      this.dv.setUint16(p, v, true);
      if (this.codeMap[p >>> 12] !== 0 && this.code.touches(p, 2)) this.code.written(p, 2);
      return;
    }
    this.wrSlow(lin, 2, v, 0);
  }
  wr32(lin: number, v: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xffc) {
      const p = this.tlbP[i]! + o;
      this.dv.setInt32(p, v, true);
      if (this.codeMap[p >>> 12] !== 0 && this.code.touches(p, 4)) this.code.written(p, 4);
      return;
    }
    this.wrSlow(lin, 4, v, 0);
  }
  wr64(lin: number, lo: number, hi: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbW[i] === lin - o && o <= 0xff8) {
      const p = this.tlbP[i]! + o;
      this.dv.setInt32(p, lo, true);
      this.dv.setInt32(p + 4, hi, true);
      if (this.codeMap[p >>> 12] !== 0 && this.code.touches(p, 8)) this.code.written(p, 8);
      return;
    }
    this.wrSlow(lin, 8, lo, hi);
  }

  // ---- linear access: slow paths ---------------------------------------------------------------

  private user(): boolean {
    return this.cpl === 3;
  }

  /** Translates both pages of an access that may cross a page boundary; returns the first phys. */
  private p2 = 0;
  private xlate2(lin: number, n: number, acc: Acc, user: boolean): number {
    const p1 = this.translate(lin, acc, user);
    const off = lin & 0xfff;
    if (off + n > 4096) {
      this.p2 = this.translate(lin - off + 4096, acc, user);
    } else {
      this.p2 = p1 + (4096 - off);
    }
    return p1;
  }

  rdSlow(lin: number, n: number, acc: Acc, user = this.user()): number {
    const p1 = this.xlate2(lin, n, acc, user);
    if (this.watches.length !== 0) this.checkWatch(lin, n, false);
    if (this.mmio !== null && !(p1 >= 0 && p1 + n <= this.ramSize)) return this.mmio.read(this, p1, n);
    const off = lin & 0xfff;
    const first = Math.min(n, 4096 - off);
    let lo = 0,
      hi = 0;
    for (let k = 0; k < n; k++) {
      const b = k < first ? this.physRead8(p1 + k) : this.physRead8(this.p2 + (k - first));
      if (k < 4) lo |= b << (8 * k);
      else hi |= b << (8 * (k - 4));
    }
    if (n === 8) {
      this.hi = hi;
      return lo;
    }
    return n === 4 ? lo | 0 : lo >>> 0;
  }

  wrSlow(lin: number, n: number, lo: number, hi: number, user = this.user()): void {
    const p1 = this.xlate2(lin, n, Acc.W, user);
    if (this.watches.length !== 0) this.checkWatch(lin, n, true);
    if (this.mmio !== null && !(p1 >= 0 && p1 + n <= this.ramSize)) return this.mmio.write(p1, n, lo, hi);
    const off = lin & 0xfff;
    const first = Math.min(n, 4096 - off);
    for (let k = 0; k < n; k++) {
      const b = (k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4))) & 0xff;
      this.physWrite8(k < first ? p1 + k : this.p2 + (k - first), b);
    }
  }

  /** Implicit supervisor-level accesses (descriptor tables, TSS, interrupt frames from CPL 3). */
  rdSys(lin: number, n: number): number {
    return this.rdSlow(lin, n, Acc.R, false);
  }
  wrSys(lin: number, n: number, lo: number, hi: number): void {
    this.wrSlow(lin, n, lo, hi, false);
  }

  /** Debugger/API access: translate without faulting or setting A/D bits; null when unmapped. */
  peekTranslate(lin: number, user = false): number | null {
    if (!Mmu.canonical(lin)) return null;
    if ((this.cr0 & CR0_PG) === 0) return lin;
    let table = (Math.floor(this.cr3 / 4096) * 4096) % 2 ** 52;
    const addrHiMask = (1 << (this.physBits - 32)) - 1;
    let us = 1;
    for (let level = 4; level >= 1; level--) {
      const shift = 12 + 9 * (level - 1);
      const idx = level === 1 ? (lin >>> 12) & 511 : Math.floor(lin / 2 ** shift) & 511;
      const lo = this.physRead32(table + idx * 8);
      const hi = this.physRead32(table + idx * 8 + 4);
      if ((lo & 1) === 0) return null;
      us &= (lo >> 2) & 1;
      const addr = (hi & addrHiMask) * TWO32 + ((lo & 0xfffff000) >>> 0);
      if (level === 3 && lo & 0x80) return addr - (addr % 2 ** 30) + (lin - Math.floor(lin / 2 ** 30) * 2 ** 30);
      if (level === 2 && lo & 0x80) return addr - (addr % 2 ** 21) + (lin & 0x1fffff);
      if (level === 1) return user && !us ? null : addr + (lin & 0xfff);
      table = addr;
    }
    return null;
  }
}
