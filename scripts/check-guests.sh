#!/usr/bin/env bash
# CI: the committed guest images must be exactly what the sources build (reproducible build).
# Rebuilds every guest into a temporary directory with guests/build.sh and compares byte for byte with
# guests/images/. Needs gcc (with gcc-multilib), nasm and binutils from Debian 12:
#   apt-get install -y gcc-multilib nasm
# Exit status: 0 identical, 1 different (the list is printed), 2 toolchain missing or build failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in gcc nasm ld; do
    if ! command -v "$tool" >/dev/null; then
        echo "check-guests: $tool is not installed (apt-get install -y gcc-multilib nasm)" >&2
        exit 2
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$root/guests/build.sh" "$tmp/images" >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    echo "check-guests: guests/build.sh failed" >&2
    exit 2
fi
status=0
while IFS= read -r -d '' f; do
    rel=${f#"$tmp/images/"}
    if [[ ! -f $root/guests/images/$rel ]]; then
        echo "check-guests: $rel is built but not committed in guests/images/" >&2
        status=1
    elif ! cmp -s "$f" "$root/guests/images/$rel"; then
        echo "check-guests: guests/images/$rel differs from what the sources build" >&2
        status=1
    fi
done < <(find "$tmp/images" -type f -print0 | sort -z)
while IFS= read -r -d '' f; do
    rel=${f#"$root/guests/images/"}
    [[ -f $tmp/images/$rel ]] || { echo "check-guests: guests/images/$rel is committed but no longer built" >&2; status=1; }
done < <(find "$root/guests/images" -type f -print0 | sort -z)
if [[ $status == 0 ]]; then
    echo "check-guests: all $(find "$tmp/images" -type f | wc -l) guest images match their sources"
else
    echo "check-guests: run guests/build.sh and commit guests/images/" >&2
fi
exit $status
