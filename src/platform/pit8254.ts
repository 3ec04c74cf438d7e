// The Intel 8254 Programmable Interval Timer at ports 0x40-0x43, clocked at 1.193182 MHz.
//
// Wiring (for src/platform/pc.ts):
//   const pit = new Pit8254(timer, (level) => pic.setIrq(0, level));  // counter 0 OUT -> IRQ 0
//   pit.register(io);                       // 0x40-0x42 counters, 0x43 control word (write only)
//   port 0x61 (port61.ts) drives pit.setGate(2, ...) and reads pit.outLevel(2)
// Gates 0 and 1 are tied high, gate 2 starts low. `timer` is the machine's Scheduler (DeviceTimer):
// its now() must work when the PIT is constructed. A new Pit8254 is in the state a PC BIOS leaves
// (counter 0: mode 3, count 65536 = 18.2 Hz; counter 1: mode 2, count 18 = the 15.085 us DRAM refresh
// request; counter 2: mode 3, count 65536, gate low). saveState()/loadState() return and take plain data.
//
// Time. Counters never tick per instruction. The PIT clock has had ticksAt(now, 1193182) edges at
// virtual time `now` (exact integer arithmetic, scheduler.ts), and every counter value and OUT level
// is computed on demand from the tick number and the counter's last (re)load. Only a counter with an
// OUT listener (counter 0) schedules events, one at each OUT transition (and at a pending reload).
// An edge at tick k is signalled at tickTime(k) = ceil(k * 1e9 / 1193182) ns, so e.g. mode 2 with count
// 0x12A5 (4773) gives IRQ 0 rising edges exactly 4773 ticks apart: 4000227 or 4000228 ns apart, with
// no drift (edge m is at ceil((L + 4773 m) * 1e9 / 1193182) ns for the load tick L).
//
// Rules (Intel 8254 datasheet, order no. 231164):
// - Control word (0x43): SC1 SC0 RW1 RW0 M2 M1 M0 BCD. RW=00 is the Counter Latch command; SC=11 is
//   the Read-Back command (D5 COUNT=0 latches the count, D4 STATUS=0 latches the status, D3-D1 select
//   counters 2, 1, 0). A mode control word resets the counter's control logic: OUT takes the mode's
//   initial level at once (low in mode 0, high in modes 1-5), the null-count bit is set, latches and
//   the read/write byte flip-flops are reset, and the counter waits for a new count.
// - Counts: RW=01 LSB only, 10 MSB only, 11 LSB then MSB (separate flip-flops for reads and writes,
//   so reads and writes may interleave). 0 means 65536 (10000 in BCD). The count register (CR) moves to
//   the counting element (CE) on the next CLK after the count is written (modes 0, 2, 3, 4 on first
//   programming), on the CLK after a gate trigger (modes 1, 5, and 2, 3 reloads), or - modes 2, 3 while
//   counting - at the end of the current period / half-period. Null count = 1 from the write of the
//   count (of its second byte in LSB-then-MSB mode) until that transfer.
// - Reads return the latched count if a latch is pending (held until read completely; a second latch
//   command before that is ignored), else the live CE. A latched status is returned first. Status byte:
//   OUT, NULL COUNT, RW1 RW0 M2 M1 M0 BCD as programmed.
// - Mode 0 (interrupt on terminal count): OUT low; goes high when CE reaches 0, N+1 CLKs after the
//   write; stays high; CE keeps counting (wraps). Gate low suspends counting. Writing the first byte of
//   a two-byte count disables counting and sets OUT low at once; the new count loads on the next CLK.
// - Mode 1 (hardware retriggerable one-shot): a gate rising edge loads CE on the next CLK and OUT goes
//   low then; OUT goes high N CLKs later. The gate level does not stop counting.
// - Mode 2 (rate generator): period N: OUT is low for the one CLK during which CE is 1, then CE reloads.
//   Gate low stops counting and forces OUT high; a gate rising edge reloads on the next CLK. Count 1 is
//   illegal; it is modelled as OUT staying high.
// - Mode 3 (square wave): even N: OUT high N/2 CLKs, low N/2, CE decrements by 2 from N. Odd N: high
//   (N+1)/2, low (N-1)/2, CE decrements by 2 from N-1 (in the high half it reaches 0 one CLK before
//   OUT falls). Gate as in mode 2. A new count takes effect at the end of the current half-period.
// - Mode 4 (software triggered strobe): OUT high; low for one CLK when CE reaches 0 (N+1 CLKs after the
//   write), then high. Gate low suspends counting. A new count loads on the next CLK.
// - Mode 5 (hardware triggered strobe): as mode 4 but counting starts on a gate rising edge (CE loads on
//   the next CLK); retriggerable; the gate level does not stop counting.
// - BCD counting: values 0-9999 (count 0 = 10000); invalid BCD digits are taken at face value mod 10000.
// - The CE before its first load after a control word holds its previous value, frozen. A gate change
//   takes effect from the next CLK.

import type { IoBus, PortDevice } from './io-bus.ts';
import { splitIn, splitOut } from './io-bus.ts';
import type { DeviceTimer } from './device-timer.ts';
import { ticksAt, tickTime } from './scheduler.ts';

/** The PIT input clock in Hz (the PC's 14.31818 MHz crystal divided by 12). */
export const PIT_HZ = 1193182;

export interface PitCounterState {
  mode: number; rw: number; bcd: boolean; ctrl: number;
  cr: number; crLsb: number; writeMsb: boolean; crValid: boolean; nullCount: boolean;
  readMsb: boolean; latched: number; status: number;
  gate: boolean; loaded: boolean; counting: boolean;
  base: number; baseCE: number; armed: boolean; out0: boolean; period: number; phase0: number; lowAt: number;
  loadTick: number | null; loadLow: boolean; loadAtEnd: boolean;
  lastOut: boolean; outTick: number;
}

export interface PitState {
  counters: PitCounterState[];
}

function fromBcd(v: number): number {
  return ((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
}

function toBcd(v: number): number {
  return (Math.floor(v / 1000) % 10) << 12 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 10) % 10) << 4 | v % 10;
}

/** a mod n, non-negative. */
function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

/** One counter. Times are PIT clock ticks. */
class Counter {
  // programming
  mode = 0;
  rw = 3;
  bcd = false;
  /** Bits 5-0 of the last control word (RW1 RW0 M2 M1 M0 BCD), for the status byte. */
  ctrl = 0x30;
  /** Count register as written (raw 16 bits). */
  cr = 0;
  crLsb = 0;
  writeMsb = false;
  crValid = false;
  nullCount = true;
  // reading
  readMsb = false;
  latched = -1;
  status = -1;
  // counting element: a segment starting at tick `base`
  gate = true;
  loaded = false;
  counting = false;
  base = 0;
  /** CE value at `base` (0..M-1; 0 stands for M right after loading 0); the frozen value if not counting. */
  baseCE = 0;
  /** Modes 0/1/4/5: the terminal count of this load is still ahead (or on this very tick). */
  armed = false;
  /** Modes 0/1/4/5: OUT while armed and before the terminal count (mode 0/1), or when idle. */
  out0 = true;
  /** Modes 2/3: the period N (1..M) loaded last, and the phase (0..N-1) at `base`. */
  period = 1;
  phase0 = 0;
  /** Modes 4/5: a strobe cut short by freezing still holds OUT low for this one tick (-1: none). */
  lowAt = -1;
  /** Tick of the pending CR -> CE transfer (Infinity if none); modes 2/3: start in the low half. */
  loadTick = Infinity;
  loadLow = false;
  /** Modes 2/3: the pending load is a new count waiting for the end of the (half-)period. */
  loadAtEnd = false;
  // OUT listener (counter 0) and its event
  onOut: ((level: boolean) => void) | null = null;
  lastOut = true;
  /** OUT transitions up to this tick have been signalled. */
  outTick = 0;
  handle = 0;
  scheduledTick = Infinity;

  get modulus(): number {
    return this.bcd ? 10000 : 0x10000;
  }

  /** The count N (1..M) in the count register. */
  countValue(): number {
    const v = this.bcd ? fromBcd(this.cr) % 10000 : this.cr;
    return v === 0 ? this.modulus : v;
  }

  private dist(ce: number): number {
    return ce === 0 ? this.modulus : ce;
  }

  private highLen(n: number): number {
    return (n + 1) >> 1;
  }

  private phaseAt(t: number): number {
    return (this.phase0 + (t - this.base)) % this.period;
  }

  private ceOfPhase(p: number): number {
    const n = this.period;
    if (this.mode === 2) return (n - p) % this.modulus;
    const hi = this.highLen(n);
    const q = p < hi ? p : p - hi;
    return n & 1 ? n - 1 - 2 * q : (n - 2 * q) % this.modulus;
  }

  /** Apply a pending CR -> CE transfer due at or before tick t. */
  sync(t: number): void {
    if (this.loadTick <= t) this.load(this.loadTick, this.loadLow);
  }

  /** CE value at tick t (t >= base, pending loads applied). */
  ceAt(t: number): number {
    if (!this.counting) return this.baseCE;
    if (this.mode === 2 || this.mode === 3) return this.ceOfPhase(this.phaseAt(t));
    return mod(this.baseCE - (t - this.base), this.modulus);
  }

  /** OUT level at tick t (t >= base, pending loads applied). */
  outAt(t: number): boolean {
    switch (this.mode) {
      case 0: case 1:
        return this.armed && this.counting && t - this.base >= this.dist(this.baseCE) ? true : this.out0;
      case 4: case 5: {
        if (t === this.lowAt) return false;
        if (!this.armed || !this.counting) return this.out0;
        const e = t - this.base, d = this.dist(this.baseCE);
        return e === d ? false : e > d ? true : this.out0;
      }
      case 2:
        return !this.counting || this.period === 1 || this.phaseAt(t) !== this.period - 1;
      default:
        return !this.counting || this.phaseAt(t) < this.highLen(this.period);
    }
  }

  /** Smallest tick > t at which OUT changes or a load happens (t >= base), Infinity if none. */
  nextTransition(t: number): number {
    let j = t === this.lowAt ? t + 1 : Infinity;
    if (this.counting) {
      const e = t - this.base;
      switch (this.mode) {
        case 0: case 1: {
          const d = this.dist(this.baseCE);
          if (this.armed && e < d) j = this.base + d;
          break;
        }
        case 4: case 5: {
          const d = this.dist(this.baseCE);
          if (this.armed && e < d) j = this.base + d;
          else if (this.armed && e === d) j = this.base + d + 1;
          break;
        }
        case 2: {
          const n = this.period;
          if (n > 1) {
            const p = this.phaseAt(t);
            j = t + Math.min(mod(n - 1 - p, n) || n, mod(n - p, n) || n);
          }
          break;
        }
        default: {
          const n = this.period;
          if (n > 1) {
            const p = this.phaseAt(t);
            j = t + Math.min(mod(n - p, n) || n, mod(this.highLen(n) - p, n) || n);
          }
        }
      }
    }
    return this.loadTick > t && this.loadTick < j ? this.loadTick : j;
  }

  /** CR -> CE transfer at tick l. */
  load(l: number, low: boolean): void {
    const n = this.countValue();
    this.loadTick = Infinity;
    this.nullCount = false;
    this.loaded = true;
    this.lowAt = -1;
    this.base = l;
    switch (this.mode) {
      case 0: case 4:
        this.baseCE = n % this.modulus;
        this.armed = true;
        this.out0 = this.mode === 4;
        this.counting = this.gate;
        break;
      case 1: case 5:
        this.baseCE = n % this.modulus;
        this.armed = true;
        this.out0 = this.mode === 5;
        this.counting = true;
        break;
      default:
        this.period = n;
        this.phase0 = low ? this.highLen(n) : 0;
        this.baseCE = this.ceOfPhase(this.phase0);
        this.counting = this.gate;
    }
  }

  /** Stop counting at tick t, keeping CE (and OUT, except as the mode's gate rule says). */
  freeze(t: number): void {
    if (!this.counting) return;
    const ce = this.ceAt(t);
    if ((this.mode <= 1 || this.mode >= 4) && this.armed && t - this.base >= this.dist(this.baseCE)) {
      if (this.mode >= 4 && t - this.base === this.dist(this.baseCE)) this.lowAt = t; // GATE has no effect on OUT
      this.armed = false;
      this.out0 = true;
    }
    if (this.mode === 2 || this.mode === 3) this.phase0 = this.phaseAt(t);
    this.baseCE = ce;
    this.base = t;
    this.counting = false;
  }

  /** Resume counting at tick t (modes 0 and 4, gate going high). */
  resume(t: number): void {
    // (mode 0: between the two bytes of a count, counting stays disabled)
    if (!this.loaded || this.counting || (this.mode === 0 && this.writeMsb)) return;
    this.base = t;
    this.counting = true;
  }

  readout(ce: number): number {
    return this.bcd ? toBcd(ce) : ce;
  }

  // ---- programming operations at tick t (caller has synced to t) ----

  control(t: number, v: number): void {
    this.freeze(t);
    const m = (v >> 1) & 7;
    this.mode = m > 5 ? m - 4 : m;
    this.rw = (v >> 4) & 3;
    this.bcd = (v & 1) !== 0;
    this.ctrl = v & 0x3F;
    this.baseCE %= this.modulus;
    this.writeMsb = false;
    this.readMsb = false;
    this.latched = -1;
    this.status = -1;
    this.nullCount = true;
    this.crValid = false;
    this.loaded = false;
    this.counting = false;
    this.armed = false;
    this.lowAt = -1;
    this.loadTick = Infinity;
    this.out0 = this.mode !== 0;
  }

  writeCount(t: number, v: number): void {
    switch (this.rw) {
      case 1: this.cr = v; break;
      case 2: this.cr = v << 8; break;
      default:
        if (!this.writeMsb) {
          this.crLsb = v;
          this.writeMsb = true;
          if (this.mode === 0) { // first byte: counting disabled, OUT low at once
            this.freeze(t);
            this.armed = false;
            this.out0 = false;
            this.loadTick = Infinity;
          }
          return;
        }
        this.cr = this.crLsb | (v << 8);
        this.writeMsb = false;
    }
    this.crValid = true;
    this.nullCount = true;
    switch (this.mode) {
      case 0:
        this.freeze(t);
        this.armed = false;
        this.out0 = false;
        this.loadTick = t + 1;
        break;
      case 4:
        this.loadTick = t + 1;
        break;
      case 2: case 3:
        if (!this.loaded) {
          this.loadTick = t + 1;
          this.loadLow = false;
          this.loadAtEnd = false;
        } else if (this.counting) {
          const n = this.period, p = this.phaseAt(t);
          const dEnd = mod(n - p, n) || n;
          const dHalf = this.mode === 3 ? mod(this.highLen(n) - p, n) || n : Infinity;
          this.loadLow = dHalf < dEnd;
          this.loadTick = t + Math.min(dEnd, dHalf);
          this.loadAtEnd = true;
        } // gate low: the next gate rising edge reloads from CR
        break;
      default: // modes 1, 5: wait for a trigger
    }
  }

  setGate(t: number, level: boolean): void {
    if (level === this.gate) return;
    this.gate = level;
    switch (this.mode) {
      case 0: case 4:
        if (level) this.resume(t);
        else this.freeze(t);
        break;
      case 2: case 3:
        if (level) {
          if (this.crValid) {
            this.loadTick = t + 1;
            this.loadLow = false;
            this.loadAtEnd = false;
          }
        } else {
          // The period stops, so a new count waiting for its end waits for the next trigger instead;
          // a trigger already latched (edge flip-flop) still reloads on the next CLK.
          this.freeze(t);
          if (this.loadAtEnd) this.loadTick = Infinity;
        }
        break;
      default: // 1, 5: a rising edge triggers
        if (level && this.crValid) this.loadTick = t + 1;
    }
  }

  latchCount(t: number): void {
    if (this.latched < 0) this.latched = this.readout(this.ceAt(t));
  }

  latchStatus(t: number): void {
    if (this.status < 0) this.status = (this.outAt(t) ? 0x80 : 0) | (this.nullCount ? 0x40 : 0) | this.ctrl;
  }

  read(t: number): number {
    if (this.status >= 0) {
      const s = this.status;
      this.status = -1;
      return s;
    }
    const v = this.latched >= 0 ? this.latched : this.readout(this.ceAt(t));
    let msb: boolean;
    let done: boolean;
    switch (this.rw) {
      case 1: msb = false; done = true; break;
      case 2: msb = true; done = true; break;
      default:
        msb = this.readMsb;
        this.readMsb = !msb;
        done = msb;
    }
    if (done) this.latched = -1;
    return msb ? (v >> 8) & 0xFF : v & 0xFF;
  }

  saveState(): PitCounterState {
    return {
      mode: this.mode, rw: this.rw, bcd: this.bcd, ctrl: this.ctrl, cr: this.cr, crLsb: this.crLsb,
      writeMsb: this.writeMsb, crValid: this.crValid, nullCount: this.nullCount, readMsb: this.readMsb,
      latched: this.latched, status: this.status, gate: this.gate, loaded: this.loaded, counting: this.counting,
      base: this.base, baseCE: this.baseCE, armed: this.armed, out0: this.out0, period: this.period,
      phase0: this.phase0, lowAt: this.lowAt, loadTick: this.loadTick === Infinity ? null : this.loadTick, loadLow: this.loadLow, loadAtEnd: this.loadAtEnd,
      lastOut: this.lastOut, outTick: this.outTick,
    };
  }

  loadState(s: PitCounterState): void {
    Object.assign(this, s);
    this.loadTick = s.loadTick === null ? Infinity : s.loadTick;
  }
}

export class Pit8254 implements PortDevice {
  private readonly counters: Counter[] = [new Counter(), new Counter(), new Counter()];

  constructor(private readonly timer: DeviceTimer, onOut0?: (level: boolean) => void) {
    this.reset();
    if (onOut0) this.setOutListener(0, onOut0);
  }

  /** The PIT clock tick at the current virtual time. */
  tickNow(): number {
    return ticksAt(this.timer.now(), PIT_HZ);
  }

  /** Power-on state as a PC BIOS leaves it (see the top of the file). Listeners are kept. */
  reset(): void {
    const t = this.tickNow();
    const setup: [number, number][] = [[0x36, 0], [0x74, 18], [0xB6, 0]];
    this.counters.forEach((c, i) => {
      const listener = c.onOut;
      if (c.handle) this.timer.cancel(c.handle);
      Object.assign(c, new Counter());
      c.onOut = listener;
      c.gate = i !== 2;
      c.base = t;
      c.outTick = t;
      c.control(t, setup[i][0]);
      c.writeCount(t, setup[i][1] & 0xFF);
      c.writeCount(t, setup[i][1] >> 8);
      this.settle(c, t);
    });
  }

  register(io: IoBus): void {
    io.register(0x40, 4, this);
  }

  /** Connect (or disconnect with null) a listener to counter `ch`'s OUT; it is told the current level. */
  setOutListener(ch: number, cb: ((level: boolean) => void) | null): void {
    const c = this.counters[ch];
    const t = this.tickNow();
    this.advance(c, t);
    c.onOut = cb;
    c.lastOut = c.outAt(t);
    if (cb) cb(c.lastOut);
    this.settle(c, t);
  }

  /** Drive counter `ch`'s GATE input. */
  setGate(ch: number, level: boolean): void {
    const c = this.counters[ch];
    const t = this.tickNow();
    this.advance(c, t);
    c.setGate(t, level);
    this.settle(c, t);
  }

  getGate(ch: number): boolean {
    return this.counters[ch].gate;
  }

  /** Counter `ch`'s OUT level now. */
  outLevel(ch: number): boolean {
    const c = this.counters[ch];
    const t = this.tickNow();
    this.advance(c, t);
    return c.outAt(t);
  }

  /** Counter `ch`'s counting element now (binary value 0..65535, or 0..9999 in BCD mode), for debugging. */
  count(ch: number): number {
    const c = this.counters[ch];
    const t = this.tickNow();
    this.advance(c, t);
    return c.ceAt(t);
  }

  in(port: number, size: 1 | 2 | 4): number {
    return splitIn(port, size, (p) => this.in8(p));
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    splitOut(port, size, value, (p, v) => this.out8(p, v));
  }

  private in8(port: number): number {
    const ch = port & 3;
    if (ch === 3) return 0xFF; // the control word register cannot be read
    const c = this.counters[ch];
    const t = this.tickNow();
    this.advance(c, t);
    return c.read(t);
  }

  private out8(port: number, v: number): void {
    const ch = port & 3;
    const t = this.tickNow();
    if (ch !== 3) {
      const c = this.counters[ch];
      this.advance(c, t);
      c.writeCount(t, v);
      this.settle(c, t);
      return;
    }
    const sc = v >> 6;
    if (sc === 3) { // read-back
      for (let i = 0; i < 3; i++) {
        if (!(v & (2 << i))) continue;
        const c = this.counters[i];
        this.advance(c, t);
        if (!(v & 0x10)) c.latchStatus(t);
        if (!(v & 0x20)) c.latchCount(t);
      }
      return;
    }
    const c = this.counters[sc];
    this.advance(c, t);
    if ((v & 0x30) === 0) c.latchCount(t);
    else c.control(t, v);
    this.settle(c, t);
  }

  /** Bring counter c up to tick t, signalling every OUT transition on the way, in order. */
  private advance(c: Counter, t: number): void {
    // No transition can lie before the one settle() scheduled (state changes always end in settle()).
    if (c.onOut && t >= c.scheduledTick) {
      for (;;) {
        const j = c.nextTransition(c.outTick);
        if (j > t) break;
        c.sync(j);
        c.outTick = j;
        this.emit(c, c.outAt(j));
      }
    }
    c.sync(t);
    if (t > c.outTick) c.outTick = t;
  }

  /** After a change at tick t: signal an immediate OUT change and (re)schedule the next transition. */
  private settle(c: Counter, t: number): void {
    if (!c.onOut) return;
    this.emit(c, c.outAt(t));
    const next = c.nextTransition(t);
    if (next === c.scheduledTick && c.handle) return;
    if (c.handle) this.timer.cancel(c.handle);
    c.handle = 0;
    c.scheduledTick = next;
    if (next !== Infinity) {
      c.handle = this.timer.schedule(tickTime(next, PIT_HZ), () => {
        c.handle = 0;
        c.scheduledTick = Infinity;
        const now = this.tickNow();
        this.advance(c, now);
        this.settle(c, now);
      });
    }
  }

  private emit(c: Counter, level: boolean): void {
    if (level === c.lastOut) return;
    c.lastOut = level;
    c.onOut?.(level);
  }

  saveState(): PitState {
    return { counters: this.counters.map((c) => c.saveState()) };
  }

  /** Restore a saved state (listeners are kept; pending OUT events are rescheduled). */
  loadState(s: PitState): void {
    const t = this.tickNow();
    this.counters.forEach((c, i) => {
      if (c.handle) this.timer.cancel(c.handle);
      c.handle = 0;
      c.scheduledTick = Infinity;
      c.loadState(s.counters[i]);
      if (c.onOut) {
        c.onOut(c.lastOut);
        this.advance(c, t);
        this.settle(c, t);
      }
    });
  }
}
