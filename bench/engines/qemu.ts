// QEMU TCG as a peer: one run is one qemu-system-i386 process, with the command line of
// ../shared/notes/peers.md plus the guest's command line, 128 MiB, and an isa-debugcon on port 0xE9 for the
// window markers. COM1 and the debug console share standard output through a multiplexed stdio chardev
// (the markers, bytes 0x02 and 0x03, never occur in the guests' text), so QEMU writes both in guest order.
// (A separate pipe would be tidier, but Node's stdio "pipes" are socket pairs, which QEMU's file chardev
// cannot open through /dev/fd.) QEMU counts no instructions (Debian's build has no TCG plugins): it is timed
// only, and the markers are timed as they arrive on the pipe (the bench waits on it: a few microseconds).

import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { MARK_END, MARK_START, secs, type RunResult, type RunSpec } from './protocol.ts';

export const QEMU = 'qemu-system-i386';
export const QEMU_INSTALL = 'apt-get install qemu-system-x86';

/** QEMU's version line, or undefined when it is not installed. */
export function qemuVersion(): string | undefined {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0].trim();
}

export function qemuArgs(spec: RunSpec): string[] {
  return [
    '-accel', 'tcg',
    '-m', `${Math.round(spec.memSize / (1 << 20))}`,
    '-kernel', spec.image,
    '-append', spec.cmdline,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    '-chardev', 'stdio,id=console,mux=on',
    '-serial', 'chardev:console',
    '-device', 'isa-debugcon,iobase=0xe9,chardev=console',
    '-display', 'none',
    '-monitor', 'none',
    '-no-reboot',
  ];
}

export function runQemu(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const serial: Buffer[] = [];
    let err = '';
    let tStart = NaN, tEnd = NaN;
    let timedOut = false;
    const t0 = performance.now();
    const child = spawn(QEMU, qemuArgs(spec), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => {
      const now = performance.now();
      if (spec.window === 'markers') {
        if (b.includes(MARK_START) || b.includes(MARK_END)) {
          for (const v of b) {
            if (v === MARK_START && Number.isNaN(tStart)) tStart = now;
            else if (v === MARK_END && Number.isNaN(tEnd)) tEnd = now;
          }
          b = Buffer.from(b.filter((v) => v !== MARK_START && v !== MARK_END));
        }
      } else if (serial.length === 0) {
        tStart = now;
      }
      serial.push(b);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    let t1 = NaN;
    child.on('exit', () => { t1 = performance.now(); });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `cannot start ${QEMU}: ${e.message} (${QEMU_INSTALL})`, stop: 'not started', serial: '', totalSec: NaN });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (Number.isNaN(t1)) t1 = performance.now();
      if (spec.window === 'serial') tEnd = t1;
      // isa-debug-exit: QEMU exits with (value << 1) | 1. Its own errors also give status 1, with a message.
      const qemuError = /qemu-system-i386: /.test(err);
      const exitValue = code !== null && code % 2 === 1 && !qemuError ? (code - 1) / 2 : undefined;
      let error: string | undefined;
      if (timedOut) error = `no exit within ${Math.round(timeoutMs / 1000)} s (killed)`;
      else if (exitValue === undefined) error = `qemu ended with ${signal ?? `status ${code}`}, not through isa-debug-exit${err.trim() ? `: ${err.trim().split('\n').slice(-4).join(' | ')}` : ''}`;
      else if (Number.isNaN(tStart) || Number.isNaN(tEnd)) error = 'the measured window was not seen (no markers / no serial output)';
      const ok = !error;
      resolve({
        ok,
        error,
        stop: exitValue !== undefined ? `isa-debug-exit, value ${exitValue}` : signal ? `signal ${signal}` : `status ${code}`,
        exitValue,
        serial: Buffer.concat(serial).toString('latin1'),
        totalSec: secs(t0, t1),
        windowSec: ok ? secs(tStart, tEnd) : undefined,
      });
    });
  });
}
