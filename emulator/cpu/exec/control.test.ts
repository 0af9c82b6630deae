// Hardware-checked cases: control transfer and the stack.
// Each case ran on this machine's CPU (scripts/vectors/harness.c) at development time; see
// runCase in ../testutil.ts for the set-up. Columns: asm, bytes, inputs, RFLAGS in, expected.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { runCase, type Case } from '../testutil';

const CASES: Case[] = [
  ['jmp $+0x40', 'eb3e', {  }, 0x202, { flags: 0x202, rip: 0x40 }],
  ['jne $+0x40', '753e', {  }, 0x202, { flags: 0x202, rip: 0x40 }],
  ['jne $+0x40', '753e', {  }, 0x242, { flags: 0x242 }],
  ['jl $+0x80', '7c7e', {  }, 0xa02, { flags: 0xa02, rip: 0x80 }],
  ['jl $+0x80', '7c7e', {  }, 0x282, { flags: 0x282, rip: 0x80 }],
  ['jg near $+0x100', '0f8ffa000000', {  }, 0x202, { flags: 0x202, rip: 0x100 }],
  ['jbe near $+0x100', '0f86fa000000', {  }, 0x203, { flags: 0x203, rip: 0x100 }],
  ['jp $+0x10', '7a0e', {  }, 0x206, { flags: 0x206, rip: 0x10 }],
  ['jo $+0x10', '700e', {  }, 0xa02, { flags: 0xa02, rip: 0x10 }],
  ['jrcxz $+0x20', 'e31e', {  }, 0x202, { flags: 0x202, rip: 0x20 }],
  ['jrcxz $+0x20', 'e31e', { rcx: 0x100000000n }, 0x202, { flags: 0x202 }],
  ['jecxz $+0x20', '67e31d', { rcx: 0x100000000n }, 0x202, { flags: 0x202, rip: 0x20 }],
  ['loop $+0x20', 'e21e', { rcx: 0x2n }, 0x202, { rcx: 0x1n, flags: 0x202, rip: 0x20 }],
  ['loop $+0x20', 'e21e', { rcx: 0x1n }, 0x202, { rcx: 0x0n, flags: 0x202 }],
  ['loop $+0x20', 'e21e', {  }, 0x202, { rcx: 0xffffffffffffffffn, flags: 0x202, rip: 0x20 }],
  ['loope $+0x20', 'e11e', { rcx: 0x5n }, 0x242, { rcx: 0x4n, flags: 0x242, rip: 0x20 }],
  ['loope $+0x20', 'e11e', { rcx: 0x5n }, 0x202, { rcx: 0x4n, flags: 0x202 }],
  ['loopne $+0x20', 'e01e', { rcx: 0x5n }, 0x202, { rcx: 0x4n, flags: 0x202, rip: 0x20 }],
  ['call $+0x30', 'e82b000000', {  }, 0x202, { rsp: 0x100bf8n, flags: 0x202, rip: 0x30, mem: [[0xbf8, '0500200000000000']] }],
  ['call rax', 'ffd0', { rax: 0x200050n }, 0x202, { rsp: 0x100bf8n, flags: 0x202, rip: 0x50, mem: [[0xbf8, '0200200000000000']] }],
  ['call rax', 'ffd0', { rax: 0x800000000000n }, 0x202, { exc: 13 }],
  ['jmp rax', 'ffe0', { rax: 0x8000000000000000n }, 0x202, { exc: 13 }],
  ['jmp [rsi]', 'ff26', {  }, 0x202, { exc: 13 }],
  ['ret', 'c3', {  }, 0x202, { exc: 13 }],
  ['ret 0x10', 'c21000', {  }, 0x202, { exc: 13 }],
  ['push rax', '50', { rax: 0x1122334455667788n }, 0x202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, '8877665544332211']] }],
  ['push qword [rsi+0x18]', 'ff7618', {  }, 0x202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, 'dd9148254603bf5a']] }],
  ['push 0x7fffffff', '68ffffff7f', {  }, 0x202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, 'ffffff7f00000000']] }],
  ['push -1', '6aff', {  }, 0x202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, 'ffffffffffffffff']] }],
  ['push word 0x1234', '66683412', {  }, 0x202, { rsp: 0x100bfen, flags: 0x202, mem: [[0xbfe, '3412']] }],
  ['push rsp', '54', {  }, 0x202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, '000c100000000000']] }],
  ['pop rax', '58', {  }, 0x202, { rax: 0xfe2eda99b7e447ban, rsp: 0x100c08n, flags: 0x202 }],
  ['pop rsp', '5c', {  }, 0x202, { rsp: 0xfe2eda99b7e447ban, flags: 0x202 }],
  ['pop qword [rsi+8]', '8f4608', {  }, 0x202, { rsp: 0x100c08n, flags: 0x202, mem: [[0x608, 'ba47e4b799da2efe']] }],
  ['pop qword [rsp+8]', '8f442408', {  }, 0x202, { rsp: 0x100c08n, flags: 0x202, mem: [[0xc10, 'ba47e4b799da2efe']] }],
  ['pop ax', '6658', { rax: 0xffffffffffffffffn }, 0x202, { rax: 0xffffffffffff47ban, rsp: 0x100c02n, flags: 0x202 }],
  ['push r12w', '664154', { r12: 0xabcdn }, 0x202, { rsp: 0x100bfen, flags: 0x202, mem: [[0xbfe, 'cdab']] }],
  ['pushfq', '9c', {  }, 0xad7, { rsp: 0x100bf8n, flags: 0xad7, mem: [[0xbf8, 'd70a000000000000']] }],
  ['pushfq', '9c', {  }, 0x10202, { rsp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, '0202000000000000']] }],
  ['enter 0x20, 0', 'c8200000', { rbp: 0x100f00n }, 0x202, { rsp: 0x100bd8n, rbp: 0x100bf8n, flags: 0x202, mem: [[0xbf8, '000f100000000000']] }],
  ['enter 0, 1', 'c8000001', { rbp: 0x100f00n }, 0x202, { rsp: 0x100bf0n, rbp: 0x100bf8n, flags: 0x202, mem: [[0xbf0, 'f80b100000000000000f100000000000']] }],
  ['enter 0x8, 2', 'c8080002', { rbp: 0x100f00n }, 0x202, { rsp: 0x100be0n, rbp: 0x100bf8n, flags: 0x202, mem: [[0xbe8, 'f80b10000000000001a43f03795a91d5000f100000000000']] }],
  ['enter 0x10, 5', 'c8100005', { rbp: 0x100f00n }, 0x202, { rsp: 0x100bc0n, rbp: 0x100bf8n, flags: 0x202, mem: [[0xbd0, 'f80b1000000000007f2716d19251f14de9de08d22341e8daafa17c9cc17de91c01a43f03795a91d5000f100000000000']] }],
  ['leave', 'c9', { rbp: 0x100e00n }, 0x202, { rsp: 0x100e08n, rbp: 0x84feca65502ebe4dn, flags: 0x202 }],
  ['push rax', '50', { rax: 0x1n, rsp: 0x100008n }, 0x202, { rsp: 0x100000n, flags: 0x202, mem: [[0x0, '01000000000000']] }],
  ['o16 enter 0x10, 0', '66c8100000', { rbp: 0x100f00n }, 0x202, { rsp: 0x100been, rbp: 0x100bfen, flags: 0x202, mem: [[0xbfe, '000f']] }],
  ['o16 enter 6, 2', '66c8060002', { rbp: 0x100f00n }, 0x202, { rsp: 0x100bf4n, rbp: 0x100bfen, flags: 0x202, mem: [[0xbfa, 'fe0b91d5000f']] }],
  ['bswap ax', '660fc8', { rax: 0x1122334455667788n }, 0x202, { rax: 0x1122334455660000n, flags: 0x202 }],
  ['endbr64', 'f30f1efa', {  }, 0x202, { flags: 0x202 }],
];

describe('control: control transfer and the stack', () => {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  it.each(CASES)('%s', (...c) => {
    expect(runCase(cpu, c as Case, 0xcd5)).toEqual([]);
  });
});
