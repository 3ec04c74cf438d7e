// Golden-vector cases for segment-register and descriptor instructions at CPL 3 (src/cpu/ops/segment-ops.ts):
// MOV r/m,Sreg and MOV Sreg,r/m with the user selectors (0x23 code, 0x2B data, identical in the oracle's
// Linux GDT and in our user32 layout), null selectors loaded then used (#GP(0)), the descriptor-load
// faults (#GP(selector)), LES/LDS/LSS/LFS, LAR/LSL/VERR/VERW, ARPL, and the CPL-0-only LLDT/LTR/LGDT/LIDT
// (#GP(0)). GS (the host's TLS selector) and the UMIP-emulated stores (SLDT/STR/SGDT/SIDT) are not used.
// Usage: npx tsx scripts/gen/stack-seg.ts > /tmp/stack-seg.cases.jsonl

import { Cases, DATA, hx, le, modrm, type Regs } from './sb-kit.ts';

const g = new Cases(0x5E65);
const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
function randRegs(): Regs {
  const r: Regs = {};
  for (const n of REGS) if (n !== 'esp') r[n] = g.val();
  return r;
}
const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4;
const SEGS: [string, number][] = [['es', ES], ['cs', CS], ['ss', SS], ['ds', DS], ['fs', FS]];
const dataMem = () => [{ addr: DATA, hex: g.bytes(16) }];
const dataDump = [{ addr: DATA, len: 16 }];

// ---- MOV r/m, Sreg (8C): register (32-bit: zero-extended; 16-bit: low word only) and memory (16 bits) ----
for (const [n, s] of SEGS) {
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue;
    g.add({ name: `mov-r32-${n}-${REGS[r]}`, code: hx(0x8C, modrm(3, s, r)), regs: randRegs() });
    g.add({ name: `mov-r16-${n}-${REGS[r]}`, code: '66' + hx(0x8C, modrm(3, s, r)), regs: randRegs() });
  }
  g.add({ name: `mov-m-${n}`, code: hx(0x8C, modrm(0, s, 5)) + le(DATA + 3, 4), regs: randRegs(), mem: dataMem(), dump: dataDump });
  g.add({ name: `mov-m16-${n}`, code: '66' + hx(0x8C, modrm(0, s, 5)) + le(DATA + 5, 4), regs: randRegs(), mem: dataMem(), dump: dataDump });
  g.add({ name: `mov-m-${n}-pf`, code: hx(0x8C, modrm(0, s, 5)) + le(0x7FCFFF, 4), regs: randRegs() });
}
g.add({ name: 'mov-r-sreg6-ud', code: hx(0x8C, modrm(3, 6, 0)), regs: randRegs() });
g.add({ name: 'mov-r-sreg7-ud', code: hx(0x8C, modrm(0, 7, 5)) + le(DATA, 4), regs: randRegs() });

// ---- MOV Sreg, r/m (8E) ----
for (const [n, s] of SEGS) {
  if (s === CS) continue;
  for (const sel of [0x2B, 0x2A, 0x28, 0x29, 0x23, 0x20, 0x00, 0x01, 0x03, 0x10, 0x13, 0x18, 0x1B, 0xFFF8, 0x0083, 0x0004, 0x000F]) {
    // load, then read the selector back and use the segment for a read and a write
    g.add({
      name: `mov-${n}-${sel.toString(16)}`,
      code: 'b8' + le(sel | 0x55AA0000, 4) + hx(0x8E, modrm(3, s, 0)) + hx(0x8C, modrm(3, s, 2)),
      regs: randRegs(),
    });
  }
  g.add({ name: `mov-${n}-m16`, code: hx(0x8E, modrm(0, s, 5)) + le(DATA, 4) + hx(0x8C, modrm(3, s, 2)), regs: randRegs(), mem: [{ addr: DATA, hex: '2b00ffff' }] });
  g.add({ name: `mov-${n}-o16`, code: '66' + hx(0x8E, modrm(3, s, 1)) + hx(0x8C, modrm(3, s, 2)), regs: { ...randRegs(), ecx: 0x1234002B } });
  g.add({ name: `mov-${n}-m-pf`, code: hx(0x8E, modrm(0, s, 5)) + le(0xF00000, 4), regs: randRegs() });
  g.add({ name: `mov-${n}-m-a16-pf`, code: '67' + hx(0x8E, modrm(0, s, 6)) + le(0x1000, 2), regs: randRegs() });
}
g.add({ name: 'mov-cs-ud', code: 'b823000000' + hx(0x8E, modrm(3, CS, 0)), regs: randRegs() });
g.add({ name: 'mov-cs-m-ud', code: hx(0x8E, modrm(0, CS, 5)) + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'mov-sreg6-ud', code: hx(0x8E, modrm(3, 6, 0)), regs: randRegs() });
g.add({ name: 'mov-sreg7-ud', code: hx(0x8E, modrm(3, 7, 0)), regs: randRegs() });
// null / code selectors then used for memory accesses
const useRead = (seg: number) => (seg === DS ? '' : hx([0x26, 0x2E, 0x36, 0x3E, 0x64][seg])) + '8b05' + le(DATA, 4);
const useWrite = (seg: number) => (seg === DS ? '' : hx([0x26, 0x2E, 0x36, 0x3E, 0x64][seg])) + '8905' + le(DATA, 4);
for (const [n, s] of [['es', ES], ['ds', DS], ['fs', FS]] as [string, number][]) {
  for (const sel of [0x00, 0x03, 0x23, 0x2B]) {
    const load = 'b8' + le(sel, 4) + hx(0x8E, modrm(3, s, 0));
    g.add({ name: `use-read-${n}-${sel}`, code: load + useRead(s), regs: randRegs(), mem: dataMem() });
    g.add({ name: `use-write-${n}-${sel}`, code: load + useWrite(s), regs: randRegs(), mem: dataMem(), dump: dataDump });
  }
  g.add({ name: `use-null-${n}-lods`, code: 'b800000000' + hx(0x8E, modrm(3, s, 0)) + (s === DS ? '' : hx([0x26, 0, 0, 0, 0x64][s])) + 'be' + le(DATA, 4) + 'ad', regs: randRegs() });
}
// ES null and STOS/MOVS (ES:EDI destination)
g.add({ name: 'es-null-stos', code: 'b800000000' + '8ec0' + 'bf' + le(DATA, 4) + 'ab', regs: randRegs() });
g.add({ name: 'es-null-movs', code: 'b800000000' + '8ec0' + 'bf' + le(DATA, 4) + 'be' + le(DATA + 8, 4) + 'a5', regs: randRegs() });
g.add({ name: 'es-code-stos', code: 'b823000000' + '8ec0' + 'bf' + le(DATA, 4) + 'ab', regs: randRegs() });
g.add({ name: 'ds-null-push-m', code: 'b800000000' + '8ed8' + 'ff35' + le(DATA, 4), regs: randRegs() });
g.add({ name: 'ds-null-ss-ok', code: 'b800000000' + '8ed8' + '8b0424', regs: randRegs() });
g.add({ name: 'ds-null-ebp-ok', code: 'b800000000' + '8ed8' + '89e5' + '8b4500', regs: randRegs() });
g.add({ name: 'ds-null-cs-read', code: 'b800000000' + '8ed8' + '2e8b05' + le(DATA, 4), regs: randRegs(), mem: dataMem() });
g.add({ name: 'ds-null-cs-write', code: 'b800000000' + '8ed8' + '2e8905' + le(DATA, 4), regs: randRegs(), mem: dataMem() });

// ---- LES / LDS / LSS / LFS (C4, C5, 0F B2, 0F B4) ----
const lxs: [string, string][] = [['les', 'c4'], ['lds', 'c5'], ['lss', '0fb2'], ['lfs', '0fb4']];
for (const [n, op] of lxs) {
  for (const sel of [0x2B, 0x00, 0x23, 0x18, 0x28]) {
    for (const pre of ['', '66']) {
      const off = pre ? 0x7788 : 0x11223344;
      const mem = [{ addr: DATA, hex: pre ? le(off, 2) + le(sel, 2) : le(off, 4) + le(sel, 2) }];
      g.add({ name: `${n}${pre ? 16 : 32}-${sel.toString(16)}`, code: pre + op + hx(modrm(0, 1, 5)) + le(DATA, 4), regs: randRegs(), mem });
    }
  }
  g.add({ name: `${n}-reg-ud`, code: op + hx(modrm(3, 1, 2)), regs: randRegs() });
  g.add({ name: `${n}-pf`, code: op + hx(modrm(0, 1, 5)) + le(0x7FCFFC, 4), regs: randRegs(), mem: [{ addr: 0x7FCFFC, hex: 'aabbccdd' }] });
  g.add({ name: `${n}-a16-pf`, code: '67' + op + hx(modrm(0, 1, 7)), regs: { ...randRegs(), ebx: 0x2000 } });
}
g.add({ name: 'lds-then-use', code: 'c5' + hx(modrm(0, 6, 5)) + le(DATA, 4) + 'ad', regs: randRegs(), mem: [{ addr: DATA, hex: le(DATA + 8, 4) + '2b00' + '0000' + '44332211' }] });
g.add({ name: 'lds-null-then-use', code: 'c5' + hx(modrm(0, 6, 5)) + le(DATA, 4) + 'ad', regs: randRegs(), mem: [{ addr: DATA, hex: le(DATA + 8, 4) + '0000' + '0000' + '44332211' }] });
g.add({ name: 'lss-esp', code: '0fb2' + hx(modrm(0, 4, 5)) + le(DATA, 4) + '58', regs: randRegs(), mem: [{ addr: DATA, hex: le(DATA + 8, 4) + '2b00' + '0000' + '44332211' }] });

// ---- LAR / LSL (0F 02 / 0F 03) and VERR / VERW (0F 00 /4 /5) ----
const sels = [0x23, 0x2B, 0x20, 0x28, 0x21, 0x00, 0x03, 0x10, 0x13, 0x18, 0x1B, 0x0083, 0xFFFB, 0x0004, 0x0007];
for (const sel of sels) {
  const r = randRegs();
  g.add({ name: `lar32-${sel.toString(16)}`, code: 'b9' + le(sel | 0xFFFF0000, 4) + '0f02c1', regs: r });
  g.add({ name: `lar16-${sel.toString(16)}`, code: 'b9' + le(sel, 4) + '660f02c1', regs: r });
  g.add({ name: `lsl32-${sel.toString(16)}`, code: 'b9' + le(sel, 4) + '0f03c1', regs: r });
  g.add({ name: `lsl16-${sel.toString(16)}`, code: 'b9' + le(sel, 4) + '660f03c1', regs: r });
  g.add({ name: `verr-${sel.toString(16)}`, code: 'b9' + le(sel, 4) + '0f00e1', regs: { ...r, eflags: 0x40 } });
  g.add({ name: `verw-${sel.toString(16)}`, code: 'b9' + le(sel, 4) + '0f00e9', regs: { ...r, eflags: 0x40 } });
}
for (const flags of [0, 0x8D5]) {
  g.add({ name: `lar-m-f${flags}`, code: '0f02' + hx(modrm(0, 0, 5)) + le(DATA, 4), regs: { ...randRegs(), eflags: flags }, mem: [{ addr: DATA, hex: '2300' }] });
  g.add({ name: `lsl-m-f${flags}`, code: '0f03' + hx(modrm(0, 0, 5)) + le(DATA, 4), regs: { ...randRegs(), eflags: flags }, mem: [{ addr: DATA, hex: '1000' }] });
  g.add({ name: `verr-m-f${flags}`, code: '0f00' + hx(modrm(0, 4, 5)) + le(DATA, 4), regs: { ...randRegs(), eflags: flags }, mem: [{ addr: DATA, hex: '2b00' }] });
  g.add({ name: `verw-m-f${flags}`, code: '0f00' + hx(modrm(0, 5, 5)) + le(DATA, 4), regs: { ...randRegs(), eflags: flags }, mem: [{ addr: DATA, hex: '2300' }] });
}
g.add({ name: 'lar-m-pf', code: '0f02' + hx(modrm(0, 0, 5)) + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'verr-m-pf', code: '0f00' + hx(modrm(0, 4, 5)) + le(0xF00000, 4), regs: randRegs() });

// ---- ARPL (63) ----
for (let k = 0; k < 16; k++) {
  const dst = (g.next() & 0xFFFFFFFC) | (k & 3), src = (g.next() & 0xFFFFFFFC) | (k >> 2);
  g.add({ name: `arpl-r-${k}`, code: '63c8', regs: { ...randRegs(), eax: dst, ecx: src, eflags: k & 1 ? 0x40 : 0x8D5 } });
  if (k % 2 === 0) {
    g.add({ name: `arpl-m-${k}`, code: '63' + hx(modrm(0, 1, 5)) + le(DATA, 4), regs: { ...randRegs(), ecx: src }, mem: [{ addr: DATA, hex: le(dst, 4) }], dump: [{ addr: DATA, len: 4 }] });
  }
}
g.add({ name: 'arpl-o16', code: '6663c8', regs: { ...randRegs(), eax: 0x12340000, ecx: 3 } });
g.add({ name: 'arpl-m-pf', code: '63' + hx(modrm(0, 1, 5)) + le(0xF00000, 4), regs: { ...randRegs(), ecx: 3 } });

// ---- CPL-0-only instructions at CPL 3: #GP(0) (checked before the memory operand) ----
g.add({ name: 'lldt-r', code: 'b82b0000000f00d0', regs: randRegs() });
g.add({ name: 'lldt-m', code: '0f0015' + le(DATA, 4), regs: randRegs() });
g.add({ name: 'lldt-m-pf', code: '0f0015' + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'ltr-r', code: 'b82b0000000f00d8', regs: randRegs() });
g.add({ name: 'ltr-m-pf', code: '0f001d' + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'lgdt-m', code: '0f0115' + le(DATA, 4), regs: randRegs(), mem: [{ addr: DATA, hex: 'ff0f00100000' }] });
g.add({ name: 'lgdt-m-pf', code: '0f0115' + le(0xF00000, 4), regs: randRegs() });
g.add({ name: 'lidt-m', code: '0f011d' + le(DATA, 4), regs: randRegs(), mem: [{ addr: DATA, hex: 'ff0f00100000' }] });
g.add({ name: 'lidt-o16', code: '660f011d' + le(DATA, 4), regs: randRegs() });
// ---- MOV SS / POP SS hold back the single-step trap for one instruction (SDM vol. 3A §6.8.3); other
// segment loads (MOV DS, LSS) do not. TF is set by POPF inside the snippet. ----
const setTf = '9c810c2400010000' + '9d';
g.add({ name: 'tf-mov-ss', code: 'b82b000000' + setTf + '8ed0' + '909090', regs: randRegs() });
g.add({ name: 'tf-pop-ss', code: '6a2b' + setTf + '17' + '909090', regs: randRegs() });
g.add({ name: 'tf-pop-ss-o16', code: '66' + '6a2b' + setTf + '6617' + '909090', regs: randRegs() });
g.add({ name: 'tf-mov-ds', code: 'b82b000000' + setTf + '8ed8' + '909090', regs: randRegs() });
g.add({ name: 'tf-lss', code: setTf + '0fb2' + hx(modrm(0, 4, 5)) + le(DATA, 4) + '909090', regs: randRegs(), mem: [{ addr: DATA, hex: le(0x7F0000, 4) + '2b00' }] });
g.add({ name: 'tf-mov-ss-bad', code: 'b823000000' + setTf + '8ed0' + '909090', regs: randRegs() });

// 0F 00 /6 /7 are undefined
g.add({ name: '0f00-6-ud', code: '0f00f0', regs: randRegs() });
g.add({ name: '0f00-7-ud', code: '0f0038', regs: randRegs() });

g.print();
