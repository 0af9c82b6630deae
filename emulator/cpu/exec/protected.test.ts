// 32-bit protected mode, compatibility mode and the segment machinery (exec/protected.ts,
// exec/system.ts, interrupt.ts). Code bytes assembled with nasm at development time.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../cpu';
import { hex } from '../testutil';

const GDT = 0x1000;
const IDT = 0x2000;
const TSS = 0x3000;
const HANDLERS = 0x5000; // HLT
const CODE = 0x100000;
const MiB = 1 << 20;

/** GDT entries by selector. */
const DESCRIPTORS: Record<number, bigint> = {
  0x08: 0x00cf9b000000ffffn, // code32 DPL0
  0x10: 0x00cf93000000ffffn, // data32 DPL0
  0x18: 0x00cffb000000ffffn, // code32 DPL3
  0x20: 0x00cff3000000ffffn, // data32 DPL3
  0x28: 0x00008b0030000067n, // 32-bit TSS at 0x3000, busy
  0x30: 0x00af9b000000ffffn, // code64 DPL0
  0x38: 0x00cf13000000ffffn, // data, P=0
  0x40: 0x0040930000000fffn, // data32, limit 0xFFF (byte granular)
  0x48: 0x004f9b010000ffffn, // code32 base 0x10000 limit 0xFFFFF bytes
  0x58: 0x00cf9b000000ffffn, // code32 DPL0 (SYSENTER_CS)
  0x60: 0x00cf93000000ffffn,
  0x68: 0x00cffb000000ffffn, // SYSEXIT: CS = base + 16 | 3
  0x70: 0x00cff3000000ffffn, //         SS = base + 24 | 3
  0x78: 0x00cf1b000000ffffn, // code32, P=0
};

function wr64(cpu: Cpu, a: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  cpu.writePhys(BigInt(a), b);
}
function rd32(cpu: Cpu, a: number): number {
  const b = cpu.readPhys(BigInt(a), 4);
  return new DataView(b.buffer).getUint32(0, true);
}
/** A 32-bit interrupt (0xE) or trap (0xF) gate. */
function gate(cpu: Cpu, v: number, sel: number, off: number, type = 0xe, dpl = 0): void {
  const lo = ((sel & 0xffff) << 16) | (off & 0xffff);
  const hi = (off & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8);
  wr64(cpu, IDT + v * 8, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/**
 * 32-bit protected mode as a multiboot loader leaves it, paging off: CS 0x08, data 0x10, TR 0x28
 * (ESP0 0x9000, SS0 0x10), every IDT vector a 32-bit interrupt gate to a HLT at HANDLERS + 16*v.
 */
function pm(code: string): Cpu {
  const cpu = new Cpu({ memoryBytes: 16 * MiB });
  cpu.reset64();
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, attributes: 0xc09b });
  cpu.setCr(0, 0x11n);
  cpu.setMsr(0xc0000080, 0n);
  cpu.setCr(4, 0n);
  for (const [sel, d] of Object.entries(DESCRIPTORS)) wr64(cpu, GDT + Number(sel), d);
  cpu.setGdtr(GDT, 0x7f);
  cpu.setIdtr(IDT, 256 * 8 - 1);
  for (const s of ['ss', 'ds', 'es', 'fs', 'gs'] as const) cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, attributes: 0xc093 });
  cpu.setSegment('tr', { selector: 0x28, base: TSS, limit: 0x67, attributes: 0x8b });
  wr64(cpu, TSS + 4, 0x10_00009000n); // ESP0, SS0
  for (let v = 0; v < 256; v++) gate(cpu, v, 0x08, HANDLERS + 16 * v);
  cpu.writePhys(BigInt(HANDLERS), new Uint8Array(0x1000).fill(0xf4));
  cpu.writePhys(BigInt(CODE), hex(code));
  cpu.setReg('rsp', 0x8000n);
  cpu.rip = BigInt(CODE);
  return cpu;
}

describe('protected mode: the Cpu entry API', () => {
  it('enters 32-bit protected mode with long mode and paging off', () => {
    const cpu = pm('f4');
    expect(cpu.bits).toBe(32);
    expect([cpu.cr0 >>> 0, cpu.efer, cpu.cpl]).toEqual([0x11, 0, 0]);
    expect(cpu.getSegment('cs')).toEqual({ selector: 8, base: 0, limit: 0xffffffff, attributes: 0xc09b });
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getMsr(0xc0000080)).toBe(0n);
  });

  it('refuses with the reason what MOV CRn / WRMSR would fault on', () => {
    const cpu = pm('f4');
    expect(() => cpu.setCr(0, 0x80000011n)).toThrow(/setCr\(0, 0x80000011\): refused, as the instruction would raise #GP\(0\)/);
    expect(() => cpu.setMsr(0xbadc0de, 1n)).toThrow(/#GP\(0\)/);
    expect(() => cpu.getMsr(0xbadc0de)).toThrow(/getMsr\(0xbadc0de\)/);
    expect(() => cpu.setSegment('xs' as 'cs', { selector: 0, base: 0, limit: 0, attributes: 0 })).toThrow(/unknown segment register 'xs'/);
  });
});

describe('protected mode: into IA-32e mode', () => {
  it('CR0.PG with EFER.LME and CR4.PAE sets EFER.LMA (compatibility mode), then a far JMP enters 64-bit mode', () => {
    // mov eax,cr4; or eax,0x20; mov cr4,eax; mov ecx,0xc0000080; rdmsr; or eax,0x100; wrmsr;
    // mov eax,cr0; or eax,0x80000000; mov cr0,eax; hlt; jmp 0x30:0x100040
    const cpu = pm('0f20e083c8200f22e0b9800000c00f320d000100000f300f20c00d000000800f22c0f4ea400010003000');
    cpu.writePhys(BigInt(CODE + 0x40), hex('48b88967452301000000f4')); // mov rax, 0x123456789; hlt
    cpu.setCr(3, BigInt(cpu.ramSize - 7 * 4096 + 0x1000)); // reset64's identity map
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.efer & 0x500).toBe(0x500);
    expect(cpu.bits).toBe(32); // compatibility mode: LMA=1, CS.L=0
    cpu.rip = cpu.rip; // leave the HLT
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.bits).toBe(64);
    expect(cpu.segSel[1]).toBe(0x30);
    expect(cpu.getReg('rax')).toBe(0x123456789n);
  });

  it('compatibility mode delivers through the 64-bit IDT (16-byte gates, 8-byte frame, 64-bit handler); IRETQ returns to it', () => {
    // (enable IA-32e mode as above); mov ebx,0x11; int 0x30; hlt      handler: mov rdi,rsp; iretq
    const cpu = pm('0f20e083c8200f22e0b9800000c00f320d000100000f300f20c00d000000800f22c0bb11000000cd30f4');
    cpu.setCr(3, BigInt(cpu.ramSize - 7 * 4096 + 0x1000));
    cpu.writePhys(0x6000n, hex('4889e748cf'));
    wr64(cpu, IDT + 0x30 * 16, 0x00008e0000306000n); // 64-bit interrupt gate -> 0x30:0x6000
    wr64(cpu, IDT + 0x30 * 16 + 8, 0n);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.bits).toBe(32);
    expect(cpu.getReg('rdi')).toBe(0x8000n - 40n); // aligned to 16, five qwords
    expect(rd32(cpu, 0x8000 - 40)).toBe(CODE + 0x29); // RIP after INT
    expect(rd32(cpu, 0x8000 - 32)).toBe(0x08); // CS (32-bit)
    expect(rd32(cpu, 0x8000 - 16)).toBe(0x8000); // RSP
    expect(rd32(cpu, 0x8000 - 8)).toBe(0x10); // SS
    expect(cpu.getReg('rsp')).toBe(0x8000n);
  });

  it('#GP(0) when paging is turned on with LME but without PAE', () => {
    const cpu = pm('b9800000c00f320d000100000f300f20c00d000000800f22c0f4');
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(100)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0, rip: BigInt(CODE + 0x16) });
    expect(cpu.efer & 0x400).toBe(0);
  });
});

describe('protected mode: 32-bit IDT delivery and IRETD', () => {
  it('same privilege: EFLAGS, CS, EIP pushed on the current stack; an interrupt gate clears IF; IRETD returns', () => {
    // mov eax,7; stc; int 0x30; hlt      handler: mov ebx,esp; add eax,1; iretd
    const cpu = pm('b807000000f9cd30f4');
    cpu.writePhys(0x6000n, hex('89e383c001cf'));
    gate(cpu, 0x30, 0x08, 0x6000, 0xe, 0);
    cpu.rflags = 0x202n;
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.getReg('ebx')).toBe(0x8000n - 12n);
    expect(rd32(cpu, 0x8000 - 12)).toBe(CODE + 8); // EIP after INT
    expect(rd32(cpu, 0x8000 - 8)).toBe(0x08);
    expect(rd32(cpu, 0x8000 - 4)).toBe(0x203); // IF CF
    expect(cpu.getReg('eax')).toBe(8n);
    expect(cpu.rflags & 0x201n).toBe(0x201n); // IRETD restored IF and CF from the frame
    expect(cpu.getReg('esp')).toBe(0x8000n);
  });

  it('from CPL 3: SS:ESP from the 32-bit TSS, SS, ESP, EFLAGS, CS, EIP pushed; IRETD back to CPL 3', () => {
    // push 0x23; push 0x7000; push 0x202; push 0x1b; push 0x100020; iretd
    const cpu = pm('6a23680070000068020200006a1b6820001000cf');
    cpu.writePhys(BigInt(CODE + 0x20), hex('cd8089e6ebfe')); // int 0x80; mov esi,esp; jmp $
    cpu.writePhys(0x6000n, hex('89e78b6c240ccf')); // mov edi,esp; mov ebp,[esp+12]; iretd
    gate(cpu, 0x80, 0x08, 0x6000, 0xe, 3);
    expect(cpu.run(6)).toBe(StopReason.Limit);
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2], Number(cpu.getReg('esp'))]).toEqual([3, 0x1b, 0x23, 0x7000]);
    expect(cpu.run(5)).toBe(StopReason.Limit); // INT and its delivery, MOV, MOV, IRETD
    expect(cpu.getReg('edi')).toBe(0x9000n - 20n);
    expect(rd32(cpu, 0x9000 - 4)).toBe(0x23);
    expect(rd32(cpu, 0x9000 - 8)).toBe(0x7000);
    expect(rd32(cpu, 0x9000 - 16)).toBe(0x1b);
    expect(rd32(cpu, 0x9000 - 20)).toBe(CODE + 0x22);
    expect(cpu.getReg('ebp')).toBe(0x7000n);
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2], Number(cpu.getReg('esp'))]).toEqual([3, 0x1b, 0x23, 0x7000]);
    expect(cpu.segSel[3]).toBe(0); // DS (DPL 0) nulled on the return to CPL 3
    expect(cpu.run(1)).toBe(StopReason.Limit);
    expect(cpu.getReg('esi')).toBe(0x7000n);
  });

  it('INT n through a gate with DPL < CPL: #GP(vector*8 + 2)', () => {
    const cpu = pm('6a23680070000068020200006a1b6820001000cf');
    cpu.writePhys(BigInt(CODE + 0x20), hex('cd8089e6ebfe'));
    cpu.run(6);
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0x80 * 8 + 2 });
  });

  it('an exception with an error code: far JMP to a not-present segment pushes #NP(selector)', () => {
    const cpu = pm('ea100010007800'); // jmp 0x78:0x100010
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(Number(cpu.rip)).toBe(HANDLERS + 16 * 11 + 1);
    expect(rd32(cpu, 0x8000 - 16)).toBe(0x78); // error code
    expect(rd32(cpu, 0x8000 - 12)).toBe(CODE); // the faulting instruction
    expect(rd32(cpu, 0x8000 - 4) & 0x10000).toBe(0x10000); // RF
  });

  it('a far JMP to a data segment: #GP(selector)', () => {
    const cpu = pm('ea100010003800'); // jmp 0x38:0x100010
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0x38, rip: BigInt(CODE) });
  });

  it('a task gate is refused with #GP (task switching is not implemented)', () => {
    const cpu = pm('cd40f4'); // int 0x40
    wr64(cpu, IDT + 0x40 * 8, 0x0000e50000280000n);
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0x40 * 8 + 2 });
  });

  it('#NP during the delivery of a #GP becomes #DF; a fault delivering #DF is a triple fault', () => {
    const cpu = pm('ea100010007800'); // jmp 0x78:..: #NP(0x78)
    wr64(cpu, IDT + 11 * 8, 0n); // #NP gate invalid: #GP(11*8+2) while delivering #NP -> #DF
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(Number(cpu.rip)).toBe(HANDLERS + 16 * 8 + 1);
    expect(rd32(cpu, 0x8000 - 16)).toBe(0); // #DF error code
    const cpu2 = pm('ea100010007800');
    cpu2.setIdtr(IDT, 0);
    expect(cpu2.run(10)).toBe(StopReason.TripleFault);
  });
});

describe('protected mode: segments', () => {
  it('data accesses beyond a segment limit: #GP(0); stack ones: #SS(0)', () => {
    // mov ax,0x40; mov ds,ax; mov eax,[0xffc]; mov eax,[0x1000]; hlt
    const cpu = pm('66b840008ed8a1fc0f0000a100100000f4');
    cpu.interceptExceptions = (1 << 13) | (1 << 12);
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0, rip: BigInt(CODE + 11) });
    // mov ax,0x40; mov ss,ax; mov esp,0x1000; push eax; hlt: the push at 0xFFC fits
    const cpu2 = pm('66b840008ed0bc0010000050f4');
    expect(cpu2.run(10)).toBe(StopReason.Hlt);
    // mov esp,0x1002: the push would write 0xFFE..0x1001
    const cpu3 = pm('66b840008ed0bc0210000050f4');
    cpu3.interceptExceptions = 1 << 12;
    expect(cpu3.run(10)).toBe(StopReason.Exception);
    expect(cpu3.lastException).toMatchObject({ vector: 12, errorCode: 0, rip: BigInt(CODE + 11) });
  });

  it('code is fetched at CS.base + EIP', () => {
    // jmp 0x48:0x10 -> linear 0x10010: call .n; .n: pop eax; hlt
    const cpu = pm('ea100000004800');
    cpu.writePhys(0x10010n, hex('e80000000058f4'));
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('eax')).toBe(0x15n); // EIP (offset in CS), not the linear address
    expect(Number(cpu.rip)).toBe(0x17);
  });

  it('MOV SS with a null selector: #GP(0); MOV DS with a not-present segment: #NP(selector)', () => {
    const a = pm('31c08ed0');
    a.interceptExceptions = 1 << 13;
    expect(a.run(10)).toBe(StopReason.Exception);
    expect(a.lastException).toMatchObject({ vector: 13, errorCode: 0 });
    const b = pm('66b838008ed8');
    b.interceptExceptions = 1 << 11;
    expect(b.run(10)).toBe(StopReason.Exception);
    expect(b.lastException).toMatchObject({ vector: 11, errorCode: 0x38 });
  });

  it('LSS loads SS:ESP; POP DS loads a data segment; LTR marks the TSS busy and refuses a busy one', () => {
    // lss esp,[0x200000]; mov ebx,0x23; push ebx; pop ds; mov ax,0x28; ltr ax; hlt; ltr ax
    const cpu = pm('0fb22500002000bb23000000531f66b828000f00d8f40f00d8');
    cpu.writePhys(0x200000n, hex('00700000 1000'));
    wr64(cpu, GDT + 0x28, 0x0000890030000067n); // available 32-bit TSS
    expect(cpu.run(20)).toBe(StopReason.Hlt);
    expect([cpu.segSel[2], Number(cpu.getReg('esp')), cpu.segSel[3], cpu.trSel, cpu.trBase]).toEqual([0x10, 0x7000, 0x23, 0x28, TSS]);
    expect((rd32(cpu, GDT + 0x2c) >> 8) & 0xf).toBe(0xb);
    cpu.rip = cpu.rip;
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0x28 });
  });

  it('POP DS with an LDT selector beyond the LDT: #GP(selector); RDPMC: #GP(0)', () => {
    const cpu = pm('6a1c1f'); // push 0x1c; pop ds
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0x1c, rip: BigInt(CODE + 2) });
    expect(cpu.getReg('esp')).toBe(0x8000n - 4n); // the pop did not complete
    const b = pm('0f33');
    b.interceptExceptions = 1 << 13;
    expect(b.run(10)).toBe(StopReason.Exception);
  });

  it('a segment load sets the accessed bit of its descriptor', () => {
    const cpu = pm('66b840008ed8f4'); // mov ax,0x40; mov ds,ax
    wr64(cpu, GDT + 0x40, 0x0040920000000fffn);
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(rd32(cpu, GDT + 0x44) & 0x100).toBe(0x100);
  });

  it('LAR, LSL, VERR, VERW', () => {
    // mov ecx,0x18; lar eax,ecx; lsl ebx,ecx; verr cx; setz dl; mov ecx,0x38; verw cx; setz dh;
    // mov ecx,0x60 (beyond the GDT limit); lar esi,ecx; hlt
    const cpu = pm('b9180000000f02c10f03d90f00e10f94c2b9380000000f00e90f94c6b9600000000f02f1f4');
    cpu.setGdtr(GDT, 0x5f);
    cpu.setReg('esi', 0x55n);
    expect(cpu.run(20)).toBe(StopReason.Hlt);
    expect(cpu.getReg('eax')).toBe(0xc0fb00n); // masked by 0x00F0FF00 (limit 19:16 read as 0, as QEMU)
    expect(cpu.getReg('ebx')).toBe(0xffffffffn);
    expect(cpu.getReg('dl')).toBe(1n);
    expect(cpu.getReg('dh')).toBe(1n); // VERW does not check P
    expect(cpu.getReg('esi')).toBe(0x55n);
    expect(cpu.rflags & 0x40n).toBe(0n);
  });
});

describe('protected mode: far transfers', () => {
  it('far CALL pushes CS and EIP; RETF returns; 16-bit RETF pops 16-bit values', () => {
    // call 0x08:0x100020; hlt        at 0x20: mov eax,1; retf
    const cpu = pm('9a200010000800f4');
    cpu.writePhys(BigInt(CODE + 0x20), hex('b801000000cb'));
    expect(cpu.run(3)).toBe(StopReason.Limit);
    expect(rd32(cpu, 0x8000 - 4)).toBe(0x08);
    expect(rd32(cpu, 0x8000 - 8)).toBe(CODE + 7);
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('esp')).toBe(0x8000n);
    // push word 0x08; push word 0x30; o16 retf -> 0x08:0x0030
    const b = pm('666a08666a3066cb');
    b.writePhys(0x30n, hex('f4'));
    expect(b.run(10)).toBe(StopReason.Hlt);
    expect(Number(b.rip)).toBe(0x31);
    expect(b.getReg('esp')).toBe(0x8000n);
  });

  it('a far CALL from CPL 3 through a call gate to CPL 0 switches to SS0:ESP0 and copies parameters', () => {
    const cpu = pm('6a23680070000068020200006a1b6820001000cf');
    // CPL 3 at 0x20: push 0x11; push 0x22; call 0x53:0; jmp $
    cpu.writePhys(BigInt(CODE + 0x20), hex('6a116a229a000000005300ebfe'));
    wr64(cpu, GDT + 0x50, 0x0000ec0200086000n); // 32-bit call gate, DPL 3, 2 parameters -> 0x08:0x6000
    cpu.writePhys(0x6000n, hex('89e7f4')); // mov edi, esp; hlt
    expect(cpu.run(30)).toBe(StopReason.Hlt);
    expect(cpu.cpl).toBe(0);
    expect(cpu.getReg('edi')).toBe(BigInt(0x9000 - 24));
    const at = (i: number) => rd32(cpu, 0x9000 - 4 * i);
    expect([at(1), at(2), at(3), at(4), at(5), at(6)]).toEqual([0x23, 0x7000 - 8, 0x11, 0x22, 0x1b, CODE + 0x2b]);
  });
});

describe('SYSENTER / SYSEXIT', () => {
  it('SYSENTER to CPL 0 at SYSENTER_EIP with SYSENTER_ESP; SYSEXIT back to CPL 3 at EDX with ECX', () => {
    const cpu = pm('0f34');
    cpu.setMsr(0x174, 0x58n);
    cpu.setMsr(0x175, 0x9000n);
    cpu.setMsr(0x176, 0x6000n);
    cpu.writePhys(0x6000n, hex('ba20001000b9007000000f35')); // mov edx,0x100020; mov ecx,0x7000; sysexit
    cpu.writePhys(BigInt(CODE + 0x20), hex('ebfe'));
    expect(cpu.run(1)).toBe(StopReason.Limit);
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2], Number(cpu.rip), Number(cpu.getReg('esp'))]).toEqual([0, 0x58, 0x60, 0x6000, 0x9000]);
    expect(cpu.run(3)).toBe(StopReason.Limit);
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2], Number(cpu.rip), Number(cpu.getReg('esp'))]).toEqual([3, 0x6b, 0x73, CODE + 0x20, 0x7000]);
  });
});

describe('64-bit mode: call gates', () => {
  it('CALL FAR [m16:64] from CPL 3 through a 64-bit call gate: RSP0 from the TSS, SS null, four qwords; RETFQ back', () => {
    const cpu = new Cpu({ memoryBytes: 16 * MiB });
    cpu.reset64();
    const g = (sel: number, v: bigint) => wr64(cpu, GDT + sel, v);
    g(0x08, 0x00af9b000000ffffn);
    g(0x10, 0x00cf93000000ffffn);
    g(0x18, 0x00affb000000ffffn);
    g(0x20, 0x00cff3000000ffffn);
    g(0x28, 0x00008b0030000067n); // 64-bit TSS (busy) at 0x3000
    g(0x30, 0n);
    g(0x38, 0x0000ec0000086000n); // 64-bit call gate, DPL 3 -> 0x08:0x6000
    g(0x40, 0n);
    cpu.setGdtr(GDT, 0x47);
    cpu.setSegment('tr', { selector: 0x28, base: TSS, limit: 0x67, attributes: 0x8b });
    wr64(cpu, TSS + 4, 0x9000n); // RSP0
    // push 0x23; push 0x7000; push 0x202; push 0x1b; push 0x100040; iretq
    cpu.writePhys(BigInt(CODE), hex('6a23680070000068020200006a1b684000100048cf'));
    // call far qword [rel p]; mov rsi, rsp; jmp $; p: dq 0; dw 0x3b
    cpu.writePhys(BigInt(CODE + 0x40), hex('48ff1d050000004889e6ebfe00000000000000003b00'));
    cpu.writePhys(0x6000n, hex('4889e748cb')); // mov rdi, rsp; retfq
    cpu.rip = BigInt(CODE);
    cpu.setReg('rsp', 0x8000n);
    expect(cpu.run(8)).toBe(StopReason.Limit); // 6 to CPL 3, CALL FAR, MOV RDI
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2]]).toEqual([0, 0x08, 0]);
    expect(cpu.getReg('rdi')).toBe(0x9000n - 32n);
    const q = (a: number) => rd32(cpu, a);
    expect([q(0x9000 - 8), q(0x9000 - 16), q(0x9000 - 24), q(0x9000 - 32)]).toEqual([0x23, 0x7000, 0x1b, CODE + 0x47]);
    expect(cpu.run(2)).toBe(StopReason.Limit); // RETFQ, MOV RSI
    expect([cpu.cpl, cpu.segSel[1], cpu.segSel[2], Number(cpu.getReg('rsi'))]).toEqual([3, 0x1b, 0x23, 0x7000]);
  });
});

describe('forms of 16/32-bit code: PUSHAD/POPAD, ENTER, BOUND, ARPL; RDFSBASE/WRFSBASE', () => {
  it('PUSHAD pushes EAX..EDI with the original ESP; POPAD restores all but ESP', () => {
    const cpu = pm('b801000000b902000000ba03000000bb04000000bd06000000be07000000bf080000006031c031c931d231db31ed31f631ff61f4');
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'].map((r) => Number(cpu.getReg(r)))).toEqual([1, 2, 3, 4, 0x8000, 6, 7, 8]);
    expect(rd32(cpu, 0x8000 - 20)).toBe(0x8000); // the pushed ESP
    expect(rd32(cpu, 0x8000 - 32)).toBe(8); // EDI last
  });

  it('ENTER 8, 2 with a 32-bit operand: EBP pushed, one outer frame pointer copied, the new one, 8 bytes', () => {
    const cpu = pm('c8080002f4');
    cpu.setReg('ebp', 0x7800n);
    cpu.writePhys(0x77fcn, hex('44332211'));
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('ebp')).toBe(0x7ffcn);
    expect([rd32(cpu, 0x7ffc), rd32(cpu, 0x7ff8), rd32(cpu, 0x7ff4)]).toEqual([0x7800, 0x11223344, 0x7ffc]);
    expect(cpu.getReg('esp')).toBe(0x7ff4n - 8n);
  });

  it('BOUND: within the bounds nothing; outside them #BR (a fault)', () => {
    const cpu = pm('b805000000620500002000b80b000000620500002000f4');
    cpu.writePhys(0x200000n, hex('00000000 0a000000')); // [0, 10]
    cpu.interceptExceptions = 1 << 5;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 5, rip: BigInt(CODE + 16) });
  });

  it('ARPL raises the RPL and sets ZF; a second time it clears ZF', () => {
    const cpu = pm('66b8100066bb1b0063d80f94c163d80f94c5f4');
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('ax')).toBe(0x13n);
    expect([cpu.getReg('cl'), cpu.getReg('ch')]).toEqual([1n, 0n]);
  });

  it('WRFSBASE/RDFSBASE with CR4.FSGSBASE; #UD without it', () => {
    const code = () => {
      const cpu = new Cpu({ memoryBytes: 16 * MiB });
      cpu.reset64();
      // mov rax,0x12345678; wrfsbase rax; rdgsbase rbx; rdfsbase rcx; hlt
      cpu.writePhys(BigInt(CODE), hex('b878563412f3480faed0f3480faecbf3480faec1f4'));
      cpu.rip = BigInt(CODE);
      return cpu;
    };
    const a = code();
    a.interceptExceptions = 1 << 6;
    expect(a.run(10)).toBe(StopReason.Exception);
    const b = code();
    b.setCr(4, BigInt(b.cr4 | 0x10000));
    expect(b.run(10)).toBe(StopReason.Hlt);
    expect(b.segBase[4]).toBe(0x12345678);
    expect(b.getReg('rcx')).toBe(0x12345678n);
    expect(b.getReg('rbx')).toBe(0n);
  });
});
