// Golden-vector cases for the integer ALU group: ADD OR ADC SBB AND SUB XOR CMP (00-3D, 80-83),
// INC/DEC (40-4F, FE/FF /0 /1), TEST (84/85, A8/A9, F6/F7 /0 /1), NOT/NEG (F6/F7 /2 /3), LOCK legality,
// #PF on memory operands, 16-bit addressing (67), and chains that feed lazy flags into ADC/SBB.
// Usage: npx tsx scripts/gen/alu.ts > /tmp/alu.cases.jsonl && npx tsx scripts/record-golden.ts ...

import {
  AF, CF, DATA, FAR, OF, PF, SF, ZF, Writer, edges, hx, le, memAbs, memHex, modrm, rng, setReg, type Regs,
} from './arith-common.ts';

const w = new Writer();
const rand = rng(0xA1A1);
const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
const SIZES = [8, 16, 32] as const;
const OPS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const FLAGS6 = CF | PF | AF | ZF | SF | OF;

/** Registers full of noise (so 8/16-bit writes that clobber upper bits show), flags random. */
function noise(): Regs {
  return {
    eax: rand(), ecx: rand(), edx: rand(), ebx: rand(), esi: rand(), edi: rand(), ebp: rand(),
    eflags: rand() & FLAGS6,
  };
}
/** A register number usable for `bits` (not SP/ESP for 16/32, any of AL..BH for 8). */
function anyReg(bits: number, not = -1): number {
  for (;;) {
    const n = rand() % 8;
    if (n === not || (bits !== 8 && n === 4)) continue;
    return n;
  }
}
const opsz = (bits: number) => (bits === 16 ? '66' : '');
const w1 = (bits: number) => (bits === 8 ? 0 : 1); // the w bit of the opcode
const mask = (bits: number) => (bits === 32 ? 0xFFFFFFFF : (1 << bits) - 1);

/** Edge pairs for a size: a fixed list that hits carries/overflows plus a few random edge pairs. */
function pairs(bits: number): [number, number][] {
  const e = edges(bits), m = mask(bits), h = 2 ** (bits - 1);
  const out: [number, number][] = [
    [0, 0], [m, 1], [1, m], [h - 1, 1], [h, m], [h, h], [m, m], [0x0F, 1], [0, 1], [h - 1, h - 1], [h, 1], [0x08, 0x08],
  ];
  for (let k = 0; k < 4; k++) out.push([pick(e), pick(e)]);
  for (let k = 0; k < 2; k++) out.push([rand() & m, rand() & m]);
  return out.map(([a, b]) => [a >>> 0, b >>> 0]);
}

// ---- ADD..CMP, register forms (00/01 r/m destination, 02/03 register destination) ----
for (let op = 0; op < 8; op++) {
  for (const bits of SIZES) {
    let k = 0;
    for (const [a, b] of pairs(bits)) {
      for (const cf of op === 2 || op === 3 ? [0, 1] : [-1]) {
        const regs = noise();
        if (cf >= 0) regs.eflags = (regs.eflags! & ~CF) | cf;
        const d = anyReg(bits), s = anyReg(bits, d);
        setReg(regs, bits, d, a);
        setReg(regs, bits, s, b);
        const dirReg = (k++ & 1) === 1; // alternate 00/01 and 02/03 encodings
        const opc = (op << 3) | (dirReg ? 2 : 0) | w1(bits);
        const m = dirReg ? modrm(3, d, s) : modrm(3, s, d);
        w.add({ name: `${OPS[op]}${bits}-r-${a.toString(16)}-${b.toString(16)}${cf >= 0 ? `-cf${cf}` : ''}`, code: opsz(bits) + hx(opc, m), regs });
      }
    }
  }
}

// ---- ADD..CMP, memory forms: r/m destination (read-modify-write) and register destination ----
for (let op = 0; op < 8; op++) {
  for (const bits of SIZES) {
    const e = edges(bits);
    for (let k = 0; k < 4; k++) {
      const a = pick(e), b = pick(e);
      const regs = noise();
      // Operand register: never one the address uses (EBX, ESI, EDI; BL/BH for 8-bit).
      let r: number;
      do r = anyReg(bits); while (bits === 8 ? (r & 3) === 3 : r === 3 || r === 6 || r === 7);
      setReg(regs, bits, r, b);
      const toReg = k >= 2;
      const opc = (op << 3) | (toReg ? 2 : 0) | w1(bits);
      // Vary the addressing form: absolute, [edi+disp8], [ebx+esi*4+disp32]; odd addresses too.
      const addr = DATA + 0x40 * k + (k & 1);
      let code: string;
      if (k === 0) code = hx(opc) + memAbs(r, addr);
      else if (k === 1) {
        regs.edi = addr - 0x10;
        code = hx(opc, modrm(1, r, 7), 0x10);
      } else {
        regs.ebx = addr - 0x100 - 4 * 3; regs.esi = 3;
        code = hx(opc, modrm(2, r, 4), (2 << 6) | (6 << 3) | 3) + le(0x100, 4);
      }
      w.add({
        name: `${OPS[op]}${bits}-m${toReg ? 'r' : 'w'}-${a.toString(16)}-${b.toString(16)}`,
        code: opsz(bits) + code, regs,
        mem: [{ addr, hex: memHex(a, bits) }], dump: [{ addr, len: bits >> 3 }],
      });
    }
  }
}

// ---- ADD..CMP with immediates: 04/05 (AL/AX/EAX), 80/82 Eb,Ib, 81 Ev,Iz, 83 Ev,Ibs ----
for (let op = 0; op < 8; op++) {
  const cfs = op === 2 || op === 3;
  for (const bits of SIZES) {
    const e = edges(bits);
    for (let k = 0; k < 3; k++) {
      const regs = noise();
      if (cfs) regs.eflags = (regs.eflags! & ~CF) | (k & 1);
      const a = pick(e), b = pick(e);
      setReg(regs, bits, 0, a);
      w.add({ name: `${OPS[op]}${bits}-acc-imm`, code: opsz(bits) + hx((op << 3) | 4 | w1(bits)) + le(b, bits >> 3), regs });
    }
    // group 1, register and memory
    const grp = bits === 8 ? [0x80, 0x82] : [0x81, 0x83];
    for (const g of grp) {
      for (const mem of [false, true]) {
        for (let k = 0; k < 2; k++) {
          const regs = noise();
          if (cfs) regs.eflags = (regs.eflags! & ~CF) | (k & 1);
          const a = pick(e);
          const immBytes = g === 0x81 ? bits >> 3 : 1;
          const imm = k === 0 ? (immBytes === 1 ? 0xFF : mask(bits)) : rand() & (immBytes === 1 ? 0xFF : mask(bits));
          let code: string;
          const extra: Partial<Parameters<Writer['add']>[0]> = {};
          if (mem) {
            code = hx(g) + memAbs(op, DATA + 8);
            extra.mem = [{ addr: DATA + 8, hex: memHex(a, bits) }];
            extra.dump = [{ addr: DATA + 8, len: bits >> 3 }];
          } else {
            const r = anyReg(bits);
            setReg(regs, bits, r, a);
            code = hx(g, modrm(3, op, r));
          }
          w.add({ name: `${OPS[op]}${bits}-${g.toString(16)}${mem ? 'm' : 'r'}`, code: opsz(bits) + code + le(imm, immBytes), regs, ...extra });
        }
      }
    }
  }
}

// ---- INC/DEC 40-4F (16/32), FE/FF /0 /1 (8/16/32, register and memory): CF must be preserved ----
for (let n = 0; n < 8; n++) {
  for (const dec of [false, true]) {
    for (const bits of [16, 32]) {
      const vals = dec ? [0, 1, 2 ** (bits - 1), mask(bits)] : [mask(bits), 2 ** (bits - 1) - 1, 0x0F, 0];
      for (const v of vals) {
        const regs = noise();
        regs.eflags = (regs.eflags! & ~CF) | (rand() & 1);
        if (n !== 4) setReg(regs, bits, n, v);
        else regs.esp = 0x7F0000; // INC/DEC ESP: keep the entry stack in the arena
        w.add({ name: `${dec ? 'dec' : 'inc'}${bits}-${(0x40 + (dec ? 8 : 0) + n).toString(16)}-${v.toString(16)}`, code: opsz(bits) + hx(0x40 + (dec ? 8 : 0) + n), regs });
      }
    }
  }
}
for (const bits of SIZES) {
  for (const dec of [false, true]) {
    const m = mask(bits), h = 2 ** (bits - 1);
    for (const v of [0, 1, m, h - 1, h, 0x0F, 0x10]) {
      for (const mem of [false, true]) {
        const regs = noise();
        regs.eflags = (regs.eflags! & ~CF) | (v & 1 ? CF : 0);
        const opc = bits === 8 ? 0xFE : 0xFF;
        if (mem) {
          w.add({
            name: `${dec ? 'dec' : 'inc'}${bits}-m-${v.toString(16)}`, code: opsz(bits) + hx(opc) + memAbs(dec ? 1 : 0, DATA + 3),
            regs, mem: [{ addr: DATA + 3, hex: memHex(v, bits) }], dump: [{ addr: DATA + 3, len: bits >> 3 }],
          });
        } else {
          const r = anyReg(bits);
          setReg(regs, bits, r, v);
          w.add({ name: `${dec ? 'dec' : 'inc'}${bits}-r-${v.toString(16)}`, code: opsz(bits) + hx(opc, modrm(3, dec ? 1 : 0, r)), regs });
        }
      }
    }
  }
}

// ---- TEST: 84/85 (reg, mem), A8/A9, F6/F7 /0 and the /1 alias ----
for (const bits of SIZES) {
  const e = edges(bits);
  for (let k = 0; k < 6; k++) {
    const a = pick(e), b = k === 0 ? a : pick(e);
    const regs = noise();
    const d = anyReg(bits), s = anyReg(bits, d);
    setReg(regs, bits, d, a); setReg(regs, bits, s, b);
    w.add({ name: `test${bits}-r`, code: opsz(bits) + hx(0x84 | w1(bits), modrm(3, s, d)), regs });
  }
  for (let k = 0; k < 3; k++) {
    const a = pick(e), b = pick(e);
    const regs = noise();
    const s = anyReg(bits);
    setReg(regs, bits, s, b);
    w.add({
      name: `test${bits}-m`, code: opsz(bits) + hx(0x84 | w1(bits)) + memAbs(s, DATA + 0x20), regs,
      mem: [{ addr: DATA + 0x20, hex: memHex(a, bits) }], dump: [{ addr: DATA + 0x20, len: bits >> 3 }],
    });
  }
  for (let k = 0; k < 3; k++) {
    const regs = noise();
    setReg(regs, bits, 0, pick(e));
    w.add({ name: `test${bits}-acc`, code: opsz(bits) + hx(0xA8 | w1(bits)) + le(pick(e), bits >> 3), regs });
  }
  for (const sub of [0, 1]) {
    for (const mem of [false, true]) {
      for (let k = 0; k < 2; k++) {
        const regs = noise();
        const a = pick(e), imm = pick(e);
        const opc = 0xF6 | w1(bits);
        if (mem) {
          w.add({
            name: `test${bits}-f${opc.toString(16).slice(1)}/${sub}-m`, code: opsz(bits) + hx(opc) + memAbs(sub, DATA + 0x30) + le(imm, bits >> 3), regs,
            mem: [{ addr: DATA + 0x30, hex: memHex(a, bits) }],
          });
        } else {
          const r = anyReg(bits);
          setReg(regs, bits, r, a);
          w.add({ name: `test${bits}-f${opc.toString(16).slice(1)}/${sub}-r`, code: opsz(bits) + hx(opc, modrm(3, sub, r)) + le(imm, bits >> 3), regs });
        }
      }
    }
  }
}

// ---- NOT (no flags) and NEG (CF = operand != 0), register and memory ----
for (const bits of SIZES) {
  const m = mask(bits), h = 2 ** (bits - 1);
  for (const sub of [2, 3]) {
    for (const v of [0, 1, m, h, h - 1, h + 1, 0x10, rand() & m]) {
      for (const mem of [false, true]) {
        const regs = noise();
        const opc = 0xF6 | w1(bits);
        const name = `${sub === 2 ? 'not' : 'neg'}${bits}-${mem ? 'm' : 'r'}-${v.toString(16)}`;
        if (mem) {
          w.add({
            name, code: opsz(bits) + hx(opc) + memAbs(sub, DATA + 0x51), regs,
            mem: [{ addr: DATA + 0x51, hex: memHex(v, bits) }], dump: [{ addr: DATA + 0x51, len: bits >> 3 }],
          });
        } else {
          const r = anyReg(bits);
          setReg(regs, bits, r, v);
          w.add({ name, code: opsz(bits) + hx(opc, modrm(3, sub, r)), regs });
        }
      }
    }
  }
}

// ---- LOCK: legal on a memory destination of ADD..XOR/INC/DEC/NOT/NEG; #UD on registers, CMP, TEST ----
{
  const m = (hex: string) => ({ mem: [{ addr: DATA, hex }], dump: [{ addr: DATA, len: 4 }] });
  const lockCases: [string, string][] = [
    ['lock-add-m', 'f001' + memAbs(0, DATA)],
    ['lock-adc-m8', 'f010' + memAbs(3, DATA)],
    ['lock-sbb-m16', '66f019' + memAbs(3, DATA)],
    ['lock-or-m', 'f009' + memAbs(1, DATA)],
    ['lock-and-81', 'f081' + memAbs(4, DATA) + le(0x0FF00FF0, 4)],
    ['lock-sub-83', 'f083' + memAbs(5, DATA) + '80'],
    ['lock-xor-80', 'f080' + memAbs(6, DATA) + '5a'],
    ['lock-inc-m', 'f0ff' + memAbs(0, DATA)],
    ['lock-dec-m8', 'f0fe' + memAbs(1, DATA)],
    ['lock-not-m', 'f0f7' + memAbs(2, DATA)],
    ['lock-neg-m16', '66f0f7' + memAbs(3, DATA)],
    ['lock-add-reg', 'f001c0'],
    ['lock-xor-reg', 'f031d8'],
    ['lock-inc-reg', 'f0ffc0'],
    ['lock-neg-reg', 'f0f7d8'],
    ['lock-not-reg8', 'f0f6d0'],
    ['lock-81-reg', 'f081c001000000'],
    ['lock-cmp-m', 'f039' + memAbs(0, DATA)],
    ['lock-cmp-80', 'f080' + memAbs(7, DATA) + '01'],
    ['lock-add-gv-ev', 'f003' + memAbs(0, DATA)], // register destination: not lockable
    ['lock-test-m', 'f085' + memAbs(0, DATA)],
    ['lock-test-f7', 'f0f7' + memAbs(0, DATA) + le(1, 4)],
    ['lock-add-acc', 'f00501000000'],
    ['lock-inc-40', 'f040'],
  ];
  for (const [name, code] of lockCases) {
    const regs = noise();
    regs.ebx = 0x7F0000;
    w.add({ name, code, regs, ...m(le(0x89ABCDEF, 4)) });
  }
}

// ---- #PF: memory operands outside the arena (not present); write access for RMW, read for CMP/TEST ----
{
  const pfCases: [string, string][] = [
    ['pf-add-m', '01' + memAbs(0, FAR)],
    ['pf-add-m8', '00' + memAbs(0, FAR + 1)],
    ['pf-adc-gv', '13' + memAbs(0, FAR)],
    ['pf-cmp-m', '39' + memAbs(0, FAR)],
    ['pf-cmp-83', '833d' + le(FAR, 4) + '01'],
    ['pf-test-m', '85' + memAbs(0, FAR)],
    ['pf-inc-m16', '66ff' + memAbs(0, FAR + 2)],
    ['pf-neg-m', 'f7' + memAbs(3, FAR)],
    ['pf-not-m8', 'f6' + memAbs(2, FAR)],
    ['pf-lock-add', 'f001' + memAbs(0, FAR)],
    // a dword that straddles the arena end: the first byte is mapped, the rest is not
    ['pf-add-straddle', '01' + memAbs(0, 0x7FCFFE)],
  ];
  for (const [name, code] of pfCases) w.add({ name, code, regs: noise() });
  // 16-bit addressing (67): the offset wraps at 64 KiB and lands below the arena → #PF with that CR2.
  const a16: [string, string, Regs][] = [
    ['a16-add-bx-si', '670100', { ebx: 0x1234FFFF, esi: 0x2 }],
    ['a16-add-bp-di-d8', '67014301', { ebp: 0xFFF0, edi: 0x20, eax: 1 }],
    ['a16-cmp-disp16', '673b060080', {}],
    ['a16-inc-bx-d16', '67ff87fe7f', { ebx: 0x8004 }],
    ['a16-neg-si', '67f71c', { esi: 0xFFFF0001 }],
    ['a16-test-bp-si', '67850a', { ebp: 0xFFFF, esi: 0xFFFF }],
  ];
  for (const [name, code, r] of a16) w.add({ name, code, regs: { ...noise(), ...r } });
}

// ---- chains: the lazy flags of one instruction feed ADC/SBB, INC keeps CF, NOT keeps everything ----
{
  const chains: [string, string][] = [
    ['chain-add-adc', '01d8' + '11d1'],            // add eax,ebx ; adc ecx,edx
    ['chain-sub-sbb', '29d8' + '19d1'],            // sub eax,ebx ; sbb ecx,edx
    ['chain-add8-adc', '00d8' + '83d100'],         // add al,bl ; adc ecx,0
    ['chain-sub16-sbb', '6629d8' + '83d900'],      // sub ax,bx ; sbb ecx,0
    ['chain-add-inc-adc', '01d8' + '40' + '83d100'],     // CF of the add survives inc eax
    ['chain-sub-dec-sbb', '29d8' + '4a' + '83d900'],     // CF of the sub survives dec edx
    ['chain-cmp-inc8-adc', '38d8' + 'fec4' + '83d100'],  // cmp al,bl ; inc ah ; adc ecx,0
    ['chain-add-not-adc', '01d8' + 'f7d2' + '83d100'],   // not keeps CF
    ['chain-neg-adc', 'f7db' + '83d100'],                // neg ebx ; adc ecx,0
    ['chain-xor-adc', '31d8' + '83d100'],                // logic clears CF
    ['chain-inc-inc-adc', '40' + '43' + '83d100'],       // CF from the initial flags through two incs
    ['chain-adc-adc', '11d8' + '11d1' + '83d600'],
  ];
  for (const [name, code] of chains) {
    for (let k = 0; k < 4; k++) {
      const regs = noise();
      if (k === 0) { regs.eax = 0xFFFFFFFF; regs.ebx = 1; }
      if (k === 1) { regs.eax = 0x80000000; regs.ebx = 0x80000000; }
      if (k === 2) { regs.eax = 5; regs.ebx = 7; }
      w.add({ name: `${name}-${k}`, code, regs });
    }
  }
}

w.print();
