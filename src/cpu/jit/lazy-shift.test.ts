// The lazy record of a 32-bit SHL/SHR/SAR written inline (cpu.ts LAZY_SHIFT) gives the flags the shift
// handlers compute eagerly (ops/shift.ts, checked against silicon by the golden vectors): read at once
// (ADC, SETO, JL, JBE, JO), after DEC has folded CF, at a block start where the record's op is not known,
// and whole through PUSHFD (AF and PF too), with counts of 1, an immediate, and CL including 0. The same
// program runs in the interpreter with and without its inline forms and translated on both backends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestMachine, hexBytes } from '../test-machine.ts';
import { jitConfig } from './jit-config.ts';

const CODE = 0x10000;

/*
 * 400 iterations of (nasm, org 0x10000):
 *   mov ecx, 400 / mov eax, 0x9E3779B9 / xor ebx, ebx / xor edi, edi / shl eax, 1
 * head: adc ebx, 0 / seto dl / movzx edx, dl / add edi, edx / setl dl / add edi, edx
 *   imul eax, eax, 0x41C64E6D / add eax, 12345
 *   mov edx, eax / shl edx, 1 / adc ebx, edx
 *   mov edx, eax / shr edx, 7 / seto dl / movzx edx, dl / add edi, edx
 *   mov esi, eax / sar esi, 13 / jl .neg / add edi, 3
 * .neg: mov esi, eax / shl esi, 9 / jbe .be / add edi, 5
 * .be: mov esi, eax / shl esi, 31 / jo .ov / add edi, 7
 * .ov: push ecx / mov ecx, eax / shr ecx, 27 / mov edx, eax / sar edx, cl / pushfd / pop esi
 *   and esi, 0x8D5 / add edi, esi / mov edx, eax / shl edx, cl / pushfd / pop esi / and esi, 0x8D5
 *   add edi, esi / pop ecx / mov edx, eax / shr edx, 3 / dec ecx / jz done / adc ebx, 0
 *   mov edx, eax / sar edx, 5 / jmp head
 * done: hlt
 */
const PROGRAM = hexBytes(
  'b990010000b8b979379e31db31ffd1e083d3000f90c20fb6d201d70f9cc201d769c06d4ec641053930000089c2d1e211d3' +
  '89c2c1ea070f90c20fb6d201d789c6c1fe0d7c0383c70389c6c1e609760383c70589c6c1e61f700383c7075189c1c1e91b' +
  '89c2d3fa9c5e81e6d508000001f789c2d3e29c5e81e6d508000001f75989c2c1ea0349740d83d30089c2c1fa05e97cfffffff4');

type Way = 'handlers' | 'inline' | 'wasm' | 'js';

function run(way: Way): number[] {
  const saved = { ...jitConfig };
  if (way === 'wasm' || way === 'js') Object.assign(jitConfig, { threshold: 2, blockThreshold: 2, backend: way });
  try {
    const m = new TestMachine({ memSize: 8 << 20 });
    m.mem.load(CODE, PROGRAM);
    m.cpu.eip = CODE;
    m.cpu.r32[4] = 0x8000;
    m.cpu.inlineForms = way !== 'handlers';
    m.cpu.jit = way === 'wasm' || way === 'js';
    m.cpu.run(1_000_000);
    assert.equal(m.cpu.halted, true, `${way}: the program ran to its HLT`);
    return [m.cpu.r32[0], m.cpu.r32[3], m.cpu.r32[7], m.cpu.getEflags(), m.cpu.icount].map((v) => v >>> 0);
  } finally {
    Object.assign(jitConfig, saved);
  }
}

test('inline and translated SHL/SHR/SAR give the flags of the shift handlers', () => {
  const want = run('handlers');
  // (The loop ran its 400 iterations of 48 to 51 instructions, and the flags it summed are not all zero.)
  assert.ok(want[4] >= 5 + 400 * 48 && want[4] <= 5 + 400 * 51, `icount ${want[4]}`);
  assert.notEqual(want[2], 0);
  for (const way of ['inline', 'wasm', 'js'] as const) assert.deepEqual(run(way), want, way);
});
