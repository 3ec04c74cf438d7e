// Random cross-check of the arithmetic groups against silicon (not committed as golden data: a tool to run
// while changing alu/muldiv/shift/bcd). Random encodings of every opcode of the four groups, operand
// sizes, register and memory operands, edge and random values, random flags.
// Usage: npx tsx scripts/gen/arith-random.ts SEED COUNT > /tmp/r.cases.jsonl
//        npx tsx scripts/record-golden.ts /tmp/r.cases.jsonl > /tmp/r.jsonl
//        npx tsx scripts/gen/check-golden.ts /tmp/r.jsonl
import { Writer, hx, le, rng, modrm, DATA } from './arith-common.ts';
const w = new Writer();
const seed = Number(process.argv[2] ?? 1);
const n = Number(process.argv[3] ?? 5000);
const rand = rng(seed);
const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
// [opcode bytes, has modrm, allowed reg field values or -1 for any, imm bytes (-1 = by opsize)]
type Spec = [string, boolean, number[] | null, number];
const specs: Spec[] = [];
for (let op = 0; op < 8; op++) for (const x of [0, 1, 2, 3]) specs.push([hx((op << 3) | x), true, null, 0]);
for (let op = 0; op < 8; op++) { specs.push([hx((op << 3) | 4), false, null, 1]); specs.push([hx((op << 3) | 5), false, null, -1]); }
specs.push(['80', true, null, 1], ['81', true, null, -1], ['82', true, null, 1], ['83', true, null, 1]);
for (let k = 0x40; k < 0x50; k++) if (k !== 0x44 && k !== 0x4c) specs.push([hx(k), false, null, 0]);
specs.push(['fe', true, [0, 1], 0], ['ff', true, [0, 1], 0], ['84', true, null, 0], ['85', true, null, 0], ['a8', false, null, 1], ['a9', false, null, -1]);
specs.push(['f6', true, [0, 1], 1], ['f7', true, [0, 1], -1], ['f6', true, [2, 3, 4, 5, 6, 7], 0], ['f7', true, [2, 3, 4, 5, 6, 7], 0]);
specs.push(['0faf', true, null, 0], ['69', true, null, -1], ['6b', true, null, 1]);
for (const g of ['c0', 'c1']) specs.push([g, true, null, 1]);
for (const g of ['d0', 'd1', 'd2', 'd3']) specs.push([g, true, null, 0]);
specs.push(['0fa4', true, null, 1], ['0fa5', true, null, 0], ['0fac', true, null, 1], ['0fad', true, null, 0]);
for (const b of ['27', '2f', '37', '3f']) specs.push([b, false, null, 0]);
specs.push(['d4', false, null, 1], ['d5', false, null, 1]);
const interesting = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x0F, 0x10];
const val = () => (rand() % 3 === 0 ? pick(interesting) : rand() % 3 === 0 ? rand() & 0xFF : rand()) >>> 0;
for (let k = 0; k < n; k++) {
  const [opc, hasM, regsAllowed, immB] = pick(specs);
  const o16 = rand() % 3 === 0;
  let code = (o16 ? '66' : '') + opc;
  const mem = rand() % 4 === 0;
  if (hasM) {
    let reg = regsAllowed ? pick(regsAllowed) : rand() % 8;
    if (mem) code += hx(modrm(0, reg, 5)) + le(DATA + (rand() % 8), 4);
    else { let rm = rand() % 8; if (rm === 4) rm = 0; code += hx(modrm(3, reg, rm)); }
  }
  const ib = immB === -1 ? (o16 ? 2 : 4) : immB;
  if (ib) code += le(rand() % 2 ? val() : rand() & 0x3F, ib);
  const regs = { eax: val(), ebx: val(), ecx: rand() % 2 ? rand() & 0x3F : val(), edx: val(), esi: val(), edi: val(), ebp: val(), eflags: rand() & 0x8D5 };
  // 16-bit SHLD/SHRD with a count above 16 is undefined (SDM): keep the count in 0..16
  if (o16 && (opc === '0fa5' || opc === '0fad')) regs.ecx = rand() % 17;
  if (o16 && (opc === '0fa4' || opc === '0fac')) code = code.slice(0, -2) + hx(rand() % 17);
  w.add({ name: `s${seed}-${k}`, code, regs, mem: [{ addr: DATA, hex: le(val(), 4) + le(val(), 4) + le(val(), 4) }], dump: [{ addr: DATA, len: 12 }] });
}
w.print();
