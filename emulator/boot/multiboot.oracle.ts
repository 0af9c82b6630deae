// Slow oracle run (`npm run oracles`, not `npm test`): the committed transcript of the multiboot
// probe kernels (test/fixtures/boot/qemu-mbinfo.txt), which the loader tests compare KStack's boot
// plans with, is still what QEMU prints now.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needTools } from '../../test/tools';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const transcript = readFileSync(join(root, 'test/fixtures/boot/qemu-mbinfo.txt'), 'utf8');

describe('multiboot probe under QEMU', () => {
  it.skipIf(!needTools('qemu-system-x86_64'))('the transcript is what QEMU prints now (scripts/boot/probe/run.sh)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstack-mbinfo-'));
    try {
      const out = join(dir, 'qemu-mbinfo.txt');
      const r = spawnSync('bash', [join(root, 'scripts/boot/probe/run.sh'), out], { encoding: 'utf8', timeout: 200_000 });
      expect(r.status, r.stderr).toBe(0);
      const body = (t: string) => t.split('\n').slice(1).join('\n'); // the first line names the QEMU build
      expect(body(readFileSync(out, 'utf8'))).toBe(body(transcript));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
