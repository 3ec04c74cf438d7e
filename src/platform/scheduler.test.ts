import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, ticksAt, tickTime } from './scheduler.ts';

function mk(): { s: Scheduler; t: { now: number } } {
  const t = { now: 0 };
  return { s: new Scheduler(() => t.now), t };
}

test('events fire in time order, ties in insertion order', () => {
  const { s } = mk();
  const log: string[] = [];
  s.schedule(30, () => log.push('c30'));
  s.schedule(10, () => log.push('a10'));
  s.schedule(20, () => log.push('b20'));
  s.schedule(10, () => log.push('a10-second'));
  s.schedule(20, () => log.push('b20-second'));
  assert.equal(s.nextEventTime(), 10);
  assert.equal(s.runDue(19), 2);
  assert.deepEqual(log, ['a10', 'a10-second']);
  assert.equal(s.nextEventTime(), 20);
  s.runDue(100);
  assert.deepEqual(log, ['a10', 'a10-second', 'b20', 'b20-second', 'c30']);
  assert.equal(s.nextEventTime(), Infinity);
  assert.equal(s.size, 0);
});

test('cancel removes an event; handles are never reused', () => {
  const { s } = mk();
  const log: number[] = [];
  const a = s.schedule(5, () => log.push(5));
  const b = s.schedule(6, () => log.push(6));
  const c = s.schedule(7, () => log.push(7));
  assert.notEqual(a, b);
  assert.equal(s.cancel(b), true);
  assert.equal(s.cancel(b), false);
  assert.equal(s.pending(a), true);
  assert.equal(s.pending(b), false);
  s.runDue(10);
  assert.deepEqual(log, [5, 7]);
  assert.equal(s.cancel(c), false, 'already fired');
  assert.equal(s.cancel(0), false);
  assert.equal(s.schedule(Infinity, () => {}), 0, 'an event at Infinity is never scheduled');
});

test('callbacks see their own time as now() and may schedule further due events', () => {
  const { s, t } = mk();
  t.now = 1000;
  const seen: number[] = [];
  s.schedule(100, (time) => {
    seen.push(time, s.now());
    s.schedule(150, () => seen.push(s.now()));
    s.schedule(2000, () => seen.push(-1));
  });
  s.runDue(1000);
  assert.deepEqual(seen, [100, 100, 150]);
  assert.equal(s.now(), 1000, 'outside callbacks now() is the clock');
  assert.equal(s.nextEventTime(), 2000);
});

test('now() never goes backwards once a device has seen a later time', () => {
  const { s, t } = mk();
  s.schedule(100, () => {});
  t.now = 300;
  assert.equal(s.now(), 300);
  let seen = 0;
  s.schedule(200, () => (seen = s.now()));
  s.runDue(300);
  assert.equal(seen, 300);
});

test('onEarlier reports a new earliest event', () => {
  const { s } = mk();
  const reported: number[] = [];
  s.onEarlier = (x) => reported.push(x);
  s.schedule(50, () => {});
  s.schedule(70, () => {});
  s.schedule(40, () => {});
  assert.deepEqual(reported, [50, 40]);
});

test('heap stays ordered under many random inserts and cancels (deterministic)', () => {
  const { s } = mk();
  let x = 12345;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % 100000;
  const fired: number[] = [];
  const handles: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const at = rnd();
    handles.push(s.schedule(at, () => fired.push(at)));
  }
  let cancelled = 0;
  for (let i = 0; i < handles.length; i += 3) if (s.cancel(handles[i])) cancelled++;
  s.runDue(1e9);
  assert.equal(fired.length, 5000 - cancelled);
  for (let i = 1; i < fired.length; i++) assert.ok(fired[i - 1] <= fired[i]);
});

test('ticksAt / tickTime are exact inverses at the PIT and RTC rates', () => {
  for (const hz of [1193182, 32768]) {
    assert.equal(ticksAt(0, hz), 0);
    assert.equal(ticksAt(1e9, hz), hz);
    assert.equal(ticksAt(1e9 - 1, hz), hz - 1);
    // 1 day and ~100 days of virtual time: no drift
    assert.equal(ticksAt(86400e9, hz), 86400 * hz);
    assert.equal(ticksAt(8640000e9, hz), 8640000 * hz);
    for (const k of [1, 2, 3, 4773, 65536, 1193181, 1193183, 123456789, 1e10 + 7]) {
      const t = tickTime(k, hz);
      assert.equal(ticksAt(t, hz), k, `tick ${k} at ${t}`);
      assert.equal(ticksAt(t - 1, hz), k - 1, `just before tick ${k}`);
    }
  }
  // PIT: tick 1 at 838.0965 ns -> 839; tick 4773 at 4000227.96 ns -> 4000228
  assert.equal(tickTime(1, 1193182), 839);
  assert.equal(tickTime(4773, 1193182), 4000228);
  // RTC: 8 ticks of 32768 Hz = 244140.625 ns -> 244141
  assert.equal(tickTime(8, 32768), 244141);
});

test('clear() drops every event; now() follows a clock moved backwards (snapshot restore)', () => {
  const { s, t } = mk();
  let fired = 0;
  s.schedule(10, () => fired++);
  s.schedule(20, () => fired++);
  t.now = 500;
  assert.equal(s.now(), 500);
  t.now = 100;
  s.clear();
  assert.equal(s.size, 0);
  assert.equal(s.nextEventTime(), Infinity);
  assert.equal(s.now(), 100);
  s.schedule(150, () => fired += s.now());
  s.runDue(1000);
  assert.equal(fired, 150);
});
