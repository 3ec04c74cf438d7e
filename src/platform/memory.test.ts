// Physical memory's map: which addresses are plain RAM that translated code may read directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory, type MmioDevice } from './memory.ts';

const dev: MmioDevice = { read: () => 0xFF, write: () => {} };

test('directReadRange: the MMIO-free range holding 1 MiB, or from 0 when all MMIO lies above it', () => {
  assert.deepEqual(new PhysicalMemory(8 << 20).directReadRange(), { lo: 0, hi: 8 << 20 }, 'no MMIO: all RAM');
  const vga = new PhysicalMemory(8 << 20);
  vga.mapMmio(0xA0000, 0x20000, dev);
  assert.deepEqual(vga.directReadRange(), { lo: 0xC0000, hi: 8 << 20 }, 'MMIO below 1 MiB: from its end');
  const hi = new PhysicalMemory(8 << 20);
  hi.mapMmio(0x400000, 0x1000, dev);
  hi.mapMmio(0x600000, 0x1000, dev);
  assert.deepEqual(hi.directReadRange(), { lo: 0, hi: 0x400000 }, 'MMIO above 1 MiB: up to the first page of it');
  const small = new PhysicalMemory(0x20000);
  small.mapMmio(0x18000, 0x1000, dev);
  assert.equal(small.directReadRange(), null, 'under 64 KiB: none');
});
