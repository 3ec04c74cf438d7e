// The `trapeze` command line. Each subcommand lives in its own file; this one wires them to commander.

import { Command, CommanderError } from 'commander';
import { execCommand } from './exec-command.ts';

export async function main(argv: string[]): Promise<number> {
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

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
