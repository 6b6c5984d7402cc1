import { readFile } from 'node:fs/promises';
import { InputError, describeFsError } from '../errors.js';
import { checksumFiles, isChecksumOk, type ChecksumOptions } from './checksum-files.js';
import { parseSums } from './sums-format.js';

export type CheckStatus = 'OK' | 'FAILED' | 'FAILED open or read';

export interface CheckedEntry {
  /** The name as UTF-8 text (invalid bytes shown as U+FFFD). */
  name: string;
  /** The name's exact bytes, as the list gives them (what is opened and printed). */
  nameBytes: Buffer;
  status: CheckStatus;
  expected: string;
  actual?: string;
  /** Why the file could not be read. */
  error?: string;
}

export interface CheckSumsResult {
  entries: CheckedEntry[];
  malformedLines: number[];
  mismatched: number;
  unreadable: number;
  ok: boolean;
}

/**
 * Verifies a sha256sum-format list, like `sha256sum --check`. Names are relative to the
 * current directory, as sha256sum reads them.
 */
export async function checkSums(sumsPath: string, options: ChecksumOptions = {}): Promise<CheckSumsResult> {
  let bytes: Buffer;
  try {
    bytes = sumsPath === '-' ? await readAll(options.stdin ?? process.stdin) : await readFile(sumsPath);
  } catch (error) {
    throw new InputError(`cannot read checksum list ${sumsPath}: ${describeFsError(error)}`, { cause: error });
  }
  // Read as latin1: one character per byte, so names that are not valid UTF-8 keep every byte.
  const parsed = parseSums(bytes.toString('latin1'));
  if (parsed.entries.length === 0) {
    throw new InputError(`${sumsPath}: no properly formatted SHA256 checksum lines found`, {
      details: ['each line must read "<64 hex digits>  <file name>" as sha256sum writes it'],
    });
  }
  const digests = await checksumFiles(
    parsed.entries.map((entry) => Buffer.from(entry.name, 'latin1')),
    { ...options, stdin: undefined },
  );
  const entries = parsed.entries.map((entry, index): CheckedEntry => {
    const digest = digests[index];
    const nameBytes = Buffer.from(entry.name, 'latin1');
    const name = nameBytes.toString('utf8');
    if (!digest || !isChecksumOk(digest)) {
      return { name, nameBytes, status: 'FAILED open or read', expected: entry.sha256, error: digest && 'error' in digest ? digest.error : undefined };
    }
    return { name, nameBytes, status: digest.sha256 === entry.sha256 ? 'OK' : 'FAILED', expected: entry.sha256, actual: digest.sha256 };
  });
  const mismatched = entries.filter((e) => e.status === 'FAILED').length;
  const unreadable = entries.filter((e) => e.status === 'FAILED open or read').length;
  return { entries, malformedLines: parsed.malformed, mismatched, unreadable, ok: mismatched === 0 && unreadable === 0 };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
