// The assembler driver: runs the preprocessor and the parser over the source once per pass,
// places every statement in its section, and repeats until every label keeps its address; then
// writes the output (bin, elf64, elf32, or the debugger's image).
//
// Values: a label is (section, offset); expressions over labels stay symbolic (expr.ts) until an
// operand is handed to the encoder, which gets plain numbers plus `known` (see asm/operands.ts):
// in `bin` every label has an address once sections are laid out, but (as in NASM) a label's
// address is still a "relocatable" value, so it never shrinks an immediate or a displacement to
// 8 bits; relative branches to labels of the same section do shrink. Forward branches whose
// target is not known yet are taken to be short (NASM is optimistic on the first pass) and grow
// in later passes if they must.

import { type Token, clearLexCache } from './lexer';
import { type Expr, type Val, type Term, type EvalEnv, evaluate, isSimple, num, unknownVal, floatBytes } from './expr';
import { parseLine, type ParsedLine, type OperandAst, type DataItem, type Statement } from './parser';
import { Preprocessor, setMnemonicCheck, type PPLine } from './preprocessor';
import { DiagnosticSink, type Diagnostic, type SrcLoc } from './diagnostics';
import type { FileHost } from './host';
import type { Image, LineEntry } from './image';
import { encode } from './encoder';
import type { AsmInstruction, EncodeContext, EncodeResult, Operand, Size } from './operands';
import { isMnemonic } from './mnemonics';
import { isRegister, lookupRegister } from './registers';
import { layoutBin, writeBin, buildImage } from './output/bin';
import { writeElf } from './output/elf';

export type OutputFormat = 'bin' | 'elf64' | 'elf32' | 'image';

export interface AssembleOptions {
  format: OutputFormat;
  includeDirs?: string[];
  /** `-d NAME=VALUE`: `{ NAME: 'VALUE' }` (`-d NAME` is `{ NAME: '' }`). */
  defines?: Record<string, string>;
  host: FileHost;
  /** Produce a listing like `nasm -l`. */
  listing?: boolean;
  /** ELF: write DWARF line information (.debug_line, .debug_info, .debug_abbrev). Default true. */
  debugInfo?: boolean;
  /** Tests: replace the encoder. */
  encoder?: (ins: AsmInstruction, ctx: EncodeContext) => EncodeResult;
  /** Maximum passes before giving up on sizes that do not settle (default 40). */
  maxPasses?: number;
  /**
   * Expansion limits (defaults: 250000 lines per pass from macros and %rep, nesting 1000 deep,
   * %rep count 1000000, 20000 tokens on one line, includes 50 deep).
   */
  limits?: { lines?: number; depth?: number; rep?: number; tokens?: number; includeDepth?: number };
}

export interface AssembleResult {
  ok: boolean;
  output?: Uint8Array;
  image?: Image;
  diagnostics: Diagnostic[];
  listing?: string;
}

// ---------------------------------------------------------------------------------------------
// Model

export class ByteBuf {
  buf = new Uint8Array(256);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  push(bytes: ArrayLike<number>): void {
    this.ensure(bytes.length);
    this.buf.set(bytes as ArrayLike<number>, this.len);
    this.len += bytes.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  /** Append the last `len` bytes `times` more times. */
  repeatTail(len: number, times: number): void {
    if (len <= 0 || times <= 0) return;
    const start = this.len - len;
    this.ensure(len * times);
    let have = len;
    const total = len * (times + 1);
    while (have < total) {
      const n = Math.min(have, total - have);
      this.buf.copyWithin(start + have, start, start + n);
      have += n;
    }
    this.len = start + total;
  }
  fill(byte: number, n: number): void {
    this.ensure(n);
    this.buf.fill(byte, this.len, this.len + n);
    this.len += n;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export interface SectionAttrs {
  nobits: boolean;
  alloc: boolean;
  exec: boolean;
  write: boolean;
  tls: boolean;
  align: number; // from align= (0 = default)
  start?: bigint;
  vstart?: bigint;
  follows?: string;
  vfollows?: string;
  explicitType: boolean;
}

export interface Reloc {
  offset: number;
  size: 1 | 2 | 4 | 8;
  pcRel: boolean;
  signed: boolean;
  /** 's:<index>' (section) or 'x:<name>' (symbol). */
  target: string;
  addend: bigint;
  wrt?: string;
  loc: SrcLoc;
}

export interface Section {
  index: number;
  name: string;
  attrs: SectionAttrs;
  /** Alignment asked by `align`/`sectalign` in the code. */
  sectAlign: number;
  // per pass
  size: number;
  data: ByteBuf;
  relocs: Reloc[];
  lines: { off: number; size: number; loc: SrcLoc }[];
  declared: boolean;
  /** Order of first use in this pass (ELF writes sections in this order, as NASM does). */
  order: number;
  // layout (bin/image): address labels are relative to, and file position
  vaddr: bigint;
  laddr: bigint;
}

export interface Sym {
  name: string;
  kind: 'label' | 'equ' | 'extern' | 'common';
  /** Section index, or -1 for an absolute value. */
  sec: number;
  off: bigint;
  /** equ whose value is not a plain label/number. */
  val?: Val;
  pass: number;
  global: boolean;
  globalType?: string;
  globalSize?: Expr;
  commonSize?: bigint;
  commonAlign?: bigint;
  loc: SrcLoc;
  c: number;
  e: number;
  /** Defined with a value that was unknown (forward reference) in this pass. */
  unknown: boolean;
}

type Space = { kind: 'sect'; sec: Section } | { kind: 'abs'; base: Val; off: bigint };

interface ListItem {
  loc: SrcLoc;
  text: string;
  sec: number;
  off: number;
  bytes: Uint8Array;
  rep: number;
  reserved: number;
  nolist: boolean;
  equ?: bigint;
}

const MAX_SECTION_BYTES = 64 * 1024 * 1024;
/** Encodings of address-independent instructions by encodeKey (results are never modified: the caller copies the bytes). */
const ENCODE_CACHE = new Map<string, EncodeResult>();
/** Parses by token array (weak: the arrays live in the preprocessor's and lexer's caches). */
const PARSE_CACHE = new WeakMap<Token[], ParsedLine>();
const ENCODE_CACHE_MAX = 50_000;

/**
 * Drops the process-wide caches (lines lexed, parsed and encoded by earlier assemblies), so the next
 * assembly runs cold, as in a fresh `kstack asm` process. Results never depend on them.
 */
export function clearAssemblerCaches(): void {
  ENCODE_CACHE.clear();
  clearLexCache();
}

// ---------------------------------------------------------------------------------------------

export function assemble(source: { path: string; text: string }, opts: AssembleOptions): AssembleResult {
  try {
    return new Assembler(source, opts).run();
  } catch (e) {
    // never throw: an internal error becomes a diagnostic
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      diagnostics: [{ severity: 'error', message: `internal assembler error: ${msg}`, file: source.path, line: 1, column: 1, endColumn: 2 }],
    };
  }
}

setMnemonicCheck((s) => isMnemonic(s) || PREFIX_WORDS.has(s));
const PREFIX_WORDS = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64']);

const branchCache = new Map<string, boolean>();
const BRANCHES = new Set([
  'jmp', 'call', 'loop', 'loope', 'loopz', 'loopne', 'loopnz', 'jcxz', 'jecxz', 'jrcxz', 'xbegin',
]);
function isBranch(m: string): boolean {
  let b = branchCache.get(m);
  if (b === undefined) {
    b = BRANCHES.has(m) || (/^j[a-z]+$/.test(m) && m !== 'jmpe' && isMnemonic(m));
    branchCache.set(m, b);
  }
  return b;
}

export class Assembler {
  readonly format: OutputFormat;
  readonly isElf: boolean;
  readonly defaultBits: 16 | 32 | 64;
  sections: Section[] = [];
  symbols = new Map<string, Sym>();
  pass = 0;
  diag = new DiagnosticSink();
  // per-pass state
  space!: Space;
  /** What `__SECT__` returns to: the last user-level `section` or `absolute`. */
  userSpace!: Space;
  bits: 16 | 32 | 64 = 16;
  defaultRel = false;
  lastGlobal = '';
  changed = false;
  org: bigint | null = null;
  orgSet = false;
  strucStack: { name: string; sym: string; start: bigint; prevSpace: Space }[] = [];
  istrucStack: { name: string; start: bigint; sec: Section | null }[] = [];
  sectAlignOn = true;
  curLine: PPLine | null = null;
  listItems: ListItem[] = [];
  wantList = false;
  files = new Set<string>();
  incbinCache = new Map<string, Uint8Array | undefined>();
  private enc: (ins: AsmInstruction, ctx: EncodeContext) => EncodeResult;
  firstBits: 16 | 32 | 64 = 16;
  firstBitsSet = false;
  /** Symbols referenced in this pass (for extern use checks). */
  referencedExterns = new Set<string>();
  undefinedRefs = new Map<string, { loc: SrcLoc; c: number; e: number }>();
  /** Symbols used while their value was not known (circular or undefined equ). */
  unknownRefs = new Map<string, { loc: SrcLoc; c: number; e: number }>();

  constructor(
    readonly source: { path: string; text: string },
    readonly opts: AssembleOptions,
  ) {
    this.format = opts.format;
    this.isElf = opts.format === 'elf64' || opts.format === 'elf32';
    this.defaultBits = opts.format === 'elf64' ? 64 : opts.format === 'elf32' ? 32 : 16;
    this.enc = opts.encoder ?? encode;
  }

  run(): AssembleResult {
    const maxPasses = this.opts.maxPasses ?? 40;
    let prevLayout = '';
    let stable = false;
    for (this.pass = 1; this.pass <= maxPasses; this.pass++) {
      const last = this.pass === maxPasses;
      this.wantList = !!this.opts.listing;
      this.runPass();
      const layout = this.isElf ? '' : this.layout();
      const layoutChanged = layout !== prevLayout;
      prevLayout = layout;
      if (!this.changed && !layoutChanged) {
        stable = true;
        break;
      }
      // %fatal or an expansion limit: another pass would stop the same way
      if (this.ppAborted) {
        stable = true;
        break;
      }
      if (last) break;
    }
    if (!stable) {
      this.diag.add({
        severity: 'error',
        message: `the assembly did not settle after ${this.pass > maxPasses ? maxPasses : this.pass} passes (instruction sizes or label values keep changing)`,
        file: this.source.path,
        line: 1,
        column: 1,
        endColumn: 2,
      });
    }
    this.finalChecks();
    // in source order: files in the order they were read, then line and column
    const fileOrder = new Map([...this.files].map((f, i) => [f, i]));
    const diagnostics = this.diag.list
      .map((d, i) => ({ d, i }))
      .sort((a, b) => {
        const fa = fileOrder.get(a.d.file) ?? 1e9;
        const fb = fileOrder.get(b.d.file) ?? 1e9;
        return fa - fb || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i;
      })
      .map((x) => x.d);
    const ok = this.diag.errors === 0;
    const res: AssembleResult = { ok, diagnostics };
    if (this.opts.listing) res.listing = this.makeListing();
    if (!ok) {
      // still provide the image for the language server's use when possible
      return res;
    }
    if (this.isElf) {
      res.output = writeElf(this, this.format === 'elf64' ? 64 : 32, this.opts.debugInfo ?? true);
    } else {
      const lay = layoutBin(this);
      res.output = writeBin(this, lay);
      if (this.format === 'image' || this.format === 'bin') res.image = buildImage(this, lay, res.output);
    }
    return res;
  }

  private finalChecks(): void {
    for (const [name, r] of this.undefinedRefs) {
      this.diag.error(`symbol '${name}' is not defined`, r.loc, r.c, r.e);
    }
    for (const [name, r] of this.unknownRefs) {
      const s = this.symbols.get(name);
      if (s && s.unknown && s.pass === this.pass)
        this.diag.error(`symbol '${name}' has no value: its definition depends on itself or on an undefined symbol`, r.loc, r.c, r.e);
    }
    for (const s of this.symbols.values()) {
      if (s.global && s.kind === 'label' && s.pass !== this.pass)
        this.diag.warning(`'${s.name}' is declared global but never defined (NASM ignores it)`, s.loc, s.c, s.e);
    }
    if (!this.isElf) {
      for (const s of this.symbols.values()) {
        if (s.kind === 'extern' && this.referencedExterns.has(s.name))
          this.diag.error(`'${s.name}' is declared extern, but the ${this.format} format has no linker to resolve it`, s.loc, s.c, s.e);
        if (s.kind === 'common') this.diag.error(`common symbol '${s.name}': the ${this.format} format does not support common symbols`, s.loc, s.c, s.e);
      }
    }
  }

  /** Section addresses for bin/image (also called after each pass to detect layout changes). */
  private layout(): string {
    const lay = layoutBin(this);
    return lay.key;
  }

  // -------------------------------------------------------------------------------------------
  // A pass

  private runPass(): void {
    this.diag = new DiagnosticSink();
    this.changed = false;
    this.useCounter = 0;
    for (const s of this.sections) {
      s.size = 0;
      s.data = new ByteBuf();
      s.relocs = [];
      s.lines = [];
      s.declared = false;
      s.order = Infinity;
      s.sectAlign = 0;
    }
    this.bits = this.defaultBits;
    this.defaultRel = false;
    this.lastGlobal = '';
    this.org = null;
    this.orgSet = false;
    this.strucStack = [];
    this.istrucStack = [];
    this.sectAlignOn = true;
    this.firstBitsSet = false;
    this.firstBits = this.defaultBits;
    this.listItems = [];
    this.files = new Set([this.source.path]);
    this.referencedExterns = new Set();
    this.undefinedRefs = new Map();
    this.unknownRefs = new Map();
    const text = this.getSection('.text', null);
    this.space = { kind: 'sect', sec: text };
    this.userSpace = this.space;
    for (const sym of this.symbols.values()) if (sym.kind === 'extern' || sym.kind === 'common') sym.pass = -1;

    if (this.ppCache && !this.ppCache.deps.every(([name, key]) => this.depKey(name) === key)) this.ppCache = null;
    if (this.ppCache) {
      for (const d of this.ppCache.diags) this.diag.add(d);
      for (const f of this.ppCache.files) this.files.add(f);
      for (const line of this.ppCache.lines) {
        this.curLine = line;
        this.line(line);
      }
      this.endPass();
      // the symbols %if/%rep read must still have the values the cached lines were made with
      if (!this.ppCache.deps.every(([name, key]) => this.depKey(name) === key)) {
        this.ppCache = null;
        this.changed = true;
      }
      return;
    }
    const ppDiag = new DiagnosticSink();
    const deps = new Map<string, string>();
    const recorded: PPLine[] = [];
    const pp = new Preprocessor(this.source, {
      host: this.opts.host,
      includeDirs: this.opts.includeDirs ?? [],
      defines: this.opts.defines ?? {},
      format: this.format,
      diag: ppDiag,
      limits: this.opts.limits,
      keepText: !!this.opts.listing,
      hooks: {
        lookup: (name) => {
          const v = this.ppLookup(name);
          if (!deps.has(name)) deps.set(name, v ? valKey(v) : 'undefined');
          return v;
        },
        here: () => this.hereVal(),
        base: () => this.baseVal(),
        bits: () => this.bits,
        qualify: (name) => this.qualify(name),
      },
    });
    for (;;) {
      const line = pp.next();
      if (!line) break;
      recorded.push(line);
      this.files.add(outerFileOf(line.loc));
      this.curLine = line;
      this.line(line);
    }
    for (const d of ppDiag.list) this.diag.add(d);
    this.ppAborted = pp.aborted;
    // the preprocessor's output does not depend on the assembler's state: reuse it in later passes
    this.endPass();
    const depList = [...deps];
    if (!pp.usedPosition && depList.every(([name, key]) => this.depKey(name) === key)) {
      this.ppCache = { lines: recorded, diags: ppDiag.list, files: [...this.files], deps: depList };
    }
  }

  /** The value of a symbol the preprocessor read, as a comparable string. */
  private depKey(name: string): string {
    const s = this.symbols.get(name);
    if (s && (s.pass > 0 || s.kind === 'extern' || s.kind === 'common')) return valKey(this.symVal(s));
    const v = this.specialSymbol(name);
    return v ? valKey(v) : 'undefined';
  }

  private ppAborted = false;
  private ppCache: { lines: PPLine[]; diags: Diagnostic[]; files: string[]; deps: [string, string][] } | null = null;

  private endPass(): void {
    this.curLine = null;
    if (this.strucStack.length) {
      const s = this.strucStack[this.strucStack.length - 1]!;
      this.diag.error(`struc '${s.name}' has no endstruc`, this.symbols.get(s.sym)?.loc ?? { file: this.source.path, line: 1 });
    }
    if (this.istrucStack.length) this.diag.error(`istruc '${this.istrucStack[0]!.name}' has no iend`, { file: this.source.path, line: 1 });
  }

  // -------------------------------------------------------------------------------------------
  // Sections

  getSection(name: string, args: Token[] | null): Section {
    let s = this.sections.find((x) => x.name === name);
    if (!s) {
      s = {
        index: this.sections.length,
        name,
        attrs: defaultAttrs(name, this.format),
        sectAlign: 0,
        size: 0,
        data: new ByteBuf(),
        relocs: [],
        lines: [],
        declared: false,
        order: Infinity,
        vaddr: 0n,
        laddr: 0n,
      };
      this.sections.push(s);
    }
    if (args) this.sectionAttrs(s, args);
    return s;
  }

  private sectionAttrs(s: Section, args: Token[]): void {
    const loc = this.curLine!.loc;
    let i = 0;
    while (i < args.length) {
      const t = args[i]!;
      if (t.k !== 'id') {
        this.diag.error(`unexpected '${t.s}' in the section attributes`, loc, t.c, t.e);
        return;
      }
      const key = t.s.toLowerCase();
      if (args[i + 1]?.s === '=') {
        // key=value: value runs to the next identifier that is followed by '=' or is a flag word
        let j = i + 2;
        const valToks: Token[] = [];
        while (j < args.length && !(args[j]!.k === 'id' && (args[j + 1]?.s === '=' || SECTION_FLAGS.has(args[j]!.s.toLowerCase())) && valToks.length > 0)) {
          valToks.push(args[j]!);
          j++;
        }
        i = j;
        if (key === 'follows' || key === 'vfollows') {
          const name = valToks.map((x) => x.s).join('');
          if (key === 'follows') s.attrs.follows = name;
          else s.attrs.vfollows = name;
          continue;
        }
        const v = this.evalConst(valToks, `section attribute ${key}=`);
        if (v === undefined) continue;
        switch (key) {
          case 'align':
            if (v <= 0n || (v & (v - 1n)) !== 0n) this.diag.error(`section alignment ${v} is not a power of two`, loc, t.c, t.e);
            else s.attrs.align = Number(v);
            break;
          case 'start':
            s.attrs.start = v;
            break;
          case 'vstart':
            s.attrs.vstart = v;
            break;
          default:
            this.diag.warning(`unknown section attribute '${key}=' ignored`, loc, t.c, t.e);
        }
        continue;
      }
      i++;
      switch (key) {
        case 'progbits':
          s.attrs.nobits = false;
          s.attrs.explicitType = true;
          break;
        case 'nobits':
          s.attrs.nobits = true;
          s.attrs.explicitType = true;
          break;
        case 'alloc':
          s.attrs.alloc = true;
          break;
        case 'noalloc':
          s.attrs.alloc = false;
          break;
        case 'exec':
          s.attrs.exec = true;
          break;
        case 'noexec':
          s.attrs.exec = false;
          break;
        case 'write':
          s.attrs.write = true;
          break;
        case 'nowrite':
          s.attrs.write = false;
          break;
        case 'tls':
          s.attrs.tls = true;
          break;
        case 'notls':
          s.attrs.tls = false;
          break;
        case 'code':
        case 'text':
          s.attrs.exec = true;
          break;
        case 'data':
        case 'bss':
        case 'rdata':
        case 'info':
        case 'private':
        case 'public':
        case 'pointer':
        case 'note':
        case 'preinit_array':
        case 'init_array':
        case 'fini_array':
          break;
        default:
          this.diag.warning(`unknown section attribute '${t.s}' ignored`, loc, t.c, t.e);
      }
    }
  }

  private useCounter = 0;
  touch(s: Section): void {
    if (s.order === Infinity) s.order = this.useCounter++;
  }

  get cur(): Section | null {
    return this.space.kind === 'sect' ? this.space.sec : null;
  }

  /** Offset of `$` in the current space. */
  get offset(): bigint {
    return this.space.kind === 'sect' ? BigInt(this.space.sec.size) : this.space.off;
  }

  /** `$` is the position at the start of the line, even inside `times`. */
  lineHere: Val | null = null;

  hereVal(): Val {
    if (this.lineHere) return this.lineHere;
    return this.curHere();
  }
  curHere(): Val {
    if (this.space.kind === 'abs') {
      const b = this.space.base;
      return { n: BigInt.asIntN(64, b.n + this.space.off), terms: b.terms, unknown: b.unknown };
    }
    return { n: BigInt(this.space.sec.size), terms: [{ key: 's:' + this.space.sec.index, coef: 1n }], unknown: false };
  }
  baseVal(): Val {
    if (this.space.kind === 'abs') return this.space.base;
    return { n: 0n, terms: [{ key: 's:' + this.space.sec.index, coef: 1n }], unknown: false };
  }

  // -------------------------------------------------------------------------------------------
  // Symbols

  qualify(name: string): string {
    if (name.startsWith('.') && !name.startsWith('..')) return this.lastGlobal + name;
    return name;
  }

  private symVal(s: Sym): Val {
    if (s.kind === 'extern' || s.kind === 'common') return { n: 0n, terms: [{ key: 'x:' + s.name, coef: 1n }], unknown: false };
    if (s.val) return s.val;
    if (s.sec < 0) return { ...num(s.off), unknown: s.unknown };
    return { n: s.off, terms: [{ key: 's:' + s.sec, coef: 1n }], unknown: s.unknown };
  }

  private ppLookup(name: string): Val | undefined {
    const s = this.symbols.get(name);
    if (!s || (s.pass !== this.pass && s.kind !== 'extern' && s.kind !== 'common')) {
      const spec = this.specialSymbol(name);
      return spec;
    }
    return this.symVal(s);
  }

  private specialSymbol(name: string): Val | undefined {
    const m = /^section\.(.+)\.(start|vstart|length)$/.exec(name);
    if (m && !this.isElf) {
      const s = this.sections.find((x) => x.name === m[1]);
      if (!s) return undefined;
      if (m[2] === 'length') return num(BigInt(s.size));
      return num(m[2] === 'start' ? s.laddr : s.vaddr);
    }
    return undefined;
  }

  lookup(name: string, c: number, e: number): Val {
    const q = this.qualify(name);
    const s = this.symbols.get(q);
    if (s) {
      if (s.kind === 'extern' || s.kind === 'common') {
        this.referencedExterns.add(s.name);
        return this.symVal(s);
      }
      if (s.pass > 0) {
        // defined in this pass, or (forward reference) in an earlier one
        if (s.unknown && !this.unknownRefs.has(q)) this.unknownRefs.set(q, { loc: this.curLine!.loc, c, e });
        return this.symVal(s);
      }
    }
    const spec = this.specialSymbol(q);
    if (spec) return spec;
    if (!this.undefinedRefs.has(q)) this.undefinedRefs.set(q, { loc: this.curLine!.loc, c, e });
    return unknownVal();
  }

  private defineLabel(name: string, c: number, e: number, val: Val | null): void {
    const loc = this.curLine!.loc;
    if (name.startsWith('..') && !name.startsWith('..@') && name !== '..start') {
      this.diag.error(`'${name}': names starting with '..' are reserved (use '..@' for special local labels)`, loc, c, e);
      return;
    }
    const isLocal = name.startsWith('.') && !name.startsWith('..');
    if (isLocal && !this.lastGlobal) {
      this.diag.warning(`local label '${name}' has no non-local label before it`, loc, c, e);
    }
    const full = this.qualify(name);
    if (!isLocal && !name.startsWith('..@') && val === null) this.lastGlobal = full;
    if (isRegister(full) && !name.startsWith('$')) {
      // NASM would read this as a register; allow only via $name
    }
    let sec = -1;
    let off = 0n;
    let v: Val | undefined;
    let unknown = false;
    if (val === null) {
      if (this.space.kind === 'sect') {
        this.touch(this.space.sec);
        sec = this.space.sec.index;
        off = BigInt(this.space.sec.size);
      } else {
        const h = this.curHere();
        if (h.terms.length) v = h;
        else off = h.n;
        unknown = h.unknown;
      }
    } else {
      unknown = val.unknown;
      if (val.terms.length === 1 && val.terms[0]!.coef === 1n && val.terms[0]!.key.startsWith('s:') && !val.wrt && !val.seg) {
        sec = Number(val.terms[0]!.key.slice(2));
        off = val.n;
      } else if (isSimple(val)) off = val.n;
      else v = val;
    }
    if (unknown) {
      // an unknown value has no meaningful number (keeps `a equ a+1` from counting up forever)
      off = 0n;
      v = undefined;
    }
    let s = this.symbols.get(full);
    if (s && s.pass === this.pass && (s.kind === 'label' || s.kind === 'equ')) {
      const same = s.sec === sec && s.off === off && !v && !s.val;
      if (!(val !== null && s.kind === 'equ' && same)) {
        this.diag.error(`label '${full}' is defined more than once (first at ${s.loc.file}:${s.loc.line})`, loc, c, e);
        return;
      }
    }
    if (s && (s.kind === 'extern' || s.kind === 'common')) {
      // defining an extern'd symbol: NASM treats it as a local definition (with a warning)
      s.kind = 'label';
      s.global = s.global || false;
    }
    if (!s) {
      s = { name: full, kind: val === null ? 'label' : 'equ', sec, off, val: v, pass: 0, global: false, loc, c, e, unknown };
      this.symbols.set(full, s);
      this.changed = true;
    } else {
      const was = `${s.sec}|${s.off}|${s.val ? valKey(s.val) : ''}|${s.unknown}`;
      const now = `${sec}|${off}|${v ? valKey(v) : ''}|${unknown}`;
      if (was !== now || s.pass !== this.pass - 1) this.changed = true;
      s.sec = sec;
      s.off = off;
      s.val = v;
      s.kind = val === null ? 'label' : 'equ';
      s.loc = loc;
      s.c = c;
      s.e = e;
      s.unknown = unknown;
    }
    s.pass = this.pass;
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation

  private envFor(allowRegs: boolean): EvalEnv {
    return {
      lookup: (name: string, c: number, e: number) => this.lookup(name, c, e),
      here: () => this.hereVal(),
      base: () => this.baseVal(),
      isReg: (n: string) => allowRegs && isRegister(n),
      error: (msg: string, c: number, e: number) => this.diag.error(msg, this.curLine!.loc, c, e),
    };
  }
  private envPlain = this.envFor(false);
  private envRegs = this.envFor(true);
  private env(allowRegs = false): EvalEnv {
    return allowRegs ? this.envRegs : this.envPlain;
  }

  evalExpr(x: Expr, allowRegs = false): Val {
    const v = evaluate(x, this.env(allowRegs));
    if (!allowRegs) {
      const r = v.terms.find((t) => t.key.startsWith('r:'));
      if (r) {
        this.diag.error(`register '${r.key.slice(2)}' cannot be used in this expression`, this.curLine!.loc, x.c, x.e);
        return unknownVal();
      }
    }
    return v;
  }

  /** A constant needed now ("critical"): a number, known in this pass. */
  evalConst(toks: Token[], what: string): bigint | undefined {
    const loc = this.curLine!.loc;
    if (!toks.length) {
      this.diag.error(`${what}: a value is missing`, loc);
      return undefined;
    }
    const p = parseLine([{ k: 'id', s: 'dq', c: toks[0]!.c, e: toks[0]!.c }, ...toks]);
    if (p.errors.length || p.stmt.kind !== 'data' || p.stmt.items.length !== 1 || p.stmt.items[0]!.k !== 'expr') {
      const er = p.errors[0];
      this.diag.error(`${what}: ${er ? er.msg : 'expected one value'}`, loc, er?.c ?? toks[0]!.c, er?.e ?? toks[toks.length - 1]!.e);
      return undefined;
    }
    const x = (p.stmt.items[0] as { expr: Expr }).expr;
    return this.critical(x, what);
  }

  critical(x: Expr, what: string): bigint | undefined {
    const v = this.evalExpr(x);
    if (v.unknown) {
      this.diag.error(`${what}: the value must be known here, but it depends on a symbol defined later (or not at all)`, this.curLine!.loc, x.c, x.e);
      return undefined;
    }
    if (!isSimple(v)) {
      const r = this.resolveBin(v);
      if (!this.isElf && r !== undefined) return r;
      this.diag.error(`${what}: the value must be a constant, not an address`, this.curLine!.loc, x.c, x.e);
      return undefined;
    }
    return v.n;
  }

  /** `global foo:function SIZE`: the size, evaluated after the last pass. */
  evalSizeExpr(x: Expr): bigint | undefined {
    const save = this.curLine;
    this.curLine = { toks: [], text: '', loc: { file: this.source.path, line: 0 } };
    try {
      const v = evaluate(x, { ...this.env(), error: () => undefined });
      if (v.unknown) return undefined;
      if (isSimple(v)) return v.n;
      // label differences within a section are plain numbers
      return undefined;
    } finally {
      this.curLine = save;
    }
  }

  /** In bin/image: a section-relative value as an address (undefined if it has other terms). */
  resolveBin(v: Val): bigint | undefined {
    let n = v.n;
    for (const t of v.terms) {
      if (!t.key.startsWith('s:')) return undefined;
      const s = this.sections[Number(t.key.slice(2))]!;
      n += t.coef * s.vaddr;
    }
    return BigInt.asIntN(64, n);
  }

  // -------------------------------------------------------------------------------------------
  // Lines

  private line(pl: PPLine): void {
    this.lineHere = null;
    let p = (pl as PPLine & { parsed?: ParsedLine }).parsed;
    if (!p) {
      // the parse depends only on the tokens; the preprocessor hands the same array for the same
      // plain line (asm/preprocessor.ts emit), so unchanged lines are parsed once per process
      p = PARSE_CACHE.get(pl.toks);
      if (!p) {
        p = parseLine(pl.toks);
        PARSE_CACHE.set(pl.toks, p);
      }
      (pl as PPLine & { parsed?: ParsedLine }).parsed = p;
    }
    const loc = pl.loc;
    for (const e of p.errors) this.diag.error(e.msg, loc, e.c, e.e);
    for (const w of p.warnings) this.diag.warning(w.msg, loc, w.c, w.e);
    if (p.errors.length) {
      // still define the label so other lines don't report it undefined
      if (p.label && p.stmt.kind !== 'equ') this.defineLabel(p.label.name, p.label.c, p.label.e, null);
      return;
    }
    if (!this.wantList) {
      this.statement(p, pl);
      return;
    }
    const sec0 = this.cur;
    const off0 = this.offset;
    this.statement(p, pl);
    const sec = this.cur === sec0 ? sec0 : null;
    const end = sec ? BigInt(sec.size) : this.offset;
    const reserved = sec || this.space.kind === 'abs' ? Number(end - off0) : 0;
    const bytes = sec && !sec.attrs.nobits && end > off0 ? sec.data.buf.slice(Number(off0), Number(end)) : new Uint8Array(0);
    let equ: bigint | undefined;
    if (p.label && p.stmt.kind === 'equ') {
      const sym = this.symbols.get(this.qualify(p.label.name));
      if (sym && !sym.val && sym.sec < 0) equ = sym.off;
    }
    this.listItems.push({ loc: pl.loc, text: pl.text, sec: sec0 ? sec0.index : -1, off: Number(off0), bytes, rep: 1, reserved, nolist: !!pl.nolist, equ });
  }

  statement(p: ParsedLine, pl: PPLine): void {
    const st = p.stmt;
    if (p.label) {
      if (st.kind === 'equ') {
        const v = this.evalExpr(st.expr);
        this.defineLabel(p.label.name, p.label.c, p.label.e, v);
        return;
      }
      this.defineLabel(p.label.name, p.label.c, p.label.e, null);
    }
    if (st.kind === 'none') return;
    this.lineHere = this.curHere();
    try {
      this.statementBody(p, pl);
    } finally {
      this.lineHere = null;
    }
  }

  private statementBody(p: ParsedLine, pl: PPLine): void {
    const st = p.stmt;
    if (st.kind === 'dir') {
      if (p.times) this.diag.error(`times cannot repeat the '${st.name}' directive`, pl.loc);
      this.directive(st, pl);
      return;
    }
    let count = 1n;
    if (p.times) {
      const v = this.evalExpr(p.times);
      if (v.unknown) {
        count = 0n;
        this.changed = true;
      } else if (!isSimple(v)) {
        this.diag.error('times: the count must be a constant, not an address (subtract $$ or another label)', pl.loc, p.times.c, p.times.e);
        count = 0n;
      } else count = v.n;
      if (count < 0n) {
        this.diag.error(`times: the count is negative (${count})`, pl.loc, p.times.c, p.times.e);
        count = 0n;
      }
      if (count > 1n << 28n) {
        this.diag.error(`times: the count ${count} is too large`, pl.loc, p.times.c, p.times.e);
        count = 0n;
      }
    }
    const start = this.offset;
    const startSec = this.cur;
    const n = Number(count);
    // data without $ can be assembled once and repeated
    const fast = n > 16 && (st.kind === 'data' || st.kind === 'res');
    if (fast) {
      const before = this.offset;
      const relocsBefore = startSec ? startSec.relocs.length : 0;
      this.exec(st, pl);
      const after = this.offset;
      const len = Number(after - before);
      if (len > 0 && startSec && this.cur === startSec && (st.kind === 'data' ? true : !startSec.attrs.nobits) && startSec.data.len === startSec.size) {
        const newRelocs = startSec.relocs.slice(relocsBefore);
        if (newRelocs.some((r) => r.pcRel)) {
          for (let i = 1; i < n; i++) this.exec(st, pl);
        } else if (len * n > MAX_SECTION_BYTES) {
          this.diag.error(`times: ${len * n} bytes is more than this assembler allows in one section`, pl.loc);
        } else {
          for (let i = 1; i < n; i++) for (const r of newRelocs) startSec.relocs.push({ ...r, offset: r.offset + len * i });
          startSec.data.repeatTail(len, n - 1);
          startSec.size += len * (n - 1);
        }
      } else {
        for (let i = 1; i < n; i++) this.exec(st, pl);
      }
    } else {
      for (let i = 0; i < n; i++) {
        this.exec(st, pl);
        if (startSec && startSec.size > MAX_SECTION_BYTES) {
          this.diag.error('section too large', pl.loc);
          break;
        }
      }
    }
    const end = this.offset;
    if (startSec && this.cur === startSec && end > start) startSec.lines.push({ off: Number(start), size: Number(end - start), loc: pl.loc });
  }

  private exec(st: Statement, pl: PPLine): void {
    switch (st.kind) {
      case 'data':
        if (!st.items.length) this.diag.warning(`no operand for data declaration '${st.name}'`, pl.loc);
        this.data(st.unit, st.items, st.name, pl);
        return;
      case 'res': {
        const v = this.evalExpr(st.count);
        let n = 0n;
        if (v.unknown) this.changed = true;
        else if (!isSimple(v)) this.diag.error(`${st.name}: the count must be a constant`, pl.loc, st.count.c, st.count.e);
        else n = v.n;
        if (n < 0n) {
          this.diag.error(`${st.name}: the count is negative (${n})`, pl.loc, st.count.c, st.count.e);
          n = 0n;
        }
        this.reserve(n * BigInt(st.unit), pl);
        return;
      }
      case 'incbin':
        this.incbin(st, pl);
        return;
      case 'insn':
        this.instruction(st, pl);
        return;
      default:
        return;
    }
  }

  /** Emit bytes at $ (in a nobits section or absolute space: just advance, with a warning). */
  emitBytes(bytes: ArrayLike<number>, pl: PPLine): void {
    if (this.space.kind === 'abs') {
      this.diag.error(
        this.strucStack.length
          ? `attempt to assemble code or data in struc '${this.strucStack[this.strucStack.length - 1]!.name}' (use resb/resw/resd/resq for fields)`
          : 'attempt to assemble code or data in [ABSOLUTE] space (use resb/resw/resd/resq)',
        pl.loc,
      );
      this.space.off += BigInt(bytes.length);
      return;
    }
    const s = this.space.sec;
    this.touch(s);
    if (s.attrs.nobits) {
      if (bytes.length) this.diag.warning(`attempt to initialize memory in the nobits section '${s.name}': ignored`, pl.loc);
      s.size += bytes.length;
      return;
    }
    if (!this.firstBitsSet) {
      this.firstBitsSet = true;
      this.firstBits = this.bits;
    }
    s.data.push(bytes);
    s.size += bytes.length;
  }

  reserve(n: bigint, pl: PPLine): void {
    if (this.space.kind === 'abs') {
      this.space.off += n;
      return;
    }
    const s = this.space.sec;
    this.touch(s);
    if (BigInt(s.size) + n > BigInt(MAX_SECTION_BYTES) && (!s.attrs.nobits || BigInt(s.size) + n > 1n << 40n)) {
      this.diag.error(`reserving ${n} bytes makes section '${s.name}' larger than this assembler allows`, pl.loc);
      return;
    }
    if (!s.attrs.nobits) s.data.zeros(Number(n));
    s.size += Number(n);
  }

  // -------------------------------------------------------------------------------------------
  // Data

  private data(unit: number, items: DataItem[], name: string, pl: PPLine): void {
    const loc = pl.loc;
    for (const it of items) {
      if (it.k === 'str') {
        const b = it.bytes;
        const padded = Math.ceil(b.length / unit) * unit || (b.length === 0 ? 0 : unit);
        const out = new Uint8Array(padded);
        out.set(b);
        this.emitBytes(out, pl);
        continue;
      }
      if (it.k === 'undef') {
        this.reserve(BigInt(unit), pl);
        continue;
      }
      if (it.k === 'float') {
        if (unit === 1 || unit === 2 || unit === 4 || unit === 8 || unit === 10 || unit === 16) {
          const r = floatBytes(it.text, unit === 1 ? 'f8' : unit, it.neg);
          if (r.error) (r.overflow ? this.diag.warning.bind(this.diag) : this.diag.error.bind(this.diag))(r.error, loc, it.c, it.e);
          this.emitBytes(r.bytes, pl);
        } else {
          this.diag.error(`${name} cannot hold a floating-point constant`, loc, it.c, it.e);
          this.emitBytes(new Uint8Array(unit), pl);
        }
        continue;
      }
      // expression
      if (unit > 8) {
        if (it.expr.t === 'num' || (it.expr.t === 'un' && it.expr.a.t === 'num')) {
          // NASM: an integer in DT/DO is an error
          this.diag.error(`integer supplied to ${name.toUpperCase()} (write a floating-point constant, e.g. 1.0)`, loc, it.c, it.e);
        } else this.diag.error(`${name} accepts only floating-point constants and strings`, loc, it.c, it.e);
        this.emitBytes(new Uint8Array(unit), pl);
        continue;
      }
      const v = this.evalExpr(it.expr);
      this.emitValue(v, unit as 1 | 2 | 4 | 8, it.c, it.e, pl, name);
    }
  }

  /** Emit a value of `size` bytes at $: a number, an address (bin), or a relocation (elf). */
  private emitValue(v: Val, size: 1 | 2 | 4 | 8, c: number, e: number, pl: PPLine, what: string): void {
    const loc = pl.loc;
    let n = 0n;
    if (v.unknown) {
      n = 0n;
    } else if (isSimple(v)) {
      n = v.n;
      checkRange(n, size, (m) => this.diag.warning(`${what} ${m}`, loc, c, e));
    } else if (!this.isElf) {
      if (v.seg || v.wrt) this.diag.error(`'seg' and 'wrt' are not available in the ${this.format} format`, loc, c, e);
      const r = this.resolveBin(v);
      if (r === undefined) {
        this.diag.error(`cannot use an external symbol in the ${this.format} format (there is no linker)`, loc, c, e);
      } else {
        n = r;
        checkRange(n, size, (m) => this.diag.warning(`${what} ${m}`, loc, c, e));
      }
    } else {
      const sec = this.cur;
      if (sec) {
        const r = this.makeReloc(v, size, false, false, BigInt(sec.size), 0n, loc, c, e);
        if (r) {
          n = r.field;
          if (r.reloc) sec.relocs.push(r.reloc);
        }
      }
    }
    this.emitBytes(leBytes(n, size), pl);
  }

  /**
   * ELF: turn a value into a relocation at section offset `at` (the field), or report why it
   * cannot be one. `insEnd` adjusts pc-relative addends (distance from the field to the end of
   * the instruction). Returns the bytes to store in the field (REL keeps the addend there).
   */
  makeReloc(
    v: Val,
    size: 1 | 2 | 4 | 8,
    pcRel: boolean,
    signed: boolean,
    at: bigint,
    toEnd: bigint,
    loc: SrcLoc,
    c: number,
    e: number,
  ): { field: bigint; reloc: Reloc | null } | undefined {
    const cur = this.cur!;
    let terms = v.terms.filter((t) => !t.key.startsWith('r:'));
    let n = v.n;
    let pc = pcRel;
    // `x - $` style: a term of the current section with coefficient -1 makes it pc-relative
    const curKey = 's:' + cur.index;
    const self = terms.find((t) => t.key === curKey);
    if (!pcRel && self && self.coef === -1n && terms.length === 2) {
      terms = terms.filter((t) => t !== self);
      pc = true;
      n += at; // S + n - (base) = S + A - P with P = base + at
    }
    if (pcRel && terms.length === 1 && terms[0]!.key === curKey && terms[0]!.coef === 1n) {
      // branch within the section: no relocation
      return { field: 0n, reloc: null };
    }
    if (terms.length === 0) return { field: n, reloc: null };
    if (terms.length > 1 || terms[0]!.coef !== 1n) {
      this.diag.error('this expression cannot be expressed as a relocation (it combines several sections or symbols)', loc, c, e);
      return undefined;
    }
    const target = terms[0]!.key;
    let addend = n;
    if (pc && pcRel) addend = n - (toEnd + BigInt(size)) ;
    const rela = this.format === 'elf64';
    const reloc: Reloc = { offset: Number(at), size, pcRel: pc, signed, target, addend, wrt: v.wrt, loc };
    if (this.format === 'elf32' && size === 8) {
      this.diag.error('elf32 has no 64-bit relocations', loc, c, e);
      return undefined;
    }
    return { field: rela ? 0n : addend, reloc };
  }

  private incbin(st: Extract<Statement, { kind: 'incbin' }>, pl: PPLine): void {
    const loc = pl.loc;
    let data = this.incbinCache.get(st.file + '\0' + outerFileOf(loc));
    if (!this.incbinCache.has(st.file + '\0' + outerFileOf(loc))) {
      const path = this.opts.host.resolveInclude(outerFileOf(loc), st.file, this.opts.includeDirs ?? []);
      data = path !== undefined ? this.opts.host.readFile(path) : undefined;
      this.incbinCache.set(st.file + '\0' + outerFileOf(loc), data);
      if (path) this.files.add(path);
    }
    if (!data) {
      this.diag.error(`incbin: cannot find the file '${st.file}'`, loc);
      return;
    }
    let skip = 0n;
    let len = BigInt(data.length);
    if (st.skip) skip = this.critical(st.skip, 'incbin offset') ?? 0n;
    if (st.len) len = this.critical(st.len, 'incbin length') ?? len;
    if (skip < 0n) skip = 0n;
    if (skip > BigInt(data.length)) skip = BigInt(data.length);
    if (len < 0n) len = 0n;
    const end = skip + len > BigInt(data.length) ? BigInt(data.length) : skip + len;
    this.emitBytes(data.subarray(Number(skip), Number(end)), pl);
  }

  // -------------------------------------------------------------------------------------------
  // Instructions

  private instruction(st: Extract<Statement, { kind: 'insn' }>, pl: PPLine): void {
    const loc = pl.loc;
    const sec = this.cur;
    const branch = isBranch(st.mnemonic);
    const operands: Operand[] = [];
    const vals: (Val | null)[] = [];
    const vals2: (Val | null)[] = [];
    let strictJump: 'short' | 'near' | 'far' | null = null;
    const prefixes: string[] = st.prefixes.map((p) => (p.name === 'repz' ? 'repe' : p.name === 'repnz' ? 'repne' : p.name));
    const address = this.isElf ? this.offset : this.space.kind === 'sect' ? this.space.sec.vaddr + this.offset : (this.resolveBin(this.hereVal()) ?? 0n);
    for (const o of st.operands) {
      if (o.k === 'reg') {
        operands.push({ kind: 'reg', name: o.name });
        vals.push(null);
        vals2.push(null);
        continue;
      }
      if (o.k === 'imm') {
        if (o.jump) strictJump = o.jump;
        const v = this.evalExpr(o.expr);
        vals.push(v);
        vals2.push(null);
        operands.push(this.immOperand(v, o, branch, address));
        continue;
      }
      if (o.k === 'far') {
        const sv = this.evalExpr(o.seg);
        const ov = this.evalExpr(o.off);
        vals.push(ov);
        vals2.push(sv);
        const segN = this.plainValue(sv);
        const offN = this.plainValue(ov);
        // `jmp dword 0x08:x` in 16-bit code, `jmp word 0x08:x` in 32-bit code: the size keyword is
        // the offset's size, which picks the ptr16:16 or ptr16:32 form (and its operand-size prefix)
        operands.push({ kind: 'far', segment: segN, offset: offN, known: !sv.unknown && !ov.unknown && isSimple(sv) && isSimple(ov), size: o.size as Size });
        continue;
      }
      // memory
      if (o.jump) strictJump = o.jump;
      const m = this.memOperand(o, loc);
      if (!m) return;
      operands.push(m.op);
      vals.push(m.disp);
      vals2.push(null);
    }
    if (strictJump === 'near' && !branch) strictJump = null;
    const ins: AsmInstruction = { prefixes, mnemonic: st.mnemonic, operands, strictJump };
    const ctx: EncodeContext = { bits: this.bits, address, defaultRel: this.defaultRel };
    // the same instruction in the same mode encodes the same way in every pass (only branches and
    // RIP-relative operands depend on the address)
    const addrDep = branch || operands.some((o) => o.kind === 'mem' && o.rel);
    const memo = (st as InsnMemo).memo;
    let r: EncodeResult;
    if (memo && sameEncoding(memo.ins, memo.ctx, ins, ctx, addrDep)) r = memo.res;
    else {
      // instructions that do not depend on their address encode the same wherever they are written
      // (`push rbp`, `mov rbp, rsp`...): one encoding per distinct instruction, shared by every
      // assembly in this process (the encoder is a pure function of the instruction and the mode)
      const key = !addrDep && this.enc === encode ? encodeKey(ins, ctx, false) : '';
      const hit = key ? ENCODE_CACHE.get(key) : undefined;
      if (hit) r = hit;
      else {
        try {
          r = this.enc(ins, ctx);
        } catch (e) {
          r = { ok: false, error: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (key) {
          if (ENCODE_CACHE.size >= ENCODE_CACHE_MAX) ENCODE_CACHE.clear();
          ENCODE_CACHE.set(key, r);
        }
      }
      (st as InsnMemo).memo = { ins, ctx, res: r };
    }
    if (!r.ok) {
      const o = r.operand !== undefined ? st.operands[r.operand] : undefined;
      this.diag.error(r.error, loc, o ? o.c : st.mc, o ? o.e : (st.operands[st.operands.length - 1]?.e ?? st.me));
      return;
    }
    for (const w of r.warnings ?? []) this.diag.warning(w, loc, st.mc, st.operands[st.operands.length - 1]?.e ?? st.me);
    // the encoding may be shared (memo, cache): copy it only where relocations write into it
    const bytes = this.isElf && r.fixups.length ? r.bytes.slice() : r.bytes;
    if (sec && this.isElf) {
      const base = BigInt(sec.size);
      for (const f of r.fixups) {
        const v = f.field === 'imm2' ? (vals2[f.operand] ?? vals[f.operand]) : vals[f.operand];
        if (!v || v.unknown) continue;
        const opAst = st.operands[f.operand];
        const c = opAst?.c ?? st.mc;
        const e = opAst?.e ?? st.me;
        const toEnd = BigInt(bytes.length - f.offset - f.size);
        const rr = this.makeReloc(v, f.size, f.pcRel, f.signed, base + BigInt(f.offset), toEnd, loc, c, e);
        if (!rr) continue;
        if (rr.reloc) {
          if (f.pcRel) rr.reloc.pcRel = true;
          sec.relocs.push(rr.reloc);
          const fb = leBytes(rr.field, f.size);
          bytes.set(fb, f.offset);
        }
      }
    } else if (!this.isElf) {
      for (const f of r.fixups) {
        const v = vals[f.operand];
        if (v && !v.unknown && v.terms.some((t) => t.key.startsWith('x:'))) {
          const opAst = st.operands[f.operand];
          this.diag.error(`cannot use an external symbol in the ${this.format} format (there is no linker)`, loc, opAst?.c ?? st.mc, opAst?.e ?? st.me);
        }
      }
    }
    this.emitBytes(bytes, pl);
  }

  /** A value as a plain number for the encoder: its address in bin, its offset in elf. */
  private plainValue(v: Val): bigint {
    if (v.unknown) return 0n;
    if (isSimple(v) || this.isElf) return v.n;
    return this.resolveBin(v) ?? v.n;
  }

  private immOperand(v: Val, o: Extract<OperandAst, { k: 'imm' }>, branch: boolean, address: bigint): Operand {
    const size = (o.size > 16 ? 0 : o.size) as Size;
    if (branch) {
      const cur = this.cur;
      if (v.unknown) {
        // optimistic: a forward target not known yet is taken as near by (short jump)
        return { kind: 'imm', value: address, size, strict: o.strict, known: true };
      }
      const same = cur && v.terms.length === 1 && v.terms[0]!.key === 's:' + cur.index && v.terms[0]!.coef === 1n && !v.wrt;
      if (this.isElf) return { kind: 'imm', value: v.n, size, strict: o.strict, known: !!same };
      const abs = isSimple(v) ? v.n : (this.resolveBin(v) ?? v.n);
      return { kind: 'imm', value: abs, size, strict: o.strict, known: !!same };
    }
    if (v.unknown) return { kind: 'imm', value: 0n, size, strict: o.strict, known: false };
    if (isSimple(v)) return { kind: 'imm', value: v.n, size, strict: o.strict, known: true };
    const value = this.isElf ? v.n : (this.resolveBin(v) ?? v.n);
    return { kind: 'imm', value, size, strict: o.strict, known: false };
  }

  private memOperand(o: Extract<OperandAst, { k: 'mem' }>, loc: SrcLoc): { op: Operand; disp: Val } | null {
    const v = o.expr ? this.evalExpr(o.expr, true) : num(0n);
    // split the registers (terms `r:name`) from the rest of the address, in one walk
    let nRegs = 0;
    let t0: Term | undefined;
    let t1: Term | undefined;
    let otherTerms: Term[] | null = null;
    for (const t of v.terms) {
      if (t.key.charCodeAt(0) === 114 /* r */ && t.key.charCodeAt(1) === 58 /* : */) {
        if (nRegs === 0) t0 = t;
        else if (nRegs === 1) t1 = t;
        nRegs++;
      } else (otherTerms ??= []).push(t);
    }
    const other: Val = nRegs === 0 ? v : { n: v.n, terms: otherTerms ?? [], unknown: v.unknown, wrt: v.wrt, seg: v.seg };
    let base: string | null = null;
    let index: string | null = null;
    let scale: 1 | 2 | 4 | 8 = 1;
    const bad = (msg: string): null => {
      this.diag.error(msg, loc, o.c, o.e);
      return null;
    };
    if (nRegs > 2) return bad('invalid effective address: more than two registers');
    const regName = (t: Term): string | null => {
      if (t.key === 'r:rip' || t.key === 'r:eip') {
        bad("NASM has no 'rip' register in addresses: write [rel label] (or 'default rel') for a RIP-relative address");
        return null;
      }
      const name = t.key.slice(2);
      const info = lookupRegister(name);
      if (!info || (info.cls !== 'gpr' && info.cls !== 'rip')) {
        bad(`invalid effective address: '${name}' cannot be used in an address`);
        return null;
      }
      return name;
    };
    const okScale = (c: bigint): boolean => c === 1n || c === 2n || c === 4n || c === 8n;
    const isScaled = (t: Term): boolean => !!(t as Term & { scaled?: boolean }).scaled;
    if (nRegs === 1) {
      const r = regName(t0!);
      if (r === null) return null;
      const c = t0!.coef;
      if (c === 1n) {
        if (isScaled(t0!) && o.nosplit) index = r;
        else base = r;
      } else if (c === 3n || c === 5n || c === 9n) {
        base = r;
        index = r;
        scale = Number(c - 1n) as 2 | 4 | 8;
      } else if (c === 2n && !o.nosplit) {
        base = r;
        index = r;
      } else if (okScale(c)) {
        index = r;
        scale = Number(c) as 1 | 2 | 4 | 8;
      } else return bad(`invalid effective address: scale ${c} (must be 1, 2, 4 or 8)`);
    } else if (nRegs === 2) {
      const n0 = regName(t0!);
      if (n0 === null) return null;
      const n1 = regName(t1!);
      if (n1 === null) return null;
      let a = t0!;
      let b = t1!;
      let an = n0;
      let bn = n1;
      if (t0!.coef !== 1n || (t1!.coef === 1n && isScaled(t0!) && !isScaled(t1!))) {
        [a, b, an, bn] = [t1!, t0!, n1, n0];
      }
      if (a.coef !== 1n) return bad('invalid effective address: only one register can be scaled');
      if (!okScale(b.coef)) return bad(`invalid effective address: scale ${b.coef} (must be 1, 2, 4 or 8)`);
      base = an;
      index = bn;
      scale = Number(b.coef) as 1 | 2 | 4 | 8;
      if (scale === 1 && (index === 'esp' || index === 'rsp' || index === 'sp')) [base, index] = [index, base];
    }
    const hasRegs = nRegs > 0;
    const isRip = base === 'rip' || base === 'eip';
    let rel = false;
    if (isRip) rel = true;
    else if (!hasRegs && this.bits === 64) {
      if (o.mode === 'rel') rel = true;
      else if (o.mode !== 'abs' && this.defaultRel && o.seg !== 'fs' && o.seg !== 'gs') {
        if (isSimple(other) && !other.unknown) {
          this.diag.warning('absolute address can not be RIP-relative', loc, o.c, o.e);
        } else rel = true;
      }
    }
    if (o.mode === 'rel' && this.bits !== 64) {
      this.diag.warning("'rel' has an effect only in 64-bit mode", loc, o.c, o.e);
    }
    let disp: bigint;
    let dispKnown: boolean;
    if (other.unknown) {
      disp = rel ? (this.isElf ? this.offset : (this.cur?.vaddr ?? 0n) + this.offset) : 0n;
      dispKnown = false;
    } else if (isSimple(other)) {
      disp = other.n;
      dispKnown = true;
    } else {
      disp = this.isElf ? other.n : (this.resolveBin(other) ?? other.n);
      dispKnown = false;
    }
    if (isRip) {
      base = null;
      rel = true;
    }
    const op: Operand = {
      kind: 'mem',
      size: (o.size > 16 ? 0 : o.size) as Size,
      seg: o.seg,
      base,
      index,
      scale,
      disp,
      dispKnown,
      dispSize: (o.dispSize > 8 ? 0 : o.dispSize) as Size,
      rel,
      absAddr: o.mode === 'abs' || (!hasRegs && !rel),
      nosplit: o.nosplit,
    };
    return { op, disp: other };
  }

  // -------------------------------------------------------------------------------------------
  // Directives

  private directive(st: Extract<Statement, { kind: 'dir' }>, pl: PPLine): void {
    const loc = pl.loc;
    const args = st.args;
    const a0 = args[0];
    const errAt = (msg: string, t?: Token): void => this.diag.error(msg, loc, t?.c ?? 0, t?.e ?? 0);
    switch (st.name) {
      case 'section':
      case 'segment': {
        if (!a0) {
          errAt('section needs a name');
          return;
        }
        const name = a0.k === 'str' ? new TextDecoder().decode(a0.b!) : sectionName(args);
        const consumed = a0.k === 'str' ? 1 : sectionNameLen(args);
        const s = this.getSection(name, args.slice(consumed));
        s.declared = true;
        this.touch(s);
        this.space = { kind: 'sect', sec: s };
        if (!st.bracket) this.userSpace = this.space;
        return;
      }
      case '__sect__':
      case '__?sect?__':
        this.space = this.userSpace;
        return;
      case 'absolute': {
        const v = this.evalDirExpr(args, 'absolute');
        if (!v) return;
        this.space = { kind: 'abs', base: v, off: 0n };
        if (!st.bracket) this.userSpace = this.space;
        return;
      }
      case 'bits': {
        const n = this.evalConst(args, 'bits');
        if (n === undefined) return;
        if (n !== 16n && n !== 32n && n !== 64n) {
          errAt(`bits ${n}: the mode must be 16, 32 or 64`, a0);
          return;
        }
        if (n === 64n && this.format === 'elf32') {
          // NASM allows it with a warning
          this.diag.warning('64-bit code in an elf32 object', loc, a0?.c ?? 0, a0?.e ?? 0);
        }
        this.bits = Number(n) as 16 | 32 | 64;
        return;
      }
      case 'use16':
        this.bits = 16;
        return;
      case 'use32':
        this.bits = 32;
        return;
      case 'use64':
        this.bits = 64;
        return;
      case 'default': {
        for (const t of args) {
          if (t.k === 'op' && t.s === ',') continue;
          const w = t.s.toLowerCase();
          if (w === 'rel') this.defaultRel = true;
          else if (w === 'abs') this.defaultRel = false;
          else if (w === 'bnd' || w === 'nobnd') continue;
          else errAt(`default: expected 'rel' or 'abs', not '${t.s}'`, t);
        }
        return;
      }
      case 'org': {
        if (this.isElf) {
          errAt(`'org' is not available in the ${this.format} format (the linker decides addresses)`, a0);
          return;
        }
        const n = this.evalConst(args, 'org');
        if (n === undefined) return;
        if (this.orgSet && this.org !== n) errAt('org given twice with different values', a0);
        this.org = n;
        this.orgSet = true;
        return;
      }
      case 'global':
      case 'static':
      case 'extern':
      case 'common':
      case 'required':
        this.symbolDirective(st.name, args, loc);
        return;
      case 'align':
      case 'alignb':
        this.align(st.name, args, pl);
        return;
      case 'sectalign': {
        const w = a0?.s.toLowerCase();
        if (w === 'on') this.sectAlignOn = true;
        else if (w === 'off') this.sectAlignOn = false;
        else {
          const n = this.evalConst(args, 'sectalign');
          if (n === undefined) return;
          if (n <= 0n || (n & (n - 1n)) !== 0n) errAt(`sectalign ${n}: not a power of two`, a0);
          else if (this.cur && this.sectAlignOn) this.cur.sectAlign = Math.max(this.cur.sectAlign, Number(n));
        }
        return;
      }
      case 'struc': {
        if (!a0 || a0.k !== 'id') {
          errAt('struc needs a name', a0);
          return;
        }
        let off = 0n;
        const rest = args.slice(1);
        if (rest.length && rest[0]!.s === ',') {
          const n = this.evalConst(rest.slice(1), 'struc offset');
          if (n !== undefined) off = n;
        }
        const prevSpace = this.space;
        this.space = { kind: 'abs', base: num(off), off: 0n };
        const name = a0.s.startsWith('$') ? a0.s.slice(1) : a0.s;
        this.strucStack.push({ name, sym: name, start: off, prevSpace });
        this.defineLabel(name, a0.c, a0.e, null);
        return;
      }
      case 'endstruc': {
        const s = this.strucStack.pop();
        if (!s) {
          errAt('endstruc without struc');
          return;
        }
        const size = this.space.kind === 'abs' ? this.space.base.n + this.space.off - s.start : 0n;
        const saveGlobal = this.lastGlobal;
        this.defineLabel(`${s.name}_size`, 0, 0, num(size));
        this.lastGlobal = saveGlobal;
        this.space = this.userSpace;
        return;
      }
      case 'istruc': {
        if (!a0 || a0.k !== 'id') {
          errAt('istruc needs a structure name', a0);
          return;
        }
        this.istrucStack.push({ name: a0.s, start: this.offset, sec: this.cur });
        return;
      }
      case 'at': {
        const top = this.istrucStack[this.istrucStack.length - 1];
        if (!top) {
          errAt('at outside istruc/iend');
          return;
        }
        // at FIELD, statement
        let k = 0;
        let depth = 0;
        for (; k < args.length; k++) {
          const t = args[k]!;
          if (t.s === '(' || t.s === '[') depth++;
          else if (t.s === ')' || t.s === ']') depth--;
          else if (t.s === ',' && depth === 0) break;
        }
        const fieldToks = args.slice(0, k);
        if (!fieldToks.length) {
          errAt('at needs a field name');
          return;
        }
        // `.field` means the structure's field
        const ft = fieldToks.map((t) => (t.k === 'id' && t.s.startsWith('.') && !t.s.startsWith('..') ? { ...t, s: top.name + t.s } : t));
        const fv = this.evalConst([...ft, { k: 'op', s: '-', c: 0, e: 0 }, { k: 'id', s: top.name, c: 0, e: 0 }], 'at');
        if (fv === undefined) return;
        const target = top.start + fv;
        const here = this.offset;
        if (target < here) {
          errAt(`at: field '${fieldToks.map((t) => t.s).join('')}' is at offset ${fv}, but the structure is already at ${here - top.start} (fields out of order?)`, fieldToks[0]);
        } else this.emitPadding(Number(target - here), pl);
        const rest = args.slice(k + 1);
        if (rest.length) {
          const p = parseLine(rest);
          for (const e of p.errors) this.diag.error(e.msg, loc, e.c, e.e);
          if (!p.errors.length) {
            if (p.stmt.kind === 'dir') this.directive(p.stmt, pl);
            else this.execStatementInline(p, pl);
          }
        }
        return;
      }
      case 'iend': {
        const top = this.istrucStack.pop();
        if (!top) {
          errAt('iend without istruc');
          return;
        }
        const sz = this.symbols.get(`${top.name}_size`);
        if (!sz || sz.unknown) {
          if (!sz) errAt(`iend: structure '${top.name}' is not defined (no '${top.name}_size')`);
          return;
        }
        const total = top.start + sz.off;
        const here = this.offset;
        if (total < here) errAt(`iend: the data is larger than structure '${top.name}' (${here - top.start} > ${sz.off} bytes)`);
        else this.emitPadding(Number(total - here), pl);
        return;
      }
      case 'cpu':
      case 'float':
      case 'warning':
      case 'list':
      case 'map':
      case 'debug':
      case 'group':
      case 'uppercase':
      case 'osabi':
      case 'gprefix':
      case 'gpostfix':
      case 'lprefix':
      case 'lpostfix':
        return;
      default:
        errAt(`the '${st.name}' directive is not supported`);
    }
  }

  private execStatementInline(p: ParsedLine, pl: PPLine): void {
    if (p.label) this.defineLabel(p.label.name, p.label.c, p.label.e, p.stmt.kind === 'equ' ? this.evalExpr(p.stmt.expr) : null);
    if (p.stmt.kind === 'equ' || p.stmt.kind === 'none') return;
    let count = 1;
    if (p.times) {
      const n = this.critical(p.times, 'times');
      count = n === undefined || n < 0n ? 0 : Number(n);
    }
    for (let i = 0; i < count; i++) this.exec(p.stmt, pl);
  }

  private emitPadding(n: number, pl: PPLine): void {
    if (n <= 0) return;
    if (this.space.kind === 'abs' || this.cur?.attrs.nobits) this.reserve(BigInt(n), pl);
    else this.emitBytes(new Uint8Array(n), pl);
  }

  private evalDirExpr(args: Token[], what: string): Val | undefined {
    const p = parseLine([{ k: 'id', s: 'dq', c: args[0]?.c ?? 0, e: args[0]?.c ?? 0 }, ...args]);
    if (p.errors.length || p.stmt.kind !== 'data' || p.stmt.items.length !== 1 || p.stmt.items[0]!.k !== 'expr') {
      this.diag.error(`${what}: expected one value`, this.curLine!.loc, args[0]?.c ?? 0, args[args.length - 1]?.e ?? 0);
      return undefined;
    }
    const v = this.evalExpr((p.stmt.items[0] as { expr: Expr }).expr);
    if (v.unknown) this.changed = true;
    return v;
  }

  private align(name: string, args: Token[], pl: PPLine): void {
    const loc = pl.loc;
    let k = 0;
    let depth = 0;
    for (; k < args.length; k++) {
      const t = args[k]!;
      if (t.s === '(') depth++;
      else if (t.s === ')') depth--;
      else if (t.s === ',' && depth === 0) break;
    }
    const n = this.evalConst(args.slice(0, k), name);
    if (n === undefined) return;
    if (n <= 0n || (n & (n - 1n)) !== 0n) {
      this.diag.error(`${name} ${n}: the alignment must be a power of two`, loc, args[0]?.c ?? 0, args[k - 1]?.e ?? 0);
      return;
    }
    const sec = this.cur;
    if (sec && this.sectAlignOn) sec.sectAlign = Math.max(sec.sectAlign, Number(n));
    // pad from $$: ((n - ($-$$) % n) % n)
    const off = this.space.kind === 'sect' ? BigInt(this.space.sec.size) : this.space.off;
    const pad = Number((n - (off % n)) % n);
    if (pad === 0) return;
    const start = this.offset;
    const fillToks = args.slice(k + 1);
    if (fillToks.length === 0) {
      if (name === 'alignb' || this.space.kind === 'abs') this.reserve(BigInt(pad), pl);
      else this.emitBytes(new Uint8Array(pad).fill(0x90), pl);
    } else {
      const p = parseLine(fillToks);
      for (const e of p.errors) this.diag.error(e.msg, loc, e.c, e.e);
      if (p.errors.length || p.stmt.kind === 'none' || p.stmt.kind === 'dir' || p.stmt.kind === 'equ') return;
      // NASM's align is `times ((n - ($-$$) % n) % n) STATEMENT`: the statement is repeated once
      // per missing byte (a multi-byte fill overshoots, as in NASM)
      for (let i = 0; i < pad; i++) this.exec(p.stmt, pl);
    }
    const sec2 = this.cur;
    if (sec2 && this.offset > start) sec2.lines.push({ off: Number(start), size: Number(this.offset - start), loc });
  }

  private symbolDirective(kind: string, args: Token[], loc: SrcLoc): void {
    // comma-separated names, each optionally with :type/size qualifiers
    const groups: Token[][] = [];
    let cur: Token[] = [];
    for (const t of args) {
      if (t.k === 'op' && t.s === ',') {
        groups.push(cur);
        cur = [];
      } else cur.push(t);
    }
    groups.push(cur);
    for (const g of groups) {
      const t = g[0];
      if (!t) continue;
      if (t.k !== 'id') {
        this.diag.error(`${kind}: '${t.s}' is not a symbol name`, loc, t.c, t.e);
        continue;
      }
      const name = t.s.startsWith('$') ? t.s.slice(1) : this.qualify(t.s);
      let s = this.symbols.get(name);
      if (kind === 'global' || kind === 'static' || kind === 'required') {
        if (!s) {
          s = { name, kind: 'label', sec: -1, off: 0n, pass: 0, global: kind === 'global', loc, c: t.c, e: t.e, unknown: true };
          this.symbols.set(name, s);
        }
        if (kind === 'global') s.global = true;
        // global foo:function size
        if (g[1]?.s === ':' && g[2]?.k === 'id') {
          s.globalType = g[2].s.toLowerCase();
          if (g.length > 3) {
            const p = parseLine([{ k: 'id', s: 'dq', c: 0, e: 0 }, ...g.slice(3)]);
            if (p.stmt.kind === 'data' && p.stmt.items[0]?.k === 'expr') s.globalSize = p.stmt.items[0].expr;
          }
        }
        continue;
      }
      if (kind === 'extern') {
        if (s && (s.kind === 'label' || s.kind === 'equ') && s.pass === this.pass) continue; // defined here: NASM ignores
        if (!s) {
          s = { name, kind: 'extern', sec: -1, off: 0n, pass: -1, global: false, loc, c: t.c, e: t.e, unknown: false };
          this.symbols.set(name, s);
          this.changed = true;
        } else if (s.pass !== this.pass) {
          s.kind = 'extern';
          s.loc = loc;
        }
        continue;
      }
      if (kind === 'common') {
        // common name size[:align]
        const rest = g.slice(1);
        let alignToks: Token[] = [];
        const colon = rest.findIndex((x) => x.s === ':');
        let sizeToks = rest;
        if (colon >= 0) {
          sizeToks = rest.slice(0, colon);
          alignToks = rest.slice(colon + 1);
        }
        const size = this.evalConst(sizeToks, 'common size');
        const al = alignToks.length ? this.evalConst(alignToks, 'common alignment') : undefined;
        if (!s) {
          s = { name, kind: 'common', sec: -1, off: 0n, pass: -1, global: true, loc, c: t.c, e: t.e, unknown: false };
          this.symbols.set(name, s);
          this.changed = true;
        }
        if (s.kind !== 'label' || s.pass !== this.pass) {
          s.kind = 'common';
          s.commonSize = size ?? 0n;
          s.commonAlign = al;
          s.global = true;
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Listing (like nasm -l)

  private makeListing(): string {
    const out: string[] = [];
    const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
    for (const it of this.listItems) {
      if (it.nolist) continue;
      let top = it.loc;
      while (top.from) top = top.from.site;
      const ln = String(top.line).padStart(6);
      const depth = expansionDepth(it.loc);
      const text = (depth ? `<${depth}> ` : '') + it.text;
      const addr = (it.off >>> 0).toString(16).toUpperCase().padStart(8, '0');
      if (it.equ !== undefined) {
        out.push(`${ln} ${''.padEnd(8)} ${('= ' + BigInt.asUintN(64, it.equ).toString(16).toUpperCase()).padEnd(24)}${text}`);
        continue;
      }
      if (it.bytes.length === 0) {
        if (it.reserved > 0) out.push(`${ln} ${addr} ${`<res ${it.reserved.toString(16).toUpperCase()}h>`.padEnd(24)}${text}`);
        else out.push(`${ln} ${''.padEnd(8)} ${''.padEnd(24)}${text}`);
        continue;
      }
      // 9 bytes per row, '-' marks a continued row (as nasm -l)
      for (let i = 0; i < it.bytes.length; i += 9) {
        const chunk = it.bytes.subarray(i, Math.min(it.bytes.length, i + 9));
        const more = i + 9 < it.bytes.length;
        const a = ((it.off + i) >>> 0).toString(16).toUpperCase().padStart(8, '0');
        out.push(`${ln} ${a} ${(hex(chunk) + (more ? '-' : '')).padEnd(24)}${i === 0 ? text : ''}`.trimEnd());
        if (i >= 9 * 64) {
          out.push(`${ln} ${''.padEnd(8)} ${'...'.padEnd(24)}`);
          break;
        }
      }
    }
    return out.join('\n') + '\n';
  }
}

function expansionDepth(loc: SrcLoc): number {
  let n = 0;
  for (let l = loc; l.from; l = l.from.site) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// helpers

const SECTION_FLAGS = new Set(['progbits', 'nobits', 'alloc', 'noalloc', 'exec', 'noexec', 'write', 'nowrite', 'tls', 'notls', 'code', 'data', 'bss', 'text', 'rdata', 'info']);

function sectionNameLen(args: Token[]): number {
  // a name is the run of tokens up to the first whitespace gap (tokens are adjacent)
  let k = 1;
  while (k < args.length && args[k]!.c === args[k - 1]!.e && !(args[k]!.k === 'op' && args[k]!.s === ',')) k++;
  return k;
}
function sectionName(args: Token[]): string {
  return args
    .slice(0, sectionNameLen(args))
    .map((t) => t.s)
    .join('');
}

export function defaultAttrs(name: string, format: OutputFormat): SectionAttrs {
  const a: SectionAttrs = { nobits: false, alloc: true, exec: false, write: false, tls: false, align: 0, explicitType: false };
  if (format === 'bin' || format === 'image') {
    a.nobits = name === '.bss';
    a.exec = name === '.text';
    a.write = name !== '.text';
    return a;
  }
  switch (name) {
    case '.text':
      a.exec = true;
      a.align = 16;
      break;
    case '.data':
      a.write = true;
      a.align = 4;
      break;
    case '.rodata':
      a.align = 4;
      break;
    case '.bss':
      a.nobits = true;
      a.write = true;
      a.align = 4;
      break;
    case '.tdata':
      a.write = true;
      a.tls = true;
      a.align = 4;
      break;
    case '.tbss':
      a.nobits = true;
      a.write = true;
      a.tls = true;
      a.align = 4;
      break;
    case '.comment':
      a.alloc = false;
      a.align = 1;
      break;
    default:
      if (name.startsWith('.debug')) {
        a.alloc = false;
        a.align = 1;
      } else a.align = 1;
  }
  return a;
}

export function leBytes(n: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, n);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function checkRange(n: bigint, size: number, warn: (m: string) => void): void {
  if (size >= 8) return;
  const lim = 1n << BigInt(size * 8);
  if (n >= lim || n < -lim) warn(`data exceeds bounds: ${n} does not fit in ${size} byte${size === 1 ? '' : 's'} (truncated)`);
}

/** The last encoding of an instruction statement (reused in later passes when nothing changed). */
type InsnMemo = { memo?: { ins: AsmInstruction; ctx: EncodeContext; res: EncodeResult } };

function sameEncoding(a: AsmInstruction, ac: EncodeContext, b: AsmInstruction, bc: EncodeContext, addrDep: boolean): boolean {
  if (ac.bits !== bc.bits || ac.defaultRel !== bc.defaultRel || (addrDep && ac.address !== bc.address)) return false;
  if (a.mnemonic !== b.mnemonic || a.strictJump !== b.strictJump || a.operands.length !== b.operands.length) return false;
  if (a.prefixes.length !== b.prefixes.length || a.prefixes.some((p, i) => p !== b.prefixes[i])) return false;
  for (let i = 0; i < a.operands.length; i++) {
    const x = a.operands[i]!;
    const y = b.operands[i]!;
    if (x.kind !== y.kind) return false;
    switch (x.kind) {
      case 'reg':
        if (x.name !== (y as typeof x).name) return false;
        break;
      case 'imm': {
        const z = y as typeof x;
        if (x.value !== z.value || x.size !== z.size || x.strict !== z.strict || x.known !== z.known) return false;
        break;
      }
      case 'far': {
        const z = y as typeof x;
        if (x.segment !== z.segment || x.offset !== z.offset || x.known !== z.known || x.size !== z.size || x.segmentKnown !== z.segmentKnown) return false;
        break;
      }
      case 'mem': {
        const z = y as typeof x;
        if (
          x.size !== z.size || x.seg !== z.seg || x.base !== z.base || x.index !== z.index || x.scale !== z.scale || x.disp !== z.disp ||
          x.dispKnown !== z.dispKnown || x.dispSize !== z.dispSize || x.rel !== z.rel || x.absAddr !== z.absAddr || x.nosplit !== z.nosplit
        )
          return false;
        break;
      }
    }
  }
  return true;
}

export function encodeKey(ins: AsmInstruction, ctx: EncodeContext, withAddress: boolean): string {
  let k = `${ctx.bits}|${ctx.defaultRel ? 1 : 0}|${withAddress ? ctx.address : ''}|${ins.mnemonic}|${ins.prefixes.join(',')}|${ins.strictJump ?? ''}`;
  for (const o of ins.operands) {
    switch (o.kind) {
      case 'reg':
        k += `|r${o.name}`;
        break;
      case 'imm':
        k += `|i${o.value},${o.size},${o.strict ? 1 : 0},${o.known ? 1 : 0}`;
        break;
      case 'far':
        k += `|f${o.segment},${o.offset},${o.known ? 1 : 0},${o.size ?? 0},${o.segmentKnown === false ? 0 : 1}`;
        break;
      case 'mem':
        k += `|m${o.size},${o.seg},${o.base},${o.index},${o.scale},${o.disp},${o.dispKnown ? 1 : 0},${o.dispSize},${o.rel ? 1 : 0},${o.absAddr ? 1 : 0},${o.nosplit ? 1 : 0}`;
        break;
    }
  }
  return k;
}

function valKey(v: Val): string {
  return `${v.n}|${v.terms.map((t) => `${t.key}*${t.coef}`).join(',')}|${v.unknown}|${v.wrt ?? ''}|${v.seg ?? ''}`;
}

export function outerFileOf(loc: SrcLoc): string {
  let l = loc;
  while (l.from) l = l.from.site;
  return l.file;
}

export type { LineEntry };
