// Every golden vector in test-data/golden/*.jsonl (recorded from the real CPU with the x86 oracle) must
// give the same result on our CPU, up to the flags the SDM leaves undefined. One test per file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGolden, parseGolden } from '../harness/golden.ts';

const dir = join(import.meta.dirname, '../../test-data/golden');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
  test(`golden vectors: ${file}`, () => {
    const vectors = parseGolden(readFileSync(join(dir, file), 'utf8'));
    assert.ok(vectors.length > 0, 'file has vectors');
    const failures: string[] = [];
    for (const v of vectors) {
      const d = checkGolden(v);
      if (d.length) failures.push(`${v.case.name}: ${d.join('; ')}`);
    }
    assert.equal(failures.length, 0, `${failures.length}/${vectors.length} differ:\n` + failures.slice(0, 25).join('\n'));
  });
}
