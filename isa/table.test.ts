import { describe, expect, it } from 'vitest';
import { OpKind } from './form';
import { buildForms, FORMS, FORM_ID, parseRows } from './table';
import { ROW_SOURCES } from './rows/index';

describe('instruction table', () => {
  it('parses every row of every family', () => {
    let rows = 0;
    for (const s of ROW_SOURCES) {
      const forms = parseRows(s.text, s.family);
      const lines = s.text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
      expect(forms.length, s.family).toBe(lines.length);
      rows += lines.length;
    }
    expect(FORMS.length).toBe(rows);
    expect(FORMS.length).toBeGreaterThan(300);
  });

  it('numbers forms and maps unique identifiers to them', () => {
    const ids = new Set<string>();
    FORMS.forEach((f, i) => {
      expect(f.index).toBe(i);
      expect(ids.has(f.id), f.id).toBe(false);
      ids.add(f.id);
      expect(FORM_ID[f.id]).toBe(i);
    });
    expect(Object.keys(FORM_ID).length).toBe(FORMS.length);
  });

  it('gives every form a description, a mode and an identifier of the documented shape', () => {
    for (const f of FORMS) {
      expect(f.description.length, f.id).toBeGreaterThan(3);
      expect(f.mode64 || f.mode32, f.id).toBe(true);
      expect(f.id, f.instruction).toMatch(/^[A-Z][a-z0-9]*(_[A-Za-z0-9]+)*$/);
      expect(f.opcode.length).toBeGreaterThan(0);
      expect(f.family).not.toBe('');
    }
  });

  it('derives identifiers the way the README says', () => {
    for (const id of ['Add_rm64_r64', 'Mov_r64_imm64', 'Push_r64', 'Lgdt_m1664', 'Mov_r64_cr', 'Cpuid', 'Add_al_imm8'])
      expect(FORM_ID[id], id).toBeTypeOf('number');
  });

  it('parses a row into its fields', () => {
    const [f] = parseRows('o64 01 /r | ADD r/m64, r64 | 64 | w=oszacp | lock | Add r64 to r/m64.', 't');
    expect(f!.id).toBe('Add_rm64_r64');
    expect(f!.opSize).toBe(64);
    expect(f!.opcode).toEqual([0x01]);
    expect(f!.modrm).toBe(8);
    expect(f!.operands.map((o) => o.kind)).toEqual([OpKind.RegMem, OpKind.Reg]);
    expect(f!.lock).toBe(true);
    expect(f!.mode64 && !f!.mode32).toBe(true);
    const [g] = parseRows('REX.W + C7 /0 id | MOV r/m64, imm32 | 64 | | | Move.', 't');
    expect(g!.opSize).toBe(64);
    expect(g!.immSizes).toEqual([4]);
    expect(g!.immSigned).toBe(true);
    const [h] = parseRows('C8 iw ib | ENTER imm16, imm8 | 64 32 | | | Enter.', 't');
    expect(h!.immSizes).toEqual([2, 1]);
    expect(h!.operands.map((o) => o.kind)).toEqual([OpKind.Imm, OpKind.Imm2]);
    expect(h!.immSigned).toBe(false);
    const [k] = parseRows('NP 0F 01 F8 | SWAPGS | 64 | | cpl0 | Swap.', 't');
    expect([k!.mandatory, k!.fixedModrm, k!.map, k!.cpl0]).toEqual([-1, 0xf8, 1, true]);
    const [m] = parseRows('o64 B8+ro io | MOV r64, imm64 | 64 | | | Move.', 't');
    expect([m!.opReg, m!.operands[0]!.kind, m!.immSizes[0]]).toEqual([true, OpKind.OpReg, 8]);
  });

  it('fails loudly, naming family, line and cause', () => {
    expect(() => parseRows('\n01 /r | ADD r/m32, r32 | 64 | | | x', 'fam')).not.toThrow();
    expect(() => parseRows('\n01 /r | ADD r/m32, r32 | 64 | | |', 'fam')).toThrow(/'fam' line 2: empty DESCRIPTION/);
    expect(() => parseRows('01 /q | ADD r/m32, r32 | 64 | | | x', 'fam')).toThrow(/line 1: unexpected encoding token/);
    expect(() => parseRows('01 /r | ADD r/m32, xmm1 | 64 | | | x', 'fam')).toThrow(/unknown operand notation 'xmm1'/);
    expect(() => parseRows('01 /r | ADD r/m32, r32 | 16 | | | x', 'fam')).toThrow(/unknown mode/);
    expect(() => parseRows('01 /r | ADD r/m32, r32 | 64 | q=o | | x', 'fam')).toThrow(/bad flags group/);
    expect(() => parseRows('01 /r | ADD r/m32, r32 | 64 | | bogus | x', 'fam')).toThrow(/unknown attribute/);
    expect(() => parseRows('05 ib | ADD EAX, imm32 | 64 | | | x', 'fam')).toThrow(/does not fit/);
    expect(() => parseRows('01 /r | ADD r/m32, r32 | 64 | | | x\n03 /r | ADD r/m32, r32 | 64 | | | y', 'fam')).toThrow(/already used on line 1/);
    expect(() => buildForms([{ family: 'a', text: '90 | NOP | 64 | | | x' }, { family: 'b', text: '90 | NOP | 64 | | | x' }])).toThrow(/'b' line 1: identifier 'Nop' already used in 'a'/);
    expect(() => parseRows('01 /r | ADD r/m32 | 64 | | | x', 'fam')).toThrow(/\/r needs/);
  });

  it('checks aliases: the target exists and has the same operands', () => {
    const add = '01 /r | ADD r/m32, r32 | 64 | | | x';
    expect(buildForms([{ family: 'a', text: `${add}\n0F 01 /r | ADD r/m32, r32 | 64 | | id=Add_x alias=Add_rm32_r32 | y` }])[1]!.aliasOf).toBe('Add_rm32_r32');
    expect(() => buildForms([{ family: 'a', text: `${add}\n0F 01 /r | ADD r/m32, r32 | 64 | | id=Add_x alias=Sub_rm32_r32 | y` }])).toThrow(/alias of unknown form 'Sub_rm32_r32'/);
    expect(() => buildForms([{ family: 'a', text: `${add}\n0F 01 /r | ADD r32, r/m32 | 64 | | alias=Add_rm32_r32 | y` }])).toThrow(/other operands/);
  });

  it('takes /x as a ModRM byte whose reg field is ignored', () => {
    const [s] = parseRows('0F 94 /x | SETE r/m8 | 64 32 | r=z | | Set.', 't');
    expect(s!.modrm).toBe(9);
  });
});
