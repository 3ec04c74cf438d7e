// Bit test and scan (SDM vol. 2): BT/BTS/BTR/BTC with a register bit offset (0F A3/AB/B3/BB) or an
// immediate one (0F BA /4-/7), BSF (0F BC), BSR (0F BD).
//
// Flags: BT* set CF to the selected bit, leave ZF unchanged, and leave OF SF AF PF undefined (SDM vol. 2
// BT "Flags Affected"); BSF/BSR set ZF (source zero) and leave CF OF SF AF PF undefined. We keep the
// undefined flags unchanged.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { AF, CF, OF, PF, SF, ZF } from '../regs.ts';

const BT_UNDEF = OF | SF | AF | PF;
const BS_UNDEF = CF | OF | SF | AF | PF;

// Operation on the selected bit: 0 BT (test only), 1 BTS (set), 2 BTR (reset), 3 BTC (complement).
function apply(kind: number, v: number, mask: number): number {
  return kind === 1 ? v | mask : kind === 2 ? v & ~mask : v ^ mask;
}

/**
 * The memory forms address the bit string at the operand's effective address: with a register offset
 * the offset is signed and selects the word/dword at EA + size * (offset SAR log2(bits)) (SDM vol. 2 BT,
 * "Operation" and the memory-access note), the sum wrapping at the address size.
 */
function bitW(cpu: CPU, i: Insn, kind: number, off: number, fromReg: boolean): void {
  const mask = 1 << (off & 15);
  if (i.mod === 3) {
    const n = i.rm << 1, v = cpu.r16[n];
    cpu.setFlag(CF, (v & mask) !== 0);
    if (kind !== 0) cpu.r16[n] = apply(kind, v, mask);
    return;
  }
  let ea = cpu.ea(i);
  if (fromReg) {
    ea += ((off << 16) >> 20) << 1;          // sign-extended 16-bit offset, SAR 4, times 2
    ea = i.a32 ? ea >>> 0 : ea & 0xFFFF;
  }
  if (kind === 0) {
    cpu.setFlag(CF, (cpu.read16(i.seg, ea) & mask) !== 0);
    return;
  }
  const v = cpu.rmw16(i.seg, ea);
  cpu.commit16(apply(kind, v, mask));
  cpu.setFlag(CF, (v & mask) !== 0);
}

function bitD(cpu: CPU, i: Insn, kind: number, off: number, fromReg: boolean): void {
  const mask = 1 << (off & 31);
  if (i.mod === 3) {
    const v = cpu.r32[i.rm];
    cpu.setFlag(CF, (v & mask) !== 0);
    if (kind !== 0) cpu.r32[i.rm] = apply(kind, v, mask);
    return;
  }
  let ea = cpu.ea(i);
  if (fromReg) {
    ea += (off >> 5) << 2;                    // signed 32-bit offset, SAR 5, times 4
    ea = i.a32 ? ea >>> 0 : ea & 0xFFFF;
  }
  if (kind === 0) {
    cpu.setFlag(CF, (cpu.read32(i.seg, ea) & mask) !== 0);
    return;
  }
  const v = cpu.rmw32(i.seg, ea);
  cpu.commit32(apply(kind, v, mask));
  cpu.setFlag(CF, (v & mask) !== 0);
}

// 0F A3 / AB / B3 / BB: the operation is in opcode bits 4:3.
function btEwGw(cpu: CPU, i: Insn): void { bitW(cpu, i, (i.op >> 3) & 3, cpu.r16[i.reg << 1], true); }
function btEdGd(cpu: CPU, i: Insn): void { bitD(cpu, i, (i.op >> 3) & 3, cpu.r32[i.reg], true); }
// 0F BA /4-/7: the immediate offset is taken modulo the operand size (SDM vol. 2 BT).
function btEwIb(cpu: CPU, i: Insn): void { bitW(cpu, i, i.reg - 4, i.imm & 15, false); }
function btEdIb(cpu: CPU, i: Insn): void { bitD(cpu, i, i.reg - 4, i.imm & 31, false); }

// ---- BSF / BSR. A zero source sets ZF and leaves the destination unchanged. The SDM calls the
// destination undefined then; AMD documents "unchanged" (AMD APM vol. 3 BSF/BSR) and Intel silicon does the
// same, and the oracle's AMD EPYC confirms it for both operand sizes (golden "bsf-zero-*"). ----
function bsfW(cpu: CPU, i: Insn): void {
  const v = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  cpu.setFlag(ZF, v === 0);
  if (v !== 0) cpu.r16[i.reg << 1] = 31 - Math.clz32(v & -v);
}
function bsfD(cpu: CPU, i: Insn): void {
  const v = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  cpu.setFlag(ZF, v === 0);
  if (v !== 0) cpu.r32[i.reg] = 31 - Math.clz32(v & -v);
}
function bsrW(cpu: CPU, i: Insn): void {
  const v = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  cpu.setFlag(ZF, v === 0);
  if (v !== 0) cpu.r16[i.reg << 1] = 31 - Math.clz32(v);
}
function bsrD(cpu: CPU, i: Insn): void {
  const v = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  cpu.setFlag(ZF, v === 0);
  if (v !== 0) cpu.r32[i.reg] = 31 - Math.clz32(v);
}

export function install(): void {
  def(0x1A3, { name: 'bt', modrm: true, h16: btEwGw, h32: btEdGd, undef: BT_UNDEF });
  def(0x1AB, { name: 'bts', modrm: true, h16: btEwGw, h32: btEdGd, lockable: true, undef: BT_UNDEF });
  def(0x1B3, { name: 'btr', modrm: true, h16: btEwGw, h32: btEdGd, lockable: true, undef: BT_UNDEF });
  def(0x1BB, { name: 'btc', modrm: true, h16: btEwGw, h32: btEdGd, lockable: true, undef: BT_UNDEF });
  defGroup(0x1BA, 4, { name: 'bt', imm: Imm.Ib, h16: btEwIb, h32: btEdIb, undef: BT_UNDEF });
  defGroup(0x1BA, 5, { name: 'bts', imm: Imm.Ib, h16: btEwIb, h32: btEdIb, lockable: true, undef: BT_UNDEF });
  defGroup(0x1BA, 6, { name: 'btr', imm: Imm.Ib, h16: btEwIb, h32: btEdIb, lockable: true, undef: BT_UNDEF });
  defGroup(0x1BA, 7, { name: 'btc', imm: Imm.Ib, h16: btEwIb, h32: btEdIb, lockable: true, undef: BT_UNDEF });
  def(0x1BC, { name: 'bsf', modrm: true, h16: bsfW, h32: bsfD, undef: BS_UNDEF });
  def(0x1BD, { name: 'bsr', modrm: true, h16: bsrW, h32: bsrD, undef: BS_UNDEF });
}
