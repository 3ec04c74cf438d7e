// Unit tests for the arithmetic groups (alu, muldiv, shift, bcd) where golden vectors from the user32
// oracle cannot reach: 16-bit addressing that lands in memory (user32 maps nothing below 64 KiB), the
// 16-bit default operand size of real mode, and a property test of the 64-bit MUL/IMUL/DIV/IDIV
// arithmetic against BigInt (SDM vol. 2 MUL, IMUL, DIV, IDIV: the definitions, computed exactly).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCase, type OracleCase } from '../../harness/exec.ts';

const ARITH = 0x8D5; // CF PF AF ZF SF OF
type Res = { ok: boolean; regs: Record<string, number>; exception: unknown; mem: { addr: number; hex: string }[] };
const run = (c: Omit<OracleCase, 'name'>): Res => runCase({ name: 't', ...c }) as unknown as Res;

test('16-bit addressing (67): [BX+SI] and [BX+disp8] wrap at 64 KiB (SDM vol. 2 §2.1.5, Table 2-1)', () => {
  // pm32, CPL 0, paging off: low memory is reachable. BX = 6000h (upper half of EBX ignored), SI = 10h.
  // add [bx+si], eax twice: 0 + 80000001h + 80000001h = 2 with CF=1 and OF=1 (SDM ADD).
  let r = run({ mode: 'pm32', code: '670100670100f4', regs: { eax: 0x80000001, ebx: 0xABCD6000, esi: 0x10 }, dump: [{ addr: 0x6010, len: 4 }] });
  assert.equal(r.exception, null);
  assert.equal(r.mem[0].hex, '02000000');
  assert.equal(r.regs.eflags & ARITH, 0x801); // OF CF; result 2: PF clear (one bit set), ZF SF AF clear
  // inc dword [bx+10h] with BX = FFF8h: offset (FFF8h + 10h) mod 64 KiB = 0008h; CF kept (SDM INC).
  r = run({ mode: 'pm32', code: '67ff4710f4', regs: { ebx: 0xFFF8, eflags: 1 }, dump: [{ addr: 0x8, len: 4 }] });
  assert.equal(r.mem[0].hex, '01000000');
  assert.equal(r.regs.eflags & ARITH, 0x1);
  // neg word [bp+di-2]: BP=0, DI=6002h → 6000h; 0 → 0, CF = 0 (operand was 0), ZF=1 PF=1 (SDM NEG).
  r = run({ mode: 'pm32', code: '6766f75bfef4', regs: { edi: 0x6002, eflags: 1 }, dump: [{ addr: 0x6000, len: 2 }] });
  assert.equal(r.mem[0].hex, '0000');
  assert.equal(r.regs.eflags & ARITH, 0x44);
  // inc byte [6100h] then shl byte [6100h], cl with CL = 3 (mod 0 rm 6 = disp16): 1 << 3 = 8, CF 0, ZF 0.
  r = run({ mode: 'pm32', code: '67fe06006167d2260061f4', regs: { ecx: 3 }, dump: [{ addr: 0x6100, len: 1 }] });
  assert.equal(r.mem[0].hex, '08');
  assert.equal(r.regs.eflags & (0x1 | 0x40), 0);
});

test('real mode: 16-bit default operand size, 66 selects 32 bits', () => {
  // add ax,bx (FFFFh + 2 = 1, CF); add eax,ebx (1 + 2 = 3); inc ax (4, CF kept then); mul bx (DX:AX = 8).
  const r = run({ mode: 'real16', code: '01d86601d840f7e3f4', regs: { eax: 0xFFFF, ebx: 2, edx: 0x12345678 } });
  assert.equal(r.exception, null);
  assert.equal(r.regs.eax, 8);
  assert.equal(r.regs.edx, 0x12340000); // MUL r/m16 writes DX only
  assert.equal(r.regs.eflags & 0x801, 0); // MUL: upper half 0 → CF = OF = 0
  // shl ax,1 then rcl dx,1 in 16-bit: AX = 8000h → 0 (CF=1), DX = 0001h → 0003h.
  const s = run({ mode: 'real16', code: 'd1e0d1d2f4', regs: { eax: 0x8000, edx: 1 } });
  assert.equal(s.regs.eax, 0);
  assert.equal(s.regs.edx, 3);
  // 32-bit rotate in real mode: 66 D1 C0 = rol eax,1: 80000001h → 00000003h, CF = 1, OF = 1 ^ 0 = 1.
  const t = run({ mode: 'real16', code: '66d1c0f4', regs: { eax: 0x80000001 } });
  assert.equal(t.regs.eax, 3);
  assert.equal(t.regs.eflags & 0x801, 0x801);
});

/** Deterministic 32-bit PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

test('32-bit MUL/IMUL/DIV/IDIV agree with exact BigInt arithmetic (random operands)', () => {
  const rand = rng(0x5EED);
  const B = BigInt, M32 = (1n << 32n) - 1n;
  const s32 = (v: number) => B(v | 0);
  const edge = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 0x10000, 2];
  const val = () => (rand() % 4 === 0 ? edge[rand() % edge.length] : rand() % 3 === 0 ? rand() & 0xFFFF : rand());
  for (let k = 0; k < 120; k++) {
    const a = val(), b = val(), hi = val();
    // MUL ebx: EDX:EAX = EAX * EBX unsigned; CF = OF = (EDX != 0).
    let r = run({ mode: 'user32', code: 'f7e3f4', regs: { eax: a, ebx: b } });
    let p = B(a >>> 0) * B(b >>> 0);
    assert.equal(r.regs.eax, Number(p & M32), `mul ${a} ${b}`);
    assert.equal(r.regs.edx, Number(p >> 32n), `mul ${a} ${b}`);
    assert.equal(r.regs.eflags & 1, p >> 32n ? 1 : 0);
    // IMUL ebx: signed; CF = OF = (EDX:EAX != sign extension of EAX).
    r = run({ mode: 'user32', code: 'f7ebf4', regs: { eax: a, ebx: b } });
    p = s32(a) * s32(b);
    const pu = p & ((1n << 64n) - 1n);
    assert.equal(r.regs.eax, Number(pu & M32), `imul ${a} ${b}`);
    assert.equal(r.regs.edx, Number(pu >> 32n), `imul ${a} ${b}`);
    assert.equal(r.regs.eflags & 1, p === s32(Number(pu & M32)) ? 0 : 1);
    // DIV ebx on EDX:EAX; #DE when EBX = 0 or the quotient exceeds 32 bits, registers unchanged.
    r = run({ mode: 'user32', code: 'f7f3f4', regs: { eax: a, edx: hi, ebx: b } });
    const n = (B(hi >>> 0) << 32n) | B(a >>> 0), d = B(b >>> 0);
    if (d === 0n || n / d > M32) {
      assert.deepEqual(r.exception, { vector: 0, error_code: null, eip: 0x10000 });
      assert.equal(r.regs.eax, a >>> 0); assert.equal(r.regs.edx, hi >>> 0);
    } else {
      assert.equal(r.exception, null);
      assert.equal(r.regs.eax, Number(n / d), `div ${hi}:${a} / ${b}`);
      assert.equal(r.regs.edx, Number(n % d), `div ${hi}:${a} / ${b}`);
    }
    // IDIV ebx: truncating signed division; #DE outside [-2^31, 2^31 - 1]. Use a sign-extended
    // dividend half of the time so most quotients fit.
    const shi = k & 1 ? hi : (a | 0) < 0 ? 0xFFFFFFFF : 0;
    r = run({ mode: 'user32', code: 'f7fbf4', regs: { eax: a, edx: shi, ebx: b } });
    const sn = B.asIntN(64, (B(shi >>> 0) << 32n) | B(a >>> 0)), sd = s32(b);
    if (sd === 0n || sn / sd > 0x7FFFFFFFn || sn / sd < -0x80000000n) {
      assert.deepEqual(r.exception, { vector: 0, error_code: null, eip: 0x10000 });
    } else {
      assert.equal(r.exception, null);
      assert.equal(r.regs.eax, Number(B.asUintN(32, sn / sd)), `idiv ${shi}:${a} / ${b}`);
      assert.equal(r.regs.edx, Number(B.asUintN(32, sn % sd)), `idiv ${shi}:${a} / ${b}`);
    }
  }
});
