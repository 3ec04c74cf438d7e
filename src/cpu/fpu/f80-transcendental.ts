import type { F80, FpCtx } from './f80-types.ts';
const NI = (): never => { throw new Error('f80: not implemented'); };
export function f2xm1(ctx: FpCtx, a: F80, out: F80): boolean { return NI(); }
/** out = b·log2(a) (a = ST(0), b = ST(1)). */
export function fyl2x(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
/** out = b·log2(a + 1). */
export function fyl2xp1(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
/** Returns 0 done (the x87 layer pushes 1.0), 0x400 (C2) out of range |a| ≥ 2^63 (operand unchanged), -1 no write. */
export function fptan(ctx: FpCtx, a: F80, out: F80): number { return NI(); }
/** out = atan(b/a) (a = ST(0), b = ST(1)), quadrant by the signs. */
export function fpatan(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
/** fsin, fcos, fsincos return codes as fptan: 0 done, 0x400 (C2) out of range, -1 no write. */
export function fsin(ctx: FpCtx, a: F80, out: F80): number { return NI(); }
export function fcos(ctx: FpCtx, a: F80, out: F80): number { return NI(); }
export function fsincos(ctx: FpCtx, a: F80, sinOut: F80, cosOut: F80): number { return NI(); }
