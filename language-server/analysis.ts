// The language server's analysis layer: pure functions over source texts (no Node, no LSP types).
// Diagnostics come from the real assembler (asm/assembler.ts); definitions, references, symbols and
// scopes come from a light scan of each file with the assembler's lexer (the assembler does not yet
// expose definition and reference positions). Positions here are 0-based lines and UTF-16
// columns, as LSP counts them; the assembler's are 1-based and are converted at the boundary.

import { assemble, type OutputFormat } from '../asm/assembler';
import { createHost, dirname, joinPath, normalize, type FileHost } from '../asm/host';
import { lexLine, parseInteger, type Token } from '../asm/lexer';
import { lookupRegister, REGISTER_NAMES, type RegInfo } from '../asm/registers';
import { lookupMnemonic, MNEMONIC_NAMES, PREFIX_NAMES } from '../asm/mnemonics';
import { DIRECTIVES } from '../asm/parser';
import { FORMS } from '../isa/table';
import type { Form } from '../isa/form';
import type { Image } from '../asm/image';

// ---------------------------------------------------------------------------------------------
// Types

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Location { file: string; range: Range }

export type Severity = 'error' | 'warning' | 'info';
export interface AsmDiagnostic {
  file: string;
  range: Range;
  severity: Severity;
  message: string;
  related?: { file: string; line: number; message: string }[];
}

export type DefKind = 'label' | 'local' | 'macro' | 'define' | 'equ' | 'section' | 'struc' | 'field';

export interface Definition {
  name: string;
  kind: DefKind;
  file: string;
  range: Range;
  /** The whole line (for document symbols). */
  lineRange: Range;
  /** Multi-line macros: parameter count range (max -1 = unbounded), greedy `+`. */
  params?: { min: number; max: number; greedy: boolean; defaults: string[] };
  /** `%define`/`equ`: the text of the value as written. */
  valueText?: string;
  /** The mode (`bits`) in effect at the definition. */
  bits: number;
  /** `%imacro`, `%idefine`, `%ixdefine`, `%iassign`: matched in any case. */
  ci?: boolean;
}

export interface Reference {
  /** Resolved name (local labels qualified with their parent). */
  name: string;
  file: string;
  range: Range;
  isDef: boolean;
}

export interface IncludeRef { name: string; file: string; range: Range; resolved?: string }

export interface FileIndex {
  file: string;
  defs: Definition[];
  refs: Reference[];
  includes: IncludeRef[];
  /** Names the file declares `global` (and `extern`): how ELF programs reach across files. */
  globals: Set<string>;
  externs: Set<string>;
  /** `bits` in effect at the start of each line (16 until a `bits` line). */
  bitsAt: number[];
  /** The non-local label in effect at each line (for local label completion and resolution). */
  parentAt: (string | undefined)[];
  lines: string[];
}

/** Where files come from: the open documents first, then the file system. */
export interface SourceProvider {
  read(path: string): string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Scanning one file

const DATA_WORDS = new Set(['db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz', 'incbin', 'times']);
const DEFINE_DIRECTIVES = new Set(['%define', '%idefine', '%xdefine', '%ixdefine', '%assign', '%iassign', '%defstr', '%idefstr', '%deftok', '%ideftok', '%strlen', '%substr', '%strcat']);
const MACRO_OPEN = new Set(['%macro', '%imacro']);
const SIZE_WORDS = new Set(['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword', 'ptr', 'strict', 'short', 'near', 'far', 'rel', 'abs', 'nosplit', 'seg', 'wrt', 'equ']);

function isKeyword(lower: string): boolean {
  return (
    lookupMnemonic(lower) !== undefined ||
    lookupRegister(lower) !== undefined ||
    DATA_WORDS.has(lower) ||
    DIRECTIVES.has(lower) ||
    SIZE_WORDS.has(lower) ||
    PREFIX_NAMES.includes(lower) ||
    lower === 'lock' || lower === 'rep'
  );
}

function rng(line: number, c: number, e: number): Range {
  return { start: { line, character: c }, end: { line, character: e } };
}

function isLocalName(s: string): boolean {
  return s.startsWith('.') && !s.startsWith('..');
}

function nameOf(t: Token): string {
  return t.s.startsWith('$') ? t.s.slice(1) : t.s;
}

function parseParamSpec(toks: Token[], from: number): { min: number; max: number; greedy: boolean; defaults: string[]; next: number } {
  let i = from;
  let min = 0;
  let max = 0;
  let greedy = false;
  const t = toks[i];
  if (t && t.k === 'num') {
    min = max = Number(t.n ?? 0n);
    i++;
    if (toks[i]?.s === '-') {
      i++;
      if (toks[i]?.s === '*') {
        max = -1;
        i++;
      } else if (toks[i]?.k === 'num') {
        max = Number(toks[i]!.n ?? 0n);
        i++;
      }
    }
    if (toks[i]?.s === '+') {
      greedy = true;
      i++;
    }
    if (toks[i]?.k === 'id' && toks[i]!.s.toLowerCase() === '.nolist') i++;
  }
  const defaults: string[] = [];
  // defaults: the rest, comma separated
  let cur = '';
  for (let j = i; j < toks.length; j++) {
    if (toks[j]!.s === ',') {
      defaults.push(cur.trim());
      cur = '';
    } else cur += toks[j]!.s + ' ';
  }
  if (cur.trim()) defaults.push(cur.trim());
  return { min, max, greedy, defaults, next: i };
}

/** Index one file: definitions, references, includes, the mode at each line. */
export function indexFile(file: string, text: string): FileIndex {
  const lines = text.split(/\r?\n/);
  const defs: Definition[] = [];
  const refs: Reference[] = [];
  const includes: IncludeRef[] = [];
  const globals = new Set<string>();
  const externs = new Set<string>();
  const bitsAt: number[] = [];
  const parentAt: (string | undefined)[] = [];
  let bits = 16;
  let parent: string | undefined;
  let macroDepth = 0;
  let macroName = '';
  let struc: string | undefined;

  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    bitsAt.push(bits);
    parentAt.push(parent);
    if (line.length === 0) continue;
    const all = lexLine(line, 'pp');
    const toks = all.filter((t) => t.k !== 'ws');
    if (toks.length === 0) continue;
    const lineRange = rng(ln, 0, line.length);
    const first = toks[0]!;
    const qualify = (s: string): string => (isLocalName(s) && parent ? parent + s : s);
    const pushDef = (d: Omit<Definition, 'file' | 'lineRange' | 'bits'>, tok: Token): void => {
      defs.push({ ...d, file, lineRange, bits });
      refs.push({ name: d.name, file, range: rng(ln, tok.c, tok.e), isDef: true });
    };
    let skip = -1; // index of the token already recorded as a definition
    let skip2 = -1;

    if (first.k === 'pp') {
      const d = first.s.toLowerCase();
      if (MACRO_OPEN.has(d)) {
        const nt = toks[1];
        if (nt && nt.k === 'id') {
          const p = parseParamSpec(toks, 2);
          pushDef({ name: nt.s, kind: 'macro', range: rng(ln, nt.c, nt.e), params: { min: p.min, max: p.max, greedy: p.greedy, defaults: p.defaults }, ci: d === '%imacro' }, nt);
          skip = 1;
          if (macroDepth === 0) macroName = nt.s;
        }
        macroDepth++;
      } else if (d === '%endmacro' || d === '%endm') {
        macroDepth = Math.max(0, macroDepth - 1);
      } else if (DEFINE_DIRECTIVES.has(d)) {
        const nt = toks[1];
        if (nt && nt.k === 'id') {
          const valStart = all.findIndex((t) => t === nt);
          let rest = all.slice(valStart + 1);
          if (rest[0]?.s === '(') {
            const close = rest.findIndex((t) => t.s === ')');
            rest = rest.slice(close + 1);
          }
          pushDef({ name: nt.s, kind: 'define', ci: /^%i/.test(d), range: rng(ln, nt.c, nt.e), valueText: line.slice(rest[0]?.c ?? line.length, rest.length ? rest[rest.length - 1]!.e : line.length).trim() }, nt);
          skip = 1;
        }
      } else if (first.s.startsWith('%%') && macroDepth > 0 && first.s.length > 2) {
        // a macro-local label `%%x` (scoped to the macro body)
        pushDef({ name: `${macroName}.${first.s}`, kind: 'local', range: rng(ln, first.c, first.e) }, first);
      } else if (d === '%include') {
        const nt = toks[1];
        if (nt && nt.k === 'str') includes.push({ name: nt.s.slice(1, -1), file, range: rng(ln, nt.c, nt.e) });
      }
    } else {
      // [bits 64] / bits 64 / use64
      let k = 0;
      if (first.s === '[') k = 1;
      const kw = toks[k];
      const kwl = kw?.k === 'id' ? kw.s.toLowerCase() : '';
      if (kwl === 'bits' && toks[k + 1]?.k === 'num') {
        bits = Number(toks[k + 1]!.n ?? 16n);
      } else if (kwl === 'use16' || kwl === 'use32' || kwl === 'use64') {
        bits = Number(kwl.slice(3));
      } else if ((kwl === 'section' || kwl === 'segment') && toks[k + 1]?.k === 'id') {
        const nt = toks[k + 1]!;
        defs.push({ name: nt.s, kind: 'section', file, range: rng(ln, nt.c, nt.e), lineRange, bits });
        skip = k + 1;
      } else if (kwl === 'struc' && toks[k + 1]?.k === 'id' && macroDepth === 0) {
        const nt = toks[k + 1]!;
        pushDef({ name: nt.s, kind: 'struc', range: rng(ln, nt.c, nt.e) }, nt);
        struc = nt.s;
        skip = k + 1;
      } else if (kwl === 'global' || kwl === 'extern' || kwl === 'common' || kwl === 'static') {
        const set = kwl === 'extern' ? externs : globals;
        let expectName = true;
        for (let i = k + 1; i < toks.length; i++) {
          const t = toks[i]!;
          if (t.s === ',') expectName = true;
          else if (t.k === 'id' && expectName) {
            set.add(nameOf(t));
            expectName = false;
          }
        }
      } else if (kwl === 'endstruc') {
        struc = undefined;
      } else if (first.k === 'id' && macroDepth === 0) {
        const lower = first.s.toLowerCase();
        const second = toks[1];
        const secondLower = second?.k === 'id' ? second.s.toLowerCase() : '';
        const escaped = first.s.startsWith('$');
        const labelLike = escaped || !isKeyword(lower);
        if (labelLike) {
          const raw = nameOf(first);
          const isEqu = secondLower === 'equ';
          const colon = second?.s === ':';
          const before = colon ? toks[2] : second;
          const beforeLower = before?.k === 'id' ? before.s.toLowerCase() : '';
          const looksLabel =
            colon || isEqu || second === undefined || DATA_WORDS.has(secondLower) || lookupMnemonic(secondLower) !== undefined || PREFIX_NAMES.includes(secondLower);
          // `foo bar` where foo is not a keyword and bar is not one either: a macro call, not a label
          if (looksLabel && !(second === undefined && defs.some((x) => x.kind === 'macro' && x.name === raw))) {
            let name: string;
            let kind: DefKind;
            if (struc && isLocalName(raw)) {
              name = struc + raw;
              kind = 'field';
            } else if (isLocalName(raw)) {
              name = parent ? parent + raw : raw;
              kind = 'local';
            } else {
              name = raw;
              kind = isEqu ? 'equ' : 'label';
              if (!raw.startsWith('..@')) {
                parent = raw;
                parentAt[ln] = parent;
              }
            }
            if (isEqu) kind = kind === 'local' ? 'local' : 'equ';
            const valueText = isEqu ? line.slice(toks[2]?.c ?? line.length, toks.length > 2 ? toks[toks.length - 1]!.e : line.length).trim() : undefined;
            pushDef({ name, kind, range: rng(ln, first.c, first.e), valueText }, first);
            skip = 0;
            void beforeLower;
          }
        }
      }
    }

    // References: every identifier (and %define names used in pp lines) that is not the definition.
    for (let i = 0; i < toks.length; i++) {
      if (i === skip || i === skip2) continue;
      const t = toks[i]!;
      if (t.k === 'pp' && i > 0 && macroDepth > 0 && t.s.startsWith('%%') && t.s.length > 2) {
        refs.push({ name: `${macroName}.${t.s}`, file, range: rng(ln, t.c, t.e), isDef: false });
        continue;
      }
      if (t.k !== 'id') continue;
      const raw = nameOf(t);
      const lower = raw.toLowerCase();
      if (!t.s.startsWith('$') && isKeyword(lower)) continue;
      refs.push({ name: macroDepth > 0 && isLocalName(raw) ? raw : qualify(raw), file, range: rng(ln, t.c, t.e), isDef: false });
    }
  }
  return { file, defs, refs, includes, globals, externs, bitsAt, parentAt, lines };
}

// ---------------------------------------------------------------------------------------------
// The project: indexes of every known file, units (a root and what it includes), assembly

export interface UnitResult {
  root: string;
  files: string[];
  diagnostics: AsmDiagnostic[];
  image?: Image;
  format: OutputFormat;
  ms: number;
}

function toRange(line1: number, col1: number, endCol1: number): Range {
  const l = Math.max(0, line1 - 1);
  const c = Math.max(0, col1 - 1);
  return rng(l, c, Math.max(c + 1, endCol1 - 1));
}

export class Project {
  private indexes = new Map<string, { text: string; index: FileIndex }>();
  private results = new Map<string, UnitResult>();
  private inputs = new Map<string, Map<string, string | undefined>>();
  readonly host: FileHost;
  private enc = new TextEncoder();

  constructor(readonly source: SourceProvider, readonly includeDirs: string[] = []) {
    this.host = createHost((p) => {
      const t = this.source.read(normalize(p));
      return t === undefined ? undefined : this.enc.encode(t);
    });
  }

  /** The index of `file` (re-scanned when its text changed). */
  index(file: string): FileIndex | undefined {
    const f = normalize(file);
    const text = this.source.read(f);
    if (text === undefined) return undefined;
    const cached = this.indexes.get(f);
    if (cached && cached.text === text) return cached.index;
    const index = indexFile(f, text);
    for (const inc of index.includes) {
      const r = this.host.resolveInclude(f, inc.name, this.includeDirs);
      if (r) inc.resolved = normalize(r);
    }
    this.indexes.set(f, { text, index });
    return index;
  }

  /** Forget a file's cached index (closed or deleted). */
  forget(file: string): void {
    this.indexes.delete(normalize(file));
  }

  /** Forget every cached assembly (files appeared or disappeared on disk: includes may resolve differently). */
  invalidate(): void {
    this.inputs.clear();
  }

  /** Every indexed file. */
  knownFiles(): string[] {
    return [...this.indexes.keys()];
  }

  /** `file` and every file it includes, transitively (include order). */
  unitFiles(root: string): string[] {
    const seen: string[] = [];
    const walk = (f: string, depth: number): void => {
      if (seen.includes(f) || depth > 50) return;
      const ix = this.index(f);
      if (!ix) return;
      seen.push(f);
      for (const inc of ix.includes) if (inc.resolved) walk(inc.resolved, depth + 1);
    };
    walk(normalize(root), 0);
    return seen;
  }

  /** The files that (transitively) include `file` and are included by nothing known; `file` itself when none. */
  rootsOf(file: string): string[] {
    const f = normalize(file);
    const includers = new Map<string, string[]>();
    for (const k of this.knownFiles()) {
      const ix = this.index(k);
      if (!ix) continue;
      for (const inc of ix.includes) if (inc.resolved) (includers.get(inc.resolved) ?? includers.set(inc.resolved, []).get(inc.resolved)!).push(k);
    }
    const roots = new Set<string>();
    const seen = new Set<string>();
    const up = (x: string): void => {
      if (seen.has(x)) return;
      seen.add(x);
      const by = includers.get(x);
      if (!by || by.length === 0) roots.add(x);
      else for (const b of by) up(b);
    };
    up(f);
    return roots.size ? [...roots] : [f];
  }

  /** Assemble the unit rooted at `root`: diagnostics (grouped by file) and the image's symbols. */
  assembleUnit(root: string): UnitResult {
    const r = normalize(root);
    const text = this.source.read(r) ?? '';
    // nothing changed in any file of the unit since the last run: the same result
    const prev = this.results.get(r);
    const prevInputs = this.inputs.get(r);
    if (prev && prevInputs && [...prevInputs].every(([f, t]) => this.source.read(f) === t)) return prev;
    const t0 = now();
    const wantsElf = /^\s*(extern|global|common)\b/im.test(text);
    const only32 = /^\s*\[?\s*(bits\s+32|use32)\b/im.test(text) && !/^\s*\[?\s*(bits\s+64|use64)\b/im.test(text);
    const format: OutputFormat = wantsElf ? (only32 ? 'elf32' : 'elf64') : 'image';
    const res = assemble({ path: r, text }, { format, host: this.host, includeDirs: this.includeDirs, debugInfo: false, maxPasses: 20 });
    const diagnostics: AsmDiagnostic[] = res.diagnostics.map((d) => ({
      file: normalize(d.file),
      range: toRange(d.line, d.column, d.endColumn),
      severity: d.severity,
      message: d.message,
      related: d.related?.map((x) => ({ file: normalize(x.file), line: x.line - 1, message: x.message })),
    }));
    const files = this.unitFiles(r);
    for (const f of res.image?.files ?? []) if (!files.includes(normalize(f))) files.push(normalize(f));
    diagnostics.push(...this.includeSummaries(r, diagnostics));
    const out: UnitResult = { root: r, files, diagnostics, image: res.image, format, ms: now() - t0 };
    this.results.set(r, out);
    this.inputs.set(r, new Map(files.map((f) => [f, this.source.read(f)])));
    return out;
  }

  /**
   * For problems inside included files: one diagnostic on each `%include` line of the root (and of
   * each intermediate file) that leads to them, so the person editing the main file sees them
   * without opening the include.
   */
  private includeSummaries(root: string, diags: AsmDiagnostic[]): AsmDiagnostic[] {
    const out: AsmDiagnostic[] = [];
    const seen = new Set<string>();
    const walk = (file: string, depth: number): { errors: number; warnings: number; first?: AsmDiagnostic } => {
      const own = diags.filter((d) => d.file === file);
      let errors = own.filter((d) => d.severity === 'error').length;
      let warnings = own.filter((d) => d.severity === 'warning').length;
      let first: AsmDiagnostic | undefined = own.find((d) => d.severity === 'error') ?? own[0];
      if (seen.has(file) || depth > 50) return { errors, warnings, first };
      seen.add(file);
      for (const inc of this.index(file)?.includes ?? []) {
        if (!inc.resolved) continue;
        const sub = walk(inc.resolved, depth + 1);
        if (sub.errors + sub.warnings === 0) continue;
        const parts = [sub.errors ? `${sub.errors} error${sub.errors > 1 ? 's' : ''}` : '', sub.warnings ? `${sub.warnings} warning${sub.warnings > 1 ? 's' : ''}` : ''].filter(Boolean);
        out.push({
          file,
          range: inc.range,
          severity: sub.errors ? 'error' : 'warning',
          message: `${parts.join(' and ')} in ${inc.name}${sub.first ? `: ${sub.first.message}` : ''}`,
          related: sub.first ? [{ file: sub.first.file, line: sub.first.range.start.line, message: sub.first.message }] : undefined,
        });
        errors += sub.errors;
        warnings += sub.warnings;
        first ??= sub.first;
      }
      return { errors, warnings, first };
    };
    walk(root, 0);
    return out;
  }

  lastResult(root: string): UnitResult | undefined {
    return this.results.get(normalize(root));
  }

  /** Definitions visible from `file`: its unit(s)' files. */
  scopeFiles(file: string): string[] {
    const out: string[] = [];
    for (const root of this.rootsOf(file)) for (const f of this.unitFiles(root)) if (!out.includes(f)) out.push(f);
    if (!out.includes(normalize(file))) out.push(normalize(file));
    return out;
  }

  private scopeDefs(file: string): Definition[] {
    const out: Definition[] = [];
    for (const f of this.scopeFiles(file)) out.push(...(this.index(f)?.defs ?? []));
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /** The token under a position, with its resolved symbol name. */
  tokenAt(file: string, pos: Position): { tok: Token; name: string; ix: FileIndex } | undefined {
    const ix = this.index(file);
    if (!ix) return undefined;
    const line = ix.lines[pos.line];
    if (line === undefined) return undefined;
    const toks = lexLine(line, 'pp');
    const tok = toks.find((t) => t.c <= pos.character && pos.character < t.e) ?? toks.find((t) => t.e === pos.character && t.k !== 'ws' && t.k !== 'op');
    if (!tok || tok.k === 'ws') return undefined;
    const ref = ix.refs.find((r) => r.range.start.line === pos.line && r.range.start.character === tok.c);
    const raw = nameOf(tok);
    const name = ref ? ref.name : isLocalName(raw) && ix.parentAt[pos.line] ? ix.parentAt[pos.line] + raw : raw;
    return { tok, name, ix };
  }

  /** The definition(s) of the symbol under `pos`. */
  definition(file: string, pos: Position): Definition[] {
    const at = this.tokenAt(file, pos);
    if (!at) return [];
    if (at.tok.k === 'str') {
      const inc = at.ix.includes.find((i) => i.range.start.line === pos.line);
      if (inc?.resolved) return [{ name: inc.name, kind: 'label', file: inc.resolved, range: rng(0, 0, 0), lineRange: rng(0, 0, 0), bits: 16 }];
      return [];
    }
    if (!isSymbolToken(at.tok)) return [];
    const lower = at.name.toLowerCase();
    const defs = this.scopeDefs(file).filter((d) => d.kind !== 'section' && (d.name === at.name || (d.ci === true && d.name.toLowerCase() === lower)));
    // an exact-case definition wins over case-insensitive ones
    const exact = defs.filter((d) => d.name === at.name);
    if (exact.length || defs.length) return exact.length ? exact : defs;
    // `struc x` defines `x_size`
    if (at.name.endsWith('_size')) {
      const st = this.scopeDefs(file).filter((d) => d.kind === 'struc' && d.name === at.name.slice(0, -5));
      if (st.length) return st;
    }
    // an `extern` (or `global` declared here): the label of another known file that declares it global
    const here = scopeIndexes(this, file);
    if (here.some((ix) => ix.externs.has(at.name) || ix.globals.has(at.name))) {
      const out: Definition[] = [];
      for (const f of this.knownFiles()) {
        const ix = this.index(f);
        if (ix && ix.globals.has(at.name)) out.push(...ix.defs.filter((d) => d.name === at.name && d.kind !== 'section'));
      }
      return out;
    }
    return [];
  }

  /** Every reference to the symbol under `pos` (definitions included when `includeDecl`). */
  references(file: string, pos: Position, includeDecl = true): Reference[] {
    const at = this.tokenAt(file, pos);
    if (!at || !isSymbolToken(at.tok)) return [];
    const defs = this.definition(file, pos);
    if (defs.length === 0) return [];
    const ci = defs.some((d) => d.ci);
    const name = defs[0]!.name;
    const lower = name.toLowerCase();
    const files = this.scopeFiles(file);
    // a global symbol: every known file that declares it extern or global
    if (defs.some((d) => this.index(d.file)?.globals.has(d.name))) {
      for (const f of this.knownFiles()) {
        const ix = this.index(f);
        if (ix && (ix.externs.has(name) || ix.globals.has(name)) && !files.includes(f)) files.push(f);
      }
    }
    const out: Reference[] = [];
    for (const f of files) {
      for (const r of this.index(f)?.refs ?? []) if ((r.name === name || (ci && r.name.toLowerCase() === lower)) && (includeDecl || !r.isDef)) out.push(r);
    }
    return out;
  }

  /** Rename: the edits, or an error message. Labels, local labels, macros, defines, equs. */
  rename(file: string, pos: Position, newName: string): { edits: { file: string; range: Range; text: string }[] } | { error: string } {
    const at = this.tokenAt(file, pos);
    if (!at || !isSymbolToken(at.tok)) return { error: 'Not a symbol' };
    const defs = this.definition(file, pos);
    if (defs.length === 0) return { error: `'${at.name}' is not defined in this project` };
    const def = defs[0]!;
    const macroLocal = def.name.includes('.%%');
    if (macroLocal && !newName.startsWith('%%')) newName = '%%' + newName;
    if (!/^(%%)?[A-Za-z_.?@$][A-Za-z0-9_$#@~.?]*$/.test(newName)) return { error: `'${newName}' is not a valid name` };
    const local = def.kind === 'local' || def.kind === 'field';
    const edits: { file: string; range: Range; text: string }[] = [];
    const oldLocal = local ? at.name.slice(at.name.indexOf('.', 1) >= 0 ? at.name.lastIndexOf('.') : 0) : '';
    for (const r of this.references(file, pos, true)) {
      const ix = this.index(r.file)!;
      const written = ix.lines[r.range.start.line]!.slice(r.range.start.character, r.range.end.character);
      let text = newName;
      if (macroLocal) text = newName;
      else if (local) {
        // `.x` written locally or `parent.x` written in full: keep the form the user wrote
        const nn = newName.startsWith('.') ? newName : '.' + newName;
        text = written.startsWith('.') ? nn : written.slice(0, written.length - oldLocal.length) + nn;
      } else if (written.startsWith('$')) text = '$' + newName;
      edits.push({ file: r.file, range: r.range, text });
    }
    return { edits };
  }

  /** Document symbols: sections, labels (local labels under their parents), macros, defines, equs. */
  documentSymbols(file: string): Definition[] {
    return this.index(file)?.defs ?? [];
  }

  /** Workspace symbols matching `query` (case-insensitive substring) in every known file. */
  workspaceSymbols(query: string): Definition[] {
    const q = query.toLowerCase();
    const out: Definition[] = [];
    for (const f of this.knownFiles()) for (const d of this.index(f)?.defs ?? []) if (d.kind !== 'section' && d.name.toLowerCase().includes(q)) out.push(d);
    return out;
  }

  /** Markdown hover text for the token under `pos`. */
  hover(file: string, pos: Position): { markdown: string; range: Range } | undefined {
    const at = this.tokenAt(file, pos);
    if (!at) return undefined;
    const { tok } = at;
    const range = rng(pos.line, tok.c, tok.e);
    if (tok.k === 'num') {
      const v = parseInteger(tok.s);
      if (v === undefined) return undefined;
      return { markdown: numberHover(v), range };
    }
    if (tok.k === 'pp' && /^%[+-]?\d+$/.test(tok.s)) {
      const m = this.enclosingMacro(at.ix, pos.line);
      if (!m) return undefined;
      const n = Number(tok.s.replace(/^%[+-]?/, ''));
      const p = m.params!;
      const opt = n > p.min ? (p.defaults[n - p.min - 1] !== undefined ? `, optional (default \`${p.defaults[n - p.min - 1]}\`)` : ', optional') : '';
      const greedy = p.greedy && n === Math.max(p.min, p.max) ? ', takes the rest of the line' : '';
      return { markdown: `Parameter ${n} of macro \`${m.name}\` (${paramCountText(p)})${opt}${greedy}.`, range };
    }
    if (!isSymbolToken(tok)) return undefined;
    const lower = tok.s.toLowerCase();
    const defs = tok.s.startsWith('$') ? [] : this.definition(file, pos);
    if (defs.length === 0 && !tok.s.startsWith('$')) {
      const reg = lookupRegister(lower);
      if (reg) return { markdown: registerHover(reg), range };
      const mn = mnemonicHover(lower, at.ix.bitsAt[pos.line] ?? 16);
      if (mn) return { markdown: mn, range };
    }
    if (defs.length === 0) return undefined;
    return { markdown: this.symbolHover(file, defs[0]!), range };
  }

  /** The macro whose body contains `line` (the nearest `%macro` above it not closed before it). */
  private enclosingMacro(ix: FileIndex, line: number): Definition | undefined {
    let depth = 0;
    for (let l = line; l >= 0; l--) {
      const t = /^\s*(%(?:i?macro|endmacro|endm))\b/i.exec(ix.lines[l] ?? '');
      if (!t) continue;
      const d = t[1]!.toLowerCase();
      if (d === '%endmacro' || d === '%endm') {
        if (l !== line) depth++;
      } else if (depth === 0) return ix.defs.find((x) => x.kind === 'macro' && x.range.start.line === l);
      else depth--;
    }
    return undefined;
  }

  private symbolHover(file: string, d: Definition): string {
    const where = `${baseName(d.file)}:${d.range.start.line + 1}`;
    const lines: string[] = [];
    if (d.kind === 'macro') {
      const p = d.params!;
      lines.push(`\`\`\`nasm\n%macro ${d.name} ${paramSpecText(p)}\n\`\`\``);
      lines.push(`Macro taking ${paramCountText(p)}; defined at ${where}.`);
      return lines.join('\n\n');
    }
    if (d.kind === 'define') {
      lines.push(`\`\`\`nasm\n${this.index(d.file)?.lines[d.range.start.line]?.trim() ?? d.name}\n\`\`\``);
      lines.push(`Single-line macro; defined at ${where}.`);
      return lines.join('\n\n');
    }
    const kindText = d.kind === 'equ' ? 'constant (equ)' : d.kind === 'local' ? 'local label' : d.kind === 'struc' ? 'structure' : d.kind === 'field' ? 'structure field' : 'label';
    lines.push(`\`\`\`nasm\n${d.name}\n\`\`\``);
    const facts: string[] = [kindText];
    const sym = this.imageSymbol(file, d.name);
    if (sym) {
      facts.push(sym.kind === 'equ' ? `value ${hex(sym.address)} (${sym.address})` : `address ${hex(sym.address)}${sym.section ? ` in \`${sym.section}\`` : ''}`);
      const size = this.symbolSize(file, d.name, sym.address);
      if (size !== undefined) facts.push(`size ${size} byte${size === 1 ? '' : 's'}`);
    } else if (d.valueText) facts.push(`value \`${d.valueText}\``);
    facts.push(`defined at ${where}`);
    lines.push(facts.join(' · '));
    return lines.join('\n\n');
  }

  private imageSymbol(file: string, name: string): Image['symbols'][number] | undefined {
    for (const root of this.rootsOf(file)) {
      const img = this.results.get(root)?.image;
      const s = img?.symbols.find((x) => x.name === name);
      if (s) return s;
    }
    return undefined;
  }

  /** Size of a label: the distance to the next label of the same section (or its end). */
  private symbolSize(file: string, name: string, address: bigint): number | undefined {
    for (const root of this.rootsOf(file)) {
      const img = this.results.get(root)?.image;
      if (!img) continue;
      const s = img.symbols.find((x) => x.name === name);
      if (!s || s.kind !== 'label' || !s.section) continue;
      const sec = img.sections.find((x) => x.name === s.section);
      let end = sec ? sec.address + BigInt(sec.size) : address;
      for (const o of img.symbols) if (o.kind === 'label' && o.section === s.section && o.address > address && o.address < end) end = o.address;
      return Number(end - address);
    }
    return undefined;
  }

  /** Completion items at `pos`. */
  completions(file: string, pos: Position): CompletionEntry[] {
    const ix = this.index(file);
    if (!ix) return [];
    const bits = ix.bitsAt[pos.line] ?? 16;
    const line = ix.lines[pos.line] ?? '';
    const before = line.slice(0, pos.character);
    const out: CompletionEntry[] = [];
    const wordMatch = /[A-Za-z0-9_.$#@~?%]*$/.exec(before);
    const word = wordMatch ? wordMatch[0] : '';
    if (word.startsWith('%')) {
      for (const d of PP_DIRECTIVES) out.push({ label: d, kind: 'keyword', detail: 'preprocessor directive' });
      return out;
    }
    // Is this the first word of the statement (mnemonic position)?
    const head = before.slice(0, before.length - word.length);
    const firstWord = /^\s*(?:[A-Za-z_.?@$][\w$#@~.?]*:\s*)?$/.test(head) || /^\s*\[$/.test(head);
    const parent = ix.parentAt[pos.line];
    if (firstWord) {
      for (const m of mnemonicsFor(bits)) out.push({ label: m, kind: 'mnemonic', detail: mnemonicDetail(m) });
      for (const p of PREFIX_NAMES) out.push({ label: p, kind: 'keyword', detail: 'prefix' });
      for (const d of ASM_DIRECTIVES) out.push({ label: d, kind: 'keyword', detail: 'directive' });
    } else {
      for (const r of registersFor(bits)) out.push({ label: r, kind: 'register', detail: registerDetail(lookupRegister(r)!) });
      for (const s of ['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'rel', 'abs', 'strict', 'short', 'near', 'far', 'seg', 'wrt']) out.push({ label: s, kind: 'keyword' });
    }
    const seen = new Set<string>();
    for (const d of this.scopeDefs(file)) {
      if (d.kind === 'section') continue;
      if (d.kind === 'macro' && !firstWord) continue;
      let label = d.name;
      if (d.kind === 'local') {
        if (!parent || !d.name.startsWith(parent + '.')) {
          if (!word.startsWith('.') ) { /* full name still useful */ } else continue;
        } else label = d.name.slice(parent.length);
      }
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({
        label,
        kind: d.kind === 'macro' ? 'macro' : d.kind === 'define' || d.kind === 'equ' ? 'constant' : 'label',
        detail: d.kind === 'macro' ? `macro (${paramCountText(d.params!)})` : `${d.kind} · ${baseName(d.file)}:${d.range.start.line + 1}`,
      });
    }
    return out;
  }

  /** Signature help for a multi-line macro call under `pos`. */
  signatureHelp(file: string, pos: Position): { label: string; parameters: string[]; active: number; doc: string } | undefined {
    const ix = this.index(file);
    if (!ix) return undefined;
    const line = (ix.lines[pos.line] ?? '').slice(0, pos.character);
    const toks = lexLine(line, 'pp').filter((t) => t.k !== 'ws');
    let i = 0;
    if (toks[0]?.k === 'id' && toks[1]?.s === ':') i = 2;
    const m = toks[i];
    if (!m || m.k !== 'id' || m.e >= pos.character) return undefined;
    const def = this.scopeDefs(file).find((d) => d.kind === 'macro' && d.name === m.s) ?? this.scopeDefs(file).find((d) => d.kind === 'macro' && d.name.toLowerCase() === m.s.toLowerCase());
    if (!def) return undefined;
    let depth = 0;
    let commas = 0;
    for (const t of toks.slice(i + 1)) {
      if (t.s === '(' || t.s === '[' || t.s === '{') depth++;
      else if (t.s === ')' || t.s === ']' || t.s === '}') depth--;
      else if (t.s === ',' && depth === 0) commas++;
    }
    const p = def.params!;
    const n = p.max < 0 ? Math.max(p.min + 1, commas + 1) : Math.max(p.max, 1);
    const parameters: string[] = [];
    for (let k = 1; k <= n; k++) {
      const dflt = k > p.min ? p.defaults[k - p.min - 1] : undefined;
      let s = `%${k}`;
      if (p.greedy && k === n) s += '+';
      else if (k > p.min) s += dflt !== undefined ? `=${dflt}` : '?';
      parameters.push(s);
    }
    let active = commas;
    if (p.greedy && active >= n) active = n - 1;
    return { label: `${def.name} ${parameters.join(', ')}`, parameters, active, doc: `Macro taking ${paramCountText(p)} (${baseName(def.file)}:${def.range.start.line + 1})` };
  }
}

function scopeIndexes(p: Project, file: string): FileIndex[] {
  return p.scopeFiles(file).map((f) => p.index(f)).filter((x): x is FileIndex => x !== undefined);
}

function isSymbolToken(t: Token): boolean {
  return t.k === 'id' || (t.k === 'pp' && t.s.startsWith('%%') && t.s.length > 2);
}

export interface CompletionEntry { label: string; kind: 'mnemonic' | 'register' | 'keyword' | 'label' | 'macro' | 'constant'; detail?: string }

// ---------------------------------------------------------------------------------------------
// Hover texts

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}

function hex(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

export function numberHover(v: bigint): string {
  const u = v < 0n ? (1n << 64n) + v : v;
  let bin = u.toString(2);
  bin = bin.replace(/\B(?=(\d{4})+(?!\d))/g, '_');
  const lines = [`hex \`${hex(v)}\``, `decimal \`${v.toString(10)}\``, `binary \`${bin}b\``];
  if (v >= 0n && v < (1n << 63n) && v >= 0x20n && v < 0x7fn) lines.push(`character \`'${String.fromCharCode(Number(v))}'\``);
  return lines.join('  \n');
}

const CLASS_TEXT: Record<string, string> = {
  seg: 'segment register',
  cr: 'control register',
  dr: 'debug register',
  rip: 'instruction pointer',
};

const GPR_ROLE = ['accumulator', 'counter', 'data', 'base', 'stack pointer', 'frame (base) pointer', 'source index', 'destination index'];
const CR_ROLE: Record<number, string> = {
  0: 'PE, MP, EM, TS, ET, NE, WP, AM, NW, CD, PG: protection and paging enable',
  2: 'the linear address of the last page fault',
  3: 'the physical address of the top-level page table (PML4/PDPT/PD), PCID',
  4: 'PAE, PSE, PGE, OSFXSR, VMXE, SMEP, SMAP, PCIDE, LA57 ... : extension enables',
  8: 'task priority (TPR) in 64-bit mode',
};
const SEG_ROLE = ['extra segment (string destination)', 'code segment', 'stack segment', 'data segment', 'FS: thread-local storage base in 64-bit mode', 'GS: per-CPU data base in 64-bit mode (SWAPGS)'];

function registerDetail(r: RegInfo): string {
  if (r.cls === 'gpr') return `${r.size * 8}-bit general register`;
  return CLASS_TEXT[r.cls] ?? r.cls;
}

export function registerHover(r: RegInfo): string {
  const name = r.name.toUpperCase();
  let text: string;
  if (r.cls === 'gpr') {
    const full = r.num < 8 ? ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI'][r.high8 ? r.num - 4 : r.num]! : `R${r.num}`;
    const part = r.size === 8 ? 'the full register' : r.high8 ? `bits 15:8 of ${full}` : `the low ${r.size * 8} bits of ${full}`;
    const role = r.num < 8 ? GPR_ROLE[r.high8 ? r.num - 4 : r.num] : undefined;
    text = `**${name}**: ${r.size * 8}-bit general-purpose register, ${part}${role ? ` (${role})` : ''}.`;
    if (r.size === 4) text += ' Writing it zeroes bits 63:32 in 64-bit mode.';
    if (r.rex) text += ' 64-bit mode only (needs a REX prefix).';
    if (r.high8) text += ' Not encodable in an instruction with a REX prefix.';
  } else if (r.cls === 'seg') text = `**${name}**: segment register: ${SEG_ROLE[r.num]}.`;
  else if (r.cls === 'cr') text = `**${name}**: control register${CR_ROLE[r.num] ? `: ${CR_ROLE[r.num]}` : ''}. Accessible at CPL 0 only.`;
  else if (r.cls === 'dr') text = `**${name}**: debug register${r.num < 4 ? ': breakpoint linear address' : r.num === 6 ? ': debug status' : r.num === 7 ? ': debug control' : ''}. Accessible at CPL 0 only.`;
  else text = `**${name}**: instruction pointer (RIP-relative addressing: \`[rel label]\`).`;
  return text;
}

const FLAG_NAMES: [number, string][] = [
  [1 << 0, 'CF'], [1 << 2, 'PF'], [1 << 4, 'AF'], [1 << 6, 'ZF'], [1 << 7, 'SF'], [1 << 8, 'TF'], [1 << 9, 'IF'], [1 << 10, 'DF'], [1 << 11, 'OF'],
  [3 << 12, 'IOPL'], [1 << 14, 'NT'], [1 << 16, 'RF'], [1 << 17, 'VM'], [1 << 18, 'AC'], [1 << 19, 'VIF'], [1 << 20, 'VIP'], [1 << 21, 'ID'],
];

export function flagList(mask: number): string {
  const out: string[] = [];
  for (const [m, n] of FLAG_NAMES) if ((mask & m) === m) out.push(n);
  return out.join(' ');
}

const formsByMnemonic = new Map<string, Form[]>();
for (const f of FORMS) (formsByMnemonic.get(f.mnemonic) ?? formsByMnemonic.set(f.mnemonic, []).get(f.mnemonic)!).push(f);

function formsOf(name: string): Form[] {
  const info = lookupMnemonic(name);
  if (!info) return [];
  const out: Form[] = [];
  for (const t of info.table) out.push(...(formsByMnemonic.get(t) ?? []));
  return out;
}

function mnemonicDetail(m: string): string {
  const f = formsOf(m)[0];
  return f ? f.description : 'instruction';
}

export function mnemonicHover(name: string, bits: number): string | undefined {
  const forms = formsOf(name);
  if (forms.length === 0) return undefined;
  const info = lookupMnemonic(name)!;
  const lines: string[] = [];
  const title = info.table.length === 1 && info.table[0]!.toLowerCase() !== name ? `**${name.toUpperCase()}** (= ${info.table[0]})` : `**${name.toUpperCase()}**`;
  lines.push(`${title}: ${forms[0]!.description}`);
  const shown = new Set<string>();
  const formLines: string[] = [];
  for (const f of forms) {
    if (f.aliasOf) continue;
    const key = f.instruction;
    if (shown.has(key)) continue;
    shown.add(key);
    const modes = f.mode64 && f.mode32 ? '' : f.mode64 ? '   ; 64-bit mode only' : f.mode32 ? '   ; not in 64-bit mode' : '   ; invalid';
    formLines.push(`${f.instruction.padEnd(28)} ${f.encoding}${modes}`);
  }
  const max = 24;
  lines.push('```\n' + formLines.slice(0, max).join('\n') + (formLines.length > max ? `\n... ${formLines.length - max} more` : '') + '\n```');
  // Flags: one line when every form agrees, else one line per behaviour with the forms it covers.
  const groups = new Map<string, Form[]>();
  for (const f of forms) {
    const key = [f.flagsRead, f.flagsWritten, f.flagsUndefined, f.flagsCleared, f.flagsSet].join(',');
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(f);
  }
  const flagText = (f: Form): string => {
    const parts: string[] = [];
    parts.push(`reads: ${flagList(f.flagsRead) || '—'}`);
    parts.push(`writes: ${flagList(f.flagsWritten) || '—'}`);
    if (f.flagsUndefined) parts.push(`undefined: ${flagList(f.flagsUndefined)}`);
    if (f.flagsCleared) parts.push(`cleared: ${flagList(f.flagsCleared)}`);
    if (f.flagsSet) parts.push(`set: ${flagList(f.flagsSet)}`);
    return parts.join(' · ');
  };
  if (groups.size === 1) lines.push(`Flags — ${flagText(forms[0]!)}`);
  else {
    const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
    const out = ordered.map((g, i) => {
      const which = i === 0 ? 'most forms' : [...new Set(g.map((f) => f.instruction))].slice(0, 3).join('; ') + (g.length > 3 ? '; ...' : '');
      return `- ${which}: ${flagText(g[0]!)}`;
    });
    lines.push(`Flags\n${out.join('\n')}`);
  }
  const m64 = forms.some((f) => f.mode64);
  const m32 = forms.some((f) => f.mode32);
  const modes = [m64 ? '64-bit' : '', m32 ? 'compatibility/protected (32-bit and 16-bit)' : ''].filter(Boolean).join(', ');
  let modeLine = `Valid in: ${modes || 'no mode'}`;
  if (bits === 64 && !m64) modeLine += ' — **not valid in the current `bits 64`**';
  if (bits !== 64 && !m32) modeLine += ` — **not valid in the current \`bits ${bits}\`**`;
  if (forms.every((f) => f.cpl0)) modeLine += '; privileged (CPL 0 only)';
  else if (forms.some((f) => f.cpl0)) modeLine += '; some forms privileged (CPL 0 only)';
  lines.push(modeLine);
  return lines.join('\n\n');
}

function paramSpecText(p: NonNullable<Definition['params']>): string {
  let s = String(p.min);
  if (p.max !== p.min) s += `-${p.max < 0 ? '*' : p.max}`;
  if (p.greedy) s += '+';
  return s;
}

function paramCountText(p: NonNullable<Definition['params']>): string {
  const n = (k: number): string => `${k} parameter${k === 1 ? '' : 's'}`;
  if (p.max < 0) return `at least ${n(p.min)}`;
  if (p.max !== p.min) return `${p.min} to ${n(p.max)}`;
  return n(p.min) + (p.greedy ? ' (the last takes the rest of the line)' : '');
}

// ---------------------------------------------------------------------------------------------
// Completion vocabularies

const mnemonicCache = new Map<number, string[]>();
export function mnemonicsFor(bits: number): string[] {
  const hit = mnemonicCache.get(bits);
  if (hit) return hit;
  const out = MNEMONIC_NAMES.filter((m) => {
    const info = lookupMnemonic(m)!;
    if (bits === 64 && info.not64) return false;
    return formsOf(m).some((f) => (bits === 64 ? f.mode64 : f.mode32));
  });
  mnemonicCache.set(bits, out);
  return out;
}

export function registersFor(bits: number): string[] {
  return REGISTER_NAMES.filter((r) => {
    const i = lookupRegister(r)!;
    if (bits !== 64 && (i.rex || (i.cls === 'gpr' && i.size === 8) || i.name === 'rip')) return false;
    return true;
  });
}

export const ASM_DIRECTIVES = [
  'section', 'segment', 'bits', 'use16', 'use32', 'use64', 'org', 'global', 'extern', 'common', 'static', 'default', 'absolute', 'cpu',
  'align', 'alignb', 'sectalign', 'struc', 'endstruc', 'istruc', 'at', 'iend', 'times', 'equ', 'incbin',
  'db', 'dw', 'dd', 'dq', 'dt', 'do', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso',
];

export const PP_DIRECTIVES = [
  '%define', '%idefine', '%xdefine', '%ixdefine', '%undef', '%assign', '%iassign', '%defstr', '%deftok', '%strlen', '%substr', '%strcat',
  '%macro', '%imacro', '%endmacro', '%rotate', '%exitmacro', '%unmacro', '%rep', '%endrep', '%exitrep',
  '%if', '%ifdef', '%ifndef', '%ifidn', '%ifidni', '%ifnum', '%ifstr', '%ifid', '%iftoken', '%ifempty', '%ifmacro', '%ifctx',
  '%elif', '%elifdef', '%elifndef', '%else', '%endif', '%include', '%error', '%warning', '%fatal', '%push', '%pop', '%repl', '%use',
];

// ---------------------------------------------------------------------------------------------
// Convenience for tests and the benchmark: a project over an in-memory set of files.

export function memoryProject(files: Record<string, string>, includeDirs: string[] = []): Project {
  // live: later changes to `files` are seen (tests edit a file and re-query)
  const read = (p: string): string | undefined => {
    const n = normalize(p);
    for (const [k, v] of Object.entries(files)) if (normalize(k) === n) return v;
    return undefined;
  };
  const project = new Project({ read }, includeDirs);
  for (const k of Object.keys(files)) project.index(k);
  return project;
}

export { dirname, joinPath, normalize };
