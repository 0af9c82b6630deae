// Hardware-checked cases: MUL IMUL DIV IDIV (flags as this machine\'s AMD CPU leaves the undefined ones).
// Each case ran on this machine's CPU (scripts/vectors/harness.c) at development time; see
// runCase in ../testutil.ts for the set-up. Columns: asm, bytes, inputs, RFLAGS in, expected.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { runCase, type Case } from '../testutil';

const CASES: Case[] = [
  ['mul rcx', '48f7e1', { rax: 0xffffffffffffffffn, rcx: 0xffffffffffffffffn }, 0x8d7, { rax: 0x1n, rdx: 0xfffffffffffffffen, flags: 0xad7 }],
  ['mul rcx', '48f7e1', { rax: 0x2n, rcx: 0x3n }, 0x202, { rax: 0x6n, flags: 0x202 }],
  ['mul ecx', 'f7e1', { rax: 0x80000000n, rcx: 0x2n }, 0x202, { rax: 0x0n, rdx: 0x1n, flags: 0xa03 }],
  ['mul cl', 'f6e1', { rax: 0x80n, rcx: 0x2n }, 0x202, { rax: 0x100n, flags: 0xa03 }],
  ['mul word [rsi]', '66f726', { rax: 0xffffn }, 0x202, { rax: 0x2376n, rdx: 0xdc89n, flags: 0xa03 }],
  ['imul rcx', '48f7e9', { rax: 0xffffffffffffffffn, rcx: 0x8000000000000000n }, 0x202, { rax: 0x8000000000000000n, flags: 0xa03 }],
  ['imul rcx', '48f7e9', { rax: 0x8000000000000000n, rcx: 0x8000000000000000n }, 0x202, { rax: 0x0n, rdx: 0x4000000000000000n, flags: 0xa03 }],
  ['imul ecx', 'f7e9', { rax: 0xfffffffen, rcx: 0x3n }, 0x202, { rax: 0xfffffffan, rdx: 0xffffffffn, flags: 0x202 }],
  ['imul bl', 'f6eb', { rax: 0x80n, rbx: 0xffn }, 0x202, { flags: 0xa03 }],
  ['imul dx', '66f7ea', { rax: 0x4000n, rdx: 0x2n }, 0x202, { rax: 0x8000n, rdx: 0x0n, flags: 0xa03 }],
  ['imul rax, rbx', '480fafc3', { rax: 0x100000000n, rbx: 0x100000000n }, 0x202, { rax: 0x0n, flags: 0xa03 }],
  ['imul eax, ebx', '0fafc3', { rax: 0x10000n, rbx: 0x8000n }, 0x202, { rax: 0x80000000n, flags: 0xa03 }],
  ['imul eax, ebx', '0fafc3', { rax: 0x10000n, rbx: 0x7fffn }, 0x202, { rax: 0x7fff0000n, flags: 0x202 }],
  ['imul r8, [rsi+0x10], -3', '4c6b4610fd', {  }, 0x202, { r8: 0xfc5c329d8be2035an, flags: 0x202 }],
  ['imul cx, dx, 0x7fff', '6669caff7f', { rdx: 0x2n }, 0x202, { rcx: 0xfffen, flags: 0xa03 }],
  ['imul r9d, r10d, 100', '456bca64', { r10: 0x147ae148n }, 0x202, { r9: 0x20n, flags: 0xa03 }],
  ['imul rbx, rcx, 0x40000000', '4869d900000040', { rcx: 0xfffffffe00000000n }, 0x202, { rbx: 0x8000000000000000n, flags: 0x202 }],
  ['div rcx', '48f7f1', { rax: 0x64n, rcx: 0x7n }, 0x8d7, { rax: 0xen, rdx: 0x2n, flags: 0xa13 }],
  ['div rcx', '48f7f1', { rcx: 0x2n, rdx: 0x1n }, 0x202, { rax: 0x8000000000000000n, rdx: 0x0n, flags: 0x212 }],
  ['div rcx', '48f7f1', { rax: 0xffffffffffffffffn, rcx: 0x8000000000000000n, rdx: 0x7fffffffffffffffn }, 0x202, { flags: 0x212 }],
  ['div rcx', '48f7f1', { rcx: 0x2n, rdx: 0x2n }, 0x202, { exc: 0 }],
  ['div rcx', '48f7f1', { rax: 0x1n }, 0x202, { exc: 0 }],
  ['div ecx', 'f7f1', { rax: 0x6789abcdn, rcx: 0x123456n, rdx: 0x12345n }, 0x202, { rax: 0x1000006an, rdx: 0x31n, flags: 0x212 }],
  ['div ecx', 'f7f1', { rax: 0x5n, rcx: 0x2n, rdx: 0xffffffff00000000n }, 0x202, { rax: 0x2n, rdx: 0x1n, flags: 0x212 }],
  ['div cx', '66f7f1', { rax: 0xffffn, rcx: 0xffffn, rdx: 0xffffn }, 0x202, { exc: 0 }],
  ['div bl', 'f6f3', { rax: 0x1ffn, rbx: 0x2n }, 0x202, { flags: 0x212 }],
  ['div qword [rsi+0x18]', '48f77618', { rax: 0x123456789abcdef0n }, 0x202, { rax: 0x0n, rdx: 0x123456789abcdef0n, flags: 0x212 }],
  ['idiv rcx', '48f7f9', { rax: 0xfffffffffffffff9n, rcx: 0x2n, rdx: 0xffffffffffffffffn }, 0x202, { rax: 0xfffffffffffffffdn, flags: 0x212 }],
  ['idiv rcx', '48f7f9', { rax: 0x8000000000000000n, rcx: 0xffffffffffffffffn, rdx: 0xffffffffffffffffn }, 0x202, { exc: 0 }],
  ['idiv rcx', '48f7f9', { rax: 0x8000000000000000n, rcx: 0x1n, rdx: 0xffffffffffffffffn }, 0x202, { rdx: 0x0n, flags: 0x212 }],
  ['idiv rcx', '48f7f9', { rax: 0x7n, rcx: 0xfffffffffffffffen }, 0x202, { rax: 0xfffffffffffffffdn, rdx: 0x1n, flags: 0x212 }],
  ['idiv ecx', 'f7f9', { rax: 0x80000000n, rcx: 0xffffffffn, rdx: 0xffffffffn }, 0x202, { exc: 0 }],
  ['idiv ecx', 'f7f9', { rax: 0x80000000n, rcx: 0x1n, rdx: 0xffffffffn }, 0x202, { rdx: 0x0n, flags: 0x212 }],
  ['idiv ecx', 'f7f9', { rax: 0xfffffff9n, rcx: 0x2n, rdx: 0xffffffffn }, 0x202, { rax: 0xfffffffdn, flags: 0x212 }],
  ['idiv cx', '66f7f9', { rax: 0x8000n, rcx: 0xffffn, rdx: 0xffffn }, 0x202, { exc: 0 }],
  ['idiv bl', 'f6fb', { rax: 0xff80n, rbx: 0x1n }, 0x202, { rax: 0x80n, flags: 0x212 }],
  ['idiv bl', 'f6fb', { rax: 0xff80n, rbx: 0xffn }, 0x202, { exc: 0 }],
  ['idiv byte [rsi]', 'f63e', { rax: 0x7fffn }, 0x202, { exc: 0 }],
  ['idiv rcx', '48f7f9', { rcx: 0x7fffffffffffffffn, rdx: 0xffffffffffffffffn }, 0x202, { rax: 0xfffffffffffffffen, rdx: 0xfffffffffffffffen, flags: 0x212 }],
  ['idiv rcx', '48f7f9', { rax: 0xffffffffffffffffn, rcx: 0x7fffffffffffffffn, rdx: 0x3fffffffffffffffn }, 0x202, { exc: 0 }],
];

describe('muldiv: MUL IMUL DIV IDIV, undefined flags as this AMD CPU leaves them', () => {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  it.each(CASES)('%s', (...c) => {
    expect(runCase(cpu, c as Case, 0xcd5)).toEqual([]);
  });
});
