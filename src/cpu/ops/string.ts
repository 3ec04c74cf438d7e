// String instructions (SDM vol. 2): MOVS (A4/A5), CMPS (A6/A7), STOS (AA/AB), LODS (AC/AD), SCAS (AE/AF),
// INS (6C/6D), OUTS (6E/6F), with the REP / REPE / REPNE prefixes (SDM vol. 2 "REP/REPE/REPZ/REPNE/
// REPNZ") in both address sizes: the 67 prefix selects SI/DI/CX instead of ESI/EDI/ECX. The source is
// seg:(E)SI (DS unless overridden), the destination always ES:(E)DI; DF chooses the direction.
//
// REP semantics kept exactly:
// - each iteration commits its register updates, so a fault in iteration k reports the registers as
//   they were after k-1 iterations, with EIP at the instruction (it restarts from there);
// - a long repetition is executed in chunks of at most CHUNK iterations per instruction step: when the
//   count is not exhausted the instruction "retires" with nextEip = eip and resumes, so interrupts and
//   stop requests are recognized between chunks as the real CPU recognizes them between iterations;
//   with TF set a chunk is one iteration (the single-step trap follows every iteration);
// - F2 on a non-comparing string instruction repeats like F3 (what silicon does; checked on the oracle);
//   only CMPS/SCAS test ZF.
// Fast paths: runs of MOVS/STOS/CMPS/SCAS that stay inside one page of plain RAM, inside the segment
// limits and without offset wrap-around are done directly on the RAM arrays after one translation per
// page; they are used only where they are equivalent to the element-by-element definition (overlapping
// moves in the "wrong" direction fall back to the exact element order).

import type { CPU } from '../cpu.ts';
import { LAZY_SUB } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { def } from '../opcode-table.ts';
import { DF, EAX, ECX, EDI, EDX, ES, ESI, TF } from '../regs.ts';

/** Most iterations one instruction step executes before it yields (and resumes at the same EIP). */
export const CHUNK = 1024;

const K_MOVS = 0, K_CMPS = 1, K_STOS = 2, K_LODS = 3, K_SCAS = 4, K_INS = 5, K_OUTS = 6;

let fastPaths = true;
/** Tests switch the page-run fast paths off to compare them with the element-by-element definition. */
export function setStringFastPaths(on: boolean): void { fastPaths = on; }

// ---- element access by size ----
function rd(cpu: CPU, s: number, off: number, size: number): number {
  return size === 1 ? cpu.read8(s, off) : size === 2 ? cpu.read16(s, off) : cpu.read32(s, off);
}
function wr(cpu: CPU, s: number, off: number, size: number, v: number): void {
  if (size === 1) cpu.write8(s, off, v);
  else if (size === 2) cpu.write16(s, off, v);
  else cpu.write32(s, off, v);
}
function getAcc(cpu: CPU, size: number): number {
  return size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[0] : cpu.r32[EAX];
}
function setAcc(cpu: CPU, size: number, v: number): void {
  if (size === 1) cpu.r8[0] = v;
  else if (size === 2) cpu.r16[0] = v;
  else cpu.r32[EAX] = v;
}

/**
 * One iteration of the string operation `kind` (no count handling). Every memory check of the
 * iteration happens before its first change, so a fault leaves the state of the previous iteration.
 */
function step(cpu: CPU, i: Insn, kind: number, size: number): void {
  const a32 = i.a32;
  const d = cpu.flags & DF ? -size : size;
  switch (kind) {
    case K_MOVS: {
      const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
      const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
      wr(cpu, ES, di, size, rd(cpu, i.seg, si, size));
      if (a32) { cpu.r32[ESI] = si + d; cpu.r32[EDI] = di + d; } else { cpu.r16[ESI << 1] = si + d; cpu.r16[EDI << 1] = di + d; }
      return;
    }
    case K_CMPS: {
      // CMPS compares the source (first operand) with the destination: flags of SRC - DEST. The SDM
      // does not order the two reads; silicon reads ES:(E)DI first (when both fault, CR2 names the
      // destination: golden "cmps*-a16-pf"), and so do we.
      const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
      const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
      const b = rd(cpu, ES, di, size), a = rd(cpu, i.seg, si, size);
      cpu.setLazy(LAZY_SUB, a, b, (a - b) | 0, size * 8 - 1);
      if (a32) { cpu.r32[ESI] = si + d; cpu.r32[EDI] = di + d; } else { cpu.r16[ESI << 1] = si + d; cpu.r16[EDI << 1] = di + d; }
      return;
    }
    case K_STOS: {
      const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
      wr(cpu, ES, di, size, getAcc(cpu, size));
      if (a32) cpu.r32[EDI] = di + d; else cpu.r16[EDI << 1] = di + d;
      return;
    }
    case K_LODS: {
      const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
      setAcc(cpu, size, rd(cpu, i.seg, si, size));
      if (a32) cpu.r32[ESI] = si + d; else cpu.r16[ESI << 1] = si + d;
      return;
    }
    case K_SCAS: {
      const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
      const a = getAcc(cpu, size), b = rd(cpu, ES, di, size);
      cpu.setLazy(LAZY_SUB, a, b, (a - b) | 0, size * 8 - 1);
      if (a32) cpu.r32[EDI] = di + d; else cpu.r16[EDI << 1] = di + d;
      return;
    }
    case K_INS: {
      // The destination is checked (segment and page) before the port is read: a faulting INS must not
      // consume device data.
      const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
      const port = cpu.r16[EDX << 1];
      const lin = cpu.linWrite(ES, di, size);
      cpu.probeWrite(lin, size);
      if (size === 1) cpu.writeLin8(lin, cpu.io.in8(port));
      else if (size === 2) cpu.writeLin16(lin, cpu.io.in16(port));
      else cpu.writeLin32(lin, cpu.io.in32(port));
      if (a32) cpu.r32[EDI] = di + d; else cpu.r16[EDI << 1] = di + d;
      return;
    }
    default: { // K_OUTS
      const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
      const port = cpu.r16[EDX << 1];
      const v = rd(cpu, i.seg, si, size);
      if (size === 1) cpu.io.out8(port, v);
      else if (size === 2) cpu.io.out16(port, v);
      else cpu.io.out32(port, v);
      if (a32) cpu.r32[ESI] = si + d; else cpu.r16[ESI << 1] = si + d;
      return;
    }
  }
}

/** Execute a string instruction: once, or repeated by its prefix. */
function run(cpu: CPU, i: Insn, kind: number, size: number): void {
  if (kind >= K_INS) {
    // I/O permission is checked before the count: REP INS/OUTS with (E)CX = 0 still raises #GP(0) at
    // CPL > IOPL on silicon (golden "ins*-f3-c0-gp"). Then the intercept point, once per execution step
    // (before any iteration, count zero included): the I/O-permission #GP has priority over an I/O VM
    // exit, memory faults of the string operand do not (SDM vol. 3C §25.1.1).
    const port = cpu.r16[EDX << 1];
    cpu.checkIo(port, size);
    cpu.sensitive(kind === K_INS ? Sensitive.IoIn : Sensitive.IoOut, port, size);
  }
  if (i.rep === 0) { step(cpu, i, kind, size); return; }
  const a32 = i.a32;
  const cmp = kind === K_CMPS || kind === K_SCAS;
  const repe = i.rep === 0xF3;
  let budget = cpu.flags & TF ? 1 : CHUNK;
  for (;;) {
    const cnt = a32 ? cpu.r32[ECX] >>> 0 : cpu.r16[ECX << 1];
    if (cnt === 0) return;
    if (budget === 0) { cpu.nextEip = cpu.eip; return; }
    if (fastPaths && budget > 1 && kind <= K_SCAS && kind !== K_LODS) {
      const max = cnt < budget ? cnt : budget;
      const n = kind === K_MOVS ? fastMovs(cpu, i, size, max)
        : kind === K_STOS ? fastStos(cpu, i, size, max)
        : fastCompare(cpu, i, kind, size, max, repe);
      if (n > 0) {
        budget -= n;
        if (a32) cpu.r32[ECX] = cnt - n; else cpu.r16[ECX << 1] = cnt - n;
        if (cmp && cpu.getZF() !== repe) return;
        continue;
      }
    }
    budget--;
    step(cpu, i, kind, size);
    if (a32) cpu.r32[ECX] = cnt - 1; else cpu.r16[ECX << 1] = cnt - 1;
    // REPE stops when ZF = 0, REPNE when ZF = 1.
    if (cmp && cpu.getZF() !== repe) return;
  }
}

// =======================================================================================================
// Fast paths. Each returns how many iterations it completed (0: not applicable, take the exact path).
// They may raise the fault of their first element (translation of its page), which is exactly the fault
// the element-by-element path would raise in that iteration.
// =======================================================================================================

/**
 * How many elements of a run of at most `max`, starting at offset `off` in segment `s` and moving by
 * `size` in direction `back`, stay inside one page and inside the segment limit (`hi`: the read or
 * write limit) without wrapping the offset. Returns 0 when the first element itself does not qualify.
 */
function runLength(cpu: CPU, s: number, off: number, size: number, back: boolean, max: number, hi: number, a32: boolean): number {
  const lin = (cpu.segBase[s] + off) | 0;
  const inPage = lin & 0xFFF;
  if (inPage + size > 0x1000) return 0;
  let n = back ? ((inPage / size) | 0) + 1 : ((0x1000 - inPage) / size) | 0;
  if (n > max) n = max;
  const top = a32 ? 0xFFFFFFFF : 0xFFFF;
  const lo = back ? off - (n - 1) * size : off;
  const last = back ? off + size - 1 : off + n * size - 1;
  if (lo < 0 || last > top || lo < cpu.segLo[s] || last > hi) return 0;
  return n;
}

/** Physical address of linear `lin` for a direct RAM read (-1: not plain RAM). May raise #PF. */
function physRead(cpu: CPU, lin: number): number {
  let e = cpu.tlb[lin >>> 12];
  if (!(e & cpu.rmask)) {
    cpu.translate(lin, false);
    e = cpu.tlb[lin >>> 12];
    if (!(e & cpu.rmask)) return -1;
  }
  return (e & ~0xFFF) | (lin & 0xFFF);
}

/** Physical address of linear `lin` for a direct RAM write (-1: not plain writable RAM). May raise #PF. */
function physWrite(cpu: CPU, lin: number): number {
  let e = cpu.tlb[lin >>> 12];
  if (!(e & cpu.wmask)) {
    cpu.translate(lin, true);
    e = cpu.tlb[lin >>> 12];
    if (!(e & cpu.wmask)) return -1;
  }
  return (e & ~0xFFF) | (lin & 0xFFF);
}

function advance(cpu: CPU, reg: number, a32: boolean, delta: number): void {
  if (a32) cpu.r32[reg] = cpu.r32[reg] + delta;
  else cpu.r16[reg << 1] = cpu.r16[reg << 1] + delta;
}

function fastMovs(cpu: CPU, i: Insn, size: number, max: number): number {
  const a32 = i.a32, s = i.seg, back = (cpu.flags & DF) !== 0;
  const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
  const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
  let n = runLength(cpu, s, si, size, back, max, cpu.segRHi[s], a32);
  if (n === 0) return 0;
  n = runLength(cpu, ES, di, size, back, n, cpu.segWHi[ES], a32);
  if (n === 0) return 0;
  // Source page first, then destination: the order of the first iteration's read and write.
  const ps = physRead(cpu, (cpu.segBase[s] + si) | 0);
  if (ps < 0) return 0;
  const pd = physWrite(cpu, (cpu.segBase[ES] + di) | 0);
  if (pd < 0) return 0;
  const len = n * size, span = len - size;
  const lowS = back ? ps - span : ps, lowD = back ? pd - span : pd;
  const m = cpu.ram8;
  // Element order matters only when the destination overlaps source bytes not yet read: ahead of the
  // source going up, behind it going down. There, a byte-wise copy in the same direction is equivalent
  // when the distance is at least one element; closer than that, take the exact path.
  const bad = back ? lowD < lowS && lowD + len > lowS : lowD > lowS && lowD < lowS + len;
  if (!bad) {
    m.copyWithin(lowD, lowS, lowS + len);
  } else {
    const dist = back ? lowS - lowD : lowD - lowS;
    if (dist < size) return 0;
    if (back) for (let k = len - 1; k >= 0; k--) m[lowD + k] = m[lowS + k];
    else for (let k = 0; k < len; k++) m[lowD + k] = m[lowS + k];
  }
  const delta = back ? -len : len;
  advance(cpu, ESI, a32, delta);
  advance(cpu, EDI, a32, delta);
  return n;
}

function fastStos(cpu: CPU, i: Insn, size: number, max: number): number {
  const a32 = i.a32, back = (cpu.flags & DF) !== 0;
  const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
  const n = runLength(cpu, ES, di, size, back, max, cpu.segWHi[ES], a32);
  if (n === 0) return 0;
  const pd = physWrite(cpu, (cpu.segBase[ES] + di) | 0);
  if (pd < 0) return 0;
  const len = n * size;
  const low = back ? pd - (len - size) : pd;
  if (size === 1) {
    cpu.ram8.fill(cpu.r8[0], low, low + len);
  } else if (size === 2 && (low & 1) === 0) {
    cpu.ram16.fill(cpu.r16[0], low >>> 1, (low >>> 1) + n);
  } else if (size === 4 && (low & 3) === 0) {
    cpu.ram32.fill(cpu.r32[EAX], low >>> 2, (low >>> 2) + n);
  } else {
    const m = cpu.ram8, v = cpu.r32[EAX];
    for (let k = 0; k < len; k++) m[low + k] = v >>> ((k % size) << 3);
  }
  advance(cpu, EDI, a32, back ? -len : len);
  return n;
}

function elem(m: Uint8Array, p: number, size: number): number {
  return size === 1 ? m[p] : size === 2 ? m[p] | (m[p + 1] << 8) : m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
}

/** REPE/REPNE CMPS and SCAS over a page run: stop at the first element that ends the repetition. */
function fastCompare(cpu: CPU, i: Insn, kind: number, size: number, max: number, repe: boolean): number {
  const a32 = i.a32, s = i.seg, back = (cpu.flags & DF) !== 0;
  const di = a32 ? cpu.r32[EDI] >>> 0 : cpu.r16[EDI << 1];
  let n = max, ps = 0;
  if (kind === K_CMPS) {
    const si = a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1];
    n = runLength(cpu, s, si, size, back, n, cpu.segRHi[s], a32);
    if (n === 0) return 0;
  }
  n = runLength(cpu, ES, di, size, back, n, cpu.segRHi[ES], a32);
  if (n === 0) return 0;
  // Destination page first: the order of the first iteration's reads (see step()).
  const pd = physRead(cpu, (cpu.segBase[ES] + di) | 0);
  if (pd < 0) return 0;
  if (kind === K_CMPS) {
    ps = physRead(cpu, (cpu.segBase[s] + (a32 ? cpu.r32[ESI] >>> 0 : cpu.r16[ESI << 1])) | 0);
    if (ps < 0) return 0;
  }
  const m = cpu.ram8, step = back ? -size : size, mask = size === 4 ? -1 : (1 << (size * 8)) - 1;
  const acc = getAcc(cpu, size);
  let a = acc, b = 0, k = 0;
  while (k < n) {
    b = elem(m, pd + k * step, size) & mask;
    if (kind === K_CMPS) a = elem(m, ps + k * step, size) & mask;
    k++;
    if ((a === b) !== repe) break;
  }
  cpu.setLazy(LAZY_SUB, a, b, (a - b) | 0, size * 8 - 1);
  const delta = k * step;
  if (kind === K_CMPS) advance(cpu, ESI, a32, delta);
  advance(cpu, EDI, a32, delta);
  return k;
}

// ---- opcode handlers: byte forms, and word/dword by operand size ----
function movsB(cpu: CPU, i: Insn): void { run(cpu, i, K_MOVS, 1); }
function movsW(cpu: CPU, i: Insn): void { run(cpu, i, K_MOVS, 2); }
function movsD(cpu: CPU, i: Insn): void { run(cpu, i, K_MOVS, 4); }
function cmpsB(cpu: CPU, i: Insn): void { run(cpu, i, K_CMPS, 1); }
function cmpsW(cpu: CPU, i: Insn): void { run(cpu, i, K_CMPS, 2); }
function cmpsD(cpu: CPU, i: Insn): void { run(cpu, i, K_CMPS, 4); }
function stosB(cpu: CPU, i: Insn): void { run(cpu, i, K_STOS, 1); }
function stosW(cpu: CPU, i: Insn): void { run(cpu, i, K_STOS, 2); }
function stosD(cpu: CPU, i: Insn): void { run(cpu, i, K_STOS, 4); }
function lodsB(cpu: CPU, i: Insn): void { run(cpu, i, K_LODS, 1); }
function lodsW(cpu: CPU, i: Insn): void { run(cpu, i, K_LODS, 2); }
function lodsD(cpu: CPU, i: Insn): void { run(cpu, i, K_LODS, 4); }
function scasB(cpu: CPU, i: Insn): void { run(cpu, i, K_SCAS, 1); }
function scasW(cpu: CPU, i: Insn): void { run(cpu, i, K_SCAS, 2); }
function scasD(cpu: CPU, i: Insn): void { run(cpu, i, K_SCAS, 4); }
function insB(cpu: CPU, i: Insn): void { run(cpu, i, K_INS, 1); }
function insW(cpu: CPU, i: Insn): void { run(cpu, i, K_INS, 2); }
function insD(cpu: CPU, i: Insn): void { run(cpu, i, K_INS, 4); }
function outsB(cpu: CPU, i: Insn): void { run(cpu, i, K_OUTS, 1); }
function outsW(cpu: CPU, i: Insn): void { run(cpu, i, K_OUTS, 2); }
function outsD(cpu: CPU, i: Insn): void { run(cpu, i, K_OUTS, 4); }

export function install(): void {
  def(0xA4, { name: 'movs', h16: movsB });
  def(0xA5, { name: 'movs', h16: movsW, h32: movsD });
  def(0xA6, { name: 'cmps', h16: cmpsB });
  def(0xA7, { name: 'cmps', h16: cmpsW, h32: cmpsD });
  def(0xAA, { name: 'stos', h16: stosB });
  def(0xAB, { name: 'stos', h16: stosW, h32: stosD });
  def(0xAC, { name: 'lods', h16: lodsB });
  def(0xAD, { name: 'lods', h16: lodsW, h32: lodsD });
  def(0xAE, { name: 'scas', h16: scasB });
  def(0xAF, { name: 'scas', h16: scasW, h32: scasD });
  def(0x6C, { name: 'ins', h16: insB });
  def(0x6D, { name: 'ins', h16: insW, h32: insD });
  def(0x6E, { name: 'outs', h16: outsB });
  def(0x6F, { name: 'outs', h16: outsW, h32: outsD });
}
