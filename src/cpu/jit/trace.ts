// Which instructions a translated block holds: a trace from its start, along the path the code takes
// when conditional branches are not taken, through direct JMP and CALL targets and through the RET of a
// CALL it followed, up to a control transfer it cannot follow, an instruction that changes the mode (or
// needs the interpreter's care), a page it cannot read without side effects, or a length cap. A branch
// back to the start makes the block a loop.
//
// Decoding ahead must not change anything the guest can see: instructions are read only from pages the
// TLB already maps readable at this CPL (no page walk, no accessed bits), inside the CS limit, and each
// is put in the code cache (its page becomes a code page, so writes to it are seen: code-cache.ts).

import type { CPU } from '../cpu.ts';
import { Insn } from '../insn.ts';
import { ByteFetcher, decode } from '../decoder.ts';
import { BRANCH_OPS, fastKind, K } from '../interp.ts';

/** How the trace goes on after a step. */
export const enum Flow {
  /** With the next instruction. */
  Next,
  /** JMP rel / CALL rel followed to `target`. */
  Follow,
  /** RET of a CALL this trace followed: on at `target` (the pushed return address) when it matches. */
  RetFollow,
  /** Jcc: taken leaves the block for `target`; not taken goes on with the next instruction. */
  Side,
  /** Jcc back to the start: taken loops, not taken leaves the block for the next instruction. */
  LoopJcc,
  /** JMP back to the start. */
  Loop,
  /** The block ends after this instruction (at `target` when static, else where the instruction went). */
  Exit,
}

export interface Step {
  i: Insn;
  /** EIP of the instruction and of the next one (int32, as cpu.ip). */
  eip: number;
  next: number;
  flow: Flow;
  /** Static target (Follow, RetFollow, Side, static Exit), or -1 with `dynamic`. */
  target: number;
  /** Exit whose target is known only at run time (RET, indirect JMP/CALL, handler calls). */
  dynamic: boolean;
  /** Linear and physical page of the instruction. */
  lp: number;
  pp: number;
}

export interface Trace {
  start: number;
  steps: Step[];
  /** After the last step when it does not end the block itself: where the block leaves (int32). */
  tail: number;
  loop: boolean;
}

/**
 * Longest trace: one that loops back to its start, and one that does not (both follow direct calls and
 * jumps). Longer code costs V8 more compile time (it grows faster than the code), for code that rarely
 * runs to its end.
 */
export const MAX_LOOP_STEPS = 48;
export const MAX_BLOCK_STEPS = 24;

/**
 * Opcodes after which a block ends although they do not branch: they change segments, control registers,
 * the TLB, interrupt flags or do I/O. Correctness does not rest on this list (translated code leaves after
 * any handler call that sets cpu.attention or branches); it saves the work of starting over.
 */
const ENDS_BLOCK = new Uint8Array(0x200);
for (const op of [0x07, 0x17, 0x1F, 0x8E, 0x9D, 0xC4, 0xC5, 0xE4, 0xE5, 0xE6, 0xE7, 0xEC, 0xED, 0xEE, 0xEF,
  0x6C, 0x6D, 0x6E, 0x6F, 0xF1, 0xFA, 0xFB, 0x100, 0x101, 0x106, 0x108, 0x109, 0x120, 0x121, 0x122, 0x123,
  0x130, 0x1A1, 0x1A9, 0x1B2, 0x1B4, 0x1B5]) ENDS_BLOCK[op] = 1;

/** Instructions whose inline form the code generator writes when its conditions hold (codegen.ts). */
export function endsBlock(i: Insn): boolean {
  return BRANCH_OPS[i.op] === 1 || ENDS_BLOCK[i.op] === 1;
}

interface At { i: Insn; lp: number; pp: number }

/**
 * The cached instruction at CS:eip (decoded and cached now if need be), when that can be done without a
 * side effect; null otherwise (the interpreter will fetch it and raise whatever fault is due).
 */
export function insnAt(cpu: CPU, eip: number): At | null {
  const lin = (cpu.segBase[1] + eip) | 0;
  const e = cpu.tlb[lin >>> 12];
  if ((e & cpu.rmask) === 0) return null;
  const pp = e >>> 12, off = lin & 0xFFF;
  if (!cpu.codeCache.cacheable(pp)) return null;
  let i = cpu.codeCache.slots(pp, cpu.code32)?.[off];
  if (i === undefined) {
    i = new Insn();
    try {
      decode(new ByteFetcher(cpu.ram8, cpu.code32, pp * 4096 + off), i);
    } catch {
      return null; // runs past the end of RAM or the 15-byte limit: the interpreter faults
    }
    if (off + i.len > 0x1000) return null;
    i.fast = cpu.inlineForms ? fastKind(i) : 0;
    if (cpu.codeCache.insert(pp * 4096 + off, i)) cpu.protectCodePage(pp);
  }
  if ((eip >>> 0) + i.len - 1 > cpu.segLimit[1]) return null;
  return { i, lp: lin >>> 12, pp };
}

function isJcc(k: number): boolean {
  return k >= K.Jz && k <= K.Jcc;
}

/**
 * Build the trace starting at `start` (the instruction there is cached). `inline(i)` says whether the code
 * generator writes the instruction inline (else it calls the handler, which may branch anywhere).
 */
export function buildTrace(cpu: CPU, start: number, inline: (i: Insn) => boolean): Trace | null {
  // A loop if there is one; else a shorter trace.
  const t = walk(cpu, start, inline, true, MAX_LOOP_STEPS);
  if (t === null || t.loop) return t;
  return walk(cpu, start, inline, true, MAX_BLOCK_STEPS);
}

function walk(cpu: CPU, start: number, inline: (i: Insn) => boolean, follow: boolean, maxSteps: number): Trace | null {
  const MAX_STEPS = maxSteps;
  const steps: Step[] = [];
  const returns: number[] = [];
  let eip = start;
  let loop = false;
  for (;;) {
    if (steps.length >= MAX_STEPS) break;
    const at = insnAt(cpu, eip);
    if (at === null) break;
    const i = at.i;
    const next = (eip + i.len) | 0;
    const s: Step = { i, eip, next, flow: Flow.Next, target: -1, dynamic: false, lp: at.lp, pp: at.pp };
    steps.push(s);
    if (!inline(i)) {
      if (endsBlock(i)) { s.flow = Flow.Exit; s.dynamic = true; break; }
      eip = next;
      continue;
    }
    const k = i.fast;
    if (k === K.Jmp || k === K.CallRel) {
      const t = (next + i.imm) | 0;
      s.target = t;
      if (k === K.Jmp && t === start) { s.flow = Flow.Loop; loop = true; break; }
      if (follow && steps.length < MAX_STEPS && insnAt(cpu, t) !== null) {
        s.flow = Flow.Follow;
        if (k === K.CallRel) returns.push(next);
        eip = t;
        continue;
      }
      s.flow = Flow.Exit;
      break;
    }
    if (k === K.Ret) {
      if (returns.length > 0) {
        s.flow = Flow.RetFollow;
        s.target = eip = returns.pop()!;
        continue;
      }
      s.flow = Flow.Exit; s.dynamic = true;
      break;
    }
    if (isJcc(k)) {
      const t = (next + i.imm) | 0;
      s.target = t;
      if (t === start) { s.flow = Flow.LoopJcc; loop = true; break; }
      s.flow = Flow.Side;
      eip = next;
      continue;
    }
    if (k === K.JmpE || k === K.CallE) { s.flow = Flow.Exit; s.dynamic = true; break; }
    eip = next;
  }
  if (steps.length === 0) return null;
  return { start, steps, tail: eip, loop };
}
