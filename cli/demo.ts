// `kstack demo`: runs the benchmark guest (bench/guest/workload.c, embedded in demo-image.ts) in the
// emulator with two of its kernels, a prime sieve and CRC-32, about 50 million instructions, and
// prints what it computed and how fast. Exit code 0 when the guest halted with the results the
// native build of the same C computes; 1 otherwise, with the reason.

import { Cpu, StopReason } from '../emulator/cpu/cpu';
import { DEMO_EXPECTED, DEMO_IMAGE_BASE64 } from './demo-image';

// The guest's interface, as in bench/guest/workload.h.
const LOAD_ADDR = 0x100000n;
const MAILBOX_ADDR = 0x80000n;
const MAILBOX_BYTES = 112;
const MAGIC_IN = 0x4e49584f424c494dn;
const MAGIC_DONE = 0x454e4f44484e4542n;
const K_SIEVE = 0;
const K_CRC = 1;

export interface DemoOutcome {
  ok: boolean;
  lines: string[];
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const hex32 = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;

function stopName(stop: StopReason): string {
  for (const [name, v] of Object.entries(StopReason)) if (v === stop) return name;
  return String(stop);
}

/** Runs the demo; `iters` (per kernel) defaults to the demo's, with results checked when it is. */
export function demo(iters: readonly number[] = DEMO_EXPECTED.iters): DemoOutcome {
  const image = Uint8Array.from(Buffer.from(DEMO_IMAGE_BASE64, 'base64'));
  const mailbox = new Uint8Array(MAILBOX_BYTES);
  const mv = new DataView(mailbox.buffer);
  mv.setBigUint64(0, MAGIC_IN, true);
  iters.forEach((n, k) => mv.setUint32(8 + 4 * k, n, true));

  const cpu = new Cpu({ memoryBytes: 16 << 20 });
  cpu.reset64();
  cpu.writePhys(LOAD_ADDR, image);
  cpu.writePhys(MAILBOX_ADDR, mailbox);
  cpu.rip = LOAD_ADDR;
  cpu.setReg('rsp', MAILBOX_ADDR);
  cpu.interceptExceptions = 0xffffffff;

  const start = cpu.instructionCount;
  const t0 = process.hrtime.bigint();
  let stop: StopReason = StopReason.Limit;
  for (let rounds = 0; stop === StopReason.Limit && rounds < 10; rounds++) stop = cpu.run(100_000_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const instructions = cpu.instructionCount - start;

  const lines: string[] = [];
  if (stop !== StopReason.Hlt) {
    let why = `the guest program stopped (${stopName(stop)}) at rip ${hex(cpu.rip)} after ${instructions.toLocaleString('en-US')} instructions`;
    if (stop === StopReason.Exception && cpu.lastException) {
      const e = cpu.lastException;
      why += `: exception ${e.vector} (error code ${e.errorCode}, cr2 ${hex(e.cr2)})`;
    }
    const b = cpu.readLinear(cpu.rip, 15);
    why += `; bytes at rip: ${b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ') : 'unmapped'}`;
    return { ok: false, lines: [why] };
  }
  const out = new DataView(cpu.readPhys(MAILBOX_ADDR, MAILBOX_BYTES).slice().buffer);
  if (out.getBigUint64(0, true) !== MAGIC_DONE) {
    return { ok: false, lines: [`the guest program halted at rip ${hex(cpu.rip)} before finishing its work`] };
  }
  const value = (k: number) => out.getUint32(40 + 4 * k, true);
  const checksum = (k: number) => out.getUint32(72 + 4 * k, true);
  const errors = out.getUint32(104, true);

  const sieveRounds = iters[K_SIEVE] ?? 0;
  const crcRounds = iters[K_CRC] ?? 0;
  if (sieveRounds > 0) {
    const limit = 32768 - 2 * ((sieveRounds - 1) & 255);
    lines.push(`prime sieve, ${sieveRounds} rounds: the last found ${value(K_SIEVE)} primes below ${limit}`);
  }
  if (crcRounds > 0) {
    lines.push(`CRC-32 of ${crcRounds} pseudo-random 1 KiB buffers, by table and bit by bit: the last is ${hex32(value(K_CRC))}`);
  }
  const mips = instructions / seconds / 1e6;
  lines.push(`${instructions.toLocaleString('en-US')} instructions in ${seconds.toFixed(2)} s: ${mips.toFixed(1)} MIPS`);

  let ok = true;
  if (errors !== 0) {
    ok = false;
    lines.push(`WRONG: ${errors} of the guest's self-checks failed (CRC-32("123456789") = 0xcbf43926, table = bitwise)`);
  } else {
    lines.push(`the guest's self-checks passed (CRC-32("123456789") = 0xcbf43926, table CRC = bitwise CRC)`);
  }
  const checked = iters.length === DEMO_EXPECTED.iters.length && iters.every((n, k) => n === DEMO_EXPECTED.iters[k]);
  if (checked) {
    const wrong = [K_SIEVE, K_CRC].filter(
      (k) => value(k) !== DEMO_EXPECTED.value[k] || checksum(k) !== DEMO_EXPECTED.checksum[k],
    );
    if (wrong.length === 0) lines.push('the results match those of the same C compiled and run natively');
    else {
      ok = false;
      for (const k of wrong) {
        lines.push(
          `WRONG: ${k === K_SIEVE ? 'sieve' : 'CRC-32'}: value ${value(k)} checksum ${hex32(checksum(k))}, ` +
            `the native run computed ${DEMO_EXPECTED.value[k]} and ${hex32(DEMO_EXPECTED.checksum[k]!)}`,
        );
      }
    }
  }
  return { ok, lines };
}

export function runDemo(): number {
  console.log('KStack demo: an x86-64 program (bench/guest/workload.c) running in the emulator');
  const { ok, lines } = demo();
  for (const line of lines) console.log(`  ${line}`);
  if (!ok) console.error('kstack demo: the emulator did not run the program correctly');
  return ok ? 0 : 1;
}
