#!/usr/bin/env bash
# Build the boot-loader test fixtures (committed, so the tests need no toolchain):
#   test/fixtures/boot/probe/  the QEMU probe kernels (scripts/boot/probe/) and their modules; their
#                              QEMU output is test/fixtures/boot/qemu-mbinfo.txt (scripts/boot/probe/run.sh)
#   test/fixtures/boot/elf/    ELF / flat files for the parser and the loaders (scripts/boot/fixtures/)
# usage: scripts/boot/build-fixtures.sh       (needs nasm, GNU ld, gcc with -m32 support)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
probe="$root/test/fixtures/boot/probe"
elf="$root/test/fixtures/boot/elf"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$probe" "$elf"
P="$here/probe"
F="$here/fixtures"
LD32=(ld -m elf_i386 -nostdlib --no-warn-rwx-segments --build-id=none)
LD64=(ld -m elf_x86_64 -nostdlib --no-warn-rwx-segments --build-id=none)

# ---- probe kernels (see scripts/boot/probe/README.md for what each variant asks QEMU)
(cd "$P" && nasm -f elf32 -o "$tmp/probe.o" probe.asm)
"${LD32[@]}" -T "$P/link.ld" -o "$probe/probe.elf" "$tmp/probe.o"
for f in 3 4 8; do
  (cd "$P" && nasm -f elf32 -DFLAGS=$f -o "$tmp/probe$f.o" probe.asm)
  "${LD32[@]}" -T "$P/link.ld" -o "$probe/probe$f.elf" "$tmp/probe$f.o"
done
sed 's/\. = 0x100000;/. = 0x100800;/' "$P/link.ld" > "$tmp/link-100800.ld"
"${LD32[@]}" -T "$tmp/link-100800.ld" -o "$probe/probe-100800.elf" "$tmp/probe.o"
sed 's/\. = 0x100000;/. = 0x1000000;/' "$P/link.ld" > "$tmp/link-16m.ld"
"${LD32[@]}" -T "$tmp/link-16m.ld" -o "$probe/probe-16m.elf" "$tmp/probe.o"
(cd "$P" && nasm -f elf64 -o "$tmp/probe64.o" probe.asm)
"${LD64[@]}" -T "$P/link.ld" -o "$probe/probe64.elf" "$tmp/probe64.o"
(cd "$P" && nasm -f bin -DAOUT -DFLAGS=3 -DORG=0x200000 -o "$probe/probe-aout.bin" probe.asm)
(cd "$P" && nasm -f bin -DAOUT -DNOEND -DFLAGS=0 -DORG=0x300000 -o "$probe/probe-aout300.bin" probe.asm)
(cd "$P" && nasm -f bin -DAOUT -DFLAGS=0 -DORG=0x200800 -o "$probe/probe-aout200800.bin" probe.asm)
(cd "$P" && nasm -f elf32 -o "$tmp/higher.o" pic.asm)
"${LD32[@]}" -T "$P/link-higher.ld" -o "$probe/higher.elf" "$tmp/higher.o"
(cd "$P" && nasm -f elf32 -DKLUDGE -o "$tmp/kludge.o" pic.asm)
"${LD32[@]}" -T "$P/link.ld" -o "$probe/kludge-elf.elf" "$tmp/kludge.o"
(cd "$P" && nasm -f bin -DNOKLUDGE -o "$probe/nokludge.bin" pic.asm)
printf 'not a kernel' > "$probe/junk.bin"
for i in $(seq 1 10); do printf 'module A: alpha\n'; done > "$probe/modA.txt"   # 160 bytes
head -c 5000 /dev/zero | tr '\0' 'B' > "$probe/modB.txt"                        # 5000 bytes

# ---- ELF / flat fixtures
(cd "$F" && nasm -f elf64 -o "$tmp/long64.o" long64.asm)
"${LD64[@]}" -T "$F/long64.ld" -o "$elf/long64.elf" "$tmp/long64.o"
"${LD64[@]}" -T "$F/long64-higher.ld" -o "$elf/long64-higher.elf" "$tmp/long64.o"
(cd "$F" && nasm -f bin -o "$elf/flat64.bin" flat64.asm)
(cd "$F" && nasm -f elf32 -o "$tmp/elf32-nomb.o" elf32-nomb.asm)
"${LD32[@]}" -Ttext=0x100000 -o "$elf/elf32-nomb.elf" "$tmp/elf32-nomb.o"
(cd "$F" && nasm -f elf64 -o "$tmp/dyn64.o" dyn64.asm)
"${LD64[@]}" -shared -o "$elf/dyn64.so" "$tmp/dyn64.o"
CFLAGS=(-ffreestanding -nostdlib -static -O2 -fno-pie -no-pie -fno-asynchronous-unwind-tables
        -fno-stack-protector -fno-ident -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$F/c.ld")
(cd "$F" && gcc -m64 -mno-red-zone -mgeneral-regs-only "${CFLAGS[@]}" -o "$elf/c64.elf" c64.c)
(cd "$F" && gcc -m32 "${CFLAGS[@]}" -o "$elf/c32mb.elf" c32mb.c)
echo "built $(ls "$probe" | wc -l) probe files and $(ls "$elf" | wc -l) ELF fixtures"
