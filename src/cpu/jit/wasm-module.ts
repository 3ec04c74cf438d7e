// A WebAssembly binary writer, just what the translator needs (WebAssembly Core Specification 1.0,
// chapter 5 "Binary format"): one module with i32 functions, imported functions and an imported memory;
// code as bytes, expressions as byte arrays that push one i32, structured control with label depths
// computed from the nesting.

/** Opcodes used (spec §5.4). */
export const enum Op {
  unreachable = 0x00, block = 0x02, loop = 0x03, if = 0x04, else = 0x05, end = 0x0B,
  br = 0x0C, br_if = 0x0D, br_table = 0x0E, return = 0x0F, call = 0x10,
  /** Tail call through a table (the tail-call proposal, on by default in Node 20's V8). */
  return_call_indirect = 0x13, drop = 0x1A, select = 0x1B,
  local_get = 0x20, local_set = 0x21, local_tee = 0x22,
  i32_load = 0x28, i32_load8_u = 0x2D, i32_load16_u = 0x2F,
  i32_store = 0x36, i32_store8 = 0x3A, i32_store16 = 0x3B,
  i32_const = 0x41,
  i32_eqz = 0x45, i32_eq = 0x46, i32_ne = 0x47, i32_lt_s = 0x48, i32_lt_u = 0x49, i32_gt_s = 0x4A,
  i32_gt_u = 0x4B, i32_le_s = 0x4C, i32_le_u = 0x4D, i32_ge_s = 0x4E, i32_ge_u = 0x4F,
  i64_ne = 0x52,
  i32_add = 0x6A, i32_sub = 0x6B, i32_mul = 0x6C, i32_and = 0x71, i32_or = 0x72, i32_xor = 0x73,
  i32_shl = 0x74, i32_shr_s = 0x75, i32_shr_u = 0x76, i32_rotl = 0x77, i32_rotr = 0x78,
  i64_mul = 0x7E, i64_extend_i32_s = 0xAC,
}

const I32 = 0x7F;
const VOID = 0x40;

export function uleb(v: number, out: number[]): void {
  v >>>= 0;
  do {
    let b = v & 127;
    v >>>= 7;
    if (v !== 0) b |= 128;
    out.push(b);
  } while (v !== 0);
}

export function sleb(v: number, out: number[]): void {
  v |= 0;
  for (;;) {
    const b = v & 127;
    v >>= 7;
    if ((v === 0 && (b & 64) === 0) || (v === -1 && (b & 64) !== 0)) { out.push(b); return; }
    out.push(b | 128);
  }
}

/** An expression: code that pushes one i32. */
export type Expr = number[];

export const get = (l: number): Expr => { const o = [Op.local_get]; uleb(l, o); return o; };
export const k = (v: number): Expr => { const o = [Op.i32_const]; sleb(v, o); return o; };
export const bin = (op: Op, a: Expr, b: Expr): Expr => [...a, ...b, op];
export const un = (op: Op, a: Expr): Expr => [...a, op];
/** Load from memory at address a + off (alignment hint: natural). */
export function load(op: Op.i32_load | Op.i32_load8_u | Op.i32_load16_u, a: Expr, off = 0): Expr {
  const o = [...a, op, op === Op.i32_load ? 2 : op === Op.i32_load16_u ? 1 : 0];
  uleb(off, o);
  return o;
}
/** c ? a : b (both evaluated). */
export const select = (a: Expr, b: Expr, c: Expr): Expr => [...a, ...b, ...c, Op.select];

/** Code of one function body, with the nesting of its labels. */
export class Code {
  readonly b: number[] = [];
  /** Open blocks / loops / ifs; a label is its position in this stack. */
  private depth = 0;

  emit(...e: number[][]): void { for (const x of e) for (const v of x) this.b.push(v); }
  op(o: Op): void { this.b.push(o); }
  set(l: number, e: Expr): void { this.emit(e); this.b.push(Op.local_set); uleb(l, this.b); }
  store(op: Op.i32_store | Op.i32_store8 | Op.i32_store16, a: Expr, v: Expr, off = 0): void {
    this.emit(a, v);
    this.b.push(op, op === Op.i32_store ? 2 : op === Op.i32_store16 ? 1 : 0);
    uleb(off, this.b);
  }
  /** Open a block (br goes to its end) / a loop (br goes to its start) / an if on e; returns its label. */
  block(): number { this.b.push(Op.block, VOID); return this.depth++; }
  loop(): number { this.b.push(Op.loop, VOID); return this.depth++; }
  if(e: Expr): number { this.emit(e); this.b.push(Op.if, VOID); return this.depth++; }
  else(): void { this.b.push(Op.else); }
  end(): void { this.b.push(Op.end); this.depth--; }
  /** Nesting now (for checks). */
  get level(): number { return this.depth; }
  private rel(label: number): number {
    if (label < 0 || label >= this.depth) throw new Error(`wasm: branch to a closed label ${label} at depth ${this.depth}`);
    return this.depth - 1 - label;
  }
  br(label: number): void { this.b.push(Op.br); uleb(this.rel(label), this.b); }
  brIf(label: number, e: Expr): void { this.emit(e); this.b.push(Op.br_if); uleb(this.rel(label), this.b); }
  brTable(e: Expr, labels: number[], dflt: number): void {
    this.emit(e);
    this.b.push(Op.br_table);
    uleb(labels.length, this.b);
    for (const l of labels) uleb(this.rel(l), this.b);
    uleb(this.rel(dflt), this.b);
  }
  call(fn: number, ...args: Expr[]): void { this.emit(...args); this.b.push(Op.call); uleb(fn, this.b); }
  /** return_call_indirect of type 0 through table 0: args, then the table index. */
  tailCallIndirect(index: Expr, ...args: Expr[]): void {
    this.emit(...args, index);
    this.b.push(Op.return_call_indirect, 0, 0);
  }
  /** A call's result as an expression. */
  static callE(fn: number, ...args: Expr[]): Expr {
    const o: number[] = [];
    for (const a of args) o.push(...a);
    o.push(Op.call);
    uleb(fn, o);
    return o;
  }
}

/** A function type: i32 parameters, and an i32 result or none. */
export interface FnType { params: number; result: boolean }

function vec(items: number[][], out: number[]): void {
  uleb(items.length, out);
  for (const it of items) for (const v of it) out.push(v);
}
function name(s: string): number[] {
  const o: number[] = [];
  uleb(s.length, o);
  for (let i = 0; i < s.length; i++) o.push(s.charCodeAt(i));
  return o;
}
function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const v of body) out.push(v);
}

export interface ModuleSpec {
  /** The type of type index 0 (what return_call_indirect in the code refers to). */
  type0: FnType;
  /** Import a function table "j"."t" (funcref) of at least this many elements (0: none). */
  table: number;
  /** Imported functions (module "j"), in index order 0.. . */
  imports: { name: string; type: FnType }[];
  /** Imported memory "j"."m" of this many 64 KiB pages (minimum = maximum). */
  memoryPages: number;
  /** Defined functions, indexes after the imports; each with its locals beyond the parameters. */
  functions: { type: FnType; locals: number; code: number[]; export?: string }[];
}

export function buildModule(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const types: FnType[] = [];
  const typeIndex = (t: FnType): number => {
    let i = types.findIndex((u) => u.params === t.params && u.result === t.result);
    if (i < 0) { i = types.length; types.push(t); }
    return i;
  };
  typeIndex(spec.type0);
  const imp = spec.imports.map((f) => typeIndex(f.type));
  const fns = spec.functions.map((f) => typeIndex(f.type));
  const out = [0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0];
  section(1, (() => {
    const o: number[] = [];
    vec(types.map((t) => [0x60, ...(() => { const p: number[] = []; uleb(t.params, p); for (let i = 0; i < t.params; i++) p.push(I32); return p; })(), ...(t.result ? [1, I32] : [0])]), o);
    return o;
  })(), out);
  section(2, (() => {
    const o: number[] = [];
    const items = spec.imports.map((f, i) => { const e = [...name('j'), ...name(f.name), 0x00]; uleb(imp[i], e); return e; });
    const m = [...name('j'), ...name('m'), 0x02, 0x01];
    uleb(spec.memoryPages, m);
    uleb(spec.memoryPages, m);
    items.push(m);
    if (spec.table > 0) {
      const t = [...name('j'), ...name('t'), 0x01, 0x70, 0x00];
      uleb(spec.table, t);
      items.push(t);
    }
    vec(items, o);
    return o;
  })(), out);
  section(3, (() => { const o: number[] = []; vec(fns.map((t) => { const e: number[] = []; uleb(t, e); return e; }), o); return o; })(), out);
  const exports = spec.functions.map((f, i) => ({ f, i })).filter((x) => x.f.export !== undefined);
  section(7, (() => {
    const o: number[] = [];
    vec(exports.map(({ f, i }) => { const e = [...name(f.export!), 0x00]; uleb(spec.imports.length + i, e); return e; }), o);
    return o;
  })(), out);
  section(10, (() => {
    const o: number[] = [];
    vec(spec.functions.map((f) => {
      const body: number[] = [];
      if (f.locals > 0) { uleb(1, body); uleb(f.locals, body); body.push(I32); } else uleb(0, body);
      for (const v of f.code) body.push(v);
      body.push(Op.end);
      const e: number[] = [];
      uleb(body.length, e);
      for (const v of body) e.push(v);
      return e;
    }), o);
    return o;
  })(), out);
  return new Uint8Array(out);
}
