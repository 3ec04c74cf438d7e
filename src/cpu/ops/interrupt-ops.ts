// Software interrupts and interrupt return: INT n (CD ib), INT3 (CC), INTO (CE), INT1/ICEBP (F1) and
// IRET/IRETD (CF). SDM vol. 2 "INT n/INTO/INT3/INT1" and "IRET/IRETD"; the delivery itself is
// interrupts.ts (through cpu.runDelivery, which folds faults raised while delivering into #DF/shutdown),
// the return iret.ts. All of them push the EIP of the next instruction: they are traps.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { EventKind } from '../interrupts.ts';
import { iret } from '../iret.ts';
import { def, Imm } from '../opcode-table.ts';
import { BP, DB, GP, OFV, VM } from '../regs.ts';

/** INT n: in virtual-8086 mode without VME, IOPL < 3 makes it #GP(0) for the monitor (SDM vol. 3A §20.3.3). */
function intN(cpu: CPU, i: Insn): void {
  if ((cpu.flags & VM) && cpu.iopl < 3) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.SoftInt, i.imm);
  cpu.runDelivery(i.imm, -1, EventKind.Software, cpu.nextEip);
}

/** INT3: #BP as a trap; DPL-checked like INT n but not IOPL-sensitive in virtual-8086 mode. */
function int3(cpu: CPU): void {
  cpu.sensitive(Sensitive.SoftInt, BP);
  cpu.runDelivery(BP, -1, EventKind.SoftwareException, cpu.nextEip);
}

/** INTO: #OF as a trap when OF = 1, else nothing. */
function into(cpu: CPU): void {
  if (!cpu.getOF()) return;
  cpu.sensitive(Sensitive.SoftInt, OFV);
  cpu.runDelivery(OFV, -1, EventKind.SoftwareException, cpu.nextEip);
}

/** INT1 (ICEBP): #DB as a trap without the gate DPL check and with EXT=1 in error codes. */
function int1(cpu: CPU): void {
  cpu.runDelivery(DB, -1, EventKind.PrivilegedSoftware, cpu.nextEip);
}

function iret16(cpu: CPU): void { iret(cpu, false); }
function iret32(cpu: CPU): void { iret(cpu, true); }

export function install(): void {
  def(0xCC, { name: 'int3', h16: int3 });
  def(0xCD, { name: 'int', imm: Imm.Ib, h16: intN });
  def(0xCE, { name: 'into', h16: into });
  def(0xCF, { name: 'iret', h16: iret16, h32: iret32 });
  def(0xF1, { name: 'int1', h16: int1 });
}
