// Generates the decoder corpus: byte sequences covering every form of the table (several
// encodings per form and mode: ModRM/SIB/displacement/immediate/prefix/REX variations), plus
// hand-picked prefix and invalid cases; disassembles them with objdump and llvm-mc; writes
// test/fixtures/isa/corpus64.txt and corpus32.txt. Run through scripts/isa/corpus.mjs.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpKind, type Form } from '../../isa/form';
import { FORMS } from '../../isa/table';
import { judge, RULES, type CaseLine } from './judge';

type Bits = 64 | 32;

/** Deterministic generator (xorshift32), so the corpus is reproducible. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

const SEGS = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
const EDGE8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x10, 0xf0];

function immBytes(rng: Rng, n: number): number[] {
  const out: number[] = [];
  const style = rng.int(4);
  for (let i = 0; i < n; i++) {
    if (style === 0) out.push(rng.int(256));
    else if (style === 1) out.push(i === n - 1 ? rng.pick([0x00, 0x7f, 0x80, 0xff]) : rng.pick(EDGE8));
    else if (style === 2) out.push(i === 0 ? rng.int(256) : 0);
    else out.push(i === 0 ? rng.int(256) : 0xff);
  }
  return out;
}

/** One encoding of `form` in `bits`-bit mode; `v` selects the variation. */
function synth(form: Form, bits: Bits, rng: Rng, v: number): number[] {
  const is64 = bits === 64;
  const pre: number[] = [];
  let rexW = false;
  let p66 = false;
  let p67 = false;
  if (form.opSize === 16) p66 = true;
  else if (form.opSize === 64) rexW = true;
  else if (form.size64 === 'd64' && is64) rexW = v % 3 === 2;
  else if (form.size64 === 'f64' && is64) (rexW = v % 3 === 2), (p66 = v % 3 === 1);
  else if (!form.size64 && form.opSize === 0 && v % 5 === 4) p66 = true; // a redundant 66
  const hasModrmMem = form.modrm >= 0 && form.modRestrict !== 2 && !form.operands.some((o) => o.kind === OpKind.Cr || o.kind === OpKind.Dr);
  if (form.addrSize === 16) p67 = true;
  else if (form.addrSize === 32) p67 = is64;
  else if (form.addrSize === 0 && (hasModrmMem || form.moffs || ['MOVS', 'CMPS', 'SCAS', 'LODS', 'STOS', 'INS', 'OUTS', 'XLAT'].includes(form.mnemonic.replace(/[BWDQ]$/, '')))) p67 = v % 4 === 3;
  // Legacy prefixes in a varied order.
  const legacy: number[] = [];
  if (form.lock && v % 3 === 1) legacy.push(0xf0);
  if ((hasModrmMem || form.moffs) && v % 4 === 2) legacy.push(rng.pick(SEGS));
  if (p67) legacy.push(0x67);
  if (p66) legacy.push(0x66);
  if ((form.rep || form.repe) && v % 2 === 1) legacy.push(form.repe ? rng.pick([0xf3, 0xf2]) : 0xf3);
  for (let i = legacy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [legacy[i], legacy[j]] = [legacy[j]!, legacy[i]!];
  }
  pre.push(...legacy);
  if (form.mandatory > 0) pre.push(form.mandatory);

  // ModRM fields.
  const opBytes = [...form.opcode];
  let reg = 0;
  let rexR = 0, rexX = 0, rexB = 0;
  if (form.opReg) {
    const r = rng.int(8);
    opBytes[opBytes.length - 1]! += r;
    if (is64) rexB = rng.chance(0.4) ? 1 : 0;
  }
  const tail: number[] = [];
  if (form.modrm >= 0) {
    const kinds = form.operands.map((o) => o.kind);
    if (form.modrm < 8) reg = form.modrm;
    else if (kinds.includes(OpKind.Sreg)) reg = form.operands[0]!.kind === OpKind.Sreg ? rng.pick([0, 2, 3, 4, 5]) : rng.int(6);
    else if (kinds.includes(OpKind.Cr)) {
      reg = rng.pick([0, 2, 3, 4]);
      if (is64 && v % 4 === 3) (reg = 0), (rexR = 1); // CR8
    } else if (kinds.includes(OpKind.Dr)) reg = rng.int(8);
    else {
      reg = rng.int(8);
      if (is64) rexR = rng.chance(0.3) ? 1 : 0;
    }
    let mod: number;
    if (form.modRestrict === 2 || kinds.includes(OpKind.Cr) || kinds.includes(OpKind.Dr)) mod = 3;
    else if (form.modRestrict === 1) mod = v % 3;
    else mod = [3, 0, 1, 2][v % 4]!;
    let rm = rng.int(8);
    if (is64 && rng.chance(0.3)) rexB = 1;
    const addr16 = !is64 && p67;
    tail.push((mod << 6) | (reg << 3) | rm);
    if (mod !== 3) {
      if (addr16) {
        if (mod === 0 && rm === 6) tail.push(...immBytes(rng, 2));
        else if (mod === 1) tail.push(...immBytes(rng, 1));
        else if (mod === 2) tail.push(...immBytes(rng, 2));
      } else {
        if (rm === 4) {
          let sib = rng.int(256);
          if (v % 7 === 0) sib = (sib & 0xc0) | (4 << 3) | (sib & 7); // no index
          if (is64 && rng.chance(0.3)) rexX = 1;
          tail.push(sib);
          if ((sib & 7) === 5 && mod === 0) tail.push(...immBytes(rng, 4));
        } else if (rm === 5 && mod === 0) tail.push(...immBytes(rng, 4));
        if (mod === 1) tail.push(...immBytes(rng, 1));
        else if (mod === 2) tail.push(...immBytes(rng, 4));
      }
    }
  }
  if (form.moffs) {
    const n = is64 ? (p67 ? 4 : 8) : p67 ? 2 : 4;
    tail.push(...immBytes(rng, n));
  }
  for (const n of form.immSizes) tail.push(...immBytes(rng, n));

  if (is64) {
    const rex = (rexW ? 8 : 0) | (rexR << 2) | (rexX << 1) | rexB;
    const needPlain = form.operands.some((o) => o.size === 1 && (o.kind === OpKind.Reg || o.kind === OpKind.RegMem || o.kind === OpKind.OpReg)) && v % 2 === 0;
    if (rex || needPlain) pre.push(0x40 | rex);
  }
  return [...pre, ...opBytes, ...tail];
}

/** Hand-picked cases: prefix interplay and what hardware rejects. */
const EXTRA: Record<Bits, string[]> = {
  64: [
    '90', '66 90', '48 90', 'f3 90', '41 90', 'f3 41 90', '49 90', '66 41 90',
    'f3 0f b8 c0', '0f b8 c0', '66 f3 0f b8 c0', 'f3 48 0f b8 c0', 'f2 0f b8 c0', '66 0f b8 c0',
    'f3 0f bc c0', 'f3 0f bd c0', 'f2 f3 0f bc c0', 'f3 f2 0f bc c0',
    '48 66 01 c0', '66 48 01 c0', '41 48 01 c0', '48 41 01 c0', '40 f0 01 00', 'f0 40 01 00',
    '88 e0', '40 88 e0', '88 c4', '41 88 c4', '0f b6 c4', '40 0f b6 c4', 'b4 01', '41 b4 01',
    '8b 04 24', '8b 04 20', '8b 04 60', '8b 44 20 00', '8b 04 25 10 00 00 00', '8b 04 65 10 00 00 00',
    '42 8b 04 25 10 00 00 00', '41 8b 04 24', '41 8b 45 00', '8b 45 00', '8b 05 10 00 00 00',
    '67 8b 05 10 00 00 00', '67 8b 00', '67 8b 04 24', '64 8b 00', '65 8b 00', '64 65 8b 00', '2e 8b 00',
    '3e 8b 45 00', '36 8b 00', '26 8b 00', 'f0 01 c0', 'f0 8b 00', 'f0 90', 'f0 f0 01 00',
    '8d c0', '0f 01 d0', '0f 20 c8', '0f 20 e8', '44 0f 20 c0', '44 0f 22 c0', '44 0f 21 c0', '0f 20 00',
    '8e c8', '8c f0', '8e f8', '06', '07', '0e', '16', '17', '1e', '1f', '27', '2f', '37', '3f', '60', '61',
    '62 00', 'c4 00', 'c5 00', 'ce', 'd4 0a', 'd5 0a', 'd6', '82 c0 01', '9a 00 00 00 00 00 00', 'ea 00 00 00 00 00 00',
    '0f 05', '0f 07', '48 0f 07', '0f 34', '0f 35', '48 0f 35', '0f 01 f8', '0f 01 f9',
    '66 e8 00 00 00 00', '66 e9 00 00 00 00', '66 eb 00', '66 74 00', '66 0f 84 00 00 00 00', '66 c3', '66 c2 10 00',
    '66 ff d0', '66 ff e0', '48 e8 00 00 00 00', '48 ff d0',
    'e3 00', '67 e3 00', 'e2 fe', '67 e2 fe',
    '48 ff 18', '48 ff 28', 'ff 18', '66 ff 18', '48 cb', '48 ca 10 00',
    'c8 10 00 05', '66 c8 10 00 05', 'c9', '66 c9',
    'a4', 'f3 a4', 'f2 a4', 'f3 48 a5', '67 a4', '64 a4', 'f3 67 48 ab', 'f2 ae', 'f3 ae', 'f3 a6', 'f2 66 a7',
    '6c', 'f3 6d', '66 6f', 'd7', '67 d7', '64 d7',
    '48 a1 11 22 33 44 55 66 77 88', '67 a1 11 22 33 44', 'a0 11 22 33 44 55 66 77 88', '64 48 a3 11 22 33 44 55 66 77 88',
    '48 b8 11 22 33 44 55 66 77 88', '48 c7 c0 ff ff ff ff', '6a ff', '66 6a ff', '68 00 00 00 80', '66 68 34 12',
    '83 c0 ff', '48 83 c0 ff', '66 83 c0 ff', '80 c0 ff', '6b c0 ff', '69 c0 00 00 00 80',
    'c1 e0 ff', 'd1 e0', 'd1 f0', 'd3 e0', 'c0 f0 01', '0f ba e0 ff', 'e4 80', 'e6 80', 'cd 80', 'cc', 'f1',
    '0f 0b', '0f b9 c0', '0f ff c0', '0f 1f 00', '66 0f 1f 84 00 00 00 00 00', '0f 1f c0', '0f 18 00', '0f 18 c0',
    '0f ae 38', '0f ae f8', '0f ae e8', '0f ae f0', '66 0f ae f8', '0f ae f9',
    '0f 90 c0', '0f 90 c8', '0f 94 00', '48 63 c0', '63 c0', '66 63 c0',
    '0f 00 d8', '0f 01 e0', '48 0f 01 e0', '0f 01 f0', '0f 00 c0', '0f 00 00', '48 0f 00 c0',
    '0f 02 c0', '48 0f 02 c0', '0f 03 00', '66 0f 02 c0',
    '9c', '66 9c', '48 9c', '9d', 'cf', '48 cf', '66 cf', '98', '66 98', '48 98', '99', '48 99',
    '0f a0', '66 0f a0', '0f a1', '0f a8', '0f a9', '0f b2 00', '48 0f b2 00', '66 0f b2 00', '0f b2 c0',
    '48 0f c7 08', '0f c7 08', 'f0 48 0f c7 08', '0f c7 c8', '0f c8', '48 0f c8', '41 0f c8', '66 0f c8',
    '0f 38 f0 00', '0f 38 f1 00', '0f 38 f0 c0', '66 0f 38 f0 00', '48 0f 38 f1 00',
    '66 66 66 66 66 66 66 66 66 66 66 66 66 66 90', '66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90',
    '66 66 66 66 66 66 66 66 66 66 48 8b 80 00 00 00 00',
  ],
  32: [
    '90', '66 90', 'f3 90', '40', '48', '4f', '66 40', '67 8b 00', '67 8b 42 10', '67 8b 06 10 00', '67 8b 47 f0',
    '67 8b 87 00 80', '67 8b 04', '67 8b 05', '67 8b 40 00', '67 8b 44 01', '67 8b 44 ff',
    '8b 04 25 10 00 00 00', '8b 05 f0 ff ff ff', '8b 04 24', '8b 45 00', '36 8b 00', '3e 8b 45 00', '2e 8b 00', '26 8b 00', '64 8b 00',
    '62 00', '66 62 00', '62 c0', '63 c0', 'c4 00', 'c5 00', '66 c4 00', '0f b2 00', '66 0f b2 00',
    '9c', '66 9c', '60', '66 60', '61', '66 61', 'cf', '66 cf', '0e', '1f', '07', '17', '0f a0', '66 0f a0',
    '27', '2f', '37', '3f', 'd4 0a', 'd4 05', 'd5 0a', 'd5 05', 'd6', 'ce', '82 c0 01',
    'e3 00', '67 e3 00', '66 e3 00', 'e2 00', '66 e8 00 00', 'e8 00 00 00 00', '66 eb 00', '66 74 00', '66 0f 84 00 00', '66 c3', '66 c2 10 00',
    '66 ff d0', 'ff 18', '66 ff 18', 'ff 28', 'ea 78 56 34 12 34 12', '9a 78 56 34 12 34 12', '66 ea 34 12 78 56', '66 9a 34 12 78 56',
    '66 6a ff', '6a ff', '68 00 00 00 80', '66 68 34 12',
    'f3 67 a4', 'f3 a5', '66 a5', 'f2 ae', 'd7', '67 d7', 'a1 44 33 22 11', '67 a1 22 11', '66 67 a1 22 11',
    '0f 05', '0f 07', '0f 34', '0f 35', '0f 01 f8', '0f 20 c0', '0f 20 00', '0f 22 d8', '0f 21 f8', '0f 23 c0', '0f 20 c8',
    '8e c8', '8c c0', '66 8c c0', '8c 00', 'f0 01 c0', 'f0 01 00', 'f0 8b 00',
    'c8 10 00 05', '66 c8 10 00 05', 'c9', '66 c9', 'f1', 'cd 80',
    '66 66 66 66 66 66 66 66 66 66 66 66 66 66 90', '66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90',
  ],
};

function run(cmd: string, args: string[], input?: string): { out: string; err: string } {
  try {
    const out = execFileSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
    return { out, err: '' };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; status?: number };
    if (x.stdout === undefined) throw e;
    return { out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** objdump's reading of each case: instructions as `text` and `@off text` after the first. */
function objdumpAll(cases: number[][], bits: Bits, dir: string): string[] {
  const src = cases.map((c, i) => `.section .t${i},"ax",@progbits\n.byte ${c.map((b) => '0x' + b.toString(16)).join(',')}\n`).join('');
  const s = join(dir, `c${bits}.s`);
  const o = join(dir, `c${bits}.o`);
  writeFileSync(s, src);
  execFileSync('as', [bits === 64 ? '--64' : '--32', '-o', o, s]);
  const { out } = run('objdump', ['-d', '-z', '-w', '-M', 'intel', o]);
  const res: string[][] = cases.map(() => []);
  let cur = -1;
  for (const line of out.split('\n')) {
    const sec = line.match(/^Disassembly of section \.t(\d+):/);
    if (sec) {
      cur = +sec[1]!;
      continue;
    }
    if (cur < 0) continue;
    const m = line.match(/^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$/);
    if (!m) continue;
    const off = parseInt(m[1]!, 16);
    const text = (m[3] ?? '').replace(/\s+/g, ' ').trim();
    if (!text) continue;
    res[cur]!.push(off === 0 ? text : `@${off} ${text}`);
  }
  return res.map((r) => r.join(' ;; ') || '(none)');
}

const MARKER = [0xb8, 0x1e, 0xab, 0xa1, 0x5c];
const MARKER_TEXT = /^mov\s+eax,\s*1554098974$/;

/** llvm-mc's reading of each case: its lines joined with ` ;; `, `(bad)` for a warning. */
function llvmAll(cases: number[][], bits: Bits, dir: string): string[] {
  const f = join(dir, `l${bits}.txt`);
  const grp = (c: number[]) => '[' + c.map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ') + ']';
  writeFileSync(f, cases.map((c) => grp(c) + '\n' + grp(MARKER) + '\n').join(''));
  const { out, err } = run('llvm-mc', ['--disassemble', `-triple=${bits === 64 ? 'x86_64' : 'i386'}`, '-output-asm-variant=1', f]);
  const bad = new Set<number>();
  for (const m of err.matchAll(/:(\d+):\d+: warning: invalid instruction encoding/g)) bad.add((+m[1]! - 1) / 2);
  const chunks: string[][] = [[]];
  for (const line of out.split('\n')) {
    const l = line.replace(/\s+/g, ' ').trim();
    if (!l || l === '.text') continue;
    if (MARKER_TEXT.test(l)) chunks.push([]);
    else chunks[chunks.length - 1]!.push(l);
  }
  if (chunks.length !== cases.length + 1) throw new Error(`llvm-mc: ${chunks.length - 1} markers for ${cases.length} cases`);
  return cases.map((_, i) => {
    const lines = chunks[i]!.slice();
    if (bad.has(i)) lines.push('(bad)');
    return lines.join(' ;; ') || '(bad)';
  });
}

function hexOf(c: number[]): string {
  return c.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function main(): void {
  const root = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'isa-corpus-'));
  try {
    for (const bits of [64, 32] as const) {
      const rng = new Rng(bits === 64 ? 0x6464 : 0x3232);
      const seen = new Set<string>();
      const cases: number[][] = [];
      const add = (c: number[]) => {
        const k = hexOf(c);
        if (!seen.has(k)) (seen.add(k), cases.push(c));
      };
      for (const form of FORMS) {
        const valid = bits === 64 ? form.mode64 : form.mode32;
        const n = valid ? 8 : 1; // one case of a form in the mode where it is not valid
        for (let v = 0; v < n; v++) add(synth(form, bits, rng, v));
      }
      for (const h of EXTRA[bits]) add(h.split(' ').map((x) => parseInt(x, 16)));
      const objd = objdumpAll(cases, bits, dir);
      const llvm = llvmAll(cases, bits, dir);
      const lines: CaseLine[] = cases.map((c, i) => ({ bytes: c, objdump: objd[i]!, llvm: llvm[i]!, note: '', ours: '' }));
      // Judge each line with our decoder; annotate the documented disagreements.
      const counts = new Map<string, number>();
      let agreeObj = 0, agreeLlvm = 0, fails = 0, oraclesSplit = 0, splitUndoc = 0;
      for (const l of lines) {
        const j = judge(l, bits);
        if (j.objdump) agreeObj++;
        if (j.llvm) agreeLlvm++;
        if (!j.oraclesAgree) oraclesSplit++;
        if (!j.oraclesAgree && !j.rule) {
          splitUndoc++;
          console.log(`SPLIT ${bits}: ${hexOf(l.bytes)} | ours: ${j.oursText} | objdump: ${l.objdump} | llvm: ${l.llvm} | agree objdump ${j.objdump} llvm ${j.llvm}`);
        }
        if (j.rule) {
          l.note = j.rule;
          l.ours = j.oursText;
          counts.set(j.rule, (counts.get(j.rule) ?? 0) + 1);
        }
        if (!j.ok) {
          fails++;
          console.log(`UNEXPLAINED ${bits}: ${hexOf(l.bytes)} | ours: ${j.oursText} | objdump: ${l.objdump} | llvm: ${l.llvm} | ${j.why}`);
        }
      }
      const header = [
        `# Decoder corpus, ${bits}-bit mode: generated by scripts/isa/corpus.mjs from the forms of isa/rows/*.ts`,
        `# (8 encodings per form valid in this mode, 1 per form that is not, plus hand-picked prefix cases).`,
        `# objdump: ${run('objdump', ['--version']).out.split('\n')[0]}; llvm-mc: ${run('llvm-mc', ['--version']).out.split('\n').find((x) => /version/i.test(x))?.trim()}`,
        `# Line: hex bytes | objdump -d -M intel (later instructions as @offset) | llvm-mc -output-asm-variant=1 | note | our text (noted lines)`,
        `# Cases: ${lines.length}; our decoder agrees with objdump on ${agreeObj}, with llvm-mc on ${agreeLlvm};`,
        `# the oracles disagree with each other on ${oraclesSplit}; unexplained disagreements: ${fails}.`,
        `# Notes: where we differ from both oracles, or they differ from each other and the SDM decides,`,
        `# the line names one of these rules:`,
        ...RULES.filter((r) => counts.has(r.key)).flatMap((r) => [`#   ${r.key} (${counts.get(r.key)} case${counts.get(r.key) === 1 ? '' : 's'}): ${r.doc}`]),
      ];
      const body = lines.map((l) => [hexOf(l.bytes), l.objdump, l.llvm, l.note, l.ours].join(' | ').replace(/( \| )+$/, ''));
      writeFileSync(join(root, `test/fixtures/isa/corpus${bits}.txt`), header.join('\n') + '\n' + body.join('\n') + '\n');
      console.log(`corpus${bits}: ${lines.length} cases, agree objdump ${agreeObj}, llvm-mc ${agreeLlvm}, oracles split ${oraclesSplit} (undocumented ${splitUndoc}), unexplained ${fails}`);
      void readFileSync;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
