// `kstack asm`: the NASM-syntax assembler (asm/) on the command line, with nasm's options for what
// it supports: -f bin|elf64|elf32, -o OUT, -l LISTING, -i/-I DIR (also attached: -IDIR),
// -d/-D NAME[=VALUE]. Diagnostics go to stderr as `file:line:col: severity: message`; on errors
// no output file is written (an existing one is left as it was).

import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { assemble, type OutputFormat } from '../asm/assembler';
import { formatDiagnostic } from '../asm/diagnostics';
import { createHost } from '../asm/host';

export const ASM_USAGE = `usage: kstack asm -f bin|elf64|elf32 [-o OUT] [-l LISTING] [-I DIR]... [-D NAME[=VALUE]]... FILE

Assembles FILE (NASM syntax) like nasm:
  -f FORMAT     bin (flat binary, the default), elf64 or elf32 (relocatable object)
  -o OUT        output file (default: FILE without its extension for bin, or nasm.out when
                FILE has none; FILE.o for elf)
  -l LISTING    write a listing file
  -I DIR, -i DIR, -IDIR
                add an include directory for %include and incbin
  -D NAME[=VALUE], -d NAME[=VALUE], -DNAME[=VALUE]
                define a single-line macro
  -h, --help    this text
Exit status: 0 on success, 1 on assembly errors (no output written), 2 on usage errors.`;

const FORMATS = new Set(['bin', 'elf64', 'elf32']);

interface AsmArgs {
  format: OutputFormat;
  out?: string;
  listing?: string;
  includeDirs: string[];
  defines: Record<string, string>;
  file: string;
}

function usageError(msg: string): number {
  process.stderr.write(`kstack asm: ${msg}\n(kstack asm --help for usage)\n`);
  return 2;
}

function parseArgs(args: readonly string[]): AsmArgs | string | 'help' {
  let format: string | undefined;
  let out: string | undefined;
  let listing: string | undefined;
  const includeDirs: string[] = [];
  const defines: Record<string, string> = {};
  let file: string | undefined;
  let onlyFiles = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (onlyFiles || a === '-' || !a.startsWith('-')) {
      if (file !== undefined) return `more than one input file ('${file}', '${a}')`;
      file = a;
      continue;
    }
    if (a === '--') { onlyFiles = true; continue; }
    if (a === '-h' || a === '--help') return 'help';
    const opt = a.slice(0, 2);
    if (['-f', '-o', '-l', '-i', '-I', '-d', '-D'].includes(opt)) {
      let val: string | undefined = a.length > 2 ? a.slice(2) : undefined;
      if (val === undefined) {
        if (i + 1 >= args.length) return `option ${opt} needs a value`;
        val = args[++i]!;
      }
      switch (opt) {
        case '-f':
          if (!FORMATS.has(val)) return `unknown output format '${val}' (bin, elf64 or elf32)`;
          format = val;
          break;
        case '-o': out = val; break;
        case '-l': listing = val; break;
        case '-i': case '-I': includeDirs.push(val); break;
        case '-d': case '-D': {
          const eq = val.indexOf('=');
          const name = eq < 0 ? val : val.slice(0, eq);
          if (!/^[A-Za-z_.?$][A-Za-z0-9_.?$#@~]*$/.test(name)) return `invalid macro name in '${opt}${val}'`;
          defines[name] = eq < 0 ? '' : val.slice(eq + 1);
          break;
        }
      }
      continue;
    }
    return `unknown option '${a}'`;
  }
  if (file === undefined) return 'no input file';
  return { format: (format ?? 'bin') as OutputFormat, out, listing, includeDirs, defines, file };
}

function defaultOut(file: string, format: OutputFormat): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dot = file.lastIndexOf('.');
  const base = dot > slash + 1 ? file.slice(0, dot) : file;
  if (format === 'bin') {
    if (base !== file) return base;
    process.stderr.write(`${file}: warning: default output file same as input, using 'nasm.out' for output\n`);
    return 'nasm.out';
  }
  return base + '.o';
}

/** Writes through a temp file and a rename, so a failed write never leaves a truncated file. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  let special = false;
  try { special = existsSync(path) && !statSync(path).isFile(); } catch { /* write normally */ }
  if (special) { writeFileSync(path, data); return; } // /dev/stdout, a FIFO
  const tmp = `${path}.kstack-tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try { if (existsSync(tmp)) unlinkSync(tmp); } catch { /* ignore */ }
    throw e;
  }
}

function readHostFile(p: string): Uint8Array | undefined {
  try {
    if (!existsSync(p) || !statSync(p).isFile()) return undefined;
    return readFileSync(p);
  } catch {
    return undefined;
  }
}

export function runAsm(args: readonly string[]): number {
  try {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      process.stdout.write(ASM_USAGE + '\n');
      return 0;
    }
    if (typeof parsed === 'string') return usageError(parsed);
    const { file, format } = parsed;
    const bytes = readHostFile(file);
    if (bytes === undefined) return usageError(`cannot read input file '${file}'`);
    const text = new TextDecoder('utf-8').decode(bytes);
    const res = assemble({ path: file, text }, {
      format,
      host: createHost(readHostFile),
      includeDirs: parsed.includeDirs,
      defines: parsed.defines,
      listing: parsed.listing !== undefined,
    });
    for (const d of res.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    const hasError = res.diagnostics.some((d) => d.severity === 'error');
    if (!res.ok || hasError || !res.output) {
      if (!hasError) process.stderr.write(`${file}: error: assembly failed\n`);
      return 1;
    }
    const out = parsed.out ?? defaultOut(file, format);
    try {
      writeAtomic(out, res.output);
    } catch (e) {
      process.stderr.write(`kstack asm: cannot write '${out}': ${(e as Error).message}\n`);
      return 1;
    }
    if (parsed.listing !== undefined) {
      try {
        writeAtomic(parsed.listing, res.listing ?? '');
      } catch (e) {
        process.stderr.write(`kstack asm: cannot write listing '${parsed.listing}': ${(e as Error).message}\n`);
        return 1;
      }
    }
    return 0;
  } catch (e) {
    process.stderr.write(`kstack asm: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
