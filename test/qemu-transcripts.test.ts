// The QEMU transcripts of the test kernels (test/fixtures/qemu) are well formed, one per kernel.
// That they are still what the kernels print under QEMU now is a slow oracle run:
// test/qemu-transcripts.oracle.ts, run by `npm run oracles`. The comparison of `kstack run` with these transcripts
// belongs with `kstack run`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kernels = join(root, 'test/kernels');
const fixtures = join(root, 'test/fixtures/qemu');

const names = readdirSync(kernels).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

/** Check one transcript; returns whether it carries `# corrected` header lines. */
function checkTranscript(name: string, text: string, mayBeCorrected: boolean): boolean {
  expect(text).not.toContain('\r');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  let i = 0;
  while (lines[i]?.startsWith('# ')) i++;
  const corrected = i > 0;
  if (corrected) {
    expect(mayBeCorrected).toBe(true);
    expect(lines.slice(0, i).some((l) => l.startsWith('# corrected: '))).toBe(true);
  }
  expect(lines[i]).toBe(`KSTACK-TEST-BEGIN ${name}`);
  const status = /^exit-status=(\d+|timeout)$/.exec(lines.at(-1)!);
  expect(status, `${name}: last line`).not.toBeNull();
  const end = /^KSTACK-TEST-END code=0x([0-9a-f]+)$/.exec(lines.at(-2)!);
  expect(end, `${name}: end marker before the exit status`).not.toBeNull();
  // isa-debug-exit: QEMU exits with (code << 1) | 1
  expect(Number(status![1])).toBe(((parseInt(end![1]!, 16) << 1) | 1) & 0xff);
  expect(lines.filter((l) => l.startsWith('KSTACK-TEST-')).length).toBe(2);
  expect(lines.some((l) => l.startsWith('unexpected:'))).toBe(false);
  return corrected;
}

describe('QEMU transcripts of the test kernels', () => {
  it('has kernels', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  it.each(names)('%s: transcript well formed, raw QEMU output kept where corrected', (name) => {
    const text = readFileSync(join(fixtures, `${name}.txt`), 'utf8');
    const corrected = checkTranscript(name, text, true);
    const rawPath = join(fixtures, `${name}.qemu-raw.txt`);
    expect(existsSync(rawPath)).toBe(corrected);
    if (corrected) {
      checkTranscript(name, readFileSync(rawPath, 'utf8'), false);
    } else {
      // an uncorrected transcript says the kernel succeeded
      expect(text).toMatch(/\nKSTACK-TEST-END code=0x0\nexit-status=1\n$/);
    }
  });

  it('has no transcript without a kernel', () => {
    for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.txt'))) {
      expect(names).toContain(f.replace(/(\.qemu-raw)?\.txt$/, ''));
    }
  });

});
