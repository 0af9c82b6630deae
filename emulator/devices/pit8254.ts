// 8254 PIT at 0x40-0x43 (channel 0 -> IRQ0, channel 2 -> speaker / port 0x61), plus port 0x61
// ("system control port B": channel 2 gate, speaker enable, refresh toggle, OUT2).
//
// The PIT input clock is PIT_HZ (1.193182 MHz) in guest time: tick k after a count is loaded
// happens at load + ceil(k * 1e9 / 1193182) guest ns. Like QEMU: a counter runs from the moment
// its count is written (a control word alone does not stop it), BCD is stored but counting is
// binary, and the power-on state is every channel in mode 3 with count 65536, channel 0 running
// (IRQ0 at ~18.2 Hz from reset), channel 2's gate low.

import type { AccessSize, PortDevice } from './bus';
import { type Clock, type TimedDevice, pitTicksToTime, timeToPitTicks } from './clock';
import type { IrqLine } from './interrupts';

const RW_LATCH = 0;
const RW_LSB = 1;
const RW_MSB = 2;
const RW_WORD = 3;

export class PitChannel {
  mode = 3;
  bcd = false;
  /** Access mode from the control word; 0 (QEMU's reset value) behaves as LSB only. */
  rwMode = RW_LATCH;
  /** Next byte read/written is the MSB (word access). */
  readMsb = false;
  writeMsb = false;
  writeLatch = 0;
  /** Latched count bytes still to be read: 0 none, RW_LSB/RW_MSB/RW_WORD as the access mode. */
  countLatched = 0;
  latchedCount = 0;
  statusLatched = false;
  status = 0;
  /** Count in use, 1..0x10000. */
  count = 0x10000;
  loadTime = 0;
  gate = true;
  nullCount = false;

  /** Ticks since the count was loaded. */
  ticks(now: number): number {
    return timeToPitTicks(Math.max(0, now - this.loadTime));
  }

  counter(now: number): number {
    const d = this.ticks(now);
    const n = this.count;
    switch (this.mode) {
      case 2:
        return n - (d % n);
      case 3:
        return (n - ((2 * d) % n)) & 0xffff;
      default:
        return (n - d) & 0xffff;
    }
  }

  out(now: number): boolean {
    const d = this.ticks(now);
    const n = this.count;
    switch (this.mode) {
      case 0:
      case 1:
        return d >= n;
      case 2:
        return n === 1 || d % n !== n - 1;
      case 3:
        return d % n < (n + 1) >>> 1;
      default: // 4, 5: low for the one tick at terminal count
        return d !== n;
    }
  }

  /** Tick number (from load) of the first OUT rising edge after `now`, or -1. */
  nextRisingTick(now: number): number {
    const d = this.ticks(now);
    const n = this.count;
    switch (this.mode) {
      case 0:
      case 1:
        return d < n ? n : -1;
      case 2:
      case 3:
        return (Math.floor(d / n) + 1) * n;
      default:
        return d < n + 1 ? n + 1 : -1;
    }
  }
}

export interface PitSnapshot {
  channels: {
    mode: number;
    bcd: boolean;
    count: number;
    counter: number;
    out: boolean;
    gate: boolean;
    loadTime: number;
  }[];
  nextIrq0: number | null;
  irq0Count: number;
  speakerDataOn: boolean;
}

export class Pit8254 implements PortDevice, TimedDevice {
  readonly channels = [new PitChannel(), new PitChannel(), new PitChannel()];
  private nextIrq = Infinity;
  irq0Count = 0;
  speakerDataOn = false;
  private refreshToggle = 0;

  constructor(
    private readonly clock: Clock,
    private readonly irq0: IrqLine,
  ) {
    this.reset();
    clock.add(this);
  }

  reset(): void {
    const now = this.clock.now();
    this.channels.forEach((c, i) => {
      c.mode = 3;
      c.bcd = false;
      c.rwMode = RW_LATCH; // as QEMU: status reads show access 0, which acts as LSB-only
      c.readMsb = c.writeMsb = false;
      c.countLatched = 0;
      c.statusLatched = false;
      c.count = 0x10000;
      c.loadTime = now;
      c.gate = i !== 2;
      c.nullCount = false;
    });
    this.speakerDataOn = false;
    this.schedule(now);
  }

  private schedule(now: number): void {
    const c = this.channels[0]!;
    const k = c.nextRisingTick(now);
    this.nextIrq = k < 0 ? Infinity : c.loadTime + pitTicksToTime(k);
    this.clock.reschedule();
  }

  nextEventAt(): number {
    return this.nextIrq;
  }

  advance(now: number): void {
    if (now < this.nextIrq) return;
    this.irq0Count++;
    this.irq0(true);
    this.irq0(false);
    this.schedule(Math.max(now, this.nextIrq));
  }

  private loadCount(ch: number, value: number): void {
    const c = this.channels[ch]!;
    c.count = value === 0 ? 0x10000 : value;
    c.loadTime = this.clock.now();
    c.nullCount = false;
    if (ch === 0) this.schedule(c.loadTime);
  }

  private latchCount(c: PitChannel, now: number): void {
    if (c.countLatched) return;
    c.latchedCount = c.counter(now);
    c.countLatched = c.rwMode || RW_LSB;
  }

  private writeControl(value: number): void {
    const now = this.clock.now();
    const sel = value >> 6;
    if (sel === 3) {
      // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 select.
      for (let i = 0; i < 3; i++) {
        if ((value & (2 << i)) === 0) continue;
        const c = this.channels[i]!;
        if ((value & 0x20) === 0) this.latchCount(c, now);
        if ((value & 0x10) === 0 && !c.statusLatched) {
          c.status =
            (c.out(now) ? 0x80 : 0) | (c.nullCount ? 0x40 : 0) | (c.rwMode << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
          c.statusLatched = true;
        }
      }
      return;
    }
    const c = this.channels[sel]!;
    const access = (value >> 4) & 3;
    if (access === RW_LATCH) {
      this.latchCount(c, now);
      return;
    }
    c.rwMode = access;
    c.readMsb = c.writeMsb = false;
    let mode = (value >> 1) & 7;
    if (mode >= 6) mode -= 4;
    c.mode = mode;
    c.bcd = (value & 1) !== 0;
    c.nullCount = true;
    if (sel === 0) this.schedule(now);
  }

  private readChannel(ch: number): number {
    const c = this.channels[ch]!;
    if (c.statusLatched) {
      c.statusLatched = false;
      return c.status;
    }
    if (c.countLatched) {
      switch (c.countLatched) {
        case RW_LSB:
          c.countLatched = 0;
          return c.latchedCount & 0xff;
        case RW_MSB:
          c.countLatched = 0;
          return (c.latchedCount >> 8) & 0xff;
        default:
          c.countLatched = RW_MSB;
          return c.latchedCount & 0xff;
      }
    }
    const count = c.counter(this.clock.now());
    switch (c.rwMode) {
      case RW_MSB:
        return (count >> 8) & 0xff;
      case RW_WORD: {
        const msb = c.readMsb;
        c.readMsb = !msb;
        return msb ? (count >> 8) & 0xff : count & 0xff;
      }
      default:
        return count & 0xff;
    }
  }

  private writeChannel(ch: number, value: number): void {
    const c = this.channels[ch]!;
    switch (c.rwMode) {
      case RW_MSB:
        this.loadCount(ch, value << 8);
        break;
      case RW_WORD:
        if (!c.writeMsb) {
          c.writeLatch = value;
          c.writeMsb = true;
        } else {
          c.writeMsb = false;
          this.loadCount(ch, c.writeLatch | (value << 8));
        }
        break;
      default:
        this.loadCount(ch, value);
    }
  }

  /** Channel 2 gate (port 0x61 bit 0). Rising edge restarts modes 1, 2, 3, 5 (as QEMU). */
  setGate2(level: boolean): void {
    const c = this.channels[2]!;
    if (level && !c.gate && c.mode !== 0 && c.mode !== 4) c.loadTime = this.clock.now();
    c.gate = level;
  }

  portRead(port: number, _size: AccessSize): number {
    if (port === 0x61) {
      const now = this.clock.now();
      const c2 = this.channels[2]!;
      this.refreshToggle ^= 0x10;
      return (c2.gate ? 1 : 0) | (this.speakerDataOn ? 2 : 0) | this.refreshToggle | (c2.out(now) ? 0x20 : 0);
    }
    const ch = port - 0x40;
    if (ch === 3) return 0; // the control word register is write-only (QEMU reads 0)
    return this.readChannel(ch);
  }

  portWrite(port: number, _size: AccessSize, value: number): void {
    value &= 0xff;
    if (port === 0x61) {
      this.setGate2((value & 1) !== 0);
      this.speakerDataOn = (value & 2) !== 0;
      return;
    }
    const ch = port - 0x40;
    if (ch === 3) this.writeControl(value);
    else this.writeChannel(ch, value);
  }

  snapshot(now = this.clock.now()): PitSnapshot {
    return {
      channels: this.channels.map((c) => ({
        mode: c.mode,
        bcd: c.bcd,
        count: c.count,
        counter: c.counter(now),
        out: c.out(now),
        gate: c.gate,
        loadTime: c.loadTime,
      })),
      nextIrq0: this.nextIrq === Infinity ? null : this.nextIrq,
      irq0Count: this.irq0Count,
      speakerDataOn: this.speakerDataOn,
    };
  }
}
