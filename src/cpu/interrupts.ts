// Event delivery (SDM vol. 3A chapter 6, vol. 2 "INT n/INTO/INT3/INT1"): real-mode IVT (§20.1.4),
// protected-mode IDT through interrupt and trap gates, with the stack switch through the TSS on a
// privilege change (§6.12.1), from virtual-8086 mode (§20.3), and task gates (§6.12.2, task-switch.ts).
// Every check is made before the first change to the processor state, so a fault raised here leaves the
// interrupted context intact and the run loop (cpu.runDelivery) can fold it into #DF or shutdown
// (§6.15, Table 6-5). Frames are written below the stack pointer before ESP moves: a fault while writing
// them only leaves bytes in the free part of a stack, as on silicon.

import type { CPU } from './cpu.ts';
import { readTssStack, tssStack } from './tss-stack.ts';
import { Descriptor, markAccessed, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import {
  AC, AR_DB, AR_UNUSABLE, CR0_PE, CS, DS, ES, FS, GP, GS, IF, NP, NT, RF, SS, SSV, TF, TS, TYPE_CONFORMING,
  TYPE_EXPAND_DOWN, TYPE_WRITABLE, VM, ESP,
} from './regs.ts';
import { taskSwitch, TaskSwitchSource } from './task-switch.ts';

export const enum EventKind {
  /** External interrupt (INTR) or NMI: EXT=1 in error codes, no DPL check. */
  External = 0,
  /** Processor exception (fault, trap or abort): EXT=1, no DPL check. */
  Exception = 1,
  /** INT n: gate DPL must be >= CPL, EXT=0. */
  Software = 2,
  /** INT3 / INTO: DPL checked like INT n, EXT=0 (SDM vol. 3A §6.12.1.1, §6.13). */
  SoftwareException = 3,
  /** INT1 (ICEBP, F1): a #DB trap without the DPL check, EXT=1 (SDM vol. 2 INT1; vol. 3C §24.8.3 type 5). */
  PrivilegedSoftware = 4,
}

/** Vectors whose exceptions push an error code (SDM vol. 3A Table 6-1). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Fault-class exceptions (SDM vol. 3A Table 6-1); #DB is raised only as a trap here. */
export function isFaultVector(vector: number): boolean {
  return vector === 0 || (vector >= 5 && vector <= 7) || (vector >= 10 && vector <= 14) || vector === 16 ||
    vector === 17 || vector === 19;
}

/** Contributory exceptions (SDM vol. 3A Table 6-4): #DE, #TS, #NP, #SS, #GP. */
export function isContributory(vector: number): boolean {
  return vector === 0 || (vector >= 10 && vector <= 13);
}

// Scratch state (delivery never re-enters itself: a nested fault abandons the outer delivery).
const gate = new Descriptor();
const target = new Descriptor();
const ssDesc = new Descriptor();
/** The values of the frame being pushed, first pushed first (highest address). */
const frame = new Int32Array(10);

/** Deliver `vector`. errorCode -1 means none is pushed. returnEip is the EIP saved on the stack. */
export function deliverEvent(cpu: CPU, vector: number, errorCode: number, kind: EventKind, returnEip: number): void {
  // Only exceptions 8, 10-14 and 17 push an error code (#DF and #AC push 0); INT n never does, whatever
  // its vector (SDM vol. 3A Table 6-1, §6.13).
  if (kind === EventKind.Exception && pushesErrorCode(vector)) { if (errorCode < 0) errorCode = 0; }
  else errorCode = -1;
  if (cpu.hook !== null && cpu.hook.event(cpu, vector, errorCode, kind, returnEip)) return;
  if (!(cpu.cr0 & CR0_PE)) deliverReal(cpu, vector, kind, returnEip);
  else deliverProtected(cpu, vector, errorCode, kind, returnEip);
  cpu.halted = false;
}

/**
 * Real-address mode (SDM vol. 3A §20.1.4, vol. 2 INT n "REAL-ADDRESS-MODE"): the 4-byte IVT entry must
 * lie within the IDTR limit (#GP), the stack must hold 6 bytes (#SS); push FLAGS, CS, IP; clear IF, TF,
 * AC; CS:IP from the IVT. No error code is pushed in real mode.
 */
function deliverReal(cpu: CPU, vector: number, kind: EventKind, returnEip: number): void {
  const ext = kind === EventKind.Software || kind === EventKind.SoftwareException ? 0 : 1;
  const off = vector << 2;
  if (off + 3 > cpu.idtrLimit) cpu.fault(GP, vector * 8 + 2 + ext);
  const ip = cpu.readLin16((cpu.idtrBase + off) | 0);
  const cs = cpu.readLin16((cpu.idtrBase + off + 2) | 0);
  frame[0] = cpu.getEflags() & 0xFFFF;
  frame[1] = cpu.segSel[CS];
  frame[2] = returnEip & 0xFFFF;
  checkRoom(cpu, cpu.getSP(), cpu.stack32, 3, 2, cpu.segLo[SS], cpu.segWHi[SS], 0);
  cpu.setSP(pushFrame(cpu, cpu.segBase[SS], cpu.getSP(), cpu.stack32, 3, 2, false));
  cpu.flags &= ~(IF | TF | AC | RF);
  cpu.segSel[CS] = cs;
  cpu.segBase[CS] = cs << 4;
  cpu.segChanged(CS);
  cpu.eip = ip;
  cpu.nextEip = ip;
}

/** #SS(errCode) unless n slots of `size` bytes fit below `sp` in a stack whose valid offsets are lo..hi. */
function checkRoom(cpu: CPU, sp: number, ss32: boolean, n: number, size: number, lo: number, hi: number, errCode: number): void {
  const mask = ss32 ? 0xFFFFFFFF : 0xFFFF;
  for (let k = 1; k <= n; k++) {
    const off = ((sp - k * size) & mask) >>> 0;
    if (off < lo || off + size - 1 > hi) cpu.fault(SSV, errCode);
  }
}

/**
 * Write frame[0..n-1] downwards below `sp` (checked with checkRoom) and return the new stack pointer.
 * `sys`: write with supervisor privilege (the new stack of a privilege change).
 */
function pushFrame(cpu: CPU, base: number, sp: number, ss32: boolean, n: number, size: number, sys: boolean): number {
  const mask = ss32 ? 0xFFFFFFFF : 0xFFFF;
  for (let k = 1; k <= n; k++) {
    const lin = (base + (((sp - k * size) & mask) >>> 0)) | 0;
    const v = frame[k - 1];
    if (size === 4) { if (sys) cpu.writeSys32(lin, v); else cpu.writeLin32(lin, v); }
    else if (sys) cpu.writeSys16(lin, v); else cpu.writeLin16(lin, v);
  }
  return ((sp - n * size) & mask) >>> 0;
}

/** Protected mode and virtual-8086 mode: SDM vol. 2 "INT n/INTO/INT3/INT1" Operation, vol. 3A §6.12. */
function deliverProtected(cpu: CPU, vector: number, errorCode: number, kind: EventKind, returnEip: number): void {
  const soft = kind === EventKind.Software || kind === EventKind.SoftwareException;
  const ext = soft ? 0 : 1;
  // Faults about the gate itself name the IDT entry: index = vector, IDT bit (bit 1) set (§6.13).
  const idtErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtrLimit) cpu.fault(GP, idtErr);
  gate.addr = (cpu.idtrBase + vector * 8) | 0;
  gate.lo = cpu.readSys32(gate.addr);
  gate.hi = cpu.readSys32((gate.addr + 4) | 0);
  const gtype = gate.type;
  // Only task gates (5) and 16/32-bit interrupt (6/14) and trap (7/15) gates may be in the IDT (§6.11).
  if (gate.s || !(gtype === 5 || gtype === 6 || gtype === 7 || gtype === 14 || gtype === 15)) cpu.fault(GP, idtErr);
  // INT n, INT3 and INTO may only use gates with DPL >= CPL (§6.12.1.1); INT1 and events are exempt.
  if (soft && gate.dpl < cpu.cpl) cpu.fault(GP, idtErr);
  if (!gate.present) cpu.fault(NP, idtErr);

  if (gtype === 5) {
    // Task gate (§6.12.2): the error code, if any, goes on the new task's stack.
    taskSwitch(cpu, gate.gateSelector, TaskSwitchSource.Interrupt, returnEip, errorCode);
    return;
  }

  const is32 = (gtype & 8) !== 0;
  const trapGate = (gtype & 1) !== 0;
  const sel = gate.gateSelector;
  const selErr = (sel & 0xFFFC) + ext;
  if ((sel & 0xFFFC) === 0) cpu.fault(GP, ext);
  if (!readDescriptor(cpu, sel, target)) cpu.fault(GP, selErr);
  if (!target.isCode || target.dpl > cpu.cpl) cpu.fault(GP, selErr);
  if (!target.present) cpu.fault(NP, selErr);
  const offset = is32 ? gate.gateOffset : gate.gateOffset & 0xFFFF;
  const conforming = (target.type & TYPE_CONFORMING) !== 0;
  const v86 = (cpu.flags & VM) !== 0;
  let oldFlags = cpu.getEflags();
  // Fault-class exceptions push RF=1 so that IRET resumes without re-triggering an instruction
  // breakpoint (SDM vol. 3B §17.3.1.1).
  if (kind === EventKind.Exception && isFaultVector(vector)) oldFlags |= RF;
  const size = is32 ? 4 : 2;
  const words = is32 ? 0xFFFFFFFF : 0xFFFF;

  if (!conforming && target.dpl < cpu.cpl) {
    // INTER-PRIVILEGE-LEVEL-INTERRUPT / INTERRUPT-FROM-VIRTUAL-8086-MODE: a new stack from the TSS.
    if (v86 && target.dpl !== 0) cpu.fault(GP, selErr);
    const newCpl = target.dpl;
    readTssStack(cpu, newCpl, ext);
    const newSS = tssStack.ss;
    const ssErr = (newSS & 0xFFFC) + ext;
    if ((newSS & 0xFFFC) === 0) cpu.fault(TS, ext);
    if (!readDescriptor(cpu, newSS, ssDesc)) cpu.fault(TS, ssErr);
    if ((newSS & 3) !== newCpl || ssDesc.dpl !== newCpl || !ssDesc.isData || !(ssDesc.type & TYPE_WRITABLE)) {
      cpu.fault(TS, ssErr);
    }
    if (!ssDesc.present) cpu.fault(SSV, ssErr);
    // The frame (Figure 6-4 / Figure 20-2): [GS FS DS ES] SS ESP EFLAGS CS EIP [error code].
    let n = 0;
    if (v86) {
      frame[n++] = cpu.segSel[GS]; frame[n++] = cpu.segSel[FS]; frame[n++] = cpu.segSel[DS]; frame[n++] = cpu.segSel[ES];
    }
    frame[n++] = cpu.segSel[SS];
    frame[n++] = cpu.r32[ESP] & words;
    frame[n++] = oldFlags & words;
    frame[n++] = cpu.segSel[CS];
    frame[n++] = returnEip & words;
    if (errorCode >= 0) frame[n++] = errorCode & words;
    const ss32 = (ssDesc.ar & AR_DB) !== 0;
    const ssType = ssDesc.type;
    const lo = ssType & TYPE_EXPAND_DOWN ? ssDesc.limit + 1 : 0;
    const hi = ssType & TYPE_EXPAND_DOWN ? (ss32 ? 0xFFFFFFFF : 0xFFFF) : ssDesc.limit;
    checkRoom(cpu, tssStack.esp, ss32, n, size, lo, hi, ssErr);
    if (offset > target.limit) cpu.fault(GP, ext);
    const sp = pushFrame(cpu, ssDesc.base, tssStack.esp, ss32, n, size, true);
    // Commit.
    if (v86) {
      // Protected-mode code must not inherit real-mode style segment values (§20.3.1.1).
      setSegment(cpu, GS, 0, 0, 0, AR_UNUSABLE); setSegment(cpu, FS, 0, 0, 0, AR_UNUSABLE);
      setSegment(cpu, DS, 0, 0, 0, AR_UNUSABLE); setSegment(cpu, ES, 0, 0, 0, AR_UNUSABLE);
    }
    markAccessed(cpu, ssDesc);
    setSegmentFromDescriptor(cpu, SS, newSS, ssDesc);
    cpu.r32[ESP] = ss32 ? sp : (tssStack.esp & ~0xFFFF) | sp;
    markAccessed(cpu, target);
    setSegmentFromDescriptor(cpu, CS, (sel & ~3) | newCpl, target);
    cpu.cpl = newCpl;
  } else {
    // INTRA-PRIVILEGE-LEVEL-INTERRUPT: conforming target or DPL = CPL; never from virtual-8086 mode.
    if (v86) cpu.fault(GP, selErr);
    let n = 0;
    frame[n++] = oldFlags & words;
    frame[n++] = cpu.segSel[CS];
    frame[n++] = returnEip & words;
    if (errorCode >= 0) frame[n++] = errorCode & words;
    checkRoom(cpu, cpu.getSP(), cpu.stack32, n, size, cpu.segLo[SS], cpu.segWHi[SS], ext);
    if (offset > target.limit) cpu.fault(GP, ext);
    cpu.setSP(pushFrame(cpu, cpu.segBase[SS], cpu.getSP(), cpu.stack32, n, size, false));
    markAccessed(cpu, target);
    setSegmentFromDescriptor(cpu, CS, (sel & ~3) | cpu.cpl, target);
  }
  // TF, VM, RF and NT are cleared; an interrupt gate also clears IF (SDM vol. 3A §6.12.1.3).
  let fl = cpu.flags & ~(TF | VM | RF | NT);
  if (!trapGate) fl &= ~IF;
  cpu.flags = fl;
  if (v86) for (let s = 0; s < 6; s++) cpu.segChanged(s);
  cpu.cplChanged();
  cpu.eip = offset;
  cpu.nextEip = offset;
}

