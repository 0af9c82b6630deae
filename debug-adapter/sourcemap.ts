// Where the source files an ELF's line table names are on this machine. A kernel built elsewhere
// (a CI runner, a container, a colleague's checkout) records paths that do not exist here; the
// debugger finds them by, in order:
//   1. the launch attribute `sourceFileMap` ({ "/build/dir": "${workspaceFolder}" }): the longest
//      matching prefix is replaced;
//   2. the path as recorded, when the file is there;
//   3. the recorded path's trailing components under the working directory (the workspace), the
//      longest first: /home/ci/src/kernel/main.c -> <cwd>/kernel/main.c, then <cwd>/main.c;
//   4. the file name next to the program.
// Unresolved paths are kept as recorded (the Loaded Sources view shows them; VS Code then says
// that it cannot open them).

/** A prefix rewrite, longest `from` first. */
export interface SourceMapEntry {
  from: string;
  to: string;
}

/** Checks the `sourceFileMap` attribute: an object of path prefix -> replacement. */
export function parseSourceFileMap(v: unknown): SourceMapEntry[] | string {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v))
    return `must be an object mapping a path prefix recorded in the program to a directory here (got ${JSON.stringify(v)})`;
  const out: SourceMapEntry[] = [];
  for (const [from, to] of Object.entries(v as Record<string, unknown>)) {
    if (from === '') return 'has an empty prefix';
    if (typeof to !== 'string' || to === '') return `maps ${JSON.stringify(from)} to ${JSON.stringify(to)}: the replacement must be a non-empty path`;
    out.push({ from: trimSlash(from), to: trimSlash(to) });
  }
  out.sort((a, b) => b.from.length - a.from.length);
  return out;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/[\\/]+$/, '') : p;
}

/** Splits on both separators (paths recorded on Windows use backslashes). */
function components(p: string): string[] {
  return p.split(/[\\/]+/).filter((c) => c !== '' && c !== '.');
}

export interface SourceResolver {
  (recorded: string): string;
}

/**
 * A memoized resolver. `exists` tells whether a file is here; `cwd` is the launch's working
 * directory; `programDir` the directory of the program (with a trailing separator or empty).
 */
export function sourceResolver(map: SourceMapEntry[], exists: (p: string) => boolean, cwd: string, programDir: string): SourceResolver {
  const memo = new Map<string, string>();
  const join = (dir: string, rest: string[]): string => (dir.endsWith('/') || dir.endsWith('\\') ? dir : `${dir}/`) + rest.join('/');
  const find = (p: string): string => {
    for (const { from, to } of map) {
      if (p === from) return to;
      if (p.startsWith(from) && (p[from.length] === '/' || p[from.length] === '\\' || from.endsWith('/'))) {
        const rest = components(p.slice(from.length));
        return join(to, rest);
      }
    }
    if (exists(p)) return p;
    const parts = components(p);
    // The longest suffix first.
    for (let k = Math.min(parts.length, 8); k >= 1; k--) {
      const cand = join(cwd, parts.slice(parts.length - k));
      if (exists(cand)) return cand;
    }
    const name = parts[parts.length - 1];
    if (name !== undefined && programDir !== '') {
      const near = join(programDir, [name]);
      if (exists(near)) return near;
    }
    return p;
  };
  return (recorded: string): string => {
    let r = memo.get(recorded);
    if (r === undefined) {
      r = find(recorded);
      memo.set(recorded, r);
    }
    return r;
  };
}
