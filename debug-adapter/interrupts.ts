// Interrupt and exception entry, as the debugger sees it: the exception breakpoint filters (one
// per architectural exception, external and software interrupts, triple fault; each with a
// condition), the deliveries the CPU makes (recorded from cpu.onDeliver, before it commits: the
// interrupted CS:RIP, RSP and CPL, the TSS slot that supplied the new stack, the frame address),
// the stack of live deliveries (a delivery dies when the IRET that consumes its frame runs: RSP
// leaves the frame), and the texts the user reads: the stop description and the error code decoded.

import type { Cpu } from '../emulator/cpu/cpu';
import { readInt } from './memory';
import { readIdt, stackOf, type KnownStack } from './tables';

export type DeliveryKind = 'exception' | 'software' | 'external' | 'nmi';

export interface Delivery {
  vector: number;
  kind: DeliveryKind;
  /** Error code pushed, or -1. */
  errorCode: number;
  /** 'IST1'..'IST7', 'RSP0'..'RSP2', or '' (the same stack). */
  slot: string;
  cplBefore: number;
  cplAfter: number;
  /** RSP before delivery (the interrupted context's). */
  rspBefore: bigint;
  /** RSP at the handler's first instruction (the error code, or the saved RIP). */
  rspAfter: bigint;
  /** Address of the saved RIP in the frame (RIP, CS, RFLAGS, RSP, SS follow). */
  frame: bigint;
  /** Bytes per frame slot: 8 in long mode, 4 for a 32-bit protected-mode frame. */
  width: number;
  /** The interrupted (or faulting, or next) instruction, and its CS and RFLAGS. */
  rip: bigint;
  cs: number;
  rflags: bigint;
  /** The handler's first instruction (looked up when the delivery stops the run, else 0). */
  handler: bigint;
  /** CR2 when delivered (a #PF's address). */
  cr2: bigint;
  /** Guest time (instructions retired) at delivery. */
  count: number;
  /** The filter this delivery belongs to ('nmi', 'pf', 'external'...), or '' for none. */
  filter: string;
}

export interface InterruptFilter {
  id: string;
  label: string;
  description: string;
  default: boolean;
}

const VECTOR_FILTERS: [number, string, string][] = [
  [0, 'de', '#DE divide error'], [1, 'db', '#DB debug'], [2, 'nmi', 'NMI'], [3, 'bp', '#BP breakpoint'], [4, 'of', '#OF overflow'],
  [5, 'br', '#BR bound range'], [6, 'ud', '#UD invalid opcode'], [7, 'nm', '#NM device not available'], [8, 'df', '#DF double fault'],
  [10, 'ts', '#TS invalid TSS'], [11, 'np', '#NP segment not present'], [12, 'ss', '#SS stack fault'], [13, 'gp', '#GP general protection'],
  [14, 'pf', '#PF page fault'], [16, 'mf', '#MF x87 error'], [17, 'ac', '#AC alignment check'], [18, 'mc', '#MC machine check'], [19, 'xm', '#XM SIMD exception'],
];

export const SHORT_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF',
  16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM', 20: '#VE', 21: '#CP',
};

/** The exception breakpoint filters, in the order the Breakpoints pane lists them. */
export const INTERRUPT_FILTERS: InterruptFilter[] = [
  ...VECTOR_FILTERS.map(([v, id, label]) => ({
    id,
    label,
    description: `Stop at the handler's first instruction after the CPU delivers ${SHORT_NAMES[v]} (vector ${v}); condition: e.g. cpl == 3, errorCode & 2`,
    default: id === 'df',
  })),
  { id: 'external', label: 'External interrupt', description: 'Stop at the handler after the CPU delivers an external interrupt (vector 32-255 from the PIC or APIC); condition: e.g. vector == 0x40', default: false },
  { id: 'software', label: 'Software interrupt (INT n)', description: 'Stop at the handler after INT n is delivered (INT3 and INTO count as #BP and #OF); condition: e.g. vector == 0x80', default: false },
  { id: 'triple', label: 'Triple fault', description: 'Stop when the CPU triple-faults (off: the session ends there, as QEMU -no-reboot exits)', default: true },
];

/** The filter a delivery belongs to. */
export function filterOf(vector: number, kind: DeliveryKind): string {
  if (kind === 'nmi') return 'nmi';
  if (kind === 'software') return vector === 3 ? 'bp' : vector === 4 ? 'of' : 'software';
  if (kind === 'external') return vector === 2 ? 'nmi' : vector === 1 ? 'db' : 'external';
  return VECTOR_FILTERS.find(([v]) => v === vector)?.[1] ?? '';
}

/** `NMI (vector 2)`, `#PF (vector 14)`, `external interrupt (vector 0x40)`, `INT 0x80`. */
export function deliveryName(d: { vector: number; kind: DeliveryKind }): string {
  const f = filterOf(d.vector, d.kind);
  if (f === 'external') return `external interrupt (vector 0x${d.vector.toString(16)})`;
  if (f === 'software') return `INT 0x${d.vector.toString(16)}`;
  return `${SHORT_NAMES[d.vector] ?? `exception ${d.vector}`} (vector ${d.vector})`;
}

/** The short name for a label frame: `NMI`, `#PF`, `IRQ 0x40`, `INT 0x80`. */
export function shortName(d: { vector: number; kind: DeliveryKind }): string {
  const f = filterOf(d.vector, d.kind);
  if (f === 'external') return `IRQ 0x${d.vector.toString(16)}`;
  if (f === 'software') return `INT 0x${d.vector.toString(16)}`;
  return SHORT_NAMES[d.vector] ?? `vector ${d.vector}`;
}

/** Vectors whose error code is a selector error code (index, table, EXT). */
const SELECTOR_CODES = new Set([10, 11, 12, 13, 17]);

/** The error code decoded: selector index / table / EXT, or #PF's P W U R I (and PK, SS, SGX). */
export function decodeErrorCode(vector: number, code: number): string {
  if (code < 0) return 'none';
  const h = `0x${code.toString(16)}`;
  if (vector === 14) {
    const bits: string[] = [];
    bits.push(code & 1 ? 'P=1 protection violation' : 'P=0 page not present');
    bits.push(code & 2 ? 'W=1 write' : 'W=0 read');
    bits.push(code & 4 ? 'U=1 user mode (CPL 3)' : 'U=0 supervisor mode');
    if (code & 8) bits.push('R=1 reserved bit set in a paging entry');
    bits.push(code & 16 ? 'I=1 instruction fetch' : 'I=0 not an instruction fetch');
    if (code & 32) bits.push('PK=1 protection key');
    if (code & 64) bits.push('SS=1 shadow stack');
    return `${h}: ${bits.join(', ')}`;
  }
  if (SELECTOR_CODES.has(vector) || vector === 8) {
    if (code === 0) return `${h}: no selector (null or not selector-related)`;
    const ext = code & 1;
    const idt = (code & 2) !== 0;
    const table = idt ? 'IDT' : code & 4 ? 'LDT' : 'GDT';
    const index = (code >>> 3) & 0x1fff;
    return `${h}: ${table} index ${index}${idt ? ` (vector ${index})` : ` (selector 0x${(index << 3).toString(16)})`}${ext ? ', EXT=1 (during delivery of an external event)' : ', EXT=0'}`;
  }
  return h;
}

/**
 * The live deliveries, oldest first: each one's frame is still on its stack. A delivery dies
 * when RSP of the context it interrupted is back in force: the IRET that consumes its frame ran
 * (RSP above the frame on the frame's stack), or the code switched away for good.
 */
export class Deliveries {
  live: Delivery[] = [];
  /** Every delivery since launch, newest last (bounded). */
  history: Delivery[] = [];

  push(d: Delivery, stacks: KnownStack[]): void {
    this.prune(d.rspBefore, stacks);
    this.live.push(d);
    this.history.push(d);
    if (this.history.length > 256) this.history.shift();
  }

  clear(): void {
    this.live = [];
    this.history = [];
  }

  /**
   * Drops the deliveries whose frames `rsp` (the running context's) has left: the handler runs
   * with RSP at or below its frame's saved RIP, on the frame's stack (or within 64 KiB of it when
   * no known stack holds the frame); the IRETQ that consumes the frame puts RSP above it or on
   * the interrupted context's stack.
   */
  prune(rsp: bigint, stacks: KnownStack[]): void {
    while (this.live.length) {
      const d = this.live[this.live.length - 1]!;
      if (rsp <= d.frame) {
        const fs = stackOf(stacks, d.frame);
        if (fs ? stackOf(stacks, rsp) === fs : d.frame - rsp < 1n << 16n) return;
      }
      this.live.pop();
    }
  }

  get newest(): Delivery | undefined {
    return this.live[this.live.length - 1];
  }
}

/** The handler's address for `vector` (from the IDT), or undefined. */
export function handlerOf(cpu: Cpu, vector: number): bigint | undefined {
  const g = readIdt(cpu)[vector];
  return g?.present ? g.handler : undefined;
}

/** The frame as it is in memory now: RIP, CS, RFLAGS, RSP, SS (undefined where unreadable). */
export function readFrame(cpu: Cpu, d: Delivery): { rip?: bigint; cs?: bigint; rflags?: bigint; rsp?: bigint; ss?: bigint } {
  const q = (i: number) => readInt(cpu, d.frame + BigInt(d.width * i), d.width);
  // A 32-bit frame has ESP and SS only when the privilege level changed; else ESP was above it.
  if (d.width === 4 && d.cplBefore === d.cplAfter) return { rip: q(0), cs: q(1), rflags: q(2), rsp: d.frame + 12n };
  return { rip: q(0), cs: q(1), rflags: q(2), rsp: q(3), ss: q(4) };
}

/** `NMI (vector 2) via IST1: stack switched from kstack (rsp 0x10dff8) to nmi_stack (rsp 0x110fd8)`. */
export function describeDelivery(d: Delivery, stacks: KnownStack[]): string {
  const name = deliveryName(d);
  const from = stackOf(stacks, d.rspBefore)?.name ?? 'no known stack';
  const to = stackOf(stacks, d.rspAfter)?.name ?? 'no known stack';
  const rspB = `rsp 0x${d.rspBefore.toString(16)}`;
  const rspA = `rsp 0x${d.rspAfter.toString(16)}`;
  const via = d.slot ? ` via ${d.slot}` : '';
  const cpl = d.cplBefore !== d.cplAfter ? `, CPL ${d.cplBefore} -> ${d.cplAfter}` : '';
  const err = d.errorCode >= 0 ? `, error code 0x${d.errorCode.toString(16)}` : '';
  const cr2 = d.vector === 14 && d.kind === 'exception' ? `, CR2 0x${d.cr2.toString(16)}` : '';
  const switched = d.slot ? `stack switched from ${from} (${rspB}) to ${to} (${rspA})` : `same stack, ${to} (${rspB} -> ${rspA})`;
  return `${name}${via}: ${switched}${cpl}${err}${cr2}`;
}
