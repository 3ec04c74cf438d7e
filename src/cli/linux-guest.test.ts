// The Debian guest's two boot paths and determinism (issue 10): the ELF vmlinux fast path and the bzImage
// with its own XZ decompressor reach the same userspace, and two boots with the same inputs print the same
// bytes after the same number of instructions. Runs when .cache/linux holds the guest (npm run fetch:linux).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INIT_MARKER } from '../loaders/linux-initramfs.ts';
import { runLinuxHeadless } from './linux-guest.ts';
import { LINUX_CACHE_DIR } from './linux-files.ts';

const have = existsSync(join(LINUX_CACHE_DIR, 'bzImage')) && existsSync(join(LINUX_CACHE_DIR, 'busybox'));
const skip = !have && '.cache/linux absent (npm run fetch:linux)';

/** Kernel messages without their timestamps (the two paths start the kernel at different times). */
const untimed = (s: string) => s.replace(/\r/g, '').split('\n').map((l) => l.replace(/^\[ *\d+\.\d+\] /, ''));

test('vmlinux boot to the initramfs marker: twice the same bytes and instruction count, then power-off', { skip }, async () => {
  const a = await runLinuxHeadless({ boot: 'vmlinux', append: 'trapeze.mode=marker', maxInsns: 3e9 });
  const b = await runLinuxHeadless({ boot: 'vmlinux', append: 'trapeze.mode=marker', maxInsns: 3e9 });
  assert.equal(a.reason, 'powered off');
  assert.ok(a.output.includes(`${INIT_MARKER}\r\n`), a.output.slice(-2000));
  assert.match(a.output, /reboot: System halted/);
  assert.equal(b.output, a.output);
  assert.equal(b.instructions, a.instructions);
});

test('bzImage boot (the kernel decompresses itself) reaches the same userspace as the vmlinux path', { skip }, async () => {
  const vm = await runLinuxHeadless({ boot: 'vmlinux', append: 'trapeze.mode=marker', maxInsns: 3e9 });
  const bz = await runLinuxHeadless({ boot: 'bzimage', append: 'trapeze.mode=marker', maxInsns: 6e9 });
  assert.equal(bz.reason, 'powered off');
  // The decompressor runs first: ~2.3 G more instructions.
  assert.ok(bz.instructions > vm.instructions + 1e9, `${bz.instructions} vs ${vm.instructions}`);
  assert.deepEqual(untimed(bz.output), untimed(vm.output));
});
