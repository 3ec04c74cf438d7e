// End to end: the committed demo OS (guests/demo-os), loaded by the Multiboot loader into the emulated PC,
// boots to its shell; a scripted session typed into COM1 gives the expected output and exit status, and
// the same instruction count on every run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PC } from '../platform/pc.ts';
import { loadMultiboot } from './multiboot.ts';

const image = new Uint8Array(readFileSync(join(import.meta.dirname, '../../guests/images/demo-os.elf')));

function session(input: string, maxInsns = 50e6) {
  let out = '';
  const pc = new PC({ serialOut: (b) => { out += String.fromCharCode(b); } });
  loadMultiboot(pc.mem, pc.cpu, image, { cmdline: 'demo-os.elf' });
  pc.sendSerial(new TextEncoder().encode(input));
  const r = pc.run(maxInsns);
  return { r, out, insns: pc.cpu.icount };
}

const SCRIPT = 'echo hello\rsieve 10000\rclock\rcrash wp\rcrash tf\rps\rpoweroff 5\r';

test('the demo OS boots to its shell and runs a scripted session', () => {
  const { r, out } = session(SCRIPT);
  assert.deepEqual(r, { reason: 'exit', exitStatus: 11 }, 'poweroff 5 -> debug-exit status (5 << 1) | 1');
  assert.ok(out.includes('\r\n'), 'a serial console: lines end in CR LF');
  const lines = out.split('\r\n');
  const has = (l: string) => assert.ok(lines.includes(l), `missing line ${JSON.stringify(l)} in:\n${lines.join('\n')}`);
  // What the loader handed over, as the kernel read it
  has('  boot loader: trapeze');
  has('  command line: "demo-os.elf"');
  has('  memory: 640 KiB lower, 130048 KiB upper');
  has('    00000000-0009ffff available');
  has('    000a0000-000fffff reserved');
  has('    00100000-07ffffff available');
  has('syscalls: int 0x80 and sysenter');
  has('serial: 16550A at 0x3f8, 115200 8N1, receive interrupt on IRQ 4');
  has('Welcome to the Trapeze demo OS. Type help for the commands.');
  // The session, echoed as typed
  has('$ echo hello');
  has('hello');
  has('sieve: 1229 primes up to 10000 (largest 9973)');
  assert.ok(lines.some((l) => /^clock: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(uptime \d+\.\d\d s\)$/.test(l)), 'a clock reading');
  assert.ok(lines.some((l) => /^\[kernel\] pid \d+ \(crash\) killed: page fault \(#PF\) at eip 4[0-9a-f]{7}, error code 7, address 4[0-9a-f]{7} \(protection violation, write, user\)$/.test(l)),
    'writing to its own code kills the process');
  has('[pid 4 killed by exception 14]');
  // SYSENTER keeps TF: the single-step trap lands on the kernel's entry, which must survive it
  has('crash: single-stepping into SYSENTER did not bring the kernel down');
  has('[pid 5 killed by exception 1]');
  assert.ok(lines.some((l) => /^ {4}1 {4}0 running .* shell$/.test(l)), 'ps lists the shell');
  has('[kernel] power off requested by pid 1 (shell), status 5');
});

test('the demo OS is deterministic: same output, same instruction count', () => {
  const a = session(SCRIPT), b = session(SCRIPT);
  assert.equal(a.out, b.out);
  assert.equal(a.insns, b.insns);
});
