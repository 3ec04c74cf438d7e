// Replays x87-arith golden vectors (scripts/gen/x87-arith*.ts, recorded on the real CPU) on the f80 functions:
// the generators' fixed layout (x87-arith-kit.ts) gives the control word, the operands and the memory source in
// the case's memory, and the FNSAVE image (control, status, tag words; ST0..) and the memory destination in
// the result's; the operation is the first part of the case name. Used by f80.test.ts and by the
// transcendental generator's filter. Test support only: nothing in the emulator imports it.

import * as f from './f80.ts';
import { F80, FpCtx } from './f80.ts';

const CW_ADDR = 0x20000, A_ADDR = 0x20010, B_ADDR = 0x20020, OUT_ADDR = 0x20030, SAVE_ADDR = 0x20100, SRC_ADDR = 0x20040;

interface Mem { addr: number; hex: string }
export interface Vector { case: { name: string; mem?: Mem[]; regs?: Record<string, number> }; expect: { mem?: Mem[]; regs?: Record<string, number>; exception?: unknown } }

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
function f80At(b: Uint8Array, off: number): F80 {
  const dv = new DataView(b.buffer, b.byteOffset + off, 10);
  return F80.from(dv.getUint16(8, true), dv.getUint32(4, true), dv.getUint32(0, true));
}
const show = (v: F80) => `${v.se.toString(16).padStart(4, '0')}:${v.hi.toString(16).padStart(8, '0')}:${v.lo.toString(16).padStart(8, '0')}`;
const memOf = (ms: Mem[] | undefined, addr: number) => { const m = ms?.find((x) => x.addr === addr); return m ? bytes(m.hex) : undefined; };

/** What one case computes: registers from ST0 down, the status word, the memory destination. */
interface Sim { st: F80[]; sw: number; out?: Uint8Array; eflags?: number }

type OpFn = (ctx: FpCtx, st: F80[], src: Uint8Array | undefined, name: string) => { cc: number; out?: Uint8Array; eflags?: number } | null;

/** A binary operation ST0 = fn(ST0, ST1) (reverse: fn(ST1, ST0)). */
const bin = (fn: (c: FpCtx, a: F80, b: F80, o: F80) => boolean, reverse = false): OpFn => (ctx, st) => {
  const o = new F80();
  const ok = reverse ? fn(ctx, st[1], st[0], o) : fn(ctx, st[0], st[1], o);
  if (ok) st[0] = o;
  return { cc: ctx.c1 << 9 };
};
const un = (fn: (c: FpCtx, a: F80, o: F80) => boolean): OpFn => (ctx, st) => {
  const o = new F80();
  if (fn(ctx, st[0], o)) st[0] = o;
  return { cc: ctx.c1 << 9 };
};

const C0 = 0x100, C2 = 0x400, C3 = 0x4000;
/** Condition codes of FCOM/FUCOM/FTST by compare()'s class: greater, less, equal, unordered. */
const CC = [0, C0, C3, C3 | C2 | C0];
/** EFLAGS ZF PF CF of FCOMI/FUCOMI by class. */
const EF = [0, 0x01, 0x40, 0x45];
const unmasked = (ctx: FpCtx) => (ctx.exc & ~ctx.cw & 0x3F) !== 0;
const cmp = (quiet: boolean, eflags = false): OpFn => (ctx, st) => {
  const r = f.compare(ctx, st[0], st[1], quiet);
  if (eflags) return { cc: 0, eflags: 0x202 | (unmasked(ctx) ? 0 : EF[r]) };
  return { cc: unmasked(ctx) ? 0 : CC[r] };
};
/** FYL2X/FYL2XP1/FPATAN: ST1 = fn(ST0, ST1), pop (nothing when an unmasked exception stops it). */
const popBin = (fn: (c: FpCtx, a: F80, b: F80, o: F80) => boolean): OpFn => (ctx, st) => {
  const o = new F80();
  if (fn(ctx, st[0], st[1], o)) { st.shift(); st[0] = o; }
  return { cc: ctx.c1 << 9 };
};
const trig = (fn: (c: FpCtx, a: F80, o: F80) => number): OpFn => (ctx, st) => {
  const o = new F80();
  const r = fn(ctx, st[0], o);
  if (r === 0) st[0] = o;
  return { cc: r === 0x400 ? C2 : (ctx.c1 << 9) };
};
const prem = (ieee: boolean): OpFn => (ctx, st) => {
  const o = new F80();
  const r = f.rem(ctx, st[0], st[1], o, ieee);
  if (r >= 0) st[0] = o;
  return { cc: r >= 0 ? r : 0 };
};
const u16 = (b: Uint8Array) => b[0] | b[1] << 8;
const u32 = (b: Uint8Array, o = 0) => (b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24) >>> 0;
const le = (v: number, n: number) => Uint8Array.from({ length: n }, (_, k) => (v >>> (8 * k)) & 0xFF);
const cat = (...xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));

/** A load pushing a converted memory source. */
const load = (conv: (ctx: FpCtx, src: Uint8Array, o: F80) => boolean): OpFn => (ctx, st, src) => {
  const o = new F80();
  if (conv(ctx, src!, o)) st.unshift(o);
  return { cc: 0 };
};
/** A store of ST0 to memory (pop: and pop it when the store happens). */
const store = (conv: (ctx: FpCtx, a: F80) => Uint8Array | null, pop = false): OpFn => (ctx, st) => {
  const out = conv(ctx, st[0]);
  if (out && pop) st.shift();
  return { cc: ctx.c1 << 9, out: out ?? undefined };
};
const pair = new Uint32Array(2);
const intStore = (bits: 16 | 32 | 64) => (ctx: FpCtx, a: F80) =>
  f.toInt(ctx, a, bits, false, pair) ? (bits === 64 ? cat(le(pair[0], 4), le(pair[1], 4)) : le(pair[0], bits / 8)) : null;
/** An arithmetic instruction with a memory operand: the conversion and the operation (ST0 = ST0 op m, or
 *  m op ST0 reversed). */
const memOp = (conv: (ctx: FpCtx, src: Uint8Array, o: F80) => boolean, fn: (c: FpCtx, a: F80, b: F80, o: F80) => boolean, reverse = false): OpFn => (ctx, st, src) => {
  const m = new F80();
  if (!conv(ctx, src!, m)) return { cc: 0 };
  const o = new F80();
  if (reverse ? fn(ctx, m, st[0], o) : fn(ctx, st[0], m, o)) st[0] = o;
  return { cc: ctx.c1 << 9 };
};
const m32 = (ctx: FpCtx, s: Uint8Array, o: F80) => f.fromF32(u32(s), ctx, o);
const m64 = (ctx: FpCtx, s: Uint8Array, o: F80) => f.fromF64(u32(s, 4), u32(s), ctx, o);
const i16 = (_: FpCtx, s: Uint8Array, o: F80) => { f.fromInt32((u16(s) << 16) >> 16, o); return true; };
const i32 = (_: FpCtx, s: Uint8Array, o: F80) => { f.fromInt32(u32(s) | 0, o); return true; };

const OPS: Record<string, OpFn> = {
  add: bin(f.add), sub: bin(f.sub), subr: bin(f.sub, true), mul: bin(f.mul), div: bin(f.div), divr: bin(f.div, true),
  sqrt: un(f.sqrt),
  ld32: load(m32), ld64: load(m64), ild16: load(i16), ild32: load(i32),
  ild64: load((_, s, o) => { f.fromInt64(u32(s, 4), u32(s), o); return true; }),
  bld: load((_, s, o) => { f.fromBcd(s.subarray(0, 10), o); return true; }),
  st32: store((ctx, a) => { const r = f.toF32(ctx, a); return r === null ? null : le(r, 4); }),
  st64: store((ctx, a) => (f.toF64(ctx, a, pair) ? cat(le(pair[0], 4), le(pair[1], 4)) : null)),
  ist16: store(intStore(16)), ist32: store(intStore(32)), istp64: store(intStore(64), true),
  bstp: store((ctx, a) => { const o = new Uint8Array(10); return f.toBcd(ctx, a, o) ? o : null; }, true),
  add32: memOp(m32, f.add), divr64: memOp(m64, f.div, true), iadd16: memOp(i16, f.add), isubr32: memOp(i32, f.sub, true),
  com: cmp(false), ucom: cmp(true), comi: cmp(false, true), ucomi: cmp(true, true),
  tst: (ctx, st) => { const r = f.compare(ctx, st[0], new F80(), false); return { cc: unmasked(ctx) ? 0 : CC[r] }; },
  xam: (_, st) => { const c = f.examine(st[0]); return { cc: (c & 4 ? C3 : 0) | (c & 2 ? C2 : 0) | (c & 1 ? C0 : 0) | (st[0].se >>> 15) << 9 }; },
  rndint: un(f.roundInt), scale: bin(f.scale),
  xtract: (ctx, st) => {
    const s = new F80(), e = new F80();
    if (f.xtract(ctx, st[0], s, e)) { st[0] = e; st.unshift(s); }
    return { cc: ctx.c1 << 9 };
  },
  prem: prem(false), prem1: prem(true),
  f2xm1: un(f.f2xm1), yl2x: popBin(f.fyl2x), yl2xp1: popBin(f.fyl2xp1), patan: popBin(f.fpatan),
  sin: trig(f.fsin), cos: trig(f.fcos),
  sincos: (ctx, st) => {
    const s = new F80(), c = new F80();
    const r = f.fsincos(ctx, st[0], s, c);
    if (r === 0) { st[0] = s; st.unshift(c); }
    return { cc: r === 0x400 ? C2 : (ctx.c1 << 9) };
  },
  ptan: (ctx, st) => {
    const o = new F80();
    const r = f.fptan(ctx, st[0], o);
    // FPTAN pushes 1.0 — or the NaN itself when the result is a NaN (silicon)
    const nan = (o.se & 0x7FFF) === 0x7FFF && ((o.hi & 0x7FFFFFFF) | o.lo) !== 0;
    if (r === 0) { st[0] = o; st.unshift(nan ? F80.from(o.se, o.hi, o.lo) : F80.from(0x3FFF, 0x80000000, 0)); }
    return { cc: r === 0x400 ? C2 : (ctx.c1 << 9) };
  },
  const: (ctx, st, _src, name) => {
    const o = new F80();
    f.loadConst(ctx, name.split('.')[1] as f.ConstName, o);
    st.unshift(o);
    return { cc: ctx.c1 << 9 };
  },
};

export function simulate(v: Vector): Sim | string {
  const name = v.case.name;
  const op = OPS[name.split('.')[0]];
  if (!op) return `no simulation for ${name}`;
  const cw = new DataView(memOf(v.case.mem, CW_ADDR)!.buffer).getUint16(0, true);
  const st: F80[] = [];
  const a = memOf(v.case.mem, A_ADDR), b = memOf(v.case.mem, B_ADDR);
  if (b) st.push(f80At(b, 0));
  if (a) st.unshift(f80At(a, 0));
  const ctx = new FpCtx();
  ctx.cw = cw;
  const r = op(ctx, st, memOf(v.case.mem, SRC_ADDR), name);
  if (!r) return `bad case ${name}`;
  const top = (8 - st.length) & 7;
  let sw = (ctx.exc & 0x3F) | r.cc | (top << 11);
  if (ctx.exc & ~cw & 0x3F) sw |= 0x8080; // ES and B
  return { st, sw, out: r.out, eflags: r.eflags };
}

/** How silicon and f80 disagree on a vector: not at all, only in C1 (the rounding-direction flag: silicon's
 *  internal value lay on the other side of the same rounded result), by one unit in the last place of
 *  register results (with C1 possibly differing too), or otherwise. */
export function disagreement(v: Vector): 'none' | 'c1' | 'ulp' | 'other' {
  if (check(v) === null) return 'none';
  const s = simulate(v);
  if (typeof s === 'string') return 'other';
  const em = v.expect.mem;
  const sw = new DataView(memOf(em, SAVE_ADDR + 4)!.buffer).getUint16(0, true);
  if (((sw ^ s.sw) & ~0x200) !== 0) return 'other';
  const regs = memOf(em, SAVE_ADDR + 28)!;
  const tw = new DataView(memOf(em, SAVE_ADDR + 8)!.buffer).getUint16(0, true);
  const top = (sw >> 11) & 7;
  let ulp = false;
  for (let k = 0; k * 10 < regs.length; k++) {
    if (((tw >> (2 * ((top + k) & 7))) & 3) === 3) continue;
    const e = f80At(regs, k * 10), g = s.st[k];
    if (!g) return 'other';
    if (show(e) === show(g)) continue;
    // adjacent finite values of one sign: ordinals (exponent, fraction) differ by one
    const ord = (x: F80) => (BigInt(x.se & 0x7FFF) << 63n) + (((BigInt(x.hi) << 32n) | BigInt(x.lo)) & ((1n << 63n) - 1n));
    const d = ord(e) - ord(g);
    if ((e.se ^ g.se) & 0x8000 || (d !== 1n && d !== -1n)) return 'other';
    ulp = true;
  }
  return ulp ? 'ulp' : 'c1';
}

export function check(v: Vector): string | null {
  if (v.case.name.startsWith('mf.')) {
    // #MF delivered at the next waiting instruction: the operation (second part of the name) must leave an
    // unmasked exception pending
    const s = simulate({ ...v, case: { ...v.case, name: v.case.name.slice(3) } });
    if (typeof s === 'string') return s;
    const ex = v.expect.exception as { vector?: number } | null | undefined;
    if (ex?.vector !== 16) return `expected #MF in the recording, got ${JSON.stringify(ex)}`;
    return (s.sw & 0x80) !== 0 ? null : `no unmasked exception pending (sw ${s.sw.toString(16)})`;
  }
  const s = simulate(v);
  if (typeof s === 'string') return s;
  const em = v.expect.mem;
  const sw = new DataView(memOf(em, SAVE_ADDR + 4)!.buffer).getUint16(0, true);
  const regs = memOf(em, SAVE_ADDR + 28)!;
  const diffs: string[] = [];
  if (sw !== s.sw) diffs.push(`sw expected ${sw.toString(16)} got ${s.sw.toString(16)}`);
  const tw = new DataView(memOf(em, SAVE_ADDR + 8)!.buffer).getUint16(0, true);
  const top = (sw >> 11) & 7;
  for (let k = 0; k * 10 < regs.length; k++) {
    const empty = ((tw >> (2 * ((top + k) & 7))) & 3) === 3;
    const e = f80At(regs, k * 10);
    const g = s.st[k];
    if (empty) { if (g) diffs.push(`st${k} expected empty got ${show(g)}`); continue; }
    if (!g || show(g) !== show(e)) diffs.push(`st${k} expected ${show(e)} got ${g ? show(g) : 'nothing'}`);
  }
  if (s.eflags !== undefined && s.eflags !== v.expect.regs?.eflags) diffs.push(`eflags expected ${v.expect.regs?.eflags?.toString(16)} got ${s.eflags.toString(16)}`);
  const out = memOf(em, OUT_ADDR);
  if (out) {
    const gh = s.out ? [...s.out].map((x) => x.toString(16).padStart(2, '0')).join('') : 'a5'.repeat(out.length);
    const eh = [...out].map((x) => x.toString(16).padStart(2, '0')).join('');
    if (gh.slice(0, eh.length) !== eh) diffs.push(`out expected ${eh} got ${gh}`);
  }
  return diffs.length ? diffs.join('; ') : null;
}

