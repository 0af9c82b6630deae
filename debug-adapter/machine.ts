// The machine the engine drives: a CPU plus whatever is wired to it. The engine needs `run`,
// `step`, `cpu`, a serial sink and (for kstack/inject) `inject`. `pcMachine` is the emulator's PC
// (emulator/machine.ts: the Cpu with COM1, timers, PIC/APICs, isa-debug-exit); `bareMachine` is a
// Cpu with no devices (tests of the engine alone).

import { Cpu, StopReason } from '../emulator/cpu/cpu';
import { createMachine, type MachineEvent } from '../emulator/machine';
import type { LapicSnapshot } from '../emulator/devices/lapic';

export interface Machine {
  readonly cpu: Cpu;
  /** Runs up to `maxInstructions` (as Cpu.run: devices advance with guest time). */
  run(maxInstructions: number): StopReason;
  /** One instruction (as Cpu.step). */
  step(): StopReason;
  /** Devices back to their power-on state (the CPU is reset by the boot path). */
  reset(): void;
  /** Exit status the guest asked for (isa-debug-exit) after a run stopped with IoExit, if any. */
  exitCode(): number | undefined;
  /** True when a serial port is wired (serialOutput will be called as the guest writes to it). */
  readonly hasSerial: boolean;
  /**
   * Injects an event at the next instruction boundary (an NMI, an external interrupt with
   * `vector` through the local APIC, a machine check); returns why it cannot, or undefined.
   * Absent: the machine has no interrupt controller.
   */
  inject?(kind: 'nmi' | 'irq' | 'mc', vector?: number): string | undefined;
  /** The last interrupt/exception deliveries, oldest first (absent without devices). */
  events?(): MachineEvent[];
  /** Why the last run stopped when the Cpu alone cannot say (INIT, #MC shutdown), else ''. */
  readonly stopCause?: string;
  /** The local APIC's state (absent without devices). */
  apic?(): LapicSnapshot;
}

export interface MachineOptions {
  memoryBytes: number;
  /** COM1 output, as the guest writes it. */
  serialOutput: (bytes: Uint8Array) => void;
  /** Bytes the guest reads from COM1. */
  serialInput?: Uint8Array;
}

export type MachineFactory = (opts: MachineOptions) => Machine;

/** The PC: the Cpu wired to the devices. */
export const pcMachine: MachineFactory = (opts) => {
  const m = createMachine(opts);
  return Object.assign(m, { apic: () => m.devices.lapic.snapshot() });
};

/** A CPU without devices (port I/O is not wired into the Cpu yet). */
export const bareMachine: MachineFactory = (opts) => {
  const cpu = new Cpu({ memoryBytes: opts.memoryBytes });
  return {
    cpu,
    run: (n) => cpu.run(n),
    step: () => cpu.step(),
    reset: () => {},
    exitCode: () => undefined,
    hasSerial: false,
  };
};

export { StopReason, type MachineEvent };
