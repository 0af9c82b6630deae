// File access for the assembler. `asm/` runs in Node and in a browser, so it never touches a file
// system itself: the host (the CLI, the language server, the debug adapter, a test) supplies this.

export interface FileHost {
  /** The file's bytes, or undefined if it does not exist or cannot be read. */
  readFile(path: string): Uint8Array | undefined;
  /**
   * The path of the file `name` named in `%include`/`incbin` in `fromFile`, or undefined if it is
   * not found. NASM's order: the name as given (relative to the current directory), then each
   * include directory in turn (`-i`), with the including file's directory tried first as well.
   */
  resolveInclude(fromFile: string, name: string, includeDirs: readonly string[]): string | undefined;
}

/** POSIX-style path helpers (forward slashes; a Windows host may pass either separator). */
export function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (i < 0) return '';
  if (i === 0) return p[0]!;
  return p.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  if (!dir || isAbsolute(name)) return name;
  const sep = dir.endsWith('/') || dir.endsWith('\\') ? '' : '/';
  return normalize(dir + sep + name);
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Collapse `.` and `name/..` segments. */
export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const parts = p.split(/[\\/]+/);
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  const s = out.join('/');
  return abs ? '/' + s : s || '.';
}

/**
 * A host over a `readFile` function: `resolveInclude` tries the name as given, next to the
 * including file, then in each include directory (each may or may not end in a separator, as
 * NASM's `-i` allows).
 */
export function createHost(readFile: (path: string) => Uint8Array | undefined): FileHost {
  return {
    readFile,
    resolveInclude(fromFile, name, includeDirs) {
      const candidates: string[] = [];
      if (isAbsolute(name)) candidates.push(name);
      else {
        candidates.push(name);
        const d = dirname(fromFile);
        if (d) candidates.push(joinPath(d, name));
        for (const dir of includeDirs) candidates.push(dir.endsWith('/') || dir.endsWith('\\') ? dir + name : joinPath(dir, name));
      }
      for (const c of candidates) if (readFile(c) !== undefined) return c;
      return undefined;
    },
  };
}

/** A host over files held in memory (tests, the browser). */
export function memoryHost(files: Record<string, string | Uint8Array>): FileHost {
  const enc = new TextEncoder();
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) map.set(normalize(k), typeof v === 'string' ? enc.encode(v) : v);
  return createHost((p) => map.get(normalize(p)));
}
