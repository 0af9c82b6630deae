// Regenerates the encoder's nasm oracle fixtures test/fixtures/asm/encode{64,32,16}.txt (needs nasm):
//   node scripts/asm/encode-corpus.mjs
// Compares asm/encoder.ts with the committed fixtures and prints every disagreement:
//   node scripts/asm/encode-corpus.mjs --check
// Bundles scripts/asm/encode-corpus-main.ts (which reads the table through isa/) and runs it.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'asm-corpus-build-'));
try {
  const out = join(dir, 'encode-corpus.mjs');
  await build({ entryPoints: ['scripts/asm/encode-corpus-main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
