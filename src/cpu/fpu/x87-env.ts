// The x87 environment and state images of FNSTENV/FLDENV (14 or 28 bytes) and FNSAVE/FRSTOR (94 or 108
// bytes) in their four layouts: 16- or 32-bit operand size × real-address/virtual-8086 or protected mode
// (SDM vol. 1 §8.1.10, Figures 8-9 to 8-12). Pure data: the images are built in and read from a byte
// buffer; ops/x87-control.ts moves them to and from guest memory with the segment and paging checks.
//
// Real-address and virtual-8086 images hold the instruction and operand pointers as 20/32-bit linear
// addresses (selector·16 + offset, the address the real-mode FPU records); protected-mode images hold
// selector and offset. The 16-bit protected image has no opcode field: loading it clears FOP (as silicon does).
// Reserved fields are stored as 1s, as the processor does (the unused high halves of the 32-bit
// protected image's words, the unused bits in the 32-bit real image).

import type { X87State } from './x87-state.ts';

/** Size of the environment image: 14 bytes (16-bit operand size) or 28 (32-bit). */
export function envSize(o32: boolean): number {
  return o32 ? 28 : 14;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v; b[at + 1] = v >>> 8;
}
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v; b[at + 1] = v >>> 8; b[at + 2] = v >>> 16; b[at + 3] = v >>> 24;
}
function get16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function get32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Write the environment image of `f` into b[0 .. envSize). `real`: real-address or virtual-8086 layout. */
export function storeEnv(f: X87State, b: Uint8Array, o32: boolean, real: boolean): void {
  const cw = f.controlWord(), sw = f.statusWord(), tw = f.tagWord();
  const fop = f.fop & 0x7FF;
  if (o32) {
    put32(b, 0, cw | 0xFFFF0000);
    put32(b, 4, sw | 0xFFFF0000);
    put32(b, 8, tw | 0xFFFF0000);
    if (real) {
      // Figure 8-10: FIP[15:0] | FOP, FIP[31:16] << 12 | FDP[15:0] | FDP[31:16] << 12.
      const ip = (f.fcs * 16 + f.fip) >>> 0, dp = (f.fds * 16 + f.fdp) >>> 0;
      put32(b, 12, (ip & 0xFFFF) | 0xFFFF0000);
      put32(b, 16, ((ip >>> 16) << 12) | fop);
      put32(b, 20, (dp & 0xFFFF) | 0xFFFF0000);
      put32(b, 24, (dp >>> 16) << 12);
    } else {
      // Figure 8-9: FIP, FCS | FOP << 16, FDP, FDS.
      put32(b, 12, f.fip);
      put32(b, 16, (f.fcs & 0xFFFF) | (fop << 16));
      put32(b, 20, f.fdp);
      put32(b, 24, (f.fds & 0xFFFF) | 0xFFFF0000);
    }
  } else {
    put16(b, 0, cw);
    put16(b, 2, sw);
    put16(b, 4, tw);
    if (real) {
      // Figure 8-12: FIP[15:0], FIP[19:16] << 12 | FOP, FDP[15:0], FDP[19:16] << 12.
      const ip = (f.fcs * 16 + f.fip) >>> 0, dp = (f.fds * 16 + f.fdp) >>> 0;
      put16(b, 6, ip);
      put16(b, 8, (((ip >>> 16) & 0xF) << 12) | fop);
      put16(b, 10, dp);
      put16(b, 12, ((dp >>> 16) & 0xF) << 12);
    } else {
      // Figure 8-11: FIP, FCS, FDP, FDS (offsets truncated to 16 bits).
      put16(b, 6, f.fip);
      put16(b, 8, f.fcs);
      put16(b, 10, f.fdp);
      put16(b, 12, f.fds);
    }
  }
}

/** Load the environment image b[0 .. envSize) into `f` (the caller has read all of it first). */
export function loadEnv(f: X87State, b: Uint8Array, o32: boolean, real: boolean): void {
  if (o32) {
    f.setControlWord(get16(b, 0));
    f.setStatusWord(get16(b, 4));
    f.setTagWord(get16(b, 8));
    if (real) {
      const w16 = get32(b, 16), w24 = get32(b, 24);
      f.fip = ((get16(b, 12)) | (((w16 >>> 12) & 0xFFFF) << 16)) >>> 0;
      f.fcs = 0;
      f.fop = w16 & 0x7FF;
      f.fdp = ((get16(b, 20)) | (((w24 >>> 12) & 0xFFFF) << 16)) >>> 0;
      f.fds = 0;
    } else {
      f.fip = get32(b, 12);
      const w16 = get32(b, 16);
      f.fcs = w16 & 0xFFFF;
      f.fop = (w16 >>> 16) & 0x7FF;
      f.fdp = get32(b, 20);
      f.fds = get16(b, 24);
    }
  } else {
    f.setControlWord(get16(b, 0));
    f.setStatusWord(get16(b, 2));
    f.setTagWord(get16(b, 4));
    if (real) {
      const w8 = get16(b, 8), w12 = get16(b, 12);
      f.fip = get16(b, 6) | ((w8 >>> 12) << 16);
      f.fcs = 0;
      f.fop = w8 & 0x7FF;
      f.fdp = get16(b, 10) | ((w12 >>> 12) << 16);
      f.fds = 0;
    } else {
      f.fip = get16(b, 6);
      f.fcs = get16(b, 8);
      f.fop = 0;
      f.fdp = get16(b, 10);
      f.fds = get16(b, 12);
    }
  }
}

/** Write the eight data registers in stack order ST(0)..ST(7), 10 bytes each, starting at b[at] (FNSAVE). */
export function storeRegs(f: X87State, b: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const p = (f.top + i) & 7, o = at + 10 * i;
    put32(b, o, f.lo[p]);
    put32(b, o + 4, f.hi[p]);
    put16(b, o + 8, f.se[p]);
  }
}

/** Load the eight data registers from b[at ..] in stack order, relative to the TOP just loaded (FRSTOR). */
export function loadRegs(f: X87State, b: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const p = (f.top + i) & 7, o = at + 10 * i;
    f.lo[p] = get32(b, o);
    f.hi[p] = get32(b, o + 4);
    f.se[p] = get16(b, o + 8);
  }
}
