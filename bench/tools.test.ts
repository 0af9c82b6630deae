// The tool-chain benchmark's input is a real program: it assembles without diagnostics, to the
// length its lines imply, and every byte of its code section decodes.
import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/assembler';
import { memoryHost } from '../asm/host';
import { decode } from '../isa/decoder';
import { generatedSource, lspFigures, lspSource } from './tools';

describe('bench/tools generated source', () => {
  it('has the asked-for number of lines and assembles cleanly', () => {
    const text = generatedSource(2_000);
    expect(text.split('\n').length - 1).toBe(2_000);
    const r = assemble({ path: 'g.asm', text }, { format: 'bin', host: memoryHost({}) });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    const text0 = r.image!.sections.find((s) => s.exec)!;
    let pos = 0;
    let invalid = 0;
    while (pos < text0.data.length) {
      const ins = decode(text0.data, pos, text0.data.length - pos, 64);
      if (ins.invalid) invalid++;
      pos += ins.length;
    }
    expect(invalid).toBe(0);
  });
});

describe('bench/tools language-server source', () => {
  it('has the asked-for number of lines, assembles cleanly and changes with the salt', () => {
    const a = lspSource(2_000, 1);
    expect(a.split('\n').length - 1).toBe(2_000);
    expect(lspSource(2_000, 2)).not.toBe(a);
    const r = assemble({ path: 'l.asm', text: a }, { format: 'image', host: memoryHost({}) });
    expect(r.diagnostics).toEqual([]);
  });
  it('gives edit -> diagnostics figures for it', () => {
    const f = lspFigures(300, 3);
    expect(f?.lines).toBe(300);
    expect(f!.fastest).toBeGreaterThan(0);
    expect(f!.median).toBeGreaterThanOrEqual(f!.fastest);
  });
});
