// 32-bit paging and the software TLB, checked against the SDM vol. 3A chapter 4: translation with 4 KiB
// and 4 MiB pages (§4.3), access rights (§4.6), #PF error codes and CR2 (§4.7), accessed/dirty flags
// (§4.8), TLB invalidation by MOV CR3 / CR4 / INVLPG with global pages (§4.10.4), plus the A20 mask.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, PD, TestMachine } from './test-machine.ts';
import { FAULT } from './fault.ts';
import { EAX, ECX, PFV } from './regs.ts';

const u = (v: number) => v >>> 0;
const PT = 0x110000;          // page table for linear 0x40000000-0x403FFFFF (PD index 256)
const LIN = 0x40000000;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;

/** Paging on, identity map of the low 8 MiB, plus PD[256] -> PT with the given PDE flags. */
function machine(pdeFlags = P | RW | US, cr4 = 0): TestMachine {
  const m = new TestMachine({ paging: true });
  m.w32(PD + 256 * 4, PT | pdeFlags);
  m.cpu.cr4 = cr4;
  m.cpu.flushTlb(true);
  return m;
}

function setCpl(m: TestMachine, cpl: 0 | 3): void {
  m.cpu.cpl = cpl;
  m.cpu.cplChanged();
}

/** Run f; return null, or the #PF error code (and check the vector) with CR2. */
function pf(m: TestMachine, f: () => unknown): { error: number; cr2: number } | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e !== FAULT) throw e;
    assert.equal(m.cpu.excVector, PFV);
    return { error: m.cpu.excError, cr2: u(m.cpu.cr2) };
  }
}

test('4 KiB page: translation; a read sets A in PDE and PTE, a write sets D in the PTE only', () => {
  const m = machine();
  m.w32(PT + 5 * 4, 0x200000 | P | RW | US);
  m.w32(0x200123, 0xCAFEBABE);
  assert.equal(u(m.cpu.readLin32(LIN + 0x5123)), 0xCAFEBABE);
  assert.equal(m.r32(PD + 1024), PT | P | RW | US | A);
  assert.equal(m.r32(PT + 20), 0x200000 | P | RW | US | A);
  m.cpu.writeLin32(LIN + 0x5123, 0x01020304);
  assert.equal(m.r32(0x200123), 0x01020304);
  assert.equal(m.r32(PT + 20), 0x200000 | P | RW | US | A | D);
  assert.equal(m.r32(PD + 1024), PT | P | RW | US | A, 'no dirty bit in a PDE that references a page table');
});

test('a faulting access sets neither A nor D', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P);                // supervisor, read-only
  setCpl(m, 3);
  assert.deepEqual(pf(m, () => m.cpu.readLin8(LIN)), { error: 5, cr2: LIN });
  assert.equal(m.r32(PT), 0x200000 | P);
  assert.equal(m.r32(PD + 1024), PT | P | RW | US);
  setCpl(m, 0);
  m.cpu.cr0 |= 0x10000; // WP
  assert.deepEqual(pf(m, () => m.cpu.writeLin8(LIN, 1)), { error: 3, cr2: LIN });
  assert.equal(m.r32(PT), 0x200000 | P);
});

test('#PF error codes for not-present entries: W/R and U/S bits, P=0, CR2 = linear address', () => {
  const m = machine(0); // PDE not present
  const cases: [0 | 3, boolean, number][] = [[0, false, 0], [0, true, 2], [3, false, 4], [3, true, 6]];
  for (const [cpl, write, code] of cases) {
    setCpl(m, cpl);
    const lin = LIN + 0x1234 + code;
    assert.deepEqual(pf(m, () => (write ? m.cpu.writeLin32(lin, 0) : m.cpu.readLin32(lin))), { error: code, cr2: lin });
  }
  // PDE present, PTE not present: same codes.
  m.w32(PD + 1024, PT | P | RW | US);
  m.cpu.flushTlb(true);
  for (const [cpl, write, code] of cases) {
    setCpl(m, cpl);
    assert.deepEqual(pf(m, () => (write ? m.cpu.writeLin16(LIN + 2, 0) : m.cpu.readLin16(LIN + 2))), { error: code, cr2: LIN + 2 });
  }
});

test('U/S and R/W combine from PDE and PTE (both must allow); protection faults have P=1', () => {
  // [PDE flags, PTE flags, user read, user write, supervisor write with WP=1]
  const table: [number, number, number | null, number | null, number | null][] = [
    [P | RW | US, P | RW | US, null, null, null],
    [P | RW | US, P | US, null, 7, 3],
    [P | US, P | RW | US, null, 7, 3],
    [P | RW, P | RW | US, 5, 7, null],
    [P | RW | US, P | RW, 5, 7, null],
    [P, P, 5, 7, 3],
  ];
  for (const [pde, pte, ur, uw, sw] of table) {
    const m = machine(pde);
    m.w32(PT, 0x200000 | pte);
    m.cpu.cr0 |= 0x10000;
    setCpl(m, 3);
    assert.equal(pf(m, () => m.cpu.readLin32(LIN))?.error ?? null, ur, `user read ${pde}/${pte}`);
    assert.equal(pf(m, () => m.cpu.writeLin32(LIN, 1))?.error ?? null, uw, `user write ${pde}/${pte}`);
    setCpl(m, 0);
    assert.equal(pf(m, () => m.cpu.writeLin32(LIN, 1))?.error ?? null, sw, `supervisor write ${pde}/${pte}`);
    // Supervisor reads are always allowed.
    assert.equal(pf(m, () => m.cpu.readLin32(LIN)), null);
  }
});

test('CR0.WP: supervisor writes to read-only pages succeed with WP=0, fault after MOV CR0 sets WP', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P | US);
  m.cpu.writeLin32(LIN, 0x11111111);        // WP=0: allowed, sets D
  assert.equal(m.r32(0x200000), 0x11111111);
  assert.equal(m.r32(PT), 0x200000 | P | US | A | D);
  m.cpu.r32[EAX] = 0x80010011 | 0;
  assert.equal(m.run('0f22c0f4'), null);    // MOV CR0,EAX: WP on (the cached write permission must go)
  assert.deepEqual(pf(m, () => m.cpu.writeLin32(LIN, 0x22222222)), { error: 3, cr2: LIN });
  assert.equal(m.r32(0x200000), 0x11111111);
});

test('4 MiB pages with CR4.PSE: translation, A/D in the PDE; without PSE the PS bit is ignored', () => {
  const m = machine(P | RW | US, 0x10);
  m.w32(PD + 257 * 4, 0x00800000 | P | RW | PS);
  m.w32(0x00812345, 0xA5A5A5A5);
  assert.equal(u(m.cpu.readLin32(0x40412345)), 0xA5A5A5A5);
  assert.equal(m.r32(PD + 257 * 4), 0x00800000 | P | RW | PS | A);
  m.cpu.writeLin8(0x40412345, 0x11);
  assert.equal(m.r32(PD + 257 * 4), 0x00800000 | P | RW | PS | A | D);
  setCpl(m, 3);
  assert.deepEqual(pf(m, () => m.cpu.readLin8(0x40400000)), { error: 5, cr2: 0x40400000 });
  // PSE off: the same PDE references a page table at 0x800000.
  const n = machine(P | RW | US, 0);
  n.w32(PD + 257 * 4, 0x00800000 | P | RW | PS);
  n.w32(0x00800000 + 0x12 * 4, 0x00300000 | P | RW);
  n.w32(0x00300345, 0x5A5A5A5A);
  assert.equal(u(n.cpu.readLin32(0x40412345)), 0x5A5A5A5A);
});

test('reserved bits with CR4.PSE=1 (no PSE-36, no PAT): 4 MiB PDE bits 21:12, PTE bit 7 -> #PF with RSVD|P', () => {
  for (const bit of [12, 13, 17, 21]) {
    const m = machine(P | RW | US, 0x10);
    m.w32(PD + 257 * 4, 0x00800000 | (1 << bit) | P | RW | US | PS);
    assert.deepEqual(pf(m, () => m.cpu.readLin8(0x40400010)), { error: 9, cr2: 0x40400010 }, `bit ${bit}`);
    setCpl(m, 3);
    assert.deepEqual(pf(m, () => m.cpu.writeLin8(0x40400010, 0)), { error: 0xF, cr2: 0x40400010 });
    assert.equal(m.r32(PD + 257 * 4) & A, 0, 'no accessed bit on a reserved-bit fault');
  }
  const m = machine(P | RW | US, 0x10);
  m.w32(PT, 0x200000 | PS | P | RW | US);  // bit 7 of a PTE = PAT
  assert.deepEqual(pf(m, () => m.cpu.readLin8(LIN)), { error: 9, cr2: LIN });
  // With CR4.PSE=0 "no bits are reserved with 32-bit paging".
  const n = machine(P | RW | US, 0);
  n.w32(PT, 0x200000 | PS | P | RW | US);
  assert.equal(pf(n, () => n.cpu.readLin8(LIN)), null);
});

test('MOV CR3 flushes non-global entries; global ones (CR4.PGE, G=1) survive until INVLPG or a PGE toggle', () => {
  const m = machine(P | RW | US, 0x80);
  m.w32(PT + 0, 0x200000 | P | RW | G);     // global
  m.w32(PT + 4, 0x201000 | P | RW);         // not global
  m.w32(0x200000, 1); m.w32(0x201000, 2); m.w32(0x202000, 3); m.w32(0x203000, 4);
  assert.equal(m.cpu.readLin32(LIN), 1);
  assert.equal(m.cpu.readLin32(LIN + 0x1000), 2);
  // Remap both in memory: the TLB keeps the old translations until invalidated.
  m.w32(PT + 0, 0x202000 | P | RW | G);
  m.w32(PT + 4, 0x203000 | P | RW);
  assert.equal(m.cpu.readLin32(LIN), 1);
  m.cpu.r32[EAX] = PD;
  assert.equal(m.run('0f22d8f4'), null);    // MOV CR3,EAX
  assert.equal(m.cpu.readLin32(LIN), 1, 'global entry survives the CR3 load');
  assert.equal(m.cpu.readLin32(LIN + 0x1000), 4, 'non-global entry was flushed');
  m.cpu.r32[EAX] = LIN + 0x123;
  assert.equal(m.run('0f0138f4'), null);    // INVLPG [EAX]
  assert.equal(m.cpu.readLin32(LIN), 3, 'INVLPG drops a global entry');
  // Back to the first frame; a CR4.PGE toggle flushes global entries.
  m.w32(PT + 0, 0x200000 | P | RW | G);
  m.cpu.r32[EAX] = PD;
  assert.equal(m.run('0f22d8f4'), null);
  assert.equal(m.cpu.readLin32(LIN), 3);
  m.cpu.r32[EAX] = 0;
  m.cpu.r32[ECX] = 0x80;
  assert.equal(m.run('0f22e0' + '0f22e1' + 'f4'), null); // CR4 = 0, CR4 = PGE
  assert.equal(m.cpu.readLin32(LIN), 1);
});

test('G is ignored while CR4.PGE=0: the entry is flushed by MOV CR3', () => {
  const m = machine(P | RW | US, 0);
  m.w32(PT, 0x200000 | P | RW | G);
  m.w32(0x200000, 1); m.w32(0x202000, 3);
  assert.equal(m.cpu.readLin32(LIN), 1);
  m.w32(PT, 0x202000 | P | RW | G);
  m.cpu.r32[EAX] = PD;
  assert.equal(m.run('0f22d8f4'), null);
  assert.equal(m.cpu.readLin32(LIN), 3);
});

test('INVLPG anywhere in a 4 MiB page drops the whole 4 MiB translation', () => {
  const m = machine(P | RW | US, 0x10);
  m.w32(PD + 257 * 4, 0x00400000 | P | RW | PS);
  m.w32(0x400000, 0x10); m.w32(0x7FF000, 0x11); m.w32(0x800000, 0x20); m.w32(0xBFF000, 0x21);
  assert.equal(m.cpu.readLin32(0x40400000), 0x10);
  assert.equal(m.cpu.readLin32(0x407FF000), 0x11);
  m.w32(PD + 257 * 4, 0x00800000 | P | RW | PS);
  m.cpu.r32[EAX] = 0x40456789;
  assert.equal(m.run('0f0138f4'), null);
  assert.equal(m.cpu.readLin32(0x40400000), 0x20);
  assert.equal(m.cpu.readLin32(0x407FF000), 0x21);
});

test('INVLPG is not segment-checked and never faults on the address; it uses the segment base', () => {
  const m = machine(P | RW | US);
  m.w32(PT + 4, 0x200000 | P | RW);
  m.w32(0x200000, 7); m.w32(0x201000, 8);
  assert.equal(m.cpu.readLin32(LIN + 0x1000), 7);
  m.w32(PT + 4, 0x201000 | P | RW);
  m.cpu.segBase[3] = LIN; // DS base
  m.cpu.r32[EAX] = 0x1000;
  assert.equal(m.run('0f0138f4'), null);
  assert.equal(m.cpu.readLin32(LIN + 0x1000), 8);
  m.cpu.segBase[3] = 0;
  m.cpu.r32[EAX] = 0xF0000000 | 0;          // unmapped: still no fault
  assert.equal(m.run('0f0138f4'), null);
});

test('a page-crossing write that faults on the second page writes nothing; CR2 = start of that page', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P | RW | US);        // first page present, second (PT[1]) not
  m.w32(0x200FFC, 0x44332211);
  assert.deepEqual(pf(m, () => m.cpu.writeLin32(LIN + 0xFFE, 0xDDCCBBAA | 0)), { error: 2, cr2: LIN + 0x1000 });
  assert.equal(m.r32(0x200FFC), 0x44332211);
  assert.deepEqual(pf(m, () => m.cpu.writeLin16(LIN + 0xFFF, 0xBBAA)), { error: 2, cr2: LIN + 0x1000 });
  assert.equal(m.r32(0x200FFC), 0x44332211);
  assert.deepEqual(pf(m, () => m.cpu.readLin32(LIN + 0xFFD)), { error: 0, cr2: LIN + 0x1000 });
  // Read-only second page: protection fault, still no partial write.
  m.w32(PT + 4, 0x201000 | P | US);
  setCpl(m, 3);
  assert.deepEqual(pf(m, () => m.cpu.writeLin32(LIN + 0xFFF, -1)), { error: 7, cr2: LIN + 0x1000 });
  assert.equal(m.r32(0x200FFC), 0x44332211);
  // When the first page faults, CR2 is the access's own address.
  m.w32(PT, 0);
  m.cpu.flushTlb(true);
  assert.deepEqual(pf(m, () => m.cpu.writeLin32(LIN + 0xFFE, 0)), { error: 6, cr2: LIN + 0xFFE });
});

test('a faulting instruction: #PF with the error code, CR2, EIP of the instruction, memory unchanged', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P | RW | US);
  setCpl(m, 3);
  m.setCpl(3);
  m.cpu.r32[EAX] = LIN + 0xFFE;
  m.cpu.r32[ECX] = 0x12345678;
  const ev = m.run('8908f4');               // mov [eax],ecx
  assert.deepEqual([ev?.vector, ev?.error, ev?.eip], [PFV, 6, CODE]);
  assert.equal(u(m.cpu.cr2), LIN + 0x1000);
  assert.equal(m.r32(0x200FFC), 0);
});

test('implicit supervisor accesses (readSys*/writeSys*) at CPL 3: supervisor rights, U/S=0 in the error code', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P);                  // supervisor, read-only
  m.w32(0x200010, 0x600D);
  setCpl(m, 3);
  assert.deepEqual(pf(m, () => m.cpu.readLin32(LIN + 0x10)), { error: 5, cr2: LIN + 0x10 });
  assert.equal(m.cpu.readSys32(LIN + 0x10), 0x600D);
  // WP=0: a supervisor write to a read-only page is allowed even at CPL 3 for an implicit access.
  m.cpu.writeSys16(LIN + 0x10, 0xBEEF);
  assert.equal(m.r32(0x200010), 0xBEEF);
  m.cpu.cr0 |= 0x10000;
  m.cpu.flushTlb(true);
  assert.deepEqual(pf(m, () => m.cpu.writeSys32(LIN + 0x10, 0)), { error: 3, cr2: LIN + 0x10 });
  // And the CPL-3 masks are back after the implicit access.
  assert.deepEqual(pf(m, () => m.cpu.readLin8(LIN)), { error: 5, cr2: LIN });
});

test('CR0.PG off: the TLB is flushed and linear = physical', () => {
  const m = machine();
  m.w32(PT, 0x200000 | P | RW);
  m.w32(0x200000, 0x77);
  m.w32(0x400000, 0x99);
  assert.equal(m.cpu.readLin32(LIN), 0x77);
  m.cpu.r32[EAX] = 0x11;
  assert.equal(m.run('0f22c0f4'), null);    // MOV CR0: PG off (the code is identity-mapped)
  assert.equal(u(m.cpu.readLin32(LIN)), 0xFFFFFFFF, 'beyond RAM: open bus');
  assert.equal(m.cpu.readLin32(0x400000), 0x99);
});

test('A20 masked: physical bit 20 is cleared for data accesses and for page-table reads', () => {
  const m = new TestMachine();
  m.w32(0x000005, 0x12); m.w32(0x100005, 0x34);
  assert.equal(m.cpu.readLin32(0x100005), 0x34);
  m.cpu.a20Mask = ~0x100000;
  m.cpu.flushTlb(true);
  assert.equal(m.cpu.readLin32(0x100005), 0x12);
  // Paging on with CR3 = 0x100000: the walk reads the directory at 0x000000.
  const p = machine();
  p.w32(0x000000 + 256 * 4, 0x020000 | P | RW);
  p.w32(0x020000, 0x300000 | P | RW);       // frame 0x300000 -> 0x200000 with A20 masked
  p.w32(0x200000, 0xA20);
  p.cpu.a20Mask = ~0x100000;
  p.cpu.flushTlb(true);
  assert.equal(p.cpu.readLin32(LIN), 0xA20);
  assert.equal(p.r32(0x000000 + 256 * 4), 0x020000 | P | RW | A);
});
