#!/bin/sh
# Rebuilds the ELF test programs (nasm, GNU ld). The outputs are committed so the tests need no
# toolchain; run this after editing a source.
set -e
cd "$(dirname "$0")"
nasm -f elf64 -g -F dwarf kernel64.asm -o /tmp/kstack-kernel64.o
ld -m elf_x86_64 -n -Ttext=0x200000 -e _start --build-id=none -o kernel64.elf /tmp/kstack-kernel64.o
rm -f /tmp/kstack-kernel64.o
