// Descriptor instructions, derived from the Intel SDM vol. 2: LAR, LSL, VERR/VERW (Operation: valid
// descriptor types, privilege rule, ZF), ARPL, LGDT/LIDT and SGDT/SIDT (6-byte pseudo-descriptor, 24-bit
// base with a 16-bit operand size), LLDT, LTR (busy bit), SLDT/STR; and their #UD in real-address mode.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DescMachine, KCODE, STACK3, T, TSS_SEL, UCODE, UDATA, le, segDesc, snapshot } from './test-support.ts';
import { AR_UNUSABLE, CS, EAX, ECX, GP, NP, UD, ZF } from './regs.ts';
import { Sensitive } from './intercept.ts';

const S1 = 0x48, S2 = 0x50;

function expectFault(m: DescMachine, hex: string, vector: number, error: number): void {
  m.load(CODE, hex);
  m.cpu.eip = CODE - m.cpu.segBase[CS];
  const before = snapshot(m.cpu);
  const ev = m.step(1);
  assert.ok(ev, `expected exception ${vector}`);
  assert.deepEqual([ev.vector, ev.error], [vector, error]);
  assert.deepEqual(snapshot(m.cpu), before, 'a faulting instruction changes nothing');
}

function expectOk(m: DescMachine, hex: string): void {
  assert.equal(m.run(hex, 1), null);
}

const zf = (m: DescMachine) => (m.cpu.getEflags() & ZF) !== 0;
const LAR_EAX_ECX = '0f02c1', LSL_EAX_ECX = '0f03c1', VERR_CX = '0f00e1', VERW_CX = '0f00e9';

describe('LAR / LSL (SDM vol. 2 LAR, LSL)', () => {
  const LAR_OK = [1, 2, 3, 4, 5, 9, 0xB, 0xC], LSL_OK = [1, 2, 3, 9, 0xB];

  test('system descriptor types: LAR accepts TSSs, LDT, call and task gates; LSL only TSSs and LDT', () => {
    for (let type = 0; type < 16; type++) {
      const m = new DescMachine();
      m.setDesc(S1, segDesc({ type, s: false, dpl: 0, base: 0x3000, limit: 0x67, g: false, db: false }));
      const hi = m.getDesc(S1)[1];
      m.cpu.r32[ECX] = S1;
      m.cpu.r32[EAX] = 0x5A5A5A5A;
      expectOk(m, LAR_EAX_ECX);
      assert.equal(zf(m), LAR_OK.includes(type), `LAR type ${type}`);
      assert.equal(m.cpu.r32[EAX] >>> 0, LAR_OK.includes(type) ? (hi & 0x00FFFF00) >>> 0 : 0x5A5A5A5A, `LAR type ${type} value`);
      m.cpu.r32[EAX] = 0x5A5A5A5A;
      expectOk(m, LSL_EAX_ECX);
      assert.equal(zf(m), LSL_OK.includes(type), `LSL type ${type}`);
      assert.equal(m.cpu.r32[EAX] >>> 0, LSL_OK.includes(type) ? 0x67 : 0x5A5A5A5A, `LSL type ${type} value`);
    }
  });

  test('LAR returns the access-rights dword masked with 00FxFF00H (16-bit: bits 15:8)', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.CODE_XR | 1, dpl: 2, base: 0x12345678, limit: 0xABCDE, g: true, db: true }));
    m.cpu.r32[ECX] = S1;
    expectOk(m, LAR_EAX_ECX);
    assert.equal(m.cpu.r32[EAX] >>> 0, 0x00CADB00);
    m.cpu.r32[EAX] = 0x11112222;
    expectOk(m, '66' + LAR_EAX_ECX);
    assert.equal(m.cpu.r32[EAX] >>> 0, 0x1111DB00);
  });

  test('LSL returns the byte-granular limit (scaled by G); a 16-bit destination gets the low word', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.DATA_RW, limit: 0x12345, g: false }));
    m.setDesc(S2, segDesc({ type: T.DATA_RW, limit: 0x12, g: true }));
    m.cpu.r32[ECX] = S1; expectOk(m, LSL_EAX_ECX);
    assert.equal(m.cpu.r32[EAX], 0x12345);
    m.cpu.r32[ECX] = S2; expectOk(m, LSL_EAX_ECX);
    assert.equal(m.cpu.r32[EAX], 0x12FFF);
    m.cpu.r32[EAX] = 0x77770000;
    expectOk(m, '66' + LSL_EAX_ECX);
    assert.equal(m.cpu.r32[EAX] >>> 0, 0x77772FFF);
  });

  test('privilege: CPL > DPL or RPL > DPL clears ZF, except for conforming code segments', () => {
    const m = new DescMachine();
    m.enter(3, UCODE, UDATA, STACK3);
    m.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 2 }));
    m.setDesc(S2, segDesc({ type: T.CODE_XC, dpl: 0 }));
    m.cpu.r32[ECX] = S1 | 3; expectOk(m, LAR_EAX_ECX); assert.equal(zf(m), false, 'DPL 2 < CPL 3');
    m.cpu.r32[ECX] = S2 | 3; expectOk(m, LAR_EAX_ECX); assert.equal(zf(m), true, 'conforming code');
    const m0 = new DescMachine();
    m0.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 2 }));
    m0.cpu.r32[ECX] = S1 | 3; expectOk(m0, LSL_EAX_ECX); assert.equal(zf(m0), false, 'RPL 3 > DPL 2');
    m0.cpu.r32[ECX] = S1 | 2; expectOk(m0, LSL_EAX_ECX); assert.equal(zf(m0), true);
  });

  test('a null selector or one beyond the table clears ZF', () => {
    const m = new DescMachine();
    m.cpu.setFlag(ZF, true);
    m.cpu.r32[ECX] = 0; expectOk(m, LAR_EAX_ECX); assert.equal(zf(m), false);
    m.cpu.setFlag(ZF, true);
    m.cpu.r32[ECX] = 0x7FF8 | 3; expectOk(m, LSL_EAX_ECX); assert.equal(zf(m), false);
    m.cpu.setFlag(ZF, true);
    m.cpu.r32[ECX] = 0x0C; expectOk(m, LAR_EAX_ECX); assert.equal(zf(m), false, 'LDT selector without an LDT');
  });
});

describe('VERR / VERW (SDM vol. 2 VERR/VERW)', () => {
  const cases: [string, Parameters<typeof segDesc>[0], boolean, boolean][] = [
    ['writable data', { type: T.DATA_RW, dpl: 3 }, true, true],
    ['read-only data', { type: T.DATA_R, dpl: 3 }, true, false],
    ['expand-down writable data', { type: T.DATA_RW_DOWN, dpl: 3 }, true, true],
    ['readable code', { type: T.CODE_XR, dpl: 3 }, true, false],
    ['execute-only code', { type: T.CODE_X, dpl: 3 }, false, false],
    ['conforming readable code, DPL 0', { type: T.CODE_XRC, dpl: 0 }, true, false],
    ['non-conforming readable code, DPL 0', { type: T.CODE_XR, dpl: 0 }, false, false],
    ['writable data, DPL 0', { type: T.DATA_RW, dpl: 0 }, false, false],
    ['32-bit TSS (system)', { type: T.TSS32, s: false, dpl: 3 }, false, false],
  ];
  for (const [name, spec, r, w] of cases) {
    test(`${name} at CPL 3: VERR ${r ? 1 : 0}, VERW ${w ? 1 : 0}`, () => {
      const m = new DescMachine();
      m.enter(3, UCODE, UDATA, STACK3);
      m.setDesc(S1, segDesc(spec));
      m.cpu.r32[ECX] = S1 | 3;
      expectOk(m, VERR_CX); assert.equal(zf(m), r);
      expectOk(m, VERW_CX); assert.equal(zf(m), w);
    });
  }
  test('null selector: ZF = 0', () => {
    const m = new DescMachine();
    m.cpu.r32[ECX] = 0;
    m.cpu.setFlag(ZF, true);
    expectOk(m, VERR_CX); assert.equal(zf(m), false);
  });
});

describe('real-address mode: ARPL, LAR, LSL, VERR/VERW and the 0F 00 group are #UD', () => {
  for (const [name, hex] of [['ARPL', '63c8'], ['LAR', LAR_EAX_ECX], ['LSL', LSL_EAX_ECX], ['VERR', VERR_CX], ['SLDT', '0f00c0'], ['LLDT', '0f00d0'], ['LTR', '0f00d8']]) {
    test(name, () => {
      const m = new DescMachine();
      m.realMode();
      expectFault(m, hex, UD, -1);
    });
  }
});

describe('ARPL (SDM vol. 2 ARPL)', () => {
  test('raises the destination RPL to the source RPL; ZF tells whether it changed', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = 0xFFFF0010; m.cpu.r32[ECX] = 0x0002;
    expectOk(m, '63c8');
    assert.deepEqual([m.cpu.r32[EAX] >>> 0, zf(m)], [0xFFFF0012, true]);
    expectOk(m, '63c8');
    assert.deepEqual([m.cpu.r32[EAX] >>> 0, zf(m)], [0xFFFF0012, false]);
  });
});

describe('LGDT / LIDT / SGDT / SIDT (SDM vol. 2)', () => {
  const PD = 0x5000;
  test('LGDT then SGDT round-trips limit and 32-bit base; both pass the intercept point', () => {
    const m = new DescMachine();
    m.load(PD, '3412' + 'efcdab89');
    expectOk(m, '0f0115' + le(PD, 4));                        // lgdt [PD]
    assert.deepEqual([m.cpu.gdtrLimit, m.cpu.gdtrBase >>> 0], [0x1234, 0x89ABCDEF]);
    assert.deepEqual(m.sensitives.at(-1), { kind: Sensitive.Lgdt, a: 0x89ABCDEF | 0, b: 0x1234 });
    expectOk(m, '0f0105' + le(PD + 0x10, 4));                 // sgdt [PD+0x10]
    assert.deepEqual(Array.from(m.mem.u8.subarray(PD + 0x10, PD + 0x16)), [0x34, 0x12, 0xEF, 0xCD, 0xAB, 0x89]);
    assert.equal(m.sensitives.at(-1)?.kind, Sensitive.Sgdt);
  });

  test('LIDT / SIDT round-trip; a 16-bit operand size loads and stores a 24-bit base (byte 5 = 0)', () => {
    const m = new DescMachine();
    m.load(PD, 'ff07' + '44332211');
    expectOk(m, '66' + '0f011d' + le(PD, 4));                 // lidt (o16)
    assert.deepEqual([m.cpu.idtrLimit, m.cpu.idtrBase], [0x7FF, 0x223344]);
    m.cpu.idtrBase = 0x44332211;
    m.load(PD + 0x10, 'ffffffffffffffff');
    expectOk(m, '66' + '0f010d' + le(PD + 0x10, 4));          // sidt (o16)
    assert.deepEqual(Array.from(m.mem.u8.subarray(PD + 0x10, PD + 0x17)), [0xFF, 0x07, 0x11, 0x22, 0x33, 0x00, 0xFF]);
    expectOk(m, '0f010d' + le(PD + 0x20, 4));                 // sidt (o32)
    assert.deepEqual(Array.from(m.mem.u8.subarray(PD + 0x20, PD + 0x26)), [0xFF, 0x07, 0x11, 0x22, 0x33, 0x44]);
  });

  test('LGDT/LIDT need CPL 0 (#GP(0)); the register forms are #UD', () => {
    const m = new DescMachine();
    m.enter(3, UCODE, UDATA, STACK3);
    expectFault(m, '0f0115' + le(PD, 4), GP, 0);
    expectFault(m, '0f011d' + le(PD, 4), GP, 0);
    const m0 = new DescMachine();
    for (const hex of ['0f01c0', '0f01c8', '0f01d0', '0f01d8']) expectFault(m0, hex, UD, -1);
  });

  test('LGDT works in real-address mode', () => {
    const m = new DescMachine();
    m.realMode();
    m.load(PD, '2700' + '00100000');
    m.load(0x10000, '0f0116' + le(PD, 2));                    // lgdt [PD] (16-bit address, o16)
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.deepEqual([m.cpu.gdtrLimit, m.cpu.gdtrBase], [0x27, 0x1000]);
  });
});

describe('LLDT / LTR / SLDT / STR (SDM vol. 2)', () => {
  test('LLDT loads an LDT descriptor from the GDT; null makes LDTR unusable', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.LDT, s: false, base: 0x6000, limit: 0xFF, g: false }));
    m.cpu.r32[EAX] = S1;
    expectOk(m, '0f00d0');
    assert.deepEqual([m.cpu.ldtrSel, m.cpu.ldtrBase, m.cpu.ldtrLimit, m.cpu.ldtrAR & 0xFF], [S1, 0x6000, 0xFF, 0x82]);
    assert.deepEqual(m.sensitives.at(-1), { kind: Sensitive.Lldt, a: S1, b: 0 });
    m.cpu.r32[EAX] = 3;
    expectOk(m, '0f00d0');
    assert.equal(m.cpu.ldtrSel, 3);
    assert.ok(m.cpu.ldtrAR & AR_UNUSABLE);
  });

  test('LLDT faults: not an LDT or TI=1 → #GP(sel); not present → #NP(sel); CPL 3 → #GP(0)', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = TSS_SEL; expectFault(m, '0f00d0', GP, TSS_SEL);
    m.cpu.r32[EAX] = KCODE; expectFault(m, '0f00d0', GP, KCODE);
    m.cpu.r32[EAX] = S1 | 4; expectFault(m, '0f00d0', GP, S1 | 4);
    m.setDesc(S1, segDesc({ type: T.LDT, s: false, present: false, limit: 0xFF, g: false }));
    m.cpu.r32[EAX] = S1; expectFault(m, '0f00d0', NP, S1);
    m.enter(3, UCODE, UDATA, STACK3);
    expectFault(m, '0f00d0', GP, 0);
  });

  test('LTR loads an available TSS and marks it busy in the GDT', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.TSS32, s: false, base: 0x7000, limit: 0x67, g: false, db: false }));
    m.cpu.r32[EAX] = S1;
    expectOk(m, '0f00d8');
    assert.deepEqual([m.cpu.trSel, m.cpu.trBase, m.cpu.trLimit, m.cpu.trAR & 0xFF], [S1, 0x7000, 0x67, 0x8B]);
    assert.equal((m.getDesc(S1)[1] >>> 8) & 0xF, T.TSS32_BUSY);
    assert.deepEqual(m.sensitives.at(-1), { kind: Sensitive.Ltr, a: S1, b: 0 });
  });

  test('LTR faults: null → #GP(0); busy TSS or not a TSS → #GP(sel); not present → #NP(sel); CPL 3 → #GP(0)', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = 0; expectFault(m, '0f00d8', GP, 0);
    m.cpu.r32[EAX] = TSS_SEL; expectFault(m, '0f00d8', GP, TSS_SEL);
    m.setDesc(S1, segDesc({ type: T.LDT, s: false, limit: 0xFF, g: false }));
    m.cpu.r32[EAX] = S1; expectFault(m, '0f00d8', GP, S1);
    m.setDesc(S1, segDesc({ type: T.TSS16, s: false, limit: 0x2B, g: false, present: false }));
    expectFault(m, '0f00d8', NP, S1);
    m.enter(3, UCODE, UDATA, STACK3);
    expectFault(m, '0f00d8', GP, 0);
  });

  test('SLDT/STR: a 32-bit register is zero-extended, a 16-bit one keeps its upper half, memory gets 16 bits', () => {
    const m = new DescMachine();
    m.cpu.ldtrSel = 0x30;
    m.cpu.r32[EAX] = -1;
    expectOk(m, '0f00c8');                                     // str eax
    assert.equal(m.cpu.r32[EAX], TSS_SEL);
    m.cpu.r32[EAX] = -1;
    expectOk(m, '660f00c0');                                   // sldt ax
    assert.equal(m.cpu.r32[EAX] >>> 0, 0xFFFF0030);
    m.w32(0x5000, 0xFFFFFFFF);
    expectOk(m, '0f000d' + le(0x5000, 4));                     // str [0x5000]
    assert.equal(m.r32(0x5000), (0xFFFF0000 | TSS_SEL) >>> 0);
    assert.deepEqual(m.sensitives.map((s) => s.kind), [Sensitive.Str, Sensitive.Sldt, Sensitive.Str]);
  });
});

