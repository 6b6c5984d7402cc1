/**
 * The command line: commander wiring only. Every command lazy-loads its module, so `aibgen
 * checksum` never pays for Handlebars or the bundler. Errors become messages and exit codes in
 * `run()` below and nowhere else. src/cli.ts, the entry, loads this only when it has to.
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { createRequire } from 'node:module';
import { AibgenError, describeFsError, isNodeError, OptionError, TooLargeError } from '../errors.js';
import { processOutput, type Output } from './output.js';
import { buildDefinition } from './commands/build.js';
import { publishDefinition } from './commands/publish.js';
import { initDefinition } from './commands/init.js';
import { importDefinition } from './commands/import.js';
import { testDefinition } from './commands/test.js';
import { doctorDefinition } from './commands/doctor.js';
import { validateDefinition } from './commands/validate.js';
import { lintDefinition } from './commands/lint.js';
import { fillDefinition } from './commands/fill.js';
import { renderDefinition } from './commands/render.js';
import { deprovisionDefinition } from './commands/deprovision.js';
import { bundleDefinition } from './commands/bundle.js';
import { checksumDefinition } from './commands/checksum.js';

const io: Output = processOutput();

/** The exit code of the command that ran; set by each action, read by run(). */
interface Outcome {
  code: number;
}

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export function buildProgram(outcome: Outcome = { code: 0 }): Command {
  /** Runs a command's handler inside parseAsync; its errors propagate to run(), which reports them. */
  const action = async (handler: () => Promise<number>): Promise<void> => {
    outcome.code = await handler();
  };
  const program = new Command('aibgen')
    .description('Render, checksum, bundle, validate, lint and publish Azure VM Image Builder templates from sources.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`aibgen: ${s.replace(/^error: /, '')}`),
    });
  /** A command joins the program with its settings (output, exit override, help after errors). */
  const add = (command: Command<unknown[], Record<string, unknown>>) => program.addCommand(command.copyInheritedSettings(program));

  add(buildDefinition().action((dir, options) => action(async () => (await import('./build.js')).buildCommand(dir, options, io))));
  add(publishDefinition().action((dir, options) => action(async () => (await import('./publish.js')).publishCommand(dir, options, io))));
  add(initDefinition().action((dir, options) => action(async () => (await import('./build.js')).initCommand(dir, options, io))));
  add(importDefinition().action((template, dir, options) => action(async () => (await import('./import.js')).importCommand(template, dir, options, io))));
  add(testDefinition().action((dir, options) => action(async () => (await import('./test.js')).testCommand(dir, options, io))));
  add(doctorDefinition().action((options) => action(async () => (await import('./doctor.js')).doctorCommand(options, io))));
  add(validateDefinition().action((files, options) => action(async () => (await import('./validate.js')).validateCommand(files, options, io))));
  add(lintDefinition().action((paths, options) => action(async () => (await import('./lint.js')).lintCommand(paths, options, io))));
  add(fillDefinition().action((files, options) => action(async () => (await import('./fill.js')).fillCommand(files, options, io))));
  add(renderDefinition().action((template, options) => action(async () => (await import('./render.js')).renderCommand(template, options, io))));
  add(deprovisionDefinition().action((options) => action(async () => (await import('./deprovision.js')).deprovisionCommand(options, io))));
  add(bundleDefinition().action((dir, options) => action(async () => (await import('./bundle.js')).bundleCommand(dir, options, io))));
  add(checksumDefinition().action((files, options) => action(async () => (await import('./checksum.js')).checksumCommand(files, options, io))));

  return program;
}

export async function run(argv: readonly string[]): Promise<number> {
  const outcome: Outcome = { code: 0 };
  try {
    await buildProgram(outcome).parseAsync([...argv], { from: 'user' });
    return outcome.code;
  } catch (error) {
    return report(error);
  }
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    return 2;
  }
  if (error instanceof AibgenError) {
    // Library errors name options as the API does; here they are the command's flags.
    const message = error instanceof OptionError ? `--${kebab(error.option)} ${error.problem}` : error.message;
    io.err(`aibgen: ${message}\n`);
    for (const detail of error.details) io.err(`  ${detail}\n`);
    if (error instanceof TooLargeError) io.err(`  or raise the limit with --max-size <size>\n`);
    if (process.env.AIBGEN_DEBUG === '1' && error.stack) io.err(`${error.stack}\n`);
    return error.exitCode;
  }
  if (isNodeError(error) && error.syscall) {
    // A system error that escaped a module's own handling: still a clear, typed message, not a crash report.
    const where = error.path ? ` ${error.path}` : '';
    io.err(`aibgen: cannot ${error.syscall}${where}: ${describeFsError(error)}\n`);
    if (process.env.AIBGEN_DEBUG === '1' && error.stack) io.err(`${error.stack}\n`);
    return 2;
  }
  if (error instanceof RangeError && /call stack|Invalid string length|Array buffer allocation/.test(error.message)) {
    io.err(`aibgen: the input is too large or too deeply nested to process (${error.message})\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`aibgen: internal error: ${message}\n`);
  if (process.env.AIBGEN_DEBUG === '1' && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err('  set AIBGEN_DEBUG=1 for a stack trace, and please report it\n');
  return 2;
}
