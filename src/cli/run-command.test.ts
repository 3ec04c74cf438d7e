// `trapeze run`: option parsing, error lines and exit statuses, and a whole boot of a tiny Multiboot
// ELF (built here, byte by byte) through the real command.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCount, parseMemSize } from './run-command.ts';

const BIN = join(import.meta.dirname, '../../bin/trapeze.mjs');

function trapeze(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A minimal Multiboot v1 ELF: one PT_LOAD segment holding the whole file at 0x100000, the Multiboot
 * header (flags 0) at file offset 84, and `code` at file offset 96 (the entry point).
 */
function multibootElf(code: number[]): Uint8Array {
  const size = 96 + code.length;
  const f = new Uint8Array(size);
  const dv = new DataView(f.buffer);
  f.set([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1, 0]); // ELF, 32-bit, little-endian, version 1
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 3, true); // EM_386
  dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x100000 + 96, true); // e_entry
  dv.setUint32(28, 52, true); // e_phoff
  dv.setUint16(40, 52, true); // e_ehsize
  dv.setUint16(42, 32, true); // e_phentsize
  dv.setUint16(44, 1, true); // e_phnum
  dv.setUint16(46, 40, true); // e_shentsize
  // program header
  dv.setUint32(52, 1, true); // PT_LOAD
  dv.setUint32(56, 0, true); // p_offset
  dv.setUint32(60, 0x100000, true); // p_vaddr
  dv.setUint32(64, 0x100000, true); // p_paddr
  dv.setUint32(68, size, true); // p_filesz
  dv.setUint32(72, size, true); // p_memsz
  dv.setUint32(76, 7, true); // RWX
  dv.setUint32(80, 0x1000, true);
  // Multiboot header
  dv.setUint32(84, 0x1BADB002, true);
  dv.setUint32(88, 0, true);
  dv.setUint32(92, (-0x1BADB002) >>> 0, true);
  f.set(code, 96);
  return f;
}

function tempFile(name: string, data: Uint8Array | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trapeze-run-'));
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

// Polls LSR.THRE before each byte of "OK\n", then writes 0x10 to isa-debug-exit (status 0x21):
//   mov esi,msg; next: mov bl,[esi]; test bl,bl; jz done; wt: mov dx,0x3fd; in al,dx; test al,0x20; jz wt;
//   mov dx,0x3f8; mov al,bl; out dx,al; inc esi; jmp next; done: mov al,0x10; out 0xf4,al; msg: "OK\n"
const OK_CODE = [
  0xBE, 0x82, 0x00, 0x10, 0x00, 0x8A, 0x1E, 0x84, 0xDB, 0x74, 0x13, 0x66, 0xBA, 0xFD, 0x03, 0xEC, 0xA8, 0x20,
  0x74, 0xF7, 0x66, 0xBA, 0xF8, 0x03, 0x88, 0xD8, 0xEE, 0x46, 0xEB, 0xE7, 0xB0, 0x10, 0xE6, 0xF4, 0x4F, 0x4B,
  0x0A, 0x00,
];

test('parseMemSize: binary suffixes, MiB without one, range and alignment checks', () => {
  assert.equal(parseMemSize('128M'), 128 << 20);
  assert.equal(parseMemSize('1G'), 1 << 30);
  assert.equal(parseMemSize('64'), 64 << 20);
  assert.equal(parseMemSize('65536k'), 64 << 20);
  assert.equal(parseMemSize('256MiB'), 256 << 20);
  assert.throws(() => parseMemSize('12Q'), /--mem: cannot understand "12Q"/);
  assert.throws(() => parseMemSize('1M'), /out of range/);
  assert.throws(() => parseMemSize('4G'), /out of range/);
  assert.throws(() => parseMemSize('4097k'), /multiple of 4 KiB/);
});

test('parseCount: decimal suffixes and exponent notation', () => {
  assert.equal(parseCount('5000', '--max-insns'), 5000);
  assert.equal(parseCount('5M', '--max-insns'), 5_000_000);
  assert.equal(parseCount('2.5k', '--max-insns'), 2500);
  assert.equal(parseCount('1e9', '--max-insns'), 1e9);
  assert.throws(() => parseCount('0', '--max-insns'), /--max-insns: cannot understand "0"/);
  assert.throws(() => parseCount('lots', '--max-insns'), /positive whole number/);
});

test('bad options give one error line and exit status 2', () => {
  for (const [args, re] of [
    [['run', '--mem', '12Q'], /^trapeze run: --mem: cannot understand "12Q": give a size such as 128M or 1G\n$/],
    [['run', '/nonexistent/kernel.elf'], /^trapeze run: cannot read image \/nonexistent\/kernel.elf: no such file\n$/],
    [['run', '--max-insns', 'x', '/dev/null'], /^trapeze run: --max-insns: cannot understand "x"/],
    [['run', '--module', '/nonexistent/mod', '/dev/null'], /^trapeze run: cannot read module \/nonexistent\/mod: no such file\n$/],
  ] as const) {
    const r = trapeze([...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  const bad = trapeze(['run', '--bogus']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option '--bogus'/);
});

test('an image the loader refuses gives one error line and exit status 2', () => {
  const junk = tempFile('junk.bin', new Uint8Array(64).fill(0x90));
  const r = trapeze(['run', junk]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  assert.match(r.stderr, /^trapeze run: .*junk\.bin: /);
});

test('run --help documents the options and the exit statuses', () => {
  const r = trapeze(['run', '--help']);
  assert.equal(r.status, 0);
  for (const opt of ['--mem', '--append', '--module', '--max-insns', '--stats', '--wall-clock', 'isa-debug-exit', '124', 'reboot -f']) {
    assert.ok(r.stdout.includes(opt), opt);
  }
});

test('a Multiboot kernel prints OK on COM1 and exits through isa-debug-exit', () => {
  const elf = tempFile('ok.elf', multibootElf(OK_CODE));
  const r = trapeze(['run', elf, '--stats']);
  assert.equal(r.stdout, 'OK\n');
  assert.equal(r.status, 0x21);
  assert.match(r.stderr, /^trapeze: guest exited through isa-debug-exit: status 33\n/);
  assert.match(r.stderr, /instructions +\d+/);
  assert.match(r.stderr, /MIPS/);
  assert.match(r.stderr, /interrupts +0 delivered/);
});

test('--max-insns stops a spinning guest with status 124; HLT with IF=0 exits 0', () => {
  const spin = tempFile('spin.elf', multibootElf([0xEB, 0xFE]));
  const r = trapeze(['run', spin, '--max-insns', '10k']);
  assert.equal(r.status, 124);
  assert.match(r.stderr, /^trapeze: stopped after 10,000 instructions \(--max-insns\)/);
  const off = tempFile('off.elf', multibootElf([0xFA, 0xF4]));
  const h = trapeze(['run', off]);
  assert.equal(h.status, 0);
  assert.equal(h.stderr, 'trapeze: guest halted with interrupts disabled (powered off)\n');
});

test('a triple fault exits with status 4', () => {
  // lidt [desc]; int3 with an IDT limit of 0: #GP → #DF → shutdown. desc: 6 zero bytes after the code.
  const code = [0x0F, 0x01, 0x1D, 0x68, 0x00, 0x10, 0x00, 0xCC, 0, 0, 0, 0, 0, 0];
  const tf = tempFile('tf.elf', multibootElf(code));
  const r = trapeze(['run', tf]);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /^trapeze: triple fault: the processor shut down at [0-9a-f]{4}:001000[0-9a-f]{2}\n$/);
  // The trace shows the events: INT3 → #GP (IDT limit; error code: vector 3, IDT bit) → #DF.
  const t = trapeze(['run', tf, '--trace']);
  assert.equal(t.status, 4);
  assert.deepEqual(t.stderr.split('\n').slice(2, 5).map((l) => l.trim()), [
    '-- int (int3/into) vector 0x03',
    '-- exception vector 0x0d #GP error 0x1a',
    '-- exception vector 0x08 #DF error 0x0',
  ]);
});

test('a reset request (i8042 command 0xFE, as Linux\'s reboot -f) stops the run with status 6', () => {
  // mov al,0xfe; out 0x64,al; jmp $
  const rb = tempFile('reboot.elf', multibootElf([0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE]));
  const r = trapeze(['run', rb]);
  assert.equal(r.status, 6);
  assert.equal(r.stderr, 'trapeze: guest requested a reset through the keyboard controller: stopped (no reboot)\n');
});

// Echo COM1 input upper-cased (polling LSR both ways) until 'q', then exit with status 85:
//   loop: mov dx,0x3fd; in al,dx; test al,1; jz loop; mov dx,0x3f8; in al,dx; cmp al,'q'; je quit;
//   cmp al,'a'; jb send; cmp al,'z'; ja send; sub al,0x20 / send: mov bl,al / wt: mov dx,0x3fd;
//   in al,dx; test al,0x20; jz wt; mov dx,0x3f8; mov al,bl; out dx,al; jmp loop / quit: mov al,0x2a; out 0xf4,al
const ECHO_CODE = [
  0x66, 0xBA, 0xFD, 0x03, 0xEC, 0xA8, 0x01, 0x74, 0xF7, 0x66, 0xBA, 0xF8, 0x03, 0xEC, 0x3C, 0x71, 0x74, 0x1E,
  0x3C, 0x61, 0x72, 0x06, 0x3C, 0x7A, 0x77, 0x02, 0x2C, 0x20, 0x88, 0xC3, 0x66, 0xBA, 0xFD, 0x03, 0xEC, 0xA8,
  0x20, 0x74, 0xF7, 0x66, 0xBA, 0xF8, 0x03, 0x88, 0xD8, 0xEE, 0xEB, 0xD0, 0xB0, 0x2A, 0xE6, 0xF4,
];

test('piped standard input goes to COM1: same output and instruction count on every run', () => {
  const elf = tempFile('echo.elf', multibootElf(ECHO_CODE));
  const runs = [1, 2].map(() => trapeze(['run', elf, '--stats'], 'hello, world\nq and the rest is never read'));
  for (const r of runs) {
    assert.equal(r.stdout, 'HELLO, WORLD\n');
    assert.equal(r.status, 85);
  }
  const insns = runs.map((r) => /instructions +([\d,]+)/.exec(r.stderr)?.[1]);
  const vtime = runs.map((r) => /virtual time +([\d.]+ s)/.exec(r.stderr)?.[1]);
  assert.ok(insns[0]);
  assert.equal(insns[1], insns[0]);
  assert.equal(vtime[1], vtime[0]);
});

test('a guest waiting for input after standard input ended exits with status 5', () => {
  // sti; hlt with IRQ 4 unmasked and no device event pending: out 0x43,0x30 stops the PIT first.
  //   mov al,0x30; out 0x43,al; mov al,0xef; out 0x21,al; sti; hlt
  const elf = tempFile('wait.elf', multibootElf([0xB0, 0x30, 0xE6, 0x43, 0xB0, 0xEF, 0xE6, 0x21, 0xFB, 0xF4]));
  const r = trapeze(['run', elf]);
  assert.equal(r.status, 5);
  assert.equal(r.stderr, 'trapeze: the guest waits for input and standard input has ended\n');
});

test('--trace prints each instruction with its address and disassembly', () => {
  const elf = tempFile('ok.elf', multibootElf(OK_CODE));
  const r = trapeze(['run', elf, '--trace', '3']);
  assert.equal(r.status, 0x21);
  const lines = r.stderr.split('\n');
  assert.match(lines[0], /^ +0  0008:00100060  be82001000 +mov esi, 0x100082$/);
  assert.match(lines[1], /^ +1  0008:00100065  8a1e +mov bl, \[esi\]$/);
  assert.match(lines[2], /^ +2  0008:00100067  84db +test bl, bl$/);
  assert.match(lines[3], /^trapeze: guest exited/);
});
