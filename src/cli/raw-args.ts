import { readFileSync } from 'node:fs';

/**
 * Node decodes command-line arguments as UTF-8, turning bytes that are not valid UTF-8 into
 * U+FFFD: a file with such a name could not be opened by the name Node hands over. On Linux the
 * exact bytes are in /proc/self/cmdline; this maps each damaged argument back to them, so
 * `aibgen checksum` handles every name sha256sum handles. Elsewhere the values stay as they are.
 */
export function recoverRawArgs(values: readonly string[]): (string | Buffer)[] {
  if (!values.some((v) => v.includes('\uFFFD'))) return [...values];
  let all: Buffer[];
  try {
    const cmdline = readFileSync('/proc/self/cmdline');
    all = [];
    let start = 0;
    for (let i = 0; i < cmdline.length; i++) {
      if (cmdline[i] === 0) {
        all.push(cmdline.subarray(start, i));
        start = i + 1;
      }
    }
    if (start < cmdline.length) all.push(cmdline.subarray(start));
  } catch {
    return [...values];
  }
  // The user's arguments are the last ones (node and its own options come first).
  const pool = all.slice(Math.max(0, all.length - (process.argv.length - 2))).filter((b) => b.toString('utf8').includes('\uFFFD'));
  return values.map((value) => {
    if (!value.includes('\uFFFD')) return value;
    const index = pool.findIndex((b) => b.toString('utf8') === value);
    return index === -1 ? value : (pool.splice(index, 1)[0] as Buffer);
  });
}
