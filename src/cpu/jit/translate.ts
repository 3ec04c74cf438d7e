// Translate the trace starting at CS:EIP into a JavaScript function (trace.ts picks the instructions,
// codegen.ts writes the source), compile it once with the Function constructor, and attach it to the
// cached instruction it starts at; the code cache kills it when one of its pages is written.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { JitBlock, type BlockFn } from './block.ts';
import { buildTrace, Flow } from './trace.ts';
import { generate, inlineable, type GenMode } from './codegen.ts';
import { rd8, rd16, rd32, rmwSlot, wr8, wr16, wr32 } from './mem.ts';
import { jitConfig } from './jit-config.ts';

/** PF of a result's low byte (cpu.ts PARITY): the generated code's `P`. */
const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let p = 1;
  for (let b = v; b; b >>= 1) p ^= b & 1;
  PARITY[v] = p ? 0x4 : 0;
}

/** Statistics (all CPUs): blocks compiled, and instructions in them. */
export const jitStats = { blocks: 0, insns: 0 };

type Factory = (cpu: CPU, insns: Insn[], parity: Uint8Array, eips: Int32Array, ...helpers: unknown[]) => BlockFn;

/** translate()'s answer for a trace that is worth translating only once entered more often. */
export const DEFER = 'defer';
const deferred = new WeakSet<Insn>();

/**
 * Translate the block starting at the current CS:EIP, whose first instruction is `head`: the block, null
 * if there is none to translate here, or DEFER (a block that does not loop, entered fewer than
 * jitConfig.blockThreshold times: head.hits is set back so that it comes round again then).
 */
export function translate(cpu: CPU, head: Insn): JitBlock | null | typeof DEFER {
  if (cpu.code32 !== true) return null;
  const mode: GenMode = { wideR: cpu.wideR, wideW: cpu.wideW, stack32: cpu.stack32, forms: cpu.inlineForms };
  const start = cpu.ip;
  const trace = buildTrace(cpu, start, (i) => inlineable(i, mode));
  if (trace === null || trace.steps[0].i !== head) return null;
  if (!trace.loop && jitConfig.blockThreshold > jitConfig.threshold && !deferred.has(head)) {
    // Not a loop: count on to the block threshold (the dispatcher tries again then).
    deferred.add(head);
    head.hits = jitConfig.threshold - (jitConfig.blockThreshold - jitConfig.threshold);
    return DEFER;
  }
  // Every instruction and static branch target must be within the CS limit when the block runs.
  let limit = 0;
  for (const s of trace.steps) {
    limit = Math.max(limit, (s.eip >>> 0) + s.i.len - 1);
    if (s.target !== -1 && !s.dynamic && s.flow !== Flow.Next) limit = Math.max(limit, s.target >>> 0);
  }
  if (!trace.loop && trace.steps[trace.steps.length - 1].flow !== Flow.Exit) limit = Math.max(limit, trace.tail >>> 0);
  // The pages other than the first one's linear page are checked in the TLB on entry.
  const firstLp = trace.steps[0].lp;
  const extra = new Map<number, { eip: number; pp: number }>();
  const pages = new Set<number>();
  for (const s of trace.steps) {
    pages.add(s.pp);
    if (s.lp !== firstLp && !extra.has(s.lp)) extra.set(s.lp, { eip: s.eip, pp: s.pp });
  }
  const gen = generate(trace, mode, limit, [...extra.values()]);
  let factory: Factory;
  try {
    factory = new Function('cpu', 'I', 'P', 'E', 'rd8', 'rd16', 'rd32', 'wr8', 'wr16', 'wr32', 'rmwSlot', gen.source) as Factory;
  } catch (e) {
    throw new Error(`jit: generated code does not compile: ${(e as Error).message}\n${gen.source}`);
  }
  const insns = trace.steps.map((s) => s.i);
  const run = factory(cpu, insns, PARITY, Int32Array.from(trace.steps, (s) => s.eip), rd8, rd16, rd32, wr8, wr16, wr32, rmwSlot);
  const block = new JitBlock(head, start, trace.steps.length, [...pages], run, gen.source);
  cpu.codeCache.addBlock(block);
  if (head.block !== null) head.block.kill();
  head.block = block;
  jitStats.blocks++;
  jitStats.insns += trace.steps.length;
  return block;
}
