// End to end: dist/language-server.js as a child process over stdio, spoken to in LSP JSON-RPC.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..');

class Client {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, (msg: any) => void>();
  private notes: any[] = [];
  private waiters: { method: string; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];

  constructor(private proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const head = this.buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString())![1]);
        if (this.buf.length < head + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString('utf8'));
        this.buf = this.buf.subarray(head + 4 + len);
        this.dispatch(msg);
      }
    });
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined && msg.method === undefined) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    } else if (msg.id !== undefined) {
      // a request from the server (client/registerCapability, workspace/configuration...): answer null
      this.write({ jsonrpc: '2.0', id: msg.id, result: null });
    } else {
      this.notes.push(msg);
      for (const w of [...this.waiters]) {
        if (w.method === msg.method && w.pred(msg.params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg.params);
        }
      }
    }
  }

  private write(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout: ${method}`)), 20_000);
      this.pending.set(id, (m) => {
        clearTimeout(t);
        if (m.error) reject(new Error(m.error.message));
        else resolve(m.result);
      });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  waitFor(method: string, pred: (p: any) => boolean = () => true): Promise<any> {
    const seen = this.notes.find((n) => n.method === method && pred(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${method}`)), 20_000);
      this.waiters.push({ method, pred, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }
}

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
