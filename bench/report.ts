// The benchmark's results: each run checked against what its workload must print, the runs of a row
// (engine, and for Linux on trapeze the boot path) summarized as min / median / max, the checks across rows
// (determinism, exact counts, checksums, heap growth), and the table.

import type { EngineName } from './args.ts';
import type { RunResult } from './engines/protocol.ts';
import { fmtInt, fmtNum, fmtRatio, fmtSpread, spread, table, type Spread } from './stats.ts';
import type { Workload, WorkloadInstance } from './workloads.ts';

/** One line of the table: an engine, and for the Linux workload on trapeze a boot path. */
export interface Row {
  engine: EngineName;
  boot?: 'bzimage' | 'vmlinux';
  label: string;
}

export function rowsFor(w: Workload, engines: readonly EngineName[]): Row[] {
  const rows: Row[] = [];
  for (const engine of engines) {
    if (w.window === 'boot' && engine.startsWith('trapeze')) {
      for (const boot of ['bzimage', 'vmlinux'] as const) rows.push({ engine, boot, label: `${engine} ${boot}` });
    } else {
      rows.push({ engine, label: engine });
    }
  }
  return rows;
}

/** One run, checked against what the workload must print and how it must exit. */
export interface CheckedRun extends RunResult {
  checksum?: string;
  /** Instructions credited to the window for MIPS: the exact count of a loop, else the engine's own. */
  mipsInsns?: number;
  mips?: number;
}

export function checkRun(w: WorkloadInstance, r: RunResult): CheckedRun {
  const c: CheckedRun = { ...r };
  const wl = w.workload;
  if (c.ok && wl.window !== 'boot') {
    const m = wl.done!.exec(c.serial);
    if (c.exitValue !== wl.exitValue) {
      c.ok = false;
      c.error = `exit value ${c.exitValue}, expected ${wl.exitValue}`;
    } else if (!m) {
      c.ok = false;
      c.error = `the guest did not print its completion line (${wl.done!.source})`;
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

export interface RowSummary {
  label: string;
  engine: EngineName;
  boot?: 'bzimage' | 'vmlinux';
  available: boolean;
  why?: string;
  version?: string;
  runs: CheckedRun[];
  okRuns: number;
  /** The window's host seconds (for Linux: from process start to the marker). */
  wallSec?: Spread;
  mips?: Spread;
  /** From the engine's start to the guest's exit (or the marker). */
  totalSec?: Spread;
  /** The engine's own count of the window's instructions (median). */
  insns?: number;
  insnsExact?: boolean;
  insnsNote?: string;
  maxRssMiB?: number;
  rssNote?: string;
  heapPeakMiB?: number;
  /** trapeze: the run whose heap grew most over the window. */
  heap?: { startKiB: number; endKiB: number; gcInWindow: number };
  /** This row's speed as a multiple of v86's JIT / interpreter (their median wall time / this row's). */
  vsV86Jit?: number;
  vsV86Interp?: number;
}

export function summarize(row: Row, info: { available: boolean; why?: string; version?: string }, runs: CheckedRun[]): RowSummary {
  const ok = runs.filter((r) => r.ok);
  const s: RowSummary = { label: row.label, engine: row.engine, boot: row.boot, ...info, runs, okRuns: ok.length };
  if (ok.length === 0) return s;
  s.wallSec = spread(ok.map((r) => r.windowSec!));
  s.totalSec = spread(ok.map((r) => r.totalSec));
  const mips = ok.filter((r) => r.mips !== undefined).map((r) => r.mips!);
  if (mips.length) s.mips = spread(mips);
  const counts = ok.filter((r) => r.windowInsns !== undefined).map((r) => r.windowInsns!);
  if (counts.length) s.insns = spread(counts)!.median;
  s.insnsExact = ok[0].insnsExact;
  s.insnsNote = ok[0].insnsNote;
  const rss = ok.filter((r) => r.maxRssMiB !== undefined).map((r) => r.maxRssMiB!);
  if (rss.length) s.maxRssMiB = Math.max(...rss);
  s.rssNote = ok.find((r) => r.rssNote)?.rssNote;
  const heap = ok.filter((r) => r.heapPeakMiB !== undefined).map((r) => r.heapPeakMiB!);
  if (heap.length) s.heapPeakMiB = Math.max(...heap);
  for (const r of ok) {
    if (r.heapWindowStartKiB === undefined || r.heapWindowEndKiB === undefined) continue;
    const h = { startKiB: r.heapWindowStartKiB, endKiB: r.heapWindowEndKiB, gcInWindow: r.gcInWindow ?? 0 };
    if (!s.heap || h.endKiB - h.startKiB + h.gcInWindow * 1e6 > s.heap.endKiB - s.heap.startKiB + s.heap.gcInWindow * 1e6) s.heap = h;
  }
  return s;
}

export interface WorkloadReport {
  name: string;
  title: string;
  cmdline: string;
  window: string;
  iterations?: number;
  windowInsns?: number;
  note?: string;
  rows: RowSummary[];
  checks: string[];
  warnings: string[];
  /** Why the workload did not run at all. */
  skipped?: string;
  /** A trapeze failure or a determinism / checksum problem: the bench exits with status 1. */
  failed: boolean;
}

/**
 * Heap growth over a window beyond a fixed allowance plus this many bytes per instruction (or more than a
 * couple of GCs) is reported as allocation in the hot path. The allowance covers V8's own warm-up inside
 * the window (feedback vectors, optimized code, a translator's first compilations: ~1-2 MiB whatever the
 * window's length); anything allocated per instruction or per block executed grows with the window and
 * soon sets off scavenges.
 */
const HEAP_ALLOWANCE_BYTES = 4 << 20;
/**
 * A typed window also starts a process: its code is decoded (and translated) for the first time, its page
 * tables built, so more one-time allocation; per-instruction allocation would still show as GCs.
 */
const HEAP_ALLOWANCE_TYPED_BYTES = 16 << 20;
const HEAP_BYTES_PER_INSN_LIMIT = 0.001;

export function analyse(w: WorkloadInstance, rows: RowSummary[]): Pick<WorkloadReport, 'checks' | 'warnings' | 'failed'> {
  const checks: string[] = [], warnings: string[] = [];
  let failed = false;
  const v86jit = rows.find((s) => s.engine === 'v86-jit')?.wallSec?.median;
  const v86interp = rows.find((s) => s.engine === 'v86-interp')?.wallSec?.median;
  for (const s of rows) {
    if (!s.wallSec) continue;
    if (v86jit !== undefined) s.vsV86Jit = v86jit / s.wallSec.median;
    if (v86interp !== undefined) s.vsV86Interp = v86interp / s.wallSec.median;
  }
  const ours = rows.filter((s) => s.engine.startsWith('trapeze') && s.available);
  for (const s of ours) {
    const ok = s.runs.filter((r) => r.ok);
    if (ok.length < s.runs.length) {
      failed = true;
      warnings.push(`${s.label} failed ${s.runs.length - ok.length} of ${s.runs.length} runs: ${s.runs.find((r) => !r.ok)!.error}`);
    }
    const problem = ok.find((r) => r.problem);
    if (problem) {
      failed = true;
      warnings.push(`${s.label}: ${problem.problem}`);
    }
    if (ok.length === 0) continue;
    // Determinism: same guest, same inputs => the same instruction counts every repetition.
    const totals = new Set(ok.map((r) => r.totalInsns));
    const windows = new Set(ok.map((r) => r.windowInsns));
    if (totals.size > 1 || windows.size > 1) {
      failed = true;
      warnings.push(`DETERMINISM: ${s.label}'s instruction counts changed between repetitions (total ${[...totals].map((n) => fmtInt(n ?? NaN)).join(' / ')}; window ${[...windows].map((n) => fmtInt(n ?? NaN)).join(' / ')})`);
    } else {
      checks.push(`${s.label} retired ${fmtInt(ok[0].totalInsns ?? NaN)} instructions in all${w.workload.window === 'boot' ? '' : `, ${fmtInt(ok[0].windowInsns ?? NaN)} in the window`}, ${ok.length > 1 ? `the same in each of the ${ok.length} repetitions` : 'one repetition (determinism not checked)'}`);
    }
    if (w.expectedWindowInsns !== undefined && ok.some((r) => r.windowInsns !== w.expectedWindowInsns)) {
      failed = true;
      warnings.push(`${s.label} counted ${fmtInt(ok.find((r) => r.windowInsns !== w.expectedWindowInsns)!.windowInsns!)} instructions in the window; the program has exactly ${fmtInt(w.expectedWindowInsns)}`);
    }
    if (s.heap) {
      const grew = (s.heap.endKiB - s.heap.startKiB) * 1024;
      const n = ok[0].windowInsns ?? NaN;
      const line = `heap (${s.label}): ${fmtInt(s.heap.startKiB)} KiB in use after a full GC at the window's start, ${fmtInt(s.heap.endKiB)} KiB at its end (${grew >= 0 ? '+' : ''}${fmtInt(grew / 1024)} KiB over ${fmtInt(n)} instructions: ${fmtNum(grew / n * 1000)} bytes per thousand), ${s.heap.gcInWindow} GC${s.heap.gcInWindow === 1 ? '' : 's'} during the window`;
      const allowance = w.workload.window === 'typed' ? HEAP_ALLOWANCE_TYPED_BYTES : HEAP_ALLOWANCE_BYTES;
      if (grew > allowance + n * HEAP_BYTES_PER_INSN_LIMIT || s.heap.gcInWindow > 2) warnings.push(`ALLOCATION in the hot path? ${line}`);
      else checks.push(line);
    }
  }
  // Side by side: each repetition ran every engine one after the other, so on a machine whose speed drifts
  // the ratio within a repetition says more than the ratio of medians.
  const v86row = rows.find((s) => s.engine === 'v86-jit' && s.available);
  for (const s of ours) {
    if (s.engine !== 'trapeze-jit' || v86row === undefined) continue;
    const ratios: number[] = [];
    for (let k = 0; k < Math.min(s.runs.length, v86row.runs.length); k++) {
      const a = s.runs[k], b = v86row.runs[k];
      if (a.ok && b.ok && a.windowSec !== undefined && b.windowSec !== undefined) ratios.push(b.windowSec / a.windowSec);
    }
    if (ratios.length > 1) {
      checks.push(`${s.label} against v86-jit, repetition by repetition: ${ratios.map((r) => fmtRatio(r)).join(' / ')} (faster in ${ratios.filter((r) => r > 1).length} of ${ratios.length})`);
    }
  }
  // Translation on or off: the same instructions (same boot path).
  for (const boot of [undefined, 'bzimage', 'vmlinux'] as const) {
    const pair = ours.filter((s) => s.boot === boot && s.okRuns > 0);
    if (pair.length !== 2) continue;
    const [a, b] = pair.map((s) => s.runs.find((r) => r.ok)!.totalInsns);
    if (a !== b) {
      failed = true;
      warnings.push(`TRANSLATION CHANGED THE COUNT${boot ? ` (${boot})` : ''}: ${pair[0].label} retired ${fmtInt(a ?? NaN)} instructions, ${pair[1].label} ${fmtInt(b ?? NaN)}`);
    } else {
      checks.push(`trapeze-interp and trapeze-jit${boot ? ` (${boot})` : ''} retired the same ${fmtInt(a ?? NaN)} instructions`);
    }
  }
  // The same result on every engine.
  const sums = new Map<string, string[]>();
  for (const s of rows) for (const r of s.runs) if (r.checksum !== undefined) sums.set(r.checksum, [...(sums.get(r.checksum) ?? []), s.label]);
  if (sums.size > 1) {
    failed = true;
    warnings.push(`CHECKSUMS DIFFER: ${[...sums].map(([k, v]) => `"${k}" on ${[...new Set(v)].join(', ')}`).join('; ')}`);
  } else if (sums.size === 1) {
    const [[sum, on]] = [...sums];
    checks.push(`every run printed the same result "${sum}" (${[...new Set(on)].join(', ')})`);
  }
  for (const s of rows) {
    if (s.engine.startsWith('trapeze') || !s.available) continue;
    const bad = s.runs.filter((r) => !r.ok);
    if (bad.length) warnings.push(`${s.label} failed ${bad.length} of ${s.runs.length} runs: ${bad[0].error}`);
    const problem = s.runs.find((r) => r.ok && r.problem);
    if (problem) warnings.push(`${s.label}: ${problem.problem}`);
    // v86's counter runs in batches: a window count far from the program's means something else is wrong.
    if (w.expectedWindowInsns !== undefined && s.insns !== undefined && Math.abs(s.insns - w.expectedWindowInsns) > 1e6 + w.expectedWindowInsns * 0.01) {
      warnings.push(`${s.label} counted ~${fmtInt(s.insns)} instructions in the window; the program has ${fmtInt(w.expectedWindowInsns)}`);
    }
  }
  return { checks, warnings, failed };
}

function fmtMiB(n: number | undefined, note?: string): string {
  return n === undefined ? '–' : `${n.toFixed(0)} MiB${note === 'sampled' ? '*' : ''}`;
}

export const LEGEND = `wall s: host seconds of the measured window (loops: between the guest's two markers; sieve: from typing
the command to its result line; linux: from the engine process's start to the marker line). instructions:
the engine's own count of the window (trapeze exact; v86's counter, updated in batches, with ~; QEMU counts
none). MIPS: the window's instructions / wall s; for the loops their exact count, the same for every
engine. × v86-jit, × v86-interp: the row's speed as a multiple of that engine's (its median wall s / the
row's). peak RSS: of the engine's process (a fresh process per run; * = sampled from /proc every 10 ms).`;

export function renderReport(reports: readonly WorkloadReport[], reps: number): string {
  const header = ['workload', 'engine', 'wall s', 'instructions', 'MIPS', '× v86-jit', '× v86-interp', 'peak RSS'];
  const body: string[][] = [];
  const spans: { at: number; text: string }[] = [];
  for (const r of reports) {
    if (r.skipped) { spans.push({ at: body.length, text: `${r.name.padEnd(8)}  skipped: ${r.skipped}` }); continue; }
    for (const s of r.rows) {
      if (!s.available) { spans.push({ at: body.length, text: `${r.name.padEnd(8)}  ${s.label}: ${s.why}` }); continue; }
      if (s.okRuns === 0) { spans.push({ at: body.length, text: `${r.name.padEnd(8)}  ${s.label}: FAILED: ${(s.runs[0]?.error ?? 'no run').split('\n')[0]}` }); continue; }
      body.push([
        r.name,
        s.label + (s.okRuns < s.runs.length ? ` (${s.okRuns}/${s.runs.length} ok)` : ''),
        fmtSpread(s.wallSec),
        s.insns === undefined ? '–' : `${s.insnsExact ? '' : '~'}${fmtInt(s.insns)}`,
        fmtSpread(s.mips),
        s.vsV86Jit === undefined ? '–' : fmtRatio(s.vsV86Jit),
        s.vsV86Interp === undefined ? '–' : fmtRatio(s.vsV86Interp),
        fmtMiB(s.maxRssMiB, s.rssNote),
      ]);
    }
  }
  // Rows that are one message (not available, failed, skipped) go between the laid-out lines.
  const laid = table(header, body, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']).split('\n');
  const lines: string[] = [];
  for (let i = 0; i < laid.length; i++) {
    const bodyIndex = i - 2;
    for (const sp of spans) if (sp.at === bodyIndex) lines.push(sp.text);
    lines.push(laid[i]);
  }
  for (const sp of spans) if (sp.at === body.length) lines.push(sp.text);

  const out = [`== results: min / median / max over ${reps} repetition${reps === 1 ? '' : 's'} ==`, '', ...lines, ''];
  for (const r of reports) {
    if (r.skipped) continue;
    out.push(`${r.name}: ${r.title}`);
    out.push(`  window: ${r.window}${r.cmdline ? `; command line "${r.cmdline}"` : ''}`);
    if (r.note) out.push(`  note: ${r.note}`);
    for (const c of r.checks) out.push(`  ok: ${c}`);
    for (const w of r.warnings) out.push(`  WARNING: ${w}`);
  }
  out.push('', LEGEND);
  return out.join('\n');
}
