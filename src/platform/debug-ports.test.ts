// POST port 0x80, debug console 0xE9 and QEMU's isa-debug-exit at 0xF4, through the I/O bus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from './io-bus.ts';
import { registerDebugPorts } from './debug-ports.ts';

function setup() {
  const io = new IoBus();
  const posts: number[] = [];
  const text: number[] = [];
  const exits: number[] = [];
  const dev = registerDebugPorts(io, { onPost: (c) => posts.push(c), onDebugConsole: (b) => text.push(b), onExit: (s) => exits.push(s) });
  return { io, posts, text, exits, dev };
}

test('POST port 0x80 records the code and reads it back', () => {
  const { io, posts, dev } = setup();
  assert.equal(io.in8(0x80), 0x00);
  io.out8(0x80, 0x3C);
  io.out8(0x80, 0xAA);
  assert.deepEqual(posts, [0x3C, 0xAA]);
  assert.equal(io.in8(0x80), 0xAA);
  assert.equal(dev.post.writes, 2);
  assert.equal(io.in8(0x81), 0xFF, '0x81 stays unclaimed');
});

test('debug console 0xE9 passes bytes through and reads 0xE9', () => {
  const { io, text } = setup();
  for (const c of 'hi\n') io.out8(0xE9, c.charCodeAt(0));
  assert.deepEqual(text, [0x68, 0x69, 0x0A]);
  assert.equal(io.in8(0xE9), 0xE9);
});

test('isa-debug-exit: exit status (value << 1) | 1 for byte, word and dword writes', () => {
  const { io, exits, dev } = setup();
  assert.equal(dev.exit.status, null);
  io.out8(0xF4, 0x00);
  io.out8(0xF4, 0x10);
  io.out16(0xF4, 0x0102);
  io.out32(0xF4, 0x7FFFFFFF);
  io.out8(0xF5, 3); // anywhere in the 4-port window
  assert.deepEqual(exits, [1, 0x21, 0x205, 0xFFFFFFFF, 7]);
  assert.equal(dev.exit.status! & 0xFF, 7, 'the host process keeps the low 8 bits');
  assert.equal(io.in8(0xF4), 0);
});
