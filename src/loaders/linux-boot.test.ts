// The Linux 32-bit boot protocol loader against boot.rst / zero-page.rst, with synthetic kernels (always)
// and the fetched Debian bzImage (when .cache/linux has it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { CPU } from '../cpu/cpu.ts';
import { CS, DS, SS, ESI, EBX, EBP, EDI, IF } from '../cpu/regs.ts';
import { isBzImage, linuxE820, loadBzImage, loadVmlinux, parseSetupHeader, LINUX_BOOT_CS, LINUX_BOOT_DS } from './linux-boot.ts';
import { LoaderError } from './loader-error.ts';

const MiB = 1 << 20;

/** A minimal bzImage: boot sector + setup sectors with a 2.15 header, then `pmBytes` of "kernel". */
function fakeBzImage(o: { version?: number; setupSects?: number; loadflags?: number; xloadflags?: number; pmBytes?: number; initSize?: number } = {}): Uint8Array {
  const setupField = o.setupSects ?? 4;
  const setupSects = setupField || 4; // boot.rst: 0 means 4
  const pm = o.pmBytes ?? 4096;
  const img = new Uint8Array((setupSects + 1) * 512 + pm);
  const dv = new DataView(img.buffer);
  img[0x1F1] = setupField;
  dv.setUint16(0x1FE, 0xAA55, true);
  img[0x201] = 0x6A; // header ends at 0x26C
  dv.setUint32(0x202, 0x53726448, true);
  dv.setUint16(0x206, o.version ?? 0x020F, true);
  img[0x211] = o.loadflags ?? 0x01;
  dv.setUint32(0x214, 0x100000, true);
  dv.setUint32(0x22C, 0x7FFFFFFF, true);
  img[0x234] = 1;
  dv.setUint16(0x236, o.xloadflags ?? 0, true);
  dv.setUint32(0x238, 2047, true);
  dv.setUint32(0x258, 0x1000000, true);
  dv.setUint32(0x260, o.initSize ?? 0x100000, true);
  for (let k = 0; k < pm; k++) img[(setupSects + 1) * 512 + k] = (k * 7 + 1) & 0xFF;
  return img;
}

function machine(memSize = 64 * MiB) {
  const mem = new PhysicalMemory(memSize);
  const cpu = new CPU(mem, new IoBus());
  return { mem, cpu };
}

test('setup header: fields read per boot.rst, setup_sects 0 means 4', () => {
  const h = parseSetupHeader(fakeBzImage({ setupSects: 0 }));
  assert.equal(h.setupSects, 4);
  assert.equal(h.pmOffset, 5 * 512);
  assert.equal(h.version, 0x020F);
  assert.equal(h.cmdlineSize, 2047);
  assert.equal(h.initrdAddrMax, 0x7FFFFFFF);
  assert.equal(h.relocatable, true);
  assert.equal(h.prefAddress, 0x1000000);
  assert.equal(h.headerEnd, 0x26C);
});

test('refused with one clear line: wrong magic, old protocol, zImage, 64-bit, truncated', () => {
  const bad = (img: Uint8Array, re: RegExp) => assert.throws(() => parseSetupHeader(img), (e: unknown) => e instanceof LoaderError && re.test(e.message) && !e.message.includes('\n'));
  const noMagic = fakeBzImage(); noMagic[0x202] = 0;
  bad(noMagic, /no "HdrS"/);
  assert.equal(isBzImage(noMagic), false);
  const noFlag = fakeBzImage(); noFlag[0x1FE] = 0;
  bad(noFlag, /boot flag/);
  bad(fakeBzImage({ version: 0x0201 }), /2\.01 is too old/);
  bad(fakeBzImage({ loadflags: 0 }), /zImage/);
  bad(fakeBzImage({ xloadflags: 1 }), /64-bit/);
  bad(fakeBzImage().subarray(0, 0x300), /truncated kernel/);
  bad(new Uint8Array(100), /too short/);
});

test('bzImage: kernel at 1 MiB, zero page, e820, command line, initrd high, entry state of the 32-bit protocol', () => {
  const { mem, cpu } = machine();
  const img = fakeBzImage({ pmBytes: 8192 });
  const initrd = new Uint8Array(10000).map((_, k) => k & 0xFF);
  const r = loadBzImage(mem, cpu, img, { cmdline: 'console=ttyS0 quiet', initrd });
  // Protected-mode part at 0x100000 (boot.rst: "loaded at 0x100000").
  assert.deepEqual(mem.u8.subarray(0x100000, 0x100000 + 8192), img.subarray(5 * 512));
  const zp = r.zeroPage, dv = new DataView(mem.u8.buffer);
  // Setup header copied from 0x1F1, type_of_loader 0xFF, LOADED_HIGH kept.
  assert.equal(dv.getUint32(zp + 0x202, true), 0x53726448);
  assert.equal(mem.u8[zp + 0x210], 0xFF);
  assert.equal(mem.u8[zp + 0x211] & 1, 1);
  // Command line (NUL-terminated) and its pointer.
  assert.equal(dv.getUint32(zp + 0x228, true), r.cmdlineAddr);
  assert.equal(new TextDecoder().decode(mem.u8.subarray(r.cmdlineAddr, r.cmdlineAddr + 19)), 'console=ttyS0 quiet');
  assert.equal(mem.u8[r.cmdlineAddr + 19], 0);
  // Initrd: page aligned, as high as RAM allows, its bytes in place.
  assert.equal(dv.getUint32(zp + 0x218, true), r.initrdAddr);
  assert.equal(dv.getUint32(zp + 0x21C, true), 10000);
  assert.equal(r.initrdAddr % 4096, 0);
  assert.ok(r.initrdAddr + 10000 <= 64 * MiB && r.initrdAddr + 10000 + 4096 > 64 * MiB);
  assert.deepEqual(mem.u8.subarray(r.initrdAddr, r.initrdAddr + 10000), initrd);
  // e820 at 0x2D0, count at 0x1E8: 20-byte entries.
  assert.equal(mem.u8[zp + 0x1E8], 4);
  const e = linuxE820(64 * MiB);
  e.forEach((x, k) => {
    assert.equal(dv.getUint32(zp + 0x2D0 + 20 * k, true), x.addr);
    assert.equal(dv.getUint32(zp + 0x2D0 + 20 * k + 8, true), x.size);
    assert.equal(dv.getUint32(zp + 0x2D0 + 20 * k + 16, true), x.type);
  });
  assert.deepEqual(e[3], { addr: 0x100000, size: 63 * MiB, type: 1 });
  // Entry state: flat __BOOT_CS/__BOOT_DS, paging off, IF = 0, ESI = zero page, EBX = EBP = EDI = 0.
  assert.equal(cpu.eip, 0x100000);
  assert.equal(cpu.segSel[CS], LINUX_BOOT_CS);
  assert.equal(cpu.segSel[DS], LINUX_BOOT_DS);
  assert.equal(cpu.segSel[SS], LINUX_BOOT_DS);
  assert.equal(cpu.segLimit[CS] >>> 0, 0xFFFFFFFF);
  assert.equal(cpu.cr0 & 0x80000001, 1);
  assert.equal(cpu.getEflags() & IF, 0);
  assert.equal(cpu.r32[ESI], zp);
  assert.equal(cpu.r32[EBX] | cpu.r32[EBP] | cpu.r32[EDI], 0);
  // The GDT holds the two descriptors at 0x10 and 0x18.
  assert.equal(dv.getUint32(cpu.gdtrBase + 0x14, true), 0x00CF9B00);
  assert.equal(dv.getUint32(cpu.gdtrBase + 0x1C, true), 0x00CF9300);
});

test('not enough RAM for the decompressor, a command line too long, an initrd that cannot fit: clear errors', () => {
  const { mem, cpu } = machine(16 * MiB);
  assert.throws(() => loadBzImage(mem, cpu, fakeBzImage({ initSize: 0x1000000 })), /RAM up to 0x2000000 \(32 MiB\)/);
  const m2 = machine();
  assert.throws(() => loadBzImage(m2.mem, m2.cpu, fakeBzImage(), { cmdline: 'x'.repeat(3000) }), /longer than the kernel accepts \(2047\)/);
  const m3 = machine(20 * MiB);
  assert.throws(() => loadBzImage(m3.mem, m3.cpu, fakeBzImage({ initSize: 0x100000 }), { initrd: new Uint8Array(19 * MiB) }), /initrd of .* does not fit/);
});

const bz = join(import.meta.dirname, '../../.cache/linux/bzImage');
test('the Debian bzImage parses: protocol 2.15, relocatable, XZ payload', { skip: !existsSync(bz) && 'no .cache/linux/bzImage (npm run fetch:linux)' }, () => {
  const img = new Uint8Array(readFileSync(bz));
  const h = parseSetupHeader(img);
  assert.equal(h.version, 0x020F);
  assert.equal(h.relocatable, true);
  assert.equal(h.prefAddress, 0x1000000);
  const p = h.pmOffset + h.payloadOffset;
  assert.deepEqual([...img.subarray(p, p + 6)], [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]);
});

test('vmlinux: refused when not ELF or entry outside its segments', () => {
  const { mem, cpu } = machine();
  assert.throws(() => loadVmlinux(mem, cpu, new Uint8Array(64), fakeBzImage()), /not an ELF/);
});
