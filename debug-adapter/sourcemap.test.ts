import { describe, expect, it } from 'vitest';
import { parseSourceFileMap, sourceResolver } from './sourcemap';

const files = (...ps: string[]) => {
  const set = new Set(ps);
  const asked: string[] = [];
  return { exists: (p: string) => (asked.push(p), set.has(p)), asked };
};

describe('sourceFileMap', () => {
  it('checks the attribute and orders prefixes longest first', () => {
    expect(parseSourceFileMap(undefined)).toEqual([]);
    expect(parseSourceFileMap({ '/b': '/x', '/b/c/': '/y/' })).toEqual([
      { from: '/b/c', to: '/y' },
      { from: '/b', to: '/x' },
    ]);
    expect(parseSourceFileMap(['/a'])).toMatch(/must be an object/);
    expect(parseSourceFileMap({ '/a': 3 })).toMatch(/maps "\/a" to 3/);
    expect(parseSourceFileMap({ '': '/x' })).toMatch(/empty prefix/);
  });
});

describe('sourceResolver', () => {
  it('rewrites the longest matching prefix, on component boundaries only', () => {
    const fs = files();
    const r = sourceResolver(parseSourceFileMap({ '/build': '/ws', '/build/kernel': '/k' }) as never, fs.exists, '/cwd', '/prog/');
    expect(r('/build/kernel/main.c')).toBe('/k/main.c');
    expect(r('/build/lib/x.c')).toBe('/ws/lib/x.c');
    expect(r('/buildroot/x.c')).toBe('/buildroot/x.c'); // not a prefix by components; nothing found
    expect(r('C:\\build\\a.c')).toBe('C:\\build\\a.c');
  });

  it('keeps a path that exists; else finds its trailing components under cwd, longest first; else next to the program', () => {
    const fs = files('/here/ok.c', '/ws/kernel/main.c', '/ws/main.c', '/prog/isr.S');
    const r = sourceResolver([], fs.exists, '/ws', '/prog/');
    expect(r('/here/ok.c')).toBe('/here/ok.c');
    expect(r('/home/ci/src/kernel/main.c')).toBe('/ws/kernel/main.c');
    expect(r('/other/isr.S')).toBe('/prog/isr.S');
    expect(r('/nowhere/gone.c')).toBe('/nowhere/gone.c');
    // Windows paths recorded by a toolchain on Windows.
    expect(r('D:\\src\\kernel\\main.c')).toBe('/ws/kernel/main.c');
    const n = fs.asked.length;
    r('/home/ci/src/kernel/main.c'); // memoized
    expect(fs.asked.length).toBe(n);
  });
});
