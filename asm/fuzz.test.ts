// The assembler never throws and always finishes quickly, whatever it is given: random and
// mutated sources, runaway macros, %rep explosions, deep nesting.
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, clearAssemblerCaches, type OutputFormat } from './assembler';
import { memoryHost } from './host';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'asm', 'programs');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.asm') || f.endsWith('.inc'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));
const files: Record<string, string> = {};
for (const f of readdirSync(join(dir, 'inc'))) files['inc/' + f] = readFileSync(join(dir, 'inc', f), 'latin1');

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const VOCAB = [
  '%macro m 1-*', '%endmacro', '%rep 3', '%rep 100000', '%endrep', '%exitrep', '%if 1', '%if', '%elif 0', '%else', '%endif', '%define',
  '%define a(x) x x', '%xdefine b b b', '%assign i i+1', '%rotate 1', '%include "inc/macros.inc"', '%include "nope.inc"', '%1', '%0', '%%l',
  '%+', '%{1}', '%$ctx', '%push', '%pop', '%error e', '%strlen s', '%substr', 'times', 'times -1', 'times 99999999999', 'db', 'dw', 'dd',
  'dq', 'dt', 'do', 'resb', 'resb 99999999999999', 'equ', 'incbin', 'section', '.text', '.bss', 'nobits', 'start=', 'vstart=', 'follows=',
  'align', 'alignb', 'align 3', 'org', 'bits 64', 'bits 32', 'bits 16', 'bits 7', 'use64', 'default rel', 'struc', 'endstruc', 'istruc',
  'at', 'iend', 'global', 'extern', 'common', 'mov', 'jmp', 'call', 'lea', 'push', 'pop', 'ret', 'lock', 'rep', 'o16', 'a32', 'fs:', 'byte',
  'dword', 'qword', 'strict', 'short', 'near', 'far', 'rel', 'abs', 'ptr', 'wrt', '..plt', 'seg', '[', ']', '(', ')', '{', '}', ',', ':',
  '+', '-', '*', '/', '//', '%', '%%', '<<', '>>', '>>>', '&', '|', '^', '~', '!', '==', '!=', '<', '>', '<=>', '&&', '||', '^^', '?',
  '$', '$$', '0x', '0b102', '1e400', '1.5', "'", '"', '`', '`\\u12345678`', "'abc'", '"\\', 'eax', 'rax', 'rsp', 'rip', 'cr0', 'ah',
  'r8b', 'label', '.local', '..@x', '..start', 'x:', '\\', ';', '\t', '\n', '\n', '\n', '0', '1', '-1', '0xffffffffffffffffff', '999',
  '%arg', '%local', '%stacksize', '%stacksize flat64', 'a:dword', 'b:byte,', 'x:', '%$localsize', 'ud1', 'ud2b', 'rdfsbase', 'salc',
  'jmp 0x08:', 'call far', 'word 0x10:', '%use altreg',
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const n = 1 + Math.floor(r() * 8);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.3) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 20));
    else if (op < 0.7) s = s.slice(0, at) + ' ' + VOCAB[Math.floor(r() * VOCAB.length)]! + ' ' + s.slice(at);
    else if (op < 0.85) {
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      lines.splice(Math.floor(r() * lines.length), 0, lines[i]!);
      s = lines.join('\n');
    } else s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x250)) + s.slice(at);
  }
  return s;
}

function randomSource(r: () => number): string {
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 30);
  for (let i = 0; i < n; i++) {
    const k = 1 + Math.floor(r() * 6);
    const toks: string[] = [];
    for (let j = 0; j < k; j++) toks.push(VOCAB[Math.floor(r() * VOCAB.length)]!);
    lines.push(toks.join(r() < 0.5 ? ' ' : ''));
  }
  return lines.join('\n');
}

const FORMATS: OutputFormat[] = ['bin', 'elf64', 'elf32', 'image'];

// Small expansion limits keep the runaway cases quick; one test below runs with the defaults.
const limits = { lines: 20_000 };

function check(text: string, format: OutputFormat, budgetMs = 5000): void {
  const t0 = performance.now();
  const res = assemble({ path: 'fuzz.asm', text }, { format, host: memoryHost(files), listing: true, limits });
  const ms = performance.now() - t0;
  expect(ms, `took ${ms.toFixed(0)}ms on:\n${text.slice(0, 2000)}`).toBeLessThan(budgetMs);
  expect(typeof res.ok).toBe('boolean');
  for (const d of res.diagnostics) {
    expect(d.file.length).toBeGreaterThan(0);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.endColumn).toBeGreaterThan(d.column - 1);
    expect(d.message.length).toBeGreaterThan(0);
  }
  if (!res.ok) expect(res.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  if (res.diagnostics.some((d) => d.message.startsWith('internal'))) expect.fail(`internal error on:\n${text.slice(0, 2000)}\n${res.diagnostics.map((d) => d.message).join('\n')}`);
}

describe('fuzz: never throws, always finishes', () => {
  it('mutated test programs', () => {
    const r = rng(12345);
    for (let i = 0; i < 60; i++) {
      const base = corpus[Math.floor(r() * corpus.length)]!;
      check(mutate(base, r), FORMATS[i % FORMATS.length]!);
    }
  });
  it('random token soup', () => {
    const r = rng(777);
    for (let i = 0; i < 200; i++) check(randomSource(r), FORMATS[i % FORMATS.length]!);
  });
  it('gives the same result warm (lines cached by earlier assemblies) as cold', () => {
    const r = rng(4242);
    for (let i = 0; i < 40; i++) {
      const text = i % 2 ? mutate(corpus[Math.floor(r() * corpus.length)]!, r) : randomSource(r);
      const format = FORMATS[i % FORMATS.length]!;
      const run = () => assemble({ path: 'fuzz.asm', text }, { format, host: memoryHost(files), limits });
      const warm1 = run();
      const warm2 = run();
      clearAssemblerCaches();
      const cold = run();
      for (const w of [warm1, warm2]) {
        expect(w.ok).toBe(cold.ok);
        expect(w.diagnostics).toEqual(cold.diagnostics);
        expect(w.output && Buffer.from(w.output).toString('hex')).toBe(cold.output && Buffer.from(cold.output).toString('hex'));
      }
    }
  });
  it('runaway constructs stop with a clear error', () => {
    const cases = [
      '%macro r 0\nr\n%endmacro\nr',
      '%macro a 0\nb\n%endmacro\n%macro b 0\na\na\n%endmacro\na',
      '%rep 1000000\n%rep 1000000\ndb 0\n%endrep\n%endrep',
      '%define a a a\n%define b a b\ndb b',
      Array.from({ length: 30 }, (_, i) => `%define x${i + 1} x${i} x${i}`).join('\n') + '\n%define x0 1\ndb x30',
      '%include "fuzz.asm"',
      'times 99999999999 db 0',
      'times 100000000 db 0',
      'resb 0x7fffffffffffffff',
      'db ' + '('.repeat(50000) + '1' + ')'.repeat(50000),
      'db ' + '-'.repeat(100000) + '1',
      'db ' + Array.from({ length: 20000 }, () => '1').join('+'),
      'x: jmp y\ntimes (y-x) db 0\ny:',
      'a equ b\nb equ a\ndb a',
      'a equ a+1\ndb a',
      '%assign i 0\n%rep 10\n%assign i i+1\n%if i > 5\n%exitrep\n%endif\n%endrep\ndb i',
      '%if\n%elif\n%else\n%else\n%endif\n%endif',
      'section .text start=0x10\nsection .data follows=.text2\nsection .a follows=.b\nsection .b follows=.a\ndb 1',
      'struc s\nstruc t\nendstruc',
      'istruc q\nat x, db 1\niend',
      "%strlen\n%substr x 'abc' 99999999999\n%strcat\n%substr x",
      `db \`${'\\u'.repeat(1000)}\``,
    ];
    for (const c of cases) {
      for (const f of ['bin', 'elf64'] as const) check(c, f, 8000);
      const res = assemble({ path: 'fuzz.asm', text: c }, { format: 'bin', host: memoryHost({ 'fuzz.asm': c, ...files }), limits });
      if (/^%macro|^%rep|x30|%include/.test(c)) expect(res.ok, c).toBe(false);
    }
  });
  it('a %rep explosion stops at the default limit with a clear error', () => {
    const t0 = performance.now();
    const res = assemble({ path: 'x.asm', text: '%rep 1000000\n%rep 1000000\ndb 0\n%endrep\n%endrep' }, { format: 'bin', host: memoryHost({}) });
    expect(res.ok).toBe(false);
    expect(res.diagnostics[0]!.message).toMatch(/more than 250000 lines/);
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});
