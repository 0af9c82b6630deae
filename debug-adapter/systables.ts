// The system tables as plain data for the UI: kstack/systemTables (the extension's "System Tables"
// tree), the Variables view's TSS / IDT / GDT / Paging / APIC scopes, and the watch expressions
// `tss.rsp0`, `tss.ist[1]`, `idt[2]`, `idt[2].handler`, `gdt[5]`, `pte(0x...)`.
// Addresses are "0x..." strings (hex64 for 64-bit values), as everywhere in DAP.

import type { Cpu } from '../emulator/cpu/cpu';
import type { LapicSnapshot } from '../emulator/devices/lapic';
import type { DebugInfo } from './debuginfo';
import { SHORT_NAMES } from './interrupts';
import { hex64 } from './memory';
import { walkPageTables, type PageWalk } from './system';
import { readGdt, readIdt, readTss, stackOf, type Gate, type KnownStack } from './tables';

export interface TssSlotJson {
  slot: string;
  value: string;
  /** The symbol at the address (`nmi_stack_top`), if any. */
  symbol?: string;
  /** The known stack whose top (or inside) it is. */
  stack?: string;
}

export type TssJson =
  | { base: string; selector: number; limit: number; ioMapBase: number; rsp: TssSlotJson[]; ist: TssSlotJson[] }
  | { error: string };

export interface GateJson {
  vector: number;
  /** `NMI`, `#PF`, or '' for vectors without an architectural name. */
  name: string;
  type: string;
  dpl: number;
  ist: number;
  selector: number;
  handler: string;
  symbol?: string;
}

export interface DescriptorJson {
  index: number;
  selector: number;
  raw: string;
  rawHigh?: string;
  text: string;
  present: boolean;
  system: boolean;
  type: number;
  dpl: number;
  base: string;
  limit: number;
  busy?: boolean;
}

export interface SystemTablesJson {
  tss: TssJson;
  idt: GateJson[];
  gdt: DescriptorJson[];
}

function symbolAt(debug: DebugInfo, a: bigint): string | undefined {
  const at = debug.symbols.filter((s) => s.address === a);
  return (at.find((s) => /_(top|end)$/.test(s.name)) ?? at[0])?.name ?? debug.describe(a);
}

function slot(debug: DebugInfo, stacks: KnownStack[], name: string, v: bigint): TssSlotJson {
  const out: TssSlotJson = { slot: name, value: hex64(v) };
  if (v !== 0n) {
    const sym = symbolAt(debug, v);
    if (sym) out.symbol = sym;
    const st = stackOf(stacks, v);
    if (st) out.stack = st.name;
  }
  return out;
}

export function tssJson(cpu: Cpu, debug: DebugInfo, stacks: KnownStack[]): TssJson {
  const t = readTss(cpu);
  if (typeof t === 'string') return { error: t };
  return {
    base: hex64(t.base),
    selector: t.selector,
    limit: t.limit,
    ioMapBase: t.ioMapBase,
    rsp: t.rsp.map((v, i) => slot(debug, stacks, `RSP${i}`, v)),
    ist: t.ist.slice(1).map((v, i) => slot(debug, stacks, `IST${i + 1}`, v)),
  };
}

export function gateJson(g: Gate, debug: DebugInfo): GateJson {
  const sym = debug.describe(g.handler);
  return { vector: g.vector, name: SHORT_NAMES[g.vector] ?? '', type: g.type, dpl: g.dpl, ist: g.ist, selector: g.selector, handler: hex64(g.handler), ...(sym ? { symbol: sym } : {}) };
}

export function idtJson(cpu: Cpu, debug: DebugInfo): GateJson[] {
  return readIdt(cpu)
    .filter((g) => g.present)
    .map((g) => gateJson(g, debug));
}

export function gdtJson(cpu: Cpu): DescriptorJson[] {
  return readGdt(cpu).map((d) => ({
    index: d.index,
    selector: d.selector,
    raw: hex64(d.raw),
    ...(d.rawHigh !== undefined ? { rawHigh: hex64(d.rawHigh) } : {}),
    text: d.text,
    present: d.present,
    system: d.system,
    type: d.type,
    dpl: d.dpl,
    base: hex64(d.base),
    limit: d.limit,
    ...(d.busy !== undefined ? { busy: d.busy } : {}),
  }));
}

export function systemTables(cpu: Cpu, debug: DebugInfo, stacks: KnownStack[]): SystemTablesJson {
  return { tss: tssJson(cpu, debug, stacks), idt: idtJson(cpu, debug), gdt: gdtJson(cpu) };
}

// ---- paging --------------------------------------------------------------------------------------

export interface Region {
  start: bigint;
  /** Exclusive. */
  end: bigint;
  /** Physical address of start. */
  phys: bigint;
  writable: boolean;
  user: boolean;
  executable: boolean;
}

const ADDR = 0x000ffffffffff000n;

/**
 * The mapped regions of the current address space (4-level paging), adjacent pages with the same
 * permissions and contiguous physical addresses merged; at most `max` regions.
 */
export function mappedRegions(cpu: Cpu, max = 256): Region[] | string {
  if ((cpu.cr0 & 0x80000000) === 0) return 'paging is off';
  if ((cpu.cr4 & 0x20) === 0) return '32-bit paging (CR4.PAE = 0) is not decoded';
  const nxe = (cpu.efer & (1 << 11)) !== 0;
  const q = (p: bigint): bigint | undefined => {
    const n = Number(p);
    if (n < 0 || n + 8 > cpu.ramSize) return undefined;
    return (BigInt(cpu.dv.getUint32(n + 4, true)) << 32n) | BigInt(cpu.dv.getUint32(n, true));
  };
  const out: Region[] = [];
  let budget = 1 << 20; // entries looked at
  const add = (lin: bigint, size: bigint, phys: bigint, w: boolean, u: boolean, x: boolean): boolean => {
    const canon = lin >= 1n << 47n ? lin | 0xffff000000000000n : lin;
    const last = out[out.length - 1];
    if (last && last.end === canon && last.writable === w && last.user === u && last.executable === x && last.phys + (last.end - last.start) === phys) {
      last.end = canon + size;
      return true;
    }
    if (out.length >= max) return false;
    out.push({ start: canon, end: canon + size, phys, writable: w, user: u, executable: x });
    return true;
  };
  const walk = (table: bigint, level: number, base: bigint, w: boolean, u: boolean, x: boolean): boolean => {
    const shift = BigInt(12 + 9 * (level - 1));
    for (let i = 0; i < 512; i++) {
      if (--budget < 0) return false;
      const e = q(table + BigInt(i * 8));
      if (e === undefined || (e & 1n) === 0n) continue;
      const lin = base | (BigInt(i) << shift);
      const w2 = w && (e & 2n) !== 0n;
      const u2 = u && (e & 4n) !== 0n;
      const x2 = x && !(nxe && (e >> 63n) & 1n);
      const leaf = level === 1 || ((level === 2 || level === 3) && (e & 0x80n) !== 0n);
      if (leaf) {
        const size = 1n << shift;
        if (!add(lin, size, e & ADDR & ~(size - 1n), w2, u2, x2)) return false;
      } else if (!walk(e & ADDR, level - 1, lin, w2, u2, x2)) return false;
    }
    return true;
  };
  walk(BigInt(cpu.cr3) & ADDR, 4, 0n, true, true, true);
  return out;
}

export function regionText(r: Region): string {
  const perms = `${r.writable ? 'rw' : 'r-'}${r.executable ? 'x' : '-'} ${r.user ? 'user' : 'kernel'}`;
  const size = r.end - r.start;
  const sz = size >= 1n << 30n ? `${size >> 30n} GiB` : size >= 1n << 20n ? `${size >> 20n} MiB` : `${size >> 10n} KiB`;
  return `${hex64(r.start)}-${hex64(r.end - 1n)} ${perms}, ${sz}, ${r.phys === r.start ? 'identity' : `-> phys ${hex64(r.phys)}`}`;
}

/** One line for a page walk: `PML4[0] PDPT[0] PD[0]: 2 MiB page at phys 0x..., P RW` or where it stops. */
export function walkText(w: PageWalk): string {
  const path = w.levels.map((l) => `${l.name}[${l.index}]`).join(' -> ');
  if (w.fault) return `${path ? path + ': ' : ''}${w.fault}`;
  const last = w.levels[w.levels.length - 1];
  const size = w.pageSize ?? 4096;
  const sz = size >= 1 << 30 ? `${size / (1 << 30)} GiB` : size >= 1 << 20 ? `${size / (1 << 20)} MiB` : `${size / 1024} KiB`;
  return `${path}: ${sz} page, phys ${hex64(w.physicalAddress!)}${last ? `, ${last.flags.join(' ')}` : ''}`;
}

export { walkPageTables };

// ---- APIC ----------------------------------------------------------------------------------------

export function apicLines(s: LapicSnapshot): [string, string][] {
  const list = (v: number[]) => (v.length ? v.map((x) => `0x${x.toString(16)}`).join(' ') : 'none');
  const out: [string, string][] = [
    ['id', String(s.id)],
    ['enabled', `${s.hardwareEnabled ? 'hardware' : 'hardware disabled'}, ${s.softwareEnabled ? 'software (SVR bit 8)' : 'software disabled (SVR bit 8 = 0)'}`],
    ['TPR', `0x${s.tpr.toString(16)}`],
    ['PPR', `0x${s.ppr.toString(16)}`],
    ['SVR', `0x${s.svr.toString(16)}`],
    ['IRR', list(s.irr)],
    ['ISR', list(s.isr)],
    ['TMR', list(s.tmr)],
    ['ESR', `0x${s.esr.toString(16)}`],
  ];
  const DM = ['fixed', 'lowest', 'SMI', '?', 'NMI', 'INIT', 'startup', 'ExtINT'];
  for (const [name, l] of Object.entries(s.lvt))
    out.push([`LVT ${name}`, `${l.masked ? 'masked' : 'unmasked'}, vector 0x${l.vector.toString(16)}, ${DM[l.deliveryMode] ?? l.deliveryMode}${l.level ? ', level' : ''} (0x${l.raw.toString(16)})`]);
  const t = s.timer;
  out.push([
    'timer',
    `${t.mode}, ${t.masked ? 'masked' : 'unmasked'}, vector 0x${t.vector.toString(16)}, divide by ${t.divisor}, initial ${t.initialCount}, current ${t.currentCount}${t.nextExpiry !== null ? `, next expiry at instruction ${t.nextExpiry}` : ''}, ${t.expirations} expirations`,
  ]);
  return out;
}
