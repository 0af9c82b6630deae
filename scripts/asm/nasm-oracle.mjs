// Runs nasm (-f bin, its default -Ox) on a batch of instruction lines and returns, for each line,
// its bytes or nasm's error, plus nasm's warnings. Used by encode-corpus.mjs and by hand:
//   node scripts/asm/nasm-oracle.mjs 64 file-with-lines
// Each line is assembled at its own address in one file; nasm stops at the first parse error and
// writes no listing when any line fails, so failing lines are blanked and the batch re-run until it
// assembles; the listing (-l) then gives each line's bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {16|32|64} bits
 * @param {string[]} lines instruction lines (no newlines)
 * @param {string} [header] extra lines before the instructions (after `bits N`)
 * @param {string} [format] nasm's output format (`bin`; `elf64`/`elf32` for lines with external symbols)
 * @returns {{ line: string, bytes?: string, raw?: string, reloc?: boolean, error?: string, warnings: string[] }[]}
 *   reloc: the bytes hold a field nasm relocates; raw: the listing's bytes with those fields in
 *   [absolute] or (relative) brackets
 */
export function runNasm(bits, lines, header = '', format = 'bin') {
  const dir = mkdtempSync(join(tmpdir(), 'kstack-nasm-'));
  try {
    const src = join(dir, 'a.asm');
    const lst = join(dir, 'a.lst');
    const bin = join(dir, 'a.bin');
    const pre = [`bits ${bits}`, ...(header ? header.split('\n') : [])];
    const first = pre.length + 1; // source line number of lines[0]
    const errors = new Map();
    const warnings = new Map();
    for (let round = 0; round < 50; round++) {
      const body = lines.map((l, i) => (errors.has(i) ? '' : l));
      writeFileSync(src, [...pre, ...body].join('\n') + '\n');
      const r = spawnSync('nasm', ['-f', format, '-l', lst, '-o', bin, src], { encoding: 'utf8' });
      if (r.error) throw r.error;
      const failed = r.status !== 0;
      const out = `${r.stderr ?? ''}${r.stdout ?? ''}`;
      let newErr = false;
      warnings.clear();
      const found = [...out.matchAll(/^[^\n:]*:(\d+): (error|warning|fatal): ([^\n]*)$/gm)];
      // nasm can crash on a line ("panic: file:line: assertion ... failed"): an error of that line.
      for (const m of out.matchAll(/^panic: [^\n:]*:(\d+): ([^\n]*)$/gm)) found.push([m[0], m[1], 'error', `nasm crashes: ${m[2]}`]);
      for (const m of found) {
        const i = +m[1] - first;
        if (i < 0 || i >= lines.length) {
          if (m[2] !== 'warning') throw new Error(`nasm: ${m[0]}`);
          continue;
        }
        if (m[2] === 'warning') {
          const w = warnings.get(i) ?? [];
          w.push(m[3].replace(/\s*\[-w\+[^\]]*\]$/, ''));
          warnings.set(i, w);
        } else if (!errors.has(i)) {
          errors.set(i, m[3]);
          newErr = true;
        }
      }
      if (failed && !newErr) throw new Error(`nasm failed without a line error:\n${out}`);
      if (failed) continue;
      const { bytes, addr } = parseListing(readFileSync(lst, 'utf8'), first, lines.length);
      const relocs = format === 'elf64' ? relocTypes(bin, addr) : new Map();
      return lines.map((line, i) => {
        const w = [...new Set(warnings.get(i) ?? [])];
        if (errors.has(i)) return { line, error: errors.get(i), warnings: w };
        const b = bytes[i] ?? '';
        return { line, bytes: b.replace(/[^0-9A-F]/g, ''), raw: b, reloc: /[[\]()]/.test(b), relocs: relocs.get(i) ?? [], warnings: w };
      });
    }
    throw new Error('nasm: too many rounds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The ELF64 relocation types of each line (objdump -r), as `<offset in the line>:<type without
 * R_X86_64_>`, from the object and the lines' start addresses.
 */
function relocTypes(obj, addr) {
  const out = new Map();
  const text = spawnSync('objdump', ['-r', obj], { encoding: 'utf8' }).stdout ?? '';
  const starts = addr.map((a, i) => [a, i]).filter(([a]) => a >= 0).sort((x, y) => x[0] - y[0]);
  for (const m of text.matchAll(/^([0-9a-f]{16}) R_X86_64_(\w+)/gm)) {
    const off = parseInt(m[1], 16);
    let line = -1;
    let start = 0;
    for (const [a, i] of starts) if (a <= off) [line, start] = [i, a];
    if (line < 0) continue;
    const list = out.get(line) ?? [];
    list.push(`${off - start}:${m[2]}`);
    out.set(line, list);
  }
  return out;
}

/** Collects the hex bytes and the address of each source line from a nasm listing. */
function parseListing(text, first, count) {
  const out = new Array(count).fill('');
  const addr = new Array(count).fill(-1);
  for (const l of text.split('\n')) {
    // "    12 0000001F 48B800000000010000-     mov rax, ..." and continuation "    12 00000028 00"
    // Fields nasm would relocate are bracketed ([...] absolute, (...) relative).
    const m = l.match(/^\s*(\d+) ([0-9A-F]{8}) ([0-9A-F[\]()]+)-?(?:\s|$)/);
    if (!m) continue;
    const i = +m[1] - first;
    if (i < 0 || i >= count) continue;
    if (addr[i] < 0) addr[i] = parseInt(m[2], 16);
    out[i] += m[3];
  }
  return { bytes: out, addr };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bits = +process.argv[2];
  const lines = readFileSync(process.argv[3], 'utf8').split('\n').filter((l) => l.trim());
  for (const r of runNasm(bits, lines)) console.log(`${r.line.padEnd(40)} | ${r.error ? 'error: ' + r.error : r.bytes}${r.warnings.length ? '   ; ' + r.warnings.join('; ') : ''}`);
}
