// Shared layout and helpers of the x87 arithmetic golden-vector generators (x87-arith*.ts).
// Every case: FLDCW [CW]; FLD m80 [B]; FLD m80 [A] (so ST0 = A, ST1 = B; a m80 load never raises an exception);
// the operation under test; FNSAVE [SAVE] (non-waiting, so a pending unmasked exception is recorded and not
// delivered: ES/B in the status word and the registers as the operation left them); HLT.
// Dumped: OUT (a memory destination, pre-filled with a pattern so "no store" shows), and from the FNSAVE
// image (SDM vol. 1 Figure 8-10, 32-bit protected-mode format) the control, status and tag words and the
// first registers ST0.. (the instruction/operand pointers are left out: they are the x87 layer's business).
// src/cpu/fpu/f80.test.ts reads operands and results back from these addresses.

import { hx, le, modrm, rng } from './encode-kit.ts';
import type { Case, Mem, Dump } from './encode-kit.ts';
export { rng };

export const CW_ADDR = 0x20000, A_ADDR = 0x20010, B_ADDR = 0x20020, OUT_ADDR = 0x20030, SAVE_ADDR = 0x20100;
/** Pattern in OUT before the operation (a store that did not happen leaves it). */
export const OUT_FILL = 'a5'.repeat(16);

/** ModRM (mod 0, rm 5) + disp32. */
export function mAbs(reg: number, addr: number): string {
  return hx(modrm(0, reg, 5)) + le(addr, 4);
}

/** An 80-bit value as {se, hi, lo}. */
export interface V80 { se: number; hi: number; lo: number }
export const v80 = (se: number, hi: number, lo: number): V80 => ({ se: se & 0xFFFF, hi: hi >>> 0, lo: lo >>> 0 });
export function hex80(v: V80): string { return le(v.lo, 4) + le(v.hi, 4) + le(v.se, 2); }

export const FLDCW = (addr: number) => 'd9' + mAbs(5, addr);
export const FLD80 = (addr: number) => 'db' + mAbs(5, addr);
export const FNSAVE = (addr: number) => 'dd' + mAbs(6, addr);

export interface X87Case {
  name: string;
  cw: number;
  /** Operands loaded as m80 (a then becomes ST0, b ST1); omitted: not loaded. */
  a?: V80;
  b?: V80;
  /** The instructions under test. */
  op: string;
  /** Extra memory (e.g. a m32/m64/BCD source) */
  mem?: Mem[];
  /** Bytes of OUT to dump (a memory destination). */
  outLen?: number;
  /** FNSAVE registers to dump (ST0..). */
  regs?: number;
}

export class X87Writer {
  readonly cases: Case[] = [];
  private names = new Set<string>();
  add(c: X87Case): void {
    let name = c.name;
    for (let k = 2; this.names.has(name); k++) name = `${c.name}#${k}`;
    this.names.add(name);
    let code = FLDCW(CW_ADDR);
    const mem: Mem[] = [{ addr: CW_ADDR, hex: le(c.cw, 2) }];
    if (c.b) { code += FLD80(B_ADDR); mem.push({ addr: B_ADDR, hex: hex80(c.b) }); }
    if (c.a) { code += FLD80(A_ADDR); mem.push({ addr: A_ADDR, hex: hex80(c.a) }); }
    mem.push({ addr: OUT_ADDR, hex: OUT_FILL });
    if (c.mem) mem.push(...c.mem);
    code += c.op + FNSAVE(SAVE_ADDR) + 'f4';
    const dump: Dump[] = [];
    if (c.outLen) dump.push({ addr: OUT_ADDR, len: c.outLen });
    dump.push({ addr: SAVE_ADDR, len: 2 }, { addr: SAVE_ADDR + 4, len: 2 }, { addr: SAVE_ADDR + 8, len: 2 });
    const n = c.regs ?? 2;
    if (n) dump.push({ addr: SAVE_ADDR + 28, len: 10 * n });
    this.cases.push({ name, mode: 'user32', code, mem, dump });
  }
  print(): void {
    process.stdout.write(this.cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    process.stderr.write(`${this.cases.length} cases\n`);
  }
}

// ---- operand values ----

export const ZERO80 = v80(0, 0, 0);
export const ONE = v80(0x3FFF, 0x80000000, 0);
export const INF80 = v80(0x7FFF, 0x80000000, 0);
export const INDEF = v80(0xFFFF, 0xC0000000, 0);
export const neg = (v: V80): V80 => v80(v.se ^ 0x8000, v.hi, v.lo);

/** Special and boundary operands: zeros, denormals, pseudo-denormals, min/max normal, ±1, infinities, NaNs
 *  with payloads, and the unsupported encodings (pseudo-infinity, pseudo-NaN, unnormals). */
export const SPECIALS: [string, V80][] = [
  ['+0', ZERO80], ['-0', neg(ZERO80)],
  ['+dmin', v80(0, 0, 1)], ['-dmax', v80(0x8000, 0x7FFFFFFF, 0xFFFFFFFF)], ['+dmid', v80(0, 0x00012345, 0x6789ABCD)],
  ['+pden', v80(0, 0x80000000, 0)], ['-pden', v80(0x8000, 0xC0000000, 0x00000001)],
  ['+nmin', v80(1, 0x80000000, 0)], ['-nmin1', v80(0x8001, 0x80000000, 1)],
  ['+nmax', v80(0x7FFE, 0xFFFFFFFF, 0xFFFFFFFF)], ['-nmax', v80(0xFFFE, 0xFFFFFFFF, 0xFFFFFFFF)],
  ['+1', ONE], ['-1.5', v80(0xBFFF, 0xC0000000, 0)], ['+3', v80(0x4000, 0xC0000000, 0)],
  ['+pi', v80(0x4000, 0xC90FDAA2, 0x2168C235)], ['-big', v80(0xC03E, 0xDEADBEEF, 0x12345678)],
  ['+inf', INF80], ['-inf', neg(INF80)],
  ['+snan', v80(0x7FFF, 0x80000000, 1)], ['-snan', v80(0xFFFF, 0xBFFFFFFF, 0xFFFFFFFF)],
  ['+qnan', v80(0x7FFF, 0xC0000000, 0x1234)], ['-qnan', v80(0xFFFF, 0xC0001000, 0)], ['indef', INDEF],
  ['pinf', v80(0x7FFF, 0, 0)], ['pnan', v80(0xFFFF, 0x40000000, 1)], ['unnorm', v80(0x3FFF, 0x40000000, 0)],
  ['unnorm0', v80(0x4123, 0, 0)],
];

export class Gen {
  readonly r: () => number;
  constructor(seed: number) { this.r = rng(seed); }
  int(n: number): number { return this.r() % n; }
  pick<T>(xs: readonly T[]): T { return xs[this.r() % xs.length]; }
  /** A 64-bit significand with the integer bit set: random, sparse, dense, or short (a float/double's). */
  sig(): [number, number] {
    const r = this.r;
    switch (this.int(6)) {
      case 0: { // sparse
        let hi = 0x80000000, lo = 0;
        for (let k = this.int(4); k > 0; k--) { const b = this.int(63); if (b >= 32) hi |= 1 << (b - 32); else lo |= 1 << b; }
        return [hi >>> 0, lo >>> 0];
      }
      case 1: { // dense
        let hi = 0xFFFFFFFF, lo = 0xFFFFFFFF;
        for (let k = this.int(3); k > 0; k--) { const b = this.int(63); if (b >= 32) hi &= ~(1 << (b - 32)); else lo &= ~(1 << b); }
        return [hi >>> 0, lo >>> 0];
      }
      case 2: return [(r() | 0x80000000) >>> 0, 0]; // ≤ 32 bits
      case 3: return [(r() | 0x80000000) >>> 0, (r() & 0xFFFFF800) >>> 0]; // a double's 53 bits
      case 4: return [((r() & 0xFFFFFF00) | 0x80000000) >>> 0, 0]; // a float's 24 bits
      default: return [(r() | 0x80000000) >>> 0, r() >>> 0];
    }
  }
  /** A normal value with biased exponent e. */
  normal(e: number, sign = this.int(2)): V80 { const [hi, lo] = this.sig(); return v80((sign << 15) | e, hi, lo); }
  /** A random normal near 1 (exponent 0x3FFF ± 40), sometimes anywhere. */
  any(): V80 {
    const k = this.int(10);
    const e = k === 0 ? 1 + this.int(0x7FFE) : 0x3FFF - 40 + this.int(81);
    return this.normal(e);
  }
  /** A denormal. */
  denormal(): V80 { return v80(this.int(2) << 15, this.r() & 0x7FFFFFFF, this.r()); }
}

/** Control word: masks (6 bits), PC, RC. */
export const cwOf = (masks: number, pc: number, rc: number) => 0x40 | (masks & 0x3F) | (pc << 8) | (rc << 10);
export const PCS = [0, 2, 3] as const;

/** Memory source operands (m16/m32/m64/m80 integer, float, BCD) live here. */
export const SRC_ADDR = 0x20040;
