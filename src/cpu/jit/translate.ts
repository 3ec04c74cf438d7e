// Translate the region entered at CS:EIP into a JavaScript function (region.ts picks the instructions,
// codegen.ts writes the source), compile it once with the Function constructor, and attach an entry to
// the cached instruction at each of its block starts; the code cache kills it when one of its pages is
// written.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { JitBlock, JitRegion, type RegionFn } from './block.ts';
import { buildRegion, insnAt, isJcc, MAX_REGION_STEPS, MAX_WASM_REGION_STEPS, type Block, type Region } from './region.ts';
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
/** Where a region cut at its size limit falls through: translated when next entered (translate()). */
const continuations = new WeakSet<Insn>();

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
 * Instructions that run one after the other from the region's entry before the first branch that may go
 * two ways that have both run (only code that has run is in a region: a conditional branch with one way
 * in it has taken only that way so far), or a run-time branch, or the region's end.
 */
function straightRun(r: Region): number {
  let n = 0;
  const seen = new Set<number>();
  for (let j = r.byEip.get(r.entry); j !== undefined && !seen.has(j);) {
    seen.add(j);
    const b = r.blocks[j];
    n += b.steps.length;
    const s = b.steps[b.steps.length - 1], k = s.i.fast;
    if (k === K.Jmp || k === K.CallRel) j = r.byEip.get((s.next + s.i.imm) | 0);
    else if (isJcc(k)) {
      const taken = r.byEip.get((s.next + s.i.imm) | 0), fall = r.byEip.get(s.next);
      if (taken !== undefined && fall !== undefined) break;
      j = taken ?? fall;
    } else if (b.fall !== -1) j = r.byEip.get(b.fall);
    else break;
  }
  return n;
}

/**
 * Entries after which a region from an entry that is no loop head is translated: jitConfig.blockThreshold
 * for one that runs STRAIGHT_REF instructions or fewer before it may branch away, fewer for a longer
 * straight run (each entry then surely runs that much translated code, while the compile costs about the
 * same per instruction): the kernel's blake2s_compress, ~1,900 instructions of straight-line code, is
 * called ~15,000 times in a boot.
 */
const STRAIGHT_REF = 16;
function deferredThreshold(r: Region): number {
  const run = straightRun(r);
  const t = jitConfig.blockThreshold;
  return run <= STRAIGHT_REF ? t : Math.max(jitConfig.threshold, Math.round(t * STRAIGHT_REF / run));
}

/**
 * Translate the region entered at the current CS:EIP, whose first instruction is `head`: its entry there,
 * null if there is nothing to translate here, or DEFER (entered at no loop head, and fewer than
 * deferredThreshold times: head.hits is set back so that it comes round again then).
 */
export function translate(cpu: CPU, head: Insn): JitBlock | null | typeof DEFER {
  if (cpu.code32 !== true) return null;
  const mode: GenMode = { wideR: cpu.wideR, wideW: cpu.wideW, stack32: cpu.stack32, forms: cpu.inlineForms };
  const start = cpu.ip;
  const env = jitConfig.backend === 'wasm' && cpu.mem.wasmMemory !== null ? hostWasmEnv(cpu) : null;
  const wasm = env !== null;
  const maxSteps = wasm ? MAX_WASM_REGION_STEPS : MAX_REGION_STEPS;
  const region = buildRegion(cpu, start, (i) => inlineable(i, mode), maxSteps);
  if (region === null || region.blocks[region.byEip.get(start)!].steps[0].i !== head) return null;
  const blockThreshold = jitConfig.blockThreshold > jitConfig.threshold ? deferredThreshold(region) : jitConfig.blockThreshold;
  if (blockThreshold > jitConfig.threshold && !deferred.has(head) && !continuations.has(head) && !entryLoops(region)) {
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
    if (s.pp2 >= 0) {
      // An instruction that runs into the next page (region.ts insnAt): that page is guarded on entry too
      // (by the EIP of its first byte), and becomes a code page, so that a write to it kills the region.
      pages.add(s.pp2);
      const lp2 = (s.lp + 1) & 0xFFFFF;
      if (!byLp.has(lp2)) byLp.set(lp2, { eip: (s.eip + 0x1000 - ((cpu.segBase[1] + s.eip) & 0xFFF)) | 0, pp: s.pp2 });
      if (cpu.codeCache.markCode(s.pp2)) cpu.protectCodePage(s.pp2);
    }
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
  if (region.steps.length >= maxSteps) {
    // Cut at the size limit: the code it falls through to runs as often as this region leaves there (a
    // long straight run, or a loop body too long for one region). Translated at its next entry, not after
    // as many entries again (a 1,900-instruction function would need 30 times the entries otherwise).
    for (const b of region.blocks) {
      if (b.fall === -1 || region.byEip.has(b.fall)) continue;
      const at = insnAt(cpu, b.fall, true);
      if (at === null || at.i.block !== null) continue;
      continuations.add(at.i);
      if (at.i.hits < jitConfig.threshold - 1) at.i.hits = jitConfig.threshold - 1;
    }
  }
  cpu.codeCache.addBlock(jr);
  jitStats.blocks++;
  jitStats.insns += region.steps.length;
  return jr.entries[region.byEip.get(start)!];
}
