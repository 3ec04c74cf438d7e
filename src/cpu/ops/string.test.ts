// String instructions beyond what user32 golden vectors can show: REP chunking and resumption, interrupts
// between chunks, single-step per iteration, INS/OUTS with a device at CPL 0 and through the I/O bitmap,
// 16-bit addressing with real memory below 64 KiB, segment-limit faults midway, MMIO destinations, and the
// page-run fast paths checked against the element-by-element path on random cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, IOMAP, TestMachine } from '../test-machine.ts';
import { setSegment } from '../segments.ts';
import { Sensitive } from '../intercept.ts';
import { CHUNK, setStringFastPaths } from './string.ts';
import { runCase, type OracleCase } from '../../harness/exec.ts';
import { DF, EAX, ECX, EDI, EDX, ES, ESI, ESP, GP, IF, TF } from '../regs.ts';

const u = (v: number) => v >>> 0;

test('REP STOSB longer than a chunk retires with EIP unchanged and resumes where it stopped', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x5A; m.cpu.r32[ECX] = 5000; m.cpu.r32[EDI] = 0x200000;
  m.mem.load(CODE, Uint8Array.of(0xF3, 0xAA, 0xF4));
  m.cpu.eip = CODE;
  assert.equal(m.step(1), null);
  assert.equal(m.cpu.eip, CODE, 'still at the REP instruction');
  assert.equal(m.cpu.r32[ECX], 5000 - CHUNK);
  assert.equal(m.cpu.r32[EDI], 0x200000 + CHUNK);
  assert.equal(m.mem.u8[0x200000 + CHUNK - 1], 0x5A);
  assert.equal(m.mem.u8[0x200000 + CHUNK], 0);
  assert.equal(m.resume(), null);
  assert.equal(m.cpu.r32[ECX], 0);
  assert.equal(m.cpu.r32[EDI], 0x200000 + 5000);
  assert.equal(m.cpu.eip, CODE + 3);
  assert.ok(m.mem.u8.subarray(0x200000, 0x200000 + 5000).every((b) => b === 0x5A));
  assert.equal(m.mem.u8[0x200000 + 5000], 0);
});

test('an external interrupt is taken between chunks, with the REP instruction as the return address', () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  cpu.hook = null;                                       // deliver events for real through the IDT
  // IDT (0x3000) vector 0x40: 32-bit interrupt gate to 0x11000, which stores ECX and halts.
  m.w32(0x3000 + 0x40 * 8, (0x08 << 16) | 0x1000);
  m.w32(0x3000 + 0x40 * 8 + 4, 0x00018E00);
  m.mem.load(0x11000, Uint8Array.of(0x89, 0x0D, 0x00, 0x00, 0x30, 0x00, 0xF4)); // mov [0x300000], ecx; hlt
  cpu.pic = { acknowledge: () => { cpu.setIntr(false); return 0x40; } };
  cpu.setEflags(IF, IF);
  cpu.r32[EAX] = 0x11; cpu.r32[ECX] = 3000; cpu.r32[EDI] = 0x200000;
  cpu.setIntr(true);
  m.mem.load(CODE, Uint8Array.of(0xF3, 0xAA, 0xF4));
  cpu.eip = CODE;
  assert.equal(m.resume(), null);
  assert.equal(cpu.eip, 0x11007, 'halted in the handler');
  assert.equal(m.r32(0x300000), 3000 - CHUNK, 'the handler saw the count after one chunk');
  // The frame: EIP = the REP instruction (it resumes there), CS, EFLAGS with IF.
  const esp = cpu.r32[ESP];
  assert.equal(m.r32(esp), CODE);
  assert.equal(m.r32(esp + 4), 0x08);
  assert.equal(m.r32(esp + 8) & IF, IF);
  // Return by hand (what IRET does) and let the instruction finish.
  cpu.r32[ESP] = esp + 12;
  cpu.eip = CODE;
  assert.equal(m.resume(), null);
  assert.equal(cpu.r32[ECX], 0);
  assert.equal(cpu.r32[EDI], 0x200000 + 3000);
  assert.equal(cpu.eip, CODE + 3);
  assert.ok(m.mem.u8.subarray(0x200000, 0x200000 + 3000).every((b) => b === 0x11));
});

test('TF: a REP instruction traps after every iteration with EIP at the instruction until the last', () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  cpu.r32[EAX] = 0x22; cpu.r32[ECX] = 3; cpu.r32[EDI] = 0x200000;
  cpu.setEflags(TF, TF);
  cpu.tfAtStart = true;
  cpu.tfChanged();
  m.mem.load(CODE, Uint8Array.of(0xF3, 0xAA, 0x90, 0xF4));
  cpu.eip = CODE;
  for (const [ecx, eip] of [[2, CODE], [1, CODE], [0, CODE + 2]]) {
    const ev = m.resume();
    assert.ok(ev);
    assert.equal(ev.vector, 1);
    assert.equal(ev.eip, eip);
    assert.equal(cpu.r32[ECX], ecx);
    assert.equal(cpu.r32[EDI], 0x200000 + 3 - ecx);
  }
});

test('REPE CMPSB under TF stops trapping per iteration once ZF ends the repetition', () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  m.mem.load(0x200000, Uint8Array.of(1, 2, 3, 4));
  m.mem.load(0x300000, Uint8Array.of(1, 2, 9, 4));
  cpu.r32[ESI] = 0x200000; cpu.r32[EDI] = 0x300000; cpu.r32[ECX] = 4;
  cpu.setEflags(TF, TF);
  cpu.tfAtStart = true;
  cpu.tfChanged();
  m.mem.load(CODE, Uint8Array.of(0xF3, 0xA6, 0x90, 0xF4));
  cpu.eip = CODE;
  const eips = [];
  for (let k = 0; k < 3; k++) eips.push(m.resume()!.eip);
  assert.deepEqual(eips, [CODE, CODE, CODE + 2]);
  assert.equal(cpu.r32[ECX], 1);
  assert.equal(cpu.getZF(), false);
});

class Port {
  reads = 0;
  readonly written: number[] = [];
  next = 0x41;
  in(_port: number, size: 1 | 2 | 4): number {
    this.reads++;
    const v = size === 1 ? this.next : size === 2 ? this.next | (this.next + 1) << 8 : (this.next * 0x01010101) | 0;
    this.next++;
    return v;
  }
  out(_port: number, _size: 1 | 2 | 4, v: number): void { this.written.push(v >>> 0); }
}

test('REP INSB/INSW/INSD at CPL 0 read the port once per element, up and down, and pass the intercept point', () => {
  for (const [op, pre, size] of [[0x6C, [], 1], [0x6D, [0x66], 2], [0x6D, [], 4]] as const) {
    for (const down of [false, true]) {
      const m = new TestMachine();
      const dev = new Port();
      m.io.register(0x1F0, 8, dev);
      const cpu = m.cpu;
      cpu.r32[EDX] = 0x1F0; cpu.r32[ECX] = 4; cpu.r32[EDI] = 0x200100;
      if (down) cpu.setEflags(DF, DF);
      m.mem.load(CODE, Uint8Array.of(...pre, 0xF3, op, 0xF4));
      cpu.eip = CODE;
      assert.equal(m.resume(), null);
      assert.equal(dev.reads, 4);
      assert.equal(cpu.r32[ECX], 0);
      assert.equal(cpu.r32[EDI], 0x200100 + (down ? -4 : 4) * size);
      for (let k = 0; k < 4; k++) {
        const at = 0x200100 + (down ? -k : k) * size;
        assert.equal(m.mem.u8[at], 0x41 + k, `element ${k} (size ${size}, ${down ? 'down' : 'up'})`);
      }
      assert.deepEqual(m.sensitives.filter((s) => s.kind === Sensitive.IoIn), [{ kind: Sensitive.IoIn, a: 0x1F0, b: size }]);
    }
  }
});

test('REP OUTSW writes each word from DS:ESI (segment override honoured) to the port', () => {
  const m = new TestMachine();
  const dev = new Port();
  m.io.register(0x3F8, 8, dev);
  const cpu = m.cpu;
  // ES with a different base: an override to ES must read through it.
  setSegment(cpu, ES, 0x10, 0x1000, 0xFFFFFFFF, 0xC093);
  m.mem.load(0x201000, Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06));
  cpu.r32[EDX] = 0x3F8; cpu.r32[ECX] = 3; cpu.r32[ESI] = 0x200000;
  m.mem.load(CODE, Uint8Array.of(0x26, 0x66, 0xF3, 0x6F, 0xF4));
  cpu.eip = CODE;
  assert.equal(m.resume(), null);
  assert.deepEqual(dev.written, [0x0201, 0x0403, 0x0605]);
  assert.equal(cpu.r32[ESI], 0x200006);
  assert.deepEqual(m.sensitives.filter((s) => s.kind === Sensitive.IoOut), [{ kind: Sensitive.IoOut, a: 0x3F8, b: 2 }]);
});

test('INS whose destination faults does not read the port (checks before the I/O cycle)', () => {
  const m = new TestMachine();
  const dev = new Port();
  m.io.register(0x60, 4, dev);
  const cpu = m.cpu;
  setSegment(cpu, ES, 0x10, 0, 0xFFF, 0x4093);          // ES limit 0xFFF
  cpu.r32[EDX] = 0x60; cpu.r32[ECX] = 5; cpu.r32[EDI] = 0xFFE;
  const ev = m.run('f36cf4');
  assert.ok(ev);
  assert.equal(ev.vector, GP);
  assert.equal(ev.error, 0);
  assert.equal(ev.eip, CODE);
  assert.equal(dev.reads, 2, 'two bytes fit below the limit; the third is not read from the port');
  assert.equal(cpu.r32[ECX], 3);
  assert.equal(cpu.r32[EDI], 0x1000);
  assert.equal(m.mem.u8[0xFFE], 0x41);
  assert.equal(m.mem.u8[0xFFF], 0x42);
});

test('INS/OUTS at CPL 3: #GP(0) without I/O permission even with a zero count; allowed by the TSS bitmap', () => {
  for (const code of ['6cf4', 'f36cf4', '6ff4', 'f36ef4']) {
    const m = new TestMachine({ cpl: 3 });
    m.cpu.r32[EDX] = 0x80; m.cpu.r32[ECX] = 0; m.cpu.r32[EDI] = 0x200000; m.cpu.r32[ESI] = 0x200000;
    const ev = m.run(code);
    assert.ok(ev, code);
    assert.equal(ev.vector, GP);
    assert.equal(ev.error, 0);
    assert.equal(m.sensitives.length, 0, 'the #GP comes before the intercept point');
  }
  // Bitmap bits for ports 0x80-0x83 clear: a dword INS is allowed at CPL 3 with IOPL 0.
  const m = new TestMachine({ cpl: 3 });
  const dev = new Port();
  m.io.register(0x80, 4, dev);
  m.mem.u8[IOMAP + 0x10] = 0xF0;
  m.cpu.r32[EDX] = 0x80; m.cpu.r32[ECX] = 2; m.cpu.r32[EDI] = 0x200000;
  const ev = m.run('f36df4');
  assert.ok(ev);                                         // the final HLT at CPL 3
  assert.equal(ev.vector, GP);
  assert.equal(ev.eip, CODE + 2);
  assert.equal(dev.reads, 2);
  assert.equal(u(m.r32(0x200004)), 0x42424242);
  // Port 0x84 is still denied.
  m.cpu.r32[EDX] = 0x82; m.cpu.r32[ECX] = 1;
  const ev2 = m.run('6df4');
  assert.ok(ev2);
  assert.equal(ev2.eip, CODE);
  assert.equal(dev.reads, 2);
});

test('67 prefix: SI/DI/CX with 16-bit wrap-around; the upper halves of ESI/EDI/ECX are kept', () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  m.mem.load(0xFFFE, Uint8Array.of(0xA1, 0xA2));
  m.mem.load(0x0000, Uint8Array.of(0xA3, 0xA4));
  cpu.r32[ESI] = 0x1234FFFE | 0; cpu.r32[EDI] = 0x56788000; cpu.r32[ECX] = 0xABCD0004 | 0;
  assert.equal(m.run('67f3a4f4'), null);
  assert.deepEqual([...m.mem.u8.subarray(0x8000, 0x8004)], [0xA1, 0xA2, 0xA3, 0xA4]);
  assert.equal(u(cpu.r32[ESI]), 0x12340002, 'SI wrapped from FFFF to 0000');
  assert.equal(u(cpu.r32[EDI]), 0x56788004);
  assert.equal(u(cpu.r32[ECX]), 0xABCD0000);
  // REP with CX = 0 does nothing even though ECX is not zero.
  cpu.r32[ECX] = 0x00010000;
  assert.equal(m.run('67f3aaf4'), null);
  assert.equal(u(cpu.r32[EDI]), 0x56788004);
  assert.equal(u(cpu.r32[ECX]), 0x00010000);
});

test('a segment-limit fault midway leaves the registers after the completed iterations (fast and exact paths)', () => {
  for (const fast of [true, false]) {
    setStringFastPaths(fast);
    try {
      const m = new TestMachine();
      const cpu = m.cpu;
      setSegment(cpu, ES, 0x10, 0, 0x200FFF, 0xC093 & ~0x8000); // byte-granular limit 0x200FFF
      cpu.r32[ESI] = 0x100000; cpu.r32[EDI] = 0x200FF0; cpu.r32[ECX] = 0x20;
      m.mem.u8.fill(0x77, 0x100000, 0x100040);
      const ev = m.run('f3a5f4');
      assert.ok(ev);
      assert.equal(ev.vector, GP);
      assert.equal(ev.error, 0);
      assert.equal(ev.eip, CODE);
      assert.equal(cpu.r32[ECX], 0x1C, `fast=${fast}`);
      assert.equal(cpu.r32[EDI], 0x201000);
      assert.equal(cpu.r32[ESI], 0x100010);
      assert.equal(m.r32(0x200FFC), 0x77777777);
      assert.equal(m.mem.u8[0x201000], 0);
    } finally {
      setStringFastPaths(true);
    }
  }
});

test('REP STOSW to an MMIO page goes through the device for every element', () => {
  const m = new TestMachine();
  const writes: [number, number, number][] = [];
  m.mem.mapMmio(0xA0000, 0x1000, { read: () => 0, write: (a, s, v) => { writes.push([a, s, v]); } });
  m.cpu.r32[EAX] = 0xBEEF; m.cpu.r32[ECX] = 3; m.cpu.r32[EDI] = 0xA0010;
  assert.equal(m.run('66f3abf4'), null);
  assert.deepEqual(writes, [[0xA0010, 2, 0xBEEF], [0xA0012, 2, 0xBEEF], [0xA0014, 2, 0xBEEF]]);
});

test('F3 90 (PAUSE) passes the intercept point; plain NOP does not', () => {
  const m = new TestMachine();
  assert.equal(m.run('90f390f4'), null);
  assert.deepEqual(m.sensitives.filter((s) => s.kind === Sensitive.Pause).length, 1);
});

test('page-run fast paths give exactly the element-by-element results (random REP cases, user32)', () => {
  const rnd = (() => { let s = 12345; return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8; })();
  const ops = [[0xA4, 1], [0xA5, 4], [0xA5, 2], [0xAA, 1], [0xAB, 4], [0xAB, 2], [0xA6, 1], [0xA7, 4], [0xA7, 2], [0xAE, 1], [0xAF, 4], [0xAF, 2]] as const;
  const places = [0x20000, 0x20FF0, 0x21FFE, 0x7FCF00, 0x7FCFF3, 0x10FF0];
  for (let k = 0; k < 300; k++) {
    const [op, size] = ops[rnd() % ops.length];
    const pre = size === 2 ? '66' : '';
    const rep = rnd() % 3 === 0 ? 'f2' : 'f3';
    const src = places[rnd() % places.length] + (rnd() % 64);
    // destinations: another place, or overlapping the source at a small distance
    const dst = rnd() % 3 === 0 ? src + (rnd() % 17) - 8 : places[rnd() % places.length] + (rnd() % 64);
    const cnt = [0, 1, 5, 100, 700, 1500, 2500][rnd() % 7];
    const back = rnd() % 2 === 1;
    const fill: string[] = [];
    for (let b = 0; b < 0x200; b++) fill.push((rnd() % 4 === 0 ? 0 : rnd() & 0xFF).toString(16).padStart(2, '0'));
    const c: OracleCase = {
      name: `rand-${k}`, mode: 'user32', code: rep + pre + op.toString(16) + 'f4',
      regs: { esi: src, edi: Math.max(dst, 0x10100), ecx: cnt, eax: rnd() % 2 ? 0 : rnd(), eflags: back ? DF : 0 },
      mem: [{ addr: 0x20000, hex: fill.join('') }, { addr: 0x7FCE00, hex: fill.join('') }, { addr: 0x21F00, hex: fill.join('') }],
      dump: [{ addr: 0x1F000, len: 0x4000 }, { addr: 0x7FB000, len: 0x2000 }],
    };
    setStringFastPaths(false);
    const slow = runCase(c);
    setStringFastPaths(true);
    const fast = runCase(c);
    assert.deepEqual(fast, slow, `case ${JSON.stringify(c.regs)} ${c.code}`);
  }
});

test('REP STOSD of 1 MiB takes one instruction step per chunk (fast path, exact result)', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x01020304; m.cpu.r32[ECX] = 1 << 18; m.cpu.r32[EDI] = 0x200000;
  m.mem.load(CODE, Uint8Array.of(0xF3, 0xAB, 0xF4));
  m.cpu.eip = CODE;
  const t0 = m.cpu.icount;
  assert.equal(m.resume(10000), null);
  assert.equal(m.cpu.icount - t0, (1 << 18) / CHUNK + 1, 'one step per chunk, then HLT');
  assert.equal(m.r32(0x200000 + (1 << 20) - 4), 0x01020304);
});
