import { describe, expect, it } from 'vitest';
import { RX_BYTE_INTERVAL } from './uart16550';
import { GuestSim } from './testkit';

const COM1 = 0x3f8;

/** The usual kernel init: 115200 8N1, FIFOs on (14-byte trigger), loopback self-test, then OUT2|RTS|DTR. */
function initSerial(s: GuestSim): boolean {
  s.outb(COM1 + 1, 0x00);
  s.outb(COM1 + 3, 0x80);
  s.outb(COM1 + 0, 0x01);
  s.outb(COM1 + 1, 0x00);
  s.outb(COM1 + 3, 0x03);
  s.outb(COM1 + 2, 0xc7);
  s.outb(COM1 + 4, 0x0b);
  s.outb(COM1 + 4, 0x1e);
  s.outb(COM1 + 0, 0xae);
  const ok = s.inb(COM1 + 0) === 0xae;
  s.outb(COM1 + 4, 0x0f);
  return ok;
}

function puts(s: GuestSim, text: string): void {
  for (const ch of text) {
    while ((s.inb(COM1 + 5) & 0x20) === 0) s.time++;
    s.outb(COM1, ch.charCodeAt(0));
  }
}

describe('16550 UART', () => {
  it('kernel init at 115200 8N1 passes the loopback test and prints', () => {
    const s = new GuestSim();
    expect(initSerial(s)).toBe(true);
    expect(s.devices.uart.baud).toBe(115200);
    expect(s.devices.uart.lineSettings).toBe('8N1');
    puts(s, 'Hello, kernel\n');
    expect(String.fromCharCode(...s.output)).toBe('Hello, kernel\n'); // the loopback byte is not printed
    expect(s.inb(COM1 + 5)).toBe(0x60); // THRE | TEMT, no data
    expect(s.inb(COM1 + 2)).toBe(0xc1); // FIFOs enabled, no interrupt
  });

  it('reset values as QEMU: divisor 12 (9600), MCR OUT2, MSR DCD|DSR|CTS, LSR THRE|TEMT', () => {
    const s = new GuestSim();
    s.outb(COM1 + 3, 0x80);
    expect(s.inb(COM1) | (s.inb(COM1 + 1) << 8)).toBe(12);
    s.outb(COM1 + 3, 0x03);
    expect(s.inb(COM1 + 4)).toBe(0x08);
    expect(s.inb(COM1 + 6)).toBe(0xb0);
    expect(s.inb(COM1 + 5)).toBe(0x60);
    expect(s.inb(COM1 + 2)).toBe(0x01);
    s.outb(COM1 + 7, 0x5a);
    expect(s.inb(COM1 + 7)).toBe(0x5a);
  });

  it('host input arrives one byte per RX_BYTE_INTERVAL, raising IRQ4 when enabled', () => {
    const s = new GuestSim({ serialInput: 'hi!' });
    s.remapPic(0xef, 0xff);
    const got: number[] = [];
    s.onInterrupt = (v, sim) => {
      expect(v).toBe(0x24);
      expect(sim.inb(COM1 + 2) & 0x0f).toBe(0x04); // received data available
      while (sim.inb(COM1 + 5) & 1) got.push(sim.inb(COM1));
      sim.outb(0x20, 0x20);
    };
    s.outb(COM1 + 1, 0x01); // IER: received data
    s.time = RX_BYTE_INTERVAL - 1;
    expect(s.inb(COM1 + 5) & 1).toBe(0);
    s.runUntil(10 * RX_BYTE_INTERVAL);
    expect(String.fromCharCode(...got)).toBe('hi!');
    expect(s.taken.map((t) => t.time)).toEqual([1, 2, 3].map((k) => k * RX_BYTE_INTERVAL));
  });

  it('with FIFOs at a 14-byte trigger, a short message raises the character timeout', () => {
    const s = new GuestSim();
    initSerial(s);
    s.outb(COM1 + 1, 0x01);
    s.devices.uart.enqueueInput('ok');
    s.runUntil(2 * RX_BYTE_INTERVAL);
    expect(s.inb(COM1 + 2)).toBe(0xc1); // two bytes, below the trigger: nothing yet
    s.runUntil(6 * RX_BYTE_INTERVAL);
    expect(s.inb(COM1 + 2)).toBe(0xcc); // timeout, 4 character times after the last byte
    expect(s.inb(COM1)).toBe(0x6f);
    expect(s.inb(COM1 + 2)).toBe(0xc1); // reading clears it; one byte left, timeout re-armed
    s.runUntil(10 * RX_BYTE_INTERVAL);
    expect(s.inb(COM1 + 2)).toBe(0xcc);
    expect(s.inb(COM1)).toBe(0x6b);
    expect(s.inb(COM1 + 5) & 1).toBe(0);
  });

  it('host input waits while the receiver is full instead of overrunning', () => {
    const s = new GuestSim({ serialInput: 'abc' });
    s.runUntil(100 * RX_BYTE_INTERVAL); // FIFOs off: one byte held
    expect(s.devices.uart.pendingInput).toBe(2);
    expect(s.inb(COM1 + 5) & 0x03).toBe(0x01); // DR, no overrun
    expect(s.inb(COM1)).toBe(0x61);
    s.run(RX_BYTE_INTERVAL);
    expect(s.inb(COM1)).toBe(0x62);
  });

  it('THR-empty interrupt: raised when enabled, cleared by reading IIR, raised again by a write', () => {
    const s = new GuestSim();
    s.remapPic(0xef, 0xff);
    s.outb(COM1 + 1, 0x02);
    expect(s.devices.ic.hasInterrupt()).toBe(true);
    expect(s.inb(COM1 + 2)).toBe(0x02);
    expect(s.inb(COM1 + 2)).toBe(0x01);
    s.service();
    expect(s.taken.map((t) => t.vector)).toEqual([0x24]);
    s.outb(0x20, 0x20);
    s.outb(COM1, 0x41);
    expect(s.inb(COM1 + 2)).toBe(0x02);
    s.service();
    expect(s.taken.length).toBe(2); // a new edge on IRQ4
    expect(s.output).toEqual([0x41]);
  });

  it('loopback: overrun sets OE (cleared by reading LSR); MSR follows MCR (no deltas, as QEMU)', () => {
    const s = new GuestSim();
    s.outb(COM1 + 4, 0x10);
    expect(s.inb(COM1 + 6)).toBe(0x00); // QEMU 7.2 reads 0x00 here too
    s.outb(COM1, 1);
    s.outb(COM1, 2); // no FIFO: overrun
    expect(s.inb(COM1 + 5)).toBe(0x63);
    expect(s.inb(COM1 + 5)).toBe(0x61);
    expect(s.inb(COM1)).toBe(1);
    s.outb(COM1 + 4, 0x1f);
    expect(s.inb(COM1 + 6)).toBe(0xf0); // DCD=OUT2, RI=OUT1, DSR=DTR, CTS=RTS
    s.outb(COM1 + 4, 0x1b); // OUT1 (RI) drops
    expect(s.inb(COM1 + 6)).toBe(0xb0);
    expect(s.output).toEqual([]);
  });

  it('is deterministic', () => {
    const once = () => {
      const s = new GuestSim({ serialInput: 'deterministic input' });
      initSerial(s);
      s.remapPic(0xef, 0xff);
      s.outb(COM1 + 1, 0x01);
      s.onInterrupt = (_v, sim) => {
        while (sim.inb(COM1 + 5) & 1) sim.outb(COM1, sim.inb(COM1));
        sim.outb(0x20, 0x20);
      };
      s.runUntil(100 * RX_BYTE_INTERVAL);
      return { taken: s.taken, out: String.fromCharCode(...s.output) };
    };
    const a = once();
    expect(a.out).toBe('deterministic input');
    expect(once()).toEqual(a);
  });
});
