// Golden-vector cases for the x87 transcendental instructions: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN,
// FCOS, FSINCOS — special operands (every table entry of their SDM pages), arguments inside the documented
// domains (small, tiny, denormal, large, near multiples of π/2, out of range |x| ≥ 2^63), every rounding mode,
// masked and unmasked exceptions. Recorded results are filtered by x87-arith-trans-filter.ts: cases where the
// silicon result is not the correctly rounded one (1 ulp off) stay out of the committed file.
// Usage: npx tsx scripts/gen/x87-arith-trans.ts > /tmp/x87-arith-trans.cases.jsonl

import { X87Writer, Gen, SPECIALS, cwOf, PCS, v80, type V80 } from './x87-arith-kit.ts';

const w = new X87Writer();
const g = new Gen(0x7A45);
const hex = (v: V80) => `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}`;
const MASKS = [0x3F, 0x3F, 0x3E, 0x3D, 0x3B, 0x37, 0x2F, 0x1F, 0x00];
const masksOf = () => (g.int(4) === 0 ? g.pick(MASKS) : 0x3F);
const cwr = () => cwOf(masksOf(), g.pick(PCS), g.int(4));

/** k·π/2 rounded to 64 bits (hard cases for the argument reduction), k < 2^40. */
function nearPiO2(): V80 {
  const k = BigInt(1 + g.int(1000000)) * BigInt(1 + g.int(2 ** 20));
  // π/2 with 200 bits: 0x1.921FB54442D18469898CC51701B839A252049C1114CF98E804177D4C76273644A29410F31C6809BBDF2A33679A748636605614DBE4BE286E9FC26ADADAA3848BC90B6AECC4BCFD8DE82
  const PIO2 = 0x1921FB54442D18469898CC51701B839A252049C1114CF98E804177D4C76273644A29410F31C6809BBDn; // ·2^-(4·62-1)... see below
  const bits = PIO2.toString(2).length; // value = PIO2 / 2^(bits-1)
  const v = k * PIO2;
  const n = v.toString(2).length;
  const sig = v >> BigInt(n - 64);
  const e = n - 1 - (bits - 1); // unbiased exponent
  const jitter = BigInt(g.int(3)) - 1n;
  const s = sig + jitter;
  return v80((g.int(2) << 15) | (0x3FFF + e), Number(s >> 32n), Number(s & 0xFFFFFFFFn));
}
/** Trig arguments: small, tiny, denormal, medium, large, near k·π/2, out of range. */
function trigArg(): V80 {
  switch (g.int(8)) {
    case 0: return g.normal(0x3FFF - 30 + g.int(31));
    case 1: return g.normal(0x3FFF - 200 + g.int(160));
    case 2: return g.int(2) ? g.denormal() : g.normal(0x3FFF - 16000);
    case 3: return g.normal(0x3FFF + g.int(12));
    case 4: return g.normal(0x3FFF + 12 + g.int(51));
    case 5: case 6: return nearPiO2();
    default: return g.int(4) === 0 ? g.normal(0x3FFF + 63 + g.int(100)) : g.normal(0x3FFF - 2 + g.int(4));
  }
}

const SP = SPECIALS.filter(([n]) => !['+3', '-big'].includes(n));

// ---- one-operand: F2XM1, FSIN, FCOS, FSINCOS, FPTAN ----
const UN: [string, string, number][] = [['f2xm1', 'd9f0', 1], ['sin', 'd9fe', 1], ['cos', 'd9ff', 1], ['sincos', 'd9fb', 2], ['ptan', 'd9f2', 2]];
for (const [op, code, regs] of UN) {
  for (const [na, a] of SP) {
    for (let k = 0; k < 2; k++) {
      const cw = k ? cwr() : cwOf(0x3F, 3, g.int(4));
      w.add({ name: `${op}.sp.${cw.toString(16)}.${na}`, cw, a, op: code, regs });
    }
  }
  for (let k = 0; k < 150; k++) {
    let a: V80;
    if (op === 'f2xm1') {
      const t = g.int(6);
      a = t === 0 ? g.denormal() : t === 1 ? g.normal(0x3FFF - 200 + g.int(180)) : g.normal(0x3FFF - 1 - g.int(12));
      if (g.int(12) === 0) a = v80((g.int(2) << 15) | 0x3FFF, 0x80000000, 0); // ±1
    } else a = trigArg();
    w.add({ name: `${op}.r.${hex(a)}`, cw: cwr(), a, op: code, regs });
  }
}

// ---- two-operand: FYL2X, FYL2XP1, FPATAN (ST0 = a = x, ST1 = b = y) ----
const BIN: [string, string][] = [['yl2x', 'd9f1'], ['yl2xp1', 'd9f9'], ['patan', 'd9f3']];
for (const [op, code] of BIN) {
  for (const [na, a] of SP) {
    // FYL2XP1 is defined for |x| < 1 - √2/2 only (silicon returns odd values beyond)
    if (op === 'yl2xp1' && ['+nmax', '-nmax', '+1', '-1.5', '+pi'].includes(na)) continue;
    for (const [nb, b] of SP) {
      if (g.int(4) !== 0) continue;
      w.add({ name: `${op}.sp.${na}.${nb}`, cw: cwOf(0x3F, 3, g.int(4)), a, b, op: code, regs: 1 });
    }
  }
  for (let k = 0; k < 150; k++) {
    let a: V80;
    const b = g.int(5) === 0 ? g.normal(0x3FFF - 100 + g.int(200)) : g.any();
    if (op === 'yl2x') {
      const t = g.int(5);
      a = t === 0 ? v80(0x3FFF, 0x80000000, g.int(2) ? 1 : g.r() & 0xFFF) // just above 1
        : t === 1 ? v80(0x3FFE, 0xFFFFFFFF, (0xFFFFFFFF - (g.r() & 0xFFF)) >>> 0) // just below 1
          : t === 2 ? v80(0x3FFF + g.int(100) - 50, 0x80000000, 0) // powers of two: exact products
            : t === 3 ? g.denormal() : g.normal(1 + g.int(0x7FFE), 0);
      a = v80(a.se & 0x7FFF, a.hi, a.lo);
    } else if (op === 'yl2xp1') {
      const t = g.int(4);
      a = t === 0 ? g.normal(0x3FFF - 3 - g.int(60)) : t === 1 ? g.normal(0x3FFF - 64 - g.int(200)) : t === 2 ? g.denormal() : g.normal(0x3FFD - g.int(3));
      if ((a.se & 0x7FFF) === 0x3FFD && a.hi > 0x95F61998) a = v80(a.se, 0x95F61998, 0); // |x| < 1 - √2/2
    } else {
      const t = g.int(4);
      a = t === 0 ? g.normal((b.se & 0x7FFF) + g.int(9) - 4) : t === 1 ? g.normal(Math.max(1, (b.se & 0x7FFF) - 64 - g.int(300))) : t === 2 ? g.denormal() : g.any();
    }
    w.add({ name: `${op}.r.${hex(a)}.${hex(b)}`, cw: cwr(), a, b, op: code, regs: 1 });
  }
}

// ---- typical arguments (what libm's exp/log/pow/sin/cos/atan pass), round to nearest mostly ----
{
  const rnd64 = (e: number, s = 0) => v80((s << 15) | e, (g.r() | 0x80000000) >>> 0, g.r());
  for (let k = 0; k < 120; k++) {
    const cw = cwOf(0x3F, 3, k % 4 === 0 ? g.int(4) : 0);
    let a = rnd64(0x3FFE - g.int(8), g.int(2));
    w.add({ name: `f2xm1.t.${hex(a)}`, cw, a, op: 'd9f0', regs: 1 });
    a = rnd64(0x3FFF + g.int(40) - 20);
    let b = rnd64(0x3FFF + g.int(10) - 5, g.int(2));
    w.add({ name: `yl2x.t.${hex(a)}.${hex(b)}`, cw, a, b, op: 'd9f1', regs: 1 });
    a = rnd64(0x3FFF + g.int(10) - 5, g.int(2));
    w.add({ name: `sin.t.${hex(a)}`, cw, a, op: 'd9fe', regs: 1 });
    w.add({ name: `cos.t.${hex(a)}`, cw, a, op: 'd9ff', regs: 1 });
    w.add({ name: `ptan.t.${hex(a)}`, cw, a, op: 'd9f2', regs: 2 });
    b = rnd64(0x3FFF + g.int(10) - 5, g.int(2));
    w.add({ name: `patan.t.${hex(a)}.${hex(b)}`, cw, a, b, op: 'd9f3', regs: 1 });
    a = rnd64(0x3FFD - g.int(20), g.int(2));
    if ((a.se & 0x7FFF) === 0x3FFD) a = v80(a.se, (a.hi & 0x95FFFFFF) | 0x80000000, a.lo); // |x| < 1 - √2/2
    w.add({ name: `yl2xp1.t.${hex(a)}.${hex(b)}`, cw, a, b, op: 'd9f9', regs: 1 });
  }
}

w.print();
