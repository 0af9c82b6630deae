// The hand-written part of the NASM TextMate grammar (syntaxes/nasm.tmLanguage.json). The word lists
// that must follow the instruction table (mnemonics, prefixes, registers) are not written here:
// generate.ts reads them from isa/table.ts, asm/mnemonics.ts and asm/registers.ts and passes them
// in as `WordLists`; `{{name}}` in any string of the template is replaced by the variable `name`
// (variables may use other variables).
//
// How a line is read (TextMate rules see one line at a time, left to right):
// - preprocessor lines (`%define`, `%macro`, `%if`, ...) are `meta.preprocessor`, up to the end of
//   the line or of its `\` continuation;
// - otherwise the start of the line is "the head": an optional label (`name:`, `.local:`,
//   `%%macro_local:`, `%$context_local:`; before `equ`, data and `times` also without the colon),
//   then prefixes and a mnemonic, or a data/reserve directive, or `times`, or an assembler
//   directive, or else a macro call. Mnemonics are keywords only there (and after `times` or
//   `align n,`), so a symbol that happens to be called `str` or `in` in an operand is not one;
// - the rest of the line: operands (registers, sizes, numbers, strings, `$`, `$$`, macro
//   parameters, operators) and the comment.

export interface WordLists {
  /** Instruction mnemonics, lower case: the table's and NASM's aliases. */
  mnemonics: readonly string[];
  /** Instruction prefixes, lower case (lock, rep..., o16..., a16..., segment overrides). */
  prefixes: readonly string[];
  registers: {
    general: readonly string[];
    segment: readonly string[];
    control: readonly string[];
    debug: readonly string[];
    instructionPointer: readonly string[];
  };
}

/** Words the template itself owns (NASM's, not the instruction table's). */
export const WORDS = {
  data: ['db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz'],
  reserve: ['resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz'],
  /** Assembler directives (the line's head; also in `[...]`). */
  directives: [
    'bits', 'use16', 'use32', 'use64', 'default', 'section', 'segment', 'absolute', 'extern', 'required',
    'global', 'static', 'common', 'cpu', 'float', 'org', 'align', 'alignb', 'sectalign', 'struc',
    'endstruc', 'istruc', 'iend', 'at', 'warning', 'list', 'map', 'osabi',
  ],
  sizes: ['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword'],
  modifiers: ['strict', 'near', 'far', 'short', 'nosplit', 'rel', 'abs', 'to'],
  wordOperators: ['seg', 'wrt'],
  /** `%define`-like directives: the next word is a single-line macro's name. */
  ppDefine: [
    'define', 'xdefine', 'idefine', 'ixdefine', 'undef', 'defalias', 'idefalias', 'undefalias', 'assign',
    'iassign', 'defstr', 'idefstr', 'deftok', 'ideftok', 'strcat', 'strlen', 'substr', 'pathsearch',
  ],
  /** `%macro`-like directives: the next word is a multi-line macro's name. */
  ppMacro: ['macro', 'imacro', 'rmacro', 'irmacro', 'unmacro', 'unimacro'],
  /** The other preprocessor directives (the `%if` family is built from `ppCond`). */
  ppOther: [
    'else', 'endif', 'endmacro', 'endm', 'exitmacro', 'rotate', 'rep', 'endrep', 'exitrep', 'include',
    'depend', 'use', 'push', 'pop', 'repl', 'arg', 'local', 'stacksize', 'line', 'error', 'warning',
    'fatal', 'pragma', 'aliases', 'clear', 'null',
  ],
  /** `%if<cond>`, `%ifn<cond>`, `%elif<cond>`, `%elifn<cond>`; '' is plain `%if`. */
  ppCond: ['', 'def', 'idn', 'idni', 'num', 'str', 'id', 'token', 'empty', 'macro', 'ctx', 'env', 'usable', 'using'],
  /** Preprocessor functions, written `%name(...)`; `%is<cond>(...)` too. */
  ppFunctions: ['eval', 'abs', 'hex', 'num', 'str', 'strcat', 'strlen', 'substr', 'tok', 'count', 'sel', 'cond'],
  /** Built-in functions written `__?name?__(...)` or `__name__(...)`. */
  builtinFunctions: [
    'float8', 'float16', 'bfloat16', 'float32', 'float64', 'float80m', 'float80e', 'float128l', 'float128h',
    'utf16', 'utf16le', 'utf16be', 'utf32', 'utf32le', 'utf32be', 'ilog2e', 'ilog2w', 'ilog2f', 'ilog2c',
  ],
  floatConstants: ['infinity', 'nan', 'qnan', 'snan'],
  /** Special symbols after `wrt` and the like (`..start`, `..plt`, ...). */
  specialSymbols: ['start', 'imagebase', 'got', 'gotpc', 'gotoff', 'gotpcrel', 'gottpoff', 'plt', 'sym', 'tlsie', 'tlsgd'],
  sectionAttributes: [
    'progbits', 'nobits', 'note', 'preinit_array', 'init_array', 'fini_array', 'alloc', 'noalloc', 'exec',
    'noexec', 'write', 'nowrite', 'tls', 'notls', 'pointer', 'merge', 'strings', 'data', 'code', 'text',
    'bss', 'rdata', 'info', 'mixed', 'zerofill', 'private', 'public',
  ],
  sectionKeyAttributes: ['align', 'valign', 'start', 'vstart', 'follows', 'vfollows'],
  symbolAttributes: ['function', 'data', 'object', 'notype', 'hidden', 'protected', 'internal', 'default', 'weak', 'strong'],
  defaultArguments: ['rel', 'abs', 'bnd', 'nobnd'],
};

type Captures = Record<string, Rule>;
export interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
  include?: string;
}

/** `(?i:a|b|c)` from words (longest first, so that the listing reads naturally; order does not matter with {{eow}}). */
export function alternation(words: readonly string[]): string {
  const uniq = [...new Set(words.map((w) => w.toLowerCase()))];
  uniq.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return `(?i:${uniq.map(escapeRegex).join('|')})`;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The template's variables, the word lists' alternations included. */
export function variables(lists: WordLists): Record<string, string> {
  const r = lists.registers;
  const ppCondWords = WORDS.ppCond.flatMap((c) => [`if${c}`, `ifn${c}`, `elif${c}`, `elifn${c}`]);
  return {
    // identifiers (NASM: letters, digits, _ $ # @ ~ . ?; not starting with a digit, $ or #)
    idc: String.raw`[A-Za-z0-9_$#@~.?]`,
    ids: String.raw`[A-Za-z_.?@]`,
    bow: String.raw`(?<![A-Za-z0-9_$#@~.?])`,
    eow: String.raw`(?![A-Za-z0-9_$#@~.?])`,
    ident: String.raw`{{ids}}{{idc}}*`,
    // the end of a logical line: not when the line ends with `\` (a continuation; up to two blanks
    // after it). `(?<!\n)`: the engine sees each line with its `\n`, and `$` also matches after it.
    eol: String.raw`(?<!\\)(?<!\\[ \t])(?<!\\[ \t]{2})(?<!\n)$`,
    // a macro parameter as a piece of a name: %1 %+1 %-1 %{1} %{1:-1}
    pp: String.raw`%(?:[0-9]+|[+-][0-9]+|\{[^{}\n]*\})`,
    namechar: String.raw`(?:{{idc}}|{{pp}}|%\+)`,
    // label names, by kind (no capturing groups: the rules add their own)
    lname_local: String.raw`\.(?:[A-Za-z0-9_$#@~?]|{{pp}}){{namechar}}*`,
    lname_macro: String.raw`%%{{idc}}+{{namechar}}*`,
    lname_ctx: String.raw`%\$+{{idc}}+{{namechar}}*`,
    lname_plain: String.raw`(?:\$?{{ids}}|{{pp}}){{namechar}}*`,
    // the generated lists
    mnemonic: alternation(lists.mnemonics),
    prefix: alternation(lists.prefixes),
    reg_general: alternation(r.general),
    reg_segment: alternation(r.segment),
    reg_control: alternation(r.control),
    reg_debug: alternation(r.debug),
    reg_ip: alternation(r.instructionPointer),
    // NASM's words
    data: alternation(WORDS.data),
    reserve: alternation(WORDS.reserve),
    size: alternation(WORDS.sizes),
    modifier: alternation(WORDS.modifiers),
    word_operator: alternation(WORDS.wordOperators),
    pp_define: alternation(WORDS.ppDefine),
    pp_macro: alternation(WORDS.ppMacro),
    pp_other: alternation([...WORDS.ppOther, ...ppCondWords]),
    pp_function: alternation([...WORDS.ppFunctions, ...WORDS.ppCond.filter((c) => c !== '').map((c) => `is${c}`)]),
    builtin_function: alternation(WORDS.builtinFunctions),
    float_constant: alternation(WORDS.floatConstants),
    special_symbol: alternation(WORDS.specialSymbols),
    section_attribute: alternation(WORDS.sectionAttributes),
    section_key: alternation(WORDS.sectionKeyAttributes),
    symbol_attribute: alternation(WORDS.symbolAttributes),
    default_argument: alternation(WORDS.defaultArguments),
    // numbers (each wrapped in {{bow}} ... {{eow}} where used)
    dec_exp: String.raw`e[+-]?[0-9][0-9_]*`,
    bin_exp: String.raw`p[+-]?[0-9][0-9_]*`,
  };
}

// ---- the label in front of a statement ---------------------------------------------------------

const LABEL_NAME_CAPTURES = (suffix: string): Captures => ({
  '1': { name: `entity.name.label.local.${suffix}`, patterns: [{ include: '#name-parameter' }] },
  '2': { name: `entity.name.label.local.macro.${suffix}`, patterns: [{ include: '#name-parameter' }] },
  '3': { name: `entity.name.label.local.context.${suffix}`, patterns: [{ include: '#name-parameter' }] },
  '4': { name: `entity.name.label.${suffix}`, patterns: [{ include: '#name-parameter' }] },
  '5': { name: `punctuation.separator.label.${suffix}` },
});
const LABEL_GROUPS = 5;
const LABEL_NAMES = String.raw`(?:({{lname_local}})|({{lname_macro}})|({{lname_ctx}})|({{lname_plain}}))`;

/**
 * `colon`: a label is a label only with its colon (before a mnemonic or a macro call, where
 * `name word` would be ambiguous); `any`: also without it, before `equ`, data, `res*` and `times`.
 */
function labelPrefix(mode: 'colon' | 'any'): string {
  return mode === 'colon'
    ? String.raw`(?:${LABEL_NAMES}[ \t]*(:)[ \t]*)?`
    : String.raw`(?:${LABEL_NAMES}(?:[ \t]*(:)[ \t]*|[ \t]+))?`;
}

function shift(caps: Captures, by: number): Captures {
  const out: Captures = {};
  for (const [k, v] of Object.entries(caps)) out[String(Number(k) + by)] = v;
  return out;
}

/** A statement head: `^`, blanks, an optional label, then `body` (whose groups count from 1). */
function head(mode: 'colon' | 'any', body: string, caps: Captures, sfx: string): { re: string; caps: Captures } {
  return { re: String.raw`^[ \t]*${labelPrefix(mode)}${body}`, caps: { ...LABEL_NAME_CAPTURES(sfx), ...shift(caps, LABEL_GROUPS) } };
}

// ---- the grammar --------------------------------------------------------------------------------

export function template(sfx = 'nasm'): { [k: string]: unknown } {
  const s = (name: string): string => `${name}.${sfx}`;
  const prefixes: Rule = { name: s('meta.prefixes'), patterns: [{ match: String.raw`{{bow}}{{prefix}}{{eow}}`, name: s('keyword.other.prefix') }] };

  // the statement that may follow `times n`, `align n,` or `at field,`
  const statementCaps: Captures = {
    '1': prefixes,
    '2': { name: s('keyword.mnemonic.x86') },
    '3': { name: s('keyword.directive.data') },
    '4': { name: s('keyword.directive.reserve') },
  };
  const statementBody = String.raw`((?:{{prefix}}[ \t]+)*)(?:({{mnemonic}})|({{data}})|({{reserve}})){{eow}}`;

  const instruction = head('colon', String.raw`((?:{{prefix}}[ \t]+)*)({{mnemonic}}){{eow}}`, { '1': prefixes, '2': { name: s('keyword.mnemonic.x86') } }, sfx);
  // prefixes alone (`rep`), or before a word the table does not know (`lock foo`): still prefixes
  const prefixOnly = head('colon', String.raw`({{prefix}}(?:[ \t]+{{prefix}})*){{eow}}`, { '1': prefixes }, sfx);
  const data = head('any', String.raw`(?:({{data}})|({{reserve}})|((?i:incbin))){{eow}}`, {
    '1': { name: s('keyword.directive.data') },
    '2': { name: s('keyword.directive.reserve') },
    '3': { name: s('keyword.directive.incbin') },
  }, sfx);
  const times = head('any', String.raw`((?i:times)){{eow}}`, { '1': { name: s('keyword.directive.times') } }, sfx);
  const macroCall = head(
    'colon',
    String.raw`(?!__\??{{idc}}*\??__{{eow}})({{ident}})(?=[ \t]|;|$)`,
    { '1': { name: s('entity.name.function.macro.call') } },
    sfx,
  );
  const labelOnly = { re: String.raw`^[ \t]*${LABEL_NAMES}[ \t]*(:)`, caps: LABEL_NAME_CAPTURES(sfx) };

  // `[directive ...]` or `directive ...` (`label: directive ...` too, for `origin: istruc point`)
  const directiveLine = (words: string, patterns: Rule[]): Rule => ({
    name: s('meta.directive'),
    begin: String.raw`^[ \t]*(?:(\[)[ \t]*|${LABEL_NAMES}[ \t]*(:)[ \t]*)?(${words}){{eow}}`,
    beginCaptures: {
      '1': { name: s('punctuation.definition.directive.begin') },
      ...shift(LABEL_NAME_CAPTURES(sfx), 1),
      [String(LABEL_GROUPS + 2)]: { name: s('keyword.directive') },
    },
    end: String.raw`(\])|{{eol}}`,
    endCaptures: { '1': { name: s('punctuation.definition.directive.end') } },
    patterns: [...patterns, { include: '#operands' }],
  });

  const preprocessorLine = (begin: string, beginCaptures: Captures, patterns: Rule[] = []): Rule => ({
    name: s('meta.preprocessor'),
    begin,
    beginCaptures,
    end: '{{eol}}',
    patterns: [...patterns, { include: '#operands' }],
  });

  const stringRule = (quote: string, kind: string, escapes: boolean): Rule => ({
    name: s(`string.quoted.${kind}`),
    begin: quote,
    beginCaptures: { '0': { name: s('punctuation.definition.string.begin') } },
    end: String.raw`(${quote})|$`,
    endCaptures: { '1': { name: s('punctuation.definition.string.end') } },
    patterns: escapes ? [{ include: '#escape' }] : [],
  });

  const number = (body: string, scope: string): Rule => ({ match: String.raw`{{bow}}(?i:${body}){{eow}}`, name: s(scope) });

  return {
    information_for_contributors: [
      'Generated by scripts/grammar/build.mjs from scripts/grammar/template.ts and the instruction table',
      '(isa/table.ts, asm/mnemonics.ts, asm/registers.ts). Do not edit: change the template and run',
      'node scripts/grammar/build.mjs.',
    ],
    name: 'NASM (x86-64)',
    scopeName: `source.${sfx}`,
    fileTypes: ['asm', 'nasm', 'inc'],
    patterns: [{ include: '#comment' }, { include: '#preprocessor' }, { include: '#statement' }, { include: '#operands' }],
    repository: {
      comment: {
        match: String.raw`(;).*$`,
        name: s('comment.line.semicolon'),
        captures: { '1': { name: s('punctuation.definition.comment') } },
      },
      'line-continuation': {
        match: String.raw`\\(?=[ \t]*$)`,
        name: s('constant.character.escape.line-continuation'),
      },

      // ---- preprocessor ------------------------------------------------------------------
      preprocessor: {
        patterns: [
          preprocessorLine(
            String.raw`^[ \t]*(%{{pp_macro}}){{eow}}(?:[ \t]+((?:{{ids}}|{{pp}}){{namechar}}*))?`,
            {
              '1': { name: s('keyword.control.preprocessor') },
              '2': { name: s('entity.name.function.macro'), patterns: [{ include: '#name-parameter' }] },
            },
            [{ match: String.raw`(?i:\.nolist){{eow}}`, name: s('storage.modifier.nolist') }],
          ),
          preprocessorLine(
            String.raw`^[ \t]*(%{{pp_define}}){{eow}}(?:[ \t]+((?:{{ids}}|{{pp}}|%%|%\$+){{namechar}}*)(?:(\()([^()\n]*)(\)))?)?`,
            {
              '1': { name: s('keyword.control.preprocessor') },
              '2': { name: s('entity.name.function.macro'), patterns: [{ include: '#name-parameter' }] },
              '3': { name: s('punctuation.section.parens.begin') },
              '4': {
                patterns: [
                  { match: String.raw`{{ident}}`, name: s('variable.parameter.macro') },
                  { match: ',', name: s('punctuation.separator.comma') },
                  { match: String.raw`[=&!+*]`, name: s('storage.modifier.parameter') },
                ],
              },
              '5': { name: s('punctuation.section.parens.end') },
            },
          ),
          preprocessorLine(String.raw`^[ \t]*(%{{pp_other}}){{eow}}`, { '1': { name: s('keyword.control.preprocessor') } }),
        ],
      },
      'macro-parameter': {
        patterns: [
          { match: String.raw`%%{{idc}}+`, name: s('variable.other.macro-local') },
          { match: String.raw`%\$+{{idc}}+`, name: s('variable.other.context-local') },
          { match: String.raw`%\?\??`, name: s('variable.language.macro-name') },
          { include: '#name-parameter' },
        ],
      },
      // the macro parameters that can be part of a name (`%1_top:`, `.x%+%2`)
      'name-parameter': {
        patterns: [
          { match: '{{pp}}', name: s('variable.parameter.macro') },
          { match: String.raw`%\+`, name: s('keyword.operator.token-paste') },
        ],
      },
      'preprocessor-function': {
        match: String.raw`(%{{pp_function}})(?=\()`,
        name: s('support.function.preprocessor'),
      },
      'preprocessor-expansion': {
        name: s('meta.embedded.expansion'),
        begin: String.raw`%\[`,
        beginCaptures: { '0': { name: s('punctuation.section.embedded.begin') } },
        end: String.raw`(\])|(?=;)|$`,
        endCaptures: { '1': { name: s('punctuation.section.embedded.end') } },
        patterns: [{ include: '#operands' }],
      },

      // ---- the head of a statement ---------------------------------------------------------------
      statement: {
        patterns: [
          {
            // NAME equ value
            match: String.raw`^[ \t]*${LABEL_NAMES}[ \t]*(:)?[ \t]*((?i:equ)){{eow}}`,
            captures: {
              '1': { name: s('entity.name.constant'), patterns: [{ include: '#name-parameter' }] },
              '2': { name: s('entity.name.constant'), patterns: [{ include: '#name-parameter' }] },
              '3': { name: s('entity.name.constant'), patterns: [{ include: '#name-parameter' }] },
              '4': { name: s('entity.name.constant'), patterns: [{ include: '#name-parameter' }] },
              '5': { name: s('punctuation.separator.label') },
              '6': { name: s('keyword.directive.equ') },
            },
          },
          directiveLine('(?i:section|segment)', [
            { match: String.raw`\G[ \t]+([^\s\],;]+)`, captures: { '1': { name: s('entity.name.section') } } },
            { match: String.raw`{{bow}}({{section_key}})[ \t]*(=)`, captures: { '1': { name: s('storage.modifier.section') }, '2': { name: s('keyword.operator.assignment') } } },
            { match: String.raw`{{bow}}{{section_attribute}}{{eow}}`, name: s('storage.modifier.section') },
          ]),
          directiveLine('(?i:struc|istruc)', [
            { match: String.raw`\G[ \t]+({{ident}})`, captures: { '1': { name: s('entity.name.type.struc') } } },
          ]),
          directiveLine('(?i:at)', [
            { match: String.raw`\G[ \t]+({{ident}})`, captures: { '1': { name: s('variable.other.member') } } },
            { include: '#statement-after-comma' },
          ]),
          directiveLine('(?i:align|alignb)', [{ include: '#statement-after-comma' }]),
          directiveLine('(?i:global|extern|common|static|required)', [
            {
              match: String.raw`(:)((?:[ \t]*{{symbol_attribute}}{{eow}})+)`,
              captures: {
                '1': { name: s('punctuation.separator.colon') },
                '2': { patterns: [{ match: String.raw`{{bow}}{{symbol_attribute}}{{eow}}`, name: s('storage.modifier.symbol') }] },
              },
            },
          ]),
          directiveLine('(?i:default)', [{ match: String.raw`{{bow}}{{default_argument}}{{eow}}`, name: s('storage.modifier') }]),
          directiveLine(alternation(WORDS.directives.filter((d) => !/^(section|segment|struc|istruc|at|align|alignb|global|extern|common|static|required|default)$/.test(d))), []),
          {
            name: s('meta.times'),
            begin: times.re,
            beginCaptures: times.caps,
            end: '{{eol}}',
            patterns: [
              { begin: String.raw`{{bow}}${statementBody}`, beginCaptures: statementCaps, end: '(?={{eol}})', patterns: [{ include: '#operands' }] },
              { include: '#operands' },
            ],
          },
          { match: instruction.re, captures: instruction.caps },
          { match: prefixOnly.re, captures: prefixOnly.caps },
          { match: data.re, captures: data.caps },
          { match: macroCall.re, captures: macroCall.caps },
          { match: labelOnly.re, captures: labelOnly.caps },
        ],
      },
      'statement-after-comma': {
        match: String.raw`(?<=,)[ \t]*${statementBody}`,
        captures: statementCaps,
      },

      // ---- operands and expressions -----------------------------------------------------------------
      operands: {
        patterns: [
          { include: '#comment' },
          { include: '#line-continuation' },
          { include: '#string' },
          { include: '#preprocessor-function' },
          { include: '#preprocessor-expansion' },
          { include: '#macro-parameter' },
          { include: '#special-symbol' },
          { include: '#builtin' },
          { include: '#number' },
          { include: '#dollar' },
          { include: '#keyword' },
          { include: '#register' },
          { include: '#identifier' },
          { include: '#operator' },
          { include: '#punctuation' },
        ],
      },
      string: {
        patterns: [stringRule("'", 'single', false), stringRule('"', 'double', false), stringRule('`', 'other.backquote', true)],
      },
      escape: {
        patterns: [
          { match: String.raw`\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)`, name: s('constant.character.escape') },
        ],
      },
      'special-symbol': {
        match: String.raw`{{bow}}\.\.{{special_symbol}}{{eow}}`,
        name: s('variable.language.special-symbol'),
      },
      builtin: {
        patterns: [
          { match: String.raw`{{bow}}__\??{{builtin_function}}\??__(?=[ \t]*\()`, name: s('support.function.builtin') },
          { match: String.raw`{{bow}}__\??{{float_constant}}\??__{{eow}}`, name: s('constant.language.float') },
          { match: String.raw`{{bow}}__\?[A-Za-z_][A-Za-z0-9_]*\?__{{eow}}`, name: s('support.constant.macro') },
          { match: String.raw`{{bow}}__[A-Za-z][A-Za-z0-9_]*__{{eow}}`, name: s('support.constant.macro') },
        ],
      },
      number: {
        patterns: [
          // floating point: a `.` or an exponent (`e` decimal, `p` binary); prefixes as for integers
          number(String.raw`0[xh][0-9a-f_]*(?:\.[0-9a-f_]*(?:{{bin_exp}})?|{{bin_exp}})`, 'constant.numeric.float.hex'),
          number(String.raw`0[oq][0-7_]*(?:\.[0-7_]*(?:{{bin_exp}})?|{{bin_exp}})`, 'constant.numeric.float.octal'),
          number(String.raw`0[by][01_]*(?:\.[01_]*(?:{{bin_exp}})?|{{bin_exp}})`, 'constant.numeric.float.binary'),
          number(String.raw`(?:0[dt])?[0-9][0-9_]*(?:\.[0-9_]*(?:{{dec_exp}})?|{{dec_exp}})`, 'constant.numeric.float.decimal'),
          // integers; a prefix and a suffix both present: the larger radix wins, as in NASM
          number(String.raw`0[xh][0-9a-f_]+|[0-9][0-9a-f_]*[hx]|\$[0-9][0-9a-f_]*`, 'constant.numeric.hex'),
          number(String.raw`0[by][01_]+|[01][01_]*[by]`, 'constant.numeric.binary'),
          number(String.raw`0[oq][0-7_]+|[0-7][0-7_]*[oq]`, 'constant.numeric.octal'),
          number(String.raw`0[dt][0-9_]+|[0-9][0-9_]*[dt]?`, 'constant.numeric.decimal'),
          { match: String.raw`{{bow}}\$?[0-9]{{idc}}*`, name: s('invalid.illegal.constant.numeric') },
        ],
      },
      dollar: {
        patterns: [
          { match: String.raw`{{bow}}\$\${{eow}}`, name: s('variable.language.section-start') },
          { match: String.raw`{{bow}}\${{ids}}{{idc}}*` }, // `$name`: the symbol `name`, even when it is a keyword
          { match: String.raw`{{bow}}\${{eow}}`, name: s('variable.language.current-address') },
        ],
      },
      keyword: {
        patterns: [
          { match: String.raw`{{bow}}{{size}}{{eow}}`, name: s('storage.type.size') },
          { match: String.raw`{{bow}}{{modifier}}{{eow}}`, name: s('storage.modifier') },
          { match: String.raw`{{bow}}{{word_operator}}{{eow}}`, name: s('keyword.operator.word') },
        ],
      },
      register: {
        patterns: [
          { match: String.raw`{{bow}}{{reg_general}}{{eow}}`, name: s('variable.language.register.general') },
          { match: String.raw`{{bow}}{{reg_segment}}{{eow}}`, name: s('variable.language.register.segment') },
          { match: String.raw`{{bow}}{{reg_control}}{{eow}}`, name: s('variable.language.register.control') },
          { match: String.raw`{{bow}}{{reg_debug}}{{eow}}`, name: s('variable.language.register.debug') },
          { match: String.raw`{{bow}}{{reg_ip}}{{eow}}`, name: s('variable.language.register.instruction-pointer') },
        ],
      },
      identifier: {
        // a symbol: no scope, but one token, so that nothing inside it is read as a keyword
        match: String.raw`{{bow}}(?!\?{{eow}}){{ident}}`, // a lone `?` is an operator (or `db ?`)
      },
      operator: {
        patterns: [
          { match: String.raw`<<<|>>>|<=>|<<|>>|//|%%|==|!=|<>|<=|>=|&&|\|\||\^\^|[-+*/%&|^~!<>=?]`, name: s('keyword.operator') },
        ],
      },
      punctuation: {
        patterns: [
          { match: ',', name: s('punctuation.separator.comma') },
          { match: ':', name: s('punctuation.separator.colon') },
          { match: String.raw`\[`, name: s('punctuation.section.brackets.begin') },
          { match: String.raw`\]`, name: s('punctuation.section.brackets.end') },
          { match: String.raw`\(`, name: s('punctuation.section.parens.begin') },
          { match: String.raw`\)`, name: s('punctuation.section.parens.end') },
          { match: String.raw`\{`, name: s('punctuation.section.braces.begin') },
          { match: String.raw`\}`, name: s('punctuation.section.braces.end') },
        ],
      },
    },
  };
}

/** Replace `{{name}}` in every string of `value` by the variable (recursively), and check none is left. */
export function expand<T>(value: T, vars: Record<string, string>): T {
  const resolved = new Map<string, string>();
  const resolve = (name: string, stack: string[]): string => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    const raw = vars[name];
    if (raw === undefined) throw new Error(`grammar template: unknown variable {{${name}}}`);
    if (stack.includes(name)) throw new Error(`grammar template: variable cycle ${[...stack, name].join(' -> ')}`);
    const out = raw.replace(/\{\{(\w+)\}\}/g, (_, n: string) => resolve(n, [...stack, name]));
    resolved.set(name, out);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, n: string) => resolve(n, []));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
