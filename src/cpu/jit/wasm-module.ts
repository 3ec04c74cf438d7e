// A WebAssembly binary writer, just what the translator needs (WebAssembly Core Specification 1.0,
// chapter 5 "Binary format"): one module with i32 functions, imported functions and an imported memory;
// code as bytes, expressions as byte arrays that push one i32, structured control with label depths
// computed from the nesting.

/** Opcodes used (spec §5.4). */
export const enum Op {
  unreachable = 0x00, block = 0x02, loop = 0x03, if = 0x04, else = 0x05, end = 0x0B,
  br = 0x0C, br_if = 0x0D, br_table = 0x0E, return = 0x0F, call = 0x10, call_indirect = 0x11,
  /** Tail calls (the tail-call proposal, on by default in Node 20's V8). */
  return_call = 0x12, return_call_indirect = 0x13, drop = 0x1A, select = 0x1B,
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

/** A growing byte buffer (a function body is written into one without intermediate arrays). */
export class Bytes {
  private a = new Uint8Array(4096);
  length = 0;
  push(...v: number[]): void { for (let i = 0; i < v.length; i++) this.byte(v[i]); }
  byte(v: number): void {
    if (this.length === this.a.length) { const b = new Uint8Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.length++] = v;
  }
  append(v: ArrayLike<number>): void {
    const n = v.length;
    if (this.length + n > this.a.length) {
      const b = new Uint8Array(Math.max(this.a.length * 2, this.length + n));
      b.set(this.a.subarray(0, this.length));
      this.a = b;
    }
    if (v instanceof Uint8Array) this.a.set(v, this.length);
    else for (let i = 0; i < n; i++) this.a[this.length + i] = v[i];
    this.length += n;
  }
  bytes(): Uint8Array { return this.a.subarray(0, this.length); }
}

export function uleb(v: number, out: { push(...v: number[]): unknown }): void {
  v >>>= 0;
  do {
    let b = v & 127;
    v >>>= 7;
    if (v !== 0) b |= 128;
    out.push(b);
  } while (v !== 0);
}

export function sleb(v: number, out: { push(...v: number[]): unknown }): void {
  v |= 0;
  for (;;) {
    const b = v & 127;
    v >>= 7;
    if ((v === 0 && (b & 64) === 0) || (v === -1 && (b & 64) !== 0)) { out.push(b); return; }
    out.push(b | 128);
  }
}

/**
 * An expression: code that pushes one i32, as bytes and nested expressions in evaluation order. Composing
 * one never copies its parts (a region's code generator builds hundreds of thousands of them); Code
 * flattens it into the function body once. Expressions are immutable, so one may appear in several.
 */
export type Expr = (number | Expr)[];

/** Write e's bytes (depth first) to out. */
export function flatten(e: Expr, out: Bytes): void {
  for (let i = 0; i < e.length; i++) {
    const x = e[i];
    if (typeof x === 'number') out.byte(x); else flatten(x, out);
  }
}

/** local.get of the first locals and i32.const of small values: shared, built once. */
const GETS: Expr[] = [];
for (let l = 0; l < 128; l++) GETS.push([Op.local_get, l]);
const SMALL_K = 64;
const CONSTS: Expr[] = [];
for (let v = -SMALL_K; v < SMALL_K; v++) CONSTS.push([Op.i32_const, v & 127]);

export const get = (l: number): Expr => {
  if (l < 128) return GETS[l];
  const o: Expr = [Op.local_get]; uleb(l, o); return o;
};
export const k = (v: number): Expr => {
  if (v >= -SMALL_K && v < SMALL_K) return CONSTS[v + SMALL_K];
  const o: Expr = [Op.i32_const]; sleb(v, o); return o;
};
export const bin = (op: Op, a: Expr, b: Expr): Expr => [a, b, op];
export const un = (op: Op, a: Expr): Expr => [a, op];
/** Load from memory at address a + off (alignment hint: natural). */
export function load(op: Op.i32_load | Op.i32_load8_u | Op.i32_load16_u, a: Expr, off = 0): Expr {
  const o: Expr = [a, op, op === Op.i32_load ? 2 : op === Op.i32_load16_u ? 1 : 0];
  uleb(off, o);
  return o;
}
/** c ? a : b (both evaluated). */
export const select = (a: Expr, b: Expr, c: Expr): Expr => [a, b, c, Op.select];

/** Code of one function body, with the nesting of its labels. */
export class Code {
  readonly b = new Bytes();
  /** Open blocks / loops / ifs; a label is its position in this stack. */
  private depth = 0;

  /**
   * dry: only the structure counts (a code generator's first pass, which collects what the code uses):
   * expressions are not written out, so the bytes are not a valid body.
   */
  constructor(private readonly dry = false) {}

  emit(...e: Expr[]): void { if (!this.dry) for (let i = 0; i < e.length; i++) flatten(e[i], this.b); }
  op(o: Op): void { this.b.byte(o); }
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
  /** return_call of function fn. */
  tailCall(fn: number, ...args: Expr[]): void {
    this.emit(...args);
    this.b.push(Op.return_call);
    uleb(fn, this.b);
  }
  /** return_call_indirect of type 0 through table 0: args, then the table index. */
  tailCallIndirect(index: Expr, ...args: Expr[]): void {
    this.tailCallTyped(0, index, ...args);
  }
  /** return_call_indirect of the given type index through table 0. */
  tailCallTyped(type: number, index: Expr, ...args: Expr[]): void {
    this.emit(...args, index);
    this.b.push(Op.return_call_indirect);
    uleb(type, this.b);
    this.b.push(0);
  }
  /** A call's result as an expression. */
  static callE(fn: number, ...args: Expr[]): Expr {
    const o: Expr = args;
    o.push(Op.call);
    uleb(fn, o);
    return o;
  }
  /** A call_indirect's result as an expression: args, then the index in table 0 of a function of that type. */
  static callTypedE(type: number, index: Expr, ...args: Expr[]): Expr {
    const o: Expr = args;
    o.push(index, Op.call_indirect);
    uleb(type, o);
    o.push(0);
    return o;
  }
}

/** A function type: i32 parameters, and an i32 result or none. */
export interface FnType { params: number; result: boolean }

function vec(items: number[][], out: number[]): void {
  uleb(items.length, out);
  for (const it of items) for (let i = 0; i < it.length; i++) out.push(it[i]);
}
function name(s: string): number[] {
  const o: number[] = [];
  uleb(s.length, o);
  for (let i = 0; i < s.length; i++) o.push(s.charCodeAt(i));
  return o;
}
function section(id: number, body: ArrayLike<number>, out: Bytes): void {
  out.byte(id);
  uleb(body.length, out);
  out.append(body);
}

export interface ModuleSpec {
  /** The type of type index 0 (what return_call_indirect in the code refers to). */
  type0: FnType;
  /** Further types, at indexes 1.. in this order (what call_indirect and return_call_indirect name). */
  types?: FnType[];
  /** Import a function table (funcref) of at least this many elements (0: none), as table 0. */
  table: number;
  /** Its import name in module "j" (default "t"). */
  tableName?: string;
  /** Imported functions (module "j"), in index order 0.. . */
  imports: { name: string; type: FnType }[];
  /** Imported memory "j"."m" of this many 64 KiB pages (minimum = maximum). */
  memoryPages: number;
  /** Defined functions, indexes after the imports; each with its locals beyond the parameters. */
  functions: { type: FnType; locals: number; code: Uint8Array[]; export?: string }[];
}

export function buildModule(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  const types: FnType[] = [];
  const typeIndex = (t: FnType): number => {
    let i = types.findIndex((u) => u.params === t.params && u.result === t.result);
    if (i < 0) { i = types.length; types.push(t); }
    return i;
  };
  typeIndex(spec.type0);
  for (const t of spec.types ?? []) if (typeIndex(t) !== types.length - 1) throw new Error('wasm: ModuleSpec.types repeats a type');
  const imp = spec.imports.map((f) => typeIndex(f.type));
  const fns = spec.functions.map((f) => typeIndex(f.type));
  out.push(0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0);
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
      const t = [...name('j'), ...name(spec.tableName ?? 't'), 0x01, 0x70, 0x00];
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
  const code = new Bytes();
  uleb(spec.functions.length, code);
  for (const f of spec.functions) {
    const head: number[] = [];
    if (f.locals > 0) { uleb(1, head); uleb(f.locals, head); head.push(I32); } else uleb(0, head);
    let size = head.length + 1;
    for (const c of f.code) size += c.length;
    uleb(size, code);
    code.append(head);
    for (const c of f.code) code.append(c);
    code.byte(Op.end);
  }
  section(10, code.bytes(), out);
  return out.bytes().slice();
}
