// A guest for the time-travel tests and bench (test helper, not part of the emulator): a 64-bit
// loop that scrambles a 256 KiB buffer with an LCG, copies 8 KiB with REP MOVSB every 4096
// iterations and prints a letter to COM1, while the local APIC timer interrupts it periodically
// and an NMI handler counts NMIs. Written as machine code so the emulator's tests need no assembler.

import { createMachine, type Machine } from '../machine';

export const GUEST_CODE = 0x100000;
export const GUEST_IDT = 0x3000;
export const TICKS = 0x180000;
export const NMIS = 0x180008;
export const TIMER_VECTOR = 0x40;
/** A vector for injected external interrupts: its handler (at GUEST_CODE + 0x300) counts them at IRQS. */
export const IRQ_VECTOR = 0x41;
export const IRQS = 0x180010;

function hex(s: string): number[] {
  return s.trim().split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16));
}

function le32(v: number): string {
  return [0, 8, 16, 24].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, '0')).join(' ');
}

/** mov eax, imm32 (zero-extended) ; mov dword [rax], imm32 */
function mmio(addr: number, value: number): string {
  return ` B8 ${le32(addr)} C7 00 ${le32(value)} `;
}

/** The program's bytes at GUEST_CODE; the timer, NMI and IRQ handlers at GUEST_CODE + 0x200 / 0x280 / 0x300. */
export function guestImage(timerCount: number): { code: number[]; timer: number[]; nmi: number[]; irq: number[] } {
  const pre = hex(
    mmio(0xfee000f0, 0x1ff) + // SVR: APIC on, spurious 0xFF
      mmio(0xfee003e0, 0x0b) + // divide by 1
      mmio(0xfee00320, 0x20000 | TIMER_VECTOR) + // LVT timer: periodic
      mmio(0xfee00380, timerCount) + // initial count
      ' FB' + // sti
      ' 4D 31 E4' + // xor r12, r12
      ' 49 BD 78 56 34 12 00 00 00 00' + // mov r13, 0x12345678
      ' 48 BA 2D 7F 95 4C 2D F4 51 58', // mov rdx, 0x5851F42D4C957F2D
  );
  const inner = hex(
    ' 4C 0F AF EA' + // loop: imul r13, rdx
      ' 49 83 C5 0B' + // add r13, 11
      ' 4C 89 E8' + // mov rax, r13
      ' 48 C1 E8 28' + // shr rax, 40
      ' 25 F8 FF 03 00' + // and eax, 0x3FFF8
      ' 4C 89 A8 00 00 20 00' + // mov [rax + 0x200000], r13
      ' 49 FF C4' + // inc r12
      ' 49 F7 C4 FF 0F 00 00' + // test r12, 0xFFF
      ' 75 00', // jnz loop
  );
  inner[inner.length - 1] = -inner.length & 0xff;
  const outer = hex(
    // every 4096 iterations: copy 8 KiB and print a letter
    ' 48 89 D3' + // mov rbx, rdx (keep the multiplier)
      ' 4C 89 E0' + // mov rax, r12
      ' 48 C1 E8 0C' + // shr rax, 12
      ' 83 E0 07' + // and eax, 7
      ' 48 C1 E0 0D' + // shl rax, 13
      ' 48 8D B8 00 00 24 00' + // lea rdi, [rax + 0x240000]
      ' 48 C7 C6 00 00 20 00' + // mov rsi, 0x200000
      ' 48 C7 C1 00 20 00 00' + // mov rcx, 0x2000
      ' F3 A4' + // rep movsb
      ' 66 BA F8 03' + // mov dx, 0x3F8
      ' 4C 89 E0' + // mov rax, r12
      ' 48 C1 E8 0C' + // shr rax, 12
      ' 83 E0 1F' + // and eax, 31
      ' 04 41' + // add al, 'A'
      ' EE' + // out dx, al
      ' 48 89 DA' + // mov rdx, rbx
      ' E9 00 00 00 00', // jmp loop
  );
  const rel = -(inner.length + outer.length);
  outer.splice(outer.length - 4, 4, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >> 24) & 0xff);
  const code = [...pre, ...inner, ...outer];
  // timer: push rax / inc qword [TICKS] / mov rax, 0xFEE000B0 / mov dword [rax], 0 / pop rax / iretq
  const timer = hex(`50 48 FF 04 25 ${le32(TICKS)} ${mmio(0xfee000b0, 0)} 58 48 CF`);
  // nmi: inc qword [NMIS] / iretq
  const nmi = hex(`48 FF 04 25 ${le32(NMIS)} 48 CF`);
  // irq: push rax / inc qword [IRQS] / EOI / pop rax / iretq
  const irq = hex(`50 48 FF 04 25 ${le32(IRQS)} ${mmio(0xfee000b0, 0)} 58 48 CF`);
  return { code, timer, nmi, irq };
}

function gate(m: Machine, vector: number, target: number): void {
  const g = new Uint8Array(16);
  const dv = new DataView(g.buffer);
  dv.setUint16(0, target & 0xffff, true);
  dv.setUint16(2, 0x08, true);
  dv.setUint16(4, 0x8e00, true);
  dv.setUint16(6, (target >>> 16) & 0xffff, true);
  m.cpu.writePhys(BigInt(GUEST_IDT + vector * 16), g);
}

/** A machine with the guest loaded at its first instruction. */
export function guestMachine(opts: { memoryBytes?: number; timerCount?: number; serial?: (b: Uint8Array) => void } = {}): Machine {
  const m = createMachine({ memoryBytes: opts.memoryBytes ?? 16 << 20, serialOutput: (b) => opts.serial?.(b) });
  m.cpu.reset64();
  const img = guestImage(opts.timerCount ?? 7919);
  m.cpu.writePhys(BigInt(GUEST_CODE), Uint8Array.from(img.code));
  m.cpu.writePhys(BigInt(GUEST_CODE + 0x200), Uint8Array.from(img.timer));
  m.cpu.writePhys(BigInt(GUEST_CODE + 0x280), Uint8Array.from(img.nmi));
  gate(m, TIMER_VECTOR, GUEST_CODE + 0x200);
  gate(m, 2, GUEST_CODE + 0x280);
  m.cpu.writePhys(BigInt(GUEST_CODE + 0x300), Uint8Array.from(img.irq));
  gate(m, IRQ_VECTOR, GUEST_CODE + 0x300);
  m.cpu.idtBase = GUEST_IDT;
  m.cpu.idtLimit = 0xfff;
  m.cpu.rip = BigInt(GUEST_CODE);
  return m;
}
