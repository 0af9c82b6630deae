// Exception delivery through the 64-bit IDT, interception, precise faults, #DF and triple faults.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from './cpu';
import { hex, machine } from './testutil';

const IDT = 0x3000;
const HANDLER = 0x5000; // handlers: HANDLER + 0x10 * vector, each a HLT
const STACK = 0x90000;

function gate(cpu: Cpu, v: number, o: { ist?: number; dpl?: number; type?: number; present?: boolean; target?: number } = {}): void {
  const t = o.target ?? HANDLER + 0x10 * v;
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, t & 0xffff, true);
  dv.setUint16(2, 0x08, true);
  b[4] = o.ist ?? 0;
  b[5] = (o.present === false ? 0 : 0x80) | ((o.dpl ?? 0) << 5) | (o.type ?? 0xe);
  dv.setUint16(6, (t >>> 16) & 0xffff, true);
  dv.setUint32(8, 0, true);
  cpu.writePhys(BigInt(IDT + 16 * v), b);
}

/** A machine with an IDT of HLT handlers for every vector (0-255), RSP = STACK. */
function kernel(code: string): Cpu {
  const cpu = machine(code);
  cpu.idtBase = IDT;
  cpu.idtLimit = 256 * 16 - 1;
  for (let v = 0; v < 256; v++) gate(cpu, v);
  cpu.writePhys(BigInt(HANDLER), new Uint8Array(0x1000).fill(0xf4));
  cpu.setReg('rsp', BigInt(STACK));
  return cpu;
}
const q = (cpu: Cpu, a: number): bigint => {
  const b = cpu.readPhys(BigInt(a), 8);
  return new DataView(b.buffer).getBigUint64(0, true);
};

describe('exception delivery (64-bit IDT)', () => {
  it('#DE: the frame, RF in the saved RFLAGS, IF cleared by an interrupt gate', () => {
    const cpu = kernel('31d2 f7f2'); // xor edx,edx; div edx
    cpu.rflags = 0x202n;
    cpu.setReg('rsp', BigInt(STACK - 8)); // misaligned: delivery aligns to 16
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.rip).toBe(BigInt(HANDLER + 1));
    const rsp = Number(cpu.getReg('rsp'));
    expect(rsp).toBe(STACK - 16 - 40);
    expect(q(cpu, rsp)).toBe(0x100002n); // faulting RIP
    expect(q(cpu, rsp + 8)).toBe(0x08n);
    expect(q(cpu, rsp + 16) & 0x10fd5n).toBe(0x10246n & 0x10fd5n | 0x10000n); // flags of xor, RF=1
    expect(q(cpu, rsp + 24)).toBe(BigInt(STACK - 8));
    expect(q(cpu, rsp + 32)).toBe(0x10n);
    expect(cpu.rflags & 0x200n).toBe(0n);
    expect(cpu.internalError).toBeNull();
  });

  it('#PF: error code pushed, CR2 set; trap gate keeps IF', () => {
    const cpu = kernel('488903'); // mov [rbx], rax
    gate(cpu, 14, { type: 0xf });
    cpu.setReg('rbx', 0x100000000n); // beyond the identity-mapped 4 GiB
    cpu.rflags = 0x202n;
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.rip).toBe(BigInt(HANDLER + 14 * 0x10 + 1));
    const rsp = Number(cpu.getReg('rsp'));
    expect(rsp).toBe(STACK - 48);
    expect(q(cpu, rsp)).toBe(2n); // write, supervisor, not present
    expect(q(cpu, rsp + 8)).toBe(0x100000n);
    expect(cpu.cr2).toBe(0x100000000);
    expect(cpu.rflags & 0x200n).toBe(0x200n);
  });

  it('IST: the gate switches to TSS.IST1, aligned', () => {
    const cpu = kernel('0f0b'); // ud2
    gate(cpu, 6, { ist: 1 });
    const ist = 0x70008;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(ist), true);
    cpu.writePhys(BigInt(cpu.trBase + 36), b);
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(Number(cpu.getReg('rsp'))).toBe(0x70000 - 40);
    expect(q(cpu, 0x70000 - 40)).toBe(0x100000n);
    expect(q(cpu, 0x70000 - 16)).toBe(BigInt(STACK));
  });

  it('INT n from CPL 3: DPL check, RSP0 from the TSS, SS nulled', () => {
    const cpu = kernel('cd80 cd81'); // int 0x80; int 0x81
    gate(cpu, 0x80, { dpl: 3 });
    const rsp0 = 0x60000;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(rsp0), true);
    cpu.writePhys(BigInt(cpu.trBase + 4), b);
    cpu.setCpl(3);
    cpu.segSel[1] = 0x2b;
    cpu.segSel[2] = 0x23;
    cpu.setReg('rsp', 0x50000n);
    cpu.rflags = 0x202n;
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.cpl).toBe(0);
    expect(cpu.segSel[1]).toBe(0x08);
    expect(cpu.segSel[2]).toBe(0);
    const rsp = Number(cpu.getReg('rsp'));
    expect(rsp).toBe(rsp0 - 40);
    expect(q(cpu, rsp)).toBe(0x100002n); // INT is a trap: the next instruction
    expect(q(cpu, rsp + 8)).toBe(0x2bn);
    expect(q(cpu, rsp + 24)).toBe(0x50000n);
    expect(q(cpu, rsp + 32)).toBe(0x23n);
    // int 0x81 has a DPL 0 gate: #GP(0x81*8+2) at the INT instruction.
    const cpu2 = kernel('cd81');
    cpu2.writePhys(BigInt(cpu2.trBase + 4), b);
    cpu2.setCpl(3);
    cpu2.interceptExceptions = 1 << 13;
    expect(cpu2.run(10)).toBe(StopReason.Exception);
    expect(cpu2.lastException).toMatchObject({ vector: 13, errorCode: 0x81 * 8 + 2, rip: 0x100000n });
  });

  it('#DF when delivering #PF faults again; triple fault when #DF cannot be delivered', () => {
    const cpu = kernel('488903');
    cpu.setReg('rbx', 0x100000000n);
    gate(cpu, 14, { present: false }); // #NP while delivering #PF -> #DF
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(cpu.rip).toBe(BigInt(HANDLER + 8 * 0x10 + 1));
    expect(q(cpu, Number(cpu.getReg('rsp')))).toBe(0n); // #DF error code
    const cpu2 = kernel('488903');
    cpu2.setReg('rbx', 0x100000000n);
    gate(cpu2, 14, { present: false });
    gate(cpu2, 8, { present: false });
    expect(cpu2.run(10)).toBe(StopReason.TripleFault);
    // Benign then contributory is handled serially: #UD with a non-present gate -> #NP delivered.
    const cpu3 = kernel('0f0b');
    gate(cpu3, 6, { present: false });
    expect(cpu3.run(10)).toBe(StopReason.Hlt);
    expect(cpu3.rip).toBe(BigInt(HANDLER + 11 * 0x10 + 1));
    expect(q(cpu3, Number(cpu3.getReg('rsp')))).toBe(BigInt(6 * 8 + 2 + 1)); // IDT, EXT
  });

  it('no IDT at all: triple fault', () => {
    const cpu = machine('0f0b');
    expect(cpu.run(10)).toBe(StopReason.TripleFault);
  });

  it('intercepted exceptions stop before delivery with the state as before the instruction', () => {
    const cpu = kernel('4889c8 50'); // mov rax, rcx; push rax
    cpu.setReg('rcx', 7n);
    cpu.setReg('rsp', 0x100000000n + 8n); // push writes beyond the mapping
    cpu.interceptExceptions = 1 << 14;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.rip).toBe(0x100003n);
    expect(cpu.getReg('rsp')).toBe(0x100000008n);
    expect(cpu.getReg('rax')).toBe(7n);
    expect(cpu.instructionCount).toBe(1);
    expect(cpu.lastException).toMatchObject({ vector: 14, errorCode: 2, cr2: 0x100000000n, rip: 0x100003n });
    expect(cpu.cr2).toBe(0); // not delivered: CR2 untouched
  });

  it('INT3 intercepted: RIP after the instruction (a trap)', () => {
    const cpu = machine('90 cc 90');
    cpu.interceptExceptions = 1 << 3;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.rip).toBe(0x100002n);
    expect(cpu.lastException?.vector).toBe(3);
  });

  it('non-canonical addresses: #GP(0), or #SS(0) for a stack-segment operand', () => {
    const cpu = machine('8b03'); // mov eax, [rbx]
    cpu.setReg('rbx', 0x0000800000000000n);
    cpu.interceptExceptions = -1;
    expect(cpu.run(1)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0 });
    const cpu2 = machine('488b4500'); // mov rax, [rbp]
    cpu2.setReg('rbp', 0x8000000000000000n);
    cpu2.interceptExceptions = -1;
    expect(cpu2.run(1)).toBe(StopReason.Exception);
    expect(cpu2.lastException).toMatchObject({ vector: 12, errorCode: 0 });
    const cpu3 = machine('50'); // push rax
    cpu3.setReg('rsp', 0xffff800000000004n);
    cpu3.interceptExceptions = -1;
    expect(cpu3.run(1)).toBe(StopReason.Exception);
    expect(cpu3.lastException).toMatchObject({ vector: 12, errorCode: 0 });
  });

  it('external interrupts: delivered at a boundary with IF=1, after the STI shadow', () => {
    const cpu = kernel('fb 90 90 90 f4'); // sti; nop; nop; nop; hlt
    let acks = 0;
    cpu.acknowledgeInterrupt = () => (acks++ === 0 ? 0x40 : -1);
    cpu.raiseInterrupt();
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.rip).toBe(BigInt(HANDLER + 0x400 + 1));
    // STI then one more instruction (the shadow), then the interrupt: saved RIP = after the first NOP.
    expect(q(cpu, Number(cpu.getReg('rsp')))).toBe(0x100002n);
    expect(q(cpu, Number(cpu.getReg('rsp')) + 16) & 0x10000n).toBe(0n); // no RF for interrupts
  });

  it('HLT skips guest time to the next event', () => {
    const cpu = kernel('fb f4 f4'); // sti; hlt; hlt
    cpu.eventAt = 1000;
    let fired = 0;
    cpu.onEvent = (c) => {
      fired++;
      c.eventAt = Infinity;
      c.raiseInterrupt();
    };
    cpu.acknowledgeInterrupt = () => 0x30;
    expect(cpu.run(10_000)).toBe(StopReason.Hlt);
    expect(fired).toBe(1);
    expect(cpu.instructionCount).toBe(1001); // 1000 after the skip, then the handler's HLT
    expect(cpu.rip).toBe(BigInt(HANDLER + 0x300 + 1));
  });

  it('debugger breakpoints stop before the instruction (not on the first one of a run)', () => {
    const cpu = machine('90 90 90 f4');
    cpu.breakpoints.add(0x100002);
    expect(cpu.run(100)).toBe(StopReason.Breakpoint);
    expect(cpu.rip).toBe(0x100002n);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
  });

  it('an unimplemented or invalid opcode raises #UD', () => {
    const cpu = machine('0f 0b');
    cpu.interceptExceptions = 1 << 6;
    expect(cpu.run(1)).toBe(StopReason.Exception);
    expect(cpu.lastException?.vector).toBe(6);
    const cpu2 = machine('f0 90'); // LOCK NOP
    cpu2.interceptExceptions = 1 << 6;
    expect(cpu2.run(1)).toBe(StopReason.Exception);
    void hex;
  });

  it('TF: a #DB trap after each instruction that started with TF=1', () => {
    // pushfq; or qword [rsp], 0x100; popfq; nop; nop; hlt
    const cpu = kernel('9c 48810c2400010000 9d 90 90 f4');
    cpu.interceptExceptions = 1 << 1;
    expect(cpu.run(100)).toBe(StopReason.Exception); // POPFQ set TF: the trap follows the first NOP
    expect(cpu.lastException).toMatchObject({ vector: 1, rip: 0x10000bn });
    expect(cpu.dr[6]! & 0x4000).toBe(0x4000);
    expect(cpu.instructionCount).toBe(4);
    // Delivered: the handler runs with TF cleared; the frame holds TF=1 and the next RIP.
    const cpu2 = kernel('9c 48810c2400010000 9d 90 90 f4');
    expect(cpu2.run(100)).toBe(StopReason.Hlt);
    expect(cpu2.rip).toBe(BigInt(HANDLER + 0x10 + 1));
    const rsp = Number(cpu2.getReg('rsp'));
    expect(q(cpu2, rsp)).toBe(0x10000bn);
    expect(q(cpu2, rsp + 16) & 0x100n).toBe(0x100n);
    expect(cpu2.rflags & 0x100n).toBe(0n);
  });

  it('DR0-DR3 instruction breakpoints: a #DB fault before the instruction; RF suppresses it once', () => {
    const cpu = kernel('90 90 90 f4');
    cpu.dr[0] = 0x100002;
    cpu.dr[7] = 0x401; // L0, execute
    cpu.attention();
    cpu.interceptExceptions = 1 << 1;
    expect(cpu.run(100)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 1, rip: 0x100002n });
    expect(cpu.dr[6]! & 0xf).toBe(1);
    cpu.rflags = cpu.rflags | 0x10000n; // as an IRETQ with RF=1 would
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.rflags & 0x10000n).toBe(0n);
  });

  it('privileged instructions raise #GP(0) outside CPL 0', () => {
    const cpu = machine('f4'); // hlt
    cpu.setCpl(3);
    cpu.interceptExceptions = 1 << 13;
    expect(cpu.run(5)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0, rip: 0x100000n });
  });
});
