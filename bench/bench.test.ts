// Tests of the benchmark's own logic (workload table, options, summaries). Not part of `npm test` (which runs
// src/**): run with  node --import tsx --test bench/bench.test.ts
// No engine is started here: speed is measured by `npm run bench` only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, parseArgs, parseCount, UsageError } from './args.ts';
import { fmtInt, fmtRatio, fmtSpread, spread, table } from './stats.ts';
import { findWorkload, instantiate, iterationsFor, QUICK_INSNS, REPO_ROOT, windowInsns, WORKLOADS } from './workloads.ts';
import { qemuArgs } from './engines/qemu.ts';

test('workload table: the three workloads, their images committed, the loops sized as peers.md', () => {
  assert.deepEqual(WORKLOADS.map((w) => w.name), ['tight', 'mixed', 'demo']);
  for (const w of WORKLOADS) assert.ok(existsSync(join(REPO_ROOT, w.image)), `${w.image} is committed`);
  const tight = findWorkload('tight')!, mixed = findWorkload('mixed')!;
  assert.equal(tight.insnsPerIter, 5);
  assert.equal(mixed.insnsPerIter, 11);
  const t = instantiate(tight);
  assert.equal(t.cmdline, 'iters=40000000');
  assert.equal(t.expectedWindowInsns, 200_000_002);
  const m = instantiate(mixed);
  assert.equal(m.cmdline, 'iters=20000000');
  assert.equal(m.expectedWindowInsns, 220_000_002);
  assert.equal(instantiate(findWorkload('demo')!).cmdline, 'autorun');
  assert.equal(findWorkload('nope'), undefined);
});

test('iterations: rounded, at least 1, at most 4e9; the window adds the two marker instructions', () => {
  const tight = findWorkload('tight')!;
  assert.equal(iterationsFor(tight, 2e9), 400_000_000);
  assert.equal(iterationsFor(tight, 1), 1);
  assert.equal(iterationsFor(tight, 1e12), 4e9);
  assert.equal(windowInsns(tight, 3), 17);
  assert.equal(instantiate(tight, QUICK_INSNS).cmdline, 'iters=4000000');
  assert.throws(() => iterationsFor(findWorkload('demo')!, 1e6));
});

test('the guests say what the workload table says (iterations x instructions, default count)', () => {
  // The images carry their own defaults; the completion line is what check() looks for.
  for (const name of ['tight', 'mixed'] as const) {
    const w = findWorkload(name)!;
    const image = readFileSync(join(REPO_ROOT, w.image));
    assert.ok(image.includes(Buffer.from(`bench %s: done %08x`)), `${name}: completion format`);
    assert.ok(image.includes(Buffer.from(name + '\0')), `${name}: workload name`);
    assert.ok(w.done.test(`bench ${name}: done 0123abcd\r\n`));
    assert.equal(w.done.exec(`bench ${name}: done 0123abcd\r\n`)![1], '0123abcd');
  }
  assert.ok(findWorkload('demo')!.done.test('[kernel] power off requested by pid 1 (shell), status 0\r\n'));
});

test('options: defaults, --reps, --only, --engines, --insns, --quick, --json', () => {
  const d = parseArgs([]);
  assert.equal(d.reps, 3);
  assert.deepEqual(d.workloads, ['tight', 'mixed', 'demo']);
  assert.deepEqual(d.engines, [...ENGINES]);
  assert.equal(d.json, false);
  assert.equal(d.quick, false);
  assert.equal(d.insns, undefined);

  const o = parseArgs(['--reps', '5', '--only', 'demo,tight', '--json', '--insns=2G']);
  assert.equal(o.reps, 5);
  assert.deepEqual(o.workloads, ['tight', 'demo']);
  assert.equal(o.json, true);
  assert.equal(o.insns, 2e9);

  assert.equal(parseArgs(['--quick']).reps, 1);
  assert.equal(parseArgs(['--quick', '--reps', '2']).reps, 2);
  assert.deepEqual(parseArgs(['--engines', 'qemu']).engines, ['trapeze', 'qemu-tcg']);
  assert.deepEqual(parseArgs(['--engines', 'v86-interp,v86']).engines, ['trapeze', 'v86-jit', 'v86-interp']);
  assert.equal(parseArgs(['-h']).help, true);
});

test('options: mistakes are usage errors', () => {
  for (const bad of [['--reps'], ['--reps', '0'], ['--reps', 'x'], ['--only', 'nope'], ['--only', ''], ['--engines', 'bochs'],
    ['--insns', '-5'], ['--quick=1'], ['--frobnicate'], ['tight']]) {
    assert.throws(() => parseArgs(bad), UsageError, bad.join(' '));
  }
  assert.equal(parseCount('200M', 'x'), 200e6);
  assert.equal(parseCount('2e9', 'x'), 2e9);
  assert.equal(parseCount('1.5k', 'x'), 1500);
});

test('summaries and formatting', () => {
  assert.deepEqual(spread([3, 1, 2]), { min: 1, median: 2, max: 3 });
  assert.deepEqual(spread([4, 1, 2, 3]), { min: 1, median: 2.5, max: 4 });
  assert.equal(spread([]), undefined);
  assert.equal(fmtInt(200000002), '200,000,002');
  assert.equal(fmtSpread({ min: 1.234, median: 12.34, max: 123.4 }), '1.23 / 12.3 / 123');
  assert.equal(fmtSpread({ min: 5, median: 5, max: 5 }), '5.00');
  assert.equal(fmtRatio(0.3123), '0.31×');
  assert.equal(fmtRatio(2.5), '2.50×');
  assert.equal(fmtRatio(NaN), '–');
  const t = table(['a', 'bb'], [['xyz', '1'], ['w', '22']], ['l', 'r']).split('\n');
  assert.deepEqual(t, ['a    bb', '---  --', 'xyz   1', 'w    22']);
});

test('QEMU command line: the peers.md options, 128 MiB, the guest command line, the debug-exit and marker ports', () => {
  const a = qemuArgs({ image: '/x/tight.elf', cmdline: 'iters=5', window: 'markers', memSize: 128 << 20 });
  const s = a.join(' ');
  for (const part of ['-accel tcg', '-m 128', '-kernel /x/tight.elf', '-append iters=5', '-device isa-debug-exit,iobase=0xf4,iosize=0x04',
    '-display none', '-monitor none', '-no-reboot', 'isa-debugcon,iobase=0xe9']) {
    assert.ok(s.includes(part), part);
  }
});
