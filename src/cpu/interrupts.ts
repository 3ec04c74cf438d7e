// Event delivery (SDM vol. 3A chapter 6): real-mode IVT, protected-mode IDT through interrupt and trap
// gates (with the stack switch through the TSS on a privilege change) and task gates. The run loop
// wraps this in the #DF / shutdown logic (cpu.runDelivery).

import type { CPU } from './cpu.ts';
import { Descriptor, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import {
  AC, AR_DB, CR0_PE, CS, DS, ES, FS, GP, GS, IF, NP, NT, RF, SS, SSV, TF, TS, TYPE_CODE, TYPE_CONFORMING, VM,
  ESP, EFLAGS_FIXED1,
} from './regs.ts';
import { taskSwitch, TaskSwitchSource } from './task-switch.ts';

export const enum EventKind {
  /** External interrupt (INTR) or NMI: EXT=1 in error codes, no DPL check. */
  External = 0,
  /** Processor exception (fault, trap or abort): EXT=1, no DPL check. */
  Exception = 1,
  /** INT n: gate DPL must be >= CPL, EXT=0. */
  Software = 2,
  /** INT3 / INTO (and INT1 ICEBP): DPL checked like INT n, EXT=0 (SDM vol. 3A §6.12.1.1). */
  SoftwareException = 3,
}

/** Vectors whose exceptions push an error code (SDM vol. 3A Table 6-1). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

const gate = new Descriptor();
const target = new Descriptor();

/** Deliver `vector`. errorCode -1 means none is pushed. returnEip is the EIP saved on the stack. */
export function deliverEvent(cpu: CPU, vector: number, errorCode: number, kind: EventKind, returnEip: number): void {
  if (cpu.hook !== null && cpu.hook.event(cpu, vector, errorCode, kind, returnEip)) return;
  cpu.halted = false;
  if (!(cpu.cr0 & CR0_PE)) deliverReal(cpu, vector, returnEip);
  else deliverProtected(cpu, vector, errorCode, kind, returnEip);
}

/** Real-address mode: push FLAGS, CS, IP; clear IF, TF, AC; jump through the IVT (SDM vol. 3A §20.1.4). */
function deliverReal(cpu: CPU, vector: number, returnEip: number): void {
  const off = vector << 2;
  if (off + 3 > cpu.idtrLimit) cpu.fault(GP, vector * 8 + 2);
  const ip = cpu.readLin16((cpu.idtrBase + off) | 0);
  const cs = cpu.readLin16((cpu.idtrBase + off + 2) | 0);
  const fl = cpu.getEflags();
  const sp0 = cpu.getSP();
  try {
    cpu.push16(fl);
    cpu.push16(cpu.segSel[CS]);
    cpu.push16(returnEip);
  } catch (e) { cpu.setSP(sp0); throw e; }
  cpu.flags &= ~(IF | TF | AC | RF);
  cpu.segSel[CS] = cs;
  cpu.segBase[CS] = cs << 4;
  cpu.segChanged(CS);
  cpu.eip = ip;
  cpu.nextEip = ip;
}

/** Protected mode (and virtual-8086 mode): SDM vol. 2 "INT n/INTO/INT3" operation, vol. 3A §6.12. */
function deliverProtected(cpu: CPU, vector: number, errorCode: number, kind: EventKind, returnEip: number): void {
  const ext = kind === EventKind.External || kind === EventKind.Exception ? 1 : 0;
  const idtErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtrLimit) cpu.fault(GP, idtErr);
  gate.addr = (cpu.idtrBase + vector * 8) | 0;
  gate.lo = cpu.readSys32(gate.addr);
  gate.hi = cpu.readSys32((gate.addr + 4) | 0);
  const gtype = gate.type;
  // Only task gates (5) and 16/32-bit interrupt (6/14) and trap (7/15) gates are allowed in the IDT.
  if (gate.s || !(gtype === 5 || gtype === 6 || gtype === 7 || gtype === 14 || gtype === 15)) cpu.fault(GP, idtErr);
  const soft = kind === EventKind.Software || kind === EventKind.SoftwareException;
  if (soft && gate.dpl < cpu.cpl) cpu.fault(GP, idtErr);
  if (!gate.present) cpu.fault(NP, idtErr);

  if (gtype === 5) {
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
  const oldFlags = cpu.getEflags();

  if (!conforming && target.dpl < cpu.cpl) {
    // Inter-privilege: new SS:ESP from the TSS for the target DPL (SDM vol. 3A §6.12.1, Figure 6-4).
    if (v86 && target.dpl !== 0) cpu.fault(GP, selErr);
    const newCpl = target.dpl;
    const { ss: newSS, esp: newESP } = readTssStack(cpu, newCpl, ext);
    const ssErr = (newSS & 0xFFFC) + ext;
    if ((newSS & 0xFFFC) === 0) cpu.fault(TS, ext);
    const ssd = new Descriptor();
    if (!readDescriptor(cpu, newSS, ssd)) cpu.fault(TS, ssErr);
    if ((newSS & 3) !== newCpl || ssd.dpl !== newCpl || !ssd.isData || !(ssd.type & 2)) cpu.fault(TS, ssErr);
    if (!ssd.present) cpu.fault(SSV, ssErr);
    // Build the frame on the new stack before committing any state.
    const ss32 = (ssd.ar & AR_DB) !== 0;
    const words: number[] = [];
    if (v86) words.push(cpu.segSel[GS], cpu.segSel[FS], cpu.segSel[DS], cpu.segSel[ES]);
    words.push(cpu.segSel[SS], cpu.getSP(), oldFlags, cpu.segSel[CS], returnEip);
    if (errorCode >= 0) words.push(errorCode);
    const size = is32 ? 4 : 2;
    const ssBase = ssd.base, ssLimit = ssd.limit;
    let sp = ss32 ? newESP >>> 0 : newESP & 0xFFFF;
    const total = words.length * size;
    const low = ss32 ? (sp - total) >>> 0 : (sp - total) & 0xFFFF;
    // Limit check of the new stack (expand-up data segment).
    if (low > ssLimit) cpu.fault(SSV, ext);
    const saveCpl = cpu.cpl;
    cpu.cpl = newCpl; cpu.cplChanged();
    try {
      for (const w of words) {
        sp = ss32 ? (sp - size) >>> 0 : (sp - size) & 0xFFFF;
        const lin = (ssBase + sp) | 0;
        if (size === 4) cpu.writeSys32(lin, w); else cpu.writeSys16(lin, w);
      }
    } catch (e) { cpu.cpl = saveCpl; cpu.cplChanged(); throw e; }
    if (v86) {
      for (const s of [GS, FS, DS, ES]) setSegment(cpu, s, 0, 0, 0, 0x10000);
    }
    setSegmentFromDescriptor(cpu, SS, (newSS & ~3) | newCpl, ssd);
    if (ss32) cpu.r32[ESP] = sp; else cpu.r16[ESP << 1] = sp;
    cpu.flags &= ~VM;
  } else {
    if (v86) cpu.fault(GP, selErr);
    // Same privilege: push on the current stack.
    const sp0 = cpu.r32[ESP];
    try {
      if (is32) { cpu.push32(oldFlags); cpu.push32(cpu.segSel[CS]); cpu.push32(returnEip); if (errorCode >= 0) cpu.push32(errorCode); }
      else { cpu.push16(oldFlags); cpu.push16(cpu.segSel[CS]); cpu.push16(returnEip); if (errorCode >= 0) cpu.push16(errorCode); }
    } catch (e) { cpu.r32[ESP] = sp0; throw e; }
  }
  const newCpl = conforming ? cpu.cpl : target.dpl;
  setSegmentFromDescriptor(cpu, CS, (sel & ~3) | newCpl, target);
  cpu.cpl = newCpl;
  cpu.cplChanged();
  if (offset > target.limit) cpu.fault(GP, ext);
  // TF, VM, RF and NT are cleared; interrupt gates also clear IF (SDM vol. 3A §6.12.1.2).
  let fl = cpu.flags & ~(TF | VM | RF | NT);
  if (!trapGate) fl &= ~IF;
  cpu.flags = fl | EFLAGS_FIXED1;
  cpu.modeChanged();
  cpu.eip = offset;
  cpu.nextEip = offset;
}

/** SS:ESP for privilege level `dpl` from the current TSS (32-bit or 16-bit, SDM vol. 3A §7.2.1/§7.6). */
export function readTssStack(cpu: CPU, dpl: number, ext: number): { ss: number; esp: number } {
  const tss32 = (cpu.trAR & 0xF) === 0x9 || (cpu.trAR & 0xF) === 0xB;
  const off = tss32 ? dpl * 8 + 4 : dpl * 4 + 2;
  const size = tss32 ? 8 : 4;
  if (off + size - 1 > cpu.trLimit) cpu.fault(TS, (cpu.trSel & 0xFFFC) + ext);
  const base = cpu.trBase;
  if (tss32) return { esp: cpu.readSys32((base + off) | 0) >>> 0, ss: cpu.readSys16((base + off + 4) | 0) };
  return { esp: cpu.readSys16((base + off) | 0), ss: cpu.readSys16((base + off + 2) | 0) };
}

export { TYPE_CODE };
