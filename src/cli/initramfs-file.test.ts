// The CLI's initramfs: built from the Linux cache and guests/linux, gzip-compressed, deterministic; and the
// `trapeze initramfs` command that writes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { linuxInitramfs, linuxInitramfsCpio, LINUX_GUEST_DIR } from './initramfs-file.ts';
import { initramfsCommand } from './initramfs-command.ts';
import { LINUX_CACHE_DIR } from './linux-files.ts';
import { readCpio } from '../loaders/cpio.ts';

const skip = !existsSync(join(LINUX_CACHE_DIR, 'busybox')) && '.cache/linux absent (npm run fetch:linux)';

test('the gzip file holds the cpio archive; the same bytes on every build; gzip header time 0', { skip }, () => {
  const gz = linuxInitramfs();
  assert.deepEqual(gz, linuxInitramfs());
  assert.deepEqual([gz[0], gz[1], gz[2]], [0x1F, 0x8B, 8]);
  assert.deepEqual([...gz.subarray(4, 8)], [0, 0, 0, 0], 'MTIME 0');
  const cpio = linuxInitramfsCpio();
  assert.deepEqual(new Uint8Array(gunzipSync(gz)), cpio);
  const m = new Map(readCpio(cpio).map((x) => [x.name, x.data]));
  assert.deepEqual(m.get('bin/busybox'), new Uint8Array(readFileSync(join(LINUX_CACHE_DIR, 'busybox'))));
  assert.deepEqual(m.get('init'), new Uint8Array(readFileSync(join(LINUX_GUEST_DIR, 'init.sh'))));
  assert.deepEqual(m.get('session.sh'), new Uint8Array(readFileSync(join(LINUX_GUEST_DIR, 'session.sh'))));
});

function captureStderr(f: () => number): { code: number; err: string } {
  const write = process.stderr.write;
  let err = '';
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  try {
    return { code: f(), err };
  } finally {
    process.stderr.write = write;
  }
}

test('trapeze initramfs -o FILE writes it (and --uncompressed the cpio)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trapeze-initramfs-'));
  try {
    assert.equal(initramfsCommand({ output: join(dir, 'a.gz') }), 0);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'a.gz'))), linuxInitramfs());
    assert.equal(initramfsCommand({ output: join(dir, 'a.cpio'), uncompressed: true }), 0);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'a.cpio'))), linuxInitramfsCpio());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trapeze initramfs: a missing busybox or an unwritable output is one line and status 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trapeze-initramfs-'));
  try {
    const a = captureStderr(() => initramfsCommand({ output: join(dir, 'x.gz'), cache: join(dir, 'none') }));
    assert.equal(a.code, 2);
    assert.equal(a.err, `trapeze initramfs: ${join(dir, 'none', 'busybox')} not found: run "npm run fetch:linux" to fetch Debian's kernel and busybox\n`);
    assert.equal(existsSync(join(dir, 'x.gz')), false);
    if (!skip) {
      const b = captureStderr(() => initramfsCommand({ output: join(dir, 'no/such/dir/x.gz') }));
      assert.equal(b.code, 2);
      assert.match(b.err, /^trapeze initramfs: ENOENT: no such file or directory, open '.*x\.gz'\n$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
