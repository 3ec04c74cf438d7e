// Stack instructions (SDM vol. 2): PUSH/POP of registers (50-5F), immediates (68, 6A), memory (FF /6,
// 8F /0) and segment registers (06 07 0E 16 17 1E 1F, 0F A0 A1 A8 A9); PUSHA/POPA (60, 61); ENTER (C8);
// LEAVE (C9). The operand size picks the slot size, SS.B picks SP or ESP (SDM vol. 1 §6.2.3). None of
// them change EFLAGS. Every instruction checks all of its memory accesses before it changes anything.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { CS, DS, EBP, ES, ESP, FS, GS, SS } from '../regs.ts';
import { loadSegment } from '../segments.ts';
import { probePushes, probeStackSlot, spMinus } from '../stack-probe.ts';

// ---- PUSH/POP r16/r32 (50+r, 58+r). PUSH ESP pushes the value before the push; POP ESP loads the popped
// value after the increment, so the popped value wins (SDM vol. 2 PUSH, POP). ----
function pushReg16(cpu: CPU, i: Insn): void { cpu.push16(cpu.r16[(i.op & 7) << 1]); }
function pushReg32(cpu: CPU, i: Insn): void { cpu.push32(cpu.r32[i.op & 7]); }
function popReg16(cpu: CPU, i: Insn): void { const v = cpu.pop16(); cpu.r16[(i.op & 7) << 1] = v; }
function popReg32(cpu: CPU, i: Insn): void { const v = cpu.pop32(); cpu.r32[i.op & 7] = v; }

// ---- PUSH imm (68 Iz, 6A Ib sign-extended to the operand size) ----
function pushImm16(cpu: CPU, i: Insn): void { cpu.push16(i.imm & 0xFFFF); }
function pushImm32(cpu: CPU, i: Insn): void { cpu.push32(i.imm); }

// ---- PUSH r/m (FF /6): the operand is read (with ESP before the push) before anything changes ----
function pushEw(cpu: CPU, i: Insn): void {
  cpu.push16(i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i)));
}
function pushEd(cpu: CPU, i: Insn): void {
  cpu.push32(i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i)));
}

// ---- POP r/m (8F /0). "If the ESP register is used as a base register for addressing a destination
// operand in memory, the POP instruction computes the effective address of the operand after it
// increments the ESP register" (SDM vol. 2 POP). ESP is committed only after the store succeeded. ----
function popEw(cpu: CPU, i: Insn): void {
  const sp = cpu.getSP();
  const v = cpu.read16(SS, sp);
  if (i.mod === 3) { cpu.setSP(sp + 2); cpu.r16[i.rm << 1] = v; return; }
  cpu.setSP(sp + 2);
  const off = cpu.ea(i);
  cpu.setSP(sp);
  cpu.write16(i.seg, off, v);
  cpu.setSP(sp + 2);
}
function popEd(cpu: CPU, i: Insn): void {
  const sp = cpu.getSP();
  const v = cpu.read32(SS, sp);
  if (i.mod === 3) { cpu.setSP(sp + 4); cpu.r32[i.rm] = v; return; }
  cpu.setSP(sp + 4);
  const off = cpu.ea(i);
  cpu.setSP(sp);
  cpu.write32(i.seg, off, v);
  cpu.setSP(sp + 4);
}

// ---- PUSHA/PUSHAD (60): EAX ECX EDX EBX, the original ESP, EBP ESI EDI (SDM vol. 2 PUSHA). ----
function pusha16(cpu: CPU): void {
  probePushes(cpu, 8, 2);
  const sp = cpu.r16[ESP << 1];
  for (let r = 0; r < 8; r++) cpu.push16(r === ESP ? sp : cpu.r16[r << 1]);
}
function pusha32(cpu: CPU): void {
  probePushes(cpu, 8, 4);
  const sp = cpu.r32[ESP];
  for (let r = 0; r < 8; r++) cpu.push32(r === ESP ? sp : cpu.r32[r]);
}

// ---- POPA/POPAD (61): EDI ESI EBP, the ESP slot is skipped, EBX EDX ECX EAX (SDM vol. 2 POPA).
// All eight slots are read before any register changes. ----
const popaBuf = new Int32Array(8);
function popa16(cpu: CPU): void {
  for (let k = 0; k < 8; k++) popaBuf[k] = cpu.peek16(k * 2);
  for (let k = 0; k < 8; k++) if (k !== 3) cpu.r16[(7 - k) << 1] = popaBuf[k];
  cpu.setSP(cpu.getSP() + 16);
}
function popa32(cpu: CPU): void {
  for (let k = 0; k < 8; k++) popaBuf[k] = cpu.peek32(k * 4);
  for (let k = 0; k < 8; k++) if (k !== 3) cpu.r32[7 - k] = popaBuf[k];
  cpu.setSP(cpu.getSP() + 32);
}

// ---- ENTER imm16, imm8 (C8), SDM vol. 2 ENTER. Push EBP; FrameTemp ← ESP; for nesting level L > 0 copy
// L-1 frame pointers from [EBP - k*size] (EBP walked with the stack's address size) and push FrameTemp;
// EBP ← FrameTemp; ESP ← ESP - AllocSize. With a 16-bit operand size only BP receives FrameTemp (silicon:
// the upper half of EBP is kept). Like silicon (and as the SDM's #SS "new value of SP/ESP outside the
// stack segment limit" implies), the final stack pointer is probed for a write of the operand size.
// A first pass checks every read and push slot in program order without changing anything; the second
// pass performs them, again in program order (a frame-pointer read may see a value just pushed). ----
function enter(cpu: CPU, i: Insn, size: number): void {
  const alloc = i.imm & 0xFFFF, level = i.imm2 & 31;
  const bp0 = cpu.stack32 ? cpu.r32[EBP] >>> 0 : cpu.r16[EBP << 1];
  let sp = spMinus(cpu, cpu.getSP(), size);
  probeStackSlot(cpu, sp, size);
  const frameTemp = sp;
  if (level > 0) {
    let bp = bp0;
    for (let k = 1; k < level; k++) {
      bp = spMinus(cpu, bp, size);
      cpu.linRead(SS, bp, size);
      cpu.probeRead((cpu.segBase[SS] + bp) | 0, size);
      sp = spMinus(cpu, sp, size);
      probeStackSlot(cpu, sp, size);
    }
    sp = spMinus(cpu, sp, size);
    probeStackSlot(cpu, sp, size);
  }
  const newSp = spMinus(cpu, sp, alloc);
  probeStackSlot(cpu, newSp, size);
  // Commit: nothing below can fault.
  let bp = bp0;
  if (size === 4) {
    cpu.push32(cpu.r32[EBP]);
    if (level > 0) {
      for (let k = 1; k < level; k++) { bp = spMinus(cpu, bp, 4); cpu.push32(cpu.read32(SS, bp)); }
      cpu.push32(frameTemp);
    }
    cpu.r32[EBP] = frameTemp;
  } else {
    cpu.push16(cpu.r16[EBP << 1]);
    if (level > 0) {
      for (let k = 1; k < level; k++) { bp = spMinus(cpu, bp, 2); cpu.push16(cpu.read16(SS, bp)); }
      cpu.push16(frameTemp);
    }
    cpu.r16[EBP << 1] = frameTemp;
  }
  cpu.setSP(newSp);
}
function enter16(cpu: CPU, i: Insn): void { enter(cpu, i, 2); }
function enter32(cpu: CPU, i: Insn): void { enter(cpu, i, 4); }

// ---- LEAVE (C9): ESP ← EBP (SP ← BP with a 16-bit stack), then pop EBP/BP (SDM vol. 2 LEAVE). The pop is
// read first so that a fault (#SS(0): EBP outside the stack segment, #PF) leaves ESP unchanged. ----
function leave16(cpu: CPU): void {
  const bp = cpu.stack32 ? cpu.r32[EBP] >>> 0 : cpu.r16[EBP << 1];
  const v = cpu.read16(SS, bp);
  cpu.setSP(bp + 2);
  cpu.r16[EBP << 1] = v;
}
function leave32(cpu: CPU): void {
  const bp = cpu.stack32 ? cpu.r32[EBP] >>> 0 : cpu.r16[EBP << 1];
  const v = cpu.read32(SS, bp);
  cpu.setSP(bp + 4);
  cpu.r32[EBP] = v;
}

// ---- PUSH Sreg. With a 32-bit operand size the slot is 4 bytes; the SDM allows either a zero-extended
// doubleword or a 16-bit store (vol. 2 PUSH, "IF the source operand is a segment register"): the
// reference silicon writes the zero-extended selector, and so do we. ----
function segOf(op: number): number {
  switch (op) {
    case 0x06: case 0x07: return ES;
    case 0x0E: return CS;
    case 0x16: case 0x17: return SS;
    case 0x1E: case 0x1F: return DS;
    case 0x1A0: case 0x1A1: return FS;
    default: return GS;
  }
}
function pushSeg16(cpu: CPU, i: Insn): void { cpu.push16(cpu.segSel[segOf(i.op)]); }
function pushSeg32(cpu: CPU, i: Insn): void { cpu.push32(cpu.segSel[segOf(i.op)]); }

// ---- POP Sreg: the selector is read, loaded with all the checks of a segment load (segments.ts
// loadSegment: SDM vol. 2 POP protected-mode operation), and only then is SP/ESP incremented, with the
// stack size in effect when the instruction started. POP SS inhibits interrupts (and debug traps) until
// the end of the next instruction (SDM vol. 2 POP, vol. 3A §6.8.3). A 32-bit POP reads 4 bytes and
// discards the upper half. ----
function popSeg(cpu: CPU, i: Insn, size: number): void {
  const s = segOf(i.op);
  const sp = cpu.getSP();
  const sel = size === 4 ? cpu.read32(SS, sp) & 0xFFFF : cpu.read16(SS, sp);
  const s32 = cpu.stack32;
  loadSegment(cpu, s, sel);
  if (s32) cpu.r32[ESP] = sp + size; else cpu.r16[ESP << 1] = sp + size;
  if (s === SS) cpu.inhibitAfterSsLoad();
}
function popSeg16(cpu: CPU, i: Insn): void { popSeg(cpu, i, 2); }
function popSeg32(cpu: CPU, i: Insn): void { popSeg(cpu, i, 4); }

export function install(): void {
  for (let r = 0; r < 8; r++) {
    def(0x50 + r, { name: 'push', h16: pushReg16, h32: pushReg32 });
    def(0x58 + r, { name: 'pop', h16: popReg16, h32: popReg32 });
  }
  def(0x68, { name: 'push', imm: Imm.Iz, h16: pushImm16, h32: pushImm32 });
  def(0x6A, { name: 'push', imm: Imm.Ibs, h16: pushImm16, h32: pushImm32 });
  defGroup(0xFF, 6, { name: 'push', h16: pushEw, h32: pushEd });
  defGroup(0x8F, 0, { name: 'pop', h16: popEw, h32: popEd });
  def(0x60, { name: 'pusha', h16: pusha16, h32: pusha32 });
  def(0x61, { name: 'popa', h16: popa16, h32: popa32 });
  def(0xC8, { name: 'enter', imm: Imm.IwIb, h16: enter16, h32: enter32 });
  def(0xC9, { name: 'leave', h16: leave16, h32: leave32 });
  for (const op of [0x06, 0x0E, 0x16, 0x1E, 0x1A0, 0x1A8]) def(op, { name: 'push', h16: pushSeg16, h32: pushSeg32 });
  for (const op of [0x07, 0x17, 0x1F, 0x1A1, 0x1A9]) def(op, { name: 'pop', h16: popSeg16, h32: popSeg32 });
}
