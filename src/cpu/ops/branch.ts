// Control transfer (SDM vol. 2): near JMP (EB, E9, FF /4), Jcc (70-7F, 0F 80-8F), near CALL (E8, FF /2),
// near RET (C3, C2 iw), LOOP/LOOPE/LOOPNE (E2/E1/E0), JCXZ/JECXZ (E3), and the far forms JMP (EA, FF /5),
// CALL (9A, FF /3), RET (CB, CA iw), whose privilege and gate logic lives in far-transfer.ts.
// Near targets: with a 16-bit operand size the new EIP is truncated to 16 bits ("EIP ← tempEIP AND
// 0000FFFFH"), and every target is checked against the CS limit (#GP(0)) before anything changes.
// The address size selects CX or ECX as LOOP/JCXZ's counter. No EFLAGS change.

import type { CPU } from '../cpu.ts';
import type { Handler, Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { CS, ECX, GP, SS, UD } from '../regs.ts';
import { farCall, farJump, farReturn } from '../far-transfer.ts';

/** Near branch with a 32-bit operand size: EIP ← target, #GP(0) beyond the CS limit. */
function go32(cpu: CPU, target: number): void {
  target >>>= 0;
  if (target > cpu.segLimit[CS]) cpu.fault(GP, 0);
  cpu.nextEip = target;
}

/** Near branch with a 16-bit operand size: EIP ← target AND FFFFH, #GP(0) beyond the CS limit. */
function go16(cpu: CPU, target: number): void {
  target &= 0xFFFF;
  if (target > cpu.segLimit[CS]) cpu.fault(GP, 0);
  cpu.nextEip = target;
}

// ---- JMP rel8/rel16/rel32 (EB, E9) and Jcc (70-7F, 0F 80-8F): the condition is opcode bits 3:0 ----
function jmpRel16(cpu: CPU, i: Insn): void { go16(cpu, cpu.nextEip + i.imm); }
function jmpRel32(cpu: CPU, i: Insn): void { go32(cpu, cpu.nextEip + i.imm); }
function jccRel16(cpu: CPU, i: Insn): void { if (cpu.cond(i.op & 0xF)) go16(cpu, cpu.nextEip + i.imm); }

// Jcc with a 32-bit operand size, one handler per condition: each passes its condition as a constant, so
// once V8 inlines jcc32 and cpu.cond into it, only that condition's flag test remains (no switch).
function jcc32(cpu: CPU, i: Insn, cc: number): void { if (cpu.cond(cc)) go32(cpu, cpu.nextEip + i.imm); }
const JCC32: Handler[] = [
  (cpu, i) => jcc32(cpu, i, 0x0), (cpu, i) => jcc32(cpu, i, 0x1), (cpu, i) => jcc32(cpu, i, 0x2), (cpu, i) => jcc32(cpu, i, 0x3),
  (cpu, i) => jcc32(cpu, i, 0x4), (cpu, i) => jcc32(cpu, i, 0x5), (cpu, i) => jcc32(cpu, i, 0x6), (cpu, i) => jcc32(cpu, i, 0x7),
  (cpu, i) => jcc32(cpu, i, 0x8), (cpu, i) => jcc32(cpu, i, 0x9), (cpu, i) => jcc32(cpu, i, 0xA), (cpu, i) => jcc32(cpu, i, 0xB),
  (cpu, i) => jcc32(cpu, i, 0xC), (cpu, i) => jcc32(cpu, i, 0xD), (cpu, i) => jcc32(cpu, i, 0xE), (cpu, i) => jcc32(cpu, i, 0xF),
];

// ---- JMP r/m (FF /4): absolute offset ----
function jmpEw(cpu: CPU, i: Insn): void { go16(cpu, i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i))); }
function jmpEd(cpu: CPU, i: Insn): void { go32(cpu, i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i))); }

// ---- CALL rel (E8) and CALL r/m (FF /2). The target is checked first (#GP(0)), then the return address
// is pushed (#SS(0)/#PF leave ESP unchanged); nextEip is not architectural until the instruction ends. ----
function callRel16(cpu: CPU, i: Insn): void {
  const ret = cpu.nextEip;
  go16(cpu, ret + i.imm);
  cpu.push16(ret);
}
function callRel32(cpu: CPU, i: Insn): void {
  const ret = cpu.nextEip;
  go32(cpu, ret + i.imm);
  cpu.push32(ret);
}
function callEw(cpu: CPU, i: Insn): void {
  const ret = cpu.nextEip;
  go16(cpu, i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i)));
  cpu.push16(ret);
}
function callEd(cpu: CPU, i: Insn): void {
  const ret = cpu.nextEip;
  go32(cpu, i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i)));
  cpu.push32(ret);
}

// ---- RET (C3) / RET imm16 (C2): read the return address, check it, then release 2/4 + imm16 bytes ----
function ret16(cpu: CPU, i: Insn): void {
  const sp = cpu.getSP();
  go16(cpu, cpu.read16(SS, sp));
  cpu.setSP(sp + 2 + i.imm);
}
function ret32(cpu: CPU, i: Insn): void {
  const sp = cpu.getSP();
  go32(cpu, cpu.read32(SS, sp));
  cpu.setSP(sp + 4 + i.imm);
}

// ---- LOOPNE (E0), LOOPE (E1), LOOP (E2): count ← count - 1 (CX or ECX by address size), branch while
// count ≠ 0 (and ZF = 0 / ZF = 1). The decremented count is stored only after the target check. ----
function loop(cpu: CPU, i: Insn, o32: boolean): void {
  const count = i.a32 ? (cpu.r32[ECX] - 1) | 0 : (cpu.r16[ECX << 1] - 1) & 0xFFFF;
  let take = count !== 0;
  if (take && i.op !== 0xE2) take = cpu.getZF() === (i.op === 0xE1);
  if (take) {
    if (o32) go32(cpu, cpu.nextEip + i.imm); else go16(cpu, cpu.nextEip + i.imm);
  }
  if (i.a32) cpu.r32[ECX] = count; else cpu.r16[ECX << 1] = count;
}
function loop16(cpu: CPU, i: Insn): void { loop(cpu, i, false); }
function loop32(cpu: CPU, i: Insn): void { loop(cpu, i, true); }

// ---- JCXZ / JECXZ (E3): branch when CX / ECX (by address size) is zero ----
function jcxz16(cpu: CPU, i: Insn): void {
  if ((i.a32 ? cpu.r32[ECX] : cpu.r16[ECX << 1]) === 0) go16(cpu, cpu.nextEip + i.imm);
}
function jcxz32(cpu: CPU, i: Insn): void {
  if ((i.a32 ? cpu.r32[ECX] : cpu.r16[ECX << 1]) === 0) go32(cpu, cpu.nextEip + i.imm);
}

// ---- Far forms ----
function jmpFarAp(cpu: CPU, i: Insn): void { farJump(cpu, i.imm2, i.imm, i.o32); }
function callFarAp(cpu: CPU, i: Insn): void { farCall(cpu, i.imm2, i.imm, i.o32, cpu.nextEip); }

/** Offset and selector of an m16:16 / m16:32 far pointer; the register form is #UD (SDM vol. 2 JMP/CALL). */
let farOff = 0, farSel = 0;
function readFarPointer(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  const ea = cpu.ea(i);
  if (i.o32) {
    farOff = cpu.read32(i.seg, ea) >>> 0;
    farSel = cpu.read16(i.seg, i.a32 ? (ea + 4) >>> 0 : (ea + 4) & 0xFFFF);
  } else {
    farOff = cpu.read16(i.seg, ea);
    farSel = cpu.read16(i.seg, i.a32 ? (ea + 2) >>> 0 : (ea + 2) & 0xFFFF);
  }
}
function jmpFarEp(cpu: CPU, i: Insn): void { readFarPointer(cpu, i); farJump(cpu, farSel, farOff, i.o32); }
function callFarEp(cpu: CPU, i: Insn): void { readFarPointer(cpu, i); farCall(cpu, farSel, farOff, i.o32, cpu.nextEip); }
function retFar(cpu: CPU, i: Insn): void { farReturn(cpu, i.o32, i.op === 0xCA ? i.imm : 0); }

export function install(): void {
  def(0xEB, { name: 'jmp', imm: Imm.Ibs, h16: jmpRel16, h32: jmpRel32 });
  def(0xE9, { name: 'jmp', imm: Imm.Jz, h16: jmpRel16, h32: jmpRel32 });
  for (let cc = 0; cc < 16; cc++) {
    def(0x70 + cc, { name: 'jcc', imm: Imm.Ibs, h16: jccRel16, h32: JCC32[cc] });
    def(0x180 + cc, { name: 'jcc', imm: Imm.Jz, h16: jccRel16, h32: JCC32[cc] });
  }
  def(0xE8, { name: 'call', imm: Imm.Jz, h16: callRel16, h32: callRel32 });
  defGroup(0xFF, 2, { name: 'call', h16: callEw, h32: callEd });
  defGroup(0xFF, 3, { name: 'call far', h16: callFarEp });
  defGroup(0xFF, 4, { name: 'jmp', h16: jmpEw, h32: jmpEd });
  defGroup(0xFF, 5, { name: 'jmp far', h16: jmpFarEp });
  def(0xC3, { name: 'ret', h16: ret16, h32: ret32 });
  def(0xC2, { name: 'ret', imm: Imm.Iw, h16: ret16, h32: ret32 });
  def(0xE0, { name: 'loopne', imm: Imm.Ibs, h16: loop16, h32: loop32 });
  def(0xE1, { name: 'loope', imm: Imm.Ibs, h16: loop16, h32: loop32 });
  def(0xE2, { name: 'loop', imm: Imm.Ibs, h16: loop16, h32: loop32 });
  def(0xE3, { name: 'jcxz', imm: Imm.Ibs, h16: jcxz16, h32: jcxz32 });
  def(0xEA, { name: 'jmp far', imm: Imm.Ap, h16: jmpFarAp });
  def(0x9A, { name: 'call far', imm: Imm.Ap, h16: callFarAp });
  def(0xCB, { name: 'retf', h16: retFar });
  def(0xCA, { name: 'retf', imm: Imm.Iw, h16: retFar });
}
