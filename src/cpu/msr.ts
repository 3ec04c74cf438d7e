// Model-specific registers (SDM vol. 4 "Model-Specific Registers", Table 2-2 architectural MSRs and the
// P6-family table; vol. 2 RDMSR/WRMSR). Only the MSRs a Pentium II-class CPU with the features CPUID
// reports would have; every other index raises #GP(0). Later layers (platform, VMX) add MSRs through
// cpu.extraMsrs, which is consulted first so a layer may also take over one of these.

import type { CPU } from './cpu.ts';
import { GP } from './regs.ts';

export const MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1B, MSR_BIOS_SIGN_ID = 0x8B,
  MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176;

/** An MSR added by a later layer. Values are 64-bit. */
export interface MsrHandler {
  read(cpu: CPU): bigint;
  /** Return false to make the WRMSR raise #GP(0) (read-only register, reserved bits set). */
  write(cpu: CPU, value: bigint): boolean;
}

/** A plain storage MSR: reads give the last value written; bits outside `writable` must be written as 0. */
export function storageMsr(initial: bigint, writable = 0xFFFFFFFFFFFFFFFFn): MsrHandler {
  let v = initial;
  return {
    read: () => v,
    write: (_cpu, value) => {
      if (value & ~writable) return false;
      v = value;
      return true;
    },
  };
}

/** The value read: lo = EAX, hi = EDX (set by readMsr; one reused object, no allocation per RDMSR). */
export const msrValue = { lo: 0, hi: 0 };

/** RDMSR: fills msrValue, or raises #GP(0) for an MSR this CPU does not have. */
export function readMsr(cpu: CPU, index: number): void {
  index >>>= 0;
  const extra = cpu.extraMsrs.get(index);
  if (extra !== undefined) {
    const v = BigInt.asUintN(64, extra.read(cpu));
    msrValue.lo = Number(v & 0xFFFFFFFFn) | 0;
    msrValue.hi = Number(v >> 32n) | 0;
    return;
  }
  let lo = 0, hi = 0;
  switch (index) {
    case MSR_TSC: {
      // IA32_TIME_STAMP_COUNTER: the machine's clock is the instruction count (SDM vol. 3B §17.17).
      const t = cpu.icount + cpu.tscOffset;
      lo = t | 0;
      hi = Math.floor(t / 4294967296) | 0;
      break;
    }
    case MSR_PLATFORM_ID: break;          // bits 52:50 platform id 0; read-only
    case MSR_APIC_BASE: lo = cpu.apicBase; break;
    case MSR_BIOS_SIGN_ID: break;         // EDX = microcode update signature: none loaded
    case MSR_SYSENTER_CS: lo = cpu.sysenterCs; break;
    case MSR_SYSENTER_ESP: lo = cpu.sysenterEsp; break;
    case MSR_SYSENTER_EIP: lo = cpu.sysenterEip; break;
    default: cpu.fault(GP, 0);
  }
  msrValue.lo = lo | 0;
  msrValue.hi = hi | 0;
}

/** WRMSR of EDX:EAX = hi:lo, or #GP(0) for an unknown MSR, a read-only one, or reserved bits set. */
export function writeMsr(cpu: CPU, index: number, lo: number, hi: number): void {
  index >>>= 0;
  const extra = cpu.extraMsrs.get(index);
  if (extra !== undefined) {
    const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (!extra.write(cpu, v)) cpu.fault(GP, 0);
    return;
  }
  switch (index) {
    case MSR_TSC:
      // "For Pentium processors and P6 family processors, only the low-order 32 bits of the time-stamp
      // counter can be written (the high-order 32 bits are cleared to all 0s)" (SDM vol. 3B §17.17).
      cpu.tscOffset = (lo >>> 0) - cpu.icount;
      return;
    case MSR_APIC_BASE:
      // Bit 8 (BSP) is read-only; bit 11 enables; bits 31:12 are the base. Bits 7:0, 10:9 and, with a
      // 32-bit physical address space (no PAE, no PSE-36), all of EDX are reserved.
      if ((lo & 0x6FF) || hi) cpu.fault(GP, 0);
      cpu.apicBase = (lo & 0xFFFFF800) | (cpu.apicBase & 0x100);
      return;
    case MSR_BIOS_SIGN_ID:
      // Writing (conventionally 0) prepares the signature that a following CPUID(1) latches; with no
      // microcode update loaded it stays 0 (SDM vol. 3A §9.11.7.1).
      return;
    // IA-32 processors without Intel 64 keep 32-bit SYSENTER MSRs: EDX is ignored.
    case MSR_SYSENTER_CS: cpu.sysenterCs = lo | 0; return;
    case MSR_SYSENTER_ESP: cpu.sysenterEsp = lo | 0; return;
    case MSR_SYSENTER_EIP: cpu.sysenterEip = lo | 0; return;
    default: cpu.fault(GP, 0); // unknown MSRs and IA32_PLATFORM_ID (read-only)
  }
}
