// How the `trapeze` command tunes the JavaScript engine it runs on (Node's V8) for the translator's
// WebAssembly regions. Only the command does this, before any module is compiled; the emulator itself
// needs no flag and runs the same without (in a browser, under `npm test`).
//
// V8 compiles a WebAssembly function first with its baseline compiler (Liftoff) and again with its
// optimizing one (TurboFan) once it has spent a "tiering budget", which V8 describes as a rough
// approximation of the bytes of code executed. A region (cpu/jit/wasm-codegen.ts) is one function whose
// loop dispatches between its blocks, and that estimate runs out after a few dozen block runs whatever the
// region's size: in the Linux kernel's boot 698 of its ~700 regions were compiled again by TurboFan, 7.7 s
// of compile time on the background threads within a 10 s boot, for code that mostly runs a few thousand
// times. On a 2-core machine that starves the emulation thread (1.6-1.7 s waiting for a core, against
// ~0.7 s with no optimizing compiles). A budget 100 times larger leaves 134 regions to TurboFan, the hot
// ones (the XZ decompressor's loops still get theirs after a fraction of a second): kernel boot 0.91x the
// time in 12 alternating pairs of runs, 10 of them faster; the decompressor unchanged within noise.

import { setFlagsFromString } from 'node:v8';

/** V8's default --wasm-tiering-budget (Node 20) times 100. */
export const WASM_TIERING_BUDGET = 180_000_000;

/** Set the engine flags above. Call before the first WebAssembly module is compiled. */
export function tuneV8(): void {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}
