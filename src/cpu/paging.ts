// 32-bit paging (SDM vol. 3A §4.3): two-level walk with 4 KiB pages and, with CR4.PSE, 4 MiB pages;
// reserved-bit checks; accessed/dirty bits (§4.8); U/S and R/W checks with CR0.WP (§4.6); exact #PF
// error codes and CR2 (§4.7). The result feeds the CPU's software TLB; EPT (a later layer) adds a second
// stage here.

import type { CPU } from './cpu.ts';
import { CR0_WP, CR4_PGE, CR4_PSE, PFV } from './regs.ts';

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
// #PF error code bits (SDM vol. 3A §4.7, Figure 4-12).
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 0x10;

/**
 * Reserved bits with CR4.PSE = 1 (SDM vol. 3A §4.3; "with 32-bit paging, there are reserved bits only if
 * CR4.PSE = 1"). This CPU has neither PSE-36 nor PAT (a Pentium II), so a 4 MiB PDE reserves bits 21:13
 * and bit 12 (PAT), and a PTE reserves bit 7 (PAT).
 */
export const PDE4M_RESERVED = 0x003FF000, PTE_RESERVED = 0x80;

/** Bits of walkPage's result besides the frame address. */
export const WALK_WRITABLE = RW, WALK_USER = US, WALK_DIRTY = D, WALK_LARGE = PS, WALK_GLOBAL = G;

/**
 * Walk for linear address `lin`. Returns the page's physical base address ORed with effective
 * permission bits: 2 = writable, 4 = user, 0x40 = dirty (already set, or set now by a write),
 * 0x80 = from a 4 MiB page, 0x100 = global. Raises #PF (setting CR2) when the access is not allowed.
 * Paging-structure reads go to physical memory through the A20 mask like every other access.
 * Accessed and dirty bits are written only once the access is known to be allowed (no update for a
 * faulting access, as the SDM's §4.8 "whenever the processor uses a paging-structure entry as part of
 * linear-address translation" reads: a faulting walk produces no translation).
 */
export function walkPage(cpu: CPU, lin: number, write: boolean, user: boolean): number {
  const mem = cpu.mem, a20 = cpu.a20Mask;
  const pdeAddr = ((cpu.cr3 & ~0xFFF) | ((lin >>> 22) << 2)) & a20;
  const pde = mem.read32(pdeAddr);
  if (!(pde & P)) pageFault(cpu, lin, 0, write, user);
  const wpOn = (cpu.cr0 & CR0_WP) !== 0;
  const pse = (cpu.cr4 & CR4_PSE) !== 0;
  if ((pde & PS) && pse) {
    if (pde & PDE4M_RESERVED) pageFault(cpu, lin, PF_P | PF_RSVD, write, user);
    checkAccess(cpu, lin, pde, write, user, wpOn);
    const upd = pde | A | (write ? D : 0);
    if (upd !== pde) mem.write32(pdeAddr, upd);
    const base = (pde & 0xFFC00000) | (lin & 0x003FF000);
    return base | (pde & (RW | US)) | (upd & D) | PS | (pde & G && cpu.cr4 & CR4_PGE ? G : 0);
  }
  const pteAddr = ((pde & ~0xFFF) | (((lin >>> 12) & 0x3FF) << 2)) & a20;
  const pte = mem.read32(pteAddr);
  if (!(pte & P)) pageFault(cpu, lin, 0, write, user);
  if (pse && (pte & PTE_RESERVED)) pageFault(cpu, lin, PF_P | PF_RSVD, write, user);
  // The effective rights combine both levels (SDM vol. 3A §4.6.1): user only if both U/S are 1,
  // writable only if both R/W are 1.
  const eff = pde & pte;
  checkAccess(cpu, lin, eff, write, user, wpOn);
  if (!(pde & A)) mem.write32(pdeAddr, pde | A);
  const upd = pte | A | (write ? D : 0);
  if (upd !== pte) mem.write32(pteAddr, upd);
  return (pte & ~0xFFF) | (eff & (RW | US)) | (upd & D) | (pte & G && cpu.cr4 & CR4_PGE ? G : 0);
}

/**
 * Access rights (SDM vol. 3A §4.6.1): user-mode accesses need U/S=1, and R/W=1 to write; supervisor-mode
 * writes need R/W=1 only when CR0.WP=1; supervisor reads are always allowed.
 */
function checkAccess(cpu: CPU, lin: number, eff: number, write: boolean, user: boolean, wp: boolean): void {
  if (user) {
    if (!(eff & US) || (write && !(eff & RW))) pageFault(cpu, lin, PF_P, write, user);
  } else if (write && !(eff & RW) && wp) {
    pageFault(cpu, lin, PF_P, write, user);
  }
}

/** #PF: CR2 = the linear address, error code P/W/U/RSVD (no I/D bit: no NX with 32-bit paging). */
function pageFault(cpu: CPU, lin: number, bits: number, write: boolean, user: boolean): never {
  cpu.cr2 = lin >>> 0;
  return cpu.fault(PFV, bits | (write ? PF_W : 0) | (user ? PF_U : 0));
}
