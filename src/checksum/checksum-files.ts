import { describeFsError } from '../errors.js';
import { mapLimit } from '../util/concurrency.js';
import { hashFile, hashStream, type FileDigest } from './hash-file.js';

/** A file name as text, or as raw bytes (names that are not valid UTF-8, which sha256sum handles too). */
export type FileName = string | Buffer;

export interface ChecksumOk extends FileDigest {
  path: FileName;
}
export interface ChecksumFailed {
  path: FileName;
  error: string;
}
export type ChecksumResult = ChecksumOk | ChecksumFailed;

export interface ChecksumOptions {
  /** Files hashed at once (I/O overlaps; hashing itself runs on the main thread). */
  concurrency?: number;
  /** Used for the path `-`. */
  stdin?: NodeJS.ReadableStream;
}

export function isChecksumOk(result: ChecksumResult): result is ChecksumOk {
  return 'sha256' in result;
}

/**
 * SHA-256 of each path, in argument order. A path that cannot be hashed (missing, a directory,
 * unreadable) yields an error entry; the others are still hashed.
 */
export async function checksumFiles(paths: readonly FileName[], options: ChecksumOptions = {}): Promise<ChecksumResult[]> {
  const concurrency = options.concurrency ?? 8;
  return mapLimit(paths, concurrency, async (path): Promise<ChecksumResult> => {
    try {
      const digest = path === '-' ? await hashStream((options.stdin ?? process.stdin) as unknown as import('node:stream').Readable) : await hashFile(path);
      return { path, ...digest };
    } catch (error) {
      return { path, error: describeFsError(error) };
    }
  });
}
