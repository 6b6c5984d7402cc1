import { UsageError } from '../errors.js';
import { bundle, type BundleFormat } from '../bundle/index.js';
import { extractSteps } from '../customizers/index.js';
import type { Output } from './output.js';

export interface BundleCliOptions {
  output?: string;
  format?: BundleFormat;
  level?: number;
  exclude?: string[];
  followSymlinks?: boolean;
  maxSize?: number;
  json?: boolean;
  customizer?: boolean;
  uri?: string;
  destination?: string;
  os?: 'linux' | 'windows';
}

export async function bundleCommand(dir: string, options: BundleCliOptions, io: Output): Promise<number> {
  if (!options.output) throw new UsageError('-o <archive> is required', ['example: aibgen bundle payload/site -o dist/site.tar.gz']);
  if (options.customizer && (!options.uri || !options.destination)) {
    throw new UsageError('--customizer needs --uri <url> (where the archive will be served) and --destination <dir> (where to unpack it)');
  }
  const result = await bundle(dir, {
    output: options.output,
    format: options.format,
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
        os: options.os ?? (result.format === 'zip' ? 'windows' : 'linux'),
      })
    : undefined;
  if (options.json) {
    io.out(`${JSON.stringify(steps ? { ...result, customizers: steps } : result, null, 2)}\n`);
    return 0;
  }
  io.out(`${result.path}\n  format  ${result.format}\n  size    ${result.size} bytes\n  sha256  ${result.sha256}\n  files   ${result.files} (${result.bytesIn} bytes in)\n`);
  if (steps) io.out(`${JSON.stringify(steps, null, 2)}\n`);
  return 0;
}
