// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (SDM vol. 2 FLD1/FLDL2T/... page, vol. 1 §8.3.8: the
// constants are rounded by RC; no precision control, no exception but stack overflow, C1 = 0).

import type { F80, FpCtx } from './f80-types.ts';
import { putRaw, putZero, roundShift, rqSig } from './f80-round.ts';
import { CF, PI, LN2, LOG2E, LOG2_10, LOG10_2 } from './f80-bigmath.ts';

export type ConstName = 'one' | 'l2t' | 'l2e' | 'pi' | 'lg2' | 'ln2' | 'zero';

/** The internal constants: the value with CF fractional bits and its binary exponent (value in [2^e, 2^(e+1))). */
const TABLE: Record<Exclude<ConstName, 'one' | 'zero'>, [bigint, number]> = {
  l2t: [LOG2_10, 1], l2e: [LOG2E, 0], pi: [PI, 1], lg2: [LOG10_2, -2], ln2: [LN2, -1],
};

export function loadConst(ctx: FpCtx, which: ConstName, out: F80): void {
  ctx.c1 = 0;
  if (which === 'zero') { putZero(out, 0); return; }
  if (which === 'one') { putRaw(out, 0x3FFF, 0x80000000, 0); return; }
  const [c, e] = TABLE[which];
  // keep 64 bits below the leading one, rounded by RC (positive constants: "up" is away from zero)
  roundShift(c, CF + e - 63, 0, (ctx.cw >> 10) & 3);
  let s = rqSig, ex = e;
  if (s >> 64n) { s >>= 1n; ex++; }
  putRaw(out, 0x3FFF + ex, Number(s >> 32n), Number(s & 0xFFFFFFFFn));
}
