// Interpreter speed probe (scratch file of the interpreter-speed work; bench/ proper is the full benchmark).
// Two loops in flat 32-bit protected mode at CPL 0, paging off:
//   tight: add eax,1 / xor ebx,eax / add ecx,ebx / dec edx / jnz            (5 instructions an iteration)
//   mixed: load / rol / store / add / and / call f / xor / add / ret / dec / jnz   (11 an iteration)
// Each loop runs REPS times on a fresh CPU; prints min/median/max MIPS and a checksum of the final state
// (registers, flags, icount, the data area) so that a change in behaviour shows up as a different checksum.
// --paging: the same with 4 KiB paging on (identity map); --high: paging with the code, data and stack at
// 0xC0000000 + their physical address, as a Linux kernel runs (offsets beyond 2^31 are doubles in V8).
//   node --import tsx bench/loop-probe.ts [tight|mixed|all] [reps] [--paging|--high]
import { CPU } from '../src/cpu/cpu.ts';
import { PhysicalMemory } from '../src/platform/memory.ts';
import { IoBus } from '../src/platform/io-bus.ts';
import { setSegment } from '../src/cpu/segments.ts';

const TIGHT = [0x83, 0xC0, 0x01, 0x31, 0xC3, 0x01, 0xD9, 0x4A, 0x75, 0xF6, 0xF4];
// 10000: mov eax,[ebx+esi]      8B 04 33
// 10003: rol eax,5              C1 C0 05
// 10006: mov [ebx+esi+100h],eax 89 84 33 00 01 00 00
// 1000D: add esi,4              83 C6 04
// 10010: and esi,0FCh           81 E6 FC 00 00 00
// 10016: call 1001F             E8 04 00 00 00
// 1001B: dec ecx                49
// 1001C: jnz 10000              75 E2
// 1001E: hlt                    F4
// 1001F: xor edx,eax            31 C2
// 10021: add edx,1              83 C2 01
// 10024: ret                    C3
const MIXED = [0x8B, 0x04, 0x33, 0xC1, 0xC0, 0x05, 0x89, 0x84, 0x33, 0x00, 0x01, 0x00, 0x00, 0x83, 0xC6, 0x04,
  0x81, 0xE6, 0xFC, 0x00, 0x00, 0x00, 0xE8, 0x04, 0x00, 0x00, 0x00, 0x49, 0x75, 0xE2, 0xF4, 0x31, 0xC2, 0x83,
  0xC2, 0x01, 0xC3];

function setup(code: number[], paging: boolean, high: boolean): CPU {
  const mem = new PhysicalMemory(16 << 20);
  const cpu = new CPU(mem, new IoBus());
  mem.u8.set(code, 0x10000);
  for (let k = 0; k < 0x200; k++) mem.u8[0x40000 + k] = (k * 37 + 11) & 0xFF;
  cpu.cr0 = 0x11;
  if (paging || high) {
    // identity map the first 16 MiB with 4 KiB pages, user/writable, A and D set; the same again at 3 GiB
    const pd = 0x100000, pt = 0x101000;
    for (let t = 0; t < 4; t++) mem.i32[(pd >> 2) + t] = mem.i32[(pd >> 2) + 0x300 + t] = (pt + t * 0x1000) | 0x67;
    for (let p = 0; p < 4096; p++) mem.i32[(pt >> 2) + p] = (p << 12) | 0x67;
    cpu.cr3 = pd;
    cpu.cr0 = 0x80000011 | 0;
  }
  setSegment(cpu, 1, 8, 0, 0xFFFFFFFF, 0xC09B);
  for (const s of [0, 2, 3, 4, 5]) setSegment(cpu, s, 0x10, 0, 0xFFFFFFFF, 0xC093);
  cpu.modeChanged();
  const base = high ? 0xC0000000 : 0;
  cpu.eip = base + 0x10000;
  cpu.r32[4] = base + 0x80000;
  return cpu;
}

function checksum(cpu: CPU): string {
  let h = 0x811C9DC5;
  const mix = (v: number) => { h = Math.imul(h ^ (v | 0), 0x01000193); };
  for (let r = 0; r < 8; r++) mix(r === 3 || r === 4 ? cpu.r32[r] & 0xFFFFFFF : cpu.r32[r]);
  mix(cpu.getEflags()); mix(cpu.eip & 0xFFFFFFF); mix(cpu.icount);
  for (let k = 0; k < 0x200 / 4; k++) mix(cpu.mem.i32[(0x40000 >> 2) + k]);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function runOnce(name: string, paging: boolean, high: boolean): { mips: number; sum: string; icount: number } {
  const cpu = setup(name === 'tight' ? TIGHT : MIXED, paging, high);
  if (name === 'tight') cpu.r32[2] = 4_000_000; // 20 M instructions
  else { cpu.r32[1] = 2_000_000; cpu.r32[3] = (high ? 0xC0000000 : 0) + 0x40000; } // 22 M instructions
  // Wall time: process.cpuUsage() would also count V8's background compiler and GC threads. The machine
  // is shared and noisy: compare the best of several runs, taken back to back.
  const t0 = performance.now();
  const stop = cpu.run(200_000_000);
  const dt = performance.now() - t0;
  if (stop !== 1) throw new Error(`${name}: stopped with ${stop} at ${cpu.eip.toString(16)}`);
  return { mips: cpu.icount / dt / 1000, sum: checksum(cpu), icount: cpu.icount };
}

const which = process.argv[2] ?? 'all';
const reps = Number(process.argv[3] ?? 5);
const high = process.argv.includes('--high');
const paging = high || process.argv.includes('--paging');
for (const name of ['tight', 'mixed']) {
  if (which !== 'all' && which !== name) continue;
  const r: number[] = [];
  let sum = '', icount = 0;
  for (let k = 0; k < reps; k++) { const x = runOnce(name, paging, high); r.push(x.mips); sum = x.sum; icount = x.icount; }
  r.sort((a, b) => a - b);
  console.log(`${name.padEnd(6)}${high ? ' high' : paging ? ' paging' : ''}  best ${r[r.length - 1].toFixed(1)}  median ${r[r.length >> 1].toFixed(1)}  worst ${r[0].toFixed(1)} MIPS  (${icount} insns, state ${sum})`);
}
