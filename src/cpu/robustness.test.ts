// Random-byte robustness (issue 2): 100,000 random 16-byte snippets executed under the exec harness in
// every mode never throw a host exception; each ends in a result, a guest exception, a triple fault or
// the step limit. Results are deterministic: the same snippet gives the same result twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCase, type OracleCase } from '../harness/exec.ts';

/** xorshift32: a fixed-seed generator so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

const MODES: [string, number][] = [['user32', 40_000], ['pm32', 30_000], ['real16', 20_000], ['pm32-paging', 10_000]];
const STEP_LIMIT = 200;

function makeCase(next: () => number, mode: string, n: number): OracleCase {
  const code: number[] = [];
  for (let k = 0; k < 16; k++) code.push(next() & 0xFF);
  code.push(0xF4);
  const r = () => (next() & 1 ? next() : [0, 1, 0xFFFFFFFF, 0x20000, 0x7F0000, 0x80000000][next() % 6]);
  return {
    name: `${mode}-${n}`, mode, code: hex(code),
    regs: { eax: r(), ebx: r(), ecx: r(), edx: r(), esi: r(), edi: r(), ebp: r(), eflags: next() & 0xCD5 },
  };
}

test('100,000 random snippets never throw a host exception', () => {
  const tally = new Map<string, number>();
  let total = 0;
  for (const [mode, count] of MODES) {
    const next = rng(0x9E3779B9 ^ mode.length * 7919 ^ count);
    for (let n = 0; n < count; n++) {
      const c = makeCase(next, mode, n);
      let res;
      try {
        res = runCase(c, STEP_LIMIT, { clearMemory: false });
      } catch (e) {
        assert.fail(`host exception on ${JSON.stringify(c)}: ${(e as Error).stack}`);
      }
      const ex = res.exception as { vector?: number; triple_fault?: boolean } | null | undefined;
      const kind = !res.ok ? `error:${res.error}` : ex ? (ex.triple_fault ? 'triple' : `#${ex.vector}`) : 'end';
      tally.set(kind, (tally.get(kind) ?? 0) + 1);
      total++;
    }
  }
  assert.equal(total, 100_000);
  // Every outcome is one of the architectural ones.
  for (const k of tally.keys()) assert.match(k, /^(end|triple|#\d+|error:timeout|error:snippet did not end)$/, `unexpected outcome ${k}`);
});

test('random snippets give the same result twice', () => {
  const next = rng(12345);
  for (let n = 0; n < 300; n++) {
    const c = makeCase(next, MODES[n % 4][0], n);
    assert.deepEqual(runCase(c, STEP_LIMIT), runCase(c, STEP_LIMIT));
  }
});
