// Test support for descriptor-level unit tests (segment loads, far transfers, gates, LAR/LSL/...): encode
// segment and gate descriptors, lay out a GDT / LDT / TSS by hand, enter any privilege level with any
// code and stack segment, and run code one instruction at a time while the intercept hook records every
// exception (instead of delivering it), so a test sees the state exactly as the faulting instruction left
// it. Test-only code; nothing in the emulator imports it.
//
// Layout (physical = linear, paging off): GDT 0x1000 (256 entries), LDT 0x2000 (when installed), TSS
// 0x3000 (32-bit, loaded in TR), code at 0x10000, ring-0 stack top 0x90000, ring-1 0x80000, ring-2
// 0x70000, ring-3 0x60000. Fixed GDT entries (the rest is free for tests):
//   0x08 ring-0 code (32-bit, flat, readable)      0x10 ring-0 data (flat, writable)
//   0x18 ring-3 code (32-bit, flat, readable)      0x20 ring-3 data (flat, writable)
//   0x28 the TSS (busy, in TR)                     0x30 LDT descriptor (after installLdt)
//   0x38 ring-1 data, 0x40 ring-2 data             (stacks for the TSS's SS1/SS2)

import { CPU, Stop } from './cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { Descriptor, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import type { Sensitive } from './intercept.ts';
import type { EventKind } from './interrupts.ts';
import { AR_UNUSABLE, CS, DS, ES, FS, GS, SS } from './regs.ts';

export const GDT = 0x1000, LDT = 0x2000, TSS = 0x3000, CODE = 0x10000;
export const STACK0 = 0x90000, STACK1 = 0x80000, STACK2 = 0x70000, STACK3 = 0x60000;
export const KCODE = 0x08, KDATA = 0x10, UCODE = 0x1B, UDATA = 0x23, TSS_SEL = 0x28, LDT_SEL = 0x30,
  R1DATA = 0x39, R2DATA = 0x42;
/** First GDT index free for a test's own descriptors (selector 0x48). */
export const FREE_INDEX = 9;

/** Descriptor types (SDM vol. 3A Table 3-1 for code/data with S=1, Table 3-2 for system with S=0). */
export const T = {
  DATA_R: 0x0, DATA_RW: 0x2, DATA_R_DOWN: 0x4, DATA_RW_DOWN: 0x6,
  CODE_X: 0x8, CODE_XR: 0xA, CODE_XC: 0xC, CODE_XRC: 0xE,
  TSS16: 0x1, LDT: 0x2, TSS16_BUSY: 0x3, CALL16: 0x4, TASK: 0x5, INT16: 0x6, TRAP16: 0x7,
  TSS32: 0x9, TSS32_BUSY: 0xB, CALL32: 0xC, INT32: 0xE, TRAP32: 0xF,
} as const;

export interface SegSpec {
  base?: number;
  /** Raw 20-bit limit field (scaled by 4 KiB when g is set). Default 0xFFFFF. */
  limit?: number;
  type: number;
  /** Code/data (true, default) or system descriptor (false). */
  s?: boolean;
  dpl?: number;
  present?: boolean;
  /** D/B flag (default true). */
  db?: boolean;
  /** Granularity: limit in 4 KiB units (default: set when `limit` is omitted, i.e. a flat 4 GiB segment). */
  g?: boolean;
}

/** Encode a segment descriptor as [low dword, high dword] (SDM vol. 3A §3.4.5, Figure 3-8). */
export function segDesc(o: SegSpec): [number, number] {
  const base = o.base ?? 0, limit = o.limit ?? 0xFFFFF;
  const g = o.g ?? (o.limit === undefined);
  const access = (o.type & 0xF) | ((o.s ?? true) ? 0x10 : 0) | (((o.dpl ?? 0) & 3) << 5) | ((o.present ?? true) ? 0x80 : 0);
  const flags = ((o.db ?? true) ? 0x4 : 0) | (g ? 0x8 : 0);
  const lo = ((base & 0xFFFF) << 16) | (limit & 0xFFFF);
  const hi = (base & 0xFF000000) | (flags << 20) | (limit & 0xF0000) | (access << 8) | ((base >>> 16) & 0xFF);
  return [lo | 0, hi | 0];
}

export interface GateSpec {
  type: number;
  selector: number;
  offset?: number;
  dpl?: number;
  present?: boolean;
  /** Call gates: parameter count (5 bits). */
  params?: number;
}

/** Encode a call / task / interrupt / trap gate (SDM vol. 3A Figure 5-8, Figure 6-2). */
export function gateDesc(o: GateSpec): [number, number] {
  const off = o.offset ?? 0;
  const access = (o.type & 0xF) | (((o.dpl ?? 0) & 3) << 5) | ((o.present ?? true) ? 0x80 : 0);
  const lo = ((o.selector & 0xFFFF) << 16) | (off & 0xFFFF);
  const hi = (off & 0xFFFF0000) | (access << 8) | ((o.params ?? 0) & 0x1F);
  return [lo | 0, hi | 0];
}

export interface Event { vector: number; error: number; eip: number; kind: EventKind }

export class DescMachine {
  readonly mem = new PhysicalMemory(1 << 20);
  readonly io = new IoBus();
  readonly cpu: CPU;
  readonly dv: DataView;
  /** Every exception/interrupt the CPU raised (recorded, not delivered). */
  readonly events: Event[] = [];
  /** Every cpu.sensitive() call. */
  readonly sensitives: { kind: Sensitive; a: number; b: number }[] = [];

  constructor() {
    const cpu = this.cpu = new CPU(this.mem, this.io);
    this.dv = new DataView(this.mem.u8.buffer);
    this.setDesc(KCODE, segDesc({ type: T.CODE_XR | 1, dpl: 0 }));
    this.setDesc(KDATA, segDesc({ type: T.DATA_RW | 1, dpl: 0 }));
    this.setDesc(UCODE, segDesc({ type: T.CODE_XR | 1, dpl: 3 }));
    this.setDesc(UDATA, segDesc({ type: T.DATA_RW | 1, dpl: 3 }));
    this.setDesc(TSS_SEL, segDesc({ type: T.TSS32_BUSY, s: false, base: TSS, limit: 0x67, db: false }));
    this.setDesc(R1DATA, segDesc({ type: T.DATA_RW | 1, dpl: 1 }));
    this.setDesc(R2DATA, segDesc({ type: T.DATA_RW | 1, dpl: 2 }));
    this.setTssStack(0, KDATA, STACK0);
    this.setTssStack(1, R1DATA, STACK1);
    this.setTssStack(2, R2DATA, STACK2);
    cpu.gdtrBase = GDT; cpu.gdtrLimit = 256 * 8 - 1;
    cpu.idtrBase = 0x4000; cpu.idtrLimit = 0x7FF;
    cpu.trSel = TSS_SEL; cpu.trBase = TSS; cpu.trLimit = 0x67; cpu.trAR = 0x8B;
    cpu.ldtrSel = 0; cpu.ldtrAR = AR_UNUSABLE;
    cpu.cr0 = 0x11;
    cpu.flags = 0x2;
    cpu.modeChanged();
    this.enter(0, KCODE, KDATA, STACK0);
    const self = this;
    cpu.hook = {
      sensitive(_c, kind, a, b) { self.sensitives.push({ kind, a, b }); },
      event(c, vector, error, kind, eip) {
        self.events.push({ vector, error, eip, kind });
        c.requestStop();
        return true;
      },
    };
  }

  /** Switch to real-address mode with real-mode segment caches (base = selector × 16, 64 KiB limits). */
  realMode(cs = 0x1000, ss = 0x2000, sp = 0xFFF0): void {
    const cpu = this.cpu;
    cpu.cr0 = 0x10;
    cpu.flags = 0x2;
    for (let s = 0; s < 6; s++) setSegment(cpu, s, 0, 0, 0xFFFF, 0x93);
    setSegment(cpu, CS, cs, cs << 4, 0xFFFF, 0x9B);
    setSegment(cpu, SS, ss, ss << 4, 0xFFFF, 0x93);
    cpu.cpl = 0;
    cpu.modeChanged();
    cpu.r32[4] = sp;
  }

  /**
   * Switch to virtual-8086 mode (EFLAGS.VM = 1, CPL 3) with V86 segment caches (base = selector × 16,
   * 64 KiB limit, DPL 3), as an IRET to V86 would leave them (SDM vol. 3A §20.2).
   */
  v86Mode(cs = 0x1000, ss = 0x2000, sp = 0xFFF0): void {
    const cpu = this.cpu;
    cpu.flags = 0x20002;
    for (let s = 0; s < 6; s++) setSegment(cpu, s, 0, 0, 0xFFFF, 0xF3);
    setSegment(cpu, CS, cs, cs << 4, 0xFFFF, 0xFB);
    setSegment(cpu, SS, ss, ss << 4, 0xFFFF, 0xF3);
    cpu.cpl = 3;
    cpu.modeChanged();
    cpu.r32[4] = sp;
  }

  /** Write a descriptor for selector `sel` (GDT, or the LDT when TI=1). */
  setDesc(sel: number, d: [number, number]): void {
    const at = (sel & 4 ? LDT : GDT) + (sel & 0xFFF8);
    this.dv.setInt32(at, d[0], true);
    this.dv.setInt32(at + 4, d[1], true);
  }

  /** The descriptor of `sel` as stored in memory now. */
  getDesc(sel: number): [number, number] {
    const at = (sel & 4 ? LDT : GDT) + (sel & 0xFFF8);
    return [this.dv.getInt32(at, true), this.dv.getInt32(at + 4, true)];
  }

  /** Install an LDT of `entries` descriptors at LDT (GDT selector 0x30) and load LDTR with it. */
  installLdt(entries = 32): void {
    this.setDesc(LDT_SEL, segDesc({ type: T.LDT, s: false, base: LDT, limit: entries * 8 - 1, g: false }));
    const d = new Descriptor();
    readDescriptor(this.cpu, LDT_SEL, d);
    this.cpu.ldtrSel = LDT_SEL; this.cpu.ldtrBase = d.base; this.cpu.ldtrLimit = d.limit; this.cpu.ldtrAR = d.ar;
  }

  /** SS:ESP for privilege level `dpl` in the 32-bit TSS. */
  setTssStack(dpl: number, ss: number, esp: number): void {
    this.dv.setUint32(TSS + 4 + dpl * 8, esp >>> 0, true);
    this.dv.setUint32(TSS + 8 + dpl * 8, ss & 0xFFFF, true);
  }

  /**
   * Enter privilege level `cpl` with CS and SS loaded from their descriptors (no checks: this is how a test
   * puts the CPU in a state), ESP = `esp`; DS, ES, FS, GS get `data` (default: SS's selector).
   */
  enter(cpl: number, cs: number, ss: number, esp: number, data = ss): void {
    const cpu = this.cpu, d = new Descriptor();
    const load = (s: number, sel: number): void => {
      if ((sel & 0xFFFC) === 0) { setSegment(cpu, s, sel, 0, 0, AR_UNUSABLE); return; }
      if (!readDescriptor(cpu, sel, d)) throw new Error(`selector ${sel.toString(16)} outside its table`);
      setSegmentFromDescriptor(cpu, s, sel, d);
    };
    load(CS, cs); load(SS, ss);
    for (const s of [DS, ES, FS, GS]) load(s, data);
    cpu.cpl = cpl;
    cpu.cplChanged();
    cpu.r32[4] = esp;
  }

  /** Put bytes (hex) at a physical address. */
  load(addr: number, hex: string): void {
    for (let k = 0; k < hex.length / 2; k++) this.mem.u8[addr + k] = parseInt(hex.substr(k * 2, 2), 16);
    this.mem.markDirty(addr, hex.length / 2);
  }

  /** Put `hex` at CODE (or `at`), point CS:EIP at it (offset = address - CS base) and execute `n` instructions. */
  run(hex: string, n = 1, at = CODE): Event | null {
    this.load(at, hex);
    this.cpu.eip = (at - this.cpu.segBase[CS]) >>> 0;
    return this.step(n);
  }

  /** Execute up to `n` instructions from the current CS:EIP; returns the first event raised, or null. */
  step(n = 1): Event | null {
    const before = this.events.length;
    this.cpu.halted = false;
    const stop = this.cpu.run(n);
    if (this.events.length > before) return this.events[before];
    if (stop !== Stop.Limit && stop !== Stop.Halt) throw new Error(`unexpected stop ${stop}`);
    return null;
  }

  r8(a: number): number { return this.mem.u8[a]; }
  r16(a: number): number { return this.dv.getUint16(a, true); }
  r32(a: number): number { return this.dv.getUint32(a, true); }
  w8(a: number, v: number): void { this.mem.u8[a] = v; this.mem.markDirty(a, 1); }
  w16(a: number, v: number): void { this.dv.setUint16(a, v & 0xFFFF, true); this.mem.markDirty(a, 2); }
  w32(a: number, v: number): void { this.dv.setUint32(a, v >>> 0, true); this.mem.markDirty(a, 4); }
}

/**
 * The architectural state a faulting instruction must leave untouched (SDM vol. 3A §6.6): general
 * registers, EIP, EFLAGS, CPL, segment selectors and caches, LDTR/TR/GDTR/IDTR. Compare two snapshots
 * with assert.deepEqual.
 */
export function snapshot(cpu: CPU): Record<string, unknown> {
  return {
    regs: Array.from(cpu.r32), eip: cpu.eip, eflags: cpu.getEflags(), cpl: cpu.cpl,
    sel: Array.from(cpu.segSel), base: Array.from(cpu.segBase), limit: Array.from(cpu.segLimit), ar: Array.from(cpu.segAR),
    ldtr: [cpu.ldtrSel, cpu.ldtrBase, cpu.ldtrLimit, cpu.ldtrAR], tr: [cpu.trSel, cpu.trBase, cpu.trLimit, cpu.trAR],
    gdtr: [cpu.gdtrBase, cpu.gdtrLimit], idtr: [cpu.idtrBase, cpu.idtrLimit],
  };
}

/** Little-endian hex of `v` in `bytes` bytes (for building instruction bytes). */
export function le(v: number, bytes: number): string {
  let s = '';
  for (let k = 0; k < bytes; k++) s += ((v >>> (8 * k)) & 0xFF).toString(16).padStart(2, '0');
  return s;
}
