// The x87 FPU's architectural state as plain data (SDM vol. 1 §8.1): eight 80-bit physical data registers
// R0-R7, the stack top (TOP), the status, control and tag words, and the last-instruction pointers
// (FIP/FCS, FDP/FDS, FOP, §8.1.8). The CPU owns one as `cpu.fpu`; the instruction layer (ops/x87*.ts)
// operates on it and the arithmetic core (f80.ts) computes values. No allocation after construction.

import { F80 } from './f80.ts';

// Status word bits (SDM vol. 1 §8.1.3, Figure 8-4).
export const SW_IE = 0x01, SW_DE = 0x02, SW_ZE = 0x04, SW_OE = 0x08, SW_UE = 0x10, SW_PE = 0x20, SW_SF = 0x40,
  SW_ES = 0x80, SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000, SW_B = 0x8000;
export const SW_TOP_SHIFT = 11;
/** The condition code bits C0-C3. */
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
/** The six exception flags (also the control word's mask bits, IM..PM). */
export const EXC_MASK = 0x3F;
/** The status word bits kept in X87State.sw: all but TOP, ES and B, which are derived. */
const SW_STORED = SW_CC | EXC_MASK | SW_SF;

// Tag values (SDM vol. 1 §8.1.7, Figure 8-7).
export const TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;

/** Control word after FNINIT: every exception masked, 64-bit precision, round to nearest (SDM vol. 1 §8.1.5). */
export const CW_INIT = 0x037F;
/** Control word bits that exist: masks, PC, RC and the ignored infinity-control bit 12; bit 6 reads as 1 on 387+. */
const CW_BITS = 0x1F3F;

export class X87State {
  /** Physical registers R0-R7 (not stack order): sign+exponent and the 64-bit significand as two uint32. */
  readonly se = new Uint16Array(8);
  readonly hi = new Uint32Array(8);
  readonly lo = new Uint32Array(8);
  /**
   * Bit p set: physical register p is empty. The other tag values (valid, zero, special) are a function of
   * the register's contents and are computed when a tag word is stored (§8.1.7: FLDENV/FRSTOR use the
   * loaded tags only to tell empty from non-empty).
   */
  empty = 0xFF;
  /** Stack top: ST(i) is physical register (top + i) & 7. */
  top = 0;
  cw = CW_INIT;
  /**
   * Status word without TOP, ES and B. ES (and B, which mirrors it on 387+ FPUs, SDM vol. 1 §8.1.3.1) is the
   * summary "an unmasked exception flag is set": derived, so that FLDCW/FLDENV/FRSTOR unmasking a set flag
   * make an exception pending exactly as the SDM describes (§8.5, FLDCW "Description").
   */
  sw = 0;
  /** Last non-control instruction: CS:EIP (EIP of its first prefix byte), its opcode (11 bits) and memory operand. */
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;
  /** The level last reported on the FERR# hook (cpu.ferr), so that it is called only on changes. */
  ferrLevel = false;

  /** Scratch values for the instruction layer (never held across instructions). */
  readonly t0 = new F80();
  readonly t1 = new F80();
  readonly t2 = new F80();

  constructor() { this.reset(); }

  /**
   * Power-on / RESET state (SDM vol. 3A §9.1, Table 9-1): control word 0040H, status word 0, tag word 5555H
   * (every register tagged zero and holding +0.0), pointers and opcode 0. Software runs FNINIT before use.
   */
  reset(): void {
    this.se.fill(0); this.hi.fill(0); this.lo.fill(0);
    this.empty = 0;
    this.top = 0;
    this.cw = 0x0040;
    this.sw = 0;
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
    this.ferrLevel = false;
  }

  /**
   * FNINIT (SDM vol. 2 "FINIT/FNINIT"): control word 037FH, status word 0 (TOP 0), every tag empty, FIP/FDP/
   * FCS/FDS/FOP cleared. The data registers keep their contents.
   */
  init(): void {
    this.cw = CW_INIT;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xFF;
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
  }

  /** An unmasked exception flag is set: ES = B = 1, and the next waiting instruction reports it (§8.6). */
  pending(): boolean {
    return (this.sw & ~this.cw & EXC_MASK) !== 0;
  }

  /** The architectural status word (FNSTSW). */
  statusWord(): number {
    let v = (this.sw & SW_STORED) | (this.top << SW_TOP_SHIFT);
    if (this.pending()) v |= SW_ES | SW_B;
    return v;
  }

  /** Load a status word (FLDENV/FRSTOR): TOP from bits 11-13; ES and B are recomputed from flags and masks. */
  setStatusWord(v: number): void {
    this.sw = v & SW_STORED;
    this.top = (v >> SW_TOP_SHIFT) & 7;
  }

  /** The architectural control word (FNSTCW): reserved bits 6, 13-15 read as 0 except bit 6, which reads 1. */
  controlWord(): number {
    return (this.cw & CW_BITS) | 0x40;
  }

  setControlWord(v: number): void {
    this.cw = (v & CW_BITS) | 0x40;
  }

  /** Tag of physical register p from its contents (SDM vol. 1 §8.1.7: special = NaN, infinity, denormal, unsupported). */
  tagOf(p: number): number {
    if (this.empty & (1 << p)) return TAG_EMPTY;
    const exp = this.se[p] & 0x7FFF, hi = this.hi[p], lo = this.lo[p];
    if (exp === 0x7FFF) return TAG_SPECIAL;                    // infinities, NaNs, pseudo-NaN/infinity
    if (exp === 0) return (hi | lo) === 0 ? TAG_ZERO : TAG_SPECIAL; // zero, or denormal / pseudo-denormal
    return (hi & 0x80000000) !== 0 ? TAG_VALID : TAG_SPECIAL;  // unnormals are special (unsupported)
  }

  /** The full tag word (FNSTENV/FNSAVE): two bits per physical register, R0 in bits 1:0. */
  tagWord(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) t |= this.tagOf(p) << (2 * p);
    return t;
  }

  /** Load a tag word (FLDENV/FRSTOR): only empty (11) versus non-empty matters (SDM vol. 1 §8.1.7). */
  setTagWord(t: number): void {
    let e = 0;
    for (let p = 0; p < 8; p++) if (((t >> (2 * p)) & 3) === TAG_EMPTY) e |= 1 << p;
    this.empty = e;
  }

  /** Physical register number of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return (this.empty & (1 << ((this.top + i) & 7))) !== 0;
  }

  /** Copy ST(i) into `out`. */
  get(i: number, out: F80): F80 {
    const p = (this.top + i) & 7;
    out.se = this.se[p]; out.hi = this.hi[p]; out.lo = this.lo[p];
    return out;
  }

  /** Write ST(i) and mark it non-empty. */
  set(i: number, v: F80): void {
    const p = (this.top + i) & 7;
    this.se[p] = v.se; this.hi[p] = v.hi; this.lo[p] = v.lo;
    this.empty &= ~(1 << p);
  }

  /** Write ST(i) = the QNaN floating-point indefinite (SDM vol. 1 §4.8.3.7, Table 4-3): the masked IE response. */
  setIndefinite(i: number): void {
    const p = (this.top + i) & 7;
    this.se[p] = 0xFFFF; this.hi[p] = 0xC0000000; this.lo[p] = 0;
    this.empty &= ~(1 << p);
  }

  /** Mark ST(0) empty and increment TOP (SDM vol. 1 §8.3.2 "pop"). */
  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Decrement TOP (the caller writes the new ST(0)). */
  push(): void {
    this.top = (this.top - 1) & 7;
  }
}
