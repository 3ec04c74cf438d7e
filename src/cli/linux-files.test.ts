// The vmlinux cache: extracted once per bzImage, reused, rebuilt when it does not match.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINUX_CACHE_DIR, vmlinuxFor } from './linux-files.ts';
import { LoaderError } from '../loaders/loader-error.ts';

const bzImage = join(LINUX_CACHE_DIR, 'bzImage');

test('vmlinuxFor: extracts and caches beside the bzImage, reuses the cache, rebuilds a damaged one', { skip: !existsSync(bzImage) && '.cache/linux absent (npm run fetch:linux)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trapeze-vmlinux-'));
  try {
    const bz = join(dir, 'bzImage');
    copyFileSync(bzImage, bz);
    const first = await vmlinuxFor(bz);
    assert.deepEqual([...first.subarray(0, 4)], [0x7F, 0x45, 0x4C, 0x46]);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'vmlinux'))), first);
    assert.match(readFileSync(join(dir, 'vmlinux.key'), 'utf8'), /^bzImage sha256 [0-9a-f]{64}\nvmlinux sha256 [0-9a-f]{64}\n$/);
    // A second call reads the cache: the file is not rewritten.
    const mtime = statSync(join(dir, 'vmlinux')).mtimeMs;
    assert.deepEqual(await vmlinuxFor(bz), first);
    assert.equal(statSync(join(dir, 'vmlinux')).mtimeMs, mtime);
    // A cache cut short is not booted: extracted again.
    writeFileSync(join(dir, 'vmlinux'), first.subarray(0, 1000));
    assert.deepEqual(await vmlinuxFor(bz), first);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'vmlinux'))), first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vmlinuxFor: a missing bzImage is a LoaderError naming it', async () => {
  await assert.rejects(vmlinuxFor('/nonexistent/bzImage'), (e: unknown) => e instanceof LoaderError && /^\/nonexistent\/bzImage not found: run "npm run fetch:linux"/.test(e.message));
});
