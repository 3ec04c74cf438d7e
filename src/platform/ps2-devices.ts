// The two devices behind an i8042: a PS/2 (MF2) keyboard and a PS/2 mouse, enough for a driver's probe
// and initialisation (IBM PS/2 Hardware Interface Technical Reference, keyboard and auxiliary device
// command sets). Each answers a command byte with bytes queued for the controller; the console of this
// machine is the serial port, so neither generates key or motion events of its own. Responses are
// immediate (as in QEMU): the controller takes them one at a time through its output buffer.

export const ACK = 0xFA, RESEND = 0xFE, BAT_OK = 0xAA, ECHO = 0xEE;

/** Bytes a PS/2 device has ready for the controller. */
export abstract class Ps2Device {
  protected readonly queue: number[] = [];
  /** The last byte sent, for the Resend command. */
  protected last = 0;
  /** A command waiting for its parameter byte (0 = none). */
  protected pendingCmd = 0;

  get hasData(): boolean { return this.queue.length > 0; }

  /** The controller takes the next byte. */
  take(): number {
    const b = this.queue.shift()!;
    this.last = b;
    return b;
  }

  protected send(...bytes: number[]): void {
    // A device buffers 16 bytes; beyond that, it drops them (it would hold the clock line low).
    for (const b of bytes) if (this.queue.length < 16) this.queue.push(b);
  }

  /** A byte from the host (through the controller). */
  abstract write(v: number): void;

  /** The device's registers and queue as plain data (for snapshots). */
  saveState(): Record<string, number | boolean | number[]> {
    const o: Record<string, number | boolean | number[]> = {};
    for (const [k, v] of Object.entries(this)) o[k] = Array.isArray(v) ? v.slice() : v;
    return o;
  }

  loadState(s: Record<string, number | boolean | number[]>): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'queue') this.queue.splice(0, this.queue.length, ...(v as number[]));
      else if (k in self) self[k] = v;
    }
  }
}

export class Ps2Keyboard extends Ps2Device {
  scanning = true;
  scanSet = 2;
  leds = 0;
  typematic = 0x2B;
  /** The controller translates keyboard bytes to set 1 (command byte bit 6). */
  translated = true;

  reset(): void {
    this.queue.length = 0;
    this.pendingCmd = 0;
    this.setDefaults();
    this.scanning = true;
  }

  private setDefaults(): void {
    this.scanSet = 2;
    this.leds = 0;
    this.typematic = 0x2B;
  }

  write(v: number): void {
    if (this.pendingCmd) {
      const cmd = this.pendingCmd;
      this.pendingCmd = 0;
      if (cmd === 0xED) { this.leds = v & 7; this.send(ACK); return; }
      if (cmd === 0xF3) { this.typematic = v & 0x7F; this.send(ACK); return; }
      if (cmd === 0xF0) {
        if (v === 0) { this.send(ACK, this.scanSet); return; }
        if (v >= 1 && v <= 3) { this.scanSet = v; this.send(ACK); return; }
        this.send(RESEND);
        return;
      }
    }
    switch (v) {
      case 0xFF: // reset: acknowledge, then the basic assurance test passes
        this.queue.length = 0;
        this.setDefaults();
        this.scanning = true;
        this.send(ACK, BAT_OK);
        return;
      case 0xFE: this.send(this.last); return;
      case 0xF6: this.setDefaults(); this.send(ACK); return;
      case 0xF5: this.setDefaults(); this.scanning = false; this.send(ACK); return;
      case 0xF4: this.queue.length = 0; this.scanning = true; this.send(ACK); return;
      case 0xF2: // identify: MF2 keyboard 0xAB 0x83; its 0x83 passes the set-1 translation as 0x41
        this.send(ACK, 0xAB, this.translated ? 0x41 : 0x83);
        return;
      case 0xED: case 0xF3: case 0xF0:
        this.pendingCmd = v;
        this.send(ACK);
        return;
      case 0xEE: this.send(ECHO); return;
      case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD:
        this.send(ACK); // set-3 key type commands: accepted
        return;
      default: this.send(RESEND);
    }
  }
}

export class Ps2Mouse extends Ps2Device {
  reporting = false;
  remote = false;
  wrap = false;
  scaling21 = false;
  resolution = 2;
  sampleRate = 100;

  reset(): void {
    this.queue.length = 0;
    this.pendingCmd = 0;
    this.wrap = false;
    this.remote = false;
    this.setDefaults();
  }

  private setDefaults(): void {
    this.reporting = false;
    this.scaling21 = false;
    this.resolution = 2;
    this.sampleRate = 100;
  }

  write(v: number): void {
    if (this.pendingCmd) {
      const cmd = this.pendingCmd;
      this.pendingCmd = 0;
      if (cmd === 0xE8) { this.resolution = v & 3; this.send(ACK); return; }
      if (cmd === 0xF3) { this.sampleRate = v; this.send(ACK); return; }
    }
    if (this.wrap && v !== 0xFF && v !== 0xEC) { this.send(v); return; } // wrap mode echoes
    switch (v) {
      case 0xFF:
        this.queue.length = 0;
        this.wrap = false;
        this.remote = false;
        this.setDefaults();
        this.send(ACK, BAT_OK, 0x00); // BAT passed, device ID 0 (standard mouse)
        return;
      case 0xFE: this.send(this.last); return;
      case 0xF6: this.setDefaults(); this.send(ACK); return;
      case 0xF5: this.reporting = false; this.send(ACK); return;
      case 0xF4: this.reporting = true; this.send(ACK); return;
      case 0xF3: case 0xE8: this.pendingCmd = v; this.send(ACK); return;
      case 0xF2: this.send(ACK, 0x00); return;
      case 0xF0: this.remote = true; this.send(ACK); return;
      case 0xEE: this.wrap = true; this.send(ACK); return;
      case 0xEC: this.wrap = false; this.send(ACK); return;
      case 0xEB: this.send(ACK, 0x08, 0x00, 0x00); return; // read data: no movement, no buttons
      case 0xEA: this.remote = false; this.send(ACK); return;
      case 0xE9: // status request
        this.send(ACK, (this.remote ? 0x40 : 0) | (this.reporting ? 0x20 : 0) | (this.scaling21 ? 0x10 : 0), this.resolution, this.sampleRate);
        return;
      case 0xE7: this.scaling21 = true; this.send(ACK); return;
      case 0xE6: this.scaling21 = false; this.send(ACK); return;
      default: this.send(RESEND);
    }
  }
}
