// `kstack run --trace stacks`: the emulator's stack tracker (emulator/inspect/stacks.ts) over the
// machine, one JSON object per stack switch and per detector finding, as they happen:
//   {"type":"stack-switch","count":N,"rip":"0x..","from":"thread_stack","to":"irq_stack","cause":"mov","rspBefore":"0x..","rspAfter":"0x.."}
//   {"type":"stack-alert","kind":"ist-reentry","count":N,"rip":"0x..","stack":"nmi_stack","vector":2,"message":"..."}
// `vector` appears on deliveries only; names are those the debugger uses (symbols, TSS slots).

import type { BootSymbol } from '../emulator/boot/plan';
import type { Machine } from '../emulator/machine';
import { StackTracker, hexAddr, type StackSymbol } from '../emulator/inspect/stacks';
import type { DebugInfo } from '../debug-adapter/debuginfo';

const num = (a: bigint) => Number(BigInt.asIntN(64, a));

/** Symbols of an ELF or multiboot kernel, for stack inference. */
export function bootStackSymbols(symbols: readonly BootSymbol[]): StackSymbol[] {
  return symbols.filter((s) => s.type !== 'file' && s.type !== 'section' && s.name !== '').map((s) => ({ name: s.name, address: num(s.value), size: Number(s.size) }));
}

/** Symbols of an assembled program (debugger image). */
export function programStackSymbols(debug: DebugInfo): StackSymbol[] {
  return debug.symbols.filter((s) => s.kind !== 'equ').map((s) => ({ name: s.name, address: num(s.address), size: Number(s.size) }));
}

/** Starts tracing stacks on `m`; `write` gets one JSON line (no newline) per event. */
export function traceStacks(m: Machine, symbols: StackSymbol[], write: (line: string) => void): StackTracker {
  const t = new StackTracker(m.cpu, { symbols, historyLimit: 16 });
  t.onSwitch = (s) =>
    write(
      JSON.stringify({
        type: 'stack-switch',
        count: s.count,
        rip: hexAddr(s.rip),
        from: s.from,
        to: s.to,
        cause: s.cause,
        ...(s.vector !== undefined ? { vector: s.vector } : {}),
        rspBefore: hexAddr(s.rspBefore),
        rspAfter: hexAddr(s.rspAfter),
      }),
    );
  t.onAlert = (a) =>
    write(JSON.stringify({ type: 'stack-alert', kind: a.kind, count: a.count, rip: hexAddr(a.rip), stack: a.stack, ...(a.vector !== undefined ? { vector: a.vector } : {}), message: a.message }));
  t.attach();
  return t;
}
