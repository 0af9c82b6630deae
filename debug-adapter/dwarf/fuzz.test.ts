// Robustness: every DWARF section of real programs, truncated at random points and with random
// bytes changed, read through the whole API. Nothing may throw, and each run must finish quickly
// (loops and recursion are bounded); problems must come back as warnings.
import { describe, expect, it } from 'vitest';
import { DwarfDebugInfo } from './dwarf';
import type { DwarfSource } from './source';
import { loadFixture, memoryFrom, type LoadedElf } from './test-support';

const SECTIONS = [
  '.debug_info',
  '.debug_abbrev',
  '.debug_line',
  '.debug_line_str',
  '.debug_str',
  '.debug_loclists',
  '.debug_rnglists',
  '.debug_loc',
  '.debug_ranges',
  '.debug_addr',
  '.debug_str_offsets',
  '.eh_frame',
  '.debug_frame',
];

/** Cases per section; KSTACK_FUZZ_CASES=1000 for a longer hunt (seeded: the same cases every run). */
const CASES = Number(process.env.KSTACK_FUZZ_CASES ?? 24);

/** xorshift32: the same cases on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function withSection(base: DwarfSource, name: string, bytes: Uint8Array): DwarfSource {
  return { ...base, section: (n) => (n === name ? bytes : base.section(n)), sectionAddress: base.sectionAddress };
}

/** Load and use everything a debugger would; returns the number of warnings. */
function exercise(src: DwarfSource, loaded: LoadedElf): number {
  const d = DwarfDebugInfo.load(src);
  const mem = memoryFrom(loaded);
  const fns = d.functions();
  for (const f of fns.slice(0, 12)) {
    const pcs = [f.lowPc, f.lowPc + (f.highPc - f.lowPc) / 2n, f.highPc - 1n];
    for (const pc of pcs) {
      d.lineForAddress(pc);
      d.functionAt(pc);
      const regs = { rip: pc, rsp: 0x7ff000n, rbp: 0x7ff100n, rdi: 1n, rsi: 2n, rax: 3n, rbx: 4n };
      const cfa = d.cfa(regs, mem);
      for (const v of d.variablesAt(pc)) {
        d.typeName(v.type);
        d.typeDefinition(v.type);
        d.describeLocation(v);
        const node = d.readValue(v, { regs, readMemory: mem, cfa });
        if (node.pointer) d.dereference(node, { readMemory: mem });
      }
      d.unwindStep(regs, mem);
    }
  }
  for (const g of d.globals()) {
    d.typeDefinition(g.type);
    d.readValue(g, { regs: {}, readMemory: mem });
  }
  for (const f of d.sourceFiles()) d.resolveBreakpoint(f.path, 10);
  return d.warnings.length;
}

describe.each(['c-dwarf5-O1', 'c-dwarf4-O2-debugframe', 'c-dwarf2-O1'])('fuzz %s', (name) => {
  const loaded = loadFixture(name);
  const present = SECTIONS.filter((s) => loaded.src.section(s)?.length);

  it('reads the unmodified file without warnings', () => {
    expect(exercise(loaded.src, loaded)).toBe(0);
  });

  for (const section of present) {
    it(`${section}: truncated and mutated, never throws and finishes quickly`, () => {
      const orig = loaded.src.section(section)!;
      const rand = rng(section.length * 7919 + name.length + Number(process.env.KSTACK_FUZZ_SEED ?? 0));
      let warned = 0;
      for (let i = 0; i < CASES; i++) {
        let bytes: Uint8Array;
        if (i % 3 === 0) bytes = orig.slice(0, Math.floor(rand() * orig.length));
        else {
          bytes = orig.slice();
          const flips = 1 + Math.floor(rand() * (i % 3 === 1 ? 4 : 64));
          for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        }
        const t0 = performance.now();
        let n = 0;
        expect(() => (n = exercise(withSection(loaded.src, section, bytes), loaded)), `${section} case ${i}`).not.toThrow();
        expect(performance.now() - t0, `${section} case ${i} took too long`).toBeLessThan(5000);
        warned += n > 0 ? 1 : 0;
      }
      // Damage is reported, not silently ignored (most cases produce a warning somewhere).
      if (section !== '.debug_str' && section !== '.debug_line_str') expect(warned).toBeGreaterThan(0);
    });
  }
});
