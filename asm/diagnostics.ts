// Diagnostics: every error and warning the assembler reports, with a place a person can find.

export type Severity = 'error' | 'warning' | 'info';

/** A place in a source file: 1-based line, 1-based columns, `endColumn` exclusive. */
export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface Related {
  file: string;
  line: number;
  message: string;
}

export interface Diagnostic extends SourceRange {
  severity: Severity;
  message: string;
  /**
   * Where the line came from when it is the product of a macro or `%rep` expansion (innermost
   * first): the definition line of the macro body that produced it, and each call site.
   */
  related?: Related[];
}

/** Where one line of preprocessed source came from. */
export interface SrcLoc {
  file: string;
  /** 1-based. */
  line: number;
  /** Set when the line was produced by a macro or `%rep` expansion. */
  from?: Expansion;
}

/** One level of macro / %rep expansion: what was expanded and where it was invoked. */
export interface Expansion {
  kind: 'macro' | 'rep';
  name: string;
  /** The invocation (for a macro) or the `%rep` line. */
  site: SrcLoc;
  /** 0-based columns of the invocation on the site's line. */
  col: number;
  endCol: number;
}

/** The outermost (user-visible) location of a line: the call site of the outermost expansion. */
export function outermost(loc: SrcLoc): { loc: SrcLoc; col?: number; endCol?: number } {
  let cur = loc;
  let col: number | undefined;
  let endCol: number | undefined;
  while (cur.from) {
    col = cur.from.col;
    endCol = cur.from.endCol;
    cur = cur.from.site;
  }
  return { loc: cur, col, endCol };
}

/**
 * Build a diagnostic for a line. `col`/`endCol` are 0-based columns on the line the tokens came
 * from; when the line was produced by an expansion, the diagnostic points at the outermost call
 * site and lists the expansion chain in `related`.
 */
export function makeDiagnostic(severity: Severity, message: string, loc: SrcLoc, col = 0, endCol = 0): Diagnostic {
  if (!loc.from) {
    return { severity, message, file: loc.file, line: loc.line, column: col + 1, endColumn: Math.max(endCol, col + 1) + 1 };
  }
  const related: Related[] = [];
  let cur: SrcLoc = loc;
  related.push({ file: cur.file, line: cur.line, message: 'the line that failed, in the expansion' });
  while (cur.from) {
    const f = cur.from;
    related.push({
      file: f.site.file,
      line: f.site.line,
      message: f.kind === 'macro' ? `in the expansion of macro '${f.name}'` : `in the expansion of %rep`,
    });
    cur = f.site;
  }
  const out = outermost(loc);
  const c = out.col ?? 0;
  const e = out.endCol ?? c + 1;
  return { severity, message, file: out.loc.file, line: out.loc.line, column: c + 1, endColumn: Math.max(e, c + 1) + 1, related };
}

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private seen = new Set<string>();
  errors = 0;

  add(d: Diagnostic): void {
    const key = `${d.severity}|${d.file}|${d.line}|${d.column}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (d.severity === 'error') this.errors++;
    this.list.push(d);
  }

  error(message: string, loc: SrcLoc, col?: number, endCol?: number): void {
    this.add(makeDiagnostic('error', message, loc, col, endCol));
  }

  warning(message: string, loc: SrcLoc, col?: number, endCol?: number): void {
    this.add(makeDiagnostic('warning', message, loc, col, endCol));
  }
}

/** `file:line:col: severity: message`, as compilers print it. */
export function formatDiagnostic(d: Diagnostic): string {
  let s = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
  for (const r of d.related ?? []) s += `\n  ${r.file}:${r.line}: ${r.message}`;
  return s;
}
