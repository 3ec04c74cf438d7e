import type { F80, FpCtx } from './f80-types.ts';
const NI = (): never => { throw new Error('f80: not implemented'); };
/** FPREM (ieee=false) / FPREM1 (ieee=true) of a = ST(0) by b = ST(1). Returns status bits C2 (0x400) when
 *  incomplete, else Q2→C0 (0x100), Q1→C3 (0x4000), Q0→C1 (0x200); -1: do not write the destination. */
export function rem(ctx: FpCtx, a: F80, b: F80, out: F80, ieee: boolean): number { return NI(); }
export function roundInt(ctx: FpCtx, a: F80, out: F80): boolean { return NI(); }
/** FSCALE: a·2^trunc(b) (a = ST(0), b = ST(1)). */
export function scale(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
export function xtract(ctx: FpCtx, a: F80, sigOut: F80, expOut: F80): boolean { return NI(); }
/** 0 a > b, 1 a < b, 2 equal, 3 unordered. */
export function compare(ctx: FpCtx, a: F80, b: F80, quiet: boolean): number { return NI(); }
/** FXAM class code c3<<2 | c2<<1 | c0 (C1 is the sign, a.se >>> 15). */
export function examine(a: F80): number { return NI(); }
