// Translate the region entered at CS:EIP into a JavaScript function (region.ts picks the instructions,
// codegen.ts writes the source), compile it once with the Function constructor, and attach an entry to
// the cached instruction at each of its block starts; the code cache kills it when one of its pages is
// written.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { JitBlock, JitRegion, type RegionFn } from './block.ts';
import { buildRegion, isJcc, MAX_REGION_STEPS, MAX_WASM_REGION_STEPS, type Block, type Region } from './region.ts';
import { generate, inlineable, type GenMode } from './codegen.ts';
import { jitConfig } from './jit-config.ts';
import { compileWasmRegion, wasmEnv, wasmKill, type WasmEnv } from './wasm-runtime.ts';
import { K } from '../interp.ts';
import { PARITY } from '../parity.ts';


/** Statistics (all CPUs): regions compiled, instructions in them, regions compiled to WebAssembly. */
export const jitStats = { blocks: 0, insns: 0, wasm: 0 };

type Factory = (cpu: CPU, insns: Insn[], parity: Uint8Array, h: typeof callHandler) => RegionFn;

/**
 * How generated code runs an instruction's handler. One call site for every region: it sees every
 * handler, so V8 does not inline handlers into the regions (which made their optimizing compile several
 * times slower for code that rarely runs).
 */
function callHandler(i: Insn, cpu: CPU): void {
  i.exec(cpu, i);
}

/** Set when the host's WebAssembly lacks what the runtime needs (tail calls): JavaScript regions then. */
let wasmUnsupported = false;

/** The CPU's WebAssembly runtime, or null where the host cannot build it. */
function hostWasmEnv(cpu: CPU): WasmEnv | null {
  if (wasmUnsupported) return null;
  try {
    return wasmEnv(cpu);
  } catch {
    wasmUnsupported = true;
    return null;
  }
}

/** translate()'s answer for a region that is worth translating only once entered more often. */
export const DEFER = 'defer';
const deferred = new WeakSet<Insn>();

/** Static successors of a block inside the region (branch targets, fall-through, the return point of a call). */
function successors(r: Region, b: Block): number[] {
  const out: number[] = [];
  const s = b.steps[b.steps.length - 1], k = s.i.fast;
  const add = (eip: number): void => { const j = r.byEip.get(eip); if (j !== undefined) out.push(j); };
  if (b.fall !== -1) add(b.fall);
  if (k === K.Jmp || k === K.CallRel || isJcc(k)) add((s.next + s.i.imm) | 0);
  // (A call comes back: a loop whose body calls a function is a loop.)
  if (isJcc(k) || k === K.CallRel) add(s.next);
  return out;
}

/** Is the region's entry a loop head (a static path leads from it back to it)? */
function entryLoops(r: Region): boolean {
  const entry = r.byEip.get(r.entry)!;
  const seen = new Uint8Array(r.blocks.length);
  const work = successors(r, r.blocks[entry]);
  while (work.length > 0) {
    const j = work.pop()!;
    if (j === entry) return true;
    if (seen[j] === 1) continue;
    seen[j] = 1;
    work.push(...successors(r, r.blocks[j]));
  }
  return false;
}

/**
 * Translate the region entered at the current CS:EIP, whose first instruction is `head`: its entry there,
 * null if there is nothing to translate here, or DEFER (entered at no loop head, and fewer than
 * jitConfig.blockThreshold times: head.hits is set back so that it comes round again then).
 */
export function translate(cpu: CPU, head: Insn): JitBlock | null | typeof DEFER {
  if (cpu.code32 !== true) return null;
  const mode: GenMode = { wideR: cpu.wideR, wideW: cpu.wideW, stack32: cpu.stack32, forms: cpu.inlineForms };
  const start = cpu.ip;
  const env = jitConfig.backend === 'wasm' && cpu.mem.wasmMemory !== null ? hostWasmEnv(cpu) : null;
  const wasm = env !== null;
  const region = buildRegion(cpu, start, (i) => inlineable(i, mode), wasm ? MAX_WASM_REGION_STEPS : MAX_REGION_STEPS);
  if (region === null || region.blocks[region.byEip.get(start)!].steps[0].i !== head) return null;
  const blockThreshold = jitConfig.blockThreshold;
  if (blockThreshold > jitConfig.threshold && !deferred.has(head) && !entryLoops(region)) {
    // Not a loop head: count on to the block threshold (the dispatcher tries again then).
    deferred.add(head);
    head.hits = jitConfig.threshold - (blockThreshold - jitConfig.threshold);
    return DEFER;
  }
  // Every instruction and static branch target must be within the CS limit when the region runs.
  let limit = 0;
  for (const s of region.steps) {
    limit = Math.max(limit, (s.eip >>> 0) + s.i.len - 1);
    const k = s.i.fast;
    if (k === K.Jmp || k === K.CallRel || isJcc(k)) limit = Math.max(limit, ((s.next + s.i.imm) | 0) >>> 0);
  }
  for (const b of region.blocks) if (b.fall !== -1) limit = Math.max(limit, b.fall >>> 0);
  // Each linear page's mapping is checked in the TLB on entry.
  const byLp = new Map<number, { eip: number; pp: number }>();
  const pages = new Set<number>();
  for (const s of region.steps) {
    pages.add(s.pp);
    if (!byLp.has(s.lp)) byLp.set(s.lp, { eip: s.eip, pp: s.pp });
  }
  const steps = region.steps.map((s) => s.i);
  let jr: JitRegion;
  if (env !== null) {
    const { run, code } = compileWasmRegion(env, region, mode, limit, [...byLp.values()], steps);
    jr = new JitRegion(start, [...pages], run, '', region.steps.length);
    jr.warm = 0; // (no type feedback to collect)
    jr.onKill = () => wasmKill(env, code);
    jitStats.wasm++;
  } else {
    const gen = generate(region, mode, limit, [...byLp.values()]);
    let factory: Factory;
    try {
      factory = new Function('cpu', 'I', 'P', 'H', gen.source) as Factory;
    } catch (e) {
      throw new Error(`jit: generated code does not compile: ${(e as Error).message}\n${gen.source}`);
    }
    jr = new JitRegion(start, [...pages], factory(cpu, steps, PARITY, callHandler), gen.source, region.steps.length);
  }
  for (const b of region.blocks) {
    const h = b.steps[0].i;
    const e = new JitBlock(jr, h, b.index, b.eip, b.steps.length);
    jr.entries.push(e);
    // (Where another region has a block start too, the newer one takes over the entry.)
    h.block = e;
  }
  cpu.codeCache.addBlock(jr);
  jitStats.blocks++;
  jitStats.insns += region.steps.length;
  return jr.entries[region.byEip.get(start)!];
}
