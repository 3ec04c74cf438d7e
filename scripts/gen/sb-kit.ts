// Small kit shared by the stack and branch golden-vector generators (scripts/gen/stack.ts, branch.ts,
// stack-seg.ts): little-endian hex, a deterministic PRNG, and a case list in the x86-oracle input format
// (mode user32). Every snippet gets the final HLT appended here.

import { rng, le, hx, modrm } from './encode-kit.ts';
export { rng, le, hx, modrm };
export type { Regs, Mem, Dump, Case } from './encode-kit.ts';
import type { Regs, Mem, Dump, Case } from './encode-kit.ts';
export const CODE = 0x10000;          // default code address
export const DATA = 0x20000;          // memory operands
export const STACK = 0x7F0000;        // default ESP of the oracle
export const ARENA_LO = 0x10000, ARENA_HI = 0x7FD000;
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;



export class Cases {
  readonly list: Case[] = [];
  private readonly names = new Set<string>();
  readonly next: () => number;

  constructor(seed: number) { this.next = rng(seed); }

  /** A random 32-bit value, biased to edge values half of the time. */
  val(): number {
    const edges = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x12345678];
    return this.next() & 1 ? this.next() : edges[this.next() % edges.length];
  }

  /** `n` random bytes as hex. */
  bytes(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += (this.next() & 0xFF).toString(16).padStart(2, '0');
    return s;
  }

  add(c: Omit<Case, 'mode'>): void {
    let name = c.name;
    for (let k = 2; this.names.has(name); k++) name = `${c.name}#${k}`;
    this.names.add(name);
    const out: Case = { name, mode: 'user32', code: c.code + 'f4' };
    if (c.code_addr !== undefined) out.code_addr = c.code_addr;
    if (c.regs && Object.keys(c.regs).length) out.regs = c.regs;
    if (c.mem?.length) out.mem = c.mem;
    if (c.dump?.length) out.dump = c.dump;
    this.list.push(out);
  }

  print(): void {
    process.stdout.write(this.list.map((c) => JSON.stringify(c)).join('\n') + '\n');
    process.stderr.write(`${this.list.length} cases\n`);
  }
}
