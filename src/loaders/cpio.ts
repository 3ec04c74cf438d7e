// A cpio archive writer in the SVR4 "newc" format (magic 070701), the format the Linux kernel unpacks
// into its rootfs as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst) and that
// GNU cpio writes with `-H newc`.
//
// Each member is a 110-byte ASCII header (the magic, then 13 fields of 8 uppercase hex digits: ino,
// mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize with its
// NUL, check = 0), the NUL-terminated name padded with NULs so that header + name is a multiple of 4,
// then the file data padded to a multiple of 4. A member named TRAILER!!! ends the archive.
//
// Everything that would make two builds differ is fixed: uid/gid 0, mtime 0, inode numbers 1, 2, 3 …
// in member order, device of the archive 0:0. Names are stored without a leading "/" (the kernel takes
// either; GNU cpio would strip it with a warning). Pure TypeScript: Uint8Array in, Uint8Array out.

import { LoaderError } from './loader-error.ts';

/** File type bits of st_mode (POSIX <sys/stat.h>), as newc stores them in the mode field. */
export const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000, S_IFBLK = 0o060000;

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Uint8Array; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'char' | 'block'; path: string; major: number; minor: number; mode?: number };

const MAGIC = '070701';
const HEADER_SIZE = 110;
export const TRAILER_NAME = 'TRAILER!!!';

const utf8 = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

interface Member {
  ino: number;
  mode: number;
  nlink: number;
  rdevMajor: number;
  rdevMinor: number;
  name: Uint8Array;
  data: Uint8Array;
}

function checkField(path: string, what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new LoaderError(`cpio member ${path}: ${what} ${v} out of range 0..${max}`);
  return v;
}

function toMember(e: CpioEntry, ino: number): Member {
  const path = e.path.replace(/^\/+/, '');
  if (path === '' || path.includes('\0')) throw new LoaderError(`cpio member ${JSON.stringify(e.path)}: bad path`);
  const name = utf8.encode(path);
  const perm = (m: number | undefined, dflt: number) => checkField(path, 'mode', m ?? dflt, 0o7777);
  switch (e.type) {
    case 'dir':
      // A directory's link count is 2 (its entry and its "."); the kernel ignores it, cpio -t shows it.
      return { ino, mode: S_IFDIR | perm(e.mode, 0o755), nlink: 2, rdevMajor: 0, rdevMinor: 0, name, data: new Uint8Array(0) };
    case 'file':
      if (e.data.length > 0xFFFFFFFF) throw new LoaderError(`cpio member ${path}: ${e.data.length} bytes do not fit newc's 32-bit size`);
      return { ino, mode: S_IFREG | perm(e.mode, 0o644), nlink: 1, rdevMajor: 0, rdevMinor: 0, name, data: e.data };
    case 'symlink':
      // A symlink's data is its target, without a terminating NUL.
      if (e.target === '' || e.target.includes('\0')) throw new LoaderError(`cpio member ${path}: bad symlink target`);
      return { ino, mode: S_IFLNK | 0o777, nlink: 1, rdevMajor: 0, rdevMinor: 0, name, data: utf8.encode(e.target) };
    case 'char':
    case 'block':
      return {
        ino, mode: (e.type === 'char' ? S_IFCHR : S_IFBLK) | perm(e.mode, 0o600), nlink: 1,
        rdevMajor: checkField(path, 'major', e.major, 0xFFF), rdevMinor: checkField(path, 'minor', e.minor, 0xFFFFF),
        name, data: new Uint8Array(0),
      };
  }
}

/** Bytes one member takes: header + name (padded) + data (padded). */
function memberSize(m: Member): number {
  return pad4(HEADER_SIZE + m.name.length + 1) + pad4(m.data.length);
}

function writeMember(out: Uint8Array, at: number, m: Member): number {
  const fields = [m.ino, m.mode, 0 /* uid */, 0 /* gid */, m.nlink, 0 /* mtime */, m.data.length,
    0, 0 /* devmajor, devminor: the archive's device */, m.rdevMajor, m.rdevMinor, m.name.length + 1, 0 /* check */];
  let h = MAGIC;
  for (const f of fields) h += hex8(f);
  for (let i = 0; i < HEADER_SIZE; i++) out[at + i] = h.charCodeAt(i);
  out.set(m.name, at + HEADER_SIZE);
  // The NUL after the name and the padding are already zero (fresh buffer).
  at += pad4(HEADER_SIZE + m.name.length + 1);
  out.set(m.data, at);
  return at + pad4(m.data.length);
}

/**
 * A newc archive of `entries`, in the given order (a directory must come before what it contains, as
 * the kernel creates each member as it reads it), ended by the TRAILER!!! member. Throws LoaderError
 * for a bad path, mode, device number, or two members with the same path.
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const seen = new Set<string>();
  const members = entries.map((e, i) => {
    const m = toMember(e, i + 1);
    const key = e.path.replace(/^\/+/, '');
    if (seen.has(key)) throw new LoaderError(`cpio member ${key} given twice`);
    seen.add(key);
    return m;
  });
  // The trailer as GNU cpio writes it: inode 0, mode 0, one link, no data.
  members.push({ ino: 0, mode: 0, nlink: 1, rdevMajor: 0, rdevMinor: 0, name: utf8.encode(TRAILER_NAME), data: new Uint8Array(0) });
  const out = new Uint8Array(members.reduce((n, m) => n + memberSize(m), 0));
  let at = 0;
  for (const m of members) at = writeMember(out, at, m);
  return out;
}

/** One member as readCpio returns it: the header's fields that matter, the name and the data. */
export interface CpioMember {
  name: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Uint8Array;
}

/**
 * The members of a newc archive up to (not including) its TRAILER!!!: the inverse of writeCpio, for
 * tests and tools that inspect an initramfs. Throws LoaderError for a bad magic, a bad hex field, or a
 * member that runs past the end.
 */
export function readCpio(archive: Uint8Array): CpioMember[] {
  const latin1 = (a: number, b: number) => String.fromCharCode(...archive.subarray(a, b));
  const out: CpioMember[] = [];
  let at = 0;
  for (;;) {
    if (at + HEADER_SIZE > archive.length) throw new LoaderError(`cpio archive ends at ${archive.length} without a ${TRAILER_NAME} member`);
    if (latin1(at, at + 6) !== MAGIC) throw new LoaderError(`cpio member at ${at}: bad magic ${JSON.stringify(latin1(at, at + 6))} (want ${MAGIC}, newc)`);
    const f: number[] = [];
    for (let i = 0; i < 13; i++) {
      const s = latin1(at + 6 + i * 8, at + 14 + i * 8);
      if (!/^[0-9A-Fa-f]{8}$/.test(s)) throw new LoaderError(`cpio member at ${at}: bad header field ${JSON.stringify(s)}`);
      f.push(parseInt(s, 16));
    }
    const [ino, mode, uid, gid, nlink, mtime, size, , , rdevMajor, rdevMinor, namesize] = f;
    const dataAt = pad4(at + HEADER_SIZE + namesize);
    if (namesize < 1 || dataAt + size > archive.length) throw new LoaderError(`cpio member at ${at} runs past the end of the archive`);
    const name = new TextDecoder().decode(archive.subarray(at + HEADER_SIZE, at + HEADER_SIZE + namesize - 1));
    if (name === TRAILER_NAME) return out;
    out.push({ name, ino, mode, uid, gid, nlink, mtime, rdevMajor, rdevMinor, data: archive.subarray(dataAt, dataAt + size) });
    at = pad4(dataAt + size);
  }
}
