// extension/main.ts against a fake `vscode` module: what activate registers and what the commands
// send to the adapter. (The real VS Code run is the code-server end-to-end test.)
import { beforeEach, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => {
  const commands = new Map<string, (...a: unknown[]) => unknown>();
  const providers: { type: string; provider: Record<string, (...a: unknown[]) => unknown>; trigger: number }[] = [];
  const trackers: { createDebugAdapterTracker: (s: unknown) => Record<string, (m: unknown) => void> }[] = [];
  const shown = { errors: [] as string[], infos: [] as string[], status: [] as string[], output: [] as string[] };
  const item = { text: '', tooltip: '', visible: false, command: '', name: '', show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
  const views = { trees: new Map<string, Record<string, (...a: unknown[]) => unknown>>(), webviews: new Map<string, Record<string, (...a: unknown[]) => unknown>>() };
  const opened: { path: string; selection: unknown }[] = [];
  const executed: string[] = [];
  const state = {
    activeDebugSession: undefined as unknown,
    activeTextEditor: undefined as unknown,
    inputBox: undefined as string | undefined,
    inputBoxOptions: undefined as { validateInput?: (t: string) => unknown } | undefined,
  };
  const vscode = {
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    Uri: class {
      static from(c: { scheme: string; path: string; query: string }) { return { ...c, toString: () => `${c.scheme}:${c.path}?${c.query}` }; }
      static file(p: string) { return { scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` }; }
      static parse(u: string) { const m = /^([\w+.-]+):\/\/[^/]*(\/.*)$/.exec(u)!; return { scheme: m[1], fsPath: m[2], path: m[2], toString: () => u }; }
    },
    EventEmitter: class {
      private ls: ((e: unknown) => void)[] = [];
      event = (l: (e: unknown) => void) => { this.ls.push(l); return { dispose() {} }; };
      fire(e?: unknown) { for (const l of this.ls) l(e); }
    },
    TreeItem: class { constructor(public label: string, public collapsibleState: number) {} },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ThemeIcon: class { constructor(public id: string) {} },
    Range: class { constructor(public startLine: number, public startCharacter: number, public endLine: number, public endCharacter: number) {} },
    debug: {
      get activeDebugSession() { return state.activeDebugSession; },
      registerDebugConfigurationProvider: (type: string, provider: never, trigger: number) => { providers.push({ type, provider, trigger }); return { dispose() {} }; },
      registerDebugAdapterTrackerFactory: (_t: string, f: never) => { trackers.push(f); return { dispose() {} }; },
      onDidChangeActiveDebugSession: () => ({ dispose() {} }),
      onDidTerminateDebugSession: () => ({ dispose() {} }),
      startDebugging: vi.fn(async () => true),
    },
    commands: {
      registerCommand: (id: string, f: never) => { commands.set(id, f); return { dispose() {} }; },
      executeCommand: async (id: string) => { executed.push(id); },
    },
    window: {
      get activeTextEditor() { return state.activeTextEditor; },
      tabGroups: { activeTabGroup: { activeTab: undefined } },
      createOutputChannel: () => ({ appendLine: (l: string) => shown.output.push(l), show() {}, dispose() {} }),
      createStatusBarItem: () => item,
      showErrorMessage: async (m: string) => { shown.errors.push(m); },
      showInformationMessage: async (m: string) => { shown.infos.push(m); },
      setStatusBarMessage: (m: string) => { shown.status.push(m); return { dispose() {} }; },
      showInputBox: async (o: { validateInput?: (t: string) => unknown }) => { state.inputBoxOptions = o; return state.inputBox; },
      showQuickPick: async (items: unknown[]) => items[0],
      showTextDocument: async (doc: { path: string }, o: { selection: unknown }) => { opened.push({ path: doc.path, selection: o.selection }); },
      registerTreeDataProvider: (id: string, p: never) => { views.trees.set(id, p); return { dispose() {} }; },
      registerWebviewViewProvider: (id: string, p: never) => { views.webviews.set(id, p); return { dispose() {} }; },
    },
    workspace: {
      registerTextDocumentContentProvider: () => ({ dispose() {} }),
      textDocuments: [],
      findFiles: async () => [{ fsPath: '/w/a.asm' }],
      getWorkspaceFolder: () => undefined,
      openTextDocument: async (uri?: { fsPath?: string }) => ({ path: uri?.fsPath }),
      fs: { readFile: async () => new Uint8Array() },
    },
  };
  return { commands, providers, trackers, shown, item, state, vscode, views, opened, executed };
});

vi.mock('vscode', () => h.vscode);
vi.mock('vscode-languageclient/node', () => ({ LanguageClient: class { start = async () => {}; stop = async () => {}; }, TransportKind: { ipc: 1 } }));

const { activate, COMMANDS } = await import('./main');
const context = { subscriptions: [] as unknown[], asAbsolutePath: (p: string) => `/nonexistent/${p}` };
activate(context as never);

function session(reply: (command: string, args: unknown) => unknown) {
  const calls: [string, unknown][] = [];
  return {
    calls,
    s: { id: 's1', type: 'kstack', name: 'k', customRequest: async (c: string, a: unknown) => { calls.push([c, a]); return reply(c, a); } },
  };
}

beforeEach(() => {
  h.shown.errors.length = 0;
  h.shown.status.length = 0;
  h.state.activeDebugSession = undefined;
});

describe('activate', () => {
  it('registers every command', () => {
    expect([...h.commands.keys()].sort()).toEqual(Object.values(COMMANDS).sort());
  });

  it('registers initial and dynamic configuration providers for kstack', () => {
    expect(h.providers.map((p) => [p.type, p.trigger])).toEqual([['kstack', 1], ['kstack', 2]]);
  });

  it('F5 with no launch.json on an .asm editor launches it', async () => {
    h.state.activeTextEditor = { document: { uri: { fsPath: '/w/boot.asm' }, languageId: 'nasm', isUntitled: false } };
    const c = await h.providers[0]!.provider['resolveDebugConfiguration']!(undefined, {});
    expect(c).toMatchObject({ type: 'kstack', request: 'launch', program: '/w/boot.asm' });
  });

  it('F5 with nothing open aborts with a message', async () => {
    h.state.activeTextEditor = undefined;
    expect(await h.providers[0]!.provider['resolveDebugConfiguration']!(undefined, {})).toBeUndefined();
    expect(h.shown.errors[0]).toMatch(/Open a .asm file/);
  });

  it('dynamic configurations list the workspace .asm files', async () => {
    expect(await h.providers[1]!.provider['provideDebugConfigurations']!(undefined)).toMatchObject([{ program: '/w/a.asm' }]);
  });
});

describe('commands', () => {
  it('need a kstack session', async () => {
    await h.commands.get('kstack.injectNmi')!();
    expect(h.shown.errors).toEqual(['KStack: start a KStack debug session first.']);
  });

  it('inject an NMI and an IRQ (the vector is asked and validated)', async () => {
    const { s, calls } = session(() => ({}));
    h.state.activeDebugSession = s;
    await h.commands.get('kstack.injectNmi')!();
    h.state.inputBox = '0x21';
    await h.commands.get('kstack.injectIrq')!();
    expect(h.state.inputBoxOptions?.validateInput?.('7')).toMatch(/exceptions/);
    await h.commands.get('kstack.injectMachineCheck')!();
    expect(calls).toEqual([['kstack/inject', { kind: 'nmi' }], ['kstack/inject', { kind: 'irq', vector: 33 }], ['kstack/inject', { kind: 'mc' }]]);
    expect(h.shown.errors).toEqual([]);
  });

  it("show the adapter's error", async () => {
    h.state.activeDebugSession = session(() => { throw new Error("unknown request 'kstack/inject'"); }).s;
    await h.commands.get('kstack.injectNmi')!();
    expect(h.shown.errors).toEqual(["KStack: cannot inject NMI: unknown request 'kstack/inject'"]);
  });

  it('walk the page tables of a typed address', async () => {
    const { s, calls } = session(() => ({ physicalAddress: '0x1000', levels: [] }));
    h.state.activeDebugSession = s;
    h.state.inputBox = '0xFFFFFFFF80001000';
    await h.commands.get('kstack.walkPageTables')!();
    expect(calls).toEqual([['kstack/walkPageTables', { address: '0xffffffff80001000' }]]);
    expect(h.shown.output.join('\n')).toContain('-> physical 0x1000');
  });

  it('open a stack: kstack/stacks, then readMemory of its top', async () => {
    const { s, calls } = session((c) =>
      c === 'kstack/stacks' ? { stacks: [{ name: 'IST1', base: '0x8000', size: 4096, current: true, rsp: '0x8ff8' }] } : { address: '0x8000', data: Buffer.alloc(4096).toString('base64') },
    );
    h.state.activeDebugSession = s;
    await h.commands.get('kstack.openStackMemory')!();
    expect(calls).toEqual([
      ['kstack/stackSwitches', { since: Number.MAX_SAFE_INTEGER }],
      ['kstack/stacks', {}],
      ['readMemory', { memoryReference: '0x8000', count: 4096 }],
    ]);
    expect(h.shown.errors).toEqual([]);
  });
});

describe('open a stack from the stack tracker', () => {
  it('uses kstack/stackSwitches\' named, sized stacks; RSP from the current one\'s use', async () => {
    const { RECORDED_SWITCHES } = await import('./fixtures');
    const { s, calls } = session((c) => (c === 'kstack/stackSwitches' ? RECORDED_SWITCHES : { data: Buffer.alloc(4096, 0).toString('base64') }));
    h.state.activeDebugSession = s;
    const picks: unknown[] = [];
    const saved = { pick: h.vscode.window.showQuickPick };
    h.vscode.window.showQuickPick = async (items: unknown[]) => { picks.push(...items); return items.find((i) => (i as { label: string }).label.includes('nmi_stack')); };
    try {
      await h.commands.get('kstack.openStackMemory')!();
    } finally {
      h.vscode.window.showQuickPick = saved.pick;
    }
    expect((picks as { label: string; description: string }[]).map((p) => `${p.label} | ${p.description}`)).toEqual([
      'kernel_stack | RSP0 · 0x1001e0 +8192',
      '$(arrow-right) nmi_stack | IST1 · 0x1021e0 +4096',
      'stack | 0x1031e0 +4096',
    ]);
    expect(calls.map((c) => c[0])).toEqual(['kstack/stackSwitches', 'readMemory']);
    expect(calls[1]![1]).toEqual({ memoryReference: '0x1021e0', count: 4096 });
    expect(h.shown.errors).toEqual([]);
  });
});

describe('status bar', () => {
  it('shows the CPU state while stopped and hides it on continue', async () => {
    const { s, calls } = session(() => ({ mode: 'long', cpl: 0, stack: 'RSP0' }));
    h.state.activeDebugSession = s;
    const t = h.trackers[0]!.createDebugAdapterTracker(s);
    t['onDidSendMessage']!({ type: 'event', event: 'stopped', body: { threadId: 1, reason: 'entry' } });
    await vi.waitFor(() => expect(h.item.visible).toBe(true));
    expect(calls).toEqual([['kstack/cpuState', { threadId: 1 }]]);
    expect(h.item.text).toBe('$(chip) 64-bit · CPL0 · RSP0 stack');
    t['onWillReceiveMessage']!({ type: 'request', command: 'continue' });
    expect(h.item.visible).toBe(false);
  });

  it('stays hidden when the adapter has no kstack/cpuState', async () => {
    const { s } = session(() => { throw new Error('unknown request'); });
    h.state.activeDebugSession = s;
    const t = h.trackers[0]!.createDebugAdapterTracker(s);
    t['onDidSendMessage']!({ type: 'event', event: 'stopped', body: { threadId: 1 } });
    await new Promise((r) => setTimeout(r, 10));
    expect(h.item.visible).toBe(false);
  });
});

describe('views', () => {
  const tree = () => h.views.trees.get('kstack.systemTables')!;
  const labels = (nodes: unknown) => (nodes as { label: string; description?: string }[]).map((n) => `${n.label}: ${n.description ?? ''}`);

  it('registers the System Tables tree and the Stack Switches webview', () => {
    expect([...h.views.trees.keys()]).toEqual(['kstack.systemTables']);
    expect([...h.views.webviews.keys()]).toEqual(['kstack.stackSwitches']);
  });

  it('System Tables asks the adapter on every stop and shows the TSS, IDT and GDT', async () => {
    const { RECORDED_SWITCHES, TABLES } = await import('./fixtures');
    const { s, calls } = session((c) => (c === 'kstack/systemTables' ? TABLES : c === 'kstack/stackSwitches' ? RECORDED_SWITCHES : {}));
    h.state.activeDebugSession = s;
    const t = h.trackers[1]!.createDebugAdapterTracker(s);
    t['onDidSendMessage']!({ type: 'event', event: 'stopped', body: { threadId: 1 } });
    await vi.waitFor(() => expect(labels(tree()['getChildren']!())).toEqual(['TSS: 0x100170 · TR 0x18', 'IDT: 1 present gate', 'GDT: 4 entries']));
    expect(calls.map((c) => c[0])).toEqual(expect.arrayContaining(['kstack/systemTables', 'kstack/stackSwitches']));
    const [tss] = tree()['getChildren']!() as { children: unknown[] }[];
    const ist1 = (tree()['getChildren']!(tss) as { id: string }[]).find((n) => n.id === 'tss/IST1')!;
    const item = tree()['getTreeItem']!(ist1) as { label: string; description: string; collapsibleState: number };
    expect(item).toMatchObject({ label: 'IST1', description: '0x1031e0  nmi_stack_top  █░░░░░░░░░ 1% of 4 KiB', collapsibleState: 0 });
    const idt = (tree()['getChildren']!() as unknown[])[1];
    const gate = tree()['getTreeItem']!((tree()['getChildren']!(idt) as unknown[])[0]) as { command: { command: string; arguments: unknown[] } };
    expect(gate.command).toEqual({ command: 'kstack.revealAddress', title: 'Open the handler', arguments: ['0x0000000000100048'] });
  });

  it('says "not available from this adapter" when the request fails', async () => {
    const { s } = session(() => { throw new Error("unknown request 'kstack/systemTables'"); });
    h.state.activeDebugSession = s;
    h.trackers[1]!.createDebugAdapterTracker(s)['onDidSendMessage']!({ type: 'event', event: 'stopped', body: {} });
    await vi.waitFor(() =>
      expect(labels(tree()['getChildren']!())).toEqual(["System tables: kstack/systemTables is not available from this adapter: unknown request 'kstack/systemTables'"]),
    );
  });

  it('Stack Switches renders the page on a stop and reveals a clicked switch', async () => {
    const { RECORDED_SWITCHES } = await import('./fixtures');
    const { s, calls } = session((c) =>
      c === 'kstack/stackSwitches'
        ? RECORDED_SWITCHES
        : c === 'disassemble'
          ? { instructions: [{ address: '0x100028', location: { path: '/w/nmi.asm' }, line: 19 }] }
          : (() => { throw new Error('no'); })(),
    );
    let onMessage: (m: unknown) => void = () => {};
    const webview = { html: '', options: {}, cspSource: 'vscode-resource:', onDidReceiveMessage: (f: (m: unknown) => void) => { onMessage = f; } };
    h.views.webviews.get('kstack.stackSwitches')!['resolveWebviewView']!({ webview, visible: true, onDidChangeVisibility: () => {} });
    expect(webview.html).toContain('<p class="message">'); // before this session's first stop
    h.state.activeDebugSession = s;
    h.trackers[1]!.createDebugAdapterTracker(s)['onDidSendMessage']!({ type: 'event', event: 'stopped', body: {} });
    await vi.waitFor(() => expect(webview.html).toContain('NMI (vector 2) via IST1'));
    h.opened.length = 0;
    onMessage({ type: 'reveal', rip: '0x100028' });
    await vi.waitFor(() => expect(h.opened).toHaveLength(1));
    expect(calls).toContainEqual(['disassemble', { memoryReference: '0x100028', instructionCount: 1, resolveSymbols: true }]);
    expect(h.opened[0]).toEqual({ path: '/w/nmi.asm', selection: { startLine: 18, startCharacter: 0, endLine: 18, endCharacter: 0 } });
  });

  it('a source path VS Code turned into a URI (a remote window) is opened as that URI', async () => {
    const { s } = session(() => ({ instructions: [{ address: '0x100048', location: { path: 'vscode-remote://127.0.0.1:8080/ws/nmi.asm' }, line: 34 }] }));
    h.state.activeDebugSession = s;
    h.opened.length = 0;
    await h.commands.get('kstack.revealAddress')!('0x100048');
    expect(h.opened).toEqual([{ path: '/ws/nmi.asm', selection: { startLine: 33, startCharacter: 0, endLine: 33, endCharacter: 0 } }]);
    expect(h.shown.errors).toEqual([]);
  });

  it('Show the Source of an Address: a symbol is evaluated first; no source line opens the Disassembly view', async () => {
    const { s, calls } = session((c) => (c === 'evaluate' ? { result: '0x100048 <nmi_entry>', memoryReference: '0x100048' } : { instructions: [{ address: '0x100048' }] }));
    h.state.activeDebugSession = s;
    h.state.inputBox = 'nmi_entry';
    h.executed.length = 0;
    await h.commands.get('kstack.revealAddress')!();
    expect(calls.map((c) => c[0])).toEqual(['evaluate', 'disassemble']);
    expect(calls[1]![1]).toMatchObject({ memoryReference: '0x100048' });
    expect(h.executed).toEqual(['debug.action.openDisassemblyView']);
  });
});
