// End to end: dist/language-server.js as a child process over stdio, spoken to in LSP JSON-RPC.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LspClient as Client } from './lsp-client';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..');

describe('language server over stdio', () => {
  let proc: ChildProcessWithoutNullStreams;
  let client: Client;
  let dir: string;
  let uri: string;
  let incUri: string;
  const text = ['%include "defs.inc"', 'bits 64', 'start:', '    mov eax, LIMIT', '    jmp start', '    mov rax, undefined_sym', ''].join('\n');

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'kstack-lsp-e2e-'));
    writeFileSync(join(dir, 'defs.inc'), 'LIMIT equ 42\n  bad_mnemonic_here eax\n');
    writeFileSync(join(dir, 'main.asm'), text);
    uri = pathToFileURL(join(dir, 'main.asm')).toString();
    incUri = pathToFileURL(join(dir, 'defs.inc')).toString();
    proc = spawn(process.execPath, [join(ROOT, 'dist/language-server.js'), '--stdio'], { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
    client = new Client(proc);
    const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'w' }] });
    expect(init.capabilities.hoverProvider).toBe(true);
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nasm', version: 1, text } });
  }, 120_000);

  afterAll(() => {
    proc?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the error with its range', async () => {
    const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri && x.diagnostics.length > 0);
    const d = p.diagnostics.find((x: any) => /undefined_sym/.test(x.message));
    expect(d, JSON.stringify(p.diagnostics)).toBeDefined();
    expect(d.severity).toBe(1);
    expect(d.range).toEqual({ start: { line: 5, character: 13 }, end: { line: 5, character: 26 } });
  });

  it('publishes the included file\'s error on that file', async () => {
    const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === incUri && x.diagnostics.length > 0);
    expect(p.diagnostics[0].range.start.line).toBe(1);
    expect(p.diagnostics[0].severity).toBe(1);
  });

  it('hovers over mov', async () => {
    const h = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 5 } });
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toMatch(/\*\*MOV\*\*/);
    expect(h.range).toEqual({ start: { line: 3, character: 4 }, end: { line: 3, character: 7 } });
  });

  it('goes to the definition of a label and of an equ in an include', async () => {
    const d = await client.request('textDocument/definition', { textDocument: { uri }, position: { line: 4, character: 10 } });
    expect(d).toEqual([{ uri, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } } }]);
    const e = await client.request('textDocument/definition', { textDocument: { uri }, position: { line: 3, character: 14 } });
    expect(e[0].uri).toBe(incUri);
  });

  it('re-diagnoses after an edit', async () => {
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } }, text: '' }],
    });
    const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri && !x.diagnostics.some((d: any) => /undefined_sym/.test(d.message)));
    // what is left: the include's error, summarised on the %include line
    expect(p.diagnostics.map((d: any) => [d.range.start.line, d.message.slice(0, 19)])).toEqual([[0, '1 error in defs.inc']]);
  });

  it('answers document symbols, completion, references, rename', async () => {
    const syms = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.map((s: any) => s.name)).toEqual(['start']);
    const comp = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 8 } });
    expect(comp.map((c: any) => c.label)).toContain('start');
    const refs = await client.request('textDocument/references', { textDocument: { uri }, position: { line: 2, character: 1 }, context: { includeDeclaration: true } });
    expect(refs.length).toBe(2);
    const ren = await client.request('textDocument/rename', { textDocument: { uri }, position: { line: 2, character: 1 }, newName: 'entry' });
    expect(ren.changes[uri].length).toBe(2);
    const ws = await client.request('workspace/symbol', { query: 'LIM' });
    expect(ws.map((s: any) => s.name)).toEqual(['LIMIT']);
  });
});

// Every feature of the language server as an editor other than VS Code reaches it: `kstack lsp
// --stdio` (dist/cli.js, built by the block above), one request per feature.
describe('kstack lsp --stdio: every feature over the protocol', () => {
  let proc: ChildProcessWithoutNullStreams;
  let client: Client;
  let dir: string;
  let uri: string;
  let incUri: string;
  const defs = ['; shared definitions', '%define STACK_TOP 0x90000', 'PORT equ 0x3f8', '%macro outb 2', '    mov dx, %1', '    mov al, %2', '    out dx, al', '%endmacro', ''].join('\n');
  const lines = [
    '%include "defs.inc"', // 0
    'bits 64', // 1
    'org 0x100000', // 2
    'section .text', // 3
    'start:', // 4
    '    mov rsp, STACK_TOP', // 5
    "    outb PORT, 'A'", // 6
    '.loop:', // 7
    '    dec rcx', // 8
    '    jnz .loop', // 9
    '    call helper', // 10
    '    hlt', // 11
    'helper:', // 12
    '    mov eax, 0x1f', // 13
    '    ret', // 14
    'bits 32', // 15
    'legacy:', // 16
    '    ', // 17
    '',
  ];
  const text = lines.join('\n');
  const at = (line: number, needle: string, offset = 0) => ({ line, character: lines[line]!.indexOf(needle) + offset });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kstack-lsp-proto-'));
    writeFileSync(join(dir, 'defs.inc'), defs);
    writeFileSync(join(dir, 'main.asm'), text);
    uri = pathToFileURL(join(dir, 'main.asm')).toString();
    incUri = pathToFileURL(join(dir, 'defs.inc')).toString();
    proc = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
    client = new Client(proc);
    const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'w' }] });
    const caps = init.capabilities;
    for (const c of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'workspaceSymbolProvider']) expect(caps[c], c).toBe(true);
    expect(caps.renameProvider).toEqual({ prepareProvider: true });
    expect(caps.completionProvider.triggerCharacters).toContain('.');
    expect(caps.signatureHelpProvider).toBeDefined();
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nasm', version: 1, text } });
  }, 60_000);

  afterAll(() => {
    proc?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const hover = async (pos: { line: number; character: number }) =>
    (await client.request('textDocument/hover', { textDocument: { uri }, position: pos }))?.contents.value as string;

  it('publishes no diagnostics for a clean file, with the document version', async () => {
    const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri);
    expect(p.diagnostics).toEqual([]);
    expect(p.version).toBe(1);
  });

  it('hovers over an instruction: forms, flags, modes, what it does', async () => {
    const h = await hover(at(8, 'dec', 1));
    expect(h).toMatch(/\*\*DEC\*\*/);
    expect(h).toMatch(/DEC r\/m64/);
    expect(h).toMatch(/Flags/);
    expect(h).toMatch(/Valid in: 64-bit/);
  });

  it('hovers over a register, a number, a label and an equ from the include', async () => {
    expect(await hover(at(5, 'rsp'))).toMatch(/stack pointer/);
    const n = await hover(at(13, '0x1f'));
    expect(n).toMatch(/decimal `31`/);
    expect(n).toMatch(/binary `1_1111b`/);
    const l = await hover(at(10, 'helper'));
    expect(l).toMatch(/address 0x10001[0-9a-f]/);
    expect(l).toMatch(/size \d+ bytes?/);
    expect(l).toMatch(/main\.asm:13/);
    const e = await hover(at(6, 'PORT'));
    expect(e).toMatch(/value 0x3f8 \(1016\)/);
    expect(e).toMatch(/defs\.inc:3/);
  });

  it('goes to a macro defined in the include and a local label', async () => {
    const m = await client.request('textDocument/definition', { textDocument: { uri }, position: at(6, 'outb', 1) });
    expect(m).toEqual([{ uri: incUri, range: { start: { line: 3, character: 7 }, end: { line: 3, character: 11 } } }]);
    const l = await client.request('textDocument/definition', { textDocument: { uri }, position: at(9, '.loop', 2) });
    expect(l).toEqual([{ uri, range: { start: { line: 7, character: 0 }, end: { line: 7, character: 5 } } }]);
  });

  it('finds references across the %include, from the definition in the included file', async () => {
    const refs = await client.request('textDocument/references', { textDocument: { uri: incUri }, position: { line: 3, character: 8 }, context: { includeDeclaration: true } });
    expect(refs.map((r: any) => [r.uri === uri ? 'main' : 'defs', r.range.start.line]).sort()).toEqual([['defs', 3], ['main', 6]]);
    const noDecl = await client.request('textDocument/references', { textDocument: { uri: incUri }, position: { line: 2, character: 1 }, context: { includeDeclaration: false } });
    expect(noDecl.map((r: any) => [r.uri === uri, r.range.start.line])).toEqual([[true, 6]]);
  });

  it('renames a macro in both files, and a label', async () => {
    const prep = await client.request('textDocument/prepareRename', { textDocument: { uri }, position: at(6, 'outb', 2) });
    expect(prep).toEqual({ start: { line: 6, character: 4 }, end: { line: 6, character: 8 } });
    const ren = await client.request('textDocument/rename', { textDocument: { uri }, position: at(6, 'outb', 2), newName: 'out_byte' });
    expect(ren.changes[uri].map((e: any) => [e.range.start.line, e.newText])).toEqual([[6, 'out_byte']]);
    expect(ren.changes[incUri].map((e: any) => [e.range.start.line, e.newText])).toEqual([[3, 'out_byte']]);
    const lab = await client.request('textDocument/rename', { textDocument: { uri }, position: at(12, 'helper'), newName: 'worker' });
    expect(lab.changes[uri].map((e: any) => e.range.start.line).sort((a: number, b: number) => a - b)).toEqual([10, 12]);
  });

  it('lists document symbols (sections > labels > local labels) and workspace symbols', async () => {
    const syms = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    const text0 = syms.find((s: any) => s.name === '.text');
    expect(text0, JSON.stringify(syms)).toBeDefined();
    const start = text0.children.find((s: any) => s.name === 'start');
    expect(start.children.map((s: any) => s.name)).toEqual(['.loop']);
    expect(text0.children.map((s: any) => s.name)).toEqual(['start', 'helper', 'legacy']);
    const ws = await client.request('workspace/symbol', { query: 'out' });
    expect(ws.map((s: any) => [s.name, s.location.uri === incUri])).toEqual([['outb', true]]);
  });

  it('completes mnemonics and registers of the bits mode at the cursor, labels and macros in scope', async () => {
    const labels = async (line: number, character: number) =>
      ((await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as any[]).map((c) => c.label);
    const in64 = await labels(11, 4);
    const in32 = await labels(17, 4);
    expect(in64).toContain('swapgs');
    expect(in64).toContain('outb');
    expect(in32).not.toContain('swapgs');
    expect(in32).toContain('pushad');
    expect(in64).not.toContain('pushad');
    const ops64 = await labels(10, 9);
    expect(ops64).toContain('r12');
    expect(ops64).toContain('helper');
    expect(ops64).toContain('PORT');
    const ops32 = await labels(13, 9);
    expect(ops32).toContain('eax');
  });

  it('gives signature help for a macro call with the active parameter', async () => {
    const s = await client.request('textDocument/signatureHelp', { textDocument: { uri }, position: { line: 6, character: lines[6]!.length } });
    expect(s.signatures[0].label).toMatch(/outb/);
    expect(s.signatures[0].parameters.length).toBe(2);
    expect(s.activeParameter).toBe(1);
    const first = await client.request('textDocument/signatureHelp', { textDocument: { uri }, position: at(6, 'PORT', 2) });
    expect(first.activeParameter).toBe(0);
  });

  it('diagnoses the newest text after a burst of edits, tagged with its version', async () => {
    for (let v = 2; v <= 6; v++) {
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start: { line: 17, character: 0 }, end: { line: 17, character: 100 } }, text: `    mov eax, undefined${v}` }],
      });
    }
    const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri && x.version === 6);
    expect(p.diagnostics.map((d: any) => [d.range.start.line, d.message])).toEqual([[17, "symbol 'undefined6' is not defined"]]);
    // nothing was published for a version older than one already published
    const versions = client.received('textDocument/publishDiagnostics').filter((x) => x.uri === uri).map((x) => x.version as number);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });
});

describe('kstack lsp without a transport', () => {
  it('explains how to start it and exits 2; --help exits 0', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'lsp'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--stdio/);
    const h = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'lsp', '--help'], { encoding: 'utf8' });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Neovim/);
    const bad = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'lsp', '--stdio', '--frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
