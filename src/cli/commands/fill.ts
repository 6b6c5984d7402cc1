import { command } from './typed.js';
import { collect, fetchMaxSizeOption, fetchTimeoutOption } from './args.js';

/** `aibgen fill`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const fillDefinition = () =>
  command('fill')
    .description('fill in and correct sha256Checksum values of Shell/PowerShell scriptUri and File sourceUri steps')
    .argument('<template...>', 'JSON template(s) (bare body or ARM deployment, comments allowed) or .bicep files')
    .option('-m, --map <uriPrefix=dir>', 'URIs starting with uriPrefix are files under dir (repeatable; longest prefix wins)', collect)
    .option('--fetch', 'download http(s) URIs that no --map matches and hash them as served')
    .addOption(fetchTimeoutOption())
    .addOption(fetchMaxSizeOption())
    .option('--strict', 'treat every skipped URI (expression, placeholder, unmapped) as an error')
    .option('--check', 'write nothing; exit 1 if any checksum is missing, malformed, uppercase or wrong; exit 2 if nothing could be checked')
    .option('--allow-empty', 'with --check: exit 0 when every site was skipped (by default a check that checked nothing is exit 2)')
    .option('--json', 'print a machine-readable report of every customizer')
    .option('-o, --output <file>', 'write the result here instead of in place')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (or --check: all right); 1 --check found problems, or --strict skips; 2 bad input or a file could not be hashed.',
    );

export type FillCliOptions = ReturnType<ReturnType<typeof fillDefinition>['opts']>;
