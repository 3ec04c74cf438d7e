// Intel 8042 keyboard controller as on the PC/AT and PS/2 (IBM PC/AT Technical Reference "Keyboard
// controller"; IBM PS/2 Hardware Interface Technical Reference "Keyboard/auxiliary device controller").
//
//   port 0x60  read: output buffer        write: data (to the keyboard, or a command's parameter)
//   port 0x64  read: status register      write: controller command
//
// Status register: bit 0 OBF, 1 IBF, 2 system flag, 3 A2 (last write was a command), 4 inhibit switch
// (1 = keyboard not inhibited), 5 AUXB (output buffer holds auxiliary-device data), 6 timeout, 7 parity.
// Command byte (controller RAM byte 0): bit 0 keyboard interrupt (IRQ 1), 1 auxiliary interrupt (IRQ 12),
// 2 system flag, 4 keyboard clock disabled, 5 auxiliary clock disabled, 6 translate to scan-code set 1.
// Output port: bit 0 system reset (0 resets the processor), bit 1 A20 gate, bit 4 keyboard output
// buffer full (IRQ 1), bit 5 auxiliary output buffer full (IRQ 12).
//
// The controller executes commands instantly (IBF never reads 1). Controller responses take precedence
// over keyboard bytes, keyboard bytes over auxiliary bytes; each waits in its device until the output
// buffer is free. IRQ 1 / IRQ 12 follow "output buffer full" for keyboard / auxiliary data when enabled
// in the command byte (controller responses count as keyboard-side data).

import type { PortDevice } from './io-bus.ts';
import { Ps2Keyboard, Ps2Mouse } from './ps2-devices.ts';

export const ST_OBF = 0x01, ST_IBF = 0x02, ST_SYS = 0x04, ST_A2 = 0x08, ST_INH = 0x10, ST_AUXB = 0x20;
export const CCB_KBDINT = 0x01, CCB_AUXINT = 0x02, CCB_SYS = 0x04, CCB_KBDDIS = 0x10, CCB_AUXDIS = 0x20, CCB_XLATE = 0x40;
export const OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_KBD_OBF = 0x10, OUT_AUX_OBF = 0x20;

const enum Src { None, Ctrl, Kbd, Aux }

export interface I8042State {
  ram: number[]; statusBits: number; outPort: number; pendingCmd: number; ctrlQueue: number[];
  injected: [number, number][]; outBuf: number; outSrc: number; irq1: boolean; irq12: boolean;
  keyboard: Record<string, number | boolean | number[]>; mouse: Record<string, number | boolean | number[]>;
}

export interface I8042Options {
  onIrq1?: (level: boolean) => void;
  onIrq12?: (level: boolean) => void;
  /** The controller's A20 gate output changed. */
  onA20?: (enabled: boolean) => void;
  /** The controller asserted the processor's RESET line (pulse command 0xFE, or output port bit 0 = 0). */
  onReset?: () => void;
}

export class I8042 implements PortDevice {
  readonly keyboard = new Ps2Keyboard();
  readonly mouse = new Ps2Mouse();
  private readonly opts: I8042Options;

  /** Controller RAM; byte 0 is the command byte. As a BIOS leaves it: translate, system flag, keyboard IRQ. */
  private readonly ram = new Uint8Array(32);
  private statusBits = ST_SYS | ST_INH;
  /** Output port bits that are stored (bits 4/5 are live OBF signals). */
  private outPort = 0xCF;
  private pendingCmd = 0;
  private readonly ctrlQueue: number[] = [];
  /** Bytes written with 0xD2 / 0xD3, delivered as keyboard / auxiliary data. */
  private readonly injected: [Src, number][] = [];
  private outBuf = 0;
  private outSrc = Src.None;
  private irq1 = false;
  private irq12 = false;

  constructor(opts: I8042Options = {}) {
    this.opts = opts;
    this.ram[0] = CCB_XLATE | CCB_SYS | CCB_KBDINT;
    this.keyboard.translated = true;
  }

  /** The A20 gate output (output port bit 1). */
  get a20(): boolean { return (this.outPort & OUT_A20) !== 0; }

  get commandByte(): number { return this.ram[0]; }

  /** Hardware reset of the controller and its devices (state as a BIOS leaves it). */
  reset(): void {
    this.ram.fill(0);
    this.ram[0] = CCB_XLATE | CCB_SYS | CCB_KBDINT;
    this.statusBits = ST_SYS | ST_INH;
    this.outPort = 0xCF;
    this.pendingCmd = 0;
    this.ctrlQueue.length = 0;
    this.injected.length = 0;
    this.outSrc = Src.None;
    this.keyboard.reset();
    this.mouse.reset();
    this.keyboard.translated = true;
    this.refill();
  }

  saveState(): I8042State {
    return {
      ram: Array.from(this.ram), statusBits: this.statusBits, outPort: this.outPort, pendingCmd: this.pendingCmd,
      ctrlQueue: this.ctrlQueue.slice(), injected: this.injected.map(([s, v]) => [s, v]), outBuf: this.outBuf,
      outSrc: this.outSrc, irq1: this.irq1, irq12: this.irq12,
      keyboard: this.keyboard.saveState(), mouse: this.mouse.saveState(),
    };
  }

  loadState(s: I8042State): void {
    this.ram.set(s.ram);
    this.statusBits = s.statusBits; this.outPort = s.outPort; this.pendingCmd = s.pendingCmd;
    this.ctrlQueue.splice(0, this.ctrlQueue.length, ...s.ctrlQueue);
    this.injected.splice(0, this.injected.length, ...s.injected.map(([src, v]) => [src as Src, v] as [Src, number]));
    this.outBuf = s.outBuf; this.outSrc = s.outSrc as Src;
    this.keyboard.loadState(s.keyboard);
    this.mouse.loadState(s.mouse);
    this.irq1 = s.irq1; this.irq12 = s.irq12;
    this.opts.onIrq1?.(this.irq1);
    this.opts.onIrq12?.(this.irq12);
    this.opts.onA20?.(this.a20);
  }

  in(port: number, size: 1 | 2 | 4): number {
    let v = this.read8(port);
    for (let k = 1; k < size; k++) v |= this.read8(port + k) << (8 * k);
    return v;
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    for (let k = 0; k < size; k++) this.write8(port + k, (value >>> (8 * k)) & 0xFF);
  }

  read8(port: number): number {
    if (port === 0x64) return this.status();
    if (port !== 0x60) return 0xFF;
    // Reading the output buffer empties it; with nothing new the last byte stays readable.
    const v = this.outBuf;
    if (this.outSrc !== Src.None) {
      this.outSrc = Src.None;
      // The IRQ line follows OBF: it drops now, and rises again when the next byte is loaded, so the
      // edge-triggered PIC sees one edge per byte (a driver reads one byte per interrupt: Linux's
      // ps2_command waits for the bytes of a multi-byte answer such as GETID's AB 83 by interrupt).
      this.updateIrqs();
      this.refill();
    }
    return v;
  }

  write8(port: number, v: number): void {
    if (port === 0x64) { this.statusBits |= ST_A2; this.command(v); }
    else if (port === 0x60) { this.statusBits &= ~ST_A2; this.data(v); }
  }

  status(): number {
    let s = this.statusBits;
    if (this.outSrc !== Src.None) s |= ST_OBF;
    if (this.outSrc === Src.Aux) s |= ST_AUXB;
    return s;
  }

  private outputPort(): number {
    let v = this.outPort & ~(OUT_KBD_OBF | OUT_AUX_OBF);
    if (this.outSrc === Src.Ctrl || this.outSrc === Src.Kbd) v |= OUT_KBD_OBF;
    if (this.outSrc === Src.Aux) v |= OUT_AUX_OBF;
    return v;
  }

  private reply(b: number): void {
    this.ctrlQueue.push(b);
    this.refill();
  }

  private command(c: number): void {
    this.pendingCmd = 0;
    if (c >= 0x20 && c <= 0x3F) { this.reply(this.ram[c & 0x1F]); return; }
    if (c >= 0x60 && c <= 0x7F) { this.pendingCmd = c; return; }
    if (c >= 0xF0) {
      // Pulse output port bits 3:0 low for ~6 µs where the command's bit is 0; bit 0 is RESET.
      if (!(c & 1)) this.opts.onReset?.();
      return;
    }
    switch (c) {
      case 0xA7: this.setCommandByte(this.ram[0] | CCB_AUXDIS); return;
      case 0xA8: this.setCommandByte(this.ram[0] & ~CCB_AUXDIS); return;
      case 0xA9: this.reply(0x00); return; // auxiliary interface test: no error
      case 0xAA: // controller self-test: passes, sets the system flag
        this.statusBits |= ST_SYS;
        this.reply(0x55);
        return;
      case 0xAB: this.reply(0x00); return; // keyboard interface test: no error
      case 0xAD: this.setCommandByte(this.ram[0] | CCB_KBDDIS); return;
      case 0xAE: this.setCommandByte(this.ram[0] & ~CCB_KBDDIS); return;
      // Input port: bit 7 keyboard not inhibited, bit 5 no manufacturing jumper, bit 4 512 KiB on board.
      case 0xC0: this.reply(0xB0); return;
      case 0xD0: this.reply(this.outputPort()); return;
      case 0xD1: case 0xD2: case 0xD3: case 0xD4: this.pendingCmd = c; return;
      case 0xDD: this.writeOutputPort(this.outPort & ~OUT_A20); return; // A20 off (HP Vectra commands)
      case 0xDF: this.writeOutputPort(this.outPort | OUT_A20); return;
      case 0xE0: this.reply(0x00); return; // test inputs T0/T1
      default: return; // other commands are ignored
    }
  }

  private data(v: number): void {
    const c = this.pendingCmd;
    this.pendingCmd = 0;
    if (c >= 0x60 && c <= 0x7F) {
      if (c === 0x60) this.setCommandByte(v);
      else this.ram[c & 0x1F] = v;
      return;
    }
    switch (c) {
      case 0xD1: this.writeOutputPort(v); return;
      case 0xD2: this.injectDevice(Src.Kbd, v); return; // as if the keyboard had sent it
      case 0xD3: this.injectDevice(Src.Aux, v); return; // as if the auxiliary device had sent it
      case 0xD4: // its answer waits while the auxiliary clock is disabled
        this.mouse.write(v);
        this.refill();
        return;
      default:
        // Data for the keyboard; sending it re-enables the keyboard interface.
        this.setCommandByte(this.ram[0] & ~CCB_KBDDIS, false);
        this.keyboard.write(v);
        this.refill();
    }
  }

  private injectDevice(src: Src, v: number): void {
    this.injected.push([src, v]);
    this.refill();
  }

  private setCommandByte(v: number, refill = true): void {
    this.ram[0] = v & 0x7F;
    if (v & CCB_SYS) this.statusBits |= ST_SYS; else this.statusBits &= ~ST_SYS;
    this.keyboard.translated = (v & CCB_XLATE) !== 0;
    if (refill) this.refill();
  }

  private writeOutputPort(v: number): void {
    const oldA20 = this.a20;
    this.outPort = v & ~(OUT_KBD_OBF | OUT_AUX_OBF);
    if (this.a20 !== oldA20) this.opts.onA20?.(this.a20);
    if (!(v & OUT_RESET)) this.opts.onReset?.();
  }

  /** Fill an empty output buffer from the controller, then the keyboard, then the auxiliary device. */
  private refill(): void {
    if (this.outSrc === Src.None) {
      const ccb = this.ram[0];
      if (this.ctrlQueue.length) {
        this.outBuf = this.ctrlQueue.shift()!;
        this.outSrc = Src.Ctrl;
      } else if (this.injected.length) {
        const [src, v] = this.injected.shift()!;
        this.outBuf = v;
        this.outSrc = src;
      } else if (this.keyboard.hasData && !(ccb & CCB_KBDDIS)) {
        this.outBuf = this.keyboard.take();
        this.outSrc = Src.Kbd;
      } else if (this.mouse.hasData && !(ccb & CCB_AUXDIS)) {
        this.outBuf = this.mouse.take();
        this.outSrc = Src.Aux;
      }
    }
    this.updateIrqs();
  }

  private updateIrqs(): void {
    const ccb = this.ram[0];
    const i1 = (this.outSrc === Src.Ctrl || this.outSrc === Src.Kbd) && (ccb & CCB_KBDINT) !== 0;
    const i12 = this.outSrc === Src.Aux && (ccb & CCB_AUXINT) !== 0;
    if (i1 !== this.irq1) { this.irq1 = i1; this.opts.onIrq1?.(i1); }
    if (i12 !== this.irq12) { this.irq12 = i12; this.opts.onIrq12?.(i12); }
  }
}
