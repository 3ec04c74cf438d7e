// The run loop with translation (cpu.jit). At a block start (an instruction reached by a control transfer
// or where a block left off) it runs the translated block that starts there when there is one and it fits in
// the instruction budget; else it interprets (interp.ts with blockStarts), and the interpreter counts how
// often each block start is reached and stops at one that has a block or is due for translation
// (jitConfig.threshold; translate.ts).
//
// Exactly what interpret() does, instruction for instruction: a block runs only when no per-instruction
// event handling is due (cpu.attention clear, or only a masked INTR pending, where afterInstruction does
// nothing an instruction later could see), never past `end` (the next device deadline), and leaves at
// the first instruction after which cpu.attention is set; afterInstruction then runs at that boundary as
// the interpreter would run it. Faults inside a block leave the CPU state of the faulting instruction
// (codegen.ts), so CPU.run delivers them as usual.

import type { CPU } from '../cpu.ts';
import { interpret, STOP_BLOCK } from '../interp.ts';
import { DEFER, translate } from './translate.ts';
import { insnAt } from './region.ts';
import { jitConfig } from './jit-config.ts';
import { WARM_BUDGET } from './block.ts';

/** cpu.ts constants (not imported as values: cpu.ts imports this module). */
const enum C {
  ATTN_IRQ = 1, ATTN_CODE = 64, IF = 0x200,
  STOP_LIMIT = 0, STOP_HALT = 1, STOP_SHUTDOWN = 2,
  /** Weighted guard refusals after which a region is translated again (for the current mode). */
  MISS_LIMIT = 64,
  /** Most instructions one region call may retire (see runJit). */
  RUN_BUDGET = 1 << 17,
}

/** Called after every block a CPU runs (the lockstep test compares with an interpreting CPU there). */
export type BlockObserver = (cpu: CPU, retired: number) => void;
let observer: BlockObserver | null = null;

/** Observe every translated block run (null: stop). A test hook: costs one compare per block. */
export function setBlockObserver(f: BlockObserver | null): void {
  observer = f;
}

export function runJit(cpu: CPU, end: number): number {
  const threshold = jitConfig.threshold;
  while (cpu.icount < end) {
    if (cpu.halted === true) {
      if (!cpu.wake()) return cpu.shutdown ? C.STOP_SHUTDOWN : C.STOP_HALT;
      continue;
    }
    let att = cpu.attention;
    // ATTN_CODE tells a running block to leave; between blocks it has served (afterInstruction would
    // only clear it).
    if ((att & C.ATTN_CODE) !== 0) cpu.attention = att &= ~C.ATTN_CODE;
    if (att !== 0 && (att !== C.ATTN_IRQ || (cpu.flags & C.IF) !== 0)) {
      // Per-instruction event handling is due (traps, shadows, RF, an interrupt to take, a stop request,
      // a mode change): one instruction through the interpreter.
      const r = interpret(cpu, cpu.icount + 1);
      if (r !== C.STOP_LIMIT) return r;
      continue;
    }
    const ip = cpu.ip;
    const d = (ip - cpu.fetchEip) | 0;
    let i = (d & -4096) === 0 ? cpu.fetchSlots[d] : undefined;
    if (i === undefined) {
      i = cpu.fetchInsn();
      // The interpreter caches an instruction only if its page was in the TLB before the fetch; now it is.
      if (i === cpu.insn) i = insnAt(cpu, ip)?.i ?? i;
    }
    const b = i.block;
    if (b !== null) {
      if (b.maxLen <= end - cpu.icount) {
        const r = b.region;
        let budget = end - cpu.icount, warm = false;
        if (r.warm > 0) { r.warm--; warm = true; if (budget > WARM_BUDGET) budget = WARM_BUDGET; }
        // One call runs at most RUN_BUDGET instructions: a loop that ran for millions of instructions in a
        // single call would stay in V8's on-stack-replacement code, which runs it at half the speed of the
        // function's regular optimized code (the mixed loop: ~240 against ~430 MIPS).
        else if (budget > C.RUN_BUDGET) budget = C.RUN_BUDGET;
        const n = b.eip === ip ? r.run(budget, b.index, warm) : -1;
        if (n > 0) {
          if (cpu.attention !== 0 && cpu.afterInstruction()) return cpu.takeStop();
          if (observer !== null) observer(cpu, n);
          continue;
        }
        // n = 0: the region left before its first instruction, whose memory access or branch target was
        // not on its fast path (wasm-codegen.ts exitBefore): the interpreter runs it (and on).
        // A code page missing from the TLB (n = -2) is usually refilled by the interpreter soon; another
        // mode (-1) will not go away by itself: it weighs 8 times more towards translating again.
        if (n < 0 && (r.misses += n === -1 ? 8 : 1) >= C.MISS_LIMIT) { r.kill(); i.hits = threshold; }
      }
    } else if (++i.hits >= threshold && i !== cpu.insn && cpu.code32 === true) {
      const t = translate(cpu, i);
      if (t === null) i.hits = -0x40000000; // not translatable here: do not try again
      else if (t !== DEFER) continue;
    }
    const r = interpret(cpu, end, threshold);
    if (r !== STOP_BLOCK) return r;
  }
  return C.STOP_LIMIT;
}
