// language-configuration.json: folding markers, word pattern, brackets and quotes, read as VS Code
// reads them (JavaScript regexes; the folding markers' flags are ignored, so they are case-blind by
// construction).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './textmate';

interface LanguageConfiguration {
  comments: { lineComment: string };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  folding: { markers: { start: string; end: string } };
  wordPattern: string;
}

const config = JSON.parse(readFileSync(join(ROOT, 'language-configuration.json'), 'utf8')) as LanguageConfiguration;
const start = new RegExp(config.folding.markers.start);
const end = new RegExp(config.folding.markers.end);

/** VS Code's rule: a line matching the start marker opens a region, else one matching the end closes one. */
function markerRanges(text: string): { ranges: [number, number][]; unbalanced: number[] } {
  const stack: number[] = [];
  const ranges: [number, number][] = [];
  const unbalanced: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (start.test(line)) stack.push(i + 1);
    else if (end.test(line)) {
      const s = stack.pop();
      if (s === undefined) unbalanced.push(i + 1);
      else ranges.push([s, i + 1]);
    }
  });
  unbalanced.push(...stack);
  return { ranges, unbalanced };
}

/** The word at `col` the way VS Code finds it: the wordPattern match that contains the column. */
function wordAt(line: string, col: number): string | undefined {
  for (const m of line.matchAll(new RegExp(config.wordPattern, 'g'))) {
    if (m.index! <= col && col <= m.index! + m[0].length) return m[0];
  }
  return undefined;
}

describe('folding markers', () => {
  const pairs: [string, string][] = [
    ['%macro PUTS 1-*', '%endmacro'],
    ['  %imacro x 0', '  %endm'],
    ['%if VERSION > 2', '%endif'],
    ['%ifdef X', '%endif'],
    ['%ifndef KSTACK_DEFS_INC', '%endif ; done'],
    ['%ifidni a, b', '%ENDIF'],
    ['%rep 256', '%endrep'],
    ['    struc point', '    endstruc'],
    ['origin: istruc point', '    iend'],
    ['%MACRO X 0', '%ENDMACRO'],
    ['STRUC point', 'ENDSTRUC'],
    [';#region', ';#endregion'],
    ['; region', '; endregion'],
  ];
  for (const [s, e] of pairs) {
    it(`${s.trim()} .. ${e.trim()}`, () => {
      expect(start.test(s)).toBe(true);
      expect(end.test(s)).toBe(false);
      expect(end.test(e)).toBe(true);
      expect(start.test(e)).toBe(false);
    });
  }

  it('matches nothing else', () => {
    for (const line of ['%else', '%elif X', '%define X 1', '%macrox', 'structure: dd 0', '    mov eax, 1', '; a comment', '%endmacros', '%include "x"', '%assign i 0']) {
      expect(start.test(line), line).toBe(false);
      expect(end.test(line), line).toBe(false);
    }
  });

  it('folds the test kernels and the sample into balanced regions', () => {
    for (const f of ['test/kernels/lib/defs.inc', 'test/kernels/lib/kernel.inc', 'test/grammar/samples/all-features.asm']) {
      const { ranges, unbalanced } = markerRanges(readFileSync(join(ROOT, f), 'utf8'));
      expect(unbalanced, f).toEqual([]);
      expect(ranges.length, f).toBeGreaterThan(3);
    }
  });
});

describe('word pattern', () => {
  it('keeps .local, ..@x, %%x, %$x and dotted names whole', () => {
    expect(wordAt('    jne .loop', 10)).toBe('.loop');
    expect(wordAt('.loop:', 2)).toBe('.loop');
    expect(wordAt('    jmp ..@x', 10)).toBe('..@x');
    expect(wordAt('    jz %%again', 10)).toBe('%%again');
    expect(wordAt('    jnz %$skip', 10)).toBe('%$skip');
    expect(wordAt('    mov eax, [p + point.x]', 22)).toBe('point.x');
    expect(wordAt('    mov rax, cr3', 14)).toBe('cr3');
    expect(wordAt('main$x~y?:', 3)).toBe('main$x~y?');
  });

  it('keeps numbers whole', () => {
    expect(wordAt('    dq 0x1F', 9)).toBe('0x1F');
    expect(wordAt('    dq 1Fh', 8)).toBe('1Fh');
    expect(wordAt('    dq $1F', 8)).toBe('$1F');
    expect(wordAt('    dq 1_000', 8)).toBe('1_000');
    expect(wordAt('    dd 1.5e-3', 8)).toBe('1.5e-3');
    expect(wordAt('    dd 1e+10', 8)).toBe('1e+10');
    expect(wordAt('    dq 0x1.8p-3', 8)).toBe('0x1.8p-3');
    expect(wordAt('    dq 0x1E+1', 8)).toBe('0x1E'); // hexadecimal E is a digit: + is an operator
  });

  it('stops at operators and punctuation', () => {
    expect(wordAt('    mov [rbx+rcx*8], eax', 10)).toBe('rbx');
    expect(wordAt('    mov [rbx+rcx*8], eax', 14)).toBe('rcx');
  });
});

describe('comments, brackets, quotes', () => {
  it('; comments, [] () {} brackets, quotes auto-close outside strings and comments', () => {
    expect(config.comments.lineComment).toBe(';');
    expect(config.brackets).toEqual([['[', ']'], ['(', ')'], ['{', '}']]);
    for (const q of ['"', "'", '`']) {
      expect(config.autoClosingPairs).toContainEqual({ open: q, close: q, notIn: ['string', 'comment'] });
      expect(config.surroundingPairs).toContainEqual([q, q]);
    }
  });
});
