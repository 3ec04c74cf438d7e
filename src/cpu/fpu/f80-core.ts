// FADD/FSUB/FMUL/FDIV/FSQRT on extended values: special operands (SDM vol. 2 tables on each instruction page,
// vol. 1 Table 4-7), then the exact result in BigInt and one rounding to the control word's precision
// (PC applies to exactly these, vol. 1 §8.1.5.2) and rounding mode. Normal operands with a normal result take
// the allocation-free word paths of f80-fast.ts first.

import { type F80, type FpCtx, ZE } from './f80-types.ts';
import {
  ZERO, INF, QNAN, classify, sigOf, expOf, bitLen, denormCheck, putZero, putInf, invalid, nan1, nan2,
  roundPack, pcBits,
} from './f80-round.ts';
import { addFast, mulFast, divFast } from './f80-fast.ts';

/** Below the larger operand's last bit by more than this, the smaller one only matters as a sticky bit. */
const FAR_BITS = 130;

function addSub(ctx: FpCtx, a: F80, b: F80, flip: number, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sa = a.se >>> 15, sb = (b.se >>> 15) ^ flip;
  if (ca === INF || cb === INF) {
    if (ca === INF && cb === INF) {
      if (sa !== sb) return invalid(ctx, out);
    } else if (!denormCheck(ctx, a, b)) return false;
    ctx.c1 = 0;
    putInf(out, ca === INF ? sa : sb);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  const rc = (ctx.cw >> 10) & 3;
  if (ca === ZERO && cb === ZERO) {
    ctx.c1 = 0;
    putZero(out, sa === sb ? sa : rc === 1 ? 1 : 0);
    return true;
  }
  let x = ca === ZERO ? 0n : sigOf(a), y = cb === ZERO ? 0n : sigOf(b);
  let ex = ca === ZERO ? expOf(b) : expOf(a), ey = cb === ZERO ? ex : expOf(b);
  if (ca === ZERO) ex = ey;
  let e: number;
  if (ex >= ey) {
    let d = ex - ey;
    if (d > FAR_BITS) { d = FAR_BITS; y = 1n; }
    x <<= BigInt(d); e = ex - d;
  } else {
    let d = ey - ex;
    if (d > FAR_BITS) { d = FAR_BITS; x = 1n; }
    y <<= BigInt(d); e = ey - d;
  }
  let s = (sa ? -x : x) + (sb ? -y : y);
  let sign = 0;
  if (s < 0n) { sign = 1; s = -s; }
  if (s === 0n) sign = rc === 1 ? 1 : 0; // exact zero sum of opposite values: +0, or -0 rounding down (§4.8.3.4)
  roundPack(ctx, out, sign, e, s, pcBits(ctx.cw));
  return true;
}

/** out = a + b. */
export function add(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  return addFast(ctx, a, b, 0, out, pcBits(ctx.cw)) || addSub(ctx, a, b, 0, out);
}
/** out = a - b. */
export function sub(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  return addFast(ctx, a, b, 1, out, pcBits(ctx.cw)) || addSub(ctx, a, b, 1, out);
}
/** The exact paths alone (the reference of f80-fast.test.ts). */
export const addExact = (ctx: FpCtx, a: F80, b: F80, out: F80): boolean => addSub(ctx, a, b, 0, out);
export const subExact = (ctx: FpCtx, a: F80, b: F80, out: F80): boolean => addSub(ctx, a, b, 1, out);

/** out = a · b. */
export function mul(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  return mulFast(ctx, a, b, out, pcBits(ctx.cw)) || mulExact(ctx, a, b, out);
}
export function mulExact(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sign = (a.se ^ b.se) >>> 15;
  if (ca === INF || cb === INF) {
    if (ca === ZERO || cb === ZERO) return invalid(ctx, out);
    if (!denormCheck(ctx, a, b)) return false;
    ctx.c1 = 0;
    putInf(out, sign);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  if (ca === ZERO || cb === ZERO) { ctx.c1 = 0; putZero(out, sign); return true; }
  roundPack(ctx, out, sign, expOf(a) + expOf(b), sigOf(a) * sigOf(b), pcBits(ctx.cw));
  return true;
}

/** out = a / b. */
export function div(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  return divFast(ctx, a, b, out, pcBits(ctx.cw)) || divExact(ctx, a, b, out);
}
export function divExact(ctx: FpCtx, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a), cb = classify(b);
  if (ca >= QNAN || cb >= QNAN) return nan2(ctx, a, b, ca, cb, out);
  const sign = (a.se ^ b.se) >>> 15;
  if ((ca === INF && cb === INF) || (ca === ZERO && cb === ZERO)) return invalid(ctx, out);
  ctx.c1 = 0;
  if (ca === INF) {
    if (!denormCheck(ctx, b, null)) return false;
    putInf(out, sign);
    return true;
  }
  if (cb === INF) {
    if (!denormCheck(ctx, a, null)) return false;
    putZero(out, sign);
    return true;
  }
  if (cb === ZERO) {
    // divide by zero takes priority over a denormal dividend (§4.9.2)
    ctx.exc |= ZE;
    if ((ctx.cw & ZE) === 0) return false;
    putInf(out, sign);
    return true;
  }
  if (!denormCheck(ctx, a, b)) return false;
  if (ca === ZERO) { putZero(out, sign); return true; }
  const x = sigOf(a), y = sigOf(b);
  let k = 70 + bitLen(y) - bitLen(x);
  if (k < 0) k = 0;
  const n = x << BigInt(k);
  const q = n / y;
  const sticky = n - q * y === 0n ? 0n : 1n;
  roundPack(ctx, out, sign, expOf(a) - expOf(b) - k - 1, (q << 1n) | sticky, pcBits(ctx.cw));
  return true;
}

/** floor(sqrt(n)) by Newton's iteration from above. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLen(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** out = √a. */
export function sqrt(ctx: FpCtx, a: F80, out: F80): boolean {
  const ca = classify(a);
  if (ca >= QNAN) return nan1(ctx, a, ca, out);
  const sign = a.se >>> 15;
  ctx.c1 = 0;
  if (ca === ZERO) { putZero(out, sign); return true; } // √-0 = -0
  if (sign === 1) return invalid(ctx, out);
  if (ca === INF) { putInf(out, 0); return true; }
  if (!denormCheck(ctx, a, null)) return false;
  let s = sigOf(a), e = expOf(a);
  if (e & 1) { s <<= 1n; e -= 1; }
  let k = (142 - bitLen(s)) >> 1;
  if (k < 0) k = 0;
  s <<= BigInt(2 * k);
  e -= 2 * k;
  const r = isqrt(s);
  const sticky = r * r === s ? 0n : 1n;
  roundPack(ctx, out, 0, (e >> 1) - 1, (r << 1n) | sticky, pcBits(ctx.cw));
  return true;
}
