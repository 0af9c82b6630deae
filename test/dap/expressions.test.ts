// The evaluate language, table-driven against a fake machine (no adapter process).

import { describe, expect, it } from 'vitest';
import { assignTo, evaluate, formatValue, interpolate, wordAt, type EvalContext } from '../../debug-adapter/expressions';

function fakeMachine(): EvalContext & { regs: Map<string, bigint>; mem: Map<bigint, number> } {
  const regs = new Map<string, bigint>([['rax', 0x1122334455667788n], ['rbx', 0x10n], ['rsp', 0x8000n], ['rip', 0x100000n]]);
  const mem = new Map<bigint, number>();
  for (let i = 0; i < 16; i++) mem.set(0x8000n + BigInt(i), 0xa0 + i);
  const sizes: Record<string, [string, number, bigint]> = { eax: ['rax', 4, 0xffffffffn], al: ['rax', 1, 0xffn], ah: ['rax', 1, 0xff00n] };
  return {
    regs,
    mem,
    readRegister(n) {
      if (regs.has(n)) return { value: regs.get(n)!, size: 8 };
      const s = sizes[n];
      if (!s) return undefined;
      const v = regs.get(s[0])! & s[2];
      return { value: n === 'ah' ? v >> 8n : v, size: s[1] };
    },
    writeRegister(n, v) {
      if (regs.has(n)) regs.set(n, v);
      else if (n === 'eax') regs.set('rax', v & 0xffffffffn);
      else throw new Error(`cannot write ${n}`);
    },
    readMemory(a, size) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) {
        const b = mem.get(a + BigInt(i));
        if (b === undefined) return undefined;
        v = (v << 8n) | BigInt(b);
      }
      return v;
    },
    writeMemory(a, size, v) {
      for (let i = 0; i < size; i++) {
        if (!mem.has(a + BigInt(i))) return false;
        mem.set(a + BigInt(i), Number((v >> BigInt(8 * i)) & 0xffn));
      }
      return true;
    },
    lookupSymbol: (n) => (n === 'buf' ? 0x8000n : n === 'main.loop' ? 0x100010n : undefined),
    segmentBase: (s) => (s === 'gs' ? 0x8000n : 0n),
    rip: () => 0x100000n,
  };
}

describe('evaluate', () => {
  const m = fakeMachine();
  const ok: [string, string][] = [
    ['rax', '0x1122334455667788'],
    ['$rax', '0x1122334455667788'],
    ['eax', '0x55667788'],
    ['al', '0x88'],
    ['ah', '0x77'],
    ['RBX', '0x10'],
    ['rbx * 2 + 1', '0x21'],
    ['(rbx + 1) * 2', '0x22'],
    ['rbx << 4 | 1', '0x101'],
    ['rbx >> 1', '0x8'],
    ['~0', '0xffffffffffffffff'],
    ['-rbx', '0xfffffffffffffff0'],
    ['17 % 5', '0x2'],
    ['10h + 0x10 + 0b10 + 0o10', '0x2a'],
    ['1_000', '0x3e8'],
    ["'AB'", '0x4241'],
    ['rbx == 16', 'true'],
    ['rbx != 16', 'false'],
    ['rbx < 17 && rbx > 15', 'true'],
    ['!rbx || 0', 'false'],
    ['buf', '0x8000'],
    ['main.loop - $', '0x10'],
    ['[rsp]', '0xa7a6a5a4a3a2a1a0'],
    ['qword [rsp]', '0xa7a6a5a4a3a2a1a0'],
    ['dword [rsp+4]', '0xa7a6a5a4'],
    ['word ptr [buf + rbx - 0x10]', '0xa1a0'],
    ['byte [rsp + 15]', '0xaf'],
    ['byte gs:[1]', '0xa1'],
    ['byte [gs:2]', '0xa2'],
  ];
  for (const [text, want] of ok) it(text, () => expect(formatValue(evaluate(text, m), { decimal: false })).toBe(want));

  const bad: [string, RegExp][] = [
    ['', /empty expression/],
    ['rax +', /expression ends too early/],
    ['1 2', /unexpected '2'/],
    ['(1', /expected '\)'/],
    ['[rsp', /expected '\]'/],
    ['nosuch', /'nosuch' is not a register or a symbol/],
    ['$buf', /'\$buf' is not a register or a symbol/],
    ['1 / 0', /division by zero/],
    ['12ab', /bad number '12ab'/],
    ['byte [0x9000]', /cannot read 1 byte at 0x9000: not mapped/],
    ['tword [rsp]', /only byte, word, dword and qword/],
    ['rax # 1', /unexpected character '#'/],
    ["'unterminated", /unterminated character constant/],
  ];
  for (const [text, re] of bad) it(`rejects ${JSON.stringify(text)}`, () => expect(() => evaluate(text, m)).toThrow(re));

  it('assigns registers and memory (the console and setExpression)', () => {
    const mm = fakeMachine();
    expect(formatValue(evaluate('rbx = rbx + 1', mm, true))).toBe('0x11 (17)');
    expect(() => evaluate('rbx = 1', mm)).toThrow(/assigns only in the Debug Console/);
    assignTo('word [rsp+2]', 0xbeefn, mm);
    expect(formatValue(evaluate('dword [rsp]', mm), { decimal: false })).toBe('0xbeefa1a0');
    assignTo('eax', 0x1_0000_0001n, mm);
    expect(formatValue(evaluate('rax', mm), { decimal: false })).toBe('0x1');
    expect(() => assignTo('rbx + 1', 1n, mm)).toThrow(/cannot be assigned/);
    expect(() => assignTo('buf', 1n, mm)).toThrow(/cannot be assigned/);
    expect(() => assignTo('byte [0x9000]', 1n, mm)).toThrow(/not mapped/);
  });

  it('formats booleans, decimals and plain hex', () => {
    expect(formatValue(evaluate('rbx', m))).toBe('0x10 (16)');
    expect(formatValue(evaluate('5', m))).toBe('0x5');
    expect(formatValue(evaluate('rbx', m), { hex: false })).toBe('16');
    expect(formatValue(evaluate('1 < 2', m))).toBe('true');
  });

  it('interpolates logpoint messages', () => {
    expect(interpolate('rbx={rbx} [rsp]={byte [rsp]} {{literal}} {nosuch}', m)).toBe(
      "rbx=0x10 [rsp]=0xa0 {literal} <nosuch: 'nosuch' is not a register or a symbol>",
    );
  });

  it('finds the word being completed', () => {
    expect(wordAt('rax + inn', 9)).toEqual({ start: 6, prefix: 'inn' });
    expect(wordAt('$r', 2)).toEqual({ start: 0, prefix: '$r' });
    expect(wordAt('[main.lo', 8)).toEqual({ start: 1, prefix: 'main.lo' });
  });
});
