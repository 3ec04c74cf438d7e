// The non-arithmetic x87 operations on values: FCOM/FUCOM family comparison, FXAM classes, FRNDINT, FSCALE,
// FXTRACT and the partial remainders FPREM/FPREM1 (SDM vol. 2 instruction pages, vol. 1 §8.3.6-8.3.9).
// None of them honours precision control (vol. 1 §8.1.5.2): results are rounded to 64 bits where needed.

import { type F80, type FpCtx, IE, ZE, PE, DE } from './f80-types.ts';
import {
  ZERO, FINITE, INF, QNAN, SNAN, UNSUP, classify, sigOf, expOf, bitLen, denormCheck, isDenormal, putZero,
  putInf, putRaw, invalid, nan1, nan2, roundPack, roundShift, rqSig, rqUp,
} from './f80-round.ts';
import { fromInt32 } from './f80-convert.ts';

/** Magnitude comparison of two finite nonzero values: -1, 0, 1. */
function cmpMag(a: F80, b: F80): number {
  const x = sigOf(a), y = sigOf(b);
  const nx = bitLen(x), ny = bitLen(y);
  const Ex = expOf(a) + nx, Ey = expOf(b) + ny;
  if (Ex !== Ey) return Ex > Ey ? 1 : -1;
  const xs = x << BigInt(64 - nx), ys = y << BigInt(64 - ny);
  return xs === ys ? 0 : xs > ys ? 1 : -1;
}

/**
 * Compare a (ST0) with b: 0 a > b, 1 a < b, 2 equal, 3 unordered. Unsupported operands and SNaNs raise IE,
 * QNaNs too unless `quiet` (FUCOM*: SDM vol. 2 FUCOM). Denormals raise DE. The result is always a class; the
 * caller checks ctx.exc against the masks (an unmasked IE/DE leaves the condition codes and the stack alone).
 */
export function compare(ctx: FpCtx, a: F80, b: F80, quiet: boolean): number {
  const ca = classify(a), cb = classify(b);
  ctx.c1 = 0;
  if (ca >= QNAN || cb >= QNAN) {
    if (!quiet || ca === SNAN || cb === SNAN || ca === UNSUP || cb === UNSUP) ctx.exc |= IE;
    return 3;
  }
  if (isDenormal(a) || isDenormal(b)) ctx.exc |= DE;
  const sa = a.se >>> 15, sb = b.se >>> 15;
  // signed magnitudes: zero < finite < infinity
  if (ca === ZERO && cb === ZERO) return 2;
  let m: number; // sign of a - b
  if (ca === ZERO) m = sb ? 1 : -1;
  else if (cb === ZERO) m = sa ? -1 : 1;
  else if (sa !== sb) m = sa ? -1 : 1;
  else {
    let mag: number;
    if (ca === INF || cb === INF) mag = ca === cb ? 0 : ca === INF ? 1 : -1;
    else mag = cmpMag(a, b);
    m = sa ? -mag : mag;
  }
  return m > 0 ? 0 : m < 0 ? 1 : 2;
}

/** FXAM class code c3<<2 | c2<<1 | c0 (vol. 2 FXAM table; "empty" is the x87 layer's); C1 is the sign,
 *  a.se >>> 15. */
export function examine(a: F80): number {
  switch (classify(a)) {
    case UNSUP: return 0;
    case QNAN: case SNAN: return 1;
    case INF: return 3;
    case ZERO: return 4;
    default: return (a.se & 0x7FFF) === 0 ? 6 : 2;
  }
}

/** FRNDINT: a rounded to an integer by RC; PE when inexact, C1 = rounded up. */
export function roundInt(ctx: FpCtx, a: F80, out: F80): boolean {
  const ca = classify(a);
  if (ca >= QNAN) return nan1(ctx, a, ca, out);
  ctx.c1 = 0;
  if (ca !== FINITE) { out.set(a); return true; }
  if (!denormCheck(ctx, a, null)) return false;
  const e = expOf(a);
  if (e >= 0) { out.set(a); return true; }
  const sign = a.se >>> 15;
  const inexact = roundShift(sigOf(a), -e, sign, (ctx.cw >> 10) & 3);
  const r = rqSig, up = rqUp;
  roundPack(ctx, out, sign, 0, r, 64);
  if (inexact) { ctx.exc |= PE; ctx.c1 = up ? 1 : 0; }
  return true;
}

/** FSCALE: a·2^trunc(b) (a = ST0, b = ST1), rounded to 64 bits. */
export function scale(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sa = a.se >>> 15, sb = b.se >>> 15;
  ctx.c1 = 0;
  if (cb === INF) {
    if (sb === 1 ? ca === INF : ca === ZERO) return invalid(ctx, out);
    if (!denormCheck(ctx, a, null)) return false;
    if (ca === ZERO || ca === INF) out.set(a);
    else if (sb) putZero(out, sa);
    else putInf(out, sa);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  if (ca !== FINITE) { out.set(a); return true; }
  // trunc(b), clamped far beyond any exponent that can still give a finite nonzero result
  let n = 0;
  if (cb === FINITE) {
    const e = expOf(b), s = sigOf(b);
    const lim = 1 << 20;
    if (e + bitLen(s) > 21) n = lim;
    else n = e >= 0 ? Number(s << BigInt(e)) : Number(s >> BigInt(-e));
    if (sb) n = -n;
  }
  roundPack(ctx, out, sa, expOf(a) + n, sigOf(a), 64);
  return true;
}

/** FXTRACT: sigOut = the significand (exponent 0x3FFF, sign kept), expOut = the unbiased exponent. */
export function xtract(ctx: FpCtx, a: F80, sigOut: F80, expOut: F80): boolean {
  const ca = classify(a);
  ctx.c1 = 0;
  if (ca >= QNAN) {
    if (!nan1(ctx, a, ca, sigOut)) return false;
    expOut.set(sigOut);
    return true;
  }
  const sign = a.se >>> 15;
  if (ca === ZERO) {
    ctx.exc |= ZE;
    if ((ctx.cw & ZE) === 0) return false;
    putInf(expOut, 1);
    putZero(sigOut, sign);
    return true;
  }
  if (ca === INF) { putInf(expOut, 0); putInf(sigOut, sign); return true; }
  if (!denormCheck(ctx, a, null)) return false;
  const s = sigOf(a), n = bitLen(s);
  const E = expOf(a) + n - 1;
  const t = s << BigInt(64 - n);
  putRaw(sigOut, (sign << 15) | 0x3FFF, Number(t >> 32n), Number(t & 0xFFFFFFFFn));
  fromInt32(E, expOut);
  return true;
}


/**
 * FPREM (ieee=false: the quotient truncated) / FPREM1 (ieee=true: rounded to nearest even) of a = ST0 by
 * b = ST1. Returns the status bits to set: C2 (0x400) when the reduction is incomplete, else the quotient's
 * low bits Q2 → C0 (0x100), Q1 → C3 (0x4000), Q0 → C1 (0x200); -1 when nothing may be written.
 */
export function rem(ctx: FpCtx, a: F80, b: F80, out: F80, ieee: boolean): number {
  const ca = classify(a), cb = classify(b);
  ctx.c1 = 0;
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out) ? 0 : -1;
  if (ca === INF || cb === ZERO) return invalid(ctx, out) ? 0 : -1;
  if (!denormCheck(ctx, a, b)) return -1;
  const sa = a.se >>> 15;
  if (ca === ZERO) { out.set(a); return 0; }
  if (cb === INF) { roundPack(ctx, out, sa, expOf(a), sigOf(a), 64); return 0; } // a, normalized
  const x = sigOf(a), y = sigOf(b);
  const ex = expOf(a), ey = expOf(b);
  const nx = bitLen(x), ny = bitLen(y);
  const d = (ex + nx) - (ey + ny); // difference of the normalized exponents
  if (d < -1) { roundPack(ctx, out, sa, ex, x, 64); return 0; } // |a| < |b|/2: quotient 0 either way (normalized)
  const m = Math.min(ex, ey);
  let X = x << BigInt(ex - m);
  const Y = y << BigInt(ey - m);
  if (d >= 64) {
    // partial: reduce by b·QQ·2^(d-N), QQ = trunc(a/b / 2^(d-N)) (the same for FPREM1). N is "implementation
    // dependent, between 32 and 63" (SDM); silicon uses N = 32 + d mod 32, so d - N is a multiple of 32.
    const sh = BigInt(d - 32 - (d & 31));
    const YY = Y << sh;
    const qq = X / YY;
    X -= qq * YY;
    if (X === 0n) putZero(out, sa);
    else roundPack(ctx, out, sa, m, X, 64);
    return 0x400;
  }
  let q = X / Y;
  let r = X - q * Y;
  let sign = sa;
  if (ieee) {
    const r2 = r << 1n;
    if (r2 > Y || (r2 === Y && (q & 1n) === 1n)) { q += 1n; r = Y - r; sign ^= 1; }
  }
  if (r === 0n) putZero(out, sa);
  else roundPack(ctx, out, sign, m, r, 64);
  const ql = Number(q & 7n);
  return ((ql & 4) ? 0x100 : 0) | ((ql & 2) ? 0x4000 : 0) | ((ql & 1) ? 0x200 : 0);
}
