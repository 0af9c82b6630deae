// A minimal LSP client for the protocol tests: JSON-RPC over a child process's stdio, as an editor
// speaks it (Content-Length framing, requests with ids, notifications, server requests answered null).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export class LspClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, (msg: any) => void>();
  private notes: any[] = [];
  private waiters: { method: string; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];

  constructor(private proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const head = this.buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString())![1]);
        if (this.buf.length < head + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString('utf8'));
        this.buf = this.buf.subarray(head + 4 + len);
        this.dispatch(msg);
      }
    });
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined && msg.method === undefined) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    } else if (msg.id !== undefined) {
      // a request from the server (client/registerCapability, workspace/configuration...): answer null
      this.write({ jsonrpc: '2.0', id: msg.id, result: null });
    } else {
      this.notes.push(msg);
      for (const w of [...this.waiters]) {
        if (w.method === msg.method && w.pred(msg.params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg.params);
        }
      }
    }
  }

  private write(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout: ${method}`)), 20_000);
      this.pending.set(id, (m) => {
        clearTimeout(t);
        if (m.error) reject(new Error(m.error.message));
        else resolve(m.result);
      });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** The notifications received so far. */
  received(method: string): any[] {
    return this.notes.filter((n) => n.method === method).map((n) => n.params);
  }

  waitFor(method: string, pred: (p: any) => boolean = () => true): Promise<any> {
    const seen = this.notes.find((n) => n.method === method && pred(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${method}`)), 20_000);
      this.waiters.push({ method, pred, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }
}

