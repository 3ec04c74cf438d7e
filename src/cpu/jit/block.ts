// A translated block (a trace): generated JavaScript for a run of guest instructions that starts at one
// cached instruction (its head, which holds it in Insn.block). It may follow direct jumps, calls and
// returns and loop back to its own start; it depends on the physical pages its instructions came from,
// and dies when any of them is written (code-cache.ts).

import type { Insn } from '../insn.ts';

/**
 * Runs the block with at most `budget` instructions to retire (the budget is at least maxLen). Returns
 * the number retired, with cpu.ip, cpu.icount, registers and flags exact; or -1 without doing anything
 * when the block's assumptions about the CPU mode do not hold (the caller interprets instead). A guest
 * fault escapes as the FAULT exception with the state of the faulting instruction.
 */
export type BlockFn = (budget: number) => number;

export class JitBlock {
  /** Killed by a write to one of its pages (or replaced): never run again. */
  dead = false;
  /** Entries refused by its guard (another mode): retranslated after a few. */
  misses = 0;

  constructor(
    /** The cached instruction it starts at. */
    readonly head: Insn,
    /** EIP of the first instruction (int32, as cpu.ip). */
    readonly eip: number,
    /** Most instructions one pass retires: the caller's budget must be at least this. */
    readonly maxLen: number,
    /** Physical pages the instructions came from. */
    readonly pages: readonly number[],
    readonly run: BlockFn,
    /** The generated source (for tests and debugging). */
    readonly source: string,
  ) {}

  kill(): void {
    this.dead = true;
    if (this.head.block === this) this.head.block = null;
  }
}
