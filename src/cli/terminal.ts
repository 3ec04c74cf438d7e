// The host end of the guest's serial console: the terminal in raw mode (every key goes to the guest,
// Ctrl-C included) with QEMU's escape key Ctrl-A for commands to the emulator, or piped standard input
// read whole before the guest starts (so a scripted session is deterministic).

import type { ReadStream } from 'node:tty';

/** Ctrl-A, the escape prefix (as in QEMU's -nographic / -serial mon:stdio). */
export const ESCAPE = 0x01;

export type EscapeCommand = 'quit' | 'help' | 'stats';

export const ESCAPE_HELP =
  'C-a x    quit the emulator\r\n' +
  'C-a s    print statistics\r\n' +
  'C-a h    this help\r\n' +
  'C-a C-a  send C-a to the guest\r\n';

/** Splits terminal input into bytes for the guest and Ctrl-A commands. */
export class EscapeDecoder {
  private pending = false;

  feed(bytes: ArrayLike<number>): { data: number[]; commands: EscapeCommand[] } {
    const data: number[] = [];
    const commands: EscapeCommand[] = [];
    for (let k = 0; k < bytes.length; k++) {
      const b = bytes[k];
      if (this.pending) {
        this.pending = false;
        switch (b) {
          case 0x78: case 0x58: commands.push('quit'); break; // x / X
          case 0x68: case 0x48: case 0x3F: commands.push('help'); break; // h / H / ?
          case 0x73: case 0x53: commands.push('stats'); break; // s / S
          case ESCAPE: case 0x61: data.push(ESCAPE); break; // C-a C-a (or C-a a) sends C-a
          default: break; // unknown command: dropped, as QEMU does
        }
      } else if (b === ESCAPE) {
        this.pending = true;
      } else {
        data.push(b);
      }
    }
    return { data, commands };
  }
}

/** Raw mode for an interactive terminal; restores the previous mode however the process ends. */
export class RawTerminal {
  private active = false;
  private readonly restoreOnExit = (): void => this.restore();
  /** Killed by a signal: 'exit' handlers do not run then, so restore the terminal here. */
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    this.restore();
    process.exit(128 + (sig === 'SIGHUP' ? 1 : 15));
  };

  constructor(private readonly stdin: ReadStream) {}

  enter(): void {
    if (this.active) return;
    this.stdin.setRawMode(true);
    this.active = true;
    process.on('exit', this.restoreOnExit);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGHUP', this.onSignal);
  }

  restore(): void {
    if (!this.active) return;
    this.active = false;
    try { this.stdin.setRawMode(false); } catch { /* the terminal is gone */ }
    process.off('exit', this.restoreOnExit);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGHUP', this.onSignal);
  }
}

/** Read a whole non-terminal input stream (a pipe or a file) to its end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const c = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    chunks.push(c);
    total += c.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}
