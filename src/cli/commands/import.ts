import { command, option } from './typed.js';
import { collect, fetchMaxSizeOption, fetchTimeoutOption } from './args.js';
import { OSES } from '../../util/os.js';

/** `aibgen import`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const importDefinition = () =>
  command('import')
    .description('turn an existing image template into an aibgen project: its scripts and files downloaded as sources, its steps in aibgen.json')
    .argument('<template>', 'an ARM template (one imageTemplates resource, or --resource) or a bare template body; comments allowed')
    .argument('[dir]', 'the new project folder (must not exist or be empty; default: named after the template)')
    .requiredOption('--base-uri <uri>', 'where the artifacts will be served from (aibgen.json baseUri)')
    .option('-m, --map <uriPrefix=dir>', 'read URIs under the prefix from the folder instead of downloading them (repeatable; as fill maps)', collect)
    .addOption(option('--os <os>', 'the build VM OS when the source does not tell').choices(OSES))
    .option('--resource <name>', 'which image template, when the file holds several')
    .option('--accept-current', "take the bytes as served when a step's checksum does not match them (by default an error)")
    .option('--keep-unreachable', 'keep steps whose file cannot be fetched in the template (by default an error)')
    .addOption(fetchTimeoutOption())
    .addOption(fetchMaxSizeOption())
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nNothing downloaded is run. Everything is written to a staging folder and renamed into place, or nothing is written.\nExit codes: 0 imported; 2 bad input, a file that cannot be fetched, or a checksum that does not match (nothing written).',
    );

export type ImportCliOptions = ReturnType<ReturnType<typeof importDefinition>['opts']>;
