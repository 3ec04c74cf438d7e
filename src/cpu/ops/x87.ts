// The x87 escape opcodes D8-DF and WAIT/FWAIT (9B) in the opcode table (SDM vol. 2 Appendix A.4, Tables
// Each D8-DF /reg group entry dispatches on ModR/M: memory forms by (opcode, reg), register
// forms (mod = 3) by (opcode, reg, rm). Encodings the 387/P6 set does not define raise #UD before anything
// else, as silicon does (e.g. D9 D1, D9 /1 m, DB /4 m; FISTTP, DB/DD/DF /1 m, is SSE3 and #UD here). The
// undocumented aliases that every x87 since the 387 executes are implemented: FSTP1 (D9 D8+i), FCOM2 (DC
// D0+i), FCOMP3 (DC D8+i), FXCH4 (DD C8+i), FCOMP5 (DE D0+i), FXCH7 (DF C8+i), FSTP8/FSTP9 (DF D0+i, D8+i),
// FFREEP (DF C0+i).

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup } from '../opcode-table.ts';
import { UD } from '../regs.ts';
import type { X87State } from '../fpu/x87-state.ts';
import { escNoWait, escWait, noteInsn } from './x87-common.ts';
import {
  fbld, fbstp, fcmov, ffree, fildM16, fildM32, fildM64, fincstp, fistM, fldConst, fldM32, fldM64, fldM80, fldSt,
  fstM32, fstM64, fstpM80, fstSt, fxch,
} from './x87-transfer.ts';
import {
  arithMem, arithReg, Binary, binary, fcomi, fcomReg, fsign, fsinCos, ftst, fxam, MemKind, TwoResult, twoResult,
  Unary, unary,
} from './x87-arith.ts';
import {
  fldcw, fldenv, fnclex, fninit, fnopControl, fnsave, fnstcw, fnstenv, fnstswAx, fnstswM, frstor, fwait,
} from './x87-control.ts';

type EscHandler = (cpu: CPU, i: Insn, f: X87State) => void;

/** Memory forms by (opcode & 7) << 3 | reg; register forms by (opcode & 7) << 6 | reg << 3 | rm. */
const MEM_H: (EscHandler | undefined)[] = new Array(64).fill(undefined);
const MEM_WAIT = new Uint8Array(64);
const REG_H: (EscHandler | undefined)[] = new Array(512).fill(undefined);
const REG_WAIT = new Uint8Array(512);

/** The D8-DF entry point: #UD for undefined encodings, then #NM / #MF, then the instruction. */
function esc(cpu: CPU, i: Insn): void {
  let h: EscHandler | undefined, wait: number;
  if (i.mod === 3) {
    const k = ((i.op & 7) << 6) | (i.reg << 3) | i.rm;
    h = REG_H[k]; wait = REG_WAIT[k];
  } else {
    const k = ((i.op & 7) << 3) | i.reg;
    h = MEM_H[k]; wait = MEM_WAIT[k];
  }
  if (h === undefined) cpu.fault(UD);
  const f = wait !== 0 ? escWait(cpu) : escNoWait(cpu);
  h(cpu, i, f);
}

function mem(op: number, reg: number, h: EscHandler, wait = true): void {
  const k = ((op & 7) << 3) | reg;
  MEM_H[k] = h; MEM_WAIT[k] = wait ? 1 : 0;
}

/** Register form for one rm, or (rm = -1) for all eight ST(i). */
function reg(op: number, r: number, rm: number, h: EscHandler, wait = true): void {
  for (let m = rm < 0 ? 0 : rm; m <= (rm < 0 ? 7 : rm); m++) {
    const k = ((op & 7) << 6) | (r << 3) | m;
    REG_H[k] = h; REG_WAIT[k] = wait ? 1 : 0;
  }
}

/** FNOP (D9 D0): a non-control instruction that does nothing but record FIP/FOP. */
function fnop(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
}

const NAMES: string[][] = [
  ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'],
  ['fld', 'fxch', 'fst/fnop', 'fstp', 'fldenv/fchs..fxam', 'fldcw/fld1..fldz', 'fnstenv/f2xm1..fincstp', 'fnstcw/fprem..fcos'],
  ['fiadd/fcmovb', 'fimul/fcmove', 'ficom/fcmovbe', 'ficomp/fcmovu', 'fisub', 'fisubr/fucompp', 'fidiv', 'fidivr'],
  ['fild/fcmovnb', 'fisttp/fcmovne', 'fist/fcmovnbe', 'fistp/fcmovnu', 'fnclex/fninit', 'fld/fucomi', 'fcomi', 'fstp'],
  ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'],
  ['fld/ffree', 'fisttp/fxch', 'fst', 'fstp', 'frstor/fucom', 'fucomp', 'fnsave', 'fnstsw'],
  ['fiadd/faddp', 'fimul/fmulp', 'ficom', 'ficomp/fcompp', 'fisub/fsubrp', 'fisubr/fsubp', 'fidiv/fdivrp', 'fidivr/fdivp'],
  ['fild/ffreep', 'fisttp/fxch', 'fist/fstp', 'fistp/fstp', 'fbld/fnstsw', 'fild/fucomip', 'fbstp/fcomip', 'fistp'],
];

let installed = false;

export function install(): void {
  if (installed) return;
  installed = true;
  fillMemoryForms();
  fillRegisterForms();
  for (let op = 0xD8; op <= 0xDF; op++) {
    for (let r = 0; r < 8; r++) defGroup(op, r, { name: NAMES[op - 0xD8][r], h16: esc });
  }
  def(0x9B, { name: 'fwait', h16: fwait });
}

function fillMemoryForms(): void {
  for (let r = 0; r < 8; r++) {
    mem(0xD8, r, (c, i, f) => arithMem(c, i, f, MemKind.F32));
    mem(0xDA, r, (c, i, f) => arithMem(c, i, f, MemKind.I32));
    mem(0xDC, r, (c, i, f) => arithMem(c, i, f, MemKind.F64));
    mem(0xDE, r, (c, i, f) => arithMem(c, i, f, MemKind.I16));
  }
  mem(0xD9, 0, fldM32);
  mem(0xD9, 2, (c, i, f) => fstM32(c, i, f, false));
  mem(0xD9, 3, (c, i, f) => fstM32(c, i, f, true));
  mem(0xD9, 4, fldenv);
  mem(0xD9, 5, fldcw);
  mem(0xD9, 6, fnstenv, false);
  mem(0xD9, 7, fnstcw, false);
  mem(0xDB, 0, fildM32);
  mem(0xDB, 2, (c, i, f) => fistM(c, i, f, 32, false));
  mem(0xDB, 3, (c, i, f) => fistM(c, i, f, 32, true));
  mem(0xDB, 5, fldM80);
  mem(0xDB, 7, fstpM80);
  mem(0xDD, 0, fldM64);
  mem(0xDD, 2, (c, i, f) => fstM64(c, i, f, false));
  mem(0xDD, 3, (c, i, f) => fstM64(c, i, f, true));
  mem(0xDD, 4, frstor);
  mem(0xDD, 6, fnsave, false);
  mem(0xDD, 7, fnstswM, false);
  mem(0xDF, 0, fildM16);
  mem(0xDF, 2, (c, i, f) => fistM(c, i, f, 16, false));
  mem(0xDF, 3, (c, i, f) => fistM(c, i, f, 16, true));
  mem(0xDF, 4, fbld);
  mem(0xDF, 5, fildM64);
  mem(0xDF, 6, fbstp);
  mem(0xDF, 7, (c, i, f) => fistM(c, i, f, 64, true));
}

function fillRegisterForms(): void {
  const fstp: EscHandler = (c, i, f) => fstSt(c, i, f, true);
  // D8 and DC: ST(0) op ST(i) → ST(0), and ST(i) op ST(0) → ST(i); DE also pops. Compares in /2 /3.
  for (const r of [0, 1, 4, 5, 6, 7]) {
    reg(0xD8, r, -1, (c, i, f) => arithReg(c, i, f, false, false));
    reg(0xDC, r, -1, (c, i, f) => arithReg(c, i, f, true, false));
    reg(0xDE, r, -1, (c, i, f) => arithReg(c, i, f, true, true));
  }
  reg(0xD8, 2, -1, (c, i, f) => fcomReg(c, i, f, 0, false));
  reg(0xD8, 3, -1, (c, i, f) => fcomReg(c, i, f, 1, false));
  reg(0xDC, 2, -1, (c, i, f) => fcomReg(c, i, f, 0, false));     // FCOM2 alias
  reg(0xDC, 3, -1, (c, i, f) => fcomReg(c, i, f, 1, false));     // FCOMP3 alias
  reg(0xDE, 2, -1, (c, i, f) => fcomReg(c, i, f, 1, false));     // FCOMP5 alias
  reg(0xDE, 3, 1, (c, i, f) => fcomReg(c, i, f, 2, false));      // FCOMPP (DE D9)

  // D9
  reg(0xD9, 0, -1, fldSt);
  reg(0xD9, 1, -1, fxch);
  reg(0xD9, 2, 0, fnop);
  reg(0xD9, 3, -1, fstp);                                         // FSTP1 alias
  reg(0xD9, 4, 0, (c, i, f) => fsign(c, i, f, false));            // FCHS
  reg(0xD9, 4, 1, (c, i, f) => fsign(c, i, f, true));             // FABS
  reg(0xD9, 4, 4, ftst);
  reg(0xD9, 4, 5, fxam);
  for (let m = 0; m < 7; m++) reg(0xD9, 5, m, fldConst);          // FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ
  reg(0xD9, 6, 0, (c, i, f) => unary(c, i, f, Unary.F2xm1));
  reg(0xD9, 6, 1, (c, i, f) => binary(c, i, f, Binary.Yl2x));
  reg(0xD9, 6, 2, (c, i, f) => twoResult(c, i, f, TwoResult.Ptan));
  reg(0xD9, 6, 3, (c, i, f) => binary(c, i, f, Binary.Patan));
  reg(0xD9, 6, 4, (c, i, f) => twoResult(c, i, f, TwoResult.Xtract));
  reg(0xD9, 6, 5, (c, i, f) => binary(c, i, f, Binary.Prem1));
  reg(0xD9, 6, 6, (c, i, f) => fincstp(c, i, f, -1));             // FDECSTP
  reg(0xD9, 6, 7, (c, i, f) => fincstp(c, i, f, 1));              // FINCSTP
  reg(0xD9, 7, 0, (c, i, f) => binary(c, i, f, Binary.Prem));
  reg(0xD9, 7, 1, (c, i, f) => binary(c, i, f, Binary.Yl2xp1));
  reg(0xD9, 7, 2, (c, i, f) => unary(c, i, f, Unary.Sqrt));
  reg(0xD9, 7, 3, (c, i, f) => twoResult(c, i, f, TwoResult.Sincos));
  reg(0xD9, 7, 4, (c, i, f) => unary(c, i, f, Unary.Rndint));
  reg(0xD9, 7, 5, (c, i, f) => binary(c, i, f, Binary.Scale));
  reg(0xD9, 7, 6, (c, i, f) => fsinCos(c, i, f, false));
  reg(0xD9, 7, 7, (c, i, f) => fsinCos(c, i, f, true));

  // DA / DB: FCMOVcc (condition codes as Jcc's: B=2 E=4 BE=6 P=0xA, odd = negated), FUCOMPP, FUCOMI/FCOMI.
  const FCMOV_CC = [0x2, 0x4, 0x6, 0xA];
  for (let r = 0; r < 4; r++) {
    const cc = FCMOV_CC[r];
    reg(0xDA, r, -1, (c, i, f) => fcmov(c, i, f, cc));
    reg(0xDB, r, -1, (c, i, f) => fcmov(c, i, f, cc | 1));
  }
  reg(0xDA, 5, 1, (c, i, f) => fcomReg(c, i, f, 2, true));       // FUCOMPP (DA E9)
  reg(0xDB, 4, 0, fnopControl, false);                            // FNENI
  reg(0xDB, 4, 1, fnopControl, false);                            // FNDISI
  reg(0xDB, 4, 2, fnclex, false);
  reg(0xDB, 4, 3, fninit, false);
  reg(0xDB, 4, 4, fnopControl, false);                            // FNSETPM
  reg(0xDB, 5, -1, (c, i, f) => fcomi(c, i, f, false, true));     // FUCOMI
  reg(0xDB, 6, -1, (c, i, f) => fcomi(c, i, f, false, false));    // FCOMI

  // DD
  reg(0xDD, 0, -1, (c, i, f) => ffree(c, i, f, false));
  reg(0xDD, 1, -1, fxch);                                         // FXCH4 alias
  reg(0xDD, 2, -1, (c, i, f) => fstSt(c, i, f, false));
  reg(0xDD, 3, -1, fstp);
  reg(0xDD, 4, -1, (c, i, f) => fcomReg(c, i, f, 0, true));       // FUCOM
  reg(0xDD, 5, -1, (c, i, f) => fcomReg(c, i, f, 1, true));       // FUCOMP

  // DF
  reg(0xDF, 0, -1, (c, i, f) => ffree(c, i, f, true));            // FFREEP
  reg(0xDF, 1, -1, fxch);                                         // FXCH7 alias
  reg(0xDF, 2, -1, fstp);                                         // FSTP8 alias
  reg(0xDF, 3, -1, fstp);                                         // FSTP9 alias
  reg(0xDF, 4, 0, fnstswAx, false);
  reg(0xDF, 5, -1, (c, i, f) => fcomi(c, i, f, true, true));      // FUCOMIP
  reg(0xDF, 6, -1, (c, i, f) => fcomi(c, i, f, true, false));     // FCOMIP
}
