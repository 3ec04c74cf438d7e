// Golden-vector cases for software interrupts and IRET at CPL 3 (src/cpu/ops/interrupt-ops.ts,
// src/cpu/interrupts.ts, src/cpu/iret.ts), as the oracle's user32 mode sees them under Linux:
//  - INT3 (CC): #BP trap, EIP after it, registers and flags as left by the code before it;
//  - INTO (CE): #OF trap when OF=1 (after ADD/SUB/INC/NEG overflows in 8/16/32 bits, or OF from EFLAGS),
//    nothing when OF=0;
//  - INT n (CD ib) through DPL-0 gates at CPL 3: #GP(n*8+2) reported at the INT (SDM vol. 3A §6.13);
//  - INT1/ICEBP (F1): #DB trap, no DPL check;
//  - IRETD/IRET at CPL 3 to the same level: EIP/CS/EFLAGS from the stack, IF and IOPL unchangeable
//    (IOPL 0), TF in the image single-steps the next instruction, bad CS selectors → #GP(selector).
// Vectors 3, 4 and 0x80 via CD ib are left out (Linux gives them DPL 3 and handles them in the kernel).
// Usage: npx tsx scripts/gen/interrupts.ts > /tmp/interrupts.cases.jsonl

import { Cases, CF, CODE, hx, le, OF, PF, SF, STACK, ZF, AF, type Regs } from './sb-kit.ts';

const g = new Cases(0x1A7E44);
// (AC in an IRET image is left out: with CR0.AM set by Linux, the next unaligned access would be #AC.)
const TF = 0x100, IOPL = 0x3000, NT = 0x4000, DF = 0x400;

function randRegs(): Regs {
  return { eax: g.val(), ebx: g.val(), ecx: g.val(), edx: g.val(), esi: g.val(), edi: g.val(), ebp: g.val() };
}

// ---- INT3 ----
// (TF cannot be an input: the oracle enters the snippet with POPF; RET, which would trap on the RET.)
for (const f of [0, CF, ZF | PF, SF | OF, CF | PF | AF | ZF | SF | OF | DF]) {
  g.add({ name: `int3-f${f.toString(16)}`, code: 'cc', regs: { ...randRegs(), eflags: f } });
}
g.add({ name: 'int3-after-mov', code: 'b8efbeadde' + 'cc', regs: randRegs() });
g.add({ name: 'int3-66', code: '66cc', regs: randRegs() });
g.add({ name: 'int3-mid', code: '40' + 'cc' + '40', regs: { eax: 5 } });
g.add({ name: 'int3-after-add-flags', code: '05ffffff7f' + 'cc', regs: { eax: 1 } });

// ---- INTO ----
const overflows: [string, string, Regs][] = [
  ['add8', '0401', { eax: 0x7F }], ['add8-no', '0401', { eax: 0x7E }],
  ['add16', '66050100', { eax: 0x7FFF }], ['add16-no', '66050100', { eax: 0x8000 }],
  ['add32', '0501000000', { eax: 0x7FFFFFFF }], ['add32-no', '0501000000', { eax: 0xFFFFFFFF }],
  ['sub32', '2d01000000', { eax: 0x80000000 }], ['sub32-no', '2d01000000', { eax: 0 }],
  ['inc32', '40', { eax: 0x7FFFFFFF }], ['inc32-no', '40', { eax: 0x7FFFFFFE }],
  ['dec16', '6648', { eax: 0x8000 }], ['neg8', 'f6d8', { eax: 0x80 }], ['neg8-no', 'f6d8', { eax: 0x7F }],
  ['imul32', '6bc003', { eax: 0x40000000 }], ['imul32-no', '6bc003', { eax: 0x1000 }],
];
for (const [name, code, regs] of overflows) g.add({ name: `into-${name}`, code: code + 'ce' + '43', regs: { ...regs, ebx: 0 } });
for (const f of [0, OF, OF | CF | ZF, CF | SF | ZF, OF | DF]) {
  g.add({ name: `into-eflags-${f.toString(16)}`, code: 'ce' + '43', regs: { ebx: 7, eflags: f } });
}
g.add({ name: 'into-66', code: '66ce', regs: { eflags: OF } });

// ---- INT n at CPL 3 through DPL-0 gates: #GP(n*8+2) ----
for (const v of [0x00, 0x01, 0x02, 0x05, 0x06, 0x08, 0x0D, 0x0E, 0x10, 0x1F, 0x20, 0x21, 0x2E, 0x40, 0x7F, 0x81, 0xA5, 0xFE, 0xFF]) {
  g.add({ name: `int-${v.toString(16)}`, code: hx(0xCD, v), regs: { ...randRegs(), eflags: v & 1 ? CF | ZF : SF } });
}
g.add({ name: 'int-21-66', code: '66cd21', regs: randRegs() });
g.add({ name: 'int-21-after-inc', code: '40' + 'cd21', regs: { eax: 0xFFFFFFFF } });

// ---- INT1 / ICEBP ----
g.add({ name: 'icebp', code: 'f1', regs: randRegs() });
g.add({ name: 'icebp-flags', code: 'f1', regs: { eflags: CF | OF | SF } });
g.add({ name: 'icebp-after-dec', code: '48' + 'f1', regs: { eax: 0 } });

// ---- IRETD / IRET at CPL 3 (same privilege, SDM vol. 2 IRET "RETURN-TO-SAME-PRIVILEGE-LEVEL") ----
// push imm32 eflags; push 0x23; push target; iretd; [skipped: mov ebx,1]; target: inc eax
function iretd(name: string, eflags: number, cs: number, after: string, regs: Regs = {}): void {
  const head = '68' + le(eflags, 4) + '6a' + le(cs, 1) + '68';
  const target = CODE + head.length / 2 + 4 + 1 + 5;
  g.add({ name, code: head + le(target, 4) + 'cf' + 'bb01000000' + after, regs: { eax: 0, ebx: 0, ...regs } });
}
iretd('iretd-same', 0x202, 0x23, '40');
iretd('iretd-flags', 0x202 | CF | ZF | SF | OF | PF | AF, 0x23, '90');
iretd('iretd-df', 0x202 | DF, 0x23, '90');
iretd('iretd-if-clear-ignored', 0x002, 0x23, '90');                  // CPL 3 > IOPL 0: IF unchanged
iretd('iretd-iopl-ignored', 0x202 | IOPL, 0x23, '90');              // IOPL only at CPL 0
iretd('iretd-nt', 0x202 | NT, 0x23, '90');                          // NT is loaded at any CPL
iretd('iretd-tf', 0x202 | TF, 0x23, '40' + '40');                   // #DB after the first INC
iretd('iretd-tf-flags', 0x202 | TF | CF, 0x23, '40' + '40');
iretd('iretd-cs-null', 0x202, 0x00, '40');                          // #GP(0)
iretd('iretd-cs-data', 0x202, 0x2B, '40');                          // #GP(0x28): not a code segment
iretd('iretd-cs-rpl0', 0x202, 0x20, '40');                          // #GP(0x20): RPL < CPL
iretd('iretd-cs-ring0', 0x202, 0x13, '40');                         // #GP(0x10): nonconforming DPL 0 ≠ RPL 3
iretd('iretd-cs-beyond', 0x202, 0xFB, '40');                        // PUSH imm8 sign-extends: CS FFFBh, beyond the GDT: #GP(FFF8h)
// IRETD whose EIP is beyond the arena: #PF on the fetch at the new EIP.
g.add({ name: 'iretd-eip-unmapped', code: '68' + le(0x202, 4) + '6a23' + '68' + le(0x900000, 4) + 'cf', regs: {} });
// IRET with a 16-bit frame: push word flags, cs, ip (the new EIP is 16 bits: below the arena → #PF).
g.add({ name: 'iret16', code: '66' + '68' + le(0x0202, 2) + '666a23' + '66' + '68' + le(0x1234, 2) + '66cf', regs: {} });
// The stack pointer after IRETD: the 12-byte frame is gone.
g.add({ name: 'iretd-esp', code: '68' + le(0x246, 4) + '6a23' + '68' + le(CODE + 13 + 1, 4) + 'cf' + '90', regs: { esp: STACK - 0x100 } });

g.print();
