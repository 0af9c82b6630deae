// `kstack tour` (npm start): the IST tour without an editor. Boots examples/tour.asm (or another
// kernel) on the emulated PC, injects a machine check when RIP reaches `mc_wait`, and prints, in
// guest-time order, the guest's serial output, every interrupt or exception delivered, and every
// stack switch the stack tracker (emulator/inspect/stacks.ts) sees; then the TSS's stack slots
// with how deep each stack went.

import { realpathSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createMachine, StopReason, type MachineEvent } from '../emulator/machine';
import { StackTracker, type StackStatus, type StackSwitch, type StackAlert } from '../emulator/inspect/stacks';
import { AssemblyFailure, loadProgram, type Program } from '../debug-adapter/program';
import { checkLaunchArguments } from '../debug-adapter/config';
import { nodeHost } from '../debug-adapter/host';

export const TOUR_USAGE = `usage: kstack tour [--max-instructions N] [FILE]

Boots the IST tour kernel (examples/tour.asm; or FILE, a .asm or ELF kernel) on the emulated PC
and prints its COM1 output, every interrupt and exception delivered, every switch between known
stacks, then the TSS's RSP0-2 and IST1-7 slots with how deep each stack went. A machine check is
injected the first time RIP reaches the symbol mc_wait, if the kernel has one. npm start runs it.`;

const hex = (v: number | bigint) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
const VECTOR_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS',
  11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

/** Where examples/tour.asm is: next to dist/ in a checkout (dist/cli.js -> ../examples). */
function defaultTourFile(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : join(process.cwd(), 'dist', 'cli.js');
  return join(dirname(script), '..', 'examples', 'tour.asm');
}

function sizeText(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

/** Synchronous stdout (the tour prints while the guest runs); a closed pipe (| head) ends quietly. */
function writeOut(s: string): void {
  const b = Buffer.from(s);
  for (let off = 0; off < b.length; ) {
    try {
      off += writeSync(1, b, off, b.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(0);
      if (code !== 'EAGAIN') throw e;
    }
  }
}

/** `kstack tour ARGS`: returns the exit status. */
export function runTour(argv: string[], out: (s: string) => void = writeOut): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    out(TOUR_USAGE + '\n');
    return 0;
  }
  let file: string | undefined;
  let maxInstructions = 50_000_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--max-instructions') {
      const v = argv[++i] ?? '';
      if (!/^\d+$/.test(v)) {
        process.stderr.write(`kstack tour: --max-instructions takes a whole number (got '${v}')\n`);
        return 2;
      }
      maxInstructions = Number(v);
    } else if (a.startsWith('-')) {
      process.stderr.write(`kstack tour: unknown option '${a}'\n\n${TOUR_USAGE}\n`);
      return 2;
    } else if (file !== undefined) {
      process.stderr.write(`kstack tour: unexpected argument '${a}' (one FILE)\n`);
      return 2;
    } else file = a;
  }
  file ??= defaultTourFile();

  const memoryBytes = 64 << 20;
  let program: Program;
  try {
    program = loadProgram(nodeHost(), checkLaunchArguments({ program: file, memory: memoryBytes })).program;
  } catch (e) {
    if (e instanceof AssemblyFailure) {
      process.stderr.write(`kstack tour: ${file} does not assemble:\n${e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`).join('\n')}\n`);
    } else process.stderr.write(`kstack tour: ${(e as Error).message.replace(/^launch: /, '')}\n`);
    return 2;
  }
  const name = (a: number | bigint): string => {
    const d = program.debug.describe(BigInt.asUintN(64, BigInt(a)));
    return d ? `${hex(a)} <${d}>` : hex(a);
  };

  // Serial output, one line at a time, between the event lines.
  let partial = '';
  const serialLine = (line: string) => out(`  serial | ${line}\n`);
  const flushSerial = () => {
    if (partial !== '') {
      serialLine(partial);
      partial = '';
    }
  };
  const m = createMachine({
    memoryBytes,
    serialOutput: (b) => {
      partial += Buffer.from(b).toString('latin1');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        serialLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    },
  });
  const err = program.install(m.cpu);
  if (err !== undefined) {
    process.stderr.write(`kstack tour: ${file}: cannot start this kernel: ${err}\n`);
    return 2;
  }

  out(`KStack IST tour: ${relative(process.cwd(), file) || file}\n`);
  out(`Booted at _start in 64-bit mode on the emulated PC. Guest time (the [numbers]) counts\n`);
  out(`instructions, so every run prints exactly this.\n\n`);

  const symbols = program.debug.symbols.filter((s) => s.kind !== 'equ').map((s) => ({ name: s.name, address: Number(s.address), size: Number(s.size) }));
  const tracker = new StackTracker(m.cpu, { symbols });
  const stackName = (s: string | null) => s ?? 'no known stack';
  const at = (count: number) => `  [${String(count).padStart(6)}]`;
  m.onEvent = (e: MachineEvent) => {
    if (e.kind === 'debug-exit') return;
    flushSerial();
    if (e.kind === 'init' || e.kind === 'shutdown') {
      out(`${at(e.count)} ${e.kind} at ${name(e.rip)}\n`);
      return;
    }
    // The tracker has not seen this delivery yet: name the stacks from the addresses.
    const from = tracker.stackAt(Number(e.rspBefore))?.name ?? null;
    const to = tracker.stackAt(Number(e.rspAfter))?.name ?? null;
    const what = `${VECTOR_NAMES[e.vector] ?? 'vector'} (${e.vector})`;
    const via = e.tssSlot ? `the CPU loads RSP from TSS.${e.tssSlot}` : 'no stack switch by the CPU';
    out(`${at(e.count)} ${what} ${e.kind}${e.errorCode >= 0 ? ` error ${hex(e.errorCode)}` : ''}, saved rip ${name(e.rip)}, CPL ${e.cplBefore}->${e.cplAfter}\n`);
    out(`           ${via}: ${stackName(from)} ${hex(e.rspBefore)} -> ${stackName(to)} ${hex(e.rspAfter)}\n`);
  };
  tracker.onSwitch = (s: StackSwitch) => {
    if (s.vector !== undefined) return; // deliveries: printed by onEvent
    flushSerial();
    out(`${at(s.count)} stack switch by ${s.cause} at ${name(s.rip)}: ${stackName(s.from)} -> ${stackName(s.to)} (rsp ${hex(s.rspAfter)})\n`);
  };
  let lastAlert = '';
  tracker.onAlert = (a: StackAlert) => {
    const key = `${a.count} ${a.message}`;
    if (key === lastAlert) return; // one finding reported by two of the tracker's paths
    lastAlert = key;
    flushSerial();
    out(`${at(a.count)} !! ${a.message}\n`);
  };
  tracker.attach();

  const mcWait = program.debug.lookup('mc_wait');
  if (mcWait) m.cpu.breakpoints.add(Number(mcWait.address));

  let status = 1;
  let why = '';
  for (;;) {
    const left = maxInstructions - m.cpu.instructionCount;
    if (left <= 0) {
      why = `stopped after ${maxInstructions} instructions`;
      break;
    }
    const r = m.run(Math.min(left, 5_000_000));
    if (r === StopReason.Watchpoint) {
      tracker.handleWatchHits();
      tracker.takeStop();
      continue;
    }
    if (r === StopReason.Breakpoint) {
      if (mcWait && m.cpu.ip === Number(mcWait.address) && m.cpu.breakpoints.has(m.cpu.ip)) {
        m.cpu.breakpoints.delete(m.cpu.ip);
        flushSerial();
        out(`${at(m.cpu.instructionCount)} (the tour injects a machine check: RIP reached mc_wait)\n`);
        m.inject('mc');
      } else tracker.takeStop();
      continue;
    }
    if (r === StopReason.Limit) continue;
    if (r === StopReason.IoExit) {
      status = m.exitCode() ?? 0;
      why = `the kernel wrote ${status} to isa-debug-exit`;
      break;
    }
    why = r === StopReason.Hlt ? 'the CPU halted with nothing to wake it' : r === StopReason.TripleFault ? `${m.stopCause || 'triple fault'}` : `stopped (${StopReason[r]})`;
    break;
  }
  flushSerial();
  out(`\nEnd: ${why}, after ${m.cpu.instructionCount} instructions.\n\n`);
  printTss(tracker.status(), m.cpu.trBase, (a, n) => m.cpu.readLinear(BigInt(a), n), out);
  tracker.detach();
  return status;
}

/** The TSS's stack slots and every known stack, with how deep each went. */
function printTss(stacks: StackStatus[], trBase: number, read: (a: number, n: number) => Uint8Array | null, out: (s: string) => void): void {
  const tss = read(trBase, 104);
  out(`TSS at ${hex(trBase)}: the stacks the CPU switches to\n`);
  const rows: string[][] = [['slot', 'points at', 'stack', 'size', 'deepest use']];
  const slots = ['RSP0', 'RSP1', 'RSP2', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `IST${n}`)];
  const shown = new Set<string>();
  slots.forEach((slot, i) => {
    const off = i < 3 ? 4 + 8 * i : 36 + 8 * (i - 3);
    let v = 0n;
    if (tss) for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(tss[off + b]!);
    if (v === 0n) {
      rows.push([slot, '0', '(unused)', '', '']);
      return;
    }
    const s = stacks.find((x) => BigInt(x.top) === v);
    if (s) shown.add(s.name);
    rows.push([slot, hex(v), s?.name ?? '(not a known stack)', s ? sizeText(s.size) : '', s ? depth(s) : '']);
  });
  table(rows, out);
  const others = stacks.filter((s) => !shown.has(s.name));
  if (others.length > 0) {
    out(`\nOther stacks (switched to by software)\n`);
    table([['stack', 'top', 'size', 'deepest use'], ...others.map((s) => [s.name, hex(s.top), sizeText(s.size), depth(s)])], out);
  }
}

function depth(s: StackStatus): string {
  if (s.deepest === 0) return 'not used';
  const full = s.deepest >= s.size ? ' (full)' : '';
  return `${s.deepest} bytes${full}${s.belowTouched ? ', and the page below it' : ''}`;
}

function table(rows: string[][], out: (s: string) => void): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const r of rows) out('  ' + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd() + '\n');
}
