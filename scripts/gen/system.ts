// Golden-vector cases for the system group (src/cpu/ops/system.ts, flag-ops.ts, io.ts) as silicon shows
// them at CPL 3 (x86-oracle mode user32, IOPL 0): privileged instructions fault with #GP(0) (CLI, STI,
// HLT, IN/OUT, MOV CRn/DRn, CLTS, LMSW, INVLPG, INVD, WBINVD, RDMSR, WRMSR, SYSEXIT), invalid forms
// are #UD (MOV CR1/CR5-7, INVLPG with a register operand, UD2, undefined 0F opcodes, LOCK on non-RMW),
// PUSHF/POPF at CPL 3 (IF and IOPL silently unchanged, VM/VIF/VIP ignored, RF cleared, AC/ID/NT/DF
// toggle, TF single-step), the 0F 18-1F NOPs decoded for length but never touching memory, and
// page-crossing accesses that fault on the second page.
// Excluded because the result depends on the host: CPUID, RDTSC, RDPMC (CR4.PCE), SYSENTER (it would
// enter the host kernel), SMSW (UMIP emulation), LOCK MOV CR0 (AMD's CR8 alias), 0F 0D (AMD PREFETCH).
// Usage: npx tsx scripts/gen/system.ts > /tmp/system.cases.jsonl (then scripts/record-golden.ts).

const CODE = 0x10000, DATA = 0x20000, STACK = 0x7F0000, ARENA_HI = 0x7FD000;
const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400, OF = 0x800,
  IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000, VIP = 0x100000, ID = 0x200000;

type Regs = Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp' | 'eflags', number>>;
interface Case { name: string; mode: 'user32'; code: string; regs?: Regs; mem?: { addr: number; hex: string }[]; dump?: { addr: number; len: number }[] }

function le(v: number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += ((v >>> (8 * k)) & 0xFF).toString(16).padStart(2, '0');
  return s;
}
const hx = (...b: number[]) => b.map((x) => (x & 0xFF).toString(16).padStart(2, '0')).join('');
const modrm = (mod: number, reg: number, rm: number) => (mod << 6) | (reg << 3) | rm;

/** mulberry32, fixed seed. */
let seed = 0x5E57E11 >>> 0;
function next(): number {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
function val(): number {
  const edges = [0, 1, 0x7F, 0x80, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x12345678];
  return next() & 1 ? next() : edges[next() % edges.length];
}
function regs(extra: Regs = {}): Regs {
  return { eax: val(), ebx: val(), ecx: val(), edx: val(), esi: val(), edi: val(), ebp: val(), ...extra };
}

const cases: Case[] = [];
const names = new Set<string>();
function add(c: Omit<Case, 'mode'>): void {
  let name = c.name;
  for (let k = 2; names.has(name); k++) name = `${c.name}#${k}`;
  names.add(name);
  const out: Case = { name, mode: 'user32', code: c.code + 'f4' };
  if (c.regs) out.regs = c.regs;
  if (c.mem) out.mem = c.mem;
  if (c.dump) out.dump = c.dump;
  cases.push(out);
}

// ---- CLI / STI / HLT at CPL 3 with IOPL 0: #GP(0) ----
for (const [n, c] of [['cli', 'fa'], ['sti', 'fb'], ['hlt', 'f4'], ['cli-o16', '66fa'], ['sti-rep', 'f3fb']] as const) {
  for (const fl of [0, CF | ZF, DF | OF | SF]) add({ name: `${n}-gp-${fl.toString(16)}`, code: c, regs: regs({ eflags: fl }) });
}
add({ name: 'sti-after-nop', code: '90fb', regs: regs() });

// ---- IN / OUT in every form and width: #GP(0) (IOPL 0, Linux's TSS denies every port) ----
for (const port of [0x00, 0x20, 0x60, 0x80, 0xE9, 0xFF]) {
  for (const [n, c] of [['in-al-ib', 'e4'], ['in-eax-ib', 'e5'], ['in-ax-ib', '66e5'], ['out-ib-al', 'e6'], ['out-ib-eax', 'e7'], ['out-ib-ax', '66e7']] as const) {
    add({ name: `${n}-${port.toString(16)}`, code: c + hx(port), regs: regs() });
  }
}
for (const dx of [0, 0x3F8, 0x80, 0xCF8, 0xFFFF]) {
  for (const [n, c] of [['in-al-dx', 'ec'], ['in-eax-dx', 'ed'], ['in-ax-dx', '66ed'], ['out-dx-al', 'ee'], ['out-dx-eax', 'ef'], ['out-dx-ax', '66ef']] as const) {
    add({ name: `${n}-${dx.toString(16)}`, code: c, regs: regs({ edx: (val() & 0xFFFF0000) | dx }) });
  }
}

// ---- MOV CRn / DRn: #GP(0) at CPL 3 for CR0 CR2 CR3 CR4 and every DR; #UD for CR1, CR5-CR7 ----
for (const op of [0x20, 0x22]) {
  for (let cr = 0; cr < 8; cr++) {
    const r = next() & 7;
    add({ name: `mov-cr${cr}-${op === 0x20 ? 'read' : 'write'}-r${r}`, code: hx(0x0F, op, modrm(3, cr, r)), regs: regs() });
  }
  // mod != 3 encodings are the same register form (the fault is the same; no memory is touched)
  for (const m of [0, 1, 2]) add({ name: `mov-cr0-${op.toString(16)}-mod${m}`, code: hx(0x0F, op, modrm(m, 0, 5)), regs: regs() });
  add({ name: `mov-cr5-${op.toString(16)}-mod0`, code: hx(0x0F, op, modrm(0, 5, 4)), regs: regs() });
}
for (const op of [0x21, 0x23]) {
  for (let dr = 0; dr < 8; dr++) {
    const r = next() & 7;
    add({ name: `mov-dr${dr}-${op === 0x21 ? 'read' : 'write'}-r${r}`, code: hx(0x0F, op, modrm(3, dr, r)), regs: regs() });
  }
  add({ name: `mov-dr7-${op.toString(16)}-mod1`, code: hx(0x0F, op, modrm(1, 7, 0)), regs: regs() });
}

// ---- other privileged instructions: #GP(0) ----
add({ name: 'clts', code: '0f06', regs: regs() });
add({ name: 'clts-o16', code: '660f06', regs: regs() });
for (let r = 0; r < 8; r += 3) add({ name: `lmsw-r${r}`, code: hx(0x0F, 0x01, modrm(3, 6, r)), regs: regs() });
add({ name: 'lmsw-mem', code: hx(0x0F, 0x01, modrm(0, 6, 5)) + le(DATA, 4), regs: regs(), mem: [{ addr: DATA, hex: '0100' }] });
add({ name: 'lmsw-mem-unmapped', code: hx(0x0F, 0x01, modrm(0, 6, 5)) + le(0x7FE000, 4), regs: regs() });
add({ name: 'invlpg-mem', code: hx(0x0F, 0x01, modrm(0, 7, 5)) + le(DATA, 4), regs: regs() });
add({ name: 'invlpg-eax', code: hx(0x0F, 0x01, modrm(0, 7, 0)), regs: regs({ eax: DATA }) });
add({ name: 'invlpg-sib', code: hx(0x0F, 0x01, modrm(1, 7, 4), 0x88, 0x10), regs: regs() });
add({ name: 'invlpg-unmapped', code: hx(0x0F, 0x01, modrm(0, 7, 5)) + le(0xF0000000, 4), regs: regs() });
add({ name: 'invd', code: '0f08', regs: regs() });
add({ name: 'wbinvd', code: '0f09', regs: regs() });
for (const msr of [0x10, 0x1B, 0x174, 0x175, 0x176, 0xC0000080, 0, 0xFFFFFFFF]) {
  add({ name: `rdmsr-${msr.toString(16)}`, code: '0f32', regs: regs({ ecx: msr }) });
  add({ name: `wrmsr-${msr.toString(16)}`, code: '0f30', regs: regs({ ecx: msr }) });
}
add({ name: 'sysexit', code: '0f35', regs: regs() });
add({ name: 'sysexit-o16', code: '660f35', regs: regs() });
add({ name: 'hlt-o16', code: '66f4', regs: regs() });

// ---- #UD: invalid register forms, UD2, undefined opcodes, LOCK on non-RMW instructions ----
// Only F8 (SWAPGS, #UD outside 64-bit mode) and FF: the host gives F9-FE meanings (RDTSCP, MONITORX,
// MWAITX, CLZERO, RDPRU, INVLPGB) that a P6 does not have.
for (const r of [0, 7]) add({ name: `invlpg-reg-r${r}`, code: hx(0x0F, 0x01, modrm(3, 7, r)), regs: regs() });
for (const c of ['0f0b', '660f0b', 'f30f0b', '0f0bc0']) add({ name: `ud2-${c}`, code: c, regs: regs() });
for (const c of ['0f04', '0f0a', '0f0c', '0f24c0', '0f25c0', '0f26c0', '0f27c0', '0f36', '0f39', '0fa6c0', '0fa7c0', '0fff00', '0fb900']) {
  add({ name: `undefined-${c}`, code: c, regs: regs() });
}
for (const c of ['f0fa', 'f0fb', 'f09c', 'f09d', 'f00f06', 'f00f0b', 'f00f1f00', 'f0e460', 'f0ec']) {
  add({ name: `lock-${c}`, code: c, regs: regs() });
}

// ---- 0F 18-0F 1F: NOP Ev; the operand is decoded (length) but memory is never accessed ----
const nopForms: [string, string][] = [
  ['reg', hx(modrm(3, 0, 0))], ['eax', hx(modrm(0, 0, 0))], ['disp8', hx(modrm(1, 0, 0), 0x00)],
  ['sib-disp8', hx(modrm(1, 0, 4), 0x00, 0x00)], ['disp32', hx(modrm(2, 0, 0)) + le(0, 4)],
  ['sib-disp32', hx(modrm(2, 0, 4), 0x00) + le(0, 4)], ['abs', hx(modrm(0, 0, 5)) + le(0xF0000000, 4)],
  ['sib-nobase', hx(modrm(0, 0, 4), 0x8D) + le(0x12345678, 4)], ['reg7', hx(modrm(3, 7, 7))], ['mem-reg3', hx(modrm(0, 3, 1))],
];
for (const op of [0x18, 0x19, 0x1C, 0x1D, 0x1F]) {
  for (const [n, tail] of nopForms) add({ name: `nop-0f${op.toString(16)}-${n}`, code: hx(0x0F, op) + tail, regs: regs({ eax: 0xF0000000, ecx: 0x80000000 }) });
}
add({ name: 'nopw-66-0f1f', code: '660f1f840000000000', regs: regs() });
add({ name: 'nop-67-0f1f-16bit-addr', code: '670f1f4600', regs: regs() });
add({ name: 'nop-67-0f1f-disp16', code: '670f1f060000', regs: regs() });
add({ name: 'nop-seg-0f1f', code: '2e0f1f840000000000', regs: regs() });
add({ name: 'nop-0f1e-reg', code: '0f1ec0', regs: regs() });

// ---- PUSHF / POPF at CPL 3, IOPL 0 ----
// pushfd / pushf with the status flags the oracle can set
for (const fl of [0, CF, PF | AF, ZF | SF, OF, DF, CF | PF | AF | ZF | SF | DF | OF]) {
  add({ name: `pushfd-${fl.toString(16)}`, code: '9c58', regs: regs({ eflags: fl }) });
  add({ name: `pushf16-${fl.toString(16)}`, code: '669c6658', regs: regs({ eflags: fl }) });
}
add({ name: 'pushfd-mem', code: '9c8f05' + le(DATA, 4), regs: regs({ eflags: CF | OF }), dump: [{ addr: DATA, len: 4 }] });
/** Clear AC again before the snippet ends (the host's signal path must not run with AC set). */
const clearAc = '9c812424' + le(~AC, 4) + '9d';
// popfd of a value, then read EFLAGS back into EAX
const popfdValues = [
  0, 0x2, CF | PF | AF | ZF | SF | OF, DF, NT, IF, IOPL, IF | IOPL, VM, RF, VIF, VIP, VIF | VIP, ID, AC, AC | ID,
  NT | DF | OF, 0xFFFFFFFF & ~(TF | AC), 0xFFFFFFFF & ~TF, 0x8 | 0x20 | 0x8000, 0xFFC00000, 0x7FD5, 0x2 | IF | ID | AC | NT,
];
for (const v of popfdValues) {
  add({ name: `popfd-${(v >>> 0).toString(16)}`, code: '68' + le(v, 4) + '9d' + '9c58' + clearAc, regs: regs({ eflags: next() & 0xCD5 }) });
}
// starting from each of the settable flags set, POPFD of 0 clears them (IF stays)
for (const fl of [CF | ZF, DF | SF, OF | PF | AF]) add({ name: `popfd-clear-${fl.toString(16)}`, code: '6a009d9c58', regs: regs({ eflags: fl }) });
// 16-bit POPF: EFLAGS[31:16] untouched (ID/AC set before stay set)
const popf16Values = [0, 0xFFFF, IF, IOPL, NT, DF | CF, 0x8000, 0x7FFF & ~TF, 0x0CD5];
for (const v of popf16Values) {
  add({ name: `popf16-${v.toString(16)}`, code: '6668' + le(v, 2) + '669d' + '9c58', regs: regs({ eflags: next() & 0xCD5 }) });
  add({ name: `popf16-keeps-high-${v.toString(16)}`, code: '68' + le(ID | AC, 4) + '9d' + '6668' + le(v & ~TF, 2) + '669d' + '9c58' + clearAc, regs: regs() });
}
// ID toggle (the CPUID-detection idiom) and AC toggle
add({ name: 'id-toggle-idiom', code: '9c58' + '89c1' + '3500002000' + '50' + '9d' + '9c58' + '31c8', regs: regs() });
add({ name: 'ac-toggle-idiom', code: '9c58' + '89c1' + '3500000400' + '50' + '9d' + '9c58' + '31c8' + clearAc, regs: regs() });
// TF via POPF: the single-step trap comes after the instruction that follows POPF
add({ name: 'popfd-tf-nop', code: '9c810c24' + le(TF, 4) + '9d' + '90' + '90', regs: regs() });
add({ name: 'popfd-tf-inc', code: '9c810c24' + le(TF, 4) + '9d' + '40' + '40', regs: regs({ eax: 5 }) });
add({ name: 'popf16-tf', code: '669c66810c24' + le(TF, 2) + '669d' + '41', regs: regs({ ecx: 0 }) });
// POPF from the edge of the arena: #PF (user read, not present), ESP unchanged; straddling too
add({ name: 'popfd-unmapped', code: '9d', regs: regs({ esp: ARENA_HI }) });
add({ name: 'popfd-straddle', code: '9d', regs: regs({ esp: ARENA_HI - 2 }) });
add({ name: 'popf16-straddle', code: '669d', regs: regs({ esp: ARENA_HI - 1 }) });
add({ name: 'popfd-last-dword', code: '9d9c58', regs: regs({ esp: ARENA_HI - 4 }), mem: [{ addr: ARENA_HI - 4, hex: le(CF | ZF | DF | IF | IOPL, 4) }] });

// ---- page-crossing accesses that fault on the second page: nothing written, CR2 = that page ----
const edge = ARENA_HI;
const dump = [{ addr: edge - 8, len: 8 }];
const fill = [{ addr: edge - 8, hex: '1122334455667788' }];
for (const off of [1, 2, 3]) {
  add({ name: `xpage-add-m32-r32-${off}`, code: '0105' + le(edge - off, 4), regs: regs(), mem: fill, dump });
  add({ name: `xpage-add-r32-m32-${off}`, code: '0305' + le(edge - off, 4), regs: regs(), mem: fill, dump });
  add({ name: `xpage-mov-m32-${off}`, code: '8905' + le(edge - off, 4), regs: regs(), mem: fill, dump });
}
add({ name: 'xpage-add-m16', code: '660105' + le(edge - 1, 4), regs: regs(), mem: fill, dump });
add({ name: 'xpage-mov-m16', code: '668905' + le(edge - 1, 4), regs: regs(), mem: fill, dump });
add({ name: 'xpage-inc-m32', code: 'ff05' + le(edge - 2, 4), regs: regs(), mem: fill, dump });
add({ name: 'xpage-push-m32', code: 'ff35' + le(edge - 3, 4), regs: regs(), mem: fill, dump: [...dump, { addr: STACK - 4, len: 4 }] });
add({ name: 'last-dword-ok', code: '0105' + le(edge - 4, 4), regs: regs(), mem: fill, dump });

process.stdout.write(cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
process.stderr.write(`${cases.length} cases\n`);
void CODE;
