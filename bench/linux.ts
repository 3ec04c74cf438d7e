// The Linux workload's inputs: Debian's bzImage (fetched by `npm run fetch:linux` into .cache/linux), one
// initramfs file given to every engine, and the kernel command line of ../shared/notes/peers.md plus
// trapeze.mode=marker. The initramfs comes from the project's own builder (`trapeze initramfs -o FILE`)
// when this tree has it, else from bench/initramfs-fallback.ts (busybox and a marker /init).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinuxBoot } from './engines/protocol.ts';
import { TRAPEZE_BIN, type CliFeatures } from './engines/trapeze-cli.ts';
import { buildFallbackInitramfs } from './initramfs-fallback.ts';
import { REPO_ROOT } from './workloads.ts';

export const DEFAULT_LINUX_DIR = join(REPO_ROOT, '.cache', 'linux');
export const LINUX_CMDLINE = 'console=ttyS0 nokaslr cryptomgr.notests noisapnp pci=off 8250.nr_uarts=1 quiet trapeze.mode=marker';
export const LINUX_MARKER = 'trapeze-init: userspace reached';

export interface LinuxSetup {
  boot: LinuxBoot;
  /** Where the initramfs came from, in words. */
  initrdFrom: string;
  /** The kernel's Debian version (.cache/linux/VERSIONS), if known. */
  versions?: string;
  /** The untimed warm-up run (vmlinux extraction) went wrong: what it said. */
  warmUp?: string;
  /** Removes the temporary initramfs. */
  cleanup(): void;
}

/** Why the Linux workload cannot run (one line), or undefined when the files are there. */
export function linuxMissing(dir: string): string | undefined {
  for (const f of ['bzImage', 'busybox']) {
    if (!existsSync(join(dir, f))) return `${join(dir, f)} not found: run npm run fetch:linux (Debian's kernel and busybox)`;
  }
  return undefined;
}

export function prepareLinux(dir: string, cli: CliFeatures): LinuxSetup {
  const tmp = mkdtempSync(join(tmpdir(), 'trapeze-bench-'));
  const initrd = join(tmp, 'initramfs.cpio.gz');
  let initrdFrom: string;
  const ours = cli.initramfs
    ? spawnSync(process.execPath, [TRAPEZE_BIN, 'initramfs', '-o', initrd], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 })
    : undefined;
  if (ours && ours.status === 0 && existsSync(initrd)) {
    initrdFrom = '`trapeze initramfs`';
  } else {
    writeFileSync(initrd, buildFallbackInitramfs(readFileSync(join(dir, 'busybox')), LINUX_MARKER));
    initrdFrom = ours
      ? `the bench's stand-in (\`trapeze initramfs\` failed: ${`${ours.stderr ?? ''}`.trim().split('\n').pop() || `status ${ours.status}`})`
      : 'the bench\'s stand-in (bench/initramfs-fallback.ts: this tree has no `trapeze initramfs` yet)';
  }
  // `trapeze run linux --boot vmlinux` extracts the vmlinux from the bzImage once and caches it beside it:
  // pay for that here, untimed, so that no repetition measures the extraction.
  let warmUp: string | undefined;
  if (cli.linux) {
    const r = spawnSync(process.execPath, [TRAPEZE_BIN, 'run', 'linux', '--boot', 'vmlinux', '--initrd', initrd, '--max-insns', '1'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 124) warmUp = `warm-up \`trapeze run linux --boot vmlinux --max-insns 1\` ended with ${r.signal ?? `status ${r.status}`}: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`;
  }
  let versions: string | undefined;
  try {
    versions = readFileSync(join(dir, 'VERSIONS'), 'utf8').trim().split('\n').join('; ');
  } catch {
    // optional
  }
  return {
    boot: { bzImage: join(dir, 'bzImage'), initrd, cmdline: LINUX_CMDLINE, marker: LINUX_MARKER },
    initrdFrom,
    versions,
    warmUp,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
