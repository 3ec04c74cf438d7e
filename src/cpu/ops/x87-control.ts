// x87 control instructions (SDM vol. 1 §8.3.11, vol. 2 pages): FLDCW, FNSTCW, FNSTSW (m16 and AX), FNSTENV,
// FLDENV, FNSAVE, FRSTOR, FNCLEX, FNINIT, and WAIT/FWAIT (9B). None of them updates FIP/FDP/FOP (§8.1.8).
// FLDCW, FLDENV and FRSTOR are waiting instructions (they report a pending exception first, as silicon
// does); the FN- forms are not. The images are laid out by fpu/x87-env.ts; the whole image is checked
// (segment limit and pages) before any byte is read into the FPU or written to memory.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { CR0_MP, CR0_NE, CR0_PE, CR0_TS, EAX, MF, NM, VM } from '../regs.ts';
import { EXC_MASK, SW_SF, type X87State } from '../fpu/x87-state.ts';
import { envSize, loadEnv, loadRegs, storeEnv, storeRegs } from '../fpu/x87-env.ts';
import { imageRead, imageWrite, updateFerr } from './x87-common.ts';

/** FNSAVE/FRSTOR image: up to 28 bytes of environment and 80 of registers. */
const image = new Uint8Array(108);

/** Real-address and virtual-8086 mode use the real-mode image layouts (SDM vol. 1 §8.1.10). */
function realLayout(cpu: CPU): boolean {
  return (cpu.cr0 & CR0_PE) === 0 || (cpu.flags & VM) !== 0;
}

/** FLDCW m16 (D9 /5). Unmasking a set flag makes it pending (reported by the next waiting instruction). */
export function fldcw(cpu: CPU, i: Insn, f: X87State): void {
  const v = cpu.read16(i.seg, cpu.eaI(i));
  f.setControlWord(v);
  updateFerr(cpu, f);
}

/** FNSTCW m16 (D9 /7). */
export function fnstcw(cpu: CPU, i: Insn, f: X87State): void {
  cpu.write16(i.seg, cpu.eaI(i), f.controlWord());
}

/** FNSTSW m16 (DD /7). */
export function fnstswM(cpu: CPU, i: Insn, f: X87State): void {
  cpu.write16(i.seg, cpu.eaI(i), f.statusWord());
}

/** FNSTSW AX (DF E0). */
export function fnstswAx(cpu: CPU, _i: Insn, f: X87State): void {
  cpu.r16[EAX << 1] = f.statusWord();
}

/** FNSTENV m14/28 (D9 /6): store the environment, then mask every exception (SDM vol. 2 FSTENV). */
export function fnstenv(cpu: CPU, i: Insn, f: X87State): void {
  const size = envSize(i.o32);
  const lin = imageWrite(cpu, i, size);
  storeEnv(f, image, i.o32, realLayout(cpu));
  for (let k = 0; k < size; k++) cpu.writeLin8((lin + k) | 0, image[k]);
  f.cw |= EXC_MASK;
  updateFerr(cpu, f);
}

/** FLDENV m14/28 (D9 /4). */
export function fldenv(cpu: CPU, i: Insn, f: X87State): void {
  const size = envSize(i.o32);
  const lin = imageRead(cpu, i, size);
  for (let k = 0; k < size; k++) image[k] = cpu.readLin8((lin + k) | 0);
  loadEnv(f, image, i.o32, realLayout(cpu));
  updateFerr(cpu, f);
}

/** FNSAVE m94/108 (DD /6): environment and ST(0)..ST(7), then FNINIT (SDM vol. 2 FSAVE). */
export function fnsave(cpu: CPU, i: Insn, f: X87State): void {
  const env = envSize(i.o32), size = env + 80;
  const lin = imageWrite(cpu, i, size);
  storeEnv(f, image, i.o32, realLayout(cpu));
  storeRegs(f, image, env);
  for (let k = 0; k < size; k++) cpu.writeLin8((lin + k) | 0, image[k]);
  f.init();
  updateFerr(cpu, f);
}

/** FRSTOR m94/108 (DD /4): the registers are placed relative to the TOP loaded with the status word. */
export function frstor(cpu: CPU, i: Insn, f: X87State): void {
  const env = envSize(i.o32), size = env + 80;
  const lin = imageRead(cpu, i, size);
  for (let k = 0; k < size; k++) image[k] = cpu.readLin8((lin + k) | 0);
  loadEnv(f, image, i.o32, realLayout(cpu));
  loadRegs(f, image, env);
  updateFerr(cpu, f);
}

/** FNCLEX (DB E2): clear the exception flags, SF, ES and B; C0-C3 keep their (undefined) values. */
export function fnclex(cpu: CPU, _i: Insn, f: X87State): void {
  f.sw &= ~(EXC_MASK | SW_SF);
  updateFerr(cpu, f);
}

/** FNINIT (DB E3). */
export function fninit(cpu: CPU, _i: Insn, f: X87State): void {
  f.init();
  updateFerr(cpu, f);
}

/** FNENI (DB E0), FNDISI (DB E1), FNSETPM (DB E4): 8087/287 controls, no-ops on 387 and later. */
export function fnopControl(): void {}

/**
 * WAIT/FWAIT (9B): #NM only when CR0.MP = 1 and CR0.TS = 1 (SDM vol. 3A §2.5 Table 2-2: EM does not affect
 * WAIT), then #MF for a pending unmasked exception when CR0.NE = 1.
 */
export function fwait(cpu: CPU): void {
  const cr0 = cpu.cr0;
  if ((cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) cpu.fault(NM);
  const f = cpu.fpu;
  if ((f.sw & ~f.cw & EXC_MASK) !== 0 && (cr0 & CR0_NE) !== 0) cpu.fault(MF);
}
