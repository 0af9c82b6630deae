// DWARF expressions: the evaluator, operation by operation (table-driven), pieces, and the
// readelf-style printer; CFA programs with the instructions the fixtures do not use.
import { describe, expect, it } from 'vitest';
import { cfaRows, cfaRuleText, registerRuleText, type Cie, type Fde } from './frame';
import { evaluateExpr, formatExpr, type ExprContext } from './expr';
import { formatG } from './values';

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};

const regs: Record<number, bigint> = { 0: 100n, 6: 0x7000n, 7: 0x8000n };
const memory = new Map<bigint, bigint>([
  [0x8000n, 0x1122334455667788n],
  [0x9000n, 0xffn],
]);
const ctx: ExprContext = {
  addressSize: 8,
  readRegister: (n) => regs[n],
  readMemory: (addr, size) => {
    for (const [a, v] of memory)
      if (addr >= a && addr + BigInt(size) <= a + 8n) {
        const out = new Uint8Array(size);
        for (let i = 0; i < size; i++) out[i] = Number((v >> BigInt(8 * (Number(addr - a) + i))) & 0xffn);
        return out;
      }
    return undefined;
  },
  frameBase: () => 0x6000n,
  cfa: 0x5000n,
};

const value = (bytes: number[]): unknown => {
  const r = evaluateExpr(new Uint8Array(bytes), ctx);
  return r.kind === 'memory' ? r.address : r.kind === 'value' ? r.value : r;
};

describe('DWARF expression evaluator', () => {
  const SV = 0x9f; // DW_OP_stack_value
  it.each([
    ['lit + plus_uconst', [0x35, 0x23, ...uleb(200), SV], 205n],
    ['const1s', [0x09, 0xfe, SV], 0xfffffffffffffffen],
    ['const2u / const4u / const8u', [0x0a, 0x34, 0x12, 0x0c, 1, 0, 0, 0, 0x22, SV], 0x1235n],
    ['constu / consts', [0x10, ...uleb(1000), 0x11, ...sleb(-1), 0x22, SV], 999n],
    ['minus mul div mod', [0x3a, 0x33, 0x1c, 0x37, 0x1e, 0x32, 0x1b, 0x35, 0x1d, SV], 4n], // ((10 - 3) * 7 / 2) % 5
    ['neg abs', [0x35, 0x1f, 0x19, SV], 5n],
    ['and or xor not', [0x3c, 0x36, 0x1a, 0x33, 0x21, 0x3f, 0x27, 0x20, SV], ~(((12n & 6n) | 3n) ^ 15n) & 0xffffffffffffffffn],
    ['shl shr shra', [0x31, 0x40, 0x24, 0x31, 0x25, 0x11, ...sleb(-64), 0x32, 0x26, 0x22, SV], 0x7ff0n], // (1 << 16 >> 1) + (-64 >> 2)
    ['dup drop over swap rot pick', [0x31, 0x32, 0x33, 0x17, 0x16, 0x14, 0x12, 0x13, 0x15, 1, 0x22, 0x22, 0x22, SV], 6n],
    ['comparisons', [0x31, 0x32, 0x2d, 0x31, 0x32, 0x2b, 0x22, 0x31, 0x31, 0x29, 0x22, SV], 2n],
    ['skip', [0x2f, 1, 0, 0x3f, 0x31, SV], 1n],
    ['bra taken / not taken', [0x31, 0x28, 1, 0, 0x3f, 0x30, 0x28, 1, 0, 0x3e, SV], 14n],
    ['breg', [0x76, ...sleb(-16)], 0x7000n - 16n],
    ['bregx', [0x92, 7, ...sleb(8)], 0x8008n],
    ['fbreg', [0x91, ...sleb(-20)], 0x6000n - 20n],
    ['call_frame_cfa', [0x9c], 0x5000n],
    ['deref', [0x77, 0, 0x06, SV], 0x1122334455667788n],
    ['deref_size', [0x77, 2, 0x94, 2, SV], 0x5566n],
    ['addr', [0x03, 0x10, 0x20, 0, 0, 0, 0, 0, 0], 0x2010n],
  ])('%s', (_name, bytes, want) => {
    expect(value(bytes)).toBe(want);
  });

  it('register and implicit locations, optimized out, pieces', () => {
    expect(evaluateExpr(new Uint8Array([0x50]), ctx)).toEqual({ kind: 'register', reg: 0 });
    expect(evaluateExpr(new Uint8Array([0x90, ...uleb(17)]), ctx)).toEqual({ kind: 'register', reg: 17 });
    expect(evaluateExpr(new Uint8Array([0x9e, 2, 0xaa, 0xbb]), ctx)).toEqual({ kind: 'implicit', bytes: new Uint8Array([0xaa, 0xbb]) });
    expect(evaluateExpr(new Uint8Array([]), ctx)).toEqual({ kind: 'optimized' });
    const p = evaluateExpr(new Uint8Array([0x93, 4, 0x58, 0x93, 4, 0x77, 0, 0x93, 8]), ctx);
    expect(p).toEqual({
      kind: 'pieces',
      pieces: [
        { bits: 32, offsetBits: 0, location: { kind: 'optimized' } },
        { bits: 32, offsetBits: 0, location: { kind: 'register', reg: 8 } },
        { bits: 64, offsetBits: 0, location: { kind: 'memory', address: 0x8000n } },
      ],
    });
  });

  it('errors are values: unknown registers and memory, bad branches, loops, empty stack, truncation', () => {
    const err = (bytes: number[]): string => {
      const r = evaluateExpr(new Uint8Array(bytes), ctx);
      return r.kind === 'error' ? r.message : `not an error: ${r.kind}`;
    };
    expect(err([0x71, 0])).toMatch(/register rdx is not available/);
    expect(err([0x31, 0x06])).toMatch(/cannot read 8 byte\(s\) at 0x1/);
    expect(err([0x2f, 5, 0])).toMatch(/branch to offset 8/);
    expect(err([0x2f, 0xfd, 0xff])).toMatch(/more than 10000 operations/);
    expect(err([0x22])).toMatch(/stack is empty/);
    expect(err([0x0c, 1, 2])).toMatch(/needs 4 byte/);
    expect(err([0xff])).toMatch(/unknown opcode 0xff/);
    expect(err([0x31, 0x32, 0x1b])).toBe('not an error: memory');
    expect(err([0x31, 0x30, 0x1b])).toMatch(/by zero/);
    expect(err([0xa3, 1, 0x55, SV_()])).toMatch(/value on entry/);
  });

  it('prints expressions as readelf does', () => {
    expect(formatExpr(new Uint8Array([0x77, 0x18, 0x06]), { addressSize: 8 })).toBe('DW_OP_breg7 (rsp): 24; DW_OP_deref');
    expect(formatExpr(new Uint8Array([0x91, ...sleb(-20)]), { addressSize: 8 })).toBe('DW_OP_fbreg: -20');
    expect(formatExpr(new Uint8Array([0xa3, 1, 0x55, 0x9f]), { addressSize: 8 })).toBe('DW_OP_entry_value: (DW_OP_reg5 (rdi)); DW_OP_stack_value');
    expect(formatExpr(new Uint8Array([0x03, 0x10, 0x32, 0x40, 0, 0, 0, 0, 0]), { addressSize: 8 })).toBe('DW_OP_addr: 403210');
  });
});

function SV_(): number {
  return 0x9f;
}

describe('CFA programs: the instructions compilers rarely emit', () => {
  const cie: Cie = {
    offset: 0,
    section: '.debug_frame',
    version: 4,
    augmentation: '',
    addressSize: 8,
    segmentSize: 0,
    codeAlign: 4,
    dataAlign: -8,
    raReg: 16,
    fdeEncoding: 0,
    signalFrame: false,
    instructions: new Uint8Array([0x0c, 7, 8, 0x90, 1, 0x83, 2]), // def_cfa rsp+8; offset rip c-8; offset rbx c-16
    instructionsOffset: 0,
    dwarf64: false,
    sectionAddress: 0n,
  };
  const fde = (insns: number[]): Fde => ({
    offset: 0x40,
    section: '.debug_frame',
    cie,
    pcBegin: 0x1000n,
    pcEnd: 0x2000n,
    instructions: new Uint8Array(insns),
    instructionsOffset: 0x58,
  });
  const show = (insns: number[], cols: number[]): string[] =>
    cfaRows(fde(insns)).map((r) => `${r.loc.toString(16)} ${cfaRuleText(r.cfa)} ${cols.map((c) => registerRuleText(r.regs.get(c))).join(' ')}`);

  it('def_cfa_sf, def_cfa_offset_sf, offset_extended(_sf), val_offset(_sf), restore_extended, negative offsets, set_loc, advance_loc1/2', () => {
    const rows = show(
      [
        0x12, 6, ...sleb(-2), // def_cfa_sf rbp, -2 * -8 = 16
        0x02, 1, // advance_loc1 1 * 4
        0x13, ...sleb(-4), // def_cfa_offset_sf 32
        0x05, 12, 3, // offset_extended r12 c-24
        0x11, 13, ...sleb(1), // offset_extended_sf r13 c+(-8)
        0x2f, 14, 1, // GNU_negative_offset_extended r14 c+8
        0x03, 2, 0, // advance_loc2 2 * 4
        0x14, 15, 2, // val_offset r15 v-16
        0x15, 0, ...sleb(-1), // val_offset_sf rax v+8
        0x06, 3, // restore_extended rbx: back to c-16... then
        0x08, 3, // same_value rbx
        0x01, 0x00, 0x30, 0, 0, 0, 0, 0, 0, // set_loc 0x3000
        0x07, 16, // undefined rip
        0x00,
      ],
      [3, 12, 13, 14, 15, 0, 16],
    );
    expect(rows).toEqual([
      '1000 rbp+16 c-16 u u u u u c-8',
      '1004 rbp+32 c-16 c-24 c-8 c+8 u u c-8',
      '100c rbp+32 s c-24 c-8 c+8 v-16 v+8 c-8',
      '3000 rbp+32 s c-24 c-8 c+8 v-16 v+8 u',
    ]);
  });

  it('an expression CFA and expression rules; remember/restore state restores the CFA too', () => {
    const rows = show([0x0a, 0x0f, 3, 0x77, 0x18, 0x06, 0x10, 16, 2, 0x77, 0, 0x16, 7, 1, 0x9c, 0x41, 0x0b, 0x41], [16, 7]);
    expect(rows).toEqual(['1000 exp exp vexp', '1004 rsp+8 c-8 u', '1008 rsp+8 c-8 u']);
  });

  it('restore_state without remember_state is an error naming the section and offset', () => {
    expect(() => cfaRows(fde([0x41, 0x0b]))).toThrow(/\.debug_frame at offset 0x59: DW_CFA_restore_state without/);
  });
});

describe('numbers as gdb prints them', () => {
  it.each([
    [1.5, 9, '1.5'],
    [0.1, 9, '0.100000001'],
    [Math.fround(0.1), 9, '0.100000001'],
    [0.1, 17, '0.10000000000000001'],
    [3.25, 17, '3.25'],
    [1e20, 17, '1e+20'],
    [1.5e-7, 9, '1.50000005e-07'],
    [-2.25, 17, '-2.25'],
    [123456789012, 9, '1.23456789e+11'],
    [0, 9, '0'],
  ])('%%.%ig of %d', (x, p, want) => {
    const v = want === '0.100000001' && x === 0.1 ? Math.fround(0.1) : x;
    expect(formatG(want === '1.50000005e-07' ? Math.fround(1.5e-7) : v, p)).toBe(want);
  });
});
