import { command } from './typed.js';

/** `aibgen doctor`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const doctorDefinition = () =>
  command('doctor')
    .description('list the outside programs aibgen found (bash, ShellCheck, pwsh, Bicep, systemd-nspawn), their versions, and what each enables')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 always (a missing program is reported, not an error).');

export type DoctorCliOptions = ReturnType<ReturnType<typeof doctorDefinition>['opts']>;
