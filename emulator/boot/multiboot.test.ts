// The multiboot loader against QEMU 7.2: every probe kernel in test/fixtures/boot/probe is planned
// with the options of its QEMU run, and what the plan puts in memory and registers must be what
// the kernel printed under QEMU (test/fixtures/boot/qemu-mbinfo.txt, scripts/boot/probe/run.sh).
// Then the header search and the refusals.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planBoot } from './detect';
import { parseElf, PT_LOAD } from './elf';
import {
  findMultibootHeader,
  MULTIBOOT_HEADER_MAGIC,
  qemuCommandLine,
  qemuMemoryMap,
  QEMU_MBI_ADDR,
} from './multiboot';
import { isBootError, type BootModule, type BootPlan, type BootResult } from './plan';
import { mutate, PlanMemory, rng, setMultibootFlags, setU32 } from './testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = join(root, 'test/fixtures/boot');
const probeDir = join(fx, 'probe');
const read = (name: string) => new Uint8Array(readFileSync(join(probeDir, name)));
const MiB = 1 << 20;

function plan(r: BootResult): BootPlan {
  if (isBootError(r)) throw new Error(r.error);
  return r;
}

// ---- the transcript ------------------------------------------------------------------------------
interface Run {
  name: string;
  args: string[];
  lines: string[];
}

function tokenize(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const transcript = readFileSync(join(fx, 'qemu-mbinfo.txt'), 'utf8');
const runs: Run[] = [];
for (const block of transcript.split(/^=== /m).slice(1)) {
  const [head, ...lines] = block.trimEnd().split('\n');
  const m = /^([\w.-]+):(.*)$/.exec(head!)!;
  runs.push({ name: m[1]!, args: tokenize(m[2]!), lines });
}

function arg(r: Run, flag: string): string | undefined {
  const i = r.args.indexOf(flag);
  return i < 0 ? undefined : r.args[i + 1];
}

/** The planBoot options that reproduce a QEMU run. */
function optionsOf(r: Run) {
  const kernel = arg(r, '-kernel')!;
  const initrd = arg(r, '-initrd');
  const modules: BootModule[] = initrd
    ? initrd.split(',').map((spec) => ({ name: spec, bytes: read(spec.split(' ')[0]!) }))
    : [];
  return { kernel, opts: { memoryBytes: Number(arg(r, '-m')) * MiB, kernelName: kernel, append: arg(r, '-append') ?? '', modules } };
}

/** `key=0x..` pairs of a line. */
function fields(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/([\w.]+)=(0x[0-9a-f]+|[0-9a-f]{8})\b/g)) out[m[1]!] = Number(m[2]!.startsWith('0x') ? m[2] : '0x' + m[2]);
  return out;
}

const MBI_OFFSETS: Record<string, number> = {
  flags: 0, mem_lower: 4, mem_upper: 8, boot_device: 12, cmdline: 16, mods_count: 20, mods_addr: 24,
  syms0: 28, syms1: 32, syms2: 36, syms3: 40, mmap_length: 44, mmap_addr: 48, drives_length: 52,
  drives_addr: 56, config_table: 60, boot_loader_name: 64, apm_table: 68, vbe_control_info: 72,
  vbe_mode_info: 76, vbe_mode_seg: 80, vbe_off_len: 84,
};

/** Check a plan against the probe's printout, line by line. */
function checkProbe(p: BootPlan, r: Run): void {
  const mem = new PlanMemory(p);
  const lines = r.lines.filter((l) => !l.startsWith('stderr:') && !l.startsWith('exit-status') && !l.startsWith('PROBE-'));
  let mbi = 0;
  const modules: string[] = [];
  const mmap: string[] = [];
  for (const line of lines) {
    const kind = line.split(/[ "]/)[0]!;
    const f = fields(line);
    const ctx = `${r.name}: ${line}`;
    switch (kind) {
      case 'entry':
        expect(Number(p.entry), ctx).toBe(f.eip);
        for (const reg of ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eflags'])
          expect(Number(p.regs[reg]), `${ctx} (${reg})`).toBe(f[reg]);
        break;
      case 'control':
        expect([p.control.cr0, p.control.cr3, p.control.cr4].map(Number), ctx).toEqual([f.cr0, f.cr3, f.cr4]);
        expect(p.control.efer).toBe(0n);
        break;
      case 'tables':
        expect([p.gdt.limit, p.gdt.base, p.idt.limit, p.idt.base, 0, 0], ctx).toEqual([
          f['gdtr.limit'], f['gdtr.base'], f['idtr.limit'], f['idtr.base'], f.ldtr, f.tr,
        ]);
        break;
      case 'seg': {
        const name = line.split(' ')[1] as keyof BootPlan['segments'];
        const s = p.segments[name];
        expect([s.selector, s.limit], ctx).toEqual([f.sel, f.limit]);
        // LAR gives the descriptor's access rights in memory; the cached copy has the accessed bit
        expect(s.attributes, ctx).toBe(((f.ar! >>> 8) & 0xf0ff) | 1);
        expect(mem.u32(p.gdt.base + s.selector + 4) & 0x00f0ff00, ctx).toBe(f.ar);
        break;
      }
      case 'gdt':
        expect([mem.u32(p.gdt.base + f.sel!), mem.u32(p.gdt.base + f.sel! + 4)], ctx).toEqual([f.lo, f.hi]);
        break;
      case 'kernel':
        expect(Number(p.entry), ctx).toBe(f.start);
        // (without bss_end_addr QEMU's image ends with the file, before the probe's .bss)
        if (!r.name.includes('no-bss')) expect(p.multiboot!.kernelEnd, ctx).toBe(f.end);
        break;
      case 'mbi':
        if (f.addr !== undefined) {
          mbi = f.addr;
          expect(Number(p.regs.ebx), ctx).toBe(mbi);
        }
        for (const [k, v] of Object.entries(f)) if (k !== 'addr') expect(mem.u32(mbi + MBI_OFFSETS[k]!), `${ctx} (${k})`).toBe(v);
        break;
      case 'cmdline':
        expect(`cmdline"${mem.cstring(mem.u32(mbi + 16))}"`, ctx).toBe(line);
        break;
      case 'boot_loader_name':
        expect(`boot_loader_name"${mem.cstring(mem.u32(mbi + 64))}"`, ctx).toBe(line);
        break;
      case 'module':
        modules.push(line);
        break;
      case 'mmap':
        mmap.push(line);
        break;
      default:
        throw new Error(`unknown probe line: ${ctx}`);
    }
  }
  // modules and the memory map, rebuilt from the plan's memory in the probe's format
  const h = (n: number) => `0x${n.toString(16)}`;
  const ours: string[] = [];
  const list = mem.u32(mbi + 24);
  for (let i = 0; i < mem.u32(mbi + 20); i++) {
    const e = list + 16 * i;
    const [start, end, str, res] = [mem.u32(e), mem.u32(e + 4), mem.u32(e + 8), mem.u32(e + 12)];
    ours.push(`module start=${h(start)} end=${h(end)} string=${h(str)} reserved=${h(res)} first4=${h(mem.u32(start))} "${mem.cstring(str)}"`);
  }
  expect(ours, r.name).toEqual(modules);
  const mm: string[] = [];
  const mmapAddr = mem.u32(mbi + 48);
  for (let off = 0; off < mem.u32(mbi + 44); off += mem.u32(mmapAddr + off) + 4) {
    const e = mmapAddr + off;
    mm.push(
      `mmap size=${h(mem.u32(e))} base_hi=${h(mem.u32(e + 8))} base=${h(mem.u32(e + 4))} len_hi=${h(mem.u32(e + 16))} len=${h(mem.u32(e + 12))} type=${h(mem.u32(e + 20))}`,
    );
  }
  expect(mm, r.name).toEqual(mmap);
}

describe('multiboot: the state QEMU 7.2 -kernel hands the probe kernels', () => {
  it('the transcript has every variant', () => {
    expect(runs.length).toBe(25);
    expect(runs.filter((r) => r.lines.includes('PROBE-BEGIN')).length).toBe(20);
  });

  const probes = runs.filter((r) => r.lines.includes('PROBE-BEGIN'));
  it.each(probes.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const { kernel, opts } = optionsOf(r);
    const p = plan(planBoot(read(kernel), opts));
    expect(p).toMatchObject({ kind: 'multiboot', mode: 'protected32' });
    checkProbe(p, r);
    // QEMU's warnings are KStack's warnings too
    for (const l of r.lines.filter((x) => x.startsWith('stderr: '))) {
      const msg = /: ([^:]+)$/.exec(l)![1]!;
      expect(p.warnings.join('\n')).toContain(msg);
    }
  });

  it('position-independent probes: where the code was entered', () => {
    for (const r of runs.filter((x) => x.lines.some((l) => l.startsWith('pic eip=')))) {
      const { kernel, opts } = optionsOf(r);
      const p = plan(planBoot(read(kernel), opts));
      const f = fields(r.lines.find((l) => l.startsWith('pic eip='))!);
      expect([Number(p.entry), Number(p.regs.ebx)], r.name).toEqual([f.eip, f.ebx]);
    }
  });

  it('ELF64 multiboot kernel (QEMU refuses it): loaded as GRUB 2 does, with the state QEMU gives the ELF32 build', () => {
    const r = runs.find((x) => x.name === 'elf64')!;
    expect(r.lines[0]).toBe('stderr: qemu-system-x86_64: Cannot load x86-64 image, give a 32bit one.');
    const p = plan(planBoot(read('probe64.elf'), { memoryBytes: 128 * MiB, kernelName: 'probe.elf' }));
    expect(p.warnings.join('\n')).toContain('QEMU 7.2 refuses it: "Cannot load x86-64 image, give a 32bit one."');
    checkProbe(p, runs.find((x) => x.name === 'elf32-flags0-m128')!);
  });


  it('what QEMU refuses, KStack refuses', () => {
    const flat = runs.find((x) => x.name === 'flat-without-aout-kludge')!;
    expect(flat.lines[0]).toBe('stderr: qemu-system-x86_64: Error while loading elf kernel');
    const e = planBoot(read('nokludge.bin'), optionsOf(flat).opts);
    expect(isBootError(e) && e.error).toBe(
      'multiboot header at offset 0x0 without the a.out kludge (flag bit 16) in a file that is not ELF: nothing says where to load it (QEMU: "Error while loading elf kernel")',
    );
    const junk = planBoot(read('junk.bin'), optionsOf(runs.find((x) => x.name === 'no-multiboot-header')!).opts);
    expect(isBootError(junk) && junk.error).toBe(
      'not a bootable kernel: no multiboot header in the first 8 KiB and not an ELF file; use --boot flat to run it as a flat binary',
    );
  });

  it('the memory map and mem_upper for sizes the probe did not cover follow the same rule', () => {
    for (const mib of [3, 64, 100, 512, 2047]) {
      const map = qemuMemoryMap(mib * MiB);
      expect(map[3]).toEqual({ base: 0x100000n, length: BigInt(mib * MiB - 0x120000), type: 1 });
      expect(map[4]).toEqual({ base: BigInt(mib * MiB - 0x20000), length: 0x20000n, type: 2 });
      expect(map.length).toBe(7);
    }
    expect(qemuCommandLine('k.elf')).toBe('k.elf ');
    expect(qemuCommandLine('k.elf', 'a b')).toBe('k.elf a b');
  });
});

// ---- the header --------------------------------------------------------------------------------
/** A flat image with a multiboot header at `at` (flags, checksum, then `extra` dwords). */
function image(size: number, at: number, flags: number, extra: number[] = []): Uint8Array {
  const b = new Uint8Array(size);
  setU32(b, at, MULTIBOOT_HEADER_MAGIC);
  setMultibootFlags(b, at, flags);
  extra.forEach((v, i) => setU32(b, at + 12 + 4 * i, v));
  return b;
}

/** An a.out-kludge kernel: header at file offset `at`, loaded at `load`, entry `entry`. */
function aout(o: { size?: number; at?: number; load: number; headerAddr?: number; loadEnd?: number; bssEnd?: number; entry?: number; flags?: number }): Uint8Array {
  const at = o.at ?? 0;
  const size = o.size ?? 0x1000;
  return image(size, at, (o.flags ?? 0) | 0x10000, [
    o.headerAddr ?? o.load + at,
    o.load,
    o.loadEnd ?? 0,
    o.bssEnd ?? 0,
    o.entry ?? o.load + at + 32,
  ]);
}

describe('multiboot header search', () => {
  it('finds the header at a 4-byte aligned offset in the first 8 KiB, with its fields', () => {
    expect(findMultibootHeader(read('probe.elf')).header).toEqual({ offset: 0x1000, flags: 0, checksum: 0xe4524ffe });
    expect(findMultibootHeader(read('probe-aout.bin')).header).toEqual({
      offset: 0,
      flags: 0x10003,
      checksum: (-(MULTIBOOT_HEADER_MAGIC + 0x10003)) >>> 0,
      aout: { headerAddr: 0x200000, loadAddr: 0x200000, loadEndAddr: 0x200e50, bssEndAddr: 0x201e50, entryAddr: 0x200020 },
    });
    expect(findMultibootHeader(image(64, 0, 4, [0, 0, 0, 0, 0, 1, 800, 600, 32])).header?.video).toEqual({ modeType: 1, width: 800, height: 600, depth: 32 });
    expect(findMultibootHeader(image(8192, 8180, 0)).header?.offset).toBe(8180);
  });

  it('ignores a magic that is misaligned, beyond 8 KiB, or whose checksum is wrong', () => {
    expect(findMultibootHeader(image(64, 2, 0))).toEqual({ header: null, rejected: [] });
    expect(findMultibootHeader(image(9000, 8192, 0))).toEqual({ header: null, rejected: [] });
    const late = new Uint8Array(8192); // magic and flags fit, the checksum would be at 8192
    setU32(late, 8184, MULTIBOOT_HEADER_MAGIC);
    expect(findMultibootHeader(late)).toEqual({ header: null, rejected: [] });
    const bad = image(64, 8, 0);
    setU32(bad, 16, 5);
    expect(findMultibootHeader(bad)).toEqual({
      header: null,
      rejected: ['multiboot magic at offset 0x8 has a bad checksum: magic + flags 0x0 + checksum 0x5 = 0x1badb007, not 0'],
    });
    // a stray magic with a bad checksum before the real header
    const two = image(128, 64, 0);
    setU32(two, 0, MULTIBOOT_HEADER_MAGIC);
    expect(findMultibootHeader(two).header?.offset).toBe(64);
    const e = planBoot(bad, { memoryBytes: 16 * MiB });
    expect(isBootError(e) && e.error).toBe(
      'not a bootable kernel: no multiboot header in the first 8 KiB and not an ELF file; use --boot flat to run it as a flat binary (multiboot magic at offset 0x8 has a bad checksum: magic + flags 0x0 + checksum 0x5 = 0x1badb007, not 0)',
    );
  });

  it('rejects a.out kludge fields that are cut off', () => {
    const r = findMultibootHeader(image(20, 0, 0x10000));
    expect(r.header).toBeNull();
    expect(r.rejected[0]).toBe(
      'multiboot header at offset 0x0 sets flag bit 16 (a.out kludge) but its address fields (offsets 12-31 of the header) are beyond the end of the file',
    );
  });
});

// ---- refusals and warnings ---------------------------------------------------------------------
function error(r: BootResult): string {
  if (!isBootError(r)) throw new Error('expected an error');
  return r.error;
}
const m16 = { memoryBytes: 16 * MiB, kernelName: 'k' };

describe('multiboot refusals and warnings', () => {
  it('segments outside RAM', () => {
    expect(error(planBoot(read('probe-16m.elf'), m16))).toBe(
      'segment 0 (0x1000000-0x1001e40) ends beyond RAM (16 MiB, RAM ends at 0x1000000): give the machine more memory',
    );
    expect(error(planBoot(read('probe.elf'), { memoryBytes: 1 * MiB }))).toBe(
      'a multiboot kernel needs at least 2 MiB of RAM (the machine has 0x100000 bytes)',
    );
    const big = { name: 'big', bytes: new Uint8Array(0x100000) };
    expect(error(planBoot(read('probe.elf'), { memoryBytes: 2 * MiB, kernelName: 'k', modules: [big] }))).toBe(
      'the command line and modules placed after the kernel (0x102000-0x203000) end beyond RAM (2 MiB): give the machine more memory',
    );
  });

  it("segments over the loader's own structures", () => {
    const b = read('probe.elf');
    const ph = (parseElf(b) as { programHeaders: { at: number; type: number }[] }).programHeaders.find((p) => p.type === PT_LOAD)!;
    setU32(b, ph.at + 12, 0x9000); // p_paddr
    expect(error(planBoot(b, m16))).toBe(
      'segment 0 (0x9000-0xae40) overlaps the multiboot information (memory map and structure, 0x9000-0x9558)',
    );
    expect(error(planBoot(aout({ load: 0xcb000, bssEnd: 0xcc000 }), m16))).toBe(
      "kernel image (a.out kludge) (0xcb000-0xcc000) overlaps the loader's GDT (0xcb2b8-0xcb2e0)",
    );
  });

  it('entry point outside the loaded segments', () => {
    const b = read('probe.elf');
    setU32(b, 0x18, 0x500000);
    expect(error(planBoot(b, m16))).toBe('e_entry (offset 0x18) 0x500000 is not inside any PT_LOAD segment (by virtual or physical address)');
    expect(error(planBoot(aout({ load: 0x200000, entry: 0x201000 }), m16))).toBe(
      'a.out kludge: entry_addr (header offset 0x1c) 0x201000 is outside the loaded image 0x200000-0x201000',
    );
  });

  it('a.out kludge fields that do not fit the file', () => {
    expect(error(planBoot(aout({ load: 0x200000, loadEnd: 0x202000 }), m16))).toBe(
      'a.out kludge: load_end_addr (header offset 0x14) 0x202000 asks for 0x2000 bytes from file offset 0x0, but the file has 0x1000 bytes',
    );
    expect(error(planBoot(aout({ load: 0x200000, loadEnd: 0x200800, bssEnd: 0x200400 }), m16))).toBe(
      'a.out kludge: bss_end_addr (header offset 0x18) 0x200400 is below the end of the loaded image 0x200800',
    );
    expect(error(planBoot(aout({ load: 0x200000, headerAddr: 0x1ff000 }), m16))).toBe(
      'a.out kludge: header_addr (header offset 0xc) 0x1ff000 is below load_addr (header offset 0x10) 0x200000',
    );
    expect(error(planBoot(aout({ at: 0x40, load: 0x200000, headerAddr: 0x200100, entry: 0x200200 }), m16))).toBe(
      "a.out kludge: header_addr (header offset 0x4c) 0x200100 - load_addr (header offset 0x50) 0x200000 = 0x100 is more than the header's file offset 0x40: the image would start before the file",
    );
    expect(error(planBoot(aout({ load: 0x200000, loadEnd: 0x1000 }), m16))).toBe(
      'a.out kludge: load_end_addr (header offset 0x14) 0x1000 is below load_addr 0x200000',
    );
  });

  it('the a.out kludge: file offset from header_addr - load_addr, bss zeroed, info area after bss_end', () => {
    const b = aout({ size: 0x3000, at: 0x1000, load: 0x300000, headerAddr: 0x300400, loadEnd: 0x301800, bssEnd: 0x305000, entry: 0x300500 });
    const p = plan(planBoot(b, m16));
    expect(p.writes[0]).toMatchObject({ addr: 0x300000, what: 'kernel image (a.out kludge)' });
    expect(p.writes[0]!.bytes.length).toBe(0x1800);
    expect(p.writes[0]!.bytes.byteOffset).toBe(0xc00); // file offset 0x1000 - 0x400
    expect(p.zero).toEqual([{ addr: 0x301800, size: 0x3800, what: 'kernel image (a.out kludge) (zero-filled)' }]);
    expect(p.multiboot).toMatchObject({ kernelStart: 0x300000, kernelEnd: 0x305000, bufferAddr: 0x305000, loadedBy: 'aout' });
    expect(p.entry).toBe(0x300500n);
  });

  it('ELF problems', () => {
    const b = read('probe.elf');
    b[18] = 62; // e_machine
    expect(error(planBoot(b, m16))).toBe('e_machine (offset 0x12) is 62: an ELF32 x86 kernel has 3 (EM_386)');
    const rel = read('probe.elf');
    rel[16] = 1; // e_type ET_REL
    expect(error(planBoot(rel, m16))).toBe('e_type (offset 0x10) is ET_REL: a relocatable object file; link it into an executable first');
    const broken = read('probe.elf');
    broken[5] = 2;
    expect(error(planBoot(broken, m16))).toBe(
      'multiboot kernel: bad ELF file: EI_DATA at offset 0x5 is 2 (big-endian): x86 ELF files are little-endian (1)',
    );
    // with the a.out kludge the ELF headers do not matter
    const k = read('kludge-elf.elf');
    k[5] = 2;
    const p = plan(planBoot(k, m16));
    expect(p.entry).toBe(0x301020n);
    expect(p.symbols).toEqual([]);
    expect(p.warnings[0]).toMatch(/^the file looks like ELF but is not readable as one \(EI_DATA/);
  });

  it('warnings: legacy area, reserved memory, QEMU search limit, undefined flags, unaligned modules', () => {
    expect(plan(planBoot(read('probe-100800.elf'), m16)).warnings).toEqual([
      'segment 0 (0xff000-0xff074) lies in part in 0xa0000-0x100000, VGA memory and BIOS ROM on a PC; KStack loads it into RAM there',
    ]);
    expect(plan(planBoot(aout({ load: 0x1f0000 }), { memoryBytes: 2 * MiB })).warnings).toEqual([
      'kernel image (a.out kludge) (0x1f0000-0x1f1000) overlaps memory the memory map reserves (0x1e0000-0x200000)',
    ]);
    expect(plan(planBoot(aout({ size: 0x2000, at: 8160, load: 0x200000, entry: 0x200100 }), m16)).warnings).toEqual([
      'the multiboot header is at offset 0x1fe0: inside the 8 KiB the specification allows, but QEMU only searches below 0x1fd0 and would not find it',
    ]);
    expect(plan(planBoot(read('probe8.elf'), m16)).warnings).toEqual([
      'header flags 0x8 are requirements Multiboot 1 does not define: ignored, as QEMU does (GRUB refuses such a kernel)',
    ]);
    const b = read('probe-aout200800.bin');
    setMultibootFlags(b, 0, 0x10001);
    const p = plan(planBoot(b, { ...m16, modules: [{ name: 'm', bytes: new Uint8Array(10) }] }));
    expect(p.warnings).toEqual([
      'the kernel asks for page-aligned modules (flag bit 0), but its load address 0x200800 is not page-aligned and QEMU aligns modules relative to it: they start at 0x203800',
    ]);
    expect(p.multiboot!.modules).toEqual([{ name: 'm', start: 0x203800, end: 0x20380a, stringAddr: 0x202810 }]);
  });

  it('the plan: symbols, what each write is, the layout', () => {
    const p = plan(planBoot(read('probe3.elf'), { memoryBytes: 128 * MiB, cmdline: 'kernel root=/dev/x' }));
    expect(p.symbols.find((s) => s.name === '_start')).toMatchObject({ value: 0x100010n, section: '.text' });
    expect(p.writes.map((w) => [w.what, w.addr])).toEqual([
      ['segment 0', 0x100000],
      ['multiboot module list and strings', 0x102000],
      ['multiboot memory map', 0x9000],
      ['multiboot information', QEMU_MBI_ADDR],
      ["the loader's GDT", 0xcb2b8],
    ]);
    expect(p.zero).toEqual([{ addr: 0x100e40, size: 0x1000, what: 'segment 0 (zero-filled)' }]);
    expect(new PlanMemory(p).cstring(p.multiboot!.cmdlineAddr)).toBe('kernel root=/dev/x');
    expect(p.multiboot).toMatchObject({ memLower: 639, memUpper: 0x1fb80, headerOffset: 0x1000, headerFlags: 3, loadedBy: 'elf' });
  });
});

describe('fuzzing: mutated multiboot headers never throw', () => {
  it.each(['probe-aout.bin', 'probe-aout200800.bin', 'kludge-elf.elf', 'probe3.elf'])('%s: 2000 mutations -> a plan or an error', (name) => {
    const src = read(name);
    const at = findMultibootHeader(src).header!.offset;
    const next = rng(name.length * 104729);
    const mods = [{ name: 'm', bytes: new Uint8Array(100) }];
    let plans = 0;
    for (let i = 0; i < 2000; i++) {
      const b = mutate(src, next, [at, at + 8, at + 16]);
      // half the time keep the checksum valid (maybe with a flag toggled), so the loaders run
      if (next(2) && b.length >= at + 12) setMultibootFlags(b, at, getFlags(b, at, next));
      const r = planBoot(b, { memoryBytes: 8 * MiB, kernelName: 'k', modules: next(2) ? mods : [] });
      if (isBootError(r)) expect(r.error.length).toBeGreaterThan(0);
      else {
        plans++;
        for (const w of r.writes) expect(w.addr + w.bytes.length).toBeLessThanOrEqual(8 * MiB);
        for (const z of r.zero) expect(z.addr + z.size).toBeLessThanOrEqual(8 * MiB);
      }
    }
    expect(plans).toBeGreaterThan(0);
  });
});

function getFlags(b: Uint8Array, at: number, next: (n: number) => number): number {
  const flags = new DataView(b.buffer, b.byteOffset).getUint32(at + 4, true);
  return next(3) === 0 ? flags ^ (1 << next(32)) : flags;
}
