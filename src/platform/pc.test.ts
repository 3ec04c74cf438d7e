// The PC machine: wiring (ports, IRQs, A20, reset), the run loop's stop reasons, virtual time and
// determinism. Guests are tiny flat 32-bit protected-mode programs (assembled with nasm, kept here as
// bytes with their source beside them), started with the CPU state set by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PC, type PCConfig } from './pc.ts';
import { setSegment } from '../cpu/segments.ts';
import { CS, DS, ES, FS, GS, SS, ESP } from '../cpu/regs.ts';

const CODE = 0x10000;
const GDT = 0x800, IDT = 0x3000;

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function writeGate(pc: PC, vector: number, handler: number): void {
  const a = IDT + vector * 8;
  const m = pc.mem;
  m.write16(a, handler & 0xFFFF);
  m.write16(a + 2, 0x08);
  m.write16(a + 4, 0x8E00); // present, DPL 0, 32-bit interrupt gate
  m.write16(a + 6, handler >>> 16);
}

/** A PC with `code` at 0x10000 and the CPU in flat 32-bit protected mode at CPL 0 (GDT: 0x08 code, 0x10 data). */
function machine(code: string, config: PCConfig = {}) {
  const out: number[] = [];
  const dbg: number[] = [];
  const pc = new PC({ memSize: 4 << 20, serialOut: (b) => out.push(b), debugConsoleOut: (b) => dbg.push(b), ...config });
  const cpu = pc.cpu;
  pc.mem.load(CODE, hex(code));
  pc.mem.load(GDT, hex('0000000000000000' + 'ffff0000009acf00' + 'ffff00000092cf00'));
  cpu.gdtrBase = GDT; cpu.gdtrLimit = 23;
  cpu.idtrBase = IDT; cpu.idtrLimit = 0x7FF;
  cpu.cr0 = 0x11;
  setSegment(cpu, CS, 0x08, 0, 0xFFFFFFFF, 0xC09B);
  for (const s of [SS, DS, ES, FS, GS]) setSegment(cpu, s, 0x10, 0, 0xFFFFFFFF, 0xC093);
  cpu.r32[ESP] = 0x9000;
  cpu.eip = CODE;
  cpu.modeChanged();
  const text = () => String.fromCharCode(...out);
  return { pc, cpu, out, dbg, text };
}

// mov edx,0x3f8; mov al,'O'; out dx,al; mov al,'K'; out dx,al; mov al,0x10; out 0xf4,al; hlt
const OK_PROGRAM = 'baf8030000b04feeb04beeb010e6f4f4';

test('a program that writes "OK" to COM1 and exits through isa-debug-exit', () => {
  const { pc, text } = machine(OK_PROGRAM);
  const r = pc.run();
  assert.deepEqual(r, { reason: 'exit', exitStatus: 0x21 });
  assert.equal(text(), 'OK', 'bytes still on the line reach the host when the machine stops');
  assert.equal(pc.cpu.icount, 7, 'the machine stops right after the OUT to 0xF4');
  assert.deepEqual(pc.run(), { reason: 'exit', exitStatus: 0x21 }, 'the stop is sticky');
});

// Polled output, as simple drivers do: wait for LSR.THRE before each byte.
//   mov esi,msg / next: mov bl,[esi]; test bl,bl; jz done / wt: mov dx,0x3fd; in al,dx; test al,0x20;
//   jz wt; mov dx,0x3f8; mov al,bl; out dx,al; inc esi; jmp next / done: cli; hlt / msg: "Hello, PC!\n"
const POLL_PROGRAM = 'be200001008a1e84db741366bafd03eca82074f766baf80388d8ee46ebe7faf448656c6c6f2c205043210a00';

test('polled transmission takes line time and is deterministic', () => {
  const a = machine(POLL_PROGRAM);
  const r = a.pc.run();
  assert.deepEqual(r, { reason: 'halted' });
  assert.equal(a.text(), 'Hello, PC!\n');
  // LCR is 0 after reset (5 data bits, 1 stop bit: 7 bits a character) at divisor 1: 60764 ns each.
  // Two bytes go out without waiting (shift register and THR); the other 9 wait for the line.
  const charNs = a.pc.uart.charTimeNs();
  assert.equal(charNs, 60764);
  const t = a.pc.stats().virtualNs;
  assert.ok(t >= 9 * charNs && t < 11 * charNs, `virtual time ${t}`);
  const b = machine(POLL_PROGRAM);
  b.pc.run();
  assert.equal(b.pc.cpu.icount, a.pc.cpu.icount, 'same instruction count on every run');
  assert.equal(b.pc.stats().virtualNs, t);
});

// Echo COM1 input upper-cased until a newline, then exit with (0x2a << 1) | 1:
//   loop: mov dx,0x3fd; in al,dx; test al,1; jz loop; mov dx,0x3f8; in al,dx; mov bl,al; cmp al,'a'; jb send;
//   cmp al,'z'; ja send; sub al,0x20 / send: out dx,al; cmp bl,10; jne loop; mov al,0x2a; out 0xf4,al
const ECHO_PROGRAM = '66bafd03eca80174f766baf803ec88c33c6172063c7a77022c20ee80fb0a75e0b02ae6f4';

test('host input reaches the guest through COM1 at the line rate', () => {
  const { pc, text } = machine(ECHO_PROGRAM);
  pc.sendSerial(new TextEncoder().encode('hi there\nignored'));
  const r = pc.run();
  assert.deepEqual(r, { reason: 'exit', exitStatus: 85 });
  assert.equal(text(), 'HI THERE\n');
  assert.equal(pc.uart.inputPending, 7, 'the rest waits: one character on the line, six in the host queue');
  assert.ok(pc.stats().virtualNs >= 9 * pc.uart.charTimeNs());
});

// PIC vectors 0x20-0x2F with only IRQ 4 unmasked; UART MCR.OUT2 and IER.ETBEI → THRE interrupt; sti; hlt.
// Handler (vector 0x24 at 0x10028): in al,0x3fa → out 0xe9; EOI; exit with status 11.
const IRQ_PROGRAM = 'b011e620b020e621b004e621b001e621b0efe62166bafc03b008ee66baf903b002eefbf4b07fe6f4' +
  '66bafa03ece6e9b064e620b005e6f4';

test('a UART interrupt travels through the PIC to the IDT (IRQ 4 = vector 0x24)', () => {
  const { pc, dbg } = machine(IRQ_PROGRAM);
  writeGate(pc, 0x24, CODE + 0x28);
  const r = pc.run();
  assert.deepEqual(r, { reason: 'exit', exitStatus: 11 });
  assert.deepEqual(dbg, [0x02], 'IIR read in the handler: THR empty');
  assert.equal(pc.stats().interrupts, 1);
  assert.equal(pc.pic.isr, 0, 'specific EOI cleared IRQ 4');
});

// mov byte [0],0x11; mov byte [0x100000],0x22; out 0x64,0xd1; out 0x60,0xdd (A20 off);
// mov byte [0x100000],0x33 (wraps to 0); out 0x64,0xdf (A20 on); mov byte [0x100001],0x44;
// in al,0x92; or al,2; out 0x92,al; out 0x64,0xfe (reset); hlt
const A20_PROGRAM = 'c6050000000011c6050000100022b0d1e664b0dde660c6050000100033b0dfe664c6050100100044e4920c02e692b0fee664f4';

test('A20 gate through the i8042 output port, reset through 0xFE', () => {
  const { pc } = machine(A20_PROGRAM);
  const r = pc.run();
  assert.deepEqual(r, { reason: 'reset', detail: 'keyboard controller' });
  const m = pc.mem.u8;
  assert.equal(m[0x100000], 0x22);
  assert.equal(m[0], 0x33, 'with A20 off, 0x100000 is 0x000000');
  assert.equal(m[0x100001], 0x44);
  assert.equal(m[1], 0x00);
  assert.equal(pc.cpu.a20Mask, -1);
  assert.equal(pc.port92.a20, true);
});

test('A20 is off only when both the i8042 and port 0x92 disable it', () => {
  const { pc } = machine('f4');
  pc.io.out8(0x92, 0x02);
  pc.io.out8(0x64, 0xDD);
  assert.equal(pc.cpu.a20Mask, -1, 'port 0x92 still enables it');
  pc.io.out8(0x92, 0x00);
  assert.equal(pc.cpu.a20Mask, 0xFFEFFFFF | 0);
  pc.io.out8(0x64, 0xDF);
  assert.equal(pc.cpu.a20Mask, -1);
});

test('a triple fault stops the machine with reason shutdown', () => {
  // mov ax,0x1234; mov ds,ax (#GP); with an empty IDT: #GP → #DF → shutdown
  const { pc } = machine('66b834128ed8f4');
  pc.cpu.idtrLimit = 0;
  assert.deepEqual(pc.run(), { reason: 'shutdown' });
});

test('HLT with IF=0, or with every PIC input masked, is a stop; with nothing scheduled it is idle', () => {
  assert.deepEqual(machine('faf4').pc.run(), { reason: 'halted' });
  // sti; hlt with the PIC as a BIOS leaves it (everything masked): nothing can ever wake the CPU.
  assert.deepEqual(machine('fbf4').pc.run(), { reason: 'halted', detail: 'all interrupts masked' });
  // out 0x43,0x30 (counter 0 waits for a count: no PIT events); IRQ 0 unmasked; sti; hlt
  const { pc } = machine('b030e643fbf4');
  pc.io.out8(0x21, 0xFE);
  assert.deepEqual(pc.run(), { reason: 'idle' });
  assert.equal(pc.cpu.icount, 4);
});

test('instruction budget and time bound', () => {
  const { pc } = machine('ebfe'); // jmp $
  assert.deepEqual(pc.run(1000), { reason: 'limit' });
  assert.equal(pc.cpu.icount, 1000);
  assert.deepEqual(pc.run(Infinity, 1500), { reason: 'time' });
  assert.equal(pc.cpu.icount, 1500);
});

test('a halted CPU skips idle time to the next device event', () => {
  // mov dx,0x3f8; mov al,'x'; out dx,al; sti; hlt — IRQ 4 unmasked, but the UART interrupts are not
  // enabled, so the CPU sleeps through the transmission and the (masked) PIT events.
  const { pc, out } = machine('66baf803b078eefbf4');
  pc.io.out8(0x21, 0xEF);
  assert.deepEqual(pc.run(Infinity, 50_000), { reason: 'time' });
  assert.deepEqual(out, [], 'the byte is still on the line');
  assert.equal(pc.cpu.icount, 5);
  assert.equal(pc.stats().idleNs, 50_000 - 5);
  // The OUT is the third instruction: it runs at t=2, the byte leaves one character time later.
  assert.deepEqual(pc.run(Infinity, 2 + pc.uart.charTimeNs()), { reason: 'time' });
  assert.deepEqual(out, [0x78]);
  assert.equal(pc.cpu.icount, 5);
});

test('wall-clock mode: time follows the host clock, a halted CPU waits for it', () => {
  let host = 1_000_000; // any starting value: only the elapsed host time counts
  const { pc, out } = machine('66baf803b078eefbf4', { hostClock: () => host });
  pc.io.out8(0x21, 0xEF);
  const r = pc.run();
  assert.deepEqual(r, { reason: 'wait', waitNs: pc.scheduler.nextEventTime() }, 'no host time has passed yet');
  assert.equal(pc.now(), 5);
  assert.deepEqual(out, []);
  host += 100_000; // past the byte's end on the line at t = 2 + 60764
  const r2 = pc.run();
  assert.deepEqual(out, [0x78]);
  assert.equal(pc.now(), 100_000, 'virtual time caught up with the host');
  assert.deepEqual(r2, { reason: 'wait', waitNs: pc.scheduler.nextEventTime() - 100_000 });
  assert.equal(pc.cpu.icount, 5);
});

// PIC vectors 0x20-0x2F, only IRQ 0 unmasked; PIT counter 0 mode 2 count 0x12A5 (250 Hz); sti;
// idle: hlt; cmp dword [count],5; jb idle; exit with status 7. Handler at 0x10034: inc dword [count];
// EOI; iret. count at 0x10030.
const PIT_PROGRAM = 'b011e620b020e621b004e621b001e621b0fee621b034e643b0a5e640b012e640fbf4833d300001000572f6b003e6f4' +
  '9000000000ff0530000100b020e620cf';

test('PIT interrupts at 250 Hz wake the halted CPU; idle time is skipped, deterministically', () => {
  const runOnce = () => {
    const { pc } = machine(PIT_PROGRAM);
    writeGate(pc, 0x20, CODE + 0x34);
    const r = pc.run(Infinity, 1e9);
    return { r, st: pc.stats() };
  };
  const a = runOnce();
  assert.deepEqual(a.r, { reason: 'exit', exitStatus: 7 });
  assert.equal(a.st.interrupts, 5);
  assert.ok(a.st.instructions < 100, `${a.st.instructions} instructions`);
  // Five periods of 4773 PIT clocks: 5 * 4773 / 1193182 Hz = 20.0009 ms after the count was loaded.
  assert.ok(a.st.virtualNs > 20_000_000 && a.st.virtualNs < 20_010_000, `virtual time ${a.st.virtualNs}`);
  assert.deepEqual(runOnce(), a);
});

test('the memory map: ROM area ignores writes, the VGA window is plain memory, memory size is checked', () => {
  const { pc } = machine('f4');
  pc.mem.write8(0xF0000, 0x12);
  assert.equal(pc.mem.read8(0xF0000), 0x00);
  pc.mem.write8(0xB8000, 0x41);
  assert.equal(pc.mem.read8(0xB8000), 0x41);
  assert.equal(pc.mem.read8(pc.memSize), 0xFF, 'beyond RAM reads all ones');
  assert.throws(() => new PC({ memSize: 1 << 20 }), /between 2 MiB and 3 GiB/);
  assert.throws(() => new PC({ memSize: (4 << 20) + 100 }), /multiple of 4 KiB/);
});

test('unclaimed ports read all ones; devices answer at their ports', () => {
  const { pc } = machine('f4');
  assert.equal(pc.io.in8(0x2E), 0xFF, 'no Super-I/O');
  assert.equal(pc.io.in8(0x3FD), 0x60, 'COM1 LSR');
  assert.equal(pc.io.in8(0x64), 0x14, 'i8042 status');
  assert.equal(pc.io.in8(0x21), 0xFB, 'PIC mask as a BIOS leaves it');
  assert.equal(pc.io.in8(0xE9), 0xE9);
  const cmos = (r: number) => { pc.io.out8(0x70, r); return pc.io.in8(0x71); };
  assert.deepEqual([cmos(0x30), cmos(0x31)], [0x00, 0x0C], 'CMOS extended memory: 3072 KiB above 1 MiB');
  assert.deepEqual([cmos(0x15), cmos(0x16)], [0x80, 0x02], 'CMOS base memory: 640 KiB');
  assert.equal(cmos(0x0B) & 0x02, 0x02, 'RTC in 24-hour mode');
  pc.io.out8(0x43, 0x00); // latch PIT counter 0
  const lo = pc.io.in8(0x40), hi = pc.io.in8(0x40);
  assert.ok(((hi << 8) | lo) <= 0xFFFF);
  assert.equal(pc.io.in8(0x61) & 0x01, 0, 'PIT gate 2 low');
});

test('RTC periodic interrupt reaches the CPU as IRQ 8 through the slave PIC', () => {
  // CMOS register B = 0x42 (PIE, 24-hour); the PIC as a BIOS leaves it (slave vectors 0x70-0x77) with
  // IRQ 2 (cascade) and IRQ 8 unmasked. The vector 0x70 handler exits with status 9.
  //   mov al,0x0b; out 0x70,al; mov al,0x42; out 0x71,al; mov al,0xfb; out 0x21,al; mov al,0xfe; out 0xa1,al; sti; hlt
  //   handler (0x10014): mov al,4; out 0xf4,al
  const { pc } = machine('b00be670b042e671b0fbe621b0fee6a1fbf4' + '9090' + 'b004e6f4');
  writeGate(pc, 0x70, CODE + 0x14);
  assert.deepEqual(pc.run(Infinity, 1e9), { reason: 'exit', exitStatus: 9 });
  // Register A as a BIOS leaves it: 1024 Hz, i.e. every 32 ticks of the 32768 Hz time base counted
  // from power-on: the first edge at ceil(32e9 / 32768) = 976563 ns, then the handler's 2 instructions.
  assert.equal(pc.stats().virtualNs, 976_565);
  assert.equal(pc.stats().interrupts, 1);
});
