// Golden-vector cases for the string group (src/cpu/ops/string.ts): MOVS/CMPS/STOS/LODS/SCAS in byte,
// word and dword sizes, without prefix and with REP/REPE/REPNE, both directions, counts from 0 to past
// the emulator's per-step chunk, overlapping moves, source segment overrides (destination always ES),
// 67-prefixed forms (SI/DI/CX: all addresses fall below the arena, so they fault exactly at SI/DI), faults
// midway at the arena's end with partially advanced registers, and INS/OUTS (#GP(0) at CPL 3).
// Usage: npx tsx scripts/gen/string.ts > /tmp/string.cases.jsonl. Deterministic: fixed seed.

import { ARENA_END, DATA, DATA2, DF, Gen, hx, merge, ZF, type Regs } from './dm-kit.ts';

const g = new Gen(0x5791);
const F4 = 'f4';
const SIZES = [[1, ''], [2, '66'], [4, '']] as const; // element size, operand-size prefix
const OPC = { movs: 0xA4, cmps: 0xA6, stos: 0xAA, lods: 0xAC, scas: 0xAE, ins: 0x6C, outs: 0x6E } as const;

function op(kind: keyof typeof OPC, size: number): string {
  return hx(OPC[kind] + (size === 1 ? 0 : 1));
}

/** Start offsets for a run of `count` elements so that it stays inside [base, base+0x1000+...]. */
function start(base: number, count: number, size: number, back: boolean): number {
  return back ? base + count * size + g.int(4) : base + g.int(4);
}

/** Memory image for a buffer region, and a dump of it. */
function region(addr: number, len: number, hex?: string): { mem: { addr: number; hex: string }; dump: { addr: number; len: number } } {
  return { mem: { addr, hex: hex ?? g.bytes(len) }, dump: { addr, len } };
}

// ---- basic forms: no prefix, REP (F3), F2; both directions; several counts ----
const COUNTS = [0, 1, 2, 3, 7, 16, 33];
for (const kind of ['movs', 'stos', 'lods'] as const) {
  for (const [size, pre] of SIZES) {
    for (const rep of ['', 'f3', 'f2']) {
      for (const back of [false, true]) {
        const counts = rep ? COUNTS : [5];
        for (const cnt of counts) {
          const span = Math.max(cnt, 1) * size + 8;
          const si = start(DATA, cnt, size, back), di = start(DATA2, cnt, size, back);
          const src = region(DATA, span + 8), dst = region(DATA2, span + 8);
          const regs: Regs = merge(g.regs(), { esi: si, edi: di, ecx: rep ? cnt : g.val(), eflags: g.flags() | (back ? DF : 0) });
          g.add({
            name: `${kind}${size * 8}-${rep || 'norep'}-${back ? 'down' : 'up'}-c${cnt}`, code: rep + pre + op(kind, size) + F4,
            regs, mem: [src.mem, dst.mem], dump: kind === 'movs' || kind === 'stos' ? [dst.dump] : [],
          });
        }
      }
    }
  }
}

// ---- CMPS / SCAS: REPE and REPNE stop conditions at chosen positions ----
for (const kind of ['cmps', 'scas'] as const) {
  for (const [size, pre] of SIZES) {
    for (const rep of ['', 'f3', 'f2']) {
      for (const back of [false, true]) {
        for (let k = 0; k < (rep ? 7 : 3); k++) {
          const cnt = rep ? [0, 1, 5, 12, 12, 30, 3][k] : 1;
          const n = Math.max(cnt, 1) + 2;
          // Build both buffers so that the stop element is at position `stopAt` (in iteration order).
          const stopAt = k === 3 ? cnt + 1 : g.int(n); // k=3: no stop inside the count
          const elems1: number[] = [], elems2: number[] = [];
          const acc = g.val() & (size === 4 ? 0xFFFFFFFF : (1 << (size * 8)) - 1);
          for (let e = 0; e < n; e++) {
            const v = g.r() & (size === 4 ? 0xFFFFFFFF : (1 << (size * 8)) - 1);
            // REPE continues while equal: elements before stopAt equal, at stopAt different.
            // REPNE continues while different: elements before stopAt different, at stopAt equal.
            const wantEq = rep === 'f2' ? e === stopAt : e !== stopAt;
            const other = kind === 'scas' ? acc : v;
            elems1.push(v);
            elems2.push(wantEq ? other : (other ^ (1 << g.int(size * 8))) >>> 0);
          }
          const lay = (elems: number[]) => {
            // element e in iteration order sits at offset e*size going up, or (n-1-e)*size going down
            const bytes = new Array(n * size).fill(0);
            elems.forEach((v, e) => {
              const at = (back ? n - 1 - e : e) * size;
              for (let b = 0; b < size; b++) bytes[at + b] = (v >>> (8 * b)) & 0xFF;
            });
            return hx(...bytes);
          };
          const base1 = DATA + 0x40, base2 = DATA2 + 0x40;
          const first = back ? (n - 1) * size : 0;
          const regs = merge(g.regs(), { esi: base1 + first, edi: base2 + first, ecx: rep ? cnt : g.val(), eflags: g.flags() | (back ? DF : 0) });
          if (kind === 'scas') regs.eax = size === 4 ? acc : ((g.r() & ~((1 << (size * 8)) - 1)) | acc) >>> 0;
          const mem = kind === 'cmps' ? [{ addr: base1, hex: lay(elems2) }, { addr: base2, hex: lay(elems1) }]
            : [{ addr: base2, hex: lay(elems2) }];
          g.add({ name: `${kind}${size * 8}-${rep || 'norep'}-${back ? 'down' : 'up'}-c${cnt}-s${stopAt}`, code: rep + pre + op(kind, size) + F4, regs, mem });
        }
      }
    }
  }
}

// ---- long runs: past the emulator's 1024-iteration chunk and across pages ----
for (const [size, pre] of SIZES) {
  const cnt = Math.ceil(2600 / size) + 3;
  const len = cnt * size;
  g.add({
    name: `stos${size * 8}-long`, code: 'f3' + pre + op('stos', size) + F4,
    regs: { eax: 0xA5C3E1F7, edi: DATA2 + 0x7F1, ecx: cnt }, dump: [{ addr: DATA2 + 0x7E0, len: len + 0x40 }],
  });
  g.add({
    name: `stos${size * 8}-long-down`, code: 'f3' + pre + op('stos', size) + F4,
    regs: { eax: 0x1E2D3C4B, edi: DATA2 + 0xC03, ecx: cnt, eflags: DF }, dump: [{ addr: DATA2 + 0xC40 - len - 0x40, len: len + 0x80 }],
  });
  const src = g.bytes(len + 16);
  g.add({
    name: `movs${size * 8}-long`, code: 'f3' + pre + op('movs', size) + F4,
    regs: { esi: DATA + 0x3D, edi: DATA2 + 0x802, ecx: cnt }, mem: [{ addr: DATA + 0x3D, hex: src }], dump: [{ addr: DATA2 + 0x7F0, len: len + 0x40 }],
  });
  g.add({
    name: `movs${size * 8}-long-down`, code: 'f3' + pre + op('movs', size) + F4,
    regs: { esi: DATA + 0x3D + len - size, edi: DATA2 + 0x802 + len - size, ecx: cnt, eflags: DF },
    mem: [{ addr: DATA + 0x3D, hex: src }], dump: [{ addr: DATA2 + 0x7F0, len: len + 0x40 }],
  });
  // REPE CMPS of equal strings that differ only far away; REPNE SCAS finding an element far away.
  const diffAt = cnt - 7;
  const buf2 = src.slice(0, diffAt * size * 2) + hx(~parseInt(src.slice(diffAt * size * 2, diffAt * size * 2 + 2), 16)) + src.slice(diffAt * size * 2 + 2);
  g.add({
    name: `cmps${size * 8}-long-repe`, code: 'f3' + pre + op('cmps', size) + F4,
    regs: { esi: DATA + 0x3D, edi: DATA2 + 0x3D, ecx: cnt }, mem: [{ addr: DATA + 0x3D, hex: src }, { addr: DATA2 + 0x3D, hex: buf2 }],
  });
  const zeros = '11'.repeat(len) + '00'.repeat(16);
  g.add({
    name: `scas${size * 8}-long-repne`, code: 'f2' + pre + op('scas', size) + F4,
    regs: { eax: 0, edi: DATA2 + 0x123, ecx: 0xFFFFFFFF }, mem: [{ addr: DATA2 + 0x123, hex: zeros }],
  });
  g.add({
    name: `lods${size * 8}-long`, code: 'f3' + pre + op('lods', size) + F4,
    regs: { esi: DATA + 0x3D, ecx: cnt }, mem: [{ addr: DATA + 0x3D, hex: src }],
  });
}

// ---- overlapping MOVS in both directions and at several distances ----
for (const [size, pre] of SIZES) {
  for (const dist of [-9, -4, -3, -2, -1, 1, 2, 3, 4, 5, 9]) {
    for (const back of [false, true]) {
      const cnt = 24;
      const base = DATA + 0x100;
      const si = back ? base + (cnt - 1) * size : base;
      g.add({
        name: `movs${size * 8}-overlap${dist}-${back ? 'down' : 'up'}`, code: 'f3' + pre + op('movs', size) + F4,
        regs: { esi: si, edi: si + dist, ecx: cnt, eflags: back ? DF : 0 },
        mem: [{ addr: base - 0x20, hex: g.bytes(cnt * size + 0x40) }], dump: [{ addr: base - 0x20, len: cnt * size + 0x40 }],
      });
    }
  }
  g.add({ name: `movs${size * 8}-same`, code: 'f3' + pre + op('movs', size) + F4, regs: { esi: DATA, edi: DATA, ecx: 9 }, mem: [{ addr: DATA, hex: g.bytes(48) }], dump: [{ addr: DATA, len: 48 }] });
}

// ---- segment overrides: they apply to the source only; the destination is always ES ----
for (const seg of ['26', '2e', '36', '3e']) {
  for (const kind of ['movs', 'cmps', 'lods', 'stos', 'scas'] as const) {
    const src = region(DATA, 32), dst = region(DATA2, 32);
    g.add({
      name: `${kind}-seg${seg}`, code: seg + 'f3' + op(kind, 4) + F4,
      regs: merge(g.regs(), { esi: DATA + 4, edi: DATA2 + 4, ecx: 3, eflags: 0 }), mem: [src.mem, dst.mem], dump: [dst.dump],
    });
  }
}

// ---- 67 prefix: SI/DI/CX. Offsets are 16 bits, so every access lands below the arena (#PF, CR2=SI or
// DI), the upper halves of ESI/EDI/ECX are ignored and kept, and CX=0 with ECX≠0 does nothing. ----
for (const kind of ['movs', 'cmps', 'stos', 'lods', 'scas'] as const) {
  for (const [size, pre] of SIZES) {
    const regs = { esi: 0xABCD1234, edi: 0x5678FF00, ecx: 0x00010000, eax: 0x11223344, eflags: 0 };
    g.add({ name: `${kind}${size * 8}-a16-rep-cx0`, code: '67f3' + pre + op(kind, size) + F4, regs });
    g.add({ name: `${kind}${size * 8}-a16-pf`, code: '67' + pre + op(kind, size) + F4, regs: { ...regs, esi: 0x0003FFFF, edi: 0x7FFFFFFE } });
    g.add({ name: `${kind}${size * 8}-a16-rep-pf-down`, code: '67f3' + pre + op(kind, size) + F4, regs: { ...regs, ecx: 0xFFFF0005, eflags: DF } });
  }
}
// A 32-bit count with CX=0 but ECX≠0: without 67 the count is ECX.
g.add({ name: 'stos8-rep-ecx-10000', code: 'f3aa' + F4, regs: { ecx: 0x10, edi: DATA2, eax: 0x77 }, dump: [{ addr: DATA2, len: 24 }] });

// ---- faults midway: the registers show the completed iterations, CR2 the first inaccessible byte ----
for (const [size, pre] of SIZES) {
  for (const mis of [0, 1, 2, 3]) {
    if (mis >= size && mis !== 0) continue;
    const di = ARENA_END - 8 * size - mis;
    g.add({
      name: `stos${size * 8}-pf-end-mis${mis}`, code: 'f3' + pre + op('stos', size) + F4,
      regs: { eax: 0xDEADBEEF, edi: di, ecx: 20 }, dump: [{ addr: ARENA_END - 0x40, len: 0x40 }],
    });
    g.add({
      name: `movs${size * 8}-pf-dst-mis${mis}`, code: 'f3' + pre + op('movs', size) + F4,
      regs: { esi: DATA, edi: di, ecx: 20 }, mem: [{ addr: DATA, hex: g.bytes(0x100) }], dump: [{ addr: ARENA_END - 0x40, len: 0x40 }],
    });
    g.add({
      name: `movs${size * 8}-pf-src-mis${mis}`, code: 'f3' + pre + op('movs', size) + F4,
      regs: { esi: di, edi: DATA2, ecx: 20 }, mem: [{ addr: ARENA_END - 0x40, hex: g.bytes(0x40) }], dump: [{ addr: DATA2, len: 0x100 }],
    });
    g.add({
      name: `lods${size * 8}-pf-end-mis${mis}`, code: 'f3' + pre + op('lods', size) + F4,
      regs: { esi: di, ecx: 20 }, mem: [{ addr: ARENA_END - 0x40, hex: g.bytes(0x40) }],
    });
    g.add({
      name: `scas${size * 8}-pf-end-mis${mis}`, code: 'f3' + pre + op('scas', size) + F4,
      regs: { edi: di, ecx: 20, eax: 0 }, mem: [{ addr: ARENA_END - 0x40, hex: '00'.repeat(0x40) }],
    });
    g.add({
      name: `cmps${size * 8}-pf-end-mis${mis}`, code: 'f3' + pre + op('cmps', size) + F4,
      regs: { esi: DATA, edi: di, ecx: 20 }, mem: [{ addr: ARENA_END - 0x40, hex: '00'.repeat(0x40) }, { addr: DATA, hex: '00'.repeat(0x100) }],
    });
  }
  // Going down below the arena's start (0x10000): reads only (the code lives at 0x10000).
  g.add({ name: `lods${size * 8}-pf-start-down`, code: 'f3' + pre + op('lods', size) + F4, regs: { esi: 0x10000 + 2 * size, ecx: 9, eflags: DF } });
  g.add({ name: `scas${size * 8}-pf-start-down`, code: 'f3' + pre + op('scas', size) + F4, regs: { edi: 0x10000 + 2 * size + 1, ecx: 9, eflags: DF, eax: 0x12345678 } });
}
// Both CMPS operands inaccessible: the fault names the one read first.
g.add({ name: 'cmps32-both-pf', code: 'a7' + F4, regs: { esi: ARENA_END + 0x100, edi: ARENA_END + 0x2000 } });
g.add({ name: 'cmps8-both-pf-rep', code: 'f3a6' + F4, regs: { esi: 0x3000, edi: 0x5000, ecx: 4 } });
// One unprefixed element straddling the end; a REPNE SCAS that never matches until the end.
g.add({ name: 'movs32-norep-cross', code: 'a5' + F4, regs: { esi: DATA, edi: ARENA_END - 2 }, mem: [{ addr: DATA, hex: '01020304' }], dump: [{ addr: ARENA_END - 8, len: 8 }] });
g.add({ name: 'scas8-repne-runs-off', code: 'f2ae' + F4, regs: { edi: ARENA_END - 0x30, ecx: 0xFFFFFFFF, eax: 0xFF }, mem: [{ addr: ARENA_END - 0x30, hex: '00'.repeat(0x30) }] });
// Flags after a REP with count 0 are unchanged; after REPE CMPS they are those of the last comparison.
for (let k = 0; k < 4; k++) {
  g.add({ name: `cmps8-rep0-flags-${k}`, code: 'f3a6' + F4, regs: { ecx: 0, eflags: g.flags(), esi: DATA, edi: DATA2 } });
  g.add({ name: `scas32-rep0-flags-${k}`, code: 'f2af' + F4, regs: { ecx: 0, eflags: g.flags(), edi: DATA2 } });
}
void ZF;

// ---- INS / OUTS at CPL 3 with IOPL 0: #GP(0), even with a zero count ----
for (const kind of ['ins', 'outs'] as const) {
  for (const [size, pre] of SIZES) {
    for (const rep of ['', 'f3']) {
      for (const cnt of rep ? [0, 3] : [1]) {
        g.add({ name: `${kind}${size * 8}-${rep || 'norep'}-c${cnt}-gp`, code: rep + pre + op(kind, size) + F4, regs: { ecx: cnt, esi: DATA, edi: DATA2, edx: 0x3F8 } });
      }
    }
  }
  g.add({ name: `${kind}-a16-gp`, code: '67' + op(kind, 1) + F4, regs: { esi: 1, edi: 1, edx: 0x80 } });
}

// ---- LOCK is never legal on string instructions ----
for (const kind of ['movs', 'stos', 'lods', 'cmps', 'scas'] as const) {
  g.add({ name: `${kind}-lock-ud`, code: 'f0' + op(kind, 1) + F4, regs: { esi: DATA, edi: DATA2, ecx: 1 } });
}

g.print();
