// One benchmark run of trapeze, in a process of its own:  node --import tsx bench/engines/trapeze-child.ts SPEC
// SPEC is a RunSpec as JSON. The machine is src/platform/pc.ts with src/loaders/multiboot.ts, as `trapeze run`
// uses them, minus the terminal: no event-loop yields, no output until the end. The clock starts after every
// module is loaded, just before the PC is built.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { PC } from '../../src/platform/pc.ts';
import { loadMultiboot } from '../../src/loaders/multiboot.ts';
import { MARK_END, MARK_START, RESULT_PREFIX, secs, type RunResult, type RunSpec } from './protocol.ts';

/** Instructions per pc.run() call (memory is sampled between calls), and virtual ns per call. */
const SLICE_INSNS = 1 << 24;
const SLICE_VIRTUAL_NS = 50_000_000;

function run(spec: RunSpec): RunResult {
  const image = new Uint8Array(readFileSync(spec.image));
  const serial: number[] = [];
  let heapPeak = getHeapStatistics().used_heap_size;
  let tStart = NaN, tEnd = NaN, iStart = NaN, iEnd = NaN;

  const t0 = performance.now();
  // The PC is referenced by the callbacks below before it exists: they only run inside pc.run().
  let pc: PC;
  const onSerial = (b: number) => {
    if (serial.length === 0 && spec.window === 'serial') {
      tStart = performance.now();
      iStart = pc.cpu.icount;
    }
    serial.push(b);
  };
  const onDebugConsole = (b: number) => {
    if (spec.window !== 'markers') return;
    if (b === MARK_START && Number.isNaN(tStart)) { tStart = performance.now(); iStart = pc.cpu.icount; }
    else if (b === MARK_END && Number.isNaN(tEnd)) { tEnd = performance.now(); iEnd = pc.cpu.icount; }
  };
  pc = new PC({ memSize: spec.memSize, serialOut: onSerial, debugConsoleOut: onDebugConsole });
  loadMultiboot(pc.mem, pc.cpu, image, { cmdline: spec.cmdline, memSize: spec.memSize });

  const maxInsns = spec.maxInsns ?? Infinity;
  let stop = '';
  let exitValue: number | undefined;
  let error: string | undefined;
  try {
    for (;;) {
      if (pc.cpu.icount >= maxInsns) { error = `no exit after ${pc.cpu.icount} instructions`; stop = 'instruction limit'; break; }
      const r = pc.run(Math.min(SLICE_INSNS, maxInsns - pc.cpu.icount), pc.now() + SLICE_VIRTUAL_NS);
      const h = getHeapStatistics().used_heap_size;
      if (h > heapPeak) heapPeak = h;
      if (r.reason === 'limit' || r.reason === 'time') continue;
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
  if (spec.window === 'serial') { tEnd = t1; iEnd = pc.cpu.icount; }
  if (!error && (Number.isNaN(tStart) || Number.isNaN(tEnd))) error = 'the measured window was not seen (no markers / no serial output)';
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
  };
}

const spec = JSON.parse(process.argv[2] ?? '') as RunSpec;
process.stdout.write(RESULT_PREFIX + JSON.stringify(run(spec)) + '\n');
