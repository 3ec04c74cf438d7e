// WebAssembly for a region (region.ts): the same code as codegen.ts writes in JavaScript, instruction
// for instruction (the same inline forms, the same lazy-flag shortcuts, the same exits and write-backs),
// as a WebAssembly function. V8 compiles it with its baseline compiler in well under a millisecond (and
// optimizes hot ones in the background), with no type feedback and nothing to deoptimize: translation
// pays off for code that runs thousands of times rather than millions.
//
// What lives where (host-area.ts): guest RAM at 0 of the one memory, the TLB and the state block after
// it. Registers are read from the state block into locals on entry and written back as codegen.ts does;
// the flags record likewise, from slots that wasm-runtime.ts fills from the CPU's fields before the call
// and copies back after it (and around every call out to JavaScript that may fault or run a handler).
// Calls out (imports, wasm-runtime.ts): the slow path of a memory access, the #GP of a branch beyond the
// CS limit, an instruction's handler; they get the instruction's EIP and the count of instructions
// retired before it in this call, and leave cpu.attention in the ATT slot.

import type { Insn } from '../insn.ts';
import { K } from '../interp.ts';
import { HOST_LINKS, HOST_STATE, HOST_TLB, MODE_IDENTITY, ST_ATT, ST_FLAGS, ST_LASTLINK, ST_MODE, ST_PARITY, ST_BUDGET, ST_REGS, ST_SEGBASE, ST_SEGLIMIT, ST_XIP } from '../host-area.ts';
import { endsBlock, type Block, type Region, type Step } from './region.ts';
import { inlineable, J, jitKind, type GenMode } from './codegen.ts';
import { lookup } from '../opcode-table.ts';
import { bin, buildModule, Code, get, k, load, Op, select, un, type Expr, type FnType } from './wasm-module.ts';

const enum C {
  CF = 0x1, PF = 0x4, ZF = 0x40, SF = 0x80, OF = 0x800, ARITH = 0x8D5,
  ADD = 0, SUB = 1, LOGIC = 2, SHIFT = 3, SS = 2,
}
/** Flag locals written, by their slot in the state block's flags record (F_FK: lazyMask, lazyOp, lazyTop). */
const F_FL = 1, F_FK = 2, F_FA = 8, F_FB = 16, F_FR = 32;
/** The flag locals' slots in the flags record (FK stands for slots 1, 2 and 6). */
const FLAG_SLOTS = [0, 1, 3, 4, 5];

/**
 * The runtime's call-outs (wasm-runtime.ts), by their index in the call-out table a region imports ("j"."c").
 * Through a table rather than as imported functions: V8 compiles a JavaScript wrapper for every imported
 * function's signature whenever it compiles a module (its wrapper cache is per module), ~0.4 ms per region
 * module with these five signatures, more than the rest of its compile; the table holds the hub module's
 * WebAssembly functions, which call the JavaScript ones (their wrappers compiled once, for the hub).
 */
export const enum Imp { Rd = 0, Wr, Rmw, Commit, Handler, Jump, Count }
export const IMPORTS: { name: string; params: number; result: boolean }[] = [
  { name: 'rd', params: 5, result: true },      // (size, seg, off, eip, cnt) -> value
  { name: 'wr', params: 6, result: false },     // (size, seg, off, value, eip, cnt)
  { name: 'rmw', params: 5, result: true },     // (size, seg, off, eip, cnt) -> value (cpu.rmw8 / rmw32)
  { name: 'commit', params: 2, result: false }, // (size, value) (cpu.commit8 / commit32)
  { name: 'h', params: 5, result: true },       // (region, step, eip, nip, cnt) -> 1: leave here (cpu.nip in XIP)
  // (budget, bi, rm, wm, n0, link, slot): the hub's own function, which tail-calls the region in that slot
  // of the CPU's table (a region module importing the table itself costs V8 time per table entry at every
  // instantiation).
  { name: 'jump', params: 7, result: true },
];
/** The call-outs' distinct types (type indexes 1.., after RUN_TYPE), and each call-out's type index. */
const CALLOUT_TYPES: FnType[] = [];
const IMP_TYPE: number[] = IMPORTS.map((m) => {
  let t = CALLOUT_TYPES.findIndex((u) => u.params === m.params && u.result === m.result);
  if (t < 0) { t = CALLOUT_TYPES.length; CALLOUT_TYPES.push({ params: m.params, result: m.result }); }
  return t + 1;
});
/** A call of call-out imp (through the call-out table), as an expression. */
function callOut(imp: Imp, ...args: Expr[]): Expr { return Code.callTypedE(IMP_TYPE[imp], k(imp), ...args); }
/** The region function (0), the EIP -> block function and the write-back function: a region module imports none. */
const FN_DYN = 1;
/** The write-back function: stores every register and flag local the region writes (its arguments). */
const FN_WB = 2;

// Locals: the region function's parameters (budget, block, TLB masks, instructions retired before this
// region in this call from JavaScript, the link cell it was entered through), fixed locals, temporaries.
const BUDGET = 0, BI = 1, RM = 2, WM = 3, N0 = 4, LINK = 5;
const PARAMS = 6;
/** The region function's type: what a link tail-calls (type 0 of every module). */
export const RUN_TYPE = { params: PARAMS, result: true };
const REG0 = 6; // r0..r7: 6..13
// The flags record (ST_FLAGS order: flags, lazyMask, lazyOp, lazyA, lazyB, lazyRes, lazyTop) in FL + slot,
// but for the three small fields, nearly always constants, packed in one local: FK = lazyMask | lazyOp << 12
// | lazyTop << 16 (one value live across the region's dispatch loop instead of three: fewer spills).
const FL = 14, FK = 15, FA = 17, FB = 18, FR = 19;
/** FK's fields: lazyMask in bits 0-11, lazyOp from bit K_OP, lazyTop from bit K_TOP; their flags-record slots. */
const K_MASK = 0xFFF, K_OP = 12, K_TOP = 16;
const SLOT_MASK = 1, SLOT_OP = 2, SLOT_TOP = 6;
const packK = (op: number, top: number, mask: number): number => mask | (op << K_OP) | (top << K_TOP);
const SX = 21, XIP = 22, XK = 23, XC = 24, SEG0 = 26; // segment bases b0..b5: 26..31
/** What is left of the budget (counting down at each block: no local holds the budget itself). */
const N = 25;
const LNK = 32; // the link cell of the exit taken (0: none)
const FIRST_TMP = 33;

const and = (a: Expr, b: Expr): Expr => bin(Op.i32_and, a, b);
/** lazyOp and lazyTop out of FK (lazyMask bits are tested in FK itself). */
const gFO = (): Expr => and(shrU(get(FK), k(K_OP)), k((1 << (K_TOP - K_OP)) - 1));
const gFT = (): Expr => shrU(get(FK), k(K_TOP));
const or = (a: Expr, b: Expr): Expr => bin(Op.i32_or, a, b);
const xor = (a: Expr, b: Expr): Expr => bin(Op.i32_xor, a, b);
const add = (a: Expr, b: Expr): Expr => bin(Op.i32_add, a, b);
const sub = (a: Expr, b: Expr): Expr => bin(Op.i32_sub, a, b);
const shl = (a: Expr, b: Expr): Expr => bin(Op.i32_shl, a, b);
const shrU = (a: Expr, b: Expr): Expr => bin(Op.i32_shr_u, a, b);
const shrS = (a: Expr, b: Expr): Expr => bin(Op.i32_shr_s, a, b);
const eq = (a: Expr, b: Expr): Expr => bin(Op.i32_eq, a, b);
const ne = (a: Expr, b: Expr): Expr => bin(Op.i32_ne, a, b);
const ltU = (a: Expr, b: Expr): Expr => bin(Op.i32_lt_u, a, b);
const leU = (a: Expr, b: Expr): Expr => bin(Op.i32_le_u, a, b);
const ltS = (a: Expr, b: Expr): Expr => bin(Op.i32_lt_s, a, b);
const leS = (a: Expr, b: Expr): Expr => bin(Op.i32_le_s, a, b);
const eqz = (a: Expr): Expr => un(Op.i32_eqz, a);
/** 0/1 of a value's truth. */
const nz = (a: Expr): Expr => ne(a, k(0));
const ALU: Op[] = [Op.i32_add, Op.i32_or, Op.i32_and, Op.i32_sub, Op.i32_xor, Op.i32_sub];

/** The carry out of bit `top` of the record's ADD / SUB, as 0/1 (cpu.ts getCF). */
const carryAdd = (top: Expr): Expr =>
  and(shrU(or(and(get(FA), get(FB)), and(or(get(FA), get(FB)), xor(get(FR), k(-1)))), top), k(1));
const carrySub = (top: Expr): Expr =>
  and(shrU(or(and(xor(get(FA), k(-1)), get(FB)), and(xor(xor(get(FA), get(FB)), k(-1)), get(FR))), top), k(1));
const ofAdd = (): Expr => and(xor(get(FA), get(FR)), xor(get(FB), get(FR)));
const ofSub = (): Expr => and(xor(get(FA), get(FB)), xor(get(FA), get(FR)));

/** Longest path written out in one case, and most steps written in all per step of the region (codegen.ts). */
const MAX_PATH_STEPS = 144;
const MAX_WRITTEN_FACTOR = 3;

interface Needs {
  regs: number;
  regsW: number;
  flags: boolean;
  flagsW: number;
  segR: number;
  segW: number;
  stack: boolean;
  /** Accesses that take linear = physical (WasmRegionSpec.identity): the mode must still allow it. */
  identity: boolean;
}
const emptyNeeds = (): Needs => ({ regs: 0, regsW: 0, flags: false, flagsW: 0, segR: 0, segW: 0, stack: false, identity: false });

/** Addresses in the memory of the TLB and the state block (guest RAM ends at ramSize). */
export interface Layout { tlb: number; state: number; links: number }
export function layoutFor(ramSize: number): Layout {
  return { tlb: ramSize + HOST_TLB, state: ramSize + HOST_STATE, links: ramSize + HOST_LINKS };
}

/** What the region is, where it may run, and the link cells it may use. */
export interface WasmRegionSpec {
  /** Its slot in the CPU's function table (the handler import gets it back). */
  slot: number;
  /** Segments (bit n: segment register n) whose base is 0 now: their accesses need no base added. */
  zeroBases: number;
  /**
   * The TLB permission masks now (cpu.rmask / wmask: they change with CPL): constants in the code, so no
   * local holds them (the prologue refuses another pair).
   */
  rmask: number;
  wmask: number;
  /** The CS limit it needs, and each code page: an EIP on it and the physical page it was translated from. */
  csLimitNeeded: number;
  pages: { eip: number; pp: number }[];
  /**
   * Paging off and A20 on when it was written (else null): a linear address is then the physical one, the
   * address in memory, so reads at [lo, hi) (plain RAM, no MMIO: PhysicalMemory.directReadRange) need no
   * TLB entry and writes no address arithmetic. The prologue checks that the mode still is (MODE_IDENTITY).
   */
  identity: { lo: number; hi: number } | null;
  /**
   * Link cells: given how many the region wants, the index of the first of that many consecutive cells it
   * may use, or -1 (none left: its exits then go back to the dispatcher every time).
   */
  allocCells: (n: number) => number;
}

/** The cells a writer may hand out: from `first`, at most `count`. */
interface CellRange { first: number; count: number }

class WasmWriter {
  c: Code;
  readonly need = emptyNeeds();
  cm: number | null = null;
  co: number | null = null;
  ct: number | null = null;
  k = 0;
  s!: Step;
  slow = false;
  inCpu = false;
  dirtyR = 0;
  dirtyF = 0;
  ntmp = 0;
  b!: Block;
  p = 0;
  private readonly index = new Map<Step, number>();
  /** Labels of the dispatch loop and of the exit block. */
  private lLoop = -1;
  private lOut = -1;

  constructor(
    private readonly region: Region,
    private readonly mode: GenMode,
    private readonly final: Needs | null,
    private readonly lay: Layout,
    private readonly spec: WasmRegionSpec,
    private readonly cellRange: CellRange,
  ) {
    // (The first pass, final === null, only collects what the region uses: its code is not written out.)
    this.c = new Code(final === null);
    region.steps.forEach((s, i) => this.index.set(s, i));
  }

  /**
   * A temporary local. Temporaries live within one instruction (each step starts again from the first):
   * few locals, because V8's baseline compiler merges the state of every local at every branch.
   */
  tmp(): number {
    const t = FIRST_TMP + this.ntmp++;
    if (this.ntmp > this.maxTmp) this.maxTmp = this.ntmp;
    return t;
  }
  maxTmp = 0;
  /** A fresh local set to e. */
  let(e: Expr): number { const t = this.tmp(); this.c.set(t, e); return t; }

  // ---- registers ----
  R(n: number): Expr { this.need.regs |= 1 << n; return get(REG0 + n); }
  setR(n: number, e: Expr): void {
    this.need.regs |= 1 << n; this.need.regsW |= 1 << n; this.dirtyR |= 1 << n;
    this.c.set(REG0 + n, e);
  }
  R8(n: number): Expr { return n < 4 ? and(this.R(n), k(255)) : and(shrU(this.R(n - 4), k(8)), k(255)); }
  setR8(n: number, e: Expr): void {
    if (n < 4) this.setR(n, or(and(this.R(n), k(-256)), and(e, k(255))));
    else this.setR(n - 4, or(and(this.R(n - 4), k(-65281)), shl(and(e, k(255)), k(8))));
  }
  R16(n: number): Expr { return and(this.R(n), k(65535)); }
  setR16(n: number, e: Expr): void { this.setR(n, or(and(this.R(n), k(-65536)), and(e, k(65535)))); }

  // ---- flags ----
  useFlags(): void { this.need.flags = true; }
  lazy(op: number, a: Expr | null, b: Expr | null, r: Expr, top: number, mask = C.ARITH): void {
    this.useFlags();
    if (op !== C.LOGIC) { this.c.set(FA, a!); this.c.set(FB, b!); this.fw(F_FA | F_FB); }
    this.c.set(FR, r);
    this.c.set(FK, k(packK(op, top, mask)));
    this.fw(F_FR | F_FK);
    this.cm = mask; this.co = op; this.ct = top;
  }
  forget(): void { this.cm = null; this.co = null; this.ct = null; }
  fw(bits: number): void { this.need.flagsW |= bits; this.dirtyF |= bits; }

  cf(): Expr {
    this.useFlags();
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) return select(nz(and(get(FL), k(1))), nz(this.cfBit()), eqz(and(get(FK), k(1))));
    if ((cm & C.CF) === 0) return and(get(FL), k(1));
    return this.wrap32() ?? this.cfBit();
  }
  /** CF as 0/1. */
  cfBit(): Expr {
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) {
      const shiftOrNone = select(and(get(FA), k(1)), k(0), eq(gFO(), k(C.SHIFT)));
      return select(carryAdd(gFT()), select(carrySub(gFT()), shiftOrNone, eq(gFO(), k(1))), eqz(gFO()));
    }
    const w = this.wrap32();
    if (w !== null) return w;
    return co === C.ADD ? carryAdd(k(ct)) : co === C.SUB ? carrySub(k(ct)) : co === C.SHIFT ? and(get(FA), k(1)) : k(0);
  }
  private wrap32(): Expr | null {
    if (this.ct !== 31) return null;
    return this.co === C.ADD ? ltU(get(FR), get(FA)) : this.co === C.SUB ? ltU(get(FA), get(FB)) : null;
  }
  zf(): Expr {
    this.useFlags();
    const { cm, ct } = this;
    if (cm === null || ct === null) return select(eqz(shl(get(FR), sub(k(31), gFT()))), nz(and(get(FL), k(64))), nz(and(get(FK), k(64))));
    if ((cm & C.ZF) === 0) return nz(and(get(FL), k(64)));
    return ct === 31 ? eqz(get(FR)) : eqz(shl(get(FR), k(31 - ct)));
  }
  sf(): Expr {
    this.useFlags();
    const { cm, ct } = this;
    if (cm === null || ct === null) return select(and(shrU(get(FR), gFT()), k(1)), nz(and(get(FL), k(128))), nz(and(get(FK), k(128))));
    if ((cm & C.SF) === 0) return nz(and(get(FL), k(128)));
    return ct === 31 ? ltS(get(FR), k(0)) : and(shrU(get(FR), k(ct)), k(1));
  }
  of(): Expr {
    this.useFlags();
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) {
      const shiftOrNone = select(and(shrU(get(FB), gFT()), k(1)), k(0), eq(gFO(), k(C.SHIFT)));
      const lazyOf = select(and(shrU(ofAdd(), gFT()), k(1)), select(and(shrU(ofSub(), gFT()), k(1)), shiftOrNone, eq(gFO(), k(1))), eqz(gFO()));
      return select(nz(and(get(FL), k(2048))), lazyOf, eqz(and(get(FK), k(2048))));
    }
    if ((cm & C.OF) === 0) return nz(and(get(FL), k(2048)));
    if (co === C.ADD) return ct === 31 ? ltS(ofAdd(), k(0)) : and(shrU(ofAdd(), k(ct)), k(1));
    if (co === C.SUB) return ct === 31 ? ltS(ofSub(), k(0)) : and(shrU(ofSub(), k(ct)), k(1));
    if (co === C.SHIFT) return ct === 31 ? ltS(get(FB), k(0)) : and(shrU(get(FB), k(ct)), k(1));
    return k(0);
  }
  pf(): Expr {
    this.useFlags();
    const { cm } = this;
    const parity = nz(load(Op.i32_load8_u, and(get(FR), k(255)), this.lay.state + ST_PARITY));
    if (cm === null) return select(parity, nz(and(get(FL), k(4))), nz(and(get(FK), k(4))));
    if ((cm & C.PF) === 0) return nz(and(get(FL), k(4)));
    return parity;
  }

  /** Condition code cc as 0/1 (codegen.ts cond). */
  cond(cc: number): Expr {
    this.useFlags();
    const { cm, co, ct } = this;
    let e: Expr | null = null;
    const c = cc >> 1;
    const A = get(FA), B = get(FB), Rr = get(FR);
    if (cm === C.ARITH && co === C.SUB && ct === 31) {
      e = c === 1 ? ltU(A, B) : c === 2 ? eq(A, B) : c === 3 ? leU(A, B) : c === 6 ? ltS(A, B) : c === 7 ? leS(A, B) : null;
    } else if (cm === C.ARITH && co === C.SUB && ct === 7) {
      e = c === 1 ? ltU(A, B) : c === 2 ? eq(A, B) : c === 3 ? leU(A, B)
        : c === 6 ? ltS(shl(A, k(24)), shl(B, k(24))) : c === 7 ? leS(shl(A, k(24)), shl(B, k(24))) : null;
    } else if (cm === C.ARITH && co === C.LOGIC && ct === 31) {
      e = c === 0 || c === 1 ? k(0) : c === 3 ? eqz(Rr) : c === 6 ? ltS(Rr, k(0)) : c === 7 ? leS(Rr, k(0)) : null;
    }
    if (e === null) {
      switch (c) {
        case 0: e = this.of(); break;
        case 1: e = this.cf(); break;
        case 2: e = this.zf(); break;
        case 3: e = or(this.cf(), this.zf()); break;
        case 4: e = this.sf(); break;
        case 5: e = this.pf(); break;
        case 6: e = ne(this.sf(), this.of()); break;
        default: e = or(this.zf(), ne(this.sf(), this.of())); break;
      }
    }
    return (cc & 1) !== 0 ? eqz(e) : e;
  }

  // ---- state write-back, exits ----
  cnt(d: number): Expr { return add(this.retired(), k(this.kk(d))); }
  /** Instructions retired in this call from JavaScript up to the end of the current block (N counts down). */
  retired(): Expr { return sub(this.budget(), get(N)); }
  /** The budget the region was called with (kept in the state block: no local holds it). */
  budget(): Expr { return load(Op.i32_load, k(0), this.lay.state + ST_BUDGET); }
  kk(d: number): number { return this.p + d - this.b.steps.length; }
  private regAddr(n: number): number { return this.lay.state + ST_REGS + 4 * n; }
  wb(): void { this.wbOf(-1, -1); }
  wbDirty(): void { this.wbOf(this.dirtyR, this.dirtyF); this.dirtyR = 0; this.dirtyF = 0; }
  /**
   * Write back the written locals among regs / flags. Wherever this is called the locals are current, so
   * writing back all that the region writes is the same; more than two go through FN_WB (one call instead
   * of a store each: slow paths are most of a region's code, and V8's optimizing compile time grows with it).
   */
  private wbOf(regs: number, flags: number): void {
    const f = this.final;
    if (f === null) return;
    const locals = writtenLocals(f);
    let count = 0;
    for (let n = 0; n < 8; n++) if (f.regsW & regs & (1 << n)) count++;
    for (const x of FLAG_SLOTS) if (f.flagsW & flags & (1 << x)) count++;
    if (count > 2) { this.c.call(FN_WB, ...locals.map((l) => get(l))); return; }
    for (let n = 0; n < 8; n++) if (f.regsW & regs & (1 << n)) this.c.store(Op.i32_store, k(0), get(REG0 + n), this.regAddr(n));
    for (const x of FLAG_SLOTS) if (f.flagsW & flags & (1 << x)) storeLocal(this.c, this.lay, FL + x, get(FL + x));
  }
  reload(): void {
    const f = this.final;
    if (f === null) return;
    for (let n = 0; n < 8; n++) if (f.regs & (1 << n)) this.c.set(REG0 + n, load(Op.i32_load, k(0), this.regAddr(n)));
    if (f.flags) loadFlags(this.c, this.lay);
  }
  /** Before a call out that may fault: the state block gets every local the region writes. */
  sync(): void { this.wb(); }
  /** Leave after d instructions of this step, at ip. */
  exit(d: number, ip: Expr, link = 0): void {
    this.c.set(XIP, ip);
    this.c.set(XK, k(this.kk(d)));
    if (this.inCpu) this.c.set(XC, k(1));
    this.c.set(LNK, k(link));
    this.c.br(this.lOut);
  }
  /** Link cells: target EIP (static exits, one cell per target) or null (a run-time target), and address. */
  readonly cells: { eip: number | null; addr: number }[] = [];
  private readonly cellOf = new Map<number, number>();
  /** The link cell for leaving to static target t, or for a run-time target (null); 0: none left. */
  private cell(t: number | null): number {
    const known = t === null ? undefined : this.cellOf.get(t);
    if (known !== undefined) return known;
    if (this.cells.length >= this.cellRange.count) return 0;
    const a = this.lay.links + 8 * (this.cellRange.first + this.cells.length);
    this.cells.push({ eip: t, addr: a });
    if (t !== null) this.cellOf.set(t, a);
    return a;
  }
  fresh(): void {
    if (!this.inCpu) return;
    this.reload();
    this.inCpu = false;
  }
  /** After a call out: leave after this step if cpu.attention is set. */
  att(): void {
    this.slow = true;
    this.c.set(SX, or(get(SX), load(Op.i32_load, k(0), this.lay.state + ST_ATT)));
  }

  // ---- memory ----
  ea(i: Insn): Expr {
    let e: Expr | null = null;
    if (i.base >= 0) e = this.R(i.base);
    if (i.index >= 0) {
      const x = i.scale ? shl(this.R(i.index), k(i.scale)) : this.R(i.index);
      e = e === null ? x : add(e, x);
    }
    if (e === null) return k(i.disp);
    return i.disp !== 0 ? add(e, k(i.disp)) : e;
  }
  private wideR(s: number): boolean { return ((this.mode.wideR >> s) & 1) !== 0; }
  private wideW(s: number): boolean { return ((this.mode.wideW >> s) & 1) !== 0; }
  /**
   * Accesses through segment s take linear = physical = the offset itself: paging off (spec.identity) and
   * the segment based at 0. Notes that the region needs that mode.
   */
  private identityFor(s: number): boolean {
    if (this.spec.identity === null || ((this.spec.zeroBases >> s) & 1) === 0) return false;
    this.need.identity = true;
    return true;
  }
  /**
   * The linear address of offset local o in segment s: the offset itself where the segment's base was 0
   * when the region was written (spec.zeroBases: the prologue checks that it still is), which keeps a
   * local for the base out of the whole function; else base + offset.
   */
  private linear(s: number, o: number): number {
    if (((this.spec.zeroBases >> s) & 1) !== 0) return o;
    return this.let(add(get(SEG0 + s), get(o)));
  }
  /** The TLB entry of linear address in local l, into a fresh local. */
  private tlbEntry(l: number): number {
    return this.let(load(Op.i32_load, shl(shrU(get(l), k(12)), k(2)), this.lay.tlb));
  }
  private ramAddr(e: number, l: number): Expr { return or(and(get(e), k(-4096)), and(get(l), k(4095))); }
  /**
   * 1 when an access of size bytes at linear address l (TLB entry e) is not on the direct path: the entry
   * lacks the permission bit (mask: RM or WM, for this CPL; never set for MMIO or, for writes, code pages:
   * cpu.ts), or the access runs into the next page. An unaligned access within a page is direct, as in
   * readLin32 / writeLin32 (WebAssembly loads and stores need no alignment).
   */
  private slowAccess(e: number, mask: number, l: number, size: number): Expr {
    const no = eqz(and(get(e), k(mask === RM ? this.spec.rmask : this.spec.wmask)));
    return size === 1 ? no : or(no, bin(Op.i32_gt_u, and(get(l), k(4095)), k(4096 - size)));
  }

  /**
   * Leave before the current instruction: the dispatcher interprets it (a region that retired nothing is
   * never entered again at the same place: dispatch.ts). Where a memory access or a branch target is not
   * on its fast path (a TLB miss, a page boundary, MMIO, a write to a code page, a target beyond the CS
   * limit), the interpreter does the whole instruction, faults included. Nothing of the instruction has
   * changed a local yet (each form reads, and checks, before it writes), so the state written back is the
   * state before it: a slow path needs no write-back or call of its own, which keeps a region's code
   * small (V8's optimizing compile time grows with it).
   */
  private exitBefore(): void {
    this.exit(0, k(this.s.eip));
  }

  /**
   * The address in memory of an access of size bytes at the offset in local o of segment s, where the TLB
   * grants it (mask: RM or WM) within one page; otherwise the region leaves before the instruction.
   */
  private direct(s: number, o: number, mask: number, size: number): Expr {
    if (mask === RM) this.need.segR |= 1 << s; else this.need.segW |= 1 << s;
    const l = this.linear(s, o);
    const e = this.tlbEntry(l);
    this.c.if(this.slowAccess(e, mask, l, size));
    this.exitBefore();
    this.c.end();
    if (mask === WM && this.identityFor(s)) {
      // Paging off: the entry maps the page to itself (cpu.ts fillTlb), so the linear address is the one in
      // memory; the entry still says whether the page may be written directly (not code, not ROM).
      return get(l);
    }
    return this.ramAddr(e, l);
  }

  /** Read size bytes at s:off into a fresh local. */
  read(size: 1 | 2 | 4, s: number, off: Expr): Expr {
    const o = this.let(off), v = this.tmp();
    if (!this.wideR(s)) {
      this.sync();
      this.c.set(v, callOut(Imp.Rd, k(size), k(s), get(o), k(this.s.eip), this.cnt(0)));
      this.att();
      return get(v);
    }
    const op = size === 4 ? Op.i32_load : size === 2 ? Op.i32_load16_u : Op.i32_load8_u;
    if (this.identityFor(s)) {
      // Within the RAM range the offset is the address in memory; elsewhere (MMIO, beyond RAM: rare with
      // paging off) the interpreter reads it. (Falling back to the TLB's way here instead made the
      // decompressor's regions larger and ~8% slower.)
      const id = this.spec.identity!;
      this.need.segR |= 1 << s;
      this.c.if(bin(Op.i32_gt_u, id.lo === 0 ? get(o) : sub(get(o), k(id.lo)), k(id.hi - id.lo - size)));
      this.exitBefore();
      this.c.end();
      this.c.set(v, load(op, get(o)));
      return get(v);
    }
    this.c.set(v, load(op, this.direct(s, o, RM, size)));
    return get(v);
  }

  write(size: 1 | 2 | 4, s: number, off: Expr, val: Expr): void {
    const o = this.let(off);
    if (!this.wideW(s)) {
      this.sync();
      this.c.emit(callOut(Imp.Wr, k(size), k(s), get(o), val, k(this.s.eip), this.cnt(0)));
      this.att();
      return;
    }
    this.c.store(size === 4 ? Op.i32_store : size === 2 ? Op.i32_store16 : Op.i32_store8, this.direct(s, o, WM, size), val);
  }

  /**
   * Read-modify-write of a byte or dword at s:off (codegen.ts rmw): body gets the old value, returns the
   * new. Where the TLB grants the write (and so the read), in place; else through cpu.rmw8/rmw32 (every
   * check of the write, may fault, nothing changed yet) and cpu.commit8/commit32, as the handler does
   * (a segment that does not admit every offset), or by the interpreter (exitBefore).
   */
  rmw(s: number, off: Expr, body: (a: Expr) => Expr, size: 1 | 4 = 4): void {
    const o = this.let(off), a = this.tmp();
    if (!this.wideW(s)) {
      this.sync();
      this.c.set(a, callOut(Imp.Rmw, k(size), k(s), get(o), k(this.s.eip), this.cnt(0)));
      const r = body(get(a));
      this.c.emit(callOut(Imp.Commit, k(size), r));
      this.att();
      return;
    }
    const p = this.let(this.direct(s, o, WM, size));
    this.c.set(a, load(size === 4 ? Op.i32_load : Op.i32_load8_u, get(p)));
    const r = body(get(a));
    this.c.store(size === 4 ? Op.i32_store : Op.i32_store8, get(p), r);
  }

  // ---- stack ----
  push(val: Expr): void {
    this.need.stack = true;
    const sp = this.let(sub(this.R(4), k(4)));
    this.write(4, C.SS, get(sp), val);
    this.setR(4, get(sp));
  }
  pop(): Expr {
    this.need.stack = true;
    const sp = this.let(this.R(4));
    const v = this.read(4, C.SS, get(sp));
    this.setR(4, add(get(sp), k(4)));
    return v;
  }
  /** A run-time branch target beyond the CS limit: the interpreter does the instruction (and its #GP). */
  checkTarget(t: Expr): void {
    this.c.if(bin(Op.i32_gt_u, t, load(Op.i32_load, k(0), this.lay.state + ST_SEGLIMIT + 4))); // segLimit[CS]
    this.exitBefore();
    this.c.end();
  }

  // ---- control ----
  goto(d: number, t: number, last = false): void {
    const j = this.region.byEip.get(t);
    if (j === undefined) { this.exit(d, k(t), this.cell(t)); return; }
    if (this.slow) { this.c.if(get(SX)); this.exit(d, k(t)); this.c.end(); }
    if (last && this.mayInline(j)) { this.then = j; return; }
    if (this.inCpu) this.reload();
    // A block written after the current case is reached by a branch to the end of its case's block (its
    // code starts there: body); one before it through the dispatch loop's br_table.
    if (j > this.caseIdx) { this.c.br(this.caseLabels[j]); return; }
    this.c.set(BI, k(j));
    this.c.br(this.lLoop);
  }
  /** The case being written, and each case's label. */
  private caseIdx = -1;
  private caseLabels: number[] = [];
  dyn(d: number, t: Expr): void {
    if (this.slow) { this.c.if(get(SX)); this.exit(d, t); this.c.end(); }
    this.c.set(BI, Code.callE(FN_DYN, t));
    this.c.if(ltS(get(BI), k(0)));
    this.c.set(XIP, t);
    this.c.set(XK, k(this.kk(d)));
    this.c.set(LNK, k(this.cell(null))); // (a cell that remembers the last target: an inline cache)
    this.c.br(this.lOut);
    this.c.end();
    this.c.br(this.lLoop);
  }

  private onPath = new Set<number>();
  private calls: number[] = [];
  private pathSteps = 0;
  private allSteps = 0;
  private then = -1;
  private mayInline(j: number): boolean {
    const n = this.region.blocks[j].steps.length;
    return !this.onPath.has(j) && this.pathSteps + n <= MAX_PATH_STEPS &&
      this.allSteps + n <= MAX_WRITTEN_FACTOR * this.region.steps.length;
  }

  /** The dispatch loop: loop { block out { block cN-1 { ... block c0 { block bad { br_table } } case 0 } ... } } */
  body(): void {
    const rg = this.region;
    const c = this.c;
    this.allSteps = 0;
    this.lLoop = c.loop();
    this.lOut = c.block();
    const cases: number[] = this.caseLabels = [];
    for (let j = rg.blocks.length - 1; j >= 0; j--) cases[j] = c.block();
    const bad = c.block();
    c.brTable(get(BI), cases, bad);
    c.end();
    c.op(Op.unreachable);
    for (const first of rg.blocks) {
      c.end(); // the block of this case: its code follows
      this.caseIdx = first.index;
      this.inCpu = false; this.dirtyR = -1; this.dirtyF = -1;
      this.forget();
      this.onPath.clear(); this.calls = []; this.pathSteps = 0;
      for (let b: Block | null = first; b !== null;) {
        this.onPath.add(b.index);
        this.pathSteps += b.steps.length;
        this.allSteps += b.steps.length;
        this.then = -1;
        this.block(b);
        b = this.then >= 0 ? rg.blocks[this.then] : null;
      }
      c.op(Op.unreachable);
    }
    c.end(); // out
    c.end(); // loop
  }

  private block(b: Block): void {
    this.b = b;
    const c = this.c;
    c.if(ltS(get(N), k(b.steps.length)));
    c.set(XIP, k(b.eip)); c.set(XK, k(0));
    if (this.inCpu) c.set(XC, k(1));
    c.set(LNK, k(0));
    c.br(this.lOut);
    c.end();
    c.set(N, sub(get(N), k(b.steps.length)));
    for (let p = 0; p < b.steps.length; p++) {
      this.k = this.index.get(b.steps[p])!;
      this.p = p;
      this.s = b.steps[p];
      this.slow = false;
      this.ntmp = 0;
      const after = this.step(this.s);
      if (this.slow && after !== null) { c.if(get(SX)); this.exit(1, k(after)); c.end(); }
    }
    if (b.fall !== -1) {
      this.p = b.steps.length - 1;
      this.slow = false;
      this.goto(1, b.fall);
    }
  }

  /** One instruction; returns the EIP after it (for a leave forced by a slow path), or null. */
  private step(s: Step): number | null {
    const i = s.i;
    if (!wasmInlineable(i, this.mode)) return this.call(s);
    this.fresh();
    const kind = wasmKind(i);
    if (kind >= W.First) { this.wextra(kind, i); return s.next; }
    if (kind >= J.First) { this.extra(kind, i); return s.next; }
    const next = s.next;
    if (kind >= K.AddRM && kind <= K.CmpI) {
      const fam = Math.floor((kind - K.AddRM) / 6), op = (kind - K.AddRM) % 6;
      const dst = fam === 1 ? i.reg : i.rm;
      const a = this.R(dst), b = fam === 0 ? this.R(i.reg) : fam === 1 ? this.R(i.rm) : k(i.imm);
      this.alu(op, a, b, op === 5 ? -1 : dst);
      return next;
    }
    if (kind >= K.AddLd && kind <= K.CmpLd) {
      const op = kind - K.AddLd;
      const b = this.read(4, i.seg, this.ea(i));
      this.alu(op, this.R(i.reg), b, op === 5 ? -1 : i.reg);
      return next;
    }
    if (kind === K.CmpSt || kind === K.CmpMI) {
      const a = this.read(4, i.seg, this.ea(i));
      this.alu(5, a, kind === K.CmpSt ? this.R(i.reg) : k(i.imm), -1);
      return next;
    }
    if ((kind >= K.AddSt && kind <= K.XorSt) || (kind >= K.AddMI && kind <= K.XorMI)) {
      const op = kind >= K.AddMI ? kind - K.AddMI : kind - K.AddSt;
      const b = kind >= K.AddMI ? k(i.imm) : this.R(i.reg);
      this.useFlags();
      this.rmw(i.seg, this.ea(i), (a) => {
        let r: number;
        if (op === 0 || op === 3) {
          this.c.set(FA, a); this.c.set(FB, b);
          r = this.let(bin(ALU[op], get(FA), get(FB)));
        } else r = this.let(bin(ALU[op], a, b));
        this.c.set(FR, get(r));
        return get(r);
      });
      const lop = op === 0 ? C.ADD : op === 3 ? C.SUB : C.LOGIC;
      this.c.set(FK, k(packK(lop, 31, C.ARITH)));
      this.fw(F_FA | F_FB | F_FR | F_FK);
      this.cm = C.ARITH; this.co = lop; this.ct = 31;
      return next;
    }
    switch (kind) {
      case K.TestRR: this.lazy(C.LOGIC, null, null, and(this.R(i.rm), this.R(i.reg)), 31); return next;
      case K.TestM: { const a = this.read(4, i.seg, this.ea(i)); this.lazy(C.LOGIC, null, null, and(a, this.R(i.reg)), 31); return next; }
      case K.TestEI: {
        const a = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        this.lazy(C.LOGIC, null, null, and(a, k(i.imm)), 31);
        return next;
      }
      case K.TestEbI: {
        const a = i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i));
        this.lazy(C.LOGIC, null, null, and(a, k(i.imm)), 7);
        return next;
      }
      case K.CmpRbI: this.cmp8(this.R8(i.rm), k(i.imm & 0xFF)); return next;
      case K.CmpEbGb: this.cmp8(this.R8(i.rm), this.R8(i.reg)); return next;
      case K.CmpGbEb: this.cmp8(this.R8(i.reg), this.R8(i.rm)); return next;
      case K.CmpEbI: { const a = this.read(1, i.seg, this.ea(i)); this.cmp8(a, k(i.imm & 0xFF)); return next; }
      case K.TestRRb: this.lazy(C.LOGIC, null, null, and(this.R8(i.rm), this.R8(i.reg)), 7); return next;
      case K.MovRRb:
        if (i.op === 0x88) this.setR8(i.rm, this.R8(i.reg)); else this.setR8(i.reg, this.R8(i.rm));
        return next;
      case K.IncR: case K.DecR: {
        const n = i.op & 7;
        this.foldCF();
        this.incDec(kind === K.DecR, this.R(n), (r) => this.setR(n, r));
        return next;
      }
      case K.IncM: case K.DecM: {
        const dec = kind === K.DecM;
        this.useFlags();
        this.rmw(i.seg, this.ea(i), (a) => {
          this.foldCF();
          this.c.set(FA, a); this.c.set(FB, k(1));
          const r = this.let(bin(dec ? Op.i32_sub : Op.i32_add, get(FA), k(1)));
          this.c.set(FR, get(r));
          return get(r);
        });
        this.c.set(FK, k(packK(dec ? C.SUB : C.ADD, 31, C.ARITH & ~C.CF)));
        this.fw(F_FL | F_FA | F_FB | F_FR | F_FK);
        this.cm = C.ARITH & ~C.CF; this.co = dec ? C.SUB : C.ADD; this.ct = 31;
        return next;
      }
      case K.Rol: case K.Ror: case K.Shl: case K.Shr: case K.Sar: this.shift(i); return next;
      case K.NotR: this.setR(i.rm, xor(this.R(i.rm), k(-1))); return next;
      case K.NegR: {
        const a = this.let(this.R(i.rm));
        this.lazy(C.SUB, k(0), get(a), sub(k(0), get(a)), 31);
        this.setR(i.rm, get(FR));
        return next;
      }

      // ---- branches ----
      case K.Jz: case K.Jnz: case K.Jb: case K.Jbe: case K.Js: case K.Jl: case K.Jle: case K.Jcc: {
        const t = (s.next + i.imm) | 0;
        this.c.if(this.cond(i.op & 0xF));
        this.goto(1, t);
        this.c.end();
        this.goto(1, s.next);
        return null;
      }
      case K.Jmp:
        this.goto(1, (s.next + i.imm) | 0, true);
        return null;
      case K.CallRel:
        this.push(k(next));
        this.goto(1, (s.next + i.imm) | 0, true);
        if (this.then >= 0) this.calls.push(s.next);
        return null;
      case K.Ret: {
        this.need.stack = true;
        const sp = this.let(this.R(4));
        const t = this.let(this.read(4, C.SS, get(sp)));
        this.checkTarget(get(t));
        this.setR(4, add(get(sp), k(4 + i.imm)));
        const r = this.calls.length > 0 ? this.calls[this.calls.length - 1] : undefined;
        const j = r === undefined ? undefined : this.region.byEip.get(r);
        if (r !== undefined && j !== undefined && this.mayInline(j)) {
          this.calls.pop();
          this.c.if(ne(get(t), k(r)));
          this.dyn(1, get(t));
          this.c.end();
          this.goto(1, r, true);
          return null;
        }
        this.dyn(1, get(t));
        return null;
      }
      case K.CallE: case K.JmpE: {
        const t = this.let(i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i))); // (CALL ESP pushes first)
        this.checkTarget(get(t));
        if (kind === K.CallE) this.push(k(next));
        this.dyn(1, get(t));
        return null;
      }

      // ---- stack ----
      case K.PushR: this.push(this.R(i.op & 7)); return next;
      case K.PopR: { const v = this.pop(); this.setR(i.op & 7, v); return next; }
      case K.PushI: this.push(k(i.imm)); return next;
      case K.PushE: { const v = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i)); this.push(v); return next; }
      case K.Leave: {
        this.need.stack = true;
        const bp = this.let(this.R(5));
        const v = this.read(4, C.SS, get(bp));
        this.setR(4, add(get(bp), k(4)));
        this.setR(5, v);
        return next;
      }

      // ---- data movement ----
      case K.MovRR: if (i.op === 0x89) this.setR(i.rm, this.R(i.reg)); else this.setR(i.reg, this.R(i.rm)); return next;
      case K.MovStore: this.write(4, i.seg, this.ea(i), this.R(i.reg)); return next;
      case K.MovLoad: { const v = this.read(4, i.seg, this.ea(i)); this.setR(i.reg, v); return next; }
      case K.MovRI: this.setR(i.op & 7, k(i.imm)); return next;
      case K.MovEI: if (i.mod === 3) this.setR(i.rm, k(i.imm)); else this.write(4, i.seg, this.ea(i), k(i.imm)); return next;
      case K.Lea: this.setR(i.reg, this.ea(i)); return next;
      case K.MovzxB: this.setR(i.reg, i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i))); return next;
      case K.MovzxW: this.setR(i.reg, i.mod === 3 ? this.R16(i.rm) : this.read(2, i.seg, this.ea(i))); return next;
      case K.MovsxB: {
        const v = i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i));
        this.setR(i.reg, shrS(shl(v, k(24)), k(24)));
        return next;
      }
      case K.MovsxW: {
        const v = i.mod === 3 ? this.R16(i.rm) : this.read(2, i.seg, this.ea(i));
        this.setR(i.reg, shrS(shl(v, k(16)), k(16)));
        return next;
      }
      case K.MovStoreB: this.write(1, i.seg, this.ea(i), this.R8(i.reg)); return next;
      case K.MovLoadB: { const v = this.read(1, i.seg, this.ea(i)); this.setR8(i.reg, v); return next; }
      case K.MovEbI: if (i.mod === 3) this.setR8(i.rm, k(i.imm)); else this.write(1, i.seg, this.ea(i), k(i.imm & 0xFF)); return next;
      case K.MovRbI: this.setR8(i.op & 7, k(i.imm)); return next;
      case K.XchgRR: case K.XchgA: {
        const a = kind === K.XchgA ? 0 : i.reg, b = kind === K.XchgA ? i.op & 7 : i.rm;
        const t = this.let(this.R(a));
        this.setR(a, this.R(b));
        this.setR(b, get(t));
        return next;
      }
      case K.Cdq: this.setR(2, shrS(this.R(0), k(31))); return next;
      case K.Setcc: {
        const v = this.let(this.cond(i.op & 0xF));
        if (i.mod === 3) this.setR8(i.rm, get(v)); else this.write(1, i.seg, this.ea(i), get(v));
        return next;
      }
      case K.Cmovcc: {
        const v = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        const c = this.cond(i.op & 0xF);
        this.need.regs |= 1 << i.reg; this.need.regsW |= 1 << i.reg; this.dirtyR |= 1 << i.reg;
        this.c.if(c);
        this.c.set(REG0 + i.reg, v);
        this.c.end();
        return next;
      }
    }
    throw new Error(`jit: no inline form for kind ${kind}`);
  }

  private extra(kind: number, i: Insn): void {
    switch (kind) {
      case J.Imul: case J.ImulI: {
        const src = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        let a: number, b: number;
        if (kind === J.Imul) { a = this.let(this.R(i.reg)); b = this.let(src); } else { a = this.let(src); b = this.let(k(i.imm)); }
        this.useFlags();
        const lo = this.let(bin(Op.i32_mul, get(a), get(b)));
        // CF = OF = (the low half differs from the exact product).
        const wide = (x: number): Expr => [...get(x), Op.i64_extend_i32_s];
        const differs: Expr = [...wide(a), ...wide(b), Op.i64_mul, ...wide(lo), Op.i64_ne];
        this.c.set(FL, or(and(get(FL), k(-2262)), bin(Op.i32_mul, differs, k(2049))));
        this.c.set(FK, and(get(FK), k(~K_MASK)));
        this.fw(F_FL | F_FK);
        this.cm = 0; this.co = C.LOGIC; this.ct = 31;
        this.setR(i.reg, get(lo));
        return;
      }
      case J.MovEwGw:
        if (i.mod === 3) this.setR16(i.rm, this.R(i.reg));
        else this.write(2, i.seg, this.ea(i), this.R16(i.reg));
        return;
      case J.MovGwEw:
        this.setR16(i.reg, i.mod === 3 ? this.R16(i.rm) : this.read(2, i.seg, this.ea(i)));
        return;
      default: { // Shift16
        const c = i.op === 0xC1 ? i.imm & 0x1F : 1;
        if (c === 0) return;
        this.useFlags();
        const v = this.let(this.R16(i.rm));
        let r: number, cf: Expr, of: Expr;
        if (i.reg === 5) { // SHR: OF = MSB of the operand
          r = this.let(shrU(get(v), k(c)));
          cf = and(shrU(get(v), k(c - 1)), k(1)); of = and(shrU(get(v), k(15)), k(1));
        } else if (i.reg === 7) { // SAR: OF = 0
          const sv = this.let(shrS(shl(get(v), k(16)), k(16)));
          r = this.let(and(shrS(get(sv), k(c)), k(65535)));
          cf = and(shrS(get(sv), k(c - 1)), k(1)); of = k(0);
        } else { // SHL/SAL: CF = last bit out (0 once the count passes 16), OF = MSB(result) ^ CF
          r = this.let(and(shl(get(v), k(c)), k(65535)));
          cf = c <= 16 ? and(shrU(get(v), k(16 - c)), k(1)) : k(0);
          of = and(xor(shrU(get(r), k(15)), cf), k(1));
        }
        this.c.set(FL, or(or(and(get(FL), k(-2262)), cf), shl(of, k(11))));
        this.c.set(FR, get(r)); this.c.set(FK, k(packK(C.LOGIC, 15, C.SF | C.ZF | C.PF)));
        this.fw(F_FL | F_FR | F_FK);
        this.cm = C.SF | C.ZF | C.PF; this.co = C.LOGIC; this.ct = 15;
        this.setR16(i.rm, get(r));
      }
    }
  }

  /** The forms of W. */
  private wextra(kind: number, i: Insn): void {
    if (kind === W.Nop) return;
    if (kind === W.Lods || kind === W.Scas) { this.lodsScas(kind, i); return; }
    if (kind === W.AdcSbb) {
      // ADC / SBB r32: a + b + CF / a - b - CF. The lazy record's carry and overflow formulas (cpu.ts
      // getCF, getOF) hold with a carry in; the shortcuts for a plain ADD / SUB record do not: forget it.
      const op = i.op, sbb = op === 0x19 || op === 0x1B || ((op === 0x81 || op === 0x83) && i.reg === 3);
      const dst = op === 0x13 || op === 0x1B ? i.reg : i.rm;
      const src = op === 0x81 || op === 0x83 ? k(i.imm) : op === 0x13 || op === 0x1B ? this.R(i.rm) : this.R(i.reg);
      const c = this.let(this.cfBitAny());
      const a = this.let(this.R(dst)), b = this.let(src);
      this.lazy(sbb ? C.SUB : C.ADD, get(a), get(b), bin(sbb ? Op.i32_sub : Op.i32_add, bin(sbb ? Op.i32_sub : Op.i32_add, get(FA), get(FB)), get(c)), 31);
      this.forget();
      this.setR(dst, get(FR));
      return;
    }
    // 8-bit ADD OR AND SUB XOR CMP: r/m8, r8 (x0); r8, r/m8 (x2); AL, imm8 (x4); r/m8, imm8 (80).
    const op = i.op, alu = op === 0x80 ? i.reg : op >> 3, form = op === 0x80 ? 8 : op & 7;
    const arith = alu === 0 || alu === 5 || alu === 7;
    const aop = alu === 0 ? Op.i32_add : alu === 1 ? Op.i32_or : alu === 4 ? Op.i32_and : alu === 6 ? Op.i32_xor : Op.i32_sub;
    const src = form === 8 || form === 4 ? k(i.imm & 0xFF) : form === 0 ? this.R8(i.reg) : i.mod === 3 ? this.R8(i.rm) : null;
    const record = (a: Expr, b: Expr): void => {
      if (arith) this.lazy(alu === 0 ? C.ADD : C.SUB, a, b, bin(aop, get(FA), get(FB)), 7);
      else this.lazy(C.LOGIC, null, null, bin(aop, a, b), 7);
    };
    if (form === 2 || form === 4 || i.mod === 3) {
      const dst = form === 4 ? 0 : form === 2 ? i.reg : i.rm;
      const b = this.let(src ?? this.read(1, i.seg, this.ea(i)));
      record(this.R8(dst), get(b));
      if (alu !== 7) this.setR8(dst, get(FR));
      return;
    }
    const b = this.let(src!);
    if (alu === 7) { record(this.read(1, i.seg, this.ea(i)), get(b)); return; }
    // Memory destination: a read-modify-write (the read checks for the write, as the silicon does).
    this.rmw(i.seg, this.ea(i), (a) => {
      record(a, get(b));
      return and(get(FR), k(255));
    }, 1);
  }

  /**
   * LODS / SCAS without a repeat prefix, 32-bit addressing (ops/string.ts step): AL/EAX <- seg:[ESI], or
   * the flags of AL/EAX - ES:[EDI]; then ESI / EDI move by the size, down when DF is set. The i386
   * kernel's strcmp is a LODSB / SCASB loop.
   */
  private lodsScas(kind: number, i: Insn): void {
    const size = (i.op & 1) === 0 ? 1 : 4;
    this.useFlags();
    const n = kind === W.Lods ? 6 : 7; // ESI, EDI
    const p = this.let(this.R(n));
    const v = this.let(this.read(size, kind === W.Lods ? i.seg : 0, get(p)));
    if (kind === W.Lods) {
      if (size === 1) this.setR8(0, get(v)); else this.setR(0, get(v));
    } else {
      this.lazy(C.SUB, size === 1 ? this.R8(0) : this.R(0), get(v), sub(get(FA), get(FB)), size * 8 - 1);
    }
    this.setR(n, add(get(p), select(k(-size), k(size), nz(and(get(FL), k(0x400))))));
  }

  /** CF as 0/1 whatever is known of the record (for a carry in). */
  private cfBitAny(): Expr {
    this.useFlags();
    const { cm } = this;
    if (cm === null) return select(and(get(FL), k(1)), this.cfBit(), eqz(and(get(FK), k(1))));
    if ((cm & C.CF) === 0) return and(get(FL), k(1));
    return this.cfBit();
  }

  private alu(op: number, a: Expr, b: Expr, dst: number): void {
    if (op === 0 || op === 3 || op === 5) {
      this.lazy(op === 0 ? C.ADD : C.SUB, a, b, bin(op === 0 ? Op.i32_add : Op.i32_sub, get(FA), get(FB)), 31);
    } else {
      this.lazy(C.LOGIC, null, null, bin(ALU[op], a, b), 31);
    }
    if (dst >= 0) this.setR(dst, get(FR));
  }

  private cmp8(a: Expr, b: Expr): void {
    this.lazy(C.SUB, a, b, sub(get(FA), get(FB)), 7);
  }

  private foldCF(): void {
    this.useFlags();
    this.fw(F_FL);
    const { cm } = this;
    const fold = (): void => this.c.set(FL, or(and(get(FL), k(-2)), this.cfBit()));
    if (cm === null) { this.c.if(and(get(FK), k(1))); fold(); this.c.end(); return; }
    if ((cm & C.CF) !== 0) fold();
  }

  private incDec(dec: boolean, a: Expr, store: (r: Expr) => void): void {
    this.c.set(FA, a); this.c.set(FB, k(1));
    this.c.set(FR, bin(dec ? Op.i32_sub : Op.i32_add, get(FA), k(1)));
    this.c.set(FK, k(packK(dec ? C.SUB : C.ADD, 31, C.ARITH & ~C.CF)));
    this.fw(F_FA | F_FB | F_FR | F_FK);
    this.cm = C.ARITH & ~C.CF; this.co = dec ? C.SUB : C.ADD; this.ct = 31;
    store(get(FR));
  }

  private shift(i: Insn): void {
    const kind = i.fast;
    this.useFlags();
    const dynamic = i.op === 0xD3;
    const cst = i.op < 0xD0 ? i.imm & 0x1F : 1;
    if (!dynamic && cst === 0) return;
    let c: Expr;
    if (dynamic) {
      const n = this.let(and(this.R(1), k(31)));
      c = get(n);
      this.c.if(get(n));
    } else c = k(cst);
    const v = this.let(this.R(i.rm));
    let r: number;
    switch (kind) {
      case K.Rol: {
        this.fw(F_FL | F_FK);
        r = this.let(bin(Op.i32_rotl, get(v), c));
        const cf = this.let(and(get(r), k(1)));
        this.c.set(FL, or(or(and(get(FL), k(-2050)), get(cf)), shl(and(xor(shrU(get(r), k(31)), get(cf)), k(1)), k(11))));
        this.c.set(FK, and(get(FK), k(-2050)));
        if (this.cm !== null) this.cm &= ~(C.CF | C.OF);
        break;
      }
      case K.Ror: {
        this.fw(F_FL | F_FK);
        r = this.let(bin(Op.i32_rotr, get(v), c));
        const cf = this.let(shrU(get(r), k(31)));
        this.c.set(FL, or(or(and(get(FL), k(-2050)), get(cf)), shl(and(xor(get(cf), shrU(get(r), k(30))), k(1)), k(11))));
        this.c.set(FK, and(get(FK), k(-2050)));
        if (this.cm !== null) this.cm &= ~(C.CF | C.OF);
        break;
      }
      // SHL / SHR / SAR: the LAZY_SHIFT record (cpu.ts): CF = bit 0 of FA, OF = bit 31 of FB.
      case K.Shl:
        r = this.let(shl(get(v), c));
        this.c.set(FA, shrU(get(v), sub(k(32), c)));
        this.c.set(FB, xor(get(r), shl(get(FA), k(31))));
        break;
      case K.Shr:
        r = this.let(shrU(get(v), c));
        this.c.set(FA, shrU(get(v), sub(c, k(1))));
        this.c.set(FB, get(v));
        break;
      default: // Sar
        r = this.let(shrS(get(v), c));
        this.c.set(FA, shrS(get(v), sub(c, k(1))));
        this.c.set(FB, k(0));
    }
    if (kind !== K.Rol && kind !== K.Ror) {
      this.c.set(FR, get(r)); this.c.set(FK, k(packK(C.SHIFT, 31, C.ARITH)));
      this.fw(F_FA | F_FB | F_FR | F_FK);
      this.cm = C.ARITH; this.co = C.SHIFT; this.ct = 31;
    }
    this.setR(i.rm, get(r));
    if (dynamic) { this.c.end(); this.forget(); }
  }

  /** An instruction without an inline form: its handler, through the runtime's `h`. */
  private call(s: Step): number | null {
    if (!this.inCpu) this.wbDirty();
    const q = this.tmp();
    this.c.set(q, callOut(Imp.Handler, k(this.spec.slot), k(this.k), k(s.eip), k(s.next), this.cnt(0)));
    const leave = (): void => {
      this.c.set(XIP, load(Op.i32_load, k(0), this.lay.state + ST_XIP));
      this.c.set(XK, k(this.kk(1)));
      this.c.set(XC, k(1));
      this.c.set(LNK, k(0));
      this.c.br(this.lOut);
    };
    if (endsBlock(s.i)) { leave(); return null; }
    this.c.if(get(q));
    leave();
    this.c.end();
    this.inCpu = true;
    this.forget();
    return s.next;
  }

  /** The region function's prologue and epilogue around body(). */
  prologue(): Code {
    this.ntmp = 0;
    const f = this.final!;
    const c = new Code();
    const st = this.lay.state;
    const segs = f.segR | f.segW;
    // The guard (codegen.ts generate): the mode it was written for. Refused on entry from JavaScript: -1
    // (another mode) or -2 (a code page not in the TLB); through a link: back to the dispatcher at the
    // target (the linking region stored it in XIP), unlinked when the mode is another.
    const fail = (code: number): void => {
      c.if(eqz(get(N0)));
      c.emit(k(code));
      c.op(Op.return);
      c.end();
      if (code === -1) { c.if(get(LINK)); c.store(Op.i32_store, get(LINK), k(0), 4); c.end(); }
      c.store(Op.i32_store, k(0), k(0), st + ST_LASTLINK);
      c.emit(get(N0));
      c.op(Op.return);
    };
    const modeNeed = (f.stack ? 1 : 0) | (f.segR << 1) | (f.segW << 7) | (f.identity ? MODE_IDENTITY : 0);
    if (modeNeed !== 0) {
      c.if(ne(and(load(Op.i32_load, k(0), st + ST_MODE), k(modeNeed)), k(modeNeed)));
      fail(-1);
      c.end();
    }
    // Bases used as locals must be multiples of 4 (an aligned offset gives an aligned address: codegen.ts);
    // those taken as 0 (spec.zeroBases) must be 0.
    let bases: Expr | null = null, zeros: Expr | null = null;
    for (let s = 0; s < 6; s++) {
      if ((segs & (1 << s)) === 0) continue;
      const base = load(Op.i32_load, k(0), st + ST_SEGBASE + 4 * s);
      if (((this.spec.zeroBases >> s) & 1) !== 0) { zeros = zeros === null ? base : or(zeros, base); continue; }
      c.set(SEG0 + s, base);
      bases = bases === null ? get(SEG0 + s) : or(bases, get(SEG0 + s));
    }
    if (bases !== null) { c.if(and(bases, k(3))); fail(-1); c.end(); }
    if (zeros !== null) { c.if(zeros); fail(-1); c.end(); }
    c.if(ltU(load(Op.i32_load, k(0), st + ST_SEGLIMIT + 4), k(this.spec.csLimitNeeded))); fail(-1); c.end(); // segLimit[CS]
    c.if(or(ne(get(RM), k(this.spec.rmask)), ne(get(WM), k(this.spec.wmask)))); fail(-1); c.end();
    const cb = this.tmp();
    c.set(cb, load(Op.i32_load, k(0), st + ST_SEGBASE + 4));
    const e = this.tmp();
    for (const p of this.spec.pages) {
      c.set(e, load(Op.i32_load, shl(shrU(add(get(cb), k(p.eip)), k(12)), k(2)), this.lay.tlb));
      c.if(eqz(and(get(e), k(this.spec.rmask)))); fail(-2); c.end();
      c.if(ne(shrU(get(e), k(12)), k(p.pp))); fail(-1); c.end();
    }
    c.store(Op.i32_store, k(0), get(BUDGET), st + ST_BUDGET);
    c.set(N, sub(get(BUDGET), get(N0)));
    for (let n = 0; n < 8; n++) if (f.regs & (1 << n)) c.set(REG0 + n, load(Op.i32_load, k(0), this.regAddr(n)));
    if (f.flags) loadFlags(c, this.lay);
    return c;
  }
  epilogue(): void {
    this.ntmp = 0;
    const c = this.c;
    const st = this.lay.state;
    c.if(eqz(get(XC)));
    this.wb();
    c.end();
    c.store(Op.i32_store, k(0), get(XIP), st + ST_XIP);
    const done = this.let(add(this.retired(), get(XK)));
    // Leaving through a link cell: go on in the region linked there when the cell is for this target (a
    // tail call: the state is in the state block, the next region loads it); else the cell now names this
    // target with no region, and the dispatcher links it if a region starts there.
    c.if(get(LNK));
    const v = this.tmp();
    c.set(v, load(Op.i32_load, get(LNK), 4));
    c.if(and(nz(get(v)), eq(load(Op.i32_load, get(LNK)), get(XIP))));
    c.tailCallTyped(IMP_TYPE[Imp.Jump], k(Imp.Jump), this.budget(), and(get(v), k(255)), k(this.spec.rmask), k(this.spec.wmask), get(done), get(LNK), shrU(get(v), k(8)));
    c.end();
    c.store(Op.i32_store, get(LNK), get(XIP));
    c.store(Op.i32_store, get(LNK), k(0), 4);
    c.end();
    c.store(Op.i32_store, k(0), get(LNK), st + ST_LASTLINK);
    c.emit(get(done));
  }
}

/**
 * Forms written inline here although the interpreter and the JavaScript backend call their handler (the
 * byte forms' handler in ops/alu.ts; each does what it does): 8-bit ADD/OR/AND/SUB/XOR/CMP (00-3D x0 x2 x4,
 * 80 /0 /1 /4 /5 /6 /7), and ADC/SBB r32 with a register or immediate operand (11 13 19 1B, 81/83 /2 /3).
 * The XZ decompressor runs XOR r8, m8 about 14 M times; the kernel's checksums ADC and SBB.
 */
export const enum W { First = 2000, Alu8 = 2000, AdcSbb, Nop, Lods, Scas }

export function wasmKind(i: Insn): number {
  const j = jitKind(i);
  if (j !== 0) return j;
  const d = lookup(i.op, i.reg);
  if (d === undefined) return 0;
  const op = i.op;
  if (i.exec === d.h16 && d.h16 === d.h32) {
    if (op === 0x90 && i.rep === 0) return W.Nop;
    if (i.rep === 0 && i.a32 && (op === 0xAC || op === 0xAE)) return op === 0xAC ? W.Lods : W.Scas;
    if (op < 0x40 && ((op & 7) === 0 || (op & 7) === 2 || (op & 7) === 4) && (op >> 3) !== 2 && (op >> 3) !== 3) return W.Alu8;
    if (op === 0x80 && i.reg !== 2 && i.reg !== 3) return W.Alu8;
    return 0;
  }
  if (i.o32 && i.exec === d.h32 && i.mod === 3) {
    if (op === 0x11 || op === 0x13 || op === 0x19 || op === 0x1B) return W.AdcSbb;
    if ((op === 0x81 || op === 0x83) && (i.reg === 2 || i.reg === 3)) return W.AdcSbb;
  }
  if (i.o32 && i.exec === d.h32 && i.rep === 0 && i.a32 && (op === 0xAD || op === 0xAF)) return op === 0xAD ? W.Lods : W.Scas;
  return 0;
}

/** Does this backend write the instruction inline in this mode? */
export function wasmInlineable(i: Insn, mode: GenMode): boolean {
  if (inlineable(i, mode)) return true;
  return mode.forms && (i.mod === 3 || i.a32) && wasmKind(i) >= W.First;
}

/** The register and flag locals a region writes (FN_WB's parameters, in this order). */
function writtenLocals(f: Needs): number[] {
  const out: number[] = [];
  for (let n = 0; n < 8; n++) if (f.regsW & (1 << n)) out.push(REG0 + n);
  for (const x of FLAG_SLOTS) if (f.flagsW & (1 << x)) out.push(FL + x);
  return out;
}

/** Store the value of register or flag local l where it lives in the state block (FK: in its three slots). */
function storeLocal(c: Code, lay: Layout, l: number, v: Expr): void {
  const fl = lay.state + ST_FLAGS;
  if (l < FL) { c.store(Op.i32_store, k(0), v, lay.state + ST_REGS + 4 * (l - REG0)); return; }
  if (l !== FK) { c.store(Op.i32_store, k(0), v, fl + 4 * (l - FL)); return; }
  c.store(Op.i32_store, k(0), and(v, k(K_MASK)), fl + 4 * SLOT_MASK);
  c.store(Op.i32_store, k(0), and(shrU(v, k(K_OP)), k((1 << (K_TOP - K_OP)) - 1)), fl + 4 * SLOT_OP);
  c.store(Op.i32_store, k(0), shrU(v, k(K_TOP)), fl + 4 * SLOT_TOP);
}

/** The flag locals from the state block. */
function loadFlags(c: Code, lay: Layout): void {
  const fl = lay.state + ST_FLAGS;
  const slot = (x: number): Expr => load(Op.i32_load, k(0), fl + 4 * x);
  for (const x of FLAG_SLOTS) if (x !== SLOT_MASK) c.set(FL + x, slot(x));
  c.set(FK, or(or(slot(SLOT_MASK), shl(slot(SLOT_OP), k(K_OP))), shl(slot(SLOT_TOP), k(K_TOP))));
}

export interface WasmGenerated {
  /** The module: imports j.rd .. j.h and the memory j.m; exports `run(budget, bi, rm, wm) -> retired`. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Segments accessed inline for reads / writes, and whether the stack is used inline. */
  segR: number;
  segW: number;
  stack: boolean;
  /** Its link cells: target EIP and address in memory; the range of cells it was given (index, count). */
  cells: { eip: number; addr: number }[];
  cellFirst: number;
  cellCount: number;
}

/** Write the module for a region translated in `mode`, for a memory of memoryPages whose RAM is ramSize bytes. */
export function generateWasm(region: Region, mode: GenMode, ramSize: number, memoryPages: number, spec: WasmRegionSpec): WasmGenerated {
  const lay = layoutFor(ramSize);
  const first = new WasmWriter(region, mode, null, lay, spec, { first: 0, count: Infinity });
  first.body();
  // (The second pass takes the same exits: as many cells as the first counted.)
  const want = first.cells.length, at = want > 0 ? spec.allocCells(want) : -1;
  const w = new WasmWriter(region, mode, first.need, lay, spec, at < 0 ? { first: 0, count: 0 } : { first: at, count: want });
  w.body();
  w.epilogue();
  const pro = w.prologue();
  // (The two passes must agree: the second may only use what the first collected.)
  const f = w.need, n0 = first.need;
  if ((f.regs & ~n0.regs) !== 0 || (f.flagsW & ~n0.flagsW) !== 0 || (f.flags && !n0.flags) || (f.identity && !n0.identity)) throw new Error('jit: wasm passes disagree');
  const dyn = new Code();
  for (const b of region.blocks) {
    dyn.if(eq(get(0), k(b.eip)));
    dyn.emit(k(b.index));
    dyn.op(Op.return);
    dyn.end();
  }
  dyn.emit(k(-1));
  const wl = writtenLocals(f);
  const wbf = new Code();
  wl.forEach((l, x) => storeLocal(wbf, lay, l, get(x)));
  const bytes = buildModule({
    type0: RUN_TYPE,
    table: Imp.Count,
    types: CALLOUT_TYPES,
    tableName: 'c',
    imports: [],
    memoryPages,
    functions: [
      { type: { params: PARAMS, result: true }, locals: FIRST_TMP - PARAMS + w.maxTmp, code: [pro.b.bytes(), w.c.b.bytes()], export: 'run' },
      { type: { params: 1, result: true }, locals: 0, code: [dyn.b.bytes()] },
      { type: { params: wl.length, result: false }, locals: 0, code: [wbf.b.bytes()] },
    ],
  });
  return {
    bytes, segR: f.segR, segW: f.segW, stack: f.stack, cells: w.cells.map((c) => ({ eip: c.eip ?? 0, addr: c.addr })),
    cellFirst: at < 0 ? 0 : at, cellCount: at < 0 ? 0 : want,
  };
}
