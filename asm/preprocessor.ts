// The preprocessor: NASM's % language. It runs once per assembly pass, handing the assembler one
// line at a time, so `%if $-$$ > 510` sees the assembler's state at that line, as in NASM.
//
// Single-line macros (%define & co.) expand by tokens with hide sets (a macro is not expanded
// inside its own expansion). Multi-line macro bodies and %rep bodies are stored as text and have
// their parameters substituted when each line is read, so `%rotate` inside `%rep` inside a macro
// works. Nothing here throws: every problem becomes a diagnostic, and expansion has limits.

import { type Token, lexLine, solid, tokText, idName, isIdChar } from './lexer';
import { type Expr, type Val, parseExpr, evaluate, isSimple, unknownVal } from './expr';
import { type DiagnosticSink, type SrcLoc } from './diagnostics';
import { type FileHost } from './host';
import { USE_PACKAGES } from './packages';

export interface PPLine {
  /** Assembler-mode tokens, whitespace removed. */
  toks: Token[];
  /** The expanded text (for listings). */
  text: string;
  loc: SrcLoc;
  /** From a `.nolist` macro. */
  nolist?: boolean;
}

/** What the preprocessor asks of the assembler (for `%if`, `%assign`, `%rep` expressions). */
export interface PPHooks {
  lookup(name: string): Val | undefined;
  here(): Val;
  base(): Val;
  bits(): number;
  /** Resolve a local label (`.x`) against the current non-local label. */
  qualify(name: string): string;
}

export interface PPOptions {
  host: FileHost;
  includeDirs: readonly string[];
  defines: Record<string, string>;
  format: string;
  hooks: PPHooks;
  diag: DiagnosticSink;
  /** Keep each line's expanded text in PPLine.text (for listings). */
  keepText?: boolean;
  /** Limits (defaults in LIMITS). */
  limits?: Partial<typeof LIMITS>;
}

export const LIMITS = {
  /** Lines the preprocessor may produce in one pass. */
  lines: 250_000,
  /** Nesting of macro and %rep expansions. */
  depth: 1000,
  /** %rep count. */
  rep: 1_000_000,
  /** Tokens on one line after single-line macro expansion. */
  tokens: 20_000,
  /** Include nesting. */
  includeDepth: 50,
};

interface SMacro {
  name: string;
  ci: boolean;
  /** null: no parameter list. */
  params: string[] | null;
  greedy: boolean;
  body: Token[]; // pp-mode tokens; identifiers naming params are params
}

interface MMacro {
  name: string;
  ci: boolean;
  min: number;
  max: number; // Infinity for *
  greedy: boolean;
  nolist: boolean;
  defaults: string[];
  body: BodyLine[];
  loc: SrcLoc;
  /** The body uses %00 (the label before the call), so the label is not defined by itself. */
  usesLabel?: boolean;
}

interface BodyLine {
  text: string;
  loc: SrcLoc;
}

interface FileFrame {
  kind: 'file';
  path: string;
  lines: string[];
  idx: number;
  /** Loc of the %include line, for diagnostics of nested includes. */
  depth: number;
}
interface MacroFrame {
  kind: 'macro';
  mac: MMacro;
  invokedAs: string;
  params: string[];
  rot: number;
  uid: number;
  lines: BodyLine[];
  idx: number;
  site: SrcLoc;
  col: number;
  endCol: number;
  label: string;
  condDepth: number;
}
interface RepFrame {
  kind: 'rep';
  lines: BodyLine[];
  idx: number;
  count: number;
  iter: number;
  site: SrcLoc;
  col: number;
  endCol: number;
  condDepth: number;
}
type Frame = FileFrame | MacroFrame | RepFrame;

interface Cond {
  /** This branch is being assembled. */
  active: boolean;
  /** Some branch of this %if has been taken. */
  done: boolean;
  /** The enclosing level is active. */
  parentActive: boolean;
  sawElse: boolean;
  loc: SrcLoc;
}

interface Collecting {
  kind: 'macro' | 'rep';
  mac?: MMacro;
  repCount?: number;
  nest: number;
  lines: BodyLine[];
  site: SrcLoc;
  col: number;
  endCol: number;
}

interface Ctx {
  name: string;
  id: number;
}

const dec = new TextDecoder('utf-8');

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  return lines;
}

/** Quote a string for re-reading, the way NASM does: ' if possible, else ", else backquote. */
export function quoteString(bytes: Uint8Array): string {
  const s = dec.decode(bytes);
  const printable = !/[\x00-\x1f\x7f]/.test(s);
  if (printable && !s.includes("'")) return `'${s}'`;
  if (printable && !s.includes('"')) return `"${s}"`;
  let out = '`';
  for (const b of bytes) {
    if (b === 0x60 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b < 0x20 || b === 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else if (b >= 0x80) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out + '`';
}

const NONE: SMacro[] = [];
const PP_FUNCS = new Set(['%eval', '%abs', '%hex', '%num', '%str', '%strcat', '%strlen', '%substr', '%tok', '%count', '%sel', '%cond']);

const COND_SUFFIXES = ['', 'def', 'idn', 'idni', 'num', 'str', 'id', 'token', 'empty', 'macro', 'ctx', 'env', 'usable', 'usingable'];

export class Preprocessor {
  private stack: Frame[] = [];
  private conds: Cond[] = [];
  private collecting: Collecting | null = null;
  private smacros = new Map<string, SMacro[]>(); // exact-case names
  private ismacros = new Map<string, SMacro[]>(); // lower-case names of %idefine
  private mmacros = new Map<string, MMacro[]>();
  private immacros = new Map<string, MMacro[]>();
  private ctxs: Ctx[] = [];
  /** `%use` packages already loaded. */
  private usedPackages = new Set<string>();
  /** `%stacksize` state for `%arg` and `%local` (NASM starts flat). */
  private stackFrame: StackFrame = { ...STACK_FRAMES.flat! };
  private uid = 0;
  private produced = 0;
  private stopped = false;
  private pending: PPLine[] = [];
  private readonly limits: typeof LIMITS;
  private readonly diag: DiagnosticSink;
  private readonly hooks: PPHooks;
  private curLoc: SrcLoc = { file: '', line: 0 };
  /** Did an expression read assembler state (so the output may differ between passes)? */
  usedAsmState = false;
  /** Did an expression read `$`, `$$` or `__BITS__` (so the output cannot be reused)? */
  usedPosition = false;

  constructor(
    main: { path: string; text: string },
    private readonly opts: PPOptions,
  ) {
    this.limits = { ...LIMITS };
    for (const [k, v] of Object.entries(opts.limits ?? {})) if (typeof v === 'number' && v > 0) (this.limits as Record<string, number>)[k] = v;
    this.diag = opts.diag;
    this.hooks = opts.hooks;
    this.defineBuiltins();
    for (const [k, v] of Object.entries(opts.defines)) this.defineText(k, v);
    this.stack.push({ kind: 'file', path: main.path, lines: splitLines(main.text), idx: 0, depth: 0 });
  }

  private defineText(name: string, body: string): void {
    const m = /^([A-Za-z_.?$@][\w$#@~.?]*)(?:\((.*)\))?$/.exec(name.trim());
    if (!m) return;
    const params = m[2] !== undefined ? m[2].split(',').map((s) => s.trim()).filter((s) => s) : null;
    this.addSMacro({ name: m[1]!, ci: false, params, greedy: false, body: lexLine(body, 'pp') });
  }

  private defineBuiltins(): void {
    const d = (n: string, v: string): void => {
      this.defineText(n, v);
      const m = /^__(.*)__$/.exec(n);
      if (m) this.defineText(`__?${m[1]}?__`, v);
    };
    d('__NASM_MAJOR__', '2');
    d('__NASM_MINOR__', '16');
    d('__NASM_SUBMINOR__', '1');
    d('__NASM_PATCHLEVEL__', '0');
    d('__NASM_VERSION_ID__', '0x02100100');
    d('__NASM_VER__', '"2.16.01"');
    d('__OUTPUT_FORMAT__', this.opts.format === 'image' ? 'bin' : this.opts.format);
    d('__KSTACK__', '1');
    d('__PASS__', '1');
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** The next line for the assembler, or null at the end of the source. */
  next(): PPLine | null {
    for (;;) {
      if (this.pending.length) return this.pending.shift()!;
      if (this.stopped) return null;
      const raw = this.readRaw();
      if (!raw) {
        this.finish();
        return null;
      }
      this.processLine(raw.text, raw.loc, raw.frame);
    }
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.conds) this.diag.error("%if has no matching %endif", c.loc);
    this.conds = [];
    if (this.collecting) {
      const c = this.collecting;
      this.diag.error(c.kind === 'macro' ? `%macro '${c.mac!.name}' has no matching %endmacro` : '%rep has no matching %endrep', c.site, c.col, c.endCol);
      this.collecting = null;
    }
  }

  /** Stopped by %fatal or an expansion limit: later passes would stop the same way. */
  aborted = false;

  private stopAll(msg: string, loc: SrcLoc): void {
    this.aborted = true;
    this.diag.error(msg, loc);
    this.stack = [];
    this.conds = [];
    this.collecting = null;
    this.stopped = true;
  }

  /** Read one logical line (joining backslash continuations in files). */
  private readRaw(): { text: string; loc: SrcLoc; frame: Frame } | null {
    while (this.stack.length) {
      const f = this.stack[this.stack.length - 1]!;
      if (f.kind === 'file') {
        if (f.idx >= f.lines.length) {
          this.stack.pop();
          continue;
        }
        const lineNo = f.idx + 1;
        let text = f.lines[f.idx++]!;
        // a backslash at the end of a line (before any comment) continues it
        while (/\\\s*$/.test(text) && f.idx < f.lines.length) {
          text = text.replace(/\\\s*$/, '') + f.lines[f.idx++]!;
        }
        return { text, loc: { file: f.path, line: lineNo }, frame: f };
      }
      if (++this.produced > this.limits.lines) {
        this.stopAll(
          `macro and %rep expansion produced more than ${this.limits.lines} lines: stopping (is a macro calling itself, or a %rep count too large?)`,
          this.curLoc,
        );
        return null;
      }
      if (f.kind === 'macro') {
        if (f.idx >= f.lines.length) {
          this.popFrame();
          continue;
        }
        const bl = f.lines[f.idx++]!;
        return { text: bl.text, loc: this.expLoc(bl.loc, f), frame: f };
      }
      // rep
      if (f.idx >= f.lines.length) {
        f.iter++;
        if (f.iter >= f.count) {
          this.popFrame();
          continue;
        }
        f.idx = 0;
      }
      const bl = f.lines[f.idx++]!;
      return { text: bl.text, loc: this.expLoc(bl.loc, f), frame: f };
    }
    return null;
  }

  private popFrame(): void {
    const f = this.stack.pop()!;
    if (f.kind !== 'file') {
      // unterminated %if inside the body
      while (this.conds.length > f.condDepth) {
        const c = this.conds.pop()!;
        this.diag.error(`%if without %endif inside ${f.kind === 'macro' ? `macro '${f.mac.name}'` : '%rep'}`, c.loc);
      }
    }
  }

  private expLoc(body: SrcLoc, f: MacroFrame | RepFrame): SrcLoc {
    return {
      file: body.file,
      line: body.line,
      from: { kind: f.kind, name: f.kind === 'macro' ? f.invokedAs : '%rep', site: f.site, col: f.col, endCol: f.endCol },
    };
  }

  private macroFrame(): MacroFrame | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i]!;
      if (f.kind === 'macro') return f;
      if (f.kind === 'file') return undefined;
    }
    return undefined;
  }

  private depth(): number {
    let n = 0;
    for (const f of this.stack) if (f.kind !== 'file') n++;
    return n;
  }

  private includeDepth(): number {
    let n = 0;
    for (const f of this.stack) if (f.kind === 'file') n++;
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Lines

  private emit(toks: Token[], loc: SrcLoc, nolist = false): void {
    // a line of plain tokens (no %): the same input array (lexLine caches them by text) gives the
    // same output array, so the assembler's parse of it (cached by array) is reused across runs
    const plain = EMIT_CACHE.get(toks);
    if (plain) {
      this.pending.push({ toks: plain, text: this.opts.keepText ? tokText(toks).trim() : '', loc, nolist: nolist || undefined });
      return;
    }
    const cacheable = !toks.some((t) => t.k === 'pp');
    // re-read leftover % tokens in assembler mode
    const out: Token[] = [];
    for (const t of toks) {
      if (t.k === 'ws') continue;
      if (t.k === 'pp') {
        if (t.s === '%+') continue;
        if (t.s.startsWith('%%')) {
          this.diag.error(`'${t.s}' (a macro-local label) used outside a macro`, loc, t.c, t.e);
          continue;
        }
        if (t.s.startsWith('%$')) {
          this.diag.error(`'${t.s}' (a context-local name) used with no context (%push first)`, loc, t.c, t.e);
          continue;
        }
        if (/^%[A-Za-z_]/.test(t.s)) {
          this.diag.error(`'${t.s}' is not valid here (a preprocessor directive must start its line)`, loc, t.c, t.e);
          continue;
        }
        for (const r of lexLine(t.s, 'asm', t.c)) if (r.k !== 'ws') out.push(r);
        continue;
      }
      out.push(t);
    }
    if (cacheable) EMIT_CACHE.set(toks, out);
    this.pending.push({ toks: out, text: this.opts.keepText ? tokText(toks).trim() : '', loc, nolist: nolist || undefined });
  }

  private processLine(text: string, loc: SrcLoc, frame: Frame): void {
    this.curLoc = loc;
    // in a macro/rep definition: store raw, watch nesting
    if (this.collecting) {
      const first = firstWord(text);
      const c = this.collecting;
      if (first === '%macro' || first === '%imacro' || first === '%rmacro' || first === '%irmacro') {
        if (c.kind === 'macro') c.nest++;
      } else if (first === '%rep') {
        if (c.kind === 'rep') c.nest++;
      } else if (first === '%endmacro' || first === '%endm') {
        if (c.kind === 'macro') {
          if (c.nest === 0) {
            this.endCollect();
            return;
          }
          c.nest--;
        }
      } else if (first === '%endrep') {
        if (c.kind === 'rep') {
          if (c.nest === 0) {
            this.endCollect();
            return;
          }
          c.nest--;
        }
      }
      c.lines.push({ text, loc: stripExpansion(loc, frame) });
      return;
    }

    // conditional skipping: only track nesting and this level's %elif/%else/%endif
    const top = this.conds[this.conds.length - 1];
    if (top && !top.active) {
      const first = firstWord(text);
      if (first.startsWith('%if')) {
        if (isCondDirective(first.slice(3), 'if')) {
          this.conds.push({ active: false, done: true, parentActive: false, sawElse: false, loc });
        }
        return;
      }
      if (first.startsWith('%elif') || first === '%else' || first === '%endif') {
        // fall through to directive handling
      } else return;
    }

    // substitute macro parameters when inside a macro
    const mf = this.macroFrame();
    let lineText = text;
    if (mf && frame.kind !== 'file') lineText = this.substParams(text, mf, loc);
    let toks = lexLine(lineText, 'pp');
    const s = solid(toks);
    const first = s[0];
    if (first && first.k === 'pp' && /^%[A-Za-z_]/.test(first.s)) {
      if (this.directive(first, toks, loc)) return;
    }
    if (top && !top.active) return;

    // expand single-line macros, then look for a multi-line macro call
    toks = this.expandSMacros(toks, loc);
    toks = this.pasteTokens(toks, loc);
    const sol = solid(toks);
    if (sol.length === 0) return;
    const callAt = this.findMacroCall(sol);
    if (callAt >= 0) {
      const nameTok = sol[callAt]!;
      const candidates = this.lookupMMacro(idName(nameTok));
      // arguments: the tokens after the name
      const idxInToks = toks.indexOf(nameTok);
      const argToks = toks.slice(idxInToks + 1);
      const args = splitArgs(argToks);
      const mac = this.pickMMacro(candidates, args);
      if (mac) {
        let label = '';
        if (callAt > 0) {
          const labelToks = toks.slice(0, toks.indexOf(sol[callAt - (sol[callAt - 1]!.s === ':' ? 1 : 0)]!));
          const lt = solid(labelToks);
          label = lt.map((t) => t.s).join('');
        }
        if (callAt > 0 && !mac.usesLabel) {
          const lt = solid(toks.slice(0, toks.indexOf(sol[callAt - (sol[callAt - 1]!.s === ':' ? 1 : 0)]!)));
          this.emit([...lt, ...(lt.length === 1 ? [{ k: 'op', s: ':', c: nameTok.c, e: nameTok.c } as Token] : [])], loc);
        }
        this.invoke(mac, nameTok, args, loc, label, sol);
        return;
      }
      if (!isMnemonicLike(idName(nameTok))) {
        const c = candidates[0]!;
        const n = args.length;
        this.diag.error(
          `macro '${c.name}' exists, but not taking ${n} parameter${n === 1 ? '' : 's'} (it takes ${rangeText(candidates)})`,
          loc,
          nameTok.c,
          nameTok.e,
        );
        return;
      }
    }
    this.emit(toks, loc);
  }

  /** Index in `sol` of a multi-line macro name at the start of the line (after an optional label), or -1. */
  private findMacroCall(sol: Token[]): number {
    const t0 = sol[0]!;
    if (t0.k === 'id' && this.lookupMMacro(idName(t0)).length) return 0;
    if (t0.k === 'id' && sol.length >= 2) {
      let i = 1;
      if (sol[1]!.k === 'op' && sol[1]!.s === ':') i = 2;
      const t = sol[i];
      if (t && t.k === 'id' && this.lookupMMacro(idName(t)).length && !(i === 1 && isMnemonicLike(idName(t0)))) return i;
    }
    return -1;
  }

  private lookupMMacro(name: string): MMacro[] {
    return [...(this.mmacros.get(name) ?? []), ...(this.immacros.get(name.toLowerCase()) ?? [])];
  }

  private pickMMacro(cands: MMacro[], args: Token[][]): MMacro | undefined {
    const n = args.length;
    for (const m of cands) if (n >= m.min && n <= m.max) return m;
    for (const m of cands) if (m.greedy && n >= m.min) return m;
    // a call with too many arguments for a non-greedy macro: NASM ignores the extras only when
    // the last is empty
    return undefined;
  }

  private invoke(mac: MMacro, nameTok: Token, args: Token[][], loc: SrcLoc, label: string, sol: Token[]): void {
    if (this.depth() >= this.limits.depth) {
      this.diag.error(`macro '${mac.name}' nested more than ${this.limits.depth} deep: stopping this expansion (does it call itself without an end condition?)`, loc, nameTok.c, nameTok.e);
      return;
    }
    let params = args.map((a) => stripBraces(tokText(a).trim()));
    if (mac.greedy && params.length > mac.max && Number.isFinite(mac.max)) {
      // the last parameter takes the rest of the line, commas included
      const lastStart = mac.max - 1;
      const rest = args.slice(lastStart);
      const joined = rest.map((a) => tokText(a)).join(',').trim();
      params = [...params.slice(0, lastStart), joined];
    }
    if (params.length === 1 && params[0] === '' && mac.max === 0) params = [];
    // defaults
    const all = [...params];
    while (Number.isFinite(mac.max) && all.length < mac.max) {
      const d = mac.defaults[all.length - mac.min];
      if (d === undefined) break;
      all.push(d);
    }
    const lastTok = sol[sol.length - 1]!;
    this.stack.push({
      kind: 'macro',
      mac,
      invokedAs: idName(nameTok),
      params: all,
      rot: 0,
      uid: ++this.uid,
      lines: mac.body,
      idx: 0,
      site: loc,
      col: sol[0]!.c,
      endCol: lastTok.e,
      label,
      condDepth: this.conds.length,
    });
    void params;
  }

  // -------------------------------------------------------------------------------------------
  // Parameter substitution inside multi-line macros

  private substParams(text: string, f: MacroFrame, loc: SrcLoc): string {
    if (!text.includes('%')) return text;
    const toks = lexLine(text, 'pp');
    let out = '';
    const nparams = f.params.length;
    const param = (i: number): string | undefined => {
      if (i === 0) return String(nparams);
      if (nparams === 0) return undefined;
      if (i < 0) i = nparams + 1 + i; // %{-1} is the last
      if (i < 1 || i > nparams) return undefined;
      const idx = (i - 1 + f.rot) % nparams;
      return f.params[idx];
    };
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k]!;
      if (t.k !== 'pp') {
        out += t.s;
        continue;
      }
      const s = t.s;
      let m: RegExpExecArray | null;
      if ((m = /^%([0-9]+)$/.exec(s))) {
        const i = parseInt(m[1]!, 10);
        if (m[1] === '00') {
          out += f.label;
          continue;
        }
        const v = param(i);
        if (v === undefined) {
          if (i > 0) this.diag.error(`macro '${f.mac.name}' has no parameter %${i} (it was given ${nparams})`, loc, t.c, t.e);
          continue;
        }
        out += v;
        continue;
      }
      if ((m = /^%([-+])([0-9]+)$/.exec(s))) {
        const v = param(parseInt(m[2]!, 10));
        if (v === undefined) {
          this.diag.error(`macro '${f.mac.name}' has no parameter ${s}`, loc, t.c, t.e);
          continue;
        }
        const inv = m[1] === '-' ? invertCond(v) : invertCond(v) !== undefined ? v : undefined;
        if (inv === undefined) this.diag.error(`macro parameter '${s}' is not a condition code (it is '${v}')`, loc, t.c, t.e);
        out += inv ?? v;
        continue;
      }
      if ((m = /^%\{(.*)\}$/.exec(s))) {
        const inner = m[1]!.trim();
        let mm: RegExpExecArray | null;
        if ((mm = /^([0-9]+)$/.exec(inner))) {
          const i = parseInt(mm[1]!, 10);
          const v = param(i);
          if (v === undefined && i !== 0) this.diag.error(`macro '${f.mac.name}' has no parameter %{${inner}}`, loc, t.c, t.e);
          out += v ?? '';
          continue;
        }
        if ((mm = /^([-+])([0-9]+)$/.exec(inner))) {
          // %{-1} is %-1: the inverted condition code; %{+1} asserts a condition code
          const v = param(parseInt(mm[2]!, 10));
          if (v === undefined) {
            this.diag.error(`macro '${f.mac.name}' has no parameter %{${inner}}`, loc, t.c, t.e);
            continue;
          }
          const inv = mm[1] === '-' ? invertCond(v) : invertCond(v) !== undefined ? v : undefined;
          if (inv === undefined) this.diag.error(`macro parameter '%${inner}' is not a condition code (it is '${v}')`, loc, t.c, t.e);
          out += inv ?? v;
          continue;
        }
        if ((mm = /^(-?[0-9]+):(-?[0-9]+)$/.exec(inner))) {
          let a = parseInt(mm[1]!, 10);
          let b = parseInt(mm[2]!, 10);
          if (a < 0) a = nparams + 1 + a;
          if (b < 0) b = nparams + 1 + b;
          const parts: string[] = [];
          if (a <= b) for (let i = a; i <= b; i++) parts.push(param(i) ?? '');
          else for (let i = a; i >= b; i--) parts.push(param(i) ?? '');
          out += parts.join(',');
          continue;
        }
        // %{%$name} etc: leave it for the later stages
        out += s;
        continue;
      }
      if (s.startsWith('%%')) {
        out += `..@${f.uid}.${s.slice(2)}`;
        continue;
      }
      if (s === '%?') {
        out += f.invokedAs;
        continue;
      }
      if (s === '%??') {
        out += f.mac.name;
        continue;
      }
      if (s === '%*?') {
        out += f.invokedAs;
        continue;
      }
      out += s;
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Single-line macros

  private addSMacro(m: SMacro): void {
    const map = m.ci ? this.ismacros : this.smacros;
    const key = m.ci ? m.name.toLowerCase() : m.name;
    const list = (map.get(key) ?? []).filter((x) => (x.params === null) !== (m.params === null) || (x.params?.length ?? 0) !== (m.params?.length ?? 0));
    list.push(m);
    map.set(key, list);
  }

  private smacroDefined(name: string): boolean {
    return (this.smacros.get(name)?.length ?? 0) > 0 || (this.ismacros.get(name.toLowerCase())?.length ?? 0) > 0 || isDynamicMacro(name);
  }

  private findSMacros(name: string): SMacro[] {
    const a = this.smacros.get(name);
    const b = this.ismacros.size ? this.ismacros.get(name.toLowerCase()) : undefined;
    if (!b || !b.length) return a ?? NONE;
    if (!a || !a.length) return b;
    return [...a, ...b];
  }

  /** Resolve `%$name` / `%$$name` to its context-unique spelling. */
  private ctxName(s: string, loc: SrcLoc, t: Token): string | undefined {
    const m = /^%(\$+)(.*)$/.exec(s);
    if (!m) return undefined;
    const depth = m[1]!.length;
    const ctx = this.ctxs[this.ctxs.length - depth];
    if (!ctx) {
      this.diag.error(`'${s}': no context ${depth > 1 ? `${depth} levels deep ` : ''}on the context stack (%push first)`, loc, t.c, t.e);
      return undefined;
    }
    return `..@${ctx.id}.${m[2]}`;
  }

  private dynamic(name: string, t: Token, loc: SrcLoc): Token[] | undefined {
    const canon = name.replace(/^__\?(.*)\?__$/, '__$1__');
    const mk = (s: string): Token[] => lexLine(s, 'pp', t.c).map((x) => ({ ...x, c: t.c, e: t.e }));
    switch (canon) {
      case '__LINE__':
        return mk(String(outerLine(loc)));
      case '__FILE__':
        return mk(quoteString(new TextEncoder().encode(outerFile(loc))));
      case '__BITS__':
        this.usedAsmState = true;
        this.usedPosition = true;
        return mk(String(this.hooks.bits()));
    }
    return undefined;
  }

  private smDepth = 0;

  expandSMacros(input: Token[], loc: SrcLoc): Token[] {
    if (this.smDepth > 100) {
      this.diag.error('single-line macro arguments nested too deeply', loc);
      return input;
    }
    this.smDepth++;
    try {
      return this.expandSMacrosInner(input, loc);
    } finally {
      this.smDepth--;
    }
  }

  private expandSMacrosInner(input: Token[], loc: SrcLoc): Token[] {
    // each token may carry a hide set of macro names it came from
    type HT = Token & { hs?: Set<string> };
    let toks: HT[] = input.map((t) => t);
    let steps = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.k === 'pp' && t.s.startsWith('%$')) {
        const n = this.ctxName(t.s, loc, t);
        if (n !== undefined) {
          toks[i] = { ...t, k: 'id', s: n };
          i--;
        }
        continue;
      }
      if (t.k === 'pp' && t.s === '%[') {
        // %[ ... ]: expand the contents now and paste them together
        let depth = 1;
        let j = i + 1;
        for (; j < toks.length; j++) {
          const x = toks[j]!;
          if (x.k === 'op' && x.s === '[') depth++;
          else if (x.k === 'pp' && x.s === '%[') depth++;
          else if (x.k === 'op' && x.s === ']' && --depth === 0) break;
        }
        const inner = this.expandSMacros(toks.slice(i + 1, j), loc);
        const pasted = this.pasteTokens(inner, loc);
        const text = tokText(pasted);
        const relexed = lexLine(text, 'pp', t.c).map((x) => ({ ...x, c: t.c, e: toks[Math.min(j, toks.length - 1)]!.e }));
        toks.splice(i, j - i + 1, ...relexed);
        i += relexed.length - 1;
        continue;
      }
      if (t.k === 'pp' && PP_FUNCS.has(t.s.toLowerCase()) && toks[i + 1]?.k === 'op' && toks[i + 1]!.s === '(') {
        const r = collectParenArgs(toks, i + 1);
        if (!r) continue;
        const args = r.args.map((a) => trimWs(this.pasteTokens(this.expandSMacros(trimWs(a), loc), loc)));
        const res = this.ppFunction(t.s.toLowerCase(), args, t, loc).map((x) => ({ ...x, c: t.c, e: toks[r.end]!.e }));
        toks.splice(i, r.end - i + 1, ...res);
        i += res.length - 1;
        continue;
      }
      if (t.k !== 'id') continue;
      const name = idName(t);
      if (t.hs?.has(name)) continue;
      if (t.s.startsWith('$')) continue; // $name is never a macro
      const dyn = isDynamicMacro(name) && !this.smacros.has(name) ? this.dynamic(name, t, loc) : undefined;
      if (dyn) {
        toks.splice(i, 1, ...dyn);
        i += dyn.length - 1;
        continue;
      }
      const defs = this.findSMacros(name);
      if (defs.length === 0) continue;
      // a parameter list?
      let j = i + 1;
      while (j < toks.length && toks[j]!.k === 'ws') j++;
      let args: Token[][] | null = null;
      let end = i; // last token consumed
      if (j < toks.length && toks[j]!.k === 'op' && toks[j]!.s === '(' && defs.some((d) => d.params !== null)) {
        const r = collectParenArgs(toks, j);
        if (r) {
          args = r.args;
          end = r.end;
        }
      }
      let def: SMacro | undefined;
      if (args) {
        const n = args.length === 1 && solid(args[0]!).length === 0 ? 0 : args.length;
        def = defs.find((d) => d.params !== null && (d.params.length === n || (d.greedy && n >= d.params.length - 1)));
        if (!def && defs.some((d) => d.params !== null)) {
          def = defs.find((d) => d.params === null);
          if (def) {
            args = null;
            end = i;
          } else {
            const d0 = defs.find((d) => d.params !== null)!;
            this.diag.error(`single-line macro '${name}' takes ${d0.params!.length} parameter${d0.params!.length === 1 ? '' : 's'}, not ${n}`, loc, t.c, toks[end]!.e);
            continue;
          }
        }
      } else {
        def = defs.find((d) => d.params === null);
        if (!def) continue; // a function-like macro without ( ) is not expanded
      }
      if (!def) continue;
      if (++steps > 20_000) {
        this.diag.error('single-line macro expansion too deep (recursive %define?)', loc, t.c, t.e);
        return toks.slice(0, this.limits.tokens);
      }
      const hs = new Set(t.hs ?? []);
      hs.add(name);
      let body: HT[];
      if (def.params && args) {
        const argMap = new Map<string, Token[]>();
        const d = def;
        d.params!.forEach((p, k) => {
          if (d.greedy && k === d.params!.length - 1) {
            const rest: Token[] = [];
            for (let q = k; q < args!.length; q++) {
              if (q > k) rest.push({ k: 'op', s: ',', c: t.c, e: t.e });
              rest.push(...args![q]!);
            }
            argMap.set(p, this.expandSMacros(trimWs(rest), loc));
          } else argMap.set(p, this.expandSMacros(trimWs(args![k] ?? []), loc));
        });
        body = [];
        for (const b of def.body) {
          if (b.k === 'id' && argMap.has(b.s)) {
            // arguments are expanded in the context of the call (their own hide sets)
            for (const a of argMap.get(b.s)!) body.push({ ...a, c: t.c, e: toks[end]!.e });
          } else body.push({ ...b, c: t.c, e: toks[end]!.e, hs });
        }
        for (const b of body) if (!b.hs) b.hs = new Set(hs);
        else if (b.hs !== hs) {
          const u = new Set(b.hs);
          for (const x of hs) u.add(x);
          b.hs = u;
        }
      } else {
        body = def.body.map((b) => ({ ...b, c: t.c, e: t.e, hs }));
      }
      toks.splice(i, end - i + 1, ...body);
      i--; // rescan from the start of the replacement
      if (toks.length > this.limits.tokens) {
        this.diag.error(`single-line macro expansion produced more than ${this.limits.tokens} tokens on one line`, loc, t.c, t.e);
        toks = toks.slice(0, this.limits.tokens);
        return toks;
      }
    }
    // nothing expanded: hand back the caller's (possibly shared, lexLine-cached) array, so that
    // the lines built from it stay the same objects from one assembly to the next
    if (toks.length === input.length && toks.every((t, i) => t === input[i])) return input;
    return toks;
  }

  /** NASM 2.16's preprocessor functions: %eval(), %str(), %strlen(), %substr(), %strcat(), ... */
  private ppFunction(name: string, args: Token[][], t: Token, loc: SrcLoc): Token[] {
    const err = (m: string): Token[] => {
      this.diag.error(`${name}(): ${m}`, loc, t.c, t.e);
      return [];
    };
    const enc = new TextEncoder();
    const str = (b: Uint8Array): Token[] => lexLine(quoteString(b), 'pp');
    const numT = (v: bigint): Token[] => [numTok(v, t)];
    const strArg = (a: Token[] | undefined): Uint8Array | undefined => {
      const sx = solid(a ?? []);
      return sx.length === 1 && sx[0]!.k === 'str' ? sx[0]!.b! : undefined;
    };
    const numArg = (a: Token[] | undefined): bigint | undefined => (a && solid(a).length ? this.evalNumber(a, loc, name) : undefined);
    switch (name) {
      case '%eval': {
        const out: Token[] = [];
        args.forEach((a, k) => {
          const v = numArg(a);
          if (k) out.push({ k: 'op', s: ',', c: t.c, e: t.e });
          if (v !== undefined) out.push(...numT(v));
        });
        return out;
      }
      case '%abs': {
        const v = numArg(args[0]);
        return v === undefined ? [] : numT(v < 0n ? -v : v);
      }
      case '%hex': {
        const v = numArg(args[0]);
        return v === undefined ? [] : lexLine('0x' + BigInt.asUintN(64, v).toString(16), 'pp');
      }
      case '%num': {
        const v = numArg(args[0]);
        if (v === undefined) return [];
        const base = Number(numArg(args[2]) ?? 10n);
        const digits = Number(numArg(args[1]) ?? -1n);
        let txt = (v < 0n ? -v : v).toString(base >= 2 && base <= 36 ? base : 10);
        if (digits > 0) txt = txt.padStart(digits, '0');
        return str(enc.encode((v < 0n ? '-' : '') + txt));
      }
      case '%str':
        return str(enc.encode(args.map((a) => tokText(a).trim()).join(',')));
      case '%strcat': {
        const parts: number[] = [];
        for (const a of args) {
          const b = strArg(a);
          if (!b) return err(`'${tokText(a).trim()}' is not a string`);
          parts.push(...b);
        }
        return str(Uint8Array.from(parts));
      }
      case '%strlen': {
        const b = strArg(args[0]);
        if (!b) return err('needs a string');
        return numT(BigInt(b.length));
      }
      case '%substr': {
        const b = strArg(args[0]);
        if (!b) return err('needs a string');
        const st = Number(numArg(args[1]) ?? 1n) - 1;
        let l = Number(numArg(args[2]) ?? 1n);
        if (l < 0) l = b.length - st + l + 1;
        return str(st < 0 || st >= b.length ? new Uint8Array(0) : b.slice(st, Math.max(st, Math.min(b.length, st + l))));
      }
      case '%tok': {
        const b = strArg(args[0]);
        if (!b) return err('needs a string');
        return lexLine(dec.decode(b), 'pp');
      }
      case '%count':
        return numT(BigInt(args.length === 1 && solid(args[0]!).length === 0 ? 0 : args.length));
      case '%sel': {
        const n = numArg(args[0]);
        if (n === undefined) return [];
        const pick = args[Number(n)];
        return pick ?? err(`no argument ${n}`);
      }
      case '%cond': {
        const c = numArg(args[0]);
        if (c === undefined) return [];
        return (c !== 0n ? args[1] : args[2]) ?? [];
      }
      case '%is': {
        return numT(0n);
      }
      default:
        return err('not supported');
    }
  }

  /** Apply `%+` token pasting and paste tokens that were written touching across an expansion. */
  pasteTokens(toks: Token[], loc: SrcLoc): Token[] {
    if (!toks.some((t) => t.k === 'pp' && t.s === '%+')) return toks;
    const out: Token[] = [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.k === 'pp' && t.s === '%+') {
        while (out.length && out[out.length - 1]!.k === 'ws') out.pop();
        let j = i + 1;
        while (j < toks.length && toks[j]!.k === 'ws') j++;
        const prev = out.pop();
        const next = toks[j];
        if (!prev || !next) {
          if (prev) out.push(prev);
          i = j - 1;
          continue;
        }
        const text = prev.s + next.s;
        const r = lexLine(text, 'pp', prev.c).map((x) => ({ ...x, c: prev.c, e: next.e }));
        out.push(...r);
        i = j;
        continue;
      }
      out.push(t);
    }
    void loc;
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private evalExpr(toks: Token[], loc: SrcLoc, what: string): Val | undefined {
    let ex = this.expandSMacros(toks, loc);
    ex = this.pasteTokens(ex, loc);
    const asmToks: Token[] = [];
    for (const t of ex) {
      if (t.k === 'ws') continue;
      if (t.k === 'pp') asmToks.push(...lexLine(t.s, 'asm', t.c).filter((x) => x.k !== 'ws'));
      else asmToks.push(t);
    }
    if (asmToks.length === 0) {
      this.diag.error(`${what}: expression expected`, loc);
      return undefined;
    }
    const bad = asmToks.find((t) => t.k === 'err');
    if (bad) {
      this.diag.error(bad.err ?? 'bad token', loc, bad.c, bad.e);
      return undefined;
    }
    const { expr, error } = parseExpr(asmToks);
    if (error) {
      this.diag.error(`${what}: ${error.msg}`, loc, error.c, error.e);
      return undefined;
    }
    return this.evalParsed(expr, loc, what);
  }

  private evalParsed(expr: Expr, loc: SrcLoc, what: string): Val | undefined {
    let failed = false;
    const v = evaluate(expr, {
      lookup: (name, c, e) => {
        this.usedAsmState = true;
        const q = name.startsWith('.') && !name.startsWith('..') ? this.hooks.qualify(name) : name;
        const r = this.hooks.lookup(q);
        if (!r) {
          this.diag.error(`${what}: '${name}' is not defined (at preprocessing time only numbers, %assign'd values and labels defined above can be used)`, loc, c, e);
          failed = true;
          return unknownVal();
        }
        return r;
      },
      here: () => {
        this.usedAsmState = true;
        this.usedPosition = true;
        return this.hooks.here();
      },
      base: () => {
        this.usedAsmState = true;
        this.usedPosition = true;
        return this.hooks.base();
      },
      isReg: () => false,
      error: (msg, c, e) => {
        failed = true;
        this.diag.error(`${what}: ${msg}`, loc, c, e);
      },
    });
    if (failed) return undefined;
    return v;
  }

  private evalNumber(toks: Token[], loc: SrcLoc, what: string): bigint | undefined {
    const v = this.evalExpr(toks, loc, what);
    if (!v) return undefined;
    if (v.unknown) {
      this.diag.error(`${what}: the value is not known yet (it depends on a label defined later)`, loc);
      return undefined;
    }
    if (!isSimple(v)) {
      // NASM treats an address in %if as false; keep the value's offset part
      return v.n;
    }
    return v.n;
  }

  // -------------------------------------------------------------------------------------------
  // Directives

  /** Handle a % directive; returns false if `first` is not a directive (e.g. `%1` at line start). */
  private directive(first: Token, toks: Token[], loc: SrcLoc): boolean {
    const name = first.s.toLowerCase();
    const idx = toks.indexOf(first);
    const rest = toks.slice(idx + 1);
    const restSolid = solid(rest);
    const active = !this.conds.length || this.conds[this.conds.length - 1]!.active;
    const err = (msg: string, t: Token = first, e?: Token): void => this.diag.error(msg, loc, t.c, (e ?? t).e);
    const lineEnd = toks.length ? toks[toks.length - 1]! : first;

    // conditionals
    const condM = /^%(if|elif)(.*)$/.exec(name);
    const condKind = condM ? parseCond(condM[2]!) : undefined;
    if (condM && condKind) {
      const isIf = condM[1] === 'if';
      const neg = condKind.neg;
      const kind = condKind.kind;
      if (isIf) {
        if (!active) {
          this.conds.push({ active: false, done: true, parentActive: false, sawElse: false, loc });
          return true;
        }
        let r = this.condition(kind, rest, loc, first);
        if (neg) r = !r;
        this.conds.push({ active: r, done: r, parentActive: true, sawElse: false, loc });
        return true;
      }
      const c = this.conds[this.conds.length - 1];
      if (!c || this.condOutsideFrame()) {
        err(`${first.s} without %if`);
        return true;
      }
      if (c.sawElse) err(`${first.s} after %else`);
      if (!c.parentActive || c.done) {
        c.active = false;
        return true;
      }
      let r = this.condition(kind, rest, loc, first);
      if (neg) r = !r;
      c.active = r;
      c.done = r;
      return true;
    }
    if (name === '%else') {
      const c = this.conds[this.conds.length - 1];
      if (!c || this.condOutsideFrame()) {
        err('%else without %if');
        return true;
      }
      if (c.sawElse) err('%else after %else');
      c.sawElse = true;
      c.active = c.parentActive && !c.done;
      c.done = true;
      return true;
    }
    if (name === '%endif') {
      if (!this.conds.length || this.condOutsideFrame()) {
        err('%endif without %if');
        return true;
      }
      this.conds.pop();
      return true;
    }
    if (!active) return true;

    switch (name) {
      case '%define':
      case '%idefine':
      case '%xdefine':
      case '%ixdefine': {
        const ci = name === '%idefine' || name === '%ixdefine';
        const expand = name === '%xdefine' || name === '%ixdefine';
        this.defineDirective(rest, loc, first, ci, expand);
        return true;
      }
      case '%undef':
      case '%undefalias': {
        const t = restSolid[0];
        if (!t) {
          err('%undef needs a macro name');
          return true;
        }
        let n = t.k === 'pp' && t.s.startsWith('%$') ? this.ctxName(t.s, loc, t) : t.s;
        if (n === undefined) return true;
        if (n.startsWith('$')) n = n.slice(1);
        this.smacros.delete(n);
        this.ismacros.delete(n.toLowerCase());
        return true;
      }
      case '%assign':
      case '%iassign': {
        const nt = restSolid[0];
        if (!nt || (nt.k !== 'id' && !(nt.k === 'pp' && nt.s.startsWith('%$')))) {
          err(`${first.s} needs a name and an expression`);
          return true;
        }
        const n = nt.k === 'pp' ? this.ctxName(nt.s, loc, nt) : idName(nt);
        if (n === undefined) return true;
        const exprToks = rest.slice(rest.indexOf(nt) + 1);
        const v = this.evalNumber(exprToks, loc, first.s);
        if (v === undefined) return true;
        this.addSMacro({ name: n, ci: name === '%iassign', params: null, greedy: false, body: [numTok(v, nt)] });
        return true;
      }
      case '%defstr':
      case '%idefstr': {
        const nt = restSolid[0];
        if (!nt || nt.k !== 'id') {
          err(`${first.s} needs a name`);
          return true;
        }
        const body = rest.slice(rest.indexOf(nt) + 1);
        const ex = this.pasteTokens(this.expandSMacros(body, loc), loc);
        const str = tokText(ex).trim();
        this.addSMacro({ name: idName(nt), ci: name === '%idefstr', params: null, greedy: false, body: lexLine(quoteString(new TextEncoder().encode(str)), 'pp') });
        return true;
      }
      case '%deftok':
      case '%ideftok': {
        const nt = restSolid[0];
        if (!nt || nt.k !== 'id') {
          err(`${first.s} needs a name`);
          return true;
        }
        const body = solid(this.expandSMacros(rest.slice(rest.indexOf(nt) + 1), loc));
        const st = body[0];
        if (!st || st.k !== 'str') {
          err(`${first.s} needs a string`);
          return true;
        }
        this.addSMacro({ name: idName(nt), ci: name === '%ideftok', params: null, greedy: false, body: lexLine(dec.decode(st.b!), 'pp') });
        return true;
      }
      case '%strlen': {
        const nt = restSolid[0];
        if (!nt || nt.k !== 'id') {
          err('%strlen needs a name and a string');
          return true;
        }
        const body = solid(this.expandSMacros(rest.slice(rest.indexOf(nt) + 1), loc));
        const st = body[0];
        if (!st || st.k !== 'str' || body.length > 1) {
          err('%strlen needs a string', st ?? first);
          return true;
        }
        this.addSMacro({ name: idName(nt), ci: false, params: null, greedy: false, body: [numTok(BigInt(st.b!.length), nt)] });
        return true;
      }
      case '%strcat': {
        const nt = restSolid[0];
        if (!nt || nt.k !== 'id') {
          err('%strcat needs a name and strings');
          return true;
        }
        const body = solid(this.expandSMacros(rest.slice(rest.indexOf(nt) + 1), loc));
        const parts: number[] = [];
        for (const t of body) {
          if (t.k === 'op' && t.s === ',') continue;
          if (t.k !== 'str') {
            err(`%strcat: '${t.s}' is not a string`, t);
            return true;
          }
          parts.push(...t.b!);
        }
        this.addSMacro({ name: idName(nt), ci: false, params: null, greedy: false, body: lexLine(quoteString(Uint8Array.from(parts)), 'pp') });
        return true;
      }
      case '%substr': {
        const nt = restSolid[0];
        if (!nt || nt.k !== 'id') {
          err('%substr needs a name, a string and a position');
          return true;
        }
        const body = this.expandSMacros(rest.slice(rest.indexOf(nt) + 1), loc);
        const sb = solid(body);
        const st = sb[0];
        if (!st || st.k !== 'str') {
          err('%substr needs a string', st ?? first);
          return true;
        }
        const after = body.slice(body.indexOf(st) + 1);
        const nums = splitArgs(after);
        if (nums.length && solid(nums[0]!).length === 0) nums.shift(); // tolerate a comma after the string
        const start = nums[0] ? this.evalNumber(nums[0], loc, '%substr') : undefined;
        if (start === undefined) return true;
        let len = 1n;
        if (nums[1]) {
          const l = this.evalNumber(nums[1], loc, '%substr');
          if (l === undefined) return true;
          len = l;
        }
        const b = st.b!;
        const s0 = Number(start) - 1;
        let l = Number(len);
        if (l < 0) l = b.length - s0 + l + 1;
        const sub = s0 < 0 || s0 >= b.length ? new Uint8Array(0) : b.slice(s0, Math.max(s0, Math.min(b.length, s0 + l)));
        this.addSMacro({ name: idName(nt), ci: false, params: null, greedy: false, body: lexLine(quoteString(sub), 'pp') });
        return true;
      }
      case '%macro':
      case '%imacro':
      case '%rmacro':
      case '%irmacro':
        this.startMacro(rest, loc, first, name.includes('i'), lineEnd);
        return true;
      case '%endmacro':
      case '%endm':
        err(`${first.s} without %macro`);
        return true;
      case '%unmacro':
      case '%unimacro': {
        const nt = restSolid[0];
        if (nt) {
          this.mmacros.delete(idName(nt));
          this.immacros.delete(idName(nt).toLowerCase());
        }
        return true;
      }
      case '%rep': {
        const cnt = this.evalNumber(rest, loc, '%rep');
        let n = cnt ?? 0n;
        if (n < 0n) n = 0n;
        if (n > BigInt(this.limits.rep)) {
          err(`%rep count ${n} is larger than the limit ${this.limits.rep}`);
          n = 0n;
        }
        this.collecting = { kind: 'rep', repCount: Number(n), nest: 0, lines: [], site: loc, col: first.c, endCol: lineEnd.e };
        return true;
      }
      case '%endrep':
        err('%endrep without %rep');
        return true;
      case '%exitrep': {
        for (let i = this.stack.length - 1; i >= 0; i--) {
          const f = this.stack[i]!;
          if (f.kind === 'file') break;
          if (f.kind === 'rep') {
            this.conds.length = Math.min(this.conds.length, f.condDepth);
            while (this.stack.length > i) this.popFrame();
            return true;
          }
        }
        err('%exitrep outside %rep');
        return true;
      }
      case '%exitmacro': {
        for (let i = this.stack.length - 1; i >= 0; i--) {
          const f = this.stack[i]!;
          if (f.kind === 'file') break;
          if (f.kind === 'macro') {
            this.conds.length = Math.min(this.conds.length, f.condDepth);
            while (this.stack.length > i) this.popFrame();
            return true;
          }
        }
        err('%exitmacro outside a macro');
        return true;
      }
      case '%rotate': {
        const mf = this.macroFrame();
        if (!mf) {
          err('%rotate outside a macro');
          return true;
        }
        const n = this.evalNumber(rest, loc, '%rotate');
        if (n === undefined || mf.params.length === 0) return true;
        const k = mf.params.length;
        mf.rot = (((mf.rot + Number(n % BigInt(k))) % k) + k) % k;
        return true;
      }
      case '%include':
      case '%require': {
        const ex = solid(this.expandSMacros(rest, loc));
        let fname: string | undefined;
        if (ex.length === 1 && ex[0]!.k === 'str') fname = dec.decode(ex[0]!.b!);
        else if (ex.length >= 2 && ex[0]!.s === '<' && ex[ex.length - 1]!.s === '>') fname = tokText(ex.slice(1, -1));
        else if (ex.length) fname = tokText(ex);
        if (!fname) {
          err('%include needs a file name in quotes');
          return true;
        }
        this.include(fname, loc, first, lineEnd);
        return true;
      }
      case '%error':
      case '%fatal':
      case '%warning': {
        const ex = this.pasteTokens(this.expandSMacros(rest, loc), loc);
        const sx = solid(ex);
        const msg = sx.length === 1 && sx[0]!.k === 'str' ? dec.decode(sx[0]!.b!) : tokText(ex).trim();
        if (name === '%warning') this.diag.warning(msg, loc, first.c, lineEnd.e);
        else this.diag.error(msg, loc, first.c, lineEnd.e);
        if (name === '%fatal') this.stopAll(msg, loc);
        return true;
      }
      case '%push': {
        const nt = restSolid[0];
        this.ctxs.push({ name: nt ? nt.s : '', id: ++this.uid });
        return true;
      }
      case '%pop': {
        if (!this.ctxs.length) err('%pop: the context stack is empty');
        else this.ctxs.pop();
        return true;
      }
      case '%repl': {
        const c = this.ctxs[this.ctxs.length - 1];
        if (!c) err('%repl: the context stack is empty');
        else c.name = restSolid[0]?.s ?? '';
        return true;
      }
      case '%clear':
        this.smacros.clear();
        this.ismacros.clear();
        this.mmacros.clear();
        this.immacros.clear();
        this.defineBuiltins();
        return true;
      case '%line':
      case '%pragma':
      case '%note':
        return true;
      case '%use': {
        const t = restSolid[0];
        const pk = t ? (t.k === 'str' ? dec.decode(t.b ?? new Uint8Array(0)) : t.s).toLowerCase() : '';
        if (!t) {
          err('%use needs a package name (altreg, ifunc, fp, smartalign)');
          return true;
        }
        const lines = USE_PACKAGES[pk];
        if (lines) {
          if (!this.usedPackages.has(pk)) {
            this.usedPackages.add(pk);
            for (const l of lines) {
              const lt = lexLine(l, 'pp');
              this.directive(solid(lt)[0]!, lt, loc);
            }
          }
        } else if (pk === 'smartalign') {
          this.diag.warning("%use smartalign is not supported by KStack's assembler: align pads with NOPs (90h) as without it", loc, t.c, t.e);
        } else err(`unknown %use package '${pk}' (NASM's are altreg, ifunc, fp, smartalign)`, t);
        return true;
      }
      case '%stacksize': {
        const kind = restSolid[0]?.s.toLowerCase() ?? '';
        const frame = STACK_FRAMES[kind];
        if (!frame || restSolid.length !== 1) {
          err(`%stacksize needs one of flat, flat64, large, small${restSolid[0] ? ` (not '${tokText(rest).trim()}')` : ''}`, restSolid[0] ?? first, lineEnd);
          return true;
        }
        this.stackFrame = { ...frame };
        return true;
      }
      case '%arg':
      case '%local':
        this.argOrLocal(name === '%arg', first, restSolid, loc);
        return true;
      default:
        if (/^%[0-9]/.test(first.s)) return false;
        err(`unknown preprocessor directive '${first.s}'`);
        return true;
    }
  }

  /**
   * `%arg name:size, ...` and `%local name:size, ...` (NASM's stack-frame helpers): each name becomes
   * `%define name (bp+offset)` (`%arg`, offsets counting up from the frame's first argument) or
   * `(bp-offset)` (`%local`, counting down), sizes rounded up to the stack slot of `%stacksize`;
   * `%local` also adds each size to `%$localsize` of the current context (for `enter %$localsize, 0`).
   */
  private argOrLocal(isArg: boolean, first: Token, toks: Token[], loc: SrcLoc): void {
    const f = this.stackFrame;
    const what = isArg ? '%arg' : '%local';
    let i = 0;
    if (!toks.length) {
      this.diag.error(`${what} needs name:size pairs (e.g. ${what} x:dword)`, loc, first.c, first.e);
      return;
    }
    while (i < toks.length) {
      const nameTok = toks[i]!;
      const colon = toks[i + 1];
      const sizeTok = toks[i + 2];
      if (nameTok.k !== 'id' || colon?.s !== ':' || !sizeTok) {
        this.diag.error(`${what}: expected name:size (e.g. x:dword) here`, loc, nameTok.c, (sizeTok ?? colon ?? nameTok).e);
        return;
      }
      const size = STACK_SIZES[sizeTok.s.toLowerCase()];
      if (!size) {
        this.diag.error(`${what}: '${sizeTok.s}' is not a size (byte, word, dword, qword, tword)`, loc, sizeTok.c, sizeTok.e);
        return;
      }
      const slot = Math.ceil(size / f.slot) * f.slot;
      let off: number;
      if (isArg) {
        off = f.argOffset;
        f.argOffset += slot;
      } else {
        f.localOffset += slot;
        off = f.localOffset;
      }
      const at = (t: Token): Token => ({ ...t, c: nameTok.c, e: sizeTok.e });
      const body: Token[] = [
        at({ k: 'op', s: '(', c: 0, e: 0 }),
        at({ k: 'id', s: f.reg, c: 0, e: 0 }),
        at({ k: 'op', s: isArg ? '+' : '-', c: 0, e: 0 }),
        numTok(BigInt(off), at(nameTok)),
        at({ k: 'op', s: ')', c: 0, e: 0 }),
      ];
      this.addSMacro({ name: idName(nameTok), ci: false, params: null, greedy: false, body });
      if (!isArg) {
        const n = this.ctxName('%$localsize', loc, nameTok);
        if (n !== undefined) {
          const prev = this.smacros.get(n)?.find((m) => !m.params);
          const prevN = prev && !prev.params && prev.body.length === 1 && prev.body[0]!.k === 'num' ? prev.body[0]!.n ?? 0n : 0n;
          this.addSMacro({ name: n, ci: false, params: null, greedy: false, body: [numTok(prevN + BigInt(slot), nameTok)] });
        }
      }
      i += 3;
      if (i < toks.length) {
        if (toks[i]!.s !== ',') {
          this.diag.error(`${what}: expected ',' between name:size pairs`, loc, toks[i]!.c, toks[i]!.e);
          return;
        }
        i++;
      }
    }
  }

  /** True if the innermost open %if belongs to an enclosing frame (so %else here is unmatched). */
  private condOutsideFrame(): boolean {
    const f = this.stack[this.stack.length - 1];
    if (!f || f.kind === 'file') return false;
    return this.conds.length <= f.condDepth;
  }

  private condition(kind: string, rest: Token[], loc: SrcLoc, first: Token): boolean {
    const rs = solid(rest);
    switch (kind) {
      case '': {
        const v = this.evalNumber(rest, loc, first.s);
        return v !== undefined && v !== 0n;
      }
      case 'def': {
        const t = rs[0];
        if (!t) {
          this.diag.error(`${first.s} needs a macro name`, loc, first.c, first.e);
          return false;
        }
        const n = t.k === 'pp' && t.s.startsWith('%$') ? this.ctxName(t.s, loc, t) : idName(t);
        return n !== undefined && this.smacroDefined(n);
      }
      case 'macro': {
        const t = rs[0];
        if (!t) return false;
        const cands = this.lookupMMacro(idName(t));
        if (!cands.length) return false;
        if (rs.length > 1) {
          const spec = parseParamSpec(rs.slice(1));
          if (spec) return cands.some((m) => m.min <= spec.max && spec.min <= m.max);
        }
        return true;
      }
      case 'idn':
      case 'idni': {
        const ex = this.pasteTokens(this.expandSMacros(rest, loc), loc);
        const parts = splitArgs(ex);
        if (parts.length !== 2) {
          this.diag.error(`${first.s} needs two arguments separated by a comma`, loc, first.c, first.e);
          return false;
        }
        const a = solid(parts[0]!).map((t) => t.s).join(' ');
        const b = solid(parts[1]!).map((t) => t.s).join(' ');
        return kind === 'idni' ? a.toLowerCase() === b.toLowerCase() : a === b;
      }
      case 'num':
      case 'str':
      case 'id':
      case 'token':
      case 'empty': {
        const ex = solid(this.pasteTokens(this.expandSMacros(rest, loc), loc));
        if (kind === 'empty') return ex.length === 0;
        if (kind === 'token') return ex.length === 1;
        const t = ex[0];
        if (!t) return false;
        if (kind === 'num') return ex.length === 1 && (t.k === 'num' || t.k === 'float');
        if (kind === 'str') return ex.length === 1 && t.k === 'str';
        return ex.length === 1 && t.k === 'id';
      }
      case 'ctx': {
        const top = this.ctxs[this.ctxs.length - 1];
        if (!top) return false;
        return rs.length === 0 || rs.some((t) => t.s === top.name);
      }
      case 'env':
        return false;
      default:
        return false;
    }
  }

  private defineDirective(rest: Token[], loc: SrcLoc, first: Token, ci: boolean, expand: boolean): void {
    let i = 0;
    while (i < rest.length && rest[i]!.k === 'ws') i++;
    const nt = rest[i];
    if (!nt || !(nt.k === 'id' || (nt.k === 'pp' && nt.s.startsWith('%$')))) {
      this.diag.error(`${first.s} needs a macro name`, loc, (nt ?? first).c, (nt ?? first).e);
      return;
    }
    const name = nt.k === 'pp' ? this.ctxName(nt.s, loc, nt) : idName(nt);
    if (name === undefined) return;
    i++;
    let params: string[] | null = null;
    let greedy = false;
    // parameters only if ( follows the name directly
    if (rest[i] && rest[i]!.k === 'op' && rest[i]!.s === '(' && rest[i]!.c === nt.e) {
      params = [];
      i++;
      for (;;) {
        while (i < rest.length && rest[i]!.k === 'ws') i++;
        const t = rest[i];
        if (!t) {
          this.diag.error(`${first.s}: missing ')' after the parameter list`, loc, nt.c, nt.e);
          return;
        }
        if (t.k === 'op' && t.s === ')') {
          i++;
          break;
        }
        if (t.k === 'op' && t.s === ',') {
          i++;
          continue;
        }
        if (t.k === 'id') {
          params.push(t.s);
          i++;
          if (rest[i]?.k === 'op' && rest[i]!.s === '+') {
            greedy = true;
            i++;
          }
          continue;
        }
        if (t.k === 'op' && (t.s === '!' || t.s === '&' || t.s === '=')) {
          i++; // parameter modifiers (!, &, =) accepted and ignored
          continue;
        }
        this.diag.error(`${first.s}: '${t.s}' is not a parameter name`, loc, t.c, t.e);
        return;
      }
    }
    let body = trimWs(rest.slice(i));
    if (expand) body = trimWs(this.pasteTokens(this.expandSMacros(body, loc), loc)).map((t) => ({ ...t, hs: undefined }) as Token);
    this.addSMacro({ name, ci, params, greedy, body });
  }

  private startMacro(rest: Token[], loc: SrcLoc, first: Token, ci: boolean, lineEnd: Token): void {
    const rs = solid(rest);
    const nt = rs[0];
    if (!nt || nt.k !== 'id') {
      this.diag.error(`${first.s} needs a macro name`, loc, first.c, first.e);
      this.collecting = { kind: 'macro', mac: undefined, nest: 0, lines: [], site: loc, col: first.c, endCol: lineEnd.e };
      return;
    }
    // parameter spec: N, N-M, N-*, N+, N-M+, then .nolist, then defaults
    let k = 1;
    let min = 0;
    let max = 0;
    let greedy = false;
    let nolist = false;
    const specToks: Token[] = [];
    // N, N-M, N-*, N+, N-M+, *, then .nolist (`1.nolist` lexes as one token)
    const takeNolist = (): void => {
      const t = rs[k];
      if (t && t.k === 'id' && t.s.toLowerCase() === '.nolist') {
        nolist = true;
        k++;
      }
    };
    const numTokOf = (t: Token): Token | undefined => {
      if (t.k === 'num') return t;
      const m = /^([0-9]+)\.nolist$/i.exec(t.s);
      if (m && (t.k === 'float' || t.k === 'err')) {
        nolist = true;
        return { ...t, k: 'num', s: m[1]!, n: BigInt(m[1]!) };
      }
      return undefined;
    };
    const t1 = rs[k];
    if (t1 && (numTokOf(t1) || t1.s === '*')) {
      specToks.push(numTokOf(t1) ?? t1);
      k++;
      if (!nolist && rs[k]?.s === '-' && rs[k + 1] && (numTokOf(rs[k + 1]!) || rs[k + 1]!.s === '*')) {
        specToks.push(rs[k]!, numTokOf(rs[k + 1]!) ?? rs[k + 1]!);
        k += 2;
      }
      if (!nolist && rs[k]?.s === '+') {
        specToks.push(rs[k]!);
        k++;
      }
      takeNolist();
    }
    const spec = parseParamSpec(specToks);
    if (spec) ({ min, max, greedy } = spec);
    else if (specToks.length) this.diag.error(`${first.s} ${nt.s}: cannot read the parameter count`, loc, specToks[0]!.c, specToks[specToks.length - 1]!.e);
    // defaults: the rest of the line after the spec, comma-separated
    const defaults: string[] = [];
    if (k < rs.length) {
      const afterIdx = rest.indexOf(rs[k]!);
      const defToks = rest.slice(afterIdx);
      const parts = splitArgs(defToks);
      if (rs[k]!.k === 'op' && rs[k]!.s === ',') parts.shift();
      for (const p of parts) defaults.push(stripBraces(tokText(p).trim()));
    }
    const mac: MMacro = { name: nt.s, ci, min, max, greedy, nolist, defaults, body: [], loc };
    this.collecting = { kind: 'macro', mac, nest: 0, lines: [], site: loc, col: first.c, endCol: lineEnd.e };
  }

  private endCollect(): void {
    const c = this.collecting!;
    this.collecting = null;
    if (c.kind === 'macro') {
      if (!c.mac) return;
      c.mac.body = c.lines;
      c.mac.usesLabel = c.lines.some((l) => l.text.includes('%00'));
      const map = c.mac.ci ? this.immacros : this.mmacros;
      const key = c.mac.ci ? c.mac.name.toLowerCase() : c.mac.name;
      // a definition with the same parameter range replaces the old one
      const list = (map.get(key) ?? []).filter((m) => !(m.min === c.mac!.min && m.max === c.mac!.max));
      list.push(c.mac);
      map.set(key, list);
      return;
    }
    const count = c.repCount ?? 0;
    if (count <= 0 || c.lines.length === 0) return;
    if (this.depth() >= this.limits.depth) {
      this.diag.error(`%rep nested more than ${this.limits.depth} deep`, c.site, c.col, c.endCol);
      return;
    }
    this.stack.push({ kind: 'rep', lines: c.lines, idx: 0, count, iter: 0, site: c.site, col: c.col, endCol: c.endCol, condDepth: this.conds.length });
  }

  private include(fname: string, loc: SrcLoc, first: Token, lineEnd: Token): void {
    if (this.includeDepth() >= this.limits.includeDepth) {
      this.diag.error(`%include nested more than ${this.limits.includeDepth} deep (does '${fname}' include itself?)`, loc, first.c, lineEnd.e);
      return;
    }
    const from = outerFile(loc);
    const path = this.opts.host.resolveInclude(from, fname, this.opts.includeDirs);
    const data = path !== undefined ? this.opts.host.readFile(path) : undefined;
    if (path === undefined || data === undefined) {
      this.diag.error(`cannot find the include file '${fname}'`, loc, first.c, lineEnd.e);
      return;
    }
    let text = dec.decode(data);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.stack.push({ kind: 'file', path, lines: splitLines(text), idx: 0, depth: this.includeDepth() });
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function firstWord(text: string): string {
  const m = /^\s*(%[A-Za-z_]+)/.exec(text);
  return m ? m[1]!.toLowerCase() : '';
}

/** `num` -> {kind: 'num'}, `nnum` -> negated; `n` -> negated plain %if. */
function parseCond(suffix: string): { kind: string; neg: boolean } | undefined {
  if (COND_SUFFIXES.includes(suffix)) return { kind: suffix, neg: false };
  if (suffix.startsWith('n') && COND_SUFFIXES.includes(suffix.slice(1))) return { kind: suffix.slice(1), neg: true };
  return undefined;
}
function isCondDirective(suffix: string, kind: 'if' | 'elif'): boolean {
  void kind;
  return parseCond(suffix) !== undefined;
}

function stripExpansion(loc: SrcLoc, frame: Frame): SrcLoc {
  // body lines keep the place they were written
  void frame;
  return { file: loc.file, line: loc.line, from: loc.from };
}

function trimWs(toks: Token[]): Token[] {
  let a = 0;
  let b = toks.length;
  while (a < b && toks[a]!.k === 'ws') a++;
  while (b > a && toks[b - 1]!.k === 'ws') b--;
  return toks.slice(a, b);
}

/** emit()'s output for token arrays without `%` tokens (keys are lexLine's cached arrays; weak, so bounded by that cache). */
const EMIT_CACHE = new WeakMap<Token[], Token[]>();

/** `%stacksize` frames: the frame register, the stack slot and the first %arg offset (as nasm 2.16 has them: `small` starts at bp+6, `large` at bp+4). */
interface StackFrame { reg: string; slot: number; argOffset: number; localOffset: number }
const STACK_FRAMES: Record<string, StackFrame> = {
  flat: { reg: 'ebp', slot: 4, argOffset: 8, localOffset: 0 },
  flat64: { reg: 'rbp', slot: 8, argOffset: 16, localOffset: 0 },
  large: { reg: 'bp', slot: 2, argOffset: 4, localOffset: 0 },
  small: { reg: 'bp', slot: 2, argOffset: 6, localOffset: 0 },
};
const STACK_SIZES: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8, tword: 10 };

function numTok(v: bigint, at: Token): Token {
  const s = v.toString();
  return { k: 'num', s, c: at.c, e: at.e, n: v };
}

function stripBraces(s: string): string {
  if (s.startsWith('{') && s.endsWith('}')) return s.slice(1, -1);
  return s;
}

/** Split tokens at top-level commas (braces and parentheses group). */
export function splitArgs(toks: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0;
  let any = false;
  for (const t of toks) {
    if (t.k === 'op' && (t.s === '{' || t.s === '(' )) depth++;
    else if (t.k === 'op' && (t.s === '}' || t.s === ')')) depth = Math.max(0, depth - 1);
    if (t.k === 'op' && t.s === ',' && depth === 0) {
      out.push(cur);
      cur = [];
      any = true;
      continue;
    }
    if (t.k !== 'ws') any = true;
    cur.push(t);
  }
  if (any) out.push(cur);
  return out;
}

function collectParenArgs(toks: Token[], open: number): { args: Token[][]; end: number } | undefined {
  let depth = 0;
  const args: Token[][] = [];
  let cur: Token[] = [];
  for (let i = open; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k === 'op' && t.s === '(') {
      depth++;
      if (depth === 1) continue;
    } else if (t.k === 'op' && t.s === ')') {
      depth--;
      if (depth === 0) {
        args.push(cur);
        return { args, end: i };
      }
    } else if (t.k === 'op' && t.s === '{') depth++;
    else if (t.k === 'op' && t.s === '}') depth--;
    if (t.k === 'op' && t.s === ',' && depth === 1) {
      args.push(cur);
      cur = [];
      continue;
    }
    cur.push(t);
  }
  return undefined;
}

function parseParamSpec(toks: Token[]): { min: number; max: number; greedy: boolean } | undefined {
  if (toks.length === 0) return { min: 0, max: 0, greedy: false };
  let i = 0;
  const t0 = toks[i]!;
  let min: number;
  if (t0.k === 'num') min = Number(t0.n!);
  else if (t0.k === 'op' && t0.s === '*') return { min: 0, max: Infinity, greedy: false };
  else return undefined;
  i++;
  let max = min;
  if (toks[i]?.s === '-') {
    i++;
    const t = toks[i];
    if (t?.k === 'num') max = Number(t.n!);
    else if (t?.s === '*') max = Infinity;
    else return undefined;
    i++;
  }
  let greedy = false;
  if (toks[i]?.s === '+') {
    greedy = true;
    i++;
  }
  if (i !== toks.length) return undefined;
  return { min, max, greedy };
}

function rangeText(ms: MMacro[]): string {
  return ms.map((m) => (m.min === m.max ? String(m.min) : `${m.min}-${Number.isFinite(m.max) ? m.max : '*'}`) + (m.greedy ? '+' : '')).join(' or ');
}

const CONDS: Record<string, string> = {
  a: 'be', ae: 'b', b: 'ae', be: 'a', c: 'nc', e: 'ne', g: 'le', ge: 'l', l: 'ge', le: 'g', na: 'a', nae: 'ae', nb: 'b', nbe: 'be',
  nc: 'c', ne: 'e', ng: 'g', nge: 'ge', nl: 'l', nle: 'le', no: 'o', np: 'p', ns: 's', nz: 'z', o: 'no', p: 'np', pe: 'po', po: 'pe',
  s: 'ns', z: 'nz',
};
function invertCond(c: string): string | undefined {
  const inv = CONDS[c.toLowerCase()];
  if (inv === undefined) return undefined;
  return c === c.toUpperCase() ? inv.toUpperCase() : inv;
}

function outerFile(loc: SrcLoc): string {
  let l = loc;
  while (l.from) l = l.from.site;
  return l.file;
}
function outerLine(loc: SrcLoc): number {
  let l = loc;
  while (l.from) l = l.from.site;
  return l.line;
}

function isDynamicMacro(name: string): boolean {
  return name === '__LINE__' || name === '__FILE__' || name === '__BITS__' || name === '__?LINE?__' || name === '__?FILE?__' || name === '__?BITS?__';
}

const DIRECTIVE_WORDS = new Set([
  'db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz', 'times', 'equ', 'incbin',
  'section', 'segment', 'bits', 'use16', 'use32', 'use64', 'org', 'global', 'extern', 'common', 'static', 'align', 'alignb', 'struc',
  'endstruc', 'istruc', 'at', 'iend', 'default', 'absolute', 'cpu', 'float', 'sectalign',
]);
let mnemonicCheck: ((s: string) => boolean) | undefined;
/** Set by the assembler: tells whether a name is an instruction mnemonic or prefix. */
export function setMnemonicCheck(f: (s: string) => boolean): void {
  mnemonicCheck = f;
}
function isMnemonicLike(name: string): boolean {
  const l = name.toLowerCase();
  return DIRECTIVE_WORDS.has(l) || (mnemonicCheck ? mnemonicCheck(l) : false);
}

export { isIdChar };
