// Fixed-point BigInt arithmetic for the transcendental instructions and the constants: a real x is the
// BigInt X = round(x · 2^F). Series are summed with F fractional bits; callers pick F with plenty of guard
// bits above the 64 they keep (each series here is accurate to a few units of 2^-F).

/** Fractional bits of the constants (enough for FPREM-free trig reduction of |x| < 2^63 with 384 bits left). */
export const CF = 512;

/** atanh(t) = t + t^3/3 + t^5/5 + ..., |t| ≤ 1/3 (T fixed point with F bits; odd, so summed on |t|). */
export function atanhFix(T: bigint, F: number): bigint {
  if (T < 0n) return -atanhFix(-T, F);
  const f = BigInt(F);
  const t2 = (T * T) >> f;
  let pow = T, sum = T;
  for (let k = 3n; ; k += 2n) {
    pow = (pow * t2) >> f;
    if (pow === 0n) return sum;
    sum += pow / k;
  }
}

/** atan(t) = t - t^3/3 + t^5/5 - ..., |t| ≤ ~0.42. */
export function atanSeries(T: bigint, F: number): bigint {
  const f = BigInt(F);
  const t2 = (T * T) >> f;
  let pow = T, sum = T;
  for (let k = 3n, sgn = -1n; ; k += 2n, sgn = -sgn) {
    pow = (pow * t2) >> f;
    if (pow === 0n) return sum;
    sum += sgn * (pow / k);
  }
}

/** atan(1/n) for a small integer n ≥ 2, fixed point. */
function atanInv(n: bigint, F: number): bigint {
  const one = 1n << BigInt(F);
  const n2 = n * n;
  let pow = one / n, sum = pow;
  for (let k = 3n, sgn = -1n; ; k += 2n, sgn = -sgn) {
    pow /= n2;
    if (pow === 0n) return sum;
    sum += sgn * (pow / k);
  }
}

const G = 16; // guard bits of the constants' own computation
const W = CF + G;
/** π, ln 2, ln 10 with CF fractional bits (Machin's formula; ln 2 = 2 atanh(1/3); ln 10 = 3 ln 2 + 2 atanh(1/9)). */
export const PI = (16n * atanInv(5n, W) - 4n * atanInv(239n, W)) >> BigInt(G);
const ONE_W = 1n << BigInt(W);
const LN2_W = 2n * atanhFix(ONE_W / 3n, W);
export const LN2 = LN2_W >> BigInt(G);
const LN10_W = 3n * LN2_W + 2n * atanhFix(ONE_W / 9n, W);
export const LN10 = LN10_W >> BigInt(G);
/** log2 e, log2 10, log10 2 with CF fractional bits. */
export const LOG2E = (ONE_W << BigInt(CF)) / LN2_W;
export const LOG2_10 = (LN10_W << BigInt(CF)) / LN2_W;
export const LOG10_2 = (LN2_W << BigInt(CF)) / LN10_W;

/** A constant with CF fractional bits at F ≤ CF bits (truncated). */
export const at = (C: bigint, F: number): bigint => C >> BigInt(CF - F);

/** log2 of S·2^E (S > 0) with F fractional bits (signed). Needs bitLen(S) ≤ F - 2. Exact when S·2^E is a
 *  power of two (the caller can test `log2Exact`). */
export let log2Exact = false;
export function log2Fix(S: bigint, E: number, F: number): bigint {
  const n = S.toString(2).length;
  // S·2^E = s·2^k with s = S / 2^(n-1) ∈ [1, 2); fold s into (√½, √2]
  let k = E + n - 1;
  const f = BigInt(F);
  const one = 1n << f;
  let s = n - 1 <= F ? S << BigInt(F - (n - 1)) : S >> BigInt(n - 1 - F);
  if (s > SQRT2(F)) { s >>= 1n; k += 1; }
  log2Exact = s === one;
  const kf = BigInt(k) << f;
  if (log2Exact) return kf;
  const t = ((s - one) << f) / (s + one);
  const ln = 2n * atanhFix(t, F);
  return kf + ((ln * at(LOG2E, F)) >> f);
}
let sqrt2F = -1, sqrt2V = 0n;
function SQRT2(F: number): bigint {
  if (F !== sqrt2F) { sqrt2F = F; sqrt2V = isqrtBig(2n << BigInt(2 * F)); }
  return sqrt2V;
}
export function isqrtBig(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** e^u - 1 for |u| < 1 (fixed point). */
export function expm1Fix(U: bigint, F: number): bigint {
  const f = BigInt(F);
  let term = U, sum = U;
  for (let k = 2n; ; k++) {
    term = ((term * U) >> f) / k;
    if (term === 0n) return sum;
    sum += term;
  }
}

/** sin r and cos r for |r| ≤ π/4 (fixed point). */
export function sinFix(R: bigint, F: number): bigint {
  const f = BigInt(F);
  const r2 = (R * R) >> f;
  let term = R, sum = R;
  for (let k = 2n; ; k += 2n) {
    term = -((term * r2) >> f) / (k * (k + 1n));
    if (term === 0n) return sum;
    sum += term;
  }
}
export function cosFix(R: bigint, F: number): bigint {
  const f = BigInt(F);
  const r2 = (R * R) >> f;
  let term = 1n << f, sum = term;
  for (let k = 1n; ; k += 2n) {
    term = -((term * r2) >> f) / (k * (k + 1n));
    if (term === 0n) return sum;
    sum += term;
  }
}

/** atan t for 0 ≤ t ≤ 1 (fixed point): two argument halvings t → t / (1 + √(1 + t²)), then the series. */
export function atanFix(T: bigint, F: number): bigint {
  const f = BigInt(F);
  const one = 1n << f;
  for (let k = 0; k < 2; k++) T = (T << f) / (one + isqrtBig((one << f) + T * T));
  return atanSeries(T, F) << 2n;
}
