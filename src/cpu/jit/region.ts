// Which instructions a translated region holds. A region is the code reachable from one hot entry point
// along static control flow (both ways of a conditional branch, direct JMP and CALL targets, the return
// point after a CALL), cut into basic blocks; the code generator writes it as one JavaScript function
// whose loop dispatches between the blocks, so loops and branchy code (the kernel's XZ decompressor, a
// kernel function with its inner loops) run without returning to the dispatcher, with the guest registers
// in JavaScript locals throughout.
//
// Only code that has run already goes in: a branch target joins the region when its instruction is in the
// code cache (the interpreter, or an earlier translation, decoded it), so error paths that never ran cost
// no compile time; a branch to anything else leaves the region there. A region also stops growing at a
// size cap (V8's compile time grows faster than the code) and at instructions that change the mode.
//
// Decoding ahead must not change anything the guest can see: instructions are read only from pages the
// TLB already maps readable at this CPL (no page walk, no accessed bits), inside the CS limit, and each
// is put in the code cache (its page becomes a code page, so writes to it are seen: code-cache.ts).

import type { CPU } from '../cpu.ts';
import { Insn } from '../insn.ts';
import { ByteFetcher, decode } from '../decoder.ts';
import { BRANCH_OPS, fastKind, K } from '../interp.ts';

export interface Step {
  i: Insn;
  /** EIP of the instruction and of the next one (int32, as cpu.ip). */
  eip: number;
  next: number;
  /** Linear and physical page of the instruction. */
  lp: number;
  pp: number;
  /** The physical page its last bytes are on when it straddles two pages (linear page lp + 1), else -1. */
  pp2: number;
}

export interface Block {
  /** Index in Region.blocks (the dispatch loop's case label). */
  index: number;
  eip: number;
  steps: Step[];
  /**
   * Where execution goes after the last step when that step does not transfer control itself (the block
   * was cut before a leader, or the region ends there): an EIP, or -1 when the last step always leaves.
   */
  fall: number;
}

export interface Region {
  entry: number;
  /** Blocks in address order (a block's fall-through successor usually follows it). */
  blocks: Block[];
  /** Block index by EIP (int32) of its first instruction. */
  byEip: Map<number, number>;
  /** Every step, in block order (its index in this list is the step's number in the generated code). */
  steps: Step[];
}

/** Most instructions in one region. */
export const MAX_REGION_STEPS = 48;
/**
 * Most instructions in a region compiled to WebAssembly. Its baseline compile costs far less than V8's
 * JavaScript compile, but hot regions are recompiled by the optimizing compiler, whose register
 * allocation grows faster than the function. While V8 recompiled nearly every region (its tiering budget
 * runs out after a few dozen runs of a region's dispatch loop), 64 and then 128 were the best sizes; with
 * the budget the `trapeze` command sets (cli/host-tuning.ts) only hot regions are recompiled, and a region
 * that holds a whole hot loop pays: 1,024 (interleaved runs in one process against 128: the XZ
 * decompressor 0.49x the time, its LZMA loop now in one region instead of passing through several; the
 * kernel 0.93x; 256 and 512 in between, 2,048 no better). MAX_REGION_PAGES still bounds it.
 */
export const MAX_WASM_REGION_STEPS = 1024;
/** Most distinct linear code pages in one region (each is checked in the TLB on entry). */
export const MAX_REGION_PAGES = 6;

/**
 * Opcodes after which a region ends although they do not branch: they change segments, control registers,
 * the TLB or interrupt flags. Correctness does not rest on this list (generated code leaves after any
 * handler call that sets cpu.attention or branches); it saves the work of starting over. IN and OUT stay
 * inside (a device that raises an interrupt sets cpu.attention, and the region leaves): the kernel's PIT
 * calibration polls port 61h in a loop, and a loop cut at every IN would never run translated.
 */
const ENDS_BLOCK = new Uint8Array(0x200);
for (const op of [0x07, 0x17, 0x1F, 0x8E, 0x9D, 0xC4, 0xC5,
  0x6C, 0x6D, 0x6E, 0x6F, 0xF1, 0xFA, 0xFB, 0x100, 0x101, 0x106, 0x108, 0x109, 0x120, 0x121, 0x122, 0x123,
  0x130, 0x1A1, 0x1A9, 0x1B2, 0x1B4, 0x1B5]) ENDS_BLOCK[op] = 1;

/** Does the region end after this instruction when the code generator calls its handler? */
export function endsBlock(i: Insn): boolean {
  return BRANCH_OPS[i.op] === 1 || ENDS_BLOCK[i.op] === 1;
}

interface At { i: Insn; lp: number; pp: number; pp2: number }

/**
 * The cached instruction at CS:eip (decoded and cached now if need be, unless `cachedOnly`), when that can
 * be done without a side effect; null otherwise (the interpreter will fetch it and raise whatever fault is
 * due). With `straddling`, also an instruction that runs into the next page when the TLB maps that page
 * readable too: decoded from both pages into an Insn of its own (the code cache holds only instructions
 * within one page), for a region that then guards and watches both pages (translate.ts).
 */
export function insnAt(cpu: CPU, eip: number, cachedOnly = false, straddling = false): At | null {
  const lin = (cpu.segBase[1] + eip) | 0;
  const e = cpu.tlb[lin >>> 12];
  if ((e & cpu.rmask) === 0) return null;
  const pp = e >>> 12, off = lin & 0xFFF;
  if (!cpu.codeCache.cacheable(pp)) return null;
  let i = cpu.codeCache.slots(pp, cpu.code32)?.[off];
  let pp2 = -1;
  if (i === undefined) {
    if (cachedOnly) return null;
    // Near the page's end, the bytes from this page and (when a straddling one may be taken) the next.
    let fetcher = new ByteFetcher(cpu.ram8, cpu.code32, pp * 4096 + off);
    const first = 0x1000 - off;
    if (first < 15) {
      const bytes = new Uint8Array(15);
      bytes.set(cpu.ram8.subarray(pp * 4096 + off, pp * 4096 + 0x1000));
      const e2 = cpu.tlb[((lin >>> 12) + 1) & 0xFFFFF];
      if (straddling && (e2 & cpu.rmask) !== 0 && cpu.codeCache.cacheable(e2 >>> 12)) {
        pp2 = e2 >>> 12;
        bytes.set(cpu.ram8.subarray(pp2 * 4096, pp2 * 4096 + 15 - first), first);
      }
      fetcher = new ByteFetcher(bytes.subarray(0, pp2 < 0 ? first : 15), cpu.code32);
    }
    i = new Insn();
    try {
      decode(fetcher, i);
    } catch {
      // Runs past this page (a straddling one not taken), the end of RAM or 15 bytes: the interpreter
      // fetches it (and raises whatever fault is due).
      return null;
    }
    i.fast = cpu.inlineForms ? fastKind(i) : 0;
    if (off + i.len <= 0x1000) {
      pp2 = -1;
      if (cpu.codeCache.insert(pp * 4096 + off, i)) cpu.protectCodePage(pp);
    }
  }
  if ((eip >>> 0) + i.len - 1 > cpu.segLimit[1]) return null;
  return { i, lp: lin >>> 12, pp, pp2 };
}

export function isJcc(k: number): boolean {
  return k >= K.Jz && k <= K.Jcc;
}

/**
 * Build the region entered at `entry` (the instruction there is cached). `inline(i)` says whether the
 * code generator writes the instruction inline (else it calls the handler, which may branch anywhere).
 */
export function buildRegion(cpu: CPU, entry: number, inline: (i: Insn) => boolean, maxSteps = MAX_REGION_STEPS): Region | null {
  const steps = new Map<number, Step>();
  /** EIPs where a block must start (branch targets, fall-throughs of branches, return points). */
  const leaders = new Set<number>([entry]);
  /** EIPs after which nothing follows inside the region (the instruction there always transfers control). */
  const terminal = new Set<number>();
  const pages = new Set<number>();
  const work = [entry];
  let count = 0;
  const lead = (t: number): void => {
    leaders.add(t);
    if (steps.has(t)) return;
    const at = insnAt(cpu, t, true);
    // (hits is negative for an entry whose own translation was deferred: it has run all the same.)
    if (at !== null && (at.i.hits !== 0 || at.i.block !== null)) work.push(t);
  };
  while (work.length > 0 && count < maxSteps) {
    let eip = work.pop()!;
    for (;;) {
      if (steps.has(eip) || count >= maxSteps) break;
      // (A region is entered only at a cached instruction: a straddling one is never an entry.)
      const at = insnAt(cpu, eip, false, eip !== entry);
      if (at === null) break;
      const lp2 = at.pp2 < 0 ? at.lp : (at.lp + 1) & 0xFFFFF;
      const fresh = (pages.has(at.lp) ? 0 : 1) + (lp2 !== at.lp && !pages.has(lp2) ? 1 : 0);
      if (pages.size + fresh > MAX_REGION_PAGES) break;
      pages.add(at.lp);
      pages.add(lp2);
      const i = at.i;
      const next = (eip + i.len) | 0;
      steps.set(eip, { i, eip, next, lp: at.lp, pp: at.pp, pp2: at.pp2 });
      count++;
      if (!inline(i)) {
        if (endsBlock(i)) { terminal.add(eip); break; }
        eip = next;
        continue;
      }
      const k = i.fast;
      if (k === K.Jmp) { terminal.add(eip); lead((next + i.imm) | 0); break; }
      if (k === K.CallRel) { terminal.add(eip); lead(next); lead((next + i.imm) | 0); break; }
      if (isJcc(k)) { terminal.add(eip); lead(next); lead((next + i.imm) | 0); break; }
      if (k === K.Ret || k === K.JmpE) { terminal.add(eip); break; }
      if (k === K.CallE) { terminal.add(eip); lead(next); break; }
      eip = next;
    }
  }
  if (!steps.has(entry)) return null;
  // Cut the decoded instructions into blocks at the leaders.
  const region: Region = { entry, blocks: [], byEip: new Map(), steps: [] };
  const starts = [...leaders].filter((e) => steps.has(e)).sort((a, b) => (a >>> 0) - (b >>> 0));
  for (const start of starts) {
    const b: Block = { index: region.blocks.length, eip: start, steps: [], fall: -1 };
    let eip = start;
    for (;;) {
      const s = steps.get(eip)!;
      b.steps.push(s);
      if (terminal.has(eip)) break;
      eip = s.next;
      if (leaders.has(eip) || !steps.has(eip)) { b.fall = eip; break; }
    }
    region.byEip.set(start, b.index);
    region.blocks.push(b);
    region.steps.push(...b.steps);
  }
  return region;
}
