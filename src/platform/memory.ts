// Physical memory: plain RAM in one Uint8Array (with 16/32-bit views for aligned access) plus
// memory-mapped devices registered per 4 KiB page. The CPU's TLB caches which pages are plain RAM so
// the common access is a typed-array load; everything else goes through read/write here.

export interface MmioDevice {
  read(addr: number, size: 1 | 2 | 4): number;
  write(addr: number, size: 1 | 2 | 4, value: number): void;
}

/**
 * Bytes after RAM in the same buffer that the processor keeps its own state in (its TLB, register file,
 * segment bases and limits, flags for translated code: cpu.ts HOST_AREA_LAYOUT), so that WebAssembly
 * code generated for the guest (jit/wasm-codegen.ts) reaches guest RAM and that state in one memory.
 */
export const HOST_AREA_SIZE = (4 << 20) + 4096 + 32768 * 8;

/** Physical addresses beyond RAM and without a device read all ones; writes are dropped. */
export class PhysicalMemory {
  readonly size: number;
  /**
   * The WebAssembly memory that holds RAM (from offset 0) and the host area (from `size`); null where
   * the host cannot allocate one (RAM then lives in a plain ArrayBuffer and no code is generated as
   * WebAssembly).
   */
  readonly wasmMemory: WebAssembly.Memory | null;
  /** The buffer of RAM and, with wasmMemory, of the host area too. */
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** MMIO handlers by physical page number (sparse). */
  private readonly mmio = new Map<number, MmioDevice>();
  /** Pages that read as RAM but ignore writes (the BIOS ROM area). */
  private readonly rom = new Set<number>();
  /** Bumped whenever the map changes so that caches of "this page is RAM" can be dropped. */
  mapVersion = 0;
  /** Told when bytes change other than through a CPU store (loaders, DMA, harnesses): caches drop them. */
  private readonly dirtyListeners: ((addr: number, length: number) => void)[] = [];

  constructor(size: number) {
    if (size <= 0 || size % 4096 !== 0) throw new RangeError(`memory size must be a positive multiple of 4 KiB, got ${size}`);
    this.size = size;
    let wasm: WebAssembly.Memory | null = null;
    const pages = Math.ceil((size + HOST_AREA_SIZE) / 65536);
    try {
      if (pages <= 65536) wasm = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      wasm = null; // (no address space for it: plain RAM)
    }
    this.wasmMemory = wasm;
    const buf = this.buffer = wasm !== null ? wasm.buffer : new ArrayBuffer(size);
    this.u8 = new Uint8Array(buf, 0, size);
    this.u16 = new Uint16Array(buf, 0, size >>> 1);
    this.i32 = new Int32Array(buf, 0, size >>> 2);
  }

  mapMmio(base: number, length: number, dev: MmioDevice): void {
    for (let p = base >>> 12; p < (base + length + 4095) >>> 12; p++) this.mmio.set(p, dev);
    this.mapVersion++;
  }

  markRom(base: number, length: number): void {
    for (let p = base >>> 12; p < (base + length + 4095) >>> 12; p++) this.rom.add(p);
    this.mapVersion++;
  }

  /**
   * The widest range [lo, hi) of addresses with no MMIO page that holds 1 MiB (or starts at 0 when the
   * first MMIO page lies above it): reads there are plain RAM (ROM included), which translated code running
   * with paging off reads with no TLB entry (jit/wasm-codegen.ts WasmRegionSpec.identity). The map is
   * fixed once guest code runs (as the TLB's entries assume). Null when that range is under 64 KiB.
   */
  directReadRange(): { lo: number; hi: number } | null {
    const mb = 0x100;
    let below = -1, above = this.size >>> 12;
    for (const p of this.mmio.keys()) {
      if (p < mb) below = Math.max(below, p); else above = Math.min(above, p);
    }
    const lo = (below + 1) << 12, hi = above << 12;
    return hi - lo >= 0x10000 ? { lo, hi } : null;
  }

  /** True when the page is RAM that can be read directly through u8/u16/i32. */
  isRamPage(page: number): boolean {
    return page < this.size >>> 12 && !this.mmio.has(page);
  }

  /** True when the page is RAM that can also be written directly. */
  isWritableRamPage(page: number): boolean {
    return this.isRamPage(page) && !this.rom.has(page);
  }

  read8(addr: number): number {
    addr >>>= 0;
    const dev = this.mmio.get(addr >>> 12);
    if (dev) return dev.read(addr, 1) & 0xFF;
    return addr < this.size ? this.u8[addr] : 0xFF;
  }

  read16(addr: number): number {
    addr >>>= 0;
    const dev = this.mmio.get(addr >>> 12);
    if (dev && ((addr + 1) & 0xFFF) !== 0) return dev.read(addr, 2) & 0xFFFF;
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    addr >>>= 0;
    const dev = this.mmio.get(addr >>> 12);
    if (dev && (addr & 0xFFF) <= 0xFFC) return dev.read(addr, 4) | 0;
    if (!dev && (addr & 3) === 0 && addr + 3 < this.size) return this.i32[addr >>> 2];
    return (this.read8(addr) | (this.read8(addr + 1) << 8) | (this.read8(addr + 2) << 16) | (this.read8(addr + 3) << 24));
  }

  write8(addr: number, v: number): void {
    addr >>>= 0;
    const page = addr >>> 12;
    const dev = this.mmio.get(page);
    if (dev) { dev.write(addr, 1, v & 0xFF); return; }
    if (addr < this.size && !this.rom.has(page)) this.u8[addr] = v;
  }

  write16(addr: number, v: number): void {
    addr >>>= 0;
    const dev = this.mmio.get(addr >>> 12);
    if (dev && ((addr + 1) & 0xFFF) !== 0) { dev.write(addr, 2, v & 0xFFFF); return; }
    this.write8(addr, v);
    this.write8(addr + 1, v >> 8);
  }

  write32(addr: number, v: number): void {
    addr >>>= 0;
    const dev = this.mmio.get(addr >>> 12);
    if (dev && (addr & 0xFFF) <= 0xFFC) { dev.write(addr, 4, v | 0); return; }
    this.write8(addr, v);
    this.write8(addr + 1, v >> 8);
    this.write8(addr + 2, v >> 16);
    this.write8(addr + 3, v >> 24);
  }

  /** Copy host bytes into physical memory (loaders); bounds are checked. */
  load(addr: number, data: Uint8Array): void {
    if (addr < 0 || addr + data.length > this.size) {
      throw new RangeError(`load of ${data.length} bytes at 0x${addr.toString(16)} is outside RAM (0x${this.size.toString(16)} bytes)`);
    }
    this.u8.set(data, addr);
    this.markDirty(addr, data.length);
  }

  /** Register a listener for changes made behind the CPU's back (the CPU's decoded-instruction cache). */
  onDirty(listener: (addr: number, length: number) => void): void {
    this.dirtyListeners.push(listener);
  }

  /** Anyone writing u8/u16/i32 directly (not through a CPU) calls this afterwards. */
  markDirty(addr: number, length: number): void {
    for (const l of this.dirtyListeners) l(addr, length);
  }
}
