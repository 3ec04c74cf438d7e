// Test-only: a hand-built protected-mode machine for the event-delivery, task-switch and virtual-8086
// tests. Unlike test-machine.ts, events are really delivered through the IDT; the hook only records them
// (vector, error code, kind, return EIP) so a test can check the exact sequence, including the nested
// faults that become #DF. Handlers are usually a HLT (run() returns Stop.Halt at CPL 0).
//
// Layout (paging off unless a test builds page tables): GDT 0x1000, IDT 0x2000 (256 gates), TSS A
// 0x3000 (current task), TSS B 0x3200, code at 0x10000, handlers at 0x20000 + 0x10 * vector, ring-0
// stack top 0x90000, ring-3 stack top 0x80000.

import { CPU, Stop, type InterruptSource } from './cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { Descriptor, readDescriptor, setSegment, setSegmentFromDescriptor } from './segments.ts';
import type { EventKind } from './interrupts.ts';
import { CS, DS, ES, FS, GS, SS, ESP } from './regs.ts';

export const GDT = 0x1000, IDT = 0x2000, TSS_A = 0x3000, TSS_B = 0x3200, TSS_C = 0x3400, CODE = 0x10000,
  HANDLERS = 0x20000, KSTACK = 0x90000, USTACK = 0x80000;
/** GDT selectors. */
export const KCS = 0x08, KDS = 0x10, UCS = 0x1B, UDS = 0x23, TSSA_SEL = 0x28, TSSB_SEL = 0x30, KCS16 = 0x38,
  K1DS = 0x41, UCS_CONF = 0x4B, TSSC_SEL = 0x50, KDS_SMALL = 0x58, KDS_NP = 0x60, UCS3 = 0x6B;

export interface Ev { vector: number; error: number; kind: EventKind; eip: number }

export class FakePic implements InterruptSource {
  acks = 0;
  constructor(public vector: number, private readonly cpu: CPU) {}
  acknowledge(): number {
    this.acks++;
    this.cpu.setIntr(false);
    return this.vector;
  }
}

import { putDescriptor as putDesc } from './descriptor-encode.ts';
export { putDesc };

export class EventMachine {
  readonly mem = new PhysicalMemory(4 << 20);
  readonly io = new IoBus();
  readonly cpu: CPU;
  readonly dv: DataView;
  readonly events: Ev[] = [];

  constructor() {
    const cpu = this.cpu = new CPU(this.mem, this.io);
    const mem = this.mem;
    this.dv = new DataView(mem.u8.buffer);
    putDesc(mem, GDT + 0x08, 0, 0xFFFFF, 0x9B, 0xC);          // ring-0 code, 32-bit flat
    putDesc(mem, GDT + 0x10, 0, 0xFFFFF, 0x93, 0xC);          // ring-0 data
    putDesc(mem, GDT + 0x18, 0, 0xFFFFF, 0xFB, 0xC);          // ring-3 code
    putDesc(mem, GDT + 0x20, 0, 0xFFFFF, 0xF3, 0xC);          // ring-3 data
    putDesc(mem, GDT + 0x28, TSS_A, 0x67, 0x8B, 0);           // TSS A, busy (the current task)
    putDesc(mem, GDT + 0x30, TSS_B, 0x67, 0x89, 0);           // TSS B, available
    putDesc(mem, GDT + 0x38, 0, 0xFFFF, 0x9B, 0);             // ring-0 code, 16-bit, base 0
    putDesc(mem, GDT + 0x40, 0, 0xFFFFF, 0xB3, 0xC);          // ring-1 data
    putDesc(mem, GDT + 0x48, 0, 0xFFFFF, 0x9F, 0xC);          // ring-0 conforming code
    putDesc(mem, GDT + 0x50, TSS_C, 0x2B, 0x81, 0);           // TSS C, 16-bit, available
    putDesc(mem, GDT + 0x58, 0x8FF00, 0xFF, 0x93, 0x4);       // ring-0 data, 256 bytes at 0x8FF00
    putDesc(mem, GDT + 0x60, 0, 0xFFFFF, 0x13, 0xC);          // ring-0 data, not present
    putDesc(mem, GDT + 0x68, 0, 0xFFFFF, 0xFB, 0xC);          // ring-3 code (second copy)
    cpu.gdtrBase = GDT; cpu.gdtrLimit = 0x6F;
    cpu.idtrBase = IDT; cpu.idtrLimit = 0x7FF;
    cpu.trSel = TSSA_SEL; cpu.trBase = TSS_A; cpu.trLimit = 0x67; cpu.trAR = 0x8B;
    cpu.ldtrSel = 0; cpu.ldtrAR = 0x10000;
    // TSS A ring-0 stack.
    this.w32(TSS_A + 4, KSTACK); this.w16(TSS_A + 8, KDS);
    cpu.cr0 = 0x11;
    for (let v = 0; v < 256; v++) {
      this.gate(v, 0xE, KCS, HANDLERS + 0x10 * v, 0);
      mem.u8[HANDLERS + 0x10 * v] = 0xF4; // HLT
    }
    this.setRing(0);
    cpu.flags = 0x2;
    cpu.modeChanged();
    cpu.eip = CODE;
    const self = this;
    cpu.hook = {
      sensitive() {},
      event(_c, vector, error, kind, eip) {
        self.events.push({ vector, error, kind, eip });
        return false;
      },
    };
  }

  /** IDT entry: type 5 task gate, 6/7 16-bit interrupt/trap gate, 0xE/0xF 32-bit interrupt/trap gate. */
  gate(vector: number, type: number, sel: number, offset: number, dpl: number, present = true): void {
    const at = IDT + vector * 8;
    this.dv.setUint16(at, offset & 0xFFFF, true);
    this.dv.setUint16(at + 2, sel, true);
    this.mem.u8[at + 4] = 0;
    this.mem.u8[at + 5] = (present ? 0x80 : 0) | (dpl << 5) | type;
    this.dv.setUint16(at + 6, type === 5 ? 0 : offset >>> 16, true);
  }

  /** Load segment register s from the GDT/LDT without checks (test setup). */
  load(s: number, sel: number): void {
    const d = new Descriptor();
    if ((sel & 0xFFFC) === 0) { setSegment(this.cpu, s, sel, 0, 0, 0x10000); return; }
    if (!readDescriptor(this.cpu, sel, d)) throw new Error('bad selector in test setup');
    setSegmentFromDescriptor(this.cpu, s, sel, d);
  }

  /** Flat segments of ring 0 or ring 3 with the matching stack. */
  setRing(cpl: 0 | 3): void {
    const cpu = this.cpu;
    if (cpl === 0) {
      this.load(CS, KCS);
      for (const s of [SS, DS, ES, FS, GS]) this.load(s, KDS);
      cpu.r32[ESP] = KSTACK;
    } else {
      this.load(CS, UCS);
      for (const s of [SS, DS, ES, FS, GS]) this.load(s, UDS);
      cpu.r32[ESP] = USTACK;
    }
    cpu.cpl = cpl;
    cpu.cplChanged();
  }

  code(addr: number, hex: string): void {
    for (let k = 0; k < hex.length / 2; k++) this.mem.u8[addr + k] = parseInt(hex.substr(2 * k, 2), 16);
    this.mem.markDirty(addr, hex.length / 2);
  }

  /** Run `hex` placed at CODE (or wherever eip points when hex is empty). */
  run(hex = '', limit = 1000): Stop {
    if (hex) { this.code(CODE, hex); this.cpu.eip = CODE; }
    return this.cpu.run(limit);
  }

  /** The handler address of a vector (its HLT), and where EIP is after that HLT. */
  handler(v: number): number { return HANDLERS + 0x10 * v; }
  afterHandler(v: number): number { return HANDLERS + 0x10 * v + 1; }

  w32(a: number, v: number): void { this.dv.setUint32(a, v >>> 0, true); this.mem.markDirty(a, 4); }
  w16(a: number, v: number): void { this.dv.setUint16(a, v & 0xFFFF, true); this.mem.markDirty(a, 2); }
  r32(a: number): number { return this.dv.getUint32(a, true); }
  r16(a: number): number { return this.dv.getUint16(a, true); }
  r8(a: number): number { return this.mem.u8[a]; }
  /** Dwords from `a` upwards. */
  stack32(a: number, n: number): number[] { const o: number[] = []; for (let k = 0; k < n; k++) o.push(this.r32(a + 4 * k)); return o; }
  stack16(a: number, n: number): number[] { const o: number[] = []; for (let k = 0; k < n; k++) o.push(this.r16(a + 2 * k)); return o; }
  esp(): number { return this.cpu.r32[ESP] >>> 0; }
  /** The (vector, error) pairs recorded. */
  seq(): [number, number][] { return this.events.map((e) => [e.vector, e.error]); }
}
