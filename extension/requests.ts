// The custom DAP requests the extension sends to the adapter, their arguments and the bodies it
// expects back; and how each answer is shown (text only: no VS Code API here).

export const Requests = {
  /** `{ kind: 'nmi' | 'irq' | 'mc', vector?: number }` -> any body. */
  inject: 'kstack/inject',
  /** `{ address: string }` -> PageWalk. */
  walkPageTables: 'kstack/walkPageTables',
  /** `{}` -> `{ stacks: StackInfo[] }`. */
  stacks: 'kstack/stacks',
  /** `{ threadId?: number }` -> CpuState. */
  cpuState: 'kstack/cpuState',
  /** `{}` -> `{ tss, idt, gdt }` (tables.ts: SystemTables). */
  systemTables: 'kstack/systemTables',
  /** `{ since?: number }` -> `{ switches, stacks, alerts }` (switches.ts: StackSwitches). */
  stackSwitches: 'kstack/stackSwitches',
} as const;

export type InjectKind = 'nmi' | 'irq' | 'mc';

export interface InjectArguments {
  kind: InjectKind;
  /** Only for 'irq': the vector, 32-255. */
  vector?: number;
}

export function injectArguments(kind: InjectKind, vector?: number): InjectArguments {
  return kind === 'irq' ? { kind, vector } : { kind };
}

export const injectLabel: Record<InjectKind, string> = { nmi: 'NMI', irq: 'IRQ', mc: 'machine check (#MC)' };

/** `kstack/cpuState`'s body. Unknown fields are ignored; missing ones are left out of the text. */
export interface CpuState {
  /** 'long' (64-bit), 'compatibility', 'protected', 'real'; or the adapter's own word. */
  mode?: string;
  cpl?: number;
  /** The stack RSP is on: 'thread', 'IRQ', 'RSP0', 'IST1'..'IST7', or a name from `stacks`. */
  stack?: string;
  rsp?: string;
}

const modeNames: Record<string, string> = {
  long: '64-bit',
  '64': '64-bit',
  compatibility: 'compat',
  compat: 'compat',
  protected: 'protected',
  real: 'real',
};

/** The status bar item's text and tooltip while the CPU is stopped. */
export function statusText(s: CpuState): { text: string; tooltip: string } | undefined {
  const parts: string[] = [];
  const tips: string[] = [];
  if (typeof s.mode === 'string' && s.mode) {
    parts.push(modeNames[s.mode.toLowerCase()] ?? s.mode);
    tips.push(`CPU mode: ${s.mode}`);
  }
  if (typeof s.cpl === 'number' && Number.isInteger(s.cpl)) {
    parts.push(`CPL${s.cpl}`);
    tips.push(`current privilege level: ${s.cpl}${s.cpl === 0 ? ' (kernel)' : s.cpl === 3 ? ' (user)' : ''}`);
  }
  if (typeof s.stack === 'string' && s.stack) {
    parts.push(`${s.stack} stack`);
    tips.push(`RSP is on the ${s.stack} stack${typeof s.rsp === 'string' ? ` (rsp = ${s.rsp})` : ''}`);
  }
  if (parts.length === 0) return undefined;
  return { text: `$(chip) ${parts.join(' · ')}`, tooltip: `KStack: ${tips.join('; ')}` };
}

/** One stack in `kstack/stacks`' answer. Addresses are hex strings (DAP memory references). */
export interface StackInfo {
  /** 'thread', 'IRQ', 'RSP0', 'IST1', or a name from the launch configuration's `stacks`. */
  name: string;
  /** Lowest address of the stack (as a memory reference: "0xffff..."). */
  base: string;
  /** Bytes. */
  size: number;
  /** True for the stack RSP is on. */
  current?: boolean;
  /** RSP when it points into this stack. */
  rsp?: string;
}

export function isStackInfo(v: unknown): v is StackInfo {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s['name'] === 'string' && typeof s['base'] === 'string' && typeof s['size'] === 'number' && s['size'] >= 0;
}

/** `kstack/stacks`' body -> the stacks, well-formed ones only. */
export function stacksOf(body: unknown): StackInfo[] {
  const list = (body as { stacks?: unknown } | undefined)?.stacks;
  return Array.isArray(list) ? list.filter(isStackInfo) : [];
}

function hex(v: bigint, digits = 16): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

function toBig(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  try {
    return BigInt(s.trim());
  } catch {
    return undefined;
  }
}

/** The most a stack view reads (a stack can be large; the interesting part is near RSP). */
export const STACK_VIEW_LIMIT = 16 * 1024;

/**
 * Which bytes a stack view reads: the whole stack when it is at most STACK_VIEW_LIMIT bytes; else
 * the top STACK_VIEW_LIMIT bytes, or, when RSP is deeper than that, STACK_VIEW_LIMIT bytes from a
 * little below RSP up. Returns the start address and the count.
 */
export function stackWindow(s: StackInfo): { start: bigint; count: number } {
  const base = toBig(s.base) ?? 0n;
  const top = base + BigInt(s.size);
  const limit = BigInt(Math.min(s.size, STACK_VIEW_LIMIT));
  const rsp = toBig(s.rsp);
  let start = top - limit;
  if (rsp !== undefined && rsp >= base && rsp < start) start = (rsp - 64n < base ? base : rsp - 64n) & ~7n;
  if (start < base) start = base;
  return { start, count: Number(limit) };
}

/**
 * A stack as text: one quadword a line, highest address first (the order it grew in), RSP marked.
 * `bytes` are read from `start`; a short read shows what was read.
 */
export function formatStack(s: StackInfo, start: bigint, bytes: Uint8Array): string {
  const base = toBig(s.base) ?? 0n;
  const top = base + BigInt(s.size);
  const rsp = toBig(s.rsp);
  const lines = [
    `${s.name} stack: ${hex(base)}-${hex(top)} (${s.size} bytes)${rsp !== undefined ? `, rsp = ${hex(rsp)}` : ''}`,
    start > base || bytes.length < s.size ? `(showing ${hex(start)}-${hex(start + BigInt(bytes.length))})` : '',
    '',
  ].filter((l, i) => i !== 1 || l !== '');
  const q = Math.floor(bytes.length / 8);
  for (let i = q - 1; i >= 0; i--) {
    const addr = start + BigInt(i * 8);
    let v = 0n;
    for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i * 8 + b]!);
    const offset = top - addr;
    const mark = rsp !== undefined && rsp >= addr && rsp < addr + 8n ? '  <- rsp' : '';
    lines.push(`${hex(addr)}  ${hex(v)}  top-${offset.toString().padStart(5)}${mark}`);
  }
  if (q === 0) lines.push('(nothing could be read: the stack is not mapped)');
  return lines.join('\n') + '\n';
}

/** One level of a page walk in `kstack/walkPageTables`' answer. */
export interface PageWalkLevel {
  /** 'PML5', 'PML4', 'PDPT', 'PD', 'PT'. */
  name: string;
  index: number;
  /** Physical address of the entry, hex. */
  entryAddress?: string;
  /** The entry, hex. */
  value?: string;
  /** Decoded bits: 'P', 'RW', 'US', 'PS', 'NX', ... */
  flags?: string[];
}

export interface PageWalk {
  address?: string;
  cr3?: string;
  levels?: PageWalkLevel[];
  /** The physical address when the walk ends on a present page. */
  physicalAddress?: string;
  pageSize?: number;
  /** Why the walk stopped ('not present at PD', ...). */
  fault?: string;
}

/** A page walk as text for the output channel. */
export function formatPageWalk(w: PageWalk, asked: string): string {
  const lines = [`Page walk of ${w.address ?? asked}${w.cr3 ? ` (CR3 = ${w.cr3})` : ''}`];
  for (const l of w.levels ?? []) {
    const idx = typeof l.index === 'number' ? `[${l.index}]` : '';
    const at = l.entryAddress ? ` @ ${l.entryAddress}` : '';
    const val = l.value ? ` = ${l.value}` : '';
    const flags = l.flags && l.flags.length ? `  ${l.flags.join(' ')}` : '';
    lines.push(`  ${l.name.padEnd(4)} ${idx.padEnd(5)}${at}${val}${flags}`);
  }
  if (w.physicalAddress) {
    const size = w.pageSize ? ` (${w.pageSize >= 1 << 30 ? `${w.pageSize / (1 << 30)} GiB` : w.pageSize >= 1 << 20 ? `${w.pageSize / (1 << 20)} MiB` : `${w.pageSize / 1024} KiB`} page)` : '';
    lines.push(`  -> physical ${w.physicalAddress}${size}`);
  }
  if (w.fault) lines.push(`  -> ${w.fault}`);
  return lines.join('\n');
}

/** The message of a failed customRequest (VS Code rejects with an Error carrying the adapter's text). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e);
}
