// NS16550A UART (National Semiconductor PC16550D datasheet, "UART with FIFOs"), as COM1..COM4 on a PC.
//
// Registers at base+0..7 (datasheet Table II):
//   0  RBR (read) / THR (write)            DLAB=1: DLL (divisor latch, low byte)
//   1  IER                                 DLAB=1: DLM (divisor latch, high byte)
//   2  IIR (read) / FCR (write)
//   3  LCR (bit 7 = DLAB)   4 MCR   5 LSR   6 MSR   7 SCR
//
// Time: a character occupies the line for (start + data + parity + stop) bits, each bit lasting 16
// clocks of the 1.8432 MHz crystal times the divisor (datasheet 8.1). The transmitter shift register
// (TSR) takes each byte from THR / the XMIT FIFO and finishes it one character time later on the
// machine's virtual clock; that is when the byte reaches the host (or, in loopback, the receiver) and
// when TEMT rises. Host input enters the receiver at the same rate. The host end behaves like a sender
// honouring flow control: it starts a character only when the receiver has room for it, so host input is
// never lost and is deterministic; overruns still happen for bytes looped back by the guest itself.
//
// The host end of the line is a byte pipe (like QEMU's and Bochs's chardevs): transmitted bytes are
// passed whole whatever the word length; only the loopback path truncates to the word length.
//
// Held input (UartOptions.holdInput): a guest that resets its FIFOs or probes the chip in loopback after
// host input has arrived (Linux's 8250 driver does both before the console's tty is opened) loses those
// bytes, as on hardware. With holdInput the host end also waits until the guest is ready to take input:
// the receiver interrupt is enabled (IER.ERBFI), the interrupt is routed to the PIC (MCR.OUT2, on a PC),
// the line is not in loopback, the guest asserts RTS (a host sender honouring RTS/CTS flow control, so a
// guest tty with crtscts can throttle it), and the RCVR FIFO is below its trigger level. A character on the
// line when the guest stops being ready is not received: it is sent again when the guest is ready.
// Paced input (UartOptions.paceLines, for piped input) also waits, after each line end, until the guest
// is idle (the machine calls guestIdle() when the processor halts waiting for an interrupt) and its
// output has stopped for PACE_QUIET_NS, as a typist waits for the prompt: the guest's tty then does not
// echo the next lines in the middle of its output. (Idle alone is not enough: Linux sleeps while its
// output drains, e.g. in tcsetattr(TCSADRAIN).)
//
// On a PC the chip's INTR pin reaches the interrupt controller through a buffer enabled by the OUT2
// modem-control output (IBM PC/AT Technical Reference, asynchronous communications adapter); in loopback
// mode the output pins are forced inactive (datasheet, MCR bit 4), so no IRQ reaches the PIC then.

import type { PortDevice } from './io-bus.ts';
import type { DeviceTimer } from './device-timer.ts';

// IER bits
export const IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
// IIR values (bits 3:0) in priority order; bits 7:6 are 11 when the FIFOs are enabled
export const IIR_NONE = 0x01, IIR_LINE = 0x06, IIR_RDA = 0x04, IIR_TIMEOUT = 0x0C, IIR_THRE = 0x02, IIR_MODEM = 0x00;
export const IIR_FIFO = 0xC0;
// FCR bits
export const FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02, FCR_TX_RESET = 0x04, FCR_DMA = 0x08;
// LCR bits
export const LCR_DLAB = 0x80, LCR_BREAK = 0x40;
// MCR bits
export const MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
// LSR bits
export const LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFOERR = 0x80;
// MSR bits
export const MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08, MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

/** Receiver FIFO trigger levels selected by FCR bits 7:6 (datasheet Table IV). */
const RX_TRIGGER = [1, 4, 8, 14];
const FIFO_SIZE = 16;
/** Crystal 1.8432 MHz / 16 = 115200 bit/s at divisor 1. */
const BIT_RATE_DIV1 = 115200;

/** The modem-status inputs the host end presents when not in loopback: CTS, DSR and DCD asserted. */
const HOST_MODEM_INPUTS = MSR_CTS | MSR_DSR | MSR_DCD;

/**
 * paceLines: how long the guest's output must have stopped before the next input line goes, in virtual ns
 * (a prompt, not a pause: Linux's tty sleeps a few jiffies of 4 ms while its output drains).
 */
export const PACE_QUIET_NS = 50_000_000;

export interface UartOptions {
  /** Bytes the UART transmits (to the host terminal). */
  onTransmit?: (byte: number) => void;
  /** The level of the UART's interrupt as seen by the interrupt controller (after the OUT2 gate). */
  onIrq?: (level: boolean) => void;
  /** Gate the interrupt with MCR.OUT2 as a PC serial adapter does (default true). */
  out2GatesIrq?: boolean;
  /**
   * The line runs this many times faster than the divisor says (default 1: the real line rate). The far end
   * is a host terminal, not a modem: a guest that programs 9600 baud (Linux's default console) would
   * otherwise spend ~1 ms of guest time per character, and a driver that polls LSR for a bounded number of
   * iterations (ISA reads take ~1 µs on hardware, 1 ns here) gives up and overwrites THR. Timing rules
   * (FIFO, THRE, character timeout) are unchanged, only scaled.
   */
  lineSpeedup?: number;
  /**
   * Hold host input until the guest is ready for it (see the header: receiver interrupt enabled and
   * routed, not in loopback, RTS asserted, RCVR FIFO below its trigger level), so bytes typed or piped
   * before the guest's driver is up are not lost. Default false: host characters start as soon as the
   * receiver has room (and may then be lost by a FIFO reset, as on hardware).
   */
  holdInput?: boolean;
  /**
   * With holdInput: send host input a line at a time. The first byte, and each byte after a line end (CR
   * or LF), waits until guestIdle() is called while the guest is ready for input and nothing has been
   * transmitted for PACE_QUIET_NS. Default false.
   */
  paceLines?: boolean;
}

/** Everything a snapshot needs, as plain data (pending line events as absolute virtual times, or -1). */
export interface UartState {
  ier: number; lcr: number; mcr: number; scr: number; divisor: number; fcr: number;
  lsrErrors: number; msrDelta: number; modemInputs: number; rbr: number;
  rx: number[]; tx: number[]; thrPending: boolean; timeoutPending: boolean;
  tsrBusy: boolean; tsrByte: number; txDue: number;
  hostQueue: number[]; rxByte: number; rxDue: number; timeoutDue: number;
  irqLevel: boolean; bytesTransmitted: number; bytesReceived: number; overruns: number;
  /** paceLines: the current host input line may be sent; when the last character was transmitted; when
   *  the quiet period after it ends, if an event is pending for it (else -1). */
  lineOpen: boolean; lastTxAt: number; paceDue: number;
}

class Fifo {
  readonly buf = new Uint8Array(FIFO_SIZE);
  head = 0;
  count = 0;
  push(b: number): void { this.buf[(this.head + this.count) % FIFO_SIZE] = b; this.count++; }
  pop(): number { const b = this.buf[this.head]; this.head = (this.head + 1) % FIFO_SIZE; this.count--; return b; }
  clear(): void { this.head = 0; this.count = 0; }
  toArray(): number[] { const a: number[] = []; for (let k = 0; k < this.count; k++) a.push(this.buf[(this.head + k) % FIFO_SIZE]); return a; }
  fill(bytes: number[]): void { this.clear(); for (const b of bytes) this.push(b); }
}

export class Uart16550 implements PortDevice {
  private readonly timer: DeviceTimer;
  private readonly onTransmit: (byte: number) => void;
  private readonly onIrq: (level: boolean) => void;
  private readonly out2Gates: boolean;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  /** Divisor latch. Not reset by MR (datasheet Table III); 1 (115200 bit/s) at power-on, as Bochs. */
  private divisor = 1;
  /** FCR as programmed: bit 0 FIFO enable, bit 3 DMA mode, bits 7:6 RX trigger. */
  private fcr = 0;
  /** LSR error bits (OE, PE, FE, BI) latched until LSR is read. */
  private lsrErrors = 0;
  /** MSR delta bits 3:0, cleared by reading MSR. */
  private msrDelta = 0;
  /** Current modem-status inputs (MSR bits 7:4). */
  private modemInputs = HOST_MODEM_INPUTS;

  private readonly rx = new Fifo();
  private readonly tx = new Fifo();
  /** Last byte moved into RBR (read when the receiver is empty in non-FIFO mode). */
  private rbr = 0;

  /** THR-empty interrupt latch (datasheet Table V: reset by reading IIR when it is the source, or writing THR). */
  private thrPending = false;
  /** Character timeout indication (FIFO mode), cleared by reading RBR. */
  private timeoutPending = false;
  private timeoutEvent = 0;
  private timeoutDue = 0;

  /** Transmitter shift register: busy while a character is on the line. */
  private tsrBusy = false;
  private tsrByte = 0;
  private txEvent = 0;
  private txDue = 0;

  /** Host input not yet on the line, and the character currently being received from the host. */
  private hostQueue: number[] = [];
  private hostHead = 0;
  private rxEvent = 0;
  private rxByte = 0;
  private rxDue = 0;

  private irqLevel = false;

  /** Statistics. */
  bytesTransmitted = 0;
  bytesReceived = 0;
  overruns = 0;

  private readonly lineSpeedup: number;
  private readonly holdInput: boolean;
  private readonly paceLines: boolean;
  /** paceLines: the current line may be sent (opened by guestIdle(), closed by a line end). */
  private lineOpen = false;
  /** Virtual time the last character left the transmitter. */
  private lastTxAt = 0;
  /** paceLines: an event at the end of the quiet period, so that an idle machine looks again. */
  private paceEvent = 0;
  private paceDue = 0;

  constructor(timer: DeviceTimer, opts: UartOptions = {}) {
    this.timer = timer;
    this.lineSpeedup = opts.lineSpeedup !== undefined && opts.lineSpeedup > 0 ? opts.lineSpeedup : 1;
    this.onTransmit = opts.onTransmit ?? (() => {});
    this.onIrq = opts.onIrq ?? (() => {});
    this.out2Gates = opts.out2GatesIrq ?? true;
    this.holdInput = opts.holdInput ?? false;
    this.paceLines = this.holdInput && (opts.paceLines ?? false);
  }

  /** Master reset (MR pin): datasheet Table III. The divisor latch and SCR keep their values. */
  reset(): void {
    if (this.txEvent) this.timer.cancel(this.txEvent);
    if (this.rxEvent) { this.timer.cancel(this.rxEvent); this.unreadHost(this.rxByte); this.rxEvent = 0; }
    if (this.timeoutEvent) this.timer.cancel(this.timeoutEvent);
    if (this.paceEvent) this.timer.cancel(this.paceEvent);
    this.txEvent = 0; this.timeoutEvent = 0; this.paceEvent = 0;
    this.ier = 0; this.lcr = 0; this.mcr = 0; this.fcr = 0; this.lsrErrors = 0; this.msrDelta = 0;
    this.modemInputs = HOST_MODEM_INPUTS;
    this.rx.clear(); this.tx.clear();
    this.thrPending = false; this.timeoutPending = false; this.tsrBusy = false; this.lineOpen = false;
    this.updateIrq();
    this.pumpRx();
  }

  saveState(): UartState {
    return {
      ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, divisor: this.divisor, fcr: this.fcr,
      lsrErrors: this.lsrErrors, msrDelta: this.msrDelta, modemInputs: this.modemInputs, rbr: this.rbr,
      rx: this.rx.toArray(), tx: this.tx.toArray(), thrPending: this.thrPending, timeoutPending: this.timeoutPending,
      tsrBusy: this.tsrBusy, tsrByte: this.tsrByte, txDue: this.txEvent ? this.txDue : -1,
      hostQueue: this.hostQueue.slice(this.hostHead), rxByte: this.rxByte, rxDue: this.rxEvent ? this.rxDue : -1,
      timeoutDue: this.timeoutEvent ? this.timeoutDue : -1, irqLevel: this.irqLevel,
      lineOpen: this.lineOpen, lastTxAt: this.lastTxAt, paceDue: this.paceEvent ? this.paceDue : -1,
      bytesTransmitted: this.bytesTransmitted, bytesReceived: this.bytesReceived, overruns: this.overruns,
    };
  }

  /** Restore a snapshot; pending line events are scheduled again at their saved times. */
  loadState(s: UartState): void {
    for (const h of [this.txEvent, this.rxEvent, this.timeoutEvent, this.paceEvent]) if (h) this.timer.cancel(h);
    this.txEvent = this.rxEvent = this.timeoutEvent = this.paceEvent = 0;
    this.ier = s.ier; this.lcr = s.lcr; this.mcr = s.mcr; this.scr = s.scr; this.divisor = s.divisor; this.fcr = s.fcr;
    this.lsrErrors = s.lsrErrors; this.msrDelta = s.msrDelta; this.modemInputs = s.modemInputs; this.rbr = s.rbr;
    this.rx.fill(s.rx); this.tx.fill(s.tx); this.thrPending = s.thrPending; this.timeoutPending = s.timeoutPending;
    this.tsrBusy = s.tsrBusy; this.tsrByte = s.tsrByte;
    this.hostQueue = s.hostQueue.slice(); this.hostHead = 0; this.rxByte = s.rxByte;
    this.bytesTransmitted = s.bytesTransmitted; this.bytesReceived = s.bytesReceived; this.overruns = s.overruns;
    if (s.txDue >= 0) { this.txDue = s.txDue; this.txEvent = this.timer.schedule(s.txDue, this.txDone); }
    if (s.rxDue >= 0) { this.rxDue = s.rxDue; this.rxEvent = this.timer.schedule(s.rxDue, this.rxDone); }
    if (s.timeoutDue >= 0) { this.timeoutDue = s.timeoutDue; this.timeoutEvent = this.timer.schedule(s.timeoutDue, this.timeoutFired); }
    this.irqLevel = s.irqLevel;
    this.lineOpen = s.lineOpen;
    this.lastTxAt = s.lastTxAt;
    if (s.paceDue >= 0) { this.paceDue = s.paceDue; this.paceEvent = this.timer.schedule(s.paceDue, this.paceQuietEnd); }
    this.onIrq(this.irqLevel);
    this.updateIrq();
  }

  // ---------------------------------------------------------------------------------------------------
  // Host side
  // ---------------------------------------------------------------------------------------------------

  /** Queue bytes typed or piped on the host; they reach the receiver at the line rate. */
  receive(bytes: ArrayLike<number>): void {
    if (this.hostHead > 4096 && this.hostHead * 2 > this.hostQueue.length) {
      this.hostQueue = this.hostQueue.slice(this.hostHead);
      this.hostHead = 0;
    }
    for (let k = 0; k < bytes.length; k++) this.hostQueue.push(bytes[k] & 0xFF);
    this.pumpRx();
  }

  /** Put a host byte back at the front of the queue (its character was cut off). */
  private unreadHost(b: number): void {
    if (this.paceLines && (b === 0x0A || b === 0x0D)) this.lineOpen = true; // its line is still open
    if (this.hostHead > 0) this.hostQueue[--this.hostHead] = b;
    else this.hostQueue.unshift(b);
  }

  /**
   * The processor halted waiting for an interrupt. With paceLines, the next line of host input may start
   * if the guest is ready for it.
   */
  guestIdle(): void {
    if (!this.paceLines || this.lineOpen || this.hostHead >= this.hostQueue.length || !this.guestReady()) return;
    if (this.transmitting) return; // output still going: its own events wake the machine
    const quietAt = this.lastTxAt + PACE_QUIET_NS;
    if (this.timer.now() < quietAt) {
      if (!this.paceEvent) { this.paceDue = quietAt; this.paceEvent = this.timer.schedule(quietAt, this.paceQuietEnd); }
      return;
    }
    this.lineOpen = true;
    this.pumpRx();
  }

  /** Nothing to do but end an idle skip: a machine still idle then calls guestIdle() again. */
  private readonly paceQuietEnd = (): void => { this.paceEvent = 0; };

  /** Host bytes still waiting to enter the receiver (including one on the line). */
  get inputPending(): number { return this.hostQueue.length - this.hostHead + (this.rxEvent ? 1 : 0); }

  /** True while the transmitter holds or sends data. */
  get transmitting(): boolean { return this.tsrBusy || this.tx.count > 0; }

  /**
   * The machine is stopping: hand everything still in the transmitter (shift register, THR / XMIT
   * FIFO) to the host now, as the line would have done a few character times later.
   */
  drainTransmitter(): void {
    if (this.mcr & MCR_LOOP) return;
    if (this.tsrBusy) {
      this.timer.cancel(this.txEvent);
      this.txEvent = 0;
      this.tsrBusy = false;
      this.bytesTransmitted++;
      this.onTransmit(this.tsrByte);
    }
    while (this.tx.count > 0) {
      this.bytesTransmitted++;
      this.onTransmit(this.tx.pop());
    }
  }

  /** Current IRQ output level. */
  get irq(): boolean { return this.irqLevel; }

  /** Duration of one character on the line in ns, from the divisor and LCR (datasheet 8.1, 8.4). */
  charTimeNs(): number {
    const wordLen = 5 + (this.lcr & 3);
    const parity = this.lcr & 0x08 ? 1 : 0;
    // Stop bits: LCR bit 2 = 0 → 1; = 1 → 1.5 with 5-bit words, else 2. Counted in half bits.
    const stopHalf = !(this.lcr & 0x04) ? 2 : wordLen === 5 ? 3 : 4;
    const halfBits = 2 * (1 + wordLen + parity) + stopHalf;
    const div = this.divisor === 0 ? 0x10000 : this.divisor;
    return Math.max(1, Math.round((halfBits * div * 1e9) / (2 * BIT_RATE_DIV1 * this.lineSpeedup)));
  }

  // ---------------------------------------------------------------------------------------------------
  // Port access
  // ---------------------------------------------------------------------------------------------------

  in(port: number, size: 1 | 2 | 4): number {
    // An 8-bit ISA device: wider accesses are split into byte cycles by the bus.
    let v = this.read(port & 7);
    for (let k = 1; k < size; k++) v |= this.read((port + k) & 7) << (8 * k);
    return v;
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    for (let k = 0; k < size; k++) this.write((port + k) & 7, (value >>> (8 * k)) & 0xFF);
  }

  read(reg: number): number {
    switch (reg) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.divisor & 0xFF;
        return this.readRbr();
      case 1:
        if (this.lcr & LCR_DLAB) return this.divisor >>> 8;
        return this.ier;
      case 2: {
        const id = this.interruptId();
        // Reading IIR clears a THR-empty interrupt when it is the one reported (datasheet Table V).
        if (id === IIR_THRE) { this.thrPending = false; this.updateIrq(); }
        return id | (this.fcr & FCR_ENABLE ? IIR_FIFO : 0);
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr();
        if (this.lsrErrors) { this.lsrErrors = 0; this.updateIrq(); }
        return v;
      }
      case 6: {
        const v = this.modemInputs | this.msrDelta;
        if (this.msrDelta) { this.msrDelta = 0; this.updateIrq(); }
        return v;
      }
      default: return this.scr;
    }
  }

  write(reg: number, v: number): void {
    switch (reg) {
      case 0:
        if (this.lcr & LCR_DLAB) { this.divisor = (this.divisor & 0xFF00) | v; return; }
        this.writeThr(v);
        return;
      case 1: {
        if (this.lcr & LCR_DLAB) { this.divisor = (this.divisor & 0xFF) | (v << 8); return; }
        const old = this.ier;
        this.ier = v & 0x0F; // bits 7:4 are always 0 on the 16550A
        // Enabling ETBEI while THR is empty raises the THR-empty interrupt at once.
        if ((this.ier & IER_ETBEI) && !(old & IER_ETBEI) && this.tx.count === 0) this.thrPending = true;
        this.updateIrq();
        if (this.holdInput) this.pumpRx();
        return;
      }
      case 2: this.writeFcr(v); return;
      case 3: this.lcr = v; return;
      case 4: {
        const wasLoop = (this.mcr & MCR_LOOP) !== 0;
        this.mcr = v & 0x1F; // bits 7:5 are always 0
        this.setModemInputs(this.mcr & MCR_LOOP ? this.loopbackInputs() : HOST_MODEM_INPUTS);
        this.updateIrq();
        if ((wasLoop && !(this.mcr & MCR_LOOP)) || this.holdInput) this.pumpRx();
        return;
      }
      case 5: return; // LSR is read-only here (writes are a factory-test feature)
      case 6: return; // MSR: writes ignored
      default: this.scr = v; return;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------------

  private get fifoMode(): boolean { return (this.fcr & FCR_ENABLE) !== 0; }

  private lsr(): number {
    let v = this.lsrErrors;
    if (this.rx.count > 0) v |= LSR_DR;
    if (this.tx.count === 0) {
      v |= LSR_THRE;
      if (!this.tsrBusy) v |= LSR_TEMT;
    }
    // Bit 7 (error in RCVR FIFO) needs parity/framing/break errors, which this line never produces.
    return v;
  }

  /** IIR bits 3:0 by the datasheet's priority order (Table V). */
  private interruptId(): number {
    const ier = this.ier;
    if ((ier & IER_ELSI) && (this.lsrErrors & (LSR_OE | LSR_PE | LSR_FE | LSR_BI))) return IIR_LINE;
    if (ier & IER_ERBFI) {
      if (this.fifoMode) {
        if (this.rx.count >= RX_TRIGGER[this.fcr >>> 6]) return IIR_RDA;
        if (this.timeoutPending) return IIR_TIMEOUT;
      } else if (this.rx.count > 0) {
        return IIR_RDA;
      }
    }
    if ((ier & IER_ETBEI) && this.thrPending) return IIR_THRE;
    if ((ier & IER_EDSSI) && this.msrDelta) return IIR_MODEM;
    return IIR_NONE;
  }

  private updateIrq(): void {
    const gate = !this.out2Gates || ((this.mcr & MCR_OUT2) !== 0 && (this.mcr & MCR_LOOP) === 0);
    const level = gate && this.interruptId() !== IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.onIrq(level);
    }
  }

  private loopbackInputs(): number {
    // Loopback wiring (datasheet, MCR bit 4): RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.
    const m = this.mcr;
    return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) | (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
  }

  private setModemInputs(inputs: number): void {
    const changed = inputs ^ this.modemInputs;
    if (changed & MSR_CTS) this.msrDelta |= MSR_DCTS;
    if (changed & MSR_DSR) this.msrDelta |= MSR_DDSR;
    if ((changed & MSR_RI) && !(inputs & MSR_RI)) this.msrDelta |= MSR_TERI; // trailing edge only
    if (changed & MSR_DCD) this.msrDelta |= MSR_DDCD;
    this.modemInputs = inputs;
  }

  private writeFcr(v: number): void {
    const wasOn = this.fifoMode;
    const on = (v & FCR_ENABLE) !== 0;
    // Changing FCR0 clears both FIFOs; the other bits are programmed only while FCR0 is 1 (datasheet 8.5).
    if (on !== wasOn) { this.clearRx(); this.clearTx(); }
    if (on) {
      if (v & FCR_RX_RESET) this.clearRx();
      if (v & FCR_TX_RESET) this.clearTx();
      this.fcr = v & (FCR_ENABLE | FCR_DMA | 0xC0);
    } else {
      this.fcr = 0;
    }
    this.armTimeout();
    this.updateIrq();
    this.pumpRx();
  }

  private clearRx(): void {
    this.rx.clear();
    this.timeoutPending = false;
  }

  private clearTx(): void {
    // The shift register is not affected (datasheet 8.5, FCR bit 2).
    if (this.tx.count > 0) { this.tx.clear(); this.thrPending = true; }
  }

  // ---------------------------------------------------------------------------------------------------
  // Transmitter
  // ---------------------------------------------------------------------------------------------------

  private writeThr(v: number): void {
    if (this.fifoMode) {
      if (this.tx.count < FIFO_SIZE) this.tx.push(v); // a write to a full XMIT FIFO is lost
    } else {
      if (this.tx.count > 0) this.tx.clear(); // THR overwritten before it moved to the TSR
      this.tx.push(v);
    }
    this.thrPending = false;
    this.startTx();
    this.updateIrq();
  }

  /** Move the next byte from THR / XMIT FIFO into an idle shift register and put it on the line. */
  private startTx(): void {
    if (this.tsrBusy || this.tx.count === 0) return;
    this.tsrByte = this.tx.pop();
    this.tsrBusy = true;
    if (this.tx.count === 0) this.thrPending = true; // THR just became empty
    this.txDue = this.timer.now() + this.charTimeNs();
    this.txEvent = this.timer.schedule(this.txDue, this.txDone);
  }

  private readonly txDone = (): void => {
    this.txEvent = 0;
    this.tsrBusy = false;
    const b = this.tsrByte;
    this.bytesTransmitted++;
    this.lastTxAt = this.timer.now();
    if (this.mcr & MCR_LOOP) this.receiveChar(b & ((1 << (5 + (this.lcr & 3))) - 1));
    else this.onTransmit(b);
    this.startTx();
    this.updateIrq();
  };

  // ---------------------------------------------------------------------------------------------------
  // Receiver
  // ---------------------------------------------------------------------------------------------------

  private readRbr(): number {
    let v: number;
    if (this.rx.count > 0) {
      v = this.rx.pop();
      this.rbr = v;
    } else {
      v = this.fifoMode ? 0 : this.rbr;
    }
    this.timeoutPending = false;
    this.armTimeout();
    this.updateIrq();
    this.pumpRx();
    return v;
  }

  /** A character completed in the receiver shift register: into RBR / the RCVR FIFO, or an overrun. */
  private receiveChar(b: number): void {
    const capacity = this.fifoMode ? FIFO_SIZE : 1;
    if (this.rx.count >= capacity) {
      // FIFO mode: the FIFO keeps its contents and the new character is lost; non-FIFO mode: RBR is
      // overwritten (datasheet 8.4, LSR bit 1).
      this.lsrErrors |= LSR_OE;
      this.overruns++;
      if (!this.fifoMode) { this.rx.clear(); this.rx.push(b); }
    } else {
      this.rx.push(b);
    }
    this.bytesReceived++;
    // A new character restarts the timeout timer unless the timeout has already occurred: that one is
    // cleared only by reading the RCVR FIFO (datasheet 8.6).
    if (!this.timeoutPending) this.armTimeout();
  }

  private rxCapacity(): number { return this.fifoMode ? FIFO_SIZE : 1; }

  /** holdInput: is the guest ready for the next host character (see the header)? */
  private guestReady(): boolean {
    const m = this.mcr;
    if ((m & MCR_LOOP) || !(m & MCR_RTS) || !(this.ier & IER_ERBFI)) return false;
    if (this.out2Gates && !(m & MCR_OUT2)) return false;
    return this.rx.count < (this.fifoMode ? RX_TRIGGER[this.fcr >>> 6] : 1);
  }

  /** Start the next host character on the line if the receiver is free and has room for it. */
  private pumpRx(): void {
    if (this.rxEvent || (this.mcr & MCR_LOOP) || this.hostHead >= this.hostQueue.length) return;
    if (this.rx.count >= this.rxCapacity()) return;
    if (this.holdInput && !this.guestReady()) return;
    if (this.paceLines && !this.lineOpen) return;
    this.rxByte = this.hostQueue[this.hostHead++];
    if (this.paceLines && (this.rxByte === 0x0A || this.rxByte === 0x0D)) this.lineOpen = false;
    this.rxDue = this.timer.now() + this.charTimeNs();
    this.rxEvent = this.timer.schedule(this.rxDue, this.rxDone);
  }

  private readonly rxDone = (): void => {
    this.rxEvent = 0;
    if (this.mcr & MCR_LOOP) { this.unreadHost(this.rxByte); return; } // line disconnected meanwhile: resend later
    if (this.holdInput && !this.guestReady()) { this.unreadHost(this.rxByte); return; } // sent again when ready
    this.receiveChar(this.rxByte);
    this.updateIrq();
    this.pumpRx();
  };

  /**
   * Character timeout (FIFO mode): at least one character in the RCVR FIFO and neither a new character
   * nor a CPU read for 4 character times (datasheet 8.6, "FIFO interrupt mode operation").
   */
  private armTimeout(): void {
    if (this.timeoutEvent) { this.timer.cancel(this.timeoutEvent); this.timeoutEvent = 0; }
    if (!this.fifoMode || this.rx.count === 0) return;
    this.timeoutDue = this.timer.now() + 4 * this.charTimeNs();
    this.timeoutEvent = this.timer.schedule(this.timeoutDue, this.timeoutFired);
  }

  private readonly timeoutFired = (): void => {
    this.timeoutEvent = 0;
    if (this.fifoMode && this.rx.count > 0) {
      this.timeoutPending = true;
      this.updateIrq();
    }
  };
}
