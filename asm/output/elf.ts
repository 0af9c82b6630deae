// ELF relocatable objects (elf64 / elf32). (Being written.)
import type { Assembler } from '../assembler';

export function writeElf(asm: Assembler, cls: 64 | 32, debug: boolean): Uint8Array {
  void asm;
  void cls;
  void debug;
  return new Uint8Array(0);
}
