// NS16550A register behaviour, driven the way the Linux 8250 driver and simple guests drive it.
// Expected values: PC16550D datasheet (register reset values Table III, interrupt control Table V).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACE_QUIET_NS, Uart16550 } from './uart16550.ts';
import { ManualTimer } from './device-timer.ts';

const RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
/** 8N1 at divisor 1: 10 bits at 115200 bit/s = 86805.6 ns. */
const CHAR_8N1_DIV1 = 86806;

function setup() {
  const timer = new ManualTimer();
  const out: number[] = [];
  const irqs: boolean[] = [];
  const u = new Uart16550(timer, { onTransmit: (b) => out.push(b), onIrq: (l) => irqs.push(l) });
  const rd = (r: number) => u.in(0x3F8 + r, 1);
  const wr = (r: number, v: number) => u.out(0x3F8 + r, 1, v);
  return { timer, out, irqs, u, rd, wr };
}

/** Program 8N1 at the given divisor, the usual driver initialisation. */
function init8n1(wr: (r: number, v: number) => void, divisor = 1): void {
  wr(LCR, 0x80);
  wr(DLL, divisor & 0xFF);
  wr(DLM, divisor >> 8);
  wr(LCR, 0x03);
}

test('power-on register values (datasheet Table III; host asserts CTS, DSR, DCD)', () => {
  const { rd } = setup();
  assert.equal(rd(IER), 0x00);
  assert.equal(rd(IIR), 0x01);
  assert.equal(rd(LCR), 0x00);
  assert.equal(rd(MCR), 0x00);
  assert.equal(rd(LSR), 0x60);
  assert.equal(rd(MSR), 0xB0);
  assert.equal(rd(SCR), 0x00);
});

test('divisor latch is reached through DLAB and sets the character time', () => {
  const { u, rd, wr } = setup();
  wr(LCR, 0x83);
  wr(DLL, 0x0C);
  wr(DLM, 0x00);
  assert.equal(rd(DLL), 0x0C);
  assert.equal(rd(DLM), 0x00);
  assert.equal(rd(IER), 0x00, 'offset 1 reads DLM while DLAB=1');
  wr(LCR, 0x03);
  assert.equal(rd(IER), 0x00);
  wr(IER, 0x05);
  assert.equal(rd(IER), 0x05, 'IER is separate from DLM');
  wr(LCR, 0x80);
  assert.equal(rd(DLM), 0x00);
  assert.equal(rd(DLL), 0x0C);
  // 9600 bit/s 8N1: 10 bits * 12 / 115200 s
  wr(LCR, 0x03);
  assert.equal(u.charTimeNs(), 1041667);
  // 7E2 at divisor 1: 1 + 7 + 1 + 2 = 11 bits
  wr(LCR, 0x02 | 0x08 | 0x04);
  assert.equal(u.charTimeNs(), Math.round(11 * 12e9 / 115200));
  // 5N1.5 at divisor 3: 1 + 5 + 1.5 = 7.5 bits
  wr(LCR, 0x04);
  wr(LCR, 0x84); wr(DLL, 3); wr(LCR, 0x04);
  assert.equal(u.charTimeNs(), Math.round(7.5 * 3e9 / 115200));
});

test('IER bits 7:4 read as zero (Linux autoconfig IER test)', () => {
  const { rd, wr } = setup();
  wr(IER, 0x00);
  assert.equal(rd(IER) & 0x0F, 0);
  wr(IER, 0xFF);
  assert.equal(rd(IER), 0x0F);
});

test('a byte takes one character time: THRE at once, TEMT and output after the stop bit', () => {
  const { timer, out, rd, wr } = setup();
  init8n1(wr);
  wr(THR, 0x41);
  assert.equal(rd(LSR), 0x20, 'THR moved to the shift register: THRE=1, TEMT=0');
  timer.advance(CHAR_8N1_DIV1 - 1);
  assert.deepEqual(out, []);
  assert.equal(rd(LSR), 0x20);
  timer.advance(1);
  assert.deepEqual(out, [0x41]);
  assert.equal(rd(LSR), 0x60);
});

test('non-FIFO mode: THR holds one byte behind the shift register; a second write overwrites it', () => {
  const { timer, out, rd, wr } = setup();
  init8n1(wr);
  wr(THR, 0x31);
  wr(THR, 0x32);
  assert.equal(rd(LSR), 0x00, 'THR full, TSR busy');
  wr(THR, 0x33); // overwrites 0x32 before it reached the TSR
  timer.advance(CHAR_8N1_DIV1);
  assert.deepEqual(out, [0x31]);
  assert.equal(rd(LSR), 0x20);
  timer.advance(CHAR_8N1_DIV1);
  assert.deepEqual(out, [0x31, 0x33]);
  assert.equal(rd(LSR), 0x60);
});

test('THRE interrupt: raised by enabling ETBEI with THR empty, cleared by reading IIR, gated by OUT2', () => {
  const { irqs, rd, wr } = setup();
  init8n1(wr);
  wr(IER, 0x02);
  assert.deepEqual(irqs, [], 'OUT2=0: no IRQ reaches the PIC');
  assert.equal(rd(IIR), 0x02);
  assert.equal(rd(IIR), 0x01, 'reading IIR cleared the THRE source');
  // Linux's THRE re-assertion test: IER=0 then IER=THRI again raises it again.
  wr(IER, 0x00);
  wr(MCR, 0x0B); // DTR | RTS | OUT2
  wr(IER, 0x02);
  assert.deepEqual(irqs, [true]);
  assert.equal(rd(IIR), 0x02);
  assert.deepEqual(irqs, [true, false]);
  // Rewriting IER with ETBEI already set does not re-raise it.
  wr(IER, 0x02);
  assert.equal(rd(IIR), 0x01);
});

test('THRE interrupt sequence while transmitting (non-FIFO)', () => {
  const { timer, irqs, rd, wr, out } = setup();
  init8n1(wr);
  wr(MCR, 0x08);
  wr(IER, 0x02);
  assert.equal(rd(IIR), 0x02);
  wr(THR, 0x61); // goes straight to the TSR, THR empty again: interrupt again
  assert.equal(rd(IIR), 0x02);
  wr(THR, 0x62); // THR full: writing THR cleared the interrupt
  assert.equal(rd(IIR), 0x01);
  assert.equal(irqs.at(-1), false);
  timer.advance(CHAR_8N1_DIV1); // 'a' done, 'b' moves to the TSR: THR empty
  assert.equal(irqs.at(-1), true);
  assert.equal(rd(IIR), 0x02);
  timer.advance(CHAR_8N1_DIV1);
  assert.deepEqual(out, [0x61, 0x62]);
  assert.equal(rd(IIR), 0x01, 'no new THR-empty event when only the TSR drained');
});

test('FIFO mode: IIR bits 7:6, 16-byte XMIT FIFO, THRE interrupt when it empties', () => {
  const { timer, out, rd, wr } = setup();
  init8n1(wr);
  wr(FCR, 0x07);
  assert.equal(rd(IIR), 0xC1);
  wr(MCR, 0x08);
  wr(IER, 0x02);
  assert.equal(rd(IIR), 0xC2);
  for (let k = 0; k < 18; k++) wr(THR, 0x40 + k); // 1 to the TSR, 16 to the FIFO, 1 lost
  assert.equal(rd(LSR), 0x00);
  assert.equal(rd(IIR), 0xC1);
  timer.advance(16 * CHAR_8N1_DIV1);
  assert.equal(out.length, 16);
  assert.equal(rd(LSR), 0x20, 'FIFO empty, last byte on the line');
  assert.equal(rd(IIR), 0xC2);
  timer.advance(CHAR_8N1_DIV1);
  assert.deepEqual(out, Array.from({ length: 17 }, (_, k) => 0x40 + k));
  assert.equal(rd(LSR), 0x60);
});

test('FCR: FIFO clear bits, disabling the FIFOs clears them, EFR write at LCR=0xBF lands in FCR', () => {
  const { timer, rd, wr, u } = setup();
  init8n1(wr);
  wr(FCR, 0x01);
  wr(MCR, 0x10); // loopback
  wr(THR, 1); wr(THR, 2); wr(THR, 3);
  timer.advance(3 * CHAR_8N1_DIV1);
  assert.equal(rd(LSR) & 1, 1);
  wr(FCR, 0x03); // clear RCVR FIFO
  assert.equal(rd(LSR) & 1, 0);
  wr(THR, 4); wr(THR, 5); wr(THR, 6);
  wr(FCR, 0x05); // clear XMIT FIFO: the byte in the TSR still goes out
  assert.equal(rd(LSR), 0x20);
  timer.advance(3 * CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 4);
  assert.equal(rd(LSR) & 1, 0);
  wr(THR, 7);
  timer.advance(CHAR_8N1_DIV1);
  wr(LCR, 0xBF);
  wr(2, 0x00); // Linux writes EFR=0 here; a 16550A takes it as FCR=0
  wr(LCR, 0x03);
  assert.equal(rd(IIR), 0x01, 'FIFOs off');
  assert.equal(rd(LSR) & 1, 0, 'disabling the FIFOs cleared the RCVR FIFO');
  assert.equal(u.transmitting, false);
});

test('loopback: MCR outputs appear as MSR inputs with delta bits, transmitted bytes are received', () => {
  const { timer, out, rd, wr } = setup();
  init8n1(wr);
  wr(MCR, 0x1A); // Linux's loopback test: LOOP | OUT2 | RTS
  assert.equal(rd(MSR) & 0xF0, 0x90);
  wr(MCR, 0x10);
  assert.equal(rd(MSR), 0x09, 'CTS and DCD fell: DCTS and DDCD; DSR was already low');
  wr(MCR, 0x1F);
  assert.equal(rd(MSR), 0xFB, 'all four inputs high; RI rising is no TERI event');
  wr(MCR, 0x1B); // OUT1 low: RI trailing edge
  assert.equal(rd(MSR), 0xB4);
  assert.equal(rd(MSR), 0xB0, 'reading MSR cleared the deltas');
  wr(THR, 0x5A);
  timer.advance(CHAR_8N1_DIV1);
  assert.deepEqual(out, [], 'nothing reaches the host in loopback');
  assert.equal(rd(LSR), 0x61);
  assert.equal(rd(RBR), 0x5A);
  assert.equal(rd(LSR), 0x60);
  wr(LCR, 0x02); // 7-bit words: the loop carries 7 bits
  wr(THR, 0xC1);
  timer.advance(Math.round(9e9 / 115200));
  assert.equal(rd(RBR), 0x41);
  wr(MCR, 0x00);
  assert.equal(rd(MSR) & 0xF0, 0xB0, 'host inputs again');
});

test('modem status interrupt from loopback inputs; IRQ output stays gated off in loopback', () => {
  const { rd, wr, irqs } = setup();
  wr(IER, 0x08);
  wr(MCR, 0x18); // LOOP | OUT2
  assert.equal(rd(IIR), 0x00, 'modem status interrupt pending (DCTS/DDSR/DDCD from leaving host lines)');
  assert.deepEqual(irqs, []);
  rd(MSR);
  assert.equal(rd(IIR), 0x01);
});

test('overrun: non-FIFO RBR overwritten, FIFO keeps 16; OE raises the line-status interrupt until LSR is read', () => {
  const { timer, rd, wr } = setup();
  init8n1(wr);
  wr(MCR, 0x10);
  wr(IER, 0x05); // ERBFI | ELSI
  wr(THR, 0x11); wr(THR, 0x22);
  timer.advance(2 * CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0x06, 'line status has the highest priority');
  assert.equal(rd(LSR), 0x63);
  assert.equal(rd(IIR), 0x04, 'then received data');
  assert.equal(rd(RBR), 0x22);
  assert.equal(rd(IIR), 0x01);
  wr(FCR, 0xC1); // FIFO on, trigger 14
  for (let k = 0; k < 17; k++) { wr(THR, k); timer.advance(CHAR_8N1_DIV1); }
  assert.equal(rd(IIR), 0xC6);
  assert.equal(rd(LSR), 0x63);
  assert.equal(rd(IIR), 0xC4, '16 >= trigger 14');
  const got: number[] = [];
  while (rd(LSR) & 1) got.push(rd(RBR));
  assert.deepEqual(got, Array.from({ length: 16 }, (_, k) => k), 'the 17th character was lost');
});

test('host input enters at the line rate; RX trigger level and character timeout (FIFO mode)', () => {
  const { timer, rd, wr, u, irqs } = setup();
  init8n1(wr);
  wr(FCR, 0x81); // trigger level 8
  wr(MCR, 0x08);
  wr(IER, 0x01);
  u.receive([0x68, 0x69]);
  assert.equal(rd(LSR) & 1, 0);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(LSR), 0x61);
  assert.equal(rd(IIR), 0xC1, 'one byte is below the trigger level');
  timer.advance(CHAR_8N1_DIV1);
  // The timeout counts 4 character times from the last character received.
  timer.advance(4 * CHAR_8N1_DIV1 - 1);
  assert.equal(rd(IIR), 0xC1);
  timer.advance(1);
  assert.equal(rd(IIR), 0xCC);
  assert.deepEqual(irqs, [true]);
  assert.equal(rd(RBR), 0x68);
  assert.equal(rd(IIR), 0xC1, 'reading RBR clears the timeout and restarts its timer');
  assert.deepEqual(irqs, [true, false]);
  timer.advance(4 * CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0xCC);
  u.receive([0x21]);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0xCC, 'a new character does not clear a timeout that has occurred');
  assert.equal(rd(RBR), 0x69);
  assert.equal(rd(IIR), 0xC1);
  assert.equal(rd(RBR), 0x21);
  assert.equal(rd(IIR), 0xC1);
  assert.equal(rd(LSR), 0x60);
  // Ten bytes: the RDA interrupt comes when the 8th arrives.
  u.receive(new Uint8Array(10).fill(0x7A));
  timer.advance(7 * CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0xC1);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0xC4);
});

test('host input waits while the receiver is full instead of overrunning (non-FIFO)', () => {
  const { timer, rd, wr, u } = setup();
  init8n1(wr);
  u.receive([1, 2, 3]);
  timer.advance(10 * CHAR_8N1_DIV1);
  assert.equal(rd(LSR), 0x61, 'no overrun');
  assert.equal(u.inputPending, 2);
  assert.equal(rd(RBR), 1);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 2);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 3);
  assert.equal(u.inputPending, 0);
});

test('holdInput off (default): host input that arrives before the driver is up is lost to its FIFO reset', () => {
  const { timer, rd, wr, u } = setup();
  wr(FCR, 0x01); // the FIFOs are on (Linux's autoconfig probe leaves them so)
  u.receive([0x61, 0x62, 0x63]);
  timer.advance(100 * CHAR_8N1_DIV1);
  assert.equal(u.inputPending, 0, 'all three went on the line into the 16-byte FIFO');
  wr(FCR, 0x07); // serial8250_do_startup clears the FIFOs
  assert.equal(rd(LSR) & 1, 0);
  assert.equal(u.bytesReceived, 3);
});

test('holdInput: host input waits for the receiver interrupt, OUT2, RTS and no loopback, then at most the trigger level', () => {
  const timer = new ManualTimer();
  const u = new Uart16550(timer, { holdInput: true });
  const rd = (r: number) => u.in(0x3F8 + r, 1);
  const wr = (r: number, v: number) => u.out(0x3F8 + r, 1, v);
  const input = Array.from({ length: 20 }, (_, k) => 0x41 + k);
  init8n1(wr);
  u.receive(input); // typed or piped at time 0, long before any driver
  timer.advance(100 * CHAR_8N1_DIV1);
  assert.equal(u.inputPending, 20, 'nothing on the line before the guest is ready');
  // Linux 8250 autoconfig: the IER test (OUT2 off), the loopback test (its own byte comes back), FIFO probes.
  wr(IER, 0x0F);
  timer.advance(10 * CHAR_8N1_DIV1);
  wr(IER, 0x00);
  wr(MCR, 0x1A);
  wr(IER, 0x0F);
  wr(THR, 0x55);
  timer.advance(10 * CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 0x55, 'loopback receives the guest\'s own byte, no host byte');
  assert.equal(rd(LSR) & 1, 0);
  wr(IER, 0x00);
  wr(MCR, 0x00);
  wr(FCR, 0x07);
  wr(FCR, 0x00);
  assert.equal(u.inputPending, 20);
  assert.equal(u.bytesReceived, 1, 'only the looped-back byte');
  // Startup as serial8250_do_startup does it: FIFOs with trigger 8, DTR|RTS|OUT2, then RLSI|RDI.
  wr(FCR, 0x81);
  wr(MCR, 0x0B);
  timer.advance(10 * CHAR_8N1_DIV1);
  assert.equal(u.inputPending, 20, 'receiver interrupt still disabled');
  wr(IER, 0x05);
  timer.advance(100 * CHAR_8N1_DIV1);
  assert.equal(rd(IIR), 0xC4, 'received data at the trigger level');
  assert.equal(u.inputPending, 12, 'the FIFO is filled only to its trigger level (8)');
  const got: number[] = [];
  while (rd(LSR) & 1) got.push(rd(RBR));
  assert.equal(got.length, 8);
  // Reading made room: the next character is on the line. The guest disables the receiver interrupt
  // mid-character (as the console write path does): it is not received now, but sent again later.
  timer.advance(CHAR_8N1_DIV1 / 2);
  wr(IER, 0x00);
  timer.advance(10 * CHAR_8N1_DIV1);
  assert.equal(rd(LSR) & 1, 0);
  assert.equal(u.inputPending, 12);
  wr(IER, 0x05);
  // RTS dropped mid-character (a tty with crtscts throttling): that character is not received either,
  // and the host waits for RTS.
  timer.advance(CHAR_8N1_DIV1 / 2);
  wr(MCR, 0x09);
  timer.advance(100 * CHAR_8N1_DIV1);
  while (rd(LSR) & 1) got.push(rd(RBR));
  assert.equal(got.length, 8, 'a character cut off by RTS is sent again');
  wr(MCR, 0x0B);
  for (let k = 0; k < 100 && u.inputPending + (rd(LSR) & 1) > 0; k++) {
    timer.advance(CHAR_8N1_DIV1);
    while (rd(LSR) & 1) got.push(rd(RBR));
  }
  assert.deepEqual(got, input, 'every byte, in order, none lost');
  assert.equal(u.overruns, 0);
  assert.equal(u.bytesReceived, 21);
});

test('paceLines: each line of host input waits until the guest idles, ready for input, its output quiet for 50 ms', () => {
  const timer = new ManualTimer();
  const u = new Uart16550(timer, { holdInput: true, paceLines: true });
  const rd = (r: number) => u.in(0x3F8 + r, 1);
  const wr = (r: number, v: number) => u.out(0x3F8 + r, 1, v);
  const drain = () => { const got: number[] = []; for (let k = 0; k < 40; k++) { timer.advance(CHAR_8N1_DIV1); while (rd(LSR) & 1) got.push(rd(RBR)); } return String.fromCharCode(...got); };
  /** The guest prints a prompt: its last character leaves the transmitter one character time later. */
  const prompt = () => { wr(THR, 0x23); timer.advance(CHAR_8N1_DIV1); };
  init8n1(wr);
  wr(FCR, 0x01); // FIFOs, trigger level 1
  u.receive([...'ab\ncd\r\x04'].map((c) => c.charCodeAt(0)));
  timer.advance(PACE_QUIET_NS);
  u.guestIdle(); // idle before the driver is up: the line stays closed
  wr(MCR, 0x0B);
  wr(IER, 0x01);
  assert.equal(drain(), '', 'ready, but the guest has not idled since');
  prompt();
  u.guestIdle();
  assert.equal(drain(), '', 'idle, but the prompt went out less than 50 ms ago');
  assert.equal(timer.next(), u.saveState().paceDue, 'an event at the end of the quiet period wakes an idle machine');
  timer.advance(PACE_QUIET_NS);
  u.guestIdle();
  assert.equal(drain(), 'ab\n', 'one line, then wait');
  prompt();
  timer.advance(PACE_QUIET_NS);
  u.guestIdle();
  assert.equal(drain(), 'cd\r', 'CR ends a line too');
  prompt();
  timer.advance(PACE_QUIET_NS);
  wr(IER, 0x00);
  u.guestIdle();
  wr(IER, 0x01);
  assert.equal(drain(), '', 'an idle while not ready does not count');
  wr(THR, 0x23);
  u.guestIdle();
  timer.advance(PACE_QUIET_NS + CHAR_8N1_DIV1);
  assert.equal(drain(), '', 'an idle while transmitting does not count');
  u.guestIdle();
  assert.equal(drain(), '\x04');
  assert.equal(u.inputPending, 0);
});

test('holdInput in non-FIFO mode: one character at a time into an empty RBR', () => {
  const timer = new ManualTimer();
  const u = new Uart16550(timer, { holdInput: true });
  const rd = (r: number) => u.in(0x3F8 + r, 1);
  const wr = (r: number, v: number) => u.out(0x3F8 + r, 1, v);
  init8n1(wr);
  wr(MCR, 0x0B);
  wr(IER, 0x01);
  u.receive([1, 2, 3]);
  timer.advance(10 * CHAR_8N1_DIV1);
  assert.equal(rd(LSR), 0x61, 'no overrun');
  assert.equal(u.inputPending, 2);
  assert.equal(rd(RBR), 1);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 2);
  timer.advance(CHAR_8N1_DIV1);
  assert.equal(rd(RBR), 3);
  assert.equal(u.inputPending, 0);
});

test('Linux 8250 autoconfig sees a 16550A', () => {
  const { rd, wr } = setup();
  // IER test
  wr(IER, 0x00);
  const s2 = rd(IER) & 0x0F;
  wr(IER, 0x0F);
  const s3 = rd(IER) & 0x0F;
  wr(IER, 0x00);
  assert.deepEqual([s2, s3], [0x00, 0x0F]);
  // loopback test
  wr(MCR, 0x1A);
  assert.equal(rd(MSR) & 0xF0, 0x90);
  wr(MCR, 0x00);
  // FIFO probe
  wr(LCR, 0xBF);
  wr(2, 0x00);
  wr(LCR, 0x00);
  wr(FCR, 0x01);
  assert.equal(rd(IIR) >> 6, 3, '16550A family');
  // not a 16650 (EFR reads as IIR, non-zero) and not a 16750 (IIR bit 5 stays 0)
  wr(LCR, 0xBF);
  assert.notEqual(rd(2), 0);
  wr(LCR, 0x80);
  assert.notEqual(rd(2), 0);
  wr(LCR, 0x00);
  wr(FCR, 0x21);
  assert.equal(rd(IIR) >> 5, 6);
  wr(LCR, 0x80);
  wr(FCR, 0x21);
  assert.equal(rd(IIR) >> 5, 6);
  wr(LCR, 0x00);
  assert.equal(rd(SCR), 0);
  wr(SCR, 0xA5);
  assert.equal(rd(SCR), 0xA5);
});

test('16-bit port access is split into byte cycles', () => {
  const { u } = setup();
  u.out(0x3FB, 2, 0x0B83); // LCR=0x83, MCR=0x0B
  assert.equal(u.in(0x3FB, 1), 0x83);
  assert.equal(u.in(0x3FC, 1), 0x0B);
  assert.equal(u.in(0x3FB, 2), 0x0B83);
});

test('saveState/loadState: plain data; the restored UART continues exactly like the original', () => {
  const a = setup();
  init8n1(a.wr);
  a.wr(FCR, 0x81);
  a.wr(MCR, 0x0B);
  a.wr(IER, 0x0F);
  for (const c of 'snapshot') a.wr(THR, c.charCodeAt(0));
  a.u.receive([1, 2, 3, 4, 5]);
  a.timer.advance(2.5 * CHAR_8N1_DIV1);
  const state = JSON.parse(JSON.stringify(a.u.saveState()));
  const b = setup();
  b.timer.time = a.timer.time;
  b.u.loadState(state);
  assert.deepEqual(b.irqs, [a.u.irq]);
  const script = (x: ReturnType<typeof setup>) => {
    const seen: number[] = [];
    for (let k = 0; k < 12; k++) {
      x.timer.advance(CHAR_8N1_DIV1 / 2);
      seen.push(x.rd(LSR), x.rd(IIR));
      if (k % 3 === 2) seen.push(x.rd(RBR));
    }
    x.timer.advance(10 * CHAR_8N1_DIV1);
    seen.push(x.rd(LSR), x.rd(IIR), x.rd(MSR));
    return seen;
  };
  const outA0 = a.out.length;
  const sa = script(a), sb = script(b);
  assert.deepEqual(sb, sa);
  assert.deepEqual(b.out, a.out.slice(outA0));
  assert.equal(b.u.bytesTransmitted, a.u.bytesTransmitted);
});
