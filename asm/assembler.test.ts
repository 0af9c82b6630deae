import { describe, expect, it } from 'vitest';
import { assemble, type AssembleOptions } from './assembler';
import { memoryHost } from './host';
import { formatDiagnostic } from './diagnostics';

function bin(text: string, extra: Partial<AssembleOptions> = {}, files: Record<string, string> = {}) {
  return assemble({ path: 'main.asm', text }, { format: 'bin', host: memoryHost(files), ...extra });
}
function hex(text: string, files: Record<string, string> = {}): string {
  const r = bin(text, {}, files);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return Buffer.from(r.output!).toString('hex');
}
function errors(text: string): string[] {
  return bin(text).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);
}

describe('data and layout', () => {
  it('emits data directives', () => {
    expect(hex("db 1, 2, 'ab', 0\ndw 0x1234, 'a'\ndd 1.5\ndq -1")).toBe('01026162' + '00' + '34126100' + '0000c03f' + 'ffffffffffffffff');
  });
  it('pads strings to the unit', () => {
    expect(hex("dw 'abc'\ndd 'a'")).toBe('6162630061000000');
  });
  it('times and $ / $$', () => {
    expect(hex('org 0x7c00\ndb 1\ntimes 4-($-$$) db 0xff\ndw $')).toBe('01ffffff047c');
  });
  it('forward references settle over passes', () => {
    expect(hex('dw later\ndb 0\nlater: dw later')).toBe('03000003' + '00');
  });
  it('local labels attach to the previous label', () => {
    expect(hex('a: db 0\n.x: dw .x\nb:\n.x: dw .x, a.x')).toBe('00010003000100');
  });
  it('equ and expressions', () => {
    expect(hex('K equ 3 << 2 | 1\ndb K, -1 // 2 + 1, 7 %% -4, 1 ? 2 : 3')).toBe('0d010302');
  });
  it('struc / istruc', () => {
    const src = ['struc pt', '.x: resw 1', '.y: resd 1', 'endstruc', 'p: istruc pt', 'at pt.y, dd 9', 'iend', 'db pt_size'].join('\n');
    expect(hex(src)).toBe('0000' + '09000000' + '06');
  });
  it('align pads with NOP and alignb reserves', () => {
    expect(hex('db 1\nalign 4\ndb 2\nalign 4, db 0\ndb 3')).toBe('01909090' + '02000000' + '03');
  });
});

describe('preprocessor', () => {
  it('macros with parameters, defaults, %0, %%local and %rotate', () => {
    const src = [
      '%macro m 1-3 5, 6',
      '  db %1, %2, %3, %0',
      '%endmacro',
      'm 1',
      'm 1, 2, 3',
      '%macro rev 1-*',
      '%rep %0',
      '%rotate -1',
      ' db %1',
      '%endrep',
      '%endmacro',
      'rev 1, 2, 3',
    ].join('\n');
    expect(hex(src)).toBe('01050603' + '01020303' + '030201');
  });
  it('%define with parameters, %assign, %if, %rep', () => {
    const src = ['%define sq(x) ((x)*(x))', '%assign i 0', '%rep 3', 'db sq(i)', '%assign i i+1', '%endrep', '%if sq(3) == 9', 'db 0xaa', '%else', 'db 0xbb', '%endif'].join('\n');
    expect(hex(src)).toBe('000104aa');
  });
  it('%include through the host', () => {
    expect(hex('%include "inc/defs.inc"\ndb V', { 'inc/defs.inc': 'V equ 42\n' })).toBe('2a');
  });
  it('string functions and pasting', () => {
    const src = ["%strlen n 'hello'", "%substr s 'hello' 2, 3", "%strcat c 'ab', 'cd'", 'db n, s, c', '%define P(a) lab %+ a', 'P(1): db 1', 'dw lab1'].join('\n');
    expect(hex(src)).toBe('05656c6c61626364' + '01' + '0800');
  });
});

describe('diagnostics', () => {
  it('reports every error with its line and keeps going', () => {
    const e = errors('db 1\ndb undefined_sym\nbogus eax\ndb 1/0');
    expect(e).toEqual(expect.arrayContaining([expect.stringMatching(/^3: /), expect.stringMatching(/^4: division by zero/), expect.stringMatching(/^2: symbol 'undefined_sym' is not defined/)]));
  });
  it('reports errors inside macros at the call site', () => {
    const r = bin('%macro m 0\n  db nope\n%endmacro\n\nm');
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.line).toBe(5);
    expect(d.related?.[0]?.line).toBe(2);
  });
  it('stops runaway recursion with a clear error', () => {
    const e = errors('%macro r 0\nr\n%endmacro\nr');
    expect(e.join('\n')).toMatch(/nested more than/);
  });
  it('ptr is not NASM', () => {
    expect(errors('bits 32\nmov eax, dword ptr [ebx]').join()).toMatch(/'ptr' is MASM syntax/);
  });
});

describe('image for the debugger', () => {
  it('places sections, symbols and lines', () => {
    const src = ['%macro two 0', '  nop', '  nop', '%endmacro', 'org 0x7c00', 'start: cli', '  two', 'section .data', 'msg: db "hi"', 'section .bss', 'buf: resb 4'].join('\n');
    const r = assemble({ path: 'boot.asm', text: src }, { format: 'image', host: memoryHost({}) });
    expect(r.ok).toBe(true);
    const img = r.image!;
    expect(Buffer.from(img.flat).toString('hex')).toBe('fa9090' + '00' + '6869');
    expect(img.origin).toBe(0x7c00n);
    expect(img.sections.map((s) => [s.name, s.address, s.size, s.nobits])).toEqual([
      ['.text', 0x7c00n, 3, false],
      ['.data', 0x7c04n, 2, false],
      ['.bss', 0x7c08n, 4, true],
    ]);
    expect(img.symbols.map((s) => [s.name, s.address])).toEqual([
      ['start', 0x7c00n],
      ['msg', 0x7c04n],
      ['buf', 0x7c08n],
    ]);
    const l = img.lines.map((e) => [e.address, e.size, e.file, e.line, e.expansion?.[0]?.line]);
    expect(l).toEqual([
      [0x7c00n, 1, 'boot.asm', 6, undefined],
      [0x7c01n, 1, 'boot.asm', 7, 2],
      [0x7c02n, 1, 'boot.asm', 7, 3],
      [0x7c04n, 2, 'boot.asm', 9, undefined],
      [0x7c08n, 4, 'boot.asm', 11, undefined],
    ]);
    expect(img.bits).toBe(16);
  });
  it('maps lines of included files to the include file', () => {
    const r = assemble({ path: 'main.asm', text: 'db 1\n%include "x.inc"\ndb 3' }, { format: 'image', host: memoryHost({ 'x.inc': '\ndb 2\n' }) });
    expect(r.image!.lines.map((e) => `${e.file}:${e.line}`)).toEqual(['main.asm:1', 'x.inc:2', 'main.asm:3']);
    expect(r.image!.files).toEqual(['main.asm', 'x.inc']);
  });
});

describe('listing', () => {
  it('lists addresses, bytes and text', () => {
    const r = bin('org 0x100\nstart: mov ax, 1\ndb "abcdefghijk"\nresb 2', { listing: true });
    expect(r.listing).toContain('     2 00000000 B80100');
    expect(r.listing).toContain('     3 00000003 616263646566676869-');
    expect(r.listing).toContain('     3 0000000C 6A6B');
  });
});

describe('elf', () => {
  it('writes a relocatable object with symbols and relocations', () => {
    const r = assemble({ path: 'o.asm', text: 'bits 64\nglobal f\nextern g\nf: call g\nsection .data\ndq f' }, { format: 'elf64', host: memoryHost({}) });
    expect(r.ok).toBe(true);
    const o = r.output!;
    expect(Array.from(o.subarray(0, 6))).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    const text = new TextDecoder('latin1').decode(o);
    for (const s of ['.text', '.data', '.rela.text', '.rela.data', '.symtab', '.strtab', '.debug_line', 'f', 'g']) expect(text).toContain(s);
  });
  it('rejects org', () => {
    const r = assemble({ path: 'o.asm', text: 'org 0x100' }, { format: 'elf32', host: memoryHost({}) });
    expect(r.diagnostics[0]!.message).toMatch(/org/);
  });
  it('warns about an undefined global (NASM ignores it)', () => {
    const r = assemble({ path: 'o.asm', text: 'global nothere' }, { format: 'elf64', host: memoryHost({}) });
    expect(r.ok).toBe(true);
    expect(r.diagnostics[0]!.severity).toBe('warning');
  });
});

describe('diagnostics for the editor', () => {
  it('point at the symbol, in the file that holds the line', () => {
    const r = assemble({ path: 'main.asm', text: 'db 1\n%include "x.inc"\n' }, { format: 'bin', host: memoryHost({ 'x.inc': '\n  dw  missing_one\n' }) });
    const d = r.diagnostics[0]!;
    expect([d.file, d.line, d.column, d.endColumn, d.severity]).toEqual(['x.inc', 2, 7, 18, 'error']);
  });
  it('are sorted by file and line and name the problem', () => {
    const r = bin('bits 32\nmov eax, bl\nfoo:\nfoo:\n%error custom message\nmov [eax], 1');
    expect(r.diagnostics.map((d) => `${d.line}:${d.severity}:${d.message}`)).toEqual([
      '2:error:invalid combination of opcode and operands',
      "4:error:label 'foo' is defined more than once (first at main.asm:3)",
      '5:error:custom message',
      '6:error:operation size not specified',
    ]);
  });
  it('report a circular equ', () => {
    expect(errors('a equ b\nb equ a\ndb a').join()).toMatch(/has no value/);
  });
});
