// The native-run case format shared by the shift, bit and string tests: each case was run on this
// machine's CPU (AMD EPYC) by a throwaway harness with the same registers, RFLAGS and data region,
// and everything was read back; `run` replays one case on the emulator and lists the differences.
import { Cpu, StopReason } from '../cpu';

export const DATA = 0x100000, DSZ = 0x2000, CODE = 0x200000;
export const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/**
 * The machine of the native runs: 8 KiB of data at 0x100000 (byte i = (i * 0x9d + 0x37) & 0xff,
 * then the case's patches), followed by a page that is present (zero) or, with `guard`, not
 * present; nothing else mapped below 2 MiB; the instruction at 0x200000.
 */
export function machine(): { cpu: Cpu; guard: (on: boolean) => void } {
  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  cpu.reset64();
  cpu.interceptExceptions = 0xffffffff;
  const pt = 0x800000;
  const pd0 = cpu.ramSize - 7 * 4096 + 0x3000;
  const q = (v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, v, true);
    return b;
  };
  cpu.writePhys(BigInt(pd0), q(pt + 7));
  cpu.writePhys(BigInt(pd0 + 16), new Uint8Array(4096 - 16));
  const guard = (on: boolean) => {
    cpu.writePhys(BigInt(pt), new Uint8Array(4096));
    for (const p of on ? [0x100, 0x101] : [0x100, 0x101, 0x102]) cpu.writePhys(BigInt(pt + p * 8), q(p * 4096 + 7));
    cpu.flushTlb(false);
  };
  return { cpu, guard };
}

export const hexBytes = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
function regList(s: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  if (s !== '-') for (const kv of s.split(',')) {
    const [k, v] = kv.split('=');
    m.set(k!, BigInt('0x' + v));
  }
  return m;
}
function applyRuns(mem: Uint8Array, s: string): void {
  if (s !== '-') for (const p of s.split(',')) {
    const [o, b] = p.split(':');
    mem.set(hexBytes(b!), parseInt(o!, 16));
  }
}

/**
 * One case: [nasm text, bytes, RFLAGS in, registers in (others 0), data patches, guard page,
 * exception ('-', or 'vector' / 'vector:error code' where for #PF only the P and W bits are
 * kept: the native runs were at CPL 3, these at CPL 0), RFLAGS out (status flags and DF),
 * registers that changed, data bytes that changed]. Returns the differences.
 */
export type Case = [string, string, number, string, string, number, string, number, string, string];
const init = new Uint8Array(DSZ + 0x1000);
for (let i = 0; i < DSZ; i++) init[i] = (i * 0x9d + 0x37) & 0xff;

export function run(m: ReturnType<typeof machine>, c: Case, bits: 64 | 32 = 64): string[] {
  const [, hex, fin, rin, patches, guard, exc, fout, rout, mout] = c;
  const { cpu } = m;
  m.guard(guard !== 0);
  const mem = init.slice();
  applyRuns(mem, patches);
  cpu.writePhys(BigInt(DATA), mem);
  const code = new Uint8Array(16).fill(0xcc);
  code.set(hexBytes(hex));
  cpu.writePhys(BigInt(CODE), code);
  if (bits === 32) cpu.loadSegFromDesc(1, 0x18, 0x0000ffff, 0x00cf9b00);
  const ri = regList(rin);
  for (const r of REGS) cpu.setReg(r, ri.get(r) ?? 0n);
  cpu.rflags = BigInt(fin);
  cpu.rip = BigInt(CODE);
  const stop = cpu.step();
  const d: string[] = [];
  if (cpu.internalError) d.push(`internal error ${String(cpu.internalError)}`);
  let e = '-';
  if (stop === StopReason.Exception) {
    const x = cpu.lastException!;
    e = x.vector === 14 ? `14:${x.errorCode & 3}` : String(x.vector);
  }
  if (e !== exc) d.push(`exception ${e} want ${exc}`);
  const f = Number(cpu.rflags) & 0xcd5;
  if (f !== fout) d.push(`rflags ${f.toString(16)} want ${fout.toString(16)}`);
  const ro = regList(rout);
  for (const r of REGS) {
    const want = ro.get(r) ?? ri.get(r) ?? 0n;
    const got = cpu.getReg(r);
    if (got !== want) d.push(`${r} ${got.toString(16)} want ${want.toString(16)}`);
  }
  const want = mem.slice(0, DSZ);
  applyRuns(want, mout);
  const got = cpu.readPhys(BigInt(DATA), DSZ);
  for (let i = 0, n = 0; i < DSZ; i++)
    if (got[i] !== want[i] && n++ < 4) d.push(`data[${i.toString(16)}] ${got[i]!.toString(16)} want ${want[i]!.toString(16)}`);
  return d;
}
