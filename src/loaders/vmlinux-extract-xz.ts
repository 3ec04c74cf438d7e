// XZ decompression of a Linux kernel payload, on top of the `xz-decompress` package (xz-embedded built
// to WebAssembly: pure wasm, browser and Node).
//
// Why more than a call into the package: the kernel compresses with a filter chain of BCJ x86 then LZMA2
// (scripts/xz_wrap.sh: `xz --check=crc32 --x86 --lzma2=...`), and the package's build has no BCJ filter
// (its decoder answers XZ_OPTIONS_ERROR). So this module reads the .xz container itself ("The .xz File
// Format" 1.2.1: stream header, blocks, index, footer), hands the package a rebuilt stream with the same
// LZMA2 data but an LZMA2-only filter chain and no integrity check, then undoes the BCJ x86 filter here
// and verifies each block's original check (CRC32) on the final bytes. The LZMA2 data and every size are
// copied unchanged; only the framing around them is rewritten.

import { LoaderError } from './loader-error.ts';

export const XZ_MAGIC = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];
const FOOTER_MAGIC = [0x59, 0x5A]; // "YZ"
const CHECK_NONE = 0x00, CHECK_CRC32 = 0x01;
const FILTER_BCJ_X86 = 0x04, FILTER_LZMA2 = 0x21;
const CHECK_NAMES: Record<number, string> = { 0x04: 'CRC64', 0x0A: 'SHA-256' };

// ---- CRC32 (the xz format's: IEEE 802.3 polynomial, reflected, 0xEDB88320) ----

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function putU32le(v: number): number[] {
  return [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF];
}

const corrupt = (what: string) => new LoaderError(`corrupt XZ payload: ${what}`);

/** A multibyte integer (7 bits per byte, low first, at most 9 bytes); sizes beyond 2^53 are refused. */
function readVarint(b: Uint8Array, pos: { at: number }, end: number, what: string): number {
  let v = 0, mul = 1;
  for (let i = 0; i < 9; i++) {
    if (pos.at >= end) throw corrupt(`${what} runs past its end`);
    const x = b[pos.at++];
    v += (x & 0x7F) * mul;
    if (!(x & 0x80)) {
      if (x === 0 && i > 0) throw corrupt(`${what} is not in its shortest form`);
      if (v > Number.MAX_SAFE_INTEGER) throw corrupt(`${what} is too large`);
      return v;
    }
    mul *= 128;
  }
  throw corrupt(`${what} is longer than 9 bytes`);
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) { out.push((v % 128) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

const pad4 = (n: number) => (n + 3) & ~3;

interface XzBlock {
  /** The LZMA2 data, unchanged. */
  lzma2: Uint8Array;
  dictProps: number;
  /** BCJ x86 start offset, or -1 when the chain has no BCJ filter. */
  bcjStart: number;
  uncompressedSize: number;
  /** The stored check of the uncompressed bytes (CRC32), when the stream has one. */
  check?: number;
}

/** Parse one .xz stream that fills `xz` exactly (no stream padding, no second stream). */
function parseStream(xz: Uint8Array): XzBlock[] {
  if (xz.length < 24 || !XZ_MAGIC.every((v, i) => xz[i] === v)) throw corrupt('no XZ stream header');
  const flags = xz.subarray(6, 8);
  if (crc32(flags) !== u32le(xz, 8)) throw corrupt('stream header CRC32 mismatch');
  if (flags[0] !== 0 || flags[1] & 0xF0) throw corrupt('reserved stream flags set');
  const checkType = flags[1];
  if (checkType !== CHECK_NONE && checkType !== CHECK_CRC32) {
    throw new LoaderError(`XZ payload with a ${CHECK_NAMES[checkType] ?? `type ${checkType}`} check: only CRC32 and none are supported (the kernel uses CRC32)`);
  }
  const checkSize = checkType === CHECK_CRC32 ? 4 : 0;

  // Footer (last 12 bytes): CRC32, backward size, the flags again, "YZ".
  const f = xz.length - 12;
  if (!FOOTER_MAGIC.every((v, i) => xz[f + 10 + i] === v)) throw corrupt('no stream footer ("YZ" magic) at its end');
  if (crc32(xz.subarray(f + 4, f + 10)) !== u32le(xz, f)) throw corrupt('stream footer CRC32 mismatch');
  if (xz[f + 8] !== flags[0] || xz[f + 9] !== flags[1]) throw corrupt('stream footer flags differ from the header\'s');
  const indexSize = (u32le(xz, f + 4) + 1) * 4;
  const indexAt = f - indexSize;
  if (indexAt < 12) throw corrupt('index size points before the first block');

  // Index: 0x00, record count, (unpadded size, uncompressed size) per block, padding, CRC32.
  if (xz[indexAt] !== 0) throw corrupt('no index indicator');
  if (crc32(xz.subarray(indexAt, f - 4)) !== u32le(xz, f - 4)) throw corrupt('index CRC32 mismatch');
  const ip = { at: indexAt + 1 };
  const count = readVarint(xz, ip, f - 4, 'index record count');
  const records: { unpadded: number; uncompressed: number }[] = [];
  for (let i = 0; i < count; i++) {
    records.push({ unpadded: readVarint(xz, ip, f - 4, 'index record'), uncompressed: readVarint(xz, ip, f - 4, 'index record') });
  }
  while (ip.at < f - 4) if (xz[ip.at++] !== 0) throw corrupt('index padding not zero');

  const blocks: XzBlock[] = [];
  let at = 12;
  for (const [n, rec] of records.entries()) {
    const what = `block ${n}`;
    if (at >= indexAt) throw corrupt(`${what} lies beyond the index`);
    const headerSize = (xz[at] + 1) * 4;
    if (xz[at] === 0 || at + headerSize > indexAt) throw corrupt(`${what} header size`);
    if (crc32(xz.subarray(at, at + headerSize - 4)) !== u32le(xz, at + headerSize - 4)) throw corrupt(`${what} header CRC32 mismatch`);
    const bflags = xz[at + 1];
    if (bflags & 0x3C) throw corrupt(`${what}: reserved block flags set`);
    const hp = { at: at + 2 }, hend = at + headerSize - 4;
    const compressedSize = bflags & 0x40 ? readVarint(xz, hp, hend, `${what} compressed size`) : -1;
    const uncompressedSize = bflags & 0x80 ? readVarint(xz, hp, hend, `${what} uncompressed size`) : -1;
    const filters: { id: number; props: Uint8Array }[] = [];
    for (let i = 0; i <= (bflags & 3); i++) {
      const id = readVarint(xz, hp, hend, `${what} filter id`);
      const size = readVarint(xz, hp, hend, `${what} filter properties size`);
      if (hp.at + size > hend) throw corrupt(`${what} filter properties run past the header`);
      filters.push({ id, props: xz.subarray(hp.at, hp.at + size) });
      hp.at += size;
    }
    while (hp.at < hend) if (xz[hp.at++] !== 0) throw corrupt(`${what} header padding not zero`);

    const last = filters[filters.length - 1];
    if (last.id !== FILTER_LZMA2 || last.props.length !== 1) throw corrupt(`${what}: the last filter is not LZMA2`);
    let bcjStart = -1;
    for (const flt of filters.slice(0, -1)) {
      if (flt.id !== FILTER_BCJ_X86 || bcjStart >= 0) {
        throw new LoaderError(`XZ payload with filter 0x${flt.id.toString(16)} before LZMA2: only BCJ x86 (0x04) is supported`);
      }
      if (flt.props.length === 0) bcjStart = 0;
      else if (flt.props.length === 4) bcjStart = u32le(flt.props, 0);
      else throw corrupt(`${what}: BCJ x86 properties of ${flt.props.length} bytes`);
    }

    const dataSize = rec.unpadded - headerSize - checkSize;
    if (dataSize <= 0 || (compressedSize >= 0 && compressedSize !== dataSize)) throw corrupt(`${what} size disagrees with the index`);
    if (uncompressedSize >= 0 && uncompressedSize !== rec.uncompressed) throw corrupt(`${what} uncompressed size disagrees with the index`);
    const dataAt = at + headerSize;
    const checkAt = at + pad4(headerSize + dataSize);
    if (checkAt + checkSize > indexAt) throw corrupt(`${what} runs into the index`);
    for (let p = dataAt + dataSize; p < checkAt; p++) if (xz[p] !== 0) throw corrupt(`${what} padding not zero`);
    blocks.push({
      lzma2: xz.subarray(dataAt, dataAt + dataSize), dictProps: last.props[0], bcjStart,
      uncompressedSize: rec.uncompressed, check: checkSize ? u32le(xz, checkAt) : undefined,
    });
    at = checkAt + checkSize;
  }
  if (at !== indexAt) throw corrupt('bytes between the last block and the index');
  return blocks;
}

/** A one-block .xz stream of the block's LZMA2 data alone: LZMA2 the only filter, no check. */
function lzma2OnlyStream(b: XzBlock): Uint8Array<ArrayBuffer> {
  const crc = (bytes: number[]) => putU32le(crc32(Uint8Array.from(bytes)));
  const flags = [0x00, CHECK_NONE];
  const streamHeader = [...XZ_MAGIC, ...flags, ...crc(flags)];
  // Block header: size byte, flags (one filter, no sizes), LZMA2 id, properties size 1, dictionary byte;
  // 5 bytes + 3 of padding + CRC32 = 12 bytes, so the size byte is 12 / 4 - 1 = 2.
  const h = [2, 0x00, FILTER_LZMA2, 0x01, b.dictProps, 0, 0, 0];
  const blockHeader = [...h, ...crc(h)];
  const dataPad = pad4(b.lzma2.length) - b.lzma2.length;
  const ix = [0x00, ...varint(1), ...varint(blockHeader.length + b.lzma2.length), ...varint(b.uncompressedSize)];
  while (ix.length % 4) ix.push(0);
  const index = [...ix, ...crc(ix)];
  // Footer: CRC32 of (backward size, flags), backward size = index size / 4 - 1, flags, "YZ".
  const ff = [...putU32le(index.length / 4 - 1), ...flags];
  const footer = [...crc(ff), ...ff, ...FOOTER_MAGIC];
  const out = new Uint8Array(streamHeader.length + blockHeader.length + b.lzma2.length + dataPad + index.length + footer.length);
  let at = 0;
  for (const p of [streamHeader, blockHeader]) { out.set(p, at); at += p.length; }
  out.set(b.lzma2, at);
  at += b.lzma2.length + dataPad;
  out.set(index, at);
  out.set(footer, at + index.length);
  return out;
}

/**
 * Undo the BCJ x86 filter in place. The encoder replaced the rel32 of each E8 (CALL) / E9 (JMP) whose
 * top byte is 0x00 or 0xFF by an absolute address (rel32 + offset of the next instruction); decoding
 * subtracts it again. `prevMask` remembers which of the 3 bytes before the current one were E8/E9, so that
 * opcodes seen inside a displacement that was itself converted are skipped exactly as the encoder
 * skipped them. The last 4 bytes are never converted (no room for a rel32 after them).
 */
export function bcjX86Decode(buf: Uint8Array, startOffset: number): void {
  // Indexed by prevMask: may a conversion happen, and which earlier byte to test.
  const ALLOWED = [true, true, true, false, true, false, false, false];
  const BIT_NUM = [0, 1, 2, 2, 3, 3, 3, 3];
  const isMsByte = (b: number) => b === 0x00 || b === 0xFF;
  const limit = buf.length - 4;
  let prevPos = -1, prevMask = 0;
  for (let i = 0; i < limit; i++) {
    if ((buf[i] & 0xFE) !== 0xE8) continue;
    const dist = i - prevPos;
    if (dist > 3) {
      prevMask = 0;
    } else {
      prevMask = (prevMask << (dist - 1)) & 7;
      if (prevMask !== 0 && (!ALLOWED[prevMask] || isMsByte(buf[i + 4 - BIT_NUM[prevMask]]))) {
        prevPos = i;
        prevMask = (prevMask << 1) | 1;
        continue;
      }
    }
    prevPos = i;
    if (!isMsByte(buf[i + 4])) {
      prevMask = (prevMask << 1) | 1;
      continue;
    }
    let src = u32le(buf, i + 1);
    let dest: number;
    for (;;) {
      dest = (src - (startOffset + i + 5)) >>> 0;
      if (prevMask === 0) break;
      const j = BIT_NUM[prevMask] * 8;
      if (!isMsByte((dest >>> (24 - j)) & 0xFF)) break;
      src = (dest ^ ((2 ** (32 - j)) - 1)) >>> 0;
    }
    // Sign-extend bit 24 into the top byte: the encoder kept only 0x00 / 0xFF there.
    dest &= 0x01FFFFFF;
    if (dest & 0x01000000) dest |= 0xFE000000;
    buf[i + 1] = dest & 0xFF;
    buf[i + 2] = (dest >>> 8) & 0xFF;
    buf[i + 3] = (dest >>> 16) & 0xFF;
    buf[i + 4] = (dest >>> 24) & 0xFF;
    i += 4;
  }
}

async function decodeLzma2(b: XzBlock): Promise<Uint8Array> {
  // Loaded on first use: most runs never decompress (the extracted vmlinux is cached), and loading the
  // package costs every `trapeze` start-up ~25 ms.
  // (A CommonJS package: its exports are `default` under Node's loader, the namespace itself under tsx's.)
  const mod = await import('xz-decompress');
  const { XzReadableStream } = mod.default ?? mod;
  const stream = new XzReadableStream(new Blob([lzma2OnlyStream(b)]).stream());
  let out: Uint8Array;
  try {
    out = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw corrupt(`LZMA2 data does not decode (${e instanceof Error ? e.message : String(e)})`);
  }
  if (out.length !== b.uncompressedSize) throw corrupt(`LZMA2 data decodes to ${out.length} bytes, the index says ${b.uncompressedSize}`);
  return out;
}

/**
 * Decompress one .xz stream (exactly `xz`, no trailing bytes): LZMA2 with an optional BCJ x86 filter,
 * CRC32 or no check. Throws LoaderError ("corrupt XZ payload: ...", or an unsupported feature) otherwise.
 */
export async function xzDecompressKernel(xz: Uint8Array): Promise<Uint8Array> {
  const blocks = parseStream(xz);
  const parts: Uint8Array[] = [];
  for (const [n, b] of blocks.entries()) {
    const out = await decodeLzma2(b);
    if (b.bcjStart >= 0) bcjX86Decode(out, b.bcjStart);
    if (b.check !== undefined && crc32(out) !== b.check) throw corrupt(`block ${n} CRC32 mismatch`);
    parts.push(out);
  }
  if (parts.length === 1) return parts[0];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return all;
}
