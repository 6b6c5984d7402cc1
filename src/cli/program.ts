/**
 * The command line: commander wiring only. Every command lazy-loads its module, so `aibgen
 * checksum` never pays for Handlebars or the bundler. Errors become messages and exit codes in
 * `run()` below and nowhere else. src/cli.ts, the entry, loads this only when it has to.
 */
import { CommanderError } from 'commander';
import type { Command } from '@commander-js/extra-typings';
import { command } from './commands/typed.js';
import { createRequire } from 'node:module';
import { AibgenError, describeFsError, isNodeError, OptionError, TooLargeError } from '../errors.js';
import { processOutput, type Output } from './output.js';

const io: Output = processOutput();

/** The exit code of the command that ran; set by each action, read by run(). */
interface Outcome {
  code: number;
}

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export async function buildProgram(outcome: Outcome = { code: 0 }, argv: readonly string[] = []): Promise<Command> {
  /** Runs a command's handler inside parseAsync; its errors propagate to run(), which reports them. */
  const action = async (handler: () => Promise<number>): Promise<void> => {
    outcome.code = await handler();
  };
  const program = command('aibgen')
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
  const add = (subcommand: Command<unknown[], Record<string, unknown>>) => program.addCommand(subcommand.copyInheritedSettings(program));

  // Only the command being run is defined (its module is small, but every module costs a Node start);
  // help and unknown words get them all, in this order.
  const loaders: Record<string, () => Promise<Command<unknown[], Record<string, unknown>>>> = {
    build: async () =>
      (await import('./commands/build.js'))
        .buildDefinition()
        .action((dir, options) => action(async () => (await import('./build.js')).buildCommand(dir, options, io))),
    publish: async () =>
      (await import('./commands/publish.js'))
        .publishDefinition()
        .action((dir, options) => action(async () => (await import('./publish.js')).publishCommand(dir, options, io))),
    init: async () =>
      (await import('./commands/init.js'))
        .initDefinition()
        .action((dir, options) => action(async () => (await import('./build.js')).initCommand(dir, options, io))),
    import: async () =>
      (await import('./commands/import.js'))
        .importDefinition()
        .action((template, dir, options) => action(async () => (await import('./import.js')).importCommand(template, dir, options, io))),
    test: async () =>
      (await import('./commands/test.js'))
        .testDefinition()
        .action((dir, options) => action(async () => (await import('./test.js')).testCommand(dir, options, io))),
    doctor: async () =>
      (await import('./commands/doctor.js'))
        .doctorDefinition()
        .action((options) => action(async () => (await import('./doctor.js')).doctorCommand(options, io))),
    validate: async () =>
      (await import('./commands/validate.js'))
        .validateDefinition()
        .action((files, options) => action(async () => (await import('./validate.js')).validateCommand(files, options, io))),
    lint: async () =>
      (await import('./commands/lint.js'))
        .lintDefinition()
        .action((paths, options) => action(async () => (await import('./lint.js')).lintCommand(paths, options, io))),
    fill: async () =>
      (await import('./commands/fill.js'))
        .fillDefinition()
        .action((files, options) => action(async () => (await import('./fill.js')).fillCommand(files, options, io))),
    render: async () =>
      (await import('./commands/render.js'))
        .renderDefinition()
        .action((template, options) => action(async () => (await import('./render.js')).renderCommand(template, options, io))),
    deprovision: async () =>
      (await import('./commands/deprovision.js'))
        .deprovisionDefinition()
        .action((options) => action(async () => (await import('./deprovision.js')).deprovisionCommand(options, io))),
    bundle: async () =>
      (await import('./commands/bundle.js'))
        .bundleDefinition()
        .action((dir, options) => action(async () => (await import('./bundle.js')).bundleCommand(dir, options, io))),
    checksum: async () =>
      (await import('./commands/checksum.js'))
        .checksumDefinition()
        .action((files, options) => action(async () => (await import('./checksum.js')).checksumCommand(files, options, io))),
  };
  const wanted = argv[0] !== undefined && Object.hasOwn(loaders, argv[0]) ? [argv[0]] : Object.keys(loaders);
  for (const name of wanted) add(await (loaders[name] as () => Promise<Command<unknown[], Record<string, unknown>>>)());

  return program;
}

export async function run(argv: readonly string[]): Promise<number> {
  const outcome: Outcome = { code: 0 };
  try {
    await (await buildProgram(outcome, argv)).parseAsync([...argv], { from: 'user' });
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
