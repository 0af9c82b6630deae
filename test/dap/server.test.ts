// `--server=PORT`: one debug session per TCP connection, the process stays up between them.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterPath, evaluate, launchToEntry, program } from './harness';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill();
});

describe('--server=PORT', () => {
  it('serves sessions one after another over TCP', async () => {
    const port = await freePort();
    server = spawn(process.execPath, [await adapterPath(), `--server=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      server!.stderr!.on('data', (d: Buffer) => (d.toString().includes('waiting for debug protocol') ? resolve() : undefined));
      server!.on('exit', (code) => reject(new Error(`adapter exited with ${code}`)));
    });
    for (let i = 0; i < 2; i++) {
      const dc = new DebugClient('node', 'unused', 'kstack');
      await dc.start(port);
      await launchToEntry(dc, { program: program('calls.asm') });
      expect(await evaluate(dc, 'rip')).toBe('0x100000 <_start>');
      await dc.stop();
    }
    expect(server.exitCode).toBeNull();
  });

  it('rejects unknown arguments', async () => {
    const p = spawn(process.execPath, [await adapterPath(), '--port=1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/kstack dap: unexpected argument '--port=1'/);
  });
});
