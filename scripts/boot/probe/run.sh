#!/usr/bin/env bash
# Boot the probe kernels (test/fixtures/boot/probe/, built by scripts/boot/build-fixtures.sh) under
# QEMU 7.2's `-kernel` and record what its multiboot loader hands them, in
# test/fixtures/boot/qemu-mbinfo.txt (see scripts/boot/probe/README.md).
# usage: scripts/boot/probe/run.sh [OUT_FILE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$root/test/fixtures/boot/qemu-mbinfo.txt}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# run from the fixture directory: QEMU puts the kernel's file name, as given, in the command line
cd "$root/test/fixtures/boot/probe"

run() { # NAME QEMU-ARGS...
  local name="$1"; shift
  local shown="" a
  for a in "$@"; do
    if [[ "$a" == *" "* ]]; then shown+=" \"$a\""; else shown+=" $a"; fi
  done
  echo "=== $name:$shown"
  local log status=0
  log="$(timeout 20 qemu-system-x86_64 -nographic -no-reboot -display none -monitor none \
    -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" 2>"$tmp/stderr")" || status=$?
  # QEMU's own messages (warnings, or why it refused the kernel), then the probe's lines
  sed 's/^/stderr: /' "$tmp/stderr"
  sed -n '/PROBE-BEGIN/,/PROBE-END/p; /pic eip/p' <<<"$log" | sed 's/^.*\(PROBE-BEGIN\)/\1/; s/^.*\(pic eip\)/\1/' | tr -d '\r'
  echo "exit-status=$status"
}

{
  echo "# $(qemu-system-x86_64 --version | head -1): what -kernel hands a multiboot 1 kernel."
  echo "# Written by scripts/boot/probe/run.sh; do not edit by hand. Every run: qemu-system-x86_64"
  echo "#   -nographic -no-reboot -display none -monitor none -serial stdio"
  echo "#   -device isa-debug-exit,iobase=0xf4,iosize=4 ARGS   (cwd test/fixtures/boot/probe)"
  run elf32-flags0-m128 -m 128 -kernel probe.elf
  run elf32-flags3-append-modules -m 128 -kernel probe3.elf -append "console=ttyS0 loglevel=7" -initrd "modA.txt alpha beta,modB.txt"
  run elf32-flags0-modules -m 128 -kernel probe.elf -initrd "modB.txt,modA.txt x"
  run aout-kludge-0x200000 -m 64 -kernel probe-aout.bin -append "aout"
  run aout-kludge-0x300000-whole-file-no-bss -m 128 -kernel probe-aout300.bin
  run aout-kludge-0x200800 -m 128 -kernel probe-aout200800.bin -initrd modA.txt
  run elf32-at-0x100800 -m 128 -kernel probe-100800.elf
  run elf32-at-16m -m 128 -kernel probe-16m.elf
  run elf32-flags4-video -m 128 -kernel probe4.elf
  run elf32-flags8-undefined -m 128 -kernel probe8.elf
  run elf64 -m 128 -kernel probe64.elf
  run elf32-higher-half -m 128 -kernel higher.elf
  run elf32-with-aout-kludge -m 128 -kernel kludge-elf.elf
  run flat-without-aout-kludge -m 128 -kernel nokludge.bin
  run no-multiboot-header -m 128 -kernel junk.bin
  for m in 2 16 32 127 256 1024 3071 3072 3584 4096; do
    run "elf32-flags0-m$m" -m "$m" -kernel probe.elf
  done
} > "$out"
echo "wrote $out"
