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
import { evaluate, formatValue, interpolate, parse, type EvalContext, type Value } from './expressions';
import type { DebugHost } from './host';
import { pcMachine, type Machine, type MachineFactory } from './machine';
import { hex, hex64, parseAddress, readInt, writeInt, translate } from './memory';
import { AssemblyFailure, loadProgram, type Program } from './program';
import { readRegister, writeRegister } from './registers';
import { unwind, withInlined, type Frame } from './stack';
import { CpuWatches } from './watch';
import { StackView } from './stacks';
import { Deliveries, INTERRUPT_FILTERS, decodeErrorCode, deliveryName, describeDelivery, filterOf, readFrame, shortName, type Delivery, type DeliveryKind } from './interrupts';
import { decodeGate, knownStacks, stackOf, symbolStacks, unwindLimits, type ConfiguredStack, type KnownStack } from './tables';
import type { InjectSpec, StackSpec } from './config';
import { parseReverse, Reverse, REVERSE_DEFAULT, engineSide, type ReverseConfig } from './reverse';

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
  /** A stop at a handler's entry: the delivery (stack switch, frame). */
  delivery?: Delivery;
  /** The stack before and after delivery (names and RSP). */
  stackBefore?: string;
  stackAfter?: string;
}

/** An enabled exception filter and its condition. */
export interface FilterSetting {
  id: string;
  condition?: string;
}

/** A scheduled injection (launch `inject`, kstack/inject with `afterInstructions`/`at`). */
interface Injection {
  spec: InjectSpec;
  /** Next delivery time (guest instructions), or NaN for address-triggered ones. */
  due: number;
  /** Linear address (as the Cpu's numbers) for `at`. */
  at?: number;
  done: boolean;
  /** Instruction count of the last delivery (an address trigger fires once per visit). */
  firedAt: number;
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
  /** Called when the task ends (any outcome, or cancelled): release what it holds. */
  dispose?(): void;
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

/** The exception breakpoint filters (interrupts.ts): after delivery, at the handler's first instruction. */
export const EXCEPTION_FILTERS = INTERRUPT_FILTERS;

/** Slice length: the CPU runs this long between two looks at the request queue. */
const SLICE_MS = 8;
const PROGRESS_AFTER_MS = 1000;
/** Sources at least this big (bytes) report progress while they assemble. */
const BIG_SOURCE = 256 * 1024;
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
  /** Enabled exception filters (id -> condition). */
  private filters = new Map<string, string | undefined>();
  /** Deliveries through the IDT: the live ones (their frames still on a stack) and the recent ones. */
  readonly deliveries = new Deliveries();
  /** A filter matched a delivery: the run stops at this handler's first instruction. */
  private entryStop: Delivery | null = null;
  /** The `stacks` of the launch configuration, resolved; the stacks symbols name (per program). */
  private configuredStacks: ConfiguredStack[] = [];
  private symbolStackList: KnownStack[] = [];
  /** Scheduled injections. */
  private injections: Injection[] = [];
  /** knownStacks() as of the start of the current run (for pruning deliveries while it runs). */
  private runStacks: KnownStack[] | null = null;
  /** The address the Paging scope walks (set by a `pte(addr)` watch); RIP when unset. */
  pagingAddress?: bigint;
  /** Time travel (reverse.ts); undefined when the launch configuration turns it off. */
  travel?: Reverse;
  private reverseConfig: ReverseConfig = REVERSE_DEFAULT;
  /** Step out of a handler: the read watch on its frame's saved RIP, and the delivery. */
  private iretWatch: { id: number; delivery: Delivery } | null = null;

  constructor(
    readonly host: DebugHost,
    private readonly machineFactory: MachineFactory = pcMachine,
  ) {
    this.breakpoints = new Breakpoints(DebugInfo.empty(), () => this.syncBreakpoints());
    this.setExceptionFilters(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => ({ id: f.id })));
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
    this.reverseConfig = parseReverse(args?.reverse);
    this.load(config);
  }

  private load(config: LaunchConfig): void {
    let program: Program;
    let diagnostics: Diagnostic[];
    // A big source takes a while to assemble: a progress notification says so meanwhile (the
    // events go out before the assembler starts: stdout is synchronous for pipes).
    let progress: string | null = null;
    if (/\.(asm|s|nasm)$/i.test(config.program)) {
      const cwd = config.cwd ? this.host.resolvePath(undefined, config.cwd) : this.host.cwd();
      const size = this.host.readFile(this.host.resolvePath(cwd, config.program))?.length ?? 0;
      if (size >= BIG_SOURCE) {
        progress = `assemble-${++this.progressId}`;
        this.emit({ type: 'progressStart', id: progress, title: 'Assembling', message: `${config.program} (${Math.round(size / 1024)} KiB)` });
      }
    }
    try {
      ({ program, diagnostics } = loadProgram(this.host, config));
    } catch (e) {
      if (progress) this.emit({ type: 'progressEnd', id: progress, message: 'failed' });
      if (e instanceof AssemblyFailure) {
        this.reportDiagnostics(e.diagnostics);
        throw e.error;
      }
      throw e;
    }
    if (progress) this.emit({ type: 'progressEnd', id: progress, message: `${program.debug.lines.length} lines of code` });
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
    this.interceptMask = config.interceptVectors.reduce((m, v) => m | (1 << v), 0);
    machine.cpu.interceptExceptions = config.noDebug ? 0 : this.interceptMask;
    this.config = config;
    this.program = program;
    this.machine = machine;
    this.watches?.clear();
    this.watches = new CpuWatches(machine.cpu);
    this.deliveries.clear();
    this.entryStop = null;
    this.iretWatch = null;
    this.symbolStackList = symbolStacks(program.debug);
    this.configuredStacks = config.stacks.map((st, i) => this.resolveStack(st, i));
    this.hookDeliveries(machine);
    this.stackView.attach(machine, program.debug, config);
    this.travel = Reverse.start(engineSide(this), machine, this.reverseConfig, config.noDebug);
    this.injections = [];
    for (const spec of config.inject) this.schedule(spec, `inject[${config.inject.indexOf(spec)}]`);
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
    if (args) this.reverseConfig = parseReverse(args.reverse);
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

  /** Step out: of a call (after its RET), or from a handler's outermost frame to the instruction its IRET returns to. */
  stepOut(granularity: Granularity): void {
    this.requireStopped();
    const d = this.handlerAtTop();
    this.begin(d ? this.stepOutOfHandler(d) : this.stepOutTask(granularity));
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
      if (this.injections.length && this.injectAt(cpu.ip) && this.entryStop) return this.entryStopInfo();
      const end = cpu.instructionCount + budget;
      for (;;) {
        const left = end - cpu.instructionCount;
        if (left <= 0) return null;
        const stop = m.run(left);
        const sv = this.stackView.afterRun(stop);
        if (this.entryStop && !(stop === StopReason.IoExit && m.exitCode() !== undefined) && stop !== StopReason.TripleFault) return this.entryStopInfo();
        if (sv === 'again') {
          const b = this.breakAfterWatch(target);
          if (b) return b;
          continue;
        }
        if (sv) return sv;
        if (stop === StopReason.Limit) return null;
        if (stop === StopReason.Breakpoint) {
          const rip = cpu.rip;
          if (this.injections.length && this.injectAt(cpu.ip) && this.entryStop) return this.entryStopInfo();
          if (target && rip === target.address && target.when()) return this.stepped();
          const b = this.userBreakAt(rip);
          if (b) return b;
          continue; // run() does not stop at the breakpoint of its first instruction
        }
        if (stop === StopReason.Watchpoint) {
          const iret = this.iretStop();
          const w = this.watchStop();
          if (w) return w;
          if (iret) return iret;
          const b = this.breakAfterWatch(target);
          if (b) return b;
          continue;
        }
        return this.machineStop(stop);
      }
    } finally {
      if (target) this.syncBreakpoints();
    }
  }

  /**
   * A run that stopped for a watchpoint and goes on starts at the next instruction, whose
   * breakpoint run() would skip: the stop there (`target`, a user breakpoint), if any.
   */
  private breakAfterWatch(target: Target | null): StopInfo | null {
    const cpu = this.cpu;
    if (!cpu.breakpoints.has(cpu.ip)) return null;
    const rip = cpu.rip;
    if (target && rip === target.address && target.when()) return this.stepped();
    return this.userBreakAt(rip);
  }

  /** Exactly one instruction (or one exception delivery); a stop, or null. */
  private stepOne(): Outcome | null {
    const m = this.machine!;
    if (this.injections.length && this.injectAt(m.cpu.ip) && this.entryStop) return this.entryStopInfo();
    const stop = m.step();
    const sv = this.stackView.afterRun(stop);
    if (this.entryStop && !(stop === StopReason.IoExit && m.exitCode() !== undefined) && stop !== StopReason.TripleFault) return this.entryStopInfo();
    if (sv) return sv === 'again' ? null : sv;
    if (stop === StopReason.Watchpoint) return this.iretStop() ?? this.watchStop();
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
        if (!this.filters.has('triple') && !cpu.internalError)
          return { exit: 0, why: `the CPU triple-faulted at ${this.where(cpu.rip)}; the 'Triple fault' filter is off, so the session ends (as QEMU -no-reboot exits)` };
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
    this.runStacks = null;
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
      task.dispose?.();
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
    this.task?.dispose?.();
    this.task = null;
    if (this.state === 'running') this.state = 'stopped';
  }

  /** Whether the exception filter `id` is on (reverse.ts). */
  filterOn(id: string): boolean {
    return this.filters.has(id);
  }

  /** A line in the Debug Console (reverse.ts). */
  note(text: string): void {
    this.emit({ type: 'output', category: 'console', text });
  }

  /** Reports a stop that time travel reached: the machine lives again there (reverse.ts). */
  travelStop(info: StopInfo): void {
    this.dead = null;
    this.exception = undefined;
    this.entryStop = null;
    this.flushSerial();
    this.stop(info);
  }

  private stop(info: StopInfo): void {
    this.travel?.travel.stopped();
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

  /** The enabled exception filters (after-delivery stops at handler entry), each with its condition. */
  setExceptionFilters(filters: FilterSetting[]): void {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.id));
    const map = new Map<string, string | undefined>();
    for (const f of filters) {
      if (!known.has(f.id)) continue; // another part's filter (stacks.ts)
      const c = f.condition?.trim();
      if (c) {
        try {
          parse(c);
        } catch (e) {
          throw Errors.badArguments('setExceptionBreakpoints', `the condition of '${f.id}' does not parse: ${messageOf(e)}`);
        }
      }
      map.set(f.id, c || undefined);
    }
    this.filters = map;
  }

  // ---- interrupt and exception entry -------------------------------------------------------------

  /** Every stack the debugger knows now (launch configuration, symbols, the TSS's slots). */
  knownStacks(): KnownStack[] {
    return knownStacks(this.cpu, this.debug, this.configuredStacks, this.symbolStackList);
  }

  private resolveStack(st: StackSpec, i: number): ConfiguredStack {
    const at = (k: 'base' | 'top'): bigint | undefined => {
      const v = st[k];
      if (v === undefined) return undefined;
      if (typeof v === 'number') return BigInt(v);
      try {
        return parseAddress(v) ?? this.evaluate(v).value;
      } catch (e) {
        throw Errors.badConfig(`stacks[${i}].${k}`, `'${v}' is not an address or a symbol of the program (${messageOf(e)})`);
      }
    };
    let base = at('base');
    let top = at('top');
    const size = st.size !== undefined ? BigInt(st.size) : undefined;
    if (base === undefined) base = top! - size!;
    if (top === undefined) top = base + size!;
    if (top <= base) throw Errors.badConfig(`stacks[${i}]`, `'${st.name}' has its top (0x${top.toString(16)}) at or below its base (0x${base.toString(16)})`);
    return { name: st.name, base, top };
  }

  /** Chains the engine to the CPU's delivery hook and the machine's event hook (injections). */
  private hookDeliveries(machine: Machine): void {
    const cpu = machine.cpu;
    const prevDeliver = cpu.onDeliver;
    cpu.onDeliver = (v, code, kind, slot, newCpl, newRsp) => {
      prevDeliver?.(v, code, kind, slot, newCpl, newRsp);
      if (this.machine === machine) this.onDeliver(v, code, kind, slot, newCpl, newRsp);
    };
    const prevEvent = cpu.onEvent;
    cpu.onEvent = (c) => {
      if (this.machine === machine && c.instructionCount >= this.nextDue()) this.injectDue();
      prevEvent?.(c);
      const due = this.nextDue();
      if (due < c.eventAt) c.eventAt = due;
    };
  }

  /** cpu.onDeliver, before the CPU commits: record the delivery; a filter that matches stops at the handler. */
  private onDeliver(v: number, code: number, kind: number, slot: string, newCpl: number, newRsp: number): void {
    const cpu = this.cpu;
    const k: DeliveryKind = kind === 0 ? 'exception' : kind === 1 ? 'software' : v === 2 ? 'nmi' : 'external';
    const rspAfter = BigInt.asUintN(64, BigInt(newRsp));
    const width = (cpu.efer & (1 << 10)) !== 0 ? 8 : 4;
    const d: Delivery = {
      vector: v,
      kind: k,
      errorCode: code,
      slot,
      cplBefore: cpu.cpl,
      cplAfter: newCpl,
      rspBefore: BigInt.asUintN(64, BigInt(cpu.rsp())),
      rspAfter,
      frame: rspAfter + (code >= 0 ? BigInt(width) : 0n),
      width,
      rip: BigInt.asUintN(64, BigInt(cpu.ip)),
      cs: cpu.segSel[1]!,
      rflags: cpu.rflags,
      handler: 0n,
      cr2: BigInt.asUintN(64, BigInt(cpu.cr2)),
      count: cpu.instructionCount,
      filter: filterOf(v, k),
    };
    // The stacks as they were when this run began (reading the TSS at every delivery would cost
    // timer-heavy guests dearly); pruning only needs to know which stack a frame is on.
    this.runStacks ??= this.knownStacks();
    this.deliveries.push(d, this.runStacks);
    if (this.config?.noDebug || this.entryStop || !this.filters.has(d.filter)) return;
    const cond = this.filters.get(d.filter);
    if (cond && !this.filterCondition(cond, d)) return;
    d.handler = this.gateTarget(v);
    this.entryStop = d;
    // Stop at the handler's first instruction: a breakpoint there for deliveries at an
    // instruction boundary, a stop request for those out of a faulting instruction.
    cpu.breakpoints.add(Number(BigInt.asIntN(64, d.handler)));
    // A delivery at the first boundary of run() moved RIP: the handler's first instruction is not
    // the one run() started at, so its breakpoint must not be skipped.
    cpu.breakSkip = -1;
    cpu.requestStop(StopReason.IoExit);
  }

  /** The handler address the IDT gives for `vector` (the CPU has read the same gate). */
  private gateTarget(vector: number): bigint {
    const cpu = this.cpu;
    const base = BigInt.asUintN(64, BigInt(cpu.idtBase));
    const long = (cpu.efer & (1 << 10)) !== 0;
    const size = long ? 16 : 8;
    const lo = readInt(cpu, base + BigInt(vector * size), 8) ?? 0n;
    const hi = long ? readInt(cpu, base + BigInt(vector * size + 8), 8) ?? 0n : 0n;
    return decodeGate(vector, lo, hi, long).handler;
  }

  /** A filter's condition: `vector`, `cpl` (the interrupted context's), `errorCode`, registers, memory. */
  private filterCondition(cond: string, d: Delivery): boolean {
    const base = this.evalContext();
    const extra: Record<string, bigint> = {
      vector: BigInt(d.vector),
      cpl: BigInt(d.cplBefore),
      errorcode: BigInt(Math.max(0, d.errorCode)),
      error_code: BigInt(Math.max(0, d.errorCode)),
    };
    const ctx: EvalContext = { ...base, readRegister: (n) => (n in extra ? { value: extra[n]!, size: 8 } : base.readRegister(n)) };
    try {
      return evaluate(cond, ctx).value !== 0n;
    } catch (e) {
      this.emit({ type: 'output', category: 'stderr', text: `exception filter condition '${cond}': ${messageOf(e)} (stopping)\n` });
      return true;
    }
  }

  /** After a run stopped with a delivery's entry stop pending: the stop at the handler. */
  private entryStopInfo(): StopInfo {
    const d = this.entryStop!;
    this.entryStop = null;
    const cpu = this.cpu;
    cpu.run(0); // drop the stop request if a breakpoint at the handler answered first
    cpu.watchHits.length = 0;
    this.watches?.snapshot();
    this.syncBreakpoints();
    const stacks = this.knownStacks();
    let description = describeDelivery(d, stacks);
    if (cpu.rip !== d.handler)
      description += ` (the handler's first instructions have run: the event was delivered as the run resumed; stopped at ${this.where(cpu.rip)})`;
    const before = stackOf(stacks, d.rspBefore);
    const after = stackOf(stacks, d.rspAfter);
    this.exception = {
      vector: d.vector,
      errorCode: d.errorCode,
      cr2: d.cr2,
      rip: d.rip,
      pendingDelivery: false,
      tripleFault: false,
      delivery: d,
      stackBefore: before?.name,
      stackAfter: after?.name,
    };
    return { reason: 'exception', description, text: shortName(d) };
  }

  /**
   * What exceptionInfo shows for a stop at a handler's entry: the vector, the error code decoded,
   * CR2, the interrupted CS:RIP with its source location, RSP and the stack before and after.
   */
  entryReport(): { id: string; typeName: string; lines: string[]; data: Record<string, unknown> } | undefined {
    const e = this.exception;
    const d = e?.delivery;
    if (!e || !d) return undefined;
    const cpu = this.cpu;
    const q = (a: bigint, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const v = readInt(cpu, a + BigInt(d.width * i), d.width);
        out.push(v === undefined ? '??' : hex(v));
      }
      return out;
    };
    const row = this.debug.lineAt(d.rip);
    const source = row ? `${row.file}:${row.line}` : undefined;
    const fr = readFrame(cpu, d);
    const errorText = decodeErrorCode(d.vector, d.errorCode);
    const lines = [
      `${deliveryName(d)}, ${d.kind}${d.kind === 'exception' ? ` (${exceptionName(d.vector)})` : ''}`,
      `error code: ${errorText}`,
      `CR2: ${hex(d.cr2)}`,
      `interrupted at CS:RIP ${hex(d.cs)}:${hex(d.rip)} ${this.where(d.rip)}, CPL ${d.cplBefore}`,
      `RSP before: ${hex(d.rspBefore)} (${e.stackBefore ?? 'no known stack'})`,
      `RSP after: ${hex(d.rspAfter)} (${e.stackAfter ?? 'no known stack'}${d.slot ? `, from the TSS's ${d.slot}` : ', same stack'})`,
      `frame at ${hex(d.frame)}: RIP ${fr.rip === undefined ? '??' : hex(fr.rip)}, CS ${fr.cs === undefined ? '??' : hex(fr.cs)}, RFLAGS ${fr.rflags === undefined ? '??' : hex(fr.rflags)}, RSP ${fr.rsp === undefined ? '??' : hex(fr.rsp)}, SS ${fr.ss === undefined ? '??' : hex(fr.ss)}`,
      `stack before (at ${hex(d.rspBefore)}): ${q(d.rspBefore, 4).join(' ')}`,
      `stack after (at ${hex(d.rspAfter)}): ${q(d.rspAfter, d.errorCode >= 0 ? 6 : 5).join(' ')}`,
    ];
    return {
      id: shortName(d),
      typeName: deliveryName(d),
      lines,
      data: {
        vector: d.vector,
        kind: d.kind,
        errorCode: d.errorCode >= 0 ? d.errorCode : undefined,
        errorCodeDecoded: errorText,
        cr2: hex64(d.cr2),
        cs: d.cs,
        rip: hex64(d.rip),
        source,
        cplBefore: d.cplBefore,
        cplAfter: d.cplAfter,
        rspBefore: hex64(d.rspBefore),
        rspAfter: hex64(d.rspAfter),
        stackBefore: e.stackBefore,
        stackAfter: e.stackAfter,
        tssSlot: d.slot || undefined,
        frame: hex64(d.frame),
        handler: hex64(d.handler),
      },
    };
  }

  /** The live delivery whose handler's outermost frame is the top frame (Step Out runs to its IRET). */
  handlerAtTop(): Delivery | undefined {
    const f = this.frames(2);
    return f[1]?.label;
  }

  private stepOutOfHandler(d: Delivery): Task {
    const cpu = this.cpu;
    const id = cpu.addWatch(Number(BigInt.asIntN(64, d.frame)), d.width, true, false);
    this.iretWatch = { id, delivery: d };
    return {
      long: true,
      advance: (n) => this.runFree(n, null),
      dispose: () => {
        cpu.removeWatch(id);
        if (this.iretWatch?.id === id) this.iretWatch = null;
      },
    };
  }

  /** A read of the watched frame slot: the IRETQ that consumed the frame (then: stop), or a read by the handler. */
  private iretStop(): StopInfo | null {
    const w = this.iretWatch;
    const cpu = this.cpu;
    if (!w || !cpu.watchHits.some((h) => h.id === w.id)) return null;
    const d = w.delivery;
    const rsp = cpu.getReg('rsp');
    const stacks = this.knownStacks();
    const frameStack = stackOf(stacks, d.frame);
    const inHandler = rsp <= d.frame && (frameStack ? stackOf(stacks, rsp) === frameStack : d.frame - rsp < 1n << 16n);
    if (inHandler || readInt(cpu, d.frame, d.width) !== cpu.rip) return null;
    this.deliveries.prune(rsp, stacks);
    return { reason: 'step', description: `Stepped out of the ${deliveryName(d)} handler: ${d.width === 8 ? 'IRETQ' : 'IRET'} returned to ${this.where(cpu.rip)}` };
  }

  // ---- injection ---------------------------------------------------------------------------------

  /** Schedules an injection (launch `inject`, kstack/inject with afterInstructions or at). */
  schedule(spec: InjectSpec, where = 'kstack/inject'): void {
    const m = this.machine;
    if (!m) throw Errors.notLaunched();
    if (!m.inject) throw Errors.noInjection();
    const inj: Injection = { spec, due: NaN, done: false, firedAt: -1 };
    if (spec.afterInstructions !== undefined) {
      inj.due = spec.afterInstructions;
      if (where === 'kstack/inject' && inj.due < this.cpu.instructionCount)
        throw Errors.badInjection(`afterInstructions ${inj.due} is in the past (${this.cpu.instructionCount} instructions have run)`);
    } else if (spec.at !== undefined) {
      let a: bigint;
      if (typeof spec.at === 'number') a = BigInt(spec.at);
      else {
        try {
          a = parseAddress(spec.at) ?? this.evaluate(spec.at).value;
        } catch (e) {
          const why = `at: '${spec.at}' is not an address or a symbol of the program (${messageOf(e)})`;
          throw where === 'kstack/inject' ? Errors.badInjection(why) : Errors.badConfig(`${where}.at`, why.slice(4));
        }
      }
      inj.at = Number(BigInt.asIntN(64, a));
    }
    this.injections.push(inj);
    const cpu = this.cpu;
    if (inj.due < cpu.eventAt) cpu.eventAt = inj.due;
    cpu.attention();
    this.syncBreakpoints();
  }

  /** The next instruction count at which an injection is due (Infinity: none). */
  private nextDue(): number {
    let due = Infinity;
    for (const i of this.injections) if (!i.done && i.due < due) due = i.due;
    return due;
  }

  private fire(inj: Injection): void {
    const why = this.machine!.inject!(inj.spec.kind, inj.spec.vector);
    inj.firedAt = this.cpu.instructionCount;
    if (why) this.emit({ type: 'output', category: 'stderr', text: `kstack: inject ${inj.spec.kind}: ${why}\n` });
    if (inj.spec.every) {
      const now = this.cpu.instructionCount;
      inj.due = (Number.isNaN(inj.due) ? now : inj.due) + inj.spec.every;
      while (inj.due <= now) inj.due += inj.spec.every;
      if (inj.at !== undefined) inj.at = undefined;
    } else inj.done = true;
  }

  /** From the machine's event hook: the injections due now. */
  private injectDue(): void {
    const now = this.cpu.instructionCount;
    for (const inj of this.injections) if (!inj.done && inj.due <= now) this.fire(inj);
  }

  /** Injections triggered by RIP reaching `ip`: fire them and deliver at this boundary; true if any fired. */
  private injectAt(ip: number): boolean {
    let fired = false;
    for (const inj of this.injections)
      if (!inj.done && inj.at === ip && inj.firedAt !== this.cpu.instructionCount) {
        this.fire(inj);
        fired = true;
      }
    if (fired) {
      // Let the machine take the event now (an NMI or #MC is delivered at once; an IRQ is raised).
      const cpu = this.cpu;
      cpu.onEvent?.(cpu);
      this.syncBreakpoints();
    }
    return fired;
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
    for (const i of this.injections) if (!i.done && i.at !== undefined) set.add(i.at);
  }

  // ---- serial ------------------------------------------------------------------------------------

  private onSerial(bytes: Uint8Array): void {
    if (this.travel && !this.travel.travel.serial(bytes)) return; // replayed: shown already
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

  /**
   * The call stack: the handler's frames, a label frame for each live delivery, then the frames
   * of the context it interrupted (from the frame the CPU pushed: RIP, RSP), through any nesting.
   * When it crosses interrupt frames, each frame names the stack it is on.
   */
  frames(max = 64): Frame[] {
    const cpu = this.cpu;
    const cfi = this.program?.unwinder;
    const stacks = this.knownStacks();
    const limits = unwindLimits(stacks, this.debug, this.program?.entry);
    if (this.deliveries.live.length === 0) return unwind(cpu, max, cfi, undefined, limits);
    const rsp = cpu.getReg('rsp');
    this.deliveries.prune(rsp, stacks);
    const live = this.deliveries.live;
    if (live.length === 0) return unwind(cpu, max, cfi, undefined, limits);
    const name = (sp: bigint) => stackOf(stacks, sp)?.name ?? 'no known stack';
    const out: Frame[] = [];
    let part = unwind(cpu, max, cfi, undefined, limits);
    let sp = rsp;
    for (let i = live.length - 1; i >= 0 && out.length < max; i--) {
      const d = live[i]!;
      for (const f of part) {
        if (f.slot !== undefined && (f.interrupted || (f.slot >= d.frame && f.slot - d.frame < 1n << 20n))) break;
        f.stack = name(f.slot ?? sp);
        out.push(f);
      }
      const fr = readFrame(cpu, d);
      out.push({ pc: fr.rip ?? d.rip, how: 'label', label: d, slot: d.frame, stack: name(d.frame) });
      sp = fr.rsp ?? d.rspBefore;
      const regs = { rip: fr.rip ?? d.rip, rsp: sp, rbp: i === live.length - 1 ? cpu.getReg('rbp') : undefined };
      part = unwind(cpu, Math.max(1, max - out.length), cfi, regs, limits);
      part[0]!.interrupted = true;
    }
    for (const f of part) {
      if (out.length >= max) break;
      f.stack = name(f.slot ?? sp);
      out.push(f);
    }
    return out;
  }

  /** The Call Stack as the client sees it: frames(), with inlined calls (DWARF) as frames of their own. */
  callStack(max = 64): Frame[] {
    return withInlined(this.frames(max), this.program?.dwarf, this.debug.files);
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
