// Event delivery, checked against the SDM: vol. 3A chapter 6 (IDT gates, stack switch, error codes,
// #DF/shutdown), vol. 3A §20.1.4 (real-mode IVT), vol. 2 "INT n/INTO/INT3/INT1" and "IRET/IRETD".
// Every expected value is derived from the SDM text cited on each test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from './cpu.ts';
import { EventKind } from './interrupts.ts';
import { CS, DS, ES, SS, ESP, EAX, IF, TF, NT, RF, AC, IOPL, VM, CR0_PE } from './regs.ts';
import {
  EventMachine, FakePic, CODE, KCS, KDS, UCS, UDS, KCS16, K1DS, UCS_CONF, KSTACK, USTACK, TSSA_SEL, TSS_A,
  KDS_SMALL, KDS_NP, IDT, putDesc, GDT,
} from './event-fixture.ts';

// ---------------------------------------------------------------------------------------------------
// Real-address mode (SDM vol. 3A §20.1.4; vol. 2 INT n "REAL-ADDRESS-MODE", IRET "REAL-ADDRESS-MODE")
// ---------------------------------------------------------------------------------------------------

function realMachine(): EventMachine {
  const m = new EventMachine();
  const cpu = m.cpu;
  cpu.cr0 &= ~CR0_PE;
  cpu.idtrBase = 0; cpu.idtrLimit = 0x3FF;
  for (let s = 0; s < 6; s++) { cpu.segSel[s] = 0; cpu.segBase[s] = 0; cpu.segLimit[s] = 0xFFFF; cpu.segAR[s] = 0x93; }
  cpu.segSel[CS] = 0x1000; cpu.segBase[CS] = 0x10000; cpu.segAR[CS] = 0x9B;
  cpu.segSel[SS] = 0x0800; cpu.segBase[SS] = 0x8000;
  cpu.modeChanged();
  cpu.r32[ESP] = 0x1000;
  cpu.eip = 0;
  return m;
}

test('real mode INT 21h: FLAGS, CS, IP pushed; IF/TF cleared; CS:IP from the IVT (SDM 3A §20.1.4)', () => {
  const m = realMachine(), cpu = m.cpu;
  m.w16(0x21 * 4, 0x0100); m.w16(0x21 * 4 + 2, 0x2000);          // IVT[21h] = 2000:0100
  m.code(0x20100, 'f4');                                          // handler: HLT
  m.code(0x10000, 'cd21');
  cpu.flags = 0x2 | IF | TF | 0x1;                                // IF, TF, CF
  cpu.tfAtStart = true;
  assert.equal(m.run(), Stop.Halt);
  assert.equal(cpu.segSel[CS], 0x2000);
  assert.equal(cpu.eip, 0x0101);
  assert.equal(cpu.r16[ESP << 1], 0x1000 - 6);
  // [SP] = IP after INT, [SP+2] = CS, [SP+4] = FLAGS as they were (IF|TF|CF|bit 1).
  assert.deepEqual(m.stack16(0x8000 + 0x1000 - 6, 3), [0x0002, 0x1000, 0x0303]);
  assert.equal(cpu.getEflags() & (IF | TF), 0);
  // The INT instruction is not single-stepped: TF is cleared by the delivery (80286 and later).
  assert.deepEqual(m.seq(), [[0x21, -1]]);
});

test('real mode IRET restores FLAGS, CS, IP; IRETD keeps VM/VIF/VIP (SDM 2 IRET)', () => {
  const m = realMachine(), cpu = m.cpu;
  m.code(0x10000, 'cf');                                           // IRET
  m.w16(0x9000, 0x0010); m.w16(0x9002, 0x3000); m.w16(0x9004, 0x08C5);
  m.code(0x30010, 'f4');
  assert.equal(m.run('', 3), Stop.Halt);
  assert.equal(cpu.segSel[CS], 0x3000);
  assert.equal(cpu.segBase[CS], 0x30000);
  assert.equal(cpu.eip, 0x11);
  assert.equal(cpu.getEflags(), 0x08C7);
  assert.equal(cpu.r16[ESP << 1], 0x1006);
});

test('real mode: an IVT too short for #GP then #DF shuts the processor down (SDM 3A §6.15)', () => {
  const m = realMachine(), cpu = m.cpu;
  cpu.idtrLimit = 0x3F;                                           // vectors 0-15 only
  m.code(0x10000, 'cd40');
  // INT 40h: beyond the IVT → #GP; vector 13 is inside, handler address 0:0 → executes zeros... give it a HLT.
  m.w16(13 * 4, 0x0500); m.w16(13 * 4 + 2, 0);
  m.code(0x500, 'f4');
  assert.equal(m.run(), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x40, -1], [13, 0x40 * 8 + 2]]);
  // Now an IVT that ends before vector 8 as well: #GP (software INT) → serial #GP beyond the limit →
  // #GP while delivering #GP → #DF beyond the limit → shutdown.
  const m2 = realMachine();
  m2.cpu.idtrLimit = 0x1F;
  m2.code(0x10000, 'cd40');
  assert.equal(m2.run(), Stop.Shutdown);
  assert.equal(m2.cpu.shutdown, true);
  assert.deepEqual(m2.seq(), [[0x40, -1], [13, 0x40 * 8 + 2], [8, 0]]);
  assert.equal(m2.cpu.run(10), Stop.Shutdown);
});

// ---------------------------------------------------------------------------------------------------
// Protected mode, same privilege (SDM vol. 2 INT n "INTRA-PRIVILEGE-LEVEL-INTERRUPT", vol. 3A Figure 6-4)
// ---------------------------------------------------------------------------------------------------

test('INT n through a 32-bit interrupt gate at CPL 0: EFLAGS, CS, EIP pushed; IF, TF, NT, RF cleared', () => {
  const m = new EventMachine(), cpu = m.cpu;
  cpu.flags = 0x2 | IF | NT | 0x800;                              // IF, NT, OF
  assert.equal(m.run('90cd41'), Stop.Halt);                       // NOP; INT 41h
  assert.equal(cpu.eip, m.afterHandler(0x41));
  assert.equal(m.esp(), KSTACK - 12);
  assert.deepEqual(m.stack32(KSTACK - 12, 3), [CODE + 3, KCS, 0x2 | IF | NT | 0x800]);
  assert.equal(cpu.getEflags() & (IF | NT | TF | RF), 0);
  assert.equal(cpu.getEflags() & 0x800, 0x800);
  assert.deepEqual(m.events, [{ vector: 0x41, error: -1, kind: EventKind.Software, eip: CODE + 3 }]);
});

test('a trap gate leaves IF set (SDM 3A §6.12.1.3)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.gate(0x41, 0xF, KCS, m.handler(0x41), 0);
  cpu.flags = 0x2 | IF;
  assert.equal(m.run('cd41'), Stop.Halt);
  assert.equal(cpu.getEflags() & IF, IF);
});

test('a 16-bit interrupt gate pushes FLAGS, CS, IP as words and uses the low 16 bits of the offset', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.gate(0x42, 0x6, KCS16, 0x12345678, 0);                          // offset is truncated to 0x5678
  m.code(0x5678, 'f4');
  cpu.flags = 0x2 | IF;
  assert.equal(m.run('cd42'), Stop.Halt);
  assert.equal(cpu.segSel[CS], KCS16);
  assert.equal(cpu.eip, 0x5679);
  assert.equal(m.esp(), KSTACK - 6);
  assert.deepEqual(m.stack16(KSTACK - 6, 3), [(CODE + 2) & 0xFFFF, KCS, 0x202]);
});

test('exception with error code through an interrupt gate: the error code is pushed last, RF set for faults', () => {
  // IRET with a null CS selector on the stack: #GP(0), a fault (SDM 2 IRET: "#GP(0) if the return code
  // segment selector is NULL"); RF=1 in the pushed EFLAGS for fault-class exceptions (SDM 3B §17.3.1.1).
  const m = new EventMachine(), cpu = m.cpu;
  m.w32(KSTACK, CODE); m.w32(KSTACK + 4, 0); m.w32(KSTACK + 8, 0x202);
  cpu.flags = 0x2 | IF;
  assert.equal(m.run('cf'), Stop.Halt);
  assert.deepEqual(m.seq(), [[13, 0]]);
  assert.equal(m.esp(), KSTACK - 16);
  assert.deepEqual(m.stack32(KSTACK - 16, 4), [0, CODE, KCS, 0x202 | RF]);
  assert.equal(cpu.getEflags() & (RF | IF), 0);
});

test('INT3 and INTO push the address of the next instruction; INTO does nothing with OF=0 (SDM 2 INTO)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  assert.equal(m.run('cc'), Stop.Halt);
  assert.deepEqual(m.events, [{ vector: 3, error: -1, kind: EventKind.SoftwareException, eip: CODE + 1 }]);
  assert.equal(m.r32(KSTACK - 12), CODE + 1);
  const m2 = new EventMachine();
  // MOV AL,7Fh; ADD AL,1 (OF=1); INTO
  assert.equal(m2.run('b07f0401ce'), Stop.Halt);
  assert.deepEqual(m2.events, [{ vector: 4, error: -1, kind: EventKind.SoftwareException, eip: CODE + 5 }]);
  const m3 = new EventMachine();
  // MOV AL,1; ADD AL,1 (OF=0); INTO; HLT
  assert.equal(m3.run('b0010401cef4'), Stop.Halt);
  assert.deepEqual(m3.events, []);
  assert.equal(m3.cpu.eip, CODE + 6);
  void cpu;
});

// ---------------------------------------------------------------------------------------------------
// Faults in delivery: error codes with the IDT and EXT bits (SDM vol. 3A §6.13, Figure 6-7)
// ---------------------------------------------------------------------------------------------------

test('INT n beyond the IDT limit: #GP(vector*8+2), EXT=0 for software interrupts', () => {
  const m = new EventMachine();
  m.cpu.idtrLimit = 0x20 * 8 - 1;
  assert.equal(m.run('cd20'), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x20, -1], [13, 0x102]]);
  // The fault is a fault of INT: its frame points at the INT instruction.
  assert.equal(m.r32(m.esp() + 4), CODE);
});

test('external interrupt beyond the IDT limit: #GP(vector*8+2+1), EXT=1 (SDM 3A §6.13)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.cpu.idtrLimit = 0x30 * 8 - 1;
  cpu.pic = new FakePic(0x30, cpu);
  cpu.flags = 0x2 | IF;
  cpu.setIntr(true);
  assert.equal(m.run('90'), Stop.Halt);
  // The interrupt is taken after the NOP; the #GP frame points at the next instruction (a fault taken
  // at an instruction boundary).
  assert.deepEqual(m.seq(), [[0x30, -1], [13, 0x30 * 8 + 3]]);
  assert.deepEqual(m.stack32(m.esp(), 2), [0x30 * 8 + 3, CODE + 1]);
});

test('not-present gate: #NP(vector*8+2+EXT); wrong gate type: #GP(vector*8+2+EXT)', () => {
  const m = new EventMachine();
  m.gate(0x50, 0xE, KCS, m.handler(0x50), 0, false);
  assert.equal(m.run('cd50'), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x50, -1], [11, 0x50 * 8 + 2]]);
  // #GP from IRET (an exception, EXT=1 for faults in its delivery) with the #GP gate not present.
  const m2 = new EventMachine();
  m2.gate(13, 0xE, KCS, m2.handler(13), 0, false);
  m2.w32(KSTACK, CODE); m2.w32(KSTACK + 4, 0); m2.w32(KSTACK + 8, 0x2);
  assert.equal(m2.run('cf'), Stop.Halt);
  // #GP then #NP while delivering it: both contributory → #DF (SDM 3A Table 6-5).
  assert.deepEqual(m2.seq(), [[13, 0], [8, 0]]);
  // A call-gate type (0xC) in the IDT: #GP(vector*8+2).
  const m3 = new EventMachine();
  m3.gate(0x51, 0xC, KCS, m3.handler(0x51), 0);
  assert.equal(m3.run('cd51'), Stop.Halt);
  assert.deepEqual(m3.seq(), [[0x51, -1], [13, 0x51 * 8 + 2]]);
});

test('gate DPL < CPL: INT n, INT3, INTO → #GP(vector*8+2); INT1 (ICEBP) is not checked', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  m.gate(13, 0xE, KCS, m.handler(13), 0);
  assert.equal(m.run('cd21'), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x21, -1], [13, 0x10A]]);
  for (const [hex, v] of [['cc', 3], ['b07f0401ce', 4]] as const) {
    const m2 = new EventMachine();
    m2.setRing(3);
    assert.equal(m2.run(hex), Stop.Halt);
    assert.deepEqual(m2.seq(), [[v, -1], [13, v * 8 + 2]]);
  }
  const m4 = new EventMachine();
  m4.setRing(3);
  assert.equal(m4.run('f1'), Stop.Halt);
  assert.deepEqual(m4.events, [{ vector: 1, error: -1, kind: EventKind.PrivilegedSoftware, eip: CODE + 1 }]);
  assert.equal(m4.cpu.cpl, 0);
  void cpu;
});

test('gate to a null, non-code or not-present code segment, or one with DPL > CPL (SDM 2 INT n)', () => {
  const cases: [number, number, number][] = [
    // [gate selector, expected vector, expected error code]
    [0x0000, 13, 0],                     // null selector: #GP(EXT) = #GP(0) for INT n
    [0x0700, 13, 0x700],                 // beyond the GDT limit
    [KDS, 13, KDS],                      // a data segment
    [KDS_NP, 13, KDS_NP & 0xFFFC],       // data and not present: the type check comes first
  ];
  for (const [sel, v, err] of cases) {
    const m = new EventMachine();
    m.gate(0x60, 0xE, sel, 0x1000, 0);
    assert.equal(m.run('cd60'), Stop.Halt, `sel ${sel}`);
    assert.deepEqual(m.seq(), [[0x60, -1], [v, err]], `sel ${sel}`);
  }
  // Not-present code segment: #NP(selector).
  const m = new EventMachine();
  putDesc(m.mem, GDT + 0x60, 0, 0xFFFFF, 0x1B, 0xC);
  m.gate(0x60, 0xE, 0x60, 0x1000, 0);
  assert.equal(m.run('cd60'), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x60, -1], [11, 0x60]]);
  // Ring-3 code as the target of an interrupt at CPL 0: DPL > CPL → #GP(selector).
  const m2 = new EventMachine();
  m2.gate(0x60, 0xE, UCS, 0x1000, 0);
  assert.equal(m2.run('cd60'), Stop.Halt);
  assert.deepEqual(m2.seq(), [[0x60, -1], [13, UCS & 0xFFFC]]);
  // Gate offset beyond the code segment limit: #GP(0) (EXT=0 for INT n), nothing pushed.
  const m3 = new EventMachine();
  m3.gate(0x60, 0x6, KCS16, 0x10000 - 1, 0);
  putDesc(m3.mem, GDT + 0x38, 0, 0x0FFF, 0x9B, 0);
  assert.equal(m3.run('cd60'), Stop.Halt);
  assert.deepEqual(m3.seq(), [[0x60, -1], [13, 0]]);
  assert.equal(m3.esp(), KSTACK - 16);                             // only the #GP frame
});

// ---------------------------------------------------------------------------------------------------
// Inter-privilege delivery: stack switch through the TSS (SDM vol. 3A §6.12.1, Figure 6-4)
// ---------------------------------------------------------------------------------------------------

test('ring 3 → ring 0: SS:ESP from TSS.SS0:ESP0; frame (from the top) SS ESP EFLAGS CS EIP (SDM 3A Fig. 6-4)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  m.gate(0x80, 0xE, KCS, m.handler(0x80), 3);
  cpu.flags = 0x2 | IF | 0x1;
  cpu.r32[ESP] = USTACK - 0x10;
  m.code(CODE, 'cd80f4');
  cpu.eip = CODE;
  // Stop after INT (1 instruction): check the frame on the ring-0 stack.
  assert.equal(cpu.run(1), Stop.Limit);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.segSel[SS], KDS);
  assert.equal(cpu.segSel[CS], KCS);
  assert.equal(m.esp(), KSTACK - 20);
  assert.deepEqual(m.stack32(KSTACK - 20, 5), [CODE + 2, UCS, 0x203, USTACK - 0x10, UDS]);
  assert.equal(cpu.getEflags() & IF, 0);
});

test('ring 3 → ring 0 → IRETD: registers, CPL and the data segment rule of IRET (SDM 2 IRET)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  m.gate(0x80, 0xE, KCS, m.handler(0x80), 3);
  m.code(m.handler(0x80), '66b810008ed8' + '66b81000' + '8ec0' + 'cf'); // ds = es = 10h; iretd
  cpu.flags = 0x2 | IF;
  m.code(CODE, 'cd80' + 'cd03');                                  // INT 80h; INT3 (DPL 0 → #GP at CPL 3)
  cpu.eip = CODE;
  cpu.run(6);                                                       // INT, 4 handler insns, IRETD
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.eip, CODE + 2);
  assert.equal(cpu.segSel[CS], UCS);
  assert.equal(cpu.segSel[SS], UDS);
  assert.equal(m.esp(), USTACK);
  assert.equal(cpu.segSel[DS], 0);
  assert.equal(cpu.segSel[ES], 0);
  assert.equal(cpu.getEflags(), 0x202);
});

test('stack switch faults: #TS for a bad TSS stack selector, #SS for a not-present or too small stack', () => {
  // The #TS/#SS/#GP gates lead to DPL-3 code, so that their delivery from CPL 3 needs no stack switch
  // (SDM 2 INT n INTRA-PRIVILEGE-LEVEL-INTERRUPT) and the handler sees the error code.
  const setup = (ss0: number, esp0: number): EventMachine => {
    const m = new EventMachine();
    m.setRing(3);
    m.gate(0x80, 0xE, KCS, m.handler(0x80), 3);
    for (const v of [10, 12, 13]) m.gate(v, 0xE, UCS, m.handler(v), 0);
    m.w16(TSS_A + 8, ss0); m.w32(TSS_A + 4, esp0);
    return m;
  };
  const expect = (ss0: number, esp0: number, v: number, err: number): void => {
    const m = setup(ss0, esp0);
    m.code(CODE, 'cd80');
    m.cpu.eip = CODE;
    m.cpu.run(1);
    assert.deepEqual(m.seq(), [[0x80, -1], [v, err]], `ss0 ${ss0.toString(16)} esp0 ${esp0.toString(16)}`);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.eip, m.handler(v));
    // INT n was abandoned: the #TS/#SS frame on the ring-3 stack points at it.
    assert.deepEqual(m.stack32(USTACK - 16, 2), [err, CODE]);
  };
  expect(0, KSTACK, 10, 0);                                  // null SS: #TS(EXT) (EXT=0: INT n)
  expect(0x700, KSTACK, 10, 0x700);                          // beyond the GDT: #TS(SS)
  expect(KDS | 1, KSTACK, 10, KDS);                          // RPL ≠ new CPL
  expect(K1DS & ~3, KSTACK, 10, K1DS & 0xFFFC);              // DPL 1 ≠ 0
  expect(KCS, KSTACK, 10, KCS);                              // not a writable data segment
  expect(KDS_NP, KSTACK, 12, KDS_NP);                        // not present: #SS(SS)
  // 256-byte stack segment at 0x8FF00: ESP0 = 0x10 leaves room for only 16 of the 20 bytes → #SS(SS).
  expect(KDS_SMALL, 0x10, 12, KDS_SMALL);
  // TSS too short for SS0:ESP0: #TS(TSS selector).
  const m = setup(KDS, KSTACK);
  m.cpu.trLimit = 8;
  m.code(CODE, 'cd80'); m.cpu.eip = CODE; m.cpu.run(1);
  assert.deepEqual(m.seq(), [[0x80, -1], [10, TSSA_SEL]]);
  // A stack segment with exactly 20 bytes of room works.
  const m2 = setup(KDS_SMALL, 0x14);
  m2.code(CODE, 'cd80'); m2.cpu.eip = CODE; m2.cpu.run(1);
  assert.deepEqual(m2.seq(), [[0x80, -1]]);
  assert.equal(m2.esp(), 0);
  assert.deepEqual(m2.stack32(0x8FF00, 5), [CODE + 2, UCS, 0x2, USTACK, UDS]);
});

test('error code pushed by an inter-privilege exception: 6 dwords (SDM 3A Figure 6-4)', () => {
  // At CPL 3, IRET to a null CS: #GP(0) through the ring-0 gate, frame SS ESP EFLAGS CS EIP ERR.
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  cpu.r32[ESP] = USTACK - 12;
  m.w32(USTACK - 12, CODE); m.w32(USTACK - 8, 0); m.w32(USTACK - 4, 0x202);
  cpu.flags = 0x202;
  assert.equal(m.run('cf'), Stop.Halt);
  assert.deepEqual(m.seq(), [[13, 0]]);
  assert.deepEqual(m.stack32(KSTACK - 24, 6), [0, CODE, UCS, 0x202 | RF, USTACK - 12, UDS]);
});

test('conforming handler: no stack switch, CPL unchanged (SDM 3A §6.12.1.1)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  m.gate(0x81, 0xE, UCS_CONF, m.handler(0x81), 3);
  m.code(m.handler(0x81), 'ebfe');                                   // jmp $
  m.code(CODE, 'cd81');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.segSel[CS], (UCS_CONF & ~3) | 3);
  assert.equal(m.esp(), USTACK - 12);
  assert.deepEqual(m.stack32(USTACK - 12, 3), [CODE + 2, UCS, 0x2]);
});

// ---------------------------------------------------------------------------------------------------
// #DF and shutdown (SDM vol. 3A §6.15 "Interrupt 8", Table 6-5)
// ---------------------------------------------------------------------------------------------------

test('#GP while delivering #GP → #DF with error code 0 and a frame pointing at the faulting instruction', () => {
  const m = new EventMachine();
  m.gate(13, 0xE, 0x0700, 0x1000, 0);                              // #GP gate names a selector beyond the GDT
  m.w32(KSTACK, CODE); m.w32(KSTACK + 4, 0); m.w32(KSTACK + 8, 0x2);
  assert.equal(m.run('cf'), Stop.Halt);                             // IRET → #GP(0) → #GP(700h) → #DF
  assert.deepEqual(m.seq(), [[13, 0], [8, 0]]);
  assert.equal(m.cpu.eip, m.afterHandler(8));
  assert.deepEqual(m.stack32(m.esp(), 3), [0, CODE, KCS]);
});

test('a broken #DF gate shuts the processor down: run() returns Stop.Shutdown, no host exception', () => {
  const m = new EventMachine();
  m.gate(13, 0xE, 0x0700, 0x1000, 0);
  m.gate(8, 0xE, KCS, m.handler(8), 0, false);                     // #DF gate not present
  m.w32(KSTACK, CODE); m.w32(KSTACK + 4, 0); m.w32(KSTACK + 8, 0x2);
  assert.equal(m.run('cf'), Stop.Shutdown);
  assert.equal(m.cpu.shutdown, true);
  assert.deepEqual(m.seq(), [[13, 0], [8, 0]]);
  assert.equal(m.cpu.run(100), Stop.Shutdown);
});

test('shutdown from INT n inside an instruction handler is reported too', () => {
  const m = new EventMachine();
  m.cpu.idtrLimit = 0x3F;                                           // vectors 0-7 only
  assert.equal(m.run('cd40'), Stop.Shutdown);
  // INT 40h → #GP(202h) (a software interrupt is never the first of a #DF pair: serial) → #GP(13*8+3)
  // while delivering #GP → #DF, whose gate is beyond the limit too → shutdown.
  assert.deepEqual(m.seq(), [[0x40, -1], [13, 0x202], [8, 0]]);
});

test('benign then contributory is serial; contributory then #PF is serial; #PF then #PF is #DF (Table 6-5)', () => {
  // External interrupt (benign) whose gate is not present → #NP delivered normally.
  const m = new EventMachine(), cpu = m.cpu;
  m.gate(0x30, 0xE, KCS, 0, 0, false);
  cpu.pic = new FakePic(0x30, cpu);
  cpu.flags = 0x2 | IF;
  cpu.setIntr(true);
  assert.equal(m.run('90'), Stop.Halt);
  assert.deepEqual(m.seq(), [[0x30, -1], [11, 0x30 * 8 + 3]]);
  assert.equal(cpu.eip, m.afterHandler(11));

  // Paging: the page below the stack is not present. #GP (IRET to a null CS) then #PF writing its frame:
  // contributory then #PF is serial; the #PF frame goes to the same page → #PF then #PF → #DF, whose
  // frame faults as well → shutdown. CR2 holds the first byte written: the top dword of the frame.
  const p = pagedMachine();
  p.m.w32(KSTACK, CODE); p.m.w32(KSTACK + 4, 0); p.m.w32(KSTACK + 8, 0x2);
  p.unmap(KSTACK - 0x1000);                                        // the page the #GP frame would go to
  p.m.cpu.r32[ESP] = KSTACK;
  assert.equal(p.m.run('cf'), Stop.Shutdown);
  assert.deepEqual(p.m.seq(), [[13, 0], [14, 2], [8, 0]]);
  assert.equal(p.m.cpu.cr2 >>> 0, KSTACK - 4);
});

/** Paging on, identity-mapped first 4 MiB, supervisor+user writable pages. */
function pagedMachine(): { m: EventMachine; unmap: (lin: number) => void } {
  const m = new EventMachine();
  const PD = 0x200000, PT = 0x201000;
  for (let p = 0; p < 1024; p++) m.w32(PT + p * 4, (p << 12) | 7);
  m.w32(PD, PT | 7);
  m.cpu.cr3 = PD;
  m.cpu.cr0 |= 0x80000000;
  m.cpu.modeChanged();
  return { m, unmap: (lin: number) => { m.w32(PT + (lin >>> 12) * 4, 0); m.cpu.flushTlb(true); } };
}

test('#PF then #GP while delivering it → #DF (SDM 3A Table 6-5)', () => {
  const p = pagedMachine(), m = p.m;
  p.unmap(0x300000);
  m.gate(14, 0xE, 0x0700, 0, 0);                                    // #PF gate: bad selector → #GP
  assert.equal(m.run('a100003000'), Stop.Halt);                     // mov eax,[300000h]
  assert.deepEqual(m.seq(), [[14, 0], [8, 0]]);
  assert.equal(m.cpu.cr2 >>> 0, 0x300000);
});

// ---------------------------------------------------------------------------------------------------
// External interrupts, interrupt shadow, HLT (SDM vol. 3A §6.8.1, §6.8.3, vol. 2 HLT)
// ---------------------------------------------------------------------------------------------------

test('INTR is taken only with IF=1, between instructions, with the vector from the acknowledge cycle', () => {
  const m = new EventMachine(), cpu = m.cpu;
  const pic = new FakePic(0x44, cpu);
  cpu.pic = pic;
  cpu.setIntr(true);
  cpu.flags = 0x2;                                                   // IF=0: not taken
  m.code(CODE, '909090f4');
  cpu.eip = CODE;
  assert.equal(cpu.run(3), Stop.Limit);
  assert.equal(pic.acks, 0);
  assert.equal(cpu.eip, CODE + 3);
  cpu.flags |= IF;
  assert.equal(cpu.run(10), Stop.Halt);
  assert.equal(pic.acks, 1);
  assert.deepEqual(m.events, [{ vector: 0x44, error: -1, kind: EventKind.External, eip: CODE + 4 }]);
  assert.equal(cpu.eip, m.afterHandler(0x44));
});

test('interrupt shadow: the instruction after STI runs before a pending interrupt (SDM 2 STI)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  cpu.pic = new FakePic(0x44, cpu);
  cpu.setIntr(true);
  cpu.flags = 0x2;
  m.code(CODE, 'fb40f4');                                            // STI; INC EAX; HLT
  cpu.eip = CODE;
  assert.equal(cpu.run(10), Stop.Halt);
  assert.equal(cpu.r32[EAX], 1);
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[0x44, CODE + 2]]);
});

test('HLT: run() returns Stop.Halt; an interrupt wakes it with the return address after HLT', () => {
  const m = new EventMachine(), cpu = m.cpu;
  cpu.flags = 0x2 | IF;
  m.code(CODE, 'f440');
  cpu.eip = CODE;
  assert.equal(cpu.run(10), Stop.Halt);
  assert.equal(cpu.halted, true);
  assert.equal(cpu.run(10), Stop.Halt);                              // nothing pending: stays halted
  assert.equal(m.events.length, 0);
  cpu.pic = new FakePic(0x45, cpu);
  cpu.setIntr(true);
  m.code(m.handler(0x45), 'cf');                                     // IRETD
  assert.equal(cpu.run(1), Stop.Limit);                              // wake, deliver, IRETD
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[0x45, CODE + 1]]);
  assert.equal(cpu.halted, false);
  assert.equal(cpu.eip, CODE + 1);
  assert.equal(cpu.run(1), Stop.Limit);
  assert.equal(cpu.r32[EAX], 1);
});

// ---------------------------------------------------------------------------------------------------
// Single step (SDM vol. 3B §17.3.1.4): a trap after each instruction begun with TF=1; DR6.BS
// ---------------------------------------------------------------------------------------------------

test('TF set by IRET traps after the first instruction of the target, not after IRET (SDM 3A §2.3 TF)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.w32(KSTACK, CODE + 0x10); m.w32(KSTACK + 4, KCS); m.w32(KSTACK + 8, 0x2 | TF);
  m.code(CODE, 'cf');
  m.code(CODE + 0x10, '4040');                                       // INC EAX; INC EAX
  cpu.eip = CODE;
  assert.equal(cpu.run(10), Stop.Halt);
  assert.equal(cpu.r32[EAX], 1);
  assert.deepEqual(m.events, [{ vector: 1, error: -1, kind: EventKind.Exception, eip: CODE + 0x11 }]);
  assert.equal(cpu.dr[6] & 0x4000, 0x4000);
  // #DB frame: EIP of the next instruction, CS, EFLAGS with TF (the handler itself runs with TF=0).
  assert.deepEqual(m.stack32(m.esp(), 3), [CODE + 0x11, KCS, 0x2 | TF]);
  assert.equal(cpu.getEflags() & TF, 0);
});

test('single-stepping INT n: no trap after INT (TF cleared by the delivery); IRET restores TF', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.code(m.handler(0x41), '43cf');                                   // INC EBX; IRETD
  m.w32(KSTACK, CODE + 0x10); m.w32(KSTACK + 4, KCS); m.w32(KSTACK + 8, 0x2 | TF);
  m.code(CODE, 'cf');
  m.code(CODE + 0x10, 'cd41' + '40');                                // INT 41h; INC EAX
  cpu.eip = CODE;
  assert.equal(cpu.run(20), Stop.Halt);
  // IRET (no trap) → INT 41h (TF at start, but cleared by delivery: no trap) → INC EBX → IRETD
  // (begun with TF=0: no trap; restores TF) → INC EAX (begun with TF=1) → #DB.
  assert.equal(cpu.r32[3], 1);
  assert.equal(cpu.r32[EAX], 1);
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[0x41, CODE + 0x12], [1, CODE + 0x13]]);
});

test('ICEBP (F1) is a #DB trap: EIP after it, EXT=1 in a resulting error code (SDM 2 INT1)', () => {
  const m = new EventMachine();
  m.gate(1, 0xE, KCS, m.handler(1), 0, false);
  assert.equal(m.run('f1'), Stop.Halt);
  assert.deepEqual(m.seq(), [[1, -1], [11, 1 * 8 + 3]]);
  // Like a fault in INT n, a fault in its delivery is reported at the instruction.
  assert.equal(m.r32(m.esp() + 4), CODE);
});

// ---------------------------------------------------------------------------------------------------
// IRET flag rules (SDM vol. 2 IRET "RETURN-TO-SAME-PRIVILEGE-LEVEL")
// ---------------------------------------------------------------------------------------------------

test('IRETD at CPL 0 loads IF, IOPL, AC, RF; RF lasts one instruction', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.w32(KSTACK, CODE + 0x10); m.w32(KSTACK + 4, KCS); m.w32(KSTACK + 8, 0x2 | IF | IOPL | AC | RF);
  m.code(CODE, 'cf');
  m.code(CODE + 0x10, '4040');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.getEflags(), 0x2 | IF | IOPL | AC | RF);
  cpu.run(1);
  assert.equal(cpu.getEflags() & RF, 0);
});

test('IRETD at CPL 3 with IOPL 0 cannot change IF or IOPL; VM in the image is ignored below CPL 0', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.setRing(3);
  cpu.flags = 0x2 | IF;
  m.w32(USTACK, CODE + 0x10); m.w32(USTACK + 4, UCS); m.w32(USTACK + 8, 0x2 | IOPL | VM | 0x1);
  m.code(CODE, 'cf');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.getEflags(), 0x2 | IF | 0x1);
  assert.equal(cpu.eip, CODE + 0x10);
  assert.equal(m.esp(), USTACK + 12);
  // 16-bit IRET at CPL 0: only FLAGS[15:0] are considered.
  const m2 = new EventMachine();
  m2.cpu.flags = 0x2 | AC;
  m2.w16(KSTACK, 0x20); m2.w16(KSTACK + 2, KCS); m2.w16(KSTACK + 4, 0x3202);
  m2.code(CODE, '66cf');
  m2.cpu.eip = CODE;
  m2.cpu.run(1);
  assert.equal(m2.cpu.getEflags(), 0x3202 | AC);
  assert.equal(m2.cpu.eip, 0x20);
  assert.equal(m2.esp(), KSTACK + 6);
});

test('IRET faults: CS RPL < CPL, outer-level SS checks, EIP beyond the limit (SDM 2 IRET exceptions)', () => {
  const run = (frame: number[], cpl: 0 | 3): [number, number][] => {
    const m = new EventMachine();
    m.setRing(cpl);
    for (const v of [11, 12, 13]) m.gate(v, 0xE, KCS, m.handler(v), 0);
    const sp = cpl === 0 ? KSTACK : USTACK;
    frame.forEach((v, k) => m.w32(sp + 4 * k, v));
    m.run('cf', 2);
    return m.seq();
  };
  assert.deepEqual(run([CODE, KCS, 2], 3), [[13, KCS]]);                       // RPL 0 < CPL 3
  assert.deepEqual(run([CODE, UCS, 2, 0, 0], 0), [[13, 0]]);                   // null SS
  assert.deepEqual(run([CODE, UCS, 2, 0, KDS], 0), [[13, KDS]]);               // SS RPL ≠ CS RPL
  assert.deepEqual(run([CODE, UCS, 2, 0, UCS], 0), [[13, UCS & 0xFFFC]]);      // SS not writable data
  assert.deepEqual(run([CODE, 0x6B, 2, 0, 0x63], 0), [[13, 0x60]]);            // SS DPL 0 ≠ RPL 3
  assert.deepEqual(run([0x1000000, KCS16, 2], 0), [[13, 0]]);                  // EIP beyond CS limit
  // Not-present CS: #NP(selector).
  const m = new EventMachine();
  putDesc(m.mem, GDT + 0x68, 0, 0xFFFFF, 0x7B, 0xC);
  [CODE, UCS_CONF & ~3 | 3, 2, 0, UDS].forEach((v, k) => m.w32(KSTACK + 4 * k, v));
  m.code(CODE, 'cf'); m.cpu.eip = CODE; m.cpu.run(1);
  assert.deepEqual(m.seq(), []);                          // conforming DPL 0 <= RPL 3: return to CPL 3
  assert.equal(m.cpu.cpl, 3);
  const m2 = new EventMachine();
  putDesc(m2.mem, GDT + 0x68, 0, 0xFFFFF, 0x7B, 0xC);                          // ring-3 code, not present
  [CODE, 0x6B, 2, 0, UDS].forEach((v, k) => m2.w32(KSTACK + 4 * k, v));
  m2.run('cf', 2);
  assert.deepEqual(m2.seq(), [[11, 0x68]]);
});

test('nothing changes when IRET faults: ESP and segments intact (SDM 3A §6.6 faults are restartable)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.gate(13, 0xE, KCS, m.handler(13), 0);
  [CODE, UCS, 2, 0, KDS].forEach((v, k) => m.w32(KSTACK + 4 * k, v));
  m.code(CODE, 'cf'); cpu.eip = CODE;
  cpu.run(1);
  // The #GP frame sits right below the IRET frame: ESP was not moved by the faulting IRET.
  assert.equal(m.esp(), KSTACK - 16);
  assert.deepEqual(m.stack32(KSTACK - 16, 4), [KDS, CODE, KCS, 0x2 | RF]);
  assert.equal(cpu.segSel[SS], KDS);
  assert.equal(cpu.cpl, 0);
});


test('a single-step trap and a pending interrupt at one boundary: #DB first, then INTR (SDM 3A Table 6-2)', () => {
  // #DB through a trap gate (IF stays 1): the interrupt is taken before the #DB handler's first
  // instruction, so its frame points at that handler.
  const m = new EventMachine(), cpu = m.cpu;
  m.gate(1, 0xF, KCS, m.handler(1), 0);
  cpu.pic = new FakePic(0x44, cpu);
  m.w32(KSTACK, CODE + 0x10); m.w32(KSTACK + 4, KCS); m.w32(KSTACK + 8, 0x2 | TF | IF);
  m.code(CODE, 'cf');
  m.code(CODE + 0x10, '40');
  cpu.eip = CODE;
  cpu.run(1);                                                       // IRETD: TF and IF on
  cpu.setIntr(true);
  assert.equal(cpu.run(10), Stop.Halt);
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[1, CODE + 0x11], [0x44, m.handler(1)]]);
});

test('pollInterrupt: INTR raised between run() calls is taken at that boundary, before the next instruction', () => {
  const m = new EventMachine(), cpu = m.cpu;
  const pic = new FakePic(0x44, cpu);
  cpu.pic = pic;
  cpu.flags = 0x2 | IF;
  m.code(CODE, '404040f4');                                          // INC EAX x3; HLT
  cpu.eip = CODE;
  assert.equal(cpu.run(1), Stop.Limit);                              // one INC
  cpu.setIntr(true);                                                 // a device event at this boundary
  cpu.pollInterrupt();
  assert.equal(pic.acks, 1);
  assert.deepEqual(m.events, [{ vector: 0x44, error: -1, kind: EventKind.External, eip: CODE + 1 }]);
  assert.equal(cpu.r32[EAX], 1);                                     // no further instruction ran
});

test('pollInterrupt respects IF=0 and the STI shadow', () => {
  const m = new EventMachine(), cpu = m.cpu;
  const pic = new FakePic(0x44, cpu);
  cpu.pic = pic;
  cpu.flags = 0x2;
  m.code(CODE, 'fb4040f4');                                          // STI; INC EAX; INC EAX; HLT
  cpu.eip = CODE;
  cpu.setIntr(true);
  cpu.pollInterrupt();
  assert.equal(pic.acks, 0);                                         // IF=0
  assert.equal(cpu.run(1), Stop.Limit);                              // STI: shadow for one instruction
  cpu.pollInterrupt();
  assert.equal(pic.acks, 0);
  assert.equal(cpu.run(1), Stop.Limit);                              // INC, then the interrupt
  assert.equal(pic.acks, 1);
  assert.equal(m.events[0].eip, CODE + 2);
});
