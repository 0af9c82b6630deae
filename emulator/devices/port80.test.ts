import { describe, expect, it } from 'vitest';
import { Port80 } from './port80';
import { GuestSim } from './testkit';

describe('port 0x80', () => {
  it('keeps POST codes for the debugger and reads 0xFF as QEMU', () => {
    const s = new GuestSim();
    const p = s.devices.port80;
    expect(p.lastCode).toBe(-1);
    s.outb(0x80, 0x12);
    s.outb(0x80, 0x34);
    expect(p.lastCode).toBe(0x34);
    expect(p.history).toEqual([0x12, 0x34]);
    expect(s.inb(0x80)).toBe(0xff);
    // A word write reaches 0x80 with the low byte; 0x81 is unowned.
    s.outw(0x80, 0xabcd);
    expect(p.lastCode).toBe(0xcd);
    expect(p.writes).toBe(3);
  });

  it('bounds its history', () => {
    const p = new Port80();
    for (let i = 0; i < 200; i++) p.portWrite(0x80, 1, i);
    expect(p.history.length).toBe(Port80.HISTORY);
    expect(p.history[0]).toBe(200 - Port80.HISTORY);
    p.reset();
    expect(p.history).toEqual([]);
  });
});
