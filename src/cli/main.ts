// The `trapeze` command line. Each subcommand lives in its own file; this one wires them to commander.

import { Command, CommanderError } from 'commander';
import { execCommand } from './exec-command.ts';
import { addInitramfsCommand } from './initramfs-command.ts';
import { runCommand, RUN_HELP_EPILOG, type RunOptions } from './run-command.ts';
import { tuneHost } from './host-tuning.ts';

export async function main(argv: string[]): Promise<number> {
  tuneHost();
  let code = 0;
  const program = new Command();
  program
    .name('trapeze')
    .description('An x86 virtualization platform: an emulated IA-32 PC with VMX, and a hypervisor on it')
    .exitOverride()
    .showHelpAfterError('(run "trapeze --help" for the commands)');

  program
    .command('exec')
    .description('run x86-oracle test cases (JSON Lines, file or stdin) and print results in the oracle format')
    .argument('[cases]', 'JSON Lines file of cases (default: standard input)')
    .option('--max-insns <n>', 'instructions a case may run before it is reported as a timeout')
    .action((file: string | undefined, opts: { maxInsns?: string }) => { code = execCommand(file, opts); });

  program
    .command('run')
    .description('boot a guest on the emulated PC (default: the bundled demo OS; "linux": the fetched Debian guest), console on this terminal')
    .argument('[image]', 'Multiboot kernel (ELF or a.out kludge), Linux bzImage, or "linux"; default: the demo OS')
    .option('--mem <size>', 'RAM size, e.g. 128M or 1G (no suffix: MiB)', '128M')
    .option('--append <cmdline>', 'kernel command line (for "linux": added to its default one)')
    .option('--initrd <file>', 'Linux: initial ramdisk (for "linux": default the initramfs built from guests/linux)')
    .option('--boot <path>', 'Linux: bzimage (run the kernel\'s own decompressor) or vmlinux (load the extracted ELF; default for "linux")')
    .option('--module <file[,cmdline]>', 'Multiboot module, with an optional command line after a comma (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--max-insns <n>', 'stop after this many instructions (e.g. 500M); exit status 124')
    .option('--stats', 'print instructions, MIPS, interrupts and times when the guest stops (to stderr)')
    .option('--wall-clock', 'let guest time follow the host clock and the RTC start at the host date (not deterministic)')
    .option('--no-jit', 'interpret only: do not translate hot code into JavaScript functions')
    .option('--trace [n]', 'print each instruction (address, bytes, disassembly) before it runs, to stderr; the first n only if given')
    .addHelpText('after', RUN_HELP_EPILOG)
    .action(async (image: string | undefined, opts: RunOptions) => { code = await runCommand(image, opts); });

  addInitramfsCommand(program, (c) => { code = c; });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
