// Preload (`node --import ./scripts/jit-env.ts`): applies TRAPEZE_JIT=off|on|eager to the translator's
// process-wide defaults (src/cpu/jit/jit-config.ts) before any machine is built. `npm test` loads it.
import { applyJitSetting, jitConfig } from '../src/cpu/jit/jit-config.ts';

applyJitSetting(process.env.TRAPEZE_JIT);
// TRAPEZE_JIT_BACKEND=js|wasm: what translated regions are compiled to (default wasm).
const backend = process.env.TRAPEZE_JIT_BACKEND;
if (backend === 'js' || backend === 'wasm') jitConfig.backend = backend;
else if (backend !== undefined && backend !== '') throw new Error(`TRAPEZE_JIT_BACKEND: unknown value "${backend}" (js or wasm)`);
