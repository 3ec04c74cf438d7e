// The Linux workload on trapeze runs the `trapeze` command itself, as a user would:
//   node bin/trapeze.mjs run linux --boot bzimage|vmlinux --initrd FILE --append trapeze.mode=marker --stats [--no-jit]
// (the options the command offers are read from its --help: see cliFeatures()). Wall time runs from the
// process's spawn to the end of the marker line on its standard output; the guest then powers off
// (`poweroff -f`: HLT with interrupts off) and the command prints its statistics (--stats) on standard
// error: the instruction count is taken from there, so it runs to the power-off, a few million instructions
// past the marker (said under the table). Peak RSS: sampled from /proc (rss-sampler.ts).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineWatcher, secs, type RunResult, type RunSpec } from './protocol.ts';
import { RssSampler } from './rss-sampler.ts';
import { REPO_ROOT } from '../workloads.ts';

export const TRAPEZE_BIN = join(REPO_ROOT, 'bin', 'trapeze.mjs');

/** What this tree's `trapeze` command offers the bench. */
export interface CliFeatures {
  /** `trapeze run linux` with --boot bzimage|vmlinux. */
  linux: boolean;
  /** `trapeze run --initrd FILE` (else the command builds its own initramfs: not the peers' file). */
  initrd: boolean;
  /** `trapeze run --no-jit`. */
  noJit: boolean;
  /** `trapeze initramfs -o FILE`. */
  initramfs: boolean;
}

function help(args: string[]): string {
  const r = spawnSync(process.execPath, [TRAPEZE_BIN, ...args, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

export function cliFeatures(): CliFeatures {
  const top = help([]);
  const run = help(['run']);
  return {
    linux: /--boot\b/.test(run) && /\bvmlinux\b/.test(run),
    initrd: /--initrd\b/.test(run),
    noJit: /--no-jit\b/.test(run),
    initramfs: /^\s*initramfs\b/m.test(top),
  };
}

export function trapezeLinuxArgs(spec: RunSpec, features: CliFeatures): string[] {
  const args = [TRAPEZE_BIN, 'run', 'linux', '--boot', spec.boot ?? 'bzimage', '--append', 'trapeze.mode=marker', '--stats'];
  if (features.initrd) args.push('--initrd', spec.linux!.initrd);
  if (spec.maxInsns !== undefined) args.push('--max-insns', String(spec.maxInsns));
  if (spec.jit === false && features.noJit) args.push('--no-jit');
  return args;
}

/** The instruction count from `--stats` ("instructions      1,234,567"). */
export function parseStatsInsns(stderr: string): number | undefined {
  const m = /^instructions\s+([\d,]+)\s*$/m.exec(stderr);
  return m ? Number(m[1].replace(/,/g, '')) : undefined;
}

export function runTrapezeLinux(spec: RunSpec, features: CliFeatures, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const serial: number[] = [];
    let err = '';
    let tEnd = NaN;
    let timedOut = false;
    const t0 = performance.now();
    const child = spawn(process.execPath, trapezeLinuxArgs(spec, features), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const rss = new RssSampler(child.pid);
    const marker = spec.linux!.marker;
    const watcher = new LineWatcher((line) => {
      if (Number.isNaN(tEnd) && line.includes(marker)) tEnd = performance.now();
    });
    child.stdout.on('data', (b: Buffer) => { for (const v of b) { serial.push(v); watcher.push(v); } });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      rss.stop();
      resolve({ ok: false, error: `cannot start ${process.execPath}: ${e.message}`, stop: 'not started', serial: '', totalSec: NaN });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const maxRssMiB = rss.stop();
      const insns = parseStatsInsns(err);
      let error: string | undefined;
      const stop = signal ? `signal ${signal}` : `status ${code}`;
      const lastLines = err.trim().split('\n').filter((l) => l.startsWith('trapeze')).slice(-2).join(' | ');
      if (timedOut) error = `no power-off within ${Math.round(timeoutMs / 1000)} s (killed)`;
      else if (Number.isNaN(tEnd)) error = `no marker line (${stop})${lastLines ? `: ${lastLines}` : ''}`;
      else if (code !== 0) error = `the command ended with ${stop} after the marker${lastLines ? `: ${lastLines}` : ''}`;
      const ok = !error;
      resolve({
        ok,
        error,
        stop: code === 0 ? 'powered off' : stop,
        serial: Buffer.from(serial).toString('latin1'),
        totalSec: ok ? secs(t0, tEnd) : NaN,
        windowSec: ok ? secs(t0, tEnd) : undefined,
        windowInsns: ok ? insns : undefined,
        totalInsns: insns,
        insnsExact: true,
        insnsNote: 'to power-off',
        maxRssMiB,
        rssNote: 'sampled',
      });
    });
  });
}

/**
 * Whether this tree's trapeze can run with its block translator, and how the bench switches it. The
 * translator (src/cpu/jit/) is being written in parallel with this bench; until it offers a switch the
 * trapeze-jit column says so instead of measuring the interpreter under another name.
 */
export function jitStatus(): { available: boolean; why?: string } {
  if (!existsSync(join(REPO_ROOT, 'src', 'cpu', 'jit'))) return { available: false, why: 'not available yet: no block translator in this tree (src/cpu/jit/)' };
  return { available: false, why: 'not available yet: src/cpu/jit/ exists, but the bench does not know its switch yet' };
}
