// The IOPL-sensitive flag instructions (SDM vol. 2): CLI FA, STI FB, PUSHF/PUSHFD 9C, POPF/POPFD 9D.
// No VME or PVI is advertised, so virtual-8086 mode with IOPL < 3 and protected mode with CPL > IOPL
// never touch VIF: CLI/STI/PUSHF/POPF fault there, except POPF at CPL > IOPL outside V86 mode, which
// silently leaves IF (and IOPL) unchanged — the "sensitive but unprivileged" case of Popek & Goldberg
// that a trap-and-emulate monitor cannot see (seed 004).

import type { CPU } from '../cpu.ts';
import { Sensitive } from '../intercept.ts';
import { def } from '../opcode-table.ts';
import { AC, ARITH_FLAGS, CR0_PE, DF, GP, ID, IF, IOPL, NT, RF, TF, VM } from '../regs.ts';

/**
 * May CLI/STI change IF? Real mode: yes. Protected mode: CPL <= IOPL. Virtual-8086 mode: IOPL = 3.
 * Otherwise #GP(0) (SDM vol. 2 CLI/STI operation, with CR4.VME = CR4.PVI = 0).
 */
function checkIfChange(cpu: CPU): void {
  if (!(cpu.cr0 & CR0_PE)) return;
  const iopl = (cpu.flags >> 12) & 3;
  if (cpu.flags & VM ? iopl !== 3 : cpu.cpl > iopl) cpu.fault(GP, 0);
}

function cli(cpu: CPU): void {
  checkIfChange(cpu);
  cpu.sensitive(Sensitive.Cli);
  cpu.flags &= ~IF;
}

/**
 * STI: sets IF. If IF was 0, interrupts stay inhibited until the end of the next instruction (SDM vol. 2
 * STI: "If IF = 0, maskable hardware interrupts remain inhibited on the instruction boundary following
 * an execution of STI"); an STI with IF already 1 opens no shadow.
 */
function sti(cpu: CPU): void {
  checkIfChange(cpu);
  cpu.sensitive(Sensitive.Sti);
  if (!(cpu.flags & IF)) {
    cpu.flags |= IF;
    cpu.inhibitInterrupts();
  }
}

/** PUSHF/PUSHFD: #GP(0) in virtual-8086 mode with IOPL < 3 (no VME). */
function checkPushPop(cpu: CPU): void {
  if ((cpu.flags & VM) && ((cpu.flags >> 12) & 3) !== 3) cpu.fault(GP, 0);
}

function pushf16(cpu: CPU): void {
  checkPushPop(cpu);
  cpu.sensitive(Sensitive.Pushf);
  cpu.push16(cpu.getEflags() & 0xFFFF);
}

/** PUSHFD stores EFLAGS with VM and RF cleared (SDM vol. 2: "EFLAGS AND 00FCFFFFH"). */
function pushf32(cpu: CPU): void {
  checkPushPop(cpu);
  cpu.sensitive(Sensitive.Pushf);
  cpu.push32(cpu.getEflags() & 0x00FCFFFF);
}

/**
 * Which EFLAGS bits POPF/POPFD may change (SDM vol. 2 POPF operation):
 *   always: CF PF AF ZF SF TF DF OF NT, and with a 32-bit operand AC and ID (this is an i486+ CPU);
 *   IF: at CPL 0, at CPL <= IOPL, and in virtual-8086 mode (where IOPL must be 3);
 *   IOPL: only at CPL 0 outside virtual-8086 mode (real mode is CPL 0);
 *   VM, VIF, VIP: never; RF: cleared by POPFD, untouched by the 16-bit form.
 */
function popfMask(cpu: CPU, o32: boolean): number {
  let mask = ARITH_FLAGS | TF | DF | NT;
  const f = cpu.flags, iopl = (f >> 12) & 3;
  if (f & VM) {
    if (iopl !== 3) cpu.fault(GP, 0);
    mask |= IF;
  } else if (cpu.cpl === 0 || !(cpu.cr0 & CR0_PE)) {
    mask |= IF | IOPL;
  } else if (cpu.cpl <= iopl) {
    mask |= IF;
  }
  if (o32) mask |= AC | ID | RF;
  return mask;
}

// The value is read before the stack pointer moves, so a #SS/#PF on the pop leaves ESP unchanged.
function popf16(cpu: CPU): void {
  const mask = popfMask(cpu, false);
  const v = cpu.peek16(0);
  cpu.sensitive(Sensitive.Popf, v);
  cpu.setSP(cpu.getSP() + 2);
  cpu.setEflags(v, mask);
}

function popf32(cpu: CPU): void {
  const mask = popfMask(cpu, true);
  const v = cpu.peek32(0);
  cpu.sensitive(Sensitive.Popf, v);
  cpu.setSP(cpu.getSP() + 4);
  cpu.setEflags(v & ~RF, mask);
}

export function install(): void {
  def(0xFA, { name: 'cli', h16: cli });
  def(0xFB, { name: 'sti', h16: sti });
  def(0x9C, { name: 'pushf', h16: pushf16, h32: pushf32 });
  def(0x9D, { name: 'popf', h16: popf16, h32: popf32 });
}
