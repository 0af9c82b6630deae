// The emulator against this machine's CPU: test/fixtures/vectors/*.txt, recorded by
// `npm run vectors` (scripts/vectors/, format in scripts/vectors/README.md).
//
// Each case: the instruction's bytes at 0x200000, the data region (0x100000, 4 KiB) filled from the
// case's seed plus patches, all 16 registers (background from the seed plus overrides), RFLAGS;
// one cpu.step(); then every register, RIP, every flag the manual defines for the case, every
// byte of the data region, and the exception (#DE) must equal what the hardware produced.
//
// A second suite cross-checks the fixtures' undefined-flag masks and the flags the hardware
// changed against the instruction table (isa/table.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../emulator/cpu/cpu';
import { decode } from '../isa/decoder';

const dir = join(resolve(dirname(fileURLToPath(import.meta.url))), 'fixtures/vectors');
const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REG_INDEX = new Map(REGS.map((r, i) => [r, i]));
const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
const STATUS = CF | PF | AF | ZF | SF | OF;
const FLAG_NAMES: [number, string][] = [[CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [DF, 'DF'], [OF, 'OF']];

// ---- the background generator (same as scripts/vectors/prng.mjs and harness.c) ----------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function background(seed: number, dataSize: number): { data: Uint8Array; regs: bigint[] } {
  const next = mulberry32(seed);
  const data = new Uint8Array(dataSize);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < dataSize; i += 4) dv.setUint32(i, next(), true);
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) {
    const lo = next();
    const hi = next();
    regs.push((BigInt(hi) << 32n) | BigInt(lo));
  }
  return { data, regs };
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

// ---- fixtures ---------------------------------------------------------------------------------

interface Form {
  asm: string;
  bytes: Uint8Array;
  lines: string[];
}
interface Family {
  name: string;
  dataBase: number;
  dataSize: number;
  codeBase: number;
  pLine: string;
  forms: Form[];
}

function hexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

function loadFamily(file: string): Family {
  const fam: Family = { name: file.replace(/\.txt$/, ''), dataBase: 0, dataSize: 0, codeBase: 0, pLine: '', forms: [] };
  let form: Form | null = null;
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('V ')) {
      const [, version, db, ds, cb] = line.split(' ');
      if (version !== '1') throw new Error(`${file}: fixture version ${version}`);
      fam.dataBase = parseInt(db!, 16);
      fam.dataSize = parseInt(ds!, 16);
      fam.codeBase = parseInt(cb!, 16);
    } else if (line.startsWith('P ')) fam.pLine = line;
    else if (line.startsWith('F ')) {
      const sp = line.indexOf(' ', 2);
      form = { bytes: hexBytes(line.slice(2, sp)), asm: line.slice(sp + 1), lines: [] };
      fam.forms.push(form);
    } else if (form) form.lines.push(line);
    else throw new Error(`${file}: case before any form`);
  }
  return fam;
}

interface Case {
  seed: number;
  flagsIn: bigint;
  regsIn: bigint[];
  dataIn: Uint8Array;
  exc: number; // -1: none
  rip: bigint;
  flagsOut: number;
  undef: number;
  regsOut: bigint[];
  dataOut: Uint8Array;
  hashOut: number;
}

function parseCase(fam: Family, line: string): Case {
  const t = line.split(' ');
  if (t.length !== 11) throw new Error(`bad case line: ${line}`);
  const seed = parseInt(t[0]!, 16);
  const bg = background(seed, fam.dataSize);
  const regsIn = bg.regs;
  if (t[2] !== '-')
    for (const kv of t[2]!.split(',')) {
      const [name, v] = kv.split('=');
      regsIn[REG_INDEX.get(name!)!] = BigInt('0x' + v);
    }
  const dataIn = bg.data;
  if (t[3] !== '-')
    for (const p of t[3]!.split(',')) {
      const [o, b] = p.split(':');
      dataIn.set(hexBytes(b!), parseInt(o!, 16));
    }
  const regsOut = regsIn.slice();
  if (t[8] !== '-')
    for (const kv of t[8]!.split(',')) {
      const [name, v] = kv.split('=');
      regsOut[REG_INDEX.get(name!)!] = BigInt('0x' + v);
    }
  const dataOut = dataIn.slice();
  if (t[9] !== '-')
    for (const p of t[9]!.split(',')) {
      const [o, b] = p.split(':');
      dataOut.set(hexBytes(b!), parseInt(o!, 16));
    }
  return {
    seed,
    flagsIn: BigInt('0x' + t[1]),
    regsIn,
    dataIn,
    exc: t[4] === '-' ? -1 : parseInt(t[4]!, 16),
    rip: BigInt('0x' + t[5]),
    flagsOut: parseInt(t[6]!, 16),
    undef: parseInt(t[7]!, 16),
    regsOut,
    dataOut,
    hashOut: parseInt(t[10]!, 16),
  };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const families = files.map(loadFamily);
const hex = (v: bigint | number) => '0x' + v.toString(16);

// ---- the comparison ---------------------------------------------------------------------------

const cpu = new Cpu({ memoryBytes: 16 << 20 });
cpu.reset64();
cpu.interceptExceptions = 0xffffffff; // any exception stops the step (#DE is expected; others are bugs)
const codeBuf = new Uint8Array(32);

// reset64 identity-maps the low 4 GiB, so the data region and the code are written and read as
// physical memory (page-at-a-time, much faster than the byte-wise linear accessors). Checked once
// here through the linear accessors.
function identityMapped(base: number, size: number): boolean {
  const probe = new Uint8Array(size);
  for (let i = 0; i < size; i++) probe[i] = (i * 7 + 3) & 0xff;
  cpu.writePhys(BigInt(base), probe);
  const lin = cpu.readLinear(BigInt(base), size);
  return lin !== null && lin.every((b, i) => b === probe[i]);
}

/** Runs one case; returns '' when the emulator matches the hardware, else what differs. */
function runCase(fam: Family, form: Form, c: Case): string {
  const diffs: string[] = [];
  if (fnv1a(c.dataOut) !== c.hashOut) return 'FIXTURE: the recorded memory does not match its hash';
  cpu.writePhys(BigInt(fam.dataBase), c.dataIn);
  for (let i = 0; i < 16; i++) cpu.setReg(REGS[i]!, c.regsIn[i]!);
  cpu.rflags = c.flagsIn;
  cpu.rip = BigInt(fam.codeBase);
  let stop: StopReason;
  try {
    stop = cpu.step();
  } catch (e) {
    return `threw ${(e as Error)?.message ?? String(e)}`;
  }
  const internal = (cpu as unknown as { internalError?: unknown }).internalError;
  if (internal) {
    (cpu as unknown as { internalError?: unknown }).internalError = null;
    return `emulator error: ${(internal as Error)?.message ?? String(internal)}`;
  }
  if (stop === StopReason.Exception) {
    const v = cpu.lastException?.vector ?? -1;
    if (v !== c.exc) return c.exc < 0 ? `raised exception ${v}` : `raised exception ${v}, want ${c.exc}`;
  } else if (c.exc >= 0) return `no exception, want #${c.exc}`;
  else if (stop !== StopReason.None) return `stopped with ${StopReason[stop]}`;
  if (cpu.rip !== c.rip) diffs.push(`rip ${hex(cpu.rip)} want ${hex(c.rip)}`);
  for (let i = 0; i < 16; i++) {
    const v = cpu.getReg(REGS[i]!);
    if (v !== c.regsOut[i]) diffs.push(`${REGS[i]} ${hex(v)} want ${hex(c.regsOut[i]!)}`);
  }
  const defined = (STATUS | DF) & ~c.undef;
  const got = Number(cpu.rflags & 0xfffn);
  for (const [bit, name] of FLAG_NAMES)
    if (defined & bit && (got & bit) !== (c.flagsOut & bit)) diffs.push(`${name} ${got & bit ? 1 : 0} want ${c.flagsOut & bit ? 1 : 0}`);
  const mem = cpu.readPhys(BigInt(fam.dataBase), fam.dataSize);
  {
    let bad = 0;
    for (let i = 0; i < fam.dataSize; i++) {
      if (mem[i] !== c.dataOut[i]) {
        if (bad++ < 4) diffs.push(`mem[${hex(fam.dataBase + i)}] ${hex(mem[i]!)} want ${hex(c.dataOut[i]!)}`);
      }
    }
    if (bad > 4) diffs.push(`(${bad} bytes differ)`);
  }
  return diffs.join(', ');
}

const summary: string[] = [];

for (const fam of families) {
  describe(`vectors: ${fam.name}`, () => {
    let formsOk = 0, casesOk = 0, cases = 0;
    const failing: string[] = [];

    it('data and code are identity-mapped after reset64', () => {
      expect(identityMapped(fam.dataBase, fam.dataSize)).toBe(true);
      expect(identityMapped(fam.codeBase, 32)).toBe(true);
    });

    it('background generator matches the fixture (P line)', () => {
      const [, seed, hash, ...regs] = fam.pLine.split(' ');
      const bg = background(parseInt(seed!, 16), fam.dataSize);
      expect(fnv1a(bg.data).toString(16).padStart(8, '0')).toBe(hash);
      expect(bg.regs.map((r) => r.toString(16))).toEqual(regs);
    });

    for (const form of fam.forms) {
      const hexb = Buffer.from(form.bytes).toString('hex');
      it(`${form.asm}  [${hexb}]`, () => {
        codeBuf.fill(0xcc);
        codeBuf.set(form.bytes);
        cpu.writePhys(BigInt(fam.codeBase), codeBuf);
        const bad: string[] = [];
        let nbad = 0;
        form.lines.forEach((line, k) => {
          const c = parseCase(fam, line);
          const d = runCase(fam, form, c);
          cases++;
          if (d === '') casesOk++;
          else if (nbad++ < 3) bad.push(`  case ${k} (seed ${line.slice(0, 8)}): ${d}`);
        });
        if (nbad === 0) formsOk++;
        else failing.push(`${form.asm} (${nbad}/${form.lines.length})`);
        expect(nbad, `${nbad} of ${form.lines.length} cases differ from the hardware:\n${bad.join('\n')}\n`).toBe(0);
      });
    }

    afterAll(() => {
      const line = `${fam.name}: ${formsOk}/${fam.forms.length} forms pass, ${casesOk}/${cases} cases`;
      summary.push(line + (failing.length ? `\n    failing: ${failing.join('; ')}` : ''));
    });
  });
}

afterAll(() => {
  console.log(`test vectors against the emulator:\n  ${summary.join('\n  ')}`);
});

// ---- cross-check with the instruction table ---------------------------------------------------

const SHIFTY = new Set(['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SAL', 'SHR', 'SAR', 'SHLD', 'SHRD']);
const flagNames = (m: number) => FLAG_NAMES.filter(([b]) => m & b).map(([, n]) => n).join('') || '-';

describe('vectors: undefined-flag masks agree with isa/table.ts', () => {
  for (const fam of families) {
    it(fam.name, () => {
      const problems: string[] = [];
      for (const form of fam.forms) {
        const d = decode(form.bytes, 0, form.bytes.length, 64);
        const f = d.form;
        if (!f || d.invalid) {
          problems.push(`${form.asm}: the decoder has no form (${d.invalid || 'no form'})`);
          continue;
        }
        if (d.length !== form.bytes.length) problems.push(`${form.asm}: decoded length ${d.length}, nasm's ${form.bytes.length}`);
        const tableU = f.flagsUndefined & STATUS;
        const tableTouched = (f.flagsWritten | f.flagsUndefined | f.flagsCleared | f.flagsSet) & (STATUS | DF);
        let union = 0;
        let changed = 0;
        let anyOk = false;
        for (const line of form.lines) {
          const t = line.split(' ');
          if (t[4] !== '-') continue;
          anyOk = true;
          const undef = parseInt(t[7]!, 16);
          union |= undef;
          changed |= (parseInt(t[1]!, 16) ^ parseInt(t[6]!, 16)) & (STATUS | DF);
        }
        if (!anyOk) continue;
        const id = f.id;
        if (union & ~tableU) problems.push(`${form.asm} (${id}): fixture leaves ${flagNames(union & ~tableU)} undefined, the table defines it`);
        if (!SHIFTY.has(f.mnemonic) && tableU & ~union)
          problems.push(`${form.asm} (${id}): table leaves ${flagNames(tableU & ~union)} undefined, the fixture compares it`);
        if (changed & ~tableTouched)
          problems.push(`${form.asm} (${id}): the hardware changed ${flagNames(changed & ~tableTouched)}, the table says unaffected`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }
});
