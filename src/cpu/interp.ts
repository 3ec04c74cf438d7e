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
// Every golden vector and test runs through this loop, so the inline forms are checked like the rest, and
// interp.test.ts runs each against its handler. As in the handlers, a form reads (and may fault) before it
// changes anything: a fault must leave no trace (cpu.ts fault()).

import type { CPU } from './cpu.ts';
import type { Insn } from './insn.ts';
import { lookup } from './opcode-table.ts';

/** Values of a few architectural constants, inlined by the TypeScript transform (regs.ts names them). */
const enum C {
  CF = 0x1, PF = 0x4, ZF = 0x40, SF = 0x80, OF = 0x800,
  /** CF PF AF ZF SF OF: the lazily evaluated status flags (regs.ts ARITH_FLAGS). */
  ARITH = 0x8D5,
  /** cpu.ts LAZY_ADD / LAZY_SUB / LAZY_LOGIC / LAZY_SHIFT. */
  LAZY_ADD = 0, LAZY_SUB = 1, LAZY_LOGIC = 2, LAZY_SHIFT = 3,
  ESP = 4, EBP = 5, CS = 1, SS = 2, GP = 13,
  /** EFLAGS.IF; cpu.ts ATTN_IRQ. */
  IF = 0x200, ATTN_IRQ = 1,
  /** cpu.ts Stop.Limit, Stop.Halt, Stop.Shutdown; STOP_BLOCK: see interpret's blockStarts. */
  STOP_LIMIT = 0, STOP_HALT = 1, STOP_SHUTDOWN = 2, STOP_BLOCK = 4,
}

/** interpret()'s result when it stopped at a block start (blockStarts; never returned by cpu.run). */
export const STOP_BLOCK = 4;

/**
 * Opcodes that may transfer control (JMP, Jcc, CALL, RET, LOOP/JCXZ, INT, IRET, far forms, SYSENTER /
 * SYSEXIT, the FF group) or halt: where a translated block ends. The instruction after one is a block start
 * (interpret's blockStarts).
 */
export const BRANCH_OPS = new Uint8Array(0x200);
for (const op of [0x9A, 0xC2, 0xC3, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xE0, 0xE1, 0xE2, 0xE3, 0xE8, 0xE9, 0xEA, 0xEB,
  0xF4, 0xFF, 0x134, 0x135]) BRANCH_OPS[op] = 1;
for (let cc = 0; cc < 16; cc++) { BRANCH_OPS[0x70 + cc] = 1; BRANCH_OPS[0x180 + cc] = 1; }

/** Inline forms (insn.fast). 0: call the handler. All are 32-bit operand size unless they say otherwise. */
export const enum K {
  Call = 0,
  // ALU register forms. RM: r/m ← r/m op reg (opcodes 01 09 21 29 31 39, mod 3); R: reg ← reg op r/m (03 0B 23
  // 2B 33 3B, mod 3); I: r/m ← r/m op imm (81 83 /op mod 3, and 05 0D 25 2D 35 3D where r/m is EAX).
  AddRM, OrRM, AndRM, SubRM, XorRM, CmpRM,
  AddR, OrR, AndR, SubR, XorR, CmpR,
  AddI, OrI, AndI, SubI, XorI, CmpI,
  TestRR,
  // ALU with a memory operand. Ld: reg ← reg op [m] (03 0B 23 2B 33 3B); St: [m] ← [m] op reg (01 09 21 29 31,
  // and CMP 39 which only reads); MI: [m] ← [m] op imm (81 83, CMP only reads); TestM: TEST [m], reg (85).
  AddLd, OrLd, AndLd, SubLd, XorLd, CmpLd,
  AddSt, OrSt, AndSt, SubSt, XorSt, CmpSt,
  AddMI, OrMI, AndMI, SubMI, XorMI, CmpMI,
  TestM,
  // TEST r/m32, imm32 (F7 /0 /1, A9 with EAX); 8-bit: TEST r/m8, imm8 (F6 /0 /1, A8 with AL), CMP r/m8, imm8
  // with a register (80 /7, 3C with AL), CMP r/m8, r8 and r8, r/m8 (38, 3A), MOV r8, r8 (88, 8A).
  TestEI, TestEbI, CmpRbI, CmpEbGb, CmpGbEb, MovRRb,
  IncR, DecR,
  // C1 /op Ib, D1 /op, D3 /op with a register operand; RCL/RCR keep the call.
  Rol, Ror, Shl, Shr, Sar,
  // Jcc (70-7F, 0F 80-8F): JZ, JNZ; JB/JAE, JBE/JA, JS/JNS, JL/JGE, JLE/JG (the odd condition of each pair is
  // the negation, opcode bit 0); JO/JNO/JP/JNP through cpu.cond.
  Jz, Jnz, Jb, Jbe, Js, Jl, Jle, Jcc,
  Jmp, CallRel, Ret,
  PushR, PopR, PushI,
  MovRR, MovStore, MovLoad, MovRI, MovEI, Lea, MovzxB, MovzxW,
  MovStoreB, MovLoadB, MovEbI, CmpEbI,
  // More data movement and branches: MOV r8, imm8 (B0+r), MOVSX (0F BE / BF), XCHG reg, reg (87 mod 3, 91-97),
  // CDQ (99), TEST r/m8, r8 (84 mod 3), SETcc (0F 90-9F), CMOVcc (0F 40-4F), NOT / NEG reg (F7 /2 /3 mod 3),
  // INC / DEC [m] (FF /0 /1), CALL / JMP r/m32 (FF /2 /4), PUSH r/m32 (FF /6), LEAVE (C9).
  MovRbI, MovsxB, MovsxW, XchgRR, XchgA, Cdq, TestRRb, Setcc, Cmovcc, NotR, NegR,
  IncM, DecM, CallE, JmpE, PushE, Leave,
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
const ALU_LD = [K.AddLd, K.OrLd, K.Call, K.Call, K.AndLd, K.SubLd, K.XorLd, K.CmpLd];
const ALU_ST = [K.AddSt, K.OrSt, K.Call, K.Call, K.AndSt, K.SubSt, K.XorSt, K.CmpSt];
const ALU_MI = [K.AddMI, K.OrMI, K.Call, K.Call, K.AndMI, K.SubMI, K.XorMI, K.CmpMI];
/** Jcc condition (opcode bits 3:0) → inline form. */
const JCC = [K.Jcc, K.Jcc, K.Jb, K.Jb, K.Jz, K.Jnz, K.Jbe, K.Jbe, K.Js, K.Js, K.Jcc, K.Jcc, K.Jl, K.Jl, K.Jle, K.Jle];
/** Group-2 operation (ModRM.reg) → inline form (SAL, /6, is SHL). */
const SHIFT = [K.Rol, K.Ror, K.Call, K.Call, K.Shl, K.Shr, K.Shl, K.Sar];

/**
 * Inline forms that only read their memory operand (when they have one: mod != 3), by the size read: the
 * loop reads it before the switch (4: rd32, 2: cpu.read16, 1: rd8).
 */
const READS = new Uint8Array(256);
for (const k of [K.MovLoad, K.AddLd, K.OrLd, K.AndLd, K.SubLd, K.XorLd, K.CmpLd, K.CmpSt, K.CmpMI, K.TestM, K.TestEI, K.Cmovcc,
  K.CallE, K.JmpE, K.PushE]) READS[k] = 4;
for (const k of [K.MovzxW, K.MovsxW]) READS[k] = 2;
for (const k of [K.MovzxB, K.MovsxB, K.MovLoadB, K.CmpEbI, K.TestEbI]) READS[k] = 1;

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
    if (op === 0x80 && i.reg === 7) return reg ? K.CmpRbI : K.CmpEbI;
    if (op === 0x3C) return K.CmpRbI; // AL: rm 0, mod 3 as the decoder leaves them
    if (op === 0xF6 && i.reg <= 1 || op === 0xA8) return K.TestEbI;
    if (op === 0x38 && reg) return K.CmpEbGb;
    if (op === 0x3A && reg) return K.CmpGbEb;
    if ((op === 0x88 || op === 0x8A) && reg) return K.MovRRb;
    if (op === 0xA0) return K.MovLoadB;   // moffs: a displacement-only memory operand, AL is reg 0
    if (op === 0xA2) return K.MovStoreB;
    if (op >= 0xB0 && op <= 0xB7) return K.MovRbI;
    if (op === 0x84 && reg) return K.TestRRb;
    if ((op & ~0xF) === 0x190) return K.Setcc;
  }
  if (i.exec !== d.h32 || !i.o32) return K.Call;
  if (op < 0x40 && (op & 7) === 1) return (reg ? ALU_RM : ALU_ST)[op >> 3];
  if (op < 0x40 && (op & 7) === 3) return (reg ? ALU_R : ALU_LD)[op >> 3];
  if (op === 0x81 || op === 0x83) return (reg ? ALU_I : ALU_MI)[i.reg];
  if (op === 0x85) return reg ? K.TestRR : K.TestM;
  if (op === 0xF7 && i.reg <= 1 || op === 0xA9) return K.TestEI;
  if (op === 0xF7 && reg && (i.reg === 2 || i.reg === 3)) return i.reg === 2 ? K.NotR : K.NegR;
  if (op === 0xA1) return K.MovLoad;      // moffs: EAX is reg 0
  if (op === 0xA3) return K.MovStore;
  if (op === 0x1BE) return K.MovsxB;
  if (op === 0x1BF) return K.MovsxW;
  if (op === 0x87 && reg) return K.XchgRR;
  if (op >= 0x91 && op <= 0x97) return K.XchgA;
  if (op === 0x99) return K.Cdq;
  if ((op & ~0xF) === 0x140) return K.Cmovcc;
  if (op === 0xFF) {
    if (i.reg <= 1) return reg ? K.Call : i.reg === 0 ? K.IncM : K.DecM;
    if (i.reg === 2) return K.CallE;
    if (i.reg === 4) return K.JmpE;
    if (i.reg === 6) return K.PushE;
  }
  if (op === 0xC9) return K.Leave;
  if ((op === 0xC1 || op === 0xD1 || op === 0xD3) && reg) return SHIFT[i.reg];
  if (op >= 0x40 && op <= 0x47) return K.IncR;
  if (op >= 0x48 && op <= 0x4F) return K.DecR;
  if (op >= 0x50 && op <= 0x57) return K.PushR;
  if (op >= 0x58 && op <= 0x5F) return K.PopR;
  if (op >= 0xB8 && op <= 0xBF) return K.MovRI;
  if (op === 0x89) return reg ? K.MovRR : K.MovStore;
  if (op === 0x8B) return reg ? K.MovRR : K.MovLoad;
  if (op === 0xC7) return K.MovEI;
  if ((op & ~0xF) === 0x70 || (op & ~0xF) === 0x180) return JCC[op & 0xF];
  if (op === 0x8D && reg) return K.Call; // LEA with a register operand: #UD from the handler
  return BY_OPCODE.get(op) ?? K.Call;
}

// ---- The loop ----

/**
 * Run until icount reaches `end`, a stop is requested, or the CPU halts. Returns the Stop reason; a guest
 * fault escapes as the FAULT exception (CPU.run delivers it and calls this again).
 * With `blockStarts` (the translator's dispatcher, jit/dispatch.ts), count the entries of instructions
 * reached by a control transfer (Insn.hits) and return STOP_BLOCK, before executing it, at one that starts
 * a translated block or has been reached blockStarts times (the first instruction always runs).
 */
export function interpret(cpu: CPU, end: number, blockStarts = 0): number {
  const r32 = cpu.r32;
  let branched = false, straddled = false;
  /** A push the instruction's case asked for, of pv (done after the switch). */
  let push = false, pv = 0;
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
    if (i === undefined) {
      // The second memo (cpu.fetchSlots2: the page left last), swapped with the first on a hit. Else
      // fetchInsn, the first memo becoming the second when EIP left its page (an event during fetchInsn
      // that resets the memos resets both).
      const d2 = (ip - cpu.fetchEip2) | 0;
      i = (d2 & -4096) === 0 ? cpu.fetchSlots2[d2] : undefined;
      const eip = cpu.fetchEip, slots = cpu.fetchSlots;
      if (i !== undefined) {
        cpu.fetchEip = cpu.fetchEip2; cpu.fetchSlots = cpu.fetchSlots2;
        cpu.fetchEip2 = eip; cpu.fetchSlots2 = slots;
      } else {
        if ((d & -4096) !== 0) { cpu.fetchEip2 = eip; cpu.fetchSlots2 = slots; }
        i = cpu.fetchInsn();
        // An instruction that straddles two pages is never cached, so no region holds it or goes past
        // it: for the translator's dispatcher the next one starts a block (else a long straight run
        // after it would stay interpreted: the kernel's blake2s_compress has one at a page end).
        if (blockStarts !== 0 && ((cpu.segBase[C.CS] + ip) & 0xFFF) + i.len > 0x1000) straddled = true;
      }
    }
    if (branched === true) {
      branched = false;
      if (i.block !== null || ++i.hits >= blockStarts) return C.STOP_BLOCK;
    }
    cpu.nip = (ip + i.len) & cpu.ipMask;
    // The memory operand of an inline form: its offset (as cpu.eaI computes it) and, for the forms that
    // only read it (READS), its value as rd32 / rd8 / cpu.read16 read it, with their direct paths inline.
    // (Written once here rather than as calls in each case: V8 inlines only so much into this function,
    // and the calls it leaves cost as much as the rest of such an instruction.)
    const k = i.fast;
    let off = 0, m = 0;
    if (i.mod !== 3 && k !== K.Call) {
      if (i.a32 === true) {
        let a = i.disp;
        if (i.base >= 0) a += r32[i.base];
        if (i.index >= 0) a += r32[i.index] << i.scale;
        off = a | 0;
      } else off = cpu.eaI(i);
      const size = READS[k];
      if (size !== 0) {
        const s = i.seg, lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12], p = (e & ~0xFFF) | (lin & 0xFFF);
        const direct = ((cpu.wideR >> s) & 1) !== 0 && (e & cpu.rmask) !== 0;
        if (size === 4) m = direct === true && (p & 3) === 0 && (off >>> 0) <= 0xFFFFFFFC ? cpu.ram32[p >>> 2] : rd32(cpu, s, off);
        else if (size === 1) m = direct === true ? cpu.ram8[p] : rd8(cpu, s, off);
        else m = direct === true && (p & 1) === 0 && (off >>> 0) <= 0xFFFFFFFE ? cpu.ram16[p >>> 1] : cpu.read16(s, off);
      }
    }
    switch (k) {
      case K.Call: i.exec(cpu, i); break;

      // ---- ALU (ops/alu.ts aluEdGd, aluGdEd, grp1Ed, aluEAXId through alu(); the lazy-flag stores are
      // cpu.setLazy(LAZY_ADD / LAZY_SUB, a, b, r, 31) and cpu.setLogic(r, 31)) ----
      case K.AddRM: { const a = r32[i.rm], b = r32[i.reg], r = (a + b) | 0;
        cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.OrRM: { const r = r32[i.rm] | r32[i.reg];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.AndRM: { const r = r32[i.rm] & r32[i.reg];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.SubRM: { const a = r32[i.rm], b = r32[i.reg], r = (a - b) | 0;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.XorRM: { const r = r32[i.rm] ^ r32[i.reg];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.CmpRM: { const a = r32[i.rm], b = r32[i.reg];
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.AddR: { const a = r32[i.reg], b = r32[i.rm], r = (a + b) | 0;
        cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.OrR: { const r = r32[i.reg] | r32[i.rm];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.AndR: { const r = r32[i.reg] & r32[i.rm];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.SubR: { const a = r32[i.reg], b = r32[i.rm], r = (a - b) | 0;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.XorR: { const r = r32[i.reg] ^ r32[i.rm];
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.CmpR: { const a = r32[i.reg], b = r32[i.rm];
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.AddI: { const a = r32[i.rm], b = i.imm, r = (a + b) | 0;
        cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.OrI: { const r = r32[i.rm] | i.imm;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.AndI: { const r = r32[i.rm] & i.imm;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.SubI: { const a = r32[i.rm], b = i.imm, r = (a - b) | 0;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.XorI: { const r = r32[i.rm] ^ i.imm;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.CmpI: { const a = r32[i.rm], b = i.imm;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.TestRR: cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r32[i.rm] & r32[i.reg]; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break; // testEdGd
      // ---- ALU with a memory operand: the same through rd32 (read32) and, for read-modify-write, the
      // slot rmwSlot finds for rmw32 + commit32; where there is none the handler does it all ----
      case K.AddLd: { const a = r32[i.reg], b = m, r = (a + b) | 0;
        cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.OrLd: { const r = r32[i.reg] | m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.AndLd: { const r = r32[i.reg] & m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.SubLd: { const a = r32[i.reg], b = m, r = (a - b) | 0;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.XorLd: { const r = r32[i.reg] ^ m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.reg] = r; break;
      }
      case K.CmpLd: { const a = r32[i.reg], b = m;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.CmpSt: { const a = m, b = r32[i.reg];
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.CmpMI: { const a = m, b = i.imm;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.TestM: { const a = m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = a & r32[i.reg]; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.AddSt: case K.OrSt: case K.AndSt: case K.SubSt: case K.XorSt:
      case K.AddMI: case K.OrMI: case K.AndMI: case K.SubMI: case K.XorMI: {
        const x = rmwSlot(cpu, i.seg, off);
        if (x < 0) { i.exec(cpu, i); break; }
        const ram32 = cpu.ram32, a = ram32[x], b = i.fast >= K.AddMI ? i.imm : r32[i.reg];
        let r: number;
        switch (i.fast) {
          case K.AddSt: case K.AddMI: r = (a + b) | 0; cpu.lazyOp = C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = b; break;
          case K.SubSt: case K.SubMI: r = (a - b) | 0; cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; break;
          case K.OrSt: case K.OrMI: r = a | b; cpu.lazyOp = C.LAZY_LOGIC; break;
          case K.AndSt: case K.AndMI: r = a & b; cpu.lazyOp = C.LAZY_LOGIC; break;
          default: r = a ^ b; cpu.lazyOp = C.LAZY_LOGIC;
        }
        cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH;
        ram32[x] = r;
        break;
      }
      // testEdId (F7 /0 /1, A9), testEbIb (F6 /0 /1, A8), grp1Eb /7 and aluALIb 3C (CMP), aluEbGb / aluGbEb 38 / 3A
      // (CMP), movEbGb / movGbEb 88 / 8A: register forms through getReg8 / setReg8.
      case K.TestEI: { const a = i.mod === 3 ? r32[i.rm] : m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = a & i.imm; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; break;
      }
      case K.TestEbI: { const a = i.mod === 3 ? cpu.getReg8(i.rm) : m;
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = a & i.imm; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH; break;
      }
      case K.CmpRbI: { const a = cpu.getReg8(i.rm), b = i.imm & 0xFF;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH; break;
      }
      case K.CmpEbGb: { const a = cpu.getReg8(i.rm), b = cpu.getReg8(i.reg);
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH; break;
      }
      case K.CmpGbEb: { const a = cpu.getReg8(i.reg), b = cpu.getReg8(i.rm);
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH; break;
      }
      case K.MovRRb: if (i.op === 0x88) cpu.setReg8(i.rm, cpu.getReg8(i.reg)); else cpu.setReg8(i.reg, cpu.getReg8(i.rm)); break;

      // incR32 / decR32: CF is folded into flags (its lazy value as cpu.getCF computes it) and left out of
      // the lazy mask (setIncDecFlags).
      case K.IncR: case K.DecR: {
        const n = i.op & 7, a = r32[n], dec = i.fast === K.DecR, r = dec ? (a - 1) | 0 : (a + 1) | 0;
        if ((cpu.lazyMask & C.CF) !== 0) {
          const la = cpu.lazyA, lb = cpu.lazyB, lr = cpu.lazyRes, lo = cpu.lazyOp;
          const cf = lo === C.LAZY_ADD ? (((la & lb) | ((la | lb) & ~lr)) >>> cpu.lazyTop) & 1
            : lo === C.LAZY_SUB ? (((~la & lb) | (~(la ^ lb) & lr)) >>> cpu.lazyTop) & 1 : lo === C.LAZY_SHIFT ? la & 1 : 0;
          cpu.flags = (cpu.flags & ~C.CF) | cf;
        }
        cpu.lazyOp = dec ? C.LAZY_SUB : C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = 1; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH & ~C.CF;
        r32[n] = r;
        break;
      }

      // ---- Shifts and rotates of a register by imm8, 1 or CL (ops/shift.ts group2Ed and shift32 with
      // setRotateFlags / setShiftFlags; group2Count masks the count to 5 bits, 0 changes nothing) ----
      case K.Rol: case K.Ror: case K.Shl: case K.Shr: case K.Sar: {
        const c = (i.op < 0xD0 ? i.imm : (i.op & 2) !== 0 ? cpu.r8[4] : 1) & 0x1F;
        if (c === 0) break;
        const v = r32[i.rm];
        let r: number;
        switch (i.fast) {
          case K.Rol: {
            r = (v << c) | (v >>> (32 - c));
            const cf = r & 1;
            cpu.flags = (cpu.flags & ~(C.CF | C.OF)) | cf | ((((r >>> 31) ^ cf) & 1) !== 0 ? C.OF : 0); cpu.lazyMask &= ~(C.CF | C.OF);
            break;
          }
          case K.Ror: {
            r = (v >>> c) | (v << (32 - c));
            const cf = r >>> 31;
            cpu.flags = (cpu.flags & ~(C.CF | C.OF)) | cf | (((cf ^ (r >>> 30)) & 1) !== 0 ? C.OF : 0); cpu.lazyMask &= ~(C.CF | C.OF);
            break;
          }
          // SHL / SHR / SAR: the LAZY_SHIFT record (cpu.ts): CF = bit 0 of lazyA, OF = bit 31 of lazyB.
          case K.Shl: { // CF = last bit out; OF = MSB(result) ^ CF
            r = v << c;
            const a = v >>> (32 - c);
            cpu.lazyA = a; cpu.lazyB = r ^ (a << 31);
            cpu.lazyOp = C.LAZY_SHIFT; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH;
            break;
          }
          case K.Shr: // OF = MSB(operand)
            r = v >>> c;
            cpu.lazyA = v >>> (c - 1); cpu.lazyB = v;
            cpu.lazyOp = C.LAZY_SHIFT; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH;
            break;
          default: // K.Sar: OF = 0
            r = v >> c;
            cpu.lazyA = v >> (c - 1); cpu.lazyB = 0;
            cpu.lazyOp = C.LAZY_SHIFT; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH;
        }
        r32[i.rm] = r;
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
      // The flags as cpu.getCF / getSF / getOF / getZF evaluate them (each one lazy or not by cpu.lazyMask), the
      // condition as cpu.cond combines them (SDM vol. 2 Appendix B.1.4.7).
      case K.Jb: case K.Jbe: {
        let c: boolean;
        if ((cpu.lazyMask & C.CF) === 0) c = (cpu.flags & C.CF) !== 0;
        else {
          const a = cpu.lazyA, b = cpu.lazyB, r = cpu.lazyRes, o = cpu.lazyOp;
          c = (o === C.LAZY_ADD ? (((a & b) | ((a | b) & ~r)) >>> cpu.lazyTop) & 1 : o === C.LAZY_SUB ? (((~a & b) | (~(a ^ b) & r)) >>> cpu.lazyTop) & 1
            : o === C.LAZY_SHIFT ? a & 1 : 0) !== 0;
        }
        if (!c && i.fast === K.Jbe) c = (cpu.lazyMask & C.ZF) !== 0 ? ((cpu.lazyRes << (31 - cpu.lazyTop)) | 0) === 0 : (cpu.flags & C.ZF) !== 0;
        if (c === ((i.op & 1) === 0)) {
          const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        }
        break;
      }
      case K.Js: case K.Jl: case K.Jle: {
        const sf = (cpu.lazyMask & C.SF) !== 0 ? (cpu.lazyRes >>> cpu.lazyTop) & 1 : (cpu.flags >> 7) & 1;
        let c: boolean;
        if (i.fast === K.Js) c = sf !== 0;
        else {
          let of: number;
          if ((cpu.lazyMask & C.OF) === 0) of = (cpu.flags >> 11) & 1;
          else {
            const a = cpu.lazyA, b = cpu.lazyB, r = cpu.lazyRes, o = cpu.lazyOp;
            of = o === C.LAZY_ADD ? (((a ^ r) & (b ^ r)) >>> cpu.lazyTop) & 1 : o === C.LAZY_SUB ? (((a ^ b) & (a ^ r)) >>> cpu.lazyTop) & 1
              : o === C.LAZY_SHIFT ? (b >>> cpu.lazyTop) & 1 : 0;
          }
          c = sf !== of;
          if (!c && i.fast === K.Jle) c = (cpu.lazyMask & C.ZF) !== 0 ? ((cpu.lazyRes << (31 - cpu.lazyTop)) | 0) === 0 : (cpu.flags & C.ZF) !== 0;
        }
        if (c === ((i.op & 1) === 0)) {
          const t = (cpu.nip + i.imm) | 0; if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0); cpu.nip = t;
        }
        break;
      }
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
        pv = ret; push = true;
        break;
      }
      case K.Ret: {
        // (ESP as int32, as pop32; setSP is a plain store of the register)
        let t: number;
        if (cpu.stack32 === true) {
          const sp = r32[C.ESP], lin = (cpu.segBase[C.SS] + sp) | 0, e = cpu.tlb[lin >>> 12];
          t = ((cpu.wideR >> C.SS) & 1) !== 0 && (e & cpu.rmask) !== 0 && (lin & 3) === 0 && (sp >>> 0) <= 0xFFFFFFFC
            ? cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] : rd32(cpu, C.SS, sp);
          if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0);
          r32[C.ESP] = sp + 4 + i.imm;
        } else {
          const sp = cpu.r16[C.ESP << 1];
          t = rd32(cpu, C.SS, sp);
          if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0);
          cpu.r16[C.ESP << 1] = sp + 4 + i.imm;
        }
        cpu.nip = t;
        break;
      }

      // ---- Stack (ops/stack.ts pushReg32, popReg32, pushImm32: cpu.push32 / pop32, here with the stack
      // access inline when SS.B = 1) ----
      case K.PushR: {
        const v = r32[i.op & 7];
        pv = v; push = true;
        break;
      }
      case K.PopR: {
        let v: number;
        if (cpu.stack32 === true) {
          const sp = r32[C.ESP], lin = (cpu.segBase[C.SS] + sp) | 0, e = cpu.tlb[lin >>> 12];
          v = ((cpu.wideR >> C.SS) & 1) !== 0 && (e & cpu.rmask) !== 0 && (lin & 3) === 0 && (sp >>> 0) <= 0xFFFFFFFC
            ? cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] : rd32(cpu, C.SS, sp);
          r32[C.ESP] = sp + 4;
        } else v = cpu.pop32();
        r32[i.op & 7] = v;
        break;
      }
      case K.PushI:
        pv = i.imm; push = true;
        break;

      // ---- Data movement (ops/mov.ts movEdGd / movGdEd, movRdId, movEdId, leaD, movzxGdEb / movzxGdEw,
      // movEbGb / movGbEb memory forms, movEbIb) ----
      case K.MovRR: if (i.op === 0x89) r32[i.rm] = r32[i.reg]; else r32[i.reg] = r32[i.rm]; break;
      case K.MovStore: {
        // wr32, with its direct path inline
        const s = i.seg, lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
        if (((cpu.wideW >> s) & 1) !== 0 && (e & cpu.wmask) !== 0 && (lin & 3) === 0 && (off >>> 0) <= 0xFFFFFFFC) {
          cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] = r32[i.reg];
        } else wr32(cpu, s, off, r32[i.reg]);
        break;
      }
      case K.MovLoad: r32[i.reg] = m; break;
      case K.MovRI: r32[i.op & 7] = i.imm; break;
      case K.MovEI: if (i.mod === 3) r32[i.rm] = i.imm; else wr32(cpu, i.seg, off, i.imm); break;
      case K.Lea: r32[i.reg] = off; break;
      case K.MovzxB: r32[i.reg] = i.mod === 3 ? cpu.getReg8(i.rm) : m; break;
      case K.MovzxW: r32[i.reg] = i.mod === 3 ? cpu.r16[i.rm << 1] : m; break;
      case K.MovStoreB: wr8(cpu, i.seg, off, cpu.getReg8(i.reg)); break;
      case K.MovLoadB: cpu.setReg8(i.reg, m); break;
      case K.MovEbI: if (i.mod === 3) cpu.setReg8(i.rm, i.imm); else wr8(cpu, i.seg, off, i.imm); break;
      // grp1Eb, CMP r/m8, imm8 with a memory operand: alu(7) = cpu.setLazy(LAZY_SUB, a, b, a - b, 7).
      case K.CmpEbI: {
        const a = m, b = i.imm & 0xFF;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyRes = (a - b) | 0; cpu.lazyTop = 7; cpu.lazyMask = C.ARITH;
        break;
      }

      // ---- mov.ts movRbIb, movsxGdEb / movsxGdEw, xchgEdGd / xchgEAXRd, cdq, setcc, cmovD; alu.ts testEbGb, notEd,
      // negEd (cpu.setLazy(LAZY_SUB, 0, a, -a, 31)), incDecEd memory form (rmw32 + commit32, setIncDecFlags) ----
      case K.MovRbI: cpu.setReg8(i.op & 7, i.imm); break;
      case K.MovsxB: r32[i.reg] = ((i.mod === 3 ? cpu.getReg8(i.rm) : m) << 24) >> 24; break;
      case K.MovsxW: r32[i.reg] = ((i.mod === 3 ? cpu.r16[i.rm << 1] : m) << 16) >> 16; break;
      case K.XchgRR: { const t = r32[i.reg]; r32[i.reg] = r32[i.rm]; r32[i.rm] = t; break; }
      case K.XchgA: { const n = i.op & 7, t = r32[0]; r32[0] = r32[n]; r32[n] = t; break; }
      case K.Cdq: r32[2] = r32[0] >> 31; break;
      case K.TestRRb: { const a = cpu.getReg8(i.rm);
        cpu.lazyOp = C.LAZY_LOGIC; cpu.lazyRes = a & cpu.getReg8(i.reg); cpu.lazyTop = 7; cpu.lazyMask = C.ARITH; break;
      }
      case K.Setcc: { const v = cpu.cond(i.op & 0xF) ? 1 : 0; if (i.mod === 3) cpu.setReg8(i.rm, v); else wr8(cpu, i.seg, off, v); break; }
      case K.Cmovcc: { const v = i.mod === 3 ? r32[i.rm] : m; if (cpu.cond(i.op & 0xF)) r32[i.reg] = v; break; }
      case K.NotR: r32[i.rm] = ~r32[i.rm]; break;
      case K.NegR: { const a = r32[i.rm], r = -a | 0;
        cpu.lazyOp = C.LAZY_SUB; cpu.lazyA = 0; cpu.lazyB = a; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH; r32[i.rm] = r; break;
      }
      case K.IncM: case K.DecM: {
        const x = rmwSlot(cpu, i.seg, off);
        if (x < 0) { i.exec(cpu, i); break; }
        const a = cpu.ram32[x], dec = i.fast === K.DecM, r = dec ? (a - 1) | 0 : (a + 1) | 0;
        cpu.ram32[x] = r;
        if ((cpu.lazyMask & C.CF) !== 0) cpu.flags = (cpu.flags & ~C.CF) | cpu.getCF();
        cpu.lazyOp = dec ? C.LAZY_SUB : C.LAZY_ADD; cpu.lazyA = a; cpu.lazyB = 1; cpu.lazyRes = r; cpu.lazyTop = 31; cpu.lazyMask = C.ARITH & ~C.CF;
        break;
      }
      // branch.ts callEd / jmpEd (go32 of the operand), stack.ts pushEd (operand read with ESP before the push),
      // leave32 (the pop is read first: a fault leaves ESP unchanged)
      case K.CallE: case K.JmpE: {
        const t = i.mod === 3 ? r32[i.rm] : m;
        if ((t >>> 0) > cpu.segLimit[C.CS]) cpu.fault(C.GP, 0);
        if (i.fast === K.JmpE) { cpu.nip = t; break; }
        const ret = cpu.nip;
        cpu.nip = t;
        pv = ret; push = true;
        break;
      }
      case K.PushE: {
        const v = i.mod === 3 ? r32[i.rm] : m;
        pv = v; push = true;
        break;
      }
      case K.Leave: {
        const bp = cpu.stack32 === true ? r32[C.EBP] : cpu.r16[C.EBP << 1];
        const v = rd32(cpu, C.SS, bp);
        cpu.setSP(bp + 4);
        r32[C.EBP] = v;
        break;
      }
      default: i.exec(cpu, i);
    }
    if (push === true) {
      // The push of PushR, PushI, CallRel, CallE, PushE (cpu.push32; wr32 with its direct path inline): a fault
      // leaves ESP as it was.
      push = false;
      if (cpu.stack32 === true) {
        const sp = (r32[C.ESP] - 4) | 0, lin = (cpu.segBase[C.SS] + sp) | 0, e = cpu.tlb[lin >>> 12];
        if (((cpu.wideW >> C.SS) & 1) !== 0 && (e & cpu.wmask) !== 0 && (lin & 3) === 0 && (sp >>> 0) <= 0xFFFFFFFC) {
          cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] = pv;
        } else wr32(cpu, C.SS, sp, pv);
        r32[C.ESP] = sp;
      } else cpu.push32(pv);
    }
    cpu.ip = cpu.nip;
    cpu.icount++;
    // afterInstruction, unless all it would do is find an interrupt waiting on IF = 0 (for millions of
    // instructions at a time in a Linux boot) and nothing else to do.
    const att = cpu.attention;
    if (att !== 0 && (att !== C.ATTN_IRQ || cpu.intr === false || (cpu.flags & C.IF) !== 0 || cpu.shadowedBoundary === true) &&
      cpu.afterInstruction()) return cpu.takeStop();
    if (blockStarts !== 0 && (BRANCH_OPS[i.op] === 1 || straddled === true)) { branched = true; straddled = false; }
  }
  return C.STOP_LIMIT;
}

// ---- Memory access, inline for the common case ----
// cpu.read32(s, off) is readLin32(linRead(s, off, 4)). When segment s admits every offset (cpu.wideR), the
// segment check passes exactly when the access does not run past 4 GiB, and the linear address is
// base + off; an aligned access then lies in one page, and a TLB entry with the read bit for this CPL
// maps plain RAM (cpu.ts, TLB entries): readLin32's own fast path, taken here without the calls. Writes
// likewise (cpu.wideW, the TLB write bit, which code pages never have, so stores into cached code still
// go through writeLin32 and invalidate it). Anything else takes the CPU's functions.

function rd32(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideR >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.rmask) !== 0 && (lin & 3) === 0) return cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2];
    return cpu.readLin32(lin);
  }
  return cpu.read32(s, off);
}

function wr32(cpu: CPU, s: number, off: number, v: number): void {
  if (((cpu.wideW >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0 && (lin & 3) === 0) cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] = v;
    else cpu.writeLin32(lin, v);
    return;
  }
  cpu.write32(s, off, v);
}

// Byte accesses never cross a page, so only the segment bit and the TLB entry matter (readLin8 /
// writeLin8's fast paths).
function rd8(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideR >> s) & 1) !== 0) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.rmask) !== 0) return cpu.ram8[(e & ~0xFFF) | (lin & 0xFFF)];
    return cpu.readLin8(lin);
  }
  return cpu.read8(s, off);
}

function wr8(cpu: CPU, s: number, off: number, v: number): void {
  if (((cpu.wideW >> s) & 1) !== 0) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0) cpu.ram8[(e & ~0xFFF) | (lin & 0xFFF)] = v;
    else cpu.writeLin8(lin, v);
    return;
  }
  cpu.write8(s, off, v);
}

/**
 * For rmw32 + commit32 at s:off: the ram32 index of an aligned dword of plain RAM whose TLB entry grants
 * writes at this CPL (and so reads: a writable page is readable at the same privilege), in a segment that
 * admits the offset; -1 otherwise. Then linWrite and probeWrite pass, and readLin32 / writeLin32 would
 * take their direct paths to exactly this slot.
 */
function rmwSlot(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideW >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0 && (lin & 3) === 0) return ((e & ~0xFFF) | (lin & 0xFFF)) >>> 2;
  }
  return -1;
}
