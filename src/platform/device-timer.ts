// What a device needs from the machine's clock: the current virtual time and one-shot callbacks at
// absolute virtual times. The machine (pc.ts) adapts its event queue to this; device tests use a
// hand-driven fake. Time is in nanoseconds of guest time (1 instruction = 1 ns nominal).

export interface DeviceTimer {
  /** Current virtual time in ns. */
  now(): number;
  /** Call `fn` once at absolute virtual time `at` (ns). Returns a handle for cancel(). */
  schedule(at: number, fn: () => void): number;
  /** Forget a scheduled callback (no effect if it already ran or was cancelled). */
  cancel(handle: number): void;
}

/** A manual clock for device tests: advance(ns) runs every callback that falls due, in time order. */
export class ManualTimer implements DeviceTimer {
  time = 0;
  private seq = 0;
  private readonly events = new Map<number, { at: number; fn: () => void }>();

  now(): number { return this.time; }

  schedule(at: number, fn: () => void): number {
    const h = ++this.seq;
    this.events.set(h, { at, fn });
    return h;
  }

  cancel(handle: number): void { this.events.delete(handle); }

  /** Time of the earliest pending callback, or Infinity. */
  next(): number {
    let t = Infinity;
    for (const e of this.events.values()) if (e.at < t) t = e.at;
    return t;
  }

  /** Move time forward by `ns`, running due callbacks in (time, schedule order). */
  advance(ns: number): void {
    const end = this.time + ns;
    for (;;) {
      let best = -1, bestAt = Infinity;
      for (const [h, e] of this.events) if (e.at < bestAt || (e.at === bestAt && h < best)) { best = h; bestAt = e.at; }
      if (best < 0 || bestAt > end) break;
      const e = this.events.get(best)!;
      this.events.delete(best);
      if (bestAt > this.time) this.time = bestAt;
      e.fn();
    }
    this.time = end;
  }

  get pending(): number { return this.events.size; }
}
