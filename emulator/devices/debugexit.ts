// isa-debug-exit, as QEMU's `-device isa-debug-exit,iobase=0xf4,iosize=4`: a write of any size to
// any of ports 0xF4-0xF7 asks the machine to stop. QEMU exits with status (value << 1) | 1, so the
// shell sees ((value << 1) | 1) & 0xFF; reads return 0.

import type { AccessSize, PortDevice } from './bus';

export class DebugExit implements PortDevice {
  /** Set by the first write; the run loop stops with StopReason.IoExit. */
  requested = false;
  /** The value written (zero-extended to the access size). */
  value = 0;
  /** Called on each write with the device (the CPU run loop stops on it). */
  onExit: ((dev: DebugExit) => void) | undefined;

  constructor(
    readonly iobase = 0xf4,
    readonly iosize = 4,
  ) {}

  /** QEMU's exit status, (value << 1) | 1, exact for 32-bit values (up to 2^33 - 1). */
  get status(): number {
    return this.value * 2 + 1;
  }

  /** The process exit code a shell sees for QEMU: the status's low 8 bits. */
  get exitCode(): number {
    return this.status % 256;
  }

  reset(): void {
    this.requested = false;
    this.value = 0;
  }

  portRead(_port: number, _size: AccessSize): number {
    return 0;
  }

  portWrite(_port: number, _size: AccessSize, value: number): void {
    this.value = value >>> 0;
    this.requested = true;
    this.onExit?.(this);
  }
}
