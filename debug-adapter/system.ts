// System state for the extension's custom requests: the CPU mode and which stack RSP is on
// (kstack/cpuState), the stacks the TSS names (kstack/stacks), and a page-table walk with every
// level's entry decoded (kstack/walkPageTables). Reads go through physical memory only.

import type { Cpu } from '../emulator/cpu/cpu';
import { hex64 } from './memory';

/** Size assumed for a stack whose top is all the TSS gives (kernels commonly use 16 KiB). */
export const DEFAULT_STACK_SIZE = 16 * 1024;

export interface StackInfo {
  /** The debugger's name for the stack (as the Call Stack and TSS scope name it), else the TSS slot. */
  name: string;
  /** The TSS slot ('RSP0', 'IST1'...) whose value is this stack's top, or 'thread'. */
  slot: string;
  /** Lowest address. */
  base: bigint;
  size: number;
  current: boolean;
}

const u64 = (n: number) => BigInt.asUintN(64, BigInt(Math.trunc(n)));

function phys64(cpu: Cpu, p: number): bigint | undefined {
  if (p < 0 || p + 8 > cpu.ramSize) return undefined;
  const lo = BigInt(cpu.dv.getUint32(p, true));
  const hi = BigInt(cpu.dv.getUint32(p + 4, true));
  return (hi << 32n) | lo;
}

export function cpuMode(cpu: Cpu): 'long' | 'compatibility' | 'protected' | 'real' {
  const lma = (cpu.efer & (1 << 10)) !== 0;
  if (lma) return (cpu.segAttr[1]! & 0x2000) !== 0 ? 'long' : 'compatibility';
  return (cpu.cr0 & 1) !== 0 ? 'protected' : 'real';
}

/**
 * The stacks the 64-bit TSS names (RSP0-2, IST1-7, non-zero ones), and the one RSP is on. With the
 * debugger's known stacks (tables.ts knownStacks, named as the stack tracker names them), a slot
 * whose value is a known stack's top takes that stack's name and extent; else 16 KiB is assumed.
 */
export function stacks(cpu: Cpu, known: readonly { name: string; base: bigint; top: bigint }[] = []): StackInfo[] {
  const rsp = cpu.getReg('rsp');
  const out: StackInfo[] = [];
  if (cpuMode(cpu) !== 'real' && cpu.trLimit >= 0x67) {
    const tss = cpu.peekTranslate(cpu.trBase);
    if (tss !== null) {
      const entries: [string, number][] = [['RSP0', 4], ['RSP1', 12], ['RSP2', 20]];
      for (let i = 1; i <= 7; i++) entries.push([`IST${i}`, 36 + 8 * (i - 1)]);
      for (const [name, off] of entries) {
        const top = phys64(cpu, tss + off);
        if (!top) continue;
        const k = known.find((s) => s.top === top && s.top > s.base);
        const base = k ? k.base : top - BigInt(DEFAULT_STACK_SIZE);
        const size = Number(top - base);
        out.push({ name: k?.name ?? name, slot: name, base, size, current: rsp > base && rsp <= top && !out.some((o) => o.current) });
      }
    }
  }
  if (!out.some((s) => s.current)) {
    // The stack the code runs on: the 16 KiB-aligned block RSP is in (its top included).
    const top = ((rsp + BigInt(DEFAULT_STACK_SIZE) - 1n) / BigInt(DEFAULT_STACK_SIZE)) * BigInt(DEFAULT_STACK_SIZE);
    out.unshift({ name: 'thread', slot: 'thread', base: top - BigInt(DEFAULT_STACK_SIZE), size: DEFAULT_STACK_SIZE, current: true });
  }
  return out;
}

export interface WalkLevel {
  name: string;
  index: number;
  entryAddress: bigint;
  value: bigint;
  flags: string[];
}

export interface PageWalk {
  address: bigint;
  cr3?: bigint;
  levels: WalkLevel[];
  physicalAddress?: bigint;
  pageSize?: number;
  fault?: string;
}

const FLAG_NAMES: [number, string][] = [[0, 'P'], [1, 'RW'], [2, 'US'], [3, 'PWT'], [4, 'PCD'], [5, 'A'], [6, 'D'], [7, 'PS'], [8, 'G']];

function flagsOf(v: bigint, level: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) {
    if (((v >> BigInt(bit)) & 1n) === 0n) continue;
    if (name === 'PS' && (level === 4 || level === 1)) out.push(level === 1 ? 'PAT' : 'PS');
    else if ((name === 'D' || name === 'G') && level > 1 && ((v >> 7n) & 1n) === 0n) continue;
    else out.push(name);
  }
  if ((v >> 63n) & 1n) out.push('NX');
  return out;
}

/** The 4-level walk of a linear address from CR3, level by level. */
export function walkPageTables(cpu: Cpu, address: bigint): PageWalk {
  const a = BigInt.asUintN(64, address);
  const walk: PageWalk = { address: a, levels: [] };
  if ((cpu.cr0 & 0x80000000) === 0) {
    walk.physicalAddress = a & 0xffffffffn;
    walk.fault = 'paging is off: the linear address is the physical address';
    return walk;
  }
  if ((cpu.cr4 & 0x20) === 0) {
    walk.fault = '32-bit paging (CR4.PAE = 0) is not decoded';
    return walk;
  }
  const sign = (a >> 47n) & 1n;
  if ((a >> 48n) !== (sign ? 0xffffn : 0n)) {
    walk.fault = 'not canonical: bits 63:48 must copy bit 47 (#GP)';
    return walk;
  }
  const cr3 = u64(cpu.cr3);
  walk.cr3 = cr3;
  const names = ['PML4', 'PDPT', 'PD', 'PT'];
  const ADDR = 0x000ffffffffff000n;
  let table = cr3 & ADDR;
  for (let level = 4; level >= 1; level--) {
    const shift = BigInt(12 + 9 * (level - 1));
    const index = Number((a >> shift) & 511n);
    const entryAddress = table + BigInt(index * 8);
    const value = phys64(cpu, Number(entryAddress));
    if (value === undefined) {
      walk.fault = `the ${names[4 - level]} entry at ${hex64(entryAddress)} is outside RAM`;
      return walk;
    }
    walk.levels.push({ name: names[4 - level]!, index, entryAddress, value, flags: flagsOf(value, level) });
    if ((value & 1n) === 0n) {
      walk.fault = `not present at ${names[4 - level]} (#PF)`;
      return walk;
    }
    const large = level <= 3 && level >= 2 && ((value >> 7n) & 1n) === 1n;
    if (level === 1 || large) {
      const size = 1n << shift;
      walk.pageSize = Number(size);
      walk.physicalAddress = (value & ADDR & ~(size - 1n)) | (a & (size - 1n));
      return walk;
    }
    table = value & ADDR;
  }
  return walk;
}
