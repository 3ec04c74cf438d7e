// 32-bit paging (SDM vol. 3A §4.3): two-level walk with 4 KiB pages and, with CR4.PSE, 4 MiB pages;
// accessed/dirty bits; U/S and R/W checks with CR0.WP; exact #PF error codes and CR2 (§4.7).
// The result feeds the CPU's software TLB; EPT (a later layer) adds a second stage here.

import type { CPU } from './cpu.ts';
import { CR0_WP, CR4_PGE, CR4_PSE, PFV } from './regs.ts';

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
// #PF error code bits (SDM vol. 3A §4.7, Figure 4-12).
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 0x10;

/**
 * Walk for linear address `lin`. Returns the page's physical base address ORed with effective
 * permission bits: 2 = writable, 4 = user, 0x40 = dirty (already set, or set now by a write),
 * 0x100 = global. Raises #PF (setting CR2) when the access is not allowed.
 */
export function walkPage(cpu: CPU, lin: number, write: boolean, user: boolean): number {
  const mem = cpu.mem;
  const pdeAddr = ((cpu.cr3 & ~0xFFF) | ((lin >>> 22) << 2)) >>> 0;
  const pde = mem.read32(pdeAddr);
  if (!(pde & P)) pageFault(cpu, lin, 0, write, user);
  const wpOn = (cpu.cr0 & CR0_WP) !== 0;
  if ((pde & PS) && (cpu.cr4 & CR4_PSE)) {
    // 4 MiB page. Without PSE-36, bits 21:13 are reserved (SDM vol. 3A Table 4-4 with MAXPHYADDR 32).
    if (pde & 0x003FE000) pageFault(cpu, lin, PF_P | PF_RSVD, write, user);
    checkAccess(cpu, lin, pde, write, user, wpOn);
    const upd = pde | A | (write ? D : 0);
    if (upd !== pde) mem.write32(pdeAddr, upd);
    const base = (pde & 0xFFC00000) | (lin & 0x003FF000);
    return base | (pde & (RW | US)) | (upd & D) | (pde & G && cpu.cr4 & CR4_PGE ? G : 0);
  }
  const pteAddr = ((pde & ~0xFFF) | (((lin >>> 12) & 0x3FF) << 2)) >>> 0;
  const pte = mem.read32(pteAddr);
  if (!(pte & P)) pageFault(cpu, lin, 0, write, user);
  const eff = pde & pte;
  checkAccess(cpu, lin, eff, write, user, wpOn);
  if (!(pde & A)) mem.write32(pdeAddr, pde | A);
  const upd = pte | A | (write ? D : 0);
  if (upd !== pte) mem.write32(pteAddr, upd);
  return (pte & ~0xFFF) | (eff & (RW | US)) | (upd & D) | (pte & G && cpu.cr4 & CR4_PGE ? G : 0);
}

function checkAccess(cpu: CPU, lin: number, eff: number, write: boolean, user: boolean, wp: boolean): void {
  if (user) {
    if (!(eff & US) || (write && !(eff & RW))) pageFault(cpu, lin, PF_P, write, user);
  } else if (write && !(eff & RW) && wp) {
    pageFault(cpu, lin, PF_P, write, user);
  }
}

function pageFault(cpu: CPU, lin: number, bits: number, write: boolean, user: boolean): never {
  cpu.cr2 = lin >>> 0;
  return cpu.fault(PFV, bits | (write ? PF_W : 0) | (user ? PF_U : 0));
}
