import { CPU } from '/work/main/src/cpu/cpu.ts';
import { PhysicalMemory } from '/work/main/src/platform/memory.ts';
import { IoBus } from '/work/main/src/platform/io-bus.ts';
import { setSegment } from '/work/main/src/cpu/segments.ts';
const mem = new PhysicalMemory(16 << 20);
const cpu = new CPU(mem, new IoBus());
// loop: add eax,1 ; xor ebx,eax ; add ecx,ebx ; dec edx ; jnz loop ; hlt
const code = [0x83,0xC0,0x01, 0x31,0xC3, 0x01,0xD9, 0x4A, 0x75,0xF6, 0xF4];
mem.u8.set(code, 0x10000);
cpu.cr0 = 0x11;
setSegment(cpu, 1, 8, 0, 0xFFFFFFFF, 0xC09B);
for (const s of [0,2,3,4,5]) setSegment(cpu, s, 0x10, 0, 0xFFFFFFFF, 0xC093);
cpu.modeChanged();
cpu.eip = 0x10000;
cpu.r32[2] = 4_000_000;
const t0 = performance.now();
const stop = cpu.run(200_000_000);
const dt = performance.now() - t0;
console.log('stop', stop, 'icount', cpu.icount, 'MIPS', (cpu.icount / dt / 1000).toFixed(1));
