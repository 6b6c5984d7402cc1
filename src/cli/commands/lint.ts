import { command, option } from './typed.js';
import { MAX_TIMEOUT_SECONDS, int, sizeArg } from './args.js';
import { OSES } from '../../util/os.js';

/** `aibgen lint`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const lintDefinition = () =>
  command('lint')
    .description('check scripts and inline commands before anything is uploaded: shell and PowerShell parsers, ShellCheck, and AIB rules')
    .argument('<path...>', '.sh and .ps1 files, folders (recursive; .gitignore and .aibignore honoured) and templates (their inline commands)')
    .addOption(option('--os <os>', 'how to read a script named without .sh or .ps1').choices(OSES))
    .addOption(option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(option('--max-warnings <n>', 'exit 1 when there are more warnings than this').argParser(int('--max-warnings', 0)))
    .addOption(
      option('--engine-timeout <seconds>', 'stop each engine process (bash, ShellCheck, pwsh) after this long; its scripts are reported as not checked')
        .argParser(int('--engine-timeout', 1, MAX_TIMEOUT_SECONDS))
        .default(60),
    )
    .addOption(
      option('--max-script-size <size>', 'do not check scripts larger than this (they are reported as not checked)')
        .argParser(sizeArg('--max-script-size'))
        .default(512 * 1024, '512KiB'),
    )
    .option('--allow-empty', 'exit 0 when there is nothing to lint (by default that is exit 2: a check that checked nothing is not a pass)')
    .option('--verbose', 'name each engine used, with its path and version (JSON output always does)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no errors (warnings allowed); 1 errors, or more warnings than --max-warnings; 2 a file cannot be read or parsed, a script could not be checked (AIB216), or nothing to lint.',
    );

export type LintCliOptions = ReturnType<ReturnType<typeof lintDefinition>['opts']>;
