// x86 instruction decoder (SDM vol. 2 chapter 2): prefixes, one- and two-byte opcode maps, ModRM/SIB in
// both address sizes, displacements and immediates. It fills an Insn and picks the handler from the
// opcode table; it never executes anything. Fetch faults (#PF, #GP on the CS limit or the 15-byte
// limit) are raised by cpu.fetch8 as the bytes are read, exactly when the real CPU would see them.

import type { CPU } from './cpu.ts';
import { Insn } from './insn.ts';
import { Imm, TABLE, type OpEntry } from './opcode-table.ts';
import { DS, SS, UD } from './regs.ts';

// 16-bit addressing forms (SDM vol. 2 Table 2-1): base and index registers for rm = 0..7.
const RM16_BASE = [3, 3, 5, 5, -1, -1, 5, 3];      // BX BX BP BP - - BP BX
const RM16_INDEX = [6, 7, 6, 7, 6, 7, -1, -1];     // SI DI SI DI SI DI - -

/** Raised for undefined opcodes, undefined group members and illegal LOCK prefixes. */
export function udHandler(cpu: CPU): void {
  cpu.fault(UD);
}

/** Where the decoder gets its bytes: the CPU (CS:EIP with all fetch checks) or a plain byte array. */
export interface FetchSource {
  readonly code32: boolean;
  fetchCount: number;
  fetch8(): number;
  fetch16(): number;
  fetch32(): number;
}

export function decode(cpu: FetchSource, i: Insn): void {
  const defSize = cpu.code32;
  let o32 = defSize, a32 = defSize, segOvr = -1, rep = 0, lock = false;
  let b = cpu.fetch8();
  // Prefixes (SDM vol. 2 §2.1.1): any order, any number, up to the 15-byte limit enforced by fetch8.
  for (;;) {
    switch (b) {
      case 0x66: o32 = !defSize; break;
      case 0x67: a32 = !defSize; break;
      case 0xF0: lock = true; break;
      case 0xF2: case 0xF3: rep = b; break;
      case 0x26: segOvr = 0; break;
      case 0x2E: segOvr = 1; break;
      case 0x36: segOvr = 2; break;
      case 0x3E: segOvr = 3; break;
      case 0x64: segOvr = 4; break;
      case 0x65: segOvr = 5; break;
      default: break;
    }
    if (b === 0x66 || b === 0x67 || b === 0xF0 || b === 0xF2 || b === 0xF3 || b === 0x26 || b === 0x2E ||
      b === 0x36 || b === 0x3E || b === 0x64 || b === 0x65) {
      b = cpu.fetch8();
      continue;
    }
    break;
  }
  let op = b;
  if (op === 0x0F) op = 0x100 | cpu.fetch8();
  i.op = op; i.code32 = defSize; i.o32 = o32; i.a32 = a32; i.segOvr = segOvr; i.rep = rep; i.lock = lock;
  i.mod = 3; i.reg = 0; i.rm = 0; i.base = -1; i.index = -1; i.scale = 0; i.disp = 0; i.imm = 0; i.imm2 = 0;
  i.seg = segOvr >= 0 ? segOvr : DS;

  const slot = TABLE[op];
  if (!slot) { finish(cpu, i, undefined); return; }
  if (slot.modrm) {
    if (slot.def !== undefined && slot.def.regForm) decodeModrmRegForm(cpu, i);
    else decodeModrm(cpu, i, a32, segOvr);
  }
  const d = slot.def ?? slot.group![i.reg];
  if (!d) { finish(cpu, i, undefined); return; }
  switch (d.imm ?? Imm.None) {
    case Imm.None: break;
    case Imm.Ib: i.imm = cpu.fetch8(); break;
    case Imm.Ibs: i.imm = (cpu.fetch8() << 24) >> 24; break;
    case Imm.Iw: i.imm = cpu.fetch16(); break;
    case Imm.Iz: i.imm = o32 ? cpu.fetch32() : cpu.fetch16(); break;
    case Imm.Jz: i.imm = o32 ? cpu.fetch32() : (cpu.fetch16() << 16) >> 16; break;
    case Imm.IwIb: i.imm = cpu.fetch16(); i.imm2 = cpu.fetch8(); break;
    // (The 32-bit offsets stay int32, as every other field: farJump / farCall and eaI take them as such. A
    // single Insn holding a number of 2^31 or more would make V8 keep disp / imm of every Insn as boxed
    // doubles, which cost the interpreter a load and a conversion at each use.)
    case Imm.Ap: i.imm = o32 ? cpu.fetch32() : cpu.fetch16(); i.imm2 = cpu.fetch16(); break;
    case Imm.Moffs: i.mod = 0; i.disp = a32 ? cpu.fetch32() : cpu.fetch16(); break;
  }
  finish(cpu, i, d);
}

function finish(cpu: FetchSource, i: Insn, d: OpEntry | undefined): void {
  i.len = cpu.fetchCount;
  // LOCK is legal only on the listed read-modify-write instructions with a memory destination
  // (SDM vol. 2 "LOCK—Assert LOCK# Signal Prefix"); anything else is #UD.
  if (!d || (i.lock && (!d.lockable || i.mod === 3))) { i.exec = udHandler; return; }
  i.exec = i.o32 ? d.h32 : d.h16;
}

/** MOV CRn/DRn: one ModRM byte whose mod field is ignored (always the register form). */
function decodeModrmRegForm(cpu: FetchSource, i: Insn): void {
  const m = cpu.fetch8();
  i.mod = 3; i.reg = (m >> 3) & 7; i.rm = m & 7;
}

function decodeModrm(cpu: FetchSource, i: Insn, a32: boolean, segOvr: number): void {
  const m = cpu.fetch8();
  const mod = m >> 6, rm = m & 7;
  i.mod = mod; i.reg = (m >> 3) & 7; i.rm = rm;
  if (mod === 3) return;
  let defSeg = DS;
  if (!a32) {
    if (mod === 0 && rm === 6) {
      i.disp = cpu.fetch16();
    } else {
      i.base = RM16_BASE[rm]; i.index = RM16_INDEX[rm];
      if (i.base === 5) defSeg = SS;
      if (mod === 1) i.disp = (cpu.fetch8() << 24) >> 24;
      else if (mod === 2) i.disp = (cpu.fetch16() << 16) >> 16;
    }
  } else {
    let base = rm;
    if (rm === 4) {
      const sib = cpu.fetch8();
      const idx = (sib >> 3) & 7;
      base = sib & 7;
      if (idx !== 4) { i.index = idx; i.scale = sib >> 6; }
      if (base === 5 && mod === 0) { base = -1; i.disp = cpu.fetch32(); }
    } else if (rm === 5 && mod === 0) {
      base = -1; i.disp = cpu.fetch32();
    }
    i.base = base;
    if (base === 4 || base === 5) defSeg = SS;
    if (mod === 1) i.disp = (cpu.fetch8() << 24) >> 24;
    else if (mod === 2) i.disp = cpu.fetch32();
  }
  i.seg = segOvr >= 0 ? segOvr : defSeg;
}

/** Decode the instruction at CS:EIP into a fresh Insn (for traces and tools; does not execute). */
export function decodeAt(cpu: CPU): Insn {
  const i = new Insn();
  cpu.beginFetch();
  decode(cpu, i);
  return i;
}

/** A byte array as a fetch source (static decoding of code that is not in guest memory). */
export class ByteFetcher implements FetchSource {
  fetchCount = 0;
  pos: number;
  constructor(readonly bytes: Uint8Array, readonly code32: boolean, start = 0) { this.pos = start; }
  fetch8(): number {
    if (this.pos >= this.bytes.length || this.fetchCount >= 15) throw new RangeError('instruction runs past the end of the bytes');
    this.fetchCount++;
    return this.bytes[this.pos++];
  }
  fetch16(): number { return this.fetch8() | (this.fetch8() << 8); }
  fetch32(): number { return (this.fetch16() | (this.fetch16() << 16)) | 0; }
}

/** Decode a straight-line byte sequence (stops at the end or at an undecodable byte). */
export function decodeLinear(bytes: Uint8Array, code32: boolean): Insn[] {
  const out: Insn[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const f = new ByteFetcher(bytes, code32, pos);
    const i = new Insn();
    try { decode(f, i); } catch { break; }
    out.push(i);
    pos += i.len;
  }
  return out;
}
