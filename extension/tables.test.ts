// The System Tables view's parsing and tree, with answers of the adapter for
// test/e2e/workspace/nmi.asm stopped in its NMI handler.
import { describe, expect, it } from 'vitest';
import { bytes, parseSystemTables, shortHex, systemTablesTree, trackedStackOf, usageBar, type TableNode } from './tables';
import { parseStackSwitches } from './switches';
import { RECORDED_SWITCHES, TABLES } from './fixtures';

const byId = (nodes: TableNode[], id: string): TableNode | undefined => {
  for (const n of nodes) {
    if (n.id === id) return n;
    const c = byId(n.children ?? [], id);
    if (c) return c;
  }
  return undefined;
};

describe('parseSystemTables', () => {
  it('reads the TSS slots, the gates and the descriptors', () => {
    const t = parseSystemTables(TABLES);
    expect('error' in t.tss).toBe(false);
    if ('error' in t.tss) return;
    expect(t.tss.rsp.map((s) => s.slot)).toEqual(['RSP0', 'RSP1', 'RSP2']);
    expect(t.tss.ist.map((s) => s.slot)).toEqual(['IST1', 'IST2', 'IST3', 'IST4', 'IST5', 'IST6', 'IST7']);
    expect(t.tss.ist[0]).toEqual({ slot: 'IST1', value: '0x00000000001031e0', symbol: 'nmi_stack_top', stack: 'nmi_stack' });
    expect(t.tss.selector).toBe(0x18);
    expect(t.idt).toEqual([{ vector: 2, name: 'NMI', type: 'interrupt', dpl: 0, ist: 1, selector: 8, handler: '0x0000000000100048', symbol: 'nmi_entry' }]);
    expect(t.gdt.map((d) => [d.selector, d.present, d.busy])).toEqual([[0, false, undefined], [8, true, undefined], [0x10, true, undefined], [0x18, true, true]]);
  });

  it('keeps the adapter\'s TSS error and drops malformed entries', () => {
    const t = parseSystemTables({ tss: { error: 'TR is 0: no TSS loaded' }, idt: [{ vector: 3 }, 'x', { vector: 14, handler: '0x1000' }], gdt: [{ selector: 8 }, null] });
    expect(t.tss).toEqual({ error: 'TR is 0: no TSS loaded' });
    expect(t.idt.map((g) => g.vector)).toEqual([14]);
    expect(t.idt[0]).toMatchObject({ name: '', type: '', ist: 0, dpl: 0 });
    expect(t.gdt).toEqual([]);
  });

  it('treats a body that is not an object as no tables', () => {
    for (const b of [undefined, null, 42, 'x', []]) {
      const t = parseSystemTables(b);
      expect(t.tss).toEqual({ error: 'the adapter sent no TSS' });
      expect(t.idt).toEqual([]);
      expect(t.gdt).toEqual([]);
    }
  });
});

describe('usageBar and bytes', () => {
  it('fills in proportion, at least one cell when anything is used, all when full or over', () => {
    expect(usageBar(0, 4096)).toBe('░░░░░░░░░░ 0%');
    expect(usageBar(48, 4096)).toBe('█░░░░░░░░░ 1%');
    expect(usageBar(2048, 4096)).toBe('█████░░░░░ 50%');
    expect(usageBar(4096, 4096)).toBe('██████████ 100%');
    expect(usageBar(5000, 4096)).toBe('██████████ 122%');
    expect(usageBar(10, 0)).toBe('█░░░░░░░░░ 0%');
    expect(usageBar(1, 4, 4)).toBe('█░░░ 25%');
  });

  it('writes sizes in B, KiB, MiB', () => {
    expect([bytes(48), bytes(1536), bytes(16384), bytes(2 * 1024 * 1024)]).toEqual(['48 B', '1.5 KiB', '16 KiB', '2 MiB']);
  });

  it('shortens addresses', () => {
    expect(shortHex('0x00000000001031e0')).toBe('0x1031e0');
    expect(shortHex('0x0000000000000000')).toBe('0x0');
    expect(shortHex('rsp')).toBe('rsp');
  });
});

describe('systemTablesTree', () => {
  const stacks = parseStackSwitches(RECORDED_SWITCHES).stacks;
  const tree = systemTablesTree(parseSystemTables(TABLES), stacks);

  it('has TSS (expanded), IDT and GDT at the top', () => {
    expect(tree.map((n) => [n.label, n.expanded ?? false])).toEqual([['TSS', true], ['IDT', true], ['GDT', false]]);
    expect(tree[0]!.description).toBe('0x100170 · TR 0x18');
    expect(tree[0]!.children!.map((n) => n.label)).toEqual(['RSP0', 'RSP1', 'RSP2', 'IST1', 'IST2', 'IST3', 'IST4', 'IST5', 'IST6', 'IST7']);
  });

  it('shows each slot with the stack it names and a bar of its use (RSP is on IST1)', () => {
    const ist1 = byId(tree, 'tss/IST1')!;
    expect(ist1.description).toBe('0x1031e0  nmi_stack_top  █░░░░░░░░░ 1% of 4 KiB');
    expect(ist1.icon).toBe('arrow-right');
    expect(ist1.tooltip).toContain('in use now: 48 B (RSP is on it)');
    const rsp0 = byId(tree, 'tss/RSP0')!;
    expect(rsp0.description).toBe('0x1021e0  kernel_stack_top  ░░░░░░░░░░ 0% of 8 KiB');
    expect(rsp0.tooltip).toContain('deepest use seen: 8 KiB');
    expect(byId(tree, 'tss/IST2')!.description).toBe('0 (unused)');
  });

  it('without the tracker\'s stacks, slots show no bar', () => {
    const bare = systemTablesTree(parseSystemTables(TABLES));
    expect(byId(bare, 'tss/IST1')!.description).toBe('0x1031e0  nmi_stack_top');
  });

  it('lists the present gates with handler, type and IST; a gate opens its handler', () => {
    const nmi = byId(tree, 'idt/2')!;
    expect(nmi.label).toBe('2 (0x02) NMI');
    expect(nmi.description).toBe('nmi_entry · interrupt gate · IST1 · DPL0');
    expect(nmi.address).toBe('0x0000000000100048');
    expect(tree[1]!.description).toBe('1 present gate');
  });

  it('lists the GDT by selector with the adapter\'s decoding', () => {
    expect(tree[2]!.children!.map((n) => `${n.label} ${n.description}`)).toEqual([
      '0x00 null',
      '0x08 64-bit code readable, DPL 0',
      '0x10 data writable, DPL 0, base 0x0, limit 0xffffffff',
      '0x18 64-bit TSS (busy), base 0x100170, limit 0x67, DPL 0',
    ]);
  });

  it('shows the TSS error instead of slots', () => {
    const t = systemTablesTree(parseSystemTables({ tss: { error: 'TR is 0: no TSS loaded' }, idt: [], gdt: [] }));
    expect(t[0]).toMatchObject({ label: 'TSS', description: 'TR is 0: no TSS loaded', icon: 'warning' });
    expect(t[0]!.children).toBeUndefined();
    expect(t[1]!.description).toBe('empty');
  });
});

describe('trackedStackOf', () => {
  it('needs name, base, top and size', () => {
    expect(trackedStackOf({ name: 'a', base: '0x0', top: '0x10', size: 16 })).toMatchObject({ slots: [], current: false, used: 0, deepest: 0 });
    expect(trackedStackOf({ name: 'a', base: '0x0', size: 16 })).toBeUndefined();
    expect(trackedStackOf({ name: 'a', base: '0x0', top: '0x10', size: -1 })).toBeUndefined();
  });
});
