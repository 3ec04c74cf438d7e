// The single intercept point. Every sensitive operation calls cpu.sensitive(kind, a, b) before it takes
// effect, and every event passes hook.event before it is delivered through the IDT. With no hook the
// cost is one null check. VMX non-root operation (a later layer) installs a hook that turns these into
// VM exits (SDM vol. 3C chapter 25); harnesses use it to observe exceptions.

import type { CPU } from './cpu.ts';
import type { EventKind } from './interrupts.ts';

export const enum Sensitive {
  Cpuid = 1,
  Hlt,
  Invlpg,
  Rdtsc,
  Rdpmc,
  Rdmsr,
  Wrmsr,
  /** a = control register number, b = value (writes). */
  CrRead,
  CrWrite,
  /** a = debug register number. */
  DrRead,
  DrWrite,
  /** a = port, b = size; string forms included. */
  IoIn,
  IoOut,
  Lgdt,
  Lidt,
  Lldt,
  Ltr,
  Sgdt,
  Sidt,
  Sldt,
  Str,
  Clts,
  Lmsw,
  Smsw,
  Cli,
  Sti,
  Popf,
  Pushf,
  Iret,
  /** INT n / INT3 / INTO; a = vector. */
  SoftInt,
  Invd,
  Wbinvd,
  Sysenter,
  Sysexit,
  Pause,
  /** VMX instructions (VMCALL, VMXON, ...); a = which. */
  Vmx,
}

export interface InterceptHook {
  /** Before a sensitive operation: return to let it proceed, or throw to take it over. */
  sensitive(cpu: CPU, kind: Sensitive, a: number, b: number): void;
  /**
   * Before an exception or interrupt is delivered. Return true when the hook consumed it (the CPU then
   * does not deliver it). `returnEip` is the EIP the event would push.
   */
  event(cpu: CPU, vector: number, errorCode: number, kind: EventKind, returnEip: number): boolean;
}
