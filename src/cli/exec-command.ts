// `trapeze exec [cases.jsonl]`: the x86-oracle-compatible single-step harness over JSON Lines.

import { readFileSync } from 'node:fs';
import { runCase, DEFAULT_STEP_LIMIT, type OracleCase } from '../harness/exec.ts';
import { pyJson } from '../harness/py-json.ts';

export function execCommand(file: string | undefined, opts: { maxInsns?: string }): number {
  let text: string;
  try {
    text = readFileSync(file ?? 0, 'utf8');
  } catch (e) {
    process.stderr.write(`trapeze exec: cannot read ${file ?? 'standard input'}: ${(e as Error).message}\n`);
    return 2;
  }
  const limit = opts.maxInsns ? Number(opts.maxInsns) : DEFAULT_STEP_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) {
    process.stderr.write(`trapeze exec: --max-insns must be a positive integer, got ${opts.maxInsns}\n`);
    return 2;
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let c: OracleCase;
    try {
      c = JSON.parse(line) as OracleCase;
    } catch (e) {
      out.push(pyJson({ name: null, ok: false, error: `bad case: ${(e as Error).message}` }));
      continue;
    }
    out.push(pyJson(runCase(c, limit)));
    if (out.length >= 256) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  return 0;
}
