// The interpreter's inner loop: fetch a decoded instruction (code cache, code-page memo), execute it,
// retire it, look at pending events. CPU.run() calls interpret() and handles the faults it throws.
//
// Executing an instruction normally means calling its handler from the opcode table (insn.exec). For
// the few forms that make up most of what real code executes (register ALU operations, Jcc, MOV, LEA,
// PUSH/POP, CALL/RET...) the loop has the handler's work written inline, selected by insn.fast: a call
// through the handler costs about as much as the work of such an instruction. The decoder's choice of
// handler stays the authority: fastKind() gives an instruction a fast kind only when its handler is the
// table's handler for that form (so a LOCK prefix that makes it #UD, a 16-bit operand size, etc. keep the
// call), and each inline case does exactly what that handler does for that form (the comment names it).
// Every golden vector and test runs through this loop, so the inline forms are checked like the rest.

import type { CPU } from './cpu.ts';
import type { Insn } from './insn.ts';
import { lookup } from './opcode-table.ts';

/** Values of a few architectural constants, inlined by the TypeScript transform (regs.ts names them). */
const enum C {
  CF = 0x1, ZF = 0x40, SF = 0x80, OF = 0x800,
  /** CF PF AF ZF SF OF: the lazily evaluated status flags (regs.ts ARITH_FLAGS). */
  ARITH = 0x8D5,
  /** cpu.ts LAZY_ADD / LAZY_SUB / LAZY_LOGIC. */
  LAZY_ADD = 0, LAZY_SUB = 1, LAZY_LOGIC = 2,
  ESP = 4, CS = 1, SS = 2, GP = 13,
  /** cpu.ts Stop.Limit, Stop.Halt, Stop.Shutdown. */
  STOP_LIMIT = 0, STOP_HALT = 1, STOP_SHUTDOWN = 2,
}

/** Inline forms (insn.fast). 0: call the handler. All are 32-bit operand size unless they say otherwise. */
export const enum K {
  Call = 0,
  // ALU register forms. RM: r/m ← r/m op reg (opcodes 01 09 21 29 31 39, mod 3); R: reg ← reg op r/m (03 0B 23
  // 2B 33 3B, mod 3); I: r/m ← r/m op imm (81 83 /op mod 3, and 05 0D 25 2D 35 3D where r/m is EAX).
  AddRM, OrRM, AndRM, SubRM, XorRM, CmpRM,
  AddR, OrR, AndR, SubR, XorR, CmpR,
  AddI, OrI, AndI, SubI, XorI, CmpI,
  TestRR,
  IncR, DecR,
  // Jcc (70-7F, 0F 80-8F): JZ, JNZ, and the other conditions through cpu.cond.
  Jz, Jnz, Jcc,
  Jmp, CallRel, Ret,
  PushR, PopR, PushI,
  MovRR, MovStore, MovLoad, MovRI, MovEI, Lea, MovzxB, MovzxW,
  MovStoreB, MovLoadB, MovEbI, CmpEbI,
}

// ---- Which instructions get an inline form ----

/** Opcode → inline form, valid when the instruction runs the table's 32-bit handler (see fastKind). */
const BY_OPCODE = new Map<number, K>([
  [0xEB, K.Jmp], [0xE9, K.Jmp], [0xE8, K.CallRel], [0xC3, K.Ret], [0xC2, K.Ret],
  [0x68, K.PushI], [0x6A, K.PushI],
  [0x8D, K.Lea], [0x1B6, K.MovzxB], [0x1B7, K.MovzxW],
  [0x05, K.AddI], [0x0D, K.OrI], [0x25, K.AndI], [0x2D, K.SubI], [0x35, K.XorI], [0x3D, K.CmpI],
]);
/** ALU operation (opcode bits 5:3 / group-1 ModRM.reg) → first inline form of its family (ADC/SBB: none). */
const ALU_RM = [K.AddRM, K.OrRM, K.Call, K.Call, K.AndRM, K.SubRM, K.XorRM, K.CmpRM];
const ALU_R = [K.AddR, K.OrR, K.Call, K.Call, K.AndR, K.SubR, K.XorR, K.CmpR];
const ALU_I = [K.AddI, K.OrI, K.Call, K.Call, K.AndI, K.SubI, K.XorI, K.CmpI];

/** The inline form of a decoded instruction, or K.Call. */
export function fastKind(i: Insn): K {
  const d = lookup(i.op, i.reg);
  if (d === undefined) return K.Call;
  const op = i.op, reg = i.mod === 3;
  // 8-bit forms have one handler for both operand sizes.
  if (i.exec === d.h16 && d.h16 === d.h32) {
    if (op === 0x88 && !reg) return K.MovStoreB;
    if (op === 0x8A && !reg) return K.MovLoadB;
    if (op === 0xC6) return K.MovEbI;
    if (op === 0x80 && i.reg === 7 && !reg) return K.CmpEbI;
  }
  if (i.exec !== d.h32 || !i.o32) return K.Call;
  if (op < 0x40 && (op & 7) === 1 && reg) return ALU_RM[op >> 3];
  if (op < 0x40 && (op & 7) === 3 && reg) return ALU_R[op >> 3];
  if ((op === 0x81 || op === 0x83) && reg) return ALU_I[i.reg];
  if (op === 0x85 && reg) return K.TestRR;
  if (op >= 0x40 && op <= 0x47) return K.IncR;
  if (op >= 0x48 && op <= 0x4F) return K.DecR;
  if (op >= 0x50 && op <= 0x57) return K.PushR;
  if (op >= 0x58 && op <= 0x5F) return K.PopR;
  if (op >= 0xB8 && op <= 0xBF) return K.MovRI;
  if (op === 0x89) return reg ? K.MovRR : K.MovStore;
  if (op === 0x8B) return reg ? K.MovRR : K.MovLoad;
  if (op === 0xC7) return K.MovEI;
  if ((op & ~0xF) === 0x70 || (op & ~0xF) === 0x180) return (op & 0xF) === 4 ? K.Jz : (op & 0xF) === 5 ? K.Jnz : K.Jcc;
  if (op === 0x8D && reg) return K.Call; // LEA with a register operand: #UD from the handler
  return BY_OPCODE.get(op) ?? K.Call;
}

// ---- The loop ----

/**
 * Run until icount reaches `end`, a stop is requested, or the CPU halts. Returns the Stop reason; a guest
 * fault escapes as the FAULT exception (CPU.run delivers it and calls this again).
 */
export function interpret(cpu: CPU, end: number): number {
  const r32 = cpu.r32;
  while (cpu.icount < end) {
    // (Booleans are tested with === true: V8's generic truthiness test of a field is much longer.)
    if (cpu.halted === true) {
      if (!cpu.wake()) return cpu.shutdown ? C.STOP_SHUTDOWN : C.STOP_HALT;
      continue;
    }
    // EIP as int32 (cpu.ip, see there). An instruction of the memo page (whose slots hold code of the
    // current size), else the slow fetch.
    const ip = cpu.ip;
    const d = (ip - cpu.fetchEip) | 0;
    let i = (d & -4096) === 0 ? cpu.fetchSlots[d] : undefined;
    if (i === undefined) i = cpu.fetchInsn();
    cpu.nip = (ip + i.len) & cpu.ipMask;
    switch (i.fast) {
      case K.Call: i.exec(cpu, i); break;

      // ---- ALU (ops/alu.ts aluEdGd, aluGdEd, grp1Ed, aluEAXId through alu(); the lazy-flag stores are
      // cpu.setLazy(LAZY_ADD / LAZY_SUB, a, b, r, 31) and cpu.setLogic(r, 31)) ----
      case K.AddRM: { const a = r32[i.rm], b = r32[i.reg], r = (a + b) | 0; cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.OrRM: { const r = r32[i.rm] | r32[i.reg]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.AndRM: { const r = r32[i.rm] & r32[i.reg]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.SubRM: { const a = r32[i.rm], b = r32[i.reg], r = (a - b) | 0; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.XorRM: { const r = r32[i.rm] ^ r32[i.reg]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.CmpRM: { const a = r32[i.rm], b = r32[i.reg]; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break; }
      case K.AddR: { const a = r32[i.reg], b = r32[i.rm], r = (a + b) | 0; cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break; }
      case K.OrR: { const r = r32[i.reg] | r32[i.rm]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break; }
      case K.AndR: { const r = r32[i.reg] & r32[i.rm]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break; }
      case K.SubR: { const a = r32[i.reg], b = r32[i.rm], r = (a - b) | 0; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break; }
      case K.XorR: { const r = r32[i.reg] ^ r32[i.rm]; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break; }
      case K.CmpR: { const a = r32[i.reg], b = r32[i.rm]; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break; }
      case K.AddI: { const a = r32[i.rm], b = i.imm, r = (a + b) | 0; cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.OrI: { const r = r32[i.rm] | i.imm; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.AndI: { const r = r32[i.rm] & i.imm; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.SubI: { const a = r32[i.rm], b = i.imm, r = (a - b) | 0; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.XorI: { const r = r32[i.rm] ^ i.imm; cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break; }
      case K.CmpI: { const a = r32[i.rm], b = i.imm; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break; }
      case K.TestRR: cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r32[i.rm] & r32[i.reg]; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break; // testEdGd
      // incR32 / decR32: CF is folded into flags and left out of the lazy mask (setIncDecFlags).
      case K.IncR: {
        const n = i.op & 7, a = r32[n], r = (a + 1) | 0;
        if ((cpu.lazyMask & C.CF) !== 0) cpu.flags = (cpu.flags & ~C.CF) | cpu.getCF();
        cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = 1; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH & ~C.CF;
        r32[n] = r;
        break;
      }
      case K.DecR: {
        const n = i.op & 7, a = r32[n], r = (a - 1) | 0;
        if ((cpu.lazyMask & C.CF) !== 0) cpu.flags = (cpu.flags & ~C.CF) | cpu.getCF();
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = 1; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH & ~C.CF;
        r32[n] = r;
        break;
      }

      // ---- Jcc / JMP / CALL / RET (ops/branch.ts jcc32, jmpRel32, callRel32, ret32). Each branch ends as
      // go32 does: EIP ← target, #GP(0) beyond the CS limit. JZ/JNZ test ZF as cpu.getZF() does. ----
      case K.Jz:
        if ((cpu.lazyMask & C.ZF) !== 0 ? ((cpu.lazyRes << (31 - cpu.lazyTop)) | 0) === 0 : (cpu.flags & C.ZF) !== 0) {
          const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        }
        break;
      case K.Jnz:
        if ((cpu.lazyMask & C.ZF) !== 0 ? ((cpu.lazyRes << (31 - cpu.lazyTop)) | 0) !== 0 : (cpu.flags & C.ZF) === 0) {
          const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        }
        break;
      case K.Jcc:
        if (cpu.cond(i.op & 0xF)) {
          const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        }
        break;
      case K.Jmp: {
        const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        break;
      }
      case K.CallRel: {
        // The target is checked before the push; a faulting push leaves ESP as it was (push32).
        const ret = cpu.nip, t = (ret + i.imm) | 0;
        if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0);
        cpu.nip = t;
        cpu.push32(ret);
        break;
      }
      case K.Ret: {
        // (stack32 with ESP as int32, as pop32; setSP is a plain store of the register)
        const sp = cpu.stack32 === true ? cpu.r32[C.ESP] : cpu.r16[C.ESP << 1];
        const t = cpu.read32(C.SS, sp);
        if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0);
        cpu.nip = t;
        cpu.setSP(sp + 4 + i.imm);
        break;
      }

      // ---- Stack (ops/stack.ts pushReg32, popReg32, pushImm32) ----
      case K.PushR: cpu.push32(r32[i.op & 7]); break;
      case K.PopR: { const v = cpu.pop32(); r32[i.op & 7] = v; break; }
      case K.PushI: cpu.push32(i.imm); break;

      // ---- Data movement (ops/mov.ts movEdGd / movGdEd, movRdId, movEdId, leaD, movzxGdEb / movzxGdEw,
      // movEbGb / movGbEb memory forms, movEbIb) ----
      case K.MovRR: if (i.op === 0x89) r32[i.rm] = r32[i.reg]; else r32[i.reg] = r32[i.rm]; break;
      case K.MovStore: cpu.write32(i.seg, cpu.eaI(i), r32[i.reg]); break;
      case K.MovLoad: r32[i.reg] = cpu.read32(i.seg, cpu.eaI(i)); break;
      case K.MovRI: r32[i.op & 7] = i.imm; break;
      case K.MovEI: if (i.mod === 3) r32[i.rm] = i.imm; else cpu.write32(i.seg, cpu.eaI(i), i.imm); break;
      case K.Lea: r32[i.reg] = cpu.eaI(i); break;
      case K.MovzxB: r32[i.reg] = i.mod === 3 ? cpu.getReg8(i.rm) : cpu.read8(i.seg, cpu.eaI(i)); break;
      case K.MovzxW: r32[i.reg] = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.eaI(i)); break;
      case K.MovStoreB: cpu.write8(i.seg, cpu.eaI(i), cpu.getReg8(i.reg)); break;
      case K.MovLoadB: cpu.setReg8(i.reg, cpu.read8(i.seg, cpu.eaI(i))); break;
      case K.MovEbI: if (i.mod === 3) cpu.setReg8(i.rm, i.imm); else cpu.write8(i.seg, cpu.eaI(i), i.imm); break;
      // grp1Eb, CMP r/m8, imm8 with a memory operand: alu(7) = cpu.setLazy(LAZY_SUB, a, b, a - b, 7).
      case K.CmpEbI: {
        const a = cpu.read8(i.seg, cpu.eaI(i)), b = i.imm & 0xFF;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH;
        break;
      }
      default: i.exec(cpu, i);
    }
    cpu.ip = cpu.nip;
    cpu.icount++;
    if (cpu.attention !== 0 && cpu.afterInstruction()) return cpu.takeStop();
  }
  return C.STOP_LIMIT;
}
