#!/usr/bin/env bash
# Build the KStack example C kernel (examples/c-kernel/kernel.elf) and, with --qemu, run it under
# QEMU and write its serial transcript (expected-serial.txt).
#
#   examples/c-kernel/build.sh [--qemu]
#
# The kernel is an ELF64 x86-64 file (so its DWARF describes 64-bit code, as a debugger wants).
# QEMU's multiboot loader refuses ELF64 files, so entry.asm's multiboot header uses the a.out
# kludge (flag bit 16: load_addr, load_end_addr, bss_end_addr, entry_addr); link.ld keeps one
# loadable segment whose file offsets and addresses move in step, which that needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Paths in DWARF: relative source names under a fixed directory (not this machine's checkout).
map="-ffile-prefix-map=$here=/kstack/examples/c-kernel"
cflags=(-g -O1 -ffreestanding -mno-red-zone -mgeneral-regs-only -fno-pic -fno-stack-protector -nostdlib
  -fomit-frame-pointer -fcf-protection=none -std=gnu11 -Wall -Wextra "$map")

nasm -f elf64 -g -F dwarf -o "$out/entry.o" entry.asm
gcc "${cflags[@]}" -c -o "$out/isr.o" isr.S
for c in kmain interrupts serial; do gcc "${cflags[@]}" -c -o "$out/$c.o" "$c.c"; done
ld -m elf_x86_64 -T link.ld -nostdlib -z max-page-size=0x1000 --build-id=none --no-warn-rwx-segments \
  -o kernel.elf "$out/entry.o" "$out/isr.o" "$out/kmain.o" "$out/interrupts.o" "$out/serial.o"
echo "kernel.elf: $(stat -c %s kernel.elf) bytes"

if [ "${1:-}" = --qemu ]; then
  # QEMU exits with (code << 1) | 1 when the kernel writes its exit code to port 0xF4.
  set +e
  timeout 30 qemu-system-x86_64 -nographic -no-reboot -display none -monitor none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -m 128 -kernel kernel.elf > "$out/serial.raw"
  status=$?
  set -e
  # From the kernel's first marker on (SeaBIOS prints a banner first); CRLF -> LF.
  sed -n '/KSTACK-TEST-BEGIN/,$p' "$out/serial.raw" | tr -d '\r' > expected-serial.txt
  echo "qemu exit status $status"
  cat expected-serial.txt
  [ "$status" -eq 1 ] || { echo "expected exit status 1 (code 0)" >&2; exit 1; }
fi
