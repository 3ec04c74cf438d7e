import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from './io-bus.ts';
import { Scheduler } from './scheduler.ts';
import { CmosRtc, civilFromUnix, type CmosRtcOptions } from './cmos-rtc.ts';

const MiB = 1024 * 1024;

function setup(opts: Partial<CmosRtcOptions> = {}) {
  const clock = { now: 0 };
  const sched = new Scheduler(() => clock.now);
  const io = new IoBus();
  const irq: { t: number; level: boolean }[] = [];
  const rtc = new CmosRtc(sched, (level) => irq.push({ t: sched.now(), level }), { ramSize: 128 * MiB, ...opts });
  rtc.register(io);
  const runTo = (ns: number) => {
    while (sched.nextEventTime() <= ns) {
      clock.now = sched.nextEventTime();
      sched.runDue(clock.now);
    }
    clock.now = ns;
  };
  const rd = (i: number) => (io.out8(0x70, i), io.in8(0x71));
  const wr = (i: number, v: number) => (io.out8(0x70, i), io.out8(0x71, v));
  const time = () => [4, 2, 0].map((i) => rd(i).toString(16).padStart(2, '0')).join(':');
  const date = () => [9, 8, 7, 6].map((i) => rd(i).toString(16).padStart(2, '0')).join('-');
  return { clock, sched, io, rtc, irq, runTo, rd, wr, time, date };
}

/** ceil(k * 1e9 / 32768): the ns at which RTC time-base tick k lies. */
const nsOfTick = (k: number) => Math.ceil((k * 1e9) / 32768);

test('power-on: 2026-01-01 00:00:00 Thursday in BCD 24-hour; A=0x26, B=0x02, C=0, D=0x80', () => {
  const { rd, time, date } = setup();
  assert.equal(time(), '00:00:00');
  assert.equal(date(), '26-01-01-05');
  assert.equal(rd(0x32), 0x20, 'century');
  assert.equal(rd(0x0A), 0x26);
  assert.equal(rd(0x0B), 0x02);
  assert.equal(rd(0x0C), 0x00);
  assert.equal(rd(0x0D), 0x80);
});

test('civilFromUnix matches known dates', () => {
  assert.deepEqual(civilFromUnix(0), { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, dow: 5 });
  assert.deepEqual(civilFromUnix(951782400), { year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0, dow: 3 });
  assert.deepEqual(civilFromUnix(1767225599), { year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 59, dow: 4 });
  assert.deepEqual(civilFromUnix(4107542400), { year: 2100, month: 3, day: 1, hour: 0, minute: 0, second: 0, dow: 2 });
});

test('the clock advances with virtual time: seconds change exactly on the second', () => {
  const { runTo, time, date } = setup();
  runTo(999_999_999);
  assert.equal(time(), '00:00:00');
  runTo(1_000_000_000);
  assert.equal(time(), '00:00:01');
  runTo(3599e9);
  assert.equal(time(), '00:59:59');
  runTo(3600e9);
  assert.equal(time(), '01:00:00');
  runTo(86400e9 + 61e9);
  assert.equal(time(), '00:01:01');
  assert.equal(date(), '26-01-02-06', 'Friday the 2nd');
});

test('UIP is set for the 244.140625 us (8 ticks) before each update', () => {
  const { runTo, rd } = setup();
  const uipStart = nsOfTick(32768 - 8);
  assert.equal(uipStart, 999_755_860);
  runTo(uipStart - 1);
  assert.equal(rd(0x0A), 0x26);
  assert.equal(rd(0), 0x00);
  runTo(uipStart);
  assert.equal(rd(0x0A), 0xA6);
  runTo(999_999_999);
  assert.equal(rd(0x0A), 0xA6);
  assert.equal(rd(0), 0x00, 'registers still hold the old second during UIP');
  runTo(1e9);
  assert.equal(rd(0x0A), 0x26);
  assert.equal(rd(0), 0x01);
  runTo(nsOfTick(2 * 32768 - 8));
  assert.equal(rd(0x0A) & 0x80, 0x80);
});

test('Linux-style read: wait for UIP clear, read registers 0-9 (Linux writes A=0x26, B=0x02)', () => {
  const { runTo, rd, wr, clock } = setup({ startTime: Date.UTC(2031, 6, 15, 12, 34, 56) / 1000 });
  wr(0x0A, 0x26);
  wr(0x0B, 0x02);
  runTo(nsOfTick(32768 - 4)); // inside UIP
  let polls = 0;
  while (rd(0x0A) & 0x80) {
    runTo(clock.now + 10_000);
    polls++;
  }
  assert.equal(polls, 13, '4 ticks = 122 us of UIP left, polled every 10 us');
  assert.deepEqual([0, 2, 4, 6, 7, 8, 9].map(rd), [0x57, 0x34, 0x12, 0x03, 0x15, 0x07, 0x31]);
});

test('update-ended interrupt on IRQ 8 every second while register C is read', () => {
  const { runTo, rd, wr, irq } = setup();
  wr(0x0B, 0x12); // UIE, 24h, BCD
  assert.equal(irq.length, 0);
  runTo(1e9);
  assert.deepEqual(irq, [{ t: 1e9, level: true }]);
  runTo(1.5e9);
  assert.equal(rd(0x0C), 0xD0, 'IRQF + UF, and PF: RS = 6 sets it every 976 us whatever PIE says');
  assert.deepEqual(irq.at(-1), { t: 1.5e9, level: false });
  assert.equal(rd(0x0C), 0x00, 'cleared by the read');
  runTo(2e9);
  assert.deepEqual(irq.at(-1), { t: 2e9, level: true });
  // not read: IRQ 8 stays asserted, UF stays set
  runTo(5e9);
  assert.equal(irq.length, 3);
  assert.equal(rd(0x0C), 0xD0);
});

test('UF/AF/PF are set without their enables (polling), IRQF only with them', () => {
  const { runTo, rd, wr, irq } = setup();
  wr(0x0A, 0x2F); // 2 Hz periodic
  runTo(1e9);
  assert.equal(rd(0x0C), 0x50, 'PF + UF (the alarm, 00:00:00, does not match 00:00:01)');
  assert.equal(rd(0x0C), 0x00);
  wr(1, 0x02);
  runTo(2e9);
  assert.equal(rd(0x0C), 0x70, 'PF + AF + UF, no IRQF');
  assert.equal(irq.length, 0);
});

test('periodic interrupt at 1024 Hz (RS=6): edges every 976.5625 us', () => {
  const { runTo, rd, wr, irq } = setup();
  wr(0x0B, 0x42); // PIE
  runTo(nsOfTick(32) - 1);
  assert.equal(irq.length, 0);
  runTo(nsOfTick(32));
  assert.deepEqual(irq, [{ t: 976_563, level: true }]);
  assert.equal(rd(0x0C), 0xC0);
  runTo(nsOfTick(64) + 5);
  assert.deepEqual(irq.slice(1), [{ t: 976_563, level: false }, { t: 1_953_125, level: true }]);
  // RS = 3: 8192 Hz (122.070 us); RS = 1: 256 Hz (3.90625 ms, same as RS = 8)
  rd(0x0C);
  wr(0x0A, 0x21);
  irq.length = 0;
  runTo(nsOfTick(128 * 2));
  assert.deepEqual(irq.map((e) => e.t), [nsOfTick(128)]);
  rd(0x0C);
  wr(0x0A, 0x23); // RS = 3: 8192 Hz
  irq.length = 0;
  runTo(nsOfTick(256 + 4));
  assert.deepEqual(irq.map((e) => e.t), [nsOfTick(260)]);
  rd(0x0C);
  wr(0x0A, 0x20); // RS = 0: no periodic interrupt
  irq.length = 0;
  runTo(1e9 - 1);
  assert.equal(irq.length, 0);
});

test('alarm interrupt, with "don\'t care" bytes', () => {
  const { runTo, rd, wr, irq } = setup();
  wr(1, 0x05); // 00:00:05
  wr(3, 0x00);
  wr(5, 0x00);
  wr(0x0B, 0x22); // AIE
  runTo(4.999e9);
  assert.equal(irq.length, 0);
  runTo(5e9);
  assert.deepEqual(irq, [{ t: 5e9, level: true }]);
  assert.equal(rd(0x0C), 0xF0, 'IRQF + PF + AF + UF');
  // every minute at second 30 (minutes and hours don't care)
  wr(1, 0x30);
  wr(3, 0xC0);
  wr(5, 0xFF);
  irq.length = 0;
  runTo(150e9);
  assert.deepEqual(irq.map((e) => e.t), [30e9], 'asserted until register C is read');
  rd(0x0C);
  runTo(211e9);
  assert.deepEqual(irq.map((e) => [e.t, e.level]), [[30e9, true], [150e9, false], [210e9, true]]);
});

test('SET halts updates, reads UIP 0 and clears UIE; time can be set, then resumes', () => {
  const { runTo, rd, wr, time, irq } = setup();
  wr(0x0B, 0x12); // UIE
  wr(0x0B, 0x82 | 0x10); // SET (+UIE, which SET clears)
  assert.equal(rd(0x0B), 0x82);
  runTo(nsOfTick(32768 - 2));
  assert.equal(rd(0x0A), 0x26, 'no UIP while SET');
  wr(0, 0x58);
  wr(2, 0x59);
  wr(4, 0x23);
  runTo(5e9);
  assert.equal(time(), '23:59:58', 'frozen');
  wr(0x0B, 0x02);
  runTo(5.999e9);
  assert.equal(time(), '23:59:58');
  runTo(6e9);
  assert.equal(time(), '23:59:59', 'the divider kept its phase');
  assert.equal(irq.length, 0);
});

test('binary mode and 12-hour mode; midnight, month, year and leap-day rollovers', () => {
  const { runTo, rd, wr, clock } = setup();
  wr(0x0B, 0x82); // SET
  wr(0x0B, 0x84); // SET + binary + 12-hour
  wr(0, 59); wr(2, 59); wr(4, 0x80 | 11); // 11:59:59 PM
  wr(6, 1); wr(7, 28); wr(8, 2); wr(9, 24); // Sunday 2024-02-28
  wr(0x0B, 0x04);
  runTo(clock.now + 1e9);
  assert.deepEqual([0, 2, 4, 6, 7, 8, 9].map(rd), [0, 0, 12, 2, 29, 2, 24], '12:00:00 AM Monday Feb 29 (leap)');
  // 12 AM -> 1 AM ... 11 AM -> 12 PM -> 1 PM
  wr(0x0B, 0x84);
  wr(0, 59); wr(2, 59); wr(4, 11);
  wr(0x0B, 0x04);
  runTo(clock.now + 1e9);
  assert.equal(rd(4), 0x80 | 12, '11:59:59 AM -> 12:00:00 PM');
  wr(0x0B, 0x84);
  wr(0, 59); wr(2, 59);
  wr(0x0B, 0x04);
  runTo(clock.now + 1e9);
  assert.equal(rd(4), 0x80 | 1, '12:59:59 PM -> 1:00:00 PM');
  // BCD 24h: 1999-12-31 23:59:59 Friday -> 2000-01-01 Saturday (year 00)
  wr(0x0B, 0x82);
  wr(0, 0x59); wr(2, 0x59); wr(4, 0x23); wr(6, 6); wr(7, 0x31); wr(8, 0x12); wr(9, 0x99);
  wr(0x0B, 0x02);
  runTo(clock.now + 1e9);
  assert.deepEqual([0, 2, 4, 6, 7, 8, 9].map(rd), [0, 0, 0, 7, 1, 1, 0]);
  // Feb 28 2023 (not leap) -> Mar 1; Apr 30 -> May 1
  wr(0x0B, 0x82);
  wr(0, 0x59); wr(2, 0x59); wr(4, 0x23); wr(7, 0x28); wr(8, 0x02); wr(9, 0x23);
  wr(0x0B, 0x02);
  runTo(clock.now + 1e9);
  assert.deepEqual([7, 8].map(rd), [0x01, 0x03]);
  wr(0x0B, 0x82);
  wr(0, 0x59); wr(2, 0x59); wr(4, 0x23); wr(7, 0x30); wr(8, 0x04);
  wr(0x0B, 0x02);
  runTo(clock.now + 1e9);
  assert.deepEqual([7, 8].map(rd), [0x01, 0x05]);
});

test('daylight saving (DSE): last Sunday in April skips 2 AM; last Sunday in October repeats 1 AM once', () => {
  const { runTo, rd, wr, clock } = setup();
  wr(0x0B, 0x83);
  wr(0, 0x59); wr(2, 0x59); wr(4, 0x01); wr(6, 1); wr(7, 0x26); wr(8, 0x04); wr(9, 0x26);
  wr(0x0B, 0x03);
  runTo(clock.now + 1e9);
  assert.equal(rd(4), 0x03);
  wr(0x0B, 0x83);
  wr(0, 0x59); wr(2, 0x59); wr(4, 0x01); wr(6, 1); wr(7, 0x25); wr(8, 0x10);
  wr(0x0B, 0x03);
  runTo(clock.now + 1e9);
  assert.deepEqual([4, 2, 0].map(rd), [0x01, 0x00, 0x00], 'back to 1:00:00');
  runTo(clock.now + 3600e9);
  assert.deepEqual([4, 2, 0].map(rd), [0x02, 0x00, 0x00], 'the second 1:59:59 goes on to 2:00:00');
});

test('divider reset stops the clock; leaving reset makes the first update 500 ms later', () => {
  const { runTo, rd, wr, clock } = setup();
  runTo(2.25e9);
  assert.equal(rd(0), 0x02);
  wr(0x0A, 0x76); // DV = 111: divider reset
  runTo(10e9);
  assert.equal(rd(0), 0x02);
  assert.equal(rd(0x0A), 0x76);
  wr(0x0A, 0x26);
  const t0 = clock.now;
  runTo(t0 + 499_999_999);
  assert.equal(rd(0), 0x02);
  runTo(t0 + 500_000_000);
  assert.equal(rd(0), 0x03);
  runTo(t0 + 1_500_000_000);
  assert.equal(rd(0), 0x04);
});

test('CMOS memory-size bytes, equipment byte, century and checksum', () => {
  const check = (rd: (i: number) => number) => {
    let sum = 0;
    for (let i = 0x10; i <= 0x2D; i++) sum += rd(i);
    assert.equal((rd(0x2E) << 8) | rd(0x2F), sum);
  };
  const a = setup({ ramSize: 128 * MiB });
  assert.deepEqual([0x15, 0x16].map(a.rd), [0x80, 0x02], '640 KiB base');
  assert.deepEqual([0x17, 0x18, 0x30, 0x31].map(a.rd), [0xFF, 0xFF, 0xFF, 0xFF], 'extended capped at 0xFFFF KiB');
  assert.deepEqual([0x34, 0x35].map(a.rd), [0x00, 0x07], '112 MiB above 16 MiB = 1792 x 64 KiB');
  assert.equal(a.rd(0x14), 0x02);
  assert.equal(a.rd(0x10), 0x00);
  check(a.rd);
  const b = setup({ ramSize: 8 * MiB, equipment: 0x06 });
  assert.deepEqual([0x17, 0x18, 0x30, 0x31].map(b.rd), [0x00, 0x1C, 0x00, 0x1C], '7168 KiB');
  assert.deepEqual([0x34, 0x35].map(b.rd), [0, 0]);
  assert.equal(b.rd(0x14), 0x06);
  check(b.rd);
  const c = setup({ ramSize: 64 * MiB });
  assert.deepEqual([0x17, 0x18].map(c.rd), [0x00, 0xFC], '64512 KiB');
  assert.deepEqual([0x34, 0x35].map(c.rd), [0x00, 0x03]);
  check(c.rd);
});

test('index port: bit 7 is the NMI mask, reads float; CMOS RAM is read/write, C and D read only', () => {
  const { io, rtc, rd, wr } = setup();
  io.out8(0x70, 0x8F);
  assert.equal(rtc.nmiDisabled, true);
  assert.equal(rtc.index, 0x0F);
  io.out8(0x71, 0x5A);
  assert.equal(rd(0x0F), 0x5A);
  assert.equal(rtc.nmiDisabled, false);
  assert.equal(io.in8(0x70), 0xFF);
  wr(0x0D, 0x00);
  assert.equal(rd(0x0D), 0x80);
  wr(0x0C, 0xF0);
  assert.equal(rd(0x0C), 0x00);
  wr(0x0A, 0xA6);
  assert.equal(rd(0x0A), 0x26, 'UIP is read only');
  wr(0x7F, 0x11);
  assert.equal(rd(0x7F), 0x11);
});

test('saveState / loadState round trip keeps time and pending interrupts', () => {
  const a = setup();
  a.wr(0x0B, 0x12);
  a.runTo(2.5e9);
  const snap = JSON.parse(JSON.stringify(a.rtc.saveState()));
  const b = setup();
  b.clock.now = a.clock.now;
  b.rtc.loadState(snap);
  assert.deepEqual(b.rtc.saveState(), a.rtc.saveState());
  assert.equal(b.time(), a.time());
  assert.equal(b.rd(0x0C), 0xD0);
  b.irq.length = 0;
  b.runTo(3e9);
  assert.deepEqual(b.irq, [{ t: 3e9, level: true }]);
});
