// One benchmark run of v86, in a process of its own:  node --import tsx bench/engines/v86-child.ts SPEC
// SPEC is a RunSpec as JSON (disableJit: v86's interpreter alone). Options as in ../shared/notes/peers.md:
// Debian's SeaBIOS (v86's npm package ships no BIOS), 128 MiB, 8 MiB VGA memory, the package's wasm; a
// Multiboot image (v86 boots it from an option ROM after SeaBIOS), or a Linux bzImage + initrd + cmdline.
//
// Port 0xF4 and 0xE9: v86's multiboot support already claims port 0xF4 (it logs and throws "HALT"); both
// handlers are replaced once the emulator is loaded, so that the markers and the exit are timed here.
// v86's instruction counter is 32 bits and wraps (a Linux boot retires ~2.6 G instructions, a 2 G loop
// wraps it): it is sampled every 5 ms (at most ~15 M instructions apart) and the differences accumulated
// modulo 2^32. It is also updated in batches (by the main loop, ~100k instructions), so counts read at the
// markers are approximate.
// A 'boot' window ends at the marker line: from this process's start (performance.now() counts from it)
// to the end of that line; the emulator is then stopped (the guest would power off into `cli; hlt`).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WrappingCounter } from './wrapping-counter.ts';
import { LineWatcher, MARK_END, MARK_START, RESULT_PREFIX, secs, type RunResult, type RunSpec } from './protocol.ts';

export const SEABIOS = '/usr/share/seabios/bios.bin';
export const VGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';

interface V86IoBus {
  register_write(port: number, device: object, w8: (v: number) => void, w16?: (v: number) => void, w32?: (v: number) => void): void;
}
interface V86Internals { v86?: { cpu: { io: V86IoBus } } }

function arrayBufferOf(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

async function run(spec: RunSpec): Promise<RunResult> {
  const { V86 } = await import('v86');
  const wasmPath = join(dirname(createRequire(import.meta.url).resolve('v86')), 'v86.wasm');
  const bios = arrayBufferOf(SEABIOS);
  const vgaBios = arrayBufferOf(VGABIOS);
  const guest = spec.linux
    ? { bzimage: { buffer: arrayBufferOf(spec.linux.bzImage) }, initrd: { buffer: arrayBufferOf(spec.linux.initrd) }, cmdline: spec.linux.cmdline }
    : { multiboot: { buffer: arrayBufferOf(spec.image!) }, cmdline: spec.cmdline ?? '' };

  return new Promise<RunResult>((resolve) => {
    const serial: number[] = [];
    let tStart = NaN, tEnd = NaN, iStart = NaN, iEnd = NaN;
    const t0 = performance.now();
    const emulator = new V86({
      wasm_path: wasmPath,
      bios: { buffer: bios },
      vga_bios: { buffer: vgaBios },
      ...guest,
      memory_size: spec.memSize,
      vga_memory_size: 8 << 20,
      autostart: true,
      disable_jit: spec.disableJit === true,
      log_level: 0,
    } as ConstructorParameters<typeof V86>[0]);
    const counter = new WrappingCounter(() => emulator.get_instruction_counter());
    const count = () => counter.get();
    const sampler = setInterval(count, 5);
    let finished = false;
    const finish = (error?: string, exitValue?: number) => {
      if (finished) return;
      finished = true;
      const t1 = performance.now();
      const insns = count();
      clearInterval(sampler);
      if (!error && (Number.isNaN(tStart) || Number.isNaN(tEnd))) error = 'the measured window was not seen (no markers / no completion line)';
      const ok = !error;
      void emulator.stop();
      const boot = spec.window === 'boot';
      resolve({
        ok,
        error,
        stop: boot ? 'stopped at the marker' : exitValue === undefined ? 'not stopped' : `isa-debug-exit, value ${exitValue}`,
        exitValue,
        serial: Buffer.from(serial).toString('latin1'),
        totalSec: boot ? secs(0, t1) : secs(t0, t1),
        windowSec: ok ? secs(tStart, tEnd) : undefined,
        windowInsns: ok ? iEnd - iStart : undefined,
        totalInsns: insns,
        insnsExact: false,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
      });
    };
    const typed = spec.typed;
    const doneRe = new RegExp(typed?.done ?? spec.linux?.marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') ?? '$^');
    let typeState: 'wait-prompt' | 'running' | 'done' = 'wait-prompt';
    const watcher = new LineWatcher((line) => {
      if (spec.window === 'boot' && doneRe.test(line)) {
        tStart = 0; iStart = 0; tEnd = performance.now(); iEnd = count();
        finish();
      } else if (typed && typeState === 'running' && doneRe.test(line)) {
        tEnd = performance.now(); iEnd = count();
        typeState = 'done';
        emulator.serial0_send(typed.after);
      }
    });
    emulator.add_listener('serial0-output-byte', (b: number) => {
      serial.push(b);
      watcher.push(b);
      if (typed && typeState === 'wait-prompt' && watcher.tail.endsWith(typed.prompt)) {
        typeState = 'running';
        tStart = performance.now(); iStart = count();
        emulator.serial0_send(typed.command);
      }
    });
    emulator.add_listener('emulator-loaded', () => {
      const io = (emulator as unknown as V86Internals).v86?.cpu.io;
      if (!io) { finish('v86 internals changed: cannot reach its I/O bus to hook ports 0xE9 and 0xF4'); return; }
      const device = { name: 'bench' };
      io.register_write(0xE9, device, (v) => {
        if (spec.window !== 'markers') return;
        if (v === MARK_START && Number.isNaN(tStart)) { tStart = performance.now(); iStart = count(); }
        else if (v === MARK_END && Number.isNaN(tEnd)) { tEnd = performance.now(); iEnd = count(); }
      });
      io.register_write(0xF4, device, (v) => finish(undefined, v & 0xFF), (v) => finish(undefined, v & 0xFFFF), (v) => finish(undefined, v >>> 0));
    });
  });
}

const spec = JSON.parse(process.argv[2] ?? '') as RunSpec;
const result = await run(spec);
process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n', () => process.exit(0));
