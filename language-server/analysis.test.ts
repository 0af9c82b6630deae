// The analysis layer, table-driven: source + position -> hover / definition / references / rename /
// completion / signature help / symbols / diagnostics.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryProject, indexFile, type Position } from './analysis';

const FIX = join(__dirname, '..', 'test', 'fixtures', 'lsp');
const kernel = readFileSync(join(FIX, 'kernel.asm'), 'utf8');
const macros = readFileSync(join(FIX, 'macros.inc'), 'utf8');

function project() {
  const p = memoryProject({ 'k/kernel.asm': kernel, 'k/macros.inc': macros });
  p.assembleUnit('k/kernel.asm');
  return p;
}

/** The position of the `n`th occurrence of `needle` on `line` (0-based), plus `offset` characters. */
function at(text: string, line: number, needle: string, offset = 0): Position {
  const l = text.split('\n')[line]!;
  const c = l.indexOf(needle);
  if (c < 0) throw new Error(`'${needle}' not on line ${line}: ${l}`);
  return { line, character: c + offset };
}

describe('hover', () => {
  const p = project();
  const cases: [string, Position, RegExp[]][] = [
    ['mnemonic mov: forms, flags, modes, description', at(kernel, 5, 'mov'), [/\*\*MOV\*\*/, /MOV r\/m64, r64/, /Flags/, /Valid in: 64-bit/, /Copy/]],
    ['mnemonic hlt: privileged', at(kernel, 8, 'hlt'), [/\*\*HLT\*\*/, /CPL 0/]],
    ['condition-code synonym jnz', at(kernel, 9, 'jmp'), [/\*\*JMP\*\*/]],
    ['register rsp', at(kernel, 5, 'rsp'), [/RSP/, /64-bit general-purpose/, /stack pointer/]],
    ['register eax', at(kernel, 11, 'eax'), [/EAX/, /low 32 bits of RAX/]],
    ['number 0x1f: hex, decimal, binary', at(kernel, 11, '0x1f'), [/0x1f/, /decimal `31`/, /binary `1_1111b`/]],
    ['number 0x100000', at(kernel, 2, '0x100000'), [/decimal `1048576`/]],
    ['label: address, size, definition', at(kernel, 10, 'helper'), [/helper/, /address 0x10000f/, /size 6 bytes/, /kernel\.asm:11/]],
    ['local label through its use', at(kernel, 9, '.loop', 1), [/start\.loop/, /local label/, /address 0x10000c/]],
    ['equ from an include: its value', at(kernel, 6, 'COM1'), [/COM1/, /value 0x3f8 \(1016\)/, /macros\.inc:3/]],
    ['%define from an include', at(kernel, 5, 'STACK_TOP'), [/%define STACK_TOP 0x90000/, /macros\.inc:2/]],
    ['macro from an include', at(kernel, 6, 'outb'), [/%macro outb 2/, /2 parameters/, /macros\.inc:5/]],
  ];
  it.each(cases)('%s', (_name, pos, res) => {
    const h = p.hover('k/kernel.asm', pos);
    expect(h, _name).toBeDefined();
    for (const r of res) expect(h!.markdown).toMatch(r);
  });
  it('a macro parameter', () => {
    const m = memoryProject({ 'm.inc': macros });
    expect(m.hover('m.inc', at(macros, 5, '%1', 1))!.markdown).toMatch(/Parameter 1 of macro `outb` \(2 parameters\)/);
    const q = memoryProject({ 'a.asm': '%macro save 1-3 rax, rbx\n push %2\n%endmacro\n' });
    expect(q.hover('a.asm', { line: 1, character: 8 })!.markdown).toMatch(/Parameter 2 of macro `save`.*default `rax`/);
  });
  it('nothing on a comma or a comment', () => {
    expect(p.hover('k/kernel.asm', at(kernel, 5, ','))).toBeUndefined();
  });
  it('mode warning for an instruction invalid in bits 64', () => {
    const q = memoryProject({ 'a.asm': 'bits 64\npusha\n' });
    expect(q.hover('a.asm', { line: 1, character: 1 })!.markdown).toMatch(/not valid in the current `bits 64`/);
  });
});

describe('definition and references', () => {
  const p = project();
  const cases: [string, Position, { file: string; line: number; character: number }[]][] = [
    ['local label .loop in start', at(kernel, 9, '.loop'), [{ file: 'k/kernel.asm', line: 7, character: 0 }]],
    ['local label in full: start.loop', at(kernel, 14, 'start.loop'), [{ file: 'k/kernel.asm', line: 7, character: 0 }]],
    ['macro across %include', at(kernel, 6, 'outb'), [{ file: 'k/macros.inc', line: 4, character: 7 }]],
    ['%define across %include', at(kernel, 5, 'STACK_TOP'), [{ file: 'k/macros.inc', line: 1, character: 8 }]],
    ['equ across %include', at(kernel, 6, 'COM1'), [{ file: 'k/macros.inc', line: 2, character: 0 }]],
    ['label at its definition', at(kernel, 4, 'start'), [{ file: 'k/kernel.asm', line: 4, character: 0 }]],
    ['the included file', at(kernel, 0, 'macros'), [{ file: 'k/macros.inc', line: 0, character: 0 }]],
  ];
  it.each(cases)('%s', (_name, pos, want) => {
    const got = p.definition('k/kernel.asm', pos).map((d) => ({ file: d.file, line: d.range.start.line, character: d.range.start.character }));
    expect(got).toEqual(want);
  });
  it('a mnemonic has no definition', () => {
    expect(p.definition('k/kernel.asm', at(kernel, 5, 'mov'))).toEqual([]);
  });
  it('references of a local label stay in its scope', () => {
    const refs = p.references('k/kernel.asm', at(kernel, 7, '.loop')).map((r) => `${r.range.start.line}:${r.range.start.character}`);
    expect(refs).toEqual(['7:0', '9:8', '14:8']);
    const other = p.references('k/kernel.asm', at(kernel, 13, '.loop')).map((r) => `${r.range.start.line}:${r.range.start.character}`);
    expect(other).toEqual(['13:0']);
  });
  it('references of COM1 from the include file reach the main file', () => {
    const refs = p.references('k/macros.inc', at(macros, 2, 'COM1')).map((r) => `${r.file}:${r.range.start.line}`);
    expect(refs).toEqual(['k/kernel.asm:6', 'k/macros.inc:2']);
  });
  it('without the declaration', () => {
    expect(p.references('k/kernel.asm', at(kernel, 6, 'outb'), false).map((r) => r.file)).toEqual(['k/kernel.asm']);
  });
});

describe('macro-local labels and case-insensitive macros', () => {
  const src = ['%imacro spin 1', '%%again:', '    dec %1', '    jnz %%again', '%endmacro', '%macro other 0', '%%again: jmp %%again', '%endmacro', 'bits 64', 'SPIN ecx', 'spin edx', ''].join('\n');
  it('%%label: definition and references inside its own macro only', () => {
    const p = memoryProject({ 'a.asm': src });
    const d = p.definition('a.asm', { line: 3, character: 10 });
    expect(d.map((x) => `${x.range.start.line}:${x.range.start.character}`)).toEqual(['1:0']);
    expect(p.references('a.asm', { line: 1, character: 2 }).map((r) => r.range.start.line)).toEqual([1, 3]);
    expect(p.references('a.asm', { line: 6, character: 2 }).map((r) => r.range.start.line)).toEqual([6, 6]);
  });
  it('%%label rename keeps the %%', () => {
    const p = memoryProject({ 'a.asm': src });
    const r = p.rename('a.asm', { line: 1, character: 2 }, 'loop2');
    expect('edits' in r && r.edits.map((e) => `${e.range.start.line}:${e.text}`)).toEqual(['1:%%loop2', '3:%%loop2']);
  });
  it('%imacro is found in any case', () => {
    const p = memoryProject({ 'a.asm': src });
    expect(p.definition('a.asm', { line: 9, character: 1 }).map((x) => x.range.start.line)).toEqual([0]);
    expect(p.references('a.asm', { line: 0, character: 9 }).map((r) => r.range.start.line)).toEqual([0, 9, 10]);
    expect(p.hover('a.asm', { line: 9, character: 1 })!.markdown).toMatch(/%macro spin 1/);
  });
});

describe('across ELF objects', () => {
  const files = {
    'main.asm': 'bits 64\nextern lib_add\nglobal _start\n_start:\n call lib_add\n',
    'lib.asm': 'bits 64\nglobal lib_add\nlib_add:\n ret\nstruc pt\n.x resd 1\nendstruc\n mov eax, pt_size\n',
  };
  it('an extern goes to the global label of another file', () => {
    const p = memoryProject(files);
    expect(p.definition('main.asm', { line: 4, character: 7 }).map((d) => `${d.file}:${d.range.start.line}`)).toEqual(['lib.asm:2']);
  });
  it('references of a global reach the files that declare it extern', () => {
    const p = memoryProject(files);
    expect(p.references('lib.asm', { line: 2, character: 1 }).map((r) => `${r.file}:${r.range.start.line}`)).toEqual(['lib.asm:1', 'lib.asm:2', 'main.asm:1', 'main.asm:4']);
  });
  it('x_size goes to struc x', () => {
    const p = memoryProject(files);
    expect(p.definition('lib.asm', { line: 7, character: 11 }).map((d) => `${d.kind}:${d.name}`)).toEqual(['struc:pt']);
  });
});

describe('rename', () => {
  it('a local label: .x where written locally, parent.x where written in full', () => {
    const p = project();
    const r = p.rename('k/kernel.asm', at(kernel, 7, '.loop'), 'again');
    expect('edits' in r && r.edits.map((e) => `${e.range.start.line}:${e.range.start.character}=${e.text}`)).toEqual(['7:0=.again', '9:8=.again', '14:8=start.again']);
  });
  it('a macro across files', () => {
    const p = project();
    const r = p.rename('k/kernel.asm', at(kernel, 6, 'outb'), 'serial_out');
    expect('edits' in r && r.edits.map((e) => `${e.file}:${e.range.start.line}=${e.text}`)).toEqual(['k/kernel.asm:6=serial_out', 'k/macros.inc:4=serial_out']);
  });
  it('a global label and its local uses', () => {
    const p = memoryProject({ 'a.asm': 'foo:\n jmp foo\n call foo\n' });
    const r = p.rename('a.asm', { line: 1, character: 6 }, 'bar');
    expect('edits' in r && r.edits.length).toBe(3);
  });
  it('refuses a mnemonic and a bad name', () => {
    const p = project();
    expect(p.rename('k/kernel.asm', at(kernel, 5, 'mov'), 'x')).toHaveProperty('error');
    expect(p.rename('k/kernel.asm', at(kernel, 10, 'helper'), '1abc')).toHaveProperty('error');
  });
});

describe('symbols', () => {
  it('document symbols: sections, labels, local labels, macros, defines, equs', () => {
    const p = project();
    expect(p.documentSymbols('k/kernel.asm').map((d) => `${d.kind}:${d.name}`)).toEqual([
      'section:.text', 'label:start', 'local:start.loop', 'label:helper', 'local:helper.loop', 'label:msg',
    ]);
    expect(p.documentSymbols('k/macros.inc').map((d) => `${d.kind}:${d.name}`)).toEqual(['define:STACK_TOP', 'equ:COM1', 'macro:outb', 'macro:save']);
  });
  it('workspace symbols by substring', () => {
    const p = project();
    expect(p.workspaceSymbols('loop').map((d) => d.name).sort()).toEqual(['helper.loop', 'start.loop']);
    expect(p.workspaceSymbols('com').map((d) => d.name)).toEqual(['COM1']);
  });
  it('index: labels without colons, equ, struc fields, bits per line', () => {
    const ix = indexFile('x.asm', 'bits 32\nfoo db 1\nbar equ 5\nstruc pt\n.x resd 1\nendstruc\n[bits 64]\nbaz\n');
    expect(ix.defs.map((d) => `${d.kind}:${d.name}`)).toEqual(['label:foo', 'equ:bar', 'struc:pt', 'field:pt.x', 'label:baz']);
    expect(ix.bitsAt).toEqual([16, 32, 32, 32, 32, 32, 32, 64, 64]);
  });
});

describe('completion', () => {
  it('mnemonics valid in the current mode at the start of a line', () => {
    const p = memoryProject({ 'a.asm': 'bits 64\n    \nbits 32\n    \n' });
    const m64 = p.completions('a.asm', { line: 1, character: 4 }).map((c) => c.label);
    const m32 = p.completions('a.asm', { line: 3, character: 4 }).map((c) => c.label);
    expect(m64).toContain('syscall');
    expect(m64).not.toContain('pusha');
    expect(m32).toContain('pusha');
    expect(m64).toContain('section');
  });
  it('registers, labels and constants in operand position; local labels of the current scope', () => {
    const p = project();
    const items = p.completions('k/kernel.asm', { line: 9, character: 8 });
    const labels = items.map((c) => c.label);
    expect(labels).toContain('rax');
    expect(labels).toContain('r15d');
    expect(labels).toContain('.loop');
    expect(labels).toContain('helper');
    expect(labels).toContain('COM1');
    expect(labels).toContain('STACK_TOP');
  });
  it('no 64-bit registers in bits 32', () => {
    const p = memoryProject({ 'a.asm': 'bits 32\n mov eax, \n' });
    const labels = p.completions('a.asm', { line: 1, character: 10 }).map((c) => c.label);
    expect(labels).toContain('eax');
    expect(labels).not.toContain('rax');
  });
  it('macros at the start of a line; preprocessor directives after %', () => {
    const p = project();
    expect(p.completions('k/kernel.asm', { line: 8, character: 4 }).map((c) => c.label)).toContain('outb');
    const pp = memoryProject({ 'a.asm': '%mac\n' }).completions('a.asm', { line: 0, character: 4 }).map((c) => c.label);
    expect(pp).toContain('%macro');
  });
});

describe('signature help', () => {
  const p = project();
  it.each([
    ['first parameter', { line: 6, character: 9 }, 'outb %1, %2', 0],
    ['second parameter', { line: 6, character: 15 }, 'outb %1, %2', 1],
  ] as const)('%s', (_n, pos, label, active) => {
    const s = p.signatureHelp('k/kernel.asm', pos)!;
    expect(s.label).toBe(label);
    expect(s.active).toBe(active);
  });
  it('defaults of optional parameters', () => {
    const q = memoryProject({ 'a.asm': macros + '\nsave rcx, \n' });
    const line = macros.split('\n').length;
    const s = q.signatureHelp('a.asm', { line, character: 10 })!;
    expect(s.label).toBe('save %1, %2=rax, %3=rbx');
    expect(s.active).toBe(1);
  });
  it('none for an instruction', () => {
    expect(p.signatureHelp('k/kernel.asm', { line: 5, character: 12 })).toBeUndefined();
  });
});

describe('diagnostics', () => {
  it('an error in the main file, with its exact range', () => {
    const p = memoryProject({ 'a.asm': 'bits 64\n    mov eax, nosuch\n' });
    const r = p.assembleUnit('a.asm');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const d = r.diagnostics[0]!;
    expect(d.file).toBe('a.asm');
    expect(d.severity).toBe('error');
    expect(d.range).toEqual({ start: { line: 1, character: 13 }, end: { line: 1, character: 19 } });
    expect(d.message).toMatch(/nosuch/);
  });
  it('an error inside an included file is reported in that file', () => {
    const p = memoryProject({ 'a.asm': '%include "b.inc"\nnop\n', 'b.inc': 'nop\n  bogus_insn eax\n' });
    const r = p.assembleUnit('a.asm');
    expect(r.files).toEqual(['a.asm', 'b.inc']);
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.file).toBe('b.inc');
    expect(d.range.start.line).toBe(1);
  });
  it('an error inside an included file is also summarised on the %include line', () => {
    const p = memoryProject({ 'a.asm': 'nop\n%include "b.inc"\n', 'b.inc': '%include "c.inc"\n', 'c.inc': '  bogus_insn eax\n' });
    const r = p.assembleUnit('a.asm');
    const sum = r.diagnostics.filter((d) => /in (b|c)\.inc/.test(d.message)).map((d) => `${d.file}:${d.range.start.line}:${d.range.start.character}:${d.severity}`);
    expect(sum).toEqual(['b.inc:0:9:error', 'a.asm:1:9:error']);
  });
  it('an error through a macro is reported at the call site the user wrote', () => {
    const p = memoryProject({ 'a.asm': '%macro m 1\n  mov %1, 1\n%endmacro\nbits 64\n  m nosuchreg\n' });
    const d = p.assembleUnit('a.asm').diagnostics.find((x) => x.severity === 'error')!;
    expect(d.file).toBe('a.asm');
    expect(d.range.start.line).toBe(4);
    expect(d.related?.length).toBeGreaterThan(0);
  });
  it('an included file is diagnosed through the file that includes it', () => {
    const p = memoryProject({ 'a.asm': '%include "b.inc"\n', 'b.inc': 'nop\n' });
    expect(p.rootsOf('b.inc')).toEqual(['a.asm']);
    expect(p.rootsOf('a.asm')).toEqual(['a.asm']);
  });
  it('a warning', () => {
    const p = memoryProject({ 'a.asm': 'bits 64\nfoo\n' });
    const r = p.assembleUnit('a.asm');
    expect(r.diagnostics.some((d) => d.severity === 'warning' && d.range.start.line === 1)).toBe(true);
  });
  it('edits are seen', () => {
    const files: Record<string, string> = { 'a.asm': 'nop\n' };
    const p = memoryProject(files);
    expect(p.assembleUnit('a.asm').diagnostics).toEqual([]);
    files['a.asm'] = 'nop\nxyzzy eax\n';
    expect(p.assembleUnit('a.asm').diagnostics.length).toBeGreaterThan(0);
  });
});

describe('fuzz: every query on mangled sources answers without throwing', () => {
  it('mutated fixtures, every request at random positions (and past the ends)', () => {
    let seed = 99;
    const r = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const bits = ['%', '%macro', '%endmacro', '.', ':', '[', ']', '"', "'", ',', 'bits 32', '%include "k/macros.inc"', '%include "k/kernel.asm"', 'outb', '.loop', '\n', '%%x', 'equ', 'struc', '%define'];
    for (let i = 0; i < 40; i++) {
      let k = kernel;
      let m = macros;
      for (let j = 0; j < 6; j++) {
        const at2 = Math.floor(r() * k.length);
        k = k.slice(0, at2) + (r() < 0.5 ? bits[Math.floor(r() * bits.length)]! : '') + k.slice(at2 + Math.floor(r() * 5));
        const at3 = Math.floor(r() * m.length);
        m = m.slice(0, at3) + bits[Math.floor(r() * bits.length)]! + m.slice(at3 + Math.floor(r() * 3));
      }
      const p = memoryProject({ 'k/kernel.asm': k, 'k/macros.inc': m });
      for (const f of ['k/kernel.asm', 'k/macros.inc']) {
        const res = p.assembleUnit(f);
        for (const d of res.diagnostics) expect(d.range.start.line).toBeGreaterThanOrEqual(0);
        p.documentSymbols(f);
        const lines = (f === 'k/kernel.asm' ? k : m).split('\n');
        for (let q = 0; q < 15; q++) {
          const line = Math.floor(r() * (lines.length + 2)) - 1;
          const pos = { line, character: Math.floor(r() * ((lines[line]?.length ?? 3) + 3)) };
          p.hover(f, pos);
          p.definition(f, pos);
          p.references(f, pos, r() < 0.5);
          p.completions(f, pos);
          p.signatureHelp(f, pos);
          const ren = p.rename(f, pos, 'renamed');
          expect('error' in ren || Array.isArray(ren.edits)).toBe(true);
        }
      }
      p.workspaceSymbols('o');
    }
  });
});
