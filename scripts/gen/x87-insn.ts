// Golden-vector cases for the x87 instruction layer (not the arithmetic): the register stack (push, pop,
// overflow and underflow with IE+SF and C1, masked and unmasked), FXCH, FFREE/FFREEP, FINCSTP/FDECSTP, tags
// as FNSTENV/FNSAVE store them, FNSTSW, FNSTCW/FLDCW, FNCLEX, FNINIT, FNSTENV/FLDENV and FNSAVE/FRSTOR (32-
// and 16-bit protected-mode images, round trips and edited images), FCOMI/FUCOMI/FCOMIP/FUCOMIP into EFLAGS,
// FCMOVcc, FXAM/FTST/FCHS/FABS, FCOM family condition codes and pops, the FIP/FCS/FOP/FDP/FDS pointers (with
// prefixes), unmasked exceptions reported as #MF by the next waiting instruction (and not by the non-waiting
// ones), #UD for undefined encodings, the undocumented aliases, and memory-operand faults (#PF with CR2; a
// faulting store or FNSAVE writes nothing).
// Not recorded (AMD silicon differs from the SDM): EFLAGS after FCOMI/FUCOMI with an unmasked invalid
// operation (AMD sets ZF PF CF = 111, the SDM leaves them), and FISTTP (SSE3, #UD on this P6).
// Usage: npx tsx scripts/gen/x87-insn.ts > /tmp/x87-insn.cases.jsonl

import {
  CLASSES, CW_ADDR, FDECSTP, FINCSTP, FLD1, FLD80, FLDCW, FLDENV, FLDZ, FNCLEX, FNINIT, FNOP, FNSAVE, FNSTCW,
  FNSTENV, FNSTSW, FNSTSW_AX, FRSTOR, FSTP80, FWAIT, INDEF, INF, InsnWriter, ONE, OUT, SAVE, SRC, TWO, ZERO,
  cwOf, escM, escR, hex80, hx, le, movD, movW, neg, v80, type V80,
} from './x87-insn-kit.ts';

const w = new InsnWriter();
const THREE = v80(0x4000, 0xC0000000, 0), HALF = v80(0x3FFE, 0x80000000, 0);
const QNAN = v80(0x7FFF, 0xC0000000, 0x1234), SNAN = v80(0x7FFF, 0x80000000, 1);
const eight = (v: V80): V80[] => [v, v, v, v, v, v, v, v];
const SEQ8 = [ONE, TWO, THREE, HALF, neg(ONE), ZERO, INF, QNAN];
const UNMASK_IE = cwOf(0x3E, 3, 0);

// ---- 1. the stack: pushes, pops, wrap-around, overflow and underflow ----
w.add({ name: 'stack.empty-start', op: '' });
w.add({ name: 'stack.push8', st: SEQ8, op: '' });
w.add({ name: 'stack.push3-pop1', st: [ONE, TWO, THREE], op: escR(0xDD, 3, 0) });              // fstp st0
w.add({ name: 'stack.overflow-masked', st: SEQ8, op: FLD1 });
w.add({ name: 'stack.overflow-unmasked', cw: UNMASK_IE, st: SEQ8, op: FLD1 });
w.add({ name: 'stack.overflow-fld-m80', st: SEQ8, op: FLD80(SRC), mem: [{ addr: SRC, hex: hex80(THREE) }], dataPtr: true });
w.add({ name: 'stack.overflow-fild', st: SEQ8, op: escM(0xDB, 0, SRC), mem: [{ addr: SRC, hex: le(5, 4) }], dataPtr: true });
w.add({ name: 'stack.overflow-fld-sti', st: SEQ8, op: escR(0xD9, 0, 3) });
w.add({ name: 'stack.overflow-unmasked-fld-m32', cw: UNMASK_IE, st: SEQ8, op: escM(0xD9, 0, SRC), mem: [{ addr: SRC, hex: le(0x3F800000, 4) }], dataPtr: true });
w.add({ name: 'stack.underflow-fstp-sti', op: escR(0xDD, 3, 1) });
w.add({ name: 'stack.underflow-fstp-sti-unmasked', cw: UNMASK_IE, op: escR(0xDD, 3, 1) });
w.add({ name: 'stack.underflow-fst-sti', op: escR(0xDD, 2, 4) });
w.add({ name: 'stack.underflow-fld-sti', st: [ONE], op: escR(0xD9, 0, 2) });
w.add({ name: 'stack.underflow-fld-sti-unmasked', cw: UNMASK_IE, st: [ONE], op: escR(0xD9, 0, 2) });
w.add({ name: 'stack.underflow-fadd-st1', st: [ONE], op: escR(0xD8, 0, 1) });
w.add({ name: 'stack.underflow-faddp', st: [ONE], op: escR(0xDE, 0, 1) });
w.add({ name: 'stack.underflow-faddp-unmasked', cw: UNMASK_IE, st: [ONE], op: escR(0xDE, 0, 1) });
w.add({ name: 'stack.underflow-fmul-sti-st0', st: [ONE], op: escR(0xDC, 1, 3) });
w.add({ name: 'stack.underflow-fadd-m32', op: escM(0xD8, 0, SRC), mem: [{ addr: SRC, hex: le(0x3F800000, 4) }], dataPtr: true });
w.add({ name: 'stack.underflow-fiadd-m16-unmasked', cw: UNMASK_IE, op: escM(0xDE, 0, SRC), mem: [{ addr: SRC, hex: le(7, 2) }], dataPtr: true });
w.add({ name: 'stack.underflow-fchs', op: 'd9e0' });
w.add({ name: 'stack.underflow-fabs-unmasked', cw: UNMASK_IE, op: 'd9e1' });
w.add({ name: 'stack.underflow-fcom', st: [ONE], op: escR(0xD8, 2, 1) });
w.add({ name: 'stack.underflow-fcomp', st: [ONE], op: escR(0xD8, 3, 1) });
w.add({ name: 'stack.underflow-fcompp', st: [ONE], op: 'ded9' });
w.add({ name: 'stack.underflow-fucompp-unmasked', cw: UNMASK_IE, st: [ONE], op: 'dae9' });
w.add({ name: 'stack.underflow-ftst', op: 'd9e4' });
w.add({ name: 'stack.underflow-fcom-m64', op: escM(0xDC, 2, SRC), mem: [{ addr: SRC, hex: le(0, 4) + le(0x3FF00000, 4) }], dataPtr: true });
w.add({ name: 'stack.underflow-fcomp-m32', op: escM(0xD8, 3, SRC), mem: [{ addr: SRC, hex: le(0x3F800000, 4) }], dataPtr: true });
w.add({ name: 'stack.underflow-fst-m32', op: escM(0xD9, 2, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fstp-m32', op: escM(0xD9, 3, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fstp-m64', op: escM(0xDD, 3, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fstp-m80', op: FSTP80(OUT), out: 12, dataPtr: true });
w.add({ name: 'stack.underflow-fistp-m16', op: escM(0xDF, 3, OUT), out: 4, dataPtr: true });
w.add({ name: 'stack.underflow-fist-m32', op: escM(0xDB, 2, OUT), out: 4, dataPtr: true });
w.add({ name: 'stack.underflow-fistp-m64', op: escM(0xDF, 7, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fbstp', op: escM(0xDF, 6, OUT), out: 12, dataPtr: true });
w.add({ name: 'stack.underflow-fstp-m32-unmasked', cw: UNMASK_IE, op: escM(0xD9, 3, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fistp-m64-unmasked', cw: UNMASK_IE, op: escM(0xDF, 7, OUT), out: 8, dataPtr: true });
w.add({ name: 'stack.underflow-fsqrt', op: 'd9fa' });
w.add({ name: 'stack.underflow-fsin', op: 'd9fe' });
w.add({ name: 'stack.underflow-frndint-unmasked', cw: UNMASK_IE, op: 'd9fc' });
w.add({ name: 'stack.underflow-fprem', st: [ONE], op: 'd9f8' });
w.add({ name: 'stack.underflow-fscale', op: 'd9fd' });
w.add({ name: 'stack.underflow-fyl2x', st: [TWO], op: 'd9f1' });
w.add({ name: 'stack.underflow-fpatan', op: 'd9f3' });
w.add({ name: 'stack.underflow-fyl2xp1-unmasked', cw: UNMASK_IE, st: [TWO], op: 'd9f9' });
for (const [n, op] of [['fptan', 'd9f2'], ['fsincos', 'd9fb'], ['fxtract', 'd9f4']]) {
  w.add({ name: `stack.underflow-${n}`, op });
  w.add({ name: `stack.underflow-${n}-unmasked`, cw: UNMASK_IE, op });
  w.add({ name: `stack.overflow-${n}`, st: [ONE, TWO, THREE, HALF, ONE, TWO, THREE, TWO], op });
  w.add({ name: `stack.overflow-${n}-unmasked`, cw: UNMASK_IE, st: [ONE, TWO, THREE, HALF, ONE, TWO, THREE, TWO], op });
}
w.add({ name: 'stack.push-after-ffree-st7', st: [ONE, TWO, THREE, HALF, ONE, TWO, THREE, TWO], op: escR(0xDD, 0, 7) + FLDZ });
// C1 survives and is overwritten: a rounded-up store sets it, a push clears it
w.add({ name: 'stack.c1-rounded-up-then-fld', st: [v80(0x4000, 0xC90FDAA2, 0x2168C235)], op: escM(0xD9, 2, OUT) + FNSTSW(OUT + 8) + FLD1, out: 10 });

// ---- 2. FXCH, FFREE, FFREEP, FINCSTP, FDECSTP ----
for (let i = 0; i < 8; i++) w.add({ name: `fxch.st${i}`, st: SEQ8, op: escR(0xD9, 1, i) });
w.add({ name: 'fxch.st1-with-empty', st: [ONE], op: escR(0xD9, 1, 1) });
w.add({ name: 'fxch.st3-both-empty', op: escR(0xD9, 1, 3) });
w.add({ name: 'fxch.st1-empty-unmasked', cw: UNMASK_IE, st: [ONE], op: escR(0xD9, 1, 1) });
w.add({ name: 'fxch.st2-st0-empty', st: [ONE, TWO, THREE], op: escR(0xDD, 0, 0) + escR(0xD9, 1, 2) });
w.add({ name: 'fxch4-alias', st: SEQ8, op: escR(0xDD, 1, 5) });
w.add({ name: 'fxch7-alias', st: SEQ8, op: escR(0xDF, 1, 2) });
for (const i of [0, 1, 5]) w.add({ name: `ffree.st${i}`, st: [ONE, TWO, THREE], op: escR(0xDD, 0, i) });
w.add({ name: 'ffree.empty', op: escR(0xDD, 0, 4) });
w.add({ name: 'ffreep.st2', st: [ONE, TWO, THREE], op: escR(0xDF, 0, 2) });
w.add({ name: 'ffreep.st0', st: [ONE, TWO, THREE], op: escR(0xDF, 0, 0) });
w.add({ name: 'fincstp', st: [ONE, TWO, THREE], op: FINCSTP });
w.add({ name: 'fincstp-wrap', st: [ONE], op: FINCSTP + FINCSTP + FINCSTP + FINCSTP + FINCSTP + FINCSTP + FINCSTP });
w.add({ name: 'fdecstp', st: [ONE, TWO], op: FDECSTP });
w.add({ name: 'fdecstp-then-fadd-empty', st: [ONE, TWO], op: FDECSTP + escR(0xD8, 0, 1) });
w.add({ name: 'fdecstp-clears-c1', st: [v80(0x4000, 0xC90FDAA2, 0x2168C235)], op: escM(0xD9, 2, OUT) + FDECSTP, out: 4 });
w.add({ name: 'fincstp-fdecstp-fld', st: [ONE, TWO], op: FINCSTP + FLDZ + FDECSTP + FDECSTP });

// ---- 3. tags through FNSAVE and FNSTENV: every value class, in different physical registers ----
for (const [n, v] of CLASSES) w.add({ name: `tag.${n}`, st: [v, ONE], op: '' });
w.add({ name: 'tag.all-classes-fnstenv', st: [ZERO, ONE, v80(0, 1, 0), INF, QNAN, v80(0x3FFF, 0, 5), neg(TWO)], op: FNSTENV(OUT), out: 28, dataPtr: false });
w.add({ name: 'tag.after-fincstp', st: [ZERO, ONE, INF], op: FINCSTP + FINCSTP });

// ---- 4. FNSTSW, FNSTCW, FLDCW (reserved bits), FNCLEX, FNINIT ----
for (const cw of [0x0000, 0x037F, 0x0F7F, 0x1000, 0xF0C0, 0xFFFF, 0x027F, 0x0C3F, 0x0D62]) {
  w.add({ name: `fldcw.${cw.toString(16)}`, op: FLDCW(SRC) + FNSTCW(OUT), mem: [{ addr: SRC, hex: le(cw, 2) }], out: 2 });
}
w.add({ name: 'fnstsw.m16', st: SEQ8, op: FLD1 + FNSTSW(OUT), out: 2 });
w.add({ name: 'fnstsw.ax-keeps-high-eax', regs: { eax: 0x12345678 }, st: [ONE, TWO], op: FNSTSW_AX + 'a3' + le(OUT, 4), out: 4 });
w.add({ name: 'fnclex', st: SEQ8, op: FLD1 + FNCLEX });
w.add({ name: 'fnclex-keeps-cc', st: [ONE, TWO], op: 'd8d1' + FNCLEX });
w.add({ name: 'fnclex-unmasked-pending', cw: UNMASK_IE, st: [ONE], op: escR(0xD8, 0, 2) + FNCLEX + FWAIT });
w.add({ name: 'fninit', cw: cwOf(0x12, 2, 1), st: [ONE, TWO, THREE], op: escR(0xD8, 0, 5) + FNINIT });
w.add({ name: 'fninit-keeps-registers', st: [ONE, TWO, THREE], op: FNINIT + FDECSTP + FDECSTP + escR(0xD9, 0, 0) });
w.add({ name: 'fnstcw-unmasked-pending', cw: UNMASK_IE, st: [ONE], op: escR(0xD8, 0, 2) + FNSTCW(OUT), out: 2 });

// ---- 5. FNSTENV / FLDENV / FNSAVE / FRSTOR ----
w.add({ name: 'env.fnstenv32', st: [ONE, TWO], op: escM(0xD8, 0, SRC) + FNSTENV(OUT) + FNSTCW(OUT + 28), mem: [{ addr: SRC, hex: le(0x40400000, 4) }], out: 30, dataPtr: true });
w.add({ name: 'env.fnstenv16', st: [ONE, TWO], op: escM(0xD8, 0, SRC) + '66' + FNSTENV(OUT) + FNSTCW(OUT + 14), mem: [{ addr: SRC, hex: le(0x40400000, 4) }], out: 16, dataPtr: true });
w.add({ name: 'env.fnstenv-masks-all', cw: cwOf(0x00, 3, 2), st: [ONE], op: FNSTENV(OUT) });
w.add({ name: 'env.fnsave16', st: [ONE, TWO, THREE], op: escM(0xDC, 1, SRC) + '66' + FNSAVE(OUT) + FNSTSW(OUT + 100), mem: [{ addr: SRC, hex: le(0, 4) + le(0x40000000, 4) }], dataPtr: false, dump: [{ addr: OUT, len: 102 }] });
w.add({ name: 'env.fnsave32-then-fninit-state', st: [ONE, TWO, THREE], op: FNSAVE(OUT) + FNSTSW(OUT + 120) + FNSTCW(OUT + 122), dump: [{ addr: OUT, len: 8 }, { addr: OUT + 8, len: 2 }, { addr: OUT + 28, len: 30 }, { addr: OUT + 120, len: 4 }] });
w.add({ name: 'env.fnsave-frstor-roundtrip', cw: cwOf(0x15, 2, 3), st: [ONE, SNAN, THREE, v80(0, 1, 2)], op: escR(0xD8, 0, 2) + FNSAVE(OUT) + FLDZ + FRSTOR(OUT) });
w.add({ name: 'env.fnsave16-frstor16-roundtrip', cw: cwOf(0x2D, 0, 1), st: [ONE, TWO, QNAN], op: FINCSTP + '66' + FNSAVE(OUT) + FLD1 + FLD1 + '66' + FRSTOR(OUT) });
w.add({ name: 'env.fnstenv-fldenv-roundtrip', cw: cwOf(0x3E, 3, 0), st: [ONE, TWO], op: escR(0xD8, 0, 3) + FNSTENV(OUT) + FNINIT + FLDENV(OUT) });
w.add({ name: 'env.fnstenv16-fldenv16-roundtrip', cw: cwOf(0x3B, 2, 2), st: [ONE, TWO], op: escR(0xDC, 6, 1) + '66' + FNSTENV(OUT) + FNINIT + '66' + FLDENV(OUT) });
// Edited images: another TOP, tags marking registers empty/non-empty, status flags, control word
const envImg = (cw: number, sw: number, tw: number) => le(cw | 0xFFFF0000, 4) + le(sw | 0xFFFF0000, 4) + le(tw | 0xFFFF0000, 4) + le(0, 16);
for (const [n, cw, sw, tw] of [
  ['top5', 0x037F, 5 << 11, 0xFFFF], ['tags-mixed', 0x037F, 0x0000, 0x5A0F], ['top3-tags', 0x027F, (3 << 11) | 0x4700, 0x0FF0],
  ['flags-masked', 0x037F, 0x003F | 0x0040, 0xFFFF], ['es-b-only', 0x037F, 0x8080, 0xFFFF], ['all-nonempty', 0x0F7F, 0x3800, 0x0000],
  ['cw-reserved', 0xE0C0, 0, 0xFFFF],
] as [string, number, number, number][]) {
  w.add({ name: `env.fldenv-edited.${n}`, st: [ONE, TWO, THREE], op: FLDENV(SRC) + FNSTENV(OUT), mem: [{ addr: SRC, hex: envImg(cw, sw, tw) }], dump: [{ addr: OUT, len: 2 }, { addr: OUT + 4, len: 2 }, { addr: OUT + 8, len: 2 }] });
}
{
  // FRSTOR of a hand-made image: TOP 6, registers in stack order, tags of R6/R7 non-empty, ZE flag set and masked
  let img = envImg(0x037F, (6 << 11) | 0x0004, 0x0FFF);
  for (const v of [v80(0x4005, 0xF0000000, 0), v80(0xC000, 0x80000000, 0), ONE, TWO, THREE, HALF, INF, ZERO]) img += hex80(v);
  w.add({ name: 'env.frstor-edited', op: FRSTOR(SRC) + escR(0xD8, 0, 1), mem: [{ addr: SRC, hex: img }] });
  w.add({ name: 'env.frstor-edited-pending-then-fwait', op: FRSTOR(SRC) + FLDCW(CW_ADDR) + FNOP, mem: [{ addr: SRC, hex: img }, { addr: CW_ADDR, hex: le(0x037B, 2) }], noSave: true });
}
w.add({ name: 'env.fldenv-unmasks-pending', st: [ONE, ZERO], op: 'def9' + FNSTENV(OUT) + movW(OUT, 0x037B) + FLDENV(OUT) + FNSTSW(OUT + 40) + FWAIT, noSave: true, dump: [{ addr: OUT + 40, len: 2 }] });

// ---- 6. FCOMI / FUCOMI / FCOMIP / FUCOMIP into EFLAGS (OF SF AF cleared; C1 cleared) ----
const CMP_VALS: V80[] = [ONE, TWO, neg(ONE), ZERO, neg(ZERO), INF, neg(INF), QNAN, v80(0, 1, 0), ONE];
const OPS_I: [string, string][] = [['fcomi', 'dbf1'], ['fucomi', 'dbe9'], ['fcomip', 'dff1'], ['fucomip', 'dfe9']];
let flagSeed = 1;
for (const [n, op] of OPS_I) {
  for (let a = 0; a < CMP_VALS.length; a++) {
    for (const b of [0, 3, 5, 7]) {
      const fl = [0x8D5, 0, 0x891, 0x045][flagSeed++ % 4];
      w.add({ name: `${n}.${a}.${b}`, regs: { eflags: fl }, st: [CMP_VALS[a], CMP_VALS[b]], op });
    }
  }
  w.add({ name: `${n}.snan-masked`, regs: { eflags: 0x8D5 }, st: [SNAN, ONE], op });
  w.add({ name: `${n}.st3`, st: [ONE, ZERO, ZERO, TWO], op: op.slice(0, 2) + hx(parseInt(op.slice(2), 16) + 2) });
  w.add({ name: `${n}.empty-masked`, regs: { eflags: 0x8D5 }, st: [ONE], op });
  w.add({ name: `${n}.unmasked-ordered`, cw: UNMASK_IE, regs: { eflags: 0x8D5 }, st: [ONE, TWO], op });
}
w.add({ name: 'fcomi.then-jcc', st: [ONE, TWO], op: 'dbf1' + '720a' + movD(OUT, 1) + movD(OUT + 4, 2), out: 8 });

// ---- 7. FCMOVcc: each condition, taken and not taken ----
const CCS: [string, number, number][] = [
  ['b', 0xDA, 0], ['e', 0xDA, 1], ['be', 0xDA, 2], ['u', 0xDA, 3], ['nb', 0xDB, 0], ['ne', 0xDB, 1], ['nbe', 0xDB, 2], ['nu', 0xDB, 3],
];
for (const [n, op, r] of CCS) {
  for (const fl of [0x000, 0x001, 0x040, 0x004, 0x045, 0x8D0]) {
    w.add({ name: `fcmov${n}.fl${fl.toString(16)}`, regs: { eflags: fl }, st: [ONE, TWO, THREE], op: escR(op, r, 2) });
  }
  w.add({ name: `fcmov${n}.empty-src`, regs: { eflags: 0x045 }, st: [ONE], op: escR(op, r, 1) });
}
w.add({ name: 'fcmove.st0-empty', regs: { eflags: 0x040 }, st: [ONE, TWO], op: escR(0xDD, 0, 0) + escR(0xDA, 1, 1) });
w.add({ name: 'fcmovb.keeps-c1', regs: { eflags: 0x001 }, st: [v80(0x4000, 0xC90FDAA2, 0x2168C235), ONE], op: escM(0xD9, 2, OUT) + escR(0xDA, 0, 1), out: 4 });

// ---- 8. FXAM, FTST, FCHS, FABS over every class; FXAM of empty registers ----
for (const [n, v] of CLASSES) {
  w.add({ name: `fxam.${n}`, st: [v], op: 'd9e5' });
  w.add({ name: `ftst.${n}`, st: [v], op: 'd9e4' });
  w.add({ name: `fchs.${n}`, st: [v], op: 'd9e0' });
  w.add({ name: `fabs.${n}`, st: [v], op: 'd9e1' });
}
w.add({ name: 'fxam.empty-holding-negative', st: [neg(TWO)], op: escR(0xDD, 3, 0) + FDECSTP + 'd9e5' });
w.add({ name: 'fxam.empty-start', op: 'd9e5' });

// ---- 9. FCOM family: condition codes and pops ----
const COMS: [string, string, number][] = [
  ['fcom-st2', 'd8d2', 0], ['fcomp-st2', 'd8da', 1], ['fcompp', 'ded9', 2], ['fucom-st2', 'dde2', 0], ['fucomp-st2', 'ddea', 1],
  ['fucompp', 'dae9', 2], ['fcom2-alias', 'dcd2', 0], ['fcomp3-alias', 'dcda', 1], ['fcomp5-alias', 'ded2', 1],
];
for (const [n, op] of COMS) {
  for (const [a, b] of [[ONE, TWO], [TWO, ONE], [ONE, ONE], [ZERO, neg(ZERO)], [QNAN, ONE], [ONE, SNAN], [INF, INF]] as [V80, V80][]) {
    const second = n.endsWith('pp') ? b : THREE;
    const third = n.endsWith('pp') ? THREE : b;
    w.add({ name: `${n}.${hex80(a).slice(16)}-${hex80(b).slice(16)}`, st: [a, second, third], op });
  }
  w.add({ name: `${n}.qnan-unmasked`, cw: UNMASK_IE, st: [QNAN, ONE, ONE], op });
}
w.add({ name: 'fcom-m32.qnan', st: [ONE], op: escM(0xD8, 2, SRC), mem: [{ addr: SRC, hex: le(0x7FC00001, 4) }], dataPtr: true });
w.add({ name: 'fcomp-m64.less', st: [ONE, TWO], op: escM(0xDC, 3, SRC), mem: [{ addr: SRC, hex: le(0, 4) + le(0x40080000, 4) }], dataPtr: true });
w.add({ name: 'ficom-m16', st: [THREE], op: escM(0xDE, 2, SRC), mem: [{ addr: SRC, hex: le(3, 2) }], dataPtr: true });
w.add({ name: 'ficomp-m32', st: [THREE, ONE], op: escM(0xDA, 3, SRC), mem: [{ addr: SRC, hex: le(-4 >>> 0, 4) }], dataPtr: true });
w.add({ name: 'fcomp-m32.snan-unmasked', cw: UNMASK_IE, st: [ONE, TWO], op: escM(0xD8, 3, SRC), mem: [{ addr: SRC, hex: le(0x7F800001, 4) }], dataPtr: true });

// ---- 10. FIP / FCS / FOP / FDP / FDS bookkeeping ----
w.add({ name: 'ptr.fld-m32', op: escM(0xD9, 0, SRC), mem: [{ addr: SRC, hex: le(0x40490FDB, 4) }], dataPtr: true });
w.add({ name: 'ptr.es-prefix', op: '26' + escM(0xDD, 0, SRC), mem: [{ addr: SRC, hex: le(0, 4) + le(0x3FF00000, 4) }], dataPtr: true });
w.add({ name: 'ptr.cs-prefix', op: '2e' + escM(0xD9, 0, 0x10000), dataPtr: true });
w.add({ name: 'ptr.ss-prefix-66', op: '36' + '66' + escM(0xDF, 0, SRC), mem: [{ addr: SRC, hex: le(0x1234, 2) }], dataPtr: true });
w.add({ name: 'ptr.base-index', regs: { ebx: SRC - 0x40, esi: 0x10 }, op: hx(0xDB, 0x44, 0xB3, 0x00) + FNOP, mem: [{ addr: SRC, hex: le(77, 4) }], dataPtr: true });
w.add({ name: 'ptr.control-keeps', op: escM(0xDF, 5, SRC) + FNSTCW(OUT) + FLDCW(OUT) + FNSTSW(OUT + 2) + FNCLEX, mem: [{ addr: SRC, hex: le(5, 4) + le(0, 4) }], dataPtr: true });
w.add({ name: 'ptr.register-form-fop', st: [ONE, TWO], op: escR(0xDC, 7, 1) });
w.add({ name: 'ptr.fnop', st: [ONE], op: FNOP });
w.add({ name: 'ptr.fwait-keeps', st: [ONE, TWO], op: escR(0xD8, 1, 1) + FWAIT + FWAIT });
// a 16-bit address size wraps the offset to 16 bits: [bx] = 0x0010, below the arena → #PF
w.add({ name: 'pf.16bit-address', regs: { ebx: 0x50010 }, st: [ONE], op: '67' + hx(0xD9, 0x07) + FNOP, noSave: true });
w.add({ name: 'ptr.fninit-clears', st: [ONE], op: escM(0xD8, 1, SRC) + FNINIT + FNSTENV(OUT), mem: [{ addr: SRC, hex: le(0x40000000, 4) }], out: 28 });

// ---- 11. #MF: an unmasked exception is reported by the NEXT waiting instruction ----
const ZE_UNMASKED = cwOf(0x3B, 3, 0);
const DIV0 = 'def9'; // fdivp st1, st0: ST1/ST0 with ST0 = 0
for (const [n, next] of [
  ['fwait', FWAIT], ['fnop', FNOP], ['fld1', FLD1], ['fxch', escR(0xD9, 1, 1)], ['fldcw', FLDCW(CW_ADDR)], ['fldenv', FLDENV(OUT)],
  ['frstor', FRSTOR(OUT)], ['fst-m32', escM(0xD9, 2, OUT)], ['ffree', escR(0xDD, 0, 3)], ['fincstp', FINCSTP], ['fild', escM(0xDB, 0, SRC)],
  ['fcomi', 'dbf1'], ['fcmovb', escR(0xDA, 0, 1)], ['fucompp', 'dae9'], ['fxam', 'd9e5'],
] as [string, string][]) {
  w.add({ name: `mf.${n}`, cw: ZE_UNMASKED, st: [ZERO, ONE, TWO], op: DIV0 + next, noSave: true, dump: [{ addr: OUT, len: 16 }] });
}
for (const [n, next] of [
  ['fnstsw-ax', FNSTSW_AX], ['fnstsw-m16', FNSTSW(OUT)], ['fnstcw', FNSTCW(OUT + 2)], ['fnclex', FNCLEX], ['fninit', FNINIT],
  ['fnstenv', FNSTENV(OUT)], ['fnsave', FNSAVE(OUT)], ['fneni', 'dbe0'], ['fndisi', 'dbe1'], ['fnsetpm', 'dbe4'],
] as [string, string][]) {
  // the non-waiting instruction runs; the FWAIT after it reports #MF unless it cleared the exception
  w.add({ name: `mf.nowait-${n}`, cw: ZE_UNMASKED, st: [ZERO, ONE], op: DIV0 + next + FWAIT, noSave: true, dump: [{ addr: OUT, len: 20 }] });
}
w.add({ name: 'mf.stack-overflow-unmasked', cw: UNMASK_IE, st: SEQ8, op: FLD1 + 'b801000000' + FWAIT, noSave: true });
w.add({ name: 'mf.fldcw-unmasks-pe', st: [v80(0x4000, 0xC90FDAA2, 0x2168C235)], op: escM(0xD9, 2, OUT) + FLDCW(CW_ADDR) + 'b802000000' + FNOP, mem: [{ addr: CW_ADDR, hex: le(0x035F, 2) }], noSave: true, dump: [{ addr: OUT, len: 4 }] });
w.add({ name: 'mf.masked-never', st: [ZERO, ONE], op: DIV0 + FWAIT + FNOP });
w.add({ name: 'mf.pe-unmasked-store-happens', cw: cwOf(0x1F, 3, 0), st: [v80(0x4000, 0xC90FDAA2, 0x2168C235)], op: escM(0xD9, 3, OUT) + FWAIT, noSave: true, dump: [{ addr: OUT, len: 8 }] });
w.add({ name: 'mf.operand-prefix-waiting', cw: ZE_UNMASKED, st: [ZERO, ONE], op: DIV0 + '66' + FNOP, noSave: true });
w.add({ name: 'mf.fwait-repeated-until-cleared', cw: ZE_UNMASKED, st: [ZERO, ONE], op: DIV0 + FNSTSW_AX + FNCLEX + FWAIT + FNOP });

// ---- 12. #UD: undefined encodings; the aliases that execute ----
for (const b of ['d9d1', 'd9d7', 'd9e2', 'd9e3', 'd9e6', 'd9e7', 'd9ef', 'dae0', 'dae8', 'daea', 'daf0', 'dbe5', 'dbe6', 'dbe7', 'dbf8',
  'ddf0', 'ddf8', 'ded8', 'deda', 'dfe1', 'dfe7', 'dff8', 'dfff']) {
  w.add({ name: `ud.${b}`, st: [ONE, TWO], op: b, noSave: true });
}
for (const [op, r] of [[0xD9, 1], [0xDB, 4], [0xDB, 6], [0xDD, 5]]) {
  w.add({ name: `ud.${hx(op)}-m${r}`, st: [ONE], op: escM(op, r, SRC), noSave: true });
}
w.add({ name: 'alias.fstp1', st: [ONE, TWO, THREE], op: escR(0xD9, 3, 2) });
w.add({ name: 'alias.fstp8', st: [ONE, TWO, THREE], op: escR(0xDF, 2, 2) });
w.add({ name: 'alias.fstp9', st: [ONE, TWO, THREE], op: escR(0xDF, 3, 1) });
w.add({ name: 'fnop-undefined-cc', st: [ONE, TWO], op: 'd8d1' + FNOP });
w.add({ name: 'fneni-fndisi-fnsetpm', st: [ONE], op: 'dbe0dbe1dbe4' });

// ---- 13. memory-operand faults: #PF with CR2, nothing written, FPU untouched (seen by a later FNSAVE? no:
//      the case ends at the fault; the stores prove no partial write) ----
const EDGE = 0x7FD000; // first unmapped page above the arena
const FAR = 0xF00000;
for (const [n, op, at, fill] of [
  ['fld-m32-unmapped', escM(0xD9, 0, FAR), 0, false], ['fld-m64-cross', escM(0xDD, 0, EDGE - 4), 0, false],
  ['fld-m80-cross', FLD80(EDGE - 8), 0, false], ['fild-m16-cross', escM(0xDF, 0, EDGE - 1), 0, false],
  ['fbld-cross', escM(0xDF, 4, EDGE - 6), 0, false], ['fadd-m64-cross', escM(0xDC, 0, EDGE - 2), 0, false],
  ['fldenv-cross', FLDENV(EDGE - 20), 0, false], ['frstor-cross', FRSTOR(EDGE - 100), 0, false], ['fldcw-cross', FLDCW(EDGE - 1), 0, false],
  ['fst-m32-cross', escM(0xD9, 2, EDGE - 2), EDGE - 8, true], ['fstp-m64-cross', escM(0xDD, 3, EDGE - 4), EDGE - 8, true],
  ['fstp-m80-cross', FSTP80(EDGE - 6), EDGE - 8, true], ['fistp-m64-cross', escM(0xDF, 7, EDGE - 7), EDGE - 8, true],
  ['fist-m16-cross', escM(0xDF, 2, EDGE - 1), EDGE - 8, true], ['fbstp-cross', escM(0xDF, 6, EDGE - 5), EDGE - 8, true],
  ['fnstenv-cross', FNSTENV(EDGE - 20), EDGE - 24, true], ['fnsave-cross', FNSAVE(EDGE - 100), EDGE - 104, true],
  ['fnstsw-cross', FNSTSW(EDGE - 1), EDGE - 8, true], ['fnstcw-unmapped', FNSTCW(FAR), 0, false],
  ['fst-m32-unmapped', escM(0xD9, 2, FAR + 0x1FFE), 0, false],
] as [string, string, number, boolean][]) {
  w.add({
    name: `pf.${n}`, st: [v80(0x4000, 0xC90FDAA2, 0x2168C235), ONE], op, noSave: true,
    mem: fill ? [{ addr: at, hex: 'a5'.repeat(EDGE - at) }] : undefined,
    dump: fill ? [{ addr: at, len: EDGE - at }] : undefined,
  });
}

w.print();
