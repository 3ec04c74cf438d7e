// vmlinux extraction: Debian's real bzImage (when fetched), the xz tool's own output with the BCJ x86
// filter (a committed fixture), streams built here with LZMA2 stored chunks, and every refusal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bzImagePayload, extractVmlinux } from './vmlinux-extract.ts';
import { bcjX86Decode, crc32, xzDecompressKernel } from './vmlinux-extract-xz.ts';
import { bcjSample } from './vmlinux-extract-sample.ts';
import { parseElf32, PT_LOAD } from './elf.ts';
import { LoaderError } from './loader-error.ts';

const root = join(import.meta.dirname, '../..');
const bzImagePath = join(root, '.cache/linux/bzImage');
const demo = new Uint8Array(readFileSync(join(root, 'guests/images/demo-os.elf')));
const fixture = new Uint8Array(readFileSync(join(root, 'test-data/linux/bcj-x86-sample.xz')));

const le32 = (v: number) => [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF];
const withCrc = (b: number[]) => [...b, ...le32(crc32(Uint8Array.from(b)))];

/**
 * A one-block .xz stream of `data` in LZMA2 stored (uncompressed) chunks, written from the format
 * specification: no compressor needed. `checkType` 0 (none), 1 (CRC32) or others to provoke refusals.
 */
function storedXz(data: Uint8Array, checkType = 1): Uint8Array {
  const flags = [0, checkType];
  const lz: number[] = [];
  for (let at = 0; at < data.length; at += 0x10000) {
    const n = Math.min(0x10000, data.length - at);
    // Control 0x01: stored chunk with a dictionary reset (first), 0x02: stored chunk; then size - 1, big-endian.
    lz.push(at === 0 ? 0x01 : 0x02, (n - 1) >> 8, (n - 1) & 0xFF, ...data.subarray(at, at + n));
  }
  lz.push(0x00);
  const header = withCrc([2, 0x00, 0x21, 0x01, 0x00, 0, 0, 0]);
  const checkSize = checkType === 1 ? 4 : checkType === 0 ? 0 : checkType === 4 ? 8 : 32;
  const check = checkType === 1 ? le32(crc32(data)) : new Array(checkSize).fill(0);
  const block = [...header, ...lz];
  while (block.length % 4) block.push(0);
  block.push(...check);
  const ix = [0x00, 0x01, ...varint(header.length + lz.length + checkSize), ...varint(data.length)];
  while (ix.length % 4) ix.push(0);
  const index = withCrc(ix);
  const ff = [...le32(index.length / 4 - 1), ...flags];
  const footer = [...le32(crc32(Uint8Array.from(ff))), ...ff, 0x59, 0x5A];
  return Uint8Array.from([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, ...withCrc(flags), ...block, ...index, ...footer]);
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) { out.push((v & 0x7F) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

/**
 * A bzImage shell around `payload`: one setup sector, protocol 2.15, the payload 0x40 into the protected-mode
 * part, followed by the decompressed size when `sizeAppend` is given (as the kernel build appends it).
 */
function fakeBzImage(payload: Uint8Array, o: { version?: number; sizeAppend?: number | null } = {}): Uint8Array {
  const tail = o.sizeAppend == null ? [] : le32(o.sizeAppend);
  const body = Uint8Array.from([...payload, ...tail]);
  const img = new Uint8Array(1024 + 0x40 + body.length);
  const dv = new DataView(img.buffer);
  img[0x1F1] = 1;
  dv.setUint16(0x1FE, 0xAA55, true);
  dv.setUint32(0x202, 0x53726448, true);
  dv.setUint16(0x206, o.version ?? 0x20F, true);
  dv.setUint32(0x248, 0x40, true);
  dv.setUint32(0x24C, body.length, true);
  img.set(body, 1024 + 0x40);
  return img;
}

async function refusal(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LoaderError, `a LoaderError, not ${String(e)}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('crc32: the standard check value of "123456789"', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xCBF43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('bcjX86Decode: CALL rel32 with a 0x00 top byte is converted back; other top bytes and the last 4 bytes are not', () => {
  // At offset 0 the encoder stored rel + 5; at 0x1000 + 10 it stored rel + 0x1000 + 15.
  const b = Uint8Array.from([0xE8, 0x0A, 0, 0, 0, 0xE8, 0x0A, 0, 0, 0x12, 0xE9, 0x10, 0x10, 0, 0, 0x90, 0xE8, 0, 0, 0]);
  bcjX86Decode(b, 0x1000);
  assert.deepEqual([...b], [
    0xE8, 0x05 - 0x1000 & 0xFF, (0x05 - 0x1000) >> 8 & 0xFF, 0xFF, 0xFF, // 10 - (0x1000 + 5)
    0xE8, 0x0A, 0, 0, 0x12, // top byte 0x12: not an address the encoder made
    0xE9, 0x01, 0x00, 0x00, 0x00, // 0x1010 - (0x1000 + 10 + 5) = 1
    0x90, 0xE8, 0, 0, 0, // no room for a rel32
  ]);
});

test('the xz tool\'s output with --x86 and four blocks decodes to the sample it was made from', async () => {
  const out = await xzDecompressKernel(fixture);
  const want = bcjSample();
  assert.equal(out.length, want.length);
  assert.ok(Buffer.from(out).equals(Buffer.from(want)), 'identical bytes');
  // The sample has converted CALLs in it, so the BCJ decoder really did work.
  let calls = 0;
  for (let i = 0; i + 4 < want.length; i++) if (want[i] === 0xE8 && (want[i + 4] === 0 || want[i + 4] === 0xFF)) calls++;
  assert.ok(calls > 500, `${calls} CALL rel32 candidates`);
});

test('a bzImage around an ELF: the ELF comes back alone (trailing relocations cut), with or without the appended size', async () => {
  const relocs = Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 0]);
  const data = Uint8Array.from([...demo, ...relocs]);
  for (const sizeAppend of [data.length, null]) {
    const img = fakeBzImage(storedXz(data), { sizeAppend });
    const p = bzImagePayload(img);
    assert.equal(p.format, 'XZ');
    assert.equal(p.version, 0x20F);
    assert.equal(p.protectedModeOffset, 1024);
    const v = await extractVmlinux(img);
    assert.equal(v.length, demo.length);
    assert.ok(Buffer.from(v).equals(Buffer.from(demo)));
  }
  // No check at all is accepted too.
  assert.equal((await extractVmlinux(fakeBzImage(storedXz(demo, 0), { sizeAppend: demo.length }))).length, demo.length);
});

test('refusals: not a bzImage, old protocol, truncated, other compressions', async () => {
  const good = fakeBzImage(storedXz(demo), { sizeAppend: demo.length });
  await refusal(extractVmlinux(new Uint8Array(100)), /^not a bzImage: 100 bytes, too short/);
  await refusal(extractVmlinux(demo), /^not a bzImage: no "HdrS" setup header signature at 0x202/);
  const noFlag = new Uint8Array(good); noFlag[0x1FE] = 0;
  await refusal(extractVmlinux(noFlag), /boot_flag at 0x1fe is not 0xaa55/);
  await refusal(extractVmlinux(fakeBzImage(storedXz(demo), { version: 0x206 })), /^bzImage boot protocol 2\.06 has no payload fields/);
  await refusal(extractVmlinux(good.subarray(0, good.length - 1)), /^truncated bzImage: payload at 0x440\+\d+ lies beyond its \d+ bytes/);
  await refusal(extractVmlinux(fakeBzImage(Uint8Array.from([0x1F, 0x8B, 8, 0]))), /^bzImage payload compressed with gzip: not supported \(only XZ/);
  await refusal(extractVmlinux(fakeBzImage(Uint8Array.from([0x28, 0xB5, 0x2F, 0xFD]))), /compressed with zstd: not supported/);
  await refusal(extractVmlinux(fakeBzImage(Uint8Array.from([0x5D, 0, 0, 0x80]))), /compressed with LZMA: not supported/);
  await refusal(extractVmlinux(fakeBzImage(Uint8Array.from([1, 2, 3, 4, 5, 6]))), /unknown format \(magic 01 02 03 04 05 06\)/);
});

test('refusals: corrupt XZ streams and payloads that are not an i386 vmlinux', async () => {
  const xz = storedXz(demo);
  const flip = (b: Uint8Array, at: number) => { const c = new Uint8Array(b); c[at] ^= 0x40; return c; };
  // A data byte (inside the first stored chunk): decodes, but the CRC32 check catches it.
  await refusal(extractVmlinux(fakeBzImage(flip(xz, 100), { sizeAppend: demo.length })), /^corrupt XZ payload: block 0 CRC32 mismatch/);
  await refusal(extractVmlinux(fakeBzImage(flip(xz, 7), { sizeAppend: demo.length })), /^corrupt XZ payload: stream header CRC32 mismatch/);
  await refusal(extractVmlinux(fakeBzImage(flip(xz, 13), { sizeAppend: demo.length })), /^corrupt XZ payload: block 0 header CRC32 mismatch/);
  await refusal(extractVmlinux(fakeBzImage(flip(xz, xz.length - 12), { sizeAppend: demo.length })), /stream footer CRC32 mismatch/);
  // The LZMA2 data of the xz tool's fixture: the decoder itself fails, or the check does.
  await refusal(xzDecompressKernel(flip(fixture, 200)), /^corrupt XZ payload: (block 0 CRC32 mismatch|LZMA2 data does not decode)/);
  // Cut short: the footer is gone.
  await refusal(extractVmlinux(fakeBzImage(xz.subarray(0, xz.length - 40), { sizeAppend: null })), /^corrupt XZ payload: no stream footer/);
  await refusal(extractVmlinux(fakeBzImage(xz, { sizeAppend: demo.length + 1 })), new RegExp(`decompresses to ${demo.length} bytes, the bzImage says ${demo.length + 1}`));
  await refusal(extractVmlinux(fakeBzImage(storedXz(demo, 4), { sizeAppend: demo.length })), /with a CRC64 check: only CRC32 and none are supported/);
  await refusal(extractVmlinux(fakeBzImage(storedXz(new TextEncoder().encode('hello, world\n')))), /^bzImage payload is not an i386 vmlinux: not an ELF file/);
  const x64 = new Uint8Array(demo); x64[4] = 2;
  await refusal(extractVmlinux(fakeBzImage(storedXz(x64))), /^bzImage payload is not an i386 vmlinux: 64-bit ELF file/);
});

test('Debian\'s bzImage: an XZ payload holding the i386 vmlinux, entry at 16 MiB', { skip: !existsSync(bzImagePath) && '.cache/linux absent (npm run fetch:linux)' }, async () => {
  const img = new Uint8Array(readFileSync(bzImagePath));
  const p = bzImagePayload(img);
  assert.equal(p.format, 'XZ');
  assert.ok(p.version >= 0x20F, `protocol ${p.version.toString(16)}`);
  const v = await extractVmlinux(img);
  const e = parseElf32(v);
  // LOAD_PHYSICAL_ADDR 0x1000000; the kernel is linked at PAGE_OFFSET 0xC0000000 above it.
  assert.equal(e.entry, 0x1000000);
  const loads = e.phdrs.filter((ph) => ph.type === PT_LOAD);
  assert.equal(loads[0].paddr, 0x1000000);
  assert.equal(loads[0].vaddr, 0xC1000000);
  // The ELF ends with its section header table; the relocations after it are cut.
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  assert.equal(v.length, dv.getUint32(32, true) + dv.getUint16(48, true) * 40);
  const appended = new DataView(p.payload.buffer, p.payload.byteOffset).getUint32(p.payload.length - 4, true);
  assert.ok(appended > v.length, `relocations follow the ELF (${appended} > ${v.length})`);
});
