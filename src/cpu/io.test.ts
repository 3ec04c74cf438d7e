// IN/OUT (SDM vol. 2) and I/O protection (SDM vol. 1 §18.5: IOPL, and the TSS I/O permission bitmap
// checked when CPL > IOPL or in virtual-8086 mode, two bytes read for every access).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, IOMAP, TSS, TestMachine } from './test-machine.ts';
import type { PortDevice } from '../platform/io-bus.ts';
import { Sensitive } from './intercept.ts';
import { EAX, EDX, GP, IOPL, VM } from './regs.ts';
import { loadSegmentReal } from './segments.ts';

const u = (v: number) => v >>> 0;

class Recorder implements PortDevice {
  readonly log: string[] = [];
  constructor(private readonly value: number) {}
  in(port: number, size: 1 | 2 | 4): number {
    this.log.push(`in ${port.toString(16)}/${size}`);
    return this.value;
  }
  out(port: number, size: 1 | 2 | 4, v: number): void {
    this.log.push(`out ${port.toString(16)}/${size}=${u(v).toString(16)}`);
  }
}

function allow(m: TestMachine, port: number, size = 1): void {
  for (let p = port; p < port + size; p++) m.mem.u8[IOMAP + (p >> 3)] &= ~(1 << (p & 7));
}

test('IN/OUT at CPL 0 in all widths, immediate and DX forms', () => {
  const m = new TestMachine();
  const dev = new Recorder(0x89ABCDEF | 0);
  m.io.register(0x60, 8, dev);
  m.io.register(0x3F8, 8, dev);
  m.cpu.r32[EAX] = 0x11223344;
  m.cpu.r32[EDX] = 0x55AA03F8;
  // in al,60h; in ax,60h; in eax,60h; out 61h,al; out 62h,ax; out 64h,eax
  assert.equal(m.run('e460' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0x112233EF);
  assert.equal(m.run('66e560' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0x1122CDEF);
  assert.equal(m.run('e560' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0x89ABCDEF);
  m.cpu.r32[EAX] = 0x11223344;
  assert.equal(m.run('e661' + '66e762' + 'e764' + 'f4'), null);
  // DX forms (port = DX, not EDX)
  assert.equal(m.run('ec' + '66ed' + 'ed' + 'ee' + '66ef' + 'ef' + 'f4'), null);
  assert.deepEqual(dev.log, [
    'in 60/1', 'in 60/2', 'in 60/4', 'out 61/1=44', 'out 62/2=3344', 'out 64/4=11223344',
    'in 3f8/1', 'in 3f8/2', 'in 3f8/4', 'out 3f8/1=ef', 'out 3f8/2=cdef', 'out 3f8/4=89abcdef',
  ]);
});

test('unclaimed ports read all ones', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0;
  m.cpu.r32[EDX] = 0x1234;
  assert.equal(m.run('ec' + 'f4'), null);
  assert.equal(m.cpu.r32[EAX], 0xFF);
  assert.equal(m.run('ed' + 'f4'), null);
  assert.equal(m.cpu.r32[EAX], -1);
});

test('CPL 3 > IOPL: the I/O bitmap decides, every byte of the access must be allowed', () => {
  const m = new TestMachine({ cpl: 3 });
  const dev = new Recorder(0x5A);
  m.io.register(0x60, 8, dev);
  m.cpu.r32[EAX] = 0;
  const ev = m.run('e460f4');
  assert.deepEqual([ev?.vector, ev?.error, ev?.eip], [GP, 0, CODE]);
  assert.equal(m.cpu.r32[EAX], 0, 'no change on #GP');
  allow(m, 0x60);
  assert.equal(m.run('e460f4')?.eip, CODE + 2, 'allowed: runs, then the HLT faults');
  assert.equal(m.cpu.r32[EAX], 0x5A);
  // IN AX,60h touches 60h and 61h: 61h is still denied.
  assert.equal(m.run('66e560f4')?.eip, CODE);
  allow(m, 0x61);
  assert.equal(m.run('66e560f4')?.eip, CODE + 3);
  // 32-bit: 60h-63h.
  assert.equal(m.run('e560f4')?.eip, CODE);
  allow(m, 0x62, 2);
  assert.equal(m.run('e560f4')?.eip, CODE + 2);
  assert.deepEqual(dev.log, ['in 60/1', 'in 60/2', 'in 60/4']);
});

test('an access spanning two bitmap bytes checks both (port 3FFh, 2 bytes: bits in bytes 7Fh and 80h)', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.r32[EDX] = 0x3FF;
  allow(m, 0x3FF);
  assert.equal(m.run('66edf4')?.eip, CODE, '400h still denied');
  allow(m, 0x400);
  assert.equal(m.run('66edf4')?.eip, CODE + 2);
  assert.equal(m.cpu.r32[EAX] & 0xFFFF, 0xFFFF);
});

test('CPL <= IOPL: no bitmap check at all', () => {
  const m = new TestMachine({ cpl: 3, iopl: 3 });
  const dev = new Recorder(7);
  m.io.register(0x70, 2, dev);
  m.cpu.r32[EAX] = 0x42;
  assert.equal(m.run('e670' + 'e471' + 'f4')?.eip, CODE + 4);
  assert.deepEqual(dev.log, ['out 70/1=42', 'in 71/1']);
});

test('bitmap outside the TSS limit, or a 16-bit TSS: #GP(0)', () => {
  const m = new TestMachine({ cpl: 3 });
  allow(m, 0x60);
  assert.equal(m.run('e460f4')?.eip, CODE + 2);
  // Map base beyond the limit: no bitmap, every port denied.
  m.w16(TSS + 0x66, 0x3000);
  assert.equal(m.run('e460f4')?.eip, CODE);
  // The second byte read must be inside the limit too.
  m.w16(TSS + 0x66, 0x68);
  m.cpu.trLimit = 0x68 + (0x60 >> 3);
  assert.equal(m.run('e460f4')?.eip, CODE);
  m.cpu.trLimit = 0x68 + (0x60 >> 3) + 1;
  assert.equal(m.run('e460f4')?.eip, CODE + 2);
  // A 16-bit TSS has no bitmap.
  m.cpu.trAR = 0x83;
  assert.equal(m.run('e460f4')?.eip, CODE);
});

test('virtual-8086 mode checks the bitmap even with IOPL 3', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.setEflags(VM | 0x3000, VM | IOPL);
  for (let s = 0; s < 6; s++) loadSegmentReal(m.cpu, s, 0x1000);
  m.cpu.modeChanged();
  m.mem.load(0x10000, new Uint8Array([0xE4, 0x60]));
  m.cpu.eip = 0;
  assert.equal(m.step(1)?.vector, GP);
  allow(m, 0x60);
  m.cpu.eip = 0;
  assert.equal(m.step(1), null);
  assert.equal(m.cpu.eip, 2);
});

test('real mode: no I/O protection', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.cr0 = 0x10;
  m.cpu.cpl = 0;
  m.cpu.modeChanged();
  m.cpu.r32[EAX] = 0;
  assert.equal(m.run('e460f4'), null);
  assert.equal(m.cpu.r32[EAX], 0xFF);
});

test('IoIn/IoOut intercepts carry port and size, after the permission check, before the device', () => {
  const m = new TestMachine();
  const dev = new Recorder(1);
  m.io.register(0x80, 4, dev);
  m.onSensitive = () => assert.equal(dev.log.length, m.sensitives.length - 1);
  m.cpu.r32[EDX] = 0x80;
  assert.equal(m.run('66ef' + 'e481' + 'f4'), null);
  assert.deepEqual(m.sensitives.map((s) => [s.kind, s.a, s.b]), [[Sensitive.IoOut, 0x80, 2], [Sensitive.IoIn, 0x81, 1], [Sensitive.Hlt, 0, 0]]);
  const u3 = new TestMachine({ cpl: 3 });
  assert.equal(u3.run('e480f4')?.vector, GP);
  assert.deepEqual(u3.sensitives, []);
});
