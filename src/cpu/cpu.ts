// The IA-32 processor: architectural state as plain typed arrays and numbers, the hot paths (fetch,
// segment-checked memory access through the software TLB, stack, lazy flags) and the run loop.
// Instruction semantics live in ops/*.ts, descriptor and gate logic in segments.ts / interrupts.ts /
// task-switch.ts, the page walk in paging.ts. The CPU sees the machine only through PhysicalMemory,
// IoBus and an InterruptSource, so the platform (and later the hypervisor) plug in from outside.

import type { PhysicalMemory } from '../platform/memory.ts';
import type { IoBus } from '../platform/io-bus.ts';
import { FAULT } from './fault.ts';
import { PARITY } from './parity.ts';
import { Insn } from './insn.ts';
import { decode } from './decoder.ts';
import { CodeCache } from './code-cache.ts';
import { fastKind, interpret } from './interp.ts';
import { warmUpInterpreter } from './interp-warmup.ts';
import { runJit } from './jit/dispatch.ts';
import { jitConfig } from './jit/jit-config.ts';
import { HOST_AREA_BYTES, HOST_STATE, HOST_TLB, STATE_SIZE, ST_PARITY, ST_REGS, ST_SEGBASE, ST_SEGLIMIT } from './host-area.ts';
import {
  ARITH_FLAGS, EFLAGS_IMPLEMENTED, AC, AF, AR_DB, AR_P, AR_S, AR_UNUSABLE, CF, CR0_PE, CR0_PG, CR0_WP, CS, DF, DFV, ESP, EFLAGS_FIXED1,
  GP, IF, OF, PF, SF, SS, SSV, TF, TYPE_CODE, TYPE_EXPAND_DOWN, TYPE_READABLE, TYPE_WRITABLE, VM, ZF, DB, PFV, RF,
} from './regs.ts';
import { walkPage } from './paging.ts';
import { deliverEvent, EventKind, isContributory } from './interrupts.ts';
import type { InterceptHook, Sensitive } from './intercept.ts';
import type { MsrHandler } from './msr.ts';
import { installAllOps } from './ops/index.ts';
import { X87State } from './fpu/x87-state.ts';

installAllOps();

/** CPUID.1:EAX and EDX at reset: family 6, model 3, stepping 3 (a Pentium II-class i686). */
export const CPU_SIGNATURE = 0x633;

/** Why run() returned. */
export const enum Stop {
  /** The instruction budget given to run() is used up. */
  Limit = 0,
  /** HLT: waiting for an interrupt (the platform advances time to its next event and calls run again). */
  Halt = 1,
  /** Triple fault: the processor entered the shutdown state (SDM vol. 3A §6.15, interrupt 8). */
  Shutdown = 2,
  /** Someone (a device, a hook) asked the CPU to stop after the current instruction. */
  Request = 3,
}

/** The interrupt controller as the CPU sees it: INTR acknowledge cycle. */
export interface InterruptSource {
  /** Acknowledge the highest-priority pending interrupt and return its vector (or a spurious vector). */
  acknowledge(): number;
}

// Software-TLB entry bits. Entries hold the physical page frame (bits 31:12) plus these flags. The four
// access bits are set only for plain-RAM pages, so a hit with them is a direct typed-array access;
// everything else (MMIO, ROM writes, not yet dirty pages) takes the slow path.
export const TLB_SR = 1, TLB_UR = 2, TLB_SW = 4, TLB_UW = 8;
/** Entry is filled (may be a non-RAM page whose permissions are kept in bits 5..8). */
export const TLB_VALID = 0x10;
export const TLB_PERM_SHIFT = 5;
export const TLB_GLOBAL = 0x200;
const TLB_TRACK_MAX = 8192;

// attention bits: anything the run loop must look at between instructions.
export const ATTN_IRQ = 1, ATTN_SHADOW = 2, ATTN_TRAP = 4, ATTN_STOP = 8;
/** RF was loaded as 1 (IRET, task switch): cleared once the next instruction completes (SDM vol. 3A §2.3). */
export const ATTN_RF = 16, ATTN_RF2 = 32;
/**
 * Something translated code assumes may have changed: a segment register or the CPL, the TLB, or cached
 * code was written. Translated blocks leave at the next instruction boundary (jit/); afterInstruction
 * clears it.
 */
export const ATTN_CODE = 64;
/** DR6 bits: B0-B3 (breakpoint hits), BS (single step), BT (task switch). */
const DR6_B0_3 = 0xF, DR6_BS = 0x4000, DR6_BT = 0x8000;

/**
 * The run loop's "no memo page" (cpu.fetchSlots): every offset reads as not cached. Filled with undefined so
 * that V8 gives it the elements kind of the code cache's slot arrays (one map at the loop's load).
 */
const NO_SLOTS: (Insn | undefined)[] = new Array<Insn | undefined>(4096).fill(undefined);

/** Slots of the memo of instructions that straddle two pages (cpu.crossInsn; a power of two). */
const CROSS_SLOTS = 64;

// lazy flag operation kinds
export const LAZY_ADD = 0, LAZY_SUB = 1, LAZY_LOGIC = 2;
/**
 * A 32-bit SHL/SHR/SAR written inline (interp.ts, the translators): CF in bit 0 of lazyA, OF in bit lazyTop of
 * lazyB, SF/ZF/PF from lazyRes, AF 0 (ops/shift.ts computes the same flags eagerly). Nothing is folded into
 * `flags` at the shift, so a shift whose flags the next instruction overwrites costs no flag work at all.
 */
export const LAZY_SHIFT = 3;

export class CPU {
  // ---- general registers: one buffer, three views (EAX..EDI; AX..DI at [2n]; AL..BH via reg8 map) ----
  // (In the host area after guest RAM, host-area.ts: translated WebAssembly code reaches them there.)
  declare readonly r32: Int32Array;
  declare readonly r16: Uint16Array;
  declare readonly r8: Uint8Array;
  /**
   * EIP and the next instruction's EIP as int32 (EIP | 0). The interpreter works on these: V8 keeps an
   * int32 field a small integer, whereas an offset of 2 GiB or more (a Linux kernel's code) would be a
   * boxed double. Everything else uses the unsigned views eip and nextEip.
   */
  ip = 0;
  nip = 0;
  /** Offset of the current instruction in CS (faults report it). */
  get eip(): number { return this.ip >>> 0; }
  set eip(v: number) { this.ip = v | 0; }
  /** Where execution continues after the current instruction (handlers that branch overwrite it). */
  get nextEip(): number { return this.nip >>> 0; }
  set nextEip(v: number) { this.nip = v | 0; }

  // ---- EFLAGS: concrete bits plus a lazily evaluated arithmetic result (lazyMask says which) ----
  flags = EFLAGS_FIXED1;
  lazyMask = 0;
  lazyOp = LAZY_LOGIC;
  lazyA = 0;
  lazyB = 0;
  lazyRes = 0;
  /** Index of the sign bit of the lazy operation's size: 7, 15 or 31. */
  lazyTop = 31;

  // ---- segment registers and their descriptor caches (ES CS SS DS FS GS) ----
  readonly segSel = new Uint16Array(6);
  declare readonly segBase: Int32Array;
  declare readonly segLimit: Uint32Array;
  /** Access rights in VMCS format (regs.ts AR_*). */
  readonly segAR = new Uint32Array(6);
  /** Derived from the cache: lowest valid offset and highest offset valid for reads / writes (-1: none). */
  readonly segLo = new Float64Array(6);
  readonly segRHi = new Float64Array(6);
  readonly segWHi = new Float64Array(6);
  /**
   * Bit s set when segment s admits every offset for reads (wideR) / writes (wideW): segLo 0 and segRHi /
   * segWHi 0xFFFFFFFF, as the flat segments of 32-bit systems (any base). The interpreter's inline memory
   * accesses then need only check that the access does not run past 4 GiB (interp.ts).
   */
  wideR = 0;
  wideW = 0;
  ldtrSel = 0; ldtrBase = 0; ldtrLimit = 0xFFFF; ldtrAR = 0x82;
  trSel = 0; trBase = 0; trLimit = 0xFFFF; trAR = 0x8B;
  gdtrBase = 0; gdtrLimit = 0xFFFF;
  idtrBase = 0; idtrLimit = 0x3FF;

  // ---- control, debug registers, mode ----
  cr0 = 0x60000010;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  cpl = 0;
  /** CS.D: default operand and address size is 32. */
  code32 = false;
  /** EIP wraps at 4 GiB or, with a 16-bit CS, at 64 KiB: -1 or 0xFFFF (derived from code32). */
  ipMask = 0xFFFF;
  /** SS.B: the stack pointer is ESP (else SP). */
  stack32 = false;

  // ---- model-specific registers ----
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  /** IA32_TIME_STAMP_COUNTER = icount + tscOffset (time is the instruction count). */
  tscOffset = 0;
  apicBase = 0xFEE00900;
  /** MSRs the platform or later layers add (e.g. MTRRs, VMX capability MSRs); see msr.ts. */
  readonly extraMsrs = new Map<number, MsrHandler>();

  // ---- memory ----
  readonly mem: PhysicalMemory;
  readonly ram8: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  declare readonly tlb: Int32Array;
  private readonly tlbPages = new Int32Array(TLB_TRACK_MAX);
  /** 4 MiB regions (linear >>> 22) holding entries filled from a 4 MiB page (INVLPG drops the whole region). */
  private readonly tlbLarge = new Uint8Array(1024);
  private tlbCount = 0;
  /** TLB bit that grants a read (TLB_SR or TLB_UR by CPL) and a write (TLB_SW or TLB_UW). */
  rmask = TLB_SR;
  wmask = TLB_SW;
  /** Physical address mask of the A20 gate (0xFFEFFFFF when A20 is disabled). */
  a20Mask = -1;
  /** Read-modify-write: linear address checked for write by rmwAddr. */
  private rmwLin = 0;

  // ---- instruction fetch ----
  fetchOff = 0;
  fetchCount = 0;
  readonly insn = new Insn();
  /** Decoded instructions by physical address (code-cache.ts). */
  readonly codeCache: CodeCache;
  /**
   * The run loop's memo of the code page it is executing: CS offsets fetchEip .. fetchEip+4095 (int32, as
   * ip) are one linear page that maps, through the TLB at the current read permission, to the physical
   * page whose cached instructions (of the current default size) are `fetchSlots`; NO_SLOTS: no memo. It
   * is made only when that whole range lies within the CS limit, so an instruction found there passes the
   * limit check the slow path makes (fetchInsn). It saves the segment, TLB and code-cache lookups while EIP
   * stays in one page, and is exactly equivalent to them because everything those lookups read resets it
   * to NO_SLOTS: CS loads (segChanged), TLB fills, flushes and INVLPG, CPL changes (rmask), code-page
   * invalidation and physicalChanged.
   */
  fetchEip = 0;
  fetchSlots: (Insn | undefined)[] = NO_SLOTS;
  /**
   * A second memo of the same kind, used by interp.ts only: the page the loop last left for another one.
   * Code that alternates between two pages (a call and its return: half of the memo misses of the Linux
   * boot) then finds its instructions without fetchInsn. Valid under the same conditions as fetchSlots,
   * and reset with it by every event listed there.
   */
  fetchEip2 = 0;
  fetchSlots2: (Insn | undefined)[] = NO_SLOTS;
  /**
   * Instructions that straddle two pages, which the code cache cannot hold (an entry may depend on one
   * page's bytes only): the last one decoded per slot (by linear address), with a copy of its bytes, the
   * inlineForms setting it was given its fast kind under, and its linear address. fetchInsn reuses one when
   * both pages are readable RAM in the TLB, the whole instruction lies within the CS limit and its bytes
   * are unchanged: decoding would then read exactly those bytes without a fault and build the same
   * instruction. (A hot loop of the Linux boot runs through such an instruction: without this, it is
   * decoded into a new Insn at every pass.)
   */
  private readonly crossInsn: (Insn | undefined)[] = new Array<Insn | undefined>(CROSS_SLOTS).fill(undefined);
  private readonly crossLin = new Int32Array(CROSS_SLOTS);
  private readonly crossForms = new Uint8Array(CROSS_SLOTS);
  private readonly crossBytes = new Uint8Array(CROSS_SLOTS * 16);
  /** The interpreter's inline forms (interp.ts) are used; tests turn them off to compare with the handlers. */
  inlineForms = true;
  /** Hot code is translated into JavaScript functions (jit/); default from jit/jit-config.ts. */
  jit = jitConfig.enabled;

  // ---- the outside world ----
  readonly io: IoBus;
  pic: InterruptSource | null = null;
  /** Intercept point for sensitive operations and events (VMX, harnesses, monitors). */
  hook: InterceptHook | null = null;
  /** The x87 FPU (fpu/x87-state.ts; instructions in ops/x87*.ts). */
  readonly fpu = new X87State();
  /**
   * FERR# output of the FPU for CR0.NE = 0 (MS-DOS compatible error reporting, SDM vol. 1 §8.7): called with
   * true when an unmasked x87 exception becomes pending, false when none is (ops/x87-common.ts). A PC routes
   * it to IRQ 13; the platform may connect it (null: not connected).
   */
  ferr: ((asserted: boolean) => void) | null = null;

  // ---- run state ----
  /** Instructions retired (the machine's clock). */
  icount = 0;
  halted = false;
  shutdown = false;
  attention = 0;
  /** INTR line from the interrupt controller. */
  intr = false;
  /** Interrupt shadow after STI / MOV SS / POP SS: instructions until interrupts are recognized again. */
  shadow = 0;
  /** The boundary the CPU stands at was inhibited by the shadow (see afterInstruction, pollInterrupt). */
  shadowedBoundary = false;
  /** The shadow was started by a load of SS: debug traps are held as well (inhibitAfterSsLoad). */
  ssShadow = false;
  /** The stop reason requested with requestStop. */
  private stopReason = Stop.Request;
  /** Set while delivering an exception or external interrupt: the EXT bit of error codes (SDM 6.13). */
  ext = 0;
  /** Pending exception (set by fault()). */
  excVector = 0;
  excError = -1;
  /** #DB after the current instruction (TF single step, data breakpoints): DR6 bits to set. */
  pendingDebug = 0;
  /** TF was set when the current instruction began (single-step trap after it, SDM vol. 3B §17.3.1.4). */
  tfAtStart = false;

  constructor(mem: PhysicalMemory, io: IoBus) {
    this.mem = mem;
    // TLB, registers and segment caches in the host area of guest memory (or a buffer of the same layout).
    const inMem = mem.wasmMemory !== null && mem.buffer.byteLength >= mem.size + HOST_AREA_BYTES;
    const host = inMem ? mem.buffer : new ArrayBuffer(HOST_STATE + STATE_SIZE);
    const h0 = inMem ? mem.size : 0;
    this.tlb = new Int32Array(host, h0 + HOST_TLB, 1 << 20);
    const st = h0 + HOST_STATE;
    this.r32 = new Int32Array(host, st + ST_REGS, 8);
    this.r16 = new Uint16Array(host, st + ST_REGS, 16);
    this.r8 = new Uint8Array(host, st + ST_REGS, 32);
    this.segBase = new Int32Array(host, st + ST_SEGBASE, 6);
    this.segLimit = new Uint32Array(host, st + ST_SEGLIMIT, 6);
    new Uint8Array(host, st + ST_PARITY, 256).set(PARITY);
    this.io = io;
    this.ram8 = mem.u8;
    this.ram16 = mem.u16;
    this.ram32 = mem.i32;
    this.codeCache = new CodeCache(mem.size >>> 12);
    mem.onDirty((addr, length) => this.physicalChanged(addr, length));
    this.reset();
  }

  /** Power-on / RESET state (SDM vol. 3A §9.1.1, Table 9-1). */
  reset(): void {
    this.r32.fill(0);
    this.r32[2] = CPU_SIGNATURE; // EDX holds the processor signature after RESET (SDM vol. 3A §9.1.4)
    this.flags = EFLAGS_FIXED1;
    this.lazyMask = 0;
    for (let s = 0; s < 6; s++) {
      this.segSel[s] = 0; this.segBase[s] = 0; this.segLimit[s] = 0xFFFF; this.segAR[s] = 0x93;
    }
    this.segSel[CS] = 0xF000; this.segBase[CS] = 0xFFFF0000 | 0; this.segAR[CS] = 0x9B;
    this.eip = 0xFFF0;
    this.ldtrSel = 0; this.ldtrBase = 0; this.ldtrLimit = 0xFFFF; this.ldtrAR = 0x82;
    this.trSel = 0; this.trBase = 0; this.trLimit = 0xFFFF; this.trAR = 0x8B;
    this.gdtrBase = 0; this.gdtrLimit = 0xFFFF; this.idtrBase = 0; this.idtrLimit = 0xFFFF;
    this.cr0 = 0x60000010; this.cr2 = 0; this.cr3 = 0; this.cr4 = 0;
    this.dr.fill(0); this.dr[6] = 0xFFFF0FF0 | 0; this.dr[7] = 0x400;
    this.sysenterCs = 0; this.sysenterEsp = 0; this.sysenterEip = 0;
    this.halted = false; this.shutdown = false; this.shadow = 0; this.shadowedBoundary = false; this.ssShadow = false; this.pendingDebug = 0; this.tfAtStart = false;
    this.attention &= ATTN_IRQ | ATTN_STOP; // no shadow, trap or RF bookkeeping survives RESET
    this.cpl = 0;
    this.a20Mask = -1;
    this.fpu.reset();
    this.modeChanged();
  }

  // =====================================================================================================
  // Mode bookkeeping
  // =====================================================================================================

  get protectedMode(): boolean { return (this.cr0 & CR0_PE) !== 0; }
  get v86(): boolean { return (this.flags & VM) !== 0; }
  get pagingOn(): boolean { return (this.cr0 & CR0_PG) !== 0; }

  /** Recompute everything derived from CR0/CR4/EFLAGS.VM/CPL/segment caches, and flush the TLB. */
  modeChanged(): void {
    for (let s = 0; s < 6; s++) this.segChanged(s);
    this.cplChanged();
    this.flushTlb(true);
  }

  cplChanged(): void {
    this.rmask = this.cpl === 3 ? TLB_UR : TLB_SR;
    this.wmask = this.cpl === 3 ? TLB_UW : TLB_SW;
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    this.attention |= ATTN_CODE;
  }

  /** Derive the fast limit/permission view of one segment register from its descriptor cache. */
  segChanged(s: number): void {
    this.deriveLimits(s);
    this.attention |= ATTN_CODE;
    const bit = 1 << s;
    if (this.segLo[s] === 0 && this.segRHi[s] === 0xFFFFFFFF) this.wideR |= bit; else this.wideR &= ~bit;
    if (this.segLo[s] === 0 && this.segWHi[s] === 0xFFFFFFFF) this.wideW |= bit; else this.wideW &= ~bit;
  }

  private deriveLimits(s: number): void {
    const ar = this.segAR[s];
    const limit = this.segLimit[s];
    if (s === CS) {
      this.code32 = (ar & AR_DB) !== 0 && this.protectedModeOrUnreal();
      this.ipMask = this.code32 ? -1 : 0xFFFF;
      this.fetchSlots = NO_SLOTS;
      this.fetchSlots2 = NO_SLOTS;
    }
    if (s === SS) this.stack32 = (ar & AR_DB) !== 0;
    if (!(this.cr0 & CR0_PE) || (this.flags & VM)) {
      // Real and virtual-8086 mode: no type checks, the cached limit still applies (unreal mode).
      this.segLo[s] = 0; this.segRHi[s] = limit; this.segWHi[s] = limit;
      return;
    }
    if ((ar & AR_UNUSABLE) || !(ar & AR_P)) {
      this.segLo[s] = 1; this.segRHi[s] = -1; this.segWHi[s] = -1;
      return;
    }
    const type = ar & 0xF;
    if (!(ar & AR_S)) { // system descriptor in a segment register (only via VMX state): treat as unusable
      this.segLo[s] = 1; this.segRHi[s] = -1; this.segWHi[s] = -1;
      return;
    }
    if (type & TYPE_CODE) {
      this.segLo[s] = 0;
      this.segRHi[s] = type & TYPE_READABLE ? limit : -1;
      this.segWHi[s] = -1;
    } else if (type & TYPE_EXPAND_DOWN) {
      // Expand-down: valid offsets are limit+1 .. 0xFFFF or 0xFFFFFFFF by the B bit (SDM vol. 3A §5.3).
      this.segLo[s] = limit + 1;
      const top = ar & AR_DB ? 0xFFFFFFFF : 0xFFFF;
      this.segRHi[s] = top;
      this.segWHi[s] = type & TYPE_WRITABLE ? top : -1;
    } else {
      this.segLo[s] = 0;
      this.segRHi[s] = limit;
      this.segWHi[s] = type & TYPE_WRITABLE ? limit : -1;
    }
  }

  private protectedModeOrUnreal(): boolean {
    // In real mode the D bit of the cached CS still selects the default size (it stays 0 after reset).
    return true;
  }

  // =====================================================================================================
  // Exceptions
  // =====================================================================================================

  /** Raise a fault-class exception: abandons the current instruction. errorCode -1 = none. */
  fault(vector: number, errorCode = -1): never {
    this.excVector = vector;
    this.excError = errorCode;
    throw FAULT;
  }

  /** #GP(code) or, for SS, #SS(code): the exception a bad access through segment `s` raises. */
  segFault(s: number, code = 0): never {
    return this.fault(s === SS ? SSV : GP, code);
  }

  /** Ask the run loop to return after the current instruction. */
  requestStop(reason: Stop = Stop.Request): void {
    this.stopReason = reason;
    this.attention |= ATTN_STOP;
  }

  /** The INTR line (the platform's interrupt controller drives it). */
  setIntr(level: boolean): void {
    this.intr = level;
    if (level) this.attention |= ATTN_IRQ;
  }

  // =====================================================================================================
  // The run loop
  // =====================================================================================================

  /** Execute up to `limit` instructions. Guest errors never escape as host exceptions. */
  run(limit: number): Stop {
    warmUpInterpreter();
    const end = this.icount + limit;
    if (this.shutdown) return Stop.Shutdown;
    for (;;) {
      try {
        // The loop itself (fetch, execute, retire, events) is interp.ts; with translation, jit/dispatch.ts.
        return this.jit === true ? runJit(this, end) : interpret(this, end);
      } catch (e) {
        if (e !== FAULT) throw e;
        this.icount++;
        this.deliverException(this.excVector, this.excError);
        if (this.shutdown) return Stop.Shutdown;
        if (this.attention & ATTN_STOP) return this.takeStop();
      }
    }
  }

  /**
   * The instruction at CS:EIP, from the code cache when possible. Cached decode: the code page must be
   * readable RAM at this CPL (the TLB says so), the instruction decoded for this default size, and all
   * of it within the CS limit. Remembers the page for the run loop's next instructions (fetchSlots).
   */
  fetchInsn(): Insn {
    const eip = this.eip, base = this.segBase[CS], limit = this.segLimit[CS];
    const lin = (base + eip) | 0;
    const e = this.tlb[lin >>> 12];
    this.fetchSlots = NO_SLOTS;
    if (e & this.rmask) {
      const slots = this.codeCache.slots(e >>> 12, this.code32);
      if (slots !== undefined) {
        const start = ((lin & ~0xFFF) - base) >>> 0; // CS offset of the page's first byte
        if (start + 0xFFF <= limit) { this.fetchSlots = slots; this.fetchEip = start | 0; }
        const i = slots[lin & 0xFFF];
        if (i !== undefined && eip + i.len - 1 <= limit) return i;
      }
      if ((lin & 0xFFF) > 0x1000 - 15) {
        const i = this.crossFetch(lin, eip, limit);
        if (i !== undefined) return i;
      }
    }
    return this.decodeAndCache(lin);
  }

  /** The instruction at linear `lin` (CS offset `eip`) from the memo of page-straddling ones (crossInsn), if valid. */
  private crossFetch(lin: number, eip: number, limit: number): Insn | undefined {
    const k = (lin ^ (lin >>> 12)) & (CROSS_SLOTS - 1);
    const i = this.crossInsn[k];
    if (i === undefined || this.crossLin[k] !== lin || i.code32 !== this.code32 || this.crossForms[k] !== (this.inlineForms ? 1 : 0)) return undefined;
    // Within the limit, and without wrapping at 64 KiB in 16-bit code (fetch8 wraps the offset there).
    const len = i.len;
    if (eip + len - 1 > (this.code32 ? limit : Math.min(limit, 0xFFFF))) return undefined;
    const e1 = this.tlb[lin >>> 12], e2 = this.tlb[((lin >>> 12) + 1) & 0xFFFFF];
    if ((e1 & this.rmask) === 0 || (e2 & this.rmask) === 0) return undefined;
    const m = this.ram8, b = this.crossBytes, first = 0x1000 - (lin & 0xFFF);
    let p = (e1 & ~0xFFF) | (lin & 0xFFF);
    for (let j = 0; j < len; j++) {
      if (j === first) p = e2 & ~0xFFF;
      if (m[p++] !== b[(k << 4) + j]) return undefined;
    }
    // As fresh from the decoder: nothing the translator's dispatcher counted or attached (Insn.hits, block)
    // survives, as when each fetch decoded a new Insn.
    i.hits = 0;
    i.block = null;
    return i;
  }

  /** Remember a page-straddling instruction just decoded at `lin` (see crossInsn). */
  private crossStore(lin: number, i: Insn): void {
    const e1 = this.tlb[lin >>> 12], e2 = this.tlb[((lin >>> 12) + 1) & 0xFFFFF];
    if ((e1 & this.rmask) === 0 || (e2 & this.rmask) === 0) return;
    const k = (lin ^ (lin >>> 12)) & (CROSS_SLOTS - 1);
    const m = this.ram8, b = this.crossBytes, first = 0x1000 - (lin & 0xFFF);
    let p = (e1 & ~0xFFF) | (lin & 0xFFF);
    for (let j = 0; j < i.len; j++) {
      if (j === first) p = e2 & ~0xFFF;
      b[(k << 4) + j] = m[p++];
    }
    this.crossInsn[k] = i;
    this.crossLin[k] = lin;
    this.crossForms[k] = this.inlineForms ? 1 : 0;
  }

  /**
   * Decode the instruction at CS:EIP with every fetch check, and cache it when it lies in one page of
   * plain RAM. A page that becomes a code page loses the TLB's direct-write bits, so writes to it reach
   * writePhys and invalidate it first.
   */
  private decodeAndCache(lin: number): Insn {
    this.beginFetch();
    const off = lin & 0xFFF;
    const e0 = this.tlb[lin >>> 12];
    const pp0 = e0 >>> 12;
    const cacheable = (e0 & this.rmask) !== 0 && this.codeCache.cacheable(pp0);
    const i = cacheable ? new Insn() : this.insn;
    decode(this, i);
    i.fast = this.inlineForms ? fastKind(i) : 0;
    if (!cacheable) return i;
    if (off + i.len > 0x1000) { this.crossStore(lin, i); return i; }
    const e = this.tlb[lin >>> 12];
    if (!(e & this.rmask)) return i;
    const phys = (e & ~0xFFF) | off;
    if (this.codeCache.insert(phys, i)) this.protectCodePage(phys >>> 12);
    return i;
  }

  /** Physical memory changed outside the CPU: forget decoded instructions of those pages. */
  physicalChanged(addr: number, length: number): void {
    const first = addr >>> 12, last = (addr + Math.max(length, 1) - 1) >>> 12;
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    this.attention |= ATTN_CODE;
    if (last - first > 256) { this.codeCache.clear(); this.flushTlb(true); return; }
    for (let p = first; p <= last; p++) if (this.codeCache.codePage[p]) this.codeWritten(p);
  }

  /** Remove direct-write permission from every TLB entry that maps physical page `pp`. */
  protectCodePage(pp: number): void {
    const n = Math.min(this.tlbCount, TLB_TRACK_MAX);
    for (let k = 0; k < n; k++) {
      const p = this.tlbPages[k];
      const e = this.tlb[p];
      if (e >>> 12 === pp && (e & (TLB_SW | TLB_UW))) this.tlb[p] = e & ~(TLB_SW | TLB_UW);
    }
  }

  /** A write reached a code page: drop its decoded instructions and let TLB entries regain write bits. */
  private codeWritten(pp: number): void {
    this.codeCache.invalidate(pp);
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    this.attention |= ATTN_CODE;
    const n = Math.min(this.tlbCount, TLB_TRACK_MAX);
    for (let k = 0; k < n; k++) {
      const p = this.tlbPages[k];
      if (this.tlb[p] >>> 12 === pp) this.tlb[p] = 0; // refilled with write permission on next use
    }
  }

  private writePhys8(phys: number, v: number): void {
    if (this.codeCache.codePage[phys >>> 12]) this.codeWritten(phys >>> 12);
    this.mem.write8(phys, v);
  }
  private writePhys16(phys: number, v: number): void {
    if (this.codeCache.codePage[phys >>> 12]) this.codeWritten(phys >>> 12);
    this.mem.write16(phys, v);
  }
  private writePhys32(phys: number, v: number): void {
    if (this.codeCache.codePage[phys >>> 12]) this.codeWritten(phys >>> 12);
    this.mem.write32(phys, v);
  }

  takeStop(): Stop {
    this.attention &= ~ATTN_STOP;
    return this.stopReason;
  }

  /** HLT state: an unmasked interrupt resumes execution (SDM vol. 2 HLT). Returns true if woken. */
  wake(): boolean {
    // Shutdown is left only by NMI, INIT or RESET (SDM vol. 3A §6.15), none of which INTR is.
    if (this.shutdown || (this.attention & ATTN_STOP)) return false;
    if (this.intr && (this.flags & IF)) {
      this.halted = false;
      this.acceptInterrupt();
      return true;
    }
    return false;
  }

  /**
   * Between instructions, in the priority order of SDM vol. 3A §6.9 (Table 6-2): trap-class #DB of the
   * instruction just retired (TF single step, T flag of a new task), then INTR unless the interrupt shadow
   * of STI / MOV SS / POP SS covers this boundary, then stop requests.
   */
  afterInstruction(): boolean {
    if (this.shutdown) return false;
    const a = this.attention;
    this.attention &= ~ATTN_CODE;
    if (a & (ATTN_RF | ATTN_RF2)) {
      // RF loaded by IRET or a task switch lasts for one instruction (SDM vol. 3B §17.3.1.1).
      if (a & ATTN_RF2) { this.flags &= ~RF; this.attention &= ~ATTN_RF2; }
      if (a & ATTN_RF) { this.attention = (this.attention & ~ATTN_RF) | ATTN_RF2; }
    }
    if ((a & ATTN_TRAP) && this.ssShadow) {
      // MOV SS / POP SS: debug exceptions are held until the boundary after the next instruction (SDM vol. 3A
      // §6.8.3); pending breakpoint bits stay pending, the next instruction's single step is decided anew.
      this.tfAtStart = (this.flags & TF) !== 0;
    } else if (a & ATTN_TRAP) {
      // Single step: TF was set when the instruction just retired began (SDM vol. 3B §17.3.1.4), so an
      // instruction that sets TF is not trapped, one that clears it is. DR6.BS/BT are sticky; B0-B3 are
      // rewritten by each #DB.
      const bits = this.pendingDebug | (this.tfAtStart ? DR6_BS : 0);
      this.pendingDebug = 0;
      if (bits !== 0) {
        this.dr[6] = (this.dr[6] & ~DR6_B0_3) | bits;
        this.deliverTrap(DB);
        if (this.shutdown) return false;
      }
      this.tfAtStart = (this.flags & TF) !== 0;
      if (!this.tfAtStart && this.pendingDebug === 0) this.attention &= ~ATTN_TRAP;
    }
    if (this.shadow > 0) {
      // This boundary is inhibited. ATTN_SHADOW stays set for one more boundary so that
      // shadowedBoundary is cleared there (pollInterrupt must not take INTR at this boundary either).
      this.shadow--;
      this.ssShadow = false;
      this.shadowedBoundary = true;
    } else {
      if (this.shadowedBoundary) { this.shadowedBoundary = false; this.attention &= ~ATTN_SHADOW; }
      if (this.attention & ATTN_IRQ) {
        if (!this.intr) this.attention &= ~ATTN_IRQ;
        else if (this.flags & IF) this.acceptInterrupt();
      }
    }
    return (this.attention & ATTN_STOP) !== 0;
  }

  /**
   * For the machine, between run() calls: a device event has just raised INTR at this instruction
   * boundary; recognize it now (before the next instruction), as the hardware would.
   */
  pollInterrupt(): void {
    if ((this.attention & ATTN_IRQ) !== 0 && !this.halted && this.shadow === 0 && !this.shadowedBoundary &&
        this.intr && (this.flags & IF)) {
      this.acceptInterrupt();
    }
  }

  /** Note that TF may have changed (POPF, IRET, task switch...). */
  tfChanged(): void {
    if (this.flags & TF) this.attention |= ATTN_TRAP;
  }

  /** Start the interrupt shadow (STI, MOV SS, POP SS). */
  inhibitInterrupts(): void {
    this.shadow = 1;
    this.attention |= ATTN_SHADOW;
  }

  /** MOV SS / POP SS: the interrupt shadow, which also holds back debug exceptions for one instruction. */
  inhibitAfterSsLoad(): void {
    this.inhibitInterrupts();
    this.ssShadow = true;
  }

  /** INTR acknowledge and delivery through the IDT/IVT (the return address is the next instruction). */
  private acceptInterrupt(): void {
    const vector = this.pic !== null ? this.pic.acknowledge() & 0xFF : 0xFF;
    this.attention &= ~ATTN_IRQ;
    if (this.intr) this.attention |= ATTN_IRQ;
    this.runDelivery(vector, -1, EventKind.External, this.eip);
  }

  /** Deliver a trap-class exception after an instruction completed (this.eip is already the next one). */
  private deliverTrap(vector: number): void {
    this.runDelivery(vector, -1, EventKind.Exception, this.eip);
  }

  /** Deliver an exception raised by the instruction at this.eip, folding nested faults into #DF/shutdown. */
  deliverException(vector: number, errorCode: number): void {
    this.runDelivery(vector, errorCode, EventKind.Exception, this.eip);
  }

  /**
   * Deliver one event. A fault raised while delivering it is combined with it per SDM vol. 3A §6.15
   * Table 6-5: contributory then contributory, or #PF then #PF or contributory, gives #DF (error code 0);
   * any fault while delivering #DF is a triple fault (shutdown); other pairs are delivered one after the
   * other. Faults in INT n / INT3 / INTO delivery and external interrupts are never the first of a #DF
   * pair (only exceptions are classified). The nested fault reports this.eip: the instruction that raised
   * the event (a fault in INT n is a fault of INT n), the boundary a trap or interrupt was taken at, or
   * the first instruction of a new task for faults past a task switch's commit point.
   */
  runDelivery(vector: number, errorCode: number, kind: EventKind, returnEip: number): void {
    for (;;) {
      const saved = this.ext;
      try {
        this.ext = kind === EventKind.Software || kind === EventKind.SoftwareException ? 0 : 1;
        deliverEvent(this, vector, errorCode, kind, returnEip);
        this.ext = saved;
      } catch (e) {
        this.ext = saved;
        if (e !== FAULT) throw e;
        if (vector === DFV && kind === EventKind.Exception) {
          this.enterShutdown();
          return;
        }
        const second = this.excVector;
        const first = kind === EventKind.Exception ? vector : -1;
        if ((isContributory(first) && isContributory(second)) || (first === PFV && (second === PFV || isContributory(second)))) {
          vector = DFV; errorCode = 0;
        } else {
          vector = second; errorCode = this.excError;
        }
        kind = EventKind.Exception;
        returnEip = this.eip;
        continue;
      }
      // The handler starts with the TF of the new context (cleared by gates): no single step carries over.
      this.tfAtStart = (this.flags & TF) !== 0;
      if (this.pendingDebug & DR6_BT) {
        // A task switch to a TSS with T=1: #DB (trap) before the new task's first instruction (§17.3.1.5).
        this.dr[6] = (this.dr[6] & ~DR6_B0_3) | this.pendingDebug;
        this.pendingDebug = 0;
        vector = DB; errorCode = -1; kind = EventKind.Exception; returnEip = this.eip;
        continue;
      }
      return;
    }
  }

  /** Triple fault: the processor stops until NMI/INIT/RESET; run() reports Stop.Shutdown (SDM vol. 3A §6.15). */
  enterShutdown(): void {
    this.shutdown = true;
    this.halted = true;
  }

  // =====================================================================================================
  // Lazy flags (SDM vol. 1 §3.4.3; carry/overflow from the operands and result, for any carry-in)
  // =====================================================================================================

  setLazy(op: number, a: number, b: number, res: number, top: number): void {
    this.lazyOp = op; this.lazyA = a; this.lazyB = b; this.lazyRes = res; this.lazyTop = top;
    this.lazyMask = ARITH_FLAGS;
  }

  /** Flags of a logical operation: CF=OF=0, SF/ZF/PF from the result, AF cleared (undefined in the SDM). */
  setLogic(res: number, top: number): void {
    this.lazyOp = LAZY_LOGIC; this.lazyRes = res; this.lazyTop = top;
    this.lazyMask = ARITH_FLAGS;
  }

  getCF(): number {
    if (!(this.lazyMask & CF)) return this.flags & CF;
    const a = this.lazyA, b = this.lazyB, r = this.lazyRes;
    switch (this.lazyOp) {
      case LAZY_ADD: return (((a & b) | ((a | b) & ~r)) >>> this.lazyTop) & 1;
      case LAZY_SUB: return (((~a & b) | (~(a ^ b) & r)) >>> this.lazyTop) & 1;
      case LAZY_SHIFT: return a & 1;
      default: return 0;
    }
  }

  getOF(): boolean {
    if (!(this.lazyMask & OF)) return (this.flags & OF) !== 0;
    const a = this.lazyA, b = this.lazyB, r = this.lazyRes;
    switch (this.lazyOp) {
      case LAZY_ADD: return ((((a ^ r) & (b ^ r)) >>> this.lazyTop) & 1) !== 0;
      case LAZY_SUB: return ((((a ^ b) & (a ^ r)) >>> this.lazyTop) & 1) !== 0;
      case LAZY_SHIFT: return ((b >>> this.lazyTop) & 1) !== 0;
      default: return false;
    }
  }

  getZF(): boolean {
    if (!(this.lazyMask & ZF)) return (this.flags & ZF) !== 0;
    return ((this.lazyRes << (31 - this.lazyTop)) | 0) === 0;
  }

  getSF(): boolean {
    if (!(this.lazyMask & SF)) return (this.flags & SF) !== 0;
    return ((this.lazyRes >>> this.lazyTop) & 1) !== 0;
  }

  getPF(): boolean {
    if (!(this.lazyMask & PF)) return (this.flags & PF) !== 0;
    return PARITY[this.lazyRes & 0xFF] !== 0;
  }

  getAF(): boolean {
    if (!(this.lazyMask & AF)) return (this.flags & AF) !== 0;
    if (this.lazyOp === LAZY_LOGIC || this.lazyOp === LAZY_SHIFT) return false;
    return ((this.lazyA ^ this.lazyB ^ this.lazyRes) & 0x10) !== 0;
  }

  /** `flags` with the lazy state folded in, without changing anything. */
  foldedFlags(): number {
    const m = this.lazyMask;
    let f = this.flags & ~m;
    if (m & CF) f |= this.getCF();
    if ((m & PF) && this.getPF()) f |= PF;
    if ((m & AF) && this.getAF()) f |= AF;
    if ((m & ZF) && this.getZF()) f |= ZF;
    if ((m & SF) && this.getSF()) f |= SF;
    if ((m & OF) && this.getOF()) f |= OF;
    return f;
  }

  /** Fold the lazy state into `flags` (call before changing only some of the arithmetic flags). */
  materializeFlags(): void {
    if (this.lazyMask === 0) return;
    this.flags = this.foldedFlags();
    this.lazyMask = 0;
  }

  /** The architectural EFLAGS value. */
  getEflags(): number {
    this.materializeFlags();
    return this.flags | EFLAGS_FIXED1;
  }

  /** Replace EFLAGS bits selected by `mask` (callers decide which bits the instruction may change). */
  setEflags(value: number, mask: number): void {
    this.materializeFlags();
    const old = this.flags;
    this.flags = (((old & ~mask) | (value & mask)) & EFLAGS_IMPLEMENTED) | EFLAGS_FIXED1;
    if ((old ^ this.flags) & VM) this.modeChanged();
    if (this.flags & TF) this.attention |= ATTN_TRAP;
  }

  /** Set or clear a single status flag (materializes the lazy state). */
  setFlag(bit: number, on: boolean | number): void {
    this.materializeFlags();
    if (on) this.flags |= bit; else this.flags &= ~bit;
  }

  /** Condition code cc (the low nibble of Jcc/SETcc/CMOVcc), SDM vol. 2 Appendix B.1.4.7. */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0: r = this.getOF(); break;
      case 1: r = this.getCF() !== 0; break;
      case 2: r = this.getZF(); break;
      case 3: r = this.getCF() !== 0 || this.getZF(); break;
      case 4: r = this.getSF(); break;
      case 5: r = this.getPF(); break;
      case 6: r = this.getSF() !== this.getOF(); break;
      default: r = this.getZF() || this.getSF() !== this.getOF(); break;
    }
    return (cc & 1) ? !r : r;
  }

  get df(): boolean { return (this.flags & DF) !== 0; }

  // =====================================================================================================
  // Register access by ModRM number
  // =====================================================================================================

  /** 8-bit register n (AL CL DL BL AH CH DH BH). */
  getReg8(n: number): number { return this.r8[((n & 3) << 2) | (n >> 2)]; }
  setReg8(n: number, v: number): void { this.r8[((n & 3) << 2) | (n >> 2)] = v; }
  getReg16(n: number): number { return this.r16[n << 1]; }
  setReg16(n: number, v: number): void { this.r16[n << 1] = v; }

  // =====================================================================================================
  // Effective addresses and segment-checked memory access
  // =====================================================================================================

  /** Offset of the memory operand of i (address-size wrapped). */
  ea(i: Insn): number {
    return this.eaI(i) >>> 0;
  }

  /**
   * ea(i) as an int32 (offset | 0): the same offset in the form V8 passes between functions without boxing
   * it (an unsigned offset of 2 GiB or more is a heap number). read*, write*, rmw* and linRead/linWrite
   * accept either form.
   */
  eaI(i: Insn): number {
    if (i.a32 === true) {
      let a = i.disp;
      if (i.base >= 0) a += this.r32[i.base];
      if (i.index >= 0) a += this.r32[i.index] << i.scale;
      return a | 0;
    }
    let a = i.disp;
    if (i.base >= 0) a += this.r16[i.base << 1];
    if (i.index >= 0) a += this.r16[i.index << 1];
    return a & 0xFFFF;
  }

  /**
   * Linear address for a read of `size` bytes at s:off, after the segment checks (SDM vol. 3A §5.3).
   * `off` is a 32-bit offset, unsigned or as int32 (eaI).
   */
  linRead(s: number, off: number, size: number): number {
    off >>>= 0;
    if (off < this.segLo[s] || off + size - 1 > this.segRHi[s]) this.segCheckFailed(s, off, false);
    return (this.segBase[s] + off) | 0;
  }

  linWrite(s: number, off: number, size: number): number {
    off >>>= 0;
    if (off < this.segLo[s] || off + size - 1 > this.segWHi[s]) this.segCheckFailed(s, off, true);
    return (this.segBase[s] + off) | 0;
  }

  /** Why did a segment check fail: #GP(0) or #SS(0) for limits, types and null selectors alike. */
  private segCheckFailed(s: number, _off: number, _write: boolean): never {
    return this.segFault(s, 0);
  }

  read8(s: number, off: number): number { return this.readLin8(this.linRead(s, off, 1)); }
  read16(s: number, off: number): number { return this.readLin16(this.linRead(s, off, 2)); }
  read32(s: number, off: number): number { return this.readLin32(this.linRead(s, off, 4)); }
  write8(s: number, off: number, v: number): void { this.writeLin8(this.linWrite(s, off, 1), v); }
  write16(s: number, off: number, v: number): void { this.writeLin16(this.linWrite(s, off, 2), v); }
  write32(s: number, off: number, v: number): void { this.writeLin32(this.linWrite(s, off, 4), v); }

  /**
   * Read-modify-write: check s:off for writing (segment and page), return the old value; the matching
   * rmwCommit writes the result to the same place. Nothing is modified if the check faults.
   */
  rmw8(s: number, off: number): number {
    const lin = this.linWrite(s, off, 1);
    this.probeWrite(lin, 1);
    this.rmwLin = lin;
    return this.readLin8(lin);
  }
  rmw16(s: number, off: number): number {
    const lin = this.linWrite(s, off, 2);
    this.probeWrite(lin, 2);
    this.rmwLin = lin;
    return this.readLin16(lin);
  }
  rmw32(s: number, off: number): number {
    const lin = this.linWrite(s, off, 4);
    this.probeWrite(lin, 4);
    this.rmwLin = lin;
    return this.readLin32(lin);
  }
  commit8(v: number): void { this.writeLin8(this.rmwLin, v); }
  commit16(v: number): void { this.writeLin16(this.rmwLin, v); }
  commit32(v: number): void { this.writeLin32(this.rmwLin, v); }

  /** Ensure a write of `size` bytes at linear `lin` will not fault (fills the TLB for write). */
  probeWrite(lin: number, size: number): void {
    const e = this.tlb[lin >>> 12];
    if (!(e & this.wmask)) this.translate(lin, true);
    if (((lin & 0xFFF) + size) > 0x1000) {
      const l2 = (lin + size - 1) & ~0xFFF; // CR2 names the first byte of the second page, as silicon reports it
      if (!(this.tlb[l2 >>> 12] & this.wmask)) this.translate(l2, true);
    }
  }

  /** Ensure a read of `size` bytes at linear `lin` will not fault. */
  probeRead(lin: number, size: number): void {
    const e = this.tlb[lin >>> 12];
    if (!(e & this.rmask)) this.translate(lin, false);
    if (((lin & 0xFFF) + size) > 0x1000) {
      const l2 = (lin + size - 1) & ~0xFFF; // CR2 names the first byte of the second page, as silicon reports it
      if (!(this.tlb[l2 >>> 12] & this.rmask)) this.translate(l2, false);
    }
  }

  // =====================================================================================================
  // Linear memory access through the software TLB
  // =====================================================================================================

  readLin8(lin: number): number {
    const e = this.tlb[lin >>> 12];
    if (e & this.rmask) return this.ram8[(e & ~0xFFF) | (lin & 0xFFF)];
    return this.mem.read8(this.translate(lin, false));
  }

  readLin16(lin: number): number {
    if ((lin & 0xFFF) !== 0xFFF) {
      const e = this.tlb[lin >>> 12];
      if (e & this.rmask) {
        const p = (e & ~0xFFF) | (lin & 0xFFF);
        return (p & 1) === 0 ? this.ram16[p >>> 1] : this.ram8[p] | (this.ram8[p + 1] << 8);
      }
      return this.mem.read16(this.translate(lin, false));
    }
    return this.readLin8(lin) | (this.readLin8((lin + 1) | 0) << 8);
  }

  readLin32(lin: number): number {
    if ((lin & 0xFFF) <= 0xFFC) {
      const e = this.tlb[lin >>> 12];
      if (e & this.rmask) {
        const p = (e & ~0xFFF) | (lin & 0xFFF);
        if ((p & 3) === 0) return this.ram32[p >>> 2];
        const m = this.ram8;
        return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
      }
      return this.mem.read32(this.translate(lin, false));
    }
    // Crosses a page: both pages must be readable before any byte is used.
    this.probeRead(lin, 4);
    return this.readLin16(lin) | (this.readLin16((lin + 2) | 0) << 16);
  }

  writeLin8(lin: number, v: number): void {
    const e = this.tlb[lin >>> 12];
    if (e & this.wmask) { this.ram8[(e & ~0xFFF) | (lin & 0xFFF)] = v; return; }
    this.writePhys8(this.translate(lin, true), v);
  }

  writeLin16(lin: number, v: number): void {
    if ((lin & 0xFFF) !== 0xFFF) {
      const e = this.tlb[lin >>> 12];
      if (e & this.wmask) {
        const p = (e & ~0xFFF) | (lin & 0xFFF);
        if ((p & 1) === 0) this.ram16[p >>> 1] = v;
        else { this.ram8[p] = v; this.ram8[p + 1] = v >> 8; }
        return;
      }
      this.writePhys16(this.translate(lin, true), v);
      return;
    }
    this.probeWrite(lin, 2);
    this.writeLin8(lin, v);
    this.writeLin8((lin + 1) | 0, v >> 8);
  }

  writeLin32(lin: number, v: number): void {
    if ((lin & 0xFFF) <= 0xFFC) {
      const e = this.tlb[lin >>> 12];
      if (e & this.wmask) {
        const p = (e & ~0xFFF) | (lin & 0xFFF);
        if ((p & 3) === 0) this.ram32[p >>> 2] = v;
        else { const m = this.ram8; m[p] = v; m[p + 1] = v >> 8; m[p + 2] = v >> 16; m[p + 3] = v >> 24; }
        return;
      }
      this.writePhys32(this.translate(lin, true), v);
      return;
    }
    this.probeWrite(lin, 4);
    this.writeLin16(lin, v);
    this.writeLin16((lin + 2) | 0, v >>> 16);
  }

  /**
   * Supervisor-privilege ("implicit") accesses to system structures (GDT, IDT, TSS) ignore CPL
   * (SDM vol. 3A §4.6.1). These run the access with CPL-0 TLB masks.
   */
  // (No closures here: descriptor loads and event delivery call these on hot paths.)
  readSys32(lin: number): number { this.enterSys(); try { return this.readLin32(lin); } finally { this.leaveSys(); } }
  readSys16(lin: number): number { this.enterSys(); try { return this.readLin16(lin); } finally { this.leaveSys(); } }
  readSys8(lin: number): number { this.enterSys(); try { return this.readLin8(lin); } finally { this.leaveSys(); } }
  writeSys32(lin: number, v: number): void { this.enterSys(); try { this.writeLin32(lin, v); } finally { this.leaveSys(); } }
  writeSys16(lin: number, v: number): void { this.enterSys(); try { this.writeLin16(lin, v); } finally { this.leaveSys(); } }
  writeSys8(lin: number, v: number): void { this.enterSys(); try { this.writeLin8(lin, v); } finally { this.leaveSys(); } }

  private supervisorDepth = 0;
  private sysSavedR = 0;
  private sysSavedW = 0;
  private enterSys(): void {
    if (this.supervisorDepth++ === 0) {
      this.sysSavedR = this.rmask; this.sysSavedW = this.wmask;
      this.rmask = TLB_SR; this.wmask = TLB_SW;
    }
  }
  private leaveSys(): void {
    if (--this.supervisorDepth === 0) { this.rmask = this.sysSavedR; this.wmask = this.sysSavedW; }
  }

  /** True when the current access is made with user privilege (for #PF U/S checks). */
  get userAccess(): boolean { return this.cpl === 3 && this.supervisorDepth === 0; }

  /**
   * Translate a linear address for a read or write at the current privilege: TLB hit with permission,
   * else the page walk (paging.ts) which fills the TLB or raises #PF. Returns the physical address.
   */
  translate(lin: number, write: boolean): number {
    const page = lin >>> 12;
    let e = this.tlb[page];
    if (e & TLB_VALID) {
      const perms = (e & 0x1F) | ((e >>> TLB_PERM_SHIFT) & 0xF);
      const need = write ? this.wmask : this.rmask;
      if (perms & need) return (e & ~0xFFF) | (lin & 0xFFF);
    }
    e = this.fillTlb(lin, write);
    return (e & ~0xFFF) | (lin & 0xFFF);
  }

  /** Walk the page tables (or identity-map with paging off) and install a TLB entry. */
  private fillTlb(lin: number, write: boolean): number {
    const page = lin >>> 12;
    let phys: number, perms: number, global = 0;
    if (!(this.cr0 & CR0_PG)) {
      phys = (lin & ~0xFFF) & this.a20Mask;
      perms = TLB_SR | TLB_UR | TLB_SW | TLB_UW;
    } else {
      const w = walkPage(this, lin, write, this.userAccess);
      phys = w & ~0xFFF & this.a20Mask;
      const user = (w & 4) !== 0, writable = (w & 2) !== 0, dirty = (w & 0x40) !== 0;
      global = w & 0x100 ? TLB_GLOBAL : 0;
      if (w & 0x80) this.tlbLarge[lin >>> 22] = 1;
      perms = TLB_SR;
      if (user) perms |= TLB_UR;
      // Write permission is cached only once the dirty bit is set, so the first write walks again.
      if (dirty) {
        if (writable || !(this.cr0 & CR0_WP)) perms |= TLB_SW;
        if (writable && user) perms |= TLB_UW;
      }
    }
    const pp = phys >>> 12;
    let e = (phys & ~0xFFF) | TLB_VALID | global;
    if (this.mem.isRamPage(pp)) {
      e |= perms & (TLB_SR | TLB_UR);
      if (this.mem.isWritableRamPage(pp) && !this.codeCache.codePage[pp]) e |= perms & (TLB_SW | TLB_UW);
    }
    e |= perms << TLB_PERM_SHIFT;
    if (this.tlb[page] === 0) {
      if (this.tlbCount >= TLB_TRACK_MAX) this.flushTlb(true);
      this.tlbPages[this.tlbCount++] = page;
    }
    this.tlb[page] = e;
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    return e;
  }

  /** Flush the TLB: everything, or all but global entries (CR3 load with CR4.PGE, SDM vol. 3A §4.10.4). */
  flushTlb(all: boolean): void {
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    this.attention |= ATTN_CODE;
    if (all || this.tlbCount === 0) {
      if (this.tlbCount >= TLB_TRACK_MAX) this.tlb.fill(0);
      else for (let k = 0; k < this.tlbCount; k++) this.tlb[this.tlbPages[k]] = 0;
      this.tlbCount = 0;
      this.tlbLarge.fill(0);
      return;
    }
    let kept = 0;
    for (let k = 0; k < this.tlbCount; k++) {
      const p = this.tlbPages[k];
      if (this.tlb[p] & TLB_GLOBAL) this.tlbPages[kept++] = p;
      else this.tlb[p] = 0;
    }
    this.tlbCount = kept;
  }

  /**
   * INVLPG: drop the translation of the page containing `lin`, whatever its global bit (SDM vol. 3A
   * §4.10.4.1). A 4 MiB page is one translation on silicon but is cached here per 4 KiB piece, so a region
   * that holds 4 MiB-page entries is dropped whole.
   */
  invalidatePage(lin: number): void {
    this.fetchSlots = NO_SLOTS;
    this.fetchSlots2 = NO_SLOTS;
    this.attention |= ATTN_CODE;
    this.tlb[lin >>> 12] = 0;
    const region = lin >>> 22;
    if (this.tlbLarge[region]) {
      this.tlbLarge[region] = 0;
      this.tlb.fill(0, region << 10, (region + 1) << 10);
    }
  }

  // =====================================================================================================
  // Instruction fetch (CS limit and execute permission, the 15-byte limit)
  // =====================================================================================================

  beginFetch(): void {
    this.fetchOff = this.eip;
    this.fetchCount = 0;
  }

  fetch8(): number {
    if (this.fetchCount >= 15) this.fault(GP, 0);
    const off = this.fetchOff;
    if (off < this.segLo[CS] || off > this.segRHiCode()) this.fault(GP, 0);
    this.fetchOff = this.code32 ? (off + 1) >>> 0 : (off + 1) & 0xFFFF;
    this.fetchCount++;
    return this.readLin8((this.segBase[CS] + off) | 0);
  }

  /** Code segments are fetchable up to their limit whether or not they are readable. */
  private segRHiCode(): number {
    return this.segLimit[CS];
  }

  fetch16(): number { return this.fetch8() | (this.fetch8() << 8); }
  fetch32(): number { return (this.fetch16() | (this.fetch16() << 16)) | 0; }

  // =====================================================================================================
  // Stack (SS.B chooses SP or ESP; SDM vol. 1 §6.2.3)
  // =====================================================================================================

  // (32-bit stack offsets are passed as int32, see eaI.)
  push16(v: number): void {
    if (this.stack32 === true) {
      const sp = (this.r32[ESP] - 2) | 0;
      this.write16(SS, sp, v);
      this.r32[ESP] = sp;
    } else {
      const sp = (this.r16[ESP << 1] - 2) & 0xFFFF;
      this.write16(SS, sp, v);
      this.r16[ESP << 1] = sp;
    }
  }

  push32(v: number): void {
    if (this.stack32 === true) {
      const sp = (this.r32[ESP] - 4) | 0;
      this.write32(SS, sp, v);
      this.r32[ESP] = sp;
    } else {
      const sp = (this.r16[ESP << 1] - 4) & 0xFFFF;
      this.write32(SS, sp, v);
      this.r16[ESP << 1] = sp;
    }
  }

  pop16(): number {
    if (this.stack32 === true) {
      const sp = this.r32[ESP];
      const v = this.read16(SS, sp);
      this.r32[ESP] = sp + 2;
      return v;
    }
    const sp = this.r16[ESP << 1];
    const v = this.read16(SS, sp);
    this.r16[ESP << 1] = sp + 2;
    return v;
  }

  pop32(): number {
    if (this.stack32 === true) {
      const sp = this.r32[ESP];
      const v = this.read32(SS, sp);
      this.r32[ESP] = sp + 4;
      return v;
    }
    const sp = this.r16[ESP << 1];
    const v = this.read32(SS, sp);
    this.r16[ESP << 1] = sp + 4;
    return v;
  }

  /** Read the stack at offset `delta` bytes above the stack pointer without popping. */
  peek32(delta: number): number {
    return this.stack32 ? this.read32(SS, (this.r32[ESP] + delta) >>> 0) : this.read32(SS, (this.r16[ESP << 1] + delta) & 0xFFFF);
  }
  peek16(delta: number): number {
    return this.stack32 ? this.read16(SS, (this.r32[ESP] + delta) >>> 0) : this.read16(SS, (this.r16[ESP << 1] + delta) & 0xFFFF);
  }

  /** Stack pointer (ESP or SP by SS.B). */
  getSP(): number { return this.stack32 ? this.r32[ESP] >>> 0 : this.r16[ESP << 1]; }
  setSP(v: number): void { if (this.stack32) this.r32[ESP] = v; else this.r16[ESP << 1] = v; }

  // =====================================================================================================
  // Intercept point: every sensitive operation calls this before it takes effect
  // =====================================================================================================

  /** May throw (a VM exit takes the operation over); returns normally to let it proceed. */
  sensitive(kind: Sensitive, a = 0, b = 0): void {
    if (this.hook !== null) this.hook.sensitive(this, kind, a, b);
  }

  // =====================================================================================================
  // Branch helpers
  // =====================================================================================================

  /** Near jump to offset `target` in CS (checked against the CS limit, SDM vol. 2 JMP: #GP(0)). */
  jumpNear(target: number): void {
    target = this.code32 ? target >>> 0 : target & 0xFFFF;
    if (target > this.segLimit[CS] || target < this.segLo[CS]) this.fault(GP, 0);
    this.nextEip = target;
  }

  /**
   * I/O permission (SDM vol. 1 §18.5): in protected mode with CPL > IOPL, and always in virtual-8086 mode,
   * every byte of the access must be allowed by the TSS I/O bitmap, else #GP(0). The bitmap is read with
   * supervisor privilege; a 16-bit TSS or one too short for the bitmap denies the access.
   */
  checkIo(port: number, size: number): void {
    if (!(this.cr0 & CR0_PE)) return;
    if (!(this.flags & VM) && this.cpl <= ((this.flags >> 12) & 3)) return;
    const type = this.trAR & 0xF;
    if ((type !== 0x9 && type !== 0xB) || this.trLimit < 0x67) this.fault(GP, 0);
    const mapBase = this.readSys16((this.trBase + 0x66) | 0);
    const byteOff = mapBase + (port >>> 3);
    // Two bytes are read so that an access crossing a byte boundary is covered.
    if (byteOff + 1 > this.trLimit) this.fault(GP, 0);
    const bits = this.readSys16((this.trBase + byteOff) | 0);
    const mask = ((1 << size) - 1) << (port & 7);
    if (bits & mask) this.fault(GP, 0);
  }

  /** Privilege/mode predicates used by many instructions. */
  get iopl(): number { return (this.flags >> 12) & 3; }
  get realMode(): boolean { return (this.cr0 & CR0_PE) === 0; }
}


export { AC, CF, DF, IF, OF, PF, SF, TF, ZF, AF };
