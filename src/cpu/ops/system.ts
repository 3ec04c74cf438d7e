// System instructions: HLT, CLI/STI, CPUID, RDTSC, RDMSR/WRMSR, MOV CRn/DRn, descriptor-table
// instructions, INVLPG, INVD/WBINVD, SYSENTER/SYSEXIT, CLTS/LMSW/SMSW, UD2, flag instructions.

import type { CPU } from '../cpu.ts';
import { Sensitive } from '../intercept.ts';
import { def } from '../opcode-table.ts';
import { GP } from '../regs.ts';

/** HLT (SDM vol. 2): privileged; stops until an interrupt, NMI or reset. */
function hlt(cpu: CPU): void {
  if (cpu.cpl !== 0) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.Hlt);
  cpu.halted = true;
}

export function install(): void {
  def(0xF4, { name: 'hlt', h16: hlt });
}
