// Decimal adjust: DAA 27, DAS 2F, AAA 37, AAS 3F, AAM D4 ib, AAD D5 ib. SDM vol. 2, one section each;
// the operations below follow its pseudo-code (AAA adds 106H to AX as a whole, which silicon confirms:
// AL=FAH gives AX=0200H). Undefined flags: DAA/DAS OF; AAA/AAS OF SF ZF PF; AAM/AAD OF AF CF.
// These are rare, so they simply fold the lazy flags first.

import type { CPU } from '../cpu.ts';
import { LAZY_LOGIC } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, Imm } from '../opcode-table.ts';
import { AF, ARITH_FLAGS, CF, DE, OF, PF, SF, ZF } from '../regs.ts';

/** Set CF and AF as given, OF cleared (undefined), SF/ZF/PF lazy from AL. */
function setAdjustFlags(cpu: CPU, al: number, cf: boolean, af: boolean): void {
  cpu.flags = (cpu.flags & ~ARITH_FLAGS) | (cf ? CF : 0) | (af ? AF : 0);
  cpu.lazyOp = LAZY_LOGIC; cpu.lazyRes = al; cpu.lazyTop = 7;
  cpu.lazyMask = SF | ZF | PF;
}

function daa(cpu: CPU): void {
  const oldAl = cpu.r8[0], oldCf = cpu.getCF() !== 0;
  let al = oldAl, cf = false, af = false;
  if ((al & 0xF) > 9 || cpu.getAF()) {
    al += 6;
    cf = oldCf || al > 0xFF;
    af = true;
  }
  if (oldAl > 0x99 || oldCf) { al += 0x60; cf = true; } else cf = false;
  cpu.r8[0] = al;
  setAdjustFlags(cpu, al & 0xFF, cf, af);
}

function das(cpu: CPU): void {
  const oldAl = cpu.r8[0], oldCf = cpu.getCF() !== 0;
  let al = oldAl, cf = false, af = false;
  if ((al & 0xF) > 9 || cpu.getAF()) {
    al -= 6;
    cf = oldCf || al < 0;
    af = true;
  }
  if (oldAl > 0x99 || oldCf) { al -= 0x60; cf = true; }
  cpu.r8[0] = al;
  setAdjustFlags(cpu, al & 0xFF, cf, af);
}

/** AAA / AAS: only AF and CF are defined; the others keep their (materialized) values. */
function setAsciiFlags(cpu: CPU, adjust: boolean): void {
  cpu.materializeFlags();
  cpu.flags = (cpu.flags & ~(AF | CF)) | (adjust ? AF | CF : 0);
}

function aaa(cpu: CPU): void {
  const adjust = (cpu.r8[0] & 0xF) > 9 || cpu.getAF();
  if (adjust) cpu.r16[0] += 0x106;
  cpu.r8[0] &= 0xF;
  setAsciiFlags(cpu, adjust);
}

function aas(cpu: CPU): void {
  const adjust = (cpu.r8[0] & 0xF) > 9 || cpu.getAF();
  if (adjust) {
    cpu.r16[0] -= 6;
    cpu.r8[1] -= 1;
  }
  cpu.r8[0] &= 0xF;
  setAsciiFlags(cpu, adjust);
}

/** AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE when imm8 = 0. SF ZF PF from AL. */
function aam(cpu: CPU, i: Insn): void {
  const base = i.imm & 0xFF, al = cpu.r8[0];
  if (base === 0) cpu.fault(DE);
  const q = (al / base) | 0;
  cpu.r8[1] = q;
  cpu.r8[0] = al - q * base;
  cpu.setLogic(cpu.r8[0], 7);
}

/** AAD imm8: AL = (AL + AH * imm8) & FFH, AH = 0. SF ZF PF from AL. */
function aad(cpu: CPU, i: Insn): void {
  const al = (cpu.r8[0] + cpu.r8[1] * (i.imm & 0xFF)) & 0xFF;
  cpu.r16[0] = al;
  cpu.setLogic(al, 7);
}

export function install(): void {
  def(0x27, { name: 'daa', h16: daa, undef: OF });
  def(0x2F, { name: 'das', h16: das, undef: OF });
  def(0x37, { name: 'aaa', h16: aaa, undef: OF | SF | ZF | PF });
  def(0x3F, { name: 'aas', h16: aas, undef: OF | SF | ZF | PF });
  def(0xD4, { name: 'aam', imm: Imm.Ib, h16: aam, undef: OF | AF | CF });
  def(0xD5, { name: 'aad', imm: Imm.Ib, h16: aad, undef: OF | AF | CF });
}
