// System Control Port A at 0x92 (IBM PS/2 Hardware Interface Technical Reference; "fast A20" and "fast
// reset" of PC chipsets). Bit 0: alternate hot reset — writing 1 when it was 0 pulses the processor's
// RESET; bit 1: alternate A20 gate. The chipset ORs this A20 gate with the keyboard controller's.
// Other bits (watchdog, security lock, fixed-disk activity light) read back as written.

import type { PortDevice } from './io-bus.ts';

export interface Port92Options {
  onA20?: (enabled: boolean) => void;
  onReset?: () => void;
}

export class Port92 implements PortDevice {
  private value = 0;
  private readonly opts: Port92Options;

  constructor(opts: Port92Options = {}) { this.opts = opts; }

  get a20(): boolean { return (this.value & 2) !== 0; }

  /** A machine reset clears the register (so bit 0 reads 0 again after the reset it caused). */
  reset(): void { this.value = 0; }

  saveState(): { value: number } { return { value: this.value }; }

  loadState(s: { value: number }): void {
    this.value = s.value & 0xFF;
    this.opts.onA20?.(this.a20);
  }

  in(_port: number, _size: 1 | 2 | 4): number { return this.value; }

  out(_port: number, _size: 1 | 2 | 4, v: number): void {
    v &= 0xFF;
    const old = this.value;
    this.value = v;
    if ((v ^ old) & 2) this.opts.onA20?.(this.a20);
    if ((v & 1) && !(old & 1)) this.opts.onReset?.();
  }
}
