// The benchmark's workloads: which guest, how it is started, how the measured window is marked, and how
// many instructions it holds. The Multiboot images are built from guests/ (guests/build.sh), report over
// COM1 and leave through isa-debug-exit (port 0xF4), so the same file runs on trapeze, v86 and QEMU; the
// Linux workload boots Debian's bzImage with one initramfs, the same file on every engine.

import { join } from 'node:path';
import type { TypedSession, WindowKind } from './engines/protocol.ts';

export const REPO_ROOT = join(import.meta.dirname, '..');

export const WORKLOAD_NAMES = ['tight', 'mixed', 'memory', 'sieve', 'linux'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  name: WorkloadName;
  title: string;
  window: WindowKind;
  /** The Multiboot image, relative to the repository's root (not for Linux). */
  image?: string;
  /** Loop workloads ('markers'): instructions per iteration, default and --quick instruction counts. */
  insnsPerIter?: number;
  defaultInsns?: number;
  quickInsns?: number;
  /** 'typed': the sieve's N, by default and with --quick. */
  sieveN?: number;
  quickSieveN?: number;
  /** The line the guest prints when its work is done; the first group is a checksum (the same on every engine). */
  done?: RegExp;
  /** What the guest writes to port 0xF4 when all went well ((value << 1) | 1 = the status QEMU exits with). */
  exitValue?: number;
  /** Left out of --quick runs unless named with --only. */
  slow?: boolean;
  note?: string;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'tight',
    title: 'tight loop (add/xor/add/dec/jnz)',
    window: 'markers',
    image: 'guests/images/bench/tight.elf',
    insnsPerIter: 5,
    defaultInsns: 200_000_000,
    quickInsns: 20_000_000,
    done: /^bench tight: done ([0-9a-f]{8})\r?$/m,
    exitValue: 0,
  },
  {
    name: 'mixed',
    title: 'mixed loop (load, store, rol, call/ret, a branch; 11 instructions an iteration)',
    window: 'markers',
    image: 'guests/images/bench/mixed.elf',
    insnsPerIter: 11,
    defaultInsns: 220_000_000,
    quickInsns: 22_000_000,
    done: /^bench mixed: done ([0-9a-f]{8})\r?$/m,
    exitValue: 0,
  },
  {
    name: 'memory',
    title: 'memory: memset + memcpy of 4 MiB and a page-stride walk over 8 MiB, 4 KiB paging, CR3 reload each pass',
    window: 'markers',
    image: 'guests/images/bench/memory.elf',
    insnsPerIter: 5_079_053,
    defaultInsns: 200_000_000,
    quickInsns: 20_000_000,
    done: /^bench memory: done ([0-9a-f]{8})\r?$/m,
    exitValue: 0,
  },
  {
    name: 'sieve',
    title: 'demo OS: `sieve N` typed at its shell (a ring-3 process under the 100 Hz timer, its table from sbrk)',
    window: 'typed',
    image: 'guests/images/demo-os.elf',
    sieveN: 16_000_000,
    quickSieveN: 2_000_000,
    done: /^sieve: (\d+ primes up to \d+ \(largest \d+\))\r?$/m,
    exitValue: 0,
    note:
      'window: from typing the command to the end of its result line. Instruction counts differ slightly by ' +
      'engine: timer interrupts come every 10 ms of virtual time on trapeze (which counts one instruction ' +
      'as 1 ns) and of real time on the peers',
  },
  {
    name: 'linux',
    title: 'Linux boot to the initramfs marker (Debian 686 bzImage, busybox initramfs, 128 MiB)',
    window: 'boot',
    slow: true,
    note:
      'time from the engine process\'s start to the end of the marker line (trapeze: the `trapeze` command, ' +
      'Node start-up included; v86: SeaBIOS included). Instructions: trapeze counts exactly to the ' +
      'power-off just after the marker; v86 to the marker (from power-on, SeaBIOS included); QEMU counts none',
  },
];

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}

/** The guests take a 32-bit iteration count (and accept up to 4,294,967,289: guests/bench/bench.c). */
export const MAX_ITERS = 4_000_000_000;

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

/** What one run of a workload is given. */
export interface WorkloadInstance {
  workload: Workload;
  /** Multiboot workloads: the image and its command line. */
  imagePath?: string;
  cmdline?: string;
  /** Loop workloads: the iterations and the exact instruction count of the window. */
  iterations?: number;
  expectedWindowInsns?: number;
  typed?: TypedSession;
  /** In words: what the window is. */
  window: string;
}

export interface SizeOptions {
  quick: boolean;
  /** Loop workloads: instructions in the window (overrides the defaults). */
  insns?: number;
}

export function instantiate(w: Workload, size: SizeOptions): WorkloadInstance {
  const imagePath = w.image ? join(REPO_ROOT, w.image) : undefined;
  switch (w.window) {
    case 'markers': {
      const iterations = iterationsFor(w, size.insns ?? (size.quick ? w.quickInsns! : w.defaultInsns!));
      const expected = windowInsns(w, iterations);
      return {
        workload: w, imagePath, cmdline: `iters=${iterations}`, iterations, expectedWindowInsns: expected,
        window: `${iterations.toLocaleString('en-US')} iterations × ${w.insnsPerIter!.toLocaleString('en-US')} + 2 = ${expected.toLocaleString('en-US')} instructions between the guest's markers on port 0xE9`,
      };
    }
    case 'typed': {
      const n = size.quick ? w.quickSieveN! : w.sieveN!;
      return {
        workload: w, imagePath, cmdline: '',
        typed: { prompt: '$ ', command: `sieve ${n}\r`, done: '^sieve: \\d+ primes up to', after: 'poweroff\r' },
        window: `typing "sieve ${n}" at the first prompt, to the end of the sieve's result line`,
      };
    }
    case 'boot':
      return { workload: w, window: 'from process start to the end of the marker line' };
  }
}
