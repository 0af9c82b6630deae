// `kstack run FILE`: boots a kernel on the emulator's machine (CPU + PC devices) and runs it.
//
// stdout carries exactly the guest's COM1 output; everything else goes to stderr. Exit status:
//   the value the guest wrote to isa-debug-exit (port 0xF4), low 8 bits
//   0    the guest halted with nothing that could wake it (HLT with interrupts off, or no timer)
//   2    usage error, unreadable file, or a file that cannot boot (the message says why)
//   124  --max-instructions reached
//   125  triple fault, #MC shutdown or INIT (CPU state and the last events on stderr)

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { applyBootPlan, isBootError, planBoot, type BootFormat } from '../emulator/boot';
import { createMachine, describeEvent, StopReason, type InjectKind, type Machine, type MachineEvent } from '../emulator/machine';
import { AssemblyFailure, loadProgram, type Program } from '../debug-adapter/program';
import { checkLaunchArguments } from '../debug-adapter/config';
import { nodeHost } from '../debug-adapter/host';
import { bootStackSymbols, programStackSymbols, traceStacks } from './trace-stacks';
import type { StackSymbol, StackTracker } from '../emulator/inspect/stacks';

export const EXIT_USAGE = 2;
export const EXIT_LIMIT = 124;
export const EXIT_TRIPLE_FAULT = 125;

export const RUN_USAGE = `usage: kstack run [options] FILE

Boots FILE (a 64-bit ELF kernel, a multiboot kernel, a NASM source .asm, or with --boot flat any
file loaded at 0x100000) on the emulated PC and runs it. stdout is the guest's COM1 output;
diagnostics go to stderr. A .asm file is assembled by KStack's assembler as the debugger does: with
a multiboot header it boots as a multiboot kernel, else it starts at _start in 64-bit mode (the
first 4 GiB identity-mapped).

options:
  --memory MIB            RAM size in MiB (default 128)
  --append CMDLINE        kernel command line (multiboot)
  --max-instructions N    stop after N instructions (guest time; exit status 124)
  --serial-in FILE        bytes the guest reads from COM1
  --boot auto|multiboot|elf64|flat   how to load FILE (default auto)
  --trace interrupts,stacks          one JSON object per event on stderr (or --trace-file):
                          interrupts: each delivery (count, vector, kind, error code, CPL and
                          RSP before/after, TSS slot); stacks: each stack switch (count, rip,
                          from, to, cause, vector, RSP before/after; type "stack-switch") and
                          each detector finding (type "stack-alert": IST reentry, overflow,
                          IRETQ of an overwritten frame)
  --trace-file F          write the trace to F
  --inject KIND@WHEN      deliver an event as if from hardware (repeatable). KIND: nmi, mc, or
                          irq:VECTOR (16-255); WHEN: an instruction count (nmi@5000) or
                          rip=ADDRESS|SYMBOL (mc@rip=mc_wait: before that instruction runs,
                          the first time RIP reaches it; symbols from a .asm or ELF file)

exit status: the value the guest wrote to port 0xF4 (low 8 bits); 0 when it halted for good;
2 when FILE cannot boot; 124 when --max-instructions was reached; 125 on a triple fault.`;

interface RunArgs {
  file: string;
  memoryMiB: number;
  append?: string;
  maxInstructions: number;
  serialIn?: string;
  boot: BootFormat;
  trace: { interrupts: boolean; stacks: boolean };
  traceFile?: string;
  inject: InjectSpec[];
}

/** `--inject KIND@WHEN`: one event, at a guest time or when RIP first reaches an address. */
interface InjectSpec {
  text: string;
  kind: InjectKind;
  vector?: number;
  atCount?: number;
  /** A number (0x..., decimal) or a symbol, resolved once the program is loaded. */
  atRip?: string;
}

function parseInject(v: string): InjectSpec | string {
  const m = /^(nmi|mc|irq:(0x[0-9a-f]+|\d+))@(?:(\d+)|rip=(\S+))$/i.exec(v);
  if (!m) return `--inject takes KIND@WHEN: nmi, mc or irq:VECTOR, then @COUNT or @rip=ADDRESS (got '${v}')`;
  const kind = m[1]!.toLowerCase().startsWith('irq') ? 'irq' : (m[1]!.toLowerCase() as InjectKind);
  const spec: InjectSpec = { text: v, kind };
  if (kind === 'irq') {
    const vec = Number(m[2]!);
    if (vec < 16 || vec > 255) return `--inject: an external interrupt needs a vector from 16 to 255 (got '${m[2]}')`;
    spec.vector = vec;
  }
  if (m[3] !== undefined) {
    const n = Number(m[3]);
    if (!Number.isSafeInteger(n)) return `--inject: instruction count too large in '${v}'`;
    spec.atCount = n;
  } else spec.atRip = m[4]!;
  return spec;
}

const err = (s: string) => process.stderr.write(s + '\n');

function parseArgs(argv: string[]): RunArgs | string {
  const a: Partial<RunArgs> & { trace: RunArgs['trace']; inject: InjectSpec[] } = {
    memoryMiB: 128,
    maxInstructions: Infinity,
    boot: 'auto',
    trace: { interrupts: false, stacks: false },
    inject: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    try {
      switch (name) {
        case '--memory': {
          const v = value();
          const n = Number(v);
          if (!/^\d+$/.test(v) || n < 1 || n > 2048) return `--memory takes a whole number of MiB from 1 to 2048 (got '${v}')`;
          a.memoryMiB = n;
          break;
        }
        case '--append':
          a.append = value();
          break;
        case '--max-instructions': {
          const v = value();
          if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return `--max-instructions takes a whole number (got '${v}')`;
          a.maxInstructions = Number(v);
          break;
        }
        case '--serial-in':
          a.serialIn = value();
          break;
        case '--boot': {
          const v = value();
          if (v !== 'auto' && v !== 'multiboot' && v !== 'elf64' && v !== 'flat') return `--boot takes auto, multiboot, elf64 or flat (got '${v}')`;
          a.boot = v;
          break;
        }
        case '--trace':
          for (const t of value().split(',')) {
            if (t === 'interrupts') a.trace.interrupts = true;
            else if (t === 'stacks') a.trace.stacks = true;
            else return `--trace takes interrupts and/or stacks (got '${t}')`;
          }
          break;
        case '--trace-file':
          a.traceFile = value();
          break;
        case '--inject': {
          const spec = parseInject(value());
          if (typeof spec === 'string') return spec;
          a.inject.push(spec);
          break;
        }
        default:
          if (arg.startsWith('-') && arg !== '-') return `unknown option '${arg}'`;
          if (a.file !== undefined) return `unexpected argument '${arg}' (one FILE)`;
          a.file = arg;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (a.file === undefined) return 'no FILE given';
  return a as RunArgs;
}

const hex = (v: bigint | number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

function cpuState(m: Machine): string {
  const c = m.cpu;
  const regs = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
  const lines: string[] = [];
  lines.push(`  rip ${hex(c.rip)}  rflags ${hex(c.rflags)}  cpl ${c.cpl}  cs ${hex(c.segSel[1]!)}  ss ${hex(c.segSel[2]!)}`);
  for (let i = 0; i < regs.length; i += 4)
    lines.push('  ' + regs.slice(i, i + 4).map((r) => `${r.padStart(3)} ${hex(c.getReg(r)).padEnd(18)}`).join(' '));
  lines.push(`  cr0 ${hex(c.cr0 >>> 0)}  cr2 ${hex(c.cr2)}  cr3 ${hex(c.cr3)}  cr4 ${hex(c.cr4)}  efer ${hex(c.efer)}`);
  lines.push(`  gdt ${hex(c.gdtBase)}/${hex(c.gdtLimit)}  idt ${hex(c.idtBase)}/${hex(c.idtLimit)}  tr ${hex(c.trSel)} base ${hex(c.trBase)}`);
  const le = c.lastException;
  if (le) lines.push(`  last exception: vector ${le.vector}${le.errorCode >= 0 ? ` error ${hex(le.errorCode)}` : ''} rip ${hex(le.rip)} cr2 ${hex(le.cr2)}`);
  lines.push(`  instructions: ${c.instructionCount}`);
  return lines.join('\n');
}

function traceJson(e: MachineEvent): string {
  const o: Record<string, unknown> = { count: e.count, vector: e.vector, kind: e.kind, errorCode: e.errorCode, rip: hex(e.rip) };
  o.cplBefore = e.cplBefore;
  o.cplAfter = e.cplAfter;
  o.rspBefore = hex(e.rspBefore);
  o.rspAfter = hex(e.rspAfter);
  o.tssSlot = e.tssSlot === '' ? null : e.tssSlot;
  return JSON.stringify(o);
}

/** `kstack run ARGS`: returns the exit status. */
export function runCommand(argv: string[]): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(RUN_USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    err(`kstack run: ${args}\n\n${RUN_USAGE}`);
    return EXIT_USAGE;
  }
  let bytes: Uint8Array;
  let serialInput: Uint8Array | undefined;
  try {
    bytes = readFileSync(args.file);
    if (args.serialIn !== undefined) serialInput = readFileSync(args.serialIn);
  } catch (e) {
    err(`kstack run: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  const memoryBytes = args.memoryMiB * 1024 * 1024;
  // How to put the program into the machine, and its symbols (for --inject rip=SYMBOL).
  let install: (m: Machine) => string | undefined;
  let lookup: (name: string) => bigint | undefined;
  let stackSymbols: StackSymbol[];
  if (isAsmSource(args.file) && args.boot !== 'flat') {
    const loaded = loadAsmProgram(args, memoryBytes);
    if (typeof loaded === 'string') {
      err(loaded);
      return EXIT_USAGE;
    }
    for (const w of loaded.warnings) err(`kstack run: warning: ${w}`);
    install = (m) => loaded.install(m.cpu);
    lookup = (name) => loaded.debug.lookup(name)?.address;
    stackSymbols = programStackSymbols(loaded.debug);
  } else {
    const plan = planBoot(bytes, { memoryBytes, kernelName: args.file, append: args.append, format: args.boot });
    if (isBootError(plan)) {
      err(`kstack run: ${args.file}: ${plan.error}`);
      return EXIT_USAGE;
    }
    for (const w of plan.warnings) err(`kstack run: warning: ${w}`);
    install = (m) => applyBootPlan(m.cpu, plan)?.error;
    lookup = (name) => plan.symbols.find((s) => s.name === name && s.type !== 'file' && s.type !== 'section')?.value;
    stackSymbols = bootStackSymbols(plan.symbols);
  }
  const injections = resolveInjections(args.inject, lookup);
  if (typeof injections === 'string') {
    err(`kstack run: ${injections}`);
    return EXIT_USAGE;
  }

  // Serial output: buffered, flushed at the end of every slice.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    const all = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    for (let off = 0; off < all.length; ) {
      try {
        off += writeSync(1, all, off, all.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  };
  const m = createMachine({
    memoryBytes,
    serialInput,
    serialOutput: (b) => {
      pending.push(Uint8Array.from(b));
      pendingBytes += b.length;
      if (pendingBytes >= 1 << 16) flush();
    },
  });
  const applied = install(m);
  if (applied !== undefined) {
    err(`kstack run: ${args.file}: cannot start this kernel: ${applied}`);
    return EXIT_USAGE;
  }
  // --inject: count-based events cut the run slices; address-based ones are breakpoints.
  const byCount = injections.filter((j) => j.atCount !== undefined).sort((x, y) => x.atCount! - y.atCount!);
  const byRip = injections.filter((j) => j.rip !== undefined);
  for (const j of byRip) m.cpu.breakpoints.add(j.rip!);
  const injectNow = (j: ResolvedInjection) => {
    const why = m.inject(j.kind, j.vector);
    if (why !== undefined) err(`kstack run: --inject ${j.text}: ${why}`);
  };

  let traceFd = -1;
  let tracker: StackTracker | undefined;
  if (args.trace.interrupts || args.trace.stacks) {
    if (args.traceFile !== undefined) {
      try {
        traceFd = openSync(args.traceFile, 'w');
      } catch (e) {
        err(`kstack run: --trace-file: ${(e as Error).message}`);
        return EXIT_USAGE;
      }
    }
    const fd = traceFd >= 0 ? traceFd : 2;
    m.onEvent = (e) => {
      if (e.kind === 'debug-exit' || !args.trace.interrupts) return;
      flush();
      writeSync(fd, traceJson(e) + '\n');
    };
    if (args.trace.stacks)
      tracker = traceStacks(m, stackSymbols, (line) => {
        flush();
        writeSync(fd, line + '\n');
      });
  }

  const SLICE = 50_000_000;
  let status: number;
  try {
    for (;;) {
      while (byCount.length > 0 && byCount[0]!.atCount! <= m.cpu.instructionCount) injectNow(byCount.shift()!);
      // A run resumed at an address skips the breakpoint there: an --inject rip= due here now
      // (the run stopped for something else just before the instruction) is delivered first.
      for (const j of byRip.filter((x) => x.rip === m.cpu.ip)) {
        byRip.splice(byRip.indexOf(j), 1);
        if (!byRip.some((x) => x.rip === j.rip)) m.cpu.breakpoints.delete(j.rip!);
        injectNow(j);
      }
      const left = args.maxInstructions - m.cpu.instructionCount;
      const toInject = byCount.length > 0 ? byCount[0]!.atCount! - m.cpu.instructionCount : Infinity;
      const r = m.run(Math.min(SLICE, left, toInject));
      flush();
      // The stack tracker's watches on the pages below the stacks: not a stop.
      if (r === StopReason.Watchpoint && tracker !== undefined && !tracker.handleWatchHits()) continue;
      if (r === StopReason.Breakpoint) {
        const rip = m.cpu.ip;
        const hits = byRip.filter((j) => j.rip === rip);
        if (hits.length > 0) {
          // The first arrival at the address: deliver before the instruction there runs.
          m.cpu.breakpoints.delete(rip);
          for (const j of hits) {
            byRip.splice(byRip.indexOf(j), 1);
            injectNow(j);
          }
          continue;
        }
      }
      if (r === StopReason.Limit) {
        if (byCount.length > 0 && m.cpu.instructionCount >= byCount[0]!.atCount!) continue;
        if (m.cpu.instructionCount >= args.maxInstructions) {
          err(`kstack run: stopped after ${m.cpu.instructionCount} instructions (--max-instructions) at rip ${hex(m.cpu.rip)}`);
          status = EXIT_LIMIT;
          break;
        }
        continue;
      }
      if (r === StopReason.IoExit) {
        status = m.exitCode() ?? 0;
        break;
      }
      if (r === StopReason.Hlt) {
        err(`kstack run: the guest halted at rip ${hex(m.cpu.rip)} with nothing that could wake it (instruction ${m.cpu.instructionCount})`);
        status = 0;
        break;
      }
      if (r === StopReason.TripleFault) {
        err(`kstack run: ${m.stopCause || 'triple fault'} (the machine would reset)\n${cpuState(m)}`);
        const evs = m.events().slice(-16);
        if (evs.length) err('  last events:\n' + evs.map((e) => '    ' + describeEvent(e)).join('\n'));
        status = EXIT_TRIPLE_FAULT;
        break;
      }
      // Breakpoint / Exception / Watchpoint are debugger stops: none is set up here.
      err(`kstack run: unexpected stop (${StopReason[r]})\n${cpuState(m)}`);
      status = 1;
      break;
    }
  } finally {
    flush();
    if (traceFd >= 0) closeSync(traceFd);
  }
  if (m.cpu.internalError) err(`kstack run: emulator bug (the guest saw #UD): ${String(m.cpu.internalError)}`);
  return status;
}

function isAsmSource(path: string): boolean {
  return /\.(asm|nasm|s)$/i.test(path);
}

/** A NASM source, assembled and loaded exactly as the debugger loads it (debug-adapter/program). */
function loadAsmProgram(args: RunArgs, memoryBytes: number): Program | string {
  try {
    const config = checkLaunchArguments({ program: args.file, memory: memoryBytes, cmdline: args.append ?? '', boot: args.boot });
    return loadProgram(nodeHost(), config).program;
  } catch (e) {
    if (e instanceof AssemblyFailure) {
      const lines = e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
      return `kstack run: ${args.file} does not assemble:\n${lines.join('\n')}`;
    }
    return `kstack run: ${(e as Error).message.replace(/^launch: /, '')}`;
  }
}

interface ResolvedInjection {
  text: string;
  kind: InjectKind;
  vector?: number;
  atCount?: number;
  /** Linear address (the CPU's breakpoint key). */
  rip?: number;
}

function resolveInjections(specs: InjectSpec[], lookup: (name: string) => bigint | undefined): ResolvedInjection[] | string {
  const out: ResolvedInjection[] = [];
  for (const s of specs) {
    const r: ResolvedInjection = { text: s.text, kind: s.kind, vector: s.vector, atCount: s.atCount };
    if (s.atRip !== undefined) {
      let a: bigint | undefined;
      if (/^(0x[0-9a-f]+|\d+)$/i.test(s.atRip)) a = BigInt(s.atRip);
      else a = lookup(s.atRip);
      if (a === undefined) return `--inject ${s.text}: no symbol '${s.atRip}' in the program`;
      if (a >= 1n << 53n) return `--inject ${s.text}: address ${hex(a)} is beyond what the breakpoint table holds`;
      r.rip = Number(a);
    }
    out.push(r);
  }
  return out;
}
