// A minimal initramfs for the Linux workload, used only while the project's own builder
// (`trapeze initramfs -o FILE`) is absent from the tree: Debian's static busybox and an /init that mounts
// /proc, prints the marker line and powers off. Format: cpio "newc" (the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst: 110-byte ASCII header, name and data each
// padded to 4 bytes, a "TRAILER!!!" entry), gzip-compressed. /dev/console is in the archive because the
// kernel opens it for init's standard streams before anything can mount devtmpfs.

import { gzipSync } from 'node:zlib';

interface Entry {
  name: string;
  mode: number;
  data?: Uint8Array;
  rdevMajor?: number;
  rdevMinor?: number;
}

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** A newc archive of the entries (in order), with the trailer. Times are 0: the same bytes every time. */
export function cpioNewc(entries: readonly Entry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => { parts.push(b); size += b.length; };
  const pad = () => { if (size % 4) push(new Uint8Array(4 - (size % 4))); };
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = e.data ?? new Uint8Array(0);
    const name = Buffer.from(e.name + '\0', 'latin1');
    const isDir = (e.mode & 0o170000) === S_IFDIR;
    const fields = [
      e.name === 'TRAILER!!!' ? 0 : ino++, e.mode, 0, 0, isDir ? 2 : 1, 0, data.length,
      0, 0, e.rdevMajor ?? 0, e.rdevMinor ?? 0, name.length, 0,
    ];
    push(Buffer.from('070701' + fields.map(hex8).join(''), 'latin1'));
    push(name);
    pad();
    push(data);
    pad();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function markerInit(marker: string): string {
  return [
    '#!/bin/sh',
    '# The bench\'s stand-in /init: reach userspace, say so, power off.',
    '/bin/busybox mount -t proc proc /proc',
    `/bin/busybox echo '${marker}'`,
    '/bin/busybox poweroff -f',
    '',
  ].join('\n');
}

/** The gzip-compressed initramfs: busybox (a static i386 binary) and the marker /init. */
export function buildFallbackInitramfs(busybox: Uint8Array, marker: string): Uint8Array {
  const cpio = cpioNewc([
    { name: 'bin', mode: S_IFDIR | 0o755 },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox },
    { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') },
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'proc', mode: S_IFDIR | 0o755 },
    { name: 'sys', mode: S_IFDIR | 0o755 },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(markerInit(marker)) },
  ]);
  return gzipSync(cpio, { level: 9 });
}
