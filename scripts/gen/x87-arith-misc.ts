// Golden-vector cases for the x87 arithmetic core's other operations: FCOM/FUCOM/FCOMI/FUCOMI ST1, FTST,
// FXAM, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1 and the constants FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/
// FLDZ, with special operands, every rounding mode, masked and unmasked exceptions.
// Usage: npx tsx scripts/gen/x87-arith-misc.ts > /tmp/x87-arith-misc.cases.jsonl

import { X87Writer, Gen, SPECIALS, cwOf, PCS, v80, ONE, type V80 } from './x87-arith-kit.ts';
import { F80, FpCtx, compare } from '../../src/cpu/fpu/f80.ts';

const w = new X87Writer();
const g = new Gen(0x3E5C);
const hex = (v: V80) => `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}`;
const MASKS = [0x3F, 0x3F, 0x3E, 0x3D, 0x3B, 0x37, 0x2F, 0x1F, 0x00];
const rnd = () => g.pick(SPECIALS)[1];
/** A pair of nearby values: equal, neighbours, same exponent, sign flips. */
function near(): [V80, V80] {
  const a = g.any();
  const k = g.int(5);
  if (k === 0) return [a, a];
  if (k === 1) return [a, v80(a.se, a.hi, (a.lo + 1) >>> 0)];
  if (k === 2) return [a, v80(a.se ^ 0x8000, a.hi, a.lo)];
  if (k === 3) return [a, g.normal(a.se & 0x7FFF, a.se >> 15)];
  return [a, g.any()];
}

// ---- comparisons ----
/** A compare raising an unmasked exception: the SDM (FCOM/FCOMI/FTST pages) leaves the condition codes /
 *  EFLAGS unchanged; AMD silicon sets them anyway. Such cases are left out (the SDM wins). */
function unmaskedCompare(a: V80, b: V80, cw: number, quiet: boolean): boolean {
  const ctx = new FpCtx();
  ctx.cw = cw;
  compare(ctx, F80.from(a.se, a.hi, a.lo), F80.from(b.se, b.hi, b.lo), quiet);
  return (ctx.exc & ~cw & 0x3F) !== 0;
}
// pairs of special operands: a share of them (the golden files also run through the whole emulator, ~10 ms each)
const CMP: [string, string, number][] = [['com', 'd8d1', 2], ['ucom', 'dde1', 6], ['comi', 'dbf1', 6], ['ucomi', 'dbe9', 6]];
for (const [op, code, every] of CMP) {
  for (const [na, a] of SPECIALS) {
    for (const [nb, b] of SPECIALS) {
      if (g.int(every) !== 0) continue;
      w.add({ name: `${op}.sp.${na}.${nb}`, cw: 0x37F, a, b, op: code });
    }
  }
  for (let k = 0; k < 40; k++) {
    const [a, b] = near();
    w.add({ name: `${op}.r.${hex(a)}.${hex(b)}`, cw: cwOf(0x3F, g.pick(PCS), g.int(4)), a, b, op: code });
  }
  for (let k = 0; k < 30; k++) {
    const a = rnd(), b = g.int(2) ? rnd() : g.any(), masks = g.pick(MASKS);
    if (unmaskedCompare(a, b, cwOf(masks, 3, 0), op.startsWith('u'))) continue;
    w.add({ name: `${op}.unm${masks.toString(16)}.${hex(a)}.${hex(b)}`, cw: cwOf(masks, 3, 0), a, b, op: code });
  }
}
for (const [na, a] of SPECIALS) {
  w.add({ name: `tst.sp.${na}`, cw: 0x37F, a, op: 'd9e4', regs: 1 });
  w.add({ name: `xam.sp.${na}`, cw: 0x37F, a, op: 'd9e5', regs: 1 });
  const masks = g.pick(MASKS);
  if (!unmaskedCompare(a, v80(0, 0, 0), cwOf(masks, 3, 0), false)) w.add({ name: `tst.unm${masks.toString(16)}.${na}`, cw: cwOf(masks, 3, 0), a, op: 'd9e4', regs: 1 });
}
for (let k = 0; k < 10; k++) {
  const a = g.int(2) ? g.any() : g.denormal();
  w.add({ name: `tst.r.${hex(a)}`, cw: 0x37F, a, op: 'd9e4', regs: 1 });
  w.add({ name: `xam.r.${hex(a)}`, cw: 0x37F, a, op: 'd9e5', regs: 1 });
}

// ---- FRNDINT ----
for (const [na, a] of SPECIALS) {
  for (let rc = 0; rc < 4; rc++) {
    const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
    w.add({ name: `rndint.sp.rc${rc}.m${masks.toString(16)}.${na}`, cw: cwOf(masks, g.pick(PCS), rc), a, op: 'd9fc', regs: 1 });
  }
}
for (let k = 0; k < 30; k++) {
  const a = g.normal(0x3FFF - 3 + g.int(70));
  for (let rc = 0; rc < 4; rc++) w.add({ name: `rndint.r.rc${rc}.${hex(a)}`, cw: cwOf(0x3F, g.pick(PCS), rc), a, op: 'd9fc', regs: 1 });
}
for (const x of [0x3FFE, 0x3FFF, 0x4000]) { // halves: 0.5, 1.5, 2.5, 3.5
  for (const hi of [0x80000000, 0xC0000000, 0xA0000000, 0xE0000000]) {
    const a = v80(x | (g.int(2) << 15), hi, 0);
    for (let rc = 0; rc < 4; rc++) w.add({ name: `rndint.h.rc${rc}.${hex(a)}`, cw: cwOf(0x3F, 3, rc), a, op: 'd9fc', regs: 1 });
  }
}

// ---- FSCALE ----
for (const [na, a] of SPECIALS) {
  for (const [nb, b] of SPECIALS) {
    if (g.int(5) !== 0) continue;
    w.add({ name: `scale.sp.${na}.${nb}`, cw: 0x37F, a, b, op: 'd9fd' });
  }
}
for (let k = 0; k < 160; k++) {
  const a = g.int(6) === 0 ? g.denormal() : g.any();
  // b: small integers, fractions, huge magnitudes, values beyond the exponent range
  const kind = g.int(4);
  const n = kind === 0 ? g.int(40) - 20 : kind === 1 ? g.int(40000) - 20000 : kind === 2 ? g.int(33000) - 16500 : 0;
  const b = kind === 3 ? g.normal(0x3FFF - 2 + g.int(80)) : fromInt(n, g.int(3) === 0);
  const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
  w.add({ name: `scale.r.rc${k & 3}.m${masks.toString(16)}.${hex(a)}.${hex(b)}`, cw: cwOf(masks, g.pick(PCS), k & 3), a, b, op: 'd9fd' });
}
// beyond the ±24576 exponent wrap of unmasked overflow/underflow
for (const n of [30000, 40000, 70000, 1 << 20, -30000, -40000, -70000, -(1 << 20), 24000, -24000]) {
  for (const masks of [0x3F, 0x37, 0x2F, 0x27]) {
    const a = g.int(4) === 0 ? g.denormal() : g.any();
    const rc = g.int(4);
    w.add({ name: `scale.far.rc${rc}.m${masks.toString(16)}.${hex(a)}.${n}`, cw: cwOf(masks, 3, rc), a, b: fromInt(n, false), op: 'd9fd' });
  }
}
/** n (plus a fraction when frac) as an extended value. */
function fromInt(n: number, frac: boolean): V80 {
  if (n === 0) return frac ? v80(0x3FFE, 0xC0000000, 0) : v80(0, 0, 0);
  const s = n < 0 ? 1 : 0, m = Math.abs(n);
  const lz = Math.clz32(m);
  let hi = (m << lz) >>> 0;
  if (frac && lz > 1) hi |= 1 << (lz - 2);
  return v80((s << 15) | (0x3FFF + 31 - lz), hi, 0);
}

// ---- FXTRACT ----
for (const [na, a] of SPECIALS) {
  for (const masks of [0x3F, g.pick(MASKS)]) {
    w.add({ name: `xtract.m${masks.toString(16)}.${na}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), a, b: ONE, op: 'd9f4', regs: 3 });
  }
}
for (let k = 0; k < 20; k++) {
  const a = g.int(3) === 0 ? g.denormal() : g.normal(1 + g.int(0x7FFE));
  w.add({ name: `xtract.r.${hex(a)}`, cw: 0x37F, a, b: ONE, op: 'd9f4', regs: 3 });
}

// ---- FPREM / FPREM1 ----
for (const [op, code] of [['prem', 'd9f8'], ['prem1', 'd9f5']] as const) {
  for (const [na, a] of SPECIALS) {
    for (const [nb, b] of SPECIALS) {
      if (g.int(6) !== 0) continue;
      w.add({ name: `${op}.sp.${na}.${nb}`, cw: 0x37F, a, b, op: code });
    }
  }
  for (let k = 0; k < 160; k++) {
    const b = g.int(8) === 0 ? g.denormal() : g.any();
    const d = k < 100 ? g.int(70) - 3 : 60 + g.int(200);
    const eb = b.se & 0x7FFF || 1;
    const a = g.normal(Math.min(0x7FFE, eb + d));
    const masks = g.int(4) === 0 ? g.pick(MASKS) : 0x3F;
    w.add({ name: `${op}.r.m${masks.toString(16)}.${hex(a)}.${hex(b)}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), a, b, op: code });
  }
  // exact multiples and halves (quotient bits, FPREM1 ties)
  for (let k = 0; k < 24; k++) {
    const q = 1 + g.int(15), b = g.normal(0x3FFF + g.int(10), 0);
    const half = k & 1;
    const num = BigInt(q) * 2n + BigInt(half); // a = (q + half/2)·b
    const s = ((BigInt(b.hi) << 32n) | BigInt(b.lo)) * num;
    const n = s.toString(2).length;
    const sig = s << BigInt(64 - n) >> 0n;
    const top = n > 64 ? s >> BigInt(n - 64) : sig;
    if (n > 64 && (s & ((1n << BigInt(n - 64)) - 1n)) !== 0n) continue; // not exact in 64 bits
    const a = v80((g.int(2) << 15) | ((b.se & 0x7FFF) + n - 65), Number(top >> 32n), Number(top & 0xFFFFFFFFn));
    w.add({ name: `${op}.q.${hex(a)}.${hex(b)}`, cw: 0x37F, a, b, op: code });
  }
}

// ---- constants ----
const CONSTS: [string, string][] = [['one', 'd9e8'], ['l2t', 'd9e9'], ['l2e', 'd9ea'], ['pi', 'd9eb'], ['lg2', 'd9ec'], ['ln2', 'd9ed'], ['zero', 'd9ee']];
for (const [c, code] of CONSTS) {
  for (let rc = 0; rc < 4; rc++) {
    for (const pc of [0, 3]) w.add({ name: `const.${c}.rc${rc}.pc${pc}`, cw: cwOf(pc ? 0x3F : 0x00, pc, rc), op: code, regs: 1 });
  }
}

w.print();
