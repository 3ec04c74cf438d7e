// Golden-vector cases for the bit group (src/cpu/ops/bit.ts): BT/BTS/BTR/BTC with register and immediate
// bit offsets on registers and memory (signed offsets reaching outside the operand, faults past the arena),
// LOCK legality, 0F BA /0-/3 #UD, BSF/BSR including a zero source.
// Usage: npx tsx scripts/gen/bit.ts > /tmp/bit.cases.jsonl. Deterministic: fixed seed.

import { ARENA_END, DATA, Gen, hx, le, memOp, merge, modrm, R32 } from './dm-kit.ts';

const g = new Gen(0xB17);
const F4 = 'f4';
const NOESP = [0, 1, 2, 3, 5, 6, 7];
const OPS = [[0xA3, 'bt', 4], [0xAB, 'bts', 5], [0xB3, 'btr', 6], [0xBB, 'btc', 7]] as const;
const BUF = DATA + 0x800; // bit strings are centred here so negative offsets stay inside the arena

function offsetVal(bits: number): number {
  const k = g.int(6);
  if (k === 0) return g.int(bits);
  if (k === 1) return g.pick([0, bits - 1, bits, bits + 1, 2 * bits - 1, 0x7F, 0x80, 0xFF]);
  return g.r();
}

for (const [op, name, sub] of OPS) {
  // ---- register destination, register offset (offset modulo the operand size) ----
  for (const pre of ['', '66']) {
    const bits = pre ? 16 : 32;
    for (let k = 0; k < 14; k++) {
      const reg = g.pick(NOESP), rm = g.pick(NOESP);
      const regs = merge(g.regs(), { [R32[reg]]: offsetVal(bits) });
      g.add({ name: `${name}${bits}-rr-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, rm)) + F4, regs });
    }
    // ---- register destination, immediate offset (0F BA /sub ib), imm >= size too ----
    for (let k = 0; k < 10; k++) {
      const rm = g.pick(NOESP), imm = k < 4 ? [0, bits - 1, bits, 0xFF][k] : g.int(256);
      g.add({ name: `${name}${bits}-ri-${k}`, code: pre + hx(0x0F, 0xBA, modrm(3, sub, rm), imm) + F4, regs: g.regs() });
    }
    // ---- memory destination, immediate offset ----
    for (let k = 0; k < 6; k++) {
      const m = memOp(g, DATA + g.int(8));
      const lock = sub !== 4 && k % 2 === 1 ? 'f0' : '';
      g.add({
        name: `${name}${bits}-mi-${lock}${k}`, code: lock + pre + hx(0x0F, 0xBA) + m.enc(sub) + hx(g.int(256)) + F4,
        regs: merge(g.regs(), m.regs), mem: [{ addr: DATA, hex: g.bytes(16) }], dump: [{ addr: DATA, len: 16 }],
      });
    }
    // ---- memory destination, register offset: signed, may address well outside the operand ----
    for (let k = 0; k < 14; k++) {
      const reg = g.pick(NOESP);
      const m = memOp(g, BUF + g.int(8), [reg]);
      // offsets within ±1024 bytes of BUF, in bits
      let off = g.int(16384) - 8192;
      if (k === 0) off = -1;
      if (k === 1) off = -bits;
      if (k === 2) off = bits;
      if (k === 3) off = 0;
      const offv = bits === 16 ? (off & 0xFFFF) | (g.r() & 0xFFFF0000) : off >>> 0;
      const lock = sub !== 4 && k % 2 === 1 ? 'f0' : '';
      // The word/dword the offset selects (SDM vol. 2 BT): EA + size * (offset SAR log2(bits)).
      const target = m.addr + (bits === 16 ? (off >> 4) * 2 : (off >> 5) * 4);
      const win = (target - 8) & ~3;
      g.add({
        name: `${name}${bits}-mr-${lock}${k}`, code: lock + pre + hx(0x0F, op) + m.enc(reg) + F4,
        regs: merge(g.regs(), m.regs, { [R32[reg]]: offv }),
        mem: [{ addr: win, hex: g.bytes(20) }], dump: [{ addr: win, len: 20 }],
      });
    }
    // 16-bit offsets are sign-extended: 0x8000 is -32768 bits = -4096 bytes from the operand.
    g.add({
      name: `${name}${bits}-mr-neg-extreme`, code: pre + hx(0x0F, op, modrm(0, 0, 3)) + F4,
      regs: { eax: bits === 16 ? 0x12348000 : 0xFFFF8000, ebx: BUF + 0x1000 },
      mem: [{ addr: BUF, hex: g.bytes(16) }], dump: [{ addr: BUF, len: 16 }],
    });
    // Offsets that leave the arena: #PF at the dword/word the offset selects.
    for (const [off, base] of [[0x7FFFFFFF, DATA], [0x80000000, DATA], [8 * (ARENA_END - DATA), DATA], [-8 * 0x20000, DATA]] as const) {
      const offv = bits === 16 ? ((off & 0xFFFF) >>> 0) : off >>> 0;
      g.add({ name: `${name}${bits}-mr-pf-${offv.toString(16)}`, code: pre + hx(0x0F, op, modrm(0, 0, 3)) + F4, regs: { eax: offv, ebx: base } });
    }
    g.add({ name: `${name}${bits}-mi-pf-cross`, code: pre + hx(0x0F, 0xBA, modrm(0, sub, 5)) + le(ARENA_END - 1, 4) + '03' + F4, regs: g.regs() });
  }
  // LOCK with a register operand is #UD; LOCK BT (not a write) is #UD even on memory.
  g.add({ name: `${name}-lock-reg-ud`, code: 'f0' + hx(0x0F, op, 0xC3) + F4, regs: g.regs() });
  g.add({ name: `${name}-lock-ri-ud`, code: 'f0' + hx(0x0F, 0xBA, modrm(3, sub, 3), 5) + F4, regs: g.regs() });
}
g.add({ name: 'bt-lock-mem-ud', code: 'f00fa30500000200' + F4, regs: g.regs() });
g.add({ name: 'bt-lock-mi-ud', code: 'f00fba250000020003' + F4, regs: g.regs() });
// 0F BA /0../3 are undefined.
for (let sub = 0; sub < 4; sub++) g.add({ name: `ba-sub${sub}-ud`, code: hx(0x0F, 0xBA, modrm(3, sub, 0), 1) + F4, regs: g.regs() });

// ---- BSF / BSR ----
const BS_VALUES = [1, 2, 0x80, 0x8000, 0x80000000, 0xFFFFFFFF, 0x00010000, 0x00018000, 0x7FFFFFFF, 0x12345678, 0x00000100, 0xF0000000];
for (const [op, name] of [[0xBC, 'bsf'], [0xBD, 'bsr']] as const) {
  for (const pre of ['', '66']) {
    const bits = pre ? 16 : 32;
    for (let k = 0; k < BS_VALUES.length + 8; k++) {
      const reg = g.pick(NOESP), rm = g.pick(NOESP.filter((x) => x !== reg));
      const v = k < BS_VALUES.length ? BS_VALUES[k] : g.r() >>> g.int(32);
      g.add({ name: `${name}${bits}-r-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, rm)) + F4, regs: merge(g.regs(), { [R32[rm]]: v }) });
    }
    for (let k = 0; k < 8; k++) {
      const reg = g.pick(NOESP), m = memOp(g, DATA + g.int(8), [reg]);
      const mem = k < 2 ? '00000000000000000000' : g.bytes(10);
      g.add({ name: `${name}${bits}-m-${k}`, code: pre + hx(0x0F, op) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: [{ addr: DATA, hex: mem + g.bytes(6) }] });
    }
    // A zero source: ZF=1 and (as AMD documents and Intel silicon does) the destination unchanged.
    for (let k = 0; k < 3; k++) {
      const reg = g.pick(NOESP), rm = g.pick(NOESP.filter((x) => x !== reg));
      const hiJunk = bits === 16 ? g.r() & 0xFFFF0000 : 0;
      g.add({ name: `${name}-zero${bits}-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, rm)) + F4, regs: merge(g.regs(), { [R32[rm]]: hiJunk }) });
    }
    g.add({ name: `${name}${bits}-pf`, code: pre + hx(0x0F, op, modrm(0, 0, 5)) + le(ARENA_END - 1, 4) + F4, regs: g.regs() });
  }
  g.add({ name: `${name}-lock-ud`, code: 'f0' + hx(0x0F, op) + '0500000200' + F4, regs: g.regs() });
}

g.print();
