import { sha256Hex } from '../util/sha256.js';
import { psQuote, shQuoteAlways } from '../util/quote.js';
import type { Os } from '../util/os.js';

export interface InlineFileOptions {
  os: Os;
  /** Where the file goes on the build VM. */
  path: string;
  content: Uint8Array;
  /** Linux: write with sudo (for root-owned targets such as an existing /tmp/DeprovisioningScript.sh). */
  sudo?: boolean;
}

/**
 * Commands that recreate a file on the build VM from base64 and verify its SHA-256 there, so a
 * file can travel inside the template with nothing to host. A mismatch stops the step with an
 * error (Shell inline lines run under `sh -e`; the PowerShell lines throw).
 */
export function inlineFileCommands(options: InlineFileOptions): string[] {
  const base64 = Buffer.from(options.content).toString('base64');
  const sha256 = sha256Hex(options.content);
  if (options.os === 'linux') {
    const path = shQuoteAlways(options.path);
    const write = options.sudo ? `sudo tee ${path} >/dev/null` : `cat > ${path}`;
    return [`echo '${base64}' | base64 -d | ${write}`, `echo ${shQuoteAlways(`${sha256}  ${options.path}`)} | sha256sum -c -`];
  }
  const path = psQuote(options.path);
  return [
    `[IO.File]::WriteAllBytes(${path}, [Convert]::FromBase64String('${base64}'))`,
    `$aibgenHash = (Get-FileHash -Algorithm SHA256 -LiteralPath ${path}).Hash.ToLowerInvariant()`,
    `if ($aibgenHash -ne '${sha256}') { throw ${psQuote(`${options.path}: SHA-256 does not match ${sha256}; the inline content was altered`)} }`,
  ];
}
