// The Linux/x86 32-bit boot protocol (the kernel's Documentation/x86/boot.rst, "32-bit boot protocol"):
// what a boot loader that skips the real-mode setup code must do. Two kernels are accepted:
// - a bzImage: its protected-mode part (everything after the (setup_sects+1) sectors of real-mode code) is
//   loaded at 0x100000 and entered at code32_start; the kernel's own decompressor then unpacks vmlinux;
// - an ELF vmlinux (extracted from the bzImage's payload by vmlinux-extract.ts): its PT_LOAD segments are
//   loaded at their physical addresses and entered at the ELF entry (startup_32, physical), skipping the
//   decompressor (~2.3 G instructions of XZ). It still needs the bzImage's setup header for the zero page.
// Both get the same "zero page" (struct boot_params): the setup header copied from the image, the e820
// memory map, the command line and the initrd, and the same entry state.

import type { PhysicalMemory } from '../platform/memory.ts';
import type { CPU } from '../cpu/cpu.ts';
import { ESI } from '../cpu/regs.ts';
import { enterFlat, writeFlatDescriptors } from './flat-entry.ts';
import { parseElf32, hasElfMagic, PT_LOAD } from './elf.ts';
import { LoaderError, hex } from './loader-error.ts';

/** Offsets in the boot sector / zero page (boot.rst "The real-mode kernel header", zero-page.rst). */
const OFF_E820_ENTRIES = 0x1E8, OFF_SETUP_SECTS = 0x1F1, OFF_BOOT_FLAG = 0x1FE, OFF_HEADER = 0x202,
  OFF_VERSION = 0x206, OFF_TYPE_OF_LOADER = 0x210, OFF_LOADFLAGS = 0x211, OFF_CODE32_START = 0x214,
  OFF_RAMDISK_IMAGE = 0x218, OFF_RAMDISK_SIZE = 0x21C, OFF_CMD_LINE_PTR = 0x228, OFF_INITRD_ADDR_MAX = 0x22C,
  OFF_RELOCATABLE = 0x234, OFF_XLOADFLAGS = 0x236, OFF_CMDLINE_SIZE = 0x238, OFF_PAYLOAD_OFFSET = 0x248,
  OFF_PAYLOAD_LENGTH = 0x24C, OFF_PREF_ADDRESS = 0x258, OFF_INIT_SIZE = 0x260, OFF_E820_TABLE = 0x2D0;
const HDRS = 0x53726448; // "HdrS"
const LOADED_HIGH = 0x01, KEEP_SEGMENTS = 0x40, CAN_USE_HEAP = 0x80;
const XLF_KERNEL_64 = 0x01;
/** The protected-mode kernel of a bzImage goes here (boot.rst: "loaded at 0x100000"). */
export const BZIMAGE_LOAD_ADDR = 0x100000;
/** Oldest protocol we accept: 2.04 (bzImage with 32-bit code32_start semantics, the 32-bit boot protocol). */
const MIN_PROTOCOL = 0x0204;
/** Where the loader puts its own things in low memory (free RAM under 640 KiB, away from the BDA/EBDA). */
const GDT_ADDR = 0x8000, ZERO_PAGE_ADDR = 0x9000, CMDLINE_ADDR = 0xA000, CMDLINE_MAX_SPACE = 0x10000 - 0xA000;
/** __BOOT_CS and __BOOT_DS: the selectors the 32-bit protocol requires (boot.rst). */
export const LINUX_BOOT_CS = 0x10, LINUX_BOOT_DS = 0x18;
const E820_RAM = 1, E820_RESERVED = 2;

export interface SetupHeader {
  setupSects: number;
  version: number;
  loadflags: number;
  code32Start: number;
  initrdAddrMax: number;
  relocatable: boolean;
  xloadflags: number;
  cmdlineSize: number;
  payloadOffset: number;
  payloadLength: number;
  prefAddress: number;
  initSize: number;
  /** File offset of the protected-mode kernel: (setup_sects + 1) * 512. */
  pmOffset: number;
  /** End of the setup header in the boot sector (0x202 + the byte at 0x201). */
  headerEnd: number;
}

export interface E820Entry { addr: number; size: number; type: number }

export interface LinuxBootOptions {
  cmdline?: string;
  initrd?: Uint8Array;
}

export interface LinuxBootResult {
  header: SetupHeader;
  entry: number;
  zeroPage: number;
  cmdlineAddr: number;
  initrdAddr: number;
  e820: E820Entry[];
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** Is this a Linux kernel image with a boot-protocol header ("HdrS" at 0x202)? */
export function isBzImage(image: Uint8Array): boolean {
  return image.length >= 0x206 && u32(image, OFF_HEADER) === HDRS;
}

/** Read and check the setup header of a bzImage (boot.rst "Details of header fields"). */
export function parseSetupHeader(image: Uint8Array): SetupHeader {
  if (image.length < 0x264) throw new LoaderError(`not a Linux kernel: ${image.length} bytes is too short for a boot sector and setup header`);
  if (u32(image, OFF_HEADER) !== HDRS) throw new LoaderError('not a Linux kernel image: no "HdrS" boot-protocol signature at 0x202');
  if (u16(image, OFF_BOOT_FLAG) !== 0xAA55) throw new LoaderError(`not a Linux kernel image: boot flag ${hex(u16(image, OFF_BOOT_FLAG))} at 0x1fe (want 0xaa55)`);
  const version = u16(image, OFF_VERSION);
  const vtext = `${version >> 8}.${(version & 0xFF).toString().padStart(2, '0')}`;
  if (version < MIN_PROTOCOL) throw new LoaderError(`Linux boot protocol ${vtext} is too old: the 32-bit boot protocol needs 2.04 or later`);
  const loadflags = image[OFF_LOADFLAGS];
  if (!(loadflags & LOADED_HIGH)) throw new LoaderError('zImage (loaded low at 0x10000): only bzImage kernels (LOADED_HIGH) are supported');
  const xloadflags = version >= 0x020C ? u16(image, OFF_XLOADFLAGS) : 0;
  if (xloadflags & XLF_KERNEL_64) throw new LoaderError('64-bit (x86-64) kernel: this machine is an IA-32 processor without long mode; use an i386 kernel');
  let setupSects = image[OFF_SETUP_SECTS];
  if (setupSects === 0) setupSects = 4; // boot.rst: "if this field is 0, the real value is 4"
  const pmOffset = (setupSects + 1) * 512;
  if (pmOffset >= image.length) throw new LoaderError(`truncated kernel: the setup code alone claims ${pmOffset} bytes of the file's ${image.length}`);
  const headerEnd = Math.min(0x202 + image[0x201], pmOffset);
  const h: SetupHeader = {
    setupSects, version, loadflags, xloadflags, pmOffset, headerEnd,
    code32Start: u32(image, OFF_CODE32_START),
    initrdAddrMax: version >= 0x0203 ? u32(image, OFF_INITRD_ADDR_MAX) : 0x37FFFFFF,
    relocatable: version >= 0x0205 && image[OFF_RELOCATABLE] !== 0,
    cmdlineSize: version >= 0x0206 ? u32(image, OFF_CMDLINE_SIZE) : 255,
    payloadOffset: version >= 0x0208 ? u32(image, OFF_PAYLOAD_OFFSET) : 0,
    payloadLength: version >= 0x0208 ? u32(image, OFF_PAYLOAD_LENGTH) : 0,
    prefAddress: version >= 0x020A ? u32(image, OFF_PREF_ADDRESS) + 0x100000000 * u32(image, OFF_PREF_ADDRESS + 4) : BZIMAGE_LOAD_ADDR,
    initSize: version >= 0x020A ? u32(image, OFF_INIT_SIZE) : 0,
  };
  if (h.payloadLength > 0 && pmOffset + h.payloadOffset + h.payloadLength > image.length) {
    throw new LoaderError(`truncated kernel: its compressed payload ends at ${hex(pmOffset + h.payloadOffset + h.payloadLength)}, the file at ${hex(image.length)}`);
  }
  return h;
}

/**
 * The e820 map we report (linux-guest.md "e820 that works"): conventional RAM below the EBDA-sized hole,
 * the BIOS area reserved, extended RAM from 1 MiB to the top. No ACPI/MP tables exist anywhere.
 */
export function linuxE820(memSize: number): E820Entry[] {
  return [
    { addr: 0, size: 0x9FC00, type: E820_RAM },
    { addr: 0x9FC00, size: 0x400, type: E820_RESERVED },
    { addr: 0xF0000, size: 0x10000, type: E820_RESERVED },
    { addr: 0x100000, size: memSize - 0x100000, type: E820_RAM },
  ];
}

/** Boot a bzImage: its protected-mode part at 0x100000, entered at code32_start (the decompressor). */
export function loadBzImage(mem: PhysicalMemory, cpu: CPU, image: Uint8Array, opts: LinuxBootOptions = {}): LinuxBootResult {
  const h = parseSetupHeader(image);
  const pm = image.subarray(h.pmOffset);
  // The decompressor unpacks to pref_address (relocatable kernels without KASLR: LOAD_PHYSICAL_ADDR) and
  // needs init_size bytes from there (boot.rst "init_size").
  const need = Math.max(BZIMAGE_LOAD_ADDR + pm.length, h.initSize ? Math.max(h.prefAddress, BZIMAGE_LOAD_ADDR) + h.initSize : 0);
  checkFits(mem, need, 'the kernel and its decompression area');
  const code32 = h.code32Start || BZIMAGE_LOAD_ADDR;
  if (code32 < BZIMAGE_LOAD_ADDR || code32 >= BZIMAGE_LOAD_ADDR + pm.length) {
    throw new LoaderError(`code32_start ${hex(code32)} lies outside the protected-mode kernel loaded at ${hex(BZIMAGE_LOAD_ADDR)}`);
  }
  const zp = buildZeroPage(mem, image, h, opts, need);
  mem.load(BZIMAGE_LOAD_ADDR, pm);
  return enter(mem, cpu, h, zp, code32);
}

/**
 * Boot an ELF vmlinux directly (the decompressor's output): PT_LOAD segments at their physical addresses,
 * entered at e_entry (startup_32, a physical address). `setupImage` is the bzImage it came from: the zero
 * page still carries its setup header, as the decompressor would have passed it on.
 */
export function loadVmlinux(mem: PhysicalMemory, cpu: CPU, vmlinux: Uint8Array, setupImage: Uint8Array, opts: LinuxBootOptions = {}): LinuxBootResult {
  const h = parseSetupHeader(setupImage);
  if (!hasElfMagic(vmlinux)) throw new LoaderError('vmlinux: not an ELF file');
  const elf = parseElf32(vmlinux);
  const loads = elf.phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0);
  if (loads.length === 0) throw new LoaderError('vmlinux: no loadable segment');
  let end = 0;
  for (const p of loads) {
    if (p.paddr < BZIMAGE_LOAD_ADDR) throw new LoaderError(`vmlinux: segment at physical ${hex(p.paddr)} lies below 1 MiB`);
    end = Math.max(end, p.paddr + p.memsz);
  }
  // The kernel uses memory up to init_size past its start for its early page tables and brk.
  const start = Math.min(...loads.map((p) => p.paddr));
  checkFits(mem, Math.max(end, h.initSize ? start + h.initSize : 0), 'vmlinux');
  const entry = elf.entry;
  if (!loads.some((p) => entry >= p.paddr && entry < p.paddr + p.filesz)) {
    throw new LoaderError(`vmlinux: entry ${hex(entry)} is not a physical address inside a loaded segment (is this an i386 vmlinux?)`);
  }
  const zp = buildZeroPage(mem, setupImage, h, opts, end);
  for (const p of loads) {
    mem.load(p.paddr, vmlinux.subarray(p.offset, p.offset + p.filesz));
    mem.u8.fill(0, p.paddr + p.filesz, p.paddr + p.memsz);
  }
  return enter(mem, cpu, h, zp, entry);
}

function checkFits(mem: PhysicalMemory, end: number, what: string): void {
  if (end > mem.size) {
    throw new LoaderError(`${what} need${what.endsWith('s') ? '' : 's'} RAM up to ${hex(end)} (${Math.ceil(end / (1 << 20))} MiB); give more memory (--mem)`);
  }
}

interface ZeroPage { zeroPage: number; cmdlineAddr: number; initrdAddr: number; e820: E820Entry[] }

/** Fill struct boot_params (zero-page.rst), place the command line and the initrd. Writes memory. */
function buildZeroPage(mem: PhysicalMemory, image: Uint8Array, h: SetupHeader, opts: LinuxBootOptions, kernelEnd: number): ZeroPage {
  const cmdline = new TextEncoder().encode(opts.cmdline ?? '');
  const maxCmd = Math.min(h.cmdlineSize, CMDLINE_MAX_SPACE - 1);
  if (cmdline.length > maxCmd) throw new LoaderError(`kernel command line of ${cmdline.length} bytes is longer than the kernel accepts (${maxCmd})`);
  if (cmdline.includes(0)) throw new LoaderError('kernel command line contains a NUL byte');

  // The initrd: as high as possible below initrd_addr_max and the top of RAM, page aligned (boot.rst
  // "ramdisk_image": as high as possible is what most loaders do), above the kernel.
  let initrdAddr = 0;
  const initrd = opts.initrd;
  if (initrd && initrd.length > 0) {
    const top = Math.min(mem.size, h.initrdAddrMax + 1);
    initrdAddr = Math.floor((top - initrd.length) / 4096) * 4096;
    if (initrdAddr < Math.ceil(kernelEnd / 4096) * 4096) {
      throw new LoaderError(`initrd of ${initrd.length} bytes does not fit between the kernel (ends ${hex(kernelEnd)}) and ${hex(top)}; give more memory (--mem)`);
    }
  }

  const zp = new Uint8Array(4096);
  const dv = new DataView(zp.buffer);
  zp.set(image.subarray(OFF_SETUP_SECTS, h.headerEnd), OFF_SETUP_SECTS);
  zp[OFF_TYPE_OF_LOADER] = 0xFF; // "undefined" loader (boot.rst: 0xFF for loaders without an assigned ID)
  // LOADED_HIGH stays; KEEP_SEGMENTS off (the kernel reloads segments); no real-mode heap.
  zp[OFF_LOADFLAGS] = (zp[OFF_LOADFLAGS] | LOADED_HIGH) & ~(KEEP_SEGMENTS | CAN_USE_HEAP);
  dv.setUint32(OFF_CODE32_START, h.code32Start || BZIMAGE_LOAD_ADDR, true);
  dv.setUint32(OFF_RAMDISK_IMAGE, initrdAddr, true);
  dv.setUint32(OFF_RAMDISK_SIZE, initrd?.length ?? 0, true);
  dv.setUint32(OFF_CMD_LINE_PTR, CMDLINE_ADDR, true);
  const e820 = linuxE820(mem.size);
  zp[OFF_E820_ENTRIES] = e820.length;
  e820.forEach((e, k) => {
    const o = OFF_E820_TABLE + k * 20;
    dv.setUint32(o, e.addr >>> 0, true); dv.setUint32(o + 4, Math.floor(e.addr / 0x100000000), true);
    dv.setUint32(o + 8, e.size >>> 0, true); dv.setUint32(o + 12, Math.floor(e.size / 0x100000000), true);
    dv.setUint32(o + 16, e.type, true);
  });

  // Everything checked: write memory.
  mem.load(ZERO_PAGE_ADDR, zp);
  const cmd = new Uint8Array(cmdline.length + 1);
  cmd.set(cmdline);
  mem.load(CMDLINE_ADDR, cmd);
  if (initrd && initrdAddr) mem.load(initrdAddr, initrd);
  return { zeroPage: ZERO_PAGE_ADDR, cmdlineAddr: CMDLINE_ADDR, initrdAddr, e820 };
}

/**
 * The entry state of the 32-bit boot protocol (boot.rst): protected mode, paging off, a GDT with flat 4 GiB
 * __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write), every data segment __BOOT_DS, interrupts
 * disabled, ESI = the zero page, EBP = EDI = EBX = 0.
 */
function enter(mem: PhysicalMemory, cpu: CPU, h: SetupHeader, zp: ZeroPage, entry: number): LinuxBootResult {
  const gdt = new Uint8Array(32);
  writeFlatDescriptors(new DataView(gdt.buffer), LINUX_BOOT_CS, LINUX_BOOT_DS);
  mem.load(GDT_ADDR, gdt);
  enterFlat(cpu, { gdtBase: GDT_ADDR, gdtLimit: gdt.length - 1, csSel: LINUX_BOOT_CS, dsSel: LINUX_BOOT_DS, eip: entry, regs: { [ESI]: zp.zeroPage } });
  return { header: h, entry, ...zp };
}
