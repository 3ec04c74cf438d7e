#!/usr/bin/env bash
# Build every guest image from source, reproducibly.
#
#   guests/build.sh [OUTDIR]      (default: guests/images, the committed images)
#
# Needs Debian 12's gcc (with gcc-multilib), nasm and binutils. The output depends only on the sources and
# the tool versions: no timestamps, no build IDs, no absolute paths (everything is compiled from this
# directory with relative names, and objects go to a private temporary directory that never appears in
# the output), a fixed link order, and no debug information. scripts/check-guests.sh rebuilds into a
# temporary directory and compares byte for byte.
set -euo pipefail
export LC_ALL=C TZ=UTC

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/images}
mkdir -p "$out/tests"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"

for tool in gcc nasm ld; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (apt-get install gcc-multilib nasm)" >&2; exit 1; }
done

# -mgeneral-regs-only: no x87, MMX or SSE instruction or register anywhere (the demo OS saves no FPU state).
# -fno-tree-loop-distribute-patterns: GCC must not turn our memset loop into a call to memset.
# -fno-delete-null-pointer-checks: address 0 is a real (if unmapped) address in a kernel.
CFLAGS=(-m32 -march=i586 -std=gnu11 -O2 -g0 -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-tree-loop-distribute-patterns
    -fno-delete-null-pointer-checks -fno-strict-aliasing -mgeneral-regs-only -fno-ident -fno-common
    "-ffile-prefix-map=$here=." "-ffile-prefix-map=$work=build" -Wall -Wextra -Werror)
LDFLAGS=(-m elf_i386 -nostdlib --build-id=none -z noexecstack -z max-page-size=0x1000 --no-undefined)

cc() { # cc SOURCE OBJECT [EXTRA FLAGS...]
    local src=$1 obj=$2; shift 2
    mkdir -p "$(dirname "$obj")"
    gcc "${CFLAGS[@]}" "$@" -c "$src" -o "$obj"
}
asm() { # asm SOURCE OBJECT [EXTRA FLAGS...]
    local src=$1 obj=$2; shift 2
    mkdir -p "$(dirname "$obj")"
    nasm -f elf32 -w+all "$@" "$src" -o "$obj"
}

# ---- the demo OS: user programs first (the kernel embeds them) ----
u=$work/demo-os/user
asm demo-os/user/crt0.asm "$u/crt0.o"
asm demo-os/user/syscall.asm "$u/syscall.o"
cc lib/string.c "$u/string.o"
cc lib/format.c "$u/format.o"
cc demo-os/user/ulib.c "$u/ulib.o"
for prog in shell sieve clock crash; do
    cc "demo-os/user/$prog.c" "$u/$prog.o"
    # -s: the kernel carries these inside itself, so no symbol tables
    ld "${LDFLAGS[@]}" -s -T demo-os/user/user.ld -o "$u/$prog.elf" \
        "$u/crt0.o" "$u/$prog.o" "$u/ulib.o" "$u/syscall.o" "$u/format.o" "$u/string.o"
done

k=$work/demo-os/kernel
kobjs=()
asm demo-os/kernel/boot.asm "$k/boot.o"; kobjs+=("$k/boot.o")
asm demo-os/kernel/entry.asm "$k/entry.o"; kobjs+=("$k/entry.o")
for f in main console cpu trap mm proc elf syscall; do
    cc "demo-os/kernel/$f.c" "$k/$f.o"; kobjs+=("$k/$f.o")
done
cc lib/string.c "$k/string.o"; kobjs+=("$k/string.o")
cc lib/format.c "$k/format.o"; kobjs+=("$k/format.o")
# nasm's -i prefix is pasted in front of the file name: it needs the trailing slash.
asm demo-os/kernel/programs.asm "$k/programs.o" -i "$u/"; kobjs+=("$k/programs.o")
# The kernel keeps its symbol table (function names in traces and panics are worth the few KiB).
ld "${LDFLAGS[@]}" -T demo-os/kernel/kernel.ld -o "$out/demo-os.elf" "${kobjs[@]}"

# ---- the platform test kernels ----
t=$work/tests
asm tests/lib/entry.asm "$t/entry.o"
asm tests/lib/entry.asm "$t/entry-aout.o" -DAOUT
asm tests/lib/isr.asm "$t/isr.o"
cc tests/lib/testlib.c "$t/testlib.o"
cc lib/string.c "$t/string.o"
cc lib/format.c "$t/format.o"
libobjs=("$t/isr.o" "$t/testlib.o" "$t/format.o" "$t/string.o")

test_kernel() { # test_kernel NAME [LINK FLAGS...]
    local name=$1; shift
    cc "tests/$name.c" "$t/$name.o"
    ld "${LDFLAGS[@]}" "$@" -T tests/lib/test.ld -o "$out/tests/$name.elf" "$t/entry.o" "$t/$name.o" "${libobjs[@]}"
}
for name in boot pic pit cmos uart debug-exit; do
    test_kernel "$name"
done
test_kernel i8042 --defsym=LOAD_ADDR=0x200000
# The boot test once more, as an a.out-kludge flat binary.
cc tests/boot.c "$t/boot-aout.o" -DAOUT
ld "${LDFLAGS[@]}" -T tests/lib/aout.ld -o "$out/tests/boot-aout.bin" "$t/entry-aout.o" "$t/boot-aout.o" "${libobjs[@]}"

# ---- the benchmark guests (bench/, run by the project's benchmark): one image per workload ----
b=$work/bench
mkdir -p "$out/bench"
asm bench/entry.asm "$b/entry.o"
cc bench/bench.c "$b/bench.o"
cc lib/format.c "$b/format.o"
cc lib/string.c "$b/string.o"
for w in tight mixed memory; do
    asm "bench/$w.asm" "$b/$w.o"
    ld "${LDFLAGS[@]}" -T bench/bench.ld -o "$out/bench/$w.elf" "$b/entry.o" "$b/bench.o" "$b/$w.o" "$b/format.o" "$b/string.o"
done

echo "built into $out:"
(cd "$out" && find . -type f | LC_ALL=C sort | while read -r f; do printf '  %-24s %7d bytes\n' "${f#./}" "$(stat -c %s "$f")"; done)
