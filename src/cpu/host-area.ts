// Where the processor keeps the state that translated WebAssembly code reads and writes directly: in the
// host area right after guest RAM in the same buffer (platform/memory.ts HOST_AREA_SIZE). Offsets from
// the end of RAM (mem.size). A CPU whose memory has no WebAssembly memory keeps the same arrays in a
// buffer of its own (same layout) and translates to JavaScript only.

/** The TLB: one Int32 per linear page (cpu.ts tlb). */
export const HOST_TLB = 0;
/** The state block after it. */
export const HOST_STATE = 4 << 20;
/** Bytes of the state block. */
export const STATE_SIZE = 4096;

// Offsets inside the state block.
/** EAX..EDI (cpu.r32 / r16 / r8). */
export const ST_REGS = 0;
/**
 * The flags record while translated code runs: flags, lazyMask, lazyOp, lazyA, lazyB, lazyRes, lazyTop
 * (Int32 each, in that order). The CPU's own fields are the truth outside of it (jit/wasm-runtime.ts
 * copies them in and out).
 */
export const ST_FLAGS = 32;
/** Where a translated region left off (EIP, int32). */
export const ST_XIP = 64;
/** cpu.attention after a slow path called from translated code. */
export const ST_ATT = 68;
/** Segment bases (Int32 x 6) and limits (Uint32 x 6): cpu.segBase, cpu.segLimit. */
export const ST_SEGBASE = 80;
export const ST_SEGLIMIT = 104;
/** The budget of the translated region running (it counts down what is left of it in a local). */
export const ST_BUDGET = 128;
/** PF of each byte value (0 or 4), for translated code. */
export const ST_PARITY = 256;
/**
 * The mode word while translated code runs: bit 0 SS.B (cpu.stack32), bits 1-6 cpu.wideR, bits 7-12
 * cpu.wideW, MODE_IDENTITY (written by the runtime on each entry from JavaScript; regions check it on
 * entry).
 */
export const ST_MODE = 72;
/** Mode word bit: paging off and A20 on, so that a linear address is the physical one. */
export const MODE_IDENTITY = 1 << 13;
/** The link cell a region left through with no region linked there yet (0: none). */
export const ST_LASTLINK = 76;

/**
 * Link cells (jit/wasm-runtime.ts): one pair of Int32 per exit of a translated region to a static target
 * outside it: the target EIP, and the region and block that continue there (0: none yet, go back to the
 * dispatcher).
 */
export const HOST_LINKS = HOST_STATE + STATE_SIZE;
export const LINK_CELLS = 32768;
/** Bytes of the whole host area. */
export const HOST_AREA_BYTES = HOST_LINKS + LINK_CELLS * 8;
