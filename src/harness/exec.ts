// The single-step harness behind `trapeze exec`: runs one x86-oracle test case (same JSON input, same
// memory layout, same JSON result) on our CPU. Modes:
//   user32       CPL 3 flat segments (CS=0x23, DS=ES=SS=0x2B), paging on, arena 0x10000-0x7FCFFF mapped
//                user R/W, everything else not present; exceptions are reported the way Linux reports
//                them to the oracle's signal handler; the final HLT (#GP at CPL 3) is the normal end.
//   pm32         the oracle's KVM layout: GDT 0x1000, IDT 0x2000 with recording stubs at 0x4000, TSS 0x3000,
//                flat ring-0 segments, paging off. Exceptions go through the emulated IDT and stubs.
//   pm32-paging  pm32 with the identity page tables the oracle would use (PD 0x7FD000). Ours alone.
//   real16       real mode, CS=0x1000, IP = code_addr - 0x10000.
// No Node built-ins here: the CLI does the file I/O.

import { CPU, Stop } from '../cpu/cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { setSegment } from '../cpu/segments.ts';
import { putDescriptor } from '../cpu/descriptor-encode.ts';
import { EventKind, pushesErrorCode } from '../cpu/interrupts.ts';
import { CS, DS, ES, FS, GS, SS, EAX, EBX, ECX, EDX, ESI, EDI, ESP, EBP, AR_UNUSABLE } from '../cpu/regs.ts';
import type { InterceptHook } from '../cpu/intercept.ts';

export interface OracleCase {
  name?: string;
  mode?: string;
  code: string;
  code_addr?: number;
  regs?: Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp' | 'eflags', number>>;
  mem?: { addr: number; hex: string }[];
  dump?: { addr: number; len: number }[];
  max_ms?: number;
}

export type OracleResult = Record<string, unknown>;

export const CPU_NAME = 'GenuineIntel / 6 / 3 / Trapeze IA-32 (emulated)';

const FREE_LO = 0x10000, FREE_HI = 0x7FD000, DEFAULT_ESP = 0x7F0000;
const GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, STUBS = 0x4000, REC = 0x5000, PROLOGUE = 0x5800, PD = 0x7FD000;
/** Instructions a case may run before it is reported as a timeout (the oracle allows ~1-2 s). */
export const DEFAULT_STEP_LIMIT = 20_000_000;

class CaseError extends Error {}

function hexBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new CaseError(`bad hex string ${JSON.stringify(hex)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(hex.substr(k * 2, 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function u32(v: number): number { return v >>> 0; }

/** Options of runCase. */
export interface RunOptions {
  /**
   * Zero all of memory before the case (default). The oracle starts every case in fresh memory; bulk
   * runs that only need the layout (the robustness test) skip the 16 MiB clear.
   */
  clearMemory?: boolean;
}

let clearMemoryOpt = true;

/** Run one case; never throws for a bad case (returns {ok:false, error}). */
export function runCase(c: OracleCase, stepLimit = DEFAULT_STEP_LIMIT, opts: RunOptions = {}): OracleResult {
  clearMemoryOpt = opts.clearMemory ?? true;
  const name = c && typeof c === 'object' ? c.name ?? null : null;
  try {
    if (!c || typeof c !== 'object') throw new CaseError('a case must be a JSON object');
    const mode = c.mode ?? 'pm32';
    let res: OracleResult;
    if (mode === 'user32') res = runUser32(c, stepLimit);
    else if (mode === 'pm32' || mode === 'pm32-paging' || mode === 'real16') res = runKvmLayout(c, mode, stepLimit);
    else throw new CaseError(`unknown mode ${JSON.stringify(mode)}`);
    return { name, ...res };
  } catch (e) {
    if (e instanceof CaseError) return { name, ok: false, error: `bad case: ${e.message}` };
    throw e;
  }
}

function caseWrites(c: OracleCase, code: Uint8Array, codeAddr: number): [number, Uint8Array][] {
  const writes: [number, Uint8Array][] = [[codeAddr, code]];
  for (const w of c.mem ?? []) {
    if (typeof w?.addr !== 'number') throw new CaseError('mem entries need addr and hex');
    writes.push([w.addr, hexBytes(w.hex)]);
  }
  return writes;
}

function checkRange(addr: number, len: number): void {
  if (!Number.isInteger(addr) || addr < FREE_LO || addr + len > FREE_HI) {
    throw new CaseError(`address 0x${Math.max(0, addr | 0).toString(16)}+${len} outside [0x10000, 0x7fd000)`);
  }
}

function regValues(c: OracleCase): number[] {
  const r = c.regs ?? {};
  const get = (n: keyof NonNullable<OracleCase['regs']>, d = 0) => u32(typeof r[n] === 'number' ? r[n]! : d);
  return [get('eax'), get('ebx'), get('ecx'), get('edx'), get('esi'), get('edi'), get('ebp'), get('esp', DEFAULT_ESP)];
}

function setGprs(cpu: CPU, v: number[]): void {
  cpu.r32[EAX] = v[0]; cpu.r32[EBX] = v[1]; cpu.r32[ECX] = v[2]; cpu.r32[EDX] = v[3];
  cpu.r32[ESI] = v[4]; cpu.r32[EDI] = v[5]; cpu.r32[EBP] = v[6]; cpu.r32[ESP] = v[7];
}

function dumps(c: OracleCase, mem: PhysicalMemory): { addr: number; hex: string }[] {
  return (c.dump ?? []).map((d) => {
    if (!Number.isInteger(d?.addr) || !Number.isInteger(d?.len) || d.addr < 0 || d.len < 0 || d.addr + d.len > mem.size) {
      throw new CaseError(`dump ${JSON.stringify(d)} outside guest memory`);
    }
    return { addr: d.addr, hex: toHex(mem.u8.subarray(d.addr, d.addr + d.len)) };
  });
}

const machines = new Map<number, { mem: PhysicalMemory; cpu: CPU }>();

/** A clean machine of `size` bytes: reused between cases (allocating 16 MiB + a 4 MiB TLB each time is slow). */
function machine(size: number): { mem: PhysicalMemory; cpu: CPU } {
  let m = machines.get(size);
  if (!m) {
    const mem = new PhysicalMemory(size);
    m = { mem, cpu: new CPU(mem, new IoBus()) };
    machines.set(size, m);
  } else if (clearMemoryOpt) {
    m.mem.u8.fill(0);
  }
  // The case's bytes are written directly into RAM: drop whatever the previous case left decoded.
  m.mem.markDirty(0, m.mem.size);
  m.cpu.hook = null;
  m.cpu.reset();
  // The oracle starts every case with the x87 as after FNINIT: user32 as Linux gives a new process, pm32 and
  // real16 after its prologue's FNINIT.
  m.cpu.fpu.init();
  return m;
}


// ------------------------------------------------------------------------------------------------------
// user32
// ------------------------------------------------------------------------------------------------------

/** Linear/physical placement of the harness's own system structures in user32 (outside the arena). */
const U_SYS_PHYS = 0x800000, U_SYS_LIN = 0xFF800000;
const U_GDT = 0, U_IDT = 0x1000, U_TSS = 0x2000, U_PD = 0x3000, U_PT0 = 0x4000, U_PTSYS = 0x6000;

function runUser32(c: OracleCase, stepLimit: number): OracleResult {
  const code = hexBytes(c.code);
  if (code.length === 0 || code[code.length - 1] !== 0xF4) throw new CaseError('user32 snippets must end with HLT (f4)');
  const codeAddr = c.code_addr ?? 0x10000;
  const vals = regValues(c);
  const writes = caseWrites(c, code, codeAddr);
  for (const [a, d] of writes) checkRange(a, d.length);
  checkRange(vals[7] - 8, 8);

  const { mem, cpu } = machine(0x1000000);
  for (const [a, d] of writes) mem.load(a, d);
  // The oracle enters the snippet with POPF; RET from 8 bytes below ESP, which stay in memory.
  const flags = ((c.regs?.eflags ?? 2) & 0xCD5) | 0x202;
  const dv = new DataView(mem.u8.buffer);
  dv.setUint32(vals[7] - 8, flags, true);
  dv.setUint32(vals[7] - 4, codeAddr, true);

  // GDT: 0x10 kernel code, 0x18 kernel data, 0x23 user code, 0x2B user data, 0x30 TSS (Linux i386 layout).
  const sys = U_SYS_PHYS;
  putDescriptor(mem, sys + U_GDT + 0x10, 0, 0xFFFFF, 0x9B, 0xC);
  putDescriptor(mem, sys + U_GDT + 0x18, 0, 0xFFFFF, 0x93, 0xC);
  putDescriptor(mem, sys + U_GDT + 0x20, 0, 0xFFFFF, 0xFB, 0xC);
  putDescriptor(mem, sys + U_GDT + 0x28, 0, 0xFFFFF, 0xF3, 0xC);
  putDescriptor(mem, sys + U_GDT + 0x30, U_SYS_LIN + U_TSS, 0x67, 0x8B, 0);
  // IDT: ring-0 interrupt gates; INT3, INTO and INT 0x80 reachable from ring 3 as under Linux.
  for (let v = 0; v < 256; v++) {
    const dpl = v === 3 || v === 4 || v === 0x80 ? 3 : 0;
    const at = sys + U_IDT + v * 8;
    dv.setUint32(at, (0x10 << 16) | 0x1000, true);
    dv.setUint32(at + 4, 0x8E00 | (dpl << 13), true);
  }
  dv.setUint32(sys + U_TSS + 4, 0x7000, true);
  dv.setUint32(sys + U_TSS + 8, 0x18, true);
  dv.setUint16(sys + U_TSS + 0x66, 0x68, true);
  // Paging: the arena user R/W; the system pages supervisor-only at U_SYS_LIN.
  for (let p = 0; p < 2048; p++) {
    const lin = p << 12;
    if (lin >= FREE_LO && lin < FREE_HI) dv.setUint32(sys + U_PT0 + p * 4, lin | 7, true);
  }
  dv.setUint32(sys + U_PD + 0, (sys + U_PT0) | 7, true);
  dv.setUint32(sys + U_PD + 4, (sys + U_PT0 + 0x1000) | 7, true);
  for (let p = 0; p < 8; p++) dv.setUint32(sys + U_PTSYS + p * 4, (sys + p * 0x1000) | 3, true);
  dv.setUint32(sys + U_PD + (U_SYS_LIN >>> 22) * 4, (sys + U_PTSYS) | 3, true);

  cpu.cr0 = 0x80050033 | 0;
  cpu.cr3 = sys + U_PD;
  cpu.cr4 = 0x10;
  cpu.gdtrBase = U_SYS_LIN + U_GDT; cpu.gdtrLimit = 0x37;
  cpu.idtrBase = U_SYS_LIN + U_IDT; cpu.idtrLimit = 0x7FF;
  cpu.trSel = 0x30; cpu.trBase = U_SYS_LIN + U_TSS; cpu.trLimit = 0x67; cpu.trAR = 0x8B;
  cpu.ldtrSel = 0; cpu.ldtrAR = AR_UNUSABLE;
  cpu.flags = flags;
  setSegment(cpu, CS, 0x23, 0, 0xFFFFFFFF, 0xC0FB);
  for (const s of [SS, DS, ES]) setSegment(cpu, s, 0x2B, 0, 0xFFFFFFFF, 0xC0F3);
  for (const s of [FS, GS]) setSegment(cpu, s, 0, 0, 0, AR_UNUSABLE);
  cpu.cpl = 3;
  cpu.modeChanged();
  setGprs(cpu, vals);
  cpu.eip = codeAddr;

  const codeEnd = codeAddr + code.length - 1;
  let event: { vector: number; error: number; eip: number; flags: number } | null = null;
  const hook: InterceptHook = {
    sensitive() {},
    event(cpu2, vector, errorCode, kind, returnEip) {
      // INT n through a ring-0 gate faults (#GP, reported as an exception next); through one of Linux's
      // DPL-3 gates (3, 4, 0x80) it reaches the kernel, which reports it like the exception of that vector.
      if (kind === EventKind.Software && vector !== 3 && vector !== 4 && vector !== 0x80) return false;
      event = { vector, error: errorCode, eip: returnEip, flags: cpu2.getEflags() };
      cpu2.requestStop();
      return true;
    },
  };
  cpu.hook = hook;
  const stop = cpu.run(stepLimit);
  if (stop === Stop.Limit) return { ok: false, error: 'timeout' };
  const regs = {
    eax: u32(cpu.r32[EAX]), ebx: u32(cpu.r32[EBX]), ecx: u32(cpu.r32[ECX]), edx: u32(cpu.r32[EDX]),
    esi: u32(cpu.r32[ESI]), edi: u32(cpu.r32[EDI]), ebp: u32(cpu.r32[EBP]), esp: u32(cpu.r32[ESP]),
    eip: 0, eflags: 0,
  };
  const ev = event as { vector: number; error: number; eip: number; flags: number } | null;
  if (!ev) return { ok: false, error: stop === Stop.Shutdown ? 'triple fault' : 'snippet did not end' };
  regs.eflags = u32(ev.flags & ~0x10000);
  let exception: Record<string, number | null> | null = null;
  if (ev.vector === 13 && ev.eip === codeEnd && mem.u8[codeEnd] === 0xF4) {
    regs.eip = codeEnd + 1;                                   // the final HLT: normal end
  } else {
    regs.eip = u32(ev.eip);
    exception = { vector: ev.vector, error_code: pushesErrorCode(ev.vector) ? u32(ev.error) : null, eip: regs.eip };
    if (ev.vector === 14) exception.cr2 = u32(cpu.cr2);
  }
  return { ok: true, regs, exception, mem: dumps(c, mem), cpu: CPU_NAME };
}

// ------------------------------------------------------------------------------------------------------
// pm32, pm32-paging, real16: the oracle's KVM memory layout, executed entirely by the emulated CPU
// ------------------------------------------------------------------------------------------------------

const ERRCODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

function writeKvmTables(mem: PhysicalMemory, paging: boolean): void {
  const dv = new DataView(mem.u8.buffer);
  putDescriptor(mem, GDT + 8, 0, 0xFFFFF, 0x9B, 0xC);
  putDescriptor(mem, GDT + 16, 0, 0xFFFFF, 0x93, 0xC);
  putDescriptor(mem, GDT + 24, 0, 0xFFFFF, 0xFB, 0xC);
  putDescriptor(mem, GDT + 32, 0, 0xFFFFF, 0xF3, 0xC);
  putDescriptor(mem, GDT + 40, TSS, 0x67, 0x89, 0x0);
  dv.setUint32(TSS + 4, DEFAULT_ESP, true);
  dv.setUint32(TSS + 8, 0x10, true);
  dv.setUint16(TSS + 0x66, 0x68, true);
  let stub = STUBS;
  for (let v = 0; v < 32; v++) {
    const bytes: number[] = [];
    const le = (x: number) => [x & 0xFF, (x >>> 8) & 0xFF, (x >>> 16) & 0xFF, (x >>> 24) & 0xFF];
    bytes.push(0xC7, 0x05, ...le(REC), ...le(v));                       // mov dword [REC], v
    if (ERRCODE_VECTORS.has(v)) {
      bytes.push(0x8F, 0x05, ...le(REC + 4));                           // pop dword [REC+4]
      bytes.push(0xC7, 0x05, ...le(REC + 8), ...le(1));                 // mov dword [REC+8], 1
    }
    bytes.push(0x8F, 0x05, ...le(REC + 12), 0x8F, 0x05, ...le(REC + 16), 0x8F, 0x05, ...le(REC + 20), 0xF4);
    mem.u8.set(bytes, stub);
    dv.setUint16(IDT + 8 * v, stub & 0xFFFF, true);
    dv.setUint16(IDT + 8 * v + 2, 0x08, true);
    mem.u8[IDT + 8 * v + 4] = 0;
    mem.u8[IDT + 8 * v + 5] = 0x8E;
    dv.setUint16(IDT + 8 * v + 6, stub >>> 16, true);
    stub += 64;
  }
  dv.setUint32(REC, 0xFFFFFFFF, true);
  if (paging) {
    for (let i = 0; i < 2; i++) {
      const pt = PD + 0x1000 * (i + 1);
      dv.setUint32(PD + 4 * i, pt | 7, true);
      for (let j = 0; j < 1024; j++) dv.setUint32(pt + 4 * j, (((i * 1024 + j) << 12) | 7) >>> 0, true);
    }
  }
}

function runKvmLayout(c: OracleCase, mode: string, stepLimit: number): OracleResult {
  const real = mode === 'real16', paging = mode === 'pm32-paging';
  if (typeof c.code !== 'string') throw new CaseError("'code' must be a hex string");
  const code = hexBytes(c.code);
  const codeAddr = c.code_addr ?? 0x10000;
  const writes = caseWrites(c, code, codeAddr);
  for (const [a, d] of writes) {
    if (!Number.isInteger(a) || a < FREE_LO || a + d.length > FREE_HI) {
      throw new CaseError(`write at 0x${Math.max(0, a | 0).toString(16)}+${d.length} outside [0x10000, 0x7fd000)`);
    }
  }
  if (real && codeAddr + code.length > 0x10000 + 0xFFFF) throw new CaseError('real16 code must fit in the first 64 KiB after 0x10000');
  const { mem, cpu } = machine(8 << 20);
  writeKvmTables(mem, paging);
  for (const [a, d] of writes) mem.load(a, d);
  // The oracle's prologue (FNINIT; JMP snippet) is placed for fidelity; execution starts at the snippet.
  if (real) mem.u8.set([0xDB, 0xE3, 0xEA, codeAddr & 0xFF, (codeAddr >> 8) & 0xFF, 0x00, 0x10], PROLOGUE);
  else {
    const rel = (codeAddr - (PROLOGUE + 7)) | 0;
    mem.u8.set([0xDB, 0xE3, 0xE9, rel & 0xFF, (rel >> 8) & 0xFF, (rel >> 16) & 0xFF, (rel >>> 24) & 0xFF], PROLOGUE);
  }

  cpu.gdtrBase = GDT; cpu.gdtrLimit = 6 * 8 - 1;
  cpu.idtrBase = IDT; cpu.idtrLimit = 32 * 8 - 1;
  cpu.trSel = 0x28; cpu.trBase = TSS; cpu.trLimit = 0x67; cpu.trAR = 0x8B;
  cpu.ldtrSel = 0; cpu.ldtrBase = 0; cpu.ldtrLimit = 0xFFFF; cpu.ldtrAR = 0x82;
  if (real) {
    cpu.cr0 = 0x10; cpu.cr3 = 0; cpu.cr4 = 0;
    for (let s = 0; s < 6; s++) setSegment(cpu, s, 0, 0, 0xFFFF, 0x93);
    setSegment(cpu, CS, 0x1000, 0x10000, 0xFFFF, 0x9B);
    cpu.eip = codeAddr - 0x10000;
  } else {
    cpu.cr0 = paging ? 0x80010031 | 0 : 0x31;
    cpu.cr3 = paging ? PD : 0;
    cpu.cr4 = 0x200;
    setSegment(cpu, CS, 0x08, 0, 0xFFFFFFFF, 0xC09B);
    for (const s of [SS, DS, ES, FS, GS]) setSegment(cpu, s, 0x10, 0, 0xFFFFFFFF, 0xC093);
    cpu.eip = codeAddr;
  }
  cpu.cpl = 0;
  cpu.flags = ((c.regs?.eflags ?? 2) | 2) & 0x3F7FD7 | 2;
  cpu.modeChanged();
  const vals = regValues(c);
  setGprs(cpu, vals);

  const stop = cpu.run(stepLimit);
  if (stop === Stop.Limit) return { ok: false, error: 'timeout' };
  const regs: Record<string, number> = {
    eax: u32(cpu.r32[EAX]), ebx: u32(cpu.r32[EBX]), ecx: u32(cpu.r32[ECX]), edx: u32(cpu.r32[EDX]),
    esi: u32(cpu.r32[ESI]), edi: u32(cpu.r32[EDI]), esp: u32(cpu.r32[ESP]), ebp: u32(cpu.r32[EBP]),
    eip: u32(cpu.eip), eflags: u32(cpu.getEflags()),
  };
  let exception: Record<string, unknown> | null = null;
  if (stop === Stop.Shutdown) {
    exception = { triple_fault: true };
  } else if (stop !== Stop.Halt) {
    return { ok: false, error: 'unexpected stop' };
  } else {
    const dv = new DataView(mem.u8.buffer);
    const vec = dv.getUint32(REC, true);
    if (vec !== 0xFFFFFFFF) {
      const hasEc = dv.getUint32(REC + 8, true);
      exception = { vector: vec, error_code: hasEc ? dv.getUint32(REC + 4, true) : null, eip: dv.getUint32(REC + 12, true) };
      regs.eip = dv.getUint32(REC + 12, true);
      regs.eflags = dv.getUint32(REC + 20, true);
    } else if (real) {
      regs.eip = u32(regs.eip + 0x10000);
    }
  }
  return {
    ok: true, regs, exception, mem: dumps(c, mem),
    cr0: u32(cpu.cr0), cr2: u32(cpu.cr2), cr3: u32(cpu.cr3), cr4: u32(cpu.cr4), cpu: CPU_NAME,
  };
}
