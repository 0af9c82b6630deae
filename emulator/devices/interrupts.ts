// Interrupt plumbing between the devices and the CPU.
//
// The CPU tests one field, `InterruptController.pending`, at every instruction boundary (0 means
// nothing to do). When it is non-zero, the CPU checks, in the SDM's priority order:
//   1. hasMachineCheck -> acknowledgeMachineCheck(), deliver #MC (vector 18)
//   2. hasInit         -> acknowledgeInit(), perform INIT (see README)
//   3. hasNmi          -> (if NMIs are not blocked) acknowledgeNmi(), deliver vector 2
//   4. hasInterrupt()  -> (if RFLAGS.IF=1 and no interrupt shadow) acknowledge() -> vector
// and wakes from HLT on any of them (INTR only when IF=1).
//
// Maskable interrupts come from the local APIC (IRR/ISR/PPR logic) and from the 8259 pair, whose
// INT output reaches the CPU through the local APIC's LINT0 pin programmed as ExtINT (virtual wire
// mode, QEMU's reset default on the BSP) or directly when the local APIC is globally disabled in
// IA32_APIC_BASE. Like QEMU, a pending ExtINT from the PIC is taken before APIC fixed vectors.

export const PENDING_NMI = 1;
export const PENDING_INTR = 2;
export const PENDING_MCE = 4;
export const PENDING_INIT = 8;

/** One ISA interrupt line as seen by a device: drive it high or low. */
export type IrqLine = (level: boolean) => void;

/** What the controller needs from the local APIC. */
export interface ApicSide {
  /** Highest fixed vector deliverable now (SVR enabled, IRR priority class above PPR), or -1. */
  pendingVector(): number;
  /** INTA on the APIC: move the highest deliverable IRR vector to ISR and return it (-1 if none). */
  acknowledgeFixed(): number;
  /** Whether the PIC's INT output is passed to the CPU (APIC disabled, or LINT0 unmasked ExtINT). */
  acceptsPic(): boolean;
  /** An ExtINT message (from the I/O APIC) is waiting for its vector from the PIC. */
  extIntPending: boolean;
  /** Whether fixed interrupts can be posted to the APIC (it is globally enabled). */
  readonly hardwareEnabled: boolean;
  /** Post a fixed-mode edge interrupt (IRR). */
  postFixed(vector: number, level: boolean): void;
  eoi(): void;
}

/** What the controller needs from the 8259 pair. */
export interface PicSide {
  /** The master's INT output level. */
  readonly output: boolean;
  /** INTA cycle: returns the vector (base+7 of the master for a spurious interrupt). */
  acknowledge(): number;
}

export interface MachineCheckInfo {
  /** Bank number the CPU should report in (default 0). */
  bank: number;
  /** IA32_MCi_STATUS value to load (default: VAL|UC|PCC, bits 63, 61, 57). */
  status: bigint;
  addr: bigint;
  misc: bigint;
}

export class InterruptController {
  /** Hot-path field: PENDING_* bits. The INTR bit means a maskable interrupt could be taken now. */
  pending = 0;
  private nmi = false;
  private mce = false;
  private init = false;
  /** Vectors injected while the APIC is globally disabled: supplied on the next INTA. */
  private readonly external: number[] = [];
  /** Details of the last injected machine check, for the CPU's MCA MSRs. */
  machineCheckInfo: MachineCheckInfo | undefined;
  apic: ApicSide | undefined;
  pic: PicSide | undefined;
  /** Counters for the debugger: events raised on the CPU's interrupt lines. */
  readonly stats = { nmi: 0, init: 0, machineCheck: 0, intAcks: 0, spurious: 0 };

  attach(apic: ApicSide | undefined, pic: PicSide | undefined): void {
    this.apic = apic;
    this.pic = pic;
    this.update();
  }

  /** Recompute `pending`. Devices call this whenever an input to the decision changes. */
  update(): void {
    let p = 0;
    if (this.mce) p |= PENDING_MCE;
    if (this.init) p |= PENDING_INIT;
    if (this.nmi) p |= PENDING_NMI;
    if (this.intrReady()) p |= PENDING_INTR;
    this.pending = p;
  }

  private picReady(): boolean {
    const pic = this.pic;
    if (pic === undefined || !pic.output) return false;
    return this.apic === undefined || this.apic.acceptsPic() || this.apic.extIntPending;
  }

  private intrReady(): boolean {
    if (this.external.length) return true;
    if (this.picReady()) return true;
    return this.apic !== undefined && this.apic.pendingVector() >= 0;
  }

  get hasNmi(): boolean {
    return this.nmi;
  }

  get hasMachineCheck(): boolean {
    return this.mce;
  }

  get hasInit(): boolean {
    return this.init;
  }

  /** Whether a maskable interrupt is ready (the CPU still checks IF and the interrupt shadow). */
  hasInterrupt(): boolean {
    return (this.pending & PENDING_INTR) !== 0;
  }

  /**
   * The CPU takes a maskable interrupt: returns its vector (0-255), or -1 if nothing is ready
   * after all. ExtINT (PIC) first, as QEMU, then APIC fixed vectors by priority.
   */
  acknowledge(): number {
    let v = -1;
    if (this.external.length) {
      v = this.external.shift()!;
    } else if (this.picReady()) {
      if (this.apic) this.apic.extIntPending = false;
      v = this.pic!.acknowledge();
    } else if (this.apic !== undefined) {
      v = this.apic.acknowledgeFixed();
    }
    if (v >= 0) this.stats.intAcks++;
    this.update();
    return v;
  }

  acknowledgeNmi(): void {
    this.nmi = false;
    this.update();
  }

  acknowledgeMachineCheck(): MachineCheckInfo | undefined {
    this.mce = false;
    this.update();
    return this.machineCheckInfo;
  }

  acknowledgeInit(): void {
    this.init = false;
    this.update();
  }

  /** EOI on the local APIC (same as the guest writing its EOI register). */
  eoi(): void {
    this.apic?.eoi();
  }

  // ---- raised by devices ----

  /** NMI line edge (APIC LINT1/ICR/I/O APIC delivery). NMIs do not queue: one pending at most. */
  raiseNmi(): void {
    this.nmi = true;
    this.stats.nmi++;
    this.update();
  }

  raiseInit(): void {
    this.init = true;
    this.stats.init++;
    this.update();
  }

  // ---- the debugger's deterministic injection API (schedule them with Clock.schedule) ----

  /** Inject an NMI straight to the CPU (not through LINT1, so it works whatever the LVT says). */
  injectNmi(): void {
    this.raiseNmi();
  }

  /**
   * Inject an external interrupt with `vector` (16-255), as an I/O APIC or MSI message would: it is
   * posted in the local APIC's IRR (edge), so TPR/PPR, ISR and EOI apply. With the APIC globally
   * disabled it is supplied on the next interrupt acknowledge instead.
   */
  injectExternal(vector: number): void {
    vector &= 0xff;
    if (this.apic !== undefined && this.apic.hardwareEnabled) this.apic.postFixed(vector, false);
    else this.external.push(vector);
    this.update();
  }

  /** Raise a machine check: the CPU delivers #MC (vector 18) at the next instruction boundary. */
  injectMachineCheck(info: Partial<MachineCheckInfo> = {}): void {
    this.machineCheckInfo = {
      bank: info.bank ?? 0,
      status: info.status ?? ((1n << 63n) | (1n << 61n) | (1n << 57n)),
      addr: info.addr ?? 0n,
      misc: info.misc ?? 0n,
    };
    this.mce = true;
    this.stats.machineCheck++;
    this.update();
  }
}

/** The two ends an ISA IRQ reaches on a PC: the 8259 input and an I/O APIC pin. */
export interface IrqSink {
  setIrq(irq: number, level: boolean): void;
}

/**
 * ISA IRQ routing as on QEMU's PC: ISA IRQ n goes to 8259 input n and to I/O APIC pin n, except
 * IRQ0 (the PIT), which reaches I/O APIC pin 2 (the usual interrupt source override).
 */
export class IsaIrqRouter {
  constructor(
    private readonly pic: IrqSink | undefined,
    private readonly ioapic: IrqSink | undefined,
  ) {}

  set(irq: number, level: boolean): void {
    this.pic?.setIrq(irq, level);
    this.ioapic?.setIrq(irq === 0 ? 2 : irq, level);
  }

  /** A line for one device. */
  line(irq: number): IrqLine {
    return (level: boolean) => this.set(irq, level);
  }
}
