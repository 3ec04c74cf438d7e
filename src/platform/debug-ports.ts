// Small diagnostic ports found on PCs and in emulators:
//   0x80        POST code port: BIOSes and kernels write progress codes (and Linux writes it as an I/O
//               delay). On the PC/AT it is an unused DMA page register (74LS612), so reads return the
//               last value written.
//   0xE9        Bochs/QEMU debug console ("port E9 hack"): each byte written goes to the host; reads
//               return 0xE9 so a guest can detect the port.
//   0xF4-0xF7   QEMU's isa-debug-exit (iobase=0xf4, iosize=4): a write of v stops the machine with exit
//               status (v << 1) | 1, so a guest can report success or failure to a test harness. Reads
//               return 0.

import type { IoBus, PortDevice } from './io-bus.ts';

export class PostPort implements PortDevice {
  /** The last POST code written. */
  code = 0;
  /** Number of writes (a cheap progress indicator). */
  writes = 0;
  constructor(private readonly onPost?: (code: number) => void) {}
  in(_port: number, _size: 1 | 2 | 4): number { return this.code; }
  out(_port: number, _size: 1 | 2 | 4, v: number): void {
    this.code = v & 0xFF;
    this.writes++;
    this.onPost?.(this.code);
  }
}

export class DebugConsole implements PortDevice {
  constructor(private readonly onByte: (byte: number) => void) {}
  in(_port: number, _size: 1 | 2 | 4): number { return 0xE9; }
  out(_port: number, size: 1 | 2 | 4, v: number): void {
    // A wider OUT sends its bytes in order, lowest first (the bus splits it into byte cycles).
    for (let k = 0; k < size; k++) this.onByte((v >>> (8 * k)) & 0xFF);
  }
}

export class DebugExit implements PortDevice {
  /** The exit status requested, or null while the guest has not written the port. */
  status: number | null = null;
  constructor(private readonly onExit: (status: number) => void) {}
  in(_port: number, _size: 1 | 2 | 4): number { return 0; }
  out(_port: number, size: 1 | 2 | 4, v: number): void {
    const value = size === 1 ? v & 0xFF : size === 2 ? v & 0xFFFF : v >>> 0;
    // QEMU computes (value << 1) | 1 as an int and exits with it; the host keeps its low 8 bits.
    this.status = ((value << 1) | 1) >>> 0;
    this.onExit(this.status);
  }
}

export interface DebugPortsOptions {
  onPost?: (code: number) => void;
  onDebugConsole?: (byte: number) => void;
  onExit: (status: number) => void;
}

/** Register the three ports at their usual addresses. */
export function registerDebugPorts(io: IoBus, opts: DebugPortsOptions): { post: PostPort; console: DebugConsole; exit: DebugExit } {
  const post = new PostPort(opts.onPost);
  const con = new DebugConsole(opts.onDebugConsole ?? (() => {}));
  const exit = new DebugExit(opts.onExit);
  io.register(0x80, 1, post);
  io.register(0xE9, 1, con);
  io.register(0xF4, 4, exit);
  return { post, console: con, exit };
}
