// Atomic read-modify-write instructions (SDM vol. 2): CMPXCHG (0F B0/B1), CMPXCHG8B (0F C7 /1),
// XADD (0F C0/C1). All are lockable with a memory destination. The emulated CPU runs one instruction at a
// time, so atomicity is given; what matters is the order of checks and writes.

import type { CPU } from '../cpu.ts';
import { LAZY_ADD, LAZY_SUB } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { def, defGroup } from '../opcode-table.ts';
import { EAX, EBX, ECX, EDX, UD, ZF } from '../regs.ts';

// ---- CMPXCHG: compare the accumulator with the destination (flags as CMP acc, dest). Equal: dest = src.
// Else: acc = dest. "The destination operand is written back if the comparison fails" (SDM vol. 2
// CMPXCHG): the memory form always makes a write cycle, so a read-only page faults either way; rmw*
// checks the write before anything changes. ----
function cmpxchgEbGb(cpu: CPU, i: Insn): void {
  const acc = cpu.r8[0];
  if (i.mod === 3) {
    const d = cpu.getReg8(i.rm);
    cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 7);
    if (acc === d) cpu.setReg8(i.rm, cpu.getReg8(i.reg));
    else cpu.r8[0] = d;
    return;
  }
  const d = cpu.rmw8(i.seg, cpu.ea(i));
  cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 7);
  if (acc === d) cpu.commit8(cpu.getReg8(i.reg));
  else { cpu.commit8(d); cpu.r8[0] = d; }
}
function cmpxchgEwGw(cpu: CPU, i: Insn): void {
  const acc = cpu.r16[0];
  if (i.mod === 3) {
    const d = cpu.r16[i.rm << 1];
    cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 15);
    if (acc === d) cpu.r16[i.rm << 1] = cpu.r16[i.reg << 1];
    else cpu.r16[0] = d;
    return;
  }
  const d = cpu.rmw16(i.seg, cpu.ea(i));
  cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 15);
  if (acc === d) cpu.commit16(cpu.r16[i.reg << 1]);
  else { cpu.commit16(d); cpu.r16[0] = d; }
}
function cmpxchgEdGd(cpu: CPU, i: Insn): void {
  const acc = cpu.r32[EAX];
  if (i.mod === 3) {
    const d = cpu.r32[i.rm];
    cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 31);
    if (acc === d) cpu.r32[i.rm] = cpu.r32[i.reg];
    else cpu.r32[EAX] = d;
    return;
  }
  const d = cpu.rmw32(i.seg, cpu.ea(i));
  cpu.setLazy(LAZY_SUB, acc, d, (acc - d) | 0, 31);
  if (acc === d) cpu.commit32(cpu.r32[i.reg]);
  else { cpu.commit32(d); cpu.r32[EAX] = d; }
}

// ---- CMPXCHG8B m64 (0F C7 /1): compare EDX:EAX with m64; equal: ZF=1, m64 = ECX:EBX; else ZF=0,
// EDX:EAX = m64 and m64 is written back unchanged ("the destination operand receives a write cycle
// without regard to the result of the comparison", SDM vol. 2 CMPXCHG8B). Only ZF changes. The operand
// size prefix does not matter; a register operand is #UD. ----
function cmpxchg8b(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  const lin = cpu.linWrite(i.seg, cpu.ea(i), 8);
  cpu.probeWrite(lin, 8);
  const hiLin = (lin + 4) | 0;
  const lo = cpu.readLin32(lin), hi = cpu.readLin32(hiLin);
  const equal = lo === cpu.r32[EAX] && hi === cpu.r32[EDX];
  if (equal) {
    cpu.writeLin32(lin, cpu.r32[EBX]);
    cpu.writeLin32(hiLin, cpu.r32[ECX]);
  } else {
    cpu.writeLin32(lin, lo);
    cpu.writeLin32(hiLin, hi);
    cpu.r32[EAX] = lo;
    cpu.r32[EDX] = hi;
  }
  cpu.setFlag(ZF, equal);
}

// ---- XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM vol. 2 XADD), flags as ADD. With the same
// register as both operands the sum wins (DEST is written last). ----
function xaddEbGb(cpu: CPU, i: Insn): void {
  const s = cpu.getReg8(i.reg);
  if (i.mod === 3) {
    const d = cpu.getReg8(i.rm), r = (d + s) | 0;
    cpu.setLazy(LAZY_ADD, d, s, r, 7);
    cpu.setReg8(i.reg, d);
    cpu.setReg8(i.rm, r);
    return;
  }
  const d = cpu.rmw8(i.seg, cpu.ea(i)), r = (d + s) | 0;
  cpu.commit8(r);
  cpu.setLazy(LAZY_ADD, d, s, r, 7);
  cpu.setReg8(i.reg, d);
}
function xaddEwGw(cpu: CPU, i: Insn): void {
  const s = cpu.r16[i.reg << 1];
  if (i.mod === 3) {
    const d = cpu.r16[i.rm << 1], r = (d + s) | 0;
    cpu.setLazy(LAZY_ADD, d, s, r, 15);
    cpu.r16[i.reg << 1] = d;
    cpu.r16[i.rm << 1] = r;
    return;
  }
  const d = cpu.rmw16(i.seg, cpu.ea(i)), r = (d + s) | 0;
  cpu.commit16(r);
  cpu.setLazy(LAZY_ADD, d, s, r, 15);
  cpu.r16[i.reg << 1] = d;
}
function xaddEdGd(cpu: CPU, i: Insn): void {
  const s = cpu.r32[i.reg];
  if (i.mod === 3) {
    const d = cpu.r32[i.rm], r = (d + s) | 0;
    cpu.setLazy(LAZY_ADD, d, s, r, 31);
    cpu.r32[i.reg] = d;
    cpu.r32[i.rm] = r;
    return;
  }
  const d = cpu.rmw32(i.seg, cpu.ea(i)), r = (d + s) | 0;
  cpu.commit32(r);
  cpu.setLazy(LAZY_ADD, d, s, r, 31);
  cpu.r32[i.reg] = d;
}

export function install(): void {
  def(0x1B0, { name: 'cmpxchg', modrm: true, h16: cmpxchgEbGb, lockable: true });
  def(0x1B1, { name: 'cmpxchg', modrm: true, h16: cmpxchgEwGw, h32: cmpxchgEdGd, lockable: true });
  defGroup(0x1C7, 1, { name: 'cmpxchg8b', h16: cmpxchg8b, lockable: true });
  def(0x1C0, { name: 'xadd', modrm: true, h16: xaddEbGb, lockable: true });
  def(0x1C1, { name: 'xadd', modrm: true, h16: xaddEwGw, h32: xaddEdGd, lockable: true });
}
