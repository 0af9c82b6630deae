// The PC's devices on one bus with the standard wiring: createDevices() is what the machine calls.
//
//   ISA IRQ n ──► 8259 input n ──► master INT ──► local APIC LINT0 (ExtINT) ──► CPU
//             └─► I/O APIC pin n (IRQ0 -> pin 2) ──► local APIC IRR ─────────────┘
//   PIT ch0 -> IRQ0, UART (COM1) -> IRQ4, RTC -> IRQ8.

import { IoBus, SIZES_ALL, SIZES_BYTE } from './bus';
import { Clock } from './clock';
import { CmosRtc } from './cmos';
import { DebugExit } from './debugexit';
import { FW_CFG_DMA_IO_BASE, FW_CFG_IO_BASE, FwCfg, type PhysicalMemory } from './fwcfg';
import { InterruptController, IsaIrqRouter } from './interrupts';
import { IOAPIC_DEFAULT_BASE, IoApic } from './ioapic';
import { LocalApic } from './lapic';
import { PicPair } from './pic8259';
import { Pit8254 } from './pit8254';
import { Port80 } from './port80';
import { Uart16550 } from './uart16550';

export { IoBus } from './bus';
export type { AccessSize, MmioDevice, MmioRegion, PortDevice } from './bus';
export { APIC_TIMER_HZ, Clock, GUEST_HZ, NS_PER_INSTRUCTION, PIT_HZ, TSC_HZ } from './clock';
export type { TimedDevice } from './clock';
export { InterruptController, PENDING_INIT, PENDING_INTR, PENDING_MCE, PENDING_NMI } from './interrupts';
export type { MachineCheckInfo } from './interrupts';
export { LocalApic, LAPIC_DEFAULT_BASE } from './lapic';
export type { LapicSnapshot } from './lapic';
export { IoApic } from './ioapic';
export { PicPair } from './pic8259';
export { Pit8254 } from './pit8254';
export { Uart16550 } from './uart16550';
export { CmosRtc } from './cmos';
export { DebugExit } from './debugexit';
export { Port80 } from './port80';
export { FwCfg } from './fwcfg';
export type { PhysicalMemory } from './fwcfg';

export interface DeviceOptions {
  /** Guest RAM size in bytes (fw_cfg RAM size, CMOS memory bytes, e820). */
  memoryBytes: number;
  /** Bytes the guest transmits on COM1. */
  serialOutput?: (bytes: Uint8Array) => void;
  /** Bytes the guest will receive on COM1 (e.g. the contents of --serial-in FILE). */
  serialInput?: Uint8Array | string;
  /** Returns the current guest time (the CPU's counter). Without it, use devices.clock.setTime(). */
  timeSource?: () => number;
  /** Called when the guest writes isa-debug-exit (the run loop should stop with IoExit). */
  onDebugExit?: (dev: DebugExit) => void;
  /** RTC start time, Unix seconds at guest time 0 (default 2025-01-01T00:00:00Z). */
  rtcEpochSeconds?: number;
  /** Guest physical memory for fw_cfg DMA; without it fw_cfg offers only the port interface. */
  physicalMemory?: PhysicalMemory;
  /**
   * Device state at start: 'none' (default) is the power-on state; 'seabios' is the state QEMU 7.2's
   * SeaBIOS leaves for a kernel (see applySeaBiosHandoff).
   */
  firmware?: 'none' | 'seabios';
}

export interface Devices {
  readonly clock: Clock;
  readonly bus: IoBus;
  readonly ic: InterruptController;
  readonly lapic: LocalApic;
  readonly ioapic: IoApic;
  readonly pic: PicPair;
  readonly irqs: IsaIrqRouter;
  readonly pit: Pit8254;
  readonly uart: Uart16550;
  readonly cmos: CmosRtc;
  readonly debugExit: DebugExit;
  readonly port80: Port80;
  readonly fwcfg: FwCfg;
  /** Same as clock.advance(now): deliver the device events due at guest time `now`. */
  advance(now: number): void;
  /** Power-on reset of every device (the clock's scheduled callbacks are kept). */
  reset(): void;
}

/**
 * Program the devices as SeaBIOS leaves them on QEMU 7.2 (`-kernel` multiboot boot, measured by a
 * probe kernel): 8259s at vectors 0x08/0x70 with IMR 0xB8/0x8E (IRQ0, 1, 2, 6, 8, 12, 13, 14
 * unmasked) and ELCR 0x00/0x0C, PIT channel 0 in mode 2 with count 65536 (18.2 Hz), local APIC
 * software-enabled (SVR 0x1FF) with LINT0 = ExtINT and LINT1 = NMI (both level, 0x8700/0x8400).
 * The I/O APIC, UART and RTC keep their reset values. A kernel that sets IF before remapping the
 * 8259 then sees IRQ0 as vector 8, as it would on QEMU.
 */
export function applySeaBiosHandoff(d: Devices): void {
  const out = (port: number, v: number) => d.bus.out(port, 1, v);
  for (const [port, v] of [
    [0x20, 0x11], [0xa0, 0x11], [0x21, 0x08], [0xa1, 0x70], [0x21, 0x04], [0xa1, 0x02],
    [0x21, 0x01], [0xa1, 0x01], [0x21, 0xb8], [0xa1, 0x8e], [0x4d0, 0x00], [0x4d1, 0x0c],
    [0x43, 0x34], [0x40, 0x00], [0x40, 0x00],
  ] as const)
    out(port, v);
  const base = d.lapic.apicBase - (d.lapic.apicBase % 0x1000);
  d.bus.writeMmio(base + 0xf0, 4, 0x1ff);
  d.bus.writeMmio(base + 0x350, 4, 0x8700);
  d.bus.writeMmio(base + 0x360, 4, 0x8400);
}

export function createDevices(opts: DeviceOptions): Devices {
  const clock = new Clock(opts.timeSource);
  const bus = new IoBus();
  const ic = new InterruptController();
  const ioapic = new IoApic(undefined);
  const lapic = new LocalApic({ ic, clock, bus, onLevelEoi: (v) => ioapic.eoi(v) });
  ioapic.target = lapic;
  bus.registerMmio(IOAPIC_DEFAULT_BASE, 0x1000, ioapic, 'I/O APIC');
  const pic = new PicPair();
  pic.onOutputChange = (level) => lapic.setLint0(level);
  ic.attach(lapic, pic);
  const irqs = new IsaIrqRouter(pic, ioapic);

  const pit = new Pit8254(clock, irqs.line(0));
  const uart = new Uart16550({ clock, irq: irqs.line(4), onOutput: opts.serialOutput });
  const cmos = new CmosRtc({ clock, irq: irqs.line(8), memoryBytes: opts.memoryBytes, epochSeconds: opts.rtcEpochSeconds });
  const debugExit = new DebugExit(0xf4, 4);
  debugExit.onExit = opts.onDebugExit;
  const port80 = new Port80();
  const fwcfg = new FwCfg({ memoryBytes: opts.memoryBytes, cpus: 1, memory: opts.physicalMemory });

  bus.registerPorts(0x20, 2, pic, '8259 master', SIZES_BYTE);
  bus.registerPorts(0xa0, 2, pic, '8259 slave', SIZES_BYTE);
  bus.registerPorts(0x4d0, 2, pic, '8259 ELCR', SIZES_BYTE);
  bus.registerPorts(0x40, 4, pit, '8254 PIT', SIZES_BYTE);
  bus.registerPorts(0x61, 1, pit, 'port 0x61', SIZES_BYTE);
  bus.registerPorts(0x70, 2, cmos, 'CMOS RTC', SIZES_BYTE);
  bus.registerPorts(0x80, 1, port80, 'port 0x80', SIZES_BYTE);
  bus.registerPorts(0xf4, 4, debugExit, 'isa-debug-exit', SIZES_ALL);
  bus.registerPorts(0x3f8, 8, uart, 'COM1', SIZES_BYTE);
  bus.registerPorts(FW_CFG_IO_BASE, 2, fwcfg, 'fw_cfg', SIZES_ALL);
  if (fwcfg.dmaEnabled) bus.registerPorts(FW_CFG_DMA_IO_BASE, 8, fwcfg, 'fw_cfg DMA', SIZES_ALL);

  if (opts.serialInput !== undefined) uart.enqueueInput(opts.serialInput);

  const devices: Devices = {
    clock,
    bus,
    ic,
    lapic,
    ioapic,
    pic,
    irqs,
    pit,
    uart,
    cmos,
    debugExit,
    port80,
    fwcfg,
    advance: (now: number) => clock.advance(now),
    reset() {
      pic.reset();
      ioapic.reset();
      lapic.reset(0);
      pit.reset();
      uart.reset();
      cmos.reset();
      debugExit.reset();
      port80.reset();
      fwcfg.reset();
      ic.acknowledgeNmi();
      ic.acknowledgeInit();
      ic.acknowledgeMachineCheck();
      if (opts.firmware === 'seabios') applySeaBiosHandoff(devices);
    },
  };
  if (opts.firmware === 'seabios') applySeaBiosHandoff(devices);
  return devices;
}
