// Segment-register loads and segment limit/type checks, derived from the Intel SDM: vol. 2 "MOV—Move"
// and "POP" (protected-mode Operation and exceptions), vol. 3A §3.4.5 (descriptor fields, G flag),
// §5.3 (limit checking, expand-down segments), §5.4-5.6 (type and privilege checks for data/stack
// segments), §6.8.3 (MOV SS / POP SS interrupt shadow). Every fault must leave the state unchanged.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DescMachine, KCODE, KDATA, LDT, STACK0, STACK3, T, TSS_SEL, UCODE, UDATA, gateDesc, segDesc, snapshot } from './test-support.ts';
import { AR_UNUSABLE, CS, DS, EAX, EBP, EBX, ES, GP, IF, NP, SS, SSV } from './regs.ts';
import { EventKind } from './interrupts.ts';

const S1 = 0x48, S2 = 0x50;

/** Run `hex` (one instruction) and expect exception `vector` with `error`, and no state change. */
function expectFault(m: DescMachine, hex: string, vector: number, error: number | null): void {
  m.load(CODE, hex);
  m.cpu.eip = CODE - m.cpu.segBase[CS];
  const before = snapshot(m.cpu);
  const ev = m.step(1);
  assert.ok(ev, `expected exception ${vector}, got none`);
  assert.deepEqual([ev.vector, ev.error], [vector, error ?? -1]);
  assert.deepEqual(snapshot(m.cpu), before, 'a faulting instruction changes nothing');
}

/** Run `hex` (n instructions) and expect no exception. */
function expectOk(m: DescMachine, hex: string, n = 1): void {
  const ev = m.run(hex, n);
  assert.equal(ev, null, `unexpected exception ${JSON.stringify(ev)}`);
}

function ring3(): DescMachine {
  const m = new DescMachine();
  m.enter(3, UCODE, UDATA, STACK3);
  return m;
}

const MOV_DS_AX = '8ed8', MOV_SS_AX = '8ed0', MOV_ES_AX = '8ec0';

describe('segment-register loads (SDM vol. 2 MOV Operation, vol. 3A §5.5-5.6)', () => {
  test('a null selector may be loaded into DS at CPL 3; a memory access through it is #GP(0)', () => {
    const m = ring3();
    m.cpu.r32[EAX] = 3;
    expectOk(m, MOV_DS_AX);
    assert.equal(m.cpu.segSel[DS], 3, 'the selector (with its RPL) is loaded');
    assert.ok(m.cpu.segAR[DS] & AR_UNUSABLE, 'the segment register is marked invalid');
    expectFault(m, 'a1' + '00000200', GP, 0);
  });

  test('a null selector into SS is #GP(0), at CPL 0 and at CPL 3', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = 0;
    expectFault(m, MOV_SS_AX, GP, 0);
    const m3 = ring3();
    m3.cpu.r32[EAX] = 3;
    expectFault(m3, MOV_SS_AX, GP, 0);
  });

  test('a selector beyond the GDT limit is #GP(selector), RPL cleared', () => {
    const m = new DescMachine();
    m.cpu.gdtrLimit = 0x4F;
    m.cpu.r32[EAX] = 0x53;
    expectFault(m, MOV_DS_AX, GP, 0x50);
    m.cpu.r32[EAX] = 0x4B;
    m.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 3 }));
    expectOk(m, MOV_DS_AX);
  });

  test('an LDT selector while LDTR is null is #GP(selector)', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = 0x0F;
    expectFault(m, MOV_DS_AX, GP, 0x0C);
  });

  test('LDT descriptors load once an LDT is installed', () => {
    const m = ring3();
    m.installLdt();
    m.setDesc(0x0C, segDesc({ type: T.DATA_RW, dpl: 3, base: 0x5000, limit: 0xFF }));
    m.cpu.r32[EAX] = 0x0F;
    expectOk(m, MOV_ES_AX);
    assert.equal(m.cpu.segSel[ES], 0x0F);
    assert.equal(m.cpu.segBase[ES], 0x5000);
    assert.equal(m.cpu.segLimit[ES], 0xFF);
    assert.equal(m.r8(LDT + 8 + 5) & 1, 1, 'accessed bit set in the LDT entry');
  });

  test('SS: RPL ≠ CPL, DPL ≠ CPL, read-only data and code segments are #GP(selector)', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = KDATA | 3;                                 // RPL 3 at CPL 0
    expectFault(m, MOV_SS_AX, GP, KDATA);
    const m3 = ring3();
    m3.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 2 }));       // DPL 2 at CPL 3
    m3.cpu.r32[EAX] = S1 | 3;
    expectFault(m3, MOV_SS_AX, GP, S1);
    m3.setDesc(S1, segDesc({ type: T.DATA_R, dpl: 3 }));        // not writable
    expectFault(m3, MOV_SS_AX, GP, S1);
    m3.setDesc(S1, segDesc({ type: T.CODE_XR, dpl: 3 }));       // code
    expectFault(m3, MOV_SS_AX, GP, S1);
    m3.setDesc(S1, segDesc({ type: T.DATA_RW_DOWN, dpl: 3 }));  // expand-down writable data is a stack
    expectOk(m3, MOV_SS_AX);
  });

  test('a not-present segment is #SS(selector) for SS and #NP(selector) for DS', () => {
    const m = ring3();
    m.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 3, present: false }));
    m.cpu.r32[EAX] = S1 | 3;
    expectFault(m, MOV_SS_AX, SSV, S1);
    expectFault(m, MOV_DS_AX, NP, S1);
  });

  test('DS: system descriptors and execute-only code are #GP(selector); readable code loads', () => {
    const m = new DescMachine();
    m.cpu.r32[EAX] = TSS_SEL;
    expectFault(m, MOV_DS_AX, GP, TSS_SEL);
    m.setDesc(S1, gateDesc({ type: T.CALL32, selector: KCODE, dpl: 3 }));
    m.cpu.r32[EAX] = S1;
    expectFault(m, MOV_DS_AX, GP, S1);
    m.setDesc(S1, segDesc({ type: T.CODE_X, dpl: 0 }));
    expectFault(m, MOV_DS_AX, GP, S1);
    m.setDesc(S1, segDesc({ type: T.CODE_XR, dpl: 0 }));
    expectOk(m, MOV_DS_AX);
    assert.equal(m.cpu.segSel[DS], S1);
  });

  test('DS: data with DPL < CPL or RPL > DPL is #GP(selector)', () => {
    const m = ring3();
    m.cpu.r32[EAX] = KDATA | 3;                                 // DPL 0 < CPL 3
    expectFault(m, MOV_DS_AX, GP, KDATA);
    const m0 = new DescMachine();
    m0.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 1 }));
    m0.cpu.r32[EAX] = S1 | 2;                                   // RPL 2 > DPL 1 at CPL 0
    expectFault(m0, MOV_DS_AX, GP, S1);
    m0.cpu.r32[EAX] = S1 | 1;
    expectOk(m0, MOV_DS_AX);
  });

  test('DS: conforming readable code is loaded without privilege checks; non-conforming is checked', () => {
    const m = ring3();
    m.setDesc(S1, segDesc({ type: T.CODE_XRC, dpl: 0 }));
    m.cpu.r32[EAX] = S1 | 3;
    expectOk(m, MOV_DS_AX);
    m.setDesc(S2, segDesc({ type: T.CODE_XR, dpl: 0 }));
    m.cpu.r32[EAX] = S2 | 3;
    expectFault(m, MOV_DS_AX, GP, S2);
  });

  test('privilege is checked before presence: a not-present DPL-0 segment at CPL 3 is #GP', () => {
    const m = ring3();
    m.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 0, present: false }));
    m.cpu.r32[EAX] = S1 | 3;
    expectFault(m, MOV_DS_AX, GP, S1);
  });

  test('the cache receives base, byte-granular limit and access rights; the accessed bit is set', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.DATA_RW, dpl: 0, base: 0x12345678, limit: 0xABCDE, db: false }));
    m.cpu.r32[EAX] = S1;
    expectOk(m, MOV_ES_AX);
    assert.equal(m.cpu.segBase[ES] >>> 0, 0x12345678);
    assert.equal(m.cpu.segLimit[ES], 0xABCDE);
    assert.equal(m.cpu.segAR[ES], 0x93, 'type 3 (accessed), S, DPL 0, P; B=0, G=0');
    assert.equal(m.getDesc(S1)[1] & 0x100, 0x100, 'accessed bit written back to the GDT');
  });

  test('POP SS and MOV SS delay interrupt recognition by one instruction (SDM vol. 3A §6.8.3)', () => {
    for (const [hex, shadowed] of [['17', true], ['8ed0', true], ['1f', false], ['8ed8', false]] as [string, boolean][]) {
      const m = new DescMachine();
      m.cpu.pic = { acknowledge: () => 0x40 };
      m.cpu.flags |= IF;
      m.cpu.r32[EAX] = KDATA;
      m.w32(STACK0, KDATA);
      m.load(CODE, hex + '9090');
      m.cpu.eip = CODE;
      m.cpu.setIntr(true);
      const ev = m.step(3);
      assert.ok(ev && ev.kind === EventKind.External, 'the interrupt is taken');
      const after = CODE + hex.length / 2;
      assert.equal(ev.eip, shadowed ? after + 1 : after, `${hex}: interrupt taken at the right boundary`);
    }
  });
});

describe('limit and type checks of memory accesses (SDM vol. 3A §5.3, §5.5)', () => {
  /** A machine whose ES is loaded from `spec` at CPL 0. */
  function withEs(spec: Parameters<typeof segDesc>[0]): DescMachine {
    const m = new DescMachine();
    m.setDesc(S1, segDesc(spec));
    m.cpu.r32[EAX] = S1;
    expectOk(m, MOV_ES_AX);
    return m;
  }
  const READ_ES_EBX = '268b03', WRITE_ES_EBX = '268903';

  test('expand-down, B=0: valid offsets are limit+1 .. 0xFFFF', () => {
    const m = withEs({ type: T.DATA_RW_DOWN, limit: 0x0FFF, db: false });
    for (const [ebx, ok] of [[0x1000, true], [0xFFFC, true], [0x0FFF, false], [0x0FFE, false], [0xFFFD, false], [0x10000, false], [0, false]] as [number, boolean][]) {
      m.cpu.r32[EBX] = ebx;
      if (ok) expectOk(m, READ_ES_EBX); else expectFault(m, READ_ES_EBX, GP, 0);
    }
  });

  test('expand-down, B=1: valid offsets are limit+1 .. 0xFFFFFFFF', () => {
    const m = withEs({ type: T.DATA_RW_DOWN, limit: 0x0FFF, db: true });
    for (const [ebx, ok] of [[0x1000, true], [0x10000, true], [0xFFFFFFFC, true], [0x0FFC, false], [0x0FFF, false], [0xFFFFFFFD, false]] as [number, boolean][]) {
      m.cpu.r32[EBX] = ebx;
      if (ok) expectOk(m, READ_ES_EBX); else expectFault(m, READ_ES_EBX, GP, 0);
    }
  });

  test('expand-down, G=1: the limit is scaled (0x0 → 0xFFF): offsets from 0x1000 are valid', () => {
    const m = withEs({ type: T.DATA_RW_DOWN, limit: 0, g: true, db: true });
    m.cpu.r32[EBX] = 0xFFF;
    expectFault(m, READ_ES_EBX, GP, 0);
    m.cpu.r32[EBX] = 0x1000;
    expectOk(m, READ_ES_EBX);
  });

  test('byte granularity: limit 0x1FFF; a dword at 0x1FFD crosses it', () => {
    const m = withEs({ type: T.DATA_RW, limit: 0x1FFF, g: false });
    m.cpu.r32[EBX] = 0x1FFC; expectOk(m, READ_ES_EBX);
    m.cpu.r32[EBX] = 0x1FFF; expectOk(m, '268a03');
    m.cpu.r32[EBX] = 0x1FFD; expectFault(m, READ_ES_EBX, GP, 0);
    m.cpu.r32[EBX] = 0x2000; expectFault(m, '268a03', GP, 0);
  });

  test('page granularity: raw limit 1 with G=1 is 0x1FFF; raw limit 0 is 0xFFF', () => {
    const m = withEs({ type: T.DATA_RW, limit: 1, g: true });
    assert.equal(m.cpu.segLimit[ES], 0x1FFF);
    m.cpu.r32[EBX] = 0x1FFC; expectOk(m, READ_ES_EBX);
    m.cpu.r32[EBX] = 0x1FFD; expectFault(m, READ_ES_EBX, GP, 0);
    const m2 = withEs({ type: T.DATA_RW, limit: 0, g: true });
    assert.equal(m2.cpu.segLimit[ES], 0xFFF);
  });

  test('writes to read-only data are #GP(0); reads are allowed', () => {
    const m = withEs({ type: T.DATA_R, limit: 0xFFFF, g: false });
    m.cpu.r32[EBX] = 0x100;
    expectOk(m, READ_ES_EBX);
    expectFault(m, WRITE_ES_EBX, GP, 0);
  });

  test('code segments: reads need the R bit, writes are never allowed (CS override)', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.CODE_X, dpl: 0 }));
    m.load(0x20000, 'ea' + '00000100' + le16(S1));           // jmp S1:0x10000 (execute-only, flat)
    m.cpu.eip = 0x20000;
    assert.equal(m.step(1), null);
    assert.equal(m.cpu.segSel[CS], S1);
    m.cpu.r32[EBX] = 0x100;
    expectFault(m, '2e8b03', GP, 0);
    const m2 = new DescMachine();                                // KCODE is readable
    m2.cpu.r32[EBX] = 0x100;
    expectOk(m2, '2e8b03');
    expectFault(m2, '2e8903', GP, 0);
  });

  test('accesses through SS beyond its limit are #SS(0); PUSH below an expand-down stack too', () => {
    const m = new DescMachine();
    m.setDesc(S1, segDesc({ type: T.DATA_RW, limit: 0xFFFF, g: false }));
    m.cpu.r32[EAX] = S1;
    m.cpu.r32[4] = 0x8000;
    expectOk(m, MOV_SS_AX);
    m.cpu.r32[EBP] = 0xFFFE;
    expectFault(m, '8b4500', SSV, 0);                           // mov eax, [ebp]
    const m2 = new DescMachine();
    m2.setDesc(S1, segDesc({ type: T.DATA_RW_DOWN, limit: 0x7FFFF, g: false, db: true }));
    m2.cpu.r32[EAX] = S1;
    m2.cpu.r32[4] = 0x80004;
    expectOk(m2, MOV_SS_AX);
    expectOk(m2, '50');
    assert.equal(m2.cpu.r32[4], 0x80000);
    expectFault(m2, '50', SSV, 0);
  });

  test('an access past the 4-GiB top of a flat segment is #GP(0)', () => {
    const m = new DescMachine();
    m.cpu.r32[EBX] = 0xFFFFFFFE;
    expectFault(m, '8b03', GP, 0);
  });
});

describe('real-address mode loads (SDM vol. 3A §20.1)', () => {
  test('MOV DS loads base = selector × 16 without descriptor checks and keeps the cached limit', () => {
    const m = new DescMachine();
    m.realMode();
    m.cpu.segLimit[DS] = 0xFFFFFFFF;                            // "unreal" limit left by protected mode
    m.cpu.segChanged(DS);
    m.cpu.r32[EAX] = 0x1234;
    m.load(0x10000, MOV_DS_AX);
    m.cpu.eip = 0;
    assert.equal(m.step(1), null);
    assert.equal(m.cpu.segSel[DS], 0x1234);
    assert.equal(m.cpu.segBase[DS], 0x12340);
    assert.equal(m.cpu.segLimit[DS], 0xFFFFFFFF);
  });

  test('a word at offset 0xFFFF is #GP(0) (#SS(0) through SS)', () => {
    const m = new DescMachine();
    m.realMode();
    m.load(0x10000, '8b1effff');                                // mov bx, [0xFFFF]
    m.cpu.eip = 0;
    const ev = m.step(1);
    assert.deepEqual([ev?.vector, ev?.error], [GP, 0]);
    m.load(0x10000, '368b1effff');                              // mov bx, ss:[0xFFFF]
    m.cpu.eip = 0;
    const ev2 = m.step(1);
    assert.deepEqual([ev2?.vector, ev2?.error], [SSV, 0]);
  });
});

function le16(v: number): string {
  return (v & 0xFF).toString(16).padStart(2, '0') + ((v >>> 8) & 0xFF).toString(16).padStart(2, '0');
}

