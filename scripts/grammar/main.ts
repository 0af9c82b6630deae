// Entry point of build.mjs: write the generated files (cwd = the repository root), or with --check
// write nothing and fail when a committed file differs from what the generator produces.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { generate } from './generate';

const check = process.argv.includes('--check');
let stale = 0;
for (const [path, content] of generate()) {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === content) continue;
  if (check) {
    console.error(`${path} is stale: run node scripts/grammar/build.mjs`);
    stale++;
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    console.log(`wrote ${path}`);
  }
}
if (stale) process.exit(1);
