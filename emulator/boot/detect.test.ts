// planBoot: which loader for which file, the format option, option checks, and the test kernels
// (test/kernels, built with their build.sh when nasm and ld are installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planBoot } from './detect';
import { isBootError, type BootPlan, type BootResult } from './plan';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = join(root, 'test/fixtures/boot');
const read = (rel: string) => new Uint8Array(readFileSync(join(fx, rel)));
const MiB = 1 << 20;
const m64 = { memoryBytes: 64 * MiB };

function plan(r: BootResult): BootPlan {
  if (isBootError(r)) throw new Error(r.error);
  return r;
}
function error(r: BootResult): string {
  if (!isBootError(r)) throw new Error(`expected an error, got a ${r.kind} plan`);
  return r.error;
}

describe('planBoot: format auto', () => {
  it('a valid multiboot header boots as multiboot (ELF32, ELF64, a.out kludge, C)', () => {
    for (const f of ['probe/probe.elf', 'probe/probe64.elf', 'probe/probe-aout.bin', 'elf/c32mb.elf'])
      expect(plan(planBoot(read(f), m64)), f).toMatchObject({ kind: 'multiboot', mode: 'protected32' });
  });

  it('an ELF64 without a multiboot header boots directly in 64-bit mode', () => {
    const p = plan(planBoot(read('elf/long64.elf'), m64));
    expect(p).toMatchObject({ kind: 'elf64', mode: 'long64', entry: 0x200000n, warnings: [] });
    expect(plan(planBoot(read('elf/c64.elf'), m64))).toMatchObject({ kind: 'elf64', entry: 0x100000n });
  });

  it('refuses an ELF32 without a multiboot header, and files that are neither', () => {
    expect(error(planBoot(read('elf/elf32-nomb.elf'), m64))).toBe(
      'an ELF32 file without a multiboot header: KStack boots 32-bit kernels through Multiboot 1 only (add a multiboot header in the first 8 KiB), or link the kernel as ELF64 to enter it directly in 64-bit mode',
    );
    expect(error(planBoot(read('elf/flat64.bin'), m64))).toBe(
      'not a bootable kernel: no multiboot header in the first 8 KiB and not an ELF file; use --boot flat to run it as a flat binary',
    );
    const bz = new Uint8Array(0x1000);
    bz.set([0x48, 0x64, 0x72, 0x53], 0x202);
    expect(error(planBoot(bz, m64))).toMatch(/^not a bootable kernel: a Linux bzImage/);
    expect(error(planBoot(new Uint8Array(0), m64))).toBe('the file is empty');
    expect(error(planBoot(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), m64))).toBe(
      'bad ELF file: e_ident at offset 0x0: the file ends after 7 bytes, the identification needs 16',
    );
  });

  it('checks the memory size', () => {
    expect(error(planBoot(read('elf/long64.elf'), { memoryBytes: 1000 }))).toBe('memory size 1000 is not a positive multiple of 4 KiB');
    expect(error(planBoot(read('elf/long64.elf'), { memoryBytes: 0x80000 }))).toBe('memory size 0x80000 is below 1 MiB');
    expect(error(planBoot(read('elf/long64.elf'), { memoryBytes: 2 * MiB }))).toBe(
      'program header 0 (at file offset 0x40): p_paddr 0x200000 + p_memsz 0x7d ends beyond the usable RAM (0x1f9000: 2 MiB less the 28 KiB at the top that hold the GDT, TSS and page tables of the 64-bit entry state); give the machine more memory',
    );
  });

  it('the command line: "NAME APPEND" from kernelName, or given whole', () => {
    const line = (o: object) => {
      const p = plan(planBoot(read('probe/probe.elf'), { ...m64, ...o }));
      const b = p.writes.find((w) => w.what.startsWith('multiboot module list'))!;
      const at = p.multiboot!.cmdlineAddr - b.addr;
      return new TextDecoder().decode(b.bytes.subarray(at, b.bytes.indexOf(0, at)));
    };
    expect(line({ kernelName: 'build/k.elf' })).toBe('build/k.elf ');
    expect(line({ kernelName: 'k.elf', append: 'console=ttyS0' })).toBe('k.elf console=ttyS0');
    expect(line({ cmdline: 'exactly this', kernelName: 'ignored' })).toBe('exactly this');
    expect(line({})).toBe('');
  });
});

describe('planBoot: format given', () => {
  it('flat: any file, at 0x100000 or the given address, with a note when it has a header', () => {
    expect(plan(planBoot(read('elf/flat64.bin'), { ...m64, format: 'flat' }))).toMatchObject({ kind: 'flat', entry: 0x100000n, warnings: [] });
    expect(plan(planBoot(read('elf/flat64.bin'), { ...m64, format: 'flat', flatLoadAddress: 0x400000 })).entry).toBe(0x400000n);
    expect(plan(planBoot(read('probe/probe.elf'), { ...m64, format: 'flat' })).warnings).toEqual([
      'the file has a multiboot header (offset 0x1000) but runs as a flat binary, as asked',
    ]);
    expect(plan(planBoot(read('elf/long64.elf'), { ...m64, format: 'flat' })).warnings).toEqual([
      'the file is ELF but runs as a flat binary, as asked: the ELF headers are loaded too',
    ]);
    expect(error(planBoot(read('elf/flat64.bin'), { ...m64, format: 'flat', flatLoadAddress: 64 * MiB - 0x7000 }))).toMatch(
      /^the flat binary \(0x3ff9000-0x3ff9028\) ends beyond the usable RAM/,
    );
  });

  it('elf64: an ELF64 multiboot kernel entered in 64-bit mode; ELF32 refused', () => {
    const p = plan(planBoot(read('probe/probe64.elf'), { ...m64, format: 'elf64' }));
    expect(p).toMatchObject({ kind: 'elf64', entry: 0x100010n });
    expect(p.warnings).toEqual(['the multiboot header (offset 0x1000) is ignored: entered directly in 64-bit mode, as asked']);
    expect(error(planBoot(read('probe/probe.elf'), { ...m64, format: 'elf64' }))).toMatch(/^an ELF32 file cannot be entered directly in 64-bit mode/);
    expect(error(planBoot(read('elf/flat64.bin'), { ...m64, format: 'elf64' }))).toBe('not an ELF file (--boot elf64)');
  });

  it('multiboot: needs the header', () => {
    expect(error(planBoot(read('elf/long64.elf'), { ...m64, format: 'multiboot' }))).toBe('no valid multiboot header in the first 8 KiB');
  });

  it('what a direct 64-bit boot cannot pass on is a warning', () => {
    const p = plan(planBoot(read('elf/long64.elf'), { ...m64, kernelName: 'k', append: 'x', modules: [{ name: 'm', bytes: new Uint8Array(1) }] }));
    expect(p.warnings).toEqual([
      'the command line is not passed to a kernel entered directly in 64-bit mode',
      'the module is not loaded for a kernel entered directly in 64-bit mode',
    ]);
    // the file name alone (no --append) is no reason to warn
    expect(plan(planBoot(read('elf/long64.elf'), { ...m64, kernelName: 'k' })).warnings).toEqual([]);
  });
});

describe('planBoot: ELF64 details', () => {
  it('higher-half: entered at the physical address of its virtual entry point, with warnings', () => {
    const p = plan(planBoot(read('elf/long64-higher.elf'), m64));
    expect(p.entry).toBe(0x200000n);
    expect(p.writes.map((w) => [w.addr, w.bytes.length])).toEqual([
      [0x200000, 0x7d],
      [0x201000, 0x58],
    ]);
    expect(p.warnings).toEqual([
      'segments 0 (linked at 0xffffffff80200000, loaded at 0x200000), 1 (linked at 0xffffffff80201000, loaded at 0x201000): the initial page tables map only linear = physical below 4 GiB, so the kernel must map them itself before using those addresses',
      'the entry point 0xffffffff80200000 is a virtual address: entered at its physical address 0x200000',
    ]);
    expect(p.symbols.find((s) => s.name === 'result')?.value).toBe(0xffffffff80201008n);
  });

  it('e_entry 0: enters at _start; a stack close above the image is a warning', () => {
    const b = read('elf/long64.elf');
    b.fill(0, 24, 32); // e_entry
    const p = plan(planBoot(b, m64));
    expect(p.entry).toBe(0x200000n);
    expect(p.warnings).toEqual(['e_entry is 0: entering at the symbol _start (0x200000)']);
    expect(plan(planBoot(read('elf/dyn64.so'), m64)).warnings).toEqual([
      'the kernel is position-independent (ET_DYN): loaded at its link addresses, not relocated',
    ]);
    const tight = plan(planBoot(read('elf/long64.elf'), { memoryBytes: 0x210000 }));
    expect(tight.warnings).toEqual([
      'the image ends at 0x202060, less than 64 KiB below the initial stack pointer 0x209000: the stack will grow into it',
    ]);
  });

  it('the 64-bit entry state described in the plan', () => {
    const p = plan(planBoot(read('elf/long64.elf'), m64));
    expect(p.regs).toEqual({ rsp: BigInt(64 * MiB - 0x7000), rflags: 2n });
    expect(p.segments.cs).toEqual({ selector: 8, base: 0, limit: 0xffffffff, attributes: 0xa09b });
    expect(p.segments.ss.selector).toBe(0x10);
    expect(p.gdt).toEqual({ base: 64 * MiB - 0x7000, limit: 0x27 });
    expect(p.control).toEqual({ cr0: 0x80010033n, cr3: BigInt(64 * MiB - 0x6000), cr4: 0x6a0n, efer: 0xd01n });
    expect(p.zero).toEqual([{ addr: 0x201058, size: 0x1008, what: 'segment 1 (zero-filled)' }]);
  });
});

// ---- the test kernels ---------------------------------------------------------------------------
const tools = ['nasm', 'ld'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
describe('the test kernels (test/kernels)', () => {
  if (!tools && process.env.CI === 'true') it('nasm and ld are installed (CI)', () => expect.fail('nasm or ld is missing'));
  const names = readdirSync(join(root, 'test/kernels')).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();
  let out = '';
  const build = () => {
    if (out) return out;
    out = mkdtempSync(join(tmpdir(), 'kstack-kernels-'));
    const r = spawnSync('bash', [join(root, 'test/kernels/build.sh'), out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`test/kernels/build.sh failed: ${r.stderr}`);
    return out;
  };
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });
  it.skipIf(!tools).each(names)('%s: multiboot ELF32 at 1 MiB, entered at _start with the QEMU state', (name) => {
    const bytes = new Uint8Array(readFileSync(join(build(), `${name}.elf`)));
    const p = plan(planBoot(bytes, { memoryBytes: 128 * MiB, kernelName: `${name}.elf` }));
    expect(p).toMatchObject({ kind: 'multiboot', mode: 'protected32', warnings: [] });
    const sym = (n: string) => p.symbols.find((s) => s.name === n)?.value;
    expect(p.entry).toBe(sym('_start'));
    expect(sym('kmain')).toBeDefined();
    expect(p.multiboot!.kernelStart).toBe(0x100000);
    expect(BigInt(p.multiboot!.kernelEnd)).toBe(sym('__kernel_end'));
    expect(p.multiboot!.bufferAddr).toBe(Math.ceil(p.multiboot!.kernelEnd / 4096) * 4096);
    expect(p.regs.eax).toBe(0x2badb002n);
    // .bss (page tables, stacks) zeroed
    expect(p.zero.some((z) => BigInt(z.addr) <= sym('__bss_start')! && BigInt(z.addr + z.size) >= sym('__bss_end')!)).toBe(true);
  });
});
