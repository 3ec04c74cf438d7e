// Shared helpers of the arithmetic golden-vector generators (alu, muldiv, shift, bcd): a seeded PRNG,
// little-endian hex, and a case writer in the x86-oracle input format (user32 mode).

import { rng, le, hx, modrm } from './encode-kit.ts';
export { rng, le, hx, modrm };
export type { Regs, Case } from './encode-kit.ts';
import type { Regs, Case } from './encode-kit.ts';
export const DATA = 0x20000; // memory operands live here (inside the oracle's arena)
export const FAR = 0xF00000; // outside the arena: not present → #PF

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;



/** ModRM (mod 0, rm 5) + disp32: an absolute memory operand at `addr`. */
export function memAbs(reg: number, addr: number): string {
  return hx(modrm(0, reg, 5)) + le(addr, 4);
}

/** Edge values of an operand of `bits` bits (unsigned). */
export function edges(bits: number): number[] {
  const m = bits === 32 ? 0xFFFFFFFF : (1 << bits) - 1;
  const h = 2 ** (bits - 1);
  return [0, 1, 2, m, m - 1, h - 1, h, h + 1, 0x0F & m, 0x10 & m, 0x55555555 & m, 0xAAAAAAAA & m].map((v) => v >>> 0);
}

export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

export class Writer {
  readonly cases: Case[] = [];
  private names = new Set<string>();

  add(c: Omit<Case, 'mode'>): void {
    let name = c.name;
    for (let k = 2; this.names.has(name); k++) name = `${c.name}#${k}`;
    this.names.add(name);
    const out: Case = { name, mode: 'user32', code: c.code + 'f4' };
    if (c.regs && Object.keys(c.regs).length) out.regs = c.regs;
    if (c.mem?.length) out.mem = c.mem;
    if (c.dump?.length) out.dump = c.dump;
    this.cases.push(out);
  }

  print(): void {
    process.stdout.write(this.cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    process.stderr.write(`${this.cases.length} cases\n`);
  }
}

/** Set a register of `bits` width (8-bit n = AL CL DL BL AH CH DH BH) in a regs object, keeping the rest. */
export function setReg(regs: Regs, bits: number, n: number, v: number): void {
  if (bits === 8) {
    const r = REG32[n & 3];
    const shift = n >= 4 ? 8 : 0;
    const old = (regs[r] ?? 0) >>> 0;
    regs[r] = ((old & ~(0xFF << shift)) | ((v & 0xFF) << shift)) >>> 0;
  } else if (bits === 16) {
    const r = REG32[n];
    const old = (regs[r] ?? 0) >>> 0;
    regs[r] = ((old & 0xFFFF0000) | (v & 0xFFFF)) >>> 0;
  } else {
    regs[REG32[n]] = v >>> 0;
  }
}

/** Hex string `bits/8` bytes of v. */
export function memHex(v: number, bits: number): string {
  return le(v, bits >> 3);
}
