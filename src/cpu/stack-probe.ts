// Validation of multi-slot stack writes before anything is committed. Instructions that push several
// values (PUSHA, ENTER, far CALL) must fault with no architectural change (SDM vol. 3A §6.6: faults are
// restartable), and must report the fault the first push in program order would raise: the #SS(0) of the
// first slot outside the stack segment's limits, or the #PF (with CR2) of the first slot whose page is
// not writable. Checking each slot with the same segment and page checks a push uses, in push order,
// gives exactly that; the pushes that follow cannot fault.

import type { CPU } from './cpu.ts';
import { SS } from './regs.ts';

/** Stack pointer `sp` minus `delta`, wrapped to the stack's address size (SS.B). */
export function spMinus(cpu: CPU, sp: number, delta: number): number {
  return cpu.stack32 ? (sp - delta) >>> 0 : (sp - delta) & 0xFFFF;
}

/** Check one push slot at stack offset `off` (segment limit → #SS(0), page → #PF) without writing. */
export function probeStackSlot(cpu: CPU, off: number, size: number): void {
  cpu.probeWrite(cpu.linWrite(SS, off, size), size);
}

/** Check `count` pushes of `size` bytes from the current stack pointer, in push order. */
export function probePushes(cpu: CPU, count: number, size: number): void {
  let sp = cpu.getSP();
  for (let k = 0; k < count; k++) {
    sp = spMinus(cpu, sp, size);
    probeStackSlot(cpu, sp, size);
  }
}
