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
 * on the Linux boots (vmlinux and bzImage paths, alternating runs): loop heads after 1,000 entries and
 * other entries after 20,000, with regions of at most 64 instructions (region.ts; 128 since regions keep
 * fewer values in locals, and still 20,000: 8,000 was slower). What limits translating
 * more is V8's optimizing compiler, which recompiles every region that runs hot in the background (most
 * of its time is register allocation, which grows faster than the function): on a 2-core machine it
 * competes with the emulation. Regions of 128 instructions needed 100,000 entries (the kernel's
 * optimizing compiles took 7.4 s of CPU); 5,000 and 10,000 still compile too much lukewarm kernel code.
 * (Measured again with the command's tiering budget, cli/host-tuning.ts, and regions of 128: a block
 * threshold of 5,000 was still slower, 1.12x the kernel boot's time in 6 alternating pairs.)
 * JavaScript regions (the fallback; V8's optimizing compile takes 10-40 ms each) were measured at
 * 40 / 20,000 and 5,000 / never, both slower than 1,000 / 100,000 then.
 */
export const DEFAULT_THRESHOLD = 1000;
export const DEFAULT_BLOCK_THRESHOLD = 20_000;

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
