// `kstack disasm`: objdump-style Intel-syntax disassembly of a flat binary, or of the executable
// sections of an ELF file (with its symbols naming branch targets), through the one instruction
// table (isa/decoder.ts, isa/format.ts).

import { readFileSync } from 'node:fs';
import { decode } from '../isa/decoder';
import { formatInstr } from '../isa/format';
import { isElf, parseElf, SHT_NOBITS, type ElfFile, type ElfSymbol } from '../emulator/boot/elf';

export const DISASM_USAGE = `usage: kstack disasm FILE [--bits 64|32|16] [--org ADDR] [--start OFF] [--length N]

Disassembles FILE (Intel syntax, objdump's spelling): a flat binary, or the executable sections of
an ELF file (its symbols name branch targets).
  --bits N      code size for a flat binary: 64 (default), 32 or 16 (ELF: from its class)
  --org ADDR    address of the first byte of a flat binary (default 0)
  --start OFF   start at file offset OFF (default 0)
  --length N    disassemble at most N bytes
  -h, --help    this text
Numbers may be decimal or 0x-prefixed hex. Bytes that are no instruction print (bad).`;

const SHF_EXECINSTR = 0x4n;
const STT_SECTION = 3;
const STT_FILE = 4;

interface DisasmArgs {
  file: string;
  bits?: 64 | 32 | 16;
  org: bigint;
  start: number;
  length?: number;
}

function parseNum(s: string): bigint | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s)) return undefined;
  return BigInt(s);
}

function parseArgs(args: readonly string[]): DisasmArgs | string | 'help' {
  let file: string | undefined;
  let bits: 64 | 32 | 16 | undefined;
  let org = 0n;
  let start = 0;
  let length: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (!a.startsWith('-') || a === '-') {
      if (file !== undefined) return `more than one input file ('${file}', '${a}')`;
      file = a;
      continue;
    }
    const m = /^(--[a-z]+)(?:=(.*))?$/.exec(a);
    if (!m || !['--bits', '--org', '--start', '--length'].includes(m[1]!)) return `unknown option '${a}'`;
    const name = m[1]!;
    let val = m[2];
    if (val === undefined) {
      if (i + 1 >= args.length) return `option ${name} needs a value`;
      val = args[++i]!;
    }
    const n = parseNum(val);
    if (n === undefined) return `option ${name}: '${val}' is not a number`;
    switch (name) {
      case '--bits':
        if (n !== 64n && n !== 32n && n !== 16n) return `option --bits: '${val}' is not 64, 32 or 16`;
        bits = Number(n) as 64 | 32 | 16;
        break;
      case '--org':
        if (n >= 1n << 64n) return `option --org: '${val}' is out of range`;
        org = n;
        break;
      case '--start':
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) return `option --start: '${val}' is out of range`;
        start = Number(n);
        break;
      case '--length':
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) return `option --length: '${val}' is out of range`;
        length = Number(n);
        break;
    }
  }
  if (file === undefined) return 'no input file';
  return { file, bits, org, start, length };
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/**
 * objdump's lines for bytes[from, to) placed at `base` (the address of bytes[from]): up to 7
 * bytes per row, longer instructions continue on the next row. `label` names the address that
 * starts a symbol (printed as a `<name>:` header).
 */
export function disassembleRange(
  bytes: Uint8Array, from: number, to: number, base: bigint, bits: 64 | 32 | 16,
  symbolize?: (addr: bigint) => string | undefined, label?: (addr: bigint) => string | undefined,
): string[] {
  const out: string[] = [];
  const addrMask = bits === 64 ? (1n << 64n) - 1n : (1n << 32n) - 1n;
  // objdump's address column: the full-width address with the leading zeros that the section's
  // end address has dropped in groups of four, remaining leading zeros shown as spaces.
  const digits = bits === 64 ? 16 : 8;
  const endText = ((base + BigInt(to - from)) & addrMask).toString(16).padStart(digits, '0');
  let skip = 0;
  while (skip < digits && endText[skip] === '0') skip++;
  if (skip === digits && base !== 0n) skip = 0;
  if (skip !== 0) skip = (skip - 1) & -4;
  const fmtAddr = (a: bigint) => {
    const t = (a & addrMask).toString(16).padStart(digits, '0').slice(skip);
    const z = /^0*/.exec(t)![0].length;
    return z === t.length ? ' '.repeat(t.length - 1) + '0' : ' '.repeat(z) + t.slice(z);
  };
  let pos = from;
  while (pos < to) {
    const addr = (base + BigInt(pos - from)) & addrMask;
    const name = label?.(addr);
    if (name) {
      if (out.length) out.push('');
      out.push(`${addr.toString(16).padStart(bits === 64 ? 16 : 8, '0')} <${name}>:`);
    }
    const ins = decode(bytes, pos, to - pos, bits);
    let len = ins.invalid || !ins.form ? 1 : ins.length;
    if (len < 1 || pos + len > to) len = 1;
    const text = ins.invalid || !ins.form ? '(bad)' : formatInstr(ins, addr, { symbolize });
    const hx = Array.from(bytes.subarray(pos, pos + len), hex2);
    out.push(`${fmtAddr(addr)}:\t${(hx.slice(0, 7).join(' ') + ' ').padEnd(21)}\t${text}`);
    for (let k = 7; k < hx.length; k += 7) {
      out.push(`${fmtAddr(addr + BigInt(k))}:\t${hx.slice(k, k + 7).join(' ')} `);
    }
    pos += len;
  }
  return out;
}

/** Symbol lookup for an ELF: `name` at its address, `name+0x10` inside it (objdump style). */
function elfSymbolizer(elf: ElfFile, sectionIndex: number, relocatable: boolean) {
  const syms = elf.symbols
    .filter((s: ElfSymbol) => s.name && s.type !== STT_SECTION && s.type !== STT_FILE && s.shndx !== 0 && s.shndx < 0xff00)
    .filter((s) => !relocatable || s.shndx === sectionIndex)
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : (b.bind - a.bind)));
  const exact = new Map<bigint, string>();
  for (const s of syms) if (!exact.has(s.value)) exact.set(s.value, s.name);
  const symbolize = (addr: bigint): string | undefined => {
    let best: ElfSymbol | undefined;
    let lo = 0, hi = syms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid]!.value <= addr) { best = syms[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    if (!best) return undefined;
    const name = exact.get(best.value)!;
    const off = addr - best.value;
    return off === 0n ? name : `${name}+0x${off.toString(16)}`;
  };
  return { symbolize, label: (addr: bigint) => exact.get(addr) };
}

function disasmElf(bytes: Uint8Array, elf: ElfFile, a: DisasmArgs): string[] {
  const bits: 64 | 32 = elf.header.class === 64 ? 64 : 32;
  const relocatable = elf.header.type === 1;
  const out: string[] = [];
  const lo = a.start;
  const hi = a.length === undefined ? bytes.length : Math.min(bytes.length, a.start + a.length);
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0n || s.type === SHT_NOBITS || s.size === 0n) continue;
    const off = Number(s.offset);
    const end = Math.min(bytes.length, off + Number(s.size));
    const from = Math.max(off, lo);
    const to = Math.min(end, hi);
    if (from >= to) continue;
    const { symbolize, label } = elfSymbolizer(elf, s.index, relocatable);
    out.push('', `Disassembly of section ${s.name}:`, '');
    out.push(...disassembleRange(bytes, from, to, s.addr + BigInt(from - off), a.bits ?? bits, symbolize, label));
  }
  return out;
}

export function runDisasm(args: readonly string[]): number {
  try {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      process.stdout.write(DISASM_USAGE + '\n');
      return 0;
    }
    if (typeof parsed === 'string') {
      process.stderr.write(`kstack disasm: ${parsed}\n(kstack disasm --help for usage)\n`);
      return 2;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(parsed.file);
    } catch (e) {
      process.stderr.write(`kstack disasm: cannot read '${parsed.file}': ${(e as Error).message}\n`);
      return 2;
    }
    let lines: string[];
    if (isElf(bytes)) {
      const elf = parseElf(bytes);
      if ('error' in elf) {
        process.stderr.write(`kstack disasm: ${parsed.file}: not a valid ELF file: ${elf.error}\n`);
        return 1;
      }
      lines = [`${parsed.file}:     file format ${elf.header.class === 64 ? 'elf64-x86-64' : 'elf32-i386'}`, ...disasmElf(bytes, elf, parsed)];
    } else {
      const from = Math.min(parsed.start, bytes.length);
      const to = parsed.length === undefined ? bytes.length : Math.min(bytes.length, from + parsed.length);
      lines = disassembleRange(bytes, from, to, parsed.org + BigInt(from), parsed.bits ?? 64);
    }
    process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
    return 0;
  } catch (e) {
    process.stderr.write(`kstack disasm: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
