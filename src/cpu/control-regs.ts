// Loading the control registers (SDM vol. 3A §2.5, vol. 2 "MOV—Move to/from Control Registers"): which
// bits exist on this CPU, the invalid combinations that raise #GP(0), and the side effects of a load —
// TLB invalidation (SDM vol. 3A §4.10.4.1) and mode changes. MOV CRn, LMSW and CLTS use these, and so
// can task switches (CR3) and, later, VMX entry/exit. Callers do their privilege checks and call
// cpu.sensitive() first; these functions only apply the architectural rules.

import type { CPU } from './cpu.ts';
import {
  CR0_AM, CR0_CD, CR0_EM, CR0_ET, CR0_MP, CR0_NE, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR4_DE, CR4_PCE,
  CR4_PGE, CR4_PSE, CR4_TSD, GP,
} from './regs.ts';

/** CR0 bits of a P6-family processor. The others are reserved: loads ignore them and they read 0. */
export const CR0_BITS = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

/**
 * CR4 bits this CPU implements: those of the features CPUID reports (TSD, DE, PSE, PGE, PCE). VME/PVI,
 * PAE, MCE and OSFXSR/OSXMMEXCPT belong to features we do not have, so setting them is a reserved-bit
 * #GP(0) (SDM vol. 3A §2.5: "an attempt to change CR4's reserved bits will cause a #GP"). The VMX layer
 * adds VMXE here when it exists.
 */
export const CR4_BITS = CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE;

/** CR3 bits: page-directory base, PCD and PWT (SDM vol. 3A §4.3, Table 4-3); the rest stay clear. */
export const CR3_BITS = 0xFFFFF018 | 0;

/**
 * MOV to CR0 (and LMSW/CLTS through it). Reserved bits "remain clear after any load ... attempts to set
 * them have no impact" and ET is hardwired to 1 on the P6 family (SDM vol. 2 MOV CR; vol. 3A §2.5).
 * #GP(0) for PG=1 with PE=0 and for NW=1 with CD=0. A change of PE or PG is a mode change (which also
 * flushes the whole TLB, SDM vol. 3A §4.10.4.1); a change of WP flushes the TLB because our TLB entries
 * cache the write permission that WP decides.
 */
export function loadCr0(cpu: CPU, value: number): void {
  const v = (value & CR0_BITS) | CR0_ET;
  if ((v & CR0_PG) && !(v & CR0_PE)) cpu.fault(GP, 0);
  if ((v & CR0_NW) && !(v & CR0_CD)) cpu.fault(GP, 0);
  const changed = cpu.cr0 ^ v;
  cpu.cr0 = v | 0;
  if (changed & (CR0_PE | CR0_PG)) cpu.modeChanged();
  else if (changed & CR0_WP) cpu.flushTlb(true);
}

/**
 * MOV to CR3: new page-directory base; invalidates every TLB entry except global ones (SDM vol. 3A
 * §4.10.4.1: "MOV to CR3 ... invalidates all TLB entries ... except those for global pages").
 */
export function loadCr3(cpu: CPU, value: number): void {
  cpu.cr3 = value & CR3_BITS;
  cpu.flushTlb(false);
}

/**
 * MOV to CR4: #GP(0) for any bit outside CR4_BITS. Changing PGE or PSE invalidates all TLB entries,
 * global ones included (SDM vol. 3A §4.10.4.1; PSE because our TLB holds 4 MiB translations).
 */
export function loadCr4(cpu: CPU, value: number): void {
  if (value & ~CR4_BITS) cpu.fault(GP, 0);
  const changed = cpu.cr4 ^ value;
  cpu.cr4 = value | 0;
  if (changed & (CR4_PGE | CR4_PSE)) cpu.flushTlb(true);
}

/** MOV from CRn (n = 0, 2, 3, 4). */
export function readCr(cpu: CPU, n: number): number {
  switch (n) {
    case 0: return cpu.cr0 | 0;
    case 2: return cpu.cr2 | 0;
    case 3: return cpu.cr3 | 0;
    default: return cpu.cr4 | 0;
  }
}
