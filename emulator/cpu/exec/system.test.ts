// System instructions (exec/system.ts). Code bytes assembled with nasm at development time.
import { describe, expect, it } from 'vitest';
import { StopReason } from '../cpu';
import { machine, hex, runToHlt, DATA } from '../testutil';

function u64(cpu: ReturnType<typeof machine>, a: bigint): bigint {
  const b = cpu.readPhys(a, 8);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

describe('system: descriptor tables, CRn, DRn, MSW', () => {
  it('runs LGDT SGDT LIDT SIDT, MOV CRn, CLTS, SMSW, INVLPG, MOV DRn', () => {
    // lgdt [0x200000]; sgdt [0x200010]; lidt [0x200020]; sidt [0x200030]; mov rax,cr0; mov rbx,cr3;
    // mov cr3,rbx; mov rcx,cr4; mov edx,5; mov cr8,rdx; mov rsi,cr8; mov r8d,0x1234; mov cr2,r8;
    // mov r9,cr2; clts; smsw r10; invlpg [0x200000]; wbinvd; invd; mov edx,0x401000; mov dr0,rdx;
    // mov edx,1; mov dr7,rdx; mov r11,dr7; mov r12,dr5; hlt
    const cpu = machine('0f011425000020000f010425100020000f011c25200020000f010c25300020000f20c00f20db0f22db0f20e1ba05000000440f22c2440f20c641b834120000410f22d0410f20d10f06490f01e20f013c25000020000f090f08ba001040000f23c2ba010000000f23fa410f21fb410f21ecf4');
    cpu.writePhys(DATA, hex('2700 001000ffff7f0000'));
    cpu.writePhys(DATA + 0x20n, hex('ff0f 00200000fcffffff'));
    cpu.cr0 |= 8;
    const cr0 = BigInt(cpu.cr0 >>> 0);
    const cr3 = BigInt(cpu.cr3);
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.gdtBase).toBe(0x7fffff001000);
    expect(cpu.gdtLimit).toBe(0x27);
    expect(cpu.idtBase).toBe(-0x3ffffe000);
    expect(cpu.idtLimit).toBe(0xfff);
    expect(u64(cpu, DATA + 0x12n)).toBe(0x7fffff001000n);
    expect(u64(cpu, DATA + 0x32n)).toBe(0xfffffffc00002000n);
    expect(cpu.readPhys(DATA + 0x30n, 2)).toEqual(hex('ff0f'));
    expect(cpu.getReg('rax')).toBe(cr0);
    expect(cpu.getReg('rbx')).toBe(cr3);
    expect(cpu.getReg('rcx')).toBe(BigInt(cpu.cr4));
    expect(cpu.getReg('rsi')).toBe(5n);
    expect(cpu.cr8).toBe(5);
    expect(cpu.getReg('r9')).toBe(0x1234n);
    expect(cpu.cr0 & 8).toBe(0);
    expect(cpu.getReg('r10')).toBe(cr0 & ~8n);
    expect(cpu.dr[0]).toBe(0x401000);
    expect(cpu.getReg('r11')).toBe(0x401n);
    expect(cpu.getReg('r12')).toBe(0x401n);
    expect(cpu.internalError).toBeNull();
  });

  it('faults: reserved CR4 bits, CR8 > 15, clearing CR0.PG in long mode, DR5 with CR4.DE', () => {
    const gp = (code: string, rax: bigint, vec = 13): void => {
      const cpu = machine(code + 'f4');
      cpu.interceptExceptions = 1 << vec;
      cpu.setReg('rax', rax);
      expect(cpu.run(10)).toBe(StopReason.Exception);
      expect(cpu.lastException!.vector).toBe(vec);
      expect(cpu.rip).toBe(0x100000n);
    };
    gp('0f22e0', 0x1000n | 0x20n); // mov cr4, rax: bit 12 (LA57) unsupported
    gp('0f22e0', 0n); // mov cr4, rax: PAE cleared in long mode
    gp('440f22c0', 16n); // mov cr8, rax
    gp('0f22c0', 0x80000000n); // mov cr0, rax: PG without PE
    gp('0f22c0', 0x11n); // mov cr0, rax: PG cleared in long mode
    gp('0f22c0', 0x1_8000_0011n); // mov cr0, rax: bit 32
    const cpu = machine('0f21e8f4'); // mov rax, dr5
    cpu.cr4 |= 8;
    cpu.interceptExceptions = 1 << 6;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException!.vector).toBe(6);
  });

  it('LMSW sets PE MP EM TS but never clears PE', () => {
    const cpu = machine('0f01f0f4'); // lmsw ax
    cpu.setReg('rax', 0xeen);
    const before = cpu.cr0;
    runToHlt(cpu);
    expect(cpu.cr0).toBe((before & ~0xe) | 0xe | 1);
  });
});
