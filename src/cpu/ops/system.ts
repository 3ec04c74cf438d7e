// System instructions (SDM vol. 2): HLT, MOV to/from CRn and DRn, CLTS, LMSW, SMSW, INVLPG, INVD, WBINVD,
// CPUID, RDTSC, RDMSR/WRMSR, RDPMC, SYSENTER/SYSEXIT, UD2 and the multi-byte NOPs. CLI/STI/PUSHF/POPF are in
// flag-ops.ts; SGDT/SIDT/LGDT/LIDT (0F 01 /0-/3) and the 0F 00 group live in segment-ops.ts.
// Each privileged instruction checks privilege first, then calls cpu.sensitive() (the future VM-exit
// point), then takes effect (SDM vol. 3C §25.1.1: privilege faults have priority over VM exits).

import type { CPU } from '../cpu.ts';
import type { Insn } from '../insn.ts';
import { Sensitive } from '../intercept.ts';
import { def, defGroup } from '../opcode-table.ts';
import { ARITH_FLAGS, CR0_PE, CR0_TS, CR4_DE, CR4_PCE, CR4_TSD, CS, DB, EAX, ECX, EDX, ESP, GP, IF, RF, SS, UD, VM } from '../regs.ts';
import { loadCr0, loadCr3, loadCr4, readCr } from '../control-regs.ts';
import { cpuid } from '../cpuid.ts';
import { msrValue, readMsr, writeMsr } from '../msr.ts';
import { setSegment } from '../segments.ts';
import { install as installFlagOps } from './flag-ops.ts';

const DR6_FIXED1 = 0xFFFF0FF0 | 0, DR6_WRITABLE = 0xE00F, DR6_BD = 0x2000;
const DR7_FIXED1 = 0x400, DR7_WRITABLE = 0xFFFF23FF | 0, DR7_GD = 0x2000;

/** #GP(0) unless CPL 0: the rule of every privileged instruction (virtual-8086 mode runs at CPL 3). */
function requireCpl0(cpu: CPU): void {
  if (cpu.cpl !== 0 || (cpu.flags & VM) !== 0) cpu.fault(GP, 0);
}

/** HLT: privileged; stops until an interrupt, NMI or reset. */
function hlt(cpu: CPU): void {
  requireCpl0(cpu);
  cpu.sensitive(Sensitive.Hlt);
  cpu.halted = true;
}

// ---- MOV to/from control registers (0F 20 / 0F 22): CR0, CR2, CR3, CR4; CR1 and CR5-7 are #UD ----

/** An invalid control register is a decode-time #UD, ahead of the privilege check (SDM vol. 3A §6.15). */
function checkCr(n: number, cpu: CPU): void {
  if (n === 1 || n > 4) cpu.fault(UD);
}

function movRdCr(cpu: CPU, i: Insn): void {
  const n = i.reg;
  checkCr(n, cpu);
  requireCpl0(cpu);
  cpu.sensitive(Sensitive.CrRead, n);
  cpu.r32[i.rm] = readCr(cpu, n);
}

function movCrRd(cpu: CPU, i: Insn): void {
  const n = i.reg;
  checkCr(n, cpu);
  requireCpl0(cpu);
  const v = cpu.r32[i.rm];
  cpu.sensitive(Sensitive.CrWrite, n, v);
  switch (n) {
    case 0: loadCr0(cpu, v); break;
    case 2: cpu.cr2 = v >>> 0; break;
    case 3: loadCr3(cpu, v); break;
    default: loadCr4(cpu, v); break;
  }
}

// ---- MOV to/from debug registers (0F 21 / 0F 23) ----

/**
 * The checks of MOV DRn (SDM vol. 2 "MOV—Move to/from Debug Registers"): #GP(0) at CPL > 0 and in
 * virtual-8086 mode; DR4/DR5 are DR6/DR7 unless CR4.DE, when they are #UD; with DR7.GD set any access
 * is a #DB fault with DR6.BD set, and GD is cleared for the handler (SDM vol. 3B §17.2.4).
 * Returns the register actually accessed.
 */
function drAccess(cpu: CPU, n: number): number {
  requireCpl0(cpu);
  if (n === 4 || n === 5) {
    if (cpu.cr4 & CR4_DE) cpu.fault(UD);
    n += 2;
  }
  if (cpu.dr[7] & DR7_GD) {
    cpu.dr[6] |= DR6_BD;
    cpu.dr[7] &= ~DR7_GD;
    cpu.fault(DB);
  }
  return n;
}

// MOV-DR VM exits take priority over the #GP for privilege and the #UD for DR4/DR5 (SDM vol. 3C
// §25.1.3), so these two call sensitive() before their checks.
function movRdDr(cpu: CPU, i: Insn): void {
  cpu.sensitive(Sensitive.DrRead, i.reg);
  const n = drAccess(cpu, i.reg);
  cpu.r32[i.rm] = cpu.dr[n];
}

function movDrRd(cpu: CPU, i: Insn): void {
  const v = cpu.r32[i.rm];
  cpu.sensitive(Sensitive.DrWrite, i.reg, v);
  const n = drAccess(cpu, i.reg);
  // DR6 bits 31:16 and 11:4 read as 1, bit 12 as 0; DR7 bit 10 reads as 1, bits 15:14 and 12:11 as 0
  // (SDM vol. 3B §17.2.3, §17.2.4, P6 family).
  if (n === 6) cpu.dr[6] = (v & DR6_WRITABLE) | DR6_FIXED1;
  else if (n === 7) cpu.dr[7] = (v & DR7_WRITABLE) | DR7_FIXED1;
  else cpu.dr[n] = v;
}

// ---- CLTS, LMSW, SMSW, INVLPG, INVD, WBINVD ----

function clts(cpu: CPU): void {
  requireCpl0(cpu);
  cpu.sensitive(Sensitive.Clts);
  cpu.cr0 &= ~CR0_TS;
}

/** LMSW: loads CR0 bits 3:0 (PE MP EM TS) from a 16-bit operand; it can set PE but never clear it. */
function lmsw(cpu: CPU, i: Insn): void {
  requireCpl0(cpu);
  const v = i.mod === 3 ? cpu.r16[i.rm << 1] : cpu.read16(i.seg, cpu.ea(i));
  cpu.sensitive(Sensitive.Lmsw, v);
  loadCr0(cpu, (cpu.cr0 & ~0xF) | (v & 0xF) | (cpu.cr0 & CR0_PE));
}

/**
 * SMSW: not privileged (no UMIP on this CPU). Memory: the low 16 bits of CR0 as a word whatever the
 * operand size. Register, 32-bit operand size: the SDM leaves bits 31:16 undefined; P6 silicon stores
 * all of CR0, and so do we. 16-bit operand size: only the low word of the register changes.
 */
function smsw(cpu: CPU, i: Insn): void {
  cpu.sensitive(Sensitive.Smsw);
  if (i.mod !== 3) cpu.write16(i.seg, cpu.ea(i), cpu.cr0 & 0xFFFF);
  else if (i.o32) cpu.r32[i.rm] = cpu.cr0;
  else cpu.r16[i.rm << 1] = cpu.cr0 & 0xFFFF;
}

/**
 * INVLPG m: invalidates the TLB entry of the page holding the operand's linear address (global or not).
 * The operand is not accessed and no segment check applies (SDM vol. 2 INVLPG lists none); the register
 * form is #UD.
 */
function invlpg(cpu: CPU, i: Insn): void {
  if (i.mod === 3) cpu.fault(UD);
  requireCpl0(cpu);
  const lin = (cpu.segBase[i.seg] + cpu.ea(i)) | 0;
  cpu.sensitive(Sensitive.Invlpg, lin);
  cpu.invalidatePage(lin);
}

/** INVD / WBINVD: privileged; there are no caches to write back or drop. */
function invd(cpu: CPU): void {
  requireCpl0(cpu);
  cpu.sensitive(Sensitive.Invd);
}
function wbinvd(cpu: CPU): void {
  requireCpl0(cpu);
  cpu.sensitive(Sensitive.Wbinvd);
}

// ---- CPUID, RDTSC, RDMSR, WRMSR, RDPMC ----

function cpuidOp(cpu: CPU): void {
  cpu.sensitive(Sensitive.Cpuid, cpu.r32[EAX], cpu.r32[ECX]);
  cpuid(cpu);
}

/** RDTSC: EDX:EAX = the time-stamp counter; #GP(0) when CR4.TSD = 1 and CPL > 0. */
function rdtsc(cpu: CPU): void {
  if ((cpu.cr4 & CR4_TSD) && (cpu.cpl !== 0 || (cpu.flags & VM))) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.Rdtsc);
  const t = cpu.icount + cpu.tscOffset;
  cpu.r32[EAX] = t | 0;
  cpu.r32[EDX] = Math.floor(t / 4294967296) | 0;
}

function rdmsr(cpu: CPU): void {
  requireCpl0(cpu);
  const index = cpu.r32[ECX];
  cpu.sensitive(Sensitive.Rdmsr, index);
  readMsr(cpu, index);
  cpu.r32[EAX] = msrValue.lo;
  cpu.r32[EDX] = msrValue.hi;
}

function wrmsr(cpu: CPU): void {
  requireCpl0(cpu);
  const index = cpu.r32[ECX];
  cpu.sensitive(Sensitive.Wrmsr, index, cpu.r32[EAX]);
  writeMsr(cpu, index, cpu.r32[EAX], cpu.r32[EDX]);
}

/**
 * RDPMC: #GP(0) at CPL > 0 unless CR4.PCE = 1, and #GP(0) when ECX names no valid counter. This CPU
 * implements no performance counters (CPUID reports none; their MSRs raise #GP), so every ECX is invalid.
 */
function rdpmc(cpu: CPU): void {
  if ((cpu.cpl !== 0 || (cpu.flags & VM)) && !(cpu.cr4 & CR4_PCE)) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.Rdpmc, cpu.r32[ECX]);
  cpu.fault(GP, 0);
}

// ---- SYSENTER / SYSEXIT (SDM vol. 2 operation sections, IA-32 forms) ----

/** SYSENTER: to CPL 0 with flat segments derived from IA32_SYSENTER_CS; #GP(0) in real mode or when it is 0. */
function sysenter(cpu: CPU): void {
  const sel = cpu.sysenterCs & 0xFFFC;
  if (!(cpu.cr0 & CR0_PE) || sel === 0) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.Sysenter);
  const wasV86 = cpu.flags & VM;
  cpu.flags &= ~(VM | IF | RF);
  cpu.cpl = 0;
  // CS: base 0, limit 4 GiB, type 11 (execute/read, accessed), S, DPL 0, P, D, G. SS: type 3, B.
  setSegment(cpu, CS, sel, 0, 0xFFFFFFFF, 0xC09B);
  setSegment(cpu, SS, (sel + 8) & 0xFFFF, 0, 0xFFFFFFFF, 0xC093);
  if (wasV86) cpu.modeChanged(); else cpu.cplChanged();
  cpu.r32[ESP] = cpu.sysenterEsp;
  cpu.nextEip = cpu.sysenterEip >>> 0;
}

/** SYSEXIT: to CPL 3 with flat segments at IA32_SYSENTER_CS+16 / +24; ESP = ECX, EIP = EDX. */
function sysexit(cpu: CPU): void {
  const base = cpu.sysenterCs & 0xFFFF;
  if ((base & 0xFFFC) === 0 || !(cpu.cr0 & CR0_PE) || cpu.cpl !== 0 || (cpu.flags & VM)) cpu.fault(GP, 0);
  cpu.sensitive(Sensitive.Sysexit);
  cpu.cpl = 3;
  setSegment(cpu, CS, ((base + 16) | 3) & 0xFFFF, 0, 0xFFFFFFFF, 0xC0FB);
  setSegment(cpu, SS, ((base + 24) | 3) & 0xFFFF, 0, 0xFFFFFFFF, 0xC0F3);
  cpu.cplChanged();
  cpu.r32[ESP] = cpu.r32[ECX];
  cpu.nextEip = cpu.r32[EDX] >>> 0;
}

// ---- UD2, NOPs ----

function ud2(cpu: CPU): void {
  cpu.fault(UD);
}

/** NOP Ev: the ModRM operand is decoded (it sets the length) but never accessed. */
function nopEv(): void {}

export function install(): void {
  installFlagOps();
  def(0xF4, { name: 'hlt', h16: hlt });
  // MOV CR/DR leave OF SF ZF AF PF CF undefined (SDM vol. 2); the mod field is ignored (register form).
  def(0x120, { name: 'mov r32,crN', modrm: true, regForm: true, h16: movRdCr, undef: ARITH_FLAGS });
  def(0x121, { name: 'mov r32,drN', modrm: true, regForm: true, h16: movRdDr, undef: ARITH_FLAGS });
  def(0x122, { name: 'mov crN,r32', modrm: true, regForm: true, h16: movCrRd, undef: ARITH_FLAGS });
  def(0x123, { name: 'mov drN,r32', modrm: true, regForm: true, h16: movDrRd, undef: ARITH_FLAGS });
  def(0x106, { name: 'clts', h16: clts });
  defGroup(0x101, 4, { name: 'smsw', h16: smsw });
  defGroup(0x101, 6, { name: 'lmsw', h16: lmsw });
  defGroup(0x101, 7, { name: 'invlpg', h16: invlpg });
  def(0x108, { name: 'invd', h16: invd });
  def(0x109, { name: 'wbinvd', h16: wbinvd });
  def(0x10B, { name: 'ud2', h16: ud2 });
  // 0F 18-0F 1F: NOP Ev ("hint NOPs", P6 family and later; 0F 1F /0 is the documented multi-byte NOP).
  // 0F 18 /0-/3 are the SSE PREFETCHh hints, which are no-ops too.
  for (let op = 0x118; op <= 0x11F; op++) def(op, { name: 'nop', modrm: true, h16: nopEv });
  def(0x1A2, { name: 'cpuid', h16: cpuidOp });
  def(0x130, { name: 'wrmsr', h16: wrmsr });
  def(0x131, { name: 'rdtsc', h16: rdtsc });
  def(0x132, { name: 'rdmsr', h16: rdmsr });
  def(0x133, { name: 'rdpmc', h16: rdpmc });
  def(0x134, { name: 'sysenter', h16: sysenter });
  def(0x135, { name: 'sysexit', h16: sysexit });
}
