import { command, option } from './typed.js';
import { collect, minutes } from './args.js';
import { OSES } from '../../util/os.js';

/** `aibgen deprovision`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const deprovisionDefinition = () =>
  command('deprovision')
    .description('write a DeprovisioningScript.sh / .ps1 override (waagent / Sysprep) that fails clearly instead of hanging')
    .addOption(option('--os <os>', 'the build VM OS').choices(OSES))
    .option('-o, --output <path>', 'a folder (the file is named DeprovisioningScript.sh/.ps1) or a file path; - for standard output', '.')
    .option('--keep-user', 'Linux: waagent -deprovision (keep the build user) instead of -deprovision+user')
    .option('--cloud-init-clean', 'Linux: run cloud-init clean --logs --seed where cloud-init exists')
    .option('--mode-vm', 'Windows: run Sysprep with /mode:vm')
    .addOption(option('--timeout-minutes <n>', 'Windows: every wait loop gives up after n minutes (default 30; fractions allowed)').argParser(minutes))
    .option('--pre <command>', 'a command to run first (repeatable, in order; a failure stops the build)', collect)
    .option('--customizer', 'also print the customizer that installs the override (with --uri or --inline)')
    .option('--uri <url>', 'with --customizer: a File step downloading the script from this URL')
    .option('--inline', 'with --customizer: a Shell/PowerShell step that writes the script from base64 and checks its SHA-256')
    .addHelpText('after', '\nExit codes: 0 written; 2 bad options.');

export type DeprovisionCliOptions = ReturnType<ReturnType<typeof deprovisionDefinition>['opts']>;
