// Data breakpoints without help from the emulator's memory layer: while any is set, the engine
// runs one instruction at a time and, around each, (1) works out from the decoded instruction
// which bytes it reads and writes (its memory operand, stack pushes and pops, string operands)
// and (2) compares the watched bytes before and after (which also catches writes the decoding
// does not see: interrupt frames, descriptor and page-table A/D bits, device DMA).
// Translations use the CPU's own TLB when it holds the page (read-only), and decoded
// instructions are cached by address (checked against the bytes, so self-modifying code is seen).
// The cost is in docs/debug-adapter.md "Data breakpoints"; a watch hook in the memory layer
// (requested from the emulator) would make it free for code that does not touch watched pages.

import { decode } from '../isa/decoder';
import { REG_NONE, REG_RIP, Prefix, type Instr } from '../isa/instr';
import { OpKind } from '../isa/form';
import { TLB_MASK } from '../emulator/memory/mmu';
import type { Cpu } from '../emulator/cpu/cpu';
import type { DataBreakpoint } from './breakpoints';

/** One memory access of an instruction: linear address (canonical number), size, kind. */
export interface Access {
  address: number;
  size: number;
  read: boolean;
  write: boolean;
}

const WRITE_ONLY = new Set(['MOV', 'MOVBE', 'SETA', 'SETAE', 'SETB', 'SETBE', 'SETE', 'SETG', 'SETGE', 'SETL', 'SETLE', 'SETNE', 'SETNO', 'SETNP', 'SETNS', 'SETO', 'SETP', 'SETS', 'SGDT', 'SIDT', 'SLDT', 'SMSW', 'STR', 'POP']);
const READ_ONLY = new Set(['CMP', 'TEST', 'BT', 'PUSH', 'JMP', 'CALL', 'LGDT', 'LIDT', 'LLDT', 'LTR', 'LMSW', 'VERR', 'VERW', 'LAR', 'LSL', 'LDS', 'LES', 'LFS', 'LGS', 'LSS', 'BOUND']);
const NO_ACCESS = new Set(['LEA', 'INVLPG', 'NOP', 'PREFETCHNTA', 'PREFETCHT0', 'PREFETCHT1', 'PREFETCHT2', 'PREFETCHW', 'CLFLUSH']);
const STRING: Record<string, { src: boolean; dst: 'r' | 'w' | null }> = {
  MOVS: { src: true, dst: 'w' }, CMPS: { src: true, dst: 'r' }, STOS: { src: false, dst: 'w' }, LODS: { src: true, dst: null },
  SCAS: { src: false, dst: 'r' }, INS: { src: false, dst: 'w' }, OUTS: { src: true, dst: null },
};
const PUSHES = new Set(['PUSH', 'CALL', 'PUSHF', 'PUSHFQ']);
const POPS = new Set(['POP', 'RET', 'POPF', 'POPFQ']);

const TWO64 = 2 ** 64;
const TWO63 = 2 ** 63;

/** Wraps a sum of canonical numbers back to the signed 64-bit range (exact for canonical addresses). */
function wrap(a: number, addrSize: number): number {
  if (addrSize === 4) return ((a % 2 ** 32) + 2 ** 32) % 2 ** 32;
  if (addrSize === 2) return ((a % 65536) + 65536) % 65536;
  if (a >= TWO63) return a - TWO64;
  if (a < -TWO63) return a + TWO64;
  return a;
}

/**
 * Linear -> physical for the watcher: the CPU's TLB when it holds the page, else a page walk
 * remembered per page until CR3 changes or the guest runs INVLPG / MOV to CR0/CR3/CR4 (when the
 * CPU's own TLB would be flushed too).
 */
class Translator {
  private pages = new Map<number, number>();
  private cr3 = -1;

  constructor(private readonly cpu: Cpu) {}

  flush(): void {
    this.pages.clear();
  }

  phys(lin: number): number | null {
    const cpu = this.cpu;
    const o = lin & 0xfff;
    const base = lin - o;
    const i = (lin >>> 12) & TLB_MASK;
    if (cpu.tlbR[i] === base || cpu.tlbW[i] === base || cpu.tlbX[i] === base) return cpu.tlbP[i]! + o;
    if (cpu.cr3 !== this.cr3) {
      this.cr3 = cpu.cr3;
      this.pages.clear();
    }
    let pb = this.pages.get(base);
    if (pb === undefined) {
      const p = cpu.peekTranslate(base);
      pb = p !== null && p >= 0 && p + 4096 <= cpu.ramSize ? p : -1;
      if (this.pages.size > 4096) this.pages.clear();
      this.pages.set(base, pb);
    }
    return pb < 0 ? null : pb + o;
  }
}

/** Reads bytes into `out` (unreadable bytes read as 0); returns false if any was unreadable. */
function readInto(cpu: Cpu, t: Translator, lin: number, out: Uint8Array): boolean {
  const u8 = cpu.u8;
  const n = out.length;
  // One page (the usual case): a plain copy, no allocation.
  if ((lin & 0xfff) + n <= 4096) {
    const p = t.phys(lin);
    if (p === null) {
      out.fill(0);
      return false;
    }
    for (let k = 0; k < n; k++) out[k] = u8[p + k]!;
    return true;
  }
  let ok = true;
  for (let k = 0; k < n; k++) {
    const p = t.phys(lin + k);
    if (p === null) {
      out[k] = 0;
      ok = false;
    } else out[k] = u8[p]!;
  }
  return ok;
}

/** What the instruction at RIP will access (best effort; see the file comment). */
export function accessesOf(cpu: Cpu, ins: Instr, rip: number, out: Access[]): void {
  out.length = 0;
  const f = ins.form;
  if (!f || ins.invalid) return;
  const m = f.mnemonic;
  const rsp = cpu.getNum(4);
  if (f.modrm < 0) {
    const str = STRING[m.replace(/[BWDQ]$/, '')];
    if (str) {
      const size = ins.opSize;
      const rep = (ins.prefixes & (Prefix.REP | Prefix.REPNE)) !== 0;
      const count = rep ? Math.min(Math.max(cpu.getNum(1), 0), 0x100000) : 1;
      if (count === 0) return;
      const df = (cpu.getFlags() & 0x400) !== 0;
      const span = (start: number): number => (df ? start - (count - 1) * size : start);
      if (str.src) {
        const seg = (ins.prefixes & Prefix.SEG) !== 0 && ins.segment >= 4 ? cpu.segBase[ins.segment]! : 0;
        out.push({ address: wrap(span(cpu.getNum(6)) + seg, 8), size: count * size, read: true, write: false });
      }
      if (str.dst) out.push({ address: wrap(span(cpu.getNum(7)), 8), size: count * size, read: str.dst === 'r', write: str.dst === 'w' });
      return;
    }
  }
  if (ins.hasMem && !NO_ACCESS.has(m)) {
    const idx = f.operands.findIndex((o) => o.kind === OpKind.Mem || o.kind === OpKind.Moffs || (o.kind === OpKind.RegMem && ins.rm < 0));
    if (idx >= 0) {
      const o = f.operands[idx]!;
      let size = o.memSize || o.size || ins.opSize || 8;
      if (m === 'LGDT' || m === 'LIDT' || m === 'SGDT' || m === 'SIDT') size = 10;
      else if (m === 'CMPXCHG16B') size = 16;
      let a = ins.dispHi * 2 ** 32 + (ins.disp >>> 0);
      if (ins.base === REG_RIP) a += rip + ins.length;
      else if (ins.base !== REG_NONE) a += cpu.getNum(ins.base);
      if (ins.index !== REG_NONE) a += cpu.getNum(ins.index) * (1 << ins.scale);
      a = wrap(a, ins.addrSize);
      if ((ins.prefixes & Prefix.SEG) !== 0 && ins.segment >= 4) a = wrap(a + cpu.segBase[ins.segment]!, 8);
      out.push({ address: a, size, read: idx > 0 || !WRITE_ONLY.has(m), write: idx === 0 && !READ_ONLY.has(m) });
    }
  }
  if (PUSHES.has(m)) out.push({ address: rsp - 8, size: 8, read: false, write: true });
  else if (POPS.has(m)) out.push({ address: rsp, size: 8, read: true, write: false });
  else if (m === 'LEAVE') out.push({ address: cpu.getNum(5), size: 8, read: true, write: false });
}

interface Watched {
  bp: DataBreakpoint;
  lin: number;
  size: number;
  before: Uint8Array;
  after: Uint8Array;
}

/** Per-instruction checking of data breakpoints. */
export class DataWatch {
  private readonly watched: Watched[];
  private readonly code = new Map<number, { ins: Instr; bytes: Uint8Array }>();
  private readonly buf = new Uint8Array(15);
  private readonly acc: Access[] = [];
  private readonly pendingKind: ('read' | 'write' | null)[];
  private readonly t: Translator;
  private static readonly NONE: { bp: DataBreakpoint; text: string }[] = [];

  constructor(cpu: Cpu, bps: DataBreakpoint[]) {
    this.t = new Translator(cpu);
    this.pendingKind = bps.map(() => null);
    this.watched = bps.map((bp) => ({
      bp,
      lin: Number(BigInt.asIntN(64, bp.address)),
      size: bp.size,
      before: new Uint8Array(bp.size),
      after: new Uint8Array(bp.size),
    }));
  }

  /** The instruction at `ip`, from the cache when its bytes are unchanged. */
  private decodeAt(cpu: Cpu, ip: number): Instr | null {
    const hit = this.code.get(ip);
    const p = this.t.phys(ip);
    if (p === null) return null;
    if (hit && (p & 0xfff) + hit.bytes.length <= 4096) {
      const u8 = cpu.u8;
      const b = hit.bytes;
      let same = true;
      for (let k = 0; k < b.length; k++) if (u8[p + k] !== b[k]) { same = false; break; }
      if (same) return hit.ins;
    }
    readInto(cpu, this.t, ip, this.buf);
    const ins = decode(this.buf, 0, 15, cpu.bits);
    if (ins.invalid) return ins;
    if (this.code.size > 65536) this.code.clear();
    this.code.set(ip, { ins, bytes: this.buf.slice(0, ins.length) });
    return ins;
  }

  /** Call before executing the instruction at RIP. */
  pre(cpu: Cpu): void {
    const ip = cpu.ip;
    const ins = this.decodeAt(cpu, ip);
    if (ins) accessesOf(cpu, ins, ip, this.acc);
    else this.acc.length = 0;
    const m = ins?.form?.mnemonic;
    if (m === 'INVLPG' || (m === 'MOV' && ins!.form!.operands[0]?.kind === OpKind.Cr)) this.t.flush();
    for (let i = 0; i < this.watched.length; i++) {
      const w = this.watched[i]!;
      readInto(cpu, this.t, w.lin, w.before);
      let kind: 'read' | 'write' | null = null;
      const lo = w.lin;
      const hi = w.lin + w.size;
      for (const a of this.acc) {
        if (a.address >= hi || a.address + a.size <= lo) continue;
        if (a.write && w.bp.access !== 'read') kind = 'write';
        else if (a.read && w.bp.access !== 'write' && kind === null) kind = 'read';
      }
      this.pendingKind[i] = kind;
    }
  }

  /** Call after: the breakpoints that fired, with what happened. */
  post(cpu: Cpu): { bp: DataBreakpoint; text: string }[] {
    let hits = DataWatch.NONE;
    for (let i = 0; i < this.watched.length; i++) {
      const w = this.watched[i]!;
      readInto(cpu, this.t, w.lin, w.after);
      let changed = false;
      for (let k = 0; k < w.size; k++) if (w.after[k] !== w.before[k]) { changed = true; break; }
      const kind = this.pendingKind[i];
      let text: string | null = null;
      if (changed && w.bp.access !== 'read') text = `write to ${describe(w.bp)}: ${valueText(w.before)} -> ${valueText(w.after)}`;
      else if (kind === 'write') text = `write of ${describe(w.bp)} (value unchanged: ${valueText(w.after)})`;
      else if (kind === 'read') text = `read of ${describe(w.bp)}: ${valueText(w.after)}`;
      if (text !== null) {
        if (hits === DataWatch.NONE) hits = [];
        hits.push({ bp: w.bp, text });
      }
    }
    return hits;
  }
}

function describe(bp: DataBreakpoint): string {
  return `0x${bp.address.toString(16)} (${bp.size} byte${bp.size > 1 ? 's' : ''})`;
}

function valueText(b: Uint8Array): string {
  if (b.length <= 8) {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return `0x${v.toString(16)}`;
  }
  return Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > 16 ? ' ...' : '');
}
