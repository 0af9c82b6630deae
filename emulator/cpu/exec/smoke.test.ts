import { describe, expect, it } from 'vitest';
import { StopReason } from '../cpu';
import { machine, runToHlt } from '../testutil';

describe('smoke', () => {
  it('mov/add/hlt', () => {
    const cpu = machine('b805000000 83c007 f4');
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.getReg('rax')).toBe(12n);
    expect(cpu.instructionCount).toBe(3);
  });
});
