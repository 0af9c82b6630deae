// The debugger's hooks into the run loop: code breakpoints cached as stops, and onStackSwitch.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason, setsStackPointer } from './cpu';
import { decode } from '../../isa/decoder';
import { hex, machine } from './testutil';

describe('code breakpoints', () => {
  it('stop before the instruction with the count unchanged; resuming executes it', () => {
    const cpu = machine('90 90 90 f4');
    cpu.breakpoints.add(0x100002);
    expect(cpu.run(100)).toBe(StopReason.Breakpoint);
    expect(cpu.rip).toBe(0x100002n);
    expect(cpu.instructionCount).toBe(2);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.instructionCount).toBe(4);
  });

  it('stop inside a loop every iteration, on code cached before the breakpoint was set', () => {
    // mov ecx, 3; l: dec ecx; jnz l; hlt  (DEC+JNZ is a fused pair)
    const cpu = machine('b9 03000000 ff c9 75 fc f4');
    expect(cpu.run(3)).toBe(StopReason.Limit); // MOV and one iteration: the fused pair is cached
    expect(cpu.rip).toBe(0x100005n);
    cpu.breakpoints.add(0x100007); // the JNZ: the second half of the pair
    const stops: number[] = [];
    let r: StopReason;
    while ((r = cpu.run(100)) === StopReason.Breakpoint) stops.push(Number(cpu.rip));
    expect(r).toBe(StopReason.Hlt);
    expect(stops).toEqual([0x100007, 0x100007]); // ECX = 1, then 0
    expect(cpu.regs[2]).toBe(0);
  });

  it('a removed breakpoint no longer stops; clear() removes all', () => {
    const cpu = machine('90 90 90 90 f4');
    cpu.breakpoints.add(0x100001);
    cpu.breakpoints.add(0x100003);
    expect(cpu.run(100)).toBe(StopReason.Breakpoint);
    cpu.breakpoints.delete(0x100003);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    cpu.rip = 0x100000n;
    cpu.breakpoints.clear();
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(cpu.breakpoints.size).toBe(0);
  });

  it('an instruction still cached as a stop runs once its address is no longer a breakpoint', () => {
    const cpu = machine('90 90 f4');
    cpu.breakpoints.add(0x100001);
    expect(cpu.run(100)).toBe(StopReason.Breakpoint);
    cpu.breakpoints.delete(0x100001);
    cpu.breakpoints.add(0x100000);
    cpu.rip = 0x100001n; // cached as a stop earlier, no longer a breakpoint
    expect(cpu.run(100)).toBe(StopReason.Hlt);
  });
});

describe('onStackSwitch', () => {
  const decodes = (h: string): boolean => setsStackPointer(decode(hex(h), 0, 15, 64));

  it('classifies explicit rSP writes', () => {
    expect(decodes('48 89 c4')).toBe(true); // mov rsp, rax
    expect(decodes('48 89 e0')).toBe(false); // mov rax, rsp
    expect(decodes('48 83 ec 10')).toBe(true); // sub rsp, 16
    expect(decodes('48 83 fc 10')).toBe(false); // cmp rsp, 16
    expect(decodes('48 8d 64 24 08')).toBe(true); // lea rsp, [rsp+8]
    expect(decodes('48 94')).toBe(true); // xchg rsp, rax
    expect(decodes('48 87 c4')).toBe(true); // xchg rsp, rax (ModRM)
    expect(decodes('5c')).toBe(true); // pop rsp
    expect(decodes('54')).toBe(false); // push rsp
    expect(decodes('58')).toBe(false); // pop rax
    expect(decodes('c9')).toBe(true); // leave
    expect(decodes('48 cf')).toBe(true); // iretq
    expect(decodes('48 cb')).toBe(true); // retfq
    expect(decodes('c3')).toBe(false); // ret
    expect(decodes('48 0f 44 e0')).toBe(true); // cmove rsp, rax
  });

  it('is called after the instruction with the old rSP, and after deliveries; not when null', () => {
    // mov rsp, 0x80000; push rax; sub rsp, 8; hlt
    const cpu = machine('48 c7 c4 00000800 50 48 83 ec 08 f4');
    cpu.setReg('rsp', 0x90000n);
    const seen: [number, number, number][] = [];
    cpu.onStackSwitch = (c: Cpu, old: number) => seen.push([c.opIp, old, c.rsp()]);
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(seen).toEqual([
      [0x100000, 0x90000, 0x80000],
      [0x100008, 0x7fff8, 0x7fff0],
    ]);
    // Cleared: the code is re-cached without the wrappers.
    cpu.onStackSwitch = null;
    seen.length = 0;
    cpu.rip = 0x100000n;
    expect(cpu.run(100)).toBe(StopReason.Hlt);
    expect(seen).toEqual([]);
  });

  it('is called after an exception delivery (the new stack)', () => {
    const cpu = machine('0f 0b'); // ud2
    cpu.idtBase = 0x3000;
    cpu.idtLimit = 0xfff;
    // gate 6 -> 0x5000 (HLT)
    cpu.writePhys(0x3060n, hex('00 50 08 00 00 8e 00 00 00000000 00000000'));
    cpu.writePhys(0x5000n, hex('f4'));
    cpu.setReg('rsp', 0x90008n);
    const seen: number[][] = [];
    cpu.onStackSwitch = (c: Cpu, old: number) => seen.push([old, c.rsp(), Number(c.rip)]);
    expect(cpu.run(10)).toBe(StopReason.Hlt);
    expect(seen).toEqual([[0x90008, 0x90000 - 40, 0x5000]]);
  });
});
