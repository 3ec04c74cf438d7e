// Running a region compiled to WebAssembly (wasm-codegen.ts): the functions it imports (memory accesses
// through a segment that does not admit every offset, an instruction's handler), one set per CPU, and
// the JavaScript wrapper that checks the mode the region was written for, moves the flags record between
// the CPU's fields and the state block, and calls it. Registers, segment bases and the TLB are in the
// state block all the time (cpu.ts views of the host area), so nothing else moves.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { HOST_LINKS, HOST_STATE, LINK_CELLS, MODE_IDENTITY, ST_ATT, ST_FLAGS, ST_LASTLINK, ST_MODE, ST_XIP } from '../host-area.ts';
import type { JitRegion, RegionFn } from './block.ts';
import { generateWasm, IMPORTS, RUN_TYPE } from './wasm-codegen.ts';
import { buildModule, Code, get } from './wasm-module.ts';
import type { GenMode } from './codegen.ts';
import type { Region } from './region.ts';

/** cpu.ts ATTN_IRQ, regs.ts IF, CR0.PG (not imported as values: cpu.ts imports the translator). */
const ATTN_IRQ = 1, IF = 0x200, CR0_PG = 0x80000000 | 0;
/** Paging off and A20 on: a linear address is the physical one (host-area.ts MODE_IDENTITY). */
function identityMode(cpu: CPU): boolean { return (cpu.cr0 & CR0_PG) === 0 && cpu.a20Mask === -1; }
/** Int32 slots of the state block the runtime uses. */
const FL = ST_FLAGS >> 2, XIP = ST_XIP >> 2, ATT = ST_ATT >> 2, MODE = ST_MODE >> 2, LASTLINK = ST_LASTLINK >> 2;
/** Most blocks in a region a link can name (the low byte of a link cell). */
const MAX_LINK_BLOCKS = 256;

/** Per CPU: the imports every region module of it links to, and what they need of the current call. */
export class WasmEnv {
  /** The state block as Int32s. */
  readonly sv: Int32Array;
  /** Handlers' instructions of each region, by its slot in the function table. */
  readonly insns: (Insn[] | null)[] = [null];
  /** cpu.icount when the current call from JavaScript began. */
  ic0 = 0;
  /**
   * The CPU's function table: every region's function at its slot (slot 0 unused: a link cell of 0 means
   * no link), so that one region goes on in another through a tail call (return_call_indirect).
   */
  readonly table: WebAssembly.Table;
  /** Slots freed by dead regions. */
  private readonly freeSlots: number[] = [];
  /** Link cells handed out from the top so far, and ranges given back by dead regions. */
  cellsUsed = 0;
  private readonly freeCells: { first: number; count: number }[] = [];
  /** All of memory as Int32 (link cells). */
  readonly m32: Int32Array;
  /** Run the region in a slot from block bi (the hub's export). */
  readonly enter: (slot: number, budget: number, bi: number, rm: number, wm: number) => number;
  /** The call-outs a region calls (wasm-codegen.ts Imp), the hub's functions. */
  readonly callouts: WebAssembly.Table;
  readonly imports: WebAssembly.Imports;
  readonly memoryPages: number;

  constructor(readonly cpu: CPU) {
    const mem = cpu.mem.wasmMemory!;
    this.memoryPages = mem.buffer.byteLength / 65536;
    this.sv = new Int32Array(mem.buffer, cpu.mem.size + HOST_STATE, 32);
    this.m32 = new Int32Array(mem.buffer);
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 64 });
    const sv = this.sv;
    const at = (eip: number, cnt: number): void => {
      this.flagsOut();
      cpu.ip = eip;
      cpu.icount = this.ic0 + cnt;
    };
    /**
     * 1 when the region must leave after the instruction that just called out: cpu.attention asks for
     * what afterInstruction does at this boundary, the test interp.ts makes before calling it. An interrupt
     * waiting while IF = 0 (the kernel's PIT calibration polls port 61h and RDTSC with one pending for
     * millions of iterations) leaves nothing to do.
     */
    const leave = (): number => {
      const a = cpu.attention;
      return a !== 0 && (a !== ATTN_IRQ || cpu.intr === false || (cpu.flags & IF) !== 0 || cpu.shadowedBoundary) ? 1 : 0;
    };
    const fns: Record<string, (...a: number[]) => number | void> = {
      rd: (size, seg, off, eip, cnt) => {
        at(eip, cnt);
        const v = size === 4 ? cpu.read32(seg, off) : size === 2 ? cpu.read16(seg, off) : cpu.read8(seg, off);
        sv[ATT] = leave();
        return v;
      },
      wr: (size, seg, off, v, eip, cnt) => {
        at(eip, cnt);
        if (size === 4) cpu.write32(seg, off, v); else if (size === 2) cpu.write16(seg, off, v); else cpu.write8(seg, off, v);
        sv[ATT] = leave();
      },
      rmw: (size, seg, off, eip, cnt) => {
        at(eip, cnt);
        return size === 4 ? cpu.rmw32(seg, off) : cpu.rmw8(seg, off);
      },
      commit: (size, v) => {
        if (size === 4) cpu.commit32(v); else cpu.commit8(v);
        sv[ATT] = leave();
      },
      h: (slot, step, eip, nip, cnt) => {
        at(eip, cnt);
        cpu.nip = nip;
        const i = this.insns[slot]![step];
        i.exec(cpu, i);
        this.flagsIn();
        const q = cpu.nip;
        sv[XIP] = q;
        return q !== nip || leave() !== 0 || cpu.halted ? 1 : 0;
      },
    };
    // The hub: jump (a region going on in another) and enter (every call from JavaScript: one call site
    // for V8's JS-to-WebAssembly wrapper), each a tail call through the table; and one function per
    // JavaScript call-out that calls it (the call-out table holds these: a region module imports no
    // function, see wasm-codegen.ts Imp).
    const js = IMPORTS.filter((m) => m.name !== 'jump');
    const jump = new Code();
    jump.tailCallIndirect(get(6), get(0), get(1), get(2), get(3), get(4), get(5));
    const enter = new Code();
    enter.tailCallIndirect(get(0), get(1), get(2), get(3), get(4), [0x41, 0], [0x41, 0]);
    const relays = js.map((m, i) => {
      const c = new Code();
      c.call(i, ...Array.from({ length: m.params }, (_, p) => get(p)));
      return { type: { params: m.params, result: m.result }, locals: 0, code: [c.b.bytes()], export: m.name };
    });
    const hub = new WebAssembly.Instance(new WebAssembly.Module(buildModule({
      type0: RUN_TYPE, table: 1, imports: js.map((m) => ({ name: m.name, type: { params: m.params, result: m.result } })),
      memoryPages: this.memoryPages,
      functions: [
        { type: { params: 7, result: true }, locals: 0, code: [jump.b.bytes()], export: 'jump' },
        { type: { params: 5, result: true }, locals: 0, code: [enter.b.bytes()], export: 'enter' },
        ...relays,
      ],
    })), { j: { m: mem, t: this.table, ...Object.fromEntries(js.map((m) => [m.name, fns[m.name]])) } });
    this.enter = hub.exports.enter as (slot: number, budget: number, bi: number, rm: number, wm: number) => number;
    this.callouts = new WebAssembly.Table({ element: 'anyfunc', initial: IMPORTS.length });
    IMPORTS.forEach((m, i) => this.callouts.set(i, hub.exports[m.name] as never));
    this.imports = { j: { m: mem, c: this.callouts } };
  }

  /** The CPU's flags record into the state block. */
  flagsIn(): void {
    const sv = this.sv, cpu = this.cpu;
    sv[FL] = cpu.flags; sv[FL + 1] = cpu.lazyMask; sv[FL + 2] = cpu.lazyOp; sv[FL + 3] = cpu.lazyA;
    sv[FL + 4] = cpu.lazyB; sv[FL + 5] = cpu.lazyRes; sv[FL + 6] = cpu.lazyTop;
  }
  /** The state block's flags record into the CPU. */
  flagsOut(): void {
    const sv = this.sv, cpu = this.cpu;
    cpu.flags = sv[FL]; cpu.lazyMask = sv[FL + 1]; cpu.lazyOp = sv[FL + 2]; cpu.lazyA = sv[FL + 3];
    cpu.lazyB = sv[FL + 4]; cpu.lazyRes = sv[FL + 5]; cpu.lazyTop = sv[FL + 6];
  }

  /** A free slot of the table. */
  allocSlot(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    const n = this.insns.length;
    if (n >= this.table.length) this.table.grow(this.table.length);
    this.insns.push(null);
    return n;
  }
  /**
   * n consecutive link cells (their index), or -1. A cell given back may still be named by a pending
   * LASTLINK or a live region's incoming set: harmless, since a link is made only where the cell's
   * target is the block entered, and cleared only where it names the region that dies.
   */
  allocCells(n: number): number {
    const f = this.freeCells;
    for (let x = 0; x < f.length; x++) {
      if (f[x].count < n) continue;
      const first = f[x].first;
      f[x].first += n; f[x].count -= n;
      if (f[x].count === 0) f.splice(x, 1);
      return first;
    }
    if (this.cellsUsed + n > LINK_CELLS) return -1;
    this.cellsUsed += n;
    return this.cellsUsed - n;
  }
  freeCellRange(first: number, count: number): void {
    if (count > 0) this.freeCells.push({ first, count });
  }
  freeSlot(s: number): void {
    this.table.set(s, null);
    this.insns[s] = null;
    this.freeSlots.push(s);
  }
}

const envs = new WeakMap<CPU, WasmEnv>();
export function wasmEnv(cpu: CPU): WasmEnv {
  let e = envs.get(cpu);
  if (e === undefined) { e = new WasmEnv(cpu); envs.set(cpu, e); }
  return e;
}

/** A translated region's WebAssembly function, its slot, and the link cells that lead to it. */
export interface WasmCode {
  slot: number;
  /** Addresses of the link cells that name this region (cleared when it dies). */
  incoming: Set<number>;
  /** Block index -> EIP (a link is made only where the cell's target is that block's start). */
  blockEips: number[];
  /** Its own link cells (given back when it dies). */
  cellFirst: number;
  cellCount: number;
}

/** Segments whose base is 0 (bit n: segment register n). */
function zeroBases(cpu: CPU): number {
  let z = 0;
  for (let s = 0; s < 6; s++) if (cpu.segBase[s] === 0) z |= 1 << s;
  return z;
}

/**
 * Compile a region to WebAssembly, put it in the CPU's table, and return the function the dispatcher
 * calls (block.ts RegionFn) and what the region needs to unlink itself when it dies (wasmKill).
 */
export function compileWasmRegion(env: WasmEnv, region: Region, mode: GenMode, csLimitNeeded: number,
  pages: { eip: number; pp: number }[], insns: Insn[]): { run: RegionFn; code: WasmCode } {
  const slot = env.allocSlot();
  const linkable = region.blocks.length <= MAX_LINK_BLOCKS;
  const gen = generateWasm(region, mode, env.cpu.mem.size, env.memoryPages, {
    slot, csLimitNeeded: csLimitNeeded >>> 0, pages, allocCells: (n) => env.allocCells(n), zeroBases: zeroBases(env.cpu), rmask: env.cpu.rmask, wmask: env.cpu.wmask,
    identity: identityMode(env.cpu) ? env.cpu.mem.directReadRange() : null,
  });
  const m32 = env.m32;
  for (const c of gen.cells) { m32[c.addr >> 2] = c.eip; m32[(c.addr >> 2) + 1] = 0; }
  let inst: WebAssembly.Instance;
  try {
    inst = new WebAssembly.Instance(new WebAssembly.Module(gen.bytes), env.imports);
  } catch (e) {
    env.freeSlot(slot);
    env.freeCellRange(gen.cellFirst, gen.cellCount);
    throw new Error(`jit: generated WebAssembly does not compile: ${(e as Error).message}`);
  }
  env.table.set(slot, inst.exports.run as never);
  const enter = env.enter;
  env.insns[slot] = insns;
  const code: WasmCode = { slot, incoming: new Set(), blockEips: region.blocks.map((b) => b.eip), cellFirst: gen.cellFirst, cellCount: gen.cellCount };
  const cpu = env.cpu;
  const sv = env.sv;
  const run = (budget: number, bi: number): number => {
    // (Any change of these sets cpu.attention, so a region leaves to here before another region runs in
    // the new mode: a region checks the word only when entered.)
    sv[MODE] = (cpu.stack32 ? 1 : 0) | (cpu.wideR << 1) | (cpu.wideW << 7) | (identityMode(cpu) ? MODE_IDENTITY : 0);
    // The previous region left through a cell with nothing linked, to where this block starts: link it.
    const last = sv[LASTLINK];
    if (last !== 0) {
      sv[LASTLINK] = 0;
      if (linkable && m32[last >> 2] === code.blockEips[bi] && m32[(last >> 2) + 1] === 0) {
        m32[(last >> 2) + 1] = (slot << 8) | bi;
        code.incoming.add(last);
      }
    }
    const ic0 = env.ic0 = cpu.icount;
    env.flagsIn();
    const n = enter(slot, budget, bi, cpu.rmask, cpu.wmask);
    if (n < 0) return n;
    env.flagsOut();
    cpu.ip = sv[XIP];
    cpu.icount = ic0 + n;
    return n;
  };
  return { run, code };
}

/** A region died: nothing may go on in it through a link any more; its slot is free. */
export function wasmKill(env: WasmEnv, code: WasmCode): void {
  const m32 = env.m32;
  for (const a of code.incoming) if ((m32[(a >> 2) + 1] >>> 8) === code.slot) m32[(a >> 2) + 1] = 0;
  code.incoming.clear();
  for (let c = 0; c < code.cellCount; c++) m32[(env.cpu.mem.size + HOST_LINKS >> 2) + 2 * (code.cellFirst + c) + 1] = 0;
  env.freeCellRange(code.cellFirst, code.cellCount);
  env.freeSlot(code.slot);
}
