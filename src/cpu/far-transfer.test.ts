// Far JMP/CALL/RET, derived from the Intel SDM: vol. 2 "JMP", "CALL", "RET" (Operation and exceptions
// for real-address and protected mode), vol. 3A §5.8 (privilege checks for control transfers: Table 5-1
// and §5.8.2 direct transfers, §5.8.3-5.8.5 call gates and the stack switch with parameter copying,
// Figure 5-13, §5.8.6 returning from a called procedure), §7.2.1 (the TSS stack fields).
// Every fault must leave the state unchanged.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CODE, DescMachine, KCODE, KDATA, R1DATA, STACK0, STACK3, T, TSS_SEL, UCODE, UDATA, gateDesc, le, segDesc, snapshot,
} from './test-support.ts';
import { AR_UNUSABLE, CS, DS, EAX, ES, FS, GP, GS, NP, SS, SSV, TS } from './regs.ts';

const G = 0x48, C1 = 0x50, C2 = 0x58, D1 = 0x60;

function expectFault(m: DescMachine, hex: string, vector: number, error: number): void {
  m.load(CODE, hex);
  m.cpu.eip = CODE - m.cpu.segBase[CS];
  const before = snapshot(m.cpu);
  const ev = m.step(1);
  assert.ok(ev, `expected exception ${vector}(${error.toString(16)}), got none`);
  assert.deepEqual([ev.vector, ev.error], [vector, error], `exception ${ev.vector}(${ev.error.toString(16)})`);
  assert.deepEqual(snapshot(m.cpu), before, 'a faulting instruction changes nothing');
}

function expectOk(m: DescMachine, hex: string): void {
  const ev = m.run(hex, 1);
  assert.equal(ev, null, `unexpected exception ${JSON.stringify(ev)}`);
}

const jmpf = (sel: number, off = 0) => 'ea' + le(off, 4) + le(sel, 2);
const callf = (sel: number, off = 0) => '9a' + le(off, 4) + le(sel, 2);

function ring3(esp = STACK3): DescMachine {
  const m = new DescMachine();
  m.enter(3, UCODE, UDATA, esp);
  return m;
}

describe('real-address mode far transfers (SDM vol. 2 JMP/CALL/RET real-address mode Operation)', () => {
  test('JMP ptr16:16 loads CS = selector with base selector × 16', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 0xFFF0);
    m.load(0x10000, 'ea' + '3412' + '0020');
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.segBase[CS], m.cpu.eip], [0x2000, 0x20000, 0x1234]);
  });

  test('CALL ptr16:16 pushes CS then IP; RETF imm16 pops them and releases imm16 bytes', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 0xFFF0);
    m.load(0x10000, '9a' + '0010' + '0030');                   // call 0x3000:0x1000
    m.load(0x31000, 'ca0400');                                 // retf 4
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.eip, m.cpu.r32[4]], [0x3000, 0x1000, 0xFFEC]);
    assert.deepEqual([m.r16(0x2FFEE), m.r16(0x2FFEC)], [0x1000, 5], 'CS at SP+2, IP at SP');
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.segBase[CS], m.cpu.eip, m.cpu.r32[4]], [0x1000, 0x10000, 5, 0xFFF4]);
  });

  test('a 32-bit operand size pushes 4-byte slots; an offset beyond the CS limit is #GP(0)', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 0xFFF0);
    m.load(0x10000, '669a' + le(0x2000, 4) + '0010');          // call dword 0x1000:0x2000
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.r32[4], m.r32(0x2FFEC), m.r32(0x2FFE8)], [0xFFE8, 0x1000, 8]);
    m.load(0x12000, '66cb');                                    // retf (32-bit)
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.eip, m.cpu.r32[4]], [8, 0xFFF0]);
    const before = snapshot(m.cpu);
    m.load(0x10008, '66ea' + le(0x10000, 4) + '0010');
    const ev = m.step(1);
    assert.deepEqual([ev?.vector, ev?.error], [GP, 0]);
    assert.deepEqual({ ...snapshot(m.cpu), eip: before.eip }, before);
  });

  test('RETF: a return offset beyond the CS limit is #GP(0); the stack is not popped', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 0xFFF0);
    m.w32(0x2FFF0, 0x12345678); m.w16(0x2FFF4, 0x1000);
    m.load(0x10000, '66cb');
    m.cpu.eip = 0;
    const ev = m.step(1);
    assert.deepEqual([ev?.vector, ev?.error, m.cpu.r32[4]], [GP, 0, 0xFFF0]);
  });
});

describe('direct far JMP/CALL to code segments (SDM vol. 3A §5.8.2)', () => {
  test('JMP to a 16-bit code segment at the same level switches the default operand size', () => {
    const m = new DescMachine();
    m.setDesc(C1, segDesc({ type: T.CODE_XR, base: 0x10000, limit: 0xFFFF, db: false }));
    expectOk(m, jmpf(C1, 0x10));
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.segBase[CS], m.cpu.eip, m.cpu.code32], [C1, 0x10000, 0x10, false]);
    assert.equal(m.getDesc(C1)[1] & 0x100, 0x100, 'accessed bit set');
    m.cpu.eip = 0x20;                                           // offset beyond the new limit
    m.setDesc(C2, segDesc({ type: T.CODE_XR, base: 0, limit: 0xFFFF, db: false }));
    expectFault(m, '66' + jmpf(C2, 0x10000), GP, 0);
  });

  test('non-conforming: RPL ≤ CPL and DPL = CPL; RPL is replaced by CPL', () => {
    const m = ring3();
    m.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 3 }));
    expectOk(m, jmpf(C1 | 0, CODE + 0x100));                    // RPL 0 < CPL 3: allowed
    assert.equal(m.cpu.segSel[CS], C1 | 3);
    m.setDesc(C2, segDesc({ type: T.CODE_XR, dpl: 0 }));
    expectFault(m, jmpf(C2 | 3, CODE), GP, C2);                 // DPL 0 ≠ CPL 3
    const m0 = new DescMachine();
    m0.setDesc(C2, segDesc({ type: T.CODE_XR, dpl: 0 }));
    expectFault(m0, jmpf(C2 | 1, CODE), GP, C2);                // RPL 1 > CPL 0
    expectFault(m0, callf(C2 | 1, CODE), GP, C2);
  });

  test('conforming: DPL ≤ CPL; CPL does not change', () => {
    const m = ring3();
    m.setDesc(C1, segDesc({ type: T.CODE_XRC, dpl: 0 }));
    expectOk(m, callf(C1, CODE + 0x100));
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.cpl, m.cpu.eip], [C1 | 3, 3, CODE + 0x100]);
    assert.deepEqual([m.r32(STACK3 - 4), m.r32(STACK3 - 8)], [UCODE, CODE + 7], 'old CS, then return EIP');
    const m0 = new DescMachine();
    m0.setDesc(C1, segDesc({ type: T.CODE_XRC, dpl: 3 }));
    expectFault(m0, jmpf(C1, CODE), GP, C1);                     // DPL 3 > CPL 0
  });

  test('null is #GP(0); data, system and busy-TSS descriptors are #GP(selector); not present is #NP', () => {
    const m = new DescMachine();
    expectFault(m, jmpf(0, CODE), GP, 0);
    expectFault(m, callf(3, CODE), GP, 0);
    expectFault(m, jmpf(KDATA, CODE), GP, KDATA);
    expectFault(m, callf(TSS_SEL, CODE), GP, TSS_SEL);         // the current (busy) TSS
    m.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 0, present: false }));
    expectFault(m, jmpf(C1, CODE), NP, C1);
    expectFault(m, callf(C1, CODE), NP, C1);
    m.setDesc(C1, segDesc({ type: T.INT32, s: false }));
    expectFault(m, jmpf(C1, CODE), GP, C1);
    m.cpu.gdtrLimit = 0x4F;
    expectFault(m, jmpf(0x5B, CODE), GP, 0x58);
  });

  test('CALL checks the stack before the target limit: #SS(0) when the return address does not fit', () => {
    const m = new DescMachine();
    m.setDesc(D1, segDesc({ type: T.DATA_RW, limit: 0xFFFF, g: false }));
    m.cpu.r32[EAX] = D1;
    expectOk(m, '8ed0');
    m.cpu.r32[4] = 6;                                           // room for one dword only
    m.setDesc(C1, segDesc({ type: T.CODE_XR, limit: 0xFF, g: false }));
    expectFault(m, callf(C1, 0x1000), SSV, 0);                  // the offset is beyond the limit as well
    m.cpu.r32[4] = 0x100;
    expectFault(m, callf(C1, 0x1000), GP, 0);
  });
});

describe('call gates (SDM vol. 3A §5.8.3-5.8.5)', () => {
  /** Ring 3 calling a DPL-3 32-bit gate into ring-0 KCODE at 0x30000 with `params` parameters. */
  function gateMachine(params: number, type: number = T.CALL32): DescMachine {
    const m = ring3(STACK3 - 0x10);
    m.setDesc(G, gateDesc({ type, selector: KCODE, offset: 0x30000, dpl: 3, params }));
    return m;
  }

  test('CALL through a 32-bit gate to ring 0 switches to SS0:ESP0 and copies the parameters', () => {
    const m = gateMachine(3);
    const esp = STACK3 - 0x10;
    m.w32(esp, 0x11111111); m.w32(esp + 4, 0x22222222); m.w32(esp + 8, 0x33333333);
    expectOk(m, callf(G | 3, 0xDEAD));                          // the offset of the pointer is ignored
    const c = m.cpu;
    assert.deepEqual([c.cpl, c.segSel[CS], c.eip, c.segSel[SS], c.r32[4]], [0, KCODE, 0x30000, KDATA, STACK0 - 28]);
    const frame = [0, 4, 8, 12, 16, 20, 24].map((k) => m.r32(STACK0 - 28 + k));
    assert.deepEqual(frame, [CODE + 7, UCODE, 0x11111111, 0x22222222, 0x33333333, esp, UDATA],
      'EIP, CS, parameters in their original order, ESP, SS (Figure 5-13)');
  });

  test('RETF imm16 to ring 3 releases the parameters on both stacks and nulls DPL-0 data segments', () => {
    const m = gateMachine(3);
    const esp = STACK3 - 0x10;
    m.setDesc(C2, segDesc({ type: T.CODE_XRC, dpl: 0 }));       // conforming code: survives the return
    expectOk(m, callf(G | 3));
    // ring 0: DS ← ring-0 data, FS ← conforming code, GS ← ring-0 code (non-conforming), then RETF 12
    m.load(0x30000, 'b8' + le(KDATA, 4) + '8ed8' + 'b8' + le(C2, 4) + '8ee0' + 'b8' + le(KCODE, 4) + '8ee8' + 'ca0c00');
    assert.equal(m.step(7), null);
    const c = m.cpu;
    assert.deepEqual([c.cpl, c.segSel[CS], c.eip, c.segSel[SS], c.r32[4]], [3, UCODE, CODE + 7, UDATA, esp + 12]);
    assert.equal(c.segSel[DS], 0, 'DS (DPL 0 data) is nulled');
    assert.ok(c.segAR[DS] & AR_UNUSABLE);
    assert.equal(c.segSel[GS], 0, 'GS (DPL 0 non-conforming code) is nulled');
    assert.equal(c.segSel[FS], C2, 'FS (conforming code) is kept');
    assert.equal(c.segSel[ES], UDATA, 'ES (DPL 3 data) is kept');
  });

  test('a 16-bit gate pushes 16-bit slots and copies words; the gate offset is 16 bits', () => {
    const m = ring3(0x5FFFC);
    m.setDesc(G, gateDesc({ type: T.CALL16, selector: KCODE, offset: 0xFFFF1234, dpl: 3, params: 2 }));
    m.w16(0x5FFFC, 0xAAAA); m.w16(0x5FFFE, 0xBBBB);
    expectOk(m, callf(G | 3));
    const c = m.cpu;
    assert.deepEqual([c.cpl, c.eip, c.r32[4]], [0, 0x1234, STACK0 - 12]);
    const frame = [0, 2, 4, 6, 8, 10].map((k) => m.r16(STACK0 - 12 + k));
    assert.deepEqual(frame, [(CODE + 7) & 0xFFFF, UCODE, 0xAAAA, 0xBBBB, 0xFFFC, UDATA]);
  });

  test('a gate to a segment of the same privilege (or conforming) pushes on the current stack', () => {
    const m = ring3();
    m.setDesc(G, gateDesc({ type: T.CALL32, selector: UCODE, offset: CODE + 0x40, dpl: 3, params: 5 }));
    expectOk(m, callf(G | 3));
    assert.deepEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.eip, m.cpu.segSel[SS], m.cpu.r32[4]], [3, UCODE, CODE + 0x40, UDATA, STACK3 - 8]);
    assert.deepEqual([m.r32(STACK3 - 4), m.r32(STACK3 - 8)], [UCODE, CODE + 7]);
    const m2 = ring3();
    m2.setDesc(C2, segDesc({ type: T.CODE_XRC, dpl: 0 }));
    m2.setDesc(G, gateDesc({ type: T.CALL16, selector: C2, offset: 0x4444, dpl: 3 }));
    expectOk(m2, callf(G | 3));
    assert.deepEqual([m2.cpu.cpl, m2.cpu.segSel[CS], m2.cpu.eip, m2.cpu.r32[4]], [3, C2 | 3, 0x4444, STACK3 - 4]);
    assert.deepEqual([m2.r16(STACK3 - 2), m2.r16(STACK3 - 4)], [UCODE, CODE + 7 & 0xFFFF]);
  });

  test('gate checks: DPL < CPL or < RPL is #GP(gate); not present is #NP(gate)', () => {
    const m = ring3();
    m.setDesc(G, gateDesc({ type: T.CALL32, selector: KCODE, offset: 0x30000, dpl: 0 }));
    expectFault(m, callf(G | 3), GP, G);
    expectFault(m, jmpf(G | 3), GP, G);
    const m0 = new DescMachine();
    m0.setDesc(G, gateDesc({ type: T.CALL32, selector: KCODE, offset: 0x30000, dpl: 2 }));
    expectFault(m0, callf(G | 3), GP, G);
    m0.setDesc(G, gateDesc({ type: T.CALL32, selector: KCODE, offset: 0x30000, dpl: 3, present: false }));
    expectFault(m0, callf(G | 3), NP, G);
  });

  test('target checks: null → #GP(0); not code, beyond the table, DPL > CPL → #GP(CS); not present → #NP(CS)', () => {
    const m = ring3();
    const gate = (sel: number) => m.setDesc(G, gateDesc({ type: T.CALL32, selector: sel, offset: 0x30000, dpl: 3 }));
    gate(0); expectFault(m, callf(G | 3), GP, 0);
    gate(UDATA); expectFault(m, callf(G | 3), GP, UDATA & 0xFFFC);
    gate(0x7F8); expectFault(m, callf(G | 3), GP, 0x7F8);     // an empty descriptor is not code
    const m0 = new DescMachine();
    const gate0 = (sel: number) => m0.setDesc(G, gateDesc({ type: T.CALL32, selector: sel, offset: 0x30000, dpl: 3 }));
    m0.cpu.gdtrLimit = 0x4F;
    gate0(0x808); expectFault(m0, callf(G), GP, 0x808);
    m0.cpu.gdtrLimit = 0x7FF;
    gate0(UCODE); expectFault(m0, callf(G), GP, UCODE & 0xFFFC);   // DPL 3 > CPL 0
    m0.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 0, present: false }));
    gate0(C1); expectFault(m0, callf(G), NP, C1);
    m0.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 0, limit: 0xFFFF, g: false }));
    expectFault(m0, callf(G), GP, 0);                           // offset 0x30000 beyond the limit
  });

  test('stack switch checks: TSS limit → #TS(TSS); SS null → #TS(0); bad SS → #TS(SS); not present → #SS(SS); no room → #SS(SS)', () => {
    const m = gateMachine(2);
    m.cpu.trLimit = 0x07;
    expectFault(m, callf(G | 3), TS, TSS_SEL);
    m.cpu.trLimit = 0x67;
    m.setTssStack(0, 0, STACK0);
    expectFault(m, callf(G | 3), TS, 0);
    m.setTssStack(0, KDATA | 1, STACK0);                        // RPL 1 ≠ new CPL 0
    expectFault(m, callf(G | 3), TS, KDATA);
    m.setTssStack(0, R1DATA & 0xFFFC, STACK0);                  // DPL 1 ≠ 0
    expectFault(m, callf(G | 3), TS, R1DATA & 0xFFFC);
    m.setDesc(D1, segDesc({ type: T.DATA_R, dpl: 0 }));         // not writable
    m.setTssStack(0, D1, STACK0);
    expectFault(m, callf(G | 3), TS, D1);
    m.setDesc(D1, segDesc({ type: T.CODE_XR, dpl: 0 }));        // not data
    expectFault(m, callf(G | 3), TS, D1);
    m.setDesc(D1, segDesc({ type: T.DATA_RW, dpl: 0, present: false }));
    expectFault(m, callf(G | 3), SSV, D1);
    m.setDesc(D1, segDesc({ type: T.DATA_RW, dpl: 0, limit: 0xFFFF, g: false }));
    m.setTssStack(0, D1, 0x17);                                 // 2 params + 4 slots = 24 bytes needed
    expectFault(m, callf(G | 3), SSV, D1);
    m.setTssStack(0, D1, 0x18);
    expectOk(m, callf(G | 3));
    assert.deepEqual([m.cpu.segSel[SS], m.cpu.r32[4], m.cpu.cpl], [D1, 0, 0]);
  });

  test('the new stack may be expand-down: room is checked against limit+1 .. top', () => {
    const m = gateMachine(0);
    m.setDesc(D1, segDesc({ type: T.DATA_RW_DOWN, dpl: 0, limit: 0x8FFF, g: false, db: true }));
    m.setTssStack(0, D1, 0x9008);                               // 16 bytes needed, 8 available
    expectFault(m, callf(G | 3), SSV, D1);
    m.setTssStack(0, D1, 0x9010);
    expectOk(m, callf(G | 3));
    assert.equal(m.cpu.r32[4], 0x9000);
  });

  test('JMP through a call gate never changes privilege: non-conforming needs DPL = CPL', () => {
    const m = ring3();
    m.setDesc(G, gateDesc({ type: T.CALL32, selector: KCODE, offset: 0x30000, dpl: 3 }));
    expectFault(m, jmpf(G | 3), GP, KCODE);
    m.setDesc(C2, segDesc({ type: T.CODE_XRC, dpl: 0 }));
    m.setDesc(G, gateDesc({ type: T.CALL32, selector: C2, offset: 0x30000, dpl: 3 }));
    expectOk(m, jmpf(G | 3));
    assert.deepEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.eip, m.cpu.r32[4]], [3, C2 | 3, 0x30000, STACK3]);
    m.setDesc(G, gateDesc({ type: T.CALL32, selector: UCODE, offset: CODE + 0x10, dpl: 3 }));
    expectOk(m, jmpf(G | 3));
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.eip], [UCODE, CODE + 0x10]);
  });
});

describe('far RET (SDM vol. 2 RET protected-mode Operation, vol. 3A §5.8.6)', () => {
  /** Ring 0 with a far return frame at ESP: EIP, CS, then (outer) ESP, SS. */
  function retMachine(...frame: number[]): DescMachine {
    const m = new DescMachine();
    m.cpu.r32[4] = STACK0 - 0x20;
    frame.forEach((v, k) => m.w32(STACK0 - 0x20 + 4 * k, v));
    return m;
  }

  test('same level: the high half of the CS slot is ignored; imm16 is released', () => {
    const m = retMachine(CODE + 0x80, 0xABCD0000 | KCODE);
    expectOk(m, 'ca0800');
    assert.deepEqual([m.cpu.segSel[CS], m.cpu.eip, m.cpu.r32[4]], [KCODE, CODE + 0x80, STACK0 - 0x20 + 16]);
  });

  test('return CS checks: null #GP(0); RPL < CPL, not code, DPL ≠ RPL, conforming DPL > RPL → #GP(CS); not present #NP(CS)', () => {
    expectFault(retMachine(CODE, 0), 'cb', GP, 0);
    const m3 = ring3();
    m3.w32(STACK3, CODE); m3.w32(STACK3 + 4, KCODE);           // RPL 0 < CPL 3
    expectFault(m3, 'cb', GP, KCODE);
    expectFault(retMachine(CODE, KDATA), 'cb', GP, KDATA);
    expectFault(retMachine(CODE, UCODE & 0xFFFC), 'cb', GP, UCODE & 0xFFFC);   // DPL 3 ≠ RPL 0
    const m = retMachine(CODE, C1 | 1, STACK3, UDATA);
    m.setDesc(C1, segDesc({ type: T.CODE_XRC, dpl: 2 }));
    expectFault(m, 'cb', GP, C1);                               // conforming DPL 2 > RPL 1
    m.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 1, present: false }));
    expectFault(m, 'cb', NP, C1);
  });

  test('return EIP beyond the CS limit is #GP(0)', () => {
    const m = retMachine(0x10000, C1);
    m.setDesc(C1, segDesc({ type: T.CODE_XR, dpl: 0, limit: 0xFFFF, g: false }));
    expectFault(m, 'cb', GP, 0);
  });

  test('outer level: SS checks (null #GP(0), RPL/DPL/type #GP(SS), not present #SS(SS))', () => {
    expectFault(retMachine(CODE, UCODE, STACK3, 0), 'cb', GP, 0);
    expectFault(retMachine(CODE, UCODE, STACK3, UDATA & 0xFFFC), 'cb', GP, UDATA & 0xFFFC);   // RPL 0 ≠ 3
    expectFault(retMachine(CODE, UCODE, STACK3, KDATA | 3), 'cb', GP, KDATA);                  // DPL 0 ≠ 3
    expectFault(retMachine(CODE, UCODE, STACK3, UCODE), 'cb', GP, UCODE & 0xFFFC);            // code
    const m = retMachine(CODE, UCODE, STACK3, D1 | 3);
    m.setDesc(D1, segDesc({ type: T.DATA_RW, dpl: 3, present: false }));
    expectFault(m, 'cb', SSV, D1);
  });

  test('outer level: CPL, CS, SS:ESP restored; imm16 applied to both stacks', () => {
    const m = retMachine(CODE + 0x44, UCODE, 0, 0, 0, STACK3 - 0x40, UDATA);   // 12 bytes of parameters
    expectOk(m, 'ca0c00');
    const c = m.cpu;
    assert.deepEqual([c.cpl, c.segSel[CS], c.eip, c.segSel[SS], c.r32[4]], [3, UCODE, CODE + 0x44, UDATA, STACK3 - 0x40 + 12]);
    assert.equal(c.rmask, 2, 'user-mode TLB permissions after the CPL change');
  });

  test('16-bit RETF to an outer level pops 16-bit SP and SS', () => {
    const m = new DescMachine();
    m.cpu.r32[4] = STACK0 - 0x10;
    [0x1234, UCODE, 0x5678, UDATA].forEach((v, k) => m.w16(STACK0 - 0x10 + 2 * k, v));
    expectOk(m, '66cb');
    assert.deepEqual([m.cpu.cpl, m.cpu.eip, m.cpu.r32[4], m.cpu.segSel[SS]], [3, 0x1234, 0x5678, UDATA]);
  });
});

describe('JMP/CALL to a TSS or a task gate (checks of SDM vol. 2 JMP/CALL "TASK-GATE", "TASK-STATE-SEGMENT")', () => {
  test('a busy TSS, a task gate of DPL < CPL and a not-present task gate are refused with nothing changed', () => {
    const m = ring3();
    m.setDesc(G, gateDesc({ type: T.TASK, selector: TSS_SEL, dpl: 0 }));
    expectFault(m, jmpf(G | 3), GP, G);
    m.setDesc(G, gateDesc({ type: T.TASK, selector: TSS_SEL, dpl: 3, present: false }));
    expectFault(m, callf(G | 3), NP, G);
    m.setDesc(G, gateDesc({ type: T.TASK, selector: TSS_SEL, dpl: 3 }));   // TSS_SEL is busy (current task)
    expectFault(m, jmpf(G | 3), GP, TSS_SEL);
    const m0 = new DescMachine();
    expectFault(m0, jmpf(TSS_SEL), GP, TSS_SEL);
  });
});

describe('virtual-8086 mode far transfers (SDM vol. 2 JMP/CALL/RET: real-address semantics in V86 mode)', () => {
  test('JMP/CALL/RETF load CS as selector × 16 with a 64 KiB limit; CPL stays 3', () => {
    const m = new DescMachine();
    m.v86Mode(0x1000, 0x2000, 0xFFF0);
    m.load(0x10000, '9a' + '0001' + '0030');                   // call 0x3000:0x0100
    m.load(0x30100, 'cb');
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    const c = m.cpu;
    assert.deepEqual([c.segSel[CS], c.segBase[CS], c.segLimit[CS], c.cpl, c.eip, c.r32[4]], [0x3000, 0x30000, 0xFFFF, 3, 0x100, 0xFFEC]);
    assert.deepEqual([m.r16(0x2FFEE), m.r16(0x2FFEC)], [0x1000, 5]);
    assert.equal(m.step(1), null);
    assert.deepEqual([c.segSel[CS], c.eip, c.r32[4]], [0x1000, 5, 0xFFF0]);
    m.load(0x10005, 'ea' + '3412' + '0040');
    assert.equal(m.step(1), null);
    assert.deepEqual([c.segSel[CS], c.segBase[CS], c.eip, c.cpl], [0x4000, 0x40000, 0x1234, 3]);
  });

  test('LGDT is #GP(0); ARPL and LAR are #UD; MOV DS loads selector × 16', () => {
    const m = new DescMachine();
    m.v86Mode();
    expectFault(m, '0f0116' + '0050', GP, 0);
    expectFault(m, '63c8', 6, -1);
    expectFault(m, '0f02c1', 6, -1);
    m.cpu.r32[EAX] = 0x1234;
    expectOk(m, '8ed8');
    assert.deepEqual([m.cpu.segSel[DS], m.cpu.segBase[DS], m.cpu.segLimit[DS]], [0x1234, 0x12340, 0xFFFF]);
  });
});
