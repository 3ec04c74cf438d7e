// Shared helpers of the data-movement golden-vector generators (mov, string, bit, atomic): a seeded PRNG,
// byte encoding, ModRM memory operands with their register set-up, edge values, and the case format of
// the x86 oracle (user32 mode). Output: JSON Lines on stdout.

import { rng, le, hx, modrm } from './encode-kit.ts';
export { rng, le, hx, modrm };
export type { RegName, Regs, Case } from './encode-kit.ts';
import type { RegName, Regs, Case } from './encode-kit.ts';
export const DATA = 0x20000;      // memory operands live here (inside the oracle's arena)
export const DATA2 = 0x21000;     // a second buffer (string destinations)
export const ARENA_END = 0x7FD000; // first address past the arena: not present → #PF
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
export const STATUS = CF | PF | AF | ZF | SF | OF;


/** Register names by encoding (ModRM reg/rm, 32-bit). */
export const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

export class Gen {
  readonly r: () => number;
  readonly out: Case[] = [];
  private names = new Set<string>();
  constructor(seed: number) { this.r = rng(seed); }

  /** Integer in [0, n). */
  int(n: number): number { return this.r() % n; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  bool(): boolean { return (this.r() & 1) === 1; }

  /** An edge-biased 32-bit value. */
  val(): number {
    const k = this.int(4);
    if (k === 0) return this.r();
    return this.pick(EDGE32);
  }
  /** Random status flags (never TF; DF only when asked). */
  flags(df = false): number {
    return (this.r() & STATUS) | (df && this.bool() ? DF : 0);
  }
  /** Random bytes as hex. */
  bytes(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += hx(this.int(4) === 0 ? this.pick([0, 0xFF, 0x7F, 0x80]) : this.r());
    return s;
  }
  /** Random general registers except ESP, with random status flags. */
  regs(): Regs {
    return { eax: this.val(), ebx: this.val(), ecx: this.val(), edx: this.val(), esi: this.val(), edi: this.val(), ebp: this.val(), eflags: this.flags() };
  }

  add(c: Omit<Case, 'mode'>): void {
    let name = c.name, k = 2;
    while (this.names.has(name)) name = `${c.name}#${k++}`;
    this.names.add(name);
    if (!c.code.endsWith('f4')) throw new Error(`${name}: code must end with f4`);
    this.out.push({ name, mode: 'user32', code: c.code, regs: c.regs, mem: c.mem, dump: c.dump });
  }

  print(): void {
    process.stdout.write(this.out.map((c) => JSON.stringify(c)).join('\n') + '\n');
  }
}

export const EDGE32 = [
  0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0x80000001,
  0xFFFFFFFF, 0xFFFFFFFE, 0x12345678, 0x89ABCDEF, 0x55555555, 0xAAAAAAAA, 0x0000FF80, 0xFFFF7FFF,
];

/** A memory operand: the ModRM(+SIB+disp) bytes for a given reg field, registers it needs, its address. */
export interface MemOp {
  enc: (reg: number) => string;
  regs: Regs;
  addr: number;
  desc: string;
}

/**
 * A 32-bit-addressing memory operand at `addr`, in one of several forms (absolute, base, base+disp8,
 * base+index*scale+disp32, ESP-based SIB); `avoid` lists register numbers that must not serve as base
 * or index (the instruction's own register operands, so their values stay free).
 */
export function memOp(g: Gen, addr: number, avoid: number[] = []): MemOp {
  const free = [0, 1, 2, 3, 5, 6, 7].filter((x) => !avoid.includes(x));
  const form = free.length >= 2 ? g.int(5) : 0;
  if (form === 0) return { enc: (reg) => hx(modrm(0, reg, 5)) + le(addr, 4), regs: {}, addr, desc: 'abs' };
  if (form === 1) {
    const b = g.pick(free.filter((x) => x !== 5));
    return { enc: (reg) => hx(modrm(0, reg, b)), regs: { [R32[b]]: addr }, addr, desc: `[${R32[b]}]` };
  }
  if (form === 2) {
    const b = g.pick(free), d = (g.int(256) - 128);
    return { enc: (reg) => hx(modrm(1, reg, b), d), regs: { [R32[b]]: (addr - d) >>> 0 }, addr, desc: `[${R32[b]}+d8]` };
  }
  if (form === 3) {
    const b = g.pick(free), idx = g.pick(free.filter((x) => x !== b)), sc = g.int(4);
    const iv = g.int(64) - 32, d = g.r();
    const bv = (addr - d - iv * (1 << sc)) >>> 0;
    return {
      enc: (reg) => hx(modrm(2, reg, 4), (sc << 6) | (idx << 3) | b) + le(d, 4),
      regs: { [R32[b]]: bv, [R32[idx]]: iv >>> 0 }, addr, desc: `[${R32[b]}+${R32[idx]}*${1 << sc}+d32]`,
    };
  }
  // [esp + disp32] through a SIB byte (index 100 = none); ESP stays at its default 0x7F0000.
  const d = (addr - 0x7F0000) | 0;
  return { enc: (reg) => hx(modrm(2, reg, 4), 0x24) + le(d, 4), regs: {}, addr, desc: '[esp+d32]' };
}

export function merge(...rs: Regs[]): Regs {
  return Object.assign({}, ...rs);
}
