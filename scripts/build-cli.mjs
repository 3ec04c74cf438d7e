// Bundle the CLI (src/cli/main.ts and everything it imports) into dist/cli/trapeze.mjs with esbuild, so that
// `trapeze` starts without compiling TypeScript through tsx's loader (~1 s of start-up, most of it module
// resolution round trips to the loader's thread; the bundle loads in ~0.3 s). Run by `npm ci` / `npm install`
// (package.json "prepare"); bin/trapeze.mjs falls back to tsx when the bundle is missing or older than a
// source file. dist/cli is at the same depth as src/cli, so paths made from import.meta.dirname still
// name the project's folders.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(root, 'dist/cli/trapeze.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Packages stay imports from node_modules (their own builds, and xz-decompress's wasm beside its code).
  external: Object.keys(pkg.dependencies ?? {}),
  sourcemap: 'linked',
  logLevel: 'warning',
});
