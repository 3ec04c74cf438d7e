// What the benchmark hands to one engine run, and what comes back. Each run of trapeze and of v86 happens in
// a fresh Node process (bench/engines/*-child.ts): no JIT state, heap or compiled wasm carries over from one
// run to the next, and the process's peak RSS is that engine's alone. The child prints its result as one
// line: RESULT_PREFIX followed by JSON.

import type { WindowKind } from '../workloads.ts';

export const RESULT_PREFIX = 'BENCH-RESULT ';

/** Window marker bytes written by the loop guests to port 0xE9. */
export const MARK_START = 0x02, MARK_END = 0x03;

export interface RunSpec {
  image: string;
  cmdline: string;
  window: WindowKind;
  /** Guest RAM in bytes. */
  memSize: number;
  /** v86 only: run without its JIT (the interpreter alone). */
  disableJit?: boolean;
  /** trapeze only: give up after this many instructions (a guest that never exits). */
  maxInsns?: number;
}

export interface RunResult {
  /** The guest exited through port 0xF4 and its window was seen. */
  ok: boolean;
  /** What went wrong (when !ok). */
  error?: string;
  /** How the guest stopped, in words. */
  stop: string;
  /** The value written to port 0xF4 (QEMU: from its exit status). */
  exitValue?: number;
  /** Everything the guest wrote on COM1. */
  serial: string;
  /** Host seconds from the engine's start (after its code is loaded) to the guest's exit. */
  totalSec: number;
  /** Host seconds of the measured window. */
  windowSec?: number;
  /** Instructions in the window as the engine counted them (trapeze: exact; v86: its counter). */
  windowInsns?: number;
  /** Instructions from the engine's start to the guest's exit, as the engine counted them. */
  totalInsns?: number;
  /** The counts above are exact (trapeze) rather than sampled (v86 updates its counter in batches). */
  insnsExact?: boolean;
  /** Peak resident set of the process, MiB (Node children: process.resourceUsage().maxRSS). */
  maxRssMiB?: number;
  /** Peak V8 heap in use, MiB (sampled between slices). */
  heapPeakMiB?: number;
}

/** Seconds between two performance.now() readings. */
export const secs = (t0: number, t1: number): number => (t1 - t0) / 1000;
