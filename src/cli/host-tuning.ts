// How the `trapeze` command tunes the host it runs on (Node's V8, the OS scheduler) for the emulation: the
// guest runs on the main thread, and V8's helper threads (optimizing compiles, concurrent GC) should take
// the cores it leaves free, not its own. Only the command does this, once, before any guest code runs; the
// emulator itself needs none of it and runs the same without (in a browser, under `npm test`).
//
// V8's WebAssembly tiering budget. V8 compiles a WebAssembly function first with its baseline compiler
// (Liftoff) and again with its optimizing one (TurboFan) once it has spent a "tiering budget", which V8
// describes as a rough approximation of the bytes of code executed. A region (cpu/jit/wasm-codegen.ts) is
// one function whose loop dispatches between its blocks, and that estimate runs out after a few dozen
// block runs whatever the region's size: in the Linux kernel's boot 698 of its ~700 regions were compiled
// again by TurboFan, 7.7 s of compile time on the helper threads within a 10 s boot, for code that mostly
// runs a few thousand times. On a 2-core machine that starves the emulation thread (1.6-1.7 s waiting for
// a core, against ~0.7 s with no optimizing compiles). A budget 100 times larger leaves 134 regions to
// TurboFan, the hot ones (the XZ decompressor's loops still get theirs within a fraction of a second):
// kernel boot 0.91x the time in 12 alternating pairs of runs, 10 of them faster; decompressor unchanged.
//
// Helper threads at a lower priority (Linux: niceness 10 for every thread but the main one, which are
// V8's worker pool, created at start-up). When more of them are busy than there are spare cores, the
// scheduler then lets them wait rather than the emulation, whose guest has no use for a compile that
// finishes sooner if its own instructions run later. Whole bzImage boots, alternating pairs: 0.91-0.92x
// in three sets of 6 (the slow runs, where the helpers took the main thread's core, were gone).

import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/** V8's default --wasm-tiering-budget (Node 20) times 100. */
export const WASM_TIERING_BUDGET = 180_000_000;

/** Niceness of the helper threads (the main thread keeps its own). */
export const HELPER_NICENESS = 10;

/** Apply both. Call before the first WebAssembly module is compiled. */
export function tuneHost(): void {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  lowerHelperThreads();
}

/** The threads of this process other than the main one, lowered to HELPER_NICENESS (none is raised); returns how many changed. */
export function lowerHelperThreads(): number {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task'); // (Linux; elsewhere nothing is changed)
  } catch {
    return 0;
  }
  let n = 0;
  for (const t of tids) {
    const tid = Number(t);
    if (tid === process.pid || !Number.isInteger(tid)) continue;
    try {
      if (getPriority(tid) >= HELPER_NICENESS) continue; // (already as low: never raised)
      setPriority(tid, HELPER_NICENESS);
      n++;
    } catch {
      // a thread that has ended since, or a host that refuses: it keeps its priority
    }
  }
  return n;
}
