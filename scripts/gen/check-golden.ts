// Run golden files on our CPU and print every case that differs (a faster loop than npm test while
// writing a generator). Usage: npx tsx scripts/gen/check-golden.ts test-data/golden/alu.jsonl ...
import { readFileSync } from 'node:fs';
import { checkGolden, parseGolden } from '../../src/harness/golden.ts';

let bad = 0, total = 0;
for (const file of process.argv.slice(2)) {
  for (const v of parseGolden(readFileSync(file, 'utf8'))) {
    total++;
    const d = checkGolden(v);
    if (d.length) { bad++; process.stdout.write(`${v.case.name} [${v.case.code}] ${JSON.stringify(v.case.regs ?? {})}: ${d.join('; ')}\n`); }
  }
}
process.stdout.write(`${total - bad} passed, ${bad} failed\n`);
