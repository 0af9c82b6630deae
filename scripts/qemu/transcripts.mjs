#!/usr/bin/env node
// Regenerate (or check) the QEMU transcripts of the test kernels.
//
//   node scripts/qemu/transcripts.mjs            build every kernel, run each twice under QEMU,
//                                               write test/fixtures/qemu/<name>.txt
//   node scripts/qemu/transcripts.mjs NAME...    only those kernels
//   node scripts/qemu/transcripts.mjs --check    write nothing; fail if a run differs from the
//                                               committed fixture (or the two runs differ)
//   node scripts/qemu/transcripts.mjs --variants also run each kernel with -singlestep (events at
//                                               instruction, not translation-block, boundaries)
//                                               and with -icount, and fail if any output differs
//
// A transcript is the kernel's COM1 output from its marker line `KSTACK-TEST-BEGIN <name>` on,
// then a line `exit-status=N` (QEMU's exit status: (code << 1) | 1 for a code written to the
// isa-debug-exit port, 0 for a triple fault with -no-reboot, `timeout` if it hung).
// Where QEMU is known to differ from the SDM / the hardware, corrections.mjs lists the lines to
// replace: then <name>.qemu-raw.txt keeps QEMU's output and <name>.txt the expected one, headed by
// `# corrected:` lines. See test/kernels/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corrections } from './corrections.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kernelsDir = join(root, 'test/kernels');
const fixturesDir = join(root, 'test/fixtures/qemu');
const MARKER = 'KSTACK-TEST-BEGIN';
const TIMEOUT_MS = 30_000;

/** The QEMU command line (the ORACLES.md recipe); `monitor` replaces `-monitor none`. */
export function qemuArgs(elf, monitor = 'none') {
  return [
    '-nographic', '-no-reboot', '-display', 'none', '-monitor', monitor, '-serial', 'stdio',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-m', '128', '-kernel', elf,
  ];
}

/** Kernels that need something sent to QEMU's monitor once they print a line. */
const injections = {
  mc_injected: { when: 'mc: waiting\n', command: 'mce 0 1 0xb200000000000000 0x5 0x12345000 0' },
};

export function kernelNames() {
  return readdirSync(kernelsDir).filter((f) => f.endsWith('.asm')).map((f) => basename(f, '.asm')).sort();
}

export function build(outDir, names) {
  const r = spawnSync(join(kernelsDir, 'build.sh'), [outDir, ...names], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

/** QEMU options under which a kernel's output must not change (see --variants). */
export const VARIANTS = [['-singlestep'], ['-icount', 'shift=0'], ['-icount', 'shift=7,sleep=off']];

/** Run one kernel under QEMU; resolves to the transcript text. */
export function runQemu(name, elf, workDir, extra = []) {
  const inj = injections[name];
  const sock = join(workDir, `${name}.monitor.sock`);
  const args = [...qemuArgs(elf, inj ? `unix:${sock},server=on,wait=off` : 'none'), ...extra];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let injected = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d) => {
      out += d;
      if (inj && !injected && out.includes(inj.when)) {
        injected = true;
        const c = createConnection(sock, () => c.write(`${inj.command}\n`));
        c.on('data', () => {});
        // QEMU may exit (closing the socket) before we do; a failed injection shows as a timeout
        c.on('error', () => {});
        setTimeout(() => c.end(), 2000).unref();
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const status = timedOut ? 'timeout' : String(code);
      const at = out.indexOf(MARKER);
      if (at < 0) {
        reject(new Error(`${name}: no ${MARKER} in QEMU's output (status ${status})\n${out}\n${err}`));
        return;
      }
      let text = out.slice(at).replace(/\r/g, '');
      if (!text.endsWith('\n')) text += '\n';
      resolvePromise(`${text}exit-status=${status}\n`);
    });
  });
}

/** The kernel's symbols (name -> "0x..." address), for `{symbol}` in corrections.mjs. */
export function symbols(elf) {
  const r = spawnSync('nm', [elf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nm ${elf} failed: ${r.stderr}`);
  const map = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
    if (m) map.set(m[2], `0x${BigInt(`0x${m[1]}`).toString(16)}`);
  }
  return map;
}

/**
 * Apply corrections.mjs to a raw transcript: returns the expected transcript, or null when the
 * kernel has no corrections. Each correction replaces the first line (every line, with `all`)
 * that equals `raw` (or matches the RegExp `pattern`), searching after the line `after` if given,
 * by `expected`: a line, a list of lines, or a function (line, lines, index) returning either.
 * `{name}` in `raw`,
 * `after` and `expected` strings stands for the address of the kernel's symbol `name`.
 * A correction that matches nothing is an error: the kernel changed, the corrections must be
 * looked at again.
 */
export function correct(name, raw, syms) {
  const list = corrections[name];
  if (!list || list.length === 0) return null;
  const sub = (s) => s.replace(/\{(\w+)\}/g, (_, sym) => {
    const v = syms.get(sym);
    if (v === undefined) throw new Error(`${name}: no symbol ${sym}`);
    return v;
  });
  const lines = raw.replace(/\n$/, '').split('\n');
  const whys = [];
  for (const c of list) {
    let from = 0;
    if (c.after !== undefined) {
      const a = lines.indexOf(sub(c.after), 0);
      if (a < 0) throw new Error(`${name}: correction anchor not found: ${c.after}`);
      from = a + 1;
    }
    const hit = c.pattern ? (l) => c.pattern.test(l) : ((r) => (l) => l === r)(sub(c.raw));
    let n = 0;
    for (let i = from; i < lines.length; i++) {
      if (!hit(lines[i])) continue;
      const e = typeof c.expected === 'function' ? c.expected(lines[i], lines, i) : c.expected;
      const repl = (Array.isArray(e) ? e : [e]).map(sub);
      lines.splice(i, 1, ...repl);
      i += repl.length - 1;
      n++;
      if (!c.all) break;
    }
    if (n === 0) throw new Error(`${name}: line to correct not found: ${c.raw ?? c.pattern}`);
    if (!whys.includes(c.why)) whys.push(c.why);
  }
  const header = [
    `# corrected from ${name}.qemu-raw.txt by scripts/qemu/corrections.mjs, where QEMU 7.2 TCG`,
    '# differs from the SDM / the hardware (see test/kernels/README.md):',
    ...whys.map((w) => `# corrected: ${w}`),
  ];
  return `${[...header, ...lines].join('\n')}\n`;
}

async function main() {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const variants = argv.includes('--variants');
  const names = argv.filter((a) => !a.startsWith('--'));
  const list = names.length ? names : kernelNames();
  const work = mkdtempSync(join(tmpdir(), 'kstack-qemu-'));
  let bad = 0;
  try {
    build(work, list);
    for (const name of list) {
      const elf = join(work, `${name}.elf`);
      const first = await runQemu(name, elf, work);
      const second = await runQemu(name, elf, work);
      if (first !== second) {
        console.error(`${name}: two QEMU runs differ\n--- run 1\n${first}--- run 2\n${second}`);
        bad++;
        continue;
      }
      if (variants) {
        for (const v of VARIANTS) {
          const other = await runQemu(name, elf, work, v);
          if (other !== first) {
            console.error(`${name}: output under ${v.join(' ')} differs\n${other}`);
            bad++;
          }
        }
      }
      const expected = correct(name, first, symbols(elf));
      const files = expected === null
        ? { [`${name}.txt`]: first }
        : { [`${name}.qemu-raw.txt`]: first, [`${name}.txt`]: expected };
      for (const [file, text] of Object.entries(files)) {
        const path = join(fixturesDir, file);
        if (check) {
          const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
          if (old !== text) {
            console.error(`${file}: differs from the committed fixture\n--- now\n${text}`);
            bad++;
          }
        } else {
          writeFileSync(path, text);
        }
      }
      if (!check && expected === null && existsSync(join(fixturesDir, `${name}.qemu-raw.txt`))) {
        rmSync(join(fixturesDir, `${name}.qemu-raw.txt`));
      }
      console.log(`${name}: ${first.split('\n').at(-2)}${expected === null ? '' : ' (corrected)'}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`qemu-system-x86_64 ${qemuArgs('<name>.elf').join(' ')}`);
  if (bad) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
