// Hardware-checked cases: binary arithmetic and logic.
// Each case ran on this machine's CPU (scripts/vectors/harness.c) at development time; see
// runCase in ../testutil.ts for the set-up. Columns: asm, bytes, inputs, RFLAGS in, expected.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { runCase, type Case } from '../testutil';

const CASES: Case[] = [
  ['add rax, rbx', '4801d8', { rax: 0x7fffffffffffffffn, rbx: 0x1n }, 0x202, { rax: 0x8000000000000000n, flags: 0xa96 }],
  ['add rax, rbx', '4801d8', { rax: 0xffffffffffffffffn, rbx: 0x1n }, 0x202, { rax: 0x0n, flags: 0x257 }],
  ['add eax, ebx', '01d8', { rax: 0xffffffff12345678n, rbx: 0x80000000n }, 0x202, { rax: 0x92345678n, flags: 0x286 }],
  ['add al, bl', '00d8', { rax: 0x7fn, rbx: 0x1n }, 0x202, { rax: 0x80n, flags: 0xa92 }],
  ['add ah, bh', '00fc', { rax: 0xff00n, rbx: 0x100n }, 0x202, { rax: 0x0n, flags: 0x257 }],
  ['add ax, 0x1234', '66053412', { rax: 0xffff0000eeeeedccn }, 0x202, { rax: 0xffff0000eeee0000n, flags: 0x257 }],
  ['add qword [rsi+0x10], 0x7f', '488346107f', {  }, 0x202, { flags: 0x212, mem: [[0x610, '61ff']] }],
  ['add dword [rsi-4], r9d', '44014efc', { r9: 0x80000001n }, 0x202, { flags: 0x282, mem: [[0x5fc, '58b3b7e3']] }],
  ['add r12, -1', '4983c4ff', {  }, 0x202, { r12: 0xffffffffffffffffn, flags: 0x286 }],
  ['adc rax, rbx', '4811d8', { rax: 0xffffffffffffffffn }, 0x203, { rax: 0x0n, flags: 0x257 }],
  ['adc eax, 0', '83d000', { rax: 0xffffffffn }, 0x203, { rax: 0x0n, flags: 0x257 }],
  ['adc r8b, 0x7f', '4180d07f', {  }, 0x203, { r8: 0x80n, flags: 0xa92 }],
  ['adc word [rsi], 0x8000', '6681160080', {  }, 0x203, { flags: 0xa07, mem: [[0x600, '8b5c']] }],
  ['adc rcx, rdx', '4811d1', { rcx: 0x8000000000000000n, rdx: 0x7fffffffffffffffn }, 0x203, { rcx: 0x0n, flags: 0x257 }],
  ['sbb rax, rbx', '4819d8', {  }, 0x203, { rax: 0xffffffffffffffffn, flags: 0x297 }],
  ['sbb eax, ecx', '19c8', { rax: 0x5n, rcx: 0x5n }, 0x203, { rax: 0xffffffffn, flags: 0x297 }],
  ['sbb dl, 0x80', '80da80', { rdx: 0x7fn }, 0x202, { rdx: 0xffn, flags: 0xa87 }],
  ['sbb qword [rsi+8], rax', '48194608', { rax: 0xffffffffffffffffn }, 0x203, { flags: 0x217 }],
  ['sub rax, rbx', '4829d8', { rbx: 0x1n }, 0x202, { rax: 0xffffffffffffffffn, flags: 0x297 }],
  ['sub rax, rbx', '4829d8', { rax: 0x8000000000000000n, rbx: 0x1n }, 0x202, { rax: 0x7fffffffffffffffn, flags: 0xa16 }],
  ['sub ecx, edx', '29d1', { rcx: 0x1234567800000000n, rdx: 0x1n }, 0x202, { rcx: 0xffffffffn, flags: 0x297 }],
  ['sub spl, 1', '4080ec01', {  }, 0x202, { rsp: 0x100cffn, flags: 0x297 }],
  ['cmp rax, rbx', '4839d8', { rax: 0x8000000000000000n, rbx: 0x7fffffffffffffffn }, 0x202, { flags: 0xa12 }],
  ['cmp rax, -1', '4883f8ff', { rax: 0xffffffffffffffffn }, 0x202, { flags: 0x246 }],
  ['cmp eax, ebx', '39d8', { rax: 0x1n, rbx: 0x2n }, 0x202, { flags: 0x297 }],
  ['cmp byte [rsi+3], 0x41', '807e0341', {  }, 0x202, { flags: 0x283 }],
  ['cmp r15w, r14w', '664539f7', { r14: 0x7fffn, r15: 0x8000n }, 0x202, { flags: 0xa12 }],
  ['and rax, rbx', '4821d8', { rax: 0xf0f0f0f0f0f0f0f0n, rbx: 0xff00ff00ff00ff00n }, 0x8d7, { rax: 0xf000f000f000f000n, flags: 0x286 }],
  ['and eax, 0x80000000', '2500000080', { rax: 0xffffffffffffffffn }, 0x8d7, { rax: 0x80000000n, flags: 0x286 }],
  ['or al, 0', '0c00', {  }, 0x8d7, { flags: 0x246 }],
  ['or qword [rsi], -1', '48830eff', {  }, 0x202, { flags: 0x286, mem: [[0x600, 'ffffffffffffffff']] }],
  ['xor rax, rax', '4831c0', { rax: 0x1234n }, 0x8d7, { rax: 0x0n, flags: 0x246 }],
  ['xor r10d, r11d', '4531da', { r10: 0xffffffffffffffffn, r11: 0x1n }, 0x202, { r10: 0xfffffffen, flags: 0x282 }],
  ['xor byte [rsi+1], 0x80', '80760180', {  }, 0x202, { flags: 0x206, mem: [[0x601, '5c']] }],
  ['test rax, rbx', '4885d8', { rax: 0x8000000000000000n, rbx: 0x8000000000000000n }, 0x8d7, { flags: 0x286 }],
  ['test ecx, ecx', '85c9', { rcx: 0xffffffff00000000n }, 0x8d7, { flags: 0x246 }],
  ['test byte [rsi+2], 1', 'f6460201', {  }, 0x202, { flags: 0x246 }],
  ['test bh, 0x80', 'f6c780', { rbx: 0x8000n }, 0x202, { flags: 0x282 }],
  ['inc rax', '48ffc0', { rax: 0x7fffffffffffffffn }, 0x203, { rax: 0x8000000000000000n, flags: 0xa97 }],
  ['inc eax', 'ffc0', { rax: 0xffffffffffffffffn }, 0x202, { rax: 0x0n, flags: 0x256 }],
  ['inc byte [rsi]', 'fe06', {  }, 0x203, { flags: 0x287, mem: [[0x600, '8b']] }],
  ['inc r9w', '6641ffc1', { r9: 0xffffn }, 0x202, { r9: 0x0n, flags: 0x256 }],
  ['dec rax', '48ffc8', {  }, 0x203, { rax: 0xffffffffffffffffn, flags: 0x297 }],
  ['dec ecx', 'ffc9', { rcx: 0x80000000n }, 0x202, { rcx: 0x7fffffffn, flags: 0xa16 }],
  ['dec qword [rsi+0x20]', '48ff4e20', {  }, 0x202, { flags: 0x292, mem: [[0x620, 'bf']] }],
  ['dec ch', 'fecd', { rcx: 0x8000n }, 0x202, { rcx: 0x7f00n, flags: 0xa12 }],
  ['neg rax', '48f7d8', { rax: 0x8000000000000000n }, 0x202, { flags: 0xa87 }],
  ['neg rax', '48f7d8', {  }, 0x202, { flags: 0x246 }],
  ['neg ebx', 'f7db', { rbx: 0x1n }, 0x202, { rbx: 0xffffffffn, flags: 0x297 }],
  ['neg byte [rsi]', 'f61e', {  }, 0x202, { flags: 0x213, mem: [[0x600, '76']] }],
  ['neg r11w', '6641f7db', { r11: 0x8000n }, 0x202, { flags: 0xa87 }],
  ['not rax', '48f7d0', { rax: 0x123456789abcdef0n }, 0x202, { rax: 0xedcba9876543210fn, flags: 0x202 }],
  ['not ecx', 'f7d1', { rcx: 0xffffffff00000000n }, 0x8d7, { rcx: 0xffffffffn, flags: 0xad7 }],
  ['not word [rsi+6]', '66f75606', {  }, 0x202, { flags: 0x202, mem: [[0x606, 'ee37']] }],
  ['lock add qword [rsi], rax', 'f0480106', { rax: 0x3n }, 0x202, { flags: 0x286, mem: [[0x600, '8d']] }],
  ['add eax, eax', '01c0', { rax: 0x80000000n }, 0x202, { rax: 0x0n, flags: 0xa47 }],
  ['add rdx, [rsi+0x40]', '48035640', {  }, 0x202, { rdx: 0xa683aea69af91797n, flags: 0x282 }],
  ['sub r13b, [rsi+0x7f]', '442a6e7f', {  }, 0x202, { r13: 0xf4n, flags: 0x293 }],
  ['adc ebp, 0x12345678', '81d578563412', { rbp: 0xedcba987n }, 0x203, { rbp: 0x0n, flags: 0x257 }],
];

describe('alu: binary arithmetic and logic', () => {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  it.each(CASES)('%s', (...c) => {
    expect(runCase(cpu, c as Case, 0xcd5)).toEqual([]);
  });
});
