import { readFile } from 'node:fs/promises';
import { InputError, describeFsError } from '../errors.js';
import { checksumFiles, isChecksumOk, type ChecksumOptions } from './checksum-files.js';
import { parseSums } from './sums-format.js';

export type CheckStatus = 'OK' | 'FAILED' | 'FAILED open or read';

export interface CheckedEntry {
  name: string;
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
  let text: string;
  try {
    text = sumsPath === '-' ? await readAll(options.stdin ?? process.stdin) : await readFile(sumsPath, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read checksum list ${sumsPath}: ${describeFsError(error)}`);
  }
  const parsed = parseSums(text);
  if (parsed.entries.length === 0) {
    throw new InputError(`${sumsPath}: no properly formatted SHA256 checksum lines found`, {
      details: ['each line must read "<64 hex digits>  <file name>" as sha256sum writes it'],
    });
  }
  const digests = await checksumFiles(
    parsed.entries.map((entry) => entry.name),
    { ...options, stdin: undefined },
  );
  const entries = parsed.entries.map((entry, index): CheckedEntry => {
    const digest = digests[index];
    if (!digest || !isChecksumOk(digest)) {
      return { name: entry.name, status: 'FAILED open or read', expected: entry.sha256, error: digest && 'error' in digest ? digest.error : undefined };
    }
    return { name: entry.name, status: digest.sha256 === entry.sha256 ? 'OK' : 'FAILED', expected: entry.sha256, actual: digest.sha256 };
  });
  const mismatched = entries.filter((e) => e.status === 'FAILED').length;
  const unreadable = entries.filter((e) => e.status === 'FAILED open or read').length;
  return { entries, malformedLines: parsed.malformed, mismatched, unreadable, ok: mismatched === 0 && unreadable === 0 };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
