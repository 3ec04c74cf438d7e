// Multiply and divide: MUL/IMUL/DIV/IDIV (F6/F7 /4 /5 /6 /7) and the two- and three-operand IMUL
// (0F AF, 69, 6B). SDM vol. 2 "MUL", "IMUL", "DIV", "IDIV".
//
// Flags: after MUL/IMUL only CF and OF are defined (set when the upper half / the truncation is
// significant); SF ZF AF PF are undefined and we clear them, as the AMD reference machine does. After
// DIV/IDIV all six are undefined and we leave them as they were (no materialization on the hot path).
// #DE on a zero divisor or a quotient that does not fit the destination, with nothing modified.
// No allocation: the 64-bit products and dividends are handled as two 32-bit halves with exact
// double-precision arithmetic on 16-bit pieces.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { ARITH_FLAGS, CF, DE, EAX, EDX, OF } from '../regs.ts';

const MUL_UNDEF = ARITH_FLAGS & ~(CF | OF);

/** Flags after a multiply: CF = OF = `wide` (the result needed more than the destination). */
function setMulFlags(cpu: CPU, wide: boolean): void {
  cpu.flags = (cpu.flags & ~ARITH_FLAGS) | (wide ? CF | OF : 0);
  cpu.lazyMask = 0;
}

/** High 32 bits of the unsigned 64-bit product of a and b (any int32 representation). */
function mulHighU32(a: number, b: number): number {
  const al = a & 0xFFFF, ah = a >>> 16, bl = b & 0xFFFF, bh = b >>> 16;
  const p0 = al * bl, p1 = ah * bl, p2 = al * bh, p3 = ah * bh;
  const mid = (p0 >>> 16) + (p1 & 0xFFFF) + (p2 & 0xFFFF);
  return (p3 + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) >>> 0;
}

// Results of the 64/32 division helper (module scratch; no allocation per instruction).
let divQ = 0, divR = 0;

/**
 * Unsigned (hi:lo) / d for hi < d (so the quotient fits 32 bits): two steps of 16 bits whose partial
 * dividends stay below 2^48, where doubles are exact and floor(t / d) is exact. Sets divQ, divR.
 */
function divU64by32(hi: number, lo: number, d: number): void {
  let t = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  t = (t - q1 * d) * 65536 + (lo & 0xFFFF);
  const q0 = Math.floor(t / d);
  divQ = q1 * 65536 + q0;
  divR = t - q0 * d;
}

/** The source operand of group 3 (r/m8, r/m16, r/m32). */
function srcEb(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
}
function srcEw(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
}
function srcEd(cpu: CPU, i: Insn): number {
  return i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
}

// ---- one-operand MUL / IMUL: AX = AL*src, DX:AX = AX*src, EDX:EAX = EAX*src ----

function mulEb(cpu: CPU, i: Insn): void {
  const p = cpu.r8[0] * srcEb(cpu, i);
  cpu.r16[0] = p;
  setMulFlags(cpu, p > 0xFF);
}
function mulEw(cpu: CPU, i: Insn): void {
  const p = cpu.r16[0] * srcEw(cpu, i);
  cpu.r16[0] = p;
  cpu.r16[EDX << 1] = p >>> 16;
  setMulFlags(cpu, p > 0xFFFF);
}
function mulEd(cpu: CPU, i: Insn): void {
  const a = cpu.r32[EAX], b = srcEd(cpu, i);
  const hi = mulHighU32(a, b);
  cpu.r32[EAX] = Math.imul(a, b);
  cpu.r32[EDX] = hi;
  setMulFlags(cpu, hi !== 0);
}
function imulEb(cpu: CPU, i: Insn): void {
  const p = ((cpu.r8[0] << 24) >> 24) * ((srcEb(cpu, i) << 24) >> 24);
  cpu.r16[0] = p;
  setMulFlags(cpu, p !== ((p << 24) >> 24));
}
function imulEw(cpu: CPU, i: Insn): void {
  const p = ((cpu.r16[0] << 16) >> 16) * ((srcEw(cpu, i) << 16) >> 16);
  cpu.r16[0] = p;
  cpu.r16[EDX << 1] = p >>> 16;
  setMulFlags(cpu, p !== ((p << 16) >> 16));
}
function imulEd(cpu: CPU, i: Insn): void {
  const a = cpu.r32[EAX], b = srcEd(cpu, i);
  // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0), modulo 2^32.
  let hi = mulHighU32(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  const lo = Math.imul(a, b);
  cpu.r32[EAX] = lo;
  cpu.r32[EDX] = hi;
  setMulFlags(cpu, (hi | 0) !== (lo >> 31));
}

// ---- DIV / IDIV ----

function divEb(cpu: CPU, i: Insn): void {
  const d = srcEb(cpu, i), n = cpu.r16[0];
  if (d === 0) cpu.fault(DE);
  const q = (n / d) | 0;
  if (q > 0xFF) cpu.fault(DE);
  cpu.r8[0] = q;
  cpu.r8[1] = n - q * d;
}
function divEw(cpu: CPU, i: Insn): void {
  const d = srcEw(cpu, i), n = ((cpu.r16[EDX << 1] << 16) | cpu.r16[0]) >>> 0;
  if (d === 0) cpu.fault(DE);
  const q = Math.floor(n / d);
  if (q > 0xFFFF) cpu.fault(DE);
  cpu.r16[0] = q;
  cpu.r16[EDX << 1] = n - q * d;
}
function divEd(cpu: CPU, i: Insn): void {
  const d = srcEd(cpu, i) >>> 0, hi = cpu.r32[EDX] >>> 0;
  if (d === 0 || hi >= d) cpu.fault(DE); // hi >= d: the quotient needs more than 32 bits
  divU64by32(hi, cpu.r32[EAX], d);
  cpu.r32[EAX] = divQ;
  cpu.r32[EDX] = divR;
}
function idivEb(cpu: CPU, i: Insn): void {
  const d = (srcEb(cpu, i) << 24) >> 24, n = (cpu.r16[0] << 16) >> 16;
  if (d === 0) cpu.fault(DE);
  const q = (n / d) | 0; // truncates toward zero, as IDIV does
  if (q > 127 || q < -128) cpu.fault(DE);
  cpu.r8[0] = q;
  cpu.r8[1] = n - q * d;
}
function idivEw(cpu: CPU, i: Insn): void {
  const d = (srcEw(cpu, i) << 16) >> 16, n = (cpu.r16[EDX << 1] << 16) | cpu.r16[0];
  if (d === 0) cpu.fault(DE);
  const q = Math.trunc(n / d); // |n| < 2^31: exact; -2^31 / -1 = 2^31 is caught below
  if (q > 32767 || q < -32768) cpu.fault(DE);
  cpu.r16[0] = q;
  cpu.r16[EDX << 1] = n - q * d;
}
function idivEd(cpu: CPU, i: Insn): void {
  const d = srcEd(cpu, i);
  if (d === 0) cpu.fault(DE);
  let hi = cpu.r32[EDX], lo = cpu.r32[EAX];
  const negN = hi < 0;
  if (negN) { // magnitude of the 64-bit dividend
    lo = -lo | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const ad = Math.abs(d); // 2^31 for -2^31: a double, fine for the arithmetic below
  if ((hi >>> 0) >= ad) cpu.fault(DE);
  divU64by32(hi >>> 0, lo, ad);
  const negQ = negN !== (d < 0);
  if (divQ > (negQ ? 0x80000000 : 0x7FFFFFFF)) cpu.fault(DE);
  cpu.r32[EAX] = negQ ? -divQ : divQ;
  cpu.r32[EDX] = negN ? -divR : divR; // the remainder has the sign of the dividend
}

// ---- IMUL Gv, Ev (0F AF) / Gv, Ev, imm (69 Iz, 6B Ibs): truncated to the destination ----

function imulGw(cpu: CPU, a: number, b: number, reg: number): void {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  cpu.r16[reg << 1] = p;
  setMulFlags(cpu, p !== ((p << 16) >> 16));
}
function imulGd(cpu: CPU, a: number, b: number, reg: number): void {
  const lo = Math.imul(a, b);
  cpu.r32[reg] = lo;
  // The double product is exact when it fits 32 bits and never rounds into that range when it does not.
  setMulFlags(cpu, lo !== a * b);
}
function imulGwEw(cpu: CPU, i: Insn): void { imulGw(cpu, cpu.r16[i.reg << 1], srcEw(cpu, i), i.reg); }
function imulGdEd(cpu: CPU, i: Insn): void { imulGd(cpu, cpu.r32[i.reg], srcEd(cpu, i), i.reg); }
function imulGwEwI(cpu: CPU, i: Insn): void { imulGw(cpu, srcEw(cpu, i), i.imm, i.reg); }
function imulGdEdI(cpu: CPU, i: Insn): void { imulGd(cpu, srcEd(cpu, i), i.imm, i.reg); }

export function install(): void {
  defGroup(0xF6, 4, { name: 'mul', h16: mulEb, undef: MUL_UNDEF });
  defGroup(0xF7, 4, { name: 'mul', h16: mulEw, h32: mulEd, undef: MUL_UNDEF });
  defGroup(0xF6, 5, { name: 'imul', h16: imulEb, undef: MUL_UNDEF });
  defGroup(0xF7, 5, { name: 'imul', h16: imulEw, h32: imulEd, undef: MUL_UNDEF });
  defGroup(0xF6, 6, { name: 'div', h16: divEb, undef: ARITH_FLAGS });
  defGroup(0xF7, 6, { name: 'div', h16: divEw, h32: divEd, undef: ARITH_FLAGS });
  defGroup(0xF6, 7, { name: 'idiv', h16: idivEb, undef: ARITH_FLAGS });
  defGroup(0xF7, 7, { name: 'idiv', h16: idivEw, h32: idivEd, undef: ARITH_FLAGS });
  def(0x1AF, { name: 'imul', modrm: true, h16: imulGwEw, h32: imulGdEd, undef: MUL_UNDEF });
  def(0x69, { name: 'imul', modrm: true, imm: Imm.Iz, h16: imulGwEwI, h32: imulGdEdI, undef: MUL_UNDEF });
  def(0x6B, { name: 'imul', modrm: true, imm: Imm.Ibs, h16: imulGwEwI, h32: imulGdEdI, undef: MUL_UNDEF });
}
