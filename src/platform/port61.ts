// Port 0x61, the AT's "system control port B" (PIIX/PIIX3: NMI Status and Control register).
//
// Wiring (for src/platform/pc.ts):
//   const port61 = new Port61(pit, timer); port61.register(io);
//   port61.speaker is the speaker's level (OUT2 AND speaker data enable) for anyone who wants sound.
//
// Bits (PIIX3 datasheet, NMISC register; IBM PC/AT Technical Reference, port 61h):
//   0  R/W  timer 2 gate (drives the 8254's GATE2)
//   1  R/W  speaker data enable (the speaker sees OUT2 AND this bit)
//   2  R/W  parity / SERR# NMI check enable (stored; 0 = enabled)
//   3  R/W  channel check / IOCHK# NMI enable (stored; 0 = enabled)
//   4  RO   refresh request toggle: flips with every DRAM refresh request, i.e. every 18 PIT clocks
//           (15.0857 us: the period the AT's counter 1 is set to), computed from the PIT clock so it is
//           exact and deterministic; BIOS delay loops and Linux poll it.
//   5  RO   OUT2 of the 8254 (Linux's fallback PIT calibration polls this with counter 2 in mode 0)
//   6  RO   IOCHK# NMI source (never set: no device asserts it)
//   7  RO   parity error / SERR# NMI source (never set)
// Writes to bits 4-7 are ignored.

import type { IoBus, PortDevice } from './io-bus.ts';
import type { DeviceTimer } from './device-timer.ts';
import { PIT_HZ, type Pit8254 } from './pit8254.ts';
import { ticksAt } from './scheduler.ts';

/** PIT clocks between DRAM refresh requests on the AT (counter 1, mode 2, count 18). */
export const REFRESH_PIT_TICKS = 18;

export class Port61 implements PortDevice {
  /** Bits 0-3 as last written. */
  private ctl = 0;

  constructor(private readonly pit: Pit8254, private readonly timer: DeviceTimer) {
    this.pit.setGate(2, false);
  }

  register(io: IoBus): void {
    io.register(0x61, 1, this);
  }

  /** The speaker's input: OUT2 gated by the speaker data enable bit. */
  get speaker(): boolean {
    return (this.ctl & 2) !== 0 && this.pit.outLevel(2);
  }

  in(_port: number, _size: 1 | 2 | 4): number {
    const refresh = Math.floor(ticksAt(this.timer.now(), PIT_HZ) / REFRESH_PIT_TICKS) & 1;
    return this.ctl | (refresh << 4) | (this.pit.outLevel(2) ? 0x20 : 0);
  }

  out(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.ctl = value & 0x0F;
    this.pit.setGate(2, (value & 1) !== 0);
  }

  saveState(): { ctl: number } {
    return { ctl: this.ctl };
  }

  /** Restore (the PIT's own state carries gate 2). */
  loadState(s: { ctl: number }): void {
    this.ctl = s.ctl & 0x0F;
  }
}
