#!/bin/sh
# Fetch the Debian i386 guest (kernel + static busybox) into .cache/linux/ (ignored by git).
# Nothing of Debian's is committed: this script resolves the current packages from Debian's
# registry with the ordinary tools and unpacks them. Idempotent: a complete cache is left alone.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/.cache/linux"
if [ -f "$DEST/bzImage" ] && [ -f "$DEST/busybox" ] && [ -f "$DEST/VERSIONS" ]; then
  echo "fetch-linux: already in $DEST ($(tr '\n' ' ' < "$DEST/VERSIONS"))"
  exit 0
fi
for tool in apt-get apt-cache dpkg dpkg-deb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-linux: '$tool' not found: this script needs a Debian-based system (apt-get, dpkg-deb)." >&2
    echo "  On Debian/Ubuntu it is already there; elsewhere fetch linux-image-686:i386 and busybox-static:i386 by hand into $DEST." >&2
    exit 1
  fi
done
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "fetch-linux: adding the i386 architecture to dpkg (needs root)"
  $SUDO dpkg --add-architecture i386
  $SUDO apt-get update -qq || echo "fetch-linux: apt-get update reported errors; trying with what it fetched"
fi
# The meta package names the current kernel image package (linux-image-6.1.0-NN-686).
if ! KPKG=$(apt-cache depends linux-image-686:i386 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n1) || [ -z "$KPKG" ]; then
  $SUDO apt-get update -qq || echo "fetch-linux: apt-get update reported errors; trying with what it fetched"
  KPKG=$(apt-cache depends linux-image-686:i386 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n1)
fi
if [ -z "$KPKG" ]; then
  echo "fetch-linux: cannot resolve the kernel package from linux-image-686:i386" >&2
  exit 1
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"   # apt-get download runs as _apt when it can
cd "$WORK"
echo "fetch-linux: downloading $KPKG:i386 and busybox-static:i386"
apt-get download -q "$KPKG:i386" "busybox-static:i386" >/dev/null
mkdir -p k b "$DEST"
dpkg-deb -x "$KPKG"_*.deb k
dpkg-deb -x busybox-static_*.deb b
cp k/boot/vmlinuz-* "$DEST/bzImage"
cp b/bin/busybox "$DEST/busybox"
for deb in "$KPKG"_*.deb busybox-static_*.deb; do
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
done > "$DEST/VERSIONS"
echo "fetch-linux: $DEST: $(tr '\n' ' ' < "$DEST/VERSIONS")"
