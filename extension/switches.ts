// The "Stack Switches" view's data and page: `kstack/stackSwitches` parsed leniently, the timeline
// (which stack RSP was on over guest time), and the webview's HTML (no VS Code API here: main.ts
// hosts the page and answers its clicks).

import type { SwitchJson } from '../debug-adapter/stacks';
import { bytes, shortHex, trackedStackOf, type TrackedStack } from './tables';

/** One switch (docs/debug-adapter.md, "kstack/stackSwitches"): the adapter's own type. */
export type StackSwitch = SwitchJson;

export interface StackAlert {
  kind: string;
  count: number;
  rip: string;
  stack: string | null;
  vector?: number;
  message: string;
}

export interface StackSwitches {
  switches: StackSwitch[];
  stacks: TrackedStack[];
  alerts: StackAlert[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nameOrNull = (v: unknown): string | null | undefined => (v === null ? null : typeof v === 'string' ? v : undefined);

function switchOf(v: unknown): StackSwitch | undefined {
  if (!isObj(v)) return undefined;
  const count = v['count'];
  const rip = v['rip'];
  const from = nameOrNull(v['from']);
  const to = nameOrNull(v['to']);
  if (typeof count !== 'number' || !Number.isFinite(count) || typeof rip !== 'string' || from === undefined || to === undefined) return undefined;
  const s: StackSwitch = {
    count,
    rip,
    from,
    to,
    cause: typeof v['cause'] === 'string' ? v['cause'] : '',
    rspBefore: typeof v['rspBefore'] === 'string' ? v['rspBefore'] : '',
    rspAfter: typeof v['rspAfter'] === 'string' ? v['rspAfter'] : '',
  };
  if (typeof v['vector'] === 'number') s.vector = v['vector'];
  return s;
}

function alertOf(v: unknown): StackAlert | undefined {
  if (!isObj(v) || typeof v['message'] !== 'string') return undefined;
  const a: StackAlert = {
    kind: typeof v['kind'] === 'string' ? v['kind'] : 'alert',
    count: typeof v['count'] === 'number' ? v['count'] : 0,
    rip: typeof v['rip'] === 'string' ? v['rip'] : '',
    stack: typeof v['stack'] === 'string' ? v['stack'] : null,
    message: v['message'],
  };
  if (typeof v['vector'] === 'number') a.vector = v['vector'];
  return a;
}

/** `kstack/stackSwitches`' body; malformed entries are dropped, switches sorted by time. */
export function parseStackSwitches(body: unknown): StackSwitches {
  const b = isObj(body) ? body : {};
  const switches = list(b['switches']).map(switchOf).filter((s): s is StackSwitch => !!s);
  switches.sort((x, y) => x.count - y.count);
  return {
    switches,
    stacks: list(b['stacks']).map(trackedStackOf).filter((s): s is TrackedStack => !!s),
    alerts: list(b['alerts']).map(alertOf).filter((a): a is StackAlert => !!a),
  };
}

/** The label of RSP on no known stack. */
export const NO_STACK = '(no known stack)';

/** A stretch of guest time spent on one stack; `switch` is the index of the switch that began it. */
export interface Segment {
  stack: string;
  start: number;
  end: number;
  switch?: number;
}

/**
 * Which stack was active over time: one segment per switch, from its count to the next switch
 * (the last one to `end`), and before the first switch, its `from` stack from time 0.
 */
export function timeline(switches: StackSwitch[], end?: number): Segment[] {
  if (switches.length === 0) return [];
  const last = switches[switches.length - 1]!.count;
  const stop = Math.max(end ?? 0, last + Math.max(1, Math.ceil(last * 0.05)));
  const out: Segment[] = [];
  const first = switches[0]!;
  if (first.count > 0) out.push({ stack: first.from ?? NO_STACK, start: 0, end: first.count });
  switches.forEach((s, i) => {
    const next = i + 1 < switches.length ? switches[i + 1]!.count : stop;
    out.push({ stack: s.to ?? NO_STACK, start: s.count, end: next, switch: i });
  });
  return out;
}

/** What a switch was, in words: 'NMI (vector 2) via IST1', 'IRQ 0x20 (vector 32)', 'iretq', 'mov to RSP'. */
export function causeText(s: StackSwitch): string {
  if (s.vector !== undefined) {
    const v = s.vector;
    const name = v === 2 ? 'NMI' : v < 32 ? (EXCEPTIONS[v] ?? `exception`) : `interrupt 0x${v.toString(16)}`;
    const how = /^(IST[1-7]|RSP[0-2])$/.test(s.cause) ? ` via ${s.cause}` : s.cause === 'interrupt' ? '' : s.cause ? ` (${s.cause})` : '';
    return `${name} (vector ${v})${how}`;
  }
  if (s.cause === 'mov' || s.cause === 'xchg' || s.cause === 'pop' || s.cause === 'leave' || /^cmov/.test(s.cause)) return `${s.cause} to RSP`;
  return s.cause || 'switch';
}

const EXCEPTIONS: Record<number, string> = {
  0: '#DE', 1: '#DB', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF',
  16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM', 20: '#VE', 21: '#CP',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** How many switches the page lists (the newest); the timeline draws at most MAX_DRAWN segments. */
export const MAX_LISTED = 200;
export const MAX_DRAWN = 2000;

/** The lanes of the timeline: the tracker's stacks in its order, then any other name seen. */
export function lanes(d: StackSwitches): string[] {
  const names = d.stacks.map((s) => s.name);
  for (const s of d.switches) for (const n of [s.from ?? NO_STACK, s.to ?? NO_STACK]) if (!names.includes(n)) names.push(n);
  return names;
}

export interface PageOptions {
  /** For the Content-Security-Policy: the script's nonce and the webview's source. */
  nonce: string;
  cspSource: string;
  /** Shown instead of the data (the adapter cannot answer, no session...). */
  message?: string;
}

/**
 * The webview's page: the depth of each stack now, the timeline (a lane per stack, a bar per stretch
 * on it, each clickable to the switch that began it), and the newest switches as a list whose rows
 * are clickable to their instruction (the page posts `{ type: 'reveal', rip }`).
 */
export function switchesPage(d: StackSwitches | undefined, o: PageOptions): string {
  const head = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${o.cspSource} 'unsafe-inline'; script-src 'nonce-${o.nonce}';">
<style>${STYLE}</style></head><body>`;
  const script = `<script nonce="${o.nonce}">${SCRIPT}</script></body></html>`;
  if (!d || o.message) return `${head}<p class="message">${escapeHtml(o.message ?? 'No data.')}</p>${script}`;

  const parts: string[] = [];
  // ---- depth of each stack now
  parts.push('<h3>Stacks now</h3><table class="depths">');
  for (const s of d.stacks) {
    const pct = s.size > 0 ? Math.min(100, (s.used / s.size) * 100) : 0;
    const deep = s.size > 0 ? Math.min(100, (s.deepest / s.size) * 100) : 0;
    parts.push(
      `<tr class="${s.current ? 'current' : ''}" title="${escapeHtml(`${shortHex(s.base)}-${shortHex(s.top)}, ${bytes(s.size)}; deepest use seen ${bytes(s.deepest)}`)}">` +
        `<td class="name">${s.current ? '▶ ' : ''}${escapeHtml(s.name)}</td><td class="slots">${escapeHtml(s.slots.join(' '))}</td>` +
        `<td class="bar"><div class="track"><div class="deep" style="width:${deep.toFixed(1)}%"></div><div class="used" style="width:${pct.toFixed(1)}%"></div></div></td>` +
        `<td class="num">${s.current ? `${bytes(s.used)} / ${bytes(s.size)}` : `0 / ${bytes(s.size)}`}</td>` +
        `<td class="warn">${s.belowTouched ? '⚠ below touched' : ''}</td></tr>`,
    );
  }
  parts.push('</table>');
  for (const a of d.alerts)
    parts.push(`<p class="alert" data-rip="${escapeHtml(a.rip)}">⚠ ${escapeHtml(a.message)}</p>`);

  // ---- timeline
  const names = lanes(d);
  const segs = timeline(d.switches);
  const drawn = segs.slice(-MAX_DRAWN);
  if (drawn.length) {
    const t0 = drawn[0]!.start;
    const t1 = drawn[drawn.length - 1]!.end;
    const span = Math.max(1, t1 - t0);
    parts.push(`<h3>Timeline <span class="dim">(guest time: instructions ${t0}-${t1})</span></h3>`);
    parts.push('<div class="timeline">');
    names.forEach((n, lane) => {
      parts.push(`<div class="lane"><span class="lname">${escapeHtml(n)}</span><div class="ltrack">`);
      for (const s of drawn) {
        if (s.stack !== n) continue;
        const x = ((s.start - t0) / span) * 100;
        const w = ((s.end - s.start) / span) * 100;
        const sw = s.switch !== undefined ? d.switches[s.switch]! : undefined;
        const title = sw ? `${causeText(sw)} at ${shortHex(sw.rip)}, time ${sw.count}: ${sw.from ?? NO_STACK} → ${sw.to ?? NO_STACK}` : `${s.stack} from time 0`;
        parts.push(
          `<div class="seg lane${lane % 6}" style="left:${x.toFixed(2)}%;width:max(2px,${w.toFixed(2)}%)"${sw ? ` data-rip="${escapeHtml(sw.rip)}"` : ''} title="${escapeHtml(title)}"></div>`,
        );
      }
      parts.push('</div></div>');
    });
    parts.push('</div>');
  } else parts.push('<p class="dim">No stack switch yet.</p>');

  // ---- the newest switches
  if (d.switches.length) {
    const shown = d.switches.slice(-MAX_LISTED).reverse();
    parts.push(`<h3>Switches <span class="dim">(${d.switches.length}${d.switches.length > MAX_LISTED ? `, the newest ${MAX_LISTED}` : ''}; click one to see its instruction)</span></h3>`);
    parts.push('<table class="switches"><tr><th>time</th><th>from → to</th><th>cause</th><th>at</th><th>rsp</th></tr>');
    for (const s of shown)
      parts.push(
        `<tr class="switch" data-rip="${escapeHtml(s.rip)}" tabindex="0"><td class="num">${s.count}</td>` +
          `<td>${escapeHtml(s.from ?? NO_STACK)} → ${escapeHtml(s.to ?? NO_STACK)}</td><td>${escapeHtml(causeText(s))}</td>` +
          `<td class="addr">${escapeHtml(shortHex(s.rip))}</td><td class="addr">${escapeHtml(shortHex(s.rspBefore))} → ${escapeHtml(shortHex(s.rspAfter))}</td></tr>`,
      );
    parts.push('</table>');
  }
  return head + parts.join('\n') + script;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 4px 8px; }
h3 { font-size: 11px; text-transform: uppercase; margin: 10px 0 4px; font-weight: 600; }
.dim { opacity: .7; text-transform: none; font-weight: normal; }
.message { opacity: .8; font-style: italic; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 1px 6px 1px 0; text-align: left; white-space: nowrap; }
th { font-weight: 600; opacity: .8; }
.num, .addr { font-family: var(--vscode-editor-font-family); }
.depths .name { font-weight: 600; } .depths .current .name { color: var(--vscode-charts-yellow); }
.depths .bar { width: 40%; }
.track { position: relative; height: 8px; background: var(--vscode-editorWidget-background, #8883); border: 1px solid var(--vscode-widget-border, #8886); }
.track .deep { position: absolute; left: 0; top: 0; bottom: 0; background: var(--vscode-charts-blue); opacity: .35; }
.track .used { position: absolute; left: 0; top: 0; bottom: 0; background: var(--vscode-charts-blue); }
.warn, .alert { color: var(--vscode-errorForeground); }
.timeline .lane { display: flex; align-items: center; height: 16px; }
.timeline .lname { width: 110px; flex: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 11px; }
.timeline .ltrack { position: relative; flex: 1; height: 12px; border-bottom: 1px solid var(--vscode-widget-border, #8884); }
.seg { position: absolute; top: 1px; bottom: 1px; cursor: pointer; } .seg:hover { opacity: .75; }
.lane0 { background: var(--vscode-charts-blue); } .lane1 { background: var(--vscode-charts-orange); } .lane2 { background: var(--vscode-charts-green); }
.lane3 { background: var(--vscode-charts-purple); } .lane4 { background: var(--vscode-charts-red); } .lane5 { background: var(--vscode-charts-yellow); }
tr.switch { cursor: pointer; } tr.switch:hover, tr.switch:focus { background: var(--vscode-list-hoverBackground); outline: none; }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const el = e.target instanceof Element ? e.target.closest('[data-rip]') : null;
  if (el) vscode.postMessage({ type: 'reveal', rip: el.getAttribute('data-rip') });
});
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  const el = document.activeElement && document.activeElement.closest('[data-rip]');
  if (el) vscode.postMessage({ type: 'reveal', rip: el.getAttribute('data-rip') });
});
`;
