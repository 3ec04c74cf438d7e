// Which code gets translated (translate.ts, dispatch.ts, region.ts), checked by the instructions retired
// inside regions: an instruction that straddles two pages (never in the code cache) is taken into a region
// that reaches it, whose entry checks and whose code-page watch cover both pages; the interpreter makes
// the instruction after one a block start where no region holds it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestMachine } from '../test-machine.ts';
import { jitConfig } from './jit-config.ts';
import { setBlockObserver } from './dispatch.ts';

const START = 0x10FE0;

/**
 * mov ecx, 100; L: inc ebx x25; mov eax, 0x12345678 (at 0x10FFE: straddles 0x11000); add ebx, eax x40;
 * dec ecx; jnz L; hlt. 68 instructions an iteration.
 */
function program(): Uint8Array {
  const code: number[] = [0xB9, 100, 0, 0, 0];
  const loop = START + code.length;
  for (let k = 0; k < 25; k++) code.push(0x43);
  assert.equal(START + code.length, 0x10FFE);
  code.push(0xB8, 0x78, 0x56, 0x34, 0x12);
  for (let k = 0; k < 40; k++) code.push(0x01, 0xC3);
  code.push(0x49);
  const rel = loop - (START + code.length + 6);
  code.push(0x0F, 0x85, rel & 0xFF, (rel >> 8) & 0xFF, (rel >> 16) & 0xFF, (rel >>> 24) & 0xFF, 0xF4);
  return Uint8Array.from(code);
}

function run(jit: boolean): { ebx: number; inRegions: number; icount: number } {
  const m = new TestMachine({ paging: true, memSize: 8 << 20 });
  m.mem.load(START, program());
  m.cpu.eip = START;
  m.cpu.jit = jit;
  let inRegions = 0;
  setBlockObserver((_cpu, n) => { inRegions += n; });
  try {
    m.cpu.run(100_000);
  } finally {
    setBlockObserver(null);
  }
  assert.equal(m.cpu.halted, true, 'the program ran to its HLT');
  return { ebx: m.cpu.r32[3] >>> 0, inRegions, icount: m.cpu.icount };
}

/**
 * mov ecx, 100; L: mov eax, 0x12345678 (at 0x10FFE); add ebx, eax; mov [0x11001], cl (the immediate's
 * third byte, on the second page); dec ecx; jnz L; hlt.
 */
function selfModifying(): Uint8Array {
  const code: number[] = [0xB9, 100, 0, 0, 0];
  for (let k = 0; k < 25; k++) code.push(0x43);
  const loop = START + code.length;
  code.push(0xB8, 0x78, 0x56, 0x34, 0x12, 0x01, 0xC3, 0x88, 0x0D, 0x01, 0x10, 0x01, 0x00, 0x49);
  const rel = loop - (START + code.length + 2);
  code.push(0x75, rel & 0xFF, 0xF4);
  return Uint8Array.from(code);
}

for (const backend of ['wasm', 'js'] as const) {
  test(`a write to the second page of a straddling instruction is seen by translated code (${backend})`, () => {
    const saved = { ...jitConfig };
    Object.assign(jitConfig, { threshold: 2, blockThreshold: 2, backend });
    try {
      const results = [false, true].map((jit) => {
        const m = new TestMachine({ paging: true, memSize: 8 << 20 });
        m.mem.load(START, selfModifying());
        m.cpu.eip = START;
        m.cpu.jit = jit;
        m.cpu.run(100_000);
        assert.equal(m.cpu.halted, true);
        return [m.cpu.r32[3] >>> 0, m.cpu.icount];
      });
      assert.deepEqual(results[1], results[0]);
    } finally {
      Object.assign(jitConfig, saved);
    }
  });

  test(`code after a page-straddling instruction runs translated (${backend})`, () => {
    const saved = { ...jitConfig };
    Object.assign(jitConfig, { threshold: 2, blockThreshold: 2, backend });
    try {
      const interp = run(false), jit = run(true);
      assert.equal(jit.ebx, interp.ebx, 'the same result');
      assert.equal(jit.icount, interp.icount, 'the same instruction count');
      assert.equal(interp.icount, 1 + 100 * 68 + 1);
      // All but the straddling MOV in regions once translated (67 of 68 an iteration); without the block
      // start after it, only the INCs before it (25).
      assert.ok(jit.inRegions > 0.9 * jit.icount, `instructions retired in regions: ${jit.inRegions} of ${jit.icount}`);
    } finally {
      Object.assign(jitConfig, saved);
    }
  });
}
