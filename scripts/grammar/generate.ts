// Builds the NASM grammar and the language configuration from the template (template.ts,
// language-configuration.ts) and the instruction table's word lists: the mnemonics of isa/table.ts
// with NASM's aliases (asm/mnemonics.ts), the prefixes, and the registers of asm/registers.ts.
// build.mjs writes the files; test/grammar checks that the committed ones are what this produces.

import { FORMS } from '../../isa/table';
import { MNEMONIC_NAMES, PREFIX_NAMES } from '../../asm/mnemonics';
import { REGISTER_NAMES, lookupRegister } from '../../asm/registers';
import { expand, template, variables, type WordLists } from './template';
import { languageConfiguration } from './language-configuration';

export const GRAMMAR_PATH = 'syntaxes/nasm.tmLanguage.json';
export const LANGUAGE_CONFIGURATION_PATH = 'language-configuration.json';
export const SCOPE_NAME = 'source.nasm';

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

export function wordLists(): WordLists {
  const byClass = (cls: string): string[] => sorted(REGISTER_NAMES.filter((n) => lookupRegister(n)?.cls === cls));
  const registers = {
    general: byClass('gpr'),
    segment: byClass('seg'),
    control: byClass('cr'),
    debug: byClass('dr'),
    instructionPointer: byClass('rip'),
  };
  const classified = Object.values(registers).reduce((n, l) => n + l.length, 0);
  if (classified !== REGISTER_NAMES.length) throw new Error('grammar: asm/registers.ts has a register class the grammar does not know');
  return {
    mnemonics: sorted([...FORMS.map((f) => f.mnemonic.toLowerCase()), ...MNEMONIC_NAMES]),
    prefixes: sorted(PREFIX_NAMES),
    registers,
  };
}

export function grammar(): object {
  return expand(template(), variables(wordLists()));
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

/** Every generated file: repository-relative path -> content. */
export function generate(): Map<string, string> {
  return new Map([
    [GRAMMAR_PATH, json(grammar())],
    [LANGUAGE_CONFIGURATION_PATH, json(languageConfiguration())],
  ]);
}
