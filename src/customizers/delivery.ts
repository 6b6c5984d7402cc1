import { psQuote, shQuoteAlways } from '../util/quote.js';
import { stagedArchivePath, unpackCommands } from './extract.js';
import { inlineFileCommands } from './inline-file.js';
import type { Os } from '../util/os.js';

/** Largest script that travels inside the template (inline delivery). */
export const INLINE_LIMIT = 64 * 1024;

/**
 * Inline delivery of a script: the commands recreate it on the build VM from base64, check its
 * SHA-256, run it and remove it. Nothing needs hosting; the template carries the script.
 */
export function inlineScriptCommands(os: Os, name: string, content: Uint8Array): string[] {
  if (os === 'linux') {
    const path = `/tmp/aibgen-${name}.sh`;
    return [...inlineFileCommands({ os, path, content }), `chmod +x ${shQuoteAlways(path)}`, shQuoteAlways(path), `rm -f ${shQuoteAlways(path)}`];
  }
  const path = `C:\\Windows\\Temp\\aibgen-${name}.ps1`;
  return [
    ...inlineFileCommands({ os, path, content }),
    `& ${psQuote(path)}`,
    '$aibgenExit = $LASTEXITCODE',
    `Remove-Item -LiteralPath ${psQuote(path)} -Force`,
    'if ($aibgenExit) { exit $aibgenExit }',
  ];
}

export interface DownloadOptions {
  os: Os;
  uri: string;
  sha256: string;
  archiveName: string;
  destination: string;
}

/**
 * Download delivery of an archive, for payloads over the File customizer's limit: the build VM
 * downloads it (curl / Invoke-WebRequest), checks the SHA-256, unpacks it and removes it.
 */
export function downloadCommands(options: DownloadOptions): string[] {
  const staged = stagedArchivePath(options.os, options.archiveName);
  if (options.os === 'linux') {
    return [
      `curl -fsSL --retry 5 --retry-delay 5 -o ${shQuoteAlways(staged)} ${shQuoteAlways(options.uri)}`,
      `echo ${shQuoteAlways(`${options.sha256}  ${staged}`)} | sha256sum -c -`,
      ...unpackCommands('linux', staged, options.destination),
    ];
  }
  return [
    "$ProgressPreference = 'SilentlyContinue'",
    `Invoke-WebRequest -UseBasicParsing -Uri ${psQuote(options.uri)} -OutFile ${psQuote(staged)}`,
    `$aibgenHash = (Get-FileHash -Algorithm SHA256 -LiteralPath ${psQuote(staged)}).Hash.ToLowerInvariant()`,
    `if ($aibgenHash -ne '${options.sha256}') { throw ${psQuote(`${options.archiveName}: SHA-256 does not match ${options.sha256}`)} }`,
    ...unpackCommands('windows', staged, options.destination),
  ];
}
