// The machine: the Cpu wired to the PC's devices (emulator/devices).
//
//   port I/O      cpu.io -> devices.bus.in/out (IN/OUT/INS/OUTS, exec/io.ts)
//   MMIO          cpu.mmio (physical accesses outside RAM) -> devices.bus.readMmio/writeMmio:
//                 the local APIC at 0xFEE00000 and the I/O APIC at 0xFEC00000; unassigned
//                 addresses read 0 and drop writes (QEMU)
//   guest time    devices' timeSource = cpu.instructionCount; device events run from cpu.onEvent
//                 (cpu.eventAt = devices.clock.nextEvent); HLT skips time to the next event
//   interrupts    at a boundary (onEvent): #MC, INIT, NMI (blocked while cpu.nmiBlocked), then
//                 INTR through cpu.raiseInterrupt / cpu.acknowledgeInterrupt = ic.acknowledge
//   debug exit    a write to port 0xF4 stops the run with StopReason.IoExit; exitCode() is the
//                 value written, low 8 bits
//
// After every port or MMIO access the machine makes the next boundary look at the devices again
// (an access can raise an interrupt or move the next timer event). Pure TypeScript: no Node APIs.

import { Cpu, StopReason } from './cpu/cpu';
import { deliverEvent, EXTERNAL } from './cpu/interrupt';
import { FAULT } from './memory/mmu';
import { createDevices, type Devices } from './devices';
import type { AccessSize } from './devices/bus';

export { StopReason };

export interface MachineOptions {
  /** RAM size in bytes (a multiple of 4 KiB). */
  memoryBytes: number;
  /** COM1 output, as the guest writes it. */
  serialOutput: (bytes: Uint8Array) => void;
  /** Bytes the guest reads from COM1. */
  serialInput?: Uint8Array;
  /** Device state at start (see devices/README.md): 'none' (power-on, default) or 'seabios'. */
  firmware?: 'none' | 'seabios';
  /** RTC start time, Unix seconds at guest time 0. */
  rtcEpochSeconds?: number;
  /** How many recent events the machine remembers (events()); default 64. */
  eventHistory?: number;
}

/** An event delivered through the IDT (or a machine event), for traces and post-mortems. */
export interface MachineEvent {
  /** Guest time (instruction count) at delivery. */
  count: number;
  vector: number;
  kind: 'exception' | 'software' | 'external' | 'nmi' | 'debug-exit' | 'init' | 'shutdown';
  /** Error code pushed, or -1. */
  errorCode: number;
  cplBefore: number;
  cplAfter: number;
  /** RSP before and after delivery (64-bit, unsigned). */
  rspBefore: bigint;
  rspAfter: bigint;
  /** The TSS slot that supplied the new stack: 'IST1'..'IST7', 'RSP0'..'RSP2', or '' (same stack). */
  tssSlot: string;
  /** RIP saved in the frame (the interrupted or faulting instruction, or the next one). */
  rip: bigint;
}

export type InjectKind = 'nmi' | 'irq' | 'mc';

export interface Machine {
  readonly cpu: Cpu;
  readonly devices: Devices;
  run(maxInstructions: number): StopReason;
  step(): StopReason;
  reset(): void;
  /** The value the guest wrote to isa-debug-exit (low 8 bits), once it has. */
  exitCode(): number | undefined;
  readonly hasSerial: boolean;
  /** Injects an NMI, an external interrupt `vector` (16-255, through the local APIC) or a #MC. */
  inject(kind: InjectKind, vector?: number): string | undefined;
  /** The last events (oldest first). */
  events(): MachineEvent[];
  /** Called for every event as it happens (tracing). */
  onEvent: ((e: MachineEvent) => void) | null;
  /** Why the last run stopped when the Cpu alone cannot say (INIT, #MC shutdown), else ''. */
  stopCause: string;
}

const KIND_NAMES = ['exception', 'software', 'external'] as const;
const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];

function u64(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

export function createMachine(opts: MachineOptions): Machine {
  const cpu = new Cpu({ memoryBytes: opts.memoryBytes });
  let exitValue: number | undefined;
  const devices = createDevices({
    memoryBytes: opts.memoryBytes,
    serialOutput: opts.serialOutput,
    serialInput: opts.serialInput,
    timeSource: () => cpu.instructionCount,
    onDebugExit: (d) => {
      exitValue = d.value & 0xff;
      record({ kind: 'debug-exit', vector: -1, errorCode: d.value });
      cpu.requestStop(StopReason.IoExit);
    },
    rtcEpochSeconds: opts.rtcEpochSeconds,
    firmware: opts.firmware,
    physicalMemory: {
      read: (addr: number, n: number) => cpu.readPhys(BigInt(addr), n),
      write: (addr: number, bytes: Uint8Array) => cpu.writePhys(BigInt(addr), bytes),
    },
  });
  const { bus, ic, clock } = devices;
  const history = Math.max(1, opts.eventHistory ?? 64);
  const ring: MachineEvent[] = [];
  let nmiDelivering = false;
  /** A stop decided inside a boundary (the Cpu is parked in HLT until run() returns). */
  let pendingStop = StopReason.None;
  let haltedBefore = false;
  /** Device events handled in a row while halted; after HALT_SLICE the run is parked (see run). */
  let haltedVisits = 0;
  let parked = false;
  const HALT_SLICE = 64;

  const machine: Machine = {
    cpu,
    devices,
    hasSerial: true,
    onEvent: null,
    stopCause: '',
    run(max: number): StopReason {
      machine.stopCause = '';
      const start = cpu.instructionCount;
      let r: StopReason;
      for (;;) {
        cpu.eventAt = cpu.instructionCount; // look at the devices at the first boundary
        r = cpu.run(max - (cpu.instructionCount - start));
        if (!parked) break;
        // A long sleep in HLT was cut into pieces (the Cpu skips time recursively): go on.
        parked = false;
        if (r !== StopReason.Hlt) break;
        cpu.halted = true;
      }
      if (pendingStop !== StopReason.None) {
        r = pendingStop;
        pendingStop = StopReason.None;
        cpu.halted = haltedBefore;
      }
      return r;
    },
    step(): StopReason {
      const r = machine.run(1);
      return r === StopReason.Limit ? StopReason.None : r;
    },
    reset(): void {
      devices.reset();
      exitValue = undefined;
      cpu.nmiBlocked = false;
      pendingStop = StopReason.None;
      ring.length = 0;
      kick();
    },
    exitCode: () => exitValue,
    inject(kind: InjectKind, vector?: number): string | undefined {
      if (kind === 'nmi') ic.injectNmi();
      else if (kind === 'mc') ic.injectMachineCheck();
      else if (kind === 'irq') {
        if (vector === undefined || !Number.isInteger(vector) || vector < 16 || vector > 255)
          return `an external interrupt needs a vector from 16 to 255 (got ${vector})`;
        ic.injectExternal(vector);
      } else return `unknown event '${String(kind)}' (nmi, irq or mc)`;
      kick();
      return undefined;
    },
    events: () => ring.slice(),
  };

  function record(e: Partial<MachineEvent> & Pick<MachineEvent, 'kind' | 'vector'>): MachineEvent {
    const rsp = u64(cpu.rsp());
    const ev: MachineEvent = {
      count: cpu.instructionCount,
      errorCode: -1,
      cplBefore: cpu.cpl,
      cplAfter: cpu.cpl,
      rspBefore: rsp,
      rspAfter: rsp,
      tssSlot: '',
      rip: u64(cpu.ip),
      ...e,
    };
    ring.push(ev);
    if (ring.length > history) ring.shift();
    machine.onEvent?.(ev);
    return ev;
  }

  /** Make the next instruction boundary service the devices. */
  function kick(): void {
    cpu.eventAt = cpu.instructionCount;
    cpu.attention();
  }

  /** Stop the run at this boundary with `r` (the Cpu cannot return a reason from onEvent). */
  function stopNow(r: StopReason, cause: string): void {
    if (pendingStop === StopReason.None) haltedBefore = cpu.halted;
    pendingStop = r;
    machine.stopCause = cause;
    cpu.halted = true;
    cpu.interruptPending = false;
    cpu.eventAt = Infinity;
  }

  cpu.io = {
    in(port: number, size: number): number {
      const v = bus.in(port, size as AccessSize);
      kick();
      return v;
    },
    out(port: number, size: number, value: number): void {
      bus.out(port, size as AccessSize, value);
      kick();
    },
  };

  cpu.mmio = {
    read(mmu, phys: number, size: number): number {
      let v: number;
      if (size === 8) {
        v = bus.readMmio(phys, 4) ?? 0;
        mmu.hi = (bus.readMmio(phys + 4, 4) ?? 0) | 0;
        v |= 0;
      } else if (size === 1 || size === 2 || size === 4) {
        v = bus.readMmio(phys, size) ?? 0;
        if (size === 4) v |= 0;
      } else {
        // Wider accesses (SSE): dword by dword, the low part returned.
        v = 0;
        for (let i = 0; i < size; i += 4) {
          const d = bus.readMmio(phys + i, 4) ?? 0;
          if (i === 0) v = d | 0;
        }
      }
      kick();
      return v;
    },
    write(phys: number, size: number, lo: number, hi: number): void {
      if (size === 8) {
        bus.writeMmio(phys, 4, lo >>> 0);
        bus.writeMmio(phys + 4, 4, hi >>> 0);
      } else if (size === 1 || size === 2 || size === 4) {
        bus.writeMmio(phys, size, size === 4 ? lo >>> 0 : lo & MASK[size]!);
      }
      kick();
    },
  };

  cpu.acknowledgeInterrupt = () => ic.acknowledge();

  cpu.onDeliver = (vector, errorCode, kind, tssSlot, newCpl, newRsp) => {
    record({
      vector,
      kind: nmiDelivering ? 'nmi' : KIND_NAMES[kind] ?? 'external',
      errorCode,
      cplAfter: newCpl,
      rspAfter: u64(newRsp),
      tssSlot,
    });
  };

  /** Whether the guest programmed an NMI source (LINT0/LINT1 or an I/O APIC entry in NMI mode). */
  function nmiSourceProgrammed(): boolean {
    const l = devices.lapic.snapshot().lvt;
    if ((!l.lint0.masked && l.lint0.deliveryMode === 4) || (!l.lint1.masked && l.lint1.deliveryMode === 4)) return true;
    return devices.ioapic.snapshot().entries.some((e) => !e.masked && e.deliveryMode === 4);
  }

  function deliverNmi(): void {
    ic.acknowledgeNmi();
    cpu.nmiBlocked = true;
    nmiDelivering = true;
    try {
      deliverEvent(cpu, 2, -1, EXTERNAL, 1);
    } catch (e) {
      if (e !== FAULT) throw e;
      nmiDelivering = false;
      const r = cpu.exception(cpu.excVector, cpu.excCode);
      if (r !== StopReason.None) stopNow(r, '');
    } finally {
      nmiDelivering = false;
    }
  }

  function machineCheck(): void {
    const info = ic.acknowledgeMachineCheck();
    const mcg = cpu.msrs.get(0x17a) ?? 0n;
    if ((cpu.cr4 & 0x40) === 0 || (mcg & 4n) !== 0n) {
      // CR4.MCE clear, or a machine check while MCIP is set: shutdown (QEMU resets the machine).
      record({ kind: 'shutdown', vector: 18 });
      cpu.lastException = { vector: 18, errorCode: -1, cr2: BigInt(cpu.cr2), rip: u64(cpu.ip) };
      stopNow(StopReason.TripleFault, (cpu.cr4 & 0x40) === 0 ? 'machine check with CR4.MCE = 0: shutdown' : 'machine check while MCG_STATUS.MCIP = 1: shutdown');
      return;
    }
    if (info !== undefined) {
      const b = 0x400 + 4 * info.bank;
      cpu.msrs.set(b + 1, BigInt.asUintN(64, info.status));
      cpu.msrs.set(b + 2, BigInt.asUintN(64, info.addr));
      cpu.msrs.set(b + 3, BigInt.asUintN(64, info.misc));
    }
    cpu.msrs.set(0x17a, 5n); // MCG_STATUS: RIPV | MCIP
    const r = cpu.exception(18, -1);
    if (r !== StopReason.None) stopNow(r, '');
  }

  /** onEvent: advance the devices to now, take what the interrupt controller has, plan the next visit. */
  cpu.onEvent = () => {
    const now = cpu.instructionCount;
    if (now >= clock.nextEvent) devices.advance(now);
    let next = clock.nextEvent;
    if (ic.pending !== 0) {
      if (ic.hasMachineCheck) {
        machineCheck();
        if (pendingStop !== StopReason.None) return;
      }
      if (ic.hasInit) {
        ic.acknowledgeInit();
        devices.lapic.initReset();
        record({ kind: 'init', vector: -1 });
        stopNow(StopReason.TripleFault, 'INIT received (the CPU would reset; KStack has no firmware to reset into)');
        return;
      }
      if (ic.hasNmi) {
        if (!cpu.nmiBlocked) deliverNmi();
        else if (!cpu.halted) next = now + 1; // look again after IRET unblocks NMIs
        if (pendingStop !== StopReason.None) return;
      }
      if (ic.hasInterrupt()) cpu.raiseInterrupt();
    }
    if (cpu.halted && (cpu.flagsReg & 0x200) === 0 && !ic.hasNmi && !ic.hasMachineCheck && clock.scheduledCount === 0 && !nmiSourceProgrammed()) {
      // cli; hlt: only an NMI, INIT or #MC could wake the CPU and nothing will send one.
      next = Infinity;
    }
    if (cpu.halted && next !== Infinity && !((cpu.flagsReg & 0x200) !== 0 && ic.hasInterrupt())) {
      if (++haltedVisits >= HALT_SLICE) {
        // Each time skip is a nested call in the Cpu: return to run() (Hlt) and resume from there.
        haltedVisits = 0;
        parked = true;
        next = Infinity;
      }
    } else haltedVisits = 0;
    cpu.eventAt = next;
  };

  return machine;
}

/** A one-line description of an event (for post-mortems). */
export function describeEvent(e: MachineEvent): string {
  const hex = (v: bigint) => '0x' + v.toString(16);
  if (e.kind === 'debug-exit') return `#${e.count} isa-debug-exit value ${e.errorCode}`;
  if (e.kind === 'init' || e.kind === 'shutdown') return `#${e.count} ${e.kind} at rip ${hex(e.rip)}`;
  return `#${e.count} ${e.kind} vector ${e.vector}${e.errorCode >= 0 ? ` error 0x${e.errorCode.toString(16)}` : ''} rip ${hex(e.rip)} cpl ${e.cplBefore}->${e.cplAfter} rsp ${hex(e.rspBefore)}->${hex(e.rspAfter)}${e.tssSlot ? ` (${e.tssSlot})` : ''}`;
}

