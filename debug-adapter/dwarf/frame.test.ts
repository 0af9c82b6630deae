// .eh_frame / .debug_frame against readelf --debug-dump=frames-interp (every CIE and FDE, every
// row, every column), the unwinder on hand-built stacks (an interrupt frame with expression
// rules), and pointer encodings.
import { describe, expect, it } from 'vitest';
import { regNumber } from './constants';
import {
  cfaRows,
  cfaRuleText,
  parseCfi,
  registerRuleText,
  Unwinder,
  type CfaRow,
  type Cie,
  type Fde,
  type Registers,
} from './frame';
import { mapDwarfSource } from './source';
import { ASM_FIXTURES, C_FIXTURES, fixtureText, loadFixture } from './test-support';

interface ReadelfEntry {
  section: string;
  offset: number;
  kind: 'CIE' | 'FDE';
  cie?: number;
  pc?: [bigint, bigint];
  augmentation?: string;
  columns: string[];
  rows: { loc: bigint; cfa: string; cols: string[] }[];
}

function parseFramesInterp(text: string): ReadelfEntry[] {
  const out: ReadelfEntry[] = [];
  let section = '';
  let cur: ReadelfEntry | undefined;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Contents of the (\S+) section:/.exec(line))) section = m[1]!;
    else if ((m = /^([0-9a-f]{8,16}) [0-9a-f]{8,16} [0-9a-f]{8,16} CIE "([^"]*)"/.exec(line))) {
      cur = { section, offset: parseInt(m[1]!, 16), kind: 'CIE', augmentation: m[2], columns: [], rows: [] };
      out.push(cur);
    } else if ((m = /^([0-9a-f]{8,16}) [0-9a-f]{8,16} [0-9a-f]{8,16} FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line))) {
      cur = {
        section,
        offset: parseInt(m[1]!, 16),
        kind: 'FDE',
        cie: parseInt(m[2]!, 16),
        pc: [BigInt(`0x${m[3]}`), BigInt(`0x${m[4]}`)],
        columns: [],
        rows: [],
      };
      out.push(cur);
    } else if (cur && /^\s+LOC\s+CFA/.test(line)) cur.columns = line.trim().split(/\s+/).slice(2);
    else if (cur && (m = /^([0-9a-f]{8,16}) (.*)$/.exec(line))) {
      const toks = m[2]!.match(/r\d+ \([^)]*\)|\S+/g) ?? [];
      cur.rows.push({ loc: BigInt(`0x${m[1]}`), cfa: toks[0]!, cols: toks.slice(1) });
    }
  }
  return out;
}

function columnReg(name: string, cie: Cie): number {
  if (name === 'ra') return cie.raReg;
  const n = regNumber(name);
  if (n !== undefined) return n;
  const m = /^r(\d+)$/.exec(name);
  if (m) return Number(m[1]);
  throw new Error(`column ${name}`);
}

function rowText(row: CfaRow, columns: string[], cie: Cie): { cfa: string; cols: string[] } {
  return { cfa: cfaRuleText(row.cfa), cols: columns.map((c) => registerRuleText(row.regs.get(columnReg(c, cie)))) };
}

/** The CIE's initial rules, as an FDE covering address 0 would start. */
function cieRows(cie: Cie): CfaRow[] {
  const fake: Fde = { offset: -1, section: cie.section, cie, pcBegin: 0n, pcEnd: 1n, instructions: new Uint8Array(), instructionsOffset: 0 };
  return cfaRows(fake);
}

const ALL = [...C_FIXTURES, ...ASM_FIXTURES, 'c-kernel'];

describe('CFI against readelf --debug-dump=frames-interp', () => {
  for (const name of ALL) {
    it(`${name}: every CIE, FDE and row`, () => {
      const { src } = loadFixture(name);
      const want = parseFramesInterp(fixtureText(name, 'frames.txt'));
      const tables = { '.eh_frame': parseCfi(src, '.eh_frame'), '.debug_frame': parseCfi(src, '.debug_frame') };
      expect([...tables['.eh_frame'].warnings, ...tables['.debug_frame'].warnings]).toEqual([]);
      let rowsCompared = 0;
      for (const e of want) {
        const t = tables[e.section as '.eh_frame' | '.debug_frame'];
        expect(t, e.section).toBeDefined();
        if (e.kind === 'CIE') {
          const cie = t.cies.find((c) => c.offset === e.offset);
          expect(cie, `CIE at ${e.offset}`).toBeDefined();
          expect(cie!.augmentation).toBe(e.augmentation);
          if (e.rows.length === 0) continue;
          const rows = cieRows(cie!);
          expect(rowText(rows[0]!, e.columns, cie!)).toEqual({ cfa: e.rows[0]!.cfa, cols: e.rows[0]!.cols });
          continue;
        }
        const fde = t.fdes.find((f) => f.offset === e.offset);
        expect(fde, `FDE at ${e.section} ${e.offset.toString(16)}`).toBeDefined();
        expect(fde!.cie.offset).toBe(e.cie);
        expect([fde!.pcBegin, fde!.pcEnd]).toEqual(e.pc);
        const rows = cfaRows(fde!);
        if (e.rows.length === 0) {
          // readelf prints no table for an FDE without instructions: the CIE's rules cover it all.
          expect(rows.length).toBe(1);
          continue;
        }
        expect(rows.map((r) => r.loc), `FDE ${e.offset.toString(16)} row addresses`).toEqual(e.rows.map((r) => r.loc));
        rows.forEach((r, i) => {
          expect(rowText(r, e.columns, fde!.cie), `FDE ${e.offset.toString(16)} row ${i}`).toEqual({
            cfa: e.rows[i]!.cfa,
            cols: e.rows[i]!.cols,
          });
          rowsCompared++;
        });
      }
      expect(t(tables).fdes + t(tables).cies).toBe(want.length);
      if (name !== 'nasm') expect(rowsCompared).toBeGreaterThan(0);
    });
  }
});

function t(tables: Record<string, { fdes: unknown[]; cies: unknown[] }>): { fdes: number; cies: number } {
  const all = Object.values(tables);
  return { fdes: all.reduce((n, x) => n + x.fdes.length, 0), cies: all.reduce((n, x) => n + x.cies.length, 0) };
}

// ---- the unwinder on hand-built stacks --------------------------------------------------------

/** Sparse little-endian memory of 64-bit words. */
function memory(words: Record<string, bigint>): (addr: bigint, size: number) => Uint8Array | undefined {
  const bytes = new Map<bigint, number>();
  for (const [a, v] of Object.entries(words)) for (let i = 0; i < 8; i++) bytes.set(BigInt(a) + BigInt(i), Number((v >> BigInt(8 * i)) & 0xffn));
  return (addr, size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const b = bytes.get(addr + BigInt(i));
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  };
}

function symbol(name: string, syms: { name: string; value: bigint }[]): bigint {
  const s = syms.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s.value;
}

describe('unwinder', () => {
  const { src, elf } = loadFixture('gas-cfi');
  const unwinder = Unwinder.fromSource(src);
  const irq = symbol('irq_stub', elf.symbols);
  const pushPop = symbol('push_pop', elf.symbols);

  it('finds FDEs by address and rejects addresses outside them', () => {
    expect(unwinder.fdeFor(irq)?.cie.signalFrame).toBe(true);
    expect(unwinder.fdeFor(0x10n)).toBeUndefined();
  });

  it('unwinds an interrupt frame (def_cfa_expression, expression and val_expression rules)', () => {
    // irq_stub after `push rax`: [rsp] = rax, then the hardware frame RIP, CS, RFLAGS, RSP, SS.
    const rsp = 0x8000n;
    const mem = memory({
      [String(rsp)]: 0x1111n,
      [String(rsp + 8n)]: 0x401234n,
      [String(rsp + 16n)]: 0x08n,
      [String(rsp + 24n)]: 0x246n,
      [String(rsp + 32n)]: 0x7000n,
      [String(rsp + 40n)]: 0x10n,
    });
    const regs: Registers = { rip: irq + 1n, rsp, rax: 0x9999n, rbx: 5n, rdi: 7n };
    const step = unwinder.step(regs, mem)!;
    expect(step).toBeDefined();
    expect(step.signalFrame).toBe(true);
    expect(step.cfa).toBe(0x7000n);
    expect(step.caller).toMatchObject({ rip: 0x401234n, rsp: 0x7000n, rflags: 0x246n, rax: 0x1111n, rbx: 5n });
    expect(step.caller.rdi).toBe(7n); // no rule: same value
  });

  it('unwinds through push/pop with remember/restore state', () => {
    // push_pop + 10 (after push rbp; mov rbp,rsp; push rbx; push r12 and the register rules)
    const rbp = 0x9000n;
    const mem = memory({
      [String(rbp)]: 0xaaaan, // saved rbp
      [String(rbp + 8n)]: 0x401005n, // return address
      [String(rbp - 8n)]: 0xbbbbn, // saved rbx
      [String(rbp - 16n)]: 0xccccn, // saved r12
      [String(rbp + 24n)]: 0x10101n, // r10 saved at CFA+8
    });
    const regs: Registers = { rip: pushPop + 10n, rsp: rbp - 16n, rbp, rbx: 1n, r12: 2n, r13: 3n, r14: 4n, r15: 6n };
    const c = unwinder.step(regs, mem)!.caller;
    expect(c).toMatchObject({ rip: 0x401005n, rsp: rbp + 16n, rbp: 0xaaaan, rbx: 0xbbbbn, r12: 0xccccn, r13: 4n, r15: 6n, r11: rbp + 16n - 24n, r10: 0x10101n });
    expect(c.rax).toBeUndefined(); // DW_CFA_undefined
    expect(unwinder.unwindStep(regs, mem)).toEqual(c);
    // Without the stack memory the saved registers are unknown, and so is the return address.
    expect(unwinder.step(regs, () => undefined)).toBeUndefined();
  });

  it('looks a caller frame up at rip - 1', () => {
    const fde = unwinder.fdeFor(pushPop)!;
    const end = fde.pcEnd;
    expect(unwinder.fdeFor(end)).not.toBe(fde);
    const rows = unwinder.rows(fde);
    expect(typeof rows).not.toBe('string');
    expect(unwinder.cfa({ rip: end, rsp: 0x100n, rbp: 0x200n }, () => undefined, { isCaller: true })).toBe(0x108n);
  });
});

// ---- synthetic sections -------------------------------------------------------------------------

const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

/** An .eh_frame with one "zR" CIE (FDE encoding `enc`) and one FDE whose pc fields are `pcFields`. */
function ehFrame(enc: number, pcFields: number[], insns: number[] = []): Uint8Array {
  const cieBody = [...u32(0), 1, ...[0x7a, 0x52, 0], 1, 0x78, 16, 1, enc, 0x0c, 7, 8, 0x90, 1];
  while ((cieBody.length + 4) % 8) cieBody.push(0);
  const cie = [...u32(cieBody.length), ...cieBody];
  const fdeStart = cie.length;
  const fdeBody = [...u32(fdeStart + 4), ...pcFields, 0, ...insns];
  while ((fdeBody.length + 4) % 8) fdeBody.push(0);
  return new Uint8Array([...cie, ...u32(fdeBody.length), ...fdeBody, ...u32(0)]);
}

describe('pointer encodings and robustness', () => {
  it('pcrel|sdata4, udata4, absptr, datarel', () => {
    const base = 0x10000n;
    // pcrel|sdata4: relative to the field, at section offset 32 (CIE: 24 bytes; FDE length and CIE pointer: 8)
    const e1 = ehFrame(0x1b, [...u32(0x100), ...u32(0x20)]);
    const t1 = parseCfi(mapDwarfSource({ '.eh_frame': e1 }, { addresses: { '.eh_frame': base } }), '.eh_frame');
    expect(t1.warnings).toEqual([]);
    expect(t1.fdes[0]!.pcBegin).toBe(base + 32n + 0x100n);
    expect(t1.fdes[0]!.pcEnd - t1.fdes[0]!.pcBegin).toBe(0x20n);
    const e2 = ehFrame(0x03, [...u32(0x4000), ...u32(0x10)]);
    expect(parseCfi(mapDwarfSource({ '.eh_frame': e2 }), '.eh_frame').fdes[0]!.pcBegin).toBe(0x4000n);
    const e3 = ehFrame(0x00, [...u32(0x5000), ...u32(0), ...u32(0x10), ...u32(0)]);
    expect(parseCfi(mapDwarfSource({ '.eh_frame': e3 }), '.eh_frame').fdes[0]!.pcBegin).toBe(0x5000n);
    const e4 = ehFrame(0x33, [...u32(0x10), ...u32(0x10)]);
    const t4 = parseCfi(mapDwarfSource({ '.eh_frame': e4 }, { addresses: { '.got': 0x7000n } }), '.eh_frame');
    expect(t4.fdes[0]!.pcBegin).toBe(0x7010n);
  });

  it('a bad instruction is an error naming the section and offset, not a crash', () => {
    const e = ehFrame(0x03, [...u32(0x4000), ...u32(0x10)], [0x3f]);
    const u = Unwinder.fromSource(mapDwarfSource({ '.eh_frame': e }));
    expect(u.step({ rip: 0x4000n, rsp: 0x100n }, () => undefined)).toBeUndefined();
    expect(u.warnings.join('\n')).toMatch(/\.eh_frame at offset 0x[0-9a-f]+: unknown CFA instruction 0x3f/);
  });

  it('an FDE whose CIE pointer is wild is skipped with a warning', () => {
    const e = ehFrame(0x03, [...u32(0x4000), ...u32(0x10)]);
    e[28] = 0xff; // the FDE's CIE pointer
    const t = parseCfi(mapDwarfSource({ '.eh_frame': e }), '.eh_frame');
    expect(t.fdes).toEqual([]);
    expect(t.warnings[0]).toMatch(/\.eh_frame at offset 0x1c/);
  });
});
