// What the engine needs from the machine it runs on, handed in as an interface so that one engine
// runs inside a Node process (stdio or TCP), inline in the extension host, or in a browser worker.
// `nodeHost()` is the Node implementation; nothing else in the engine touches `node:*` modules.

import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve, normalize } from 'node:path';

export interface DebugHost {
  /** The file's bytes, or undefined if it does not exist or is not a readable file. */
  readFile(path: string): Uint8Array | undefined;
  /** An absolute, normalized path for `path` taken relative to `cwd` (when it is relative). */
  resolvePath(cwd: string | undefined, path: string): string;
  /** Monotonic milliseconds (for slices of running, progress and latency figures). */
  now(): number;
  /** Runs `fn` after pending I/O (requests) has been handled: Node's setImmediate. */
  defer(fn: () => void): void;
  /** The current directory (used when a launch configuration has no `cwd`). */
  cwd(): string;
}

export function nodeHost(): DebugHost {
  return {
    readFile(path) {
      try {
        if (!statSync(path).isFile()) return undefined;
        const b = readFileSync(path);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch {
        return undefined;
      }
    },
    resolvePath(cwd, path) {
      return normalize(isAbsolute(path) ? path : resolve(cwd ?? process.cwd(), path));
    },
    now: () => performance.now(),
    defer: (fn) => void setImmediate(fn),
    cwd: () => process.cwd(),
  };
}

/** A host over files held in memory (unit tests, the browser): paths are used as given. */
export function memoryHost(files: Record<string, Uint8Array | string>, cwd = '/'): DebugHost {
  const enc = new TextEncoder();
  const norm = (p: string) => {
    const out: string[] = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  };
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) map.set(norm(k), typeof v === 'string' ? enc.encode(v) : v);
  return {
    readFile: (p) => map.get(norm(p)),
    resolvePath: (c, p) => norm(p.startsWith('/') ? p : `${c ?? cwd}/${p}`),
    now: () => performance.now(),
    defer: (fn) => void setTimeout(fn, 0),
    cwd: () => cwd,
  };
}
