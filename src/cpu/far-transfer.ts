// Far control transfers: JMP ptr/m16:xx, CALL ptr/m16:xx, RET far (SDM vol. 2 JMP, CALL, RET "Operation";
// vol. 3A §5.8 privilege checks for control transfers, §5.8.3-5.8.6 call gates and stack switching).
//
// Real-address and virtual-8086 mode: CS ← selector, base = selector × 16, the offset checked against the
// CS limit. Protected mode: direct transfers to conforming / non-conforming code, transfers through call
// gates (CALL to a more privileged level switches to the stack named in the TSS and copies the gate's
// parameters), RET to the same or an outer level (reloading SS:ESP and nulling data segment registers
// the outer level may not use), and JMP/CALL to a TSS or a task gate, which hand over to taskSwitch.
//
// Every check (descriptors, stack room, target limits, memory accesses of the frame) runs before the
// first change to architectural state, so a fault leaves the CPU as it was (SDM vol. 3A §6.6).
// Error codes are the selector with RPL cleared (TI kept, EXT = 0: these are software transfers).

import type { CPU } from './cpu.ts';
import { readTssStack, tssStack } from './tss-stack.ts';
import {
  Descriptor, loadCodeSegment, loadSegmentReal, markAccessed, nullifyOuterSegments, pushesFit,
  readDescriptor, setSegmentFromDescriptor, writableBounds,
} from './segments.ts';
import { taskSwitch, TaskSwitchSource } from './task-switch.ts';
import { probePushes } from './stack-probe.ts';
import { AR_DB, CR0_PE, CS, ESP, GP, NP, SS, SSV, TS, TYPE_CONFORMING, TYPE_WRITABLE, VM } from './regs.ts';

// Descriptor scratch objects (no allocation per transfer).
const target = new Descriptor();
const code = new Descriptor();
const stackSeg = new Descriptor();
const params = new Int32Array(32);
const frame = new Int32Array(36);

/** System descriptor types a far JMP/CALL may name (SDM vol. 3A Table 3-2). */
const TSS16_AVAIL = 1, CALL_GATE16 = 4, TASK_GATE = 5, TSS32_AVAIL = 9, CALL_GATE32 = 12;

function inProtectedMode(cpu: CPU): boolean {
  return (cpu.cr0 & CR0_PE) !== 0 && (cpu.flags & VM) === 0;
}

// =========================================================================================================
// JMP far
// =========================================================================================================

/** JMP ptr16:16/ptr16:32 or m16:16/m16:32. `o32`: operand size 32 (offset not truncated). */
export function farJump(cpu: CPU, sel: number, offset: number, o32: boolean): void {
  sel &= 0xFFFF;
  const eip = o32 ? offset >>> 0 : offset & 0xFFFF;
  if (!inProtectedMode(cpu)) {
    // Real-address / virtual-8086 mode: #GP(0) if the offset is beyond the CS limit (SDM vol. 2 JMP).
    if (eip > cpu.segLimit[CS]) cpu.fault(GP, 0);
    loadSegmentReal(cpu, CS, sel);
    cpu.nextEip = eip;
    return;
  }
  const d = readTarget(cpu, sel);
  const err = sel & 0xFFFC, cpl = cpu.cpl;
  if (d.s) {
    checkDirectCode(cpu, d, sel);
    if (eip > d.limit) cpu.fault(GP, 0);
    loadCodeSegment(cpu, sel, d, cpl);
    cpu.nextEip = eip;
    return;
  }
  switch (d.type) {
    case CALL_GATE16: case CALL_GATE32: {
      // JMP through a call gate: no privilege change; conforming DPL ≤ CPL, non-conforming DPL = CPL.
      checkGate(cpu, d, sel);
      const csSel = d.gateSelector, cd = readGateCode(cpu, csSel);
      const conforming = (cd.type & TYPE_CONFORMING) !== 0;
      if (conforming ? cd.dpl > cpl : cd.dpl !== cpl) cpu.fault(GP, csSel & 0xFFFC);
      if (!cd.present) cpu.fault(NP, csSel & 0xFFFC);
      const t = d.type === CALL_GATE32 ? d.gateOffset : d.gateOffset & 0xFFFF;
      if (t > cd.limit) cpu.fault(GP, 0);
      loadCodeSegment(cpu, csSel, cd, cpl);
      cpu.nextEip = t;
      return;
    }
    case TASK_GATE: case TSS16_AVAIL: case TSS32_AVAIL:
      // JMP to a TSS or through a task gate: task-switch.ts makes the TASK-GATE / TASK-STATE-SEGMENT checks
      // of SDM vol. 2 JMP (gate or TSS DPL >= CPL and RPL, present, TSS available and in the GDT).
      taskSwitch(cpu, sel, TaskSwitchSource.Jmp, cpu.nextEip, -1);
      return;
    default: cpu.fault(GP, err);
  }
}

// =========================================================================================================
// CALL far
// =========================================================================================================

/** CALL ptr16:xx / m16:xx. `returnEip` is the offset of the next instruction. */
export function farCall(cpu: CPU, sel: number, offset: number, o32: boolean, returnEip: number): void {
  sel &= 0xFFFF;
  const eip = o32 ? offset >>> 0 : offset & 0xFFFF;
  const size = o32 ? 4 : 2;
  if (!inProtectedMode(cpu)) {
    // Real-address / virtual-8086 mode (SDM vol. 2 CALL): #GP(0) beyond the CS limit, #SS(0) if the
    // return address does not fit; then push CS, push (E)IP.
    if (eip > cpu.segLimit[CS]) cpu.fault(GP, 0);
    probePushes(cpu, 2, size);
    pushPair(cpu, size, cpu.segSel[CS], returnEip);
    loadSegmentReal(cpu, CS, sel);
    cpu.nextEip = eip;
    return;
  }
  const d = readTarget(cpu, sel);
  const err = sel & 0xFFFC, cpl = cpu.cpl;
  if (d.s) {
    checkDirectCode(cpu, d, sel);
    probePushes(cpu, 2, size);                 // #SS(0) / #PF before the limit check, as the SDM orders them
    if (eip > d.limit) cpu.fault(GP, 0);
    markAccessed(cpu, d);                      // (a memory write that may fault: before any change)
    pushPair(cpu, size, cpu.segSel[CS], returnEip);
    loadCodeSegment(cpu, sel, d, cpl);
    cpu.nextEip = eip;
    return;
  }
  switch (d.type) {
    case CALL_GATE16: case CALL_GATE32: {
      checkGate(cpu, d, sel);
      const csSel = d.gateSelector, cd = readGateCode(cpu, csSel);
      // CALL-GATE: the code segment's DPL must not be above CPL (SDM vol. 3A §5.8.4, Table 5-1).
      if (cd.dpl > cpl) cpu.fault(GP, csSel & 0xFFFC);
      if (!cd.present) cpu.fault(NP, csSel & 0xFFFC);
      if (!(cd.type & TYPE_CONFORMING) && cd.dpl < cpl) callGateInner(cpu, d, csSel, cd, returnEip);
      else callGateSame(cpu, d, csSel, cd, returnEip);
      return;
    }
    case TASK_GATE: case TSS16_AVAIL: case TSS32_AVAIL:
      // CALL to a TSS or through a task gate: a nested task switch (back link, NT) with the checks of
      // SDM vol. 2 CALL "TASK-GATE" / "TASK-STATE-SEGMENT" made by task-switch.ts.
      taskSwitch(cpu, sel, TaskSwitchSource.Call, returnEip, -1);
      return;
    default: cpu.fault(GP, err);
  }
}

/** Push a return address (CS then EIP) of `size`-byte slots; a 4-byte CS slot is zero-extended. */
function pushPair(cpu: CPU, size: number, cs: number, eip: number): void {
  if (size === 4) { cpu.push32(cs); cpu.push32(eip); } else { cpu.push16(cs); cpu.push16(eip); }
}

/** CALL through a call gate without a privilege change ("SAME-PRIVILEGE"): gate size picks the slots. */
function callGateSame(cpu: CPU, gate: Descriptor, csSel: number, cd: Descriptor, returnEip: number): void {
  const size = gate.type === CALL_GATE32 ? 4 : 2;
  probePushes(cpu, 2, size);
  const t = size === 4 ? gate.gateOffset : gate.gateOffset & 0xFFFF;
  if (t > cd.limit) cpu.fault(GP, 0);
  markAccessed(cpu, cd);
  pushPair(cpu, size, cpu.segSel[CS], returnEip);
  loadCodeSegment(cpu, csSel, cd, cpu.cpl);
  cpu.nextEip = t;
}

/**
 * CALL through a call gate to a more privileged non-conforming segment ("MORE-PRIVILEGE", SDM vol. 3A
 * §5.8.5, Figure 5-13): SS:ESP for the new CPL come from the TSS; the new stack receives the caller's SS,
 * ESP, `count` parameters copied from the caller's stack (order kept) and the caller's CS, EIP.
 */
function callGateInner(cpu: CPU, gate: Descriptor, csSel: number, cd: Descriptor, returnEip: number): void {
  const newCpl = cd.dpl;
  readTssStack(cpu, newCpl, 0);
  const newSS = tssStack.ss, newESP = tssStack.esp;
  const ssErr = newSS & 0xFFFC;
  if (ssErr === 0) cpu.fault(TS, 0);
  const sd = stackSeg;
  if (!readDescriptor(cpu, newSS, sd)) cpu.fault(TS, ssErr);
  if ((newSS & 3) !== newCpl || sd.dpl !== newCpl || !sd.isData || !(sd.type & TYPE_WRITABLE)) cpu.fault(TS, ssErr);
  if (!sd.present) cpu.fault(SSV, ssErr);
  const size = gate.type === CALL_GATE32 ? 4 : 2;
  const count = gate.gateParamCount;
  const ss32 = (sd.ar & AR_DB) !== 0;
  let sp = ss32 ? newESP >>> 0 : newESP & 0xFFFF;
  // Room for the parameters plus SS, ESP, CS, EIP: #SS(new SS selector).
  writableBounds(sd.ar, sd.limit);
  if (!pushesFit(sp, count + 4, size, ss32)) cpu.fault(SSV, ssErr);
  const t = size === 4 ? gate.gateOffset : gate.gateOffset & 0xFFFF;
  if (t > cd.limit) cpu.fault(GP, 0);
  // The parameters are read from the caller's stack with the caller's privilege.
  for (let k = 0; k < count; k++) params[k] = size === 4 ? cpu.peek32(k * 4) : cpu.peek16(k * 2);
  const oldSS = cpu.segSel[SS], oldSP = cpu.getSP(), oldCS = cpu.segSel[CS], oldCpl = cpu.cpl;
  // Accessed bits are memory writes that may fault: set them before anything else changes.
  markAccessed(cpu, sd);
  markAccessed(cpu, cd);
  // Probe the new stack's pages with the new privilege, then write the frame (nothing faults after this).
  const base = sd.base;
  const mask = ss32 ? -1 : 0xFFFF;
  cpu.cpl = newCpl; cpu.cplChanged();
  try {
    for (let k = 1; k <= count + 4; k++) cpu.probeWrite((base + ((sp - k * size) & mask)) | 0, size);
  } catch (e) {
    cpu.cpl = oldCpl; cpu.cplChanged();
    throw e;
  }
  let n = 0;
  frame[n++] = oldSS;
  frame[n++] = oldSP;
  for (let k = count - 1; k >= 0; k--) frame[n++] = params[k];
  frame[n++] = oldCS;
  frame[n++] = returnEip;
  for (let k = 0; k < n; k++) {
    sp = (sp - size) & mask;
    if (size === 4) cpu.writeLin32((base + sp) | 0, frame[k]); else cpu.writeLin16((base + sp) | 0, frame[k]);
  }
  setSegmentFromDescriptor(cpu, SS, newSS, sd);
  // "ESP ← newESP" then pushes: with a 16-bit stack only SP moves, the upper half comes from the TSS.
  cpu.r32[ESP] = ss32 ? sp : (newESP & ~0xFFFF) | sp;
  loadCodeSegment(cpu, csSel, cd, newCpl);
  cpu.nextEip = t;
}

// =========================================================================================================
// RET far
// =========================================================================================================

/** RET far (CB) / RET far imm16 (CA): `imm` bytes of parameters are released from each stack. */
export function farReturn(cpu: CPU, o32: boolean, imm: number): void {
  const size = o32 ? 4 : 2;
  // The return address is read (#SS(0) when outside the stack limits) before anything changes.
  const eip = o32 ? cpu.peek32(0) >>> 0 : cpu.peek16(0);
  const sel = (o32 ? cpu.peek32(4) : cpu.peek16(2)) & 0xFFFF;
  if (!inProtectedMode(cpu)) {
    if (eip > cpu.segLimit[CS]) cpu.fault(GP, 0);
    loadSegmentReal(cpu, CS, sel);
    cpu.setSP(cpu.getSP() + 2 * size + imm);
    cpu.nextEip = eip;
    return;
  }
  const err = sel & 0xFFFC, cpl = cpu.cpl, rpl = sel & 3;
  if (err === 0) cpu.fault(GP, 0);
  const d = target;
  if (!readDescriptor(cpu, sel, d)) cpu.fault(GP, err);
  if (!d.isCode) cpu.fault(GP, err);
  if (rpl < cpl) cpu.fault(GP, err);
  if ((d.type & TYPE_CONFORMING) ? d.dpl > rpl : d.dpl !== rpl) cpu.fault(GP, err);
  if (!d.present) cpu.fault(NP, err);
  if (rpl === cpl) {
    // RETURN-TO-SAME-PRIVILEGE-LEVEL.
    if (eip > d.limit) cpu.fault(GP, 0);
    loadCodeSegment(cpu, sel, d, cpl);
    cpu.setSP(cpu.getSP() + 2 * size + imm);
    cpu.nextEip = eip;
    return;
  }
  // RETURN-TO-OUTER-PRIVILEGE-LEVEL: the caller's ESP and SS lie above the released parameters.
  const at = 2 * size + imm;
  const newESP = o32 ? cpu.peek32(at) >>> 0 : cpu.peek16(at);
  const newSS = (o32 ? cpu.peek32(at + 4) : cpu.peek16(at + 2)) & 0xFFFF;
  const ssErr = newSS & 0xFFFC;
  if (ssErr === 0) cpu.fault(GP, 0);
  const sd = stackSeg;
  if (!readDescriptor(cpu, newSS, sd)) cpu.fault(GP, ssErr);
  if ((newSS & 3) !== rpl || !sd.isData || !(sd.type & TYPE_WRITABLE) || sd.dpl !== rpl) cpu.fault(GP, ssErr);
  if (!sd.present) cpu.fault(SSV, ssErr);
  if (eip > d.limit) cpu.fault(GP, 0);
  markAccessed(cpu, sd);
  loadCodeSegment(cpu, sel, d, rpl);
  setSegmentFromDescriptor(cpu, SS, newSS, sd);
  // The immediate also releases parameters on the outer stack (SDM vol. 2 RET, second "ESP ← ESP + SRC").
  cpu.r32[ESP] = newESP;
  if (cpu.stack32) cpu.r32[ESP] = newESP + imm; else cpu.r16[ESP << 1] = newESP + imm;
  nullifyOuterSegments(cpu);
  cpu.nextEip = eip;
}

// =========================================================================================================
// Shared checks
// =========================================================================================================

// =========================================================================================================
// Descriptor checks
// =========================================================================================================

/** Read the descriptor a far JMP/CALL names: null → #GP(0), beyond the table → #GP(selector). */
function readTarget(cpu: CPU, sel: number): Descriptor {
  if ((sel & 0xFFFC) === 0) cpu.fault(GP, 0);
  if (!readDescriptor(cpu, sel, target)) cpu.fault(GP, sel & 0xFFFC);
  return target;
}

/**
 * Direct JMP/CALL to a code segment (SDM vol. 3A §5.8.2): conforming needs DPL ≤ CPL; non-conforming
 * needs RPL ≤ CPL and DPL = CPL; a data segment is #GP(selector); not present is #NP(selector).
 */
function checkDirectCode(cpu: CPU, d: Descriptor, sel: number): void {
  const err = sel & 0xFFFC, cpl = cpu.cpl;
  if (!d.isCode) cpu.fault(GP, err);
  if (d.type & TYPE_CONFORMING) {
    if (d.dpl > cpl) cpu.fault(GP, err);
  } else if ((sel & 3) > cpl || d.dpl !== cpl) {
    cpu.fault(GP, err);
  }
  if (!d.present) cpu.fault(NP, err);
}

/** A call gate may be used when its DPL ≥ CPL and ≥ the selector's RPL (SDM vol. 3A §5.8.4). */
function checkGate(cpu: CPU, g: Descriptor, sel: number): void {
  if (g.dpl < cpu.cpl || g.dpl < (sel & 3)) cpu.fault(GP, sel & 0xFFFC);
  if (!g.present) cpu.fault(NP, sel & 0xFFFC);
}

/** The code segment a call gate names: null → #GP(0), beyond the table or not code → #GP(selector). */
function readGateCode(cpu: CPU, csSel: number): Descriptor {
  if ((csSel & 0xFFFC) === 0) cpu.fault(GP, 0);
  if (!readDescriptor(cpu, csSel, code) || !code.isCode) cpu.fault(GP, csSel & 0xFFFC);
  return code;
}
