#!/usr/bin/env node
// Regenerates NASM's outputs for the assembler's test programs (test/fixtures/asm/programs):
// `name.bin` for `; format: bin` sources, `name.o` for `; format: elf64` / `elf32` ones.
// asm/programs.test.ts assembles each source with KStack's assembler and compares byte for byte
// (bin), or links both objects with GNU ld and compares the linked images (elf).
//
//   node scripts/asm/programs.mjs            regenerate every output (needs nasm)
//   node scripts/asm/programs.mjs --check    only report outputs that differ from a fresh nasm run

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test', 'fixtures', 'asm', 'programs');
const check = process.argv.includes('--check');

export function formatOf(text) {
  const m = /^;\s*format:\s*(\w+)/m.exec(text);
  return m ? m[1] : 'bin';
}

const version = execFileSync('nasm', ['-v'], { encoding: 'utf8' }).trim();
console.log(`using ${version}`);
const tmp = mkdtempSync(join(tmpdir(), 'kstack-asm-'));
let differ = 0;
try {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.asm')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    const fmt = formatOf(text);
    const out = name.replace(/\.asm$/, fmt === 'bin' ? '.bin' : '.o');
    const tmpOut = join(tmp, out);
    execFileSync('nasm', ['-f', fmt, '-o', tmpOut, name], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    const fresh = readFileSync(tmpOut);
    const target = join(dir, out);
    const same = existsSync(target) && Buffer.compare(readFileSync(target), fresh) === 0;
    if (check) {
      if (!same) {
        differ++;
        console.log(`differs: ${out}`);
      }
    } else {
      writeFileSync(target, fresh);
      console.log(`${same ? 'unchanged' : 'wrote'} ${out} (${fresh.length} bytes)`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (check && differ) process.exit(1);
