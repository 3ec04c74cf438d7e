// The virtual-time event queue every timer device runs on.
//
// Time is virtual: an integer number of nanoseconds supplied by the machine through the `clock`
// function given to the constructor (instructions retired at 1 ns each, plus the idle time skipped
// while the CPU is halted). Nothing here reads a host clock or uses host timers.
//
// API (for the machine that wires devices, src/platform/pc.ts):
//   const sched = new Scheduler(() => cpu.icount + idleNs);
//   const h = sched.schedule(atNs, (time) => { ... });   // absolute virtual time; returns a handle
//   sched.scheduleIn(delayNs, cb);                        // relative to now()
//   sched.cancel(h);                                      // true if it was still pending
//   sched.nextEventTime();                                // earliest pending time, Infinity if none
//   sched.runDue(nowNs);                                  // fire every event with time <= nowNs
//   sched.onEarlier = (t) => cpu.requestStop();           // a new event became the earliest one
//   sched.clear();                                        // drop all events (snapshot restore)
//
// The machine's run loop is expected to be: limit = min(slice, nextEventTime() - now) instructions,
// cpu.run(limit), runDue(now); on HLT, advance the idle time to nextEventTime() and runDue() again.
// `onEarlier` lets it cut a slice short when an I/O access schedules an event before the slice end.
//
// Ordering is deterministic: by time, then by insertion order (a sequence number). Callbacks may
// schedule and cancel events (also at times <= the runDue limit, which then fire in the same call).
//
// While a callback runs, now() returns that event's scheduled time (never less than any time a
// device has already been told), so a device computes its state exactly at the edge it scheduled.
//
// Scheduler implements DeviceTimer (device-timer.ts), the interface devices take, so device tests can
// drive them with either a Scheduler over a hand-set clock or ManualTimer.
//
// The helpers ticksAt()/tickTime() convert between virtual ns and the ticks of a device clock of an
// integer frequency (PIT 1193182 Hz, RTC 32768 Hz) exactly, in integer arithmetic: clock edge k lies
// at the real time k * 1e9 / hz ns, so there is no accumulated drift however long the machine runs.

import type { DeviceTimer } from './device-timer.ts';

export type EventCallback = (time: number) => void;
/** Opaque handle of a scheduled event (a positive integer, never reused). 0 is never a valid handle. */
export type EventHandle = number;

interface Ev {
  at: number;
  seq: number;
  cb: EventCallback;
  idx: number;
}

const NS_PER_S = 1_000_000_000;

/** floor(a / b) for non-negative integers a, b with a < 2^53, exact (corrects the float quotient). */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/**
 * The number of edges of a `hz` clock that have occurred at or before virtual time `ns`
 * (edge k at real time k/hz s; edge 0 at time 0). Exact for integer ns >= 0 and hz <= 9e6.
 */
export function ticksAt(ns: number, hz: number): number {
  ns = Math.floor(ns);
  if (ns <= 0) return 0;
  const q = Math.floor(ns / NS_PER_S);
  const r = ns - q * NS_PER_S;
  return q * hz + floorDiv(r * hz, NS_PER_S);
}

/** The first integer ns at which clock edge `tick` has occurred: ceil(tick * 1e9 / hz). Inverse of ticksAt. */
export function tickTime(tick: number, hz: number): number {
  if (tick <= 0) return 0;
  const q = Math.floor(tick / hz);
  const r = tick - q * hz;
  const x = r * NS_PER_S;
  const d = floorDiv(x, hz);
  return q * NS_PER_S + (d * hz === x ? d : d + 1);
}

export class Scheduler implements DeviceTimer {
  private readonly heap: Ev[] = [];
  private readonly live = new Map<EventHandle, Ev>();
  private seq = 0;
  /** Time of the event whose callback is running, or -1. */
  private firing = -1;
  /** Largest time reported by now() so far (keeps now() monotonic). */
  private highWater = 0;
  /** Called when schedule() makes an event the earliest pending one (its time as argument). */
  onEarlier: ((time: number) => void) | null = null;

  constructor(private readonly clock: () => number) {}

  /** Current virtual time in ns (the firing event's time while a callback runs). */
  now(): number {
    if (this.firing >= 0) return Math.max(this.firing, this.highWater);
    const t = this.clock();
    this.highWater = t; // follows the clock (which only moves backwards when a snapshot is restored)
    return t;
  }

  /** Drop every pending event (before restoring device snapshots, which reschedule their own). */
  clear(): void {
    for (const ev of this.heap) this.live.delete(ev.seq);
    this.heap.length = 0;
    this.highWater = this.clock();
  }

  /** Schedule `cb` at absolute virtual time `at` ns (times in the past fire at the next runDue). */
  schedule(at: number, cb: EventCallback): EventHandle {
    if (Number.isNaN(at)) throw new Error('Scheduler.schedule: time is NaN');
    if (at === Infinity) return 0;
    const ev: Ev = { at, seq: ++this.seq, cb, idx: this.heap.length };
    this.heap.push(ev);
    this.up(ev.idx);
    this.live.set(ev.seq, ev);
    if (this.heap[0] === ev && this.onEarlier) this.onEarlier(at);
    return ev.seq;
  }

  /** Schedule `cb` at now() + delay ns. */
  scheduleIn(delay: number, cb: EventCallback): EventHandle {
    return this.schedule(this.now() + delay, cb);
  }

  /** Cancel a pending event. Returns false if it already fired, was cancelled, or the handle is 0. */
  cancel(handle: EventHandle): boolean {
    const ev = this.live.get(handle);
    if (!ev) return false;
    this.live.delete(handle);
    this.removeAt(ev.idx);
    return true;
  }

  /** Is the event still pending? */
  pending(handle: EventHandle): boolean {
    return this.live.has(handle);
  }

  /** Time of the earliest pending event, Infinity when the queue is empty. */
  nextEventTime(): number {
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  /** Number of pending events. */
  get size(): number {
    return this.heap.length;
  }

  /** Fire, in order, every event due at or before `now` (default: the clock). Returns how many fired. */
  runDue(now: number = this.now()): number {
    let n = 0;
    while (this.heap.length && this.heap[0].at <= now) {
      const ev = this.heap[0];
      this.removeAt(0);
      this.live.delete(ev.seq);
      const outer = this.firing;
      this.firing = ev.at;
      try {
        ev.cb(Math.max(ev.at, this.highWater));
      } finally {
        if (ev.at > this.highWater) this.highWater = ev.at;
        this.firing = outer;
      }
      n++;
    }
    return n;
  }

  // ---- binary heap keyed by (at, seq) ----

  private less(a: Ev, b: Ev): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
    h[i].idx = i;
    h[j].idx = j;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const last = h.length - 1;
    if (i !== last) {
      this.swap(i, last);
      h.pop();
      this.down(i);
      this.up(i);
    } else {
      h.pop();
    }
  }
}
