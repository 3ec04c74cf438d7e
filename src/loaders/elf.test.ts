// ELF32 parsing: the committed demo OS image, and every way a header can be wrong or cut short.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf32, hasElfMagic, PT_LOAD, PF_R, PF_W, PF_X } from './elf.ts';
import { LoaderError } from './loader-error.ts';

const images = join(import.meta.dirname, '../../guests/images');
const demo = new Uint8Array(readFileSync(join(images, 'demo-os.elf')));

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

function patched(src: Uint8Array, edits: [number, number[]][]): Uint8Array {
  const b = new Uint8Array(src);
  for (const [off, bytes] of edits) b.set(bytes, off);
  return b;
}

test('the demo OS: entry point and its two PT_LOAD segments, as the file says', () => {
  const e = parseElf32(demo);
  assert.equal(e.entry, u32(demo, 24));
  const loads = e.phdrs.filter((p) => p.type === PT_LOAD);
  assert.equal(loads.length, 2);
  // Code and read-only data (R-X) at 1 MiB, then data and bss (RW-) on a later page (kernel.ld).
  assert.equal(loads[0].paddr, 0x100000);
  assert.equal(loads[0].offset, 0x1000);
  assert.equal(loads[0].flags, PF_R | PF_X);
  assert.equal(loads[0].filesz, loads[0].memsz);
  assert.equal(loads[1].flags, PF_R | PF_W);
  assert.ok(loads[1].memsz > loads[1].filesz, 'the data segment carries the bss');
  assert.equal(loads[1].paddr % 4096, 0);
  assert.ok(e.entry >= loads[0].paddr && e.entry < loads[0].paddr + loads[0].memsz);
});

test('hasElfMagic looks at the first four bytes only', () => {
  assert.equal(hasElfMagic(demo), true);
  assert.equal(hasElfMagic(new Uint8Array([0x7F, 0x45, 0x4C])), false);
  assert.equal(hasElfMagic(new Uint8Array([0x7F, 0x45, 0x4C, 0x47])), false);
});

function refuses(image: Uint8Array, message: string): void {
  assert.throws(() => parseElf32(image), (e: unknown) => {
    assert.ok(e instanceof LoaderError, `a LoaderError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('refused headers, each with its one-line reason', () => {
  refuses(new Uint8Array([1, 2, 3, 4, 5]), 'not an ELF file (no \\x7fELF magic)');
  refuses(demo.subarray(0, 40), 'truncated ELF file: 40 bytes, the ELF header alone needs 52');
  refuses(patched(demo, [[4, [2]]]), '64-bit ELF file: trapeze runs 32-bit (i386) kernels');
  refuses(patched(demo, [[4, [7]]]), 'bad ELF class 7 (want 1, 32-bit)');
  refuses(patched(demo, [[5, [2]]]), 'big-endian ELF file: want little-endian i386');
  refuses(patched(demo, [[6, [0]]]), 'bad ELF version 0');
  refuses(patched(demo, [[18, [62, 0]]]), 'ELF file for machine 62, not i386 (EM_386 = 3)');
  refuses(patched(demo, [[16, [3, 0]]]), 'position-independent ELF (ET_DYN): a kernel must be a fixed-address executable (ET_EXEC)');
  refuses(patched(demo, [[16, [1, 0]]]), 'ELF file of type 1 is not an executable (ET_EXEC = 2)');
  refuses(patched(demo, [[44, [0, 0]]]), 'ELF executable without program headers: nothing to load');
  refuses(patched(demo, [[42, [40, 0]]]), 'bad ELF program header size 40 (want 32)');
  refuses(patched(demo, [[28, [0, 0, 0, 0x10]]]), `truncated ELF file: program headers at 0x10000000+${32 * (demo[44] | (demo[45] << 8))} lie beyond its ${demo.length} bytes`);
});

test('a file cut short inside a segment is truncated, not loaded with garbage', () => {
  const e = parseElf32(demo);
  const seg = e.phdrs.findIndex((p) => p.type === PT_LOAD);
  const ph = e.phdrs[seg];
  refuses(demo.subarray(0, 0x2000), `truncated ELF file: segment ${seg} needs bytes 0x${ph.offset.toString(16)}-0x${(ph.offset + ph.filesz).toString(16)} of a 8192-byte file`);
});

test('segment sizes that contradict each other or wrap around 4 GiB', () => {
  const e = parseElf32(demo);
  const seg = e.phdrs.findIndex((p) => p.type === PT_LOAD);
  const ph = 52 + seg * 32;
  const filesz = e.phdrs[seg].filesz;
  const small = filesz - 16;
  refuses(patched(demo, [[ph + 20, [small & 0xFF, (small >> 8) & 0xFF, (small >> 16) & 0xFF, small >>> 24]]]),
    `ELF segment ${seg}: file size ${filesz} exceeds its memory size ${small}`);
  refuses(patched(demo, [[ph + 12, [0, 0xF0, 0xFF, 0xFF]]]), `ELF segment ${seg} at 0xfffff000+${e.phdrs[seg].memsz} wraps around 4 GiB`);
});
