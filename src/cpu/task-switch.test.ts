// Hardware task switching, checked against SDM vol. 3A chapter 7: §7.3 (the steps of a switch), Table 7-1
// (checks and the context their faults are raised in), Table 7-2 (busy bits, NT, back link, CR0.TS),
// §7.2.1/§7.6 (32- and 16-bit TSS layouts), §6.12.2 (interrupt and exception task gates), vol. 2 IRET
// "TASK-RETURN", vol. 3B §17.3.1.5 (the T flag), §17.2.4 (DR7 local enables cleared).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from './cpu.ts';
import { taskSwitch, TaskSwitchSource } from './task-switch.ts';
import { CS, DS, ES, FS, GS, SS, ESP, EAX, ECX, EDX, EBX, EBP, ESI, EDI, NT, IF, VM, CR0_TS } from './regs.ts';
import {
  EventMachine, FakePic, CODE, KCS, KDS, UCS, UDS, KSTACK, USTACK, TSSA_SEL, TSSB_SEL, TSSC_SEL, TSS_A, TSS_B,
  TSS_C, GDT, putDesc,
} from './event-fixture.ts';

const B_EIP = 0x11000, B_ESP = 0x70000, C_IP = 0x1200, C_SP = 0x6000;

/** A 32-bit TSS for task B: flat ring-0 segments, distinct register values, code at B_EIP. */
function fillTssB(m: EventMachine, over: Partial<Record<string, number>> = {}): void {
  const v = { eip: B_EIP, eflags: 0x2, esp: B_ESP, es: KDS, cs: KCS, ss: KDS, ds: KDS, fs: KDS, gs: KDS, ldt: 0, t: 0, cr3: 0, ...over };
  m.w32(TSS_B + 0x1C, v.cr3);
  m.w32(TSS_B + 0x20, v.eip);
  m.w32(TSS_B + 0x24, v.eflags);
  for (let r = 0; r < 8; r++) m.w32(TSS_B + 0x28 + 4 * r, r === ESP ? v.esp : 0xB0000000 + r);
  [v.es, v.cs, v.ss, v.ds, v.fs, v.gs].forEach((s, k) => m.w16(TSS_B + 0x48 + 4 * k, s));
  m.w16(TSS_B + 0x60, v.ldt);
  m.w16(TSS_B + 0x64, v.t);
}

function busy(m: EventMachine, sel: number): boolean {
  return (m.r8(GDT + (sel & ~7) + 5) & 2) !== 0;
}

test('CALL to a TSS: state saved in the old TSS, back link, NT, busy bits, CR0.TS (SDM 3A §7.3, Table 7-2)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m);
  m.code(B_EIP, 'cf');                                             // task B: IRET (NT=1: task return)
  for (let r = 0; r < 8; r++) if (r !== ESP) cpu.r32[r] = 0xA0000000 + r;
  cpu.flags = 0x2 | IF | 0x1;
  cpu.dr[7] = 0x400 | 0x1FF;                                       // L0-L3, G0-G3, LE
  m.code(CODE, '9a' + '00000000' + '3000' + 'f4');                   // CALL 0030:00000000; HLT
  cpu.eip = CODE;
  assert.equal(cpu.run(1), Stop.Limit);
  // New task running.
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(cpu.trBase, TSS_B);
  assert.equal(cpu.eip, B_EIP);
  assert.equal(cpu.r32[EAX] >>> 0, 0xB0000000);
  assert.equal(cpu.r32[EDI] >>> 0, 0xB0000007);
  assert.equal(m.esp(), B_ESP);
  assert.equal(cpu.getEflags(), 0x2 | NT);                         // NT set for a nested task
  assert.equal(cpu.cr0 & CR0_TS, CR0_TS);
  assert.equal(cpu.dr[7], 0x400 | 0x0AA);                          // L0-L3 and LE cleared (SDM 3B §17.2.4)
  assert.equal(busy(m, TSSA_SEL), true);                            // CALL: old task stays busy
  assert.equal(busy(m, TSSB_SEL), true);
  assert.equal(m.r16(TSS_B), TSSA_SEL);                            // back link
  assert.equal(cpu.trAR & 0xF, 0xB);
  // Old state in TSS A (§7.2.1 layout): EIP = after the CALL, EFLAGS, EAX..EDI, ES..GS.
  assert.equal(m.r32(TSS_A + 0x20), CODE + 7);
  assert.equal(m.r32(TSS_A + 0x24), 0x203 | IF);
  assert.equal(m.r32(TSS_A + 0x28), 0xA0000000);
  assert.equal(m.r32(TSS_A + 0x38), KSTACK);
  assert.equal(m.r32(TSS_A + 0x44), 0xA0000007);
  assert.deepEqual([0x48, 0x4C, 0x50, 0x54, 0x58, 0x5C].map((o) => m.r16(TSS_A + o)), [KDS, KCS, KDS, KDS, KDS, KDS]);

  // IRET with NT=1 returns through the back link (SDM 2 IRET "TASK-RETURN").
  assert.equal(cpu.run(10), Stop.Halt);
  assert.equal(cpu.trSel, TSSA_SEL);
  assert.equal(cpu.eip, CODE + 8);
  assert.equal(cpu.r32[EAX] >>> 0, 0xA0000000);
  assert.equal(m.esp(), KSTACK);
  assert.equal(cpu.getEflags(), 0x203 | IF);
  assert.equal(busy(m, TSSB_SEL), false);                           // IRET: the task left is not busy
  assert.equal(busy(m, TSSA_SEL), true);
  assert.equal(m.r32(TSS_B + 0x24) & NT, 0);                       // IRET clears NT in the saved image
  assert.equal(m.r32(TSS_B + 0x20), B_EIP + 1);
});

test('JMP to a TSS: old busy cleared, new busy set, NT and back link from the new TSS unchanged (Table 7-2)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m, { eflags: 0x2 | NT | 0x80 });
  m.w16(TSS_B, 0x1234);
  m.code(CODE, 'ea' + '00000000' + '3000');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(busy(m, TSSA_SEL), false);
  assert.equal(busy(m, TSSB_SEL), true);
  assert.equal(m.r16(TSS_B), 0x1234);
  assert.equal(cpu.getEflags(), 0x2 | NT | 0x80);
  assert.equal(m.r32(TSS_A + 0x20), CODE + 7);
  // Back with a JMP to TSS A (now available).
  m.code(B_EIP, 'ea' + '00000000' + '2800');
  cpu.run(1);
  assert.equal(cpu.trSel, TSSA_SEL);
  assert.equal(cpu.eip, CODE + 7);
  assert.equal(busy(m, TSSA_SEL), true);
  assert.equal(busy(m, TSSB_SEL), false);
  assert.equal(m.r32(TSS_B + 0x20), B_EIP + 7);
});

test('TSS checks before the switch: busy → #GP, limit < 67h → #TS, not present → #NP (SDM 3A Table 7-1)', () => {
  const expect = (prep: (m: EventMachine) => void, sel: number, v: number, err: number): void => {
    const m = new EventMachine();
    fillTssB(m);
    prep(m);
    m.code(CODE, 'ea' + '00000000' + sel.toString(16).padStart(4, '0').replace(/(..)(..)/, '$2$1'));
    m.cpu.eip = CODE;
    m.cpu.run(1);
    assert.deepEqual(m.seq(), [[v, err]]);
    assert.equal(m.cpu.trSel, TSSA_SEL);                            // nothing switched
    assert.equal(m.cpu.r32[ESP] >>> 0, KSTACK - 16);
    assert.equal(m.r32(KSTACK - 12), CODE);                         // a fault of the JMP
  };
  expect(() => {}, TSSA_SEL, 13, TSSA_SEL);                                        // busy (the current task)
  expect((m) => putDesc(m.mem, GDT + 0x30, TSS_B, 0x66, 0x89, 0), TSSB_SEL, 10, TSSB_SEL);
  expect((m) => putDesc(m.mem, GDT + 0x30, TSS_B, 0x67, 0x09, 0), TSSB_SEL, 11, TSSB_SEL);
  expect((m) => putDesc(m.mem, GDT + 0x50, TSS_C, 0x2A, 0x81, 0), TSSC_SEL, 10, TSSC_SEL);
  // DPL 0 TSS from CPL 3: #GP(TSS selector) (SDM 2 JMP "TASK-STATE-SEGMENT").
  const m = new EventMachine();
  fillTssB(m);
  m.setRing(3);
  m.code(CODE, 'ea' + '00000000' + '3000');
  m.cpu.eip = CODE; m.cpu.run(1);
  assert.deepEqual(m.seq(), [[13, TSSB_SEL]]);
});

test('exception through a task gate: error code on the new task stack, old EIP = faulting instruction (§6.12.2)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m);
  m.gate(13, 5, TSSB_SEL, 0, 0);
  m.setRing(3);
  m.code(CODE, 'cd21');                                            // INT 21h at CPL 3, gate DPL 0: #GP(10Ah)
  cpu.eip = CODE;
  cpu.run(1);
  assert.deepEqual(m.seq(), [[0x21, -1], [13, 0x10A]]);
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(cpu.eip, B_EIP);
  assert.equal(cpu.cpl, 0);
  assert.equal(m.esp(), B_ESP - 4);
  assert.equal(m.r32(B_ESP - 4), 0x10A);                          // the error code, on the new stack
  assert.equal(cpu.getEflags() & NT, NT);
  assert.equal(m.r16(TSS_B), TSSA_SEL);
  assert.equal(busy(m, TSSA_SEL), true);
  assert.equal(m.r32(TSS_A + 0x20), CODE);                        // a fault: the INT instruction itself
  assert.equal(m.r16(TSS_A + 0x4C), UCS);
  assert.equal(m.r32(TSS_A + 0x38), USTACK);
  // The handler task pops the error code and returns with IRET (task return); the old task restarts INT.
  m.code(B_EIP, '83c404' + 'cf');                                  // add esp,4; iret
  cpu.run(2);
  assert.equal(cpu.trSel, TSSA_SEL);
  assert.equal(cpu.eip, CODE);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.segSel[CS], UCS);
  assert.equal(cpu.segSel[SS], UDS);
  assert.equal(m.esp(), USTACK);
});

test('external interrupt through a task gate to a 16-bit TSS (SDM 3A §7.6): 16-bit state, FS/GS null', () => {
  const m = new EventMachine(), cpu = m.cpu;
  // 16-bit TSS C: IP, FLAGS, AX..DI, ES CS SS DS, LDT (§7.6, Figure 7-11).
  m.w16(TSS_C + 0x0E, C_IP); m.w16(TSS_C + 0x10, 0x0002);
  for (let r = 0; r < 8; r++) m.w16(TSS_C + 0x12 + 2 * r, r === ESP ? C_SP : 0xC000 + r);
  [KDS, KCS, KDS, KDS].forEach((s, k) => m.w16(TSS_C + 0x22 + 2 * k, s));
  m.w16(TSS_C + 0x2A, 0);
  m.gate(0x40, 5, TSSC_SEL, 0, 0);
  cpu.pic = new FakePic(0x40, cpu);
  cpu.flags = 0x2 | IF;
  cpu.setIntr(true);
  m.code(CODE, '90');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.trSel, TSSC_SEL);
  assert.equal(cpu.eip, C_IP);
  assert.equal(cpu.r32[EAX] >>> 0, 0xFFFFC000);                  // upper halves read as FFFFh
  assert.equal(cpu.r32[EBP] >>> 0, 0xFFFFC005);
  assert.equal(cpu.r32[ESP] >>> 0, (0xFFFF0000 | C_SP) >>> 0);
  assert.equal(cpu.segSel[FS], 0);
  assert.equal(cpu.segSel[GS], 0);
  assert.equal(cpu.getEflags(), 0x2 | NT);
  assert.equal(m.r16(TSS_C), TSSA_SEL);
  assert.equal(m.r32(TSS_A + 0x20), CODE + 1);                    // an interrupt: the next instruction
  void [ECX, EDX, EBX, ESI, ES, DS];
});

test('faults past the commit point are raised in the new task (SDM 3A §7.3 step 11, Table 7-1)', () => {
  // JMP to task B whose SS selector names a code segment: #TS(SS) with TR = B and EIP = B's entry.
  // The #TS handler is a task gate back to task A (available again after the JMP).
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m, { ss: KCS });
  m.gate(10, 5, TSSA_SEL, 0, 0);
  m.code(CODE, 'ea' + '00000000' + '3000');
  cpu.eip = CODE;
  cpu.run(1);
  assert.deepEqual(m.seq(), [[10, KCS]]);
  assert.equal(cpu.trSel, TSSA_SEL);
  assert.equal(m.r16(TSS_A), TSSB_SEL);                            // task A now nests on B
  assert.equal(m.r32(TSS_B + 0x20), B_EIP);                       // B's state was saved at its entry
  assert.equal(m.r16(TSS_B + 0x50), KCS);
  assert.equal(cpu.eip, CODE + 7);                                 // A resumes where its JMP left it
  assert.equal(m.r32(KSTACK - 4), KCS);                            // error code on A's stack
  assert.equal(m.esp(), KSTACK - 4);
  // Other new-task checks: data segment not present → #NP(DS); CS not code → #TS(CS); LDT TI → #TS.
  const cases: [Partial<Record<string, number>>, number, number][] = [
    [{ ds: 0x60 }, 11, 0x60],
    [{ cs: KDS }, 10, KDS],
    [{ ldt: 0x0C }, 10, 0x0C],                                    // TI=1: the selector with its TI bit
    [{ ss: 0 }, 10, 0],
  ];
  for (const [over, v, err] of cases) {
    const m2 = new EventMachine();
    fillTssB(m2, over);
    m2.gate(10, 5, TSSA_SEL, 0, 0); m2.gate(11, 5, TSSA_SEL, 0, 0);
    m2.code(CODE, 'ea' + '00000000' + '3000');
    m2.cpu.eip = CODE;
    m2.cpu.run(1);
    assert.deepEqual(m2.seq(), [[v, err]], JSON.stringify(over));
    assert.equal(m2.r32(TSS_B + 0x20), B_EIP);
  }
});

test('the T flag of the new TSS raises #DB (BT) before its first instruction (SDM 3B §17.3.1.5)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m, { t: 1 });
  m.code(CODE, 'ea' + '00000000' + '3000');
  cpu.eip = CODE;
  assert.equal(cpu.run(5), Stop.Halt);
  assert.deepEqual(m.events.map((e) => [e.vector, e.eip]), [[1, B_EIP]]);
  assert.equal(cpu.dr[6] & 0x8000, 0x8000);
  assert.equal(m.r32(B_ESP - 12), B_EIP);
});

test('LDTR and CR3 come from the new TSS (SDM 3A §7.3 step 8)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  // LDT at 0x4000 with one data descriptor (selector 0x0C = index 1, TI=1), its descriptor at GDT 0x68.
  putDesc(m.mem, GDT + 0x68, 0x4000, 0x0F, 0x82, 0);
  putDesc(m.mem, 0x4008, 0x123000, 0xFFFF, 0x93, 0);
  // Paging with two page directories: both identity-map the first 4 MiB.
  const PD1 = 0x200000, PD2 = 0x202000, PT = 0x201000;
  for (let p = 0; p < 1024; p++) m.w32(PT + 4 * p, (p << 12) | 3);
  m.w32(PD1, PT | 3); m.w32(PD2, PT | 3);
  cpu.cr3 = PD1; cpu.cr0 |= 0x80000000; cpu.modeChanged();
  fillTssB(m, { ldt: 0x68, ds: 0x0C, cr3: PD2 });
  m.code(CODE, '9a' + '00000000' + '3000');
  cpu.eip = CODE;
  cpu.run(1);
  assert.equal(cpu.ldtrSel, 0x68);
  assert.equal(cpu.ldtrBase, 0x4000);
  assert.equal(cpu.segSel[DS], 0x0C);
  assert.equal(cpu.segBase[DS], 0x123000);
  assert.equal(cpu.cr3, PD2);
  // The old TSS's CR3 field is not written (it is static).
  assert.equal(m.r32(TSS_A + 0x1C), 0);
});

test('a TSS whose EFLAGS has VM=1 starts a virtual-8086 task: CPL 3, real-mode segments (SDM 3A §20.2.5)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m, { eflags: 0x2 | VM | 0x3000, eip: 0x0100, cs: 0x4000, ss: 0x5000, ds: 0x6000, es: 0x7000, fs: 0x8000, gs: 0x9000, esp: 0x1000 });
  m.code(0x40100, '40');
  m.code(CODE, 'ea' + '00000000' + '3000');
  cpu.eip = CODE;
  cpu.run(2);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.v86, true);
  assert.equal(cpu.eip, 0x101);
  assert.deepEqual([CS, SS, DS, ES, FS, GS].map((s) => cpu.segBase[s]), [0x40000, 0x50000, 0x60000, 0x70000, 0x80000, 0x90000]);
  assert.equal(cpu.r32[EAX] >>> 0, 0xB0000001);
});

test('taskSwitch called by the far-transfer code with a task gate selector (SDM 2 CALL "TASK-GATE")', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m);
  putDesc(m.mem, GDT + 0x68, 0, 0, 0, 0);
  // Task gate at GDT 0x68, DPL 3, naming TSS B.
  m.w16(GDT + 0x68 + 2, TSSB_SEL); m.mem.u8[GDT + 0x68 + 5] = 0xE5;
  m.setRing(3);
  cpu.eip = CODE; cpu.nextEip = CODE + 7;
  taskSwitch(cpu, 0x6B, TaskSwitchSource.Call, CODE + 7, -1);
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(m.r16(TSS_B), TSSA_SEL);
  assert.equal(cpu.cpl, 0);
  assert.equal(m.r32(TSS_A + 0x20), CODE + 7);
});

test('IRET with NT=1 and a back link that is not a busy TSS: #TS(back link) (SDM 3A Table 6-6)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  m.w16(TSS_A, TSSB_SEL);                                          // B is available, not busy
  cpu.flags = 0x2 | NT;
  m.code(CODE, 'cf');
  cpu.eip = CODE;
  cpu.run(1);
  assert.deepEqual(m.seq(), [[10, TSSB_SEL]]);
  assert.equal(cpu.trSel, TSSA_SEL);
  assert.equal(m.r32(KSTACK - 12), CODE);
  // A null back link: #TS(0).
  const m2 = new EventMachine();
  m2.cpu.flags = 0x2 | NT;
  m2.run('cf', 1);
  assert.deepEqual(m2.seq(), [[10, 0]]);
});

test('a 16-bit task interrupted and resumed: the old state is saved in the 16-bit layout (SDM 3A §7.6)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  // Task C (16-bit) runs INT 40h whose IDT entry is a task gate to task B; B returns with IRET.
  m.w16(TSS_C + 0x0E, C_IP); m.w16(TSS_C + 0x10, 0x0002);
  for (let r = 0; r < 8; r++) m.w16(TSS_C + 0x12 + 2 * r, r === ESP ? C_SP : 0xC000 + r);
  [KDS, KCS, KDS, KDS].forEach((s, k) => m.w16(TSS_C + 0x22 + 2 * k, s));
  fillTssB(m);
  m.gate(0x40, 5, TSSB_SEL, 0, 0);
  m.code(CODE, 'ea' + '00000000' + '5000');                       // JMP to task C
  m.code(C_IP, 'cd40' + '40');                                     // INT 40h; INC AX
  m.code(B_EIP, 'cf');                                             // task B: IRET
  cpu.eip = CODE;
  cpu.run(2);                                                      // JMP, INT 40h
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(m.r16(TSS_B), TSSC_SEL);
  assert.equal(m.r16(TSS_C + 0x0E), C_IP + 2);                    // IP after INT 40h
  assert.equal(m.r16(TSS_C + 0x12), 0xC000);
  assert.equal(m.r16(TSS_C + 0x24), KCS);
  cpu.run(2);                                                      // IRET (task return), INC AX
  assert.equal(cpu.trSel, TSSC_SEL);
  assert.equal(cpu.eip, C_IP + 3);
  assert.equal(cpu.r32[EAX] >>> 0, 0xFFFFC001);
  assert.equal(busy(m, TSSB_SEL), false);
  assert.equal(busy(m, TSSC_SEL), true);
  assert.equal(busy(m, TSSA_SEL), false);                          // left by the JMP
});

test('CALL from CPL 3 through a DPL-3 task gate to a DPL-0 TSS: only the gate DPL counts (SDM 3A §7.2.5)', () => {
  const m = new EventMachine(), cpu = m.cpu;
  fillTssB(m);
  putDesc(m.mem, GDT + 0x68, 0, 0, 0, 0);
  m.w16(GDT + 0x68 + 2, TSSB_SEL); m.mem.u8[GDT + 0x68 + 5] = 0xE5; // task gate, DPL 3, present
  m.setRing(3);
  m.code(CODE, '9a' + '00000000' + '6b00');                       // CALL 006B:00000000
  cpu.eip = CODE;
  cpu.run(1);
  assert.deepEqual(m.seq(), []);
  assert.equal(cpu.trSel, TSSB_SEL);
  assert.equal(cpu.cpl, 0);
  assert.equal(m.r16(TSS_B), TSSA_SEL);
  // Naming the DPL-0 TSS directly from CPL 3 is refused: #GP(TSS selector).
  const m2 = new EventMachine();
  fillTssB(m2);
  m2.setRing(3);
  m2.run('9a' + '00000000' + '3000', 1);
  assert.deepEqual(m2.seq(), [[13, TSSB_SEL]]);
});
