// The Intel 8259A Programmable Interrupt Controller pair of the PC/AT: the master at ports 0x20/0x21,
// the slave at 0xA0/0xA1 cascaded on the master's IR2, and the chipset's Edge/Level Control Registers
// (ELCR, as on the Intel PIIX/PIIX3) at 0x4D0 (IRQ 0-7) and 0x4D1 (IRQ 8-15).
//
// Wiring (for src/platform/pc.ts):
//   const pic = new PicPair((level) => cpu.setIntr(level));  // drives the CPU's INTR line
//   pic.register(io);                                        // 0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1
//   cpu.pic = pic;                                           // acknowledge() is the INTA cycle
//   devices call pic.setIrq(irq, level)                      // irq 0..15; level = the line's state
//   pic.delivered / pic.spurious count INTA cycles (for --stats)
// A new PicPair is in the state a PC BIOS leaves before the boot loader runs (see reset()).
// saveState()/loadState() return and take plain data.
//
// Rules (Intel 8259A datasheet, "Programmable Interrupt Controller", order no. 231468):
// - Initialization: ICW1 (A0=0, D4=1) starts the sequence: IMR and ISR cleared, IR7 lowest priority,
//   special mask mode off, status read = IRR, the edge-sense latches reset (an input that is already
//   high must go low and high again to request in edge mode). Then ICW2 (vector bits T7-T3), ICW3 (if
//   SNGL=0; master: one bit per slave input, slave: its ID), ICW4 (if IC4=1: uPM, AEOI, M/S, BUF, SFNM).
//   If IC4=0 the ICW4 functions are zero. The vector is always formed as in 8086 mode (T7-T3 | level):
//   the MCS-80/85 CALL sequence has no meaning on an x86 bus.
// - OCW1 (A0=1 once initialized) is the IMR. OCW2 (A0=0, D4-D3=00): R/SL/EOI = 001 non-specific EOI,
//   011 specific EOI, 101 rotate on non-specific EOI, 111 rotate on specific EOI, 110 set priority,
//   100/000 set/clear rotate in automatic EOI mode, 010 no operation. OCW3 (A0=0, D4-D3=01): ESMM/SMM
//   special mask mode, P poll, RR/RIS read IRR or ISR at A0=0; A0=1 reads return the IMR.
// - Triggering: an input is level-sensitive if ICW1.LTIM is set or its ELCR bit is set; otherwise it
//   is edge-sensitive: the rising edge sets the edge-sense latch, and the request (IRR bit) is that
//   latch AND the input still being high ("the IR input must remain high until after the falling edge
//   of the first INTA"). A request that went away before INTA makes the INTA return the spurious level 7
//   vector (base + 7) without setting an ISR bit. In level mode the IRR bit follows the input.
// - Priority: fully nested with rotation; a request is serviced if its priority is higher than every
//   in-service level (ISR). In special mask mode every unmasked level not itself in service may be
//   serviced ("enables interrupts from all other levels (lower as well as higher) that are not masked").
//   In special fully nested mode (master, ICW4.SFNM) a cascade input already in service is not blocked
//   by its own ISR bit, so a higher-priority request inside the slave gets through.
// - INTA: the highest request's IRR edge latch is cleared and its ISR bit set (not kept with AEOI; with
//   rotate-in-AEOI the level becomes lowest priority). If that level is a cascade input (master, SNGL=0,
//   ICW3 bit set) the slave whose ICW3 ID equals it supplies the vector; a slave whose request went away
//   supplies its spurious vector (slave base + 7): the master's IR2 stays in service, so a handler of
//   IRQ 15 must still EOI the master. No slave with that ID: the data bus floats (0xFF). The slave's INT
//   output drops during its INTA, so the master's IR2 sees a fresh edge if the slave still requests.
// - In this synchronous model INTR always reflects the current requests; a spurious INTA arises when
//   the CPU runs an INTA cycle for a request that has been withdrawn since it sampled INTR.
// - Poll: a read of A0=0 after OCW3 with P=1 acts as INTA on that chip and returns 1000 0www (the
//   level) or, with no request, 0000 0111.
// - ELCR (PIIX3 datasheet, 4.1.x ELCR1/ELCR2): bits of IRQ 0, 1, 2, 8 and 13 are reserved and read 0
//   (those lines are always edge triggered).
// - The AT bus's IRQ2 pin is wired to the slave's IR1 (IRQ 9): setIrq(2, ...) drives IRQ 9.

import type { IoBus, PortDevice } from './io-bus.ts';
import { splitIn, splitOut } from './io-bus.ts';

const ICW1_IC4 = 0x01, ICW1_SNGL = 0x02, ICW1_LTIM = 0x08;
const ICW4_AEOI = 0x02, ICW4_SFNM = 0x10;

export interface Pic8259State {
  icw1: number; icw2: number; icw3: number; icw4: number; initStep: number;
  imr: number; isr: number; lines: number; edge: number; elcr: number; lowest: number;
  readIsr: boolean; poll: boolean; specialMask: boolean; rotateAeoi: boolean;
}

/** One 8259A. The pair (PicPair) wires two of them; use that. */
export class Pic8259 {
  icw1 = 0; icw2 = 0; icw3 = 0; icw4 = 0;
  /** 0: operational; 2, 3, 4: the ICW expected next at A0=1. */
  initStep = 0;
  imr = 0;
  isr = 0;
  /** Current level of each IR input. */
  lines = 0;
  /** Edge-sense latches (set on a rising edge, cleared by INTA, ICW1, or the input going low). */
  edge = 0;
  /** Level-triggered inputs per the chipset's ELCR. */
  elcr = 0;
  /** The lowest-priority level (7 after ICW1); level (lowest+1)&7 has the highest priority. */
  lowest = 7;
  readIsr = false;
  poll = false;
  specialMask = false;
  rotateAeoi = false;

  constructor(readonly isMaster: boolean, readonly elcrMask: number) {}

  /** Inputs that are level-sensitive. */
  get levelMask(): number {
    return this.icw1 & ICW1_LTIM ? 0xFF : this.elcr;
  }

  /** Interrupt request register. */
  get irr(): number {
    const lvl = this.levelMask;
    return ((this.edge & this.lines & ~lvl) | (this.lines & lvl)) & 0xFF;
  }

  setLine(ir: number, level: boolean): void {
    const bit = 1 << ir;
    if (level) {
      if (!(this.lines & bit)) this.edge |= bit;
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
      this.edge &= ~bit;
    }
  }

  /** Is level `ir` a cascade input with a slave on it? */
  isCascade(ir: number): boolean {
    return this.isMaster && !(this.icw1 & ICW1_SNGL) && (this.icw3 & (1 << ir)) !== 0;
  }

  /** Interrupt vector of level `ir`. */
  vector(ir: number): number {
    return (this.icw2 & 0xF8) | (ir & 7);
  }

  /** The highest-priority level set in `bits`, or -1. */
  highest(bits: number): number {
    if (!(bits & 0xFF)) return -1;
    for (let k = 0; k < 8; k++) {
      const ir = (this.lowest + 1 + k) & 7;
      if (bits & (1 << ir)) return ir;
    }
    return -1;
  }

  /** Priority rank of a level: 0 is the highest. */
  private rank(ir: number): number {
    return (ir - this.lowest - 1) & 7;
  }

  /** The level the chip would service now (its INT output is high), or -1. */
  pick(): number {
    let req = this.irr & ~this.imr & 0xFF;
    if (!req) return -1;
    if (this.specialMask) return this.highest(req & ~this.isr);
    const r = this.highest(req);
    const s = this.highest(this.isr);
    if (s < 0 || this.rank(r) < this.rank(s)) return r;
    if (r === s && this.icw4 & ICW4_SFNM && this.isCascade(r)) return r;
    return -1;
  }

  /** The chip's INTA response: the level acknowledged, or -1 if no request is there (spurious). */
  ackLevel(): number {
    const r = this.pick();
    if (r < 0) return -1;
    const bit = 1 << r;
    this.edge &= ~bit;
    if (this.icw4 & ICW4_AEOI) {
      if (this.rotateAeoi) this.lowest = r;
    } else {
      this.isr |= bit;
    }
    return r;
  }

  read(a0: number): number {
    if (a0) return this.imr;
    if (this.poll) {
      this.poll = false;
      const r = this.ackLevel();
      return r < 0 ? 0x07 : 0x80 | r;
    }
    return this.readIsr ? this.isr : this.irr;
  }

  write(a0: number, v: number): void {
    v &= 0xFF;
    if (!a0) {
      if (v & 0x10) this.icw1Write(v);
      else if (v & 0x08) this.ocw3(v);
      else this.ocw2(v);
      return;
    }
    switch (this.initStep) {
      case 2:
        this.icw2 = v;
        this.initStep = !(this.icw1 & ICW1_SNGL) ? 3 : this.icw1 & ICW1_IC4 ? 4 : 0;
        break;
      case 3:
        this.icw3 = v;
        this.initStep = this.icw1 & ICW1_IC4 ? 4 : 0;
        break;
      case 4:
        this.icw4 = v;
        this.initStep = 0;
        break;
      default:
        this.imr = v;
    }
  }

  private icw1Write(v: number): void {
    this.icw1 = v;
    this.icw4 = 0;
    this.imr = 0;
    this.isr = 0;
    this.edge = 0;
    this.lowest = 7;
    this.readIsr = false;
    this.poll = false;
    this.specialMask = false;
    this.rotateAeoi = false;
    this.initStep = 2;
  }

  private ocw2(v: number): void {
    const l = v & 7;
    switch (v >> 5) {
      case 0: this.rotateAeoi = false; break;
      case 4: this.rotateAeoi = true; break;
      case 1: case 5: { // non-specific EOI (5: and rotate)
        const s = this.highest(this.isr);
        if (s >= 0) {
          this.isr &= ~(1 << s);
          if (v & 0x80) this.lowest = s;
        }
        break;
      }
      case 3: this.isr &= ~(1 << l); break; // specific EOI
      case 7: this.isr &= ~(1 << l); this.lowest = l; break; // rotate on specific EOI
      case 6: this.lowest = l; break; // set priority
      default: break; // 2: no operation
    }
  }

  private ocw3(v: number): void {
    if (v & 0x40) this.specialMask = (v & 0x20) !== 0;
    if (v & 0x04) this.poll = true;
    if (v & 0x02) this.readIsr = (v & 0x01) !== 0;
  }

  saveState(): Pic8259State {
    const { icw1, icw2, icw3, icw4, initStep, imr, isr, lines, edge, elcr, lowest, readIsr, poll, specialMask, rotateAeoi } = this;
    return { icw1, icw2, icw3, icw4, initStep, imr, isr, lines, edge, elcr, lowest, readIsr, poll, specialMask, rotateAeoi };
  }

  loadState(s: Pic8259State): void {
    Object.assign(this, s);
  }
}

export interface PicPairState {
  master: Pic8259State;
  slave: Pic8259State;
  intr: boolean;
  delivered: number;
  spurious: number;
}

export class PicPair implements PortDevice {
  readonly master = new Pic8259(true, 0xF8);
  readonly slave = new Pic8259(false, 0xDE);
  /** Current level of the INTR output. */
  intr = false;
  /** INTA cycles that returned a real vector / a spurious one. */
  delivered = 0;
  spurious = 0;

  constructor(private readonly onIntr: (level: boolean) => void = () => {}, biosState = true) {
    this.reset(biosState);
  }

  /**
   * Power-on reset. With `biosState` (the default) both chips are then initialised as a PC BIOS leaves
   * them for a boot loader: master ICW 0x11, 0x08, 0x04, 0x01 (vectors 0x08-0x0F); slave 0x11, 0x70,
   * 0x02, 0x01 (vectors 0x70-0x77); every line masked except the cascade (IMR 0xFB / 0xFF). Without it
   * the chips are zeroed and operational (vector base 0, nothing masked) until the guest programs them.
   */
  reset(biosState = true): void {
    for (const c of [this.master, this.slave]) {
      c.loadState({
        icw1: 0, icw2: 0, icw3: 0, icw4: 0, initStep: 0, imr: 0, isr: 0, lines: c.lines, edge: 0, elcr: 0,
        lowest: 7, readIsr: false, poll: false, specialMask: false, rotateAeoi: false,
      });
    }
    if (biosState) {
      for (const [port, v] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0x21, 0xFB],
        [0xA0, 0x11], [0xA1, 0x70], [0xA1, 0x02], [0xA1, 0x01], [0xA1, 0xFF]] as const) {
        this.chip(port).write(port & 1, v);
      }
    }
    this.update();
  }

  register(io: IoBus): void {
    io.register(0x20, 2, this);
    io.register(0xA0, 2, this);
    io.register(0x4D0, 2, this);
  }

  /** Drive interrupt line `irq` (0-15) to `level`. Edge-triggered inputs latch on the rising edge. */
  setIrq(irq: number, level: boolean): void {
    irq &= 15;
    if (irq === 2) irq = 9; // the AT bus's IRQ2 pin is wired to IRQ 9
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq & 7, level);
    this.update();
  }

  /** Pulse a line: raise then lower it (an edge-triggered request that the device does not hold). */
  pulseIrq(irq: number): void {
    this.setIrq(irq, true);
    this.setIrq(irq, false);
  }

  /** The INTA cycle: returns the vector of the highest-priority request (or a spurious vector). */
  acknowledge(): number {
    const m = this.master.ackLevel();
    let vec: number;
    if (m < 0) {
      this.spurious++;
      vec = this.master.vector(7);
    } else if (this.master.isCascade(m)) {
      if ((this.slave.icw3 & 7) === m) {
        const s = this.slave.ackLevel();
        // The slave's INT output falls while it is acknowledged (its IRR bit is reset); if it still
        // has a request afterwards (AEOI, or a higher level), update() raises IR2 again: a new edge.
        this.master.setLine(m, false);
        if (s < 0) {
          this.spurious++;
          vec = this.slave.vector(7);
        } else {
          this.delivered++;
          vec = this.slave.vector(s);
        }
      } else {
        this.spurious++;
        vec = 0xFF;
      }
    } else {
      this.delivered++;
      vec = this.master.vector(m);
    }
    this.update();
    return vec;
  }

  in(port: number, size: 1 | 2 | 4): number {
    return splitIn(port, size, (p) => this.in8(p));
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    splitOut(port, size, value, (p, v) => this.out8(p, v));
  }

  private in8(port: number): number {
    if (port === 0x4D0) return this.master.elcr;
    if (port === 0x4D1) return this.slave.elcr;
    const v = this.chip(port).read(port & 1);
    this.update(); // a poll read is an acknowledge
    return v;
  }

  private out8(port: number, value: number): void {
    if (port === 0x4D0) this.master.elcr = value & this.master.elcrMask;
    else if (port === 0x4D1) this.slave.elcr = value & this.slave.elcrMask;
    else this.chip(port).write(port & 1, value);
    this.update();
  }

  /** IRR / ISR / IMR of the pair as 16-bit values (IRQ n = bit n), for tests and debugging. */
  get irr(): number { return this.master.irr | (this.slave.irr << 8); }
  get isr(): number { return this.master.isr | (this.slave.isr << 8); }
  get imr(): number { return this.master.imr | (this.slave.imr << 8); }

  private chip(port: number): Pic8259 {
    return port & 0x80 ? this.slave : this.master;
  }

  /** Propagate the slave's INT output to the master's IR2 and the master's INT output to the CPU. */
  private update(): void {
    this.master.setLine(2, this.slave.pick() >= 0);
    const out = this.master.pick() >= 0;
    if (out !== this.intr) {
      this.intr = out;
      this.onIntr(out);
    }
  }

  saveState(): PicPairState {
    return {
      master: this.master.saveState(), slave: this.slave.saveState(), intr: this.intr,
      delivered: this.delivered, spurious: this.spurious,
    };
  }

  loadState(s: PicPairState): void {
    this.master.loadState(s.master);
    this.slave.loadState(s.slave);
    this.delivered = s.delivered;
    this.spurious = s.spurious;
    this.intr = s.intr;
    this.onIntr(this.intr);
    this.update();
  }
}
