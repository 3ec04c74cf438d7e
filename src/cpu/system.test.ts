// System instructions at every privilege level, checked against the SDM (vol. 2 instruction pages,
// vol. 3A §2.5 control registers, vol. 3B §17.2 debug registers, vol. 4 MSRs). Each test builds the state
// by hand (test-machine.ts) and asserts exact register, flag and memory values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, TestMachine, UCS, UDS } from './test-machine.ts';
import { Sensitive } from './intercept.ts';
import { EAX, EBP, EBX, ECX, EDX, ESP, CS, SS, DB, GP, UD, IF, VM, AC, ID, RF, NT, TF, DF, CF, IOPL } from './regs.ts';
import { storageMsr } from './msr.ts';
import { FEATURES_EDX } from './cpuid.ts';
import { loadSegmentReal } from './segments.ts';
import { CPU_SIGNATURE } from './cpu.ts';

const u = (v: number) => v >>> 0;

function expectFault(m: TestMachine, hex: string, vector: number, error = vector === GP ? 0 : -1): void {
  const ev = m.run(hex);
  assert.ok(ev, `expected exception ${vector} for ${hex}`);
  assert.equal(ev.vector, vector, `vector for ${hex}`);
  assert.equal(ev.error, error, `error code for ${hex}`);
  assert.equal(ev.eip, CODE, `faulting EIP for ${hex}`);
}

// ---------------------------------------------------------------------------------------------------
// MOV to/from control registers (SDM vol. 2 "MOV—Move to/from Control Registers", vol. 3A §2.5)
// ---------------------------------------------------------------------------------------------------

test('MOV CR0: reserved bits ignored and read as 0, ET hardwired to 1 (P6)', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x00F0FF21; // PE NE plus reserved bits 23:20, 15:6; ET clear
  assert.equal(m.run('0f22c0' + '0f20c3' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EBX]), 0x31);
  assert.equal(u(m.cpu.cr0), 0x31);
});

test('MOV CR0: PG without PE and NW without CD are #GP(0), CR0 unchanged', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x80000010 | 0;
  expectFault(m, '0f22c0f4', GP);
  assert.equal(u(m.cpu.cr0), 0x11);
  m.cpu.r32[EAX] = 0x20000011;
  expectFault(m, '0f22c0f4', GP);
  assert.equal(u(m.cpu.cr0), 0x11);
  // CD=1 NW=1 and CD=1 NW=0 are fine.
  m.cpu.r32[EAX] = 0x60000011;
  assert.equal(m.run('0f22c0f4'), null);
  assert.equal(u(m.cpu.cr0), 0x60000011);
});

test('MOV CR4: bits of absent features are reserved (#GP(0)); TSD DE PSE PGE PCE load', () => {
  const m = new TestMachine();
  for (const bad of [0x1, 0x2, 0x20, 0x40, 0x200, 0x400, 0x800, 0x2000, 0x80000000]) {
    m.cpu.r32[EAX] = bad;
    expectFault(m, '0f22e0f4', GP);
    assert.equal(m.cpu.cr4, 0);
  }
  m.cpu.r32[EAX] = 0x19C;
  assert.equal(m.run('0f22e0' + '0f20e1' + 'f4'), null);
  assert.equal(m.cpu.r32[ECX], 0x19C);
});

test('MOV CR3 keeps PCD/PWT and the base, clears the other low bits; CR2 loads as is', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x12345FFF;
  m.cpu.r32[EBX] = 0xDEADBEEF | 0;
  assert.equal(m.run('0f22d8' + '0f22d3' + '0f20da' + '0f20d6' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EDX]), 0x12345018);
  assert.equal(u(m.cpu.r32[6]), 0xDEADBEEF);
});

test('MOV CR1, CR5-CR7 are #UD, also at CPL 3 (decode-time, ahead of the privilege check)', () => {
  for (const cpl of [0, 3] as const) {
    const m = new TestMachine({ cpl });
    for (const modrm of ['c8', 'e8', 'f0', 'f8']) {
      expectFault(m, '0f20' + modrm + 'f4', UD);
      expectFault(m, '0f22' + modrm + 'f4', UD);
    }
  }
});

test('MOV CR ignores the mod field: 0F 20 05 is MOV EBP,CR0 and is 3 bytes long', () => {
  const m = new TestMachine();
  m.cpu.r32[EBP] = 0;
  // 0F 20 05 then HLT: with a memory decode it would swallow 4 displacement bytes.
  assert.equal(m.run('0f2005' + 'f4'), null);
  assert.equal(m.cpu.r32[EBP], 0x11);
  assert.equal(m.cpu.eip, CODE + 4);
  // 0F 22 44 (mod=1, rm=4): MOV CR0,ESP, with neither SIB nor displacement byte.
  m.cpu.r32[ESP] = 0x60000011;
  assert.equal(m.run('0f2244' + 'f4'), null);
  assert.equal(m.cpu.eip, CODE + 4);
  assert.equal(m.cpu.cr0, 0x60000011);
});

test('LOCK MOV CR0 is #UD on Intel (no CR8 alias)', () => {
  const m = new TestMachine();
  expectFault(m, 'f00f20c0f4', UD);
});

test('privileged instructions at CPL 3 raise #GP(0) before any intercept and change nothing', () => {
  const m = new TestMachine({ cpl: 3 });
  const cases = [
    '0f20c0', '0f22c0', '0f20d8', '0f22d8', '0f20e0', // MOV CRn
    '0f06',                                           // CLTS
    '0f01f0', '0f0130',                               // LMSW reg / mem
    '0f0138',                                         // INVLPG [eax]
    '0f08', '0f09',                                   // INVD, WBINVD
    '0f32', '0f30',                                   // RDMSR, WRMSR
    '0f35',                                           // SYSEXIT
    'f4',                                             // HLT
  ];
  m.cpu.r32[EAX] = 0x20000;
  for (const c of cases) {
    m.sensitives.length = 0;
    expectFault(m, c + 'f4', GP);
    assert.deepEqual(m.sensitives, [], `no sensitive() for ${c} at CPL 3`);
  }
  assert.equal(u(m.cpu.cr0), 0x11);
});

test('sensitive() runs after the privilege checks and before the effect, with its arguments', () => {
  const m = new TestMachine();
  let seenCr3 = -1;
  m.onSensitive = (kind) => { if (kind === Sensitive.CrWrite) seenCr3 = m.cpu.cr3; };
  m.cpu.r32[EAX] = 0x5000;
  m.cpu.r32[ECX] = 0x174;
  assert.equal(m.run('0f22d8' + '0fa2' + 'f4'), null);
  assert.equal(seenCr3, 0, 'CR3 still old inside the intercept');
  assert.equal(m.cpu.cr3, 0x5000);
  assert.deepEqual(m.sensitives.map((s) => [s.kind, s.a, s.b]), [
    [Sensitive.CrWrite, 3, 0x5000], [Sensitive.Cpuid, 0x5000, 0x174], [Sensitive.Hlt, 0, 0],
  ]);
});

// ---------------------------------------------------------------------------------------------------
// CLTS, LMSW, SMSW
// ---------------------------------------------------------------------------------------------------

test('CLTS clears CR0.TS only', () => {
  const m = new TestMachine();
  m.cpu.cr0 = 0x3F;
  assert.equal(m.run('0f06f4'), null);
  assert.equal(m.cpu.cr0, 0x37);
});

test('LMSW loads PE MP EM TS, cannot clear PE, leaves the other bits', () => {
  const m = new TestMachine();
  m.cpu.cr0 = 0x60000011 | 0;
  m.cpu.r32[EAX] = 0xFFF0; // PE=0 MP=0 EM=0 TS=0 in the low nibble
  assert.equal(m.run('0f01f0f4'), null);
  assert.equal(u(m.cpu.cr0), 0x60000011, 'PE stays set, high bits of the operand ignored');
  m.cpu.r32[EAX] = 0x000E;
  assert.equal(m.run('0f01f0f4'), null);
  assert.equal(u(m.cpu.cr0), 0x6000001F);
  // Memory form reads a word.
  m.w32(0x30000, 0xFFFF0002);
  m.cpu.r32[EBX] = 0x30000;
  assert.equal(m.run('0f0133f4'), null);
  assert.equal(u(m.cpu.cr0), 0x60000013);
});

test('LMSW sets PE from real mode (enters protected mode)', () => {
  const m = new TestMachine();
  m.cpu.cr0 = 0x10;
  m.cpu.modeChanged();
  m.cpu.r32[EAX] = 1;
  // Real mode, but the cached CS is still 32-bit (D=1), so the 32-bit encoding runs.
  assert.equal(m.run('0f01f0f4'), null);
  assert.equal(m.cpu.cr0, 0x11);
});

test('SMSW: r32 gets all of CR0 (P6), r16 only the low word, m16 a word', () => {
  const m = new TestMachine({ paging: true });
  m.cpu.r32[EAX] = 0x12345678;
  m.cpu.r32[EBX] = 0x55555555;
  m.w32(0x30000, 0xAAAAAAAA);
  m.cpu.r32[ECX] = 0x30000;
  assert.equal(m.run('0f01e0' + '660f01e3' + '0f0121' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0x80000011);
  assert.equal(u(m.cpu.r32[EBX]), 0x55550011);
  assert.equal(m.r32(0x30000), 0xAAAA0011);
});

test('SMSW is not privileged at CPL 3', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.r32[EAX] = 0;
  const ev = m.run('0f01e0f4');
  assert.equal(ev?.eip, CODE + 3); // the final HLT
  assert.equal(m.cpu.r32[EAX], 0x11);
});

// ---------------------------------------------------------------------------------------------------
// Debug registers (SDM vol. 3B §17.2)
// ---------------------------------------------------------------------------------------------------

test('MOV DR0-3 round trip; DR6/DR7 fixed bits; DR4/DR5 alias DR6/DR7 with CR4.DE=0', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 0x12345678;
  m.cpu.r32[EBX] = 0;
  assert.equal(m.run('0f23d8' + '0f21d9' + 'f4'), null); // DR3 = EAX; ECX = DR3
  assert.equal(u(m.cpu.r32[ECX]), 0x12345678);
  m.cpu.r32[EAX] = 0;
  assert.equal(m.run('0f23f0' + '0f21f1' + '0f21e2' + 'f4'), null); // DR6 = 0; ECX = DR6; EDX = DR4
  assert.equal(u(m.cpu.r32[ECX]), 0xFFFF0FF0);
  assert.equal(u(m.cpu.r32[EDX]), 0xFFFF0FF0);
  m.cpu.r32[EAX] = -1;
  assert.equal(m.run('0f23e8' + 'f4'), null); // DR5 (= DR7) = -1
  assert.equal(u(m.cpu.dr[7]), 0xFFFF27FF);
});

test('MOV DR with DR7.GD set: #DB fault, DR6.BD set, GD cleared', () => {
  const m = new TestMachine();
  m.cpu.dr[7] = 0x2400;
  m.cpu.r32[EAX] = 0x1111;
  const ev = m.run('0f21c0f4');
  assert.equal(ev?.vector, DB);
  assert.equal(ev?.error, -1);
  assert.equal(ev?.eip, CODE);
  assert.equal(m.cpu.r32[EAX], 0x1111);
  assert.equal(u(m.cpu.dr[6]), 0xFFFF2FF0);
  assert.equal(m.cpu.dr[7], 0x400);
  // GD now clear: the same instruction works.
  assert.equal(m.run('0f21c0f4'), null);
  assert.equal(m.cpu.r32[EAX], 0);
});

test('MOV DR4/DR5 with CR4.DE=1 is #UD; at CPL 3 MOV DR is #GP(0)', () => {
  const m = new TestMachine();
  m.cpu.cr4 = 0x8;
  expectFault(m, '0f21e0f4', UD);
  expectFault(m, '0f23e8f4', UD);
  const u3 = new TestMachine({ cpl: 3 });
  u3.cpu.cr4 = 0x8;
  expectFault(u3, '0f21c0f4', GP);
  expectFault(u3, '0f21e0f4', GP);
  expectFault(u3, '0f23f8f4', GP);
});

test('MOV DR intercept comes before the privilege check (VMX MOV-DR exiting priority)', () => {
  const m = new TestMachine({ cpl: 3 });
  expectFault(m, '0f21c0f4', GP);
  assert.deepEqual(m.sensitives.map((s) => [s.kind, s.a]), [[Sensitive.DrRead, 0]]);
});

// ---------------------------------------------------------------------------------------------------
// CPUID, RDTSC, MSRs, RDPMC
// ---------------------------------------------------------------------------------------------------

test('CPUID leaf 0: max leaf 2, GenuineIntel', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.r32[EAX] = 0;
  m.run('0fa2f4');
  const r = m.cpu.r32;
  const s = [r[EBX], r[EDX], r[ECX]].map((v) => String.fromCharCode(v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >>> 24))).join('');
  assert.equal(r[EAX], 2);
  assert.equal(s, 'GenuineIntel');
});

test('CPUID leaf 1: family 6 model 3 stepping 3, exactly the implemented features', () => {
  const m = new TestMachine();
  m.cpu.r32[EAX] = 1;
  m.cpu.r32[ECX] = 0x55;
  m.run('0fa2f4');
  assert.equal(m.cpu.r32[EAX], CPU_SIGNATURE);
  assert.equal(m.cpu.r32[EAX], 0x633);
  assert.equal(m.cpu.r32[EBX], 0);
  assert.equal(m.cpu.r32[ECX], 0);
  // FPU DE PSE TSC MSR CX8 SEP PGE CMOV; no VME, PAE, MCE, APIC, MTRR, MCA, PAT, MMX, FXSR, SSE.
  assert.equal(m.cpu.r32[EDX], 0xA93D);
  assert.equal(FEATURES_EDX, 0xA93D);
});

test('CPUID above the maximum leaf (basic or 8000_0000h) returns the highest basic leaf', () => {
  const m = new TestMachine();
  const results: number[][] = [];
  for (const leaf of [2, 3, 0x7FFFFFFF, 0x80000000, 0x80000004, 0xFFFFFFFF]) {
    m.cpu.r32[EAX] = leaf;
    m.run('0fa2f4');
    results.push([u(m.cpu.r32[EAX]), m.cpu.r32[EBX], m.cpu.r32[ECX], u(m.cpu.r32[EDX])]);
  }
  for (const r of results) assert.deepEqual(r, [0x03020101, 0, 0, 0x0C040843]);
});

test('EFLAGS.ID and AC are toggleable (CPUID detection, i486+)', () => {
  const m = new TestMachine();
  m.cpu.flags = 0x2;
  // pushfd; xor dword [esp], 0x240000; popfd; pushfd; pop... (read [esp] with ALU): add eax,[esp]
  m.cpu.r32[EAX] = 0;
  assert.equal(m.run('9c' + '81342400002400' + '9d' + '9c' + '030424' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]) & (ID | AC), ID | AC);
  assert.equal(m.cpu.flags & (ID | AC), ID | AC);
});

test('RDTSC = instruction count + offset; WRMSR 10h writes the low 32 bits, clears the high ones (P6)', () => {
  const m = new TestMachine();
  m.cpu.icount = 0x123456789;
  m.cpu.tscOffset = 0;
  m.run('0f31f4');
  assert.equal(u(m.cpu.r32[EAX]), 0x23456789);
  assert.equal(m.cpu.r32[EDX], 1);
  m.cpu.r32[ECX] = 0x10; m.cpu.r32[EAX] = 0x1000; m.cpu.r32[EDX] = 0x77;
  // WRMSR; RDTSC (one instruction later); xor ebx,ebx; add ebx,eax; RDMSR(10h) (four instructions later)
  m.run('0f30' + '0f31' + '31db' + '01c3' + '0f32' + 'f4');
  assert.equal(u(m.cpu.r32[EBX]), 0x1001);
  assert.equal(u(m.cpu.r32[EAX]), 0x1004);
  assert.equal(m.cpu.r32[EDX], 0);
});

test('RDTSC with CR4.TSD: #GP(0) at CPL 3, allowed at CPL 0', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.cr4 = 0x4;
  expectFault(m, '0f31f4', GP);
  const k = new TestMachine();
  k.cpu.cr4 = 0x4;
  assert.equal(k.run('0f31f4'), null);
  const n = new TestMachine({ cpl: 3 });
  const ev = n.run('0f31f4');
  assert.equal(ev?.eip, CODE + 2, 'TSD=0: RDTSC runs at CPL 3, the final HLT faults');
});

test('SYSENTER MSRs round trip (EDX ignored on writes, 0 on reads)', () => {
  const m = new TestMachine();
  for (const [msr, val] of [[0x174, 0x10], [0x175, 0x7F000000], [0x176, 0xC0101234]]) {
    m.cpu.r32[ECX] = msr; m.cpu.r32[EAX] = val; m.cpu.r32[EDX] = 0x12;
    m.run('0f30' + '31c0' + '31d2' + '0f32' + 'f4');
    assert.equal(u(m.cpu.r32[EAX]), val);
    assert.equal(m.cpu.r32[EDX], 0);
  }
  assert.equal(m.cpu.sysenterCs, 0x10);
  assert.equal(u(m.cpu.sysenterEip), 0xC0101234);
});

test('RDMSR/WRMSR of unknown or absent MSRs: #GP(0), registers unchanged', () => {
  const m = new TestMachine();
  for (const msr of [0, 1, 0x11, 0x1A0, 0xC0000080, 0xFE, 0x200, 0x2FF, 0x186, 0xC1, 0x179]) {
    m.cpu.r32[ECX] = msr; m.cpu.r32[EAX] = 0x1234; m.cpu.r32[EDX] = 0x5678;
    expectFault(m, '0f32f4', GP);
    assert.equal(m.cpu.r32[EAX], 0x1234);
    assert.equal(m.cpu.r32[EDX], 0x5678);
    m.cpu.r32[EAX] = 0;
    m.cpu.r32[EDX] = 0;
    expectFault(m, '0f30f4', GP);
  }
});

test('IA32_PLATFORM_ID is read-only; IA32_BIOS_SIGN_ID accepts the write-0/CPUID/read sequence', () => {
  const m = new TestMachine();
  m.cpu.r32[ECX] = 0x17; m.cpu.r32[EAX] = 0; m.cpu.r32[EDX] = 0;
  expectFault(m, '0f30f4', GP);
  m.cpu.r32[EAX] = -1;
  assert.equal(m.run('0f32f4'), null);
  assert.equal(m.cpu.r32[EAX], 0);
  m.cpu.r32[ECX] = 0x8B; m.cpu.r32[EAX] = 0; m.cpu.r32[EDX] = 0;
  // wrmsr; eax = 1; cpuid; ecx = 8Bh; rdmsr
  assert.equal(m.run('0f30' + '31c0' + '83c001' + '0fa2' + '31c9' + '81c18b000000' + '0f32' + 'f4'), null);
  assert.equal(m.cpu.r32[EDX], 0, 'no microcode update loaded');
});

test('IA32_APIC_BASE: BSP bit read-only, reserved bits #GP(0)', () => {
  const m = new TestMachine();
  m.cpu.r32[ECX] = 0x1B;
  m.run('0f32f4');
  assert.equal(u(m.cpu.r32[EAX]), 0xFEE00900);
  m.cpu.r32[EAX] = 0xFEC00000 | 0; m.cpu.r32[EDX] = 0; // disable, move, try to clear BSP
  assert.equal(m.run('0f30' + '0f32' + 'f4'), null);
  assert.equal(u(m.cpu.r32[EAX]), 0xFEC00100);
  for (const [lo, hi] of [[0xFEE00801, 0], [0xFEE00A00, 0], [0xFEE00800, 1]]) {
    m.cpu.r32[EAX] = lo; m.cpu.r32[EDX] = hi;
    expectFault(m, '0f30f4', GP);
  }
});

test('cpu.extraMsrs: later layers add MSRs (consulted first), handlers may refuse writes', () => {
  const m = new TestMachine();
  m.cpu.extraMsrs.set(0x2FF, storageMsr(0x0000000600000C06n, 0xCFFn));
  m.cpu.r32[ECX] = 0x2FF;
  m.run('0f32f4');
  assert.equal(m.cpu.r32[EAX], 0xC06);
  assert.equal(m.cpu.r32[EDX], 6);
  m.cpu.r32[EAX] = 0x800; m.cpu.r32[EDX] = 0;
  assert.equal(m.run('0f30' + '0f32' + 'f4'), null);
  assert.equal(m.cpu.r32[EAX], 0x800);
  m.cpu.r32[EAX] = 0x1000;
  expectFault(m, '0f30f4', GP);
});

test('RDPMC: #GP(0) at CPL 3 without CR4.PCE; no counters exist, so #GP(0) at CPL 0 too', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.r32[ECX] = 0;
  expectFault(m, '0f33f4', GP);
  assert.equal(m.sensitives.length, 0);
  m.cpu.cr4 = 0x100;
  expectFault(m, '0f33f4', GP);
  assert.deepEqual(m.sensitives.map((s) => s.kind), [Sensitive.Rdpmc]);
  const k = new TestMachine();
  k.cpu.r32[ECX] = 1;
  expectFault(k, '0f33f4', GP);
});

// ---------------------------------------------------------------------------------------------------
// SYSENTER / SYSEXIT (SDM vol. 2 operation)
// ---------------------------------------------------------------------------------------------------

test('SYSENTER from CPL 3: flat CPL-0 CS/SS from SYSENTER_CS, ESP/EIP from the MSRs, IF/VM/RF cleared', () => {
  const m = new TestMachine({ cpl: 3 });
  const c = m.cpu;
  c.sysenterCs = 0x0B; // RPL bits are dropped
  c.sysenterEsp = 0x7E0000;
  c.sysenterEip = 0x20000;
  c.flags = 0x2 | IF | RF | CF;
  m.mem.load(0x20000, new Uint8Array([0xF4]));
  assert.equal(m.run('0f34'), null);
  assert.equal(c.cpl, 0);
  assert.equal(c.segSel[CS], 0x08);
  assert.equal(c.segSel[SS], 0x10);
  assert.equal(c.segAR[CS], 0xC09B);
  assert.equal(c.segAR[SS], 0xC093);
  assert.equal(c.segBase[CS], 0);
  assert.equal(c.segLimit[SS], 0xFFFFFFFF);
  assert.equal(c.r32[ESP], 0x7E0000);
  assert.equal(c.eip, 0x20001);
  assert.equal(c.getEflags(), 0x2 | CF);
});

test('SYSENTER: #GP(0) when SYSENTER_CS[15:2] = 0 or in real mode', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.sysenterCs = 3;
  expectFault(m, '0f34f4', GP);
  const r = new TestMachine();
  r.cpu.sysenterCs = 0x08;
  r.cpu.cr0 = 0x10;
  r.cpu.modeChanged();
  expectFault(r, '0f34f4', GP);
});

test('SYSEXIT: CPL 3 with CS = SYSENTER_CS+16|3, SS = +24|3, ESP = ECX, EIP = EDX', () => {
  const m = new TestMachine();
  const c = m.cpu;
  c.sysenterCs = 0x08;
  c.r32[ECX] = 0x7D0000;
  c.r32[EDX] = 0x20000;
  c.flags = 0x202;
  m.mem.load(0x20000, new Uint8Array([0xF4]));
  const ev = m.run('0f35');
  assert.equal(ev?.vector, GP, 'HLT at CPL 3');
  assert.equal(ev?.eip, 0x20000);
  assert.equal(c.cpl, 3);
  assert.equal(c.segSel[CS], UCS);
  assert.equal(c.segSel[SS], UDS);
  assert.equal(c.segAR[CS], 0xC0FB);
  assert.equal(c.segAR[SS], 0xC0F3);
  assert.equal(c.r32[ESP], 0x7D0000);
  assert.equal(c.getEflags(), 0x202);
});

test('SYSEXIT: #GP(0) at CPL 3, with SYSENTER_CS = 0, or in real mode', () => {
  const m = new TestMachine({ cpl: 3 });
  m.cpu.sysenterCs = 0x08;
  expectFault(m, '0f35f4', GP);
  const k = new TestMachine();
  k.cpu.sysenterCs = 0;
  expectFault(k, '0f35f4', GP);
});

// ---------------------------------------------------------------------------------------------------
// INVLPG form, INVD/WBINVD, UD2, NOPs
// ---------------------------------------------------------------------------------------------------

test('INVLPG register form is #UD (even at CPL 3); INVD/WBINVD run at CPL 0', () => {
  const m = new TestMachine();
  expectFault(m, '0f01f8f4', UD);
  assert.equal(m.run('0f08' + '0f09' + 'f4'), null);
  assert.deepEqual(m.sensitives.map((s) => s.kind), [Sensitive.Invd, Sensitive.Wbinvd, Sensitive.Hlt]);
  const u3 = new TestMachine({ cpl: 3 });
  expectFault(u3, '0f01f8f4', UD);
});

test('UD2 and undefined 0F opcodes are #UD; 0F 01 /5 is #UD', () => {
  const m = new TestMachine();
  for (const c of ['0f0b', '0f04', '0f0a', '0f0c', '0f0d00', '0f24c0', '0f26c0', '0f36', '0f77', '0fae00', '0fff', '0f01e8', '0f0f']) {
    expectFault(m, c + 'f4', UD);
  }
});

test('0F 18-1F are NOP Ev: operands decoded for length, memory never accessed', () => {
  const m = new TestMachine({ paging: true });
  // Linear 0xF0000000 is not mapped: an access would #PF.
  const code = '0f1f00' + '0f1f4000' + '0f1f440000' + '660f1f840000000000' + '0f1f8000000000' + '0f18' + '0500000ff0' +
    '0f19c0' + '0f1e' + '0c8d00000000' + 'f4';
  m.cpu.r32[EAX] = 0xF0000000 | 0;
  assert.equal(m.run(code), null);
  assert.equal(m.cpu.eip, CODE + code.length / 2);
});

// ---------------------------------------------------------------------------------------------------
// CLI / STI (SDM vol. 2 operation; no VME/PVI)
// ---------------------------------------------------------------------------------------------------

test('CLI/STI: allowed when CPL <= IOPL, #GP(0) otherwise; real mode always', () => {
  for (const [cpl, iopl, ok] of [[0, 0, true], [3, 3, true], [3, 2, false], [3, 0, false]] as const) {
    const m = new TestMachine({ cpl, iopl });
    m.cpu.flags |= IF;
    const ev = m.run('fa' + 'f4');
    if (ok) {
      assert.equal(m.cpu.flags & IF, 0, `CLI at CPL ${cpl} IOPL ${iopl}`);
      assert.equal(m.run('fbf4')?.vector ?? -1, cpl === 0 ? -1 : GP);
      assert.equal(m.cpu.flags & IF, IF);
    } else {
      assert.equal(ev?.vector, GP);
      assert.equal(ev?.error, 0);
      assert.equal(ev?.eip, CODE);
      assert.equal(m.cpu.flags & IF, IF, 'IF unchanged');
      assert.equal(m.run('fbf4')?.eip, CODE);
    }
  }
});

test('STI opens the interrupt shadow only when IF was 0', () => {
  for (const ifBefore of [0, IF]) {
    const m = new TestMachine();
    m.cpu.flags = 0x2 | ifBefore;
    m.cpu.pic = { acknowledge: () => 0x41 };
    // The interrupt arrives while STI executes.
    m.onSensitive = (kind) => { if (kind === Sensitive.Sti) m.cpu.setIntr(true); };
    const ev = m.run('fb' + '31c0' + '31c0' + 'f4');
    assert.equal(ev?.vector, 0x41);
    assert.equal(ev?.eip, ifBefore ? CODE + 1 : CODE + 3, `IF was ${ifBefore ? 1 : 0}`);
  }
});

test('STI shadow: a pending interrupt is taken after the instruction following STI', () => {
  const m = new TestMachine();
  m.cpu.flags = 0x2;
  m.cpu.pic = { acknowledge: () => 0x40 };
  m.cpu.setIntr(true);
  // nop; sti; nop; nop
  const ev = m.run('90' + 'fb' + '90' + '90' + 'f4');
  assert.equal(ev?.vector, 0x40);
  assert.equal(ev?.eip, CODE + 3, 'delivered after the NOP that follows STI');
});

test('CLI/STI in virtual-8086 mode: IOPL 3 allowed, otherwise #GP(0)', () => {
  for (const iopl of [0, 3]) {
    const m = new TestMachine({ cpl: 3 });
    m.cpu.setEflags(VM | IF | (iopl << 12), VM | IF | IOPL);
    for (let s = 0; s < 6; s++) loadSegmentReal(m.cpu, s, 0x1000);
    m.cpu.modeChanged();
    m.mem.load(0x10000, new Uint8Array([0xFA, 0x90]));
    m.cpu.eip = 0;
    const ev = m.step(1);
    if (iopl === 3) {
      assert.equal(ev, null);
      assert.equal(m.cpu.flags & IF, 0);
    } else {
      assert.equal(ev?.vector, GP);
      assert.equal(m.cpu.flags & IF, IF);
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// PUSHF / POPF (SDM vol. 2 POPF operation table)
// ---------------------------------------------------------------------------------------------------

/** Run POPF(D) of `value` at the given CPL/IOPL from flags `start`; return the new EFLAGS. */
function popfFrom(cpl: 0 | 3 | 1, iopl: number, start: number, value: number, o16 = false): number {
  const m = new TestMachine({ cpl: cpl === 3 ? 3 : 0 });
  if (cpl === 1) m.cpu.cpl = 1;
  m.cpu.setEflags(start | (iopl << 12), -1);
  const sp = 0x7F0000 - 4;
  m.w32(sp, value);
  m.cpu.r32[ESP] = sp;
  m.mem.load(CODE, new Uint8Array(o16 ? [0x66, 0x9D] : [0x9D]));
  m.cpu.eip = CODE;
  m.cpu.run(1);
  assert.equal(m.events.length, 0);
  assert.equal(m.cpu.r32[ESP], sp + (o16 ? 2 : 4));
  return m.cpu.getEflags();
}

test('POPFD at CPL 0 changes IF and IOPL, never VM/VIF/VIP; RF is cleared', () => {
  const all = 0xFFFFFFFF | 0;
  assert.equal(u(popfFrom(0, 0, 0x2, all)), 0x2 | 0x4CD5 | 0x3000 | IF | TF | DF | AC | ID);
  assert.equal(u(popfFrom(0, 3, 0x2 | RF | IF, 0)), 0x2);
});

test('POPFD at CPL 3 with IOPL 0: IF and IOPL silently unchanged (no fault), the rest changes', () => {
  const all = 0xFFFFFFFF | 0;
  assert.equal(u(popfFrom(3, 0, 0x2 | IF, 0)), 0x2 | IF);
  assert.equal(u(popfFrom(3, 0, 0x2, all)), 0x2 | 0x0CD5 | TF | DF | NT | AC | ID);
  assert.equal(u(popfFrom(3, 0, 0x2 | IF, IF | 0x3000)), 0x2 | IF);
});

test('POPFD at CPL 3 with IOPL 3 changes IF but not IOPL; CPL 1 with IOPL 1 likewise', () => {
  assert.equal(u(popfFrom(3, 3, 0x2 | IF, 0)), 0x2 | 0x3000);
  assert.equal(u(popfFrom(3, 3, 0x2, IF)), 0x2 | 0x3000 | IF);
  assert.equal(u(popfFrom(1, 1, 0x2, IF)), 0x2 | 0x1000 | IF);
  assert.equal(u(popfFrom(1, 0, 0x2, IF | 0x3000)), 0x2);
});

test('POPF (16-bit) leaves EFLAGS[31:16] alone (RF, AC, ID not cleared)', () => {
  assert.equal(u(popfFrom(0, 0, 0x2 | AC | ID | RF, 0xFFFF, true)), (0x2 | AC | ID | RF | 0x7FD5) >>> 0);
  assert.equal(u(popfFrom(3, 0, 0x2 | IF | AC, 0, true)), 0x2 | IF | AC);
  assert.equal(u(popfFrom(3, 3, 0x2 | IF | AC, 0, true)), 0x2 | 0x3000 | AC);
});

test('POPF/PUSHF in virtual-8086 mode: IOPL 3 changes IF but not IOPL; IOPL < 3 is #GP(0)', () => {
  for (const iopl of [0, 3]) {
    const m = new TestMachine({ cpl: 3 });
    m.cpu.setEflags(VM | (iopl << 12), VM | IOPL);
    for (let s = 0; s < 6; s++) loadSegmentReal(m.cpu, s, 0x1000);
    m.cpu.modeChanged();
    m.cpu.r32[ESP] = 0xFFF0;
    m.w32(0x1FFF0, IF | 0x0001);
    // popfd (66 9D in 16-bit code); pushf (9C)
    m.mem.load(0x10000, new Uint8Array([0x66, 0x9D, 0x9C]));
    m.cpu.eip = 0;
    const ev = m.step(2);
    if (iopl === 3) {
      assert.equal(ev, null);
      assert.equal(u(m.cpu.getEflags()), 0x2 | VM | 0x3000 | IF | CF);
      assert.equal(m.cpu.r32[ESP], 0xFFF2);
      assert.equal(m.mem.u8[0x1FFF2] | (m.mem.u8[0x1FFF3] << 8), 0x3203);
    } else {
      assert.equal(ev?.vector, GP);
      assert.equal(ev?.eip, 0);
      assert.equal(m.cpu.r32[ESP], 0xFFF0);
      // PUSHF alone faults too.
      m.cpu.eip = 2;
      assert.equal(m.step(1)?.vector, GP);
    }
  }
});

test('PUSHFD stores EFLAGS with VM and RF cleared; PUSHF stores the low word', () => {
  const m = new TestMachine();
  m.cpu.setEflags(0x2 | RF | AC | ID | IF | NT | CF, -1);
  m.cpu.r32[ESP] = 0x7F0000;
  assert.equal(m.run('9c' + '669c' + 'f4'), null);
  assert.equal(m.r32(0x7F0000 - 4), (0x2 | AC | ID | IF | NT | CF) >>> 0);
  assert.equal(m.r32(0x7F0000 - 6) >>> 16, 0x2 | IF | NT | CF);
  assert.equal(m.cpu.r32[ESP], 0x7F0000 - 6);
});

test('POPF from an unmapped stack page: #PF and ESP unchanged', () => {
  const m = new TestMachine({ paging: true });
  m.w32(0x101000 + 0x7F0 * 4, 0); // unmap 0x7F0000
  m.cpu.r32[ESP] = 0x7F0000;
  const ev = m.run('9df4');
  assert.equal(ev?.vector, 14);
  assert.equal(m.cpu.r32[ESP], 0x7F0000);
  assert.equal(u(m.cpu.cr2), 0x7F0000);
});
