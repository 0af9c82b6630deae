// Slow oracle run (`npm run oracles`, not `npm test`): the committed QEMU transcripts of the test
// kernels are still what the kernels print under qemu-system-x86_64 now.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needTools } from './tools';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('QEMU transcripts of the test kernels', () => {
  it.skipIf(!needTools('qemu-system-x86_64', 'nasm', 'ld', 'nm'))('match what the kernels print under QEMU now', () => {
    const r = spawnSync('node', [join(root, 'scripts/qemu/transcripts.mjs'), '--check'], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});
