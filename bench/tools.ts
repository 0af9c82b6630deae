// Figures for the tool chain: assembling a 10,000-line NASM file (goal: under 100 ms) and decoding +
// formatting instructions (goal: at least 1 million per second). Each figure is the fastest of
// several runs, in wall-clock time; the output of both is checked before anything is timed.

import { assemble } from '../asm/assembler';
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
  console.log('\ntools: the assembler and the disassembler');
  const text = generatedSource(10_000);
  const lineCount = text.split('\n').length - 1;
  const src = { path: 'bench.asm', text };
  const opts = { format: 'bin' as const, host: memoryHost({}) };
  const first = assemble(src, opts);
  if (!first.ok || !first.output) {
    console.log(`  assembler: FAILED on the generated file: ${first.diagnostics[0]?.message ?? 'no output'}`);
    return false;
  }
  const asmMs = fastest(5, () => assemble(src, opts));
  console.log(`  assemble ${lineCount} lines (${first.output.length} bytes): ${asmMs.toFixed(1)} ms ` +
    `(goal under 100 ms: ${asmMs < 100 ? 'met' : 'NOT met'})`);

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
