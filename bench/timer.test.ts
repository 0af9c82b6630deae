// The timer kernel workload computes the right results with and without the periodic APIC timer,
// and takes the number of ticks its guest time implies.
import { describe, expect, it } from 'vitest';

import { TEST_ITERS } from './mailbox';
import { runTimerWorkload } from './timer';
import { loadImage } from './workload';

describe('kernel workload with a periodic APIC timer', () => {
  it('runs to the end without a timer and with one, with the same results', () => {
    const image = loadImage('separate');
    const none = runTimerWorkload(image, TEST_ITERS, 0, 200_000_000);
    expect(none.failure).toBeNull();
    expect(none.ticks).toBe(0);
    const period = 20_000;
    const timer = runTimerWorkload(image, TEST_ITERS, period, 200_000_000);
    expect(timer.failure).toBeNull();
    // One tick per `period` instructions of guest time (the APIC timer counts guest ns, divide by 1),
    // to the end of the workload.
    const expected = timer.instructions / period;
    expect(timer.ticks).toBeGreaterThan(expected * 0.9);
    expect(timer.ticks).toBeLessThan(expected * 1.1 + 2);
    // The only differences: per tick the delivery (guest time counts it as one instruction) and the
    // handler's 5 instructions; once, the 6 that program the APIC and STI.
    expect(timer.instructions - none.instructions).toBe(timer.ticks * 6 + 6);
  });
});
