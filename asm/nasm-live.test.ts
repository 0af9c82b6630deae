// The assembler against a live nasm (needs nasm; the object comparisons also need binutils):
// - sources that exercise what the generated corpus cannot (far pointers to labels with a size
//   keyword in 16/32-bit code, NASM's operand-less UD0/UD1/UD2B, FSGSBASE, %stacksize/%arg/%local,
//   the %use packages altreg, ifunc and fp)
//   must give the same `-f bin` bytes;
// - every `.asm` file of the repository's test kernels (test/kernels, `-f elf32`) and examples
//   (examples/**, the format their build script gives nasm) must give an object whose loadable
//   sections hold the same bytes, with the same relocations and symbols, as nasm's object.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { needTools } from '../test/tools';
import { assemble, type OutputFormat } from './assembler';
import { formatDiagnostic } from './diagnostics';
import { createHost, memoryHost } from './host';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'kstack-nasm-live-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function nasmBin(name: string, text: string): Buffer {
  const src = join(tmp, name + '.asm');
  writeFileSync(src, text);
  execFileSync('nasm', ['-f', 'bin', '-o', src + '.bin', src], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(src + '.bin');
}

function oursBin(name: string, text: string): Uint8Array {
  const r = assemble({ path: name + '.asm', text }, { format: 'bin', host: memoryHost({}) });
  if (!r.ok || !r.output) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.output;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const SNIPPETS: Record<string, string> = {
  'far-pointers': `
bits 32
jmp 0x08:l32
call 0x10:l32
jmp word 0x08:l32
call word 0x18:l32
jmp dword 0x08:l32
o16 jmp 0x08:l32
l32:
jmp far [eax]
call far [ebx]
jmp word far [eax]
bits 16
jmp 0x08:l16
jmp dword 0x08:l16
call dword 0x08:l16
jmp word 0x08:l16
o32 jmp 0x08:l16
l16:
jmp far [bx]
jmp dword far [bx]
bits 64
jmp far [rax]
call far [rbx]
jmp dword far [rax]
`,
  'undefined-opcodes': `
bits 64
ud0
ud1
ud2b
ud2
ud1 eax, [rax]
ud2b ecx, ebx
bits 32
ud1
o16 ud1
bits 16
ud0
ud1
ud2b
o32 ud1
`,
  fsgsbase: `
bits 64
rdfsbase rax
rdfsbase eax
rdgsbase r9
wrfsbase r12d
wrgsbase rcx
`,
  'stack-frames': `
bits 32
%push f1
%stacksize flat
%assign %$localsize 0
%arg a:dword, b:word, c:byte, d:qword
%local x:dword, y:byte, z:qword
  enter %$localsize, 0
  mov eax, [a]
  mov ax, [b]
  mov al, [c]
  mov eax, [d]
  mov [x], eax
  mov [y], al
  lea eax, [z]
  leave
  dd %$localsize
%pop
bits 64
%push f2
%stacksize flat64
%assign %$localsize 0
%arg p:qword, q:dword
%local r:dword, s:word
  mov rax, [p]
  mov eax, [q]
  mov [r], eax
  mov [s], ax
  dd %$localsize
%pop
bits 16
%stacksize large
%arg u:word, v:dword
  mov ax, [u]
  mov ax, [v]
%stacksize small
%arg w:word, w2:byte
  mov ax, [w]
  mov al, [w2]
`,
  'use-packages': `
%use altreg
%use 'ifunc'
%use fp
%use altreg
bits 64
mov r0, r1
mov r4, r5
mov r6, r7
mov r0d, r1d
mov r7d, r6d
mov r0w, r1w
mov r5w, r4w
mov r0b, r1b
mov r4b, r7b
mov r0l, r5l
mov r0h, r1h
mov r2h, r3h
mov R0, R1
mov r8l, r15l
%ifdef __?USE_ALTREG?__
db 1
%endif
%ifdef __?USE_IFUNC?__
db 2
%endif
%ifdef __?USE_FP?__
db 3
%endif
db ilog2(64), ilog2e(64), ilog2f(100), ilog2c(100), ilog2w(64), ilog2fw(100), ilog2cw(100)
dd Inf, NaN, QNaN, SNaN
dq float64(1.5), float32(2.5), -Inf
dd float32(1.0)
dw float16(1.0), bfloat16(1.0)
db float8(1.0)
`,
};

describe('snippets are byte-identical to a live nasm', () => {
  const run = needTools('nasm');
  for (const [name, text] of Object.entries(SNIPPETS)) {
    it.skipIf(!run)(name, () => {
      expect(hex(oursBin(name, text))).toBe(hex(nasmBin(name, text)));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Repository sources: objects compared section by section.

/** Loadable sections (name -> bytes), relocations of those sections, and the symbol table of an object. */
function objectFacts(obj: string): { sections: Map<string, string>; relocs: string; symbols: string } {
  const sectionNames = execFileSync('readelf', ['-SW', obj], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S*)/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && /A/.test(m[3]!) && m[2] !== 'NOBITS')
    .map((m) => m[1]!);
  const sections = new Map<string, string>();
  for (const s of sectionNames) {
    const out = join(tmp, basename(obj) + '.sect');
    execFileSync('objcopy', ['-O', 'binary', `--only-section=${s}`, obj, out]);
    sections.set(s, readFileSync(out).toString('hex'));
  }
  // relocations of the loadable sections only (the debug sections' layout is our own)
  const relocs: string[] = [];
  let keep = false;
  for (const l of execFileSync('readelf', ['-rW', obj], { encoding: 'utf8' }).split('\n')) {
    const head = /^Relocation section '\.rela?(\S+)'/.exec(l);
    if (head) {
      keep = sectionNames.includes(head[1]!);
      if (keep) relocs.push(head[1]!);
      continue;
    }
    const f = l.trim().split(/\s+/);
    if (keep && /^[0-9a-f]{8,}$/.test(f[0] ?? '')) relocs.push(`${f[0]} ${f[2]} ${f.slice(4).join(' ')}`);
  }
  const symbols = execFileSync('nm', [obj], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l && !/ [aN] /.test(l) && !/\.debug_|\.L|^\s+U\s+$/.test(l))
    // macro-local labels are numbered by each assembler's own counter (`..@13.name`, `..@1.name`)
    .map((l) => l.replace(/\.\.@\d+\./, '..@#.'))
    .sort()
    .join('\n');
  return { sections, relocs: relocs.join('\n'), symbols };
}

interface RepoSource {
  file: string;
  format: OutputFormat;
  includeDirs: string[];
}

/** How the directory's build script runs nasm on this file (`nasm -f FMT ... -I DIR ... NAME.asm`). */
function buildLineFormat(file: string): { format: OutputFormat; includeDirs: string[] } | undefined {
  const dir = dirname(file);
  for (const script of ['build.sh', 'Makefile', 'makefile']) {
    const p = join(dir, script);
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (!/\bnasm\b/.test(line) || !line.includes(basename(file))) continue;
      const f = /-f\s*(bin|elf64|elf32|elf)\b/.exec(line);
      const includeDirs = [...line.matchAll(/-I\s*("?)([^\s"]+)\1/g)].map((m) => join(dir, m[2]!.replace(/\$\w+|\$\{\w+\}|\$\(\w+\)/g, '.')) + '/');
      return { format: (f ? (f[1] === 'elf' ? 'elf32' : f[1]) : 'bin') as OutputFormat, includeDirs };
    }
  }
  return undefined;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : n.endsWith('.asm') ? [p] : [];
  });
}

const kernelsDir = join(root, 'test', 'kernels');
const sources: RepoSource[] = [
  ...walk(kernelsDir)
    .filter((f) => dirname(f) === kernelsDir)
    .map((file) => ({ file, format: 'elf32' as const, includeDirs: [join(kernelsDir, 'lib') + '/', kernelsDir + '/'] })),
  ...walk(join(root, 'examples')).map((file) => ({ file, format: 'bin' as OutputFormat, includeDirs: [] as string[], ...buildLineFormat(file) })),
].sort((a, b) => a.file.localeCompare(b.file));

describe('the repository kernels and examples assemble as with nasm', () => {
  const run = needTools('nasm', 'readelf', 'objcopy', 'nm');
  it('finds the kernels and the examples', () => {
    expect(sources.filter((s) => s.file.startsWith(kernelsDir)).length).toBeGreaterThanOrEqual(10);
    expect(sources.some((s) => s.file.includes(`${join(root, 'examples')}`))).toBe(true);
  });
  for (const s of sources) {
    const rel = s.file.slice(root.length + 1);
    it.skipIf(!run)(`${rel} (-f ${s.format})`, () => {
      const host = createHost((p) => (existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined));
      const r = assemble({ path: s.file, text: readFileSync(s.file, 'utf8') }, { format: s.format, host, includeDirs: s.includeDirs });
      if (!r.ok || !r.output) expect.fail(r.diagnostics.map(formatDiagnostic).join('\n'));
      const ours = join(tmp, basename(s.file) + '.ours');
      const theirs = join(tmp, basename(s.file) + '.nasm');
      writeFileSync(ours, r.output!);
      execFileSync('nasm', ['-f', s.format, '-w-zext-reloc', ...s.includeDirs.flatMap((d) => ['-I', d]), '-o', theirs, s.file], {
        cwd: dirname(s.file),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (s.format === 'bin') {
        expect(hex(r.output!)).toBe(readFileSync(theirs).toString('hex'));
        return;
      }
      const a = objectFacts(ours);
      const b = objectFacts(theirs);
      expect([...a.sections.keys()]).toEqual([...b.sections.keys()]);
      for (const [name, bytes] of b.sections) expect(a.sections.get(name), `section ${name}`).toBe(bytes);
      expect(a.relocs).toBe(b.relocs);
      expect(a.symbols).toBe(b.symbols);
    });
  }
});
