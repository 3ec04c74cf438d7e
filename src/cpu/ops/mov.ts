// Data movement (SDM vol. 2): MOV (88-8B, C6/C7 /0, B0-BF, A0-A3 moffs), LEA, MOVZX/MOVSX, XCHG (86/87,
// 90+r; 90 = NOP, F3 90 = PAUSE), CBW/CWDE, CWD/CDQ, LAHF/SAHF, XLAT, BSWAP, CMOVcc, SETcc, the flag
// instructions CMC/CLC/STC/CLD/STD and the undocumented SALC (D6).
// None of these changes the arithmetic flags except SAHF, CMC/CLC/STC and CLD/STD, so none has an
// undefined-flag mask.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { def, defGroup, defRange, Imm } from '../opcode-table.ts';
import { AF, CF, DF, EAX, EBX, EDX, PF, SF, UD, ZF } from '../regs.ts';

// ---- MOV r/m, reg and reg, r/m (88-8B) ----
function movEbGb(cpu: CPU, i: Insn): void {
  const v = cpu.getReg8(i.reg);
  if (i.mod === 3) cpu.setReg8(i.rm, v);
  else cpu.write8(i.seg, cpu.ea(i), v);
}
function movEwGw(cpu: CPU, i: Insn): void {
  const v = cpu.r16[i.reg << 1];
  if (i.mod === 3) cpu.r16[i.rm << 1] = v;
  else cpu.write16(i.seg, cpu.ea(i), v);
}
function movEdGd(cpu: CPU, i: Insn): void {
  const v = cpu.r32[i.reg];
  if (i.mod === 3) cpu.r32[i.rm] = v;
  else cpu.write32(i.seg, cpu.ea(i), v);
}
function movGbEb(cpu: CPU, i: Insn): void {
  cpu.setReg8(i.reg, i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i)));
}
function movGwEw(cpu: CPU, i: Insn): void {
  cpu.r16[i.reg << 1] = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
}
function movGdEd(cpu: CPU, i: Insn): void {
  cpu.r32[i.reg] = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
}

// ---- MOV r/m, imm (C6 /0, C7 /0) ----
function movEbIb(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.setReg8(i.rm, i.imm);
  else cpu.write8(i.seg, cpu.ea(i), i.imm);
}
function movEwIw(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.r16[i.rm << 1] = i.imm;
  else cpu.write16(i.seg, cpu.ea(i), i.imm);
}
function movEdId(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.r32[i.rm] = i.imm;
  else cpu.write32(i.seg, cpu.ea(i), i.imm);
}

// ---- MOV reg, imm (B0-B7, B8-BF): register in the opcode's low bits ----
function movRbIb(cpu: CPU, i: Insn): void { cpu.setReg8(i.op & 7, i.imm); }
function movRwIw(cpu: CPU, i: Insn): void { cpu.r16[(i.op & 7) << 1] = i.imm; }
function movRdId(cpu: CPU, i: Insn): void { cpu.r32[i.op & 7] = i.imm; }

// ---- MOV accumulator <-> moffs (A0-A3): the decoder turns moffs into a displacement-only operand ----
function movALOb(cpu: CPU, i: Insn): void { cpu.r8[0] = cpu.read8(i.seg, cpu.ea(i)); }
function movAXOw(cpu: CPU, i: Insn): void { cpu.r16[0] = cpu.read16(i.seg, cpu.ea(i)); }
function movEAXOd(cpu: CPU, i: Insn): void { cpu.r32[EAX] = cpu.read32(i.seg, cpu.ea(i)); }
function movObAL(cpu: CPU, i: Insn): void { cpu.write8(i.seg, cpu.ea(i), cpu.r8[0]); }
function movOwAX(cpu: CPU, i: Insn): void { cpu.write16(i.seg, cpu.ea(i), cpu.r16[0]); }
function movOdEAX(cpu: CPU, i: Insn): void { cpu.write32(i.seg, cpu.ea(i), cpu.r32[EAX]); }

// ---- LEA (8D): the offset at the address size, truncated or zero-extended to the operand size.
// The register form is #UD (SDM vol. 2 LEA, "#UD if source operand is not a memory location"). ----
function leaW(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  cpu.r16[i.reg << 1] = cpu.ea(i);
}
function leaD(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  cpu.r32[i.reg] = cpu.ea(i);
}

// ---- MOVZX / MOVSX (0F B6/B7, 0F BE/BF) ----
function srcB(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
}
function srcW(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
}
function movzxGwEb(cpu: CPU, i: Insn): void { cpu.r16[i.reg << 1] = srcB(cpu, i); }
function movzxGdEb(cpu: CPU, i: Insn): void { cpu.r32[i.reg] = srcB(cpu, i); }
function movzxGwEw(cpu: CPU, i: Insn): void { cpu.r16[i.reg << 1] = srcW(cpu, i); }
function movzxGdEw(cpu: CPU, i: Insn): void { cpu.r32[i.reg] = srcW(cpu, i); }
function movsxGwEb(cpu: CPU, i: Insn): void { cpu.r16[i.reg << 1] = (srcB(cpu, i) << 24) >> 24; }
function movsxGdEb(cpu: CPU, i: Insn): void { cpu.r32[i.reg] = (srcB(cpu, i) << 24) >> 24; }
function movsxGwEw(cpu: CPU, i: Insn): void { cpu.r16[i.reg << 1] = srcW(cpu, i); }
function movsxGdEw(cpu: CPU, i: Insn): void { cpu.r32[i.reg] = (srcW(cpu, i) << 16) >> 16; }

// ---- XCHG r/m, reg (86/87). With a memory operand the processor locks the bus whether or not LOCK is
// given (SDM vol. 2 XCHG); for us that is a read-modify-write that checks the write before anything. ----
function xchgEbGb(cpu: CPU, i: Insn): void {
  const r = cpu.getReg8(i.reg);
  if (i.mod === 3) {
    cpu.setReg8(i.reg, cpu.getReg8(i.rm));
    cpu.setReg8(i.rm, r);
  } else {
    const m = cpu.rmw8(i.seg, cpu.ea(i));
    cpu.commit8(r);
    cpu.setReg8(i.reg, m);
  }
}
function xchgEwGw(cpu: CPU, i: Insn): void {
  const r = cpu.r16[i.reg << 1];
  if (i.mod === 3) {
    cpu.r16[i.reg << 1] = cpu.r16[i.rm << 1];
    cpu.r16[i.rm << 1] = r;
  } else {
    const m = cpu.rmw16(i.seg, cpu.ea(i));
    cpu.commit16(r);
    cpu.r16[i.reg << 1] = m;
  }
}
function xchgEdGd(cpu: CPU, i: Insn): void {
  const r = cpu.r32[i.reg];
  if (i.mod === 3) {
    cpu.r32[i.reg] = cpu.r32[i.rm];
    cpu.r32[i.rm] = r;
  } else {
    const m = cpu.rmw32(i.seg, cpu.ea(i));
    cpu.commit32(r);
    cpu.r32[i.reg] = m;
  }
}

// ---- 90+r: XCHG eAX, reg. 90 itself is NOP; F3 90 is PAUSE (SDM vol. 2 PAUSE), a spin-loop hint that
// VMX can intercept (PAUSE exiting), so it passes the intercept point. ----
function nop(cpu: CPU, i: Insn): void {
  if (i.rep === 0xF3) cpu.sensitive(Sensitive.Pause);
}
function xchgAXRw(cpu: CPU, i: Insn): void {
  const n = (i.op & 7) << 1, t = cpu.r16[0];
  cpu.r16[0] = cpu.r16[n];
  cpu.r16[n] = t;
}
function xchgEAXRd(cpu: CPU, i: Insn): void {
  const n = i.op & 7, t = cpu.r32[EAX];
  cpu.r32[EAX] = cpu.r32[n];
  cpu.r32[n] = t;
}

// ---- CBW/CWDE (98), CWD/CDQ (99) ----
function cbw(cpu: CPU): void { cpu.r16[0] = (cpu.r8[0] << 24) >> 24; }
function cwde(cpu: CPU): void { cpu.r32[EAX] = (cpu.r16[0] << 16) >> 16; }
function cwd(cpu: CPU): void { cpu.r16[EDX << 1] = (cpu.r16[0] & 0x8000) ? 0xFFFF : 0; }
function cdq(cpu: CPU): void { cpu.r32[EDX] = cpu.r32[EAX] >> 31; }

// ---- LAHF (9F) / SAHF (9E): AH <-> SF:ZF:0:AF:0:PF:1:CF (SDM vol. 2 LAHF, SAHF) ----
const AH = 1; // index of AH in the byte view of the register file
function lahf(cpu: CPU): void {
  cpu.r8[AH] = (cpu.getEflags() & (SF | ZF | AF | PF | CF)) | 2;
}
function sahf(cpu: CPU): void {
  cpu.setEflags(cpu.r8[AH], SF | ZF | AF | PF | CF);
}

// ---- XLAT (D7): AL = [seg:(E)BX + unsigned AL], the sum wrapped to the address size ----
function xlat(cpu: CPU, i: Insn): void {
  const off = i.a32 ? (cpu.r32[EBX] + cpu.r8[0]) >>> 0 : (cpu.r16[EBX << 1] + cpu.r8[0]) & 0xFFFF;
  cpu.r8[0] = cpu.read8(i.seg, off);
}

// ---- BSWAP (0F C8+r). With a 16-bit operand the result is undefined (SDM vol. 2 BSWAP); AMD and Intel
// silicon clear the low word, which is what we do (kept out of the golden vectors). ----
function bswapD(cpu: CPU, i: Insn): void {
  const n = i.op & 7, v = cpu.r32[n];
  cpu.r32[n] = (v << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | (v >>> 24);
}
function bswapW(cpu: CPU, i: Insn): void {
  cpu.r16[(i.op & 7) << 1] = 0;
}

// ---- CMOVcc (0F 40-4F). The source is read (and may fault) whatever the condition (SDM vol. 2 CMOVcc:
// "the source operand is always read"); outside 64-bit mode a false condition writes nothing. ----
function cmovW(cpu: CPU, i: Insn): void {
  const v = srcW(cpu, i);
  if (cpu.cond(i.op & 0xF)) cpu.r16[i.reg << 1] = v;
}
function cmovD(cpu: CPU, i: Insn): void {
  const v = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  if (cpu.cond(i.op & 0xF)) cpu.r32[i.reg] = v;
}

// ---- SETcc (0F 90-9F): byte 1 or 0; ModRM.reg is ignored ----
function setcc(cpu: CPU, i: Insn): void {
  const v = cpu.cond(i.op & 0xF) ? 1 : 0;
  if (i.mod === 3) cpu.setReg8(i.rm, v);
  else cpu.write8(i.seg, cpu.ea(i), v);
}

// ---- Flag instructions (SDM vol. 2 CMC, CLC, STC, CLD, STD) ----
function cmc(cpu: CPU): void { cpu.setFlag(CF, !cpu.getCF()); }
function clc(cpu: CPU): void { cpu.setFlag(CF, false); }
function stc(cpu: CPU): void { cpu.setFlag(CF, true); }
// DF is never part of the lazy state, so it is set directly.
function cld(cpu: CPU): void { cpu.flags &= ~DF; }
function std(cpu: CPU): void { cpu.flags |= DF; }

// ---- SALC (D6): AL = CF ? FF : 00, flags unchanged. Undocumented: D6 is blank in SDM vol. 2 Table A-2,
// yet every Intel x86 from the 8086 on executes it, and Intel's P6 opcode map names it SALC (R. Collins,
// "Undocumented OpCodes: SALC", x86.ddj.com/secrets/opcodes/salc.htm). AMD executes it outside 64-bit
// mode too: the oracle's AMD EPYC gives AL=FF with CF=1 and AL=00 with CF=0, flags untouched
// (test-data/golden/mov.jsonl "salc-*"). Old software uses it, so we execute it rather than raise #UD. ----
function salc(cpu: CPU): void { cpu.r8[0] = cpu.getCF() ? 0xFF : 0; }

export function install(): void {
  def(0x88, { name: 'mov', modrm: true, h16: movEbGb });
  def(0x89, { name: 'mov', modrm: true, h16: movEwGw, h32: movEdGd });
  def(0x8A, { name: 'mov', modrm: true, h16: movGbEb });
  def(0x8B, { name: 'mov', modrm: true, h16: movGwEw, h32: movGdEd });
  defGroup(0xC6, 0, { name: 'mov', imm: Imm.Ib, h16: movEbIb });
  defGroup(0xC7, 0, { name: 'mov', imm: Imm.Iz, h16: movEwIw, h32: movEdId });
  defRange(0xB0, 8, () => ({ name: 'mov', imm: Imm.Ib, h16: movRbIb }));
  defRange(0xB8, 8, () => ({ name: 'mov', imm: Imm.Iz, h16: movRwIw, h32: movRdId }));
  def(0xA0, { name: 'mov', imm: Imm.Moffs, h16: movALOb });
  def(0xA1, { name: 'mov', imm: Imm.Moffs, h16: movAXOw, h32: movEAXOd });
  def(0xA2, { name: 'mov', imm: Imm.Moffs, h16: movObAL });
  def(0xA3, { name: 'mov', imm: Imm.Moffs, h16: movOwAX, h32: movOdEAX });
  def(0x8D, { name: 'lea', modrm: true, h16: leaW, h32: leaD });
  def(0x1B6, { name: 'movzx', modrm: true, h16: movzxGwEb, h32: movzxGdEb });
  def(0x1B7, { name: 'movzx', modrm: true, h16: movzxGwEw, h32: movzxGdEw });
  def(0x1BE, { name: 'movsx', modrm: true, h16: movsxGwEb, h32: movsxGdEb });
  def(0x1BF, { name: 'movsx', modrm: true, h16: movsxGwEw, h32: movsxGdEw });
  def(0x86, { name: 'xchg', modrm: true, h16: xchgEbGb, lockable: true });
  def(0x87, { name: 'xchg', modrm: true, h16: xchgEwGw, h32: xchgEdGd, lockable: true });
  def(0x90, { name: 'nop', h16: nop });
  defRange(0x91, 7, () => ({ name: 'xchg', h16: xchgAXRw, h32: xchgEAXRd }));
  def(0x98, { name: 'cbw', h16: cbw, h32: cwde });
  def(0x99, { name: 'cwd', h16: cwd, h32: cdq });
  def(0x9E, { name: 'sahf', h16: sahf });
  def(0x9F, { name: 'lahf', h16: lahf });
  def(0xD7, { name: 'xlat', h16: xlat });
  defRange(0x1C8, 8, () => ({ name: 'bswap', h16: bswapW, h32: bswapD }));
  defRange(0x140, 16, () => ({ name: 'cmovcc', modrm: true, h16: cmovW, h32: cmovD }));
  defRange(0x190, 16, () => ({ name: 'setcc', modrm: true, h16: setcc }));
  def(0xF5, { name: 'cmc', h16: cmc });
  def(0xF8, { name: 'clc', h16: clc });
  def(0xF9, { name: 'stc', h16: stc });
  def(0xFC, { name: 'cld', h16: cld });
  def(0xFD, { name: 'std', h16: std });
  def(0xD6, { name: 'salc', h16: salc });
}
