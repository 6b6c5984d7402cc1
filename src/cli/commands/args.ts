import { InvalidArgumentError } from 'commander';
import { parseSize } from '../../util/size.js';
import { option } from './typed.js';

/** Parsers of option values shared by the command definitions: each refuses what it cannot read, naming the flag. */

export function int(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} expects an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer timeout would fire at once. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export function minutes(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 960)
    throw new InvalidArgumentError(`--timeout-minutes expects a number above 0 and at most 960, got "${value}"`);
  return n;
}

export function sizeArg(flag: string) {
  return (value: string): number => {
    const bytes = parseSize(value);
    if (bytes === undefined || bytes <= 0) throw new InvalidArgumentError(`${flag} expects a size such as 20MB, 512KiB or 1000000, got "${value}"`);
    return bytes;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** How long a download may take (fill --fetch, import): defined once for both. */
export const fetchTimeoutOption = () =>
  option('--fetch-timeout <seconds>', 'give up a download after this long')
    .argParser(int('--fetch-timeout', 1, MAX_TIMEOUT_SECONDS))
    .default(30);

/** How large a download may be (fill --fetch, import): defined once for both. */
export const fetchMaxSizeOption = () => option('--fetch-max-size <size>', 'largest download accepted (e.g. 50MB)').argParser(sizeArg('--fetch-max-size'));
