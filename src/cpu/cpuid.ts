// CPUID (SDM vol. 2 "CPUID—CPU Identification"): a GenuineIntel family 6 model 3 stepping 3 processor
// (a Pentium II, "Klamath") that reports exactly the features this CPU implements.

import type { CPU } from './cpu.ts';
import { CPU_SIGNATURE } from './cpu.ts';
import { EAX, EBX, ECX, EDX } from './regs.ts';

/** Highest basic leaf. Leaf 2 (cache and TLB descriptors) exists on the P6 family. */
export const CPUID_MAX_LEAF = 2;

// CPUID.01H:EDX feature bits (SDM vol. 2 Table 3-11).
export const FEAT_FPU = 1 << 0, FEAT_VME = 1 << 1, FEAT_DE = 1 << 2, FEAT_PSE = 1 << 3, FEAT_TSC = 1 << 4,
  FEAT_MSR = 1 << 5, FEAT_PAE = 1 << 6, FEAT_MCE = 1 << 7, FEAT_CX8 = 1 << 8, FEAT_APIC = 1 << 9,
  FEAT_SEP = 1 << 11, FEAT_MTRR = 1 << 12, FEAT_PGE = 1 << 13, FEAT_MCA = 1 << 14, FEAT_CMOV = 1 << 15;

/**
 * What this CPU implements: the x87 FPU (fpu/, ops/x87*.ts; with CMOV, FCMOVcc and FCOMI are present too),
 * debugging extensions (CR4.DE: DR4/DR5 raise #UD), 4 MiB pages, the TSC (RDTSC, CR4.TSD), RDMSR/WRMSR,
 * CMPXCHG8B, SYSENTER/SYSEXIT, global pages and CMOVcc.
 * Not reported: VME/PVI, PAE, machine checks (MCE/MCA), a local APIC, MTRRs, PAT, PSE-36, MMX, FXSR
 * (no FXSAVE/FXRSTOR), SSE.
 */
export const FEATURES_EDX = FEAT_FPU | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_CX8 | FEAT_SEP | FEAT_PGE | FEAT_CMOV;
/** CPUID.01H:ECX: nothing on a P6 (the VMX layer adds bit 5 when it exists). */
export const FEATURES_ECX = 0;

/**
 * Leaf 2 descriptors of a Pentium II: AL=01 (one call suffices); 01h ITLB 4K 32 entries, 02h ITLB 4M 2
 * entries, 03h DTLB 4K 64 entries, 04h DTLB 4M 8 entries, 08h 16 KB L1 I-cache, 0Ch 16 KB L1 D-cache,
 * 43h 512 KB L2 (SDM vol. 2 Table 3-12).
 */
const LEAF2 = [0x03020101, 0, 0, 0x0C040843];

/** Execute CPUID for the leaf in EAX: writes EAX, EBX, ECX, EDX. */
export function cpuid(cpu: CPU): void {
  const r = cpu.r32;
  let leaf = r[EAX] >>> 0;
  // "If a value entered for CPUID.EAX is higher than the maximum input value for basic or extended
  // function for that processor then the data for the highest basic information leaf is returned."
  // The P6 has no extended leaves, so 8000_0000h and up land here too.
  if (leaf > CPUID_MAX_LEAF) leaf = CPUID_MAX_LEAF;
  switch (leaf) {
    case 0:
      r[EAX] = CPUID_MAX_LEAF;
      r[EBX] = 0x756E6547; // "Genu"
      r[EDX] = 0x49656E69; // "ineI"
      r[ECX] = 0x6C65746E; // "ntel"
      break;
    case 1:
      r[EAX] = CPU_SIGNATURE;
      r[EBX] = 0; // brand index 0, no CLFLUSH size, one logical processor, initial APIC ID 0
      r[ECX] = FEATURES_ECX;
      r[EDX] = FEATURES_EDX;
      break;
    default:
      r[EAX] = LEAF2[0]; r[EBX] = LEAF2[1]; r[ECX] = LEAF2[2]; r[EDX] = LEAF2[3];
      break;
  }
}
