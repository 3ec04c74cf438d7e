// The Linux initramfs: its exact member list, modes and contents (read back with readCpio), the markers
// that /init prints (the constants and guests/linux/init.sh must agree), refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInitramfs, INIT_MARKER, SESSION_BEGIN_MARKER, SESSION_DONE_MARKER, MODE_MARKER, MODE_SCRIPT } from './linux-initramfs.ts';
import { readCpio } from './cpio.ts';
import { LoaderError } from './loader-error.ts';

const guestDir = join(import.meta.dirname, '../../guests/linux');
const initSh = readFileSync(join(guestDir, 'init.sh'), 'utf8');
const sessionSh = readFileSync(join(guestDir, 'session.sh'), 'utf8');

/** The first 20 bytes of an ELF32 i386 executable: enough for the builder's check. */
const fakeBusybox = Uint8Array.from([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0xAA, 0xBB]);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('the archive: directories, device nodes, busybox, /init, /session.sh and /etc, in this order', () => {
  const m = readCpio(buildInitramfs({ busybox: fakeBusybox, init: initSh, session: sessionSh }));
  assert.deepEqual(m.map((x) => [x.name, x.mode.toString(8)]), [
    ['bin', '40755'], ['dev', '40755'], ['etc', '40755'], ['proc', '40755'], ['sbin', '40755'], ['sys', '40755'],
    ['usr', '40755'], ['usr/bin', '40755'], ['usr/sbin', '40755'], ['root', '40700'], ['tmp', '41777'],
    ['dev/console', '20600'], ['dev/null', '20666'],
    ['bin/busybox', '100755'], ['bin/sh', '120777'], ['init', '100755'], ['session.sh', '100755'],
    ['etc/passwd', '100644'], ['etc/group', '100644'], ['etc/profile', '100644'],
  ]);
  const byName = new Map(m.map((x) => [x.name, x]));
  assert.deepEqual([byName.get('dev/console')!.rdevMajor, byName.get('dev/console')!.rdevMinor], [5, 1]);
  assert.deepEqual([byName.get('dev/null')!.rdevMajor, byName.get('dev/null')!.rdevMinor], [1, 3]);
  assert.deepEqual(byName.get('bin/busybox')!.data, fakeBusybox);
  assert.equal(text(byName.get('bin/sh')!.data), 'busybox');
  assert.equal(text(byName.get('init')!.data), initSh);
  assert.equal(text(byName.get('session.sh')!.data), sessionSh);
  assert.equal(text(byName.get('etc/passwd')!.data), 'root:x:0:0:root:/root:/bin/sh\n');
  assert.ok(m.every((x) => x.uid === 0 && x.gid === 0 && x.mtime === 0));
});

test('same inputs, same bytes', () => {
  const a = buildInitramfs({ busybox: fakeBusybox, init: initSh, session: sessionSh });
  const b = buildInitramfs({ busybox: fakeBusybox, init: new TextEncoder().encode(initSh), session: sessionSh });
  assert.deepEqual(a, b);
});

test('extra files get their missing parent directories; bad or duplicate paths are refused', () => {
  const m = readCpio(buildInitramfs({
    busybox: fakeBusybox, init: initSh, session: sessionSh,
    extraFiles: [{ path: '/opt/t/a.txt', data: new TextEncoder().encode('A'), mode: 0o600 }, { path: 'etc/motd', data: new Uint8Array(0) }],
  }));
  assert.deepEqual(m.slice(-4).map((x) => [x.name, x.mode.toString(8)]), [['opt', '40755'], ['opt/t', '40755'], ['opt/t/a.txt', '100600'], ['etc/motd', '100644']]);
  const build = (path: string) => () => buildInitramfs({ busybox: fakeBusybox, init: initSh, session: sessionSh, extraFiles: [{ path, data: new Uint8Array(0) }] });
  assert.throws(build('a/../b'), /extra file "a\/..\/b": bad path/);
  assert.throws(build('a//b'), /bad path/);
  assert.throws(build('/init'), /cpio member init given twice/);
});

test('refusals: busybox that is not an i386 ELF, /init without "#!"', () => {
  const x64 = new Uint8Array(fakeBusybox); x64[4] = 2;
  for (const busybox of [new Uint8Array(0), new TextEncoder().encode('#!/bin/sh\necho hi\n'), x64]) {
    assert.throws(() => buildInitramfs({ busybox, init: initSh, session: '' }), (e: unknown) => e instanceof LoaderError && /busybox: not a 32-bit i386 ELF/.test(e.message));
  }
  assert.throws(() => buildInitramfs({ busybox: fakeBusybox, init: 'echo hi\n', session: '' }), /\/init script does not start with "#!"/);
});

test('guests/linux/init.sh prints the markers and reads the modes the constants name', () => {
  assert.match(initSh, /^#!\/bin\/busybox sh\n/);
  for (const s of [INIT_MARKER, SESSION_BEGIN_MARKER, SESSION_DONE_MARKER]) assert.ok(initSh.includes(`echo '${s}'`), s);
  assert.ok(initSh.includes(`${MODE_MARKER.split('=')[0]}=*)`));
  for (const mode of [MODE_MARKER, MODE_SCRIPT]) assert.ok(initSh.includes(`  ${mode.split('=')[1]})\n`), mode);
  // Every way out ends in a forced power-off: process 1 must not exit.
  assert.ok(initSh.includes('\npoweroff -f\n'));
});
