// Golden-vector cases for the decimal-adjust instructions DAA 27, DAS 2F, AAA 37, AAS 3F, AAM D4 ib,
// AAD D5 ib: a sample of AL x AF x CF (every AL value in `--all` mode, used to check the implementation
// exhaustively against silicon without committing the 4,000+ results), AAM/AAD with bases 10, 16, 1,
// 0xFF and #DE for AAM 0, and chains where the flags come from a lazy ADD/SUB.
// Usage: npx tsx scripts/gen/bcd.ts [--all] > /tmp/bcd.cases.jsonl

import { AF, CF, Writer, hx, rng, type Regs } from './arith-common.ts';

const all = process.argv.includes('--all');
const w = new Writer();
const rand = rng(0xBCD0);
const FLAGS6 = 0x8D5;

function noise(): Regs {
  return { eax: rand(), ecx: rand(), edx: rand(), ebx: rand(), esi: rand(), edi: rand(), ebp: rand(), eflags: rand() & FLAGS6 };
}

// DAA / DAS / AAA / AAS over AL, AF, CF (AH random: AAA/AAS change it)
const ALS = all ? [...Array(256).keys()] : [0x00, 0x09, 0x0A, 0x0F, 0x10, 0x19, 0x1A, 0x5F, 0x90, 0x99, 0x9A, 0x9F, 0xA0, 0xF9, 0xFA, 0xFF, 0x06, 0x05, 0x66, 0x60];
for (const [name, opc] of [['daa', 0x27], ['das', 0x2F], ['aaa', 0x37], ['aas', 0x3F]] as const) {
  for (const al of ALS) {
    for (const fl of [0, AF, CF, AF | CF]) {
      const regs = noise();
      regs.eax = ((regs.eax! & ~0xFF) | al) >>> 0;
      if (!all && (opc === 0x37 || opc === 0x3F) && rand() % 4 === 0) regs.eax = ((regs.eax & 0xFFFF00FF) | 0xFF00) >>> 0; // AH = FF: carry out of AH
      if (!all && (opc === 0x3F) && rand() % 4 === 0) regs.eax = (regs.eax & 0xFFFF00FF) >>> 0;                          // AH = 0: borrow out of AH
      regs.eflags = (regs.eflags! & ~(AF | CF)) | fl;
      w.add({ name: `${name}-${al.toString(16)}-${fl.toString(16)}`, code: hx(opc), regs });
    }
  }
  if (!all) {
    // random extra values
    for (let k = 0; k < 24; k++) {
      const regs = noise();
      w.add({ name: `${name}-rnd`, code: hx(opc), regs });
    }
  }
}

// AAM / AAD with several bases
for (const [name, opc] of [['aam', 0xD4], ['aad', 0xD5]] as const) {
  for (const base of [10, 16, 1, 0xFF, 7, 0x80]) {
    const vals = all ? [...Array(256).keys()] : [0, 1, 9, 10, 99, 0x7F, 0x80, 0xFF, rand() & 0xFF, rand() & 0xFF];
    for (const v of vals) {
      const regs = noise();
      regs.eax = ((regs.eax! & 0xFFFF0000) | ((rand() & 0xFF) << 8) | v) >>> 0;
      w.add({ name: `${name}-${base.toString(16)}-${v.toString(16)}`, code: hx(opc, base), regs });
    }
  }
}
// AAM 0: #DE with nothing changed
for (let k = 0; k < 4; k++) w.add({ name: 'aam-0-de', code: hx(0xD4, 0), regs: noise() });

// chains: the adjust reads AF/CF from the lazy flags of the previous ADD/SUB
for (const [name, code] of [
  ['chain-add-daa', '00d8' + '27'],   // add al,bl ; daa
  ['chain-sub-das', '28d8' + '2f'],   // sub al,bl ; das
  ['chain-add-aaa', '00d8' + '37'],
  ['chain-sub-aas', '28d8' + '3f'],
  ['chain-adc-daa-adc', '10d8' + '27' + '80d400'], // adc al,bl ; daa ; adc ah,0
] as const) {
  for (const [a, b] of [[0x19, 0x28], [0x99, 0x01], [0x58, 0x49], [0x09, 0x09], [0x00, 0x01], [0x91, 0x19]]) {
    const regs = noise();
    regs.eax = ((regs.eax! & ~0xFF) | a) >>> 0;
    regs.ebx = ((regs.ebx! & ~0xFF) | b) >>> 0;
    w.add({ name: `${name}-${a.toString(16)}-${b.toString(16)}`, code, regs });
  }
}

w.print();
