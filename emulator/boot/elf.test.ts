// ELF parsing: the committed fixtures (test/fixtures/boot, built by scripts/boot/build-fixtures.sh),
// cross-checked with readelf where it is installed; malformed files give errors naming the field
// and offset; random mutations never throw.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bootSymbols, findSymbol, parseElf, PT_LOAD, SHT_NULL, type ElfFile } from './elf';
import { planBoot } from './detect';
import { mutate, rng, setU16, setU32, setU64 } from './testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = join(root, 'test/fixtures/boot');
const read = (rel: string) => new Uint8Array(readFileSync(join(fx, rel)));

function ok(r: ElfFile | { error: string }): ElfFile {
  if ('error' in r) throw new Error(r.error);
  return r;
}

const elfFixtures = [
  ...readdirSync(join(fx, 'elf')).filter((f) => /\.(elf|so)$/.test(f)).map((f) => `elf/${f}`),
  ...readdirSync(join(fx, 'probe')).filter((f) => f.endsWith('.elf')).map((f) => `probe/${f}`),
].sort();

describe('parseElf on real files', () => {
  it('ELF64 kernel (nasm + ld): header, segments, sections, typed and sized symbols', () => {
    const e = ok(parseElf(read('elf/long64.elf')));
    expect(e.header).toMatchObject({ class: 64, type: 2, machine: 62, entry: 0x200000n, phentsize: 56, shentsize: 64 });
    const loads = e.programHeaders.filter((p) => p.type === PT_LOAD);
    expect(loads.map((p) => [p.paddr, p.filesz, p.memsz])).toEqual([
      [0x200000n, 0x7dn, 0x7dn],
      [0x201000n, 0x58n, 0x1060n],
    ]);
    expect(e.sections.map((s) => s.name)).toEqual(['', '.text', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
    expect(e.warnings).toEqual([]);
    const syms = bootSymbols(e);
    expect(syms.find((s) => s.name === '_start')).toEqual({ name: '_start', value: 0x200000n, size: 117n, type: 'func', bind: 'global', section: '.text' });
    expect(syms.find((s) => s.name === 'result')).toEqual({ name: 'result', value: 0x201008n, size: 80n, type: 'object', bind: 'global', section: '.data' });
    expect(syms.find((s) => s.name === 'bss_word')?.section).toBe('.bss');
    expect(syms.find((s) => s.name === 'sum_to.l')).toMatchObject({ type: 'notype', bind: 'local' });
    // file symbols are left out; the list is sorted by address
    expect(syms.some((s) => s.name === 'long64.asm')).toBe(false);
    expect(syms.map((s) => s.value)).toEqual([...syms.map((s) => s.value)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('ELF32 multiboot kernel: absolute and linker-script symbols', () => {
    const e = ok(parseElf(read('probe/probe.elf')));
    expect(e.header).toMatchObject({ class: 32, machine: 3, entry: 0x100010n, phentsize: 32, shentsize: 40 });
    expect(findSymbol(e, '__kernel_end')).toBe(0x101e40n);
    const syms = bootSymbols(e);
    expect(syms.find((s) => s.name === 'MB_MAGIC')).toMatchObject({ value: 0x1badb002n, section: '*ABS*' });
    expect(syms.find((s) => s.name === 'puthex')).toMatchObject({ section: '.text', bind: 'local' });
  });

  it('higher-half ELF64: virtual and physical addresses differ', () => {
    const e = ok(parseElf(read('elf/long64-higher.elf')));
    expect(e.header.entry).toBe(0xffffffff80200000n);
    const loads = e.programHeaders.filter((p) => p.type === PT_LOAD);
    expect(loads.map((p) => [p.vaddr, p.paddr])).toEqual([
      [0xffffffff80200000n, 0x200000n],
      [0xffffffff80201000n, 0x201000n],
    ]);
  });

  it('shared object: .symtab preferred, .dynsym when there is no .symtab', () => {
    const bytes = read('elf/dyn64.so');
    const e = ok(parseElf(bytes));
    expect(e.header.type).toBe(3);
    expect(e.symbols.filter((s) => s.table === '.dynsym').map((s) => s.name).sort()).toEqual(['_start', 'exported_data', 'exported_fn']);
    expect(bootSymbols(e).find((s) => s.name === 'exported_fn')).toMatchObject({ value: 0x1006n, size: 6n, type: 'func' });
    // hide .symtab (sh_type = SHT_NULL): the symbols come from .dynsym
    const symtab = e.sections.find((s) => s.name === '.symtab')!;
    const copy = bytes.slice();
    setU32(copy, symtab.at + 4, SHT_NULL);
    const d = ok(parseElf(copy));
    const syms = bootSymbols(d);
    expect(syms.map((s) => s.name).sort()).toEqual(['_start', 'exported_data', 'exported_fn']);
    expect(syms.find((s) => s.name === 'exported_data')).toMatchObject({ type: 'object', section: '.data' });
  });

  it('C kernels (gcc): ELF64 and ELF32 with local objects', () => {
    const c64 = ok(parseElf(read('elf/c64.elf')));
    expect(bootSymbols(c64).map((s) => [s.name, s.type, s.bind])).toEqual([
      ['_start', 'func', 'global'],
      ['counter', 'object', 'global'],
      ['table', 'object', 'local'],
    ]);
    const c32 = ok(parseElf(read('elf/c32mb.elf')));
    expect(c32.header.class).toBe(32);
    expect(findSymbol(c32, 'boot_magic')).not.toBeNull();
  });

  const readelf = spawnSync('sh', ['-c', 'command -v readelf']).status === 0;
  if (!readelf && process.env.CI === 'true') it('readelf is installed (CI)', () => expect.fail('readelf (binutils) is missing'));
  it.skipIf(!readelf).each(elfFixtures)('%s: program headers and symbols as readelf reads them', (rel) => {
    const e = ok(parseElf(read(rel)));
    const ph = spawnSync('readelf', ['-lW', join(fx, rel)], { encoding: 'utf8' }).stdout;
    const loads = [...ph.matchAll(/^\s+LOAD\s+(0x\w+)\s+(0x\w+)\s+(0x\w+)\s+(0x\w+)\s+(0x\w+)/gm)].map((m) =>
      m.slice(1, 6).map((x) => BigInt(x!)),
    );
    expect(e.programHeaders.filter((p) => p.type === PT_LOAD).map((p) => [p.offset, p.vaddr, p.paddr, p.filesz, p.memsz])).toEqual(loads);
    const sy = spawnSync('readelf', ['-sW', join(fx, rel)], { encoding: 'utf8' }).stdout;
    const theirs: string[] = [];
    let table = '';
    for (const line of sy.split('\n')) {
      const t = /^Symbol table '(\.\w+)'/.exec(line);
      if (t) table = t[1]!;
      const m = /^\s+(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s*(\S*)/.exec(line);
      if (m && m[1] !== '0') theirs.push(`${table} ${BigInt('0x' + m[2])} ${BigInt(m[3]!)} ${m[4]} ${m[5]} ${m[6]} ${m[7]}`);
    }
    const types = ['NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE', 'COMMON', 'TLS'];
    const binds = ['LOCAL', 'GLOBAL', 'WEAK'];
    const ndx = (n: number) => (n === 0 ? 'UND' : n === 0xfff1 ? 'ABS' : n === 0xfff2 ? 'COM' : String(n));
    const ours = e.symbols.map((s) => `${s.table} ${s.value} ${s.size} ${types[s.type]} ${binds[s.bind]} ${ndx(s.shndx)} ${s.name}`);
    expect(ours).toEqual(theirs);
  });
});

describe('parseElf on malformed files: the error names the field and its offset', () => {
  const good64 = read('elf/long64.elf');
  const good32 = read('probe/probe.elf');
  const size64 = `0x${good64.length.toString(16)}`;
  const err = (b: Uint8Array) => {
    const r = parseElf(b);
    if (!('error' in r)) throw new Error('expected an error');
    return r.error;
  };
  const edit = (src: Uint8Array, f: (b: Uint8Array) => void) => {
    const b = src.slice();
    f(b);
    return b;
  };

  it('identification', () => {
    expect(err(new Uint8Array([1, 2, 3, 4]))).toMatch(/^e_ident\[EI_MAG0\.\.3\] at offset 0x0: not the ELF magic/);
    expect(err(good64.slice(0, 10))).toBe('e_ident at offset 0x0: the file ends after 10 bytes, the identification needs 16');
    expect(err(edit(good64, (b) => (b[4] = 3)))).toBe('EI_CLASS at offset 0x4 is 3: expected 1 (ELF32) or 2 (ELF64)');
    expect(err(edit(good64, (b) => (b[5] = 2)))).toBe('EI_DATA at offset 0x5 is 2 (big-endian): x86 ELF files are little-endian (1)');
    expect(err(edit(good64, (b) => (b[6] = 0)))).toBe('EI_VERSION at offset 0x6 is 0: expected 1');
  });

  it('ELF header', () => {
    expect(err(good64.slice(0, 40))).toBe('ELF header at offset 0x0: the file ends after 40 bytes, an ELF64 header needs 64');
    expect(err(good32.slice(0, 51))).toBe('ELF header at offset 0x0: the file ends after 51 bytes, an ELF32 header needs 52');
    expect(err(edit(good64, (b) => setU32(b, 20, 2)))).toBe('e_version at offset 0x14 is 2: expected 1');
    expect(err(edit(good64, (b) => setU16(b, 52, 32)))).toBe('e_ehsize at offset 0x34 is 32: an ELF64 header is 64 bytes');
  });

  it('program header table', () => {
    expect(err(edit(good64, (b) => setU16(b, 54, 8)))).toBe('e_phentsize at offset 0x36 is 8: an ELF64 program header is 56 bytes');
    expect(err(edit(good32, (b) => setU16(b, 42, 31)))).toBe('e_phentsize at offset 0x2a is 31: an ELF32 program header is 32 bytes');
    expect(err(edit(good64, (b) => setU64(b, 32, 0xfffffffffff0n)))).toBe(
      `e_phoff at offset 0x20 is 0xfffffffffff0: the program header table (2 x 56 bytes) ends beyond the end of the file (${size64} bytes)`,
    );
    expect(err(edit(good32, (b) => setU16(b, 44, 1000)))).toMatch(/^e_phoff at offset 0x1c is 0x34: the program header table \(1000 x 32 bytes\) ends beyond/);
    expect(err(good64.slice(0, 100))).toMatch(/^e_phoff at offset 0x20 is 0x40: the program header table \(2 x 56 bytes\) ends beyond the end of the file \(0x64 bytes\)/);
  });

  it('section headers and symbol tables: warnings, the program headers still parse', () => {
    const noSh = ok(parseElf(edit(good64, (b) => setU64(b, 40, 0x7fffffffn))));
    expect(noSh.programHeaders.length).toBe(2);
    expect(noSh.sections).toEqual([]);
    expect(noSh.warnings).toEqual([
      `e_shoff at offset 0x28 is 0x7fffffff: the section header table (7 x 64 bytes) ends beyond the end of the file (${size64} bytes); sections and symbols ignored`,
    ]);
    const e = ok(parseElf(good64));
    const symtab = e.sections.find((s) => s.name === '.symtab')!;
    const badLink = ok(parseElf(edit(good64, (b) => setU32(b, symtab.at + 40, 1))));
    expect(badLink.symbols).toEqual([]);
    expect(badLink.warnings).toEqual([
      `sh_link of .symtab (section 4, header at ${'0x' + symtab.at.toString(16)}) is 1: section 1 is not a string table (sh_type 1); symbols ignored`,
    ]);
    const badStr = ok(parseElf(edit(good64, (b) => setU16(b, 62, 99))));
    expect(badStr.warnings[0]).toBe('e_shstrndx at offset 0x3e is 99, but there are 7 sections: section names unknown');
    const badEnt = ok(parseElf(edit(good64, (b) => setU64(b, symtab.at + 56, 7n))));
    expect(badEnt.warnings[0]).toMatch(/^sh_entsize of \.symtab \(section 4, header at 0x\w+\) is 0x7: a symbol is 24 bytes; symbols ignored$/);
    const truncated = ok(parseElf(good64.slice(0, Number(symtab.offset) + 30)));
    expect(truncated.programHeaders.length).toBe(2);
    expect(truncated.warnings[0]).toMatch(/^e_shoff at offset 0x28 is 0x\w+: the section header table/);
    // a symbol name outside the string table
    const name = ok(parseElf(edit(good64, (b) => setU32(b, Number(symtab.offset) + 24 * 6, 0xffffff))));
    expect(name.warnings).toEqual([
      `st_name of symbol 6 in .symtab (section 4, header at 0x${symtab.at.toString(16)}) (at 0x${(Number(symtab.offset) + 144).toString(16)}) is 0xffffff: outside its string table`,
    ]);
    expect(name.symbols.length).toBe(e.symbols.length);
  });
});

describe('fuzzing: mutated ELF files never throw', () => {
  const seeds = ['elf/long64.elf', 'elf/long64-higher.elf', 'elf/c64.elf', 'elf/c32mb.elf', 'elf/dyn64.so', 'probe/probe.elf', 'probe/probe64.elf', 'probe/higher.elf'];
  it.each(seeds)('%s: 1500 mutations -> a plan or an error', (rel) => {
    const src = read(rel);
    const base = ok(parseElf(src));
    const hot = [0, Number(base.header.phoff), Number(base.header.shoff), ...base.sections.map((s) => Number(s.offset)), ...base.sections.map((s) => s.at)];
    const next = rng(rel.length * 7919);
    let errors = 0;
    let plans = 0;
    for (let i = 0; i < 1500; i++) {
      const b = mutate(src, next, hot);
      const p = parseElf(b);
      if ('error' in p) {
        expect(typeof p.error).toBe('string');
        errors++;
      } else {
        expect(Array.isArray(p.symbols)).toBe(true);
        bootSymbols(p);
      }
      const plan = planBoot(b, { memoryBytes: 64 << 20, kernelName: 'k', append: 'x' });
      if ('error' in plan) expect(plan.error.length).toBeGreaterThan(0);
      else {
        plans++;
        for (const w of plan.writes) expect(w.addr + w.bytes.length).toBeLessThanOrEqual(64 << 20);
        for (const z of plan.zero) expect(z.addr + z.size).toBeLessThanOrEqual(64 << 20);
        expect(typeof plan.entry).toBe('bigint');
      }
    }
    expect(errors).toBeGreaterThan(0);
    expect(plans).toBeGreaterThan(0);
  });
});
