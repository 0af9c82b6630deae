// Bundles every entry point into dist/ with esbuild. One bundle per process the project starts.
import { build } from 'esbuild';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';

const entries = [
  { in: 'cli/main.ts', out: 'cli', bin: true },
  { in: 'bench/main.ts', out: 'bench' },
  { in: 'debug-adapter/main.ts', out: 'debug-adapter' },
  { in: 'language-server/main.ts', out: 'language-server' },
  { in: 'extension/main.ts', out: 'extension', external: ['vscode'] },
].filter((e) => existsSync(e.in));

mkdirSync('dist', { recursive: true });
for (const e of entries) {
  await build({
    entryPoints: [e.in],
    outfile: `dist/${e.out}.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: e.external ?? [],
    banner: e.bin ? { js: '#!/usr/bin/env node' } : undefined,
    logLevel: 'warning',
  });
  if (e.bin) chmodSync(`dist/${e.out}.js`, 0o755);
}
console.log(`built ${entries.map((e) => `dist/${e.out}.js`).join(', ')}`);
