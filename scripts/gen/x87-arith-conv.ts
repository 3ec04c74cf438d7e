// Golden-vector cases for the x87 arithmetic core's conversions: FLD m32/m64, FILD m16/m32/m64, FBLD (loads:
// DE for denormal sources, IE for SNaN), FST m32/m64, FIST m16/m32, FISTP m64, FBSTP (stores: rounding by
// RC, overflow/underflow to the narrower format, out-of-range → IE and the indefinites, unmasked → no store),
// and arithmetic with a memory operand (FADD m32, FDIVR m64, FIADD m16, FISUBR m32: the conversion and the
// operation as one instruction). Source at SRC_ADDR, destination OUT (x87-arith-kit.ts).
// Usage: npx tsx scripts/gen/x87-arith-conv.ts > /tmp/x87-arith-conv.cases.jsonl

import { X87Writer, Gen, SPECIALS, cwOf, PCS, v80, mAbs, SRC_ADDR, OUT_ADDR, ONE, type V80 } from './x87-arith-kit.ts';
import { le } from './encode-kit.ts';

const w = new X87Writer();
const g = new Gen(0xC0417);
const hex = (v: V80) => `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}`;
const h32 = (x: number) => (x >>> 0).toString(16);
const MASKS = [0x3F, 0x3F, 0x3F, 0x3E, 0x3D, 0x37, 0x2F, 0x1F, 0x00];

// ---- FLD m32 / m64 ----
const f32s: number[] = [0, 0x80000000, 1, 0x807FFFFF, 0x00400000, 0x00800000, 0x7F7FFFFF, 0xFF800000, 0x7F800000,
  0x7F800001, 0xFFBFFFFF, 0x7FC00000, 0xFFC12345, 0x3F800000, 0xC0490FDB];
for (let k = 0; k < 25; k++) f32s.push(g.r());
// A denormal source with DE unmasked: the SDM (vol. 1 §8.5.2) says TOP and the registers stay unchanged; AMD
// silicon pushes the value anyway. Those cases are left out (the SDM wins; f80 follows it).
const DM = 0x02;
for (const x of f32s) {
  for (let k = 0; k < 2; k++) {
    let masks = k ? g.pick(MASKS) : 0x3F;
    if ((x & 0x7F800000) === 0 && (x & 0x7FFFFF) !== 0) masks |= DM;
    w.add({ name: `ld32.m${masks.toString(16)}.${h32(x)}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), op: 'd9' + mAbs(0, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: le(x, 4) }], regs: 1 });
  }
}
const f64s: [number, number][] = [[0, 0], [0x80000000, 0], [0, 1], [0x800FFFFF, 0xFFFFFFFF], [0x00080000, 0], [0x00100000, 0],
  [0x7FEFFFFF, 0xFFFFFFFF], [0xFFF00000, 0], [0x7FF00000, 0], [0x7FF00000, 1], [0xFFF7FFFF, 0xFFFFFFFF], [0x7FF80000, 0],
  [0xFFF81234, 0x56789ABC], [0x3FF00000, 0], [0x400921FB, 0x54442D18]];
for (let k = 0; k < 25; k++) f64s.push([g.r(), g.r()]);
for (const [hi, lo] of f64s) {
  for (let k = 0; k < 2; k++) {
    let masks = k ? g.pick(MASKS) : 0x3F;
    if ((hi & 0x7FF00000) === 0 && ((hi & 0xFFFFF) | lo) !== 0) masks |= DM;
    w.add({ name: `ld64.m${masks.toString(16)}.${h32(hi)}:${h32(lo)}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), op: 'dd' + mAbs(0, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: le(lo, 4) + le(hi, 4) }], regs: 1 });
  }
}

// ---- FILD m16/m32/m64, FBLD ----
for (const x of [0, 1, 0xFFFF, 0x8000, 0x7FFF, 0x1234, 0xFEDC]) {
  w.add({ name: `ild16.${h32(x)}`, cw: 0x37F, op: 'df' + mAbs(0, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: le(x, 2) }], regs: 1 });
}
for (const x of [0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, g.r(), g.r(), g.r()]) {
  w.add({ name: `ild32.${h32(x)}`, cw: 0x37F, op: 'db' + mAbs(0, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: le(x, 4) }], regs: 1 });
}
for (const [hi, lo] of [[0, 0], [0, 1], [0xFFFFFFFF, 0xFFFFFFFF], [0x80000000, 0], [0x7FFFFFFF, 0xFFFFFFFF], [0x00000001, 0], [g.r(), g.r()], [g.r(), g.r()], [0xFFFFFFFF, 0], [0x12345678, 0x9ABCDEF1]]) {
  w.add({ name: `ild64.${h32(hi)}:${h32(lo)}`, cw: 0x37F, op: 'df' + mAbs(5, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: le(lo, 4) + le(hi, 4) }], regs: 1 });
}
const bcdHex = (digits: string, neg: boolean) => { // digits: up to 18, most significant first
  const d = digits.padStart(18, '0');
  let s = '';
  for (let k = 0; k < 9; k++) s += d[16 - 2 * k] + d[17 - 2 * k];
  return s + (neg ? '80' : '00');
};
const bcds: [string, boolean][] = [['0', false], ['0', true], ['1', false], ['1', true], ['999999999999999999', false], ['999999999999999999', true],
  ['123456789012345678', false], ['100000000000000000', true], ['9007199254740993', false], ['18446744', true]];
for (let k = 0; k < 8; k++) bcds.push([String(g.r() % 1000000000) + String(g.r() % 1000000000).padStart(9, '0'), g.int(2) === 1]);
for (const [d, n] of bcds) {
  w.add({ name: `bld.${n ? '-' : '+'}${d}`, cw: 0x37F, op: 'df' + mAbs(4, SRC_ADDR), mem: [{ addr: SRC_ADDR, hex: bcdHex(d, n) }], regs: 1 });
}

/** Rounding modes to try: all four for finite nonzero values, one for the rest (RC does not matter there). */
function rcsFor(a: V80): number[] {
  const e = a.se & 0x7FFF;
  const special = e === 0x7FFF || (e === 0 && (a.hi | a.lo) === 0) || (e !== 0 && (a.hi & 0x80000000) === 0);
  return special ? [g.int(4)] : [0, 1, 2, 3];
}

// ---- FST m32 / m64 ----
function storeVals(emax: number, p: number): V80[] {
  const vs: V80[] = SPECIALS.map(([, v]) => v);
  for (let k = 0; k < 14; k++) vs.push(g.any());
  for (let k = 0; k < 16; k++) { // around the overflow threshold and the denormal range of the narrow format
    const e = g.pick([emax, emax + 1, emax - 1, -emax + 1, -emax, -emax - 1, -emax - p + 1, -emax - p, -emax - p - 1, -emax - p - 2, -emax - 10]);
    vs.push(g.normal(0x3FFF + e));
  }
  // ties at p bits: odd/even last bit, exactly half, half + sticky
  for (const odd of [0, 1]) {
    for (const st of [0, 1]) {
      const bit = 63 - (p - 1) - 1; // the bit just below the last kept one
      let hi = 0x80000000 | (g.r() & 0x7FFFFFFF), lo = 0;
      const lastBit = bit + 1;
      const setBit = (b: number, on: boolean) => { if (b >= 32) hi = on ? hi | (1 << (b - 32)) : hi & ~(1 << (b - 32)); else lo = on ? lo | (1 << b) : lo & ~(1 << b); };
      if (p === 24) { hi &= ~0xFF; }
      setBit(lastBit, odd === 1);
      setBit(bit, true);
      if (p === 24 && st) lo = 1;
      else if (p === 53 && st) lo |= 1;
      if (p === 53) lo = (lo & ~((1 << bit) - 1)) | (st ? 1 : 0) | (1 << bit) | (odd ? 1 << lastBit : 0);
      vs.push(v80(0x3FFF + g.int(20) - 10, hi >>> 0, lo >>> 0));
    }
  }
  return vs;
}
for (const [name, code, emax, p, len] of [['st32', 'd9' + mAbs(2, OUT_ADDR), 127, 24, 4], ['st64', 'dd' + mAbs(2, OUT_ADDR), 1023, 53, 8]] as const) {
  for (const a of storeVals(emax, p)) {
    for (const rc of rcsFor(a)) {
      const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
      w.add({ name: `${name}.rc${rc}.m${masks.toString(16)}.${hex(a)}`, cw: cwOf(masks, g.pick(PCS), rc), a, op: code, outLen: len, regs: 1 });
    }
  }
}

// ---- FIST m16 / m32, FISTP m64, FBSTP ----
function intVals(bits: number): V80[] {
  const vs: V80[] = SPECIALS.map(([, v]) => v);
  const e = 0x3FFF + bits - 1; // exponent of 2^(bits-1)
  vs.push(v80(e, 0x80000000, 0), v80(0x8000 | e, 0x80000000, 0), v80(e - 1, 0xFFFFFFFF, 0xFFFFFFFF), v80(0x8000 | (e - 1), 0xFFFFFFFF, 0xFFFFFFFF));
  // -2^(bits-1) - 0.5 and friends, 2^(bits-1) - 0.5
  if (bits < 64) {
    const half = 1 / 2;
    for (const x of [2 ** (bits - 1) - half, -(2 ** (bits - 1)) - half, 2 ** (bits - 1) - 0.25, -(2 ** (bits - 1)) - 0.75]) vs.push(fromNum(x));
  }
  for (const x of [0.5, -0.5, 1.5, 2.5, -2.5, 0.25, -0.75, 3.75, -1e-5, 1e-300]) vs.push(fromNum(x));
  for (let k = 0; k < 8; k++) vs.push(g.normal(0x3FFF + g.int(bits + 2), g.int(2)));
  return vs;
}
/** A JS number as an extended value (exact). */
function fromNum(x: number): V80 {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const hi = b.getUint32(0), lo = b.getUint32(4);
  const sign = hi >>> 31, e = (hi >>> 20) & 0x7FF;
  if (e === 0) return v80(sign << 15, 0, 0);
  const mhi = ((0x100000 | (hi & 0xFFFFF)) << 11 | (lo >>> 21)) >>> 0, mlo = (lo << 11) >>> 0;
  return v80((sign << 15) | (e - 1023 + 0x3FFF), mhi, mlo);
}
for (const [name, code, bits, len] of [['ist16', 'df' + mAbs(2, OUT_ADDR), 16, 2], ['ist32', 'db' + mAbs(2, OUT_ADDR), 32, 4], ['istp64', 'df' + mAbs(7, OUT_ADDR), 64, 8]] as const) {
  for (const a of intVals(bits)) {
    for (const rc of rcsFor(a)) {
      const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
      w.add({ name: `${name}.rc${rc}.m${masks.toString(16)}.${hex(a)}`, cw: cwOf(masks, g.pick(PCS), rc), a, b: ONE, op: code, outLen: len, regs: 1 });
    }
  }
}
{
  const vs: V80[] = SPECIALS.map(([, v]) => v);
  for (const x of [999999999999999999, 1e18, -1e18, 999999999999999872, 0.5, -0.5, 1.5, -2.5, 0.25, -0.25, 123456.5, -7.75, 1e17 + 0.5]) vs.push(fromNum(x));
  vs.push(v80(0x403A, 0xDE0B6B3A, 0x763FFFFF), v80(0x403A, 0xDE0B6B3A, 0x763FFFF0), v80(0xC03A, 0xDE0B6B3A, 0x763FFFF8), v80(0x4039, 0xDE0B6B3A, 0x763FFFFF));
  for (let k = 0; k < 10; k++) vs.push(g.normal(0x3FFF + g.int(62), g.int(2)));
  for (const a of vs) {
    for (const rc of rcsFor(a)) {
      const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
      w.add({ name: `bstp.rc${rc}.m${masks.toString(16)}.${hex(a)}`, cw: cwOf(masks, g.pick(PCS), rc), a, b: ONE, op: 'df' + mAbs(6, OUT_ADDR), outLen: 10, regs: 1 });
    }
  }
}

// ---- arithmetic with a memory operand ----
const ops: [string, string, number][] = [['add32', 'd8' + mAbs(0, SRC_ADDR), 4], ['divr64', 'dc' + mAbs(7, SRC_ADDR), 8], ['iadd16', 'de' + mAbs(0, SRC_ADDR), 2], ['isubr32', 'da' + mAbs(5, SRC_ADDR), 4]];
for (const [name, code, len] of ops) {
  for (let k = 0; k < 40; k++) {
    const a = g.int(3) === 0 ? g.pick(SPECIALS)[1] : g.any();
    let src: string;
    if (name === 'add32') src = le(g.int(2) ? g.pick(f32s) : g.r(), 4);
    else if (name === 'divr64') { const [hi, lo] = g.int(2) ? g.pick(f64s) : [g.r(), g.r()]; src = le(lo, 4) + le(hi, 4); }
    else src = le(g.int(2) ? g.pick([0, 1, 0xFFFFFFFF, 0x80000000, 0x8000, 0x7FFF]) : g.r(), len);
    const masks = g.int(3) === 0 ? g.pick(MASKS) : 0x3F;
    w.add({ name: `${name}.m${masks.toString(16)}.${hex(a)}.${src}`, cw: cwOf(masks, g.pick(PCS), g.int(4)), a, op: code, mem: [{ addr: SRC_ADDR, hex: src }], regs: 1 });
  }
}

w.print();
