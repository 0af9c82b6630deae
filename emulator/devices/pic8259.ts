// The 8259A PIC pair of a PC: master at 0x20/0x21, slave at 0xA0/0xA1 cascaded on master IRQ2,
// plus the ELCR edge/level registers at 0x4D0/0x4D1 (as QEMU's i8259 has them).
//
// Implemented: ICW1-ICW4 initialisation, OCW1 (mask), OCW2 (non-specific, specific and rotating
// EOI, set priority, rotate in auto-EOI), OCW3 (read IRR/ISR, poll, special mask mode), auto-EOI,
// special fully nested mode, rotating priority, cascade, spurious IRQ7/IRQ15 (vector base+7, no ISR
// bit set), edge triggering (and level triggering through the ELCR). Not implemented: single mode
// routing (no cascade) other than ignoring the slave, buffered mode bits (no effect on a PC).

import type { AccessSize, PortDevice } from './bus';
import type { IrqSink, PicSide } from './interrupts';

/** One 8259A. */
export class Pic8259 {
  irr = 0;
  imr = 0;
  isr = 0;
  /** Input levels last seen (edge detection). */
  lastIrr = 0;
  /** Edge (0) / level (1) per input, from the ELCR. */
  elcr = 0;
  priorityAdd = 0;
  vectorBase = 0;
  readRegisterSelect = 0; // 0 = IRR, 1 = ISR
  poll = false;
  specialMask = false;
  initState = 0;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  init4 = false;
  single = false;
  /** ICW3 value as written (master: slave mask; slave: its id). */
  icw3 = 0;
  /** Whether an ICW1..ICW4 sequence completed since reset (for the debugger). */
  initialized = false;

  constructor(
    readonly isMaster: boolean,
    readonly elcrMask: number,
  ) {}

  reset(): void {
    this.lastIrr = 0;
    this.irr &= this.elcr;
    this.imr = 0;
    this.isr = 0;
    this.priorityAdd = 0;
    this.vectorBase = 0;
    this.readRegisterSelect = 0;
    this.poll = false;
    this.specialMask = false;
    this.initState = 0;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.init4 = false;
    this.single = false;
    this.initialized = false;
  }

  /** Highest priority among `mask` bits as a priority number 0..7 (0 highest), 8 if none. */
  private priorityOf(mask: number): number {
    if (mask === 0) return 8;
    let p = 0;
    while ((mask & (1 << ((p + this.priorityAdd) & 7))) === 0) p++;
    return p;
  }

  /** The IRQ (0-7) this chip would present on INTA now, or -1. */
  pendingIrq(): number {
    const pr = this.priorityOf(this.irr & ~this.imr);
    if (pr === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    if (this.specialFullyNested && this.isMaster) inService &= ~(1 << 2);
    const cur = this.priorityOf(inService);
    return pr < cur ? (pr + this.priorityAdd) & 7 : -1;
  }

  /** Drive input `irq` to `level`. */
  setInput(irq: number, level: boolean): void {
    const mask = 1 << irq;
    if (this.elcr & mask) {
      if (level) {
        this.irr |= mask;
        this.lastIrr |= mask;
      } else {
        this.irr &= ~mask;
        this.lastIrr &= ~mask;
      }
    } else if (level) {
      if ((this.lastIrr & mask) === 0) this.irr |= mask;
      this.lastIrr |= mask;
    } else {
      this.lastIrr &= ~mask;
    }
  }

  /** INTA for `irq` on this chip. */
  intack(irq: number): void {
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (irq + 1) & 7;
    } else {
      this.isr |= 1 << irq;
    }
    if ((this.elcr & (1 << irq)) === 0) this.irr &= ~(1 << irq);
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      // ICW1
      this.reset();
      this.initState = 1;
      this.init4 = (value & 1) !== 0;
      this.single = (value & 2) !== 0;
      // bit 3 (level-triggered mode) is ignored as in QEMU: use the ELCR.
      return;
    }
    if (value & 0x08) {
      // OCW3
      if (value & 0x04) this.poll = true;
      if (value & 0x02) this.readRegisterSelect = value & 1;
      if (value & 0x40) this.specialMask = ((value >> 5) & 1) !== 0;
      return;
    }
    // OCW2
    const cmd = value >> 5;
    switch (cmd) {
      case 0:
      case 4:
        this.rotateOnAutoEoi = cmd === 4;
        break;
      case 1: // non-specific EOI
      case 5: {
        const pr = this.priorityOf(this.isr);
        if (pr !== 8) {
          const irq = (pr + this.priorityAdd) & 7;
          this.isr &= ~(1 << irq);
          if (cmd === 5) this.priorityAdd = (irq + 1) & 7;
        }
        break;
      }
      case 3: {
        const irq = value & 7;
        this.isr &= ~(1 << irq);
        break;
      }
      case 6:
        this.priorityAdd = (value + 1) & 7;
        break;
      case 7: {
        const irq = value & 7;
        this.isr &= ~(1 << irq);
        this.priorityAdd = (irq + 1) & 7;
        break;
      }
      default:
        break; // 2: no operation
    }
  }

  writeData(value: number): void {
    switch (this.initState) {
      case 0:
        this.imr = value;
        break;
      case 1:
        this.vectorBase = value & 0xf8;
        this.initState = this.single ? (this.init4 ? 3 : 0) : 2;
        if (this.initState === 0) this.initialized = true;
        break;
      case 2:
        this.icw3 = value;
        this.initState = this.init4 ? 3 : 0;
        if (this.initState === 0) this.initialized = true;
        break;
      case 3:
        this.specialFullyNested = ((value >> 4) & 1) !== 0;
        this.autoEoi = ((value >> 1) & 1) !== 0;
        this.initState = 0;
        this.initialized = true;
        break;
    }
  }
}

export interface PicSnapshotChip {
  irr: number;
  imr: number;
  isr: number;
  vectorBase: number;
  autoEoi: boolean;
  initialized: boolean;
  elcr: number;
}

/** The cascaded pair, with INT output to the CPU side (LINT0 of the local APIC). */
export class PicPair implements PortDevice, PicSide, IrqSink {
  readonly master = new Pic8259(true, 0xf8);
  readonly slave = new Pic8259(false, 0xde);
  /** INT output of the master. */
  output = false;
  /** Called when `output` changes (wired to the local APIC's LINT0). */
  onOutputChange: ((level: boolean) => void) | undefined;

  reset(): void {
    this.master.elcr = 0;
    this.slave.elcr = 0;
    this.master.irr = 0;
    this.slave.irr = 0;
    this.master.reset();
    this.slave.reset();
    this.update();
  }

  /** ISA IRQ 0-15 input level. IRQ2 is the cascade and cannot be driven from outside. */
  setIrq(irq: number, level: boolean): void {
    if (irq < 8) {
      if (irq === 2) return;
      this.master.setInput(irq, level);
    } else if (irq < 16) {
      this.slave.setInput(irq - 8, level);
    }
    this.update();
  }

  /** Propagate the slave's output to master IRQ2 and recompute the master's output. */
  private update(): void {
    const slaveOut = this.slave.pendingIrq() >= 0;
    this.master.setInput(2, slaveOut);
    const out = this.master.pendingIrq() >= 0;
    if (out !== this.output) {
      this.output = out;
      this.onOutputChange?.(out);
    }
  }

  /** INTA sequence: returns the vector. A spurious request yields base+7 with no ISR bit set. */
  acknowledge(): number {
    let vector: number;
    const irq = this.master.pendingIrq();
    if (irq >= 0) {
      this.master.intack(irq);
      if (irq === 2) {
        let irq2 = this.slave.pendingIrq();
        if (irq2 >= 0) this.slave.intack(irq2);
        else irq2 = 7; // spurious IRQ15
        vector = this.slave.vectorBase + irq2;
      } else {
        vector = this.master.vectorBase + irq;
      }
    } else {
      vector = this.master.vectorBase + 7; // spurious IRQ7
    }
    this.update();
    return vector;
  }

  /** Poll command read (OCW3 P bit): acknowledge as INTA would, return 0x80|irq or 0. */
  private pollRead(chip: Pic8259): number {
    const irq = chip.pendingIrq();
    let ret = 0;
    if (irq >= 0) {
      chip.intack(irq);
      ret = 0x80 | irq;
    }
    chip.poll = false;
    this.update();
    return ret;
  }

  portRead(port: number, _size: AccessSize): number {
    if (port === 0x4d0) return this.master.elcr;
    if (port === 0x4d1) return this.slave.elcr;
    const chip = port < 0xa0 ? this.master : this.slave;
    if (chip.poll) return this.pollRead(chip);
    if ((port & 1) === 0) return chip.readRegisterSelect ? chip.isr : chip.irr;
    return chip.imr;
  }

  portWrite(port: number, _size: AccessSize, value: number): void {
    value &= 0xff;
    if (port === 0x4d0 || port === 0x4d1) {
      const chip = port === 0x4d0 ? this.master : this.slave;
      chip.elcr = value & chip.elcrMask;
      this.update();
      return;
    }
    const chip = port < 0xa0 ? this.master : this.slave;
    if ((port & 1) === 0) chip.writeCommand(value);
    else chip.writeData(value);
    this.update();
  }

  snapshot(): { master: PicSnapshotChip; slave: PicSnapshotChip; output: boolean } {
    const s = (c: Pic8259): PicSnapshotChip => ({
      irr: c.irr,
      imr: c.imr,
      isr: c.isr,
      vectorBase: c.vectorBase,
      autoEoi: c.autoEoi,
      initialized: c.initialized,
      elcr: c.elcr,
    });
    return { master: s(this.master), slave: s(this.slave), output: this.output };
  }
}
