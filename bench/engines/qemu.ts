// QEMU TCG as a peer: one run is one qemu-system-i386 process, with the command line of
// ../shared/notes/peers.md (-accel tcg -cpu pentium3 -m 128 -display none -monitor none -no-reboot).
// Multiboot guests: -kernel IMAGE -append CMDLINE, an isa-debug-exit on port 0xF4 and an isa-debugcon on
// port 0xE9 for the window markers. COM1 and the debug console share standard output through a multiplexed
// stdio chardev (the markers, bytes 0x02 and 0x03, never occur in the guests' text), so QEMU writes both in
// guest order. (A separate pipe would be tidier, but Node's stdio "pipes" are socket pairs, which QEMU's
// file chardev cannot open through /dev/fd.) A 'typed' window types its commands on standard input.
// Linux: -kernel bzImage -initrd INITRD -append CMDLINE, killed at the marker line.
// QEMU counts no instructions (Debian's build has no TCG plugins): it is timed only, as bytes arrive on the
// pipe (the bench waits on it: a few microseconds). Peak RSS: sampled from /proc (rss-sampler.ts).

import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LineWatcher, MARK_END, MARK_START, secs, type RunResult, type RunSpec } from './protocol.ts';
import { RssSampler } from './rss-sampler.ts';

export const QEMU = 'qemu-system-i386';
export const QEMU_INSTALL = 'apt-get install -y qemu-system-x86';

/** QEMU's version line, or undefined when it is not installed. */
export function qemuVersion(): string | undefined {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0].trim();
}

export function qemuArgs(spec: RunSpec): string[] {
  const common = ['-accel', 'tcg', '-cpu', 'pentium3', '-m', `${Math.round(spec.memSize / (1 << 20))}`];
  const tail = ['-display', 'none', '-monitor', 'none', '-no-reboot'];
  if (spec.linux) {
    return [...common, '-kernel', spec.linux.bzImage, '-initrd', spec.linux.initrd, '-append', spec.linux.cmdline, '-serial', 'stdio', ...tail];
  }
  const kernel = [...common, '-kernel', spec.image!, '-append', spec.cmdline ?? '', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'];
  // A typed session needs the keyboard on COM1: a multiplexed chardev gives its input to the front end
  // registered last (the debug console), so it gets a plain stdio serial line (it has no markers).
  if (spec.window === 'typed') return [...kernel, '-serial', 'stdio', ...tail];
  return [
    ...kernel,
    '-chardev', 'stdio,id=console,mux=on',
    '-serial', 'chardev:console',
    '-device', 'isa-debugcon,iobase=0xe9,chardev=console',
    ...tail,
  ];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function runQemu(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const serial: Buffer[] = [];
    let err = '';
    let tStart = NaN, tEnd = NaN;
    let timedOut = false, killedAtMarker = false;
    const t0 = performance.now();
    const child = spawn(QEMU, qemuArgs(spec), { stdio: ['pipe', 'pipe', 'pipe'] });
    const rss = new RssSampler(child.pid);
    child.stdin.on('error', () => { /* QEMU gone: reported by 'close' */ });
    const typed = spec.typed;
    const doneRe = new RegExp(typed?.done ?? (spec.linux ? escapeRe(spec.linux.marker) : '$^'));
    let typeState: 'wait-prompt' | 'running' | 'done' = 'wait-prompt';
    const watcher = new LineWatcher((line) => {
      if (spec.window === 'boot' && doneRe.test(line) && !killedAtMarker) {
        tStart = t0; tEnd = performance.now();
        killedAtMarker = true;
        rss.sample();
        child.kill('SIGKILL');
      } else if (typed && typeState === 'running' && doneRe.test(line)) {
        tEnd = performance.now();
        typeState = 'done';
        child.stdin.write(typed.after);
      }
    });
    child.stdout.on('data', (b: Buffer) => {
      const now = performance.now();
      if (spec.window === 'markers' && (b.includes(MARK_START) || b.includes(MARK_END))) {
        for (const v of b) {
          if (v === MARK_START && Number.isNaN(tStart)) tStart = now;
          else if (v === MARK_END && Number.isNaN(tEnd)) tEnd = now;
        }
        b = Buffer.from(b.filter((v) => v !== MARK_START && v !== MARK_END));
      }
      serial.push(b);
      if (spec.window === 'markers') return;
      for (const v of b) {
        watcher.push(v);
        if (typed && typeState === 'wait-prompt' && watcher.tail.endsWith(typed.prompt)) {
          typeState = 'running';
          tStart = performance.now();
          child.stdin.write(typed.command);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    let t1 = NaN;
    child.on('exit', () => { t1 = performance.now(); });
    child.on('error', (e) => {
      clearTimeout(timer);
      rss.stop();
      resolve({ ok: false, error: `cannot start ${QEMU}: ${e.message} (${QEMU_INSTALL})`, stop: 'not started', serial: '', totalSec: NaN });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const maxRssMiB = rss.stop();
      if (Number.isNaN(t1)) t1 = performance.now();
      let error: string | undefined;
      let exitValue: number | undefined;
      let stop: string;
      if (spec.window === 'boot') {
        stop = killedAtMarker ? 'killed at the marker' : signal ? `signal ${signal}` : `status ${code}`;
        if (timedOut) error = `no marker within ${Math.round(timeoutMs / 1000)} s (killed)`;
        else if (!killedAtMarker) error = `qemu ended (${stop}) before the marker${err.trim() ? `: ${err.trim().split('\n').slice(-4).join(' | ')}` : ''}`;
      } else {
        // isa-debug-exit: QEMU exits with (value << 1) | 1. Its own errors also give status 1, with a message.
        const qemuError = /qemu-system-i386: /.test(err);
        exitValue = code !== null && code % 2 === 1 && !qemuError ? (code - 1) / 2 : undefined;
        stop = exitValue !== undefined ? `isa-debug-exit, value ${exitValue}` : signal ? `signal ${signal}` : `status ${code}`;
        if (timedOut) error = `no exit within ${Math.round(timeoutMs / 1000)} s (killed)`;
        else if (exitValue === undefined) error = `qemu ended with ${signal ?? `status ${code}`}, not through isa-debug-exit${err.trim() ? `: ${err.trim().split('\n').slice(-4).join(' | ')}` : ''}`;
        else if (Number.isNaN(tStart) || Number.isNaN(tEnd)) error = 'the measured window was not seen (no markers / no completion line)';
      }
      const ok = !error;
      resolve({
        ok,
        error,
        stop,
        exitValue,
        serial: Buffer.concat(serial).toString('latin1'),
        totalSec: spec.window === 'boot' && ok ? secs(t0, tEnd) : secs(t0, t1),
        windowSec: ok ? secs(tStart, tEnd) : undefined,
        maxRssMiB,
        rssNote: killedAtMarker ? undefined : 'sampled',
      });
    });
  });
}
