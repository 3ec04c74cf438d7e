// x87 data transfer (SDM vol. 1 §8.3.3, vol. 2 instruction pages): FLD/FST/FSTP in every format, FILD/FIST/
// FISTP, FBLD/FBSTP, the constants FLD1..FLDZ, FXCH, FCMOVcc, FFREE/FFREEP, FINCSTP/FDECSTP.
//
// Each handler: entry checks (#NM, #MF), then the memory operand is checked in full (a #PF/#GP leaves the FPU
// untouched), then the FPU state changes. Masked responses: a stack overflow (push onto a non-empty register)
// or underflow (an empty source) sets IE+SF and delivers the QNaN indefinite (for a memory destination the
// format's indefinite: FFC00000h, FFF80000_00000000h, integer 80..00h, BCD FFFFC000_..h); unmasked, nothing
// else changes and nothing is popped (§8.5.1.1), as silicon also does for unmasked numeric exceptions at a
// memory destination (no store, no pop: toF32/toF64/toInt/toBcd return no result).

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import {
  fromBcd, fromF32, fromF64, fromInt32, fromInt64, loadConst, toBcd, toF32, toF64, toInt, type ConstName, DE, IE,
} from '../fpu/f80.ts';
import { SW_C1, type X87State } from '../fpu/x87-state.ts';
import {
  clearC1, ctxFor, escWait, memRead, memWrite, merge, mergeExc, noteInsn, readF80, stackFault, unmasked, writeF80,
} from './x87-common.ts';

const pair = new Uint32Array(2);
const bcd = new Uint8Array(10);

/**
 * Push `f.t0` (already converted). A non-empty ST(7) is a stack overflow (C1 = 1; masked: push the indefinite).
 * Callers that convert first check overflow first with pushBlocked, so that a stack fault wins over an
 * operand exception.
 */
function pushBlocked(cpu: CPU, f: X87State): boolean {
  if (!f.isEmpty(7)) {
    if (stackFault(cpu, f, true)) { f.push(); f.setIndefinite(0); }
    return true;
  }
  return false;
}

// ---- loads ----

/** FLD m32fp (D9 /0): SNaN → QNaN with IE, denormal → DE; unmasked IE/DE: nothing is loaded. */
export function fldM32(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 4);
  const bits = cpu.readLin32(lin);
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  const c = ctxFor(f);
  const ok = fromF32(bits, c, f.t0);
  clearC1(f);
  mergeExc(cpu, f, c.exc);
  if (!ok || unmasked(f, c.exc, IE | DE)) return;
  f.push(); f.set(0, f.t0);
}

/** FLD m64fp (DD /0). */
export function fldM64(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 8);
  const lo = cpu.readLin32(lin), hi = cpu.readLin32((lin + 4) | 0);
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  const c = ctxFor(f);
  const ok = fromF64(hi >>> 0, lo >>> 0, c, f.t0);
  clearC1(f);
  mergeExc(cpu, f, c.exc);
  if (!ok || unmasked(f, c.exc, IE | DE)) return;
  f.push(); f.set(0, f.t0);
}

/** FLD m80fp (DB /5): copied as it is, no exceptions (SDM vol. 2 FLD: #IA/#D "does not occur" for m80). */
export function fldM80(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 10);
  readF80(cpu, lin, f.t0);
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

/** FILD m16int (DF /0), m32int (DB /0), m64int (DF /5): exact. */
export function fildM16(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 2);
  const v = (cpu.readLin16(lin) << 16) >> 16;
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  fromInt32(v, f.t0);
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

export function fildM32(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 4);
  const v = cpu.readLin32(lin) | 0;
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  fromInt32(v, f.t0);
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

export function fildM64(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 8);
  const lo = cpu.readLin32(lin), hi = cpu.readLin32((lin + 4) | 0);
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  fromInt64(hi | 0, lo >>> 0, f.t0);
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

/** FBLD m80bcd (DF /4): 18 packed digits and a sign byte; exact. */
export function fbld(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memRead(cpu, i, 10);
  for (let k = 0; k < 10; k++) bcd[k] = cpu.readLin8((lin + k) | 0);
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  fromBcd(bcd, f.t0);
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

/** FLD ST(i) (D9 C0+i): the register is copied as it is (no exceptions for SNaNs or denormals). */
export function fldSt(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  if (f.isEmpty(i.rm)) {
    if (stackFault(cpu, f, false)) { f.push(); f.setIndefinite(0); }
    return;
  }
  f.get(i.rm, f.t0);
  clearC1(f);
  f.push(); f.set(0, f.t0);
}

const CONSTS: ConstName[] = ['one', 'l2t', 'l2e', 'pi', 'lg2', 'ln2', 'zero'];

/** FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8..EE): the constant rounded by RC (SDM vol. 1 §8.3.8). */
export function fldConst(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
  if (pushBlocked(cpu, f)) return;
  const c = ctxFor(f);
  loadConst(c, CONSTS[i.rm - 0], f.t0);
  clearC1(f);                                     // "C1 set to 1 if stack overflow occurred; otherwise 0"
  f.push(); f.set(0, f.t0);
}

// ---- stores ----

/** FST/FSTP m32fp (D9 /2, /3). */
export function fstM32(cpu: CPU, i: Insn, f: X87State, pop: boolean): void {
  const lin = memWrite(cpu, i, 4);
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) { cpu.writeLin32(lin, 0xFFC00000 | 0); if (pop) f.pop(); }
    return;
  }
  const c = ctxFor(f);
  const r = toF32(c, f.get(0, f.t0));
  merge(cpu, f, c);
  if (r === null) return;
  cpu.writeLin32(lin, r);
  if (pop) f.pop();
}

/** FST/FSTP m64fp (DD /2, /3). */
export function fstM64(cpu: CPU, i: Insn, f: X87State, pop: boolean): void {
  const lin = memWrite(cpu, i, 8);
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) {
      cpu.writeLin32(lin, 0); cpu.writeLin32((lin + 4) | 0, 0xFFF80000 | 0);
      if (pop) f.pop();
    }
    return;
  }
  const c = ctxFor(f);
  const ok = toF64(c, f.get(0, f.t0), pair);
  merge(cpu, f, c);
  if (!ok) return;
  cpu.writeLin32(lin, pair[0]); cpu.writeLin32((lin + 4) | 0, pair[1]);
  if (pop) f.pop();
}

/** FSTP m80fp (DB /7): copied as it is. */
export function fstpM80(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memWrite(cpu, i, 10);
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) {
      f.t0.se = 0xFFFF; f.t0.hi = 0xC0000000; f.t0.lo = 0;
      writeF80(cpu, lin, f.t0);
      f.pop();
    }
    return;
  }
  writeF80(cpu, lin, f.get(0, f.t0));
  clearC1(f);
  f.pop();
}

/** FST/FSTP ST(i) (DD D0+i, DD D8+i; the aliases D9 D8+i, DF D0+i, DF D8+i are FSTP). */
export function fstSt(cpu: CPU, i: Insn, f: X87State, pop: boolean): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (stackFault(cpu, f, false)) { f.setIndefinite(i.rm); if (pop) f.pop(); }
    return;
  }
  f.set(i.rm, f.get(0, f.t0));
  clearC1(f);
  if (pop) f.pop();
}

/** FIST/FISTP m16int, m32int, FISTP m64int (DF /2 /3, DB /2 /3, DF /7): rounded by RC; out of range → IE. */
export function fistM(cpu: CPU, i: Insn, f: X87State, bits: 16 | 32 | 64, pop: boolean): void {
  const size = bits >> 3;
  const lin = memWrite(cpu, i, size);
  noteInsn(cpu, f, i);
  let ok: boolean;
  if (f.isEmpty(0)) {
    if (!stackFault(cpu, f, false)) return;
    // The integer indefinite: the most negative integer of the format.
    pair[0] = bits === 16 ? 0x8000 : bits === 32 ? 0x80000000 : 0;
    pair[1] = 0x80000000;
    ok = true;
  } else {
    const c = ctxFor(f);
    ok = toInt(c, f.get(0, f.t0), bits, false, pair);
    merge(cpu, f, c);
  }
  if (!ok) return;
  if (bits === 16) cpu.writeLin16(lin, pair[0]);
  else if (bits === 32) cpu.writeLin32(lin, pair[0]);
  else { cpu.writeLin32(lin, pair[0]); cpu.writeLin32((lin + 4) | 0, pair[1]); }
  if (pop) f.pop();
}

/** FBSTP m80bcd (DF /6): rounded by RC to an 18-digit integer; out of range → IE (masked: BCD indefinite). */
export function fbstp(cpu: CPU, i: Insn, f: X87State): void {
  const lin = memWrite(cpu, i, 10);
  noteInsn(cpu, f, i);
  if (f.isEmpty(0)) {
    if (!stackFault(cpu, f, false)) return;
    bcd.fill(0); bcd[7] = 0xC0; bcd[8] = 0xFF; bcd[9] = 0xFF; // packed BCD indefinite (SDM vol. 1 Table 4-4)
  } else {
    const c = ctxFor(f);
    const ok = toBcd(c, f.get(0, f.t0), bcd);
    merge(cpu, f, c);
    if (!ok) return;
  }
  for (let k = 0; k < 10; k++) cpu.writeLin8((lin + k) | 0, bcd[k]);
  f.pop();
}

// ---- register moves ----

/** FXCH ST(i) (D9 C8+i; aliases DD C8+i, DF C8+i). An empty operand: masked, it becomes the indefinite first. */
export function fxch(cpu: CPU, i: Insn, f: X87State): void {
  noteInsn(cpu, f, i);
  const r = i.rm;
  const e0 = f.isEmpty(0), er = f.isEmpty(r);
  if (e0 || er) {
    if (!stackFault(cpu, f, false)) return;
    if (e0) f.setIndefinite(0);
    if (er) f.setIndefinite(r);
  } else {
    clearC1(f);
  }
  f.get(0, f.t0);
  f.set(0, f.get(r, f.t1));
  f.set(r, f.t0);
}

/**
 * FCMOVcc ST(0), ST(i) (DA/DB C0..DF): cc from EFLAGS (B, E, BE, U and their negations). An empty operand is a
 * stack underflow whether or not the condition holds (silicon: the masked response replaces ST(0) with the
 * indefinite even when the move is not taken); C1 is otherwise unchanged.
 */
export function fcmov(cpu: CPU, i: Insn, f: X87State, cc: number): void {
  noteInsn(cpu, f, i);
  if (f.isEmpty(0) || f.isEmpty(i.rm)) {
    if (stackFault(cpu, f, false)) f.setIndefinite(0);
    return;
  }
  if (cpu.cond(cc)) f.set(0, f.get(i.rm, f.t0));
}

/** FFREE ST(i) (DD C0+i): tag it empty; FFREEP (DF C0+i) also pops. */
export function ffree(cpu: CPU, i: Insn, f: X87State, pop: boolean): void {
  noteInsn(cpu, f, i);
  f.empty |= 1 << f.phys(i.rm);
  if (pop) f.pop();
}

/** FINCSTP (D9 F7) / FDECSTP (D9 F6): TOP ± 1, tags unchanged, C1 = 0. */
export function fincstp(cpu: CPU, i: Insn, f: X87State, delta: number): void {
  noteInsn(cpu, f, i);
  f.top = (f.top + delta) & 7;
  f.sw &= ~SW_C1;
}
