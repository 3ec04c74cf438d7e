// The entry state both boot protocols give a kernel (Multiboot §3.2, Linux boot.rst "32-bit boot protocol"):
// protected mode with paging off, flat 4 GiB code and data segments from a GDT the loader provides, IF = 0,
// A20 on, the IDT empty (an exception before the kernel loads its own is a clean triple fault).

import type { CPU } from '../cpu/cpu.ts';
import { CS, DS, ES, FS, GS, SS } from '../cpu/regs.ts';
import { setSegment } from '../cpu/segments.ts';

/** Access rights of flat 4 GiB segments in the CPU's (VMCS) format: G=1, D/B=1, P=1, S=1, DPL 0. */
const AR_CODE = 0xC09B, AR_DATA = 0xC093;
/** The same segments as GDT descriptors (high dwords; low dwords are 0x0000FFFF), accessed bits set. */
const DESC_CODE_HI = 0x00CF9B00, DESC_DATA_HI = 0x00CF9300;

/** Write the two flat descriptors into `gdt` (a GDT image) at the slots of `csSel` and `dsSel`. */
export function writeFlatDescriptors(gdt: DataView, csSel: number, dsSel: number): void {
  gdt.setUint32(csSel, 0x0000FFFF, true); gdt.setUint32(csSel + 4, DESC_CODE_HI, true);
  gdt.setUint32(dsSel, 0x0000FFFF, true); gdt.setUint32(dsSel + 4, DESC_DATA_HI, true);
}

export interface FlatEntry {
  gdtBase: number;
  gdtLimit: number;
  csSel: number;
  dsSel: number;
  eip: number;
  /** General registers to set (index → value); every other one is zero. */
  regs: Record<number, number>;
}

/** Put the CPU in the flat 32-bit entry state: every general register zero but `regs`, EIP = `eip`. */
export function enterFlat(cpu: CPU, e: FlatEntry): void {
  cpu.r32.fill(0);
  for (const [r, v] of Object.entries(e.regs)) cpu.r32[Number(r)] = v | 0;
  cpu.cr0 = 0x00000011; // PE, ET; paging, caching controls and everything else off
  cpu.cr2 = 0; cpu.cr3 = 0; cpu.cr4 = 0;
  cpu.setEflags(0x00000002, -1); // IF = 0, VM = 0, DF = 0
  cpu.gdtrBase = e.gdtBase; cpu.gdtrLimit = e.gdtLimit;
  cpu.idtrBase = 0; cpu.idtrLimit = 0;
  cpu.cpl = 0;
  setSegment(cpu, CS, e.csSel, 0, 0xFFFFFFFF, AR_CODE);
  for (const s of [DS, ES, FS, GS, SS]) setSegment(cpu, s, e.dsSel, 0, 0xFFFFFFFF, AR_DATA);
  cpu.eip = e.eip;
  cpu.a20Mask = -1;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.modeChanged();
}
