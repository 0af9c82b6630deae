// applyBootPlan on the Cpu: the direct 64-bit kernels run and see the documented entry state; the
// plan's description of that state is what Cpu.reset64() builds; the multiboot plan enters 32-bit
// protected mode through the Cpu's entry API (setSegment, setGdtr, setIdtr, setCr, setMsr).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../cpu/cpu';
import { applyBootPlan, type ProtectedModeEntryApi, type SegmentName } from './apply';
import { planBoot } from './detect';
import { isBootError, type BootPlan, type BootResult, type SegmentState } from './plan';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (rel: string) => new Uint8Array(readFileSync(join(root, 'test/fixtures/boot', rel)));
const MiB = 1 << 20;

function plan(r: BootResult): BootPlan {
  if (isBootError(r)) throw new Error(r.error);
  return r;
}

function u64(cpu: Cpu, addr: number): bigint {
  const b = cpu.readPhys(BigInt(addr), 8);
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** Boot a file on a fresh Cpu and run it to HLT. */
function boot(rel: string, memoryBytes = 16 * MiB, dirty?: (cpu: Cpu) => void): { cpu: Cpu; p: BootPlan } {
  const p = plan(planBoot(read(rel), { memoryBytes }));
  const cpu = new Cpu({ memoryBytes });
  dirty?.(cpu);
  expect(applyBootPlan(cpu, p)).toBeNull();
  expect(cpu.rip).toBe(p.entry);
  expect(cpu.run(100_000)).toBe(StopReason.Hlt);
  expect(cpu.internalError).toBeNull();
  return { cpu, p };
}

describe('applyBootPlan: direct 64-bit entry', () => {
  it('long64.elf runs and sees the documented state (CS, SS, DS, RFLAGS, RSP and a usable stack; .bss zeroed, .data loaded)', () => {
    // garbage where .bss goes: the plan's zero ranges must clear it
    const { cpu, p } = boot('elf/long64.elf', 16 * MiB, (c) => c.writePhys(0x201058n, new Uint8Array(16).fill(0xcc)));
    const result = Number(p.symbols.find((s) => s.name === 'result')!.value);
    const r = (i: number) => u64(cpu, result + 8 * i);
    expect(r(0)).toBe(0x4b535441434b3634n);
    expect([r(1), r(2), r(3)]).toEqual([0x08n, 0x10n, 0x2n]);
    expect(r(4)).toBe(0x10n);
    expect(r(5)).toBe(0x5354414bn);
    expect(r(6)).toBe(p.regs.rsp);
    expect(r(7)).toBe(5050n);
    expect(r(8)).toBe(0n);
    expect(r(9)).toBe(0x1122334455667788n);
  });

  it('long64-higher.elf: entered at the physical address of its virtual entry point', () => {
    const { cpu, p } = boot('elf/long64-higher.elf');
    expect(p.entry).toBe(0x200000n);
    const result = Number(p.symbols.find((s) => s.name === 'result')!.value - 0xffffffff80000000n);
    expect(u64(cpu, result)).toBe(0x4b535441434b3634n);
    expect(u64(cpu, result + 56)).toBe(5050n);
  });

  it('flat64.bin at 0x100000', () => {
    const memoryBytes = 16 * MiB;
    const p = plan(planBoot(read('elf/flat64.bin'), { memoryBytes, format: 'flat' }));
    const cpu = new Cpu({ memoryBytes });
    expect(applyBootPlan(cpu, p)).toBeNull();
    expect(cpu.run(1000)).toBe(StopReason.Hlt);
    expect(u64(cpu, 0x100018)).toBe(0x464c4154n);
    expect(u64(cpu, 0x100020)).toBe(p.regs.rsp);
  });

  it('c64.elf (gcc) computes fib(15) into counter', () => {
    const { cpu, p } = boot('elf/c64.elf');
    expect(u64(cpu, Number(p.symbols.find((s) => s.name === 'counter')!.value))).toBe(610n);
  });

  it("the plan's description of the entry state is the Cpu's", () => {
    const memoryBytes = 32 * MiB;
    const p = plan(planBoot(read('elf/long64.elf'), { memoryBytes }));
    const cpu = new Cpu({ memoryBytes });
    expect(applyBootPlan(cpu, p)).toBeNull();
    const order = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
    order.forEach((name, i) => {
      const s = p.segments[name];
      expect([cpu.segSel[i], cpu.segBase[i], cpu.segLimit[i], cpu.segAttr[i]], name).toEqual([s.selector, s.base, s.limit, s.attributes]);
    });
    expect([cpu.gdtBase, cpu.gdtLimit, cpu.idtBase, cpu.idtLimit]).toEqual([p.gdt.base, p.gdt.limit, p.idt.base, p.idt.limit]);
    expect([cpu.cr0 >>> 0, cpu.cr3, cpu.cr4, cpu.efer].map(BigInt)).toEqual([p.control.cr0, p.control.cr3, p.control.cr4, p.control.efer]);
    expect(cpu.cpl).toBe(0);
    expect(cpu.getReg('rsp')).toBe(p.regs.rsp);
    expect(cpu.rflags).toBe(2n);
    for (const r of ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r15']) expect(cpu.getReg(r), r).toBe(0n);
    // RAM identity-mapped: the first 4 GiB by 2 MiB pages
    expect(cpu.readLinear(0x200000n, 4)).toEqual(cpu.readPhys(0x200000n, 4));
    expect(cpu.readLinear(0xfffff000n, 1)).not.toBeNull();
    expect(cpu.readLinear(0x100000000n, 1)).toBeNull();
  });

  it('refuses a plan made for another RAM size', () => {
    const p = plan(planBoot(read('elf/long64.elf'), { memoryBytes: 16 * MiB }));
    expect(applyBootPlan(new Cpu({ memoryBytes: 32 * MiB }), p)).toEqual({
      error: 'the boot plan is for 0x1000000 bytes of RAM, the Cpu has 0x2000000',
    });
  });
});

describe('applyBootPlan: 32-bit protected-mode entry (multiboot)', () => {
  const p = plan(planBoot(read('probe/probe3.elf'), { memoryBytes: 16 * MiB, kernelName: 'probe3.elf', append: 'x' }));

  it("puts the Cpu in QEMU's entry state: 32-bit protected mode, paging and long mode off", () => {
    const cpu = new Cpu({ memoryBytes: 16 * MiB });
    expect(applyBootPlan(cpu, p)).toBeNull();
    expect([cpu.cr0 >>> 0, cpu.cr3, cpu.cr4, cpu.efer]).toEqual([0x11, 0, 0, 0]);
    expect(cpu.bits).toBe(32);
    expect(cpu.cpl).toBe(0);
    const order = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
    order.forEach((name, i) => {
      const s = p.segments[name];
      expect([cpu.segSel[i], cpu.segBase[i], cpu.segLimit[i], cpu.segAttr[i]], name).toEqual([s.selector, s.base, s.limit, s.attributes]);
    });
    expect([cpu.gdtBase, cpu.gdtLimit, cpu.idtBase, cpu.idtLimit]).toEqual([0xcb2b8, 0x27, 0, 0x3ff]);
    expect(cpu.rip).toBe(0x100010n);
    // The first instruction decodes as 32-bit code at the entry point.
    expect(cpu.decodeAt(0x100010)?.bits).toBe(32);
  });

  it('uses the entry API when the Cpu has it', () => {
    const cpu = new Cpu({ memoryBytes: 16 * MiB });
    const calls: string[] = [];
    const api: ProtectedModeEntryApi = {
      setSegment: (seg: SegmentName, s: SegmentState) =>
        calls.push(`seg ${seg} ${s.selector.toString(16)} ${s.base} ${s.limit.toString(16)} ${s.attributes.toString(16)}`),
      setGdtr: (base, limit) => calls.push(`gdtr ${base.toString(16)} ${limit.toString(16)}`),
      setIdtr: (base, limit) => calls.push(`idtr ${base.toString(16)} ${limit.toString(16)}`),
      setCr: (n, v) => calls.push(`cr${n} ${v.toString(16)}`),
      setMsr: (msr, v) => calls.push(`msr ${msr.toString(16)} ${v.toString(16)}`),
    };
    Object.assign(cpu, api);
    cpu.writePhys(BigInt(16 * MiB - 0x1000), new Uint8Array([1, 2, 3]));
    expect(applyBootPlan(cpu, p)).toBeNull();
    expect(calls).toEqual([
      'seg cs 8 0 ffffffff c09b',
      'cr0 11',
      'msr c0000080 0',
      'cr4 0',
      'cr3 0',
      'gdtr cb2b8 27',
      'idtr 0 3ff',
      'seg ldtr 0 0 ffff 82',
      'seg tr 0 0 ffff 8b',
      'seg cs 8 0 ffffffff c09b',
      'seg ss 10 0 ffffffff c093',
      'seg ds 10 0 ffffffff c093',
      'seg es 10 0 ffffffff c093',
      'seg fs 10 0 ffffffff c093',
      'seg gs 10 0 ffffffff c093',
    ]);
    expect(cpu.rip).toBe(0x100010n);
    expect(cpu.getReg('eax')).toBe(0x2badb002n);
    expect(cpu.getReg('ebx')).toBe(0x9500n);
    expect(cpu.getReg('esp')).toBe(0x6f08n);
    expect(cpu.rflags).toBe(0x6n);
    expect(cpu.readPhys(0x9500n, 4)).toEqual(new Uint8Array([0x4f, 0x02, 0, 0]));
    expect(cpu.readPhys(0x100010n, 4)).toEqual(read('probe/probe3.elf').subarray(0x1010, 0x1014));
    // reset64's tables at the top of RAM are cleared again
    expect(cpu.readPhys(BigInt(16 * MiB - 0x1000), 3)).toEqual(new Uint8Array(3));
  });
});
