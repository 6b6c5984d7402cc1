import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { psQuote, shQuoteAlways } from '../util/quote.js';
import type { BundleFormat } from '../bundle/bundle.js';
import type { CustomizerEntry } from './inline-file.js';

export interface ExtractStepsOptions {
  uri: string;
  sha256: string;
  /** Archive file name (its base name is used on the build VM). */
  archiveName: string;
  format: BundleFormat;
  /** Folder on the build VM to unpack into. */
  destination: string;
  os: 'linux' | 'windows';
  /** Step name prefix (default: the archive name without extension). */
  name?: string;
}

function stem(archiveName: string): string {
  return basename(archiveName).replace(/\.(tar\.gz|tgz|zip)$/i, '');
}

/**
 * The two steps that deliver an archive: a File customizer (with its checksum) to a place the
 * File customizer can write, then a Shell / PowerShell step that unpacks it and removes it.
 * Every path is quoted for its shell.
 */
export function extractSteps(options: ExtractStepsOptions): CustomizerEntry[] {
  const name = options.name ?? stem(options.archiveName);
  const archive = basename(options.archiveName);
  if (options.os === 'linux') {
    if (options.format !== 'tar.gz') throw new UsageError('Linux extraction uses tar: bundle with --format tar.gz (or pass --os windows for a zip)');
    if (!options.destination.startsWith('/')) throw new UsageError(`--destination must be an absolute Linux path, got "${options.destination}"`);
    // /tmp is the only place the File customizer can write on Linux.
    const staged = `/tmp/${archive}`;
    return [
      { type: 'File', name: `${name}-download`, sourceUri: options.uri, destination: staged, sha256Checksum: options.sha256 },
      {
        type: 'Shell',
        name: `${name}-extract`,
        inline: [
          `sudo mkdir -p ${shQuoteAlways(options.destination)}`,
          `sudo tar -xzf ${shQuoteAlways(staged)} -C ${shQuoteAlways(options.destination)} --no-same-owner`,
          `rm -f ${shQuoteAlways(staged)}`,
        ],
      },
    ];
  }
  if (options.format !== 'zip') throw new UsageError("Windows extraction uses Expand-Archive, which reads zip only: bundle with --format zip");
  if (!/^[A-Za-z]:\\/.test(options.destination)) throw new UsageError(`--destination must be an absolute Windows path with a drive letter, got "${options.destination}"`);
  // C:\Windows\Temp exists on every image; the File customizer does not create folders.
  const staged = `C:\\Windows\\Temp\\${archive}`;
  return [
    { type: 'File', name: `${name}-download`, sourceUri: options.uri, destination: staged, sha256Checksum: options.sha256 },
    {
      type: 'PowerShell',
      name: `${name}-extract`,
      inline: [
        `New-Item -ItemType Directory -Force -Path ${psQuote(options.destination)} | Out-Null`,
        `Expand-Archive -LiteralPath ${psQuote(staged)} -DestinationPath ${psQuote(options.destination)} -Force`,
        `Remove-Item -LiteralPath ${psQuote(staged)} -Force`,
      ],
    },
  ];
}
