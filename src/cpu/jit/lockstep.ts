// Lockstep comparison of two engines (test support): a CPU that translates (cpu.jit) and one that only
// interprets run the same guest; after every block the translating CPU runs (dispatch.ts observer), its
// architectural state is recorded, and the interpreting CPU is brought to the same instruction count and
// must be in exactly that state. Test-only code.

import type { CPU } from '../cpu.ts';
import { setBlockObserver } from './dispatch.ts';

/** EFLAGS as the guest would read it, computed without folding the lazy state (no side effect). */
export function eflagsOf(cpu: CPU): number {
  return cpu.foldedFlags() >>> 0;
}

export const STATE_NAMES = [
  'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'icount', 'halted', 'cpl',
  'cr0', 'cr2', 'cr3', 'cr4', 'gdtr.base', 'gdtr.limit', 'idtr.base', 'idtr.limit', 'ldtr', 'tr', 'dr6', 'dr7',
  ...['es', 'cs', 'ss', 'ds', 'fs', 'gs'].flatMap((s) => [`${s}.sel`, `${s}.base`, `${s}.limit`, `${s}.ar`]),
];

/** The architectural state the lockstep compares (registers, EIP, EFLAGS, segment caches, CRs, icount...). */
export function archState(cpu: CPU): number[] {
  const s: number[] = [];
  for (let r = 0; r < 8; r++) s.push(cpu.r32[r] >>> 0);
  s.push(cpu.eip, eflagsOf(cpu), cpu.icount, cpu.halted ? 1 : 0, cpu.cpl,
    cpu.cr0 >>> 0, cpu.cr2 >>> 0, cpu.cr3 >>> 0, cpu.cr4 >>> 0, cpu.gdtrBase >>> 0, cpu.gdtrLimit, cpu.idtrBase >>> 0,
    cpu.idtrLimit, cpu.ldtrSel, cpu.trSel, cpu.dr[6] >>> 0, cpu.dr[7] >>> 0);
  for (let g = 0; g < 6; g++) s.push(cpu.segSel[g], cpu.segBase[g] >>> 0, cpu.segLimit[g], cpu.segAR[g]);
  return s;
}

/** The first difference between two states, or null. */
export function stateDiff(want: number[], got: number[]): string | null {
  for (let k = 0; k < want.length; k++) {
    if (want[k] !== got[k]) {
      return `${STATE_NAMES[k]}: interpreter 0x${want[k].toString(16)}, translator 0x${got[k].toString(16)} (at icount ${want[10]}, eip 0x${want[8].toString(16)})`;
    }
  }
  return null;
}

/** FNV-1a over a memory range, 32 bits at a time. */
export function memHash(u8: Uint8Array, from = 0, to = u8.length): number {
  const v = new Int32Array(u8.buffer, u8.byteOffset + from, (to - from) >>> 2);
  let h = 0x811C9DC5;
  for (let k = 0; k < v.length; k++) h = Math.imul(h ^ v[k], 0x01000193);
  return h >>> 0;
}

/**
 * Records the state of `cpu` after every translated block it runs, until stop() is called. Only one
 * recorder at a time (the observer is process-wide).
 */
export class BlockRecorder {
  readonly states: number[][] = [];
  blocks = 0;
  /** Instructions those runs retired. */
  insns = 0;
  /** Record states (else only count blocks). */
  recording = true;
  constructor(private readonly cpu: CPU) {
    setBlockObserver((c, n) => {
      if (c !== this.cpu) return;
      this.blocks++;
      this.insns += n;
      if (this.recording) this.states.push(archState(c));
    });
  }
  take(): number[][] { return this.states.splice(0); }
  stop(): void { setBlockObserver(null); }
}
