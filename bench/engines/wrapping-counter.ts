// v86's instruction counter is 32 bits and wraps (every ~2 s at its JIT's speed): read it at least once per
// wrap and accumulate the differences modulo 2^32.

export class WrappingCounter {
  private last = 0;
  private total = 0;
  constructor(private readonly read: () => number) {}

  /** Instructions since construction (the counter is taken to start at 0). */
  get(): number {
    const c = this.read() >>> 0;
    this.total += (c - this.last) >>> 0;
    this.last = c;
    return this.total;
  }
}
