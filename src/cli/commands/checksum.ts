import { command, option } from './typed.js';
import { int } from './args.js';

/** `aibgen checksum`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const checksumDefinition = () =>
  command('checksum')
    .description('print SHA-256 sums like sha256sum, or verify a list with --check')
    .argument('[file...]', 'files to hash; - reads standard input')
    .option('--json', 'print [{"path","sha256","size"}] instead of sha256sum lines')
    .option('-c, --check <SUMS>', 'verify the files listed in SUMS (sha256sum format)')
    .option('--quiet', 'with --check, print only failures')
    .addOption(option('--concurrency <n>', 'files hashed at once').argParser(int('--concurrency')).default(8))
    .addHelpText('after', '\nExit codes: 0 all good; 1 --check found a mismatch or unreadable file; 2 a file could not be hashed or bad usage.');

export type ChecksumCliOptions = ReturnType<ReturnType<typeof checksumDefinition>['opts']>;
