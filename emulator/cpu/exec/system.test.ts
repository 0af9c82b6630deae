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

  it('WRMSR/RDMSR LSTAR, FS_BASE and KERNEL_GS_BASE with SWAPGS, EFER', () => {
    // mov ecx,0xC0000082; mov rax,0x123456789abc; mov rdx,rax; shr rdx,32; wrmsr; xor eax,eax;
    // xor edx,edx; rdmsr; mov r8,rdx; shl r8,32; or r8,rax; mov ecx,0xC0000100; mov eax,0x200000;
    // xor edx,edx; wrmsr; mov r9,[fs:8]; mov ecx,0xC0000102; mov eax,0x200010; wrmsr; swapgs;
    // mov r10,[gs:0]; mov ecx,0xC0000080; rdmsr; mov r11,rax; hlt
    const cpu = machine('b9820000c048b8bc9a7856341200004889c248c1ea200f3031c031d20f324989d049c1e0204909c0b9000100c0b80000200031d20f30644c8b0c2508000000b9020100c0b8100020000f300f01f8654c8b142500000000b9800000c00f324989c3f4');
    cpu.writePhys(DATA, hex('0000000000000000 1122334455667788 99aabbccddeeff00'));
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.getReg('r8')).toBe(0x123456789abcn);
    expect(cpu.getReg('r9')).toBe(0x8877665544332211n);
    expect(cpu.getReg('r10')).toBe(0x00ffeeddccbbaa99n);
    expect(cpu.segBase[5]).toBe(0x200010);
    expect(cpu.kernelGsBase).toBe(0);
    expect(cpu.getReg('r11')).toBe(0xd01n);
  });

  it('CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN', () => {
    // mov eax,1; cpuid; mov r8,rdx; mov ecx,0x1b; rdmsr; and eax,~0x800; wrmsr; mov eax,1; cpuid; hlt
    const cpu = machine('b8010000000fa24989d0b91b0000000f3225fff7ffff0f30b8010000000fa2f4');
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(Number(cpu.getReg('r8')) & (1 << 9)).not.toBe(0);
    expect(Number(cpu.getReg('rdx')) & (1 << 9)).toBe(0);
  });

  it('#GP(0) for an unknown MSR, a bad PAT, a non-canonical LSTAR, RDMSR at CPL 3', () => {
    const gp = (rcx: number, rax = 0n, rdx = 0n, wr = true, cpl = 0): void => {
      const cpu = machine(wr ? '0f30f4' : '0f32f4');
      cpu.interceptExceptions = 1 << 13;
      cpu.setReg('rcx', BigInt(rcx));
      cpu.setReg('rax', rax);
      cpu.setReg('rdx', rdx);
      if (cpl) cpu.setCpl(cpl);
      expect(cpu.run(10)).toBe(StopReason.Exception);
      expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0, rip: 0x100000n });
    };
    gp(0x12345, 0n, 0n, false);
    gp(0x12345);
    gp(0x277, 0x02n);
    gp(0xc0000082, 0n, 0x8000n);
    gp(0xc0000080, 0x2n);
    gp(0xc0000080, 0x400n - 0x100n + 0x1n); // clearing LME with paging on
    gp(0xc0000080, 0n, 0n, false, 3);
  });

  it('SYSCALL to LSTAR at CPL 0 with FMASK, SYSRET (REX.W) back to CPL 3', () => {
    // STAR = 0x0010_0008_0000_0000, LSTAR = handler, FMASK = IF; push 0x203; popfq; syscall;
    // back: nop; handler: mov r12,rcx; mov r13,r11; pushfq; pop r14; mov r11d,0x10246; o64 sysret
    const cpu = machine('b9810000c031c0ba080010000f30b9820000c0b83600100031d20f30b9840000c0b8000200000f30bc000030006803020000' +
      '9d0f05904989cc4d89dd9c415e41bb46020100480f07');
    for (let i = 0; i < 40 && cpu.ip !== 0x100035; i++) cpu.step();
    expect(cpu.internalError).toBeNull();
    expect(cpu.ip).toBe(0x100035);
    expect(cpu.getReg('r12')).toBe(0x100035n);
    expect(cpu.getReg('r13')).toBe(0x203n);
    expect(cpu.getReg('r14')).toBe(0x3n);
    expect(cpu.cpl).toBe(3);
    expect(cpu.segSel[1]).toBe(0x23);
    expect(cpu.segSel[2]).toBe(0x1b);
    expect(cpu.bits).toBe(64);
    expect(cpu.getFlags()).toBe(0x246);
  });

  it('SYSCALL is #UD with EFER.SCE = 0; SYSRET to a non-canonical RCX is #GP(0)', () => {
    const cpu = machine('0f05');
    cpu.efer &= ~1;
    cpu.interceptExceptions = 1 << 6;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException!.vector).toBe(6);
    const c2 = machine('480f07');
    c2.setReg('rcx', 0x800000000000n);
    c2.interceptExceptions = 1 << 13;
    expect(c2.run(10)).toBe(StopReason.Exception);
    expect(c2.lastException).toMatchObject({ vector: 13, errorCode: 0 });
    expect(c2.cpl).toBe(0);
  });

  it('INT 0x80 and IRETQ back (same privilege); IRETQ to CPL 3, then INT 0x81 to CPL 0 through RSP0', () => {
    // int 0x80; mov r14d,2; mov rax,rsp; push 0x2b; push 0x370000; push 0x202; push 0x33; push user;
    // iretq; user: mov r13d,7; int 0x81; align 16; handler80 (0x100030): mov r15d,1; iretq;
    // handler81 (0x100038): hlt
    const cpu = machine('cd8041be020000004889e06a2b680000370068020200006a33682000100048cf41bd07000000cd81909090909090909041bf0100000048cff4');
    const idt = DATA + 0x1000n;
    const gate = (v: number, off: number): void => {
      const b = new Uint8Array(16);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, (0x08 << 16) | (off & 0xffff), true);
      dv.setUint32(4, ((off & 0xffff0000) | 0xee00) >>> 0, true);
      cpu.writePhys(idt + BigInt(v * 16), b);
    };
    gate(0x80, 0x100030);
    gate(0x81, 0x100038);
    cpu.idtBase = Number(idt);
    cpu.idtLimit = 0xfff;
    const gdt = DATA + 0x2000n;
    cpu.writePhys(gdt, cpu.readPhys(BigInt(cpu.gdtBase), 0x28));
    cpu.writePhys(gdt + 0x28n, hex('ffff000000f3cf00 ffff000000fbaf00'));
    cpu.gdtBase = Number(gdt);
    cpu.gdtLimit = 0x37;
    cpu.writePhys(BigInt(cpu.trBase + 4), hex('0000380000000000'));
    cpu.nmiBlocked = true;
    const rsp0 = cpu.getReg('rsp');
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.internalError).toBeNull();
    expect(cpu.getReg('r15')).toBe(1n);
    expect(cpu.getReg('r14')).toBe(2n);
    expect(cpu.getReg('rax')).toBe(rsp0);
    expect(cpu.getReg('r13')).toBe(7n);
    expect(cpu.nmiBlocked).toBe(false);
    expect(cpu.cpl).toBe(0);
    expect(cpu.getReg('rsp')).toBe(0x380000n - 40n);
    const frame = cpu.readPhys(0x380000n - 40n, 40);
    expect(frame).toEqual(hex('2800100000000000 3300000000000000 0202000000000000 0000370000000000 2b00000000000000'));
    // IRETQ to CPL 3 nulled DS and ES (DPL 0 data); the INT kept them.
    expect(cpu.segSel[3]).toBe(0);
    expect(cpu.segSel[0]).toBe(0);
  });

  it('IRETQ faults: RPL below CPL, a non-canonical RIP, NT set', () => {
    const run = (frame: string, flags = 0x2): ReturnType<typeof machine> => {
      const cpu = machine('48cf');
      cpu.setReg('rsp', 0x300000n);
      cpu.writePhys(0x300000n, hex(frame));
      cpu.rflags = BigInt(flags);
      cpu.setCpl(0);
      cpu.interceptExceptions = 1 << 13;
      expect(cpu.run(10)).toBe(StopReason.Exception);
      return cpu;
    };
    // CS 0x08 but the RIP is non-canonical
    expect(run('0000000000800000 0800000000000000 0200000000000000 0000300000000000 1000000000000000').lastException).toMatchObject({ vector: 13, errorCode: 0 });
    // CS null
    expect(run('0000100000000000 0000000000000000 0200000000000000 0000300000000000 1000000000000000').lastException).toMatchObject({ vector: 13, errorCode: 0 });
    // NT set
    expect(run('0000100000000000 0800000000000000 0200000000000000 0000300000000000 1000000000000000', 0x4002).lastException).toMatchObject({ vector: 13, errorCode: 0 });
    // CS 0x0b: RPL 3 on the DPL 0 non-conforming code descriptor: #GP(0x08)
    expect(run('0000100000000000 0b00000000000000 0200000000000000 0000300000000000 1300000000000000').lastException).toMatchObject({ vector: 13, errorCode: 0x08 });
  });

  it('MOV Sreg, PUSH/POP FS/GS, LTR (busy bit), STR, SLDT', () => {
    // mov ax,0x10; mov ds,ax; mov fs,ax; push fs; pop gs; xor ecx,ecx; mov es,cx; mov ax,0x28; ltr ax;
    // str r8; sldt r9; hlt
    const cpu = machine('66b810008ed88ee00fa00fa931c98ec166b828000f00d8490f00c8410f00c1f4');
    const gdt = DATA + 0x2000n;
    cpu.writePhys(gdt, cpu.readPhys(BigInt(cpu.gdtBase), 0x28));
    cpu.writePhys(gdt + 0x28n, hex('6700003020890000 0000000000000000'));
    cpu.gdtBase = Number(gdt);
    cpu.gdtLimit = 0x37;
    const rsp = cpu.getReg('rsp');
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.internalError).toBeNull();
    expect([...cpu.segSel]).toEqual([0, 0x08, 0x10, 0x10, 0x10, 0x10]);
    expect(cpu.segAttr[5]).toBe(0xc093);
    expect(cpu.getReg('rsp')).toBe(rsp);
    expect(cpu.trSel).toBe(0x28);
    expect(cpu.trBase).toBe(0x203000);
    expect(cpu.trLimit).toBe(0x67);
    expect(cpu.readPhys(gdt + 0x2dn, 1)).toEqual(hex('8b'));
    expect(cpu.getReg('r8')).toBe(0x28n);
    expect(cpu.getReg('r9')).toBe(0n);
  });

  it('MOV SS with a null selector at CPL 3 is #GP(0); MOV DS with the TSS selector is #GP(sel)', () => {
    const cpu = machine('8ed0'); // mov ss, ax
    cpu.setCpl(3);
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(5)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0 });
    const c2 = machine('8ed8'); // mov ds, ax
    c2.setReg('rax', 0x18n);
    c2.interceptExceptions = 1 << 13;
    expect(c2.run(5)).toBe(StopReason.Exception);
    expect(c2.lastException).toMatchObject({ vector: 13, errorCode: 0x18 });
  });

  it('RETFQ: same privilege, then to CPL 3 with SS:RSP', () => {
    // push 0x08; push same; retfq; same: mov r15d,1; push 0x2b; push 0x370000; push 0x33; push user;
    // retfq; user (0x10001f): nop
    const cpu = machine('6a08680900100048cb41bf010000006a2b68000037006a33681f00100048cb90');
    const gdt = DATA + 0x2000n;
    cpu.writePhys(gdt, cpu.readPhys(BigInt(cpu.gdtBase), 0x28));
    cpu.writePhys(gdt + 0x28n, hex('ffff000000f3cf00 ffff000000fbaf00'));
    cpu.gdtBase = Number(gdt);
    cpu.gdtLimit = 0x37;
    for (let i = 0; i < 20 && cpu.ip !== 0x10001f; i++) cpu.step();
    expect(cpu.internalError).toBeNull();
    expect(cpu.ip).toBe(0x10001f);
    expect(cpu.getReg('r15')).toBe(1n);
    expect(cpu.cpl).toBe(3);
    expect(cpu.segSel[1]).toBe(0x33);
    expect(cpu.segSel[2]).toBe(0x2b);
    expect(cpu.getReg('rsp')).toBe(0x370000n);
    expect(cpu.segSel[3]).toBe(0);
  });
});
