// `trapeze run linux` and `trapeze run <bzImage>`: what to load for a Linux guest. The word `linux` names the
// Debian kernel and busybox fetched into .cache/linux by `npm run fetch:linux`, with an initramfs built on the
// fly (guests/linux/init.sh) and a command line that boots fast; a path to any bzImage boots that kernel with
// the command line given (QEMU's -kernel/-append/-initrd semantics).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PC } from '../platform/pc.ts';
import { isBzImage, loadBzImage, loadVmlinux } from '../loaders/linux-boot.ts';
import { LINUX_CACHE_DIR, vmlinuxFor } from './linux-files.ts';
import { linuxInitramfs } from './initramfs-file.ts';

/** The keyword that names the fetched Debian guest. */
export const LINUX_KEYWORD = 'linux';

/**
 * The command line `trapeze run linux` starts from (notes/linux-guest.md "A fast command line"): serial
 * console, no KASLR (deterministic runs), no crypto self-tests (~3.8 G instructions), no ISA PnP or PCI
 * probing (this PC has neither), one UART. `--append` adds to it; the last of repeated parameters wins.
 */
export const LINUX_DEFAULT_CMDLINE = 'console=ttyS0 nokaslr cryptomgr.notests noisapnp pci=off 8250.nr_uarts=1 quiet';

/** How the Linux guest's COM1 line is sped up (uart16550.ts lineSpeedup): 9600 baud → ~1 µs a character. */
export const LINUX_SERIAL_SPEEDUP = 1000;

export type LinuxBootPath = 'bzimage' | 'vmlinux';

export interface LinuxGuestOptions {
  append?: string;
  initrd?: Uint8Array;
  boot?: LinuxBootPath;
}

export interface LinuxGuest {
  describe: string;
  load(pc: PC): void;
}

export class LinuxGuestError extends Error {}

/** Is this image argument a Linux guest (the keyword, or a file with a boot-protocol header)? */
export function isLinuxImage(arg: string | undefined, bytes: Uint8Array | undefined): boolean {
  return arg === LINUX_KEYWORD || (bytes !== undefined && isBzImage(bytes));
}

/** Path of the fetched kernel, or an error that says how to fetch it. */
export function fetchedKernelPath(): string {
  const p = join(LINUX_CACHE_DIR, 'bzImage');
  if (!existsSync(p) || !existsSync(join(LINUX_CACHE_DIR, 'busybox'))) {
    throw new LinuxGuestError(`the Debian guest is not fetched (${LINUX_CACHE_DIR} has no bzImage/busybox): run \`npm run fetch:linux\` first`);
  }
  return p;
}

/**
 * Prepare a Linux guest. `kernelPath` is the bzImage (the fetched one for the keyword). The vmlinux boot
 * path extracts (and caches) the kernel's ELF image from the bzImage's XZ payload.
 */
export async function prepareLinux(keyword: boolean, kernelPath: string, kernel: Uint8Array, opts: LinuxGuestOptions): Promise<LinuxGuest> {
  const boot: LinuxBootPath = opts.boot ?? (keyword ? 'vmlinux' : 'bzimage');
  const cmdline = keyword
    ? [LINUX_DEFAULT_CMDLINE, opts.append ?? ''].join(' ').trim()
    : (opts.append ?? 'console=ttyS0');
  const initrd = opts.initrd ?? (keyword ? linuxInitramfs(LINUX_CACHE_DIR) : undefined);
  const vmlinux = boot === 'vmlinux' ? await vmlinuxFor(kernelPath) : undefined;
  return {
    describe: `${boot === 'vmlinux' ? 'vmlinux extracted from ' : ''}${kernelPath}`,
    load(pc: PC) {
      if (vmlinux) loadVmlinux(pc.mem, pc.cpu, vmlinux, kernel, { cmdline, initrd });
      else loadBzImage(pc.mem, pc.cpu, kernel, { cmdline, initrd });
    },
  };
}

export interface HeadlessResult {
  /** Everything the guest wrote on COM1, as Latin-1 text. */
  output: string;
  instructions: number;
  reason: string;
}

/**
 * Boot the fetched Debian guest without a terminal (tests, the bench): no input, virtual time only, until it
 * stops or `maxInsns` instructions have run. Same inputs, same output and instruction count.
 */
export async function runLinuxHeadless(opts: LinuxGuestOptions & { maxInsns?: number; memSize?: number }): Promise<HeadlessResult> {
  const { PC } = await import('../platform/pc.ts');
  const kernelPath = fetchedKernelPath();
  const { readFileSync } = await import('node:fs');
  const guest = await prepareLinux(true, kernelPath, new Uint8Array(readFileSync(kernelPath)), opts);
  const bytes: number[] = [];
  const pc = new PC({ memSize: opts.memSize ?? 128 << 20, serialOut: (b) => { bytes.push(b); }, serialLineSpeedup: LINUX_SERIAL_SPEEDUP, serialHoldInput: true });
  guest.load(pc);
  const max = opts.maxInsns ?? 20e9;
  let reason = 'limit';
  while (pc.cpu.icount < max) {
    const r = pc.run(Math.min(100e6, max - pc.cpu.icount), pc.now() + 1e9);
    if (r.reason === 'limit' || r.reason === 'time') continue;
    reason = r.reason === 'halted' ? 'powered off' : r.reason;
    break;
  }
  pc.uart.drainTransmitter();
  return { output: String.fromCharCode(...bytes), instructions: pc.cpu.icount, reason };
}
