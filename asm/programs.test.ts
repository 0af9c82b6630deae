// Byte-identical to NASM: every program under test/fixtures/asm/programs is assembled here and
// compared with NASM's output committed next to it (scripts/asm/programs.mjs regenerates those).
// bin: the bytes must be equal. elf64/elf32: our object and NASM's are each linked with GNU ld
// (with the same partner objects) and the loaded images and symbol addresses must be equal.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble, type OutputFormat } from './assembler';
import { createHost } from './host';
import { formatDiagnostic } from './diagnostics';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'fixtures', 'asm', 'programs');
const host = createHost((p) => {
  const full = join(dir, p);
  try {
    return existsSync(full) ? new Uint8Array(readFileSync(full)) : undefined;
  } catch {
    return undefined;
  }
});

function formatOf(text: string): OutputFormat {
  const m = /^;\s*format:\s*(\w+)/m.exec(text);
  return (m ? m[1] : 'bin') as OutputFormat;
}
function linksOf(text: string): string[] {
  const m = /^;\s*link:\s*(.+)$/m.exec(text);
  return m ? m[1]!.trim().split(/\s+/) : [];
}

function ours(name: string): Uint8Array {
  const text = readFileSync(join(dir, name), 'utf8');
  const r = assemble({ path: name, text }, { format: formatOf(text), host });
  if (!r.ok || !r.output) throw new Error(`${name}:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.output;
}

const programs = readdirSync(dir).filter((f) => f.endsWith('.asm')).sort();
const binPrograms = programs.filter((p) => formatOf(readFileSync(join(dir, p), 'utf8')) === 'bin');
const elfMains = programs.filter((p) => {
  const t = readFileSync(join(dir, p), 'utf8');
  return formatOf(t) !== 'bin' && linksOf(t).length > 0;
});

function hexDiff(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at offset 0x${i.toString(16)}: ours ${a[i]!.toString(16)} nasm ${b[i]!.toString(16)} (lengths ${a.length} / ${b.length})`;
  return a.length === b.length ? 'equal' : `lengths differ: ours ${a.length}, nasm ${b.length}`;
}

describe('bin programs are byte-identical to nasm', () => {
  it('has programs', () => expect(binPrograms.length).toBeGreaterThanOrEqual(6));
  for (const p of binPrograms) {
    it(p, () => {
      const want = new Uint8Array(readFileSync(join(dir, p.replace(/\.asm$/, '.bin'))));
      const got = ours(p);
      if (Buffer.compare(got, want) !== 0) expect.fail(`${p}: ${hexDiff(got, want)}`);
    });
  }
});

function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasLd = have('ld') && have('objcopy') && have('nm');
const mustRun = process.env.CI === 'true';
const tmp = mkdtempSync(join(tmpdir(), 'kstack-asm-link-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function link(objs: string[], cls: 'elf64' | 'elf32', out: string): { image: Buffer; symbols: string } {
  const emu = cls === 'elf64' ? ['-m', 'elf_x86_64'] : ['-m', 'elf_i386'];
  const textAddr = cls === 'elf64' ? '0x401000' : '0x100000';
  execFileSync('ld', [...emu, '-N', '-e', '_start', `-Ttext=${textAddr}`, '--build-id=none', '-o', out, ...objs], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('objcopy', ['-O', 'binary', out, out + '.bin']);
  const symbols = execFileSync('nm', ['-n', out], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l && !/ [aN] /.test(l))
    .join('\n');
  return { image: readFileSync(out + '.bin'), symbols };
}

describe('elf objects link to the same image as nasm objects', () => {
  it.skipIf(!hasLd && !mustRun)('has ld, objcopy and nm (binutils) when CI=true', () => {
    expect(hasLd, 'GNU ld, objcopy and nm are needed for the elf comparisons (install binutils)').toBe(true);
  });
  for (const p of elfMains) {
    it.skipIf(!hasLd && !mustRun)(p, () => {
      const text = readFileSync(join(dir, p), 'utf8');
      const cls = formatOf(text) as 'elf64' | 'elf32';
      const members = [p, ...linksOf(text)];
      const oursObjs = members.map((m) => {
        const f = join(tmp, m.replace(/\.asm$/, '.ours.o'));
        writeFileSync(f, ours(m));
        return f;
      });
      const nasmObjs = members.map((m) => join(dir, m.replace(/\.asm$/, '.o')));
      const a = link(oursObjs, cls, join(tmp, p + '.ours'));
      const b = link(nasmObjs, cls, join(tmp, p + '.nasm'));
      if (Buffer.compare(a.image, b.image) !== 0) expect.fail(`${p}: linked images differ: ${hexDiff(a.image, b.image)}`);
      expect(a.symbols).toBe(b.symbols);
    });
  }
});

// The repository's test kernels (test/kernels, elf32 multiboot images built by test/kernels/build.sh
// with nasm): assembled by both assemblers, linked with the kernels' own linker script, the
// loaded images must be equal. Needs nasm and ld live (CI installs both).
const kernelsDir = join(root, 'test', 'kernels');
const kernels = existsSync(kernelsDir) ? readdirSync(kernelsDir).filter((f) => f.endsWith('.asm')).sort() : [];
const hasNasm = (() => {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('repository kernels link to the same image as with nasm', () => {
  const run = hasLd && hasNasm;
  it.skipIf(!run && !mustRun)('has nasm and binutils when CI=true', () => {
    expect(run, 'nasm and GNU ld are needed for this comparison').toBe(true);
  });
  for (const k of kernels) {
    it.skipIf(!run && !mustRun)(k, () => {
      const src = join(kernelsDir, k);
      const includeDirs = [join(kernelsDir, 'lib') + '/', kernelsDir + '/'];
      const fsHost = createHost((p) => (existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined));
      const r = assemble({ path: src, text: readFileSync(src, 'utf8') }, { format: 'elf32', host: fsHost, includeDirs });
      if (!r.ok) expect.fail(r.diagnostics.map(formatDiagnostic).join('\n'));
      const oursObj = join(tmp, k + '.ours.o');
      const nasmObj = join(tmp, k + '.nasm.o');
      writeFileSync(oursObj, r.output!);
      execFileSync('nasm', ['-f', 'elf32', '-w-zext-reloc', ...includeDirs.flatMap((d) => ['-I', d]), '-o', nasmObj, src], { stdio: 'ignore' });
      const linkK = (obj: string): Buffer => {
        const out = obj + '.elf';
        execFileSync('ld', ['-m', 'elf_i386', '-T', join(kernelsDir, 'link.ld'), '-nostdlib', '-o', out, obj], { stdio: 'ignore' });
        execFileSync('objcopy', ['-O', 'binary', out, out + '.bin']);
        return readFileSync(out + '.bin');
      };
      const a = linkK(oursObj);
      const b = linkK(nasmObj);
      if (Buffer.compare(a, b) !== 0) expect.fail(`${k}: ${hexDiff(a, b)}`);
    });
  }
});
