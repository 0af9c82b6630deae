// Carry out a boot plan on a Cpu, through its public API only (README.md "Applying a plan").

import type { Cpu } from '../cpu/cpu';
import { hex, type BootPlan, type SegmentState } from './plan';

export type SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs' | 'ldtr' | 'tr';

/**
 * What entering 32-bit protected mode needs from the Cpu, which does not offer it yet. When the
 * Cpu has these methods (same names and meaning), applyBootPlan uses them:
 * - setSegment: load a segment register's selector and cached base / limit / attributes (the
 *   SegmentState format, = Cpu.segAttr) without reading a descriptor; for CS it also sets the code
 *   size (32-bit for D=1, L=0) and CPL = the selector's RPL; 'ldtr' and 'tr' set LDTR / TR;
 * - setGdtr / setIdtr: the table registers;
 * - setCr(0 | 3 | 4, v): the control registers with their side effects (paging and its TLB, the
 *   mode); setMsr(0xC0000080, v): EFER (LMA follows LME && CR0.PG).
 */
export interface ProtectedModeEntryApi {
  setSegment(seg: SegmentName, s: SegmentState): void;
  setGdtr(base: number, limit: number): void;
  setIdtr(base: number, limit: number): void;
  setCr(n: 0 | 3 | 4, value: bigint): void;
  setMsr(msr: number, value: bigint): void;
}

const MSR_EFER = 0xc0000080;
export const PROTECTED_MODE_UNSUPPORTED =
  'protected-mode entry needs Cpu.setSegment (with setGdtr, setIdtr, setCr, setMsr): the Cpu cannot enter 32-bit protected mode yet (see emulator/boot/README.md)';

function protectedApi(cpu: Cpu): ProtectedModeEntryApi | null {
  const c = cpu as unknown as Partial<ProtectedModeEntryApi>;
  const ok = ['setSegment', 'setGdtr', 'setIdtr', 'setCr', 'setMsr'].every(
    (m) => typeof (c as Record<string, unknown>)[m] === 'function',
  );
  return ok ? (c as ProtectedModeEntryApi) : null;
}

const CHUNK = 1 << 20;

function zeroPhys(cpu: Cpu, addr: number, size: number): void {
  const z = new Uint8Array(Math.min(size, CHUNK));
  for (let done = 0; done < size; done += z.length) {
    const n = Math.min(z.length, size - done);
    cpu.writePhys(BigInt(addr + done), n === z.length ? z : z.subarray(0, n));
  }
}

function setRegs(cpu: Cpu, plan: BootPlan): void {
  for (const [name, value] of Object.entries(plan.regs)) {
    if (name === 'rflags' || name === 'eflags') cpu.rflags = value;
    else cpu.setReg(name, value);
  }
  cpu.rip = plan.entry;
}

/** Does the Cpu (after reset64) hold the state the plan describes? null if so, else what differs. */
function checkLong64(cpu: Cpu, plan: BootPlan): string | null {
  const diffs: string[] = [];
  const want = (what: string, have: number | bigint, expect: number | bigint) => {
    if (BigInt(have) !== BigInt(expect)) diffs.push(`${what} ${hex(BigInt(have))} (the plan says ${hex(BigInt(expect))})`);
  };
  want('GDT base', cpu.gdtBase, plan.gdt.base);
  want('GDT limit', cpu.gdtLimit, plan.gdt.limit);
  want('CR0', cpu.cr0 >>> 0, plan.control.cr0);
  want('CR3', cpu.cr3, plan.control.cr3);
  want('CR4', cpu.cr4 >>> 0, plan.control.cr4);
  want('EFER', cpu.efer >>> 0, plan.control.efer);
  const order = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
  order.forEach((name, i) => {
    const s = plan.segments[name];
    want(`${name} selector`, cpu.segSel[i]!, s.selector);
    want(`${name} attributes`, cpu.segAttr[i]!, s.attributes);
  });
  return diffs.length ? `Cpu.reset64() no longer builds the state the boot plan describes: ${diffs.join(', ')}; update emulator/boot/flat.ts` : null;
}

/**
 * Put the machine in the plan's entry state: reset, copy and zero memory, set the registers.
 * Returns null, or { error } (wrong RAM size, protected mode unsupported, or reset64 drift).
 */
export function applyBootPlan(cpu: Cpu, plan: BootPlan): { error: string } | null {
  if (cpu.ramSize !== plan.memoryBytes)
    return { error: `the boot plan is for ${hex(plan.memoryBytes)} bytes of RAM, the Cpu has ${hex(cpu.ramSize)}` };
  if (plan.mode === 'long64') {
    cpu.reset64();
    const drift = checkLong64(cpu, plan);
    if (drift) return { error: drift };
    for (const z of plan.zero) zeroPhys(cpu, z.addr, z.size);
    for (const w of plan.writes) cpu.writePhys(BigInt(w.addr), w.bytes);
    setRegs(cpu, plan);
    return null;
  }
  const api = protectedApi(cpu);
  if (!api) return { error: PROTECTED_MODE_UNSUPPORTED };
  // reset64 clears the registers, MSRs and debug state; then leave long mode and paging as code
  // would (CS to the plan's 32-bit segment: compatibility mode; then CR0.PG off clears EFER.LMA),
  // and clear the tables it built at the top of RAM (a multiboot kernel finds RAM as the loader
  // left it).
  cpu.reset64();
  api.setSegment('cs', plan.segments.cs);
  api.setCr(0, plan.control.cr0);
  api.setMsr(MSR_EFER, plan.control.efer);
  api.setCr(4, plan.control.cr4);
  api.setCr(3, plan.control.cr3);
  zeroPhys(cpu, cpu.ramSize - 7 * 4096, 7 * 4096);
  for (const z of plan.zero) zeroPhys(cpu, z.addr, z.size);
  for (const w of plan.writes) cpu.writePhys(BigInt(w.addr), w.bytes);
  api.setGdtr(plan.gdt.base, plan.gdt.limit);
  api.setIdtr(plan.idt.base, plan.idt.limit);
  api.setSegment('ldtr', { selector: 0, base: 0, limit: 0xffff, attributes: 0x82 });
  api.setSegment('tr', { selector: 0, base: 0, limit: 0xffff, attributes: 0x8b });
  for (const name of ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const) api.setSegment(name, plan.segments[name]);
  for (const r of ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi']) cpu.setReg(r, 0n);
  setRegs(cpu, plan);
  return null;
}
