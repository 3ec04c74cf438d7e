// `trapeze initramfs -o FILE`: write the initramfs that `trapeze run linux` boots (Debian's busybox and
// guests/linux/*.sh, src/cli/initramfs-file.ts), e.g. to boot the same userspace on QEMU or v86.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LoaderError } from '../loaders/loader-error.ts';
import { linuxInitramfs, linuxInitramfsCpio } from './initramfs-file.ts';
import { LINUX_CACHE_DIR } from './linux-files.ts';

export interface InitramfsOptions {
  output: string;
  cache?: string;
  uncompressed?: boolean;
}

export const INITRAMFS_HELP_EPILOG = `
The archive holds /bin/busybox (from the cache), /init (guests/linux/init.sh) and /session.sh
(guests/linux/session.sh). What /init does is chosen on the kernel command line: trapeze.mode=marker
(power off after the marker line), trapeze.mode=script (run /session.sh, then power off), otherwise an
interactive shell. The output is the same bytes on every run.
`;

/** Exit status: 0, or 2 with one line on standard error. */
export function initramfsCommand(opts: InitramfsOptions): number {
  try {
    const cacheDir = opts.cache ?? LINUX_CACHE_DIR;
    const image = opts.uncompressed ? linuxInitramfsCpio(cacheDir) : linuxInitramfs(cacheDir);
    writeFileSync(opts.output, image);
    return 0;
  } catch (e) {
    if (e instanceof LoaderError || (e instanceof Error && 'code' in e && typeof e.code === 'string')) {
      process.stderr.write(`trapeze initramfs: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Adds the `initramfs` command to the program; `done` receives its exit status. */
export function addInitramfsCommand(program: Command, done: (code: number) => void): void {
  program
    .command('initramfs')
    .description('write the Linux initramfs (busybox, /init, /session.sh) that "trapeze run linux" boots')
    .requiredOption('-o, --output <file>', 'where to write it (gzip-compressed newc cpio)')
    .option('--cache <dir>', 'folder holding Debian\'s busybox (default: .cache/linux, from "npm run fetch:linux")')
    .option('--uncompressed', 'write the cpio archive without gzip')
    .addHelpText('after', INITRAMFS_HELP_EPILOG)
    .action((opts: InitramfsOptions) => { done(initramfsCommand(opts)); });
}
