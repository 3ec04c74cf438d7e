// The I/O-port bus: devices register handlers for port ranges at their real addresses. Unclaimed ports
// read all ones and ignore writes, as on a PC whose ISA bus floats high.

export interface PortDevice {
  /** Read `size` bytes from `port` (which lies in the device's range). */
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
}

/**
 * A 16- or 32-bit access to a byte-wide device: the ISA bus splits it into consecutive byte accesses,
 * low byte first. Devices whose registers are all 8 bits wide implement in/out with these.
 */
export function splitIn(port: number, size: 1 | 2 | 4, in8: (port: number) => number): number {
  if (size === 1) return in8(port);
  let v = 0;
  for (let i = 0; i < size; i++) v |= in8(port + i) << (8 * i);
  return v;
}

export function splitOut(port: number, size: 1 | 2 | 4, value: number, out8: (port: number, v: number) => void): void {
  for (let i = 0; i < size; i++) out8(port + i, (value >>> (8 * i)) & 0xFF);
}

export class IoBus {
  private readonly ports: (PortDevice | undefined)[] = new Array(0x10000).fill(undefined);

  register(first: number, count: number, dev: PortDevice): void {
    for (let p = first; p < first + count; p++) {
      if (this.ports[p]) throw new Error(`I/O port 0x${p.toString(16)} is already claimed`);
      this.ports[p] = dev;
    }
  }

  in8(port: number): number {
    const d = this.ports[port & 0xFFFF];
    return d ? d.in(port & 0xFFFF, 1) & 0xFF : 0xFF;
  }

  in16(port: number): number {
    port &= 0xFFFF;
    const d = this.ports[port];
    if (d && this.ports[(port + 1) & 0xFFFF] === d) return d.in(port, 2) & 0xFFFF;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  in32(port: number): number {
    port &= 0xFFFF;
    const d = this.ports[port];
    if (d && this.ports[(port + 3) & 0xFFFF] === d) return d.in(port, 4) | 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) | 0;
  }

  out8(port: number, v: number): void {
    const d = this.ports[port & 0xFFFF];
    if (d) d.out(port & 0xFFFF, 1, v & 0xFF);
  }

  out16(port: number, v: number): void {
    port &= 0xFFFF;
    const d = this.ports[port];
    if (d && this.ports[(port + 1) & 0xFFFF] === d) { d.out(port, 2, v & 0xFFFF); return; }
    this.out8(port, v);
    this.out8(port + 1, v >> 8);
  }

  out32(port: number, v: number): void {
    port &= 0xFFFF;
    const d = this.ports[port];
    if (d && this.ports[(port + 3) & 0xFFFF] === d) { d.out(port, 4, v | 0); return; }
    this.out16(port, v);
    this.out16(port + 2, v >>> 16);
  }
}
