// The newc writer: exact bytes of every member kind, padding at each alignment, and refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCpio, readCpio, TRAILER_NAME } from './cpio.ts';
import { LoaderError } from './loader-error.ts';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** A header as GNU `cpio -o -H newc --reproducible` writes it (fields in order, uppercase hex). */
function hdr(f: { ino: number; mode: number; nlink: number; size: number; rmaj?: number; rmin?: number; namesize: number }): string {
  const h = (v: number) => v.toString(16).toUpperCase().padStart(8, '0');
  return '070701' + h(f.ino) + h(f.mode) + h(0) + h(0) + h(f.nlink) + h(0) + h(f.size) + h(0) + h(0)
    + h(f.rmaj ?? 0) + h(f.rmin ?? 0) + h(f.namesize) + h(0);
}

const TRAILER = hdr({ ino: 0, mode: 0, nlink: 1, size: 0, namesize: 11 }) + 'TRAILER!!!\0' + '\0\0\0';

test('an empty archive is the trailer alone: 110 + 11 bytes padded to 124', () => {
  const a = writeCpio([]);
  assert.equal(a.length, 124);
  assert.equal(text(a), TRAILER);
  assert.equal(TRAILER_NAME, 'TRAILER!!!');
});

test('every member kind, byte for byte', () => {
  const a = writeCpio([
    { type: 'dir', path: '/d' },
    { type: 'file', path: 'd/a', data: bytes('hello\n'), mode: 0o755 },
    { type: 'symlink', path: 'l', target: 'd/a' },
    { type: 'char', path: 'console', major: 5, minor: 1 },
    { type: 'block', path: 'sda', major: 8, minor: 0, mode: 0o660 },
  ]);
  const want =
    // "d": 110 + 2 = 112, a multiple of 4 already; no data.
    hdr({ ino: 1, mode: 0o040755, nlink: 2, size: 0, namesize: 2 }) + 'd\0'
    // "d/a": 110 + 4 = 114 → 2 NULs of padding; 6 data bytes → 2 more.
    + hdr({ ino: 2, mode: 0o100755, nlink: 1, size: 6, namesize: 4 }) + 'd/a\0' + '\0\0' + 'hello\n' + '\0\0'
    // "l" → "d/a": the target is the data, without a NUL; 3 bytes → 1 of padding.
    + hdr({ ino: 3, mode: 0o120777, nlink: 1, size: 3, namesize: 2 }) + 'l\0' + 'd/a' + '\0'
    // "console": 110 + 8 = 118 → 2 NULs.
    + hdr({ ino: 4, mode: 0o020600, nlink: 1, size: 0, rmaj: 5, rmin: 1, namesize: 8 }) + 'console\0' + '\0\0'
    // "sda": 110 + 4 = 114 → 2 NULs.
    + hdr({ ino: 5, mode: 0o060660, nlink: 1, size: 0, rmaj: 8, rmin: 0, namesize: 4 }) + 'sda\0' + '\0\0'
    + TRAILER;
  assert.equal(text(a), want);
  assert.equal(a.length % 4, 0);
});

test('name padding at all four alignments, and data of 0..4 bytes', () => {
  for (let nameLen = 1; nameLen <= 4; nameLen++) {
    for (let dataLen = 0; dataLen <= 4; dataLen++) {
      const name = 'n'.repeat(nameLen);
      const a = writeCpio([{ type: 'file', path: name, data: bytes('x'.repeat(dataLen)) }]);
      const namePart = Math.ceil((110 + nameLen + 1) / 4) * 4;
      const dataPart = Math.ceil(dataLen / 4) * 4;
      assert.equal(a.length, namePart + dataPart + 124, `name ${nameLen}, data ${dataLen}`);
      assert.equal(text(a.subarray(110, 110 + nameLen + 1)), name + '\0');
      assert.ok(a.subarray(110 + nameLen + 1, namePart).every((b) => b === 0));
      assert.equal(text(a.subarray(namePart, namePart + dataLen)), 'x'.repeat(dataLen));
      assert.ok(a.subarray(namePart + dataLen, namePart + dataPart).every((b) => b === 0));
      assert.equal(text(a.subarray(namePart + dataPart, namePart + dataPart + 6)), '070701');
    }
  }
});

test('UTF-8 names are counted in bytes', () => {
  const a = writeCpio([{ type: 'dir', path: 'é' }]);
  assert.equal(text(a.subarray(94, 102)), '00000003'); // namesize: 2 bytes + NUL
});

test('two builds of the same entries give the same bytes', () => {
  const entries = [{ type: 'file' as const, path: 'f', data: bytes('abc') }];
  assert.deepEqual(writeCpio(entries), writeCpio(entries));
});

test('refusals: empty path, NUL in a name, duplicate path, bad mode, bad device number, empty link target', () => {
  const cases: [Parameters<typeof writeCpio>[0], RegExp][] = [
    [[{ type: 'dir', path: '/' }], /bad path/],
    [[{ type: 'dir', path: 'a\0b' }], /bad path/],
    [[{ type: 'dir', path: 'a' }, { type: 'dir', path: '/a' }], /a given twice/],
    [[{ type: 'file', path: 'f', data: new Uint8Array(0), mode: 0o10000 }], /mode 4096 out of range/],
    [[{ type: 'char', path: 'c', major: 4096, minor: 0 }], /major 4096 out of range/],
    [[{ type: 'char', path: 'c', major: 1, minor: -1 }], /minor -1 out of range/],
    [[{ type: 'symlink', path: 's', target: '' }], /bad symlink target/],
  ];
  for (const [entries, msg] of cases) {
    assert.throws(() => writeCpio(entries), (e: unknown) => e instanceof LoaderError && msg.test(e.message));
  }
});

test('readCpio gives back what writeCpio wrote; refuses a bad magic and a truncated archive', () => {
  const a = writeCpio([
    { type: 'dir', path: 'd', mode: 0o700 },
    { type: 'file', path: 'd/f', data: bytes('12345') },
    { type: 'symlink', path: 'l', target: 'd/f' },
    { type: 'char', path: 'null', major: 1, minor: 3, mode: 0o666 },
  ]);
  const m = readCpio(a);
  assert.deepEqual(m.map((x) => [x.name, x.ino, x.mode.toString(8), x.nlink, x.rdevMajor, x.rdevMinor, text(x.data)]), [
    ['d', 1, '40700', 2, 0, 0, ''],
    ['d/f', 2, '100644', 1, 0, 0, '12345'],
    ['l', 3, '120777', 1, 0, 0, 'd/f'],
    ['null', 4, '20666', 1, 1, 3, ''],
  ]);
  assert.ok(m.every((x) => x.uid === 0 && x.gid === 0 && x.mtime === 0));
  const bad = new Uint8Array(a);
  bad[5] = 0x32;
  assert.throws(() => readCpio(bad), /bad magic "070702"/);
  assert.throws(() => readCpio(a.subarray(0, a.length - 124)), /without a TRAILER!!! member/);
  assert.throws(() => readCpio(a.subarray(0, 230)), /member at 112 runs past the end/); // in d/f's data
});
