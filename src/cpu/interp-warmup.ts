// Type feedback for the interpreter loop before V8 optimizes it. interpret() is one large function, and
// V8 compiles every path of it that has not run yet (an inline form never met, a slow path of an inline
// memory access) as a deoptimization: the first time guest code takes such a path, the whole function
// drops back to the bytecode interpreter and is compiled again, ~100 ms each on this machine class. A
// Linux boot meets new forms for a long time: 21 such deoptimizations in the vmlinux boot to the
// initramfs, about 2 s of its 14. So before the first machine runs, every inline form runs a few times on
// a small scratch machine of its own, after each kind of flag-setting operation, through flat segments at
// offsets of 2 GiB and more (as a Linux kernel uses them) and through narrow segments and a 16-bit stack
// (the calls to the CPU's general paths), with and without TLB entries, with the interrupt line waiting
// on IF = 0, and through the translator's entry to interpret (blockStarts). Nothing of it is visible to
// any other machine: it has its own memory, CPU and code cache, and is dropped afterwards.

import { CPU, Stop } from './cpu.ts';
import { PhysicalMemory } from '../platform/memory.ts';
import { IoBus } from '../platform/io-bus.ts';
import { setSegment } from './segments.ts';
import { interpret } from './interp.ts';
import { FAULT } from './fault.ts';
import { CS, DS, ES, FS, GS, SS } from './regs.ts';

const CODE = 0x10000, DATA = 0x4000, STACK = 0xF000, MEM = 0x20000;

/** Instructions that leave each kind of flags state (lazy add, sub, logic, inc, shift; concrete CF; rotate). */
const SETTERS = ['', '39d8', '01d8', '31d8', '40', 'c1e003', 'f9', 'd1c0', '29c8'];

/** Forms that read the flags: run after every setter. */
const FLAG_READERS: string[] = [];
for (let cc = 0; cc < 16; cc++) {
  const c = cc.toString(16);
  FLAG_READERS.push(`7${c}00`, `0f8${c}00000000`, `0f9${c}c0`, `0f4${c}c3`);
}
FLAG_READERS.push('0f9403', '0f4403', '40', '48', 'ff03', 'ff0b', '1303', '1bc3', '9c58');

/**
 * The other forms (ModRM operands through EBX = data, ECX = a small count, EDX = the address of the
 * chunk's final HLT, which [data] also holds; `@` stands for the 32-bit address of the data).
 */
const FORMS: string[] = [
  '01d8', '09d8', '21d8', '29d8', '31d8', '39d8', '03c3', '0bc3', '23c3', '2bc3', '33c3', '3bc3', '85c3',
  '83c004', '83c804', '83e004', '83e804', '83f004', '83f804', '81c004030201', '81f804030201',
  '0504030201', '0d04030201', '2504030201', '2d04030201', '3504030201', '3d04030201',
  '0303', '0b03', '2303', '2b03', '3303', '3b03', '034304', '0b0c0b',
  '0103', '0903', '2103', '2903', '3103', '3903', '014304',
  '830304', '830b04', '832304', '832b04', '833304', '833b04', '810304030201',
  '8503', 'f7c304030201', 'f70304030201', 'a904030201', 'f6c304', 'f60304', 'a804', '80fb04', '3c04',
  '38d8', '3ad8', '88d8', '8ad8', '88e7', '8afc', '4b', '4f',
  'c1c003', 'c1c803', 'c1e003', 'c1e803', 'c1f803', 'c1e000', 'd1e0', 'd1e8', 'd1f8', 'd3e0', 'd3e8', 'd3c0', 'd3f8',
  'eb00', 'e900000000', 'e800000000', '52c3', '52c20400', '52', '53', '58', '5b', '6804030201', '6a04',
  '89d8', '8bc3', '8903', '894304', '890c0b', '8b03', '8b4304', '8b0c0b', '8b4c2404', '8b4504', '648b03', '648903',
  '891d@', '8b1d@', 'a1@', 'a3@', 'a0@', 'a2@', 'b804030201', 'c7c004030201', 'c70304030201', 'c6c004', 'c60304',
  '8d4304', '8d0c0b', '8d8c0b04030201', '0fb6c3', '0fb603', '0fb7c3', '0fb703', '8803', '8a03', '884304', '8a4304', '803b04',
  'b004', 'b404', '0fbec3', '0fbe03', '0fbfc3', '0fbf03', '87d8', '8703', '93', '99', '84c3', '8403',
  'f7d0', 'f7d8', 'ffd2', 'ff13', 'ffe2', 'ff23', 'fff3', 'ff33', 'c9', '0f0b',
  // a few that the handlers run (16-bit operands, string instructions, ADC/SBB, LOCK)
  '6601d8', '668903', '668b03', '66c1e003', 'ac', 'ad', 'ab', 'a5', 'f3ab', 'f3a5', 'f3a4', 'f2ae', '1103', 'f00103', '0fafc3',
  // an offset sum beyond int32 (EBX + EDI + 0xC0000000 with pointers of 2 GiB or more; reads no RAM)
  '8b843b000000c0', '8d843b000000c0',
];

/** 32-bit little-endian hex. */
function le(v: number): string {
  let s = '';
  for (let k = 0; k < 4; k++) s += ((v >>> (8 * k)) & 0xFF).toString(16).padStart(2, '0');
  return s;
}

let done = false;

/** Run the warm-up once per process (CPU.run calls this before its first instruction). */
export function warmUpInterpreter(): void {
  if (done) return;
  done = true;
  const mem = new PhysicalMemory(MEM);
  const cpu = new CPU(mem, new IoBus());
  cpu.jit = false;
  // CR2 holds a linear address as an unsigned number: let V8 see one of 2 GiB or more now, not when a
  // guest's first page fault makes it change how it stores the field in every CPU (its code that uses
  // CPUs would be deoptimized then).
  cpu.cr2 = 0x80000000;
  // Likewise fields written for the first time late in a boot (V8 then stops treating them as constants):
  // the supervisor-access bookkeeping (readSys), the stop reason, the TSC offset.
  cpu.readSys32(0);
  cpu.requestStop(Stop.Halt); cpu.requestStop(Stop.Request); cpu.takeStop();
  cpu.tscOffset = 1; cpu.tscOffset = 0;
  for (let pass = 0; pass < 4; pass++) {
    // Passes 0 and 2: flat segments based at 2 GiB, so that offsets (EIP, pointers) are 2 GiB and more;
    // 1 and 3: base 0 with 64 KiB data segments and a 16-bit stack. Passes 2 and 3 keep their TLB entries.
    const high = (pass & 1) === 0;
    const p = (a: number): number => (high ? (0x80000000 + a) | 0 : a);
    const chunks: string[] = [];
    for (const f of FLAG_READERS) for (const s of SETTERS) chunks.push(s + f);
    for (const f of FORMS) chunks.push(f.replace('@', le(p(DATA + 0x40))));
    let at = CODE;
    const starts: number[] = [], hlts: number[] = [];
    // The last one straddles a page boundary (the CPU's memo of such instructions, crossInsn).
    chunks.push('8b4304');
    for (let n = 0; n < chunks.length; n++) {
      const bytes = chunks[n] + 'f4';
      if (n === chunks.length - 1) at = (at | 0xFFF) - 1;
      starts.push(at);
      for (let k = 0; k < bytes.length; k += 2) mem.u8[at++] = parseInt(bytes.substr(k, 2), 16);
      hlts.push(at - 1);
    }
    mem.load(CODE, mem.u8.slice(CODE, at)); // tells the CPU's caches
    for (let n = 0; n < starts.length; n++) {
      for (let regs = 0; regs < 2; regs++) {
        if (cpu.shutdown || n === 0) setUp(cpu, high);
        const hlt = hlts[n];
        const r = cpu.r32;
        r[0] = regs === 0 ? 5 : -1; r[1] = regs === 0 ? 3 : 0; r[2] = p(hlt); r[3] = p(DATA);
        r[4] = high ? p(STACK) : STACK; r[5] = p(DATA + 0x400); r[6] = p(DATA + 0x100); r[7] = p(DATA + 0x200);
        mem.i32[DATA >> 2] = p(hlt);
        cpu.setEflags(regs === 0 ? 0 : 0x8D5, 0x8D5);
        if (pass < 2) cpu.flushTlb(true);
        cpu.halted = false;
        cpu.eip = p(starts[n]);
        if (pass === 2) {
          // The translator's dispatcher enters with blockStarts; faults then reach here, not CPU.run.
          try { interpret(cpu, cpu.icount + 8, 1 << 30); } catch (e) { if (e !== FAULT) throw e; cpu.shutdown = true; }
        } else {
          // Pass 3: an interrupt waits while IF = 0, so afterInstruction runs after each instruction.
          cpu.setIntr(pass === 3);
          cpu.run(pass === 3 ? 8.5 : 8); // the platform's slices need not be whole numbers
        }
      }
    }
  }
}

/** Protected mode, CPL 0, paging off; flat or narrow segments (see warmUpInterpreter). */
function setUp(cpu: CPU, high: boolean): void {
  cpu.reset();
  cpu.cr0 |= 1;
  cpu.idtrBase = 0; cpu.idtrLimit = 0; // any exception: shutdown (set up again for the next chunk)
  const base = high ? 0x80000000 : 0;
  setSegment(cpu, CS, 0x08, base, 0xFFFFFFFF, 0xC09B);
  for (const s of [DS, ES, GS]) setSegment(cpu, s, 0x10, base, high ? 0xFFFFFFFF : 0xFFFF, high ? 0xC093 : 0x4093);
  setSegment(cpu, FS, 0x10, high ? base : DATA, 0xFFFFFFFF, 0xC093);
  setSegment(cpu, SS, 0x10, base, high ? 0xFFFFFFFF : 0xFFFF, high ? 0xC093 : 0x0093);
  cpu.modeChanged();
}
