// Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in all their encodings (00-3D, group 1
// 80/81/83), INC/DEC (40-4F, FE/FF /0 /1), TEST (84/85, A8/A9, F6/F7 /0), NOT/NEG (F6/F7 /2 /3).
// SDM vol. 2: flags per instruction; AF after AND/OR/XOR/TEST is undefined.

import type { CPU } from '../cpu.ts';
import { LAZY_ADD, LAZY_SUB } from '../cpu.ts';
import type { Handler, Insn } from '../insn.ts';
import { def, defGroup, defRange, Imm } from '../opcode-table.ts';
import { AF, ARITH_FLAGS, CF, EAX } from '../regs.ts';

/** The eight ALU operations of opcode bits 5:3 / group-1 reg field: compute, set lazy flags, return. */
export function alu(cpu: CPU, op: number, a: number, b: number, top: number): number {
  let r: number;
  switch (op) {
    case 0: r = (a + b) | 0; cpu.setLazy(LAZY_ADD, a, b, r, top); return r;                    // ADD
    case 1: r = a | b; cpu.setLogic(r, top); return r;                                    // OR
    case 2: { const c = cpu.getCF(); r = (a + b + c) | 0; cpu.setLazy(LAZY_ADD, a, b, r, top); return r; } // ADC
    case 3: { const c = cpu.getCF(); r = (a - b - c) | 0; cpu.setLazy(LAZY_SUB, a, b, r, top); return r; } // SBB
    case 4: r = a & b; cpu.setLogic(r, top); return r;                                    // AND
    case 5: case 7: r = (a - b) | 0; cpu.setLazy(LAZY_SUB, a, b, r, top); return r;             // SUB, CMP
    default: r = a ^ b; cpu.setLogic(r, top); return r;                                   // XOR
  }
}

// Each form below takes the operation as a parameter; the opcode table gets one small wrapper per
// operation (ALU_* at the end of this section) that passes it as a constant. Once V8 inlines the form and
// alu() into a wrapper, the operation's switch and the "CMP writes nothing" tests fold away: each opcode
// runs straight-line code for its own operation, with the same semantics as the shared form.

// ---- Eb,Gb / Ev,Gv (destination r/m) ----
function aluEbGb(cpu: CPU, i: Insn, op: number): void {
  const b = cpu.getReg8(i.reg);
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.getReg8(i.rm), b, 7);
    if (op !== 7) cpu.setReg8(i.rm, r);
  } else if (op === 7) {
    alu(cpu, op, cpu.read8(i.seg, cpu.ea(i)), b, 7);
  } else {
    cpu.commit8(alu(cpu, op, cpu.rmw8(i.seg, cpu.ea(i)), b, 7));
  }
}
function aluEwGw(cpu: CPU, i: Insn, op: number): void {
  const b = cpu.r16[i.reg << 1];
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r16[i.rm << 1], b, 15);
    if (op !== 7) cpu.r16[i.rm << 1] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read16(i.seg, cpu.ea(i)), b, 15);
  } else {
    cpu.commit16(alu(cpu, op, cpu.rmw16(i.seg, cpu.ea(i)), b, 15));
  }
}
function aluEdGd(cpu: CPU, i: Insn, op: number): void {
  const b = cpu.r32[i.reg];
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r32[i.rm], b, 31);
    if (op !== 7) cpu.r32[i.rm] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read32(i.seg, cpu.ea(i)), b, 31);
  } else {
    cpu.commit32(alu(cpu, op, cpu.rmw32(i.seg, cpu.ea(i)), b, 31));
  }
}

// ---- Gb,Eb / Gv,Ev (destination register) ----
function aluGbEb(cpu: CPU, i: Insn, op: number): void {
  const b = i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.getReg8(i.reg), b, 7);
  if (op !== 7) cpu.setReg8(i.reg, r);
}
function aluGwEw(cpu: CPU, i: Insn, op: number): void {
  const b = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.r16[i.reg << 1], b, 15);
  if (op !== 7) cpu.r16[i.reg << 1] = r;
}
function aluGdEd(cpu: CPU, i: Insn, op: number): void {
  const b = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.r32[i.reg], b, 31);
  if (op !== 7) cpu.r32[i.reg] = r;
}

// ---- AL,Ib / eAX,Iz ----
function aluALIb(cpu: CPU, i: Insn, op: number): void {
  const r = alu(cpu, op, cpu.r8[0], i.imm, 7);
  if (op !== 7) cpu.r8[0] = r;
}
function aluAXIw(cpu: CPU, i: Insn, op: number): void {
  const r = alu(cpu, op, cpu.r16[0], i.imm & 0xFFFF, 15);
  if (op !== 7) cpu.r16[0] = r;
}
function aluEAXId(cpu: CPU, i: Insn, op: number): void {
  const r = alu(cpu, op, cpu.r32[EAX], i.imm, 31);
  if (op !== 7) cpu.r32[EAX] = r;
}

// ---- group 1: Eb,Ib (80, 82) / Ev,Iz (81) / Ev,Ibs (83); operation in ModRM.reg ----
function grp1Eb(cpu: CPU, i: Insn, op: number): void {
  const b = i.imm & 0xFF;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.getReg8(i.rm), b, 7);
    if (op !== 7) cpu.setReg8(i.rm, r);
  } else if (op === 7) {
    alu(cpu, op, cpu.read8(i.seg, cpu.ea(i)), b, 7);
  } else {
    cpu.commit8(alu(cpu, op, cpu.rmw8(i.seg, cpu.ea(i)), b, 7));
  }
}
function grp1Ew(cpu: CPU, i: Insn, op: number): void {
  const b = i.imm & 0xFFFF;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r16[i.rm << 1], b, 15);
    if (op !== 7) cpu.r16[i.rm << 1] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read16(i.seg, cpu.ea(i)), b, 15);
  } else {
    cpu.commit16(alu(cpu, op, cpu.rmw16(i.seg, cpu.ea(i)), b, 15));
  }
}
function grp1Ed(cpu: CPU, i: Insn, op: number): void {
  const b = i.imm;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r32[i.rm], b, 31);
    if (op !== 7) cpu.r32[i.rm] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read32(i.seg, cpu.ea(i)), b, 31);
  } else {
    cpu.commit32(alu(cpu, op, cpu.rmw32(i.seg, cpu.ea(i)), b, 31));
  }
}

// One wrapper per operation (index = opcode bits 5:3 or ModRM.reg): distinct function literals, so V8
// optimizes each for its constant operation.
const ALU_EbGb: Handler[] = [
  (c, i) => aluEbGb(c, i, 0), (c, i) => aluEbGb(c, i, 1), (c, i) => aluEbGb(c, i, 2), (c, i) => aluEbGb(c, i, 3),
  (c, i) => aluEbGb(c, i, 4), (c, i) => aluEbGb(c, i, 5), (c, i) => aluEbGb(c, i, 6), (c, i) => aluEbGb(c, i, 7)];
const ALU_EwGw: Handler[] = [
  (c, i) => aluEwGw(c, i, 0), (c, i) => aluEwGw(c, i, 1), (c, i) => aluEwGw(c, i, 2), (c, i) => aluEwGw(c, i, 3),
  (c, i) => aluEwGw(c, i, 4), (c, i) => aluEwGw(c, i, 5), (c, i) => aluEwGw(c, i, 6), (c, i) => aluEwGw(c, i, 7)];
const ALU_EdGd: Handler[] = [
  (c, i) => aluEdGd(c, i, 0), (c, i) => aluEdGd(c, i, 1), (c, i) => aluEdGd(c, i, 2), (c, i) => aluEdGd(c, i, 3),
  (c, i) => aluEdGd(c, i, 4), (c, i) => aluEdGd(c, i, 5), (c, i) => aluEdGd(c, i, 6), (c, i) => aluEdGd(c, i, 7)];
const ALU_GbEb: Handler[] = [
  (c, i) => aluGbEb(c, i, 0), (c, i) => aluGbEb(c, i, 1), (c, i) => aluGbEb(c, i, 2), (c, i) => aluGbEb(c, i, 3),
  (c, i) => aluGbEb(c, i, 4), (c, i) => aluGbEb(c, i, 5), (c, i) => aluGbEb(c, i, 6), (c, i) => aluGbEb(c, i, 7)];
const ALU_GwEw: Handler[] = [
  (c, i) => aluGwEw(c, i, 0), (c, i) => aluGwEw(c, i, 1), (c, i) => aluGwEw(c, i, 2), (c, i) => aluGwEw(c, i, 3),
  (c, i) => aluGwEw(c, i, 4), (c, i) => aluGwEw(c, i, 5), (c, i) => aluGwEw(c, i, 6), (c, i) => aluGwEw(c, i, 7)];
const ALU_GdEd: Handler[] = [
  (c, i) => aluGdEd(c, i, 0), (c, i) => aluGdEd(c, i, 1), (c, i) => aluGdEd(c, i, 2), (c, i) => aluGdEd(c, i, 3),
  (c, i) => aluGdEd(c, i, 4), (c, i) => aluGdEd(c, i, 5), (c, i) => aluGdEd(c, i, 6), (c, i) => aluGdEd(c, i, 7)];
const ALU_ALIb: Handler[] = [
  (c, i) => aluALIb(c, i, 0), (c, i) => aluALIb(c, i, 1), (c, i) => aluALIb(c, i, 2), (c, i) => aluALIb(c, i, 3),
  (c, i) => aluALIb(c, i, 4), (c, i) => aluALIb(c, i, 5), (c, i) => aluALIb(c, i, 6), (c, i) => aluALIb(c, i, 7)];
const ALU_AXIw: Handler[] = [
  (c, i) => aluAXIw(c, i, 0), (c, i) => aluAXIw(c, i, 1), (c, i) => aluAXIw(c, i, 2), (c, i) => aluAXIw(c, i, 3),
  (c, i) => aluAXIw(c, i, 4), (c, i) => aluAXIw(c, i, 5), (c, i) => aluAXIw(c, i, 6), (c, i) => aluAXIw(c, i, 7)];
const ALU_EAXId: Handler[] = [
  (c, i) => aluEAXId(c, i, 0), (c, i) => aluEAXId(c, i, 1), (c, i) => aluEAXId(c, i, 2), (c, i) => aluEAXId(c, i, 3),
  (c, i) => aluEAXId(c, i, 4), (c, i) => aluEAXId(c, i, 5), (c, i) => aluEAXId(c, i, 6), (c, i) => aluEAXId(c, i, 7)];
const GRP1_Eb: Handler[] = [
  (c, i) => grp1Eb(c, i, 0), (c, i) => grp1Eb(c, i, 1), (c, i) => grp1Eb(c, i, 2), (c, i) => grp1Eb(c, i, 3),
  (c, i) => grp1Eb(c, i, 4), (c, i) => grp1Eb(c, i, 5), (c, i) => grp1Eb(c, i, 6), (c, i) => grp1Eb(c, i, 7)];
const GRP1_Ew: Handler[] = [
  (c, i) => grp1Ew(c, i, 0), (c, i) => grp1Ew(c, i, 1), (c, i) => grp1Ew(c, i, 2), (c, i) => grp1Ew(c, i, 3),
  (c, i) => grp1Ew(c, i, 4), (c, i) => grp1Ew(c, i, 5), (c, i) => grp1Ew(c, i, 6), (c, i) => grp1Ew(c, i, 7)];
const GRP1_Ed: Handler[] = [
  (c, i) => grp1Ed(c, i, 0), (c, i) => grp1Ed(c, i, 1), (c, i) => grp1Ed(c, i, 2), (c, i) => grp1Ed(c, i, 3),
  (c, i) => grp1Ed(c, i, 4), (c, i) => grp1Ed(c, i, 5), (c, i) => grp1Ed(c, i, 6), (c, i) => grp1Ed(c, i, 7)];

// ---- INC / DEC (40-4F, FE /0 /1, FF /0 /1) ----
// SDM vol. 2 INC/DEC: OF SF ZF AF PF as for ADD/SUB of 1, CF is not affected. The current CF is folded
// into `flags` and the lazy mask leaves CF out, so only the five other flags are computed on demand.

/** Flags of INC (sub = false) or DEC (sub = true) of `a` giving `r`; CF kept. */
function setIncDecFlags(cpu: CPU, sub: boolean, a: number, r: number, top: number): void {
  if (cpu.lazyMask & CF) cpu.flags = (cpu.flags & ~CF) | cpu.getCF();
  cpu.lazyOp = sub ? LAZY_SUB : LAZY_ADD;
  cpu.lazyA = a; cpu.lazyB = 1; cpu.lazyRes = r; cpu.lazyTop = top;
  cpu.lazyMask = ARITH_FLAGS & ~CF;
}

function incR16(cpu: CPU, i: Insn): void {
  const n = (i.op & 7) << 1, a = cpu.r16[n], r = a + 1;
  setIncDecFlags(cpu, false, a, r, 15);
  cpu.r16[n] = r;
}
function incR32(cpu: CPU, i: Insn): void {
  const n = i.op & 7, a = cpu.r32[n], r = (a + 1) | 0;
  setIncDecFlags(cpu, false, a, r, 31);
  cpu.r32[n] = r;
}
function decR16(cpu: CPU, i: Insn): void {
  const n = (i.op & 7) << 1, a = cpu.r16[n], r = a - 1;
  setIncDecFlags(cpu, true, a, r, 15);
  cpu.r16[n] = r;
}
function decR32(cpu: CPU, i: Insn): void {
  const n = i.op & 7, a = cpu.r32[n], r = (a - 1) | 0;
  setIncDecFlags(cpu, true, a, r, 31);
  cpu.r32[n] = r;
}

/** FE /0 /1: INC/DEC r/m8 (ModRM.reg 1 = DEC). */
function incDecEb(cpu: CPU, i: Insn): void {
  const sub = i.reg === 1;
  if (i.mod === 3) {
    const a = cpu.getReg8(i.rm), r = sub ? a - 1 : a + 1;
    setIncDecFlags(cpu, sub, a, r, 7);
    cpu.setReg8(i.rm, r);
  } else {
    const a = cpu.rmw8(i.seg, cpu.ea(i)), r = sub ? a - 1 : a + 1;
    cpu.commit8(r);
    setIncDecFlags(cpu, sub, a, r, 7);
  }
}
function incDecEw(cpu: CPU, i: Insn): void {
  const sub = i.reg === 1;
  if (i.mod === 3) {
    const n = i.rm << 1, a = cpu.r16[n], r = sub ? a - 1 : a + 1;
    setIncDecFlags(cpu, sub, a, r, 15);
    cpu.r16[n] = r;
  } else {
    const a = cpu.rmw16(i.seg, cpu.ea(i)), r = sub ? a - 1 : a + 1;
    cpu.commit16(r);
    setIncDecFlags(cpu, sub, a, r, 15);
  }
}
function incDecEd(cpu: CPU, i: Insn): void {
  const sub = i.reg === 1;
  if (i.mod === 3) {
    const a = cpu.r32[i.rm], r = sub ? (a - 1) | 0 : (a + 1) | 0;
    setIncDecFlags(cpu, sub, a, r, 31);
    cpu.r32[i.rm] = r;
  } else {
    const a = cpu.rmw32(i.seg, cpu.ea(i)), r = sub ? (a - 1) | 0 : (a + 1) | 0;
    cpu.commit32(r);
    setIncDecFlags(cpu, sub, a, r, 31);
  }
}

// ---- TEST (84/85, A8/A9, F6/F7 /0 and its alias /1): AND that only sets flags; never writes ----
// F6/F7 /1 is not listed in SDM vol. 2 Table A-6, but processors execute it as TEST (checked on silicon:
// test-data/golden/alu.jsonl "test-f6/1", "test-f7/1").

function testEbGb(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
  cpu.setLogic(a & cpu.getReg8(i.reg), 7);
}
function testEwGw(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  cpu.setLogic(a & cpu.r16[i.reg << 1], 15);
}
function testEdGd(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  cpu.setLogic(a & cpu.r32[i.reg], 31);
}
function testALIb(cpu: CPU, i: Insn): void { cpu.setLogic(cpu.r8[0] & i.imm, 7); }
function testAXIw(cpu: CPU, i: Insn): void { cpu.setLogic(cpu.r16[0] & i.imm, 15); }
function testEAXId(cpu: CPU, i: Insn): void { cpu.setLogic(cpu.r32[EAX] & i.imm, 31); }
function testEbIb(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
  cpu.setLogic(a & i.imm, 7);
}
function testEwIw(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  cpu.setLogic(a & i.imm, 15);
}
function testEdId(cpu: CPU, i: Insn): void {
  const a = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  cpu.setLogic(a & i.imm, 31);
}

// ---- NOT (F6/F7 /2): one's complement, no flags affected (SDM vol. 2 NOT) ----

function notEb(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.setReg8(i.rm, ~cpu.getReg8(i.rm));
  else cpu.commit8(~cpu.rmw8(i.seg, cpu.ea(i)));
}
function notEw(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.r16[i.rm << 1] = ~cpu.r16[i.rm << 1];
  else cpu.commit16(~cpu.rmw16(i.seg, cpu.ea(i)));
}
function notEd(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.r32[i.rm] = ~cpu.r32[i.rm];
  else cpu.commit32(~cpu.rmw32(i.seg, cpu.ea(i)));
}

// ---- NEG (F6/F7 /3): 0 - operand; flags as SUB, which gives CF = (operand != 0) as the SDM states. (| 0:
// -0 stored in cpu.lazyRes would make V8 keep that field of every CPU as a boxed double.) ----

function negEb(cpu: CPU, i: Insn): void {
  if (i.mod === 3) {
    const a = cpu.getReg8(i.rm), r = -a | 0;
    cpu.setLazy(LAZY_SUB, 0, a, r, 7);
    cpu.setReg8(i.rm, r);
  } else {
    const a = cpu.rmw8(i.seg, cpu.ea(i)), r = -a | 0;
    cpu.commit8(r);
    cpu.setLazy(LAZY_SUB, 0, a, r, 7);
  }
}
function negEw(cpu: CPU, i: Insn): void {
  if (i.mod === 3) {
    const n = i.rm << 1, a = cpu.r16[n], r = -a | 0;
    cpu.setLazy(LAZY_SUB, 0, a, r, 15);
    cpu.r16[n] = r;
  } else {
    const a = cpu.rmw16(i.seg, cpu.ea(i)), r = -a | 0;
    cpu.commit16(r);
    cpu.setLazy(LAZY_SUB, 0, a, r, 15);
  }
}
function negEd(cpu: CPU, i: Insn): void {
  if (i.mod === 3) {
    const a = cpu.r32[i.rm], r = -a | 0;
    cpu.setLazy(LAZY_SUB, 0, a, r, 31);
    cpu.r32[i.rm] = r;
  } else {
    const a = cpu.rmw32(i.seg, cpu.ea(i)), r = -a | 0;
    cpu.commit32(r);
    cpu.setLazy(LAZY_SUB, 0, a, r, 31);
  }
}

const NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

export function install(): void {
  for (let op = 0; op < 8; op++) {
    const name = NAMES[op];
    const undef = op === 1 || op === 4 || op === 6 ? AF : 0;
    const lockable = op !== 7;
    const base = op << 3;
    def(base + 0, { name, modrm: true, h16: ALU_EbGb[op], lockable, undef });
    def(base + 1, { name, modrm: true, h16: ALU_EwGw[op], h32: ALU_EdGd[op], lockable, undef });
    def(base + 2, { name, modrm: true, h16: ALU_GbEb[op], undef });
    def(base + 3, { name, modrm: true, h16: ALU_GwEw[op], h32: ALU_GdEd[op], undef });
    def(base + 4, { name, imm: Imm.Ib, h16: ALU_ALIb[op], undef });
    def(base + 5, { name, imm: Imm.Iz, h16: ALU_AXIw[op], h32: ALU_EAXId[op], undef });
    defGroup(0x80, op, { name, imm: Imm.Ib, h16: GRP1_Eb[op], lockable, undef });
    defGroup(0x81, op, { name, imm: Imm.Iz, h16: GRP1_Ew[op], h32: GRP1_Ed[op], lockable, undef });
    // 82 is an alias of 80 in 32-bit mode on IA-32 (SDM vol. 2 Table A-2, "i64" only invalid in 64-bit).
    defGroup(0x82, op, { name, imm: Imm.Ib, h16: GRP1_Eb[op], lockable, undef });
    defGroup(0x83, op, { name, imm: Imm.Ibs, h16: GRP1_Ew[op], h32: GRP1_Ed[op], lockable, undef });
  }
  defRange(0x40, 8, () => ({ name: 'inc', h16: incR16, h32: incR32 }));
  defRange(0x48, 8, () => ({ name: 'dec', h16: decR16, h32: decR32 }));
  defGroup(0xFE, 0, { name: 'inc', h16: incDecEb, lockable: true });
  defGroup(0xFE, 1, { name: 'dec', h16: incDecEb, lockable: true });
  defGroup(0xFF, 0, { name: 'inc', h16: incDecEw, h32: incDecEd, lockable: true });
  defGroup(0xFF, 1, { name: 'dec', h16: incDecEw, h32: incDecEd, lockable: true });

  def(0x84, { name: 'test', modrm: true, h16: testEbGb, undef: AF });
  def(0x85, { name: 'test', modrm: true, h16: testEwGw, h32: testEdGd, undef: AF });
  def(0xA8, { name: 'test', imm: Imm.Ib, h16: testALIb, undef: AF });
  def(0xA9, { name: 'test', imm: Imm.Iz, h16: testAXIw, h32: testEAXId, undef: AF });
  for (const sub of [0, 1]) {
    defGroup(0xF6, sub, { name: 'test', imm: Imm.Ib, h16: testEbIb, undef: AF });
    defGroup(0xF7, sub, { name: 'test', imm: Imm.Iz, h16: testEwIw, h32: testEdId, undef: AF });
  }
  defGroup(0xF6, 2, { name: 'not', h16: notEb, lockable: true });
  defGroup(0xF7, 2, { name: 'not', h16: notEw, h32: notEd, lockable: true });
  defGroup(0xF6, 3, { name: 'neg', h16: negEb, lockable: true });
  defGroup(0xF7, 3, { name: 'neg', h16: negEw, h32: negEd, lockable: true });
}
