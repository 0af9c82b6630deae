import { describe, expect, it } from 'vitest';
import { parseAddress, parseVector, validateAddress, validateVector } from './input';

describe('vectors', () => {
  it.each([
    ['32', 32],
    [' 0x20 ', 32],
    ['0XFF', 255],
    ['20h', 32],
    ['255', 255],
    ['2', 2],
    ['256', undefined],
    ['-1', undefined],
    ['0x', undefined],
    ['ten', undefined],
    ['3.5', undefined],
  ] as const)('%j -> %s', (text, v) => {
    expect(parseVector(text)).toBe(v);
  });

  it('validation accepts 32-255 and explains the rest', () => {
    expect(validateVector('0x20')).toBeUndefined();
    expect(validateVector('255')).toBeUndefined();
    expect(validateVector('')).toMatch(/Type an interrupt vector/);
    expect(validateVector('14')).toMatch(/exceptions/);
    expect(validateVector('300')).toMatch(/not a vector/);
  });
});

describe('addresses', () => {
  it.each([
    ['0xFFFFFFFF80001000', '0xffffffff80001000'],
    ['4096', '0x1000'],
    ['0xffff_8000_0000_0000', '0xffff800000000000'],
    ['0x10000000000000000', undefined],
    ['kernel_start', 'kernel_start'],
    ['  rsp + 8 ', 'rsp + 8'],
    ['12xyz', undefined],
    ['', undefined],
  ] as const)('%j -> %s', (text, v) => {
    expect(parseAddress(text)).toBe(v);
  });

  it('validation', () => {
    expect(validateAddress('0x1000')).toBeUndefined();
    expect(validateAddress(' ')).toMatch(/Type a virtual address/);
    expect(validateAddress('0x1ffffffffffffffff')).toMatch(/not an address/);
  });
});
