// A stand-in for the CPU, for device tests and as a worked example of the CPU-side protocol
// (README.md, "What the CPU calls"). It has no instructions: `runUntil` moves guest time forward to
// each due device event (as a CPU sitting in HLT would), and at every stop takes pending NMIs and,
// with IF set, maskable interrupts, calling `onInterrupt` for each as the guest's handler.

import type { AccessSize } from './bus';
import { createDevices, type DeviceOptions, type Devices } from './index';

export interface TakenInterrupt {
  time: number;
  vector: number;
}

export class GuestSim {
  time = 0;
  /** RFLAGS.IF. */
  interruptsEnabled = true;
  readonly devices: Devices;
  readonly taken: TakenInterrupt[] = [];
  readonly nmis: number[] = [];
  readonly machineChecks: number[] = [];
  readonly inits: number[] = [];
  readonly output: number[] = [];
  /** The guest's interrupt handler (runs instantly, at the time the interrupt is taken). */
  onInterrupt: ((vector: number, sim: GuestSim) => void) | undefined;

  constructor(opts: Partial<DeviceOptions> = {}) {
    this.devices = createDevices({
      memoryBytes: 16 << 20,
      serialOutput: (b) => this.output.push(...b),
      ...opts,
      timeSource: () => this.time,
    });
  }

  outb(port: number, value: number): void {
    this.devices.bus.out(port, 1, value);
  }
  outw(port: number, value: number): void {
    this.devices.bus.out(port, 2, value);
  }
  outl(port: number, value: number): void {
    this.devices.bus.out(port, 4, value);
  }
  inb(port: number): number {
    return this.devices.bus.in(port, 1);
  }
  in(port: number, size: AccessSize): number {
    return this.devices.bus.in(port, size);
  }
  readl(addr: number): number {
    const v = this.devices.bus.readMmio(addr, 4);
    if (v === undefined) throw new Error(`no MMIO at 0x${addr.toString(16)}`);
    return v;
  }
  writel(addr: number, value: number): void {
    if (!this.devices.bus.writeMmio(addr, 4, value)) throw new Error(`no MMIO at 0x${addr.toString(16)}`);
  }

  /** Take whatever the interrupt controller has for the CPU now (what the CPU does at a boundary). */
  service(): void {
    const ic = this.devices.ic;
    for (let guard = 0; guard < 10_000 && ic.pending !== 0; guard++) {
      if (ic.hasMachineCheck) {
        ic.acknowledgeMachineCheck();
        this.machineChecks.push(this.time);
      } else if (ic.hasInit) {
        ic.acknowledgeInit();
        this.inits.push(this.time);
        this.devices.lapic.initReset();
      } else if (ic.hasNmi) {
        ic.acknowledgeNmi();
        this.nmis.push(this.time);
      } else if (this.interruptsEnabled && ic.hasInterrupt()) {
        const vector = ic.acknowledge();
        if (vector < 0) break;
        this.taken.push({ time: this.time, vector });
        this.onInterrupt?.(vector, this);
      } else {
        break;
      }
    }
  }

  /** Advance guest time to `t`, delivering device events and interrupts on the way. */
  runUntil(t: number): void {
    const clock = this.devices.clock;
    this.service();
    while (clock.nextEvent <= t) {
      this.time = Math.max(this.time, clock.nextEvent);
      clock.advance(this.time);
      this.service();
    }
    this.time = t;
    this.service();
  }

  /** Advance guest time by `dt`. */
  run(dt: number): void {
    this.runUntil(this.time + dt);
  }

  /** Linux-style 8259 remap to 0x20/0x28 with the given masks. */
  remapPic(masterMask = 0xff, slaveMask = 0xff): void {
    this.outb(0x20, 0x11);
    this.outb(0xa0, 0x11);
    this.outb(0x21, 0x20);
    this.outb(0xa1, 0x28);
    this.outb(0x21, 0x04);
    this.outb(0xa1, 0x02);
    this.outb(0x21, 0x01);
    this.outb(0xa1, 0x01);
    this.outb(0x21, masterMask);
    this.outb(0xa1, slaveMask);
  }

  /** Handler that EOIs the 8259s for vectors 0x20-0x2F (remapped). */
  static picEoi(vector: number, sim: GuestSim): void {
    if (vector >= 0x28 && vector < 0x30) sim.outb(0xa0, 0x20);
    if (vector >= 0x20 && vector < 0x30) sim.outb(0x20, 0x20);
  }
}
