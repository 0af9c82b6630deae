#!/bin/sh
# Rebuilds the ELF test programs (nasm, GNU ld). The outputs are committed so the tests need no
# toolchain; run this after editing a source. nasm records the absolute build directory in the
# DWARF, so the build runs in a temporary directory that is deleted afterwards: the ELF is then
# "built elsewhere", as a user's kernel often is, and the debugger must find its source next to it
# (and the result does not depend on where this repository is checked out).
set -e
here="$(cd "$(dirname "$0")" && pwd)"
build="$(mktemp -d /tmp/kstack-build-XXXXXX)"
trap 'rm -rf "$build"' EXIT
cp "$here/kernel64.asm" "$build/"
cd "$build"
nasm -f elf64 -g -F dwarf kernel64.asm -o kernel64.o
ld -m elf_x86_64 -n -Ttext=0x200000 -e _start --build-id=none -o "$here/kernel64.elf" kernel64.o
