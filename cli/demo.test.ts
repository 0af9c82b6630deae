// `kstack demo`: the embedded guest is the committed benchmark binary, and it runs correctly.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import expected from '../bench/guest/expected.json';
import { referenceResult } from '../bench/reference';
import { demo } from './demo';
import { DEMO_EXPECTED, DEMO_IMAGE_BASE64 } from './demo-image';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('kstack demo', () => {
  it('embeds the committed separate-page guest binary and the recorded demo results', () => {
    const bin = readFileSync(join(root, 'bench', 'guest', 'workload-separate.bin'));
    expect(Buffer.from(DEMO_IMAGE_BASE64, 'base64').equals(bin)).toBe(true);
    expect(DEMO_EXPECTED).toEqual({ iters: expected.demo.iters, value: expected.demo.value, checksum: expected.demo.checksum });
  });

  it('runs a short demo in the emulator and prints the right primes and CRC', () => {
    const iters = [3, 4, 0, 0, 0];
    const ref = referenceResult(iters);
    const { ok, lines } = demo(iters);
    expect(lines.join('\n')).not.toMatch(/WRONG|stopped|halted/);
    expect(ok).toBe(true);
    expect(lines[0]).toContain(`found ${ref.value[0]} primes below 32764`);
    expect(lines[1]).toContain(`0x${ref.value[1]!.toString(16).padStart(8, '0')}`);
    expect(lines.join('\n')).toMatch(/instructions in .* s: .* MIPS/);
  });
});
