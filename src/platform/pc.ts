// The PC: physical memory with the PC memory map, the I/O-port bus, the processor, and the legacy
// devices at their real ports and IRQs, all on one virtual-time event queue. No Node built-ins: the
// console is a pair of callbacks, the host clock (wall-clock mode only) is a function.
//
//   memory   0x00000-0x9FFFF conventional RAM, 0xA0000-0xBFFFF VGA window (plain RAM: no VGA here),
//            0xC0000-0xFFFFF ROM area (reads RAM, ignores writes), extended RAM from 1 MiB
//   ports    0x20/0xA0 PIC pair (+ ELCR 0x4D0), 0x40-0x43 PIT, 0x61 system control port B, 0x60/0x64
//            i8042, 0x70/0x71 CMOS/RTC, 0x80 POST, 0x92 system control port A, 0xE9 debug console,
//            0xF4 isa-debug-exit, 0x3F8 COM1, 0xF0 (write: clear the FPU error latch)
//   IRQs     0 PIT channel 0, 1 keyboard, 4 COM1, 8 RTC, 12 PS/2 mouse, 13 FPU error (FERR#, CR0.NE = 0)
//
// Time: virtual nanoseconds = instructions retired (1 ns each) + idle time skipped while the CPU is
// halted. run() executes the CPU in slices that end exactly at the next scheduled device event, so a
// device sees the same times on every run. In wall-clock mode time also follows a host clock: at slice
// boundaries it jumps forward to the host's elapsed time, and a halted CPU waits (run() returns 'wait'
// and the caller sleeps) instead of skipping ahead.

import { CPU, Stop } from '../cpu/cpu.ts';
import { IF } from '../cpu/regs.ts';
import { PhysicalMemory } from './memory.ts';
import { IoBus } from './io-bus.ts';
import { Scheduler } from './scheduler.ts';
import { PicPair } from './pic8259.ts';
import { Pit8254 } from './pit8254.ts';
import { Port61 } from './port61.ts';
import { CmosRtc } from './cmos-rtc.ts';
import { Uart16550 } from './uart16550.ts';
import { I8042 } from './i8042.ts';
import { Port92 } from './port92.ts';
import { registerDebugPorts, type PostPort, type DebugExit } from './debug-ports.ts';

export const DEFAULT_MEM_SIZE = 128 * 1024 * 1024;
/** Smallest memory: conventional memory plus 1 MiB of extended memory. */
export const MIN_MEM_SIZE = 2 * 1024 * 1024;
/** Largest memory: RAM must stay below the PCI/APIC window at 0xC0000000 (3 GiB). */
export const MAX_MEM_SIZE = 0xC0000000;

export const COM1_BASE = 0x3F8;
export const IRQ_PIT = 0, IRQ_KEYBOARD = 1, IRQ_COM1 = 4, IRQ_RTC = 8, IRQ_MOUSE = 12, IRQ_FPU = 13;

/** Longest CPU slice between checks of the event queue (instructions). */
const MAX_SLICE = 1 << 22;
/** In wall-clock mode slices are short so that host time is sampled often. */
const WALL_SLICE = 50_000;

export interface PCConfig {
  /** RAM size in bytes (multiple of 4 KiB, 2 MiB .. 3 GiB). Default 128 MiB. */
  memSize?: number;
  /** Bytes the guest transmits on COM1. */
  serialOut?: (byte: number) => void;
  /** Bytes the guest writes to the debug console port 0xE9 (default: the serial sink). */
  debugConsoleOut?: (byte: number) => void;
  /** POST codes written to port 0x80. */
  onPost?: (code: number) => void;
  /**
   * Wall-clock mode: a monotonic host clock in ns. Virtual time then follows it (never falls behind it)
   * and a halted CPU waits for real time to pass. Without it, time is purely virtual and deterministic.
   */
  hostClock?: () => number;
  /** What the RTC reads at virtual time 0, in Unix seconds (UTC). Default: a fixed date, for determinism. */
  rtcStartTime?: number;
  /** COM1's line runs this many times faster than its divisor says (uart16550.ts UartOptions.lineSpeedup). */
  serialLineSpeedup?: number;
  /** COM1 holds host input until the guest is ready for it (uart16550.ts UartOptions.holdInput). Default false. */
  serialHoldInput?: boolean;
  /** With serialHoldInput: host input a line at a time, each when the processor idles (UartOptions.paceLines). */
  serialPaceLines?: boolean;
  /** Translate hot code into JavaScript (cpu.jit); default: src/cpu/jit/jit-config.ts (TRAPEZE_JIT). */
  jit?: boolean;
}

/** Why run() returned. */
export type StopReason =
  /** The instruction budget given to run() is used up. */
  | 'limit'
  /** Virtual time reached the `untilNs` given to run(). */
  | 'time'
  /** The guest wrote to isa-debug-exit (exitStatus). */
  | 'exit'
  /**
   * HLT with interrupts disabled, or with every PIC input masked: nothing can wake the processor (there
   * is no NMI source): the guest has powered off.
   */
  | 'halted'
  /** Triple fault: the processor entered the shutdown state. */
  | 'shutdown'
  /** The guest pulsed the reset line (i8042 0xFE, output port, port 0x92): stopped as QEMU -no-reboot. */
  | 'reset'
  /** HLT with interrupts enabled and no device event pending: only host input can wake the guest. */
  | 'idle'
  /** Wall-clock mode: halted until the next event, waitNs of host time from now. */
  | 'wait';

export interface RunResult {
  reason: StopReason;
  /** For 'exit': the isa-debug-exit status (value << 1) | 1. */
  exitStatus?: number;
  /** For 'wait': host ns until the next device event is due. */
  waitNs?: number;
  /** For 'reset': which device asked; for 'halted': why nothing can wake the processor. */
  detail?: string;
}

export interface PCStats {
  /** Instructions retired. */
  instructions: number;
  /** Interrupt acknowledge cycles (interrupts delivered through the PIC, spurious ones included). */
  interrupts: number;
  /** Spurious interrupts among them. */
  spuriousInterrupts: number;
  /** Virtual time in ns. */
  virtualNs: number;
  /** Of which spent halted. */
  idleNs: number;
}

export class PC {
  readonly memSize: number;
  readonly mem: PhysicalMemory;
  readonly io: IoBus;
  readonly cpu: CPU;
  readonly scheduler: Scheduler;
  readonly pic: PicPair;
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly rtc: CmosRtc;
  readonly uart: Uart16550;
  readonly kbc: I8042;
  readonly port92: Port92;
  readonly post: PostPort;
  readonly debugExit: DebugExit;

  /** Virtual ns spent halted (plus, in wall-clock mode, the host time the emulation lagged). */
  private idleNs = 0;
  private readonly hostClock: (() => number) | null;
  private hostStart = 0;
  /** Inside cpu.run(): device stop requests and earlier events must cut the slice short. */
  private inCpu = false;
  /** A stop requested by a device (debug exit, reset): sticky, the machine does not run again. */
  private stopped: RunResult | null = null;

  constructor(config: PCConfig = {}) {
    const memSize = config.memSize ?? DEFAULT_MEM_SIZE;
    if (!Number.isInteger(memSize) || memSize % 4096 !== 0 || memSize < MIN_MEM_SIZE || memSize > MAX_MEM_SIZE) {
      throw new RangeError(`memory size must be a multiple of 4 KiB between 2 MiB and 3 GiB, got ${memSize}`);
    }
    this.memSize = memSize;
    this.mem = new PhysicalMemory(memSize);
    // The BIOS ROM area: readable, not writable (its contents stay zero: there is no BIOS here).
    this.mem.markRom(0xC0000, 0x40000);
    this.io = new IoBus();
    this.cpu = new CPU(this.mem, this.io);
    if (config.jit !== undefined) this.cpu.jit = config.jit;
    this.hostClock = config.hostClock ?? null;
    if (this.hostClock) this.hostStart = this.hostClock();

    const cpu = this.cpu;
    this.scheduler = new Scheduler(() => cpu.icount + this.idleNs);
    this.scheduler.onEarlier = () => { if (this.inCpu) cpu.requestStop(Stop.Request); };

    this.pic = new PicPair((level) => cpu.setIntr(level));
    this.pic.register(this.io);
    cpu.pic = this.pic;

    this.pit = new Pit8254(this.scheduler, (level) => this.pic.setIrq(IRQ_PIT, level));
    this.pit.register(this.io);
    this.port61 = new Port61(this.pit, this.scheduler);
    this.port61.register(this.io);

    this.rtc = new CmosRtc(this.scheduler, (level) => this.pic.setIrq(IRQ_RTC, level), { ramSize: memSize, startTime: config.rtcStartTime });
    this.rtc.register(this.io);

    const serialOut = config.serialOut ?? (() => {});
    this.uart = new Uart16550(this.scheduler, { onTransmit: serialOut, onIrq: (l) => this.pic.setIrq(IRQ_COM1, l),
      lineSpeedup: config.serialLineSpeedup, holdInput: config.serialHoldInput, paceLines: config.serialPaceLines });
    this.io.register(COM1_BASE, 8, this.uart);

    this.kbc = new I8042({
      onIrq1: (l) => this.pic.setIrq(IRQ_KEYBOARD, l),
      onIrq12: (l) => this.pic.setIrq(IRQ_MOUSE, l),
      onA20: () => this.updateA20(),
      onReset: () => this.requestStop({ reason: 'reset', detail: 'keyboard controller' }),
    });
    this.io.register(0x60, 1, this.kbc);
    this.io.register(0x64, 1, this.kbc);
    this.port92 = new Port92({
      onA20: () => this.updateA20(),
      onReset: () => this.requestStop({ reason: 'reset', detail: 'port 0x92' }),
    });
    this.io.register(0x92, 1, this.port92);

    const dbg = registerDebugPorts(this.io, {
      onPost: config.onPost,
      onDebugConsole: config.debugConsoleOut ?? serialOut,
      onExit: (status) => this.requestStop({ reason: 'exit', exitStatus: status }),
    });
    this.post = dbg.post;
    // FPU errors the PC/AT way (SDM vol. 1 §8.7, Appendix D): with CR0.NE = 0 the FPU's FERR# sets a latch
    // that drives IRQ 13; a write to port F0h clears it (and asserts IGNNE#: the FPU continues).
    cpu.ferr = (asserted) => { if (asserted) this.pic.setIrq(IRQ_FPU, true); };
    this.io.register(0xF0, 1, { in: () => 0xFF, out: () => this.pic.setIrq(IRQ_FPU, false) });
    this.debugExit = dbg.exit;
    this.updateA20();
  }

  /** Current virtual time in ns. */
  now(): number {
    return this.cpu.icount + this.idleNs;
  }

  /** Host bytes for the guest's serial console (they enter COM1's receiver at the line rate). */
  sendSerial(bytes: ArrayLike<number>): void {
    this.uart.receive(bytes);
  }

  stats(): PCStats {
    return {
      instructions: this.cpu.icount,
      interrupts: this.pic.delivered + this.pic.spurious,
      spuriousInterrupts: this.pic.spurious,
      virtualNs: this.now(),
      idleNs: this.idleNs,
    };
  }

  /** The A20 line is enabled when the keyboard controller or port 0x92 enables it (the chipset ORs them). */
  private updateA20(): void {
    const mask = this.kbc.a20 || this.port92.a20 ? -1 : 0xFFEFFFFF | 0;
    if (mask !== this.cpu.a20Mask) {
      this.cpu.a20Mask = mask;
      this.cpu.flushTlb(true);
    }
  }

  private requestStop(r: RunResult): void {
    if (!this.stopped) this.stopped = r;
    if (this.inCpu) this.cpu.requestStop(Stop.Request);
  }

  /** IRQ lines (bit n = IRQ n) that can reach the processor through the PIC masks. */
  private unmaskedIrqs(): number {
    const m = ~this.pic.imr & 0xFFFF;
    return (m & 0xFB) | (m & 0x04 ? m & 0xFF00 : 0);
  }

  /** The machine stops for good: bytes still in the UART's transmitter reach the host. */
  private finish(r: RunResult): RunResult {
    this.uart.drainTransmitter();
    return r;
  }

  /** Wall-clock mode: let virtual time catch up with the host's elapsed time. */
  private followHost(): void {
    if (!this.hostClock) return;
    const host = this.hostClock() - this.hostStart;
    const lag = host - this.now();
    if (lag > 0) this.addIdle(lag);
  }

  /**
   * Virtual time passes without instructions (halted, or catching up with the host). The TSC counts time,
   * not instructions (SDM vol. 3B §18.17: constant rate), so it advances too: a kernel that checks its
   * TSC clocksource against the PIT (Linux's clocksource watchdog) sees them agree.
   */
  private addIdle(ns: number): void {
    this.idleNs += ns;
    this.cpu.tscOffset += ns;
  }

  /**
   * Run until something the caller must handle: at most `maxInsns` instructions, and not beyond
   * virtual time `untilNs`. Device events are dispatched at their exact virtual times. Idle time skipped
   * while halted does not count against `maxInsns`: a guest that sleeps through device events that never
   * wake it would keep run() busy, so give `untilNs` whenever the guest may idle (the CLI always does).
   * Where the slices end does not change what the guest sees: same calls or not, same run.
   */
  run(maxInsns = Infinity, untilNs = Infinity): RunResult {
    const cpu = this.cpu;
    const sched = this.scheduler;
    const endIcount = cpu.icount + maxInsns;
    for (;;) {
      this.followHost();
      sched.runDue(this.now());
      if (this.stopped) return this.finish(this.stopped);
      if (cpu.shutdown) return this.finish({ reason: 'shutdown' });
      const now = this.now();
      if (now >= untilNs) return { reason: 'time' };
      const remaining = endIcount - cpu.icount;
      if (remaining <= 0) return { reason: 'limit' };

      let limit = Math.min(remaining, sched.nextEventTime() - now, untilNs - now, this.hostClock ? WALL_SLICE : MAX_SLICE);
      if (limit < 1) limit = 1;
      this.inCpu = true;
      let stop: Stop;
      try {
        cpu.pollInterrupt(); // an IRQ raised by the events just dispatched is taken at this boundary
        stop = cpu.run(limit);
      } finally {
        this.inCpu = false;
      }
      if (stop === Stop.Shutdown) return this.finish({ reason: 'shutdown' });
      if (stop !== Stop.Halt) continue; // Limit: the slice ended at an event or a bound; Request: re-check

      // Halted. HLT with IF=0 can only end by NMI, SMI or reset, none of which this machine raises.
      if (!(cpu.flags & IF)) {
        sched.runDue(this.now());
        return this.finish(this.stopped ?? { reason: 'halted' });
      }
      if (this.unmaskedIrqs() === 0) {
        // Every PIC input is masked: no device can ever wake the processor.
        return this.finish(this.stopped ?? { reason: 'halted', detail: 'all interrupts masked' });
      }
      // The guest waits for an interrupt: paced serial input may send its next line now.
      this.uart.guestIdle();
      const next = sched.nextEventTime();
      if (next === Infinity) return { reason: 'idle' };
      if (this.hostClock) {
        const wait = next - (this.hostClock() - this.hostStart);
        if (wait > 0) return { reason: 'wait', waitNs: Math.min(wait, untilNs - this.now()) };
        continue;
      }
      // Skip the idle time to the next event (or to the caller's time bound).
      const target = Math.min(next, untilNs);
      if (target > this.now()) this.addIdle(target - this.now());
    }
  }
}
