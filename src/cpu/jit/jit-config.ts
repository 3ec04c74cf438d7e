// Process-wide defaults of the block translator. A new CPU copies `enabled` into cpu.jit and reads the
// threshold when it translates. The test suite and the CLI may change them before building machines:
// scripts/jit-env.ts (a `node --import` preload) sets them from TRAPEZE_JIT=off|on|eager, so that the
// whole suite runs with translation off, or with every block translated on its first entry (so that the
// golden vectors really go through translated code).

export interface JitConfig {
  /** New CPUs translate hot code (cpu.jit). */
  enabled: boolean;
  /** Entries of a loop head before the region from it is translated (1: on its first entry). */
  threshold: number;
  /**
   * Entries before a region is translated from an entry that is no loop head. Calling a generated
   * function costs V8 far more than a few interpreted instructions until it is optimized, and each needs
   * its own compile; code that runs a few instructions per entry pays only when entered very often.
   */
  blockThreshold: number;
  /**
   * What regions are compiled to: WebAssembly (wasm-codegen.ts; where the CPU's memory is a WebAssembly
   * memory) or JavaScript source (codegen.ts).
   */
  backend: 'wasm' | 'js';
}

/**
 * Entries before translation: a region run only a few times costs more to compile than it saves. Measured
 * on the Linux boots (vmlinux and bzImage paths), for both backends: loop heads after 1,000 entries and
 * other entries after 100,000. JavaScript regions (V8's optimizing compile takes 10-40 ms each): 40 /
 * 20,000 and 5,000 / never were slower. WebAssembly regions (~1 ms to compile, then optimized in the
 * background when hot): 1,000 / 10,000, 300 / 3,000 and 100 / 1,000 each compiled more kernel code and
 * booted the bzImage path slower (about 28 s against 23 s, alternating runs): on a 2-core machine the
 * background compiles of lukewarm kernel code compete with the emulation; so did translating the code
 * after a region cut at its size limit right away.
 */
export const DEFAULT_THRESHOLD = 1000;
export const DEFAULT_BLOCK_THRESHOLD = 100_000;

export const jitConfig: JitConfig = { enabled: true, threshold: DEFAULT_THRESHOLD, blockThreshold: DEFAULT_BLOCK_THRESHOLD, backend: 'wasm' };

/** Apply a TRAPEZE_JIT value: "off", "on" (the default threshold) or "eager" (threshold 1). */
export function applyJitSetting(value: string | undefined): void {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') {
    jitConfig.enabled = true; jitConfig.threshold = DEFAULT_THRESHOLD; jitConfig.blockThreshold = DEFAULT_BLOCK_THRESHOLD;
  } else if (v === 'off' || v === '0') {
    jitConfig.enabled = false;
  } else if (v === 'eager') {
    jitConfig.enabled = true; jitConfig.threshold = 1; jitConfig.blockThreshold = 1;
  }
  else throw new Error(`TRAPEZE_JIT: unknown value "${value}" (off, on or eager)`);
}
