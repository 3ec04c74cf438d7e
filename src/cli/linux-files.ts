// Where the Debian guest's files live on this machine (scripts/fetch-linux.sh puts them there), and the
// ELF vmlinux extracted from the bzImage, cached beside it so that only the first boot pays for the XZ
// decompression.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LoaderError } from '../loaders/loader-error.ts';
import { extractVmlinux } from '../loaders/vmlinux-extract.ts';

/** .cache/linux in the repository: bzImage, busybox, VERSIONS (`npm run fetch:linux`). */
export const LINUX_CACHE_DIR = join(import.meta.dirname, '../../.cache/linux');

/** A file of the Linux cache, or one clear error naming it and how to get it. */
export function readCacheFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new LoaderError(`${path} not found: run "npm run fetch:linux" to fetch Debian's kernel and busybox`);
  return new Uint8Array(readFileSync(path));
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * The ELF vmlinux inside `bzImagePath` (src/loaders/vmlinux-extract.ts). Cached as `vmlinux` in the
 * bzImage's folder, with `vmlinux.key` holding the SHA-256 of the bzImage it came from and of itself:
 * another bzImage (a new Debian kernel) is extracted again, and a cache file cut short (disk full, a
 * killed writer) is rebuilt rather than booted. Files are written under temporary names and renamed,
 * so concurrent runs never read half a file.
 */
export async function vmlinuxFor(bzImagePath: string): Promise<Uint8Array> {
  const bz = readCacheFile(bzImagePath);
  const dir = dirname(bzImagePath);
  const out = join(dir, 'vmlinux'), keyFile = join(dir, 'vmlinux.key');
  const key = (vmlinux: Uint8Array) => `bzImage sha256 ${sha256(bz)}\nvmlinux sha256 ${sha256(vmlinux)}\n`;
  if (existsSync(out) && existsSync(keyFile)) {
    const cached = new Uint8Array(readFileSync(out));
    if (readFileSync(keyFile, 'utf8') === key(cached)) return cached;
  }
  const vmlinux = await extractVmlinux(bz);
  const tmp = `.${process.pid}.tmp`;
  writeFileSync(out + tmp, vmlinux);
  writeFileSync(keyFile + tmp, key(vmlinux));
  renameSync(out + tmp, out);
  renameSync(keyFile + tmp, keyFile);
  return vmlinux;
}
