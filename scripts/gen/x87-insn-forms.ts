// Golden-vector cases for the instruction forms of the x87 arithmetic (the operations themselves are the
// x87-arith* vectors' business): every operation in every encoding — D8 ST(0),ST(i) and m32fp, DC ST(i),ST(0)
// and m64fp, DE ...P ST(i),ST(0), DA m32int, DE m16int — with its operand order (the FSUB/FSUBR and FDIV/FDIVR
// swap of DC/DE), destination and pop; NaN operands from memory against NaNs in ST(0) (SDM vol. 1 Table
// 4-7 applies to the memory operand as it is); masked and unmasked faults per form; and the stack side of
// FPTAN, FSINCOS, FXTRACT, FYL2X, FYL2XP1, FPATAN, FSCALE, FPREM, FPREM1, FSQRT, FRNDINT, F2XM1, FSIN, FCOS on
// values whose results are exact or well known. Left out: transcendentals with an exact result other than 0
// (F2XM1(±1), FYL2X(8, 3)): AMD silicon reports them inexact (PE, C1), the SDM raises #P only for inexact ones.
// Layout: x87-insn-kit.ts. Usage: npx tsx scripts/gen/x87-insn-forms.ts > /tmp/x87-insn-forms.cases.jsonl

import { InsnWriter, INF, ONE, SRC, TWO, ZERO, cwOf, escM, escR, le, neg, v80, type V80 } from './x87-insn-kit.ts';
import { rng } from './encode-kit.ts';

const w = new InsnWriter();
const r = rng(0x87F0);
const OPS = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const THREE = v80(0x4000, 0xC0000000, 0), SEVEN = v80(0x4001, 0xE0000000, 0), TENTH = v80(0x3FFB, 0xCCCCCCCC, 0xCCCCCCCD);
const PI = v80(0x4000, 0xC90FDAA2, 0x2168C235);
const QNAN_A = v80(0x7FFF, 0xC0000000, 0x5), QNAN_B = v80(0xFFFF, 0xE0000000, 0), SNAN_A = v80(0x7FFF, 0x80000000, 0x77), SNAN_B = v80(0x7FFF, 0xBFFFFFFF, 0);
const rnd = (): V80 => v80(((r() & 1) << 15) | (0x3FFF - 20 + (r() % 41)), (r() | 0x80000000) >>> 0, r());

// ---- register forms: D8 (to ST0), DC (to ST(i)), DE (to ST(i), pop) ----
for (const [prefix, op] of [['d8', 0xD8], ['dc', 0xDC], ['de', 0xDE]] as [string, number][]) {
  for (let reg = 0; reg < 8; reg++) {
    if (op === 0xDE && reg === 3) continue; // DE D8+i is #UD except DE D9 (FCOMPP), covered elsewhere
    for (const i of [1, 2]) {
      w.add({ name: `${prefix}.${OPS[reg]}.st${i}`, cw: cwOf(0x3F, 3, r() % 4), st: [SEVEN, THREE, TENTH, ONE], op: escR(op, reg, i) });
    }
    w.add({ name: `${prefix}.${OPS[reg]}.st0`, st: [SEVEN, THREE], op: escR(op, reg, 0) });
    w.add({ name: `${prefix}.${OPS[reg]}.rnd`, cw: cwOf(0x3F, r() % 2 ? 2 : 3, r() % 4), st: [rnd(), rnd(), rnd()], op: escR(op, reg, 2) });
    w.add({ name: `${prefix}.${OPS[reg]}.empty-sti`, st: [SEVEN, THREE], op: escR(op, reg, 4) });
    w.add({ name: `${prefix}.${OPS[reg]}.empty-sti-unmasked`, cw: cwOf(0x3E, 3, 0), st: [SEVEN, THREE], op: escR(op, reg, 4) });
    w.add({ name: `${prefix}.${OPS[reg]}.zero-divisor-unmasked`, cw: cwOf(0x3B, 3, 0), st: [ZERO, THREE, ZERO], op: escR(op, reg, 2) });
    w.add({ name: `${prefix}.${OPS[reg]}.snan-unmasked`, cw: cwOf(0x3E, 3, 0), st: [ONE, SNAN_A], op: escR(op, reg, 1) });
    w.add({ name: `${prefix}.${OPS[reg]}.overflow-unmasked`, cw: cwOf(0x37, 3, 0), st: [v80(0x7FF0, 0xC0000000, 0), v80(0x7FF0, 0xC0000000, 0)], op: escR(op, reg, 1) });
    w.add({ name: `${prefix}.${OPS[reg]}.nan-nan`, st: [QNAN_A, SNAN_B], op: escR(op, reg, 1) });
  }
}

// ---- memory forms: m32fp, m64fp, m32int, m16int ----
const M32: [string, number][] = [['3', 0x40400000], ['-0.1', 0xBDCCCCCD], ['0', 0], ['inf', 0x7F800000], ['den', 0x00400000],
  ['qnan', 0x7FC00123], ['snan', 0x7F800123], ['-snan-big', 0xFFBFFFFF]];
const M64: [string, number, number][] = [['3', 0x40080000, 0], ['-0.1', 0xBFB99999, 0x9999999A], ['0', 0, 0], ['-inf', 0xFFF00000, 0],
  ['den', 0x00080000, 0], ['qnan', 0x7FF80000, 0x123], ['snan', 0x7FF00000, 0x123], ['snan-big', 0x7FF7FFFF, 0xFFFFFFFF]];
const I32 = [3, -7, 0, 0x7FFFFFFF, -0x80000000];
const I16 = [3, -7, 0, 0x7FFF, -0x8000];
const ST0S: [string, V80][] = [['7', SEVEN], ['-0.1', neg(TENTH)], ['0', ZERO], ['inf', INF], ['qnanA', QNAN_A], ['qnanB', QNAN_B], ['snanA', SNAN_A], ['snanB', SNAN_B]];
for (let reg = 0; reg < 8; reg++) {
  for (const [sn, st0] of ST0S) {
    const [mn, bits] = M32[r() % M32.length];
    w.add({ name: `d8.m32.${OPS[reg]}.${sn}.${mn}`, st: [st0, ONE], op: escM(0xD8, reg, SRC), mem: [{ addr: SRC, hex: le(bits, 4) }], dataPtr: true });
    const [mn2, hi, lo] = M64[r() % M64.length];
    w.add({ name: `dc.m64.${OPS[reg]}.${sn}.${mn2}`, st: [st0, ONE], op: escM(0xDC, reg, SRC), mem: [{ addr: SRC, hex: le(lo, 4) + le(hi, 4) }], dataPtr: true });
  }
  for (const [mn, bits] of M32) {
    w.add({ name: `d8.m32.${OPS[reg]}.3.${mn}`, st: [THREE, ONE], op: escM(0xD8, reg, SRC), mem: [{ addr: SRC, hex: le(bits, 4) }], dataPtr: true });
  }
  for (const [mn, hi, lo] of M64) {
    w.add({ name: `dc.m64.${OPS[reg]}.qnanB.${mn}`, st: [QNAN_B, ONE], op: escM(0xDC, reg, SRC), mem: [{ addr: SRC, hex: le(lo, 4) + le(hi, 4) }], dataPtr: true });
  }
  for (const v of I32) {
    w.add({ name: `da.m32int.${OPS[reg]}.${v}`, cw: cwOf(0x3F, 3, r() % 4), st: [PI, ONE], op: escM(0xDA, reg, SRC), mem: [{ addr: SRC, hex: le(v >>> 0, 4) }], dataPtr: true });
  }
  for (const v of I16) {
    w.add({ name: `de.m16int.${OPS[reg]}.${v}`, cw: cwOf(0x3F, 0, r() % 4), st: [PI, ONE], op: escM(0xDE, reg, SRC), mem: [{ addr: SRC, hex: le(v & 0xFFFF, 2) }], dataPtr: true });
  }
  w.add({ name: `d8.m32.${OPS[reg]}.snan-unmasked`, cw: cwOf(0x3E, 3, 0), st: [THREE, ONE], op: escM(0xD8, reg, SRC), mem: [{ addr: SRC, hex: le(0x7F800001, 4) }], dataPtr: true });
  w.add({ name: `dc.m64.${OPS[reg]}.zero-unmasked`, cw: cwOf(0x3B, 3, 0), st: [THREE, ONE], op: escM(0xDC, reg, SRC), mem: [{ addr: SRC, hex: le(0, 8) }], dataPtr: true });
  w.add({ name: `de.m16int.${OPS[reg]}.empty`, op: escM(0xDE, reg, SRC), mem: [{ addr: SRC, hex: le(5, 2) }], dataPtr: true });
}

// ---- the stack side of the other arithmetic: results exact or well known ----
const EIGHT = v80(0x4002, 0x80000000, 0), HALF = v80(0x3FFE, 0x80000000, 0);
const STACKOPS: [string, string, V80[]][] = [
  ['fptan-0', 'd9f2', [ZERO, SEVEN]], ['fptan-big', 'd9f2', [v80(0x403F, 0x80000000, 0), SEVEN]], ['fsincos-0', 'd9fb', [ZERO, SEVEN]],
  ['fsincos-big', 'd9fb', [v80(0x4040, 0x80000000, 0)]], ['fsin-0', 'd9fe', [neg(ZERO), SEVEN]], ['fcos-0', 'd9ff', [ZERO]],
  ['fsin-big', 'd9fe', [v80(0x403E, 0x80000000, 0)]], ['fcos-inf', 'd9ff', [INF]],
  ['fxtract-8', 'd9f4', [EIGHT, SEVEN]], ['fxtract-0', 'd9f4', [neg(ZERO), SEVEN]], ['fxtract-inf', 'd9f4', [INF]], ['fxtract-0-unmasked', 'd9f4', [ZERO, ONE]],
  ['fyl2x-3-8', 'd9f1', [THREE, EIGHT, SEVEN]], ['fyl2x-1-7', 'd9f1', [ONE, SEVEN]], ['fyl2x-neg', 'd9f1', [neg(TWO), ONE]], ['fyl2x-0', 'd9f1', [ZERO, ONE]],
  ['fyl2xp1-0', 'd9f9', [ZERO, SEVEN, ONE]], ['fpatan-1-0', 'd9f3', [ONE, ZERO, SEVEN]], ['fpatan-0-0', 'd9f3', [ZERO, ZERO]],
  ['fscale-1-3', 'd9fd', [ONE, THREE, SEVEN]], ['fscale-7-neg2.5', 'd9fd', [SEVEN, v80(0xC000, 0xA0000000, 0)]], ['fscale-huge', 'd9fd', [SEVEN, v80(0x400E, 0x80000000, 0)]],
  ['fprem-7-3', 'd9f8', [SEVEN, THREE]], ['fprem-neg7-3', 'd9f8', [neg(SEVEN), THREE]], ['fprem1-7-3', 'd9f5', [SEVEN, THREE]],
  ['fprem-big', 'd9f8', [v80(0x4080, 0xC90FDAA2, 0x2168C235), THREE]], ['fprem-by-0', 'd9f8', [SEVEN, ZERO]],
  ['fsqrt-8', 'd9fa', [EIGHT]], ['fsqrt-neg', 'd9fa', [neg(ONE)]], ['fsqrt-neg0', 'd9fa', [neg(ZERO)]], ['frndint-2.5', 'd9fc', [v80(0x4000, 0xA0000000, 0)]],
  ['f2xm1-half', 'd9f0', [HALF]], ['f2xm1-0', 'd9f0', [neg(ZERO)]],
];
for (const [n, op, st] of STACKOPS) {
  w.add({ name: `stackop.${n}`, st, op });
  w.add({ name: `stackop.${n}.unmasked`, cw: cwOf(0x00, 3, 0), st, op });
  w.add({ name: `stackop.${n}.rc-up`, cw: cwOf(0x3F, 3, 2), st, op });
}
// FPREM to completion (the classic loop: FPREM; FNSTSW AX; SAHF; JP back)
w.add({ name: 'stackop.fprem-loop', st: [v80(0x40F0, 0xC90FDAA2, 0x2168C235), THREE], op: 'd9f8' + 'dfe0' + '9e' + '7af9' });

w.print();
