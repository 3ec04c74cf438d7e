// One benchmark run of trapeze on a Multiboot guest, in a process of its own:
//   node --expose-gc --import tsx bench/engines/trapeze-child.ts SPEC
// SPEC is a RunSpec as JSON ('markers' or 'typed' window). The machine is src/platform/pc.ts with
// src/loaders/multiboot.ts, as `trapeze run` uses them, minus the terminal: no event-loop yields, no output
// until the end. The clock starts after every module is loaded, just before the PC is built.
//
// Heap check (the hot paths must allocate nothing per instruction): at the start of the window a full GC
// (global.gc, hence --expose-gc) gives a clean baseline; at its end the heap in use is read again, and the
// garbage collections that started inside the window are counted. A window of 10^8 instructions that
// allocated even a few bytes per instruction would show hundreds of scavenges and a heap that moved.

import { readFileSync } from 'node:fs';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { PC } from '../../src/platform/pc.ts';
import { loadMultiboot } from '../../src/loaders/multiboot.ts';
import { LineWatcher, MARK_END, MARK_START, RESULT_PREFIX, secs, type RunResult, type RunSpec } from './protocol.ts';

/** Instructions per pc.run() call (memory is sampled between calls), and virtual ns per call. */
const SLICE_INSNS = 1 << 24;
const SLICE_VIRTUAL_NS = 50_000_000;

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Translation on or off for this run: the PC's `jit` option (cpu.jit; without it the default comes from
 * src/cpu/jit/jit-config.ts, on unless TRAPEZE_JIT=off), given explicitly both ways. Checked afterwards:
 * a tree without the switch would ignore the option, and must not have its interpreter measured twice.
 */
function checkTranslation(pc: PC, on: boolean): void {
  const cpu = pc.cpu as unknown as { jit?: unknown };
  if (typeof cpu.jit === 'boolean' ? cpu.jit !== on : on) throw new Error(`translation ${on ? 'on' : 'off'} was asked, cpu.jit is ${String(cpu.jit)}`);
}

async function run(spec: RunSpec): Promise<RunResult> {
  const image = new Uint8Array(readFileSync(spec.image!));
  const serial: number[] = [];
  let heapPeak = getHeapStatistics().used_heap_size;
  let tStart = NaN, tEnd = NaN, iStart = NaN, iEnd = NaN;
  let heapStart = NaN, heapEnd = NaN;
  const gcStarts: number[] = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcStarts.push(e.startTime); });
  observer.observe({ entryTypes: ['gc'] });

  const t0 = performance.now();
  // The PC is referenced by the callbacks below before it exists: they only run inside pc.run().
  let pc: PC;
  const windowStart = () => {
    gc?.();
    heapStart = getHeapStatistics().used_heap_size;
    tStart = performance.now();
    iStart = pc.cpu.icount;
  };
  const windowEnd = () => {
    tEnd = performance.now();
    iEnd = pc.cpu.icount;
    heapEnd = getHeapStatistics().used_heap_size;
  };
  // 'typed': what to type between slices (typing from inside a device callback would re-enter the UART).
  const typed = spec.typed;
  const doneRe = typed ? new RegExp(typed.done) : undefined;
  // (A holder, not a `let`: the callbacks change it behind the loop's back, which TypeScript's narrowing misses.)
  const session = { state: 'wait-prompt' as 'wait-prompt' | 'type-command' | 'running' | 'type-after' | 'done' };
  const typingPending = () => session.state === 'type-command' || session.state === 'type-after';
  const watcher = new LineWatcher((line) => {
    if (session.state === 'running' && doneRe!.test(line)) { windowEnd(); session.state = 'type-after'; }
  });
  const onSerial = (b: number) => {
    serial.push(b);
    if (!typed) return;
    watcher.push(b);
    if (session.state === 'wait-prompt' && watcher.tail.endsWith(typed.prompt)) session.state = 'type-command';
  };
  const onDebugConsole = (b: number) => {
    if (spec.window !== 'markers') return;
    if (b === MARK_START && Number.isNaN(tStart)) windowStart();
    else if (b === MARK_END && Number.isNaN(tEnd)) windowEnd();
  };
  pc = new PC({ memSize: spec.memSize, serialOut: onSerial, debugConsoleOut: onDebugConsole, jit: spec.jit === true });
  checkTranslation(pc, spec.jit === true);
  loadMultiboot(pc.mem, pc.cpu, image, { cmdline: spec.cmdline ?? '', memSize: spec.memSize });

  const maxInsns = spec.maxInsns ?? Infinity;
  let stop = '';
  let exitValue: number | undefined;
  let error: string | undefined;
  const bytes = (s: string) => Array.from(s, (c) => c.charCodeAt(0) & 0xFF);
  try {
    for (;;) {
      if (session.state === 'type-command') { windowStart(); pc.sendSerial(bytes(typed!.command)); session.state = 'running'; }
      if (session.state === 'type-after') { pc.sendSerial(bytes(typed!.after)); session.state = 'done'; }
      if (pc.cpu.icount >= maxInsns) { error = `no exit after ${pc.cpu.icount} instructions`; stop = 'instruction limit'; break; }
      const r = pc.run(Math.min(SLICE_INSNS, maxInsns - pc.cpu.icount), pc.now() + SLICE_VIRTUAL_NS);
      const h = getHeapStatistics().used_heap_size;
      if (h > heapPeak) heapPeak = h;
      if (r.reason === 'limit' || r.reason === 'time') continue;
      if (r.reason === 'idle' && typingPending()) continue;
      if (r.reason === 'exit') {
        exitValue = ((r.exitStatus ?? 1) - 1) / 2;
        stop = `isa-debug-exit, value ${exitValue}`;
      } else {
        stop = r.reason + (r.detail ? ` (${r.detail})` : '');
        error = r.reason === 'idle' ? 'the guest waits for input' : `the guest stopped: ${stop}`;
      }
      break;
    }
  } catch (e) {
    stop = 'internal error';
    error = `internal emulator error after ${pc.cpu.icount} instructions: ${(e as Error).stack ?? e}`;
  }
  const t1 = performance.now();
  if (!error && (Number.isNaN(tStart) || Number.isNaN(tEnd))) error = 'the measured window was not seen (no markers / no completion line)';
  // GC entries arrive asynchronously: let the observer catch up before counting.
  await new Promise((r) => setImmediate(r));
  const pending: PerformanceEntry[] = (observer as unknown as { takeRecords?: () => PerformanceEntry[] }).takeRecords?.() ?? [];
  for (const e of pending) gcStarts.push(e.startTime);
  observer.disconnect();
  const ok = !error;
  return {
    ok,
    error,
    stop,
    exitValue,
    serial: Buffer.from(serial).toString('latin1'),
    totalSec: secs(t0, t1),
    windowSec: ok ? secs(tStart, tEnd) : undefined,
    windowInsns: ok ? iEnd - iStart : undefined,
    totalInsns: pc.cpu.icount,
    insnsExact: true,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapPeakMiB: heapPeak / (1 << 20),
    heapWindowStartKiB: ok ? heapStart / 1024 : undefined,
    heapWindowEndKiB: ok ? heapEnd / 1024 : undefined,
    gcInWindow: ok ? gcStarts.filter((t) => t >= tStart && t <= tEnd).length : undefined,
  };
}

const spec = JSON.parse(process.argv[2] ?? '') as RunSpec;
const result = await run(spec);
process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
