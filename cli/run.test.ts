// `kstack run`: the built CLI on small guests written to a temp dir.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
let dir = '';

function bytes(h: string): Buffer {
  return Buffer.from(h.replace(/\s+/g, ''), 'hex');
}
function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, 'run', ...args], { cwd: dir, encoding: 'buffer', input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'kstack-run-'));
}, 120_000);

describe('kstack run', () => {
  it('stdout is exactly the guest serial output, the exit status is the value written to 0xF4', () => {
    // mov dx, 0x3f8 / "hi\n" through out dx, al / mov al, 42 / out 0xf4, al / hlt
    writeFileSync(join(dir, 'hi.bin'), bytes('66baf803 b068ee b069ee b00aee b02ae6f4 f4'));
    const r = run(['--boot', 'flat', 'hi.bin']);
    expect(r.stdout).toBe('hi\n');
    expect(r.status).toBe(42);
    expect(r.stderr).toBe('');
  });

  it('echoes --serial-in through COM1 (polling LSR with IN)', () => {
    // loop: mov dx, 0x3fd / in al, dx / test al, 1 / jz loop / mov dx, 0x3f8 / in al, dx /
    //       cmp al, '.' / je done / out dx, al / jmp loop / done: mov al, 0 / out 0xf4, al
    writeFileSync(join(dir, 'echo.bin'), bytes('66bafd03 ec a801 74f7 66baf803 ec 3c2e 7403 ee ebe9 b000 e6f4'));
    writeFileSync(join(dir, 'in.txt'), 'abc.');
    const r = run(['--boot=flat', '--serial-in', 'in.txt', 'echo.bin']);
    expect(r.stdout).toBe('abc');
    expect(r.status).toBe(0);
  });

  it('refuses a file that is not a kernel, saying why (exit 2)', () => {
    writeFileSync(join(dir, 'notes.txt'), 'just some text\n');
    const r = run(['notes.txt']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/notes\.txt: not a bootable kernel: no multiboot header .* not an ELF file/);
  });

  it('--max-instructions on jmp $ exits with 124', () => {
    writeFileSync(join(dir, 'loop.bin'), bytes('ebfe'));
    const r = run(['--boot', 'flat', '--max-instructions', '5000', 'loop.bin']);
    expect(r.status).toBe(124);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/stopped after 5000 instructions/);
  });

  it('a triple fault prints the CPU state and exits with 125', () => {
    // ud2 with no IDT: #UD -> #GP (IDT limit) -> #DF -> triple fault
    writeFileSync(join(dir, 'tf.bin'), bytes('0f0b'));
    const r = run(['--boot', 'flat', 'tf.bin']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/triple fault/);
    expect(r.stderr).toMatch(/rip 0x100000/);
  });

  it('usage errors exit with 2', () => {
    expect(run([]).status).toBe(2);
    expect(run(['--boot', 'pe', 'x']).stderr).toMatch(/--boot takes/);
  });

  it('--trace-file is written (empty: this guest takes no interrupt) and stdout stays the serial output', () => {
    // A guest cannot load an IDT yet (no LIDT in the Cpu); deliveries in the trace are covered by
    // emulator/machine.test.ts (the events the trace prints).
    writeFileSync(join(dir, 'hi2.bin'), bytes('66baf803 b068ee b000e6f4'));
    const r = run(['--boot', 'flat', '--trace', 'interrupts,stacks', '--trace-file', 'trace.jsonl', 'hi2.bin']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('h');
    expect(readFileSync(join(dir, 'trace.jsonl'), 'utf8')).toBe('');
  });
});
