import { describe, expect, it } from 'vitest';
import { LAPIC_VERSION } from './lapic';
import { GuestSim } from './testkit';

const APIC = 0xfee00000;
const REG = {
  id: 0x20,
  version: 0x30,
  tpr: 0x80,
  ppr: 0xa0,
  eoi: 0xb0,
  ldr: 0xd0,
  dfr: 0xe0,
  svr: 0xf0,
  isr: 0x100,
  irr: 0x200,
  esr: 0x280,
  icrLow: 0x300,
  icrHigh: 0x310,
  lvtTimer: 0x320,
  lvtLint0: 0x350,
  lvtLint1: 0x360,
  lvtError: 0x370,
  initCount: 0x380,
  curCount: 0x390,
  divide: 0x3e0,
};

function enabled(): GuestSim {
  const s = new GuestSim();
  s.writel(APIC + REG.svr, 0x1ff);
  s.onInterrupt = (_v, sim) => sim.writel(APIC + REG.eoi, 0);
  return s;
}

describe('local APIC', () => {
  it('reset state matches QEMU: ID 0, version 0x50014, SVR 0xFF, LVTs masked, LINT0 ExtINT', () => {
    const s = new GuestSim();
    expect(s.readl(APIC + REG.id)).toBe(0);
    expect(s.readl(APIC + REG.version)).toBe(LAPIC_VERSION);
    expect(LAPIC_VERSION).toBe(0x00050014);
    expect(s.readl(APIC + REG.svr)).toBe(0xff);
    expect(s.readl(APIC + REG.lvtTimer)).toBe(0x10000);
    expect(s.readl(APIC + REG.lvtLint0)).toBe(0x700);
    expect(s.readl(APIC + REG.lvtLint1)).toBe(0x10000);
    expect(s.readl(APIC + REG.dfr)).toBe(0xffffffff);
    expect(s.devices.lapic.apicBase).toBe(0xfee00900);
    // Sub-dword accesses read 0 and are ignored on write, as QEMU.
    expect(s.devices.bus.readMmio(APIC + REG.version, 1)).toBe(0);
    // Offset bits 0-3 are not decoded (QEMU 7.2 reads the version at 0xFEE00034 too).
    expect(s.readl(APIC + REG.version + 4)).toBe(LAPIC_VERSION);
  });

  it('periodic timer: divide by 16, period (initial+1)*16 ns, current count reloads', () => {
    const s = enabled();
    s.time = 1000;
    s.writel(APIC + REG.divide, 0x3); // divide by 16
    s.writel(APIC + REG.lvtTimer, 0x20040); // periodic, vector 0x40
    s.writel(APIC + REG.initCount, 999);
    const period = 1000 * 16;
    expect(s.readl(APIC + REG.curCount)).toBe(999);
    s.time = 1000 + 16 * 10;
    expect(s.readl(APIC + REG.curCount)).toBe(989);
    s.runUntil(1000 + 3 * period);
    expect(s.taken).toEqual([1, 2, 3].map((k) => ({ time: 1000 + k * period, vector: 0x40 })));
    expect(s.readl(APIC + REG.curCount)).toBe(999);
    const snap = s.devices.lapic.snapshot();
    expect(snap.timer).toMatchObject({ mode: 'periodic', divisor: 16, initialCount: 999, nextExpiry: 1000 + 4 * period });
  });

  it('one-shot timer fires once; masking suppresses it; divide config 0b1011 is divide by 1', () => {
    const s = enabled();
    s.writel(APIC + REG.divide, 0xb);
    s.writel(APIC + REG.lvtTimer, 0x00041);
    s.writel(APIC + REG.initCount, 5000);
    s.runUntil(100_000);
    expect(s.taken).toEqual([{ time: 5001, vector: 0x41 }]);
    expect(s.readl(APIC + REG.curCount)).toBe(0);
    // Masked: the count runs down but nothing is delivered.
    s.writel(APIC + REG.lvtTimer, 0x10041);
    s.writel(APIC + REG.initCount, 100);
    s.runUntil(200_000);
    expect(s.taken.length).toBe(1);
    // Writing 0 to the initial count stops the timer.
    s.writel(APIC + REG.lvtTimer, 0x20041);
    s.writel(APIC + REG.initCount, 0);
    s.runUntil(300_000);
    expect(s.taken.length).toBe(1);
  });

  it('TPR/PPR gate fixed interrupts by priority class; EOI retires the highest ISR vector', () => {
    const s = enabled();
    s.onInterrupt = undefined;
    s.writel(APIC + REG.tpr, 0x40);
    s.devices.ic.injectExternal(0x35);
    s.devices.ic.injectExternal(0x55);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x55]);
    expect(s.readl(APIC + REG.ppr)).toBe(0x50);
    expect(s.readl(APIC + REG.irr + 0x10)).toBe(1 << (0x35 - 32)); // IRR bits 32-63
    expect(s.readl(APIC + REG.isr + 0x20)).toBe(1 << (0x55 - 64));
    // A vector of the same class as the one in service waits.
    s.devices.ic.injectExternal(0x52);
    s.service();
    expect(s.taken.length).toBe(1);
    s.writel(APIC + REG.eoi, 0);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x55, 0x52]);
    s.writel(APIC + REG.eoi, 0);
    expect(s.devices.ic.hasInterrupt()).toBe(false); // 0x35 still below TPR 0x40
    s.devices.lapic.cr8 = 0;
    expect(s.readl(APIC + REG.tpr)).toBe(0);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x55, 0x52, 0x35]);
    s.devices.lapic.cr8 = 0xf;
    expect(s.readl(APIC + REG.tpr)).toBe(0xf0);
    expect(s.devices.lapic.snapshot().isr).toEqual([0x35]);
  });

  it('software-disabled (SVR bit 8 clear) holds fixed interrupts in IRR', () => {
    const s = new GuestSim();
    s.devices.ic.injectExternal(0x60);
    expect(s.devices.ic.hasInterrupt()).toBe(false);
    s.writel(APIC + REG.svr, 0x1ff);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x60]);
  });

  it('ICR self-IPIs: fixed, NMI, and INIT; INIT level de-assert does nothing', () => {
    const s = enabled();
    s.writel(APIC + REG.icrLow, 0x00044050); // shorthand self, fixed, vector 0x50
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x50]);
    expect(s.readl(APIC + REG.icrLow) & 0x1000).toBe(0); // delivery status idle
    s.writel(APIC + REG.icrLow, 0x00044400); // self NMI
    expect(s.devices.ic.hasNmi).toBe(true);
    s.service();
    expect(s.nmis).toEqual([0]);
    s.writel(APIC + REG.icrLow, 0x00088500); // all-incl-self, INIT, level de-assert
    expect(s.devices.ic.hasInit).toBe(false);
    s.writel(APIC + REG.icrLow, 0x00044500); // self INIT
    expect(s.devices.ic.hasInit).toBe(true);
    s.service();
    expect(s.inits).toEqual([0]);
    expect(s.readl(APIC + REG.svr)).toBe(0xff); // INIT state
    expect(s.readl(APIC + REG.lvtLint0)).toBe(0x10000); // QEMU's apic_init_reset masks LINT0 too
  });

  it('ICR destinations: physical ID, broadcast, logical flat, all-excluding-self', () => {
    const s = enabled();
    s.writel(APIC + REG.icrHigh, 0x00000000);
    s.writel(APIC + REG.icrLow, 0x00004061); // physical dest 0 = us
    s.writel(APIC + REG.icrHigh, 0x01000000);
    s.writel(APIC + REG.icrLow, 0x00004062); // physical dest 1: nobody
    s.writel(APIC + REG.icrHigh, 0xff000000);
    s.writel(APIC + REG.icrLow, 0x00004063); // broadcast
    s.writel(APIC + REG.ldr, 0x04000000);
    s.writel(APIC + REG.icrHigh, 0x0c000000);
    s.writel(APIC + REG.icrLow, 0x00004864); // logical, flat: 0x0c & 0x04
    s.writel(APIC + REG.icrHigh, 0x03000000);
    s.writel(APIC + REG.icrLow, 0x00004865); // logical, no match
    s.writel(APIC + REG.icrLow, 0x000c4066); // all excluding self
    s.service();
    expect(s.taken.map((t) => t.vector).sort((a, b) => a - b)).toEqual([0x61, 0x63, 0x64]);
  });

  it('illegal vectors set ESR (latched by a write) and raise the error LVT', () => {
    const s = enabled();
    s.writel(APIC + REG.lvtError, 0xfe);
    s.writel(APIC + REG.icrLow, 0x00044005); // fixed vector 5: send illegal vector
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0xfe]);
    expect(s.readl(APIC + REG.esr)).toBe(0);
    s.writel(APIC + REG.esr, 0);
    expect(s.readl(APIC + REG.esr)).toBe(0x20);
    s.readl(APIC + 0x50); // reserved register: illegal register address
    s.writel(APIC + REG.esr, 0);
    expect(s.readl(APIC + REG.esr)).toBe(0x80);
    s.writel(APIC + REG.esr, 0);
    expect(s.readl(APIC + REG.esr)).toBe(0);
  });

  it('LINT1 as NMI (the PC NMI line), LINT0 as fixed', () => {
    const s = enabled();
    s.writel(APIC + REG.lvtLint1, 0x400);
    s.devices.lapic.setLint1(true);
    expect(s.devices.ic.hasNmi).toBe(true);
    s.devices.ic.acknowledgeNmi();
    s.devices.lapic.setLint1(true); // no new edge
    expect(s.devices.ic.hasNmi).toBe(false);
    s.writel(APIC + REG.lvtLint0, 0x00077);
    s.devices.lapic.setLint0(true);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x77]);
  });

  it('IA32_APIC_BASE: relocation moves the MMIO window; clearing EN disables it for good', () => {
    const s = new GuestSim();
    const lapic = s.devices.lapic;
    lapic.apicBase = 0xfed00000 | 0x800;
    expect(lapic.apicBase).toBe(0xfed00900); // BSP bit is read-only
    expect(s.devices.bus.findMmio(APIC)).toBeUndefined();
    expect(s.readl(0xfed00030)).toBe(LAPIC_VERSION);
    lapic.apicBase = 0xfee00000;
    expect(lapic.hardwareEnabled).toBe(false);
    expect(s.devices.bus.findMmio(0xfee00030)).toBeUndefined();
    lapic.apicBase = 0xfee00800;
    expect(lapic.hardwareEnabled).toBe(false); // as QEMU: stays disabled until reset
    s.devices.reset();
    expect(lapic.apicBase).toBe(0xfee00900);
    expect(s.readl(APIC + REG.version)).toBe(LAPIC_VERSION);
  });

  it('snapshot is plain data for the debugger', () => {
    const s = enabled();
    s.writel(APIC + REG.lvtTimer, 0x20030);
    s.writel(APIC + REG.initCount, 10);
    const snap = s.devices.lapic.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.lvt.timer).toMatchObject({ vector: 0x30, masked: false, periodic: true });
    expect(snap.lvt.lint0).toMatchObject({ deliveryMode: 7, masked: false });
    expect(snap.softwareEnabled).toBe(true);
  });

  it('is deterministic', () => {
    const once = () => {
      const s = enabled();
      s.writel(APIC + REG.divide, 0x1);
      s.writel(APIC + REG.lvtTimer, 0x20031);
      s.time = 77;
      s.writel(APIC + REG.initCount, 12345);
      s.runUntil(3_000_000);
      return s.taken;
    };
    const a = once();
    expect(a.length).toBe(Math.floor((3_000_000 - 77) / (12346 * 4)));
    expect(once()).toEqual(a);
  });
});
