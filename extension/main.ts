// The VS Code extension: registers the `kstack` debugger's configuration providers, the commands
// that send KStack's custom DAP requests, the CPU status bar item, and the NASM language client.
// The adapter itself is declared in package.json (`debuggers[0].program` run with `runtime: node`,
// which VS Code forks with its own Node: no `node` on PATH needed, in VS Code or in code-server).

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { DEBUG_TYPE, configurationFor, initialConfigurations, programKind, resolveConfiguration, type FileContext } from './config';
import { parseAddress, parseVector, validateAddress, validateVector } from './input';
import {
  Requests,
  errorMessage,
  formatPageWalk,
  formatStack,
  injectArguments,
  injectLabel,
  stackWindow,
  stacksOf,
  statusText,
  type CpuState,
  type InjectKind,
  type PageWalk,
  type StackInfo,
} from './requests';
import { parseStackSwitches } from './switches';
import { stackInfoOf } from './tables';
import { StackSwitchesView, SystemTablesView, VIEWS, revealAddress } from './views';

/** Every command the manifest contributes; test/manifest.test.ts checks the two lists agree. */
export const COMMANDS = {
  debugFile: 'kstack.debugFile',
  injectNmi: 'kstack.injectNmi',
  injectIrq: 'kstack.injectIrq',
  injectMachineCheck: 'kstack.injectMachineCheck',
  walkPageTables: 'kstack.walkPageTables',
  openStackMemory: 'kstack.openStackMemory',
  revealAddress: 'kstack.revealAddress',
  refreshViews: 'kstack.refreshViews',
} as const;

const STACK_SCHEME = 'kstack-stack';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('KStack');
  context.subscriptions.push(output);

  // ---- configurations -------------------------------------------------------------------------
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      {
        provideDebugConfigurations: () => initialConfigurations(),
        resolveDebugConfiguration: async (_folder, config) => {
          const r = resolveConfiguration(config, await activeFile());
          if ('error' in r) {
            // undefined aborts the launch; null would open launch.json instead.
            void vscode.window.showErrorMessage(r.error);
            return undefined;
          }
          return r.config;
        },
      },
      vscode.DebugConfigurationProviderTriggerKind.Initial,
    ),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      { provideDebugConfigurations: () => dynamicConfigurations() },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  );

  // ---- commands -------------------------------------------------------------------------------
  const inject = (kind: InjectKind) => async () => {
    const session = kstackSession();
    if (!session) return;
    let vector: number | undefined;
    if (kind === 'irq') {
      const text = await vscode.window.showInputBox({
        title: 'KStack: inject an external interrupt',
        prompt: 'Interrupt vector (32-255, decimal or hex)',
        placeHolder: '0x20',
        validateInput: validateVector,
      });
      if (text === undefined) return;
      vector = parseVector(text);
    }
    try {
      await session.customRequest(Requests.inject, injectArguments(kind, vector));
      vscode.window.setStatusBarMessage(`KStack: ${injectLabel[kind]}${vector !== undefined ? ` vector ${vector}` : ''} injected`, 4000);
    } catch (e) {
      void vscode.window.showErrorMessage(`KStack: cannot inject ${injectLabel[kind]}: ${errorMessage(e)}`);
    }
  };

  const stackViews = new StackViews();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(STACK_SCHEME, stackViews));

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.debugFile, (uri?: vscode.Uri) => debugFile(uri)),
    vscode.commands.registerCommand(COMMANDS.injectNmi, inject('nmi')),
    vscode.commands.registerCommand(COMMANDS.injectIrq, inject('irq')),
    vscode.commands.registerCommand(COMMANDS.injectMachineCheck, inject('mc')),
    vscode.commands.registerCommand(COMMANDS.walkPageTables, async () => {
      const session = kstackSession();
      if (!session) return;
      const text = await vscode.window.showInputBox({
        title: 'KStack: walk the page tables',
        prompt: 'Virtual address, symbol or register',
        placeHolder: '0xffffffff80001000',
        validateInput: validateAddress,
      });
      if (text === undefined) return;
      const address = parseAddress(text)!;
      try {
        const body = (await session.customRequest(Requests.walkPageTables, { address })) as PageWalk | undefined;
        output.appendLine(formatPageWalk(body ?? {}, address));
        output.show(true);
      } catch (e) {
        void vscode.window.showErrorMessage(`KStack: cannot walk the page tables for ${address}: ${errorMessage(e)}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.openStackMemory, async () => {
      const session = kstackSession();
      if (!session) return;
      try {
        // The stack tracker's stacks (named, sized) when the adapter has it, else kstack/stacks.
        let stacks: (StackInfo & { slots?: string[] })[];
        try {
          stacks = parseStackSwitches(await session.customRequest(Requests.stackSwitches, { since: Number.MAX_SAFE_INTEGER })).stacks.map(stackInfoOf);
        } catch {
          stacks = [];
        }
        if (stacks.length === 0) stacks = stacksOf(await session.customRequest(Requests.stacks, {}));
        if (stacks.length === 0) {
          void vscode.window.showInformationMessage('KStack: the kernel has set up no stacks yet (no TSS, no known stacks).');
          return;
        }
        const pick = await vscode.window.showQuickPick(
          stacks.map((s) => ({
            label: `${s.current ? '$(arrow-right) ' : ''}${s.name}`,
            description: `${s.slots?.length ? `${s.slots.join(' ')} · ` : ''}${s.base} +${s.size}`,
            detail: s.current ? `RSP is here${s.rsp ? ` (${s.rsp})` : ''}` : undefined,
            stack: s,
          })),
          { title: 'KStack: open a stack', placeHolder: 'Which stack?' },
        );
        if (!pick) return;
        const { start, count } = stackWindow(pick.stack);
        const read = (await session.customRequest('readMemory', { memoryReference: `0x${start.toString(16)}`, count })) as
          | { data?: string }
          | undefined;
        const bytes = read?.data ? Uint8Array.from(Buffer.from(read.data, 'base64')) : new Uint8Array();
        const uri = vscode.Uri.from({ scheme: STACK_SCHEME, path: `/${pick.stack.name.replace(/[^\w.-]/g, '_')}.stack`, query: session.id });
        stackViews.set(uri, formatStack(pick.stack, start, bytes));
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (e) {
        void vscode.window.showErrorMessage(`KStack: cannot open the stack: ${errorMessage(e)}`);
      }
    }),
  );

  // ---- status bar: CPU mode, CPL and stack while stopped -------------------------------------
  const status = new CpuStatus();
  context.subscriptions.push(
    status,
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => status.tracker(s) }),
    vscode.debug.onDidChangeActiveDebugSession(() => status.refresh()),
    vscode.debug.onDidTerminateDebugSession((s) => status.forget(s)),
  );

  // ---- views: System Tables and Stack Switches, refreshed on every stop -----------------------
  const tablesView = new SystemTablesView(COMMANDS.revealAddress);
  const switchesView = new StackSwitchesView(revealAddress);
  const refreshViews = (session: vscode.DebugSession | undefined) => {
    const s = session && session.type === DEBUG_TYPE ? session : undefined;
    void tablesView.refresh(s);
    void switchesView.refresh(s);
  };
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider(VIEWS.systemTables, tablesView),
    vscode.window.registerWebviewViewProvider(VIEWS.stackSwitches, switchesView),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped' && vscode.debug.activeDebugSession?.id === session.id) refreshViews(session);
        },
      }),
    }),
    vscode.debug.onDidChangeActiveDebugSession((s) => refreshViews(s)),
    vscode.debug.onDidTerminateDebugSession(() => refreshViews(vscode.debug.activeDebugSession)),
    vscode.commands.registerCommand(COMMANDS.refreshViews, () => refreshViews(vscode.debug.activeDebugSession)),
    vscode.commands.registerCommand(COMMANDS.revealAddress, async (arg?: string | { address?: string }) => {
      const session = kstackSession();
      if (!session) return;
      // From a System Tables row: its address (the command) or the row itself (the inline button).
      let target = typeof arg === 'string' ? arg : typeof arg?.address === 'string' ? arg.address : undefined;
      if (target === undefined) {
        const text = await vscode.window.showInputBox({
          title: 'KStack: show the source of an address',
          prompt: 'Address, symbol or register',
          placeHolder: '0xffffffff80001000',
          validateInput: validateAddress,
        });
        if (text === undefined) return;
        target = parseAddress(text)!;
      }
      if (!/^0x[0-9a-f]+$/i.test(target)) {
        // A symbol or a register: the adapter evaluates it.
        try {
          const r = (await session.customRequest('evaluate', { expression: target, context: 'watch' })) as { result?: string; memoryReference?: string };
          const hex = r.memoryReference ?? /0x[0-9a-f]+/i.exec(r.result ?? '')?.[0];
          if (!hex) throw new Error(`'${target}' = ${r.result ?? '?'} is not an address`);
          target = hex;
        } catch (e) {
          void vscode.window.showErrorMessage(`KStack: cannot show ${target}: ${errorMessage(e)}`);
          return;
        }
      }
      await revealAddress(session, target);
    }),
  );

  // ---- language client ------------------------------------------------------------------------
  const serverModule = context.asAbsolutePath('dist/language-server.js');
  if (existsSync(serverModule)) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'nasm' },
        { scheme: 'untitled', language: 'nasm' },
      ],
    };
    client = new LanguageClient('kstack', 'KStack NASM language server', serverOptions, clientOptions);
    client.start().catch((e: unknown) => output.appendLine(`language server did not start: ${errorMessage(e)}`));
  } else {
    output.appendLine(`no language server at ${serverModule}: NASM editing features are off`);
  }
}

export function deactivate(): Thenable<void> | undefined {
  const c = client;
  client = undefined;
  return c?.stop();
}

// ---- helpers ------------------------------------------------------------------------------------

/** The active kstack session, or undefined after telling the person why not. */
function kstackSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  if (s && s.type === DEBUG_TYPE) return s;
  void vscode.window.showErrorMessage(
    s ? `KStack: the active debug session ('${s.name}') is not a KStack session.` : 'KStack: start a KStack debug session first.',
  );
  return undefined;
}

async function head(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    if (uri.scheme === 'file') {
      const f = await open(uri.fsPath, 'r');
      try {
        const buf = new Uint8Array(4);
        const { bytesRead } = await f.read(buf, 0, 4, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await f.close();
      }
    }
    return (await vscode.workspace.fs.readFile(uri)).subarray(0, 4);
  } catch {
    return undefined;
  }
}

/** The file in the active editor, for F5 with no launch.json or a configuration without program. */
async function activeFile(): Promise<FileContext | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && !doc.isUntitled) return { path: doc.uri.fsPath, languageId: doc.languageId };
  // A binary file (an ELF kernel) opens in no text editor: use the active tab's file.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input && typeof input === 'object' && 'uri' in input && input.uri instanceof vscode.Uri ? input.uri : undefined;
  if (uri) return { path: uri.fsPath, head: await head(uri) };
  return undefined;
}

/** "Debug with KStack" on a file in the explorer or the editor title. */
async function debugFile(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showErrorMessage('KStack: choose a .asm file, an ELF kernel or a flat binary to debug.');
    return;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  const kind = programKind(target.fsPath, await head(target), open?.languageId);
  if (!kind) {
    void vscode.window.showErrorMessage(`KStack: '${target.fsPath}' is not a .asm file, an ELF image or a flat binary (.bin).`);
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  await vscode.debug.startDebugging(folder, configurationFor(target.fsPath, kind));
}

/** The F5 drop-down's entries: one per .asm file in the workspace (up to 20). */
async function dynamicConfigurations(): Promise<vscode.DebugConfiguration[]> {
  const files = await vscode.workspace.findFiles('**/*.{asm,nasm}', '**/node_modules/**', 20);
  return files.map((f) => configurationFor(f.fsPath, 'asm'));
}

/** Read-only documents holding stack dumps (`kstack-stack:` URIs). */
class StackViews implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

const RUN_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restart']);

/** The status bar item: the last CPU state of each kstack session, shown for the active one while stopped. */
class CpuStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kstack.cpu', vscode.StatusBarAlignment.Left, 50);
  private readonly states = new Map<string, CpuState | undefined>();

  constructor() {
    this.item.name = 'KStack CPU';
  }

  tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number } }) => {
        if (m.type !== 'event') return;
        if (m.event === 'stopped') void this.query(session, m.body?.threadId);
        else if (m.event === 'continued' || m.event === 'terminated' || m.event === 'exited') this.set(session, undefined);
      },
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && m.command && RUN_REQUESTS.has(m.command)) this.set(session, undefined);
      },
      onWillStopSession: () => this.forget(session),
    };
  }

  private async query(session: vscode.DebugSession, threadId: number | undefined): Promise<void> {
    try {
      const body = (await session.customRequest(Requests.cpuState, threadId !== undefined ? { threadId } : {})) as CpuState | undefined;
      this.set(session, body ?? undefined);
    } catch {
      this.set(session, undefined); // an adapter without kstack/cpuState: no item
    }
  }

  private set(session: vscode.DebugSession, state: CpuState | undefined): void {
    this.states.set(session.id, state);
    this.refresh();
  }

  forget(session: vscode.DebugSession): void {
    this.states.delete(session.id);
    this.refresh();
  }

  refresh(): void {
    const s = vscode.debug.activeDebugSession;
    const state = s && s.type === DEBUG_TYPE ? this.states.get(s.id) : undefined;
    const shown = state ? statusText(state) : undefined;
    if (!shown) {
      this.item.hide();
      return;
    }
    this.item.text = shown.text;
    this.item.tooltip = shown.tooltip;
    this.item.command = COMMANDS.openStackMemory;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
