// The x87 arithmetic core: the one module the x87 instruction layer imports (contract: brief-x87-api.md).
// Everything is implemented in f80-*.ts files with one job each and re-exported here.

export { F80, FpCtx, IE, DE, ZE, OE, UE, PE } from './f80-types.ts';
export { add, sub, mul, div, sqrt } from './f80-core.ts';
export { rem, roundInt, scale, xtract, compare, examine } from './f80-misc.ts';
export { fromInt32, fromInt64, fromF32, fromF64, toF32, toF64, toInt, fromBcd, toBcd } from './f80-convert.ts';
export { loadConst, type ConstName } from './f80-const.ts';
export { f2xm1, fyl2x, fyl2xp1, fptan, fpatan, fsin, fcos, fsincos } from './f80-transcendental.ts';
