#!/usr/bin/env bash
# Run every guest image on QEMU and report: a cross-check of the guests themselves against a second
# machine. Nothing in the project depends on it (apt-get install qemu-system-x86 to use it).
#
#   guests/qemu-check.sh [--icount] [IMAGEDIR]
#
# --icount runs QEMU with virtual time derived from instructions (-icount shift=0,sleep=off) and a virtual
# RTC (-rtc clock=vm): the same time model as trapeze (1 instruction = 1 ns, idle time skipped), and
# immune to the timer interrupts QEMU loses in real-time mode on a busy host.
set -uo pipefail
icount=()
if [[ ${1:-} == --icount ]]; then
    icount=(-icount shift=0,sleep=off -rtc base=2024-03-05T06:07:08,clock=vm)
    shift
fi
dir=${1:-$(cd "$(dirname "$0")" && pwd)/images}
command -v qemu-system-i386 >/dev/null || { echo "qemu-system-i386 not found" >&2; exit 2; }

failures=0
run() { # run NAME WANT_EXIT IMAGE [APPEND]
    local name=$1 want=$2 image=$3 append=${4:-}
    local out rc
    out=$(timeout 120 qemu-system-i386 -kernel "$image" ${append:+-append "$append"} -serial stdio -display none \
        -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -m 128 -cpu pentium2 "${icount[@]}" \
        </dev/null 2>&1 | tr -d '\r')
    rc=${PIPESTATUS[0]}
    local last
    last=$(printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' | tail -1)
    if [[ $rc == "$want" && ( -z $last || $last == PASS* ) ]]; then
        printf 'ok    %-12s exit %3s  %s\n' "$name" "$rc" "$last"
    else
        printf 'FAIL  %-12s exit %3s (want %s)  %s\n' "$name" "$rc" "$want" "$last"
        printf '%s\n' "$out" | grep -E '^  FAIL|^FAIL' | sed 's/^/        /'
        failures=$((failures + 1))
    fi
}

for t in boot pic pit cmos uart i8042; do
    run "$t" 1 "$dir/tests/$t.elf" "qemu-check"
done
run boot-aout 1 "$dir/tests/boot-aout.bin" "qemu-check"
run debug-exit 15 "$dir/tests/debug-exit.elf" "status=7"
run demo-os 1 "$dir/demo-os.elf" "autorun"
exit $((failures > 0))
