// The end-to-end harness: KStack's .vsix installed into an isolated code-server (VS Code 1.100.3 in
// the browser), driven through Debian's Chromium with playwright-core. Everything runs in one
// temporary directory; the processes it starts are stopped by their process group ids.
// Recipe and setup: scripts/e2e/README.md.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';

export interface Tools {
  codeServer: string;
  chromium: string;
}

/** Where scripts/e2e/install.sh puts code-server (KSTACK_E2E_HOME, default ~/.cache/kstack-e2e). */
export function e2eHome(): string {
  return process.env['KSTACK_E2E_HOME'] || join(homedir(), '.cache', 'kstack-e2e');
}

/** The tools the test needs, or what is missing and how to install it. */
export function findTools(): Tools | { missing: string } {
  const codeServer = process.env['KSTACK_CODE_SERVER'] || join(e2eHome(), 'cs', 'node_modules', '.bin', 'code-server');
  const browser = process.env['KSTACK_CHROMIUM'] || '/usr/bin/chromium';
  const missing: string[] = [];
  if (!existsSync(codeServer)) missing.push(`code-server ${CODE_SERVER_VERSION} (${codeServer})`);
  if (!existsSync(browser)) missing.push(`Chromium (${browser})`);
  for (const f of ['extension.js', 'debug-adapter.js', 'language-server.js'])
    if (!existsSync(join(ROOT, 'dist', f))) missing.push(`dist/${f} (npm run build)`);
  if (missing.length) return { missing: `${missing.join(', ')}: run scripts/e2e/install.sh (and npm run build)` };
  return { codeServer, chromium: browser };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion; throws with its output when it fails. */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeout = 120_000, cwd = ROOT): string {
  const r = spawnSync(cmd, args, { cwd, env: env ?? process.env, encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface Session {
  dir: string;
  workspace: string;
  shots: string;
  vsix: string;
  vsixBytes: number;
  installed: string[];
  page: Page;
  stop(): Promise<void>;
  /** The extension host's log (for "Activating extension ... failed"). */
  extHostLog(): string;
  /** A screenshot into the shots directory (and docs/images when KSTACK_E2E_SCREENSHOTS is set). */
  shot(name: string): Promise<void>;
}

/**
 * Packages the extension (the bundles in dist/, as `npm run package` does, without rebuilding),
 * installs it into a fresh code-server, copies `workspaceFiles` into a workspace, starts code-server
 * on a free port and opens the workspace in Chromium.
 */
export async function startSession(tools: Tools, workspaceFiles: string): Promise<Session> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(process.env['KSTACK_E2E_TMP'] || tmpdir(), 'kstack-e2e-'));
  const workspace = join(dir, 'ws');
  const shots = join(dir, 'shots');
  mkdirSync(shots, { recursive: true });
  cpSync(workspaceFiles, workspace, { recursive: true });
  const vsix = join(dir, 'kstack.vsix');
  // Packaged from a copy of what .vscodeignore lets in, so that a build running meanwhile in the
  // working tree cannot change a file under vsce.
  const stage = join(dir, 'stage');
  for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'language-configuration.json', 'syntaxes/nasm.tmLanguage.json', 'dist/extension.js', 'dist/debug-adapter.js', 'dist/language-server.js'])
    cpSync(join(ROOT, f), join(stage, f));
  run(join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], undefined, 120_000, stage);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
  };
  const common = ['--user-data-dir', join(dir, 'user'), '--extensions-dir', join(dir, 'ext')];
  const tPackaged = Date.now();
  run(tools.codeServer, [...common, '--install-extension', vsix], env);
  const tInstalled = Date.now();
  const extDir = readdirSync(join(dir, 'ext')).find((n) => n.startsWith('kstack.kstack-'));
  if (!extDir) throw new Error(`the .vsix did not install: ${readdirSync(join(dir, 'ext')).join(', ')}`);
  const installed = listFiles(join(dir, 'ext', extDir));

  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'debug.openDebug': 'openOnSessionStart',
    'debug.internalConsoleOptions': 'neverOpen',
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
  mkdirSync(join(dir, 'user', 'User'), { recursive: true });
  writeFileSync(join(dir, 'user', 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const port = await freePort();
  const log = join(dir, 'code-server.log');
  const server: ChildProcess = spawn(
    tools.codeServer,
    [
      ...common,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverOut = '';
  server.stdout?.on('data', (b: Buffer) => (serverOut += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (serverOut += b.toString()));
  let context: BrowserContext | undefined;
  let stopAll: () => Promise<void>;
  const stop = async () => {
    writeFileSync(log, serverOut);
    await context?.close().catch(() => {});
    if (server.pid !== undefined && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM'); // its process group: code-server and the server it forks
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && server.exitCode === null && server.signalCode === null; i++) await sleep(100);
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  try {
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}):\n${serverOut}`);
      const ok = await fetch(url).then((r) => r.status < 500, () => false);
      if (ok) break;
      if (i > 600) throw new Error(`code-server did not answer on ${url} in 60 s:\n${serverOut}`);
      await sleep(100);
    }
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: tools.chromium,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    // The browser's console (the workbench's and the webviews' messages), for a failed run.
    const consoleLog: string[] = [];
    page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
    const saveConsole = () => writeFileSync(join(dir, 'console.log'), consoleLog.join('\n'));
    const stopServer = stop;
    stopAll = async () => {
      saveConsole();
      await stopServer();
    };
    await page.goto(`${url}?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    console.log(`e2e: packaged in ${tPackaged - t0} ms, installed in ${tInstalled - tPackaged} ms, workbench up after ${Date.now() - tInstalled} ms`);
    const docs = process.env['KSTACK_E2E_SCREENSHOTS'];
    return {
      dir,
      workspace,
      shots,
      vsix,
      vsixBytes: statSync(vsix).size,
      installed,
      page,
      stop: () => stopAll(),
      extHostLog: () => readLogs(join(dir, 'data', 'code-server', 'logs')) + readLogs(join(dir, 'user', 'logs')),
      async shot(name: string) {
        const buf = await page.screenshot({ path: join(shots, `${name}.png`) });
        if (docs) {
          mkdirSync(resolve(ROOT, docs), { recursive: true });
          writeFileSync(resolve(ROOT, docs, `${name}.png`), buf);
        }
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, `${prefix}${n}/`));
    else out.push(`${prefix}${n}`);
  }
  return out;
}

/** Every exthost*.log under dir, concatenated. */
function readLogs(dir: string): string {
  if (!existsSync(dir)) return '';
  let text = '';
  for (const f of listFiles(dir)) if (/exthost|remoteexthost/i.test(f) && f.endsWith('.log')) text += readFileSync(join(dir, f), 'utf8');
  return text;
}

/** Removes the session's directory (kept when a test failed, for its screenshots and logs). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// ---- UI actions ---------------------------------------------------------------------------------

/** F1, a command's title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens a file at the top of the workspace from the Explorer and waits for its editor. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+Shift+E');
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.click();
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

/** Widens the side bar to `width` pixels by dragging its edge (the views' rows are long). */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const edge = box.x + box.width - 1;
  await page.mouse.move(edge, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Go to a line of the active editor (Ctrl+G). */
export async function gotoLine(page: Page, line: number): Promise<void> {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The 1-based line of `marker` (`; @marker`) in a file. */
export function lineOf(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`;\\s*@${marker}\\b`).test(l));
  if (i < 0) throw new Error(`no @${marker} in ${file}`);
  return i + 1;
}

/** The texts of a list's rows (Call Stack, Variables, a custom tree). */
export async function rowTexts(list: Locator): Promise<string[]> {
  return (await list.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}
