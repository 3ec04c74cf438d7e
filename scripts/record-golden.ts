// Record golden vectors: run cases (JSON Lines) through the x86 oracle on the real CPU and write
// {case, expect} lines. Usage: npx tsx scripts/record-golden.ts cases.jsonl > test-data/golden/NAME.jsonl
// The oracle lives outside the project (../shared/tools/x86-oracle); tests never call it.
// Fix-up (oracle README): the host runs with NX, so a fetch #PF reports I/D (bit 4); 32-bit paging without
// NX leaves it clear (SDM vol. 3A §4.7), so it is cleared here.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const oracle = process.env.X86_ORACLE ?? resolve(import.meta.dirname, '../../shared/tools/x86-oracle/x86_oracle.py');
const file = process.argv[2];
if (!file) { process.stderr.write('usage: record-golden.ts cases.jsonl\n'); process.exit(2); }
const input = readFileSync(file, 'utf8');
const cases = input.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const out = execFileSync(oracle, [], { input, maxBuffer: 1 << 30 }).toString().split('\n').filter((l) => l.trim());
if (out.length !== cases.length) { process.stderr.write(`oracle returned ${out.length} results for ${cases.length} cases\n`); process.exit(1); }
let bad = 0;
for (let k = 0; k < cases.length; k++) {
  const r = JSON.parse(out[k]);
  if (!r.ok) { bad++; process.stderr.write(`skipped ${cases[k].name}: ${r.error}\n`); continue; }
  delete r.name;
  delete r.cpu;
  if (r.exception && r.exception.vector === 14 && r.exception.error_code & 0x10) r.exception.error_code &= ~0x10;
  process.stdout.write(JSON.stringify({ case: cases[k], expect: r }) + '\n');
}
if (bad) process.stderr.write(`${bad} case(s) skipped\n`);
