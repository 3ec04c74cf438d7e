// Translated code: a region (region.ts) compiled into one JavaScript function, and its entry points. The
// function runs from any of its blocks; every block start is an entry (a JitBlock held by the cached
// instruction there, Insn.block), so the dispatcher enters the region wherever the guest arrives at one
// of them. The region depends on the physical pages its instructions came from, and dies when any of
// them is written (code-cache.ts).

import type { Insn } from '../insn.ts';

/**
 * Runs the region from block `bi` with at most `budget` instructions to retire (the budget is at least
 * that block's length). Returns the number retired, with cpu.ip, cpu.icount, registers and flags exact; or
 * -1 without doing anything when the region's assumptions about the CPU mode do not hold (the caller
 * interprets instead), or -2 when one of its code pages is not in the TLB at the moment. A guest fault escapes as the FAULT exception with the state of the faulting
 * instruction.
 */
export type RegionFn = (budget: number, bi: number, warm: boolean) => number;

/**
 * A new region's first runs are warm-up runs: at most WARM_BUDGET instructions, every memory access
 * through the CPU's slow path. V8 optimizes a function with the type feedback its earlier runs left; code
 * that had not run by then (a loop's exit, the slow path of a memory access) is compiled as a bail-out,
 * and the first time it runs the optimized code is thrown away (a hot loop entered once and run for
 * millions of instructions is optimized before it ever leaves). Warm-up runs go through those paths first.
 * Same instructions, same results: only slower, a few times per region.
 */
export const WARM_RUNS = 4;
export const WARM_BUDGET = 256;

export class JitRegion {
  /** Killed by a write to one of its pages (or replaced): never run again. */
  dead = false;
  /** Entries refused by its guard (another mode): retranslated after a few. */
  misses = 0;
  /** Warm-up runs left. */
  warm = WARM_RUNS;
  /** Its entry points, one per block. */
  readonly entries: JitBlock[] = [];

  constructor(
    /** EIP (int32) where it was translated from. */
    readonly eip: number,
    /** Physical pages the instructions came from. */
    readonly pages: readonly number[],
    readonly run: RegionFn,
    /** The generated source (for tests and debugging). */
    readonly source: string,
    /** Instructions in it. */
    readonly size: number,
  ) {}

  /** Called once when it dies (the WebAssembly backend unlinks it: wasm-runtime.ts wasmKill). */
  onKill: (() => void) | null = null;

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.onKill !== null) this.onKill();
    for (const e of this.entries) if (e.head.block === e) e.head.block = null;
  }
}

/** An entry point of a region: the start of one of its blocks. */
export class JitBlock {
  constructor(
    readonly region: JitRegion,
    /** The cached instruction it starts at. */
    readonly head: Insn,
    /** Its block's index in the region (the function's `bi`). */
    readonly index: number,
    /** EIP of the first instruction (int32, as cpu.ip). */
    readonly eip: number,
    /** Instructions in its block: the caller's budget must be at least this. */
    readonly maxLen: number,
  ) {}
}
