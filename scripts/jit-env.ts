// Preload (`node --import ./scripts/jit-env.ts`): applies TRAPEZE_JIT=off|on|eager to the translator's
// process-wide defaults (src/cpu/jit/jit-config.ts) before any machine is built. `npm test` loads it.
import { applyJitSetting } from '../src/cpu/jit/jit-config.ts';

applyJitSetting(process.env.TRAPEZE_JIT);
