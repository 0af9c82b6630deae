import { describe, expect, it } from 'vitest';
import { decode } from './decoder';
import { formatInstr, ptrSize, regName } from './format';
import { REG8_AH } from './instr';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const fmt = (s: string, bits: 64 | 32 | 16 = 64, address = 0n, opts?: Parameters<typeof formatInstr>[2]) => {
  const b = hex(s);
  return formatInstr(decode(b, 0, b.length, bits), address, opts).replace(/\s+/g, ' ');
};

describe('formatInstr (objdump -M intel spelling)', () => {
  it('writes registers, sizes and memory operands', () => {
    expect(fmt('48 8b 44 98 10')).toBe('mov rax,QWORD PTR [rax+rbx*4+0x10]');
    expect(fmt('48 8b 44 98 f0')).toBe('mov rax,QWORD PTR [rax+rbx*4-0x10]');
    expect(fmt('48 8b 40 00')).toBe('mov rax,QWORD PTR [rax+0x0]');
    expect(fmt('8b 04 60')).toBe('mov eax,DWORD PTR [rax+riz*2]');
    expect(fmt('8b 04 25 10 00 00 00')).toBe('mov eax,DWORD PTR ds:0x10');
    expect(fmt('88 e0')).toBe('mov al,ah');
    expect(fmt('40 88 e0')).toBe('mov al,spl');
    expect(fmt('66 41 89 00')).toBe('mov WORD PTR [r8],ax');
    expect(fmt('c6 00 01')).toBe('mov BYTE PTR [rax],0x1');
    expect(fmt('0f b6 c4')).toBe('movzx eax,ah');
    expect(fmt('48 8d 44 24 08')).toBe('lea rax,[rsp+0x8]');
    expect(fmt('0f 01 10')).toBe('lgdt [rax]');
    expect(fmt('0f 01 38')).toBe('invlpg BYTE PTR [rax]');
    expect(fmt('48 0f c7 08')).toBe('cmpxchg16b OWORD PTR [rax]');
  });

  it('writes RIP-relative operands with the target comment', () => {
    expect(fmt('8b 05 10 00 00 00', 64, 0x1000n)).toBe('mov eax,DWORD PTR [rip+0x10] # 0x1016');
    expect(fmt('8b 05 10 00 00 00', 64, 0x1000n, { ripComment: false })).toBe('mov eax,DWORD PTR [rip+0x10]');
    expect(fmt('8b 05 10 00 00 00', 64, 0x1000n, { symbolize: (a) => (a === 0x1016n ? 'counter' : undefined) })).toBe('mov eax,DWORD PTR [rip+0x10] # 0x1016 <counter>');
  });

  it('writes segment overrides, prefixes and string instructions', () => {
    expect(fmt('64 48 8b 04 25 28 00 00 00')).toBe('mov rax,QWORD PTR fs:0x28');
    expect(fmt('65 48 8b 00')).toBe('mov rax,QWORD PTR gs:[rax]');
    expect(fmt('2e 8b 00', 32)).toBe('mov eax,DWORD PTR cs:[eax]');
    expect(fmt('f0 01 00')).toBe('lock add DWORD PTR [rax],eax');
    expect(fmt('f3 ab')).toBe('rep stos DWORD PTR es:[rdi],eax');
    expect(fmt('f3 48 a5')).toBe('rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]');
    expect(fmt('f3 a6')).toBe('repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]');
    expect(fmt('f2 ae')).toBe('repnz scas al,BYTE PTR es:[rdi]');
    expect(fmt('64 ac')).toBe('lods al,BYTE PTR fs:[rsi]');
    expect(fmt('67 aa')).toBe('stos BYTE PTR es:[edi],al');
    expect(fmt('d7')).toBe('xlat BYTE PTR ds:[rbx]');
  });

  it('writes immediates masked to the operand size and movabs', () => {
    expect(fmt('48 83 c0 ff')).toBe('add rax,0xffffffffffffffff');
    expect(fmt('83 c0 ff')).toBe('add eax,0xffffffff');
    expect(fmt('66 83 c0 ff')).toBe('add ax,0xffff');
    expect(fmt('6a ff')).toBe('push 0xffffffffffffffff');
    expect(fmt('66 6a ff')).toBe('pushw 0xffff');
    expect(fmt('48 b8 11 22 33 44 55 66 77 88')).toBe('movabs rax,0x8877665544332211');
    expect(fmt('48 a1 11 22 33 44 55 66 77 88')).toBe('movabs rax,ds:0x8877665544332211');
    expect(fmt('67 a1 11 22 33 44')).toBe('mov eax,ds:0x44332211');
    expect(fmt('c8 10 00 05')).toBe('enter 0x10,0x5');
    expect(fmt('c2 10 00')).toBe('ret 0x10');
    expect(fmt('e4 80')).toBe('in al,0x80');
    expect(fmt('c1 e0 ff')).toBe('shl eax,0xff');
    expect(fmt('d1 e0')).toBe('shl eax,1');
  });

  it('writes branch targets as absolute addresses, with symbols', () => {
    expect(fmt('eb fe', 64, 0x401000n)).toBe('jmp 0x401000');
    expect(fmt('e8 00 00 00 00', 64, 0x401000n)).toBe('call 0x401005');
    expect(fmt('e8 00 00 00 00', 64, 0x401000n, { symbolize: (a) => (a === 0x401005n ? 'f' : undefined) })).toBe('call 0x401005 <f>');
    expect(fmt('0f 84 fa ff ff ff', 64, 0x10n)).toBe('je 0x10');
    expect(fmt('e9 00 00 00 80', 32, 0x1000n)).toBe('jmp 0x80001005');
    expect(fmt('66 eb fd', 32, 0x10000n)).toBe('jmp 0x0'); // IP truncated to 16 bits
    expect(fmt('ea 78 56 34 12 34 12', 32)).toBe('jmp 0x1234:0x12345678');
  });

  it('writes system registers and 16-bit addressing', () => {
    expect(fmt('0f 20 d8')).toBe('mov rax,cr3');
    expect(fmt('44 0f 22 c0')).toBe('mov cr8,rax');
    expect(fmt('0f 23 f8')).toBe('mov dr7,rax');
    expect(fmt('8e d8')).toBe('mov ds,eax');
    expect(fmt('8c 00')).toBe('mov WORD PTR [rax],es');
    expect(fmt('67 8b 42 10', 32)).toBe('mov eax,DWORD PTR [bp+si+0x10]');
    expect(fmt('67 8b 06 34 12', 32)).toBe('mov eax,DWORD PTR ds:0x1234');
    expect(fmt('8b 00', 16)).toBe('mov ax,WORD PTR [bx+si]');
  });

  it('writes (bad) for invalid bytes', () => {
    expect(fmt('0f b8 c0')).toBe('(bad)');
    expect(fmt('06')).toBe('(bad)');
    expect(fmt('48')).toBe('(bad)');
  });

  it('names registers and sizes', () => {
    expect(regName(REG8_AH + 3, 1)).toBe('bh');
    expect(regName(13, 2)).toBe('r13w');
    expect(ptrSize(10)).toBe('TBYTE PTR ');
  });
});

describe('decode in 16-bit code', () => {
  it('defaults to 16-bit operand and address size', () => {
    const d = decode(hex('8b 00'), 0, 2, 16);
    expect([d.opSize, d.addrSize, d.base, d.index]).toEqual([2, 2, 3, 6]);
    const e = decode(hex('66 67 8b 00'), 0, 4, 16);
    expect([e.opSize, e.addrSize, e.base, e.index]).toEqual([4, 4, 0, -1]);
  });
});
