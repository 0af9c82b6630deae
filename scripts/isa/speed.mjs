// Measures decode() throughput on a mix of common instructions: node scripts/isa/speed.mjs
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'isa-speed-'));
try {
  const out = join(dir, 'isa.mjs');
  await build({ stdin: { contents: "export * from './isa/decoder'; export * from './isa/format';", resolveDir: process.cwd(), loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'warning' });
  const { decode, newInstr, formatInstr } = await import(pathToFileURL(out).href);
  const code = [
    '48 89 e5', '48 83 ec 20', '8b 45 fc', '48 8b 04 c5 00 10 40 00', 'e8 00 00 00 00', '48 01 d8', '0f b6 c0',
    '74 05', '0f 85 00 01 00 00', 'c3', '55', '5d', '48 8d 44 24 08', 'f3 ab', '48 c7 c0 01 00 00 00', 'ff d0',
    '41 53', '66 89 07', 'c6 00 01', '48 b8 11 22 33 44 55 66 77 88', '0f 01 10', '64 48 8b 04 25 28 00 00 00',
  ].map((h) => h.split(' ').map((x) => parseInt(x, 16)));
  const bytes = Uint8Array.from(code.flat());
  const starts = [];
  let p = 0;
  for (const c of code) (starts.push(p), (p += c.length));
  const d = newInstr();
  const run = (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const s = starts[i % starts.length];
      sum += decode(bytes, s, bytes.length - s, 64, d).length;
    }
    return sum;
  };
  run(2_000_000);
  const n = 10_000_000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  run(n);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`decode: ${(n / ms / 1000).toFixed(2)} million/s wall, ${(n / cpuMs / 1000).toFixed(2)} million per CPU-second (${(cpuMs * 1e6 / n).toFixed(0)} ns CPU each, reusing out)`);
  const t1 = performance.now();
  for (let i = 0; i < 2_000_000; i++) decode(bytes, starts[i % starts.length], 15, 64);
  const ms1 = performance.now() - t1;
  console.log(`decode: ${(2_000_000 / ms1 / 1000).toFixed(2)} million/s allocating a new Instr each`);
  const t2 = performance.now();
  for (let i = 0; i < 200_000; i++) formatInstr(decode(bytes, starts[i % starts.length], 15, 64, d), 0x401000n);
  console.log(`format: ${(200_000 / (performance.now() - t2) / 1000).toFixed(2)} million/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
