// Golden transcripts: the call stack and the whole variable tree (every scope, every child) at
// fixed stops, compared with test/dap/golden/*.txt. KSTACK_UPDATE_GOLDEN=1 rewrites them.

import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { golden, launchToEntry, portable, program, startClient, stopAfter } from './harness';

const CALLS = program('calls.asm');

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function tree(ref: number, indent: string, out: string[], depth: number): Promise<void> {
  const vars = (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  for (const v of vars) {
    const extra = [v.type ? `type=${v.type}` : '', v.memoryReference ? `mem=${v.memoryReference}` : '', v.evaluateName ? `eval=${v.evaluateName}` : ''].filter(Boolean).join(' ');
    out.push(`${indent}${v.name} = ${v.value}${extra ? `   {${extra}}` : ''}`);
    if (v.variablesReference && depth > 0) await tree(v.variablesReference, indent + '  ', out, depth - 1);
  }
}

async function transcript(title: string): Promise<string> {
  const out: string[] = [`# ${title}`, '', 'stack:'];
  const st = await dc.stackTraceRequest({ threadId: 1 });
  for (const f of st.body.stackFrames)
    out.push(`  #${f.id} ${f.name}  ${f.source ? `${portable(f.source.path ?? '')}:${f.line}` : '<no source>'}  ip=${f.instructionPointerReference}`);
  out.push(`  (${st.body.totalFrames} frames)`, '');
  for (const s of (await dc.scopesRequest({ frameId: 1 })).body.scopes) {
    out.push(`${s.name}:`);
    await tree(s.variablesReference, '  ', out, 3);
    out.push('');
  }
  return out.join('\n');
}

describe('golden transcripts', () => {
  it('calls.asm at entry', async () => {
    await launchToEntry(dc, { program: CALLS });
    golden('calls-entry', await transcript('calls.asm stopped on entry'));
  });

  it('calls.asm at a function breakpoint three calls deep', async () => {
    await launchToEntry(dc, { program: CALLS });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'inner' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    golden('calls-inner', await transcript('calls.asm in inner after push rbp; mov rbp, rsp'));
  });
});
