// The NASM grammar (syntaxes/nasm.tmLanguage.json) through VS Code's own engine (vscode-textmate +
// vscode-oniguruma): the committed grammar is what scripts/grammar generates from the instruction
// table, scope snapshots of real files (test kernels, examples, samples/all-features.asm), and
// targeted checks of each construct.
//
//   UPDATE_SNAPSHOTS=1 npx vitest run test/grammar    # rewrite test/grammar/snapshots/*.snap.txt
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../isa/table';
import { MNEMONIC_NAMES, PREFIX_NAMES } from '../../asm/mnemonics';
import { REGISTER_NAMES, lookupRegister } from '../../asm/registers';
import { generate } from '../../scripts/grammar/generate';
import { needTools } from '../tools';
import { formatTokens, loadGrammar, ROOT, tokenize, type Token } from './textmate';

const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const SNAPSHOTS = join(ROOT, 'test', 'grammar', 'snapshots');

// ---- the committed files are the generator's output -------------------------------------------

describe('generated files', () => {
  for (const [path, content] of generate()) {
    it(`${path} is what scripts/grammar/build.mjs produces from the table`, () => {
      const committed = readFileSync(join(ROOT, path), 'utf8');
      expect(committed === content, `${path} is stale: run node scripts/grammar/build.mjs`).toBe(true);
    });
  }

  it('every regex of the grammar compiles in Oniguruma', async () => {
    await loadGrammar(); // loads the wasm
    const grammar = JSON.parse(readFileSync(join(ROOT, 'syntaxes', 'nasm.tmLanguage.json'), 'utf8')) as unknown;
    const regexes: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if ((k === 'match' || k === 'begin' || k === 'end') && typeof x === 'string') regexes.push(x);
          else walk(x);
        }
      }
    };
    walk(grammar);
    expect(regexes.length).toBeGreaterThan(50);
    for (const re of regexes) expect(() => new oniguruma.OnigScanner([re]), re).not.toThrow();
  });
});

// ---- scope snapshots of real files -----------------------------------------------------------------

function listFiles(dir: string, exts: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, exts));
    else if (exts.test(name)) out.push(p);
  }
  return out;
}

/** The files snapshotted: test kernels and their includes, examples, the hand-written samples. */
function sourceFiles(): string[] {
  const files = [
    ...listFiles(join(ROOT, 'test', 'kernels'), /\.(asm|inc)$/),
    ...listFiles(join(ROOT, 'examples'), /\.(asm|nasm|inc)$/),
    ...listFiles(join(ROOT, 'test', 'grammar', 'samples'), /\.(asm|nasm|inc)$/),
  ];
  return files.map((f) => relative(ROOT, f).split('\\').join('/'));
}

/** `test/kernels/lib/defs.inc` -> `kernels-lib-defs.inc.snap.txt`. */
function snapshotName(file: string): string {
  return file.replace(/^test\/grammar\//, '').replace(/^test\//, '').split('/').join('-') + '.snap.txt';
}

describe('scope snapshots', () => {
  const files = sourceFiles();

  it('finds the test kernels and the samples', () => {
    expect(files).toContain('test/kernels/lib/kernel.inc');
    expect(files).toContain('test/grammar/samples/all-features.asm');
  });

  for (const file of files) {
    it(file, async () => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const actual = formatTokens(await tokenize(text));
      const snap = join(SNAPSHOTS, snapshotName(file));
      if (UPDATE) {
        mkdirSync(SNAPSHOTS, { recursive: true });
        if (!existsSync(snap) || readFileSync(snap, 'utf8') !== actual) writeFileSync(snap, actual);
        return;
      }
      expect(existsSync(snap), `no snapshot ${relative(ROOT, snap)}: run UPDATE_SNAPSHOTS=1 npx vitest run test/grammar`).toBe(true);
      const expected = readFileSync(snap, 'utf8');
      if (actual !== expected) {
        // show the first differing lines rather than two 2000-line strings
        const a = actual.split('\n');
        const e = expected.split('\n');
        let i = 0;
        while (i < a.length && a[i] === e[i]) i++;
        expect(a.slice(i, i + 8).join('\n'), `${file} differs from ${relative(ROOT, snap)} (UPDATE_SNAPSHOTS=1 rewrites it)`).toBe(
          e.slice(i, i + 8).join('\n'),
        );
      }
    });
  }

  it('has no snapshot without its file', () => {
    const wanted = new Set(files.map(snapshotName));
    const orphans = existsSync(SNAPSHOTS) ? readdirSync(SNAPSHOTS).filter((n) => n.endsWith('.snap.txt') && !wanted.has(n)) : [];
    if (UPDATE) for (const n of orphans) unlinkSync(join(SNAPSHOTS, n));
    else expect(orphans).toEqual([]);
  });

  it('real files (kernels, examples) have no invalid scope', async () => {
    for (const file of files.filter((f) => !f.startsWith('test/grammar/'))) {
      const bad = (await tokenize(readFileSync(join(ROOT, file), 'utf8'))).filter((t) => t.scopes.some((s) => s.startsWith('invalid')));
      expect(bad.map((t) => `${file}:${t.line}:${t.col} ${t.text}`)).toEqual([]);
    }
  });

  it.skipIf(!needTools('nasm'))('samples/all-features.asm is NASM (nasm -f elf64 assembles it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grammar-nasm-'));
    try {
      execFileSync('nasm', ['-f', 'elf64', '-o', join(dir, 'a.o'), join(ROOT, 'test/grammar/samples/all-features.asm')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- targeted checks -------------------------------------------------------------------------------

/** The scopes (space-separated, root left out) of the first token of `line` whose text is `text`. */
async function scopeOf(line: string, text: string, nth = 0): Promise<string> {
  const toks = (await tokenize(line)).filter((t) => t.text === text);
  const t: Token | undefined = toks[nth];
  if (!t) throw new Error(`no token ${JSON.stringify(text)} in ${JSON.stringify(line)}: ${formatTokens(await tokenize(line))}`);
  return t.scopes.join(' ');
}

describe('labels', () => {
  it('a label, a local label, macro-local and context-local labels, ..@ labels', async () => {
    expect(await scopeOf('start: mov eax, 1', 'start')).toBe('entity.name.label.nasm');
    expect(await scopeOf('start: mov eax, 1', ':')).toBe('punctuation.separator.label.nasm');
    expect(await scopeOf('.loop:', '.loop')).toBe('entity.name.label.local.nasm');
    expect(await scopeOf('  .loop: dec ecx', '.loop')).toBe('entity.name.label.local.nasm');
    expect(await scopeOf('%%again:', '%%again')).toBe('entity.name.label.local.macro.nasm');
    expect(await scopeOf('%$skip:', '%$skip')).toBe('entity.name.label.local.context.nasm');
    expect(await scopeOf('..@x: db 0', '..@x')).toBe('entity.name.label.nasm');
    expect(await scopeOf('$eax: db 0', '$eax')).toBe('entity.name.label.nasm');
  });

  it('labels without a colon before data, res*, times; equ names constants', async () => {
    expect(await scopeOf('table db 1, 2', 'table')).toBe('entity.name.label.nasm');
    expect(await scopeOf('buf resb 64', 'buf')).toBe('entity.name.label.nasm');
    expect(await scopeOf('pad times 4 db 0', 'pad')).toBe('meta.times.nasm entity.name.label.nasm');
    expect(await scopeOf('.field resd 1', '.field')).toBe('entity.name.label.local.nasm');
    expect(await scopeOf('KCODE equ 0x08', 'KCODE')).toBe('entity.name.constant.nasm');
    expect(await scopeOf('KCODE equ 0x08', 'equ')).toBe('keyword.directive.equ.nasm');
  });

  it('a label built from macro parameters', async () => {
    expect(await scopeOf('%1_top:', '%1')).toBe('entity.name.label.nasm variable.parameter.macro.nasm');
    expect(await scopeOf('%1_top:', '_top')).toBe('entity.name.label.nasm');
  });

  it('label references are plain symbols', async () => {
    expect(await scopeOf('jne .loop', '.loop')).toBe('');
    expect(await scopeOf('call helper', 'helper')).toBe('');
  });
});

describe('instructions', () => {
  it('mnemonics are keywords at the head only (a symbol named str or in is not one)', async () => {
    expect(await scopeOf('    mov eax, str', 'mov')).toBe('keyword.mnemonic.x86.nasm');
    expect(await scopeOf('    mov eax, str', 'str')).toBe('');
    expect(await scopeOf('    str ax', 'str')).toBe('keyword.mnemonic.x86.nasm');
    expect(await scopeOf('x:  in al, dx', 'in')).toBe('keyword.mnemonic.x86.nasm');
  });

  it("every mnemonic of the table and every NASM alias of asm/mnemonics.ts, in any case", async () => {
    const names = [...new Set([...FORMS.map((f) => f.mnemonic.toLowerCase()), ...MNEMONIC_NAMES])];
    expect(names).toEqual(expect.arrayContaining(['mov', 'jz', 'cmovz', 'setnae', 'retq', 'swapgs', 'lgdt', 'sysret']));
    const src = names.flatMap((n) => [`    ${n} x`, `l: ${n.toUpperCase()}`]).join('\n');
    const toks = await tokenize(src);
    const heads = toks.filter((t) => t.col === 4 || t.col === 3);
    expect(heads.length).toBe(names.length * 2);
    for (const t of heads) expect(`${t.text} ${t.scopes.join(' ')}`).toBe(`${t.text} keyword.mnemonic.x86.nasm`);
  });

  it('prefixes, alone and before a mnemonic', async () => {
    for (const p of PREFIX_NAMES) {
      expect(await scopeOf(`    ${p} movsb`, p)).toBe('meta.prefixes.nasm keyword.other.prefix.nasm');
      expect(await scopeOf(`    ${p} movsb`, 'movsb')).toBe('keyword.mnemonic.x86.nasm');
    }
    expect(await scopeOf('    lock', 'lock')).toBe('meta.prefixes.nasm keyword.other.prefix.nasm');
    expect(await scopeOf('    rep movsb', 'rep')).toBe('meta.prefixes.nasm keyword.other.prefix.nasm');
  });

  it('registers by class: general, segment, control, debug, instruction pointer', async () => {
    expect(await scopeOf('mov rax, rbx', 'rax')).toBe('variable.language.register.general.nasm');
    expect(await scopeOf('mov cr3, rax', 'cr3')).toBe('variable.language.register.control.nasm');
    expect(await scopeOf('mov rax, dr7', 'dr7')).toBe('variable.language.register.debug.nasm');
    expect(await scopeOf('mov ax, ds', 'ds')).toBe('variable.language.register.segment.nasm');
    expect(await scopeOf('mov al, [es:di]', 'es')).toBe('variable.language.register.segment.nasm');
    expect(await scopeOf('lea rax, [rip + 8]', 'rip')).toBe('variable.language.register.instruction-pointer.nasm');
    const cls: Record<string, string> = { gpr: 'general', seg: 'segment', cr: 'control', dr: 'debug', rip: 'instruction-pointer' };
    const toks = await tokenize(REGISTER_NAMES.map((r) => `  push ${r.toUpperCase()}, ${r}`).join('\n'));
    const regs = toks.filter((t) => t.col === 7 || t.text === REGISTER_NAMES[t.line - 1]);
    expect(regs.length).toBe(REGISTER_NAMES.length * 2);
    for (const t of regs) {
      const name = REGISTER_NAMES[t.line - 1]!;
      expect(`${t.text} ${t.scopes.join(' ')}`).toBe(`${t.text} variable.language.register.${cls[lookupRegister(name)!.cls]}.nasm`);
    }
  });

  it('sizes, modifiers, seg and wrt', async () => {
    expect(await scopeOf('mov qword [rbx], strict dword 5', 'qword')).toBe('storage.type.size.nasm');
    expect(await scopeOf('mov qword [rbx], strict dword 5', 'dword')).toBe('storage.type.size.nasm');
    expect(await scopeOf('mov qword [rbx], strict dword 5', 'strict')).toBe('storage.modifier.nasm');
    expect(await scopeOf('jmp short .x', 'short')).toBe('storage.modifier.nasm');
    expect(await scopeOf('lea rax, [rel x]', 'rel')).toBe('storage.modifier.nasm');
    expect(await scopeOf('call f wrt ..plt', 'wrt')).toBe('keyword.operator.word.nasm');
    expect(await scopeOf('call f wrt ..plt', '..plt')).toBe('variable.language.special-symbol.nasm');
    expect(await scopeOf('mov ax, seg x', 'seg')).toBe('keyword.operator.word.nasm');
  });

  it('a word at the head that is not a mnemonic is a macro call', async () => {
    expect(await scopeOf('    PUTS "x", 10', 'PUTS')).toBe('entity.name.function.macro.call.nasm');
    expect(await scopeOf('l:  SAVE_ALL', 'SAVE_ALL')).toBe('entity.name.function.macro.call.nasm');
    expect(await scopeOf('    __SECT__', '__SECT__')).toBe('support.constant.macro.nasm');
  });
});

describe('numbers', () => {
  const num = async (text: string): Promise<string> => scopeOf(`    dq ${text}`, text);
  it('hexadecimal: 0x10 10h $10 0h10 1Fx, and underscores', async () => {
    for (const n of ['0x10', '0X1f', '10h', '0c8h', '1FH', '$10', '$0c8', '0h1F', '1Fx', '0x_1F', '0xFFFF_FFFF']) expect(await num(n), n).toBe('constant.numeric.hex.nasm');
  });
  it('octal: 0q17 17q 17o 0o17', async () => {
    for (const n of ['0q17', '17q', '17o', '0o17', '0O17', '1_7q']) expect(await num(n), n).toBe('constant.numeric.octal.nasm');
  });
  it('binary: 0b1010 1010b 1010y 0y1010', async () => {
    for (const n of ['0b1010', '1010b', '1010y', '0y1010', '1100_1000b', '0B11']) expect(await num(n), n).toBe('constant.numeric.binary.nasm');
  });
  it('decimal: 99 0200 0d99 99d 99t 0t99 1_000', async () => {
    for (const n of ['99', '0200', '0d99', '99d', '99t', '0t99', '1_000', '0']) expect(await num(n), n).toBe('constant.numeric.decimal.nasm');
  });
  it('prefix and suffix: the larger radix wins (0bh, 0b1h, 0h10b are hexadecimal)', async () => {
    for (const n of ['0bh', '0b1h', '0h10b', '0dh']) expect(await num(n), n).toBe('constant.numeric.hex.nasm');
  });
  it('floating point: 1.5 1.e10 1e10 1.e-10 3. 0x1.8p3 0x1p+2', async () => {
    for (const n of ['1.5', '1.e10', '1e10', '1.e-10', '1.e+10', '3.', '3.141_592']) expect(await num(n), n).toBe('constant.numeric.float.decimal.nasm');
    for (const n of ['0x1.8p3', '0x1p+2', '0h1.8p3']) expect(await num(n), n).toBe('constant.numeric.float.hex.nasm');
    expect(await num('0x10e5')).toBe('constant.numeric.hex.nasm'); // e is a hex digit
    expect(await num('__?Infinity?__')).toBe('constant.language.float.nasm');
  });
  it('not numbers: malformed constants, digits inside names', async () => {
    expect(await num('12xyz')).toBe('invalid.illegal.constant.numeric.nasm');
    expect(await num('1012b')).toBe('invalid.illegal.constant.numeric.nasm');
    expect(await scopeOf('    jmp .1', '.1')).toBe('');
    expect(await scopeOf('    mov eax, r8_1', 'r8_1')).toBe('');
  });
  it('$ is the current address, $$ the section start, $name a symbol', async () => {
    expect(await scopeOf('    times 510-($-$$) db 0', '$')).toBe('meta.times.nasm variable.language.current-address.nasm');
    expect(await scopeOf('    times 510-($-$$) db 0', '$$')).toBe('meta.times.nasm variable.language.section-start.nasm');
    expect(await scopeOf('x equ $', '$')).toBe('variable.language.current-address.nasm');
    expect(await scopeOf('    mov eax, $eax', '$eax')).toBe('');
  });
});

describe('strings and comments', () => {
  it('single, double and backquoted strings; escapes only in backquotes', async () => {
    expect(await scopeOf(`    db 'a\\n'`, 'a\\n')).toBe('string.quoted.single.nasm');
    expect(await scopeOf('    db "abc", 0', 'abc')).toBe('string.quoted.double.nasm');
    const bq = '    db `a\\n\\x41\\101\\u00e9\\``';
    for (const e of ['\\n', '\\x41', '\\101', '\\u00e9', '\\`']) expect(await scopeOf(bq, e), e).toBe('string.quoted.other.backquote.nasm constant.character.escape.nasm');
    expect(await scopeOf(bq, '`', 1)).toBe('string.quoted.other.backquote.nasm punctuation.definition.string.end.nasm');
  });

  it('a character constant in an instruction', async () => {
    expect(await scopeOf("    mov eax, 'abcd'", 'abcd')).toBe('string.quoted.single.nasm');
  });

  it('a ; inside a string is not a comment', async () => {
    const line = `    db "a;b", 'c;d', \`e;f\` ; the comment`;
    expect(await scopeOf(line, 'a;b')).toBe('string.quoted.double.nasm');
    expect(await scopeOf(line, 'c;d')).toBe('string.quoted.single.nasm');
    expect(await scopeOf(line, 'e;f')).toBe('string.quoted.other.backquote.nasm');
    expect(await scopeOf(line, ' the comment')).toBe('comment.line.semicolon.nasm');
    expect(await scopeOf(line, ';')).toBe('comment.line.semicolon.nasm punctuation.definition.comment.nasm');
  });

  it('comments after anything, and alone', async () => {
    expect(await scopeOf('; x', ' x')).toBe('comment.line.semicolon.nasm');
    expect(await scopeOf('    mov eax, 1 ; x', ' x')).toBe('comment.line.semicolon.nasm');
    expect(await scopeOf('%define A 1 ; x', ' x')).toBe('meta.preprocessor.nasm comment.line.semicolon.nasm');
  });
});

describe('directives', () => {
  it('data, reserve, times, incbin, equ', async () => {
    expect(await scopeOf('    dd 1', 'dd')).toBe('keyword.directive.data.nasm');
    expect(await scopeOf('    resq 1', 'resq')).toBe('keyword.directive.reserve.nasm');
    expect(await scopeOf('    times 4 nop', 'times')).toBe('meta.times.nasm keyword.directive.times.nasm');
    expect(await scopeOf('    times 4 nop', 'nop')).toBe('meta.times.nasm keyword.mnemonic.x86.nasm');
    expect(await scopeOf('    incbin "f.bin"', 'incbin')).toBe('keyword.directive.incbin.nasm');
  });

  it('section, struc, global, bracketed directives', async () => {
    expect(await scopeOf('section .text exec align=16', 'section')).toBe('meta.directive.nasm keyword.directive.nasm');
    expect(await scopeOf('section .text exec align=16', '.text')).toBe('meta.directive.nasm entity.name.section.nasm');
    expect(await scopeOf('section .text exec align=16', 'exec')).toBe('meta.directive.nasm storage.modifier.section.nasm');
    expect(await scopeOf('[section .rodata]', '[')).toBe('meta.directive.nasm punctuation.definition.directive.begin.nasm');
    expect(await scopeOf('[section .rodata]', '.rodata')).toBe('meta.directive.nasm entity.name.section.nasm');
    expect(await scopeOf('struc point', 'point')).toBe('meta.directive.nasm entity.name.type.struc.nasm');
    expect(await scopeOf('p: istruc point', 'point')).toBe('meta.directive.nasm entity.name.type.struc.nasm');
    expect(await scopeOf('  at .x, dd 1', 'dd')).toBe('meta.directive.nasm keyword.directive.data.nasm');
    expect(await scopeOf('global f:function hidden', 'function')).toBe('meta.directive.nasm storage.modifier.symbol.nasm');
    expect(await scopeOf('bits 64', 'bits')).toBe('meta.directive.nasm keyword.directive.nasm');
    expect(await scopeOf('default rel', 'rel')).toBe('meta.directive.nasm storage.modifier.nasm');
  });
});

describe('preprocessor', () => {
  it('directives and macro names', async () => {
    expect(await scopeOf('%macro SAVE 1-2+.nolist', '%macro')).toBe('meta.preprocessor.nasm keyword.control.preprocessor.nasm');
    expect(await scopeOf('%macro SAVE 1-2+.nolist', 'SAVE')).toBe('meta.preprocessor.nasm entity.name.function.macro.nasm');
    expect(await scopeOf('%macro SAVE 1-2+.nolist', '.nolist')).toBe('meta.preprocessor.nasm storage.modifier.nolist.nasm');
    expect(await scopeOf('%define MAX(a,b) a', 'MAX')).toBe('meta.preprocessor.nasm entity.name.function.macro.nasm');
    expect(await scopeOf('%define MAX(a,b) a', 'b')).toBe('meta.preprocessor.nasm variable.parameter.macro.nasm');
    expect(await scopeOf('  %IFDEF X', '%IFDEF')).toBe('meta.preprocessor.nasm keyword.control.preprocessor.nasm');
    for (const d of ['%if', '%elifnidni', '%else', '%endif', '%rep', '%endrep', '%include', '%assign', '%endmacro', '%push', '%pop', '%rotate', '%error', '%ifusing']) {
      expect(await scopeOf(`${d} x`, d), d).toBe('meta.preprocessor.nasm keyword.control.preprocessor.nasm');
    }
  });

  it('macro parameters, local names, functions, token pasting', async () => {
    expect(await scopeOf('    push %1', '%1')).toBe('variable.parameter.macro.nasm');
    expect(await scopeOf('    db %{1:-1}, 0', '%{1:-1}')).toBe('variable.parameter.macro.nasm');
    expect(await scopeOf('    jz %%again', '%%again')).toBe('variable.other.macro-local.nasm');
    expect(await scopeOf('    jnz %$skip', '%$skip')).toBe('variable.other.context-local.nasm');
    expect(await scopeOf('    db %str(%1)', '%str')).toBe('support.function.preprocessor.nasm');
    expect(await scopeOf('x%+%1: dq 0', '%+')).toBe('entity.name.label.nasm keyword.operator.token-paste.nasm');
    expect(await scopeOf('    mov eax, 5 % 3', '%')).toBe('keyword.operator.nasm');
  });

  it('a continued line stays a preprocessor line', async () => {
    const toks = await tokenize('%define A 1 + \\\n    2\n    mov eax, A');
    expect(toks.find((t) => t.text === '\\')!.scopes).toEqual(['meta.preprocessor.nasm', 'constant.character.escape.line-continuation.nasm']);
    expect(toks.find((t) => t.text === '2')!.scopes).toEqual(['meta.preprocessor.nasm', 'constant.numeric.decimal.nasm']);
    expect(toks.find((t) => t.text === 'mov')!.scopes).toEqual(['keyword.mnemonic.x86.nasm']);
  });
});
