// The Motorola MC146818A real-time clock and its 128 bytes of CMOS RAM at ports 0x70 (index) and 0x71
// (data), interrupting on IRQ 8.
//
// Wiring (for src/platform/pc.ts):
//   const rtc = new CmosRtc(timer, (level) => pic.setIrq(8, level), { ramSize: mem.size });
//   rtc.register(io);                    // 0x70-0x71
//   rtc.nmiDisabled                      // bit 7 of the last index written (the PC's NMI mask)
//   options.startTime: Unix seconds (UTC) the clock reads at construction (virtual time 0 of a new
//   machine); default 2026-01-01 00:00:00 for determinism; pass the host time for wall-clock mode.
// `timer` is the machine's Scheduler (DeviceTimer); its now() must work at construction.
// readRegister()/writeRegister() access registers as the guest would (for loaders and tests);
// saveState()/loadState() return and take plain data.
//
// Time: the RTC's 32.768 kHz time base is derived from virtual time exactly (ticksAt(now, 32768),
// scheduler.ts). The divider chain's phase is kept as the tick `origin`: update cycles happen at
// origin + m * 32768 ticks, periodic-interrupt edges at origin + m * period. The clock is brought up to
// date lazily on every access; events are scheduled only while an enabled interrupt could assert IRQ 8.
//
// Rules (Motorola MC146818A data sheet):
// - Registers 0-9: seconds, seconds alarm, minutes, minutes alarm, hours, hours alarm, day of week
//   (1 = Sunday), date, month, year (00-99), in BCD or binary per register B's DM bit; hours in 24-hour
//   or 12-hour form (bit 7 = PM) per register B's 24/12 bit. The update cycle increments them in
//   whatever form register B selects at that moment (changing DM or 24/12 does not convert them: the
//   software rewrites them, as on the chip). Leap years: every year divisible by 4 (00 included).
//   An alarm byte with its two high bits set (0xC0-0xFF) is "don't care".
// - Register A: UIP (bit 7, read only), DV2-DV0 (bits 6-4), RS3-RS0 (bits 3-0). UIP is 1 during the
//   244 us (8 time-base ticks) before each update; the update itself is modelled as instantaneous at
//   the end of that window (UIP = 0 guarantees at least 244 us before the registers change). DV = 010
//   (32.768 kHz time base) runs the clock; any other value stops the divider chain (11x is the reset
//   state); taking it out of reset makes the first update happen 500 ms later. RS selects the periodic
//   interrupt: none (0), 3.90625 ms (1), 7.8125 ms (2), else 2^(RS-1) / 32768 s (122.070 us .. 500 ms).
// - Register B: SET (7: updates inhibited, UIP reads 0; setting SET clears UIE), PIE (6), AIE (5),
//   UIE (4), SQWE (3, stored: the SQW pin is not connected on a PC), DM (2: 1 = binary), 24/12 (1:
//   1 = 24-hour), DSE (0: daylight saving - last Sunday in April 1:59:59 AM -> 3:00:00 AM, last Sunday
//   in October the first 1:59:59 AM -> 1:00:00 AM).
// - Register C (read only): IRQF (7) = PF.PIE + AF.AIE + UF.UIE, PF (6), AF (5), UF (4); PF, AF, UF are
//   set by their events whatever the enables; reading C clears all of them and releases IRQ 8.
// - Register D (read only): VRT (7) = 1, valid RAM and time.
// - Index port 0x70 is write only (reads float: 0xFF); its bit 7 is the NMI mask on a PC.
// CMOS RAM (IBM PC/AT layout): 0x10 floppy types (none), 0x12 hard disk types (none), 0x14 equipment
// byte, 0x15/0x16 base memory in KiB (640), 0x17/0x18 and 0x30/0x31 extended memory in KiB above 1 MiB
// (at most 0xFFFF), 0x34/0x35 memory above 16 MiB in 64 KiB units (at most 0xFFFF), 0x32 century
// (BCD), checksum of 0x10-0x2D at 0x2E (high byte) / 0x2F (low byte).

import type { IoBus, PortDevice } from './io-bus.ts';
import { splitIn, splitOut } from './io-bus.ts';
import type { DeviceTimer } from './device-timer.ts';
import { ticksAt, tickTime } from './scheduler.ts';

/** The RTC time base in Hz. */
export const RTC_HZ = 32768;
/** Time-base ticks per second (update cycles are this far apart). */
const SECOND = RTC_HZ;
/** UIP is set this many ticks (244.140625 us) before each update. */
const UIP_TICKS = 8;

const REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D;
const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_DM = 0x04, B_24H = 0x02, B_DSE = 0x01;
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;

/** 2026-01-01 00:00:00 UTC. */
export const DEFAULT_RTC_START = 1767225600;

export interface CmosRtcOptions {
  /** Guest RAM size in bytes (for the memory-size bytes). */
  ramSize: number;
  /** Unix time (seconds, UTC) the clock shows at construction. Default DEFAULT_RTC_START. */
  startTime?: number;
  /** Equipment byte 0x14. Default 0x02: math coprocessor present, no floppy drives, EGA/VGA display. */
  equipment?: number;
}

export interface CmosRtcState {
  ram: number[];
  index: number;
  nmiDisabled: boolean;
  origin: number;
  synced: number;
  running: boolean;
  dstDone: boolean;
  irq: boolean;
}

const toBcd = (v: number) => (Math.floor(v / 10) % 10) << 4 | v % 10;
const fromBcd = (v: number) => (v >> 4) * 10 + (v & 15);

/** Calendar fields of a Unix time (proleptic Gregorian, UTC). dow: 1 = Sunday. */
export function civilFromUnix(t: number): { year: number; month: number; day: number; hour: number; minute: number; second: number; dow: number } {
  const days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  // Shift the epoch to 0000-03-01 so leap days fall at the end of each 4/100/400-year cycle.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year, month, day,
    hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60,
    dow: (((days + 4) % 7) + 7) % 7 + 1, // 1970-01-01 was a Thursday (5)
  };
}

function daysInMonth(month: number, year2: number): number {
  if (month === 2) return year2 % 4 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export class CmosRtc implements PortDevice {
  /** The 128 bytes: registers 0-0x0D (register A without UIP, C with its flags) and CMOS RAM. */
  readonly ram = new Uint8Array(128);
  /** Selected register (index port bits 6-0). */
  index = 0;
  /** Bit 7 of the last index write: NMI disabled. */
  nmiDisabled = false;
  /** Divider-chain phase: updates at origin + m * SECOND. */
  private origin = 0;
  /** Time-base tick up to which updates and periodic edges have been applied. */
  private synced = 0;
  /** The divider chain runs (DV = 010). */
  private running = true;
  private dstDone = false;
  private irq = false;
  private handle = 0;
  private scheduledTick = Infinity;

  constructor(
    private readonly timer: DeviceTimer,
    private readonly onIrq: (level: boolean) => void = () => {},
    opts: CmosRtcOptions,
  ) {
    const t = this.tickNow();
    this.origin = t;
    this.synced = t;
    this.ram[REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate (what a PC BIOS sets)
    this.ram[REG_B] = B_24H; // BCD, 24-hour
    this.ram[REG_D] = 0x80;
    this.setTime(opts.startTime ?? DEFAULT_RTC_START);
    this.setMemoryBytes(opts.ramSize, opts.equipment ?? 0x02);
  }

  register(io: IoBus): void {
    io.register(0x70, 2, this);
  }

  private tickNow(): number {
    return ticksAt(this.timer.now(), RTC_HZ);
  }

  /** Set the time registers (in the current DM / 24-12 format) and the century byte from a Unix time. */
  setTime(unixSeconds: number): void {
    this.sync();
    const c = civilFromUnix(Math.floor(unixSeconds));
    const b = this.ram[REG_B];
    const enc = (v: number) => (b & B_DM ? v : toBcd(v));
    this.ram[0] = enc(c.second);
    this.ram[2] = enc(c.minute);
    if (b & B_24H) this.ram[4] = enc(c.hour);
    else this.ram[4] = enc(c.hour % 12 === 0 ? 12 : c.hour % 12) | (c.hour >= 12 ? 0x80 : 0);
    this.ram[6] = enc(c.dow);
    this.ram[7] = enc(c.day);
    this.ram[8] = enc(c.month);
    this.ram[9] = enc(c.year % 100);
    this.ram[0x32] = toBcd(Math.floor(c.year / 100));
    this.dstDone = false;
  }

  private setMemoryBytes(ramSize: number, equipment: number): void {
    const r = this.ram;
    const kib = Math.floor(ramSize / 1024);
    const base = Math.min(640, kib);
    const ext = Math.min(0xFFFF, Math.max(0, kib - 1024));
    const above16 = Math.min(0xFFFF, Math.max(0, Math.floor((ramSize - 16 * 1024 * 1024) / 65536)));
    r[0x10] = 0; // no floppy drives
    r[0x12] = 0; // no hard disks
    r[0x14] = equipment & 0xFF;
    r[0x15] = base & 0xFF;
    r[0x16] = base >> 8;
    r[0x17] = r[0x30] = ext & 0xFF;
    r[0x18] = r[0x31] = ext >> 8;
    r[0x34] = above16 & 0xFF;
    r[0x35] = above16 >> 8;
    let sum = 0;
    for (let i = 0x10; i <= 0x2D; i++) sum += r[i];
    r[0x2E] = (sum >> 8) & 0xFF;
    r[0x2F] = sum & 0xFF;
  }

  // ---- ports ----

  in(port: number, size: 1 | 2 | 4): number {
    return splitIn(port, size, (p) => this.in8(p));
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    splitOut(port, size, value, (p, v) => this.out8(p, v));
  }

  private in8(port: number): number {
    return port === 0x70 ? 0xFF : this.readRegister(this.index);
  }

  private out8(port: number, v: number): void {
    if (port === 0x70) {
      this.index = v & 0x7F;
      this.nmiDisabled = (v & 0x80) !== 0;
    } else {
      this.writeRegister(this.index, v);
    }
  }

  // ---- registers ----

  readRegister(i: number): number {
    i &= 0x7F;
    this.sync();
    switch (i) {
      case REG_A:
        return this.ram[REG_A] | (this.uip() ? 0x80 : 0);
      case REG_C: {
        const v = this.ram[REG_C];
        this.ram[REG_C] = 0;
        this.updateIrq();
        this.reschedule();
        return v;
      }
      case REG_D:
        return 0x80;
      default:
        return this.ram[i];
    }
  }

  writeRegister(i: number, v: number): void {
    i &= 0x7F;
    v &= 0xFF;
    this.sync();
    switch (i) {
      case REG_A: {
        this.ram[REG_A] = v & 0x7F;
        const run = ((v >> 4) & 7) === 2;
        if (run && !this.running) {
          // out of reset (or another time base): the first update comes half a second later
          this.origin = this.synced - SECOND / 2;
        }
        this.running = run;
        break;
      }
      case REG_B:
        if (v & B_SET) v &= ~B_UIE;
        this.ram[REG_B] = v;
        break;
      case REG_C: case REG_D:
        return; // read only
      default:
        this.ram[i] = v;
    }
    this.updateIrq();
    this.reschedule();
  }

  // ---- the clock ----

  /** UIP: in the 244 us before an update (never while SET or stopped). */
  private uip(): boolean {
    if (!this.running || this.ram[REG_B] & B_SET) return false;
    const phase = (((this.synced - this.origin) % SECOND) + SECOND) % SECOND;
    return phase >= SECOND - UIP_TICKS;
  }

  /** Periodic-interrupt period in time-base ticks (0: none). */
  private periodTicks(): number {
    const rs = this.ram[REG_A] & 15;
    if (rs === 0) return 0;
    if (rs <= 2) return 1 << (rs + 6);
    return 1 << (rs - 1);
  }

  /** Apply the update cycles and periodic edges that occurred up to now. */
  private sync(): void {
    const t = this.tickNow();
    if (t <= this.synced) return;
    if (this.running) {
      const since = this.synced - this.origin;
      let u = this.origin + SECOND * (Math.floor(since / SECOND) + 1);
      for (; u <= t; u += SECOND) {
        if (this.ram[REG_B] & B_SET) continue;
        this.updateCycle();
      }
      const p = this.periodTicks();
      if (p && Math.floor((t - this.origin) / p) > Math.floor(since / p)) this.ram[REG_C] |= C_PF;
    }
    this.synced = t;
    this.updateIrq();
  }

  /** One update cycle: advance the time by a second, then set UF and (on a match) AF. */
  private updateCycle(): void {
    const r = this.ram;
    const b = r[REG_B];
    const dec = (v: number) => (b & B_DM ? v : fromBcd(v));
    const enc = (v: number) => (b & B_DM ? v : toBcd(v));
    const sec = dec(r[0]) + 1;
    if (sec < 60) {
      r[0] = enc(sec);
    } else {
      r[0] = enc(0);
      const min = dec(r[2]) + 1;
      if (min < 60) {
        r[2] = enc(min);
      } else {
        r[2] = enc(0);
        this.nextHour(dec, enc);
      }
    }
    r[REG_C] |= C_UF;
    const match = (alarm: number, v: number) => (alarm & 0xC0) === 0xC0 || alarm === v;
    if (match(r[1], r[0]) && match(r[3], r[2]) && match(r[5], r[4])) r[REG_C] |= C_AF;
  }

  private nextHour(dec: (v: number) => number, enc: (v: number) => number): void {
    const r = this.ram;
    const b = r[REG_B];
    let newDay = false;
    let hour24: number;
    if (b & B_24H) {
      let h = dec(r[4]) + 1;
      if (h >= 24) {
        h = 0;
        newDay = true;
      }
      r[4] = enc(h);
      hour24 = h;
    } else {
      let pm = (r[4] & 0x80) !== 0;
      let h = dec(r[4] & 0x7F);
      if (h === 11) {
        h = 12;
        newDay = pm; // 11 PM -> 12 AM
        pm = !pm;
      } else if (h >= 12) {
        h = 1;
      } else {
        h++;
      }
      r[4] = enc(h) | (pm ? 0x80 : 0);
      hour24 = (h % 12) + (pm ? 12 : 0);
    }
    if (newDay) {
      this.nextDay(dec, enc);
      this.dstDone = false;
    }
    if (b & B_DSE && hour24 === 2) {
      const month = dec(r[8]), sunday = dec(r[6]) === 1, date = dec(r[7]);
      if (month === 4 && sunday && date >= 24) {
        r[4] = enc(3); // 1:59:59 AM -> 3:00:00 AM (an AM hour: no PM bit either way)
      } else if (month === 10 && sunday && date >= 25 && !this.dstDone) {
        r[4] = enc(1); // the first 1:59:59 AM -> 1:00:00 AM
        this.dstDone = true;
      }
    }
  }

  private nextDay(dec: (v: number) => number, enc: (v: number) => number): void {
    const r = this.ram;
    r[6] = enc((dec(r[6]) % 7) + 1);
    let date = dec(r[7]) + 1;
    let month = dec(r[8]);
    const year = dec(r[9]);
    if (date > daysInMonth(month, year)) {
      date = 1;
      month++;
      if (month > 12) {
        month = 1;
        r[9] = enc((year + 1) % 100);
      }
      r[8] = enc(month);
    }
    r[7] = enc(date);
  }

  /** Recompute IRQF and drive IRQ 8. */
  private updateIrq(): void {
    const b = this.ram[REG_B];
    let c = this.ram[REG_C] & (C_PF | C_AF | C_UF);
    if ((c & C_PF && b & B_PIE) || (c & C_AF && b & B_AIE) || (c & C_UF && b & B_UIE)) c |= C_IRQF;
    this.ram[REG_C] = c;
    const level = (c & C_IRQF) !== 0;
    if (level !== this.irq) {
      this.irq = level;
      this.onIrq(level);
    }
  }

  /** Schedule the next event that could assert IRQ 8 (none while IRQ 8 is already asserted). */
  private reschedule(): void {
    let next = Infinity;
    if (this.running && !this.irq) {
      const b = this.ram[REG_B];
      const since = this.synced - this.origin;
      const p = this.periodTicks();
      if (b & B_PIE && p) next = this.origin + p * (Math.floor(since / p) + 1);
      if (b & (B_UIE | B_AIE) && !(b & B_SET)) next = Math.min(next, this.origin + SECOND * (Math.floor(since / SECOND) + 1));
    }
    if (next === this.scheduledTick && (this.handle || next === Infinity)) return;
    if (this.handle) this.timer.cancel(this.handle);
    this.handle = 0;
    this.scheduledTick = next;
    if (next !== Infinity) {
      this.handle = this.timer.schedule(tickTime(next, RTC_HZ), () => {
        this.handle = 0;
        this.scheduledTick = Infinity;
        this.sync();
        this.reschedule();
      });
    }
  }

  saveState(): CmosRtcState {
    this.sync();
    return {
      ram: Array.from(this.ram), index: this.index, nmiDisabled: this.nmiDisabled, origin: this.origin,
      synced: this.synced, running: this.running, dstDone: this.dstDone, irq: this.irq,
    };
  }

  loadState(s: CmosRtcState): void {
    this.ram.set(s.ram);
    this.index = s.index;
    this.nmiDisabled = s.nmiDisabled;
    this.origin = s.origin;
    this.synced = s.synced;
    this.running = s.running;
    this.dstDone = s.dstDone;
    this.irq = s.irq;
    this.onIrq(this.irq);
    this.scheduledTick = Infinity;
    if (this.handle) this.timer.cancel(this.handle);
    this.handle = 0;
    this.sync();
    this.reschedule();
  }
}
