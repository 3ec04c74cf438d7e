// Port I/O (SDM vol. 2 IN/OUT; vol. 1 §18.5 I/O protection): IN E4/E5/EC/ED and OUT E6/E7/EE/EF in 8-,
// 16- and 32-bit widths. Each access passes the IOPL / I/O-permission-bitmap check (cpu.checkIo, #GP(0)),
// then the intercept point, then the I/O bus. The string forms INS/OUTS are in string.ts.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { def, Imm } from '../opcode-table.ts';
import { EAX, EDX } from '../regs.ts';

function in8(cpu: CPU, port: number): void {
  cpu.checkIo(port, 1);
  cpu.sensitive(Sensitive.IoIn, port, 1);
  cpu.r8[0] = cpu.io.in8(port);
}
function in16(cpu: CPU, port: number): void {
  cpu.checkIo(port, 2);
  cpu.sensitive(Sensitive.IoIn, port, 2);
  cpu.r16[0] = cpu.io.in16(port);
}
function in32(cpu: CPU, port: number): void {
  cpu.checkIo(port, 4);
  cpu.sensitive(Sensitive.IoIn, port, 4);
  cpu.r32[EAX] = cpu.io.in32(port);
}
function out8(cpu: CPU, port: number): void {
  cpu.checkIo(port, 1);
  cpu.sensitive(Sensitive.IoOut, port, 1);
  cpu.io.out8(port, cpu.r8[0]);
}
function out16(cpu: CPU, port: number): void {
  cpu.checkIo(port, 2);
  cpu.sensitive(Sensitive.IoOut, port, 2);
  cpu.io.out16(port, cpu.r16[0]);
}
function out32(cpu: CPU, port: number): void {
  cpu.checkIo(port, 4);
  cpu.sensitive(Sensitive.IoOut, port, 4);
  cpu.io.out32(port, cpu.r32[EAX]);
}

/** Port from DX. */
function dx(cpu: CPU): number {
  return cpu.r16[EDX << 1];
}

export function install(): void {
  def(0xE4, { name: 'in', imm: Imm.Ib, h16: (cpu: CPU, i: Insn) => in8(cpu, i.imm) });
  def(0xE5, { name: 'in', imm: Imm.Ib, h16: (cpu: CPU, i: Insn) => in16(cpu, i.imm), h32: (cpu: CPU, i: Insn) => in32(cpu, i.imm) });
  def(0xE6, { name: 'out', imm: Imm.Ib, h16: (cpu: CPU, i: Insn) => out8(cpu, i.imm) });
  def(0xE7, { name: 'out', imm: Imm.Ib, h16: (cpu: CPU, i: Insn) => out16(cpu, i.imm), h32: (cpu: CPU, i: Insn) => out32(cpu, i.imm) });
  def(0xEC, { name: 'in', h16: (cpu: CPU) => in8(cpu, dx(cpu)) });
  def(0xED, { name: 'in', h16: (cpu: CPU) => in16(cpu, dx(cpu)), h32: (cpu: CPU) => in32(cpu, dx(cpu)) });
  def(0xEE, { name: 'out', h16: (cpu: CPU) => out8(cpu, dx(cpu)) });
  def(0xEF, { name: 'out', h16: (cpu: CPU) => out16(cpu, dx(cpu)), h32: (cpu: CPU) => out32(cpu, dx(cpu)) });
}
