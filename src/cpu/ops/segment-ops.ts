// Segment and descriptor-table instructions (SDM vol. 2): MOV r/m,Sreg (8C), MOV Sreg,r/m (8E), LES/LDS
// (C4/C5), LSS/LFS/LGS (0F B2/B4/B5), ARPL (63), LAR (0F 02), LSL (0F 03), SLDT/STR/LLDT/LTR/VERR/VERW
// (0F 00 /0-/5), SGDT/SIDT/LGDT/LIDT (0F 01 /0-/3, memory forms). Segment-register loads go through
// segments.ts loadSegment, which applies the protected-mode descriptor checks. Only LAR, LSL, VERR, VERW
// and ARPL change EFLAGS, and only ZF.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { def, defGroup } from '../opcode-table.ts';
import { CR0_PE, CS, DS, ES, FS, GP, GS, NP, SS, TYPE_CODE, TYPE_CONFORMING, TYPE_READABLE, TYPE_WRITABLE, UD, VM, ZF, AR_UNUSABLE } from '../regs.ts';
import { Descriptor, loadSegment, readDescriptor } from '../segments.ts';

const desc = new Descriptor();

/** Protected mode outside virtual-8086 mode: where ARPL, LAR, LSL, VERR/VERW and 0F 00 are recognized. */
function requireProtected(cpu: CPU): void {
  if (!(cpu.cr0 & CR0_PE) || (cpu.flags & VM)) cpu.fault(UD);
}

/** The r/m16 source operand (register low word or a 16-bit memory read). */
function srcEw(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
}

// ---- MOV r/m, Sreg (8C). Reg fields 6 and 7 are #UD. A memory destination is always written as 16 bits;
// a 32-bit register destination receives the zero-extended selector (SDM vol. 2 MOV: "for the Pentium 4,
// Intel Xeon, and P6 family processors, the two high-order bytes are filled with zeros"; silicon agrees). ----
function movEwSw(cpu: CPU, i: Insn): void {
  if (i.reg > 5) cpu.fault(UD);
  const v = cpu.segSel[i.reg];
  if (i.mod === 3) cpu.r16[i.rm << 1] = v; else cpu.write16(i.seg, cpu.ea(i), v);
}
function movEdSw(cpu: CPU, i: Insn): void {
  if (i.reg > 5) cpu.fault(UD);
  const v = cpu.segSel[i.reg];
  if (i.mod === 3) cpu.r32[i.rm] = v; else cpu.write16(i.seg, cpu.ea(i), v);
}

// ---- MOV Sreg, r/m (8E): loading CS (or reg 6/7) is #UD; MOV SS inhibits interrupts for one instruction
// (SDM vol. 2 MOV, vol. 3A §6.8.3). The source is 16 bits whatever the operand size. ----
function movSwEw(cpu: CPU, i: Insn): void {
  const s = i.reg;
  if (s === CS || s > 5) cpu.fault(UD);
  loadSegment(cpu, s, srcEw(cpu, i));
  if (s === SS) cpu.inhibitAfterSsLoad();
}

// ---- LES/LDS/LSS/LFS/LGS: offset then selector from memory (both read before anything changes), segment
// loaded with its checks, then the register. The register form is #UD (SDM vol. 2 LDS/LES/LFS/LGS/LSS). ----
function loadFarPointer(cpu: CPU, i: Insn, s: number): void {
  if (i.mod === 3) cpu.fault(UD);
  const ea = cpu.ea(i);
  if (i.o32) {
    const off = cpu.read32(i.seg, ea);
    const sel = cpu.read16(i.seg, i.a32 ? (ea + 4) >>> 0 : (ea + 4) & 0xFFFF);
    loadSegment(cpu, s, sel);
    cpu.r32[i.reg] = off;
  } else {
    const off = cpu.read16(i.seg, ea);
    const sel = cpu.read16(i.seg, i.a32 ? (ea + 2) >>> 0 : (ea + 2) & 0xFFFF);
    loadSegment(cpu, s, sel);
    cpu.r16[i.reg << 1] = off;
  }
}
function les(cpu: CPU, i: Insn): void { loadFarPointer(cpu, i, ES); }
function lds(cpu: CPU, i: Insn): void { loadFarPointer(cpu, i, DS); }
function lss(cpu: CPU, i: Insn): void { loadFarPointer(cpu, i, SS); }
function lfs(cpu: CPU, i: Insn): void { loadFarPointer(cpu, i, FS); }
function lgs(cpu: CPU, i: Insn): void { loadFarPointer(cpu, i, GS); }

// ---- ARPL r/m16, r16 (63): raise the destination's RPL to the source's; ZF tells whether it changed.
// A memory destination is read, and written only when it changes (SDM vol. 2 ARPL Operation; silicon
// reports a not-present destination as a read fault). ----
function arpl(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const src = cpu.r16[i.reg << 1] & 3;
  if (i.mod === 3) {
    const dst = cpu.r16[i.rm << 1];
    const change = (dst & 3) < src;
    if (change) cpu.r16[i.rm << 1] = (dst & ~3) | src;
    cpu.setFlag(ZF, change);
  } else {
    const off = cpu.ea(i);
    const dst = cpu.read16(i.seg, off);
    const change = (dst & 3) < src;
    if (change) cpu.write16(i.seg, off, (dst & ~3) | src);
    cpu.setFlag(ZF, change);
  }
}

// ---- LAR / LSL / VERR / VERW: a descriptor is "visible" when the selector is not null, lies inside its
// table, its type is valid for the instruction, and (unless it is conforming code) CPL ≤ DPL and RPL ≤
// DPL (SDM vol. 2 LAR, LSL, VERR/VERW Operation). Invisible descriptors clear ZF and leave the
// destination unchanged. ----

/** System descriptor types LAR accepts: TSSs (available or busy), LDT, call gates and task gates. */
const LAR_SYSTEM_OK = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 0xB) | (1 << 0xC);
/** System descriptor types LSL accepts: TSSs and LDT (gates have no limit). */
const LSL_SYSTEM_OK = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 0xB);

function visible(cpu: CPU, sel: number, systemOk: number): boolean {
  if ((sel & 0xFFFC) === 0) return false;
  const d = desc;
  if (!readDescriptor(cpu, sel, d)) return false;
  if (!d.s && !((systemOk >> d.type) & 1)) return false;
  const conformingCode = d.s && (d.type & (TYPE_CODE | TYPE_CONFORMING)) === (TYPE_CODE | TYPE_CONFORMING);
  if (!conformingCode && (cpu.cpl > d.dpl || (sel & 3) > d.dpl)) return false;
  return true;
}

// LAR: the access-rights dword (bytes 4-7 of the descriptor) masked with 00FxFF00H; like silicon we
// return bits 19:16 (limit 19:16), which the SDM leaves undefined. A 16-bit destination gets bits 15:8.
function lar16(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), LAR_SYSTEM_OK);
  if (ok) cpu.r16[i.reg << 1] = desc.hi & 0xFF00;
  cpu.setFlag(ZF, ok);
}
function lar32(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), LAR_SYSTEM_OK);
  if (ok) cpu.r32[i.reg] = desc.hi & 0x00FFFF00;
  cpu.setFlag(ZF, ok);
}

// LSL: the limit scaled by the G flag (byte-granular result); a 16-bit destination gets its low word.
function lsl16(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), LSL_SYSTEM_OK);
  if (ok) cpu.r16[i.reg << 1] = desc.limit;
  cpu.setFlag(ZF, ok);
}
function lsl32(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), LSL_SYSTEM_OK);
  if (ok) cpu.r32[i.reg] = desc.limit;
  cpu.setFlag(ZF, ok);
}

// VERR/VERW: only code and data segments; VERR needs a readable one (data, or code with R), VERW a
// writable data segment.
function verr(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), 0) && (desc.isData || (desc.type & TYPE_READABLE) !== 0);
  cpu.setFlag(ZF, ok);
}
function verw(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  const ok = visible(cpu, srcEw(cpu, i), 0) && desc.isData && (desc.type & TYPE_WRITABLE) !== 0;
  cpu.setFlag(ZF, ok);
}

// ---- SLDT / STR (0F 00 /0 /1): store LDTR / TR's selector; a 32-bit register destination is zero-extended
// (P6 family), memory is always written as 16 bits (SDM vol. 2 SLDT, STR). ----
function storeSel(cpu: CPU, i: Insn, v: number): void {
  if (i.mod === 3) {
    if (i.o32) cpu.r32[i.rm] = v; else cpu.r16[i.rm << 1] = v;
  } else {
    cpu.write16(i.seg, cpu.ea(i), v);
  }
}
function sldt(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  cpu.sensitive(Sensitive.Sldt);
  storeSel(cpu, i, cpu.ldtrSel);
}
function str(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  cpu.sensitive(Sensitive.Str);
  storeSel(cpu, i, cpu.trSel);
}

// ---- LLDT (0F 00 /2), SDM vol. 2 LLDT: CPL 0 only; a null selector leaves LDTR unusable; otherwise the
// selector must name an LDT descriptor (type 2) in the GDT: #GP(selector), not present #NP(selector). ----
function lldt(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  if (cpu.cpl !== 0) cpu.fault(GP, 0);
  const sel = srcEw(cpu, i);
  cpu.sensitive(Sensitive.Lldt, sel);
  const err = sel & 0xFFFC;
  if (err === 0) {
    cpu.ldtrSel = sel; cpu.ldtrAR = AR_UNUSABLE;
    return;
  }
  const d = desc;
  if ((sel & 4) || !readDescriptor(cpu, sel, d)) cpu.fault(GP, err);
  if (d.s || d.type !== 2) cpu.fault(GP, err);
  if (!d.present) cpu.fault(NP, err);
  cpu.ldtrSel = sel; cpu.ldtrBase = d.base | 0; cpu.ldtrLimit = d.limit; cpu.ldtrAR = d.ar;
}

// ---- LTR (0F 00 /3), SDM vol. 2 LTR: CPL 0 only; null → #GP(0); the selector must name an available TSS
// (type 1 or 9) in the GDT: #GP(selector), not present #NP(selector). The descriptor is marked busy. ----
function ltr(cpu: CPU, i: Insn): void {
  requireProtected(cpu);
  if (cpu.cpl !== 0) cpu.fault(GP, 0);
  const sel = srcEw(cpu, i);
  cpu.sensitive(Sensitive.Ltr, sel);
  const err = sel & 0xFFFC;
  if (err === 0) cpu.fault(GP, 0);
  const d = desc;
  if ((sel & 4) || !readDescriptor(cpu, sel, d)) cpu.fault(GP, err);
  if (d.s || (d.type !== 1 && d.type !== 9)) cpu.fault(GP, err);
  if (!d.present) cpu.fault(NP, err);
  d.hi |= 0x200;                                      // busy bit (type bit 1)
  cpu.writeSys8((d.addr + 5) | 0, (d.hi >>> 8) & 0xFF);
  cpu.trSel = sel; cpu.trBase = d.base | 0; cpu.trLimit = d.limit; cpu.trAR = d.ar;
}

// ---- SGDT/SIDT/LGDT/LIDT (0F 01 /0-/3): a 6-byte pseudo-descriptor (limit16, base32). With a 16-bit
// operand size only 24 bits of base are loaded, and SGDT/SIDT store the 24-bit base with byte 5 cleared
// (SDM vol. 2 LGDT/LIDT and SGDT/SIDT: "processor generations later than the Intel 286 fill these bits with
// 0s"). The register forms encode VMX / MONITOR instructions: #UD here. LGDT/LIDT need CPL 0 (#GP(0),
// always in virtual-8086 mode). ----
function storeTable(cpu: CPU, i: Insn, limit: number, base: number): void {
  const lin = cpu.linWrite(i.seg, cpu.ea(i), 6);
  cpu.probeWrite(lin, 6);
  cpu.writeLin16(lin, limit);
  cpu.writeLin32((lin + 2) | 0, i.o32 ? base : base & 0xFFFFFF);
}
function sgdt(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  cpu.sensitive(Sensitive.Sgdt);
  storeTable(cpu, i, cpu.gdtrLimit, cpu.gdtrBase);
}
function sidt(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  cpu.sensitive(Sensitive.Sidt);
  storeTable(cpu, i, cpu.idtrLimit, cpu.idtrBase);
}

let tblLimit = 0, tblBase = 0;
function readTable(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  if (cpu.cpl !== 0 || (cpu.flags & VM)) cpu.fault(GP, 0);
  const lin = cpu.linRead(i.seg, cpu.ea(i), 6);
  tblLimit = cpu.readLin16(lin);
  tblBase = cpu.readLin32((lin + 2) | 0);
  if (!i.o32) tblBase &= 0xFFFFFF;
}
function lgdt(cpu: CPU, i: Insn): void {
  readTable(cpu, i);
  cpu.sensitive(Sensitive.Lgdt, tblBase, tblLimit);
  cpu.gdtrBase = tblBase; cpu.gdtrLimit = tblLimit;
}
function lidt(cpu: CPU, i: Insn): void {
  readTable(cpu, i);
  cpu.sensitive(Sensitive.Lidt, tblBase, tblLimit);
  cpu.idtrBase = tblBase; cpu.idtrLimit = tblLimit;
}

export function install(): void {
  def(0x8C, { name: 'mov', modrm: true, h16: movEwSw, h32: movEdSw });
  def(0x8E, { name: 'mov', modrm: true, h16: movSwEw });
  def(0xC4, { name: 'les', modrm: true, h16: les });
  def(0xC5, { name: 'lds', modrm: true, h16: lds });
  def(0x1B2, { name: 'lss', modrm: true, h16: lss });
  def(0x1B4, { name: 'lfs', modrm: true, h16: lfs });
  def(0x1B5, { name: 'lgs', modrm: true, h16: lgs });
  def(0x63, { name: 'arpl', modrm: true, h16: arpl });
  def(0x102, { name: 'lar', modrm: true, h16: lar16, h32: lar32 });
  def(0x103, { name: 'lsl', modrm: true, h16: lsl16, h32: lsl32 });
  defGroup(0x100, 0, { name: 'sldt', h16: sldt });
  defGroup(0x100, 1, { name: 'str', h16: str });
  defGroup(0x100, 2, { name: 'lldt', h16: lldt });
  defGroup(0x100, 3, { name: 'ltr', h16: ltr });
  defGroup(0x100, 4, { name: 'verr', h16: verr });
  defGroup(0x100, 5, { name: 'verw', h16: verw });
  defGroup(0x101, 0, { name: 'sgdt', h16: sgdt });
  defGroup(0x101, 1, { name: 'sidt', h16: sidt });
  defGroup(0x101, 2, { name: 'lgdt', h16: lgdt });
  defGroup(0x101, 3, { name: 'lidt', h16: lidt });
}
