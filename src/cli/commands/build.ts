import { command } from './typed.js';

/** `aibgen build`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const buildDefinition = () =>
  command('build')
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
    );

export type BuildCliOptions = ReturnType<ReturnType<typeof buildDefinition>['opts']>;
