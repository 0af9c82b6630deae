// Regenerates syntaxes/nasm.tmLanguage.json and language-configuration.json from
// scripts/grammar/template.ts and the instruction table:
//   node scripts/grammar/build.mjs            # write them
//   node scripts/grammar/build.mjs --check    # fail if the committed files are stale
// Bundles scripts/grammar/main.ts (which reads isa/ and asm/) with esbuild and runs it.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// main.ts reads and writes paths relative to the repository root
process.chdir(root);
const dir = mkdtempSync(join(tmpdir(), 'grammar-build-'));
try {
  const out = join(dir, 'grammar.mjs');
  await build({ absWorkingDir: root, entryPoints: [join(root, 'scripts/grammar/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
