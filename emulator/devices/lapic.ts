// Local APIC (xAPIC, memory-mapped at IA32_APIC_BASE, 0xFEE00000 by default), one CPU.
//
// Follows QEMU's APIC model (version 0x14, six LVT entries) where it is specific, and the SDM
// elsewhere; the differences are listed in README.md. The timer counts at APIC_TIMER_HZ (one tick
// per guest ns) divided by the divide configuration register, exactly as QEMU computes it:
// one-shot expiry at load + (initial+1) * divisor, periodic period (initial+1) * divisor.

import type { AccessSize, IoBus, MmioDevice, MmioRegion } from './bus';
import type { Clock, TimedDevice } from './clock';
import type { ApicSide, InterruptController } from './interrupts';

export const LAPIC_DEFAULT_BASE = 0xfee00000;
export const APIC_BASE_BSP = 1 << 8;
export const APIC_BASE_ENABLE = 1 << 11;
/** QEMU 7.2: version 0x14, max LVT entry 5 (six LVTs: timer, thermal, perf, LINT0, LINT1, error). */
export const LAPIC_VERSION = 0x00050014;

export const LVT_TIMER = 0;
export const LVT_THERMAL = 1;
export const LVT_PERF = 2;
export const LVT_LINT0 = 3;
export const LVT_LINT1 = 4;
export const LVT_ERROR = 5;
const LVT_NAMES = ['timer', 'thermal', 'perf', 'lint0', 'lint1', 'error'] as const;

const LVT_MASKED = 1 << 16;
const LVT_LEVEL = 1 << 15;
const LVT_PERIODIC = 1 << 17;
/** Writable bits of each LVT (SDM layout; delivery status and remote IRR are read-only). */
const LVT_WRITABLE = [
  0x000300ff, // timer: vector, mask, periodic (TSC-deadline not supported)
  0x000107ff, // thermal: vector, delivery mode, mask
  0x000107ff, // perf
  0x0001a7ff, // LINT0: vector, delivery mode, polarity, trigger, mask
  0x0001a7ff, // LINT1
  0x000100ff, // error: vector, mask
];

export const DM_FIXED = 0;
export const DM_LOWEST = 1;
export const DM_SMI = 2;
export const DM_NMI = 4;
export const DM_INIT = 5;
export const DM_STARTUP = 6;
export const DM_EXTINT = 7;

export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
export const ESR_ILLEGAL_REGISTER = 1 << 7;

export interface LvtSnapshot {
  raw: number;
  vector: number;
  deliveryMode: number;
  masked: boolean;
  level: boolean;
  periodic?: boolean;
}

export interface LapicSnapshot {
  id: number;
  version: number;
  apicBase: number;
  hardwareEnabled: boolean;
  softwareEnabled: boolean;
  tpr: number;
  ppr: number;
  svr: number;
  ldr: number;
  dfr: number;
  esr: number;
  icr: { low: number; high: number };
  /** Vectors whose bit is set, ascending. */
  irr: number[];
  isr: number[];
  tmr: number[];
  lvt: Record<(typeof LVT_NAMES)[number], LvtSnapshot>;
  timer: {
    mode: 'one-shot' | 'periodic';
    masked: boolean;
    vector: number;
    divideConfig: number;
    divisor: number;
    initialCount: number;
    currentCount: number;
    /** Guest time of the next expiry, or null if none is scheduled. */
    nextExpiry: number | null;
    expirations: number;
  };
}

function highestBit(tab: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = tab[i]!;
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

function bitList(tab: Uint32Array): number[] {
  const out: number[] = [];
  for (let v = 0; v < 256; v++) if ((tab[v >>> 5]! >>> (v & 31)) & 1) out.push(v);
  return out;
}

export interface LocalApicOptions {
  ic: InterruptController;
  clock: Clock;
  bus?: IoBus;
  /** APIC ID (0 for the BSP). */
  id?: number;
  bsp?: boolean;
  /** Called on EOI of a level-triggered vector (TMR set): the I/O APIC clears its remote IRR. */
  onLevelEoi?: (vector: number) => void;
}

export class LocalApic implements MmioDevice, TimedDevice, ApicSide {
  id = 0;
  private base = (LAPIC_DEFAULT_BASE | APIC_BASE_BSP | APIC_BASE_ENABLE) >>> 0;
  tpr = 0;
  svr = 0xff;
  ldr = 0;
  dfrModel = 0xf;
  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  readonly lvt = new Uint32Array(6);
  /** Visible ESR (latched by a write to ESR) and errors collected since. */
  esr = 0;
  private esrPending = 0;
  icrLow = 0;
  icrHigh = 0;
  divideConfig = 0;
  private shift = 1;
  initialCount = 0;
  private loadTime = 0;
  private nextFire = Infinity;
  timerExpirations = 0;
  extIntPending = false;
  private lint0Level = false;
  private lint1Level = false;
  private readonly ic: InterruptController;
  private readonly clock: Clock;
  private readonly bus: IoBus | undefined;
  private readonly region: MmioRegion | undefined;
  private readonly bsp: boolean;
  onLevelEoi: ((vector: number) => void) | undefined;

  constructor(opts: LocalApicOptions) {
    this.ic = opts.ic;
    this.clock = opts.clock;
    this.bus = opts.bus;
    this.bsp = opts.bsp ?? true;
    this.onLevelEoi = opts.onLevelEoi;
    this.reset(opts.id ?? 0);
    if (this.bus) this.region = this.bus.registerMmio(LAPIC_DEFAULT_BASE, 0x1000, this, 'local APIC');
    this.clock.add(this);
  }

  /** Power-on reset (QEMU apic_reset_common): base 0xFEE00000 enabled, INIT state, LINT0 ExtINT on the BSP. */
  reset(id = this.id): void {
    this.id = id & 0xff;
    this.base = (LAPIC_DEFAULT_BASE | (this.bsp ? APIC_BASE_BSP : 0) | APIC_BASE_ENABLE) >>> 0;
    this.initReset();
    if (this.bsp) this.lvt[LVT_LINT0] = DM_EXTINT << 8;
    if (this.region && this.bus) {
      this.bus.moveMmio(this.region, LAPIC_DEFAULT_BASE);
      this.bus.setMmioEnabled(this.region, true);
    }
    this.ic.update();
  }

  /** INIT: registers to their INIT state; ID and IA32_APIC_BASE are kept (QEMU apic_init_reset). */
  initReset(): void {
    this.tpr = 0;
    this.svr = 0xff;
    this.ldr = 0;
    this.dfrModel = 0xf;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.lvt.fill(LVT_MASKED);
    this.esr = 0;
    this.esrPending = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.divideConfig = 0;
    this.shift = 1;
    this.initialCount = 0;
    this.loadTime = 0;
    this.nextFire = Infinity;
    this.extIntPending = false;
    this.clock.reschedule();
    this.ic.update();
  }

  // ---- IA32_APIC_BASE (MSR 0x1B): the CPU's RDMSR/WRMSR use this ----

  /** The IA32_APIC_BASE value: base | EN (bit 11) | BSP (bit 8). */
  get apicBase(): number {
    return this.base;
  }

  /**
   * WRMSR IA32_APIC_BASE (the CPU checks reserved bits and raises #GP itself). As QEMU: the base is
   * bits 12-31, BSP is read-only, and once EN is cleared the APIC stays disabled until reset.
   */
  set apicBase(value: number) {
    const enabled = (this.base & APIC_BASE_ENABLE) !== 0 && (value & APIC_BASE_ENABLE) !== 0;
    const newBase = (value & 0xfffff000) >>> 0;
    this.base = (newBase | (this.base & APIC_BASE_BSP) | (enabled ? APIC_BASE_ENABLE : 0)) >>> 0;
    if (!enabled) this.svr &= ~0x100;
    if (this.region && this.bus) {
      this.bus.moveMmio(this.region, newBase);
      this.bus.setMmioEnabled(this.region, enabled);
    }
    this.ic.update();
  }

  get hardwareEnabled(): boolean {
    return (this.base & APIC_BASE_ENABLE) !== 0;
  }

  get softwareEnabled(): boolean {
    return (this.svr & 0x100) !== 0;
  }

  /** MOV from CR8: TPR bits 7:4. */
  get cr8(): number {
    return this.tpr >>> 4;
  }

  /** MOV to CR8. */
  set cr8(v: number) {
    this.tpr = (v & 0xf) << 4;
    this.ic.update();
  }

  get ppr(): number {
    const isrv = Math.max(highestBit(this.isr), 0) & 0xf0;
    return (this.tpr & 0xf0) >= isrv ? this.tpr : isrv;
  }

  // ---- ApicSide ----

  pendingVector(): number {
    if ((this.svr & 0x100) === 0) return -1;
    const v = highestBit(this.irr);
    if (v < 0) return -1;
    return (v & 0xf0) <= (this.ppr & 0xf0) ? -1 : v;
  }

  acknowledgeFixed(): number {
    const v = this.pendingVector();
    if (v < 0) return -1;
    this.irr[v >>> 5]! &= ~(1 << (v & 31));
    this.isr[v >>> 5]! |= 1 << (v & 31);
    return v;
  }

  acceptsPic(): boolean {
    if ((this.base & APIC_BASE_ENABLE) === 0) return true;
    const l = this.lvt[LVT_LINT0]!;
    return (l & LVT_MASKED) === 0 && ((l >>> 8) & 7) === DM_EXTINT;
  }

  /** Post a fixed interrupt into IRR (from the I/O APIC, an IPI, an LVT or the debugger). */
  postFixed(vector: number, level: boolean): void {
    vector &= 0xff;
    if (vector < 16) {
      this.error(ESR_RECEIVE_ILLEGAL_VECTOR);
      return;
    }
    const w = vector >>> 5;
    const bit = 1 << (vector & 31);
    this.irr[w]! |= bit;
    if (level) this.tmr[w]! |= bit;
    else this.tmr[w]! &= ~bit;
    this.ic.update();
  }

  /** EOI: retire the highest in-service vector; level-triggered ones are broadcast to the I/O APIC. */
  eoi(): void {
    const v = highestBit(this.isr);
    if (v < 0) return;
    const w = v >>> 5;
    const bit = 1 << (v & 31);
    this.isr[w]! &= ~bit;
    if (this.tmr[w]! & bit) this.onLevelEoi?.(v);
    this.ic.update();
  }

  /**
   * A message from the I/O APIC (or an MSI): deliver if `dest` (physical or logical) names this APIC.
   */
  receive(deliveryMode: number, vector: number, level: boolean, dest: number, logical: boolean): void {
    if (!this.matchesDestination(dest, logical)) return;
    this.deliverLocal(deliveryMode, vector, level);
  }

  /** An ExtINT message: the vector comes from the PIC on INTA. */
  private requestExtInt(): void {
    this.extIntPending = true;
    this.ic.update();
  }

  private deliverLocal(mode: number, vector: number, level: boolean): void {
    switch (mode) {
      case DM_FIXED:
      case DM_LOWEST:
        this.postFixed(vector, level);
        break;
      case DM_NMI:
        this.ic.raiseNmi();
        break;
      case DM_INIT:
        this.ic.raiseInit();
        break;
      case DM_EXTINT:
        this.requestExtInt();
        break;
      default:
        // SMI (no SMM), start-up (the BSP is never waiting for SIPI): ignored.
        break;
    }
  }

  matchesDestination(dest: number, logical: boolean): boolean {
    dest &= 0xff;
    if (!logical) return dest === 0xff || dest === this.id;
    if (dest === 0xff) return true;
    if (this.dfrModel === 0xf) return (dest & this.ldr) !== 0;
    if (this.dfrModel === 0x0) return (dest & 0xf0) === (this.ldr & 0xf0) && (dest & this.ldr & 0x0f) !== 0;
    return false;
  }

  /** Deliver through an LVT entry (masked entries do nothing). */
  private localDeliver(n: number): void {
    const l = this.lvt[n]!;
    if (l & LVT_MASKED) return;
    const mode = n === LVT_TIMER || n === LVT_ERROR ? DM_FIXED : (l >>> 8) & 7;
    switch (mode) {
      case DM_FIXED: {
        const level = (n === LVT_LINT0 || n === LVT_LINT1) && (l & LVT_LEVEL) !== 0;
        if ((l & 0xff) < 16) {
          if (n !== LVT_ERROR) this.error(ESR_RECEIVE_ILLEGAL_VECTOR);
          return;
        }
        this.postFixed(l & 0xff, level);
        break;
      }
      case DM_NMI:
        this.ic.raiseNmi();
        break;
      case DM_INIT:
        this.ic.raiseInit();
        break;
      case DM_EXTINT:
        this.ic.update();
        break;
      default:
        break;
    }
  }

  /** LINT0 input pin (the PIC's INT output in a PC). */
  setLint0(level: boolean): void {
    const rising = level && !this.lint0Level;
    this.lint0Level = level;
    if (rising) this.localDeliver(LVT_LINT0);
    this.ic.update();
  }

  /** LINT1 input pin (the NMI line in a PC). */
  setLint1(level: boolean): void {
    const rising = level && !this.lint1Level;
    this.lint1Level = level;
    if (rising) this.localDeliver(LVT_LINT1);
  }

  private error(bits: number): void {
    const fresh = bits & ~this.esrPending;
    this.esrPending |= bits;
    if (fresh) this.localDeliver(LVT_ERROR);
  }

  // ---- timer ----

  get divisor(): number {
    return 2 ** this.shift;
  }

  private timerPeriodic(): boolean {
    return (this.lvt[LVT_TIMER]! & LVT_PERIODIC) !== 0;
  }

  /** Ticks since the count was loaded (after the divider). */
  private ticksAt(now: number): number {
    return Math.floor(Math.max(0, now - this.loadTime) / 2 ** this.shift);
  }

  currentCount(now = this.clock.now()): number {
    const init = this.initialCount;
    if (init === 0) return 0;
    const d = this.ticksAt(now);
    if (this.timerPeriodic()) return init - (d % (init + 1));
    return d >= init ? 0 : init - d;
  }

  /** Recompute the next expiry after `now` (QEMU apic_next_timer). */
  private timerUpdate(now: number): void {
    this.nextFire = Infinity;
    const init = this.initialCount;
    if ((this.lvt[LVT_TIMER]! & LVT_MASKED) === 0 && init !== 0) {
      const d = this.ticksAt(now);
      let ticks: number;
      if (this.timerPeriodic()) {
        ticks = (Math.floor(d / (init + 1)) + 1) * (init + 1);
      } else {
        ticks = d >= init ? -1 : init + 1;
      }
      if (ticks >= 0) this.nextFire = this.loadTime + ticks * 2 ** this.shift;
    }
    this.clock.reschedule();
  }

  nextEventAt(): number {
    return this.nextFire;
  }

  advance(now: number): void {
    if (now < this.nextFire) return;
    this.timerExpirations++;
    this.localDeliver(LVT_TIMER);
    if (this.timerPeriodic()) {
      this.timerUpdate(Math.max(now, this.nextFire));
    } else {
      this.nextFire = Infinity;
      this.clock.reschedule();
    }
  }

  // ---- ICR ----

  private sendIpi(): void {
    const low = this.icrLow;
    const vector = low & 0xff;
    const mode = (low >>> 8) & 7;
    const logical = (low & (1 << 11)) !== 0;
    const assert = (low & (1 << 14)) !== 0;
    const levelTrig = (low & (1 << 15)) !== 0;
    const shorthand = (low >>> 18) & 3;
    if (mode === DM_INIT && !assert && levelTrig) return; // INIT level de-assert: no effect
    if ((mode === DM_FIXED || mode === DM_LOWEST) && vector < 16) {
      this.error(ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    let toSelf: boolean;
    switch (shorthand) {
      case 1: // self
      case 2: // all including self
        toSelf = true;
        break;
      case 3: // all excluding self: no other CPU
        toSelf = false;
        break;
      default:
        toSelf = this.matchesDestination(this.icrHigh >>> 24, logical);
    }
    if (!toSelf) return;
    if (mode === DM_EXTINT || mode === DM_STARTUP || mode === DM_SMI) return;
    this.deliverLocal(mode, vector, false);
  }

  // ---- MMIO ----

  mmioRead(offset: number, size: AccessSize): number {
    // As QEMU: only dword accesses; the register is offset bits 4-11 (bits 0-3 are not decoded).
    if (size !== 4) return 0;
    const index = (offset >>> 4) & 0xff;
    switch (index) {
      case 0x02:
        return (this.id << 24) >>> 0;
      case 0x03:
        return LAPIC_VERSION;
      case 0x08:
        return this.tpr;
      case 0x09:
        return 0; // APR: QEMU reports 0
      case 0x0a:
        return this.ppr;
      case 0x0b:
        return 0;
      case 0x0d:
        return (this.ldr << 24) >>> 0;
      case 0x0e:
        return ((this.dfrModel << 28) | 0x0fffffff) >>> 0;
      case 0x0f:
        return this.svr;
      case 0x28:
        return this.esr;
      case 0x30:
        return this.icrLow;
      case 0x31:
        return this.icrHigh;
      case 0x38:
        return this.initialCount;
      case 0x39:
        return this.currentCount();
      case 0x3e:
        return this.divideConfig;
      default:
        if (index >= 0x10 && index <= 0x17) return this.isr[index - 0x10]! >>> 0;
        if (index >= 0x18 && index <= 0x1f) return this.tmr[index - 0x18]! >>> 0;
        if (index >= 0x20 && index <= 0x27) return this.irr[index - 0x20]! >>> 0;
        if (index >= 0x32 && index <= 0x37) return this.lvt[index - 0x32]! >>> 0;
        this.error(ESR_ILLEGAL_REGISTER);
        return 0;
    }
  }

  mmioWrite(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    value >>>= 0;
    const index = (offset >>> 4) & 0xff;
    switch (index) {
      case 0x02:
        this.id = value >>> 24;
        return;
      case 0x08:
        this.tpr = value & 0xff;
        this.ic.update();
        return;
      case 0x0b:
        this.eoi();
        return;
      case 0x0d:
        this.ldr = value >>> 24;
        return;
      case 0x0e:
        this.dfrModel = value >>> 28;
        return;
      case 0x0f:
        this.svr = value & 0x1ff;
        this.ic.update();
        return;
      case 0x28:
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case 0x30:
        this.icrLow = value & 0x000ccfff;
        this.sendIpi();
        return;
      case 0x31:
        this.icrHigh = value & 0xff000000;
        return;
      case 0x38: {
        this.initialCount = value;
        this.loadTime = this.clock.now();
        this.timerUpdate(this.loadTime);
        return;
      }
      case 0x3e: {
        this.divideConfig = value & 0xb;
        const v = (value & 3) | ((value >>> 1) & 4);
        this.shift = (v + 1) & 7;
        this.timerUpdate(this.clock.now());
        return;
      }
      case 0x03:
      case 0x09:
      case 0x0a:
      case 0x39:
        return; // read-only
      default:
        if (index >= 0x10 && index <= 0x27) return; // ISR/TMR/IRR read-only
        if (index >= 0x32 && index <= 0x37) {
          const n = index - 0x32;
          this.lvt[n] = (value & LVT_WRITABLE[n]!) >>> 0;
          if (n === LVT_TIMER) this.timerUpdate(this.clock.now());
          if (n === LVT_LINT0) {
            if (this.lint0Level) this.localDeliver(LVT_LINT0);
            this.ic.update();
          }
          return;
        }
        this.error(ESR_ILLEGAL_REGISTER);
    }
  }

  // ---- inspection ----

  snapshot(now = this.clock.now()): LapicSnapshot {
    const lvtSnap = (n: number): LvtSnapshot => {
      const raw = this.lvt[n]!;
      const s: LvtSnapshot = {
        raw,
        vector: raw & 0xff,
        deliveryMode: n === LVT_TIMER || n === LVT_ERROR ? DM_FIXED : (raw >>> 8) & 7,
        masked: (raw & LVT_MASKED) !== 0,
        level: (raw & LVT_LEVEL) !== 0,
      };
      if (n === LVT_TIMER) s.periodic = (raw & LVT_PERIODIC) !== 0;
      return s;
    };
    const lvt = {} as LapicSnapshot['lvt'];
    LVT_NAMES.forEach((name, n) => (lvt[name] = lvtSnap(n)));
    const t = this.lvt[LVT_TIMER]!;
    return {
      id: this.id,
      version: LAPIC_VERSION,
      apicBase: this.base,
      hardwareEnabled: this.hardwareEnabled,
      softwareEnabled: this.softwareEnabled,
      tpr: this.tpr,
      ppr: this.ppr,
      svr: this.svr,
      ldr: this.ldr,
      dfr: this.dfrModel,
      esr: this.esr,
      icr: { low: this.icrLow, high: this.icrHigh },
      irr: bitList(this.irr),
      isr: bitList(this.isr),
      tmr: bitList(this.tmr),
      lvt,
      timer: {
        mode: t & LVT_PERIODIC ? 'periodic' : 'one-shot',
        masked: (t & LVT_MASKED) !== 0,
        vector: t & 0xff,
        divideConfig: this.divideConfig,
        divisor: this.divisor,
        initialCount: this.initialCount,
        currentCount: this.currentCount(now),
        nextExpiry: this.nextFire === Infinity ? null : this.nextFire,
        expirations: this.timerExpirations,
      },
    };
  }
}
