// JavaScript source for a region (region.ts). Each instruction with an inline form in the interpreter
// (interp.ts K.*) is written out with its operands folded in (register numbers, displacements,
// immediates, EIPs); every other instruction calls its handler from the opcode table.
//
// What the generated function keeps where:
// - Guest registers the block uses live in locals r0..r7, loaded on entry; the flags state (cpu.flags
//   and the lazy record lazyMask/lazyOp/lazyA/lazyB/lazyRes/lazyTop) in locals fl fm fo fa fb fr ft.
//   Where the operation and size of the last flag-setting instruction are known here (a register ALU
//   operation earlier in the block), conditions are evaluated from its operands directly (CMP + JB is an
//   unsigned compare) and the stores of an instruction whose flags nobody reads disappear.
// - The CPU's copies are written back (WB) at every exit, before every handler call, and before any call
//   that can fault or reach a device (the slow path of a memory access, a #GP): there the CPU also gets
//   the EIP of the instruction and the exact instruction count, so a fault leaves exactly the state the
//   interpreter leaves. Those write-backs sit in the slow branches only; the fast path of a memory access
//   (TLB entry with the access bit for this CPL: plain RAM, cpu.ts) is a typed-array access.
// - After anything that leaves the generated code (a handler, a slow memory access) the block looks at
//   cpu.attention and leaves at the end of that instruction when it is set (dispatch.ts).
// The function refuses to run (returns -1) unless the CPU is in the mode it was written for: the
// segments it accesses inline admit every offset (cpu.wideR / wideW, the interpreter's inline test) with
// bases aligned to 4, SS.B = 1 when it uses the stack inline, a CS limit covering every instruction and
// static branch target, and the TLB mapping its other pages where they were.

import type { Insn } from '../insn.ts';
import { K } from '../interp.ts';
import { lookup } from '../opcode-table.ts';
import { endsBlock, type Block, type Region, type Step } from './region.ts';

/** Flag-state locals and the CPU fields they mirror. */
const FLAG_LOCALS: [string, string][] = [
  ['fl', 'flags'], ['fm', 'lazyMask'], ['fo', 'lazyOp'], ['fa', 'lazyA'], ['fb', 'lazyB'], ['fr', 'lazyRes'], ['ft', 'lazyTop'],
];
const F_FL = 1, F_FM = 2, F_FO = 4, F_FA = 8, F_FB = 16, F_FR = 32, F_FT = 64;

const enum C {
  CF = 0x1, PF = 0x4, ZF = 0x40, SF = 0x80, OF = 0x800, ARITH = 0x8D5,
  ADD = 0, SUB = 1, LOGIC = 2, SS = 2,
}

/** The CPU mode a block is written for (read when translating). */
export interface GenMode {
  wideR: number;
  wideW: number;
  stack32: boolean;
  /** cpu.inlineForms: off, every instruction calls its handler (tests compare the two). */
  forms: boolean;
}

/** Bits of the generated function's environment, collected while writing it. */
interface Needs {
  /** Registers read or written (loaded on entry) and written (written back). */
  regs: number;
  regsW: number;
  /** Flag locals used at all (all are loaded on entry) and written (written back). */
  flags: boolean;
  flagsW: number;
  /** Segments accessed inline for reads / writes (their bases are loaded and checked on entry). */
  segR: number;
  segW: number;
  stack: boolean;
  /** Handler calls: step indexes whose Insn the closure keeps. */
  calls: Set<number>;
}

function emptyNeeds(): Needs {
  return { regs: 0, regsW: 0, flags: false, flagsW: 0, segR: 0, segW: 0, stack: false, calls: new Set() };
}

const ALU_OPS = ['+', '|', '&', '-', '^', '-'];

/** The carry out of bit `top` of the lazy record's ADD / SUB, as 0/1 (cpu.ts getCF). */
const CARRY_ADD = (top: string): string => `(((fa & fb) | ((fa | fb) & ~fr)) >>> ${top}) & 1`;
const CARRY_SUB = (top: string): string => `(((~fa & fb) | (~(fa ^ fb) & fr)) >>> ${top}) & 1`;

/** Longest path written out in one case (body), and most steps written in all per step of the region. */
const MAX_PATH_STEPS = 64;
const MAX_WRITTEN_FACTOR = 3;

class Writer {
  out: string[] = [];
  /** Collected by this pass. */
  readonly need = emptyNeeds();
  /** What is known about the flags at the current point: lazyMask, lazyOp, lazyTop (null: not known). */
  cm: number | null = null;
  co: number | null = null;
  ct: number | null = null;
  /** Index of the current step in the pass, and its step. */
  k = 0;
  s!: Step;
  /** A slow path of the current step may have set sx (leave after the step). */
  slow = false;
  /**
   * After a handler call the CPU holds the state and the locals are stale until reloaded (an inline step
   * or a loop back edge reloads them); dirtyR / dirtyF: locals changed since the CPU last had them.
   */
  inCpu = false;
  dirtyR = 0;
  dirtyF = 0;
  private tmp = 0;

  /** The block being written, and the position of the current step in it. */
  b!: Block;
  p = 0;

  constructor(
    private readonly region: Region,
    private readonly mode: GenMode,
    /** The previous pass's needs (decides write-backs and reloads); null in the first pass. */
    private readonly final: Needs | null,
  ) {
    region.steps.forEach((s, k) => this.index.set(s, k));
  }
  /** Each step's number (its index in region.steps: E, Q and the handler table use it). */
  private readonly index = new Map<Step, number>();

  t(prefix: string): string { return `${prefix}_${this.tmp++}`; }
  emit(line: string): void { this.out.push(line); }

  // ---- registers ----
  R(n: number): string { this.need.regs |= 1 << n; return `r${n}`; }
  setR(n: number, expr: string): void {
    this.need.regs |= 1 << n; this.need.regsW |= 1 << n; this.dirtyR |= 1 << n;
    this.emit(`r${n} = ${expr};`);
  }
  R8(n: number): string { return n < 4 ? `(${this.R(n)} & 255)` : `((${this.R(n - 4)} >> 8) & 255)`; }
  setR8(n: number, expr: string): void {
    if (n < 4) this.setR(n, `(r${n} & -256) | ((${expr}) & 255)`);
    else this.setR(n - 4, `(r${n - 4} & -65281) | (((${expr}) & 255) << 8)`);
  }
  R16(n: number): string { return `(${this.R(n)} & 65535)`; }
  setR16(n: number, expr: string): void { this.setR(n, `(r${n} & -65536) | ((${expr}) & 65535)`); }

  // ---- flags ----
  useFlags(): void { this.need.flags = true; }
  /** Set the lazy record (cpu.setLazy / setLogic as the interpreter's inline forms store it). */
  lazy(op: number, a: string | null, b: string | null, r: string, top: number, mask = C.ARITH): void {
    this.useFlags();
    if (op !== C.LOGIC) { this.emit(`fa = ${a}; fb = ${b};`); this.fw(F_FA | F_FB); }
    this.emit(`fr = ${r}; fo = ${op}; ft = ${top}; fm = ${mask};`);
    this.fw(F_FR | F_FO | F_FT | F_FM);
    this.cm = mask; this.co = op; this.ct = top;
  }
  forget(): void { this.cm = null; this.co = null; this.ct = null; }
  /** Flag locals written (write-back set, dirty). */
  fw(bits: number): void { this.need.flagsW |= bits; this.dirtyF |= bits; }

  cf(): string {
    this.useFlags();
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) return `((fm & 1) === 0 ? (fl & 1) !== 0 : ${this.cfBit()} !== 0)`;
    if ((cm & C.CF) === 0) return '((fl & 1) !== 0)';
    return this.wrap32() ?? `(${this.cfBit()} !== 0)`;
  }
  /** CF as 0/1 (for folding into fl). */
  cfBit(): string {
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) {
      return `(fo === 0 ? ${CARRY_ADD('ft')} : fo === 1 ? ${CARRY_SUB('ft')} : fo === 3 ? fa & 1 : 0)`;
    }
    const w = this.wrap32();
    if (w !== null) return `(${w} ? 1 : 0)`;
    return co === C.ADD ? `(${CARRY_ADD(String(ct))})` : co === C.SUB ? `(${CARRY_SUB(String(ct))})` : '0';
  }
  /**
   * CF of a record stored by an inline 32-bit ADD/SUB here (no carry in): the unsigned wrap, as a
   * comparison; null for any other record.
   */
  private wrap32(): string | null {
    if (this.ct !== 31) return null;
    return this.co === C.ADD ? '((fr >>> 0) < (fa >>> 0))' : this.co === C.SUB ? '((fa >>> 0) < (fb >>> 0))' : null;
  }
  zf(): string {
    this.useFlags();
    const { cm, ct } = this;
    if (cm === null || ct === null) return '((fm & 64) !== 0 ? ((fr << (31 - ft)) | 0) === 0 : (fl & 64) !== 0)';
    if ((cm & C.ZF) === 0) return '((fl & 64) !== 0)';
    return ct === 31 ? '(fr === 0)' : `(((fr << ${31 - ct}) | 0) === 0)`;
  }
  sf(): string {
    this.useFlags();
    const { cm, ct } = this;
    if (cm === null || ct === null) return '((fm & 128) !== 0 ? ((fr >>> ft) & 1) !== 0 : (fl & 128) !== 0)';
    if ((cm & C.SF) === 0) return '((fl & 128) !== 0)';
    return ct === 31 ? '(fr < 0)' : `(((fr >>> ${ct}) & 1) !== 0)`;
  }
  of(): string {
    this.useFlags();
    const { cm, co, ct } = this;
    if (cm === null || co === null || ct === null) {
      return '((fm & 2048) === 0 ? (fl & 2048) !== 0 : (fo === 0 ? (((fa ^ fr) & (fb ^ fr)) >>> ft) & 1 : fo === 1 ? (((fa ^ fb) & (fa ^ fr)) >>> ft) & 1 : fo === 3 ? (fb >>> ft) & 1 : 0) !== 0)';
    }
    if ((cm & C.OF) === 0) return '((fl & 2048) !== 0)';
    if (co === C.ADD) return ct === 31 ? '(((fa ^ fr) & (fb ^ fr)) < 0)' : `(((((fa ^ fr) & (fb ^ fr)) >>> ${ct}) & 1) !== 0)`;
    if (co === C.SUB) return ct === 31 ? '(((fa ^ fb) & (fa ^ fr)) < 0)' : `(((((fa ^ fb) & (fa ^ fr)) >>> ${ct}) & 1) !== 0)`;
    return 'false';
  }
  pf(): string {
    this.useFlags();
    const { cm } = this;
    if (cm === null) return '((fm & 4) !== 0 ? P[fr & 255] !== 0 : (fl & 4) !== 0)';
    if ((cm & C.PF) === 0) return '((fl & 4) !== 0)';
    return '(P[fr & 255] !== 0)';
  }

  /** Condition code cc (Jcc/SETcc/CMOVcc low nibble) as cpu.cond evaluates it (SDM vol. 2 Appendix B.1.4.7). */
  cond(cc: number): string {
    this.useFlags();
    const { cm, co, ct } = this;
    let e: string | null = null;
    const c = cc >> 1;
    if (cm === C.ARITH && co === C.SUB && ct === 31) {
      // CMP/SUB a, b: the conditions are comparisons of a and b.
      e = c === 1 ? '((fa >>> 0) < (fb >>> 0))' : c === 2 ? '(fa === fb)' : c === 3 ? '((fa >>> 0) <= (fb >>> 0))'
        : c === 6 ? '(fa < fb)' : c === 7 ? '(fa <= fb)' : null;
    } else if (cm === C.ARITH && co === C.SUB && ct === 7) {
      // 8-bit CMP of zero-extended bytes.
      e = c === 1 ? '(fa < fb)' : c === 2 ? '(fa === fb)' : c === 3 ? '(fa <= fb)'
        : c === 6 ? '((fa << 24) < (fb << 24))' : c === 7 ? '((fa << 24) <= (fb << 24))' : null;
    } else if (cm === C.ARITH && co === C.LOGIC && ct === 31) {
      // Logical operations clear CF and OF.
      e = c === 0 || c === 1 ? 'false' : c === 3 ? '(fr === 0)' : c === 6 ? '(fr < 0)' : c === 7 ? '(fr <= 0)' : null;
    }
    if (e === null) {
      switch (c) {
        case 0: e = this.of(); break;
        case 1: e = this.cf(); break;
        case 2: e = this.zf(); break;
        case 3: e = `(${this.cf()} || ${this.zf()})`; break;
        case 4: e = this.sf(); break;
        case 5: e = this.pf(); break;
        case 6: e = `(${this.sf()} !== ${this.of()})`; break;
        default: e = `(${this.zf()} || ${this.sf()} !== ${this.of()})`; break;
      }
    }
    return (cc & 1) !== 0 ? `!${e}` : e;
  }

  // ---- state write-back, exits ----
  /** Count of instructions retired before the current step plus d (a JS expression). */
  /**
   * Instructions retired before the current step plus d, as a JavaScript expression: `n` counts every
   * instruction up to the end of the current block (added at its start), so this is n minus a constant.
   */
  cnt(d: number): string { return `n + ${this.kk(d)}`; }
  /** The constant of cnt(d) (0 or negative). */
  kk(d: number): number { return this.p + d - this.b.steps.length; }
  /** Write back every local the block changes (exits, faults). */
  wb(): string { return this.wbOf(-1, -1); }
  /** Write back the locals changed since the CPU last had them, and mark them clean. */
  wbDirty(): string {
    const s = this.wbOf(this.dirtyR, this.dirtyF);
    this.dirtyR = 0; this.dirtyF = 0;
    return s;
  }
  private wbOf(regs: number, flags: number): string {
    const f = this.final;
    if (f === null) return '';
    let s = '';
    for (let n = 0; n < 8; n++) if (f.regsW & regs & (1 << n)) s += `r32[${n}] = r${n}; `;
    FLAG_LOCALS.forEach(([l, field], x) => { if (f.flagsW & flags & (1 << x)) s += `cpu.${field} = ${l}; `; });
    return s;
  }
  reload(): string {
    const f = this.final;
    if (f === null) return '';
    let s = '';
    for (let n = 0; n < 8; n++) if (f.regs & (1 << n)) s += `r${n} = r32[${n}]; `;
    if (f.flags) for (const [l, field] of FLAG_LOCALS) s += `${l} = cpu.${field}; `;
    return s;
  }
  /**
   * Before a call that may fault (the slow path of a memory access, a #GP): the CPU gets every local the
   * region writes, the instruction's EIP and the count of the instructions before it, so that a fault
   * leaves exactly the state the interpreter leaves. (No try/catch around the region: V8's optimizing
   * compiler pays for one with a merge of every live local at every call inside it.)
   */
  sync(): string { return `${this.wb()}cpu.ip = ${this.s.eip}; cpu.icount = ic0 + ${this.cnt(0)};`; }
  /** Leave the block after d instructions of this step, at `ip`: through the common epilogue. */
  exit(d: number, ip: string): string {
    // (Exits assign locals only, no arithmetic: V8 optimizes code before rare paths have run, and an
    // operation without type feedback there would throw the optimized code away the first time one does.)
    return `{ xip = ${ip}; xk = ${this.kk(d)}; ${this.inCpu ? 'xc = 1; ' : ''}break out; }`;
  }
  /** Locals valid again after handler calls. */
  fresh(): void {
    if (!this.inCpu) return;
    this.emit(this.reload());
    this.inCpu = false;
  }
  /** The slow path of a memory access or a handler fallback: leave after this step if attention is set. */
  att(): string { this.slow = true; return 'if (cpu.attention !== 0) sx = 1;'; }

  // ---- memory ----
  ea(i: Insn): string {
    const parts: string[] = [];
    if (i.base >= 0) parts.push(this.R(i.base));
    if (i.index >= 0) parts.push(i.scale ? `(${this.R(i.index)} << ${i.scale})` : this.R(i.index));
    if (i.disp !== 0 || parts.length === 0) parts.unshift(String(i.disp));
    return parts.length === 1 && i.disp === 0 ? parts[0] : `(${parts.join(' + ')}) | 0`;
  }
  private wideR(s: number): boolean { return ((this.mode.wideR >> s) & 1) !== 0; }
  private wideW(s: number): boolean { return ((this.mode.wideW >> s) & 1) !== 0; }

  /** Read `size` bytes at s:off into a fresh local; returns its name. */
  read(size: 1 | 2 | 4, s: number, off: string): string {
    const o = this.t('o'), v = this.t('v');
    this.emit(`const ${o} = ${off}; let ${v};`);
    const slowCall = `{ ${this.sync()} ${v} = cpu.read${size * 8}(${s}, ${o}); ${this.att()} }`;
    if (!this.wideR(s)) { this.emit(slowCall); return v; }
    this.need.segR |= 1 << s;
    const l = this.t('l'), e = this.t('e');
    this.emit(`const ${l} = (b${s} + ${o}) | 0, ${e} = tlb[${l} >>> 12];`);
    const idx = `(${e} & -4096) | (${l} & 4095)`;
    if (size === 4) this.emit(`if ((${e} & RM) !== 0 && (${l} & 3) === 0) ${v} = m32[(${idx}) >>> 2]; else ${slowCall}`);
    else if (size === 2) this.emit(`if ((${e} & RM) !== 0 && (${l} & 1) === 0) ${v} = m16[(${idx}) >>> 1]; else ${slowCall}`);
    else this.emit(`if ((${e} & RM) !== 0) ${v} = m8[(${idx}) >>> 0]; else ${slowCall}`);
    return v;
  }

  write(size: 1 | 2 | 4, s: number, off: string, val: string): void {
    const o = this.t('o');
    this.emit(`const ${o} = ${off};`);
    const slowCall = `{ ${this.sync()} cpu.write${size * 8}(${s}, ${o}, ${val}); ${this.att()} }`;
    if (!this.wideW(s)) { this.emit(slowCall); return; }
    this.need.segW |= 1 << s;
    const l = this.t('l'), e = this.t('e');
    this.emit(`const ${l} = (b${s} + ${o}) | 0, ${e} = tlb[${l} >>> 12];`);
    const idx = `(${e} & -4096) | (${l} & 4095)`;
    if (size === 4) this.emit(`if ((${e} & WM) !== 0 && (${l} & 3) === 0) m32[(${idx}) >>> 2] = ${val}; else ${slowCall}`);
    else if (size === 2) this.emit(`if ((${e} & WM) !== 0 && (${l} & 1) === 0) m16[(${idx}) >>> 1] = ${val}; else ${slowCall}`);
    else this.emit(`if ((${e} & WM) !== 0) m8[(${idx}) >>> 0] = ${val}; else ${slowCall}`);
  }

  /**
   * Read-modify-write of a dword at s:off: `body(a)` gets the old value's local and returns the new
   * value's. Where the interpreter's rmwSlot finds a direct slot (the TLB grants the write) the dword is
   * read and written in place; else through cpu.rmw32 (all checks, may fault, nothing changed yet) and
   * cpu.commit32, which is what the handler does.
   */
  rmw(s: number, off: string, body: (a: string) => string): void {
    const o = this.t('o'), a = this.t('a'), p = this.t('p');
    this.emit(`const ${o} = ${off}; let ${a}, ${p} = -1;`);
    const slowRead = `{ ${this.sync()} ${a} = cpu.rmw32(${s}, ${o}); }`;
    if (!this.wideW(s)) this.emit(slowRead);
    else {
      this.need.segW |= 1 << s;
      const l = this.t('l'), e = this.t('e');
      this.emit(`const ${l} = (b${s} + ${o}) | 0, ${e} = tlb[${l} >>> 12];`);
      this.emit(`if ((${e} & WM) !== 0 && (${l} & 3) === 0) { ${p} = ((${e} & -4096) | (${l} & 4095)) >>> 2; ${a} = m32[${p}]; } else ${slowRead}`);
    }
    const r = body(a);
    this.emit(`if (${p} >= 0) m32[${p}] = ${r}; else { cpu.commit32(${r}); ${this.att()} }`);
  }

  handlerRef(): string { this.need.calls.add(this.k); return `x${this.k}`; }

  // ---- stack (SS.B = 1, SS admits every offset: checked on entry) ----
  push(val: string): void {
    this.need.stack = true;
    const sp = this.t('s');
    this.emit(`const ${sp} = (${this.R(4)} - 4) | 0;`);
    this.write(4, C.SS, sp, val);
    this.setR(4, sp);
  }
  pop(): string {
    this.need.stack = true;
    const sp = this.t('s');
    this.emit(`const ${sp} = ${this.R(4)};`);
    const v = this.read(4, C.SS, sp);
    this.setR(4, `(${sp} + 4) | 0`);
    return v;
  }

  /** Branch target check of a dynamic target (go32): #GP(0) beyond the CS limit. */
  checkTarget(t: string): void {
    this.emit(`if ((${t} >>> 0) > csLim) { ${this.sync()} cpu.fault(13, 0); }`);
  }

  // =====================================================================================================

  /**
   * Go on at static target `t` after d instructions of this step: the target's block when the region has
   * it, else leave the region there. `last`: this is the block's final transfer, and the target may be
   * written right after it (the path goes on inline, see body) instead of through the dispatch loop.
   */
  goto(d: number, t: number, last = false): string {
    const j = this.region.byEip.get(t);
    if (j === undefined) return this.exit(d, String(t));
    let s = this.slow ? `if (sx !== 0) ${this.exit(d, String(t))} ` : '';
    if (last && this.mayInline(j)) { this.then = j; return s; }
    if (this.inCpu) s += this.reload();
    return `{ ${s}bi = ${j}; continue; }`;
  }
  /** Go on at the run-time target in local `t` after d instructions of this step (RET, indirect JMP/CALL). */
  dyn(d: number, t: string): string {
    const s = this.slow ? `if (sx !== 0) ${this.exit(d, t)} ` : '';
    return `{ ${s}bi = dyn(${t}); if (bi < 0) { xip = ${t}; xk = ${this.kk(d)}; break out; } continue; }`;
  }

  // ---- paths: each case of the dispatch loop is its block followed by the blocks a jump or a call goes
  // on to, and the return to a call made on the path, written out one after the other as long as the path
  // does not come back to a block on it: a call and its return cost no trip through the dispatch loop.
  // (Writing out the fall-through of conditional branches too made the kernel's XZ decompressor 1.5x
  // slower: longer functions for V8 to compile, for code that branches either way.)

  /** Blocks on the path being written; return addresses of the calls made on it. */
  private onPath = new Set<number>();
  private calls: number[] = [];
  /** Steps written in the current path, and in all. */
  private pathSteps = 0;
  private allSteps = 0;
  /** Set by goto / the RET prediction: the block the path goes on with. */
  private then = -1;

  private mayInline(j: number): boolean {
    const n = this.region.blocks[j].steps.length;
    return !this.onPath.has(j) && this.pathSteps + n <= MAX_PATH_STEPS &&
      this.allSteps + n <= MAX_WRITTEN_FACTOR * this.region.steps.length;
  }

  /** The whole function body: a dispatch loop over the region's blocks. */
  body(): string {
    const rg = this.region;
    this.out = [];
    this.allSteps = 0;
    this.emit('out: for (;;) {');
    this.emit('switch (bi) {');
    for (const first of rg.blocks) {
      // At a case the locals hold everything (whichever way it was reached); nothing is known of the flags.
      this.inCpu = false; this.dirtyR = -1; this.dirtyF = -1;
      this.forget();
      this.onPath.clear(); this.calls = []; this.pathSteps = 0;
      this.emit(`case ${first.index}:`);
      for (let b: Block | null = first; b !== null;) {
        this.onPath.add(b.index);
        this.pathSteps += b.steps.length;
        this.allSteps += b.steps.length;
        this.then = -1;
        this.block(b);
        b = this.then >= 0 ? rg.blocks[this.then] : null;
      }
    }
    this.emit('default: throw new Error("jit: no block " + bi);');
    this.emit('}');
    this.emit('}');
    return this.out.join('\n');
  }

  /** One block of a path (it runs only if all of it fits in the budget). */
  private block(b: Block): void {
    this.b = b;
    this.emit(`if (n + ${b.steps.length} > budget) { xip = ${b.eip}; xk = 0; ${this.inCpu ? 'xc = 1; ' : ''}break out; } n = n + ${b.steps.length};`);
    for (let p = 0; p < b.steps.length; p++) {
      this.k = this.index.get(b.steps[p])!;
      this.p = p;
      this.s = b.steps[p];
      this.slow = false;
      this.emit(`// ${this.k}: ${this.s.eip >>> 0} op ${this.s.i.op.toString(16)} kind ${this.s.i.fast}`);
      this.emit('{');
      const after = this.step(this.s);
      if (this.slow && after !== null) this.emit(`if (sx !== 0) ${this.exit(1, after)}`);
      this.emit('}');
    }
    if (b.fall !== -1) {
      this.p = b.steps.length - 1;
      this.slow = false;
      this.emit(this.goto(1, b.fall));
    }
  }

  /**
   * One instruction. Returns the JS expression of where execution goes on after it (for a leave forced by
   * a slow path), or null when the step always leaves by itself.
   */
  private step(s: Step): string | null {
    const i = s.i;
    if (!inlineable(i, this.mode)) return this.call(s);
    this.fresh();
    const k = jitKind(i);
    if (k >= J.First) { this.extra(k, i); return String(s.next); }
    const next = String(s.next);
    // ALU families: r/m ← r/m op reg, reg ← reg op r/m, r/m ← r/m op imm, and the memory forms.
    if (k >= K.AddRM && k <= K.CmpI) {
      const fam = Math.floor((k - K.AddRM) / 6), op = (k - K.AddRM) % 6;
      const dst = fam === 1 ? i.reg : i.rm;
      const a = this.R(dst), b = fam === 0 ? this.R(i.reg) : fam === 1 ? this.R(i.rm) : String(i.imm);
      this.alu(op, a, b, op === 5 ? -1 : dst);
      return next;
    }
    if (k >= K.AddLd && k <= K.CmpLd) {
      const op = k - K.AddLd;
      const b = this.read(4, i.seg, this.ea(i));
      this.alu(op, this.R(i.reg), b, op === 5 ? -1 : i.reg);
      return next;
    }
    if (k === K.CmpSt || k === K.CmpMI) {
      const a = this.read(4, i.seg, this.ea(i));
      this.alu(5, a, k === K.CmpSt ? this.R(i.reg) : String(i.imm), -1);
      return next;
    }
    if ((k >= K.AddSt && k <= K.XorSt) || (k >= K.AddMI && k <= K.XorMI)) {
      const op = k >= K.AddMI ? k - K.AddMI : k - K.AddSt;
      const b = k >= K.AddMI ? String(i.imm) : this.R(i.reg);
      this.useFlags();
      const m = ALU_OPS[op];
      this.rmw(i.seg, this.ea(i), (a) => {
        const r = this.t('r');
        if (op === 0 || op === 3) this.emit(`const ${r} = (fa = ${a}, fb = ${b}, (fa ${m} fb) | 0);`);
        else this.emit(`const ${r} = ${a} ${m} ${b};`);
        this.emit(`fr = ${r};`);
        return r;
      });
      const lop = op === 0 ? C.ADD : op === 3 ? C.SUB : C.LOGIC;
      this.emit(`fo = ${lop}; ft = 31; fm = ${C.ARITH};`);
      this.fw(F_FA | F_FB | F_FR | F_FO | F_FT | F_FM);
      this.cm = C.ARITH; this.co = lop; this.ct = 31;
      return next;
    }
    switch (k) {
      case K.TestRR: this.lazy(C.LOGIC, null, null, `${this.R(i.rm)} & ${this.R(i.reg)}`, 31); return next;
      case K.TestM: { const a = this.read(4, i.seg, this.ea(i)); this.lazy(C.LOGIC, null, null, `${a} & ${this.R(i.reg)}`, 31); return next; }
      case K.TestEI: {
        const a = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        this.lazy(C.LOGIC, null, null, `${a} & ${i.imm}`, 31);
        return next;
      }
      case K.TestEbI: {
        const a = i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i));
        this.lazy(C.LOGIC, null, null, `${a} & ${i.imm}`, 7);
        return next;
      }
      case K.CmpRbI: this.cmp8(this.R8(i.rm), String(i.imm & 0xFF)); return next;
      case K.CmpEbGb: this.cmp8(this.R8(i.rm), this.R8(i.reg)); return next;
      case K.CmpGbEb: this.cmp8(this.R8(i.reg), this.R8(i.rm)); return next;
      case K.CmpEbI: { const a = this.read(1, i.seg, this.ea(i)); this.cmp8(a, String(i.imm & 0xFF)); return next; }
      case K.TestRRb: this.lazy(C.LOGIC, null, null, `${this.R8(i.rm)} & ${this.R8(i.reg)}`, 7); return next;
      case K.MovRRb:
        if (i.op === 0x88) this.setR8(i.rm, this.R8(i.reg)); else this.setR8(i.reg, this.R8(i.rm));
        return next;
      case K.IncR: case K.DecR: {
        const n = i.op & 7;
        this.foldCF();
        this.incDec(k === K.DecR, this.R(n), (r) => this.setR(n, r));
        return next;
      }
      case K.IncM: case K.DecM: {
        const dec = k === K.DecM;
        this.useFlags();
        this.rmw(i.seg, this.ea(i), (a) => {
          this.foldCF();
          const r = this.t('r');
          this.emit(`const ${r} = (fa = ${a}, fb = 1, (fa ${dec ? '-' : '+'} 1) | 0); fr = ${r};`);
          return r;
        });
        this.emit(`fo = ${dec ? C.SUB : C.ADD}; ft = 31; fm = ${C.ARITH & ~C.CF};`);
        this.fw(F_FL | F_FA | F_FB | F_FR | F_FO | F_FT | F_FM);
        this.cm = C.ARITH & ~C.CF; this.co = dec ? C.SUB : C.ADD; this.ct = 31;
        return next;
      }
      case K.Rol: case K.Ror: case K.Shl: case K.Shr: case K.Sar: this.shift(i); return next;
      case K.NotR: this.setR(i.rm, `~${this.R(i.rm)}`); return next;
      case K.NegR: {
        const a = this.t('a');
        this.emit(`const ${a} = ${this.R(i.rm)};`);
        this.lazy(C.SUB, '0', a, `(-${a}) | 0`, 31);
        this.setR(i.rm, 'fr');
        return next;
      }

      // ---- branches (each ends its block: region.ts) ----
      case K.Jz: case K.Jnz: case K.Jb: case K.Jbe: case K.Js: case K.Jl: case K.Jle: case K.Jcc: {
        const t = (s.next + i.imm) | 0;
        this.emit(`if (${this.cond(i.op & 0xF)}) ${this.goto(1, t)}`);
        this.emit(this.goto(1, s.next));
        return null;
      }
      case K.Jmp:
        this.emit(this.goto(1, (s.next + i.imm) | 0, true));
        return null;
      case K.CallRel:
        this.push(next);
        this.emit(this.goto(1, (s.next + i.imm) | 0, true));
        if (this.then >= 0) this.calls.push(s.next);
        return null;
      case K.Ret: {
        this.need.stack = true;
        const sp = this.t('s');
        this.emit(`const ${sp} = ${this.R(4)};`);
        const t = this.read(4, C.SS, sp);
        this.checkTarget(t);
        this.setR(4, `(${sp} + ${4 + i.imm}) | 0`);
        // The return of a call made on this path: on inline when it goes where the call came from.
        const r = this.calls.length > 0 ? this.calls[this.calls.length - 1] : undefined;
        const j = r === undefined ? undefined : this.region.byEip.get(r);
        if (r !== undefined && j !== undefined && this.mayInline(j)) {
          this.calls.pop();
          this.emit(`if (${t} !== ${r}) ${this.dyn(1, t)}`);
          this.emit(this.goto(1, r, true));
          return null;
        }
        this.emit(this.dyn(1, t));
        return null;
      }
      case K.CallE: case K.JmpE: {
        const t = this.t('t');
        this.emit(`const ${t} = ${i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i))};`); // (CALL ESP pushes first)
        this.checkTarget(t);
        if (k === K.CallE) this.push(next);
        this.emit(this.dyn(1, t));
        return null;
      }

      // ---- stack ----
      case K.PushR: this.push(this.R(i.op & 7)); return next;
      case K.PopR: { const v = this.pop(); this.setR(i.op & 7, v); return next; }
      case K.PushI: this.push(String(i.imm)); return next;
      case K.PushE: { const v = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i)); this.push(v); return next; }
      case K.Leave: {
        this.need.stack = true;
        const bp = this.t('s');
        this.emit(`const ${bp} = ${this.R(5)};`);
        const v = this.read(4, C.SS, bp);
        this.setR(4, `(${bp} + 4) | 0`);
        this.setR(5, v);
        return next;
      }

      // ---- data movement ----
      case K.MovRR: if (i.op === 0x89) this.setR(i.rm, this.R(i.reg)); else this.setR(i.reg, this.R(i.rm)); return next;
      case K.MovStore: this.write(4, i.seg, this.ea(i), this.R(i.reg)); return next;
      case K.MovLoad: { const v = this.read(4, i.seg, this.ea(i)); this.setR(i.reg, v); return next; }
      case K.MovRI: this.setR(i.op & 7, String(i.imm)); return next;
      case K.MovEI: if (i.mod === 3) this.setR(i.rm, String(i.imm)); else this.write(4, i.seg, this.ea(i), String(i.imm)); return next;
      case K.Lea: this.setR(i.reg, this.ea(i)); return next;
      case K.MovzxB: this.setR(i.reg, i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i))); return next;
      case K.MovzxW: this.setR(i.reg, i.mod === 3 ? this.R16(i.rm) : this.read(2, i.seg, this.ea(i))); return next;
      case K.MovsxB: {
        const v = i.mod === 3 ? this.R8(i.rm) : this.read(1, i.seg, this.ea(i));
        this.setR(i.reg, `(${v} << 24) >> 24`);
        return next;
      }
      case K.MovsxW: {
        const v = i.mod === 3 ? this.R16(i.rm) : this.read(2, i.seg, this.ea(i));
        this.setR(i.reg, `(${v} << 16) >> 16`);
        return next;
      }
      case K.MovStoreB: this.write(1, i.seg, this.ea(i), this.R8(i.reg)); return next;
      case K.MovLoadB: { const v = this.read(1, i.seg, this.ea(i)); this.setR8(i.reg, v); return next; }
      case K.MovEbI: if (i.mod === 3) this.setR8(i.rm, String(i.imm)); else this.write(1, i.seg, this.ea(i), String(i.imm & 0xFF)); return next;
      case K.MovRbI: this.setR8(i.op & 7, String(i.imm)); return next;
      case K.XchgRR: case K.XchgA: {
        const a = k === K.XchgA ? 0 : i.reg, b = k === K.XchgA ? i.op & 7 : i.rm;
        const t = this.t('x');
        this.emit(`const ${t} = ${this.R(a)};`);
        this.setR(a, this.R(b));
        this.setR(b, t);
        return next;
      }
      case K.Cdq: this.setR(2, `${this.R(0)} >> 31`); return next;
      case K.Setcc: {
        const v = this.t('c');
        this.emit(`const ${v} = ${this.cond(i.op & 0xF)} ? 1 : 0;`);
        if (i.mod === 3) this.setR8(i.rm, v); else this.write(1, i.seg, this.ea(i), v);
        return next;
      }
      case K.Cmovcc: {
        const v = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        const c = this.cond(i.op & 0xF);
        this.need.regs |= 1 << i.reg; this.need.regsW |= 1 << i.reg; this.dirtyR |= 1 << i.reg;
        this.emit(`if (${c}) r${i.reg} = ${v};`);
        return next;
      }
    }
    throw new Error(`jit: no inline form for kind ${k}`);
  }

  /** The forms of J. */
  private extra(k: number, i: Insn): void {
    switch (k) {
      case J.Imul: case J.ImulI: {
        // imulGd: the product's low half, CF = OF = (it differs from the exact product), the rest cleared.
        const a = this.t('a'), b = this.t('b'), lo = this.t('m');
        const src = i.mod === 3 ? this.R(i.rm) : this.read(4, i.seg, this.ea(i));
        if (k === J.Imul) this.emit(`const ${a} = ${this.R(i.reg)}, ${b} = ${src};`);
        else this.emit(`const ${a} = ${src}, ${b} = ${i.imm};`);
        this.useFlags();
        this.emit(`const ${lo} = Math.imul(${a}, ${b}); fl = (fl & -2262) | (${lo} !== ${a} * ${b} ? 2049 : 0); fm = 0;`);
        this.fw(F_FL | F_FM);
        this.cm = 0; this.co = C.LOGIC; this.ct = 31; // (nothing lazy: the operation does not matter)
        this.setR(i.reg, lo);
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
        const v = this.t('v'), r = this.t('r');
        this.useFlags();
        this.emit(`const ${v} = ${this.R16(i.rm)};`);
        let cf: string, of: string;
        if (i.reg === 5) { // SHR: OF = MSB of the operand
          this.emit(`const ${r} = ${v} >>> ${c};`);
          cf = `((${v} >>> ${c - 1}) & 1)`; of = `((${v} >>> 15) & 1)`;
        } else if (i.reg === 7) { // SAR: OF = 0
          const sv = this.t('s');
          this.emit(`const ${sv} = (${v} << 16) >> 16, ${r} = (${sv} >> ${c}) & 65535;`);
          cf = `((${sv} >> ${c - 1}) & 1)`; of = '0';
        } else { // SHL/SAL: CF = last bit out (0 once the count passes 16), OF = MSB(result) ^ CF
          this.emit(`const ${r} = (${v} << ${c}) & 65535;`);
          cf = c <= 16 ? `((${v} >>> ${16 - c}) & 1)` : '0';
          of = `(((${r} >>> 15) ^ ${cf}) & 1)`;
        }
        this.emit(`fl = (fl & -2262) | ${cf} | (${of} !== 0 ? 2048 : 0); fo = ${C.LOGIC}; fr = ${r}; ft = 15; fm = ${C.SF | C.ZF | C.PF};`);
        this.fw(F_FL | F_FO | F_FR | F_FT | F_FM);
        this.cm = C.SF | C.ZF | C.PF; this.co = C.LOGIC; this.ct = 15;
        this.setR16(i.rm, r);
      }
    }
  }

  private alu(op: number, a: string, b: string, dst: number): void {
    if (op === 0 || op === 3 || op === 5) {
      this.lazy(op === 0 ? C.ADD : C.SUB, a, b, `(fa ${op === 0 ? '+' : '-'} fb) | 0`, 31);
    } else {
      this.lazy(C.LOGIC, null, null, `${a} ${ALU_OPS[op]} ${b}`, 31);
    }
    if (dst >= 0) this.setR(dst, 'fr');
  }

  private cmp8(a: string, b: string): void {
    this.lazy(C.SUB, a, b, '(fa - fb) | 0', 7);
  }

  /** INC/DEC keep CF: fold the current lazy CF into fl first (setIncDecFlags). */
  private foldCF(): void {
    this.useFlags();
    this.fw(F_FL);
    const { cm } = this;
    if (cm === null) { this.emit(`if ((fm & 1) !== 0) fl = (fl & -2) | ${this.cfBit()};`); return; }
    if ((cm & C.CF) !== 0) this.emit(`fl = (fl & -2) | ${this.cfBit()};`);
  }

  private incDec(dec: boolean, a: string, store: (r: string) => void): void {
    this.emit(`fa = ${a}; fb = 1; fr = (fa ${dec ? '-' : '+'} 1) | 0; fo = ${dec ? C.SUB : C.ADD}; ft = 31; fm = ${C.ARITH & ~C.CF};`);
    this.fw(F_FA | F_FB | F_FR | F_FO | F_FT | F_FM);
    this.cm = C.ARITH & ~C.CF; this.co = dec ? C.SUB : C.ADD; this.ct = 31;
    store('fr');
  }

  /** C1 /op Ib, D1 /op, D3 /op with a register operand (ops/shift.ts group2Ed through shift32). */
  private shift(i: Insn): void {
    const k = i.fast;
    this.useFlags();
    const v = this.t('v'), r = this.t('r'), cf = this.t('c');
    const dynamic = i.op === 0xD3;
    const c = dynamic ? this.t('n') : String(i.op < 0xD0 ? i.imm & 0x1F : 1);
    if (!dynamic && c === '0') return; // a count of 0 changes nothing
    if (dynamic) this.emit(`const ${c} = ${this.R(1)} & 31; if (${c} !== 0) {`);
    this.emit(`const ${v} = ${this.R(i.rm)};`);
    this.fw(F_FL | F_FM);
    switch (k) {
      case K.Rol:
        this.emit(`const ${r} = (${v} << ${c}) | (${v} >>> (32 - ${c})); const ${cf} = ${r} & 1;`);
        this.emit(`fl = (fl & -2050) | ${cf} | ((((${r} >>> 31) ^ ${cf}) & 1) !== 0 ? 2048 : 0); fm = fm & -2050;`);
        if (this.cm !== null) this.cm &= ~(C.CF | C.OF);
        break;
      case K.Ror:
        this.emit(`const ${r} = (${v} >>> ${c}) | (${v} << (32 - ${c})); const ${cf} = ${r} >>> 31;`);
        this.emit(`fl = (fl & -2050) | ${cf} | (((${cf} ^ (${r} >>> 30)) & 1) !== 0 ? 2048 : 0); fm = fm & -2050;`);
        if (this.cm !== null) this.cm &= ~(C.CF | C.OF);
        break;
      case K.Shl:
        this.emit(`const ${r} = ${v} << ${c}; const ${cf} = (${v} >>> (32 - ${c})) & 1;`);
        this.emit(`fl = (fl & -2262) | ${cf} | ((((${r} >>> 31) ^ ${cf}) & 1) !== 0 ? 2048 : 0);`);
        break;
      case K.Shr:
        this.emit(`const ${r} = ${v} >>> ${c};`);
        this.emit(`fl = (fl & -2262) | ((${v} >>> (${c} - 1)) & 1) | ((${v} >>> 31) !== 0 ? 2048 : 0);`);
        break;
      default: // Sar
        this.emit(`const ${r} = ${v} >> ${c};`);
        this.emit(`fl = (fl & -2262) | ((${v} >> (${c} - 1)) & 1);`);
    }
    if (k !== K.Rol && k !== K.Ror) {
      this.emit(`fo = ${C.LOGIC}; fr = ${r}; ft = 31; fm = ${C.SF | C.ZF | C.PF};`);
      this.fw(F_FO | F_FR | F_FT);
      this.cm = C.SF | C.ZF | C.PF; this.co = C.LOGIC; this.ct = 31;
    }
    this.setR(i.rm, `${r} | 0`);
    if (dynamic) { this.emit('}'); this.forget(); }
  }

  /** An instruction without an inline form here: its handler, with the state written back around it. */
  private call(s: Step): string | null {
    const x = this.handlerRef();
    const n = String(s.next);
    this.emit(`${this.inCpu ? '' : this.wbDirty()}cpu.ip = ${s.eip}; cpu.nip = ${n}; cpu.icount = ic0 + ${this.cnt(0)};`);
    this.emit(`H(${x}, cpu);`);
    if (endsBlock(s.i)) {
      this.emit(`xip = cpu.nip; xk = ${this.kk(1)}; xc = 1; break out;`);
      return null;
    }
    const q = this.t('q');
    this.emit(`const ${q} = cpu.nip; if (${q} !== ${n} || cpu.attention !== 0 || cpu.halted === true) { xip = ${q}; xk = ${this.kk(1)}; xc = 1; break out; }`);
    this.inCpu = true;
    this.forget();
    return n;
  }
}

/**
 * Forms the code generator writes inline although the interpreter calls their handler (the handler is the
 * table's for that form, as fastKind requires; each does exactly what its handler does): IMUL r32, r/m32
 * (0F AF) and IMUL r32, r/m32, imm (69, 6B) of ops/muldiv.ts imulGd; MOV r/m16, r16 and r16, r/m16 (66 89,
 * 66 8B) of ops/mov.ts; SHL/SHR/SAR r16 by an immediate or 1 (66 C1 /4-/7, 66 D1) of ops/shift.ts
 * shiftSmall.
 */
export const enum J { First = 1000, Imul = 1000, ImulI, MovEwGw, MovGwEw, Shift16 }

/** The instruction's inline form for the code generator: insn.fast, or one of J. */
export function jitKind(i: Insn): number {
  if (i.fast !== 0) return i.fast;
  const d = lookup(i.op, i.reg);
  if (d === undefined || d.h16 === d.h32) return 0;
  const op = i.op;
  if (i.o32 && i.exec === d.h32) {
    if (op === 0x1AF) return J.Imul;
    if (op === 0x69 || op === 0x6B) return J.ImulI;
  } else if (!i.o32 && i.exec === d.h16) {
    if (op === 0x89) return J.MovEwGw;
    if (op === 0x8B) return J.MovGwEw;
    if ((op === 0xC1 || op === 0xD1) && i.mod === 3 && i.reg >= 4) return J.Shift16;
  }
  return 0;
}

/** Does the code generator write this instruction inline in this mode? */
export function inlineable(i: Insn, mode: GenMode): boolean {
  const k = mode.forms ? jitKind(i) : 0;
  if (k === K.Call) return false;
  if (i.mod !== 3 && !i.a32) return false; // 16-bit addressing: the handler
  switch (k) {
    case K.CallRel: case K.Ret: case K.PushR: case K.PopR: case K.PushI: case K.CallE: case K.PushE: case K.Leave:
      return mode.stack32 && ((mode.wideR >> C.SS) & 1) !== 0 && ((mode.wideW >> C.SS) & 1) !== 0;
  }
  return true;
}

export interface Generated {
  /**
   * The factory's body: `new Function('cpu', 'I', 'P', 'H', source)` returns the region
   * function `(budget, bi, warm) => retired` (bi: the block to start at; block.ts RegionFn).
   */
  source: string;
  /** Step indexes whose Insn the region calls the handler of. */
  calls: number[];
}

/**
 * Write the function for a region translated in `mode`. It runs only while the CS limit is at least
 * `csLimitNeeded` and the TLB maps each of `pages` (an EIP on the page and the physical page it was
 * translated from) as it did.
 */
export function generate(region: Region, mode: GenMode, csLimitNeeded: number, pages: { eip: number; pp: number }[]): Generated {
  const first = new Writer(region, mode, null);
  first.body();
  const need = first.need;
  const w = new Writer(region, mode, need);
  const body = w.body();
  const f = w.need;
  const segs = f.segR | f.segW;
  const lines: string[] = [];
  lines.push('"use strict";');
  lines.push('const r32 = cpu.r32, tlb = cpu.tlb, m8 = cpu.ram8, m16 = cpu.ram16, m32 = cpu.ram32, segBase = cpu.segBase, segLimit = cpu.segLimit;');
  for (const k of [...f.calls].sort((a, b) => a - b)) lines.push(`const x${k} = I[${k}];`);
  // Run-time targets (RET, indirect jumps): the block starting there, or -1.
  lines.push('function dyn(t) {');
  lines.push('switch (t) {');
  for (const b of region.blocks) lines.push(`case ${b.eip}: return ${b.index};`);
  lines.push('}');
  lines.push('return -1;');
  lines.push('}');
  lines.push('return function region(budget, bi, warm) {');
  // Guard: the mode the code was written for.
  if (f.stack) lines.push('if (cpu.stack32 !== true) return -1;');
  if (f.segR !== 0) lines.push(`if ((cpu.wideR & ${f.segR}) !== ${f.segR}) return -1;`);
  if (f.segW !== 0) lines.push(`if ((cpu.wideW & ${f.segW}) !== ${f.segW}) return -1;`);
  const bases: string[] = [];
  for (let s = 0; s < 6; s++) if (segs & (1 << s)) { lines.push(`const b${s} = segBase[${s}];`); bases.push(`b${s}`); }
  if (bases.length) lines.push(`if (((${bases.join(' | ')}) & 3) !== 0) return -1;`);
  lines.push(`const csLim = segLimit[1]; if (csLim < ${csLimitNeeded >>> 0}) return -1;`);
  lines.push('const rm = cpu.rmask;');
  lines.push('const cb = segBase[1];');
  for (const p of pages) {
    // (-2: a code page is not in the TLB, e.g. after a flush; the interpreter refills it as it goes.)
    lines.push(`{ const e = tlb[((cb + ${p.eip}) | 0) >>> 12]; if ((e & rm) === 0) return -2; if ((e >>> 12) !== ${p.pp}) return -1; }`);
  }
  // A warm-up run (block.ts) takes the slow path of every memory access.
  lines.push('const RM = warm === true ? 0 : rm, WM = warm === true ? 0 : cpu.wmask;');
  lines.push('const ic0 = cpu.icount;');
  const regs: string[] = [];
  for (let n = 0; n < 8; n++) if (f.regs & (1 << n)) regs.push(`r${n} = r32[${n}]`);
  if (regs.length) lines.push(`let ${regs.join(', ')};`);
  if (f.flags) lines.push(`let ${FLAG_LOCALS.map(([l, field]) => `${l} = cpu.${field}`).join(', ')};`);
  // n: instructions up to the end of the current block; an exit leaves at xip after n + xk of them, with
  // the state in the locals (written back here) or, after a handler call, in the CPU already (xc = 1).
  lines.push('let sx = 0, xip = 0, xk = 0, xc = 0, n = 0;');
  lines.push(body);
  lines.push(`if (xc === 0) { ${w.wb()}} const xn = n + xk; cpu.ip = xip; cpu.icount = ic0 + xn; return xn;`);
  lines.push('};');
  return { source: lines.join('\n'), calls: [...f.calls] };
}

/**
 * The expression the generated code tests for condition cc when the flags are known to come from a
 * lazy record with mask cm, operation co and top bit ct (null: not known here). For tests.
 */
export function conditionExpression(cc: number, cm: number | null, co: number | null, ct: number | null): string {
  const w = new Writer({ entry: 0, blocks: [], byEip: new Map(), steps: [] }, { wideR: 0, wideW: 0, stack32: true, forms: true }, null);
  w.cm = cm; w.co = co; w.ct = ct;
  return w.cond(cc);
}
