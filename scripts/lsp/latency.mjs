// Diagnostics latency of the language server's analysis layer for a generated 2,000-line file:
// bundles language-server/analysis.ts with esbuild, then times Project.assembleUnit (the work done
// on each keystroke after the debounce) and the re-index, warm, over several edits.
// Usage: node scripts/lsp/latency.mjs [lines]   (prints the figures; no pass/fail)
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'kstack-lsp-'));
const out = join(dir, 'analysis.cjs');
await build({ entryPoints: [join(root, 'language-server/analysis.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
const { createRequire } = await import('node:module');
const { memoryProject } = createRequire(import.meta.url)(out);

const want = Number(process.argv[2] ?? 2000);
function generate(n, salt) {
  const lines = ['bits 64', 'org 0x100000', '%define SCALE 4', 'PORT equ 0x3f8', '%macro out_byte 2', '    mov dx, %1', '    mov al, %2', '    out dx, al', '%endmacro', 'section .text'];
  let f = 0;
  while (lines.length < n - 4) {
    lines.push(`func${f}:`);
    lines.push(`    push rbp`, `    mov rbp, rsp`, `    mov rax, [rbp + 16]`, `    add rax, ${f + salt} * SCALE`);
    lines.push(`.loop:`, `    dec rax`, `    jnz .loop`, `    cmp rax, func${f}`, `    out_byte PORT, 'x'`, `    lea rsi, [rel data${f}]`, `    pop rbp`, `    ret`);
    lines.push(`data${f}: dq ${f}, func${f}`);
    f++;
  }
  while (lines.length < n) lines.push('    nop');
  return lines.join('\n') + '\n';
}

const text = generate(want, 0);
const files = { 'bench/big.asm': text };
const project = memoryProject(files);
const runs = Number(process.env.RUNS ?? 30);
const total = [];
const asmOnly = [];
const indexOnly = [];
for (let i = 0; i < runs; i++) {
  files['bench/big.asm'] = generate(want, i); // an edit: one constant changes
  const t0 = performance.now();
  project.index('bench/big.asm');
  const t1 = performance.now();
  const r = project.assembleUnit('bench/big.asm');
  const t2 = performance.now();
  if (r.diagnostics.length) console.log('diagnostics:', r.diagnostics.slice(0, 3));
  total.push(t2 - t0);
  indexOnly.push(t1 - t0);
  asmOnly.push(t2 - t1);
}
const stats = (xs) => {
  const w = xs.slice(3).sort((a, b) => a - b);
  return `median ${w[Math.floor(w.length / 2)].toFixed(1)} ms, min ${w[0].toFixed(1)} ms, max ${w[w.length - 1].toFixed(1)} ms`;
};
const { loadavg, cpus } = await import('node:os');
console.log(`lines: ${text.split('\n').length - 1}; ${runs} edits; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
console.log(`first run (cold): ${total[0].toFixed(1)} ms`);
console.log(`edit -> diagnostics (index + assemble), warm: ${stats(total)}`);
console.log(`  assemble only: ${stats(asmOnly)}`);
console.log(`  index only:    ${stats(indexOnly)}`);
rmSync(dir, { recursive: true, force: true });
