// The benchmark's workloads: which guest image, which command line, how the measured window is marked, and
// how many instructions it holds. Every image is a Multiboot kernel built from guests/ (guests/build.sh),
// reports over COM1 and leaves through isa-debug-exit (port 0xF4), so the same file runs on trapeze, v86
// and QEMU.

import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..');

export type WorkloadName = 'tight' | 'mixed' | 'demo';

/**
 * How the measured window is found in a run:
 * - 'markers': the guest writes 0x02 to port 0xE9 (debug console) before its loop and 0x03 after it; the
 *   instructions in between are fixed by the program (insnsPerIter * iterations + 2), the same on every
 *   correct x86, so every engine is credited with the same exact count.
 * - 'serial': from the guest's first byte on COM1 (the kernel is running: BIOS and loader time are behind
 *   it) to its exit through port 0xF4.
 */
export type WindowKind = 'markers' | 'serial';

export interface Workload {
  name: WorkloadName;
  title: string;
  /** The image, relative to the repository's root. */
  image: string;
  window: WindowKind;
  /** Loop workloads: instructions per iteration, and the default instruction count of the window. */
  insnsPerIter?: number;
  defaultInsns?: number;
  /** The line the guest prints when it has finished its work; the first group, if any, is a checksum. */
  done: RegExp;
  /** What the guest writes to port 0xF4 when all went well ((value << 1) | 1 = the status QEMU exits with). */
  exitValue: number;
  /** Peers keep real time (timers, the UART line), trapeze skips idle virtual time: say so under the table. */
  note?: string;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'tight',
    title: 'tight loop (add/xor/add/dec/jnz)',
    image: 'guests/images/bench/tight.elf',
    window: 'markers',
    insnsPerIter: 5,
    defaultInsns: 200_000_000,
    done: /^bench tight: done ([0-9a-f]{8})\r?$/m,
    exitValue: 0,
  },
  {
    name: 'mixed',
    title: 'mixed loop (load, store, rol, call/ret; 11 instructions an iteration)',
    image: 'guests/images/bench/mixed.elf',
    window: 'markers',
    insnsPerIter: 11,
    defaultInsns: 220_000_000,
    done: /^bench mixed: done ([0-9a-f]{8})\r?$/m,
    exitValue: 0,
  },
  {
    name: 'demo',
    title: 'demo OS autorun (guests/images/demo-os.elf --append autorun)',
    image: 'guests/images/demo-os.elf',
    window: 'serial',
    done: /^\[kernel\] power off requested by pid \d+ \(shell\), status 0\r?$/m,
    exitValue: 0,
    note:
      'the demo OS waits for timer ticks and for its UART: trapeze skips idle virtual time, v86 and QEMU ' +
      'wait in real time, so this compares what a user waits, not CPU speed; instruction counts differ by engine',
  },
];

/** Instruction count of the loop workloads' window under --quick. */
export const QUICK_INSNS = 20_000_000;
/** The guests take a 32-bit iteration count (and accept up to 4,294,967,289: guests/bench/bench.c). */
export const MAX_ITERS = 4_000_000_000;

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}

/** Iterations that give (about) `insns` instructions in a loop workload's window. */
export function iterationsFor(w: Workload, insns: number): number {
  if (!w.insnsPerIter) throw new Error(`${w.name} is not a loop workload`);
  const n = Math.round(insns / w.insnsPerIter);
  return Math.min(MAX_ITERS, Math.max(1, n));
}

/** The exact instruction count of a loop workload's window (see guests/bench/tight.asm). */
export function windowInsns(w: Workload, iterations: number): number {
  if (!w.insnsPerIter) throw new Error(`${w.name} is not a loop workload`);
  return w.insnsPerIter * iterations + 2;
}

/** What one run of a workload is given: the image, the command line, and (loop workloads) the iterations. */
export interface WorkloadInstance {
  workload: Workload;
  imagePath: string;
  cmdline: string;
  iterations?: number;
  /** Loop workloads: the exact instruction count of the window. */
  expectedWindowInsns?: number;
}

export function instantiate(w: Workload, insns?: number): WorkloadInstance {
  const imagePath = join(REPO_ROOT, w.image);
  if (w.insnsPerIter) {
    const iterations = iterationsFor(w, insns ?? w.defaultInsns!);
    return { workload: w, imagePath, cmdline: `iters=${iterations}`, iterations, expectedWindowInsns: windowInsns(w, iterations) };
  }
  return { workload: w, imagePath, cmdline: 'autorun' };
}
