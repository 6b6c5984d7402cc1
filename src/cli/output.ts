import { redact } from '../util/redact.js';

/**
 * Where CLI handlers print. Handlers return an exit code; only src/cli.ts ends the process.
 * `out` and `err` carry messages and reports and are redacted (no SAS signature or account key
 * reaches a log); `data` carries content the user asked for byte for byte (a rendered script on
 * standard output) and is written as it is.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  data(bytes: Uint8Array | string): void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly color: boolean;
}

export function processOutput(): Output {
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    out: (text) => void process.stdout.write(redact(text)),
    err: (text) => void process.stderr.write(redact(text)),
    data: (bytes) => void process.stdout.write(bytes),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY,
    color: stderrIsTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== ''),
  };
}
