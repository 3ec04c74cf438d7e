// The initramfs `trapeze run linux` boots and `trapeze initramfs` writes: Debian's static busybox from the
// Linux cache and the scripts in guests/linux/, built by src/loaders/linux-initramfs.ts, gzip-compressed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { buildInitramfs, type ExtraFile } from '../loaders/linux-initramfs.ts';
import { LINUX_CACHE_DIR, readCacheFile } from './linux-files.ts';

/** guests/linux: init.sh (/init) and session.sh (/session.sh). */
export const LINUX_GUEST_DIR = join(import.meta.dirname, '../../guests/linux');

/** The uncompressed newc archive. */
export function linuxInitramfsCpio(cacheDir: string = LINUX_CACHE_DIR, extraFiles?: readonly ExtraFile[]): Uint8Array {
  return buildInitramfs({
    busybox: readCacheFile(join(cacheDir, 'busybox')),
    init: readFileSync(join(LINUX_GUEST_DIR, 'init.sh'), 'utf8'),
    session: readFileSync(join(LINUX_GUEST_DIR, 'session.sh'), 'utf8'),
    extraFiles,
  });
}

/**
 * The gzip-compressed initramfs. Deterministic: Node's gzip header has mtime 0 and no name, and the
 * level is fixed, so the same inputs give the same bytes on every run (the OS byte is the host's).
 */
export function linuxInitramfs(cacheDir: string = LINUX_CACHE_DIR, extraFiles?: readonly ExtraFile[]): Uint8Array {
  return new Uint8Array(gzipSync(linuxInitramfsCpio(cacheDir, extraFiles), { level: constants.Z_BEST_COMPRESSION }));
}
