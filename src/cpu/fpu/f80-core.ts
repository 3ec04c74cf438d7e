import type { F80, FpCtx } from './f80-types.ts';
const NI = (): never => { throw new Error('f80: not implemented'); };
export function add(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
export function sub(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
export function mul(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
export function div(ctx: FpCtx, a: F80, b: F80, out: F80): boolean { return NI(); }
export function sqrt(ctx: FpCtx, a: F80, out: F80): boolean { return NI(); }
