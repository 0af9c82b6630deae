// Every example under examples/ runs headless on the built CLI (`kstack run`, dist/cli.js) and
// prints the transcript stored in examples/expected/ (each one read against the SDM and the
// kernel-stacks note: see the examples' header comments); two runs are identical, traces too.
// The IST tour (`kstack tour`, npm start) visits every IST slot. The C kernel is checked against
// the output QEMU gave (examples/c-kernel/expected-serial.txt).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { startClient } from './dap/harness';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const examples = join(root, 'examples');
let tmp = '';

interface LaunchJson {
  configurations: ({ type: string; request: string; name: string; program: string; inject?: { kind: string }[] } & Record<string, unknown>)[];
}
function launchJson(): LaunchJson {
  const text = readFileSync(join(examples, '.vscode', 'launch.json'), 'utf8');
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '')) as LaunchJson;
}

function kstack(args: string[], cwd = examples) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Options an example needs to run headless (what its launch configuration does in VS Code). */
const OPTIONS: Record<string, string[]> = {
  '06-machine-check': ['--inject', 'mc@rip=mc_wait'],
};

const NAMES = readdirSync(examples)
  .filter((f) => /^\d\d-.*\.asm$/.test(f))
  .map((f) => f.replace(/\.asm$/, ''))
  .sort();

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  tmp = mkdtempSync(join(tmpdir(), 'kstack-examples-'));
}, 120_000);

describe('examples', () => {
  it('has one example per case of the kernel-stacks note, each with a stored transcript', () => {
    expect(NAMES).toEqual([
      '01-user-mode',
      '02-irq-stack',
      '03-double-fault',
      '04-nmi',
      '05-debug',
      '06-machine-check',
      '07-stack-fault',
      '08-ist-nesting',
    ]);
    const stored = readdirSync(join(examples, 'expected')).map((f) => f.replace(/\.txt$/, ''));
    for (const n of NAMES) expect(stored).toContain(n);
  });

  it('every example has a launch configuration in examples/.vscode/launch.json, with attributes of the manifest', () => {
    const launch = launchJson();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      contributes: { debuggers: { configurationAttributes: { launch: { properties: Record<string, unknown> } } }[] };
    };
    const known = new Set(['type', 'request', 'name', ...Object.keys(pkg.contributes.debuggers[0]!.configurationAttributes.launch.properties)]);
    for (const c of launch.configurations) for (const k of Object.keys(c)) expect(known, `${c.name}: ${k}`).toContain(k);
    const programs = launch.configurations.map((c) => c.program);
    for (const n of NAMES) expect(programs).toContain(`\${workspaceFolder}/${n}.asm`);
    expect(programs).toContain('${workspaceFolder}/tour.asm');
    for (const c of launch.configurations) expect(c.type).toBe('kstack');
    const mc = launch.configurations.find((c) => c.program.endsWith('06-machine-check.asm'));
    expect(mc?.inject?.[0]?.kind).toBe('mc');
  });

  for (const name of NAMES) {
    it(`${name}: prints its stored transcript and exits 0; a second run is identical (trace too)`, () => {
      const opts = OPTIONS[name] ?? [];
      const expected = readFileSync(join(examples, 'expected', `${name}.txt`), 'utf8');
      const t1 = join(tmp, `${name}.1.jsonl`);
      const t2 = join(tmp, `${name}.2.jsonl`);
      const a = kstack(['run', ...opts, '--trace', 'interrupts,stacks', '--trace-file', t1, `${name}.asm`]);
      expect(a.stderr).toBe('');
      expect(a.stdout).toBe(expected);
      expect(a.status).toBe(0);
      const b = kstack(['run', ...opts, '--trace', 'interrupts,stacks', '--trace-file', t2, `${name}.asm`]);
      expect(b.stdout).toBe(a.stdout);
      const trace1 = readFileSync(t1, 'utf8');
      expect(trace1.length).toBeGreaterThan(0);
      expect(readFileSync(t2, 'utf8')).toBe(trace1);
    });
  }

  it('06-machine-check waits for ever without an injection; a count-based injection works too', () => {
    const none = kstack(['run', '--max-instructions', '200000', '06-machine-check.asm']);
    expect(none.status).toBe(124);
    expect(none.stdout).not.toContain('#MC');
    // 100000 instructions in, the kernel spins in the loop at mc_wait (CMP, JE): the #MC arrives
    // there, on IST5.
    const byCount = kstack(['run', '--inject', 'mc@100000', '06-machine-check.asm']);
    expect(byCount.status).toBe(0);
    expect(byCount.stdout).toContain('#MC: rsp at entry=0x112fd8 <mce_stack_top-0x28>\n');
    expect(byCount.stdout).toMatch(/#MC: frame rip=0x[0-9a-f]+ <mc_wait(\+0x8)?> cs=0x8 /);
    expect(byCount.stdout).toContain('main: survived the machine check\n');
  });

  it('the traces show each example switching to the stack its note case is about', () => {
    const slots = (name: string) => {
      const f = join(tmp, `${name}.slots.jsonl`);
      kstack(['run', ...(OPTIONS[name] ?? []), '--trace', 'interrupts', '--trace-file', f, `${name}.asm`]);
      return readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { vector: number; tssSlot: string | null });
    };
    expect(slots('01-user-mode').map((e) => e.tssSlot)).toEqual(['RSP0', 'RSP0']);
    expect(slots('02-irq-stack').map((e) => e.tssSlot)).toEqual([null, null]);
    expect(slots('03-double-fault')).toEqual([expect.objectContaining({ vector: 8, tssSlot: 'IST2' })]);
    expect(slots('04-nmi').map((e) => [e.vector, e.tssSlot])).toEqual([[2, 'IST3'], [2, 'IST3']]);
    expect(slots('05-debug').every((e) => e.vector === 1 && e.tssSlot === 'IST4')).toBe(true);
    expect(slots('06-machine-check')).toEqual([expect.objectContaining({ vector: 18, tssSlot: 'IST5' })]);
    expect(slots('07-stack-fault').map((e) => [e.vector, e.tssSlot])).toEqual([[12, 'IST1'], [12, 'IST1'], [12, 'IST1']]);
    expect(slots('08-ist-nesting').map((e) => [e.vector, e.tssSlot])).toEqual([[1, 'IST4'], [3, 'IST4']]);
  });
});

describe('kstack run FILE.asm', () => {
  it('reports an assembly error with the file and line, exit 2', () => {
    writeFileSync(join(tmp, 'bad.asm'), 'bits 64\n_start:\n    frobnicate rax\n');
    const r = kstack(['run', join(tmp, 'bad.asm')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.asm:3:\d+: error: /);
  });

  it('rejects a malformed --inject and one naming a symbol the program does not have', () => {
    const bad = kstack(['run', '--inject', 'mc', '04-nmi.asm']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--inject takes KIND@WHEN");
    const vec = kstack(['run', '--inject', 'irq:3@10', '04-nmi.asm']);
    expect(vec.status).toBe(2);
    expect(vec.stderr).toContain('vector from 16 to 255');
    const sym = kstack(['run', '--inject', 'nmi@rip=no_such_label', '04-nmi.asm']);
    expect(sym.status).toBe(2);
    expect(sym.stderr).toContain("no symbol 'no_such_label'");
  });

  it('--inject irq:VECTOR delivers an external interrupt through the local APIC', () => {
    // The example's unexpected-interrupt stub reports vector 0x99 when IF = 1: 01-user-mode
    // runs user code with IF = 1, so an IRQ injected while it runs there reaches the stub.
    const r = kstack(['run', '--inject', 'irq:0x99@rip=after_int', '01-user-mode.asm']);
    expect(r.stdout).toContain('unexpected interrupt: vector=0x99');
    expect(r.status).toBe(0x7f);
  });
});

describe('kstack tour (npm start)', () => {
  it('prints the serial output, a delivery through each IST slot the tour uses, and the TSS table', () => {
    const a = kstack(['tour'], root);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    const out = a.stdout;
    expect(out).toContain('  serial | tour: every IST stack visited');
    for (const [what, slot, stack] of [
      ['#DB (1)', 'IST4', 'debug_stack'],
      ['NMI (2)', 'IST3', 'nmi_stack'],
      ['#SS (12)', 'IST1', 'stackfault_stack'],
      ['#MC (18)', 'IST5', 'mce_stack'],
      ['#DF (8)', 'IST2', 'doublefault_stack'],
    ]) {
      expect(out).toContain(what);
      expect(out).toMatch(new RegExp(`the CPU loads RSP from TSS\\.${slot}: [^\\n]+ 0x[0-9a-f]+ -> ${stack} `));
      // the table: the slot points at the stack, which was used
      expect(out).toMatch(new RegExp(`\\n  ${slot}\\s+0x[0-9a-f]+\\s+${stack}\\s+\\d+ KiB\\s+\\d+ bytes`));
    }
    expect(out).toMatch(/\n {2}RSP0\s+0x[0-9a-f]+\s+user_thread_stack\s+8 KiB\s+not used/);
    expect(out).toMatch(/\n {2}thread_stack\s+0x[0-9a-f]+\s+8 KiB\s+8192 bytes \(full\), and the page below it/);
    expect(out).toMatch(/stack switch by iretq at 0x[0-9a-f]+ <db_handler\+0x[0-9a-f]+>: debug_stack -> thread_stack/);
    const b = kstack(['tour'], root);
    expect(b.stdout).toBe(a.stdout);
  });

  it("the README's excerpt of the tour is what the tour prints", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('how deep each stack went:\n');
    expect(start).toBeGreaterThan(0);
    const block = readme.slice(start).split('\n').slice(2);
    const lines = block.slice(0, block.findIndex((l) => l !== '' && !l.startsWith('    ')));
    const excerpt = lines.map((l) => l.trim()).filter((l) => l !== '' && l !== '...');
    expect(excerpt.length).toBeGreaterThan(5);
    const out = kstack(['tour'], root).stdout.split('\n').map((l) => l.trim());
    for (const l of excerpt) expect(out).toContain(l);
  });

  it('tours another kernel given as FILE; bad options and missing files are errors (exit 2)', () => {
    const nmi = kstack(['tour', '04-nmi.asm']);
    expect(nmi.status).toBe(0);
    expect(nmi.stdout.match(/NMI \(2\) nmi, saved rip 0x[0-9a-f]+ <nmi_wait>/g)).toHaveLength(2);
    expect(nmi.stdout).toMatch(/\n {2}IST3\s+0x[0-9a-f]+\s+nmi_stack\s+4 KiB\s+\d+ bytes/);
    expect(nmi.stdout).toMatch(/\n {2}IST4\s+0x[0-9a-f]+\s+debug_stack\s+8 KiB\s+not used/);
    const bad = kstack(['tour', '--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--bogus'");
    const missing = kstack(['tour', 'no-such-file.asm']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/kstack tour: cannot read the program '.*no-such-file\.asm'/);
  });

  it('npm start runs the tour', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/node dist\/cli\.js tour$/);
  });
});

describe('examples/c-kernel', () => {
  it('prints what QEMU printed (expected-serial.txt) and exits 0', () => {
    // It boots through multiboot: 32-bit protected mode first, its own switch to long mode.
    const r = kstack(['run', 'c-kernel/kernel.elf']);
    // QEMU's transcript starts at the kernel's marker line (SeaBIOS prints before it) and has
    // the kernel's CR LF line ends as LF.
    const fromMarker = r.stdout.slice(r.stdout.indexOf('KSTACK-TEST-BEGIN')).replace(/\r\n/g, '\n');
    expect(fromMarker).toBe(readFileSync(join(examples, 'c-kernel', 'expected-serial.txt'), 'utf8'));
    expect(r.status).toBe(0);
  });
});

describe('examples/.vscode/launch.json in the debug adapter', () => {
  it('every configuration runs to its end (continuing at every stop) and exits 0', async () => {
    for (const config of launchJson().configurations) {
      const args = JSON.parse(JSON.stringify(config).replaceAll('${workspaceFolder}', examples)) as Record<string, unknown>;
      const dc = await startClient();
      try {
        let stops = 0;
        dc.on('stopped', () => {
          stops++;
          if (stops < 50) void dc.continueRequest({ threadId: 1 }).catch(() => undefined);
        });
        const exited = dc.waitForEvent('exited', 60_000);
        await Promise.all([dc.configurationSequence(), dc.launch({ ...args, cwd: examples })]);
        const e = await exited;
        expect([config.name, e.body.exitCode]).toEqual([config.name, 0]);
        expect(stops).toBeLessThan(50);
      } finally {
        await dc.stop();
      }
    }
  }, 300_000);

  it('the tour configuration stops before #DB, #SS, the injected #MC and #DF, in that order', async () => {
    const config = launchJson().configurations.find((c) => c.program.endsWith('/tour.asm'))!;
    const args = JSON.parse(JSON.stringify(config).replaceAll('${workspaceFolder}', examples)) as Record<string, unknown>;
    const dc = await startClient();
    try {
      const stops: string[] = [];
      const [, , first] = await Promise.all([dc.configurationSequence(), dc.launch({ ...args, cwd: examples }), dc.waitForEvent('stopped')]);
      let s = first;
      for (let i = 0; i < 4; i++) {
        const st = await dc.stackTraceRequest({ threadId: 1 });
        stops.push(`${String(s.body.reason)} ${st.body.stackFrames[0]!.name}`);
        if (i === 3) break;
        const next = dc.waitForEvent('stopped');
        await dc.continueRequest({ threadId: 1 });
        s = await next;
      }
      expect(stops).toEqual(['exception bp_target', 'exception bad_push', 'exception mc_wait', 'exception recurse']);
    } finally {
      await dc.stop();
    }
  }, 60_000);
});
