// End to end: each committed platform test kernel (guests/tests/*.c), loaded by the Multiboot loader into
// the emulated PC, runs to its own verdict. A kernel prints its checks and then "PASS <name>" or
// "FAIL <name>: <reason>" on COM1 and leaves through isa-debug-exit (status 0 -> exit code 1). Failures
// here mean the CPU, a device or the loader disagrees with what the kernel checks (the same kernels pass
// on QEMU: guests/README.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PC } from '../platform/pc.ts';
import { loadMultiboot } from './multiboot.ts';

const dir = join(import.meta.dirname, '../../guests/images/tests');

/** Boot an image and run it to its exit (at most `maxInsns` instructions). */
function boot(file: string, cmdline: string, maxInsns: number) {
  let out = '';
  const pc = new PC({ serialOut: (b) => { out += String.fromCharCode(b); } });
  loadMultiboot(pc.mem, pc.cpu, new Uint8Array(readFileSync(join(dir, file))), { cmdline });
  const r = pc.run(maxInsns);
  return { r, out: out.replace(/\r\n/g, '\n'), insns: pc.cpu.icount };
}

// Instruction budgets: about twice what each kernel takes today.
const KERNELS: [file: string, name: string, maxInsns: number][] = [
  ['boot.elf', 'boot', 4e6],
  ['boot-aout.bin', 'boot-aout', 4e6],
  ['i8042.elf', 'i8042', 2e6],
  ['pit.elf', 'pit', 10e6],
  ['pic.elf', 'pic', 12e6],
  ['uart.elf', 'uart', 30e6],
  ['cmos.elf', 'cmos', 35e6],
];

for (const [file, name, maxInsns] of KERNELS) {
  test(`test kernel ${name} passes on the emulated PC`, () => {
    const { r, out } = boot(file, 'trapeze-test', maxInsns);
    const verdict = out.split('\n').find((l) => /^(PASS|FAIL) /.test(l));
    const failures = out.split('\n').filter((l) => l.startsWith('  FAIL')).join('\n');
    assert.equal(verdict, `PASS ${name}`, `${verdict ?? `no verdict after ${maxInsns} instructions (${r.reason})`}\n${failures}`);
    assert.deepEqual(r, { reason: 'exit', exitStatus: 1 });
  });
}

test('test kernel debug-exit: the status from the command line comes out as (status << 1) | 1', () => {
  const { r, out } = boot('debug-exit.elf', 'status=7', 1e6);
  assert.match(out, /^PASS debug-exit: writing 7 to port 0xf4; expect exit code 15$/m);
  assert.deepEqual(r, { reason: 'exit', exitStatus: 15 });
});

test('test kernels are deterministic: the same output and instruction count twice', () => {
  const a = boot('pit.elf', 'x', 10e6), b = boot('pit.elf', 'x', 10e6);
  assert.equal(a.out, b.out);
  assert.equal(a.insns, b.insns);
});
