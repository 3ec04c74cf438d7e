// The translator against the interpreter, in lockstep: the same guest runs on a machine that translates
// (every block start translated on its second entry) and on one that only interprets; after every block
// the translating machine runs, the interpreting one is brought to the same instruction count and the
// full architectural state must be identical (registers, EIP, EFLAGS, segment caches, control registers,
// instruction count); at the end, the console output and all of memory too. Guests: the demo OS with a
// scripted session, the platform test kernels, and random programs (ALU, shifts, loads, stores,
// read-modify-write, stack, calls, branches, loops, string instructions, faults, self-modifying code).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PC, type RunResult } from '../../platform/pc.ts';
import { loadMultiboot } from '../../loaders/multiboot.ts';
import { CPU } from '../cpu.ts';
import { TestMachine, CODE } from '../test-machine.ts';
import { jitConfig } from './jit-config.ts';
import { jitStats } from './translate.ts';
import { archState, BlockRecorder, memHash, stateDiff } from './lockstep.ts';

const IMAGES = join(import.meta.dirname, '../../../guests/images');

/** Run with the translator's thresholds (loops, other blocks) set, restoring them afterwards. */
function withThreshold<T>(t: number, f: () => T, blocks = t): T {
  const saved = { ...jitConfig };
  jitConfig.threshold = t;
  jitConfig.blockThreshold = blocks;
  try { return f(); } finally { Object.assign(jitConfig, saved); }
}

interface PcRun { out: string; result: RunResult; insns: number; blocks: number; blockInsns: number; memHash: number }

/**
 * Boot `image` on two PCs (interpreter / translator) and run them in lockstep up to `maxInsns`: compared
 * after every block up to `everyBlock` instructions, then after every 200,000 (CI time).
 * Returns what the translating PC printed and how it stopped.
 */
function lockstepPC(image: string, cmdline: string, input: string, maxInsns: number, everyBlock = Infinity, thresholds = [2, 2]): PcRun {
  const bytes = new Uint8Array(readFileSync(join(IMAGES, image)));
  let outA = '', outB = '';
  const a = new PC({ serialOut: (b) => { outA += String.fromCharCode(b); } });
  const b = new PC({ serialOut: (c) => { outB += String.fromCharCode(c); } });
  a.cpu.jit = false;
  b.cpu.jit = true;
  for (const pc of [a, b]) {
    loadMultiboot(pc.mem, pc.cpu, bytes, { cmdline });
    pc.sendSerial(new TextEncoder().encode(input));
  }
  const rec = new BlockRecorder(b.cpu);
  let result: RunResult = { reason: 'limit' };
  try {
    withThreshold(thresholds[0], () => {
      while (b.cpu.icount < maxInsns) {
        result = b.run(Math.min(200_000, maxInsns - b.cpu.icount));
        for (const want of rec.take()) catchUp(a, want);
        catchUp(a, archState(b.cpu));
        rec.recording = b.cpu.icount < everyBlock;
        if (result.reason !== 'limit' && result.reason !== 'time') break;
      }
    }, thresholds[1]);
  } finally {
    rec.stop();
  }
  const resultA = a.run(b.cpu.icount - a.cpu.icount);
  assert.equal(a.cpu.icount, b.cpu.icount, 'same instruction count at the end');
  assert.deepEqual(resultA, result, 'the same stop');
  assert.equal(stateDiff(archState(a.cpu), archState(b.cpu)), null);
  assert.equal(outB, outA, 'the same console output');
  const h = memHash(b.mem.u8);
  assert.equal(h, memHash(a.mem.u8), 'the same memory');
  return { out: outB, result, insns: b.cpu.icount, blocks: rec.blocks, blockInsns: rec.insns, memHash: h };
}

/** Bring the interpreting PC to the recorded state's instruction count and compare. */
function catchUp(a: PC, want: number[]): void {
  const target = want[10];
  while (a.cpu.icount < target) {
    const r = a.run(target - a.cpu.icount);
    if (r.reason !== 'limit' && r.reason !== 'time') break;
  }
  const d = stateDiff(archState(a.cpu), want);
  if (d !== null) assert.fail(`translator and interpreter differ after a block: ${d}`);
}

/** Run with regions compiled to WebAssembly or to JavaScript, restoring the setting afterwards. */
function withBackend<T>(backend: 'wasm' | 'js', f: () => T): T {
  const saved = jitConfig.backend;
  jitConfig.backend = backend;
  try { return f(); } finally { jitConfig.backend = saved; }
}

for (const backend of ['wasm', 'js'] as const) {
  test(`lockstep: the demo OS boots and runs a scripted session identically translated (${backend}) and interpreted`, () => {
    const b0 = jitStats.blocks, w0 = jitStats.wasm;
    const r = withBackend(backend, () => lockstepPC('demo-os.elf', 'demo-os.elf', 'echo hello\rsieve 10000\rcrash wp\rcrash tf\rpoweroff 5\r', 60e6));
    assert.deepEqual(r.result, { reason: 'exit', exitStatus: 11 });
    assert.match(r.out, /sieve: 1229 primes up to 10000 \(largest 9973\)/);
    assert.ok(jitStats.blocks - b0 > 100, `blocks were translated (${jitStats.blocks - b0})`);
    assert.equal(jitStats.wasm - w0 > 0, backend === 'wasm', `compiled to ${backend}`);
    assert.ok(r.blocks > 1000, `translated code ran (${r.blocks} times)`);
    assert.ok(r.blockInsns > r.insns / 2, `most instructions ran translated (${r.blockInsns} of ${r.insns})`);
  });
}

const KERNELS: [string, string, number][] = [
  ['boot.elf', 'boot', 4e6], ['i8042.elf', 'i8042', 2e6], ['pit.elf', 'pit', 10e6], ['pic.elf', 'pic', 12e6],
  ['uart.elf', 'uart', 30e6], ['cmos.elf', 'cmos', 35e6],
];
for (const [file, name, max] of KERNELS) {
  test(`lockstep: test kernel ${name} (every block for the first 2 M instructions)`, () => {
    // (Thresholds 20 / 100: everything that runs often is translated, without compiling every block once.)
    const r = lockstepPC(`tests/${file}`, 'trapeze-test', '', max, 2e6, [20, 100]);
    assert.match(r.out, new RegExp(`^PASS ${name}\\r?$`, 'm'));
    assert.deepEqual(r.result, { reason: 'exit', exitStatus: 1 });
  });
}

// ---- random programs ----

/**
 * xorshift32, its output mixed (murmur3's finalizer): the raw low bits of consecutive xorshift outputs are
 * so correlated that a choice made right after another (case 29's form after the instruction kind) never
 * took some of its values.
 */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    let h = Math.imul(x ^ (x >>> 16), 0x85EBCA6B);
    h = Math.imul(h ^ (h >>> 13), 0xC2B2AE35);
    return (h ^ (h >>> 16)) >>> 0;
  };
}

const DATA = 0x200000;
const UNMAPPED = 0x900000;
const SUB = CODE + 0x800; // a subroutine the programs call

/**
 * A random program: a loop of random instructions over registers EAX EDX EBP EBX (data) and ESI EDI
 * (pointers into DATA, re-aimed with AND/OR), plus calls, forward branches, stack pairs, string moves, and
 * now and then something that faults, crosses a page or writes into the code ahead.
 */
function program(next: () => number): { code: number[]; sub: number[] } {
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length];
  const DATA_REGS = [0, 2, 3, 5];
  const imm32 = () => pick([0, 1, -1, 0x7FFFFFFF, -0x80000000, 0x80, 0xFF, next() | 0, next() & 0xFF]);
  const le32 = (v: number) => [v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >>> 24) & 0xFF];
  const modrmReg = (reg: number, rm: number) => 0xC0 | (reg << 3) | rm;
  const memOp = (reg: number) => { const base = pick([6, 7]); return [0x40 | (reg << 3) | base, next() % 0x40 & ~3 | pick([0, 0, 0, 1, 2, 3])]; };
  const body: number[][] = [];
  const n = 4 + next() % 24;
  for (let k = 0; k < n; k++) {
    const r1 = pick(DATA_REGS), r2 = pick(DATA_REGS);
    switch (next() % 32) {
      case 0: case 1: body.push([pick([0x01, 0x03, 0x09, 0x0B, 0x21, 0x23, 0x29, 0x2B, 0x31, 0x33, 0x39, 0x3B, 0x85, 0x11, 0x19]), modrmReg(r1, r2)]); break;
      case 2: case 3: body.push([0x81, modrmReg(next() % 8, r1), ...le32(imm32())]); break;
      case 4: body.push([0x83, modrmReg(next() % 8, r1), next() & 0xFF]); break;
      case 5: { const op = pick([0xC1, 0xD1, 0xD3]); body.push([op, modrmReg(next() % 8, r1), ...(op === 0xC1 ? [next() % 40] : [])]); break; }
      case 6: body.push([pick([0x40, 0x48]) + r1]); break;
      case 7: { const sub = pick([2, 3, 0]); body.push([0xF7, modrmReg(sub, r1), ...(sub === 0 ? le32(imm32()) : [])]); break; }
      case 8: body.push([pick([0x8B, 0x89, 0x03, 0x01, 0x31, 0x3B, 0x39, 0x85, 0x29, 0x21]), ...memOp(r1)]); break;
      case 9: body.push([0xFF, ...memOp(pick([0, 1, 6]))]); break;
      case 10: body.push([0x0F, pick([0xB6, 0xB7, 0xBE, 0xBF]), ...memOp(r1)]); break;
      case 11: body.push([0x0F, 0x90 | (next() % 16), modrmReg(0, r1 & 3)]); break;
      case 12: body.push([0x0F, 0x40 | (next() % 16), modrmReg(r1, r2)]); break;
      case 13: body.push([0x50 + r1], [0x58 + r2]); break;
      case 14: body.push([0xE8, ...le32(0)]); break; // call SUB: fixed up below
      case 15: { // a forward branch over the next instruction
        body.push([0x70 | (next() % 16), 0xFF]);
        break;
      }
      case 16: body.push([0x83, modrmReg(4, 6), 0x7C], [0x81, modrmReg(1, 6), ...le32(DATA + pick([0, 0xFF8, 0xFFE, 0x1000]))]); break; // re-aim ESI
      case 17: body.push([0x51, 0xB9, ...le32(next() % 9), 0xFC, pick([0xF3, 0x90]), pick([0xA4, 0xA5, 0xAA, 0xAB]), 0x59]); break; // push ecx; mov ecx,n; cld; rep movs/stos; pop ecx
      case 18: if (next() % 8 === 0) body.push([0xA1, ...le32(UNMAPPED)]); else body.push([0x87, modrmReg(r1, r2)]); break;
      case 19: body.push([0x99]); break;
      case 20: body.push([0x8D, 0x44 | (r1 << 3), (next() & 0xC0) | (r2 << 3) | pick([6, 7]), next() & 0xFF]); break;
      case 21: body.push([0x88, ...memOp(r1 & 3)]); break;
      case 22: body.push([0x80, 0x7E, next() % 0x40, next() & 0xFF]); break; // cmp byte [esi+d], imm
      case 23: body.push([0x81, ...memOp(pick([0, 1, 4, 5, 6, 7])), ...le32(imm32())]); break;
      case 24: body.push([0xF7, 0xE0 | r1]); break; // mul
      case 25: if (next() % 16 === 0) body.push([0x9C, 0x58 + r1, 0x50 + r1, 0x9D]); else body.push([0xF6, 0xC0 | (r1 & 3), next() & 0xFF]); break;
      case 26: body.push([0x66, 0x01, modrmReg(r1, r2)]); break; // 16-bit: the handler
      case 27: if (next() % 6 === 0) body.push([0xC7, 0x05, ...le32(0), ...le32(0x90909090)]); else body.push([0x0F, 0xAF, modrmReg(r1, r2)]); break; // store into the code (fixed up)
      case 28: body.push([0x3C, next() & 0xFF], [0x38, modrmReg(r1 & 3, r2 & 3)]); break;
      case 29: switch (next() % 6) { // forms only the translator writes inline (codegen.ts J)
        case 0: body.push([0x0F, 0xAF, ...memOp(r1)]); break;
        case 1: body.push([0x6B, modrmReg(r1, r2), next() & 0xFF]); break;
        case 2: body.push([0x69, ...memOp(r1), ...le32(imm32())]); break;
        case 3: body.push([0x66, pick([0x89, 0x8B]), ...(next() & 1 ? [modrmReg(r1, r2)] : memOp(r1))]); break;
        case 4: body.push([0x66, 0xC1, modrmReg(pick([4, 5, 6, 7]), r1), next() % 34]); break;
        default: body.push([0x66, 0xD1, modrmReg(pick([4, 5, 6, 7]), r1)]); break;
      } break;
      case 30: switch (next() % 3) { // forms only the WebAssembly translator writes inline (wasm-codegen.ts W)
        case 0: body.push([pick([0xFC, 0xFD]), pick([0xAC, 0xAD])]); break; // cld / std; lods
        case 1: body.push([pick([0xFC, 0xFD]), pick([0xAE, 0xAF])]); break; // cld / std; scas
        default: body.push(next() & 1 ? [0x90] : [0x66, 0x90]); break;
      } break;
      default: body.push([0xB8 + r1, ...le32(imm32())]); break;
    }
  }
  // Assemble: setup, loop, HLT; fix forward branches (skip the next instruction) and calls.
  const code: number[] = [
    0xBE, ...le32(DATA), 0xBF, ...le32(DATA + 0x800), 0xB9, ...le32(1 + next() % 40),
  ];
  const loop = code.length;
  const placed: number[] = [];
  for (let k = 0; k < body.length; k++) {
    let ins = body[k];
    if ((ins[0] & 0xF0) === 0x70 && ins.length === 2 && ins[1] === 0xFF) ins = [ins[0], k + 1 < body.length ? body[k + 1].length : 0];
    if (ins[0] === 0xE8 && ins.length === 5) {
      const rel = SUB - (CODE + code.length + 5);
      ins = [0xE8, ...le32(rel)];
    }
    if (ins[0] === 0xC7 && ins[1] === 0x05) ins = [0xC7, 0x05, ...le32(CODE + code.length + 10 + next() % 8), ...ins.slice(6)];
    placed.push(code.length);
    code.push(...ins);
  }
  code.push(0x49); // dec ecx
  const rel = loop - (code.length + 2);
  if (rel >= -128) code.push(0x75, rel & 0xFF); else code.push(0x0F, 0x85, ...le32(rel - 4));
  code.push(0xF4);
  const sub = [0x31, 0xC2, 0x83, 0xC2, 0x01, 0x8B, 0x5E, 0x04, 0x01, 0x1E, 0xC3]; // xor edx,eax; add edx,1; mov ebx,[esi+4]; add [esi],ebx; ret
  return { code, sub };
}

function randomMachine(code: number[], sub: number[], seed: number, user: boolean): TestMachine {
  const m = new TestMachine({ paging: true, cpl: user ? 3 : 0, memSize: 10 << 20 });
  m.mem.load(CODE, new Uint8Array(code));
  m.mem.load(SUB, new Uint8Array(sub));
  const next = rng(seed);
  for (let k = 0; k < 0x2000; k++) m.mem.u8[DATA + k] = next() & 0xFF;
  m.mem.markDirty(DATA, 0x2000);
  for (const r of [0, 2, 3, 5]) m.cpu.r32[r] = next();
  m.cpu.eip = CODE;
  return m;
}

for (const backend of ['wasm', 'js'] as const) test(`lockstep: 200 random programs, at every block boundary (${backend})`, () => {
  const next = rng(0xC0FFEE);
  let blocks = 0;
  withBackend(backend, () => withThreshold(1, () => {
    for (let p = 0; p < 200; p++) {
      const seed = next();
      const { code, sub } = program(rng(seed));
      const user = (p & 3) === 3;
      const a = randomMachine(code, sub, seed, user), b = randomMachine(code, sub, seed, user);
      a.cpu.jit = false; b.cpu.jit = true;
      // In slices of random length (a block never runs past the end of its slice; a loop inside one block
      // stops where the slice ends), comparing after every block and every slice.
      const rec = new BlockRecorder(b.cpu);
      try {
        const slice = rng(seed ^ 0x5A5A);
        for (let stop = 0; stop === 0 && b.cpu.icount < 20_000;) {
          stop = b.cpu.run(1 + slice() % 150);
          rec.states.push(archState(b.cpu));
          for (const want of rec.take()) {
            a.cpu.run(want[10] - a.cpu.icount);
            const d = stateDiff(archState(a.cpu), want);
            if (d !== null) assert.fail(`program ${p} (seed ${seed}): ${d}\ncode ${Buffer.from(code).toString('hex')}`);
            blocks++;
          }
        }
      } finally {
        rec.stop();
      }
      a.cpu.run(b.cpu.icount - a.cpu.icount);
      const d = stateDiff(archState(a.cpu), archState(b.cpu));
      if (d !== null) assert.fail(`program ${p} (seed ${seed}) at the end: ${d}\ncode ${Buffer.from(code).toString('hex')}`);
      assert.deepEqual(b.events, a.events, `program ${p}: the same events`);
      assert.equal(memHash(b.mem.u8, 0, 0x400000), memHash(a.mem.u8, 0, 0x400000), `program ${p}: the same memory`);
    }
  }));
  assert.ok(blocks > 2000, `blocks compared: ${blocks}`);
});

test('a CPU built while translation is off by default interprets', () => {
  const saved = jitConfig.enabled;
  jitConfig.enabled = false;
  try {
    const m = new TestMachine();
    assert.equal(m.cpu.jit, false);
  } finally {
    jitConfig.enabled = saved;
  }
  assert.ok(CPU);
});
