// F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS (SDM vol. 2 instruction pages and their tables of
// special operands). Values are computed in BigInt fixed point with hundreds of guard bits (f80-bigmath.ts)
// and rounded once to 64 bits by RC (precision control does not apply, vol. 1 §8.1.5.2), so results are
// correctly rounded except within 2^-300 or so of a rounding boundary. Trig arguments are reduced exactly
// modulo the x87's own 66-bit π/2 (|x| < 2^63; larger → C2 = 1, operand unchanged).

import { type F80, type FpCtx, ZE, PE, UE } from './f80-types.ts';
import {
  ZERO, INF, QNAN, classify, sigOf, expOf, bitLen, denormCheck, putZero, putInf, putRaw, invalid, nan1, nan2,
  roundPack,
} from './f80-round.ts';
import { CF, PI, LN2, LOG2E, at, log2Fix, log2Exact, expm1Fix, sinFix, cosFix, atanFix } from './f80-bigmath.ts';

/** Working fractional bits. */
const F = 448;
const FB = BigInt(F);
/** Below 2^-TINY an argument takes the closed forms (first term plus the known sign of the rest). */
const TINY = 128;

/** Round |value| = M·2^e (M > 0, an approximation of an irrational value within a few units) with a sticky
 *  bit: always inexact. */
function finish(ctx: FpCtx, out: F80, sign: number, M: bigint, e: number): void {
  roundPack(ctx, out, sign, e - 1, (M << 1n) | 1n, 64);
}
/** The normalized exponent of a finite nonzero value (value in [2^E, 2^(E+1))). */
const normExp = (a: F80) => expOf(a) + bitLen(sigOf(a)) - 1;
/** |a| in F-bit fixed point: exact, since callers pass only 2^-TINY ≤ |a| < 2^63. */
function fix(a: F80): bigint {
  const e = expOf(a) + F;
  const s = sigOf(a);
  return e >= 0 ? s << BigInt(e) : s >> BigInt(-e);
}

/** F2XM1: 2^a - 1 (the SDM defines it for -1 ≤ a ≤ +1). */
export function f2xm1(ctx: FpCtx, a: F80, out: F80): boolean {
  const ca = classify(a);
  if (ca >= QNAN) return nan1(ctx, a, ca, out);
  const sign = a.se >>> 15;
  ctx.c1 = 0;
  if (ca === ZERO) { out.set(a); return true; }
  if (ca === INF) {
    if (sign) putRaw(out, 0xBFFF, 0x80000000, 0); // 2^-∞ - 1 = -1
    else putInf(out, 0);
    return true;
  }
  if (!denormCheck(ctx, a, null)) return false;
  const E = normExp(a);
  if (E < -TINY) {
    // 2^x - 1 = x·ln2·(1 + x·ln2/2 + ...): the correction is far below the sticky bit
    finish(ctx, out, sign, sigOf(a) * LN2, expOf(a) - CF);
    return true;
  }
  if (E === 0 && a.hi === 0x80000000 && a.lo === 0) {
    // ±1: 1 or -0.5. Silicon reports them inexact (PE; C1 = 1 for +1) though the values are exact.
    if (sign) putRaw(out, 0xBFFE, 0x80000000, 0);
    else { putRaw(out, 0x3FFF, 0x80000000, 0); ctx.c1 = 1; }
    ctx.exc |= PE;
    return true;
  }
  if (E >= 0) {
    // |a| > 1: undefined by the SDM; silicon leaves the operand as it is and reports PE
    ctx.exc |= PE;
    out.set(a);
    return true;
  }
  const X = fix(a);
  const U = ((sign ? -X : X) * at(LN2, F)) >> FB;
  const r = expm1Fix(U, F);
  finish(ctx, out, r < 0n ? 1 : 0, r < 0n ? -r : r, -F);
  return true;
}

/** FYL2X: out = b·log2(a) (a = ST0, b = ST1). */
export function fyl2x(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sa = a.se >>> 15, sb = b.se >>> 15;
  ctx.c1 = 0;
  if (sa === 1 && ca !== ZERO) return invalid(ctx, out); // log of a negative number
  if (ca === ZERO) {
    if (cb === ZERO) return invalid(ctx, out);
    if (cb !== INF) {
      // divide by zero: takes priority over a denormal b (no DE, as silicon)
      ctx.exc |= ZE;
      if ((ctx.cw & ZE) === 0) return false;
    }
    putInf(out, sb ^ 1); // log2(0) = -∞
    return true;
  }
  if (ca === INF) {
    if (cb === ZERO) return invalid(ctx, out);
    if (!denormCheck(ctx, b, null)) return false;
    putInf(out, sb);
    return true;
  }
  // a finite positive: the sign of log2(a) decides
  const isOne = normExp(a) === 0 && a.hi === 0x80000000 && a.lo === 0;
  const logSign = normExp(a) < 0 ? 1 : 0;
  if (cb === INF) {
    if (isOne) return invalid(ctx, out);
    if (!denormCheck(ctx, a, null)) return false;
    putInf(out, sb ^ logSign);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  if (cb === ZERO || isOne) { putZero(out, isOne ? sb : sb ^ logSign); return true; }
  const L = log2Fix(sigOf(a), expOf(a), F);
  const neg = L < 0n;
  const mag = neg ? -L : L;
  if (log2Exact) {
    // a is a power of two: b·k, exact; silicon still reports PE (and UE for a tiny result)
    roundPack(ctx, out, sb ^ (neg ? 1 : 0), expOf(b), sigOf(b) * (mag >> FB), 64);
    ctx.exc |= PE;
    if ((out.se & 0x7FFF) === 0 && (out.hi | out.lo) !== 0) ctx.exc |= UE;
    return true;
  }
  finish(ctx, out, sb ^ (neg ? 1 : 0), mag * sigOf(b), expOf(b) - F);
  return true;
}

/** FYL2XP1: out = b·log2(a + 1) (the SDM defines it for |a| < 1 - √2/2). */
export function fyl2xp1(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sa = a.se >>> 15, sb = b.se >>> 15;
  ctx.c1 = 0;
  if (ca === INF) {
    if (sa === 1 || cb === ZERO) return invalid(ctx, out);
    if (!denormCheck(ctx, b, null)) return false;
    putInf(out, sb);
    return true;
  }
  if (ca === ZERO) {
    if (cb === INF) return invalid(ctx, out);
    if (!denormCheck(ctx, b, null)) return false;
    putZero(out, sa ^ sb);
    return true;
  }
  // a finite nonzero: log2(1 + a) has the sign of a (for a > -1)
  const E = normExp(a);
  if (sa === 1 && E >= 0) { // a ≤ -1: log of a non-positive number
    return invalid(ctx, out);
  }
  if (cb === INF) {
    if (!denormCheck(ctx, a, null)) return false;
    putInf(out, sa ^ sb);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  if (cb === ZERO) { putZero(out, sa ^ sb); return true; }
  if (E < -TINY) {
    // log2(1 + x) = x·log2e·(1 - x/2 + ...): the correction is far below the sticky bit
    finish(ctx, out, sa ^ sb, sigOf(a) * sigOf(b) * LOG2E, expOf(a) + expOf(b) - CF);
    return true;
  }
  // 1 + a exactly: (2^-e + sig)·2^e
  const e = expOf(a), s = sigOf(a);
  const S = e >= 0 ? (1n << 0n) + (sa ? -(s << BigInt(e)) : s << BigInt(e)) : (1n << BigInt(-e)) + (sa ? -s : s);
  const L = log2Fix(S, e >= 0 ? 0 : e, F);
  const mag = L < 0n ? -L : L;
  finish(ctx, out, sa ^ sb, mag * sigOf(b), expOf(b) - F);
  return true;
}

// ---- trigonometric ----

/** π/2 as the x87 uses it for argument reduction: the 66-bit π of SDM vol. 1 §8.3.10 (0.C90FDAA22168C234C·2^2,
 *  which silicon also uses: sin(x) for x next to π comes out as π66 - x, not π - x), with F fractional bits. */
const PIO2 = 0xC90FDAA22168C234Cn << BigInt(F - 67);
let trigQ = 0; // quadrant of the reduced argument
/** |a| mod π/2 (nearest): the reduced argument in F-bit fixed point, quadrant in trigQ. */
function reduce(a: F80): bigint {
  const X = fix(a);
  const q = (X + (PIO2 >> 1n)) / PIO2;
  trigQ = Number(q & 3n);
  return X - q * PIO2;
}
/** sin and cos of |a| (fixed point) into trigSin/trigCos. */
let trigSin = 0n, trigCos = 0n;
function sinCosAbs(a: F80): void {
  const r = reduce(a);
  const s = sinFix(r, F), c = cosFix(r, F);
  switch (trigQ) {
    case 0: trigSin = s; trigCos = c; break;
    case 1: trigSin = c; trigCos = -s; break;
    case 2: trigSin = -s; trigCos = -c; break;
    default: trigSin = -c; trigCos = s; break;
  }
}

/** Shared special cases of FSIN/FCOS/FSINCOS/FPTAN: returns -2 to go on computing, else the return code
 *  (results written to out and out2 where given). */
function trigSpecial(ctx: FpCtx, a: F80, out: F80, out2: F80 | null, zeroCos: boolean): number {
  const ca = classify(a);
  ctx.c1 = 0;
  if (ca >= QNAN) {
    if (!nan1(ctx, a, ca, out)) return -1;
    if (out2) out2.set(out);
    return 0;
  }
  if (ca === INF) {
    if (!invalid(ctx, out)) return -1;
    if (out2) out2.set(out);
    return 0;
  }
  if (ca === ZERO) {
    // sin ±0 = ±0, tan ±0 = ±0, cos ±0 = +1
    const sign = a.se >>> 15;
    if (zeroCos) putRaw(out, 0x3FFF, 0x80000000, 0);
    else putZero(out, sign);
    if (out2) putRaw(out2, 0x3FFF, 0x80000000, 0);
    return 0;
  }
  if (normExp(a) >= 63) return 0x400; // out of range: C2 = 1, operand unchanged
  if (!denormCheck(ctx, a, null)) return -1;
  return -2;
}

/** FSIN. Returns 0 done, 0x400 (C2) out of range |a| ≥ 2^63 (operand unchanged), -1 nothing written. */
export function fsin(ctx: FpCtx, a: F80, out: F80): number {
  const r = trigSpecial(ctx, a, out, null, false);
  if (r !== -2) return r;
  const sign = a.se >>> 15;
  if (normExp(a) < -TINY) { finish(ctx, out, sign, (sigOf(a) << 256n) - 1n, expOf(a) - 256); return 0; } // x - x³/6
  sinCosAbs(a);
  const s = trigSin;
  finish(ctx, out, sign ^ (s < 0n ? 1 : 0), s < 0n ? -s : s, -F);
  return 0;
}

/** FCOS (return codes as fsin). */
export function fcos(ctx: FpCtx, a: F80, out: F80): number {
  const r = trigSpecial(ctx, a, out, null, true);
  if (r !== -2) return r;
  if (normExp(a) < -TINY) { finish(ctx, out, 0, (1n << 256n) - 1n, -256); return 0; } // 1 - x²/2
  sinCosAbs(a);
  const c = trigCos;
  finish(ctx, out, c < 0n ? 1 : 0, c < 0n ? -c : c, -F);
  return 0;
}

/** FSINCOS: sinOut = sin a, cosOut = cos a (return codes as fsin; the x87 layer puts the sine in ST1 and the
 *  cosine in ST0). Exceptions accumulate over both roundings; C1 is the sine's (as silicon reports it). */
export function fsincos(ctx: FpCtx, a: F80, sinOut: F80, cosOut: F80): number {
  const r = trigSpecial(ctx, a, sinOut, cosOut, false);
  if (r !== -2) return r;
  const sign = a.se >>> 15;
  if (normExp(a) < -TINY) {
    const s = (sigOf(a) << 256n) - 1n, e = expOf(a) - 256;
    finish(ctx, cosOut, 0, (1n << 256n) - 1n, -256);
    finish(ctx, sinOut, sign, s, e);
    return 0;
  }
  sinCosAbs(a);
  const s = trigSin, c = trigCos;
  finish(ctx, cosOut, c < 0n ? 1 : 0, c < 0n ? -c : c, -F);
  finish(ctx, sinOut, sign ^ (s < 0n ? 1 : 0), s < 0n ? -s : s, -F);
  return 0;
}

/** FPTAN: out = tan a. Returns 0 done (the x87 layer then pushes 1.0 — but when out is a NaN, from a NaN
 *  operand or a masked invalid ±∞/unsupported one, it pushes that same NaN instead, as silicon does: both ST0
 *  and ST1 hold it), 0x400 (C2) out of range |a| ≥ 2^63 (operand unchanged, nothing pushed), -1 nothing
 *  written. */
export function fptan(ctx: FpCtx, a: F80, out: F80): number {
  const r = trigSpecial(ctx, a, out, null, false);
  if (r !== -2) return r;
  const sign = a.se >>> 15;
  if (normExp(a) < -TINY) { finish(ctx, out, sign, (sigOf(a) << 256n) + 1n, expOf(a) - 256); return 0; } // x + x³/3
  sinCosAbs(a);
  const s = trigSin, c = trigCos;
  const neg = (s < 0n) !== (c < 0n);
  const t = ((s < 0n ? -s : s) << FB) / (c < 0n ? -c : c);
  finish(ctx, out, sign ^ (neg ? 1 : 0), t, -F);
  return 0;
}

/** FPATAN: out = atan(b/a) with the quadrant of (a, b) (a = ST0 = x, b = ST1 = y; vol. 2 FPATAN table). */
export function fpatan(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sx = a.se >>> 15, sy = b.se >>> 15;
  ctx.c1 = 0;
  if (!denormCheck(ctx, a, b)) return false;
  // angles as multiples of π/4 for the special cases
  let quarters = -1;
  if (cb === ZERO) {
    if (sx === 0) { putZero(out, sy); return true; }
    quarters = 4;
  } else if (cb === INF) {
    quarters = ca === INF ? (sx ? 3 : 1) : 2;
  } else if (ca === ZERO) {
    quarters = 2;
  } else if (ca === INF) {
    if (sx === 0) { putZero(out, sy); return true; }
    quarters = 4;
  }
  if (quarters >= 0) {
    finish(ctx, out, sy, at(PI, F) * BigInt(quarters) / 4n, -F);
    return true;
  }
  const ey = normExp(b), ex = normExp(a);
  const yBig = ey > ex || (ey === ex && (b.hi > a.hi || (b.hi === a.hi && b.lo > a.lo)));
  if (!yBig && sx === 0 && ey - ex < -TINY) {
    // atan(t) = t - t³/3 for tiny t = |y/x|: just below t
    const num = sigOf(b) << 256n, den = sigOf(a);
    const q = num / den;
    const M = num - q * den === 0n ? (q << 1n) - 1n : (q << 1n) | 1n;
    roundPack(ctx, out, sy, expOf(b) - expOf(a) - 257, M, 64);
    return true;
  }
  // t = min/max in fixed point, exact to F bits
  const [mn, mx] = yBig ? [a, b] : [b, a];
  const sh = F + expOf(mn) - expOf(mx);
  const T = sh >= 0 ? (sigOf(mn) << BigInt(sh)) / sigOf(mx) : 0n;
  let ang = atanFix(T, F);
  if (yBig) ang = (at(PI, F) >> 1n) - ang;
  if (sx) ang = at(PI, F) - ang;
  finish(ctx, out, sy, ang, -F);
  return true;
}

