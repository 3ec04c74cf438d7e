// `trapeze run [image]`: boot a Multiboot kernel on the emulated PC with the serial console on this
// terminal (or on piped standard input, read whole before the guest starts so that the session is
// deterministic), and exit with a status that reflects how the guest stopped.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReadStream } from 'node:tty';
import { PC, MIN_MEM_SIZE, MAX_MEM_SIZE, type RunResult } from '../platform/pc.ts';
import { loadMultiboot, LoaderError } from '../loaders/multiboot.ts';
import { fetchedKernelPath, isLinuxImage, LinuxGuestError, LINUX_KEYWORD, LINUX_SERIAL_SPEEDUP, prepareLinux, type LinuxGuest } from './linux-guest.ts';
import { Tracer } from './trace.ts';
import { EscapeDecoder, ESCAPE_HELP, RawTerminal, readAll, type EscapeCommand } from './terminal.ts';

/** The bundled demo OS, booted when no image is named. */
export const DEFAULT_IMAGE = join(import.meta.dirname, '../../guests/images/demo-os.elf');

/** Exit statuses of `trapeze run` (a debug-exit status is always odd). */
export const EXIT = {
  /** The guest powered off (HLT with interrupts off: Linux's `poweroff -f`), or the user quit. */
  OK: 0,
  /** Bad options or unreadable / unloadable files. */
  USAGE: 2,
  /** Triple fault: the processor shut down. */
  TRIPLE_FAULT: 4,
  /** The guest waits for input and standard input has ended. */
  NO_INPUT: 5,
  /**
   * The guest asked for a reset (Linux's `reboot -f`: i8042 command 0xFE; port 0x92; the i8042 output
   * port): the run stops there, as QEMU's -no-reboot, with a status of its own so that a script can tell
   * a reboot from a power-off.
   */
  RESET: 6,
  /** Internal emulator error. */
  INTERNAL: 70,
  /** --max-insns reached (as timeout(1) does). */
  LIMIT: 124,
} as const;

export interface RunOptions {
  mem?: string;
  append?: string;
  module?: string[];
  maxInsns?: string;
  stats?: boolean;
  wallClock?: boolean;
  /** false (--no-jit): interpret only, no block translation. */
  jit?: boolean;
  /** true: trace every instruction; a string: how many to trace. */
  trace?: boolean | string;
  /** Linux guests: an initrd file (default for `linux`: the initramfs built from guests/linux). */
  initrd?: string;
  /** Linux guests: 'bzimage' (the kernel's own decompressor) or 'vmlinux' (the extracted ELF, fast). */
  boot?: string;
}

export const RUN_HELP_EPILOG = `
Images: a Multiboot kernel (ELF or a.out kludge), a Linux bzImage (32-bit boot protocol; --append is its
whole command line, --initrd its initrd), or the word "linux": Debian's i386 kernel and busybox fetched by
\`npm run fetch:linux\`, with an initramfs built from guests/linux/ (an interactive shell; --append
trapeze.mode=script runs guests/linux/session.sh) and a fast command line that --append adds to. In the
guest, \`poweroff -f\` ends the run with status 0 (the kernel halts with interrupts off) and \`reboot -f\`
with status 6 (keyboard-controller reset: the run stops, no reboot).

Console: the guest's COM1 is this terminal (raw mode: C-a x quits, C-a h lists the other keys), or
standard input when it is a pipe or a file (read to its end before the guest starts). A Linux guest's
COM1 holds input until the kernel's serial driver takes it, so nothing typed or piped early is lost;
piped input goes a line at a time, each once the guest idles with its output quiet for 50 ms (as a
typist waits for the prompt), and is followed by the tty's end-of-file character, Ctrl-D: the shell exits
when it has read it all, and the initramfs's /init then powers off.
Bytes written to the debug console port 0xE9 also go to standard output.

Exit status:
  odd N  the guest wrote to isa-debug-exit (port 0xF4): N = (value << 1) | 1, modulo 256
  0      the guest powered off (HLT with interrupts disabled), or you quit (C-a x)
  2      bad options, or the image or a module could not be read or loaded
  4      triple fault (the processor shut down)
  5      the guest waits for input and standard input has ended
  6      the guest requested a reset (e.g. Linux's reboot -f): stopped, no reboot
  124    --max-insns reached
`;

class UsageError extends Error {}

/** How a run ends: the machine's stop, or one decided here. */
type Outcome = RunResult | { reason: 'quit' | 'max-insns' | 'no-input' | 'output-closed'; detail?: undefined; exitStatus?: undefined };

/** Parse a memory size: a number with an optional K, M or G suffix (binary units); no suffix = MiB. */
export function parseMemSize(text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*$/.exec(text);
  if (!m) throw new UsageError(`--mem: cannot understand "${text}": give a size such as 128M or 1G`);
  const n = Number(m[1]);
  const unit = { '': 1 << 20, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = n * unit;
  if (bytes % 4096 !== 0) throw new UsageError(`--mem: ${text} is not a multiple of 4 KiB`);
  if (bytes < MIN_MEM_SIZE || bytes > MAX_MEM_SIZE) throw new UsageError(`--mem: ${text} is out of range: give 2M to 3G`);
  return bytes;
}

/** Parse an instruction count: an integer with an optional k, M or G suffix (decimal), or 1e9 notation. */
export function parseCount(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)(?:e(\d+))?\s*([kKmMgG]?)\s*$/.exec(text);
  const mult = m ? { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[3].toLowerCase() as '' | 'k' | 'm' | 'g'] : 0;
  const n = m ? Number(m[1]) * 10 ** Number(m[2] ?? 0) * mult : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what}: cannot understand "${text}": give a positive whole number such as 5000000 or 5M`);
  return n;
}

function readInputFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Collects guest output bytes and writes them to stdout in chunks. */
class OutputBuffer {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  /** The reader went away (EPIPE): output is dropped and the run ends. */
  closed = false;
  /** The last byte the guest wrote (-1: none). */
  last = -1;
  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.on('error', () => { this.closed = true; this.stream.emit('drain'); });
  }
  push = (b: number): void => {
    if (this.len === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.len++] = b;
    this.last = b;
  };
  /** Write what is buffered; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.len === 0) return;
    const chunk = this.buf.slice(0, this.len);
    this.len = 0;
    if (this.closed) return;
    if (!this.stream.write(chunk)) await new Promise<void>((res) => this.stream.once('drain', res));
  }
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
const yieldToHost = () => new Promise<void>((res) => setImmediate(res));

/** Instructions per pc.run() call, and host time between yields to the event loop. */
const SLICE_INSNS = 1 << 21;
const SLICE_HOST_MS = 25;
/** Virtual time per pc.run() call when the machine runs freely (bounds idle skipping between yields). */
const SLICE_VIRTUAL_NS = 50_000_000;

function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export async function runCommand(image: string | undefined, opts: RunOptions): Promise<number> {
  const stderr = process.stderr;
  let memSize: number, maxInsns: number, traceLeft = 0;
  let imageBytes: Uint8Array;
  const modules: { name: string; data: Uint8Array }[] = [];
  const imagePath = image === LINUX_KEYWORD ? '' : image ?? DEFAULT_IMAGE;
  let linux: LinuxGuest | null = null;
  try {
    memSize = opts.mem !== undefined ? parseMemSize(opts.mem) : 128 << 20;
    maxInsns = opts.maxInsns !== undefined ? parseCount(opts.maxInsns, '--max-insns') : Infinity;
    traceLeft = opts.trace === undefined || opts.trace === false ? 0 : opts.trace === true ? Infinity : parseCount(opts.trace, '--trace');
    for (const spec of opts.module ?? []) {
      const comma = spec.indexOf(',');
      const file = comma < 0 ? spec : spec.slice(0, comma);
      const args = comma < 0 ? '' : spec.slice(comma + 1);
      if (!file) throw new UsageError(`--module: no file name in "${spec}"`);
      modules.push({ name: args ? `${file} ${args}` : file, data: readInputFile(file, 'module') });
    }
    const kernelPath = image === LINUX_KEYWORD ? fetchedKernelPath() : imagePath;
    imageBytes = readInputFile(kernelPath, image === undefined ? 'the bundled demo OS image' : image === LINUX_KEYWORD ? 'the fetched kernel' : 'image');
    if (opts.boot !== undefined && opts.boot !== 'bzimage' && opts.boot !== 'vmlinux') throw new UsageError(`--boot: "${opts.boot}" is not a boot path: give bzimage or vmlinux`);
    if (isLinuxImage(image, imageBytes)) {
      const initrd = opts.initrd !== undefined ? readInputFile(opts.initrd, 'initrd') : undefined;
      linux = await prepareLinux(image === LINUX_KEYWORD, kernelPath, imageBytes, { append: opts.append, initrd, boot: opts.boot as 'bzimage' | 'vmlinux' | undefined });
    } else if (opts.initrd !== undefined || opts.boot !== undefined) {
      throw new UsageError(`--initrd and --boot are for Linux kernels; ${imagePath} is not a bzImage`);
    }
  } catch (e) {
    if (e instanceof LinuxGuestError) { stderr.write(`trapeze run: ${e.message}\n`); return EXIT.USAGE; }
    if (e instanceof LoaderError) { stderr.write(`trapeze run: ${image}: ${e.message}\n`); return EXIT.USAGE; }
    if (e instanceof UsageError) {
      stderr.write(`trapeze run: ${e.message}\n`);
      if (image === undefined && imagePath === DEFAULT_IMAGE && /demo OS/.test(e.message)) {
        stderr.write('trapeze run: build the guests (see guests/README.md) or name an image\n');
      }
      return EXIT.USAGE;
    }
    throw e;
  }

  const stdout = new OutputBuffer(process.stdout);
  const hostClock = opts.wallClock ? () => Math.round(performance.now() * 1e6) : undefined;
  // Wall-clock mode also starts the RTC at the host's date; otherwise at a fixed date (determinism).
  const rtcStartTime = opts.wallClock ? Math.floor(Date.now() / 1000) : undefined;
  const pc = new PC({ memSize, serialOut: stdout.push, hostClock, rtcStartTime, serialLineSpeedup: linux ? LINUX_SERIAL_SPEEDUP : undefined,
    // Linux resets COM1's FIFOs and probes it in loopback before its tty opens: hold input until it is ready;
    // piped input goes a line at a time once the guest idles, quiet, so its tty does not echo lines ahead.
    serialHoldInput: linux !== null, serialPaceLines: linux !== null && process.stdin.isTTY !== true });
  if (opts.jit === false) pc.cpu.jit = false;
  try {
    if (linux) linux.load(pc);
    else loadMultiboot(pc.mem, pc.cpu, imageBytes, { cmdline: opts.append ?? '', modules, memSize });
  } catch (e) {
    if (e instanceof LoaderError) {
      stderr.write(`trapeze run: ${image === undefined ? basename(imagePath) : image}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }

  // The console's input side.
  const stdin = process.stdin as NodeJS.ReadStream & Partial<ReadStream>;
  const interactive = stdin.isTTY === true;
  const commands: EscapeCommand[] = [];
  let wakeInput: (() => void) | null = null;
  const raw = interactive ? new RawTerminal(stdin as ReadStream) : null;
  const decoder = new EscapeDecoder();
  const onData = (chunk: Buffer) => {
    const { data, commands: cmds } = decoder.feed(chunk);
    if (data.length) pc.sendSerial(data);
    commands.push(...cmds);
    wakeInput?.();
  };
  if (interactive) {
    raw!.enter();
    stdin.on('data', onData);
    stdin.resume();
  } else {
    try {
      pc.sendSerial(await readAll(stdin));
      // A Linux console is a tty: its end-of-file character (Ctrl-D) after the input ends the shell once it
      // has read everything, as end of file ends `sh < script`; the initramfs's /init then powers off.
      if (linux) pc.sendSerial([0x04]);
    } catch {
      // no usable standard input: the guest gets none
    }
  }

  const tracer = traceLeft > 0 ? await Tracer.create(pc.cpu) : null;
  tracer?.attach();
  const traceLines: string[] = [];
  const hostStart = performance.now();
  let result = null as Outcome | null;
  try {
    while (!result) {
      const sliceStart = performance.now();
      // Run for a while, then let the event loop deliver input and write output.
      while (!result && performance.now() - sliceStart < SLICE_HOST_MS) {
        const budget = Math.min(SLICE_INSNS, maxInsns - pc.cpu.icount);
        if (budget <= 0) { result = { reason: 'max-insns' }; break; }
        // Interactive and deterministic: never let an idle guest's virtual time run ahead of the
        // host's (as QEMU's -icount sleep=on); otherwise run freely in bounded virtual slices.
        const hostElapsedNs = (performance.now() - hostStart) * 1e6;
        const until = interactive && !opts.wallClock ? Math.max(pc.now() + 1, hostElapsedNs) : pc.now() + SLICE_VIRTUAL_NS;
        let r: RunResult;
        if (tracer && traceLeft > 0) {
          // One instruction at a time, its line printed before it runs; interrupts and exceptions are
          // noted after the instruction they followed. (A halted CPU prints nothing until it wakes, and
          // the first instruction of the handler that wakes it runs in the same step, unprinted.)
          if (!pc.cpu.halted) { traceLines.push(tracer.line()); traceLeft--; }
          r = pc.run(1, until);
          traceLines.push(...tracer.takeEvents());
          if (traceLeft === 0) tracer.detach();
          if (traceLines.length >= 256) { stderr.write(traceLines.join('\n') + '\n'); traceLines.length = 0; }
        } else {
          r = pc.run(budget, until);
        }
        if (r.reason === 'limit' || r.reason === 'time') {
          if (r.reason === 'time' && interactive && !opts.wallClock && pc.now() >= hostElapsedNs) {
            const ahead = Math.min(pc.scheduler.nextEventTime(), pc.now() + 20e6) - hostElapsedNs;
            await stdout.flush();
            await sleep(Math.max(1, Math.min(20, ahead / 1e6)));
            break;
          }
          continue;
        }
        if (r.reason === 'wait') {
          await stdout.flush();
          await sleep(Math.max(0, Math.min(20, (r.waitNs ?? 0) / 1e6)));
          break;
        }
        if (r.reason === 'idle') {
          if (!interactive) { result = { reason: 'no-input' }; break; }
          // Nothing scheduled: wait for a key.
          await stdout.flush();
          await new Promise<void>((res) => { wakeInput = res; });
          wakeInput = null;
          break;
        }
        result = r;
      }
      await stdout.flush();
      if (traceLines.length) { stderr.write(traceLines.join('\n') + '\n'); traceLines.length = 0; }
      if (stdout.closed) result ??= { reason: 'output-closed' };
      for (const c of commands.splice(0)) {
        if (c === 'quit') result ??= { reason: 'quit' };
        else if (c === 'help') stderr.write(`\r\n${ESCAPE_HELP}`);
        else if (c === 'stats') stderr.write(`\r\n${formatStats(pc, performance.now() - hostStart).replace(/\n/g, '\r\n')}`);
      }
      if (!result) await yieldToHost();
    }
  } catch (e) {
    raw?.restore();
    await stdout.flush();
    const where = `${pc.cpu.segSel[1].toString(16).padStart(4, '0')}:${(pc.cpu.eip >>> 0).toString(16).padStart(8, '0')}`;
    stderr.write(`trapeze run: internal emulator error at ${where} after ${pc.cpu.icount} instructions: ${(e as Error).stack ?? e}\n`);
    return EXIT.INTERNAL;
  } finally {
    raw?.restore();
    if (interactive) { stdin.off('data', onData); stdin.pause(); }
  }
  const hostMs = performance.now() - hostStart;
  pc.uart.drainTransmitter(); // bytes still on the line when the run ends reach the terminal
  await stdout.flush();

  let code: number;
  let message: string;
  const cpu = pc.cpu;
  const at = `${cpu.segSel[1].toString(16).padStart(4, '0')}:${(cpu.eip >>> 0).toString(16).padStart(8, '0')}`;
  switch (result.reason) {
    case 'exit':
      code = (result.exitStatus ?? 1) & 0xFF;
      message = `guest exited through isa-debug-exit: status ${code}`;
      break;
    case 'halted':
      code = EXIT.OK;
      message = result.detail ? `guest halted with ${result.detail} (powered off)` : 'guest halted with interrupts disabled (powered off)';
      break;
    case 'reset':
      code = EXIT.RESET;
      message = `guest requested a reset through the ${result.detail ?? 'reset line'}: stopped (no reboot)`;
      break;
    case 'shutdown':
      code = EXIT.TRIPLE_FAULT;
      message = `triple fault: the processor shut down at ${at}`;
      break;
    case 'max-insns':
      code = EXIT.LIMIT;
      message = `stopped after ${fmtInt(cpu.icount)} instructions (--max-insns) at ${at}`;
      break;
    case 'no-input':
      code = EXIT.NO_INPUT;
      message = 'the guest waits for input and standard input has ended';
      break;
    case 'quit':
      code = EXIT.OK;
      message = 'quit (C-a x)';
      break;
    case 'output-closed': // like a process killed by SIGPIPE, quietly
      if (opts.stats) stderr.write(formatStats(pc, hostMs));
      return EXIT.OK;
    default:
      code = EXIT.INTERNAL;
      message = `stopped: ${result.reason}`;
  }
  // On a shared terminal, start the message on a line of its own.
  const sameScreen = interactive || (process.stdout.isTTY && stderr.isTTY);
  const lineStart = stdout.last === -1 || stdout.last === 0x0A ? '' : interactive ? '\r\n' : '\n';
  stderr.write(`${sameScreen ? lineStart : ''}trapeze: ${message}\n`);
  if (opts.stats) stderr.write(formatStats(pc, hostMs));
  return code;
}

export function formatStats(pc: PC, hostMs: number): string {
  const s = pc.stats();
  const mips = hostMs > 0 ? s.instructions / (hostMs * 1000) : 0;
  return [
    `instructions      ${fmtInt(s.instructions)}`,
    `host time         ${(hostMs / 1000).toFixed(3)} s (${mips.toFixed(1)} MIPS)`,
    `virtual time      ${(s.virtualNs / 1e9).toFixed(6)} s (idle ${(s.idleNs / 1e9).toFixed(6)} s)`,
    `interrupts        ${fmtInt(s.interrupts)} delivered (${fmtInt(s.spuriousInterrupts)} spurious)`,
    `serial            ${fmtInt(pc.uart.bytesTransmitted)} bytes out, ${fmtInt(pc.uart.bytesReceived)} bytes in`,
    '',
  ].join('\n');
}
