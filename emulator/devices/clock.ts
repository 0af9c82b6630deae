// Guest time and the device event scheduler.
//
// Guest time is a plain integer count kept by the CPU: instructions retired since reset, plus the
// time skipped while the CPU is halted (HLT jumps the count to the next device event). Nothing here
// reads a host clock; the same program with the same inputs sees the same times.
//
// One unit of guest time is one guest nanosecond: the guest runs at exactly one instruction per
// nanosecond (1e9 instructions per second), which is QEMU's `-icount shift=0` model. Every device
// derives its rates from GUEST_HZ below, and RDTSC should return the guest time (TSC_HZ).

/** Guest time units (= instructions) per guest second. The only place this ratio is defined. */
export const GUEST_HZ = 1_000_000_000;
/** Guest nanoseconds per instruction (GUEST_HZ / 1e9). */
export const NS_PER_INSTRUCTION = 1;
/** TSC frequency: RDTSC returns guest time, one tick per instruction. */
export const TSC_HZ = GUEST_HZ;
/** Local APIC timer input clock (before the divide configuration): one tick per guest ns, as QEMU. */
export const APIC_TIMER_HZ = GUEST_HZ;
/** The 8254 PIT input clock. */
export const PIT_HZ = 1_193_182;

/** Exact [floor(a / den), a mod den] for non-negative integers below 2^53. */
function divMod(a: number, den: number): [number, number] {
  let q = Math.floor(a / den);
  let r = a - q * den;
  if (r < 0) {
    q--;
    r += den;
  } else if (r >= den) {
    q++;
    r -= den;
  }
  return [q, r];
}

/**
 * floor(a * num / den) computed exactly for non-negative integers where a * num may exceed 2^53,
 * provided num * den < 2^53 (true for the PIT ratios: 1e9 * 1193182 ~ 1.2e15).
 */
export function mulDivFloor(a: number, num: number, den: number): number {
  const [q, r] = divMod(a, den);
  return q * num + Math.floor((r * num) / den);
}

/** ceil(a * num / den), exact under the same conditions as mulDivFloor. */
export function mulDivCeil(a: number, num: number, den: number): number {
  const [q, r] = divMod(a, den);
  return q * num + Math.ceil((r * num) / den);
}

/**
 * Guest time (ns after the load) at which PIT tick number `ticks` has happened: the first integer
 * ns t with floor(t * PIT_HZ / 1e9) >= ticks, i.e. ceil(ticks * 1e9 / PIT_HZ). Using the ceiling
 * keeps event times and counter reads consistent (QEMU rounds down, at most 1 ns earlier).
 */
export function pitTicksToTime(ticks: number): number {
  return mulDivCeil(ticks, GUEST_HZ, PIT_HZ);
}

/** Whole PIT ticks elapsed in `dt` guest ns: floor(dt * PIT_HZ / 1e9). */
export function timeToPitTicks(dt: number): number {
  return mulDivFloor(dt, PIT_HZ, GUEST_HZ);
}

/** A device with timed behaviour. */
export interface TimedDevice {
  /** Guest time of this device's next event, or Infinity if none. Must be cheap (a cached field). */
  nextEventAt(): number;
  /** Called with the current guest time once `now >= nextEventAt()`. May be late; never early. */
  advance(now: number): void;
}

interface ScheduledCallback {
  at: number;
  seq: number;
  fn: (now: number) => void;
}

/**
 * The event scheduler. The CPU reads `nextEvent` (a plain field) at instruction boundaries and calls
 * `advance(now)` when `now >= nextEvent`. Devices call `reschedule()` after a register write that
 * changes when their next event is due.
 */
export class Clock {
  /** Earliest due time over all devices and scheduled callbacks (Infinity if none). */
  nextEvent = Infinity;
  private source: () => number;
  private readonly devices: TimedDevice[] = [];
  private callbacks: ScheduledCallback[] = [];
  private seq = 0;
  private advancing = false;

  constructor(source?: () => number) {
    let t = 0;
    this.source = source ?? (() => t);
    if (!source) this.manualSet = (v: number) => (t = v);
  }

  /** Set the function that returns the current guest time (the CPU's counter). */
  setSource(source: () => number): void {
    this.source = source;
    this.manualSet = undefined;
  }

  private manualSet: ((v: number) => void) | undefined;

  /** For tests and tools with no CPU: set the time returned by now() (only without a source). */
  setTime(t: number): void {
    if (!this.manualSet) throw new Error('Clock.setTime: the clock has an external time source');
    this.manualSet(t);
  }

  /** Current guest time (the time of the instruction being executed). */
  now(): number {
    return this.source();
  }

  /** Register a timed device. Devices are advanced in registration order (deterministic). */
  add(device: TimedDevice): void {
    this.devices.push(device);
    this.reschedule();
  }

  /** Recompute nextEvent. Cheap: a handful of devices. */
  reschedule(): void {
    let next = this.callbacks.length ? this.callbacks[0]!.at : Infinity;
    for (const d of this.devices) {
      const t = d.nextEventAt();
      if (t < next) next = t;
    }
    this.nextEvent = next;
  }

  /**
   * Run `fn(now)` once guest time reaches `at` (e.g. the debugger injecting an NMI at an instruction
   * count). Callbacks due at the same time run in the order they were scheduled. Returns an id.
   */
  schedule(at: number, fn: (now: number) => void): number {
    const cb = { at, seq: ++this.seq, fn };
    let i = this.callbacks.length;
    while (i > 0 && this.callbacks[i - 1]!.at > at) i--;
    this.callbacks.splice(i, 0, cb);
    this.reschedule();
    return cb.seq;
  }

  /** Callbacks from schedule() not yet run (e.g. debugger injections still to come). */
  get scheduledCount(): number {
    return this.callbacks.length;
  }

  /** Cancel a callback from schedule(); returns whether it was still pending. */
  cancel(id: number): boolean {
    const i = this.callbacks.findIndex((c) => c.seq === id);
    if (i < 0) return false;
    this.callbacks.splice(i, 1);
    this.reschedule();
    return true;
  }

  /** Deliver every event due at or before `now`, in a fixed order, until none is due. */
  advance(now: number): void {
    if (this.advancing) return;
    this.advancing = true;
    try {
      for (let guard = 0; guard < 10_000; guard++) {
        let any = false;
        while (this.callbacks.length && this.callbacks[0]!.at <= now) {
          const cb = this.callbacks.shift()!;
          cb.fn(now);
          any = true;
        }
        for (const d of this.devices) {
          if (d.nextEventAt() <= now) {
            d.advance(now);
            any = true;
          }
        }
        if (!any) break;
      }
    } finally {
      this.advancing = false;
      this.reschedule();
    }
  }
}
