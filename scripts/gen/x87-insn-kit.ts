// Shared layout and encoders of the x87 instruction-layer golden-vector generators (x87-insn*.ts).
// A case: [FLDCW [CW]]; FLD m80 of the preloaded values (the first listed ends up in ST0); the instructions
// under test; FNSTSW AX; FNSAVE [SAVE] (both non-waiting: a pending unmasked exception is recorded, not
// delivered); HLT. Dumped: the FNSAVE image's control, status and tag words, FIP, FCS|FOP, optionally FDP/FDS,
// and ST0..ST7; plus any OUT bytes (pre-filled with a pattern so that a store that did not happen shows).
// FDP/FDS are dumped only when the last non-control instruction had a memory operand: after a register form
// the SDM leaves them undefined (vol. 1 §8.1.8). Reserved image bytes (upper halves) are not dumped.

import { hx, le, modrm } from './encode-kit.ts';
import type { Case, Dump, Mem, Regs } from './encode-kit.ts';
export { hx, le };

export const CW_ADDR = 0x20000, SRC = 0x20010, OUT = 0x20080, SAVE = 0x20100, VALS = 0x20200;
export const OUT_FILL = 'a5'.repeat(16);

/** An 80-bit value. */
export interface V80 { se: number; hi: number; lo: number }
export const v80 = (se: number, hi: number, lo: number): V80 => ({ se: se & 0xFFFF, hi: hi >>> 0, lo: lo >>> 0 });
export const hex80 = (v: V80): string => le(v.lo, 4) + le(v.hi, 4) + le(v.se, 2);

export const ZERO = v80(0, 0, 0);
export const ONE = v80(0x3FFF, 0x80000000, 0);
export const TWO = v80(0x4000, 0x80000000, 0);
export const INF = v80(0x7FFF, 0x80000000, 0);
export const INDEF = v80(0xFFFF, 0xC0000000, 0);
export const neg = (v: V80): V80 => v80(v.se ^ 0x8000, v.hi, v.lo);

/** Values of every tag class and FXAM class (SDM vol. 1 §8.1.7, vol. 2 FXAM). */
export const CLASSES: [string, V80][] = [
  ['+0', ZERO], ['-0', neg(ZERO)], ['+1', ONE], ['-2', neg(TWO)],
  ['+pi', v80(0x4000, 0xC90FDAA2, 0x2168C235)], ['-big', v80(0xC03E, 0xDEADBEEF, 0x12345678)],
  ['+nmin', v80(1, 0x80000000, 0)], ['+nmax', v80(0x7FFE, 0xFFFFFFFF, 0xFFFFFFFF)],
  ['+den', v80(0, 0x00012345, 0x6789ABCD)], ['-den', v80(0x8000, 0, 1)],
  ['+pden', v80(0, 0x80000000, 0)], ['+inf', INF], ['-inf', neg(INF)],
  ['+snan', v80(0x7FFF, 0x80000000, 1)], ['-qnan', v80(0xFFFF, 0xC0001000, 0)], ['indef', INDEF],
  ['pinf', v80(0x7FFF, 0, 0)], ['pnan', v80(0xFFFF, 0x40000000, 1)], ['unnorm', v80(0x3FFF, 0x40000000, 0)],
  ['unnorm0', v80(0x4123, 0, 0)],
];

// ---- encoders (Intel syntax, SDM vol. 2 opcode tables) ----

/** ModRM mod 0 rm 5 + disp32: the absolute operand `addr` with sub-opcode `reg`. */
export const mAbs = (reg: number, addr: number): string => hx(modrm(0, reg, 5)) + le(addr, 4);
/** An ESC memory form: opcode byte (D8..DF), /reg, absolute address. */
export const escM = (op: number, reg: number, addr: number): string => hx(op) + mAbs(reg, addr);
/** An ESC register form: opcode byte, reg, ST(i). */
export const escR = (op: number, reg: number, i: number): string => hx(op, 0xC0 | (reg << 3) | i);

export const FLDCW = (a: number) => escM(0xD9, 5, a);
export const FNSTCW = (a: number) => escM(0xD9, 7, a);
export const FLD80 = (a: number) => escM(0xDB, 5, a);
export const FSTP80 = (a: number) => escM(0xDB, 7, a);
export const FNSAVE = (a: number) => escM(0xDD, 6, a);
export const FRSTOR = (a: number) => escM(0xDD, 4, a);
export const FNSTENV = (a: number) => escM(0xD9, 6, a);
export const FLDENV = (a: number) => escM(0xD9, 4, a);
export const FNSTSW_AX = 'dfe0';
export const FNSTSW = (a: number) => escM(0xDD, 7, a);
export const FWAIT = '9b';
export const FNCLEX = 'dbe2';
export const FNINIT = 'dbe3';
export const FNOP = 'd9d0';
export const FLD1 = 'd9e8';
export const FLDZ = 'd9ee';
export const FINCSTP = 'd9f7';
export const FDECSTP = 'd9f6';
/** MOV word [addr], imm16 (66 C7 05 disp32 imm16). */
export const movW = (addr: number, v: number): string => '66c705' + le(addr, 4) + le(v, 2);
/** MOV dword [addr], imm32. */
export const movD = (addr: number, v: number): string => 'c705' + le(addr, 4) + le(v, 4);

/** Control word: masks (bits 0-5), PC, RC. */
export const cwOf = (masks: number, pc: number, rc: number): number => 0x40 | (masks & 0x3F) | (pc << 8) | (rc << 10);

export interface InsnCase {
  name: string;
  /** Control word loaded first (default: none, i.e. 037Fh from the start state). */
  cw?: number;
  /** Values loaded with FLD m80 before the test, ST0 first. */
  st?: V80[];
  /** The instructions under test (hex). */
  op: string;
  /** Extra memory (sources). */
  mem?: Mem[];
  regs?: Regs;
  /** Bytes of OUT to dump. */
  out?: number;
  /** Extra dumps. */
  dump?: Dump[];
  /** Dump FDP/FDS: the last non-control instruction had a memory operand. */
  dataPtr?: boolean;
  /** Leave out the FNSTSW AX / FNSAVE epilogue (cases that end with an exception). */
  noSave?: boolean;
}

export class InsnWriter {
  readonly cases: Case[] = [];
  private names = new Set<string>();

  add(c: InsnCase): void {
    let name = c.name;
    for (let k = 2; this.names.has(name); k++) name = `${c.name}#${k}`;
    this.names.add(name);
    let code = '';
    const mem: Mem[] = [];
    if (c.cw !== undefined) { code += FLDCW(CW_ADDR); mem.push({ addr: CW_ADDR, hex: le(c.cw, 2) }); }
    const st = c.st ?? [];
    for (let k = st.length - 1; k >= 0; k--) {
      const at = VALS + 16 * k;
      code += FLD80(at);
      mem.push({ addr: at, hex: hex80(st[k]) });
    }
    mem.push({ addr: OUT, hex: OUT_FILL });
    if (c.mem) mem.push(...c.mem);
    code += c.op;
    const dump: Dump[] = [];
    if (!c.noSave) {
      code += FNSTSW_AX + FNSAVE(SAVE);
      dump.push({ addr: SAVE, len: 2 }, { addr: SAVE + 4, len: 2 }, { addr: SAVE + 8, len: 2 }, { addr: SAVE + 12, len: 8 });
      if (c.dataPtr) dump.push({ addr: SAVE + 20, len: 6 });
      dump.push({ addr: SAVE + 28, len: 80 });
    }
    if (c.out) dump.push({ addr: OUT, len: c.out });
    if (c.dump) dump.push(...c.dump);
    const out: Case = { name, mode: 'user32', code: code + 'f4', mem, dump };
    if (c.regs) out.regs = c.regs;
    this.cases.push(out);
  }

  print(): void {
    process.stdout.write(this.cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    process.stderr.write(`${this.cases.length} cases\n`);
  }
}
