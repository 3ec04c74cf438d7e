#!/usr/bin/env node
// Entry point of the `trapeze` command. Runs the bundled CLI (dist/cli/trapeze.mjs, built by
// scripts/build-cli.mjs at `npm ci`) when it is newer than every source file; otherwise, or with
// TRAPEZE_TSX=1, the TypeScript sources through tsx's loader (a second slower to start).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist/cli/trapeze.mjs');

/** The bundle's modification time if it is newer than package.json and every file under src/, else 0. */
function freshBundle() {
  let built;
  try { built = statSync(bundle).mtimeMs; } catch { return 0; }
  if (statSync(join(root, 'package.json')).mtimeMs > built) return 0;
  const src = join(root, 'src');
  for (const f of readdirSync(src, { recursive: true })) {
    if (statSync(join(src, f)).mtimeMs > built) return 0;
  }
  return built;
}

let main;
if (process.env.TRAPEZE_TSX !== '1' && freshBundle() > 0) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
