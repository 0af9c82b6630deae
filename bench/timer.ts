// A kernel workload that takes a periodic local APIC timer interrupt: the integer workload of
// bench/guest/workload.c run on the PC machine (emulator/machine.ts) under a small kernel that
// loads an IDT, enables the local APIC and programs its timer in periodic mode (vector 0x20),
// then calls the workload with interrupts on and exits through isa-debug-exit when it returns.
// Each tick's handler counts and sends EOI. The same run without the timer is the baseline; the goal: with a 1 kHz timer (one tick per million instructions of guest
// time) within 20% of the baseline's MIPS.

import { assemble } from '../asm/assembler';
import { memoryHost } from '../asm/host';
import { createMachine, StopReason, type Machine } from '../emulator/machine';
import { LOAD_ADDR, MAILBOX_ADDR, MAILBOX_BYTES, MEMORY_BYTES, STACK_TOP, compareResults, mailboxBytes, parseMailbox } from './mailbox';
import { referenceResult } from './reference';
import { stopName } from './workload';

/** Where the little kernel lives: above the mailbox, below the workload. */
const KERNEL_ADDR = 0x90000;
const IDT_ADDR = 0x98000;
const TICKS_ADDR = 0x98ff0;
const TIMER_VECTOR = 0x20;
/** The kernel's entry, after the handler and its data. */
const ENTRY_OFFSET = 0x100;

/**
 * The kernel: IDT, local APIC timer (periodic, divide by 1, `period` ticks), STI, a call of the
 * workload's main function, exit through isa-debug-exit.
 */
function kernelSource(period: number, mainAddr: number): string {
  const timer = period > 0;
  return `bits 64
org ${KERNEL_ADDR}
timer_handler:                             ; at KERNEL_ADDR
    push rax
    inc qword [${TICKS_ADDR}]
    mov eax, 0xfee00000                    ; the local APIC (a disp32 would sign-extend)
    mov dword [rax + 0xb0], 0              ; EOI
    pop rax
    iretq
align 8
main_ptr: dq ${mainAddr}                  ; workload_main
idtr: dw 256 * 16 - 1
      dq ${IDT_ADDR}
times ${ENTRY_OFFSET} - ($ - $$) db 0xcc
start:                                     ; at KERNEL_ADDR + ENTRY_OFFSET
    lidt [idtr]
${timer ? `    mov eax, 0xfee00000                    ; the local APIC
    mov dword [rax + 0xf0], 0x1ff          ; SVR: APIC software-enabled, spurious vector 0xff
    mov dword [rax + 0x3e0], 0xb           ; divide configuration: by 1
    mov dword [rax + 0x320], 0x20000 | ${TIMER_VECTOR}  ; LVT timer: periodic
    mov dword [rax + 0x380], ${period}     ; initial count: starts the timer
    sti` : '    ; no timer: the baseline'}
    mov rsp, ${STACK_TOP}
    mov edi, ${MAILBOX_ADDR}
    call [main_ptr]                        ; workload_main(mailbox)
    cli
    mov al, 0
    out 0xf4, al                           ; isa-debug-exit: the run is over
`;
}

/**
 * workload_main's address: the guest's _start (bench/guest/start.S) is `mov edi, MAILBOX_ADDR`
 * (5 bytes), `and rsp, -16` (4), `call workload_main` (E8 rel32).
 */
function workloadMain(image: Uint8Array): number {
  if (image[0] !== 0xbf || image[9] !== 0xe8) throw new Error('bench kernel: the workload image does not start as bench/guest/start.S does');
  return LOAD_ADDR + 14 + new DataView(image.buffer, image.byteOffset).getInt32(10, true);
}

/** A 64-bit interrupt gate for `handler` (selector 0x08, DPL 0, no IST). */
function gate(handler: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, handler & 0xffff, true);
  v.setUint16(2, 0x08, true);
  v.setUint8(5, 0x8e);
  v.setUint16(6, (handler >>> 16) & 0xffff, true);
  v.setUint32(8, Math.floor(handler / 2 ** 32), true);
  return b;
}

export interface TimerRun {
  instructions: number;
  seconds: number;
  ticks: number;
  failure: string | null;
}

/** Boots the kernel with `period` instructions between ticks (0: no timer) and runs the workload. */
export function runTimerWorkload(image: Uint8Array, iters: readonly number[], period: number, maxInstructions = 5_000_000_000): TimerRun {
  const r = assemble({ path: 'timer-kernel.asm', text: kernelSource(period, workloadMain(image)) }, { format: 'bin', host: memoryHost({}) });
  if (!r.ok || !r.output) throw new Error(`bench kernel: ${r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  const handler = KERNEL_ADDR;
  const m: Machine = createMachine({ memoryBytes: MEMORY_BYTES, serialOutput: () => {} });
  const cpu = m.cpu;
  cpu.reset64();
  cpu.writePhys(BigInt(KERNEL_ADDR), r.output);
  const idt = new Uint8Array(256 * 16);
  idt.set(gate(handler), TIMER_VECTOR * 16);
  cpu.writePhys(BigInt(IDT_ADDR), idt);
  cpu.writePhys(BigInt(LOAD_ADDR), image);
  cpu.writePhys(BigInt(MAILBOX_ADDR), mailboxBytes(iters));
  cpu.rip = BigInt(KERNEL_ADDR + ENTRY_OFFSET);
  cpu.interceptExceptions = 0xffffffff;
  const start = cpu.instructionCount;
  let stop: StopReason = StopReason.Limit;
  const t0 = process.hrtime.bigint();
  while (stop === StopReason.Limit && cpu.instructionCount - start < maxInstructions) stop = m.run(1_000_000_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const instructions = cpu.instructionCount - start;
  const ticks = Number(new DataView(cpu.readPhys(BigInt(TICKS_ADDR), 8).buffer).getBigUint64(0, true));
  const result = parseMailbox(cpu.readPhys(BigInt(MAILBOX_ADDR), MAILBOX_BYTES));
  const want = StopReason.IoExit;
  let failure: string | null = null;
  if (stop !== want) failure = `stopped (${stopName(stop)}) at rip 0x${cpu.rip.toString(16)} after ${instructions} instructions`;
  else if (!result.done) failure = 'the workload did not finish';
  else {
    const notes = compareResults('emulator', result, referenceResult(iters), iters);
    if (notes.length > 0) failure = notes.join('; ');
  }
  return { instructions, seconds, ticks, failure };
}

export interface TimerBench {
  rows: { label: string; period: number; run: TimerRun }[];
}

/** Baseline, 1 kHz and 10 kHz (guest time: one instruction per ns), fastest of `repeat` runs each. */
export function runTimerBench(image: Uint8Array, iters: readonly number[], repeat: number): TimerBench {
  const configs = [
    { label: 'no timer', period: 0 },
    { label: 'APIC timer 1 kHz', period: 1_000_000 },
    { label: 'APIC timer 10 kHz', period: 100_000 },
  ];
  runTimerWorkload(image, iters, configs[1]!.period); // warm-up: the emulator's code and the JIT
  const rows = configs.map((c) => {
    let best: TimerRun | null = null;
    for (let i = 0; i < repeat; i++) {
      const run = runTimerWorkload(image, iters, c.period);
      if (run.failure) return { ...c, run };
      if (!best || run.seconds < best.seconds) best = run;
    }
    return { ...c, run: best! };
  });
  return { rows };
}

export function formatTimerBench(b: TimerBench): string[] {
  const out: string[] = [];
  out.push('kernel workload with a periodic local APIC timer (sieve + CRC-32 under a small kernel, PC machine):');
  out.push(`  ${'configuration'.padEnd(20)} ${'instructions'.padStart(14)} ${'ticks'.padStart(7)} ${'seconds'.padStart(8)} ${'MIPS'.padStart(7)} ${'vs none'.padStart(8)}`);
  const base = b.rows[0]!.run;
  const baseMips = base.failure ? NaN : base.instructions / base.seconds / 1e6;
  for (const { label, run } of b.rows) {
    if (run.failure) {
      out.push(`  ${label.padEnd(20)} WRONG: ${run.failure}`);
      continue;
    }
    const mips = run.instructions / run.seconds / 1e6;
    const rel = ((mips / baseMips - 1) * 100).toFixed(1);
    out.push(`  ${label.padEnd(20)} ${run.instructions.toLocaleString('en-US').padStart(14)} ${String(run.ticks).padStart(7)} ${run.seconds.toFixed(3).padStart(8)} ${mips.toFixed(1).padStart(7)} ${`${Number(rel) >= 0 ? '+' : ''}${rel}%`.padStart(8)}`);
  }
  const k1 = b.rows[1]!.run;
  if (!base.failure && !k1.failure) {
    const pct = (1 - k1.instructions / k1.seconds / 1e6 / baseMips) * 100;
    const how = pct >= 0 ? `${pct.toFixed(1)}% slower` : `${(-pct).toFixed(1)}% faster (noise)`;
    out.push(`goal: with the 1 kHz timer within 20% of no timer: ${how}, ${pct <= 20 ? 'met' : 'NOT met'}`);
  }
  return out;
}
