// The QEMU transcripts of the test kernels (test/fixtures/qemu) are well formed, one per kernel,
// and `kstack run` (dist/cli.js) prints each of them: the kernels are built with nasm + ld and
// booted through the multiboot loader in 32-bit protected mode, as `qemu-system-x86_64 -kernel`
// does. Two runs give identical `--trace interrupts` output. That the transcripts are still what
// the kernels print under QEMU now is a slow oracle run: test/qemu-transcripts.oracle.ts
// (`npm run oracles`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needTools } from './tools';
import { createMachine } from '../emulator/machine';
import { applyBootPlan, isBootError, planBoot, findSymbol, parseElf } from '../emulator/boot';
import { StopReason } from '../emulator/cpu/cpu';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kernels = join(root, 'test/kernels');
const fixtures = join(root, 'test/fixtures/qemu');

const names = readdirSync(kernels).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

/** Check one transcript; returns whether it carries `# corrected` header lines. */
function checkTranscript(name: string, text: string, mayBeCorrected: boolean): boolean {
  expect(text).not.toContain('\r');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  let i = 0;
  while (lines[i]?.startsWith('# ')) i++;
  const corrected = i > 0;
  if (corrected) {
    expect(mayBeCorrected).toBe(true);
    expect(lines.slice(0, i).some((l) => l.startsWith('# corrected: '))).toBe(true);
  }
  expect(lines[i]).toBe(`KSTACK-TEST-BEGIN ${name}`);
  const status = /^exit-status=(\d+|timeout)$/.exec(lines.at(-1)!);
  expect(status, `${name}: last line`).not.toBeNull();
  const end = /^KSTACK-TEST-END code=0x([0-9a-f]+)$/.exec(lines.at(-2)!);
  expect(end, `${name}: end marker before the exit status`).not.toBeNull();
  // isa-debug-exit: QEMU exits with (code << 1) | 1
  expect(Number(status![1])).toBe(((parseInt(end![1]!, 16) << 1) | 1) & 0xff);
  expect(lines.filter((l) => l.startsWith('KSTACK-TEST-')).length).toBe(2);
  expect(lines.some((l) => l.startsWith('unexpected:'))).toBe(false);
  return corrected;
}

describe('QEMU transcripts of the test kernels', () => {
  it('has kernels', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  it.each(names)('%s: transcript well formed, raw QEMU output kept where corrected', (name) => {
    const text = readFileSync(join(fixtures, `${name}.txt`), 'utf8');
    const corrected = checkTranscript(name, text, true);
    const rawPath = join(fixtures, `${name}.qemu-raw.txt`);
    expect(existsSync(rawPath)).toBe(corrected);
    if (corrected) {
      checkTranscript(name, readFileSync(rawPath, 'utf8'), false);
    } else {
      // an uncorrected transcript says the kernel succeeded
      expect(text).toMatch(/\nKSTACK-TEST-END code=0x0\nexit-status=1\n$/);
    }
  });

  it('has no transcript without a kernel', () => {
    for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.txt'))) {
      expect(names).toContain(f.replace(/(\.qemu-raw)?\.txt$/, ''));
    }
  });
});

/** A transcript without its `# corrected` header: what `kstack run` must print (then the status). */
function expected(name: string): string {
  const text = readFileSync(join(fixtures, `${name}.txt`), 'utf8');
  return text.split('\n').filter((l) => !l.startsWith('# ')).join('\n');
}
/** COM1 output from the marker line on, plus QEMU's `exit-status=` for the guest's exit code. */
function asTranscript(stdout: string, status: number | null): string {
  const at = stdout.indexOf('KSTACK-TEST-BEGIN ');
  const body = at >= 0 ? stdout.slice(at) : stdout;
  return `${body}exit-status=${status === null ? 'timeout' : ((status << 1) | 1) & 0xff}\n`;
}

const cli = join(root, 'dist', 'cli.js');
/** `kstack run` options a kernel needs (what the QEMU run did through its monitor). */
const OPTIONS: Record<string, string[]> = {
  mc_injected: ['--inject', 'mc@rip=mc_wait'],
};

describe.skipIf(!needTools('nasm', 'ld'))('kstack run prints the QEMU transcript of each test kernel', () => {
  let out = '';
  beforeAll(() => {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
    out = mkdtempSync(join(tmpdir(), 'kstack-kernels-'));
    const k = spawnSync('bash', [join(kernels, 'build.sh'), out], { encoding: 'utf8' });
    if (k.status !== 0) throw new Error(`test/kernels/build.sh failed: ${k.stderr}`);
  }, 180_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const run = (name: string, extra: string[] = []) => {
    const r = spawnSync(process.execPath, [cli, 'run', ...(OPTIONS[name] ?? []), ...extra, join(out, `${name}.elf`)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return r;
  };

  it.each(names)('%s', (name) => {
    const r = run(name);
    let want = expected(name);
    if (name === 'mc_injected') {
      // `--inject mc` raises the machine's default error (bank 0, address 0); the kernel prints
      // bank 1 as QEMU's `mce 0 1 ...` set it. That line is checked with the exact injection below.
      want = want.replace(/^mc: mcg_status=.*$/m, 'mc: mcg_status=0x5 mc1_status=0x0 mc1_addr=0x0');
    }
    expect(asTranscript(r.stdout, r.status), r.stderr).toBe(want);
  }, 120_000);

  it('mc_injected with the #MC QEMU\'s monitor injected (bank 1, status 0xb200000000000000, address 0x12345000)', () => {
    const bytes = new Uint8Array(readFileSync(join(out, 'mc_injected.elf')));
    const plan = planBoot(bytes, { memoryBytes: 128 << 20, kernelName: 'mc_injected.elf' });
    if (isBootError(plan)) throw new Error(plan.error);
    let serial = '';
    const m = createMachine({ memoryBytes: 128 << 20, serialOutput: (b) => (serial += Buffer.from(b).toString('latin1')) });
    expect(applyBootPlan(m.cpu, plan)).toBeNull();
    const elf = parseElf(bytes);
    if ('error' in elf) throw new Error(elf.error);
    const wait = findSymbol(elf, 'mc_wait');
    expect(wait).not.toBeNull();
    m.cpu.breakpoints.add(Number(wait));
    expect(m.run(50_000_000)).toBe(StopReason.Breakpoint);
    m.cpu.breakpoints.clear();
    m.devices.ic.injectMachineCheck({ bank: 1, status: 0xb200000000000000n, addr: 0x12345000n });
    let r: StopReason;
    do r = m.run(50_000_000);
    while (r === StopReason.IoExit && m.exitCode() === undefined);
    expect(asTranscript(serial, m.exitCode() ?? null)).toBe(expected('mc_injected'));
  }, 120_000);

  it.each(['int3', 'irq_stack', 'nmi_ist', 'user_rsp0', 'mc_injected'])('%s: two runs give identical --trace interrupts output', (name) => {
    const a = run(name, ['--trace', 'interrupts']);
    const b = run(name, ['--trace', 'interrupts']);
    const lines = a.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    expect(b.stderr).toBe(a.stderr);
    expect(b.stdout).toBe(a.stdout);
  }, 120_000);
});
