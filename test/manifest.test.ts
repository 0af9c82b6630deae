// The extension manifest against the code: the launch schema covers every attribute the adapter
// reads, every contributed command has a handler and an activation event, menus name real
// commands, and the packaged files are the ones the manifest starts.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initialConfigurations } from '../extension/config';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

interface Debugger {
  type: string;
  label: string;
  languages: string[];
  program: string;
  runtime?: string;
  configurationAttributes: { launch: { required?: string[]; properties: Record<string, { type?: unknown; description?: string; enum?: string[]; enumDescriptions?: string[] }> } };
  initialConfigurations: Record<string, unknown>[];
  configurationSnippets: { label: string; description: string; body: Record<string, unknown> }[];
}
interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    debuggers: Debugger[];
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    breakpoints: { language: string }[];
    languages: { id: string }[];
  };
}

const pkg = JSON.parse(read('package.json')) as Manifest;
const dbg = pkg.contributes.debuggers.find((d) => d.type === 'kstack')!;
const schema = dbg.configurationAttributes.launch.properties;

/** The property names of `export interface NAME { ... }` in a TypeScript source. */
function interfaceProperties(src: string, name: string): string[] {
  const start = src.indexOf(`export interface ${name} {`);
  if (start < 0) return [];
  const body = src.slice(start, src.indexOf('\n}', start));
  return [...body.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]!);
}

/** Attributes VS Code itself sets or that every debugger has. */
const FROM_VS_CODE = new Set(['noDebug', '__restart', '__sessionId', 'type', 'request', 'name']);

describe('package.json: the kstack debugger', () => {
  it('is declared once, run by VS Code with its own Node', () => {
    expect(pkg.contributes.debuggers.filter((d) => d.type === 'kstack')).toHaveLength(1);
    expect(dbg.label).toBe('KStack x86-64');
    expect(dbg.languages).toEqual(['nasm', 'c']);
    expect(dbg.program).toBe('./dist/debug-adapter.js');
    expect(dbg.runtime).toBe('node');
    expect(read('scripts/build.mjs')).toContain("out: 'debug-adapter'");
  });

  it("the schema has every launch attribute the adapter reads (debug-adapter/config.ts's LaunchArguments)", () => {
    const read_ = interfaceProperties(read('debug-adapter/config.ts'), 'LaunchArguments');
    expect(read_).toContain('program');
    const missing = read_.filter((a) => !FROM_VS_CODE.has(a) && !(a in schema));
    expect(missing).toEqual([]);
  });

  it('the schema has the attributes of the launch contract', () => {
    for (const a of ['program', 'stopOnEntry', 'memory', 'cmdline', 'serialInput', 'boot', 'cwd', 'stacks', 'inject', 'reverse'])
      expect(schema, a).toHaveProperty(a);
    expect(dbg.configurationAttributes.launch.required).toEqual(['program']);
  });

  it('every attribute has a type and a description; enums are described', () => {
    for (const [name, p] of Object.entries(schema)) {
      expect(p.type, name).toBeDefined();
      expect(p.description, name).toMatch(/\w/);
      if (p.enum) expect(p.enumDescriptions?.length, name).toBe(p.enum.length);
    }
  });

  it("boot's enum is the adapter's BootFormat", () => {
    const m = /export type BootFormat = ([^;]+);/.exec(read('debug-adapter/config.ts'));
    const adapter = [...m![1]!.matchAll(/'(\w+)'/g)].map((x) => x[1]);
    expect(schema['boot']!.enum).toEqual(adapter);
  });

  it('initialConfigurations are the extension\'s, and they and the snippets use schema attributes only', () => {
    expect(dbg.initialConfigurations).toEqual(initialConfigurations());
    const bodies = [...dbg.initialConfigurations, ...dbg.configurationSnippets.map((s) => s.body)];
    for (const b of bodies) {
      expect(b).toMatchObject({ type: 'kstack', request: 'launch' });
      expect(Object.keys(b).filter((k) => !FROM_VS_CODE.has(k) && !(k in schema))).toEqual([]);
    }
    for (const s of dbg.configurationSnippets) expect(s.description).toMatch(/\w/);
  });

  it('breakpoints are allowed in the languages the debugger is for', () => {
    const bp = pkg.contributes.breakpoints.map((b) => b.language);
    for (const l of dbg.languages) expect(bp).toContain(l);
  });
});

describe('package.json: commands, menus, activation', () => {
  const main = read('extension/main.ts');
  const constants = Object.fromEntries([...main.matchAll(/^\s+(\w+): '(kstack\.\w+)',$/gm)].map((m) => [m[1]!, m[2]!]));
  const registered = [...main.matchAll(/registerCommand\(COMMANDS\.(\w+)/g)].map((m) => constants[m[1]!]);
  const contributed = pkg.contributes.commands.map((c) => c.command);

  it('every contributed command has a handler in extension/main.ts, and every handler is contributed', () => {
    expect(contributed.length).toBeGreaterThanOrEqual(6);
    expect([...registered].sort()).toEqual([...contributed].sort());
  });

  it('includes the commands of the contract', () => {
    for (const c of ['kstack.injectNmi', 'kstack.injectIrq', 'kstack.injectMachineCheck', 'kstack.walkPageTables', 'kstack.openStackMemory'])
      expect(contributed).toContain(c);
  });

  it('activation events cover the debugger, the language and every command', () => {
    const ev = new Set(pkg.activationEvents);
    for (const e of ['onDebugResolve:kstack', 'onDebugDynamicConfigurations:kstack', 'onLanguage:nasm']) expect(ev).toContain(e);
    for (const c of contributed) expect(ev, c).toContain(`onCommand:${c}`);
    for (const l of pkg.contributes.languages) expect(ev).toContain(`onLanguage:${l.id}`);
  });

  it('menus name contributed commands only', () => {
    for (const [menu, items] of Object.entries(pkg.contributes.menus))
      for (const i of items) expect(contributed, `${menu}: ${i.command}`).toContain(i.command);
    expect(pkg.contributes.menus['explorer/context']!.map((i) => i.command)).toContain('kstack.debugFile');
  });

  it('the custom requests the extension sends are the documented ones', () => {
    const req = read('extension/requests.ts');
    for (const r of ['kstack/inject', 'kstack/walkPageTables', 'kstack/stacks', 'kstack/cpuState']) expect(req).toContain(`'${r}'`);
  });
});

describe('the .vsix', () => {
  it("holds the bundles the manifest starts and nothing else from dist/", () => {
    const ignore = read('.vscodeignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    const kept = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    expect(pkg.main).toBe('./dist/extension.js');
    for (const f of ['package.json', 'LICENSE', 'dist/extension.js', 'dist/debug-adapter.js', 'dist/language-server.js', 'syntaxes/nasm.tmLanguage.json', 'language-configuration.json'])
      expect(kept).toContain(f);
    expect(kept.filter((f) => f.startsWith('dist/')).sort()).toEqual(['dist/debug-adapter.js', 'dist/extension.js', 'dist/language-server.js']);
  });
});
