// The word-based fast paths (f80-fast.ts; the m32/m64 conversions in f80-convert.ts) against the exact BigInt
// paths they shortcut (themselves checked against silicon in f80.test.ts): random operands with structured
// significands (ties, long carries, cancellation), every precision control and rounding mode; results,
// exceptions and C1 identical.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F80, FpCtx } from './f80-types.ts';
import { add, sub, mul, div, addExact, subExact, mulExact, divExact } from './f80-core.ts';
import { fromF32, fromF32Exact, fromF64, fromF64Exact, toF32, toF32Exact, toF64, toF64Exact, toInt, toIntExact } from './f80-convert.ts';

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const r = rng(0xFA57);
function word(): number {
  switch (r() % 6) {
    case 0: return 0;
    case 1: return 0xFFFFFFFF;
    case 2: return (1 << (r() % 32)) >>> 0;
    case 3: return (0xFFFFFFFF << (r() % 32)) >>> 0;
    case 4: return (0xFFFFFFFF >>> (r() % 32)) >>> 0;
    default: return r();
  }
}
function operand(near?: F80): F80 {
  const e = near ? Math.max(1, Math.min(0x7FFE, (near.se & 0x7FFF) + (r() % 3 === 0 ? (r() % 140) - 70 : (r() % 5) - 2)))
    : r() % 10 === 0 ? 1 + (r() % 0x7FFE) : 0x3FFF - 60 + (r() % 120);
  return F80.from(((r() & 1) << 15) | e, (word() | 0x80000000) >>> 0, word());
}
const show = (v: F80) => `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}`;

test('fast add/sub/mul/div agree with the exact paths bit for bit', () => {
  const pairs: [string, typeof add, typeof add][] = [['add', add, addExact], ['sub', sub, subExact], ['mul', mul, mulExact], ['div', div, divExact]];
  const c1 = new FpCtx(), c2 = new FpCtx(), o1 = new F80(), o2 = new F80();
  let n = 0;
  for (let k = 0; k < 40000; k++) {
    const a = operand();
    const b = operand(a);
    const cw = 0x3F | ([0, 2, 3][r() % 3] << 8) | ((r() & 3) << 10);
    for (const [name, fast, exact] of pairs) {
      c1.cw = c2.cw = cw; c1.exc = c2.exc = 0; c1.c1 = c2.c1 = 0;
      fast(c1, a, b, o1);
      exact(c2, a, b, o2);
      const got = `${show(o1)} exc ${c1.exc} c1 ${c1.c1}`, want = `${show(o2)} exc ${c2.exc} c1 ${c2.c1}`;
      if (got !== want) assert.fail(`${name} ${show(a)} ${show(b)} cw ${cw.toString(16)}: fast ${got}, exact ${want}`);
      n++;
    }
  }
  assert.equal(n, 160000);
});

test('fast paths: output aliasing an operand', () => {
  const c = new FpCtx();
  const a = F80.from(0x3FFF, 0xC0000000, 0), b = F80.from(0x4000, 0x80000000, 0);
  add(c, a, b, a); // 1.5 + 2
  assert.equal(show(a), '4000:e0000000:0');
  mul(c, a, b, b); // 3.5 · 2
  assert.equal(show(b), '4001:e0000000:0');
  div(c, b, a, b); // 7 / 3.5
  assert.equal(show(b), '4000:80000000:0');
});

test('fast FLD/FST m32/m64 conversions agree with the exact paths', () => {
  const c1 = new FpCtx(), c2 = new FpCtx(), o1 = new F80(), o2 = new F80();
  const p1 = new Uint32Array(2), p2 = new Uint32Array(2);
  for (let k = 0; k < 40000; k++) {
    // loads: random bit patterns with every exponent class
    const hi = r(), lo = r();
    c1.exc = c2.exc = 0;
    const l1 = fromF64(hi, lo, c1, o1), l2 = fromF64Exact(hi, lo, c2, o2);
    assert.equal(`${l1} ${show(o1)} ${c1.exc}`, `${l2} ${show(o2)} ${c2.exc}`, `fromF64 ${hi.toString(16)}:${lo.toString(16)}`);
    c1.exc = c2.exc = 0;
    const m1 = fromF32(hi, c1, o1), m2 = fromF32Exact(hi, c2, o2);
    assert.equal(`${m1} ${show(o1)} ${c1.exc}`, `${m2} ${show(o2)} ${c2.exc}`, `fromF32 ${hi.toString(16)}`);
    // stores: values around both formats' ranges, every RC
    const e = [0x3FFF - 1030 + (r() % 2060), 0x3FFF - 135 + (r() % 270), 0x3FFF - 60 + (r() % 120)][r() % 3];
    const a = F80.from(((r() & 1) << 15) | e, (word() | 0x80000000) >>> 0, word());
    c1.cw = c2.cw = 0x3F | ((r() & 3) << 10) | ((r() % 4) << 8);
    c1.exc = c2.exc = 0; c1.c1 = c2.c1 = 0;
    const s1 = toF64(c1, a, p1), s2 = toF64Exact(c2, a, p2);
    assert.equal(`${s1} ${p1[1].toString(16)}:${p1[0].toString(16)} ${c1.exc} ${c1.c1}`, `${s2} ${p2[1].toString(16)}:${p2[0].toString(16)} ${c2.exc} ${c2.c1}`, `toF64 ${show(a)} cw ${c1.cw.toString(16)}`);
    c1.exc = c2.exc = 0; c1.c1 = c2.c1 = 0;
    const t1 = toF32(c1, a), t2 = toF32Exact(c2, a);
    assert.equal(`${t1} ${c1.exc} ${c1.c1}`, `${t2} ${c2.exc} ${c2.c1}`, `toF32 ${show(a)} cw ${c1.cw.toString(16)}`);
  }
});

test('fast FIST agrees with the exact path', () => {
  const c1 = new FpCtx(), c2 = new FpCtx();
  const p1 = new Uint32Array(2), p2 = new Uint32Array(2);
  for (let k = 0; k < 40000; k++) {
    const e = 0x3FFF - 3 + (r() % 38);
    const a = F80.from(((r() & 1) << 15) | e, (word() | 0x80000000) >>> 0, word());
    const bits = ([16, 32, 64] as const)[r() % 3], trunc = (r() & 3) === 0;
    c1.cw = c2.cw = 0x3F | ((r() & 3) << 10);
    c1.exc = c2.exc = 0; c1.c1 = c2.c1 = 0; p1.fill(0x5A5A5A5A); p2.fill(0x5A5A5A5A);
    const s1 = toInt(c1, a, bits, trunc, p1), s2 = toIntExact(c2, a, bits, trunc, p2);
    assert.equal(`${s1} ${p1[1].toString(16)}:${p1[0].toString(16)} ${c1.exc} ${c1.c1}`, `${s2} ${p2[1].toString(16)}:${p2[0].toString(16)} ${c2.exc} ${c2.c1}`, `toInt${bits} ${show(a)} cw ${c1.cw.toString(16)} trunc ${trunc}`);
  }
});
