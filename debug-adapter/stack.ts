// The call stack from return addresses: the frame-pointer chain (RBP -> saved RBP, return address)
// when every link checks out, else a scan of the stack for values that follow a CALL instruction.
// Each frame carries the address of its instruction; callers' source lines are looked up at
// return address - 1 (inside the CALL).

import type { Cpu } from '../emulator/cpu/cpu';
import { followsCall } from './disasm';
import { readInt } from './memory';

export interface Frame {
  /** The frame's instruction: RIP for the top frame, the return address for callers. */
  pc: bigint;
  /** Where the return address was found (callers only). */
  slot?: bigint;
  /** How the frame was found. */
  how: 'rip' | 'frame pointer' | 'stack scan';
}

const MAX_SCAN_QWORDS = 4096;
const MAX_STACK_SPAN = 1n << 20n;

export function unwind(cpu: Cpu, maxFrames = 64): Frame[] {
  const frames: Frame[] = [{ pc: cpu.rip, how: 'rip' }];
  if (maxFrames <= 1) return frames;
  const rsp = cpu.getReg('rsp');
  const chain = framePointerChain(cpu, rsp, maxFrames - 1);
  if (chain) {
    // At a function's entry (before `push rbp; mov rbp, rsp`) the caller is at [rsp].
    const top = readInt(cpu, rsp, 8);
    if (top !== undefined && chain[0]?.pc !== top && followsCall(cpu, top)) frames.push({ pc: top, slot: rsp, how: 'stack scan' });
    for (const f of chain) if (frames.length < maxFrames) frames.push(f);
    return frames;
  }
  for (let i = 0; i < MAX_SCAN_QWORDS && frames.length < maxFrames; i++) {
    const slot = rsp + BigInt(i * 8);
    const v = readInt(cpu, slot, 8);
    if (v === undefined) break;
    if (v !== 0n && followsCall(cpu, v)) frames.push({ pc: v, slot, how: 'stack scan' });
  }
  return frames;
}

/** The RBP chain when it is plausible all the way (each link above the last, each return address after a CALL). */
function framePointerChain(cpu: Cpu, rsp: bigint, max: number): Frame[] | null {
  let rbp = cpu.getReg('rbp');
  if (rbp < rsp || rbp - rsp > MAX_STACK_SPAN || (rbp & 7n) !== 0n) return null;
  const out: Frame[] = [];
  while (out.length < max) {
    const ra = readInt(cpu, rbp + 8n, 8);
    const next = readInt(cpu, rbp, 8);
    if (ra === undefined || next === undefined || !followsCall(cpu, ra)) return out.length ? out : null;
    out.push({ pc: ra, slot: rbp + 8n, how: 'frame pointer' });
    if (next === 0n || next <= rbp || next - rbp > MAX_STACK_SPAN) break;
    rbp = next;
  }
  return out;
}
