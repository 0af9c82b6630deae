// Port 0x80, the POST diagnostic port. In QEMU it is a sink: writes are dropped, reads return 0xFF.
// KStack keeps what is written (for the debugger: the last code and a short history) and still
// reads 0xFF as QEMU does. Kernels also use `out 0x80, al` as an I/O delay; that costs nothing here.

import type { AccessSize, PortDevice } from './bus';

export class Port80 implements PortDevice {
  /** Last value written, or -1 if none. */
  lastCode = -1;
  /** Number of writes since reset. */
  writes = 0;
  /** The most recent codes, oldest first (at most HISTORY entries). */
  readonly history: number[] = [];
  static readonly HISTORY = 64;
  onWrite: ((value: number) => void) | undefined;

  reset(): void {
    this.lastCode = -1;
    this.writes = 0;
    this.history.length = 0;
  }

  portRead(_port: number, _size: AccessSize): number {
    return 0xff;
  }

  portWrite(_port: number, _size: AccessSize, value: number): void {
    value &= 0xff;
    this.lastCode = value;
    this.writes++;
    this.history.push(value);
    if (this.history.length > Port80.HISTORY) this.history.shift();
    this.onWrite?.(value);
  }
}
