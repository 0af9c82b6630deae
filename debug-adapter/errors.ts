// The catalogue of user-facing errors: every message the adapter can send back in an error
// response, each with a stable code. Handlers throw `DebugError`; the session turns it into one
// DAP error response (`showUser` decides whether VS Code pops it up or only shows it inline).

export class DebugError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Show in a notification (launch failures); false: the client shows it where it asked (hover, watch). */
    readonly showUser = false,
  ) {
    super(message);
    this.name = 'DebugError';
  }
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Codes are grouped by area: 1xxx launch, 2xxx run control, 3xxx data, 4xxx evaluate, 5xxx protocol. */
export const Errors = {
  // ---- launch -----------------------------------------------------------------------------------
  noProgram: () => new DebugError(1001, "launch: 'program' is missing: give the path of a .asm file, an ELF kernel or a flat binary", true),
  programNotFound: (path: string) => new DebugError(1002, `launch: cannot read the program '${path}': no such file`, true),
  badConfig: (attribute: string, why: string) => new DebugError(1003, `launch: '${attribute}' ${why}`, true),
  assemblyFailed: (first: string, count: number) =>
    new DebugError(1004, `launch: the program does not assemble: ${first}${count > 1 ? ` (and ${count - 1} more error${count > 2 ? 's' : ''}, see the Debug Console)` : ''}`, true),
  bootFailed: (path: string, why: string) => new DebugError(1005, `launch: cannot boot '${path}': ${why}`, true),
  outsideRam: (path: string, what: string, addr: bigint, size: number, ram: number) =>
    new DebugError(1006, `launch: '${path}': ${what} at ${hex(addr)} (${size} bytes) does not fit in the guest's RAM (${hex(BigInt(ram))} bytes; raise 'memory')`, true),
  alreadyLaunched: () => new DebugError(1007, 'launch: a program is already running in this session', true),
  notLaunched: () => new DebugError(1008, 'no program is loaded yet (send launch first)'),
  attachUnsupported: () => new DebugError(1009, "attach is not supported: KStack starts the machine itself (use 'launch')", true),
  terminated: () => new DebugError(1010, 'the debug session has ended'),

  // ---- run control ------------------------------------------------------------------------------
  notStopped: () => new DebugError(2001, 'the CPU is running: pause it first'),
  unknownThread: (id: unknown) => new DebugError(2002, `no thread ${String(id)} (there is one thread per CPU; CPU 0 is thread 1)`),
  unknownGotoTarget: (id: unknown) => new DebugError(2003, `no goto target ${String(id)}`),
  machineDead: (why: string) => new DebugError(2004, `the machine cannot run any more: ${why}; restart the session`),
  unknownFrame: (id: unknown) => new DebugError(2005, `no stack frame ${String(id)}`),
  noReturnAddress: () => new DebugError(2006, 'step out: no return address found for this frame'),

  // ---- data -------------------------------------------------------------------------------------
  badMemoryReference: (ref: unknown) => new DebugError(3001, `'${String(ref)}' is not a memory reference (expected an address such as 0xffffffff80001000)`),
  unmapped: (addr: bigint) => new DebugError(3002, `memory at ${hex(addr)} is not mapped (no page-table entry, or outside RAM)`),
  badCount: (what: string, v: unknown) => new DebugError(3003, `${what} must be a non-negative integer (got ${JSON.stringify(v)})`),
  unknownVariables: (ref: unknown) => new DebugError(3004, `no variables with reference ${String(ref)} (references are valid while the CPU stays stopped)`),
  unknownVariable: (name: string) => new DebugError(3005, `no variable '${name}' here`),
  readOnly: (name: string) => new DebugError(3006, `'${name}' cannot be changed from the debugger`),
  badData: (why: string) => new DebugError(3007, `writeMemory: ${why}`),
  noDataBreakpoint: (why: string) => new DebugError(3008, why),
  unknownSource: (ref: unknown) => new DebugError(3009, `no source with reference ${String(ref)}`),

  noInjection: () => new DebugError(3010, 'this machine has no interrupt controller wired to the CPU yet: NMI, IRQ and machine-check injection need it'),
  badInjection: (why: string) => new DebugError(3011, `kstack/inject: ${why}`),

  // ---- evaluate ---------------------------------------------------------------------------------
  syntax: (why: string, col: number) => new DebugError(4001, `${why} (at column ${col + 1})`),
  unknownName: (name: string) => new DebugError(4002, `'${name}' is not a register or a symbol`),
  divideByZero: () => new DebugError(4003, 'division by zero'),
  notAssignable: (text: string) => new DebugError(4004, `'${text}' cannot be assigned (only registers and memory operands can)`),
  memoryRead: (addr: bigint, size: number) => new DebugError(4005, `cannot read ${size} byte${size > 1 ? 's' : ''} at ${hex(addr)}: not mapped`),
  memoryWrite: (addr: bigint, size: number) => new DebugError(4006, `cannot write ${size} byte${size > 1 ? 's' : ''} at ${hex(addr)}: not mapped`),
  emptyExpression: () => new DebugError(4007, 'empty expression'),
  evaluateFailed: (why: string) => new DebugError(4008, why),

  // ---- protocol ---------------------------------------------------------------------------------
  badArguments: (command: string, why: string) => new DebugError(5001, `${command}: ${why}`),
  unknownCommand: (command: string) => new DebugError(5003, `unknown request '${command}'`),
  internal: (command: string, why: string) => new DebugError(5002, `${command}: internal error: ${why}`),
} as const;

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
