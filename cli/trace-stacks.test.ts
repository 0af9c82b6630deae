// `kstack run --trace stacks` (and `interrupts`): the stack tracker's switches and detector
// findings as JSON lines, on the stacks*.asm programs of test/dap/programs and the examples.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const programs = join(root, 'test', 'dap', 'programs');
let dir = '';

/** Runs `kstack run --trace KINDS --trace-file F FILE`; the trace's objects and the raw text. */
function trace(file: string, kinds: string, name: string) {
  const out = join(dir, name);
  const r = spawnSync(process.execPath, [cli, 'run', '--trace', kinds, '--trace-file', out, file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const text = readFileSync(out, 'utf8');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, text, events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'kstack-trace-'));
}, 120_000);

describe('kstack run --trace stacks', () => {
  it('prints one object per switch: the software switch to the IRQ stack and back, IST1 and IRETQ', () => {
    const t = trace(join(programs, 'stacks.asm'), 'stacks', 's.jsonl');
    expect(t.stderr).toMatch(/halted/);
    expect(t.stdout).toBe('');
    expect(t.events.map((e) => [e.type, e.from, e.to, e.cause, e.vector])).toEqual([
      ['stack-switch', null, 'thread_stack', 'mov', undefined],
      ['stack-switch', 'thread_stack', 'irq_stack', 'cmove', undefined],
      ['stack-switch', 'irq_stack', 'thread_stack', 'pop', undefined],
      ['stack-switch', 'thread_stack', 'nmi_stack', 'IST1', 0x42],
      ['stack-switch', 'nmi_stack', 'thread_stack', 'iretq', undefined],
    ]);
    for (const e of t.events) {
      expect(Object.keys(e)).toEqual(['type', 'count', 'rip', 'from', 'to', 'cause', ...(e.vector !== undefined ? ['vector'] : []), 'rspBefore', 'rspAfter']);
      expect(e.rip).toMatch(/^0x[0-9a-f]+$/);
    }
  });

  it('interrupts keep their fields (count, vector, kind, error code, CPL and RSP before/after, TSS slot); with stacks, both in order', () => {
    const t = trace(join(programs, 'stacks.asm'), 'interrupts', 'i.jsonl');
    expect(t.events.map((e) => [e.vector, e.kind, e.errorCode, e.cplBefore, e.cplAfter, e.tssSlot])).toEqual([
      [0x40, 'software', -1, 0, 0, null],
      [0x41, 'software', -1, 0, 0, null],
      [0x42, 'software', -1, 0, 0, 'IST1'],
    ]);
    expect(Object.keys(t.events[0]!)).toEqual(['count', 'vector', 'kind', 'errorCode', 'rip', 'cplBefore', 'cplAfter', 'rspBefore', 'rspAfter', 'tssSlot']);
    const both = trace(join(programs, 'stacks.asm'), 'interrupts,stacks', 'b.jsonl');
    expect(both.events.map((e) => (e.type === 'stack-switch' ? `${e.from}->${e.to}` : `int ${e.vector}`))).toEqual([
      'null->thread_stack',
      'int 64',
      'thread_stack->irq_stack',
      'int 65',
      'irq_stack->thread_stack',
      'int 66',
      'thread_stack->nmi_stack',
      'nmi_stack->thread_stack',
    ]);
  });

  it('two runs give identical traces', () => {
    for (const [file, kinds] of [
      [join(programs, 'stacks.asm'), 'interrupts,stacks'],
      [join(root, 'examples', '02-irq-stack.asm'), 'interrupts,stacks'],
    ] as const) {
      const a = trace(file, kinds, 'a.jsonl');
      const b = trace(file, kinds, 'b.jsonl');
      expect(a.events.length).toBeGreaterThan(3);
      expect(b.text).toBe(a.text);
    }
  });

  it('prints the detectors where they fire: same-IST reentry and the overwritten frame; overflow', () => {
    const r = trace(join(programs, 'stacks-reentry.asm'), 'stacks', 'r.jsonl');
    const alerts = r.events.filter((e) => e.type === 'stack-alert');
    expect(alerts.map((e) => [e.kind, e.stack, e.vector])).toEqual([
      ['ist-reentry', 'nmi_stack', 0x42],
      ['iret-overwritten', 'nmi_stack', 0x42],
    ]);
    const o = trace(join(programs, 'stacks-overflow.asm'), 'stacks', 'o.jsonl');
    expect(o.events.filter((e) => e.type === 'stack-alert').map((e) => [e.kind, e.stack])).toEqual([['overflow', 'irq_stack']]);
    // A kernel whose guard page is unmapped: the push faults, #PF becomes #DF on its IST.
    const d = trace(join(root, 'examples', '03-double-fault.asm'), 'stacks', 'd.jsonl');
    const da = d.events.filter((e) => e.type === 'stack-alert');
    expect(da.map((e) => [e.kind, e.stack, e.vector])).toEqual([['overflow', 'thread_stack', 8]]);
    expect(String(da[0]!.message)).toMatch(/#DF after a #PF at cr2 0x[0-9a-f]+/);
  });
});
