// The language configuration (language-configuration.json at the repository root, which VS Code reads
// through the manifest's `contributes.languages`): comments, brackets, quotes, folding markers and the
// word pattern. Generated with the grammar (generate.ts), because VS Code ignores regex flags in
// folding markers: NASM's keywords are case-insensitive, so each letter becomes `[Xx]` here.

/** `macro` -> `[Mm][Aa][Cc][Rr][Oo]` (JavaScript regexes; VS Code drops the `i` flag of folding markers). */
export function caseless(word: string): string {
  return word.replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

const alt = (words: readonly string[]): string => `(?:${words.map(caseless).join('|')})`;

/** Blocks that fold: `%macro`..`%endmacro`, `%if*`..`%endif`, `%rep`..`%endrep`, `struc`..`endstruc`, `istruc`..`iend`. */
export const FOLDING_START = String.raw`^\s*(?:%${alt(['macro', 'imacro', 'rmacro', 'irmacro', 'rep'])}\b|%${caseless('if')}\w*|(?:[\w.$#@~?]+:\s*)?${alt(['struc', 'istruc'])}\b|;\s*#?region\b)`;
export const FOLDING_END = String.raw`^\s*(?:%${alt(['endmacro', 'endm', 'endif', 'endrep'])}\b|${alt(['endstruc', 'iend'])}\b|;\s*#?endregion\b)`;

/**
 * A word: a number (`0x1F`, `1Fh`, `$1F`, `1.5e-3`) or an identifier with NASM's characters, its
 * leading `.` (local labels), `..@` and `%%` / `%$` (macro- and context-local names) included.
 */
export const WORD_PATTERN =
  String.raw`(\$?[0-9][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]*)?` +
  // a signed exponent: after a decimal `1.5e` / `1e`, or the `p` of a hexadecimal float `0x1.8p`
  String.raw`(?:(?<=(?:^|[^A-Za-z0-9_.$])[0-9][0-9_]*(?:\.[0-9_]*)?[eE]|\.[0-9A-Fa-f_]*[pP])[+-][0-9_]+)?)` +
  String.raw`|((?:%%|%\$+|\$)?[A-Za-z_.?@][A-Za-z0-9_$#@~.?]*)`;

export function languageConfiguration(): object {
  const quote = (q: string): object => ({ open: q, close: q, notIn: ['string', 'comment'] });
  return {
    comments: { lineComment: ';' },
    brackets: [
      ['[', ']'],
      ['(', ')'],
      ['{', '}'],
    ],
    autoClosingPairs: [{ open: '[', close: ']' }, { open: '(', close: ')' }, { open: '{', close: '}' }, quote('"'), quote("'"), quote('`')],
    autoCloseBefore: ";:.,=}])> \n\t",
    surroundingPairs: [
      ['[', ']'],
      ['(', ')'],
      ['{', '}'],
      ['"', '"'],
      ["'", "'"],
      ['`', '`'],
    ],
    folding: { markers: { start: FOLDING_START, end: FOLDING_END } },
    wordPattern: WORD_PATTERN,
  };
}
