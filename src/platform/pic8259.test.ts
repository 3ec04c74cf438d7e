import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from './io-bus.ts';
import { PicPair } from './pic8259.ts';

/** A PIC pair on a bus, with the INTR line's history recorded. */
function setup(biosState = true) {
  const io = new IoBus();
  const intr: boolean[] = [];
  const pic = new PicPair((l) => intr.push(l), biosState);
  pic.register(io);
  return { io, pic, intr };
}

/** Exactly Linux's init_8259A(auto_eoi=0) sequence, then the given masks. */
function linuxInit(io: IoBus, masterMask = 0xFF, slaveMask = 0xFF): void {
  io.out8(0x21, 0xFF); // mask all of 8259A-1
  io.out8(0xA1, 0xFF); // mask all of 8259A-2
  io.out8(0x20, 0x11); // ICW1: select 8259A-1 init
  io.out8(0x21, 0x30); // ICW2: 8259A-1 IR0-7 mapped to 0x30-0x37
  io.out8(0x21, 0x04); // 8259A-1 (the master) has a slave on IR2
  io.out8(0x21, 0x01); // master expects normal EOI
  io.out8(0xA0, 0x11); // ICW1: select 8259A-2 init
  io.out8(0xA1, 0x38); // ICW2: 8259A-2 IR0-7 mapped to 0x38-0x3f
  io.out8(0xA1, 0x02); // 8259A-2 is a slave on master's IR2
  io.out8(0xA1, 0x01); // (slave's support for AEOI in flat mode is to be investigated)
  io.out8(0x21, masterMask);
  io.out8(0xA1, slaveMask);
}

const readIrr = (io: IoBus, port: number) => (io.out8(port, 0x0A), io.in8(port));
const readIsr = (io: IoBus, port: number) => (io.out8(port, 0x0B), io.in8(port));

test('Linux init sequence, timer IRQ 0 with specific EOI 0x60', () => {
  const { io, pic, intr } = setup();
  linuxInit(io, 0xFA, 0xFF); // IRQ 0 and the cascade unmasked
  assert.equal(io.in8(0x21), 0xFA);
  assert.equal(io.in8(0xA1), 0xFF);
  assert.equal(pic.master.icw2, 0x30);
  assert.equal(pic.slave.icw2, 0x38);
  assert.equal(pic.intr, false);

  pic.setIrq(0, true);
  assert.equal(pic.intr, true);
  assert.deepEqual(intr, [true]);
  assert.equal(readIrr(io, 0x20), 0x01);
  assert.equal(pic.acknowledge(), 0x30);
  assert.equal(pic.intr, false);
  assert.equal(readIsr(io, 0x20), 0x01);
  assert.equal(readIrr(io, 0x20), 0x00, 'edge latch cleared by INTA although the line is still high');
  pic.setIrq(0, false);
  io.out8(0x20, 0x60); // specific EOI, level 0
  assert.equal(readIsr(io, 0x20), 0x00);
  // next tick
  pic.setIrq(0, true);
  assert.equal(pic.acknowledge(), 0x30);
  io.out8(0x20, 0x60);
  assert.deepEqual(intr, [true, false, true, false]);
  assert.equal(pic.delivered, 2);
  assert.equal(pic.spurious, 0);
});

test('Linux: slave IRQ 8 through the cascade, EOI slave 0x60 then master 0x62', () => {
  const { io, pic } = setup();
  linuxInit(io, 0xFB, 0xFE); // cascade and IRQ 8 unmasked
  pic.setIrq(8, true);
  assert.equal(pic.intr, true);
  assert.equal(readIrr(io, 0x20), 0x04, 'master sees the request on IR2');
  assert.equal(readIrr(io, 0xA0), 0x01);
  assert.equal(pic.acknowledge(), 0x38);
  assert.equal(readIsr(io, 0x20), 0x04);
  assert.equal(readIsr(io, 0xA0), 0x01);
  assert.equal(pic.intr, false);
  io.out8(0xA0, 0x60);
  io.out8(0x20, 0x62);
  assert.equal(pic.isr, 0);
  // IRQ 8 (RTC) stays high until register C is read: no new request until a new edge
  assert.equal(pic.intr, false);
  pic.setIrq(8, false);
  pic.setIrq(8, true);
  assert.equal(pic.acknowledge(), 0x38);
});

test('IMR: a masked request stays in IRR and raises INTR when unmasked', () => {
  const { io, pic } = setup();
  linuxInit(io, 0xFF, 0xFF);
  pic.setIrq(4, true);
  assert.equal(pic.intr, false);
  assert.equal(readIrr(io, 0x20), 0x10);
  io.out8(0x21, 0xEF);
  assert.equal(pic.intr, true);
  assert.equal(pic.acknowledge(), 0x34);
});

test('fully nested priority: lower levels wait, a higher level nests, non-specific EOI clears the highest', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0xFF);
  pic.setIrq(3, true);
  pic.setIrq(1, true);
  assert.equal(pic.acknowledge(), 0x31, 'IR1 before IR3');
  assert.equal(pic.intr, false, 'IR3 is blocked while IR1 is in service');
  pic.setIrq(0, true);
  assert.equal(pic.intr, true, 'IR0 has higher priority than IR1 in service');
  assert.equal(pic.acknowledge(), 0x30);
  assert.equal(readIsr(io, 0x20), 0x03);
  io.out8(0x20, 0x20); // non-specific EOI: clears IR0
  assert.equal(readIsr(io, 0x20), 0x02);
  assert.equal(pic.intr, false);
  io.out8(0x20, 0x20); // clears IR1
  assert.equal(pic.intr, true);
  assert.equal(pic.acknowledge(), 0x33);
});

test('rotation: rotate on non-specific EOI, rotate on specific EOI, set priority', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0xFF);
  // rotate on non-specific EOI: the serviced level becomes the lowest
  pic.setIrq(1, true);
  pic.setIrq(4, true);
  assert.equal(pic.acknowledge(), 0x31);
  io.out8(0x20, 0xA0); // rotate on non-specific EOI
  assert.equal(pic.master.lowest, 1);
  pic.setIrq(1, false);
  pic.setIrq(1, true);
  // priorities now 2,3,4,5,6,7,0,1: IR4 before IR1
  assert.equal(pic.acknowledge(), 0x34);
  io.out8(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x31);
  io.out8(0x20, 0x20);
  // set priority: IR5 lowest -> IR6 highest
  io.out8(0x20, 0xC5);
  assert.equal(pic.master.lowest, 5);
  for (const irq of [0, 5, 6]) pic.setIrq(irq, false);
  for (const irq of [0, 5, 6]) pic.setIrq(irq, true);
  assert.equal(pic.acknowledge(), 0x36);
  // rotate on specific EOI of level 6: 6 becomes lowest, 7 highest -> then 0 next
  io.out8(0x20, 0xE6);
  assert.equal(pic.master.lowest, 6);
  assert.equal(readIsr(io, 0x20), 0);
  assert.equal(pic.acknowledge(), 0x30);
  io.out8(0x20, 0x60);
  assert.equal(pic.acknowledge(), 0x35);
  // non-specific EOI in rotated priority clears the highest-priority ISR bit (7 > 0 > ... > 6)
  io.out8(0x20, 0x60 | 5);
  io.out8(0x20, 0xC6); // lowest = 6: order 7,0,1,..
  pic.setIrq(3, false);
  pic.setIrq(3, true);
  pic.setIrq(7, true);
  assert.equal(pic.acknowledge(), 0x37);
  io.out8(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x33);
});

test('auto-EOI: ISR bit not kept; rotate in AEOI mode', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0x11);
  io.out8(0x21, 0x20);
  io.out8(0x21, 0x04);
  io.out8(0x21, 0x03); // 8086 mode, AEOI
  io.out8(0x21, 0x00);
  pic.setIrq(2 + 1, true);
  pic.setIrq(6, true);
  assert.equal(pic.acknowledge(), 0x23);
  assert.equal(readIsr(io, 0x20), 0);
  assert.equal(pic.intr, true, 'IR6 goes next without an EOI');
  assert.equal(pic.acknowledge(), 0x26);
  assert.equal(pic.master.lowest, 7, 'no rotation without rotate-in-AEOI');
  io.out8(0x20, 0x80); // set rotate in AEOI
  pic.setIrq(3, false); pic.setIrq(3, true);
  pic.setIrq(6, false); pic.setIrq(6, true);
  assert.equal(pic.acknowledge(), 0x23);
  assert.equal(pic.master.lowest, 3);
  pic.setIrq(3, false); pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x26, 'IR6 now above IR3');
  assert.equal(pic.master.lowest, 6);
  io.out8(0x20, 0x00); // clear rotate in AEOI
  assert.equal(pic.master.rotateAeoi, false);
});

test('edge vs level: a held line requests again after EOI only when level-triggered (ELCR)', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0x00);
  pic.setIrq(5, true);
  assert.equal(pic.acknowledge(), 0x35);
  io.out8(0x20, 0x65);
  assert.equal(pic.intr, false, 'edge: the held line does not request again');
  pic.setIrq(5, false);
  io.out8(0x4D0, 0x20); // IRQ 5 level-triggered
  assert.equal(io.in8(0x4D0), 0x20);
  pic.setIrq(5, true);
  assert.equal(pic.acknowledge(), 0x35);
  assert.equal(readIrr(io, 0x20), 0x20, 'level: IRR follows the line');
  io.out8(0x20, 0x65);
  assert.equal(pic.intr, true, 'level: the held line requests again after EOI');
  pic.setIrq(5, false);
  assert.equal(pic.intr, false);
  // ELCR reserved bits: IRQ 0, 1, 2, 8, 13 are always edge
  io.out8(0x4D0, 0xFF);
  io.out8(0x4D1, 0xFF);
  assert.equal(io.in8(0x4D0), 0xF8);
  assert.equal(io.in8(0x4D1), 0xDE);
  io.out16(0x4D0, 0x0C20);
  assert.equal(io.in16(0x4D0), 0x0C20);
});

test('ICW1.LTIM makes every input of that chip level-triggered', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0x19); // ICW1 with LTIM
  io.out8(0x21, 0x40);
  io.out8(0x21, 0x04);
  io.out8(0x21, 0x01);
  io.out8(0x21, 0x00);
  pic.setIrq(1, true);
  assert.equal(pic.acknowledge(), 0x41);
  io.out8(0x20, 0x20);
  assert.equal(pic.intr, true);
  assert.equal(pic.acknowledge(), 0x41);
});

test('ICW1 resets the edge-sense latch: a line already high must go low and high again', () => {
  const { io, pic } = setup();
  pic.setIrq(3, true);
  linuxInit(io, 0x00, 0xFF);
  assert.equal(pic.intr, false);
  assert.equal(readIrr(io, 0x20), 0);
  pic.setIrq(3, false);
  pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x33);
});

test('spurious IRQ 7: request withdrawn before INTA gives base+7 without an ISR bit', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0xFF);
  pic.setIrq(5, true);
  assert.equal(pic.intr, true);
  pic.setIrq(5, false); // glitch: gone before the CPU's INTA
  assert.equal(pic.intr, false);
  assert.equal(pic.acknowledge(), 0x37);
  assert.equal(readIsr(io, 0x20), 0x00);
  assert.equal(pic.spurious, 1);
  // A real IRQ 7 sets its ISR bit (this is how Linux tells them apart)
  pic.setIrq(7, true);
  assert.equal(pic.acknowledge(), 0x37);
  assert.equal(readIsr(io, 0x20), 0x80);
  assert.equal(pic.delivered, 1);
});

test('spurious IRQ 15: the slave request vanished during INTA; master IR2 stays in service', () => {
  const { io, pic } = setup();
  linuxInit(io, 0xFB, 0x00);
  pic.setIrq(11, true);
  assert.equal(pic.intr, true);
  // The request disappears inside the INTA cycle, after the master resolved IR2 (a race the
  // synchronous model can only produce by dropping the slave's input without propagating it).
  pic.slave.setLine(3, false);
  assert.equal(pic.acknowledge(), 0x3F);
  assert.equal(readIsr(io, 0xA0), 0x00);
  assert.equal(readIsr(io, 0x20), 0x04, 'master IR2 in service: the IRQ 15 handler must EOI the master');
  assert.equal(pic.spurious, 1);
  io.out8(0x20, 0x62);
  assert.equal(pic.isr, 0);
  // the slave's own IRQ 15 sets its ISR bit
  pic.setIrq(15, true);
  assert.equal(pic.acknowledge(), 0x3F);
  assert.equal(readIsr(io, 0xA0), 0x80);
});

test('poll mode: the read acts as INTA and returns 1000 0www', () => {
  const { io, pic } = setup();
  linuxInit(io, 0xFF, 0xFF); // masked levels are not polled
  io.out8(0x21, 0xF0);
  io.out8(0x20, 0x0C); // OCW3 poll
  assert.equal(io.in8(0x20), 0x07, 'no request: I=0');
  pic.setIrq(2 + 1, true);
  pic.setIrq(1, true);
  io.out8(0x20, 0x0C);
  assert.equal(io.in8(0x20), 0x81);
  assert.equal(readIsr(io, 0x20), 0x02, 'poll set the ISR bit');
  assert.equal(readIrr(io, 0x20), 0x08);
  io.out8(0x20, 0x20);
  io.out8(0x20, 0x0C);
  assert.equal(io.in8(0x20), 0x83);
  assert.equal(pic.delivered, 0, 'polling is not an interrupt delivery');
  // after the poll read the next read is the register selected by RR/RIS again (IRR here)
  assert.equal(io.in8(0x20), 0x00);
  assert.equal(readIsr(io, 0x20), 0x08);
});

test('special mask mode: masking the level in service lets lower levels through', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0xFF);
  pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x33);
  pic.setIrq(5, true);
  assert.equal(pic.intr, false, 'IR5 below IR3 in service');
  io.out8(0x20, 0x68); // set special mask mode
  assert.equal(pic.intr, true, 'in SMM only masked levels and the level itself are inhibited');
  io.out8(0x21, 0x20); // mask IR5
  assert.equal(pic.intr, false);
  io.out8(0x21, 0x08); // mask IR3, unmask IR5
  assert.equal(pic.acknowledge(), 0x35);
  assert.equal(readIsr(io, 0x20), 0x28);
  io.out8(0x20, 0x48); // reset special mask mode
  assert.equal(pic.master.specialMask, false);
  io.out8(0x20, 0x65);
  io.out8(0x20, 0x63);
  assert.equal(pic.isr, 0);
});

test('special fully nested mode lets a higher slave request through while the slave is in service', () => {
  for (const sfnm of [false, true]) {
    const { io, pic } = setup();
    io.out8(0x20, 0x11);
    io.out8(0x21, 0x30);
    io.out8(0x21, 0x04);
    io.out8(0x21, sfnm ? 0x11 : 0x01);
    io.out8(0xA0, 0x11);
    io.out8(0xA1, 0x38);
    io.out8(0xA1, 0x02);
    io.out8(0xA1, 0x01);
    io.out8(0x21, 0x00);
    io.out8(0xA1, 0x00);
    pic.setIrq(12, true);
    assert.equal(pic.acknowledge(), 0x3C);
    pic.setIrq(9, true); // higher priority inside the slave
    assert.equal(pic.intr, sfnm, `SFNM=${sfnm}`);
    if (sfnm) {
      assert.equal(pic.acknowledge(), 0x39);
      assert.equal(readIsr(io, 0xA0), 0x12);
    }
  }
});

test('cascade in AEOI: back-to-back slave requests each make a new IR2 edge', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0x11); io.out8(0x21, 0x30); io.out8(0x21, 0x04); io.out8(0x21, 0x03);
  io.out8(0xA0, 0x11); io.out8(0xA1, 0x38); io.out8(0xA1, 0x02); io.out8(0xA1, 0x03);
  io.out8(0x21, 0x00); io.out8(0xA1, 0x00);
  pic.setIrq(10, true);
  pic.setIrq(14, true);
  assert.equal(pic.acknowledge(), 0x3A);
  assert.equal(pic.intr, true);
  assert.equal(pic.acknowledge(), 0x3E);
  assert.equal(pic.intr, false);
  assert.equal(pic.isr, 0);
});

test('slave ID mismatch: nobody drives the bus', () => {
  const { io, pic } = setup();
  linuxInit(io, 0x00, 0x00);
  io.out8(0xA0, 0x11); io.out8(0xA1, 0x38); io.out8(0xA1, 0x03); io.out8(0xA1, 0x01); io.out8(0xA1, 0x00);
  pic.setIrq(8, true);
  assert.equal(pic.acknowledge(), 0xFF);
});

test('single mode master: IR2 is an ordinary input with its own vector', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0x13); // SNGL, IC4
  io.out8(0x21, 0x50);
  io.out8(0x21, 0x01); // ICW4 (no ICW3 in single mode)
  io.out8(0x21, 0x00);
  io.out8(0xA1, 0x00); // the slave's INT output still drives the IR2 pin
  assert.equal(pic.master.initStep, 0);
  pic.setIrq(8, true);
  assert.equal(pic.acknowledge(), 0x52);
});

test('ICW4 omitted (IC4=0): sequence ends after ICW3 and the next A0=1 write is the IMR', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0x10);
  io.out8(0x21, 0x60);
  io.out8(0x21, 0x04);
  io.out8(0x21, 0xAA);
  assert.equal(io.in8(0x21), 0xAA);
  assert.equal(pic.master.icw4, 0);
});

test('BIOS state: vectors 0x08 / 0x70, all masked but the cascade; IRQ 2 pin routed to IRQ 9', () => {
  const { io, pic } = setup();
  assert.equal(io.in8(0x21), 0xFB);
  assert.equal(io.in8(0xA1), 0xFF);
  io.out8(0x21, 0xFA);
  pic.setIrq(0, true);
  assert.equal(pic.acknowledge(), 0x08);
  io.out8(0x20, 0x20);
  io.out8(0xA1, 0x00);
  pic.setIrq(2, true);
  assert.equal(pic.irr & 0x200, 0x200);
  assert.equal(pic.acknowledge(), 0x71);
  const cold = setup(false);
  assert.equal(cold.io.in8(0x21), 0x00);
});

test('saveState / loadState round trip', () => {
  const a = setup();
  linuxInit(a.io, 0x00, 0x00);
  a.pic.setIrq(9, true);
  a.pic.setIrq(1, true);
  assert.equal(a.pic.acknowledge(), 0x31);
  a.io.out8(0x20, 0x61);
  a.pic.setIrq(4, true);
  const snap = JSON.parse(JSON.stringify(a.pic.saveState()));
  const b = setup();
  b.pic.loadState(snap);
  assert.deepEqual(b.pic.saveState(), a.pic.saveState());
  assert.equal(b.pic.intr, true);
  assert.equal(b.pic.acknowledge(), 0x39);
  assert.equal(b.pic.isr, 0x204);
  assert.equal(b.pic.intr, false, 'IR4 below IR2 in service');
});
