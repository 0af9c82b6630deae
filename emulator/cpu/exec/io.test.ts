import { describe, expect, it } from 'vitest';
import { machine, runToHlt, hex, DATA } from '../testutil';
import { StopReason, type Cpu } from '../cpu';
import { lookup } from '../registry';

interface Access {
  dir: 'in' | 'out';
  port: number;
  size: number;
  value: number;
}

function withBus(cpu: Cpu, reads: number[] = []): Access[] {
  const log: Access[] = [];
  cpu.io = {
    in(port, size) {
      const value = reads.length ? reads.shift()! : 0x12345678 & [0, 0xff, 0xffff, 0, 0xffffffff][size]!;
      log.push({ dir: 'in', port, size, value });
      return value;
    },
    out(port, size, value) {
      log.push({ dir: 'out', port, size, value });
    },
  };
  return log;
}

describe('IN / OUT', () => {
  it('registers every form', () => {
    for (const id of ['In_al_imm8', 'In_ax_imm8', 'In_eax_imm8', 'In_al_dx', 'In_ax_dx', 'In_eax_dx', 'Out_imm8_al', 'Out_imm8_ax',
      'Out_imm8_eax', 'Out_dx_al', 'Out_dx_ax', 'Out_dx_eax', 'Insb', 'Insw', 'Insd', 'Outsb', 'Outsw', 'Outsd'])
      expect(lookup(id), id).toBeDefined();
  });

  it('reads into AL/AX/EAX (EAX zero-extends) from imm8 and DX ports', () => {
    // mov rax, -1 / in al, 0x80 / mov rbx, rax / mov rax, -1 / in ax, dx / mov rcx, rax / mov rax, -1 / in eax, dx / hlt
    const cpu = machine('48 C7 C0 FF FF FF FF E4 80 48 89 C3 48 C7 C0 FF FF FF FF 66 ED 48 89 C1 48 C7 C0 FF FF FF FF ED F4');
    cpu.setReg('rdx', 0x3f8n);
    const log = withBus(cpu, [0xab, 0xbeef, 0xdeadbeef]);
    expect(runToHlt(cpu)).toBe(StopReason.Hlt);
    expect(cpu.getReg('rbx')).toBe(0xffffffffffffffabn);
    expect(cpu.getReg('rcx')).toBe(0xffffffffffffbeefn);
    expect(cpu.getReg('rax')).toBe(0xdeadbeefn);
    expect(log.map((a) => [a.port, a.size])).toEqual([[0x80, 1], [0x3f8, 2], [0x3f8, 4]]);
  });

  it('writes AL/AX/EAX to imm8 and DX ports', () => {
    // out 0x80, al / out 0x81, ax / out 0x82, eax / out dx, al / out dx, ax / out dx, eax / hlt
    const cpu = machine('E6 80 66 E7 81 E7 82 EE 66 EF EF F4');
    cpu.setReg('rax', 0x1122334455667788n);
    cpu.setReg('rdx', 0xffff0cf8n);
    const log = withBus(cpu);
    runToHlt(cpu);
    expect(log).toEqual([
      { dir: 'out', port: 0x80, size: 1, value: 0x88 },
      { dir: 'out', port: 0x81, size: 2, value: 0x7788 },
      { dir: 'out', port: 0x82, size: 4, value: 0x55667788 },
      { dir: 'out', port: 0xcf8, size: 1, value: 0x88 },
      { dir: 'out', port: 0xcf8, size: 2, value: 0x7788 },
      { dir: 'out', port: 0xcf8, size: 4, value: 0x55667788 },
    ]);
  });

  it('without a bus, IN reads all ones', () => {
    const cpu = machine('E5 80 F4');
    runToHlt(cpu);
    expect(cpu.getReg('rax')).toBe(0xffffffffn);
  });
});

describe('INS / OUTS', () => {
  it('REP OUTSB sends the bytes at RSI in order and steps RSI, RCX', () => {
    const cpu = machine('F3 6E F4');
    cpu.writePhys(DATA, hex('68 69 0A'));
    cpu.setReg('rsi', DATA);
    cpu.setReg('rcx', 3n);
    cpu.setReg('rdx', 0x3f8n);
    const log = withBus(cpu);
    runToHlt(cpu);
    expect(log.map((a) => a.value)).toEqual([0x68, 0x69, 0x0a]);
    expect(cpu.getReg('rsi')).toBe(DATA + 3n);
    expect(cpu.getReg('rcx')).toBe(0n);
  });

  it('REP INSW with DF=1 stores downwards at ES:RDI', () => {
    // std / rep insw / hlt
    const cpu = machine('FD F3 66 6D F4');
    cpu.setReg('rdi', DATA + 4n);
    cpu.setReg('rcx', 3n);
    cpu.setReg('rdx', 0x1f0n);
    withBus(cpu, [0x1111, 0x2222, 0x3333]);
    runToHlt(cpu);
    expect([...cpu.readPhys(DATA, 6)]).toEqual([0x33, 0x33, 0x22, 0x22, 0x11, 0x11]);
    expect(cpu.getReg('rdi')).toBe(DATA - 2n);
  });

  it('OUTSD and INSD without REP; 67 prefix uses ESI/ECX', () => {
    const cpu = machine('6F 67 F3 6E F4');
    cpu.writePhys(DATA, hex('01 02 03 04 05 06'));
    cpu.setReg('rsi', DATA);
    cpu.setReg('rcx', 0x100000002n);
    const log = withBus(cpu);
    runToHlt(cpu);
    expect(log.map((a) => [a.size, a.value])).toEqual([[4, 0x04030201], [1, 5], [1, 6]]);
    expect(cpu.getReg('rcx')).toBe(0n); // ECX written zero-extended
    expect(cpu.getReg('rsi')).toBe(DATA + 6n);
  });

  it('INSB to an unmapped page faults before reading the port (#PF, RDI unchanged)', () => {
    const cpu = machine('6C F4');
    cpu.setReg('rdi', 0x100000000000n);
    const log = withBus(cpu);
    cpu.interceptExceptions = 1 << 14;
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException!.vector).toBe(14);
    expect(log).toEqual([]);
    expect(cpu.getReg('rdi')).toBe(0x100000000000n);
  });
});

describe('I/O permission', () => {
  function user(code: string): Cpu {
    const cpu = machine(code);
    cpu.setCpl(3);
    cpu.interceptExceptions = 1 << 13;
    return cpu;
  }

  it('CPL 3 with IOPL 0: #GP(0) when the TSS has no bitmap for the port', () => {
    const cpu = user('EE F4');
    cpu.setReg('rdx', 0x3f8n);
    const log = withBus(cpu);
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0 });
    expect(log).toEqual([]);
  });

  it('CPL 3 with IOPL 3 may use any port', () => {
    const cpu = user('EE F4');
    cpu.rflags = 0x3002n;
    cpu.setReg('rdx', 0x3f8n);
    const log = withBus(cpu);
    // OUT goes through; the HLT after it is privileged (#GP at CPL 3)
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(log).toHaveLength(1);
    expect(cpu.lastException!.rip).toBe(0x100001n);
  });

  it('the TSS I/O bitmap allows or refuses each port of the access', () => {
    const tss = 0x50000;
    const cpu = user('EE 66 EF F4');
    cpu.trBase = tss;
    cpu.trLimit = 0x68 + 8192;
    cpu.writePhys(BigInt(tss + 0x66), hex('68 00'));
    cpu.writePhys(BigInt(tss + 0x68 + (0x3f9 >> 3)), hex('02')); // port 0x3f9 refused
    cpu.setReg('rdx', 0x3f8n);
    const log = withBus(cpu);
    expect(cpu.run(10)).toBe(StopReason.Exception);
    expect(log.map((a) => a.size)).toEqual([1]); // the byte to 0x3f8 went, the word (0x3f8-9) did not
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0, rip: 0x100001n });
  });
});
