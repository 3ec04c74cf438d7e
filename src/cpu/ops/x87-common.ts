// What every x87 instruction shares: the entry checks (#NM from CR0.EM/TS, #MF for a pending unmasked
// exception at a waiting instruction), the last-instruction pointers (FIP/FCS/FOP/FDP/FDS), merging the
// arithmetic core's exception flags into the status word, stack faults, the FERR# output, and memory
// operands checked in full (segment and page) before anything is committed.
//
// Exception synchronization (SDM vol. 1 §8.6, vol. 3A §6.15 "Interrupt 16"): an unmasked exception only sets
// the flag (and so ES/B); it is reported as #MF (a fault) by the NEXT waiting x87 instruction — every ESC
// instruction except FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE (and FNENI/FNDISI/FNSETPM, no-ops on
// 387+) — or WAIT/FWAIT, when CR0.NE = 1. With CR0.NE = 0 (MS-DOS compatible mode, SDM vol. 1 §8.7 and
// Appendix D) the processor signals FERR#, which the PC routes to IRQ 13: cpu.ferr is that output. We raise
// it as soon as an unmasked exception is pending (and drop it when none is), and let the next waiting
// instruction proceed as if IGNNE# were asserted (the PC's IRQ 13 handler writes port F0h to assert it).

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { CR0_EM, CR0_NE, CR0_TS, CS, MF, NM } from '../regs.ts';
import { FpCtx, type F80 } from '../fpu/f80.ts';
import { EXC_MASK, SW_C1, SW_IE, SW_SF, type X87State } from '../fpu/x87-state.ts';

/** The one context passed to the arithmetic core (cleared per instruction by ctxFor). */
export const ctx = new FpCtx();

/** Reset ctx for an operation under control word `cw`. */
export function ctxFor(f: X87State): FpCtx {
  ctx.cw = f.cw;
  ctx.exc = 0;
  ctx.c1 = 0;
  return ctx;
}

/**
 * Entry of a waiting ESC instruction (SDM vol. 3A §2.5 Table 2-2): #NM when CR0.EM or CR0.TS is set, then
 * #MF when an unmasked exception is pending and CR0.NE = 1. Returns the FPU state.
 */
export function escWait(cpu: CPU): X87State {
  const cr0 = cpu.cr0;
  if ((cr0 & (CR0_EM | CR0_TS)) !== 0) cpu.fault(NM);
  const f = cpu.fpu;
  if ((f.sw & ~f.cw & EXC_MASK) !== 0 && (cr0 & CR0_NE) !== 0) cpu.fault(MF);
  return f;
}

/** Entry of a non-waiting ESC instruction (FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE): #NM only. */
export function escNoWait(cpu: CPU): X87State {
  if ((cpu.cr0 & (CR0_EM | CR0_TS)) !== 0) cpu.fault(NM);
  return cpu.fpu;
}

/**
 * Record the last non-control instruction (SDM vol. 1 §8.1.8): its CS:EIP (EIP of the first prefix byte),
 * its opcode (low 3 bits of the first opcode byte, then the ModR/M byte: 11 bits, §8.1.9) and, for memory
 * forms, the operand's segment selector and offset. Register forms leave FDP/FDS alone (the SDM leaves
 * them undefined then). Called once the instruction can no longer fault.
 */
export function noteInsn(cpu: CPU, f: X87State, i: Insn): void {
  f.fip = cpu.eip;
  f.fcs = cpu.segSel[CS];
  f.fop = ((i.op & 7) << 8) | (i.mod << 6) | (i.reg << 3) | i.rm;
  if (i.mod !== 3) {
    f.fdp = cpu.eaI(i) >>> 0;
    f.fds = cpu.segSel[i.seg];
  }
}

/** Bring the FERR# output in line with the pending state; reported only while CR0.NE = 0 (see above). */
export function updateFerr(cpu: CPU, f: X87State): void {
  const level = (cpu.cr0 & CR0_NE) === 0 && (f.sw & ~f.cw & EXC_MASK) !== 0;
  if (level !== f.ferrLevel) {
    f.ferrLevel = level;
    if (cpu.ferr !== null) cpu.ferr(level);
  }
}

/** Merge the core's exception flags and C1 into the status word (C1 = "rounded up", SDM vol. 1 §8.1.3.1). */
export function merge(cpu: CPU, f: X87State, c: FpCtx): void {
  f.sw = (f.sw & ~SW_C1) | c.exc | (c.c1 !== 0 ? SW_C1 : 0);
  if ((c.exc & ~f.cw & EXC_MASK) !== 0) updateFerr(cpu, f);
}

/** Merge only the exception flags (instructions whose C1 means something else). */
export function mergeExc(cpu: CPU, f: X87State, exc: number): void {
  f.sw |= exc;
  if ((exc & ~f.cw & EXC_MASK) !== 0) updateFerr(cpu, f);
}

/** True when the core raised an exception that is unmasked in `f`'s control word among `bits`. */
export function unmasked(f: X87State, exc: number, bits: number): boolean {
  return (exc & ~f.cw & bits) !== 0;
}

/**
 * Stack fault (SDM vol. 1 §8.5.1.1): IE and SF set, C1 = 1 for overflow, 0 for underflow. Returns true when
 * IE is masked (the caller then delivers the masked response: the QNaN indefinite); when unmasked the
 * caller changes nothing else (TOP and the operands stay as they were).
 */
export function stackFault(cpu: CPU, f: X87State, overflow: boolean): boolean {
  f.sw = (f.sw & ~SW_C1) | SW_IE | SW_SF | (overflow ? SW_C1 : 0);
  if ((f.cw & SW_IE) === 0) { updateFerr(cpu, f); return false; }
  return true;
}

/** Clear C1 (instructions that define it as 0 when there is no stack fault). */
export function clearC1(f: X87State): void {
  f.sw &= ~SW_C1;
}

// ---- memory operands: the whole operand is checked (segment limit, page) before any of it is used ----

/** Linear address of an operand of `size` bytes at the instruction's memory operand, readable. */
export function memRead(cpu: CPU, i: Insn, size: number): number {
  const lin = cpu.linRead(i.seg, cpu.eaI(i), size);
  cpu.probeRead(lin, size);
  return lin;
}

/** Linear address of an operand of `size` bytes at the instruction's memory operand, writable (probed). */
export function memWrite(cpu: CPU, i: Insn, size: number): number {
  const lin = cpu.linWrite(i.seg, cpu.eaI(i), size);
  cpu.probeWrite(lin, size);
  return lin;
}

/**
 * The FNSTENV/FLDENV/FNSAVE/FRSTOR image of `size` bytes: segment check of the whole image, then its pages at
 * its first and at its last byte: the P6 family reads the first and last bytes of the environment before it
 * changes any state (SDM vol. 3, "IA-32 Architecture Compatibility", "Segment Not Present Exception During
 * FLDENV"). A fault in the second page so reports the image's last byte in CR2, as silicon does. Returns the
 * linear address.
 */
export function imageRead(cpu: CPU, i: Insn, size: number): number {
  const lin = cpu.linRead(i.seg, cpu.eaI(i), size);
  cpu.probeRead(lin, 1);
  cpu.probeRead((lin + size - 1) | 0, 1);
  return lin;
}

export function imageWrite(cpu: CPU, i: Insn, size: number): number {
  const lin = cpu.linWrite(i.seg, cpu.eaI(i), size);
  cpu.probeWrite(lin, 1);
  cpu.probeWrite((lin + size - 1) | 0, 1);
  return lin;
}

/** Read an 80-bit value at linear `lin` (already checked). */
export function readF80(cpu: CPU, lin: number, out: F80): F80 {
  out.lo = cpu.readLin32(lin) >>> 0;
  out.hi = cpu.readLin32((lin + 4) | 0) >>> 0;
  out.se = cpu.readLin16((lin + 8) | 0);
  return out;
}

/** Write an 80-bit value at linear `lin` (already probed). */
export function writeF80(cpu: CPU, lin: number, v: F80): void {
  cpu.writeLin32(lin, v.lo);
  cpu.writeLin32((lin + 4) | 0, v.hi);
  cpu.writeLin16((lin + 8) | 0, v.se);
}
