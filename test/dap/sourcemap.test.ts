// A kernel built elsewhere: the source paths its DWARF records are found through the launch
// attribute `sourceFileMap` (debug-adapter/sourcemap.ts).

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure, launchToEntry, program, scratchFile, startClient } from './harness';

const KDIR = program('../../../examples/c-kernel');
/**
 * The directories examples/c-kernel/kernel.elf records: NASM's (where it ran) and gcc's and gas's
 * (`-ffile-prefix-map=...=/kstack`, see its build.sh).
 */
const NASM_DIR = '/work/main/examples/c-kernel';
const GCC_DIR = '/kstack/examples/c-kernel';

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe('sourceFileMap', () => {
  it('maps the build directory recorded in DWARF to where the sources are here', async () => {
    const elf = scratchFile('moved-kernel.elf', readFileSync(join(KDIR, 'kernel.elf')));
    const src = join(dirname(elf), 'moved-src');
    mkdirSync(src, { recursive: true });
    for (const f of ['kmain.c', 'interrupts.c', 'serial.c', 'entry.asm', 'isr.S', 'kernel.h']) writeFileSync(join(src, f), readFileSync(join(KDIR, f)));
    await launchToEntry(dc, { program: elf, boot: 'elf64', sourceFileMap: { [NASM_DIR]: src, [GCC_DIR + '/']: src } });
    const sources = (await dc.customRequest('loadedSources', {})).body.sources.map((s: { path: string }) => s.path);
    expect(sources, JSON.stringify(sources)).toContain(join(src, "kmain.c"));
    expect(sources.every((p: string) => p.startsWith(src))).toBe(true);
    const line = readFileSync(join(src, 'kmain.c'), 'utf8').split('\n').findIndex((l) => l.includes('stats.calls++;')) + 1;
    const set = await dc.setBreakpointsRequest({ source: { path: join(src, 'kmain.c') }, breakpoints: [{ line }] });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true, line });
  });

  it('refuses a malformed map with the attribute named', async () => {
    const err = await failure(dc.launch({ program: join(KDIR, 'kernel.elf'), sourceFileMap: ['/a'] }));
    expect(err).toMatch(/'sourceFileMap' must be an object/);
  });
});
