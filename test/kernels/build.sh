#!/usr/bin/env bash
# Build the KStack test kernels: test/kernels/*.asm -> $OUT/<name>.elf (ELF32 multiboot images)
# usage: test/kernels/build.sh [OUT_DIR] [NAME...]     (OUT_DIR defaults to test/kernels/build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/build}"
shift || true
mkdir -p "$out"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/*.asm; do names+=("$(basename "$f" .asm)"); done
fi
for n in "${names[@]}"; do
  nasm -f elf32 -w-zext-reloc -I "$here/lib/" -I "$here/" \
    -o "$out/$n.o" "$here/$n.asm"
  ld -m elf_i386 -T "$here/link.ld" -nostdlib --no-warn-rwx-segments -o "$out/$n.elf" "$out/$n.o"
done
