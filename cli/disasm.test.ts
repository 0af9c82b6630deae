// `kstack disasm` and `kstack dap` argument handling: the built CLI on files in a temp dir.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
let dir = '';

function kstack(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'kstack-disasm-'));
}, 120_000);

describe('kstack disasm', () => {
  it('prints objdump lines: address, bytes, Intel syntax; invalid bytes are (bad)', () => {
    // mov eax,1 / jmp back to it / ret / 06 (push es: invalid in 64-bit mode)
    writeFileSync(join(dir, 'a.bin'), Buffer.from('b801000000ebf9c306', 'hex'));
    const r = kstack(['disasm', 'a.bin', '--org', '0x1000']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      '    1000:\tb8 01 00 00 00       \tmov    eax,0x1\n' +
      '    1005:\teb f9                \tjmp    0x1000\n' +
      '    1007:\tc3                   \tret\n' +
      '    1008:\t06                   \t(bad)\n');
  });

  it('--bits, --start and --length', () => {
    writeFileSync(join(dir, 'b.bin'), Buffer.from('9006c3', 'hex'));
    const r = kstack(['disasm', 'b.bin', '--bits', '32', '--start', '1', '--length=1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('   1:\t06                   \tpush   es\n');
  });

  it('long instructions continue on the next row, 7 bytes per row', () => {
    // movabs rax, 0x1122334455667788
    writeFileSync(join(dir, 'c.bin'), Buffer.from('48b88877665544332211', 'hex'));
    const r = kstack(['disasm', 'c.bin']);
    expect(r.stdout).toBe('   0:\t48 b8 88 77 66 55 44 \tmovabs rax,0x1122334455667788\n   7:\t33 22 11 \n');
  });

  it('disassembles the executable sections of an ELF object with symbols', () => {
    writeFileSync(join(dir, 'p.asm'), 'bits 64\nsection .text\nglobal _start\n_start:\n  mov eax, 60\n  call f\n  syscall\nf:\n  xor edi, edi\n  ret\n');
    expect(kstack(['asm', '-f', 'elf64', 'p.asm']).status).toBe(0);
    const r = kstack(['disasm', 'p.o']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Disassembly of section .text:');
    expect(r.stdout).toContain('0000000000000000 <_start>:');
    expect(r.stdout).toContain('\tcall   0xc <f>');
    expect(r.stdout).toContain('000000000000000c <f>:');
    expect(r.stdout).toContain('\txor    edi,edi');
  });

  it('usage errors exit 2', () => {
    expect(kstack(['disasm']).status).toBe(2);
    expect(kstack(['disasm', 'a.bin', '--bits', '8']).status).toBe(2);
    expect(kstack(['disasm', 'a.bin', '--bogus']).status).toBe(2);
    expect(kstack(['disasm', 'missing.bin']).status).toBe(2);
    const h = kstack(['disasm', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: kstack disasm/);
  });
});

describe('kstack dap', () => {
  it('--help prints usage and exits 0', () => {
    const r = kstack(['dap', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: kstack dap/);
  });
  it('an unknown option exits 2', () => {
    const r = kstack(['dap', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unexpected argument '--bogus'");
  });
});
