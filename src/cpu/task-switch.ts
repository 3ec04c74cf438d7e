// Hardware task switching (SDM vol. 3A chapter 7): JMP/CALL to a TSS or through a task gate, interrupts
// and exceptions through IDT task gates, IRET with NT=1. The steps of §7.3: check the new TSS descriptor
// (present, limit, available or busy by source), read the new task's state, save the current state in the
// old TSS, update the busy bits and the back link (Table 7-2); then, past the commit point, load TR, CR0.TS,
// EFLAGS (NT), the general registers, CR3, LDTR and the segment registers. Faults before the commit point
// leave the old task untouched; faults while loading the new task's LDTR and segments are raised in the
// context of the new task (§7.3 step 11, Table 7-1), with the selectors loaded and the unchecked segment
// caches unusable. 32-bit TSS types 9/B and 16-bit TSS types 1/3 (§7.6).

import type { CPU } from './cpu.ts';
import { ATTN_RF, ATTN_SHADOW, ATTN_TRAP } from './cpu.ts';
import { Descriptor, markAccessed, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import {
  AR_UNUSABLE, CR0_PG, CR0_TS, CS, DS, ES, FS, GP, GS, NP, NT, RF, SS, SSV, TS, TYPE_CODE, TYPE_CONFORMING,
  TYPE_READABLE, TYPE_WRITABLE, VM,
} from './regs.ts';

export const enum TaskSwitchSource { Jmp = 0, Call = 1, Iret = 2, Interrupt = 3 }

/** DR6.BT: the debug exception was raised by the T flag of the new task's TSS (SDM vol. 3B §17.3.1.5). */
export const DR6_BT = 0x8000;

const desc = new Descriptor();
const seg = new Descriptor();
const gpr = new Int32Array(8);
const sels = new Uint16Array(6);

function isTss(d: Descriptor): boolean {
  const t = d.type;
  return !d.s && (t === 1 || t === 3 || t === 9 || t === 11);
}

/**
 * Switch to another task. `sel` is, by source:
 *  - Jmp/Call: the selector of the far JMP/CALL (far-transfer.ts passes it unchanged): a task gate, whose
 *    DPL must be >= CPL and RPL and which must be present, or a TSS, whose own DPL must be >= CPL and RPL
 *    (SDM vol. 2 JMP/CALL "TASK-GATE" / "TASK-STATE-SEGMENT"; through a gate the TSS's DPL is not used,
 *    SDM vol. 3A §7.2.5).
 *  - Interrupt: the TSS selector of an IDT task gate (the gate itself was checked by interrupts.ts).
 *  - Iret: ignored; the back link of the current TSS is used.
 * `returnEip` is the EIP saved in the old TSS. `errorCode` >= 0 is pushed on the new task's stack.
 */
export function taskSwitch(cpu: CPU, sel: number, source: TaskSwitchSource, returnEip: number, errorCode: number): void {
  const ext = source === TaskSwitchSource.Interrupt ? cpu.ext : 0;
  const iret = source === TaskSwitchSource.Iret;
  const nesting = source === TaskSwitchSource.Call || source === TaskSwitchSource.Interrupt;

  // ---- 1. Find and check the new TSS descriptor (old task's context: nothing changes on a fault) ----
  let tssSel: number;
  if (iret) {
    // IRET task return (SDM vol. 2 IRET "TASK-RETURN", Table 6-6): the back link must name a busy TSS in
    // the GDT, else #TS(back link); a not-present TSS is #NP.
    tssSel = cpu.readSys16(cpu.trBase);
    const err = tssSel & 0xFFFC;
    if ((tssSel & 4) || err === 0 || !readDescriptor(cpu, tssSel, desc)) cpu.fault(TS, err);
    if (!isTss(desc) || !(desc.type & 2)) cpu.fault(TS, err);
    if (!desc.present) cpu.fault(NP, err);
  } else {
    if (source !== TaskSwitchSource.Interrupt) {
      const err = sel & 0xFFFC;
      if (err === 0 || !readDescriptor(cpu, sel, desc)) cpu.fault(GP, err);
      const rpl = sel & 3;
      if (!desc.s && desc.type === 5) {
        // Task gate (SDM vol. 3A §7.2.5): its DPL, not the TSS's, is checked against CPL and RPL.
        if (desc.dpl < cpu.cpl || desc.dpl < rpl) cpu.fault(GP, err);
        if (!desc.present) cpu.fault(NP, err);
        sel = desc.gateSelector;
      } else if (isTss(desc)) {
        if (desc.dpl < cpu.cpl || desc.dpl < rpl) cpu.fault(GP, err);
      } else {
        cpu.fault(GP, err);
      }
    }
    tssSel = sel;
    const err = (tssSel & 0xFFFC) + ext;
    // The TSS selector must be in the GDT; the descriptor an available TSS (SDM vol. 2 INT n "TASK-GATE").
    if ((tssSel & 4) || (tssSel & 0xFFFC) === 0 || !readDescriptor(cpu, tssSel, desc)) cpu.fault(GP, err);
    if (!isTss(desc) || (desc.type & 2)) cpu.fault(GP, err);
    if (!desc.present) cpu.fault(NP, err);
  }
  const new32 = desc.type >= 9;
  const newBase = desc.base;
  // Minimum TSS limits: 67H for a 32-bit TSS, 2BH for a 16-bit TSS (SDM vol. 3A §7.2.2, Table 6-6).
  if (desc.limit < (new32 ? 0x67 : 0x2B)) cpu.fault(TS, (tssSel & 0xFFFC) + ext);
  const oldType = cpu.trAR & 0xF;
  const old32 = oldType === 9 || oldType === 11;
  // The old TSS must hold the dynamic fields that are saved (EIP..GS / IP..DS).
  if (cpu.trLimit < (old32 ? 0x5F : 0x29)) cpu.fault(TS, (cpu.trSel & 0xFFFC) + ext);

  // ---- 2. Read the new task's state (a #PF here is raised in the old task's context) ----
  let newEip: number, newFlags: number, newCr3 = 0, ldtSel: number, trap = 0;
  if (new32) {
    newCr3 = cpu.readSys32((newBase + 0x1C) | 0);
    newEip = cpu.readSys32((newBase + 0x20) | 0) >>> 0;
    newFlags = cpu.readSys32((newBase + 0x24) | 0);
    for (let r = 0; r < 8; r++) gpr[r] = cpu.readSys32((newBase + 0x28 + 4 * r) | 0);
    for (let s = 0; s < 6; s++) sels[s] = cpu.readSys16((newBase + 0x48 + 4 * s) | 0);
    ldtSel = cpu.readSys16((newBase + 0x60) | 0);
    trap = cpu.readSys16((newBase + 0x64) | 0) & 1;
  } else {
    // A 16-bit TSS has no CR3, FS, GS or T flag. The upper halves of the general registers read as
    // 0xFFFF, EIP and EFLAGS are zero-extended, FS and GS become null (as the 386 and later do; the SDM
    // leaves them undefined).
    newEip = cpu.readSys16((newBase + 0x0E) | 0);
    newFlags = cpu.readSys16((newBase + 0x10) | 0);
    for (let r = 0; r < 8; r++) gpr[r] = 0xFFFF0000 | cpu.readSys16((newBase + 0x12 + 2 * r) | 0);
    for (let s = 0; s < 4; s++) sels[s] = cpu.readSys16((newBase + 0x22 + 2 * s) | 0);
    sels[FS] = 0; sels[GS] = 0;
    ldtSel = cpu.readSys16((newBase + 0x2A) | 0);
  }

  // ---- 3. Save the current state in the old TSS (§7.3 step 6); IRET clears NT in the saved image ----
  let oldFlags = cpu.getEflags();
  if (iret) oldFlags &= ~NT;
  const ob = cpu.trBase;
  if (old32) {
    cpu.writeSys32((ob + 0x20) | 0, returnEip);
    cpu.writeSys32((ob + 0x24) | 0, oldFlags);
    for (let r = 0; r < 8; r++) cpu.writeSys32((ob + 0x28 + 4 * r) | 0, cpu.r32[r]);
    for (let s = 0; s < 6; s++) cpu.writeSys16((ob + 0x48 + 4 * s) | 0, cpu.segSel[s]);
  } else {
    cpu.writeSys16((ob + 0x0E) | 0, returnEip);
    cpu.writeSys16((ob + 0x10) | 0, oldFlags);
    for (let r = 0; r < 8; r++) cpu.writeSys16((ob + 0x12 + 2 * r) | 0, cpu.r32[r]);
    for (let s = 0; s < 4; s++) cpu.writeSys16((ob + 0x22 + 2 * s) | 0, cpu.segSel[s]);
  }

  // ---- 4. Busy bits and back link (Table 7-2) ----
  if (!nesting) {
    // JMP and IRET leave the old task: clear its busy bit.
    const a = (cpu.gdtrBase + (cpu.trSel & 0xFFF8) + 5) | 0;
    cpu.writeSys8(a, cpu.readSys8(a) & ~2);
  } else {
    // CALL and events nest: the new task links back to the old one.
    cpu.writeSys16(newBase | 0, cpu.trSel);
  }
  if (!iret) {
    const a = (desc.addr + 5) | 0;
    cpu.writeSys8(a, cpu.readSys8(a) | 2);
  }

  // ======================= commit point: from here on we are in the new task =======================
  cpu.trSel = tssSel;
  cpu.trBase = newBase | 0;
  cpu.trLimit = desc.limit;
  cpu.trAR = desc.ar | 2;
  cpu.cr0 |= CR0_TS;
  // Task switches clear the local breakpoint enables L0-L3 and LE in DR7 (SDM vol. 3B §17.2.4).
  cpu.dr[7] &= ~0x155;
  if (nesting) newFlags |= NT;
  cpu.eip = newEip;
  cpu.nextEip = newEip;
  for (let r = 0; r < 8; r++) cpu.r32[r] = gpr[r];
  // Traps and the interrupt shadow of the old context do not carry over.
  cpu.tfAtStart = false;
  cpu.shadow = 0;
  cpu.attention &= ~ATTN_SHADOW;
  cpu.setEflags(newFlags, -1);
  if (cpu.flags & RF) cpu.attention |= ATTN_RF;
  const v86 = (cpu.flags & VM) !== 0;
  // The selectors are loaded first; each descriptor cache is filled once it has passed its checks.
  for (let s = 0; s < 6; s++) setSegment(cpu, s, sels[s], 0, 0, AR_UNUSABLE);
  cpu.ldtrSel = ldtSel; cpu.ldtrBase = 0; cpu.ldtrLimit = 0; cpu.ldtrAR = AR_UNUSABLE;
  if (new32 && (cpu.cr0 & CR0_PG)) {
    cpu.cr3 = newCr3;
    cpu.flushTlb(false);
  }
  const csRpl = v86 ? 3 : sels[CS] & 3;
  cpu.cpl = csRpl;
  cpu.cplChanged();
  if (trap && new32) {
    cpu.pendingDebug |= DR6_BT;
    cpu.attention |= ATTN_TRAP;
  }

  // ---- 5. LDTR, then the segment registers, checked in the new task's context (Table 7-1) ----
  const ldtErr = (ldtSel & 0xFFFC) + ext;
  if (ldtSel & 4) cpu.fault(TS, ldtErr);
  if ((ldtSel & 0xFFFC) !== 0) {
    if (!readDescriptor(cpu, ldtSel, seg) || seg.s || seg.type !== 2) cpu.fault(TS, ldtErr);
    if (!seg.present) cpu.fault(TS, ldtErr);
    cpu.ldtrBase = seg.base | 0; cpu.ldtrLimit = seg.limit; cpu.ldtrAR = seg.ar;
  }
  if (v86) {
    // Virtual-8086 task: real-mode style segments, CPL 3 (SDM vol. 3A §20.2.5).
    for (let s = 0; s < 6; s++) setSegment(cpu, s, sels[s], sels[s] << 4, 0xFFFF, s === CS ? 0xFB : 0xF3);
  } else {
    loadStackSegment(cpu, sels[SS], csRpl, ext);
    loadDataSegment(cpu, DS, sels[DS], csRpl, ext);
    loadDataSegment(cpu, ES, sels[ES], csRpl, ext);
    loadDataSegment(cpu, FS, sels[FS], csRpl, ext);
    loadDataSegment(cpu, GS, sels[GS], csRpl, ext);
    loadCodeSegment(cpu, sels[CS], ext);
  }

  // ---- 6. The error code of an exception goes on the new task's stack (SDM vol. 2 INT n "TASK-GATE") ----
  if (errorCode >= 0) {
    const size = new32 ? 4 : 2;
    const sp = cpu.getSP();
    const off = ((sp - size) & (cpu.stack32 ? 0xFFFFFFFF : 0xFFFF)) >>> 0;
    if (off < cpu.segLo[SS] || off + size - 1 > cpu.segWHi[SS]) cpu.fault(SSV, ext);
    if (size === 4) cpu.push32(errorCode); else cpu.push16(errorCode);
  }
  if (cpu.eip > cpu.segLimit[CS]) cpu.fault(GP, ext);
}

/** SS of the new task: Table 7-1 checks (#TS(SS), #SS(SS) when not present). */
function loadStackSegment(cpu: CPU, sel: number, csRpl: number, ext: number): void {
  const err = (sel & 0xFFFC) + ext;
  if ((sel & 0xFFFC) === 0 || !readDescriptor(cpu, sel, seg)) cpu.fault(TS, err);
  if (!seg.isData || !(seg.type & TYPE_WRITABLE)) cpu.fault(TS, err);
  if (!seg.present) cpu.fault(SSV, err);
  if (seg.dpl !== csRpl || seg.dpl !== (sel & 3)) cpu.fault(TS, err);
  markAccessed(cpu, seg);
  setSegmentFromDescriptor(cpu, SS, sel, seg);
}

/** DS/ES/FS/GS of the new task: null is allowed; data or readable code, DPL >= CPL and RPL, present. */
function loadDataSegment(cpu: CPU, s: number, sel: number, csRpl: number, ext: number): void {
  if ((sel & 0xFFFC) === 0) return; // stays null (unusable)
  const err = (sel & 0xFFFC) + ext;
  if (!readDescriptor(cpu, sel, seg)) cpu.fault(TS, err);
  if (!seg.s || ((seg.type & TYPE_CODE) && !(seg.type & TYPE_READABLE))) cpu.fault(TS, err);
  if (!(seg.type & TYPE_CODE) || !(seg.type & TYPE_CONFORMING)) {
    if ((sel & 3) > seg.dpl || csRpl > seg.dpl) cpu.fault(TS, err);
  }
  if (!seg.present) cpu.fault(NP, err);
  markAccessed(cpu, seg);
  setSegmentFromDescriptor(cpu, s, sel, seg);
}

/** CS of the new task: a code segment whose DPL equals (non-conforming) or is <= (conforming) its RPL. */
function loadCodeSegment(cpu: CPU, sel: number, ext: number): void {
  const err = (sel & 0xFFFC) + ext;
  if ((sel & 0xFFFC) === 0 || !readDescriptor(cpu, sel, seg)) cpu.fault(TS, err);
  if (!seg.isCode) cpu.fault(TS, err);
  if (seg.type & TYPE_CONFORMING ? seg.dpl > (sel & 3) : seg.dpl !== (sel & 3)) cpu.fault(TS, err);
  if (!seg.present) cpu.fault(NP, err);
  markAccessed(cpu, seg);
  setSegmentFromDescriptor(cpu, CS, sel, seg);
}
