// The inner-level stack pointer a privilege change takes from the current TSS (SDM vol. 2 CALL
// "MORE-PRIVILEGE", INT n "INTER-PRIVILEGE-LEVEL-INTERRUPT"; vol. 3A §7.2.1, §7.6): a 32-bit TSS holds
// ESPn at 8n+4 and SSn at 8n+8, a 16-bit TSS SPn at 4n+2 and SSn at 4n+4. The entry must lie within the
// TSS limit, else #TS(current TSS selector + EXT). The TSS is read with supervisor privilege (an implicit
// system access, SDM vol. 3A §4.6.1). Results land in `tssStack` (no allocation on this path).

import type { CPU } from './cpu.ts';
import { TS } from './regs.ts';

export const tssStack = { ss: 0, esp: 0 };

export function readTssStack(cpu: CPU, dpl: number, ext: number): void {
  const t = cpu.trAR & 0xF;
  const tss32 = t === 0x9 || t === 0xB;
  const off = tss32 ? dpl * 8 + 4 : dpl * 4 + 2;
  if (off + (tss32 ? 5 : 3) > cpu.trLimit) cpu.fault(TS, (cpu.trSel & 0xFFFC) + ext);
  const base = cpu.trBase;
  if (tss32) {
    tssStack.esp = cpu.readSys32((base + off) | 0) >>> 0;
    tssStack.ss = cpu.readSys16((base + off + 4) | 0);
  } else {
    tssStack.esp = cpu.readSys16((base + off) | 0);
    tssStack.ss = cpu.readSys16((base + off + 2) | 0);
  }
}
