import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AibgenError, describeFsError, isNodeError } from '../errors.js';

/**
 * Reads exactly `size` bytes of `path`, in pieces into whatever buffer `room()` offers, calling
 * `advance()` after each piece; fails if the file changed size meanwhile. Synchronous reads: the
 * archive writer is the only producer, and compression runs on worker threads, so blocking here
 * costs nothing while avoiding three thread-pool round trips per small file.
 */
export async function readExactly(
  path: string,
  displayPath: string,
  size: number,
  room: (want: number) => { buffer: Buffer; offset: number },
  advance: (bytes: number) => Promise<void>,
): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw unreadable(displayPath, error);
  }
  try {
    let done = 0;
    while (done < size) {
      const want = size - done;
      const { buffer, offset } = room(want);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, offset, Math.min(want, buffer.length - offset), done);
      } catch (error) {
        throw unreadable(displayPath, error);
      }
      if (bytesRead === 0) throw changed(displayPath);
      done += bytesRead;
      await advance(bytesRead);
    }
    if (fstatSync(fd).size !== size) throw changed(displayPath);
  } finally {
    closeSync(fd);
  }
}

/** A file that cannot be read (no permission: say so and how to fix it), or that vanished after the folder was listed. */
export function unreadable(path: string, error: unknown): AibgenError {
  const code = isNodeError(error) ? error.code : undefined;
  if (code === 'ENOENT')
    return new AibgenError('E_BUNDLE', `${path} disappeared while it was being archived; nothing was written`, {
      cause: error,
      details: ['run the bundle again when nothing is changing the folder'],
    });
  return new AibgenError('E_BUNDLE', `${path} cannot be read: ${describeFsError(error)}; nothing was written`, {
    cause: error,
    details:
      code === 'EACCES' || code === 'EPERM'
        ? ['give the user running aibgen read permission (chmod a+r), or leave the file out (.aibignore or --exclude)']
        : ['fix the file, or leave it out (.aibignore or --exclude)'],
  });
}

function changed(path: string): AibgenError {
  return new AibgenError('E_BUNDLE', `${path} changed size while it was being archived`, {
    details: ['run the bundle again when nothing is writing to the folder'],
  });
}
