// Writing a segment descriptor into memory (SDM vol. 3A §3.4.5, Figure 3-8): base 31:0, limit 19:0, the
// access byte (P, DPL, S, type) and the flags nibble (G, D/B, L, AVL). Used by the harness, loaders and
// test fixtures that build GDTs by hand.

import type { PhysicalMemory } from '../platform/memory.ts';

export function putDescriptor(mem: PhysicalMemory, at: number, base: number, limit: number, access: number, flags: number): void {
  const u8 = mem.u8;
  u8[at] = limit & 0xFF; u8[at + 1] = (limit >>> 8) & 0xFF;
  u8[at + 2] = base & 0xFF; u8[at + 3] = (base >>> 8) & 0xFF; u8[at + 4] = (base >>> 16) & 0xFF;
  u8[at + 5] = access;
  u8[at + 6] = ((limit >>> 16) & 0xF) | (flags << 4);
  u8[at + 7] = (base >>> 24) & 0xFF;
  mem.markDirty(at, 8);
}
