// Golden-vector cases for the stack group (src/cpu/ops/stack.ts): PUSH/POP of registers, immediates,
// memory and segment registers, PUSHA/POPA, ENTER/LEAVE, in both operand sizes (66), with 67-prefixed
// addressing, and the faults at the edges of the oracle's arena (#PF with CR2, nothing changed).
// Usage: npx tsx scripts/gen/stack.ts > /tmp/stack.cases.jsonl (then scripts/record-golden.ts).

import { ARENA_HI, Cases, DATA, hx, le, modrm, STACK, type Regs } from './sb-kit.ts';

const g = new Cases(0x57AC);
const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const stackDump = (esp = STACK) => [{ addr: esp - 48, len: 56 }];

function randRegs(esp = STACK): Regs {
  const r: Regs = {};
  for (const n of REGS) r[n] = g.val();
  r.esp = esp;
  return r;
}

// ---- PUSH r32 / r16 (50+r), POP r32 / r16 (58+r) ----
for (let r = 0; r < 8; r++) {
  for (const pre of ['', '66']) {
    g.add({ name: `push-r${pre ? 16 : 32}-${REGS[r]}`, code: pre + hx(0x50 + r), regs: randRegs(), dump: stackDump() });
    // POP: prefill the slots at ESP with known data
    g.add({
      name: `pop-r${pre ? 16 : 32}-${REGS[r]}`, code: pre + hx(0x58 + r), regs: randRegs(),
      mem: [{ addr: STACK, hex: g.bytes(8) }],
    });
  }
}
// push then pop through every register pair, including ESP on either side
for (let k = 0; k < 12; k++) {
  const a = g.next() & 7, b = g.next() & 7;
  g.add({ name: `push-pop-${REGS[a]}-${REGS[b]}`, code: hx(0x50 + a, 0x58 + b), regs: randRegs(), dump: stackDump() });
}

// ---- PUSH imm (68 Iz, 6A Ib sign-extended) in both operand sizes ----
for (const imm of [0, 1, 0x7F, 0x80, 0xFF, 0x12345678, 0x80000000, 0xFFFFFFFF]) {
  g.add({ name: `push-imm32-${imm.toString(16)}`, code: '68' + le(imm, 4) + '58', regs: randRegs() });
  g.add({ name: `push-imm16-${imm.toString(16)}`, code: '6668' + le(imm, 2) + '58', regs: randRegs(), dump: stackDump() });
  g.add({ name: `push-imm8-${(imm & 0xFF).toString(16)}`, code: '6a' + le(imm, 1) + '58', regs: randRegs() });
  g.add({ name: `push-imm8-o16-${(imm & 0xFF).toString(16)}`, code: '666a' + le(imm, 1) + '6658', regs: randRegs() });
}

// ---- PUSH r/m (FF /6) and POP r/m (8F /0) ----
const memInit = () => [{ addr: DATA, hex: g.bytes(16) }, { addr: STACK - 16, hex: g.bytes(24) }];
for (const pre of ['', '66']) {
  const n = pre ? 16 : 32;
  g.add({ name: `push-m${n}-abs`, code: pre + hx(0xFF, modrm(0, 6, 5)) + le(DATA + 4, 4), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `push-m${n}-esp`, code: pre + hx(0xFF, modrm(0, 6, 4), 0x24), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `push-m${n}-esp+4`, code: pre + hx(0xFF, modrm(1, 6, 4), 0x24, 4), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `push-m${n}-esp-4`, code: pre + hx(0xFF, modrm(1, 6, 4), 0x24, 0xFC), regs: randRegs(), mem: memInit(), dump: stackDump() });
  for (let r = 0; r < 8; r++) g.add({ name: `push-rm${n}-reg-${REGS[r]}`, code: pre + hx(0xFF, modrm(3, 6, r)), regs: randRegs(), dump: stackDump() });
  g.add({ name: `pop-m${n}-abs`, code: pre + hx(0x8F, modrm(0, 0, 5)) + le(DATA + 4, 4), regs: randRegs(), mem: memInit(), dump: [{ addr: DATA, len: 16 }, ...stackDump()] });
  // POP [ESP+d]: the address uses ESP after the increment (SDM vol. 2 POP)
  g.add({ name: `pop-m${n}-esp`, code: pre + hx(0x8F, modrm(0, 0, 4), 0x24), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `pop-m${n}-esp+4`, code: pre + hx(0x8F, modrm(1, 0, 4), 0x24, 4), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `pop-m${n}-esp-4`, code: pre + hx(0x8F, modrm(1, 0, 4), 0x24, 0xFC), regs: randRegs(), mem: memInit(), dump: stackDump() });
  g.add({ name: `pop-m${n}-esp-idx`, code: pre + hx(0x8F, modrm(1, 0, 4), 0x0C, 0xF8), regs: { ...randRegs(), ecx: 3 }, mem: memInit(), dump: stackDump() });
  for (let r = 0; r < 8; r++) g.add({ name: `pop-rm${n}-reg-${REGS[r]}`, code: pre + hx(0x8F, modrm(3, 0, r)), regs: randRegs(), mem: memInit() });
  // 8F /1../7 are undefined
  g.add({ name: `pop-8f-reg1-ud-${n}`, code: pre + hx(0x8F, modrm(3, 1, 0)), regs: randRegs() });
  g.add({ name: `pop-8f-reg7-ud-${n}`, code: pre + hx(0x8F, modrm(0, 7, 5)) + le(DATA, 4), regs: randRegs() });
  // 16-bit addressing (67): [BX+SI] is below the arena → #PF on the store, ESP unchanged
  g.add({ name: `pop-m${n}-a16-pf`, code: pre + '67' + hx(0x8F, modrm(0, 0, 0)), regs: { ...randRegs(), ebx: 0x1234, esi: 0x0100 }, mem: memInit() });
  g.add({ name: `push-m${n}-a16-pf`, code: pre + '67' + hx(0xFF, modrm(0, 6, 7)), regs: { ...randRegs(), ebx: 0xFFF0 }, mem: memInit() });
  // a store to an unmapped page: nothing changes
  g.add({ name: `pop-m${n}-pf`, code: pre + hx(0x8F, modrm(0, 0, 5)) + le(0xF00000, 4), regs: randRegs(), mem: memInit() });
  g.add({ name: `push-m${n}-pf`, code: pre + hx(0xFF, modrm(0, 6, 5)) + le(0xF00000, 4), regs: randRegs(), mem: memInit() });
}

// ---- PUSHA / POPA (60 / 61) ----
for (let k = 0; k < 4; k++) {
  g.add({ name: `pusha32-${k}`, code: '60', regs: randRegs(), dump: stackDump() });
  g.add({ name: `pusha16-${k}`, code: '6660', regs: randRegs(), dump: stackDump() });
  g.add({ name: `popa32-${k}`, code: '61', regs: randRegs(), mem: [{ addr: STACK, hex: g.bytes(32) }] });
  g.add({ name: `popa16-${k}`, code: '6661', regs: randRegs(), mem: [{ addr: STACK, hex: g.bytes(16) }] });
  g.add({ name: `pusha-popa-${k}`, code: '6061', regs: randRegs() });
}

// ---- ENTER (C8 iw ib) and LEAVE (C9) ----
const frame = STACK + 0x40;
for (const [alloc, level] of [[0, 0], [8, 0], [0x100, 0], [0xFFFF, 0], [0, 1], [4, 1], [0, 2], [0x10, 3], [8, 5], [0, 31], [4, 32], [12, 33], [0x20, 0x41]]) {
  for (const pre of ['', '66']) {
    // EBP points at a frame filled with known data (the nested frame pointers are read from [EBP-k*size])
    g.add({
      name: `enter${pre ? 16 : 32}-${alloc.toString(16)}-${level}`, code: pre + 'c8' + le(alloc, 2) + le(level, 1),
      regs: { ...randRegs(), ebp: frame }, mem: [{ addr: frame - 160, hex: g.bytes(160) }],
      dump: [{ addr: STACK - 160, len: 168 }],
    });
  }
}
g.add({ name: 'enter-level2-ebp-unmapped', code: 'c8000002', regs: { ...randRegs(), ebp: 0xF00010 } });
g.add({ name: 'enter-level2-ebp-lowedge', code: 'c8000003', regs: { ...randRegs(), ebp: 0x10004 }, code_addr: 0x20000 });
// the final stack pointer is probed for a write: #PF below the arena, nothing changed
g.add({ name: 'enter-probe-pf', code: 'c8ffff00', code_addr: 0x20000, regs: { ...randRegs(), esp: 0x10018 } });
g.add({ name: 'enter-probe-pf2', code: 'c8ff0f00', code_addr: 0x20000, regs: { ...randRegs(), esp: 0x11000 } });
g.add({ name: 'enter16-probe-pf', code: '66c8ff0f00', code_addr: 0x20000, regs: { ...randRegs(), esp: 0x11000 } });
g.add({ name: 'enter-probe-ok', code: 'c8f80f00', code_addr: 0x20000, regs: { ...randRegs(), esp: 0x11000 } });
for (let k = 0; k < 4; k++) {
  g.add({ name: `leave32-${k}`, code: 'c9', regs: { ...randRegs(), ebp: STACK + 16 + 4 * k }, mem: [{ addr: STACK, hex: g.bytes(40) }] });
  g.add({ name: `leave16-${k}`, code: '66c9', regs: { ...randRegs(), ebp: STACK + 16 + 2 * k }, mem: [{ addr: STACK, hex: g.bytes(40) }] });
}
g.add({ name: 'enter-leave', code: 'c810000289e8c9', regs: { ...randRegs(), ebp: frame }, mem: [{ addr: frame - 8, hex: g.bytes(8) }] });
g.add({ name: 'leave-pf', code: 'c9', regs: { ...randRegs(), ebp: 0xF00000 } });
g.add({ name: 'leave-pf-top', code: 'c9', regs: { ...randRegs(), ebp: ARENA_HI - 2 } });
g.add({ name: 'leave16-pf-top', code: '66c9', regs: { ...randRegs(), ebp: ARENA_HI - 1 } });

// ---- Segment registers: PUSH ES/CS/SS/DS/FS (06 0E 16 1E 0F A0), POP ES/SS/DS/FS (07 17 1F 0F A1) ----
// (GS is the host's TLS selector: not used. The 32-bit push writes a zero-extended doubleword on the
// reference silicon; the slot is prefilled so that the upper half is visible.)
const pushSeg = [['es', '06'], ['cs', '0e'], ['ss', '16'], ['ds', '1e'], ['fs', '0fa0']];
for (const [n, op] of pushSeg) {
  g.add({ name: `push-${n}-32`, code: '6aff58' + op + '5a', regs: randRegs(), dump: stackDump() });
  g.add({ name: `push-${n}-16`, code: '6aff58' + '66' + op, regs: randRegs(), dump: stackDump() });
}
const popSeg: [string, string, number][] = [['es', '07', 0], ['ss', '17', 2], ['ds', '1f', 3], ['fs', '0fa1', 4]];
for (const [n, op, sreg] of popSeg) {
  for (const pre of ['', '66']) {
    const sz = pre ? 16 : 32;
    // pop 0x2B (the user data selector) then read it back
    g.add({ name: `pop-${n}-${sz}-2b`, code: (pre ? '66682b00' : '682b000000') + pre + op + hx(0x8C, modrm(3, sreg, 0)), regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-2b-hi`, code: `682b003412${pre}${op}`, regs: randRegs() });
    // a data-segment selector of DPL 0: #GP(0x18); a code segment: readable code is fine except for SS
    g.add({ name: `pop-${n}-${sz}-18`, code: `${pre}6a18${pre}${op}`, regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-23`, code: `${pre}6a23${pre}${op}`, regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-null`, code: `${pre}6a00${pre}${op}`, regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-null3`, code: `${pre}6a03${pre}${op}`, regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-beyond`, code: (pre ? '6668fbff' : '68fbff0000') + pre + op, regs: randRegs() });
    g.add({ name: `pop-${n}-${sz}-rpl0`, code: `${pre}6a28${pre}${op}`, regs: randRegs() });
  }
}
// a null DS / ES loaded by POP, then used: #GP(0)
g.add({ name: 'pop-ds-null-use', code: '6a001fa1' + le(DATA, 4), regs: randRegs() });
g.add({ name: 'pop-es-null-use', code: '6a0007268b05' + le(DATA, 4), regs: randRegs() });
g.add({ name: 'pop-es-null-stos', code: '6a0007bf' + le(DATA, 4) + 'ab', regs: randRegs() });
g.add({ name: 'pop-ds-23-read', code: '6a231fa1' + le(DATA, 4), regs: randRegs(), mem: [{ addr: DATA, hex: '78563412' }] });
g.add({ name: 'pop-ds-23-write', code: '6a231fa3' + le(DATA, 4), regs: randRegs() });
g.add({ name: 'pop-fs-2b-use', code: '6a2b0fa1648b05' + le(DATA, 4), regs: randRegs(), mem: [{ addr: DATA, hex: 'efbeadde' }] });
g.add({ name: 'pop-fs-null-use', code: '6a000fa1648b05' + le(DATA, 4), regs: randRegs() });

// ---- Faults at the arena edges: #PF with CR2, nothing changed ----
const low = { code_addr: 0x20000 };
g.add({ name: 'push-lowedge-3', code: '505050', ...low, regs: { ...randRegs(), esp: 0x10008 } });
g.add({ name: 'push-lowedge-cross', code: '505050', ...low, regs: { ...randRegs(), esp: 0x1000A } });
g.add({ name: 'push16-lowedge-cross', code: '66506650665066506650', ...low, regs: { ...randRegs(), esp: 0x10009 } });
g.add({ name: 'pusha-lowedge', code: '60', ...low, regs: { ...randRegs(), esp: 0x10010 } });
g.add({ name: 'pusha-lowedge2', code: '60', ...low, regs: { ...randRegs(), esp: 0x1001E } });
g.add({ name: 'pusha16-lowedge', code: '6660', ...low, regs: { ...randRegs(), esp: 0x1000A } });
g.add({ name: 'pushimm-lowedge', code: '6a016a026a03', ...low, regs: { ...randRegs(), esp: 0x10008 } });
g.add({ name: 'pushm-lowedge', code: 'ff35' + le(DATA, 4) + 'ff35' + le(DATA, 4) + 'ff35' + le(DATA, 4), ...low, regs: { ...randRegs(), esp: 0x10008 } });
g.add({ name: 'pushseg-lowedge', code: '1e1e1e', ...low, regs: { ...randRegs(), esp: 0x10008 } });
g.add({ name: 'pop-top', code: '58', regs: { ...randRegs(), esp: ARENA_HI } });
g.add({ name: 'pop-top-cross', code: '58', regs: { ...randRegs(), esp: ARENA_HI - 2 } });
g.add({ name: 'pop16-top-cross', code: '6658', regs: { ...randRegs(), esp: ARENA_HI - 1 } });
g.add({ name: 'pop-top-ok', code: '58', regs: { ...randRegs(), esp: ARENA_HI - 4 } });
// POPA faulting on its first slot. (When a later slot faults, the reference AMD silicon has already
// written the registers popped before it; we keep the SDM's "no change on a fault" rule, so those cases
// are not recorded.)
g.add({ name: 'popa-top', code: '61', regs: { ...randRegs(), esp: ARENA_HI - 2 } });
g.add({ name: 'popa16-top', code: '6661', regs: { ...randRegs(), esp: ARENA_HI - 1 } });
g.add({ name: 'popm-top', code: '8f05' + le(DATA, 4), regs: { ...randRegs(), esp: ARENA_HI - 2 }, dump: [{ addr: DATA, len: 4 }] });
g.add({ name: 'popseg-top', code: '1f', regs: { ...randRegs(), esp: ARENA_HI - 2 } });
g.add({ name: 'pop-esp-wraps', code: '5c58', regs: { ...randRegs() }, mem: [{ addr: STACK, hex: le(ARENA_HI, 4) }] });

g.print();
