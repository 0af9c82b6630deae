// The benchmark workload computes the right thing in the emulator: a short run of the committed
// guest binaries (both layouts) against a TypeScript reimplementation of the kernels, which is itself
// checked against the values recorded from the native build of the same C.
import { describe, expect, it } from 'vitest';

import { K_COUNT, LAYOUTS, RECORDED, TEST_ITERS, compareResults, only } from './mailbox';
import { buildNative, runNative } from './native';
import { needTools } from '../test/tools';
import { referenceResult } from './reference';
import { guestDir, loadImage, runInEmulator } from './workload';

describe('benchmark workload', () => {
  it('the TypeScript reference computes what the native build recorded', () => {
    for (const name of ['test', 'bench', 'demo'] as const) {
      const rec = RECORDED[name];
      expect(compareResults(`reference (${name})`, referenceResult(rec.iters), rec, rec.iters)).toEqual([]);
    }
  });

  for (const layout of LAYOUTS) {
    it(`runs in the emulator with the buffers ${layout === 'separate' ? 'on separate pages' : "on the code's page"}`, () => {
      const r = runInEmulator(loadImage(layout), TEST_ITERS, 100_000_000);
      expect(r.failure).toBeNull();
      expect(r.result.done).toBe(true);
      expect(r.result.errors).toBe(0);
      expect(r.result.value).toEqual(RECORDED.test.value);
      expect(r.result.checksum).toEqual(RECORDED.test.checksum);
    });
  }

  it('runs each kernel alone, with other iteration counts, as the reference says', () => {
    const image = loadImage('samepage');
    const iters = [3, 5, 2, 6, 4];
    const want = referenceResult(iters);
    for (let k = 0; k < K_COUNT; k++) {
      const r = runInEmulator(image, only(k, iters), 50_000_000);
      expect(r.failure).toBeNull();
      expect(compareResults('emulator', r.result, want, only(k, iters))).toEqual([]);
    }
  });

  it.skipIf(!needTools('gcc'))('the native build computes the recorded values', () => {
    const build = buildNative(guestDir());
    if (typeof build === 'string') throw new Error(build);
    try {
      const n = runNative(build, TEST_ITERS, 1);
      expect(compareResults('native', n.result, RECORDED.test, TEST_ITERS)).toEqual([]);
    } finally {
      build.dispose();
    }
  });
});
