// In-process: the decoders behind the system-table scopes, exceptionInfo and the watch
// expressions (error codes, descriptors, gates, the expression forms, stopOnExceptions names).

import { describe, expect, it } from 'vitest';
import { exceptionVector } from '../../debug-adapter/config';
import { decodeErrorCode, deliveryName, filterOf, shortName } from '../../debug-adapter/interrupts';
import { parseSystemExpression } from '../../debug-adapter/sysexpr';
import { decodeDescriptor, decodeGate } from '../../debug-adapter/tables';

describe('error codes', () => {
  it.each([
    [14, 0x2, '0x2: P=0 page not present, W=1 write, U=0 supervisor mode, I=0 not an instruction fetch'],
    [14, 0x15, '0x15: P=1 protection violation, W=0 read, U=1 user mode (CPL 3), I=1 instruction fetch'],
    [14, 0x9, '0x9: P=1 protection violation, W=0 read, U=0 supervisor mode, R=1 reserved bit set in a paging entry, I=0 not an instruction fetch'],
    [13, 0x1f8, '0x1f8: GDT index 63 (selector 0x1f8), EXT=0'],
    [13, 0x13, '0x13: IDT index 2 (vector 2), EXT=1 (during delivery of an external event)'],
    [11, 0xc, '0xc: LDT index 1 (selector 0x8), EXT=0'],
    [13, 0, '0x0: no selector (null or not selector-related)'],
    [6, -1, 'none'],
  ])('vector %i, code %i', (v, code, text) => {
    expect(decodeErrorCode(v, code)).toBe(text);
  });
});

describe('descriptors and gates', () => {
  it('decodes code, data and a busy 64-bit TSS with its high base', () => {
    expect(decodeDescriptor(1, 0x00af9b000000ffffn, undefined, true).text).toBe('64-bit code readable, DPL 0');
    expect(decodeDescriptor(3, 0x00cff3000000ffffn, undefined, true).text).toBe('data writable, DPL 3, base 0x0, limit 0xffffffff');
    expect(decodeDescriptor(1, 0x00cf9a000000ffffn, undefined, false).text).toBe('32-bit code readable, DPL 0, base 0x0, limit 0xffffffff');
    const tss = decodeDescriptor(6, 0x12008b3456780067n, 0x00000000ffffffffn, true);
    expect(tss).toMatchObject({ busy: true, system: true, base: 0xffffffff12345678n, limit: 0x67 });
    expect(tss.text).toBe('64-bit TSS (busy), base 0xffffffff12345678, limit 0x67, DPL 0');
    expect(decodeDescriptor(0, 0n, undefined, true).text).toBe('null');
  });

  it('decodes 64-bit and 32-bit gates', () => {
    // handler 0xffffffff81001234, selector 0x10, IST 3, DPL 3, interrupt gate, present
    const g = decodeGate(2, 0x8100ee0300101234n, 0xffffffffn, true);
    expect(g).toMatchObject({ vector: 2, present: true, type: 'interrupt', dpl: 3, ist: 3, selector: 0x10, handler: 0xffffffff81001234n });
    const t = decodeGate(0x80, 0x00108f0000081000n, 0n, false);
    expect(t).toMatchObject({ type: 'trap', dpl: 0, ist: 0, selector: 8, handler: 0x101000n });
  });
});

describe('names', () => {
  it('filters and names by vector and kind', () => {
    expect(filterOf(2, 'nmi')).toBe('nmi');
    expect(filterOf(3, 'software')).toBe('bp');
    expect(filterOf(0x80, 'software')).toBe('software');
    expect(filterOf(0x40, 'external')).toBe('external');
    expect(filterOf(14, 'exception')).toBe('pf');
    expect(deliveryName({ vector: 0x40, kind: 'external' })).toBe('external interrupt (vector 0x40)');
    expect(shortName({ vector: 0x40, kind: 'external' })).toBe('IRQ 0x40');
    expect(deliveryName({ vector: 18, kind: 'exception' })).toBe('#MC (vector 18)');
  });

  it('stopOnExceptions accepts names and numbers, nothing else', () => {
    expect(['#PF', 'pf', 'PF', 14, '14', '0xe', 'NMI', '#XM'].map(exceptionVector)).toEqual([14, 14, 14, 14, 14, 14, 2, 19]);
    expect(['page fault', 32, -1, 'int3', null].map(exceptionVector)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('system-table expressions', () => {
  it('parses the forms, leaves the rest to the evaluate language', () => {
    expect(parseSystemExpression('tss.rsp0')).toEqual({ table: 'tss', field: 'rsp0' });
    expect(parseSystemExpression('tss.ist[7]')).toEqual({ table: 'tss', field: 'ist7' });
    expect(parseSystemExpression('idt[2].handler')).toEqual({ table: 'idt', index: '2', field: 'handler' });
    expect(parseSystemExpression('gdt[ 5 ]')).toEqual({ table: 'gdt', index: ' 5 ', field: undefined });
    expect(parseSystemExpression('pte(0xffffffff81000000)')).toEqual({ table: 'pte', address: '0xffffffff81000000' });
    expect(parseSystemExpression('tss.ist[8]')).toBeUndefined();
    expect(parseSystemExpression('[rsp+8]')).toBeUndefined();
    expect(parseSystemExpression('rax + 1')).toBeUndefined();
  });
});
