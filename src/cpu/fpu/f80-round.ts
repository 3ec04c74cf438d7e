// Operand classification, NaN propagation and the one rounding routine every f80 operation ends in.
// SDM vol. 1 §4.2.2 (extended format), §4.8.3 (special values, Table 4-7 NaN results), §4.9.1.4-6 (overflow,
// underflow, inexact), §8.1.3.1 (C1 = rounded up), §8.3.8 (unsupported encodings on the 387 and later).

import { type F80, type FpCtx, IE, DE, UE, OE, PE } from './f80-types.ts';

/** Operand classes: class order matters (everything ≥ QNAN needs the NaN/invalid path). */
export const ZERO = 0, FINITE = 1, INF = 2, QNAN = 3, SNAN = 4, UNSUP = 5;

/** Smallest normal exponent (unbiased) and the largest, of the extended format. */
export const EMIN = -16382, EMAX = 16383;
const BIAS = 16383;
/** Exponent adjustment of an unmasked overflow / underflow result delivered to a register (SDM §4.9.1.4-5). */
const WRAP = 24576;

export function classify(a: F80): number {
  const e = a.se & 0x7FFF;
  const integer = a.hi >>> 31;
  if (e === 0) return (a.hi | a.lo) === 0 ? ZERO : FINITE; // denormal or pseudo-denormal (integer bit 1)
  if (e === 0x7FFF) {
    if (integer === 0) return UNSUP; // pseudo-infinity, pseudo-NaN
    if ((a.hi & 0x7FFFFFFF) === 0 && a.lo === 0) return INF;
    return (a.hi & 0x40000000) !== 0 ? QNAN : SNAN;
  }
  return integer === 0 ? UNSUP : FINITE; // unnormal
}

/** A finite nonzero operand's significand as a BigInt (value = sigOf(a) · 2^expOf(a)). */
export function sigOf(a: F80): bigint {
  return (BigInt(a.hi) << 32n) | BigInt(a.lo);
}
/** The exponent of sigOf's unit bit: denormals and pseudo-denormals have the exponent of biased 1. */
export function expOf(a: F80): number {
  const e = a.se & 0x7FFF;
  return (e === 0 ? 1 : e) - BIAS - 63;
}

export function bitLen(x: bigint): number {
  let n = 0;
  while (x > 0xFFFFFFFFn) { x >>= 32n; n += 32; }
  return n + (32 - Math.clz32(Number(x)));
}

export function isDenormal(a: F80): boolean {
  return (a.se & 0x7FFF) === 0 && (a.hi | a.lo) !== 0;
}

/** Raise DE for denormal operands; false when DE is unmasked (nothing may be written). */
export function denormCheck(ctx: FpCtx, a: F80, b: F80 | null): boolean {
  if (isDenormal(a) || (b !== null && isDenormal(b))) {
    ctx.exc |= DE;
    if ((ctx.cw & DE) === 0) return false;
  }
  return true;
}

export function putRaw(out: F80, se: number, hi: number, lo: number): void {
  out.se = se & 0xFFFF;
  out.hi = hi >>> 0;
  out.lo = lo >>> 0;
}
export function putZero(out: F80, sign: number): void { putRaw(out, sign << 15, 0, 0); }
export function putInf(out: F80, sign: number): void { putRaw(out, (sign << 15) | 0x7FFF, 0x80000000, 0); }
/** The QNaN floating-point indefinite (SDM Table 4-3). */
export function putIndefinite(out: F80): void { putRaw(out, 0xFFFF, 0xC0000000, 0); }

/** Invalid operation: IE; masked → the indefinite, unmasked → false (no write). */
export function invalid(ctx: FpCtx, out: F80): boolean {
  ctx.exc |= IE;
  if ((ctx.cw & IE) === 0) return false;
  putIndefinite(out);
  return true;
}

/** One operand is a NaN or unsupported: the quieted NaN (IE for an SNaN) or the indefinite (IE). */
export function nan1(ctx: FpCtx, a: F80, ca: number, out: F80): boolean {
  if (ca === UNSUP) return invalid(ctx, out);
  if (ca === SNAN) {
    ctx.exc |= IE;
    if ((ctx.cw & IE) === 0) return false;
  }
  putRaw(out, a.se, a.hi | 0x40000000, a.lo);
  return true;
}

/** At least one operand is a NaN or unsupported (Table 4-7, x87 column): unsupported → indefinite; one NaN →
 *  it, quieted; an SNaN and a QNaN → the QNaN; two of a kind → the one with the larger significand, quieted;
 *  an SNaN raises IE. */
export function nan2(ctx: FpCtx, a: F80, b: F80, ca: number, cb: number, out: F80): boolean {
  if (ca === UNSUP || cb === UNSUP) return invalid(ctx, out);
  if (ca === SNAN || cb === SNAN) {
    ctx.exc |= IE;
    if ((ctx.cw & IE) === 0) return false;
  }
  let p = a;
  if (cb >= QNAN) {
    if (ca < QNAN) p = b;
    else if (ca !== cb) p = ca === QNAN ? a : b; // an SNaN and a QNaN: the QNaN
    else {
      // both NaNs: the larger significand (quiet bit ignored); equal → the one with the positive sign? → see nanTie
      const ah = (a.hi & 0x3FFFFFFF) >>> 0, bh = (b.hi & 0x3FFFFFFF) >>> 0;
      if (bh > ah || (bh === ah && b.lo > a.lo)) p = b;
      else if (bh === ah && b.lo === a.lo && nanTie(a, b)) p = b;
    }
  }
  putRaw(out, p.se, p.hi | 0x40000000, p.lo);
  return true;
}
/** Two NaNs with equal significands: true → take b. */
function nanTie(a: F80, b: F80): boolean {
  return (a.se & 0x8000) !== 0 && (b.se & 0x8000) === 0;
}

// ---- rounding ----

/** Results of round(): the rounded significand (< 2^prec) and the exponent of its bit prec-1. */
export let rSig = 0n;
export let rExp = 0;
/** round() outcomes. */
export const R_FINITE = 0, R_INF = 1, R_MAX = 2, R_OVF = 3, R_UNF = 4;

/** sig >> shift rounded by rc (0 nearest-even, 1 down, 2 up, 3 toward zero; sign says which way is up):
 *  leaves it in rqSig and rqUp = rounded up in magnitude; returns true when inexact. */
export let rqSig = 0n;
export let rqUp = false;
export function roundShift(sig: bigint, shift: number, sign: number, rc: number): boolean {
  if (shift <= 0) { rqSig = sig << BigInt(-shift); rqUp = false; return false; }
  const sh = BigInt(shift);
  let q = sig >> sh;
  const rem = sig - (q << sh);
  if (rem === 0n) { rqSig = q; rqUp = false; return false; }
  let up: boolean;
  if (rc === 0) {
    const half = 1n << (sh - 1n);
    up = rem > half || (rem === half && (q & 1n) === 1n);
  } else if (rc === 1) up = sign === 1;
  else if (rc === 2) up = sign === 0;
  else up = false;
  if (up) q += 1n;
  rqSig = q;
  rqUp = up;
  return true;
}

/** Tininess is detected after rounding (the result rounded to `prec` bits with an unbounded exponent is
 *  below the smallest normal), as the x87 does. */
const TINY_AFTER_ROUNDING = true;

/**
 * Round sign·sig·2^e (sig > 0; its lowest bit may be a sticky bit, callers keep at least two bits below any
 * rounding point they can reach) to `prec` significant bits with exponent range [emin, emax], by ctx.cw's RC
 * and masks. Sets PE, UE, OE and ctx.c1; leaves rSig/rExp. Returns R_FINITE (rSig/rExp hold a normal,
 * denormal — rExp = emin, rSig < 2^(prec-1) — or zero), R_INF / R_MAX (masked overflow), R_OVF / R_UNF
 * (unmasked overflow / underflow: rSig/rExp hold the result rounded with an unbounded exponent).
 */
export function round(ctx: FpCtx, sign: number, e: number, sig: bigint, prec: number, emin: number, emax: number): number {
  const rc = (ctx.cw >> 10) & 3;
  const n = bitLen(sig);
  let E = e + n - 1;
  let inexact = roundShift(sig, n - prec, sign, rc);
  let up = rqUp;
  let q = rqSig;
  if (q >> BigInt(prec) !== 0n) { q >>= 1n; E++; }
  ctx.c1 = 0;
  if (E > emax) {
    ctx.exc |= OE;
    if ((ctx.cw & OE) === 0) {
      if (inexact) { ctx.exc |= PE; ctx.c1 = up ? 1 : 0; }
      rSig = q; rExp = E;
      return R_OVF;
    }
    ctx.exc |= PE;
    // masked overflow: ∞ when rounding goes away from zero in this direction, else the largest finite
    const toInf = rc === 0 || (rc === 1 && sign === 1) || (rc === 2 && sign === 0);
    ctx.c1 = toInf ? 1 : 0;
    rSig = (1n << BigInt(prec)) - 1n; rExp = emax;
    return toInf ? R_INF : R_MAX;
  }
  const tinyBefore = e + n - 1 < emin;
  const tiny = TINY_AFTER_ROUNDING ? E < emin : tinyBefore;
  if (tiny && (ctx.cw & UE) === 0) {
    ctx.exc |= UE;
    if (inexact) { ctx.exc |= PE; ctx.c1 = up ? 1 : 0; }
    rSig = q; rExp = E;
    return R_UNF;
  }
  if (tinyBefore) {
    // masked underflow: denormalize, rounding at the fixed position of the smallest normal's last bit
    inexact = roundShift(sig, emin - prec + 1 - e, sign, rc);
    up = rqUp;
    q = rqSig;
    E = emin;
    if (inexact && tiny) ctx.exc |= UE;
  }
  if (inexact) { ctx.exc |= PE; ctx.c1 = up ? 1 : 0; }
  rSig = q; rExp = E;
  return R_FINITE;
}

/** Write round()'s result as an extended value (`prec` ≤ 64 bits placed at the top of the significand);
 *  unmasked overflow/underflow results get the exponent wrapped by ∓24576. */
export function packF80(out: F80, sign: number, kind: number, prec: number): void {
  if (kind === R_INF) { putInf(out, sign); return; }
  let biased: number;
  const sig = rSig << BigInt(64 - prec);
  if (rSig === 0n) biased = 0;
  else if (kind === R_OVF) biased = rExp + BIAS - WRAP;
  else if (kind === R_UNF) biased = rExp + BIAS + WRAP;
  else biased = (rSig >> BigInt(prec - 1)) !== 0n ? rExp + BIAS : 0;
  putRaw(out, (sign << 15) | (biased & 0x7FFF), Number(sig >> 32n), Number(sig & 0xFFFFFFFFn));
}

/** Round sign·sig·2^e to the extended format with `prec` bits (64, or the control word's PC) and write it. */
export function roundPack(ctx: FpCtx, out: F80, sign: number, e: number, sig: bigint, prec: number): void {
  if (sig === 0n) { ctx.c1 = 0; putZero(out, sign); return; }
  const kind = round(ctx, sign, e, sig, prec, EMIN, EMAX);
  if (kind === R_OVF && rExp + BIAS - WRAP >= 0x7FFF) {
    // beyond even the wrapped range (only FSCALE gets here): ∞, inexact, rounded up
    ctx.exc |= PE;
    ctx.c1 = 1;
    putInf(out, sign);
    return;
  }
  if (kind === R_UNF && rExp + BIAS + WRAP < 1) {
    // below even the wrapped range (FSCALE): a zero, inexact
    ctx.exc |= PE;
    ctx.c1 = 0;
    putZero(out, sign);
    return;
  }
  packF80(out, sign, kind, prec);
}

/** The precision the control word's PC field selects (SDM §8.1.5.2; the reserved 1 acts as 64). */
export function pcBits(cw: number): number {
  const pc = (cw >> 8) & 3;
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}
