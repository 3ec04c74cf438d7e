// The f80 core against the real CPU: every vector in test-data/golden/x87-arith*.jsonl (recorded with the x86
// oracle from scripts/gen/x87-arith*.ts) is replayed directly on the f80 functions (f80-golden.ts). The same
// files also run through the whole emulator in golden.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type Vector } from './f80-golden.ts';

const dir = join(import.meta.dirname, '../../../test-data/golden');
const files = readdirSync(dir).filter((n) => /^x87-arith.*\.jsonl$/.test(n)).sort();
for (const file of files) {
  test(`f80 against the real CPU: ${file}`, () => {
    const vectors = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Vector);
    assert.ok(vectors.length > 0);
    const fails: string[] = [];
    for (const v of vectors) {
      const d = check(v);
      if (d) fails.push(`${v.case.name}: ${d}`);
    }
    assert.equal(fails.length, 0, `${fails.length}/${vectors.length} differ:\n${fails.slice(0, Number(process.env.F80_SHOW ?? 40)).join('\n')}`);
  });
}
