// Starting the adapter in a Node process: DAP over stdin/stdout, or a TCP server that runs one
// session per connection (`--server=PORT`). `kstack dap` and dist/debug-adapter.js both call
// runDebugAdapter.

import { createServer } from 'node:net';
import { nodeHost } from './host';
import { KStackSession } from './session';

export const DAP_USAGE = `usage: kstack dap [--server=PORT]

Runs the KStack debug adapter: the Debug Adapter Protocol on stdin/stdout, or, with --server=PORT,
on a TCP port (one debug session per connection; VS Code's "debugServer": PORT).`;

/** Starts the adapter; returns an exit code for argument errors, or undefined once serving. */
export function runDebugAdapter(args: readonly string[]): number | undefined {
  let port: number | undefined;
  for (const a of args) {
    const m = /^--server=(\d{1,5})$/.exec(a);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) port = Number(m[1]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(DAP_USAGE + '\n');
      return 0;
    } else {
      process.stderr.write(`kstack dap: unexpected argument '${a}'\n\n${DAP_USAGE}\n`);
      return 2;
    }
  }
  if (port !== undefined) {
    const server = createServer((socket) => {
      const session = new KStackSession(nodeHost());
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    server.on('error', (e) => {
      process.stderr.write(`kstack dap: cannot listen on port ${port}: ${e.message}\n`);
      process.exit(1);
    });
    server.listen(port, '127.0.0.1', () => process.stderr.write(`kstack dap: waiting for debug protocol on 127.0.0.1:${port}\n`));
    return undefined;
  }
  const session = new KStackSession(nodeHost());
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
  return undefined;
}
