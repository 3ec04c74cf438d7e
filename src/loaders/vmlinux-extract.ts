// The ELF vmlinux inside a bzImage. Booting it directly skips the kernel's own decompressor (about 2.3 G
// guest instructions of XZ decoding, ../shared/notes/linux-guest.md) and boots the same kernel.
//
// Where it is (Documentation/x86/boot.rst, "The Real-Mode Kernel Header"): the real-mode setup occupies
// (setup_sects + 1) sectors of 512 bytes (setup_sects at 0x1F1; 0 means 4); the protected-mode part follows.
// From protocol 2.08 on, payload_offset (0x248) and payload_length (0x24C) locate the compressed kernel
// relative to that protected-mode part; its format is told by its magic. The build appends the
// uncompressed size as 4 little-endian bytes after the compressed stream (arch/x86/boot/compressed/Makefile,
// size_append). The decompressed data is the stripped ELF vmlinux followed by the relocation table of a
// relocatable kernel; what is returned is the ELF alone, cut at its last byte.

import { parseElf32 } from './elf.ts';
import { LoaderError, hex } from './loader-error.ts';
import { XZ_MAGIC, xzDecompressKernel } from './vmlinux-extract-xz.ts';

const SETUP_SECTS = 0x1F1, BOOT_FLAG = 0x1FE, HEADER_MAGIC = 0x202, VERSION = 0x206;
const PAYLOAD_OFFSET = 0x248, PAYLOAD_LENGTH = 0x24C;
const HDRS = 0x53726448; // "HdrS"

/** Payload formats the kernel can be built with, by magic (boot.rst: "payload_offset"). */
const FORMATS: [string, number[]][] = [
  ['gzip', [0x1F, 0x8B]],
  ['bzip2', [0x42, 0x5A, 0x68]],
  ['LZMA', [0x5D, 0x00, 0x00]],
  ['XZ', XZ_MAGIC],
  ['LZO', [0x89, 0x4C, 0x5A, 0x4F]],
  ['LZ4', [0x02, 0x21, 0x4C, 0x18]],
  ['zstd', [0x28, 0xB5, 0x2F, 0xFD]],
  ['ELF (uncompressed)', [0x7F, 0x45, 0x4C, 0x46]],
];

export interface BzImagePayload {
  /** Boot protocol version, e.g. 0x20F for 2.15. */
  version: number;
  /** File offset of the protected-mode part. */
  protectedModeOffset: number;
  /** The compressed kernel, payload_length bytes (the appended size included). */
  payload: Uint8Array;
  /** Its format by magic: 'XZ', 'gzip', ... or 'unknown'. */
  format: string;
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Locate the payload. Throws LoaderError when the file is not a bzImage or is cut short. */
export function bzImagePayload(image: Uint8Array): BzImagePayload {
  if (image.length < PAYLOAD_LENGTH + 4) throw new LoaderError(`not a bzImage: ${image.length} bytes, too short for a setup header`);
  if (u32(image, HEADER_MAGIC) !== HDRS) throw new LoaderError(`not a bzImage: no "HdrS" setup header signature at ${hex(HEADER_MAGIC)}`);
  if (u16(image, BOOT_FLAG) !== 0xAA55) throw new LoaderError(`not a bzImage: boot_flag at ${hex(BOOT_FLAG)} is not 0xaa55`);
  const version = u16(image, VERSION);
  const vs = `${version >> 8}.${(version & 0xFF).toString().padStart(2, '0')}`;
  if (version < 0x208) throw new LoaderError(`bzImage boot protocol ${vs} has no payload fields (they came in 2.08)`);
  const protectedModeOffset = ((image[SETUP_SECTS] || 4) + 1) * 512;
  const off = u32(image, PAYLOAD_OFFSET), len = u32(image, PAYLOAD_LENGTH);
  const start = protectedModeOffset + off;
  if (len === 0 || start + len > image.length) {
    throw new LoaderError(`truncated bzImage: payload at ${hex(start)}+${len} lies beyond its ${image.length} bytes`);
  }
  const payload = image.subarray(start, start + len);
  const format = FORMATS.find(([, magic]) => magic.every((v, i) => payload[i] === v))?.[0] ?? 'unknown';
  return { version, protectedModeOffset, payload, format };
}

/** The bytes an ELF file spans: headers, program and section header tables, every segment and section. */
function elfExtent(elf: Uint8Array): number {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = dv.getUint32(28, true), shoff = dv.getUint32(32, true);
  const phnum = dv.getUint16(44, true), shentsize = dv.getUint16(46, true), shnum = dv.getUint16(48, true);
  let end = Math.max(52, phoff + phnum * 32);
  for (const ph of parseElf32(elf).phdrs) end = Math.max(end, ph.offset + ph.filesz);
  if (shoff !== 0 && shnum !== 0) {
    if (shentsize !== 40 || shoff + shnum * 40 > elf.length) throw new LoaderError('vmlinux section header table lies beyond the decompressed data');
    end = Math.max(end, shoff + shnum * 40);
    for (let i = 0; i < shnum; i++) {
      const s = shoff + i * 40;
      const type = dv.getUint32(s + 4, true), offset = dv.getUint32(s + 16, true), size = dv.getUint32(s + 20, true);
      if (type !== 8 /* SHT_NOBITS */ && type !== 0 /* SHT_NULL */) end = Math.max(end, offset + size);
    }
  }
  if (end > elf.length) throw new LoaderError(`vmlinux ELF needs ${end} bytes, the payload decompresses to ${elf.length}`);
  return end;
}

/**
 * The ELF32 i386 vmlinux of a bzImage whose payload is XZ-compressed (Debian's kernels are). Throws
 * LoaderError with one line: not a bzImage, payload in another format, corrupt XZ stream, not an i386
 * ELF executable.
 */
export async function extractVmlinux(image: Uint8Array): Promise<Uint8Array> {
  const { payload, format } = bzImagePayload(image);
  if (format !== 'XZ') {
    throw new LoaderError(format === 'unknown'
      ? `bzImage payload in an unknown format (magic ${Array.from(payload.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ')}): only XZ is supported`
      : `bzImage payload compressed with ${format}: not supported (only XZ, as Debian builds it)`);
  }
  // The stream ends with the footer magic "YZ"; the build's 4-byte size may follow.
  let stream = payload, expectSize = -1;
  const endsYZ = (n: number) => n >= 2 && payload[n - 2] === 0x59 && payload[n - 1] === 0x5A;
  if (!endsYZ(payload.length) && endsYZ(payload.length - 4)) {
    stream = payload.subarray(0, payload.length - 4);
    expectSize = u32(payload, payload.length - 4);
  }
  const data = await xzDecompressKernel(stream);
  if (expectSize >= 0 && data.length !== expectSize) {
    throw new LoaderError(`corrupt XZ payload: decompresses to ${data.length} bytes, the bzImage says ${expectSize}`);
  }
  try {
    parseElf32(data);
  } catch (e) {
    if (e instanceof LoaderError) throw new LoaderError(`bzImage payload is not an i386 vmlinux: ${e.message}`);
    throw e;
  }
  return data.subarray(0, elfExtent(data));
}
