// Allocation-free fast paths of FADD/FSUB/FMUL/FDIV for the common case: both operands normal (biased
// exponent 1..0x7FFE, integer bit set) and a normal result (no overflow, no underflow). Significands are
// handled as uint32 words; anything else returns false and the caller takes the exact BigInt path
// (f80-core.ts), which is also the reference these are tested against (f80-fast.test.ts).

import { type F80, type FpCtx, PE } from './f80-types.ts';

const TWO32 = 4294967296;

// the unrounded result: sign, biased exponent, significand words hi (bit 31 set) : lo : x, and a sticky flag
let rS = 0, rE = 0, rH = 0, rL = 0, rX = 0, rT = 0;

/** Round the unrounded result to `prec` bits by the control word and write it; false (nothing touched) when
 *  the rounded exponent leaves the normal range. */
function roundWrite(ctx: FpCtx, out: F80, prec: number): boolean {
  let h = rH, l = rL, e = rE;
  if (e < 1) return false;
  let guard: number, rest: number, lsb: number;
  if (prec === 64) { guard = rX >>> 31; rest = (rX & 0x7FFFFFFF) | rT; lsb = l & 1; }
  else if (prec === 53) { guard = (l >>> 10) & 1; rest = (l & 0x3FF) | rX | rT; lsb = (l >>> 11) & 1; l = (l & ~0x7FF) >>> 0; }
  else { guard = (h >>> 7) & 1; rest = (h & 0x7F) | l | rX | rT; lsb = (h >>> 8) & 1; h = (h & ~0xFF) >>> 0; l = 0; }
  const inexact = (guard | rest) !== 0;
  let up = false;
  if (inexact) {
    const rc = (ctx.cw >> 10) & 3;
    up = rc === 0 ? guard !== 0 && (rest !== 0 || lsb !== 0) : rc === 1 ? rS === 1 : rc === 2 ? rS === 0 : false;
  }
  if (up) {
    const inc = prec === 64 ? 1 : prec === 53 ? 0x800 : 0;
    if (inc) {
      l += inc;
      if (l >= TWO32) { l -= TWO32; h += 1; }
    } else h += 0x100;
    if (h >= TWO32) { h = 0x80000000; e += 1; }
  }
  if (e >= 0x7FFF) return false;
  out.se = (rS << 15) | e;
  out.hi = h >>> 0;
  out.lo = l >>> 0;
  ctx.c1 = up ? 1 : 0;
  if (inexact) ctx.exc |= PE;
  return true;
}

const normal = (a: F80) => { const e = a.se & 0x7FFF; return e !== 0 && e !== 0x7FFF && (a.hi & 0x80000000) !== 0; };

/** a + b (flip = 1: a - b) for normal operands. */
export function addFast(ctx: FpCtx, a: F80, b: F80, flip: number, out: F80, prec: number): boolean {
  if (!normal(a) || !normal(b)) return false;
  let sa = a.se >>> 15, sb = (b.se >>> 15) ^ flip;
  let ea = a.se & 0x7FFF, eb = b.se & 0x7FFF;
  let ah = a.hi, al = a.lo, bh = b.hi, bl = b.lo;
  // |a| ≥ |b|
  if (eb > ea || (eb === ea && (bh > ah || (bh === ah && bl > al)))) {
    let t = sa; sa = sb; sb = t;
    t = ea; ea = eb; eb = t;
    t = ah; ah = bh; bh = t;
    t = al; al = bl; bl = t;
  }
  const d = ea - eb;
  // b >> d into (bh, bl, bx) + sticky
  let bx = 0, st = 0;
  if (d === 0) { /* aligned */ }
  else if (d < 32) { bx = (bl << (32 - d)) >>> 0; bl = ((bl >>> d) | (bh << (32 - d))) >>> 0; bh = bh >>> d; }
  else if (d === 32) { bx = bl; bl = bh; bh = 0; }
  else if (d < 64) { const s = d - 32; st = (bl << (32 - s)) >>> 0; bx = ((bl >>> s) | (bh << (32 - s))) >>> 0; bl = bh >>> s; bh = 0; }
  else if (d === 64) { bx = bh; st = bl; bl = 0; bh = 0; }
  else if (d < 96) { const s = d - 64; st = bl | ((bh << (32 - s)) >>> 0); bx = bh >>> s; bl = 0; bh = 0; }
  else { st = 1; bx = 0; bl = 0; bh = 0; }
  rS = sa;
  rT = st !== 0 ? 1 : 0;
  let e = ea;
  if (sa === sb) {
    let x = bx, l = al + bl, h = ah + bh;
    if (l >= TWO32) { l -= TWO32; h += 1; }
    if (h >= TWO32) { // carry out: shift right one
      h -= TWO32;
      rT |= x & 1;
      x = ((x >>> 1) | ((l & 1) << 31)) >>> 0;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = ((h >>> 1) | 0x80000000) >>> 0;
      e += 1;
    }
    rH = h; rL = l; rX = x;
  } else {
    // a - b, with the sticky part of b as a borrow below x
    let x = -bx - rT, l = al - bl, h = ah - bh;
    if (x < 0) { x += TWO32; l -= 1; }
    if (l < 0) { l += TWO32; h -= 1; }
    if (h === 0 && l === 0 && x === 0 && rT === 0) {
      // exact zero: +0, or -0 rounding down (SDM vol. 1 §4.8.3.4)
      out.se = ((ctx.cw >> 10) & 3) === 1 ? 0x8000 : 0;
      out.hi = 0; out.lo = 0; ctx.c1 = 0;
      return true;
    }
    // normalize (big shifts only happen for d ≤ 1, where x holds at most one bit and nothing is sticky)
    while (h === 0) { h = l; l = x; x = 0; e -= 32; }
    const z = Math.clz32(h);
    if (z) {
      h = ((h << z) | (l >>> (32 - z))) >>> 0;
      l = ((l << z) | (x >>> (32 - z))) >>> 0;
      x = (x << z) >>> 0;
      e -= z;
    }
    rH = h; rL = l; rX = x;
  }
  rE = e;
  return roundWrite(ctx, out, prec);
}

/** High and low words of a 32×32-bit product (exact, in doubles of at most 2^53). */
let mHi = 0, mLo = 0;
function mul32(a: number, b: number): void {
  const ah = a >>> 16, al = a & 0xFFFF, bh = b >>> 16, bl = b & 0xFFFF;
  const t = al * bl;
  const u = ah * bl + al * bh + Math.floor(t / 65536);
  mHi = ah * bh + Math.floor(u / 65536);
  mLo = Math.imul(a, b) >>> 0;
}

/** a · b for normal operands. */
export function mulFast(ctx: FpCtx, a: F80, b: F80, out: F80, prec: number): boolean {
  if (!normal(a) || !normal(b)) return false;
  const ah = a.hi, al = a.lo, bh = b.hi, bl = b.lo;
  mul32(al, bl); const w0 = mLo; let c1 = mHi;
  mul32(ah, bl); let p1 = mLo, p2 = mHi;
  mul32(al, bh); p1 += mLo; p2 += mHi;
  mul32(ah, bh);
  let w1 = c1 + p1; // < 3·2^32
  let carry = Math.floor(w1 / TWO32); w1 -= carry * TWO32;
  let w2 = p2 + mLo + carry; // < 4·2^32
  carry = Math.floor(w2 / TWO32); w2 -= carry * TWO32;
  let w3 = mHi + carry;
  let e = (a.se & 0x7FFF) + (b.se & 0x7FFF) - 16383 + 1;
  if (w3 < 0x80000000) { // product in [2^126, 2^127): shift left one
    w3 = w3 * 2 + (w2 >>> 31);
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1 = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    c1 = (w0 << 1) >>> 0;
    e -= 1;
  } else c1 = w0;
  rS = (a.se ^ b.se) >>> 15;
  rE = e; rH = w3; rL = w2; rX = w1; rT = c1 !== 0 ? 1 : 0;
  return roundWrite(ctx, out, prec);
}

/** a / b for normal operands: restoring division, 66 quotient bits and a sticky remainder. */
export function divFast(ctx: FpCtx, a: F80, b: F80, out: F80, prec: number): boolean {
  if (!normal(a) || !normal(b)) return false;
  let rh = a.hi, rl = a.lo, top = 0; // remainder (top: bit 64)
  const dh = b.hi, dl = b.lo;
  let e = (a.se & 0x7FFF) - (b.se & 0x7FFF) + 16383;
  if (rh < dh || (rh === dh && rl < dl)) { // a's significand below b's: quotient in (1/2, 1), take 2a
    top = rh >>> 31; rh = ((rh << 1) | (rl >>> 31)) >>> 0; rl = (rl << 1) >>> 0;
    e -= 1;
  }
  let qh = 0, ql = 0, qx = 0;
  for (let i = 0; i < 66; i++) {
    let bit = 0;
    if (top !== 0 || rh > dh || (rh === dh && rl >= dl)) {
      let l = rl - dl, h = rh - dh;
      if (l < 0) { l += TWO32; h -= 1; }
      rl = l; rh = h >>> 0; top = 0;
      bit = 1;
    }
    // shift the quotient left by one, bringing in bit
    qh = ((qh << 1) | (ql >>> 31)) >>> 0;
    ql = ((ql << 1) | (qx >>> 31)) >>> 0;
    qx = ((qx << 1) | bit) >>> 0;
    top = rh >>> 31; rh = ((rh << 1) | (rl >>> 31)) >>> 0; rl = (rl << 1) >>> 0;
  }
  // 66 bits in qh:ql:qx (low 66 bits): place the leading one at qh bit 31
  qh = ((qh << 30) | (ql >>> 2)) >>> 0;
  ql = ((ql << 30) | (qx >>> 2)) >>> 0;
  qx = (qx << 30) >>> 0;
  rS = (a.se ^ b.se) >>> 15;
  rE = e; rH = qh; rL = ql; rX = qx; rT = (top | rh | rl) !== 0 ? 1 : 0;
  return roundWrite(ctx, out, prec);
}
