// Shared by the DAP tests: the built adapter (dist/debug-adapter.js, rebuilt here when a source is
// newer, so `vitest run test/dap` works without `npm run build`), a DebugClient over stdio, small
// programs, and golden transcripts (KSTACK_UPDATE_GOLDEN=1 rewrites them).

import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PROGRAMS = join(ROOT, 'test/dap/programs');
export const GOLDEN = join(ROOT, 'test/dap/golden');
const ADAPTER = join(ROOT, 'dist/debug-adapter.js');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.ts$/.test(name) && !name.endsWith('.test.ts')) t = Math.max(t, s.mtimeMs);
  }
  return t;
}

let built: Promise<string> | undefined;

/** dist/debug-adapter.js, rebuilt (atomically) when any source it bundles is newer. */
export function adapterPath(): Promise<string> {
  return (built ??= (async () => {
    const src = Math.max(...['debug-adapter', 'asm', 'emulator', 'isa'].map((d) => newest(join(ROOT, d))));
    if (existsSync(ADAPTER) && statSync(ADAPTER).mtimeMs >= src) return ADAPTER;
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    const tmp = `${ADAPTER}.${process.pid}.tmp`;
    await build({
      entryPoints: [join(ROOT, 'debug-adapter/main.ts')],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: false,
      logLevel: 'warning',
    });
    renameSync(tmp, ADAPTER);
    return ADAPTER;
  })());
}

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', await adapterPath(), 'kstack');
  dc.defaultTimeout = 10_000;
  await dc.start();
  return dc;
}

let scratch: string | undefined;
/** Writes a file in a scratch directory (one per test process); returns its path. */
export function scratchFile(name: string, content: Uint8Array | string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'kstack-dap-'));
  const p = join(scratch, name);
  writeFileSync(p, content);
  return p;
}

export function program(name: string): string {
  return join(PROGRAMS, name);
}

/** Launches and waits for the first stop (stopOnEntry), the way VS Code does it. */
export async function launchToEntry(dc: DebugClient, args: Record<string, unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [stopped] = await Promise.all([
    dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
    dc.configurationSequence(),
    dc.launch({ stopOnEntry: true, ...args }),
  ]);
  return stopped;
}

/** Sets source breakpoints while configuring, launches, and waits for the first stop. */
export async function launchWithBreakpoints(
  dc: DebugClient,
  args: Record<string, unknown>,
  path: string,
  bps: DebugProtocol.SourceBreakpoint[],
): Promise<{ stopped: DebugProtocol.StoppedEvent; breakpoints: DebugProtocol.Breakpoint[] }> {
  let breakpoints: DebugProtocol.Breakpoint[] = [];
  const [stopped] = await Promise.all([
    dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
    dc.waitForEvent('initialized').then(async () => {
      breakpoints = (await dc.setBreakpointsRequest({ source: { path }, breakpoints: bps })).body.breakpoints;
      await dc.configurationDoneRequest();
    }),
    dc.launch(args),
  ]);
  return { stopped, breakpoints };
}

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
}

/** Runs `action` and returns the stopped event it causes. */
export async function stopAfter(dc: DebugClient, action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [ev] = await Promise.all([dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, action()]);
  return ev;
}

export async function evaluate(dc: DebugClient, expression: string, context = 'watch'): Promise<string> {
  return (await dc.evaluateRequest({ expression, context })).body.result;
}

/** A request that must fail: its error message. */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the request succeeded');
}

/** Compares `text` with test/dap/golden/<name>.txt (KSTACK_UPDATE_GOLDEN=1 writes it). */
export function golden(name: string, text: string): void {
  const p = join(GOLDEN, `${name}.txt`);
  if (process.env.KSTACK_UPDATE_GOLDEN === '1' || !existsSync(p)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(p, text);
    if (process.env.KSTACK_UPDATE_GOLDEN !== '1' && process.env.CI) throw new Error(`golden file ${p} was missing (written now)`);
    return;
  }
  expect(text).toBe(readFileSync(p, 'utf8'));
}

/** Replaces the checkout's path in transcripts (they are committed). */
export function portable(text: string): string {
  return text.split(ROOT).join('<root>');
}

/** The line (1-based) of `file` whose comment has `@marker`. */
export function markerLine(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`@${marker}(\\s|$)`).test(l));
  if (i < 0) throw new Error(`no @${marker} in ${file}`);
  return i + 1;
}
