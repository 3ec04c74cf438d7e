// Conversions between the extended format and the memory formats the x87 loads and stores: int16/32/64
// (FILD/FIST), binary32/64 (FLD/FST m32/m64), 18-digit packed BCD (FBLD/FBSTP). SDM vol. 1 §4.2.1, §4.7
// (BCD), §4.8.3.7 (NaN conversions), vol. 2 FIST/FST/FBSTP pages (indefinite results, Table 4-3).

import { type F80, type FpCtx, IE, DE, PE } from './f80-types.ts';
import {
  ZERO, INF, QNAN, UNSUP, classify, sigOf, expOf, bitLen, putRaw, putZero, putInf, roundPack,
  roundShift, rqSig, rqUp, round, rSig, rExp, R_INF, R_MAX, R_OVF, R_UNF,
} from './f80-round.ts';

/** Exact: sign·mag as an extended value. */
function fromMag(sign: number, mag: bigint, out: F80): void {
  if (mag === 0n) { putZero(out, sign); return; }
  const n = bitLen(mag);
  const s = mag << BigInt(64 - n);
  putRaw(out, (sign << 15) | (16383 + n - 1), Number(s >> 32n), Number(s & 0xFFFFFFFFn));
}

/** FILD m16/m32: exact. */
export function fromInt32(v: number, out: F80): void {
  v |= 0;
  if (v === 0) { putZero(out, 0); return; }
  const sign = v < 0 ? 1 : 0;
  const m = sign ? -v >>> 0 : v;
  const lz = Math.clz32(m);
  putRaw(out, (sign << 15) | (16383 + 31 - lz), (m << lz) >>> 0, 0);
}

/** FILD m64 (two's complement hi:lo): exact. */
export function fromInt64(hi: number, lo: number, out: F80): void {
  let v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  let sign = 0;
  if (hi & 0x80000000) { v = (1n << 64n) - v; sign = 1; }
  fromMag(sign, v, out);
}

/** A binary32/64 source → extended, exactly: DE for denormals, IE for SNaN (quieted). `fracBits` 23/52. */
function fromBinary(sign: number, exp: number, frac: bigint, fracBits: number, expMax: number, bias: number, ctx: FpCtx, out: F80): boolean {
  ctx.c1 = 0;
  if (exp === expMax) {
    if (frac === 0n) { putInf(out, sign); return true; }
    const s = (1n << 63n) | (frac << BigInt(63 - fracBits));
    if ((frac >> BigInt(fracBits - 1)) === 0n) {
      ctx.exc |= IE;
      if ((ctx.cw & IE) === 0) return false;
    }
    putRaw(out, (sign << 15) | 0x7FFF, Number(s >> 32n) | 0x40000000, Number(s & 0xFFFFFFFFn));
    return true;
  }
  if (exp === 0) {
    if (frac === 0n) { putZero(out, sign); return true; }
    ctx.exc |= DE;
    if ((ctx.cw & DE) === 0) return false;
    roundPack(ctx, out, sign, 1 - bias - fracBits, frac, 64); // exact: fits easily in the extended range
    return true;
  }
  const s = ((1n << BigInt(fracBits)) | frac) << BigInt(63 - fracBits);
  putRaw(out, (sign << 15) | (exp - bias + 16383), Number(s >> 32n), Number(s & 0xFFFFFFFFn));
  return true;
}

/** FLD m32. */
export function fromF32(bits: number, ctx: FpCtx, out: F80): boolean {
  const e = (bits >>> 23) & 0xFF;
  if (e !== 0 && e !== 0xFF) { // normal: exact, no exception (the common case, without BigInt)
    ctx.c1 = 0;
    out.se = ((bits >>> 31) << 15) | (e - 127 + 16383);
    out.hi = (0x80000000 | ((bits & 0x7FFFFF) << 8)) >>> 0;
    out.lo = 0;
    return true;
  }
  return fromF32Exact(bits, ctx, out);
}
export function fromF32Exact(bits: number, ctx: FpCtx, out: F80): boolean {
  return fromBinary(bits >>> 31, (bits >>> 23) & 0xFF, BigInt(bits & 0x7FFFFF), 23, 0xFF, 127, ctx, out);
}

/** FLD m64 (hi:lo words). */
export function fromF64(hi: number, lo: number, ctx: FpCtx, out: F80): boolean {
  const e = (hi >>> 20) & 0x7FF;
  if (e !== 0 && e !== 0x7FF) { // normal: exact, no exception
    ctx.c1 = 0;
    out.se = ((hi >>> 31) << 15) | (e - 1023 + 16383);
    out.hi = (0x80000000 | ((hi & 0xFFFFF) << 11) | (lo >>> 21)) >>> 0;
    out.lo = (lo << 11) >>> 0;
    return true;
  }
  return fromF64Exact(hi, lo, ctx, out);
}
export function fromF64Exact(hi: number, lo: number, ctx: FpCtx, out: F80): boolean {
  const frac = (BigInt(hi & 0xFFFFF) << 32n) | BigInt(lo >>> 0);
  return fromBinary(hi >>> 31, (hi >>> 20) & 0x7FF, frac, 52, 0x7FF, 1023, ctx, out);
}

/** extended → binary32/64 bits as a BigInt, or null (unmasked exception: no store). */
function toBinary(ctx: FpCtx, a: F80, fracBits: number, expBits: number): bigint | null {
  const ca = classify(a);
  const sign = BigInt(a.se >>> 15);
  const expMax = (1 << expBits) - 1;
  const bias = (expMax >> 1);
  const signBit = sign << BigInt(fracBits + expBits);
  const infBits = signBit | (BigInt(expMax) << BigInt(fracBits));
  ctx.c1 = 0;
  if (ca >= QNAN) {
    if (ca !== QNAN) { // SNaN or unsupported; a QNaN is stored quietly
      ctx.exc |= IE;
      if ((ctx.cw & IE) === 0) return null;
    }
    if (ca === UNSUP) return (1n << BigInt(fracBits + expBits)) | (BigInt(expMax) << BigInt(fracBits)) | (1n << BigInt(fracBits - 1));
    const frac = (sigOf(a) >> BigInt(63 - fracBits)) & ((1n << BigInt(fracBits)) - 1n);
    return infBits | frac | (1n << BigInt(fracBits - 1));
  }
  if (ca === INF) return infBits;
  if (ca === ZERO) return signBit;
  // no DE for a denormal source on stores (SDM vol. 2 FST/FIST/FBSTP list no #D)
  const s = a.se >>> 15;
  const before = ctx.exc;
  const kind = round(ctx, s, expOf(a), sigOf(a), fracBits + 1, 1 - bias, bias);
  if (kind === R_OVF || kind === R_UNF) {
    // unmasked overflow/underflow with a memory destination: nothing stored, only OE/UE reported
    ctx.exc = (ctx.exc & ~PE) | (before & PE);
    ctx.c1 = 0;
    return null;
  }
  if (kind === R_INF) return infBits;
  const hidden = 1n << BigInt(fracBits);
  if (kind === R_MAX) return infBits - 1n;
  if (rSig === 0n) return signBit;
  if (rSig < hidden) return signBit | rSig; // denormal
  return signBit | (BigInt(rExp + bias) << BigInt(fracBits)) | (rSig - hidden);
}

/** Round a normal extended value's significand hi:lo at `drop` low bits (11 for binary64, 40 for binary32)
 *  by RC without BigInt: leaves the kept bits in fHi:fLo and fCarry = 1 when rounding carried out of the
 *  top; returns false when it was exact. Sets fUp = rounded up. */
let fHi = 0, fLo = 0, fCarry = 0, fUp = false;
function roundDrop(ctx: FpCtx, sign: number, hi: number, lo: number, drop: number): boolean {
  let guard: number, rest: number, lsb: number;
  if (drop === 11) { guard = (lo >>> 10) & 1; rest = lo & 0x3FF; lsb = (lo >>> 11) & 1; lo = (lo & ~0x7FF) >>> 0; }
  else { guard = (hi >>> 7) & 1; rest = (hi & 0x7F) | lo; lsb = (hi >>> 8) & 1; hi = (hi & ~0xFF) >>> 0; lo = 0; }
  const inexact = (guard | rest) !== 0;
  let up = false;
  if (inexact) {
    const rc = (ctx.cw >> 10) & 3;
    up = rc === 0 ? guard !== 0 && (rest !== 0 || lsb !== 0) : rc === 1 ? sign === 1 : rc === 2 ? sign === 0 : false;
  }
  fCarry = 0;
  if (up) {
    if (drop === 11) { lo += 0x800; if (lo >= 4294967296) { lo -= 4294967296; hi += 1; } }
    else hi += 0x100;
    if (hi >= 4294967296) { hi = 0x80000000; fCarry = 1; }
  }
  fHi = hi >>> 0; fLo = lo >>> 0; fUp = up;
  return inexact;
}

/** FST m32: the bits, or null when the store must not happen (unmasked IE/OE/UE). */
export function toF32(ctx: FpCtx, a: F80): number | null {
  const be = a.se & 0x7FFF;
  if (be > 16383 - 126 && be < 16383 + 127 && (a.hi & 0x80000000) !== 0) {
    // normal result (the exponent stays inside even if rounding carries): the common case, without BigInt
    const sign = a.se >>> 15;
    const inexact = roundDrop(ctx, sign, a.hi, a.lo, 40);
    const e = be - 16383 + 127 + fCarry;
    ctx.c1 = fUp ? 1 : 0;
    if (inexact) ctx.exc |= PE;
    return ((sign << 31) | (e << 23) | ((fHi >>> 8) & 0x7FFFFF)) >>> 0;
  }
  return toF32Exact(ctx, a);
}
export function toF32Exact(ctx: FpCtx, a: F80): number | null {
  const r = toBinary(ctx, a, 23, 8);
  return r === null ? null : Number(r);
}

/** FST m64: out = [lo, hi]; false when the store must not happen. */
export function toF64(ctx: FpCtx, a: F80, out: Uint32Array): boolean {
  const be = a.se & 0x7FFF;
  if (be > 16383 - 1022 && be < 16383 + 1023 && (a.hi & 0x80000000) !== 0) {
    const sign = a.se >>> 15;
    const inexact = roundDrop(ctx, sign, a.hi, a.lo, 11);
    const e = be - 16383 + 1023 + fCarry;
    ctx.c1 = fUp ? 1 : 0;
    if (inexact) ctx.exc |= PE;
    out[1] = ((sign << 31) | (e << 20) | ((fHi >>> 11) & 0xFFFFF)) >>> 0;
    out[0] = ((fHi << 21) | (fLo >>> 11)) >>> 0;
    return true;
  }
  return toF64Exact(ctx, a, out);
}
export function toF64Exact(ctx: FpCtx, a: F80, out: Uint32Array): boolean {
  const r = toBinary(ctx, a, 52, 11);
  if (r === null) return false;
  out[0] = Number(r & 0xFFFFFFFFn);
  out[1] = Number(r >> 32n);
  return true;
}

/** a rounded to an integer (by RC, or toward zero): sets the magnitude in intMag, returns inexact. */
let intMag = 0n;
let intUp = false;
function toIntegral(ctx: FpCtx, a: F80, truncate: boolean): boolean {
  const e = expOf(a);
  const s = sigOf(a);
  if (e >= 0) {
    intMag = e > 64 ? 1n << 200n : s << BigInt(e); // beyond every destination's range
    intUp = false;
    return false;
  }
  const inexact = roundShift(s, -e, a.se >>> 15, truncate ? 3 : (ctx.cw >> 10) & 3);
  intMag = rqSig;
  intUp = rqUp;
  return inexact;
}

/** FIST/FISTP m16/m32/m64: out = [lo, hi] two's complement (16/32: out[0]); false when the store must not
 *  happen. Out of range, NaN, ∞ → IE and the integer indefinite (the most negative value) when masked. */
export function toInt(ctx: FpCtx, a: F80, bits: 16 | 32 | 64, truncate: boolean, out: Uint32Array): boolean {
  const e = (a.se & 0x7FFF) - 16383;
  if (e <= 30 && (a.hi & 0x80000000) !== 0 && (a.se & 0x7FFF) !== 0) {
    // a normal value below 2^31: the integer and the rounding bits come from the words (no BigInt)
    const hi = a.hi, lo = a.lo;
    let n: number, guard: number, rest: number;
    if (e < -1) { n = 0; guard = 0; rest = 1; }
    else if (e === -1) { n = 0; guard = 1; rest = (hi & 0x7FFFFFFF) | lo; }
    else {
      const sh = 31 - e; // fraction bits in hi
      n = hi >>> sh;
      guard = (hi >>> (sh - 1)) & 1;
      rest = (sh > 1 ? hi & ((1 << (sh - 1)) - 1) : 0) | lo;
    }
    const sign = a.se >>> 15;
    const inexact = (guard | rest) !== 0;
    let up = false;
    if (inexact) {
      const rc = truncate ? 3 : (ctx.cw >> 10) & 3;
      up = rc === 0 ? guard !== 0 && (rest !== 0 || (n & 1) !== 0) : rc === 1 ? sign === 1 : rc === 2 ? sign === 0 : false;
    }
    if (up) n += 1;
    const lim = bits === 16 ? 0x8000 : 0x80000000;
    if (sign ? n <= lim : n < lim) {
      const v = sign ? -n : n;
      out[0] = bits === 16 ? v & 0xFFFF : v >>> 0;
      out[1] = bits === 64 && v < 0 ? 0xFFFFFFFF : 0;
      ctx.c1 = up ? 1 : 0;
      if (inexact) ctx.exc |= PE;
      return true;
    }
  }
  return toIntExact(ctx, a, bits, truncate, out);
}
export function toIntExact(ctx: FpCtx, a: F80, bits: 16 | 32 | 64, truncate: boolean, out: Uint32Array): boolean {
  const ca = classify(a);
  ctx.c1 = 0;
  let mag = 0n;
  let ok = true;
  const sign = a.se >>> 15;
  if (ca >= INF) ok = false;
  else if (ca !== ZERO) {
    const inexact = toIntegral(ctx, a, truncate);
    mag = intMag;
    const lim = 1n << BigInt(bits - 1);
    ok = sign ? mag <= lim : mag < lim;
    if (ok && inexact) { ctx.exc |= PE; ctx.c1 = intUp ? 1 : 0; }
  }
  if (!ok) {
    ctx.exc |= IE;
    if ((ctx.cw & IE) === 0) return false;
    out[0] = bits === 16 ? 0x8000 : 0; out[1] = bits === 64 ? 0x80000000 : 0;
    if (bits === 32) out[0] = 0x80000000;
    return true;
  }
  const v = sign ? (1n << 64n) - mag : mag;
  out[0] = Number(v & (bits === 16 ? 0xFFFFn : 0xFFFFFFFFn));
  out[1] = bits === 64 ? Number((v >> 32n) & 0xFFFFFFFFn) : 0;
  return true;
}

/** FBLD: 18 packed BCD digits (bytes 0-8, low digit first) and the sign in byte 9 bit 7; exact. Invalid
 *  digits (A-F) are undefined by the SDM: they are taken at face value. */
export function fromBcd(bytes10: Uint8Array, out: F80): void {
  let v = 0n;
  for (let k = 8; k >= 0; k--) v = v * 100n + BigInt((bytes10[k] >> 4) * 10 + (bytes10[k] & 15));
  fromMag(bytes10[9] >> 7, v, out);
}

const BCD_MAX = 999999999999999999n;

/** FBSTP: a rounded by RC to an 18-digit packed BCD; out of range, NaN, ∞ → IE and the packed BCD
 *  indefinite (FFFF C000000000000000) when masked; false when the store must not happen. */
export function toBcd(ctx: FpCtx, a: F80, out: Uint8Array): boolean {
  const ca = classify(a);
  ctx.c1 = 0;
  const sign = a.se >>> 15;
  let ok = ca < INF;
  let mag = 0n;
  if (ok && ca !== ZERO) {
    const inexact = toIntegral(ctx, a, false);
    mag = intMag;
    ok = mag <= BCD_MAX;
    if (ok && inexact) { ctx.exc |= PE; ctx.c1 = intUp ? 1 : 0; }
  }
  if (!ok) {
    ctx.exc |= IE;
    if ((ctx.cw & IE) === 0) return false;
    out.fill(0);
    out[7] = 0xC0; out[8] = 0xFF; out[9] = 0xFF;
    return true;
  }
  for (let k = 0; k < 9; k++) {
    const two = Number(mag % 100n);
    mag /= 100n;
    out[k] = ((two / 10) | 0) << 4 | (two % 10);
  }
  out[9] = sign << 7;
  return true;
}

