// Segment descriptors (SDM vol. 3A §3.4-3.5, §5): reading them from the GDT/LDT, the checks of a
// segment-register load (MOV/POP Sreg, LDS..., SDM vol. 2 "MOV" protected-mode exceptions), and the
// real-mode / virtual-8086 loads. Far control transfers and gates build on these (far-transfer.ts).

import type { CPU } from './cpu.ts';
import {
  AR_DB, AR_G, AR_P, AR_S, AR_UNUSABLE, CS, GP, NP, SS, SSV, TYPE_ACCESSED, TYPE_CODE, TYPE_CONFORMING,
  TYPE_READABLE, TYPE_WRITABLE, CR0_PE, VM,
} from './regs.ts';

/** A descriptor as two dwords (low, high) plus where it was read from. */
export class Descriptor {
  lo = 0;
  hi = 0;
  /** Linear address of the descriptor (to set the accessed/busy bits). */
  addr = 0;

  get base(): number { return ((this.lo >>> 16) | ((this.hi & 0xFF) << 16) | (this.hi & 0xFF000000)) >>> 0; }
  /** Effective limit in bytes-1, scaled by G. */
  get limit(): number {
    const raw = (this.lo & 0xFFFF) | (this.hi & 0xF0000);
    return this.hi & 0x800000 ? ((raw << 12) | 0xFFF) >>> 0 : raw;
  }
  /** Access rights in VMCS format (type, S, DPL, P, AVL, D/B, G). */
  get ar(): number { return ((this.hi >>> 8) & 0xFF) | ((this.hi >>> 8) & 0xF000); }
  get type(): number { return (this.hi >>> 8) & 0xF; }
  get s(): boolean { return (this.hi & 0x1000) !== 0; }
  get dpl(): number { return (this.hi >>> 13) & 3; }
  get present(): boolean { return (this.hi & 0x8000) !== 0; }
  get isCode(): boolean { return this.s && (this.type & TYPE_CODE) !== 0; }
  get isData(): boolean { return this.s && (this.type & TYPE_CODE) === 0; }
  /** Gate fields (call/interrupt/trap/task gates). */
  get gateSelector(): number { return this.lo >>> 16; }
  get gateOffset(): number { return ((this.lo & 0xFFFF) | (this.hi & 0xFFFF0000)) >>> 0; }
  get gateParamCount(): number { return this.hi & 0x1F; }
}

/**
 * Read the descriptor `sel` refers to into `d`. Returns false when the selector's index lies beyond the
 * GDT/LDT limit (or TI=1 with an unusable LDTR); the caller raises the fault its instruction specifies.
 */
export function readDescriptor(cpu: CPU, sel: number, d: Descriptor): boolean {
  let base: number, limit: number;
  if (sel & 4) {
    if (cpu.ldtrAR & AR_UNUSABLE || (cpu.ldtrSel & 0xFFFC) === 0) return false;
    base = cpu.ldtrBase; limit = cpu.ldtrLimit;
  } else {
    base = cpu.gdtrBase; limit = cpu.gdtrLimit;
  }
  const off = sel & 0xFFF8;
  if (off + 7 > limit) return false;
  d.addr = (base + off) | 0;
  d.lo = cpu.readSys32(d.addr);
  d.hi = cpu.readSys32((d.addr + 4) | 0);
  return true;
}

/** Set the accessed bit of a code/data descriptor in memory if it is clear (SDM vol. 3A §3.4.5.1). */
export function markAccessed(cpu: CPU, d: Descriptor): void {
  if (!(d.hi & (TYPE_ACCESSED << 8))) {
    d.hi |= TYPE_ACCESSED << 8;
    cpu.writeSys8((d.addr + 5) | 0, (d.hi >>> 8) & 0xFF);
  }
}

/** Load a segment register's selector and descriptor cache directly. */
export function setSegment(cpu: CPU, s: number, sel: number, base: number, limit: number, ar: number): void {
  cpu.segSel[s] = sel;
  cpu.segBase[s] = base | 0;
  cpu.segLimit[s] = limit >>> 0;
  cpu.segAR[s] = ar;
  cpu.segChanged(s);
}

/** Load from a descriptor that passed its checks. */
export function setSegmentFromDescriptor(cpu: CPU, s: number, sel: number, d: Descriptor): void {
  setSegment(cpu, s, sel, d.base, d.limit, d.ar);
}

/** Real mode and virtual-8086 mode: base = selector * 16 (V86 also forces limit 64K and DPL 3 data). */
export function loadSegmentReal(cpu: CPU, s: number, sel: number): void {
  sel &= 0xFFFF;
  if (cpu.flags & VM) {
    setSegment(cpu, s, sel, sel << 4, 0xFFFF, 0xF3 | (s === CS ? 0x8 : 0));
  } else {
    cpu.segSel[s] = sel;
    cpu.segBase[s] = sel << 4;
    // The rest of the cache is kept (that is what "unreal mode" relies on); CS must be usable.
    if (s === CS || cpu.segAR[s] & AR_UNUSABLE) cpu.segAR[s] = (cpu.segAR[s] & ~AR_UNUSABLE) | AR_P | AR_S;
    cpu.segChanged(s);
  }
}

const scratch = new Descriptor();

/**
 * MOV/POP to a data segment register or SS, LDS/LES/LFS/LGS/LSS: the protected-mode checks of SDM vol. 2
 * "MOV—Move" (Operation, "IF SS is loaded" / "IF DS, ES, FS, or GS is loaded"). CS is never loaded here.
 */
export function loadSegment(cpu: CPU, s: number, sel: number): void {
  sel &= 0xFFFF;
  if (!(cpu.cr0 & CR0_PE) || (cpu.flags & VM)) { loadSegmentReal(cpu, s, sel); return; }
  const err = sel & 0xFFFC;
  if ((sel & 0xFFFC) === 0) {
    if (s === SS) cpu.fault(GP, 0);
    // A null selector may be loaded into DS/ES/FS/GS; using it faults later.
    setSegment(cpu, s, sel, 0, 0, AR_UNUSABLE);
    return;
  }
  const d = scratch;
  if (!readDescriptor(cpu, sel, d)) cpu.fault(GP, err);
  const rpl = sel & 3, dpl = d.dpl, cpl = cpu.cpl;
  if (s === SS) {
    if (rpl !== cpl || !d.isData || !(d.type & TYPE_WRITABLE) || dpl !== cpl) cpu.fault(GP, err);
    if (!d.present) cpu.fault(SSV, err);
  } else {
    if (!d.s || (d.isCode && !(d.type & TYPE_READABLE))) cpu.fault(GP, err);
    if (d.isData || !(d.type & TYPE_CONFORMING)) {
      if (rpl > dpl || cpl > dpl) cpu.fault(GP, err);
    }
    if (!d.present) cpu.fault(NP, err);
  }
  markAccessed(cpu, d);
  setSegmentFromDescriptor(cpu, s, sel, d);
}

export { AR_DB, AR_G };
