import { command, option } from './typed.js';
import { int } from './args.js';
import { parseParam } from '../params.js';
import { OSES } from '../../util/os.js';

/** `aibgen validate`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const validateDefinition = () =>
  command('validate')
    .description('check image templates offline against the AIB rules of their API version')
    .argument('<template...>', 'JSON templates (bare body or ARM deployment; comments allowed), .bicep or .bicepparam files (through the Bicep compiler)')
    .addOption(option('--os <os>', 'the build VM OS when the source does not tell').choices(OSES))
    .option('--api-version <version>', 'the API version when the template does not name one')
    .option('--param <name=value>', 'a Bicep param value (JSON, or a plain string; repeatable); wins over defaults and .bicepparam values', parseParam)
    .option('--verbose', 'name the Bicep compiler used, with its path and version (JSON output always does)')
    .addOption(option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(option('--max-warnings <n>', 'exit 1 when there are more warnings than this').argParser(int('--max-warnings', 0)))
    .addHelpText('after', '\nExit codes: 0 no errors (warnings allowed); 1 errors, or more warnings than --max-warnings; 2 a file cannot be read or parsed.');

export type ValidateCliOptions = ReturnType<ReturnType<typeof validateDefinition>['opts']>;
