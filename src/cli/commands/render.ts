import { command, option } from './typed.js';
import { collect } from './args.js';

/** `aibgen render`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const renderDefinition = () =>
  command('render')
    .description('render a Handlebars template (a customizer script) strictly: no HTML escaping, every variable must be given')
    .argument('<template>', 'the .hbs template')
    .option('-o, --output <file>', 'where to write (default: the template name without .hbs; - for standard output)')
    .option('--vars <file.json>', 'variables from a JSON file (repeatable; later files win)', collect)
    .option('--set <key=value>', 'a string variable; dotted keys make nested objects (repeatable; wins over files)', collect)
    .option('--set-json <key=json>', 'a variable given as JSON: numbers, booleans, lists, objects (repeatable)', collect)
    .option('--partials <dir>', 'register every *.hbs in dir as a partial, by file name')
    .addOption(option('--eol <eol>', 'line endings for .ps1 (default crlf) and other files; .sh is always LF').choices(['lf', 'crlf']))
    .addHelpText(
      'after',
      '\nHelpers: sh, ps, json, base64, join, default, eq, ne, lower, upper (see README).\nExit codes: 0 written; 2 missing variables (all listed with file:line:column), bad template or usage.',
    );

export type RenderCliOptions = ReturnType<ReturnType<typeof renderDefinition>['opts']>;
