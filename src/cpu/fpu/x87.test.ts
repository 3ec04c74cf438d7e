// The x87 instruction layer against the SDM where the golden vectors (user32, CPL 3 on AMD silicon) cannot
// reach: CR0.EM/MP/TS/NE at CPL 0 (vol. 3A §2.5 Table 2-2, §6.15 #NM and #MF), the FERR# output for NE = 0
// (vol. 1 §8.7), the real-address-mode and 16-bit images of FNSAVE/FRSTOR (vol. 1 Figures 8-10, 8-12), the
// state after RESET and FNINIT (vol. 3A Table 9-1), faulting memory operands leaving the FPU as it was, and
// the two places where we follow the SDM rather than AMD silicon (FCOMI with an unmasked IE, a denormal load
// with DE unmasked).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, TestMachine } from '../test-machine.ts';
import { runCase } from '../../harness/exec.ts';
import { AF, CF, CR0_EM, CR0_MP, CR0_NE, CR0_TS, EAX, MF, NM, OF, PF, PFV, SF, ZF } from '../regs.ts';
import { FEATURES_EDX, FEAT_FPU, FEAT_CMOV } from '../cpuid.ts';
import { PC, IRQ_FPU } from '../../platform/pc.ts';

const FLD1 = 'd9e8', FLDZ = 'd9ee', FWAIT = '9b', FNINIT = 'dbe3', FNSTSW_AX = 'dfe0', FNCLEX = 'dbe2', HLT = 'f4';
const FDIVP = 'def9'; // FDIVP ST(1), ST(0): 1/0 → ZE
const le = (v: number, n: number) => Array.from({ length: n }, (_, k) => ((v >>> (8 * k)) & 0xFF).toString(16).padStart(2, '0')).join('');
/** FLDCW [addr] / FLD m32 [addr] / FSTP m32 [addr] / FNSAVE [addr] with an absolute 32-bit address. */
const fldcw = (a: number) => 'd92d' + le(a, 4);
const fldM32 = (a: number) => 'd905' + le(a, 4);
const fstpM32 = (a: number) => 'd91d' + le(a, 4);
const fnsave = (a: number) => 'dd35' + le(a, 4);
const fld80 = (a: number) => 'db2d' + le(a, 4);
const CW = 0x20000;

/** A CPL-0 protected-mode machine with the x87 after FNINIT and CR0 = PE | ET | extra. */
function machine(cr0Extra: number, paging = false): TestMachine {
  const m = new TestMachine({ paging });
  m.cpu.cr0 |= cr0Extra;
  m.cpu.fpu.init();
  return m;
}

function snapshot(m: TestMachine): unknown {
  const f = m.cpu.fpu;
  return { top: f.top, empty: f.empty, sw: f.statusWord(), cw: f.controlWord(), fip: f.fip, fop: f.fop, fdp: f.fdp, regs: [...f.se, ...f.hi, ...f.lo] };
}

test('reset and FNINIT state (SDM vol. 3A Table 9-1; vol. 2 FINIT)', () => {
  const m = new TestMachine(); // a CPU just out of RESET, then given protected-mode segments (not the FPU)
  const f = m.cpu.fpu;
  assert.equal(f.controlWord(), 0x0040);
  assert.equal(f.statusWord(), 0);
  assert.equal(f.tagWord(), 0x5555, 'every register tagged zero (holding +0.0)');
  m.cpu.fpu.fip = 0x1234;
  assert.equal(m.run(FNINIT + HLT), null);
  assert.equal(f.controlWord(), 0x037F);
  assert.equal(f.statusWord(), 0);
  assert.equal(f.tagWord(), 0xFFFF);
  assert.equal(f.fip, 0);
});

test('#NM for ESC and WAIT by CR0.EM/MP/TS (SDM vol. 3A §2.5 Table 2-2)', () => {
  for (let bits = 0; bits < 8; bits++) {
    const em = bits & 1 ? CR0_EM : 0, mp = bits & 2 ? CR0_MP : 0, ts = bits & 4 ? CR0_TS : 0;
    for (const [name, code, faults] of [
      ['ESC (FLD1)', FLD1, em !== 0 || ts !== 0],
      ['non-waiting ESC (FNINIT)', FNINIT, em !== 0 || ts !== 0],
      ['WAIT', FWAIT, mp !== 0 && ts !== 0],
    ] as [string, string, boolean][]) {
      const m = machine(em | mp | ts);
      const before = snapshot(m);
      const ev = m.run(code + HLT);
      const what = `${name} with EM=${em ? 1 : 0} MP=${mp ? 1 : 0} TS=${ts ? 1 : 0}`;
      if (faults) {
        assert.deepEqual(ev && { v: ev.vector, e: ev.error, eip: ev.eip }, { v: NM, e: -1, eip: CODE }, what);
        assert.deepEqual(snapshot(m), before, `${what}: FPU unchanged`);
      } else {
        assert.equal(ev, null, what);
      }
    }
  }
});

test('#MF at the next waiting instruction, not at the one that raised it, nor at non-waiting ones (NE=1)', () => {
  const m = machine(CR0_NE);
  m.w32(CW, 0x037B); // ZE unmasked
  // fldcw; fld1; fldz; fdivp (ZE → pending); fnstsw ax (non-waiting); fnclex? no: fwait → #MF
  const code = fldcw(CW) + FLD1 + FLDZ + FDIVP + FNSTSW_AX + FWAIT + HLT;
  const ev = m.run(code);
  assert.ok(ev);
  assert.equal(ev.vector, MF);
  assert.equal(ev.error, -1);
  assert.equal(ev.eip, CODE + 6 + 2 + 2 + 2 + 2, 'the FWAIT');
  assert.equal(m.cpu.r16[EAX << 1] & 0x80FF, 0x8084, 'FNSTSW saw B, ES and ZE');
  assert.equal(m.cpu.fpu.top, 6, 'the unmasked ZE left the stack alone: no pop');
});

test('#NM has priority over a pending #MF; WAIT without MP ignores TS (SDM vol. 3A §6.15, Table 2-2)', () => {
  for (const [mp, vector] of [[CR0_MP, NM], [0, MF]]) {
    const m = machine(CR0_NE | mp);
    m.w32(CW, 0x037B);
    assert.equal(m.run(fldcw(CW) + FLD1 + FLDZ + FDIVP + HLT), null);
    m.cpu.cr0 |= CR0_TS;
    const ev = m.run(FWAIT + HLT);
    assert.equal(ev?.vector, vector, `MP=${mp ? 1 : 0} TS=1`);
  }
});

test('CR0.NE=0: no #MF; FERR# is raised by the unmasked exception and dropped by FNCLEX (SDM vol. 1 §8.7)', () => {
  const m = machine(0);
  const ferr: boolean[] = [];
  m.cpu.ferr = (level) => ferr.push(level);
  m.w32(CW, 0x037B);
  assert.equal(m.run(fldcw(CW) + FLD1 + FLDZ + FDIVP + HLT), null);
  assert.deepEqual(ferr, [true], 'asserted by the FDIVP');
  assert.equal(m.run(FWAIT + FLD1 + HLT), null, 'waiting instructions proceed (IGNNE# behaviour)');
  assert.equal(m.cpu.fpu.top, 5);
  assert.equal(m.run(FNCLEX + HLT), null);
  assert.deepEqual(ferr, [true, false]);
  // With NE=1 the hook stays quiet: the exception is reported as #MF instead.
  const n = machine(CR0_NE);
  const quiet: boolean[] = [];
  n.cpu.ferr = (level) => quiet.push(level);
  n.w32(CW, 0x037B);
  n.run(fldcw(CW) + FLD1 + FLDZ + FDIVP + HLT);
  assert.deepEqual(quiet, []);
});

test('FLDCW unmasking a set flag makes it pending (SDM vol. 2 FLDCW)', () => {
  const m = machine(CR0_NE);
  m.w32(CW, 0x037B);
  assert.equal(m.run(FLD1 + FLDZ + FDIVP + FWAIT + HLT), null, 'masked ZE: nothing pending');
  const ev = m.run(fldcw(CW) + FWAIT + HLT);
  assert.equal(ev?.vector, MF);
  assert.equal(ev?.eip, CODE + 6);
});

test('FNSAVE/FRSTOR in real-address mode, 16- and 32-bit images (SDM vol. 1 Figures 8-10 and 8-12)', () => {
  // mov ax,0x2000; mov ds,ax; fld1; fadd dword [0x10]; fnsave [0x100]; o32 fnsave [0x200]; fninit;
  // frstor [0x100]; o32 fnsave [0x300]; hlt — at CS:IP = 1000:0000.
  const code = 'b800208ed8d9e8d8061000dd36000166dd360002dbe3dd26000166dd360003f4';
  const r = runCase({ mode: 'real16', code, mem: [{ addr: 0x20010, hex: le(0x40000000, 4) }],
    dump: [{ addr: 0x20100, len: 94 }, { addr: 0x20200, len: 28 }, { addr: 0x20300, len: 108 }] }) as { ok: boolean; mem: { hex: string }[] };
  assert.equal(r.ok, true);
  const three = le(0, 4) + le(0xC0000000, 4) + le(0x4000, 2); // 3.0
  // 16-bit real image: CW, SW (TOP 7), TW (R7 valid), FIP 15:0 = 0007 (the FADD), FIP 19:16 << 12 | FOP
  // (D8 06 → 006), FDP 15:0 = 0010, FDP 19:16 << 12 (DS:0010 = linear 20010h).
  const img16 = le(0x037F, 2) + le(0x3800, 2) + le(0x3FFF, 2) + le(0x0007, 2) + le(0x1006, 2) + le(0x0010, 2) + le(0x2000, 2);
  assert.equal(r.mem[0].hex, img16 + three + '00'.repeat(70));
  // After the first FNSAVE the FPU is initialized: the second image is FNINIT's state.
  assert.equal(r.mem[1].hex, le(0xFFFF037F, 4) + le(0xFFFF0000, 4) + le(0xFFFFFFFF, 4) + le(0xFFFF0000, 4) + le(0, 4) + le(0xFFFF0000, 4) + le(0, 4));
  // FRSTOR of the 16-bit image, saved again in the 32-bit real format: the same state, 32-bit linear pointers
  // split 15:0 / 31:16 << 12, reserved upper halves stored as 1s.
  const img32 = le(0xFFFF037F, 4) + le(0xFFFF3800, 4) + le(0xFFFF3FFF, 4) + le(0xFFFF0007, 4) + le(0x00001006, 4) + le(0xFFFF0010, 4) + le(0x00002000, 4);
  assert.equal(r.mem[2].hex, img32 + three + '00'.repeat(70));
});

test('16-bit protected-mode image: FIP/FDP offsets, FCS/FDS selectors, no opcode (SDM vol. 1 Figure 8-11)', () => {
  const m = machine(CR0_NE);
  m.w32(0x20010, 0x40000000);
  // fld1; fadd dword [0x20010]; o16 fnsave [0x20100]; hlt
  assert.equal(m.run(FLD1 + 'd805' + le(0x20010, 4) + '66' + fnsave(0x20100) + HLT), null);
  const b = m.mem.u8.subarray(0x20100, 0x2010E);
  assert.deepEqual([...b], [0x7F, 0x03, 0x00, 0x38, 0xFF, 0x3F, 0x02, 0x00, 0x08, 0x00, 0x10, 0x00, 0x10, 0x00]);
  assert.equal(m.cpu.fpu.tagWord(), 0xFFFF, 'FNSAVE initialized the FPU');
});

test('faulting memory operands leave the FPU and memory unchanged (#PF with CR2)', () => {
  const m = machine(CR0_NE, true);
  assert.equal(m.run(FLD1 + FLDZ + HLT), null);
  const before = snapshot(m);
  for (const [what, code, cr2, err] of [
    ['FLD m32 from an unmapped page', fldM32(0x900000), 0x900000, 0],
    ['FSTP m32 across into an unmapped page', fstpM32(0x7FFFFE), 0x800000, 2],
    ['FSTP m80 across', 'db3d' + le(0x7FFFF8, 4), 0x800000, 2],
    ['FNSAVE across (the image\'s last byte in CR2)', fnsave(0x7FFFA0), 0x80000B, 2],
    ['FRSTOR across', 'dd25' + le(0x7FFFA0, 4), 0x80000B, 0],
  ] as [string, string, number, number][]) {
    m.mem.u8.fill(0xA5, 0x7FFF00, 0x800000);
    const ev = m.run(code + HLT);
    assert.deepEqual(ev && { v: ev.vector, e: ev.error }, { v: PFV, e: err }, what);
    assert.equal(m.cpu.cr2, cr2, `${what}: CR2`);
    assert.deepEqual(snapshot(m), before, `${what}: FPU unchanged`);
    assert.ok(m.mem.u8.subarray(0x7FFF00, 0x800000).every((x) => x === 0xA5), `${what}: nothing written`);
  }
});

test('FCOMI with an unmasked IE: ZF PF CF unchanged, OF SF AF cleared, no pop (SDM vol. 2 FCOMI)', () => {
  const m = machine(CR0_NE);
  m.w32(CW, 0x037E);
  m.w32(0x20010, 0); m.w32(0x20014, 0xC0000000); m.w32(0x20018, 0x7FFF); // a QNaN
  m.cpu.flags = 0x2 | CF | OF | SF | AF;
  assert.equal(m.run(fld80(0x20010) + FLD1 + fldcw(CW) + 'dff1' + HLT), null); // fcomip st1
  const fl = m.cpu.getEflags();
  assert.equal(fl & (ZF | PF | CF | OF | SF | AF), CF);
  assert.equal(m.cpu.fpu.top, 6, 'not popped');
  assert.equal(m.cpu.fpu.statusWord() & 0x80C1, 0x8081, 'IE, ES, B; no SF');
  // Masked, the same compare is unordered: ZF PF CF = 111, and the pop happens.
  const n = machine(CR0_NE);
  n.w32(0x20010, 0); n.w32(0x20014, 0xC0000000); n.w32(0x20018, 0x7FFF);
  n.cpu.flags = 0x2 | OF | SF | AF;
  assert.equal(n.run(fld80(0x20010) + FLD1 + 'dff1' + HLT), null);
  assert.equal(n.cpu.getEflags() & (ZF | PF | CF | OF | SF | AF), ZF | PF | CF);
  assert.equal(n.cpu.fpu.top, 7);
});

test('a denormal m32 load with DE unmasked loads nothing (SDM vol. 1 §8.5.2: TOP unchanged)', () => {
  const m = machine(CR0_NE);
  m.w32(CW, 0x037D);
  m.w32(0x20010, 1);
  assert.equal(m.run(fldcw(CW) + FLD1 + fldM32(0x20010) + HLT), null);
  assert.equal(m.cpu.fpu.top, 7);
  assert.equal(m.cpu.fpu.statusWord() & 0x80FF, 0x8082);
  assert.equal(m.run(FWAIT + HLT)?.vector, MF);
});

test('CPUID.1:EDX reports the FPU with CMOV (so FCMOVcc and FCOMI exist), not FXSR/MMX/SSE', () => {
  assert.equal(FEATURES_EDX & FEAT_FPU, FEAT_FPU);
  assert.equal(FEATURES_EDX & FEAT_CMOV, FEAT_CMOV);
  assert.equal(FEATURES_EDX & ((1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)), 0);
});

test('PC wiring: FERR# raises IRQ 13, a write to port F0h clears it (PC/AT, SDM vol. 1 Appendix D)', () => {
  const pc = new PC({ memSize: 2 << 20 });
  const bit = 1 << IRQ_FPU;
  assert.equal(pc.pic.irr & bit, 0);
  // A real unmasked exception with CR0.NE = 0 drives it: run FLD1; FLDZ; FDIVP with ZE unmasked at CPL 0.
  const m = machine(0);
  m.cpu.ferr = pc.cpu.ferr;
  m.w32(CW, 0x037B);
  assert.equal(m.run(fldcw(CW) + FLD1 + FLDZ + FDIVP + HLT), null);
  assert.equal(pc.pic.irr & bit, bit);
  pc.io.out8(0xF0, 0);
  assert.equal(pc.pic.irr & bit, 0);
});
