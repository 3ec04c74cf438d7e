// Stack and near-branch behaviour the user-mode golden vectors cannot reach, derived from the Intel SDM:
// 16-bit stacks (SS.B = 0: SP wraps, ESP's upper half is kept, vol. 1 §6.2.3), real-address mode, expand-down
// stacks (vol. 3A §5.3), PUSHA/ENTER/LEAVE (vol. 2 Operation sections) and the CS-limit check of near
// branches (vol. 2 JMP/Jcc/CALL/RET/LOOP: "#GP(0) if the target is beyond the code segment limit").
// Faulting instructions must change nothing, memory included.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DescMachine, T, le, segDesc, snapshot } from './test-support.ts';
import { CS, EAX, EBP, ECX, GP, SSV } from './regs.ts';

const D1 = 0x48, C1 = 0x50;

/** Ring 0 with SS loaded from `spec` (selector 0x48) and ESP = esp. */
function withStack(spec: Parameters<typeof segDesc>[0], esp: number): DescMachine {
  const m = new DescMachine();
  m.setDesc(D1, segDesc(spec));
  m.cpu.r32[EAX] = D1;
  assert.equal(m.run('8ed0'), null);
  m.cpu.r32[4] = esp;
  return m;
}

function ok(m: DescMachine, hex: string, n = 1): void {
  assert.equal(m.run(hex, n), null);
}

function fault(m: DescMachine, hex: string, vector: number, error: number, memCheck?: [number, number], at = CODE): void {
  m.load(at, hex);
  m.cpu.eip = at - m.cpu.segBase[CS];
  const before = snapshot(m.cpu);
  const memBefore = memCheck ? Array.from(m.mem.u8.subarray(memCheck[0], memCheck[0] + memCheck[1])) : [];
  const ev = m.step(1);
  assert.deepEqual([ev?.vector, ev?.error], [vector, error]);
  assert.deepEqual(snapshot(m.cpu), before, 'registers unchanged');
  if (memCheck) assert.deepEqual(Array.from(m.mem.u8.subarray(memCheck[0], memCheck[0] + memCheck[1])), memBefore, 'memory unchanged');
}

describe('16-bit stacks and real-address mode', () => {
  test('real mode: PUSH at SP = 0 wraps to 0xFFFE; POP wraps back to 0', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 0);
    m.cpu.r32[EAX] = 0x1234;
    m.load(0x10000, '505b');                                   // push ax; pop bx
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.r32[4], m.r16(0x2FFFE)], [0xFFFE, 0x1234]);
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.r32[4], m.cpu.r16[3 << 1]], [0, 0x1234]);
  });

  test('real mode: a word push at SP = 1 would straddle offset 0xFFFF: #SS(0), nothing changed', () => {
    const m = new DescMachine();
    m.realMode(0x1000, 0x2000, 1);
    m.load(0x10000, '50');
    m.cpu.eip = 0;
    const before = snapshot(m.cpu);
    const ev = m.step(1);
    assert.deepEqual([ev?.vector, ev?.error], [SSV, 0]);
    assert.deepEqual(snapshot(m.cpu), before);
  });

  test('SS.B = 0: pushes and pops move SP only; the upper half of ESP is kept', () => {
    const m = withStack({ type: T.DATA_RW, base: 0x40000, limit: 0xFFFF, g: false, db: false }, 0xABCD0010);
    m.cpu.r32[EAX] = 0x11223344;
    ok(m, '50');                                               // push eax
    assert.deepEqual([m.cpu.r32[4] >>> 0, m.r32(0x4000C)], [0xABCD000C, 0x11223344]);
    m.cpu.r32[4] = 0xABCD0000 | 0;
    ok(m, '6650');                                             // push ax: SP 0 → 0xFFFE (wraps)
    assert.deepEqual([m.cpu.r32[4] >>> 0, m.r16(0x4FFFE)], [0xABCDFFFE, 0x3344]);
    ok(m, '665b');                                             // pop bx wraps back to 0
    assert.deepEqual([m.cpu.r32[4] >>> 0, m.cpu.r16[3 << 1]], [0xABCD0000, 0x3344]);
    m.cpu.r32[4] = 0xABCD0002 | 0;
    fault(m, '50', SSV, 0);                                    // a dword at 0xFFFE crosses the 64 KiB limit
  });

  test('PUSHA (16-bit) wraps SP through 0 on an expand-up 64 KiB stack', () => {
    const m = withStack({ type: T.DATA_RW, base: 0x40000, limit: 0xFFFF, g: false, db: false }, 4);
    for (let r = 0; r < 8; r++) if (r !== 4) m.cpu.r16[r << 1] = 0x1100 + r;
    ok(m, '6660');
    assert.equal(m.cpu.r32[4], 0xFFF4);
    const at = (sp: number) => m.r16(0x40000 + sp);
    assert.deepEqual([at(2), at(0), at(0xFFFE), at(0xFFFC), at(0xFFFA), at(0xFFF8), at(0xFFF6), at(0xFFF4)],
      [0x1100, 0x1101, 0x1102, 0x1103, 4, 0x1105, 0x1106, 0x1107], 'AX CX DX BX original SP BP SI DI');
  });

  test('PUSHA crossing the bottom of an expand-down stack: #SS(0), no register or memory changed', () => {
    const m = withStack({ type: T.DATA_RW_DOWN, base: 0, limit: 0x7FFFF, g: false, db: true }, 0x80008);
    fault(m, '60', SSV, 0, [0x7FFE0, 0x28]);
    fault(m, '6660', SSV, 0, [0x7FFE0, 0x28]);
    m.cpu.r32[4] = 0x80020;
    ok(m, '60');
    assert.equal(m.cpu.r32[4], 0x80000);
  });

  test('ENTER on a 16-bit stack walks BP with 16-bit wrap-around', () => {
    const m = withStack({ type: T.DATA_RW, base: 0x40000, limit: 0xFFFF, g: false, db: false }, 0x100);
    m.cpu.r32[EBP] = 0x55550002;
    m.w16(0x40000, 0x1111);                                    // [BP-2] = [0]
    m.w16(0x4FFFE, 0x2222);                                    // [BP-4] = [0xFFFE]
    ok(m, '66c8100003');                                       // enter 0x10, 3 (16-bit)
    assert.deepEqual([m.r16(0x400FE), m.r16(0x400FC), m.r16(0x400FA), m.r16(0x400F8)], [2, 0x1111, 0x2222, 0xFE]);
    assert.deepEqual([m.cpu.r32[EBP] >>> 0, m.cpu.r32[4]], [0x555500FE, 0xF8 - 0x10]);
  });

  test('ENTER whose final stack pointer leaves the segment: #SS(0), nothing pushed', () => {
    const m = withStack({ type: T.DATA_RW_DOWN, base: 0, limit: 0x7FFFF, g: false, db: true }, 0x80100);
    fault(m, 'c80001' + '00', SSV, 0, [0x800F0, 0x10]);        // enter 0x100, 0: ESP would be 0x7FFFC
    ok(m, 'c8f800' + '00');                                    // enter 0xF8, 0: ESP = 0x80004
    assert.equal(m.cpu.r32[4], 0x80004);
  });

  test('LEAVE with a 16-bit stack: SP ← BP (upper ESP kept), then EBP is popped', () => {
    const m = withStack({ type: T.DATA_RW, base: 0x40000, limit: 0xFFFF, g: false, db: false }, 0x12340050);
    m.cpu.r32[EBP] = 0x56780080;
    m.w32(0x40080, 0xCAFEBABE);
    ok(m, 'c9');
    assert.deepEqual([m.cpu.r32[4] >>> 0, m.cpu.r32[EBP] >>> 0], [0x12340084, 0xCAFEBABE]);
  });

  test('LEAVE with EBP outside the stack segment: #SS(0), ESP unchanged', () => {
    const m = withStack({ type: T.DATA_RW, base: 0x40000, limit: 0xFFF, g: false, db: true }, 0x800);
    m.cpu.r32[EBP] = 0x1000;
    fault(m, 'c9', SSV, 0);
  });
});

describe('near branches check the CS limit (#GP(0), nothing changed)', () => {
  /** Ring 0 running in a 32-bit code segment of base 0 and byte limit 0x10FFF. */
  function limited(): DescMachine {
    const m = new DescMachine();
    m.setDesc(C1, segDesc({ type: T.CODE_XR, base: 0, limit: 0x10FFF, g: false, db: true }));
    assert.equal(m.run('ea' + le(CODE + 0x800, 4) + le(C1, 2)), null);
    return m;
  }

  test('JMP rel32 / rel8 and JMP r/m', () => {
    const m = limited();
    fault(m, 'e9' + le(0x1000 - 5, 4), GP, 0);                 // target 0x11000
    ok(m, 'e9' + le(0x0FFF - 5, 4));                           // target 0x10FFF (the last byte)
    assert.equal(m.cpu.eip, 0x10FFF);
    m.cpu.r32[EAX] = 0x11000;
    fault(m, 'ffe0', GP, 0);
  });

  test('Jcc: only a taken branch is checked', () => {
    const m = limited();
    m.cpu.setFlag(0x40, true);                                 // ZF = 1
    fault(m, '0f84' + le(0x2000, 4), GP, 0);                   // jz (taken)
    ok(m, '0f85' + le(0x2000, 4));                             // jnz (not taken)
    assert.equal(m.cpu.eip, CODE + 6);
  });

  test('CALL beyond the limit pushes nothing; RET to beyond the limit pops nothing', () => {
    const m = limited();
    m.cpu.r32[4] = 0x80000;
    fault(m, 'e8' + le(0x2000, 4), GP, 0, [0x7FFF0, 0x10]);
    m.w32(0x80000, 0x11000);
    fault(m, 'c3', GP, 0);
    fault(m, 'c20800', GP, 0);
  });

  test('LOOP: a taken branch beyond the limit faults with ECX unchanged', () => {
    const m = limited();
    m.cpu.r32[ECX] = 5;
    fault(m, 'e27f', GP, 0, undefined, 0x10FF0);              // target 0x10FF2 + 0x7F = 0x11071
    m.cpu.r32[ECX] = 1;                                        // count reaches 0: not taken, no check
    assert.equal(m.run('e27f', 1, 0x10FF0), null);
    assert.deepEqual([m.cpu.r32[ECX], m.cpu.eip], [0, 0x10FF2]);
  });
});
