import { describe, expect, it } from 'vitest';
import { decode, newInstr } from './decoder';
import { FORM_ID } from './table';
import { Prefix, REG8_AH, REG_NONE, REG_RIP, Seg } from './instr';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const dec = (s: string, bits: 64 | 32 = 64) => {
  const b = hex(s);
  return decode(b, 0, b.length, bits);
};
const id = (s: string, bits: 64 | 32 = 64) => {
  const d = dec(s, bits);
  return d.form ? d.form.id : `invalid: ${d.invalid}`;
};

describe('decoder: forms and prefixes', () => {
  it('decodes common forms with their lengths', () => {
    const cases: [string, string, number][] = [
      ['48 01 c0', 'Add_rm64_r64', 3],
      ['01 c0', 'Add_rm32_r32', 2],
      ['66 01 c0', 'Add_rm16_r16', 3],
      ['00 c0', 'Add_rm8_r8', 2],
      ['48 83 44 24 08 ff', 'Add_rm64_imm8', 6],
      ['48 b8 11 22 33 44 55 66 77 88', 'Mov_r64_imm64', 10],
      ['48 c7 c0 ff ff ff ff', 'Mov_rm64_imm32', 7],
      ['e8 00 00 00 00', 'Call_rel32_64', 5],
      ['66 e8 00 00 00 00', 'Call_rel32_64', 6],
      ['c3', 'Retq', 1],
      ['0f 01 f8', 'Swapgs', 3],
      ['0f 01 10', 'Lgdt_m1664', 3],
      ['c8 10 00 05', 'Enterq_imm16_imm8', 4],
      ['66 c8 10 00 05', 'Enterw_imm16_imm8', 5],
    ];
    for (const [bytes, form, len] of cases) {
      const d = dec(bytes);
      expect(d.form?.id ?? d.invalid, bytes).toBe(form);
      expect(d.length, bytes).toBe(len);
    }
  });

  it('NOP, PAUSE and XCHG share 90', () => {
    expect(id('90')).toBe('Nop');
    expect(id('66 90')).toBe('Nop');
    expect(id('48 90')).toBe('Nop');
    expect(id('f3 90')).toBe('Pause');
    expect(id('41 90')).toBe('Xchg_eax_r32');
    expect(dec('41 90').reg).toBe(8);
    expect(id('49 90')).toBe('Xchg_rax_r64');
    expect(id('91')).toBe('Xchg_eax_r32');
  });

  it('mandatory prefixes select the form', () => {
    expect(id('f3 0f b8 c0')).toBe('Popcnt_r32_rm32');
    expect(id('0f b8 c0')).toMatch(/^invalid/);
    expect(id('66 f3 0f b8 c0')).toBe('Popcnt_r16_rm16');
    expect(id('f3 48 0f b8 c0')).toBe('Popcnt_r64_rm64');
    expect(id('f3 0f bc c0')).toBe('Tzcnt_r32_rm32');
    expect(id('0f bc c0')).toBe('Bsf_r32_rm32');
    expect(id('f2 f3 0f bc c0')).toBe('Tzcnt_r32_rm32');
    expect(id('f3 f2 0f bc c0')).toBe('Bsf_r32_rm32');
  });

  it('REX counts only right before the opcode', () => {
    expect(id('48 66 01 c0')).toBe('Add_rm16_r16');
    expect(dec('48 66 01 c0').rex).toBe(0);
    expect(id('66 48 01 c0')).toBe('Add_rm64_r64');
    expect(dec('41 48 01 c0').rm).toBe(0); // the last REX wins
    expect(dec('48 41 01 c0').rm).toBe(8);
  });

  it('numbers 8-bit registers with and without REX', () => {
    const d = dec('88 e0'); // mov al, ah
    expect(d.rm).toBe(0);
    expect(d.reg).toBe(REG8_AH);
    const e = dec('40 88 e0'); // mov al, spl
    expect(e.reg).toBe(4);
    expect(e.prefixes & Prefix.REX).toBeTruthy();
    expect(dec('b4 01').reg).toBe(REG8_AH); // mov ah, 1
    expect(dec('41 b4 01').reg).toBe(12); // mov r12b, 1
    expect(dec('0f b6 c4').rm).toBe(REG8_AH); // movzx eax, ah
  });

  it('decodes ModRM, SIB and displacements', () => {
    let d = dec('48 8b 44 98 f0'); // mov rax, [rax+rbx*4-0x10]
    expect([d.base, d.index, d.scale, d.disp, d.dispSize]).toEqual([0, 3, 2, -16, 1]);
    d = dec('8b 05 10 00 00 00'); // [rip+0x10]
    expect([d.base, d.index, d.disp]).toEqual([REG_RIP, REG_NONE, 16]);
    d = dec('8b 05 10 00 00 00', 32); // [0x10]
    expect([d.base, d.index, d.disp]).toEqual([REG_NONE, REG_NONE, 16]);
    d = dec('8b 04 25 10 00 00 00'); // SIB no base no index
    expect([d.base, d.index, d.disp]).toEqual([REG_NONE, REG_NONE, 16]);
    d = dec('42 8b 04 25 10 00 00 00'); // REX.X: index r12, no base
    expect([d.base, d.index]).toEqual([REG_NONE, 12]);
    d = dec('8b 04 24'); // [rsp]
    expect([d.base, d.index, d.segment]).toEqual([4, REG_NONE, Seg.SS]);
    d = dec('41 8b 04 24'); // [r12]: DS
    expect([d.base, d.segment]).toEqual([12, Seg.DS]);
    d = dec('8b 45 00'); // [rbp+0]
    expect([d.base, d.segment, d.dispSize]).toEqual([5, Seg.SS, 1]);
    d = dec('41 8b 45 00'); // [r13+0]
    expect([d.base, d.segment]).toEqual([13, Seg.DS]);
    d = dec('64 8b 45 00'); // fs:[rbp+0]
    expect(d.segment).toBe(Seg.FS);
    d = dec('64 65 8b 00'); // last override wins
    expect(d.segment).toBe(Seg.GS);
    d = dec('67 8b 00'); // [eax]
    expect([d.addrSize, d.base]).toEqual([4, 0]);
    d = dec('67 8b 05 10 00 00 00'); // [eip+0x10]
    expect([d.addrSize, d.base]).toEqual([4, REG_RIP]);
  });

  it('decodes 16-bit addressing in 32-bit mode', () => {
    let d = dec('67 8b 00', 32); // [bx+si]
    expect([d.addrSize, d.base, d.index, d.scale, d.length]).toEqual([2, 3, 6, 0, 3]);
    d = dec('67 8b 42 10', 32); // [bp+si+0x10]
    expect([d.base, d.index, d.disp, d.segment]).toEqual([5, 6, 16, Seg.SS]);
    d = dec('67 8b 06 34 12', 32); // [0x1234]
    expect([d.base, d.index, d.disp, d.length]).toEqual([REG_NONE, REG_NONE, 0x1234, 5]);
    d = dec('67 8b 87 00 80', 32); // [bx+0x8000] disp16 sign-extended
    expect([d.base, d.index, d.disp]).toEqual([3, REG_NONE, -0x8000]);
  });

  it('fills immediates as instr.ts documents', () => {
    let d = dec('83 c0 ff');
    expect([d.imm, d.immHi]).toEqual([-1, -1]);
    d = dec('48 05 00 00 00 80');
    expect([d.imm, d.immHi]).toEqual([-0x80000000, -1]);
    d = dec('c2 ff ff');
    expect([d.imm, d.immHi]).toEqual([0xffff, 0]);
    d = dec('c8 ff ff 05');
    expect([d.imm, d.imm2]).toEqual([0xffff, 5]);
    d = dec('e4 80');
    expect([d.imm, d.immHi]).toEqual([0x80, 0]);
    d = dec('c1 e0 ff');
    expect(d.imm).toBe(0xff);
    d = dec('eb fe');
    expect([d.imm, d.immHi]).toEqual([-2, -1]);
    d = dec('48 b8 11 22 33 44 55 66 77 88');
    expect([d.imm >>> 0, d.immHi >>> 0]).toEqual([0x44332211, 0x88776655]);
    d = dec('ea 78 56 34 12 34 12', 32);
    expect([d.imm >>> 0, d.immHi, d.imm2]).toEqual([0x12345678, 0, 0x1234]);
    d = dec('66 ea 34 12 78 56', 32);
    expect([d.imm, d.imm2, d.length]).toEqual([0x1234, 0x5678, 6]);
  });

  it('decodes moffs by address size', () => {
    let d = dec('48 a1 11 22 33 44 55 66 77 88');
    expect([d.length, d.disp >>> 0, d.dispHi >>> 0, d.hasMem, d.dispSize]).toEqual([10, 0x44332211, 0x88776655, true, 8]);
    d = dec('67 a1 11 22 33 44');
    expect([d.length, d.disp >>> 0, d.addrSize]).toEqual([6, 0x44332211, 4]);
    d = dec('a1 11 22 33 44', 32);
    expect([d.length, d.disp >>> 0]).toEqual([5, 0x44332211]);
    d = dec('67 a1 11 22', 32);
    expect([d.length, d.disp]).toEqual([4, 0x2211]);
  });

  it('sets operand size from 66, REX.W, d64 and f64', () => {
    expect(dec('50').opSize).toBe(8);
    expect(dec('66 50').opSize).toBe(2);
    expect(id('66 50')).toBe('Push_r16');
    expect(dec('50', 32).opSize).toBe(4);
    expect(dec('eb 00').opSize).toBe(8);
    expect(dec('66 eb 00').opSize).toBe(8); // f64: 66 ignored
    expect(id('66 eb 00', 32)).toBe('Jmp_rel8_16');
    expect(dec('88 c0').opSize).toBe(1);
  });

  it('selects forms by address size', () => {
    expect(id('e3 00')).toBe('Jrcxz_rel8');
    expect(id('67 e3 00')).toBe('Jecxz_rel8_64');
    expect(id('e3 00', 32)).toBe('Jecxz_rel8_32');
    expect(id('67 e3 00', 32)).toBe('Jcxz_rel8_32');
  });

  it('rejects what the CPU rejects', () => {
    expect(dec('f0 01 c0').invalid).toBe('LOCK prefix not allowed'); // register destination
    expect(dec('f0 01 00').invalid).toBe('');
    expect(dec('f0 8b 00').invalid).toBe('LOCK prefix not allowed'); // MOV is not lockable
    expect(dec('0f 01 d0').invalid).not.toBe(''); // LGDT with a register (XGETBV not in the table)
    expect(dec('8d c0').invalid).toBe('memory operand required'); // LEA with a register
    expect(dec('06').invalid).toBe('not valid in 64-bit mode'); // PUSH ES
    expect(dec('06', 32).invalid).toBe('');
    expect(dec('0f 20 c8').invalid).toBe('invalid control register'); // CR1
    expect(dec('8e c8').invalid).toBe('MOV to CS');
    expect(dec('8c f0').invalid).toBe('invalid segment register');
    expect(dec('0f 05', 32).invalid).toBe('not valid in 32-bit mode'); // SYSCALL (Intel)
    expect(dec('0f 0b').form?.id).toBe('Ud2'); // UD2 decodes; executing it raises #UD
  });

  it('treats mod as a register for MOV CR/DR', () => {
    const d = dec('0f 20 00');
    expect([d.form?.id, d.reg, d.rm, d.hasMem]).toEqual(['Mov_r64_cr', 0, 0, false]);
    const e = dec('44 0f 20 c0'); // mov rax, cr8
    expect([e.reg, e.rm]).toEqual([8, 0]);
  });

  it('reports truncated and too-long input', () => {
    expect(dec('48').invalid).toBe('truncated');
    expect(dec('48 8b').invalid).toBe('truncated');
    expect(dec('48 8b 80 00 00').invalid).toBe('truncated');
    expect(dec('48 b8 11 22').invalid).toBe('truncated');
    const long = hex('66 66 66 66 66 66 66 66 66 66 66 48 8b 80 00 00 00 00');
    const d = decode(long, 0, long.length, 64);
    expect([d.invalid, d.length]).toEqual(['too long', 15]);
    const ok = hex('66 66 66 66 66 66 66 66 66 66 66 90');
    expect(decode(ok, 0, ok.length, 64).length).toBe(12);
    const prefixes = new Uint8Array(20).fill(0x66);
    expect(decode(prefixes, 0, 20, 64).invalid).toBe('too long');
    expect(decode(prefixes, 0, 5, 64).invalid).toBe('truncated');
  });

  it('reuses the out object and respects pos and avail', () => {
    const out = newInstr();
    const b = hex('90 48 01 c0 cc');
    expect(decode(b, 1, 4, 64, out)).toBe(out);
    expect([out.form?.id, out.length]).toEqual(['Add_rm64_r64', 3]);
    expect(decode(b, 1, 2, 64, out).invalid).toBe('truncated');
    expect(decode(b, 4, 1, 64, out).form?.id).toBe('Int3');
    expect(FORM_ID['Int3']).toBe(out.formIndex);
  });

  it('never throws on random bytes and keeps lengths in 1..15', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const buf = new Uint8Array(32);
    const out = newInstr();
    for (let i = 0; i < 200_000; i++) {
      for (let j = 0; j < buf.length; j++) buf[j] = rnd();
      // Bias towards prefixes and REX to reach deep paths.
      if (i & 1) buf[0] = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x48, 0x41, 0x0f, 0x2e, 0x64][i % 10]!;
      const avail = 1 + (i % 20);
      for (const bits of [64, 32, 16] as const) {
        const d = decode(buf, 0, avail, bits, out);
        if (d.length < 1 || d.length > 15 || (!d.invalid && d.length > avail)) throw new Error(`bad length ${d.length} for ${Array.from(buf.slice(0, 16), (x) => x.toString(16)).join(' ')}`);
        if (!d.invalid && !d.form) throw new Error('valid without form');
      }
    }
  });
});

// The corpus (test/fixtures/isa/corpus64.txt, corpus32.txt): byte sequences covering every form,
// with objdump's and llvm-mc's reading, committed so no tool is needed here. Regenerate with
// `node scripts/isa/corpus.mjs`.
import { readFileSync } from 'node:fs';
import { FORMS } from './table';
import { judge, type CaseLine } from '../scripts/isa/judge';

function readCorpus(bits: 64 | 32): { header: string[]; lines: CaseLine[] } {
  const text = readFileSync(new URL(`../test/fixtures/isa/corpus${bits}.txt`, import.meta.url), 'utf8');
  const header: string[] = [];
  const lines: CaseLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    if (raw.startsWith('#')) {
      header.push(raw);
      continue;
    }
    const [hexText, objdump, llvm, note, ours] = raw.split(' | ');
    lines.push({ bytes: hexText!.split(' ').map((x) => parseInt(x, 16)), objdump: objdump!, llvm: llvm!, note: note ?? '', ours: ours ?? '' });
  }
  return { header, lines };
}

describe.each([64, 32] as const)('corpus, %i-bit mode', (bits) => {
  const { header, lines } = readCorpus(bits);

  it('has thousands of cases and documents its rules', () => {
    expect(lines.length).toBeGreaterThan(3000);
    for (const note of new Set(lines.map((l) => l.note).filter(Boolean))) expect(header.join('\n'), note).toContain(`#   ${note} (`);
  });

  it('agrees with objdump or llvm-mc on every case, or a documented rule says why not', () => {
    const problems: string[] = [];
    let agreeObjdump = 0;
    for (const l of lines) {
      const v = judge(l, bits);
      if (v.objdump) agreeObjdump++;
      const hexText = l.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
      if (!v.ok) problems.push(`${hexText}: ours '${v.oursText}' objdump '${l.objdump}' llvm '${l.llvm}' (${v.why})`);
      else if (l.note && (v.rule !== l.note || v.oursText !== l.ours)) problems.push(`${hexText}: noted ${l.note} '${l.ours}', now ${v.rule || 'no rule'} '${v.oursText}'`);
      else if (!l.note && v.rule) problems.push(`${hexText}: newly needs rule ${v.rule}: ours '${v.oursText}' objdump '${l.objdump}'`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    const m = header.join('\n').match(/agrees with objdump on (\d+)/);
    expect(agreeObjdump).toBeGreaterThanOrEqual(+m![1]!);
  });

  it('covers every form valid in this mode with a case that decodes to it', () => {
    const hit = new Set<number>();
    for (const l of lines) {
      const b = Uint8Array.from(l.bytes);
      const d = decode(b, 0, b.length, bits);
      if (!d.invalid && d.length === b.length) hit.add(d.formIndex);
    }
    const missing = FORMS.filter((f) => (bits === 64 ? f.mode64 : f.mode32) && !hit.has(f.index)).map((f) => f.id);
    expect(missing).toEqual([]);
  });
});
