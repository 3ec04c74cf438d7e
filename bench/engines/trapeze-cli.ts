// The Linux workload on trapeze runs the `trapeze` command itself, as a user would:
//   node bin/trapeze.mjs run linux --boot bzimage|vmlinux --initrd FILE --append trapeze.mode=marker --stats [--no-jit]
// (the options the command offers are read from its --help: see cliFeatures(); without --no-jit the
// translator is switched through the project's TRAPEZE_JIT preload, scripts/jit-env.ts). Wall time runs from the
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
const JIT_ENV = join(REPO_ROOT, 'scripts', 'jit-env.ts');
/** How long the guest may take from the marker to its power-off (or as long as it took to the marker). */
const POWER_OFF_GRACE_MS = 30_000;

/** What this tree's `trapeze` command offers the bench. */
export interface CliFeatures {
  /** `trapeze run linux` with --boot bzimage|vmlinux. */
  linux: boolean;
  /** `trapeze run --initrd FILE` (else the command builds its own initramfs: not the peers' file). */
  initrd: boolean;
  /** `trapeze run --no-jit`. */
  noJit: boolean;
  /**
   * scripts/jit-env.ts: the project's preload that sets the translator's default from TRAPEZE_JIT=off|on
   * before any machine is built. The bench's way to choose when the command has no --no-jit.
   */
  jitEnv: boolean;
  /** `trapeze initramfs -o FILE`. */
  initramfs: boolean;
}

/**
 * Build the `trapeze` command's bundle (scripts/build-cli.mjs, as `npm ci` does), so that the Linux figures
 * include the start-up a user gets, not tsx's (~0.6 s more: bin/trapeze.mjs falls back to it when a source
 * file is newer than the bundle, as after any edit). Returns null, or why it could not.
 */
export function buildCliBundle(): string | null {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-cli.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return null;
  return `${r.error?.message ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] || `exit status ${r.status}`;
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
    jitEnv: existsSync(JIT_ENV),
    initramfs: /^\s*initramfs\b/m.test(top),
  };
}

/** Node's arguments and the environment for one Linux run of the `trapeze` command. */
export function trapezeLinuxArgs(spec: RunSpec, features: CliFeatures): { args: string[]; env: Record<string, string> } {
  const args = [TRAPEZE_BIN, 'run', 'linux', '--boot', spec.boot ?? 'bzimage', '--append', 'trapeze.mode=marker', '--stats'];
  if (features.initrd) args.push('--initrd', spec.linux!.initrd);
  if (spec.maxInsns !== undefined) args.push('--max-insns', String(spec.maxInsns));
  // The command translates by default (src/cpu/jit/jit-config.ts); --no-jit makes it interpret only.
  if (features.noJit) return { args: spec.jit === false ? [...args, '--no-jit'] : args, env: {} };
  // Without that switch, translation is chosen through the project's preload.
  if (spec.jit !== undefined && features.jitEnv) {
    return { args: ['--import', 'tsx', '--import', JIT_ENV, ...args], env: { TRAPEZE_JIT: spec.jit ? 'on' : 'off' } };
  }
  return { args, env: {} };
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
    let timedOut = false, noPowerOff = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    const { args, env } = trapezeLinuxArgs(spec, features);
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const rss = new RssSampler(child.pid);
    const marker = spec.linux!.marker;
    const watcher = new LineWatcher((line) => {
      if (!Number.isNaN(tEnd) || !line.includes(marker)) return;
      tEnd = performance.now();
      // The guest powers off right after the marker; one that does not is ended, its time still counts.
      const graceMs = Math.max(POWER_OFF_GRACE_MS, tEnd - t0);
      graceTimer = setTimeout(() => { noPowerOff = true; child.kill('SIGKILL'); }, graceMs);
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
      clearTimeout(graceTimer);
      const maxRssMiB = rss.stop();
      const insns = parseStatsInsns(err);
      let error: string | undefined, problem: string | undefined;
      const stop = signal ? `signal ${signal}` : `status ${code}`;
      const lastLines = err.trim().split('\n').filter((l) => l.startsWith('trapeze')).slice(-2).join(' | ');
      if (timedOut) error = `no marker within ${Math.round(timeoutMs / 1000)} s (killed)`;
      else if (Number.isNaN(tEnd)) error = `no marker line (${stop})${lastLines ? `: ${lastLines}` : ''}`;
      else if (noPowerOff) problem = 'no power-off after the marker (killed): no instruction count';
      else if (code !== 0) problem = `the command ended with ${stop} after the marker${lastLines ? `: ${lastLines}` : ''}`;
      const ok = !error;
      resolve({
        ok,
        error,
        problem,
        stop: code === 0 ? 'powered off' : noPowerOff ? 'killed after the marker' : stop,
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
 * Whether this tree's trapeze has its block translator (src/cpu/jit/, switched per CPU by `cpu.jit`, the
 * PC's `jit` option): a PC is built here and asked. A tree without it gets "not available" in the
 * trapeze-jit column rather than its interpreter measured under another name.
 */
export async function jitStatus(): Promise<{ present: boolean; why?: string }> {
  try {
    const { PC } = await import('../../src/platform/pc.ts');
    const cpu = new PC({ memSize: 2 << 20 }).cpu as unknown as { jit?: unknown };
    if (typeof cpu.jit === 'boolean') return { present: true };
    return { present: false, why: 'not available: this tree has no block translator (no cpu.jit switch)' };
  } catch (e) {
    return { present: false, why: `cannot tell: building a PC failed: ${(e as Error).message.split('\n')[0]}` };
  }
}
