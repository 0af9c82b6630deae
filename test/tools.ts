// Oracle tools (gcc, nasm, ld, readelf, qemu) for tests. A test that needs one runs when it is
// installed; when it is missing the test is skipped on a developer's machine, but with CI=true a
// failing test takes its place, so a missing oracle fails the run instead of hiding in a skip.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const cache = new Map<string, boolean>();

/** True when `command -v name` finds the tool. */
export function haveTool(name: string): boolean {
  let ok = cache.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    cache.set(name, ok);
  }
  return ok;
}

/**
 * True when every tool is installed. When some are missing and CI=true, registers a failing test
 * in the current describe block that names them. Use as `it.skipIf(!needTools('nasm'))(...)`.
 */
export function needTools(...names: string[]): boolean {
  const missing = names.filter((n) => !haveTool(n));
  if (missing.length && process.env.CI === 'true') {
    it(`has ${missing.join(', ')} (oracle tools are required when CI=true)`, () => {
      expect.fail(`missing oracle tool(s): ${missing.join(', ')}; .ci/run installs them`);
    });
  }
  return missing.length === 0;
}
