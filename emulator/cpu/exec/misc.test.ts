// Hardware-checked cases: SETcc, flag control, NOP, XLATB.
// Each case ran on this machine's CPU (scripts/vectors/harness.c) at development time; see
// runCase in ../testutil.ts for the set-up. Columns: asm, bytes, inputs, RFLAGS in, expected.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { runCase, type Case } from '../testutil';

const CASES: Case[] = [
  ['sete al', '0f94c0', { rax: 0xffffffffffffffffn }, 0x246, { rax: 0xffffffffffffff01n, flags: 0x246 }],
  ['setne byte [rsi]', '0f9506', {  }, 0x246, { flags: 0x246, mem: [[0x600, '00']] }],
  ['setb bh', '0f92c7', {  }, 0x203, { rbx: 0x100n, flags: 0x203 }],
  ['seta r9b', '410f97c1', { r9: 0x1234n }, 0x202, { r9: 0x1201n, flags: 0x202 }],
  ['setl dil', '400f9cc7', {  }, 0xa02, { rdi: 0x1n, flags: 0xa02 }],
  ['setle cl', '0f9ec1', {  }, 0x282, { rcx: 0x1n, flags: 0x282 }],
  ['setg dl', '0f9fc2', {  }, 0x202, { rdx: 0x1n, flags: 0x202 }],
  ['setp al', '0f9ac0', {  }, 0x206, { rax: 0x1n, flags: 0x206 }],
  ['seto ah', '0f90c4', {  }, 0xa02, { rax: 0x100n, flags: 0xa02 }],
  ['sets spl', '400f98c4', {  }, 0x282, { rsp: 0x100c01n, flags: 0x282 }],
  ['stc', 'f9', {  }, 0x202, { flags: 0x203 }],
  ['clc', 'f8', {  }, 0x8d7, { flags: 0xad6 }],
  ['cmc', 'f5', {  }, 0x202, { flags: 0x203 }],
  ['cmc', 'f5', {  }, 0x203, { flags: 0x202 }],
  ['std', 'fd', {  }, 0x202, { flags: 0x602 }],
  ['cld', 'fc', {  }, 0x602, { flags: 0x202 }],
  ['nop', '90', {  }, 0x202, { flags: 0x202 }],
  ['nop dword [rax+rax*1+0x0]', '0f1f0400', {  }, 0x202, { flags: 0x202 }],
  ['pause', 'f390', {  }, 0x202, { flags: 0x202 }],
  ['xlatb', 'd7', { rax: 0x1234567890n, rbx: 0x100600n }, 0x202, { rax: 0x123456780bn, flags: 0x202 }],
];

describe('misc: SETcc, flag control, NOP, XLATB', () => {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  it.each(CASES)('%s', (...c) => {
    expect(runCase(cpu, c as Case, 0xcd5)).toEqual([]);
  });
});
