// The two views in the Run and Debug container: "System Tables" (a tree: TSS stacks with their use,
// IDT, GDT) and "Stack Switches" (a webview: depth of each stack now, a timeline, the switches).
// Both ask the active kstack session on every stop; what they show is built by tables.ts and
// switches.ts, which do not import vscode.

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { Requests, errorMessage } from './requests';
import { parseStackSwitches, switchesPage, type StackSwitches } from './switches';
import { parseSystemTables, systemTablesTree, type TableNode, type TrackedStack } from './tables';

export const VIEWS = { systemTables: 'kstack.systemTables', stackSwitches: 'kstack.stackSwitches' } as const;

/** What a view shows when the adapter cannot answer a request. */
export function unavailable(request: string, e: unknown): string {
  return `${request} is not available from this adapter: ${errorMessage(e)}`;
}

/** The System Tables tree. */
export class SystemTablesView implements vscode.TreeDataProvider<TableNode> {
  private readonly changed = new vscode.EventEmitter<TableNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: TableNode[] = [];
  private pending: Promise<void> | undefined;

  constructor(private readonly revealCommand: string) {}

  /** Asks `session` again (on every stop); with no session the view empties (its welcome text shows). */
  refresh(session: vscode.DebugSession | undefined): Promise<void> {
    const run = async () => {
      this.roots = session ? await this.query(session) : [];
      this.changed.fire(undefined);
    };
    this.pending = (this.pending ?? Promise.resolve()).then(run, run);
    return this.pending;
  }

  private async query(session: vscode.DebugSession): Promise<TableNode[]> {
    let tables;
    try {
      tables = parseSystemTables(await session.customRequest(Requests.systemTables, {}));
    } catch (e) {
      return [{ id: 'unavailable', label: 'System tables', description: unavailable(Requests.systemTables, e), icon: 'info' }];
    }
    // The stacks' use comes from the stack tracker; without it the slots show no bar.
    let stacks: TrackedStack[] = [];
    try {
      stacks = parseStackSwitches(await session.customRequest(Requests.stackSwitches, { since: Number.MAX_SAFE_INTEGER })).stacks;
    } catch {
      stacks = [];
    }
    return systemTablesTree(tables, stacks);
  }

  getTreeItem(n: TableNode): vscode.TreeItem {
    const state = n.children && n.children.length
      ? n.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(n.label, state);
    item.id = n.id;
    item.description = n.description;
    item.tooltip = n.tooltip;
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
    if (n.address) {
      item.command = { command: this.revealCommand, title: 'Open the handler', arguments: [n.address] };
      item.contextValue = 'kstack.address';
    }
    return item;
  }

  getChildren(n?: TableNode): TableNode[] {
    return n ? n.children ?? [] : this.roots;
  }
}

/** The Stack Switches webview. */
export class StackSwitchesView implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private data: StackSwitches | undefined;
  private message: string | undefined = 'Start a KStack debug session: the switches between stacks show here when it stops.';
  private session: vscode.DebugSession | undefined;

  constructor(private readonly reveal: (session: vscode.DebugSession, address: string) => Promise<void>) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true };
    view.webview.onDidReceiveMessage((m: { type?: string; rip?: string }) => {
      if (m?.type === 'reveal' && typeof m.rip === 'string' && this.session) void this.reveal(this.session, m.rip);
    });
    view.onDidChangeVisibility(() => view.visible && this.render());
    this.render();
  }

  async refresh(session: vscode.DebugSession | undefined): Promise<void> {
    this.session = session;
    if (!session) {
      this.data = undefined;
      this.message = 'No KStack debug session.';
    } else {
      try {
        this.data = parseStackSwitches(await session.customRequest(Requests.stackSwitches, {}));
        this.message = undefined;
      } catch (e) {
        this.data = undefined;
        this.message = unavailable(Requests.stackSwitches, e);
      }
    }
    this.render();
  }

  private render(): void {
    const v = this.view;
    if (!v || !v.visible) return;
    v.webview.html = switchesPage(this.data, { nonce: randomBytes(16).toString('hex'), cspSource: v.webview.cspSource, message: this.message });
  }
}

/**
 * Opens the source line of a guest address (through the adapter's `disassemble`, which gives each
 * instruction's source and line); without one, the Disassembly view.
 */
export async function revealAddress(session: vscode.DebugSession, address: string): Promise<void> {
  try {
    const body = (await session.customRequest('disassemble', { memoryReference: address, instructionCount: 1, resolveSymbols: true })) as
      | { instructions?: { location?: { path?: string }; line?: number; symbol?: string }[] }
      | undefined;
    const ins = body?.instructions?.[0];
    const path = ins?.location?.path;
    if (path && ins?.line) {
      // VS Code hands the adapter's path on as it is, or (a remote window: code-server) as a URI.
      const uri = /^[a-z][\w+.-]+:\/\//i.test(path) ? vscode.Uri.parse(path) : vscode.Uri.file(path);
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = Math.max(0, ins.line - 1);
      const range = new vscode.Range(line, 0, line, 0);
      await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: false, preview: true });
      return;
    }
    void vscode.window.showInformationMessage(`KStack: no source line for ${address}${ins?.symbol ? ` (${ins.symbol})` : ''}: see the Disassembly view.`);
    await vscode.commands.executeCommand('debug.action.openDisassemblyView');
  } catch (e) {
    void vscode.window.showErrorMessage(`KStack: cannot show ${address}: ${errorMessage(e)}`);
  }
}
