// Start one engine run in a fresh Node process (trapeze-child.ts or v86-child.ts) and read its result.
// trapeze's child gets --expose-gc for its heap check (a full GC at the start of the measured window).

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RESULT_PREFIX, type RunResult, type RunSpec } from './protocol.ts';

export function runNodeChild(script: 'trapeze-child.ts' | 'v86-child.ts', spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const flags = script === 'trapeze-child.ts' ? ['--expose-gc'] : [];
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', join(import.meta.dirname, script), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    const fail = (error: string): RunResult => ({ ok: false, error, stop: 'no result', serial: '', totalSec: NaN });
    child.on('error', (e) => { clearTimeout(timer); resolve(fail(`cannot start ${process.execPath}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) {
        try {
          resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult);
          return;
        } catch (e) {
          resolve(fail(`unreadable result from ${script}: ${(e as Error).message}`));
          return;
        }
      }
      const why = timedOut ? `no result within ${Math.round(timeoutMs / 1000)} s (killed)` : `${script} ended (${signal ?? `status ${code}`}) without a result`;
      const tail = err.trim().split('\n').slice(-8).join('\n');
      resolve(fail(tail ? `${why}:\n${tail}` : why));
    });
  });
}
