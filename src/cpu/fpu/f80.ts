// The x87 arithmetic core: the one module the x87 instruction layer imports (contract: brief-x87-api.md).
// Everything is implemented in f80-*.ts files with one job each and re-exported here:
//   f80-types.ts           F80, FpCtx, exception bits
//   f80-round.ts           classification, NaN propagation (Table 4-7), the one rounding routine
//   f80-core.ts            FADD/FSUB/FMUL/FDIV/FSQRT (exact BigInt paths), f80-fast.ts their word fast paths
//   f80-misc.ts            compare, FXAM, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1
//   f80-convert.ts         int16/32/64, binary32/64 and packed BCD loads and stores
//   f80-const.ts           FLD1..FLDZ; f80-bigmath.ts fixed-point series; f80-transcendental.ts F2XM1..FSINCOS
// Checked against the real CPU (test-data/golden/x87-arith*.jsonl, f80.test.ts). What silicon showed and the
// core does: tininess is detected after rounding; an unmasked overflow/underflow still out of range after the
// ∓24576 wrap (FSCALE) gives ∞ / 0 with PE; stores (FST m32/m64, FIST, FBSTP) raise no DE and, with an unmasked
// OE/UE, report no PE; FPREM/FPREM1 reduce by N = 32 + (d mod 32) bits per partial step; trig arguments are
// reduced with the x87's 66-bit π (SDM vol. 1 §8.3.10); FSINCOS's C1 is the sine's; FPTAN of a NaN pushes the
// NaN instead of 1.0; FYL2X with a power-of-two x and F2XM1(±1) report PE though exact; F2XM1 outside
// [-1, 1] (undefined) leaves the operand with PE. Where AMD silicon and the SDM differ the SDM is followed:
// an unmasked DE on FLD m32/m64 pushes nothing (AMD pushes); compare() returns the class even with an unmasked
// exception and the caller leaves the condition codes alone (the SDM's FCOM/FCOMI; AMD sets them).

export { F80, FpCtx, IE, DE, ZE, OE, UE, PE } from './f80-types.ts';
export { add, sub, mul, div, sqrt } from './f80-core.ts';
export { rem, roundInt, scale, xtract, compare, examine } from './f80-misc.ts';
export { fromInt32, fromInt64, fromF32, fromF64, toF32, toF64, toInt, fromBcd, toBcd } from './f80-convert.ts';
export { loadConst, type ConstName } from './f80-const.ts';
export { f2xm1, fyl2x, fyl2xp1, fptan, fpatan, fsin, fcos, fsincos } from './f80-transcendental.ts';
