// Golden-vector cases for the x87 arithmetic core's basic operations: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR
// ST0,ST1 and FSQRT, under every precision control and rounding mode, with special operands (zeros,
// denormals, pseudo-denormals, unsupported encodings, infinities, NaN payloads), precision-boundary values
// and ties, overflow/underflow (masked and unmasked) and unmasked exceptions (recorded through FNSAVE).
// Case names: <op>.<label>; the operands and control word are in the case's memory (x87-arith-kit.ts layout).
// Usage: npx tsx scripts/gen/x87-arith.ts > /tmp/x87-arith.cases.jsonl

import { X87Writer, Gen, SPECIALS, cwOf, PCS, v80, type V80 } from './x87-arith-kit.ts';

const w = new X87Writer();
const g = new Gen(0x87A1);
const BIN: [string, string][] = [['add', 'd8c1'], ['sub', 'd8e1'], ['subr', 'd8e9'], ['mul', 'd8c9'], ['div', 'd8f1'], ['divr', 'd8f9']];
const hex = (v: V80) => `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}`;

// 1. pairs of special operands, all masked: every pair for add, a share of them for the others (the golden
// files also run through the whole emulator, where each vector costs ~10 ms)
const SHARE: Record<string, number> = { add: 1, sub: 3, subr: 8, mul: 2, div: 2, divr: 8 };
for (const [op, code] of BIN) {
  for (const [na, a] of SPECIALS) {
    for (const [nb, b] of SPECIALS) {
      if (g.int(SHARE[op]) !== 0) continue;
      w.add({ name: `${op}.sp.${na}.${nb}`, cw: 0x37F, a, b, op: code });
    }
  }
}
for (const [na, a] of SPECIALS) {
  for (const rc of [0, 1, 2, 3]) w.add({ name: `sqrt.sp.${na}.rc${rc}`, cw: cwOf(0x3F, 3, rc), a, op: 'd9fa', regs: 1 });
}

// 2. special operands with exceptions unmasked (no write, or the wrapped result)
for (const [op, code] of BIN) {
  for (let k = 0; k < 40; k++) {
    const [na, a] = g.pick(SPECIALS), [nb, b] = g.int(2) ? g.pick(SPECIALS) : ['n', g.any()];
    const masks = g.pick([0x00, 0x3E, 0x3D, 0x3B, 0x20, 0x1F]);
    w.add({ name: `${op}.unm${masks.toString(16)}.${na}.${nb}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), a, b, op: code });
  }
}

// 3. random operands under every PC and RC: nearby exponents (cancellation, ties, sticky bits)
for (const [op, code] of BIN) {
  for (const pc of [0, 1, 2, 3]) {
    for (let rc = 0; rc < 4; rc++) {
      const n = pc === 1 ? 3 : 12;
      for (let k = 0; k < n; k++) {
        const a = g.any();
        const d = g.int(3) === 0 ? g.int(140) - 70 : g.int(9) - 4;
        const b = g.normal(Math.max(1, Math.min(0x7FFE, (a.se & 0x7FFF) + d)));
        w.add({ name: `${op}.r.pc${pc}.rc${rc}.${hex(a)}.${hex(b)}`, cw: cwOf(0x3F, pc, rc), a, b, op: code });
      }
    }
  }
}
for (const pc of [0, 1, 2, 3]) {
  for (let rc = 0; rc < 4; rc++) {
    for (let k = 0; k < (pc === 1 ? 3 : 12); k++) {
      const a = g.int(5) ? g.normal(0x3FFF - 40 + g.int(81), 0) : g.denormal();
      w.add({ name: `sqrt.r.pc${pc}.rc${rc}.${hex(a)}`, cw: cwOf(0x3F, pc, rc), a, op: 'd9fa', regs: 1 });
    }
  }
}

// 4. ties and precision boundaries: 1 + 2^-k ± tiny, sums landing exactly half-way at 24/53/64 bits
for (const [op, code] of [['add', 'd8c1'], ['sub', 'd8e1']] as const) {
  for (const p of [24, 53, 64]) {
    for (let rc = 0; rc < 4; rc++) {
      for (const pc of PCS) {
        // a = 1 + (odd or even last bit at precision p), b = ±2^-p (exactly half an ulp at p) [+ sticky]
        for (const lastOdd of [0, 1]) {
          for (const sticky of [0, 1]) {
            const ulpBit = 64 - p; // bit index in the 64-bit significand of the last kept bit
            let hi = 0x80000000, lo = 0;
            if (lastOdd) { if (ulpBit >= 32) hi |= 1 << (ulpBit - 32); else lo |= 1 << ulpBit; }
            const a = v80(0x3FFF, hi >>> 0, lo >>> 0);
            const b = v80(0x3FFF - p, 0x80000000, sticky ? 1 : 0);
            w.add({ name: `${op}.tie${p}.pc${pc}.rc${rc}.o${lastOdd}.s${sticky}`, cw: cwOf(0x3F, pc, rc), a, b, op: code });
          }
        }
      }
    }
  }
}

// 5. overflow and underflow, masked and unmasked, every PC/RC
for (const [op, code] of BIN) {
  for (let k = 0; k < 48; k++) {
    const pc = g.pick(PCS), rc = g.int(4);
    const masks = g.pick([0x3F, 0x3F, 0x37, 0x2F, 0x27, 0x07]);
    const sa = g.int(2), sb = g.int(2);
    let a: V80, b: V80;
    const over = g.int(2) === 0;
    if (op === 'add' || op === 'sub' || op === 'subr') {
      if (over) { a = g.normal(0x7FFE, sa); b = g.normal(0x7FFE - g.int(3), sb); }
      else { a = g.int(2) ? g.denormal() : g.normal(1 + g.int(3), sa); b = g.int(2) ? g.denormal() : g.normal(1 + g.int(3), sb); }
    } else if (op === 'mul') {
      if (over) { a = g.normal(0x3FFF + 8000 + g.int(300), sa); b = g.normal(0x3FFF + 8200 - g.int(300), sb); }
      else { a = g.normal(0x3FFF - 8000 - g.int(300), sa); b = g.normal(0x3FFF - 8300 - g.int(120), sb); }
    } else {
      if (over) { a = g.normal(0x3FFF + 8000 + g.int(300), sa); b = g.normal(0x3FFF - 8200 - g.int(300), sb); }
      else { a = g.normal(0x3FFF - 8000 - g.int(300), sa); b = g.normal(0x3FFF + 8300 + g.int(120), sb); }
      if (op === 'divr') [a, b] = [b, a];
    }
    w.add({ name: `${op}.${over ? 'ovf' : 'unf'}.pc${pc}.rc${rc}.m${masks.toString(16)}.${hex(a)}.${hex(b)}`, cw: cwOf(masks, pc, rc), a, b, op: code });
  }
}
// results just around the smallest normal: denormal results that round up to it (tininess after rounding?)
for (const rc of [0, 1, 2, 3]) {
  for (const pc of PCS) {
    for (const masks of [0x3F, 0x2F, 0x0F]) {
      // nmin·(1 - 2^-65) etc.: a = nmin-ish, b = 1 - tiny
      const a = v80(1, 0xFFFFFFFF, 0xFFFFFFFF); // (2 - 2^-63)·2^-16382
      const b = v80(0x3FFE, 0x80000000, 0); // 0.5
      w.add({ name: `mul.nmin.pc${pc}.rc${rc}.m${masks.toString(16)}`, cw: cwOf(masks, pc, rc), a, b, op: 'd8c9' });
      const c = v80(1, 0x80000000, 0), d = v80(0x3FFF, 0xFFFFFFFF, 0xFFFFFFFF); // nmin · (1 - 2^-64)
      w.add({ name: `mul.nmin2.pc${pc}.rc${rc}.m${masks.toString(16)}`, cw: cwOf(masks, pc, rc), a: c, b: d, op: 'd8c9' });
      const e = v80(1, 0x80000000, 0), f = v80(0x3FFF, 0x80000000, 1); // nmin / (1 + 2^-63)
      w.add({ name: `div.nmin3.pc${pc}.rc${rc}.m${masks.toString(16)}`, cw: cwOf(masks, pc, rc), a: e, b: f, op: 'd8f1' });
    }
  }
}

// 6. two NaNs with equal significands (Table 4-7 picks by significand; a tie goes to the positive one)
{
  const q = (s: number) => v80((s << 15) | 0x7FFF, 0xC0001234, 5), sn = (s: number) => v80((s << 15) | 0x7FFF, 0x80001234, 5);
  for (const [n, mk] of [['q', q], ['s', sn]] as const) {
    for (const sa of [0, 1]) for (const sb of [0, 1]) for (const [op, code] of [['add', 'd8c1'], ['mul', 'd8c9']]) {
      w.add({ name: `${op}.nantie.${n}${sa}${sb}`, cw: 0x37F, a: mk(sa), b: mk(sb), op: code });
    }
  }
  w.add({ name: 'add.nantie.sq', cw: 0x37F, a: sn(0), b: v80(0xFFFF, 0xC0001234, 5), op: 'd8c1' });
}

// 7. unmasked exceptions delivered: #MF (vector 16) at the next waiting instruction (FWAIT, or FXCH), the
// x87 layer's job (SDM vol. 1 §8.6); named mf.<op>.<...>.
{
  const one = v80(0x3FFF, 0x80000000, 0), zero = v80(0, 0, 0), snan = v80(0x7FFF, 0x80000000, 1), den = v80(0, 0x1000, 0);
  const big = v80(0x7FFE, 0xC0000000, 0), tiny = v80(1, 0xC0000000, 0), third = v80(0x3FFD, 0xAAAAAAAA, 0xAAAAAAAB);
  const MF: [string, number, V80, V80, string][] = [
    ['div', 0x37B, one, zero, 'd8f1'], ['add', 0x37E, snan, one, 'd8c1'], ['mul', 0x37D, den, one, 'd8c9'],
    ['mul', 0x377, big, big, 'd8c9'], ['mul', 0x36F, tiny, tiny, 'd8c9'], ['div', 0x35F, one, third, 'd8f1'],
    ['sqrt', 0x37E, v80(0xBFFF, 0x80000000, 0), one, 'd9fa'], ['sub', 0x360, v80(0x7FFF, 0x80000000, 0), v80(0x7FFF, 0x80000000, 0), 'd8e1'],
  ];
  for (const [op, cw, a, b, code] of MF) {
    w.add({ name: `mf.${op}.${cw.toString(16)}.fwait`, cw, a, b, op: code + '9b' });
    w.add({ name: `mf.${op}.${cw.toString(16)}.fxch`, cw, a, b, op: code + 'd9c9' });
    // a non-waiting instruction in between does not deliver it: FNSTSW AX, then FWAIT
    w.add({ name: `mf.${op}.${cw.toString(16)}.fnstsw`, cw, a, b, op: code + 'dfe0' + '9b' });
  }
}

w.print();
