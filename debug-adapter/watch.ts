// Data breakpoints through the CPU's data watchpoints (cpu.addWatch / removeWatch): the memory
// layer notes every access to a watched range (explicit operands, stack pushes and pops, string
// operands, interrupt frames, descriptor reads), the instruction completes, and the run stops
// with StopReason.Watchpoint and cpu.watchHits. Code away from watched pages runs at full speed.
// This file keeps the CPU's watches in step with the data breakpoints and turns hits into what
// the user reads: `write to 0x100068 (8 bytes): 0x0 -> 0x5`, `read of ...`.

import type { Cpu } from '../emulator/cpu/cpu';
import type { DataBreakpoint } from './breakpoints';
import { readBytes } from './memory';

interface Watched {
  bp: DataBreakpoint;
  /** The CPU's watch id. */
  id: number;
  /** The watched bytes when the CPU last resumed or stopped here (for `old -> new`). */
  before: Uint8Array;
}

export interface WatchStop {
  bp: DataBreakpoint;
  text: string;
}

/** The CPU's watches for a set of data breakpoints. */
export class CpuWatches {
  private watched: Watched[] = [];
  private key = '';

  constructor(private readonly cpu: Cpu) {}

  /** Installs the watches for `bps` (no change when they are the ones installed). */
  sync(bps: DataBreakpoint[]): void {
    const key = bps.map((b) => `${b.id}:${b.address}/${b.size}/${b.access}`).join(',');
    if (key === this.key) return;
    this.clear();
    this.key = key;
    for (const bp of bps) {
      const lin = Number(BigInt.asIntN(64, bp.address));
      const id = this.cpu.addWatch(lin, bp.size, bp.access !== 'write', bp.access !== 'read');
      this.watched.push({ bp, id, before: this.read(bp) });
    }
  }

  /** Removes every watch from the CPU. */
  clear(): void {
    for (const w of this.watched) this.cpu.removeWatch(w.id);
    this.watched = [];
    this.key = '';
    this.cpu.watchHits.length = 0;
  }

  get size(): number {
    return this.watched.length;
  }

  /** Takes the values the user sees now as the `old` of the next write (call before running). */
  snapshot(): void {
    for (const w of this.watched) w.before = this.read(w.bp);
  }

  /**
   * After a Watchpoint stop: what happened to each breakpoint the instruction touched (a write
   * that changed the bytes, a write of the same value, a read), in breakpoint order. Clears the
   * CPU's hits and takes the new values as the next `old`.
   */
  hits(): WatchStop[] {
    const cpu = this.cpu;
    const out: WatchStop[] = [];
    for (const w of this.watched) {
      let read = false;
      let write = false;
      for (const h of cpu.watchHits) {
        if (h.id !== w.id) continue;
        if (h.write) write = true;
        else read = true;
      }
      if (!read && !write) continue;
      const after = this.read(w.bp);
      const changed = after.some((b, i) => b !== w.before[i]);
      let text: string;
      if (write && changed) text = `write to ${describe(w.bp)}: ${valueText(w.before)} -> ${valueText(after)}`;
      else if (write) text = `write of ${describe(w.bp)} (value unchanged: ${valueText(after)})`;
      else text = `read of ${describe(w.bp)}: ${valueText(after)}`;
      w.before = after;
      out.push({ bp: w.bp, text });
    }
    cpu.watchHits.length = 0;
    return out;
  }

  private read(bp: DataBreakpoint): Uint8Array {
    const { data } = readBytes(this.cpu, bp.address, bp.size);
    return data.slice(0, bp.size);
  }
}

function describe(bp: DataBreakpoint): string {
  return `0x${bp.address.toString(16)} (${bp.size} byte${bp.size > 1 ? 's' : ''})`;
}

function valueText(b: Uint8Array): string {
  if (b.length <= 8) {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return `0x${v.toString(16)}`;
  }
  return Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > 16 ? ' ...' : '');
}
