// Virtual-8086 mode event handling, checked against SDM vol. 3A chapter 20: §20.2.5 (entering V86 mode
// with IRETD, leaving it through an interrupt or exception), §20.3.1.1 and Figure 20-2 (the handler's stack
// frame: GS FS DS ES SS ESP EFLAGS CS EIP), §20.2.7 / §20.3.3 (INT n and IRET are IOPL-sensitive without
// VME), vol. 2 "INT n/INTO/INT3/INT1" (INTERRUPT-FROM-VIRTUAL-8086-MODE) and "IRET" (RETURN-TO-VIRTUAL-
// 8086-MODE, RETURN-FROM-VIRTUAL-8086-MODE).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from './cpu.ts';
import { CS, DS, ES, FS, GS, SS, ESP, EAX, IF, IOPL, VM, RF, NT } from './regs.ts';
import { EventMachine, FakePic, CODE, KCS, KDS, KSTACK, UCS, KCS16 } from './event-fixture.ts';

const V_CS = 0x4000, V_IP = 0x0100, V_SS = 0x5000, V_SP = 0x1000, V_ES = 0x6000, V_DS = 0x7000, V_FS = 0x8000, V_GS = 0x9000;
const V_CODE = (V_CS << 4) + V_IP;

/**
 * A ring-0 machine about to execute IRETD into V86 code at V_CS:V_IP with the given IOPL; the 9-dword
 * IRETD frame (EIP CS EFLAGS ESP SS ES DS FS GS) is on the ring-0 stack (SDM 3A §20.2.5, Figure 20-2).
 */
function v86Machine(iopl: number, v86code: string): EventMachine {
  const m = new EventMachine();
  [V_IP, V_CS, 0x2 | IF | VM | (iopl << 12), V_SP, V_SS, V_ES, V_DS, V_FS, V_GS].forEach((v, k) => m.w32(KSTACK + 4 * k, v));
  m.code(CODE, 'cf');                                               // IRETD
  m.code(V_CODE, v86code);
  m.cpu.eip = CODE;
  return m;
}

test('IRETD at CPL 0 with VM=1 enters virtual-8086 mode: pops ESP SS ES DS FS GS, CPL 3 (SDM 2 IRET)', () => {
  const m = v86Machine(3, 'a11000');                                // MOV AX,[0010h]
  const cpu = m.cpu;
  m.w16((V_DS << 4) + 0x10, 0xBEEF);
  assert.equal(cpu.run(1), Stop.Limit);
  assert.equal(cpu.v86, true);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.eip, V_IP);
  assert.equal(m.esp(), V_SP);
  assert.deepEqual([CS, SS, ES, DS, FS, GS].map((s) => cpu.segSel[s]), [V_CS, V_SS, V_ES, V_DS, V_FS, V_GS]);
  assert.deepEqual([CS, SS, ES, DS, FS, GS].map((s) => cpu.segBase[s]), [V_CS, V_SS, V_ES, V_DS, V_FS, V_GS].map((x) => x << 4));
  assert.equal(cpu.getEflags(), 0x2 | IF | VM | IOPL);
  assert.equal(cpu.code32, false);
  cpu.run(1);
  assert.equal(cpu.r32[EAX] & 0xFFFF, 0xBEEF);
});

test('INT n in V86 mode with IOPL 3 reaches the ring-0 handler with the 9-dword frame; IRETD returns', () => {
  const m = v86Machine(3, 'cd21' + '40');                           // INT 21h; INC AX
  const cpu = m.cpu;
  m.gate(0x21, 0xE, KCS, m.handler(0x21), 3);
  m.code(m.handler(0x21), 'cf');                                    // IRETD
  assert.equal(cpu.run(2), Stop.Limit);                             // IRETD into V86, INT 21h
  assert.equal(cpu.v86, false);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.segSel[CS], KCS);
  assert.equal(cpu.segSel[SS], KDS);
  // Data segment registers are null inside the handler (SDM 3A §20.3.1.1).
  assert.deepEqual([DS, ES, FS, GS].map((s) => cpu.segSel[s]), [0, 0, 0, 0]);
  // The new stack is TSS.SS0:ESP0 (KSTACK), whatever ring 0 had popped before entering V86 mode.
  assert.equal(m.esp(), KSTACK - 36);
  // From the top: GS FS DS ES SS ESP EFLAGS CS EIP (Figure 20-2); EIP after INT, EFLAGS with VM.
  assert.deepEqual(m.stack32(KSTACK - 36, 9), [V_IP + 2, V_CS, 0x2 | IF | VM | IOPL, V_SP, V_SS, V_ES, V_DS, V_FS, V_GS]);
  assert.equal(cpu.getEflags() & (VM | IF), 0);
  // IRETD back into V86 mode, then INC AX.
  assert.equal(cpu.run(2), Stop.Limit);
  assert.equal(cpu.v86, true);
  assert.equal(cpu.eip, V_IP + 3);
  assert.deepEqual([DS, ES, FS, GS].map((s) => cpu.segSel[s]), [V_DS, V_ES, V_FS, V_GS]);
  assert.equal(m.esp(), V_SP);
  assert.deepEqual(m.seq(), [[0x21, -1]]);
});

test('INT n in V86 mode with IOPL < 3 → #GP(0) to the monitor, frame with error code (SDM 3A §20.3.3)', () => {
  const m = v86Machine(0, 'cd21');
  const cpu = m.cpu;
  m.gate(0x21, 0xE, KCS, m.handler(0x21), 3);
  assert.equal(cpu.run(10), Stop.Halt);
  assert.deepEqual(m.seq(), [[13, 0]]);
  assert.equal(cpu.eip, m.afterHandler(13));
  // 10 dwords: error code, EIP of the INT (a fault), CS, EFLAGS, ESP, SS, ES, DS, FS, GS.
  assert.deepEqual(m.stack32(KSTACK - 40, 10), [0, V_IP, V_CS, 0x2 | IF | VM | RF, V_SP, V_SS, V_ES, V_DS, V_FS, V_GS]);
});

test('INT3 in V86 mode is not IOPL-sensitive; the gate DPL still applies (SDM 2 INT3 notes)', () => {
  const m = v86Machine(0, 'cc');
  m.gate(3, 0xE, KCS, m.handler(3), 3);
  assert.equal(m.cpu.run(10), Stop.Halt);
  assert.deepEqual(m.seq(), [[3, -1]]);
  assert.equal(m.r32(KSTACK - 36), V_IP + 1);
  const m2 = v86Machine(0, 'cc');
  assert.equal(m2.cpu.run(10), Stop.Halt);                           // gate DPL 0 < CPL 3
  assert.deepEqual(m2.seq(), [[3, -1], [13, 3 * 8 + 2]]);
});

test('an external interrupt in V86 mode goes to ring 0 with the V86 frame; EIP = next instruction', () => {
  const m = v86Machine(0, '4040');
  const cpu = m.cpu;
  cpu.pic = new FakePic(0x50, cpu);
  assert.equal(cpu.run(2), Stop.Limit);                             // IRETD, INC AX
  cpu.setIntr(true);
  assert.equal(cpu.run(10), Stop.Halt);                             // INC AX, interrupt, HLT
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[0x50, V_IP + 2]]);
  assert.deepEqual(m.stack32(KSTACK - 36, 3), [V_IP + 2, V_CS, 0x2 | IF | VM]);
});

test('a gate to non-ring-0 code from V86 mode: #GP(selector) (SDM 2 INT n: new code-segment DPL ≠ 0)', () => {
  const m = v86Machine(3, 'cd21');
  m.gate(0x21, 0xE, UCS, 0x1000, 3);
  m.cpu.run(10);
  assert.deepEqual(m.seq(), [[0x21, -1], [13, UCS & 0xFFFC]]);
});

test('a 16-bit interrupt gate from V86 mode pushes 9 words (SDM 3A §20.3.1.1)', () => {
  const m = v86Machine(3, 'cd21');
  m.gate(0x21, 0x6, KCS16, 0x5000, 3);
  m.code(0x5000, 'f4');
  assert.equal(m.cpu.run(10), Stop.Halt);
  assert.equal(m.esp(), KSTACK - 18);
  assert.deepEqual(m.stack16(KSTACK - 18, 9), [V_IP + 2, V_CS, (0x2 | IF | IOPL) & 0xFFFF, V_SP, V_SS, V_ES, V_DS, V_FS, V_GS]);
});

test('IRET in V86 mode: IOPL < 3 → #GP(0); IOPL 3 pops IP, CS, FLAGS and keeps IOPL (SDM 2 IRET)', () => {
  const m = v86Machine(0, 'cf');
  assert.equal(m.cpu.run(10), Stop.Halt);
  assert.deepEqual(m.seq(), [[13, 0]]);
  const m2 = v86Machine(3, 'cf');
  const cpu = m2.cpu;
  // V86 stack (SS:SP = 5000:1000): IP 0200, CS 4000, FLAGS with IOPL 0 and NT.
  m2.w16((V_SS << 4) + V_SP, 0x0200); m2.w16((V_SS << 4) + V_SP + 2, V_CS); m2.w16((V_SS << 4) + V_SP + 4, 0x0002 | NT | 0x1);
  cpu.run(2);
  assert.equal(cpu.v86, true);
  assert.equal(cpu.eip, 0x200);
  assert.equal(cpu.getEflags(), 0x2 | VM | IOPL | NT | 0x1);        // IF from the image (0), IOPL kept
  assert.equal(cpu.r32[ESP], V_SP + 6);
});
