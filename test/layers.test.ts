// The layer rule: isa <- asm, emulator <- debug-adapter <- extension. Nothing under emulator/,
// isa/ or asm/ imports vscode or a Node module; only extension/ imports vscode; no layer reaches up.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const layers = ['isa', 'asm', 'emulator', 'debug-adapter', 'language-server', 'extension', 'cli', 'bench'];

/** Which top-level folders each layer may import from (besides itself). */
const allowed: Record<string, string[]> = {
  isa: [],
  asm: ['isa'],
  emulator: ['isa'],
  'debug-adapter': ['isa', 'asm', 'emulator'],
  'language-server': ['isa', 'asm'],
  extension: ['isa', 'asm', 'emulator', 'debug-adapter', 'language-server'],
  cli: ['isa', 'asm', 'emulator', 'debug-adapter', 'language-server'],
  bench: ['isa', 'asm', 'emulator', 'debug-adapter', 'language-server'],
};
const pure = new Set(['isa', 'asm', 'emulator']);

function sources(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !/\.(test|oracle)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(importRe)) found.push((m[1] ?? m[2])!);
  return found;
}

const nodeBuiltins = new Set(builtinModules);

function violations(): string[] {
  const bad: string[] = [];
  for (const layer of layers) {
    for (const file of sources(join(root, layer))) {
      const rel = relative(root, file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec === 'vscode' && layer !== 'extension') bad.push(`${rel}: imports vscode`);
        const bare = spec.replace(/^node:/, '').split('/')[0]!;
        if (pure.has(layer) && (spec.startsWith('node:') || nodeBuiltins.has(bare)))
          bad.push(`${rel}: imports the Node module '${spec}'`);
        if (spec.startsWith('.')) {
          const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/)[0]!;
          if (target !== layer && layers.includes(target) && !allowed[layer]!.includes(target))
            bad.push(`${rel}: ${layer} reaches ${target} ('${spec}')`);
        }
      }
    }
  }
  return bad;
}

describe('layer rule', () => {
  it('finds imports in the forms the code uses', () => {
    expect(importsOf(`import { a } from './x';\nimport * as fs from 'node:fs';\nconst v = require('vscode');`))
      .toEqual(['./x', 'node:fs', 'vscode']);
  });

  it('holds for every source file', () => {
    expect(violations()).toEqual([]);
  });
});
