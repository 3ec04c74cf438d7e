// Segment descriptors (SDM vol. 3A §3.4-3.5, §5): reading them from the GDT/LDT, the checks of a
// segment-register load (MOV/POP Sreg, LDS..., SDM vol. 2 "MOV" protected-mode exceptions), and the
// real-mode / virtual-8086 loads. Far control transfers and gates build on these (far-transfer.ts).

import type { CPU } from './cpu.ts';
import {
  AR_DB, AR_G, AR_P, AR_S, AR_UNUSABLE, CS, GP, NP, SS, SSV, TYPE_ACCESSED, TYPE_CODE, TYPE_CONFORMING,
  TYPE_EXPAND_DOWN, TYPE_READABLE, TYPE_WRITABLE, CR0_PE, VM,
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

// ---------------------------------------------------------------------------------------------------------
// Helpers for far control transfers and privilege changes (far-transfer.ts, and IRET in interrupts.ts)
// ---------------------------------------------------------------------------------------------------------

/**
 * Bounds of a data segment that is not loaded yet (a new stack from the TSS or from RET's stack), as
 * cpu.segChanged derives them for a loaded one (SDM vol. 3A §5.3): lowest valid offset and highest offset
 * valid for a write. Expand-down segments are valid from limit+1 up to 0xFFFF or 0xFFFFFFFF by the B flag.
 * The results are left in `bounds` (no allocation).
 */
export const bounds = { lo: 0, hi: 0 };
export function writableBounds(ar: number, limit: number): void {
  if ((ar & 0xF & TYPE_EXPAND_DOWN) && !(ar & TYPE_CODE)) {
    bounds.lo = limit + 1;
    bounds.hi = ar & AR_DB ? 0xFFFFFFFF : 0xFFFF;
  } else {
    bounds.lo = 0;
    bounds.hi = limit;
  }
}

/**
 * True when `count` pushes of `size` bytes each, starting below stack pointer `sp`, stay inside
 * [bounds.lo, bounds.hi]. Each slot is checked on its own because SP/ESP wraps (16-bit or 32-bit mask).
 */
export function pushesFit(sp: number, count: number, size: number, stack32: boolean): boolean {
  for (let k = 1; k <= count; k++) {
    const off = stack32 ? (sp - k * size) >>> 0 : (sp - k * size) & 0xFFFF;
    if (off < bounds.lo || off + size - 1 > bounds.hi) return false;
  }
  return true;
}

/**
 * Load CS from a code-segment descriptor that passed the checks of its transfer, with RPL forced to the
 * new CPL (SDM vol. 2 JMP/CALL/RET: "CS(RPL) ← CPL"), and switch the CPL (cpu.cplChanged updates the TLB
 * access masks; segChanged(CS) derives code32 from the D flag).
 */
export function loadCodeSegment(cpu: CPU, sel: number, d: Descriptor, newCpl: number): void {
  markAccessed(cpu, d);
  setSegmentFromDescriptor(cpu, CS, (sel & 0xFFFC) | newCpl, d);
  if (cpu.cpl !== newCpl) {
    cpu.cpl = newCpl;
    cpu.cplChanged();
  }
}

/**
 * After a return to an outer privilege level (far RET, IRET): ES, FS, GS and DS are made null when they
 * hold a null selector or a data / non-conforming code segment whose DPL is below the new CPL, so the
 * less privileged code cannot use them (SDM vol. 2 RET "RETURN-TO-OUTER-PRIVILEGE-LEVEL", IRET
 * "RETURN-OUTER-PRIVILEGE-LEVEL"; vol. 3A §5.8.6).
 */
export function nullifyOuterSegments(cpu: CPU): void {
  const cpl = cpu.cpl;
  for (let s = 0; s < 6; s++) {
    if (s === CS || s === SS) continue;
    const ar = cpu.segAR[s];
    const nullSel = (cpu.segSel[s] & 0xFFFC) === 0;
    const conformingCode = (ar & (TYPE_CODE | TYPE_CONFORMING)) === (TYPE_CODE | TYPE_CONFORMING);
    if (nullSel || (((ar >>> 5) & 3) < cpl && !conformingCode)) setSegment(cpu, s, 0, 0, 0, AR_UNUSABLE);
  }
}

export { AR_DB, AR_G };
