// Figures for the tool chain: assembling a 10,000-line NASM file (goal: under 100 ms), the language
// server's diagnostics after an edit of a 2,000-line file (goal: under 50 ms), and decoding +
// formatting instructions (goal: at least 1 million per second). Each figure is the fastest of
// several runs (and the median where the runs differ by design), in wall-clock time; the output is
// checked before anything is timed.

import { assemble, clearAssemblerCaches } from '../asm/assembler';
import { memoryProject } from '../language-server/analysis';
import { memoryHost } from '../asm/host';
import { decode } from '../isa/decoder';
import { formatInstr } from '../isa/format';

/** A 10,000-line kernel-like source: macros, data, local labels, forward jumps, every operand kind. */
export function generatedSource(lines: number): string {
  const out: string[] = [
    'bits 64',
    'default rel',
    '%macro save 2',
    '  push %1',
    '  push %2',
    '%endmacro',
    'section .text',
    'global _start',
    '_start:',
  ];
  let n = out.length;
  let f = 0;
  for (; n < lines - 40; f++) {
    const body = [
      `func${f}:`,
      '  save rbp, rbx',
      '  mov rbp, rsp',
      `  mov eax, ${f * 7}`,
      `  lea rsi, [table + ${f % 64}*8]`,
      '  mov rcx, [rsi]',
      `.loop:`,
      '  add rax, rcx',
      '  xor edx, edx',
      `  cmp rax, ${1000 + f}`,
      '  jb .next',
      `  imul rax, rax, ${(f % 100) + 3}`,
      '  shr rax, 3',
      '.next:',
      '  dec rcx',
      '  jnz .loop',
      `  mov qword [counters + ${(f % 32) * 8}], rax`,
      `  call func${f + 1}`,
      '  pop rbx',
      '  pop rbp',
      '  ret',
    ];
    out.push(...body);
    n += body.length;
  }
  out.push(`func${f}:`, '  ret', 'section .data', 'table: times 64 dq 1, 2', 'counters: times 32 dq 0');
  while (out.length < lines) out.push('  ; padding comment line');
  return out.join('\n') + '\n';
}

/** A 2,000-line file for the language server (scripts/lsp/latency.mjs writes the same): `salt` changes one constant per function. */
export function lspSource(lines: number, salt: number): string {
  const out = ['bits 64', 'org 0x100000', '%define SCALE 4', 'PORT equ 0x3f8', '%macro out_byte 2', '    mov dx, %1', '    mov al, %2', '    out dx, al', '%endmacro', 'section .text'];
  for (let f = 0; out.length < lines - 4; f++) {
    out.push(`func${f}:`, '    push rbp', '    mov rbp, rsp', '    mov rax, [rbp + 16]', `    add rax, ${f + salt} * SCALE`);
    out.push('.loop:', '    dec rax', '    jnz .loop', `    cmp rax, func${f}`, "    out_byte PORT, 'x'", `    lea rsi, [rel data${f}]`, '    pop rbp', '    ret');
    out.push(`data${f}: dq ${f}, func${f}`);
  }
  while (out.length < lines) out.push('    nop');
  return out.join('\n') + '\n';
}

/** Edit -> diagnostics times of the language server's analysis (index + assemble), after 3 warm-up edits. */
export function lspFigures(lines: number, edits: number): { lines: number; median: number; fastest: number } | undefined {
  const path = 'bench/big.asm';
  const files: Record<string, string> = { [path]: lspSource(lines, 0) };
  const project = memoryProject(files);
  const times: number[] = [];
  for (let i = 1; i <= edits + 3; i++) {
    files[path] = lspSource(lines, i);
    const t0 = performance.now();
    project.index(path);
    const r = project.assembleUnit(path);
    const ms = performance.now() - t0;
    if (r.diagnostics.length) return undefined;
    if (i > 3) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { lines, median: times[times.length >> 1]!, fastest: times[0]! };
}

function fastest(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Prints the assembler and disassembler figures; returns false when a check fails. */
export function runToolBench(): boolean {
  console.log('\ntools: the assembler, the language server and the disassembler');
  const text = generatedSource(10_000);
  const lineCount = text.split('\n').length - 1;
  const src = { path: 'bench.asm', text };
  const opts = { format: 'bin' as const, host: memoryHost({}) };
  const first = assemble(src, opts);
  if (!first.ok || !first.output) {
    console.log(`  assembler: FAILED on the generated file: ${first.diagnostics[0]?.message ?? 'no output'}`);
    return false;
  }
  // cold: as a fresh `kstack asm` process (no line lexed, parsed or encoded before); warm: the same
  // text again, as the language server re-assembles a file after an edit elsewhere
  const coldMs = fastest(5, () => {
    clearAssemblerCaches();
    assemble(src, opts);
  });
  const warmMs = fastest(5, () => assemble(src, opts));
  console.log(`  assemble ${lineCount} lines (${first.output.length} bytes): cold ${coldMs.toFixed(1)} ms, warm ${warmMs.toFixed(1)} ms ` +
    `(goal under 100 ms: ${coldMs < 100 ? 'met' : 'NOT met'})`);

  // The language server: an edit (one constant changes) -> index + assemble the unit, warm.
  const lsp = lspFigures(2000, 15);
  if (!lsp) {
    console.log('  language server: FAILED (the generated file has diagnostics)');
    return false;
  }
  console.log(`  language server, edit -> diagnostics of a ${lsp.lines}-line file: median ${lsp.median.toFixed(1)} ms, fastest ${lsp.fastest.toFixed(1)} ms ` +
    `(goal under 50 ms: ${lsp.median < 50 ? 'met' : 'NOT met'})`);

  // Decode + format the code just assembled, start to end, repeatedly.
  const code = first.output;
  let count = 0;
  let bad = 0;
  const pass = () => {
    let pos = 0;
    let addr = 0n;
    while (pos < code.length) {
      const ins = decode(code, pos, code.length - pos, 64);
      formatInstr(ins, addr);
      if (ins.invalid) bad++;
      pos += ins.length;
      addr += BigInt(ins.length);
      count++;
    }
  };
  pass();
  const perPass = count;
  count = 0;
  const passes = 5;
  const ms = fastest(3, () => {
    for (let i = 0; i < passes; i++) pass();
  });
  const rate = (perPass * passes) / (ms / 1000);
  console.log(`  decode + format: ${(rate / 1e6).toFixed(2)} million instructions/s over ${perPass} instructions ` +
    `(goal at least 1 million/s: ${rate >= 1e6 ? 'met' : 'NOT met'})`);
  return true;
}
