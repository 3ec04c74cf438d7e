// Tests of the benchmark's own logic (workload table, options, statistics, result checks, the pieces that
// talk to engines without starting one). Not part of `npm test` (which runs src/**): run with
//   node --import tsx --test bench/bench.test.ts
// No engine is started here: speed is measured by `npm run bench` only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, parseArgs, parseCount, UsageError } from './args.ts';
import { fmtInt, fmtRatio, fmtSpread, spread, table } from './stats.ts';
import { findWorkload, instantiate, iterationsFor, REPO_ROOT, windowInsns, WORKLOADS } from './workloads.ts';
import { qemuArgs } from './engines/qemu.ts';
import { LineWatcher, type RunResult } from './engines/protocol.ts';
import { WrappingCounter } from './engines/wrapping-counter.ts';
import { parseStatsInsns, trapezeLinuxArgs } from './engines/trapeze-cli.ts';
import { cpioNewc, buildFallbackInitramfs } from './initramfs-fallback.ts';
import { analyse, checkRun, renderReport, rowsFor, summarize } from './report.ts';
import { LINUX_CMDLINE, LINUX_MARKER } from './linux.ts';

const quick = { quick: true }, full = { quick: false };

test('workload table: five workloads, their images committed, the loops sized as peers.md', () => {
  assert.deepEqual(WORKLOADS.map((w) => w.name), ['tight', 'mixed', 'memory', 'sieve', 'linux']);
  for (const w of WORKLOADS) if (w.image) assert.ok(existsSync(join(REPO_ROOT, w.image)), `${w.image} is committed`);
  const t = instantiate(findWorkload('tight')!, full);
  assert.equal(t.cmdline, 'iters=40000000');
  assert.equal(t.expectedWindowInsns, 200_000_002);
  const m = instantiate(findWorkload('mixed')!, full);
  assert.equal(m.cmdline, 'iters=20000000');
  assert.equal(m.expectedWindowInsns, 220_000_002);
  const mem = instantiate(findWorkload('memory')!, full);
  assert.equal(mem.cmdline, 'iters=39');
  assert.equal(mem.expectedWindowInsns, 5_079_053 * 39 + 2);
  assert.equal(instantiate(findWorkload('memory')!, quick).cmdline, 'iters=4');
  const s = instantiate(findWorkload('sieve')!, full);
  assert.equal(s.typed!.command, 'sieve 16000000\r');
  assert.equal(instantiate(findWorkload('sieve')!, quick).typed!.command, 'sieve 2000000\r');
  assert.equal(findWorkload('nope'), undefined);
});

test('iterations: rounded, at least 1, at most 4e9; the window adds the two marker instructions', () => {
  const tight = findWorkload('tight')!;
  assert.equal(iterationsFor(tight, 2e9), 400_000_000);
  assert.equal(iterationsFor(tight, 1), 1);
  assert.equal(iterationsFor(tight, 1e12), 4e9);
  assert.equal(windowInsns(tight, 3), 17);
  assert.equal(instantiate(tight, quick).cmdline, 'iters=4000000');
  assert.equal(instantiate(tight, { quick: true, insns: 1e9 }).cmdline, 'iters=200000000');
  assert.throws(() => iterationsFor(findWorkload('sieve')!, 1e6));
});

test('the loop guests say what the workload table says (name, instructions per iteration, completion line)', () => {
  for (const name of ['tight', 'mixed', 'memory'] as const) {
    const w = findWorkload(name)!;
    const image = readFileSync(join(REPO_ROOT, w.image!));
    assert.ok(image.includes(Buffer.from('bench %s: done %08x')), `${name}: completion format`);
    assert.ok(image.includes(Buffer.from(name + '\0')), `${name}: workload name`);
    // workload_insns_per_iter is a dword in .rodata right after the name (aligned to 4).
    const at = image.indexOf(Buffer.from(name + '\0'));
    const per = image.readUInt32LE((at + name.length + 1 + 3) & ~3);
    assert.equal(per, w.insnsPerIter, `${name}: instructions per iteration in the image`);
    assert.equal(w.done!.exec(`bench ${name}: done 0123abcd\r\n`)![1], '0123abcd');
  }
  assert.equal(findWorkload('sieve')!.done!.exec('$ sieve 9\r\nsieve: 4 primes up to 9 (largest 7)\r\n')![1], '4 primes up to 9 (largest 7)');
});

test('options: defaults, --reps, --only, --engines, --insns, --quick, --json, --linux-dir', () => {
  const d = parseArgs([]);
  assert.equal(d.reps, 3);
  assert.deepEqual(d.workloads, ['tight', 'mixed', 'memory', 'sieve', 'linux']);
  assert.deepEqual(d.engines, [...ENGINES]);
  assert.equal(d.json, undefined);
  assert.equal(d.quick, false);
  assert.equal(d.insns, undefined);

  const o = parseArgs(['--reps', '5', '--only', 'sieve,tight', '--json', 'out.json', '--insns=2G', '--linux-dir', '/x']);
  assert.equal(o.reps, 5);
  assert.deepEqual(o.workloads, ['tight', 'sieve']);
  assert.equal(o.json, 'out.json');
  assert.equal(o.insns, 2e9);
  assert.equal(o.linuxDir, '/x');

  const q = parseArgs(['--quick']);
  assert.equal(q.reps, 1);
  assert.deepEqual(q.workloads, ['tight', 'mixed', 'memory', 'sieve'], '--quick leaves Linux out');
  assert.deepEqual(parseArgs(['--quick', '--only', 'linux']).workloads, ['linux'], 'unless asked');
  assert.equal(parseArgs(['--quick', '--reps', '2']).reps, 2);
  assert.equal(parseArgs(['--json=-']).json, '-');
  assert.deepEqual(parseArgs(['--engines', 'qemu']).engines, ['qemu-tcg']);
  assert.deepEqual(parseArgs(['--engines', 'v86-interp,trapeze']).engines, ['trapeze-interp', 'trapeze-jit', 'v86-interp']);
  assert.deepEqual(parseArgs(['--engines', 'trapeze-jit,v86']).engines, ['trapeze-jit', 'v86-jit']);
  assert.equal(parseArgs(['-h']).help, true);
});

test('options: mistakes are usage errors', () => {
  for (const bad of [['--reps'], ['--reps', '0'], ['--reps', 'x'], ['--only', 'nope'], ['--only', ''], ['--engines', 'bochs'],
    ['--insns', '-5'], ['--quick=1'], ['--frobnicate'], ['tight'], ['--json'], ['--json=']]) {
    assert.throws(() => parseArgs(bad), UsageError, bad.join(' '));
  }
  assert.equal(parseCount('200M', 'x'), 200e6);
  assert.equal(parseCount('2e9', 'x'), 2e9);
  assert.equal(parseCount('1.5k', 'x'), 1500);
});

test('statistics and formatting', () => {
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

test('v86 counter: 32-bit wraps are accumulated', () => {
  const readings = [0, 0xF0000000, 0x10, 0x7FFFFFFF, 0xFFFFFFFF, 5];
  let i = 0;
  const c = new WrappingCounter(() => readings[i++] | 0); // v86 may hand back a signed int32
  const got = readings.map(() => c.get());
  assert.deepEqual(got, [0, 0xF0000000, 0x100000010, 0x17FFFFFFF, 0x1FFFFFFFF, 0x200000005]);
});

test('console lines: CR LF stripped, prompts seen in the tail', () => {
  const lines: string[] = [];
  const w = new LineWatcher((l) => lines.push(l));
  for (const b of Buffer.from('hello\r\nworld\n$ ')) w.push(b);
  assert.deepEqual(lines, ['hello', 'world']);
  assert.ok(w.tail.endsWith('$ '));
});

test('QEMU command lines: peers.md options; Multiboot with debug-exit and markers; Linux with -kernel -initrd', () => {
  const a = qemuArgs({ image: '/x/tight.elf', cmdline: 'iters=5', window: 'markers', memSize: 128 << 20 }).join(' ');
  for (const part of ['-accel tcg', '-cpu pentium3', '-m 128', '-kernel /x/tight.elf', '-append iters=5', '-device isa-debug-exit,iobase=0xf4,iosize=0x04',
    '-display none', '-monitor none', '-no-reboot', 'isa-debugcon,iobase=0xe9']) {
    assert.ok(a.includes(part), part);
  }
  const l = qemuArgs({ window: 'boot', memSize: 128 << 20, linux: { bzImage: '/k/bzImage', initrd: '/t/i.gz', cmdline: LINUX_CMDLINE, marker: LINUX_MARKER } });
  assert.deepEqual(l.slice(l.indexOf('-kernel'), l.indexOf('-kernel') + 6), ['-kernel', '/k/bzImage', '-initrd', '/t/i.gz', '-append', LINUX_CMDLINE]);
  assert.equal(LINUX_CMDLINE, 'console=ttyS0 nokaslr cryptomgr.notests noisapnp pci=off 8250.nr_uarts=1 quiet trapeze.mode=marker');
});

test('trapeze command line for Linux, and its --stats count', () => {
  const spec = { window: 'boot' as const, memSize: 128 << 20, boot: 'vmlinux' as const, jit: false,
    linux: { bzImage: '/k/bzImage', initrd: '/t/i.gz', cmdline: LINUX_CMDLINE, marker: LINUX_MARKER } };
  const all = trapezeLinuxArgs(spec, { linux: true, initrd: true, noJit: true, jitEnv: true, initramfs: true });
  assert.equal(all.args.slice(1).join(' '), 'run linux --boot vmlinux --append trapeze.mode=marker --stats --initrd /t/i.gz --no-jit');
  assert.deepEqual(all.env, {});
  const bare = trapezeLinuxArgs({ ...spec, jit: true }, { linux: true, initrd: false, noJit: true, jitEnv: true, initramfs: false });
  assert.equal(bare.args.slice(1).join(' '), 'run linux --boot vmlinux --append trapeze.mode=marker --stats');
  const env = trapezeLinuxArgs(spec, { linux: true, initrd: true, noJit: false, jitEnv: true, initramfs: true });
  assert.deepEqual(env.args.slice(0, 4), ['--import', 'tsx', '--import', join(REPO_ROOT, 'scripts', 'jit-env.ts')]);
  assert.ok(!env.args.includes('--no-jit'));
  assert.deepEqual(env.env, { TRAPEZE_JIT: 'off' });
  assert.equal(parseStatsInsns('trapeze: the guest powered off\ninstructions      2,345,678,901\nhost time  1 s\n'), 2_345_678_901);
  assert.equal(parseStatsInsns('nothing'), undefined);
});

test('fallback initramfs: a newc archive with /init, busybox, /dev/console and the trailer', () => {
  const cpio = Buffer.from(cpioNewc([{ name: 'init', mode: 0o100755, data: Buffer.from('hi') }]));
  // header: magic, ino 1, mode, uid, gid, nlink 1, mtime 0, filesize 2, ..., namesize 5 ("init\0")
  assert.equal(cpio.subarray(0, 6).toString(), '070701');
  assert.equal(cpio.subarray(6, 14).toString(), '00000001');
  assert.equal(cpio.subarray(14, 22).toString(), '000081ed');
  assert.equal(cpio.subarray(54, 62).toString(), '00000002');
  assert.equal(cpio.subarray(94, 102).toString(), '00000005');
  assert.equal(cpio.subarray(110, 115).toString(), 'init\0');
  assert.equal(cpio.subarray(116, 118).toString(), 'hi', 'data after the name, padded to 4');
  assert.equal(cpio.subarray(120, 126).toString(), '070701');
  assert.ok(cpio.subarray(120).toString().includes('TRAILER!!!'));
  assert.equal(cpio.length % 4, 0);
  const full = gunzipSync(buildFallbackInitramfs(Buffer.from('BUSYBOX'), LINUX_MARKER)).toString('latin1');
  for (const name of ['bin/busybox\0', 'dev/console\0', 'init\0', 'TRAILER!!!\0']) assert.ok(full.includes(name), name);
  assert.ok(full.includes(`echo '${LINUX_MARKER}'`));
  assert.ok(full.includes('poweroff -f'));
});

const run = (r: Partial<RunResult>): RunResult => ({ ok: true, stop: 'x', serial: '', totalSec: 1, ...r });

test('result checks: exit value, completion line, checksums, exact counts, determinism, ratios', () => {
  const w = instantiate(findWorkload('tight')!, { quick: true, insns: 1000 }); // 200 iterations: 1002 instructions
  const good = `bench tight: done 0000abcd\r\n`;
  assert.equal(checkRun(w, run({ exitValue: 0, serial: good, windowSec: 0.001 })).checksum, '0000abcd');
  assert.equal(checkRun(w, run({ exitValue: 0, serial: good, windowSec: 0.001 })).mips, 1.002);
  assert.match(checkRun(w, run({ exitValue: 1, serial: good, windowSec: 1 })).error!, /exit value 1/);
  assert.match(checkRun(w, run({ exitValue: 0, serial: 'no', windowSec: 1 })).error!, /completion line/);

  const rows = rowsFor(w.workload, ['trapeze-interp', 'trapeze-jit', 'v86-jit', 'v86-interp']);
  const mk = (i: number, sec: number, extra: Partial<RunResult> = {}) =>
    summarize(rows[i], { available: true }, [checkRun(w, run({ exitValue: 0, serial: good, windowSec: sec, windowInsns: 1002, totalInsns: 5000, insnsExact: true, ...extra }))]);
  const sums = [mk(0, 2), mk(1, 1), mk(2, 0.5, { insnsExact: false }), mk(3, 4, { insnsExact: false })];
  const a = analyse(w, sums);
  assert.equal(a.failed, false, a.warnings.join('; '));
  assert.equal(sums[0].vsV86Jit, 0.25);
  assert.equal(sums[0].vsV86Interp, 2);
  assert.equal(sums[1].vsV86Jit, 0.5);
  assert.ok(a.checks.some((c) => c.includes('retired the same 5,000 instructions')));

  assert.equal(analyse(w, [mk(0, 1, { windowInsns: 1003 })]).failed, true, 'not the program\'s count');
  assert.equal(analyse(w, [mk(0, 1), mk(1, 1, { totalInsns: 5001 })]).failed, true, 'translation changed the count');
  assert.equal(analyse(w, [mk(0, 1), mk(2, 1, { serial: 'bench tight: done 0000abce\r\n' })]).failed, true, 'checksums differ');
  const twice = summarize(rows[0], { available: true }, [1, 2].map((n) => checkRun(w, run({ exitValue: 0, serial: good, windowSec: 1, windowInsns: 1002, totalInsns: 5000 + n }))));
  assert.equal(analyse(w, [twice]).failed, true, 'determinism');
  // Repetition by repetition: trapeze-jit 1 s, 3 s, 1 s against v86-jit 2 s, 2 s, 0.5 s.
  const reps = (i: number, secs: number[]) => summarize(rows[i], { available: true },
    secs.map((sec) => checkRun(w, run({ exitValue: 0, serial: good, windowSec: sec, windowInsns: 1002, totalInsns: 5000, insnsExact: i < 2 }))));
  const paired = analyse(w, [reps(1, [1, 3, 1]), reps(2, [2, 2, 0.5])]).checks.find((c) => c.includes('repetition by repetition'));
  assert.equal(paired, 'trapeze-jit against v86-jit, repetition by repetition: 2.00× / 0.67× / 0.50× (faster in 1 of 3)');
  const heap = (kib: number, gcs: number) => analyse(w, [mk(0, 1, { heapWindowStartKiB: 1000, heapWindowEndKiB: 1000 + kib, gcInWindow: gcs })]).warnings;
  assert.ok(heap(5000, 0).some((x) => x.startsWith('ALLOCATION')), '5000 KiB over 1002 instructions');
  assert.ok(heap(0, 3).some((x) => x.startsWith('ALLOCATION')), 'three GCs in the window');
  assert.deepEqual(heap(1500, 1), [], 'warm-up allowance');

  const text = renderReport([{ name: 'tight', title: 't', cmdline: 'iters=200', window: 'w', rows: sums, ...analyse(w, sums) },
    { name: 'linux', title: 'l', cmdline: '', window: '', rows: [], checks: [], warnings: [], skipped: 'no kernel', failed: false }], 1);
  assert.match(text, /tight +trapeze-interp +2\.00 +1,002 +0\.000501 +0\.25× +2\.00×/);
  assert.match(text, /linux +skipped: no kernel/);
});

test('Linux rows: both boot paths for each trapeze engine, one row per peer', () => {
  const rows = rowsFor(findWorkload('linux')!, [...ENGINES]).map((r) => r.label);
  assert.deepEqual(rows, ['trapeze-interp bzimage', 'trapeze-interp vmlinux', 'trapeze-jit bzimage', 'trapeze-jit vmlinux', 'v86-jit', 'v86-interp', 'qemu-tcg']);
});
