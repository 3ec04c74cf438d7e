// The input behind test-data/linux/bcj-x86-sample.xz, the fixture that checks the XZ path (BCJ x86 filter,
// several blocks, CRC32 checks) against the real xz tool's encoder. Regenerate the fixture with
//   npx tsx -e "import('./src/loaders/vmlinux-extract-sample.ts').then((m) => process.stdout.write(m.bcjSample()))" \
//     | xz --format=xz --check=crc32 --x86 --lzma2=preset=6 --block-size=10000 > test-data/linux/bcj-x86-sample.xz
// The bytes imitate x86 code where the filter matters: CALL/JMP rel32 with 0x00/0xFF top bytes (converted),
// other top bytes (left alone), E8/E9 runs closer than 4 bytes (the filter's prev_mask cases), E8/E9 in the
// last 4 bytes of a block, and plain text between them.

/** 40,000 bytes from a fixed xorshift32 generator: the same on every run. */
export function bcjSample(): Uint8Array {
  const out = new Uint8Array(40_000);
  let s = 0x2545F491;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  const text = new TextEncoder().encode('mov eax, [ebp+8]; call printk; jmp .Lout; ');
  let i = 0;
  while (i < out.length) {
    const k = rnd() % 8;
    if (k <= 2 && i + 5 <= out.length) {
      // CALL / JMP rel32 within ±16 MiB: top byte 0x00 or 0xFF.
      const rel = (rnd() % 0x2000000) - 0x1000000;
      out[i] = k === 2 ? 0xE9 : 0xE8;
      out[i + 1] = rel & 0xFF; out[i + 2] = (rel >> 8) & 0xFF; out[i + 3] = (rel >> 16) & 0xFF; out[i + 4] = (rel >> 24) & 0xFF;
      i += 5;
    } else if (k === 3) {
      // A run of E8/E9 bytes 1-3 apart.
      for (let n = rnd() % 6; n >= 0 && i < out.length; n--) { out[i++] = 0xE8 | (rnd() & 1); if (rnd() & 1 && i < out.length) out[i++] = rnd() & 0xFF; }
    } else if (k === 4) {
      out[i++] = rnd() & 0xFF;
    } else {
      for (let j = 0; j < text.length && i < out.length; j++) out[i++] = text[j];
    }
  }
  return out;
}
