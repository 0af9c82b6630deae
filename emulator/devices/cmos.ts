// CMOS RTC (MC146818) at ports 0x70 (index, bit 7 = NMI disable) / 0x71 (data), IRQ8.
//
// The clock reads a fixed start time (`epochSeconds`, Unix seconds at guest time 0) advanced by
// guest time: second boundaries fall at multiples of GUEST_HZ. Time registers are computed when
// read, in BCD or binary and 12/24-hour form per register B; the guest can set the time (with SET
// or while running). UIP (register A bit 7) is set for the last 244 us before each update, as QEMU.
// Interrupts: periodic (rate from register A, aligned to guest time 0), alarm (with 0xC0-0xFF
// "don't care"), update-ended; flags in register C, which a read clears (lowering IRQ8).
// The other CMOS bytes hold what QEMU's PC puts there: memory sizes (0x15-0x18, 0x30/0x31,
// 0x34/0x35, 0x5B-0x5D), CPU count - 1 (0x5F), equipment byte (0x14), century (0x32).

import type { AccessSize, PortDevice } from './bus';
import { type Clock, GUEST_HZ, type TimedDevice } from './clock';
import type { IrqLine } from './interrupts';

const REG_A = 0x0a;
const REG_B = 0x0b;
const REG_C = 0x0c;
const REG_D = 0x0d;
const CENTURY = 0x32;

const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_DM_BINARY = 0x04;
const B_24H = 0x02;

const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;

/** UIP is set this long before each update (8 cycles of the 32.768 kHz clock), as in QEMU. */
export const UIP_HOLD_NS = Math.floor((8 * GUEST_HZ) / 32768);
/** Default start time: 2025-01-01 00:00:00 UTC. */
export const DEFAULT_EPOCH_SECONDS = 1735689600;

// ---- civil date arithmetic (proleptic Gregorian, days since 1970-01-01) ----

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

interface BrokenTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function breakDown(t: number): BrokenTime {
  const days = Math.floor(t / 86400);
  let s = t - days * 86400;
  const hour = Math.floor(s / 3600);
  s -= hour * 3600;
  const minute = Math.floor(s / 60);
  return { ...civilFromDays(days), hour, minute, second: s - minute * 60 };
}

function compose(b: BrokenTime): number {
  return daysFromCivil(b.year, b.month, b.day) * 86400 + b.hour * 3600 + b.minute * 60 + b.second;
}

const toBcd = (v: number): number => ((Math.floor(v / 10) % 10) << 4) | v % 10;
const fromBcd = (v: number): number => (v >> 4) * 10 + (v & 0x0f);

export interface CmosOptions {
  clock: Clock;
  irq?: IrqLine;
  /** RAM size in bytes (for the memory-size bytes). */
  memoryBytes?: number;
  cpus?: number;
  /** Unix seconds shown at guest time 0. */
  epochSeconds?: number;
}

export class CmosRtc implements PortDevice, TimedDevice {
  readonly ram = new Uint8Array(128);
  index = 0;
  /** Port 0x70 bit 7 as last written (stored; the NMI line is not gated, as in QEMU). */
  nmiDisabled = false;
  /** Seconds added to epoch + elapsed guest seconds (changed when the guest sets the time). */
  private offset = 0;
  /** Time while stopped (SET or divider not running), or null when running. */
  private frozen: number | null = null;
  private dowAdjust = 0;
  private nextPeriodic = Infinity;
  private nextUpdate = Infinity;
  private irqLevel = false;
  readonly epochSeconds: number;
  private readonly clock: Clock;
  private readonly irq: IrqLine | undefined;

  constructor(opts: CmosOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.epochSeconds = opts.epochSeconds ?? DEFAULT_EPOCH_SECONDS;
    this.setMemoryLayout(opts.memoryBytes ?? 0, opts.cpus ?? 1);
    this.reset();
    this.clock.add(this);
  }

  reset(): void {
    this.ram[REG_A] = 0x26;
    this.ram[REG_B] = B_24H;
    this.ram[REG_C] = 0;
    this.ram[REG_D] = 0x80;
    this.index = 0;
    this.nmiDisabled = false;
    this.offset = 0;
    this.frozen = null;
    this.dowAdjust = 0;
    this.setIrq(false);
    this.reschedule(this.clock.now());
  }

  /** Fill the memory-size bytes as QEMU's PC does. */
  setMemoryLayout(memoryBytes: number, cpus: number): void {
    const below4g = memoryBytes >= 0xe0000000 ? 0xc0000000 : memoryBytes;
    const above4g = memoryBytes - below4g;
    const set16 = (i: number, v: number) => {
      this.ram[i] = v & 0xff;
      this.ram[i + 1] = (v >> 8) & 0xff;
    };
    set16(0x15, Math.min(Math.floor(below4g / 1024), 640));
    const ext = Math.min(below4g > 0x100000 ? Math.floor((below4g - 0x100000) / 1024) : 0, 65535);
    set16(0x17, ext);
    set16(0x30, ext);
    set16(0x34, Math.min(below4g > 0x1000000 ? Math.floor((below4g - 0x1000000) / 65536) : 0, 65535));
    const hi = Math.floor(above4g / 65536);
    this.ram[0x5b] = hi & 0xff;
    this.ram[0x5c] = (hi >> 8) & 0xff;
    this.ram[0x5d] = (hi >> 16) & 0xff;
    this.ram[0x5f] = (cpus - 1) & 0xff;
    this.ram[0x14] = 0x06; // FPU present, PS/2 mouse; no floppy drives
  }

  private running(): boolean {
    return (this.ram[REG_A]! & 0x70) === 0x20 && (this.ram[REG_B]! & B_SET) === 0;
  }

  /** Current RTC time in Unix seconds. */
  seconds(now = this.clock.now()): number {
    if (this.frozen !== null) return this.frozen;
    return this.epochSeconds + this.offset + Math.floor(now / GUEST_HZ);
  }

  private setSeconds(t: number, now: number): void {
    if (this.frozen !== null) this.frozen = t;
    else this.offset = t - this.epochSeconds - Math.floor(now / GUEST_HZ);
  }

  private freezeOrThaw(now: number): void {
    if (!this.running()) {
      if (this.frozen === null) this.frozen = this.seconds(now);
    } else if (this.frozen !== null) {
      const t = this.frozen;
      this.frozen = null;
      this.setSeconds(t, now);
    }
    this.reschedule(now);
  }

  private encode(v: number): number {
    return this.ram[REG_B]! & B_DM_BINARY ? v : toBcd(v);
  }

  private decode(v: number): number {
    return this.ram[REG_B]! & B_DM_BINARY ? v : fromBcd(v & 0x7f);
  }

  private encodeHour(h: number): number {
    if (this.ram[REG_B]! & B_24H) return this.encode(h);
    const pm = h >= 12;
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.encode(h12) | (pm ? 0x80 : 0);
  }

  private decodeHour(v: number): number {
    if (this.ram[REG_B]! & B_24H) return this.decode(v);
    const h12 = this.decode(v & 0x7f) % 12;
    return v & 0x80 ? h12 + 12 : h12;
  }

  /** Value of time register `i` at `now`. */
  private timeRegister(i: number, now: number): number {
    const t = this.seconds(now);
    const b = breakDown(t);
    switch (i) {
      case 0x00:
        return this.encode(b.second);
      case 0x02:
        return this.encode(b.minute);
      case 0x04:
        return this.encodeHour(b.hour);
      case 0x06: {
        const dow = (((Math.floor(t / 86400) + 4 + this.dowAdjust) % 7) + 7) % 7; // 1970-01-01 was a Thursday
        return this.encode(dow + 1);
      }
      case 0x07:
        return this.encode(b.day);
      case 0x08:
        return this.encode(b.month);
      case 0x09:
        return this.encode(b.year % 100);
      default: // CENTURY
        return this.encode(Math.floor(b.year / 100));
    }
  }

  private writeTimeRegister(i: number, value: number, now: number): void {
    const t = this.seconds(now);
    const b = breakDown(t);
    switch (i) {
      case 0x00:
        b.second = this.decode(value) % 60;
        break;
      case 0x02:
        b.minute = this.decode(value) % 60;
        break;
      case 0x04:
        b.hour = this.decodeHour(value) % 24;
        break;
      case 0x06: {
        const computed = ((Math.floor(t / 86400) + 4) % 7 + 7) % 7;
        this.dowAdjust = (((this.decode(value) - 1 - computed) % 7) + 7) % 7;
        return;
      }
      case 0x07:
        b.day = Math.max(1, this.decode(value));
        break;
      case 0x08:
        b.month = Math.min(12, Math.max(1, this.decode(value)));
        break;
      case 0x09:
        b.year = Math.floor(b.year / 100) * 100 + (this.decode(value) % 100);
        break;
      default:
        b.year = this.decode(value) * 100 + (b.year % 100);
    }
    this.setSeconds(compose(b), now);
    this.reschedule(now);
  }

  private isTimeRegister(i: number): boolean {
    return i === 0 || i === 2 || i === 4 || (i >= 6 && i <= 9) || i === CENTURY;
  }

  private uip(now: number): boolean {
    if (!this.running()) return false;
    return now % GUEST_HZ >= GUEST_HZ - UIP_HOLD_NS;
  }

  /** Periodic interrupt period in guest ns (exact, possibly fractional), or 0 if off. */
  periodNs(): number {
    let rate = this.ram[REG_A]! & 0x0f;
    if (rate === 0 || (this.ram[REG_A]! & 0x70) !== 0x20) return 0;
    if (rate <= 2) rate += 7;
    return (GUEST_HZ * 2 ** (rate - 1)) / 32768;
  }

  private reschedule(now: number): void {
    const p = this.periodNs();
    if (p > 0) {
      const k = Math.floor(now / p) + 1;
      this.nextPeriodic = Math.ceil(k * p);
      if (this.nextPeriodic <= now) this.nextPeriodic = Math.ceil((k + 1) * p);
    } else {
      this.nextPeriodic = Infinity;
    }
    this.nextUpdate = this.running() ? (Math.floor(now / GUEST_HZ) + 1) * GUEST_HZ : Infinity;
    this.clock.reschedule();
  }

  nextEventAt(): number {
    return this.nextPeriodic < this.nextUpdate ? this.nextPeriodic : this.nextUpdate;
  }

  advance(now: number): void {
    let flags = 0;
    if (now >= this.nextPeriodic) flags |= C_PF;
    if (now >= this.nextUpdate) {
      flags |= C_UF;
      if (this.alarmMatches(now)) flags |= C_AF;
    }
    if (flags) this.raiseFlags(flags);
    this.reschedule(now);
  }

  private alarmMatches(now: number): boolean {
    const pairs: [number, number][] = [
      [0x01, 0x00],
      [0x03, 0x02],
      [0x05, 0x04],
    ];
    for (const [alarm, reg] of pairs) {
      const a = this.ram[alarm]!;
      if ((a & 0xc0) === 0xc0) continue;
      if (a !== this.timeRegister(reg, now)) return false;
    }
    return true;
  }

  private raiseFlags(flags: number): void {
    let c = this.ram[REG_C]! | flags;
    const b = this.ram[REG_B]!;
    if ((b & B_PIE && c & C_PF) || (b & B_AIE && c & C_AF) || (b & B_UIE && c & C_UF)) c |= C_IRQF;
    this.ram[REG_C] = c;
    if (c & C_IRQF) this.setIrq(true);
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq?.(level);
  }

  /** Read CMOS byte `i` (as the guest would, with side effects for register C). */
  readRegister(i: number, now = this.clock.now()): number {
    if (this.isTimeRegister(i)) return this.timeRegister(i, now);
    switch (i) {
      case REG_A:
        return (this.ram[REG_A]! & 0x7f) | (this.uip(now) ? 0x80 : 0);
      case REG_C: {
        const v = this.ram[REG_C]!;
        this.ram[REG_C] = 0;
        this.setIrq(false);
        return v;
      }
      default:
        return this.ram[i]!;
    }
  }

  writeRegister(i: number, value: number, now = this.clock.now()): void {
    value &= 0xff;
    if (this.isTimeRegister(i)) {
      this.writeTimeRegister(i, value, now);
      return;
    }
    switch (i) {
      case REG_A:
        this.ram[REG_A] = value & 0x7f;
        this.freezeOrThaw(now);
        return;
      case REG_B: {
        if (value & B_SET) value &= ~B_UIE;
        this.ram[REG_B] = value;
        this.freezeOrThaw(now);
        // Enabling an interrupt whose flag is already set raises IRQF.
        this.raiseFlags(0);
        return;
      }
      case REG_C:
      case REG_D:
        return; // read-only
      default:
        this.ram[i] = value;
    }
  }

  portRead(port: number, _size: AccessSize): number {
    if ((port & 1) === 0) return 0xff;
    return this.readRegister(this.index);
  }

  portWrite(port: number, _size: AccessSize, value: number): void {
    if ((port & 1) === 0) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value & 0x80) !== 0;
    } else {
      this.writeRegister(this.index, value);
    }
  }

  snapshot(now = this.clock.now()): {
    unixSeconds: number;
    iso: string;
    regA: number;
    regB: number;
    regC: number;
    index: number;
    nmiDisabled: boolean;
    nextPeriodic: number | null;
  } {
    const t = this.seconds(now);
    const b = breakDown(t);
    const p2 = (n: number) => String(n).padStart(2, '0');
    return {
      unixSeconds: t,
      iso: `${String(b.year).padStart(4, '0')}-${p2(b.month)}-${p2(b.day)}T${p2(b.hour)}:${p2(b.minute)}:${p2(b.second)}Z`,
      regA: this.ram[REG_A]!,
      regB: this.ram[REG_B]!,
      regC: this.ram[REG_C]!,
      index: this.index,
      nmiDisabled: this.nmiDisabled,
      nextPeriodic: this.nextPeriodic === Infinity ? null : this.nextPeriodic,
    };
  }
}
