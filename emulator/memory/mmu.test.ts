// Paging: A/D bits, #PF error codes, NX, WP, U/S, reserved bits, large pages, the TLB and its
// flushes, page-crossing writes; and the code cache (self-modifying code, data on code pages).
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../cpu/cpu';
import { hex, machine } from '../cpu/testutil';

const PML4 = 0x400000, PDPT = 0x401000, PD = 0x402000, PT = 0x403000;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
const NX = 0x80000000; // in the high dword

/** 4 KiB identity mapping of the first 2 MiB (code at 0x100000); extra entries by the test. */
function paged(code: string): Cpu {
  const cpu = machine(code);
  cpu.writePhys(BigInt(PML4), new Uint8Array(0x4000));
  const dv = cpu.dv;
  dv.setUint32(PML4, PDPT | P | RW | US, true);
  dv.setUint32(PDPT, PD | P | RW | US, true);
  dv.setUint32(PD, PT | P | RW | US, true);
  for (let i = 0; i < 512; i++) if (i < 0x40 || i >= 0x100) dv.setUint32(PT + 8 * i, (i << 12) | P | RW | US, true);
  cpu.cr3 = PML4;
  cpu.flushTlb(false);
  cpu.interceptExceptions = -1;
  return cpu;
}
function pte(cpu: Cpu, page: number, lo: number, hi = 0): void {
  cpu.dv.setUint32(PT + 8 * page, lo, true);
  cpu.dv.setUint32(PT + 8 * page + 4, hi, true);
}
const entry = (cpu: Cpu, a: number): number => cpu.dv.getUint32(a, true);

describe('paging', () => {
  it('sets accessed bits on a read and the dirty bit on a write', () => {
    const cpu = paged('8b03 8903 f4'); // mov eax,[rbx]; mov [rbx],eax; hlt
    pte(cpu, 0x50, 0x50000 | P | RW);
    cpu.setReg('rbx', 0x50010n);
    cpu.step();
    expect(entry(cpu, PML4) & A).toBe(A);
    expect(entry(cpu, PD) & A).toBe(A);
    expect(entry(cpu, PT + 8 * 0x50) & (A | D)).toBe(A);
    cpu.step();
    expect(entry(cpu, PT + 8 * 0x50) & (A | D)).toBe(A | D);
  });

  it('#PF error codes: not present, write, user, reserved bit, instruction fetch', () => {
    const cases: [string, number, number, number, number, boolean][] = [
      // code, pte lo, pte hi, expected error code, cr2 page, user
      ['8b03', 0, 0, 0, 0x50, false], // read, not present
      ['8903', 0, 0, 2, 0x50, false], // write, not present
      ['8b03', 0x50000 | P | RW, 0, 5, 0x50, true], // user read of a supervisor page
      ['8903', 0x50000 | P | US, 0, 7, 0x50, true], // user write to a read-only page
      ['8903', 0x50000 | P, 0, 3, 0x50, false], // supervisor write to read-only with CR0.WP
      ['8b03', 0x50000 | P | RW, 0x80000, 9, 0x50, false], // bit 51: reserved (MAXPHYADDR 40)
      ['ffe3', 0, 0, 0x10, 0x50, false], // jmp rbx to a non-present page: I/D
      ['ffe3', 0x50000 | P | RW, NX, 0x11, 0x50, false], // NX
    ];
    for (const [code, lo, hi, err, page, user] of cases) {
      const cpu = paged(code);
      pte(cpu, page, lo, hi);
      if (user) cpu.setCpl(3);
      cpu.setReg('rbx', BigInt(page * 4096 + 8));
      // a branch retires; the fetch at its target faults
      if (code === 'ffe3') expect(cpu.step()).toBe(StopReason.None);
      expect(cpu.step(), code).toBe(StopReason.Exception);
      expect(cpu.lastException, `${code} pte=${lo.toString(16)}`).toMatchObject({ vector: 14, errorCode: err, cr2: BigInt(page * 4096 + 8) });
    }
  });

  it('CR0.WP=0 lets the supervisor write read-only pages', () => {
    const cpu = paged('8903 f4');
    pte(cpu, 0x50, 0x50000 | P);
    cpu.cr0 &= ~(1 << 16);
    cpu.flushTlb();
    cpu.setReg('rbx', 0x50000n);
    cpu.setReg('rax', 0x1234n);
    expect(cpu.run(5)).toBe(StopReason.Hlt);
    expect(cpu.readPhys(0x50000n, 2)).toEqual(hex('3412'));
  });

  it('2 MiB and 1 GiB pages', () => {
    const cpu = paged('8b03 8b0a f4'); // mov eax,[rbx]; mov ecx,[rdx]
    cpu.dv.setUint32(PD + 8 * 5, 0x600000 | P | RW | PS, true); // 0xa00000 -> 0x600000
    cpu.dv.setUint32(PDPT + 8 * 3, 0 | P | RW | PS, true); // 0xc0000000 -> 0
    cpu.dv.setUint32(0x600123, 0xcafe, true);
    cpu.dv.setUint32(0x7123, 0xbeef, true);
    cpu.setReg('rbx', 0xa00123n);
    cpu.setReg('rdx', 0xc0007123n);
    expect(cpu.run(5)).toBe(StopReason.Hlt);
    expect(cpu.getReg('rax')).toBe(0xcafen);
    expect(cpu.getReg('rcx')).toBe(0xbeefn);
  });

  it('the TLB keeps a stale translation until INVLPG or a CR3 reload (globals survive CR3)', () => {
    const cpu = paged('8b03 f4');
    pte(cpu, 0x50, 0x60000 | P | RW);
    pte(cpu, 0x51, 0x61000 | P | RW | G);
    cpu.dv.setUint32(0x60000, 1, true);
    cpu.dv.setUint32(0x61000, 2, true);
    cpu.dv.setUint32(0x70000, 3, true);
    const rd = (lin: number): number => {
      cpu.rip = 0x100000n;
      cpu.setReg('rbx', BigInt(lin));
      cpu.step();
      return Number(cpu.getReg('rax'));
    };
    expect(rd(0x50000)).toBe(1);
    expect(rd(0x51000)).toBe(2);
    pte(cpu, 0x50, 0x70000 | P | RW);
    pte(cpu, 0x51, 0x70000 | P | RW | G);
    expect(rd(0x50000)).toBe(1); // stale
    cpu.flushTlb(true); // MOV CR3
    expect(rd(0x50000)).toBe(3);
    expect(rd(0x51000)).toBe(2); // global: still stale
    cpu.invlpg(0x51000);
    expect(rd(0x51000)).toBe(3);
  });

  it('a write crossing into a non-present page changes nothing', () => {
    const cpu = paged('488903'); // mov [rbx], rax
    pte(cpu, 0x50, 0x50000 | P | RW);
    pte(cpu, 0x51, 0);
    cpu.setReg('rbx', 0x50ffcn);
    cpu.setReg('rax', 0x1122334455667788n);
    expect(cpu.step()).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 14, errorCode: 2, cr2: 0x51000n });
    expect(cpu.readPhys(0x50ffcn, 4)).toEqual(new Uint8Array(4));
    pte(cpu, 0x51, 0x51000 | P | RW);
    cpu.flushTlb();
    expect(cpu.step()).toBe(StopReason.None);
    expect(cpu.readPhys(0x50ffcn, 8)).toEqual(hex('8877665544332211'));
  });

  it('non-paging mode: linear = physical', () => {
    const cpu = machine('8b03 f4');
    cpu.cr0 &= ~(1 << 31);
    cpu.flushTlb();
    cpu.dv.setUint32(0x123450, 77, true);
    cpu.setReg('rbx', 0x123450n);
    expect(cpu.run(5)).toBe(StopReason.Hlt);
    expect(cpu.getReg('rax')).toBe(77n);
  });
});

describe('code cache', () => {
  it('self-modifying code: a write to a cached instruction is seen', () => {
    // mov ecx,2; top: mov al,0x11; mov byte [rel top+1],0x42; dec ecx; jnz top; hlt
    const cpu = machine('b902000000b011c605f8ffffff42ffc975f3f4');
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.getReg('al')).toBe(0x42n);
    expect(cpu.code.dropped).toBe(2); // both writes hit a cached copy
  });

  it('data on the code page drops no instruction', () => {
    // mov ecx,1000; top: mov [rel data],ecx; add dword [rel data+4],1; dec ecx; jnz top; hlt; data: dq 0
    const cpu = machine('b9e8030000890d0c00000083050900000001ffc975eff40000000000000000');
    expect(cpu.run(10_000)).toBe(StopReason.Hlt);
    expect(cpu.readPhys(0x100017n + 4n, 4)).toEqual(hex('e8030000'));
    expect(cpu.code.dropped).toBe(0);
  });

  it('writePhys over cached code drops it', () => {
    const cpu = machine('b011 f4'); // mov al, 0x11; hlt
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    cpu.writePhys(0x100001n, hex('55'));
    cpu.rip = 0x100000n;
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('al')).toBe(0x55n);
  });

  it('an instruction crossing a page boundary runs, and faults only when its bytes do', () => {
    const cpu = machine('');
    // mov eax, 0x12345678 (5 bytes) starting 2 bytes before a page end, then hlt
    cpu.writePhys(0x100ffen, hex('b878563412 f4'));
    cpu.rip = 0x100ffen;
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.getReg('eax')).toBe(0x12345678n);
  });
});

describe('fused pairs', () => {
  it('count and single-stepping stay exact', () => {
    // mov ecx, 3; l: dec ecx; jnz l; hlt
    const cpu = machine('b903000000 ffc9 75fc f4');
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.getReg('ecx')).toBe(0n);
    expect(cpu.instructionCount).toBe(1 + 3 * 2 + 1);
    // step() stops between the two halves of a pair
    cpu.rip = 0x100000n;
    cpu.instructionCount = 0;
    for (let i = 0; i < 3; i++) cpu.step();
    expect(cpu.rip).toBe(0x100005n); // mov, dec, jnz taken back to the dec
    expect(cpu.instructionCount).toBe(3);
  });

  it('self-modifying code inside a fused pair', () => {
    // mov ecx, 2; l: mov byte [rel j], 0xeb; j: je l; hlt. ZF=0, so the JE falls through to the
    // HLT; but the MOV (fused with the JE) first turns it into JMP l: the CPU must run the new
    // bytes and loop forever.
    const cpu = machine('b902000000 c60500000000eb 74f7 f4');
    expect(cpu.run(50)).toBe(StopReason.Limit);
    expect(cpu.readPhys(0x10000cn, 1)[0]).toBe(0xeb);
  });
});

describe('data watchpoints', () => {
  it('stop after the instruction that touches a watched range, only for the kinds watched', () => {
    // mov eax,[rbx]; mov [rbx+8],eax; mov [rbx],eax; nop; hlt
    const cpu = machine('8b03 894308 8903 90 f4');
    cpu.setReg('rbx', 0x300000n);
    const id = cpu.addWatch(0x300000, 4, false, true); // writes of [0x300000, +4)
    expect(cpu.run(100)).toBe(StopReason.Watchpoint);
    expect(cpu.rip).toBe(0x100007n); // after the third instruction, which completed
    expect(cpu.watchHits).toEqual([{ id, address: 0x300000, size: 4, write: true }]);
    cpu.watchHits.length = 0;
    cpu.removeWatch(id);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    // reads
    const cpu2 = machine('8b03 894308 8903 90 f4');
    cpu2.setReg('rbx', 0x300000n);
    cpu2.addWatch(0x300002, 1, true, false);
    expect(cpu2.run(100)).toBe(StopReason.Watchpoint);
    expect(cpu2.rip).toBe(0x100002n);
    expect(cpu2.watchHits[0]).toMatchObject({ address: 0x300000, size: 4, write: false });
  });
});
