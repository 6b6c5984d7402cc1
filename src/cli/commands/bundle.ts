import { command, option } from './typed.js';
import { collect, int, sizeArg } from './args.js';
import { OSES } from '../../util/os.js';

/** `aibgen bundle`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const bundleDefinition = () =>
  command('bundle')
    .description('pack a folder into a byte-reproducible tar.gz or zip for the File customizer')
    .argument('<dir>', 'the payload folder')
    .requiredOption('-o, --output <archive>', 'the archive to write (.tar.gz, .tgz or .zip)')
    .addOption(option('--format <format>', 'archive format (default: from -o, else tar.gz)').choices(['tar.gz', 'zip']))
    .addOption(option('--level <n>', 'deflate level 1-12 (libdeflate)').argParser(int('--level')))
    .option('--exclude <glob>', 'leave out paths matching this gitignore-style pattern (repeatable); .git/ is always left out', collect)
    .option('--follow-symlinks', 'store the content behind symlinks that point outside the folder instead of refusing them')
    .addOption(option('--max-size <size>', 'largest archive accepted (KB, MB, KiB, MiB)').argParser(sizeArg('--max-size')).default(20_000_000, '20MB'))
    .option('--json', 'print {"path","format","size","sha256","files","bytesIn"}')
    .option('--customizer', 'also print the File + extract customizer entries (needs --uri and --destination)')
    .option('--uri <url>', 'where the archive will be served from')
    .option('--destination <dir>', 'where the archive is unpacked on the build VM')
    .addOption(option('--os <os>', 'build VM OS for --customizer (default: linux for tar.gz, windows for zip)').choices(OSES))
    .addHelpText(
      'after',
      '\nExit codes: 0 written; 2 bad input, a refused path, or over --max-size (nothing is written).\nSOURCE_DATE_EPOCH sets the stored mtime (default 1980-01-01).',
    );

export type BundleCliOptions = ReturnType<ReturnType<typeof bundleDefinition>['opts']>;
