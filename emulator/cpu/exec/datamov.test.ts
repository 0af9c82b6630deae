// Hardware-checked cases: data transfer.
// Each case ran on this machine's CPU (scripts/vectors/harness.c) at development time; see
// runCase in ../testutil.ts for the set-up. Columns: asm, bytes, inputs, RFLAGS in, expected.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { runCase, type Case } from '../testutil';

const CASES: Case[] = [
  ['mov rax, rbx', '4889d8', { rbx: 0x123456789abcdef0n }, 0x202, { rax: 0x123456789abcdef0n, flags: 0x202 }],
  ['mov eax, ebx', '89d8', { rax: 0xffffffffffffffffn, rbx: 0x80000000n }, 0x202, { rax: 0x80000000n, flags: 0x202 }],
  ['mov ax, bx', '6689d8', { rax: 0xffffffffffffffffn, rbx: 0x1234n }, 0x202, { rax: 0xffffffffffff1234n, flags: 0x202 }],
  ['mov ah, bl', '88dc', { rax: 0xffffffffffffffffn, rbx: 0x12n }, 0x202, { rax: 0xffffffffffff12ffn, flags: 0x202 }],
  ['mov sil, dil', '4088fe', { rdi: 0x7fn }, 0x202, { rsi: 0x10067fn, flags: 0x202 }],
  ['mov r15, [rsi+0x21]', '4c8b7e21', {  }, 0x202, { r15: 0x80fab0525695c68fn, flags: 0x202 }],
  ['mov [rsi+0x30], r8', '4c894630', { r8: 0x1122334455667788n }, 0x202, { flags: 0x202, mem: [[0x630, '8877665544332211']] }],
  ['mov dword [rsi], 0x80000000', 'c70600000080', {  }, 0x202, { flags: 0x202, mem: [[0x600, '00000080']] }],
  ['mov qword [rsi+8], -2', '48c74608feffffff', {  }, 0x202, { flags: 0x202, mem: [[0x608, 'feffffffffffffff']] }],
  ['mov rax, 0x8000000000000001', '48b80100000000000080', {  }, 0x202, { rax: 0x8000000000000001n, flags: 0x202 }],
  ['mov r9d, 0xffffffff', '41b9ffffffff', { r9: 0x123456789n }, 0x202, { r9: 0xffffffffn, flags: 0x202 }],
  ['mov word [rsi-2], 0xbeef', '66c746feefbe', {  }, 0x202, { flags: 0x202, mem: [[0x5fe, 'efbe']] }],
  ['mov byte [rsi+1], 0x55', 'c6460155', {  }, 0x202, { flags: 0x202, mem: [[0x601, '55']] }],
  ['mov al, [0x100010]', '8a042510001000', {  }, 0x202, { rax: 0x2bn, flags: 0x202 }],
  ['mov [0x100020], rax', '4889042520001000', { rax: 0x102030405060708n }, 0x202, { flags: 0x202, mem: [[0x20, '0807060504030201']] }],
  ['mov eax, [0x100004]', '8b042504001000', {  }, 0x202, { rax: 0xb349c9n, flags: 0x202 }],
  ['movzx eax, byte [rsi]', '0fb606', { rax: 0xffffffffffffffffn }, 0x202, { rax: 0x8an, flags: 0x202 }],
  ['movzx rbx, cx', '480fb7d9', { rcx: 0xffff8000n }, 0x202, { rbx: 0x8000n, flags: 0x202 }],
  ['movzx ecx, ah', '0fb6cc', { rax: 0x8000n }, 0x202, { rcx: 0x80n, flags: 0x202 }],
  ['movsx rax, byte [rsi+3]', '480fbe4603', {  }, 0x202, { rax: 0x2bn, flags: 0x202 }],
  ['movsx eax, bx', '0fbfc3', { rax: 0xffffffffffffffffn, rbx: 0x8000n }, 0x202, { rax: 0xffff8000n, flags: 0x202 }],
  ['movsx r8w, r9b', '66450fbec1', { r9: 0x80n }, 0x202, { r8: 0xff80n, flags: 0x202 }],
  ['movsxd rax, ecx', '4863c1', { rcx: 0x80000000n }, 0x202, { rax: 0xffffffff80000000n, flags: 0x202 }],
  ['movsxd rax, dword [rsi+4]', '48634604', {  }, 0x202, { rax: 0xffffffffc811c3ban, flags: 0x202 }],
  ['cmove rax, rbx', '480f44c3', { rax: 0x1111111111111111n, rbx: 0x2222n }, 0x246, { rax: 0x2222n, flags: 0x246 }],
  ['cmove eax, ebx', '0f44c3', { rax: 0x1111111111111111n, rbx: 0x2222n }, 0x202, { rax: 0x11111111n, flags: 0x202 }],
  ['cmovl eax, ebx', '0f4cc3', { rax: 0x1111111111111111n, rbx: 0x2222n }, 0xa02, { rax: 0x2222n, flags: 0xa02 }],
  ['cmovg rcx, [rsi]', '480f4f0e', {  }, 0x202, { rcx: 0xc811c3ba2b86dc8an, flags: 0x202 }],
  ['cmovbe cx, dx', '660f46ca', { rcx: 0xffffn, rdx: 0x1234n }, 0x203, { rcx: 0x1234n, flags: 0x203 }],
  ['cmovp r8d, [rsi+0x11]', '440f4a4611', {  }, 0x202, { flags: 0x202 }],
  ['xchg rax, rbx', '4893', { rax: 0x1n, rbx: 0xffffffffffffffffn }, 0x202, { rax: 0xffffffffffffffffn, rbx: 0x1n, flags: 0x202 }],
  ['xchg eax, ecx', '91', { rax: 0xffffffffffffffffn, rcx: 0xffffffffffffffffn }, 0x202, { rax: 0xffffffffn, rcx: 0xffffffffn, flags: 0x202 }],
  ['xchg eax, eax', '87c0', { rax: 0xffffffffffffffffn }, 0x202, { rax: 0xffffffffn, flags: 0x202 }],
  ['xchg [rsi], rdx', '488716', { rdx: 0x55n }, 0x202, { rdx: 0xc811c3ba2b86dc8an, flags: 0x202, mem: [[0x600, '5500000000000000']] }],
  ['xchg bl, bh', '86df', { rbx: 0x1234n }, 0x202, { rbx: 0x3412n, flags: 0x202 }],
  ['bswap eax', '0fc8', { rax: 0xffffffff12345678n }, 0x202, { rax: 0x78563412n, flags: 0x202 }],
  ['bswap rax', '480fc8', { rax: 0x102030405060708n }, 0x202, { rax: 0x807060504030201n, flags: 0x202 }],
  ['xadd rax, rbx', '480fc1d8', { rax: 0x1n, rbx: 0x2n }, 0x202, { rax: 0x3n, rbx: 0x1n, flags: 0x206 }],
  ['xadd [rsi], ecx', '0fc10e', { rcx: 0xffffffffn }, 0x202, { rcx: 0x2b86dc8an, flags: 0x213, mem: [[0x600, '89']] }],
  ['xadd al, al', '0fc0c0', { rax: 0x81n }, 0x202, { rax: 0x2n, flags: 0xa03 }],
  ['cmpxchg rcx, rdx', '480fb1d1', { rax: 0x5n, rcx: 0x5n, rdx: 0x9n }, 0x202, { rcx: 0x9n, flags: 0x246 }],
  ['cmpxchg rcx, rdx', '480fb1d1', { rax: 0x5n, rcx: 0x6n, rdx: 0x9n }, 0x202, { rax: 0x6n, flags: 0x297 }],
  ['cmpxchg ecx, edx', '0fb1d1', { rax: 0xffffffff00000005n, rcx: 0xffffffff00000006n, rdx: 0x9n }, 0x202, { rax: 0x6n, flags: 0x297 }],
  ['cmpxchg ecx, edx', '0fb1d1', { rax: 0xffffffff00000005n, rcx: 0xffffffff00000005n, rdx: 0x9n }, 0x202, { rcx: 0x9n, flags: 0x246 }],
  ['cmpxchg [rsi], bl', '0fb01e', { rbx: 0x77n }, 0x202, { rax: 0x8an, flags: 0x213 }],
  ['cmpxchg8b [rsi+8]', '0fc74e08', { rax: 0x1n, rcx: 0x4n, rdx: 0x2n, rbx: 0x3n }, 0x202, { rax: 0x8a092799n, rdx: 0x3482a6een, flags: 0x202 }],
  ['cmpxchg16b [rsi+0x10]', '480fc74e10', { rax: 0x1n, rcx: 0x4n, rdx: 0x2n, rbx: 0x3n }, 0x202, { rax: 0x13699cb7c09fee2n, rdx: 0x5abf0346254891ddn, flags: 0x202 }],
  ['lea rax, [rbx+rcx*8+0x10]', '488d44cb10', { rcx: 0x1n, rbx: 0xfffffffffffffff0n }, 0x202, { rax: 0x8n, flags: 0x202 }],
  ['lea eax, [rbx+rcx*4-1]', '8d448bff', { rcx: 0x40000000n, rbx: 0xffffffffn }, 0x202, { rax: 0xfffffffen, flags: 0x202 }],
  ['lea ax, [rbx+rcx]', '668d040b', { rax: 0xffffffffffffffffn, rcx: 0x2n, rbx: 0xffffn }, 0x202, { rax: 0xffffffffffff0001n, flags: 0x202 }],
  ['lea rax, [rel $+0x1000]', '488d05f90f0000', {  }, 0x202, { rax: 0x201000n, flags: 0x202 }],
  ['lea r10, [r11*2]', '4f8d141b', { r11: 0x8000000000000001n }, 0x202, { r10: 0x2n, flags: 0x202 }],
  ['lea rax, [eax+ebx]', '67488d0418', { rax: 0xffffffffn, rbx: 0x1n }, 0x202, { rax: 0x0n, flags: 0x202 }],
  ['lea rax, [rbx+rcx*8]', '488d04cb', { rcx: 0x1000000000000001n, rbx: 0x7fffffffffffffffn }, 0x202, { rax: 0x7n, flags: 0x202 }],
  ['cbw', '6698', { rax: 0xffffffffffff0080n }, 0x202, { rax: 0xffffffffffffff80n, flags: 0x202 }],
  ['cwde', '98', { rax: 0xffffffff00008000n }, 0x202, { rax: 0xffff8000n, flags: 0x202 }],
  ['cdqe', '4898', { rax: 0x80000000n }, 0x202, { rax: 0xffffffff80000000n, flags: 0x202 }],
  ['cwd', '6699', { rax: 0x8000n, rdx: 0xffffffffffffffffn }, 0x202, { flags: 0x202 }],
  ['cdq', '99', { rax: 0x7fffffffn, rdx: 0xffffffffffffffffn }, 0x202, { rdx: 0x0n, flags: 0x202 }],
  ['cqo', '4899', { rax: 0x8000000000000000n }, 0x202, { rdx: 0xffffffffffffffffn, flags: 0x202 }],
  ['movbe eax, [rsi]', '0f38f006', {  }, 0x202, { rax: 0x8adc862bn, flags: 0x202 }],
  ['movbe [rsi], rcx', '480f38f10e', { rcx: 0x102030405060708n }, 0x202, { flags: 0x202, mem: [[0x600, '0102030405060708']] }],
  ['movbe cx, [rsi+2]', '660f38f04e02', { rcx: 0xffffffffffffffffn }, 0x202, { rcx: 0xffffffffffff862bn, flags: 0x202 }],
  ['lahf', '9f', {  }, 0x8d7, { rax: 0xd700n, flags: 0xad7 }],
  ['sahf', '9e', { rax: 0xff00n }, 0x202, { flags: 0x2d7 }],
  ['sahf', '9e', {  }, 0xad7, { flags: 0xa02 }],
];

describe('datamov: data transfer', () => {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  it.each(CASES)('%s', (...c) => {
    expect(runCase(cpu, c as Case, 0xcd5)).toEqual([]);
  });
});
