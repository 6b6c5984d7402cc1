import { command, option } from './typed.js';
import { int } from './args.js';

/** `aibgen test`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const testDefinition = () =>
  command('test')
    .description("run the built template's Linux steps in a local container (systemd-nspawn), as AIB runs them, before the hour-long build")
    .argument('[dir]', 'the project folder (or its aibgen.json), built', '.')
    .requiredOption('--rootfs <path>', 'the root filesystem to start from: a folder, or a .tar, .tar.gz or .tar.xz of one (never modified)')
    .addOption(option('--network <mode>', "the container network: the host's, or none").choices(['host', 'none']).default('host'))
    .option('--from <step>', 'start at this step (by name); the earlier ones are skipped')
    .option('--continue', 'go on after a failed step (AIB stops at the first: onCustomizerError abort)')
    .addOption(
      option('--step-timeout <minutes>', "one step's time limit (default: the template's buildTimeoutInMinutes, else 240)").argParser(
        int('--step-timeout', 1, 24 * 60),
      ),
    )
    .option('--keep', "keep the container's root folder afterwards, for inspection")
    .option('--json', 'print { "steps": [{ "name", "status", "exitCode", "seconds" }] }')
    .addHelpText(
      'after',
      '\nNeeds Linux, root, and systemd-nspawn (apt-get install systemd-container). Steps run as an unprivileged build user with passwordless sudo.\nExit codes: 0 every step ok; 1 a step failed; 2 it cannot run (not Linux, no engine, no root, a Windows project, a bad root filesystem).',
    );

export type TestCliOptions = ReturnType<ReturnType<typeof testDefinition>['opts']>;
