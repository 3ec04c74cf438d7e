// Golden-vector cases for the branch group (src/cpu/ops/branch.ts, src/cpu/far-transfer.ts): Jcc (short
// and near, every condition against many flag combinations), JMP/CALL/RET near in both operand sizes (a
// 16-bit operand size truncates the target to 16 bits: below the arena that is a #PF on the fetch),
// LOOP/LOOPE/LOOPNE/JCXZ with CX or ECX (67), and far JMP/CALL/RET with the user selectors (0x23 code,
// 0x2B data) including their #GP error codes. Usage: npx tsx scripts/gen/branch.ts > /tmp/branch.cases.jsonl

import { AF, Cases, CF, CODE, DATA, hx, le, modrm, OF, PF, SF, STACK, ZF, type Regs } from './sb-kit.ts';

const g = new Cases(0xB4A7C4);
const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
function randRegs(): Regs {
  const r: Regs = {};
  for (const n of REGS) if (n !== 'esp') r[n] = g.val();
  return r;
}
const stackDump = [{ addr: STACK - 16, len: 24 }];

// ---- Jcc: taken → skips "mov eax, 1" and lands on the HLT ----
const FLAG_SETS = [0, CF, PF, AF, ZF, SF, OF, SF | OF, ZF | SF, CF | ZF, ZF | OF, CF | PF | AF | ZF | SF | OF, SF | ZF | OF, CF | SF];
for (let cc = 0; cc < 16; cc++) {
  for (const f of FLAG_SETS) {
    g.add({ name: `jcc8-${cc.toString(16)}-f${f.toString(16)}`, code: hx(0x70 + cc, 5) + 'b801000000', regs: { eflags: f } });
  }
  for (const f of [0, CF | ZF, SF, OF | PF, SF | OF | ZF]) {
    g.add({ name: `jcc32-${cc.toString(16)}-f${f.toString(16)}`, code: hx(0x0F, 0x80 + cc) + le(5, 4) + 'b801000000', regs: { eflags: f } });
  }
  // the 16-bit operand-size truncation
  for (const f of [0, CF | ZF | SF | OF | PF]) {
    // 66 0F 8x rel16: EIP ← (EIP + rel16) AND FFFFH → below the arena: #PF at the truncated address
    g.add({ name: `jcc16-trunc-${cc.toString(16)}-f${f.toString(16)}`, code: '66' + hx(0x0F, 0x80 + cc) + le(0x1234, 2) + 'b801000000', regs: { eflags: f } });
  }
}

// ---- JMP near ----
for (const d of [0, 1, 5, 0x7F]) {
  const pad = 'cc'.repeat(d);
  g.add({ name: `jmp8-fwd-${d}`, code: hx(0xEB, d) + pad, regs: randRegs() });
  g.add({ name: `jmp32-fwd-${d}`, code: 'e9' + le(d, 4) + pad, regs: randRegs() });
}
g.add({ name: 'jmp8-back', code: 'eb03' + '40' + 'eb03' + 'ebfb' + 'cc', regs: { eax: 0 } });
g.add({ name: 'jmp32-back', code: 'e906000000' + '40' + 'e905000000' + 'e9f5ffffff', regs: { eax: 0 } });
// backward conditional loops: dec ecx; jnz / jns / jg back; inc eax; jl back
g.add({ name: 'jnz-back', code: '4975fd', regs: { ecx: 3 } });
g.add({ name: 'jns-back', code: '4979fd', regs: { ecx: 3 } });
g.add({ name: 'jg-back', code: '497ffd', regs: { ecx: 5 } });
g.add({ name: 'jl-back', code: '407cfd', regs: { eax: 0xFFFFFFF0 } });
g.add({ name: 'jnz32-back', code: '490f85f9ffffff', regs: { ecx: 4 } });
g.add({ name: 'jmp8-o16-trunc', code: '66eb10', regs: randRegs() });
g.add({ name: 'jmp16-o16-trunc', code: '66e90010', regs: randRegs() });
g.add({ name: 'jmp32-far-pf', code: 'e9' + le(0x00F00000 - (CODE + 5), 4), regs: randRegs() });
g.add({ name: 'jmp32-wrap-pf', code: 'e9' + le(0xFFFFFFF0, 4), regs: randRegs() });
// JMP r/m32 and r/m16 (FF /4)
for (let r = 0; r < 8; r++) {
  if (r === 4) continue;
  const regs = randRegs();
  (regs as Record<string, number>)[REGS[r]] = CODE + 3;
  g.add({ name: `jmp-rm32-${REGS[r]}`, code: hx(0xFF, modrm(3, 4, r)) + '40', regs });
  g.add({ name: `jmp-rm16-${REGS[r]}`, code: '66' + hx(0xFF, modrm(3, 4, r)), regs: { ...regs, [REGS[r]]: 0x12340055 } });
}
g.add({ name: 'jmp-m32', code: hx(0xFF, modrm(0, 4, 5)) + le(DATA, 4) + 'cc', mem: [{ addr: DATA, hex: le(CODE + 7, 4) }], regs: randRegs() });
g.add({ name: 'jmp-m16', code: '66' + hx(0xFF, modrm(0, 4, 5)) + le(DATA, 4), mem: [{ addr: DATA, hex: le(0xABCD1234, 4) }], regs: randRegs() });
g.add({ name: 'jmp-m32-pf', code: hx(0xFF, modrm(0, 4, 5)) + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'jmp-m32-a16', code: '67' + hx(0xFF, modrm(0, 4, 7)), regs: { ...randRegs(), ebx: 0x1000 } });
g.add({ name: 'jmp-esp-based', code: hx(0xFF, modrm(1, 4, 4), 0x24, 4) + 'cc', mem: [{ addr: STACK + 4, hex: le(CODE + 5, 4) }], regs: randRegs() });

// ---- CALL near (E8, FF /2) ----
g.add({ name: 'call32-fwd', code: 'e801000000cc', regs: randRegs(), dump: stackDump });
g.add({ name: 'call32-zero', code: 'e800000000', regs: randRegs(), dump: stackDump });
g.add({ name: 'call32-back', code: 'eb06' + '58' + 'eb08' + 'cccccc' + 'e8f5ffffff', regs: randRegs(), dump: stackDump });
g.add({ name: 'call16-trunc', code: '66e80000', regs: randRegs(), dump: stackDump });
g.add({ name: 'call16-trunc2', code: '66e8f0ff', regs: randRegs(), dump: stackDump });
for (let r = 0; r < 8; r++) {
  if (r === 4) continue;
  const regs = randRegs();
  (regs as Record<string, number>)[REGS[r]] = CODE + 3;
  g.add({ name: `call-rm32-${REGS[r]}`, code: hx(0xFF, modrm(3, 2, r)) + '5a', regs, dump: stackDump });
  g.add({ name: `call-rm16-${REGS[r]}`, code: '66' + hx(0xFF, modrm(3, 2, r)), regs: { ...regs, [REGS[r]]: 0x55AA0077 }, dump: stackDump });
}
g.add({ name: 'call-esp-reg', code: hx(0xFF, modrm(3, 2, 4)), regs: {}, dump: stackDump });
g.add({ name: 'call-m32', code: hx(0xFF, modrm(0, 2, 5)) + le(DATA, 4) + 'cc', mem: [{ addr: DATA, hex: le(CODE + 7, 4) }], regs: randRegs(), dump: stackDump });
g.add({ name: 'call-m32-esp', code: hx(0xFF, modrm(0, 2, 4), 0x24) + 'cc', mem: [{ addr: STACK, hex: le(CODE + 4, 4) }], regs: randRegs(), dump: stackDump });
g.add({ name: 'call-m16', code: '66' + hx(0xFF, modrm(0, 2, 5)) + le(DATA, 4), mem: [{ addr: DATA, hex: le(0x4321, 4) }], regs: randRegs(), dump: stackDump });
g.add({ name: 'call-m32-pf', code: hx(0xFF, modrm(0, 2, 5)) + le(0xF00000, 4), regs: randRegs(), dump: stackDump });
g.add({ name: 'call-stack-pf', code: 'e800000000e800000000e800000000', code_addr: 0x20000, regs: { esp: 0x10008 } });
g.add({ name: 'call-stack-pf2', code: 'e800000000e800000000e800000000', code_addr: 0x20000, regs: { esp: 0x1000A } });
g.add({ name: 'call-target-pf', code: 'e8' + le(0xF00000 - (CODE + 5), 4), regs: randRegs(), dump: stackDump });

// ---- RET near (C3, C2 iw) ----
for (const [imm, pre] of [[-1, ''], [0, ''], [4, ''], [0x10, ''], [0xFFFF, ''], [-1, '66'], [2, '66'], [0x100, '66']] as [number, string][]) {
  const op = imm < 0 ? 'c3' : 'c2' + le(imm, 2);
  const target = pre ? 0x10000 + 0x2222 : CODE + 20;
  g.add({ name: `ret${pre ? 16 : 32}-imm${imm}`, code: pre + op + 'cc'.repeat(20 - pre.length / 2 - op.length / 2) + '40', mem: [{ addr: STACK, hex: le(target, 4) + '11223344' }], regs: { eax: 0x100 } });
}
g.add({ name: 'call-ret', code: 'e801000000f4c3', regs: randRegs() });
g.add({ name: 'ret-pf-target', code: 'c3', mem: [{ addr: STACK, hex: le(0xF00000, 4) }], regs: randRegs() });
g.add({ name: 'ret-stack-pf', code: 'c3', regs: { esp: 0x7FD000 } });
g.add({ name: 'ret-stack-cross', code: 'c3', regs: { esp: 0x7FCFFE } });
g.add({ name: 'ret16-stack-cross', code: '66c3', regs: { esp: 0x7FCFFF } });
g.add({ name: 'ret-imm-wrap', code: 'c20800', mem: [{ addr: 0x7FCFF8, hex: le(CODE + 3, 4) }], regs: { esp: 0x7FCFF8 } });

// ---- LOOP / LOOPE / LOOPNE / JCXZ, 32- and 16-bit address size ----
// "inc eax; loopXX back": the loop body runs until the count (or ZF condition) stops it.
for (const ecx of [1, 2, 5, 0x10001, 0x10000]) {
  g.add({ name: `loop-ecx-${ecx.toString(16)}`, code: '40e2fd', regs: { eax: 0, ecx: ecx > 0xFFFF ? 7 : ecx } });
  g.add({ name: `loop-a16-cx-${ecx.toString(16)}`, code: '4067e2fc', regs: { eax: 0, ecx } });
}
g.add({ name: 'loop-a16-cx0', code: '4067e2fc', regs: { eax: 0, ecx: 0xABCD0000 } });
g.add({ name: 'loop-o16-trunc', code: '66e2f0', regs: { ecx: 3 } });
g.add({ name: 'loop-o16-nottaken', code: '66e2f0', regs: { ecx: 1 } });
// LOOPE / LOOPNE: "dec edx (ZF when edx reaches 0); loopXX back"
for (const [edx, ecx] of [[3, 10], [10, 3], [1, 1], [2, 5], [0, 4]]) {
  g.add({ name: `loope-${edx}-${ecx}`, code: '404ae1fc', regs: { eax: 0, edx, ecx } });
  g.add({ name: `loopne-${edx}-${ecx}`, code: '404ae0fc', regs: { eax: 0, edx, ecx } });
  g.add({ name: `loope-a16-${edx}-${ecx}`, code: '404a67e1fb', regs: { eax: 0, edx, ecx: ecx | 0x30000 } });
  g.add({ name: `loopne-a16-${edx}-${ecx}`, code: '404a67e0fb', regs: { eax: 0, edx, ecx: ecx | 0x30000 } });
}
for (const f of [0, ZF]) {
  g.add({ name: `loope-f${f}`, code: 'e102b001', regs: { ecx: 5, eflags: f } });
  g.add({ name: `loopne-f${f}`, code: 'e002b001', regs: { ecx: 5, eflags: f } });
  g.add({ name: `loope-c1-f${f}`, code: 'e102b001', regs: { ecx: 1, eflags: f } });
}
for (const ecx of [0, 1, 0x10000, 0xFFFF0000, 0xFFFFFFFF]) {
  g.add({ name: `jecxz-${ecx.toString(16)}`, code: 'e302b001', regs: { ecx } });
  g.add({ name: `jcxz-a16-${ecx.toString(16)}`, code: '67e302b001', regs: { ecx } });
  g.add({ name: `jecxz-o16-${ecx.toString(16)}`, code: '66e3f0b001', regs: { ecx } });
}

// ---- Far JMP / CALL / RET with the user selectors ----
const farTarget = (off: number) => le(CODE + off, 4);
// JMP ptr16:32 to 0x23 (same privilege) and to 0x20 (RPL 0 ≤ CPL: allowed, CS.RPL becomes 3)
g.add({ name: 'jmpf-23', code: 'ea' + farTarget(8) + '2300' + 'cc' + '8cc8', regs: randRegs() });
g.add({ name: 'jmpf-20', code: 'ea' + farTarget(8) + '2000' + 'cc' + '8cc8', regs: randRegs() });
g.add({ name: 'jmpf-22', code: 'ea' + farTarget(8) + '2200' + 'cc' + '8cc8', regs: randRegs() });
// #GP(selector): data segment, DPL-0 code, beyond the GDT, LDT without an LDT; #GP(0): null
for (const sel of [0x2B, 0x28, 0x13, 0x10, 0x18, 0x1B, 0xFFFB, 0x0083, 0x0007, 0x0004, 0x0000, 0x0003]) {
  g.add({ name: `jmpf-gp-${sel.toString(16)}`, code: 'ea' + farTarget(8) + le(sel, 2) + 'cc', regs: randRegs() });
  g.add({ name: `callf-gp-${sel.toString(16)}`, code: '9a' + farTarget(8) + le(sel, 2) + 'cc', regs: randRegs(), dump: stackDump });
}
// 16-bit operand size: the offset is 16 bits → below the arena → #PF on the fetch after the transfer
g.add({ name: 'jmpf16-23', code: '66ea3412' + '2300', regs: randRegs() });
g.add({ name: 'callf16-23', code: '669a3412' + '2300', regs: randRegs(), dump: stackDump });
// CALL far, then RETF: the 32-bit CS slot is zero-extended on the reference silicon (prefilled slots)
g.add({ name: 'callf-23', code: '6aff6aff5858' + '9a' + farTarget(14) + '2300' + 'f4' + '5a59', regs: randRegs(), dump: stackDump });
g.add({ name: 'callf-retf', code: '9a' + farTarget(9) + '2300' + 'eb01' + 'cb', regs: randRegs(), dump: stackDump });
g.add({ name: 'callf-retf-imm', code: '6a016a02' + '9a' + farTarget(13) + '2300' + 'eb03' + 'ca0800', regs: randRegs(), dump: stackDump });
g.add({ name: 'callf16-retf16', code: '66' + '9a' + le(0x000B, 2) + '2300' + 'f4', regs: randRegs(), dump: stackDump });
g.add({ name: 'callf-20-cs', code: '9a' + farTarget(8) + '2000' + 'cc' + '8cc8', regs: randRegs(), dump: stackDump });
// FF /3 and FF /5 with m16:32 and m16:16, register forms #UD
g.add({ name: 'jmpf-m32', code: hx(0xFF, modrm(0, 5, 5)) + le(DATA, 4) + 'cc', mem: [{ addr: DATA, hex: farTarget(7) + '2300' }], regs: randRegs() });
g.add({ name: 'jmpf-m32-bad', code: hx(0xFF, modrm(0, 5, 5)) + le(DATA, 4) + 'cc', mem: [{ addr: DATA, hex: farTarget(7) + '2b00' }], regs: randRegs() });
g.add({ name: 'jmpf-m16', code: '66' + hx(0xFF, modrm(0, 5, 5)) + le(DATA, 4), mem: [{ addr: DATA, hex: '5555' + '2300' }], regs: randRegs() });
g.add({ name: 'callf-m32', code: hx(0xFF, modrm(0, 3, 5)) + le(DATA, 4) + 'cc', mem: [{ addr: DATA, hex: farTarget(7) + '2300' }], regs: randRegs(), dump: stackDump });
g.add({ name: 'callf-m16', code: '66' + hx(0xFF, modrm(0, 3, 5)) + le(DATA, 4), mem: [{ addr: DATA, hex: '5555' + '2300' }], regs: randRegs(), dump: stackDump });
g.add({ name: 'callf-m32-null', code: hx(0xFF, modrm(0, 3, 5)) + le(DATA, 4), mem: [{ addr: DATA, hex: farTarget(7) + '0000' }], regs: randRegs(), dump: stackDump });
g.add({ name: 'jmpf-m32-pf', code: hx(0xFF, modrm(0, 5, 5)) + le(0x7FCFFC, 4), regs: randRegs() });
g.add({ name: 'jmpf-reg-ud', code: hx(0xFF, modrm(3, 5, 0)), regs: randRegs() });
g.add({ name: 'callf-reg-ud', code: hx(0xFF, modrm(3, 3, 0)), regs: randRegs() });
g.add({ name: 'callf-stack-pf', code: '9a' + le(0x20000 + 7, 4) + '2300' + '9a' + le(0x20000 + 14, 4) + '2300', code_addr: 0x20000, regs: { esp: 0x1000C } });
// (not dumped: the reference silicon has already stored the CS slot when the EIP slot faults; we check
// every slot first and store nothing, as a restartable fault requires)
// RETF with various selectors on the stack
for (const sel of [0x23, 0x2B, 0x20, 0x21, 0x22, 0x00, 0x03, 0x13, 0x1B, 0xFFFB, 0x0007]) {
  g.add({ name: `retf-${sel.toString(16)}`, code: 'cb' + 'cc' + '8cc8', mem: [{ addr: STACK, hex: le(CODE + 2, 4) + le(sel | 0xABCD0000, 4) }], regs: randRegs() });
}
g.add({ name: 'retf16-23', code: '66cb', mem: [{ addr: STACK, hex: '3412' + '2300' }], regs: randRegs() });
g.add({ name: 'retf-imm', code: 'ca1000' + 'cc' + '8cc8', mem: [{ addr: STACK, hex: le(CODE + 4, 4) + '23000000' }], regs: randRegs() });
g.add({ name: 'retf-stack-cross', code: 'cb', regs: { esp: 0x7FCFFC } });
g.add({ name: 'retf-target-pf', code: 'cb', mem: [{ addr: STACK, hex: le(0xF00000, 4) + '23000000' }], regs: randRegs() });

g.print();
