// Fixed-point BigInt arithmetic for the transcendental instructions and the constants: a real x is the
// BigInt X = round(x · 2^F). Series are summed with F fractional bits; callers pick F with plenty of guard
// bits above the 64 they keep (each series here is accurate to a few units of 2^-F).

/** Fractional bits of the constants (enough for FPREM-free trig reduction of |x| < 2^63 with 384 bits left). */
export const CF = 512;

/** atanh(t) = t + t^3/3 + t^5/5 + ..., |t| ≤ 1/3 (T fixed point with F bits). */
export function atanhFix(T: bigint, F: number): bigint {
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
