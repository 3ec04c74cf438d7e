// The console's escape key handling (QEMU's C-a prefix).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeDecoder } from './terminal.ts';

test('C-a commands are taken out of the input; other bytes pass, C-c included', () => {
  const d = new EscapeDecoder();
  assert.deepEqual(d.feed([0x61, 0x03, 0x01, 0x73, 0x62]), { data: [0x61, 0x03, 0x62], commands: ['stats'] });
  assert.deepEqual(d.feed([0x01, 0x01, 0x01, 0x68]), { data: [0x01], commands: ['help'] });
  assert.deepEqual(d.feed([0x01, 0x7A, 0x0D]), { data: [0x0D], commands: [] }, 'unknown C-a command is dropped');
});

test('a C-a split across two reads still forms a command', () => {
  const d = new EscapeDecoder();
  assert.deepEqual(d.feed([0x31, 0x01]), { data: [0x31], commands: [] });
  assert.deepEqual(d.feed([0x78, 0x32]), { data: [0x32], commands: ['quit'] });
});
