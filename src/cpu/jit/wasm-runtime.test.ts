// The WebAssembly runtime's bookkeeping: link cells handed out and given back, table slots reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../platform/memory.ts';
import { IoBus } from '../../platform/io-bus.ts';
import { CPU } from '../cpu.ts';
import { HOST_AREA_BYTES, HOST_STATE, HOST_TLB, LINK_CELLS, ST_REGS } from '../host-area.ts';
import { WasmEnv } from './wasm-runtime.ts';
import { TestMachine, CODE } from '../test-machine.ts';
import { jitConfig } from './jit-config.ts';

function env(): WasmEnv {
  const mem = new PhysicalMemory(1 << 20);
  assert.ok(mem.wasmMemory !== null, 'guest RAM is a WebAssembly memory');
  return new WasmEnv(new CPU(mem, new IoBus()));
}

test('link cells: consecutive ranges, given back ranges reused first-fit, none beyond the area', () => {
  const e = env();
  assert.equal(e.allocCells(10), 0);
  assert.equal(e.allocCells(5), 10);
  e.freeCellRange(0, 10);
  assert.equal(e.allocCells(4), 0, 'from the range given back');
  assert.equal(e.allocCells(6), 4, 'the rest of it');
  assert.equal(e.allocCells(3), 15, 'from the top again');
  assert.equal(e.allocCells(LINK_CELLS), -1, 'none left');
  assert.equal(e.allocCells(LINK_CELLS - 18), 18, 'exactly what is left');
  assert.equal(e.allocCells(1), -1);
});

test('table slots: 0 is never handed out, freed slots come back, the table grows', () => {
  const e = env();
  const slots = Array.from({ length: 100 }, () => e.allocSlot());
  assert.ok(!slots.includes(0));
  assert.equal(new Set(slots).size, 100);
  assert.ok(e.table.length >= 101);
  e.freeSlot(slots[7]);
  assert.equal(e.allocSlot(), slots[7]);
});

test('the CPU keeps its TLB, registers and segment caches in the host area after guest RAM', () => {
  const e = env();
  const cpu = e.cpu, size = cpu.mem.size;
  assert.equal(cpu.r32.buffer, cpu.mem.buffer);
  assert.equal(cpu.tlb.byteOffset, size + HOST_TLB);
  assert.equal(cpu.r32.byteOffset, size + HOST_STATE + ST_REGS);
  assert.ok(cpu.mem.buffer.byteLength >= size + HOST_AREA_BYTES, 'the memory holds the whole host area');
  cpu.r32[3] = 0x12345678;
  assert.equal(new DataView(cpu.mem.buffer).getUint32(size + HOST_STATE + ST_REGS + 12, true), 0x12345678);
  assert.equal(cpu.mem.u8.length, size, 'guest RAM views end where RAM ends');
});

test('a region module imports no function: its call-outs go through the hub\'s table (one wrapper compile per CPU)', () => {
  // V8 compiles a JavaScript wrapper for each imported function's signature whenever it compiles a module;
  // a region module imports only the memory and the call-out table (wasm-codegen.ts Imp).
  const saved = { ...jitConfig };
  const Module = WebAssembly.Module;
  const made: WebAssembly.Module[] = [];
  (WebAssembly as { Module: unknown }).Module = class extends Module {
    constructor(b: BufferSource) { super(b); made.push(this); }
  };
  Object.assign(jitConfig, { threshold: 1, blockThreshold: 1, backend: 'wasm' });
  try {
    // mov esi, 20; L: xor eax, eax; cpuid; add edi, ebx; dec esi; jnz L; hlt (CPUID: a handler call-out)
    const prog = Uint8Array.of(0xBE, 20, 0, 0, 0, 0x31, 0xC0, 0x0F, 0xA2, 0x01, 0xDF, 0x4E, 0x75, 0xF7, 0xF4);
    const results: number[][] = [];
    for (const jit of [false, true]) {
      const m = new TestMachine({ paging: true, memSize: 8 << 20 });
      m.mem.load(CODE, prog);
      m.cpu.eip = CODE;
      m.cpu.jit = jit;
      m.cpu.run(1000);
      results.push([m.cpu.r32[7], m.cpu.r32[6], m.cpu.icount]);
    }
    const regions = made.filter((x) => WebAssembly.Module.exports(x).some((e) => e.name === 'run'));
    assert.ok(regions.length > 0, 'the loop was translated');
    for (const r of regions) {
      assert.deepEqual(WebAssembly.Module.imports(r).map((i) => `${i.module}.${i.name}:${i.kind}`), ['j.m:memory', 'j.c:table']);
    }
    assert.equal(results[0][0], (20 * 0x756E6547) | 0, 'interpreted: 20 x "Genu"');
    assert.deepEqual(results[1], results[0], 'translated, CPUID through the call-out table: the same');
  } finally {
    (WebAssembly as { Module: unknown }).Module = Module;
    Object.assign(jitConfig, saved);
  }
});
