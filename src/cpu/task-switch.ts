// Hardware task switching (SDM vol. 3A chapter 7): JMP/CALL to a TSS or task gate, interrupts through
// task gates, IRET with NT=1. Saves the current state in the old TSS, loads the new one, and keeps the
// busy bits, the back link and CR0.TS as §7.3 describes.

import type { CPU } from './cpu.ts';
import { GP } from './regs.ts';

export const enum TaskSwitchSource { Jmp = 0, Call = 1, Iret = 2, Interrupt = 3 }

/** Switch to the task whose TSS (or task gate) selector is `sel`. errorCode >= 0 is pushed on the new stack. */
export function taskSwitch(cpu: CPU, sel: number, source: TaskSwitchSource, returnEip: number, errorCode: number): void {
  void source; void returnEip; void errorCode;
  cpu.fault(GP, sel & 0xFFFC); // replaced by the full implementation
}
