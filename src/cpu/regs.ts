// Register, segment and EFLAGS encodings (Intel SDM vol. 1 §3.4, vol. 3A §2.3).

export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

/** Segment register numbers as encoded in ModRM.reg of MOV Sreg (SDM vol. 2 Table 3-6). */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

// EFLAGS bits (SDM vol. 1 §3.4.3).
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400,
  OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000,
  VIP = 0x100000, ID = 0x200000;
/** The six status flags that arithmetic computes (kept lazily). */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits of EFLAGS that exist on this CPU; bit 1 always reads 1. */
export const EFLAGS_IMPLEMENTED = ARITH_FLAGS | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;
export const EFLAGS_FIXED1 = 0x2;

// CR0 (SDM vol. 3A §2.5).
export const CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 0x10000,
  CR0_AM = 0x40000, CR0_NW = 0x20000000, CR0_CD = 0x40000000, CR0_PG = 0x80000000;
// CR4.
export const CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 0x10, CR4_PAE = 0x20, CR4_MCE = 0x40,
  CR4_PGE = 0x80, CR4_PCE = 0x100, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400, CR4_VMXE = 0x2000;

/**
 * Segment access rights, stored in the VMCS "access rights" format (SDM vol. 3C §24.4.1, Table 24-2):
 * bits 3:0 type, 4 S, 6:5 DPL, 7 P, 12 AVL, 14 D/B, 15 G, 16 unusable. Using the VMX format for the
 * descriptor cache means VM entry/exit copy it verbatim.
 */
export const AR_TYPE = 0xF, AR_S = 0x10, AR_DPL_SHIFT = 5, AR_P = 0x80, AR_AVL = 0x1000, AR_DB = 0x4000,
  AR_G = 0x8000, AR_UNUSABLE = 0x10000;
// Type bits for code/data segments (S=1).
export const TYPE_ACCESSED = 1, TYPE_WRITABLE = 2, TYPE_EXPAND_DOWN = 4, TYPE_READABLE = 2, TYPE_CONFORMING = 4,
  TYPE_CODE = 8;

// Exception vectors (SDM vol. 3A Table 6-1).
export const DE = 0, DB = 1, NMI = 2, BP = 3, OFV = 4, BR = 5, UD = 6, NM = 7, DFV = 8, TS = 10, NP = 11,
  SSV = 12, GP = 13, PFV = 14, MF = 16, ACV = 17, MC = 18, XM = 19;
