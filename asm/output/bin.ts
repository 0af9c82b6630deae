// Flat binary output (`-f bin`) and the debugger's image built on the same layout.
//
// Section placement follows NASM's rules for the bin format:
//  - `.text` comes first, at `org` (0 by default) unless it has `start=`;
//  - a section with `start=` is at that address; with `follows=X` right after X;
//  - any other progbits section follows the progbits section declared before it (`.text` counted
//    first), a nobits section the section of either kind declared before it (it may overlap what
//    follows, as in NASM), aligned to `align=` or what `align`/`sectalign` asked inside it, 4 by
//    default;
//  - `.bss` (if it has no placement of its own) goes after the progbits section that ends last;
//  - `vstart=` / `vfollows=` give the addresses labels use; by default they equal the start;
//  - the file runs from the lowest progbits start to the highest progbits end, gaps filled with 0.

import type { Assembler, Section } from '../assembler';
import type { Image, ImageSection, ImageSymbol, LineEntry } from '../image';
import { outermost } from '../diagnostics';

export interface BinLayout {
  /** A string that changes whenever any address changes (to detect a settled layout). */
  key: string;
  origin: bigint;
  end: bigint;
  placed: { sec: Section; start: bigint; vstart: bigint; align: number }[];
  errors: string[];
}

function alignUp(x: bigint, a: number): bigint {
  const A = BigInt(Math.max(1, a));
  return ((x + A - 1n) / A) * A;
}

function sectionAlign(s: Section): number {
  const base = s.attrs.align || 4;
  return Math.max(base, s.sectAlign || 0);
}

export function layoutBin(asm: Assembler): BinLayout {
  const errors: string[] = [];
  const origin = asm.org ?? 0n;
  const used = asm.sections.filter((s) => s.declared || s.name === '.text');
  const text = used.find((s) => s.name === '.text');
  const isDeferredBss = (s: Section): boolean =>
    s.name === '.bss' && s.attrs.nobits && s.attrs.start === undefined && s.attrs.vstart === undefined && !s.attrs.follows && !s.attrs.vfollows;
  // sections chain in declaration order (.text first); `.bss` without a placement of its own goes
  // after the progbits section that ends highest
  const list: Section[] = [];
  if (text) list.push(text);
  for (const s of used) if (s !== text && !isDeferredBss(s)) list.push(s);
  const deferred = used.filter(isDeferredBss);

  const start = new Map<Section, bigint>();
  const end = (s: Section): bigint => start.get(s)! + BigInt(s.size);
  const byName = new Map(used.map((s) => [s.name, s]));
  let progress = true;
  while (progress && start.size < list.length) {
    progress = false;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (start.has(s)) continue;
      let at: bigint | undefined;
      if (s.attrs.start !== undefined) at = s.attrs.start;
      else if (s.attrs.follows) {
        const f = byName.get(s.attrs.follows);
        if (!f) {
          errors.push(`section '${s.name}' follows '${s.attrs.follows}', which does not exist`);
          at = origin;
        } else if (start.has(f)) at = alignUp(end(f), sectionAlign(s));
      } else if (i === 0) at = origin;
      else {
        // a progbits section follows the previous progbits section; a nobits one the previous
        // section of either kind (NASM lets a nobits section overlap what follows it)
        let j = i - 1;
        if (!s.attrs.nobits) while (j > 0 && list[j]!.attrs.nobits) j--;
        const prev = list[j]!;
        if (start.has(prev)) at = alignUp(end(prev), sectionAlign(s));
      }
      if (at !== undefined) {
        start.set(s, at);
        progress = true;
      }
    }
  }
  for (const s of list) {
    if (!start.has(s)) {
      errors.push(`cannot place section '${s.name}' (a follows= loop?)`);
      start.set(s, origin);
    }
  }
  // .bss after the progbits section that ends last
  let lastEnd = origin;
  for (const s of list) if (!s.attrs.nobits && end(s) > lastEnd) lastEnd = end(s);
  let cursor = lastEnd;
  for (const s of deferred) {
    const at = alignUp(cursor, sectionAlign(s));
    start.set(s, at);
    cursor = at + BigInt(s.size);
  }
  // virtual addresses
  const vstart = new Map<Section, bigint>();
  const all = [...list, ...deferred];
  progress = true;
  while (progress && vstart.size < all.length) {
    progress = false;
    for (const s of all) {
      if (vstart.has(s)) continue;
      let v: bigint | undefined;
      if (s.attrs.vstart !== undefined) v = s.attrs.vstart;
      else if (s.attrs.vfollows) {
        const f = byName.get(s.attrs.vfollows);
        if (!f) {
          errors.push(`section '${s.name}' vfollows '${s.attrs.vfollows}', which does not exist`);
          v = start.get(s)!;
        } else if (vstart.has(f)) v = alignUp(vstart.get(f)! + BigInt(f.size), sectionAlign(s));
      } else v = start.get(s)!;
      if (v !== undefined) {
        vstart.set(s, v);
        progress = true;
      }
    }
  }
  for (const s of all) if (!vstart.has(s)) vstart.set(s, start.get(s)!);

  // overlaps among progbits sections
  const prog = all.filter((s) => !s.attrs.nobits && s.size > 0).sort((a, b) => (start.get(a)! < start.get(b)! ? -1 : 1));
  for (let i = 1; i < prog.length; i++) {
    const a = prog[i - 1]!;
    const b = prog[i]!;
    if (end(a) > start.get(b)!) errors.push(`sections '${a.name}' and '${b.name}' overlap`);
  }
  let lo: bigint | undefined;
  let hi = origin;
  for (const s of all) {
    if (s.attrs.nobits) continue;
    if (s.size === 0 && s !== text) continue;
    const st = start.get(s)!;
    if (lo === undefined || st < lo) lo = st;
    if (end(s) > hi) hi = end(s);
  }
  if (lo === undefined) lo = origin;
  if (lo > origin && text && text.size === 0) {
    // nothing at the origin
  }
  for (const s of all) {
    if (start.get(s)! < origin && !s.attrs.nobits && s.size > 0) errors.push(`section '${s.name}' starts below the origin (org ${origin.toString(16)}h)`);
  }
  const placed = all.map((s) => ({ sec: s, start: start.get(s)!, vstart: vstart.get(s)!, align: sectionAlign(s) }));
  for (const p of placed) {
    p.sec.laddr = p.start;
    p.sec.vaddr = p.vstart;
  }
  const key = placed.map((p) => `${p.sec.index}:${p.start}:${p.vstart}`).join(',');
  return { key, origin: lo < origin ? lo : origin, end: hi, placed, errors };
}

export function writeBin(asm: Assembler, lay: BinLayout): Uint8Array {
  for (const e of lay.errors) asm.diag.add({ severity: 'error', message: e, file: asm.source.path, line: 1, column: 1, endColumn: 2 });
  const origin = lay.origin;
  let lo: bigint | undefined;
  for (const p of lay.placed) {
    if (p.sec.attrs.nobits || (p.sec.size === 0 && p.sec.name !== '.text')) continue;
    if (lo === undefined || p.start < lo) lo = p.start;
  }
  const base = lo ?? origin;
  const len = lay.end > base ? Number(lay.end - base) : 0;
  const out = new Uint8Array(len);
  for (const p of lay.placed) {
    if (p.sec.attrs.nobits || p.sec.size === 0) continue;
    const off = Number(p.start - base);
    if (off < 0) continue;
    out.set(p.sec.data.buf.subarray(0, p.sec.size), off);
  }
  return out;
}

export function buildImage(asm: Assembler, lay: BinLayout, flat: Uint8Array): Image {
  let lo: bigint | undefined;
  for (const p of lay.placed) {
    if (p.sec.attrs.nobits || (p.sec.size === 0 && p.sec.name !== '.text')) continue;
    if (lo === undefined || p.start < lo) lo = p.start;
  }
  const base = lo ?? lay.origin;
  const sections: ImageSection[] = lay.placed.map((p) => ({
    name: p.sec.name,
    address: p.vstart,
    fileOffset: p.sec.attrs.nobits ? -1 : Number(p.start - base),
    data: p.sec.attrs.nobits ? new Uint8Array(0) : p.sec.data.buf.slice(0, p.sec.size),
    size: p.sec.size,
    nobits: p.sec.attrs.nobits,
    exec: p.sec.attrs.exec,
    write: p.sec.attrs.write,
    align: p.align,
  }));
  const symbols: ImageSymbol[] = [];
  for (const s of asm.symbols.values()) {
    if (s.kind !== 'label' && s.kind !== 'equ') continue;
    if (s.pass !== asm.pass) continue;
    if (s.name.startsWith('..@')) continue;
    let address: bigint;
    let section: string | null = null;
    if (s.val) {
      const r = asm.resolveBin(s.val);
      if (r === undefined) continue;
      address = r;
    } else if (s.sec >= 0) {
      const sec = asm.sections[s.sec]!;
      address = sec.vaddr + s.off;
      section = sec.name;
    } else address = s.off;
    symbols.push({ name: s.name, address, section, global: s.global, kind: s.kind === 'label' && s.sec >= 0 ? 'label' : 'equ' });
  }
  symbols.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name < b.name ? -1 : 1));
  const lines: LineEntry[] = [];
  for (const p of lay.placed) {
    for (const l of p.sec.lines) {
      const out = outermost(l.loc);
      const e: LineEntry = { address: p.vstart + BigInt(l.off), size: l.size, file: out.loc.file, line: out.loc.line };
      if (l.loc.from) {
        const exp: { file: string; line: number; macro: string }[] = [];
        let cur = l.loc;
        while (cur.from) {
          exp.push({ file: cur.file, line: cur.line, macro: cur.from.name });
          cur = cur.from.site;
        }
        e.expansion = exp;
      }
      lines.push(e);
    }
  }
  lines.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return {
    format: 'image',
    bits: asm.firstBits,
    origin: base,
    flat,
    sections,
    symbols,
    lines,
    files: [...asm.files],
  };
}
