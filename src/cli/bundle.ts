import { UsageError } from '../errors.js';
import { bundle, formatFromPath } from '../bundle/index.js';
import { checkUnpackTarget, extractSteps } from '../customizers/index.js';
import type { Output } from './output.js';
import type { BundleCliOptions } from './commands/bundle.js';

export async function bundleCommand(dir: string, options: BundleCliOptions, io: Output): Promise<number> {
  if (!options.output) throw new UsageError('-o <archive> is required', ['example: aibgen bundle payload/site -o dist/site.tar.gz']);
  if (options.customizer && (!options.uri || !options.destination)) {
    throw new UsageError('--customizer needs --uri <url> (where the archive will be served) and --destination <dir> (where to unpack it)');
  }
  const format = options.format ?? formatFromPath(options.output);
  if (!format)
    throw new UsageError(`cannot tell the archive format from the name ${options.output}`, ['name it .tar.gz, .tgz or .zip, or pass --format tar.gz|zip']);
  const os = options.os ?? (format === 'zip' ? 'windows' : 'linux');
  // Checked before anything is packed, so a bad --destination leaves no archive behind.
  if (options.customizer) checkUnpackTarget(os, format, options.destination as string);
  const result = await bundle(dir, {
    output: options.output,
    format,
    level: options.level,
    exclude: options.exclude,
    followSymlinks: options.followSymlinks,
    maxSize: options.maxSize,
  });
  const steps = options.customizer
    ? extractSteps({
        uri: options.uri as string,
        sha256: result.sha256,
        archiveName: result.path,
        format: result.format,
        destination: options.destination as string,
        os,
      })
    : undefined;
  if (options.json) {
    io.out(`${JSON.stringify(steps ? { ...result, customizers: steps } : result, null, 2)}\n`);
    return 0;
  }
  io.out(
    `${result.path}\n  format  ${result.format}\n  size    ${result.size} bytes\n  sha256  ${result.sha256}\n  files   ${result.files} (${result.bytesIn} bytes in)\n`,
  );
  if (steps) io.out(`${JSON.stringify(steps, null, 2)}\n`);
  return 0;
}
