import { command, option } from './typed.js';
import { OSES } from '../../util/os.js';

/** `aibgen init`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const initDefinition = () =>
  command('init')
    .description('scaffold a project that aibgen build builds as it is')
    .argument('[dir]', 'where to create it', '.')
    .addOption(option('--os <os>', 'the image OS').choices(OSES).makeOptionMandatory())
    .addHelpText('after', '\nExit codes: 0 created; 2 a file already exists (nothing is written).');

export type InitCliOptions = ReturnType<ReturnType<typeof initDefinition>['opts']>;
