// The Stack Switches view: parsing `kstack/stackSwitches` (a recorded answer), the timeline and the page.
import { describe, expect, it } from 'vitest';
import { MAX_LISTED, NO_STACK, causeText, escapeHtml, lanes, parseStackSwitches, switchesPage, timeline, type StackSwitch } from './switches';
import { RECORDED_SWITCHES } from './fixtures';

const sw = (count: number, from: string | null, to: string | null, cause: string, vector?: number): StackSwitch => ({
  count,
  rip: `0x${(0x100000 + count).toString(16)}`,
  from,
  to,
  cause,
  ...(vector !== undefined ? { vector } : {}),
  rspBefore: '0x1000',
  rspAfter: '0x2000',
});

describe('parseStackSwitches', () => {
  it('reads the recorded answer', () => {
    const d = parseStackSwitches(RECORDED_SWITCHES);
    expect(d.switches).toHaveLength(2);
    expect(d.switches[1]).toEqual({ count: 46, rip: '0x100028', from: 'stack', to: 'nmi_stack', cause: 'IST1', vector: 2, rspBefore: '0x1041e0', rspAfter: '0x1031b8' });
    expect(d.stacks.map((s) => [s.name, s.current, s.used])).toEqual([['kernel_stack', false, 0], ['nmi_stack', true, 48], ['stack', false, 0]]);
    expect(d.alerts).toEqual([]);
  });

  it('drops malformed entries and sorts by time', () => {
    const d = parseStackSwitches({
      switches: [sw(9, 'a', 'b', 'mov'), { count: 'x' }, { count: 1, rip: '0x1', from: 3, to: 'a' }, sw(2, null, 'a', 'mov')],
      stacks: [{ name: 'a' }],
      alerts: [{ kind: 'overflow', message: 'RSP left a through its bottom', count: 5, rip: '0x10', stack: 'a' }, { kind: 'x' }],
    });
    expect(d.switches.map((s) => s.count)).toEqual([2, 9]);
    expect(d.stacks).toEqual([]);
    expect(d.alerts).toEqual([{ kind: 'overflow', message: 'RSP left a through its bottom', count: 5, rip: '0x10', stack: 'a' }]);
    expect(parseStackSwitches(undefined)).toEqual({ switches: [], stacks: [], alerts: [] });
  });
});

describe('timeline', () => {
  it('has a segment per switch, the first stack from time 0, the last a little past the last switch', () => {
    const segs = timeline([sw(100, 'thread', 'IST1', 'IST1', 2), sw(150, 'IST1', 'thread', 'iretq'), sw(400, 'thread', 'RSP0', 'RSP0', 32)]);
    expect(segs).toEqual([
      { stack: 'thread', start: 0, end: 100 },
      { stack: 'IST1', start: 100, end: 150, switch: 0 },
      { stack: 'thread', start: 150, end: 400, switch: 1 },
      { stack: 'RSP0', start: 400, end: 420, switch: 2 },
    ]);
    expect(timeline([sw(10, 'a', 'b', 'mov')], 50).at(-1)).toEqual({ stack: 'b', start: 10, end: 50, switch: 0 });
  });

  it('names "no known stack" and starts at the first switch at time 0', () => {
    const segs = timeline(parseStackSwitches(RECORDED_SWITCHES).switches);
    expect(segs).toEqual([
      { stack: 'stack', start: 0, end: 46, switch: 0 },
      { stack: 'nmi_stack', start: 46, end: 49, switch: 1 },
    ]);
    expect(timeline([sw(5, null, 'a', 'mov')])[0]).toEqual({ stack: NO_STACK, start: 0, end: 5 });
    expect(timeline([])).toEqual([]);
  });

  it('lanes: the tracker\'s stacks in order, then other names seen', () => {
    const d = parseStackSwitches(RECORDED_SWITCHES);
    expect(lanes(d)).toEqual(['kernel_stack', 'nmi_stack', 'stack', NO_STACK]);
  });
});

describe('causeText', () => {
  it('words deliveries by vector and stack slot, instructions by mnemonic', () => {
    expect(causeText(sw(1, 'a', 'b', 'IST1', 2))).toBe('NMI (vector 2) via IST1');
    expect(causeText(sw(1, 'a', 'b', 'IST2', 8))).toBe('#DF (vector 8) via IST2');
    expect(causeText(sw(1, 'a', 'b', 'RSP0', 0x20))).toBe('interrupt 0x20 (vector 32) via RSP0');
    expect(causeText(sw(1, 'a', 'b', 'interrupt', 14))).toBe('#PF (vector 14)');
    expect(causeText(sw(1, 'a', 'b', 'mov'))).toBe('mov to RSP');
    expect(causeText(sw(1, 'a', 'b', 'iretq'))).toBe('iretq');
    expect(causeText(sw(1, 'a', 'b', ''))).toBe('switch');
  });
});

describe('switchesPage', () => {
  const o = { nonce: 'abc123', cspSource: 'vscode-resource:' };

  it('shows the depth of each stack, the timeline and the switches, each clickable to its instruction', () => {
    const html = switchesPage(parseStackSwitches(RECORDED_SWITCHES), o);
    expect(html).toContain(`script-src 'nonce-abc123'`);
    expect(html).toContain('<script nonce="abc123">');
    expect(html).toMatch(/<td class="name">▶ nmi_stack<\/td><td class="slots">IST1<\/td>/);
    expect(html).toContain('48 B / 4 KiB');
    expect(html).toMatch(/<div class="used" style="width:1\.2%">/);
    expect(html).toContain('<div class="lane"><span class="lname">kernel_stack</span>');
    // The NMI's stretch on nmi_stack: from time 46 of 0-49.
    expect(html).toContain('<div class="seg lane1" style="left:93.88%;width:max(2px,6.12%)" data-rip="0x100028" title="NMI (vector 2) via IST1 at 0x100028, time 46: stack → nmi_stack"></div>');
    expect(html).toMatch(/<tr class="switch" data-rip="0x100028" tabindex="0"><td class="num">46<\/td><td>stack → nmi_stack<\/td><td>NMI \(vector 2\) via IST1<\/td>/);
    // Newest first.
    expect(html.indexOf('data-rip="0x100028" tabindex')).toBeLessThan(html.indexOf('data-rip="0x100000" tabindex'));
    expect(html).toContain("vscode.postMessage({ type: 'reveal', rip: el.getAttribute('data-rip') })");
  });

  it('escapes names and lists only the newest switches', () => {
    const many = Array.from({ length: MAX_LISTED + 5 }, (_, i) => sw(i + 1, i % 2 ? '<b>' : 'a&b', i % 2 ? 'a&b' : '<b>', 'mov'));
    const html = switchesPage(parseStackSwitches({ switches: many, stacks: [], alerts: [{ kind: 'overflow', message: 'RSP <below>', count: 1, rip: '0x1', stack: null }] }), o);
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt; → a&amp;b');
    expect(html).toContain(`(${MAX_LISTED + 5}, the newest ${MAX_LISTED}; click one`);
    expect(html.match(/<tr class="switch"/g)).toHaveLength(MAX_LISTED);
    expect(html).toContain('<p class="alert" data-rip="0x1">⚠ RSP &lt;below&gt;</p>');
  });

  it('shows a message instead of data', () => {
    const html = switchesPage(undefined, { ...o, message: "kstack/stackSwitches is not available from this adapter: unknown request 'kstack/stackSwitches'" });
    expect(html).toContain('<p class="message">kstack/stackSwitches is not available from this adapter: unknown request &#39;kstack/stackSwitches&#39;</p>');
    expect(html).not.toContain('class="timeline"');
    expect(switchesPage(parseStackSwitches({ switches: [], stacks: [] }), o)).toContain('No stack switch yet.');
  });

  it('escapeHtml', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
