import { basename } from 'node:path';
import { OptionError, UsageError } from '../errors.js';
import { psQuote, shQuoteAlways } from '../util/quote.js';
import type { BundleFormat } from '../bundle/index.js';
import type { FileStep, PowerShellStep, ShellStep } from './model.js';
import type { Os } from '../util/os.js';

/** Where an archive waits on the build VM before it is unpacked: the File customizer can write only under /tmp on Linux, and does not create folders on Windows. */
export function stagedArchivePath(os: Os, archiveName: string): string {
  return os === 'linux' ? `/tmp/${basename(archiveName)}` : `C:\\Windows\\Temp\\${basename(archiveName)}`;
}

/**
 * The commands that unpack a staged archive into `destination` and remove it: the one place they
 * are written, used by the File + extract steps and by download delivery alike.
 */
export function unpackCommands(os: Os, staged: string, destination: string): string[] {
  if (os === 'linux') {
    return [
      `sudo mkdir -p ${shQuoteAlways(destination)}`,
      `sudo tar -xzf ${shQuoteAlways(staged)} -C ${shQuoteAlways(destination)} --no-same-owner`,
      `rm -f ${shQuoteAlways(staged)}`,
    ];
  }
  return [
    `New-Item -ItemType Directory -Force -Path ${psQuote(destination)} | Out-Null`,
    `Expand-Archive -LiteralPath ${psQuote(staged)} -DestinationPath ${psQuote(destination)} -Force`,
    `Remove-Item -LiteralPath ${psQuote(staged)} -Force`,
  ];
}

/** Checks that an unpack destination is absolute for its OS and the format is one it can unpack. */
export function checkUnpackTarget(os: Os, format: BundleFormat, destination: string): void {
  if (os === 'linux') {
    if (format !== 'tar.gz') throw new UsageError('Linux extraction uses tar: bundle with --format tar.gz (or pass --os windows for a zip)');
    if (!destination.startsWith('/')) throw new OptionError('destination', `must be an absolute Linux path, got "${destination}"`);
    return;
  }
  if (format !== 'zip') throw new UsageError('Windows extraction uses Expand-Archive, which reads zip only: bundle with --format zip');
  if (!/^[A-Za-z]:\\/.test(destination)) throw new OptionError('destination', `must be an absolute Windows path with a drive letter, got "${destination}"`);
}

export interface ExtractStepsOptions {
  uri: string;
  sha256: string;
  /** Archive file name (its base name is used on the build VM). */
  archiveName: string;
  format: BundleFormat;
  /** Folder on the build VM to unpack into. */
  destination: string;
  os: Os;
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
export function extractSteps(options: ExtractStepsOptions): [FileStep, ShellStep | PowerShellStep] {
  checkUnpackTarget(options.os, options.format, options.destination);
  const name = options.name ?? stem(options.archiveName);
  const staged = stagedArchivePath(options.os, options.archiveName);
  const download: FileStep = { type: 'File', name: `${name}-download`, sourceUri: options.uri, destination: staged, sha256Checksum: options.sha256 };
  const inline = unpackCommands(options.os, staged, options.destination);
  return [download, options.os === 'linux' ? { type: 'Shell', name: `${name}-extract`, inline } : { type: 'PowerShell', name: `${name}-extract`, inline }];
}
