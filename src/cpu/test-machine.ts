// A hand-built protected-mode machine for unit tests of privileged behaviour: flat ring-0 and ring-3
// segments in a GDT, a 32-bit TSS with an I/O bitmap, optional identity paging, and an intercept hook
// that records every event (exception/interrupt) and every sensitive operation instead of delivering
// them, so a test sees the state exactly as the faulting instruction left it. Test-only code.

import { CPU, Stop } from './cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { setSegment } from './segments.ts';
import type { Sensitive } from './intercept.ts';
import { EventKind } from './interrupts.ts';
import { CS, DS, ES, FS, GS, SS } from './regs.ts';

export const GDT = 0x1000, TSS = 0x2000, IOMAP = 0x2068, PD = 0x100000, PT0 = 0x101000, CODE = 0x10000;
/** Selectors: ring-0 code/data, ring-3 code/data, TSS. */
export const KCS = 0x08, KDS = 0x10, UCS = 0x1B, UDS = 0x23, TSS_SEL = 0x28;

export interface RecordedEvent { vector: number; error: number; eip: number; kind: EventKind }
export interface RecordedSensitive { kind: Sensitive; a: number; b: number }

export interface MachineOptions {
  /** Identity-map the first 8 MiB with 4 KiB pages (user, writable) and turn paging on. */
  paging?: boolean;
  cpl?: 0 | 3;
  iopl?: number;
  memSize?: number;
}

import { putDescriptor as putDesc } from './descriptor-encode.ts';
export { putDesc };

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(hex.substr(k * 2, 2), 16);
  return out;
}

export class TestMachine {
  readonly mem: PhysicalMemory;
  readonly io = new IoBus();
  readonly cpu: CPU;
  readonly events: RecordedEvent[] = [];
  readonly sensitives: RecordedSensitive[] = [];
  /** Called on every sensitive operation (after recording); may inspect state or throw. */
  onSensitive: ((kind: Sensitive, a: number, b: number) => void) | null = null;

  constructor(opts: MachineOptions = {}) {
    this.mem = new PhysicalMemory(opts.memSize ?? 16 << 20);
    const cpu = this.cpu = new CPU(this.mem, this.io);
    const mem = this.mem;
    putDesc(mem, GDT + 0x08, 0, 0xFFFFF, 0x9B, 0xC);
    putDesc(mem, GDT + 0x10, 0, 0xFFFFF, 0x93, 0xC);
    putDesc(mem, GDT + 0x18, 0, 0xFFFFF, 0xFB, 0xC);
    putDesc(mem, GDT + 0x20, 0, 0xFFFFF, 0xF3, 0xC);
    putDesc(mem, GDT + 0x28, TSS, 0x68 + 0x2000, 0x89, 0);
    this.w32(TSS + 4, 0x7F0000); this.w32(TSS + 8, KDS);
    // I/O bitmap right after the 104-byte TSS: all ports denied, plus the trailing all-ones byte.
    this.w16(TSS + 0x66, 0x68);
    mem.u8.fill(0xFF, IOMAP, IOMAP + 0x2001);
    cpu.gdtrBase = GDT; cpu.gdtrLimit = 0x2F;
    cpu.idtrBase = 0x3000; cpu.idtrLimit = 0x7FF;
    cpu.trSel = TSS_SEL; cpu.trBase = TSS; cpu.trLimit = 0x68 + 0x2000; cpu.trAR = 0x8B;
    cpu.cr0 = 0x11;
    if (opts.paging) {
      for (let p = 0; p < 2048; p++) this.w32(PT0 + p * 4, (p << 12) | 7);
      this.w32(PD, PT0 | 7);
      this.w32(PD + 4, (PT0 + 0x1000) | 7);
      cpu.cr3 = PD;
      cpu.cr0 = 0x80000011 | 0;
    }
    this.setCpl(opts.cpl ?? 0);
    cpu.flags = 0x2 | ((opts.iopl ?? 0) << 12);
    cpu.modeChanged();
    cpu.r32[4] = 0x7F0000;
    cpu.eip = CODE;
    const self = this;
    cpu.hook = {
      sensitive(_c, kind, a, b) {
        self.sensitives.push({ kind, a, b });
        if (self.onSensitive) self.onSensitive(kind, a, b);
      },
      event(c, vector, error, kind, eip) {
        self.events.push({ vector, error, eip, kind });
        c.requestStop();
        return true;
      },
    };
  }

  /** Flat segments of ring 0 or ring 3. */
  setCpl(cpl: 0 | 3): void {
    const cpu = this.cpu;
    if (cpl === 0) {
      setSegment(cpu, CS, KCS, 0, 0xFFFFFFFF, 0xC09B);
      for (const s of [SS, DS, ES, FS, GS]) setSegment(cpu, s, KDS, 0, 0xFFFFFFFF, 0xC093);
    } else {
      setSegment(cpu, CS, UCS, 0, 0xFFFFFFFF, 0xC0FB);
      for (const s of [SS, DS, ES, FS, GS]) setSegment(cpu, s, UDS, 0, 0xFFFFFFFF, 0xC0F3);
    }
    cpu.cpl = cpl;
    cpu.cplChanged();
  }

  w32(addr: number, v: number): void { new DataView(this.mem.u8.buffer).setUint32(addr, v >>> 0, true); this.mem.markDirty(addr, 4); }
  w16(addr: number, v: number): void { new DataView(this.mem.u8.buffer).setUint16(addr, v & 0xFFFF, true); this.mem.markDirty(addr, 2); }
  r32(addr: number): number { return new DataView(this.mem.u8.buffer).getUint32(addr, true); }

  /**
   * Put `hex` at CODE and run from there until HLT (CPL 0), an event (recorded, not delivered) or
   * `limit` instructions. Returns the first recorded event of this run, or null.
   */
  run(hex: string, limit = 1000): RecordedEvent | null {
    this.mem.load(CODE, hexBytes(hex));
    this.cpu.eip = CODE;
    return this.resume(limit);
  }

  /** Execute exactly up to `n` instructions from the current EIP; the first event of this run, or null. */
  step(n: number): RecordedEvent | null {
    const before = this.events.length;
    this.cpu.run(n);
    return this.events.length > before ? this.events[before] : null;
  }

  /** Continue from the current EIP. */
  resume(limit = 1000): RecordedEvent | null {
    const before = this.events.length;
    this.cpu.halted = false;
    const stop = this.cpu.run(limit);
    if (this.events.length > before) return this.events[before];
    if (stop === Stop.Limit) throw new Error('step limit reached');
    return null;
  }
}

export { EventKind };
