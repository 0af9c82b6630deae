import { describe, expect, it } from 'vitest';
import { Clock, GUEST_HZ, mulDivCeil, mulDivFloor, PIT_HZ, pitTicksToTime, timeToPitTicks, type TimedDevice } from './clock';

class Periodic implements TimedDevice {
  fired: number[] = [];
  next: number;
  constructor(
    private readonly period: number,
    private readonly clock: Clock,
  ) {
    this.next = period;
    clock.add(this);
  }
  nextEventAt(): number {
    return this.next;
  }
  advance(now: number): void {
    this.fired.push(now);
    this.next += this.period;
    this.clock.reschedule();
  }
}

describe('time ratios', () => {
  it('is one instruction per guest ns', () => {
    expect(GUEST_HZ).toBe(1e9);
    expect(PIT_HZ).toBe(1193182);
  });

  it('mulDiv is exact where a*num exceeds 2^53', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(rnd() * 2 ** 52);
      const exactFloor = (BigInt(a) * BigInt(GUEST_HZ)) / BigInt(PIT_HZ);
      expect(mulDivFloor(a, GUEST_HZ, PIT_HZ)).toBe(Number(exactFloor));
      const prod = BigInt(a) * BigInt(PIT_HZ);
      const ceil = (prod + BigInt(GUEST_HZ) - 1n) / BigInt(GUEST_HZ);
      expect(mulDivCeil(a, PIT_HZ, GUEST_HZ)).toBe(Number(ceil));
    }
  });

  it('PIT tick k is the first ns at which k ticks have elapsed', () => {
    for (const k of [1, 2, 3, 100, 11932, 65536, 1193182, 123456789]) {
      const t = pitTicksToTime(k);
      expect(timeToPitTicks(t)).toBeGreaterThanOrEqual(k);
      expect(timeToPitTicks(t - 1)).toBeLessThan(k);
    }
    expect(pitTicksToTime(1)).toBe(839); // 838.095... ns, rounded up
    expect(pitTicksToTime(PIT_HZ)).toBe(1e9);
  });
});

describe('Clock', () => {
  it('tracks the earliest event and advances devices in a fixed order', () => {
    const clock = new Clock();
    const a = new Periodic(300, clock);
    const b = new Periodic(200, clock);
    expect(clock.nextEvent).toBe(200);
    clock.setTime(600);
    clock.advance(600);
    // Each device catches up one event per pass until nothing is due.
    expect(a.fired).toEqual([600, 600]);
    expect(b.fired).toEqual([600, 600, 600]);
    expect(clock.nextEvent).toBe(800);
  });

  it('runs scheduled callbacks at their time, in scheduling order, and can cancel them', () => {
    const clock = new Clock();
    const log: string[] = [];
    clock.schedule(50, () => log.push('b'));
    clock.schedule(10, () => log.push('a'));
    const id = clock.schedule(50, () => log.push('x'));
    clock.schedule(50, () => log.push('c'));
    expect(clock.cancel(id)).toBe(true);
    expect(clock.cancel(id)).toBe(false);
    expect(clock.nextEvent).toBe(10);
    clock.advance(9);
    expect(log).toEqual([]);
    clock.advance(10);
    expect(log).toEqual(['a']);
    expect(clock.nextEvent).toBe(50);
    clock.advance(1000);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(clock.nextEvent).toBe(Infinity);
  });

  it('reads time from the source the CPU provides', () => {
    let t = 7;
    const clock = new Clock(() => t);
    expect(clock.now()).toBe(7);
    t = 99;
    expect(clock.now()).toBe(99);
    expect(() => clock.setTime(5)).toThrow();
  });
});
