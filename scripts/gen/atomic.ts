// Golden-vector cases for the atomic group (src/cpu/ops/atomic.ts): CMPXCHG 8/16/32 (register and memory,
// equal and unequal, LOCK), CMPXCHG8B (equal/unequal, operand-size prefix, register form #UD, faults),
// XADD 8/16/32 (including the same register twice), and the write fault of a failing compare.
// Usage: npx tsx scripts/gen/atomic.ts > /tmp/atomic.cases.jsonl. Deterministic: fixed seed.

import { ARENA_END, DATA, Gen, hx, le, memOp, merge, modrm, R32 } from './dm-kit.ts';

const g = new Gen(0xA70);
const F4 = 'f4';
const NOESP = [0, 1, 2, 3, 5, 6, 7];
const dump = [{ addr: DATA, len: 16 }];
const SIZES = [[8, ''], [32, ''], [16, '66']] as const;

function mask(bits: number): number { return bits === 32 ? 0xFFFFFFFF : (1 << bits) - 1; }

// ---- CMPXCHG ----
for (const [bits, pre] of SIZES) {
  const op = bits === 8 ? 0xB0 : 0xB1;
  // register destination; `equal` forces the accumulator to match the destination
  for (let k = 0; k < 24; k++) {
    const reg = bits === 8 ? g.int(8) : g.pick(NOESP), rm = bits === 8 ? g.int(8) : g.pick(NOESP);
    const regs = g.regs();
    if (k % 2 === 0 && bits !== 8 && rm !== 0) regs.eax = (regs.eax! & ~mask(bits)) | (regs[R32[rm]]! & mask(bits));
    if (k % 2 === 0 && bits === 8 && rm !== 0 && rm !== 4) {
      const v = rm < 4 ? regs[R32[rm]]! & 0xFF : (regs[R32[rm - 4]]! >>> 8) & 0xFF;
      regs.eax = (regs.eax! & ~0xFF) | v;
    }
    g.add({ name: `cmpxchg${bits}-r-${k % 2 === 0 ? 'eq' : 'ne'}-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, rm)) + F4, regs });
  }
  // memory destination
  for (let k = 0; k < 20; k++) {
    const reg = g.pick(NOESP.filter((x) => x !== 0)), m = memOp(g, DATA + g.int(8), [reg, 0]);
    const memHex = g.bytes(16);
    const regs = merge(g.regs(), m.regs);
    if (k % 2 === 0) {
      const off = m.addr - DATA;
      let v = 0;
      for (let b = 0; b < bits / 8; b++) v |= parseInt(memHex.substr((off + b) * 2, 2), 16) << (8 * b);
      regs.eax = ((regs.eax! & ~mask(bits)) | (v & mask(bits))) >>> 0;
    }
    const lock = k % 4 >= 2 ? 'f0' : '';
    g.add({
      name: `cmpxchg${bits}-m-${lock}${k % 2 === 0 ? 'eq' : 'ne'}-${k}`, code: lock + pre + hx(0x0F, op) + m.enc(reg) + F4,
      regs, mem: [{ addr: DATA, hex: memHex }], dump,
    });
  }
  // The destination is written even when the compare fails: a fault is a write fault (W=1 in the code).
  for (const addr of [ARENA_END, ARENA_END - 1, ARENA_END - 2]) {
    g.add({ name: `cmpxchg${bits}-pf-${addr.toString(16)}`, code: pre + hx(0x0F, op, modrm(0, 1, 5)) + le(addr, 4) + F4, regs: merge(g.regs(), { eax: 0x5A5A5A5A }) });
  }
  g.add({ name: `cmpxchg${bits}-lock-reg-ud`, code: 'f0' + pre + hx(0x0F, op, 0xD9) + F4, regs: g.regs() });
  // Edge comparisons: flags of CMP accumulator, destination.
  for (const [a, d] of [[0, 0], [0, 1], [1, 0], [0x80, 0x7F], [0x7F, 0x80], [0x8000, 0x7FFF], [0x80000000, 0x7FFFFFFF], [0xFFFFFFFF, 0]] as const) {
    const regs = merge(g.regs(), { eax: a, ebx: d, ecx: 0x11111111 });
    g.add({ name: `cmpxchg${bits}-edge-${a.toString(16)}-${d.toString(16)}`, code: pre + hx(0x0F, op, modrm(3, 1, 3)) + F4, regs });
  }
}

// ---- CMPXCHG8B ----
for (let k = 0; k < 30; k++) {
  const m = memOp(g, DATA + g.int(8), [0, 1, 2, 3]);
  const memHex = g.bytes(16);
  const regs = merge(g.regs(), m.regs);
  const off = m.addr - DATA;
  const lo = parseInt(memHex.substr(off * 2, 8).match(/../g)!.reverse().join(''), 16);
  const hi = parseInt(memHex.substr(off * 2 + 8, 8).match(/../g)!.reverse().join(''), 16);
  const kind = k % 4; // 0 equal, 1 low differs, 2 high differs, 3 random
  if (kind === 0) { regs.eax = lo; regs.edx = hi; }
  if (kind === 1) { regs.eax = (lo ^ 1) >>> 0; regs.edx = hi; }
  if (kind === 2) { regs.eax = lo; regs.edx = (hi ^ 0x80000000) >>> 0; }
  const pre = k % 5 === 4 ? '66' : '';
  const lock = k % 3 === 1 ? 'f0' : '';
  g.add({ name: `cmpxchg8b-${['eq', 'nelo', 'nehi', 'rand'][kind]}-${lock}${pre}${k}`, code: lock + pre + hx(0x0F, 0xC7) + m.enc(1) + F4, regs, mem: [{ addr: DATA, hex: memHex }], dump });
}
for (const addr of [ARENA_END, ARENA_END - 4, ARENA_END - 7, ARENA_END - 8]) {
  g.add({ name: `cmpxchg8b-pf-${addr.toString(16)}`, code: hx(0x0F, 0xC7, modrm(0, 1, 5)) + le(addr, 4) + F4, regs: g.regs() });
}
g.add({ name: 'cmpxchg8b-reg-ud', code: '0fc7c8' + F4, regs: g.regs() });
g.add({ name: 'cmpxchg8b-lock-reg-ud', code: 'f00fc7c9' + F4, regs: g.regs() });
// 0F C7 /0 and /2 are undefined (/3-/7 are later XSAVE*/RDRAND forms the host has and a P6 lacks).
for (const sub of [0, 2]) g.add({ name: `c7-sub${sub}-ud`, code: hx(0x0F, 0xC7, modrm(0, sub, 5)) + le(DATA, 4) + F4, regs: g.regs() });

// ---- XADD ----
for (const [bits, pre] of SIZES) {
  const op = bits === 8 ? 0xC0 : 0xC1;
  for (let k = 0; k < 20; k++) {
    const reg = bits === 8 ? g.int(8) : g.pick(NOESP), rm = bits === 8 ? g.int(8) : g.pick(NOESP);
    g.add({ name: `xadd${bits}-r-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, rm)) + F4, regs: g.regs() });
  }
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue;
    g.add({ name: `xadd${bits}-same-${r}`, code: pre + hx(0x0F, op, modrm(3, r, r)) + F4, regs: g.regs() });
  }
  for (let k = 0; k < 16; k++) {
    const reg = g.pick(NOESP), m = memOp(g, DATA + g.int(8), [reg]);
    const lock = k % 2 === 1 ? 'f0' : '';
    g.add({ name: `xadd${bits}-m-${lock}${k}`, code: lock + pre + hx(0x0F, op) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: [{ addr: DATA, hex: g.bytes(16) }], dump });
  }
  for (const [a, b] of [[0x7F, 1], [0xFF, 1], [0x7FFF, 1], [0xFFFF, 1], [0x7FFFFFFF, 1], [0xFFFFFFFF, 1], [0x80000000, 0x80000000], [0x0F, 1]] as const) {
    g.add({ name: `xadd${bits}-edge-${a.toString(16)}-${b.toString(16)}`, code: pre + hx(0x0F, op, modrm(3, 1, 3)) + F4, regs: merge(g.regs(), { ebx: a, ecx: b }) });
  }
  g.add({ name: `xadd${bits}-pf`, code: pre + hx(0x0F, op, modrm(0, 1, 5)) + le(ARENA_END - 1, 4) + F4, regs: g.regs() });
  g.add({ name: `xadd${bits}-lock-reg-ud`, code: 'f0' + pre + hx(0x0F, op, 0xD9) + F4, regs: g.regs() });
}

g.print();
