// Where DWARF readers get section bytes from: a tiny interface, and its adapter over an ELF file
// parsed by emulator/boot/elf.ts. The readers need nothing else from the object file format.

import type { ElfFile } from '../../emulator/boot/elf';

export interface DwarfSource {
  /** The bytes of the named section (".debug_info", ".eh_frame", ...), or undefined when absent. */
  section(name: string): Uint8Array | undefined;
  /** The section's load address (sh_addr), needed by pc-relative pointers in .eh_frame. */
  sectionAddress?(name: string): bigint | undefined;
  /**
   * A symbol's address from the object file's symbol table: places a variable DWARF only declares
   * (`extern u64 pd[512];` defined in assembly) at its address.
   */
  symbolAddress?(name: string): bigint | undefined;
  /** ELF64 (else ELF32): the default address size where DWARF does not say it. */
  is64: boolean;
  littleEndian: boolean;
}

const SHT_NOBITS = 8;
const SHF_COMPRESSED = 0x800n;

/** A DwarfSource over the bytes of an ELF file and its parsed headers. */
export function elfDwarfSource(bytes: Uint8Array, elf: ElfFile, warnings: string[] = []): DwarfSource {
  const byName = new Map<string, ElfFile['sections'][number]>();
  for (const s of elf.sections) if (s.name && !byName.has(s.name)) byName.set(s.name, s);
  const cache = new Map<string, Uint8Array | undefined>();
  return {
    is64: elf.header.class === 64,
    littleEndian: true,
    section(name) {
      if (cache.has(name)) return cache.get(name);
      const s = byName.get(name);
      let out: Uint8Array | undefined;
      if (s && s.type !== SHT_NOBITS) {
        const end = s.offset + s.size;
        if ((s.flags & SHF_COMPRESSED) !== 0n)
          warnings.push(`${name}: compressed sections (SHF_COMPRESSED) are not supported; link without --compress-debug-sections`);
        else if (s.offset < 0n || end > BigInt(bytes.length))
          warnings.push(`${name}: section data at file offset 0x${s.offset.toString(16)} (+0x${s.size.toString(16)}) is beyond the end of the file`);
        else out = bytes.subarray(Number(s.offset), Number(end));
      }
      cache.set(name, out);
      return out;
    },
    sectionAddress(name) {
      return byName.get(name)?.addr;
    },
    symbolAddress(name) {
      // STT_OBJECT / STT_NOTYPE / STT_FUNC symbols defined in a section (not undefined, not absolute)
      const s = elf.symbols.find((x) => x.name === name && x.shndx !== 0 && x.shndx < 0xff00 && x.type <= 2);
      return s?.value;
    },
  };
}

/** A DwarfSource over a plain map of section bytes (tests, synthetic sections). */
export function mapDwarfSource(
  sections: Record<string, Uint8Array>,
  opts: { is64?: boolean; littleEndian?: boolean; addresses?: Record<string, bigint> } = {},
): DwarfSource {
  return {
    is64: opts.is64 ?? true,
    littleEndian: opts.littleEndian ?? true,
    section: (name) => sections[name],
    sectionAddress: (name) => opts.addresses?.[name],
  };
}
