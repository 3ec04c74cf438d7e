// IRET / IRETD (SDM vol. 2 "IRET/IRETD" Operation): real-address mode, virtual-8086 mode (IOPL-sensitive),
// protected mode to the same or an outer privilege level, return to virtual-8086 mode, and the task
// return through the back link when NT=1 (task-switch.ts). All pops are read first and every check made
// before the first change, so a faulting IRET leaves ESP and the segment registers as they were.

import type { CPU } from './cpu.ts';
import { ATTN_RF } from './cpu.ts';
import { Sensitive } from './intercept.ts';
import { Descriptor, loadSegmentReal, markAccessed, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import {
  AC, AF, AR_DB, AR_S, AR_UNUSABLE, CF, CR0_PE, CS, DF, DS, ES, FS, GP, GS, ID, IF, IOPL, NP, NT, OF, PF, RF, SF, SS,
  TF, TYPE_CODE, TYPE_CONFORMING, TYPE_WRITABLE, VIF, VIP, VM, ZF, ESP, EFLAGS_IMPLEMENTED,
} from './regs.ts';
import { taskSwitch, TaskSwitchSource } from './task-switch.ts';

const csDesc = new Descriptor();
const ssDesc = new Descriptor();

/** Real-address mode IRETD: EFLAGS ← (popped AND 257FD5H) OR (EFLAGS AND 1A0000H) (VM, VIF, VIP kept). */
const REAL_IRETD_MASK = 0x257FD5;
/** Flags any protected-mode IRET loads (SDM vol. 2 IRET "RETURN-TO-SAME-PRIVILEGE-LEVEL"). */
const PM_BASE_MASK = CF | PF | AF | ZF | SF | TF | DF | OF | NT;

/** Offset `delta` bytes above the stack pointer, wrapped to the stack size. */
function stackOff(cpu: CPU, delta: number): number {
  return cpu.stack32 ? (cpu.r32[ESP] + delta) >>> 0 : (cpu.r16[ESP << 1] + delta) & 0xFFFF;
}

function pop(cpu: CPU, delta: number, o32: boolean): number {
  return o32 ? cpu.read32(SS, stackOff(cpu, delta)) : cpu.read16(SS, stackOff(cpu, delta));
}

/** Replace the flags selected by `mask` without the side effects of a VM change (callers handle those). */
function loadFlags(cpu: CPU, value: number, mask: number): void {
  cpu.setEflags(value, mask & ~VM);
  if (mask & VM) cpu.flags = (cpu.flags & ~VM) | (value & VM);
}

/** IRET (o32 = false) or IRETD. */
export function iret(cpu: CPU, o32: boolean): void {
  iretInner(cpu, o32);
  // An RF loaded as 1 suppresses instruction breakpoints for the next instruction only (§17.3.1.1).
  if (cpu.flags & RF) cpu.attention |= ATTN_RF;
}

function iretInner(cpu: CPU, o32: boolean): void {
  const size = o32 ? 4 : 2;
  if (!(cpu.cr0 & CR0_PE)) {
    // REAL-ADDRESS-MODE: the new IP must lie within the (cached) CS limit, else #GP(0).
    cpu.sensitive(Sensitive.Iret);
    const eip = pop(cpu, 0, o32) >>> 0, cs = pop(cpu, size, o32) & 0xFFFF, fl = pop(cpu, 2 * size, o32);
    if (eip > cpu.segLimit[CS]) cpu.fault(GP, 0);
    cpu.setSP(stackOff(cpu, 3 * size));
    loadSegmentReal(cpu, CS, cs);
    cpu.setEflags(fl, o32 ? REAL_IRETD_MASK : 0xFFFF);
    cpu.nextEip = eip;
    return;
  }
  if (cpu.flags & VM) {
    // RETURN-FROM-VIRTUAL-8086-MODE: only with IOPL 3 (no VME), else #GP(0) to the monitor (§20.2.7).
    if (cpu.iopl < 3) cpu.fault(GP, 0);
    cpu.sensitive(Sensitive.Iret);
    const eip = pop(cpu, 0, o32) >>> 0, cs = pop(cpu, size, o32) & 0xFFFF, fl = pop(cpu, 2 * size, o32);
    if (eip > cpu.segLimit[CS]) cpu.fault(GP, 0);
    cpu.setSP(stackOff(cpu, 3 * size));
    loadSegmentReal(cpu, CS, cs);
    // VM, IOPL, VIP and VIF are not changed by the pop.
    cpu.setEflags(fl, o32 ? EFLAGS_IMPLEMENTED & ~(VM | IOPL | VIP | VIF) : 0xFFFF & ~IOPL);
    cpu.nextEip = eip;
    return;
  }
  cpu.sensitive(Sensitive.Iret);
  if (cpu.flags & NT) {
    // TASK-RETURN: back to the task named by the back link of the current TSS (SDM vol. 3A §7.4).
    taskSwitch(cpu, 0, TaskSwitchSource.Iret, cpu.nextEip, -1);
    return;
  }
  const eip = pop(cpu, 0, o32) >>> 0;
  const csSel = pop(cpu, size, o32) & 0xFFFF;
  const tmpFlags = pop(cpu, 2 * size, o32);
  if (o32 && (tmpFlags & VM) && cpu.cpl === 0) { returnToV86(cpu, eip, csSel, tmpFlags); return; }

  // PROTECTED-MODE-RETURN: check the return code segment.
  const csErr = csSel & 0xFFFC;
  if (csErr === 0) cpu.fault(GP, 0);
  if (!readDescriptor(cpu, csSel, csDesc)) cpu.fault(GP, csErr);
  const rpl = csSel & 3;
  if (!csDesc.isCode || rpl < cpu.cpl) cpu.fault(GP, csErr);
  if (csDesc.type & TYPE_CONFORMING ? csDesc.dpl > rpl : csDesc.dpl !== rpl) cpu.fault(GP, csErr);
  if (!csDesc.present) cpu.fault(NP, csErr);

  // Flags IRET may change, by the CPL and IOPL before the return.
  const cpl = cpu.cpl;
  let mask = PM_BASE_MASK;
  if (o32) mask |= RF | AC | ID;
  if (cpl <= cpu.iopl) mask |= IF;
  if (cpl === 0) { mask |= IOPL; if (o32) mask |= VIF | VIP; }
  if (!o32) mask &= 0xFFFF;

  if (rpl > cpl) {
    // RETURN-TO-OUTER-PRIVILEGE-LEVEL: SS:ESP follow on the stack.
    const newEsp = pop(cpu, 3 * size, o32) >>> 0;
    const ssSel = pop(cpu, 4 * size, o32) & 0xFFFF;
    const ssErr = ssSel & 0xFFFC;
    if (ssErr === 0) cpu.fault(GP, 0);
    if (!readDescriptor(cpu, ssSel, ssDesc)) cpu.fault(GP, ssErr);
    if ((ssSel & 3) !== rpl || !ssDesc.isData || !(ssDesc.type & TYPE_WRITABLE) || ssDesc.dpl !== rpl) cpu.fault(GP, ssErr);
    if (!ssDesc.present) cpu.fault(NP, ssErr);
    if (eip > csDesc.limit) cpu.fault(GP, 0);
    // Commit.
    markAccessed(cpu, csDesc);
    setSegmentFromDescriptor(cpu, CS, csSel, csDesc);
    cpu.setEflags(tmpFlags, mask);
    markAccessed(cpu, ssDesc);
    setSegmentFromDescriptor(cpu, SS, ssSel, ssDesc);
    if (ssDesc.ar & AR_DB) cpu.r32[ESP] = newEsp; else cpu.r16[ESP << 1] = newEsp;
    cpu.cpl = rpl;
    cpu.cplChanged();
    // Data segment registers the outer level may not use become null (SDM vol. 2 IRET, same as RET far).
    for (const s of OUTER_SEGS) {
      const ar = cpu.segAR[s];
      if (ar & AR_UNUSABLE) continue;
      const type = ar & 0xF;
      const dataOrNonConforming = !(type & TYPE_CODE) || !(type & TYPE_CONFORMING);
      if ((ar & AR_S) && dataOrNonConforming && ((ar >> 5) & 3) < rpl) setSegment(cpu, s, 0, 0, 0, AR_UNUSABLE);
    }
  } else {
    // RETURN-TO-SAME-PRIVILEGE-LEVEL.
    if (eip > csDesc.limit) cpu.fault(GP, 0);
    const sp = stackOff(cpu, 3 * size);
    markAccessed(cpu, csDesc);
    setSegmentFromDescriptor(cpu, CS, csSel, csDesc);
    cpu.setEflags(tmpFlags, mask);
    cpu.setSP(sp);
  }
  cpu.nextEip = eip;
}

const OUTER_SEGS = [ES, FS, GS, DS];

/**
 * RETURN-TO-VIRTUAL-8086-MODE (IRETD at CPL 0 with VM=1 in the popped EFLAGS, SDM vol. 3A §20.2.5):
 * pops ESP, SS, ES, DS, FS, GS after EIP, CS, EFLAGS; all segments get real-mode style caches; CPL 3.
 */
function returnToV86(cpu: CPU, eip: number, csSel: number, tmpFlags: number): void {
  const newEsp = pop(cpu, 12, true);
  const ss = pop(cpu, 16, true) & 0xFFFF;
  const es = pop(cpu, 20, true) & 0xFFFF;
  const ds = pop(cpu, 24, true) & 0xFFFF;
  const fs = pop(cpu, 28, true) & 0xFFFF;
  const gs = pop(cpu, 32, true) & 0xFFFF;
  if (eip > 0xFFFF) cpu.fault(GP, 0);
  loadFlags(cpu, tmpFlags, EFLAGS_IMPLEMENTED);
  v86Seg(cpu, CS, csSel); v86Seg(cpu, SS, ss); v86Seg(cpu, ES, es); v86Seg(cpu, DS, ds);
  v86Seg(cpu, FS, fs); v86Seg(cpu, GS, gs);
  cpu.r32[ESP] = newEsp;
  cpu.cpl = 3;
  cpu.cplChanged();
  cpu.nextEip = eip;
}

function v86Seg(cpu: CPU, s: number, sel: number): void {
  setSegment(cpu, s, sel, sel << 4, 0xFFFF, s === CS ? 0xFB : 0xF3);
}
