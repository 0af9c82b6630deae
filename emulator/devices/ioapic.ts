// I/O APIC at 0xFEC00000 (82093AA-style, version 0x20 as QEMU's default): IOREGSEL at offset 0x00,
// IOWIN at 0x10, EOI register at 0x40; registers ID (0x00), version (0x01, 0x00170020: 24 pins),
// arbitration (0x02), redirection table (0x10 + 2n low, 0x11 + 2n high) for 24 pins.
//
// Each pin remembers its input level. Edge-triggered pins deliver on a rising edge while unmasked
// (QEMU ignores edges on masked pins too); level-triggered pins deliver while asserted and remote
// IRR is clear, set remote IRR, and re-deliver after the local APIC's EOI (broadcast, or the EOI
// register) if still asserted. Delivery goes to the local APIC when the destination (physical APIC
// ID or logical) names it. Polarity is stored but, as in QEMU, not applied (ISA lines are active high).

import type { AccessSize, MmioDevice } from './bus';
import type { IrqSink } from './interrupts';

export const IOAPIC_DEFAULT_BASE = 0xfec00000;
export const IOAPIC_PINS = 24;
export const IOAPIC_VERSION = 0x20;

const MASKED = 1 << 16;
const REMOTE_IRR = 1 << 14;
const DELIVERY_STATUS = 1 << 12;
const LEVEL = 1 << 15;
/** Writable bits of the low dword: vector, delivery mode, dest mode, polarity, trigger, mask. */
const LOW_WRITABLE = 0x0001afff;

/** Where delivered interrupts go (the local APIC's receive()). */
export interface ApicBusTarget {
  receive(deliveryMode: number, vector: number, level: boolean, dest: number, logical: boolean): void;
}

export interface RedirectionSnapshot {
  pin: number;
  vector: number;
  deliveryMode: number;
  logical: boolean;
  activeLow: boolean;
  remoteIrr: boolean;
  level: boolean;
  masked: boolean;
  destination: number;
  asserted: boolean;
}

export class IoApic implements MmioDevice, IrqSink {
  id = 0;
  ioregsel = 0;
  readonly low = new Uint32Array(IOAPIC_PINS);
  readonly high = new Uint32Array(IOAPIC_PINS);
  /** Current input level of each pin (bit n). */
  levels = 0;
  /** Deliveries made, per pin (for the debugger). */
  readonly deliveries = new Uint32Array(IOAPIC_PINS);

  constructor(public target: ApicBusTarget | undefined) {
    this.reset();
  }

  reset(): void {
    this.id = 0;
    this.ioregsel = 0;
    this.low.fill(MASKED);
    this.high.fill(0);
    this.levels = 0;
    this.deliveries.fill(0);
  }

  private deliver(pin: number): void {
    const lo = this.low[pin]!;
    const level = (lo & LEVEL) !== 0;
    if (level) this.low[pin] = (lo | REMOTE_IRR) >>> 0;
    this.deliveries[pin]!++;
    this.target?.receive((lo >>> 8) & 7, lo & 0xff, level, this.high[pin]! >>> 24, (lo & (1 << 11)) !== 0);
  }

  /** Deliver `pin` if its state calls for it (level asserted, unmasked, remote IRR clear). */
  private serviceLevel(pin: number): void {
    const lo = this.low[pin]!;
    if ((lo & LEVEL) === 0 || lo & MASKED || lo & REMOTE_IRR) return;
    if ((this.levels >>> pin) & 1) this.deliver(pin);
  }

  /** Drive input pin `pin` (0-23). */
  setIrq(pin: number, level: boolean): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const bit = 1 << pin;
    const was = (this.levels & bit) !== 0;
    if (level) this.levels |= bit;
    else this.levels &= ~bit;
    const lo = this.low[pin]!;
    if (lo & LEVEL) {
      if (level) this.serviceLevel(pin);
    } else if (level && !was && (lo & MASKED) === 0) {
      this.deliver(pin);
    }
  }

  /** EOI for `vector` (from the local APIC's EOI of a level-triggered vector, or the EOI register). */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const lo = this.low[pin]!;
      if ((lo & 0xff) !== vector || (lo & LEVEL) === 0 || (lo & REMOTE_IRR) === 0) continue;
      this.low[pin] = (lo & ~REMOTE_IRR) >>> 0;
      this.serviceLevel(pin);
    }
  }

  private readRegister(index: number): number {
    switch (index) {
      case 0x00:
      case 0x02:
        return (this.id << 24) >>> 0;
      case 0x01:
        return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
      default: {
        const pin = (index - 0x10) >> 1;
        if (index < 0x10 || pin >= IOAPIC_PINS) return 0;
        return (index & 1 ? this.high[pin]! : this.low[pin]!) >>> 0;
      }
    }
  }

  private writeRegister(index: number, value: number): void {
    if (index === 0x00) {
      this.id = (value >>> 24) & 0xf;
      return;
    }
    const pin = (index - 0x10) >> 1;
    if (index < 0x10 || pin >= IOAPIC_PINS) return;
    if (index & 1) {
      this.high[pin] = value & 0xff000000;
    } else {
      const ro = this.low[pin]! & (REMOTE_IRR | DELIVERY_STATUS);
      let lo = (value & LOW_WRITABLE) | ro;
      if ((lo & LEVEL) === 0) lo &= ~REMOTE_IRR; // edge mode clears remote IRR (Linux relies on it)
      this.low[pin] = lo >>> 0;
      this.serviceLevel(pin);
    }
  }

  mmioRead(offset: number, size: AccessSize): number {
    offset &= 0xff;
    if (offset === 0x00) return this.ioregsel;
    if (offset === 0x10 && size === 4) return this.readRegister(this.ioregsel);
    return 0;
  }

  mmioWrite(offset: number, size: AccessSize, value: number): void {
    offset &= 0xff;
    if (offset === 0x00) {
      this.ioregsel = value & 0xff;
    } else if (offset === 0x10 && size === 4) {
      this.writeRegister(this.ioregsel, value >>> 0);
    } else if (offset === 0x40 && size === 4) {
      this.eoi(value & 0xff);
    }
  }

  snapshot(): { id: number; version: number; entries: RedirectionSnapshot[] } {
    const entries: RedirectionSnapshot[] = [];
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const lo = this.low[pin]!;
      entries.push({
        pin,
        vector: lo & 0xff,
        deliveryMode: (lo >>> 8) & 7,
        logical: (lo & (1 << 11)) !== 0,
        activeLow: (lo & (1 << 13)) !== 0,
        remoteIrr: (lo & REMOTE_IRR) !== 0,
        level: (lo & LEVEL) !== 0,
        masked: (lo & MASKED) !== 0,
        destination: this.high[pin]! >>> 24,
        asserted: ((this.levels >>> pin) & 1) !== 0,
      });
    }
    return { id: this.id, version: ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION, entries };
  }
}
