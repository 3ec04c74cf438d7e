// Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in all their encodings (00-3D, group 1
// 80/81/83), INC/DEC (40-4F, FE/FF /0 /1), TEST (84/85, A8/A9, F6/F7 /0), NOT/NEG (F6/F7 /2 /3).
// SDM vol. 2: flags per instruction; AF after AND/OR/XOR/TEST is undefined.

import type { CPU } from '../cpu.ts';
import { LAZY_ADD, LAZY_SUB } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup, Imm } from '../opcode-table.ts';
import { AF, CF, EAX } from '../regs.ts';

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

// ---- Eb,Gb / Ev,Gv (destination r/m) ----
function aluEbGb(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7, b = cpu.getReg8(i.reg);
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.getReg8(i.rm), b, 7);
    if (op !== 7) cpu.setReg8(i.rm, r);
  } else if (op === 7) {
    alu(cpu, op, cpu.read8(i.seg, cpu.ea(i)), b, 7);
  } else {
    cpu.commit8(alu(cpu, op, cpu.rmw8(i.seg, cpu.ea(i)), b, 7));
  }
}
function aluEwGw(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7, b = cpu.r16[i.reg << 1];
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r16[i.rm << 1], b, 15);
    if (op !== 7) cpu.r16[i.rm << 1] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read16(i.seg, cpu.ea(i)), b, 15);
  } else {
    cpu.commit16(alu(cpu, op, cpu.rmw16(i.seg, cpu.ea(i)), b, 15));
  }
}
function aluEdGd(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7, b = cpu.r32[i.reg];
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
function aluGbEb(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const b = i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.getReg8(i.reg), b, 7);
  if (op !== 7) cpu.setReg8(i.reg, r);
}
function aluGwEw(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const b = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.r16[i.reg << 1], b, 15);
  if (op !== 7) cpu.r16[i.reg << 1] = r;
}
function aluGdEd(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const b = i.mod === 3 ? cpu.r32[i.rm] : cpu.read32(i.seg, cpu.ea(i));
  const r = alu(cpu, op, cpu.r32[i.reg], b, 31);
  if (op !== 7) cpu.r32[i.reg] = r;
}

// ---- AL,Ib / eAX,Iz ----
function aluALIb(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const r = alu(cpu, op, cpu.r8[0], i.imm, 7);
  if (op !== 7) cpu.r8[0] = r;
}
function aluAXIw(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const r = alu(cpu, op, cpu.r16[0], i.imm & 0xFFFF, 15);
  if (op !== 7) cpu.r16[0] = r;
}
function aluEAXId(cpu: CPU, i: Insn): void {
  const op = (i.op >> 3) & 7;
  const r = alu(cpu, op, cpu.r32[EAX], i.imm, 31);
  if (op !== 7) cpu.r32[EAX] = r;
}

// ---- group 1: Eb,Ib (80, 82) / Ev,Iz (81) / Ev,Ibs (83); operation in ModRM.reg ----
function grp1Eb(cpu: CPU, i: Insn): void {
  const op = i.reg, b = i.imm & 0xFF;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.getReg8(i.rm), b, 7);
    if (op !== 7) cpu.setReg8(i.rm, r);
  } else if (op === 7) {
    alu(cpu, op, cpu.read8(i.seg, cpu.ea(i)), b, 7);
  } else {
    cpu.commit8(alu(cpu, op, cpu.rmw8(i.seg, cpu.ea(i)), b, 7));
  }
}
function grp1Ew(cpu: CPU, i: Insn): void {
  const op = i.reg, b = i.imm & 0xFFFF;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r16[i.rm << 1], b, 15);
    if (op !== 7) cpu.r16[i.rm << 1] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read16(i.seg, cpu.ea(i)), b, 15);
  } else {
    cpu.commit16(alu(cpu, op, cpu.rmw16(i.seg, cpu.ea(i)), b, 15));
  }
}
function grp1Ed(cpu: CPU, i: Insn): void {
  const op = i.reg, b = i.imm;
  if (i.mod === 3) {
    const r = alu(cpu, op, cpu.r32[i.rm], b, 31);
    if (op !== 7) cpu.r32[i.rm] = r;
  } else if (op === 7) {
    alu(cpu, op, cpu.read32(i.seg, cpu.ea(i)), b, 31);
  } else {
    cpu.commit32(alu(cpu, op, cpu.rmw32(i.seg, cpu.ea(i)), b, 31));
  }
}

const NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

export function install(): void {
  for (let op = 0; op < 8; op++) {
    const name = NAMES[op];
    const undef = op === 1 || op === 4 || op === 6 ? AF : 0;
    const lockable = op !== 7;
    const base = op << 3;
    def(base + 0, { name, modrm: true, h16: aluEbGb, lockable, undef });
    def(base + 1, { name, modrm: true, h16: aluEwGw, h32: aluEdGd, lockable, undef });
    def(base + 2, { name, modrm: true, h16: aluGbEb, undef });
    def(base + 3, { name, modrm: true, h16: aluGwEw, h32: aluGdEd, undef });
    def(base + 4, { name, imm: Imm.Ib, h16: aluALIb, undef });
    def(base + 5, { name, imm: Imm.Iz, h16: aluAXIw, h32: aluEAXId, undef });
    defGroup(0x80, op, { name, imm: Imm.Ib, h16: grp1Eb, lockable, undef });
    defGroup(0x81, op, { name, imm: Imm.Iz, h16: grp1Ew, h32: grp1Ed, lockable, undef });
    // 82 is an alias of 80 in 32-bit mode on IA-32 (SDM vol. 2 Table A-2, "i64" only invalid in 64-bit).
    defGroup(0x82, op, { name, imm: Imm.Ib, h16: grp1Eb, lockable, undef });
    defGroup(0x83, op, { name, imm: Imm.Ibs, h16: grp1Ew, h32: grp1Ed, lockable, undef });
  }
  void CF;
}
