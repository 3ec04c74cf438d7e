// x87 arithmetic, comparison and transcendental instructions (SDM vol. 1 §8.3.5-8.3.10, vol. 2 pages): the
// stack and status-word side of each; the values come from the arithmetic core (f80.ts).
//
// The reg field of D8/DC/DE (register and memory forms) and DA/DE (integer memory forms) picks the operation:
// 0 ADD, 1 MUL, 2 COM, 3 COMP, 4 SUB, 5 SUBR, 6 DIV, 7 DIVR. With a = ST(0) and b = the other operand, /4
// computes a - b and /5 b - a, /6 a / b and /7 b / a in every form: for DC/DE (destination ST(i)) that is
// why DC E0+i is FSUBR ST(i),ST(0) and DC E8+i FSUB ST(i),ST(0) (SDM vol. 2 FSUB/FSUBR opcode tables).
//
// Exceptions: an empty operand is a stack underflow (IE+SF, C1 = 0; masked: the destination gets the
// indefinite, and a popping form still pops). The core reports the others; when it says "do not write"
// (an unmasked IE, ZE or DE), the destination and TOP stay as they were (no pop), as silicon does.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import {
  add, compare, div, examine, f2xm1, fcos, fpatan, fptan, fromF32, fromF64, fromInt32, fsin, fsincos, fyl2x,
  fyl2xp1, mul, rem, roundInt, scale, sqrt, sub, xtract, DE, IE, type F80, type FpCtx,
} from '../fpu/f80.ts';
import { SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, type X87State } from '../fpu/x87-state.ts';
import { AF, CF, OF, PF, SF, ZF } from '../regs.ts';
import {
  clearC1, ctxFor, memRead, merge, mergeExc, noteInsn, stackFault, unmasked,
} from './x87-common.ts';

/** C3 C2 C0 for the compare results 0 greater, 1 less, 2 equal, 3 unordered (SDM vol. 2 FCOM table). */
const CC_OF = [0, SW_C0, SW_C3, SW_C3 | SW_C2 | SW_C0];
/** ZF PF CF for the same results (SDM vol. 2 FCOMI table). */
const FLAGS_OF = [0, CF, ZF, ZF | PF | CF];

function binop(c: FpCtx, reg: number, a: F80, b: F80, out: F80): boolean {
  switch (reg) {
    case 0: return add(c, a, b, out);
    case 1: return mul(c, a, b, out);
    case 4: return sub(c, a, b, out);
    case 5: return sub(c, b, a, out);
    case 6: return div(c, a, b, out);
    default: return div(c, b, a, out);
  }
}

/**
 * An m32fp arithmetic operand. A NaN is widened as it is — an SNaN stays signaling — so that the core applies
 * the two-operand NaN rules of SDM vol. 1 Table 4-7 to it together with ST(0); other values are converted
 * exactly (a denormal single is normal in extended format and raises DE).
 */
function operandF32(c: FpCtx, bits: number, out: F80): boolean {
  if ((bits & 0x7F800000) === 0x7F800000 && (bits & 0x7FFFFF) !== 0) {
    out.se = ((bits >>> 16) & 0x8000) | 0x7FFF;
    out.hi = (0x80000000 | ((bits & 0x7FFFFF) << 8)) >>> 0;
    out.lo = 0;
    return true;
  }
  return fromF32(bits, c, out);
}

/** An m64fp arithmetic operand (see operandF32). */
function operandF64(c: FpCtx, hi: number, lo: number, out: F80): boolean {
  if ((hi & 0x7FF00000) === 0x7FF00000 && ((hi & 0xFFFFF) | lo) !== 0) {
    out.se = ((hi >>> 16) & 0x8000) | 0x7FFF;
    out.hi = (0x80000000 | ((hi & 0xFFFFF) << 11) | (lo >>> 21)) >>> 0;
    out.lo = (lo << 11) >>> 0;
    return true;
  }
  return fromF64(hi >>> 0, lo >>> 0, c, out);
}

// ---- two-operand arithmetic and compares ----

/** D8/DC/DE register forms: ST(0) = ST(0) op ST(i) (D8), ST(i) = ST(0) op' ST(i) (DC; DE pops). */
export function arithReg(cpu: CPU, i: Insn, f: X87State, toSti: boolean, pop: boolean): void {
  noteInsn(cpu, f, i);
  const r = i.rm, dst = toSti ? r : 0;
  if (f.isEmpty(0) || f.isEmpty(r)) {
    if (stackFault(cpu, f, false)) { f.setIndefinite(dst); if (pop) f.pop(); }
    return;
  }
  const c = ctxFor(f);
  const ok = binop(c, i.reg, f.get(0, f.t0), f.get(r, f.t1), f.t2);
  merge(cpu, f, c);
  if (!ok) return;
  f.set(dst, f.t2);
  if (pop) f.pop();
}

/** Memory operand kinds of the arithmetic groups. */
export const enum MemKind { F32 = 0, F64 = 1, I32 = 2, I16 = 3 }

/**
 * D8 (m32fp), DC (m64fp), DA (m32int), DE (m16int) memory forms: ST(0) = ST(0) op m, and FCOM/FCOMP/FICOM/
 * FICOMP (reg 2, 3).
 */
export function arithMem(cpu: CPU, i: Insn, f: X87State, kind: MemKind): void {
  const size = kind === MemKind.F64 ? 8 : kind === MemKind.I16 ? 2 : 4;
  const lin = memRead(cpu, i, size);
  let lo = 0, hi = 0;
  if (kind === MemKind.I16) lo = (cpu.readLin16(lin) << 16) >> 16;
  else lo = cpu.readLin32(lin);
  if (kind === MemKind.F64) hi = cpu.readLin32((lin + 4) | 0);
  noteInsn(cpu, f, i);
  const reg = i.reg, isCom = reg === 2 || reg === 3;
  if (f.isEmpty(0)) {
    const masked = stackFault(cpu, f, false);
    if (isCom) { f.sw = (f.sw & ~SW_CC) | CC_OF[3]; if (masked && reg === 3) f.pop(); }
    else if (masked) f.setIndefinite(0);
    return;
  }
  const c = ctxFor(f);
  const b = f.t1;
  let ok: boolean;
  switch (kind) {
    case MemKind.F32: ok = operandF32(c, lo, b); break;
    case MemKind.F64: ok = operandF64(c, hi, lo, b); break;
    default: fromInt32(lo, b); ok = true; break;
  }
  // A denormal m32/m64 is normal once converted, so the conversion reports its DE; but a NaN or unsupported
  // ST(0) takes priority over a denormal operand (SDM vol. 1 §4.9.2: invalid operation and QNaN operands come
  // before #D), and then no DE is reported.
  if ((c.exc & DE) !== 0 && nanOrUnsupported(f.get(0, f.t0))) c.exc &= ~DE;
  if (!ok || unmasked(f, c.exc, IE | DE)) {
    // An unmasked exception on the operand itself (denormal source): the instruction does nothing more.
    mergeExc(cpu, f, c.exc);
    return;
  }
  if (isCom) {
    const code = compare(c, f.get(0, f.t0), b, false);
    finishCompare(cpu, f, c, code, reg === 3 ? 1 : 0);
    return;
  }
  ok = binop(c, reg, f.get(0, f.t0), b, f.t2);
  merge(cpu, f, c);
  if (ok) f.set(0, f.t2);
}

/** A NaN (pseudo-NaN, pseudo-infinity included) or an unnormal: operands that make the operation invalid or a NaN. */
function nanOrUnsupported(a: F80): boolean {
  const exp = a.se & 0x7FFF;
  if (exp === 0x7FFF) return a.hi !== 0x80000000 || a.lo !== 0;
  return exp !== 0 && (a.hi & 0x80000000) === 0;
}

/** Condition codes from a compare, exceptions merged, then the pops unless an unmasked IE/DE stopped it. */
function finishCompare(cpu: CPU, f: X87State, c: FpCtx, code: number, pops: number): void {
  f.sw = (f.sw & ~SW_CC) | CC_OF[code];
  mergeExc(cpu, f, c.exc);
  if (unmasked(f, c.exc, IE | DE)) return;
  for (let k = 0; k < pops; k++) f.pop();
}

/**
 * FCOM/FCOMP ST(i) (D8 D0+i / D8+i; aliases DC D0+i, DC D8+i, DE D0+i), FCOMPP (DE D9), FUCOM/FUCOMP (DD E0+i /
 * E8+i), FUCOMPP (DA E9). `quiet`: QNaNs compare unordered without IE (the FUCOM family).
 */
export function fcomReg(cpu: CPU, i: Insn, f: X87State, pops: number, quiet: boolean): void {
  noteInsn(cpu, f, i);
  const r = i.rm;
  if (f.isEmpty(0) || f.isEmpty(r)) {
    // Unordered (C3 C2 C0 = 111) whether or not IE is masked, as for a NaN operand; pops only when masked.
    const masked = stackFault(cpu, f, false);
    f.sw = (f.sw & ~SW_CC) | CC_OF[3];
    if (masked) for (let k = 0; k < pops; k++) f.pop();
    return;
  }
  const c = ctxFor(f);
  const code = compare(c, f.get(0, f.t0), f.get(r, f.t1), quiet);
  finishCompare(cpu, f, c, code, pops);
}

/**
 * FCOMI/FUCOMI (DB F0+i / E8+i), FCOMIP/FUCOMIP (DF F0+i / E8+i): ZF PF CF from the compare; OF SF AF cleared
 * whatever happens; with an unmasked IE, ZF PF CF are left alone (SDM vol. 2 FCOMI: "set only if the exception
 * is masked"; AMD silicon sets them to 111 anyway) and nothing is popped. C1 = 0.
 */
export function fcomi(cpu: CPU, i: Insn, f: X87State, pop: boolean, quiet: boolean): void {
  noteInsn(cpu, f, i);
  const r = i.rm;
  let code = 3, write: boolean;
  if (f.isEmpty(0) || f.isEmpty(r)) {
    write = stackFault(cpu, f, false);
  } else {
    const c = ctxFor(f);
    code = compare(c, f.get(0, f.t0), f.get(r, f.t1), quiet);
    clearC1(f);
    mergeExc(cpu, f, c.exc);
    write = !unmasked(f, c.exc, IE | DE);
  }
  cpu.materializeFlags();
  let fl = cpu.flags & ~(OF | SF | AF);
  if (write) fl = (fl & ~(ZF | PF | CF)) | FLAGS_OF[code];
  cpu.flags = fl;
  if (write && pop) f.pop();
}

// ---- one-operand instructions on ST(0) ----

/** FCHS (D9 E0) / FABS (D9 E1): the sign bit only, no exceptions for any operand; C1 = 0. */
export function fsign(cpu: CPU, i: Insn, f: X87State, abs: boolean): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) f.setIndefinite(0);
    return;
  }
  const p = f.phys(0);
  f.se[p] = abs ? f.se[p] & 0x7FFF : f.se[p] ^ 0x8000;
  clearC1(f);
}

const ZERO_SE = 0;

/** FTST (D9 E4): compare ST(0) with +0.0 (NaNs raise IE); C1 = 0. */
export function ftst(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    stackFault(cpu, f, false);
    f.sw = (f.sw & ~SW_CC) | CC_OF[3];
    return;
  }
  const c = ctxFor(f);
  const z = f.t1;
  z.se = ZERO_SE; z.hi = 0; z.lo = 0;
  const code = compare(c, f.get(0, f.t0), z, false);
  finishCompare(cpu, f, c, code, 0);
}

/** FXAM (D9 E5): class in C3 C2 C0, sign in C1; an empty register is C3 C2 C0 = 101 with C1 its sign bit. */
export function fxam(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
  const p = f.phys(0);
  const cls = f.isEmpty(0) ? 5 : examine(f.get(0, f.t0));
  let sw = f.sw & ~SW_CC;
  if (cls & 4) sw |= SW_C3;
  if (cls & 2) sw |= SW_C2;
  if (cls & 1) sw |= SW_C0;
  if (f.se[p] & 0x8000) sw |= SW_C1;
  f.sw = sw;
}

/** The unary operations of D9 F0..FF with one result in ST(0). */
export const enum Unary { Sqrt, Rndint, F2xm1 }

/** FSQRT (D9 FA), FRNDINT (D9 FC), F2XM1 (D9 F0): ST(0) = op(ST(0)); C1 = rounded up. */
export function unary(cpu: CPU, i: Insn, f: X87State, op: Unary): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) f.setIndefinite(0);
    return;
  }
  const c = ctxFor(f);
  const a = f.get(0, f.t0);
  const ok = op === Unary.Sqrt ? sqrt(c, a, f.t2) : op === Unary.Rndint ? roundInt(c, a, f.t2) : f2xm1(c, a, f.t2);
  merge(cpu, f, c);
  if (ok) f.set(0, f.t2);
}

/**
 * FSIN (D9 FE), FCOS (D9 FF): the core answers 0 (done), C2 (|x| ≥ 2^63: operand unchanged, C2 = 1) or -1 (an
 * unmasked exception: nothing written). C2 is cleared otherwise; C1 = rounded up.
 */
export function fsinCos(cpu: CPU, i: Insn, f: X87State, cos: boolean): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) f.setIndefinite(0);
    return;
  }
  const c = ctxFor(f);
  const a = f.get(0, f.t0);
  const code = cos ? fcos(c, a, f.t2) : fsin(c, a, f.t2);
  merge(cpu, f, c);
  f.sw &= ~SW_C2;
  if (code === SW_C2) f.sw |= SW_C2;
  else if (code === 0) f.set(0, f.t2);
}

/** The instructions that replace ST(0) and push a second result. */
export const enum TwoResult { Ptan, Sincos, Xtract }

/**
 * FPTAN (D9 F2: ST(0) = tan, push 1.0), FSINCOS (D9 FB: ST(0) = sin, push cos), FXTRACT (D9 F4: ST(0) =
 * exponent, push significand). ST(7) must be empty. A stack fault's masked response (silicon, matching the
 * "two results" rule): TOP is decremented and both ST(0) and ST(1) get the indefinite; C1 = 1 for overflow.
 */
export function twoResult(cpu: CPU, i: Insn, f: X87State, op: TwoResult): void {
  noteInsn(cpu, f, i);
  const under = f.isEmpty(0);
  if (under || !f.isEmpty(7)) {
    if (stackFault(cpu, f, !under)) { f.setIndefinite(0); f.push(); f.setIndefinite(0); }
    return;
  }
  const c = ctxFor(f);
  const a = f.get(0, f.t0);
  const first = f.t1, second = f.t2;
  if (op === TwoResult.Xtract) {
    const ok = xtract(c, a, second, first);
    merge(cpu, f, c);
    if (!ok) return;
  } else {
    const code = op === TwoResult.Ptan ? fptan(c, a, first) : fsincos(c, a, first, second);
    merge(cpu, f, c);
    f.sw &= ~SW_C2;
    if (code === SW_C2) { f.sw |= SW_C2; return; }
    if (code !== 0) return;
    if (op === TwoResult.Ptan) {
      // 1.0, unless the result is a NaN (a NaN or ±∞ operand): then the NaN is pushed too (SDM vol. 2 FPTAN).
      if ((first.se & 0x7FFF) === 0x7FFF && ((first.hi & 0x7FFFFFFF) | first.lo) !== 0) second.set(first);
      else { second.se = 0x3FFF; second.hi = 0x80000000; second.lo = 0; }
    }
  }
  f.set(0, first);
  f.push();
  f.set(0, second);
}

/** The instructions that combine ST(0) and ST(1). */
export const enum Binary { Yl2x, Yl2xp1, Patan, Scale, Prem, Prem1 }

/**
 * FYL2X (D9 F1), FYL2XP1 (D9 F9), FPATAN (D9 F3): ST(1) = op(ST(0), ST(1)), then pop. FSCALE (D9 FD): ST(0) =
 * ST(0)·2^trunc(ST(1)). FPREM (D9 F8) / FPREM1 (D9 F5): ST(0) = partial remainder, C2 = incomplete, else C0 C3
 * C1 = Q2 Q1 Q0.
 */
export function binary(cpu: CPU, i: Insn, f: X87State, op: Binary): void {
  noteInsn(cpu, f, i);
  const toSt1 = op === Binary.Yl2x || op === Binary.Yl2xp1 || op === Binary.Patan;
  if (f.isEmpty(0) || f.isEmpty(1)) {
    if (stackFault(cpu, f, false)) { f.setIndefinite(toSt1 ? 1 : 0); if (toSt1) f.pop(); }
    return;
  }
  const c = ctxFor(f);
  const a = f.get(0, f.t0), b = f.get(1, f.t1), out = f.t2;
  if (op === Binary.Prem || op === Binary.Prem1) {
    const code = rem(c, a, b, out, op === Binary.Prem1);
    mergeExc(cpu, f, c.exc);
    if (code < 0) return;
    f.sw = (f.sw & ~SW_CC) | code;
    f.set(0, out);
    return;
  }
  let ok: boolean;
  switch (op) {
    case Binary.Yl2x: ok = fyl2x(c, a, b, out); break;
    case Binary.Yl2xp1: ok = fyl2xp1(c, a, b, out); break;
    case Binary.Patan: ok = fpatan(c, a, b, out); break;
    default: ok = scale(c, a, b, out); break;
  }
  merge(cpu, f, c);
  if (!ok) return;
  if (toSt1) { f.set(1, out); f.pop(); } else f.set(0, out);
}
