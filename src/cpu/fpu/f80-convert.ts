import type { F80, FpCtx } from './f80-types.ts';
const NI = (): never => { throw new Error('f80: not implemented'); };
export function fromInt32(v: number, out: F80): void { NI(); }
export function fromInt64(hi: number, lo: number, out: F80): void { NI(); }
export function fromF32(bits: number, ctx: FpCtx, out: F80): boolean { return NI(); }
export function fromF64(hi: number, lo: number, ctx: FpCtx, out: F80): boolean { return NI(); }
export function toF32(ctx: FpCtx, a: F80): number | null { return NI(); }
export function toF64(ctx: FpCtx, a: F80, out: Uint32Array): boolean { return NI(); }
export function toInt(ctx: FpCtx, a: F80, bits: 16 | 32 | 64, truncate: boolean, out: Uint32Array): boolean { return NI(); }
export function fromBcd(bytes10: Uint8Array, out: F80): void { NI(); }
export function toBcd(ctx: FpCtx, a: F80, out: Uint8Array): boolean { return NI(); }
