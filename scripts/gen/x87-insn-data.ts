// Golden-vector cases for x87 loads and stores in every memory format: FLD m32/m64/m80 (SNaN, denormal, DE
// and IE unmasked), FILD m16/m32/m64, FIST/FISTP m16/m32 and FISTP m64 under each rounding mode with
// out-of-range values (masked: the integer indefinite; unmasked: no store, no pop), FBLD/FBSTP, FST/FSTP
// m32/m64 with rounding under each RC, overflow, underflow and NaNs (masked and unmasked), FSTP m80, FST/FSTP
// ST(i), and the seven constants FLD1..FLDZ under each RC (SDM vol. 1 §8.3.8: rounded from 66 bits).
// Layout: x87-insn-kit.ts. Usage: npx tsx scripts/gen/x87-insn-data.ts > /tmp/x87-insn-data.cases.jsonl

import {
  CLASSES, InsnWriter, INF, ONE, OUT, SRC, ZERO, cwOf, escM, FLD80, FSTP80, hex80, le, neg, v80, type V80,
} from './x87-insn-kit.ts';
import { rng } from './encode-kit.ts';

const w = new InsnWriter();
const r = rng(0x87D47A);
const RCS = [0, 1, 2, 3];
const MASKED = 0x3F;

// ---- FLD m32 / m64 / m80 ----
const F32S: [string, number][] = [
  ['1', 0x3F800000], ['-pi', 0xC0490FDB], ['+0', 0], ['-0', 0x80000000], ['den', 0x00000001], ['-den', 0x807FFFFF],
  ['max', 0x7F7FFFFF], ['inf', 0x7F800000], ['-inf', 0xFF800000], ['snan', 0x7F800001], ['-snan', 0xFFBFFFFF],
  ['qnan', 0x7FC12345], ['indef', 0xFFC00000], ['min', 0x00800000],
];
for (const [n, bits] of F32S) {
  w.add({ name: `fld-m32.${n}`, op: escM(0xD9, 0, SRC), mem: [{ addr: SRC, hex: le(bits, 4) }], dataPtr: true });
  if (n.includes('den') || n.includes('snan')) {
    // A denormal load with DE unmasked is left out: the SDM (vol. 1 §8.5.2) leaves TOP and the stack unchanged,
    // AMD silicon loads the value anyway.
    for (const masks of n.includes('den') ? [0x3E] : [0x3E, 0x3D, 0x3C]) {
      w.add({ name: `fld-m32.${n}.unm${masks.toString(16)}`, cw: cwOf(masks, 3, 0), st: [ONE], op: escM(0xD9, 0, SRC), mem: [{ addr: SRC, hex: le(bits, 4) }], dataPtr: true });
    }
  }
}
const F64S: [string, number, number][] = [
  ['1', 0x3FF00000, 0], ['-e', 0xC005BF0A, 0x8B145769], ['+0', 0, 0], ['-0', 0x80000000, 0], ['den', 0, 1], ['-den', 0x800FFFFF, 0xFFFFFFFF],
  ['max', 0x7FEFFFFF, 0xFFFFFFFF], ['inf', 0x7FF00000, 0], ['snan', 0x7FF00000, 1], ['-snan', 0xFFF7FFFF, 0xFFFFFFFF], ['qnan', 0x7FF80000, 0xABCDEF],
];
for (const [n, hi, lo] of F64S) {
  w.add({ name: `fld-m64.${n}`, op: escM(0xDD, 0, SRC), mem: [{ addr: SRC, hex: le(lo, 4) + le(hi, 4) }], dataPtr: true });
  if (n.includes('den') || n.includes('snan')) {
    w.add({ name: `fld-m64.${n}.unm`, cw: cwOf(n.includes('den') ? 0x3E : 0x3C, 3, 0), st: [ONE], op: escM(0xDD, 0, SRC), mem: [{ addr: SRC, hex: le(lo, 4) + le(hi, 4) }], dataPtr: true });
  }
}
for (const [n, v] of CLASSES) {
  w.add({ name: `fld-m80.${n}`, cw: cwOf(0, 3, 0), op: FLD80(SRC), mem: [{ addr: SRC, hex: hex80(v) }], dataPtr: true });
  w.add({ name: `fstp-m80.${n}`, cw: cwOf(0, 3, 0), st: [v, ONE], op: FSTP80(OUT), out: 12, dataPtr: true });
}

// ---- FILD ----
for (const v of [0, 1, -1, 0x7FFF, -0x8000, 12345, -300]) {
  w.add({ name: `fild-m16.${v}`, op: escM(0xDF, 0, SRC), mem: [{ addr: SRC, hex: le(v & 0xFFFF, 2) }], dataPtr: true });
}
for (const v of [0, 1, -1, 0x7FFFFFFF, -0x80000000, 0x12345678, -1000000]) {
  w.add({ name: `fild-m32.${v}`, op: escM(0xDB, 0, SRC), mem: [{ addr: SRC, hex: le(v >>> 0, 4) }], dataPtr: true });
}
for (const [hi, lo] of [[0, 0], [0, 1], [0xFFFFFFFF, 0xFFFFFFFF], [0x7FFFFFFF, 0xFFFFFFFF], [0x80000000, 0], [0x80000000, 1], [0x00123456, 0x789ABCDE], [0xFFFFFFFF, 0]]) {
  w.add({ name: `fild-m64.${hi.toString(16)}.${lo.toString(16)}`, op: escM(0xDF, 5, SRC), mem: [{ addr: SRC, hex: le(lo, 4) + le(hi, 4) }], dataPtr: true });
}

// ---- FIST / FISTP ----
const half = (e: number, hi: number, sign = 0): V80 => v80((sign << 15) | e, hi, 0);
const INT_VALS: [string, V80][] = [
  ['2.5', half(0x4000, 0xA0000000)], ['-2.5', half(0x4000, 0xA0000000, 1)], ['3.5', half(0x4000, 0xE0000000)],
  ['0.5', half(0x3FFE, 0x80000000)], ['-0.5', half(0x3FFE, 0x80000000, 1)], ['0.75', half(0x3FFE, 0xC0000000)],
  ['1.25', half(0x3FFF, 0xA0000000)], ['-1.75', half(0x3FFF, 0xE0000000, 1)], ['+0', ZERO], ['-0', neg(ZERO)],
  ['32767.5', half(0x400D, 0xFFFF0000)], ['-32768.5', half(0x400E, 0x80010000, 1)], ['32768', half(0x400E, 0x80000000)],
  ['-32768', half(0x400E, 0x80000000, 1)], ['-32769', half(0x400E, 0x80010000, 1)],
  ['2^31-0.5', v80(0x401D, 0xFFFFFFFF, 0)], ['2^31', half(0x401E, 0x80000000)], ['-2^31', half(0x401E, 0x80000000, 1)],
  ['-2^31-1', v80(0xC01E, 0x80000000, 0x80000000)], ['2^63', half(0x403E, 0x80000000)], ['-2^63', half(0x403E, 0x80000000, 1)],
  ['2^63-1', v80(0x403D, 0xFFFFFFFF, 0xFFFFFFFF)], ['2^62+0.5', v80(0x403D, 0x80000000, 1)], ['big', v80(0x4050, 0x80000000, 0)],
  ['inf', INF], ['-inf', neg(INF)], ['qnan', v80(0x7FFF, 0xC0000000, 1)], ['snan', v80(0x7FFF, 0x80000000, 1)],
  ['den', v80(0, 1, 0)], ['tiny', v80(0x3F00, 0x80000000, 0)], ['-tiny', v80(0xBF00, 0x80000000, 0)], ['unnorm', v80(0x4000, 0x40000000, 0)],
];
const FISTS: [string, number, number, number][] = [
  ['fist-m16', 0xDF, 2, 2], ['fistp-m16', 0xDF, 3, 2], ['fist-m32', 0xDB, 2, 4], ['fistp-m32', 0xDB, 3, 4], ['fistp-m64', 0xDF, 7, 8],
];
for (const [n, op, reg, size] of FISTS) {
  for (const [vn, v] of INT_VALS) {
    const rc = r() % 4;
    w.add({ name: `${n}.${vn}.rc${rc}`, cw: cwOf(MASKED, 3, rc), st: [v, ONE], op: escM(op, reg, OUT), out: size + 2, dataPtr: true });
  }
  for (const rc of RCS) {
    for (const vn of ['2.5', '-2.5', '0.75', '-1.75', '-0.5']) {
      w.add({ name: `${n}.${vn}.rc${rc}.all`, cw: cwOf(MASKED, 2, rc), st: [INT_VALS.find((x) => x[0] === vn)![1], ONE], op: escM(op, reg, OUT), out: size + 2, dataPtr: true });
    }
  }
  for (const vn of ['2^31', 'big', 'qnan', 'inf', '2.5', 'den']) {
    w.add({ name: `${n}.${vn}.unmasked`, cw: cwOf(0x00, 3, 0), st: [INT_VALS.find((x) => x[0] === vn)![1], ONE], op: escM(op, reg, OUT), out: size + 2, dataPtr: true });
  }
}

// ---- FBLD / FBSTP ----
const bcdHex = (digits: string, sign: boolean): string => {
  const d = digits.padStart(18, '0');
  let h = '';
  for (let k = 0; k < 9; k++) h += d.slice(16 - 2 * k, 18 - 2 * k);
  return h + (sign ? '80' : '00');
};
for (const [digits, sign] of [['0', false], ['0', true], ['1', false], ['999999999999999999', false], ['999999999999999999', true],
  ['123456789012345678', true], ['100000000000000000', false], ['42', false], ['9007199254740993', false]] as [string, boolean][]) {
  w.add({ name: `fbld.${sign ? '-' : ''}${digits}`, op: escM(0xDF, 4, SRC), mem: [{ addr: SRC, hex: bcdHex(digits, sign) }], dataPtr: true });
}
w.add({ name: 'fbld.sign-byte-bits', op: escM(0xDF, 4, SRC), mem: [{ addr: SRC, hex: bcdHex('77', false).slice(0, 18) + '7f' }], dataPtr: true });
for (const [vn, v] of [...INT_VALS, ['1e18', v80(0x403A, 0xDE0B6B3A, 0x76400000)], ['1e18-1', v80(0x403A, 0xDE0B6B3A, 0x763FFFFF)],
  ['-1e18+0.5', v80(0xC03A, 0xDE0B6B3A, 0x763FFFFF)], ['123456.789', v80(0x400F, 0xF120650E, 0x5604189)]] as [string, V80][]) {
  const rc = r() % 4;
  w.add({ name: `fbstp.${vn}.rc${rc}`, cw: cwOf(MASKED, 3, rc), st: [v, ONE], op: escM(0xDF, 6, OUT), out: 12, dataPtr: true });
}
for (const rc of RCS) w.add({ name: `fbstp.2.5.rc${rc}`, cw: cwOf(MASKED, 3, rc), st: [half(0x4000, 0xA0000000, 1)], op: escM(0xDF, 6, OUT), out: 12, dataPtr: true });
for (const vn of ['big', 'qnan', '2.5']) {
  w.add({ name: `fbstp.${vn}.unmasked`, cw: cwOf(0, 3, 0), st: [INT_VALS.find((x) => x[0] === vn)![1], ONE], op: escM(0xDF, 6, OUT), out: 12, dataPtr: true });
}

// ---- FST / FSTP m32 and m64: rounding, overflow, underflow, NaNs ----
const STORE_VALS: [string, V80][] = [
  ['pi', v80(0x4000, 0xC90FDAA2, 0x2168C235)], ['-pi', v80(0xC000, 0xC90FDAA2, 0x2168C235)],
  ['tie24', v80(0x3FFF, 0x80000080, 0)], ['tie24-odd', v80(0x3FFF, 0x80000180, 0)], ['tie53', v80(0x3FFF, 0x80000000, 0x400)],
  ['tie53-odd', v80(0x3FFF, 0x80000000, 0xC00)], ['ones', v80(0x3FFF, 0xFFFFFFFF, 0xFFFFFFFF)], ['-ones', v80(0xBFFF, 0xFFFFFFFF, 0xFFFFFFFF)],
  ['f32max+', v80(0x407E, 0xFFFFFF80, 0)], ['f32ovf', v80(0x4080, 0x80000000, 0)], ['-f64ovf', v80(0xC400, 0x80000000, 0)],
  ['f32tiny', v80(0x3F70, 0xC0000000, 0)], ['f32den-round', v80(0x3F69, 0xFFFFFFFF, 0)], ['f64den', v80(0x3BC0, 0x81234567, 0x89ABCDEF)],
  ['f32min-ties', v80(0x3F81, 0xFFFFFF80, 0)], ['huge', v80(0x7FFE, 0x80000000, 0)], ['-tiny80', v80(0x8001, 0x80000000, 0)],
  ['den80', v80(0, 0x40000000, 0)], ['+0', ZERO], ['-0', neg(ZERO)], ['inf', INF], ['-inf', neg(INF)],
  ['snan', v80(0x7FFF, 0x80000000, 0x1000)], ['qnan', v80(0xFFFF, 0xC1234567, 0x89ABCDEF)], ['pnan', v80(0x7FFF, 0x40000000, 0)],
  ['unnorm', v80(0x4000, 0x40000000, 0)], ['exact', v80(0x4005, 0xC8000000, 0)],
];
const FSTS: [string, number, number, number][] = [['fst-m32', 0xD9, 2, 4], ['fstp-m32', 0xD9, 3, 4], ['fst-m64', 0xDD, 2, 8], ['fstp-m64', 0xDD, 3, 8]];
for (const [n, op, reg, size] of FSTS) {
  for (const [vn, v] of STORE_VALS) {
    for (const rc of RCS) {
      if (!n.startsWith('fst-') && rc !== (r() % 4)) continue;
      w.add({ name: `${n}.${vn}.rc${rc}`, cw: cwOf(MASKED, r() % 2 ? 3 : 0, rc), st: [v, ONE], op: escM(op, reg, OUT), out: size + 2, dataPtr: true });
    }
  }
  for (const vn of ['pi', 'f32ovf', '-f64ovf', 'f32tiny', 'f64den', 'snan', 'huge', 'den80', 'exact']) {
    for (const masks of [0x00, 0x37, 0x2F, 0x1F, 0x3E]) {
      w.add({ name: `${n}.${vn}.unm${masks.toString(16)}`, cw: cwOf(masks, 3, r() % 4), st: [STORE_VALS.find((x) => x[0] === vn)![1], ONE], op: escM(op, reg, OUT), out: size + 2, dataPtr: true });
    }
  }
}
// FST/FSTP ST(i): copied without rounding or exceptions
for (const [vn, v] of [['snan', v80(0x7FFF, 0x80000000, 0x1000)], ['den', v80(0, 1, 1)], ['pi', v80(0x4000, 0xC90FDAA2, 0x2168C235)]] as [string, V80][]) {
  w.add({ name: `fst-st3.${vn}`, cw: cwOf(0, 0, 2), st: [v, ONE, ONE, ONE], op: 'ddd3' });
  w.add({ name: `fstp-st2.${vn}`, cw: cwOf(0, 0, 2), st: [v, ONE, ONE], op: 'dddb' + 'ddda' });
}
w.add({ name: 'fstp-st0', st: [ONE, neg(ONE)], op: 'ddd8' });

// ---- the constants under each rounding mode (and a precision control that must not apply) ----
const CONSTS: [string, string][] = [['fld1', 'd9e8'], ['fldl2t', 'd9e9'], ['fldl2e', 'd9ea'], ['fldpi', 'd9eb'], ['fldlg2', 'd9ec'], ['fldln2', 'd9ed'], ['fldz', 'd9ee']];
for (const [n, op] of CONSTS) {
  for (const rc of RCS) w.add({ name: `${n}.rc${rc}`, cw: cwOf(MASKED, 3, rc), op });
  w.add({ name: `${n}.pc24`, cw: cwOf(MASKED, 0, 0), op });
  w.add({ name: `${n}.unmasked-pe`, cw: cwOf(0, 3, 0), op });
}

w.print();
