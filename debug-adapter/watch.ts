// Data breakpoints without help from the emulator's memory layer: while any is set, the engine
// runs one instruction at a time and, around each, (1) works out from the decoded instruction
// which bytes it reads and writes (its memory operand, stack pushes and pops, string operands)
// and (2) compares the watched bytes before and after (which also catches writes the decoding
// does not see: interrupt frames, descriptor A bits, page-table A/D bits, device DMA).
// The cost is one decode and one small read per watched range per instruction: see
// docs/debug-adapter.md "Data breakpoints" for figures. A watch hook in the memory layer
// (requested) would make this free when nothing is watched and exact for reads.

import { REG_NONE, REG_RIP, Prefix, type Instr } from '../isa/instr';
import { OpKind } from '../isa/form';
import type { Cpu } from '../emulator/cpu/cpu';
import type { DataBreakpoint } from './breakpoints';
import { readBytes } from './memory';
import { decodeAt } from './disasm';

export interface Access {
  address: bigint;
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

const u64 = (n: number) => BigInt.asUintN(64, BigInt(n));

function reg64(cpu: Cpu, r: number): bigint {
  return BigInt.asUintN(64, (BigInt(cpu.regs[2 * r + 1]!) << 32n) | BigInt(cpu.regs[2 * r]! >>> 0));
}

/** The explicit memory operand's linear address. */
function effectiveAddress(cpu: Cpu, ins: Instr, rip: bigint): bigint {
  let a = (BigInt(ins.dispHi | 0) << 32n) | BigInt(ins.disp >>> 0);
  if (ins.base === REG_RIP) a += rip + BigInt(ins.length);
  else if (ins.base !== REG_NONE) a += reg64(cpu, ins.base);
  if (ins.index !== REG_NONE) a += reg64(cpu, ins.index) << BigInt(ins.scale);
  const as = ins.addrSize;
  a = as === 8 ? BigInt.asUintN(64, a) : as === 4 ? a & 0xffffffffn : a & 0xffffn;
  if ((ins.prefixes & Prefix.SEG) !== 0 && ins.segment >= 4) a = BigInt.asUintN(64, a + u64(cpu.segBase[ins.segment]!));
  return a;
}

/** What the instruction at RIP will access (best effort; see the file comment). */
export function accessesOf(cpu: Cpu, ins: Instr, rip: bigint): Access[] {
  const f = ins.form;
  if (!f || ins.invalid) return [];
  const m = f.mnemonic;
  const out: Access[] = [];
  const rsp = reg64(cpu, 4);
  const base = m.replace(/[BWDQ]$/, '');
  const str = STRING[base] ?? (m === 'MOVS' || m === 'CMPS' ? STRING[m] : undefined);
  if (str && f.modrm < 0) {
    const size = ins.opSize;
    const rep = (ins.prefixes & (Prefix.REP | Prefix.REPNE)) !== 0;
    const count = rep ? reg64(cpu, 1) : 1n;
    const df = (cpu.getFlags() & 0x400) !== 0;
    const span = (start: bigint): [bigint, number] => {
      const n = count > 0x100000n ? 0x100000n : count;
      if (n === 0n) return [start, 0];
      return df ? [start - (n - 1n) * BigInt(size), Number(n) * size] : [start, Number(n) * size];
    };
    if (str.src) {
      const [a, n] = span(BigInt.asUintN(64, reg64(cpu, 6) + ((ins.prefixes & Prefix.SEG) !== 0 && ins.segment >= 4 ? u64(cpu.segBase[ins.segment]!) : 0n)));
      if (n) out.push({ address: a, size: n, read: true, write: false });
    }
    if (str.dst) {
      const [a, n] = span(reg64(cpu, 7));
      if (n) out.push({ address: a, size: n, read: str.dst === 'r', write: str.dst === 'w' });
    }
    return out;
  }
  if (ins.hasMem && !NO_ACCESS.has(m)) {
    const idx = f.operands.findIndex((o) => o.kind === OpKind.Mem || o.kind === OpKind.Moffs || (o.kind === OpKind.RegMem && ins.rm < 0));
    if (idx >= 0) {
      const o = f.operands[idx]!;
      let size = o.memSize || o.size || ins.opSize || 8;
      if (m === 'LGDT' || m === 'LIDT' || m === 'SGDT' || m === 'SIDT') size = 10;
      if (m === 'CMPXCHG16B') size = 16;
      const read = idx > 0 || !WRITE_ONLY.has(m);
      const write = idx === 0 && !READ_ONLY.has(m);
      out.push({ address: effectiveAddress(cpu, ins, rip), size, read, write });
    }
  }
  if (m === 'PUSH' || m === 'CALL' || m === 'PUSHF' || m === 'PUSHFQ') out.push({ address: rsp - 8n, size: 8, read: false, write: true });
  if (m === 'POP' || m === 'RET' || m === 'POPF' || m === 'POPFQ' || m === 'LEAVE') out.push({ address: m === 'LEAVE' ? reg64(cpu, 5) : rsp, size: 8, read: true, write: false });
  return out;
}

/** Per-instruction checking of data breakpoints. */
export class DataWatch {
  private before: Uint8Array[] = [];
  private pending: { bp: DataBreakpoint; kind: 'read' | 'write'; address: bigint; size: number }[] = [];

  constructor(private readonly bps: DataBreakpoint[]) {}

  /** Call before executing the instruction at RIP. */
  pre(cpu: Cpu): void {
    this.pending = [];
    const rip = cpu.rip;
    const ins = decodeAt(cpu, rip);
    const acc = ins ? accessesOf(cpu, ins, rip) : [];
    for (const bp of this.bps) {
      const lo = bp.address;
      const hi = bp.address + BigInt(bp.size);
      for (const a of acc) {
        if (a.address >= hi || a.address + BigInt(a.size) <= lo) continue;
        if (a.write && bp.access !== 'read') this.pending.push({ bp, kind: 'write', address: a.address, size: a.size });
        else if (a.read && bp.access !== 'write') this.pending.push({ bp, kind: 'read', address: a.address, size: a.size });
      }
    }
    this.before = this.bps.map((bp) => readBytes(cpu, bp.address, bp.size).data);
  }

  /** Call after: the breakpoints that fired, with what happened. */
  post(cpu: Cpu): { bp: DataBreakpoint; text: string }[] {
    const hits: { bp: DataBreakpoint; text: string }[] = [];
    this.bps.forEach((bp, i) => {
      const now = readBytes(cpu, bp.address, bp.size).data;
      const old = this.before[i]!;
      const changed = now.some((b, k) => b !== old[k]);
      const p = this.pending.find((x) => x.bp === bp);
      if (changed && bp.access !== 'read') hits.push({ bp, text: `write to ${describe(bp)}: ${valueText(old)} -> ${valueText(now)}` });
      else if (p) hits.push({ bp, text: `${p.kind} of ${describe(bp)}${p.kind === 'write' ? ` (value unchanged: ${valueText(now)})` : `: ${valueText(now)}`}` });
    });
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
