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

/** The stack, and each frame's Locals (C programs). */
async function localsTranscript(title: string): Promise<string> {
  const out: string[] = [`# ${title}`, ''];
  const st = await dc.stackTraceRequest({ threadId: 1 });
  for (const f of st.body.stackFrames) {
    out.push(`#${f.id} ${f.name}  ${f.source ? `${portable(f.source.path ?? '')}:${f.line}` : '<no source>'}  ip=${f.instructionPointerReference}`);
    const locals = (await dc.scopesRequest({ frameId: f.id })).body.scopes.find((s) => s.name === 'Locals');
    if (locals) await tree(locals.variablesReference, '    ', out, 2);
  }
  return out.join('\n') + '\n';
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

  it('examples/c-kernel: CFI frames and their C locals in fib(6)', async () => {
    const kernel = program('../../../examples/c-kernel/kernel.elf');
    const kmain = program('../../../examples/c-kernel/kmain.c');
    await launchToEntry(dc, { program: kernel, boot: 'elf64' });
    const regs = (await dc.scopesRequest({ frameId: 1 })).body.scopes.find((x) => x.name === 'Registers')!.variablesReference;
    await dc.setVariableRequest({ variablesReference: regs, name: 'rdi', value: '6' });
    await dc.setVariableRequest({ variablesReference: regs, name: 'rip', value: 'fib' });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'fib', hitCondition: '==4' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    void kmain;
    golden('c-kernel-fib', await localsTranscript('examples/c-kernel/kernel.elf, entered at fib(6), 4th call of fib'));
  });
});
