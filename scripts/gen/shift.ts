// Golden-vector cases for shifts and rotates: group 2 (C0/C1 imm8, D0/D1 by 1, D2/D3 by CL) with all
// eight sub-opcodes (SAL /6 included), 8/16/32-bit, register and memory; counts 0, 1, operand size, mod 9 /
// mod 17 for RCL/RCR, above 31 (masked); SHLD/SHRD (0F A4/A5/AC/AD) with counts that the SDM defines
// (never above 16 for 16-bit operands); #PF; chains where a rotate keeps the lazy flags of an ADD.
// Usage: npx tsx scripts/gen/shift.ts > /tmp/shift.cases.jsonl

import { CF, DATA, FAR, Writer, edges, hx, le, memAbs, memHex, modrm, rng, setReg, type Regs } from './arith-common.ts';

const w = new Writer();
const rand = rng(0x5417);
const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
const OPS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const FLAGS6 = 0x8D5;

function noise(): Regs {
  return {
    eax: rand(), ecx: rand(), edx: rand(), ebx: rand(), esi: rand(), edi: rand(), ebp: rand(),
    eflags: rand() & FLAGS6,
  };
}
/** Operand register: not ESP, and not CL/ECX (the count register). */
function opReg(bits: number): number {
  for (;;) {
    const n = rand() % 8;
    if (n === 1 || (bits !== 8 && n === 4) || (bits === 8 && n === 5)) continue;
    return n;
  }
}
const opsz = (bits: number) => (bits === 16 ? '66' : '');
const mask = (bits: number) => (bits === 32 ? 0xFFFFFFFF : (1 << bits) - 1);

/** Interesting counts for an operand size (before the 5-bit mask). */
function counts(bits: number): number[] {
  const c = [0, 1, 2, 3, bits - 1, bits, bits + 1, 31, 32, 33, 0xFF, 0x41];
  if (bits === 8) c.push(9, 10, 17);
  if (bits === 16) c.push(17, 18, 15);
  return c;
}

// ---- group 2, register operand ----
for (let op = 0; op < 8; op++) {
  for (const bits of [8, 16, 32]) {
    const e = edges(bits);
    const w1 = bits === 8 ? 0 : 1;
    // D0/D1: by one, many values, both CF values
    for (const v of [0, 1, mask(bits), 2 ** (bits - 1), 2 ** (bits - 1) - 1, 2 ** (bits - 2), pick(e), rand() & mask(bits)]) {
      const regs = noise();
      regs.eflags = (regs.eflags! & ~CF) | (rand() & 1);
      const r = opReg(bits);
      setReg(regs, bits, r, v);
      w.add({ name: `${OPS[op]}${bits}-d${w1}-${v.toString(16)}`, code: opsz(bits) + hx(0xD0 | w1, modrm(3, op, r)), regs });
    }
    // C0/C1 imm8 and D2/D3 CL over the count list
    for (const c of counts(bits)) {
      for (const byCl of [false, true]) {
        if (rand() % 3 === 0 && c !== 0 && c !== 1) continue; // thin out a little
        const regs = noise();
        regs.eflags = (regs.eflags! & ~CF) | (rand() & 1);
        const r = opReg(bits), v = rand() & 1 ? pick(e) : rand() & mask(bits);
        setReg(regs, bits, r, v);
        let code: string;
        if (byCl) {
          regs.ecx = ((regs.ecx! & ~0xFF) | c) >>> 0;
          code = hx(0xD2 | w1, modrm(3, op, r));
        } else code = hx(0xC0 | w1, modrm(3, op, r), c);
        w.add({ name: `${OPS[op]}${bits}-${byCl ? 'cl' : 'imm'}${c}-${v.toString(16)}`, code: opsz(bits) + code, regs });
      }
    }
  }
}

// ---- group 2, memory operand (read-modify-write), all three count sources ----
for (let op = 0; op < 8; op++) {
  for (const bits of [8, 16, 32]) {
    const w1 = bits === 8 ? 0 : 1, e = edges(bits);
    for (const src of ['1', 'imm', 'cl'] as const) {
      const regs = noise();
      regs.eflags = (regs.eflags! & ~CF) | (rand() & 1);
      const v = pick(e), c = src === '1' ? 1 : pick([0, 1, 3, bits - 1, bits, 9, 17, 31]);
      const addr = DATA + 0x11 + op * 8;
      let code: string;
      if (src === '1') code = hx(0xD0 | w1) + memAbs(op, addr);
      else if (src === 'imm') code = hx(0xC0 | w1) + memAbs(op, addr) + hx(c);
      else { regs.ecx = c; code = hx(0xD2 | w1) + memAbs(op, addr); }
      w.add({
        name: `${OPS[op]}${bits}-m-${src}${c}-${v.toString(16)}`, code: opsz(bits) + code, regs,
        mem: [{ addr, hex: memHex(v, bits) }], dump: [{ addr, len: bits >> 3 }],
      });
    }
  }
}

// ---- SHLD / SHRD ----
for (const right of [false, true]) {
  for (const bits of [16, 32]) {
    const e = edges(bits);
    const cs = bits === 16 ? [0, 1, 2, 4, 8, 15, 16, 32, 33, 48] : [0, 1, 2, 4, 8, 16, 31, 32, 33, 63];
    for (const c of cs) {
      for (const byCl of [false, true]) {
        const regs = noise();
        const d = opReg(bits);
        let s: number;
        do s = opReg(bits); while (s === d);
        setReg(regs, bits, d, rand() & 1 ? pick(e) : rand());
        setReg(regs, bits, s, rand() & 1 ? pick(e) : rand());
        const opc = (right ? 0xAC : 0xA4) | (byCl ? 1 : 0);
        let code = hx(0x0F, opc, modrm(3, s, d));
        if (byCl) regs.ecx = ((regs.ecx! & ~0xFF) | c) >>> 0; else code += hx(c);
        w.add({ name: `${right ? 'shrd' : 'shld'}${bits}-${byCl ? 'cl' : 'imm'}${c}`, code: opsz(bits) + code, regs });
      }
    }
    for (const c of [1, 5, bits - 1]) {
      const regs = noise();
      const s = opReg(bits), addr = DATA + 0x102;
      setReg(regs, bits, s, rand());
      regs.ecx = c;
      w.add({
        name: `${right ? 'shrd' : 'shld'}${bits}-m-cl${c}`, code: opsz(bits) + hx(0x0F, right ? 0xAD : 0xA5) + memAbs(s, addr), regs,
        mem: [{ addr, hex: le(rand(), 4) }], dump: [{ addr, len: 4 }],
      });
      w.add({
        name: `${right ? 'shrd' : 'shld'}${bits}-m-imm${c}`, code: opsz(bits) + hx(0x0F, right ? 0xAC : 0xA4) + memAbs(s, addr) + hx(c),
        regs: { ...regs }, mem: [{ addr, hex: le(rand(), 4) }], dump: [{ addr, len: 4 }],
      });
    }
  }
}

// ---- #PF: a shift of memory outside the arena is a write access, even with a count of 0 ----
for (const [name, code, ecx] of [
  ['pf-shl-m-cl0', 'd3' + memAbs(4, FAR), 0],
  ['pf-shl-m-cl1', 'd3' + memAbs(4, FAR), 1],
  ['pf-rcr-m8', 'd0' + memAbs(3, FAR + 5), 0],
  ['pf-rol-m16-imm', '66c1' + memAbs(0, FAR) + '04', 0],
  ['pf-shld-m', '0fa4' + memAbs(0, FAR) + '04', 0],
  ['pf-shrd-m-cl0', '0fad' + memAbs(0, FAR), 0],
] as const) w.add({ name, code, regs: { ...noise(), ecx } });

// ---- chains: rotates change only CF/OF, so SF ZF AF PF of an earlier ADD survive; count 0 changes nothing ----
{
  const chains: [string, string][] = [
    ['chain-add-rol', '01d8' + 'd1c1'],       // add eax,ebx ; rol ecx,1
    ['chain-add-rcr-cl', '01d8' + 'd3da'],    // add eax,ebx ; rcr edx,cl
    ['chain-add-rcl8', '00d8' + 'd0d5'],      // add al,bl ; rcl ch,1 (CF in from the add)
    ['chain-sub-ror16', '6629d8' + '66c1ca05'],
    ['chain-add-shl0-adc', '01d8' + 'c1e600' + '83d100'], // shl esi,0 keeps the lazy add flags
    ['chain-shl-adc', 'c1e603' + '83d100'],
    ['chain-inc-rcl-adc', '40' + 'd1d6' + '83d100'],
    ['chain-sar-sbb', 'd1f8' + '19c9'],
  ];
  for (const [name, code] of chains) {
    for (let k = 0; k < 4; k++) {
      const regs = noise();
      if (k === 0) { regs.eax = 0xFFFFFFFF; regs.ebx = 1; }
      if (k === 1) { regs.eax = 0x8000000F; regs.ebx = 0x80000001; }
      if (k === 2) regs.ecx = (regs.ecx! & ~0xFF) >>> 0;
      w.add({ name: `${name}-${k}`, code, regs });
    }
  }
}

w.print();
