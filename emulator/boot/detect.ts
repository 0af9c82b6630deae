// planBoot: choose how to boot a file and plan it (README.md "Which loader").

import { isElf, parseElf } from './elf';
import { FLAT_DEFAULT_LOAD, planElf64, planFlat } from './flat';
import { findMultibootHeader, planMultiboot, qemuCommandLine } from './multiboot';
import { hex, type BootModule, type BootOptions, type BootResult } from './plan';

const NOT_BOOTABLE =
  'not a bootable kernel: no multiboot header in the first 8 KiB and not an ELF file; use --boot flat to run it as a flat binary';

/** A Linux bzImage: "HdrS" at 0x202 (the x86 boot protocol, which QEMU -kernel also takes). */
function isLinuxBzImage(bytes: Uint8Array): boolean {
  return bytes.length > 0x206 && bytes[0x202] === 0x48 && bytes[0x203] === 0x64 && bytes[0x204] === 0x72 && bytes[0x205] === 0x53;
}

export interface PlanBootOptions extends BootOptions {
  /**
   * Instead of `cmdline`: the kernel file name as typed and the --append text; a multiboot kernel
   * then gets QEMU's command line, "NAME APPEND".
   */
  kernelName?: string;
  append?: string;
}

function withPrefix(r: BootResult, prefix: string[]): BootResult {
  if ('error' in r || prefix.length === 0) return r;
  return { ...r, warnings: [...prefix, ...r.warnings] };
}

/**
 * Plan the boot of `bytes`. With format 'auto': a valid multiboot header boots as multiboot; an
 * ELF64 without one boots directly in 64-bit mode; anything else is refused with the reason.
 * Never throws on any input bytes.
 */
export function planBoot(bytes: Uint8Array, opts: PlanBootOptions): BootResult {
  const format = opts.format ?? 'auto';
  const mem = opts.memoryBytes;
  if (!Number.isSafeInteger(mem) || mem <= 0 || mem % 4096 !== 0)
    return { error: `memory size ${mem} is not a positive multiple of 4 KiB` };
  if (mem < 1024 * 1024) return { error: `memory size ${hex(mem)} is below 1 MiB` };
  if (bytes.length === 0) return { error: 'the file is empty' };
  const modules: BootModule[] = opts.modules ?? [];
  const cmdline = opts.cmdline ?? (opts.kernelName !== undefined ? qemuCommandLine(opts.kernelName, opts.append ?? '') : opts.append ?? '');
  const search = findMultibootHeader(bytes);

  // What a direct 64-bit boot cannot pass on.
  const ignored = (): string[] => {
    const w: string[] = [];
    if (opts.cmdline || opts.append) w.push('the command line is not passed to a kernel entered directly in 64-bit mode');
    if (modules.length) w.push(`the module${modules.length > 1 ? 's are' : ' is'} not loaded for a kernel entered directly in 64-bit mode`);
    return w;
  };

  if (format === 'flat') {
    const w: string[] = [];
    if (search.header) w.push(`the file has a multiboot header (offset ${hex(search.header.offset)}) but runs as a flat binary, as asked`);
    else if (isElf(bytes)) w.push('the file is ELF but runs as a flat binary, as asked: the ELF headers are loaded too');
    return withPrefix(planFlat(bytes, mem, opts.flatLoadAddress ?? FLAT_DEFAULT_LOAD), [...w, ...ignored()]);
  }

  if (format === 'elf64') {
    if (!isElf(bytes)) return { error: 'not an ELF file (--boot elf64)' };
    const elf = parseElf(bytes);
    if ('error' in elf) return { error: `bad ELF file: ${elf.error}` };
    if (elf.header.class !== 64) return { error: 'an ELF32 file cannot be entered directly in 64-bit mode (--boot elf64); it needs a multiboot header' };
    const w = search.header ? [`the multiboot header (offset ${hex(search.header.offset)}) is ignored: entered directly in 64-bit mode, as asked`] : [];
    return withPrefix(planElf64(bytes, elf, mem), [...w, ...ignored()]);
  }

  if (search.header) return planMultiboot(bytes, search.header, { memoryBytes: mem, cmdline, modules });
  const why = search.rejected.length ? ` (${search.rejected.join('; ')})` : '';
  if (format === 'multiboot') return { error: `no valid multiboot header in the first 8 KiB${why}` };

  // format 'auto', no multiboot header
  if (isElf(bytes)) {
    const elf = parseElf(bytes);
    if ('error' in elf) return { error: `bad ELF file: ${elf.error}` };
    if (elf.header.class === 32)
      return {
        error: `an ELF32 file without a multiboot header${why}: KStack boots 32-bit kernels through Multiboot 1 only (add a multiboot header in the first 8 KiB), or link the kernel as ELF64 to enter it directly in 64-bit mode`,
      };
    return withPrefix(planElf64(bytes, elf, mem), [...search.rejected.map((r) => `${r}: ignored`), ...ignored()]);
  }
  if (isLinuxBzImage(bytes))
    return { error: `not a bootable kernel: a Linux bzImage (x86 boot protocol), which KStack does not load; build a multiboot or ELF64 kernel${why}` };
  return { error: NOT_BOOTABLE + why };
}
