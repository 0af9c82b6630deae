// The debugging engine: a program in a machine, and everything a debugger does with it (run
// control, breakpoints, stepping by line and by instruction, the state a UI shows), independent
// of the Debug Adapter Protocol. It runs the CPU in slices and yields to the host between them,
// so requests (pause above all) are answered while the guest runs. It emits events; the session
// turns each into one DAP event.

import { StopReason } from '../emulator/cpu/cpu';
import type { Cpu } from '../emulator/cpu/cpu';
import type { Diagnostic } from '../asm/diagnostics';
import { Breakpoints, hitConditionMet, type CodeBreakpoint, type DataBreakpoint } from './breakpoints';
import { checkLaunchArguments, type LaunchArguments, type LaunchConfig } from './config';
import { DebugInfo } from './debuginfo';
import { decodeAt } from './disasm';
import { DebugError, Errors, messageOf } from './errors';
import { evaluate, formatValue, interpolate, type EvalContext, type Value } from './expressions';
import type { DebugHost } from './host';
import { pcMachine, type Machine, type MachineFactory } from './machine';
import { hex, readInt, writeInt, translate } from './memory';
import { AssemblyFailure, loadProgram, type Program } from './program';
import { readRegister, writeRegister } from './registers';
import { unwind, type Frame } from './stack';
import { CpuWatches } from './watch';
import { StackView } from './stacks';

export type EngineState = 'idle' | 'stopped' | 'running' | 'terminated';

export interface StopInfo {
  /** DAP stop reason: entry, step, breakpoint, function breakpoint, instruction breakpoint, data breakpoint, pause, exception, goto, halt. */
  reason: string;
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
}

export type EngineEvent =
  | ({ type: 'stopped' } & StopInfo)
  | { type: 'continued' }
  | { type: 'output'; category: 'console' | 'stdout' | 'stderr' | 'important'; text: string; file?: string; line?: number; column?: number }
  | { type: 'exited'; exitCode: number }
  | { type: 'terminated' }
  | { type: 'breakpoint'; bp: CodeBreakpoint }
  | { type: 'progressStart'; id: string; title: string; message: string }
  | { type: 'progressUpdate'; id: string; message: string }
  | { type: 'progressEnd'; id: string; message: string };

export interface ExceptionStop {
  vector: number;
  errorCode: number;
  cr2: bigint;
  rip: bigint;
  /** The intercepted exception has not been delivered yet: resuming delivers it. */
  pendingDelivery: boolean;
  tripleFault: boolean;
}

export type Granularity = 'line' | 'instruction';

/** A stop a run must make when it reaches `address` and `when()` holds (stepping over a call). */
interface Target {
  address: bigint;
  when: () => boolean;
}

type Outcome = StopInfo | { exit: number; why: string };

/** A unit of run control: advance() executes up to `budget` instructions; null = not done. */
interface Task {
  advance(budget: number): Outcome | null;
  /** True for runs that may last (continue, step over/out): they report progress. */
  long: boolean;
}

const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range', 6: '#UD invalid opcode',
  7: '#NM device not available', 8: '#DF double fault', 10: '#TS invalid TSS', 11: '#NP segment not present', 12: '#SS stack fault',
  13: '#GP general protection', 14: '#PF page fault', 16: '#MF x87 error', 17: '#AC alignment check', 18: '#MC machine check',
  19: '#XM SIMD exception', 20: '#VE virtualization', 21: '#CP control protection',
};
export function exceptionName(v: number): string {
  return EXCEPTION_NAMES[v] ?? `exception ${v}`;
}

/** Exception filters: id -> vectors. */
export const EXCEPTION_FILTERS: { id: string; label: string; vectors: number[]; default: boolean; description: string }[] = [
  { id: 'faults', label: 'All CPU exceptions', vectors: [0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21], default: false, description: 'Stop before the CPU delivers any exception (vectors 0-31 except #BP)' },
  { id: 'pf', label: '#PF page fault', vectors: [14], default: false, description: 'Stop before a page fault is delivered' },
  { id: 'gp', label: '#GP general protection', vectors: [13], default: false, description: 'Stop before a general-protection fault is delivered' },
  { id: 'ud', label: '#UD invalid opcode', vectors: [6], default: false, description: 'Stop before an invalid-opcode exception is delivered' },
  { id: 'df', label: '#DF double fault', vectors: [8], default: true, description: 'Stop before a double fault is delivered' },
  { id: 'bp', label: '#BP int3', vectors: [3], default: false, description: 'Stop at INT3 instructions instead of delivering #BP to the guest' },
];

/** Slice length: the CPU runs this long between two looks at the request queue. */
const SLICE_MS = 8;
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 500;

export class Engine {
  state: EngineState = 'idle';
  config?: LaunchConfig;
  program?: Program;
  machine?: Machine;
  readonly breakpoints: Breakpoints;
  /** The last stop (for exceptionInfo). */
  lastStop?: StopInfo;
  exception?: ExceptionStop;
  private listener: (e: EngineEvent) => void = () => {};
  private task: Task | null = null;
  private pauseRequested = false;
  private interceptMask = 0;
  private dead: string | null = null;
  private serialDecoder = new TextDecoder();
  private serialBuffer = '';
  private progressId = 0;
  private runGeneration = 0;
  /** Instructions per slice, adapted so a slice takes about SLICE_MS. */
  private sliceBudget = 200_000;
  /** The CPU's watchpoints for the data breakpoints (one set per machine). */
  private watches?: CpuWatches;
  /** The stacks: switch history, detectors, the Stacks scope (stacks.ts). */
  readonly stackView = new StackView((text, category) => this.emit({ type: 'output', category, text }), (a) => this.where(a));

  constructor(
    readonly host: DebugHost,
    private readonly machineFactory: MachineFactory = pcMachine,
  ) {
    this.breakpoints = new Breakpoints(DebugInfo.empty(), () => this.syncBreakpoints());
    this.setExceptionFilters(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.id));
  }

  onEvent(fn: (e: EngineEvent) => void): void {
    this.listener = fn;
  }

  private emit(e: EngineEvent): void {
    this.listener(e);
  }

  get cpu(): Cpu {
    if (!this.machine) throw Errors.notLaunched();
    return this.machine.cpu;
  }

  get debug(): DebugInfo {
    return this.program?.debug ?? DebugInfo.empty();
  }

  // ---- launch ------------------------------------------------------------------------------------

  /** Checks the configuration, loads the program and puts it in a new machine (stopped at entry). */
  launch(args: LaunchArguments): void {
    if (this.state === 'terminated') throw Errors.terminated();
    if (this.machine) throw Errors.alreadyLaunched();
    const config = checkLaunchArguments(args ?? {});
    this.load(config);
  }

  private load(config: LaunchConfig): void {
    let program: Program;
    let diagnostics: Diagnostic[];
    try {
      ({ program, diagnostics } = loadProgram(this.host, config));
    } catch (e) {
      if (e instanceof AssemblyFailure) {
        this.reportDiagnostics(e.diagnostics);
        throw e.error;
      }
      throw e;
    }
    this.reportDiagnostics(diagnostics);
    let serialInput: Uint8Array | undefined;
    if (config.serialInput) {
      const cwd = config.cwd ? this.host.resolvePath(undefined, config.cwd) : this.host.cwd();
      const p = this.host.resolvePath(cwd, config.serialInput);
      serialInput = this.host.readFile(p);
      if (!serialInput) throw Errors.badConfig('serialInput', `names a file that cannot be read: '${p}'`);
    }
    const machine = this.machineFactory({ memoryBytes: config.memoryBytes, serialOutput: (b) => this.onSerial(b), serialInput });
    const err = program.install(machine.cpu);
    if (err) throw Errors.bootFailed(program.path, err);
    machine.cpu.interceptExceptions = config.noDebug ? 0 : this.interceptMask;
    this.config = config;
    this.program = program;
    this.machine = machine;
    this.watches?.clear();
    this.watches = new CpuWatches(machine.cpu);
    this.stackView.attach(machine, program.debug, config);
    this.dead = null;
    this.exception = undefined;
    this.state = 'stopped';
    for (const w of program.warnings) this.emit({ type: 'output', category: 'console', text: `kstack: ${w}\n` });
    if (!machine.hasSerial) void 0;
    for (const bp of this.breakpoints.reresolve(program.debug)) this.emit({ type: 'breakpoint', bp });
    this.syncBreakpoints();
  }

  private reportDiagnostics(ds: Diagnostic[]): void {
    for (const d of ds) {
      const text = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`;
      this.emit({ type: 'output', category: d.severity === 'error' ? 'stderr' : 'console', text, file: d.file, line: d.line, column: d.column });
    }
  }

  /** After configurationDone: stop at the entry point or start running. */
  start(): void {
    if (!this.machine) throw Errors.notLaunched();
    if (this.config!.stopOnEntry && !this.config!.noDebug) this.stop({ reason: 'entry', description: `Paused on entry (${this.where(this.cpu.rip)})` });
    else this.resume();
  }

  /** Loads the program again (the same or a new configuration) into a new machine. */
  restart(args?: LaunchArguments): void {
    if (!this.config) throw Errors.notLaunched();
    const config = args ? checkLaunchArguments(args) : this.config;
    this.cancelRun();
    this.machine = undefined;
    this.load(config);
    this.start();
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.cancelRun();
    this.flushSerial();
    this.state = 'terminated';
    this.emit({ type: 'terminated' });
  }

  // ---- run control ---------------------------------------------------------------------------------

  private requireStopped(): void {
    if (!this.machine) throw Errors.notLaunched();
    if (this.state === 'terminated') throw Errors.terminated();
    if (this.state === 'running') throw Errors.notStopped();
    if (this.dead) throw Errors.machineDead(this.dead);
  }

  continue(): void {
    this.requireStopped();
    this.resume();
  }

  private resume(): void {
    this.begin({ long: true, advance: (n) => this.runFree(n, null) });
  }

  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
    else if (this.state === 'stopped') this.stop({ reason: 'pause', description: 'Paused' });
  }

  /** Step over (next): by line, or by instruction (a CALL or INT runs to its return). */
  next(granularity: Granularity): void {
    this.requireStopped();
    if (granularity === 'instruction' || !this.debug.lineAt(this.cpu.rip)) this.begin(this.instructionOver());
    else this.begin(this.lineStep('over'));
  }

  stepIn(granularity: Granularity): void {
    this.requireStopped();
    if (granularity === 'instruction' || !this.debug.lineAt(this.cpu.rip)) {
      let done = false;
      this.begin({ long: false, advance: () => (done ? this.stepped() : ((done = true), this.stepOne() ?? this.stepped())) });
    } else this.begin(this.lineStep('in'));
  }

  stepOut(granularity: Granularity): void {
    this.requireStopped();
    this.begin(this.stepOutTask(granularity));
  }

  /** Set next statement: RIP := address. */
  goto(address: bigint): void {
    this.requireStopped();
    this.cpu.rip = address;
    this.exception = undefined;
    this.stop({ reason: 'goto', description: `Jumped to ${this.where(address)}` });
  }

  // ---- tasks ---------------------------------------------------------------------------------------

  private stepped(): StopInfo {
    return { reason: 'step', description: `Stepped to ${this.where(this.cpu.rip)}` };
  }

  /** CALL, INT n, SYSCALL... at RIP: the address execution comes back to. */
  private callAt(rip: bigint): bigint | undefined {
    const ins = decodeAt(this.cpu, rip);
    const m = ins?.form?.mnemonic;
    if (!ins || ins.invalid || !m) return undefined;
    if (m === 'CALL' || m === 'INT' || m === 'INT3' || m === 'INTO' || m === 'INT1' || m === 'SYSCALL' || m === 'SYSENTER') return rip + BigInt(ins.length);
    // REP string instructions repeat in place: step over the whole repetition.
    if ((ins.prefixes & 6) !== 0 && ins.form!.modrm < 0 && /^(MOVS|STOS|LODS|CMPS|SCAS|INS|OUTS)[BWDQ]?$/.test(m)) return rip + BigInt(ins.length);
    return undefined;
  }

  private instructionOver(): Task {
    const rip = this.cpu.rip;
    const ret = this.callAt(rip);
    if (ret === undefined) {
      let done = false;
      return { long: false, advance: () => (done ? this.stepped() : ((done = true), this.stepOne() ?? this.stepped())) };
    }
    const rsp = this.cpu.getReg('rsp');
    const target: Target = { address: ret, when: () => this.cpu.getReg('rsp') >= rsp };
    return { long: true, advance: (n) => this.runFree(n, target) };
  }

  private lineStep(mode: 'over' | 'in'): Task {
    const cpu = this.cpu;
    const start = this.debug.lineAt(cpu.rip)!;
    const startRip = cpu.rip;
    let sub: Target | null = null;
    let first = true;
    const check = (): Outcome | null => {
      const rip = cpu.rip;
      const row = this.debug.lineAt(rip);
      if (!row) return this.stepped();
      if (row.file !== start.file || row.line !== start.line || rip === startRip) return this.stepped();
      return null;
    };
    return {
      long: true,
      advance: (budget) => {
        let left = budget;
        while (left > 0) {
          if (sub) {
            const before = cpu.instructionCount;
            const r = this.runFree(left, sub);
            left -= Math.max(1, cpu.instructionCount - before);
            if (r === null) return null;
            if ('exit' in r || r.reason !== 'step') return r;
            sub = null;
            const c = check();
            if (c) return c;
            continue;
          }
          if (!first) {
            const b = this.userBreakAt(cpu.rip);
            if (b) return b;
          }
          first = false;
          const rip = cpu.rip;
          const ret = this.callAt(rip);
          const rsp = cpu.getReg('rsp');
          if (ret !== undefined && mode === 'over') {
            sub = { address: ret, when: () => cpu.getReg('rsp') >= rsp };
            continue;
          }
          const r = this.stepOne();
          left--;
          if (r) return r;
          // Stepping into code without line information: run until it returns.
          if (ret !== undefined && !this.debug.lineAt(cpu.rip) && cpu.rip !== ret) {
            sub = { address: ret, when: () => cpu.getReg('rsp') >= rsp };
            continue;
          }
          const c = check();
          if (c) return c;
        }
        return null;
      },
    };
  }

  private stepOutTask(granularity: Granularity): Task {
    const cpu = this.cpu;
    const startRsp = cpu.getReg('rsp');
    let first = true;
    let returned = false;
    let sub: Target | null = null;
    return {
      long: true,
      advance: (budget) => {
        let left = budget;
        while (left > 0) {
          if (sub) {
            const before = cpu.instructionCount;
            const r = this.runFree(left, sub);
            left -= Math.max(1, cpu.instructionCount - before);
            if (r === null) return null;
            if ('exit' in r || r.reason !== 'step') return r;
            sub = null;
            continue;
          }
          if (returned) {
            // By line: finish the caller's line (a return lands inside the line of the CALL only
            // when the call is not the last instruction of its line).
            const row = this.debug.lineAt(cpu.rip);
            if (granularity === 'instruction' || !row || row.address === cpu.rip) return this.stepped();
          }
          if (!first) {
            const b = this.userBreakAt(cpu.rip);
            if (b) return b;
          }
          first = false;
          const rip = cpu.rip;
          const ins = decodeAt(cpu, rip);
          const m = ins?.form?.mnemonic;
          const isRet = m === 'RET' || m === 'RETF' || m === 'IRET' || m === 'IRETD' || m === 'IRETQ';
          const ret = this.callAt(rip);
          if (ret !== undefined && !returned) {
            // Nested calls run at full speed to their return.
            const rsp = cpu.getReg('rsp');
            sub = { address: ret, when: () => cpu.getReg('rsp') >= rsp };
            continue;
          }
          const r = this.stepOne();
          left--;
          if (r) return r;
          if (isRet && cpu.getReg('rsp') > startRsp) returned = true;
        }
        return null;
      },
    };
  }

  // ---- the machine ---------------------------------------------------------------------------------

  /** The user breakpoint stop at `rip`, if one applies there (conditions, hit counts, logpoints). */
  private userBreakAt(rip: bigint): StopInfo | null {
    if (this.config?.noDebug) return null;
    const bps = this.breakpoints.at(rip);
    if (!bps) return null;
    const hit: CodeBreakpoint[] = [];
    for (const bp of bps) {
      const r = this.evaluateHit(bp);
      if (r) hit.push(bp);
    }
    if (hit.length === 0) return null;
    const k = hit[0]!.kind;
    const reason = k === 'source' ? 'breakpoint' : k === 'function' ? 'function breakpoint' : 'instruction breakpoint';
    const what = k === 'function' ? `function ${hit[0]!.name}` : this.where(rip);
    return { reason, description: `Paused on ${k === 'source' ? 'breakpoint' : k === 'function' ? 'function breakpoint' : 'instruction breakpoint'} at ${what}`, hitBreakpointIds: hit.map((b) => b.id) };
  }

  /** Condition, hit count, logpoint: true when the breakpoint stops the CPU. */
  private evaluateHit(bp: CodeBreakpoint | DataBreakpoint): boolean {
    if (bp.condition) {
      try {
        if (evaluate(bp.condition, this.evalContext()).value === 0n) return false;
      } catch (e) {
        this.emit({ type: 'output', category: 'stderr', text: `breakpoint condition '${bp.condition}': ${messageOf(e)} (stopping)\n` });
        return true;
      }
    }
    bp.hits++;
    if (bp.hitCondition) {
      try {
        if (!hitConditionMet(bp.hitCondition, bp.hits)) return false;
      } catch (e) {
        this.emit({ type: 'output', category: 'stderr', text: `${messageOf(e)} (stopping)\n` });
        return true;
      }
    }
    if (bp.logMessage) {
      const row = this.debug.lineAt(this.cpu.rip);
      this.emit({ type: 'output', category: 'console', text: interpolate(bp.logMessage, this.evalContext()) + '\n', file: row?.file, line: row?.line });
      return false;
    }
    return true;
  }

  /**
   * Runs up to `budget` instructions at full speed (data breakpoints are CPU watchpoints);
   * stops at user breakpoints, at `target`, on exceptions, HLT, a device's request.
   */
  private runFree(budget: number, target: Target | null): Outcome | null {
    const m = this.machine!;
    const cpu = m.cpu;
    if (target) cpu.breakpoints.add(Number(BigInt.asIntN(64, target.address)));
    try {
      const end = cpu.instructionCount + budget;
      for (;;) {
        const left = end - cpu.instructionCount;
        if (left <= 0) return null;
        const stop = m.run(left);
        const sv = this.stackView.afterRun(stop);
        if (sv === 'again') continue;
        if (sv) return sv;
        if (stop === StopReason.Limit) return null;
        if (stop === StopReason.Breakpoint) {
          const rip = cpu.rip;
          if (target && rip === target.address && target.when()) return this.stepped();
          const b = this.userBreakAt(rip);
          if (b) return b;
          continue; // run() does not stop at the breakpoint of its first instruction
        }
        if (stop === StopReason.Watchpoint) {
          const w = this.watchStop();
          if (w) return w;
          continue;
        }
        return this.machineStop(stop);
      }
    } finally {
      if (target) this.syncBreakpoints();
    }
  }

  /** Exactly one instruction (or one exception delivery); a stop, or null. */
  private stepOne(): Outcome | null {
    const stop = this.machine!.step();
    const sv = this.stackView.afterRun(stop);
    if (sv) return sv === 'again' ? null : sv;
    if (stop === StopReason.Watchpoint) return this.watchStop();
    if (stop !== StopReason.None && stop !== StopReason.Limit) return this.machineStop(stop);
    return null;
  }

  /** After StopReason.Watchpoint: the data breakpoint stop, or null when conditions say go on. */
  private watchStop(): StopInfo | null {
    const fired = this.watches!.hits();
    const hits = fired.filter((h) => this.evaluateHit(h.bp));
    if (hits.length === 0) return null;
    return { reason: 'data breakpoint', description: `Paused on data breakpoint: ${hits[0]!.text}`, text: hits[0]!.text, hitBreakpointIds: hits.map((h) => h.bp.id) };
  }

  private machineStop(stop: StopReason): Outcome {
    const cpu = this.cpu;
    switch (stop) {
      case StopReason.Hlt: {
        const at = readInt(cpu, cpu.rip - 1n, 1) === 0xf4n ? `by the HLT at ${this.where(cpu.rip - 1n)}` : `at ${this.where(cpu.rip)}`;
        return { reason: 'halt', description: `CPU halted ${at}: nothing can wake it (interrupts disabled or none pending)` };
      }
      case StopReason.Exception: {
        const e = cpu.lastException!;
        this.exception = { vector: e.vector, errorCode: e.errorCode, cr2: e.cr2, rip: e.rip, pendingDelivery: true, tripleFault: false };
        return { reason: 'exception', description: `Exception ${exceptionName(e.vector)}${e.errorCode >= 0 ? ` (error code ${hex(e.errorCode)})` : ''}${e.vector === 14 ? `, address ${hex(e.cr2)}` : ''} at ${this.where(e.rip)}`, text: exceptionName(e.vector) };
      }
      case StopReason.TripleFault: {
        this.dead = 'the CPU triple-faulted (a real machine resets here)';
        this.exception = { vector: 8, errorCode: 0, cr2: BigInt(cpu.cr2), rip: cpu.rip, pendingDelivery: false, tripleFault: true };
        const why = cpu.internalError ? ` (emulator error: ${messageOf(cpu.internalError)})` : '';
        const cause = this.machine!.stopCause;
        if (cause) {
          this.dead = `the machine shut down (${cause})`;
          return { reason: 'exception', description: `Shutdown at ${this.where(cpu.rip)}: ${cause}`, text: 'shutdown' };
        }
        return { reason: 'exception', description: `Triple fault at ${this.where(cpu.rip)}: an exception occurred while delivering a double fault${why}`, text: 'triple fault' };
      }
      case StopReason.IoExit: {
        const code = this.machine!.exitCode();
        if (code !== undefined) return { exit: code, why: `the guest wrote 0x${code.toString(16)} to isa-debug-exit (QEMU would exit with status ${((code << 1) | 1) & 0xff})` };
        const cause = this.machine!.stopCause;
        return { reason: 'pause', description: cause ? `The machine stopped: ${cause}` : 'A device stopped the machine' };
      }
      case StopReason.Breakpoint:
        return this.stepped();
      default:
        return { reason: 'pause', description: `Stopped (${StopReason[stop] ?? stop})` };
    }
  }

  /** Starts a task on the run loop. */
  private begin(task: Task): void {
    const pending = this.exception?.pendingDelivery ? this.exception : undefined;
    this.exception = undefined;
    this.watches?.snapshot();
    this.task = task;
    this.state = 'running';
    this.pauseRequested = false;
    this.lastStop = undefined;
    const gen = ++this.runGeneration;
    const t0 = this.host.now();
    const i0 = this.cpu.instructionCount;
    let progress: string | null = null;
    let lastProgress = t0;
    let first = true;
    const tick = () => {
      if (gen !== this.runGeneration || this.task !== task) return;
      const sliceEnd = this.host.now() + SLICE_MS;
      let outcome: Outcome | null = null;
      try {
        // Resuming after an intercepted exception delivers it first; that can raise another.
        if (first && pending) outcome = this.deliver(pending);
        first = false;
        while (!outcome) {
          if (this.pauseRequested) {
            outcome = { reason: 'pause', description: `Paused at ${this.where(this.cpu.rip)}` };
            break;
          }
          const s0 = this.host.now();
          const c0 = this.cpu.instructionCount;
          outcome = task.advance(this.sliceBudget);
          const dt = this.host.now() - s0;
          const ran = this.cpu.instructionCount - c0;
          // Keep a slice near SLICE_MS / 2 so pause answers well within 50 ms.
          if (outcome === null && ran > 1000) {
            const rate = ran / Math.max(dt, 0.05);
            this.sliceBudget = Math.max(1000, Math.min(20_000_000, Math.floor((rate * SLICE_MS) / 2)));
          }
          if (outcome || this.host.now() >= sliceEnd) break;
        }
      } catch (e) {
        outcome = { reason: 'exception', description: `Emulator error: ${messageOf(e)}`, text: 'emulator error' };
        this.dead = `the emulator failed: ${messageOf(e)}`;
      }
      this.flushSerial();
      const now = this.host.now();
      if (!outcome) {
        if (task.long && now - t0 > PROGRESS_AFTER_MS && now - lastProgress > PROGRESS_EVERY_MS) {
          lastProgress = now;
          const n = this.cpu.instructionCount - i0;
          const msg = `${(n / 1e6).toFixed(1)}M instructions, ${(n / 1e3 / (now - t0)).toFixed(1)} MIPS`;
          if (!progress) {
            progress = `run-${++this.progressId}`;
            this.emit({ type: 'progressStart', id: progress, title: 'Running', message: msg });
          } else this.emit({ type: 'progressUpdate', id: progress, message: msg });
        }
        this.host.defer(tick);
        return;
      }
      if (progress) this.emit({ type: 'progressEnd', id: progress, message: `${this.cpu.instructionCount - i0} instructions` });
      this.task = null;
      if ('exit' in outcome) {
        this.emit({ type: 'output', category: 'console', text: `kstack: ${outcome.why}\n` });
        this.emit({ type: 'exited', exitCode: outcome.exit });
        this.terminate();
        return;
      }
      this.stop(outcome);
    };
    this.host.defer(tick);
  }

  private cancelRun(): void {
    this.runGeneration++;
    this.task = null;
    if (this.state === 'running') this.state = 'stopped';
  }

  private stop(info: StopInfo): void {
    this.state = 'stopped';
    this.lastStop = info;
    if (info.reason !== 'exception') this.exception = this.exception?.pendingDelivery ? this.exception : undefined;
    this.emit({ type: 'stopped', ...info });
  }

  /**
   * Delivers an intercepted exception to the guest (through its IDT), unless the user moved RIP
   * meanwhile. Exceptions the delivery raises stop again when their filter is on.
   */
  private deliver(e: ExceptionStop): Outcome | null {
    const cpu = this.cpu;
    if (cpu.rip !== e.rip) return null;
    const saved = cpu.interceptExceptions;
    cpu.interceptExceptions = saved & ~(1 << e.vector);
    let r: StopReason;
    try {
      r = cpu.exception(e.vector, e.errorCode);
    } finally {
      cpu.interceptExceptions = saved;
    }
    return r === StopReason.None ? null : this.machineStop(r);
  }

  setExceptionFilters(ids: string[]): void {
    let mask = 0;
    for (const f of EXCEPTION_FILTERS) if (ids.includes(f.id)) for (const v of f.vectors) mask |= 1 << v;
    this.interceptMask = mask;
    if (this.machine) this.cpu.interceptExceptions = this.config?.noDebug ? 0 : mask;
  }

  /** cpu.breakpoints := the user's code breakpoints. */
  /** Data breakpoints in force (none when running without debugging). */
  private activeData(): DataBreakpoint[] {
    return this.config?.noDebug ? [] : this.breakpoints.activeData();
  }

  private syncBreakpoints(): void {
    if (!this.machine) return;
    this.watches?.sync(this.activeData());
    const set = this.cpu.breakpoints;
    set.clear();
    if (this.config?.noDebug) return;
    for (const a of this.breakpoints.addresses()) set.add(Number(BigInt.asIntN(64, a)));
  }

  // ---- serial ------------------------------------------------------------------------------------

  private onSerial(bytes: Uint8Array): void {
    this.serialBuffer += this.serialDecoder.decode(bytes, { stream: true });
    if (this.serialBuffer.length > 4096) this.flushSerial();
  }

  private flushSerial(): void {
    if (!this.serialBuffer) return;
    const text = this.serialBuffer;
    this.serialBuffer = '';
    this.emit({ type: 'output', category: 'stdout', text });
  }

  // ---- state for the UI ----------------------------------------------------------------------------

  /** `sym+0x12 (file.asm:14)` or an address. */
  where(addr: bigint): string {
    const name = this.debug.describe(addr);
    const row = this.debug.lineAt(addr);
    const file = row ? `${row.file.slice(Math.max(row.file.lastIndexOf('/'), row.file.lastIndexOf('\\')) + 1)}:${row.line}` : '';
    if (name && file) return `${name} (${file})`;
    return name ?? (file ? `${hex(addr)} (${file})` : hex(addr));
  }

  frames(max = 64): Frame[] {
    return unwind(this.cpu, max, this.program?.unwinder);
  }

  evalContext(): EvalContext {
    const cpu = this.cpu;
    return {
      readRegister: (n) => readRegister(cpu, n),
      writeRegister: (n, v) => {
        if (!writeRegister(cpu, n, v)) throw Errors.readOnly(n);
      },
      readMemory: (a, s) => readInt(cpu, a, s),
      writeMemory: (a, s, v) => writeInt(cpu, a, s, v),
      lookupSymbol: (n) => this.debug.lookup(n, cpu.rip)?.address,
      segmentBase: (s) => BigInt.asUintN(64, BigInt(cpu.segBase[['es', 'cs', 'ss', 'ds', 'fs', 'gs'].indexOf(s)] ?? 0)),
      rip: () => cpu.rip,
    };
  }

  evaluate(text: string, allowAssign = false): Value {
    if (!this.machine) throw Errors.notLaunched();
    return evaluate(text, this.evalContext(), allowAssign);
  }

  /** Is `addr` a mapped address (so a value can carry a memoryReference)? */
  isMapped(addr: bigint): boolean {
    return this.machine !== undefined && translate(this.cpu, addr) !== null;
  }

  format(v: Value, hexOnly = false): string {
    return formatValue(v, { decimal: !hexOnly });
  }
}

export { DebugError };
