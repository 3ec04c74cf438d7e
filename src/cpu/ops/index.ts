// Installs every instruction group into the opcode table, once.
import { install as alu } from './alu.ts';
import { install as muldiv } from './muldiv.ts';
import { install as shift } from './shift.ts';
import { install as bcd } from './bcd.ts';
import { install as mov } from './mov.ts';
import { install as stack } from './stack.ts';
import { install as branch } from './branch.ts';
import { install as string } from './string.ts';
import { install as bit } from './bit.ts';
import { install as atomic } from './atomic.ts';
import { install as system } from './system.ts';
import { install as io } from './io.ts';
import { install as segmentOps } from './segment-ops.ts';
import { install as interruptOps } from './interrupt-ops.ts';
import { install as x87 } from './x87.ts';

let installed = false;

export function installAllOps(): void {
  if (installed) return;
  installed = true;
  for (const f of [alu, muldiv, shift, bcd, mov, stack, branch, string, bit, atomic, system, io, segmentOps, interruptOps, x87]) f();
}
