// Command-line options of `npm run bench`.

import { WORKLOADS, WORKLOAD_NAMES, type WorkloadName } from './workloads.ts';

export const ENGINES = ['trapeze-interp', 'trapeze-jit', 'v86-jit', 'v86-interp', 'qemu-tcg'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Short names accepted by --engines. */
const ENGINE_ALIASES: Record<string, readonly EngineName[]> = {
  trapeze: ['trapeze-interp', 'trapeze-jit'],
  v86: ['v86-jit'],
  qemu: ['qemu-tcg'],
};

export interface BenchOptions {
  reps: number;
  workloads: WorkloadName[];
  engines: EngineName[];
  quick: boolean;
  /** Loop workloads: instructions in the window (default: each workload's own, or its quick size with --quick). */
  insns?: number;
  /** Where the JSON goes: a file, '-' for standard output, or undefined for bench/results/<timestamp>.json. */
  json?: string;
  /** Where Debian's bzImage and busybox are (default .cache/linux). */
  linuxDir?: string;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [options]

Runs each workload on trapeze (interpreter alone, and with the block translator) and on its peers (v86 with
its JIT, v86's interpreter alone, QEMU TCG), one after the other in the same run, and prints one table:
workload, engine, wall time, guest instructions, MIPS (min / median / max over the repetitions), speed as a
multiple of v86's JIT and of v86's interpreter, peak RSS of the engine's process. The same goes to a JSON
file (bench/results/<date>.json unless --json says where).

workloads: tight, mixed, memory (Multiboot loop guests, exact instruction counts), sieve (the demo OS's
sieve typed at its shell), linux (Debian's kernel to the initramfs marker; needs npm run fetch:linux)

options:
  --reps N          repetitions of every run (default 3; 1 with --quick)
  --only LIST       workloads to run, comma-separated: ${WORKLOAD_NAMES.join(', ')}
                    (default: all; with --quick all but linux)
  --engines LIST    engines to run, comma-separated: ${ENGINES.join(', ')}
                    (also: trapeze = both trapeze engines, v86 = v86-jit, qemu = qemu-tcg; default: all)
  --insns N         instructions in the loop workloads' window (e.g. 2G; default 200M, 220M mixed)
  --quick           seconds, not minutes: 1 repetition, ~20M-instruction loops, sieve 2000000, no linux
                    (--reps, --insns and --only still apply)
  --json PATH       write the JSON there ('-': on standard output, the table then goes to standard error)
  --linux-dir DIR   Debian's bzImage and busybox (default: .cache/linux, filled by npm run fetch:linux)
  -h, --help        this text

exit status: 0 done; 1 a trapeze run failed, its instruction count changed between repetitions or between
its engines, or a checksum differed between engines; 2 bad options. A peer that is not installed, or that
fails, is reported and does not change the status.`;

/** Parse a count: digits with an optional k/M/G suffix (decimal), or 2e9 notation. */
export function parseCount(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)(?:e(\d+))?\s*([kKmMgG]?)\s*$/.exec(text);
  const mult = m ? { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[3].toLowerCase() as '' | 'k' | 'm' | 'g'] : 0;
  const n = m ? Math.round(Number(m[1]) * 10 ** Number(m[2] ?? 0) * mult) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what}: cannot understand "${text}": give a positive whole number such as 3, 200M or 2e9`);
  return n;
}

function parseList(text: string, what: string, expand: (item: string) => readonly string[] | undefined, allowed: readonly string[]): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${what}: empty list`);
  const out: string[] = [];
  for (const item of items) {
    const names = expand(item);
    if (!names) throw new UsageError(`${what}: unknown "${item}": choose from ${allowed.join(', ')}`);
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = { reps: 3, workloads: [], engines: [...ENGINES], quick: false, help: false };
  let reps: number | undefined;
  let only: WorkloadName[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const needValue = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    const noValue = () => { if (value !== undefined) throw new UsageError(`${arg} takes no value`); };
    switch (arg) {
      case '--reps':
        reps = parseCount(needValue(), '--reps');
        if (reps > 1000) throw new UsageError('--reps: at most 1000');
        break;
      case '--only':
        only = parseList(needValue(), '--only', (s) => ((WORKLOAD_NAMES as readonly string[]).includes(s) ? [s] : undefined), WORKLOAD_NAMES) as WorkloadName[];
        break;
      case '--engines': {
        const list = parseList(needValue(), '--engines', (s) => ENGINE_ALIASES[s] ?? ((ENGINES as readonly string[]).includes(s) ? [s] : undefined),
          [...ENGINES, ...Object.keys(ENGINE_ALIASES)]);
        opts.engines = ENGINES.filter((e) => list.includes(e));
        break;
      }
      case '--insns': opts.insns = parseCount(needValue(), '--insns'); break;
      case '--quick': noValue(); opts.quick = true; break;
      case '--json': {
        const v = needValue();
        if (v === '') throw new UsageError('--json needs a path (or - for standard output)');
        opts.json = v;
        break;
      }
      case '--linux-dir': opts.linuxDir = needValue(); break;
      case '-h': case '--help': noValue(); opts.help = true; break;
      default:
        throw new UsageError(`unknown option "${argv[i]}" (--help lists them)`);
    }
  }
  opts.reps = reps ?? (opts.quick ? 1 : 3);
  // The table's order whatever order --only gave; --quick leaves out the slow workloads unless named.
  const chosen = only ?? WORKLOADS.filter((w) => !(opts.quick && w.slow)).map((w) => w.name);
  opts.workloads = WORKLOAD_NAMES.filter((n) => chosen.includes(n));
  return opts;
}
