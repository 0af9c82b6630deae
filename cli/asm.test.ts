// `kstack asm`: the built CLI on sources written to a temp dir. Expected bytes were produced by
// nasm 2.16 (`nasm -f bin`) from the same sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { needTools } from '../test/tools';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
let dir = '';

function kstack(args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'asm', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const hexOf = (p: string) => readFileSync(join(dir, p)).toString('hex');

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'kstack-asm-'));
  mkdirSync(join(dir, 'inc'));
  writeFileSync(join(dir, 'inc', 'defs.inc'), '%define VAL 0x1234\n');
  writeFileSync(join(dir, 'i.asm'),
    'bits 32\n%include "defs.inc"\nstart:\n  mov ebx, VAL\n  push start\n  loop start\n%ifdef EXTRA\n  dw EXTRA\n%else\n  int3\n%endif\n');
}, 120_000);

describe('kstack asm', () => {
  it('-f bin gives nasm\'s bytes; -o defaults to the file without its extension', () => {
    writeFileSync(join(dir, 'a.asm'), 'bits 64\norg 0x1000\nstart:\n  mov eax, 1\n  jmp start\n  ret\n');
    const r = kstack(['-f', 'bin', 'a.asm']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(hexOf('a')).toBe('b801000000ebf9c3');
  });

  it('a FILE without an extension gives nasm.out, as nasm does', () => {
    writeFileSync(join(dir, 'noext'), 'nop\n');
    const r = kstack(['-f', 'bin', 'noext']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("using 'nasm.out'");
    expect(hexOf('nasm.out')).toBe('90');
  });

  it('-I include dir (separate and attached forms) and -D define used by %ifdef', () => {
    let r = kstack(['-f', 'bin', '-I', 'inc', '-o', 'i1.bin', 'i.asm']);
    expect(r.status).toBe(0);
    expect(hexOf('i1.bin')).toBe('bb341200006800000000e2f4cc');
    r = kstack(['-f', 'bin', '-Iinc/', '-DEXTRA=0xbeef', '-o', 'i2.bin', 'i.asm']);
    expect(r.status).toBe(0);
    expect(hexOf('i2.bin')).toBe('bb341200006800000000e2f4efbe');
    r = kstack(['-f', 'bin', '-i', 'inc', '-d', 'EXTRA=1', '-oi3.bin', 'i.asm']);
    expect(r.status).toBe(0);
    expect(hexOf('i3.bin')).toBe('bb341200006800000000e2f40100');
  });

  it('without the include dir the %include fails with a located error', () => {
    const r = kstack(['-f', 'bin', '-o', 'i4.bin', 'i.asm']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^i\.asm:2:\d+: error: /m);
    expect(existsSync(join(dir, 'i4.bin'))).toBe(false);
  });

  it('reports every error with its line, exits 1 and writes no output (an old one is kept)', () => {
    writeFileSync(join(dir, 'e.asm'), 'bits 64\nmov eax, [bogus]\nnop\nfoo bar\n');
    let r = kstack(['-f', 'bin', '-o', 'e.bin', 'e.asm']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^e\.asm:2:\d+: error: .*bogus/m);
    expect(r.stderr).toMatch(/^e\.asm:4:\d+: error: .*foo/m);
    expect(existsSync(join(dir, 'e.bin'))).toBe(false);
    writeFileSync(join(dir, 'e.bin'), 'old');
    r = kstack(['-f', 'bin', '-o', 'e.bin', 'e.asm']);
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'e.bin'), 'utf8')).toBe('old');
  });

  it('writes a listing with -l', () => {
    const r = kstack(['-f', 'bin', '-I', 'inc', '-o', 'l.bin', '-l', 'l.lst', 'i.asm']);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'l.lst'), 'utf8')).toMatch(/BB34120000/i);
  });

  it('usage errors exit 2 with a message', () => {
    for (const args of [[], ['-f', 'coff', 'a.asm'], ['--bogus', 'a.asm'], ['missing.asm'], ['-o']]) {
      const r = kstack(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^kstack asm: /);
    }
    const h = kstack(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: kstack asm/);
  });

  it('elf64 output is an ELF object (default name FILE.o)', () => {
    writeFileSync(join(dir, 'p.asm'), 'bits 64\nsection .text\nglobal _start\n_start:\n  mov eax, 60\n  syscall\n');
    const r = kstack(['-f', 'elf64', 'p.asm']);
    expect(r.status).toBe(0);
    expect(hexOf('p.o').slice(0, 10)).toBe('7f454c4602');
    writeFileSync(join(dir, 'p32.asm'), 'bits 32\nsection .text\nglobal _start\n_start:\n  int 0x80\n');
    expect(kstack(['-f', 'elf32', 'p32.asm']).status).toBe(0);
    expect(hexOf('p32.o').slice(0, 10)).toBe('7f454c4601');
  });

  it.skipIf(!needTools('readelf'))('readelf -h accepts the elf64 object', () => {
    writeFileSync(join(dir, 'q.asm'), 'bits 64\nsection .text\nglobal _start\n_start:\n  ret\n');
    expect(kstack(['-f', 'elf64', '-o', 'q.o', 'q.asm']).status).toBe(0);
    const r = spawnSync('readelf', ['-h', join(dir, 'q.o')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Class:\s+ELF64/);
    expect(r.stdout).toMatch(/Type:\s+REL/);
    expect(r.stdout).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
  });
});
