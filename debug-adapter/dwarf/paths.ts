// Joining the paths DWARF records (comp_dir, include directories, file names) without Node's
// path module: POSIX rules, with Windows drive letters and backslashes treated as absolute.

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Removes "." segments, folds "x/.." pairs and repeated separators; keeps leading ".." of relative paths. */
export function normalizePath(p: string): string {
  if (p === '') return p;
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  return abs ? `/${body}` : body || '.';
}

/** `name` if absolute, else `dir/name` (each later absolute part restarts the path). */
export function joinPath(...parts: (string | undefined)[]): string {
  let acc = '';
  for (const part of parts) {
    if (!part) continue;
    if (isAbsolutePath(part) || acc === '') acc = part;
    else acc = acc.endsWith('/') || acc.endsWith('\\') ? acc + part : `${acc}/${part}`;
  }
  return /^[A-Za-z]:|\\/.test(acc) ? acc : normalizePath(acc);
}

export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}
