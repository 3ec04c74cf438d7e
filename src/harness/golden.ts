// Golden vectors: oracle cases with the result the real CPU gave, and the comparison of our result with
// it. EFLAGS bits that the SDM leaves undefined after any instruction of the snippet are masked, and
// only those: the set comes from the opcode table (OpDef.undef), the one place that records them.

import { decodeLinear } from '../cpu/decoder.ts';
import { lookup } from '../cpu/opcode-table.ts';
import { runCase, type OracleCase, type OracleResult } from './exec.ts';

export interface GoldenVector {
  case: OracleCase;
  expect: OracleResult;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(hex.substr(k * 2, 2), 16);
  return out;
}

/** Union of the undefined-flag masks of the instructions in the snippet (decoded as straight-line code). */
export function undefinedFlagsOf(c: OracleCase): number {
  let mask = 0;
  const code32 = (c.mode ?? 'pm32') !== 'real16';
  for (const i of decodeLinear(hexToBytes(c.code), code32)) mask |= lookup(i.op, i.reg)?.undef ?? 0;
  return mask;
}

/** Differences between our result and the expected one ([] when they agree). */
export function compareWithGolden(v: GoldenVector, actual: OracleResult): string[] {
  const diffs: string[] = [];
  const exp = v.expect;
  if (exp.ok !== actual.ok) return [`ok: expected ${exp.ok}, got ${actual.ok} (${actual.error ?? ''})`];
  if (!exp.ok) return [];
  const mask = undefinedFlagsOf(v.case);
  const er = exp.regs as Record<string, number>, ar = actual.regs as Record<string, number>;
  for (const k of Object.keys(er)) {
    let e = er[k], a = ar[k];
    if (k === 'eflags') { e &= ~mask; a &= ~mask; }
    if (e !== a) diffs.push(`${k}: expected 0x${(e >>> 0).toString(16)}, got 0x${((a ?? NaN) >>> 0).toString(16)}` + (k === 'eflags' && mask ? ` (masked 0x${mask.toString(16)})` : ''));
  }
  const ee = JSON.stringify(exp.exception ?? null), ae = JSON.stringify(actual.exception ?? null);
  if (ee !== ae) diffs.push(`exception: expected ${ee}, got ${ae}`);
  const em = JSON.stringify(exp.mem ?? []), am = JSON.stringify(actual.mem ?? []);
  if (em !== am) diffs.push(`mem: expected ${em}, got ${am}`);
  for (const cr of ['cr0', 'cr2', 'cr3', 'cr4']) {
    if (cr in exp && exp[cr] !== actual[cr]) diffs.push(`${cr}: expected ${exp[cr]}, got ${actual[cr]}`);
  }
  return diffs;
}

/** Run a golden vector and compare. */
export function checkGolden(v: GoldenVector): string[] {
  return compareWithGolden(v, runCase(v.case));
}

/** Parse a golden file (JSON Lines of {case, expect}). */
export function parseGolden(text: string): GoldenVector[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as GoldenVector);
}
