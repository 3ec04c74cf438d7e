// Peak RSS of a child process that is not Node (QEMU) or that the bench does not control (the `trapeze`
// command): Node cannot getrusage() its children, so the kernel's high-water mark (VmHWM in
// /proc/PID/status, Linux) is read every few ms while the child lives, and once more just before the bench
// kills it. A child that exits by itself may grow in its last few ms unseen: the figure is then a lower
// bound, which the report says ("sampled"). Elsewhere than Linux it reports nothing.

import { readFileSync } from 'node:fs';

const INTERVAL_MS = 10;

/** VmHWM of a process in KiB, or undefined when it cannot be read (gone, or no /proc). */
export function readVmHwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export class RssSampler {
  private peakKiB: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number | undefined) {
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
    this.sample();
  }

  /** Read now (call just before killing the child). */
  sample(): void {
    if (this.pid === undefined) return;
    const k = readVmHwmKiB(this.pid);
    if (k !== undefined && (this.peakKiB === undefined || k > this.peakKiB)) this.peakKiB = k;
  }

  /** Stop sampling; the peak seen, in MiB. */
  stop(): number | undefined {
    clearInterval(this.timer);
    return this.peakKiB === undefined ? undefined : this.peakKiB / 1024;
  }
}
