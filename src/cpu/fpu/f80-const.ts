import type { F80, FpCtx } from './f80-types.ts';
export type ConstName = 'one' | 'l2t' | 'l2e' | 'pi' | 'lg2' | 'ln2' | 'zero';
export function loadConst(ctx: FpCtx, which: ConstName, out: F80): void { throw new Error('f80: not implemented'); }
