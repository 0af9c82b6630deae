// Register access by name for the debugger: every name the evaluate language and the Variables
// view use (general registers of every width, RIP, RFLAGS and each flag, segment registers,
// control, debug and model-specific registers), which of them can be written, and how.

import type { Cpu } from '../emulator/cpu/cpu';

const GPR64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
export const GENERAL_REGISTERS = GPR64;

/** RFLAGS bits shown by name: [name, bit, width]. */
export const FLAG_BITS: readonly [string, number, number][] = [
  ['CF', 0, 1], ['PF', 2, 1], ['AF', 4, 1], ['ZF', 6, 1], ['SF', 7, 1], ['TF', 8, 1], ['IF', 9, 1], ['DF', 10, 1],
  ['OF', 11, 1], ['IOPL', 12, 2], ['NT', 14, 1], ['RF', 16, 1], ['VM', 17, 1], ['AC', 18, 1], ['VIF', 19, 1], ['VIP', 20, 1], ['ID', 21, 1],
];
export const CR0_BITS: readonly [string, number, number][] = [
  ['PE', 0, 1], ['MP', 1, 1], ['EM', 2, 1], ['TS', 3, 1], ['ET', 4, 1], ['NE', 5, 1], ['WP', 16, 1], ['AM', 18, 1], ['NW', 29, 1], ['CD', 30, 1], ['PG', 31, 1],
];
export const CR4_BITS: readonly [string, number, number][] = [
  ['VME', 0, 1], ['PVI', 1, 1], ['TSD', 2, 1], ['DE', 3, 1], ['PSE', 4, 1], ['PAE', 5, 1], ['MCE', 6, 1], ['PGE', 7, 1], ['PCE', 8, 1],
  ['OSFXSR', 9, 1], ['OSXMMEXCPT', 10, 1], ['UMIP', 11, 1], ['LA57', 12, 1], ['FSGSBASE', 16, 1], ['PCIDE', 17, 1], ['OSXSAVE', 18, 1],
  ['SMEP', 20, 1], ['SMAP', 21, 1], ['PKE', 22, 1],
];
export const EFER_BITS: readonly [string, number, number][] = [['SCE', 0, 1], ['LME', 8, 1], ['LMA', 10, 1], ['NXE', 11, 1], ['SVME', 12, 1], ['FFXSR', 14, 1]];

export const SEGMENTS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/** MSRs shown in the System scope: [name, number]. */
export const MSRS: readonly [string, number][] = [
  ['IA32_APIC_BASE', 0x1b],
  ['IA32_EFER', 0xc0000080],
  ['STAR', 0xc0000081],
  ['LSTAR', 0xc0000082],
  ['CSTAR', 0xc0000083],
  ['FMASK', 0xc0000084],
  ['FS_BASE', 0xc0000100],
  ['GS_BASE', 0xc0000101],
  ['KERNEL_GS_BASE', 0xc0000102],
  ['TSC_AUX', 0xc0000103],
];

const u64 = (n: number) => BigInt.asUintN(64, BigInt(Math.trunc(n)));
const u32 = (n: number) => BigInt(n >>> 0);

export function msrValue(cpu: Cpu, msr: number): bigint {
  switch (msr) {
    case 0xc0000080:
      return u32(cpu.efer);
    case 0xc0000100:
      return u64(cpu.segBase[4]!);
    case 0xc0000101:
      return u64(cpu.segBase[5]!);
    case 0xc0000102:
      return u64(cpu.kernelGsBase);
    case 0x1b:
      return cpu.msrs.get(0x1b) ?? 0xfee00900n;
    default:
      return cpu.msrs.get(msr) ?? 0n;
  }
}

function flagIndex(name: string): readonly [string, number, number] | undefined {
  const up = name.toUpperCase();
  return FLAG_BITS.find((f) => f.length && f[0] === up);
}

const GPR_NAMES = new Set<string>();
for (let i = 0; i < 16; i++) {
  const base = GPR64[i]!;
  GPR_NAMES.add(base);
}
const SMALL = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', 'al', 'bl', 'cl', 'dl', 'sil', 'dil', 'bpl', 'spl', 'ah', 'bh', 'ch', 'dh'];
for (const n of SMALL) GPR_NAMES.add(n);
for (let i = 8; i < 16; i++) for (const s of ['', 'd', 'w', 'b', 'l']) GPR_NAMES.add(`r${i}${s}`);

const SIZE_OF: Record<string, number> = {};
for (const n of GPR_NAMES) {
  SIZE_OF[n] = /^r\d+d$|^e/.test(n) ? 4 : /^r\d+w$|^[a-d]x$|^[sd]i$|^[bs]p$/.test(n) ? 2 : /^r\d+[bl]$|l$|h$/.test(n) ? 1 : 8;
}

/** Every name readRegister understands (for completions). */
export function registerNames(): string[] {
  return [...GPR_NAMES, 'rip', 'eip', 'rflags', 'eflags', ...FLAG_BITS.map((f) => f[0].toLowerCase()), ...SEGMENTS,
    'cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7', 'fs_base', 'gs_base', 'kernel_gs_base',
    'gdtr', 'idtr', 'tr', 'ldtr'];
}

/** A register's value and size in bytes, or undefined if `name` (lower case) names none. */
export function readRegister(cpu: Cpu, name: string): { value: bigint; size: number } | undefined {
  if (GPR_NAMES.has(name)) return { value: cpu.getReg(name), size: SIZE_OF[name]! };
  switch (name) {
    case 'rip':
      return { value: cpu.rip, size: 8 };
    case 'eip':
      return { value: cpu.rip & 0xffffffffn, size: 4 };
    case 'rflags':
      return { value: cpu.rflags, size: 8 };
    case 'eflags':
      return { value: cpu.rflags & 0xffffffffn, size: 4 };
    case 'cr0':
      return { value: u32(cpu.cr0), size: 8 };
    case 'cr2':
      return { value: u64(cpu.cr2), size: 8 };
    case 'cr3':
      return { value: u64(cpu.cr3), size: 8 };
    case 'cr4':
      return { value: u32(cpu.cr4), size: 8 };
    case 'cr8':
      return { value: BigInt(cpu.cr8), size: 8 };
    case 'efer':
      return { value: u32(cpu.efer), size: 8 };
    case 'fs_base':
      return { value: u64(cpu.segBase[4]!), size: 8 };
    case 'gs_base':
      return { value: u64(cpu.segBase[5]!), size: 8 };
    case 'kernel_gs_base':
      return { value: u64(cpu.kernelGsBase), size: 8 };
    case 'gdtr':
      return { value: u64(cpu.gdtBase), size: 8 };
    case 'idtr':
      return { value: u64(cpu.idtBase), size: 8 };
    case 'tr':
      return { value: BigInt(cpu.trSel), size: 2 };
    case 'ldtr':
      return { value: BigInt(cpu.ldtSel), size: 2 };
  }
  const dr = /^dr([0-7])$/.exec(name);
  if (dr) return { value: u64(cpu.dr[Number(dr[1])]!), size: 8 };
  const seg = SEGMENTS.indexOf(name as (typeof SEGMENTS)[number]);
  if (seg >= 0) return { value: BigInt(cpu.segSel[seg]! & 0xffff), size: 2 };
  const f = flagIndex(name);
  if (f) return { value: (cpu.rflags >> BigInt(f[1])) & ((1n << BigInt(f[2])) - 1n), size: 1 };
  return undefined;
}

/** True when the debugger may write `name` (general registers, RIP, RFLAGS and its flags). */
export function isWritableRegister(name: string): boolean {
  return GPR_NAMES.has(name) || name === 'rip' || name === 'rflags' || name === 'eflags' || (flagIndex(name) !== undefined && name !== 'vm');
}

/** Writes a register; returns false when it is not writable from the debugger. */
export function writeRegister(cpu: Cpu, name: string, value: bigint): boolean {
  if (!isWritableRegister(name)) return false;
  if (GPR_NAMES.has(name)) cpu.setReg(name, value);
  else if (name === 'rip') cpu.rip = BigInt.asUintN(64, value);
  else if (name === 'rflags' || name === 'eflags') cpu.rflags = (value & 0x3f7fd5n) | 2n;
  else {
    const f = flagIndex(name)!;
    const m = ((1n << BigInt(f[2])) - 1n) << BigInt(f[1]);
    cpu.rflags = (cpu.rflags & ~m) | ((value << BigInt(f[1])) & m);
  }
  return true;
}

/** The decoded fields of a segment register's cached descriptor. */
export function segmentInfo(cpu: Cpu, i: number): { selector: number; base: bigint; limit: bigint; attributes: number } {
  return { selector: cpu.segSel[i]! & 0xffff, base: u64(cpu.segBase[i]!), limit: u64(cpu.segLimit[i]!), attributes: cpu.segAttr[i]! };
}

/** `64-bit code, DPL 0, present` style summary of segAttr (descriptor bits 40..55 >> 8). */
export function describeAttributes(attr: number, isSystem = false): string {
  const type = attr & 0xf;
  const s = (attr >> 4) & 1;
  const dpl = (attr >> 5) & 3;
  const p = (attr >> 7) & 1;
  const l = (attr >> 13) & 1;
  const db = (attr >> 14) & 1;
  const g = (attr >> 15) & 1;
  const parts: string[] = [];
  if (s === 0 || isSystem) {
    const sys: Record<number, string> = { 2: 'LDT', 9: '64-bit TSS (available)', 0xb: '64-bit TSS (busy)', 0xc: 'call gate', 0xe: 'interrupt gate', 0xf: 'trap gate' };
    parts.push(sys[type] ?? `system type ${type}`);
  } else if (type & 8) {
    parts.push(l ? '64-bit code' : db ? '32-bit code' : '16-bit code');
    if (type & 4) parts.push('conforming');
    parts.push(type & 2 ? 'readable' : 'execute-only');
  } else {
    parts.push(db ? '32-bit data' : '16-bit data');
    parts.push(type & 2 ? 'writable' : 'read-only');
    if (type & 4) parts.push('expand-down');
  }
  parts.push(`DPL ${dpl}`);
  parts.push(p ? 'present' : 'not present');
  if (g) parts.push('4K granularity');
  if (type & 1 && s) parts.push('accessed');
  return parts.join(', ');
}
