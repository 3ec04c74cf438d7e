// The x87 value type (80-bit extended precision, SDM vol. 1 §4.2.2 / Figure 4-3) and the per-operation
// context (control word in, exceptions and C1 out) shared by every f80-*.ts module.

/** An 80-bit extended-precision value: se = sign << 15 | biased exponent (15 bits); hi:lo = 64-bit significand
 *  with the explicit integer bit at hi bit 31. hi and lo are uint32 (use >>> 0). */
export class F80 {
  se = 0;
  hi = 0;
  lo = 0;
  set(o: F80): this {
    this.se = o.se;
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }
  static from(se: number, hi: number, lo: number): F80 {
    const f = new F80();
    f.se = se & 0xFFFF;
    f.hi = hi >>> 0;
    f.lo = lo >>> 0;
    return f;
  }
}

/** Exception flag bits (status word bits 0-5, also the control word's mask bits). */
export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;

/** Context passed to every arithmetic operation. */
export class FpCtx {
  /** The control word: bits 0-5 exception masks (IM DM ZM OM UM PM), 8-9 PC (0=24 bits, 2=53, 3=64; 1 reserved
   *  → treat as 64), 10-11 RC (0 nearest-even, 1 down, 2 up, 3 toward zero). */
  cw = 0x037F;
  /** Exceptions raised by the operation (OR of IE=1 DE=2 ZE=4 OE=8 UE=0x10 PE=0x20). The caller clears it
   *  before each instruction and merges it into the status word. */
  exc = 0;
  /** C1 after the operation: 1 when the inexact result was rounded up (away from zero in magnitude), SDM 8.1.3.1. */
  c1 = 0;
}
