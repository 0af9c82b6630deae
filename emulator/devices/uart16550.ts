// 16550A UART (COM1 at 0x3F8, IRQ4).
//
// Transmit is instantaneous: a THR write hands the byte to `onOutput` at once, and THRE/TEMT are
// always set again by the time the guest can look (as QEMU with a host backend that never blocks).
// Receive comes from a host queue (`enqueueInput`, e.g. `--serial-in FILE`): one byte moves into
// the receiver every RX_BYTE_INTERVAL guest ns while the receiver has room (the 16-byte FIFO, or the
// single RBR with FIFOs off), so host input is never lost and its arrival times are deterministic.
// The FIFO character timeout fires 4 * RX_BYTE_INTERVAL after the last receiver activity.
//
// Interrupts (IIR priority order): receiver line status, received data available (trigger level
// reached, or any data with FIFOs off), character timeout, THR empty, modem status. The IRQ line is
// driven whenever an enabled interrupt is pending; like QEMU, MCR.OUT2 does not gate it.

import type { AccessSize, PortDevice } from './bus';
import type { Clock, TimedDevice } from './clock';
import type { IrqLine } from './interrupts';

/** Guest ns between two host input bytes becoming available (10 us, i.e. 100,000 bytes/s). */
export const RX_BYTE_INTERVAL = 10_000;
/** The UART input clock divided by 16: divisor 1 = 115200 baud. */
export const UART_BASE_BAUD = 115_200;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_PE = 0x04;
const LSR_FE = 0x08;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;

export const IIR_NONE = 0x01;
export const IIR_MSI = 0x00;
export const IIR_THRI = 0x02;
export const IIR_RDI = 0x04;
export const IIR_RLSI = 0x06;
export const IIR_TIMEOUT = 0x0c;

const MCR_LOOP = 0x10;
const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;

export interface UartOptions {
  clock: Clock;
  irq?: IrqLine;
  /** Receives each transmitted byte (the CLI prints them to stdout). */
  onOutput?: (bytes: Uint8Array) => void;
  base?: number;
}

export class Uart16550 implements PortDevice, TimedDevice {
  readonly base: number;
  ier = 0;
  lcr = 0;
  mcr = 0x08;
  lsrErrors = 0;
  msr = 0xb0;
  scr = 0;
  divisor = 0x0c;
  fifoEnabled = false;
  rxTrigger = 1;
  fcr = 0;
  private rx: number[] = [];
  private threPending = false;
  private timeoutPending = false;
  private hostInput: number[] = [];
  private hostHead = 0;
  private nextRxAt = Infinity;
  private timeoutAt = Infinity;
  private irqLevel = false;
  private readonly clock: Clock;
  private readonly irq: IrqLine | undefined;
  onOutput: ((bytes: Uint8Array) => void) | undefined;
  /** Bytes transmitted since reset (for the debugger). */
  txCount = 0;

  constructor(opts: UartOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.onOutput = opts.onOutput;
    this.base = opts.base ?? 0x3f8;
    this.clock.add(this);
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0x08;
    this.lsrErrors = 0;
    this.msr = 0xb0;
    this.scr = 0;
    this.divisor = 0x0c;
    this.fifoEnabled = false;
    this.rxTrigger = 1;
    this.fcr = 0;
    this.rx = [];
    this.threPending = false;
    this.timeoutPending = false;
    this.timeoutAt = Infinity;
    this.scheduleRx(this.clock.now());
    this.updateIrq();
  }

  /** Baud rate from the divisor latch (0 if the divisor is 0). */
  get baud(): number {
    return this.divisor === 0 ? 0 : UART_BASE_BAUD / this.divisor;
  }

  /** e.g. "8N1". */
  get lineSettings(): string {
    const bits = 5 + (this.lcr & 3);
    const parity = this.lcr & 0x08 ? 'OESM'[(this.lcr >> 4) & 3]! : 'N';
    const stop = this.lcr & 0x04 ? (bits === 5 ? '1.5' : '2') : '1';
    return `${bits}${parity}${stop}`;
  }

  /** Queue host bytes for the guest to receive. */
  enqueueInput(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const b of data) this.hostInput.push(b);
    if (this.nextRxAt === Infinity) this.scheduleRx(this.clock.now());
  }

  /** Host bytes not yet moved into the receiver. */
  get pendingInput(): number {
    return this.hostInput.length - this.hostHead;
  }

  private rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private scheduleRx(now: number): void {
    const want = this.pendingInput > 0 && this.rx.length < this.rxCapacity() && !(this.mcr & MCR_LOOP);
    const next = want ? (this.nextRxAt === Infinity ? now + RX_BYTE_INTERVAL : this.nextRxAt) : Infinity;
    if (next !== this.nextRxAt) {
      this.nextRxAt = next;
      this.clock.reschedule();
    }
  }

  private restartTimeout(now: number): void {
    this.timeoutAt = this.fifoEnabled && this.rx.length > 0 ? now + 4 * RX_BYTE_INTERVAL : Infinity;
    this.clock.reschedule();
  }

  nextEventAt(): number {
    return this.nextRxAt < this.timeoutAt ? this.nextRxAt : this.timeoutAt;
  }

  advance(now: number): void {
    if (now >= this.nextRxAt) {
      this.nextRxAt = Infinity;
      if (this.rx.length < this.rxCapacity() && this.pendingInput > 0) {
        this.receiveByte(this.hostInput[this.hostHead++]!, now);
        if (this.hostHead > 4096 && this.hostHead * 2 > this.hostInput.length) {
          this.hostInput = this.hostInput.slice(this.hostHead);
          this.hostHead = 0;
        }
      }
      this.scheduleRx(now);
    }
    if (now >= this.timeoutAt) {
      this.timeoutAt = Infinity;
      if (this.fifoEnabled && this.rx.length > 0) this.timeoutPending = true;
      this.updateIrq();
    }
    this.clock.reschedule();
  }

  /** A byte arrives at the receiver (host input or loopback). */
  private receiveByte(b: number, now: number): void {
    if (this.rx.length >= this.rxCapacity()) {
      this.lsrErrors |= LSR_OE;
    } else {
      this.rx.push(b & 0xff);
    }
    this.timeoutPending = false;
    this.restartTimeout(now);
    this.updateIrq();
  }

  private get lsr(): number {
    return (this.rx.length ? LSR_DR : 0) | this.lsrErrors | LSR_THRE | LSR_TEMT;
  }

  /** The IIR interrupt identification (low 4 bits) of the highest-priority pending interrupt. */
  private interruptId(): number {
    if (this.ier & IER_RLSI && this.lsrErrors & LSR_ERRORS) return IIR_RLSI;
    if (this.ier & IER_RDI) {
      if (this.fifoEnabled ? this.rx.length >= this.rxTrigger : this.rx.length > 0) return IIR_RDI;
      if (this.timeoutPending) return IIR_TIMEOUT;
    }
    if (this.ier & IER_THRI && this.threPending) return IIR_THRI;
    if (this.ier & IER_MSI && this.msr & 0x0f) return IIR_MSI;
    return IIR_NONE;
  }

  private updateIrq(): void {
    const level = this.interruptId() !== IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq?.(level);
    }
  }

  /**
   * Modem status: in loopback the inputs follow MCR (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2), otherwise
   * DCD|DSR|CTS. As QEMU, the lines never produce delta bits (so no modem status interrupt).
   */
  private updateMsr(): void {
    const m = this.mcr;
    this.msr =
      m & MCR_LOOP ? (m & 0x02 ? 0x10 : 0) | (m & 0x01 ? 0x20 : 0) | (m & 0x04 ? 0x40 : 0) | (m & 0x08 ? 0x80 : 0) : 0xb0;
  }

  private transmit(b: number): void {
    this.txCount++;
    if (this.mcr & MCR_LOOP) {
      this.receiveByte(b, this.clock.now());
    } else {
      this.onOutput?.(Uint8Array.of(b));
    }
  }

  portRead(port: number, _size: AccessSize): number {
    const now = this.clock.now();
    switch (port - this.base) {
      case 0: {
        if (this.lcr & 0x80) return this.divisor & 0xff;
        const b = this.rx.length ? this.rx.shift()! : 0;
        this.timeoutPending = false;
        this.restartTimeout(now);
        this.scheduleRx(now);
        this.updateIrq();
        return b;
      }
      case 1:
        return this.lcr & 0x80 ? (this.divisor >> 8) & 0xff : this.ier;
      case 2: {
        const id = this.interruptId();
        if (id === IIR_THRI) {
          this.threPending = false;
          this.updateIrq();
        }
        return id | (this.fifoEnabled ? 0xc0 : 0);
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        const v = this.lsr;
        if (this.lsrErrors) {
          this.lsrErrors = 0;
          this.updateIrq();
        }
        return v;
      }
      case 6: {
        const v = this.msr;
        if (v & 0x0f) {
          this.msr &= 0xf0;
          this.updateIrq();
        }
        return v;
      }
      default:
        return this.scr;
    }
  }

  portWrite(port: number, _size: AccessSize, value: number): void {
    value &= 0xff;
    const now = this.clock.now();
    switch (port - this.base) {
      case 0:
        if (this.lcr & 0x80) {
          this.divisor = (this.divisor & 0xff00) | value;
          return;
        }
        this.threPending = false;
        this.updateIrq(); // THRE drops while the byte is sent ...
        this.transmit(value);
        this.threPending = true; // ... and is back when it has gone
        this.updateIrq();
        return;
      case 1: {
        if (this.lcr & 0x80) {
          this.divisor = (this.divisor & 0x00ff) | (value << 8);
          return;
        }
        const changed = (this.ier ^ value) & 0x0f;
        this.ier = value & 0x0f;
        if (changed & IER_THRI) this.threPending = (this.ier & IER_THRI) !== 0;
        this.updateIrq();
        return;
      }
      case 2: {
        const enable = (value & 1) !== 0;
        if (enable !== this.fifoEnabled) {
          this.rx = [];
          this.timeoutPending = false;
        }
        this.fifoEnabled = enable;
        if (value & 0x02) {
          this.rx = [];
          this.timeoutPending = false;
        }
        this.rxTrigger = TRIGGER_LEVELS[(value >> 6) & 3]!;
        this.fcr = value & 0xc9;
        this.restartTimeout(now);
        this.scheduleRx(now);
        this.updateIrq();
        return;
      }
      case 3:
        this.lcr = value;
        return;
      case 4: {
        const wasLoop = (this.mcr & MCR_LOOP) !== 0;
        this.mcr = value & 0x1f;
        this.updateMsr();
        if (wasLoop !== ((this.mcr & MCR_LOOP) !== 0)) this.scheduleRx(now);
        this.updateIrq();
        return;
      }
      case 5:
      case 6:
        return; // LSR and MSR are read-only
      default:
        this.scr = value;
    }
  }

  snapshot(): {
    ier: number;
    iir: number;
    lcr: number;
    mcr: number;
    lsr: number;
    msr: number;
    divisor: number;
    baud: number;
    line: string;
    fifoEnabled: boolean;
    rxQueued: number;
    hostPending: number;
    txCount: number;
  } {
    return {
      ier: this.ier,
      iir: this.interruptId() | (this.fifoEnabled ? 0xc0 : 0),
      lcr: this.lcr,
      mcr: this.mcr,
      lsr: this.lsr,
      msr: this.msr,
      divisor: this.divisor,
      baud: this.baud,
      line: this.lineSettings,
      fifoEnabled: this.fifoEnabled,
      rxQueued: this.rx.length,
      hostPending: this.pendingInput,
      txCount: this.txCount,
    };
  }
}
