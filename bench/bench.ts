// `npm run bench`: the project's benchmark. Runs every workload on trapeze and on its peers in the same run
// (v86 with its JIT, v86's interpreter alone, QEMU TCG), interleaved repetition by repetition so that the
// machine's noise falls on all of them alike, and prints a table per workload with min / median / max and
// trapeze's speed as a multiple of each peer's. Speed is measured here and only here, never by timed tests.
// `--help` for the options; README.md "Benchmark" for what is measured and how.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { ENGINES, parseArgs, UsageError, USAGE, type BenchOptions, type EngineName } from './args.ts';
import { fmtInt, fmtNum, fmtRatio, fmtSpread, spread, table, type Spread } from './stats.ts';
import { instantiate, QUICK_INSNS, REPO_ROOT, WORKLOADS, type Workload, type WorkloadInstance } from './workloads.ts';
import { runNodeChild } from './engines/node-child.ts';
import { qemuVersion, runQemu, QEMU_INSTALL } from './engines/qemu.ts';
import type { RunResult, RunSpec } from './engines/protocol.ts';

const MEM_SIZE = 128 << 20;
const SEABIOS_FILES = ['/usr/share/seabios/bios.bin', '/usr/share/seabios/vgabios-stdvga.bin'];

interface EngineInfo {
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

function probeEngines(selected: readonly EngineName[]): EngineInfo[] {
  const infos: EngineInfo[] = [];
  let v86: EngineInfo | undefined;
  let qemu: EngineInfo | undefined;
  for (const name of selected) {
    if (name === 'trapeze') {
      const head = git(['rev-parse', '--short', 'HEAD']);
      const dirty = git(['status', '--porcelain', '--', 'src']);
      infos.push({ name, available: true, version: head ? `${head}${dirty ? ' + uncommitted changes in src/' : ''}` : undefined });
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
        if (!pkgVersion) v86 = { name, available: false, why: 'npm package v86 not installed (npm ci: it is a devDependency)' };
        else if (missingBios.length) v86 = { name, available: false, why: `no BIOS: ${missingBios.join(', ')} missing (apt-get install seabios)` };
        else v86 = { name, available: true, version: `v86 ${pkgVersion.replace(/\+.*/, '')}` };
      }
      infos.push({ ...v86, name });
    } else {
      if (!qemu) {
        const version = qemuVersion();
        qemu = version ? { name, available: true, version } : { name, available: false, why: `qemu-system-i386 not installed (${QEMU_INSTALL})` };
      }
      infos.push({ ...qemu, name });
    }
  }
  return infos;
}

function runEngine(engine: EngineName, spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  switch (engine) {
    case 'trapeze': return runNodeChild('trapeze-child.ts', spec, timeoutMs);
    case 'v86-jit': return runNodeChild('v86-child.ts', spec, timeoutMs);
    case 'v86-interp': return runNodeChild('v86-child.ts', { ...spec, disableJit: true }, timeoutMs);
    case 'qemu-tcg': return runQemu(spec, timeoutMs);
  }
}

/** One run, checked against what the workload must print and how it must exit. */
interface CheckedRun extends RunResult {
  checksum?: string;
  /** Instructions credited to the window for MIPS: the exact count of a loop, else the engine's own. */
  mipsInsns?: number;
  mips?: number;
}

function check(w: WorkloadInstance, r: RunResult): CheckedRun {
  const c: CheckedRun = { ...r };
  if (c.ok) {
    const m = w.workload.done.exec(c.serial);
    if (c.exitValue !== w.workload.exitValue) {
      c.ok = false;
      c.error = `exit value ${c.exitValue}, expected ${w.workload.exitValue}`;
    } else if (!m) {
      c.ok = false;
      c.error = `the guest did not print its completion line (${w.workload.done.source})`;
    } else {
      c.checksum = m[1];
    }
  }
  if (c.ok && c.windowSec !== undefined) {
    c.mipsInsns = w.expectedWindowInsns ?? c.windowInsns;
    if (c.mipsInsns !== undefined && c.windowSec > 0) c.mips = c.mipsInsns / c.windowSec / 1e6;
  }
  return c;
}

interface EngineSummary {
  engine: EngineName;
  available: boolean;
  why?: string;
  version?: string;
  runs: CheckedRun[];
  okRuns: number;
  windowSec?: Spread;
  mips?: Spread;
  totalSec?: Spread;
  /** The engine's own count of the window's instructions (median): exact for trapeze, batched for v86. */
  windowInsns?: number;
  insnsExact?: boolean;
  maxRssMiB?: number;
  heapPeakMiB?: number;
  /** trapeze's speed over the window as a multiple of this engine's (median times). */
  trapezeRatio?: number;
}

interface WorkloadReport {
  name: string;
  title: string;
  cmdline: string;
  iterations?: number;
  windowInsns?: number;
  window: string;
  note?: string;
  engines: EngineSummary[];
  checks: string[];
  warnings: string[];
  /** A trapeze failure or a determinism / checksum problem: the bench exits with status 1. */
  failed: boolean;
}

function summarize(info: EngineInfo, runs: CheckedRun[]): EngineSummary {
  const ok = runs.filter((r) => r.ok);
  const s: EngineSummary = { engine: info.name, available: info.available, why: info.why, version: info.version, runs, okRuns: ok.length };
  if (ok.length === 0) return s;
  s.windowSec = spread(ok.map((r) => r.windowSec!));
  s.totalSec = spread(ok.map((r) => r.totalSec));
  const mips = ok.filter((r) => r.mips !== undefined).map((r) => r.mips!);
  if (mips.length) s.mips = spread(mips);
  const counts = ok.filter((r) => r.windowInsns !== undefined).map((r) => r.windowInsns!);
  if (counts.length) s.windowInsns = spread(counts)!.median;
  s.insnsExact = ok[0].insnsExact;
  const rss = ok.filter((r) => r.maxRssMiB !== undefined).map((r) => r.maxRssMiB!);
  if (rss.length) s.maxRssMiB = Math.max(...rss);
  const heap = ok.filter((r) => r.heapPeakMiB !== undefined).map((r) => r.heapPeakMiB!);
  if (heap.length) s.heapPeakMiB = Math.max(...heap);
  return s;
}

function analyse(w: WorkloadInstance, summaries: EngineSummary[]): Pick<WorkloadReport, 'checks' | 'warnings' | 'failed'> {
  const checks: string[] = [], warnings: string[] = [];
  let failed = false;
  const ours = summaries.find((s) => s.engine === 'trapeze')!;
  const ourOk = ours.runs.filter((r) => r.ok);
  if (ourOk.length < ours.runs.length) {
    failed = true;
    warnings.push(`trapeze failed ${ours.runs.length - ourOk.length} of ${ours.runs.length} runs: ${ours.runs.find((r) => !r.ok)!.error}`);
  }
  // Determinism: same image, same inputs => the same instruction counts every repetition.
  if (ourOk.length > 0) {
    const totals = new Set(ourOk.map((r) => r.totalInsns));
    const windows = new Set(ourOk.map((r) => r.windowInsns));
    if (totals.size > 1 || windows.size > 1) {
      failed = true;
      warnings.push(`DETERMINISM: trapeze's instruction counts changed between repetitions (total ${[...totals].map((n) => fmtInt(n ?? NaN)).join(' / ')}; window ${[...windows].map((n) => fmtInt(n ?? NaN)).join(' / ')})`);
    } else if (ourOk.length > 1) {
      checks.push(`trapeze retired the same instructions every repetition (${fmtInt(ourOk[0].totalInsns!)} in all, ${fmtInt(ourOk[0].windowInsns!)} in the window)`);
    } else {
      checks.push(`trapeze retired ${fmtInt(ourOk[0].totalInsns!)} instructions in all, ${fmtInt(ourOk[0].windowInsns!)} in the window (one repetition: determinism not checked)`);
    }
    if (w.expectedWindowInsns !== undefined && ourOk.some((r) => r.windowInsns !== w.expectedWindowInsns)) {
      failed = true;
      warnings.push(`trapeze counted ${fmtInt(ourOk.find((r) => r.windowInsns !== w.expectedWindowInsns)!.windowInsns!)} instructions in the window; the program has exactly ${fmtInt(w.expectedWindowInsns)}`);
    }
  }
  // The same result on every engine.
  const sums = new Map<string, string[]>();
  for (const s of summaries) for (const r of s.runs) if (r.checksum !== undefined) sums.set(r.checksum, [...(sums.get(r.checksum) ?? []), s.engine]);
  if (sums.size > 1) {
    failed = true;
    warnings.push(`CHECKSUMS DIFFER: ${[...sums].map(([k, v]) => `${k} on ${[...new Set(v)].join(', ')}`).join('; ')}`);
  } else if (sums.size === 1) {
    const [[sum, on]] = [...sums];
    checks.push(`checksum ${sum} from every run (${[...new Set(on)].join(', ')})`);
  }
  for (const s of summaries) {
    if (s.engine === 'trapeze' || !s.available) continue;
    const bad = s.runs.filter((r) => !r.ok);
    if (bad.length) warnings.push(`${s.engine} failed ${bad.length} of ${s.runs.length} runs: ${bad[0].error}`);
    // v86's counter runs in batches: a window count far from the program's means something else is wrong.
    if (w.expectedWindowInsns !== undefined && s.windowInsns !== undefined && Math.abs(s.windowInsns - w.expectedWindowInsns) > 1e6 + w.expectedWindowInsns * 0.01) {
      warnings.push(`${s.engine} counted ~${fmtInt(s.windowInsns)} instructions in the window; the program has ${fmtInt(w.expectedWindowInsns)}`);
    }
  }
  return { checks, warnings, failed };
}

function timeoutFor(w: WorkloadInstance): number {
  // Generous: a run slower than 1 MIPS (or 5 minutes for the demo OS) is taken as hung.
  return w.expectedWindowInsns !== undefined ? 120_000 + w.expectedWindowInsns / 1000 : 300_000;
}

async function benchWorkload(w: WorkloadInstance, engines: EngineInfo[], opts: BenchOptions, log: (s: string) => void): Promise<WorkloadReport> {
  const spec: RunSpec = { image: w.imagePath, cmdline: w.cmdline, window: w.workload.window, memSize: MEM_SIZE };
  if (w.expectedWindowInsns !== undefined) spec.maxInsns = 2 * w.expectedWindowInsns + 200_000_000;
  else spec.maxInsns = 4_000_000_000;
  const runs = new Map<EngineName, CheckedRun[]>(engines.map((e) => [e.name, []]));
  for (let rep = 1; rep <= opts.reps; rep++) {
    for (const e of engines) {
      if (!e.available) continue;
      const r = check(w, await runEngine(e.name, spec, timeoutFor(w)));
      runs.get(e.name)!.push(r);
      const what = r.ok
        ? `${fmtNum(r.windowSec!)} s${r.mips !== undefined ? `, ${fmtNum(r.mips)} MIPS` : ''} (total ${fmtNum(r.totalSec)} s)`
        : `FAILED: ${r.error}`;
      log(`  ${w.workload.name} rep ${rep}/${opts.reps} ${e.name.padEnd(10)} ${what}`);
    }
  }
  const summaries = engines.map((e) => summarize(e, runs.get(e.name)!));
  const ours = summaries.find((s) => s.engine === 'trapeze')!;
  for (const s of summaries) {
    if (s.engine !== 'trapeze' && ours.windowSec && s.windowSec) s.trapezeRatio = s.windowSec.median / ours.windowSec.median;
  }
  const window = w.expectedWindowInsns !== undefined
    ? `${fmtInt(w.expectedWindowInsns)} instructions (${fmtInt(w.iterations!)} iterations × ${w.workload.insnsPerIter} + 2), between the guest's markers on port 0xE9`
    : 'from the guest\'s first byte on COM1 to its exit through port 0xF4';
  return {
    name: w.workload.name,
    title: w.workload.title,
    cmdline: w.cmdline,
    iterations: w.iterations,
    windowInsns: w.expectedWindowInsns,
    window,
    note: w.workload.note,
    engines: summaries,
    ...analyse(w, summaries),
  };
}

function fmtMiB(n: number | undefined): string {
  return n === undefined ? '–' : `${n.toFixed(0)} MiB`;
}

function renderWorkload(r: WorkloadReport, reps: number): string {
  const rows = r.engines.map((s) => {
    if (!s.available) return [s.engine, `not available: ${s.why}`];
    if (s.okRuns === 0) return [s.engine, `failed: ${(s.runs[0]?.error ?? 'no run').split('\n')[0]}`];
    const insns = s.windowInsns === undefined ? 'no counter' : `${s.insnsExact ? '' : '~'}${fmtInt(s.windowInsns)}`;
    return [
      s.engine + (s.okRuns < s.runs.length ? ` (${s.okRuns}/${s.runs.length} ok)` : ''),
      insns,
      fmtSpread(s.windowSec),
      fmtSpread(s.mips),
      s.totalSec ? fmtNum(s.totalSec.median) : '–',
      fmtMiB(s.maxRssMiB),
      s.engine === 'trapeze' ? '' : fmtRatio(s.trapezeRatio ?? NaN),
    ];
  });
  // Rows that are one long message span the table: lay out the others, then append those.
  const full = rows.filter((x) => x.length > 2);
  const header = ['engine', 'instructions', 'host s (window)', 'MIPS', 'total s', 'peak RSS', 'trapeze ×'];
  let text = table(header, full, ['l', 'r', 'r', 'r', 'r', 'r', 'r']);
  for (const x of rows.filter((x) => x.length === 2)) text += `\n${x[0].padEnd(Math.max(...rows.map((y) => y[0].length)))}  ${x[1]}`;
  const lines = [
    `== ${r.name}: ${r.title} ==`,
    `window: ${r.window}; command line "${r.cmdline}"; ${reps} repetition${reps === 1 ? '' : 's'}, min / median / max`,
    '',
    text,
    '',
  ];
  const ratios = r.engines.filter((s) => s.trapezeRatio !== undefined).map((s) => `${fmtRatio(s.trapezeRatio!)} ${s.engine}`);
  if (ratios.length) lines.push(`trapeze's speed over the window (median): ${ratios.join(', ')}`);
  const ours = r.engines.find((s) => s.engine === 'trapeze');
  if (ours?.heapPeakMiB !== undefined) lines.push(`trapeze's peak V8 heap in use: ${ours.heapPeakMiB.toFixed(1)} MiB`);
  if (r.note) lines.push(`note: ${r.note}`);
  for (const c of r.checks) lines.push(`ok: ${c}`);
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  return lines.join('\n') + '\n';
}

const LEGEND = `columns: instructions = the engine's own count of the window (trapeze exact; v86's counter, updated in
batches, with ~; QEMU counts none); host s = host seconds of the window; MIPS = the window's instructions
(for the loops their exact count, the same on every engine) / host s; total s = from the engine's start
(trapeze: building the PC, after module load; v86: new V86(), SeaBIOS included; QEMU: process start) to the
guest's exit; peak RSS = of the engine's process (trapeze and v86 each run in a fresh Node process);
trapeze × = trapeze's speed as a multiple of that engine's (its median host s / trapeze's).`;

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
  const out = (s: string) => { if (!opts.json) process.stdout.write(s + '\n'); };
  const log = (s: string) => process.stderr.write(s + '\n');
  const engines = probeEngines(opts.engines);
  const env = environment(engines);
  out(`Trapeze benchmark, ${env.date}: Node ${env.node}, ${env.cpu}, load average ${env.loadAverageAtStart.toFixed(2)}`);
  for (const e of engines) out(`  ${e.name.padEnd(10)} ${e.available ? e.version ?? 'available' : `not available: ${e.why}`}`);
  if (env.loadAverageAtStart > 1) out(`  (the machine is busy: load average ${env.loadAverageAtStart.toFixed(2)} before the bench; figures are noisy, compare only figures from one run)`);
  out('');

  const insns = opts.insns ?? (opts.quick ? QUICK_INSNS : undefined);
  const reports: WorkloadReport[] = [];
  for (const name of opts.workloads) {
    const w = instantiate(WORKLOADS.find((x) => x.name === name)!, insns);
    log(`bench: ${name} (${w.cmdline}), ${opts.reps} repetition${opts.reps === 1 ? '' : 's'}`);
    const report = await benchWorkload(w, engines, opts, log);
    reports.push(report);
    out(renderWorkload(report, opts.reps));
  }
  out(LEGEND);
  const loadAtEnd = loadavg()[0];
  out(`load average at the end: ${loadAtEnd.toFixed(2)}`);
  const failed = reports.some((r) => r.failed);
  if (opts.json) {
    const doc = {
      environment: { ...env, loadAverageAtEnd: loadAtEnd },
      options: { reps: opts.reps, quick: opts.quick, insns: opts.insns ?? null, memSize: MEM_SIZE },
      workloads: reports.map((r) => ({
        ...r,
        engines: r.engines.map((s) => ({ ...s, runs: s.runs.map(({ serial: _serial, ...rest }) => rest) })),
      })),
      failed,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  return failed ? 1 : 0;
}

// Run when invoked directly (not when imported by a test).
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
export { ENGINES };
