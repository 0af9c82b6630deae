#!/usr/bin/env bash
# Build the DWARF reader fixtures (test/fixtures/dwarf/*.elf) from test/fixtures/dwarf/src/ with
# gcc (DWARF 2-5, 32- and 64-bit DWARF, -O0..-O2, .eh_frame and .debug_frame), nasm and gas, and
# write what the reference tools say about each next to it:
#   NAME.decodedline.txt  readelf --debug-dump=decodedline -W   (every line-table row)
#   NAME.rawline.txt      readelf --debug-dump=rawline -W       (headers, columns)
#   NAME.frames.txt       readelf --debug-dump=frames-interp -W (every CFA table row)
#   NAME.info.txt         readelf --debug-dump=info -W          (C programs: every DIE)
#   NAME.gdb.json         gdb: info scope, lines, whatis/ptype; the program run to its breakpoints
#                         (backtrace, CFAs, registers, variables and values)
# Also the oracle files of examples/c-kernel/kernel.elf (built by examples/c-kernel/build.sh).
# clang is used when present (apt install clang: Debian 12's clang 14 built the committed fixture).
#
# usage: scripts/dwarf/build-fixtures.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fx="$root/test/fixtures/dwarf"
oracle="$root/scripts/dwarf/gdb-oracle.py"
cd "$fx"

# Paths recorded in DWARF: relative names under a fixed directory, not this machine's checkout.
map="-ffile-prefix-map=$fx=/kstack/fixtures/dwarf"
cflags=(-nostdlib -static -no-pie -fno-pic -fno-stack-protector -fcf-protection=none -fno-builtin
  -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noexecstack "$map")
csrc=(src/prog.c src/util.c)

# Breakpoints: the lines marked /* BREAK name */ in the C sources.
breaks=()
for f in "${csrc[@]}"; do
  while IFS=: read -r n _; do breaks+=("\"$(basename "$f"):$n\""); done < <(grep -n 'BREAK ' "$f")
done
join() { local IFS=,; echo "$*"; }

oracles() { # NAME [c]
  local n="$1"
  readelf --debug-dump=decodedline -W "$n.elf" > "$n.decodedline.txt"
  readelf --debug-dump=rawline -W "$n.elf" > "$n.rawline.txt"
  readelf --debug-dump=frames-interp -W "$n.elf" > "$n.frames.txt"
  if [ "${2:-}" = c ]; then
    readelf --debug-dump=info -W "$n.elf" > "$n.info.txt"
    local funcs globals
    funcs=$(nm "$n.elf" | awk '$2 ~ /^[Tt]$/ { printf "\"%s\",", $3 }')
    globals=$(nm "$n.elf" | awk '$2 ~ /^[DdBbRr]$/ && $3 !~ /\./ && $3 !~ /^_/ { printf "\"%s\",", $3 }')
    local brk="[]"
    [ "${3:-}" = run ] && brk="[$(join "${breaks[@]}")]"
    # run from / so gdb does not find the sources and reports paths as DWARF records them
    (cd / && gdb -batch -nx \
      -ex "python OUT='$fx/$n.gdb.json'; FUNCS=[${funcs%,}]; GLOBALS=[${globals%,}]; BREAKS=$brk" \
      -x "$oracle" "$fx/$n.elf") > /dev/null 2> "$n.gdb.log" || { cat "$n.gdb.log" >&2; exit 1; }
    grep -v -E '^(warning: Error disabling address space randomization|$)' "$n.gdb.log" >&2 || true
    rm -f "$n.gdb.log"
  fi
}

c_variant() { # NAME FLAGS...
  local n="$1"
  shift
  gcc "$@" "${cflags[@]}" -o "$n.elf" "${csrc[@]}"
  oracles "$n" c run
}

c_variant c-dwarf2-O1 -gdwarf-2 -gstrict-dwarf -O1
c_variant c-dwarf3-O0 -gdwarf-3 -O0
c_variant c-dwarf4-O0 -gdwarf-4 -O0
c_variant c-dwarf4-O2-debugframe -gdwarf-4 -O2 -fno-asynchronous-unwind-tables
c_variant c-dwarf5-O1 -gdwarf-5 -O1
c_variant c-dwarf5-O2 -gdwarf-5 -O2
c_variant c-dwarf5-O1-dwarf64 -gdwarf-5 -gdwarf64 -O1
if command -v clang > /dev/null; then
  clang -gdwarf-5 -O1 -nostdlib -static -fno-pic -fno-stack-protector "$map" -o clang-dwarf5-O1.elf "${csrc[@]}"
  oracles clang-dwarf5-O1 c run
fi

# nasm: DWARF line table (version 3), two files (a macro from an included file)
nasm -f elf64 -g -F dwarf -I src/ -o nasm.o src/nasm.asm
ld --build-id=none -o nasm.elf nasm.o
rm -f nasm.o
oracles nasm

# gas: CFI of every kind (.eh_frame), and the same in .debug_frame; line tables v5 and v3
as -g --gdwarf-5 --debug-prefix-map "$fx=/kstack/fixtures/dwarf" -o gas.o src/cfi.s
ld --build-id=none -o gas-cfi.elf gas.o
printf '\t.cfi_sections .debug_frame\n\t.include "src/cfi.s"\n' > gas-df.s
as -g --gdwarf-3 --debug-prefix-map "$fx=/kstack/fixtures/dwarf" -o gas.o gas-df.s
ld --build-id=none -o gas-cfi-debugframe.elf gas.o
rm -f gas.o gas-df.s
oracles gas-cfi
oracles gas-cfi-debugframe

# the example C kernel (committed ELF; its oracles live here), run by QEMU under gdb
kernel="$root/examples/c-kernel/kernel.elf"
if [ -f "$kernel" ]; then
  cp "$kernel" c-kernel.elf
  readelf --debug-dump=decodedline -W c-kernel.elf > c-kernel.decodedline.txt
  readelf --debug-dump=rawline -W c-kernel.elf > c-kernel.rawline.txt
  readelf --debug-dump=frames-interp -W c-kernel.elf > c-kernel.frames.txt
  readelf --debug-dump=info -W c-kernel.elf > c-kernel.info.txt 2> /dev/null
  kfuncs=$(nm c-kernel.elf | awk '$2 ~ /^[Tt]$/ && $3 !~ /^isr|^_start|^long_entry/ { printf "\"%s\",", $3 }')
  kglobals=$(nm c-kernel.elf | awk '$2 ~ /^[DdBbRr]$/ && $3 !~ /\./ && $3 !~ /^_/ { printf "\"%s\",", $3 }')
  qemu="| exec qemu-system-x86_64 -gdb stdio -S -display none -monitor none -serial null -no-reboot"
  qemu+=" -device isa-debug-exit,iobase=0xf4,iosize=4 -m 128 -kernel $fx/c-kernel.elf"
  (cd / && timeout 120 gdb -batch -nx \
    -ex "python OUT='$fx/c-kernel.gdb.json'; FUNCS=[${kfuncs%,}]; GLOBALS=[${kglobals%,}]" \
    -ex "python BREAKS=['timer_irq', 'breakpoint_handler', 'page_fault_handler', 'schedule', 'fib if n == 3']" \
    -ex "python TARGET='$qemu'; SKIP_SECTIONS=['.bootbss']" \
    -x "$oracle" "$fx/c-kernel.elf") > /dev/null 2>&1
  rm c-kernel.elf
fi
ls -la "$fx"/*.elf | awk '{ s += $5 } END { printf "fixtures: %d ELF files, %d bytes\n", NR, s }'
