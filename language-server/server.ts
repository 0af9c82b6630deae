// LSP translation: vscode-languageserver requests and notifications <-> the analysis layer.
// Paths inside the analysis layer are file-system paths; URIs exist only here.

import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  DiagnosticSeverity,
  CompletionItemKind,
  SymbolKind,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type InitializeResult,
  type WorkspaceEdit,
  type TextEdit,
  type SymbolInformation,
  type CompletionItem,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Project, type Definition, type CompletionEntry, type Range } from './analysis';

export interface ServerOptions {
  /**
   * The longest wait after a change before assembling (default 120 ms). The wait is as long as the
   * last assembly of the unit took (at least 5 ms): a file that assembles in 20 ms gets its
   * diagnostics about 20 ms after the user stops typing, while keystrokes that come faster than the
   * server can assemble are coalesced and only the newest text is assembled.
   */
  debounceMs?: number;
}

function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri).replace(/\\/g, '/');
  return uri;
}

function pathToUri(p: string): string {
  return p.startsWith('/') || /^[A-Za-z]:/.test(p) ? pathToFileURL(p).toString() : p;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

const SYMBOL_KIND: Record<Definition['kind'], SymbolKind> = {
  label: SymbolKind.Function,
  local: SymbolKind.Key,
  macro: SymbolKind.Method,
  define: SymbolKind.Constant,
  equ: SymbolKind.Constant,
  section: SymbolKind.Namespace,
  struc: SymbolKind.Struct,
  field: SymbolKind.Field,
};

const COMPLETION_KIND: Record<CompletionEntry['kind'], CompletionItemKind> = {
  mnemonic: CompletionItemKind.Keyword,
  register: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  label: CompletionItemKind.Reference,
  macro: CompletionItemKind.Function,
  constant: CompletionItemKind.Constant,
};

const SOURCE_EXT = /\.(asm|nasm|inc|s)$/i;

export function startServer(connection: Connection = createConnection(ProposedFeatures.all), opts: ServerOptions = {}): Connection {
  const documents = new TextDocuments(TextDocument);
  const debounceMs = opts.debounceMs ?? 120;
  const openPaths = new Map<string, TextDocument>();
  let includeDirs: string[] = [];

  // Files that are not open are read once and kept until the client reports a change
  // (workspace/didChangeWatchedFiles) or the document is closed: every query consults the indexes
  // of all known files, so they must not hit the disk each time.
  const disk = new Map<string, string | undefined>();
  const readDisk = (path: string): string | undefined => {
    if (disk.has(path)) return disk.get(path);
    let text: string | undefined;
    try {
      text = existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    } catch {
      text = undefined;
    }
    if (disk.size > 10_000) disk.clear();
    disk.set(path, text);
    return text;
  };
  const project = new Project({
    read(path) {
      const d = openPaths.get(path);
      return d ? d.getText() : readDisk(path);
    },
  }, includeDirs);

  /** Files whose diagnostics were last published per root, so cleared files get an empty list. */
  const published = new Map<string, Set<string>>();
  const timers = new Map<string, NodeJS.Timeout>();

  /** How long the last validation of each path took (ms). */
  const lastMs = new Map<string, number>();
  const delayFor = (path: string): number => Math.min(debounceMs, Math.max(5, Math.ceil(lastMs.get(path) ?? 0)));

  function validate(path: string): void {
    const t0 = performance.now();
    try {
      publish(path);
    } finally {
      lastMs.set(path, performance.now() - t0);
    }
  }

  function publish(path: string): void {
    // An included file can belong to several units: merge what each says about each file.
    const byFile = new Map<string, Diagnostic[]>();
    const roots = project.rootsOf(path);
    for (const root of roots) {
      const res = project.assembleUnit(root);
      for (const f of res.files) if (!byFile.has(f)) byFile.set(f, []);
      for (const d of res.diagnostics) {
        const list = byFile.get(d.file) ?? byFile.set(d.file, []).get(d.file)!;
        const diag: Diagnostic = {
          range: d.range,
          severity: SEVERITY[d.severity],
          source: 'kstack-asm',
          message: roots.length > 1 && d.file !== root ? `${d.message} (when included from ${root.slice(root.lastIndexOf('/') + 1)})` : d.message,
          relatedInformation: d.related?.map((r) => ({ location: { uri: pathToUri(r.file), range: { start: { line: r.line, character: 0 }, end: { line: r.line, character: 1000 } } }, message: r.message })),
        };
        if (!list.some((x) => x.message === diag.message && x.range.start.line === diag.range.start.line && x.range.start.character === diag.range.start.character)) list.push(diag);
      }
    }
    const key = roots.join('|');
    const before = published.get(key) ?? new Set<string>();
    // the version of each open document the diagnostics were computed from (clients drop stale ones)
    const version = (f: string) => openPaths.get(f)?.version;
    for (const f of before) if (!byFile.has(f)) void connection.sendDiagnostics({ uri: pathToUri(f), version: version(f), diagnostics: [] });
    for (const [f, list] of byFile) void connection.sendDiagnostics({ uri: pathToUri(f), version: version(f), diagnostics: list });
    published.set(key, new Set(byFile.keys()));
  }

  function schedule(path: string, delay: number): void {
    const t = timers.get(path);
    if (t) clearTimeout(t);
    timers.set(path, setTimeout(() => {
      timers.delete(path);
      try {
        validate(path);
      } catch (e) {
        connection.console.error(`kstack language server: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }, delay));
  }

  /** Index the workspace's assembly sources (for workspace symbols and include roots). */
  function scanFolder(dir: string, budget: { n: number }, depth = 0): void {
    if (depth > 8 || budget.n <= 0) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const p = join(dir, e).replace(/\\/g, '/');
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) scanFolder(p, budget, depth + 1);
      else if (SOURCE_EXT.test(e) && st.size < 4_000_000 && budget.n-- > 0) project.index(p);
    }
  }

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as { includeDirs?: string[] };
    includeDirs = init.includeDirs ?? [];
    project.includeDirs.push(...includeDirs);
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : []);
    const budget = { n: 2000 };
    for (const f of folders) scanFolder(f, budget);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: ['.', '%'] },
        signatureHelpProvider: { triggerCharacters: [' ', ','] },
      },
      serverInfo: { name: 'kstack-asm', version: '0.1.0' },
    };
  });

  documents.onDidOpen((e) => {
    const p = uriToPath(e.document.uri);
    openPaths.set(p, e.document);
    schedule(p, 0);
  });
  documents.onDidChangeContent((e) => {
    const p = uriToPath(e.document.uri);
    openPaths.set(p, e.document);
    schedule(p, delayFor(p));
  });
  documents.onDidClose((e) => {
    const p = uriToPath(e.document.uri);
    openPaths.delete(p);
    disk.delete(p);
    project.forget(p);
  });

  connection.onDidChangeWatchedFiles((params) => {
    project.invalidate();
    const touched: string[] = [];
    for (const c of params.changes) {
      const p = uriToPath(c.uri);
      disk.delete(p);
      // a created file may resolve an %include that was missing: drop the cached misses too
      for (const [k, v] of disk) if (v === undefined) disk.delete(k);
      if (!openPaths.has(p)) {
        project.forget(p);
        if (SOURCE_EXT.test(p)) project.index(p);
        touched.push(p);
      }
    }
    for (const p of touched) for (const root of project.rootsOf(p)) if (openPaths.has(root) || project.unitFiles(root).some((f) => openPaths.has(f))) schedule(root, debounceMs);
    // units whose includes changed keep stale include resolutions: re-index the open files
    for (const p of openPaths.keys()) project.forget(p);
  });

  connection.onHover((params) => {
    const h = project.hover(uriToPath(params.textDocument.uri), params.position);
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
  });

  connection.onDefinition((params) =>
    project.definition(uriToPath(params.textDocument.uri), params.position).map((d) => ({ uri: pathToUri(d.file), range: d.range })),
  );

  connection.onReferences((params) =>
    project
      .references(uriToPath(params.textDocument.uri), params.position, params.context.includeDeclaration)
      .map((r) => ({ uri: pathToUri(r.file), range: r.range })),
  );

  connection.onDocumentSymbol((params): DocumentSymbol[] => {
    const defs = project.documentSymbols(uriToPath(params.textDocument.uri));
    const out: DocumentSymbol[] = [];
    let section: DocumentSymbol | undefined;
    let label: DocumentSymbol | undefined;
    const sym = (d: Definition): DocumentSymbol => ({ name: d.name, kind: SYMBOL_KIND[d.kind], range: d.lineRange, selectionRange: d.range, children: [] });
    for (const d of defs) {
      const s = sym(d);
      if (d.kind === 'section') {
        out.push(s);
        section = s;
        label = undefined;
      } else if ((d.kind === 'local' || d.kind === 'field') && label) {
        s.name = d.name.includes('.%%') ? d.name.slice(d.name.indexOf('.%%') + 1) : d.name.slice(d.name.lastIndexOf('.'));
        label.children!.push(s);
      } else {
        (section ? section.children! : out).push(s);
        if (d.kind === 'label' || d.kind === 'struc' || d.kind === 'macro') label = s;
      }
    }
    return out;
  });

  connection.onWorkspaceSymbol((params): SymbolInformation[] =>
    project.workspaceSymbols(params.query).slice(0, 500).map((d) => ({ name: d.name, kind: SYMBOL_KIND[d.kind], location: { uri: pathToUri(d.file), range: d.range } })),
  );

  connection.onPrepareRename((params) => {
    const p = uriToPath(params.textDocument.uri);
    const defs = project.definition(p, params.position);
    const at = project.tokenAt(p, params.position);
    if (!at || defs.length === 0) return null;
    return { start: { line: params.position.line, character: at.tok.c }, end: { line: params.position.line, character: at.tok.e } };
  });

  connection.onRenameRequest((params): WorkspaceEdit | null => {
    const r = project.rename(uriToPath(params.textDocument.uri), params.position, params.newName);
    if ('error' in r) throw new Error(r.error);
    const changes: Record<string, TextEdit[]> = {};
    for (const e of r.edits) (changes[pathToUri(e.file)] ??= []).push({ range: e.range as Range, newText: e.text });
    return { changes };
  });

  connection.onCompletion((params): CompletionItem[] =>
    project.completions(uriToPath(params.textDocument.uri), params.position).map((c) => ({ label: c.label, kind: COMPLETION_KIND[c.kind], detail: c.detail })),
  );

  connection.onSignatureHelp((params) => {
    const s = project.signatureHelp(uriToPath(params.textDocument.uri), params.position);
    if (!s) return null;
    return {
      signatures: [{ label: s.label, documentation: s.doc, parameters: s.parameters.map((p) => ({ label: p })) }],
      activeSignature: 0,
      activeParameter: s.active,
    };
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
