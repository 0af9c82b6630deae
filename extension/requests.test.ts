import { describe, expect, it } from 'vitest';
import { STACK_VIEW_LIMIT, errorMessage, formatPageWalk, formatStack, injectArguments, stackWindow, stacksOf, statusText } from './requests';

describe('inject', () => {
  it('sends a vector only for IRQs', () => {
    expect(injectArguments('nmi', 5)).toEqual({ kind: 'nmi' });
    expect(injectArguments('mc')).toEqual({ kind: 'mc' });
    expect(injectArguments('irq', 0x20)).toEqual({ kind: 'irq', vector: 32 });
  });
});

describe('statusText', () => {
  it('shows mode, CPL and stack', () => {
    expect(statusText({ mode: 'long', cpl: 0, stack: 'IST1', rsp: '0xffff800000010ff0' })).toEqual({
      text: '$(chip) 64-bit · CPL0 · IST1 stack',
      tooltip: 'KStack: CPU mode: long; current privilege level: 0 (kernel); RSP is on the IST1 stack (rsp = 0xffff800000010ff0)',
    });
  });

  it('leaves out what the adapter does not send, and hides when nothing is known', () => {
    expect(statusText({ mode: 'protected' })?.text).toBe('$(chip) protected');
    expect(statusText({ cpl: 3 })?.text).toBe('$(chip) CPL3');
    expect(statusText({})).toBeUndefined();
    expect(statusText({ cpl: 'x' as unknown as number })).toBeUndefined();
  });
});

describe('stacks', () => {
  it('keeps well-formed entries only', () => {
    expect(stacksOf({ stacks: [{ name: 'RSP0', base: '0x1000', size: 4096 }, { name: 'bad' }, 7] })).toEqual([{ name: 'RSP0', base: '0x1000', size: 4096 }]);
    expect(stacksOf(undefined)).toEqual([]);
    expect(stacksOf({ stacks: 'no' })).toEqual([]);
  });

  it('reads a small stack whole, a large one from its top or from below RSP', () => {
    expect(stackWindow({ name: 's', base: '0x1000', size: 0x1000 })).toEqual({ start: 0x1000n, count: 0x1000 });
    const big = { name: 'b', base: '0x100000', size: 0x100000 };
    expect(stackWindow(big)).toEqual({ start: 0x200000n - BigInt(STACK_VIEW_LIMIT), count: STACK_VIEW_LIMIT });
    expect(stackWindow({ ...big, rsp: '0x100100' })).toEqual({ start: 0x1000c0n, count: STACK_VIEW_LIMIT });
    expect(stackWindow({ ...big, rsp: '0x1ffff0' })).toEqual({ start: 0x200000n - BigInt(STACK_VIEW_LIMIT), count: STACK_VIEW_LIMIT });
  });

  it('formats quadwords from the top down with RSP marked', () => {
    const bytes = new Uint8Array(24);
    bytes.set([0x78, 0x56, 0x34, 0x12], 0);
    bytes[16] = 0xff;
    const text = formatStack({ name: 'IST1', base: '0x2000', size: 24, rsp: '0x2008' }, 0x2000n, bytes);
    expect(text).toBe(
      [
        'IST1 stack: 0x0000000000002000-0x0000000000002018 (24 bytes), rsp = 0x0000000000002008',
        '',
        '0x0000000000002010  0x00000000000000ff  top-    8',
        '0x0000000000002008  0x0000000000000000  top-   16  <- rsp',
        '0x0000000000002000  0x0000000012345678  top-   24',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing could be read', () => {
    expect(formatStack({ name: 'x', base: '0x0', size: 8 }, 0n, new Uint8Array())).toContain('not mapped');
  });
});

describe('formatPageWalk', () => {
  it('lists the levels and the result', () => {
    const text = formatPageWalk(
      {
        address: '0xffffffff80001000',
        cr3: '0x1000',
        levels: [
          { name: 'PML4', index: 511, entryAddress: '0x1ff8', value: '0x2003', flags: ['P', 'RW'] },
          { name: 'PDPT', index: 510, entryAddress: '0x2ff0', value: '0x3003', flags: ['P', 'RW'] },
          { name: 'PD', index: 0, entryAddress: '0x3000', value: '0x83', flags: ['P', 'RW', 'PS'] },
        ],
        physicalAddress: '0x1000',
        pageSize: 2 << 20,
      },
      '0xffffffff80001000',
    );
    expect(text.split('\n')).toEqual([
      'Page walk of 0xffffffff80001000 (CR3 = 0x1000)',
      '  PML4 [511] @ 0x1ff8 = 0x2003  P RW',
      '  PDPT [510] @ 0x2ff0 = 0x3003  P RW',
      '  PD   [0]   @ 0x3000 = 0x83  P RW PS',
      '  -> physical 0x1000 (2 MiB page)',
    ]);
  });

  it('shows a fault', () => {
    expect(formatPageWalk({ fault: 'not present at PML4[0]' }, 'x')).toBe('Page walk of x\n  -> not present at PML4[0]');
  });
});

it('errorMessage', () => {
  expect(errorMessage(new Error('unknown request kstack/inject'))).toBe('unknown request kstack/inject');
  expect(errorMessage('s')).toBe('s');
});
