// Generates the encoder's oracle corpus: for every form of the table, NASM-syntax lines covering
// its operand kinds (registers, every addressing form, immediates at their size boundaries, size
// keywords, strict, prefixes, branch distances), plus the hand-written edge lines of
// scripts/asm/edge-cases.txt; assembles them with `nasm -f bin` and writes
// test/fixtures/asm/encode64.txt, encode32.txt and encode16.txt:
//
//   <asm text> | <hex bytes>                 nasm's bytes
//   <asm text> | error: <nasm's message>     nasm rejects the line
//   ... | <hex> | warning: <message>         nasm's warnings, when it gave any
//
// And, for values the assembler cannot know (an external symbol `sym`), lines assembled with
// `nasm -f elf64` / `-f elf32` into test/fixtures/asm/encode-reloc64.txt / encode-reloc32.txt:
//
//   <asm text> | <hex bytes, relocated fields in [absolute] or (pc-relative) brackets>
//
// The bracketed fields hold the relocation's addend as nasm shows it; the encoder must choose the
// same form, agree on every other byte and report a Fixup for exactly those fields.
//
// Run through scripts/asm/encode-corpus.mjs (needs nasm 2.16). With --check it compares the
// encoder with the committed fixtures instead and prints every disagreement.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { OpKind, type Form, type Operand as FormOperand } from '../../isa/form';
import { FORMS } from '../../isa/table';
import { encode } from '../../asm/encoder';
import { parseLine } from './parse-line';
import { checkRelocLine } from './reloc-check';
// @ts-expect-error plain JavaScript module
import { runNasm } from './nasm-oracle.mjs';

type Bits = 16 | 32 | 64;
const MODES: Bits[] = [64, 32, 16];
const FIXTURE = (bits: Bits) => `test/fixtures/asm/encode${bits}.txt`;
const RELOC_FIXTURE = (bits: Bits) => `test/fixtures/asm/encode-reloc${bits}.txt`;

// ---------------------------------------------------------------------------------------------
// Operand choices

const REGS: Record<Bits, Record<number, string[]>> = {
  64: {
    1: ['al', 'cl', 'bl', 'ah', 'bh', 'spl', 'dil', 'r8b', 'r15b'],
    2: ['ax', 'cx', 'dx', 'sp', 'bp', 'si', 'r9w', 'r15w'],
    4: ['eax', 'ecx', 'ebx', 'esp', 'ebp', 'edi', 'r8d', 'r12d', 'r13d', 'r15d'],
    8: ['rax', 'rcx', 'rdx', 'rsp', 'rbp', 'rsi', 'r8', 'r11', 'r12', 'r13', 'r15'],
  },
  32: {
    1: ['al', 'cl', 'dl', 'ah', 'bh'],
    2: ['ax', 'cx', 'bx', 'sp', 'bp', 'di'],
    4: ['eax', 'ecx', 'edx', 'esp', 'ebp', 'edi'],
    8: ['rax', 'r8'],
  },
  16: {
    1: ['al', 'cl', 'ah', 'bh'],
    2: ['ax', 'cx', 'sp', 'di'],
    4: ['eax', 'ecx', 'esp', 'ebp'],
    8: ['rax'],
  },
};

/** Every addressing form worth checking, per mode. */
const MEM_ALL: Record<Bits, string[]> = {
  64: [
    '[rax]', '[rcx]', '[rsp]', '[rbp]', '[r12]', '[r13]', '[r8]', '[r15]',
    '[rax+1]', '[rax-1]', '[rax+127]', '[rax+128]', '[rax-128]', '[rax-129]', '[rax+0x12345678]', '[rax-0x80000000]',
    '[rax+0xFFFFFFFF]', '[rax+0x7FFFFFFF]', '[rbp+0]', '[rbp-8]', '[rsp+8]', '[rsp+0x100]', '[r12+1]', '[r13+0]', '[r13+0x200]',
    '[rax+rbx]', '[rbx+rax]', '[rax+rbx*2]', '[rax+rbx*4+8]', '[rax+rbx*8-0x100]', '[rax*8+rbx]', '[r8+r9*2]', '[r15+r14*4+0x7F]',
    '[rsp+rax]', '[rax+rsp]', '[rsp+rax*2]', '[rbp+rax]', '[rax+rbp]', '[r13+rax]', '[rax+r13]', '[r12+rax]', '[rax+r12]',
    '[rbx*4]', '[rbx*8+0x10]', '[rbx*2]', '[rbx*1]', '[rbx*1+rcx]', '[rbp*2]', '[r13*2]', '[nosplit rbx*1]', '[nosplit rbx*2]', '[rbx*3]', '[rbx*5+1]', '[rbx*9]',
    '[0x1234]', '[abs 0x1234]', '[0x7FFFFFFF]', '[0x80000000]', '[0xFFFFFFFF]', '[-1]', '[0x123456789]', '[qword 0x1234]', '[dword 0x1234]',
    '[rel $+0x1234]', '[rel $-0x10]', '[rel $]',
    '[eax]', '[esp]', '[ebp]', '[eax+ebx*4+8]', '[r8d]', '[r13d+1]', '[eax+0xFFFFFFFF]', '[ebx*2]',
    '[fs:rax]', '[gs:0x10]', '[ds:rbx+8]', '[cs:rax]', '[es:rdi]', '[ss:rsp]',
    '[byte rax+1]', '[byte rbp]', '[dword rax]', '[dword rax+1]', '[byte rax+0x100]', '[word rax]', '[qword rax+1]',
    '[rsp*2]', '[rsp+rsp]', '[rax+ebx]', '[bx+si]', '[rax*16]', '[rax+rbx+rcx]',
  ],
  32: [
    '[eax]', '[ecx]', '[esp]', '[ebp]', '[edi]',
    '[eax+1]', '[eax-1]', '[eax+127]', '[eax+128]', '[eax-128]', '[eax-129]', '[eax+0x12345678]', '[eax+0xFFFFFFFF]', '[ebp+0]', '[ebp-8]', '[esp+8]',
    '[eax+ebx]', '[eax+ebx*2]', '[eax+ebx*4+8]', '[eax+ebx*8-0x100]', '[esp+eax]', '[eax+esp]', '[ebp+eax]', '[eax+ebp]', '[ebp+eax*4]',
    '[ebx*4]', '[ebx*2]', '[ebx*1]', '[ebp*2]', '[nosplit ebx*1]', '[ebx*3]', '[ebx*9+4]',
    '[0x1234]', '[0xFFFFFFFF]', '[0x100000000]', '[dword 0x1234]', '[word 0x1234]', '[rel $+0x10]',
    '[bx+si]', '[bx+di+4]', '[bp+si]', '[bp+di-4]', '[si]', '[di+0x100]', '[bp]', '[bx]', '[bx+0x7F]', '[si+bx]', '[bp+0]', '[byte bx+1]', '[word bx+1]',
    '[fs:eax]', '[gs:0x10]', '[ds:ebx+8]', '[es:edi]', '[ss:ebp]', '[cs:eax+1]',
    '[byte eax+1]', '[dword eax]', '[byte eax+0x100]',
    '[esp*2]', '[rax]', '[eax+bx]', '[bx+bp]', '[si+di]', '[bx*2]', '[ax]',
  ],
  16: [
    '[bx+si]', '[bx+di]', '[bp+si]', '[bp+di]', '[si]', '[di]', '[bp]', '[bx]',
    '[bx+1]', '[bx-1]', '[bx+127]', '[bx+128]', '[bx-128]', '[bx-129]', '[bx+0x1234]', '[bx+0xFFFF]', '[bp+0]', '[bp+si+8]', '[si+bx]', '[di+bp+0x100]',
    '[0x1234]', '[0xFFFF]', '[0x10000]', '[word 0x12]', '[byte bx]', '[word bx]', '[byte bx+0x100]',
    '[eax]', '[esp+8]', '[ebp]', '[eax+ebx*4+8]', '[ebx*2]', '[dword 0x1234]',
    '[es:bx]', '[fs:si]', '[ss:bp]', '[cs:0x10]',
    '[bx+bp]', '[si+di]', '[ax]', '[bx*2]', '[rax]',
  ],
};

/** A few addressing forms for forms that are not about addressing. */
const MEM_FEW: Record<Bits, string[]> = {
  64: ['[rax]', '[rbp+8]', '[rsp+rcx*4-0x200]', '[r13]', '[r12+r9*8+0x12345678]', '[0x1234]', '[rel $+0x100]', '[eax]', '[fs:rbx]'],
  32: ['[eax]', '[ebp+8]', '[esp+ecx*4-0x200]', '[0x1234]', '[bx+si+4]', '[edi*2]', '[fs:ebx]'],
  16: ['[bx+si]', '[bp+4]', '[0x1234]', '[eax+ecx*2]', '[es:di]'],
};

const SIZE_KW: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword', 10: 'tword', 16: 'oword' };

const IMM_VALUES = [
  '0', '1', '-1', '2', '127', '128', '-128', '-129', '255', '256', '-256', '0x7FFF', '0x8000', '0xFFFF', '0x10000', '-0x8000', '-0x8001',
  '0x7FFFFFFF', '0x80000000', '0xFFFFFFFF', '0x100000000', '-0x80000000', '-0x80000001', '0x7FFFFFFFFFFFFFFF', '0x8000000000000000',
  '0xFFFFFFFFFFFFFFFF', '0xFFFFFFFF80000000', '0x123456789ABCDEF0', '0x1FFFFFFFF',
];
const IMM_SIZED = [
  'byte 1', 'byte -1', 'byte 127', 'byte 128', 'byte 255', 'byte 1000', 'word 1', 'word 1000', 'word 0x12345', 'dword 1', 'dword 0x12345678', 'dword 0x100000000',
  'qword 1', 'qword 0x123456789', 'strict byte 1', 'strict word 1', 'strict dword 1', 'strict qword 1', 'strict dword 0x12345678', 'strict byte 0x80',
];
const COUNT_VALUES = ['0', '1', '2', '7', '31', '32', '63', '64', '127', '128', '255', '256', '-1', 'byte 3', 'strict byte 1', 'word 3', 'dword 3'];
const REL_TARGETS = ['$', '$+2', '$+5', '$+0x81', '$+0x82', '$+0x83', '$+0x84', '$-0x7E', '$-0x7F', '$-0x80', '$+0x1000', '$-0x1000', '$+0x7FFF', '$+0x10000', '$+0x12345678'];

function regs(bits: Bits, size: number): string[] {
  return REGS[bits][size] ?? [];
}

/** Choices for one form operand (the first is the "plain" one used while others vary). */
function choices(f: Form, fo: FormOperand, bits: Bits, rich: boolean): string[] {
  const os = f.opSize ? f.opSize / 8 : f.size64 && bits === 64 ? 8 : 0;
  const mem = (size: number, all: boolean) => {
    const list = all ? MEM_ALL[bits] : MEM_FEW[bits];
    const kw = SIZE_KW[size];
    const out = list.map((m) => (kw ? `${kw} ${m}` : m));
    out.push(list[0]!); // unsized
    if (kw) for (const other of [1, 2, 4, 8]) if (other !== size) out.push(`${SIZE_KW[other]} ${list[0]}`);
    return out;
  };
  switch (fo.kind) {
    case OpKind.Reg:
    case OpKind.OpReg:
      return regs(bits, fo.size || os);
    case OpKind.RegMem: {
      const r = regs(bits, fo.size || os);
      if (f.modRestrict === 2 || f.operands.some((o) => o.kind === OpKind.Cr || o.kind === OpKind.Dr)) return [...r, ...(fo.size === 8 ? regs(bits, 4).slice(0, 1) : regs(bits, 8).slice(0, 1)), MEM_FEW[bits][0]!];
      const other = [1, 2, 4, 8].filter((s) => s !== (fo.size || os)).map((s) => regs(bits, s)[0]!).filter(Boolean);
      return [...r, ...mem(fo.memSize, rich), ...other];
    }
    case OpKind.Mem: {
      if (/^m16:/.test(fo.text) && (f.mnemonic === 'JMP' || f.mnemonic === 'CALL')) {
        const m = MEM_FEW[bits];
        return [`far ${m[0]}`, `far dword ${m[0]}`, `far qword ${m[0]}`, `far word ${m[0]}`, `far ${m[1]}`, `far tword ${m[0]}`];
      }
      return mem(fo.size, rich || fo.size === 0);
    }
    case OpKind.Moffs: {
      const kw = SIZE_KW[fo.size]!;
      const base = bits === 16 ? ['[0x1234]', '[0xFFFF]'] : bits === 32 ? ['[0x1234]', '[0xFFFFFFFF]', '[word 0x1234]'] : ['[0x1234]', '[qword 0x1234]', '[qword 0x123456789ABC]', '[0x123456789]', '[dword 0x1234]', '[abs qword 0x10]'];
      return [...base.map((m) => `${kw} ${m}`), ...base, `[fs:0x10]`, `[qword fs:0x10]`];
    }
    case OpKind.Imm:
    case OpKind.Imm2: {
      if (f.immSigned && fo.kind === OpKind.Imm) return rich ? [...IMM_VALUES, ...IMM_SIZED] : ['1', '-1', '0x80', '0x1234', '0x12345678', 'byte 1', 'dword 1', 'strict dword 1'];
      return COUNT_VALUES;
    }
    case OpKind.Rel:
      return REL_TARGETS.flatMap((t) => [t, `short ${t}`, `near ${t}`]).filter((_, i) => rich || i % 3 === 0 || i < 9);
    case OpKind.FarPtr:
      return ['0x08:0x1234', '0x10:0x12345678', '0xFFFF:0xFFFF', 'word 0x08:0x1234', 'dword 0x08:0x1234'];
    case OpKind.Fixed:
      return [fo.text.toLowerCase()];
    case OpKind.Sreg:
      return ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
    case OpKind.Cr:
      return ['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'cr1', 'cr15'];
    case OpKind.Dr:
      return ['dr0', 'dr3', 'dr6', 'dr7', 'dr8'];
    case OpKind.One:
      return ['1'];
  }
  return [];
}

/** The NASM mnemonic spelling a form is written with. */
function nasmMnemonic(f: Form): string {
  return f.mnemonic.toLowerCase();
}

/** Lines for one form in one mode: every choice of each operand with the others at their first. */
function formLines(f: Form, bits: Bits, rich: boolean): string[] {
  const ch = f.operands.map((o) => choices(f, o, bits, rich));
  const out: string[] = [];
  const mn = nasmMnemonic(f);
  const line = (picks: string[]) => {
    // far/short/near go after the mnemonic
    const ops = picks.slice();
    let kw = '';
    if (ops[0]?.match(/^(far|short|near) /)) {
      kw = ops[0].split(' ')[0]! + ' ';
      ops[0] = ops[0].slice(kw.length);
    }
    return `${mn} ${kw}${ops.join(', ')}`.trim();
  };
  if (!ch.length) return [mn];
  const first = ch.map((c) => c[0] ?? '');
  for (let i = 0; i < ch.length; i++) for (const c of ch[i]!) out.push(line(first.map((x, j) => (j === i ? c : x))));
  // Two-operand forms: a small cross product of the first few choices.
  if (ch.length === 2) for (const a of ch[0]!.slice(0, 4)) for (const b of ch[1]!.slice(0, 4)) out.push(line([a, b]));
  // Prefixes on the plain line.
  const plain = line(first);
  const pfx = ['o16', 'o32', 'a32', 'a16'];
  if (bits === 64) pfx.push('o64', 'a64');
  if (f.lock) pfx.push('lock');
  if (f.rep || f.repe) pfx.push('rep', 'repne', 'repe');
  if (f.modrm >= 0 || f.moffs) pfx.push('fs');
  for (const p of pfx) out.push(`${p} ${plain}`);
  return out;
}

/** Forms whose lines get the full lists (a representative of each shape). */
const RICH = new Set([
  'Add_rm8_imm8', 'Add_rm16_imm8', 'Add_rm32_imm8', 'Add_rm64_imm8', 'Add_al_imm8', 'Add_ax_imm16', 'Add_eax_imm32', 'Add_rax_imm32',
  'Cmp_rm32_imm32', 'Cmp_rm64_imm32', 'And_rm16_imm16', 'Mov_rm32_r32', 'Mov_r32_rm32', 'Mov_rm8_r8', 'Mov_r64_rm64', 'Mov_rm64_r64', 'Mov_rm16_r16',
  'Mov_r64_imm64', 'Mov_r32_imm32', 'Mov_r16_imm16', 'Mov_r8_imm8', 'Mov_rm64_imm32', 'Mov_rm32_imm32', 'Mov_rm16_imm16', 'Mov_rm8_imm8',
  'Lea_r64_m', 'Lea_r32_m', 'Lea_r16_m', 'Test_rm32_imm32', 'Test_rm64_imm32', 'Test_al_imm8', 'Test_rm8_imm8',
  'Imul_r32_rm32_imm8', 'Imul_r64_rm64_imm32', 'Imul_r16_rm16_imm16', 'Pushq_imm8', 'Pushq_imm32', 'Pushd_imm32', 'Push_imm16', 'Pushw_imm8',
  'Jmp_rel32_64', 'Jmp_rel32_32', 'Jmp_rel16', 'Je_rel32_64', 'Je_rel32_32', 'Je_rel16', 'Call_rel32_64', 'Call_rel32_32', 'Call_rel16',
  'Loop_rel8_64', 'Loop_rel8_32', 'Jrcxz_rel8', 'Jecxz_rel8_32', 'Jecxz_rel8_64',
  'Inc_rm32', 'Push_rm64', 'Movzx_r32_rm8', 'Xchg_rm32_r32', 'Shl_rm32_imm8', 'Cmpxchg_rm64_r64', 'Mov_rm16_sreg', 'Mov_sreg_rm16',
]);

function corpusLines(bits: Bits): string[] {
  const lines: string[] = [];
  for (const f of FORMS) {
    if (f.aliasOf) continue;
    const inMode = bits === 64 ? f.mode64 : f.mode32;
    if (!inMode) {
      // The other mode's forms: one plain line each, which nasm should reject (or encode otherwise).
      lines.push(formLines(f, bits, false)[0]!);
      continue;
    }
    lines.push(...formLines(f, bits, RICH.has(f.id)));
  }
  return lines;
}

/** Deterministic generator (xorshift32), so the corpus is reproducible. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.next() % a.length]!;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

/** Random lines: a random form, every operand drawn from the full lists, sometimes a prefix or two. */
function randomLines(bits: Bits, count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const forms = FORMS.filter((f) => !f.aliasOf && (bits === 64 ? f.mode64 : f.mode32));
  const prefixes = ['lock', 'rep', 'repne', 'o16', 'o32', 'a32', 'fs', 'gs', 'es', 'cs', ...(bits === 64 ? ['o64', 'a64'] : ['a16'])];
  const out: string[] = [];
  while (out.length < count) {
    const f = rng.pick(forms);
    const picks = f.operands.map((o) => rng.pick(choices(f, o, bits, true)));
    let kw = '';
    if (/^(far|short|near) /.test(picks[0] ?? '')) {
      kw = picks[0]!.split(' ')[0]! + ' ';
      picks[0] = picks[0]!.slice(kw.length);
    }
    let pre = '';
    while (rng.chance(0.2)) pre += rng.pick(prefixes) + ' ';
    out.push(`${pre}${nasmMnemonic(f)} ${kw}${picks.join(', ')}`.trim());
  }
  return out;
}

/** Hand-written edge lines from edge-cases.txt, by mode (`bits N` lines switch mode). */
function edgeLines(): Record<Bits, string[]> {
  const out: Record<Bits, string[]> = { 64: [], 32: [], 16: [] };
  let bits: Bits = 64;
  for (const raw of readFileSync('scripts/asm/edge-cases.txt', 'utf8').split('\n')) {
    const l = raw.replace(/\s*;;.*$/, '').trim();
    if (!l || l.startsWith('#')) continue;
    const m = l.match(/^bits (16|32|64)$/);
    if (m) bits = +m[1]! as Bits;
    else out[bits].push(l);
  }
  return out;
}

/** Lines with the external symbol `sym` in every field that can hold one. */
function relocLines(bits: 32 | 64): string[] {
  const IMM = ['sym', 'sym+0x10', 'sym-1', 'byte sym', 'word sym', 'dword sym', 'qword sym', 'strict dword sym', 'strict byte sym', 'strict qword sym'];
  const COUNT = ['sym', 'byte sym'];
  const REL = ['sym', 'sym+2', 'short sym', 'near sym'];
  const MEM = bits === 64
    ? ['[sym]', '[rbx+sym]', '[rbx+sym+8]', '[rel sym]', '[rel sym+4]', '[abs sym]', '[byte rbx+sym]', '[rsp+rax*4+sym]', '[qword sym]', '[fs:sym]', '[rax*2+sym]', '[ebx+sym]', '[r13+sym]']
    : ['[sym]', '[ebx+sym]', '[ebx+sym+8]', '[rel sym]', '[byte ebx+sym]', '[esp+eax*4+sym]', '[fs:sym]', '[eax*2+sym]', '[word sym]', '[bx+sym]', '[ebp+sym]'];
  const lines: string[] = [];
  for (const f of FORMS) {
    if (f.aliasOf || !(bits === 64 ? f.mode64 : f.mode32)) continue;
    const plain = f.operands.map((o) => choices(f, o, bits, false)[0] ?? '');
    const mn = nasmMnemonic(f);
    f.operands.forEach((fo, i) => {
      let subs: string[] = [];
      if (fo.kind === OpKind.Imm || fo.kind === OpKind.Imm2) subs = f.immSigned && fo.kind === OpKind.Imm ? IMM : COUNT;
      else if (fo.kind === OpKind.Rel) subs = REL;
      else if (fo.kind === OpKind.Moffs) subs = bits === 64 ? ['[sym]', '[qword sym]', '[dword sym]', '[fs:qword sym]'] : ['[sym]', '[word sym]', '[fs:sym]'];
      else if ((fo.kind === OpKind.Mem || fo.kind === OpKind.RegMem) && f.modrm >= 0 && f.modRestrict !== 2 && !f.operands.some((o) => o.kind === OpKind.Cr || o.kind === OpKind.Dr)) {
        const kw = SIZE_KW[fo.kind === OpKind.RegMem ? fo.memSize : fo.size];
        const far = /^m16:/.test(fo.text) && (f.mnemonic === 'JMP' || f.mnemonic === 'CALL') ? 'far ' : '';
        subs = MEM.map((m) => `${far}${kw && !/[&:]/.test(fo.text) && fo.size !== 0 ? kw + ' ' : ''}${m}`);
      } else if (fo.kind === OpKind.FarPtr) subs = ['0x08:sym', '0x08:sym+4'];
      for (const sub of subs) {
        const ops = plain.slice();
        ops[i] = sub;
        let kw = '';
        if (/^(far|short|near) /.test(ops[0] ?? '')) {
          kw = ops[0]!.split(' ')[0]! + ' ';
          ops[0] = ops[0]!.slice(kw.length);
        }
        lines.push(`${mn} ${kw}${ops.join(', ')}`);
      }
    });
  }
  return lines;
}

function unique(a: string[]): string[] {
  return [...new Set(a.map((l) => l.replace(/\s+/g, ' ').trim()))];
}

// ---------------------------------------------------------------------------------------------
// Fixture format

export interface FixtureLine {
  asm: string;
  bytes?: string;
  error?: string;
  warnings: string[];
}

export function readFixture(text: string): FixtureLine[] {
  const out: FixtureLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim() || l.startsWith('#')) continue;
    const parts = l.split(' | ');
    const asm = parts[0]!.trim();
    const res = (parts[1] ?? '').trim();
    const warnings = parts.slice(2).map((w) => w.replace(/^warning: /, '').trim());
    if (res.startsWith('error: ')) out.push({ asm, error: res.slice(7), warnings });
    else out.push({ asm, bytes: res, warnings });
  }
  return out;
}

function generate(): void {
  const edges = edgeLines();
  mkdirSync('test/fixtures/asm', { recursive: true });
  for (const bits of MODES) {
    const lines = unique([...(bits === 16 ? corpus16() : corpusLines(bits)), ...edges[bits], ...randomLines(bits, bits === 16 ? 1500 : 5000, 0x5eed0000 + bits)]);
    let results: { line: string; bytes?: string; reloc?: boolean; error?: string; warnings: string[] }[] = [];
    for (let i = 0; i < lines.length; i += 2000) results.push(...runNasm(bits, lines.slice(i, i + 2000)));
    // Lines whose bytes nasm would relocate depend on their address: left out.
    // Lines that crash nasm say nothing either.
    results = results.filter((r) => !r.reloc && !/nasm crashes/.test(r.error ?? ''));
    const text = [
      `# nasm -f bin (${'nasm 2.16'}), bits ${bits}: <asm> | <hex bytes> or error: <message> [| warning: <message>]...`,
      '# Generated by scripts/asm/encode-corpus.mjs; asm/encoder.test.ts requires the encoder to agree on every line.',
      ...results.map((r) => {
        // nasm takes unknown words (e.g. `sysretq`) as labels: no bytes.
        if (r.bytes === '') return `${r.line} | error: not an instruction (nasm reads a label)`;
        const w = r.warnings.filter((x) => !/label alone/.test(x)).map((x) => ` | warning: ${x}`).join('');
        return `${r.line} | ${r.error !== undefined ? 'error: ' + r.error : r.bytes}${w}`;
      }),
    ].join('\n');
    writeFileSync(FIXTURE(bits), text + '\n');
    const errs = results.filter((r) => r.error !== undefined).length;
    console.log(`${FIXTURE(bits)}: ${results.length} lines (${results.length - errs} encoded, ${errs} errors)`);
  }
}

function generateReloc(): void {
  for (const bits of [64, 32] as const) {
    const lines = unique(relocLines(bits));
    const results: { line: string; raw?: string; relocs?: string[]; error?: string; warnings: string[] }[] = [];
    for (let i = 0; i < lines.length; i += 2000) results.push(...runNasm(bits, lines.slice(i, i + 2000), 'extern sym', bits === 64 ? 'elf64' : 'elf32'));
    const kept = results.filter((r) => !/nasm crashes/.test(r.error ?? '') && r.raw !== '');
    const text = [
      `# nasm -f elf${bits} (nasm 2.16), bits ${bits}, extern sym: <asm> | <hex, relocated fields in [absolute] or (pc-relative) brackets> or error: <message> [| <offset>:<R_X86_64_ type>...]`,
      '# Generated by scripts/asm/encode-corpus.mjs; asm/encoder.test.ts requires the same form, the same other bytes and fixups on exactly the bracketed fields.',
      ...kept.map((r) => `${r.line} | ${r.error !== undefined ? 'error: ' + r.error : r.raw}${r.relocs?.length ? ' | ' + r.relocs.join(' ') : ''}`),
    ].join('\n');
    writeFileSync(RELOC_FIXTURE(bits), text + '\n');
    const errs = kept.filter((r) => r.error !== undefined).length;
    console.log(`${RELOC_FIXTURE(bits)}: ${kept.length} lines (${kept.length - errs} encoded, ${errs} errors)`);
  }
}

/** 16-bit mode: the forms valid in 32-bit mode, plain lines only (NASM's bits 16). */
function corpus16(): string[] {
  const lines: string[] = [];
  for (const f of FORMS) {
    if (f.aliasOf || !f.mode32) continue;
    lines.push(...formLines(f, 16, false).slice(0, 12));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// --check: the encoder against the fixtures

export function checkLine(fl: FixtureLine, bits: Bits): string | null {
  const address = 0x1000n;
  const p = parseLine(fl.asm, address);
  let got: string;
  if (!p.ok) got = `error: ${p.error}`;
  else {
    const r = encode(p.ins, { bits, address, defaultRel: false });
    got = r.ok ? Buffer.from(r.bytes).toString('hex').toUpperCase() : `error: ${r.error}`;
  }
  const want = fl.error !== undefined ? 'error' : fl.bytes!;
  const gotKey = got.startsWith('error') ? 'error' : got;
  return gotKey === want ? null : got;
}

function check(): void {
  for (const bits of [64, 32] as const) {
    let n = 0;
    let b = 0;
    for (const l of readFileSync(RELOC_FIXTURE(bits), 'utf8').split('\n')) {
      if (!l.trim() || l.startsWith('#')) continue;
      n++;
      const [asm, want, types] = l.split(' | ') as [string, string, string | undefined];
      const d = checkRelocLine(asm, want.trim(), bits, types);
      if (d === null) continue;
      b++;
      console.log(`reloc ${bits}: ${asm.padEnd(44)} nasm ${want}  ${d}`);
    }
    console.log(`# reloc ${bits}: ${n - b}/${n} agree`);
  }
  let total = 0;
  let bad = 0;
  for (const bits of MODES) {
    const lines = readFixture(readFileSync(FIXTURE(bits), 'utf8'));
    let b = 0;
    for (const fl of lines) {
      const got = checkLine(fl, bits);
      if (got === null) continue;
      b++;
      console.log(`bits ${bits}: ${fl.asm.padEnd(44)} nasm ${fl.error !== undefined ? 'error: ' + fl.error : fl.bytes}  ours ${got}`);
    }
    console.log(`# bits ${bits}: ${lines.length - b}/${lines.length} agree`);
    total += lines.length;
    bad += b;
  }
  console.log(`# total: ${total - bad}/${total} agree`);
}

/** --explore <seed>: fresh random lines through nasm and the encoder, nothing written. */
function explore(seed: number): void {
  for (const bits of MODES) {
    const lines = unique(randomLines(bits, 20000, seed + bits));
    let bad = 0;
    for (let i = 0; i < lines.length; i += 2000) {
      for (const r of runNasm(bits, lines.slice(i, i + 2000)) as { line: string; bytes?: string; reloc?: boolean; error?: string; warnings: string[] }[]) {
        if (r.reloc || /nasm crashes/.test(r.error ?? '')) continue;
        const fl: FixtureLine = r.error !== undefined || r.bytes === '' ? { asm: r.line, error: r.error ?? 'label', warnings: [] } : { asm: r.line, bytes: r.bytes!, warnings: [] };
        const got = checkLine(fl, bits);
        if (got === null) continue;
        bad++;
        console.log(`bits ${bits}: ${r.line.padEnd(44)} nasm ${fl.error !== undefined ? 'error: ' + fl.error : fl.bytes}  ours ${got}`);
      }
    }
    console.log(`# explore bits ${bits}: ${lines.length - bad}/${lines.length} agree`);
  }
}

const ex = process.argv.indexOf('--explore');
if (ex >= 0) explore(Number(process.argv[ex + 1] ?? 1));
else if (process.argv.includes('--check')) check();
else {
  generate();
  generateReloc();
}
