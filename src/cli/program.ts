/**
 * The command line: commander wiring only. Every command lazy-loads its module, so `aibgen
 * checksum` never pays for Handlebars or the bundler. Errors become messages and exit codes in
 * `run()` below and nowhere else. src/cli.ts, the entry, loads this only when it has to.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { AibgenError, describeFsError, isNodeError, OptionError, TooLargeError } from '../errors.js';
import { processOutput, type Output } from './output.js';
import { parseSize } from '../util/size.js';
import { parseParam } from './params.js';
import type { BuildCliOptions } from './build.js';
import type { BundleCliOptions } from './bundle.js';
import type { ChecksumCliOptions } from './checksum.js';
import type { DeprovisionCliOptions } from './deprovision.js';
import type { FillCliOptions } from './fill.js';
import type { ImportCliOptions } from './import.js';
import type { TestCliOptions } from './test.js';
import type { PublishCliOptions } from './publish.js';
import type { LintCliOptions } from './lint.js';
import type { RenderCliOptions } from './render.js';
import type { ValidateCliOptions } from './validate.js';
import { OSES, type Os } from '../util/os.js';

const io: Output = processOutput();

/** The exit code of the command that ran; set by each action, read by run(). */
interface Outcome {
  code: number;
}

function int(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} expects an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer timeout would fire at once. */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function minutes(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 960)
    throw new InvalidArgumentError(`--timeout-minutes expects a number above 0 and at most 960, got "${value}"`);
  return n;
}

function sizeArg(flag: string) {
  return (value: string): number => {
    const bytes = parseSize(value);
    if (bytes === undefined || bytes <= 0) throw new InvalidArgumentError(`${flag} expects a size such as 20MB, 512KiB or 1000000, got "${value}"`);
    return bytes;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
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

  program
    .command('build')
    .description('build a project (aibgen.json): render, bundle, checksum, inject, validate and lint, into a ready template and artifacts')
    .argument('[dir]', 'the project folder (or its aibgen.json)', '.')
    .option('--check', 'compare with what is on disk instead of writing (unchanged steps proven by hashes); exit 1 with a diff when stale (for CI)')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'print nothing but problems')
    .option('--verbose', 'print progress even when stderr is not a terminal')
    .option('--prune', 'remove files from the artifacts folder that artifacts.json no longer lists')
    .option('--no-lint', 'do not lint the scripts and inline steps of the result (aibgen lint)')
    .option('--publish', 'then upload the artifacts (aibgen publish)')
    .addHelpText(
      'after',
      '\nUnchanged steps are not rebuilt: their inputs and artifacts are proven unchanged by their hashes.\nExit codes: 0 built (or --check: current); 1 validation or lint errors in the result, or --check found stale files; 2 bad project file or inputs.',
    )
    .action((dir: string, options: BuildCliOptions) => action(async () => (await import('./build.js')).buildCommand(dir, options, io)));

  program
    .command('publish')
    .description('upload exactly the artifacts of artifacts.json to their URIs in Azure Blob Storage, checked and idempotent')
    .argument('[dir]', 'the project folder (or its aibgen.json)', '.')
    .option('--dry-run', 'list what would be uploaded, skipped or refused; change nothing')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--concurrency <n>', 'uploads at once').argParser(int('--concurrency')).default(4))
    .option('--overwrite', 'replace blobs that exist with other content (refused by default)')
    .option('--verify', 'download every uploaded blob again and compare its SHA-256')
    .option('--sas-env <VAR>', 'read a SAS token from this environment variable (default AZURE_STORAGE_SAS_TOKEN)')
    .addHelpText(
      'after',
      '\nCredentials, first that applies: AZURE_STORAGE_CONNECTION_STRING; a SAS (AZURE_STORAGE_SAS_TOKEN or --sas-env); Azure sign-in: a service principal or workload identity from AZURE_* variables, a managed identity, or az login (needs Storage Blob Data Contributor).\nExit codes: 0 published (or already there); 1 a blob exists with other content (without --overwrite); 2 bad input, no access, or a failed upload.',
    )
    .action((dir: string, options: PublishCliOptions) => action(async () => (await import('./publish.js')).publishCommand(dir, options, io)));

  program
    .command('init')
    .description('scaffold a project that aibgen build builds as it is')
    .argument('[dir]', 'where to create it', '.')
    .addOption(new Option('--os <os>', 'the image OS').choices(OSES).makeOptionMandatory())
    .addHelpText('after', '\nExit codes: 0 created; 2 a file already exists (nothing is written).')
    .action((dir: string, options: { os: Os }) => action(async () => (await import('./build.js')).initCommand(dir, options, io)));

  program
    .command('import')
    .description('turn an existing image template into an aibgen project: its scripts and files downloaded as sources, its steps in aibgen.json')
    .argument('<template>', 'an ARM template (one imageTemplates resource, or --resource) or a bare template body; comments allowed')
    .argument('[dir]', 'the new project folder (must not exist or be empty; default: named after the template)')
    .requiredOption('--base-uri <uri>', 'where the artifacts will be served from (aibgen.json baseUri)')
    .option('-m, --map <uriPrefix=dir>', 'read URIs under the prefix from the folder instead of downloading them (repeatable; as fill maps)', collect)
    .addOption(new Option('--os <os>', 'the build VM OS when the source does not tell').choices(OSES))
    .option('--resource <name>', 'which image template, when the file holds several')
    .option('--accept-current', "take the bytes as served when a step's checksum does not match them (by default an error)")
    .option('--keep-unreachable', 'keep steps whose file cannot be fetched in the template (by default an error)')
    .addOption(
      new Option('--fetch-timeout <seconds>', 'give up a download after this long').argParser(int('--fetch-timeout', 1, MAX_TIMEOUT_SECONDS)).default(30),
    )
    .addOption(new Option('--fetch-max-size <size>', 'largest download accepted (e.g. 50MB)').argParser(sizeArg('--fetch-max-size')))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nNothing downloaded is run. Everything is written to a staging folder and renamed into place, or nothing is written.\nExit codes: 0 imported; 2 bad input, a file that cannot be fetched, or a checksum that does not match (nothing written).',
    )
    .action((template: string, dir: string | undefined, options: ImportCliOptions) =>
      action(async () => (await import('./import.js')).importCommand(template, dir, options, io)),
    );

  program
    .command('test')
    .description("run the built template's Linux steps in a local container (systemd-nspawn), as AIB runs them, before the hour-long build")
    .argument('[dir]', 'the project folder (or its aibgen.json), built', '.')
    .requiredOption('--rootfs <path>', 'the root filesystem to start from: a folder, or a .tar, .tar.gz or .tar.xz of one (never modified)')
    .addOption(new Option('--network <mode>', "the container network: the host's, or none").choices(['host', 'none']).default('host'))
    .option('--from <step>', 'start at this step (by name); the earlier ones are skipped')
    .option('--continue', 'go on after a failed step (AIB stops at the first: onCustomizerError abort)')
    .addOption(
      new Option('--step-timeout <minutes>', "one step's time limit (default: the template's buildTimeoutInMinutes, else 240)").argParser(
        int('--step-timeout', 1, 24 * 60),
      ),
    )
    .option('--keep', "keep the container's root folder afterwards, for inspection")
    .option('--json', 'print { "steps": [{ "name", "status", "exitCode", "seconds" }] }')
    .addHelpText(
      'after',
      '\nNeeds Linux, root, and systemd-nspawn (apt-get install systemd-container). Steps run as an unprivileged build user with passwordless sudo.\nExit codes: 0 every step ok; 1 a step failed; 2 it cannot run (not Linux, no engine, no root, a Windows project, a bad root filesystem).',
    )
    .action((dir: string, options: TestCliOptions) => action(async () => (await import('./test.js')).testCommand(dir, options, io)));

  program
    .command('doctor')
    .description('list the outside programs aibgen found (bash, ShellCheck, pwsh, Bicep, systemd-nspawn), their versions, and what each enables')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 always (a missing program is reported, not an error).')
    .action((options: { json?: boolean }) => action(async () => (await import('./doctor.js')).doctorCommand(options, io)));

  program
    .command('validate')
    .description('check image templates offline against the AIB rules of their API version')
    .argument('<template...>', 'JSON templates (bare body or ARM deployment; comments allowed), .bicep or .bicepparam files (through the Bicep compiler)')
    .addOption(new Option('--os <os>', 'the build VM OS when the source does not tell').choices(OSES))
    .option('--api-version <version>', 'the API version when the template does not name one')
    .option('--param <name=value>', 'a Bicep param value (JSON, or a plain string; repeatable); wins over defaults and .bicepparam values', parseParam)
    .option('--verbose', 'name the Bicep compiler used, with its path and version (JSON output always does)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--max-warnings <n>', 'exit 1 when there are more warnings than this').argParser(int('--max-warnings', 0)))
    .addHelpText('after', '\nExit codes: 0 no errors (warnings allowed); 1 errors, or more warnings than --max-warnings; 2 a file cannot be read or parsed.')
    .action((files: string[], options: ValidateCliOptions) => action(async () => (await import('./validate.js')).validateCommand(files, options, io)));

  program
    .command('lint')
    .description('check scripts and inline commands before anything is uploaded: shell and PowerShell parsers, ShellCheck, and AIB rules')
    .argument('<path...>', '.sh and .ps1 files, folders (recursive; .gitignore and .aibignore honoured) and templates (their inline commands)')
    .addOption(new Option('--os <os>', 'how to read a script named without .sh or .ps1').choices(OSES))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--max-warnings <n>', 'exit 1 when there are more warnings than this').argParser(int('--max-warnings', 0)))
    .addOption(
      new Option('--engine-timeout <seconds>', 'stop each engine process (bash, ShellCheck, pwsh) after this long; its scripts are reported as not checked')
        .argParser(int('--engine-timeout', 1, MAX_TIMEOUT_SECONDS))
        .default(60),
    )
    .addOption(
      new Option('--max-script-size <size>', 'do not check scripts larger than this (they are reported as not checked)')
        .argParser(sizeArg('--max-script-size'))
        .default(512 * 1024, '512KiB'),
    )
    .option('--allow-empty', 'exit 0 when there is nothing to lint (by default that is exit 2: a check that checked nothing is not a pass)')
    .option('--verbose', 'name each engine used, with its path and version (JSON output always does)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no errors (warnings allowed); 1 errors, or more warnings than --max-warnings; 2 a file cannot be read or parsed, a script could not be checked (AIB216), or nothing to lint.',
    )
    .action((paths: string[], options: LintCliOptions) => action(async () => (await import('./lint.js')).lintCommand(paths, options, io)));

  program
    .command('fill')
    .description('fill in and correct sha256Checksum values of Shell/PowerShell scriptUri and File sourceUri steps')
    .argument('<template...>', 'JSON template(s) (bare body or ARM deployment, comments allowed) or .bicep files')
    .option('-m, --map <uriPrefix=dir>', 'URIs starting with uriPrefix are files under dir (repeatable; longest prefix wins)', collect)
    .option('--fetch', 'download http(s) URIs that no --map matches and hash them as served')
    .addOption(
      new Option('--fetch-timeout <seconds>', 'give up a download after this long').argParser(int('--fetch-timeout', 1, MAX_TIMEOUT_SECONDS)).default(30),
    )
    .addOption(new Option('--fetch-max-size <size>', 'largest download accepted (e.g. 50MB)').argParser(sizeArg('--fetch-max-size')))
    .option('--strict', 'treat every skipped URI (expression, placeholder, unmapped) as an error')
    .option('--check', 'write nothing; exit 1 if any checksum is missing, malformed, uppercase or wrong; exit 2 if nothing could be checked')
    .option('--allow-empty', 'with --check: exit 0 when every site was skipped (by default a check that checked nothing is exit 2)')
    .option('--json', 'print a machine-readable report of every customizer')
    .option('-o, --output <file>', 'write the result here instead of in place')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (or --check: all right); 1 --check found problems, or --strict skips; 2 bad input or a file could not be hashed.',
    )
    .action((files: string[], options: FillCliOptions) => action(async () => (await import('./fill.js')).fillCommand(files, options, io)));

  program
    .command('render')
    .description('render a Handlebars template (a customizer script) strictly: no HTML escaping, every variable must be given')
    .argument('<template>', 'the .hbs template')
    .option('-o, --output <file>', 'where to write (default: the template name without .hbs; - for standard output)')
    .option('--vars <file.json>', 'variables from a JSON file (repeatable; later files win)', collect)
    .option('--set <key=value>', 'a string variable; dotted keys make nested objects (repeatable; wins over files)', collect)
    .option('--set-json <key=json>', 'a variable given as JSON: numbers, booleans, lists, objects (repeatable)', collect)
    .option('--partials <dir>', 'register every *.hbs in dir as a partial, by file name')
    .addOption(new Option('--eol <eol>', 'line endings for .ps1 (default crlf) and other files; .sh is always LF').choices(['lf', 'crlf']))
    .addHelpText(
      'after',
      '\nHelpers: sh, ps, json, base64, join, default, eq, ne, lower, upper (see README).\nExit codes: 0 written; 2 missing variables (all listed with file:line:column), bad template or usage.',
    )
    .action((template: string, options: RenderCliOptions) => action(async () => (await import('./render.js')).renderCommand(template, options, io)));

  program
    .command('deprovision')
    .description('write a DeprovisioningScript.sh / .ps1 override (waagent / Sysprep) that fails clearly instead of hanging')
    .addOption(new Option('--os <os>', 'the build VM OS').choices(OSES))
    .option('-o, --output <path>', 'a folder (the file is named DeprovisioningScript.sh/.ps1) or a file path; - for standard output', '.')
    .option('--keep-user', 'Linux: waagent -deprovision (keep the build user) instead of -deprovision+user')
    .option('--cloud-init-clean', 'Linux: run cloud-init clean --logs --seed where cloud-init exists')
    .option('--mode-vm', 'Windows: run Sysprep with /mode:vm')
    .addOption(new Option('--timeout-minutes <n>', 'Windows: every wait loop gives up after n minutes (default 30; fractions allowed)').argParser(minutes))
    .option('--pre <command>', 'a command to run first (repeatable, in order; a failure stops the build)', collect)
    .option('--customizer', 'also print the customizer that installs the override (with --uri or --inline)')
    .option('--uri <url>', 'with --customizer: a File step downloading the script from this URL')
    .option('--inline', 'with --customizer: a Shell/PowerShell step that writes the script from base64 and checks its SHA-256')
    .addHelpText('after', '\nExit codes: 0 written; 2 bad options.')
    .action((options: DeprovisionCliOptions) => action(async () => (await import('./deprovision.js')).deprovisionCommand(options, io)));

  program
    .command('bundle')
    .description('pack a folder into a byte-reproducible tar.gz or zip for the File customizer')
    .argument('<dir>', 'the payload folder')
    .requiredOption('-o, --output <archive>', 'the archive to write (.tar.gz, .tgz or .zip)')
    .addOption(new Option('--format <format>', 'archive format (default: from -o, else tar.gz)').choices(['tar.gz', 'zip']))
    .addOption(new Option('--level <n>', 'deflate level 1-12 (libdeflate)').argParser(int('--level')))
    .option('--exclude <glob>', 'leave out paths matching this gitignore-style pattern (repeatable); .git/ is always left out', collect)
    .option('--follow-symlinks', 'store the content behind symlinks that point outside the folder instead of refusing them')
    .addOption(new Option('--max-size <size>', 'largest archive accepted (KB, MB, KiB, MiB)').argParser(sizeArg('--max-size')).default(20_000_000, '20MB'))
    .option('--json', 'print {"path","format","size","sha256","files","bytesIn"}')
    .option('--customizer', 'also print the File + extract customizer entries (needs --uri and --destination)')
    .option('--uri <url>', 'where the archive will be served from')
    .option('--destination <dir>', 'where the archive is unpacked on the build VM')
    .addOption(new Option('--os <os>', 'build VM OS for --customizer (default: linux for tar.gz, windows for zip)').choices(OSES))
    .addHelpText(
      'after',
      '\nExit codes: 0 written; 2 bad input, a refused path, or over --max-size (nothing is written).\nSOURCE_DATE_EPOCH sets the stored mtime (default 1980-01-01).',
    )
    .action((dir: string, options: BundleCliOptions) => action(async () => (await import('./bundle.js')).bundleCommand(dir, options, io)));

  program
    .command('checksum')
    .description('print SHA-256 sums like sha256sum, or verify a list with --check')
    .argument('[file...]', 'files to hash; - reads standard input')
    .option('--json', 'print [{"path","sha256","size"}] instead of sha256sum lines')
    .option('-c, --check <SUMS>', 'verify the files listed in SUMS (sha256sum format)')
    .option('--quiet', 'with --check, print only failures')
    .addOption(new Option('--concurrency <n>', 'files hashed at once').argParser(int('--concurrency')).default(8))
    .addHelpText('after', '\nExit codes: 0 all good; 1 --check found a mismatch or unreadable file; 2 a file could not be hashed or bad usage.')
    .action((files: string[], options: ChecksumCliOptions) => action(async () => (await import('./checksum.js')).checksumCommand(files, options, io)));

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
