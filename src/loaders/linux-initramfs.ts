// The initramfs trapeze boots Linux with: busybox and two shell scripts in an uncompressed newc archive
// (the CLI layer gzips it; the kernel takes either, Documentation/driver-api/early-userspace/
// buffer-format.rst). The scripts' sources are guests/linux/init.sh and guests/linux/session.sh, read by
// the caller (src/cli/initramfs-file.ts) and passed in, so this stays free of Node built-ins.

import { writeCpio, type CpioEntry } from './cpio.ts';
import { LoaderError } from './loader-error.ts';

/** The line /init prints on the console once userspace runs (guests/linux/init.sh). */
export const INIT_MARKER = 'trapeze-init: userspace reached';
/** /init prints these around /session.sh's output when the command line has trapeze.mode=script. */
export const SESSION_BEGIN_MARKER = 'trapeze-init: session begin';
export const SESSION_DONE_MARKER = 'trapeze-init: session done';

/** Kernel command-line words that pick what /init does after the marker. */
export const MODE_MARKER = 'trapeze.mode=marker';
export const MODE_SCRIPT = 'trapeze.mode=script';

export interface ExtraFile {
  /** Absolute or relative to the archive's root; missing parent directories are added (mode 0755). */
  path: string;
  data: Uint8Array;
  /** Permission bits (default 0644). */
  mode?: number;
}

export interface InitramfsOptions {
  /** A static i386 busybox (Debian's busybox-static), installed as /bin/busybox. */
  busybox: Uint8Array;
  /** /init: the text of guests/linux/init.sh. */
  init: string | Uint8Array;
  /** /session.sh: the text of guests/linux/session.sh. */
  session: string | Uint8Array;
  extraFiles?: readonly ExtraFile[];
}

const utf8 = new TextEncoder();
const bytesOf = (s: string | Uint8Array) => (typeof s === 'string' ? utf8.encode(s) : s);

const ETC_PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';
const ETC_GROUP = 'root:x:0:\n';
const ETC_PROFILE = "PS1='\\w # '\nexport PS1\n";

/** ELF magic, ELFCLASS32, little-endian, then e_machine EM_386 at offset 18. */
function isI386Elf(b: Uint8Array): boolean {
  return b.length >= 20 && b[0] === 0x7F && b[1] === 0x45 && b[2] === 0x4C && b[3] === 0x46
    && b[4] === 1 && b[5] === 1 && b[18] === 3 && b[19] === 0;
}

/**
 * The archive: directories first, then the device nodes the kernel needs before /init mounts devtmpfs
 * (it opens /dev/console for process 1's standard streams), busybox, the scripts, /etc, the extras.
 * Deterministic: the same inputs give the same bytes.
 */
export function buildInitramfs(opts: InitramfsOptions): Uint8Array {
  if (!isI386Elf(opts.busybox)) throw new LoaderError('busybox: not a 32-bit i386 ELF executable (want Debian\'s busybox-static:i386)');
  const init = bytesOf(opts.init);
  if (init.length < 2 || init[0] !== 0x23 || init[1] !== 0x21) throw new LoaderError('/init script does not start with "#!"');
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const dir = (path: string, mode = 0o755) => { dirs.add(path); entries.push({ type: 'dir', path, mode }); };
  for (const d of ['bin', 'dev', 'etc', 'proc', 'sbin', 'sys', 'usr', 'usr/bin', 'usr/sbin']) dir(d);
  dir('root', 0o700);
  dir('tmp', 0o1777);
  // Linux's fixed device numbers (Documentation/admin-guide/devices.txt): 5:1 console, 1:3 null.
  entries.push({ type: 'char', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ type: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ type: 'file', path: 'bin/busybox', data: opts.busybox, mode: 0o755 });
  entries.push({ type: 'symlink', path: 'bin/sh', target: 'busybox' });
  entries.push({ type: 'file', path: 'init', data: init, mode: 0o755 });
  entries.push({ type: 'file', path: 'session.sh', data: bytesOf(opts.session), mode: 0o755 });
  entries.push({ type: 'file', path: 'etc/passwd', data: utf8.encode(ETC_PASSWD) });
  entries.push({ type: 'file', path: 'etc/group', data: utf8.encode(ETC_GROUP) });
  entries.push({ type: 'file', path: 'etc/profile', data: utf8.encode(ETC_PROFILE) });
  for (const f of opts.extraFiles ?? []) {
    const path = f.path.replace(/^\/+/, '');
    const parts = path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new LoaderError(`extra file ${JSON.stringify(f.path)}: bad path`);
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) dir(d);
    }
    entries.push({ type: 'file', path, data: f.data, mode: f.mode ?? 0o644 });
  }
  return writeCpio(entries);
}
