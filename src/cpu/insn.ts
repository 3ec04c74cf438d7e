// One decoded instruction. The interpreter decodes into a reused Insn; a block cache or translator keeps
// arrays of them. Fields are plain numbers so an Insn can be cloned, compared and serialized.

import type { CPU } from './cpu.ts';
import type { JitBlock } from './jit/block.ts';

export type Handler = (cpu: CPU, i: Insn) => void;

export class Insn {
  /** Opcode: 0x000-0x0FF one-byte map, 0x100-0x1FF two-byte (0F xx) map. */
  op = 0;
  /** ModRM.reg (also the group sub-opcode). */
  reg = 0;
  mod = 0;
  rm = 0;
  /** Length in bytes, prefixes included. */
  len = 0;
  /** The default operand/address size it was decoded for (CS.D): a cached Insn is valid only for it. */
  code32 = true;
  /** Operand size 32 (else 16) after the 66 prefix. */
  o32 = true;
  /** Address size 32 (else 16) after the 67 prefix. */
  a32 = true;
  /** Segment for the memory operand: the override or the addressing form's default. */
  seg = 3;
  /** Segment override prefix given (-1 when none): string instructions need to know. */
  segOvr = -1;
  /** 0, 0xF3 (REP/REPE) or 0xF2 (REPNE), the last one given. */
  rep = 0;
  lock = false;
  /** Memory operand: base and index register numbers (-1 none), scale as a shift count, displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  /** Immediates (imm2: second immediate of ENTER, or the selector of a far pointer). */
  imm = 0;
  imm2 = 0;
  exec: Handler = noop;
  /** The interpreter's inline form of this instruction (interp.ts K; 0: call exec). Set with the decode. */
  fast = 0;
  /** Translated code starting at this (cached) instruction (jit/block.ts), and how often a block began here. */
  block: JitBlock | null = null;
  hits = 0;

  copyFrom(o: Insn): this {
    this.op = o.op; this.code32 = o.code32; this.reg = o.reg; this.mod = o.mod; this.rm = o.rm; this.len = o.len; this.o32 = o.o32;
    this.a32 = o.a32; this.seg = o.seg; this.segOvr = o.segOvr; this.rep = o.rep; this.lock = o.lock;
    this.base = o.base; this.index = o.index; this.scale = o.scale; this.disp = o.disp; this.imm = o.imm;
    this.imm2 = o.imm2; this.exec = o.exec; this.fast = o.fast;
    return this;
  }
}

function noop(): void {}
