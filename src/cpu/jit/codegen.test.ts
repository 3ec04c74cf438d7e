// The translator's condition evaluation (codegen.ts cond): where the block knows which instruction set
// the flags, Jcc/SETcc/CMOVcc test the operands directly (CMP + JB is an unsigned compare, CMP + JL a
// signed one...). Every condition code, for every kind of flag state the generated code can know,
// against cpu.cond on a CPU holding the same lazy flags.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU } from '../cpu.ts';
import { PhysicalMemory } from '../../platform/memory.ts';
import { IoBus } from '../../platform/io-bus.ts';
import { conditionExpression } from './codegen.ts';

function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

const ARITH = 0x8D5, ADD = 0, SUB = 1, LOGIC = 2;
const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) { let p = 1; for (let b = v; b; b >>= 1) p ^= b & 1; PARITY[v] = p ? 4 : 0; }

interface Model { name: string; cm: number | null; co: number | null; ct: number | null; make: (n: () => number) => [number, number, number, number] }
const edge = (n: () => number) => [0, 1, -1, 0x7FFFFFFF, -0x80000000, 0x80, 0xFF, 0x7F][n() % 8] ?? 0;
const val = (n: () => number) => (n() & 1 ? edge(n) : n() | 0);
const byte = (n: () => number) => [0, 1, 0x7F, 0x80, 0xFF][n() % 6] ?? n() & 0xFF;

// [fl, fa, fb, fr] for a lazy record of each kind (fl's arithmetic bits random: only unmasked ones count).
const MODELS: Model[] = [
  { name: 'unknown', cm: null, co: null, ct: null, make: (n) => { const a = val(n), b = val(n); return [n() & 0xFFF, a, b, (a - b) | 0]; } },
  { name: 'ADD 32', cm: ARITH, co: ADD, ct: 31, make: (n) => { const a = val(n), b = val(n); return [n() & 0xFFF, a, b, (a + b) | 0]; } },
  { name: 'SUB 32', cm: ARITH, co: SUB, ct: 31, make: (n) => { const a = val(n), b = val(n); return [n() & 0xFFF, a, b, (a - b) | 0]; } },
  { name: 'LOGIC 32', cm: ARITH, co: LOGIC, ct: 31, make: (n) => [n() & 0xFFF, val(n), val(n), val(n)] },
  { name: 'SUB 8', cm: ARITH, co: SUB, ct: 7, make: (n) => { const a = byte(n), b = byte(n); return [n() & 0xFFF, a, b, (a - b) | 0]; } },
  { name: 'LOGIC 8', cm: ARITH, co: LOGIC, ct: 7, make: (n) => [n() & 0xFFF, val(n), val(n), byte(n) & byte(n)] },
  { name: 'INC', cm: ARITH & ~1, co: ADD, ct: 31, make: (n) => { const a = val(n); return [n() & 0xFFF, a, 1, (a + 1) | 0]; } },
  { name: 'DEC', cm: ARITH & ~1, co: SUB, ct: 31, make: (n) => { const a = val(n); return [n() & 0xFFF, a, 1, (a - 1) | 0]; } },
  { name: 'SHL', cm: 0xC4, co: LOGIC, ct: 31, make: (n) => [n() & 0xFFF, val(n), val(n), val(n)] },
  { name: 'ADD then ROL', cm: ARITH & ~0x801, co: ADD, ct: 31, make: (n) => { const a = val(n), b = val(n); return [n() & 0xFFF, a, b, (a + b) | 0]; } },
];

test('conditions from known flag states agree with cpu.cond for every condition code', () => {
  const cpu = new CPU(new PhysicalMemory(1 << 21), new IoBus());
  const next = rng(4242);
  let checked = 0;
  for (const m of MODELS) {
    for (let cc = 0; cc < 16; cc++) {
      const expr = conditionExpression(cc, m.cm, m.co, m.ct);
      const f = new Function('fl', 'fm', 'fo', 'fa', 'fb', 'fr', 'ft', 'P', `return ${expr};`) as
        (fl: number, fm: number, fo: number, fa: number, fb: number, fr: number, ft: number, P: Uint8Array) => boolean;
      for (let k = 0; k < 400; k++) {
        const [fl, fa, fb, fr] = m.make(next);
        // The unknown state: any record the CPU can hold (operation, size and mask random too).
        const fo = m.co ?? next() % 3, ft = m.ct ?? [7, 15, 31][next() % 3], fm = m.cm ?? [0, ARITH, ARITH & ~1, 0xC4, ARITH & ~0x801][next() % 5];
        cpu.flags = fl | 2; cpu.lazyMask = fm; cpu.lazyOp = fo; cpu.lazyA = fa; cpu.lazyB = fb; cpu.lazyRes = fr; cpu.lazyTop = ft;
        const want = cpu.cond(cc);
        const got = f(fl | 2, fm, fo, fa, fb, fr, ft, PARITY);
        if (got !== want) assert.fail(`${m.name}, cc ${cc}: ${expr} gives ${got}, cpu.cond ${want} (fl ${fl}, a ${fa}, b ${fb}, r ${fr})`);
        checked++;
      }
    }
  }
  assert.equal(checked, MODELS.length * 16 * 400);
});
