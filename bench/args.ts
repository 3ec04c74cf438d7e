// Command-line options of `npm run bench`.

import { WORKLOADS, type WorkloadName } from './workloads.ts';

export const ENGINES = ['trapeze', 'v86-jit', 'v86-interp', 'qemu-tcg'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface BenchOptions {
  reps: number;
  workloads: WorkloadName[];
  engines: EngineName[];
  json: boolean;
  quick: boolean;
  /** Loop workloads: instructions in the window (default: each workload's own, or QUICK_INSNS with --quick). */
  insns?: number;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [options]

Runs each workload on trapeze and on its peers (v86 with its JIT, v86's interpreter alone, QEMU TCG), one
after the other in the same run, and prints per workload: instructions, host seconds and MIPS (min / median
/ max over the repetitions) and trapeze's speed as a multiple of each peer's.

options:
  --reps N          repetitions of every run (default 3)
  --only LIST       workloads to run, comma-separated: ${WORKLOADS.map((w) => w.name).join(', ')} (default: all)
  --engines LIST    engines to run, comma-separated: ${ENGINES.join(', ')} (default: all;
                    trapeze is always run, as the others are compared with it)
  --insns N         instructions in the loop workloads' measured window (e.g. 2G; default 200M tight, 220M mixed)
  --quick           a short sanity run: 1 repetition, ${'20M'}-instruction loops (--reps and --insns still apply)
  --json            print the results as JSON on standard output (progress still goes to standard error)
  -h, --help        this text

exit status: 0 done; 1 a trapeze run failed, its instruction count changed between repetitions, or a
checksum differed between engines; 2 bad options. A peer that is not installed, or that fails, is reported
and does not change the status.`;

/** Parse a count: digits with an optional k/M/G suffix (decimal), or 2e9 notation. */
export function parseCount(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)(?:e(\d+))?\s*([kKmMgG]?)\s*$/.exec(text);
  const mult = m ? { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[3].toLowerCase() as '' | 'k' | 'm' | 'g'] : 0;
  const n = m ? Math.round(Number(m[1]) * 10 ** Number(m[2] ?? 0) * mult) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what}: cannot understand "${text}": give a positive whole number such as 3, 200M or 2e9`);
  return n;
}

function parseList<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${what}: empty list`);
  const out: T[] = [];
  for (const item of items) {
    const alias = item === 'qemu' ? 'qemu-tcg' : item === 'v86' ? 'v86-jit' : item;
    if (!(allowed as readonly string[]).includes(alias)) throw new UsageError(`${what}: unknown "${item}": choose from ${allowed.join(', ')}`);
    if (!out.includes(alias as T)) out.push(alias as T);
  }
  return out;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = { reps: 3, workloads: WORKLOADS.map((w) => w.name), engines: [...ENGINES], json: false, quick: false, help: false };
  let reps: number | undefined;
  const names = WORKLOADS.map((w) => w.name);
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
      case '--only': opts.workloads = parseList(needValue(), names, '--only'); break;
      case '--engines': {
        const list = parseList(needValue(), ENGINES, '--engines');
        opts.engines = ENGINES.filter((e) => e === 'trapeze' || list.includes(e));
        break;
      }
      case '--insns': opts.insns = parseCount(needValue(), '--insns'); break;
      case '--quick': noValue(); opts.quick = true; break;
      case '--json': noValue(); opts.json = true; break;
      case '-h': case '--help': noValue(); opts.help = true; break;
      default:
        throw new UsageError(`unknown option "${argv[i]}" (--help lists them)`);
    }
  }
  opts.reps = reps ?? (opts.quick ? 1 : 3);
  // Keep the table's order whatever order --only gave.
  opts.workloads = names.filter((n) => opts.workloads.includes(n));
  return opts;
}
