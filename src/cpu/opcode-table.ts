// The one table of instruction semantics: for every opcode (and group sub-opcode), its mnemonic, how it
// is encoded (ModRM, immediate kind), its handlers for 16- and 32-bit operand size, whether LOCK is legal
// and which EFLAGS bits the SDM leaves undefined. The decoder, the interpreter, the golden-vector flag
// masks and (later) the block translator all read this table. Each ops/*.ts file fills in its group.

import type { Handler } from './insn.ts';

export const enum Imm {
  None = 0,
  /** imm8, zero-extended. */
  Ib,
  /** imm8, sign-extended to the operand size. */
  Ibs,
  /** imm16. */
  Iw,
  /** imm16 or imm32 by operand size. */
  Iz,
  /** Relative branch displacement: rel16 or rel32 by operand size, sign-extended. */
  Jz,
  /** ENTER: imm16 then imm8. */
  IwIb,
  /** Far pointer ptr16:16 / ptr16:32 (imm = offset, imm2 = selector). */
  Ap,
  /** moffs: an address-size displacement used as the memory operand (A0-A3). */
  Moffs,
}

export interface OpDef {
  name: string;
  modrm?: boolean;
  imm?: Imm;
  /** Handler for 16-bit operand size. */
  h16: Handler;
  /** Handler for 32-bit operand size (defaults to h16 when the size does not matter). */
  h32?: Handler;
  /** LOCK is legal when the destination is memory (SDM vol. 2 "LOCK" list). */
  lockable?: boolean;
  /** EFLAGS bits left undefined by this instruction (masked when comparing with silicon). */
  undef?: number;
  /** Register-form only / memory-form only variants inside one opcode (e.g. 0F 01 /7 INVLPG). */
  /**
   * ModRM.mod is ignored: the operands are always registers and no SIB/displacement follows
   * (MOV to/from CRn/DRn, SDM vol. 2 "MOV—Move to/from Control Registers": "the two bits in the mod field are ignored").
   */
  regForm?: boolean;
}

export interface OpEntry extends OpDef {
  h32: Handler;
}

/** Either one definition or a group of eight selected by ModRM.reg. */
export interface TableSlot {
  def?: OpEntry;
  group?: (OpEntry | undefined)[];
  /** For groups: the whole opcode takes a ModRM byte. */
  modrm: boolean;
}

export const TABLE: (TableSlot | undefined)[] = new Array(0x200).fill(undefined);

function entry(d: OpDef): OpEntry {
  return { ...d, h32: d.h32 ?? d.h16 };
}

/** Define an opcode (0x00-0xFF, or 0x100 | second byte for 0F xx). */
export function def(op: number, d: OpDef): void {
  if (TABLE[op]) throw new Error(`opcode 0x${op.toString(16)} defined twice`);
  TABLE[op] = { def: entry(d), modrm: !!d.modrm };
}

/** Define one sub-opcode (ModRM.reg = sub) of a group opcode. */
export function defGroup(op: number, sub: number, d: OpDef): void {
  let slot = TABLE[op];
  if (!slot) TABLE[op] = slot = { group: new Array(8).fill(undefined), modrm: true };
  if (!slot.group) throw new Error(`opcode 0x${op.toString(16)} is not a group`);
  if (slot.group[sub]) throw new Error(`opcode 0x${op.toString(16)} /${sub} defined twice`);
  slot.group[sub] = entry({ ...d, modrm: true });
}

/** Define the same handler family for a run of opcodes (e.g. 50+r). */
export function defRange(first: number, count: number, make: (k: number) => OpDef): void {
  for (let k = 0; k < count; k++) def(first + k, make(k));
}

/** Look up the definition an opcode byte (and ModRM.reg for groups) selects, or undefined (#UD). */
export function lookup(op: number, reg: number): OpEntry | undefined {
  const slot = TABLE[op];
  if (!slot) return undefined;
  return slot.def ?? slot.group![reg];
}
