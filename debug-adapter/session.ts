// The DAP session: translates requests into engine calls and engine events into DAP events.
// No debugging logic lives here (see engine.ts); every failure becomes one error response from
// the catalogue in errors.ts and the session stays usable.

import { DebugSession, Event, Response } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { dataId, type CodeBreakpoint, type DataAccess } from './breakpoints';
import type { LaunchArguments } from './config';
import { disassemble } from './disasm';
import { Engine, EXCEPTION_FILTERS, exceptionName, type EngineEvent, type Granularity } from './engine';
import { DebugError, Errors, messageOf } from './errors';
import { assignTo, evaluate, formatValue, KEYWORDS, wordAt, type Value } from './expressions';
import type { DebugHost } from './host';
import type { MachineFactory } from './machine';
import { hex64, parseAddress, readBytes, writeBytes } from './memory';
import { readRegister, registerNames } from './registers';
import type { Frame } from './stack';
import { Variables } from './variables';
import { deliveryName, type Delivery } from './interrupts';
import { GDT_FIELDS, IDT_FIELDS, parseSystemExpression, type SystemExpression } from './sysexpr';
import { gateJson, gdtJson, systemTables, tssJson } from './systables';
import { readIdt } from './tables';
import { cpuMode, stacks, walkPageTables } from './system';
import { STACK_FILTERS } from './stacks';
import { reverseContinue, stepBack, travelInfo, travelTo, travelToEvent } from './reverse';

const THREAD_ID = 1;
const MAX_READ = 1 << 20;

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** A label frame's text: `NMI (vector 2) · IST1 · from CPL 0`. */
function labelText(d: Delivery): string {
  return `${deliveryName(d)} · ${d.slot || 'same stack'} · from CPL ${d.cplBefore}`;
}

export class KStackSession extends DebugSession {
  private readonly engine: Engine;
  private readonly vars: Variables;
  private client: DebugProtocol.InitializeRequestArguments = { adapterID: 'kstack' };
  private frames: Frame[] = [];
  private gotoTargets: bigint[] = [];

  constructor(host: DebugHost, machineFactory?: MachineFactory) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.engine = new Engine(host, machineFactory);
    this.vars = new Variables(this.engine);
    this.engine.onEvent((e) => this.onEngineEvent(e));
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  private fail(response: DebugProtocol.Response, e: unknown): void {
    const err = e instanceof DebugError ? e : Errors.internal(response.command, messageOf(e));
    response.success = false;
    response.message = err.message;
    response.body = { error: { id: err.code, format: err.message, showUser: err.showUser } };
    this.sendResponse(response);
  }

  /** Runs a handler: its return value (if any) becomes the body; a throw becomes an error response. */
  private handle<R extends DebugProtocol.Response>(response: R, fn: () => R['body'] | void): void {
    try {
      const body = fn();
      if (body !== undefined) response.body = body;
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }

  private checkThread(args: { threadId?: unknown } | undefined): void {
    if (!args || args.threadId !== THREAD_ID) throw Errors.unknownThread(args?.threadId);
  }

  private source(path: string): DebugProtocol.Source {
    return { name: basename(path), path: this.convertDebuggerPathToClient(path) };
  }

  private onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'stopped':
        this.vars.reset();
        this.frames = [];
        this.sendEvent(
          new Event('stopped', {
            reason: e.reason,
            description: e.description,
            threadId: THREAD_ID,
            text: e.text,
            allThreadsStopped: true,
            hitBreakpointIds: e.hitBreakpointIds,
          }),
        );
        break;
      case 'continued':
        this.sendEvent(new Event('continued', { threadId: THREAD_ID, allThreadsContinued: true }));
        break;
      case 'output': {
        const body: DebugProtocol.OutputEvent['body'] = { category: e.category, output: e.text };
        if (e.file) {
          body.source = this.source(e.file);
          if (e.line) body.line = this.convertDebuggerLineToClient(e.line);
          if (e.column) body.column = this.convertDebuggerColumnToClient(e.column);
        }
        this.sendEvent(new Event('output', body));
        break;
      }
      case 'exited':
        this.sendEvent(new Event('exited', { exitCode: e.exitCode }));
        break;
      case 'terminated':
        this.sendEvent(new Event('terminated', {}));
        break;
      case 'breakpoint':
        this.sendEvent(new Event('breakpoint', { reason: 'changed', breakpoint: this.toDapBreakpoint(e.bp) }));
        break;
      case 'progressStart':
        if (this.client.supportsProgressReporting)
          this.sendEvent(new Event('progressStart', { progressId: e.id, title: e.title, message: e.message, cancellable: true }));
        break;
      case 'progressUpdate':
        if (this.client.supportsProgressReporting) this.sendEvent(new Event('progressUpdate', { progressId: e.id, message: e.message }));
        break;
      case 'progressEnd':
        if (this.client.supportsProgressReporting) this.sendEvent(new Event('progressEnd', { progressId: e.id, message: e.message }));
        break;
    }
  }

  /** The values shown may have changed (a register or memory was written): views refresh. */
  private invalidate(): void {
    if (this.client.supportsInvalidatedEvent) this.sendEvent(new Event('invalidated', { areas: ['variables'], threadId: THREAD_ID }));
  }

  private toDapBreakpoint(bp: CodeBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
    if (bp.message) out.message = bp.message;
    if (bp.path && bp.line !== undefined) {
      out.source = this.source(bp.path);
      out.line = this.convertDebuggerLineToClient(bp.line);
    }
    if (bp.addresses[0] !== undefined) out.instructionReference = hex64(bp.addresses[0]);
    return out;
  }

  // ---- lifecycle -----------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.client = args;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsGotoTargetsRequest: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['$', '['],
      supportsModulesRequest: true,
      supportsExceptionInfoRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsLogPoints: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsStepBack: true,
      supportsInstructionBreakpoints: true,
      supportsSetExpression: true,
      supportsValueFormattingOptions: true,
      supportsCancelRequest: true,
      supportsBreakpointLocationsRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.id,
        label: f.label,
        description: f.description,
        default: f.default,
        supportsCondition: f.id !== 'triple',
        conditionDescription: f.id !== 'triple' ? 'Stop only when this holds, e.g. vector == 0x40, cpl == 3, errorCode & 2 (registers and memory as in Watch)' : undefined,
      })),
    };
    response.body.exceptionBreakpointFilters!.push(...STACK_FILTERS.map((f) => ({ filter: f.id, label: f.label, description: f.description, default: f.default })));
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    this.handle(response, () => {
      this.engine.launch(args as LaunchArguments);
      const p = this.engine.program!;
      this.sendEvent(new Event('module', { reason: 'new', module: this.module() }));
      for (const f of p.debug.files) this.sendEvent(new Event('loadedSource', { reason: 'new', source: this.source(f) }));
      // Breakpoints can be resolved now that the line table is known.
      this.sendEvent(new Event('initialized'));
    });
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse): void {
    this.fail(response, Errors.attachUnsupported());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
    });
    if (this.engine.machine && this.engine.state === 'stopped' && !this.engine.lastStop) this.engine.start();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.handle(response, () => {
      this.vars.reset();
      const a = args?.arguments as LaunchArguments | undefined;
      this.engine.restart(a && typeof a === 'object' && 'program' in a ? a : undefined);
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.handle(response, () => this.engine.terminate());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    if (this.engine.state !== 'terminated') {
      this.engine.onEvent(() => {});
      this.engine.terminate();
    }
    super.disconnectRequest(response, args);
  }

  // ---- breakpoints ---------------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.handle(response, () => {
      const path = args?.source?.path;
      if (typeof path !== 'string') throw Errors.badArguments('setBreakpoints', 'source.path is missing (breakpoints need a file path)');
      const given: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      const specs = given.map((b) => ({
        line: this.convertClientLineToDebugger(b.line),
        column: b.column,
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: b.logMessage,
      }));
      const bps = this.engine.breakpoints.setSource(this.convertClientPathToDebugger(path), specs);
      return { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.handle(response, () => {
      const path = args?.source?.path;
      if (typeof path !== 'string') return { breakpoints: [] };
      const from = this.convertClientLineToDebugger(args.line);
      const to = args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : from;
      const lines = this.engine.debug.linesWithCode(this.convertClientPathToDebugger(path)).filter((l) => l >= from && l <= to);
      return { breakpoints: lines.map((l) => ({ line: this.convertDebuggerLineToClient(l) })) };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.handle(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw Errors.badArguments('setFunctionBreakpoints', 'breakpoints must be an array');
      const bps = this.engine.breakpoints.setFunctions(args.breakpoints.map((b) => ({ name: String(b.name), condition: b.condition, hitCondition: b.hitCondition })));
      return { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.handle(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw Errors.badArguments('setInstructionBreakpoints', 'breakpoints must be an array');
      const bps = this.engine.breakpoints.setInstructions(
        args.breakpoints.map((b) => {
          const base = parseAddress(b.instructionReference);
          return {
            address: base === undefined ? undefined : BigInt.asUintN(64, base + BigInt(b.offset ?? 0)),
            instructionReference: String(b.instructionReference),
            offset: b.offset,
            condition: b.condition,
            hitCondition: b.hitCondition,
          };
        }),
      );
      return { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.handle(response, () => {
      const filters = Array.isArray(args?.filters) ? args.filters : [];
      this.engine.stackView.setFilters([...filters, ...(Array.isArray(args?.filterOptions) ? args.filterOptions.map((o) => o.filterId) : [])]);
      const options = Array.isArray(args?.filterOptions) ? args.filterOptions : [];
      this.engine.setExceptionFilters([
        ...filters.map((id) => ({ id: String(id) })),
        ...options.map((o) => ({ id: String(o.filterId), condition: typeof o.condition === 'string' ? o.condition : undefined })),
      ]);
      return { breakpoints: [...filters, ...options].map(() => ({ verified: true })) };
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.handle(response, () => {
      const access: DataAccess[] = ['read', 'write', 'readWrite'];
      if (typeof args?.name !== 'string') throw Errors.badArguments('dataBreakpointInfo', 'name is missing');
      const none = (description: string) => ({ dataId: null, description });
      let address: bigint | undefined;
      let size = 8;
      let what = args.name;
      if (args.asAddress) {
        address = parseAddress(args.name);
        if (address === undefined) return none(`'${args.name}' is not an address`);
      } else if (args.variablesReference) {
        const v = this.vars.variables(args.variablesReference).find((x) => x.name === args.name);
        if (!v) return none(`no variable '${args.name}'`);
        if (!v.memoryReference) return none(`'${args.name}' does not hold an address`);
        address = parseAddress(v.memoryReference);
        size = this.vars.sizeOf(args.variablesReference, args.name) ?? size;
      } else {
        if (!this.engine.machine) return none('no program is loaded');
        let val: Value;
        try {
          val = this.engine.evaluate(args.name);
        } catch (e) {
          return none(messageOf(e));
        }
        if (val.lvalue?.kind === 'memory') {
          address = val.lvalue.address;
          size = val.lvalue.size;
        } else if (val.symbol || this.engine.isMapped(val.value)) {
          address = val.value;
          what = `[${args.name}]`;
        } else return none(`'${args.name}' is not a memory location`);
      }
      if (address === undefined) return none(`'${args.name}' has no address`);
      if (args.bytes !== undefined) size = Math.max(1, Math.min(4096, Math.floor(args.bytes)));
      return { dataId: dataId(address, size), description: `${what}: ${size} byte${size > 1 ? 's' : ''} at ${hex64(address)}`, accessTypes: access, canPersist: true };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.handle(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw Errors.badArguments('setDataBreakpoints', 'breakpoints must be an array');
      const bps = this.engine.breakpoints.setData(
        args.breakpoints.map((b) => ({ dataId: String(b.dataId), accessType: b.accessType, condition: b.condition, hitCondition: b.hitCondition })),
      );
      return { breakpoints: bps.map((b) => ({ id: b.id, verified: b.verified, message: b.message })) };
    });
  }

  // ---- run control ---------------------------------------------------------------------------------

  private granularity(args: { granularity?: string } | undefined): Granularity {
    return args?.granularity === 'instruction' ? 'instruction' : 'line';
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      stepBack(this.engine, this.granularity(args));
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      reverseContinue(this.engine);
    });
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      this.engine.continue();
      return { allThreadsContinued: true };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      this.engine.next(this.granularity(args));
    });
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      this.engine.stepIn(this.granularity(args));
    });
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      this.engine.stepOut(this.granularity(args));
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      if (!this.engine.machine) throw Errors.notLaunched();
      this.engine.pause();
    });
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    this.handle(response, () => {
      if (args?.progressId && this.engine.state === 'running') this.engine.pause();
    });
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.handle(response, () => {
      const path = args?.source?.path;
      if (typeof path !== 'string') throw Errors.badArguments('gotoTargets', 'source.path is missing');
      const line = this.convertClientLineToDebugger(args.line);
      const file = this.convertClientPathToDebugger(path);
      const addrs = this.engine.debug.addressesOf(file, line);
      this.gotoTargets = addrs;
      return {
        targets: addrs.map((a, i) => ({
          id: i + 1,
          label: `${basename(file)}:${line} (${hex64(a)})`,
          line: this.convertDebuggerLineToClient(line),
          instructionPointerReference: hex64(a),
        })),
      };
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      const a = this.gotoTargets[(args.targetId ?? 0) - 1];
      if (a === undefined) throw Errors.unknownGotoTarget(args.targetId);
      this.engine.goto(a);
    });
  }

  // ---- state ---------------------------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [{ id: THREAD_ID, name: 'CPU 0' }] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      if (!this.engine.machine) throw Errors.notLaunched();
      if (this.frames.length === 0 || this.engine.state === 'running') this.frames = this.engine.callStack();
      const start = Math.max(0, args.startFrame ?? 0);
      const levels = args.levels && args.levels > 0 ? args.levels : this.frames.length;
      const debug = this.engine.debug;
      const frames = this.frames.slice(start, start + levels).map((f, i): DebugProtocol.StackFrame => {
        const idx = start + i;
        if (f.label) return { id: idx + 1, name: labelText(f.label), line: 0, column: 0, presentationHint: 'label' };
        const lookup = idx === 0 || f.interrupted ? f.pc : f.pc - 1n;
        const row = f.callSite ?? debug.lineAt(lookup);
        const name = (f.name ?? debug.describe(f.pc) ?? hex64(f.pc)) + (f.stack ? ` [${f.stack}]` : '');
        const frame: DebugProtocol.StackFrame = {
          id: idx + 1,
          name,
          line: row ? this.convertDebuggerLineToClient(row.line) : 0,
          column: row ? this.convertDebuggerColumnToClient(1) : 0,
          instructionPointerReference: hex64(f.pc),
          moduleId: 1,
        };
        if (row) frame.source = this.source(row.file);
        else frame.presentationHint = 'subtle';
        return frame;
      });
      return { stackFrames: frames, totalFrames: this.frames.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      if (this.frames.length === 0) this.frames = this.engine.callStack();
      if (typeof args?.frameId !== 'number' || args.frameId < 1 || args.frameId > this.frames.length) throw Errors.unknownFrame(args?.frameId);
      const scopes = this.vars.scopes(this.frames[args.frameId - 1], args.frameId - 1);
      const stackScope = this.engine.stackView.scope();
      return { scopes: stackScope ? [...scopes, stackScope] : scopes };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.handle(response, () => {
      let vs = this.engine.stackView.owns(args?.variablesReference) ? this.engine.stackView.variables(args.variablesReference) : this.vars.variables(args?.variablesReference);
      if (args.start !== undefined || args.count !== undefined) vs = vs.slice(args.start ?? 0, args.count ? (args.start ?? 0) + args.count : undefined);
      return { variables: vs };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      if (this.engine.state === 'running') throw Errors.notStopped();
      const v = this.vars.setVariable(args.variablesReference, args.name, String(args.value));
      this.invalidate();
      return { value: v.value, type: v.type, variablesReference: v.variablesReference, memoryReference: v.memoryReference };
    });
  }

  private present(v: Value, format?: DebugProtocol.ValueFormat): DebugProtocol.EvaluateResponse['body'] {
    const debug = this.engine.debug;
    let result = formatValue(v, { hex: format?.hex === undefined ? undefined : format.hex ? true : false, decimal: format?.hex ? false : undefined });
    if (format?.hex === false && v.type === 'int') result = v.value.toString();
    const named = v.type === 'int' && (v.symbol || v.lvalue?.kind !== 'memory') ? debug.describe(v.value) : undefined;
    if (named && v.type === 'int' && (v.symbol || (v.lvalue?.kind === 'register' && ['rip', 'eip'].includes(v.lvalue.name)))) result = `0x${v.value.toString(16)} <${named}>`;
    let memoryReference: string | undefined;
    if (v.lvalue?.kind === 'memory') memoryReference = hex64(v.lvalue.address);
    else if (v.type === 'int' && v.value >= 0x1000n && this.engine.isMapped(v.value)) memoryReference = hex64(v.value);
    const type = v.type === 'bool' ? 'bool' : `u${v.size * 8}`;
    return { result, type, variablesReference: 0, memoryReference };
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.handle(response, () => {
      if (typeof args?.expression !== 'string') throw Errors.badArguments('evaluate', 'expression is missing');
      if (!this.engine.machine) throw Errors.notLaunched();
      // A C variable's name (DWARF) shows its value, unless it names a register.
      const name = args.expression.trim();
      if (/^[A-Za-z_]\w*$/.test(name) && !readRegister(this.engine.cpu, name.toLowerCase())) {
        if (this.frames.length === 0) this.frames = this.engine.callStack();
        const idx = Math.max(0, (args.frameId ?? 1) - 1);
        const cv = this.vars.sourceVariable(name, this.frames[idx], idx);
        if (cv) return { result: cv.value, type: cv.type, variablesReference: cv.variablesReference, memoryReference: cv.memoryReference };
      }
      const sv = this.engine.stackView.evaluate(args.expression);
      if (sv) return sv;
      const sys = parseSystemExpression(args.expression);
      if (sys) return this.systemExpression(sys);
      const v = this.engine.evaluate(args.expression, args.context === 'repl');
      const body = this.present(v, args.format)!;
      // Hovering a data label shows what is stored there too.
      const sym = v.symbol ? this.engine.debug.lookup(v.symbol, this.engine.cpu.rip) : undefined;
      if (args.context === 'hover' && sym?.kind === 'data') {
        const q = readBytes(this.engine.cpu, v.value, 8);
        if (q.readable === 8) body.result += ` [qword ${'0x' + new DataView(q.data.buffer).getBigUint64(0, true).toString(16)}]`;
      }
      if (args.context === 'repl' && v.lvalue && /(^|[^=!<>])=($|[^=])/.test(args.expression)) this.invalidate();
      return body;
    });
  }

  /** `tss.rsp0`, `tss.ist[1]`, `idt[2]`, `idt[2].handler`, `gdt[5]`, `pte(0x...)`. */
  private systemExpression(e: SystemExpression): DebugProtocol.EvaluateResponse['body'] {
    const engine = this.engine;
    const cpu = engine.cpu;
    const num = (text: string) => engine.evaluate(text).value;
    const addr = (v: bigint, sym?: string) => ({ result: `${hex64(v)}${sym ? ` <${sym}>` : ''}`, type: 'u64', variablesReference: 0, memoryReference: v >= 0x1000n && engine.isMapped(v) ? hex64(v) : undefined });
    const text = (result: string) => ({ result, variablesReference: 0 });
    if (e.table === 'tss') {
      const t = tssJson(cpu, engine.debug, engine.knownStacks());
      if ('error' in t) throw Errors.evaluateFailed(t.error);
      if (e.field === 'base') return addr(BigInt(t.base));
      if (e.field === 'iomap') return text(`0x${t.ioMapBase.toString(16)}`);
      const sl = e.field.startsWith('rsp') ? t.rsp[Number(e.field[3])]! : t.ist[Number(e.field[3]) - 1]!;
      const r = addr(BigInt(sl.value), sl.symbol);
      if (sl.stack) r.result += ` (${sl.stack})`;
      return r;
    }
    if (e.table === 'pte') {
      const a = num(e.address);
      engine.pagingAddress = a;
      const v = this.vars.walkVar(a, `pte(${hex64(a)})`);
      return { result: v.value, variablesReference: v.variablesReference, memoryReference: v.memoryReference };
    }
    const index = Number(num(e.index));
    if (e.table === 'idt') {
      const gates = readIdt(cpu);
      const g = gates[index];
      if (!g) throw Errors.evaluateFailed(`idt[${index}] is beyond IDTR.limit (${gates.length} entries)`);
      const j = gateJson(g, engine.debug);
      if (!e.field) {
        if (!g.present) return text(`not present (${g.type} gate type 0x${g.typeCode.toString(16)})`);
        const v = this.vars.gateVar(j);
        return { result: v.value, variablesReference: v.variablesReference, memoryReference: v.memoryReference };
      }
      switch (e.field) {
        case 'handler':
          return addr(g.handler, j.symbol);
        case 'type':
          return text(g.type);
        case 'dpl':
          return text(String(g.dpl));
        case 'ist':
          return text(String(g.ist));
        case 'selector':
          return text(`0x${g.selector.toString(16)}`);
      }
      throw Errors.evaluateFailed(`idt[${index}] has no field '${e.field}' (${IDT_FIELDS.join(', ')})`);
    }
    const d = gdtJson(cpu).find((x) => x.index === index);
    if (!d) throw Errors.evaluateFailed(`gdt[${index}] is not a descriptor of the GDT (beyond GDTR.limit, or the upper half of a 16-byte system descriptor)`);
    if (!e.field) {
      const v = this.vars.descriptorVar(d);
      return { result: v.value, variablesReference: v.variablesReference };
    }
    switch (e.field) {
      case 'base':
        return addr(BigInt(d.base));
      case 'limit':
        return text(`0x${d.limit.toString(16)}`);
      case 'type':
        return text(`0x${d.type.toString(16)}`);
      case 'dpl':
        return text(String(d.dpl));
      case 'present':
        return text(String(d.present));
      case 'busy':
        if (d.busy === undefined) throw Errors.evaluateFailed(`gdt[${index}] is not a TSS descriptor: it has no busy bit`);
        return text(String(d.busy));
    }
    throw Errors.evaluateFailed(`gdt[${index}] has no field '${e.field}' (${GDT_FIELDS.join(', ')})`);
  }

  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      if (this.engine.state === 'running') throw Errors.notStopped();
      const ctx = this.engine.evalContext();
      const value = evaluate(String(args.value), ctx).value;
      const v = assignTo(String(args.expression), value, ctx);
      this.invalidate();
      const p = this.present(v, args.format)!;
      return { value: p.result, type: p.type, memoryReference: p.memoryReference, variablesReference: 0 };
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.handle(response, () => {
      const text = String(args?.text ?? '');
      const col = Math.max(0, (args.column ?? text.length + 1) - (this.client.columnsStartAt1 === false ? 0 : 1));
      const { start, prefix } = wordAt(text, col);
      const bare = prefix.replace(/^\$/, '');
      const p = bare.toLowerCase();
      const items: DebugProtocol.CompletionItem[] = [];
      const seen = new Set<string>();
      const add = (label: string, type: DebugProtocol.CompletionItemType) => {
        if (seen.has(label) || !label.toLowerCase().startsWith(p)) return;
        seen.add(label);
        items.push({ label, type, start: start + (this.client.columnsStartAt1 === false ? 0 : 1) + (prefix.startsWith('$') ? 1 : 0), length: bare.length });
      };
      for (const r of registerNames()) add(r, 'variable');
      if (!prefix.startsWith('$')) {
        for (const s of this.engine.debug.symbols) add(s.name, s.kind === 'code' ? 'function' : 'reference');
        for (const k of KEYWORDS) add(k, 'keyword');
      }
      return { targets: items.slice(0, 500) };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    this.handle(response, () => {
      this.checkThread(args);
      const e = this.engine.exception;
      const stop = this.engine.lastStop;
      const stackInfo = stop && this.engine.stackView.exceptionInfo(stop.description);
      if (stackInfo) return stackInfo;
      if (!e || !stop) return { exceptionId: 'none', description: 'the CPU did not stop on an exception', breakMode: 'never' as const };
      const entry = this.engine.entryReport();
      if (entry)
        return {
          exceptionId: entry.id,
          description: stop.description,
          breakMode: 'always' as const,
          details: { message: stop.description, typeName: entry.typeName, stackTrace: entry.lines.join('\n'), kstack: entry.data } as DebugProtocol.ExceptionDetails,
        };
      const id = e.tripleFault ? 'triple fault' : exceptionName(e.vector).split(' ')[0]!;
      return {
        exceptionId: id,
        description: stop.description,
        breakMode: 'always' as const,
        details: {
          message: stop.description,
          typeName: e.tripleFault ? 'triple fault' : exceptionName(e.vector),
          stackTrace: `vector ${e.vector}, error code ${e.errorCode >= 0 ? '0x' + e.errorCode.toString(16) : 'none'}, CR2 ${hex64(e.cr2)}, RIP ${hex64(e.rip)}`,
        },
      };
    });
  }

  // ---- memory --------------------------------------------------------------------------------------

  private memoryAddress(command: string, ref: unknown, offset: unknown): bigint {
    const a = parseAddress(ref);
    if (a === undefined) throw Errors.badMemoryReference(ref);
    if (offset !== undefined && (typeof offset !== 'number' || !Number.isInteger(offset))) throw Errors.badArguments(command, `offset must be an integer (got ${JSON.stringify(offset)})`);
    return BigInt.asUintN(64, a + BigInt((offset as number | undefined) ?? 0));
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      const addr = this.memoryAddress('readMemory', args?.memoryReference, args?.offset);
      const count = args.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw Errors.badCount('count', count);
      const n = Math.min(count, MAX_READ);
      const { data, readable } = readBytes(this.engine.cpu, addr, n);
      if (readable === 0 && n > 0) throw Errors.unmapped(addr);
      return { address: hex64(addr), data: Buffer.from(data.buffer, data.byteOffset, readable).toString('base64'), unreadableBytes: count - readable };
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      if (this.engine.state === 'running') throw Errors.notStopped();
      const addr = this.memoryAddress('writeMemory', args?.memoryReference, args?.offset);
      if (typeof args.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(args.data)) throw Errors.badData('data must be base64');
      const bytes = new Uint8Array(Buffer.from(args.data, 'base64'));
      const readable = readBytes(this.engine.cpu, addr, bytes.length).readable;
      if (readable < bytes.length && !args.allowPartial) throw Errors.unmapped(addr + BigInt(readable));
      const written = writeBytes(this.engine.cpu, addr, bytes.subarray(0, readable));
      if (written > 0) {
        this.sendEvent(new Event('memory', { memoryReference: hex64(addr), offset: 0, count: written }));
        this.invalidate();
      }
      return { bytesWritten: written };
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.handle(response, () => {
      if (!this.engine.machine) throw Errors.notLaunched();
      const addr = this.memoryAddress('disassemble', args?.memoryReference, args?.offset);
      const count = args.instructionCount;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 10000) throw Errors.badCount('instructionCount', count);
      const lines = disassemble(this.engine.cpu, this.engine.debug, addr, args.instructionOffset ?? 0, count);
      let lastFile: string | undefined;
      return {
        instructions: lines.map((l): DebugProtocol.DisassembledInstruction => {
          const ins: DebugProtocol.DisassembledInstruction = {
            address: hex64(l.address),
            instructionBytes: Array.from(l.bytes, (b) => b.toString(16).padStart(2, '0')).join(' '),
            instruction: l.text,
          };
          if (!l.valid) ins.presentationHint = 'invalid';
          if (l.symbol && args.resolveSymbols !== false) ins.symbol = l.symbol;
          if (l.line) {
            if (l.line.file !== lastFile) ins.location = this.source(l.line.file);
            lastFile = l.line.file;
            ins.line = this.convertDebuggerLineToClient(l.line.line);
          }
          return ins;
        }),
      };
    });
  }

  // ---- sources and modules -------------------------------------------------------------------------

  private module(): DebugProtocol.Module {
    const p = this.engine.program!;
    return {
      id: 1,
      name: basename(p.path),
      path: p.path,
      isOptimized: false,
      symbolStatus: p.debug.symbols.length ? 'Symbols loaded' : 'No symbols',
      addressRange: `${hex64(p.start)}-${hex64(p.end)}`,
    };
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.handle(response, () => ({ sources: (this.engine.program?.debug.files ?? []).map((f) => this.source(f)) }));
  }

  /** `modules` (DebugSession has no handler of its own for it). */
  private modulesRequest(response: DebugProtocol.ModulesResponse): void {
    this.handle(response, () => {
      const mods = this.engine.program ? [this.module()] : [];
      return { modules: mods, totalModules: mods.length };
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (command) {
      case 'modules':
        return this.modulesRequest(response as DebugProtocol.ModulesResponse);
      case 'kstack/goto':
        return this.handle(response, () => travelTo(this.engine, args));
      case 'kstack/previousEvent':
      case 'kstack/nextEvent':
        return this.handle(response, () => travelToEvent(this.engine, command === 'kstack/nextEvent' ? 1 : -1));
      case 'kstack/history':
        return this.handle(response, () => travelInfo(this.engine));
      case 'kstack/cpuState':
        return this.handle(response, () => {
          const cpu = this.engine.cpu;
          const current = stacks(cpu).find((s) => s.current);
          return { mode: cpuMode(cpu), cpl: cpu.cpl, stack: current?.slot, rsp: hex64(cpu.getReg('rsp')) };
        });
      case 'kstack/stacks':
        return this.handle(response, () => {
          const cpu = this.engine.cpu;
          const rsp = cpu.getReg('rsp');
          return {
            stacks: stacks(cpu, this.engine.knownStacks()).map((s) => ({ name: s.name, slot: s.slot !== s.name ? s.slot : undefined, base: hex64(s.base), size: s.size, current: s.current || undefined, rsp: s.current ? hex64(rsp) : undefined })),
          };
        });
      case 'kstack/stackSwitches':
        return this.handle(response, () => {
          if (!this.engine.machine) throw Errors.notLaunched();
          return this.engine.stackView.history(a);
        });
      case 'kstack/systemTables':
        return this.handle(response, () => systemTables(this.engine.cpu, this.engine.debug, this.engine.knownStacks()));
      case 'kstack/walkPageTables':
        return this.handle(response, () => {
          if (typeof a['address'] !== 'string') throw Errors.badArguments(command, 'address must be a string (an address or an expression)');
          const addr = parseAddress(a['address']) ?? this.engine.evaluate(a['address']).value;
          const w = walkPageTables(this.engine.cpu, addr);
          return {
            address: hex64(w.address),
            cr3: w.cr3 !== undefined ? hex64(w.cr3) : undefined,
            levels: w.levels.map((l) => ({ name: l.name, index: l.index, entryAddress: hex64(l.entryAddress), value: hex64(l.value), flags: l.flags })),
            physicalAddress: w.physicalAddress !== undefined ? hex64(w.physicalAddress) : undefined,
            pageSize: w.pageSize,
            fault: w.fault,
          };
        });
      case 'kstack/inject':
        return this.handle(response, () => {
          const m = this.engine.machine;
          if (!m) throw Errors.notLaunched();
          const kind = a['kind'];
          if (kind !== 'nmi' && kind !== 'irq' && kind !== 'mc') throw Errors.badInjection(`kind must be nmi, irq or mc (got ${JSON.stringify(kind)})`);
          const vector = a['vector'];
          if (kind === 'irq' && !(typeof vector === 'number' && Number.isInteger(vector) && vector >= 32 && vector <= 255))
            throw Errors.badInjection(`an IRQ needs a vector from 32 to 255 (got ${JSON.stringify(vector)})`);
          if (!m.inject) throw Errors.noInjection();
          const after = a['afterInstructions'];
          const at = a['at'];
          const every = a['every'];
          if (after !== undefined || at !== undefined) {
            // Later: at an instruction count (guest time since reset) or when RIP reaches an address.
            if (after !== undefined && at !== undefined) throw Errors.badInjection('give afterInstructions or at, not both');
            if (after !== undefined && !(typeof after === 'number' && Number.isSafeInteger(after) && after >= 0))
              throw Errors.badInjection(`afterInstructions must be an instruction count (got ${JSON.stringify(after)})`);
            if (at !== undefined && typeof at !== 'string' && !(typeof at === 'number' && Number.isSafeInteger(at) && at >= 0))
              throw Errors.badInjection(`at must be an address or a symbol (got ${JSON.stringify(at)})`);
            if (every !== undefined && !(typeof every === 'number' && Number.isSafeInteger(every) && every >= 1))
              throw Errors.badInjection(`every must be a number of instructions >= 1 (got ${JSON.stringify(every)})`);
            this.engine.schedule({ kind, vector: kind === 'irq' ? (vector as number) : undefined, afterInstructions: after as number | undefined, at: at as string | number | undefined, every: every as number | undefined });
            return {};
          }
          const why = m.inject(kind, vector as number | undefined);
          if (why) throw Errors.badInjection(why);
          return {};
        });
    }
    this.fail(response, Errors.unknownCommand(command));
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    this.fail(response, Errors.unknownSource(args?.sourceReference ?? args?.source?.sourceReference));
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      super.dispatchRequest(request);
    } catch (e) {
      this.fail(new Response(request), e);
    }
  }
}
