// i8042 keyboard controller and its PS/2 devices, driven the way BIOSes and Linux's i8042/atkbd/psmouse
// drivers do. Expected values: IBM PC/AT and PS/2 technical references (command set, status bits).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { I8042 } from './i8042.ts';
import { Port92 } from './port92.ts';

function setup() {
  const ev: string[] = [];
  const kbc = new I8042({
    onIrq1: (l) => ev.push(`irq1=${+l}`),
    onIrq12: (l) => ev.push(`irq12=${+l}`),
    onA20: (on) => ev.push(`a20=${+on}`),
    onReset: () => ev.push('reset'),
  });
  const status = () => kbc.in(0x64, 1);
  const cmd = (c: number) => kbc.out(0x64, 1, c);
  const data = (v: number) => kbc.out(0x60, 1, v);
  /** Read every byte the controller has, as a polling driver does. */
  const drain = () => {
    const got: number[] = [];
    while (status() & 1) got.push(kbc.in(0x60, 1));
    return got;
  };
  return { kbc, ev, status, cmd, data, drain };
}

test('status after power-on: empty buffers, system flag, not inhibited', () => {
  const { status, drain } = setup();
  assert.equal(status(), 0x14);
  assert.deepEqual(drain(), []);
});

test('self-test 0xAA answers 0x55, interface tests answer 0x00, A2 tracks the last port written', () => {
  const { status, cmd, drain, kbc, ev } = setup();
  cmd(0xAA);
  assert.equal(status(), 0x1D, 'OBF | SYS | A2 | INH');
  assert.equal(kbc.in(0x60, 1), 0x55);
  assert.equal(status(), 0x1C);
  cmd(0xAB);
  assert.deepEqual(drain(), [0x00]);
  cmd(0xA9);
  assert.deepEqual(drain(), [0x00]);
  assert.deepEqual(ev, ['irq1=1', 'irq1=0', 'irq1=1', 'irq1=0', 'irq1=1', 'irq1=0'], 'responses raise IRQ 1 (command byte bit 0)');
});

test('command byte read/write; keyboard and aux enable/disable commands edit it', () => {
  const { cmd, data, drain, status } = setup();
  cmd(0x20);
  assert.deepEqual(drain(), [0x45]);
  cmd(0x60);
  data(0x47);
  cmd(0x20);
  assert.deepEqual(drain(), [0x47]);
  cmd(0xAD);
  cmd(0xA7);
  cmd(0x20);
  assert.deepEqual(drain(), [0x77]);
  cmd(0xAE);
  cmd(0xA8);
  cmd(0x20);
  assert.deepEqual(drain(), [0x47]);
  cmd(0x60);
  data(0x41); // system flag cleared in the command byte
  assert.equal(status() & 0x04, 0);
  cmd(0x61); data(0x99); cmd(0x21);
  assert.deepEqual(drain(), [0x99], 'controller RAM byte 1');
});

test('output port: A20 through 0xD1 and 0xDD/0xDF, reset through bit 0', () => {
  const { cmd, data, drain, ev, kbc } = setup();
  cmd(0xD0);
  assert.deepEqual(drain(), [0xCF]);
  assert.equal(kbc.a20, true);
  cmd(0xD1);
  data(0xDD);
  assert.equal(kbc.a20, false);
  cmd(0xD0);
  assert.deepEqual(drain(), [0xCD], 'bit 4 (keyboard OBF) was 0 when the port was read');
  cmd(0xDF);
  assert.equal(kbc.a20, true);
  cmd(0xDD);
  assert.equal(kbc.a20, false);
  cmd(0xD1);
  data(0xDE); // A20 on, RESET asserted
  assert.deepEqual(ev.filter((e) => !e.startsWith('irq')), ['a20=0', 'a20=1', 'a20=0', 'a20=1', 'reset']);
});

test('pulse output line 0xFE resets the CPU; 0xFF pulses nothing', () => {
  const { cmd, ev } = setup();
  cmd(0xFF);
  assert.deepEqual(ev, []);
  cmd(0xFE);
  assert.deepEqual(ev, ['reset']);
});

test('output buffer full bit in the output port while a keyboard byte waits', () => {
  const { cmd, data, kbc } = setup();
  data(0xEE); // keyboard echo, now in the output buffer
  cmd(0xD0); // the port is sampled now; the answer waits for the buffer
  assert.equal(kbc.in(0x60, 1), 0xEE);
  assert.equal(kbc.in(0x60, 1), 0xDF, 'bit 4: keyboard output buffer full');
});

test('keyboard: reset answers ACK then BAT 0xAA; identify; LED and scan-set parameters', () => {
  const { data, drain, ev } = setup();
  data(0xFF);
  assert.deepEqual(drain(), [0xFA, 0xAA]);
  data(0xF2);
  assert.deepEqual(drain(), [0xFA, 0xAB, 0x41], 'translated identify');
  data(0xED);
  assert.deepEqual(drain(), [0xFA]);
  data(0x07);
  assert.deepEqual(drain(), [0xFA]);
  data(0xF0); data(0x00);
  assert.deepEqual(drain(), [0xFA, 0xFA, 0x02]);
  data(0xF5); data(0xF4); data(0xF6); data(0xF3); data(0x20);
  assert.deepEqual(drain(), [0xFA, 0xFA, 0xFA, 0xFA, 0xFA]);
  data(0xEE);
  assert.deepEqual(drain(), [0xEE]);
  data(0x12);
  assert.deepEqual(drain(), [0xFE], 'unknown command: resend');
  // Every byte raised IRQ 1 and reading it lowered it.
  assert.equal(ev.filter((e) => e === 'irq1=1').length, ev.filter((e) => e === 'irq1=0').length);
});

test('keyboard bytes wait while the keyboard clock is disabled; writing to the keyboard re-enables it', () => {
  const { cmd, data, drain, status } = setup();
  cmd(0xAD);
  data(0xF2); // re-enables the interface (as QEMU), so the answer arrives
  assert.deepEqual(drain(), [0xFA, 0xAB, 0x41]);
  cmd(0x60); data(0x05); // translation off, keyboard IRQ off
  data(0xF2);
  cmd(0xAD);
  assert.equal(status() & 1, 1, 'ACK already in the output buffer');
  assert.deepEqual(drain(), [0xFA]);
  cmd(0xAE);
  assert.deepEqual(drain(), [0xAB, 0x83], 'untranslated identify');
});

test('aux port: 0xD3 loopback raises IRQ 12 with AUXB; 0xD4 talks to the mouse', () => {
  const { cmd, data, drain, status, ev, kbc } = setup();
  cmd(0x60); data(0x47); // aux interrupt on
  ev.length = 0;
  cmd(0xD3);
  data(0x5A);
  assert.equal(status() & 0x21, 0x21);
  assert.deepEqual(ev, ['irq12=1']);
  assert.equal(kbc.in(0x60, 1), 0x5A);
  assert.deepEqual(ev, ['irq12=1', 'irq12=0']);
  cmd(0xD4); data(0xFF);
  assert.deepEqual(drain(), [0xFA, 0xAA, 0x00]);
  cmd(0xD4); data(0xF2);
  assert.deepEqual(drain(), [0xFA, 0x00]);
  cmd(0xD4); data(0xF3); cmd(0xD4); data(200);
  cmd(0xD4); data(0xE9);
  assert.deepEqual(drain(), [0xFA, 0xFA, 0xFA, 0x00, 0x02, 200]);
  cmd(0xD4); data(0xF4);
  cmd(0xD4); data(0xE9);
  assert.deepEqual(drain(), [0xFA, 0xFA, 0x20, 0x02, 200]);
  cmd(0xA7);
  cmd(0xD4); data(0xF2);
  assert.equal(status() & 1, 0, 'the mouse answer waits while the aux clock is disabled');
  cmd(0xA8);
  assert.deepEqual(drain(), [0xFA, 0x00]);
  cmd(0xA7);
  cmd(0xD3); data(0x11);
  assert.equal(status() & 1, 1, '0xD3 data is placed even with the aux clock disabled');
  assert.deepEqual(drain(), [0x11]);
});

test('port 0x92: fast A20 and fast reset on a 0-to-1 edge of bit 0', () => {
  const ev: string[] = [];
  const p = new Port92({ onA20: (on) => ev.push(`a20=${+on}`), onReset: () => ev.push('reset') });
  assert.equal(p.in(0x92, 1), 0x00);
  p.out(0x92, 1, 0x02);
  assert.equal(p.in(0x92, 1), 0x02);
  assert.equal(p.a20, true);
  p.out(0x92, 1, 0x03);
  p.out(0x92, 1, 0x03);
  p.out(0x92, 1, 0x00);
  assert.deepEqual(ev, ['a20=1', 'reset', 'a20=0']);
});

test('saveState/loadState: plain data; a restored controller continues where the original was', () => {
  const a = setup();
  a.cmd(0x60); a.data(0x07); // aux interrupt on, translation off
  a.cmd(0xD4); a.data(0xF3); // mouse waits for its sample-rate parameter
  a.data(0xF2); // keyboard identify: FA AB 83 queued behind the mouse's FA
  a.cmd(0xD1); a.data(0xCD); // A20 off
  const state = JSON.parse(JSON.stringify(a.kbc.saveState()));
  const b = setup();
  b.kbc.loadState(state);
  assert.equal(b.kbc.a20, false);
  assert.deepEqual(b.ev.slice(-1), ['a20=0']);
  for (const x of [a, b]) { x.cmd(0xD4); x.data(40); }
  assert.deepEqual(b.drain(), a.drain());
  for (const x of [a, b]) { x.cmd(0xD4); x.data(0xE9); x.cmd(0x20); }
  const got = a.drain();
  assert.deepEqual(b.drain(), got);
  // The controller's answer (command byte) overtakes the mouse bytes still waiting behind the first.
  assert.deepEqual(got, [0xFA, 0x07, 0x00, 0x02, 40], 'the mouse kept its state (sample rate 40)');
});

test('a multi-byte answer raises IRQ 1 once per byte: the line drops when the host reads and rises with the next byte', () => {
  // Linux's atkbd sends GETID (0xF2) and waits for ACK, 0xAB, 0x83 (translated: 0x41), one byte per
  // interrupt through an edge-triggered PIC: without a falling edge between bytes it would time out.
  const { ev, cmd, data, kbc } = setup();
  cmd(0x60); data(0x45); // command byte: keyboard interrupt on, translation on, aux disabled
  ev.length = 0;
  data(0xF2);
  assert.deepEqual(ev, ['irq1=1']);
  const got: number[] = [];
  for (let k = 0; k < 3; k++) got.push(kbc.in(0x60, 1));
  assert.deepEqual(got, [0xFA, 0xAB, 0x41]);
  assert.deepEqual(ev, ['irq1=1', 'irq1=0', 'irq1=1', 'irq1=0', 'irq1=1', 'irq1=0']);
});
