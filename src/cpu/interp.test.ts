// The interpreter's inline forms (interp.ts) against the opcode table's handlers: every instruction form
// that has an inline form runs from many random states twice, once inline and once through its handler
// (cpu.inlineForms = false), and the two must leave exactly the same state: registers, EFLAGS, EIP,
// memory, the recorded exception (vector, error code, EIP) and CR2. The states cover the lazy flags
// left by each kind of operation, registers at the edges (0, -1, sign boundaries), memory operands that
// are aligned, misaligned, page-crossing, in unmapped pages (#PF) or beyond a segment limit (#GP, #SS),
// through segments with a base, 16-bit addressing, the stack at those places, branches beyond the CS
// limit, and stores into the page being executed. Golden vectors check the handlers against silicon;
// this checks that the inline forms are the handlers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, TestMachine, hexBytes } from './test-machine.ts';
import { setSegment } from './segments.ts';
import { CS, DS, FS, SS } from './regs.ts';
import { fastKind, K } from './interp.ts';
import { decodeAt } from './decoder.ts';

/** A deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

const DATA = 0x200000;       // mapped data (the machine maps 0..8 MiB)
const UNMAPPED = 0x900000;   // beyond the identity map: #PF

interface Variant {
  /** Ring 3 (user pages, user TLB bits). */
  user: boolean;
  /** CS limit just past the code (near branches can leave it). */
  smallCs: boolean;
  /** DS with a 64 KiB limit (no longer "wide"); FS with a base. */
  narrowDs: boolean;
  /** SS with a 16-bit stack (SS.B = 0). */
  stack16: boolean;
}

function machine(v: Variant): TestMachine {
  const m = new TestMachine({ paging: true, cpl: v.user ? 3 : 0 });
  const cpu = m.cpu;
  const dpl = v.user ? 0x60 : 0;
  if (v.smallCs) setSegment(cpu, CS, cpu.segSel[CS], 0, CODE + 0x40, 0x409B | dpl);
  if (v.narrowDs) setSegment(cpu, DS, cpu.segSel[DS], 0, 0xFFFF, 0x4093 | dpl);
  setSegment(cpu, FS, cpu.segSel[FS], DATA - 0x1000, 0xFFFFFFFF, 0xC093 | dpl);
  if (v.stack16) setSegment(cpu, SS, cpu.segSel[SS], DATA, 0xFFFF, 0x0093 | dpl);
  m.w32(0x101000 + ((DATA + 0x3000) >>> 12) * 4, (DATA + 0x3000) | 5); // a read-only page (user writes #PF)
  m.w32(0x101000 + ((DATA + 0x2000) >>> 12) * 4, (DATA + 0x2000) | 3); // a supervisor page (user accesses #PF)
  return m;
}

/** Values registers take: edges, random words, and pointers to interesting places. */
function value(r: () => number): number {
  switch (r() % 13) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 0x7FFFFFFF;
    case 3: return 0x80000000 | 0;
    case 4: return r() & 0xFF;
    case 5: return DATA + (r() & 0x3FFF);                    // mapped (a read-only and a supervisor page), any alignment
    case 6: return DATA + 0x1000 - (1 + (r() & 3));          // just below a page boundary
    case 7: return UNMAPPED + (r() & 0xFFF);                 // #PF
    case 8: return CODE + (r() & 0x3F);                      // the code page (stores invalidate it)
    case 9: return 0xFFFFFFFE - (r() & 3);                   // runs past 4 GiB
    case 10: return DATA + 0x2000 + (r() & 0x1FFC);          // aligned, in the supervisor or read-only page
    default: return r() | 0;
  }
}

/** An instruction that leaves a lazy-flags state of one kind before the instruction under test. */
const FLAG_SETTERS = ['', '39d8', '01d8', '31d8', '40', '4b', 'c1e003', 'd1f8', 'f9', 'f8', 'd1c0', '85c0'];

/** FNV-1a of a memory range (the areas compared are large; a mismatch is then found by its hash). */
function hash(b: Uint8Array): string {
  let h = 0x811C9DC5;
  for (let k = 0; k < b.length; k++) h = Math.imul(h ^ b[k], 0x01000193);
  return (h >>> 0).toString(16);
}

function state(m: TestMachine): unknown {
  const cpu = m.cpu;
  return {
    regs: Array.from(cpu.r32), eip: cpu.eip, eflags: cpu.getEflags(), cr2: cpu.cr2,
    events: m.events.map((e) => [e.vector, e.error, e.eip]),
    data: hash(m.mem.u8.subarray(DATA - 0x1000, DATA + 0x5000)),
    code: hash(m.mem.u8.subarray(CODE, CODE + 0x80)),
    stack: hash(m.mem.u8.subarray(0x7EF000, 0x7F0000)),
    low: hash(m.mem.u8.subarray(0, 0x4000)),
    pageTables: hash(m.mem.u8.subarray(0x100000, 0x103000)), // accessed and dirty bits
  };
}

/**
 * One machine per variant and mode, reused: before each case the areas an instruction may have changed
 * (system tables, page tables, code, data, stack) get their initial contents back and the TLB is flushed.
 */
const RESTORE: [number, number][] = [[0, 0x4000], [CODE, 0x1000], [0x100000, 0x3000], [DATA - 0x1000, 0x6000], [0x7EF000, 0x1000]];
const machines = new Map<string, { m: TestMachine; saved: Uint8Array[] }>();

function runOnce(code: string, regs: number[], flags: number, v: Variant, inline: boolean): unknown {
  const key = JSON.stringify(v) + inline;
  let entry = machines.get(key);
  if (entry === undefined) {
    const m = machine(v);
    m.cpu.inlineForms = inline;
    for (let k = 0; k < 0x4000; k += 4) m.w32(DATA + k, (k * 0x9E3779B1) | 0);
    entry = { m, saved: RESTORE.map(([a, n]) => m.mem.u8.slice(a, a + n)) };
    machines.set(key, entry);
  }
  const { m, saved } = entry;
  RESTORE.forEach(([a], k) => m.mem.load(a, saved[k]));
  m.cpu.flushTlb(true);
  if (v.user) {
    // TLB entries made by the kernel for its own pages must not let ring 3 in: fill some at CPL 0 first.
    const cpu = m.cpu;
    cpu.cpl = 0; cpu.cplChanged();
    for (const a of [DATA + 0x2000, DATA + 0x3000, DATA]) cpu.writeLin32(a, cpu.readLin32(a));
    cpu.cpl = 3; cpu.cplChanged();
  }
  m.events.length = 0;
  m.cpu.halted = false;
  m.cpu.cr2 = 0;
  for (let k = 0; k < 8; k++) m.cpu.r32[k] = regs[k];
  m.cpu.setEflags(flags, 0x8D5);
  m.mem.load(CODE, hexBytes(code));
  m.cpu.eip = CODE;
  m.cpu.run(4); // flag setter, the instruction, then HLT (#GP at ring 3) or whatever follows
  return state(m);
}

/** The instruction forms with an inline form (one or more encodings each), as hex with `..` = random byte. */
const FORMS: string[] = [
  // ALU register forms, r/m ← r/m op reg and reg ← reg op r/m, every operation incl. ADC/SBB (call)
  '01c3', '09ca', '11d1', '19e3', '21f0', '29c7', '31db', '39e5', '03d8', '0bca', '13c1', '1bd3', '23f0', '2bc7', '33ff', '3bec',
  '6601c3', '6629c7', '663bec', 'f001c3', 'f00103', '0103', '0943..', '2104..', '2943....', '3103', '3943..', '0303', '0b43..', '2304..', '2b43....', '3303', '3b43..', '1303', '1103', '663b03', '6601..', '6729c7', '673903',
  // group 1 register forms and eAX forms
  '83c0..', '83c9..', '83d2..', '83db..', '83e4..', '83ed..', '83f6..', '83ff..', '81c0........', '81ee........', '81f9........',
  '05........', '0d........', '15........', '1d........', '25........', '2d........', '35........', '3d........', '6683c0..',
  '85c3', '85ff', '6685c3', '8503', '8543..', '8303..', '8343....', '834b....', '8363....', '836b....', '8373....', '837b....', '813b........', '8103........', 'f083....', '8353....', 'f7c3........', 'f703........', 'a9........', 'f6c3..', 'f603..', 'f60b..', 'a8..', 'f6e3', '80fb..', '3c..', '38d8', '3ad8', '3803', '88d8', '8ad8', '88e7', '8afc', '6681c3....',
  // INC / DEC
  '40', '41', '44', '47', '48', '4b', '4c', '4f', '6640', '6648',
  // shifts and rotates
  'c1c0..', 'c1c9..', 'c1e2..', 'c1eb..', 'c1f4..', 'c1fd..', 'c1d0..', 'c1d8..', 'd1c0', 'd1c9', 'd1e2', 'd1eb', 'd1fc', 'd1fd',
  'd3c0', 'd3c9', 'd3e2', 'd3eb', 'd3fc', 'd3fd', 'd3d0', '66c1e0..',
  // branches (the HLT after them is skipped or not)
  '7402', '7502', '7202', '7302', '7602', '7702', '7802', '7902', '7a02', '7b02', '7c02', '7d02', '7e02', '7f02', '7002', '7102',
  '0f8402000000', '0f8502000000', '0f8c02000000', '0f8f........', '74..', '75..',
  'eb02', 'eb..', 'e902000000', 'e9........', '66eb02',
  'e802000000', 'e8........', 'c3', 'c2....', '66c3',
  // stack
  '50', '53', '54', '55', '57', '58', '5b', '5c', '5d', '5f', '6650', '6658', '68........', '6a..',
  // moves, LEA, MOVZX, byte moves, CMP m8, imm8
  '89c3', '89e5', '8bd8', '8bec', '8903', '8943..', '890433', '89843380000000', '8b03', '8b4b..', '8b0c33', '8b8c33........',
  '891d........', '8b1d........', '648903', '648b03', '268903', '678907', '678b07', '66890b', '668b0b', '3e8b03', '368b03',
  'b8........', 'bb........', 'bc........', 'c7c0........', 'c703........', 'c743..........', '66c703....',
  '8d03', '8d4433..', '8d8433........', '8dc0', '678d07',
  '0fb6c3', '0fb603', '0fb64b..', '0fb7c3', '0fb703', '0fb74b..', '660fb603',
  '8803', '8843..', '8a03', '8a4b..', '88c3', '8ac3',
  'c6c0..', 'c603..', 'c643....', '803b..', '807b....', '80fb..', '64803b..', 'f0803b..',
  // moffs, MOV r8 imm, MOVSX, XCHG, CDQ, TEST r8, SETcc, CMOVcc, NOT/NEG, INC/DEC [m], CALL/JMP/PUSH r/m, LEAVE
  'a1........', 'a3........', 'a0........', 'a2........', '66a1........', 'a100002000', 'a300002000',
  'b0..', 'b4..', 'b7..', '0fbec3', '0fbe03', '0fbfc3', '0fbf03', '0fbf4b..', '660fbec3',
  '87d8', '87e3', '8703', '91', '94', '97', '6691', '99', '6699', '84c3', '84e7', '8403',
  '0f94c0', '0f95c7', '0f9c03', '0f9f43..', '0f92c3', '0f97c3', '0f9ac3', '0f90c3',
  '0f44c3', '0f45d8', '0f4c03', '0f4f43..', '0f42c3', '0f47c3', '0f4ac3', '0f40c3', '660f44c3',
  'f7d0', 'f7d3', 'f7d8', 'f7db', 'f7dc', '66f7d8', 'f713', 'f71b',
  'ff03', 'ff0b', 'ff43..', 'ff4b..', 'f0ff03', '66ff03', 'ffc0', 'ffcb',
  'ffd3', 'ff13', 'ff53..', 'ffe3', 'ff23', 'ff63..', 'ffd4', '66ffd3', 'ff33', 'ff73..', 'fff3', 'fff4', '66ff33',
  'c9', '66c9',
];

function expand(form: string, r: () => number): string {
  return form.replace(/\.\./g, () => (r() & 0xFF).toString(16).padStart(2, '0'));
}

const VARIANTS: Variant[] = [
  { user: false, smallCs: false, narrowDs: false, stack16: false },
  { user: true, smallCs: false, narrowDs: false, stack16: false },
  { user: false, smallCs: true, narrowDs: true, stack16: false },
  { user: true, smallCs: false, narrowDs: true, stack16: true },
];

test('every inline form leaves the same state as its handler, from random states', () => {
  const r = rng(0x1A2B3C4D);
  let cases = 0, faults = 0;
  for (const form of FORMS) {
    for (let n = 0; n < 30; n++) {
      const setter = FLAG_SETTERS[r() % FLAG_SETTERS.length];
      const code = setter + expand(form, r) + 'f4f4f4f4';
      const regs = Array.from({ length: 8 }, () => value(r));
      // ESP: the usual stack, a page edge, misaligned, unmapped, or random
      regs[4] = [0x7F0000, DATA + 0x1002, DATA + 0x1001, UNMAPPED + 0x10, value(r)][r() % 5];
      const flags = r();
      const v = VARIANTS[r() % VARIANTS.length];
      const inline = runOnce(code, regs, flags, v, true);
      const handler = runOnce(code, regs, flags, v, false);
      assert.deepEqual(inline, handler, `form ${form}: code ${code}, regs ${regs.map((x) => (x >>> 0).toString(16))}, flags ${flags.toString(16)}, ${JSON.stringify(v)}`);
      cases++;
      if ((handler as { events: unknown[] }).events.length > 0) faults++;
    }
  }
  // The states must have reached the faulting paths as well as the plain ones.
  assert.ok(faults > cases / 10 && faults < cases * 0.9, `faults ${faults} of ${cases}`);
});

test('an inline store into the page being executed is seen by the next instruction (SDM vol. 3A §11.6)', () => {
  for (const inline of [true, false]) {
    const m = machine({ user: false, smallCs: false, narrowDs: false, stack16: false });
    m.cpu.inlineForms = inline;
    // mov [ebx], eax; nop; nop with EBX = the (aligned) next instructions, "inc ecx" (41) x4, which become NOPs.
    m.cpu.r32[0] = 0x90909090 | 0; m.cpu.r32[3] = CODE + 4; m.cpu.r32[1] = 5;
    m.mem.load(CODE, hexBytes('89039090' + '41414141' + 'f4'));
    m.cpu.eip = CODE;
    m.cpu.run(10);
    assert.equal(m.cpu.r32[1], 5, 'the overwritten INCs do not run');
    assert.equal(m.cpu.eip, CODE + 9, 'stopped after the HLT');
  }
});

test('inline forms are given only where the decoder chose the form\'s handler', () => {
  const m = machine({ user: false, smallCs: false, narrowDs: false, stack16: false });
  m.mem.load(CODE, hexBytes('01c3' + '6601c3' + 'f001c3'));
  m.cpu.eip = CODE; const a = decodeAt(m.cpu);
  m.cpu.eip = CODE + 2; const b = decodeAt(m.cpu);
  m.cpu.eip = CODE + 5; const c = decodeAt(m.cpu);
  assert.equal(fastKind(a), K.AddRM);
  assert.equal(fastKind(b), K.Call, '16-bit operand size: the handler');
  assert.equal(fastKind(c), K.Call, 'LOCK with a register operand: #UD from the handler');
});

test('EIP, stack and data offsets at and above 2 GiB (int32 inside the interpreter) read back unsigned', () => {
  for (const inline of [true, false]) {
    const m = machine({ user: false, smallCs: false, narrowDs: false, stack16: false });
    m.cpu.inlineForms = inline;
    // 0xC0000000-0xC07FFFFF maps the first 8 MiB (PD entries 0x300, 0x301 = the machine's two page tables).
    m.w32(0x100000 + 0x300 * 4, 0x101000 | 7);
    m.w32(0x100000 + 0x301 * 4, 0x102000 | 7);
    m.cpu.flushTlb(true);
    const HI = 0xC0000000;
    // call sub ; mov eax,[ebx] ; mov [ebx+4],eax ; push dword [ebx] ; pop ecx ; jmp $+2 ; mov edx,[0] (#PF:
    // page 0 is made not present below) ; hlt ; sub: mov esi,[esp] ; ret
    m.mem.load(CODE, hexBytes('e811000000' + '8b03' + '894304' + 'ff33' + '59' + 'eb00' + '8b1500000000' + 'f4' + '8b3424c3'));
    m.w32(0x3000, 0x12345678);
    m.cpu.eip = HI + CODE;
    m.cpu.r32[3] = HI + 0x3000;
    m.cpu.r32[4] = HI + 0x7F0000;
    m.w32(0x101000, 0); m.cpu.flushTlb(true); // page 0 not present: the last load faults
    m.cpu.run(20);
    assert.equal(m.cpu.r32[0], 0x12345678);
    assert.equal(m.r32(0x3004), 0x12345678, 'the store through EBX = 0xC0003000');
    assert.equal(m.cpu.r32[1], 0x12345678, 'pushed and popped through ESP = 0xC07F0000');
    assert.equal(m.cpu.r32[6] >>> 0, HI + CODE + 5, 'CALL pushed the return address');
    assert.equal(m.events.length, 1);
    assert.deepEqual([m.events[0].vector, m.events[0].eip], [14, HI + CODE + 15], '#PF reported at the unsigned EIP');
    assert.equal(m.cpu.eip, HI + CODE + 15);
    assert.equal(m.cpu.r32[4] >>> 0, HI + 0x7F0000, 'ESP back where it was');
  }
});
