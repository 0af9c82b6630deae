import { describe, expect, it } from 'vitest';
import { InterruptController, IsaIrqRouter, PENDING_INTR, PENDING_MCE, PENDING_NMI } from './interrupts';
import { GuestSim } from './testkit';

describe('InterruptController', () => {
  it('pending is 0 when idle: the CPU hot path tests one field', () => {
    const s = new GuestSim();
    expect(s.devices.ic.pending).toBe(0);
  });

  it('injectNmi goes straight to the CPU, whatever LINT1 says', () => {
    const s = new GuestSim();
    const ic = s.devices.ic;
    ic.injectNmi();
    expect(ic.pending & PENDING_NMI).toBe(PENDING_NMI);
    expect(ic.hasNmi).toBe(true);
    ic.injectNmi(); // NMIs do not queue
    ic.acknowledgeNmi();
    expect(ic.hasNmi).toBe(false);
    expect(ic.pending).toBe(0);
    expect(ic.stats.nmi).toBe(2);
  });

  it('injectMachineCheck raises #MC with MCA details for the CPU', () => {
    const ic = new InterruptController();
    ic.injectMachineCheck({ bank: 1, addr: 0x1234n });
    expect(ic.pending & PENDING_MCE).toBe(PENDING_MCE);
    const info = ic.acknowledgeMachineCheck();
    expect(info).toEqual({ bank: 1, status: 0xa200000000000000n, addr: 0x1234n, misc: 0n });
    expect(ic.hasMachineCheck).toBe(false);
  });

  it('injectExternal posts to the APIC (TPR, ISR and EOI apply)', () => {
    const s = new GuestSim();
    s.writel(0xfee000f0, 0x1ff);
    s.devices.ic.injectExternal(0x40);
    expect(s.devices.ic.pending & PENDING_INTR).toBe(PENDING_INTR);
    s.interruptsEnabled = false; // IF=0: the CPU leaves it pending
    s.service();
    expect(s.taken).toEqual([]);
    s.interruptsEnabled = true;
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x40]);
    expect(s.devices.lapic.snapshot().isr).toEqual([0x40]);
    s.devices.ic.eoi();
    expect(s.devices.lapic.snapshot().isr).toEqual([]);
  });

  it('injectExternal with the APIC globally disabled is supplied on INTA', () => {
    const s = new GuestSim();
    s.devices.lapic.apicBase = 0;
    s.devices.ic.injectExternal(0x99);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x99]);
  });

  it('ExtINT from the PIC is taken before APIC fixed vectors, as QEMU', () => {
    const s = new GuestSim();
    s.writel(0xfee000f0, 0x1ff);
    s.remapPic(0xfe, 0xff);
    s.devices.ic.injectExternal(0xf0);
    s.devices.irqs.set(0, true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x20, 0xf0]);
  });

  it('deterministic injection at instruction counts through the clock', () => {
    const s = new GuestSim();
    const ic = s.devices.ic;
    s.devices.clock.schedule(1_000, () => ic.injectNmi());
    s.devices.clock.schedule(2_500, () => ic.injectMachineCheck());
    s.devices.clock.schedule(2_000, () => ic.injectNmi());
    s.runUntil(10_000);
    expect(s.nmis).toEqual([1_000, 2_000]);
    expect(s.machineChecks).toEqual([2_500]);
  });

  it('routes ISA IRQ0 to I/O APIC pin 2 and other IRQs 1:1', () => {
    const seen: string[] = [];
    const sink = (name: string) => ({ setIrq: (n: number, l: boolean) => seen.push(`${name}${n}${l ? '+' : '-'}`) });
    const r = new IsaIrqRouter(sink('pic'), sink('io'));
    r.set(0, true);
    r.line(4)(false);
    expect(seen).toEqual(['pic0+', 'io2+', 'pic4-', 'io4-']);
  });
});
