// The Multiboot v1 loader: every committed guest image loads with the machine state of spec §3.2 and the
// boot information bytes of §3.3; every kind of bad image is refused with its exact message, before
// anything is written to memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CPU } from '../cpu/cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { CS, DS, ES, FS, GS, SS, EAX, EBX, ECX, EDX, ESI, EDI, EBP, ESP } from '../cpu/regs.ts';
import {
  loadMultiboot, parseMultiboot, findMultibootHeader, pcMemoryMap, LoaderError, MULTIBOOT_BOOTLOADER_MAGIC,
  type MultibootOptions,
} from './multiboot.ts';

const images = join(import.meta.dirname, '../../guests/images');
const image = (name: string) => new Uint8Array(readFileSync(join(images, name)));
const TEST_KERNELS = ['boot', 'pic', 'pit', 'cmos', 'uart', 'i8042', 'debug-exit'];

const MB = 1024 * 1024;

function machine(memSize = 128 * MB) {
  const mem = new PhysicalMemory(memSize);
  const cpu = new CPU(mem, new IoBus());
  return { mem, cpu };
}

const le32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
const rd32 = (mem: PhysicalMemory, a: number) => mem.read32(a) >>> 0;
function cstr(mem: PhysicalMemory, a: number): string {
  let s = '';
  for (let i = 0; i < 4096 && mem.u8[a + i]; i++) s += String.fromCharCode(mem.u8[a + i]);
  return s;
}

/** State of §3.2 that every load must produce (plus our choices for what the spec leaves undefined). */
function assertEntryState(cpu: CPU, entry: number, infoAddr: number, stackTop: number, gdtAddr: number): void {
  assert.equal(cpu.r32[EAX] >>> 0, MULTIBOOT_BOOTLOADER_MAGIC);
  assert.equal(cpu.r32[EBX] >>> 0, infoAddr);
  assert.equal(cpu.r32[ESP] >>> 0, stackTop);
  for (const r of [ECX, EDX, ESI, EDI, EBP]) assert.equal(cpu.r32[r], 0);
  assert.equal(cpu.eip, entry);
  assert.equal(cpu.segSel[CS], 0x08);
  assert.equal(cpu.segBase[CS], 0);
  assert.equal(cpu.segLimit[CS], 0xFFFFFFFF);
  assert.equal(cpu.segAR[CS], 0xC09B);
  for (const s of [DS, ES, FS, GS, SS]) {
    assert.equal(cpu.segSel[s], 0x10);
    assert.equal(cpu.segBase[s], 0);
    assert.equal(cpu.segLimit[s], 0xFFFFFFFF);
    assert.equal(cpu.segAR[s], 0xC093);
  }
  assert.equal(cpu.code32, true, 'CS is a 32-bit segment');
  assert.equal(cpu.stack32, true, 'SS is a 32-bit segment');
  assert.equal(cpu.cr0, 0x11, 'CR0: PE and ET only (PG = 0)');
  assert.equal(cpu.cr3, 0);
  assert.equal(cpu.cr4, 0);
  assert.equal(cpu.getEflags(), 0x2, 'EFLAGS: IF = 0, VM = 0');
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.a20Mask, -1, 'A20 enabled');
  assert.equal(cpu.gdtrBase, gdtAddr);
  assert.equal(cpu.gdtrLimit, 23);
  assert.equal(cpu.idtrBase, 0);
  assert.equal(cpu.idtrLimit, 0);
  assert.equal(cpu.halted, false);
}

test('the demo OS: segments, entry state and the boot information, byte for byte', () => {
  const elf = image('demo-os.elf');
  const { mem, cpu } = machine();
  mem.u8.fill(0xAA); // so that a missing zero-fill of the bss shows
  const r = loadMultiboot(mem, cpu, elf, { cmdline: 'autorun' });

  assert.equal(r.format, 'elf');
  assert.equal(r.entry, le32(elf, 24));
  // Code at 1 MiB as in the file (program header 0: offset 0x1000), data + zeroed bss after it.
  const ph0 = 52, ph1 = 52 + 32;
  const [off0, pa0, fsz0] = [le32(elf, ph0 + 4), le32(elf, ph0 + 12), le32(elf, ph0 + 16)];
  const [off1, pa1, fsz1, msz1] = [le32(elf, ph1 + 4), le32(elf, ph1 + 12), le32(elf, ph1 + 16), le32(elf, ph1 + 20)];
  assert.equal(pa0, 0x100000);
  assert.deepEqual(mem.u8.subarray(pa0, pa0 + fsz0), elf.subarray(off0, off0 + fsz0));
  assert.deepEqual(mem.u8.subarray(pa1, pa1 + fsz1), elf.subarray(off1, off1 + fsz1));
  assert.ok(mem.u8.subarray(pa1 + fsz1, pa1 + msz1).every((b) => b === 0), 'bss zeroed');
  assert.equal(mem.u8[pa1 + msz1], 0xAA, 'nothing written past the bss');
  assert.equal(r.start, 0x100000);
  assert.equal(r.end, pa1 + msz1);

  // Where the loader put things for a kernel at 1 MiB: GDT + info block at 0x8000, stack below it.
  assert.equal(r.gdtAddr, 0x8000);
  assert.equal(r.infoAddr, 0x8020);
  assert.equal(r.stackTop, 0x8000);
  assertEntryState(cpu, r.entry, 0x8020, 0x8000, 0x8000);

  // The GDT: null, flat code 0x08, flat data 0x10.
  assert.deepEqual([...mem.u8.subarray(0x8000, 0x8018)], [
    0, 0, 0, 0, 0, 0, 0, 0,
    0xFF, 0xFF, 0, 0, 0, 0x9B, 0xCF, 0,
    0xFF, 0xFF, 0, 0, 0, 0x93, 0xCF, 0,
  ]);
  // The information structure (§3.3).
  const mbi = 0x8020;
  assert.equal(rd32(mem, mbi + 0), 0x24D, 'flags: mem, cmdline, mods, mmap, boot_loader_name (no boot_device)');
  assert.equal(rd32(mem, mbi + 4), 640, 'mem_lower');
  assert.equal(rd32(mem, mbi + 8), 127 * 1024, 'mem_upper');
  assert.equal(rd32(mem, mbi + 12), 0, 'boot_device absent');
  assert.equal(cstr(mem, rd32(mem, mbi + 16)), 'autorun');
  assert.equal(rd32(mem, mbi + 20), 0, 'mods_count');
  for (let o = 28; o < 44; o += 4) assert.equal(rd32(mem, mbi + o), 0, `syms word at +${o}`);
  assert.equal(rd32(mem, mbi + 44), 3 * 24, 'mmap_length');
  const mmap = rd32(mem, mbi + 48);
  assert.equal(mmap, mbi + 88, 'memory map right after the structure');
  for (let o = 52; o < 64; o += 4) assert.equal(rd32(mem, mbi + o), 0, `drives/config word at +${o}`);
  assert.equal(cstr(mem, rd32(mem, mbi + 64)), 'trapeze');
  for (let o = 68; o < 88; o += 4) assert.equal(rd32(mem, mbi + o), 0, `APM/VBE word at +${o}`);
  const entries = [];
  for (let a = mmap; a < mmap + 72; a += 24) entries.push([0, 4, 8, 12, 16, 20].map((o) => rd32(mem, a + o)));
  assert.deepEqual(entries, [
    [20, 0x0, 0, 0xA0000, 0, 1],
    [20, 0xA0000, 0, 0x60000, 0, 2],
    [20, 0x100000, 0, 0x7F00000, 0, 1],
  ]);
  assert.equal(rd32(mem, mbi + 24), mmap + 72, 'mods_addr: the (empty) module list after the map');
});

test('every test kernel loads at its ELF entry point, with the same hand-over state', () => {
  for (const name of TEST_KERNELS) {
    const elf = image(`tests/${name}.elf`);
    const { mem, cpu } = machine();
    const r = loadMultiboot(mem, cpu, elf, { cmdline: 'status=7' });
    assert.equal(r.format, 'elf', name);
    assert.equal(r.entry, le32(elf, 24), name);
    const base = name === 'i8042' ? 0x200000 : 0x100000;
    assert.equal(r.start, base, `${name} is linked at ${base.toString(16)}`);
    assertEntryState(cpu, r.entry, 0x8020, 0x8000, 0x8000);
    assert.equal(cstr(mem, rd32(mem, 0x8020 + 16)), 'status=7');
  }
});

test('the a.out-kludge boot test: the header places the flat file and its bss', () => {
  const bin = image('tests/boot-aout.bin');
  const h = findMultibootHeader(bin);
  assert.equal(h.offset, 0);
  assert.equal(h.flags, 0x10003);
  const a = h.aout!;
  assert.equal(a.headerAddr, 0x100000);
  assert.equal(a.loadAddr, 0x100000);
  assert.equal(a.loadEndAddr, 0x100000 + bin.length, 'the file is text + data exactly');
  assert.ok(a.bssEndAddr > a.loadEndAddr);
  const { mem, cpu } = machine();
  mem.u8.fill(0x55);
  const r = loadMultiboot(mem, cpu, bin);
  assert.equal(r.format, 'aout');
  assert.equal(r.entry, a.entryAddr);
  assert.deepEqual(mem.u8.subarray(0x100000, 0x100000 + bin.length), bin);
  assert.ok(mem.u8.subarray(a.loadEndAddr, a.bssEndAddr).every((b) => b === 0), 'bss zeroed');
  assert.equal(mem.u8[a.bssEndAddr], 0x55);
  assertEntryState(cpu, a.entryAddr, 0x8020, 0x8000, 0x8000);
  assert.equal(cstr(mem, rd32(mem, 0x8020 + 16)), '', 'an empty command line is still given');
});

test('modules: page-aligned after the kernel, listed with their strings', () => {
  const { mem, cpu } = machine();
  const m1 = new Uint8Array([1, 2, 3, 4, 5]), m2 = new Uint8Array(5000).fill(7), m3 = new Uint8Array(0);
  const r = loadMultiboot(mem, cpu, image('tests/boot.elf'), {
    cmdline: 'x', modules: [{ data: m1, name: 'one.bin a=1' }, { data: m2, name: 'two' }, { data: m3 }],
  });
  const first = Math.ceil(r.end / 4096) * 4096;
  assert.deepEqual(r.modules, [
    { start: first, end: first + 5, name: 'one.bin a=1' },
    { start: first + 4096, end: first + 4096 + 5000, name: 'two' },
    { start: first + 3 * 4096, end: first + 3 * 4096, name: '' },
  ]);
  assert.deepEqual(mem.u8.subarray(first, first + 5), m1);
  assert.deepEqual(mem.u8.subarray(first + 4096, first + 4096 + 5000), m2);
  const mbi = r.infoAddr;
  assert.equal(rd32(mem, mbi + 20), 3);
  const list = rd32(mem, mbi + 24);
  const got = [0, 1, 2].map((i) => [rd32(mem, list + 16 * i), rd32(mem, list + 16 * i + 4), cstr(mem, rd32(mem, list + 16 * i + 8)), rd32(mem, list + 16 * i + 12)]);
  assert.deepEqual(got, [
    [first, first + 5, 'one.bin a=1', 0],
    [first + 4096, first + 9096, 'two', 0],
    [first + 12288, first + 12288, '', 0],
  ]);
});

test('the memory map follows the RAM size; a custom map is passed through', () => {
  assert.deepEqual(pcMemoryMap(2 * MB), [
    { base: 0, length: 0xA0000, type: 1 }, { base: 0xA0000, length: 0x60000, type: 2 }, { base: 0x100000, length: MB, type: 1 },
  ]);
  const { mem, cpu } = machine(4 * MB);
  const r = loadMultiboot(mem, cpu, image('demo-os.elf'));
  assert.equal(r.memUpper, 3 * 1024);
  assert.equal(rd32(mem, r.infoAddr + 8), 3 * 1024);
  const custom = machine(8 * MB);
  const map = [{ base: 0, length: 0x9F000, type: 1 }, { base: 0x9F000, length: 0x61000, type: 2 }, { base: 0x100000, length: 6 * MB, type: 1 }, { base: 7 * MB, length: MB, type: 2 }];
  const r2 = loadMultiboot(custom.mem, custom.cpu, image('demo-os.elf'), { memoryMap: map });
  assert.equal(r2.memLower, 0x9F000 / 1024);
  assert.equal(r2.memUpper, 6 * 1024);
  assert.equal(rd32(custom.mem, r2.infoAddr + 44), 4 * 24);
});

// ---- synthetic images for the refusals ----

interface Seg { paddr: number; vaddr?: number; data: Uint8Array; memsz?: number }

/** An ELF32 i386 executable: header, program headers, the Multiboot header at 0x100, segments from 0x1000. */
function makeElf(opts: { entry: number; segs: Seg[]; mbFlags?: number; checksum?: number; mbAt?: number }): Uint8Array {
  let off = 0x1000;
  const placed = opts.segs.map((s) => { const o = off; off += Math.ceil(s.data.length / 16) * 16; return o; });
  const b = new Uint8Array(Math.max(off, 0x1000));
  const dv = new DataView(b.buffer);
  b.set([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 3, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, opts.entry, true); dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, opts.segs.length, true);
  opts.segs.forEach((s, i) => {
    const p = 52 + 32 * i;
    dv.setUint32(p, 1, true); dv.setUint32(p + 4, placed[i], true);
    dv.setUint32(p + 8, s.vaddr ?? s.paddr, true); dv.setUint32(p + 12, s.paddr, true);
    dv.setUint32(p + 16, s.data.length, true); dv.setUint32(p + 20, s.memsz ?? s.data.length, true);
    dv.setUint32(p + 24, 5, true); dv.setUint32(p + 28, 0x1000, true);
    b.set(s.data, placed[i]);
  });
  const flags = opts.mbFlags ?? 3, at = opts.mbAt ?? 0x100;
  dv.setUint32(at, 0x1BADB002, true); dv.setUint32(at + 4, flags, true);
  dv.setUint32(at + 8, opts.checksum ?? ((-(0x1BADB002 + flags)) >>> 0), true);
  return b;
}

/** A flat a.out-kludge image: the 32-byte header at offset `at`, then filler up to `size` bytes. */
function makeAout(f: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number; size?: number; at?: number }): Uint8Array {
  const at = f.at ?? 0;
  const b = new Uint8Array(f.size ?? 0x400).fill(0x90);
  const dv = new DataView(b.buffer);
  const flags = 0x10003;
  [0x1BADB002, flags, (-(0x1BADB002 + flags)) >>> 0, f.headerAddr, f.loadAddr, f.loadEndAddr, f.bssEndAddr, f.entryAddr]
    .forEach((v, i) => dv.setUint32(at + 4 * i, v >>> 0, true));
  return b;
}

const code = new Uint8Array(64).fill(0x90);

function refuses(img: Uint8Array, message: string, opts: MultibootOptions = {}, memSize = 4 * MB): void {
  const { mem, cpu } = machine(memSize);
  const eip = cpu.eip;
  assert.throws(() => loadMultiboot(mem, cpu, img, opts), (e: unknown) => {
    assert.ok(e instanceof LoaderError, `a LoaderError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
  let dirty = -1;
  for (let i = 0; i < mem.i32.length && dirty < 0; i++) if (mem.i32[i] !== 0) dirty = i * 4;
  assert.equal(dirty, -1, 'nothing was written to memory');
  assert.equal(cpu.eip, eip, 'the CPU was not touched');
}

test('refused: no header, header too late, bad checksum, unsupported requirements', () => {
  refuses(new Uint8Array(0), 'not a Multiboot kernel: no Multiboot header (magic 0x1badb002) in the first 8192 bytes');
  refuses(new Uint8Array(9000), 'not a Multiboot kernel: no Multiboot header (magic 0x1badb002) in the first 8192 bytes');
  // a valid header, but at offset 8192: outside the search area
  const late = new Uint8Array(9000);
  new DataView(late.buffer).setUint32(8192, 0x1BADB002, true);
  new DataView(late.buffer).setUint32(8196, 3, true);
  new DataView(late.buffer).setUint32(8200, (-(0x1BADB002 + 3)) >>> 0, true);
  refuses(late, 'not a Multiboot kernel: no Multiboot header (magic 0x1badb002) in the first 8192 bytes');
  // a misaligned magic does not count
  const odd = makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code }], mbAt: 0x102 });
  new DataView(odd.buffer).setUint32(0x100, 0, true);
  refuses(odd, 'not a Multiboot kernel: no Multiboot header (magic 0x1badb002) in the first 8192 bytes');
  refuses(makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code }], checksum: 0x12345678 }),
    'Multiboot header at offset 0x100 has a bad checksum (magic + flags + checksum must be 0)');
  refuses(makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code }], mbFlags: 0x0000000B }),
    'the kernel requires Multiboot features trapeze does not support (header flags 0xb, unsupported bits 0x8)');
  // the a.out fields would run past the first 8192 bytes
  refuses(makeAout({ headerAddr: 0x100000, loadAddr: 0x100000, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0x100000, size: 0x3000, at: 8176 }),
    'Multiboot header at offset 0x1ff0 extends past the first 8192 bytes of the file');
  // video mode (bit 2) is accepted and ignored
  const video = makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code }], mbFlags: 0x7 });
  assert.equal(parseMultiboot(video).header.flags, 7);
});

test('refused: not ELF without the a.out kludge, and broken ELF files', () => {
  const flat = new Uint8Array(64);
  new DataView(flat.buffer).setUint32(0, 0x1BADB002, true);
  new DataView(flat.buffer).setUint32(4, 3, true);
  new DataView(flat.buffer).setUint32(8, (-(0x1BADB002 + 3)) >>> 0, true);
  refuses(flat, 'not an ELF file, and its Multiboot header has no load addresses (flag 16, the a.out kludge)');
  const demo = image('demo-os.elf');
  refuses(demo.subarray(0, 0x2000), `truncated ELF file: segment 0 needs bytes 0x1000-0x${(0x1000 + le32(demo, 52 + 16)).toString(16)} of a 8192-byte file`);
  const wide = new Uint8Array(demo); wide[4] = 2;
  refuses(wide, '64-bit ELF file: trapeze runs 32-bit (i386) kernels');
  refuses(makeElf({ entry: 0x100000, segs: [] }), 'ELF executable without program headers: nothing to load');
  refuses(makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code, memsz: 0 }] }), 'ELF segment 0: file size 64 exceeds its memory size 0');
  refuses(makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: new Uint8Array(0), memsz: 0 }] }), 'ELF file has no loadable (PT_LOAD) segments');
  refuses(makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code, memsz: 0x2000 }, { paddr: 0x101000, data: code }] }),
    'ELF segment 0 (0x100000-0x102000) and segment 1 (0x101000-0x101040) overlap');
  refuses(makeElf({ entry: 0x200000, segs: [{ paddr: 0x100000, data: code }] }), 'ELF entry point 0x200000 lies in no loadable segment');
});

test('a higher-half ELF entry point is translated to its physical address (as GRUB 2 does)', () => {
  const elf = makeElf({ entry: 0xC0100010, segs: [{ paddr: 0x100000, vaddr: 0xC0100000, data: code }] });
  const { mem, cpu } = machine();
  const r = loadMultiboot(mem, cpu, elf);
  assert.equal(r.entry, 0x100010);
  assert.equal(cpu.eip, 0x100010);
  assert.deepEqual(mem.u8.subarray(0x100000, 0x100040), code);
});

test('refused: segments outside RAM or in the VGA/ROM hole; modules that do not fit', () => {
  const demo = image('demo-os.elf');
  const textEnd = (0x100000 + le32(demo, 52 + 20)).toString(16); // segment 0's p_paddr + p_memsz
  refuses(demo, `kernel segment 0 (0x100000-0x${textEnd}) lies beyond the end of RAM at 0x100000 (1 MiB): give the machine more memory`, {}, MB);
  refuses(makeElf({ entry: 0xB8000, segs: [{ paddr: 0xB8000, data: code, memsz: 0x1000 }] }),
    'kernel segment 0 (0xb8000-0xb9000) overlaps reserved memory 0xa0000-0x100000 (VGA window and BIOS ROM)');
  refuses(makeElf({ entry: 0x3FF000, segs: [{ paddr: 0x3FF000, data: code, memsz: 0x2000 }] }),
    'kernel segment 0 (0x3ff000-0x401000) lies beyond the end of RAM at 0x400000 (4 MiB): give the machine more memory');
  const elf = makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code }] });
  refuses(elf, 'module 2 "big.img" of 2097152 bytes (0x102000-0x302000) lies beyond the end of RAM at 0x200000 (2 MiB): give the machine more memory',
    { modules: [{ data: new Uint8Array(10), name: 'small' }, { data: new Uint8Array(2 * MB), name: 'big.img' }] }, 2 * MB);
  refuses(elf, 'the command line contains a NUL character', { cmdline: 'a\0b' });
});

test('refused: inconsistent a.out-kludge addresses', () => {
  const ok = { headerAddr: 0x100000, loadAddr: 0x100000, loadEndAddr: 0x100400, bssEndAddr: 0x101000, entryAddr: 0x100020 };
  const { mem, cpu } = machine();
  assert.equal(loadMultiboot(mem, cpu, makeAout(ok)).entry, 0x100020);
  refuses(makeAout({ ...ok, loadAddr: 0x100010 }), 'a.out kludge: load_addr 0x100010 is above header_addr 0x100000');
  refuses(makeAout({ ...ok, headerAddr: 0x100010 }), 'a.out kludge: header_addr - load_addr = 0x10 exceeds the header\'s file offset 0x0');
  refuses(makeAout({ ...ok, loadEndAddr: 0x0FFFF0 }), 'a.out kludge: load_end_addr 0xffff0 is below load_addr 0x100000');
  refuses(makeAout({ ...ok, loadEndAddr: 0x100800 }), 'truncated file: the a.out kludge loads 2048 bytes from offset 0x0, but the file has only 1024 there');
  refuses(makeAout({ ...ok, bssEndAddr: 0x100200 }), 'a.out kludge: bss_end_addr 0x100200 is below the end of the loaded data 0x100400');
  refuses(makeAout({ ...ok, entryAddr: 0x101000 }), 'a.out kludge: entry_addr 0x101000 lies outside the image 0x100000-0x101000');
  refuses(makeAout({ ...ok, headerAddr: 0xA0000, loadAddr: 0xA0000, loadEndAddr: 0xA0400, bssEndAddr: 0, entryAddr: 0xA0000 }),
    'kernel image (0xa0000-0xa0400) overlaps reserved memory 0xa0000-0x100000 (VGA window and BIOS ROM)');
  // load_end_addr 0: the rest of the file; the header may sit after the start of the load
  const later = makeAout({ headerAddr: 0x100100, loadAddr: 0x100000, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0x100000, at: 0x100 });
  const m = machine();
  const r = loadMultiboot(m.mem, m.cpu, later);
  assert.equal(r.start, 0x100000);
  assert.equal(r.end, 0x100400);
  assert.deepEqual(m.mem.u8.subarray(0x100000, 0x100400), later);
});

test('a kernel occupying low memory pushes the boot information elsewhere, never onto itself', () => {
  // All of conventional memory above page 0: the information block and the stack go above the kernel.
  const elf = makeElf({ entry: 0x1000, segs: [{ paddr: 0x1000, data: code, memsz: 0x9F000 }] });
  const { mem, cpu } = machine(4 * MB);
  const r = loadMultiboot(mem, cpu, elf);
  assert.equal(r.gdtAddr, 0x100000);
  assert.equal(r.infoAddr, 0x100020);
  const blockEnd = rd32(mem, r.infoAddr + 64) + 'trapeze'.length + 1; // the last string is the loader name
  assert.equal(r.stackTop, Math.ceil(blockEnd / 16) * 16 + 16 * 1024, 'the stack right after the block');
  assert.equal(rd32(mem, r.infoAddr), 0x24D);
  // Only 4 KiB free below the hole: the block (small) fits there once the kernel leaves it.
  const elf2 = makeElf({ entry: 0x1000, segs: [{ paddr: 0x1000, data: code, memsz: 0x9E000 }] });
  const m2 = machine(4 * MB);
  const r2 = loadMultiboot(m2.mem, m2.cpu, elf2);
  assert.equal(r2.gdtAddr, 0x9F000);
  assert.equal(r2.stackTop, 0x100000 + 16 * 1024, 'the 16 KiB stack does not fit there: first free block above the kernel');
});

test('a map promising more RAM than exists never places anything beyond it', () => {
  const { mem, cpu } = machine(2 * MB);
  const map = [{ base: 0, length: 0x1000, type: 2 }, { base: 0x1000, length: 0x7000, type: 2 }, { base: 0x8000, length: 0x98000, type: 2 }, { base: 0x100000, length: 64 * MB, type: 1 }];
  const elf = makeElf({ entry: 0x100000, segs: [{ paddr: 0x100000, data: code, memsz: MB - 0x3000 }] });
  // The kernel leaves 12 KiB of real RAM: enough for the information block, not for the 16 KiB stack.
  assert.throws(() => loadMultiboot(mem, cpu, elf, { memoryMap: map }), { name: 'LoaderError', message: 'no free memory left for the boot stack' });
});

test('fuzz: mutated and truncated images load or are refused with a LoaderError, nothing else', () => {
  let seed = 12345;
  const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const sources = [image('tests/boot.elf'), image('tests/boot-aout.bin')];
  const { mem, cpu } = machine(4 * MB);
  let loaded = 0, refused = 0;
  for (let k = 0; k < 2000; k++) {
    const src = sources[k % 2];
    let img = new Uint8Array(src);
    const kind = rand(3);
    if (kind === 0) img = img.subarray(0, rand(img.length)); // truncated
    else {
      // a few random bytes in the headers: the first 128 bytes (ELF header and program headers, or the
      // a.out-kludge Multiboot header), or anywhere up to the ELF kernel's Multiboot header at 0x1000
      for (let n = 1 + rand(4); n > 0; n--) img[rand(kind === 1 ? 128 : 0x1040)] = rand(256);
    }
    try {
      loadMultiboot(mem, cpu, img, { cmdline: 'fuzz', modules: rand(2) ? [{ data: new Uint8Array(rand(8192)), name: 'm' }] : [] });
      loaded++;
    } catch (e) {
      if (!(e instanceof LoaderError)) throw e;
      assert.ok(e.message.length > 0 && !e.message.includes('\n'), 'one line');
      refused++;
    }
  }
  assert.ok(loaded > 0 && refused > 0, `${loaded} loaded, ${refused} refused`);
});
