// What the benchmark hands to one engine run, and what comes back. Each run of trapeze and of v86 happens in
// a fresh process (bench/engines/*-child.ts, or the `trapeze` command for Linux): no JIT state, heap or
// compiled wasm carries over from one run to the next, and the process's peak RSS is that engine's alone.
// A Node child prints its result as one line: RESULT_PREFIX followed by JSON.

export const RESULT_PREFIX = 'BENCH-RESULT ';

/** Window marker bytes written by the loop guests to port 0xE9. */
export const MARK_START = 0x02, MARK_END = 0x03;

/**
 * How the measured window is found in a run:
 * - 'markers': the guest writes 0x02 to port 0xE9 (debug console) before its loop and 0x03 after it; the
 *   instructions in between are fixed by the program, the same on every correct x86.
 * - 'typed': the guest is an interactive shell: when its prompt appears the bench types `command`; the
 *   window runs from that moment to the end of the first line that matches `done`; then it types `after`
 *   (which must make the guest exit through port 0xF4).
 * - 'boot': a Linux boot: from the engine's process start to the end of the line `done` on the console.
 *   The guest is stopped there (it powers off, or the bench ends it).
 */
export type WindowKind = 'markers' | 'typed' | 'boot';

export interface TypedSession {
  /** The guest's prompt: the command is typed when the console output ends with it. */
  prompt: string;
  command: string;
  /** Source of a RegExp matched against each complete console line (CR LF or LF stripped). */
  done: string;
  /** Typed after the done line; the guest must then exit through port 0xF4. */
  after: string;
}

export interface LinuxBoot {
  bzImage: string;
  initrd: string;
  cmdline: string;
  /** The console line that ends the window. */
  marker: string;
}

export interface RunSpec {
  /** The Multiboot image (loop and typed workloads). */
  image?: string;
  /** Its command line. */
  cmdline?: string;
  window: WindowKind;
  typed?: TypedSession;
  linux?: LinuxBoot;
  /** Guest RAM in bytes. */
  memSize: number;
  /** v86 only: run without its JIT (the interpreter alone). */
  disableJit?: boolean;
  /** trapeze only: run with the block translator (true) or the interpreter alone (false). */
  jit?: boolean;
  /** trapeze Linux only: the boot path (the bzImage through its decompressor, or the extracted vmlinux). */
  boot?: 'bzimage' | 'vmlinux';
  /** trapeze only: give up after this many instructions (a guest that never exits). */
  maxInsns?: number;
}

export interface RunResult {
  /** The guest reached the end of its window (and, for Multiboot guests, exited through port 0xF4). */
  ok: boolean;
  /** What went wrong (when !ok). */
  error?: string;
  /** Something wrong that still left the window measured (e.g. no power-off after the Linux marker). */
  problem?: string;
  /** How the guest stopped, in words. */
  stop: string;
  /** The value written to port 0xF4 (QEMU: from its exit status). */
  exitValue?: number;
  /** Everything the guest wrote on COM1. */
  serial: string;
  /** Host seconds from the engine's start to the guest's exit (or, for a boot, to the marker). */
  totalSec: number;
  /** Host seconds of the measured window. */
  windowSec?: number;
  /** Instructions in the window as the engine counted them (trapeze: exact; v86: its counter). */
  windowInsns?: number;
  /** Instructions from the engine's start to the guest's exit, as the engine counted them. */
  totalInsns?: number;
  /** The counts above are exact (trapeze) rather than sampled (v86 updates its counter in batches). */
  insnsExact?: boolean;
  /** What windowInsns covers when it is not exactly the window (e.g. "to power-off"). */
  insnsNote?: string;
  /** Peak resident set of the engine's process, MiB. */
  maxRssMiB?: number;
  /** How maxRssMiB was obtained when it is not the process's own getrusage (e.g. sampled from /proc). */
  rssNote?: string;
  /** Peak V8 heap in use, MiB (sampled between slices). */
  heapPeakMiB?: number;
  /** trapeze, marker windows: the V8 heap in use just after a full GC at the start marker, and at the end marker. */
  heapWindowStartKiB?: number;
  heapWindowEndKiB?: number;
  /** trapeze, marker windows: garbage collections that started inside the window. */
  gcInWindow?: number;
}

/** Seconds between two performance.now() readings. */
export const secs = (t0: number, t1: number): number => (t1 - t0) / 1000;

/**
 * Console lines as they arrive, for 'typed' and 'boot' windows: feed bytes, get each complete line once
 * (without its CR LF). Bytes are taken as Latin-1.
 */
export class LineWatcher {
  private line = '';
  /** The output so far ends with this text (for prompts, which end no line). */
  tail = '';
  constructor(private readonly onLine: (line: string) => void, private readonly tailLength = 16) {}

  push(byte: number): void {
    const ch = String.fromCharCode(byte);
    this.tail = (this.tail + ch).slice(-this.tailLength);
    if (byte === 0x0A) {
      const l = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.onLine(l);
    } else if (this.line.length < 4096) {
      this.line += ch;
    }
  }
}
