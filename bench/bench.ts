// `npm run bench`: the project's benchmark. Runs every workload on trapeze (interpreter alone, and with the
// block translator) and on its peers in the same run (v86 with its JIT, v86's interpreter alone, QEMU TCG),
// interleaved repetition by repetition so that the machine's noise falls on all of them alike, and prints
// one table (min / median / max, speed as a multiple of v86's) and the same as JSON. Speed is measured here
// and only here, never by timed tests. `--help` for the options; README.md "Benchmark" for what is measured.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { ENGINES, parseArgs, UsageError, USAGE, type BenchOptions, type EngineName } from './args.ts';
import { fmtInt, fmtNum } from './stats.ts';
import { findWorkload, instantiate, REPO_ROOT, type WorkloadInstance } from './workloads.ts';
import { runNodeChild } from './engines/node-child.ts';
import { qemuVersion, runQemu, QEMU_INSTALL } from './engines/qemu.ts';
import { buildCliBundle, cliFeatures, jitStatus, runTrapezeLinux, type CliFeatures } from './engines/trapeze-cli.ts';
import type { RunResult, RunSpec } from './engines/protocol.ts';
import { DEFAULT_LINUX_DIR, linuxMissing, prepareLinux, type LinuxSetup } from './linux.ts';
import { analyse, checkRun, renderReport, rowsFor, summarize, type CheckedRun, type Row, type WorkloadReport } from './report.ts';

const MEM_SIZE = 128 << 20;
const SEABIOS_FILES = ['/usr/share/seabios/bios.bin', '/usr/share/seabios/vgabios-stdvga.bin'];

export interface EngineInfo {
  name: EngineName;
  available: boolean;
  /** Why not, and how to install it. */
  why?: string;
  version?: string;
}

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * What trapeze's code is: HEAD and a digest of the uncommitted changes under src/ and bin/. Taken before
 * and after the run: a tree edited meanwhile (others work in it) mixes versions in one table, and is said.
 */
function sourceState(): { head?: string; dirty: boolean; digest: string } {
  const head = git(['rev-parse', '--short', 'HEAD']);
  const diff = git(['diff', 'HEAD', '--', 'src', 'bin']) ?? '';
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', 'src', 'bin']) ?? '';
  const digest = createHash('sha256').update(`${head}\n${diff}\n${untracked}\n${untracked.split('\n').filter(Boolean).map((f) => {
    try { return readFileSync(join(REPO_ROOT, f), 'latin1'); } catch { return ''; }
  }).join('\n')}`).digest('hex').slice(0, 12);
  return { head, dirty: diff !== '' || untracked !== '', digest };
}

/** QEMU: installed from Debian when missing and we may (root, apt-get); else one line saying how. */
function ensureQemu(log: (s: string) => void): EngineInfo {
  let version = qemuVersion();
  if (version) return { name: 'qemu-tcg', available: true, version };
  const haveApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (process.getuid?.() === 0 && haveApt) {
    log(`bench: qemu-system-i386 is missing: ${QEMU_INSTALL} ...`);
    const r = spawnSync('apt-get', ['install', '-y', '-q', 'qemu-system-x86'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    version = qemuVersion();
    if (version) return { name: 'qemu-tcg', available: true, version };
    return { name: 'qemu-tcg', available: false, why: `qemu-system-i386 not installed, and \`${QEMU_INSTALL}\` failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? `status ${r.status}`}` };
  }
  return { name: 'qemu-tcg', available: false, why: `qemu-system-i386 not installed: run \`${QEMU_INSTALL}\` (as root)` };
}

async function probeEngines(selected: readonly EngineName[], log: (s: string) => void): Promise<{ engines: EngineInfo[]; jit: { present: boolean; why?: string } }> {
  const infos: EngineInfo[] = [];
  let v86: Omit<EngineInfo, 'name'> | undefined;
  const { head, dirty, digest } = sourceState();
  const trapezeVersion = head ? `trapeze ${head}${dirty ? ` + uncommitted changes in src/ or bin/ (digest ${digest})` : ''}` : 'trapeze';
  const jit = selected.some((e) => e.startsWith('trapeze')) ? await jitStatus() : { present: false };
  for (const name of selected) {
    if (name === 'trapeze-interp') {
      infos.push({ name, available: true, version: `${trapezeVersion}, interpreter` });
    } else if (name === 'trapeze-jit') {
      infos.push({ name, available: jit.present, why: jit.why, version: `${trapezeVersion}, block translator` });
    } else if (name === 'v86-jit' || name === 'v86-interp') {
      if (!v86) {
        let pkgVersion: string | undefined;
        try {
          const main = createRequire(import.meta.url).resolve('v86');
          pkgVersion = (JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string }).version;
        } catch {
          // not installed
        }
        const missingBios = SEABIOS_FILES.filter((f) => !existsSync(f));
        if (!pkgVersion) v86 = { available: false, why: 'npm package v86 not installed (npm ci: it is a devDependency)' };
        else if (missingBios.length) v86 = { available: false, why: `no BIOS: ${missingBios.join(', ')} missing (apt-get install seabios)` };
        else v86 = { available: true, version: `v86 ${pkgVersion.replace(/\+.*/, '')}` };
      }
      infos.push({ ...v86, name, version: v86.version && `${v86.version}, ${name === 'v86-jit' ? 'wasm JIT' : 'disable_jit'}` });
    } else {
      infos.push(ensureQemu(log));
    }
  }
  return { engines: infos, jit };
}

interface Context {
  opts: BenchOptions;
  engines: EngineInfo[];
  /** This tree has the block translator (cpu.jit). */
  jit: { present: boolean; why?: string };
  cli?: CliFeatures;
  linux?: LinuxSetup;
  log: (s: string) => void;
}

function runRow(row: Row, spec: RunSpec, timeoutMs: number, ctx: Context): Promise<RunResult> {
  switch (row.engine) {
    case 'trapeze-interp':
    case 'trapeze-jit': {
      const s: RunSpec = { ...spec, jit: row.engine === 'trapeze-jit' };
      if (spec.window === 'boot') return runTrapezeLinux({ ...s, boot: row.boot }, ctx.cli!, timeoutMs);
      return runNodeChild('trapeze-child.ts', s, timeoutMs);
    }
    case 'v86-jit': return runNodeChild('v86-child.ts', spec, timeoutMs);
    case 'v86-interp': return runNodeChild('v86-child.ts', { ...spec, disableJit: true }, timeoutMs);
    case 'qemu-tcg': return runQemu(spec, timeoutMs);
  }
}

function specFor(w: WorkloadInstance, ctx: Context): { spec: RunSpec; timeoutMs: number } {
  const spec: RunSpec = { window: w.workload.window, memSize: MEM_SIZE };
  switch (w.workload.window) {
    case 'markers':
      // Generous: slower than 1 MIPS is taken as hung.
      return { spec: { ...spec, image: w.imagePath, cmdline: w.cmdline, maxInsns: 2 * w.expectedWindowInsns! + 200_000_000 }, timeoutMs: 120_000 + w.expectedWindowInsns! / 1000 };
    case 'typed':
      return { spec: { ...spec, image: w.imagePath, cmdline: w.cmdline, typed: w.typed, maxInsns: 4_000_000_000 }, timeoutMs: 600_000 };
    case 'boot':
      return { spec: { ...spec, linux: ctx.linux!.boot, maxInsns: 20_000_000_000 }, timeoutMs: 1_200_000 };
  }
}

/** Rows that cannot run for this workload in particular (beyond the engine being absent). */
function rowUnavailable(row: Row, w: WorkloadInstance, ctx: Context): string | undefined {
  if (w.workload.window !== 'boot' || !row.engine.startsWith('trapeze')) return undefined;
  if (!ctx.cli!.linux) return 'not available yet: this tree\'s `trapeze run` has no Linux boot (`run linux --boot bzimage|vmlinux`)';
  // With a translator in the tree, `trapeze run` translates unless told not to.
  if (row.engine === 'trapeze-interp' && ctx.jit.present && !ctx.cli!.noJit && !ctx.cli!.jitEnv) return 'not available: `trapeze run` has no --no-jit (nor scripts/jit-env.ts) to turn the translator off';
  return undefined;
}

async function benchWorkload(w: WorkloadInstance, ctx: Context): Promise<WorkloadReport> {
  const { opts, log } = ctx;
  const { spec, timeoutMs } = specFor(w, ctx);
  const rows = rowsFor(w.workload, ctx.engines.map((e) => e.name));
  const status = new Map<string, { available: boolean; why?: string }>();
  for (const row of rows) {
    const info = ctx.engines.find((e) => e.name === row.engine)!;
    const why = info.available ? rowUnavailable(row, w, ctx) : info.why;
    status.set(row.label, { available: why === undefined, why });
  }
  const runs = new Map<string, CheckedRun[]>(rows.map((r) => [r.label, []]));
  for (let rep = 1; rep <= opts.reps; rep++) {
    // Every other repetition in the opposite order, so that no engine always runs first (after the
    // machine's quiet spell) or right after a given other.
    for (const row of rep % 2 === 1 ? rows : [...rows].reverse()) {
      if (!status.get(row.label)!.available) continue;
      const r = checkRun(w, await runRow(row, spec, timeoutMs, ctx));
      runs.get(row.label)!.push(r);
      const what = r.ok
        ? `${fmtNum(r.windowSec!)} s${r.mips !== undefined ? `, ${fmtNum(r.mips)} MIPS` : ''}${r.windowInsns !== undefined ? `, ${fmtInt(r.windowInsns)} instructions` : ''}`
        : `FAILED: ${r.error}`;
      log(`  ${w.workload.name} rep ${rep}/${opts.reps} ${row.label.padEnd(22)} ${what}`);
    }
  }
  const summaries = rows.map((row) => {
    const info = ctx.engines.find((e) => e.name === row.engine)!;
    const st = status.get(row.label)!;
    return summarize(row, { available: st.available, why: st.why, version: info.version }, runs.get(row.label)!);
  });
  return {
    name: w.workload.name,
    title: w.workload.title,
    cmdline: w.workload.window === 'boot' ? ctx.linux!.boot.cmdline : w.cmdline!,
    window: w.window,
    iterations: w.iterations,
    windowInsns: w.expectedWindowInsns,
    note: w.workload.window === 'boot'
      ? `${w.workload.note}. Kernel: ${ctx.linux!.versions ?? ctx.linux!.boot.bzImage}; initramfs from ${ctx.linux!.initrdFrom}`
      : w.workload.note,
    rows: summaries,
    ...analyse(w, summaries),
  };
}

function skippedReport(name: string, why: string): WorkloadReport {
  const w = findWorkload(name)!;
  return { name, title: w.title, cmdline: '', window: '', rows: [], checks: [], warnings: [], skipped: why, failed: false };
}

function environment(engines: EngineInfo[]) {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${c[0]?.model ?? 'unknown CPU'} (${c.length} CPUs)`,
    loadAverageAtStart: loadavg()[0],
    engines: Object.fromEntries(engines.map((e) => [e.name, e.available ? e.version ?? 'available' : `not available: ${e.why}`])),
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const toStdout = opts.json !== '-';
  const out = (s: string) => (toStdout ? process.stdout : process.stderr).write(s + '\n');
  const log = (s: string) => process.stderr.write(s + '\n');
  const { engines, jit } = await probeEngines(opts.engines, log);
  const env = environment(engines);
  out(`Trapeze benchmark, ${env.date}: Node ${env.node}, ${env.cpu}, load average ${env.loadAverageAtStart.toFixed(2)}`);
  for (const e of engines) out(`  ${e.name.padEnd(14)} ${e.available ? e.version ?? 'available' : `not available: ${e.why}`}`);
  if (env.loadAverageAtStart > 1) out(`  (the machine is busy: load average ${env.loadAverageAtStart.toFixed(2)} before the bench; figures are noisy, compare only figures from one run)`);
  out('');

  const ctx: Context = { opts, engines, jit, log };
  const sourceAtStart = sourceState();
  const reports: WorkloadReport[] = [];
  const linuxDir = opts.linuxDir ? resolve(opts.linuxDir) : DEFAULT_LINUX_DIR;
  try {
    for (const name of opts.workloads) {
      const workload = findWorkload(name)!;
      if (workload.window === 'boot') {
        const missing = linuxMissing(linuxDir);
        if (missing) {
          log(`bench: ${name} skipped: ${missing}`);
          reports.push(skippedReport(name, missing));
          continue;
        }
        if (!ctx.cli) {
          const why = buildCliBundle();
          if (why !== null) log(`bench: could not build the trapeze command's bundle (${why}): its Linux figures include tsx's start-up`);
          ctx.cli = cliFeatures();
        }
        if (!ctx.linux) {
          log('bench: preparing the Linux workload (initramfs; the vmlinux cache, untimed)');
          ctx.linux = prepareLinux(linuxDir, ctx.cli);
          if (ctx.linux.warmUp) log(`bench: ${ctx.linux.warmUp}`);
        }
      }
      const w = instantiate(workload, { quick: opts.quick, insns: opts.insns });
      log(`bench: ${name} (${w.window}), ${opts.reps} repetition${opts.reps === 1 ? '' : 's'}`);
      reports.push(await benchWorkload(w, ctx));
    }
  } finally {
    ctx.linux?.cleanup();
  }
  const loadAtEnd = loadavg()[0];
  const sourceAtEnd = sourceState();
  const sourceChanged = sourceAtEnd.digest !== sourceAtStart.digest;
  out(renderReport(reports, opts.reps));
  if (sourceChanged) {
    out(`WARNING: trapeze's code (src/, bin/) changed during the run (${sourceAtStart.head}/${sourceAtStart.digest} -> ${sourceAtEnd.head}/${sourceAtEnd.digest}): its rows mix versions`);
  }
  out(`load average at the end: ${loadAtEnd.toFixed(2)}`);
  const failed = reports.some((r) => r.failed);
  const doc = {
    environment: { ...env, loadAverageAtEnd: loadAtEnd, trapezeSource: { atStart: sourceAtStart, atEnd: sourceAtEnd, changed: sourceChanged } },
    options: { reps: opts.reps, quick: opts.quick, insns: opts.insns ?? null, memSize: MEM_SIZE, engines: opts.engines, workloads: opts.workloads },
    workloads: reports.map((r) => ({
      ...r,
      rows: r.rows.map((s) => ({ ...s, runs: s.runs.map(({ serial: _serial, ...rest }) => rest) })),
    })),
    failed,
  };
  const json = JSON.stringify(doc, null, 2) + '\n';
  if (opts.json === '-') {
    process.stdout.write(json);
  } else {
    const path = opts.json ? resolve(opts.json) : join(REPO_ROOT, 'bench', 'results', `${env.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, json);
    out(`JSON: ${relative(process.cwd(), path) || path}`);
  }
  return failed ? 1 : 0;
}

// Run when invoked directly (not when imported by a test).
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  // `npm run bench | head`: a reader that goes away is not an error of the bench.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
  process.exitCode = await main(process.argv.slice(2));
}
export { ENGINES };
