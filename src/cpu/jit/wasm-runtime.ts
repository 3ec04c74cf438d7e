// Running a region compiled to WebAssembly (wasm-codegen.ts): the functions it imports (the slow path of
// a memory access, #GP, an instruction's handler), one set per CPU, and the JavaScript wrapper that checks
// the mode the region was written for, moves the flags record between the CPU's fields and the state
// block, and calls it. Registers, segment bases and the TLB are in the state block all the time
// (cpu.ts views of the host area), so nothing else moves.

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { HOST_STATE, ST_ATT, ST_FLAGS, ST_XIP } from '../host-area.ts';
import type { RegionFn } from './block.ts';
import { IMPORTS } from './wasm-codegen.ts';

/** Int32 slots of the state block the runtime uses. */
const FL = ST_FLAGS >> 2, XIP = ST_XIP >> 2, ATT = ST_ATT >> 2;

/** Per CPU: the imports every region module of it links to, and what they need of the current call. */
export class WasmEnv {
  /** The state block as Int32s. */
  readonly sv: Int32Array;
  /** Handlers' instructions of the region running now, and cpu.icount when it was entered. */
  insns: Insn[] = [];
  ic0 = 0;
  readonly imports: WebAssembly.Imports;
  readonly memoryPages: number;

  constructor(readonly cpu: CPU) {
    const mem = cpu.mem.wasmMemory!;
    this.memoryPages = mem.buffer.byteLength / 65536;
    this.sv = new Int32Array(mem.buffer, cpu.mem.size + HOST_STATE, 32);
    const sv = this.sv;
    const at = (eip: number, cnt: number): void => {
      this.flagsOut();
      cpu.ip = eip;
      cpu.icount = this.ic0 + cnt;
    };
    const fns: Record<string, (...a: number[]) => number | void> = {
      rd: (size, seg, off, eip, cnt) => {
        at(eip, cnt);
        const v = size === 4 ? cpu.read32(seg, off) : size === 2 ? cpu.read16(seg, off) : cpu.read8(seg, off);
        sv[ATT] = cpu.attention;
        return v;
      },
      wr: (size, seg, off, v, eip, cnt) => {
        at(eip, cnt);
        if (size === 4) cpu.write32(seg, off, v); else if (size === 2) cpu.write16(seg, off, v); else cpu.write8(seg, off, v);
        sv[ATT] = cpu.attention;
      },
      rmw: (seg, off, eip, cnt) => {
        at(eip, cnt);
        return cpu.rmw32(seg, off);
      },
      commit: (v) => {
        cpu.commit32(v);
        sv[ATT] = cpu.attention;
      },
      gp: (eip, cnt) => {
        at(eip, cnt);
        cpu.fault(13, 0);
      },
      h: (step, eip, nip, cnt) => {
        at(eip, cnt);
        cpu.nip = nip;
        const i = this.insns[step];
        i.exec(cpu, i);
        this.flagsIn();
        const q = cpu.nip;
        sv[XIP] = q;
        return q !== nip || cpu.attention !== 0 || cpu.halted ? 1 : 0;
      },
    };
    const j: Record<string, unknown> = { m: mem };
    for (const m of IMPORTS) j[m.name] = fns[m.name];
    this.imports = { j: j as WebAssembly.ModuleImports };
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
}

const envs = new WeakMap<CPU, WasmEnv>();
export function wasmEnv(cpu: CPU): WasmEnv {
  let e = envs.get(cpu);
  if (e === undefined) { e = new WasmEnv(cpu); envs.set(cpu, e); }
  return e;
}

/** What the wrapper checks before each call (codegen.ts's guard, for the WebAssembly function). */
export interface WasmGuard {
  stack: boolean;
  segR: number;
  segW: number;
  csLimitNeeded: number;
  /** Each code page: an EIP on it and the physical page it was translated from. */
  pageEips: number[];
  pagePps: number[];
}

type WasmRun = (budget: number, bi: number, rm: number, wm: number) => number;

/** Instantiate a region's module and wrap it as a RegionFn. */
export function wasmRegionFn(env: WasmEnv, bytes: Uint8Array<ArrayBuffer>, g: WasmGuard, insns: Insn[]): RegionFn {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), env.imports);
  const run = inst.exports.run as WasmRun;
  const cpu = env.cpu;
  const segs = g.segR | g.segW;
  const { stack, segR, segW, pageEips, pagePps } = g;
  const csLimitNeeded = g.csLimitNeeded >>> 0;
  const sv = env.sv;
  return (budget: number, bi: number): number => {
    if (stack && cpu.stack32 !== true) return -1;
    if ((cpu.wideR & segR) !== segR || (cpu.wideW & segW) !== segW) return -1;
    const base = cpu.segBase;
    for (let s = 0; s < 6; s++) if ((segs & (1 << s)) !== 0 && (base[s] & 3) !== 0) return -1;
    if (cpu.segLimit[1] < csLimitNeeded) return -1;
    const rm = cpu.rmask, cb = base[1], tlb = cpu.tlb;
    for (let p = 0; p < pageEips.length; p++) {
      const e = tlb[((cb + pageEips[p]) | 0) >>> 12];
      // (-2: a code page is not in the TLB, e.g. after a flush; the interpreter refills it as it goes.)
      if ((e & rm) === 0) return -2;
      if ((e >>> 12) !== pagePps[p]) return -1;
    }
    env.insns = insns;
    const ic0 = env.ic0 = cpu.icount;
    env.flagsIn();
    const n = run(budget, bi, rm, cpu.wmask);
    env.flagsOut();
    cpu.ip = sv[XIP];
    cpu.icount = ic0 + n;
    return n;
  };
}
