// The launch configuration's `stacks` as the stack tracker takes them: two of base, top and size,
// addresses or symbols; each problem named with its attribute.

import { describe, expect, it } from 'vitest';
import { DebugInfo } from '../../debug-adapter/debuginfo';
import { resolveStacks } from '../../debug-adapter/stacks';

const debug = new DebugInfo(
  [
    { name: 'irq_stack_bottom', address: 0x10000n, size: 0n, kind: 'data', global: false },
    { name: 'irq_stack_top', address: 0x14000n, size: 0n, kind: 'data', global: false },
  ],
  [],
  [],
);

describe('launch stacks', () => {
  it('takes base+size, top+size, base+top, numbers, hex strings and symbols', () => {
    expect(
      resolveStacks(
        [
          { name: 'a', base: 0x1000, size: 0x800 },
          { name: 'b', top: '0x3000', size: 4096 },
          { name: 'irq', base: 'irq_stack_bottom', top: 'irq_stack_top' },
        ],
        debug,
      ),
    ).toEqual([
      { name: 'a', base: 0x1000, size: 0x800 },
      { name: 'b', base: 0x2000, size: 4096 },
      { name: 'irq', base: 0x10000, size: 0x4000 },
    ]);
    expect(resolveStacks(undefined, debug)).toEqual([]);
  });

  it('names the attribute and the cause of each problem', () => {
    const err = (v: unknown) => {
      try {
        resolveStacks(v, debug);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({})).toBe("launch: 'stacks' must be an array of { name, base, top, size }");
    expect(err([{ base: 1, size: 2 }])).toBe("launch: 'stacks[0].name' must be a non-empty string");
    expect(err([{ name: 'x', base: 'nope', size: 16 }])).toBe("launch: 'stacks[0].base' names no symbol of the program: 'nope'");
    expect(err([{ name: 'x', size: 16 }])).toBe("launch: 'stacks[0]' needs two of base, top and size (stack 'x')");
    expect(err([{ name: 'x', base: 0x2000, top: 0x1000 }])).toBe("launch: 'stacks[0]' top must be above base (stack 'x')");
    expect(err([{ name: 'x', base: 0x2000, size: -1 }])).toBe("launch: 'stacks[0].size' must be a positive number of bytes (got -1)");
  });
});
