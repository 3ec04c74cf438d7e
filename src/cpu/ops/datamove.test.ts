// Unit checks for the data-movement, bit and atomic groups that user32 golden vectors cannot make: writes
// to read-only pages (the arena has none), the 16-bit BSWAP, and the opcode table's LOCK and
// undefined-flag entries for these groups (SDM vol. 2 "LOCK", each instruction's "Flags Affected").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, PT0, TestMachine } from '../test-machine.ts';
import { lookup } from '../opcode-table.ts';
import { AF, CF, EAX, EBX, ECX, EDX, OF, PF, PFV, SF, UD, ZF } from '../regs.ts';

const u = (v: number) => v >>> 0;
const RO_PAGE = 0x300000;

/** CPL 3 with paging, one user page mapped read-only. */
function roMachine(): TestMachine {
  const m = new TestMachine({ paging: true, cpl: 3 });
  m.w32(PT0 + (RO_PAGE >>> 12) * 4, RO_PAGE | 5);        // present, user, read-only
  m.w32(RO_PAGE, 0x11111111);
  m.w32(RO_PAGE + 4, 0x22222222);
  return m;
}

test('writes that a failing compare still performs fault on a read-only page (CMPXCHG, CMPXCHG8B)', () => {
  // SDM vol. 2 CMPXCHG: "the destination operand is written back if the comparison fails";
  // CMPXCHG8B: "the destination operand receives a write cycle without regard to the result".
  // #PF error code: P=1 W=1 U=1 (SDM vol. 3A §4.7).
  for (const code of ['0fb01d00003000', '0fb11d00003000', '660fb11d00003000', '0fc70d00003000']) {
    const m = roMachine();
    m.cpu.r32[EAX] = 0x5A5A5A5A; m.cpu.r32[EDX] = 0x6B6B6B6B; m.cpu.r32[EBX] = 0x01; m.cpu.r32[ECX] = 0x02;
    const ev = m.run(code + 'f4');
    assert.ok(ev, code);
    assert.equal(ev.vector, PFV);
    assert.equal(ev.error, 7, code);
    assert.equal(ev.eip, CODE);
    assert.equal(u(m.cpu.cr2), RO_PAGE);
    assert.equal(u(m.cpu.r32[EAX]), 0x5A5A5A5A, 'accumulator not loaded');
    assert.equal(u(m.cpu.r32[EDX]), 0x6B6B6B6B);
    assert.equal(m.r32(RO_PAGE), 0x11111111);
  }
});

test('XCHG, XADD, BTS with a read-only memory operand fault before changing registers', () => {
  for (const code of ['871d00003000', '0fc11d00003000', '0fab1d00003000', '0fba2d0000300003']) {
    const m = roMachine();
    m.cpu.r32[EBX] = 0x33;
    const ev = m.run(code + 'f4');
    assert.ok(ev, code);
    assert.equal(ev.vector, PFV);
    assert.equal(ev.error, 7);
    assert.equal(m.cpu.r32[EBX], 0x33);
    assert.equal(m.r32(RO_PAGE), 0x11111111);
  }
  // Reads of the same page are fine: BT, CMP-like uses, MOV.
  const m = roMachine();
  m.cpu.r32[EBX] = 4;
  const ev = m.run('0fa31d00003000' + '8b0d00003000' + 'f4');
  assert.ok(ev);
  assert.equal(ev.eip, CODE + 13, 'ran to the final HLT (#GP at CPL 3)');
  assert.equal(m.cpu.getCF(), 1);
  assert.equal(u(m.cpu.r32[ECX]), 0x11111111);
});

test('CMPXCHG8B register form and LEA register form are #UD', () => {
  const m = new TestMachine();
  for (const code of ['0fc7c8', '8dc0', '668dc0']) {
    const ev = m.run(code + 'f4');
    assert.ok(ev, code);
    assert.equal(ev.vector, UD);
  }
});

test('BSWAP with a 16-bit operand (undefined in the SDM) clears the low word, as silicon does', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x12345678; m.cpu.r32[EDX] = 0xFFFFFFFF | 0;
  assert.equal(m.run('660fc8' + '660fca' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0x12340000);
  assert.equal(u(m.cpu.r32[EDX]), 0xFFFF0000);
});

test('opcode table: LOCK is legal exactly on the read-modify-write forms of these groups', () => {
  const lockable = (op: number, reg = 0) => lookup(op, reg)?.lockable === true;
  for (const op of [0x86, 0x87, 0x1AB, 0x1B3, 0x1BB, 0x1B0, 0x1B1, 0x1C0, 0x1C1]) assert.ok(lockable(op), op.toString(16));
  assert.ok(lockable(0x1C7, 1));
  for (const sub of [5, 6, 7]) assert.ok(lockable(0x1BA, sub));
  for (const op of [0x88, 0x89, 0x8A, 0x8B, 0x8D, 0xA4, 0xA5, 0xAA, 0x1A3, 0x1BC, 0x1BD, 0x1B6, 0x190, 0x140]) {
    assert.ok(!lockable(op), op.toString(16));
  }
  assert.ok(!lockable(0x1BA, 4));
});

test('opcode table: undefined flags of BT* (OF SF AF PF) and BSF/BSR (CF OF SF AF PF); none elsewhere', () => {
  for (const op of [0x1A3, 0x1AB, 0x1B3, 0x1BB]) assert.equal(lookup(op, 0)?.undef, OF | SF | AF | PF);
  for (const sub of [4, 5, 6, 7]) assert.equal(lookup(0x1BA, sub)?.undef, OF | SF | AF | PF);
  for (const op of [0x1BC, 0x1BD]) assert.equal(lookup(op, 0)?.undef, CF | OF | SF | AF | PF);
  for (const op of [0x1B0, 0x1B1, 0x1C0, 0x1C1, 0xA6, 0xA7, 0xAE, 0xAF, 0x9E, 0xF5, 0xD6]) assert.equal(lookup(op, 0)?.undef ?? 0, 0);
  assert.equal(lookup(0x1C7, 1)?.undef ?? 0, 0);
  void ZF;
});
