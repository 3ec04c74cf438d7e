// ELF32 executables: header and program-header parsing with every offset and size checked against the
// file (System V ABI, "Object Files": ELF header, program header; Intel386 supplement: EM_386).
// Only what loaders need: the entry point and the segments. No section headers, no relocation.

import { LoaderError, hex } from './loader-error.ts';

export const PT_NULL = 0, PT_LOAD = 1;
export const PF_X = 1, PF_W = 2, PF_R = 4;
const ET_EXEC = 2, ET_DYN = 3, EM_386 = 3;
const EHDR_SIZE = 52, PHDR_SIZE = 32;

export interface Elf32ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface Elf32Executable {
  entry: number;
  /** All program headers, in file order. */
  phdrs: Elf32ProgramHeader[];
}

/** True when the image starts with the ELF magic (whatever its class). */
export function hasElfMagic(image: Uint8Array): boolean {
  return image.length >= 4 && image[0] === 0x7F && image[1] === 0x45 && image[2] === 0x4C && image[3] === 0x46;
}

/**
 * Parse a 32-bit little-endian i386 executable. Throws LoaderError when the header is not one, or when a
 * program header or a PT_LOAD segment's file bytes lie outside the image (a truncated file).
 */
export function parseElf32(image: Uint8Array): Elf32Executable {
  if (!hasElfMagic(image)) throw new LoaderError('not an ELF file (no \\x7fELF magic)');
  if (image.length < EHDR_SIZE) throw new LoaderError(`truncated ELF file: ${image.length} bytes, the ELF header alone needs ${EHDR_SIZE}`);
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const cls = image[4], data = image[5], version = image[6];
  if (cls === 2) throw new LoaderError('64-bit ELF file: trapeze runs 32-bit (i386) kernels');
  if (cls !== 1) throw new LoaderError(`bad ELF class ${cls} (want 1, 32-bit)`);
  if (data !== 1) throw new LoaderError(data === 2 ? 'big-endian ELF file: want little-endian i386' : `bad ELF data encoding ${data}`);
  if (version !== 1) throw new LoaderError(`bad ELF version ${version}`);
  const type = dv.getUint16(16, true), machine = dv.getUint16(18, true);
  if (machine !== EM_386) throw new LoaderError(`ELF file for machine ${machine}, not i386 (EM_386 = 3)`);
  if (type === ET_DYN) throw new LoaderError('position-independent ELF (ET_DYN): a kernel must be a fixed-address executable (ET_EXEC)');
  if (type !== ET_EXEC) throw new LoaderError(`ELF file of type ${type} is not an executable (ET_EXEC = 2)`);
  const entry = dv.getUint32(24, true), phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
  if (phnum === 0) throw new LoaderError('ELF executable without program headers: nothing to load');
  if (phentsize !== PHDR_SIZE) throw new LoaderError(`bad ELF program header size ${phentsize} (want ${PHDR_SIZE})`);
  if (phoff > image.length || phnum * PHDR_SIZE > image.length - phoff) {
    throw new LoaderError(`truncated ELF file: program headers at ${hex(phoff)}+${phnum * PHDR_SIZE} lie beyond its ${image.length} bytes`);
  }
  const phdrs: Elf32ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const ph: Elf32ProgramHeader = {
      type: dv.getUint32(o, true),
      offset: dv.getUint32(o + 4, true),
      vaddr: dv.getUint32(o + 8, true),
      paddr: dv.getUint32(o + 12, true),
      filesz: dv.getUint32(o + 16, true),
      memsz: dv.getUint32(o + 20, true),
      flags: dv.getUint32(o + 24, true),
      align: dv.getUint32(o + 28, true),
    };
    if (ph.type === PT_LOAD) {
      if (ph.filesz > ph.memsz) throw new LoaderError(`ELF segment ${i}: file size ${ph.filesz} exceeds its memory size ${ph.memsz}`);
      if (ph.offset > image.length || ph.filesz > image.length - ph.offset) {
        throw new LoaderError(`truncated ELF file: segment ${i} needs bytes ${hex(ph.offset)}-${hex(ph.offset + ph.filesz)} of a ${image.length}-byte file`);
      }
      if (ph.paddr + ph.memsz > 0x1_0000_0000) throw new LoaderError(`ELF segment ${i} at ${hex(ph.paddr)}+${ph.memsz} wraps around 4 GiB`);
    }
    phdrs.push(ph);
  }
  return { entry, phdrs };
}
