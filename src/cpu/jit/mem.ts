// Memory access helpers for translated code (codegen.ts): the interpreter's inline accesses (interp.ts
// rd32 / wr32 / rd8 / wr8 / rmwSlot), plus a 16-bit read, as functions V8 inlines into the blocks that
// call them. Each is exactly the CPU's segment-checked access: when segment s admits every offset
// (cpu.wideR / wideW) and the access does not run past 4 GiB, the linear address is base + offset; an
// access within one page whose TLB entry has this CPL's access bit (plain RAM, cpu.ts) is a typed-array
// access; anything else takes the CPU's own function (page walk, MMIO, code-page writes, faults).

import type { CPU } from '../cpu.ts';

export function rd32(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideR >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.rmask) !== 0 && (lin & 3) === 0) return cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2];
    return cpu.readLin32(lin);
  }
  return cpu.read32(s, off);
}

export function rd16(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideR >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFE) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.rmask) !== 0 && (lin & 1) === 0) return cpu.ram16[((e & ~0xFFF) | (lin & 0xFFF)) >>> 1];
    return cpu.readLin16(lin);
  }
  return cpu.read16(s, off);
}

export function rd8(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideR >> s) & 1) !== 0) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.rmask) !== 0) return cpu.ram8[((e & ~0xFFF) | (lin & 0xFFF)) >>> 0];
    return cpu.readLin8(lin);
  }
  return cpu.read8(s, off);
}

export function wr32(cpu: CPU, s: number, off: number, v: number): void {
  if (((cpu.wideW >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0 && (lin & 3) === 0) cpu.ram32[((e & ~0xFFF) | (lin & 0xFFF)) >>> 2] = v;
    else cpu.writeLin32(lin, v);
    return;
  }
  cpu.write32(s, off, v);
}

export function wr8(cpu: CPU, s: number, off: number, v: number): void {
  if (((cpu.wideW >> s) & 1) !== 0) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0) cpu.ram8[((e & ~0xFFF) | (lin & 0xFFF)) >>> 0] = v;
    else cpu.writeLin8(lin, v);
    return;
  }
  cpu.write8(s, off, v);
}

/**
 * The ram32 index of an aligned dword at s:off that this CPL may write directly (and so read), or -1:
 * then cpu.rmw32 + cpu.commit32 do it with every check.
 */
export function rmwSlot(cpu: CPU, s: number, off: number): number {
  if (((cpu.wideW >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFC) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0 && (lin & 3) === 0) return ((e & ~0xFFF) | (lin & 0xFFF)) >>> 2;
  }
  return -1;
}

export function wr16(cpu: CPU, s: number, off: number, v: number): void {
  if (((cpu.wideW >> s) & 1) !== 0 && (off >>> 0) <= 0xFFFFFFFE) {
    const lin = (cpu.segBase[s] + off) | 0, e = cpu.tlb[lin >>> 12];
    if ((e & cpu.wmask) !== 0 && (lin & 1) === 0) cpu.ram16[((e & ~0xFFF) | (lin & 0xFFF)) >>> 1] = v;
    else cpu.writeLin16(lin, v);
    return;
  }
  cpu.write16(s, off, v);
}
