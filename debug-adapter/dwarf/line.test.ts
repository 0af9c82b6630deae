// .debug_line against readelf: every decoded row (file, line, address, is_stmt, end of sequence)
// of every fixture, columns against readelf's raw dump, plus synthetic v2 and v5 programs.
import { describe, expect, it } from 'vitest';
import { LineIndex, parseAllLinePrograms, parseLineProgram, sortedRows, type LineProgram } from './line';
import { mapDwarfSource } from './source';
import { ASM_FIXTURES, C_FIXTURES, fixtureText, loadFixture } from './test-support';

interface ReadelfRow {
  file: string;
  line: string;
  address: bigint;
  stmt: boolean;
}

/** Rows of `readelf --debug-dump=decodedline -W`. */
function readelfRows(text: string): ReadelfRow[] {
  const rows: ReadelfRow[] = [];
  for (const l of text.split('\n')) {
    const m = /^(\S.*?)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+(\d+))?(?:\s+(x))?\s*$/.exec(l);
    if (m) rows.push({ file: m[1]!, line: m[2]!, address: BigInt(m[3]!), stmt: m[5] === 'x' });
  }
  return rows;
}

/** The column of each emitted row, replayed from `readelf --debug-dump=rawline`. */
function readelfColumns(text: string): number[] {
  const cols: number[] = [];
  let col = 0;
  for (const l of text.split('\n')) {
    if (/^\s+Offset:/.test(l)) col = 0;
    let m: RegExpExecArray | null;
    if ((m = /Set column to (\d+)/.exec(l))) col = Number(m[1]);
    else if (/Special opcode|\]\s+Copy|End of Sequence/.test(l)) {
      cols.push(col);
      if (/End of Sequence/.test(l)) col = 0;
    }
  }
  return cols;
}

function ourRows(programs: LineProgram[]): ReadelfRow[] {
  return programs.flatMap((p) =>
    p.rows.map((r) => ({
      file: p.files[r.file]?.name ?? `<file ${r.file}>`,
      line: r.endSequence ? '-' : String(r.line),
      address: r.address,
      stmt: r.endSequence ? false : r.isStmt,
    })),
  );
}

const ALL = [...C_FIXTURES, ...ASM_FIXTURES, 'c-kernel'];

describe('.debug_line against readelf --debug-dump=decodedline', () => {
  for (const name of ALL) {
    it(`${name}: every row`, () => {
      const { src } = loadFixture(name);
      const { programs, warnings } = parseAllLinePrograms(src);
      expect(warnings).toEqual([]);
      const want = readelfRows(fixtureText(name, 'decodedline.txt'));
      const got = ourRows(programs);
      expect(want.length).toBeGreaterThan(0);
      expect(got.length).toBe(want.length);
      // readelf prints the bare file name of a file from directory 0 and in wide mode the name as recorded.
      for (let i = 0; i < want.length; i++) {
        const w = want[i]!;
        const g = got[i]!;
        expect({ ...g, file: g.file.split('/').pop() }, `row ${i}`).toEqual({ ...w, file: w.file.split('/').pop() });
      }
      const cols = readelfColumns(fixtureText(name, 'rawline.txt'));
      expect(programs.flatMap((p) => p.rows.map((r) => r.column))).toEqual(cols);
    });
  }
});

describe('line index', () => {
  it('answers address -> line and line -> addresses consistently', () => {
    const { src } = loadFixture('c-dwarf5-O1');
    const { programs } = parseAllLinePrograms(src);
    const index = new LineIndex(programs);
    const files = index.sourceFiles().filter((f) => f.hasCode);
    expect(files.map((f) => f.name).sort()).toEqual(['prog.c', 'util.c', 'util.h']);
    for (const p of programs)
      for (const r of p.rows) {
        if (r.endSequence || !r.isStmt || r.line === 0) continue;
        const path = p.files[r.file]!.path;
        const addrs = index.addressesForLine(path, r.line);
        expect(addrs.length).toBeGreaterThan(0);
        // Several rows can share an address (inlined code): the last one answers for it.
        for (const a of addrs) expect(index.rowForAddress(a)?.row.address).toBe(a);
        expect(addrs).toContain(r.address);
      }
  });

  it('sorts each unit\'s rows by address, sequence by sequence', () => {
    for (const name of ['c-dwarf5-O2', 'c-kernel']) {
      for (const p of parseAllLinePrograms(loadFixture(name).src).programs) {
        const rows = sortedRows(p);
        expect(rows.length).toBe(p.rows.length);
        for (let i = 1; i < rows.length; i++) if (!rows[i - 1]!.endSequence) expect(rows[i]!.address >= rows[i - 1]!.address).toBe(true);
        expect(rows[rows.length - 1]!.endSequence).toBe(true);
      }
    }
  });

  it('moves a breakpoint to the next line with code', () => {
    const { src } = loadFixture('c-dwarf4-O0');
    const index = new LineIndex(parseAllLinePrograms(src).programs);
    // prog.c line 1 is a comment: the first line with code is a function's opening line.
    const bp = index.resolveBreakpoint('prog.c', 1)!;
    expect(bp.line).toBeGreaterThan(1);
    expect(bp.addresses.length).toBeGreaterThan(0);
    expect(index.lineForAddress(bp.addresses[0]!)?.line).toBe(bp.line);
    expect(index.resolveBreakpoint('prog.c', 100000)).toBeUndefined();
    expect(index.addressesForLine('no-such-file.c', 3)).toEqual([]);
  });
});

// ---- synthetic programs -----------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const u16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const str = (s: string): number[] => [...new TextEncoder().encode(s), 0];

/** A v2 program: header with include_directories and file_names, then the given opcodes. */
function v2Program(ops: number[]): Uint8Array {
  const header = [
    1, // minimum_instruction_length
    1, // default_is_stmt
    0xfb, // line_base -5
    14, // line_range
    10, // opcode_base (v2: 9 standard opcodes)
    0, 1, 1, 1, 1, 0, 0, 0, 1, // standard_opcode_lengths
    ...str('include'),
    0,
    ...str('main.c'), 0, 0, 0,
    ...str('defs.h'), 1, 0, 0,
    ...str('/abs/other.c'), 0, 0, 0,
    0,
  ];
  const body = [...u16(2), ...u32(header.length), ...header, ...ops];
  return new Uint8Array([...u32(body.length), ...body]);
}

describe('synthetic line programs', () => {
  it('v2: file table, directories, standard/extended/special opcodes, define_file', () => {
    const ops = [
      0, 9, 2, ...u64(0x1000n), // set_address 0x1000
      0x05, ...uleb(7), // set_column 7
      0x03, ...sleb(9), // advance_line +9 -> 10
      0x01, // copy
      10 + 2 * 14 + (1 - -5), // special: address +2, line +1
      0x04, 2, // set_file 2 (include/defs.h)
      0x06, // negate_stmt
      0x02, ...uleb(3), // advance_pc 3
      0x03, ...sleb(-8), // line 3
      0x01,
      0x08, // const_add_pc: (255-10)/14 = 17
      0x09, ...u16(0x10), // fixed_advance_pc 16
      0x07, // basic_block
      0x01,
      0, 11, 3, ...str('late.c'), 0, 0, 0, // define_file -> file 4
      0x04, 4,
      0x01,
      0, 2, 4, 3, // set_discriminator 3
      0x01,
      0x02, ...uleb(1),
      0, 1, 1, // end_sequence
    ];
    const src = mapDwarfSource({ '.debug_line': v2Program(ops) });
    const p = parseLineProgram(src, 0, { compDir: '/build' });
    expect(p.version).toBe(2);
    expect(p.files.map((f) => f?.path)).toEqual([undefined, '/build/main.c', '/build/include/defs.h', '/abs/other.c', '/build/late.c']);
    const rows = p.rows.map((r) => [Number(r.address), r.file, r.line, r.column, r.isStmt, r.endSequence, r.discriminator]);
    expect(rows).toEqual([
      [0x1000, 1, 10, 7, true, false, 0],
      [0x1002, 1, 11, 7, true, false, 0],
      [0x1005, 2, 3, 7, false, false, 0],
      [0x1005 + 17 + 16, 2, 3, 7, false, false, 0],
      [0x1005 + 33, 4, 3, 7, false, false, 0],
      [0x1005 + 33, 4, 3, 7, false, false, 3],
      [0x1005 + 34, 4, 3, 7, false, true, 0],
    ]);
    expect(p.rows[3]!.basicBlock).toBe(true);
    const index = new LineIndex([p]);
    expect(index.lineForAddress(0x1003n)).toEqual({ file: '/build/main.c', line: 11, column: 7 });
    expect(index.lineForAddress(0x1005n + 34n)).toBeUndefined();
    expect(index.lineForAddress(0xfffn)).toBeUndefined();
    expect(index.addressesForLine('main.c', 10)).toEqual([0x1000n]);
    expect(index.addressesForLine('defs.h', 3)).toEqual([]); // not is_stmt
  });

  it('v5: entry formats with line_strp, data16 MD5, udata directory index', () => {
    const lineStr = new Uint8Array([...str('/home/me/k'), ...str('src'), ...str('k.c'), ...str('k.h')]);
    const md5 = Array.from({ length: 16 }, (_, i) => i + 1);
    const header = [
      1, 1, 1, 0xfb, 14, 13,
      0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1,
      1, 1, 0x1f, // directory format: DW_LNCT_path line_strp
      2, ...u32(0), ...u32(11), // 2 directories
      3, 1, 0x1f, 2, 0x0b, 5, 0x1e, // file format: path line_strp, dir data1, MD5 data16
      2, ...u32(15), 1, ...md5, ...u32(19), 0, ...md5,
    ];
    const ops = [0, 9, 2, ...u64(0x2000n), 0x04, 1, 0x01, 0x02, 4, 0, 1, 1];
    const body = [...u16(5), 8, 0, ...u32(header.length), ...header, ...ops];
    const line = new Uint8Array([...u32(body.length), ...body]);
    const src = mapDwarfSource({ '.debug_line': line, '.debug_line_str': lineStr });
    const p = parseLineProgram(src, 0, { compDir: '/ignored-in-v5-when-dir0-is-absolute' });
    expect(p.directories).toEqual(['/home/me/k', '/ignored-in-v5-when-dir0-is-absolute/src']);
    expect(p.files.map((f) => f?.path)).toEqual(['/ignored-in-v5-when-dir0-is-absolute/src/k.c', '/home/me/k/k.h']);
    expect([...p.files[0]!.md5!]).toEqual(md5);
    expect(p.rows.map((r) => [Number(r.address), r.file, r.line])).toEqual([
      [0x2000, 1, 1],
      [0x2004, 1, 1],
    ]);
  });

  it('a truncated or malformed program is a warning naming .debug_line and the offset', () => {
    const good = v2Program([0, 9, 2, ...u64(0x1000n), 0x01, 0, 1, 1]);
    for (let cut = 1; cut < good.length; cut++) {
      const res = parseAllLinePrograms(mapDwarfSource({ '.debug_line': good.subarray(0, cut) }));
      expect(res.programs.length).toBe(0);
      expect(res.warnings.length, `cut at ${cut}`).toBe(1);
      expect(res.warnings[0]).toMatch(/\.debug_line.*offset 0x/);
    }
    const bad = good.slice();
    bad[4] = 9; // version 9
    expect(parseAllLinePrograms(mapDwarfSource({ '.debug_line': bad })).warnings[0]).toMatch(/version 9 is not 2-5/);
  });
});
