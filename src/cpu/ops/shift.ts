// Shifts and rotates: group 2 (C0/C1 by imm8, D0/D1 by 1, D2/D3 by CL) with ROL ROR RCL RCR SHL SHR
// SAL SAR, and the double-precision shifts SHLD/SHRD (0F A4/A5/AC/AD). SDM vol. 2 "RCL/RCR/ROL/ROR",
// "SAL/SAR/SHL/SHR", "SHLD", "SHRD".
//
// Rules common to all of them: the count is masked to 5 bits; a masked count of 0 changes nothing (no
// flags either, but a memory operand is still accessed for write, as silicon reports a #PF with W=1).
// Flags: rotates change only CF and OF, so the lazy SF/ZF/AF/PF state stays as it is; shifts set CF and OF
// concretely and leave SF/ZF/PF lazy on the result. OF is defined only for a count of 1 (we compute it with
// the count-1 formula on the final result for every count, as silicon does), AF is undefined after a
// shift (we clear it).

import type { CPU } from '../cpu.ts';
import { LAZY_LOGIC } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { AF, ARITH_FLAGS, CF, OF, PF, SF, ZF } from '../regs.ts';

/** CF and OF after a rotate; the other arithmetic flags (lazy or not) are left untouched. */
function setRotateFlags(cpu: CPU, cf: number, of: number): void {
  cpu.flags = (cpu.flags & ~(CF | OF)) | cf | (of ? OF : 0);
  cpu.lazyMask &= ~(CF | OF);
}

/** CF and OF after a shift; AF cleared (undefined); SF/ZF/PF lazy from `res` (sign bit at `top`). */
function setShiftFlags(cpu: CPU, res: number, top: number, cf: number, of: number): void {
  cpu.flags = (cpu.flags & ~ARITH_FLAGS) | cf | (of ? OF : 0);
  cpu.lazyOp = LAZY_LOGIC; cpu.lazyRes = res; cpu.lazyTop = top;
  cpu.lazyMask = SF | ZF | PF;
}

/** Count of a group-2 instruction, masked to 5 bits: C0/C1 imm8, D0/D1 one, D2/D3 CL. */
function group2Count(cpu: CPU, i: Insn): number {
  if (i.op < 0xD0) return i.imm & 0x1F;
  return i.op & 2 ? cpu.r8[4] & 0x1F : 1;
}

/**
 * Group-2 operation `op` (ModRM.reg) on an 8- or 16-bit value `v` (zero-extended) by count c (1..31).
 * Returns the result (low `bits` bits significant) and sets the flags.
 */
function shiftSmall(cpu: CPU, op: number, v: number, c: number, bits: number): number {
  const top = bits - 1, mask = (1 << bits) - 1;
  let r: number, cf: number;
  switch (op) {
    case 0: { // ROL: CF = LSB(result); OF = MSB(result) ^ CF
      const k = c & top;
      r = k ? ((v << k) | (v >>> (bits - k))) & mask : v;
      cf = r & 1;
      setRotateFlags(cpu, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case 1: { // ROR: CF = MSB(result); OF = MSB(result) ^ MSB-1(result)
      const k = c & top;
      r = k ? ((v >>> k) | (v << (bits - k))) & mask : v;
      cf = (r >>> top) & 1;
      setRotateFlags(cpu, cf, (cf ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case 2: { // RCL: rotate the (bits+1)-bit value CF:v left by c mod (bits+1)
      const w = bits + 1, k = c % w;
      let x = (cpu.getCF() << bits) | v;
      if (k) x = ((x << k) | (x >>> (w - k))) & ((1 << w) - 1);
      r = x & mask;
      cf = x >>> bits;
      setRotateFlags(cpu, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case 3: { // RCR: rotate CF:v right by c mod (bits+1); OF = MSB(result) ^ MSB-1(result)
      const w = bits + 1, k = c % w;
      let x = (cpu.getCF() << bits) | v;
      if (k) x = ((x >>> k) | (x << (w - k))) & ((1 << w) - 1);
      r = x & mask;
      cf = x >>> bits;
      setRotateFlags(cpu, cf, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case 4: case 6: // SHL/SAL: CF = last bit out (0 once c > bits); OF = MSB(result) ^ CF
      r = (v << c) & mask;
      cf = c <= bits ? (v >>> (bits - c)) & 1 : 0;
      setShiftFlags(cpu, r, top, cf, ((r >>> top) ^ cf) & 1);
      return r;
    case 5: // SHR: OF = MSB(original operand)
      r = v >>> c;
      setShiftFlags(cpu, r, top, (v >>> (c - 1)) & 1, (v >>> top) & 1);
      return r;
    default: { // SAR: OF = 0
      const s = (v << (32 - bits)) >> (32 - bits);
      r = (s >> c) & mask;
      setShiftFlags(cpu, r, top, (s >> (c - 1)) & 1, 0);
      return r;
    }
  }
}

/** Group-2 operation on a 32-bit value by count c (1..31). */
function shift32(cpu: CPU, op: number, v: number, c: number): number {
  let r: number, cf: number;
  switch (op) {
    case 0: // ROL
      r = (v << c) | (v >>> (32 - c));
      cf = r & 1;
      setRotateFlags(cpu, cf, ((r >>> 31) ^ cf) & 1);
      return r;
    case 1: // ROR
      r = (v >>> c) | (v << (32 - c));
      cf = r >>> 31;
      setRotateFlags(cpu, cf, (cf ^ (r >>> 30)) & 1);
      return r;
    case 2: { // RCL (33-bit rotate; c < 33 so no modulo is needed)
      const old = cpu.getCF();
      r = c === 1 ? (v << 1) | old : (v << c) | (old << (c - 1)) | (v >>> (33 - c));
      cf = (v >>> (32 - c)) & 1;
      setRotateFlags(cpu, cf, ((r >>> 31) ^ cf) & 1);
      return r;
    }
    case 3: { // RCR
      const old = cpu.getCF();
      r = c === 1 ? (v >>> 1) | (old << 31) : (v >>> c) | (old << (32 - c)) | (v << (33 - c));
      cf = (v >>> (c - 1)) & 1;
      setRotateFlags(cpu, cf, ((r >>> 31) ^ (r >>> 30)) & 1);
      return r;
    }
    case 4: case 6: // SHL/SAL
      r = v << c;
      cf = (v >>> (32 - c)) & 1;
      setShiftFlags(cpu, r, 31, cf, ((r >>> 31) ^ cf) & 1);
      return r;
    case 5: // SHR
      r = v >>> c;
      setShiftFlags(cpu, r, 31, (v >>> (c - 1)) & 1, v >>> 31);
      return r;
    default: // SAR
      r = v >> c;
      setShiftFlags(cpu, r, 31, (v >> (c - 1)) & 1, 0);
      return r;
  }
}

function group2Eb(cpu: CPU, i: Insn): void {
  const c = group2Count(cpu, i);
  if (i.mod === 3) {
    if (c !== 0) cpu.setReg8(i.rm, shiftSmall(cpu, i.reg, cpu.getReg8(i.rm), c, 8));
  } else {
    const v = cpu.rmw8(i.seg, cpu.ea(i));
    if (c !== 0) cpu.commit8(shiftSmall(cpu, i.reg, v, c, 8));
  }
}
function group2Ew(cpu: CPU, i: Insn): void {
  const c = group2Count(cpu, i);
  if (i.mod === 3) {
    if (c !== 0) cpu.r16[i.rm << 1] = shiftSmall(cpu, i.reg, cpu.r16[i.rm << 1], c, 16);
  } else {
    const v = cpu.rmw16(i.seg, cpu.ea(i));
    if (c !== 0) cpu.commit16(shiftSmall(cpu, i.reg, v, c, 16));
  }
}
function group2Ed(cpu: CPU, i: Insn): void {
  const c = group2Count(cpu, i);
  if (i.mod === 3) {
    if (c !== 0) cpu.r32[i.rm] = shift32(cpu, i.reg, cpu.r32[i.rm], c);
  } else {
    const v = cpu.rmw32(i.seg, cpu.ea(i));
    if (c !== 0) cpu.commit32(shift32(cpu, i.reg, v, c));
  }
}

// ---- SHLD / SHRD: shift the destination, filling from the source register ----
// 0F A4 / AC take imm8, 0F A5 / AD take CL; bit 3 of the opcode selects SHRD. CF = last bit shifted out
// of the destination, OF (count 1) = sign change, SF/ZF/PF from the result, AF undefined. For 16-bit
// operands a count above 16 leaves the result and flags undefined (SDM); we shift through the 32-bit
// pattern dest:src (SHLD) / src:dest (SHRD) and then through the destination again, which is what Intel
// processors do, and never compare such cases with silicon.

function doubleCount(cpu: CPU, i: Insn): number {
  return (i.op & 1 ? cpu.r8[4] : i.imm) & 0x1F;
}

function shld16(cpu: CPU, d: number, s: number, c: number): number {
  // 48-bit pattern d:s:d shifted left by c (c < 32), result = its top 16 bits.
  let r: number, cf: number;
  if (c <= 16) {
    const x = (d << 16) | s;
    r = (x << c) >>> 16 & 0xFFFF;
    cf = (d >>> (16 - c)) & 1;
  } else {
    const k = c - 16, x = (s << 16) | d;
    r = (x << k) >>> 16 & 0xFFFF;
    cf = (s >>> (16 - k)) & 1;
  }
  setShiftFlags(cpu, r, 15, cf, ((r ^ d) >>> 15) & 1);
  return r;
}
function shrd16(cpu: CPU, d: number, s: number, c: number): number {
  // 48-bit pattern d:s:d (d lowest) shifted right by c, result = its low 16 bits.
  let r: number, cf: number;
  if (c <= 16) {
    const x = (s << 16) | d;
    r = (x >>> c) & 0xFFFF;
    cf = (x >>> (c - 1)) & 1;
  } else {
    const k = c - 16, x = (d << 16) | s;
    r = (x >>> k) & 0xFFFF;
    cf = (x >>> (k - 1)) & 1;
  }
  setShiftFlags(cpu, r, 15, cf, ((r ^ d) >>> 15) & 1);
  return r;
}
function shld32(cpu: CPU, d: number, s: number, c: number): number {
  const r = (d << c) | (s >>> (32 - c));
  setShiftFlags(cpu, r, 31, (d >>> (32 - c)) & 1, ((r ^ d) >>> 31) & 1);
  return r;
}
function shrd32(cpu: CPU, d: number, s: number, c: number): number {
  const r = (d >>> c) | (s << (32 - c));
  setShiftFlags(cpu, r, 31, (d >>> (c - 1)) & 1, ((r ^ d) >>> 31) & 1);
  return r;
}

function shxdEw(cpu: CPU, i: Insn): void {
  const c = doubleCount(cpu, i), s = cpu.r16[i.reg << 1], right = (i.op & 8) !== 0;
  if (i.mod === 3) {
    if (c === 0) return;
    const d = cpu.r16[i.rm << 1];
    cpu.r16[i.rm << 1] = right ? shrd16(cpu, d, s, c) : shld16(cpu, d, s, c);
  } else {
    const d = cpu.rmw16(i.seg, cpu.ea(i));
    if (c !== 0) cpu.commit16(right ? shrd16(cpu, d, s, c) : shld16(cpu, d, s, c));
  }
}
function shxdEd(cpu: CPU, i: Insn): void {
  const c = doubleCount(cpu, i), s = cpu.r32[i.reg], right = (i.op & 8) !== 0;
  if (i.mod === 3) {
    if (c === 0) return;
    const d = cpu.r32[i.rm];
    cpu.r32[i.rm] = right ? shrd32(cpu, d, s, c) : shld32(cpu, d, s, c);
  } else {
    const d = cpu.rmw32(i.seg, cpu.ea(i));
    if (c !== 0) cpu.commit32(right ? shrd32(cpu, d, s, c) : shld32(cpu, d, s, c));
  }
}

const NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];

export function install(): void {
  for (let op = 0; op < 8; op++) {
    const name = NAMES[op];
    // Rotates leave AF alone; shifts with a nonzero count leave it undefined. OF is undefined unless
    // the count is 1, which only D0/D1 guarantee.
    const afUndef = op >= 4 ? AF : 0;
    defGroup(0xC0, op, { name, imm: Imm.Ib, h16: group2Eb, undef: OF | afUndef });
    defGroup(0xC1, op, { name, imm: Imm.Ib, h16: group2Ew, h32: group2Ed, undef: OF | afUndef });
    defGroup(0xD0, op, { name, h16: group2Eb, undef: afUndef });
    defGroup(0xD1, op, { name, h16: group2Ew, h32: group2Ed, undef: afUndef });
    defGroup(0xD2, op, { name, h16: group2Eb, undef: OF | afUndef });
    defGroup(0xD3, op, { name, h16: group2Ew, h32: group2Ed, undef: OF | afUndef });
  }
  def(0x1A4, { name: 'shld', modrm: true, imm: Imm.Ib, h16: shxdEw, h32: shxdEd, undef: OF | AF });
  def(0x1A5, { name: 'shld', modrm: true, h16: shxdEw, h32: shxdEd, undef: OF | AF });
  def(0x1AC, { name: 'shrd', modrm: true, imm: Imm.Ib, h16: shxdEw, h32: shxdEd, undef: OF | AF });
  def(0x1AD, { name: 'shrd', modrm: true, h16: shxdEw, h32: shxdEd, undef: OF | AF });
}
