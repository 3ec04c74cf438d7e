// The WebAssembly writer: LEB128 encodings (spec §5.2.2) and modules that the engine validates and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bin, buildModule, Code, get, k, load, Op, sleb, uleb } from './wasm-module.ts';

test('LEB128: unsigned and signed encodings', () => {
  const u = (v: number): number[] => { const o: number[] = []; uleb(v, o); return o; };
  const s = (v: number): number[] => { const o: number[] = []; sleb(v, o); return o; };
  assert.deepEqual(u(0), [0]);
  assert.deepEqual(u(127), [127]);
  assert.deepEqual(u(128), [0x80, 1]);
  assert.deepEqual(u(624485), [0xE5, 0x8E, 0x26]);
  assert.deepEqual(u(0xFFFFFFFF), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
  assert.deepEqual(s(0), [0]);
  assert.deepEqual(s(-1), [0x7F]);
  assert.deepEqual(s(63), [63]);
  assert.deepEqual(s(64), [0xC0, 0]);
  assert.deepEqual(s(-64), [0x40]);
  assert.deepEqual(s(-123456), [0xC0, 0xBB, 0x78]);
  assert.deepEqual(s(-2147483648), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

test('a module with imports, a memory, a loop with br_table and a tail call through a table runs', () => {
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  new Int32Array(mem.buffer)[4] = 1000;
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: 4 });
  const seen: number[] = [];
  // f(x, y): loop adding mem[16] to x, y times, through a br_table dispatch; calls the import with x.
  const c = new Code();
  const loop = c.loop();
  const out = c.block();
  const b1 = c.block();
  const b0 = c.block();
  c.brTable(bin(Op.i32_gt_s, get(1), k(0)), [b0, b1], out);
  c.end(); // b0: y <= 0: leave
  c.br(out);
  c.end(); // b1: x += mem[16]; y--
  c.set(0, bin(Op.i32_add, get(0), load(Op.i32_load, k(0), 16)));
  c.set(1, bin(Op.i32_sub, get(1), k(1)));
  c.br(loop);
  c.end(); // out
  c.end(); // loop
  c.call(0, get(0));
  c.emit(get(0));
  assert.equal(c.level, 0);
  // g(x, y): tail call f through table slot 2.
  const g = new Code();
  g.tailCallIndirect(k(2), get(0), get(1));
  const bytes = buildModule({
    type0: { params: 2, result: true },
    table: 4,
    imports: [{ name: 'note', type: { params: 1, result: false } }],
    memoryPages: 1,
    functions: [
      { type: { params: 2, result: true }, locals: 0, code: [c.b.bytes()], export: 'f' },
      { type: { params: 2, result: true }, locals: 0, code: [g.b.bytes()], export: 'g' },
    ],
  });
  assert.ok(WebAssembly.validate(bytes));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { j: { note: (x: number) => { seen.push(x); }, m: mem, t: table } });
  const f = inst.exports.f as (x: number, y: number) => number;
  table.set(2, inst.exports.f as never);
  assert.equal(f(5, 3), 3005);
  assert.equal((inst.exports.g as (x: number, y: number) => number)(1, 2), 2001);
  assert.deepEqual(seen, [3005, 2001]);
  assert.throws(() => c.br(loop), /closed label/);
});
