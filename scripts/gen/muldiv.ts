// Golden-vector cases for MUL/IMUL/DIV/IDIV (F6/F7 /4-/7) in 8/16/32-bit, register and memory operands,
// the IMUL forms 0F AF, 69, 6B, and #DE (divide by zero, quotient overflow including the most negative
// dividend over -1; registers must be unchanged) and #PF.
// Usage: npx tsx scripts/gen/muldiv.ts > /tmp/muldiv.cases.jsonl

import { DATA, FAR, Writer, edges, hx, le, memAbs, memHex, modrm, rng, setReg, type Regs } from './arith-common.ts';

const w = new Writer();
const rand = rng(0xD1F0);
const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
const FLAGS6 = 0x8D5;
const NAMES = ['mul', 'imul', 'div', 'idiv'];

function noise(): Regs {
  return {
    eax: rand(), ecx: rand(), edx: rand(), ebx: rand(), esi: rand(), edi: rand(), ebp: rand(),
    eflags: rand() & FLAGS6,
  };
}
const opsz = (bits: number) => (bits === 16 ? '66' : '');
const mask = (bits: number) => (bits === 32 ? 0xFFFFFFFF : (1 << bits) - 1);
/** Source register for group 3: not the accumulator pair (AL/AH or eAX/eDX) and not ESP. */
function srcReg(bits: number): number {
  for (;;) {
    const n = rand() % 8;
    if (bits === 8 ? n === 0 || n === 4 : n === 0 || n === 2 || n === 4) continue;
    return n;
  }
}

/** Put the dividend/multiplicand `hi:lo` into AX (8-bit: AX = hi:lo bytes), DX:AX or EDX:EAX. */
function setAcc(regs: Regs, bits: number, hi: number, lo: number): void {
  if (bits === 8) { setReg(regs, 8, 0, lo); setReg(regs, 8, 4, hi); } else { setReg(regs, bits, 0, lo); setReg(regs, bits, 2, hi); }
}

// ---- MUL / IMUL (one operand) ----
for (const sub of [4, 5]) {
  for (const bits of [8, 16, 32]) {
    const e = edges(bits);
    const fixed: [number, number][] = [[0, 0], [1, mask(bits)], [mask(bits), mask(bits)], [2 ** (bits - 1), 2], [2 ** (bits - 1), mask(bits)], [2 ** (bits - 1) - 1, 2], [2 ** (bits - 1), 2 ** (bits - 1)], [2 ** (bits / 2), 2 ** (bits / 2 - 1)], [2 ** (bits / 2), 2 ** (bits / 2)], [3, 5]];
    for (let k = 0; k < 6; k++) fixed.push([pick(e), pick(e)]);
    for (let k = 0; k < 6; k++) fixed.push([rand() & mask(bits), rand() & mask(bits)]);
    fixed.forEach(([a, b], k) => {
      const regs = noise();
      setAcc(regs, bits, rand(), a >>> 0);
      const opc = bits === 8 ? 0xF6 : 0xF7;
      const name = `${NAMES[sub - 4]}${bits}-${(a >>> 0).toString(16)}-${(b >>> 0).toString(16)}`;
      if (k % 4 === 3) {
        w.add({ name: name + '-m', code: opsz(bits) + hx(opc) + memAbs(sub, DATA + 6), regs, mem: [{ addr: DATA + 6, hex: memHex(b, bits) }] });
      } else {
        const r = srcReg(bits);
        setReg(regs, bits, r, b);
        w.add({ name, code: opsz(bits) + hx(opc, modrm(3, sub, r)), regs });
      }
    });
    // the source register may be the accumulator itself: AL*AL, EAX*EAX
    for (const a of [mask(bits), 2 ** (bits - 1), 0x7 & mask(bits)]) {
      const regs = noise();
      setAcc(regs, bits, rand(), a);
      w.add({ name: `${NAMES[sub - 4]}${bits}-acc-${a.toString(16)}`, code: opsz(bits) + hx(bits === 8 ? 0xF6 : 0xF7, modrm(3, sub, 0)), regs });
    }
  }
}

// ---- DIV / IDIV ----
/** Dividends (hi, lo) and divisors that fit (no #DE) for a size, and some that overflow. */
for (const sub of [6, 7]) {
  const signed = sub === 7;
  for (const bits of [8, 16, 32]) {
    const m = mask(bits), h = 2 ** (bits - 1);
    const cases: [number, number, number][] = []; // hi, lo, divisor
    // fitting cases: build dividend = q * d + r with |r| < |d|
    for (let k = 0; k < 16; k++) {
      let d = (k < 4 ? [1, m, h, 3][k] : rand() & m) >>> 0;
      if (d === 0) d = 7;
      let q = (rand() & m) >>> 0;
      if (k % 5 === 1) q = signed ? h - 1 : m;
      if (k % 5 === 2) q = signed ? h : 0; // h = most negative quotient when signed
      if (k % 5 === 3) q = 0;
      // compute in BigInt (generator only) to get the exact dividend
      const B = BigInt;
      const sd = signed && d >= h ? B(d) - B(2 ** bits) : B(d);
      let sq = signed && q >= h ? B(q) - B(2 ** bits) : B(q);
      if (signed && sd < 0n && k % 5 === 2) sq = -sq; // keep the sign pattern interesting
      const ad = sd < 0n ? -sd : sd;
      let r = B(rand()) % ad;
      let n = sq * sd;
      if (n < 0n) r = -r;
      if (k % 3 === 0) r = 0n;
      n += r;
      // the quotient must fit; skip if our construction left the range (e.g. signed -h * -1)
      const qq = n / sd;
      if (signed ? qq < -B(h) || qq > B(h - 1) : qq < 0n || qq > B(m)) continue;
      const u = n & ((1n << B(2 * bits)) - 1n);
      cases.push([Number(u >> B(bits)), Number(u & B(m)), d]);
    }
    // #DE: zero divisor, quotient overflow
    cases.push([0, 5, 0], [(rand() & m) >>> 0, (rand() & m) >>> 0, 0]);
    if (!signed) cases.push([1, 0, 1], [m, m, m], [5, 0, 5], [4, m, 5]);
    else {
      cases.push([m, h, m]);                    // most negative dividend / -1
      cases.push([0, h, 1], [h >>> 0, 0, 1]);   // positive quotient h overflows
      cases.push([m, 0, 1]);                    // -2^bits / 1 overflows... (hi = -1, lo = 0)
      cases.push([0, h, m]);                    // +h / -1 = -h: fits
      cases.push([m, h, 1]);                    // -h / 1 = -h: fits
      cases.push([0, 2 * h - 1 >>> 0, 2], [m, 1, 2]);
    }
    cases.forEach(([hi, lo, d], k) => {
      const regs = noise();
      setAcc(regs, bits, hi, lo);
      const opc = bits === 8 ? 0xF6 : 0xF7;
      const name = `${NAMES[sub - 4]}${bits}-${(hi >>> 0).toString(16)}:${(lo >>> 0).toString(16)}-${(d >>> 0).toString(16)}`;
      if (k % 4 === 2) {
        w.add({ name: name + '-m', code: opsz(bits) + hx(opc) + memAbs(sub, DATA + 0x10), regs, mem: [{ addr: DATA + 0x10, hex: memHex(d, bits) }] });
      } else {
        const r = srcReg(bits);
        setReg(regs, bits, r, d);
        w.add({ name, code: opsz(bits) + hx(opc, modrm(3, sub, r)), regs });
      }
    });
    // divisor = the high half of the dividend register itself (DIV AH / DIV EDX)
    {
      const regs = noise();
      setAcc(regs, bits, 7, rand() & m);
      w.add({ name: `${NAMES[sub - 4]}${bits}-by-hi`, code: opsz(bits) + hx(bits === 8 ? 0xF6 : 0xF7, modrm(3, sub, bits === 8 ? 4 : 2)), regs });
    }
  }
}

// ---- IMUL r, r/m (0F AF), IMUL r, r/m, imm (69 Iz, 6B Ibs) ----
for (const bits of [16, 32]) {
  const e = edges(bits);
  for (let k = 0; k < 20; k++) {
    const regs = noise();
    const d = srcReg(bits) === 3 ? 1 : 3, s = k % 3 === 0 ? d : 6;
    const a = k < 10 ? pick(e) : rand() & mask(bits), b = k < 10 ? pick(e) : rand() & mask(bits);
    setReg(regs, bits, d, a); setReg(regs, bits, s, b);
    if (k % 5 === 4) {
      w.add({
        name: `imul${bits}-0faf-m`, code: opsz(bits) + hx(0x0F, 0xAF) + memAbs(d, DATA + 0x21), regs,
        mem: [{ addr: DATA + 0x21, hex: memHex(b, bits) }],
      });
    } else w.add({ name: `imul${bits}-0faf`, code: opsz(bits) + hx(0x0F, 0xAF, modrm(3, d, s)), regs });
  }
  for (let k = 0; k < 14; k++) {
    const regs = noise();
    const a = k < 7 ? pick(e) : rand() & mask(bits);
    const imm = k < 7 ? pick(e) : rand() & mask(bits);
    setReg(regs, bits, 6, a);
    const dst = k % 2 ? 6 : 7; // destination may equal the source
    if (k % 4 === 3) {
      w.add({
        name: `imul${bits}-69-m`, code: opsz(bits) + hx(0x69) + memAbs(dst, DATA + 0x31) + le(imm, bits >> 3), regs,
        mem: [{ addr: DATA + 0x31, hex: memHex(a, bits) }],
      });
    } else w.add({ name: `imul${bits}-69`, code: opsz(bits) + hx(0x69, modrm(3, dst, 6)) + le(imm, bits >> 3), regs });
  }
  for (let k = 0; k < 14; k++) {
    const regs = noise();
    const a = k < 7 ? pick(e) : rand() & mask(bits);
    const imm = pick([0x00, 0x01, 0x7F, 0x80, 0xFF, 0x02, 0x40, rand() & 0xFF]);
    setReg(regs, bits, 5, a);
    const dst = k % 2 ? 5 : 0;
    if (k % 4 === 3) {
      w.add({
        name: `imul${bits}-6b-m`, code: opsz(bits) + hx(0x6B) + memAbs(dst, DATA + 0x41) + hx(imm), regs,
        mem: [{ addr: DATA + 0x41, hex: memHex(a, bits) }],
      });
    } else w.add({ name: `imul${bits}-6b`, code: opsz(bits) + hx(0x6B, modrm(3, dst, 5), imm), regs });
  }
}

// ---- #PF on the memory source; #DE from a memory divisor ----
for (const [name, code] of [
  ['pf-mul-m', 'f7' + memAbs(4, FAR)],
  ['pf-idiv-m8', 'f6' + memAbs(7, FAR + 3)],
  ['pf-imul-0faf', '0faf' + memAbs(0, FAR)],
  ['pf-imul-69', '6669' + memAbs(0, FAR) + '0300'],
  ['pf-div-straddle', 'f7' + memAbs(6, 0x7FCFFD)],
] as const) w.add({ name, code, regs: noise() });
w.add({ name: 'de-div-m-zero', code: 'f7' + memAbs(6, DATA + 0x51), regs: noise(), mem: [{ addr: DATA + 0x51, hex: '00000000' }] });

w.print();
