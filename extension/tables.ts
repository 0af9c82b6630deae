// The "System Tables" view's data: `kstack/systemTables` (TSS, IDT, GDT) and the stacks of
// `kstack/stackSwitches` (their use), parsed leniently, and the tree the view shows, as plain
// nodes (no VS Code API here: main.ts turns them into TreeItems).

import type { GateJson } from '../debug-adapter/systables';

/** One TSS stack slot (RSP0-2, IST1-7): its value, the symbol there, the stack it names. */
export interface TssSlot {
  slot: string;
  value: string;
  symbol?: string;
  stack?: string;
}

export type Tss = { base: string; selector?: number; limit?: number; ioMapBase?: number; rsp: TssSlot[]; ist: TssSlot[] } | { error: string };

/** A present IDT gate (the adapter's own type, docs/debug-adapter.md "kstack/systemTables"). */
export type Gate = GateJson;

/** A GDT entry. */
export interface Descriptor {
  index: number;
  selector: number;
  /** The adapter's one-line decoding ('64-bit code DPL0', 'TSS (busy) base ...'). */
  text: string;
  present: boolean;
  system?: boolean;
  dpl?: number;
  base?: string;
  limit?: number;
  busy?: boolean;
}

export interface SystemTables {
  tss: Tss;
  idt: Gate[];
  gdt: Descriptor[];
}

/** A stack the tracker knows (`kstack/stackSwitches`' `stacks`). */
export interface TrackedStack {
  name: string;
  base: string;
  top: string;
  size: number;
  origin?: string;
  slots: string[];
  current: boolean;
  used: number;
  deepest: number;
  belowTouched?: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function slotOf(v: unknown): TssSlot | undefined {
  if (!isObj(v)) return undefined;
  const slot = str(v['slot']);
  const value = str(v['value']);
  if (!slot || value === undefined) return undefined;
  const out: TssSlot = { slot, value };
  const symbol = str(v['symbol']);
  const stack = str(v['stack']);
  if (symbol) out.symbol = symbol;
  if (stack) out.stack = stack;
  return out;
}

function gateOf(v: unknown): Gate | undefined {
  if (!isObj(v)) return undefined;
  const vector = num(v['vector']);
  const handler = str(v['handler']);
  if (vector === undefined || handler === undefined) return undefined;
  const g: Gate = {
    vector,
    name: str(v['name']) ?? '',
    type: str(v['type']) ?? '',
    dpl: num(v['dpl']) ?? 0,
    ist: num(v['ist']) ?? 0,
    selector: num(v['selector']) ?? 0,
    handler,
  };
  const symbol = str(v['symbol']);
  if (symbol) g.symbol = symbol;
  return g;
}

function descriptorOf(v: unknown): Descriptor | undefined {
  if (!isObj(v)) return undefined;
  const index = num(v['index']);
  const selector = num(v['selector']) ?? (index !== undefined ? index * 8 : undefined);
  if (index === undefined || selector === undefined) return undefined;
  const d: Descriptor = { index, selector, text: str(v['text']) ?? '', present: v['present'] !== false };
  if (typeof v['system'] === 'boolean') d.system = v['system'];
  if (num(v['dpl']) !== undefined) d.dpl = num(v['dpl']);
  if (str(v['base'])) d.base = str(v['base']);
  if (num(v['limit']) !== undefined) d.limit = num(v['limit']);
  if (typeof v['busy'] === 'boolean') d.busy = v['busy'];
  return d;
}

/** `kstack/systemTables`' body; malformed parts are dropped, a missing TSS is an error entry. */
export function parseSystemTables(body: unknown): SystemTables {
  const b = isObj(body) ? body : {};
  let tss: Tss;
  const t = b['tss'];
  if (isObj(t) && typeof t['error'] === 'string') tss = { error: t['error'] };
  else if (isObj(t) && typeof t['base'] === 'string') {
    tss = {
      base: t['base'],
      rsp: list(t['rsp']).map(slotOf).filter((s): s is TssSlot => !!s),
      ist: list(t['ist']).map(slotOf).filter((s): s is TssSlot => !!s),
    };
    if (num(t['selector']) !== undefined) tss.selector = num(t['selector']);
    if (num(t['limit']) !== undefined) tss.limit = num(t['limit']);
    if (num(t['ioMapBase']) !== undefined) tss.ioMapBase = num(t['ioMapBase']);
  } else tss = { error: 'the adapter sent no TSS' };
  return {
    tss,
    idt: list(b['idt']).map(gateOf).filter((g): g is Gate => !!g),
    gdt: list(b['gdt']).map(descriptorOf).filter((d): d is Descriptor => !!d),
  };
}

/** A stack of `kstack/stackSwitches`' `stacks`, or undefined when malformed. */
export function trackedStackOf(v: unknown): TrackedStack | undefined {
  if (!isObj(v)) return undefined;
  const name = str(v['name']);
  const base = str(v['base']);
  const top = str(v['top']);
  const size = num(v['size']);
  if (!name || !base || !top || size === undefined || size < 0) return undefined;
  return {
    name,
    base,
    top,
    size,
    origin: str(v['origin']),
    slots: list(v['slots']).filter((s): s is string => typeof s === 'string'),
    current: v['current'] === true,
    used: Math.max(0, num(v['used']) ?? 0),
    deepest: Math.max(0, num(v['deepest']) ?? 0),
    belowTouched: v['belowTouched'] === true,
  };
}

/**
 * A tracked stack as the Open a Stack command's StackInfo: the tracker's name and size (the TSS
 * gives only tops), RSP from its use when RSP is on it.
 */
export function stackInfoOf(t: TrackedStack): { name: string; base: string; size: number; current?: boolean; rsp?: string; slots: string[] } {
  const out: { name: string; base: string; size: number; current?: boolean; rsp?: string; slots: string[] } = { name: t.name, base: t.base, size: t.size, slots: t.slots };
  if (t.current) {
    out.current = true;
    try {
      out.rsp = `0x${(BigInt(t.top) - BigInt(t.used)).toString(16)}`;
    } catch {
      /* a top that is not a number: no RSP */
    }
  }
  return out;
}

// ---- presentation -------------------------------------------------------------------------------

/** Bytes as text: 512 B, 1.5 KiB, 16 KiB, 2 MiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A bar of a stack's use: `width` cells, filled in proportion to used/size (at least one cell when
 * anything is used, all of them when used >= size), and the percentage.
 */
export function usageBar(used: number, size: number, width = 10): string {
  const frac = size > 0 ? Math.min(1, Math.max(0, used / size)) : 0;
  let cells = Math.round(frac * width);
  if (used > 0 && cells === 0) cells = 1;
  const pct = size > 0 ? Math.min(999, Math.round((used / size) * 100)) : 0;
  return `${'█'.repeat(cells)}${'░'.repeat(width - cells)} ${pct}%`;
}

/** A node of the System Tables tree. */
export interface TableNode {
  /** Stable across refreshes (expansion state is kept by id). */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon name. */
  icon?: string;
  children?: TableNode[];
  /** Open the source of this address (a handler) when the node is clicked. */
  address?: string;
  /** Initially expanded. */
  expanded?: boolean;
}

const hexNum = (n: number, digits = 2) => `0x${n.toString(16).padStart(digits, '0')}`;

/** Strips leading zeros of a "0x..." address for display: 0x0000000000100048 -> 0x100048. */
export function shortHex(a: string): string {
  const m = /^0x0*([0-9a-f]+)$/i.exec(a.trim());
  return m ? `0x${m[1]!.toLowerCase()}` : a;
}

function slotNode(s: TssSlot, stacks: TrackedStack[]): TableNode {
  const zero = /^0x0*$/i.test(s.value);
  const st = stacks.find((x) => x.name === s.stack) ?? stacks.find((x) => x.slots.includes(s.slot));
  const where = s.symbol ?? (st ? st.name : undefined);
  const parts = [zero ? '0 (unused)' : shortHex(s.value)];
  if (!zero && where) parts.push(where);
  let tooltip = `${s.slot} = ${s.value}${s.symbol ? ` (${s.symbol})` : ''}`;
  if (st) {
    const use = st.current ? st.used : 0;
    parts.push(`${usageBar(use, st.size)} of ${bytes(st.size)}`);
    tooltip += `\nstack ${st.name}: ${shortHex(st.base)}-${shortHex(st.top)} (${bytes(st.size)})` +
      `\nin use now: ${st.current ? `${bytes(st.used)} (RSP is on it)` : 'none (RSP is elsewhere)'}` +
      `\ndeepest use seen: ${bytes(st.deepest)}${st.belowTouched ? '\nthe page below it was touched: an overflow?' : ''}`;
  } else if (!zero && s.stack) tooltip += `\nstack ${s.stack}`;
  return {
    id: `tss/${s.slot}`,
    label: s.slot,
    description: parts.join('  '),
    tooltip,
    icon: st?.current ? 'arrow-right' : zero ? 'circle-slash' : 'layers',
  };
}

function gateNode(g: Gate): TableNode {
  const name = g.name ? ` ${g.name}` : '';
  const type = g.type ? `${g.type} gate` : 'gate';
  const ist = g.ist ? ` · IST${g.ist}` : '';
  return {
    id: `idt/${g.vector}`,
    label: `${g.vector} (${hexNum(g.vector)})${name}`,
    description: `${g.symbol ?? shortHex(g.handler)} · ${type}${ist} · DPL${g.dpl}`,
    tooltip: `vector ${g.vector}${name}: ${type}, handler ${g.handler}${g.symbol ? ` (${g.symbol})` : ''}, CS ${hexNum(g.selector, 2)}, ` +
      `${g.ist ? `IST${g.ist} stack` : 'no IST (RSP0 from CPL 3, else the same stack)'}, DPL ${g.dpl}\nClick to open the handler's source.`,
    icon: 'symbol-event',
    address: g.handler,
  };
}

function descriptorNode(d: Descriptor): TableNode {
  return {
    id: `gdt/${d.index}`,
    label: `${hexNum(d.selector, 2)}`,
    description: d.present ? d.text : `${d.text || 'not present'}`,
    tooltip: `GDT[${d.index}], selector ${hexNum(d.selector, 2)}: ${d.text}${d.base ? `\nbase ${d.base}` : ''}${d.limit !== undefined ? `, limit ${hexNum(d.limit, 1)}` : ''}`,
    icon: d.system ? 'symbol-structure' : 'symbol-field',
  };
}

/** The tree: TSS (RSP0-2, IST1-7 with their stacks' use), IDT (present gates), GDT. */
export function systemTablesTree(t: SystemTables, stacks: TrackedStack[] = []): TableNode[] {
  const tss: TableNode =
    'error' in t.tss
      ? { id: 'tss', label: 'TSS', description: t.tss.error, icon: 'warning', tooltip: t.tss.error }
      : {
          id: 'tss',
          label: 'TSS',
          description: `${shortHex(t.tss.base)}${t.tss.selector !== undefined ? ` · TR ${hexNum(t.tss.selector, 2)}` : ''}`,
          tooltip: `64-bit TSS at ${t.tss.base}${t.tss.limit !== undefined ? `, limit ${hexNum(t.tss.limit, 1)}` : ''}${t.tss.ioMapBase !== undefined ? `, I/O map base ${hexNum(t.tss.ioMapBase, 1)}` : ''}`,
          icon: 'server-process',
          expanded: true,
          children: [...t.tss.rsp, ...t.tss.ist].map((s) => slotNode(s, stacks)),
        };
  const idt: TableNode = {
    id: 'idt',
    label: 'IDT',
    description: t.idt.length ? `${t.idt.length} present gate${t.idt.length === 1 ? '' : 's'}` : 'empty',
    icon: 'list-ordered',
    expanded: t.idt.length > 0 && t.idt.length <= 40,
    children: t.idt.map(gateNode),
  };
  const gdt: TableNode = {
    id: 'gdt',
    label: 'GDT',
    description: `${t.gdt.length} entr${t.gdt.length === 1 ? 'y' : 'ies'}`,
    icon: 'list-flat',
    children: t.gdt.map(descriptorNode),
  };
  return [tss, idt, gdt];
}
