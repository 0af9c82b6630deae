// Regenerates test/fixtures/isa/corpus64.txt and corpus32.txt (needs as, objdump, llvm-mc):
//   node scripts/isa/corpus.mjs
// Bundles scripts/isa/corpus-main.ts (which reads the table through isa/) and runs it.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'isa-corpus-build-'));
try {
  const out = join(dir, 'corpus.mjs');
  await build({ entryPoints: ['scripts/isa/corpus-main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
