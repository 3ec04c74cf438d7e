// What a WebAssembly region assumes about the mode it was written for, checked on entry (wasm-codegen.ts
// prologue): a region written while DS had base 0 adds no base to its accesses, so it must not run once
// DS has another base (a far pointer load, a task switch, a user process with its own segments).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestMachine, CODE } from '../test-machine.ts';
import { jitConfig } from './jit-config.ts';
import { jitStats } from './translate.ts';

const DS = 3;

// mov ecx, 50; L: mov eax, [0x300000]; add ebx, eax; dec ecx; jnz L; hlt
const LOOP = Uint8Array.of(0xB9, 50, 0, 0, 0, 0xA1, 0, 0, 0x30, 0, 0x01, 0xC3, 0x49, 0x75, 0xF7, 0xF4);

function machine(jit: boolean): TestMachine {
  const m = new TestMachine({ paging: true, memSize: 8 << 20 });
  m.mem.load(CODE, LOOP);
  m.mem.load(0x300000, Uint8Array.of(1, 0, 0, 0));
  m.mem.load(0x301000, Uint8Array.of(7, 0, 0, 0));
  m.cpu.eip = CODE;
  m.cpu.jit = jit;
  return m;
}

/**
 * body's result interpreted, then with every block translated to WebAssembly on its first entry; and
 * whether anything was translated.
 */
function bothWays<T>(body: (jit: boolean) => T): { interp: T; jit: T; translated: boolean } {
  const saved = { ...jitConfig };
  Object.assign(jitConfig, { threshold: 1, blockThreshold: 1, backend: 'wasm' });
  try {
    const interp = body(false);
    const w0 = jitStats.wasm;
    const jit = body(true);
    return { interp, jit, translated: jitStats.wasm > w0 };
  } finally {
    Object.assign(jitConfig, saved);
  }
}

test('a region written for a segment base of 0 does not run with another base', () => {
  const r = bothWays((jit) => {
    const m = machine(jit);
    m.cpu.run(1000);
    const first = m.cpu.r32[3];
    // The same loop again with DS based at 0x1000 (as a descriptor load would leave it): [0x300000]
    // is then linear 0x301000.
    m.cpu.segBase[DS] = 0x1000;
    m.cpu.eip = CODE;
    m.cpu.halted = false;
    m.cpu.r32[3] = 0;
    m.cpu.run(1000);
    return [first, m.cpu.r32[3]];
  });
  assert.ok(r.translated, 'the loop was translated to WebAssembly');
  assert.deepEqual(r.interp, [50, 350], 'interpreted: 50 x 1, then 50 x 7');
  assert.deepEqual(r.jit, r.interp, 'translated: the same');
});

// With paging off a region reads plain RAM at the offset itself (no TLB entry); when A20 is disabled, or
// paging turned on, the same region must not run, and reads outside the RAM range leave to the interpreter.
// mov ecx, 40; L: mov eax, [0x100010]; add ebx, eax; movzx eax, word [0x7FFFFE]; add ebx, eax;
//   mov eax, [0x10]; add ebx, eax; mov eax, [0x7FFFFE]; add edx, eax; mov [0x100020], ebx; dec ecx; jnz L; hlt
// (the last read runs past the end of RAM: the interpreter's way, in both; the write is to 0x20 with A20
// disabled)
const IDENT = Uint8Array.of(0xB9, 40, 0, 0, 0, 0xA1, 0x10, 0, 0x10, 0, 0x01, 0xC3, 0x0F, 0xB7, 0x05, 0xFE, 0xFF, 0x7F, 0,
  0x01, 0xC3, 0xA1, 0x10, 0, 0, 0, 0x01, 0xC3, 0xA1, 0xFE, 0xFF, 0x7F, 0, 0x01, 0xC2, 0x89, 0x1D, 0x20, 0, 0x10, 0,
  0x49, 0x75, 0xD9, 0xF4);

test('paging off: reads take linear as physical inside RAM, and stop doing so when A20 is disabled', () => {
  const r = bothWays((jit) => {
    const m = new TestMachine({ memSize: 8 << 20 });
    assert.equal(m.cpu.cr0 & 0x80000000, 0, 'paging is off');
    m.mem.load(CODE, IDENT);
    m.mem.load(0x100010, Uint8Array.of(5, 0, 0, 0));
    m.mem.load(0x10, Uint8Array.of(3, 0, 0, 0));
    m.mem.load(0x7FFFFE, Uint8Array.of(0x11, 0x22)); // (the last word of RAM)
    m.mem.load(0x6FFFFE, Uint8Array.of(0x33, 0x44)); // (0x7FFFFE with A20 disabled)
    m.cpu.jit = jit;
    const run = (): number => {
      m.cpu.eip = CODE; m.cpu.halted = false; m.cpu.r32[3] = 0; m.cpu.r32[2] = 0;
      m.cpu.run(10_000);
      return m.cpu.r32[3];
    };
    const a = run();
    const wa = m.mem.read32(0x100020);
    m.cpu.a20Mask = 0xFFEFFFFF | 0; // A20 disabled: 0x100010 is 0x10 (as pc.ts updateA20 does it)
    m.cpu.flushTlb(true);
    const b = run();
    const wb = [m.mem.read32(0x100020), m.mem.read32(0x20)];
    m.cpu.a20Mask = -1;
    m.cpu.flushTlb(true);
    return [a, b, run(), wa, ...wb, m.cpu.r32[2], m.cpu.icount];
  });
  assert.ok(r.translated, 'the loop was translated to WebAssembly');
  const [a, b] = [40 * (5 + 0x2211 + 3), 40 * (3 + 0x4433 + 3)];
  assert.deepEqual(r.interp.slice(0, 6), [a, b, a, a, a, b], 'interpreted (the last write: to 0x20 with A20 disabled)');
  assert.deepEqual(r.jit, r.interp, 'translated: the same values and instruction count');
});

test('paging off: a region that only writes is not run with A20 disabled either', () => {
  // mov ecx, 40; L: mov [0x100020], ecx; dec ecx; jnz L; hlt
  const prog = Uint8Array.of(0xB9, 40, 0, 0, 0, 0x89, 0x0D, 0x20, 0, 0x10, 0, 0x49, 0x75, 0xF7, 0xF4);
  const r = bothWays((jit) => {
    const m = new TestMachine({ memSize: 8 << 20 });
    m.mem.load(CODE, prog);
    m.cpu.jit = jit;
    m.cpu.eip = CODE;
    m.cpu.run(10_000);
    m.mem.load(0x100020, Uint8Array.of(9, 9, 9, 9));
    m.cpu.a20Mask = 0xFFEFFFFF | 0;
    m.cpu.flushTlb(true);
    m.cpu.eip = CODE; m.cpu.halted = false;
    m.cpu.run(10_000);
    return [m.mem.read32(0x100020), m.mem.read32(0x20), m.cpu.icount];
  });
  assert.deepEqual(r.interp.slice(0, 2), [0x09090909, 1], 'interpreted: the second run wrote 0x20');
  assert.deepEqual(r.jit, r.interp, 'translated: the same');
});

test('paging off: a region does not run once CS has another base (the same EIP is other code)', () => {
  // At CODE: mov ecx, 30; L: add ebx, 1; dec ecx; jnz L; hlt. At CODE + 0x1000 the same with add ebx, 2.
  const prog = (n: number) => Uint8Array.of(0xB9, 30, 0, 0, 0, 0x83, 0xC3, n, 0x49, 0x75, 0xFA, 0xF4);
  const r = bothWays((jit) => {
    const m = new TestMachine({ memSize: 8 << 20 });
    m.mem.load(CODE, prog(1));
    m.mem.load(CODE + 0x1000, prog(2));
    m.cpu.jit = jit;
    m.cpu.eip = CODE;
    m.cpu.run(10_000);
    const first = m.cpu.r32[3];
    m.cpu.segBase[1] = 0x1000; // CS based at 0x1000: EIP CODE is linear CODE + 0x1000
    m.cpu.segChanged(1);
    m.cpu.eip = CODE; m.cpu.halted = false; m.cpu.r32[3] = 0;
    m.cpu.run(10_000);
    return [first, m.cpu.r32[3], m.cpu.icount];
  });
  assert.deepEqual(r.interp.slice(0, 2), [30, 60], 'interpreted: 30 x 1, then 30 x 2');
  assert.deepEqual(r.jit, r.interp, 'translated: the same');
});
