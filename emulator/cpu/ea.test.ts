// Effective addresses with any register values: 64-bit wrap-around, exactness beyond 2^53.
import { describe, expect, it } from 'vitest';
import { StopReason } from './cpu';
import { machine } from './testutil';

describe('effective addresses', () => {
  it('wrap modulo 2^64 and stay exact whatever the registers hold', () => {
    // mov eax, [rbx+rcx*8+0x12345678]; lea rdx, [rbx+rcx*8+0x12345678]; hlt
    const code = '8b84cb78563412 488d94cb78563412 f4';
    let seed = 7;
    const rnd64 = (): bigint => {
      let v = 0n;
      for (let i = 0; i < 4; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        v = (v << 16n) | BigInt(seed >>> 16);
      }
      return v;
    };
    const target = 0x300010n;
    for (let i = 0; i < 200; i++) {
      const rcx = rnd64();
      const rbx = BigInt.asUintN(64, target - rcx * 8n - 0x12345678n);
      const cpu = machine(code);
      cpu.writePhys(target, new Uint8Array([0x78, 0x56, 0x34, 0x12]));
      cpu.setReg('rbx', rbx);
      cpu.setReg('rcx', rcx);
      expect(cpu.run(10), `rbx=${rbx.toString(16)} rcx=${rcx.toString(16)}`).toBe(StopReason.Hlt);
      expect(cpu.getReg('eax')).toBe(0x12345678n);
      expect(cpu.getReg('rdx')).toBe(target);
    }
  });
  it('a non-canonical sum faults with #GP(0)', () => {
    const cpu = machine('8b84cb78563412');
    cpu.setReg('rbx', 0x7fffffff0000n);
    cpu.setReg('rcx', 0x100000n);
    cpu.interceptExceptions = -1;
    expect(cpu.run(1)).toBe(StopReason.Exception);
    expect(cpu.lastException).toMatchObject({ vector: 13, errorCode: 0 });
  });
});
