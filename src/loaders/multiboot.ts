// Multiboot v1 (https://www.gnu.org/software/grub/manual/multiboot/multiboot.html): find and check the
// OS image's header (§3.1), load the image as ELF32 or through the a.out kludge (§3.1.3), place the boot
// modules and the boot information structure (§3.3), and put the processor in the state §3.2 defines.
//
// Every offset and size read from the image is checked against the file, and everything placed in memory
// against the memory map, so a corrupt, truncated or unsupported image ends in one LoaderError line,
// never in a half-loaded machine (nothing is written before all checks passed).
//
// Layout chosen here (the spec leaves it to the loader):
//   boot information  one block: a flat GDT, the info structure, the memory map, the module list and the
//                     strings, at the lowest free address from 0x8000 (0x8000 for a kernel at 1 MiB)
//   stack             16 KiB, the highest free block below 0x8000 (ESP = 0x8000 for a kernel at 1 MiB)
//   modules           page-aligned, one after the other, from the first page after the kernel
// Page 0 is never used, so a kernel that unmaps it loses nothing.

import type { CPU } from '../cpu/cpu.ts';
import type { PhysicalMemory } from '../platform/memory.ts';
import { enterFlat, writeFlatDescriptors } from './flat-entry.ts';
import { EAX, EBX, ESP } from '../cpu/regs.ts';
import { LoaderError, hex } from './loader-error.ts';
import { hasElfMagic, parseElf32, PT_LOAD } from './elf.ts';

export { LoaderError } from './loader-error.ts';

export const MULTIBOOT_HEADER_MAGIC = 0x1BADB002;
/** EAX at the kernel's entry point (§3.2). */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;
/** The header must lie entirely within the image's first 8192 bytes, 32-bit aligned (§3.1.1). */
export const MULTIBOOT_SEARCH_BYTES = 8192;
export const BOOT_LOADER_NAME = 'trapeze';

// Header flags (§3.1.2). Bits 0-15 are requirements: a loader that cannot honour one must refuse the image.
export const MBH_PAGE_ALIGN = 1 << 0;
export const MBH_MEMORY_INFO = 1 << 1;
export const MBH_VIDEO_MODE = 1 << 2;
export const MBH_AOUT_KLUDGE = 1 << 16;
/** Requirements trapeze honours. Video mode (bit 2) is accepted and ignored: there is no display. */
const SUPPORTED_REQUIREMENTS = MBH_PAGE_ALIGN | MBH_MEMORY_INFO | MBH_VIDEO_MODE;

// Boot information flags (§3.3).
export const MBI_MEMORY = 1 << 0, MBI_BOOTDEV = 1 << 1, MBI_CMDLINE = 1 << 2, MBI_MODS = 1 << 3,
  MBI_MMAP = 1 << 6, MBI_LOADER_NAME = 1 << 9;

/** Size of the boot information structure up to and including the VBE fields (§3.3), zero-filled. */
export const MBI_SIZE = 88;
/** Memory map entries: a size field (20, not counting itself) then base, length (64-bit each), type. */
export const MMAP_ENTRY_SIZE = 24;
export const MODULE_ENTRY_SIZE = 16;
export const BOOT_STACK_SIZE = 16 * 1024;

/** The selectors of the flat segments the loader's GDT holds and the kernel starts with. */
export const BOOT_CS = 0x08, BOOT_DS = 0x10;

const VGA_ROM_HOLE_START = 0xA0000, EXTENDED_START = 0x100000;

export interface AoutKludge {
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

export interface MultibootHeader {
  /** File offset of the magic. */
  offset: number;
  flags: number;
  /** The address fields, when flag 16 is set. */
  aout?: AoutKludge;
}

/** A range of physical memory in the memory map (type 1 = available RAM, anything else reserved). */
export interface MemoryRegion {
  base: number;
  length: number;
  type: number;
}

export interface MultibootModule {
  data: Uint8Array;
  /** The module's string in the boot information (by convention its file name and arguments). */
  name?: string;
}

export interface MultibootOptions {
  /** The kernel command line (boot information `cmdline`), default empty. */
  cmdline?: string;
  modules?: MultibootModule[];
  /** RAM size for the default memory map (default: mem.size). */
  memSize?: number;
  /** The machine's memory map; default pcMemoryMap(memSize). */
  memoryMap?: MemoryRegion[];
}

/** One piece of the kernel image in physical memory: bytes from the file, then zeros up to `memSize`. */
export interface LoadSegment {
  /** For messages: "segment 2" (ELF) or "image" (a.out kludge). */
  name: string;
  addr: number;
  data: Uint8Array;
  memSize: number;
}

/** A checked image, ready to be placed: what parseMultiboot finds without looking at any machine. */
export interface MultibootImage {
  format: 'elf' | 'aout';
  header: MultibootHeader;
  entry: number;
  segments: LoadSegment[];
  /** Lowest and (exclusive) highest physical address the kernel occupies. */
  start: number;
  end: number;
}

export interface MultibootLoadResult extends MultibootImage {
  infoAddr: number;
  stackTop: number;
  gdtAddr: number;
  modules: { start: number; end: number; name: string }[];
  memoryMap: MemoryRegion[];
  memLower: number;
  memUpper: number;
}

/** The PC memory map (what src/platform/pc.ts builds): conventional RAM, the VGA/ROM hole, extended RAM. */
export function pcMemoryMap(memSize: number): MemoryRegion[] {
  const map: MemoryRegion[] = [{ base: 0, length: Math.min(memSize, VGA_ROM_HOLE_START), type: 1 }];
  map.push({ base: VGA_ROM_HOLE_START, length: EXTENDED_START - VGA_ROM_HOLE_START, type: 2 });
  if (memSize > EXTENDED_START) map.push({ base: EXTENDED_START, length: memSize - EXTENDED_START, type: 1 });
  return map;
}

// ---------------------------------------------------------------------------------------------------
// The header and the image
// ---------------------------------------------------------------------------------------------------

/** Find and check the Multiboot header (§3.1.1): magic, checksum, supported requirements. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const limit = Math.min(image.length, MULTIBOOT_SEARCH_BYTES);
  let badChecksumAt = -1;
  for (let off = 0; off + 12 <= limit; off += 4) {
    if (dv.getUint32(off, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = dv.getUint32(off + 4, true), checksum = dv.getUint32(off + 8, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) !== 0) {
      if (badChecksumAt < 0) badChecksumAt = off;
      continue;
    }
    const needs = flags & MBH_AOUT_KLUDGE ? 32 : 12;
    if (off + needs > MULTIBOOT_SEARCH_BYTES) {
      throw new LoaderError(`Multiboot header at offset ${hex(off)} extends past the first ${MULTIBOOT_SEARCH_BYTES} bytes of the file`);
    }
    if (off + needs > image.length) throw new LoaderError(`truncated file: the Multiboot header at offset ${hex(off)} needs ${needs} bytes`);
    const unsupported = flags & 0xFFFF & ~SUPPORTED_REQUIREMENTS;
    if (unsupported) {
      throw new LoaderError(`the kernel requires Multiboot features trapeze does not support (header flags ${hex(flags)}, unsupported bits ${hex(unsupported)})`);
    }
    const header: MultibootHeader = { offset: off, flags };
    if (flags & MBH_AOUT_KLUDGE) {
      header.aout = {
        headerAddr: dv.getUint32(off + 12, true),
        loadAddr: dv.getUint32(off + 16, true),
        loadEndAddr: dv.getUint32(off + 20, true),
        bssEndAddr: dv.getUint32(off + 24, true),
        entryAddr: dv.getUint32(off + 28, true),
      };
    }
    return header;
  }
  if (badChecksumAt >= 0) throw new LoaderError(`Multiboot header at offset ${hex(badChecksumAt)} has a bad checksum (magic + flags + checksum must be 0)`);
  throw new LoaderError(`not a Multiboot kernel: no Multiboot header (magic ${hex(MULTIBOOT_HEADER_MAGIC)}) in the first ${MULTIBOOT_SEARCH_BYTES} bytes`);
}

/**
 * Check an image and work out what goes where, without touching any machine: the header, then either
 * the a.out kludge's address fields (flag 16; they win even over ELF headers, §3.1.3) or the ELF32
 * program headers (PT_LOAD segments at their physical addresses p_paddr).
 */
export function parseMultiboot(image: Uint8Array): MultibootImage {
  const header = findMultibootHeader(image);
  if (header.aout) return aoutImage(image, header, header.aout);
  if (!hasElfMagic(image)) {
    throw new LoaderError('not an ELF file, and its Multiboot header has no load addresses (flag 16, the a.out kludge)');
  }
  return elfImage(image, header);
}

function aoutImage(image: Uint8Array, header: MultibootHeader, a: AoutKludge): MultibootImage {
  // The file offset to load from: the header's offset, less how far the header lies after load_addr.
  if (a.loadAddr > a.headerAddr) throw new LoaderError(`a.out kludge: load_addr ${hex(a.loadAddr)} is above header_addr ${hex(a.headerAddr)}`);
  const before = a.headerAddr - a.loadAddr;
  if (before > header.offset) {
    throw new LoaderError(`a.out kludge: header_addr - load_addr = ${hex(before)} exceeds the header's file offset ${hex(header.offset)}`);
  }
  const fileStart = header.offset - before;
  let size: number;
  if (a.loadEndAddr === 0) {
    size = image.length - fileStart; // 0: text and data fill the rest of the file
  } else {
    if (a.loadEndAddr < a.loadAddr) throw new LoaderError(`a.out kludge: load_end_addr ${hex(a.loadEndAddr)} is below load_addr ${hex(a.loadAddr)}`);
    size = a.loadEndAddr - a.loadAddr;
    if (size > image.length - fileStart) {
      throw new LoaderError(`truncated file: the a.out kludge loads ${size} bytes from offset ${hex(fileStart)}, but the file has only ${image.length - fileStart} there`);
    }
  }
  const loadEnd = a.loadAddr + size;
  let end = loadEnd;
  if (a.bssEndAddr !== 0) {
    if (a.bssEndAddr < loadEnd) throw new LoaderError(`a.out kludge: bss_end_addr ${hex(a.bssEndAddr)} is below the end of the loaded data ${hex(loadEnd)}`);
    end = a.bssEndAddr;
  }
  if (end > 0x1_0000_0000) throw new LoaderError(`a.out kludge: the image at ${hex(a.loadAddr)}+${end - a.loadAddr} wraps around 4 GiB`);
  if (a.entryAddr < a.loadAddr || a.entryAddr >= end) {
    throw new LoaderError(`a.out kludge: entry_addr ${hex(a.entryAddr)} lies outside the image ${hex(a.loadAddr)}-${hex(end)}`);
  }
  return {
    format: 'aout',
    header,
    entry: a.entryAddr,
    segments: [{ name: 'image', addr: a.loadAddr, data: image.subarray(fileStart, fileStart + size), memSize: end - a.loadAddr }],
    start: a.loadAddr,
    end,
  };
}

function elfImage(image: Uint8Array, header: MultibootHeader): MultibootImage {
  const elf = parseElf32(image);
  const segments: LoadSegment[] = [];
  const loads = elf.phdrs.map((ph, i) => ({ ph, i })).filter(({ ph }) => ph.type === PT_LOAD && ph.memsz > 0);
  if (loads.length === 0) throw new LoaderError('ELF file has no loadable (PT_LOAD) segments');
  for (const { ph, i } of loads) {
    segments.push({ name: `segment ${i}`, addr: ph.paddr, data: image.subarray(ph.offset, ph.offset + ph.filesz), memSize: ph.memsz });
  }
  const sorted = [...segments].sort((x, y) => x.addr - y.addr);
  for (let k = 1; k < sorted.length; k++) {
    const p = sorted[k - 1], c = sorted[k];
    if (p.addr + p.memSize > c.addr) {
      throw new LoaderError(`ELF ${p.name} (${hex(p.addr)}-${hex(p.addr + p.memSize)}) and ${c.name} (${hex(c.addr)}-${hex(c.addr + c.memSize)}) overlap`);
    }
  }
  // The kernel starts with paging off, so e_entry must be a physical address inside a segment. A kernel
  // linked higher-half gives a virtual one: like GRUB 2, translate it through the segment containing it.
  let entry = -1;
  for (const { ph } of loads) if (elf.entry >= ph.paddr && elf.entry < ph.paddr + ph.memsz) entry = elf.entry;
  if (entry < 0) {
    for (const { ph } of loads) {
      if (elf.entry >= ph.vaddr && elf.entry < ph.vaddr + ph.memsz) { entry = (elf.entry - ph.vaddr + ph.paddr) >>> 0; break; }
    }
  }
  if (entry < 0) throw new LoaderError(`ELF entry point ${hex(elf.entry)} lies in no loadable segment`);
  const start = sorted[0].addr;
  const end = Math.max(...segments.map((s) => s.addr + s.memSize));
  return { format: 'elf', header, entry, segments, start, end };
}

// ---------------------------------------------------------------------------------------------------
// Placing it in a machine
// ---------------------------------------------------------------------------------------------------

type Range = [number, number]; // [start, end)

function mib(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

function availableRanges(map: MemoryRegion[]): Range[] {
  const r: Range[] = map.filter((m) => m.type === 1 && m.length > 0).map((m) => [m.base, m.base + m.length] as Range);
  r.sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const x of r) {
    const last = merged[merged.length - 1];
    if (last && x[0] <= last[1]) last[1] = Math.max(last[1], x[1]);
    else merged.push([x[0], x[1]]);
  }
  return merged;
}

function subtract(free: Range[], used: Range[]): Range[] {
  let out = free;
  for (const [us, ue] of used) {
    if (ue <= us) continue;
    const next: Range[] = [];
    for (const [fs, fe] of out) {
      if (ue <= fs || us >= fe) { next.push([fs, fe]); continue; }
      if (fs < us) next.push([fs, us]);
      if (ue < fe) next.push([ue, fe]);
    }
    out = next;
  }
  return out;
}

/** The lowest (or highest) `align`-aligned block of `size` bytes in `free` within `window`. */
function fit(free: Range[], window: Range, size: number, align: number, fromTop: boolean): number | null {
  let best: number | null = null;
  for (const [fs, fe] of free) {
    const lo = Math.max(fs, window[0]), hi = Math.min(fe, window[1]);
    if (fromTop) {
      const a = Math.floor((hi - size) / align) * align;
      if (a >= lo && (best === null || a > best)) best = a;
    } else {
      const a = Math.ceil(lo / align) * align;
      if (a + size <= hi && (best === null || a < best)) best = a;
    }
  }
  return best;
}

/** Refuse a range that is not entirely available RAM, saying why in terms the user can act on. */
function checkPlacement(what: string, start: number, end: number, avail: Range[], mem: PhysicalMemory, map: MemoryRegion[]): void {
  if (end <= start) return;
  if (end > mem.size) {
    throw new LoaderError(`${what} (${hex(start)}-${hex(end)}) lies beyond the end of RAM at ${hex(mem.size)} (${mib(mem.size)}): give the machine more memory`);
  }
  if (!avail.some(([s, e]) => start >= s && end <= e)) {
    const r = map.find((m) => m.type !== 1 && start < m.base + m.length && end > m.base);
    const where = r ? `reserved memory ${hex(r.base)}-${hex(r.base + r.length)}${r.base === VGA_ROM_HOLE_START ? ' (VGA window and BIOS ROM)' : ''}` : 'memory that is not available RAM';
    throw new LoaderError(`${what} (${hex(start)}-${hex(end)}) overlaps ${where}`);
  }
  for (let p = start >>> 12; p < Math.ceil(end / 4096); p++) {
    if (!mem.isWritableRamPage(p)) throw new LoaderError(`${what} (${hex(start)}-${hex(end)}) covers ${hex(p * 4096)}, which is device memory or ROM, not RAM`);
  }
}

const utf8 = new TextEncoder();

function cString(s: string, what: string): Uint8Array {
  if (s.includes('\0')) throw new LoaderError(`${what} contains a NUL character`);
  const b = utf8.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * Load a Multiboot kernel (and its modules) into `mem` and set `cpu` to the machine state of §3.2:
 * EAX = 0x2BADB002, EBX = the boot information's address, CS/DS/ES/FS/GS/SS flat 32-bit segments (from a
 * GDT the loader provides), CR0.PE = 1, CR0.PG = 0, EFLAGS.IF = EFLAGS.VM = 0, A20 enabled, EIP = entry.
 * The spec leaves ESP, GDTR and IDTR undefined: ESP points at a 16 KiB stack, GDTR at the flat GDT, and
 * IDTR is empty (base 0, limit 0), so an exception before the kernel loads its own IDT is a clean triple
 * fault rather than a jump through whatever lies at address 0.
 */
export function loadMultiboot(mem: PhysicalMemory, cpu: CPU, image: Uint8Array, opts: MultibootOptions = {}): MultibootLoadResult {
  const img = parseMultiboot(image);
  const map = opts.memoryMap ?? pcMemoryMap(opts.memSize ?? mem.size);
  // A map may describe more than there is: only RAM that exists can take anything.
  const avail = availableRanges(map).map(([s, e]) => [s, Math.min(e, mem.size)] as Range).filter(([s, e]) => e > s);

  // The kernel
  const used: Range[] = [];
  for (const s of img.segments) {
    checkPlacement(img.format === 'elf' ? `kernel ${s.name}` : 'kernel image', s.addr, s.addr + s.memSize, avail, mem, map);
    used.push([s.addr, s.addr + s.memSize]);
  }

  // The modules: page-aligned (header flag 0 asks for it; we always do it), after the kernel.
  const modules: { start: number; end: number; name: string }[] = [];
  let next = Math.ceil(img.end / 4096) * 4096;
  (opts.modules ?? []).forEach((m, i) => {
    const name = m.name ?? '';
    const start = next, end = start + m.data.length;
    checkPlacement(`module ${i + 1}${name ? ` "${name}"` : ''} of ${m.data.length} bytes`, start, end, avail, mem, map);
    modules.push({ start, end, name });
    used.push([start, end]);
    next = Math.ceil(end / 4096) * 4096;
  });

  // The boot information block: GDT, info structure, memory map, module list, strings.
  const cmdlineBytes = cString(opts.cmdline ?? '', 'the command line');
  const moduleStrings = modules.map((m, i) => cString(m.name, `the string of module ${i + 1}`));
  const nameBytes = cString(BOOT_LOADER_NAME, 'the boot loader name');
  const mmapEntries = map.filter((m) => m.length > 0);
  const offGdt = 0, offInfo = 32, offMmap = offInfo + MBI_SIZE, offMods = offMmap + mmapEntries.length * MMAP_ENTRY_SIZE;
  let offStr = offMods + modules.length * MODULE_ENTRY_SIZE;
  const stringOffsets: number[] = [];
  for (const s of [cmdlineBytes, nameBytes, ...moduleStrings]) { stringOffsets.push(offStr); offStr += s.length; }
  const blockSize = Math.ceil(offStr / 16) * 16;

  const free = subtract(avail, [[0, 0x1000], ...used]);
  const high: Range = [Math.ceil(next / 4096) * 4096, 0x1_0000_0000];
  const base = fit(free, [0x8000, VGA_ROM_HOLE_START], blockSize, 16, false)
    ?? fit(free, [0x1000, 0x8000], blockSize, 16, false)
    ?? fit(free, high, blockSize, 16, false);
  if (base === null) throw new LoaderError('no free memory left for the Multiboot information structure');
  const free2 = subtract(free, [[base, base + blockSize]]);
  const stackBase = fit(free2, [0x1000, 0x8000], BOOT_STACK_SIZE, 16, true)
    ?? fit(free2, [0x1000, VGA_ROM_HOLE_START], BOOT_STACK_SIZE, 16, true)
    ?? fit(free2, high, BOOT_STACK_SIZE, 16, false);
  if (stackBase === null) throw new LoaderError('no free memory left for the boot stack');

  // mem_lower: KiB of RAM from 0; mem_upper: KiB of RAM from 1 MiB up to the first hole (§3.3).
  const low = avail.find(([s]) => s === 0);
  const memLower = low ? Math.floor(Math.min(low[1], VGA_ROM_HOLE_START) / 1024) : 0;
  const up = avail.find(([s, e]) => s <= EXTENDED_START && e > EXTENDED_START);
  const memUpper = up ? Math.floor((Math.min(up[1], 0x1_0000_0000) - EXTENDED_START) / 1024) : 0;

  const block = new Uint8Array(blockSize);
  const dv = new DataView(block.buffer);
  // GDT: null, flat 4 GiB 32-bit code (0x08), flat 4 GiB 32-bit data (0x10), accessed bits set.
  writeFlatDescriptors(new DataView(block.buffer, offGdt, 24), BOOT_CS, BOOT_DS);
  const info = offInfo;
  dv.setUint32(info + 0, MBI_MEMORY | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME, true);
  dv.setUint32(info + 4, memLower, true);
  dv.setUint32(info + 8, memUpper, true);
  dv.setUint32(info + 16, base + stringOffsets[0], true); // cmdline
  dv.setUint32(info + 20, modules.length, true);
  dv.setUint32(info + 24, base + offMods, true);
  dv.setUint32(info + 44, mmapEntries.length * MMAP_ENTRY_SIZE, true);
  dv.setUint32(info + 48, base + offMmap, true);
  dv.setUint32(info + 64, base + stringOffsets[1], true); // boot_loader_name
  mmapEntries.forEach((r, i) => {
    const o = offMmap + i * MMAP_ENTRY_SIZE;
    dv.setUint32(o, MMAP_ENTRY_SIZE - 4, true);
    dv.setUint32(o + 4, r.base >>> 0, true);
    dv.setUint32(o + 8, Math.floor(r.base / 0x1_0000_0000), true);
    dv.setUint32(o + 12, r.length >>> 0, true);
    dv.setUint32(o + 16, Math.floor(r.length / 0x1_0000_0000), true);
    dv.setUint32(o + 20, r.type, true);
  });
  modules.forEach((m, i) => {
    const o = offMods + i * MODULE_ENTRY_SIZE;
    dv.setUint32(o, m.start, true);
    dv.setUint32(o + 4, m.end, true);
    dv.setUint32(o + 8, base + stringOffsets[2 + i], true);
  });
  [cmdlineBytes, nameBytes, ...moduleStrings].forEach((s, i) => block.set(s, stringOffsets[i]));

  // Everything checked: write memory.
  for (const s of img.segments) {
    mem.load(s.addr, s.data);
    mem.u8.fill(0, s.addr + s.data.length, s.addr + s.memSize);
  }
  (opts.modules ?? []).forEach((m, i) => mem.load(modules[i].start, m.data));
  mem.load(base, block);

  // The machine state of §3.2.
  const gdtAddr = base + offGdt, infoAddr = base + offInfo, stackTop = stackBase + BOOT_STACK_SIZE;
  enterFlat(cpu, {
    gdtBase: gdtAddr, gdtLimit: 3 * 8 - 1, csSel: BOOT_CS, dsSel: BOOT_DS, eip: img.entry,
    regs: { [EAX]: MULTIBOOT_BOOTLOADER_MAGIC, [EBX]: infoAddr, [ESP]: stackTop },
  });

  return { ...img, infoAddr, stackTop, gdtAddr, modules, memoryMap: mmapEntries, memLower, memUpper };
}
