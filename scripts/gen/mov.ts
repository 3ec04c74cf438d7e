// Golden-vector cases for the data-movement group (src/cpu/ops/mov.ts): MOV in all encodings, LEA,
// MOVZX/MOVSX, XCHG, NOP/PAUSE, CBW/CWDE/CWD/CDQ, LAHF/SAHF, XLAT, BSWAP, CMOVcc, SETcc, CMC/CLC/STC/
// CLD/STD, SALC, and the #UD/#GP/#PF cases. Usage: npx tsx scripts/gen/mov.ts > /tmp/mov.cases.jsonl
// (then scripts/record-golden.ts). Deterministic: fixed seed.

import { ARENA_END, CF, DATA, DF, Gen, hx, le, memOp, merge, modrm, OF, PF, R32, SF, ZF, AF } from './dm-kit.ts';

const g = new Gen(0x6D0F);
const F4 = 'f4';
const dump16 = [{ addr: DATA, len: 16 }];
const NOESP = [0, 1, 2, 3, 5, 6, 7];

function memInit(): { addr: number; hex: string }[] {
  return [{ addr: DATA, hex: g.bytes(16) }];
}

// ---- MOV 88/89/8A/8B register-register ----
for (const [op, size] of [[0x88, 8], [0x89, 32], [0x89, 16], [0x8A, 8], [0x8B, 32], [0x8B, 16]] as const) {
  for (let k = 0; k < 14; k++) {
    const reg = size === 8 ? g.int(8) : g.pick(NOESP), rm = size === 8 ? g.int(8) : g.pick(NOESP);
    const pre = size === 16 ? '66' : '';
    g.add({ name: `mov-${op.toString(16)}-r${size}-${k}`, code: pre + hx(op, modrm(3, reg, rm)) + F4, regs: g.regs() });
  }
}
// ---- MOV register <-> memory in many addressing forms ----
for (const [op, size] of [[0x88, 8], [0x89, 32], [0x89, 16], [0x8A, 8], [0x8B, 32], [0x8B, 16]] as const) {
  for (let k = 0; k < 14; k++) {
    const reg = g.pick(NOESP);
    const addr = DATA + g.int(12);
    const m = memOp(g, addr, [reg]);
    const pre = size === 16 ? '66' : '';
    g.add({ name: `mov-${op.toString(16)}-m${size}-${m.desc}-${k}`, code: pre + hx(op) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
  }
}
// ---- MOV r/m, imm (C6 /0, C7 /0) ----
for (let k = 0; k < 10; k++) {
  const rm = g.int(8), imm = g.val();
  g.add({ name: `mov-c6-r-${k}`, code: hx(0xC6, modrm(3, 0, rm), imm) + F4, regs: g.regs() });
  const rm2 = g.pick(NOESP);
  g.add({ name: `mov-c7-r32-${k}`, code: hx(0xC7, modrm(3, 0, rm2)) + le(imm, 4) + F4, regs: g.regs() });
  g.add({ name: `mov-c7-r16-${k}`, code: '66' + hx(0xC7, modrm(3, 0, rm2)) + le(imm, 2) + F4, regs: g.regs() });
  const m = memOp(g, DATA + g.int(8));
  g.add({ name: `mov-c6-m-${m.desc}-${k}`, code: hx(0xC6) + m.enc(0) + hx(imm) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
  g.add({ name: `mov-c7-m32-${m.desc}-${k}`, code: hx(0xC7) + m.enc(0) + le(imm, 4) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
  g.add({ name: `mov-c7-m16-${m.desc}-${k}`, code: '66' + hx(0xC7) + m.enc(0) + le(imm, 2) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
}
// C6 /1../6 and C7 /1../6 are undefined (#UD); /7 is XABORT/XBEGIN on TSX parts, also #UD without it.
for (const op of [0xC6, 0xC7]) {
  for (const sub of [1, 2, 3, 4, 5, 6]) {
    g.add({ name: `mov-${op.toString(16)}-sub${sub}-ud`, code: hx(op, modrm(0, sub, 5)) + le(DATA, 4) + (op === 0xC6 ? '11' : '11223344') + F4, regs: g.regs() });
  }
}
// ---- MOV reg, imm (B0-BF) ----
for (let r = 0; r < 8; r++) {
  for (let k = 0; k < 2; k++) {
    g.add({ name: `mov-b${r}-${k}`, code: hx(0xB0 + r, g.val()) + F4, regs: g.regs() });
    if (r !== 4) {
      g.add({ name: `mov-b${(8 + r).toString(16)}-32-${k}`, code: hx(0xB8 + r) + le(g.val(), 4) + F4, regs: g.regs() });
      g.add({ name: `mov-b${(8 + r).toString(16)}-16-${k}`, code: '66' + hx(0xB8 + r) + le(g.val(), 2) + F4, regs: g.regs() });
    }
  }
}
// ---- MOV accumulator <-> moffs (A0-A3), with segment overrides ----
for (const op of [0xA0, 0xA1, 0xA2, 0xA3]) {
  for (const pre of ['', '66', '26', '36', '3e', '2e']) {
    if (op === 0xA0 && pre === '66') continue;
    const addr = DATA + g.int(12);
    // A CS override on a store: the code segment is not writable → #GP(0).
    g.add({ name: `mov-${op.toString(16)}-${pre || 'none'}`, code: pre + hx(op) + le(addr, 4) + F4, regs: g.regs(), mem: memInit(), dump: dump16 });
  }
  // 67: a 16-bit moffs, below the arena → #PF with CR2 = the offset.
  g.add({ name: `mov-${op.toString(16)}-a16-pf`, code: '67' + hx(op) + le(0x1234, 2) + F4, regs: g.regs() });
  // Past the arena end, and straddling it.
  g.add({ name: `mov-${op.toString(16)}-pf-end`, code: hx(op) + le(ARENA_END, 4) + F4, regs: g.regs() });
  g.add({ name: `mov-${op.toString(16)}-pf-cross`, code: hx(op) + le(ARENA_END - 2, 4) + F4, regs: g.regs() });
}
// ---- Memory faults of ordinary MOVs ----
for (const [op, pre] of [[0x8B, ''], [0x89, ''], [0x8A, ''], [0x88, ''], [0x89, '66'], [0xC7, '']] as const) {
  for (const addr of [ARENA_END, ARENA_END - 1, ARENA_END - 3, 0xC0000000, 0x00000010]) {
    const imm = op === 0xC7 ? le(0x11223344, 4) : '';
    g.add({ name: `mov-${pre}${op.toString(16)}-fault-${addr.toString(16)}`, code: pre + hx(op, modrm(0, op === 0xC7 ? 0 : 1, 5)) + le(addr, 4) + imm + F4, regs: g.regs() });
  }
}
// 16-bit addressing forms (67): every rm; the address lies below the arena, so #PF reports it exactly.
for (let rm = 0; rm < 8; rm++) {
  const regs = merge(g.regs(), { ebx: 0x10000 + 0x1100, esi: 0x10000 + 0x0230, edi: 0x20000 + 0x0045, ebp: 0x30000 + 0x3000 });
  g.add({ name: `mov-a16-rm${rm}`, code: '67' + hx(0x8B, modrm(rm === 6 ? 1 : 0, 0, rm)) + (rm === 6 ? '10' : '') + F4, regs });
  g.add({ name: `mov-a16-rm${rm}-d16`, code: '67' + hx(0x8B, modrm(2, 0, rm)) + le(0xF0F0, 2) + F4, regs });
}
// LOCK on MOV is illegal (#UD).
for (const code of ['f0890500000200', 'f08b0500000200', 'f0c60500000200aa', 'f0a100000200', 'f089c3']) {
  g.add({ name: `mov-lock-ud-${code.slice(2, 4)}`, code: code + F4, regs: g.regs(), mem: memInit(), dump: dump16 });
}

// ---- LEA: all addressing forms, both operand sizes, both address sizes; register form #UD ----
for (let k = 0; k < 40; k++) {
  const reg = g.pick(NOESP), mod = g.int(3), rm = g.int(8);
  let enc = hx(modrm(mod, reg, rm));
  if (rm === 4) enc += hx(g.r() & 0xFF);
  const sibBase5 = rm === 4 && (parseInt(enc.slice(2, 4), 16) & 7) === 5;
  if (mod === 1) enc += hx(g.r());
  else if (mod === 2 || (mod === 0 && rm === 5) || (mod === 0 && sibBase5)) enc += le(g.r(), 4);
  const pre = k % 3 === 0 ? '66' : '';
  g.add({ name: `lea-a32-${k}`, code: pre + '8d' + enc + F4, regs: g.regs() });
}
for (let k = 0; k < 24; k++) {
  const reg = g.pick(NOESP), mod = g.int(3), rm = g.int(8);
  let enc = hx(modrm(mod, reg, rm));
  if (mod === 1) enc += hx(g.r());
  else if (mod === 2 || (mod === 0 && rm === 6)) enc += le(g.r(), 2);
  const pre = k % 2 === 0 ? '6667' : '67';
  g.add({ name: `lea-a16-${k}`, code: pre + '8d' + enc + F4, regs: g.regs() });
}
g.add({ name: 'lea-reg-ud', code: '8dc3' + F4, regs: g.regs() });
g.add({ name: 'lea-reg-ud-16', code: '668dd1' + F4, regs: g.regs() });
g.add({ name: 'lea-lock-ud', code: 'f08d0500000200' + F4, regs: g.regs() });

// ---- MOVZX / MOVSX ----
for (const op of [0xB6, 0xB7, 0xBE, 0xBF]) {
  for (const pre of ['', '66']) {
    for (let k = 0; k < 8; k++) {
      const reg = g.pick(NOESP), rm = g.int(8);
      const regs = g.regs();
      g.add({ name: `movx-${op.toString(16)}-${pre || '32'}-r-${k}`, code: pre + hx(0x0F, op, modrm(3, reg, op & 1 ? g.pick(NOESP) : rm)) + F4, regs });
    }
    for (let k = 0; k < 5; k++) {
      const reg = g.pick(NOESP), m = memOp(g, DATA + g.int(12), [reg]);
      g.add({ name: `movx-${op.toString(16)}-${pre || '32'}-m-${k}`, code: pre + hx(0x0F, op) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: memInit() });
    }
  }
  g.add({ name: `movx-${op.toString(16)}-pf`, code: hx(0x0F, op) + hx(modrm(0, 0, 5)) + le(ARENA_END - 1, 4) + F4, regs: g.regs() });
}

// ---- XCHG ----
for (const [op, pre, size] of [[0x86, '', 8], [0x87, '', 32], [0x87, '66', 16]] as const) {
  for (let k = 0; k < 8; k++) {
    const reg = size === 8 ? g.int(8) : g.pick(NOESP), rm = size === 8 ? g.int(8) : g.pick(NOESP);
    g.add({ name: `xchg-${pre}${op.toString(16)}-r-${k}`, code: pre + hx(op, modrm(3, reg, rm)) + F4, regs: g.regs() });
  }
  for (let k = 0; k < 6; k++) {
    const reg = g.pick(NOESP), m = memOp(g, DATA + g.int(12), [reg]);
    const lock = k % 2 === 1 ? 'f0' : '';
    g.add({ name: `xchg-${lock}${pre}${op.toString(16)}-m-${k}`, code: lock + pre + hx(op) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
  }
  g.add({ name: `xchg-${pre}${op.toString(16)}-lock-reg-ud`, code: 'f0' + pre + hx(op, 0xC3) + F4, regs: g.regs() });
  g.add({ name: `xchg-${pre}${op.toString(16)}-pf`, code: pre + hx(op, modrm(0, 1, 5)) + le(ARENA_END - 1, 4) + F4, regs: g.regs() });
}
for (let r = 0; r < 8; r++) {
  if (r === 4) continue;
  g.add({ name: `xchg-9${r}-32`, code: hx(0x90 + r) + F4, regs: g.regs() });
  g.add({ name: `xchg-9${r}-16`, code: '66' + hx(0x90 + r) + F4, regs: g.regs() });
}
g.add({ name: 'nop-90', code: '90' + F4, regs: g.regs() });
g.add({ name: 'pause-f390', code: 'f390' + F4, regs: g.regs() });
g.add({ name: 'nop-lock-ud', code: 'f090' + F4, regs: g.regs() });

// ---- CBW/CWDE/CWD/CDQ ----
for (const v of [0, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x12345678, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFF, 0xABCD0080, 0x0000FF7F]) {
  const regs = merge(g.regs(), { eax: v });
  g.add({ name: `cbw-${v.toString(16)}`, code: '6698' + F4, regs });
  g.add({ name: `cwde-${v.toString(16)}`, code: '98' + F4, regs });
  g.add({ name: `cwd-${v.toString(16)}`, code: '6699' + F4, regs });
  g.add({ name: `cdq-${v.toString(16)}`, code: '99' + F4, regs });
}

// ---- LAHF / SAHF ----
for (let k = 0; k < 16; k++) {
  const regs = g.regs();
  g.add({ name: `lahf-${k}`, code: '9f' + F4, regs });
  g.add({ name: `sahf-${k}`, code: '9e' + F4, regs: merge(regs, { eax: (regs.eax! & 0xFFFF00FF) | ((k * 0x11) << 8) }) });
}
g.add({ name: 'sahf-all', code: '9e' + F4, regs: { eax: 0xFF00, eflags: 0 } });
g.add({ name: 'sahf-none', code: '9e' + F4, regs: { eax: 0x0000, eflags: CF | PF | AF | ZF | SF | OF } });
g.add({ name: 'lahf-after-add', code: 'b0ff0401' + '9f' + F4, regs: { eax: 0 } });

// ---- XLAT ----
for (let k = 0; k < 10; k++) {
  const regs = merge(g.regs(), { ebx: DATA + g.int(8) - 4 });
  const table = g.bytes(0x110);
  const pre = k % 3 === 1 ? '3e' : k % 3 === 2 ? '26' : '';
  g.add({ name: `xlat-${k}`, code: pre + 'd7' + F4, regs: merge(regs, { eax: (regs.eax! & ~0xFF) | g.pick([0, 1, 0x7F, 0x80, 0xFF, g.int(256)]) }), mem: [{ addr: DATA - 4, hex: table }] });
}
g.add({ name: 'xlat-a16-pf', code: '67d7' + F4, regs: { ebx: 0x12341000, eax: 0x80 } });
g.add({ name: 'xlat-pf', code: 'd7' + F4, regs: { ebx: ARENA_END - 0x80, eax: 0x80 } });

// ---- BSWAP (32-bit only: the 16-bit form is undefined) ----
for (let r = 0; r < 8; r++) {
  if (r === 4) continue;
  for (let k = 0; k < 3; k++) g.add({ name: `bswap-${R32[r]}-${k}`, code: hx(0x0F, 0xC8 + r) + F4, regs: g.regs() });
}

// ---- CMOVcc: all conditions, flag patterns that decide each, register and memory sources ----
const FLAG_SETS = [0, CF, ZF, SF, OF, PF, CF | ZF, SF | OF, ZF | SF, ZF | OF, CF | PF | AF | ZF | SF | OF];
for (let cc = 0; cc < 16; cc++) {
  for (const f of FLAG_SETS) {
    const reg = g.pick(NOESP), rm = g.pick(NOESP);
    const regs = merge(g.regs(), { eflags: f });
    g.add({ name: `cmov${cc.toString(16)}-r32-f${f.toString(16)}`, code: hx(0x0F, 0x40 + cc, modrm(3, reg, rm)) + F4, regs });
  }
  for (let k = 0; k < 3; k++) {
    const reg = g.pick(NOESP), rm = g.pick(NOESP);
    g.add({ name: `cmov${cc.toString(16)}-r16-${k}`, code: '66' + hx(0x0F, 0x40 + cc, modrm(3, reg, rm)) + F4, regs: g.regs() });
    const m = memOp(g, DATA + g.int(12), [reg]);
    g.add({ name: `cmov${cc.toString(16)}-m32-${k}`, code: hx(0x0F, 0x40 + cc) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: memInit() });
    g.add({ name: `cmov${cc.toString(16)}-m16-${k}`, code: '66' + hx(0x0F, 0x40 + cc) + m.enc(reg) + F4, regs: merge(g.regs(), m.regs), mem: memInit() });
  }
  // The source is read whether or not the condition holds: a bad address faults either way.
  for (const f of [0, CF | PF | AF | ZF | SF | OF]) {
    g.add({ name: `cmov${cc.toString(16)}-pf-f${f.toString(16)}`, code: hx(0x0F, 0x40 + cc, modrm(0, 0, 5)) + le(ARENA_END, 4) + F4, regs: merge(g.regs(), { eflags: f }) });
  }
}

// ---- SETcc: all conditions, register and memory destinations ----
for (let cc = 0; cc < 16; cc++) {
  for (const f of FLAG_SETS) {
    const rm = g.int(8), reg = g.int(8);
    g.add({ name: `set${cc.toString(16)}-r-f${f.toString(16)}`, code: hx(0x0F, 0x90 + cc, modrm(3, reg, rm)) + F4, regs: merge(g.regs(), { eflags: f }) });
  }
  for (let k = 0; k < 2; k++) {
    const m = memOp(g, DATA + g.int(12));
    g.add({ name: `set${cc.toString(16)}-m-${k}`, code: hx(0x0F, 0x90 + cc) + m.enc(g.int(8)) + F4, regs: merge(g.regs(), m.regs), mem: memInit(), dump: dump16 });
  }
  g.add({ name: `set${cc.toString(16)}-pf`, code: hx(0x0F, 0x90 + cc, modrm(0, 0, 5)) + le(ARENA_END, 4) + F4, regs: g.regs() });
}
// Flags from a real comparison, then SETcc for every condition.
for (const [a, b] of [[1, 2], [2, 1], [5, 5], [0x80000000, 1], [0x7FFFFFFF, 0xFFFFFFFF], [0, 0x80000000]] as const) {
  for (let cc = 0; cc < 16; cc++) {
    g.add({ name: `cmp-set${cc.toString(16)}-${a.toString(16)}-${b.toString(16)}`, code: '39d8' + hx(0x0F, 0x90 + cc, 0xC1) + F4, regs: { eax: a, ebx: b, ecx: 0xFFFFFFFF } });
  }
}

// ---- Flag instructions ----
for (const [op, name] of [[0xF5, 'cmc'], [0xF8, 'clc'], [0xF9, 'stc'], [0xFC, 'cld'], [0xFD, 'std']] as const) {
  for (let k = 0; k < 6; k++) g.add({ name: `${name}-${k}`, code: hx(op) + F4, regs: merge(g.regs(), { eflags: g.flags(true) }) });
  g.add({ name: `${name}-lazy`, code: '01d8' + hx(op) + F4, regs: g.regs() });
}
g.add({ name: 'std-cld', code: 'fdfc' + F4, regs: { eflags: 0 } });
g.add({ name: 'cld-std', code: 'fcfd' + F4, regs: { eflags: DF } });

// ---- SALC (D6): AL = CF ? FF : 00, no flag changes ----
for (let k = 0; k < 8; k++) {
  const regs = merge(g.regs(), { eflags: (g.flags() & ~CF) | (k & 1 ? CF : 0) });
  g.add({ name: `salc-${k & 1 ? 'cf1' : 'cf0'}-${k}`, code: 'd6' + F4, regs });
}
g.add({ name: 'salc-after-sub', code: '29d8d6' + F4, regs: { eax: 1, ebx: 2 } });

g.print();
