// Intel-syntax text of a decoded instruction, the way `objdump -d -M intel` prints it: mnemonic,
// then operands separated by ',' (`mov    rax,QWORD PTR [rax+rbx*4+0x10]`).

import { OpKind, type Form, type Operand } from './form';
import { Prefix, REG8_AH, REG_NONE, REG_RIP, type Instr } from './instr';

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b', 'ah', 'ch', 'dh', 'bh'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** Name of general register `n` (REG8_AH numbering for size 1) of `size` bytes. */
export function regName(n: number, size: number): string {
  const t = size === 8 ? R64 : size === 4 ? R32 : size === 2 ? R16 : R8;
  return t[n] ?? `r?${n}`;
}

/** objdump's size keyword for a memory access of `size` bytes ('' when it prints none). */
export function ptrSize(size: number): string {
  switch (size) {
    case 1: return 'BYTE PTR ';
    case 2: return 'WORD PTR ';
    case 4: return 'DWORD PTR ';
    case 6: return 'FWORD PTR ';
    case 8: return 'QWORD PTR ';
    case 10: return 'TBYTE PTR ';
    case 16: return 'XMMWORD PTR ';
    case 32: return 'YMMWORD PTR ';
    default: return '';
  }
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

const MASK64 = (1n << 64n) - 1n;
function mask(v: bigint, bytes: number): bigint {
  return bytes >= 8 ? v & MASK64 : v & ((1n << BigInt(bytes * 8)) - 1n);
}

/** The 64-bit value of (hi, lo) as a signed bigint. */
function pair(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}

/** String instructions: objdump writes the implicit operands out. */
const STRING_BASE: Record<string, string> = {
  MOVS: 'movs', MOVSB: 'movs', MOVSW: 'movs', MOVSD: 'movs', MOVSQ: 'movs',
  CMPS: 'cmps', CMPSB: 'cmps', CMPSW: 'cmps', CMPSD: 'cmps', CMPSQ: 'cmps',
  SCAS: 'scas', SCASB: 'scas', SCASW: 'scas', SCASD: 'scas', SCASQ: 'scas',
  LODS: 'lods', LODSB: 'lods', LODSW: 'lods', LODSD: 'lods', LODSQ: 'lods',
  STOS: 'stos', STOSB: 'stos', STOSW: 'stos', STOSD: 'stos', STOSQ: 'stos',
  INS: 'ins', INSB: 'ins', INSW: 'ins', INSD: 'ins',
  OUTS: 'outs', OUTSB: 'outs', OUTSW: 'outs', OUTSD: 'outs',
  XLAT: 'xlat', XLATB: 'xlat',
};

/** Mnemonics objdump suffixes by operand size (w/empty/q or d/q). */
const SIZE_SUFFIX: Record<string, [string, string, string]> = {
  IRET: ['iretw', 'iret', 'iretq'], IRETD: ['iretw', 'iret', 'iretq'], IRETQ: ['iretw', 'iret', 'iretq'],
  PUSHF: ['pushfw', 'pushf', 'pushf'], PUSHFD: ['pushfw', 'pushf', 'pushf'], PUSHFQ: ['pushfw', 'pushf', 'pushf'],
  POPF: ['popfw', 'popf', 'popf'], POPFD: ['popfw', 'popf', 'popf'], POPFQ: ['popfw', 'popf', 'popf'],
  PUSHA: ['pushaw', 'pusha', 'pusha'], PUSHAD: ['pushaw', 'pusha', 'pusha'],
  POPA: ['popaw', 'popa', 'popa'], POPAD: ['popaw', 'popa', 'popa'],
  SYSRET: ['sysretw', 'sysretd', 'sysretq'], SYSRETQ: ['sysretw', 'sysretd', 'sysretq'],
  SYSEXIT: ['sysexitw', 'sysexitd', 'sysexitq'], SYSEXITQ: ['sysexitw', 'sysexitd', 'sysexitq'],
};

const ALIAS: Record<string, string> = {
  SAL: 'shl', LOOPZ: 'loope', LOOPNZ: 'loopne', XLATB: 'xlat',
};

function isCondFamily(m: string, prefix: string): boolean {
  return m.startsWith(prefix) && m.length > prefix.length && m.length <= prefix.length + 3;
}

/** The operand size the prefixes select (66, REX.W), whatever the form fixes. */
export function prefixOpSize(d: Instr): number {
  if (d.bits === 64 && (d.rex & 8) !== 0) return 8;
  return ((d.prefixes & Prefix.OPSIZE) !== 0) !== (d.bits === 16) ? 2 : 4;
}

/** The mnemonic as objdump prints it. */
export function mnemonicOf(d: Instr): string {
  const f = d.form!;
  const m = f.mnemonic;
  const last = f.opcode[f.map === 0 ? 0 : f.map === 1 ? 1 : 2]!;
  if (m === 'JCXZ' || m === 'JECXZ' || m === 'JRCXZ') return d.addrSize === 2 ? 'jcxz' : d.addrSize === 4 ? 'jecxz' : 'jrcxz';
  if (f.map === 0 && (last & 0xf0) === 0x70 && isCondFamily(m, 'J')) return 'j' + CC[last & 15];
  if (f.map === 1 && (last & 0xf0) === 0x80 && isCondFamily(m, 'J')) return 'j' + CC[last & 15];
  if (f.map === 1 && (last & 0xf0) === 0x90 && isCondFamily(m, 'SET')) return 'set' + CC[last & 15];
  if (f.map === 1 && (last & 0xf0) === 0x40 && isCondFamily(m, 'CMOV')) return 'cmov' + CC[last & 15];
  const s = STRING_BASE[m];
  if (s) return s;
  const suf = SIZE_SUFFIX[m];
  if (suf) return d.bits !== 64 && (m.startsWith('SYSRET') || m.startsWith('SYSEXIT')) ? m.toLowerCase().replace(/q$/, '') : suf[d.opSize === 2 ? 0 : d.opSize === 8 ? 2 : 1];
  if (m === 'RETF') return d.opSize === 2 ? 'retfw' : d.opSize === 8 ? 'retfq' : 'retf';
  if ((m === 'RET' || m === 'ENTER' || m === 'LEAVE') && d.opSize === 2) return m.toLowerCase() + 'w';
  if ((m === 'PUSH' || m === 'POP') && d.opSize === 2 && f.operands[0]?.kind === OpKind.Fixed && f.operands[0].seg) return m.toLowerCase() + 'w';
  if ((m === 'LGDT' || m === 'LIDT' || m === 'SGDT' || m === 'SIDT') && d.bits !== 64) return m.toLowerCase() + (prefixOpSize(d) === 2 ? 'w' : 'd');
  if (m === 'MOV' && (f.moffs ? d.addrSize === 8 : f.immSizes[0] === 8)) return 'movabs';
  if (m === 'PUSH' && d.opSize === 2 && f.operands[0]?.kind === OpKind.Imm) return 'pushw';
  return ALIAS[m] ?? m.toLowerCase();
}

export interface FormatOptions {
  /** Names an address (branch targets, RIP-relative operands): `0x401000 <main>`. */
  symbolize?: (addr: bigint) => string | undefined;
  /** Append objdump's `# 0x...` comment after a RIP-relative operand (default true). */
  ripComment?: boolean;
}

/** Mnemonics whose `m` operand objdump prints without a size (LEA's is no access at all). */
const NO_SIZE_MEM = new Set(['LEA', 'LGDT', 'LIDT', 'SGDT', 'SIDT', 'FXSAVE', 'FXRSTOR', 'FXSAVE64', 'FXRSTOR64', 'XSAVE', 'XRSTOR', 'XSAVEOPT', 'XSAVEC', 'XSAVES', 'XRSTORS', 'XSAVE64', 'XRSTOR64']);

function memText(d: Instr, size: number, bits: number): string {
  const a = d.addrSize;
  const regs = a === 8 ? R64 : a === 4 ? R32 : R16;
  const segOverride = (d.prefixes & Prefix.SEG) !== 0;
  // In 64-bit mode objdump shows only FS/GS inside the operand (ES/CS/SS/DS are null there).
  const showSeg = segOverride && (bits !== 64 || d.segment >= 4);
  const segText = showSeg ? SEG[d.segment] + ':' : '';
  const disp = pair(d.disp, d.dispHi);
  let inner = '';
  const hasBase = d.base !== REG_NONE;
  let hasIndex = d.index !== REG_NONE;
  if (d.base === REG_RIP) inner = a === 4 ? 'eip' : 'rip';
  else if (hasBase) inner = regs[d.base]!;
  if (hasIndex) inner += (inner ? '+' : '') + regs[d.index]! + (a === 2 ? '' : '*' + (1 << d.scale));
  else if (d.sib >= 0) {
    // objdump shows a SIB byte's empty index as riz/eiz, except [rsp]/[r12] and a 64-bit
    // absolute address without scale.
    const noBase = !hasBase;
    const show = noBase ? bits !== 64 || a !== 8 || d.scale !== 0 : (d.base & 7) !== 4 || d.scale !== 0;
    if (show) {
      inner += (inner ? '+' : '') + (a === 8 ? 'riz' : 'eiz') + '*' + (1 << d.scale);
      hasIndex = true;
    }
  }
  const sizeText = ptrSize(size);
  if (!hasBase && !hasIndex) {
    // Absolute: objdump writes the segment (ds by default) and the address.
    return sizeText + (segText || 'ds:') + hex(mask(disp, a));
  }
  if (d.dispSize !== 0) {
    if (a === 2 && !hasBase && !hasIndex) inner += '+' + hex(mask(disp, 2));
    else inner += disp < 0n ? '-' + hex(-disp) : '+' + hex(disp);
  }
  return sizeText + segText + '[' + inner + ']';
}

function stringOperands(d: Instr, base: string, bits: number): string[] {
  const a = d.addrSize;
  const si = a === 8 ? 'rsi' : a === 4 ? 'esi' : 'si';
  const di = a === 8 ? 'rdi' : a === 4 ? 'edi' : 'di';
  const bx = a === 8 ? 'rbx' : a === 4 ? 'ebx' : 'bx';
  const size = d.opSize;
  const p = ptrSize(size);
  const src = p + SEG[(d.prefixes & Prefix.SEG) !== 0 ? d.segment : 3] + ':[' + si + ']';
  const dst = p + 'es:[' + di + ']';
  const acc = regName(0, size);
  switch (base) {
    case 'movs': return [dst, src];
    case 'cmps': return [src, dst];
    case 'stos': return [dst, acc];
    case 'lods': return [acc, src];
    case 'scas': return [acc, dst];
    case 'ins': return [dst, 'dx'];
    case 'outs': return ['dx', src];
    case 'xlat': return ['BYTE PTR ' + SEG[(d.prefixes & Prefix.SEG) !== 0 ? d.segment : 3] + ':[' + bx + ']'];
  }
  void bits;
  return [];
}

function operandText(d: Instr, o: Operand, address: bigint, bits: number, opts: FormatOptions | undefined, f: Form): string {
  switch (o.kind) {
    case OpKind.Reg:
    case OpKind.OpReg:
      return regName(d.reg, o.size || d.opSize);
    case OpKind.RegMem:
      // MOV Sreg, r/m16 with a register: objdump names it by the prefixes' operand size.
      if (d.rm !== REG_NONE) return regName(d.rm, f.operands[0]!.kind === OpKind.Sreg ? prefixOpSize(d) : o.size || d.opSize);
      return memText(d, o.memSize, bits);
    case OpKind.Mem: {
      if (f.mnemonic === 'CMPXCHG16B') return 'OWORD PTR ' + memText(d, 0, bits);
      let size = o.size;
      if (NO_SIZE_MEM.has(f.mnemonic)) size = 0;
      else if (size === 0 && (f.mnemonic === 'INVLPG' || f.mnemonic.startsWith('PREFETCH') || f.mnemonic.startsWith('CLFLUSH') || f.mnemonic === 'CLWB')) size = 1;
      return memText(d, size, bits);
    }
    case OpKind.Imm:
      return hex(mask(pair(d.imm, d.immHi), f.immSigned ? d.opSize : o.size));
    case OpKind.Imm2:
      return hex(BigInt(d.imm2));
    case OpKind.Rel: {
      const target = mask(address + BigInt(d.length) + pair(d.imm, d.immHi), bits === 64 ? 8 : d.opSize);
      const sym = opts?.symbolize?.(target);
      return sym ? `${hex(target)} <${sym}>` : hex(target);
    }
    case OpKind.Moffs: {
      const seg = (d.prefixes & Prefix.SEG) !== 0 ? SEG[d.segment] : 'ds';
      return seg + ':' + hex(mask(pair(d.disp, d.dispHi), d.addrSize));
    }
    case OpKind.FarPtr:
      return hex(BigInt(d.imm2)) + ':' + hex(BigInt(d.imm >>> 0));
    case OpKind.Fixed:
      return o.seg ? SEG[o.reg]! : regName(o.reg, o.size);
    case OpKind.Sreg:
      return SEG[d.reg] ?? '?';
    case OpKind.Cr:
      return 'cr' + d.reg;
    case OpKind.Dr:
      return 'dr' + d.reg;
    case OpKind.One:
      return '1';
  }
  return '?';
}

/** Intel-syntax text of `instr` at `address` (objdump's spelling; `(bad)` when invalid). */
export function formatInstr(instr: Instr, address: bigint, opts?: FormatOptions): string {
  const f = instr.form;
  if (!f || instr.invalid) return '(bad)';
  const bits = instr.bits;
  const mn = mnemonicOf(instr);
  let ops: string[];
  if (STRING_BASE[f.mnemonic]) ops = stringOperands(instr, STRING_BASE[f.mnemonic]!, bits);
  else ops = f.operands.map((o) => operandText(instr, o, address, bits, opts, f));
  if ((f.mnemonic === 'AAM' || f.mnemonic === 'AAD') && ops.length === 0) ops = ['0xa'];
  let prefix = '';
  if ((instr.prefixes & Prefix.LOCK) !== 0) prefix = 'lock ';
  if (f.rep && (instr.prefixes & Prefix.REP) !== 0) prefix += 'rep ';
  else if (f.rep && (instr.prefixes & Prefix.REPNE) !== 0) prefix += 'repnz ';
  else if (f.repe && (instr.prefixes & Prefix.REP) !== 0) prefix += 'repz ';
  else if (f.repe && (instr.prefixes & Prefix.REPNE) !== 0) prefix += 'repnz ';
  let text = prefix + (ops.length ? mn.padEnd(6) + ' ' + ops.join(',') : mn);
  if (instr.base === REG_RIP && instr.hasMem && opts?.ripComment !== false) {
    const target = mask(address + BigInt(instr.length) + pair(instr.disp, instr.dispHi), instr.addrSize);
    const sym = opts?.symbolize?.(target);
    text += `        # ${hex(target)}` + (sym ? ` <${sym}>` : '');
  }
  return text;
}

